;; memory64 bulk operations whose `d + n` or `s + n` wraps around 2^64 trap and write nothing:
;; `memory.fill` and `memory.copy` with lengths of 2^64 - 1 and 2^64 - 8 from small addresses.
;;
;; Why: with i64 operands the end of the range, computed in 64 bits, wraps to a small in-bounds
;; value (1 + (2^64 - 1) = 0), so a bounds check written as `d + n <= len` passes and the
;; operation runs over the whole address space. The spec checks the unbounded sum.
;;
;; Note: wasmtime 48 charges fuel per byte of a bulk operation before its bounds check
;; (bytecodealliance/wasmtime#14161), so with its default `VariableOperatorCost` these steps end
;; in `exhausted fuel` instead of trapping; catchall's wasmtime adapter sets those costs to 0.
;;
;; expect: instantiate => ok
;; expect: fill(i64:1, i32:1, i64:-1) => trap oob
;; expect: fill(i64:8, i32:1, i64:-8) => trap oob
;; expect: copy(i64:8, i64:0, i64:-1) => trap oob
;; expect: copy(i64:8, i64:0, i64:-8) => trap oob
;; expect: copy(i64:0, i64:8, i64:-8) => trap oob
;; expect: load32(i64:0) => i32:1145258561
;; expect: load32(i64:8) => i32:0
;; expect: load8(i64:65535) => i32:0
(module
  (memory (export "mem") i64 1)
  (data (i64.const 0) "ABCD")
  (func (export "fill") (param i64 i32 i64)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i64) (result i32) (i32.load (local.get 0)))
)
