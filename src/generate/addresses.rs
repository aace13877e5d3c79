//! Interesting addresses and static offsets: values at and across a memory's bound, page
//! boundaries, 2^31, 2^32, 2^48 and 2^64, shared by the offset reshaping pass, the scenarios and
//! the plans.

use crate::generate::choices::Choices;
use crate::generate::rng::Rng;

/// Bytes in a WebAssembly page.
pub const PAGE: u64 = 65536;

/// Anything that can roll a number in `0..n`: the campaign's [`Rng`] and input-driven
/// [`Choices`] alike.
pub trait Dice {
    /// A number in `0..n` (0 when `n <= 1`).
    fn roll(&mut self, n: u64) -> u64;
}

impl Dice for Rng {
    fn roll(&mut self, n: u64) -> u64 {
        if n <= 1 { 0 } else { self.below(n) }
    }
}

impl Dice for Choices<'_> {
    fn roll(&mut self, n: u64) -> u64 {
        self.below(n)
    }
}

/// `bound - width + delta` for a `delta` in `-16..=16`, wrapping: the last in-bounds access
/// of `width` bytes is `delta = 0`, every positive delta is out of bounds by `delta` bytes.
pub fn near(d: &mut impl Dice, bound: u64, width: u64) -> u64 {
    let delta = d.roll(33) as i64 - 16;
    bound.wrapping_sub(width).wrapping_add(delta as u64)
}

/// An interesting address or static offset for an access of `width` bytes into a memory that
/// currently holds `bytes` bytes.
///
/// Half of the time the value is near `bytes` (the bound) or a small number; otherwise it is
/// near a page multiple, 2^31 or 2^32 and, for 64-bit memories, near 2^48, 2^63 or 2^64
/// (where `addr + offset` overflows). Values for 32-bit memories stay below 2^32.
pub fn interesting(d: &mut impl Dice, bytes: u64, mem64: bool, width: u64) -> u64 {
    let kinds = if mem64 { 9 } else { 6 };
    let v = match d.roll(kinds) {
        0 => d.roll(65),
        1 | 2 => near(d, bytes, width),
        3 => {
            let pages = 1 + d.roll(4);
            near(d, PAGE * pages, width)
        }
        4 => near(d, 1 << 31, width),
        5 => near(d, 1 << 32, width),
        6 => near(d, 1 << 48, width),
        7 => (1 << 63) + d.roll(17),
        _ => near(d, 0, width),
    };
    if mem64 {
        v
    } else {
        v.min(u64::from(u32::MAX) - d.roll(16))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_straddles_the_bound() {
        let mut r = Rng::new(5);
        let values: Vec<u64> = (0..400).map(|_| near(&mut r, 1000, 8)).collect();
        assert!(values.iter().all(|&v| (976..=1008).contains(&v)));
        assert!(values.contains(&992), "the last in-bounds access");
        assert!(values.iter().any(|&v| v > 992), "out of bounds");
    }

    #[test]
    fn thirty_two_bit_values_fit() {
        let mut r = Rng::new(9);
        for _ in 0..2000 {
            assert!(interesting(&mut r, PAGE, false, 8) <= u64::from(u32::MAX));
        }
        let high = (0..2000)
            .filter(|_| interesting(&mut r, PAGE, true, 8) >= 1 << 32)
            .count();
        assert!(high > 400, "{high}");
    }
}
