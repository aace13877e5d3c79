;; The runner's directives and patterns, each once: module definitions and instances,
;; register, get, spectest imports, NaN / reference / either patterns, exhaustion, traps during
;; instantiation (including the legacy assert_uninstantiable), link errors, and quote modules.

(module definition $Counter
  (global (export "g") (mut i32) (i32.const 0))
  (func (export "inc") (result i32)
    (global.set 0 (i32.add (global.get 0) (i32.const 1)))
    (global.get 0)))
(module instance $A $Counter)
(module instance $B $Counter)
(assert_return (invoke $A "inc") (i32.const 1))
(assert_return (invoke $A "inc") (i32.const 2))
(assert_return (invoke $B "inc") (i32.const 1))
(assert_return (get $A "g") (i32.const 2))
(register "counter" $B)

(module
  (import "counter" "inc" (func $inc (result i32)))
  (import "spectest" "global_i32" (global $sg i32))
  (import "spectest" "print_i32" (func $print (param i32)))
  (func (export "twice") (result i32) (drop (call $inc)) (call $inc))
  (func (export "spectest-global") (result i32) (global.get $sg))
  (func (export "print") (call $print (i32.const 7))))
(assert_return (invoke "twice") (i32.const 3))
(assert_return (invoke "spectest-global") (i32.const 666))
(invoke "print")

(module
  (func (export "nan32") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "add64") (param f64) (result f64) (f64.add (local.get 0) (f64.const 1)))
  (func (export "id") (param i32) (result i32) (local.get 0))
  (func $f (export "f"))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $f)
  (func (export "get-ref") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func $rec (export "rec") (call $rec)))
(assert_return (invoke "nan32") (f32.const nan:canonical))
(assert_return (invoke "add64" (f64.const nan:0x4000000000000)) (f64.const nan:arithmetic))
(assert_return (invoke "id" (i32.const 2)) (either (i32.const 1) (i32.const 2)))
(assert_return (invoke "get-ref" (i32.const 0)) (ref.func))
(assert_return (invoke "get-ref" (i32.const 1)) (ref.null func))
(assert_trap (invoke "get-ref" (i32.const 2)) "out of bounds table access")
(assert_exhaustion (invoke "rec") "call stack exhausted")

(module
  (func (export "id-extern") (param externref) (result externref) (local.get 0)))
(assert_return (invoke "id-extern" (ref.extern 42)) (ref.extern 42))
(assert_return (invoke "id-extern" (ref.null extern)) (ref.null extern))

(assert_uninstantiable
  (module (func $start unreachable) (start $start))
  "unreachable")
(assert_trap
  (module (memory 1) (data (i32.const 0x10000) "x"))
  "out of bounds memory access")
(assert_unlinkable (module (import "counter" "missing" (func))) "unknown import")
(assert_malformed (module quote "(func (result i32) (i32.const 1)") "unexpected end")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")

(module quote "(func (export \"q\") (result i32) (i32.const 5))")
(assert_return (invoke "q") (i32.const 5))
