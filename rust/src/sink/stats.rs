//! Totals across producers and the worker, read as one consistent snapshot.
//!
//! Producer counters live in each ring (plain stores by their one writer); the worker's totals
//! (a `SinkStats` whose producer fields stay zero) live under one mutex, updated once per row
//! group or file; the registry of rings and the
//! totals of retired rings live under another. `snapshot` takes both locks, registry first, so a
//! ring moving from live to retired is never counted twice or not at all, and the worker's
//! counters that move together (`rows_written` to `rows_lost` when a file cannot be finished)
//! are never seen half moved.
//!
//! The field list is defined here once (`SinkStats`). The cxx bridge converts it by exhaustive destructuring
//! and the C++ and C layers fill theirs with designated initializers, so a field added or
//! reordered here fails to compile there instead of silently swapping counters.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::ring::{Ring, RingConsumer};

/// Totals across producers and the worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SinkStats {
    pub attempted: u64,
    pub accepted: u64,
    pub dropped_full: u64,
    pub dropped_oversize: u64,
    /// After close, or through a moved-from (C++) producer handle.
    pub dropped_closed: u64,
    pub dropped_failed: u64,
    pub rows_written: u64,
    pub row_groups: u64,
    pub files: u64,
    pub bytes_written: u64,
    pub ring_high_water: u64,
    pub producers: u64,
    /// Rows a crash of the process would not lose: those in finished files, plus those covered
    /// by the open file's last footer checkpoint (`Durability::RowGroup`/`Sync`).
    pub rows_durable: u64,
    /// I/O errors the worker met (each also in `Sink::error`, the latest one kept).
    pub io_errors: u64,
    /// Times the worker resumed on a new file after an I/O error.
    pub retries: u64,
    /// Files that could not be finished (close or rename failed, e.g. the file or its
    /// directory was deleted); their rows count under `rows_lost`, not `rows_written`.
    pub files_failed: u64,
    /// Accepted records that are in no finished file: discarded when the sink closed in the
    /// failed state, or written to a file that could not be finished. After `close()`,
    /// `accepted == rows_written + rows_lost`.
    pub rows_lost: u64,
    /// Abandoned `.inprogress` files of the pattern recovered at start (cut to their last
    /// checkpoint and renamed), and the rows they hold.
    pub files_recovered: u64,
    pub rows_recovered: u64,
    /// Abandoned `.inprogress` files found at start that could not be recovered (no intact
    /// checkpoint); they are left untouched and named in `Sink::error`.
    pub files_unrecoverable: u64,
    /// `Overflow::Block`: `try_record` calls that waited for room in their ring, and the
    /// nanoseconds they waited in all.
    pub blocked: u64,
    pub blocked_ns: u64,
    /// Typed sinks: records dropped because their table index was unknown or their length was
    /// not the table's record length.
    pub dropped_invalid: u64,
}

impl SinkStats {
    pub fn dropped(&self) -> u64 {
        self.dropped_full
            + self.dropped_oversize
            + self.dropped_closed
            + self.dropped_failed
            + self.dropped_invalid
    }
}

/// A live ring as the registry knows it.
pub struct RingEntry {
    pub ring: Arc<Ring>,
}

/// Rings handed to the worker and the totals of those it retired, under one lock.
#[derive(Default)]
pub struct Registry {
    pub rings: Vec<RingEntry>,
    /// Consumer ends of new rings, with their producer ids, not yet taken by the worker.
    pub pending: Vec<(RingConsumer, u32)>,
    /// Producer counters of retired rings.
    pub retired: SinkStats,
    /// Attempts through producer handles that have no ring (moved from): each a drop.
    pub detached_attempts: u64,
}

impl Registry {
    /// Moves a drained, abandoned ring's counters into the retired totals.
    pub fn retire(&mut self, ring: &Arc<Ring>) {
        self.rings.retain(|e| !Arc::ptr_eq(&e.ring, ring));
        add_producer_counters(&mut self.retired, ring);
    }
}

/// Adds a ring's producer counters (and its high-water mark) to `s`.
pub fn add_producer_counters(s: &mut SinkStats, ring: &Ring) {
    let c = ring.counters();
    let ring_totals = SinkStats {
        attempted: c.attempted.load(Ordering::Relaxed),
        accepted: c.accepted.load(Ordering::Relaxed),
        dropped_full: c.dropped_full.load(Ordering::Relaxed),
        dropped_oversize: c.dropped_oversize.load(Ordering::Relaxed),
        dropped_closed: c.dropped_closed.load(Ordering::Relaxed),
        dropped_failed: c.dropped_failed.load(Ordering::Relaxed),
        blocked: c.blocked.load(Ordering::Relaxed),
        blocked_ns: c.blocked_ns.load(Ordering::Relaxed),
        dropped_invalid: c.dropped_invalid.load(Ordering::Relaxed),
        ring_high_water: ring.high_water.load(Ordering::Relaxed),
        ..SinkStats::default()
    };
    add_producer_totals(s, &ring_totals);
}

/// Adds the producer-side counters of `from` (the rest is the worker's) to `s`.
fn add_producer_totals(s: &mut SinkStats, from: &SinkStats) {
    s.attempted += from.attempted;
    s.accepted += from.accepted;
    s.dropped_full += from.dropped_full;
    s.dropped_oversize += from.dropped_oversize;
    s.dropped_closed += from.dropped_closed;
    s.dropped_failed += from.dropped_failed;
    s.blocked += from.blocked;
    s.blocked_ns += from.blocked_ns;
    s.dropped_invalid += from.dropped_invalid;
    s.ring_high_water = s.ring_high_water.max(from.ring_high_water);
}

/// One consistent view of everything: the worker's counters (kept in a `SinkStats` whose
/// producer fields stay zero) plus the producers'.
pub fn snapshot(registry: &Registry, worker: &SinkStats) -> SinkStats {
    let mut s = *worker;
    add_producer_totals(&mut s, &registry.retired);
    for entry in &registry.rings {
        add_producer_counters(&mut s, &entry.ring);
    }
    s.attempted += registry.detached_attempts;
    s.dropped_closed += registry.detached_attempts;
    s.producers = registry.rings.len() as u64;
    s
}
