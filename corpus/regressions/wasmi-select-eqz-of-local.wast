;; wasmi 2.0.0 miscompiles `select` when its condition is `i32.eqz` (or `i32.ne` / `i32.eq`
;; with 0, in either operand order) of a local variable: the select reads a stale register
;; instead of the local, so it picks an operand regardless of the condition.
;;
;; Why: found by `catchall fuzz --cases 300 --seed 1` (mixed profile), case 203, a trap-vs-return
;; in which wasmi trapped `integer divide by zero` where reference, cranelift and pulley
;; returned `i32:0, externref:null`. The wasm-smith function computed
;; `x rem_s (select 1 y (i32.eqz y))` — a divisor that is never zero — with `y` a local holding
;; 0; wasmi selected `y`. (The module also used tail calls; they play no part.) Reduced by hand.
;;
;; Verdict: wasmi bug, not ours; every other engine (cranelift, cranelift-explicit,
;; cranelift-o0, pulley, winch) agrees with the reference. Not found reported upstream (wasmi's
;; issue tracker searched for select / eqz / fusion).
;;
;; Upstream report (wasmi 2.0.0, wasmparser-validated module, no proposals beyond 1.0):
;;   Expected (spec `select`: the first operand when the condition is non-zero, else the
;;   second): select_eqz(1, 2, 5) = 2, select_nez(1, 2, 5) = 1, rem_by_nonzero(7, 5) = 2,
;;   rem_global(0) = 0.
;;   Actual: select_eqz(1, 2, 5) = 1, select_nez(1, 2, 5) = 2, rem_by_nonzero(7, 5) = 0,
;;   rem_global(0) traps with "integer divide by zero".
;;   Likely cause, from the source: `FuncTranslator::try_fuse_select`
;;   (crates/wasmi/src/engine/translator/func/mod.rs) accepts a staged `I32Eq_Rsi { rhs: 0 }`
;;   or `I32NotEq_Rsi { rhs: 0 }` (result in the register, compared value in a stack slot),
;;   drops it and swaps or keeps the operands, but the select still reads its condition from
;;   the register the dropped instruction would have written. For the `_Rri` forms that
;;   register does hold the compared value (`select_eqz_computed` below is right); for the
;;   `_Rsi` forms the condition should become the instruction's `lhs` slot. What the stale
;;   register holds depends on the code before: 0 in the small functions here, 2000 (the
;;   `global.get`) in `rem_global`.
;;
(module
  (global $g (mut i32) (i32.const 2000))
  (func (export "select_eqz") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.eqz (local.get $c))))
  (func (export "select_nez") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.ne (local.get $c) (i32.const 0))))
  ;; `i32.eq` with a constant 0 on either side is staged as the same `I32Eq_Rsi { rhs: 0 }`
  ;; (found by the idiom generator's `spaceship` template, `catchall fuzz --profile idioms`).
  (func (export "select_eq_zero_first") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.eq (i32.const 0) (local.get $c))))
  ;; The same with the compared value computed into a register: correct in wasmi.
  (func (export "select_eqz_computed") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.eqz (i32.add (local.get $c) (i32.const 0)))))
  (func (export "rem_by_nonzero") (param $x i32) (param $y i32) (result i32)
    (i32.rem_s (local.get $x) (select (i32.const 1) (local.get $y) (i32.eqz (local.get $y)))))
  (func (export "rem_global") (param $y i32) (result i32)
    (i32.rem_s (global.get $g) (select (i32.const 1) (local.get $y) (i32.eqz (local.get $y))))))
(assert_return (invoke "select_eqz" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 1))
(assert_return (invoke "select_eqz" (i32.const 1) (i32.const 2) (i32.const 5)) (i32.const 2))
(assert_return (invoke "select_nez" (i32.const 1) (i32.const 2) (i32.const 0)) (i32.const 2))
(assert_return (invoke "select_nez" (i32.const 1) (i32.const 2) (i32.const 5)) (i32.const 1))
(assert_return (invoke "select_eqz_computed" (i32.const 1) (i32.const 2) (i32.const 5)) (i32.const 2))
(assert_return (invoke "select_eq_zero_first" (i32.const 1) (i32.const 2) (i32.const 5)) (i32.const 2))
(assert_return (invoke "rem_by_nonzero" (i32.const 7) (i32.const 5)) (i32.const 2))
(assert_return (invoke "rem_global" (i32.const 0)) (i32.const 0))
