//! Memory kernels for the memory64 scenario: small exported functions that take addresses,
//! lengths and grow deltas as arguments, each with a fixed static offset, so that the plan can
//! aim `addr + offset` at the bound, at 2^32 and at the 2^64 overflow edge, and interleave
//! grows that move the bound.

use super::body::FuncBuilder;
use super::config::ScenarioConfig;
use super::{FuncDecl, Layout, Sig, Ty, Types};
use crate::generate::addresses::{self, PAGE};
use crate::generate::choices::Choices;
use oracles::Val;
use std::collections::BTreeMap;
use wasm_encoder::{BlockType, Instruction as I, MemArg, MemArgTarget};

/// What a kernel does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `(addr: i64) -> T`: one load.
    Load,
    /// `(addr: i64, v: T)`: one store.
    Store,
    /// `(addr: i64, v: i64, sel: i32)`: a store, then a throw (selector bit 0) or a trap
    /// (bit 1), so the state after an exception or trap is compared.
    StoreThenThrow,
    /// `(dst: i64, v: i32, len: i64)`: `memory.fill`.
    Fill,
    /// `(dst: i64, src: i64, len: i64)`: `memory.copy`, possibly between two memories.
    Copy,
    /// `(dst: i64, src: i32, len: i32)`: `memory.init` from a passive segment.
    Init,
    /// `(delta: i64) -> i64`: `memory.grow` of at most 16 pages; larger deltas are turned
    /// into deltas of 2^48 pages or more, which fail on every engine, so memories stay small.
    Grow,
    /// `() -> i64`: `memory.size`.
    Size,
}

/// One kernel.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// What it does.
    pub kind: Kind,
    /// The memory it accesses (the destination for a copy).
    pub mem: u32,
    /// The source memory of a copy.
    pub src: u32,
    /// The value type of a load or store.
    pub ty: Ty,
    /// Access width in bytes.
    pub width: u64,
    /// Static offset of a load or store.
    pub offset: u64,
    /// The load or store instruction.
    pub op: Option<fn(MemArg) -> I<'static>>,
    /// Values worth passing, per parameter.
    pub hints: Vec<Vec<Val>>,
    /// How often each parameter takes a hint (percent).
    pub hint_percent: Vec<u32>,
}

/// Adds `cfg.kernels` kernels (needs a memory) to the layout's functions; returns them by
/// function index.
pub fn plan_kernels(
    c: &mut Choices,
    cfg: &ScenarioConfig,
    types: &mut Types,
    l: &mut Layout,
) -> BTreeMap<u32, Kernel> {
    let mut out = BTreeMap::new();
    if l.mems.is_empty() {
        return out;
    }
    let mut kinds = vec![Kind::Grow, Kind::Load, Kind::Store];
    for _ in 3..cfg.kernels {
        kinds.push(*c.pick(&[
            Kind::Load,
            Kind::Store,
            Kind::StoreThenThrow,
            Kind::StoreThenThrow,
            Kind::Fill,
            Kind::Copy,
            Kind::Init,
            Kind::Size,
        ]));
    }
    kinds.truncate(cfg.kernels as usize);
    for (i, kind) in kinds.into_iter().enumerate() {
        let mem = c.below(l.mems.len() as u64) as u32;
        let src = c.below(l.mems.len() as u64) as u32;
        let kind = if kind == Kind::Init && l.passive_data.is_empty() {
            Kind::Fill
        } else {
            kind
        };
        let ty = *c.pick(&[Ty::I32, Ty::I64, Ty::F32, Ty::F64]);
        let (width, op) = match kind {
            Kind::Load => load(c, ty),
            Kind::Store => store(c, ty),
            Kind::StoreThenThrow => store(c, Ty::I64),
            _ => (1, None),
        };
        let m = l.mems[mem as usize];
        let offset = match c.below(3) {
            0 => 0,
            1 => c.range(1, 64),
            _ => addresses::interesting(c, m.min_bytes(), m.mem64, width),
        };
        let (params, results) = match kind {
            Kind::Load => (vec![Ty::I64], vec![ty]),
            Kind::Store => (vec![Ty::I64, ty], vec![]),
            Kind::StoreThenThrow => (vec![Ty::I64, Ty::I64, Ty::I32], vec![]),
            Kind::Fill => (vec![Ty::I64, Ty::I32, Ty::I64], vec![]),
            Kind::Copy => (vec![Ty::I64, Ty::I64, Ty::I64], vec![]),
            Kind::Init => (vec![Ty::I64, Ty::I32, Ty::I32], vec![]),
            Kind::Grow => (vec![Ty::I64], vec![Ty::I64]),
            Kind::Size => (vec![], vec![Ty::I64]),
        };
        let mut kernel = Kernel {
            kind,
            mem,
            src,
            ty,
            width,
            offset,
            op,
            hints: Vec::new(),
            hint_percent: Vec::new(),
        };
        kernel.hints = hints(c, l, &kernel, &params);
        // Lengths take hints nearly always (a boundary-valued length such as 2^63 exhausts
        // wasmtime's fuel, see `FuncBuilder::len`); addresses and deltas mostly.
        kernel.hint_percent = match kind {
            Kind::Fill | Kind::Copy => vec![60, 50, 95],
            Kind::Init => vec![60, 80, 95],
            _ => vec![60; params.len()],
        };
        let type_index = types.intern(&params, &results);
        l.sigs.push(Sig {
            params,
            results,
            type_index,
        });
        let index = l.funcs.len() as u32;
        let name = format!("{}{i}", format!("{kind:?}").to_lowercase());
        l.funcs.push(FuncDecl {
            sig: l.sigs.len() - 1,
            name,
            callable: false,
        });
        out.insert(index, kernel);
    }
    out
}

/// The bounds a memory may have during a case: its initial size and a few grown sizes.
fn bounds(l: &Layout, m: u32) -> Vec<u64> {
    let mem = l.mems[m as usize];
    (0..=3).map(|g| (mem.min + g) * PAGE).collect()
}

/// Addresses for an access of `width` bytes at static offset `offset` to memory `m`: the
/// effective address lands within 16 bytes of a bound, of 2^32, or wraps past 2^64.
fn addrs(c: &mut Choices, l: &Layout, m: u32, width: u64, offset: u64) -> Vec<Val> {
    let mut out = Vec::new();
    for b in bounds(l, m) {
        out.push(addresses::near(c, b, width));
    }
    out.push(addresses::near(c, 1 << 32, width));
    out.push(addresses::near(c, 0, width));
    out.into_iter()
        .map(|e| Val::I64(e.wrapping_sub(offset) as i64))
        .collect()
}

fn hints(c: &mut Choices, l: &Layout, k: &Kernel, params: &[Ty]) -> Vec<Vec<Val>> {
    let mem = l.mems[k.mem as usize];
    let lens = |c: &mut Choices| -> Vec<Val> {
        let mut v: Vec<Val> = [0u64, 1, 16, PAGE]
            .iter()
            .map(|&n| Val::I64(n as i64))
            .collect();
        v.push(Val::I64(addresses::near(c, mem.min_bytes(), 0) as i64));
        v
    };
    match k.kind {
        Kind::Load | Kind::Store | Kind::StoreThenThrow => {
            let mut h = vec![addrs(c, l, k.mem, k.width, k.offset)];
            h.resize(params.len(), Vec::new());
            h
        }
        Kind::Fill => vec![addrs(c, l, k.mem, 1, 0), vec![], lens(c)],
        Kind::Copy => vec![addrs(c, l, k.mem, 1, 0), addrs(c, l, k.src, 1, 0), lens(c)],
        Kind::Init => {
            let size = l.passive_data.first().map_or(0, |d| d.len() as i32);
            vec![
                addrs(c, l, k.mem, 1, 0),
                vec![Val::I32(0), Val::I32(size), Val::I32(size + 1)],
                vec![Val::I32(0), Val::I32(1), Val::I32(size)],
            ]
        }
        Kind::Grow => {
            let mut deltas = vec![0, 1, 2, 16, 17, 1 << 48, u64::MAX];
            if let Some(max) = mem.max {
                deltas.push(max.saturating_sub(mem.min));
                deltas.push(max.saturating_sub(mem.min) + 1);
            }
            vec![deltas.into_iter().map(|d| Val::I64(d as i64)).collect()]
        }
        Kind::Size => vec![],
    }
}

/// Pushes parameter `p` (an `i64`) as an address or length of a memory with index type
/// `mem64`.
fn arg(b: &mut FuncBuilder, p: u32, mem64: bool) {
    b.emit(I::LocalGet(p));
    if !mem64 {
        b.emit(I::I32WrapI64);
    }
}

/// Emits a kernel's body (see [`Kind`]).
pub fn kernel_body(c: &mut Choices, b: &mut FuncBuilder, k: &Kernel, l: &Layout) {
    let mem = l.mems[k.mem as usize];
    let memarg = MemArg {
        offset: k.offset,
        align: c.range32(0, k.width.trailing_zeros()),
        target: MemArgTarget::Memory(k.mem),
        ordering: None,
    };
    match k.kind {
        Kind::Load => {
            arg(b, 0, mem.mem64);
            if let Some(op) = k.op {
                b.emit(op(memarg));
            }
        }
        Kind::Store | Kind::StoreThenThrow => {
            arg(b, 0, mem.mem64);
            b.emit(I::LocalGet(1));
            if let Some(op) = k.op {
                b.emit(op(memarg));
            }
            if k.kind == Kind::StoreThenThrow {
                b.emit(I::LocalGet(2));
                b.emit(I::I32Const(2));
                b.emit(I::I32And);
                b.emit(I::If(BlockType::Empty));
                b.emit(I::Unreachable);
                b.emit(I::End);
                if !l.tags.is_empty() {
                    b.stmt_throw(c);
                }
            }
        }
        Kind::Fill => {
            arg(b, 0, mem.mem64);
            b.emit(I::LocalGet(1));
            arg(b, 2, mem.mem64);
            b.emit(I::MemoryFill(k.mem));
        }
        Kind::Copy => {
            let src = l.mems[k.src as usize];
            arg(b, 0, mem.mem64);
            arg(b, 1, src.mem64);
            arg(b, 2, mem.mem64 && src.mem64);
            b.emit(I::MemoryCopy {
                src_mem: k.src,
                dst_mem: k.mem,
            });
        }
        Kind::Init => {
            arg(b, 0, mem.mem64);
            b.emit(I::LocalGet(1));
            b.emit(I::LocalGet(2));
            b.emit(I::MemoryInit {
                mem: k.mem,
                data_index: l.passive_base(),
            });
        }
        Kind::Grow => {
            let ty = if mem.mem64 {
                wasm_encoder::ValType::I64
            } else {
                wasm_encoder::ValType::I32
            };
            b.emit(I::LocalGet(0));
            b.emit(I::I64Const(16));
            b.emit(I::I64LeU);
            b.emit(I::If(BlockType::Result(ty)));
            arg(b, 0, mem.mem64);
            b.emit(I::Else);
            if mem.mem64 {
                b.emit(I::LocalGet(0));
                b.emit(I::I64Const(1 << 48));
                b.emit(I::I64Or);
            } else {
                b.emit(I::I32Const(-1));
            }
            b.emit(I::End);
            b.emit(I::MemoryGrow(k.mem));
            if !mem.mem64 {
                b.emit(I::I64ExtendI32S);
            }
        }
        Kind::Size => {
            b.emit(I::MemorySize(k.mem));
            if !mem.mem64 {
                b.emit(I::I64ExtendI32U);
            }
        }
    }
    b.emit(I::End);
}

type Op = Option<fn(MemArg) -> I<'static>>;

fn load(c: &mut Choices, ty: Ty) -> (u64, Op) {
    let (w, op): (u64, fn(MemArg) -> I<'static>) = match ty {
        Ty::I32 => *c.pick(&[
            (4, I::I32Load as fn(MemArg) -> I<'static>),
            (1, I::I32Load8U),
            (2, I::I32Load16S),
        ]),
        Ty::I64 => *c.pick(&[
            (8, I::I64Load as fn(MemArg) -> I<'static>),
            (4, I::I64Load32U),
            (1, I::I64Load8S),
        ]),
        Ty::F32 => (4, I::F32Load),
        _ => (8, I::F64Load),
    };
    (w, Some(op))
}

fn store(c: &mut Choices, ty: Ty) -> (u64, Op) {
    let (w, op): (u64, fn(MemArg) -> I<'static>) = match ty {
        Ty::I32 => *c.pick(&[
            (4, I::I32Store as fn(MemArg) -> I<'static>),
            (1, I::I32Store8),
            (2, I::I32Store16),
        ]),
        Ty::I64 => *c.pick(&[
            (8, I::I64Store as fn(MemArg) -> I<'static>),
            (4, I::I64Store32),
            (2, I::I64Store16),
        ]),
        Ty::F32 => (4, I::F32Store),
        _ => (8, I::F64Store),
    };
    (w, Some(op))
}
