//! Memory instances (spec 4.2.8): one 64-bit address path for both index types, stored sparsely.
//!
//! The first [`DENSE_BYTES`] bytes live in one contiguous vector (the fast path of every load and
//! store of a small memory); pages past it live in an ordered map of 64 KiB pages, allocated on
//! first write, so that a declared multi-GiB memory costs only the pages touched. An absent page
//! reads as zeros.
//!
//! Bounds are checked on the exact spec arithmetic: the effective address `addr + offset` and the
//! end of the access are computed in 128 bits, so nothing wraps, and an access is in bounds when
//! its end is at most the memory's size in bytes. Every operation checks all of its bounds before
//! it writes anything: an out-of-bounds store or bulk operation has no effect.

use crate::error::Trap;
use crate::syntax::{IndexType, MemType};
use std::collections::BTreeMap;

/// The page size (spec: 64 KiB).
pub const PAGE: u64 = 65536;

/// How many leading bytes of a memory are kept densely.
pub const DENSE_BYTES: u64 = 16 << 20;

const DENSE_PAGES: u64 = DENSE_BYTES / PAGE;

/// The largest size in pages an index type can address.
pub fn max_pages(index: IndexType) -> u64 {
    match index {
        IndexType::I32 => 1 << 16,
        IndexType::I64 => 1 << 48,
    }
}

/// A linear memory.
#[derive(Clone, Debug)]
pub struct Memory {
    ty: MemType,
    /// The current size in pages.
    pages: u64,
    /// Bytes `[0, dense.len())`; `dense.len() == min(size in bytes, DENSE_BYTES)`.
    dense: Vec<u8>,
    /// Pages at or past `DENSE_PAGES` that were written, by page number.
    sparse: BTreeMap<u64, Box<[u8]>>,
}

impl Memory {
    /// A memory of type `ty` at its minimum size, all zeros. The caller has checked the minimum
    /// against its limits.
    pub fn new(ty: MemType) -> Memory {
        let pages = ty.limits.min;
        let dense = vec![0; dense_len(pages)];
        Memory {
            ty,
            pages,
            dense,
            sparse: BTreeMap::new(),
        }
    }

    /// The memory's type, with its declared limits.
    pub fn ty(&self) -> MemType {
        self.ty
    }

    /// Whether this is a 64-bit memory.
    #[inline(always)]
    pub fn is64(&self) -> bool {
        self.ty.index == IndexType::I64
    }

    /// The current size in pages.
    pub fn size_pages(&self) -> u64 {
        self.pages
    }

    /// The current size in bytes (up to 2^64, hence 128 bits).
    #[inline(always)]
    pub fn size_bytes(&self) -> u128 {
        u128::from(self.pages) * u128::from(PAGE)
    }

    /// Loads `N` bytes at `addr + offset` (spec 4.4.7 `t.load`), trapping when any of them is
    /// out of bounds.
    #[inline(always)]
    pub fn load<const N: usize>(&self, addr: u64, offset: u64) -> Result<[u8; N], Trap> {
        let ea = u128::from(addr) + u128::from(offset);
        let end = ea + N as u128;
        if end <= self.dense.len() as u128 {
            let start = ea as usize;
            let mut out = [0; N];
            out.copy_from_slice(&self.dense[start..start + N]);
            return Ok(out);
        }
        self.load_slow(ea, end)
    }

    #[inline(never)]
    fn load_slow<const N: usize>(&self, ea: u128, end: u128) -> Result<[u8; N], Trap> {
        if end > self.size_bytes() {
            return Err(Trap::MemoryOutOfBounds);
        }
        let mut out = [0; N];
        self.read_in_bounds(ea as u64, &mut out);
        Ok(out)
    }

    /// Stores `N` bytes at `addr + offset` (spec 4.4.7 `t.store`); when any of them is out of
    /// bounds, traps and writes nothing.
    #[inline(always)]
    pub fn store<const N: usize>(
        &mut self,
        addr: u64,
        offset: u64,
        bytes: [u8; N],
    ) -> Result<(), Trap> {
        let ea = u128::from(addr) + u128::from(offset);
        let end = ea + N as u128;
        if end <= self.dense.len() as u128 {
            let start = ea as usize;
            self.dense[start..start + N].copy_from_slice(&bytes);
            return Ok(());
        }
        self.store_slow(ea, end, &bytes)
    }

    #[inline(never)]
    fn store_slow(&mut self, ea: u128, end: u128, bytes: &[u8]) -> Result<(), Trap> {
        if end > self.size_bytes() {
            return Err(Trap::MemoryOutOfBounds);
        }
        self.write_in_bounds(ea as u64, bytes);
        Ok(())
    }

    /// Grows by `delta` pages (spec 4.5.3.8 `growmem`), returning the old size, or `None` when
    /// the new size would pass the declared maximum, the index type's range or `limit_bytes`,
    /// or, for a memory that is not empty, `grow_limit_bytes` (the host's limits; the spec lets
    /// a grow fail for any reason).
    pub fn grow(&mut self, delta: u64, limit_bytes: u64, grow_limit_bytes: u64) -> Option<u64> {
        let old = self.pages;
        if delta == 0 {
            // Growing by nothing asks nothing of the host: every engine answers the old size.
            return Some(old);
        }
        let new = old.checked_add(delta)?;
        let max = self
            .ty
            .limits
            .max
            .unwrap_or(u64::MAX)
            .min(max_pages(self.ty.index));
        let new_bytes = u128::from(new) * u128::from(PAGE);
        if new > max
            || new_bytes > u128::from(limit_bytes)
            || (old > 0 && new_bytes > u128::from(grow_limit_bytes))
        {
            return None;
        }
        self.pages = new;
        let dense = dense_len(new);
        if dense > self.dense.len() {
            self.dense.resize(dense, 0);
        }
        Some(old)
    }

    /// Checks that `[start, start + len)` is in bounds.
    #[inline]
    pub fn check_range(&self, start: u64, len: u64) -> Result<(), Trap> {
        if u128::from(start) + u128::from(len) > self.size_bytes() {
            Err(Trap::MemoryOutOfBounds)
        } else {
            Ok(())
        }
    }

    /// `memory.fill` (spec 4.4.7): sets `[d, d + n)` to `val` after checking bounds.
    pub fn fill(&mut self, d: u64, val: u8, n: u64) -> Result<(), Trap> {
        self.check_range(d, n)?;
        let (start, end) = (d, d + n);
        let dense_end = (self.dense.len() as u64).min(end);
        if start < dense_end {
            self.dense[start as usize..dense_end as usize].fill(val);
        }
        let mut pos = start.max(self.dense.len() as u64);
        while pos < end {
            let (page, within) = (pos / PAGE, (pos % PAGE) as usize);
            let take = ((PAGE as usize) - within).min((end - pos).min(PAGE) as usize);
            if val != 0 || self.sparse.contains_key(&page) {
                self.page_mut(page)[within..within + take].fill(val);
            }
            pos += take as u64;
        }
        Ok(())
    }

    /// Writes `bytes` at `d` after checking bounds (`memory.init`, data segments).
    pub fn write(&mut self, d: u64, bytes: &[u8]) -> Result<(), Trap> {
        self.check_range(d, bytes.len() as u64)?;
        self.write_in_bounds(d, bytes);
        Ok(())
    }

    /// Reads `buf.len()` bytes at `start` after checking bounds.
    pub fn read(&self, start: u64, buf: &mut [u8]) -> Result<(), Trap> {
        self.check_range(start, buf.len() as u64)?;
        self.read_in_bounds(start, buf);
        Ok(())
    }

    /// `memory.copy` within this memory (spec 4.4.7): copies `[s, s + n)` to `[d, d + n)` as if
    /// through a temporary buffer, after checking both ranges.
    pub fn copy_within(&mut self, d: u64, s: u64, n: u64) -> Result<(), Trap> {
        self.check_range(s, n)?;
        self.check_range(d, n)?;
        let dense = self.dense.len() as u64;
        if d + n <= dense && s + n <= dense {
            self.dense
                .copy_within(s as usize..(s + n) as usize, d as usize);
            return Ok(());
        }
        let mut buf = [0u8; 4096];
        let chunk = buf.len() as u64;
        if d <= s {
            let mut i = 0;
            while i < n {
                let k = chunk.min(n - i) as usize;
                self.read_in_bounds(s + i, &mut buf[..k]);
                self.write_in_bounds(d + i, &buf[..k]);
                i += k as u64;
            }
        } else {
            let mut i = n;
            while i > 0 {
                let k = chunk.min(i) as usize;
                i -= k as u64;
                self.read_in_bounds(s + i, &mut buf[..k]);
                self.write_in_bounds(d + i, &buf[..k]);
            }
        }
        Ok(())
    }

    /// Copies `[s, s + n)` of `src` to `[d, d + n)` of `dst`, two distinct memories, after
    /// checking both ranges.
    pub fn copy_between(
        dst: &mut Memory,
        d: u64,
        src: &Memory,
        s: u64,
        n: u64,
    ) -> Result<(), Trap> {
        src.check_range(s, n)?;
        dst.check_range(d, n)?;
        let mut buf = [0u8; 4096];
        let chunk = buf.len() as u64;
        let mut i = 0;
        while i < n {
            let k = chunk.min(n - i) as usize;
            src.read_in_bounds(s + i, &mut buf[..k]);
            dst.write_in_bounds(d + i, &buf[..k]);
            i += k as u64;
        }
        Ok(())
    }

    /// Calls `f` with every present stretch of the memory, in increasing address order: the
    /// dense prefix, then each written sparse page. Bytes not covered are zero.
    pub fn for_each_present(&self, mut f: impl FnMut(u64, &[u8])) {
        if !self.dense.is_empty() {
            f(0, &self.dense);
        }
        for (page, bytes) in &self.sparse {
            if *page < self.pages {
                f(page * PAGE, bytes);
            }
        }
    }

    /// How many bytes of storage the memory holds (dense prefix plus sparse pages).
    pub fn resident_bytes(&self) -> u64 {
        self.dense.len() as u64 + self.sparse.len() as u64 * PAGE
    }

    /// The whole memory as one vector (for locating a difference; allocates the full size).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = vec![0; self.size_bytes() as usize];
        self.for_each_present(|at, bytes| {
            out[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        });
        out
    }

    fn page_mut(&mut self, page: u64) -> &mut [u8] {
        self.sparse
            .entry(page)
            .or_insert_with(|| vec![0; PAGE as usize].into_boxed_slice())
    }

    fn read_in_bounds(&self, start: u64, buf: &mut [u8]) {
        let mut pos = start;
        let mut out = buf;
        while !out.is_empty() {
            let take;
            if pos < self.dense.len() as u64 {
                take = out.len().min(self.dense.len() - pos as usize);
                out[..take].copy_from_slice(&self.dense[pos as usize..pos as usize + take]);
            } else {
                let (page, within) = (pos / PAGE, (pos % PAGE) as usize);
                take = out.len().min(PAGE as usize - within);
                match self.sparse.get(&page) {
                    Some(p) => out[..take].copy_from_slice(&p[within..within + take]),
                    None => out[..take].fill(0),
                }
            }
            pos += take as u64;
            out = &mut out[take..];
        }
    }

    fn write_in_bounds(&mut self, start: u64, bytes: &[u8]) {
        let mut pos = start;
        let mut rest = bytes;
        while !rest.is_empty() {
            let take;
            if pos < self.dense.len() as u64 {
                take = rest.len().min(self.dense.len() - pos as usize);
                self.dense[pos as usize..pos as usize + take].copy_from_slice(&rest[..take]);
            } else {
                let (page, within) = (pos / PAGE, (pos % PAGE) as usize);
                take = rest.len().min(PAGE as usize - within);
                let chunk = &rest[..take];
                // An absent page is zero: writing zeros to it changes nothing.
                if self.sparse.contains_key(&page) || chunk.iter().any(|&b| b != 0) {
                    self.page_mut(page)[within..within + take].copy_from_slice(chunk);
                }
            }
            pos += take as u64;
            rest = &rest[take..];
        }
    }
}

/// The length of the dense prefix of a memory of `pages` pages.
fn dense_len(pages: u64) -> usize {
    pages.min(DENSE_PAGES).saturating_mul(PAGE) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Limits;

    fn mem(index: IndexType, min: u64, max: Option<u64>) -> Memory {
        Memory::new(MemType {
            index,
            limits: Limits { min, max },
        })
    }

    #[test]
    fn loads_and_stores_round_trip_across_the_dense_boundary() {
        let mut m = mem(IndexType::I64, DENSE_PAGES + 2, None);
        let at = DENSE_BYTES - 3;
        m.store(at, 0, 0x0102_0304_0506_0708u64.to_le_bytes())
            .unwrap();
        assert_eq!(
            u64::from_le_bytes(m.load::<8>(at, 0).unwrap()),
            0x0102_0304_0506_0708
        );
        assert_eq!(m.load::<1>(DENSE_BYTES, 0).unwrap(), [0x05]);
        assert_eq!(m.sparse.len(), 1);
        // Reading elsewhere in the sparse region allocates nothing.
        assert_eq!(m.load::<4>(DENSE_BYTES + PAGE + 8, 0).unwrap(), [0; 4]);
        assert_eq!(m.sparse.len(), 1);
    }

    #[test]
    fn effective_address_overflow_traps_instead_of_wrapping() {
        let m = mem(IndexType::I64, 1, None);
        assert_eq!(m.load::<1>(u64::MAX, 1), Err(Trap::MemoryOutOfBounds));
        assert_eq!(m.load::<4>(1, u64::MAX), Err(Trap::MemoryOutOfBounds));
        assert_eq!(m.load::<4>(PAGE - 4, 0), Ok([0; 4]));
        assert_eq!(m.load::<4>(PAGE - 3, 0), Err(Trap::MemoryOutOfBounds));
    }

    #[test]
    fn a_partially_out_of_bounds_store_writes_nothing() {
        let mut m = mem(IndexType::I32, 1, None);
        m.store(PAGE - 4, 0, [9; 4]).unwrap();
        assert_eq!(
            m.store(PAGE - 2, 0, [1, 2, 3, 4]),
            Err(Trap::MemoryOutOfBounds)
        );
        assert_eq!(m.load::<4>(PAGE - 4, 0).unwrap(), [9; 4]);
        // Same in the sparse region.
        let mut big = mem(IndexType::I64, DENSE_PAGES + 1, None);
        let end = DENSE_BYTES + PAGE;
        assert_eq!(big.store(end - 2, 0, [1; 8]), Err(Trap::MemoryOutOfBounds));
        assert!(big.sparse.is_empty());
    }

    #[test]
    fn grow_respects_maximum_index_type_and_host_limit() {
        let mut m = mem(IndexType::I32, 1, Some(3));
        assert_eq!(m.grow(2, u64::MAX, u64::MAX), Some(1));
        assert_eq!(m.grow(1, u64::MAX, u64::MAX), None);
        assert_eq!(m.size_pages(), 3);
        let mut m = mem(IndexType::I32, 0, None);
        assert_eq!(m.grow(65537, u64::MAX, u64::MAX), None);
        assert_eq!(m.grow(2, PAGE, u64::MAX), None);
        assert_eq!(m.grow(1, PAGE, u64::MAX), Some(0));
        let mut m = mem(IndexType::I64, 0, None);
        assert_eq!(m.grow(u64::MAX, u64::MAX, u64::MAX), None);
        assert_eq!(m.grow((1 << 48) + 1, u64::MAX, u64::MAX), None);
    }

    #[test]
    fn the_grow_limit_binds_non_empty_memories_only() {
        // An empty memory may grow up to the memory limit in one step...
        let mut m = mem(IndexType::I64, 0, None);
        assert_eq!(m.grow(4, u64::MAX, PAGE), Some(0));
        // ...after which the grow limit applies (and a grow by 0 always succeeds).
        assert_eq!(m.grow(1, u64::MAX, 4 * PAGE), None);
        assert_eq!(m.grow(0, u64::MAX, PAGE), Some(4));
        assert_eq!(m.size_pages(), 4);
        let mut m = mem(IndexType::I32, 1, None);
        assert_eq!(m.grow(1, u64::MAX, 2 * PAGE), Some(1));
        assert_eq!(m.grow(1, u64::MAX, 2 * PAGE), None);
    }

    #[test]
    fn bulk_operations_check_bounds_first() {
        let mut m = mem(IndexType::I32, 1, None);
        assert_eq!(m.fill(PAGE - 2, 7, 3), Err(Trap::MemoryOutOfBounds));
        assert_eq!(m.load::<2>(PAGE - 2, 0).unwrap(), [0, 0]);
        m.fill(0, 1, 4).unwrap();
        assert_eq!(m.copy_within(PAGE - 2, 0, 4), Err(Trap::MemoryOutOfBounds));
        assert_eq!(m.load::<2>(PAGE - 2, 0).unwrap(), [0, 0]);
        // Zero-length operations at the very end are in bounds; past it they trap.
        m.fill(PAGE, 1, 0).unwrap();
        assert_eq!(m.fill(PAGE + 1, 1, 0), Err(Trap::MemoryOutOfBounds));
    }

    #[test]
    fn overlapping_copies_behave_like_memmove_in_both_regions() {
        for base in [0, DENSE_BYTES - 5000] {
            let mut m = mem(IndexType::I64, DENSE_PAGES + 1, None);
            let data: Vec<u8> = (0..9000u32).map(|i| (i % 251) as u8 + 1).collect();
            m.write(base, &data).unwrap();
            m.copy_within(base + 100, base, 9000 - 100).unwrap();
            let mut out = vec![0; 9000];
            m.read(base, &mut out).unwrap();
            assert_eq!(&out[100..], &data[..8900]);
            m.write(base, &data).unwrap();
            m.copy_within(base, base + 100, 8900).unwrap();
            m.read(base, &mut out).unwrap();
            assert_eq!(&out[..8900], &data[100..]);
        }
    }

    #[test]
    fn an_eight_gib_memory_costs_only_touched_pages() {
        let mut m = mem(IndexType::I64, 8 << 14, None);
        for addr in [5u64 << 30, (6u64 << 30) + 17, (8u64 << 30) - 8] {
            m.store(addr, 0, [0xab; 8]).unwrap();
        }
        assert_eq!(m.load::<8>((8u64 << 30) - 8, 0).unwrap(), [0xab; 8]);
        assert_eq!(m.load::<1>(8u64 << 30, 0), Err(Trap::MemoryOutOfBounds));
        assert_eq!(m.resident_bytes(), DENSE_BYTES + 3 * PAGE);
        // Filling a huge range with zeros allocates nothing.
        m.fill(4 << 30, 0, 1 << 30).unwrap();
        assert_eq!(m.resident_bytes(), DENSE_BYTES + 3 * PAGE);
        let mut present = Vec::new();
        m.for_each_present(|at, bytes| present.push((at, bytes.len())));
        assert_eq!(present.len(), 4);
        assert!(present.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
