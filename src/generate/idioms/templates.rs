//! The idiom templates, one row each: its name, the rule family it aims at (Cranelift's x64
//! lowering rules in `isa/x64/lower.isle` and `inst.isle`, its mid-end rewrites in
//! `opts/*.isle` and `div_const.rs`, wasmi 2.0's translator in `engine/translator/**`), its
//! weight, when it applies, and how it is built.
//!
//! Every builder leaves exactly one value of the requested type on the stack and returns
//! whether it may be a nondeterministic NaN ([`Nd`]); its operands come from
//! [`FnBuilder::expr`] (other templates or leaves), [`FnBuilder::var`] (when a rule needs the
//! same value twice) or boundary constants, so rows compose freely. A builder only branches to
//! labels it opened itself.

use super::Ty;
use super::consts;
use super::expr::{FBin, FCmp, FUn, FnBuilder, IBin, ICmp, Nd, Reach, Var, memarg};
use crate::generate::choices::Choices;
use wasm_encoder::{BlockType, Catch, Instruction as I};

/// One idiom: a row of [`TEMPLATES`].
pub struct Template {
    /// Its stable name (in case descriptions and statistics).
    pub name: &'static str,
    /// The rule family it aims at, with the rules' names.
    pub family: &'static str,
    /// Relative frequency among the rows that apply.
    pub weight: u32,
    /// Whether it can produce a value of the type in this function.
    pub applies: fn(&FnBuilder, Ty) -> bool,
    /// Emits it, leaving one value of the type; returns whether it may be a
    /// nondeterministic NaN.
    pub build: fn(&mut FnBuilder, &mut Choices, Ty) -> Nd,
}

// ---- applicability ---------------------------------------------------------------------------

fn int(_: &FnBuilder, ty: Ty) -> bool {
    !ty.is_float()
}

fn float(_: &FnBuilder, ty: Ty) -> bool {
    ty.is_float()
}

fn any(_: &FnBuilder, _: Ty) -> bool {
    true
}

fn mem(b: &FnBuilder, _: Ty) -> bool {
    !b.layout.mems.is_empty()
}

fn table(b: &FnBuilder, ty: Ty) -> bool {
    b.layout.table.is_some() && !ty.is_float()
}

fn callee(b: &FnBuilder, _: Ty) -> bool {
    !b.plain_callees().is_empty()
}

fn indirect_callee(b: &FnBuilder, _: Ty) -> bool {
    b.plain_callees()
        .iter()
        .any(|&f| b.layout.slot_of(f).is_some())
}

fn tail_callee(b: &FnBuilder, _: Ty) -> bool {
    b.plain_callees().iter().any(|&f| {
        matches!(
            b.layout.funcs[f as usize].role,
            super::Role::Callee { tail: Some(_) }
        )
    })
}

fn tagged(b: &FnBuilder, _: Ty) -> bool {
    b.layout.exceptions && !b.layout.tags.is_empty()
}

fn thrower(b: &FnBuilder, ty: Ty) -> bool {
    tagged(b, ty) && !b.throwers().is_empty()
}

// ---- shared pieces ----------------------------------------------------------------------------

/// The right operand of `op`: a shift amount for shifts, else a boundary constant.
fn konst_for(b: &mut FnBuilder, c: &mut Choices, ty: Ty, op: IBin) {
    if op.is_shift() {
        let a = consts::shift_amount(c, ty.bits());
        b.int_const(ty, a);
    } else {
        b.konst(c, ty);
    }
}

/// An operand of `op`: a constant half the time.
fn operand_for(b: &mut FnBuilder, c: &mut Choices, ty: Ty, op: IBin) {
    if c.chance(1, 2) {
        konst_for(b, c, ty, op);
    } else {
        b.expr(c, ty);
    }
}

/// Extends the `i32` truth value on top of the stack to integer type `ty`.
fn widen_bool(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    if ty == Ty::I64 {
        b.emit(if c.chance(1, 2) {
            I::I64ExtendI32U
        } else {
            I::I64ExtendI32S
        });
    }
    false
}

/// `v ^ -1` (Cranelift's `bnot` after the mid-end).
fn emit_not(b: &mut FnBuilder, ty: Ty) {
    b.int_const(ty, u64::MAX);
    b.emit(IBin::Xor.ins(ty));
}

/// Emits `v` and returns nothing (integer variables).
fn get(b: &mut FnBuilder, v: Var) {
    b.get(v);
}

/// The all-ones mask of the low `n` bits (n < 64).
fn low_mask(n: u64) -> u64 {
    if n >= 64 { u64::MAX } else { (1 << n) - 1 }
}

/// A float binary operation on the two values on top of the stack (always arithmetic).
fn float_op(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let op = *c.pick(&FBin::ALL);
    b.emit(op.ins(ty));
    true
}

/// Combines the value on top of the stack with a new operand: an ALU operation for integers,
/// arithmetic for floats.
fn combine(b: &mut FnBuilder, c: &mut Choices, ty: Ty, nd: Nd) -> Nd {
    if ty.is_float() {
        b.rhs(c, ty);
        float_op(b, c, ty)
    } else {
        let op = *c.pick(&IBin::ALU);
        operand_for(b, c, ty, op);
        b.emit(op.ins(ty));
        nd
    }
}

// ---- integer arithmetic ------------------------------------------------------------------------

/// `x op k`, `k op x`, `k1 op k2`, `x op y`.
fn alu_imm(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let op = *c.pick(&IBin::ALU);
    match c.below(4) {
        0 => {
            b.expr(c, ty);
            konst_for(b, c, ty, op);
        }
        1 => {
            b.konst(c, ty);
            b.expr(c, ty);
        }
        2 => {
            b.konst(c, ty);
            konst_for(b, c, ty, op);
        }
        _ => {
            b.expr(c, ty);
            b.expr(c, ty);
        }
    }
    b.emit(op.ins(ty));
    false
}

/// `(x op1 k1) op2 k2` and `(x op1 y) op2 (z op3 k)`: chains the mid-end reassociates.
fn alu_chain(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let (op1, op2) = (*c.pick(&IBin::ALU), *c.pick(&IBin::ALU));
    b.expr(c, ty);
    operand_for(b, c, ty, op1);
    b.emit(op1.ins(ty));
    if c.chance(1, 2) {
        konst_for(b, c, ty, op2);
    } else {
        let op3 = *c.pick(&IBin::ALU);
        b.expr(c, ty);
        konst_for(b, c, ty, op3);
        b.emit(op3.ins(ty));
    }
    b.emit(op2.ins(ty));
    false
}

/// `x + (y << k) + d`, `(x + d) + (y << k)`, `x + y * s`, `(x << k) + d`: `iadd` lowered to `lea`.
fn lea(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let k = if c.chance(7, 8) {
        c.below(4)
    } else {
        c.range(4, 6)
    };
    let add = IBin::Add.ins(ty);
    match c.below(4) {
        0 => {
            b.expr(c, ty);
            b.expr(c, ty);
            b.int_const(ty, k);
            b.emit(IBin::Shl.ins(ty));
            b.emit(add.clone());
            b.konst(c, ty);
            b.emit(add);
        }
        1 => {
            b.expr(c, ty);
            b.konst(c, ty);
            b.emit(add.clone());
            b.expr(c, ty);
            b.int_const(ty, k);
            b.emit(IBin::Shl.ins(ty));
            b.emit(add);
        }
        2 => {
            b.expr(c, ty);
            b.expr(c, ty);
            let s = *c.pick(&[2u64, 3, 4, 5, 8, 9]);
            b.int_const(ty, s);
            b.emit(IBin::Mul.ins(ty));
            b.emit(add);
        }
        _ => {
            b.expr(c, ty);
            b.int_const(ty, k);
            b.emit(IBin::Shl.ins(ty));
            b.konst(c, ty);
            b.emit(add);
        }
    }
    false
}

/// `x & ~y` in both operand orders, `~x & ~y`, `x | ~y`, `~(x & y)`.
fn andn(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let and = IBin::And.ins(ty);
    match c.below(5) {
        0 => {
            b.expr(c, ty);
            b.expr(c, ty);
            emit_not(b, ty);
            b.emit(and);
        }
        1 => {
            b.expr(c, ty);
            emit_not(b, ty);
            b.expr(c, ty);
            b.emit(and);
        }
        2 => {
            b.expr(c, ty);
            emit_not(b, ty);
            b.expr(c, ty);
            emit_not(b, ty);
            b.emit(and);
        }
        3 => {
            b.expr(c, ty);
            b.expr(c, ty);
            emit_not(b, ty);
            b.emit(IBin::Or.ins(ty));
        }
        _ => {
            b.expr(c, ty);
            b.expr(c, ty);
            b.emit(and);
            emit_not(b, ty);
        }
    }
    false
}

/// `blsr` `x & (x - 1)`, `blsi` `x & -x`, `blsmsk` `x ^ (x - 1)`, `bzhi` `x & ((1 << n) - 1)`.
fn bmi(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let x = b.var(c, ty);
    match c.below(7) {
        0 => {
            // x & (x - 1)
            get(b, x);
            get(b, x);
            b.int_const(ty, 1);
            b.emit(IBin::Sub.ins(ty));
            b.emit(IBin::And.ins(ty));
        }
        1 => {
            // (x + -1) & x
            get(b, x);
            b.int_const(ty, u64::MAX);
            b.emit(IBin::Add.ins(ty));
            get(b, x);
            b.emit(IBin::And.ins(ty));
        }
        2 => {
            // x & (0 - x)
            get(b, x);
            b.int_const(ty, 0);
            get(b, x);
            b.emit(IBin::Sub.ins(ty));
            b.emit(IBin::And.ins(ty));
        }
        3 => {
            // (0 - x) & x
            b.int_const(ty, 0);
            get(b, x);
            b.emit(IBin::Sub.ins(ty));
            get(b, x);
            b.emit(IBin::And.ins(ty));
        }
        4 => {
            // x ^ (x - 1), either order
            get(b, x);
            b.int_const(ty, 1);
            b.emit(IBin::Sub.ins(ty));
            if c.chance(1, 2) {
                get(b, x);
            } else {
                let t = b.new_local(ty, false);
                b.emit(I::LocalSet(t));
                get(b, x);
                b.emit(I::LocalGet(t));
            }
            b.emit(IBin::Xor.ins(ty));
        }
        5 => {
            // x & ((1 << n) - 1), n a variable amount
            get(b, x);
            b.int_const(ty, 1);
            b.expr(c, ty);
            b.emit(IBin::Shl.ins(ty));
            b.int_const(ty, 1);
            b.emit(IBin::Sub.ins(ty));
            b.emit(IBin::And.ins(ty));
        }
        _ => {
            // x & mask of the low n bits, n a boundary amount
            get(b, x);
            let n = consts::shift_amount(c, ty.bits());
            b.int_const(ty, low_mask(n));
            b.emit(IBin::And.ins(ty));
        }
    }
    false
}

/// `(x << k) | (y >>u (w - k))` (`shld`), the same of one value (a rotate), with variable
/// amounts, in both orders, joined by `or`, `xor` or `add`.
fn shld_rotate(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let w = u64::from(ty.bits());
    let x = b.var(c, ty);
    let y = if c.chance(1, 2) { x } else { b.var(c, ty) };
    let join = *c.pick(&[IBin::Or, IBin::Or, IBin::Xor, IBin::Add]);
    let left_first = c.chance(1, 2);
    let variable = c.chance(1, 3);
    let k = if c.chance(3, 4) {
        c.below(w + 1)
    } else {
        consts::shift_amount(c, ty.bits())
    };
    let k2 = if c.chance(3, 4) {
        w.wrapping_sub(k)
    } else {
        consts::shift_amount(c, ty.bits())
    };
    let n = if variable { Some(b.var(c, ty)) } else { None };
    let left = |b: &mut FnBuilder| {
        get(b, x);
        match n {
            Some(n) => get(b, n),
            None => b.int_const(ty, k),
        }
        b.emit(IBin::Shl.ins(ty));
    };
    let right = |b: &mut FnBuilder| {
        get(b, y);
        match n {
            Some(n) => {
                b.int_const(ty, w);
                get(b, n);
                b.emit(IBin::Sub.ins(ty));
            }
            None => b.int_const(ty, k2),
        }
        b.emit(IBin::ShrU.ins(ty));
    };
    if left_first {
        left(b);
        right(b);
    } else {
        right(b);
        left(b);
    }
    b.emit(join.ins(ty));
    false
}

/// Shift pairs the mid-end rewrites: `(x >> k) << k`, `(x << k) >>u k`, `(x << k) >>s k`,
/// consecutive shifts, `-(x >>u (w - 1))`, shift amounts through extends and wraps.
fn shift_pair(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let w = u64::from(ty.bits());
    let k = if c.chance(1, 2) {
        *c.pick(&[w - 8, w - 16, w - 32, w / 2, 1, w - 1].map(|v| v % w))
    } else {
        consts::shift_amount(c, ty.bits())
    };
    match c.below(6) {
        0 => {
            b.expr(c, ty);
            b.int_const(ty, k);
            b.emit(c.pick(&[IBin::ShrS.ins(ty), IBin::ShrU.ins(ty)]).clone());
            b.int_const(ty, k);
            b.emit(IBin::Shl.ins(ty));
        }
        1 => {
            b.expr(c, ty);
            b.int_const(ty, k);
            b.emit(IBin::Shl.ins(ty));
            b.int_const(ty, k);
            b.emit(c.pick(&[IBin::ShrS.ins(ty), IBin::ShrU.ins(ty)]).clone());
        }
        2 => {
            let op = *c.pick(&[IBin::Shl, IBin::ShrS, IBin::ShrU]);
            b.expr(c, ty);
            b.int_const(ty, k);
            b.emit(op.ins(ty));
            let k2 = consts::shift_amount(c, ty.bits());
            b.int_const(ty, k2);
            b.emit(op.ins(ty));
        }
        3 => {
            b.int_const(ty, 0);
            b.expr(c, ty);
            b.int_const(ty, w - 1);
            b.emit(IBin::ShrU.ins(ty));
            b.emit(IBin::Sub.ins(ty));
        }
        4 => {
            // The amount through an extend or a wrap, which the mid-end drops.
            let op = *c.pick(&[IBin::Shl, IBin::ShrS, IBin::ShrU, IBin::Rotl, IBin::Rotr]);
            b.expr(c, ty);
            if ty == Ty::I64 {
                b.expr(c, Ty::I32);
                b.emit(if c.chance(1, 2) {
                    I::I64ExtendI32U
                } else {
                    I::I64ExtendI32S
                });
            } else {
                b.expr(c, Ty::I64);
                b.emit(I::I32WrapI64);
            }
            b.emit(op.ins(ty));
        }
        _ => {
            // An explicitly masked variable amount.
            let op = *c.pick(&[IBin::Shl, IBin::ShrS, IBin::ShrU]);
            b.expr(c, ty);
            b.expr(c, ty);
            b.int_const(ty, w - 1);
            b.emit(IBin::And.ins(ty));
            b.emit(op.ins(ty));
        }
    }
    false
}

/// `rotl (rotr x y) y`, constant rotate amounts grouped, amounts that are multiples of the
/// width, constants rotated by a variable.
fn rotate_pair(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let w = u64::from(ty.bits());
    let (l, r) = (IBin::Rotl.ins(ty), IBin::Rotr.ins(ty));
    match c.below(4) {
        0 => {
            let y = b.var(c, ty);
            b.expr(c, ty);
            get(b, y);
            b.emit(r.clone());
            get(b, y);
            b.emit(l);
        }
        1 => {
            b.expr(c, ty);
            let k1 = consts::shift_amount(c, ty.bits());
            b.int_const(ty, k1);
            b.emit(if c.chance(1, 2) { l.clone() } else { r.clone() });
            operand_for(b, c, ty, IBin::Rotl);
            b.emit(if c.chance(1, 2) { l } else { r });
        }
        2 => {
            b.expr(c, ty);
            let k = *c.pick(&[0, w, 2 * w, w.wrapping_neg(), 3 * w]);
            b.int_const(ty, k);
            b.emit(if c.chance(1, 2) { l } else { r });
        }
        _ => {
            b.konst(c, ty);
            b.expr(c, ty);
            b.emit(if c.chance(1, 2) { l } else { r });
        }
    }
    false
}

/// Multiplications by constants: 0, ±1, 2, powers of two and their neighbours, immediates
/// at the `simm32` edges; `x * (1 << y)`, `-x * -y`, `(x * k1) * k2`.
fn mul_const(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let mul = IBin::Mul.ins(ty);
    match c.below(5) {
        0 | 1 => {
            b.expr(c, ty);
            b.konst(c, ty);
            if c.chance(1, 3) {
                // The constant on the left (x64 rule -3).
                let t = b.new_local(ty, false);
                b.emit(I::LocalSet(t));
                b.emit(I::LocalGet(t));
            }
            b.emit(mul);
        }
        2 => {
            b.expr(c, ty);
            b.int_const(ty, 1);
            b.expr(c, ty);
            b.emit(IBin::Shl.ins(ty));
            b.emit(mul);
        }
        3 => {
            b.int_const(ty, 0);
            b.expr(c, ty);
            b.emit(IBin::Sub.ins(ty));
            b.int_const(ty, 0);
            b.expr(c, ty);
            b.emit(IBin::Sub.ins(ty));
            b.emit(mul);
        }
        _ => {
            b.expr(c, ty);
            b.konst(c, ty);
            b.emit(mul.clone());
            b.konst(c, ty);
            b.emit(mul);
        }
    }
    false
}

/// Division and remainder by constant divisors: ±1, powers of two and their negations, the
/// minimum, magic-number divisors, zero; dividends often boundary constants.
fn div_const(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let op = *c.pick(&IBin::DIV);
    if c.chance(1, 4) {
        b.konst(c, ty);
    } else {
        b.expr(c, ty);
    }
    let d = consts::divisor(c, ty.bits());
    b.int_const(ty, d);
    b.emit(op.ins(ty));
    false
}

/// Division and remainder by a variable: unguarded (traps on zero and on `MIN / -1`),
/// guarded as wasm-smith does (`select 1 y (eqz y)`), or made non-zero by `| 1`.
fn div_var(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let op = *c.pick(&IBin::DIV);
    b.expr(c, ty);
    match c.below(4) {
        0 => {
            b.expr(c, ty);
        }
        1 => {
            let y = b.var(c, ty);
            b.int_const(ty, 1);
            get(b, y);
            get(b, y);
            b.emit(if ty == Ty::I64 { I::I64Eqz } else { I::I32Eqz });
            b.emit(I::Select);
        }
        2 => {
            b.expr(c, ty);
            b.int_const(ty, 1);
            b.emit(IBin::Or.ins(ty));
        }
        _ => {
            // ±1 from a sign: MIN / -1 overflows, MIN % -1 is 0.
            b.expr(c, ty);
            b.int_const(ty, u64::from(ty.bits()) - 1);
            b.emit(IBin::ShrS.ins(ty));
            b.int_const(ty, 1);
            b.emit(IBin::Or.ins(ty));
        }
    }
    b.emit(op.ins(ty));
    false
}

/// The mid-end's algebraic rewrites that need a repeated operand.
fn algebra(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    use IBin::*;
    let x = b.var(c, ty);
    let y = b.var(c, ty);
    let z = b.var(c, ty);
    let e = |b: &mut FnBuilder, op: IBin| b.emit(op.ins(ty));
    let bin = |b: &mut FnBuilder, p: Var, op: IBin, q: Var| {
        b.get(p);
        b.get(q);
        b.emit(op.ins(ty));
    };
    match c.below(20) {
        0 => {
            // (x + y) - (x | y) == x & y
            bin(b, x, Add, y);
            bin(b, x, Or, y);
            e(b, Sub);
        }
        1 => {
            // (x | y) - (x & y) == x ^ y
            bin(b, x, Or, y);
            bin(b, x, And, y);
            e(b, Sub);
        }
        2 => {
            // (x + y) - (x & y) == x | y
            bin(b, x, Add, y);
            bin(b, y, And, x);
            e(b, Sub);
        }
        3 => {
            // (x | y) - (x ^ y) == x & y
            bin(b, x, Or, y);
            bin(b, x, Xor, y);
            e(b, Sub);
        }
        4 => {
            // ~x + x == -1
            b.get(x);
            emit_not(b, ty);
            b.get(x);
            e(b, Add);
        }
        5 => {
            // (x - y) + y == x
            bin(b, x, Sub, y);
            b.get(y);
            e(b, Add);
        }
        6 => {
            // (x + y) - y == x
            bin(b, x, Add, y);
            b.get(y);
            e(b, Sub);
        }
        7 => {
            // x - (x + y) == -y
            b.get(x);
            bin(b, x, Add, y);
            e(b, Sub);
        }
        8 => {
            // (x ^ y) ^ x == y
            bin(b, x, Xor, y);
            b.get(x);
            e(b, Xor);
        }
        9 => {
            // (x + y) + (0 - y) == x
            bin(b, x, Add, y);
            b.int_const(ty, 0);
            b.get(y);
            e(b, Sub);
            e(b, Add);
        }
        10 => {
            // (x - z) - (y - z) == x - y
            bin(b, x, Sub, z);
            bin(b, y, Sub, z);
            e(b, Sub);
        }
        11 => {
            // (x + y) - (x + z) == y - z
            bin(b, x, Add, y);
            bin(b, x, Add, z);
            e(b, Sub);
        }
        12 => {
            // (x + y) == (y + x), as a value
            bin(b, x, Add, y);
            bin(b, y, Add, x);
            b.emit(ICmp::Eq.ins(ty));
            widen_bool(b, c, ty);
        }
        13 => {
            // (x - y) != x is y != 0
            bin(b, x, Sub, y);
            b.get(x);
            b.emit(c.pick(&[ICmp::Ne.ins(ty), ICmp::Eq.ins(ty)]).clone());
            widen_bool(b, c, ty);
        }
        14 => {
            // ~x + 1 == -x, ~(x - 1) == -x
            b.get(x);
            if c.chance(1, 2) {
                emit_not(b, ty);
                b.int_const(ty, 1);
                e(b, Add);
            } else {
                b.int_const(ty, 1);
                e(b, Sub);
                emit_not(b, ty);
            }
        }
        15 => {
            // (x & y) | (x & ~y) == x
            bin(b, x, And, y);
            b.get(x);
            b.get(y);
            emit_not(b, ty);
            e(b, And);
            e(b, Or);
        }
        16 => {
            // (x | y) & (x | ~y) == x
            bin(b, x, Or, y);
            b.get(x);
            b.get(y);
            emit_not(b, ty);
            e(b, Or);
            e(b, And);
        }
        17 => {
            // (x ^ z) == (y ^ z) is x == y
            bin(b, x, Xor, z);
            bin(b, y, Xor, z);
            b.emit(c.pick(&[ICmp::Eq.ins(ty), ICmp::Ne.ins(ty)]).clone());
            widen_bool(b, c, ty);
        }
        18 => {
            // ((x op k1) op (y op k2)): constants reassociated together
            let op = *c.pick(&[Add, Mul, And, Or, Xor]);
            b.get(x);
            b.konst(c, ty);
            e(b, op);
            b.get(y);
            b.konst(c, ty);
            e(b, op);
            e(b, op);
        }
        _ => {
            // x - x, x ^ x, x & x, x | x
            let op = *c.pick(&[Sub, Xor, And, Or]);
            bin(b, x, op, x);
        }
    }
    false
}

/// `select (x cmp y) x y` in every comparison and operand order (min/max), `iabs` shapes,
/// `min + max`, nested selects on one condition.
fn minmax(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let x = b.var(c, ty);
    let y = b.var(c, ty);
    let cmps = [
        ICmp::GtS,
        ICmp::GeS,
        ICmp::GtU,
        ICmp::GeU,
        ICmp::LtS,
        ICmp::LeS,
        ICmp::LtU,
        ICmp::LeU,
    ];
    let sel = |b: &mut FnBuilder, a: Var, bb: Var, cmp: ICmp, p: Var, q: Var| {
        b.get(a);
        b.get(bb);
        b.get(p);
        b.get(q);
        b.emit(cmp.ins(ty));
        b.emit(I::Select);
    };
    match c.below(4) {
        0 => {
            let cmp = *c.pick(&cmps);
            if c.chance(1, 2) {
                sel(b, x, y, cmp, x, y);
            } else {
                sel(b, y, x, cmp, x, y);
            }
        }
        1 => {
            // |x| as a select of x and -x on the sign of x
            let neg = |b: &mut FnBuilder| {
                b.int_const(ty, 0);
                b.get(x);
                b.emit(IBin::Sub.ins(ty));
            };
            let (cmp, neg_first) = *c.pick(&[
                (ICmp::GtS, false),
                (ICmp::GeS, false),
                (ICmp::LtS, true),
                (ICmp::LeS, true),
            ]);
            if neg_first {
                neg(b);
                b.get(x);
            } else {
                b.get(x);
                neg(b);
            }
            b.get(x);
            b.int_const(ty, 0);
            b.emit(cmp.ins(ty));
            b.emit(I::Select);
        }
        2 => {
            // min(x, y) + max(x, y) == x + y
            let (lo, hi) = *c.pick(&[(ICmp::LtU, ICmp::GtU), (ICmp::LtS, ICmp::GtS)]);
            sel(b, x, y, lo, x, y);
            sel(b, x, y, hi, x, y);
            b.emit(IBin::Add.ins(ty));
        }
        _ => {
            // select d a (select d _ y) == select d a y
            let cmp = *c.pick(&cmps);
            let d = b.new_local(Ty::I32, false);
            b.get(x);
            b.get(y);
            b.emit(cmp.ins(ty));
            b.emit(I::LocalSet(d));
            b.get(x);
            b.expr(c, ty);
            b.get(y);
            b.emit(I::LocalGet(d));
            b.emit(I::Select);
            b.emit(I::LocalGet(d));
            b.emit(I::Select);
        }
    }
    false
}

/// The three-way comparison `x <=> y` written as nested selects, then compared with 0 or ±1.
fn spaceship(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let cty = FnBuilder::int_ty(c);
    let x = b.var(c, cty);
    let y = b.var(c, cty);
    let signed = c.chance(1, 2);
    let (lt, gt, le, ge) = if signed {
        (ICmp::LtS, ICmp::GtS, ICmp::LeS, ICmp::GeS)
    } else {
        (ICmp::LtU, ICmp::GtU, ICmp::LeU, ICmp::GeU)
    };
    let m1 = u64::MAX;
    let forms = [
        (lt, m1, ICmp::Eq, 0, 1),
        (lt, m1, ICmp::Ne, 1, 0),
        (lt, m1, le, 0, 1),
        (lt, m1, gt, 1, 0),
        (ICmp::Eq, 0, lt, m1, 1),
        (ICmp::Eq, 0, le, m1, 1),
        (ICmp::Eq, 0, gt, 1, m1),
        (ICmp::Eq, 0, ge, 1, m1),
        (gt, 1, lt, m1, 0),
        (gt, 1, ge, 0, m1),
        (gt, 1, ICmp::Ne, m1, 0),
        (gt, 1, ICmp::Eq, 0, m1),
    ];
    let (c1, v1, c2, t2, f2) = *c.pick(&forms);
    let rt = if c.chance(1, 2) { ty } else { Ty::I32 };
    b.int_const(rt, v1);
    b.int_const(rt, t2);
    b.int_const(rt, f2);
    b.get(x);
    b.get(y);
    b.emit(c2.ins(cty));
    b.emit(I::Select);
    b.get(x);
    b.get(y);
    b.emit(c1.ins(cty));
    b.emit(I::Select);
    if rt == ty && c.chance(1, 2) {
        return false;
    }
    // (a <=> b) compared with 0, -1 or 1.
    let k = *c.pick(&[0, u64::MAX, 1]);
    b.int_const(rt, k);
    let cmp = *c.pick(&[
        ICmp::Eq,
        ICmp::Ne,
        ICmp::LtS,
        ICmp::LeS,
        ICmp::GtS,
        ICmp::GeS,
    ]);
    b.emit(cmp.ins(rt));
    widen_bool(b, c, ty)
}

/// `clz`, `ctz`, `popcnt` of boundary values and operands, of `x & -x`, compared with zero,
/// `w - clz(x - 1)`.
fn bitcount(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let wide = ty == Ty::I64;
    let op = match (c.below(3), wide) {
        (0, false) => I::I32Clz,
        (1, false) => I::I32Ctz,
        (_, false) => I::I32Popcnt,
        (0, true) => I::I64Clz,
        (1, true) => I::I64Ctz,
        (_, true) => I::I64Popcnt,
    };
    match c.below(5) {
        0 => {
            b.expr(c, ty);
            b.emit(op);
        }
        1 => {
            b.konst(c, ty);
            b.emit(op);
        }
        2 => {
            let x = b.var(c, ty);
            b.get(x);
            b.int_const(ty, 0);
            b.get(x);
            b.emit(IBin::Sub.ins(ty));
            b.emit(IBin::And.ins(ty));
            b.emit(op);
        }
        3 => {
            b.expr(c, ty);
            b.emit(op);
            b.emit(if wide { I::I64Eqz } else { I::I32Eqz });
            widen_bool(b, c, ty);
        }
        _ => {
            b.int_const(ty, u64::from(ty.bits()));
            b.expr(c, ty);
            b.int_const(ty, 1);
            b.emit(IBin::Sub.ins(ty));
            b.emit(op);
            b.emit(IBin::Sub.ins(ty));
        }
    }
    false
}

// ---- comparisons and control -------------------------------------------------------------------

/// Comparisons as values: against the signed and unsigned extremes, comparisons of
/// comparisons, `or`/`xor`/`and` of two comparisons of the same operands, `x + k1 == k2`, any
/// condition shape; widened by `extend_i32_s`/`_u`.
fn cmp_value(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let cty = FnBuilder::int_ty(c);
    let w = cty.bits();
    match c.below(5) {
        0 => {
            b.expr(c, cty);
            let min = 1u64 << (w - 1);
            let k = *c.pick(&[0, 1, u64::MAX, min, min - 1, low_mask(u64::from(w))]);
            b.int_const(cty, k);
            let op = *c.pick(&ICmp::ALL);
            b.emit(op.ins(cty));
        }
        1 => {
            let x = b.var(c, cty);
            let y = b.var(c, cty);
            let first = *c.pick(&ICmp::ALL);
            let second = *c.pick(&ICmp::ALL);
            b.get(x);
            b.get(y);
            b.emit(first.ins(cty));
            b.get(x);
            b.get(y);
            b.emit(second.ins(cty));
            b.emit(c.pick(&[I::I32Or, I::I32And, I::I32Xor]).clone());
        }
        2 => {
            b.expr(c, cty);
            b.konst(c, cty);
            b.emit(c.pick(&[IBin::Add.ins(cty), IBin::Sub.ins(cty)]).clone());
            b.konst(c, cty);
            b.emit(c.pick(&[ICmp::Eq.ins(cty), ICmp::Ne.ins(cty)]).clone());
        }
        3 => {
            // icmp of icmp
            b.expr(c, cty);
            b.rhs(c, cty);
            b.emit(c.pick(&ICmp::ALL).ins(cty));
            b.int_const(Ty::I32, c.below(2));
            b.emit(c.pick(&[I::I32Eq, I::I32Ne]).clone());
        }
        _ => b.cond(c),
    }
    widen_bool(b, c, ty)
}

/// `select a b cond` for every condition shape, both select encodings.
fn select_cond(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let nd_a = b.expr(c, ty);
    let nd_b = b.rhs(c, ty);
    b.cond(c);
    b.emit(if c.chance(1, 4) {
        I::TypedSelect(ty.encoder())
    } else {
        I::Select
    });
    nd_a || nd_b
}

/// `block (result t) a; cond; br_if 0; drop; b end` and friends: compare+branch fusion.
fn branch_cond(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let bt = BlockType::Result(ty.encoder());
    match c.below(3) {
        0 | 1 => {
            b.emit(I::Block(bt));
            let nd_a = b.expr(c, ty);
            b.cond(c);
            if c.chance(1, 3) {
                b.emit(I::I32Eqz);
            }
            b.emit(I::BrIf(0));
            b.emit(I::Drop);
            let nd_b = b.expr(c, ty);
            b.emit(I::End);
            nd_a || nd_b
        }
        _ => {
            // An early exit over an update of a local.
            let nd0 = b.expr(c, ty);
            let l = b.new_local(ty, true);
            b.emit(I::LocalSet(l));
            b.emit(I::Block(BlockType::Empty));
            b.cond(c);
            b.emit(I::BrIf(0));
            b.emit(I::LocalGet(l));
            let nd1 = combine(b, c, ty, nd0);
            b.emit(I::LocalSet(l));
            b.emit(I::End);
            b.emit(I::LocalGet(l));
            nd0 || nd1 || ty.is_float()
        }
    }
}

/// `cond; if (result t) a else b end`, and an `if` without `else` updating a local.
fn if_else(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    if c.chance(2, 3) {
        b.cond(c);
        b.emit(I::If(BlockType::Result(ty.encoder())));
        let nd_a = b.expr(c, ty);
        b.emit(I::Else);
        let nd_b = b.expr(c, ty);
        b.emit(I::End);
        nd_a || nd_b
    } else {
        let nd0 = b.expr(c, ty);
        let l = b.new_local(ty, true);
        b.emit(I::LocalSet(l));
        b.cond(c);
        b.emit(I::If(BlockType::Empty));
        b.emit(I::LocalGet(l));
        combine(b, c, ty, nd0);
        b.emit(I::LocalSet(l));
        b.emit(I::End);
        b.emit(I::LocalGet(l));
        ty.is_float()
    }
}

/// `br_table` carrying a value to 1 to 3 arms (each combining it with an operand) and a
/// default, with a constant, masked or raw index.
fn br_table(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let n = c.range(1, 3) as u32;
    let bt = BlockType::Result(ty.encoder());
    for _ in 0..=n {
        b.emit(I::Block(bt));
    }
    let mut nd = b.expr(c, ty);
    match c.below(3) {
        0 => b.int_const(Ty::I32, c.below(u64::from(n) + 2)),
        1 => {
            b.expr(c, Ty::I32);
            b.int_const(Ty::I32, 3);
            b.emit(I::I32And);
        }
        _ => {
            b.expr(c, Ty::I32);
        }
    }
    let targets: Vec<u32> = (0..n).collect();
    let default = c.below(u64::from(n) + 1) as u32;
    b.br_table(targets, default);
    for i in 0..n {
        b.emit(I::End);
        nd |= combine(b, c, ty, nd);
        b.emit(I::Br(n - 1 - i));
    }
    b.emit(I::End);
    nd
}

/// Values crossing block ends: a block result, a value sent out of a nested block by `br_if`,
/// a multi-value block, a block with a parameter, a value held across a block.
fn block_value(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let bt = BlockType::Result(ty.encoder());
    match c.below(4) {
        0 => {
            b.emit(I::Block(bt));
            let nd = b.expr(c, ty);
            b.emit(I::End);
            nd
        }
        1 => {
            b.emit(I::Block(bt));
            b.emit(I::Block(bt));
            let nd = b.expr(c, ty);
            b.cond(c);
            b.emit(I::BrIf(1));
            let nd1 = combine(b, c, ty, nd);
            b.emit(I::End);
            let nd2 = combine(b, c, ty, nd1);
            b.emit(I::End);
            nd || nd1 || nd2
        }
        2 => {
            let other = *c.pick(&Ty::ALL);
            let mbt = b.block_type(&[], &[ty, other]);
            b.emit(I::Block(mbt));
            let nd_a = b.expr(c, ty);
            let nd_b = b.expr(c, other);
            b.emit(I::End);
            b.fold(c, &[(ty, nd_a), (other, nd_b)], ty)
        }
        _ => {
            let nd = b.expr(c, ty);
            let pbt = b.block_type(&[ty], &[ty]);
            b.emit(I::Block(pbt));
            let nd1 = combine(b, c, ty, nd);
            b.emit(I::End);
            nd || nd1
        }
    }
}

/// `local.get x` pending on the stack while `x` is written (`local.tee`/`local.set`), results
/// written into a local that the operation reads (`x = x op y`), `local.tee` chains.
fn local_shadow(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let candidates = b.writable_locals(ty);
    let l = if candidates.is_empty() || c.chance(1, 4) {
        // A fresh local flagged as holding any NaN: what is written into it stays as is.
        b.expr(c, ty);
        let l = b.new_local(ty, true);
        b.emit(I::LocalSet(l));
        l
    } else {
        *c.pick(&candidates)
    };
    let l_nd = b.local_nd(l);
    // A value to write into `l`: canonicalized unless `l` may hold any NaN.
    let write = |b: &mut FnBuilder, c: &mut Choices, tee: bool| {
        b.emit(I::LocalGet(l));
        let nd = combine(b, c, ty, l_nd);
        if !l_nd {
            b.canon(ty, nd);
        }
        b.emit(if tee { I::LocalTee(l) } else { I::LocalSet(l) });
        nd && l_nd
    };
    let join = |b: &mut FnBuilder, c: &mut Choices| -> Nd {
        if ty.is_float() {
            float_op(b, c, ty)
        } else {
            let op = *c.pick(&IBin::ALU);
            b.emit(op.ins(ty));
            false
        }
    };
    match c.below(3) {
        0 => {
            // old x, then x = f(x) teed: old op new
            b.emit(I::LocalGet(l));
            let nd = write(b, c, true);
            join(b, c) || nd || l_nd
        }
        1 => {
            // old x pending across x = f(x), then the new x
            b.emit(I::LocalGet(l));
            write(b, c, false);
            b.emit(I::LocalGet(l));
            join(b, c) || l_nd
        }
        _ => {
            // x = f(x); x
            write(b, c, false);
            b.emit(I::LocalGet(l));
            l_nd
        }
    }
}

// ---- memory ------------------------------------------------------------------------------------

/// A load feeding an operation directly (load sinking), in both operand orders, of every
/// width and extension; `i64.extend_i32_*` of a load.
fn load_op(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    if ty.is_float() {
        let first = c.chance(1, 2);
        if first {
            b.load(c, ty, Reach::InBounds);
            b.rhs(c, ty);
        } else {
            b.expr(c, ty);
            b.load(c, ty, Reach::InBounds);
        }
        return float_op(b, c, ty);
    }
    match c.below(4) {
        0 if ty == Ty::I64 => {
            b.load(c, Ty::I32, Reach::InBounds);
            b.emit(if c.chance(1, 2) {
                I::I64ExtendI32U
            } else {
                I::I64ExtendI32S
            });
        }
        1 => {
            // A load compared: `cmp [mem], imm`.
            b.load(c, ty, Reach::InBounds);
            b.rhs(c, ty);
            b.emit(c.pick(&ICmp::ALL).ins(ty));
            widen_bool(b, c, ty);
        }
        _ => {
            let op = *c.pick(&[
                IBin::Add,
                IBin::Sub,
                IBin::And,
                IBin::Or,
                IBin::Xor,
                IBin::Mul,
                IBin::Shl,
                IBin::Rotl,
            ]);
            if c.chance(1, 2) {
                b.load(c, ty, Reach::InBounds);
                operand_for(b, c, ty, op);
            } else {
                b.expr(c, ty);
                b.load(c, ty, Reach::InBounds);
            }
            b.emit(op.ins(ty));
        }
    }
    false
}

/// Addresses with a constant added in wasm (folded into the displacement, or wrapping around
/// the 32-bit address space so it must not be), and scaled indices.
fn addr_mode(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let m = b.pick_mem(c, Reach::InBounds);
    let mem = b.layout.mems[m as usize];
    let at = mem.addr();
    let bytes = mem.min_bytes();
    let size = u64::from(ty.bits() / 8);
    if bytes < 0x1_0000 {
        return b.load(c, ty, Reach::Edge);
    }
    // base in [64, window) (never below 64, so a negative displacement wraps back in), an
    // index shifted by up to 3, a displacement in [-64, 8], an offset that keeps the access
    // below the bound.
    let window = 1u64 << (63 - (bytes / 2).leading_zeros());
    b.expr(c, at);
    b.int_const(at, window / 4 - 1);
    b.emit(IBin::And.ins(at));
    b.int_const(at, 64);
    b.emit(IBin::Or.ins(at));
    if c.chance(1, 2) {
        let k = c.below(4);
        b.expr(c, at);
        b.int_const(at, (window / 4) >> k);
        b.emit(IBin::RemU.ins(at));
        b.int_const(at, k);
        b.emit(IBin::Shl.ins(at));
        b.emit(IBin::Add.ins(at));
    }
    let d = *c.pick(&[0u64, 1, 8, u64::MAX, (-8i64) as u64, (-64i64) as u64]);
    b.int_const(at, d);
    b.emit(IBin::Add.ins(at));
    let room = bytes - window - size - 8;
    let offset = *c.pick(&[0, room, room / 2, size, 0xffff.min(room)]);
    let arg = memarg(offset, size.trailing_zeros(), m);
    b.emit(match ty {
        Ty::I32 => I::I32Load(arg),
        Ty::I64 => I::I64Load(arg),
        Ty::F32 => I::F32Load(arg),
        Ty::F64 => I::F64Load(arg),
    });
    false
}

/// `store(a, op(load(a), x))` at one address and offset (x64's memory-operand ALU forms),
/// then the stored value reloaded.
fn rmw(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let m = b.pick_mem(c, Reach::InBounds);
    let at = b.layout.mems[m as usize].addr();
    let narrow = !ty.is_float() && c.chance(1, 3);
    let size = if narrow {
        *c.pick(&[1u64, 2])
    } else {
        u64::from(ty.bits() / 8)
    };
    let arg = b.address(c, m, size, Reach::InBounds);
    let a = b.new_local(at, false);
    b.emit(I::LocalSet(a));
    let (load, store): (I, I) = match (ty, narrow, size) {
        (Ty::I32, true, 1) => (I::I32Load8U(arg), I::I32Store8(arg)),
        (Ty::I32, true, _) => (I::I32Load16U(arg), I::I32Store16(arg)),
        (Ty::I64, true, 1) => (I::I64Load8U(arg), I::I64Store8(arg)),
        (Ty::I64, true, _) => (I::I64Load16S(arg), I::I64Store16(arg)),
        (Ty::I32, _, _) => (I::I32Load(arg), I::I32Store(arg)),
        (Ty::I64, _, _) => (I::I64Load(arg), I::I64Store(arg)),
        (Ty::F32, _, _) => (I::F32Load(arg), I::F32Store(arg)),
        (Ty::F64, _, _) => (I::F64Load(arg), I::F64Store(arg)),
    };
    b.emit(I::LocalGet(a));
    b.emit(I::LocalGet(a));
    b.emit(load.clone());
    let nd = if ty.is_float() {
        b.rhs(c, ty);
        float_op(b, c, ty)
    } else {
        let op = *c.pick(&[IBin::Add, IBin::Sub, IBin::And, IBin::Or, IBin::Xor]);
        operand_for(b, c, ty, op);
        b.emit(op.ins(ty));
        false
    };
    b.canon(ty, nd);
    b.emit(store);
    b.emit(I::LocalGet(a));
    b.emit(load);
    false
}

/// A computed value stored (full width or narrowed), then read back at another width,
/// extension or offset.
fn store_reload(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let m = b.pick_mem(c, Reach::InBounds);
    let at = b.layout.mems[m as usize].addr();
    let arg = b.address(c, m, 8, Reach::InBounds);
    let a = b.new_local(at, false);
    b.emit(I::LocalSet(a));
    b.emit(I::LocalGet(a));
    let sty = *c.pick(&Ty::ALL);
    let nd = b.expr(c, sty);
    b.canon(sty, nd);
    // The store's own alignment: at most that of its narrowest width.
    let arg = memarg(arg.offset, 0, m);
    b.emit(match (sty, c.below(4)) {
        (Ty::I32, 0) => I::I32Store8(arg),
        (Ty::I32, 1) => I::I32Store16(arg),
        (Ty::I32, _) => I::I32Store(arg),
        (Ty::I64, 0) => I::I64Store8(arg),
        (Ty::I64, 1) => I::I64Store16(arg),
        (Ty::I64, 2) => I::I64Store32(arg),
        (Ty::I64, _) => I::I64Store(arg),
        (Ty::F32, _) => I::F32Store(arg),
        (Ty::F64, _) => I::F64Store(arg),
    });
    b.emit(I::LocalGet(a));
    // Another width at the same offset or a few bytes below it (above when the offset is
    // too small): always within what the store's address allowed.
    let delta = *c.pick(&[0u64, 0, 1, 2, 4]);
    let mut offset = if arg.offset >= delta {
        arg.offset - delta
    } else {
        arg.offset + delta
    };
    if at == Ty::I32 {
        offset = offset.min(u64::from(u32::MAX));
    }
    let reload = memarg(offset, 0, m);
    b.emit(match ty {
        Ty::I32 => c
            .pick(&[
                I::I32Load(reload),
                I::I32Load8S(reload),
                I::I32Load8U(reload),
                I::I32Load16S(reload),
                I::I32Load16U(reload),
            ])
            .clone(),
        Ty::I64 => c
            .pick(&[
                I::I64Load(reload),
                I::I64Load8S(reload),
                I::I64Load16U(reload),
                I::I64Load32S(reload),
                I::I64Load32U(reload),
            ])
            .clone(),
        Ty::F32 => I::F32Load(reload),
        Ty::F64 => I::F64Load(reload),
    });
    false
}

/// Loads and stores at and around each memory's bound (and above 4 GiB on 64-bit memories).
fn bounds(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    if c.chance(1, 2) {
        b.load(c, ty, Reach::Edge);
        combine(b, c, ty, false)
    } else {
        let sty = *c.pick(&Ty::ALL);
        b.store_with(c, sty, Reach::Edge, |b, c| b.expr(c, sty));
        b.expr(c, ty)
    }
}

/// An address in memory `m` for a bulk operation: at and around the current bound (computed
/// from `memory.size`, so it follows grows), around the initial bound, or small.
fn bulk_address(b: &mut FnBuilder, c: &mut Choices, m: u32) {
    let mem = b.layout.mems[m as usize];
    let at = mem.addr();
    let back = *c.pick(&[0u64, 1, 2, 4, 8, 16, 100, 4096]);
    match c.below(4) {
        0 | 1 => {
            b.emit(I::MemorySize(m));
            b.int_const(at, 16);
            b.emit(IBin::Shl.ins(at));
            b.int_const(at, back);
            b.emit(IBin::Sub.ins(at));
        }
        2 => b.int_const(at, mem.min_bytes().wrapping_sub(back)),
        _ => {
            let small = *c.pick(&[0u64, 1, 7, 64]);
            b.int_const(at, small);
        }
    }
}

/// A length for a bulk operation: zero (which still traps past the bound), a few bytes,
/// about a page, or exactly the initial size.
fn bulk_length(b: &mut FnBuilder, c: &mut Choices, ty: Ty, bound: u64) {
    let len = *c.pick(&[
        0u64, 0, 1, 2, 3, 8, 16, 17, 4096, 65535, 65536, 65537, bound,
    ]);
    b.int_const(ty, len);
}

/// `memory.fill` or `memory.copy` (within a memory or between two) whose destination, source
/// and length sit at and around the bound, then a load: what the operation left behind
/// (nothing, when it traps) is the value.
fn bulk_memory(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let n = b.layout.mems.len() as u64;
    let d = c.below(n) as u32;
    let dst = b.layout.mems[d as usize];
    bulk_address(b, c, d);
    if c.chance(1, 2) {
        b.expr(c, Ty::I32);
        bulk_length(b, c, dst.addr(), dst.min_bytes());
        b.emit(I::MemoryFill(d));
    } else {
        let s = c.below(n) as u32;
        let src = b.layout.mems[s as usize];
        bulk_address(b, c, s);
        let len = if dst.mem64 && src.mem64 {
            Ty::I64
        } else {
            Ty::I32
        };
        bulk_length(b, c, len, src.min_bytes().min(dst.min_bytes()));
        b.emit(I::MemoryCopy {
            src_mem: s,
            dst_mem: d,
        });
    }
    b.load(c, ty, Reach::InBounds)
}

/// `table.fill`, `table.copy`, `table.set` or `table.grow` at and around the table's bound
/// (null or a function of the table as the value), then an observation of the table: whether
/// a slot is null, or its size.
fn table_ops(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let Some((table64, size, elems)) = b.layout.table.clone() else {
        return b.expr(c, ty);
    };
    let it = if table64 { Ty::I64 } else { Ty::I32 };
    let index = |b: &mut FnBuilder, c: &mut Choices| {
        let i = match c.below(3) {
            0 => {
                b.emit(I::TableSize(0));
                let back = *c.pick(&[0u64, 1, 2]);
                b.int_const(it, back);
                b.emit(IBin::Sub.ins(it));
                return;
            }
            1 => size.wrapping_sub(*c.pick(&[0u64, 1, 2])),
            _ => c.below(size + 2),
        };
        b.int_const(it, i);
    };
    let value = |b: &mut FnBuilder, c: &mut Choices| {
        if elems.is_empty() || c.chance(1, 2) {
            b.emit(I::RefNull(wasm_encoder::HeapType::FUNC));
        } else {
            b.emit(I::RefFunc(*c.pick(&elems)));
        }
    };
    match c.below(4) {
        0 => {
            index(b, c);
            value(b, c);
            let len = *c.pick(&[0u64, 1, 2, 3, size]);
            b.int_const(it, len);
            b.emit(I::TableFill(0));
        }
        1 => {
            index(b, c);
            index(b, c);
            let len = *c.pick(&[0u64, 1, 2, size]);
            b.int_const(it, len);
            b.emit(I::TableCopy {
                src_table: 0,
                dst_table: 0,
            });
        }
        2 => {
            index(b, c);
            value(b, c);
            b.emit(I::TableSet(0));
        }
        _ => {
            value(b, c);
            let delta = *c.pick(&[0u64, 1, 2]);
            b.int_const(it, delta);
            b.emit(I::TableGrow(0));
            b.emit(I::Drop);
        }
    }
    if c.chance(1, 2) {
        b.int_const(it, c.below(size.max(1)));
        b.emit(I::TableGet(0));
        b.emit(I::RefIsNull);
        b.to_int(c, Ty::I32, false, ty);
    } else {
        b.emit(I::TableSize(0));
        b.to_int(c, it, false, ty);
    }
    false
}

// ---- floats ------------------------------------------------------------------------------------

/// `add`, `sub`, `mul`, `div`, `sqrt` of boundary values, operands and loads; chains with
/// constants.
fn float_arith(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    match c.below(4) {
        0 => {
            b.expr(c, ty);
            b.emit(FUn::Sqrt.ins(ty));
        }
        1 => {
            b.expr(c, ty);
            b.konst(c, ty);
            float_op(b, c, ty);
            b.konst(c, ty);
            float_op(b, c, ty);
        }
        2 => {
            b.konst(c, ty);
            b.konst(c, ty);
            float_op(b, c, ty);
        }
        _ => {
            b.expr(c, ty);
            b.rhs(c, ty);
            let op = *c.pick(&[FBin::Add, FBin::Sub, FBin::Mul, FBin::Div]);
            b.emit(op.ins(ty));
        }
    }
    true
}

/// `abs`, `neg`, `neg(abs x)` (wasmi's `nabs`), `neg(neg x)`, `copysign` with a constant
/// sign (abs/nabs) or a computed one, `(-x) * (-y)`.
fn float_sign(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let copysign = if ty == Ty::F64 {
        I::F64Copysign
    } else {
        I::F32Copysign
    };
    match c.below(5) {
        0 => {
            let nd = b.expr(c, ty);
            for _ in 0..c.range(1, 2) {
                b.emit(if c.chance(1, 2) {
                    FUn::Abs.ins(ty)
                } else {
                    FUn::Neg.ins(ty)
                });
            }
            nd
        }
        1 => {
            let nd = b.expr(c, ty);
            b.konst(c, ty);
            b.emit(copysign);
            nd
        }
        2 => {
            let nd = b.expr(c, ty);
            let sign = b.expr(c, ty);
            b.canon(ty, sign);
            if c.chance(1, 3) {
                b.emit(FUn::Neg.ins(ty));
            }
            b.emit(copysign);
            nd
        }
        3 => {
            b.expr(c, ty);
            b.emit(FUn::Neg.ins(ty));
            b.expr(c, ty);
            b.emit(FUn::Neg.ins(ty));
            b.emit(FBin::Mul.ins(ty));
            true
        }
        _ => {
            let nd = b.expr(c, ty);
            b.emit(FUn::Abs.ins(ty));
            b.emit(FUn::Neg.ins(ty));
            b.konst(c, ty);
            b.emit(copysign);
            nd
        }
    }
}

/// `ceil`, `floor`, `trunc`, `nearest` of ties, integral edges and operands; two in a row.
fn float_round(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    if c.chance(1, 2) {
        b.konst(c, ty);
    } else {
        b.expr(c, ty);
    }
    b.emit(c.pick(&FUn::ROUND).ins(ty));
    if c.chance(1, 4) {
        b.emit(c.pick(&FUn::ROUND).ins(ty));
    }
    true
}

/// `min`/`max` with ±0, NaN and equal operands; `select (x < y) x y` (`minss`/`maxss`).
fn float_minmax(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let x = b.var(c, ty);
    let y = b.var(c, ty);
    match c.below(3) {
        0 => {
            b.get(x);
            b.get(y);
            b.emit(c.pick(&[FBin::Min.ins(ty), FBin::Max.ins(ty)]).clone());
            true
        }
        1 => {
            let (p, q) = if c.chance(1, 2) { (x, y) } else { (y, x) };
            let nd = b.var_nd(x) || b.var_nd(y);
            b.get(x);
            b.get(y);
            b.get(p);
            b.get(q);
            b.emit(
                c.pick(&[FCmp::Lt.ins(ty), FCmp::Gt.ins(ty), FCmp::Le.ins(ty)])
                    .clone(),
            );
            b.emit(I::Select);
            nd
        }
        _ => {
            b.get(x);
            b.get(y);
            b.emit(FBin::Min.ins(ty));
            b.get(y);
            b.emit(FBin::Max.ins(ty));
            true
        }
    }
}

/// Float comparisons as values and conditions, negated by `eqz` (NaN makes `!(x < y)`
/// differ from `x >= y`), `x != x`.
fn float_cmp(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let fty = FnBuilder::float_ty(c);
    if ty.is_float() {
        let nd_a = b.expr(c, ty);
        let nd_b = b.rhs(c, ty);
        b.expr(c, fty);
        b.rhs(c, fty);
        b.emit(c.pick(&FCmp::ALL).ins(fty));
        if c.chance(1, 2) {
            b.emit(I::I32Eqz);
        }
        b.emit(I::Select);
        return nd_a || nd_b;
    }
    if c.chance(1, 4) {
        let x = b.var(c, fty);
        b.get(x);
        b.get(x);
        b.emit(c.pick(&[FCmp::Ne.ins(fty), FCmp::Eq.ins(fty)]).clone());
    } else {
        b.expr(c, fty);
        b.rhs(c, fty);
        b.emit(c.pick(&FCmp::ALL).ins(fty));
        if c.chance(1, 2) {
            b.emit(I::I32Eqz);
        }
    }
    widen_bool(b, c, ty)
}

/// Float-to-integer truncations, trapping and saturating, of conversion edges.
fn float_to_int(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let fty = FnBuilder::float_ty(c);
    if c.chance(1, 2) {
        b.konst(c, fty);
    } else {
        b.expr(c, fty);
    }
    let sat = c.chance(2, 3);
    let signed = c.chance(1, 2);
    b.emit(match (ty, fty, sat, signed) {
        (Ty::I32, Ty::F32, false, true) => I::I32TruncF32S,
        (Ty::I32, Ty::F32, false, false) => I::I32TruncF32U,
        (Ty::I32, Ty::F32, true, true) => I::I32TruncSatF32S,
        (Ty::I32, Ty::F32, true, false) => I::I32TruncSatF32U,
        (Ty::I32, _, false, true) => I::I32TruncF64S,
        (Ty::I32, _, false, false) => I::I32TruncF64U,
        (Ty::I32, _, true, true) => I::I32TruncSatF64S,
        (Ty::I32, _, true, false) => I::I32TruncSatF64U,
        (_, Ty::F32, false, true) => I::I64TruncF32S,
        (_, Ty::F32, false, false) => I::I64TruncF32U,
        (_, Ty::F32, true, true) => I::I64TruncSatF32S,
        (_, Ty::F32, true, false) => I::I64TruncSatF32U,
        (_, _, false, true) => I::I64TruncF64S,
        (_, _, false, false) => I::I64TruncF64U,
        (_, _, true, true) => I::I64TruncSatF64S,
        (_, _, true, false) => I::I64TruncSatF64U,
    });
    false
}

/// Integer-to-float conversions (signed, unsigned, of extended values), promotions and
/// demotions.
fn int_to_float(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let other = if ty == Ty::F64 { Ty::F32 } else { Ty::F64 };
    if c.chance(1, 4) {
        // Promotion and demotion are arithmetic: the result may be any NaN whatever the input.
        b.expr(c, other);
        b.emit(if ty == Ty::F64 {
            I::F64PromoteF32
        } else {
            I::F32DemoteF64
        });
        return true;
    }
    let ity = FnBuilder::int_ty(c);
    if ity == Ty::I64 && c.chance(1, 3) {
        b.expr(c, Ty::I32);
        b.emit(if c.chance(1, 2) {
            I::I64ExtendI32S
        } else {
            I::I64ExtendI32U
        });
    } else if c.chance(1, 2) {
        b.konst(c, ity);
    } else {
        b.expr(c, ity);
    }
    let signed = c.chance(1, 2);
    b.emit(match (ty, ity, signed) {
        (Ty::F32, Ty::I32, true) => I::F32ConvertI32S,
        (Ty::F32, Ty::I32, false) => I::F32ConvertI32U,
        (Ty::F32, _, true) => I::F32ConvertI64S,
        (Ty::F32, _, false) => I::F32ConvertI64U,
        (_, Ty::I32, true) => I::F64ConvertI32S,
        (_, Ty::I32, false) => I::F64ConvertI32U,
        (_, _, true) => I::F64ConvertI64S,
        (_, _, false) => I::F64ConvertI64U,
    });
    false
}

/// Reinterpretations both ways with bit tricks on the integer side (sign masks, exponent
/// fields), and round trips.
fn reinterpret(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let (fty, ity) = if ty.is_float() {
        (ty, ty.int())
    } else if ty == Ty::I64 {
        (Ty::F64, Ty::I64)
    } else {
        (Ty::F32, Ty::I32)
    };
    let (to_int, to_float) = if ity == Ty::I64 {
        (I::I64ReinterpretF64, I::F64ReinterpretI64)
    } else {
        (I::I32ReinterpretF32, I::F32ReinterpretI32)
    };
    let w = u64::from(ity.bits());
    let sign = 1u64 << (w - 1);
    let masks = [
        sign,
        sign - 1,
        if w == 64 {
            0x7ff0_0000_0000_0000
        } else {
            0x7f80_0000
        },
        if w == 64 {
            0x000f_ffff_ffff_ffff
        } else {
            0x007f_ffff
        },
        1,
    ];
    let nd = b.expr(c, fty);
    b.canon(fty, nd);
    b.emit(to_int);
    match c.below(3) {
        0 => {
            let k = *c.pick(&masks);
            b.int_const(ity, k);
            b.emit(c.pick(&[IBin::And, IBin::Or, IBin::Xor]).ins(ity));
        }
        1 => {
            let k = *c.pick(&[w - 1, if w == 64 { 52 } else { 23 }]);
            b.int_const(ity, k);
            b.emit(IBin::ShrU.ins(ity));
        }
        _ => {}
    }
    if ty.is_float() {
        b.emit(to_float);
    }
    false
}

/// Extends and wraps between widths, and their combinations the mid-end folds.
fn extend_wrap(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    if ty == Ty::I64 {
        match c.below(7) {
            0 => {
                b.expr(c, Ty::I32);
                b.emit(c.pick(&[I::I64ExtendI32S, I::I64ExtendI32U]).clone());
            }
            1 => {
                b.expr(c, Ty::I64);
                b.emit(
                    c.pick(&[I::I64Extend8S, I::I64Extend16S, I::I64Extend32S])
                        .clone(),
                );
            }
            2 => {
                b.expr(c, Ty::I32);
                b.emit(c.pick(&[I::I32Extend8S, I::I32Extend16S]).clone());
                b.emit(c.pick(&[I::I64ExtendI32S, I::I64ExtendI32U]).clone());
            }
            3 => {
                b.expr(c, Ty::I32);
                b.emit(c.pick(&[I::I64ExtendI32S, I::I64ExtendI32U]).clone());
                let k = *c.pick(&[0xffff_ffff, 0xff, 0xffff, 0x7fff_ffff, 0x1_ffff_ffff]);
                b.int_const(Ty::I64, k);
                b.emit(I::I64And);
            }
            4 => {
                let k = *c.pick(&[56u64, 48, 32]);
                b.expr(c, Ty::I64);
                b.int_const(Ty::I64, k);
                b.emit(I::I64Shl);
                b.int_const(Ty::I64, k);
                b.emit(c.pick(&[I::I64ShrS, I::I64ShrU]).clone());
            }
            5 => {
                b.expr(c, Ty::I64);
                b.emit(I::I32WrapI64);
                b.emit(c.pick(&[I::I64ExtendI32S, I::I64ExtendI32U]).clone());
            }
            _ => {
                let ext = c.pick(&[I::I64ExtendI32S, I::I64ExtendI32U]).clone();
                b.expr(c, Ty::I32);
                b.emit(ext.clone());
                b.expr(c, Ty::I32);
                b.emit(ext);
                b.emit(
                    c.pick(&[I::I64And, I::I64Or, I::I64Xor, I::I64Add, I::I64Mul])
                        .clone(),
                );
            }
        }
    } else {
        match c.below(5) {
            0 => {
                b.expr(c, Ty::I64);
                b.emit(I::I32WrapI64);
            }
            1 => {
                b.expr(c, Ty::I32);
                b.emit(c.pick(&[I::I32Extend8S, I::I32Extend16S]).clone());
            }
            2 => {
                b.expr(c, Ty::I32);
                b.emit(c.pick(&[I::I64ExtendI32S, I::I64ExtendI32U]).clone());
                b.emit(I::I32WrapI64);
            }
            3 => {
                b.expr(c, Ty::I64);
                b.expr(c, Ty::I64);
                b.emit(
                    c.pick(&[
                        IBin::Add,
                        IBin::Sub,
                        IBin::Mul,
                        IBin::And,
                        IBin::Or,
                        IBin::Xor,
                    ])
                    .ins(Ty::I64),
                );
                if c.chance(1, 2) {
                    b.int_const(Ty::I64, 32);
                    b.emit(I::I64ShrU);
                }
                b.emit(I::I32WrapI64);
            }
            _ => {
                let k = *c.pick(&[24u64, 16]);
                b.expr(c, Ty::I32);
                b.int_const(Ty::I32, k);
                b.emit(I::I32Shl);
                b.int_const(Ty::I32, k);
                b.emit(c.pick(&[I::I32ShrS, I::I32ShrU]).clone());
            }
        }
    }
    false
}

// ---- values live across calls, loops and throws -------------------------------------------------

/// Pushes 3 to 12 operands of mixed types to stay live across what follows.
fn live_values(b: &mut FnBuilder, c: &mut Choices) -> Vec<(Ty, Nd)> {
    let n = c.range(3, 12);
    (0..n)
        .map(|_| {
            let t = *c.pick(&Ty::ALL);
            let nd = if c.chance(1, 2) {
                b.leaf(c, t)
            } else {
                b.expr(c, t)
            };
            (t, nd)
        })
        .collect()
}

/// A counted loop (1 to 4 trips, or one to four from an operand) updating 1 to 3
/// accumulators per trip; leaves the accumulators.
fn counted_loop(b: &mut FnBuilder, c: &mut Choices) -> Vec<(Ty, Nd)> {
    let counter = b.new_local(Ty::I32, false);
    b.reserve(counter);
    if c.chance(2, 3) {
        b.int_const(Ty::I32, c.range(1, 4));
    } else {
        b.expr(c, Ty::I32);
        b.int_const(Ty::I32, 3);
        b.emit(I::I32And);
        b.int_const(Ty::I32, 1);
        b.emit(I::I32Add);
    }
    b.emit(I::LocalSet(counter));
    let accs: Vec<(Ty, u32)> = (0..c.range(1, 3))
        .map(|_| {
            let t = *c.pick(&Ty::ALL);
            b.expr(c, t);
            let l = b.new_local(t, true);
            b.emit(I::LocalSet(l));
            (t, l)
        })
        .collect();
    b.emit(I::Loop(BlockType::Empty));
    for &(t, l) in &accs {
        b.emit(I::LocalGet(l));
        combine(b, c, t, true);
        b.emit(I::LocalSet(l));
    }
    b.emit(I::LocalGet(counter));
    b.int_const(Ty::I32, 1);
    b.emit(I::I32Sub);
    b.emit(I::LocalTee(counter));
    b.emit(I::BrIf(0));
    b.emit(I::End);
    accs.iter()
        .map(|&(t, l)| {
            b.emit(I::LocalGet(l));
            (t, b.local_nd(l))
        })
        .collect()
}

/// Loop-carried values: accumulators in locals, or a value carried as the loop's parameter
/// across the back edge.
fn loop_carried(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    if c.chance(1, 3) {
        let counter = b.new_local(Ty::I32, false);
        b.reserve(counter);
        b.int_const(Ty::I32, c.range(1, 4));
        b.emit(I::LocalSet(counter));
        let nd = b.expr(c, ty);
        let bt = b.block_type(&[ty], &[ty]);
        b.emit(I::Loop(bt));
        let nd = combine(b, c, ty, nd) || nd;
        b.emit(I::LocalGet(counter));
        b.int_const(Ty::I32, 1);
        b.emit(I::I32Sub);
        b.emit(I::LocalTee(counter));
        b.emit(I::BrIf(0));
        b.emit(I::End);
        return nd || ty.is_float();
    }
    let accs = counted_loop(b, c);
    b.fold(c, &accs, ty)
}

/// Values live across a counted loop.
fn live_across_loop(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let mut values = live_values(b, c);
    values.extend(counted_loop(b, c));
    b.fold(c, &values, ty)
}

/// Values live across a call.
fn live_across_call(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let mut values = live_values(b, c);
    let callees = b.plain_callees();
    let f = *c.pick(&callees);
    values.extend(b.call(c, f));
    b.fold(c, &values, ty)
}

/// Values live across a `call_indirect`.
fn live_across_call_indirect(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let mut values = live_values(b, c);
    let callees: Vec<u32> = b
        .plain_callees()
        .into_iter()
        .filter(|&f| b.layout.slot_of(f).is_some())
        .collect();
    let f = *c.pick(&callees);
    values.extend(b.call_indirect(c, f));
    b.fold(c, &values, ty)
}

/// Values live across a call to a function that ends in a tail call.
fn live_across_tail_call(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let mut values = live_values(b, c);
    let callees: Vec<u32> = b
        .plain_callees()
        .into_iter()
        .filter(|&f| {
            matches!(
                b.layout.funcs[f as usize].role,
                super::Role::Callee { tail: Some(_) }
            )
        })
        .collect();
    let f = *c.pick(&callees);
    values.extend(b.call(c, f));
    b.fold(c, &values, ty)
}

/// The catch clause of a `try_table` for tag `tag`, and the types its label receives.
fn clause(c: &mut Choices, b: &mut FnBuilder, tag: u32) -> (Catch, Vec<Ty>, bool) {
    let payload = b.layout.tags[tag as usize].0.clone();
    match c.weighted(&[5, 2, 1, 1]) {
        0 => (Catch::One { tag, label: 0 }, payload, false),
        1 => (Catch::All { label: 0 }, vec![], false),
        2 => (Catch::OneRef { tag, label: 0 }, payload, true),
        _ => (Catch::AllRef { label: 0 }, vec![], true),
    }
}

/// `block $out (result t) (block $h (result H) (try_table (result t) (catch .. $h) body)
/// (br $out)) handler end`: the body throws (directly under a condition, or from a throwing
/// callee, so the exception is caught across frames) or not; the handler computes an idiom
/// from the payload, and may rethrow a caught exnref.
fn try_catch(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let throwers = b.throwers();
    let via_callee = !throwers.is_empty() && c.chance(2, 3);
    let (tag, callee) = if via_callee {
        let f = *c.pick(&throwers);
        let tag = match b.layout.funcs[f as usize].role {
            super::Role::Thrower { tag } => tag,
            _ => 0,
        };
        (tag, Some(f))
    } else {
        (c.below(b.layout.tags.len() as u64) as u32, None)
    };
    let (catch, mut handler_types, with_ref) = clause(c, b, tag);
    let out = BlockType::Result(ty.encoder());
    b.emit(I::Block(out));
    let h = if with_ref {
        // The label receives the payload then an exnref: a type with an exnref result.
        b.exn_block_type(&handler_types)
    } else {
        b.block_type(&[], &handler_types)
    };
    b.emit(I::Block(h));
    b.emit(I::TryTable(out, std::borrow::Cow::Owned(vec![catch])));
    let nd_body = match callee {
        Some(f) => {
            let results = b.call(c, f);
            let nd = b.fold(c, &results, ty);
            combine(b, c, ty, nd)
        }
        None => {
            b.cond(c);
            b.emit(I::If(BlockType::Empty));
            let payload = b.layout.tags[tag as usize].0.clone();
            for t in payload {
                let nd = b.expr(c, t);
                b.canon(t, nd);
            }
            b.emit(I::Throw(tag));
            b.emit(I::End);
            b.expr(c, ty)
        }
    };
    b.emit(I::End); // try_table
    b.emit(I::Br(1));
    b.emit(I::End); // $h: the handler's values are on the stack
    if with_ref {
        let exn = b.exn_local();
        b.emit(I::LocalSet(exn));
        if c.chance(1, 3) {
            b.cond(c);
            b.emit(I::If(BlockType::Empty));
            b.emit(I::LocalGet(exn));
            b.emit(I::ThrowRef);
            b.emit(I::End);
        }
    }
    let nd_handler = b.expr(c, ty);
    let mut values: Vec<(Ty, Nd)> = handler_types.drain(..).map(|t| (t, false)).collect();
    values.push((ty, nd_handler));
    let nd = b.fold(c, &values, ty);
    b.emit(I::End); // $out
    nd_body || nd
}

/// Values live across a throw caught in this function.
fn live_across_throw(b: &mut FnBuilder, c: &mut Choices, ty: Ty) -> Nd {
    let mut values = live_values(b, c);
    let t = *c.pick(&Ty::ALL);
    let nd = try_catch(b, c, t);
    values.push((t, nd));
    b.fold(c, &values, ty)
}

/// The rows that catch exceptions: every entry of a module with exceptions starts with one.
pub const EXCEPTION_ROWS: [&str; 2] = ["try_catch", "live_across_throw"];

/// Every idiom template. The order is not significant except that, once the input is
/// exhausted, the first row that applies is taken.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "alu_imm",
        family: "x64 lower.isle `iadd`/`isub`/`band`/`bor`/`bxor`/`imul`/shift rules with `simm32_from_value`/`imm8` immediates on either side; cprop.isle constant folding and commutation; wasmi `translate_binary[_commutative]_vt` `op_rri`/`op_rsi`/`op_rir`/`op_ris` and `translate_binary_consteval`",
        weight: 8,
        applies: int,
        build: alu_imm,
    },
    Template {
        name: "alu_chain",
        family: "cprop.isle reassociation `(op (op x k) k)` and `((a op B) op (c op D))`; remat.isle ALU-with-immediate",
        weight: 5,
        applies: int,
        build: alu_chain,
    },
    Template {
        name: "lea",
        family: "x64 `iadd_base_case_32_or_64_lea` through `to_amode_add` (`to_amode_add_const_*`, `amode_imm_reg_reg_shift_shl_*` for shifts 0-3); arithmetic.isle `imul` by 2 and powers of two",
        weight: 4,
        applies: int,
        build: lea,
    },
    Template {
        name: "andn",
        family: "x64 `band x (bnot y)` rules 10/11 (`andn`); bitops.isle `bnot` of `band`/`bor` (De Morgan)",
        weight: 3,
        applies: int,
        build: andn,
    },
    Template {
        name: "bmi",
        family: "x64 BMI1/BMI2: `blsr` (`val_minus_one`, band rules 12/13), `blsi` (rules 14/15), `blsmsk` (bxor rules 8/9), `bzhi` (band rule 16)",
        weight: 3,
        applies: int,
        build: bmi,
    },
    Template {
        name: "shld_rotate",
        family: "x64 `bor (ishl x xs) (ushr y ys)` rule 8 (`shld`); shifts.isle `bor` of opposite shifts to `rotl`; amounts at 0, the width and beyond",
        weight: 3,
        applies: int,
        build: shld_rotate,
    },
    Template {
        name: "shift_pair",
        family: "shifts.isle `(x >> k) << k` masks, `(x << k) >> k` to `ireduce`+extend, consecutive shifts combined or zeroed, `ineg (ushr x w-1)` to `sshr`, extends/`ireduce` of amounts dropped; x64 amount masking",
        weight: 4,
        applies: int,
        build: shift_pair,
    },
    Template {
        name: "rotate_pair",
        family: "shifts.isle `rotl (rotr x y) y`, constant rotate amounts grouped (`iadd_uextend`/`isub_uextend`); wasmi `decode_rhs_as_shift_amount` (`ReturnLhs` for multiples of the width)",
        weight: 2,
        applies: int,
        build: rotate_pair,
    },
    Template {
        name: "mul_const",
        family: "arithmetic.isle `imul` by 0/1/-1/2/powers of two, `x * (1 << y)`, `ineg x * ineg y`; x64 `imul` three-operand `i32_from_iconst` rules -4/-3 (constants outside `simm32` too)",
        weight: 3,
        applies: int,
        build: mul_const,
    },
    Template {
        name: "div_const",
        family: "arithmetic.isle `udiv`/`sdiv`/`urem`/`srem` `simplify_skeleton` rules (±1, powers of two, negative powers) and the magic numbers of `div_const.rs`; x64 `nonzero_sdiv_divisor`, `srem` by `iconst` rule 2 (`x % -1 = 0`); wasmi `decode_rhs_as_divisor` (zero traps at translation)",
        weight: 4,
        applies: int,
        build: div_const,
    },
    Template {
        name: "div_var",
        family: "x64 `sdiv`/`udiv`/`srem`/`urem` with a register divisor (the `MIN / -1` trap, `MIN % -1 = 0`); wasmi `try_fuse_select` on the guarded divisor `select 1 y (eqz y)`",
        weight: 3,
        applies: int,
        build: div_var,
    },
    Template {
        name: "algebra",
        family: "arithmetic.isle and bitops.isle rewrites with a repeated operand: `(x+y)-(x|y)`, `(x|y)-(x&y)`, `(x^y)^x`, `~x+x`, `x-(x+y)`, `(x&y)|(x&~y)`, `eq (bxor x z) (bxor y z)`, ...",
        weight: 5,
        applies: int,
        build: algebra,
    },
    Template {
        name: "minmax",
        family: "selects.isle `select (icmp x y) x y` to `smin`/`smax`/`umin`/`umax` in both operand orders, `iabs` from selects, `select d a (select d _ y)`; arithmetic.isle `min + max`; x64 `cmp_and_choose` (`cmov`)",
        weight: 3,
        applies: int,
        build: minmax,
    },
    Template {
        name: "spaceship",
        family: "spaceship.isle: nested selects of `x < y` / `x == y` into `(x > y) - (x < y)`, then `(a <=> b) cmp 0/±1` to a plain comparison",
        weight: 2,
        applies: int,
        build: spaceship,
    },
    Template {
        name: "bitcount",
        family: "x64 `clz`/`ctz`/`popcnt` (`lzcnt`/`tzcnt`/`popcnt` or the `bsr`/`bsf` fallbacks for zero); icmp.isle `ctz(x) == 0` / `clz(x) == 0` boolean-context rewrites",
        weight: 3,
        applies: int,
        build: bitcount,
    },
    Template {
        name: "cmp_value",
        family: "icmp.isle comparisons at the signed/unsigned extremes, icmp of icmp, `band`/`bor` of two comparisons, `x + K1 == K2`; extends.isle `sextend` of `icmp`; wasmi `fuse_eqz`/`fuse_nez`/`logicalize_cmp_instr`",
        weight: 4,
        applies: int,
        build: cmp_value,
    },
    Template {
        name: "select_cond",
        family: "x64 `lower_select` with `is_nonzero_cmp` (flags to `cmov`, `test` for zero, `bt` for single-bit `band`, fcmp parity `CondResult.And/Or`); wasmi `try_fuse_select` and the `*_select_r??` operand forms",
        weight: 5,
        applies: any,
        build: select_cond,
    },
    Template {
        name: "branch_cond",
        family: "x64 `lower_branch` `brif` on flags; wasmi `fused_cmp_branch`/`encode_br_eqz` (compare+branch with negation, `branch_i32_and`/`or`/`not_and`/`not_or`, constant conditions)",
        weight: 4,
        applies: any,
        build: branch_cond,
    },
    Template {
        name: "if_else",
        family: "wasmi `visit_if` (`fused_br_eqz`, `preserve_all_locals`, `preserve_temp_regs`); Cranelift `brif` with block parameters",
        weight: 3,
        applies: any,
        build: if_else,
    },
    Template {
        name: "br_table",
        family: "x64 `br_table` jump tables (out-of-range index to the default); wasmi `visit_br_table` (constant index to `br`, values copied to every target)",
        weight: 2,
        applies: any,
        build: br_table,
    },
    Template {
        name: "block_value",
        family: "wasmi `copy_branch_params`, `translate_end_block` (results in the accumulator register), block parameters; Cranelift block params",
        weight: 2,
        applies: any,
        build: block_value,
    },
    Template {
        name: "local_shadow",
        family: "wasmi `translate_local_set` (`fused_local_set` redirecting a result into the local, `preserve_locals` of pending `local.get`s) and `visit_local_tee`",
        weight: 3,
        applies: any,
        build: local_shadow,
    },
    Template {
        name: "extend_wrap",
        family: "extends.isle (`uextend`/`sextend` chains, `ireduce` of extends, `band` of extends, `ireduce` pushed into add/sub/mul/and/or/xor); x64 `movsx`/`movzx` (`extend_to_gpr`), `ireduce`; sign-extension ops against `(x << k) >>s k`",
        weight: 4,
        applies: int,
        build: extend_wrap,
    },
    Template {
        name: "load_op",
        family: "x64 `sinkable_load` into `iadd` (rules -4/-3), `band`/`bor`/`bxor` (rule 1), `imul`, `icmp`, `fadd`/`fmul` (`sinkable_load_32/64`); `load_sub64_x64_movzx`, `uload8`..`sload32`; wasmi `select_load_op_vt` (`*Mem0Offset16`, immediate addresses)",
        weight: 5,
        applies: mem,
        build: load_op,
    },
    Template {
        name: "addr_mode",
        family: "x64 `to_amode`: constants folded into the displacement (`to_amode_add_const_*`, `i32_checked_add`), scaled indices (`amode_imm_reg_reg_shift`), 32-bit wrap-around of `base + d`; wasmi `effective_address`",
        weight: 3,
        applies: mem,
        build: addr_mode,
    },
    Template {
        name: "rmw",
        family: "x64 `store_x64_add_mem` and the `sub`/`and`/`or`/`xor` memory-operand forms (load-op-store at one address); the stored value reloaded (alias analysis)",
        weight: 3,
        applies: mem,
        build: rmw,
    },
    Template {
        name: "store_reload",
        family: "x64 `istore8/16/32` with `ireduce` folded, stores of floats (`store_x64_movrm`); reloads at other widths/offsets; wasmi `choose_store_op_vt` immediate value/address and `offset16` forms",
        weight: 3,
        applies: mem,
        build: store_reload,
    },
    Template {
        name: "bulk_memory",
        family: "bulk memory bounds: wasmtime's `memory_fill`/`memory_copy` libcalls and Cranelift's inline checks (trap before writing anything, a zero length past the bound still traps), wasmi `MemoryFill`/`MemoryCopy` with immediate lengths and addresses",
        weight: 2,
        applies: mem,
        build: bulk_memory,
    },
    Template {
        name: "table_ops",
        family: "table bounds: `table.fill`/`table.copy`/`table.set`/`table.grow` at the table's size (Cranelift `table_addr` bounds checks and libcalls, Pulley's table ops, wasmi `TableFill`/`TableCopy` immediate forms); state after a trap",
        weight: 2,
        applies: table,
        build: table_ops,
    },
    Template {
        name: "bounds",
        family: "bounds checks at each memory's bound and above 4 GiB on memory64 (`uadd_overflow_trap` on addr + offset, guard-page elision, the explicit-checks configuration); wasmi static out-of-bounds traps in `effective_address`",
        weight: 2,
        applies: mem,
        build: bounds,
    },
    Template {
        name: "float_arith",
        family: "x64 `fadd`/`fsub`/`fmul`/`fdiv`/`sqrt`; cprop.isle float folding (only non-NaN results)",
        weight: 4,
        applies: float,
        build: float_arith,
    },
    Template {
        name: "float_sign",
        family: "x64 `fabs`/`fneg`/`fcopysign` sign masks; arithmetic.isle `fneg (fneg x)`, `fmul_fneg_fneg`; wasmi `try_lower_f32_abs_neg` (`nabs`), `f32_copysign_rri` (abs/nabs)",
        weight: 4,
        applies: float,
        build: float_sign,
    },
    Template {
        name: "float_round",
        family: "x64 `ceil`/`floor`/`trunc`/`nearest` (`x64_round` with SSE4.1 or `round_libcall`): ties, integral edges",
        weight: 3,
        applies: float,
        build: float_round,
    },
    Template {
        name: "float_minmax",
        family: "x64 `fmin`/`fmax` (NaN and ±0 sequences) and `select (fcmp lt x y) x y` to `minss`/`maxss` (select rules 3/4)",
        weight: 3,
        applies: float,
        build: float_minmax,
    },
    Template {
        name: "float_cmp",
        family: "x64 `emit_fcmp` (unordered and parity: `CondResult.And/Or`) to `setcc`/`cmov`; wasmi float compare negation (`F32NotLt`, ...) under `eqz`",
        weight: 3,
        applies: any,
        build: float_cmp,
    },
    Template {
        name: "float_to_int",
        family: "x64 `fcvt_to_sint`/`fcvt_to_uint` (trapping) and `_sat` sequences at 2^31, 2^32, 2^63, NaN, ±inf",
        weight: 3,
        applies: int,
        build: float_to_int,
    },
    Template {
        name: "int_to_float",
        family: "x64 `fcvt_from_sint`/`fcvt_from_uint` (the u64 sequence); arithmetic.isle dropping extends under `fcvt_from_*`; `fpromote`/`fdemote`",
        weight: 3,
        applies: float,
        build: int_to_float,
    },
    Template {
        name: "reinterpret",
        family: "x64 `bitcast` between GPR and XMM; sign, exponent and mantissa masks on the bits",
        weight: 3,
        applies: any,
        build: reinterpret,
    },
    Template {
        name: "loop_carried",
        family: "register allocation across loop back edges; wasmi loop block parameters and `copy_branch_params` on `br_if` to a loop",
        weight: 3,
        applies: any,
        build: loop_carried,
    },
    Template {
        name: "live_across_loop",
        family: "register allocation: many values (ints and floats) live across a loop",
        weight: 2,
        applies: any,
        build: live_across_loop,
    },
    Template {
        name: "live_across_call",
        family: "register allocation: many values live across a call (caller-saved registers spilled and restored); wasmi `preserve_regs`/`preserve_temp_regs`",
        weight: 3,
        applies: callee,
        build: live_across_call,
    },
    Template {
        name: "live_across_call_indirect",
        family: "register allocation across `call_indirect` (table bounds, signature check)",
        weight: 2,
        applies: indirect_callee,
        build: live_across_call_indirect,
    },
    Template {
        name: "live_across_tail_call",
        family: "values live across a call whose callee ends in `return_call`/`return_call_indirect` (frame replacement)",
        weight: 2,
        applies: tail_callee,
        build: live_across_tail_call,
    },
    Template {
        name: "try_catch",
        family: "exceptions: idioms inside `try_table` bodies and handlers, payloads computed by idioms, throws caught across frames, `catch_ref` + `throw_ref`",
        weight: 5,
        applies: tagged,
        build: try_catch,
    },
    Template {
        name: "live_across_throw",
        family: "register allocation across a throw caught in the same function (Cranelift `try_call` exception edges)",
        weight: 3,
        applies: thrower,
        build: live_across_throw,
    },
];
