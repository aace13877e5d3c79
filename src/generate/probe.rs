//! Coverage probes for measurement: rewrites a module so that appended globals count what the
//! reference interpreter's `Coverage` counts (throws, catches by clause kind and across frames,
//! `throw_ref`s, memory64 accesses near the bound or at 2^32 and above, grows), on any engine.
//!
//! Every `try_table` clause is routed through a trampoline block that counts the catch and
//! then branches where the clause did; every other branch depth is shifted by the blocks
//! inserted in between. Only used by the measurement; the campaign runs modules unchanged.

use std::collections::HashMap;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    BlockType, ConstExpr, ExportKind, ExportSection, Function, GlobalType, Instruction as I,
    RawSection, TypeSection, ValType,
};
use wasmparser::{Operator as O, Parser, Payload};

/// The counters, in the order of the globals appended.
pub const COUNTERS: [&str; 14] = [
    "thrown",
    "throw_ref",
    "rethrown",
    "caught",
    "caught_across_frames",
    "catch",
    "catch_ref",
    "catch_all",
    "catch_all_ref",
    "mem64_accesses",
    "mem64_near_bound",
    "mem64_high",
    "grow64",
    "grow_failures",
];
const THROWN: u32 = 0;
const THROW_REF: u32 = 1;
const RETHROWN: u32 = 2;
const CAUGHT: u32 = 3;
const ACROSS: u32 = 4;
const KIND: u32 = 5;
const MEM64: u32 = 9;
const NEAR: u32 = 10;
const HIGH: u32 = 11;
const GROW64: u32 = 12;
const GROW_FAIL: u32 = 13;
/// Two more globals: the invocation counter and the invocation that threw last.
const INVOCATIONS: u32 = 14;
const THROWER: u32 = 15;

/// The instrumented module and the index of its first counter global.
pub struct Probed {
    /// The module.
    pub wasm: Vec<u8>,
    /// Global index of `COUNTERS[0]`.
    pub first_counter: u32,
}

/// Module-level facts the rewrite needs.
#[derive(Default)]
struct Facts {
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
    funcs: Vec<u32>,
    tags: Vec<u32>,
    mem64: Vec<bool>,
    globals: u32,
}

/// Instruments `wasm`; `None` for modules outside what the pass handles (imports, legacy
/// exceptions, components).
pub fn instrument(wasm: &[u8]) -> Option<Probed> {
    let mut facts = Facts::default();
    let mut rt = RoundtripReencoder;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::ImportSection(r) if r.count() > 0 => return None,
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let ty = ty.ok()?;
                    let p = ty
                        .params()
                        .iter()
                        .map(|t| rt.val_type(*t).ok())
                        .collect::<Option<_>>()?;
                    let r = ty
                        .results()
                        .iter()
                        .map(|t| rt.val_type(*t).ok())
                        .collect::<Option<_>>()?;
                    facts.types.push((p, r));
                }
            }
            Payload::FunctionSection(r) => {
                for f in r {
                    facts.funcs.push(f.ok()?);
                }
            }
            Payload::TagSection(r) => {
                for t in r {
                    facts.tags.push(t.ok()?.func_type_idx);
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    facts.mem64.push(m.ok()?.memory64);
                }
            }
            Payload::GlobalSection(r) => facts.globals = r.count(),
            _ => {}
        }
    }
    let base = facts.globals;
    let mut extra_types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut out = wasm_encoder::Module::new();
    let mut wrote_globals = false;
    let mut code_index = 0usize;
    let mut code = wasm_encoder::CodeSection::new();
    let mut bodies: Vec<Function> = Vec::new();
    // First rewrite every body (this discovers the block types to add), then write sections.
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CodeSectionEntry(body) = payload.ok()? {
            let ty = *facts.funcs.get(code_index)?;
            code_index += 1;
            bodies.push(rewrite_body(&facts, base, ty, &body, &mut extra_types)?);
        }
    }
    for body in &bodies {
        code.function(body);
    }
    let globals_section = || {
        let mut g = wasm_encoder::GlobalSection::new();
        for _ in 0..COUNTERS.len() + 2 {
            g.global(
                GlobalType {
                    val_type: ValType::I32,
                    mutable: true,
                    shared: false,
                },
                &ConstExpr::i32_const(0),
            );
        }
        g
    };
    let mut wrote_types = false;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.ok()?;
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        // Section order: type 1, function 3, table 4, memory 5, tag 13, global 6, export 7,
        // start 8, element 9, data count 12, code 10, data 11.
        if id != 1 && id != 0 && !wrote_types {
            out.section(&types_section(&facts.types, &extra_types));
            wrote_types = true;
        }
        if (7..=12).contains(&id) && !wrote_globals {
            out.section(&globals_section());
            wrote_globals = true;
        }
        match id {
            1 => {
                out.section(&types_section(&facts.types, &extra_types));
                wrote_types = true;
            }
            6 => {
                let mut g = wasm_encoder::GlobalSection::new();
                if let Payload::GlobalSection(r) = payload {
                    rt.parse_global_section(&mut g, r).ok()?;
                }
                for _ in 0..COUNTERS.len() + 2 {
                    g.global(
                        GlobalType {
                            val_type: ValType::I32,
                            mutable: true,
                            shared: false,
                        },
                        &ConstExpr::i32_const(0),
                    );
                }
                out.section(&g);
                wrote_globals = true;
            }
            7 => {
                let mut e = ExportSection::new();
                if let Payload::ExportSection(r) = payload {
                    for export in r {
                        let export = export.ok()?;
                        e.export(export.name, rt.export_kind(export.kind).ok()?, export.index);
                    }
                }
                add_counter_exports(&mut e, base);
                out.section(&e);
            }
            10 => {
                out.section(&code);
            }
            _ => {
                out.section(&RawSection {
                    id,
                    data: &wasm[range.start as usize..range.end as usize],
                });
            }
        }
    }
    if !wrote_globals {
        out.section(&globals_section());
    }
    Some(Probed {
        wasm: out.finish(),
        first_counter: base,
    })
}

fn add_counter_exports(e: &mut ExportSection, base: u32) {
    for (i, name) in COUNTERS.iter().enumerate() {
        e.export(
            &format!("probe:{name}"),
            ExportKind::Global,
            base + i as u32,
        );
    }
}

fn types_section(
    types: &[(Vec<ValType>, Vec<ValType>)],
    extra: &[(Vec<ValType>, Vec<ValType>)],
) -> TypeSection {
    let mut s = TypeSection::new();
    for (p, r) in types.iter().chain(extra) {
        s.ty().function(p.iter().copied(), r.iter().copied());
    }
    s
}

/// A control frame of the original body.
struct Frame {
    /// Blocks inserted between this frame and its parent (a rewritten `try_table`'s wrapper
    /// and trampolines).
    extra: u32,
    /// For a rewritten `try_table`: each clause's kind (0..4) and original label.
    clauses: Vec<(u32, u32)>,
}

/// Temporary locals appended to every body.
struct Temps {
    me: u32,
    addr: u32,
    len: u32,
    i32v: u32,
    i64v: u32,
    f32v: u32,
    f64v: u32,
    exn: u32,
    r64: u32,
    r32: u32,
}

fn rewrite_body(
    facts: &Facts,
    base: u32,
    ty: u32,
    body: &wasmparser::FunctionBody,
    extra_types: &mut Vec<(Vec<ValType>, Vec<ValType>)>,
) -> Option<Function> {
    let mut rt = RoundtripReencoder;
    let params = facts.types.get(ty as usize)?.0.len() as u32;
    let mut locals: Vec<ValType> = Vec::new();
    for l in body.get_locals_reader().ok()? {
        let (n, t) = l.ok()?;
        let t = rt.val_type(t).ok()?;
        locals.extend(std::iter::repeat_n(t, n as usize));
    }
    let next = params + locals.len() as u32;
    let temps = Temps {
        me: next,
        addr: next + 1,
        len: next + 2,
        i32v: next + 3,
        i64v: next + 4,
        f32v: next + 5,
        f64v: next + 6,
        exn: next + 7,
        r64: next + 8,
        r32: next + 9,
    };
    locals.extend([
        ValType::I32,
        ValType::I64,
        ValType::I64,
        ValType::I32,
        ValType::I64,
        ValType::F32,
        ValType::F64,
        ValType::Ref(wasm_encoder::RefType::EXNREF),
        ValType::I64,
        ValType::I32,
    ]);
    let mut f = Function::new_with_locals_types(locals);
    let g = |k: u32| base + k;
    let bump = |f: &mut Function, k: u32| increment(f, base + k);
    // Entry: a fresh invocation id.
    f.instruction(&I::GlobalGet(g(INVOCATIONS)));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Add);
    f.instruction(&I::LocalTee(temps.me));
    f.instruction(&I::GlobalSet(g(INVOCATIONS)));

    let mut frames: Vec<Frame> = vec![Frame {
        extra: 0,
        clauses: Vec::new(),
    }];
    let mut block_cache: HashMap<(Vec<ValType>, Vec<ValType>), u32> = HashMap::new();
    let shift = |frames: &[Frame], d: u32| -> Option<u32> {
        let t = frames.len().checked_sub(1 + d as usize)?;
        Some(d + frames[t + 1..].iter().map(|f| f.extra).sum::<u32>())
    };
    let mut ops = body.get_operators_reader().ok()?;
    while !ops.eof() {
        let op = ops.read().ok()?;
        match op {
            O::Try { .. }
            | O::Catch { .. }
            | O::CatchAll
            | O::Delegate { .. }
            | O::Rethrow { .. } => {
                return None;
            }
            O::Block { .. } | O::Loop { .. } | O::If { .. } => {
                f.instruction(&rt.instruction(op).ok()?);
                frames.push(Frame {
                    extra: 0,
                    clauses: Vec::new(),
                });
            }
            O::TryTable { try_table } => {
                let n = try_table.catches.len() as u32;
                if n == 0 {
                    f.instruction(&rt.instruction(O::TryTable { try_table }).ok()?);
                    frames.push(Frame {
                        extra: 0,
                        clauses: Vec::new(),
                    });
                    continue;
                }
                let bt = rt.block_type(try_table.ty).ok()?;
                let block_params = match bt {
                    BlockType::FunctionType(i) => facts.types.get(i as usize)?.0.clone(),
                    _ => Vec::new(),
                };
                f.instruction(&I::Block(bt));
                let mut clauses = Vec::new();
                let mut pushes = Vec::new();
                for c in &try_table.catches {
                    let (kind, tag, label) = match *c {
                        wasmparser::Catch::One { tag, label } => (0, Some(tag), label),
                        wasmparser::Catch::OneRef { tag, label } => (1, Some(tag), label),
                        wasmparser::Catch::All { label } => (2, None, label),
                        wasmparser::Catch::AllRef { label } => (3, None, label),
                    };
                    let mut push = match tag {
                        Some(t) => facts
                            .types
                            .get(*facts.tags.get(t as usize)? as usize)?
                            .0
                            .clone(),
                        None => Vec::new(),
                    };
                    if kind % 2 == 1 {
                        push.push(ValType::Ref(wasm_encoder::RefType::EXNREF));
                    }
                    clauses.push((kind, label));
                    pushes.push(push);
                }
                // Trampolines, outermost (last clause) first.
                for push in pushes.iter().rev() {
                    let bt = if block_params.is_empty() && push.len() <= 1 {
                        push.first()
                            .map_or(BlockType::Empty, |t| BlockType::Result(*t))
                    } else {
                        let key = (block_params.clone(), push.clone());
                        let next = (facts.types.len() + extra_types.len()) as u32;
                        let idx = *block_cache.entry(key.clone()).or_insert_with(|| {
                            extra_types.push(key);
                            next
                        });
                        BlockType::FunctionType(idx)
                    };
                    f.instruction(&I::Block(bt));
                }
                let catches: Vec<wasm_encoder::Catch> = clauses
                    .iter()
                    .zip(&try_table.catches)
                    .enumerate()
                    .map(|(i, (_, c))| {
                        let label = i as u32;
                        match *c {
                            wasmparser::Catch::One { tag, .. } => {
                                wasm_encoder::Catch::One { tag, label }
                            }
                            wasmparser::Catch::OneRef { tag, .. } => {
                                wasm_encoder::Catch::OneRef { tag, label }
                            }
                            wasmparser::Catch::All { .. } => wasm_encoder::Catch::All { label },
                            wasmparser::Catch::AllRef { .. } => {
                                wasm_encoder::Catch::AllRef { label }
                            }
                        }
                    })
                    .collect();
                f.instruction(&I::TryTable(bt, catches.into()));
                frames.push(Frame {
                    extra: n + 1,
                    clauses,
                });
            }
            O::End => {
                let frame = frames.pop()?;
                f.instruction(&I::End);
                if frame.clauses.is_empty() {
                    continue;
                }
                let n = frame.clauses.len() as u32;
                f.instruction(&I::Br(n));
                for (i, &(kind, label)) in frame.clauses.iter().enumerate() {
                    f.instruction(&I::End);
                    bump(&mut f, CAUGHT);
                    bump(&mut f, KIND + kind);
                    f.instruction(&I::GlobalGet(g(THROWER)));
                    f.instruction(&I::LocalGet(temps.me));
                    f.instruction(&I::I32Ne);
                    f.instruction(&I::If(BlockType::Empty));
                    bump(&mut f, ACROSS);
                    f.instruction(&I::End);
                    let out = (n - 1 - i as u32) + 1 + shift(&frames, label)?;
                    f.instruction(&I::Br(out));
                }
                f.instruction(&I::End);
            }
            O::Br { relative_depth } => {
                f.instruction(&I::Br(shift(&frames, relative_depth)?));
            }
            O::BrIf { relative_depth } => {
                f.instruction(&I::BrIf(shift(&frames, relative_depth)?));
            }
            O::BrTable { targets } => {
                let default = shift(&frames, targets.default())?;
                let ts = targets
                    .targets()
                    .map(|t| shift(&frames, t.ok()?))
                    .collect::<Option<Vec<u32>>>()?;
                f.instruction(&I::BrTable(ts.into(), default));
            }
            O::BrOnNull { relative_depth } => {
                f.instruction(&I::BrOnNull(shift(&frames, relative_depth)?));
            }
            O::BrOnNonNull { relative_depth } => {
                f.instruction(&I::BrOnNonNull(shift(&frames, relative_depth)?));
            }
            O::Throw { .. } => {
                bump(&mut f, THROWN);
                f.instruction(&I::LocalGet(temps.me));
                f.instruction(&I::GlobalSet(g(THROWER)));
                f.instruction(&rt.instruction(op).ok()?);
            }
            O::ThrowRef => {
                bump(&mut f, THROW_REF);
                f.instruction(&I::LocalTee(temps.exn));
                f.instruction(&I::RefIsNull);
                f.instruction(&I::If(BlockType::Empty));
                f.instruction(&I::Else);
                bump(&mut f, THROWN);
                bump(&mut f, RETHROWN);
                f.instruction(&I::LocalGet(temps.me));
                f.instruction(&I::GlobalSet(g(THROWER)));
                f.instruction(&I::End);
                f.instruction(&I::LocalGet(temps.exn));
                f.instruction(&I::ThrowRef);
            }
            O::MemoryGrow { mem } => {
                let m64 = *facts.mem64.get(mem as usize)?;
                if m64 {
                    bump(&mut f, GROW64);
                }
                f.instruction(&I::MemoryGrow(mem));
                let (tmp, minus_one, eq) = if m64 {
                    (temps.r64, I::I64Const(-1), I::I64Eq)
                } else {
                    (temps.r32, I::I32Const(-1), I::I32Eq)
                };
                f.instruction(&I::LocalTee(tmp));
                f.instruction(&minus_one);
                f.instruction(&eq);
                f.instruction(&I::If(BlockType::Empty));
                bump(&mut f, GROW_FAIL);
                f.instruction(&I::End);
                f.instruction(&I::LocalGet(tmp));
            }
            O::MemoryFill { mem } if *facts.mem64.get(mem as usize)? => {
                // (d, v: i32, n)
                f.instruction(&I::LocalSet(temps.len));
                f.instruction(&I::LocalSet(temps.i32v));
                f.instruction(&I::LocalTee(temps.addr));
                probe_range(&mut f, base, mem, &temps);
                f.instruction(&I::LocalGet(temps.i32v));
                f.instruction(&I::LocalGet(temps.len));
                f.instruction(&rt.instruction(op).ok()?);
            }
            O::MemoryCopy { dst_mem, src_mem }
                if *facts.mem64.get(dst_mem as usize)? && *facts.mem64.get(src_mem as usize)? =>
            {
                // (d, s, n), all i64
                f.instruction(&I::LocalSet(temps.len));
                f.instruction(&I::LocalSet(temps.i64v));
                f.instruction(&I::LocalTee(temps.addr));
                probe_range(&mut f, base, dst_mem, &temps);
                f.instruction(&I::LocalGet(temps.i64v));
                f.instruction(&I::LocalGet(temps.len));
                f.instruction(&rt.instruction(op).ok()?);
            }
            O::MemoryInit { mem, .. } if *facts.mem64.get(mem as usize)? => {
                // (d: i64, s: i32, n: i32)
                f.instruction(&I::LocalSet(temps.i32v));
                f.instruction(&I::LocalSet(temps.r32));
                f.instruction(&I::LocalTee(temps.addr));
                f.instruction(&I::LocalGet(temps.i32v));
                f.instruction(&I::I64ExtendI32U);
                f.instruction(&I::LocalSet(temps.len));
                probe_range(&mut f, base, mem, &temps);
                f.instruction(&I::LocalGet(temps.r32));
                f.instruction(&I::LocalGet(temps.i32v));
                f.instruction(&rt.instruction(op).ok()?);
            }
            _ => {
                if let Some((memarg, value)) = access(&op)
                    && let wasmparser::MemArgTarget::Memory(mem) = memarg.target
                    && *facts.mem64.get(mem as usize)?
                {
                    let width = 1u64 << memarg.max_align;
                    let tmp = value.map(|t| match t {
                        ValType::I32 => temps.i32v,
                        ValType::I64 => temps.i64v,
                        ValType::F32 => temps.f32v,
                        _ => temps.f64v,
                    });
                    if let Some(tmp) = tmp {
                        f.instruction(&I::LocalSet(tmp));
                    }
                    f.instruction(&I::LocalTee(temps.addr));
                    f.instruction(&I::I64Const(memarg.offset.wrapping_add(width) as i64));
                    f.instruction(&I::LocalSet(temps.len));
                    probe_access(&mut f, base, mem, &temps, memarg.offset, width);
                    if let Some(tmp) = tmp {
                        f.instruction(&I::LocalGet(tmp));
                    }
                }
                f.instruction(&rt.instruction(op).ok()?);
            }
        }
    }
    Some(f)
}

/// Adds one to the i32 counter global `global`.
fn increment(f: &mut Function, global: u32) {
    f.instruction(&I::GlobalGet(global));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::I32Add);
    f.instruction(&I::GlobalSet(global));
}

/// Counts an access to 64-bit memory `mem` at `addr` (local) with static `offset` and `width`:
/// always an access; near the bound when `addr + offset + width` is within 16 bytes of the
/// current size (without overflow); high when `addr + offset >= 2^32`.
fn probe_access(f: &mut Function, base: u32, mem: u32, t: &Temps, offset: u64, width: u64) {
    let bump = |f: &mut Function, k: u32| increment(f, base + k);
    bump(f, MEM64);
    // High.
    if offset >= 1 << 32 {
        bump(f, HIGH);
    } else {
        f.instruction(&I::LocalGet(t.addr));
        f.instruction(&I::I64Const(((1u64 << 32) - offset) as i64));
        f.instruction(&I::I64GeU);
        f.instruction(&I::If(BlockType::Empty));
        bump(f, HIGH);
        f.instruction(&I::End);
    }
    // Near: no overflow, and |end - bound| <= 16.
    let Some(span) = offset.checked_add(width) else {
        return;
    };
    f.instruction(&I::LocalGet(t.addr));
    f.instruction(&I::I64Const((u64::MAX - span) as i64));
    f.instruction(&I::I64LeU);
    f.instruction(&I::LocalGet(t.addr));
    f.instruction(&I::LocalGet(t.len));
    f.instruction(&I::I64Add);
    f.instruction(&I::MemorySize(mem));
    f.instruction(&I::I64Const(16));
    f.instruction(&I::I64Shl);
    f.instruction(&I::I64Sub);
    f.instruction(&I::I64Const(16));
    f.instruction(&I::I64Add);
    f.instruction(&I::I64Const(32));
    f.instruction(&I::I64LeU);
    f.instruction(&I::I32And);
    f.instruction(&I::If(BlockType::Empty));
    bump(f, NEAR);
    f.instruction(&I::End);
}

/// Counts a bulk access to 64-bit memory `mem` of `len` bytes (local) at `addr` (local).
fn probe_range(f: &mut Function, base: u32, mem: u32, t: &Temps) {
    let bump = |f: &mut Function, k: u32| increment(f, base + k);
    bump(f, MEM64);
    // High: the last byte at or above 2^32 (d + n > 2^32, or d >= 2^32).
    f.instruction(&I::LocalGet(t.addr));
    f.instruction(&I::I64Const(1 << 32));
    f.instruction(&I::I64GeU);
    f.instruction(&I::LocalGet(t.addr));
    f.instruction(&I::LocalGet(t.len));
    f.instruction(&I::I64Add);
    f.instruction(&I::I64Const(1 << 32));
    f.instruction(&I::I64GtU);
    f.instruction(&I::I32Or);
    f.instruction(&I::If(BlockType::Empty));
    bump(f, HIGH);
    f.instruction(&I::End);
    // Near: |d + n - bound| <= 16.
    f.instruction(&I::LocalGet(t.addr));
    f.instruction(&I::LocalGet(t.len));
    f.instruction(&I::I64Add);
    f.instruction(&I::MemorySize(mem));
    f.instruction(&I::I64Const(16));
    f.instruction(&I::I64Shl);
    f.instruction(&I::I64Sub);
    f.instruction(&I::I64Const(16));
    f.instruction(&I::I64Add);
    f.instruction(&I::I64Const(32));
    f.instruction(&I::I64LeU);
    f.instruction(&I::If(BlockType::Empty));
    bump(f, NEAR);
    f.instruction(&I::End);
}

/// The memory immediate of a load or store, and for a store the type of the stored value.
fn access(op: &O) -> Option<(wasmparser::MemArg, Option<ValType>)> {
    Some(match *op {
        O::I32Load { memarg }
        | O::I64Load { memarg }
        | O::F32Load { memarg }
        | O::F64Load { memarg }
        | O::I32Load8S { memarg }
        | O::I32Load8U { memarg }
        | O::I32Load16S { memarg }
        | O::I32Load16U { memarg }
        | O::I64Load8S { memarg }
        | O::I64Load8U { memarg }
        | O::I64Load16S { memarg }
        | O::I64Load16U { memarg }
        | O::I64Load32S { memarg }
        | O::I64Load32U { memarg } => (memarg, None),
        O::I32Store { memarg } | O::I32Store8 { memarg } | O::I32Store16 { memarg } => {
            (memarg, Some(ValType::I32))
        }
        O::I64Store { memarg }
        | O::I64Store8 { memarg }
        | O::I64Store16 { memarg }
        | O::I64Store32 { memarg } => (memarg, Some(ValType::I64)),
        O::F32Store { memarg } => (memarg, Some(ValType::F32)),
        O::F64Store { memarg } => (memarg, Some(ValType::F64)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oracles::differential::{Call, Plan, RunOptions, run_case};
    use oracles::{EngineKind, Val};

    /// Runs `wat` instrumented on Cranelift, calling `calls`, and returns the counters.
    fn counters(wat: &str, calls: &[(&str, Vec<Val>)]) -> Vec<i32> {
        let wasm = wat::parse_str(wat).unwrap();
        let probed = instrument(&wasm).unwrap();
        crate::generate::validate(&probed.wasm).unwrap();
        let engine = EngineKind::Cranelift.build().unwrap();
        let plan = Plan {
            calls: calls
                .iter()
                .map(|(f, args)| Call {
                    func: f.to_string(),
                    args: args.clone(),
                })
                .collect(),
        };
        let exposed = oracles::expose::expose(&probed.wasm).unwrap();
        let report = run_case(&[engine.as_ref()], &exposed, &plan, &RunOptions::default());
        let snapshot = report
            .steps
            .iter()
            .rev()
            .find_map(|s| s.observations[0].as_ref()?.snapshot.clone())
            .unwrap();
        (0..COUNTERS.len() as u32)
            .map(|k| {
                let index = probed.first_counter + k;
                match snapshot
                    .globals
                    .iter()
                    .find(|g| g.index == index)
                    .unwrap()
                    .value
                {
                    Val::I32(v) => v,
                    other => panic!("{other}"),
                }
            })
            .collect()
    }

    #[test]
    fn counts_catches_by_kind_and_across_frames() {
        let c = counters(
            r#"(module
                 (tag $t (param i32))
                 (global $g (mut i32) (i32.const 0))
                 (func $thrower (param i32) (local.get 0) (throw $t))
                 (func (export "f") (param i32) (result i32) (local $e exnref)
                   (block $h (result i32)
                     (try_table (catch $t $h)
                       (local.get 0) (call $thrower))
                     (i32.const -1) (return))
                   (local.set $e
                     (block $k (result exnref)
                       (try_table (catch_all_ref $k)
                         (i32.const 5) (throw $t))
                       (unreachable)))
                   (block $r
                     (try_table (catch_all $r) (throw_ref (local.get $e))))
                   (i32.add (global.get $g)))
              )"#,
            &[("f", vec![Val::I32(7)])],
        );
        let named: HashMap<&str, i32> = COUNTERS.iter().copied().zip(c).collect();
        assert_eq!(named["thrown"], 3, "{named:?}");
        assert_eq!(named["throw_ref"], 1);
        assert_eq!(named["rethrown"], 1);
        assert_eq!(named["caught"], 3);
        assert_eq!(named["caught_across_frames"], 1);
        assert_eq!(named["catch"], 1);
        assert_eq!(named["catch_all"], 1);
        assert_eq!(named["catch_all_ref"], 1);
        assert_eq!(named["catch_ref"], 0);
    }

    #[test]
    fn counts_memory64_accesses_and_grows() {
        let c = counters(
            r#"(module
                 (memory i64 1)
                 (func (export "f") (param i64)
                   (i64.store offset=8 (local.get 0) (i64.const 1))
                   (drop (memory.grow (i64.const -1)))
                   (drop (memory.grow (i64.const 1)))
                   (drop (i32.load8_u offset=0x100000000 (i64.const 0)))))"#,
            &[("f", vec![Val::I64(65536 - 16)])],
        );
        let named: HashMap<&str, i32> = COUNTERS.iter().copied().zip(c).collect();
        assert_eq!(named["mem64_accesses"], 2, "{named:?}");
        assert_eq!(named["mem64_near_bound"], 1);
        assert_eq!(named["mem64_high"], 1);
        assert_eq!(named["grow64"], 2);
        assert_eq!(named["grow_failures"], 1);
    }
}

#[cfg(test)]
mod generated {
    use crate::generate::{Profile, generate, validate};

    #[test]
    fn probed_generated_modules_validate() {
        for profile in Profile::ALL {
            for index in 0..300 {
                let case = generate(3, index, profile);
                let Some(probed) = super::instrument(&case.wasm) else {
                    std::fs::write("/tmp/declined.wasm", &case.wasm).unwrap();
                    panic!(
                        "declined {profile} {index} {} {}",
                        case.generator, case.config
                    );
                };
                if let Err(e) = validate(&probed.wasm) {
                    panic!("{profile} {index} {}: {e}", case.generator);
                }
            }
        }
    }
}
