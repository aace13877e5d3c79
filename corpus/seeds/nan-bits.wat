;; NaN results: operations that produce a NaN from non-NaN inputs give a canonical NaN (sign
;; left open by the spec, so it is masked off inside the module), operations on a NaN input
;; give an arithmetic NaN (quiet bit set), and the bit operations `neg`, `abs`, `copysign`,
;; reinterpretations, constants, locals, and loads and stores preserve every bit of a NaN,
;; signalling ones included.
;;
;; Why: the spec's NaN nondeterminism is narrow (payload of arithmetic results only), and
;; engines over-apply it: an x87-style load that quiets a signalling NaN, a `neg` implemented
;; as `0 - x` or `x * -1` (an arithmetic operation, which may change the payload), a
;; constant folder that canonicalizes, or a store/load through a float register that converts.
;; Values the spec leaves open are never returned raw: only their class is, so every engine
;; must agree bit for bit on every result here.
;;
;; expect: instantiate => ok
;; expect: div_zero_zero_magnitude() => i32:2143289344
;; expect: sqrt_neg_magnitude() => i64:9221120237041090560
;; expect: inf_minus_inf_is_canonical() => i32:1
;; expect: add_snan_is_quiet() => i32:1
;; expect: mul_nan_payload_is_arithmetic() => i32:1
;; expect: neg(f32:0x7fa00000) => f32:0xffa00000
;; expect: neg(f32:0xffc00001) => f32:0x7fc00001
;; expect: abs(f32:0xff800001) => f32:0x7f800001
;; expect: copysign(f32:0x7fa00001, f32:0xbf800000) => f32:0xffa00001
;; expect: copysign(f32:0x3f800000, f32:0xffc00000) => f32:0xbf800000
;; expect: neg64(f64:0x7ff0000000000001) => f64:0xfff0000000000001
;; expect: snan_const() => f32:0x7f800001
;; expect: negative_canonical_const() => f64:0xfff8000000000000
;; expect: reinterpret(i32:2141192193) => f32:0x7fa00001
;; expect: reinterpret_back(f32:0xff800003) => i32:-8388605
;; expect: store_load(f32:0x7f800001) => f32:0x7f800001
;; expect: store_load64(f64:0xfff4000000000000) => f64:0xfff4000000000000
;; expect: load_bits() => i32:2139095041
;; expect: select_nan(f32:0x7f800002, i32:1) => f32:0x7f800002
;; expect: through_local_and_global(f64:0x7ff0000000000003) => f64:0x7ff0000000000003
(module
  (memory (export "mem") 1)
  (global $gf (mut f64) (f64.const 0))

  ;; 0/0 is a canonical NaN: magnitude bits 0x7fc00000, either sign.
  (func (export "div_zero_zero_magnitude") (result i32)
    (i32.and (i32.reinterpret_f32 (f32.div (f32.const 0) (f32.const 0))) (i32.const 0x7fffffff)))

  (func (export "sqrt_neg_magnitude") (result i64)
    (i64.and (i64.reinterpret_f64 (f64.sqrt (f64.const -1)))
             (i64.const 0x7fffffffffffffff)))

  ;; A canonical NaN from dynamic inputs (no constant folding): 1 when the magnitude is exactly
  ;; the canonical pattern.
  (func (export "inf_minus_inf_is_canonical") (result i32)
    (f32.store (i32.const 0) (f32.const inf))
    (i32.eq
      (i32.and (i32.reinterpret_f32 (f32.sub (f32.load (i32.const 0)) (f32.load (i32.const 0))))
               (i32.const 0x7fffffff))
      (i32.const 0x7fc00000)))

  ;; Arithmetic on a signalling NaN yields an arithmetic NaN: exponent all ones, quiet bit set.
  (func (export "add_snan_is_quiet") (result i32)
    (i32.eq
      (i32.and (i32.reinterpret_f32 (f32.add (f32.const nan:0x200000) (f32.const 1)))
               (i32.const 0x7fc00000))
      (i32.const 0x7fc00000)))

  (func (export "mul_nan_payload_is_arithmetic") (result i32)
    (i64.eq
      (i64.and (i64.reinterpret_f64 (f64.mul (f64.const nan:0x8000000000123) (f64.const 2)))
               (i64.const 0x7ff8000000000000))
      (i64.const 0x7ff8000000000000)))

  (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "abs") (param f32) (result f32) (f32.abs (local.get 0)))
  (func (export "copysign") (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))
  (func (export "neg64") (param f64) (result f64) (f64.neg (local.get 0)))
  (func (export "snan_const") (result f32) (f32.const nan:0x1))
  (func (export "negative_canonical_const") (result f64) (f64.const -nan))
  (func (export "reinterpret") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
  (func (export "reinterpret_back") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))

  (func (export "store_load") (param f32) (result f32)
    (f32.store (i32.const 16) (local.get 0))
    (f32.load (i32.const 16)))

  (func (export "store_load64") (param f64) (result f64)
    (f64.store (i32.const 24) (local.get 0))
    (f64.load (i32.const 24)))

  ;; The bits the f32 store of the previous `store_load` left in memory.
  (func (export "load_bits") (result i32) (i32.load (i32.const 16)))

  (func (export "select_nan") (param f32 i32) (result f32)
    (select (local.get 0) (f32.const 0) (local.get 1)))

  (func (export "through_local_and_global") (param f64) (result f64)
    (local $x f64)
    (local.set $x (local.get 0))
    (global.set $gf (local.get $x))
    (global.get $gf))
)
