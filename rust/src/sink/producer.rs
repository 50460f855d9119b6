//! The hot path: `try_record` copies a record into the producer's own ring and returns.
//!
//! ## Why `close()` never misses an accepted record
//!
//! `try_record` marks its ring busy, then reads the sink's state, and publishes only while the
//! state is `Running`; it clears the mark when done. `close()` sets `Closed`, then issues an
//! asymmetric barrier (Linux `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`: every thread of
//! the process executes a full memory barrier), then waits until no ring is busy and drains.
//! The barrier makes the two sides a Dekker handshake without a fence on the hot path: either
//! the producer's read of the state comes after the barrier, and sees `Closed`, or its busy
//! mark is visible to `close()`, which then waits for the record to be published. The producer
//! pays only a compiler barrier. Where membarrier is unavailable (not Linux, or an old kernel),
//! producers use a full fence instead (`FENCE_ON_HOT_PATH`), and `close()` a plain fence.

use std::sync::atomic::{compiler_fence, fence, AtomicBool, Ordering};
use std::sync::{Arc, Once};

use super::drain::{TABLE_SHIFT, TAG_TICKS};
use super::state::State;
use super::Shared;
use crate::ring::RingProducer;

/// True until the process registered for expedited membarrier: producers then fence fully.
static FENCE_ON_HOT_PATH: AtomicBool = AtomicBool::new(true);
static REGISTER: Once = Once::new();

/// Registers the process for `membarrier(PRIVATE_EXPEDITED)` once; called before a sink hands
/// out producers.
pub fn register_barrier() {
    REGISTER.call_once(|| {
        if membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) {
            FENCE_ON_HOT_PATH.store(false, Ordering::SeqCst);
        }
    });
}

static SIMULATE_MEMBARRIER_FAILURE: AtomicBool = AtomicBool::new(false);

/// Test hook: `close()` acts as if membarrier failed after registration and relies on the
/// page-protection barrier alone (see `heavy_barrier`).
#[doc(hidden)]
pub fn simulate_membarrier_failure_for_testing(on: bool) {
    SIMULATE_MEMBARRIER_FAILURE.store(on, Ordering::SeqCst);
}

/// Whether `close()` uses membarrier (false: the fence fallback).
pub fn uses_membarrier() -> bool {
    !FENCE_ON_HOT_PATH.load(Ordering::SeqCst)
}

/// The producer's half of the handshake.
#[inline(always)]
fn light_barrier() {
    if FENCE_ON_HOT_PATH.load(Ordering::Relaxed) {
        fence(Ordering::SeqCst);
    } else {
        compiler_fence(Ordering::SeqCst);
    }
}

/// `close()`'s half: a full barrier on every thread of the process.
pub fn heavy_barrier() {
    if !uses_membarrier() {
        // Producers fence fully themselves: a fence here completes the handshake.
        fence(Ordering::SeqCst);
        return;
    }
    if SIMULATE_MEMBARRIER_FAILURE.load(Ordering::Relaxed) {
        // Test hook: only the fallback barrier, with producers still on compiler barriers.
        protection_change_barrier();
        return;
    }
    if membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) {
        return;
    }
    // Registered, yet the call failed (a seccomp filter installed since, say). Producers already
    // inside a call rely on this barrier: force one another way — changing a page's protection
    // makes the kernel interrupt every CPU running a thread of this process to flush its TLB,
    // which serializes those threads as membarrier does — and make later calls fence fully.
    FENCE_ON_HOT_PATH.store(true, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    protection_change_barrier();
}

/// A process-wide barrier through a TLB shootdown: write to a private page, then make it
/// read-only, which interrupts every CPU that may cache its mapping.
fn protection_change_barrier() {
    use std::sync::atomic::AtomicPtr;
    static PAGE: AtomicPtr<libc::c_void> = AtomicPtr::new(std::ptr::null_mut());
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut page = PAGE.load(Ordering::Acquire);
    if page.is_null() {
        // SAFETY: an anonymous private mapping of one page; no memory of ours is passed.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return;
        }
        PAGE.store(p, Ordering::Release);
        page = p;
    }
    // SAFETY: `page` is our own mapping of 4096 bytes, used only under LOCK.
    unsafe {
        libc::mprotect(page, 4096, libc::PROT_READ | libc::PROT_WRITE);
        std::ptr::write_volatile(page.cast::<u8>(), 0);
        libc::mprotect(page, 4096, libc::PROT_READ);
    }
}

const MEMBARRIER_CMD_PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

#[cfg(target_os = "linux")]
fn membarrier(cmd: libc::c_int) -> bool {
    // SAFETY: the membarrier system call takes two integers (and an unused cpu id); no memory.
    unsafe {
        libc::syscall(
            libc::SYS_membarrier,
            cmd,
            0 as libc::c_uint,
            0 as libc::c_int,
        ) == 0
    }
}

#[cfg(not(target_os = "linux"))]
fn membarrier(_cmd: libc::c_int) -> bool {
    false
}

/// A producer's handle: owns one ring's producer end. Use it from one thread at a time.
/// The sink's settings a call needs are copied in here, so a call reads the shared state's
/// line only for the sink's state.
pub struct Producer {
    ring: RingProducer,
    shared: Arc<Shared>,
    /// Copies of `shared`'s `recv_ts`, `tsc`, `seq`, `max_payload`, and whether it has tables.
    recv_ts: bool,
    tsc: bool,
    stamp_seq: bool,
    typed: bool,
    max_payload: usize,
    id: u32,
    seq: u64,
    attempted: u64,
    accepted: u64,
    dropped_full: u64,
    dropped_oversize: u64,
    dropped_closed: u64,
    dropped_failed: u64,
    dropped_invalid: u64,
    blocked: u64,
    blocked_ns: u64,
}

/// `Overflow::Block`: spins (each a pause instruction) before a waiting call starts yielding,
/// and yields before it starts sleeping 100 µs between looks.
const BLOCK_SPINS: u32 = 256;
const BLOCK_YIELDS: u32 = 4096;

impl Producer {
    pub(super) fn new(ring: RingProducer, shared: Arc<Shared>, id: u32) -> Producer {
        Producer {
            ring,
            recv_ts: shared.recv_ts,
            tsc: shared.tsc,
            stamp_seq: shared.seq,
            typed: !shared.record_bytes.is_empty(),
            max_payload: shared.max_payload,
            shared,
            id,
            seq: 0,
            attempted: 0,
            accepted: 0,
            dropped_full: 0,
            dropped_oversize: 0,
            dropped_closed: 0,
            dropped_failed: 0,
            dropped_invalid: 0,
            blocked: 0,
            blocked_ns: 0,
        }
    }

    /// Copies `payload` into the ring, stamped with the current time if `recv_ts` is on.
    /// Never allocates; never blocks or makes a system call unless the ring is full under
    /// `Overflow::Block`. Returns false (and counts why) when the record is dropped.
    /// In a sink with tables, the record goes to table 0 (see `try_record_table`).
    #[inline]
    pub fn try_record(&mut self, payload: &[u8]) -> bool {
        let table = self.typed.then_some(0);
        self.stamped(table, payload)
    }

    /// As `try_record`, with the caller's receive timestamp (ns since the Unix epoch).
    #[inline]
    pub fn try_record_at(&mut self, payload: &[u8], recv_ts_ns: i64) -> bool {
        let table = self.typed.then_some(0);
        self.record(table, payload, recv_ts_ns, 0)
    }

    /// A record of table `table` (its index in `SinkConfig::tables`): exactly that table's
    /// record length, else dropped and counted in `dropped_invalid` (as is an unknown table).
    #[inline]
    pub fn try_record_table(&mut self, table: u32, record: &[u8]) -> bool {
        self.stamped(Some(table), record)
    }

    /// As `try_record_table`, with the caller's receive timestamp.
    #[inline]
    pub fn try_record_table_at(&mut self, table: u32, record: &[u8], recv_ts_ns: i64) -> bool {
        self.record(Some(table), record, recv_ts_ns, 0)
    }

    /// Records with `recv_ts` read here, if the sink has that column.
    #[inline(always)]
    fn stamped(&mut self, table: Option<u32>, payload: &[u8]) -> bool {
        if !self.recv_ts {
            self.record(table, payload, 0, 0)
        } else if self.tsc {
            self.record(table, payload, crate::clock::ticks() as i64, TAG_TICKS)
        } else {
            self.record(table, payload, now_ns(), 0)
        }
    }

    /// Bytes of stamps each frame carries: `recv_ts`, then `seq`, as `record` writes them.
    #[inline(always)]
    fn extra_len(&self) -> usize {
        8 * (self.recv_ts as usize + self.stamp_seq as usize)
    }

    /// The one hot path. `tag` says what `recv_ts` holds: nanoseconds (0) or counter ticks
    /// (`TAG_TICKS`), which the worker converts; `table` is the record's table in a sink with
    /// tables (`None`: a payload).
    #[inline(always)]
    fn record(&mut self, table: Option<u32>, payload: &[u8], recv_ts: i64, tag: u32) -> bool {
        // This record's lines, unless the previous call's prefetch already took them.
        self.ring.prefetch(self.extra_len(), payload.len());
        let ring = Arc::as_ptr(self.ring.ring());
        // SAFETY: `self.ring` keeps the ring alive for the whole call, and the ring is only used
        // through shared references here (try_push's `&mut` is to the producer end, not it).
        let ring: &crate::ring::Ring = unsafe { &*ring };
        let counters = ring.counters();
        let busy = ring.busy();
        busy.store(1, Ordering::Relaxed);
        light_barrier();
        // Every counter is stored before the busy mark is cleared (Release): once close() has seen
        // the ring idle and joined the worker, stats() sees this call's counts too.
        self.attempted += 1;
        counters.attempted.store(self.attempted, Ordering::Relaxed);
        let seq = self.seq;
        self.seq += 1;
        let mut tag = tag;
        if let Some(table) = table {
            let expected = self.shared.record_bytes.get(table as usize);
            if expected.is_none_or(|&len| len as usize != payload.len()) {
                self.dropped_invalid += 1;
                counters
                    .dropped_invalid
                    .store(self.dropped_invalid, Ordering::Relaxed);
                busy.store(0, Ordering::Release);
                return false;
            }
            tag |= table << TABLE_SHIFT;
        } else if payload.len() > self.max_payload {
            self.dropped_oversize += 1;
            counters
                .dropped_oversize
                .store(self.dropped_oversize, Ordering::Relaxed);
            busy.store(0, Ordering::Release);
            return false;
        }
        let mut extra = [0u8; 16];
        let mut n = 0;
        if self.recv_ts {
            extra[..8].copy_from_slice(&recv_ts.to_le_bytes());
            n = 8;
        }
        if self.stamp_seq {
            extra[n..n + 8].copy_from_slice(&seq.to_le_bytes());
            n += 8;
        }
        let pushed = (self.shared.state.is_running()
            && self.ring.try_push_tagged(tag, &extra[..n], payload))
            || self.refused(tag, &extra[..n], payload);
        if pushed {
            self.accepted += 1;
            counters.accepted.store(self.accepted, Ordering::Relaxed);
            // The next record's lines, likely as long as this one (see `RingProducer::prefetch`).
            self.ring.prefetch(self.extra_len(), payload.len());
        }
        // Release: close() sees the record (and the counts) before it sees the ring idle.
        busy.store(0, Ordering::Release);
        pushed
    }

    /// The record did not go in: the sink is not running or the ring is full. With
    /// `Overflow::Block`, waits for room (and through a retry after an I/O error) until it goes
    /// in or the sink closes or fails; counts why it was dropped otherwise. Runs with the busy
    /// mark set, re-reading the state on every turn, so `close()` (which sets `Closed`, then
    /// waits for the mark to clear) ends a wait at once.
    #[cold]
    #[inline(never)]
    fn refused(&mut self, tag: u32, extra: &[u8], payload: &[u8]) -> bool {
        let ring = Arc::as_ptr(self.ring.ring());
        // SAFETY: as in `try_record_at`: `self.ring` keeps the ring alive, used shared here.
        let counters = unsafe { (*ring).counters() };
        let mut pushed = false;
        if self.shared.block {
            let started = std::time::Instant::now();
            self.shared.wake_worker();
            let mut turn = 0u32;
            loop {
                match self.shared.state.get() {
                    State::Closed | State::Failed => break,
                    State::Running if self.ring.try_push_tagged(tag, extra, payload) => {
                        pushed = true;
                        break;
                    }
                    State::Running | State::BackingOff => {}
                }
                // Spin briefly (room usually comes within microseconds), then yield the CPU,
                // then, for a long wait (a retry after an I/O error), sleep between looks.
                if turn < BLOCK_SPINS {
                    std::hint::spin_loop();
                } else if turn < BLOCK_SPINS + BLOCK_YIELDS {
                    std::thread::yield_now();
                } else {
                    std::thread::sleep(std::time::Duration::from_micros(100));
                }
                turn = turn.saturating_add(1);
            }
            self.blocked += 1;
            self.blocked_ns += started.elapsed().as_nanos() as u64;
            counters.blocked.store(self.blocked, Ordering::Relaxed);
            counters
                .blocked_ns
                .store(self.blocked_ns, Ordering::Relaxed);
            if pushed {
                return true;
            }
        }
        match self.shared.state.get() {
            State::Closed => {
                self.dropped_closed += 1;
                counters
                    .dropped_closed
                    .store(self.dropped_closed, Ordering::Relaxed);
            }
            State::Failed | State::BackingOff => {
                self.dropped_failed += 1;
                counters
                    .dropped_failed
                    .store(self.dropped_failed, Ordering::Relaxed);
            }
            State::Running => {
                self.dropped_full += 1;
                counters
                    .dropped_full
                    .store(self.dropped_full, Ordering::Relaxed);
            }
        }
        false
    }

    /// The value of this producer's `producer_id` column.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// A handle that counts every attempt as a drop (`dropped_closed`) in this producer's sink:
    /// what a moved-from C++ producer becomes.
    pub fn detached(&self) -> DetachedProducer {
        DetachedProducer {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        // The worker drains what is left, then forgets the ring.
        self.ring.ring().abandoned.store(true, Ordering::Release);
    }
}

/// See [`Producer::detached`].
#[derive(Clone)]
pub struct DetachedProducer {
    shared: Arc<Shared>,
}

impl DetachedProducer {
    pub fn record_attempt(&self) {
        self.shared.registry().detached_attempts += 1;
    }
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}
