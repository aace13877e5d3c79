;; wasmi 2.0.0 aborts the host process when a 64-bit memory declared with the largest valid
;; maximum, 2^48 pages, grows: computing the maximum in bytes (2^48 x 65536 = 2^64) overflows a
;; u64 and panics inside the executor, which cannot unwind, so the panic becomes an abort.
;;
;; Why: found by `catchall bench`, whose wasm-smith batch reshapes some 64-bit memories to a
;; declared maximum of 2^48 pages (`Reshape::widen_memory64_max`); a campaign that runs wasmi
;; on such a module (any profile with wasmi selected) dies with it rather than reporting a
;; crash. Reduced by hand.
;;
;; Verdict: wasmi bug; the module is valid (memory64 allows a maximum of up to 2^48 pages) and
;; every other engine returns the old size. Not found reported upstream.
;;
;; Upstream report (wasmi 2.0.0 with memory64 enabled):
;;   Expected: grow() = i64:0 (or -1 if the host refuses; either way no crash).
;;   Actual: "panicked at wasmi_core-2.0.0/src/memory/mod.rs:166: unexpected out of bounds
;;   linear memory maximum size: (max_pages = 281474976710656, bytes_per_page = 65536)",
;;   then "panic in a function that cannot unwind" and the process aborts.
;;   Cause: `Memory::grow` calls `max_size_in_bytes()` unconditionally, and that panics when
;;   `max_pages * bytes_per_page` overflows instead of saturating (or the maximum being kept in
;;   u128, as `absolute_max` already is).
;;
(module
  (memory i64 0 0x1_0000_0000_0000)
  (func (export "grow") (result i64) (memory.grow (i64.const 1)))
  (func (export "size") (result i64) (memory.size)))
(assert_return (invoke "grow") (i64.const 0))
(assert_return (invoke "size") (i64.const 1))
