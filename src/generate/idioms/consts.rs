//! Per-type boundary constants for the idiom generator: the values that instruction selection,
//! constant folding and immediate encodings treat specially, drawn most of the time.
//!
//! Integer constants come from families rather than one flat list, so that every width gets its
//! own edges: the specials (0, ±1, ±2, min, max and their neighbours), powers of two and their
//! neighbours (and negations), bit widths and their multiples and neighbours (shift and rotate
//! amounts, `bzhi` indices), and the edges of the narrower immediate encodings — x64's `imm8`
//! and `simm32` (`simm32_from_value`, `i32_from_iconst` in Cranelift's `inst.isle`), and the
//! 16-bit offsets of wasmi's `*Mem0Offset16` load and store forms. Float constants are the
//! argument boundary sets of [`crate::generate::args`] (zeros, infinities, NaNs of every class,
//! rounding and conversion edges) plus powers of two and their bit-neighbours.

use crate::generate::args::{F32_BOUNDARIES, F64_BOUNDARIES};
use crate::generate::choices::Choices;

/// How often (out of 16) a constant is a boundary value rather than random bits.
const BOUNDARY_IN_16: u64 = 14;

/// The mask of a `bits`-wide integer.
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// The specials of a `bits`-wide integer: 0, ±1, ±2, min, max and their neighbours.
fn special(c: &mut Choices, bits: u32) -> u64 {
    let min = 1u64 << (bits - 1);
    let max = min - 1;
    *c.pick(&[
        0,
        1,
        u64::MAX,
        2,
        u64::MAX - 1,
        min,
        max,
        min + 1,
        max - 1,
        3,
    ])
}

/// The edges of the narrower immediate encodings (x64 `imm8`, 16-bit offsets and
/// immediates, x64 `simm32` for 64-bit operands), sign-extended as the instruction would.
fn encoding_edge(c: &mut Choices, bits: u32) -> u64 {
    let width = if bits == 64 {
        *c.pick(&[8u32, 16, 32])
    } else {
        *c.pick(&[8u32, 16])
    };
    let half = 1u64 << (width - 1);
    *c.pick(&[
        half - 1,                            // largest positive immediate
        half,                                // one past it
        half.wrapping_neg(),                 // smallest negative immediate
        half.wrapping_neg().wrapping_sub(1), // one below it
        (half << 1) - 1,                     // all ones of the narrow width (zero-extended)
        half << 1,                           // one past the unsigned range
    ])
}

/// A power of two, a neighbour of one, or the negation of either.
fn power_of_two(c: &mut Choices, bits: u32) -> u64 {
    let k = c.below(u64::from(bits));
    let base = 1u64 << k;
    let v = match c.below(3) {
        0 => base,
        1 => base.wrapping_sub(1),
        _ => base.wrapping_add(1),
    };
    if c.chance(1, 3) { v.wrapping_neg() } else { v }
}

/// A bit width, a multiple of one, or a neighbour (shift, rotate and `bzhi` amounts).
fn bit_width(c: &mut Choices, bits: u32) -> u64 {
    let b = u64::from(bits);
    let v = *c.pick(&[
        b - 1,
        b,
        b + 1,
        b / 2,
        2 * b,
        2 * b - 1,
        7,
        8,
        9,
        15,
        16,
        17,
        31,
        32,
        33,
        63,
        64,
        65,
        127,
        128,
    ]);
    if c.chance(1, 5) { v.wrapping_neg() } else { v }
}

/// A `bits`-wide integer constant (as the low `bits` of the result): a boundary value 7 times in
/// 8, otherwise random bits.
pub fn int(c: &mut Choices, bits: u32) -> u64 {
    if !c.chance(BOUNDARY_IN_16, 16) && c.remaining() > 0 {
        return c.bits() & mask(bits);
    }
    let v = match c.weighted(&[5, 5, 3, 3]) {
        0 => special(c, bits),
        1 => power_of_two(c, bits),
        2 => bit_width(c, bits),
        _ => encoding_edge(c, bits),
    };
    v & mask(bits)
}

/// An `i32` constant (see [`int`]).
pub fn i32(c: &mut Choices) -> i32 {
    int(c, 32) as u32 as i32
}

/// An `i64` constant (see [`int`]).
pub fn i64(c: &mut Choices) -> i64 {
    int(c, 64) as i64
}

/// A shift or rotate amount for a `bits`-wide operand: mostly in range, often at the
/// width and its neighbours and multiples (which wasm masks), sometimes negative.
pub fn shift_amount(c: &mut Choices, bits: u32) -> u64 {
    let v = match c.below(4) {
        0 | 1 => c.below(u64::from(bits)),
        2 => bit_width(c, bits),
        _ => int(c, bits),
    };
    v & mask(bits)
}

/// A divisor for a `bits`-wide division or remainder: the cases Cranelift's
/// `div_const.rs` and the `sdiv`/`udiv`/`srem`/`urem` rules of `opts/arithmetic.isle` treat
/// apart — ±1, powers of two and their negations, the minimum, the maximum, small odd and even
/// values that take the magic-number path, and, rarely, zero (a trap wasmi folds at
/// translation, `decode_rhs_as_divisor`).
pub fn divisor(c: &mut Choices, bits: u32) -> u64 {
    let min = 1u64 << (bits - 1);
    let v = match c.weighted(&[4, 5, 5, 2, 1]) {
        0 => *c.pick(&[1, u64::MAX, min, min - 1, mask(bits), 2, u64::MAX - 1]),
        1 => {
            let p = 1u64 << c.range(1, u64::from(bits) - 1);
            if c.chance(1, 2) { p.wrapping_neg() } else { p }
        }
        2 => {
            let d = *c.pick(&[
                3u64, 5, 6, 7, 9, 10, 11, 12, 25, 60, 100, 641, 1000, 6700417,
            ]);
            if c.chance(1, 3) { d.wrapping_neg() } else { d }
        }
        3 => c.bits() | 1,
        _ => 0,
    };
    v & mask(bits)
}

/// Bits of an `f32` constant: an argument boundary value, a power of two or a bit-neighbour
/// of one (rounding and conversion edges), or random bits.
pub fn f32(c: &mut Choices) -> u32 {
    match c.weighted(&[10, 4, 1]) {
        0 => *c.pick(F32_BOUNDARIES),
        1 => {
            let k = c.range(0, 70) as i32 - 6;
            let bits = 2f32.powi(k).to_bits();
            let bits = match c.below(3) {
                0 => bits,
                1 => bits - 1,
                _ => bits + 1,
            };
            if c.chance(1, 3) {
                bits | 0x8000_0000
            } else {
                bits
            }
        }
        _ => c.bits() as u32,
    }
}

/// Bits of an `f64` constant (see [`f32`]).
pub fn f64(c: &mut Choices) -> u64 {
    match c.weighted(&[10, 4, 1]) {
        0 => *c.pick(F64_BOUNDARIES),
        1 => {
            let k = c.range(0, 70) as i32 - 6;
            let bits = 2f64.powi(k).to_bits();
            let bits = match c.below(3) {
                0 => bits,
                1 => bits - 1,
                _ => bits + 1,
            };
            if c.chance(1, 3) {
                bits | 0x8000_0000_0000_0000
            } else {
                bits
            }
        }
        _ => c.bits(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws<T>(n: usize, mut f: impl FnMut(&mut Choices) -> T) -> Vec<T> {
        let mut rng = crate::generate::rng::Rng::new(n as u64);
        let data: Vec<u8> = (0..n * 24).map(|_| rng.next_u64() as u8).collect();
        let mut c = Choices::new(&data);
        (0..n).map(|_| f(&mut c)).collect()
    }

    #[test]
    fn every_family_of_edges_appears() {
        let v32 = draws(4000, i32);
        for want in [
            0,
            1,
            -1,
            i32::MIN,
            i32::MAX,
            0x7f,
            0x80,
            -0x81,
            0xffff,
            0x1_0000,
            31,
            32,
        ] {
            assert!(v32.contains(&want), "i32 {want:#x} never drawn");
        }
        let v64 = draws(4000, i64);
        for want in [
            i64::MIN,
            i64::MAX,
            0x7fff_ffff,
            0x8000_0000,
            -0x8000_0001,
            0xffff_ffff,
            0x1_0000_0000,
            64,
        ] {
            assert!(v64.contains(&want), "i64 {want:#x} never drawn");
        }
        let d = draws(4000, |c| divisor(c, 32) as u32 as i32);
        for want in [0, 1, -1, i32::MIN, 2, -4, 3, 7] {
            assert!(d.contains(&want), "divisor {want} never drawn");
        }
    }

    #[test]
    fn exhausted_input_gives_zero() {
        let mut c = Choices::new(&[]);
        assert_eq!(i32(&mut c), 0);
        assert_eq!(i64(&mut c), 0);
        assert_eq!(f32(&mut c), F32_BOUNDARIES[0]);
        assert_eq!(shift_amount(&mut c, 64), 0);
    }

    #[test]
    fn constants_keep_their_width() {
        for v in draws(2000, |c| int(c, 32)) {
            assert!(v <= u64::from(u32::MAX));
        }
        for v in draws(2000, |c| shift_amount(c, 32)) {
            assert!(v <= u64::from(u32::MAX));
        }
    }
}
