//! memory64 mutants: bounds checks of 64-bit memories wrong at the last byte, for offsets that overflow, for indices above 4 GiB, for bulk operations and for `memory.grow` results.

use super::Category::Memory64;
use super::Mutant;
use super::body::{Access, Body, Skip, access, with_memarg};
use crate::engine::EngineKind::{Cranelift, Wasmi};
use wasm_encoder::Instruction as I;
use wasmparser::{Operator as O, ValType};

/// log2 of a memory's page size.
fn page_shift(b: &Body, memory: u32) -> i64 {
    b.shape
        .memories
        .get(memory as usize)
        .and_then(|m| m.page_size_log2)
        .map_or(16, i64::from)
}

/// Emits the size in bytes of 64-bit memory `memory` (an `i64`).
fn size_bytes(b: &mut Body, memory: u32) {
    let shift = page_shift(b, memory);
    b.emit_all([I::MemorySize(memory), I::I64Const(shift), I::I64Shl]);
}

/// An instruction that traps with "out of bounds memory access" on 64-bit memory `memory`:
/// a load at the highest address, which no memory reaches.
fn oob_trap(memory: u32) -> [I<'static>; 3] {
    [
        I::I64Const(-1),
        I::I64Load8U(super::body::byte_memarg(memory)),
        I::Drop,
    ]
}

/// The access at `i` if it is on a 64-bit memory.
fn access64(b: &Body, i: usize) -> Option<Access> {
    access(&b.ops[i]).filter(|a| b.shape.memory64(a.memory))
}

/// For a store, moves the stored value off the stack into a fresh local (returned), leaving
/// the address on top.
fn stash_value(b: &mut Body, a: &Access) -> Option<u32> {
    let t = a.store?;
    let v = b.local(t);
    b.emit(I::LocalSet(v));
    Some(v)
}

/// `cl-m64-last-byte`: a memory64 bounds check off by one at the last byte.
pub const LAST_BYTE: Mutant = mutant! {
    name: "cl-m64-last-byte",
    category: Memory64,
    host: Cranelift,
    rule: "wasmtime bounds_checks.rs: an access is in bounds iff index + offset + access_size <= bound (spec: ea + N <= |mem|)",
    trigger: "a load or store on a 64-bit memory whose last byte is the memory's last byte",
    rewrite: last_byte,
};

/// A memory64 access ending exactly at the end of memory traps, as if the check were
/// `index + offset + size < bound`.
fn last_byte(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let Some(a) = access64(b, i) else {
            return Ok(0);
        };
        let Some(end) = a.memarg.offset.checked_add(a.bytes) else {
            return Ok(0);
        };
        let m = a.memory;
        let v = stash_value(b, &a);
        let addr = b.local(ValType::I64);
        b.emit_all([
            I::LocalTee(addr),
            I::LocalGet(addr),
            I::I64Const(end as i64),
            I::I64Add,
        ]);
        size_bytes(b, m);
        b.emit_all([I::I64Eq, I::If(wasm_encoder::BlockType::Empty)]);
        b.emit_all(oob_trap(m));
        b.emit(I::End);
        if let Some(v) = v {
            b.emit(I::LocalGet(v));
        }
        b.pass(i)?;
        Ok(1)
    })
}

/// `cl-m64-offset-wrap`: `index + offset` on a 64-bit memory wrapping instead of trapping.
pub const OFFSET_WRAP: Mutant = mutant! {
    name: "cl-m64-offset-wrap",
    category: Memory64,
    host: Cranelift,
    rule: "wasmtime bounds_checks.rs: index + offset is computed with an overflow check (uadd_overflow_trap) on 64-bit memories; spec: ea = i + o must not wrap",
    trigger: "a load or store on a 64-bit memory with a non-zero offset whose index + offset exceeds 2^64 - 1",
    rewrite: offset_wrap,
};

/// The static offset of a memory64 access added to the index with a wrapping add: an
/// overflowing effective address wraps around to the bottom of memory.
fn offset_wrap(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let Some(a) = access64(b, i) else {
            return Ok(0);
        };
        if a.memarg.offset == 0 {
            return Ok(0);
        }
        let v = stash_value(b, &a);
        b.emit_all([I::I64Const(a.memarg.offset as i64), I::I64Add]);
        if let Some(v) = v {
            b.emit(I::LocalGet(v));
        }
        let mut memarg = a.memarg;
        memarg.offset = 0;
        let op = with_memarg(&b.ops[i], memarg);
        b.pass_op(op)?;
        Ok(1)
    })
}

/// `cl-m64-index-low32`: the offset-zero bounds check of a 64-bit memory comparing only the
/// low 32 bits of the index.
pub const LOW32_BOUND: Mutant = mutant! {
    name: "cl-m64-index-low32",
    category: Memory64,
    host: Cranelift,
    rule: "wasmtime bounds_checks.rs: for memory64 the index is 64 bits wide (no uextend from i32 as for memory32); spec: ea = i + o over 64 bits",
    trigger: "a load or store with offset 0 on a 64-bit memory at an index of 4 GiB or more",
    rewrite: low32,
};

/// A memory64 access with offset 0 at an index of 4 GiB or more accesses the index modulo
/// 4 GiB, as if the index were a 32-bit memory's.
fn low32(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let Some(a) = access64(b, i) else {
            return Ok(0);
        };
        if a.memarg.offset != 0 {
            return Ok(0);
        }
        let v = stash_value(b, &a);
        b.emit_all([I::I64Const(0xFFFF_FFFF), I::I64And]);
        if let Some(v) = v {
            b.emit(I::LocalGet(v));
        }
        b.pass(i)?;
        Ok(1)
    })
}

/// `cl-m64-fill-partial`: `memory.fill` on a 64-bit memory writing up to the bound before
/// trapping.
pub const FILL_PARTIAL: Mutant = mutant! {
    name: "cl-m64-fill-partial",
    category: Memory64,
    host: Cranelift,
    rule: "spec memory.fill: if d + n > |mem| then trap, before writing anything (bulk-memory semantics)",
    trigger: "memory.fill on a 64-bit memory starting inside it and running past its end",
    rewrite: fill_partial,
};

/// `memory.fill d v n` on a 64-bit memory with `d` inside and `d + n` past the end writes
/// `[d, end)` and then traps (the pre-bulk-memory, byte-by-byte behaviour).
fn fill_partial(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::MemoryFill { mem } = b.ops[i] else {
            return Ok(0);
        };
        if !b.shape.memory64(mem) {
            return Ok(0);
        }
        let n = b.local(ValType::I64);
        let v = b.local(ValType::I32);
        let d = b.local(ValType::I64);
        b.emit_all([
            I::LocalSet(n),
            I::LocalSet(v),
            I::LocalSet(d),
            I::LocalGet(d),
        ]);
        size_bytes(b, mem);
        b.emit_all([I::I64LtU, I::LocalGet(n)]);
        size_bytes(b, mem);
        b.emit_all([I::LocalGet(d), I::I64Sub, I::I64GtU, I::I32And]);
        b.emit_all([
            I::If(wasm_encoder::BlockType::Empty),
            I::LocalGet(d),
            I::LocalGet(v),
        ]);
        size_bytes(b, mem);
        b.emit_all([
            I::LocalGet(d),
            I::I64Sub,
            I::MemoryFill(mem),
            I::End,
            I::LocalGet(d),
            I::LocalGet(v),
            I::LocalGet(n),
        ]);
        b.pass(i)?;
        Ok(1)
    })
}

/// `cl-m64-grow-fail-u32`: a failed `memory.grow` of a 64-bit memory returning the 32-bit -1.
pub const GROW_FAIL_U32: Mutant = mutant! {
    name: "cl-m64-grow-fail-u32",
    category: Memory64,
    host: Cranelift,
    rule: "spec memory.grow: failure returns -1 of the memory's index type (2^64 - 1 for memory64); wasmtime's grow libcall result is narrowed per index type",
    trigger: "memory.grow on a 64-bit memory that fails",
    rewrite: grow_fail,
};

/// A failed memory64 `memory.grow` returns `0xFFFF_FFFF` (the 32-bit -1 zero-extended)
/// instead of -1.
fn grow_fail(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::MemoryGrow { mem } = b.ops[i] else {
            return Ok(0);
        };
        if !b.shape.memory64(mem) {
            return Ok(0);
        }
        b.pass(i)?;
        let r = b.local(ValType::I64);
        b.emit_all([
            I::LocalTee(r),
            I::I64Const(0xFFFF_FFFF),
            I::LocalGet(r),
            I::I64Const(-1),
            I::I64Ne,
            I::Select,
        ]);
        Ok(1)
    })
}

/// `wasmi-m64-offset16`: wasmi's 16-bit offset form of memory-0 loads, sign-extending the
/// offset.
pub const WASMI_OFFSET16: Mutant = mutant! {
    name: "wasmi-m64-offset16",
    category: Memory64,
    host: Wasmi,
    rule: "wasmi translator select_load_op_vt: Offset16::new(offset) (u16::try_from) selects the *Mem0Offset16 load forms for the default memory",
    trigger: "a load from memory 0, a 64-bit memory, with a static offset in 0x8000..=0xFFFF",
    rewrite: offset16,
};

/// A memory-0 memory64 load with an offset in `0x8000..=0xFFFF` uses `offset - 0x10000`: the
/// 16-bit offset read as signed.
fn offset16(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let Some(a) = access64(b, i) else {
            return Ok(0);
        };
        if a.store.is_some() || a.memory != 0 || !(0x8000..=0xFFFF).contains(&a.memarg.offset) {
            return Ok(0);
        }
        b.emit_all([I::I64Const(a.memarg.offset as i64 - 0x1_0000), I::I64Add]);
        let mut memarg = a.memarg;
        memarg.offset = 0;
        let op = with_memarg(&b.ops[i], memarg);
        b.pass_op(op)?;
        Ok(1)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;
    use crate::value::Val;

    const LOAD: &str = r#"(module (memory i64 1)
        (func (export "f") (param i64) (result i32) (i32.load offset=OFF (local.get 0))))"#;

    #[test]
    fn cl_m64_last_byte() {
        let m = LOAD.replace("OFF", "4");
        check(
            "cl-m64-last-byte",
            (&m, &[("f", vec![Val::I64(65536 - 8)])]),
            (
                &m,
                &[
                    ("f", vec![Val::I64(65536 - 9)]),
                    ("f", vec![Val::I64(65536 - 7)]),
                ],
            ),
        );
    }

    #[test]
    fn cl_m64_offset_wrap() {
        let m = LOAD.replace("OFF", "16");
        check(
            "cl-m64-offset-wrap",
            (&m, &[("f", vec![Val::I64(-8)])]),
            (
                &m,
                &[("f", vec![Val::I64(8)]), ("f", vec![Val::I64(65536)])],
            ),
        );
    }

    #[test]
    fn cl_m64_index_low32() {
        let m = LOAD.replace("OFF", "0");
        check(
            "cl-m64-index-low32",
            (&m, &[("f", vec![Val::I64(1 << 32)])]),
            (&m, &[("f", vec![Val::I64(65536)])]),
        );
    }

    const FILL: &str = r#"(module (memory i64 1)
        (func (export "f") (param i64 i64) (memory.fill (local.get 0) (i32.const 7) (local.get 1))))"#;

    #[test]
    fn cl_m64_fill_partial() {
        check(
            "cl-m64-fill-partial",
            (FILL, &[("f", vec![Val::I64(65530), Val::I64(10)])]),
            (
                FILL,
                &[
                    ("f", vec![Val::I64(65530), Val::I64(6)]),
                    ("f", vec![Val::I64(65536), Val::I64(1)]),
                ],
            ),
        );
    }

    const GROW: &str = r#"(module (memory i64 1)
        (func (export "f") (param i64) (result i64) (memory.grow (local.get 0))))"#;

    #[test]
    fn cl_m64_grow_fail_u32() {
        check(
            "cl-m64-grow-fail-u32",
            (GROW, &[("f", vec![Val::I64(1 << 40)])]),
            (GROW, &[("f", vec![Val::I64(1)])]),
        );
    }

    #[test]
    fn wasmi_m64_offset16() {
        let m = |off: &str| {
            format!(
                r#"(module (memory i64 2) (data (i64.const 0x8000) "\01\02\03\04")
                 (func (export "f") (param i64) (result i32) (i32.load offset={off} (local.get 0))))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I64(0x1_0000)])];
        check(
            "wasmi-m64-offset16",
            (&m("0x8000"), calls),
            (&m("0x7fff"), calls),
        );
    }
}
