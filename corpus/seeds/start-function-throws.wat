;; The start function throws: instantiation fails with the exception (tag and payload), after
;; the start function already wrote to memory and to a global.
;;
;; Why: an exception escaping instantiation is a third outcome besides success and trap, and
;; the host must still be able to name its tag although the instance never came to be (its
;; tags are resolved through the module being instantiated). An engine that reports it as a
;; generic instantiation error or a trap, or runs the start function with no handler frame
;; for the host boundary, diverges here.
;;
;; expect: instantiate => exn $e(i32:9, i64:-1)
(module
  (tag $e (export "e") (param i32 i64))
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  (func $start
    (i32.store (i32.const 0) (i32.const 42))
    (global.set $g (i32.const 1))
    (throw $e (i32.const 9) (i64.const -1)))
  (start $start)
  (func (export "get") (result i32) (global.get $g))
)
