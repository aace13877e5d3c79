;; `memory.grow` on a memory64 with a declared maximum: success returns the old size in pages,
;; failure (beyond the maximum, a delta of 2^64 - 1, a delta of 2^48 pages) returns -1 as an
;; i64 and leaves the memory as it was; grown pages are zeroed and bounds move with the size.
;;
;; Why: the failure value must be the i64 -1 (all 64 bits set); an engine that produces a
;; 32-bit -1 and zero-extends it returns 4294967295. Page arithmetic in 64 bits (delta *
;; 65536 overflowing, old + delta overflowing) is where the maximum check is bypassed.
;;
;; expect: instantiate => ok
;; expect: size() => i64:1
;; expect: grow(i64:1) => i64:1
;; expect: size() => i64:2
;; expect: grow(i64:2) => i64:-1
;; expect: size() => i64:2
;; expect: load8(i64:131071) => i32:0
;; expect: load8(i64:131072) => trap oob
;; expect: grow(i64:-1) => i64:-1
;; expect: grow(i64:281474976710656) => i64:-1
;; expect: grow(i64:-9223372036854775808) => i64:-1
;; expect: size() => i64:2
;; expect: grow(i64:0) => i64:2
;; expect: store8(i64:131071, i32:9) => ok
;; expect: grow(i64:1) => i64:2
;; expect: size() => i64:3
;; expect: load8(i64:131071) => i32:9
;; expect: load8(i64:196607) => i32:0
;; expect: load8(i64:196608) => trap oob
;; expect: grow(i64:1) => i64:-1
;; expect: size() => i64:3
(module
  (memory (export "mem") i64 1 3)
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store8") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
)
