;; wasmi 2.0.0 aborts the process on `memory.grow` of a memory64 whose declared maximum is
;; 2^48 pages (2^64 bytes, the largest maximum memory64 allows).
;;
;; Found by: `catchall fuzz --seed 11` (case 1740, wasm-smith with the swarm's boundary maximum
;; for 64-bit memories), reduced by hand.
;;
;; Expected (reference, cranelift, pulley): `grow()` returns `i64:0` (the old size; growing
;; 0 -> 1 page is within the maximum).
;; Actual (wasmi 2.0.0): `wasmi_core::memory::Memory::grow` calls `max_size_in_bytes`, which
;; computes `max_pages * bytes_per_page` with `checked_mul` and panics on the overflow
;; ("unexpected out of bounds linear memory maximum size: (max_pages = 281474976710656,
;; bytes_per_page = 65536)", wasmi_core-2.0.0/src/memory/mod.rs:166). The panic happens inside
;; wasmi's executor, which cannot unwind: "thread caused non-unwinding panic. aborting."
;; Any delta > 0 triggers it; the maximum alone does not (instantiation succeeds).
;;
;; catchall skips wasmi for such modules (`known_abort` in oracles/src/engines/wasmi.rs) so a
;; campaign survives; run this file with `catchall run` and `--engines reference,cranelift`.
;; Upstream: not found among wasmi-labs/wasmi issues as of 2026-12-01.
(module
  (memory i64 0 0x1_0000_0000_0000)
  (func (export "grow") (result i64) (memory.grow (i64.const 1))))
