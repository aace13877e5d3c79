;; Bulk memory operations on a memory64 that partially exceed the bound (`memory.fill`,
;; `memory.copy` as destination and as source, `memory.init`) trap and write nothing;
;; zero-length operations at the bound succeed and one byte beyond it trap. (Lengths near
;; 2^64 whose end wraps around: memory64-bulk-length-wrap.wat.)
;;
;; Why: the bulk-memory proposal changed these semantics from "write up to the bound, then
;; trap" to "check first, write nothing", and memory64 widens the operands to i64 (except
;; `memory.init`'s source offset and length, which stay i32).
;; Every trapping operation is followed by loads of the bytes it must not have written.
;;
;; expect: instantiate => ok
;; expect: fill(i64:65530, i32:170, i64:7) => trap oob
;; expect: load8(i64:65530) => i32:0
;; expect: load8(i64:65535) => i32:0
;; expect: fill(i64:65530, i32:170, i64:6) => ok
;; expect: load32(i64:65532) => i32:-1431655766
;; expect: fill(i64:65536, i32:1, i64:0) => ok
;; expect: fill(i64:65537, i32:1, i64:0) => trap oob
;; expect: fill(i64:-1, i32:1, i64:1) => trap oob
;; expect: load32(i64:0) => i32:1145258561
;; expect: copy(i64:65534, i64:0, i64:4) => trap oob
;; expect: load8(i64:65534) => i32:170
;; expect: copy(i64:0, i64:65534, i64:4) => trap oob
;; expect: load32(i64:0) => i32:1145258561
;; expect: copy(i64:65536, i64:65536, i64:0) => ok
;; expect: copy(i64:65537, i64:0, i64:0) => trap oob
;; expect: copy(i64:0, i64:65537, i64:0) => trap oob
;; expect: copy(i64:65532, i64:0, i64:4) => ok
;; expect: load32(i64:65532) => i32:1145258561
;; expect: copy(i64:1, i64:0, i64:3) => ok
;; expect: load32(i64:0) => i32:1128415553
;; expect: init(i64:65534, i32:0, i32:4) => trap oob
;; expect: load8(i64:65534) => i32:67
;; expect: init(i64:-1, i32:0, i32:1) => trap oob
;; expect: init(i64:0, i32:3, i32:3) => trap oob
;; expect: load32(i64:0) => i32:1128415553
;; expect: init(i64:65536, i32:5, i32:0) => ok
;; expect: init(i64:65531, i32:0, i32:5) => ok
;; expect: load8(i64:65531) => i32:104
;; expect: load8(i64:65535) => i32:111
(module
  (memory (export "mem") i64 1)
  (data $hello "hello")
  (data (i64.const 0) "ABCD")
  (func (export "fill") (param i64 i32 i64)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i64 i32 i32)
    (memory.init $hello (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i64) (result i32) (i32.load (local.get 0)))
)
