;; The start function makes a `call_indirect` whose callee has another signature: instantiation
;; fails with an indirect-call type mismatch trap, not a link error.
;;
;; Why: a trap's message can look like a link error's ("type mismatch"); an adapter or engine
;; that classifies instantiation failures by message reports a module that links fine and then
;; traps in its start function as unlinkable (catchall's own wasmtime adapter once did).
;;
;; expect: instantiate => trap bad-signature
(module
  (type $i2i (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $nullary)
  (func $nullary)
  (func $start
    (drop (call_indirect (type $i2i) (i32.const 7) (i32.const 0))))
  (start $start)
  (func (export "never") (result i32) (i32.const 0))
)
