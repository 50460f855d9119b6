//! The hot path: a preallocated single-producer / single-consumer ring of variable-length
//! records. Each producer thread owns one ring (see `sink.rs` for why); the sink's worker is the
//! consumer of all of them.
//!
//! Layout: a power-of-two byte buffer. A record is an 8-byte-aligned frame
//! `[len: u32][pad: u32][extra: extra_bytes][payload: len]`, where `extra` holds the optional
//! receive timestamp and sequence number. A frame never wraps: when it does not fit before the
//! end of the buffer the producer writes a `WRAP` length there and starts the frame at offset 0.
//!
//! `head` and `tail` are byte counters that only grow (u64: no wrap in practice); the occupied
//! bytes are `head - tail`. Memory ordering:
//! - the producer writes a frame, then stores `head` with Release; the consumer loads `head`
//!   with Acquire, so every frame byte below `head` is visible to it;
//! - the consumer copies frames out, then stores `tail` with Release; the producer loads `tail`
//!   with Acquire before reusing those bytes, so the consumer's reads happen before the
//!   producer's overwrites.
//!
//! The producer keeps a cached copy of `tail` and reads the shared one only when the cache says
//! the ring is full, so in the common case `try_push` touches no cache line the consumer writes.

use std::cell::UnsafeCell;

use sync::{AtomicBool, AtomicU64, Ordering};

/// The ring's synchronisation, swapped for loom's model-checked types when built with
/// `--cfg loom` (see `rust/tests/loom_ring.rs`). The normal build uses std's, unchanged.
mod sync {
    #[cfg(loom)]
    pub use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    #[cfg(not(loom))]
    pub use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
}

/// Frame length value that means "skip to the start of the buffer".
const WRAP: u32 = u32::MAX;
/// Bytes of the frame header before `extra`.
const HEADER: usize = 8;
const ALIGN: usize = 8;

/// Keeps a value on its own cache lines (128 bytes: adjacent-line prefetch pairs lines on x86).
#[repr(align(128))]
pub struct CachePadded<T>(pub T);

/// Counters written by the producer only (plain stores, no read-modify-write) and read by
/// `stats()` from any thread.
#[derive(Default)]
pub struct ProducerCounters {
    pub attempted: AtomicU64,
    pub accepted: AtomicU64,
    pub dropped_full: AtomicU64,
    pub dropped_oversize: AtomicU64,
    pub dropped_closed: AtomicU64,
    pub dropped_failed: AtomicU64,
}

pub struct Ring {
    buf: Box<[UnsafeCell<u64>]>,
    capacity: usize,
    mask: usize,
    head: CachePadded<AtomicU64>,
    tail: CachePadded<AtomicU64>,
    pub counters: CachePadded<ProducerCounters>,
    /// Largest occupancy (bytes) the consumer has seen.
    pub high_water: AtomicU64,
    /// Set when the producer handle is gone: once drained, the ring can be dropped.
    pub abandoned: AtomicBool,
    /// Under loom only: one tracked cell per 8-byte word of `buf`, touched by every access to
    /// that word, so loom reports a producer write and a consumer read that the head/tail
    /// protocol fails to order.
    #[cfg(loom)]
    shadow: Box<[loom::cell::UnsafeCell<()>]>,
}

// SAFETY: the buffer is shared between exactly one producer and one consumer, which touch
// disjoint byte ranges ordered by the head/tail protocol described above.
unsafe impl Sync for Ring {}
unsafe impl Send for Ring {}

/// Rounds up to the frame alignment.
fn align(n: usize) -> usize {
    (n + ALIGN - 1) & !(ALIGN - 1)
}

impl Ring {
    /// A ring of `capacity` bytes (a power of two, at least 64), every page written once so the
    /// first records do not pay for page faults.
    pub fn new(capacity: usize) -> Ring {
        assert!(capacity.is_power_of_two() && capacity >= 64);
        let words = capacity / 8;
        let buf: Box<[UnsafeCell<u64>]> = (0..words).map(|_| UnsafeCell::new(0)).collect();
        // Pre-fault: a freshly allocated zero page is only mapped on first write.
        for word in buf.iter().step_by(512) {
            // SAFETY: no other thread can see the ring yet.
            unsafe { std::ptr::write_volatile(word.get(), 0) };
        }
        Ring {
            buf,
            capacity,
            mask: capacity - 1,
            head: CachePadded(AtomicU64::new(0)),
            tail: CachePadded(AtomicU64::new(0)),
            counters: CachePadded(ProducerCounters::default()),
            high_water: AtomicU64::new(0),
            abandoned: AtomicBool::new(false),
            #[cfg(loom)]
            shadow: (0..words)
                .map(|_| loom::cell::UnsafeCell::new(()))
                .collect(),
        }
    }

    /// Under loom: records a write (`write`) or read of bytes `[at, at + len)` of the buffer.
    #[cfg(loom)]
    fn track(&self, at: usize, len: usize, write: bool) {
        for word in at / 8..(at + len).div_ceil(8) {
            if write {
                self.shadow[word].with_mut(|_| ());
            } else {
                self.shadow[word].with(|_| ());
            }
        }
    }

    #[cfg(not(loom))]
    #[inline(always)]
    fn track(&self, _at: usize, _len: usize, _write: bool) {}

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Largest payload a ring of this capacity can ever hold with `extra` header bytes.
    pub fn max_payload(&self, extra: usize) -> usize {
        self.capacity / 2 - HEADER - extra
    }

    fn base(&self) -> *mut u8 {
        self.buf.as_ptr() as *mut u8
    }

    /// Bytes published by the producer so far (a counter that only grows).
    pub fn published(&self) -> u64 {
        self.head.0.load(Ordering::Acquire)
    }

    /// Bytes currently occupied (a snapshot).
    pub fn occupied(&self) -> u64 {
        self.head.0.load(Ordering::Acquire) - self.tail.0.load(Ordering::Acquire)
    }
}

/// The producer's end of a ring. Not `Sync`: one thread at a time.
pub struct RingProducer {
    head: u64,
    cached_tail: u64,
}

impl RingProducer {
    pub fn new() -> RingProducer {
        RingProducer {
            head: 0,
            cached_tail: 0,
        }
    }

    /// Copies one frame (`extra` header bytes, then `payload`) into the ring and publishes it.
    /// Returns false, writing nothing, when the ring has no room. `payload.len()` must not exceed
    /// `ring.max_payload(extra.len())` (the caller checks it once, against its configured limit).
    #[inline]
    pub fn try_push(&mut self, ring: &Ring, extra: &[u8], payload: &[u8]) -> bool {
        let frame = align(HEADER + extra.len() + payload.len());
        let pos = (self.head as usize) & ring.mask;
        let to_end = ring.capacity - pos;
        let needed = if frame <= to_end {
            frame
        } else {
            to_end + frame
        };
        if self.head + needed as u64 - self.cached_tail > ring.capacity as u64 {
            // Acquire: the consumer's reads of the bytes it freed happen before our writes.
            self.cached_tail = ring.tail.0.load(Ordering::Acquire);
            if self.head + needed as u64 - self.cached_tail > ring.capacity as u64 {
                return false;
            }
        }
        let base = ring.base();
        let mut at = pos;
        if frame > to_end {
            ring.track(pos, 4, true);
            // SAFETY: `pos` is 8-aligned and below capacity, so 4 bytes fit; the bytes from `pos`
            // to the end are free (checked above) and owned by the producer until published.
            unsafe { (base.add(pos) as *mut u32).write(WRAP) };
            at = 0;
        }
        ring.track(at, HEADER + extra.len() + payload.len(), true);
        // SAFETY: `frame` bytes at `at` are free (checked above), inside the buffer (a frame never
        // crosses the end) and invisible to the consumer until `head` is published below.
        unsafe {
            let p = base.add(at);
            (p as *mut u32).write(payload.len() as u32);
            std::ptr::copy_nonoverlapping(extra.as_ptr(), p.add(HEADER), extra.len());
            std::ptr::copy_nonoverlapping(
                payload.as_ptr(),
                p.add(HEADER + extra.len()),
                payload.len(),
            );
        }
        self.head += needed as u64;
        // Release: the frame's bytes are visible to whoever sees the new head.
        ring.head.0.store(self.head, Ordering::Release);
        true
    }
}

impl Default for RingProducer {
    fn default() -> Self {
        Self::new()
    }
}

/// A record read from a ring: its `extra` header bytes and payload, borrowed from the ring until
/// the consumer releases them.
pub struct Record<'a> {
    pub extra: &'a [u8],
    pub payload: &'a [u8],
}

/// The consumer's end: reads every published frame, then frees them all at once.
pub struct RingConsumer {
    tail: u64,
}

impl RingConsumer {
    pub fn new() -> RingConsumer {
        RingConsumer { tail: 0 }
    }

    /// Calls `f` on every frame published so far (up to `limit` frames) and returns how many
    /// it read. The frames stay reserved until [`release`](Self::release).
    pub fn read(
        &mut self,
        ring: &Ring,
        extra_len: usize,
        limit: usize,
        mut f: impl FnMut(Record<'_>),
    ) -> usize {
        // Acquire: pairs with the producer's Release store of head.
        let head = ring.head.0.load(Ordering::Acquire);
        let occupied = head - ring.tail.0.load(Ordering::Relaxed);
        if occupied > ring.high_water.load(Ordering::Relaxed) {
            ring.high_water.store(occupied, Ordering::Relaxed);
        }
        let base = ring.base();
        let mut count = 0;
        while self.tail < head && count < limit {
            let pos = (self.tail as usize) & ring.mask;
            ring.track(pos, 4, false);
            // SAFETY: bytes below `head` were published by the producer (Acquire above) and are
            // not reused until we release them.
            let len = unsafe { (base.add(pos) as *const u32).read() };
            if len == WRAP {
                self.tail += (ring.capacity - pos) as u64;
                continue;
            }
            let len = len as usize;
            ring.track(pos, HEADER + extra_len + len, false);
            // SAFETY: as above; the frame lies within the buffer by construction.
            let (extra, payload) = unsafe {
                let p = base.add(pos + HEADER);
                (
                    std::slice::from_raw_parts(p, extra_len),
                    std::slice::from_raw_parts(p.add(extra_len), len),
                )
            };
            f(Record { extra, payload });
            self.tail += align(HEADER + extra_len + len) as u64;
            count += 1;
        }
        count
    }

    /// Hands every frame read so far back to the producer.
    pub fn release(&mut self, ring: &Ring) {
        // Release: our reads of the freed frames happen before the producer reuses them.
        ring.tail.0.store(self.tail, Ordering::Release);
    }

    /// How far the consumer has read (comparable with [`Ring::published`]).
    pub fn position(&self) -> u64 {
        self.tail
    }

    /// True when the consumer has read everything published.
    pub fn is_drained(&self, ring: &Ring) -> bool {
        self.tail == ring.head.0.load(Ordering::Acquire)
    }
}

impl Default for RingConsumer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn frames_round_trip_with_wrap() {
        let ring = Ring::new(256);
        let mut p = RingProducer::new();
        let mut c = RingConsumer::new();
        let mut next_read = 0u32;
        for i in 0u32..1000 {
            let payload = vec![i as u8; (i % 37) as usize];
            while !p.try_push(&ring, &i.to_le_bytes(), &payload) {
                c.read(&ring, 4, usize::MAX, |r| {
                    let seq = u32::from_le_bytes(r.extra.try_into().unwrap());
                    assert_eq!(seq, next_read);
                    assert_eq!(r.payload, vec![seq as u8; (seq % 37) as usize]);
                    next_read += 1;
                });
                c.release(&ring);
            }
        }
        c.read(&ring, 4, usize::MAX, |_| next_read += 1);
        assert_eq!(next_read, 1000);
        assert!(c.is_drained(&ring));
    }

    #[test]
    fn full_ring_refuses_without_writing() {
        let ring = Ring::new(64);
        let mut p = RingProducer::new();
        assert!(p.try_push(&ring, &[], &[1; 20])); // 32-byte frame
        assert!(p.try_push(&ring, &[], &[2; 20]));
        assert!(!p.try_push(&ring, &[], &[3; 1]));
        let mut c = RingConsumer::new();
        let mut seen = Vec::new();
        c.read(&ring, 0, usize::MAX, |r| seen.push(r.payload[0]));
        assert_eq!(seen, vec![1, 2]);
    }

    #[test]
    fn two_threads_preserve_order() {
        let ring = Arc::new(Ring::new(1 << 12));
        let producer_ring = ring.clone();
        const N: u64 = 200_000;
        let t = std::thread::spawn(move || {
            let mut p = RingProducer::new();
            for i in 0..N {
                let len = (i % 100) as usize;
                let payload: Vec<u8> = (0..len).map(|j| (i as usize + j) as u8).collect();
                while !p.try_push(&producer_ring, &i.to_le_bytes(), &payload) {
                    std::hint::spin_loop();
                }
            }
        });
        let mut c = RingConsumer::new();
        let mut expected = 0u64;
        while expected < N {
            c.read(&ring, 8, usize::MAX, |r| {
                let i = u64::from_le_bytes(r.extra.try_into().unwrap());
                assert_eq!(i, expected);
                let len = (i % 100) as usize;
                assert_eq!(r.payload.len(), len);
                assert!(r
                    .payload
                    .iter()
                    .enumerate()
                    .all(|(j, &b)| b == (i as usize + j) as u8));
                expected += 1;
            });
            c.release(&ring);
        }
        t.join().unwrap();
    }
}
