//! `Coverage`: execution counters of the exception and memory64 paths, as the reference
//! interpreter counts them, for campaign statistics.

use serde::Serialize;

/// The catch clause kinds, in the order of [`Coverage::caught_by_kind`].
pub const CATCH_KINDS: [&str; 4] = ["catch", "catch_ref", "catch_all", "catch_all_ref"];

/// Counters of what one store executed. All counts are totals over the store's lifetime.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Coverage {
    /// Exceptions raised: `throw` and `throw_ref` of a non-null reference.
    pub thrown: u64,
    /// `throw_ref` instructions executed (including of null).
    pub throw_refs: u64,
    /// Exceptions caught by a `try_table` handler.
    pub caught: u64,
    /// Exceptions caught after unwinding at least one call frame.
    pub caught_across_frames: u64,
    /// Call frames unwound by exceptions before they were caught or escaped.
    pub frames_unwound: u64,
    /// Catches per clause kind, in [`CATCH_KINDS`] order.
    pub caught_by_kind: [u64; 4],
    /// Exceptions that escaped to the host.
    pub uncaught: u64,
    /// Loads, stores and bulk operations on 32-bit memories.
    pub mem32_accesses: u64,
    /// Loads, stores and bulk operations on 64-bit memories.
    pub mem64_accesses: u64,
    /// Accesses to 64-bit memories whose effective address range ends within 16 bytes of the
    /// memory's current size, on either side.
    pub mem64_near_bound: u64,
    /// Accesses to 64-bit memories at effective addresses at or above 2^32.
    pub mem64_high: u64,
    /// `memory.grow` on 32-bit memories.
    pub grow32: u64,
    /// `memory.grow` on 64-bit memories.
    pub grow64: u64,
    /// `memory.grow` calls that failed (returned -1).
    pub grow_failures: u64,
}

impl Coverage {
    /// Adds `other`'s counts to `self`.
    pub fn add(&mut self, other: &Coverage) {
        self.thrown += other.thrown;
        self.throw_refs += other.throw_refs;
        self.caught += other.caught;
        self.caught_across_frames += other.caught_across_frames;
        self.frames_unwound += other.frames_unwound;
        for (a, b) in self.caught_by_kind.iter_mut().zip(other.caught_by_kind) {
            *a += b;
        }
        self.uncaught += other.uncaught;
        self.mem32_accesses += other.mem32_accesses;
        self.mem64_accesses += other.mem64_accesses;
        self.mem64_near_bound += other.mem64_near_bound;
        self.mem64_high += other.mem64_high;
        self.grow32 += other.grow32;
        self.grow64 += other.grow64;
        self.grow_failures += other.grow_failures;
    }
}
