//! Argument generation: values for each parameter type, biased towards boundaries (0, -1, min,
//! max, page-boundary and 2^32-crossing addresses, NaN bit patterns).

use crate::generate::rng::Rng;
use oracles::{FuncId, Val, ValType};

/// Interesting `i32` values: signed/unsigned extremes and addresses around page boundaries.
pub const I32_BOUNDARIES: &[i32] = &[
    0,
    1,
    -1,
    2,
    7,
    8,
    i32::MIN,
    i32::MAX,
    0xffff,
    0x1_0000,
    0x1_0000 - 1,
    0x1_0000 - 4,
    0x1_0000 - 8,
    0x1_0000 - 16,
    0x2_0000,
    0x7fff_fff8,
    -8,
    -16,
];

/// Interesting `i64` values: as for `i32`, plus addresses around 2^32 and near 2^64.
pub const I64_BOUNDARIES: &[i64] = &[
    0,
    1,
    -1,
    2,
    8,
    i64::MIN,
    i64::MAX,
    0x1_0000,
    0x1_0000 - 1,
    0x1_0000 - 8,
    0x1_0000 - 16,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0000 - 8,
    0x1_0000_0000 + 0x1_0000,
    0x7fff_ffff,
    -8,
    -16,
    1 << 48,
];

/// Interesting `f32` bit patterns: zeros, infinities, NaNs of every class, extremes, halves,
/// and the rounding and float-to-integer conversion edges.
pub const F32_BOUNDARIES: &[u32] = &[
    0x0000_0000, // 0
    0x8000_0000, // -0
    0x3f80_0000, // 1
    0xbf80_0000, // -1
    0x3f00_0000, // 0.5
    0xbf00_0000, // -0.5
    0x3fc0_0000, // 1.5
    0x4020_0000, // 2.5
    0x7f80_0000, // inf
    0xff80_0000, // -inf
    0x7fc0_0000, // canonical NaN
    0xffc0_0000, // negative canonical NaN
    0x7fc0_0001, // arithmetic NaN
    0x7fa0_0000, // signalling NaN
    0x7f7f_ffff, // max
    0x0000_0001, // smallest subnormal
    0x0080_0000, // smallest normal
    0x4f00_0000, // 2^31
    0xcf00_0000, // -2^31
    0x4f80_0000, // 2^32
    0x5f00_0000, // 2^63
    0x3eff_ffff, // largest below 0.5 (rounding)
    0x3f7f_ffff, // largest below 1
    0x4b00_0000, // 2^23: the first float without a fraction
    0x4aff_ffff, // 2^23 - 0.5 (nearest ties)
    0x4eff_ffff, // largest below 2^31 (i32 conversions)
    0xcf00_0001, // just below -2^31
    0x5eff_ffff, // largest below 2^63 (i64 conversions)
    0x7f80_0001, // signalling NaN, smallest payload
    0xff80_0001, // negative signalling NaN
    0x807f_ffff, // largest negative subnormal
];

/// Interesting `f64` bit patterns, as for `f32`.
pub const F64_BOUNDARIES: &[u64] = &[
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x3ff0_0000_0000_0000,
    0xbff0_0000_0000_0000,
    0x3fe0_0000_0000_0000,
    0xbfe0_0000_0000_0000,
    0x3ff8_0000_0000_0000,
    0x4004_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ff8_0000_0000_0001,
    0x7ff4_0000_0000_0000,
    0x7fef_ffff_ffff_ffff,
    0x0000_0000_0000_0001,
    0x41e0_0000_0000_0000, // 2^31
    0xc1e0_0000_0000_0000, // -2^31
    0x41f0_0000_0000_0000, // 2^32
    0x43e0_0000_0000_0000, // 2^63
    0x43f0_0000_0000_0000, // 2^64
    0x3fdf_ffff_ffff_ffff, // largest below 0.5 (rounding)
    0x4330_0000_0000_0000, // 2^52: the first double without a fraction
    0x432f_ffff_ffff_ffff, // 2^52 - 0.5 (nearest ties)
    0x41df_ffff_ffc0_0000, // 2^31 - 1 (i32 conversions)
    0xc1e0_0000_0020_0000, // -2^31 - 1
    0x41ef_ffff_ffe0_0000, // 2^32 - 1 (u32 conversions)
    0x43df_ffff_ffff_ffff, // largest below 2^63 (i64 conversions)
    0x43ef_ffff_ffff_ffff, // largest below 2^64 (u64 conversions)
    0x7ff0_0000_0000_0001, // signalling NaN, smallest payload
    0xfff0_0000_0000_0001, // negative signalling NaN
    0x000f_ffff_ffff_ffff, // largest subnormal
];

/// The value every parameter gets in the first, all-zero argument set.
pub fn zero(ty: ValType) -> Val {
    ty.default_value()
}

/// One value of type `ty`: three times in four a boundary value, otherwise random bits.
/// `funcs` is the number of functions the callee's instance exposes (for `funcref`s).
pub fn value(rng: &mut Rng, ty: ValType, funcs: u32) -> Val {
    let boundary = rng.chance(3, 4);
    match ty {
        ValType::I32 if boundary => Val::I32(*rng.pick(I32_BOUNDARIES)),
        ValType::I32 => Val::I32(rng.next_u64() as i32),
        ValType::I64 if boundary => Val::I64(*rng.pick(I64_BOUNDARIES)),
        ValType::I64 => Val::I64(rng.next_u64() as i64),
        ValType::F32 if boundary => Val::F32(*rng.pick(F32_BOUNDARIES)),
        ValType::F32 => Val::F32(rng.next_u64() as u32),
        ValType::F64 if boundary => Val::F64(*rng.pick(F64_BOUNDARIES)),
        ValType::F64 => Val::F64(rng.next_u64()),
        ValType::V128 => Val::V128(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64())),
        ValType::FuncRef if funcs > 0 && rng.chance(1, 2) => {
            Val::FuncRef(Some(FuncId::Index(rng.below(u64::from(funcs)) as u32)))
        }
        ValType::FuncRef => Val::FuncRef(None),
        ValType::ExternRef if rng.chance(1, 2) => Val::ExternRef(Some(rng.below(4) as u32)),
        ValType::ExternRef => Val::ExternRef(None),
        // The host holds no exception to pass; only null is constructible.
        ValType::ExnRef => Val::ExnRef(None),
    }
}

/// `count` argument sets for a function with parameter types `params`, derived from `seed`:
/// the all-zero set first, then sets biased towards boundary values.
pub fn arg_sets(params: &[ValType], seed: u64, count: usize, funcs: u32) -> Vec<Vec<Val>> {
    let mut rng = Rng::new(seed);
    let mut sets = vec![params.iter().map(|&t| zero(t)).collect::<Vec<_>>()];
    for _ in 0..count {
        sets.push(params.iter().map(|&t| value(&mut rng, t, funcs)).collect());
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_set_is_zeros_and_sets_are_deterministic() {
        let params = [ValType::I32, ValType::F64, ValType::ExnRef];
        let a = arg_sets(&params, 9, 5, 3);
        assert_eq!(a.len(), 6);
        assert_eq!(a[0], vec![Val::I32(0), Val::F64(0), Val::ExnRef(None)]);
        assert_eq!(a, arg_sets(&params, 9, 5, 3));
        assert_ne!(a, arg_sets(&params, 10, 5, 3));
        for set in &a {
            for (v, t) in set.iter().zip(params) {
                assert_eq!(v.ty(), t);
            }
        }
    }

    #[test]
    fn boundaries_dominate() {
        let mut rng = Rng::new(1);
        let hits = (0..1000)
            .filter(|_| match value(&mut rng, ValType::I64, 0) {
                Val::I64(v) => I64_BOUNDARIES.contains(&v),
                _ => false,
            })
            .count();
        assert!(hits > 600, "{hits}");
    }
}
