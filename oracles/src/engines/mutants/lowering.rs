//! Lowering mutants: Cranelift mid-end and x64 lowering rules, and Pulley's lowering, each with one rule gone wrong for one operand shape.

use super::Category::Lowering;
use super::Mutant;
use super::body::{Body, Skip, i32_const, i64_const};
use crate::engine::EngineKind::{Cranelift, Pulley};
use wasm_encoder::Instruction as I;
use wasmparser::{Operator as O, ValType};

/// `cl-shl-shl-fold`: the shift-combining rule without its width guard.
pub const SHL_SHL_FOLD: Mutant = mutant! {
    name: "cl-shl-shl-fold",
    category: Lowering,
    host: Cranelift,
    rule: "cranelift opts/shifts.isle: (ishl (ishl x k1) k2) => (ishl x k1+k2) only if k1+k2 < bits, else 0",
    trigger: "two consecutive constant shl (or shr_u) whose masked amounts add up to the width or more",
    rewrite: shl_shl_fold,
};

/// Folds `x << k1 << k2` into `x << (k1 + k2)` even when the sum reaches the width (the
/// guard `u64_lt shift_amt ty_bits` dropped), so the hardware masks it instead of the
/// result being 0.
fn shl_shl_fold(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let ops = &b.ops[i..];
        let (bits, amounts) = match ops {
            [
                O::I32Const { value: k1 },
                s1,
                O::I32Const { value: k2 },
                s2,
                ..,
            ] if same_shift32(s1, s2) => (32u64, (*k1 as u64 & 31, *k2 as u64 & 31)),
            [
                O::I64Const { value: k1 },
                s1,
                O::I64Const { value: k2 },
                s2,
                ..,
            ] if same_shift64(s1, s2) => (64, (*k1 as u64 & 63, *k2 as u64 & 63)),
            _ => return Ok(0),
        };
        let sum = amounts.0 + amounts.1;
        if sum < bits {
            return Ok(0);
        }
        let shift = ops[1].clone();
        if bits == 32 {
            b.emit(I::I32Const(sum as i32));
        } else {
            b.emit(I::I64Const(sum as i64));
        }
        b.pass_op(shift)?;
        Ok(4)
    })
}

fn same_shift32(a: &O, b: &O) -> bool {
    matches!((a, b), (O::I32Shl, O::I32Shl) | (O::I32ShrU, O::I32ShrU))
}

fn same_shift64(a: &O, b: &O) -> bool {
    matches!((a, b), (O::I64Shl, O::I64Shl) | (O::I64ShrU, O::I64ShrU))
}

/// `cl-udiv-magic`: unsigned division by a constant, magic number one too small.
pub const UDIV_MAGIC: Mutant = mutant! {
    name: "cl-udiv-magic",
    category: Lowering,
    host: Cranelift,
    rule: "cranelift opts/arithmetic.isle udiv by a non-power-of-two constant => div_const.rs magic_u32 multiply-high",
    trigger: "i32.div_u by a constant that is not a power of two, dividend >= 2^31 with remainder d-1",
    rewrite: udiv_magic,
};

/// `x / d` for a constant `d` that is not a power of two, as if `magic_u32` rounded its
/// multiplier down: the quotient is one too small when the dividend has its top bit set and
/// leaves the largest remainder (`x mod d == d - 1`), the dividends nearest the next
/// multiple.
fn udiv_magic(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I32Const { value: d }, O::I32DivU, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        let d = *d;
        if (d as u32) < 3 || (d as u32).is_power_of_two() {
            return Ok(0);
        }
        let x = b.local(ValType::I32);
        b.emit_all([
            I::LocalTee(x),
            I::I32Const(d),
            I::I32DivU,
            I::LocalGet(x),
            I::I32Const(d),
            I::I32RemU,
            I::I32Const(d.wrapping_sub(1)),
            I::I32Eq,
            I::LocalGet(x),
            I::I32Const(0),
            I::I32LtS,
            I::I32And,
            I::I32Sub,
        ]);
        Ok(2)
    })
}

/// `cl-sdiv-pow2`: signed division by a power of two without the rounding bias.
pub const SDIV_POW2: Mutant = mutant! {
    name: "cl-sdiv-pow2",
    category: Lowering,
    host: Cranelift,
    rule: "cranelift opts/arithmetic.isle sdiv by a power of two: sshr (x + bias) k, bias = (x >>s k-1) >>u (bits-k)",
    trigger: "i64.div_s by a constant 2^k (k >= 1) of a negative dividend that is not a multiple of 2^k",
    rewrite: sdiv_pow2,
};

/// `x / 2^k` (signed, 64-bit) as `x >>s k`: the rule's bias term (`t2`) dropped, so negative
/// dividends round toward minus infinity instead of toward zero.
fn sdiv_pow2(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I64Const { value: d }, O::I64DivS, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        let d = *d;
        if d < 2 || !(d as u64).is_power_of_two() {
            return Ok(0);
        }
        b.emit_all([I::I64Const(i64::from(d.trailing_zeros())), I::I64ShrS]);
        Ok(2)
    })
}

/// `cl-load-sext-fold`: a load sunk into a sign extension, extended with zeros.
pub const LOAD_SEXT_FOLD: Mutant = mutant! {
    name: "cl-load-sext-fold",
    category: Lowering,
    host: Cranelift,
    rule: "cranelift x64 lower.isle (sextend $I64 src) => extend_to_gpr ExtendKind.Sign, which sinks a load into movsx",
    trigger: "i32.load immediately sign-extended by i64.extend_i32_s, loaded value negative",
    rewrite: load_sext_fold,
};

/// `i32.load; i64.extend_i32_s` as if the load folded into the extension picked the
/// zero-extending `mov` form: negative values come out positive.
fn load_sext_fold(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [load @ O::I32Load { .. }, O::I64ExtendI32S, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        let load = load.clone();
        b.pass_op(load)?;
        b.emit(I::I64ExtendI32U);
        Ok(2)
    })
}

/// `cl-icmp-imm32`: a 64-bit compare against a constant that does not fit a 32-bit
/// immediate.
pub const ICMP_IMM32: Mutant = mutant! {
    name: "cl-icmp-imm32",
    category: Lowering,
    host: Cranelift,
    rule: "cranelift x64 inst.isle emit_cmp / simm32_from_value: cmp r64, imm32 takes a sign-extended 32-bit immediate only",
    trigger: "an i64 comparison whose right operand is an i64.const outside the signed 32-bit range",
    rewrite: icmp_imm32,
};

/// `x <op> c` for an `i64.const c` that needs more than a sign-extended 32-bit immediate,
/// compared as if the immediate had been truncated to 32 bits and sign-extended.
fn icmp_imm32(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I64Const { value: c }, cmp, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        if !is_i64_compare(cmp) || i32::try_from(*c).is_ok() {
            return Ok(0);
        }
        let truncated = i64::from(*c as i32);
        b.emit(I::I64Const(truncated));
        Ok(1)
    })
}

fn is_i64_compare(op: &O) -> bool {
    matches!(
        op,
        O::I64Eq
            | O::I64Ne
            | O::I64LtS
            | O::I64LtU
            | O::I64GtS
            | O::I64GtU
            | O::I64LeS
            | O::I64LeU
            | O::I64GeS
            | O::I64GeU
    )
}

/// `cl-cmp-const-lhs`: a compare with a constant left operand, swapped without swapping the
/// condition.
pub const CMP_CONST_LHS: Mutant = mutant! {
    name: "cl-cmp-const-lhs",
    category: Lowering,
    host: Cranelift,
    rule: "cranelift x64 inst.isle (emit_cmp cc (simm32_from_value a) b) swaps the operands and must use (intcc_swap_args cc)",
    trigger: "an i32 ordered comparison (lt/gt/le/ge) whose left operand is an i32.const and right a local.get",
    rewrite: cmp_const_lhs,
};

/// `c <op> x` computed as `x <op> c`: the operands swapped to keep the constant an
/// immediate, the condition code left as it was.
fn cmp_const_lhs(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I32Const { value: c }, get @ O::LocalGet { .. }, cmp, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        if !matches!(
            cmp,
            O::I32LtS
                | O::I32LtU
                | O::I32GtS
                | O::I32GtU
                | O::I32LeS
                | O::I32LeU
                | O::I32GeS
                | O::I32GeU
        ) {
            return Ok(0);
        }
        let (c, get, cmp) = (*c, get.clone(), cmp.clone());
        b.pass_op(get)?;
        b.emit(I::I32Const(c));
        b.pass_op(cmp)?;
        Ok(3)
    })
}

/// `cl-brif-le-u`: a fused compare-and-branch on `<=u` that jumps on `<u`.
pub const BRIF_LE_U: Mutant = mutant! {
    name: "cl-brif-le-u",
    category: Lowering,
    host: Cranelift,
    rule: "cranelift x64 lower.isle (lower_branch (brif val ..)) => jmp_cond_result (is_nonzero_cmp val): icmp ule must become jbe",
    trigger: "i64.le_u feeding br_if or if directly, with equal operands",
    rewrite: brif_le_u,
};

/// `br_if (a <=u b)` taken as `br_if (a <u b)`: the fused branch uses the condition code of
/// the strict compare, so it falls through when the operands are equal.
fn brif_le_u(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I64LeU, O::BrIf { .. } | O::If { .. }, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        b.emit(I::I64LtU);
        Ok(1)
    })
}

/// `pulley-shift-u6`: a 32-bit shift by a constant in 32..=63, not masked to 5 bits.
pub const PULLEY_SHIFT_U6: Mutant = mutant! {
    name: "pulley-shift-u6",
    category: Lowering,
    host: Pulley,
    rule: "pulley lower.isle (ishl $I32 a b) with u6_shift_from_iconst (masked to 6 bits) => xshl32_u6, which must mask to 5",
    trigger: "i32.shl or i32.shr_u by an i32.const whose low 6 bits are 32..=63",
    rewrite: pulley_shift_u6,
};

/// `x << k` and `x >>u k` (32-bit) for a constant `k` with `k & 63` in 32..=63, shifted by
/// the 6-bit amount as the 64-bit form would: every bit is shifted out (0) instead of the
/// shift by `k & 31`.
fn pulley_shift_u6(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I32Const { value: k }, O::I32Shl | O::I32ShrU, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        if (*k & 63) < 32 {
            return Ok(0);
        }
        b.emit_all([I::Drop, I::I32Const(0)]);
        Ok(2)
    })
}

/// `pulley-mul-s8`: multiplication by a small negative constant, its 8-bit immediate
/// zero-extended.
pub const PULLEY_MUL_S8: Mutant = mutant! {
    name: "pulley-mul-s8",
    category: Lowering,
    host: Pulley,
    rule: "pulley lower.isle (imul ty a (i8_from_iconst b)) => xmul32_s8 / xmul64_s8: a sign-extended 8-bit immediate",
    trigger: "i32.mul or i64.mul by a constant in -128..=-1 (the constant right before the mul)",
    rewrite: pulley_mul_s8,
};

/// `x * c` for a constant `c` in -128..=-1 multiplied by `c & 0xff` (`c + 256`): the
/// immediate of the 8-bit form read as unsigned.
fn pulley_mul_s8(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let ops = &b.ops[i..];
        match ops {
            [c, O::I32Mul, ..] if i32_const(c).is_some_and(|c| (-128..0).contains(&c)) => {
                let c = i32_const(c).unwrap_or_default();
                b.emit(I::I32Const(c & 0xff));
                Ok(1)
            }
            [c, O::I64Mul, ..] if i64_const(c).is_some_and(|c| (-128..0).contains(&c)) => {
                let c = i64_const(c).unwrap_or_default();
                b.emit(I::I64Const(c & 0xff));
                Ok(1)
            }
            _ => Ok(0),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;
    use crate::value::Val;

    const SHL: &str = r#"(module (func (export "f") (param i32) (result i32)
        (i32.shl (i32.shl (local.get 0) (i32.const 20)) (i32.const KK))))"#;

    #[test]
    fn cl_shl_shl_fold() {
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(0x1234_5679)])];
        check(
            "cl-shl-shl-fold",
            (&SHL.replace("KK", "14"), calls),
            (&SHL.replace("KK", "11"), calls),
        );
    }

    const UDIV: &str = r#"(module (func (export "f") (param i32) (result i32)
        (i32.div_u (local.get 0) (i32.const 7))))"#;

    #[test]
    fn cl_udiv_magic() {
        // 0x8000_000b = 7 * 306783379 + 6: top bit set, remainder 6.
        check(
            "cl-udiv-magic",
            (UDIV, &[("f", vec![Val::I32(0x8000_000b_u32 as i32)])]),
            (UDIV, &[("f", vec![Val::I32(0x8000_000a_u32 as i32)])]),
        );
    }

    const SDIV: &str = r#"(module (func (export "f") (param i64) (result i64)
        (i64.div_s (local.get 0) (i64.const 8))))"#;

    #[test]
    fn cl_sdiv_pow2() {
        check(
            "cl-sdiv-pow2",
            (SDIV, &[("f", vec![Val::I64(-9)])]),
            (
                SDIV,
                &[("f", vec![Val::I64(-16)]), ("f", vec![Val::I64(9)])],
            ),
        );
    }

    #[test]
    fn cl_load_sext_fold() {
        let m = |ext: &str| {
            format!(
                r#"(module (memory 1) (data (i32.const 0) "\f0\ff\ff\ff")
                 (func (export "f") (result i64) ({ext} (i32.load (i32.const 0)))))"#
            )
        };
        // The near miss: the extension of a value that is not a load.
        let near = r#"(module (memory 1) (data (i32.const 0) "\f0\ff\ff\ff")
            (func (export "f") (result i64) (local i32)
              (local.set 0 (i32.load (i32.const 0))) (i64.extend_i32_s (local.get 0))))"#;
        check(
            "cl-load-sext-fold",
            (&m("i64.extend_i32_s"), &[("f", vec![])]),
            (near, &[("f", vec![])]),
        );
    }

    const ICMP: &str = r#"(module (func (export "f") (param i64) (result i32)
        (i64.lt_u (local.get 0) (i64.const CC))))"#;

    #[test]
    fn cl_icmp_imm32() {
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I64(0x1_0000)])];
        // 0x1_0000_0005 truncates to 5: 0x10000 is below the constant but not below 5.
        check(
            "cl-icmp-imm32",
            (&ICMP.replace("CC", "0x1_0000_0005"), calls),
            (&ICMP.replace("CC", "0x7fff_ffff"), calls),
        );
    }

    const CMP: &str = r#"(module (func (export "f") (param i32) (result i32)
        (i32.lt_s (i32.const 5) (local.get 0))))"#;

    #[test]
    fn cl_cmp_const_lhs() {
        let near = r#"(module (func (export "f") (param i32) (result i32)
            (i32.eq (i32.const 5) (local.get 0))))"#;
        check(
            "cl-cmp-const-lhs",
            (CMP, &[("f", vec![Val::I32(9)])]),
            (near, &[("f", vec![Val::I32(9)]), ("f", vec![Val::I32(5)])]),
        );
    }

    const BRIF: &str = r#"(module (func (export "f") (param i64 i64) (result i32)
        (block (br_if 0 (i64.CMP (local.get 0) (local.get 1))) (return (i32.const 0)))
        (i32.const 1)))"#;

    #[test]
    fn cl_brif_le_u() {
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I64(7), Val::I64(7)])];
        check(
            "cl-brif-le-u",
            (&BRIF.replace("CMP", "le_u"), calls),
            (&BRIF.replace("CMP", "le_s"), calls),
        );
    }

    const SHIFT: &str = r#"(module (func (export "f") (param i32) (result i32)
        (i32.shl (local.get 0) (i32.const KK))))"#;

    #[test]
    fn pulley_shift_u6() {
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(3)])];
        check(
            "pulley-shift-u6",
            (&SHIFT.replace("KK", "33"), calls),
            (&SHIFT.replace("KK", "31"), calls),
        );
    }

    const MUL: &str = r#"(module (func (export "f") (param i32) (result i32)
        (i32.mul (local.get 0) (i32.const KK))))"#;

    #[test]
    fn pulley_mul_s8() {
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(3)])];
        check(
            "pulley-mul-s8",
            (&MUL.replace("KK", "-3"), calls),
            (&MUL.replace("KK", "-129"), calls),
        );
    }
}
