//! Fusion mutants: wasmi's translator fusing compare+branch, compare+select, `eqz` chains, immediate forms, `local.set` and branch copies — and Pulley's compare-and-branch macro-ops — each fused wrongly for one shape.

use super::Category::Fusion;
use super::Mutant;
use super::body::{Body, Skip, numeric, pure_arity};
use crate::engine::EngineKind::{Pulley, Wasmi};
use wasm_encoder::Instruction as I;
use wasmparser::{Operator as O, ValType};

/// `wasmi-eqz-lt`: `i32.eqz` of a `lt_s` negated into `gt_s` instead of `ge_s`.
pub const EQZ_LT_NEGATION: Mutant = mutant! {
    name: "wasmi-eqz-lt",
    category: Fusion,
    host: Wasmi,
    rule: "wasmi translator fuse_eqz => NegateCmpInstr::negate_cmp_instr (comparator.rs): !(a < b) is b <= a",
    trigger: "i32.lt_s or i64.lt_s immediately followed by i32.eqz, with equal operands",
    rewrite: eqz_lt,
};

/// `eqz(a <s b)` as `a >s b`: the negation swapped the operands but kept the comparison
/// strict, so equal operands give 0 instead of 1.
fn eqz_lt(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let negated = match &b.ops[i..] {
            [O::I32LtS, O::I32Eqz, ..] => I::I32GtS,
            [O::I64LtS, O::I32Eqz, ..] => I::I64GtS,
            _ => return Ok(0),
        };
        b.emit(negated);
        Ok(2)
    })
}

/// `wasmi-select-nez`: `select` on `x != 0` fused as if it were `x == 0`.
pub const SELECT_NE0_SWAP: Mutant = mutant! {
    name: "wasmi-select-nez",
    category: Fusion,
    host: Wasmi,
    rule: "wasmi translator try_fuse_select: I32NotEq_Rri{rhs: 0} => SelectFusion::Fused, I32Eq_Rri{rhs: 0} => FusedSwap",
    trigger: "select whose condition is i32.ne of a computed value (not a local) and an i32.const 0, just before it",
    rewrite: select_nez,
};

/// `select(a, b, x != 0)` taken as `FusedSwap`: the operands come out swapped. (When `x` is a
/// local, wasmi 2.0.0 has a real bug of its own there, the known `wasmi-select-eqz`: the
/// mutant leaves that shape alone.)
fn select_nez(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [
            O::I32Const { value: 0 },
            O::I32Ne,
            O::Select | O::TypedSelect { .. },
            ..,
        ] = &b.ops[i..]
        else {
            return Ok(0);
        };
        if i == 0 || matches!(b.ops[i - 1], O::LocalGet { .. } | O::LocalTee { .. }) {
            return Ok(0);
        }
        b.emit_all([I::I32Const(0), I::I32Eq]);
        Ok(2)
    })
}

/// `wasmi-brif-and`: a bitwise `i32.and` feeding a branch fused as a logical and.
pub const BRIF_AND_LOGICAL: Mutant = mutant! {
    name: "wasmi-brif-and",
    category: Fusion,
    host: Wasmi,
    rule: "wasmi comparator.rs TryIntoCmpBranchInstr: I32BitAnd => branch_i32_and (bitwise); LogicalizeCmpInstr is only for fused nez",
    trigger: "i32.and immediately followed by br_if or if, with both operands non-zero and no common bit",
    rewrite: brif_and,
};

/// `br_if (a & b)` taken as `br_if (a != 0 && b != 0)`: the logicalized form of the bitwise
/// `and` reached the branch fusion.
fn brif_and(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I32And, O::BrIf { .. } | O::If { .. }, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        let t = b.local(ValType::I32);
        b.emit_all([
            I::LocalSet(t),
            I::I32Eqz,
            I::I32Eqz,
            I::LocalGet(t),
            I::I32Eqz,
            I::I32Eqz,
            I::I32And,
        ]);
        Ok(1)
    })
}

/// `wasmi-eqz-eqz`: a double `i32.eqz` folded to its operand.
pub const EQZ_EQZ: Mutant = mutant! {
    name: "wasmi-eqz-eqz",
    category: Fusion,
    host: Wasmi,
    rule: "wasmi translator fuse_eqz on a staged I32Eq_Rri{rhs: 0} negates it to I32NotEq_Rri{rhs: 0} (x != 0)",
    trigger: "i32.eqz immediately followed by i32.eqz, of a value other than 0 and 1 used as a number",
    rewrite: eqz_eqz,
};

/// `eqz(eqz(x))` as `x`: the double negation cancelled without normalizing to 0 or 1.
fn eqz_eqz(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [O::I32Eqz, O::I32Eqz, ..] = &b.ops[i..] else {
            return Ok(0);
        };
        b.mark_changed();
        Ok(2)
    })
}

/// `wasmi-local-set-preserve`: `local.set` fused into the operator computing its value,
/// without preserving a copy of the local's old value still on the stack.
pub const LOCAL_SET_PRESERVE: Mutant = mutant! {
    name: "wasmi-local-set-preserve",
    category: Fusion,
    host: Wasmi,
    rule: "wasmi translator fused_local_set retargets the staged op's result into the local; pending local.get copies must be preserved first",
    trigger: "local.get L, then straight-line numeric code computing one value, then local.set L while the first copy is still on the stack",
    rewrite: local_set_preserve,
};

/// `local.get L; <code computing one value>; local.set L` with the first copy of `L` still
/// on the stack afterwards: the copy reads the new value, as if it had been an alias of the
/// local rather than a preserved copy. The rewrite moves the first `local.get L` after the
/// `local.set L`.
fn local_set_preserve(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::LocalGet { local_index: l } = b.ops[i] else {
            return Ok(0);
        };
        let mut depth = 0i64;
        let mut j = i + 1;
        while let Some(op) = b.ops.get(j) {
            if let O::LocalSet { local_index } = op
                && *local_index == l
                && depth == 1
                && j > i + 1
            {
                break;
            }
            let Some((pops, pushes)) = pure_arity(op) else {
                return Ok(0);
            };
            depth -= i64::from(pops);
            if depth < 0 {
                // The segment consumed the copy of L.
                return Ok(0);
            }
            depth += i64::from(pushes);
            j += 1;
        }
        if j >= b.ops.len() {
            return Ok(0);
        }
        for k in i + 1..=j {
            b.pass(k)?;
        }
        b.emit(I::LocalGet(l));
        Ok(j - i + 1)
    })
}

/// `wasmi-br-copy-overlap`: the values a conditional branch carries copied one by one onto
/// overlapping slots.
pub const BR_COPY_OVERLAP: Mutant = mutant! {
    name: "wasmi-br-copy-overlap",
    category: Fusion,
    host: Wasmi,
    rule: "wasmi translator: a branch carrying several values copies them into the label's result slots (copy_span vs. copy_span_non_overlapping)",
    trigger: "br_if taken to a label carrying two or more values whose last two have the same numeric type",
    rewrite: br_copy_overlap,
};

/// A taken `br_if` to a label carrying `[.., v0, v1]` delivers `[.., v0, v0]`: the copy into
/// the overlapping result slots clobbered its own source.
fn br_copy_overlap(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::BrIf { relative_depth } = b.ops[i] else {
            return Ok(0);
        };
        let Some(label) = b.target(relative_depth) else {
            return Ok(0);
        };
        let types = label.label_types();
        let [.., t0, t1] = types else {
            return Ok(0);
        };
        let (t0, t1) = (*t0, *t1);
        if t0 != t1 || !numeric(t0) {
            return Ok(0);
        }
        let c = b.local(ValType::I32);
        let v1 = b.local(t1);
        let v0 = b.local(t0);
        b.emit_all([
            I::LocalSet(c),
            I::LocalSet(v1),
            I::LocalSet(v0),
            I::LocalGet(v0),
            I::LocalGet(v0),
            I::LocalGet(v1),
            I::LocalGet(c),
            I::Select,
            I::LocalGet(c),
        ]);
        b.pass(i)?;
        Ok(1)
    })
}

/// `wasmi-sub-imm-lhs`: a subtraction from a constant, in its immediate-left form, with the
/// operands swapped.
pub const SUB_IMM_LHS: Mutant = mutant! {
    name: "wasmi-sub-imm-lhs",
    category: Fusion,
    host: Wasmi,
    rule: "wasmi translator translate_binary: (Immediate(lhs), Slot/Reg) => op_rir / op_ris, the immediate-lhs forms of non-commutative ops",
    trigger: "i32.sub or i64.sub of an i32/i64.const (left) and a local.get (right)",
    rewrite: sub_imm_lhs,
};

/// `c - x` computed as `x - c` when `c` is an immediate and `x` a local.
fn sub_imm_lhs(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let ops = &b.ops[i..];
        let (c, get, sub) = match ops {
            [
                c @ O::I32Const { .. },
                g @ O::LocalGet { .. },
                s @ O::I32Sub,
                ..,
            ]
            | [
                c @ O::I64Const { .. },
                g @ O::LocalGet { .. },
                s @ O::I64Sub,
                ..,
            ] => (c.clone(), g.clone(), s.clone()),
            _ => return Ok(0),
        };
        b.mark_changed();
        b.pass_op(get)?;
        b.pass_op(c)?;
        b.pass_op(sub)?;
        Ok(3)
    })
}

/// `pulley-brif-u32-imm`: Pulley's 64-bit unsigned compare-and-branch with a 32-bit
/// immediate, sign-extending it.
pub const PULLEY_BR_IMM_U32: Mutant = mutant! {
    name: "pulley-brif-u32-imm",
    category: Fusion,
    host: Pulley,
    rule: "pulley lower.isle (lower_cond_icmp64 (IntCC.UnsignedLessThan) a (u32_from_iconst b)) => Cond.IfXult64I32: a zero-extended u32",
    trigger: "i64.lt_u/le_u/gt_u/ge_u against an i64.const in 2^31..2^32, feeding br_if or if",
    rewrite: pulley_brif_u32,
};

/// The fused compare-and-branch `x <u c` for a constant `c` in `2^31..2^32` compares against
/// `c` sign-extended from 32 bits (a huge unsigned value).
fn pulley_brif_u32(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let [
            O::I64Const { value: c },
            O::I64LtU | O::I64LeU | O::I64GtU | O::I64GeU,
            O::BrIf { .. } | O::If { .. },
            ..,
        ] = &b.ops[i..]
        else {
            return Ok(0);
        };
        if !(0x8000_0000..0x1_0000_0000).contains(c) {
            return Ok(0);
        }
        b.emit(I::I64Const(i64::from(*c as i32)));
        Ok(1)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;
    use crate::value::Val;

    #[test]
    fn wasmi_eqz_lt() {
        let m = |cmp: &str| {
            format!(
                r#"(module (func (export "f") (param i32 i32) (result i32)
                 (i32.eqz ({cmp} (local.get 0) (local.get 1)))))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(4), Val::I32(4)])];
        check(
            "wasmi-eqz-lt",
            (&m("i32.lt_s"), calls),
            (&m("i32.le_s"), calls),
        );
    }

    #[test]
    fn wasmi_select_nez() {
        let m = |c: &str| {
            format!(
                r#"(module (func (export "f") (param i32) (result i32)
                 (select (i32.const 10) (i32.const 20)
                   (i32.ne (i32.add (local.get 0) (i32.const 1)) (i32.const {c})))))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(3)])];
        check("wasmi-select-nez", (&m("0"), calls), (&m("1"), calls));
    }

    #[test]
    fn wasmi_brif_and() {
        let m = |op: &str| {
            format!(
                r#"(module (func (export "f") (param i32 i32) (result i32)
                 (block (br_if 0 ({op} (local.get 0) (local.get 1))) (return (i32.const 0)))
                 (i32.const 1)))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(1), Val::I32(2)])];
        check(
            "wasmi-brif-and",
            (&m("i32.and"), calls),
            (&m("i32.or"), calls),
        );
    }

    #[test]
    fn wasmi_eqz_eqz() {
        let m = |inner: &str| {
            format!(
                r#"(module (func (export "f") (param i32) (result i32)
                 (i32.eqz ({inner} (local.get 0)))))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(5)])];
        check(
            "wasmi-eqz-eqz",
            (&m("i32.eqz"), calls),
            (&m("i32.popcnt"), calls),
        );
    }

    #[test]
    fn wasmi_local_set_preserve() {
        let trigger = r#"(module (func (export "f") (param i32) (result i32)
            local.get 0
            local.get 0 i32.const 1 i32.add local.set 0
            local.get 0 i32.mul))"#;
        // The near miss: the old value is consumed before the set.
        let near = r#"(module (func (export "f") (param i32) (result i32)
            local.get 0
            local.get 0 i32.const 1 i32.add i32.mul local.set 0
            local.get 0))"#;
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(3)])];
        check("wasmi-local-set-preserve", (trigger, calls), (near, calls));
    }

    #[test]
    fn wasmi_br_copy_overlap() {
        let m = |t: &str| {
            format!(
                r#"(module (func (export "f") (param i32) (result i32)
                 (block (result i32 {t})
                   (br_if 0 (i32.const 1) ({t}.const 2) (local.get 0))
                   drop drop (i32.const 7) ({t}.const 8))
                 drop))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(1)])];
        let trigger = r#"(module (func (export "f") (param i32) (result i32 i32)
            (block (result i32 i32)
              (br_if 0 (i32.const 1) (i32.const 2) (local.get 0))
              drop drop (i32.const 7) (i32.const 8))))"#;
        check(
            "wasmi-br-copy-overlap",
            (trigger, calls),
            (&m("i64"), calls),
        );
    }

    #[test]
    fn wasmi_sub_imm_lhs() {
        let m = |lhs: &str| {
            format!(
                r#"(module (func (export "f") (param i32) (result i32) (local i32)
                 (local.set 1 (i32.const 10))
                 (i32.sub {lhs} (local.get 0))))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I32(3)])];
        check(
            "wasmi-sub-imm-lhs",
            (&m("(i32.const 10)"), calls),
            (&m("(local.get 1)"), calls),
        );
    }

    #[test]
    fn pulley_brif_u32_imm() {
        let m = |c: &str| {
            format!(
                r#"(module (func (export "f") (param i64) (result i32)
                 (block (br_if 0 (i64.lt_u (local.get 0) (i64.const {c}))) (return (i32.const 0)))
                 (i32.const 1)))"#
            )
        };
        let calls: &[(&str, Vec<Val>)] = &[("f", vec![Val::I64(1 << 32)])];
        check(
            "pulley-brif-u32-imm",
            (&m("0x8000_0000"), calls),
            (&m("0x7fff_ffff"), calls),
        );
    }
}
