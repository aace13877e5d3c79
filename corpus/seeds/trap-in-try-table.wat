;; Traps are never caught: a trap inside a `try_table` with `catch_all` / `catch_all_ref`
;; clauses, directly or in a callee several frames down, escapes to the host as a trap, and the
;; side effects before it persist.
;;
;; Why: engines that implement exceptions and traps with one unwinding mechanism (a shared
;; landing pad, a signal handler that resumes into the nearest handler) risk delivering a trap
;; to a catch_all. The trap kind must survive the trip too (unreachable, out of bounds,
;; division by zero, bad indirect signature).
;;
;; expect: instantiate => ok
;; expect: unreachable_in_try() => trap unreachable
;; expect: global() => i32:1
;; expect: oob_in_callee() => trap oob
;; expect: global() => i32:2
;; expect: div0_two_frames_down(i32:0) => trap div0
;; expect: div0_two_frames_down(i32:4) => i32:25
;; expect: overflow_in_try() => trap overflow
;; expect: bad_signature_in_try() => trap bad-signature
;; expect: global() => i32:3
(module
  (type $v_i (func (result i32)))
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  (table funcref (elem $oob))

  (func (export "global") (result i32) (global.get $g))

  (func $oob (result i32)
    (i32.store (i32.const 0) (i32.const 77))
    (global.set $g (i32.const 2))
    (i32.load (i32.const 65536)))

  (func $div (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
  (func $div_caller (param i32) (result i32) (call $div (local.get 0)))

  (func (export "unreachable_in_try") (result i32)
    (block $h
      (try_table (catch_all $h)
        (global.set $g (i32.const 1))
        (unreachable)))
    (i32.const -1))

  (func (export "oob_in_callee") (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (return (call $oob)))
      (unreachable))
    (drop)
    (i32.const -1))

  (func (export "div0_two_frames_down") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h)
        (block $inner
          (try_table (catch_all $inner)
            (return (call $div_caller (local.get 0)))))
        (return (i32.const -2))))
    (i32.const -1))

  (func (export "overflow_in_try") (result i32)
    (block $h
      (try_table (catch_all $h)
        (return (i32.trunc_f32_s (f32.const 3e9)))))
    (i32.const -1))

  (func (export "bad_signature_in_try") (result i32)
    (block $h
      (try_table (catch_all $h)
        (global.set $g (i32.const 3))
        (call_indirect (param i32) (result i32) (i32.const 1) (i32.const 0))
        (drop)))
    (i32.const -1))
)
