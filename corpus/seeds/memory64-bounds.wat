;; memory64 loads and stores at the bound of a one-page memory: the last valid byte, the first
;; invalid byte, accesses straddling the bound (which trap and, for stores, write nothing), and
;; addresses at and beyond 2^32 that must not be truncated to 32 bits.
;;
;; Why: with 64-bit indices engines cannot rely on guard pages alone and emit explicit bounds
;; checks, whose off-by-one (`addr + size > len` against `>=`), truncation of the address to
;; 32 bits, or a partial write of a straddling store (some bytes written before the fault)
;; are classic bugs. Every trapping store is followed by loads of the bytes it must not
;; have touched.
;;
;; expect: instantiate => ok
;; expect: load8(i64:65535) => i32:4
;; expect: load8(i64:65536) => trap oob
;; expect: load32(i64:65532) => i32:67305985
;; expect: load32(i64:65533) => trap oob
;; expect: load64(i64:65528) => i64:289077004400066560
;; expect: load64(i64:65529) => trap oob
;; expect: store32(i64:65534, i32:-1) => trap oob
;; expect: load8(i64:65534) => i32:3
;; expect: load8(i64:65535) => i32:4
;; expect: store64(i64:65530, i64:-1) => trap oob
;; expect: load64(i64:65528) => i64:289077004400066560
;; expect: store16(i64:65535, i32:-1) => trap oob
;; expect: load8(i64:65535) => i32:4
;; expect: store8(i64:65535, i32:255) => ok
;; expect: load8(i64:65535) => i32:255
;; expect: load8(i64:-1) => trap oob
;; expect: load8(i64:-9223372036854775808) => trap oob
;; expect: load8(i64:4294967296) => trap oob
;; expect: load32(i64:4294967296) => trap oob
;; expect: store8(i64:4294967296, i32:7) => trap oob
;; expect: store8(i64:4294967297, i32:7) => trap oob
;; expect: load8(i64:0) => i32:0
;; expect: load8(i64:1) => i32:0
(module
  (memory (export "mem") i64 1)
  (data (i64.const 65532) "\01\02\03\04")
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i64) (result i32) (i32.load (local.get 0)))
  (func (export "load64") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "store8") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store16") (param i64 i32) (i32.store16 (local.get 0) (local.get 1)))
  (func (export "store32") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store64") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
)
