//! `Choices`: infallible random decisions drawn from raw input bytes, so that every generator is a
//! pure function of its input (a campaign's derived bytes or a fuzzer's mutated ones).

use arbitrary::Unstructured;

/// A source of decisions over an input byte string.
///
/// Every method is infallible: once the input is exhausted, every decision takes its *least*
/// option (`below` returns 0, `chance` returns false unless certain, `pick` the first item), so a
/// short input yields a small, simple module, never an error. This is the convention
/// `arbitrary::Unstructured` itself follows, which lets a fuzzer's byte mutations map onto
/// structural changes.
pub struct Choices<'a> {
    u: Unstructured<'a>,
}

impl<'a> Choices<'a> {
    /// Decisions over `data`.
    pub fn new(data: &'a [u8]) -> Choices<'a> {
        Choices {
            u: Unstructured::new(data),
        }
    }

    /// A number in `0..n` (0 when `n` is 0 or 1, or when the input is exhausted).
    ///
    /// Unbiased to within 1/256: the draw reads enough bytes to span at least 256 times the
    /// range and scales it (multiply and shift), where `arbitrary`'s `int_in_range` reduces
    /// the fewest bytes that cover the range modulo its size (a 40% chance drawn from one byte
    /// modulo 100 comes out as 31%).
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let bits = 64 - (n - 1).leading_zeros() + 8;
        let wanted = bits.div_ceil(8).min(8);
        let mut x: u64 = 0;
        let mut got = 0;
        for _ in 0..wanted {
            match self.u.bytes(1) {
                Ok(b) => {
                    x = (x << 8) | u64::from(b[0]);
                    got += 1;
                }
                Err(_) => break,
            }
        }
        ((u128::from(x) * u128::from(n)) >> (8 * got)) as u64
    }

    /// A number in `lo..=hi` (`lo` when `hi <= lo` or the input is exhausted).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(n) => lo + self.below(n),
            None => self.bits(),
        }
    }

    /// [`Choices::range`] for `u32`.
    pub fn range32(&mut self, lo: u32, hi: u32) -> u32 {
        self.range(u64::from(lo), u64::from(hi)) as u32
    }

    /// True with probability `num / den`; false once the input is exhausted (unless
    /// `num >= den`).
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        if num >= den {
            return true;
        }
        if num == 0 {
            return false;
        }
        self.below(den) >= den - num
    }

    /// A random element of a non-empty slice (the first once the input is exhausted).
    pub fn pick<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index into `weights`, chosen with probability proportional to its weight; the first
    /// non-zero weight once the input is exhausted. `weights` must have a non-zero sum.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }

    /// 64 arbitrary bits (0 once the input is exhausted).
    pub fn bits(&mut self) -> u64 {
        self.u.arbitrary::<u64>().unwrap_or(0)
    }

    /// The remaining input, for a generator that takes an `Unstructured` (wasm-smith).
    pub fn unstructured(&mut self) -> &mut Unstructured<'a> {
        &mut self.u
    }

    /// How many input bytes remain.
    pub fn remaining(&self) -> usize {
        self.u.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhausted_input_takes_the_least_option() {
        let mut c = Choices::new(&[]);
        assert_eq!(c.below(10), 0);
        assert_eq!(c.range(3, 9), 3);
        assert!(!c.chance(9, 10));
        assert!(c.chance(1, 1));
        assert_eq!(*c.pick(&[7, 8]), 7);
        assert_eq!(c.weighted(&[0, 3, 1]), 1);
        assert_eq!(c.bits(), 0);
    }

    #[test]
    fn chances_are_unbiased() {
        let data: Vec<u8> = (0..400_000u64)
            .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 29) as u8)
            .collect();
        let mut c = Choices::new(&data);
        let mut hits = 0;
        for _ in 0..100_000 {
            hits += u32::from(c.chance(40, 100));
        }
        // 40% of draws, within 1%: one byte modulo 100 would give 31%.
        assert!((39_000..=41_000).contains(&hits), "{hits}");
    }

    #[test]
    fn decisions_stay_in_range() {
        let data: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut c = Choices::new(&data);
        for _ in 0..500 {
            assert!(c.below(7) < 7);
            let r = c.range(5, 9);
            assert!((5..=9).contains(&r));
            assert!(c.weighted(&[1, 0, 2]) != 1);
        }
    }
}
