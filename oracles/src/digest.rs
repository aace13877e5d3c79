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

    fn chunk(&mut self, index: u64, bytes: &[u8]) {
        let words = bytes
            .chunks_exact(8)
            .map(|w| u64::from_le_bytes(w.try_into().expect("chunks_exact yields 8 bytes")));
        if words.clone().all(|w| w == 0) {
            return;
        }
        let mut h = self.state ^ index.wrapping_mul(K);
        for w in words {
            h = (h ^ w).wrapping_mul(K).rotate_left(29);
        }
        self.state = h;
    }

    /// The digest of everything added.
    pub fn finish(mut self) -> u64 {
        self.flush();
        self.state
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
