//! The hot path: a preallocated single-producer / single-consumer ring of variable-length
//! records. Each producer thread owns one ring (see `sink.rs` for why); the sink's worker is the
//! consumer of all of them.
//!
//! Layout: a power-of-two byte buffer. A record is an 8-byte-aligned frame
//! `[len: u32][tag: u32][extra: extra_bytes][payload: len]`, where `extra` holds the optional
//! receive timestamp and sequence number, and `tag` what the sink says of them (see
//! `sink/drain.rs`). A frame never wraps: when it does not fit before the
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
//!
//! A ring is created as a pair, [`channel`] → ([`RingProducer`], [`RingConsumer`]), as rtrb
//! does: neither half can be cloned or made again for the same ring, so safe code cannot put
//! two producers (or two consumers) on one ring.

use std::cell::UnsafeCell;

use sync::{Arc, AtomicBool, AtomicU32, AtomicU64, Ordering};

/// The ring's synchronisation, swapped for loom's model-checked types when built with
/// `--cfg loom` (see `rust/tests/loom_ring.rs`). The normal build uses std's, unchanged.
mod sync {
    #[cfg(loom)]
    pub use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
    #[cfg(loom)]
    pub use loom::sync::Arc;
    #[cfg(not(loom))]
    pub use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
    #[cfg(not(loom))]
    pub use std::sync::Arc;
}

/// Frame length value that means "skip to the start of the buffer".
const WRAP: u32 = u32::MAX;
/// Bytes of the frame header before `extra`.
const HEADER: usize = 8;
const ALIGN: usize = 8;
/// The cache line `RingProducer::prefetch` works in.
const LINE: usize = 64;

/// Keeps a value on its own cache lines (128 bytes: adjacent-line prefetch pairs lines on x86).
#[repr(align(128))]
pub struct CachePadded<T>(pub T);

/// Counters written by the producer only (plain stores, no read-modify-write) and read by
/// `stats()` from any thread. The two every call writes come first.
#[derive(Default)]
#[repr(C)]
pub struct ProducerCounters {
    pub attempted: AtomicU64,
    pub accepted: AtomicU64,
    pub dropped_full: AtomicU64,
    pub dropped_oversize: AtomicU64,
    pub dropped_closed: AtomicU64,
    pub dropped_failed: AtomicU64,
    /// Typed sinks: records for an unknown table or of the wrong length.
    pub dropped_invalid: AtomicU64,
    /// `Overflow::Block`: calls that had to wait for room, and the nanoseconds they waited.
    pub blocked: AtomicU64,
    pub blocked_ns: AtomicU64,
}

/// The line the producer writes on every record: the published end, the busy flag and the
/// producer's counters (`attempted` and `accepted` in the same 64 bytes as the first two), so a
/// call writes one line of the ring's besides the frame.
#[repr(C)]
pub struct ProducerLine {
    head: AtomicU64,
    /// Nonzero while the producer is inside a call that may publish (see `sink/producer.rs`):
    /// `close()` waits for it to clear before the final drain.
    pub busy: AtomicU32,
    pub counters: ProducerCounters,
}

pub struct Ring {
    buf: Box<[UnsafeCell<u64>]>,
    capacity: usize,
    mask: usize,
    producer: CachePadded<ProducerLine>,
    tail: CachePadded<AtomicU64>,
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

/// [`Ring::max_payload`] of a ring of `capacity` bytes.
pub fn max_payload(capacity: usize, extra: usize) -> usize {
    (capacity / 2)
        .saturating_sub(HEADER + extra)
        .min(WRAP as usize - 1)
}

/// Rounds up to the frame alignment.
fn align(n: usize) -> usize {
    (n + ALIGN - 1) & !(ALIGN - 1)
}

/// A ring of `capacity` bytes (a power of two, at least 64) split into its two ends.
///
/// Neither end can be duplicated, so a ring never has two producers:
///
/// ```compile_fail
/// let (producer, _consumer) = parquet_flow_core::ring::channel(64);
/// let second = producer.clone();
/// ```
pub fn channel(capacity: usize) -> (RingProducer, RingConsumer) {
    let ring = Arc::new(Ring::new(capacity));
    (
        RingProducer {
            base: ring.base(),
            capacity: ring.capacity,
            mask: ring.mask,
            ring: ring.clone(),
            head: 0,
            cached_tail: 0,
        },
        RingConsumer { ring, tail: 0 },
    )
}

impl Ring {
    /// Every page written once so the first records do not pay for page faults.
    fn new(capacity: usize) -> Ring {
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
            producer: CachePadded(ProducerLine {
                head: AtomicU64::new(0),
                busy: AtomicU32::new(0),
                counters: ProducerCounters::default(),
            }),
            tail: CachePadded(AtomicU64::new(0)),
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

    /// Largest payload a ring of this capacity can ever hold with `extra` header bytes: half
    /// the ring (a frame may need to skip up to its own length at the end), and never a length
    /// the frame's 32-bit field cannot state (`WRAP` is reserved).
    pub fn max_payload(&self, extra: usize) -> usize {
        max_payload(self.capacity, extra)
    }

    fn base(&self) -> *mut u8 {
        self.buf.as_ptr() as *mut u8
    }

    /// Bytes published by the producer so far (a counter that only grows).
    pub fn published(&self) -> u64 {
        self.producer.0.head.load(Ordering::Acquire)
    }

    /// Bytes currently occupied (a snapshot).
    pub fn occupied(&self) -> u64 {
        self.published() - self.tail.0.load(Ordering::Acquire)
    }

    /// The producer's busy flag (see [`ProducerLine::busy`]).
    pub fn busy(&self) -> &AtomicU32 {
        &self.producer.0.busy
    }

    /// The producer's counters (on its line: see [`ProducerLine`]).
    pub fn counters(&self) -> &ProducerCounters {
        &self.producer.0.counters
    }
}

/// The producer's end of a ring. Not `Clone`, and `try_push` takes `&mut self`: one writer.
/// It keeps its own copies of the ring's buffer address and size, so a push reads no line of
/// the ring's but the one it writes and, when the ring looks full, the consumer's tail.
pub struct RingProducer {
    ring: Arc<Ring>,
    head: u64,
    cached_tail: u64,
    base: *mut u8,
    capacity: usize,
    mask: usize,
}

// SAFETY: `base` points into the buffer of the ring that `ring` keeps alive; the producer end is
// used by one thread at a time (`&mut self`), as before it held the pointer.
unsafe impl Send for RingProducer {}
unsafe impl Sync for RingProducer {}

impl RingProducer {
    /// The shared ring (its counters and flags).
    pub fn ring(&self) -> &Arc<Ring> {
        &self.ring
    }

    /// Asks the CPU to fetch, for writing, the lines a next frame of `extra` header bytes and a
    /// `payload`-byte record will occupy, at most eight, when it spans more than one line. The
    /// consumer last read those lines, so without this the frame's stores wait for each line to
    /// be taken back from the consumer's core. The sink's producer calls it after each push, for
    /// a frame like the one just written (the lines arrive before the next call, however long
    /// the pause), and first thing in a push (they arrive while the call does its other work;
    /// a no-op when the previous call already fetched them). A frame within one line is left
    /// alone: it mostly shares the line the previous frame already took, and the loop would
    /// cost more than it saves. Only a hint: it writes nothing and cannot fault.
    #[inline(always)]
    pub fn prefetch(&self, extra: usize, payload: usize) {
        let len = HEADER + extra + payload;
        if len <= LINE {
            return;
        }
        let pos = (self.head as usize) & self.mask;
        let end = (pos + len.min(8 * LINE)).min(self.capacity);
        let mut line = pos & !(LINE - 1);
        while line < end {
            // SAFETY: `line` is below the capacity, so the address is inside the buffer; a
            // prefetch neither reads nor writes memory as far as the program is concerned.
            prefetch_for_write(unsafe { self.base.add(line) });
            line += LINE;
        }
    }

    /// Copies one frame (`extra` header bytes, then `payload`) into the ring and publishes it.
    /// Returns false, writing nothing, when the ring has no room or the payload is longer than
    /// the ring can ever hold ([`Ring::max_payload`]).
    #[inline]
    pub fn try_push(&mut self, extra: &[u8], payload: &[u8]) -> bool {
        self.try_push_tagged(0, extra, payload)
    }

    /// As `try_push`, with a tag the consumer reads back ([`Record::tag`]).
    #[inline]
    pub fn try_push_tagged(&mut self, tag: u32, extra: &[u8], payload: &[u8]) -> bool {
        let ring = &*self.ring;
        if payload.len() > max_payload(self.capacity, extra.len()) {
            return false;
        }
        let frame = align(HEADER + extra.len() + payload.len());
        let pos = (self.head as usize) & self.mask;
        let to_end = self.capacity - pos;
        let needed = if frame <= to_end {
            frame
        } else {
            to_end + frame
        };
        if self.head + needed as u64 - self.cached_tail > self.capacity as u64 {
            // Acquire: the consumer's reads of the bytes it freed happen before our writes.
            self.cached_tail = ring.tail.0.load(Ordering::Acquire);
            if self.head + needed as u64 - self.cached_tail > self.capacity as u64 {
                return false;
            }
        }
        let base = self.base;
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
            (p.add(4) as *mut u32).write(tag);
            copy_small(extra, p.add(HEADER));
            copy_small(payload, p.add(HEADER + extra.len()));
        }
        self.head += needed as u64;
        // Release: the frame's bytes are visible to whoever sees the new head.
        ring.producer.0.head.store(self.head, Ordering::Release);
        true
    }
}

/// A write prefetch of `p`'s cache line (PREFETCHW on x86-64, which older CPUs execute as a
/// no-op; PRFM PSTL1KEEP on aarch64; nothing elsewhere).
#[inline(always)]
fn prefetch_for_write(p: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(loom)))]
    // SAFETY: a prefetch is a hint: it has no architectural effect on memory or flags.
    unsafe {
        std::arch::asm!("prefetchw [{}]", in(reg) p, options(nostack, preserves_flags, readonly));
    }
    #[cfg(all(target_arch = "aarch64", not(loom)))]
    // SAFETY: as above.
    unsafe {
        std::arch::asm!("prfm pstl1keep, [{}]", in(reg) p, options(nostack, preserves_flags, readonly));
    }
    #[cfg(any(loom, not(any(target_arch = "x86_64", target_arch = "aarch64"))))]
    let _ = p;
}

/// Copies `src` to `dst`: records of up to 32 bytes (and the sink's 8- and 16-byte stamps) with
/// at most two pairs of unaligned moves inlined here, longer ones with `memcpy`. A feed's
/// messages are mostly that short, and a library call costs more than the copy itself.
///
/// # Safety
/// `dst` must be valid for `src.len()` bytes of writes and not overlap `src`.
#[inline(always)]
unsafe fn copy_small(src: &[u8], dst: *mut u8) {
    let n = src.len();
    let s = src.as_ptr();
    // Each branch writes exactly bytes [0, n): its two moves overlap when n is not a multiple.
    if n >= 16 {
        if n <= 32 {
            let head = (s as *const [u8; 16]).read_unaligned();
            let tail = (s.add(n - 16) as *const [u8; 16]).read_unaligned();
            (dst as *mut [u8; 16]).write_unaligned(head);
            (dst.add(n - 16) as *mut [u8; 16]).write_unaligned(tail);
        } else {
            std::ptr::copy_nonoverlapping(s, dst, n);
        }
    } else if n >= 8 {
        let head = (s as *const u64).read_unaligned();
        let tail = (s.add(n - 8) as *const u64).read_unaligned();
        (dst as *mut u64).write_unaligned(head);
        (dst.add(n - 8) as *mut u64).write_unaligned(tail);
    } else if n >= 4 {
        let head = (s as *const u32).read_unaligned();
        let tail = (s.add(n - 4) as *const u32).read_unaligned();
        (dst as *mut u32).write_unaligned(head);
        (dst.add(n - 4) as *mut u32).write_unaligned(tail);
    } else if n >= 2 {
        let head = (s as *const u16).read_unaligned();
        let tail = (s.add(n - 2) as *const u16).read_unaligned();
        (dst as *mut u16).write_unaligned(head);
        (dst.add(n - 2) as *mut u16).write_unaligned(tail);
    } else if n == 1 {
        // Moves rather than a byte loop, which the compiler turns into a `memcpy` call.
        dst.write(*s);
    }
}

/// A record read from a ring: its `extra` header bytes and payload, borrowed from the ring until
/// the consumer releases them.
pub struct Record<'a> {
    pub tag: u32,
    pub extra: &'a [u8],
    pub payload: &'a [u8],
}

/// The consumer's end: reads every published frame, then frees them all at once. Not `Clone`.
pub struct RingConsumer {
    ring: Arc<Ring>,
    tail: u64,
}

impl RingConsumer {
    /// The shared ring (its counters and flags).
    pub fn ring(&self) -> &Arc<Ring> {
        &self.ring
    }

    /// Offers `f` the frames published so far, in order, up to `limit` of them; `f` returns
    /// false to leave a frame (and all after it) unread. Returns how many frames were taken.
    /// Taken frames stay reserved until [`release`](Self::release).
    pub fn read(
        &mut self,
        extra_len: usize,
        limit: usize,
        mut f: impl FnMut(Record<'_>) -> bool,
    ) -> usize {
        let ring = &*self.ring;
        // Acquire: pairs with the producer's Release store of head.
        let head = ring.producer.0.head.load(Ordering::Acquire);
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
            let (tag, extra, payload) = unsafe {
                let p = base.add(pos + HEADER);
                (
                    (base.add(pos + 4) as *const u32).read(),
                    std::slice::from_raw_parts(p, extra_len),
                    std::slice::from_raw_parts(p.add(extra_len), len),
                )
            };
            if !f(Record {
                tag,
                extra,
                payload,
            }) {
                break;
            }
            self.tail += align(HEADER + extra_len + len) as u64;
            count += 1;
        }
        count
    }

    /// Hands every frame read so far back to the producer.
    pub fn release(&mut self) {
        // Release: our reads of the freed frames happen before the producer reuses them.
        self.ring.tail.0.store(self.tail, Ordering::Release);
    }

    /// How far the consumer has read (comparable with [`Ring::published`]).
    pub fn position(&self) -> u64 {
        self.tail
    }

    /// True when the consumer has read everything published.
    pub fn is_drained(&self) -> bool {
        self.tail == self.ring.published()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn small_copies_write_exactly_their_bytes() {
        let src: Vec<u8> = (1..=80).collect();
        for n in 0..=80 {
            let mut dst = [0xEEu8; 96];
            // SAFETY: 8 + 80 bytes fit in `dst`, and the two arrays are distinct.
            unsafe { copy_small(&src[..n], dst.as_mut_ptr().add(8)) };
            assert!(dst[..8].iter().all(|&b| b == 0xEE), "before, n={n}");
            assert_eq!(&dst[8..8 + n], &src[..n], "n={n}");
            assert!(dst[8 + n..].iter().all(|&b| b == 0xEE), "after, n={n}");
        }
    }

    #[test]
    fn frames_round_trip_with_wrap() {
        let (mut p, mut c) = channel(256);
        let mut next_read = 0u32;
        let mut check = |r: Record<'_>| {
            let seq = u32::from_le_bytes(r.extra.try_into().unwrap());
            assert_eq!(seq, next_read);
            assert_eq!(r.payload, vec![seq as u8; (seq % 37) as usize]);
            next_read += 1;
            true
        };
        for i in 0u32..1000 {
            let payload = vec![i as u8; (i % 37) as usize];
            while !p.try_push(&i.to_le_bytes(), &payload) {
                c.read(4, usize::MAX, &mut check);
                c.release();
            }
        }
        c.read(4, usize::MAX, &mut check);
        assert_eq!(next_read, 1000);
        assert!(c.is_drained());
    }

    #[test]
    fn full_ring_refuses_without_writing() {
        let (mut p, mut c) = channel(64);
        assert!(p.try_push(&[], &[1; 20])); // 32-byte frame
        assert!(p.try_push(&[], &[2; 20]));
        assert!(!p.try_push(&[], &[3; 1]));
        let mut seen = Vec::new();
        c.read(0, usize::MAX, |r| {
            seen.push(r.payload[0]);
            true
        });
        assert_eq!(seen, vec![1, 2]);
    }

    #[test]
    fn a_reader_can_leave_frames_unread() {
        let (mut p, mut c) = channel(256);
        for i in 0..5u8 {
            assert!(p.try_push(&[], &[i; 3]));
        }
        let mut seen = Vec::new();
        let taken = c.read(0, usize::MAX, |r| {
            if r.payload[0] == 2 {
                return false;
            }
            seen.push(r.payload[0]);
            true
        });
        assert_eq!((taken, seen.as_slice()), (2, &[0u8, 1][..]));
        c.release();
        let mut rest = Vec::new();
        c.read(0, usize::MAX, |r| {
            rest.push(r.payload[0]);
            true
        });
        assert_eq!(rest, [2, 3, 4], "the refused frame is read next");
        assert!(c.is_drained());
    }

    #[test]
    fn payloads_longer_than_the_ring_can_hold_are_refused() {
        let (mut p, _c) = channel(64);
        assert_eq!(p.ring().max_payload(0), 24);
        assert!(!p.try_push(&[], &[0; 25]));
        assert!(p.try_push(&[], &[0; 24]));
        // A huge ring still never states a length its 32-bit field cannot hold.
        assert_eq!(max_payload(1 << 40, 16), u32::MAX as usize - 1);
    }

    #[test]
    fn two_threads_preserve_order() {
        let (mut p, mut c) = channel(1 << 12);
        const N: u64 = 200_000;
        let t = std::thread::spawn(move || {
            for i in 0..N {
                let len = (i % 100) as usize;
                let payload: Vec<u8> = (0..len).map(|j| (i as usize + j) as u8).collect();
                while !p.try_push(&i.to_le_bytes(), &payload) {
                    std::hint::spin_loop();
                }
            }
        });
        let mut expected = 0u64;
        while expected < N {
            c.read(8, usize::MAX, |r| {
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
                true
            });
            c.release();
        }
        t.join().unwrap();
    }
}
