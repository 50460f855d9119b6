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
    if uses_membarrier() && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) {
        return;
    }
    fence(Ordering::SeqCst);
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
pub struct Producer {
    ring: RingProducer,
    shared: Arc<Shared>,
    id: u32,
    seq: u64,
    attempted: u64,
    accepted: u64,
    dropped_full: u64,
    dropped_oversize: u64,
    dropped_closed: u64,
    dropped_failed: u64,
}

impl Producer {
    pub(super) fn new(ring: RingProducer, shared: Arc<Shared>, id: u32) -> Producer {
        Producer {
            ring,
            shared,
            id,
            seq: 0,
            attempted: 0,
            accepted: 0,
            dropped_full: 0,
            dropped_oversize: 0,
            dropped_closed: 0,
            dropped_failed: 0,
        }
    }

    /// Copies `payload` into the ring, stamped with the current time if `recv_ts` is on.
    /// Never blocks, allocates or makes a system call; returns false (and counts why) when the
    /// record is dropped.
    #[inline]
    pub fn try_record(&mut self, payload: &[u8]) -> bool {
        let ts = if self.shared.recv_ts { now_ns() } else { 0 };
        self.try_record_at(payload, ts)
    }

    /// As `try_record`, with the caller's receive timestamp (ns since the Unix epoch).
    #[inline]
    pub fn try_record_at(&mut self, payload: &[u8], recv_ts_ns: i64) -> bool {
        let ring = Arc::as_ptr(self.ring.ring());
        // SAFETY: `self.ring` keeps the ring alive for the whole call, and the ring is only used
        // through shared references here (try_push's `&mut` is to the producer end, not it).
        let ring: &crate::ring::Ring = unsafe { &*ring };
        let counters = &ring.counters.0;
        self.attempted += 1;
        counters.attempted.store(self.attempted, Ordering::Relaxed);
        let seq = self.seq;
        self.seq += 1;
        if payload.len() > self.shared.max_payload {
            self.dropped_oversize += 1;
            counters
                .dropped_oversize
                .store(self.dropped_oversize, Ordering::Relaxed);
            return false;
        }
        let busy = ring.busy();
        busy.store(1, Ordering::Relaxed);
        light_barrier();
        if !self.shared.state.is_running() {
            busy.store(0, Ordering::Release);
            if self.shared.state.get() == State::Closed {
                self.dropped_closed += 1;
                counters
                    .dropped_closed
                    .store(self.dropped_closed, Ordering::Relaxed);
            } else {
                self.dropped_failed += 1;
                counters
                    .dropped_failed
                    .store(self.dropped_failed, Ordering::Relaxed);
            }
            return false;
        }
        let mut extra = [0u8; 16];
        let mut n = 0;
        if self.shared.recv_ts {
            extra[..8].copy_from_slice(&recv_ts_ns.to_le_bytes());
            n = 8;
        }
        if self.shared.seq {
            extra[n..n + 8].copy_from_slice(&seq.to_le_bytes());
            n += 8;
        }
        let pushed = self.ring.try_push(&extra[..n], payload);
        // Release: close() sees the record published before it sees the ring idle.
        busy.store(0, Ordering::Release);
        if pushed {
            self.accepted += 1;
            counters.accepted.store(self.accepted, Ordering::Relaxed);
            true
        } else {
            self.dropped_full += 1;
            counters
                .dropped_full
                .store(self.dropped_full, Ordering::Relaxed);
            false
        }
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
