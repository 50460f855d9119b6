//! The capture sink: producers hand records to per-producer rings (`ring.rs`); one worker thread
//! drains them into row groups and writes Parquet files, rotating by rows, bytes and age.
//!
//! Why one SPSC ring per producer (as Quill does) rather than one many-to-one ring (as Aeron
//! does): a shared ring needs an atomic read-modify-write on a contended cache line for every
//! record, which costs tens to hundreds of nanoseconds under contention and grows with the
//! number of threads; a private ring costs one release store on a line only its producer writes.
//! The price is memory (one ring per producer) and no global order across producers, which
//! capture does not need: order within a producer is kept, and `recv_ts` orders the rest.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, Sender};

use crate::error::{Error, Result};
use crate::parquet::{
    Column, ColumnInput, Durability, FileWriter, LogicalType, PhysicalType, Repetition, TimeUnit,
    WriterOptions,
};
use crate::ring::{Ring, RingConsumer, RingProducer};

/// Sink settings. See `include/parquet_flow/sink.hpp` for the user-facing description.
#[derive(Clone, Debug)]
pub struct SinkConfig {
    /// Output file, or with rotation a pattern: `{seq}` is the file's sequence number, `%Y %m %d
    /// %H %M %S` the UTC time the file was opened (directories such as `date=%Y-%m-%d/` work).
    pub path: String,
    /// Bytes of each producer's ring, rounded up to a power of two.
    pub ring_bytes: usize,
    /// Longer records are dropped and counted; default 64 KiB, or what the ring holds if less.
    pub max_record_bytes: Option<usize>,
    pub max_producers: usize,
    pub row_group_rows: usize,
    /// A partial row group is written once its first record is this old.
    pub flush_interval: Option<Duration>,
    pub recv_ts: bool,
    pub producer_id: bool,
    pub seq: bool,
    pub writer: WriterOptions,
    pub rotate_rows: Option<u64>,
    pub rotate_bytes: Option<u64>,
    pub rotate_age: Option<Duration>,
    /// After an I/O error, with rotation configured, the worker retries on the next file after
    /// this pause, doubling it after each failed attempt (up to `MAX_RETRY_BACKOFF`).
    pub retry_backoff: Duration,
    /// Test hook: the worker sleeps this long before each row group (a slow disk).
    pub worker_delay: Duration,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            path: String::new(),
            ring_bytes: 8 << 20,
            max_record_bytes: None,
            max_producers: 64,
            row_group_rows: 16_384,
            flush_interval: Some(Duration::from_secs(1)),
            recv_ts: false,
            producer_id: false,
            seq: false,
            writer: WriterOptions::default(),
            rotate_rows: None,
            rotate_bytes: None,
            rotate_age: None,
            retry_backoff: Duration::from_millis(100),
            worker_delay: Duration::ZERO,
        }
    }
}

/// The longest pause between attempts to open a new file after I/O errors.
pub const MAX_RETRY_BACKOFF: Duration = Duration::from_secs(10);

const RUNNING: u8 = 0;
const CLOSED: u8 = 1;
const FAILED: u8 = 2;

/// Totals across producers and the worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SinkStats {
    pub attempted: u64,
    pub accepted: u64,
    pub dropped_full: u64,
    pub dropped_oversize: u64,
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
    /// `accepted == rows_written + rows_lost` (except records racing `close()`, see there).
    pub rows_lost: u64,
}

impl SinkStats {
    pub fn dropped(&self) -> u64 {
        self.dropped_full + self.dropped_oversize + self.dropped_closed + self.dropped_failed
    }
}

/// State every producer and the worker share.
struct Shared {
    state: AtomicU8,
    rings: Mutex<Vec<(Arc<Ring>, u32)>>,
    generation: AtomicU64,
    next_producer: AtomicU64,
    max_payload: usize,
    extra_len: usize,
    recv_ts: bool,
    seq: bool,
    rows_written: AtomicU64,
    row_groups: AtomicU64,
    files: AtomicU64,
    bytes_written: AtomicU64,
    rows_durable: AtomicU64,
    io_errors: AtomicU64,
    retries: AtomicU64,
    files_failed: AtomicU64,
    rows_lost: AtomicU64,
    /// High-water marks of rings that are gone.
    retired_high_water: AtomicU64,
    retired: Mutex<SinkStats>,
    error: Mutex<Option<Error>>,
    worker: std::sync::OnceLock<std::thread::Thread>,
}

impl Shared {
    fn wake_worker(&self) {
        if let Some(t) = self.worker.get() {
            t.unpark();
        }
    }
}

enum Control {
    Flush(Sender<Result<()>>),
    Close(Sender<Result<()>>),
}

/// A producer's handle: owns one ring. Use it from one thread at a time.
pub struct Producer {
    id: u32,
    ring: Arc<Ring>,
    shared: Arc<Shared>,
    producer: RingProducer,
    seq: u64,
    attempted: u64,
    accepted: u64,
    dropped_full: u64,
    dropped_oversize: u64,
    dropped_closed: u64,
    dropped_failed: u64,
}

impl Producer {
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
        let counters = &self.ring.counters.0;
        self.attempted += 1;
        counters.attempted.store(self.attempted, Ordering::Relaxed);
        let seq = self.seq;
        self.seq += 1;
        let state = self.shared.state.load(Ordering::Relaxed);
        if state != RUNNING {
            if state == CLOSED {
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
        if payload.len() > self.shared.max_payload {
            self.dropped_oversize += 1;
            counters
                .dropped_oversize
                .store(self.dropped_oversize, Ordering::Relaxed);
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
        if self.producer.try_push(&self.ring, &extra[..n], payload) {
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
}

impl Drop for Producer {
    fn drop(&mut self) {
        // The worker drains what is left, then forgets the ring.
        self.ring.abandoned.store(true, Ordering::Release);
    }
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

pub struct Sink {
    shared: Arc<Shared>,
    control: Sender<Control>,
    worker: Option<JoinHandle<()>>,
    ring_bytes: usize,
    max_producers: usize,
    closed_result: Option<Result<()>>,
}

impl Sink {
    /// Validates the configuration, opens the first file and starts the worker.
    pub fn open(config: SinkConfig) -> Result<Sink> {
        let (ring_bytes, max_record_bytes) = validate(&config)?;
        let extra_len = 8 * (config.recv_ts as usize + config.seq as usize);
        let shared = Arc::new(Shared {
            state: AtomicU8::new(RUNNING),
            rings: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
            next_producer: AtomicU64::new(0),
            max_payload: max_record_bytes,
            extra_len,
            recv_ts: config.recv_ts,
            seq: config.seq,
            rows_written: AtomicU64::new(0),
            row_groups: AtomicU64::new(0),
            files: AtomicU64::new(0),
            bytes_written: AtomicU64::new(0),
            rows_durable: AtomicU64::new(0),
            io_errors: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            files_failed: AtomicU64::new(0),
            rows_lost: AtomicU64::new(0),
            retired_high_water: AtomicU64::new(0),
            retired: Mutex::new(SinkStats::default()),
            error: Mutex::new(None),
            worker: std::sync::OnceLock::new(),
        });
        let mut worker = Worker::new(config.clone(), shared.clone())?;
        worker.open_file()?;
        let (tx, rx) = crossbeam_channel::unbounded();
        let handle = std::thread::Builder::new()
            .name("parquet_flow-sink".into())
            .spawn(move || worker.run(rx))
            .map_err(|e| Error::internal(format!("cannot start the sink's worker thread: {e}")))?;
        let _ = shared.worker.set(handle.thread().clone());
        Ok(Sink {
            shared,
            control: tx,
            worker: Some(handle),
            ring_bytes,
            max_producers: config.max_producers,
            closed_result: None,
        })
    }

    /// A new producer with its own ring (allocated and pre-faulted here, not on the hot path).
    pub fn producer(&self) -> Result<Producer> {
        if self.shared.state.load(Ordering::Acquire) == CLOSED {
            return Err(Error::state("the sink is closed; no new producers"));
        }
        let ring = Arc::new(Ring::new(self.ring_bytes));
        let mut rings = self.shared.rings.lock().unwrap_or_else(|e| e.into_inner());
        if rings.len() >= self.max_producers {
            return Err(Error::invalid(format!(
                "the sink already has {} producers (max_producers); drop one or raise the limit",
                rings.len()
            )));
        }
        let id = self.shared.next_producer.fetch_add(1, Ordering::Relaxed) as u32;
        rings.push((ring.clone(), id));
        self.shared.generation.fetch_add(1, Ordering::Release);
        drop(rings);
        Ok(Producer {
            id,
            ring,
            shared: self.shared.clone(),
            producer: RingProducer::new(),
            seq: 0,
            attempted: 0,
            accepted: 0,
            dropped_full: 0,
            dropped_oversize: 0,
            dropped_closed: 0,
            dropped_failed: 0,
        })
    }

    fn request(&self, make: impl FnOnce(Sender<Result<()>>) -> Control) -> Result<()> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.control
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

    /// Stops accepting records, drains every ring, writes the last row group and the footer,
    /// and joins the worker. A second call returns the first call's result.
    pub fn close(&mut self) -> Result<()> {
        if let Some(result) = &self.closed_result {
            return result.clone();
        }
        let result = self.request(Control::Close);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        self.closed_result = Some(result.clone());
        result
    }

    pub fn stats(&self) -> SinkStats {
        let mut s = *self
            .shared
            .retired
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let rings = self.shared.rings.lock().unwrap_or_else(|e| e.into_inner());
        s.producers = rings.len() as u64;
        s.ring_high_water = self.shared.retired_high_water.load(Ordering::Relaxed);
        for (ring, _) in rings.iter() {
            add_counters(&mut s, ring);
        }
        s.rows_written = self.shared.rows_written.load(Ordering::Relaxed);
        s.row_groups = self.shared.row_groups.load(Ordering::Relaxed);
        s.files = self.shared.files.load(Ordering::Relaxed);
        s.bytes_written = self.shared.bytes_written.load(Ordering::Relaxed);
        s.rows_durable = self.shared.rows_durable.load(Ordering::Relaxed);
        s.io_errors = self.shared.io_errors.load(Ordering::Relaxed);
        s.retries = self.shared.retries.load(Ordering::Relaxed);
        s.files_failed = self.shared.files_failed.load(Ordering::Relaxed);
        s.rows_lost = self.shared.rows_lost.load(Ordering::Relaxed);
        s
    }

    /// The worker's latest I/O error, if it met one (also after it resumed on a new file).
    pub fn error(&self) -> Option<Error> {
        self.shared
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn add_counters(s: &mut SinkStats, ring: &Ring) {
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

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

const DEFAULT_MAX_RECORD: usize = 64 << 10;

/// Checks the configuration; returns the ring size rounded to a power of two and the record
/// size limit.
fn validate(config: &SinkConfig) -> Result<(usize, usize)> {
    if config.path.is_empty() {
        return Err(Error::invalid("sink path is empty"));
    }
    if config.row_group_rows == 0 {
        return Err(Error::invalid("row_group_rows must be at least 1"));
    }
    if config.max_producers == 0 {
        return Err(Error::invalid("max_producers must be at least 1"));
    }
    if config.ring_bytes < 4096 || config.ring_bytes > (1 << 40) {
        return Err(Error::invalid(format!(
            "ring_bytes must be between 4096 and 2^40, got {}",
            config.ring_bytes
        )));
    }
    let ring_bytes = config.ring_bytes.next_power_of_two();
    let extra = 8 * (config.recv_ts as usize + config.seq as usize);
    let max_payload = ring_bytes / 2 - 8 - extra;
    let max_record = config
        .max_record_bytes
        .unwrap_or(DEFAULT_MAX_RECORD.min(max_payload));
    if max_record > max_payload {
        return Err(Error::invalid(format!(
            "max_record_bytes {max_record} does not fit a ring of {ring_bytes} bytes (at most {max_payload}); raise ring_bytes"
        )));
    }
    let rotating = config.rotate_rows.is_some()
        || config.rotate_bytes.is_some()
        || config.rotate_age.is_some();
    if rotating && !config.path.contains("{seq}") {
        return Err(Error::invalid(format!(
            "rotation needs {{seq}} in the path pattern so files never overwrite each other, got '{}'",
            config.path
        )));
    }
    if config.rotate_rows == Some(0) || config.rotate_bytes == Some(0) {
        return Err(Error::invalid("rotation limits must be positive"));
    }
    if config.retry_backoff.is_zero() {
        return Err(Error::invalid("retry_backoff must be positive"));
    }
    Ok((ring_bytes, max_record))
}

/// The sink's columns, in file order.
pub fn sink_columns(config: &SinkConfig) -> Vec<Column> {
    let mut columns = vec![Column::new(
        "payload",
        PhysicalType::ByteArray,
        Repetition::Required,
    )];
    if config.recv_ts {
        columns.push(Column {
            logical: LogicalType::Timestamp {
                unit: TimeUnit::Nanos,
                utc: true,
            },
            ..Column::new("recv_ts", PhysicalType::Int64, Repetition::Required)
        });
    }
    if config.producer_id {
        columns.push(Column::new(
            "producer_id",
            PhysicalType::Int32,
            Repetition::Required,
        ));
    }
    if config.seq {
        columns.push(Column::new(
            "seq",
            PhysicalType::Int64,
            Repetition::Required,
        ));
    }
    columns
}

/// Rows collected for the next row group; the buffers are reused.
#[derive(Default)]
struct Batch {
    /// The payload column already PLAIN-encoded (length, bytes, ...): its pages are written
    /// straight from here, so a record is copied once on its way from the ring to the file.
    payload: Vec<u8>,
    /// Where each record's PLAIN value starts in `payload`, plus the end.
    offsets: Vec<u32>,
    recv_ts: Vec<i64>,
    producer_id: Vec<i32>,
    seq: Vec<i64>,
    started: Option<Instant>,
}

impl Batch {
    fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn clear(&mut self) {
        self.payload.clear();
        self.offsets.clear();
        self.offsets.push(0);
        self.recv_ts.clear();
        self.producer_id.clear();
        self.seq.clear();
        self.started = None;
    }
}

fn as_bytes<T: Copy>(v: &[T]) -> &[u8] {
    // SAFETY: i32/i64 slices viewed as their little-endian bytes; u8 has no alignment needs.
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, std::mem::size_of_val(v)) }
}

struct RingSlot {
    ring: Arc<Ring>,
    consumer: RingConsumer,
    id: u32,
}

struct Worker {
    config: SinkConfig,
    shared: Arc<Shared>,
    columns: Vec<Column>,
    slots: Vec<RingSlot>,
    generation: u64,
    batch: Batch,
    file: Option<FileWriter>,
    /// Final name of the open file (it is written under `<name>.inprogress`).
    file_path: PathBuf,
    file_seq: u64,
    file_rows: u64,
    file_opened: Instant,
    /// Rows in files finished and renamed.
    finished_rows: u64,
    /// While failed: when to try the next file (None: the failure is final).
    retry_at: Option<Instant>,
    backoff: Duration,
}

const INPROGRESS: &str = ".inprogress";

impl Worker {
    fn new(config: SinkConfig, shared: Arc<Shared>) -> Result<Worker> {
        let columns = sink_columns(&config);
        let mut batch = Batch::default();
        batch.clear();
        Ok(Worker {
            columns,
            shared,
            slots: Vec::new(),
            generation: u64::MAX,
            batch,
            file: None,
            file_path: PathBuf::new(),
            file_seq: 0,
            file_rows: 0,
            file_opened: Instant::now(),
            finished_rows: 0,
            retry_at: None,
            backoff: config.retry_backoff,
            config,
        })
    }

    fn open_file(&mut self) -> Result<()> {
        let name = expand_pattern(&self.config.path, self.file_seq, SystemTime::now());
        let path = PathBuf::from(name);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io("cannot create directory", dir, &e))?;
        }
        let writer = FileWriter::create(
            inprogress(&path),
            self.columns.clone(),
            self.config.writer.clone(),
        )?;
        self.file = Some(writer);
        self.file_path = path;
        self.file_seq += 1;
        self.file_rows = 0;
        self.file_opened = Instant::now();
        self.shared.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Writes the footer and renames the file to its final name. After a failed row group the
    /// writer cuts it off, so the file is still finished with the row groups before it. A file
    /// that cannot be finished is counted in `files_failed` and its rows move to `rows_lost`.
    fn close_file(&mut self) -> Result<()> {
        let rows = std::mem::take(&mut self.file_rows);
        let Some(mut writer) = self.file.take() else {
            return Ok(());
        };
        let before = writer.bytes_written();
        let closed = writer.close();
        self.shared.bytes_written.fetch_add(
            writer.bytes_written().saturating_sub(before),
            Ordering::Relaxed,
        );
        let renamed = if writer.closed_valid() {
            std::fs::rename(writer.path(), &self.file_path)
                .map_err(|e| Error::io("cannot rename", writer.path(), &e))
                .and_then(|()| self.sync_directory())
        } else {
            Ok(())
        };
        let result = closed.map(|_| ()).and(renamed.clone());
        // Rows the file does not hold after all: all of them if it could not be finished, else
        // those a repair had to cut (a full disk leaves no room for the footer).
        let gone = if !writer.closed_valid() || renamed.is_err() {
            self.shared.files_failed.fetch_add(1, Ordering::Relaxed);
            rows
        } else {
            self.finished_rows += writer.rows_written();
            rows - writer.rows_written().min(rows)
        };
        self.shared.rows_written.fetch_sub(gone, Ordering::Relaxed);
        self.shared.rows_lost.fetch_add(gone, Ordering::Relaxed);
        self.shared
            .rows_durable
            .store(self.finished_rows, Ordering::Relaxed);
        result
    }

    /// With `Durability::Sync`, makes the rename itself survive a power cut: the directory
    /// entry is synced as the file's data was.
    fn sync_directory(&self) -> Result<()> {
        if self.config.writer.durability != Durability::Sync {
            return Ok(());
        }
        let dir = match self.file_path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("cannot sync directory", dir, &e))
    }

    fn rotating(&self) -> bool {
        self.config.path.contains("{seq}")
    }

    /// Accepted records that can no longer be written: the pending batch and everything
    /// published to the rings.
    fn discard_pending(&mut self) -> u64 {
        let mut lost = self.batch.rows() as u64;
        self.batch.clear();
        self.refresh_rings();
        let extra = self.shared.extra_len;
        for slot in &mut self.slots {
            loop {
                let n = slot.consumer.read(&slot.ring, extra, usize::MAX, |_| {});
                slot.consumer.release(&slot.ring);
                if n == 0 {
                    break;
                }
                lost += n as u64;
            }
        }
        self.shared.rows_lost.fetch_add(lost, Ordering::Relaxed);
        lost
    }

    fn refresh_rings(&mut self) {
        let generation = self.shared.generation.load(Ordering::Acquire);
        if generation == self.generation {
            return;
        }
        self.generation = generation;
        let rings = self.shared.rings.lock().unwrap_or_else(|e| e.into_inner());
        for (ring, id) in rings.iter() {
            if !self.slots.iter().any(|s| Arc::ptr_eq(&s.ring, ring)) {
                self.slots.push(RingSlot {
                    ring: ring.clone(),
                    consumer: RingConsumer::new(),
                    id: *id,
                });
            }
        }
    }

    /// Forgets rings whose producer is gone and that are fully drained; their counts move to
    /// the retired totals so stats stay complete.
    fn retire_abandoned(&mut self) {
        let shared = &self.shared;
        self.slots.retain(|slot| {
            let done =
                slot.ring.abandoned.load(Ordering::Acquire) && slot.consumer.is_drained(&slot.ring);
            if done {
                let mut rings = shared.rings.lock().unwrap_or_else(|e| e.into_inner());
                rings.retain(|(r, _)| !Arc::ptr_eq(r, &slot.ring));
                let mut retired = shared.retired.lock().unwrap_or_else(|e| e.into_inner());
                add_counters(&mut retired, &slot.ring);
                shared.retired_high_water.fetch_max(
                    slot.ring.high_water.load(Ordering::Relaxed),
                    Ordering::Relaxed,
                );
            }
            !done
        });
    }

    /// Rows the current row group may still take: up to row_group_rows, no more than the
    /// current file may hold before rotating by rows, and never so many bytes that the payload
    /// column's 32-bit offsets would overflow.
    fn room(&self) -> usize {
        let mut room = self.config.row_group_rows - self.batch.rows();
        let bytes_left = u32::MAX as usize - self.batch.payload.len();
        room = room.min(bytes_left / (self.shared.max_payload + 4));
        if let Some(max) = self.config.rotate_rows {
            let left = max.saturating_sub(self.file_rows) as usize;
            room = room.min(left.saturating_sub(self.batch.rows()));
        }
        room
    }

    /// One pass over all rings; returns the records taken. Writes row groups as they fill.
    fn drain_once(&mut self, targets: Option<&[u64]>) -> Result<usize> {
        let mut total = 0;
        for i in 0..self.slots.len() {
            loop {
                if self.room() == 0 {
                    self.write_batch()?;
                    debug_assert!(self.room() > 0, "an empty batch always has room");
                }
                if let Some(targets) = targets {
                    if self.slots[i].consumer.position() >= targets[i] {
                        break;
                    }
                }
                let room = self.room();
                let slot = &mut self.slots[i];
                let batch = &mut self.batch;
                let (recv_ts, seq, id) = (self.shared.recv_ts, self.shared.seq, slot.id as i32);
                let want_id = self.config.producer_id;
                let n = slot
                    .consumer
                    .read(&slot.ring, self.shared.extra_len, room, |r| {
                        batch
                            .payload
                            .extend_from_slice(&(r.payload.len() as u32).to_le_bytes());
                        batch.payload.extend_from_slice(r.payload);
                        batch.offsets.push(batch.payload.len() as u32);
                        let mut at = 0;
                        if recv_ts {
                            batch.recv_ts.push(i64::from_le_bytes(
                                r.extra[0..8].try_into().unwrap_or_default(),
                            ));
                            at = 8;
                        }
                        if seq {
                            batch.seq.push(i64::from_le_bytes(
                                r.extra[at..at + 8].try_into().unwrap_or_default(),
                            ));
                        }
                        if want_id {
                            batch.producer_id.push(id);
                        }
                    });
                // The records are copied: give the space back to the producer at once.
                slot.consumer.release(&slot.ring);
                if n > 0 && self.batch.started.is_none() {
                    self.batch.started = Some(Instant::now());
                }
                total += n;
                if self.room() > 0 {
                    break;
                }
            }
        }
        Ok(total)
    }

    /// Drains every ring up to what was published when the call began.
    fn drain_all(&mut self) -> Result<()> {
        self.refresh_rings();
        let targets: Vec<u64> = self.slots.iter().map(|s| s.ring.published()).collect();
        while self
            .slots
            .iter()
            .zip(&targets)
            .any(|(s, &t)| s.consumer.position() < t)
        {
            self.drain_once(Some(&targets))?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> Result<()> {
        let rows = self.batch.rows();
        if rows == 0 {
            return Ok(());
        }
        if !self.config.worker_delay.is_zero() {
            std::thread::sleep(self.config.worker_delay);
        }
        if self.file.is_none() {
            self.open_file()?;
        }
        let b = &self.batch;
        let mut inputs = Vec::with_capacity(4);
        inputs.push(ColumnInput {
            values: &b.payload,
            offsets: Some(&b.offsets),
            plain_encoded: true,
            ..Default::default()
        });
        if self.config.recv_ts {
            inputs.push(ColumnInput::new(as_bytes(&b.recv_ts)));
        }
        if self.config.producer_id {
            inputs.push(ColumnInput::new(as_bytes(&b.producer_id)));
        }
        if self.config.seq {
            inputs.push(ColumnInput::new(as_bytes(&b.seq)));
        }
        let writer = self.file.as_mut().expect("opened above");
        let before = writer.bytes_written();
        writer.write_row_group(rows, &inputs)?;
        let after = writer.bytes_written();
        self.shared
            .bytes_written
            .fetch_add(after - before, Ordering::Relaxed);
        self.shared
            .rows_written
            .fetch_add(rows as u64, Ordering::Relaxed);
        self.shared.row_groups.fetch_add(1, Ordering::Relaxed);
        self.shared.rows_durable.store(
            self.finished_rows + writer.durable_rows(),
            Ordering::Relaxed,
        );
        self.file_rows += rows as u64;
        self.batch.clear();
        if self.should_rotate(after) {
            self.close_file()?;
        }
        Ok(())
    }

    fn should_rotate(&self, file_bytes: u64) -> bool {
        self.config.rotate_rows.is_some_and(|m| self.file_rows >= m)
            || self.config.rotate_bytes.is_some_and(|m| file_bytes >= m)
            || self
                .config
                .rotate_age
                .is_some_and(|m| self.file_opened.elapsed() >= m)
    }

    fn due(&self) -> bool {
        self.config
            .flush_interval
            .zip(self.batch.started)
            .is_some_and(|(interval, started)| started.elapsed() >= interval)
    }

    fn step(&mut self) -> Result<usize> {
        self.refresh_rings();
        let n = self.drain_once(None)?;
        if self.due() {
            self.write_batch()?;
        }
        // Age rotation also closes a file that stopped receiving data.
        if self.file.is_some()
            && self.file_rows > 0
            && self
                .config
                .rotate_age
                .is_some_and(|m| self.file_opened.elapsed() >= m)
        {
            self.write_batch()?;
            self.close_file()?;
        }
        self.retire_abandoned();
        Ok(n)
    }

    /// Records an I/O error and stops accepting records. The current file is finished with its
    /// complete row groups; the pending batch is kept for the next file. With rotation, the next
    /// file is tried after the back-off; without, the failure is final.
    fn fail(&mut self, error: Error) {
        // CLOSED stays CLOSED: close() may fail over to new files itself.
        let _ = self.shared.state.compare_exchange(
            RUNNING,
            FAILED,
            Ordering::AcqRel,
            Ordering::Relaxed,
        );
        self.shared.io_errors.fetch_add(1, Ordering::Relaxed);
        *self.shared.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
        if self.file.is_some() {
            // Counted in files_failed if even that fails; the first error is the one reported.
            let _ = self.close_file();
        }
        if self.rotating() {
            self.retry_at = Some(Instant::now() + self.backoff);
            self.backoff = (self.backoff * 2).min(MAX_RETRY_BACKOFF.max(self.config.retry_backoff));
        }
    }

    /// Opens the next file after a failure, counting the retry.
    fn reopen(&mut self) -> Result<()> {
        self.open_file()?;
        self.backoff = self.config.retry_backoff;
        self.shared.retries.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Opens the next file after a failure; on success records are accepted again.
    fn retry(&mut self) -> bool {
        self.retry_at = None;
        match self.reopen() {
            Ok(()) => {
                // Only the worker leaves FAILED, and close() runs on the worker: no race with it.
                self.shared.state.store(RUNNING, Ordering::Release);
                true
            }
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// The recorded error that made the sink fail.
    fn failure(&self) -> Error {
        self.shared
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| Error::internal("sink failed"))
    }

    fn run(mut self, control: Receiver<Control>) {
        let mut idle = 0u32;
        loop {
            match control.try_recv() {
                Ok(Control::Flush(reply)) => {
                    let result = match self.shared.state.load(Ordering::Relaxed) {
                        FAILED => Err(self.failure()),
                        _ => self.flush(),
                    };
                    let _ = reply.send(result);
                    continue;
                }
                Ok(Control::Close(reply)) => {
                    let _ = reply.send(self.shutdown());
                    return;
                }
                Err(_) => {}
            }
            if self.shared.state.load(Ordering::Relaxed) == FAILED {
                match self.retry_at {
                    Some(at) if Instant::now() >= at => {
                        self.retry();
                    }
                    Some(at) => std::thread::park_timeout(
                        at.saturating_duration_since(Instant::now())
                            .min(Duration::from_millis(10)),
                    ),
                    None => std::thread::park_timeout(Duration::from_millis(10)),
                }
                continue;
            }
            match self.step() {
                Ok(0) => {
                    idle = idle.saturating_add(1);
                    backoff(idle);
                }
                Ok(_) => idle = 0,
                Err(e) => self.fail(e),
            }
        }
    }

    fn flush(&mut self) -> Result<()> {
        let result = self.drain_all().and_then(|()| self.write_batch());
        result.inspect_err(|e| self.fail(e.clone()))
    }

    /// Everything published so far into the file, then its footer.
    fn final_drain(&mut self) -> Result<()> {
        self.drain_all()
            .and_then(|()| self.write_batch())
            .and_then(|()| self.close_file())
    }

    fn shutdown(&mut self) -> Result<()> {
        // Producers see CLOSED and stop pushing; whatever they published before is drained.
        let was = self.shared.state.swap(CLOSED, Ordering::AcqRel);
        // A failed sink that rotates gets one last attempt at a new file for what it holds.
        let resumed = was == FAILED && self.retry_at.is_some() && self.reopen().is_ok();
        let mut result = if was == FAILED && !resumed {
            Err(self.failure())
        } else {
            self.final_drain()
        };
        // A rotating sink whose last writes fail moves to a new file at once, for as long as
        // each file takes some of what is left (a full file), and up to three times in a row
        // when none does.
        let mut fruitless = 0;
        while self.rotating() && (resumed || was != FAILED) && fruitless < 3 {
            let Err(e) = &result else { break };
            self.fail(e.clone());
            let before = self.shared.rows_written.load(Ordering::Relaxed);
            result = self.reopen().and_then(|()| self.final_drain());
            let progressed = self.shared.rows_written.load(Ordering::Relaxed) > before;
            fruitless = if progressed { 0 } else { fruitless + 1 };
        }
        let already_reported = was == FAILED && !resumed;
        let result = result.map_err(|e| {
            if !already_reported {
                self.shared.io_errors.fetch_add(1, Ordering::Relaxed);
            }
            let _ = self.close_file();
            let lost = self.discard_pending();
            let error = Error {
                kind: e.kind,
                message: format!("{e}; {lost} accepted records could not be written"),
            };
            *self.shared.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error.clone());
            error
        });
        self.retire_abandoned();
        result
    }
}

/// Spin, then yield, then sleep in short naps: latency when busy, no CPU when idle. Producers
/// never wake the worker, so the nap bounds how long a lone record waits in the ring.
fn backoff(idle: u32) {
    if idle < 64 {
        std::hint::spin_loop();
    } else if idle < 128 {
        std::thread::yield_now();
    } else {
        std::thread::park_timeout(Duration::from_micros(if idle < 1024 { 50 } else { 500 }));
    }
}

fn inprogress(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(INPROGRESS);
    PathBuf::from(s)
}

/// Expands `{seq}` and the UTC `%Y %m %d %H %M %S` fields (and `%%`) of a file-name pattern.
pub fn expand_pattern(pattern: &str, seq: u64, at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    let (hour, minute, second) = (rem / 3600, rem / 60 % 60, rem % 60);
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some('Y') => out.push_str(&format!("{year:04}")),
                Some('m') => out.push_str(&format!("{month:02}")),
                Some('d') => out.push_str(&format!("{day:02}")),
                Some('H') => out.push_str(&format!("{hour:02}")),
                Some('M') => out.push_str(&format!("{minute:02}")),
                Some('S') => out.push_str(&format!("{second:02}")),
                Some('%') => out.push('%'),
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            },
            '{' if pattern_has_seq_at(&mut chars) => out.push_str(&format!("{seq:06}")),
            _ => out.push(c),
        }
    }
    out
}

/// Consumes `seq}` after a `{` if that is what follows.
fn pattern_has_seq_at(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    let ahead: String = chars.clone().take(4).collect();
    if ahead == "seq}" {
        for _ in 0..4 {
            chars.next();
        }
        true
    } else {
        false
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_expand_time_and_seq() {
        // 2026-11-24T13:05:09Z
        let at = UNIX_EPOCH + Duration::from_secs(1_795_525_509);
        assert_eq!(
            expand_pattern(
                "cap/date=%Y-%m-%d/capture-%Y%m%dT%H%M%S-{seq}.parquet",
                7,
                at
            ),
            "cap/date=2026-11-24/capture-20261124T130509-000007.parquet"
        );
        assert_eq!(expand_pattern("a{se}%%b", 1, at), "a{se}%b");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn config_errors_are_explained() {
        let mut c = SinkConfig {
            path: "x.parquet".into(),
            rotate_rows: Some(10),
            ..SinkConfig::default()
        };
        assert!(validate(&c).unwrap_err().message.contains("{seq}"));
        c.rotate_rows = None;
        c.max_record_bytes = Some(1 << 30);
        assert!(validate(&c)
            .unwrap_err()
            .message
            .contains("raise ring_bytes"));
    }
}
