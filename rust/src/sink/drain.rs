//! Fair batching: the worker takes records from every ring in turn, each ring a bounded number
//! per pass, into the batch of the next row group. A producer that keeps its ring full thus
//! never starves the others, nor the control requests (flush, close) that the worker serves
//! between passes.

use std::time::Instant;

use crate::clock::{TscClock, STEP};
use crate::ring::RingConsumer;

/// Ring frame tag: the record's `recv_ts` holds counter ticks, not nanoseconds. The tag's other
/// bits are the record's table (`tag >> TABLE_SHIFT`).
pub const TAG_TICKS: u32 = 1;
pub const TABLE_SHIFT: u32 = 1;

/// Records one ring may give per pass before the worker moves to the next ring (and never more
/// than a row group: a slow disk then serves every ring once per row group written).
pub const RING_BUDGET: usize = 4096;

/// A ring as the worker holds it.
pub struct Slot {
    pub consumer: RingConsumer,
    pub id: u32,
    /// The last `recv_ts` converted from counter ticks (ns): see `take`.
    pub last_ticks_ns: i64,
}

/// Which optional fields each ring record carries before its payload (see `ring.rs`).
#[derive(Clone, Copy)]
pub struct Fields {
    pub recv_ts: bool,
    /// Nanoseconds per unit of the `recv_ts` column (1, 1,000 or 1,000,000).
    pub recv_ts_divisor: i64,
    pub seq: bool,
    pub producer_id: bool,
    pub extra_len: usize,
}

/// Rows collected for the next row group of one output; the buffers are reused.
#[derive(Default)]
pub struct Batch {
    /// Without tables: the payload column already PLAIN-encoded (length, bytes, ...), whose
    /// pages are written straight from here, so a record is copied once on its way from the
    /// ring to the file. For a table: its records back to back, transposed when written.
    pub payload: Vec<u8>,
    /// Payload column only: where each record's PLAIN value starts in `payload`, plus the end.
    pub offsets: Vec<u32>,
    /// A table's record length; 0 for the payload column.
    pub record_bytes: usize,
    pub recv_ts: Vec<i64>,
    pub producer_id: Vec<i32>,
    pub seq: Vec<i64>,
    /// When the oldest record in the batch was taken.
    pub started: Option<Instant>,
}

impl Batch {
    /// A batch of payloads (`record_bytes` 0) or of a table's records.
    pub fn new(record_bytes: usize) -> Batch {
        let mut b = Batch {
            record_bytes,
            ..Batch::default()
        };
        b.clear();
        b
    }

    pub fn rows(&self) -> usize {
        // A table's records are all `record_bytes` long; payloads have an offset each.
        self.payload
            .len()
            .checked_div(self.record_bytes)
            .unwrap_or_else(|| self.offsets.len().saturating_sub(1))
    }

    pub fn clear(&mut self) {
        self.payload.clear();
        self.offsets.clear();
        self.offsets.push(0);
        self.recv_ts.clear();
        self.producer_id.clear();
        self.seq.clear();
        self.started = None;
    }

    /// Whether a payload of `len` bytes still fits the column's 32-bit offsets (a table's
    /// records are transposed into columns of their own).
    fn fits(&self, len: usize) -> bool {
        self.record_bytes > 0 || self.payload.len() + 4 + len <= u32::MAX as usize
    }

    fn push(&mut self, payload: &[u8]) {
        if self.record_bytes == 0 {
            self.payload
                .extend_from_slice(&(payload.len() as u32).to_le_bytes());
            self.payload.extend_from_slice(payload);
            self.offsets.push(self.payload.len() as u32);
        } else {
            self.payload.extend_from_slice(payload);
        }
    }
}

/// What one `take` did.
pub struct Taken {
    pub records: usize,
    /// The next record's batch is full (no room, or its bytes do not fit): write that batch
    /// (the index into `batches`), then take the record.
    pub full: Option<usize>,
}

/// Moves up to `max_rows` records from `slot`'s ring into the batch of each record's table
/// (`batches[tag >> TABLE_SHIFT]`, which may take `room[table]` more rows), then frees their
/// ring space.
/// Counter ticks become nanoseconds through `clock`. The conversion's base moves at each resync
/// by a few tens of nanoseconds, so a producer's converted stamps could step back that much
/// between two records: they are held at the previous one instead (a real step of the wall
/// clock, over `STEP`, passes through).
pub fn take(
    slot: &mut Slot,
    batches: &mut [Batch],
    room: &mut [usize],
    max_rows: usize,
    fields: Fields,
    clock: Option<&TscClock>,
) -> Taken {
    let id = slot.id as i32;
    let mut last_ticks_ns = slot.last_ticks_ns;
    let mut full = None;
    let mut records = 0;
    slot.consumer.read(fields.extra_len, max_rows, |r| {
        // The producer checked the table index against the sink's tables.
        let table = ((r.tag >> TABLE_SHIFT) as usize).min(batches.len() - 1);
        let batch = &mut batches[table];
        if room[table] == 0 || !batch.fits(r.payload.len()) {
            full = Some(table);
            return false;
        }
        room[table] -= 1;
        records += 1;
        if batch.started.is_none() {
            batch.started = Some(Instant::now());
        }
        batch.push(r.payload);
        let mut at = 0;
        if fields.recv_ts {
            let raw = i64::from_le_bytes(r.extra[0..8].try_into().unwrap_or_default());
            let ns = match clock {
                Some(clock) if r.tag & TAG_TICKS != 0 => {
                    let mut ns = clock.to_ns(raw as u64);
                    if ns < last_ticks_ns && last_ticks_ns - ns < STEP {
                        ns = last_ticks_ns;
                    }
                    last_ticks_ns = ns;
                    ns
                }
                _ => raw,
            };
            batch.recv_ts.push(ns.div_euclid(fields.recv_ts_divisor));
            at = 8;
        }
        if fields.seq {
            batch.seq.push(i64::from_le_bytes(
                r.extra[at..at + 8].try_into().unwrap_or_default(),
            ));
        }
        if fields.producer_id {
            batch.producer_id.push(id);
        }
        true
    });
    slot.last_ticks_ns = last_ticks_ns;
    // The records are copied: give the space back to the producer at once.
    slot.consumer.release();
    Taken { records, full }
}

/// Reads and discards everything published in `slot`'s ring; returns how many records.
pub fn discard(slot: &mut Slot, extra_len: usize) -> u64 {
    let mut total = 0;
    loop {
        let n = slot.consumer.read(extra_len, usize::MAX, |_| true);
        slot.consumer.release();
        if n == 0 {
            return total;
        }
        total += n as u64;
    }
}
