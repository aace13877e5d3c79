//! Trap-state mutants: what a trap leaves behind — bytes of a store written before it faults, a global update lost to a trap after it, bulk copies and table fills done in part.

use super::Category::TrapState;
use super::Mutant;
use super::body::{Body, Skip, access, pure_arity};
use crate::engine::EngineKind::{Cranelift, Pulley, Wasmi};
use wasm_encoder::{BlockType, Instruction as I};
use wasmparser::{Operator as O, ValType};

fn page_shift(b: &Body, memory: u32) -> i64 {
    b.shape
        .memories
        .get(memory as usize)
        .and_then(|m| m.page_size_log2)
        .map_or(16, i64::from)
}

/// Emits the size in bytes of memory `memory` as an `i64`, whatever its index type.
fn size_bytes64(b: &mut Body, memory: u32) {
    let shift = page_shift(b, memory);
    b.emit(I::MemorySize(memory));
    if !b.shape.memory64(memory) {
        b.emit(I::I64ExtendI32U);
    }
    b.emit_all([I::I64Const(shift), I::I64Shl]);
}

/// `cl-store-partial`: a store straddling the end of memory writing its in-bounds bytes
/// before it traps.
pub const STORE_PARTIAL: Mutant = mutant! {
    name: "cl-store-partial",
    category: TrapState,
    host: Cranelift,
    rule: "spec store: if ea + N > |mem| trap, with nothing written; wasmtime relies on one faulting instruction, so a store split into narrower stores must not run before the check",
    trigger: "a store of 2, 4 or 8 bytes that starts inside memory and ends past its end",
    rewrite: store_partial,
};

/// A multi-byte store straddling the end of memory first writes the bytes that fit (as if
/// split into byte stores), then traps.
fn store_partial(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let Some(a) = access(&b.ops[i]) else {
            return Ok(0);
        };
        let Some(t) = a.store else { return Ok(0) };
        if a.bytes < 2 {
            return Ok(0);
        }
        let m = a.memory;
        let mem64 = b.shape.memory64(m);
        let offset = a.memarg.offset as i64;
        let v = b.local(t);
        let addr = b.local(if mem64 { ValType::I64 } else { ValType::I32 });
        let e = b.local(ValType::I64);
        let sz = b.local(ValType::I64);
        b.emit_all([I::LocalSet(v), I::LocalSet(addr), I::LocalGet(addr)]);
        if !mem64 {
            b.emit(I::I64ExtendI32U);
        }
        b.emit_all([I::I64Const(offset), I::I64Add, I::LocalSet(e)]);
        size_bytes64(b, m);
        b.emit_all([
            I::LocalSet(sz),
            // e < size && e + N > size && no wrap (e >= offset)
            I::LocalGet(e),
            I::LocalGet(sz),
            I::I64LtU,
            I::LocalGet(e),
            I::I64Const(a.bytes as i64),
            I::I64Add,
            I::LocalGet(sz),
            I::I64GtU,
            I::I32And,
            I::LocalGet(e),
            I::I64Const(offset),
            I::I64GeU,
            I::I32And,
            I::If(BlockType::Empty),
        ]);
        let wide = matches!(t, ValType::I64 | ValType::F64);
        for k in 0..a.bytes as i64 - 1 {
            b.emit_all([
                I::LocalGet(e),
                I::I64Const(k),
                I::I64Add,
                I::LocalGet(sz),
                I::I64LtU,
                I::If(BlockType::Empty),
                I::LocalGet(e),
                I::I64Const(k),
                I::I64Add,
            ]);
            if !mem64 {
                b.emit(I::I32WrapI64);
            }
            b.emit(I::LocalGet(v));
            match t {
                ValType::F32 => b.emit(I::I32ReinterpretF32),
                ValType::F64 => b.emit(I::I64ReinterpretF64),
                _ => {}
            }
            let byte = super::body::byte_memarg(m);
            if wide {
                b.emit_all([I::I64Const(8 * k), I::I64ShrU, I::I64Store8(byte)]);
            } else {
                b.emit_all([I::I32Const(8 * k as i32), I::I32ShrU, I::I32Store8(byte)]);
            }
            b.emit(I::End);
        }
        b.emit_all([I::End, I::LocalGet(addr), I::LocalGet(v)]);
        b.pass(i)?;
        Ok(1)
    })
}

/// `cl-global-set-trap`: a `global.set` lost when an integer division right after it traps.
pub const GLOBAL_SUNK: Mutant = mutant! {
    name: "cl-global-set-trap",
    category: TrapState,
    host: Cranelift,
    rule: "cranelift opts/skeleton.isle: side-effecting instructions (stores to globals, trapping udiv/sdiv) form the skeleton and keep their program order",
    trigger: "global.set followed in the same straight-line code by an integer div/rem that traps on a zero divisor",
    rewrite: global_sunk,
};

fn is_div(op: &O) -> Option<ValType> {
    match op {
        O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU => Some(ValType::I32),
        O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => Some(ValType::I64),
        _ => None,
    }
}

/// A `global.set g` followed in straight-line code (no control flow, call, or other access
/// to `g`) by an integer division: when the division traps on a zero divisor, `g` keeps its
/// old value, as if the store had been sunk below the trapping instruction.
fn global_sunk(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::GlobalSet { global_index: g } = b.ops[i] else {
            return Ok(0);
        };
        let Some(&gt) = b.shape.globals.get(g as usize) else {
            return Ok(0);
        };
        if !super::body::numeric(gt) {
            return Ok(0);
        }
        let mut j = i + 1;
        let int = loop {
            let Some(op) = b.ops.get(j) else {
                return Ok(0);
            };
            if let Some(t) = is_div(op) {
                break t;
            }
            let touches_g = matches!(op, O::GlobalGet { global_index } | O::GlobalSet { global_index } if *global_index == g);
            let straight = pure_arity(op).is_some()
                || access(op).is_some()
                || matches!(
                    op,
                    O::LocalSet { .. } | O::LocalTee { .. } | O::Drop | O::GlobalSet { .. }
                );
            if touches_g || !straight {
                return Ok(0);
            }
            j += 1;
        };
        let old = b.local(gt);
        b.emit_all([I::GlobalGet(g), I::LocalSet(old)]);
        for k in i..j {
            b.pass(k)?;
        }
        let rhs = b.local(int);
        let lhs = b.local(int);
        b.emit_all([I::LocalSet(rhs), I::LocalSet(lhs), I::LocalGet(rhs)]);
        b.emit(if int == ValType::I32 {
            I::I32Eqz
        } else {
            I::I64Eqz
        });
        b.emit_all([
            I::If(BlockType::Empty),
            I::LocalGet(old),
            I::GlobalSet(g),
            I::End,
            I::LocalGet(lhs),
            I::LocalGet(rhs),
        ]);
        b.pass(j)?;
        Ok(j - i + 1)
    })
}

/// `wasmi-copy-partial`: `memory.copy` copying what fits before it traps.
pub const WASMI_COPY_PARTIAL: Mutant = mutant! {
    name: "wasmi-copy-partial",
    category: TrapState,
    host: Wasmi,
    rule: "spec memory.copy: if s + n > |mem| or d + n > |mem| then trap, before copying anything (bulk-memory semantics)",
    trigger: "memory.copy within one 32-bit memory with both ranges starting inside it and one running past its end",
    rewrite: copy_partial,
};

/// `memory.copy d s n` within one 32-bit memory, with `d` and `s` inside it and one range
/// running past the end, first copies the `min(end - d, end - s)` bytes that fit, then traps.
fn copy_partial(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::MemoryCopy { dst_mem, src_mem } = b.ops[i] else {
            return Ok(0);
        };
        if dst_mem != src_mem || b.shape.memory64(dst_mem) {
            return Ok(0);
        }
        let m = dst_mem;
        let n = b.local(ValType::I32);
        let s = b.local(ValType::I32);
        let d = b.local(ValType::I32);
        let sz = b.local(ValType::I64);
        let kd = b.local(ValType::I64);
        let ks = b.local(ValType::I64);
        b.emit_all([I::LocalSet(n), I::LocalSet(s), I::LocalSet(d)]);
        size_bytes64(b, m);
        b.emit_all([
            I::LocalSet(sz),
            // kd = sz - d, ks = sz - s (as i64, so never wrapping for d, s inside)
            I::LocalGet(sz),
            I::LocalGet(d),
            I::I64ExtendI32U,
            I::I64Sub,
            I::LocalSet(kd),
            I::LocalGet(sz),
            I::LocalGet(s),
            I::I64ExtendI32U,
            I::I64Sub,
            I::LocalSet(ks),
            // d < sz && s < sz && (n > kd || n > ks)
            I::LocalGet(d),
            I::I64ExtendI32U,
            I::LocalGet(sz),
            I::I64LtU,
            I::LocalGet(s),
            I::I64ExtendI32U,
            I::LocalGet(sz),
            I::I64LtU,
            I::I32And,
            I::LocalGet(n),
            I::I64ExtendI32U,
            I::LocalGet(kd),
            I::I64GtU,
            I::LocalGet(n),
            I::I64ExtendI32U,
            I::LocalGet(ks),
            I::I64GtU,
            I::I32Or,
            I::I32And,
            I::If(BlockType::Empty),
            I::LocalGet(d),
            I::LocalGet(s),
            I::LocalGet(kd),
            I::LocalGet(ks),
            I::LocalGet(kd),
            I::LocalGet(ks),
            I::I64LtU,
            I::Select,
            I::I32WrapI64,
            I::MemoryCopy {
                src_mem: m,
                dst_mem: m,
            },
            I::End,
            I::LocalGet(d),
            I::LocalGet(s),
            I::LocalGet(n),
        ]);
        b.pass(i)?;
        Ok(1)
    })
}

/// `pulley-table-fill-partial`: `table.fill` filling up to the end before it traps.
pub const PULLEY_TABLE_FILL: Mutant = mutant! {
    name: "pulley-table-fill-partial",
    category: TrapState,
    host: Pulley,
    rule: "spec table.fill: if i + n > table.size then trap, before writing any element",
    trigger: "table.fill of a table with nullable elements, starting inside it and running past its end",
    rewrite: table_fill,
};

/// `table.fill i r n` with `i` inside the table and `i + n` past its end fills `[i, end)`,
/// then traps.
fn table_fill(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::TableFill { table } = b.ops[i] else {
            return Ok(0);
        };
        let Some(tt) = b.shape.tables.get(table as usize).copied() else {
            return Ok(0);
        };
        if !tt.element_type.is_nullable() {
            return Ok(0);
        }
        let (ix, lt, gt, sub, and) = if tt.table64 {
            (ValType::I64, I::I64LtU, I::I64GtU, I::I64Sub, I::I32And)
        } else {
            (ValType::I32, I::I32LtU, I::I32GtU, I::I32Sub, I::I32And)
        };
        let n = b.local(ix);
        let r = b.local(ValType::Ref(tt.element_type));
        let at = b.local(ix);
        b.emit_all([
            I::LocalSet(n),
            I::LocalSet(r),
            I::LocalSet(at),
            I::LocalGet(at),
            I::TableSize(table),
            lt,
            I::LocalGet(n),
            I::TableSize(table),
            I::LocalGet(at),
            sub.clone(),
            gt,
            and,
            I::If(BlockType::Empty),
            I::LocalGet(at),
            I::LocalGet(r),
            I::TableSize(table),
            I::LocalGet(at),
            sub,
            I::TableFill(table),
            I::End,
            I::LocalGet(at),
            I::LocalGet(r),
            I::LocalGet(n),
        ]);
        b.pass(i)?;
        Ok(1)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;
    use crate::value::Val;

    #[test]
    fn cl_store_partial() {
        let m = r#"(module (memory 1)
            (func (export "f") (param i32) (i64.store (local.get 0) (i64.const 0x0102030405060708))))"#;
        check(
            "cl-store-partial",
            (m, &[("f", vec![Val::I32(65536 - 3)])]),
            (
                m,
                &[
                    ("f", vec![Val::I32(65536 - 8)]),
                    ("f", vec![Val::I32(65536)]),
                ],
            ),
        );
    }

    #[test]
    fn cl_global_set_trap() {
        let m = |div: &str| {
            format!(
                r#"(module (global (export "g") (mut i32) (i32.const 1))
                 (func (export "f") (param i32) (result i32)
                   (global.set 0 (i32.const 5))
                   ({div} (i32.const 10) (local.get 0))))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(0)])];
        // The near miss: the same shape with an operator that cannot trap.
        check(
            "cl-global-set-trap",
            (&m("i32.div_u"), calls),
            (&m("i32.shr_u"), calls),
        );
    }

    #[test]
    fn wasmi_copy_partial() {
        let m = r#"(module (memory 1) (data (i32.const 0) "abcdefgh")
            (func (export "f") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))"#;
        check(
            "wasmi-copy-partial",
            (m, &[("f", vec![Val::I32(65532), Val::I32(0), Val::I32(8)])]),
            (
                m,
                &[
                    ("f", vec![Val::I32(65528), Val::I32(0), Val::I32(8)]),
                    ("f", vec![Val::I32(65536), Val::I32(0), Val::I32(8)]),
                ],
            ),
        );
    }

    #[test]
    fn pulley_table_fill_partial() {
        let m = r#"(module (table 4 funcref) (func $f) (elem declare func $f)
            (func (export "f") (param i32 i32) (table.fill (local.get 0) (ref.func $f) (local.get 1))))"#;
        check(
            "pulley-table-fill-partial",
            (m, &[("f", vec![Val::I32(2), Val::I32(5)])]),
            (
                m,
                &[
                    ("f", vec![Val::I32(2), Val::I32(2)]),
                    ("f", vec![Val::I32(4), Val::I32(1)]),
                ],
            ),
        );
    }
}
