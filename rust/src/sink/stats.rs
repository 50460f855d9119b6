//! Totals across producers and the worker, read as one consistent snapshot.
//!
//! Producer counters live in each ring (plain stores by their one writer); the worker's totals
//! live under one mutex, updated once per row group or file; the registry of rings and the
//! totals of retired rings live under another. `snapshot` takes both locks, registry first, so a
//! ring moving from live to retired is never counted twice or not at all, and the worker's
//! counters that move together (`rows_written` to `rows_lost` when a file cannot be finished)
//! are never seen half moved.
//!
//! The field list is defined here once. The cxx bridge converts it by exhaustive destructuring
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
}

impl SinkStats {
    pub fn dropped(&self) -> u64 {
        self.dropped_full + self.dropped_oversize + self.dropped_closed + self.dropped_failed
    }
}

/// The worker's counters (and the start-up recovery's).
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkerTotals {
    pub rows_written: u64,
    pub row_groups: u64,
    pub files: u64,
    pub bytes_written: u64,
    pub rows_durable: u64,
    pub io_errors: u64,
    pub retries: u64,
    pub files_failed: u64,
    pub rows_lost: u64,
    pub files_recovered: u64,
    pub rows_recovered: u64,
    pub files_unrecoverable: u64,
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
    let c = &ring.counters.0;
    s.attempted += c.attempted.load(Ordering::Relaxed);
    s.accepted += c.accepted.load(Ordering::Relaxed);
    s.dropped_full += c.dropped_full.load(Ordering::Relaxed);
    s.dropped_oversize += c.dropped_oversize.load(Ordering::Relaxed);
    s.dropped_closed += c.dropped_closed.load(Ordering::Relaxed);
    s.dropped_failed += c.dropped_failed.load(Ordering::Relaxed);
    s.ring_high_water = s
        .ring_high_water
        .max(ring.high_water.load(Ordering::Relaxed));
}

/// One consistent view of everything.
pub fn snapshot(registry: &Registry, totals: &WorkerTotals) -> SinkStats {
    let mut s = registry.retired;
    for entry in &registry.rings {
        add_producer_counters(&mut s, &entry.ring);
    }
    s.attempted += registry.detached_attempts;
    s.dropped_closed += registry.detached_attempts;
    s.producers = registry.rings.len() as u64;
    let WorkerTotals {
        rows_written,
        row_groups,
        files,
        bytes_written,
        rows_durable,
        io_errors,
        retries,
        files_failed,
        rows_lost,
        files_recovered,
        rows_recovered,
        files_unrecoverable,
    } = *totals;
    SinkStats {
        rows_written,
        row_groups,
        files,
        bytes_written,
        rows_durable,
        io_errors,
        retries,
        files_failed,
        rows_lost,
        files_recovered,
        rows_recovered,
        files_unrecoverable,
        ..s
    }
}
