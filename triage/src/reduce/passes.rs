//! The reduction passes, coarse to fine: each turns the current module and plan into candidates, in the order they are tried.

use super::Candidate;
use super::ir::{Body, ElemItems, Ir, Removed, Space, opens_block, zero_of};
use super::spans::analyse;
use oracles::Val;
use oracles::differential::Call;
use std::collections::HashMap;
use wasmparser::{BlockType, ExternalKind, Operator, ValType};

/// A pass.
pub struct Pass {
    /// Its name.
    pub name: &'static str,
    /// Its candidates from the current best.
    pub generate: fn(&Candidate) -> Vec<Candidate>,
}

/// Every pass, in the order they run.
pub const ALL: &[Pass] = &[
    Pass {
        name: "plan-truncate",
        generate: plan_truncate,
    },
    Pass {
        name: "plan-drop-call",
        generate: plan_drop_call,
    },
    Pass {
        name: "exports-only-plan",
        generate: exports_only_plan,
    },
    Pass {
        name: "function-bodies",
        generate: function_bodies,
    },
    Pass {
        name: "neutralize-calls",
        generate: neutralize_calls,
    },
    Pass {
        name: "inline-constant-calls",
        generate: inline_constant_calls,
    },
    Pass {
        name: "retarget-exports",
        generate: retarget_exports,
    },
    Pass {
        name: "remove-items",
        generate: remove_items,
    },
    Pass {
        name: "remove-exports",
        generate: remove_exports,
    },
    Pass {
        name: "expressions",
        generate: expressions,
    },
    Pass {
        name: "blocks",
        generate: blocks,
    },
    Pass {
        name: "remove-items",
        generate: remove_items,
    },
    Pass {
        name: "locals",
        generate: locals,
    },
    Pass {
        name: "constants",
        generate: constants,
    },
    Pass {
        name: "limits-and-data",
        generate: limits_and_data,
    },
    Pass {
        name: "arguments",
        generate: arguments,
    },
    Pass {
        name: "rename-exports",
        generate: rename_exports,
    },
];

fn with_ir(c: &Candidate, edit: impl FnOnce(&Ir, &mut Vec<Candidate>)) -> Vec<Candidate> {
    let mut out = Vec::new();
    if let Some(ir) = Ir::parse(&c.wasm) {
        edit(&ir, &mut out);
    }
    out
}

fn push(out: &mut Vec<Candidate>, ir: &Ir, plan: &oracles::differential::Plan) {
    if let Some(wasm) = ir.encode() {
        out.push(Candidate {
            wasm,
            plan: plan.clone(),
        });
    }
}

/// The sum over every integer constant of its bit length (a tie-breaker of [`super::cost`]).
pub fn const_weight(wasm: &[u8]) -> u64 {
    let Some(ir) = Ir::parse(wasm) else { return 0 };
    let bits = |x: u64| u64::from(64 - x.leading_zeros());
    let ops = ir
        .code
        .iter()
        .flat_map(|b| b.ops.iter())
        .chain(ir.globals.iter().flat_map(|g| g.1.iter()))
        .chain(
            ir.datas
                .iter()
                .flat_map(|d| d.active.iter().flat_map(|a| a.1.iter())),
        );
    let mut w = 0;
    for op in ops {
        w += match op {
            Operator::I32Const { value } => bits(u64::from(value.unsigned_abs())),
            Operator::I64Const { value } => bits(value.unsigned_abs()),
            Operator::F32Const { value } => bits(u64::from(value.bits() & 0x7fff_ffff)),
            Operator::F64Const { value } => bits(value.bits() & (u64::MAX >> 1)),
            _ => memarg_of(op).map_or(0, |m| bits(m.offset)),
        };
    }
    w
}

fn plan_truncate(c: &Candidate) -> Vec<Candidate> {
    (0..c.plan.calls.len())
        .map(|k| {
            let mut plan = c.plan.clone();
            plan.calls.truncate(k);
            Candidate {
                wasm: c.wasm.clone(),
                plan,
            }
        })
        .collect()
}

fn plan_drop_call(c: &Candidate) -> Vec<Candidate> {
    (0..c.plan.calls.len())
        .rev()
        .map(|k| {
            let mut plan = c.plan.clone();
            plan.calls.remove(k);
            Candidate {
                wasm: c.wasm.clone(),
                plan,
            }
        })
        .collect()
}

fn planned(c: &Candidate, name: &str) -> bool {
    c.plan.calls.iter().any(|call| call.func == name)
}

/// Every export but the plan's functions removed, at once.
fn exports_only_plan(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let mut ir = ir.clone();
        let before = ir.exports.len();
        ir.exports
            .retain(|e| e.kind == ExternalKind::Func && planned(c, &e.name));
        if ir.exports.len() < before {
            push(out, &ir, &c.plan);
        }
    })
}

fn remove_exports(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for i in (0..ir.exports.len()).rev() {
            if planned(c, &ir.exports[i].name) {
                continue;
            }
            let mut ir = ir.clone();
            ir.exports.remove(i);
            push(out, &ir, &c.plan);
        }
    })
}

/// The instructions that push zeros of `results`, `None` when one has no zero.
fn zeros(results: &[wasmparser::ValType]) -> Option<Vec<Operator<'static>>> {
    results.iter().map(|t| zero_of(*t)).collect()
}

/// Each function's body replaced by zeros of its results.
fn function_bodies(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let fi = ir.imported(Space::Func);
        for i in 0..ir.code.len() {
            let Some(ty) = ir.func_type(fi + i as u32) else {
                continue;
            };
            let Some(mut ops) = zeros(ty.results()) else {
                continue;
            };
            ops.push(Operator::End);
            if ops.len() >= ir.code[i].ops.len() && ir.code[i].locals.is_empty() {
                continue;
            }
            let mut ir = ir.clone();
            ir.code[i] = Body {
                locals: Vec::new(),
                ops,
            };
            push(out, &ir, &c.plan);
        }
    })
}

/// Every call of one function replaced by dropping its arguments and pushing zeros.
fn neutralize_calls(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let nfuncs = ir.imported(Space::Func) + ir.funcs.len() as u32;
        for callee in 0..nfuncs {
            let Some(ty) = ir.func_type(callee) else {
                continue;
            };
            let Some(zs) = zeros(ty.results()) else {
                continue;
            };
            let params = ty.params().len();
            let mut changed = false;
            let mut new = ir.clone();
            for body in &mut new.code {
                let mut ops = Vec::with_capacity(body.ops.len());
                for op in body.ops.drain(..) {
                    if matches!(op, Operator::Call { function_index } if function_index == callee) {
                        changed = true;
                        ops.extend(std::iter::repeat_n(Operator::Drop, params));
                        ops.extend(zs.iter().cloned());
                    } else {
                        ops.push(op);
                    }
                }
                body.ops = ops;
            }
            if changed {
                push(out, &new, &c.plan);
            }
        }
    })
}

/// Calls of a function without parameters whose body only pushes constants replaced by those
/// constants.
fn inline_constant_calls(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let fi = ir.imported(Space::Func);
        for (k, body) in ir.code.iter().enumerate() {
            let callee = fi + k as u32;
            if !ir.func_type(callee).is_some_and(|t| t.params().is_empty()) {
                continue;
            }
            let Some((_, consts)) = body.ops.split_last() else {
                continue;
            };
            if !consts.iter().all(is_constant) {
                continue;
            }
            let mut new = ir.clone();
            let mut changed = false;
            for b in &mut new.code {
                let mut ops = Vec::with_capacity(b.ops.len());
                for op in b.ops.drain(..) {
                    if matches!(op, Operator::Call { function_index } if function_index == callee) {
                        changed = true;
                        ops.extend(consts.iter().cloned());
                    } else {
                        ops.push(op);
                    }
                }
                b.ops = ops;
            }
            if changed {
                push_without_func(out, &new, callee, &c.plan);
            }
        }
    })
}

/// Pushes `ir` with function `f` removed (and its unplanned exports) when nothing else refers
/// to it, and `ir` as it is.
fn push_without_func(
    out: &mut Vec<Candidate>,
    ir: &Ir,
    f: u32,
    plan: &oracles::differential::Plan,
) {
    let mut without = ir.clone();
    without.exports.retain(|e| {
        !(e.kind == ExternalKind::Func
            && e.index == f
            && !plan.calls.iter().any(|c| c.func == e.name))
    });
    if without.start == Some(f) {
        without.start = None;
    }
    if let Some(wasm) = without.encode_without(&Removed::one(Space::Func, f)) {
        out.push(Candidate {
            wasm,
            plan: plan.clone(),
        });
    }
    push(out, ir, plan);
}

/// A planned export pointed at another function of the same type (often its callee).
fn retarget_exports(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let n = ir.imported(Space::Func) + ir.funcs.len() as u32;
        for (i, e) in ir.exports.iter().enumerate() {
            if e.kind != ExternalKind::Func || !planned(c, &e.name) {
                continue;
            }
            let Some(ty) = ir.func_type(e.index) else {
                continue;
            };
            for f in 0..n {
                if f != e.index && ir.func_type(f) == Some(ty) {
                    let mut new = ir.clone();
                    new.exports[i].index = f;
                    push_without_func(out, &new, e.index, &c.plan);
                }
            }
        }
    })
}

/// Each item removed where nothing refers to it (and its exports with it).
fn remove_items(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let count = |space: Space, defined: usize| ir.imported(space) + defined as u32;
        let spaces = [
            (
                Space::Func,
                count(Space::Func, ir.funcs.len()),
                Some(ExternalKind::Func),
            ),
            (
                Space::Tag,
                count(Space::Tag, ir.tags.len()),
                Some(ExternalKind::Tag),
            ),
            (
                Space::Global,
                count(Space::Global, ir.globals.len()),
                Some(ExternalKind::Global),
            ),
            (
                Space::Table,
                count(Space::Table, ir.tables.len()),
                Some(ExternalKind::Table),
            ),
            (
                Space::Memory,
                count(Space::Memory, ir.memories.len()),
                Some(ExternalKind::Memory),
            ),
            (Space::Elem, ir.elems.len() as u32, None),
            (Space::Data, ir.datas.len() as u32, None),
        ];
        for (space, n, kind) in spaces {
            for index in (0..n).rev() {
                let mut ir = ir.clone();
                if let Some(kind) = kind {
                    if ir
                        .exports
                        .iter()
                        .any(|e| e.kind == kind && e.index == index && planned(c, &e.name))
                    {
                        continue;
                    }
                    ir.exports.retain(|e| !(e.kind == kind && e.index == index));
                }
                if space == Space::Func && ir.start == Some(index) {
                    ir.start = None;
                }
                if let Some(wasm) = ir.encode_without(&Removed::one(space, index)) {
                    out.push(Candidate {
                        wasm,
                        plan: c.plan.clone(),
                    });
                }
            }
        }
        // Function references in element segments, one at a time.
        for (e, elem) in ir.elems.iter().enumerate() {
            if let ElemItems::Funcs(f) = &elem.items {
                for k in (0..f.len()).rev() {
                    let mut ir = ir.clone();
                    if let ElemItems::Funcs(f) = &mut ir.elems[e].items {
                        f.remove(k);
                    }
                    push(out, &ir, &c.plan);
                }
            }
        }
        if ir.start.is_some() {
            let mut ir = ir.clone();
            ir.start = None;
            push(out, &ir, &c.plan);
        }
    })
}

fn replace(
    ir: &Ir,
    func: usize,
    start: usize,
    end: usize,
    with: Vec<Operator<'_>>,
) -> Option<Vec<u8>> {
    let mut ir = ir.clone();
    let ops = &mut ir.code[func].ops;
    // Replace in a copy borrowing the same bytes.
    let mut new: Vec<Operator> = Vec::with_capacity(ops.len());
    new.extend(ops[..start].iter().cloned());
    new.extend(with);
    new.extend(ops[end + 1..].iter().cloned());
    *ops = new;
    ir.encode()
}

/// Statements deleted, values replaced by zeros or by one of their operands; longest spans
/// first.
fn expressions(c: &Candidate) -> Vec<Candidate> {
    let mut out = Vec::new();
    let Some(ir) = Ir::parse(&c.wasm) else {
        return out;
    };
    let analyses = analyse(&c.wasm, &ir);
    let mut edits: Vec<(usize, usize, usize, Vec<Operator>)> = Vec::new();
    for (f, a) in analyses.iter().enumerate() {
        let ops = &ir.code[f].ops;
        for s in &a.spans {
            if matches!(ops[s.end], Operator::Else) {
                continue;
            }
            let len = s.end + 1 - s.start;
            if s.pushes == 0 {
                edits.push((len, f, s.start, Vec::new()));
            } else if s.pushes == 1 {
                let is_const = len == 1 && is_constant(&ops[s.start]);
                if let Some(z) = s.result.and_then(zero_of)
                    && !is_const
                {
                    edits.push((len, f, s.start, vec![z]));
                }
                for (os, oe, ty) in &s.operands {
                    if *ty == s.result && ty.is_some() {
                        edits.push((len, f, s.start, ops[*os..=*oe].to_vec()));
                    }
                }
            }
            // A statement whose value is dropped: both go.
            if s.pushes == 1 && matches!(ops.get(s.end + 1), Some(Operator::Drop)) {
                edits.push((len + 1, f, s.start, Vec::new()));
            }
        }
    }
    // Longest first; the span's end is recomputed from its length.
    edits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (len, f, start, with) in edits {
        if let Some(wasm) = replace(&ir, f, start, start + len - 1, with) {
            out.push(Candidate {
                wasm,
                plan: c.plan.clone(),
            });
        }
    }
    out
}

fn is_constant(op: &Operator) -> bool {
    matches!(
        op,
        Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::RefNull { .. }
    )
}

/// Blocks unwrapped, `if` replaced by one arm, `try_table` turned into `block`, catch clauses
/// dropped.
fn blocks(c: &Candidate) -> Vec<Candidate> {
    let mut out = Vec::new();
    let Some(ir) = Ir::parse(&c.wasm) else {
        return out;
    };
    let analyses = analyse(&c.wasm, &ir);
    let emit = |ir: &Ir, out: &mut Vec<Candidate>| push(out, ir, &c.plan);
    for (f, a) in analyses.iter().enumerate() {
        for k in &a.constructs {
            let ops = &ir.code[f].ops;
            let open = &ops[k.open];
            if let Operator::TryTable { try_table } = open {
                let mut new = ir.clone();
                new.code[f].ops[k.open] = Operator::Block {
                    blockty: try_table.ty,
                };
                emit(&new, &mut out);
                for j in (0..try_table.catches.len()).rev() {
                    let mut t = try_table.clone();
                    t.catches.remove(j);
                    let mut new = ir.clone();
                    new.code[f].ops[k.open] = Operator::TryTable { try_table: t };
                    emit(&new, &mut out);
                }
            }
            let Some(bt) = super::ir::block_type(open) else {
                continue;
            };
            let unwrap_ok = match bt {
                BlockType::Empty | BlockType::Type(_) => true,
                BlockType::FuncType(t) => ir
                    .types
                    .get(t as usize)
                    .is_some_and(|f| f.params().is_empty()),
            };
            match open {
                Operator::If { .. } => {
                    let then_end = k.else_at.unwrap_or(k.end);
                    let arms = [
                        Some((k.open + 1, then_end)),
                        k.else_at.map(|e| (e + 1, k.end)),
                    ];
                    for (s, e) in arms.into_iter().flatten() {
                        let mut body = vec![Operator::Drop, Operator::Block { blockty: bt }];
                        body.extend(ops[s..e].iter().cloned());
                        body.push(Operator::End);
                        if let Some(wasm) = replace(&ir, f, k.open, k.end, body) {
                            out.push(Candidate {
                                wasm,
                                plan: c.plan.clone(),
                            });
                        }
                    }
                }
                _ if unwrap_ok && opens_block(open) => {
                    let inner = ops[k.open + 1..k.end].to_vec();
                    if let Some(wasm) = replace(&ir, f, k.open, k.end, inner) {
                        out.push(Candidate {
                            wasm,
                            plan: c.plan.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Unused locals removed (later locals renumbered); `local.set n; local.get n` fused into
/// `local.tee n`, and a `local.tee` of a local read nowhere else dropped.
fn locals(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for f in 0..ir.code.len() {
            let ops = &ir.code[f].ops;
            for i in 0..ops.len() {
                if let (
                    Operator::LocalSet { local_index: a },
                    Some(Operator::LocalGet { local_index: b }),
                ) = (&ops[i], ops.get(i + 1))
                    && a == b
                {
                    let mut new = ir.clone();
                    new.code[f]
                        .ops
                        .splice(i..i + 2, [Operator::LocalTee { local_index: *a }]);
                    push(out, &new, &c.plan);
                }
                if let Operator::LocalTee { local_index } = &ops[i]
                    && !ops.iter().any(
                        |o| matches!(o, Operator::LocalGet { local_index: x } if x == local_index),
                    )
                {
                    let mut new = ir.clone();
                    new.code[f].ops.remove(i);
                    push(out, &new, &c.plan);
                }
            }
        }
        let fi = ir.imported(Space::Func);
        for f in 0..ir.code.len() {
            let Some(params) = ir.func_type(fi + f as u32).map(|t| t.params().len() as u32) else {
                continue;
            };
            // All at once: unused locals dropped and the rest grouped by type (one local
            // alone rarely saves a byte: it shrinks a group's count, not the group).
            if let Some(compact) = compact_locals(&ir.code[f], params) {
                let mut new = ir.clone();
                new.code[f] = compact;
                push(out, &new, &c.plan);
            }
            for l in (0..ir.code[f].locals.len() as u32).rev() {
                let index = params + l;
                let used = ir.code[f].ops.iter().any(|op| local_of(op) == Some(index));
                if used {
                    continue;
                }
                let mut new = ir.clone();
                new.code[f].locals.remove(l as usize);
                for op in &mut new.code[f].ops {
                    renumber_local(op, index);
                }
                push(out, &new, &c.plan);
            }
        }
    })
}

/// `body` with its unused locals removed and the others ordered by type (so each type is one
/// group in the encoding), every local index renumbered; `None` when nothing would change.
/// Locals all start at their type's default, so their order is not observable.
fn compact_locals<'a>(body: &Body<'a>, params: u32) -> Option<Body<'a>> {
    let used: std::collections::HashSet<u32> = body.ops.iter().filter_map(local_of).collect();
    let mut kept: Vec<(u32, ValType)> = body
        .locals
        .iter()
        .enumerate()
        .map(|(l, t)| (params + l as u32, *t))
        .filter(|(index, _)| used.contains(index))
        .collect();
    kept.sort_by_key(|(index, t)| (format!("{t:?}"), *index));
    let mapping: HashMap<u32, u32> = kept
        .iter()
        .enumerate()
        .map(|(new, (old, _))| (*old, params + new as u32))
        .collect();
    let locals: Vec<ValType> = kept.iter().map(|(_, t)| *t).collect();
    if locals == body.locals {
        return None;
    }
    let mut ops = body.ops.clone();
    for op in &mut ops {
        if let Operator::LocalGet { local_index }
        | Operator::LocalSet { local_index }
        | Operator::LocalTee { local_index } = op
            && let Some(&new) = mapping.get(local_index)
        {
            *local_index = new;
        }
    }
    Some(Body { locals, ops })
}

fn local_of(op: &Operator) -> Option<u32> {
    match op {
        Operator::LocalGet { local_index }
        | Operator::LocalSet { local_index }
        | Operator::LocalTee { local_index } => Some(*local_index),
        _ => None,
    }
}

fn renumber_local(op: &mut Operator, removed: u32) {
    if let Operator::LocalGet { local_index }
    | Operator::LocalSet { local_index }
    | Operator::LocalTee { local_index } = op
        && *local_index > removed
    {
        *local_index -= 1;
    }
}

/// Smaller values for an integer constant: zero, one, minus one, half.
fn smaller(v: i64) -> Vec<i64> {
    let mut out = vec![0, 1, -1, v / 2, v / 16, v >> 32];
    out.retain(|&x| {
        x.unsigned_abs() < v.unsigned_abs() || (x == -1 && v != -1 && v != 0 && v != 1)
    });
    out.dedup();
    out
}

/// The memory argument of a load or store.
pub fn memarg_of<'o>(op: &'o Operator) -> Option<&'o wasmparser::MemArg> {
    macro_rules! arms {
        ($($name:ident)*) => {
            match op {
                $(Operator::$name { memarg, .. } => Some(memarg),)*
                _ => None,
            }
        };
    }
    arms!(I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U
        I64Load8S I64Load8U I64Load16S I64Load16U I64Load32S I64Load32U
        I32Store I64Store F32Store F64Store I32Store8 I32Store16 I64Store8 I64Store16 I64Store32)
}

fn memarg_of_mut<'o, 'a>(op: &'o mut Operator<'a>) -> Option<&'o mut wasmparser::MemArg> {
    macro_rules! arms {
        ($($name:ident)*) => {
            match op {
                $(Operator::$name { memarg, .. } => Some(memarg),)*
                _ => None,
            }
        };
    }
    arms!(I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U
        I64Load8S I64Load8U I64Load16S I64Load16U I64Load32S I64Load32U
        I32Store I64Store F32Store F64Store I32Store8 I32Store16 I64Store8 I64Store16 I64Store32)
}

/// Integer constants, float constants and memory offsets made smaller, alignments minimal.
fn constants(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for f in 0..ir.code.len() {
            for i in 0..ir.code[f].ops.len() {
                let op = &ir.code[f].ops[i];
                let mut variants: Vec<Operator> = Vec::new();
                match op {
                    Operator::I32Const { value } => {
                        for v in smaller(i64::from(*value)) {
                            variants.push(Operator::I32Const { value: v as i32 });
                        }
                    }
                    Operator::I64Const { value } => {
                        for v in smaller(*value) {
                            variants.push(Operator::I64Const { value: v });
                        }
                    }
                    Operator::F32Const { value } if value.bits() != 0 => {
                        variants.push(Operator::F32Const {
                            value: wasmparser::Ieee32::from(0.0f32),
                        });
                    }
                    Operator::F64Const { value } if value.bits() != 0 => {
                        variants.push(Operator::F64Const {
                            value: wasmparser::Ieee64::from(0.0f64),
                        });
                    }
                    _ => {
                        if let Some(m) = memarg_of(op) {
                            for off in smaller(m.offset as i64) {
                                if off >= 0 {
                                    let mut o = op.clone();
                                    if let Some(mm) = memarg_of_mut(&mut o) {
                                        mm.offset = off as u64;
                                    }
                                    variants.push(o);
                                }
                            }
                            if m.align > 0 {
                                let mut o = op.clone();
                                if let Some(mm) = memarg_of_mut(&mut o) {
                                    mm.align = 0;
                                }
                                variants.push(o);
                            }
                        }
                    }
                }
                for v in variants {
                    let mut new = ir.clone();
                    new.code[f].ops[i] = v;
                    push(out, &new, &c.plan);
                }
            }
        }
        // Offsets of data segments and global initializers.
        for d in 0..ir.datas.len() {
            if let Some((_, offset)) = &ir.datas[d].active
                && let [op] = offset.as_slice()
            {
                for v in const_variants(op) {
                    let mut new = ir.clone();
                    if let Some((_, o)) = &mut new.datas[d].active {
                        *o = vec![v];
                    }
                    push(out, &new, &c.plan);
                }
            }
        }
        for g in 0..ir.globals.len() {
            if let [op] = ir.globals[g].1.as_slice() {
                for v in const_variants(op) {
                    let mut new = ir.clone();
                    new.globals[g].1 = vec![v];
                    push(out, &new, &c.plan);
                }
            }
        }
    })
}

fn const_variants(op: &Operator) -> Vec<Operator<'static>> {
    match op {
        Operator::I32Const { value } => smaller(i64::from(*value))
            .into_iter()
            .map(|v| Operator::I32Const { value: v as i32 })
            .collect(),
        Operator::I64Const { value } => smaller(*value)
            .into_iter()
            .map(|v| Operator::I64Const { value: v })
            .collect(),
        _ => Vec::new(),
    }
}

/// Memory and table limits made smaller, maxima dropped, data segments emptied or halved.
fn limits_and_data(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for m in 0..ir.memories.len() {
            let mem = ir.memories[m];
            let mut variants = Vec::new();
            if mem.maximum.is_some() && !mem.shared {
                variants.push(wasmparser::MemoryType {
                    maximum: None,
                    ..mem
                });
            }
            for v in smaller(mem.initial as i64) {
                if v >= 0 && mem.maximum.is_none_or(|_| true) {
                    variants.push(wasmparser::MemoryType {
                        initial: v as u64,
                        ..mem
                    });
                }
            }
            for v in variants {
                let mut new = ir.clone();
                new.memories[m] = v;
                push(out, &new, &c.plan);
            }
        }
        for t in 0..ir.tables.len() {
            let (ty, _) = ir.tables[t].clone();
            let mut variants = Vec::new();
            if ty.maximum.is_some() {
                variants.push(wasmparser::TableType {
                    maximum: None,
                    ..ty
                });
            }
            for v in smaller(ty.initial as i64) {
                if v >= 0 {
                    variants.push(wasmparser::TableType {
                        initial: v as u64,
                        ..ty
                    });
                }
            }
            for v in variants {
                let mut new = ir.clone();
                new.tables[t].0 = v;
                push(out, &new, &c.plan);
            }
        }
        for d in 0..ir.datas.len() {
            let n = ir.datas[d].bytes.len();
            for keep in [0, n / 2] {
                if keep < n {
                    let mut new = ir.clone();
                    new.datas[d].bytes.truncate(keep);
                    push(out, &new, &c.plan);
                }
            }
            if n > 1 {
                let mut new = ir.clone();
                new.datas[d].bytes.drain(..n / 2);
                push(out, &new, &c.plan);
            }
        }
    })
}

/// The plan's arguments made smaller.
fn arguments(c: &Candidate) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (k, call) in c.plan.calls.iter().enumerate() {
        for (a, arg) in call.args.iter().enumerate() {
            let variants: Vec<Val> = match *arg {
                Val::I32(v) => smaller(i64::from(v))
                    .into_iter()
                    .map(|x| Val::I32(x as i32))
                    .collect(),
                Val::I64(v) => smaller(v).into_iter().map(Val::I64).collect(),
                Val::F32(b) if b != 0 => vec![Val::F32(0)],
                Val::F64(b) if b != 0 => vec![Val::F64(0)],
                _ => Vec::new(),
            };
            for v in variants {
                let mut plan = c.plan.clone();
                plan.calls[k].args[a] = v;
                out.push(Candidate {
                    wasm: c.wasm.clone(),
                    plan,
                });
            }
        }
    }
    out
}

/// The plan's functions exported as `f`, `g`, `h`, ... (the plan follows).
fn rename_exports(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let mut names: Vec<String> = Vec::new();
        for call in &c.plan.calls {
            if !names.contains(&call.func) {
                names.push(call.func.clone());
            }
        }
        let short = |i: usize| -> String {
            let letters = "fghkmnpqrstuvwxyz";
            letters
                .chars()
                .nth(i)
                .map_or(format!("f{i}"), |ch| ch.to_string())
        };
        if names.iter().enumerate().all(|(i, n)| *n == short(i)) {
            return;
        }
        let mut new = ir.clone();
        // Names not used by the plan keep theirs unless they collide.
        for e in &mut new.exports {
            if let Some(i) = names.iter().position(|n| *n == e.name) {
                e.name = short(i);
            } else if (0..names.len()).any(|i| short(i) == e.name) {
                e.name = format!("_{}", e.name);
            }
        }
        let plan = oracles::differential::Plan {
            calls: c
                .plan
                .calls
                .iter()
                .map(|call| Call {
                    func: short(names.iter().position(|n| *n == call.func).unwrap_or(0)),
                    args: call.args.clone(),
                })
                .collect(),
        };
        if let Some(wasm) = new.encode() {
            out.push(Candidate { wasm, plan });
        }
    })
}
