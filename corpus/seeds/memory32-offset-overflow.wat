;; memory32 effective addresses are 33-bit: `addr + offset` beyond 2^32 - 1 traps instead of
;; wrapping to a small address, and a straddling store writes nothing.
;;
;; Why: the 32-bit counterpart of memory64-offset-overflow, runnable on every engine (wasmi and
;; Winch included). Engines that rely on a 4 GiB guard region and those with explicit checks
;; (cranelift-explicit) take different code paths for exactly these addresses.
;;
;; expect: instantiate => ok
;; expect: load_offmax(i32:0) => trap oob
;; expect: load_offmax(i32:1) => trap oob
;; expect: load_off16(i32:-8) => trap oob
;; expect: load_off16(i32:65516) => i32:0
;; expect: load_off16(i32:65517) => trap oob
;; expect: store_off16(i32:-12, i32:-1) => trap oob
;; expect: store_off16(i32:65518, i32:-1) => trap oob
;; expect: load(i32:0) => i32:50462976
;; expect: load(i32:4) => i32:117835012
;; expect: load(i32:65532) => i32:0
(module
  (memory (export "mem") 1)
  (data (i32.const 0) "\00\01\02\03\04\05\06\07")
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load_offmax") (param i32) (result i32)
    (i32.load8_u offset=0xffffffff (local.get 0)))
  (func (export "load_off16") (param i32) (result i32) (i32.load offset=16 (local.get 0)))
  (func (export "store_off16") (param i32 i32) (i32.store offset=16 (local.get 0) (local.get 1)))
)
