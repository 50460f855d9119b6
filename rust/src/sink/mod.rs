//! The capture sink: producers hand records to per-producer rings (`ring.rs`); one worker thread
//! drains them fairly into row groups and writes Parquet files, rotating by rows, bytes and age.
//!
//! One file per concern: `options` (settings and validation), `producer` (the hot path and the
//! close barrier), `drain` (fair batching), `files` (names, exclusive create, locks, rename,
//! recovery at start), `state` (running / backing off / failed / closed), `stats` (one
//! consistent snapshot), `worker` (the thread that ties them together).
//!
//! Why one SPSC ring per producer (as Quill does) rather than one many-to-one ring (as Aeron
//! does): a shared ring needs an atomic read-modify-write on a contended cache line for every
//! record, which costs tens to hundreds of nanoseconds under contention and grows with the
//! number of threads; a private ring costs one release store on a line only its producer writes.
//! The price is memory (one ring per producer) and no global order across producers, which
//! capture does not need: order within a producer is kept, and `recv_ts` orders the rest.

mod drain;
mod files;
mod options;
mod producer;
mod state;
mod stats;
mod worker;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;

use crossbeam_channel::Sender;

pub use files::{expand_pattern, INPROGRESS};
pub use options::{
    sink_columns, validate, ClockSource, Overflow, SinkConfig, MAX_RECORD_BYTES, MAX_RETRY_BACKOFF,
    MAX_TABLES, TABLE_TOKEN, TYPED_ROW_GROUP_ROWS,
};
pub use producer::{
    simulate_membarrier_failure_for_testing, uses_membarrier, DetachedProducer, Producer,
};
pub use stats::SinkStats;

use crate::error::{panic_message, Error, Result};
use crate::ring;
use state::{State, StateCell};
use stats::{Registry, RingEntry};
use worker::{Control, Worker};

/// State every producer and the worker share.
pub(crate) struct Shared {
    state: StateCell,
    registry: Mutex<Registry>,
    /// Bumped when a ring is registered, so the worker looks at the registry only then.
    generation: AtomicU64,
    next_producer: AtomicU64,
    max_payload: usize,
    /// Each table's record length (empty without tables: payloads of any length up to
    /// `max_payload`).
    record_bytes: Box<[u32]>,
    recv_ts: bool,
    /// `recv_ts` is taken from the CPU's counter (ticks, converted by the worker).
    tsc: bool,
    seq: bool,
    /// `Overflow::Block`: a full ring makes `try_record` wait instead of dropping.
    block: bool,
    /// The worker's counters (its fields of `SinkStats`; the producer fields stay zero).
    totals: Mutex<SinkStats>,
    error: Mutex<Option<Error>>,
    worker: OnceLock<std::thread::Thread>,
}

impl Shared {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn totals(&self) -> MutexGuard<'_, SinkStats> {
        self.totals.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_error(&self, error: Error) {
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
    }

    fn error(&self) -> Option<Error> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The recorded error that made the sink fail.
    fn failure(&self) -> Error {
        self.error()
            .unwrap_or_else(|| Error::internal("the sink failed"))
    }

    fn wake_worker(&self) {
        if let Some(t) = self.worker.get() {
            t.unpark();
        }
    }
}

pub struct Sink {
    shared: Arc<Shared>,
    control: Option<Sender<Control>>,
    worker: Option<JoinHandle<()>>,
    ring_bytes: usize,
    max_producers: usize,
    closed_result: Option<Result<()>>,
}

impl Sink {
    /// Validates the configuration, recovers abandoned files of its pattern (unless turned off),
    /// opens the first file and starts the worker.
    pub fn open(config: SinkConfig) -> Result<Sink> {
        let limits = validate(&config)?;
        producer::register_barrier();
        let storage = config.writer.storage.clone();
        // Each output (the payload column, or each table) has its own file series: recover its
        // abandoned files and continue its numbering.
        let mut totals = SinkStats::default();
        let mut unrecoverable = Vec::new();
        let mut outputs = Vec::new();
        for table in config.outputs() {
            let pattern = files::Pattern::new(&config.output_path(table));
            let startup = files::start(&storage, &pattern, config.recover_at_start);
            totals.files_recovered += startup.files_recovered;
            totals.rows_recovered += startup.rows_recovered;
            totals.files_unrecoverable += startup.unrecoverable.len() as u64;
            unrecoverable.extend(startup.unrecoverable.iter().map(|e| e.message.clone()));
            let next_seq = startup.max_seq.map_or(0, |m| m + 1);
            outputs.push(worker::Output::new(&config, table, next_seq));
        }
        let error = (!unrecoverable.is_empty()).then(|| Error::internal(unrecoverable.join("; ")));
        // The counter stands in for the clock where it can (calibrated here, ~20 ms).
        let clock = (config.recv_ts
            && config.recv_ts_clock == ClockSource::Auto
            && crate::clock::tsc_usable())
        .then(crate::clock::TscClock::calibrate);
        let shared = Arc::new(Shared {
            state: StateCell::new(),
            registry: Mutex::new(Registry::default()),
            generation: AtomicU64::new(0),
            next_producer: AtomicU64::new(0),
            max_payload: limits.max_payload,
            record_bytes: config.tables.iter().map(|t| t.record_bytes).collect(),
            recv_ts: config.recv_ts,
            tsc: clock.is_some(),
            seq: config.seq,
            block: config.overflow == Overflow::Block,
            totals: Mutex::new(totals),
            error: Mutex::new(error),
            worker: OnceLock::new(),
        });
        let max_producers = config.max_producers;
        let mut worker = Worker::new(config, shared.clone(), outputs, limits.extra_len, clock);
        if let Err(e) = worker.open_files() {
            worker.remove_open_files();
            return Err(e);
        }
        let (tx, rx) = crossbeam_channel::unbounded();
        let handle = std::thread::Builder::new()
            .name("parquet_flow-sink".into())
            .spawn(move || {
                // A panic must not leave producers feeding a dead sink unnoticed: the sink goes
                // to Failed, and what it held is counted as lost when it closes.
                if let Err(panic) = catch_unwind(AssertUnwindSafe(|| worker.run(&rx))) {
                    let message = panic_message(&*panic);
                    let _ = catch_unwind(AssertUnwindSafe(|| worker.run_after_panic(&rx, message)));
                }
            })
            .map_err(|e| Error::internal(format!("cannot start the sink's worker thread: {e}")))?;
        let _ = shared.worker.set(handle.thread().clone());
        Ok(Sink {
            shared,
            control: Some(tx),
            worker: Some(handle),
            ring_bytes: limits.ring_bytes,
            max_producers,
            closed_result: None,
        })
    }

    /// A new producer with its own ring (allocated and pre-faulted here, not on the hot path).
    pub fn producer(&self) -> Result<Producer> {
        let (ring_producer, consumer) = ring::channel(self.ring_bytes);
        let mut registry = self.shared.registry();
        // Checked under the registry's lock: close() takes it after setting Closed, so a ring
        // registered here is always seen by the final drain.
        if self.shared.state.get() == State::Closed {
            return Err(Error::state("the sink is closed; no new producers"));
        }
        if registry.rings.len() >= self.max_producers {
            return Err(Error::invalid(format!(
                "the sink already has {} producers (max_producers); drop one or raise the limit",
                registry.rings.len()
            )));
        }
        let id = self.shared.next_producer.fetch_add(1, Ordering::Relaxed) as u32;
        registry.rings.push(RingEntry {
            ring: ring_producer.ring().clone(),
        });
        registry.pending.push((consumer, id));
        self.shared.generation.fetch_add(1, Ordering::Release);
        drop(registry);
        Ok(Producer::new(ring_producer, self.shared.clone(), id))
    }

    fn request(&self, make: impl FnOnce(Sender<Result<()>>) -> Control) -> Result<()> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.control
            .as_ref()
            .ok_or_else(|| Error::state("the sink is closed"))?
            .send(make(tx))
            .map_err(|_| Error::state("the sink is closed"))?;
        self.shared.wake_worker();
        rx.recv()
            .map_err(|_| Error::internal("the sink's worker stopped unexpectedly"))?
    }

    /// Blocks until every record accepted before this call is in the file (written, not synced).
    pub fn flush(&self) -> Result<()> {
        if self.closed_result.is_some() {
            return Err(Error::state("the sink is closed"));
        }
        self.request(Control::Flush)
    }

    /// Stops accepting records, drains every ring (including records racing this call: see
    /// `producer.rs`), writes the last row group and the footer, and joins the worker. A second
    /// call returns the first call's result.
    pub fn close(&mut self) -> Result<()> {
        if let Some(result) = &self.closed_result {
            return result.clone();
        }
        let result = self.request(Control::Close);
        // Dropping the channel ends a worker that is not listening for Close any more.
        self.control = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        self.closed_result = Some(result.clone());
        result
    }

    /// All counters, as one consistent snapshot.
    pub fn stats(&self) -> SinkStats {
        let registry = self.shared.registry();
        let totals = self.shared.totals();
        stats::snapshot(&registry, &totals)
    }

    /// Whether `try_record` stamps `recv_ts` with the CPU's counter (else the system clock).
    pub fn recv_ts_from_counter(&self) -> bool {
        self.shared.tsc
    }

    /// The worker's latest I/O error, if it met one (also after it resumed on a new file), or
    /// the abandoned files start-up recovery had to leave as they were.
    pub fn error(&self) -> Option<Error> {
        self.shared.error()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
