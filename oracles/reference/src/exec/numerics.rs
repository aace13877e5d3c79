//! Numeric operators (spec 4.3 "Numerics"): one pure function per operator, each documenting the trap it can raise.
//
// Conventions (the contract with the evaluator):
// - one `pub fn` per non-SIMD numeric operator of WebAssembly 2.0, named like wasmparser's `Operator`
//   variant in snake_case (`i32.trunc_sat_f32_s` -> `i32_trunc_sat_f32_s`);
// - `i32` / `i64` values are the signed Rust types; unsigned operators reinterpret with `as`;
// - `f32` / `f64` values are raw bits (`u32` / `u64`) in and out, so NaN payloads survive untouched
//   wherever the spec says they must (`abs`, `neg`, `copysign`, reinterpretations);
// - comparisons and `eqz` return an `i32` that is 0 or 1;
// - operators that can trap return `Result<_, NumericError>`; all others return plain values.
//
// NaN policy (spec 4.3.3 "nans"): an arithmetic float operator that produces a NaN returns the positive
// canonical NaN of its type, whatever its inputs were. The spec allows any canonical NaN (or, for NaN
// inputs, an arithmetic NaN); always picking the positive canonical one keeps the oracle deterministic.

use std::fmt;

/// The traps a numeric operator can raise (spec 4.3: the operators whose result is empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumericError {
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// A result that is not representable: `iNN.div_s` of `MIN / -1`, or a float truncated to an
    /// integer outside the target type's range.
    IntegerOverflow,
    /// A NaN truncated to an integer.
    InvalidConversionToInteger,
}

impl NumericError {
    /// The spec interpreter's text for this trap, as matched by `assert_trap` in `.wast` scripts.
    pub fn message(self) -> &'static str {
        match self {
            NumericError::IntegerDivideByZero => "integer divide by zero",
            NumericError::IntegerOverflow => "integer overflow",
            NumericError::InvalidConversionToInteger => "invalid conversion to integer",
        }
    }
}

impl fmt::Display for NumericError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for NumericError {}

/// The positive canonical NaN of `f32` (bits), returned by every arithmetic `f32` operator whose result
/// is a NaN.
pub const F32_CANONICAL_NAN: u32 = 0x7fc0_0000;

/// The positive canonical NaN of `f64` (bits), returned by every arithmetic `f64` operator whose result
/// is a NaN.
pub const F64_CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

const F32_SIGN: u32 = 0x8000_0000;
const F64_SIGN: u64 = 0x8000_0000_0000_0000;

/// Bits of an arithmetic `f32` result, with any NaN replaced by the positive canonical NaN.
fn canon_f32(x: f32) -> u32 {
    if x.is_nan() {
        F32_CANONICAL_NAN
    } else {
        x.to_bits()
    }
}

/// Bits of an arithmetic `f64` result, with any NaN replaced by the positive canonical NaN.
fn canon_f64(x: f64) -> u64 {
    if x.is_nan() {
        F64_CANONICAL_NAN
    } else {
        x.to_bits()
    }
}

/// Bool to the `i32` that wasm comparisons push.
fn bool_i32(b: bool) -> i32 {
    i32::from(b)
}

// ---------------------------------------------------------------------------------------------------
// Integer operators (spec 4.3.2 "Integer Operations"): arithmetic is modulo 2^N; shift and rotate
// counts are taken modulo N; only division and remainder trap.
// ---------------------------------------------------------------------------------------------------

// i32: unary (iclz, ictz, ipopcnt, iextendM_s).

/// `i32.clz`: number of leading zero bits (32 for 0) (spec `iclz`). Traps: none.
pub fn i32_clz(a: i32) -> i32 {
    a.leading_zeros() as i32
}

/// `i32.ctz`: number of trailing zero bits (32 for 0) (spec `ictz`). Traps: none.
pub fn i32_ctz(a: i32) -> i32 {
    a.trailing_zeros() as i32
}

/// `i32.popcnt`: number of one bits (spec `ipopcnt`). Traps: none.
pub fn i32_popcnt(a: i32) -> i32 {
    a.count_ones() as i32
}

/// `i32.extend8_s`: sign-extends the low 8 bits (spec `iextend8_s`). Traps: none.
pub fn i32_extend8_s(a: i32) -> i32 {
    i32::from(a as i8)
}

/// `i32.extend16_s`: sign-extends the low 16 bits (spec `iextend16_s`). Traps: none.
pub fn i32_extend16_s(a: i32) -> i32 {
    i32::from(a as i16)
}

// i32: binary.

/// `i32.add`: addition modulo 2^32 (spec `iadd`). Traps: none.
pub fn i32_add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// `i32.sub`: subtraction modulo 2^32 (spec `isub`). Traps: none.
pub fn i32_sub(a: i32, b: i32) -> i32 {
    a.wrapping_sub(b)
}

/// `i32.mul`: multiplication modulo 2^32 (spec `imul`). Traps: none.
pub fn i32_mul(a: i32, b: i32) -> i32 {
    a.wrapping_mul(b)
}

/// `i32.div_s`: signed division, truncating toward zero (spec `idiv_s`).
///
/// Traps: `IntegerDivideByZero` if `b` is 0; `IntegerOverflow` for `i32::MIN / -1` (2^31 is not
/// representable).
pub fn i32_div_s(a: i32, b: i32) -> Result<i32, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else if a == i32::MIN && b == -1 {
        Err(NumericError::IntegerOverflow)
    } else {
        Ok(a / b)
    }
}

/// `i32.div_u`: unsigned division, truncating (spec `idiv_u`).
///
/// Traps: `IntegerDivideByZero` if `b` is 0.
pub fn i32_div_u(a: i32, b: i32) -> Result<i32, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else {
        Ok(((a as u32) / (b as u32)) as i32)
    }
}

/// `i32.rem_s`: signed remainder, with the sign of the dividend (spec `irem_s`); `i32::MIN rem_s -1`
/// is 0.
///
/// Traps: `IntegerDivideByZero` if `b` is 0.
pub fn i32_rem_s(a: i32, b: i32) -> Result<i32, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else {
        // `wrapping_rem` is exactly the spec's result for MIN / -1: remainder 0, no overflow.
        Ok(a.wrapping_rem(b))
    }
}

/// `i32.rem_u`: unsigned remainder (spec `irem_u`).
///
/// Traps: `IntegerDivideByZero` if `b` is 0.
pub fn i32_rem_u(a: i32, b: i32) -> Result<i32, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else {
        Ok(((a as u32) % (b as u32)) as i32)
    }
}

/// `i32.and`: bitwise and (spec `iand`). Traps: none.
pub fn i32_and(a: i32, b: i32) -> i32 {
    a & b
}

/// `i32.or`: bitwise or (spec `ior`). Traps: none.
pub fn i32_or(a: i32, b: i32) -> i32 {
    a | b
}

/// `i32.xor`: bitwise exclusive or (spec `ixor`). Traps: none.
pub fn i32_xor(a: i32, b: i32) -> i32 {
    a ^ b
}

/// `i32.shl`: shift left by `b` modulo 32 (spec `ishl`). Traps: none.
pub fn i32_shl(a: i32, b: i32) -> i32 {
    a.wrapping_shl((b as u32) % 32)
}

/// `i32.shr_s`: arithmetic shift right by `b` modulo 32 (spec `ishr_s`). Traps: none.
pub fn i32_shr_s(a: i32, b: i32) -> i32 {
    a.wrapping_shr((b as u32) % 32)
}

/// `i32.shr_u`: logical shift right by `b` modulo 32 (spec `ishr_u`). Traps: none.
pub fn i32_shr_u(a: i32, b: i32) -> i32 {
    (a as u32).wrapping_shr((b as u32) % 32) as i32
}

/// `i32.rotl`: rotate left by `b` modulo 32 (spec `irotl`). Traps: none.
pub fn i32_rotl(a: i32, b: i32) -> i32 {
    (a as u32).rotate_left((b as u32) % 32) as i32
}

/// `i32.rotr`: rotate right by `b` modulo 32 (spec `irotr`). Traps: none.
pub fn i32_rotr(a: i32, b: i32) -> i32 {
    (a as u32).rotate_right((b as u32) % 32) as i32
}

// i32: test and compare.

/// `i32.eqz`: 1 if `a` is 0, else 0 (spec `ieqz`). Traps: none.
pub fn i32_eqz(a: i32) -> i32 {
    bool_i32(a == 0)
}

/// `i32.eq`: equality (spec `ieq`). Traps: none.
pub fn i32_eq(a: i32, b: i32) -> i32 {
    bool_i32(a == b)
}

/// `i32.ne`: inequality (spec `ine`). Traps: none.
pub fn i32_ne(a: i32, b: i32) -> i32 {
    bool_i32(a != b)
}

/// `i32.lt_s`: signed less than (spec `ilt_s`). Traps: none.
pub fn i32_lt_s(a: i32, b: i32) -> i32 {
    bool_i32(a < b)
}

/// `i32.lt_u`: unsigned less than (spec `ilt_u`). Traps: none.
pub fn i32_lt_u(a: i32, b: i32) -> i32 {
    bool_i32((a as u32) < (b as u32))
}

/// `i32.gt_s`: signed greater than (spec `igt_s`). Traps: none.
pub fn i32_gt_s(a: i32, b: i32) -> i32 {
    bool_i32(a > b)
}

/// `i32.gt_u`: unsigned greater than (spec `igt_u`). Traps: none.
pub fn i32_gt_u(a: i32, b: i32) -> i32 {
    bool_i32((a as u32) > (b as u32))
}

/// `i32.le_s`: signed less than or equal (spec `ile_s`). Traps: none.
pub fn i32_le_s(a: i32, b: i32) -> i32 {
    bool_i32(a <= b)
}

/// `i32.le_u`: unsigned less than or equal (spec `ile_u`). Traps: none.
pub fn i32_le_u(a: i32, b: i32) -> i32 {
    bool_i32((a as u32) <= (b as u32))
}

/// `i32.ge_s`: signed greater than or equal (spec `ige_s`). Traps: none.
pub fn i32_ge_s(a: i32, b: i32) -> i32 {
    bool_i32(a >= b)
}

/// `i32.ge_u`: unsigned greater than or equal (spec `ige_u`). Traps: none.
pub fn i32_ge_u(a: i32, b: i32) -> i32 {
    bool_i32((a as u32) >= (b as u32))
}

// i64: unary (iclz, ictz, ipopcnt, iextendM_s).

/// `i64.clz`: number of leading zero bits (64 for 0) (spec `iclz`). Traps: none.
pub fn i64_clz(a: i64) -> i64 {
    i64::from(a.leading_zeros())
}

/// `i64.ctz`: number of trailing zero bits (64 for 0) (spec `ictz`). Traps: none.
pub fn i64_ctz(a: i64) -> i64 {
    i64::from(a.trailing_zeros())
}

/// `i64.popcnt`: number of one bits (spec `ipopcnt`). Traps: none.
pub fn i64_popcnt(a: i64) -> i64 {
    i64::from(a.count_ones())
}

/// `i64.extend8_s`: sign-extends the low 8 bits (spec `iextend8_s`). Traps: none.
pub fn i64_extend8_s(a: i64) -> i64 {
    i64::from(a as i8)
}

/// `i64.extend16_s`: sign-extends the low 16 bits (spec `iextend16_s`). Traps: none.
pub fn i64_extend16_s(a: i64) -> i64 {
    i64::from(a as i16)
}

/// `i64.extend32_s`: sign-extends the low 32 bits (spec `iextend32_s`). Traps: none.
pub fn i64_extend32_s(a: i64) -> i64 {
    i64::from(a as i32)
}

// i64: binary.

/// `i64.add`: addition modulo 2^64 (spec `iadd`). Traps: none.
pub fn i64_add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// `i64.sub`: subtraction modulo 2^64 (spec `isub`). Traps: none.
pub fn i64_sub(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b)
}

/// `i64.mul`: multiplication modulo 2^64 (spec `imul`). Traps: none.
pub fn i64_mul(a: i64, b: i64) -> i64 {
    a.wrapping_mul(b)
}

/// `i64.div_s`: signed division, truncating toward zero (spec `idiv_s`).
///
/// Traps: `IntegerDivideByZero` if `b` is 0; `IntegerOverflow` for `i64::MIN / -1` (2^63 is not
/// representable).
pub fn i64_div_s(a: i64, b: i64) -> Result<i64, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else if a == i64::MIN && b == -1 {
        Err(NumericError::IntegerOverflow)
    } else {
        Ok(a / b)
    }
}

/// `i64.div_u`: unsigned division, truncating (spec `idiv_u`).
///
/// Traps: `IntegerDivideByZero` if `b` is 0.
pub fn i64_div_u(a: i64, b: i64) -> Result<i64, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else {
        Ok(((a as u64) / (b as u64)) as i64)
    }
}

/// `i64.rem_s`: signed remainder, with the sign of the dividend (spec `irem_s`); `i64::MIN rem_s -1`
/// is 0.
///
/// Traps: `IntegerDivideByZero` if `b` is 0.
pub fn i64_rem_s(a: i64, b: i64) -> Result<i64, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else {
        // `wrapping_rem` is exactly the spec's result for MIN / -1: remainder 0, no overflow.
        Ok(a.wrapping_rem(b))
    }
}

/// `i64.rem_u`: unsigned remainder (spec `irem_u`).
///
/// Traps: `IntegerDivideByZero` if `b` is 0.
pub fn i64_rem_u(a: i64, b: i64) -> Result<i64, NumericError> {
    if b == 0 {
        Err(NumericError::IntegerDivideByZero)
    } else {
        Ok(((a as u64) % (b as u64)) as i64)
    }
}

/// `i64.and`: bitwise and (spec `iand`). Traps: none.
pub fn i64_and(a: i64, b: i64) -> i64 {
    a & b
}

/// `i64.or`: bitwise or (spec `ior`). Traps: none.
pub fn i64_or(a: i64, b: i64) -> i64 {
    a | b
}

/// `i64.xor`: bitwise exclusive or (spec `ixor`). Traps: none.
pub fn i64_xor(a: i64, b: i64) -> i64 {
    a ^ b
}

/// `i64.shl`: shift left by `b` modulo 64 (spec `ishl`). Traps: none.
pub fn i64_shl(a: i64, b: i64) -> i64 {
    a.wrapping_shl((b as u32) % 64)
}

/// `i64.shr_s`: arithmetic shift right by `b` modulo 64 (spec `ishr_s`). Traps: none.
pub fn i64_shr_s(a: i64, b: i64) -> i64 {
    a.wrapping_shr((b as u32) % 64)
}

/// `i64.shr_u`: logical shift right by `b` modulo 64 (spec `ishr_u`). Traps: none.
pub fn i64_shr_u(a: i64, b: i64) -> i64 {
    (a as u64).wrapping_shr((b as u32) % 64) as i64
}

/// `i64.rotl`: rotate left by `b` modulo 64 (spec `irotl`). Traps: none.
pub fn i64_rotl(a: i64, b: i64) -> i64 {
    (a as u64).rotate_left((b as u32) % 64) as i64
}

/// `i64.rotr`: rotate right by `b` modulo 64 (spec `irotr`). Traps: none.
pub fn i64_rotr(a: i64, b: i64) -> i64 {
    (a as u64).rotate_right((b as u32) % 64) as i64
}

// i64: test and compare.

/// `i64.eqz`: 1 if `a` is 0, else 0 (spec `ieqz`). Traps: none.
pub fn i64_eqz(a: i64) -> i32 {
    bool_i32(a == 0)
}

/// `i64.eq`: equality (spec `ieq`). Traps: none.
pub fn i64_eq(a: i64, b: i64) -> i32 {
    bool_i32(a == b)
}

/// `i64.ne`: inequality (spec `ine`). Traps: none.
pub fn i64_ne(a: i64, b: i64) -> i32 {
    bool_i32(a != b)
}

/// `i64.lt_s`: signed less than (spec `ilt_s`). Traps: none.
pub fn i64_lt_s(a: i64, b: i64) -> i32 {
    bool_i32(a < b)
}

/// `i64.lt_u`: unsigned less than (spec `ilt_u`). Traps: none.
pub fn i64_lt_u(a: i64, b: i64) -> i32 {
    bool_i32((a as u64) < (b as u64))
}

/// `i64.gt_s`: signed greater than (spec `igt_s`). Traps: none.
pub fn i64_gt_s(a: i64, b: i64) -> i32 {
    bool_i32(a > b)
}

/// `i64.gt_u`: unsigned greater than (spec `igt_u`). Traps: none.
pub fn i64_gt_u(a: i64, b: i64) -> i32 {
    bool_i32((a as u64) > (b as u64))
}

/// `i64.le_s`: signed less than or equal (spec `ile_s`). Traps: none.
pub fn i64_le_s(a: i64, b: i64) -> i32 {
    bool_i32(a <= b)
}

/// `i64.le_u`: unsigned less than or equal (spec `ile_u`). Traps: none.
pub fn i64_le_u(a: i64, b: i64) -> i32 {
    bool_i32((a as u64) <= (b as u64))
}

/// `i64.ge_s`: signed greater than or equal (spec `ige_s`). Traps: none.
pub fn i64_ge_s(a: i64, b: i64) -> i32 {
    bool_i32(a >= b)
}

/// `i64.ge_u`: unsigned greater than or equal (spec `ige_u`). Traps: none.
pub fn i64_ge_u(a: i64, b: i64) -> i32 {
    bool_i32((a as u64) >= (b as u64))
}

// ---------------------------------------------------------------------------------------------------
// Float operators (spec 4.3.3 "Floating-Point Operations"): IEEE 754-2019 with round-to-nearest,
// ties-to-even. Arithmetic results that are NaN become the positive canonical NaN (see the NaN policy
// at the top of this file). `abs`, `neg` and `copysign` are bit operations that never touch the
// payload. Comparisons are IEEE comparisons: false whenever an operand is NaN, except `ne`.
// ---------------------------------------------------------------------------------------------------

// f32: unary.

/// `f32.abs`: clears the sign bit, NaN payload kept (spec `fabs`). Traps: none.
pub fn f32_abs(a: u32) -> u32 {
    a & !F32_SIGN
}

/// `f32.neg`: flips the sign bit, NaN payload kept (spec `fneg`). Traps: none.
pub fn f32_neg(a: u32) -> u32 {
    a ^ F32_SIGN
}

/// `f32.ceil`: rounds toward +infinity; a result of zero keeps the sign of `a`, so
/// `ceil(-0.5) = -0.0` (spec `fceil`); NaN gives the canonical NaN. Traps: none.
pub fn f32_ceil(a: u32) -> u32 {
    canon_f32(f32::from_bits(a).ceil())
}

/// `f32.floor`: rounds toward -infinity; a result of zero keeps the sign of `a` (spec `ffloor`);
/// NaN gives the canonical NaN. Traps: none.
pub fn f32_floor(a: u32) -> u32 {
    canon_f32(f32::from_bits(a).floor())
}

/// `f32.trunc`: rounds toward zero; a result of zero keeps the sign of `a`, so `trunc(-0.5) = -0.0`
/// (spec `ftrunc`); NaN gives the canonical NaN. Traps: none.
pub fn f32_trunc(a: u32) -> u32 {
    canon_f32(f32::from_bits(a).trunc())
}

/// `f32.nearest`: rounds to the nearest integer, ties to even; a result of zero keeps the sign of `a`,
/// so `nearest(-0.5) = -0.0` (spec `fnearest`); NaN gives the canonical NaN. Traps: none.
pub fn f32_nearest(a: u32) -> u32 {
    canon_f32(f32::from_bits(a).round_ties_even())
}

/// `f32.sqrt`: correctly rounded square root; `sqrt(-0) = -0`, a negative operand gives the canonical
/// NaN (spec `fsqrt`). Traps: none.
pub fn f32_sqrt(a: u32) -> u32 {
    canon_f32(f32::from_bits(a).sqrt())
}

// f32: binary.

/// `f32.add`: correctly rounded addition (spec `fadd`); NaN results are canonical. Traps: none.
pub fn f32_add(a: u32, b: u32) -> u32 {
    canon_f32(f32::from_bits(a) + f32::from_bits(b))
}

/// `f32.sub`: correctly rounded subtraction (spec `fsub`); NaN results are canonical. Traps: none.
pub fn f32_sub(a: u32, b: u32) -> u32 {
    canon_f32(f32::from_bits(a) - f32::from_bits(b))
}

/// `f32.mul`: correctly rounded multiplication (spec `fmul`); NaN results are canonical. Traps: none.
pub fn f32_mul(a: u32, b: u32) -> u32 {
    canon_f32(f32::from_bits(a) * f32::from_bits(b))
}

/// `f32.div`: correctly rounded division, `x / ±0` is a signed infinity for nonzero `x` (spec `fdiv`);
/// NaN results (`0/0`, `inf/inf`, NaN operands) are canonical. Traps: none.
pub fn f32_div(a: u32, b: u32) -> u32 {
    canon_f32(f32::from_bits(a) / f32::from_bits(b))
}

/// `f32.min`: the smaller operand; the canonical NaN if either is NaN; `min(-0, +0) = -0`
/// (spec `fmin`). Traps: none.
pub fn f32_min(a: u32, b: u32) -> u32 {
    let (x, y) = (f32::from_bits(a), f32::from_bits(b));
    if x.is_nan() || y.is_nan() {
        F32_CANONICAL_NAN
    } else if x == y {
        // Equal non-NaN floats have the same bits, except +0 and -0: the result is -0 if either is.
        a | b
    } else if x < y {
        a
    } else {
        b
    }
}

/// `f32.max`: the larger operand; the canonical NaN if either is NaN; `max(-0, +0) = +0`
/// (spec `fmax`). Traps: none.
pub fn f32_max(a: u32, b: u32) -> u32 {
    let (x, y) = (f32::from_bits(a), f32::from_bits(b));
    if x.is_nan() || y.is_nan() {
        F32_CANONICAL_NAN
    } else if x == y {
        // Equal non-NaN floats have the same bits, except +0 and -0: the result is +0 if either is.
        a & b
    } else if x > y {
        a
    } else {
        b
    }
}

/// `f32.copysign`: the magnitude bits of `a` with the sign bit of `b`, NaN payloads kept
/// (spec `fcopysign`). Traps: none.
pub fn f32_copysign(a: u32, b: u32) -> u32 {
    (a & !F32_SIGN) | (b & F32_SIGN)
}

// f32: compare.

/// `f32.eq`: IEEE equality; `-0 == +0`, NaN is unequal to everything (spec `feq`). Traps: none.
pub fn f32_eq(a: u32, b: u32) -> i32 {
    bool_i32(f32::from_bits(a) == f32::from_bits(b))
}

/// `f32.ne`: IEEE inequality; 1 if either operand is NaN (spec `fne`). Traps: none.
pub fn f32_ne(a: u32, b: u32) -> i32 {
    bool_i32(f32::from_bits(a) != f32::from_bits(b))
}

/// `f32.lt`: IEEE less than; 0 if either operand is NaN (spec `flt`). Traps: none.
pub fn f32_lt(a: u32, b: u32) -> i32 {
    bool_i32(f32::from_bits(a) < f32::from_bits(b))
}

/// `f32.gt`: IEEE greater than; 0 if either operand is NaN (spec `fgt`). Traps: none.
pub fn f32_gt(a: u32, b: u32) -> i32 {
    bool_i32(f32::from_bits(a) > f32::from_bits(b))
}

/// `f32.le`: IEEE less than or equal; 0 if either operand is NaN (spec `fle`). Traps: none.
pub fn f32_le(a: u32, b: u32) -> i32 {
    bool_i32(f32::from_bits(a) <= f32::from_bits(b))
}

/// `f32.ge`: IEEE greater than or equal; 0 if either operand is NaN (spec `fge`). Traps: none.
pub fn f32_ge(a: u32, b: u32) -> i32 {
    bool_i32(f32::from_bits(a) >= f32::from_bits(b))
}
// f64: unary.

/// `f64.abs`: clears the sign bit, NaN payload kept (spec `fabs`). Traps: none.
pub fn f64_abs(a: u64) -> u64 {
    a & !F64_SIGN
}

/// `f64.neg`: flips the sign bit, NaN payload kept (spec `fneg`). Traps: none.
pub fn f64_neg(a: u64) -> u64 {
    a ^ F64_SIGN
}

/// `f64.ceil`: rounds toward +infinity; a result of zero keeps the sign of `a`, so
/// `ceil(-0.5) = -0.0` (spec `fceil`); NaN gives the canonical NaN. Traps: none.
pub fn f64_ceil(a: u64) -> u64 {
    canon_f64(f64::from_bits(a).ceil())
}

/// `f64.floor`: rounds toward -infinity; a result of zero keeps the sign of `a` (spec `ffloor`);
/// NaN gives the canonical NaN. Traps: none.
pub fn f64_floor(a: u64) -> u64 {
    canon_f64(f64::from_bits(a).floor())
}

/// `f64.trunc`: rounds toward zero; a result of zero keeps the sign of `a`, so `trunc(-0.5) = -0.0`
/// (spec `ftrunc`); NaN gives the canonical NaN. Traps: none.
pub fn f64_trunc(a: u64) -> u64 {
    canon_f64(f64::from_bits(a).trunc())
}

/// `f64.nearest`: rounds to the nearest integer, ties to even; a result of zero keeps the sign of `a`,
/// so `nearest(-0.5) = -0.0` (spec `fnearest`); NaN gives the canonical NaN. Traps: none.
pub fn f64_nearest(a: u64) -> u64 {
    canon_f64(f64::from_bits(a).round_ties_even())
}

/// `f64.sqrt`: correctly rounded square root; `sqrt(-0) = -0`, a negative operand gives the canonical
/// NaN (spec `fsqrt`). Traps: none.
pub fn f64_sqrt(a: u64) -> u64 {
    canon_f64(f64::from_bits(a).sqrt())
}

// f64: binary.

/// `f64.add`: correctly rounded addition (spec `fadd`); NaN results are canonical. Traps: none.
pub fn f64_add(a: u64, b: u64) -> u64 {
    canon_f64(f64::from_bits(a) + f64::from_bits(b))
}

/// `f64.sub`: correctly rounded subtraction (spec `fsub`); NaN results are canonical. Traps: none.
pub fn f64_sub(a: u64, b: u64) -> u64 {
    canon_f64(f64::from_bits(a) - f64::from_bits(b))
}

/// `f64.mul`: correctly rounded multiplication (spec `fmul`); NaN results are canonical. Traps: none.
pub fn f64_mul(a: u64, b: u64) -> u64 {
    canon_f64(f64::from_bits(a) * f64::from_bits(b))
}

/// `f64.div`: correctly rounded division, `x / ±0` is a signed infinity for nonzero `x` (spec `fdiv`);
/// NaN results (`0/0`, `inf/inf`, NaN operands) are canonical. Traps: none.
pub fn f64_div(a: u64, b: u64) -> u64 {
    canon_f64(f64::from_bits(a) / f64::from_bits(b))
}

/// `f64.min`: the smaller operand; the canonical NaN if either is NaN; `min(-0, +0) = -0`
/// (spec `fmin`). Traps: none.
pub fn f64_min(a: u64, b: u64) -> u64 {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    if x.is_nan() || y.is_nan() {
        F64_CANONICAL_NAN
    } else if x == y {
        // Equal non-NaN floats have the same bits, except +0 and -0: the result is -0 if either is.
        a | b
    } else if x < y {
        a
    } else {
        b
    }
}

/// `f64.max`: the larger operand; the canonical NaN if either is NaN; `max(-0, +0) = +0`
/// (spec `fmax`). Traps: none.
pub fn f64_max(a: u64, b: u64) -> u64 {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    if x.is_nan() || y.is_nan() {
        F64_CANONICAL_NAN
    } else if x == y {
        // Equal non-NaN floats have the same bits, except +0 and -0: the result is +0 if either is.
        a & b
    } else if x > y {
        a
    } else {
        b
    }
}

/// `f64.copysign`: the magnitude bits of `a` with the sign bit of `b`, NaN payloads kept
/// (spec `fcopysign`). Traps: none.
pub fn f64_copysign(a: u64, b: u64) -> u64 {
    (a & !F64_SIGN) | (b & F64_SIGN)
}

// f64: compare.

/// `f64.eq`: IEEE equality; `-0 == +0`, NaN is unequal to everything (spec `feq`). Traps: none.
pub fn f64_eq(a: u64, b: u64) -> i32 {
    bool_i32(f64::from_bits(a) == f64::from_bits(b))
}

/// `f64.ne`: IEEE inequality; 1 if either operand is NaN (spec `fne`). Traps: none.
pub fn f64_ne(a: u64, b: u64) -> i32 {
    bool_i32(f64::from_bits(a) != f64::from_bits(b))
}

/// `f64.lt`: IEEE less than; 0 if either operand is NaN (spec `flt`). Traps: none.
pub fn f64_lt(a: u64, b: u64) -> i32 {
    bool_i32(f64::from_bits(a) < f64::from_bits(b))
}

/// `f64.gt`: IEEE greater than; 0 if either operand is NaN (spec `fgt`). Traps: none.
pub fn f64_gt(a: u64, b: u64) -> i32 {
    bool_i32(f64::from_bits(a) > f64::from_bits(b))
}

/// `f64.le`: IEEE less than or equal; 0 if either operand is NaN (spec `fle`). Traps: none.
pub fn f64_le(a: u64, b: u64) -> i32 {
    bool_i32(f64::from_bits(a) <= f64::from_bits(b))
}

/// `f64.ge`: IEEE greater than or equal; 0 if either operand is NaN (spec `fge`). Traps: none.
pub fn f64_ge(a: u64, b: u64) -> i32 {
    bool_i32(f64::from_bits(a) >= f64::from_bits(b))
}

// ---------------------------------------------------------------------------------------------------
// Conversions (spec 4.3.4 "Conversions"). Float-to-integer truncation works in f64, which holds every
// f32 exactly; every range bound below is a power of two, so exactly representable too. Integer-to-float
// conversion relies on Rust's `as`, which rounds correctly (a single round-to-nearest-even, never via an
// intermediate type). `trunc_sat` relies on Rust's saturating `as`, which is exactly the spec's
// `trunc_sat` (NaN -> 0, out of range -> the nearest bound).
// ---------------------------------------------------------------------------------------------------

/// 2^31, the first value above `i32::MAX`.
const TWO_POW_31: f64 = 2_147_483_648.0;
/// 2^32, the first value above `u32::MAX`.
const TWO_POW_32: f64 = 4_294_967_296.0;
/// 2^63, the first value above `i64::MAX`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^64, the first value above `u64::MAX`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// The spec's `trunc`: `x` rounded toward zero if that integer lies in `[min, max_plus_one)`.
///
/// `min` and `max_plus_one` must be exactly representable; the returned value is then an integer in
/// range, so an `as` cast to the target type is exact.
fn checked_trunc(x: f64, min: f64, max_plus_one: f64) -> Result<f64, NumericError> {
    if x.is_nan() {
        return Err(NumericError::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if t >= min && t < max_plus_one {
        Ok(t)
    } else {
        Err(NumericError::IntegerOverflow)
    }
}

// Integer to integer.

/// `i32.wrap_i64`: the low 32 bits (spec `wrap`). Traps: none.
pub fn i32_wrap_i64(a: i64) -> i32 {
    a as i32
}

/// `i64.extend_i32_s`: sign extension (spec `extend_s`). Traps: none.
pub fn i64_extend_i32_s(a: i32) -> i64 {
    i64::from(a)
}

/// `i64.extend_i32_u`: zero extension (spec `extend_u`). Traps: none.
pub fn i64_extend_i32_u(a: i32) -> i64 {
    i64::from(a as u32)
}

// Float to integer, trapping.

/// `i32.trunc_f32_s`: truncation toward zero to a signed 32-bit integer (spec `trunc_s`).
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[-2^31, 2^31 - 1]` (including infinities).
pub fn i32_trunc_f32_s(a: u32) -> Result<i32, NumericError> {
    checked_trunc(f64::from(f32::from_bits(a)), -TWO_POW_31, TWO_POW_31).map(|t| t as i32)
}

/// `i32.trunc_f32_u`: truncation toward zero to an unsigned 32-bit integer (spec `trunc_u`); inputs in
/// `(-1, 0]` give 0.
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[0, 2^32 - 1]` (including infinities).
pub fn i32_trunc_f32_u(a: u32) -> Result<i32, NumericError> {
    checked_trunc(f64::from(f32::from_bits(a)), 0.0, TWO_POW_32).map(|t| t as u32 as i32)
}

/// `i32.trunc_f64_s`: truncation toward zero to a signed 32-bit integer (spec `trunc_s`).
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[-2^31, 2^31 - 1]` (including infinities).
pub fn i32_trunc_f64_s(a: u64) -> Result<i32, NumericError> {
    checked_trunc(f64::from_bits(a), -TWO_POW_31, TWO_POW_31).map(|t| t as i32)
}

/// `i32.trunc_f64_u`: truncation toward zero to an unsigned 32-bit integer (spec `trunc_u`); inputs in
/// `(-1, 0]` give 0.
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[0, 2^32 - 1]` (including infinities).
pub fn i32_trunc_f64_u(a: u64) -> Result<i32, NumericError> {
    checked_trunc(f64::from_bits(a), 0.0, TWO_POW_32).map(|t| t as u32 as i32)
}

/// `i64.trunc_f32_s`: truncation toward zero to a signed 64-bit integer (spec `trunc_s`).
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[-2^63, 2^63 - 1]` (including infinities).
pub fn i64_trunc_f32_s(a: u32) -> Result<i64, NumericError> {
    checked_trunc(f64::from(f32::from_bits(a)), -TWO_POW_63, TWO_POW_63).map(|t| t as i64)
}

/// `i64.trunc_f32_u`: truncation toward zero to an unsigned 64-bit integer (spec `trunc_u`); inputs in
/// `(-1, 0]` give 0.
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[0, 2^64 - 1]` (including infinities).
pub fn i64_trunc_f32_u(a: u32) -> Result<i64, NumericError> {
    checked_trunc(f64::from(f32::from_bits(a)), 0.0, TWO_POW_64).map(|t| t as u64 as i64)
}

/// `i64.trunc_f64_s`: truncation toward zero to a signed 64-bit integer (spec `trunc_s`).
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[-2^63, 2^63 - 1]` (including infinities).
pub fn i64_trunc_f64_s(a: u64) -> Result<i64, NumericError> {
    checked_trunc(f64::from_bits(a), -TWO_POW_63, TWO_POW_63).map(|t| t as i64)
}

/// `i64.trunc_f64_u`: truncation toward zero to an unsigned 64-bit integer (spec `trunc_u`); inputs in
/// `(-1, 0]` give 0.
///
/// Traps: `InvalidConversionToInteger` if `a` is NaN; `IntegerOverflow` if the truncated value is
/// outside `[0, 2^64 - 1]` (including infinities).
pub fn i64_trunc_f64_u(a: u64) -> Result<i64, NumericError> {
    checked_trunc(f64::from_bits(a), 0.0, TWO_POW_64).map(|t| t as u64 as i64)
}

// Float to integer, saturating.

/// `i32.trunc_sat_f32_s`: truncation toward zero, saturating to `[i32::MIN, i32::MAX]`; NaN gives 0
/// (spec `trunc_sat_s`). Traps: none.
pub fn i32_trunc_sat_f32_s(a: u32) -> i32 {
    f32::from_bits(a) as i32
}

/// `i32.trunc_sat_f32_u`: truncation toward zero, saturating to `[0, u32::MAX]`; NaN gives 0
/// (spec `trunc_sat_u`). Traps: none.
pub fn i32_trunc_sat_f32_u(a: u32) -> i32 {
    f32::from_bits(a) as u32 as i32
}

/// `i32.trunc_sat_f64_s`: truncation toward zero, saturating to `[i32::MIN, i32::MAX]`; NaN gives 0
/// (spec `trunc_sat_s`). Traps: none.
pub fn i32_trunc_sat_f64_s(a: u64) -> i32 {
    f64::from_bits(a) as i32
}

/// `i32.trunc_sat_f64_u`: truncation toward zero, saturating to `[0, u32::MAX]`; NaN gives 0
/// (spec `trunc_sat_u`). Traps: none.
pub fn i32_trunc_sat_f64_u(a: u64) -> i32 {
    f64::from_bits(a) as u32 as i32
}

/// `i64.trunc_sat_f32_s`: truncation toward zero, saturating to `[i64::MIN, i64::MAX]`; NaN gives 0
/// (spec `trunc_sat_s`). Traps: none.
pub fn i64_trunc_sat_f32_s(a: u32) -> i64 {
    f32::from_bits(a) as i64
}

/// `i64.trunc_sat_f32_u`: truncation toward zero, saturating to `[0, u64::MAX]`; NaN gives 0
/// (spec `trunc_sat_u`). Traps: none.
pub fn i64_trunc_sat_f32_u(a: u32) -> i64 {
    f32::from_bits(a) as u64 as i64
}

/// `i64.trunc_sat_f64_s`: truncation toward zero, saturating to `[i64::MIN, i64::MAX]`; NaN gives 0
/// (spec `trunc_sat_s`). Traps: none.
pub fn i64_trunc_sat_f64_s(a: u64) -> i64 {
    f64::from_bits(a) as i64
}

/// `i64.trunc_sat_f64_u`: truncation toward zero, saturating to `[0, u64::MAX]`; NaN gives 0
/// (spec `trunc_sat_u`). Traps: none.
pub fn i64_trunc_sat_f64_u(a: u64) -> i64 {
    f64::from_bits(a) as u64 as i64
}

// Integer to float.

/// `f32.convert_i32_s`: signed integer to the nearest `f32`, ties to even (spec `convert_s`).
/// Traps: none.
pub fn f32_convert_i32_s(a: i32) -> u32 {
    (a as f32).to_bits()
}

/// `f32.convert_i32_u`: unsigned integer to the nearest `f32`, ties to even (spec `convert_u`).
/// Traps: none.
pub fn f32_convert_i32_u(a: i32) -> u32 {
    (a as u32 as f32).to_bits()
}

/// `f32.convert_i64_s`: signed integer to the nearest `f32`, ties to even, rounded once (spec
/// `convert_s`). Traps: none.
pub fn f32_convert_i64_s(a: i64) -> u32 {
    (a as f32).to_bits()
}

/// `f32.convert_i64_u`: unsigned integer to the nearest `f32`, ties to even, rounded once (spec
/// `convert_u`). Traps: none.
pub fn f32_convert_i64_u(a: i64) -> u32 {
    (a as u64 as f32).to_bits()
}

/// `f64.convert_i32_s`: signed integer to `f64`, always exact (spec `convert_s`). Traps: none.
pub fn f64_convert_i32_s(a: i32) -> u64 {
    f64::from(a).to_bits()
}

/// `f64.convert_i32_u`: unsigned integer to `f64`, always exact (spec `convert_u`). Traps: none.
pub fn f64_convert_i32_u(a: i32) -> u64 {
    f64::from(a as u32).to_bits()
}

/// `f64.convert_i64_s`: signed integer to the nearest `f64`, ties to even (spec `convert_s`).
/// Traps: none.
pub fn f64_convert_i64_s(a: i64) -> u64 {
    (a as f64).to_bits()
}

/// `f64.convert_i64_u`: unsigned integer to the nearest `f64`, ties to even (spec `convert_u`).
/// Traps: none.
pub fn f64_convert_i64_u(a: i64) -> u64 {
    (a as u64 as f64).to_bits()
}

// Float to float.

/// `f32.demote_f64`: the nearest `f32`, ties to even; too large magnitudes become infinities, too small
/// ones subnormals or zeros of the same sign (spec `demote`). A NaN keeps its sign and the top 23
/// bits of its payload, with the quiet bit set, as the spec's reference interpreter does (and
/// hardware conversions): a canonical NaN stays canonical, any other NaN gives an arithmetic one,
/// both of which the spec allows, and the result is what every engine converting in hardware
/// produces. Traps: none.
pub fn f32_demote_f64(a: u64) -> u32 {
    let x = f64::from_bits(a);
    if x.is_nan() {
        let sign = ((a >> 63) as u32) << 31;
        let payload = ((a << 12) >> 41) as u32;
        return F32_CANONICAL_NAN | sign | payload;
    }
    (x as f32).to_bits()
}

/// `f64.promote_f32`: the same value as `f64`, always exact (spec `promote`). A NaN keeps its sign
/// and payload (shifted to the top of the wider one), with the quiet bit set, as the spec's
/// reference interpreter does (see [`f32_demote_f64`]). Traps: none.
pub fn f64_promote_f32(a: u32) -> u64 {
    let x = f32::from_bits(a);
    if x.is_nan() {
        let a = u64::from(a);
        let sign = (a >> 31) << 63;
        let payload = (a << 41) >> 12;
        return F64_CANONICAL_NAN | sign | payload;
    }
    f64::from(x).to_bits()
}

// Reinterpretation: the same bits, NaN payloads included.

/// `i32.reinterpret_f32`: the bits of `a` as an integer (spec `reinterpret`). Traps: none.
pub fn i32_reinterpret_f32(a: u32) -> i32 {
    a as i32
}

/// `i64.reinterpret_f64`: the bits of `a` as an integer (spec `reinterpret`). Traps: none.
pub fn i64_reinterpret_f64(a: u64) -> i64 {
    a as i64
}

/// `f32.reinterpret_i32`: the bits of `a` as a float (spec `reinterpret`). Traps: none.
pub fn f32_reinterpret_i32(a: i32) -> u32 {
    a as u32
}

/// `f64.reinterpret_i64`: the bits of `a` as a float (spec `reinterpret`). Traps: none.
pub fn f64_reinterpret_i64(a: i64) -> u64 {
    a as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b32(x: f32) -> u32 {
        x.to_bits()
    }

    fn b64(x: f64) -> u64 {
        x.to_bits()
    }

    const F32_NEG_ZERO: u32 = 0x8000_0000;
    const F32_INF: u32 = 0x7f80_0000;
    const F32_NEG_INF: u32 = 0xff80_0000;
    /// A signalling NaN with a payload and the sign bit set.
    const F32_SNAN_NEG: u32 = 0xffa0_0001;
    /// The same NaN with the sign bit clear.
    const F32_SNAN_POS: u32 = 0x7fa0_0001;
    /// A negative quiet NaN with a payload.
    const F32_QNAN_NEG: u32 = 0xffc0_1234;

    const F64_NEG_ZERO: u64 = 0x8000_0000_0000_0000;
    const F64_INF: u64 = 0x7ff0_0000_0000_0000;
    const F64_NEG_INF: u64 = 0xfff0_0000_0000_0000;
    const F64_SNAN_NEG: u64 = 0xfff4_0000_0000_0001;
    const F64_SNAN_POS: u64 = 0x7ff4_0000_0000_0001;
    const F64_QNAN_NEG: u64 = 0xfff8_0000_0000_1234;

    use NumericError::{IntegerDivideByZero, IntegerOverflow, InvalidConversionToInteger};

    // ---- errors ----

    #[test]
    fn error_messages_are_the_spec_interpreter_texts() {
        assert_eq!(IntegerDivideByZero.message(), "integer divide by zero");
        assert_eq!(IntegerOverflow.message(), "integer overflow");
        assert_eq!(
            InvalidConversionToInteger.message(),
            "invalid conversion to integer"
        );
        assert_eq!(IntegerOverflow.to_string(), "integer overflow");
    }

    // ---- integer ----

    #[test]
    fn division_and_remainder_by_zero_trap() {
        assert_eq!(i32_div_s(1, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_div_s(i32::MIN, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_div_u(0, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_rem_s(i32::MIN, 0), Err(IntegerDivideByZero));
        assert_eq!(i32_rem_u(-1, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_div_s(1, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_div_s(i64::MIN, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_div_u(0, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_rem_s(i64::MIN, 0), Err(IntegerDivideByZero));
        assert_eq!(i64_rem_u(-1, 0), Err(IntegerDivideByZero));
    }

    #[test]
    fn div_s_of_min_by_minus_one_overflows_but_div_u_does_not() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i32_div_s(i32::MIN, 1), Ok(i32::MIN));
        assert_eq!(i32_div_s(i32::MIN + 1, -1), Ok(i32::MAX));
        // Unsigned: 0x8000_0000 / 0xffff_ffff = 0.
        assert_eq!(i32_div_u(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(i64::MIN, -1), Ok(0));
    }

    #[test]
    fn rem_s_of_min_by_minus_one_is_zero() {
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        // Unsigned: 0x8000_0000 % 0xffff_ffff = 0x8000_0000.
        assert_eq!(i32_rem_u(i32::MIN, -1), Ok(i32::MIN));
        assert_eq!(i64_rem_u(i64::MIN, -1), Ok(i64::MIN));
    }

    #[test]
    fn division_truncates_toward_zero_and_remainder_has_dividend_sign() {
        assert_eq!(i32_div_s(-7, 2), Ok(-3));
        assert_eq!(i32_div_s(7, -2), Ok(-3));
        assert_eq!(i32_rem_s(-7, 2), Ok(-1));
        assert_eq!(i32_rem_s(7, -2), Ok(1));
        assert_eq!(i32_div_u(-1, 2), Ok(0x7fff_ffff));
        assert_eq!(i32_rem_u(-1, 16), Ok(15));
        assert_eq!(i32_div_u(-7, 2), Ok(0x7fff_fffc));
        assert_eq!(i64_div_s(-7, 2), Ok(-3));
        assert_eq!(i64_rem_s(-7, 2), Ok(-1));
        assert_eq!(i64_rem_s(7, -2), Ok(1));
        assert_eq!(i64_div_u(-1, 2), Ok(i64::MAX));
        assert_eq!(i64_rem_u(-1, 16), Ok(15));
    }

    #[test]
    fn add_sub_mul_wrap_around() {
        assert_eq!(i32_add(i32::MAX, 1), i32::MIN);
        assert_eq!(i32_sub(i32::MIN, 1), i32::MAX);
        assert_eq!(i32_mul(0x1_0000, 0x1_0000), 0);
        assert_eq!(i32_mul(i32::MIN, -1), i32::MIN);
        assert_eq!(i32_mul(0x1234_5678, 0x10), 0x2345_6780);
        assert_eq!(i64_add(i64::MAX, 1), i64::MIN);
        assert_eq!(i64_sub(i64::MIN, 1), i64::MAX);
        assert_eq!(i64_mul(0x1_0000_0000, 0x1_0000_0000), 0);
        assert_eq!(i64_mul(i64::MIN, -1), i64::MIN);
    }

    #[test]
    fn bitwise_and_or_xor() {
        assert_eq!(i32_and(0x0ff0, 0x00ff), 0x00f0);
        assert_eq!(i32_or(0x0ff0, 0x00ff), 0x0fff);
        assert_eq!(i32_xor(0x0ff0, 0x00ff), 0x0f0f);
        assert_eq!(i64_and(-1, 0x1234_5678_9abc), 0x1234_5678_9abc);
        assert_eq!(i64_or(i64::MIN, 1), i64::MIN + 1);
        assert_eq!(i64_xor(-1, 0), -1);
    }

    #[test]
    fn shift_counts_are_taken_modulo_the_bit_width() {
        assert_eq!(i32_shl(1, 31), i32::MIN);
        assert_eq!(i32_shl(1, 32), 1);
        assert_eq!(i32_shl(1, 33), 2);
        assert_eq!(i32_shl(1, -1), i32::MIN);
        assert_eq!(i32_shr_s(i32::MIN, 31), -1);
        assert_eq!(i32_shr_s(i32::MIN, 32), i32::MIN);
        assert_eq!(i32_shr_s(-8, 1), -4);
        assert_eq!(i32_shr_u(i32::MIN, 31), 1);
        assert_eq!(i32_shr_u(-1, 32), -1);
        assert_eq!(i32_shr_u(-1, 36), 0x0fff_ffff);
        assert_eq!(i64_shl(1, 63), i64::MIN);
        assert_eq!(i64_shl(1, 64), 1);
        assert_eq!(i64_shl(1, 65), 2);
        assert_eq!(i64_shl(1, -1), i64::MIN);
        // Only the low 6 bits of the count matter, even when higher bits are set.
        assert_eq!(i64_shl(1, 0x1_0000_0001), 2);
        assert_eq!(i64_shr_s(i64::MIN, 63), -1);
        assert_eq!(i64_shr_u(i64::MIN, 63), 1);
        assert_eq!(i64_shr_u(-1, 68), 0x0fff_ffff_ffff_ffff);
    }

    #[test]
    fn rotate_counts_are_taken_modulo_the_bit_width() {
        assert_eq!(i32_rotl(0x8000_0001_u32 as i32, 1), 3);
        assert_eq!(i32_rotr(1, 1), i32::MIN);
        assert_eq!(i32_rotl(0x1234_5678, 4), 0x2345_6781);
        assert_eq!(i32_rotl(0x1234_5678, 36), 0x2345_6781);
        assert_eq!(i32_rotr(0x1234_5678, -4), 0x2345_6781);
        assert_eq!(i32_rotr(0x1234_5678, 32), 0x1234_5678);
        assert_eq!(i64_rotl(0x8000_0000_0000_0001_u64 as i64, 1), 3);
        assert_eq!(i64_rotl(1, 72), 0x100);
        assert_eq!(i64_rotr(1, 1), i64::MIN);
        assert_eq!(i64_rotr(0x100, -8), 0x1_0000);
        assert_eq!(i64_rotl(1, 0x1_0000_0020), 0x1_0000_0000);
    }

    #[test]
    fn clz_ctz_popcnt_count_bits_including_zero_input() {
        assert_eq!(i32_clz(0), 32);
        assert_eq!(i32_clz(1), 31);
        assert_eq!(i32_clz(-1), 0);
        assert_eq!(i32_ctz(0), 32);
        assert_eq!(i32_ctz(i32::MIN), 31);
        assert_eq!(i32_ctz(0x100), 8);
        assert_eq!(i32_popcnt(0), 0);
        assert_eq!(i32_popcnt(-1), 32);
        assert_eq!(i32_popcnt(0x5555_5555), 16);
        assert_eq!(i64_clz(0), 64);
        assert_eq!(i64_clz(1), 63);
        assert_eq!(i64_clz(-1), 0);
        assert_eq!(i64_ctz(0), 64);
        assert_eq!(i64_ctz(i64::MIN), 63);
        assert_eq!(i64_popcnt(-1), 64);
        assert_eq!(i64_popcnt(0x5555_5555_5555_5555), 32);
    }

    #[test]
    fn extend_n_s_sign_extends_the_low_bits_and_ignores_the_rest() {
        assert_eq!(i32_extend8_s(0x7f), 127);
        assert_eq!(i32_extend8_s(0x80), -128);
        assert_eq!(i32_extend8_s(0x1234_5680), -128);
        assert_eq!(i32_extend16_s(0x7fff), 32767);
        assert_eq!(i32_extend16_s(0x8000), -32768);
        assert_eq!(i32_extend16_s(0x0001_7fff), 32767);
        assert_eq!(i64_extend8_s(0xff), -1);
        assert_eq!(i64_extend8_s(0x0123_4567_89ab_cd7f), 0x7f);
        assert_eq!(i64_extend16_s(0x8000), -32768);
        assert_eq!(i64_extend32_s(0x8000_0000), -2_147_483_648);
        assert_eq!(i64_extend32_s(0x1_7fff_ffff), 0x7fff_ffff);
        assert_eq!(i64_extend32_s(-1), -1);
    }

    #[test]
    fn eqz_and_comparisons_return_0_or_1_and_respect_signedness() {
        assert_eq!(i32_eqz(0), 1);
        assert_eq!(i32_eqz(i32::MIN), 0);
        assert_eq!(i64_eqz(0), 1);
        assert_eq!(i64_eqz(0x1_0000_0000), 0);
        assert_eq!(i32_eq(5, 5), 1);
        assert_eq!(i32_ne(5, 5), 0);
        assert_eq!(i32_lt_s(-1, 0), 1);
        assert_eq!(i32_lt_u(-1, 0), 0);
        assert_eq!(i32_gt_s(-1, 0), 0);
        assert_eq!(i32_gt_u(-1, 0), 1);
        assert_eq!(i32_le_s(3, 3), 1);
        assert_eq!(i32_le_u(i32::MIN, i32::MAX), 0);
        assert_eq!(i32_ge_s(i32::MIN, i32::MAX), 0);
        assert_eq!(i32_ge_u(i32::MIN, i32::MAX), 1);
        assert_eq!(i64_eq(-1, -1), 1);
        assert_eq!(i64_ne(-1, 1), 1);
        assert_eq!(i64_lt_s(-1, 0), 1);
        assert_eq!(i64_lt_u(-1, 0), 0);
        assert_eq!(i64_gt_s(i64::MIN, 0), 0);
        assert_eq!(i64_gt_u(i64::MIN, 0), 1);
        assert_eq!(i64_le_s(i64::MAX, i64::MIN), 0);
        assert_eq!(i64_le_u(i64::MAX, i64::MIN), 1);
        assert_eq!(i64_ge_s(0, 0), 1);
        assert_eq!(i64_ge_u(0, -1), 0);
    }

    // ---- float ----

    #[test]
    fn f32_arithmetic_nan_results_are_the_positive_canonical_nan() {
        let canon = F32_CANONICAL_NAN;
        assert_eq!(f32_add(F32_INF, F32_NEG_INF), canon);
        assert_eq!(f32_sub(F32_INF, F32_INF), canon);
        assert_eq!(f32_mul(0, F32_INF), canon);
        assert_eq!(f32_div(0, F32_NEG_ZERO), canon);
        assert_eq!(f32_div(F32_INF, F32_NEG_INF), canon);
        assert_eq!(f32_add(F32_SNAN_NEG, b32(1.0)), canon);
        assert_eq!(f32_sub(b32(1.0), F32_QNAN_NEG), canon);
        assert_eq!(f32_mul(F32_SNAN_POS, F32_SNAN_NEG), canon);
        assert_eq!(f32_div(F32_QNAN_NEG, b32(2.0)), canon);
        assert_eq!(f32_sqrt(b32(-1.0)), canon);
        assert_eq!(f32_sqrt(F32_NEG_INF), canon);
        assert_eq!(f32_sqrt(F32_SNAN_NEG), canon);
        assert_eq!(f32_ceil(F32_SNAN_NEG), canon);
        assert_eq!(f32_floor(F32_QNAN_NEG), canon);
        assert_eq!(f32_trunc(F32_SNAN_POS), canon);
        assert_eq!(f32_nearest(F32_QNAN_NEG), canon);
        assert_eq!(f32_min(F32_SNAN_NEG, b32(1.0)), canon);
        assert_eq!(f32_max(b32(1.0), F32_QNAN_NEG), canon);
    }

    #[test]
    fn f64_arithmetic_nan_results_are_the_positive_canonical_nan() {
        let canon = F64_CANONICAL_NAN;
        assert_eq!(f64_add(F64_INF, F64_NEG_INF), canon);
        assert_eq!(f64_sub(F64_INF, F64_INF), canon);
        assert_eq!(f64_mul(0, F64_INF), canon);
        assert_eq!(f64_div(0, F64_NEG_ZERO), canon);
        assert_eq!(f64_div(F64_INF, F64_NEG_INF), canon);
        assert_eq!(f64_add(F64_SNAN_NEG, b64(1.0)), canon);
        assert_eq!(f64_sub(b64(1.0), F64_QNAN_NEG), canon);
        assert_eq!(f64_mul(F64_SNAN_POS, F64_SNAN_NEG), canon);
        assert_eq!(f64_div(F64_QNAN_NEG, b64(2.0)), canon);
        assert_eq!(f64_sqrt(b64(-1.0)), canon);
        assert_eq!(f64_sqrt(F64_NEG_INF), canon);
        assert_eq!(f64_sqrt(F64_SNAN_NEG), canon);
        assert_eq!(f64_ceil(F64_SNAN_NEG), canon);
        assert_eq!(f64_floor(F64_QNAN_NEG), canon);
        assert_eq!(f64_trunc(F64_SNAN_POS), canon);
        assert_eq!(f64_nearest(F64_QNAN_NEG), canon);
        assert_eq!(f64_min(F64_SNAN_NEG, b64(1.0)), canon);
        assert_eq!(f64_max(b64(1.0), F64_QNAN_NEG), canon);
    }

    #[test]
    fn abs_neg_copysign_are_bit_operations_that_keep_nan_payloads() {
        assert_eq!(f32_abs(F32_SNAN_NEG), F32_SNAN_POS);
        assert_eq!(f32_abs(F32_SNAN_POS), F32_SNAN_POS);
        assert_eq!(f32_neg(F32_SNAN_POS), F32_SNAN_NEG);
        assert_eq!(f32_neg(F32_SNAN_NEG), F32_SNAN_POS);
        assert_eq!(f32_copysign(F32_SNAN_POS, b32(-1.0)), F32_SNAN_NEG);
        assert_eq!(f32_copysign(F32_SNAN_NEG, 0), F32_SNAN_POS);
        // The sign of a NaN second operand is used as is.
        assert_eq!(f32_copysign(b32(1.0), F32_QNAN_NEG), b32(-1.0));
        assert_eq!(f32_copysign(b32(-1.0), F32_SNAN_POS), b32(1.0));
        assert_eq!(f32_abs(F32_NEG_ZERO), 0);
        assert_eq!(f32_neg(0), F32_NEG_ZERO);
        assert_eq!(f32_neg(b32(2.5)), b32(-2.5));

        assert_eq!(f64_abs(F64_SNAN_NEG), F64_SNAN_POS);
        assert_eq!(f64_neg(F64_SNAN_POS), F64_SNAN_NEG);
        assert_eq!(f64_neg(F64_SNAN_NEG), F64_SNAN_POS);
        assert_eq!(f64_copysign(F64_SNAN_POS, b64(-1.0)), F64_SNAN_NEG);
        assert_eq!(f64_copysign(F64_SNAN_NEG, 0), F64_SNAN_POS);
        assert_eq!(f64_copysign(b64(1.0), F64_QNAN_NEG), b64(-1.0));
        assert_eq!(f64_abs(F64_NEG_ZERO), 0);
        assert_eq!(f64_neg(0), F64_NEG_ZERO);
        assert_eq!(f64_abs(b64(-2.5)), b64(2.5));
    }

    #[test]
    fn min_max_of_zeros_order_negative_zero_below_positive_zero() {
        assert_eq!(f32_min(F32_NEG_ZERO, 0), F32_NEG_ZERO);
        assert_eq!(f32_min(0, F32_NEG_ZERO), F32_NEG_ZERO);
        assert_eq!(f32_max(F32_NEG_ZERO, 0), 0);
        assert_eq!(f32_max(0, F32_NEG_ZERO), 0);
        assert_eq!(f32_min(F32_NEG_ZERO, F32_NEG_ZERO), F32_NEG_ZERO);
        assert_eq!(f32_max(F32_NEG_ZERO, F32_NEG_ZERO), F32_NEG_ZERO);
        assert_eq!(f64_min(F64_NEG_ZERO, 0), F64_NEG_ZERO);
        assert_eq!(f64_min(0, F64_NEG_ZERO), F64_NEG_ZERO);
        assert_eq!(f64_max(F64_NEG_ZERO, 0), 0);
        assert_eq!(f64_max(0, F64_NEG_ZERO), 0);
    }

    #[test]
    fn min_max_with_any_nan_operand_is_the_canonical_nan() {
        assert_eq!(f32_min(F32_SNAN_POS, F32_NEG_INF), F32_CANONICAL_NAN);
        assert_eq!(f32_min(F32_NEG_INF, F32_QNAN_NEG), F32_CANONICAL_NAN);
        assert_eq!(f32_max(F32_INF, F32_SNAN_NEG), F32_CANONICAL_NAN);
        assert_eq!(f32_max(F32_QNAN_NEG, F32_QNAN_NEG), F32_CANONICAL_NAN);
        assert_eq!(f64_min(F64_SNAN_POS, F64_NEG_INF), F64_CANONICAL_NAN);
        assert_eq!(f64_min(F64_NEG_INF, F64_QNAN_NEG), F64_CANONICAL_NAN);
        assert_eq!(f64_max(F64_INF, F64_SNAN_NEG), F64_CANONICAL_NAN);
        assert_eq!(f64_max(F64_QNAN_NEG, F64_QNAN_NEG), F64_CANONICAL_NAN);
    }

    #[test]
    fn min_max_of_ordinary_values() {
        assert_eq!(f32_min(b32(1.0), b32(2.0)), b32(1.0));
        assert_eq!(f32_min(b32(2.0), b32(1.0)), b32(1.0));
        assert_eq!(f32_max(b32(-1.0), b32(-2.0)), b32(-1.0));
        assert_eq!(f32_min(F32_NEG_INF, b32(f32::MIN)), F32_NEG_INF);
        assert_eq!(f32_max(F32_INF, b32(f32::MAX)), F32_INF);
        assert_eq!(f64_min(b64(1.0), b64(2.0)), b64(1.0));
        assert_eq!(f64_max(b64(-1.0), b64(-2.0)), b64(-1.0));
        assert_eq!(f64_max(b64(2.0), b64(1.0)), b64(2.0));
        assert_eq!(f64_min(b64(f64::MIN_POSITIVE), 0), 0);
    }

    #[test]
    fn nearest_rounds_ties_to_even_and_keeps_the_sign_of_zero() {
        assert_eq!(f32_nearest(b32(0.5)), 0);
        assert_eq!(f32_nearest(b32(1.5)), b32(2.0));
        assert_eq!(f32_nearest(b32(2.5)), b32(2.0));
        assert_eq!(f32_nearest(b32(3.5)), b32(4.0));
        assert_eq!(f32_nearest(b32(-0.5)), F32_NEG_ZERO);
        assert_eq!(f32_nearest(b32(-1.5)), b32(-2.0));
        assert_eq!(f32_nearest(b32(-2.5)), b32(-2.0));
        assert_eq!(f32_nearest(F32_NEG_ZERO), F32_NEG_ZERO);
        // The largest f32 below 0.5 rounds down.
        assert_eq!(f32_nearest(0x3eff_ffff), 0);
        // 2^23 + 1 is already an integer.
        assert_eq!(f32_nearest(b32(8_388_609.0)), b32(8_388_609.0));
        assert_eq!(f32_nearest(F32_NEG_INF), F32_NEG_INF);

        assert_eq!(f64_nearest(b64(0.5)), 0);
        assert_eq!(f64_nearest(b64(1.5)), b64(2.0));
        assert_eq!(f64_nearest(b64(2.5)), b64(2.0));
        assert_eq!(f64_nearest(b64(-0.5)), F64_NEG_ZERO);
        assert_eq!(f64_nearest(b64(-2.5)), b64(-2.0));
        assert_eq!(f64_nearest(b64(-3.5)), b64(-4.0));
        assert_eq!(f64_nearest(0x3fdf_ffff_ffff_ffff), 0);
        assert_eq!(
            f64_nearest(b64(4_503_599_627_370_497.0)),
            b64(4_503_599_627_370_497.0)
        );
        assert_eq!(f64_nearest(F64_INF), F64_INF);
    }

    #[test]
    fn ceil_floor_trunc_keep_the_sign_of_a_zero_result() {
        assert_eq!(f32_ceil(b32(-0.5)), F32_NEG_ZERO);
        assert_eq!(f32_ceil(F32_NEG_ZERO), F32_NEG_ZERO);
        assert_eq!(f32_ceil(b32(0.5)), b32(1.0));
        assert_eq!(f32_ceil(b32(-1.5)), b32(-1.0));
        assert_eq!(f32_floor(b32(0.5)), 0);
        assert_eq!(f32_floor(b32(-0.5)), b32(-1.0));
        assert_eq!(f32_floor(F32_NEG_ZERO), F32_NEG_ZERO);
        assert_eq!(f32_trunc(b32(-0.7)), F32_NEG_ZERO);
        assert_eq!(f32_trunc(b32(0.7)), 0);
        assert_eq!(f32_trunc(b32(-1.7)), b32(-1.0));
        assert_eq!(f32_ceil(F32_NEG_INF), F32_NEG_INF);

        assert_eq!(f64_ceil(b64(-0.5)), F64_NEG_ZERO);
        assert_eq!(f64_ceil(b64(0.5)), b64(1.0));
        assert_eq!(f64_floor(b64(0.5)), 0);
        assert_eq!(f64_floor(b64(-0.5)), b64(-1.0));
        assert_eq!(f64_floor(F64_NEG_ZERO), F64_NEG_ZERO);
        assert_eq!(f64_trunc(b64(-0.7)), F64_NEG_ZERO);
        assert_eq!(f64_trunc(b64(1.7)), b64(1.0));
        assert_eq!(f64_floor(F64_INF), F64_INF);
    }

    #[test]
    fn sqrt_of_negative_zero_is_negative_zero_and_results_are_correctly_rounded() {
        assert_eq!(f32_sqrt(F32_NEG_ZERO), F32_NEG_ZERO);
        assert_eq!(f32_sqrt(0), 0);
        assert_eq!(f32_sqrt(b32(4.0)), b32(2.0));
        assert_eq!(f32_sqrt(b32(2.0)), 0x3fb5_04f3);
        assert_eq!(f32_sqrt(F32_INF), F32_INF);
        // A negative subnormal is negative.
        assert_eq!(f32_sqrt(0x8000_0001), F32_CANONICAL_NAN);
        assert_eq!(f64_sqrt(F64_NEG_ZERO), F64_NEG_ZERO);
        assert_eq!(f64_sqrt(b64(2.0)), 0x3ff6_a09e_667f_3bcd);
        assert_eq!(f64_sqrt(F64_INF), F64_INF);
        assert_eq!(f64_sqrt(0x8000_0000_0000_0001), F64_CANONICAL_NAN);
    }

    #[test]
    fn float_arithmetic_rounds_to_nearest_even() {
        // 1 + 2^-24 is a tie between 1 and 1 + 2^-23: even is 1.
        assert_eq!(f32_add(b32(1.0), 0x3380_0000), b32(1.0));
        // (1 + 2^-23) + 2^-24 is a tie between 1 + 2^-23 and 1 + 2^-22: even is 1 + 2^-22.
        assert_eq!(f32_add(0x3f80_0001, 0x3380_0000), 0x3f80_0002);
        assert_eq!(f32_sub(b32(1.0), b32(1.0)), 0);
        assert_eq!(f32_sub(F32_NEG_ZERO, 0), F32_NEG_ZERO);
        assert_eq!(f32_mul(b32(-2.0), 0), F32_NEG_ZERO);
        assert_eq!(f32_div(b32(1.0), F32_NEG_ZERO), F32_NEG_INF);
        assert_eq!(f32_mul(b32(f32::MAX), b32(2.0)), F32_INF);
        assert_eq!(f64_add(b64(0.1), b64(0.2)), 0x3fd3_3333_3333_3334);
        assert_eq!(f64_div(b64(1.0), b64(3.0)), 0x3fd5_5555_5555_5555);
        assert_eq!(f64_div(b64(-1.0), 0), F64_NEG_INF);
        assert_eq!(
            f64_mul(b64(f64::MIN_POSITIVE), b64(0.5)),
            0x0008_0000_0000_0000
        );
    }

    #[test]
    fn float_comparisons_treat_nan_as_unordered_and_zeros_as_equal() {
        assert_eq!(f32_eq(F32_CANONICAL_NAN, F32_CANONICAL_NAN), 0);
        assert_eq!(f32_ne(F32_CANONICAL_NAN, F32_CANONICAL_NAN), 1);
        assert_eq!(f32_eq(F32_NEG_ZERO, 0), 1);
        assert_eq!(f32_ne(F32_NEG_ZERO, 0), 0);
        assert_eq!(f32_lt(F32_NEG_ZERO, 0), 0);
        assert_eq!(f32_le(F32_NEG_ZERO, 0), 1);
        assert_eq!(f32_lt(F32_SNAN_NEG, b32(1.0)), 0);
        assert_eq!(f32_gt(b32(1.0), F32_SNAN_NEG), 0);
        assert_eq!(f32_le(F32_QNAN_NEG, F32_INF), 0);
        assert_eq!(f32_ge(F32_INF, F32_INF), 1);
        assert_eq!(f32_lt(F32_NEG_INF, b32(f32::MIN)), 1);
        assert_eq!(f32_gt(b32(2.0), b32(1.0)), 1);

        assert_eq!(f64_eq(F64_CANONICAL_NAN, F64_CANONICAL_NAN), 0);
        assert_eq!(f64_ne(F64_SNAN_POS, b64(1.0)), 1);
        assert_eq!(f64_eq(F64_NEG_ZERO, 0), 1);
        assert_eq!(f64_lt(F64_NEG_ZERO, 0), 0);
        assert_eq!(f64_ge(F64_NEG_ZERO, 0), 1);
        assert_eq!(f64_gt(F64_QNAN_NEG, F64_NEG_INF), 0);
        assert_eq!(f64_le(b64(1.0), F64_QNAN_NEG), 0);
        assert_eq!(f64_lt(b64(1.0), b64(2.0)), 1);
    }

    // ---- conversions ----

    #[test]
    fn wrap_and_extend_i32() {
        assert_eq!(i32_wrap_i64(0x1_2345_6789_abcd), 0x6789_abcd);
        assert_eq!(i32_wrap_i64(0x1_8000_0000), i32::MIN);
        assert_eq!(i32_wrap_i64(-1), -1);
        assert_eq!(i64_extend_i32_s(-1), -1);
        assert_eq!(i64_extend_i32_s(i32::MIN), -2_147_483_648);
        assert_eq!(i64_extend_i32_u(-1), 0xffff_ffff);
        assert_eq!(i64_extend_i32_u(i32::MIN), 0x8000_0000);
    }

    #[test]
    fn i32_trunc_f32_s_boundaries() {
        assert_eq!(i32_trunc_f32_s(b32(-2_147_483_648.0)), Ok(i32::MIN));
        // 0x4eff_ffff = 2147483520.0, the largest f32 below 2^31.
        assert_eq!(i32_trunc_f32_s(0x4eff_ffff), Ok(2_147_483_520));
        assert_eq!(i32_trunc_f32_s(b32(2_147_483_648.0)), Err(IntegerOverflow));
        // 0xcf00_0001 = -2147483904.0, the next f32 below -2^31.
        assert_eq!(i32_trunc_f32_s(0xcf00_0001), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_s(b32(-0.9)), Ok(0));
        assert_eq!(i32_trunc_f32_s(b32(-1.9)), Ok(-1));
        assert_eq!(i32_trunc_f32_s(b32(1.9)), Ok(1));
        assert_eq!(i32_trunc_f32_s(F32_NEG_ZERO), Ok(0));
        assert_eq!(i32_trunc_f32_s(F32_INF), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_s(F32_NEG_INF), Err(IntegerOverflow));
    }

    #[test]
    fn i32_trunc_f32_u_boundaries() {
        assert_eq!(i32_trunc_f32_u(b32(-1.0)), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(b32(-0.99)), Ok(0));
        assert_eq!(i32_trunc_f32_u(F32_NEG_ZERO), Ok(0));
        assert_eq!(i32_trunc_f32_u(b32(2_147_483_648.0)), Ok(i32::MIN));
        // 0x4f7f_ffff = 4294967040.0, the largest f32 below 2^32.
        assert_eq!(i32_trunc_f32_u(0x4f7f_ffff), Ok(0xffff_ff00_u32 as i32));
        assert_eq!(i32_trunc_f32_u(b32(4_294_967_296.0)), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(F32_INF), Err(IntegerOverflow));
    }

    #[test]
    fn i32_trunc_f64_s_boundaries() {
        assert_eq!(i32_trunc_f64_s(b64(-2_147_483_648.9)), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(b64(-2_147_483_649.0)), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(b64(2_147_483_647.9)), Ok(i32::MAX));
        assert_eq!(i32_trunc_f64_s(b64(2_147_483_648.0)), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(b64(-0.9)), Ok(0));
        assert_eq!(i32_trunc_f64_s(F64_NEG_INF), Err(IntegerOverflow));
    }

    #[test]
    fn i32_trunc_f64_u_boundaries() {
        assert_eq!(i32_trunc_f64_u(b64(-1.0)), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(b64(-0.999_999_9)), Ok(0));
        assert_eq!(i32_trunc_f64_u(b64(4_294_967_295.9)), Ok(-1));
        assert_eq!(i32_trunc_f64_u(b64(4_294_967_296.0)), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(b64(1e10)), Err(IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(F64_INF), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f32_s_boundaries() {
        assert_eq!(
            i64_trunc_f32_s(b32(-9_223_372_036_854_775_808.0)),
            Ok(i64::MIN)
        );
        // 0x5eff_ffff = 2^63 - 2^39, the largest f32 below 2^63.
        assert_eq!(i64_trunc_f32_s(0x5eff_ffff), Ok(9_223_371_487_098_961_920));
        assert_eq!(i64_trunc_f32_s(0x5f00_0000), Err(IntegerOverflow));
        // 0xdf00_0001 = -(2^63 + 2^40), the next f32 below -2^63.
        assert_eq!(i64_trunc_f32_s(0xdf00_0001), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_s(b32(-0.9)), Ok(0));
        assert_eq!(i64_trunc_f32_s(F32_NEG_INF), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f32_u_boundaries() {
        assert_eq!(i64_trunc_f32_u(b32(-1.0)), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_u(b32(-0.99)), Ok(0));
        // 0x5f7f_ffff = 2^64 - 2^40, the largest f32 below 2^64.
        assert_eq!(
            i64_trunc_f32_u(0x5f7f_ffff),
            Ok(18_446_742_974_197_923_840_u64 as i64)
        );
        assert_eq!(i64_trunc_f32_u(0x5f80_0000), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f32_u(0x5f00_0000), Ok(i64::MIN));
        assert_eq!(i64_trunc_f32_u(F32_INF), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f64_s_boundaries() {
        assert_eq!(i64_trunc_f64_s(0xc3e0_0000_0000_0000), Ok(i64::MIN));
        // 0x43df_ffff_ffff_ffff = 2^63 - 1024, the largest f64 below 2^63.
        assert_eq!(
            i64_trunc_f64_s(0x43df_ffff_ffff_ffff),
            Ok(9_223_372_036_854_774_784)
        );
        assert_eq!(i64_trunc_f64_s(0x43e0_0000_0000_0000), Err(IntegerOverflow));
        // 0xc3e0_0000_0000_0001 = -(2^63 + 2048), the next f64 below -2^63.
        assert_eq!(i64_trunc_f64_s(0xc3e0_0000_0000_0001), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_s(b64(-0.9)), Ok(0));
        assert_eq!(i64_trunc_f64_s(b64(-1.5)), Ok(-1));
        assert_eq!(i64_trunc_f64_s(F64_INF), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f64_u_boundaries() {
        assert_eq!(i64_trunc_f64_u(b64(-1.0)), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_u(b64(-0.99)), Ok(0));
        // 0x43ef_ffff_ffff_ffff = 2^64 - 2048, the largest f64 below 2^64.
        assert_eq!(i64_trunc_f64_u(0x43ef_ffff_ffff_ffff), Ok(-2048));
        assert_eq!(i64_trunc_f64_u(0x43f0_0000_0000_0000), Err(IntegerOverflow));
        assert_eq!(i64_trunc_f64_u(0x43e0_0000_0000_0000), Ok(i64::MIN));
        assert_eq!(i64_trunc_f64_u(F64_NEG_INF), Err(IntegerOverflow));
    }

    #[test]
    fn trunc_of_any_nan_is_an_invalid_conversion() {
        for nan in [F32_CANONICAL_NAN, F32_SNAN_NEG, F32_SNAN_POS, F32_QNAN_NEG] {
            assert_eq!(i32_trunc_f32_s(nan), Err(InvalidConversionToInteger));
            assert_eq!(i32_trunc_f32_u(nan), Err(InvalidConversionToInteger));
            assert_eq!(i64_trunc_f32_s(nan), Err(InvalidConversionToInteger));
            assert_eq!(i64_trunc_f32_u(nan), Err(InvalidConversionToInteger));
        }
        for nan in [F64_CANONICAL_NAN, F64_SNAN_NEG, F64_SNAN_POS, F64_QNAN_NEG] {
            assert_eq!(i32_trunc_f64_s(nan), Err(InvalidConversionToInteger));
            assert_eq!(i32_trunc_f64_u(nan), Err(InvalidConversionToInteger));
            assert_eq!(i64_trunc_f64_s(nan), Err(InvalidConversionToInteger));
            assert_eq!(i64_trunc_f64_u(nan), Err(InvalidConversionToInteger));
        }
    }

    #[test]
    fn trunc_sat_saturates_at_the_bounds_and_maps_nan_to_zero() {
        assert_eq!(i32_trunc_sat_f32_s(F32_QNAN_NEG), 0);
        assert_eq!(i32_trunc_sat_f32_s(F32_INF), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(F32_NEG_INF), i32::MIN);
        assert_eq!(i32_trunc_sat_f32_s(b32(2_147_483_648.0)), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(0xcf00_0001), i32::MIN);
        assert_eq!(i32_trunc_sat_f32_s(0x4eff_ffff), 2_147_483_520);
        assert_eq!(i32_trunc_sat_f32_s(b32(-1.9)), -1);

        assert_eq!(i32_trunc_sat_f32_u(F32_SNAN_POS), 0);
        assert_eq!(i32_trunc_sat_f32_u(F32_INF), -1);
        assert_eq!(i32_trunc_sat_f32_u(F32_NEG_INF), 0);
        assert_eq!(i32_trunc_sat_f32_u(b32(-1.0)), 0);
        assert_eq!(i32_trunc_sat_f32_u(b32(-0.99)), 0);
        assert_eq!(i32_trunc_sat_f32_u(b32(4_294_967_296.0)), -1);
        assert_eq!(i32_trunc_sat_f32_u(0x4f7f_ffff), 0xffff_ff00_u32 as i32);

        assert_eq!(i32_trunc_sat_f64_s(F64_SNAN_NEG), 0);
        assert_eq!(i32_trunc_sat_f64_s(b64(2_147_483_648.0)), i32::MAX);
        assert_eq!(i32_trunc_sat_f64_s(b64(-2_147_483_649.0)), i32::MIN);
        assert_eq!(i32_trunc_sat_f64_s(b64(-2_147_483_648.9)), i32::MIN);
        assert_eq!(i32_trunc_sat_f64_s(b64(2_147_483_647.9)), i32::MAX);
        assert_eq!(i32_trunc_sat_f64_s(b64(-7.9)), -7);

        assert_eq!(i32_trunc_sat_f64_u(F64_CANONICAL_NAN), 0);
        assert_eq!(i32_trunc_sat_f64_u(b64(4_294_967_296.0)), -1);
        assert_eq!(i32_trunc_sat_f64_u(b64(4_294_967_295.9)), -1);
        assert_eq!(i32_trunc_sat_f64_u(b64(-1e30)), 0);
        assert_eq!(i32_trunc_sat_f64_u(b64(3.9)), 3);

        assert_eq!(i64_trunc_sat_f32_s(F32_SNAN_NEG), 0);
        assert_eq!(i64_trunc_sat_f32_s(0x5f00_0000), i64::MAX);
        assert_eq!(i64_trunc_sat_f32_s(0xdf00_0001), i64::MIN);
        assert_eq!(i64_trunc_sat_f32_s(0x5eff_ffff), 9_223_371_487_098_961_920);

        assert_eq!(i64_trunc_sat_f32_u(F32_QNAN_NEG), 0);
        assert_eq!(i64_trunc_sat_f32_u(0x5f80_0000), -1);
        assert_eq!(i64_trunc_sat_f32_u(F32_NEG_INF), 0);
        assert_eq!(i64_trunc_sat_f32_u(b32(-0.99)), 0);

        assert_eq!(i64_trunc_sat_f64_s(F64_QNAN_NEG), 0);
        assert_eq!(i64_trunc_sat_f64_s(F64_INF), i64::MAX);
        assert_eq!(i64_trunc_sat_f64_s(F64_NEG_INF), i64::MIN);
        assert_eq!(i64_trunc_sat_f64_s(0x43e0_0000_0000_0000), i64::MAX);
        assert_eq!(i64_trunc_sat_f64_s(0xc3e0_0000_0000_0001), i64::MIN);
        assert_eq!(
            i64_trunc_sat_f64_s(0x43df_ffff_ffff_ffff),
            9_223_372_036_854_774_784
        );

        assert_eq!(i64_trunc_sat_f64_u(F64_SNAN_POS), 0);
        assert_eq!(i64_trunc_sat_f64_u(F64_INF), -1);
        assert_eq!(i64_trunc_sat_f64_u(b64(-1.0)), 0);
        assert_eq!(i64_trunc_sat_f64_u(0x43ef_ffff_ffff_ffff), -2048);
        assert_eq!(i64_trunc_sat_f64_u(0x43f0_0000_0000_0000), -1);
    }

    #[test]
    fn convert_to_f32_rounds_once_to_nearest_even() {
        // 2^24 + 1 is a tie between 2^24 and 2^24 + 2: even is 2^24.
        assert_eq!(f32_convert_i32_s(16_777_217), 0x4b80_0000);
        // 2^24 + 3 is a tie between 2^24 + 2 and 2^24 + 4: even is 2^24 + 4.
        assert_eq!(f32_convert_i32_s(16_777_219), 0x4b80_0002);
        assert_eq!(f32_convert_i32_s(i32::MAX), 0x4f00_0000);
        assert_eq!(f32_convert_i32_s(i32::MIN), 0xcf00_0000);
        assert_eq!(f32_convert_i32_s(-1), b32(-1.0));
        assert_eq!(f32_convert_i32_u(-1), 0x4f80_0000);
        assert_eq!(f32_convert_i32_u(i32::MIN), 0x4f00_0000);
        // 2^63 + 2^39 + 1 is just above the tie between 2^63 and 2^63 + 2^40: rounds up.
        assert_eq!(
            f32_convert_i64_u(0x8000_0080_0000_0001_u64 as i64),
            0x5f00_0001
        );
        // 2^63 + 2^39 is the exact tie: even is 2^63.
        assert_eq!(
            f32_convert_i64_u(0x8000_0080_0000_0000_u64 as i64),
            0x5f00_0000
        );
        // 2^64 - 3 * 2^38 + 1 is below the tie between 2^64 - 2^40 and 2^64: rounds down.
        assert_eq!(
            f32_convert_i64_u(0xffff_ff40_0000_0001_u64 as i64),
            0x5f7f_ffff
        );
        assert_eq!(f32_convert_i64_u(-1), 0x5f80_0000);
        // 2^53 + 2^29 + 1: rounding through f64 first would give 2^53 (double rounding); the single
        // correct rounding is 2^53 + 2^30.
        assert_eq!(f32_convert_i64_s(9_007_199_791_611_905), 0x5a00_0001);
        assert_eq!(f32_convert_i64_s(-9_007_199_791_611_905), 0xda00_0001);
        // 2^53 + 1 rounds to 2^53.
        assert_eq!(f32_convert_i64_s(9_007_199_254_740_993), 0x5a00_0000);
        assert_eq!(f32_convert_i64_s(i64::MIN), 0xdf00_0000);
        assert_eq!(f32_convert_i64_s(0), 0);
    }

    #[test]
    fn convert_to_f64_rounds_to_nearest_even() {
        assert_eq!(f64_convert_i32_s(i32::MIN), b64(-2_147_483_648.0));
        assert_eq!(f64_convert_i32_u(-1), b64(4_294_967_295.0));
        assert_eq!(f64_convert_i32_u(i32::MIN), b64(2_147_483_648.0));
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even is 2^53.
        assert_eq!(
            f64_convert_i64_s(9_007_199_254_740_993),
            0x4340_0000_0000_0000
        );
        assert_eq!(
            f64_convert_i64_s(-9_007_199_254_740_993),
            0xc340_0000_0000_0000
        );
        // 2^53 + 3 is a tie between 2^53 + 2 and 2^53 + 4: even is 2^53 + 4.
        assert_eq!(
            f64_convert_i64_s(9_007_199_254_740_995),
            0x4340_0000_0000_0002
        );
        assert_eq!(f64_convert_i64_s(i64::MIN), 0xc3e0_0000_0000_0000);
        assert_eq!(f64_convert_i64_s(i64::MAX), 0x43e0_0000_0000_0000);
        // 2^63 + 1025 is above the tie between 2^63 and 2^63 + 2048: rounds up.
        assert_eq!(
            f64_convert_i64_u(0x8000_0000_0000_0401_u64 as i64),
            0x43e0_0000_0000_0001
        );
        // 2^63 + 1024 is the exact tie: even is 2^63.
        assert_eq!(
            f64_convert_i64_u(0x8000_0000_0000_0400_u64 as i64),
            0x43e0_0000_0000_0000
        );
        assert_eq!(f64_convert_i64_u(-1), 0x43f0_0000_0000_0000);
        assert_eq!(
            f64_convert_i64_u(9_007_199_254_740_993),
            0x4340_0000_0000_0000
        );
    }

    #[test]
    fn demote_rounds_to_nearest_even_overflows_to_infinity_and_quiets_nan() {
        assert_eq!(f32_demote_f64(b64(1.5)), b32(1.5));
        assert_eq!(f32_demote_f64(F64_NEG_ZERO), F32_NEG_ZERO);
        assert_eq!(f32_demote_f64(F64_INF), F32_INF);
        assert_eq!(f32_demote_f64(b64(f64::MAX)), F32_INF);
        assert_eq!(f32_demote_f64(b64(f64::MIN)), F32_NEG_INF);
        // f32::MAX itself is exact.
        assert_eq!(f32_demote_f64(0x47ef_ffff_e000_0000), 0x7f7f_ffff);
        // Just below the midpoint between f32::MAX and 2^128: f32::MAX.
        assert_eq!(f32_demote_f64(0x47ef_ffff_efff_ffff), 0x7f7f_ffff);
        // The midpoint itself: ties to even, which is 2^128, i.e. infinity.
        assert_eq!(f32_demote_f64(0x47ef_ffff_f000_0000), F32_INF);
        // 1 + 2^-24 + 2^-52 is just above the tie between 1 and 1 + 2^-23.
        assert_eq!(f32_demote_f64(0x3ff0_0000_1000_0001), 0x3f80_0001);
        assert_eq!(f32_demote_f64(0x3ff0_0000_1000_0000), 0x3f80_0000);
        // Into the subnormals: 2^-149 is exact, 2^-150 ties to 0, just above 2^-150 rounds up.
        assert_eq!(f32_demote_f64(0x36a0_0000_0000_0000), 0x0000_0001);
        assert_eq!(f32_demote_f64(0x3690_0000_0000_0000), 0);
        assert_eq!(f32_demote_f64(0xb690_0000_0000_0000), F32_NEG_ZERO);
        assert_eq!(f32_demote_f64(0x3690_0000_0000_0001), 0x0000_0001);
        assert_eq!(f32_demote_f64(b64(1e-300)), 0);
        // NaNs keep their sign and the top of their payload, quieted (the spec interpreter's
        // `demote_f64`).
        for (nan, demoted) in [
            (F64_SNAN_NEG, 0xffe0_0000),
            (F64_SNAN_POS, 0x7fe0_0000),
            (F64_QNAN_NEG, 0xffc0_0000),
            (F64_CANONICAL_NAN, F32_CANONICAL_NAN),
            (0x7fff_ffff_ffff_ffff, 0x7fff_ffff),
        ] {
            assert_eq!(f32_demote_f64(nan), demoted, "{nan:#x}");
        }
    }

    #[test]
    fn promote_is_exact_including_subnormals_and_quiets_nan() {
        assert_eq!(f64_promote_f32(b32(1.5)), b64(1.5));
        assert_eq!(f64_promote_f32(F32_NEG_ZERO), F64_NEG_ZERO);
        assert_eq!(f64_promote_f32(F32_NEG_INF), F64_NEG_INF);
        // The smallest f32 subnormal, 2^-149.
        assert_eq!(f64_promote_f32(0x0000_0001), 0x36a0_0000_0000_0000);
        // The largest negative f32 subnormal, -(2^-126 - 2^-149).
        assert_eq!(f64_promote_f32(0x807f_ffff), 0xb80f_ffff_c000_0000);
        assert_eq!(f64_promote_f32(0x7f7f_ffff), 0x47ef_ffff_e000_0000);
        // NaNs keep their sign and payload, quieted (the spec interpreter's `promote_f32`).
        for (nan, promoted) in [
            (F32_SNAN_NEG, 0xfffc_0000_2000_0000),
            (F32_SNAN_POS, 0x7ffc_0000_2000_0000),
            (F32_QNAN_NEG, 0xfff8_0246_8000_0000),
            (F32_CANONICAL_NAN, F64_CANONICAL_NAN),
            (0x7fff_ffff, 0x7fff_ffff_e000_0000),
        ] {
            assert_eq!(f64_promote_f32(nan), promoted, "{nan:#x}");
        }
    }

    #[test]
    fn reinterpret_keeps_every_bit_including_nan_payloads() {
        assert_eq!(i32_reinterpret_f32(F32_SNAN_NEG), 0xffa0_0001_u32 as i32);
        assert_eq!(f32_reinterpret_i32(0xffa0_0001_u32 as i32), F32_SNAN_NEG);
        assert_eq!(i32_reinterpret_f32(b32(1.0)), 0x3f80_0000);
        assert_eq!(f32_reinterpret_i32(i32::MIN), F32_NEG_ZERO);
        assert_eq!(
            i64_reinterpret_f64(F64_SNAN_NEG),
            0xfff4_0000_0000_0001_u64 as i64
        );
        assert_eq!(
            f64_reinterpret_i64(0xfff4_0000_0000_0001_u64 as i64),
            F64_SNAN_NEG
        );
        assert_eq!(
            i64_reinterpret_f64(b64(-2.0)),
            0xc000_0000_0000_0000_u64 as i64
        );
        assert_eq!(f64_reinterpret_i64(1), 0x0000_0000_0000_0001);
    }
}
