//! Execution counters of the exception and memory64 paths, kept by the evaluator for coverage statistics.

/// What a store executed, totals over its lifetime. Counting never changes behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Exceptions raised: `throw`, and `throw_ref` of a non-null reference.
    pub thrown: u64,
    /// `throw_ref` instructions executed (including of null).
    pub throw_refs: u64,
    /// Exceptions caught by a `try_table` handler.
    pub caught: u64,
    /// Exceptions caught after unwinding at least one call frame.
    pub caught_across_frames: u64,
    /// Call frames unwound by exceptions, before they were caught or escaped.
    pub frames_unwound: u64,
    /// Catches per clause kind: `catch`, `catch_ref`, `catch_all`, `catch_all_ref`.
    pub caught_by_kind: [u64; 4],
    /// Exceptions that escaped to the host (from a call or a start function).
    pub uncaught: u64,
    /// Loads, stores and bulk-operation ranges on 32-bit memories.
    pub mem32_accesses: u64,
    /// Loads, stores and bulk-operation ranges on 64-bit memories.
    pub mem64_accesses: u64,
    /// Accesses to 64-bit memories whose range ends within 16 bytes of the memory's current
    /// size, on either side.
    pub mem64_near_bound: u64,
    /// Accesses to 64-bit memories at effective addresses at or above 2^32.
    pub mem64_high: u64,
    /// `memory.grow` on 32-bit memories.
    pub grow32: u64,
    /// `memory.grow` on 64-bit memories.
    pub grow64: u64,
    /// `memory.grow` that failed (returned -1).
    pub grow_failures: u64,
}

impl Counters {
    /// Counts one access to the range `[ea, ea + len)` of a memory of `size` bytes. `ea` is the
    /// effective address in full precision (it may be past 2^64 when `addr + offset` overflows).
    /// Out-of-bounds accesses count too: they are the interesting ones.
    #[inline(always)]
    pub fn access(&mut self, is64: bool, ea: u128, len: u64, size: u128) {
        if !is64 {
            self.mem32_accesses += 1;
            return;
        }
        self.access64(ea, len, size);
    }

    #[inline(never)]
    fn access64(&mut self, ea: u128, len: u64, size: u128) {
        self.mem64_accesses += 1;
        let end = ea + u128::from(len);
        if end.abs_diff(size) <= 16 {
            self.mem64_near_bound += 1;
        }
        if ea >= 1 << 32 {
            self.mem64_high += 1;
        }
    }
}
