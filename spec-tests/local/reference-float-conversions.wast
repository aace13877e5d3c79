;; f32.demote_f64 and f64.promote_f32 of a NaN, as the reference interpreter implements them. The
;; spec lets the result be any NaN of the right class (canonical for a canonical input,
;; arithmetic otherwise), of either sign; the reference keeps the sign and the top of the
;; payload and sets the quiet bit, as the spec's own interpreter and hardware conversions do.
;; These assertions are stricter than the spec (exact bits) on purpose: they pin what every
;; engine in the gate does.
;;
;; Regression: wasm-smith's `canonicalize_nans` does not canonicalize these two conversions, and
;; the reference used to return the positive canonical NaN where every other engine kept the
;; sign, so wasm-smith cases that demoted or promoted a negative NaN diverged on globals
;; (`catchall fuzz --profile smith --seed 1`, cases 620, 842, 868, 1706 and 1724 of 2000).
;; Arguments and results go through integers so that no host conversion touches the NaNs.
(module
  (func (export "demote") (param i64) (result i32)
    (i32.reinterpret_f32 (f32.demote_f64 (f64.reinterpret_i64 (local.get 0)))))
  (func (export "promote") (param i32) (result i64)
    (i64.reinterpret_f64 (f64.promote_f32 (f32.reinterpret_i32 (local.get 0)))))
  ;; The case wasm-smith generated: a negative NaN constant, promoted.
  (func (export "promote-neg-nan-const") (result i64)
    (i64.reinterpret_f64 (f64.promote_f32 (f32.const -nan)))))

(assert_return (invoke "demote" (i64.const 0x7ff8_0000_0000_0000)) (i32.const 0x7fc0_0000))
(assert_return (invoke "demote" (i64.const 0xfff8_0000_0000_0000)) (i32.const 0xffc0_0000))
;; signalling in, quiet out; the payload's top 23 bits survive
(assert_return (invoke "demote" (i64.const 0xfff4_0000_0000_0001)) (i32.const 0xffe0_0000))
(assert_return (invoke "demote" (i64.const 0x7ff4_0000_0000_0001)) (i32.const 0x7fe0_0000))
(assert_return (invoke "demote" (i64.const 0x7fff_ffff_ffff_ffff)) (i32.const 0x7fff_ffff))
(assert_return (invoke "demote" (i64.const 0xfff0_0000_2000_0000)) (i32.const 0xffc0_0001))
;; not NaNs: infinities stay infinities
(assert_return (invoke "demote" (i64.const 0xfff0_0000_0000_0000)) (i32.const 0xff80_0000))

(assert_return (invoke "promote" (i32.const 0x7fc0_0000)) (i64.const 0x7ff8_0000_0000_0000))
(assert_return (invoke "promote" (i32.const 0xffc0_0000)) (i64.const 0xfff8_0000_0000_0000))
(assert_return (invoke "promote" (i32.const 0xffa0_0001)) (i64.const 0xfffc_0000_2000_0000))
(assert_return (invoke "promote" (i32.const 0x7fa0_0001)) (i64.const 0x7ffc_0000_2000_0000))
(assert_return (invoke "promote" (i32.const 0xffc0_1234)) (i64.const 0xfff8_0246_8000_0000))
(assert_return (invoke "promote" (i32.const 0x7fff_ffff)) (i64.const 0x7fff_ffff_e000_0000))
(assert_return (invoke "promote" (i32.const 0xff80_0000)) (i64.const 0xfff0_0000_0000_0000))
(assert_return (invoke "promote-neg-nan-const") (i64.const 0xfff8_0000_0000_0000))
