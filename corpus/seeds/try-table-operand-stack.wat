;; A `try_table` with block parameters and results, entered with values already on the operand
;; stack of the enclosing blocks and of callers: catching restores the operand stack to the
;; height of the catch label, so the values below it (and locals, and the caller's pending
;; operands) survive the unwind intact.
;;
;; Why: a throw leaves the operand stack in an arbitrary state (mid-expression, several frames
;; deep); the catch must cut it back to exactly the label's height. An interpreter that
;; restores the height of the try_table instead of the label's block, or a compiler whose
;; landing pad reloads spilled values from the wrong slots, corrupts the values under it.
;;
;; expect: instantiate => ok
;; expect: params_and_results(i32:5) => i32:1000105
;; expect: mid_expression(i64:7) => i64:700000000014
;; expect: caller_operands(i32:3) => i32:12345003
;; expect: many_locals(f64:0x3ff0000000000000) => f64:0x4024000000000000
(module
  (tag $e (export "e") (param i32))
  (tag $l (export "l") (param i64))

  ;; 1000000 waits under the block; the try_table takes two params and the catch delivers the
  ;; payload (5 + 100) to a block whose result is added to the waiting value.
  (func (export "params_and_results") (param i32) (result i32)
    (i32.const 1000000)
    (block $h (result i32)
      (local.get 0)
      (i32.const 100)
      (try_table (param i32 i32) (result i32) (catch $e $h)
        (i32.add)
        (throw $e))
      (unreachable))
    (i32.add))

  ;; The throw happens while the operands of an outer expression are on the stack.
  (func $throws_l (param i64) (result i64)
    (throw $l (i64.mul (local.get 0) (i64.const 2))))

  (func (export "mid_expression") (param i64) (result i64)
    (i64.add
      (i64.const 700000000000)
      (block $h (result i64)
        (try_table (result i64) (catch $l $h)
          (i64.add
            (i64.const 1)
            (i64.mul (i64.const 3) (call $throws_l (local.get 0)))))
        (unreachable))))

  ;; The caller has operands pending across the call whose callee catches internally.
  (func $catches (param i32) (result i32)
    (i32.const 9999)
    (drop)
    (block $h (result i32)
      (try_table (catch $e $h)
        (i32.const 1) (i32.const 2) (i32.const 3)
        (throw $e (local.get 0)))
      (unreachable)))

  (func (export "caller_operands") (param i32) (result i32)
    (i32.add (i32.const 12345000) (call $catches (local.get 0))))

  ;; Floats in locals and on the stack survive a throw that happens several frames down.
  (func $deep (param i32) (result f64)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 0))))
    (f64.add (f64.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))

  (func (export "many_locals") (param f64) (result f64)
    (local $a f64) (local $b f64) (local $c f64)
    (local.set $a (f64.mul (local.get 0) (f64.const 2)))
    (local.set $b (f64.mul (local.get 0) (f64.const 3)))
    (local.set $c (f64.mul (local.get 0) (f64.const 4)))
    (f64.add (local.get $a)
      (f64.add (local.get $b)
        (f64.add (local.get $c)
          (block $done (result f64)
            (block $caught
              (try_table (catch_all $caught)
                (br $done (call $deep (i32.const 5)))))
            (f64.const 1))))))
)
