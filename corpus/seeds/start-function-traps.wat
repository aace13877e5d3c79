;; The start function traps inside a `try_table` with a `catch_all`: instantiation fails with
;; the trap, which the handler does not catch.
;;
;; Why: the start function runs before the host holds an instance, on a path of its own in
;; every engine (wasmtime runs it inside `Instance::new`); traps and exceptions there must be
;; told apart just as in an exported call.
;;
;; expect: instantiate => trap oob
(module
  (memory 1)
  (func $start
    (block $h
      (try_table (catch_all $h)
        (i32.store (i32.const 65535) (i32.const 1)))))
  (start $start)
  (func (export "never") (result i32) (i32.const 0))
)
