;; memory64 effective addresses are computed without wrapping: `addr + offset` that exceeds
;; 2^64 - 1 traps instead of wrapping around to a small in-bounds address, for loads and stores,
;; constant and dynamic addresses, and offsets up to 2^64 - 1.
;;
;; Why: the spec computes `addr + offset` as an unbounded integer; a 64-bit add wraps, so an
;; engine that forgets the carry reads (or writes) near address 0. `i64.load offset=16` of
;; address -8 wraps to 8 and `offset=2^64-1` of address 1 wraps to 0, both valid addresses
;; holding known bytes here. A constant address lets an optimizer fold the addition at compile
;; time, where the same mistake can hide differently.
;;
;; expect: instantiate => ok
;; expect: load_const() => trap oob
;; expect: load_off16(i64:-8) => trap oob
;; expect: load_off16(i64:-16) => trap oob
;; expect: load_off16(i64:0) => i64:1663540288323457296
;; expect: load_off16(i64:65512) => i64:0
;; expect: load_off16(i64:65513) => trap oob
;; expect: load8_offmax(i64:0) => trap oob
;; expect: load8_offmax(i64:1) => trap oob
;; expect: load8_off4g(i64:-4294967296) => trap oob
;; expect: load8_off4g(i64:-4294967295) => trap oob
;; expect: store_off16(i64:-8, i64:-1) => trap oob
;; expect: store_off16(i64:-16, i64:-1) => trap oob
;; expect: load(i64:0) => i64:506097522914230528
;; expect: load(i64:8) => i64:1084818905618843912
(module
  (memory (export "mem") i64 1)
  (data (i64.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13\14\15\16\17")
  (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "load_const") (result i64) (i64.load offset=16 (i64.const -8)))
  (func (export "load_off16") (param i64) (result i64) (i64.load offset=16 (local.get 0)))
  (func (export "load8_offmax") (param i64) (result i32)
    (i32.load8_u offset=0xffffffffffffffff (local.get 0)))
  (func (export "load8_off4g") (param i64) (result i32)
    (i32.load8_u offset=0x100000000 (local.get 0)))
  (func (export "store_off16") (param i64 i64) (i64.store offset=16 (local.get 0) (local.get 1)))
)
