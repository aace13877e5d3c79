//! `MemoryDigest`: a content digest of a linear memory that skips all-zero chunks, so that a sparse
//! memory and a dense one with the same contents digest the same, and zero pages cost little.

/// The digest granule: chunks of this many bytes that are entirely zero do not contribute.
pub const CHUNK: usize = 4096;

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// An incremental digest of a memory's contents.
///
/// Feed the memory in increasing address order with [`MemoryDigest::update`]; any split into
/// pieces gives the same digest as long as the pieces are contiguous or separated only by zero
/// bytes (absent pages of a sparse memory can simply be skipped).
#[derive(Clone, Debug)]
pub struct MemoryDigest {
    state: u64,
    /// The chunk currently being assembled, and its index.
    pending: Option<(u64, Box<[u8; CHUNK]>)>,
}

impl Default for MemoryDigest {
    fn default() -> Self {
        MemoryDigest::new()
    }
}

impl MemoryDigest {
    /// An empty digest.
    pub fn new() -> MemoryDigest {
        MemoryDigest {
            state: K,
            pending: None,
        }
    }

    /// Digests the whole of `memory`.
    pub fn of(memory: &[u8]) -> u64 {
        let mut d = MemoryDigest::new();
        d.update(0, memory);
        d.finish()
    }

    /// Adds `bytes`, which start at address `offset`. Offsets must not go backwards.
    pub fn update(&mut self, mut offset: u64, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let chunk = offset / CHUNK as u64;
            let within = (offset % CHUNK as u64) as usize;
            let take = (CHUNK - within).min(bytes.len());
            let (head, rest) = bytes.split_at(take);
            if within == 0 && take == CHUNK {
                self.flush();
                self.chunk(chunk, head);
            } else {
                match &mut self.pending {
                    Some((i, _)) if *i == chunk => {}
                    _ => {
                        self.flush();
                        self.pending = Some((chunk, Box::new([0; CHUNK])));
                    }
                }
                if let Some((_, buf)) = &mut self.pending {
                    buf[within..within + take].copy_from_slice(head);
                }
            }
            offset += take as u64;
            bytes = rest;
        }
    }

    fn flush(&mut self) {
        if let Some((i, buf)) = self.pending.take() {
            self.chunk(i, &buf[..]);
        }
    }

    /// Mixes one chunk into the state, unless it is all zero (most of a memory is: that check
    /// comes first and is a plain scan). Non-zero chunks are hashed in four independent lanes of
    /// 64-bit words, so the multiplies overlap. A short chunk (the end of a memory that is not a
    /// multiple of [`CHUNK`]) is zero-padded to a whole one, so it digests as the sparse path
    /// does.
    fn chunk(&mut self, index: u64, bytes: &[u8]) {
        if bytes.len() < CHUNK {
            let mut whole = [0u8; CHUNK];
            whole[..bytes.len()].copy_from_slice(bytes);
            return self.chunk(index, &whole);
        }
        let word =
            |w: &[u8]| u64::from_le_bytes(w.try_into().expect("chunks_exact yields 8 bytes"));
        if bytes.chunks_exact(8).all(|w| word(w) == 0) {
            return;
        }
        let mut lanes = [K, K.rotate_left(16), K.rotate_left(32), K.rotate_left(48)];
        for quad in bytes.chunks_exact(32) {
            for (lane, w) in lanes.iter_mut().zip(quad.chunks_exact(8)) {
                *lane = (*lane ^ word(w)).wrapping_mul(K).rotate_left(29);
            }
        }
        let mut h = self.state ^ index.wrapping_mul(K);
        for lane in lanes {
            h = (h ^ lane).wrapping_mul(K).rotate_left(29);
        }
        self.state = h;
    }

    /// The digest of everything added.
    pub fn finish(mut self) -> u64 {
        self.flush();
        self.state
    }
}

/// Digests a host memory as [`MemoryDigest::of`] does, without reading the pages the process
/// has never touched.
///
/// A memory of several GiB that wasm code touched in a few places (memory64 cases routinely
/// declare 4 GiB and more) would otherwise be scanned whole after every step, on every engine.
/// On Linux without swap, a page of an anonymous or shared-memory mapping that `mincore(2)`
/// reports as not resident has never been written since it was mapped (or was discarded), so
/// it reads as zero: it is skipped exactly as a zero chunk is, and the digest is the same. With
/// swap enabled (a non-resident page may hold data), off Linux, or when the memory is not
/// page-aligned, every page is read.
pub fn of_host_memory(memory: &[u8]) -> u64 {
    resident::digest(memory).unwrap_or_else(|| MemoryDigest::of(memory))
}

#[cfg(target_os = "linux")]
mod resident {
    use super::{CHUNK, MemoryDigest};
    use std::sync::OnceLock;

    /// Pages asked about per `mincore` call (64 MiB of memory, a 16 KiB answer).
    const WINDOW: usize = 16 * 1024;

    /// Whether non-resident means zero here: no swap area is active.
    fn usable() -> bool {
        static USABLE: OnceLock<bool> = OnceLock::new();
        *USABLE.get_or_init(|| {
            // SAFETY: sysconf has no preconditions.
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            let no_swap = std::fs::read_to_string("/proc/swaps")
                .is_ok_and(|t| t.lines().skip(1).all(|l| l.trim().is_empty()));
            page == CHUNK as libc::c_long && no_swap
        })
    }

    /// The digest from resident pages only; `None` when that shortcut does not apply.
    pub fn digest(memory: &[u8]) -> Option<u64> {
        if memory.len() < WINDOW * CHUNK / 16
            || !usable()
            || !(memory.as_ptr() as usize).is_multiple_of(CHUNK)
        {
            return None;
        }
        let mut d = MemoryDigest::new();
        let mut vec = vec![0u8; WINDOW];
        for (w, window) in memory.chunks(WINDOW * CHUNK).enumerate() {
            let pages = window.len().div_ceil(CHUNK);
            // SAFETY: `window` is a live, page-aligned region of this process (the start is
            // checked above; every window starts a whole number of pages later) and `vec` has
            // room for one byte per page of it. mincore only reads the page tables.
            let rc = unsafe {
                libc::mincore(
                    window.as_ptr() as *mut libc::c_void,
                    window.len(),
                    vec.as_mut_ptr(),
                )
            };
            if rc != 0 {
                return None;
            }
            let base = (w * WINDOW * CHUNK) as u64;
            for (p, flags) in vec[..pages].iter().enumerate() {
                if flags & 1 != 0 {
                    let start = p * CHUNK;
                    let end = (start + CHUNK).min(window.len());
                    d.update(base + start as u64, &window[start..end]);
                }
            }
        }
        Some(d.finish())
    }
}

#[cfg(not(target_os = "linux"))]
mod resident {
    /// No shortcut off Linux.
    pub fn digest(_memory: &[u8]) -> Option<u64> {
        None
    }
}

/// The first offset at which two memories differ (a shorter memory reads as zero past its end),
/// `None` when they are equal.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<u64> {
    let n = a.len().max(b.len());
    (0..n)
        .find(|&i| a.get(i).copied().unwrap_or(0) != b.get(i).copied().unwrap_or(0))
        .map(|i| i as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_chunks_do_not_count_and_splits_do_not_matter() {
        let mut mem = vec![0u8; 3 * CHUNK + 100];
        mem[5000] = 7;
        mem[3 * CHUNK + 1] = 9;
        let whole = MemoryDigest::of(&mem);
        // Sparse: only the non-zero neighbourhoods.
        let mut d = MemoryDigest::new();
        d.update(4990, &mem[4990..5010]);
        d.update(3 * CHUNK as u64, &mem[3 * CHUNK..3 * CHUNK + 2]);
        assert_eq!(d.finish(), whole);
        // Odd split points.
        let mut d = MemoryDigest::new();
        d.update(0, &mem[..4097]);
        d.update(4097, &mem[4097..]);
        assert_eq!(d.finish(), whole);
        // Trailing zeros (a bigger memory with the same data) digest the same; sizes are
        // compared separately.
        assert_eq!(
            MemoryDigest::of(&[0; 10 * CHUNK]),
            MemoryDigest::new().finish()
        );
        // A memory whose end is not chunk-aligned digests as its zero-padded self.
        let mut padded = mem[..CHUNK + 100].to_vec();
        let short = MemoryDigest::of(&padded);
        padded.resize(2 * CHUNK, 0);
        assert_eq!(short, MemoryDigest::of(&padded));
    }

    /// A page-aligned, zeroed buffer, as engines map their memories.
    struct Pages {
        ptr: *mut u8,
        layout: std::alloc::Layout,
    }

    impl Pages {
        fn new(bytes: usize) -> Pages {
            let layout = std::alloc::Layout::from_size_align(bytes, CHUNK).expect("a layout");
            // SAFETY: the layout has a non-zero size.
            let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
            assert!(!ptr.is_null(), "allocation failed");
            Pages { ptr, layout }
        }
        fn bytes(&mut self) -> &mut [u8] {
            // SAFETY: `ptr` holds `layout.size()` initialized (zeroed) bytes owned by `self`.
            unsafe { std::slice::from_raw_parts_mut(self.ptr, self.layout.size()) }
        }
    }

    impl Drop for Pages {
        fn drop(&mut self) {
            // SAFETY: allocated in `new` with this layout.
            unsafe { std::alloc::dealloc(self.ptr, self.layout) }
        }
    }

    #[test]
    fn host_memory_digests_skip_untouched_pages_and_agree() {
        // 256 MiB of fresh zero pages, written in a few places: the shortcut applies (on Linux
        // without swap) and gives the full scan's digest.
        let mut pages = Pages::new(256 << 20);
        let mem = pages.bytes();
        assert_eq!(of_host_memory(mem), MemoryDigest::of(mem));
        mem[12345] = 1;
        mem[(200 << 20) + 7] = 2;
        let full = MemoryDigest::of(mem);
        assert_eq!(of_host_memory(mem), full);
        if cfg!(target_os = "linux")
            && std::fs::read_to_string("/proc/swaps").is_ok_and(|t| t.lines().count() <= 1)
        {
            assert_eq!(resident::digest(mem), Some(full), "the shortcut was taken");
        }
        mem[(200 << 20) + 7] = 3;
        assert_ne!(of_host_memory(mem), full);
        // An unaligned view is digested by the full scan.
        assert_eq!(resident::digest(&mem[1..]), None);
        assert_eq!(of_host_memory(&mem[1..]), MemoryDigest::of(&mem[1..]));
    }

    #[test]
    fn contents_and_positions_matter() {
        let mut a = vec![0u8; 2 * CHUNK];
        let mut b = a.clone();
        a[10] = 1;
        b[CHUNK + 10] = 1;
        assert_ne!(MemoryDigest::of(&a), MemoryDigest::of(&b));
        b[CHUNK + 10] = 0;
        b[10] = 2;
        assert_ne!(MemoryDigest::of(&a), MemoryDigest::of(&b));
        assert_eq!(first_difference(&a, &b), Some(10));
        assert_eq!(first_difference(&a, &a[..11]), None);
    }
}
