//! The worker thread: drains the rings fairly into row groups, writes and rotates files, and
//! moves the sink through its states on I/O errors (see `state.rs`).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::drain::{self, Batch, Fields, Slot, RING_BUDGET};
use super::files::{self, parent_dir, Pattern};
use super::options::{output_columns, output_writer_options, SinkConfig, MAX_RETRY_BACKOFF};
use super::producer::heavy_barrier;
use super::state::State;
use super::Shared;
use crate::clock::TscClock;
use crate::error::{Error, Result};
use crate::parquet::io::Storage;
use crate::parquet::{
    Column, ColumnInput, Durability, FileWriter, RecordColumns, RecordLayout, WriterOptions,
};

pub enum Control {
    Flush(Sender<Result<()>>),
    Close(Sender<Result<()>>),
}

/// The file being written.
struct OpenFile {
    writer: FileWriter,
    /// Final name (the file is written under `<name>.inprogress`).
    path: PathBuf,
    /// Rows in its complete row groups.
    rows: u64,
    opened: Instant,
}

/// One series of files: the payload column's, or one table's. Each has its own row groups,
/// files and rotation.
pub struct Output {
    /// The table whose records it holds; `None`: the payload column.
    table: Option<RecordLayout>,
    columns: Vec<Column>,
    /// The files' writer options (`output_writer_options`).
    writer_options: WriterOptions,
    pattern: Pattern,
    next_seq: u64,
    /// A table's records transposed into its columns, reused from row group to row group.
    transposed: RecordColumns,
    file: Option<OpenFile>,
    /// Rows in files finished and renamed.
    finished_rows: u64,
}

impl Output {
    /// The output of `table` (`None`: the payload column) whose files continue after `next_seq`.
    pub fn new(config: &SinkConfig, table: Option<&RecordLayout>, next_seq: u64) -> Output {
        Output {
            columns: output_columns(config, table),
            writer_options: output_writer_options(config, table),
            pattern: Pattern::new(&config.output_path(table)),
            next_seq,
            transposed: RecordColumns::default(),
            file: None,
            finished_rows: 0,
            table: table.cloned(),
        }
    }

    fn file_rows(&self) -> u64 {
        self.file.as_ref().map_or(0, |f| f.rows)
    }

    /// Rows crash-safe in this output: in finished files and the open file's last checkpoint.
    fn durable_rows(&self) -> u64 {
        self.finished_rows + self.file.as_ref().map_or(0, |f| f.writer.durable_rows())
    }
}

pub struct Worker {
    config: SinkConfig,
    shared: Arc<Shared>,
    fields: Fields,
    storage: Arc<dyn Storage>,
    slots: Vec<Slot>,
    generation: u64,
    outputs: Vec<Output>,
    /// Each output's rows for its next row group (`batches[t]` is `outputs[t]`'s).
    batches: Vec<Batch>,
    /// Rows each output's batch may still take in the current drain (see `room`).
    room: Vec<usize>,
    /// Row groups attempted over the sink's life (the panic test hook counts these).
    row_groups_started: u64,
    /// While backing off: when to try the next file.
    retry_at: Option<Instant>,
    backoff: Duration,
    /// Converts counter ticks in `recv_ts` to nanoseconds; resynced as the worker goes.
    clock: Option<TscClock>,
}

impl Worker {
    pub fn new(
        config: SinkConfig,
        shared: Arc<Shared>,
        outputs: Vec<Output>,
        extra_len: usize,
        clock: Option<TscClock>,
    ) -> Worker {
        Worker {
            room: vec![0; outputs.len()],
            batches: outputs
                .iter()
                .map(|o| Batch::new(o.table.as_ref().map_or(0, |t| t.record_bytes as usize)))
                .collect(),
            outputs,
            fields: Fields {
                recv_ts: config.recv_ts,
                recv_ts_divisor: config.recv_ts_unit.nanos(),
                seq: config.seq,
                producer_id: config.producer_id,
                extra_len,
            },
            storage: config.writer.storage.clone(),
            shared,
            slots: Vec::new(),
            generation: u64::MAX,
            row_groups_started: 0,
            retry_at: None,
            backoff: config.retry_backoff,
            clock,
            config,
        }
    }

    /// Opens a file for every output that has none.
    pub fn open_files(&mut self) -> Result<()> {
        for t in 0..self.outputs.len() {
            if self.outputs[t].file.is_none() {
                self.open_file(t)?;
            }
        }
        Ok(())
    }

    /// Start-up failed: removes the files opened so far (they hold nothing).
    pub fn remove_open_files(&mut self) {
        for out in &mut self.outputs {
            if let Some(file) = out.file.take() {
                let temp = file.writer.path().to_path_buf();
                drop(file);
                let _ = self.storage.remove_file(&temp);
            }
        }
    }

    fn open_file(&mut self, t: usize) -> Result<()> {
        let sync = self.config.writer.durability == Durability::Sync;
        let out = &mut self.outputs[t];
        let created = files::create_next(&self.storage, &out.pattern, out.next_seq, sync)?;
        out.next_seq = created.seq + 1;
        let temp = created.inprogress.clone();
        let writer = FileWriter::with_file(
            created.file,
            created.inprogress,
            out.columns.clone(),
            out.writer_options.clone(),
        )
        .inspect_err(|_| {
            let _ = self.storage.remove_file(&temp);
        })?;
        out.file = Some(OpenFile {
            writer,
            path: created.path,
            rows: 0,
            opened: Instant::now(),
        });
        self.shared.totals().files += 1;
        Ok(())
    }

    /// Writes the footer and renames the file to its final name. After a failed row group the
    /// writer cuts it off, so the file is still finished with the row groups before it. A file
    /// that cannot be finished is counted in `files_failed` and its rows move to `rows_lost`; a
    /// failed file that never got a complete row group is removed.
    fn close_file(&mut self, t: usize) -> Result<()> {
        let Some(mut file) = self.outputs[t].file.take() else {
            return Ok(());
        };
        let writer = &mut file.writer;
        let before = writer.bytes_written();
        let closed = writer.close().map(|_| ());
        let wrote = writer.bytes_written().saturating_sub(before);
        let temp = writer.path().to_path_buf();
        let durability = self.config.writer.durability;
        let (result, failed) = if closed.is_err() && writer.row_groups_written() == 0 {
            // Nothing of value in it: leave no stray `.inprogress` behind (a full disk would
            // otherwise leave one per retry).
            let _ = self.storage.remove_file(&temp);
            (closed, true)
        } else if writer.closed_valid() {
            let renamed = self
                .storage
                .rename_noreplace(&temp, &file.path)
                .map_err(|e| Error::io("cannot rename", &temp, &e))
                .and_then(|()| {
                    if durability != Durability::Sync {
                        return Ok(());
                    }
                    let dir = parent_dir(&file.path);
                    self.storage
                        .sync_dir(dir)
                        .map_err(|e| Error::io("cannot sync directory", dir, &e))
                });
            let failed = renamed.is_err();
            (closed.and(renamed), failed)
        } else {
            (closed, true)
        };
        // Rows the file does not hold after all: all of them if it could not be finished, else
        // those a repair had to cut (a full disk leaves no room for the footer).
        let kept = writer.rows_written();
        let gone = if failed {
            file.rows
        } else {
            self.outputs[t].finished_rows += kept;
            file.rows - kept.min(file.rows)
        };
        let durable = self.durable_rows();
        let mut totals = self.shared.totals();
        totals.bytes_written += wrote;
        totals.files_failed += failed as u64;
        totals.rows_written -= gone;
        totals.rows_lost += gone;
        totals.rows_durable = durable;
        result
    }

    /// Closes every output's file; the first error is returned.
    fn close_files(&mut self) -> Result<()> {
        let mut result = Ok(());
        for t in 0..self.outputs.len() {
            let closed = self.close_file(t);
            if result.is_ok() {
                result = closed;
            }
        }
        result
    }

    fn durable_rows(&self) -> u64 {
        self.outputs.iter().map(Output::durable_rows).sum()
    }

    /// Accepted records that can no longer be written: the pending batch and everything
    /// published to the rings. Counted as lost.
    fn discard_pending(&mut self) -> u64 {
        let mut lost = 0;
        for batch in &mut self.batches {
            lost += batch.rows() as u64;
            batch.clear();
        }
        self.refresh_rings();
        for slot in &mut self.slots {
            lost += drain::discard(slot, self.fields.extra_len);
        }
        self.shared.totals().rows_lost += lost;
        lost
    }

    fn refresh_rings(&mut self) {
        let generation = self.shared.generation.load(Ordering::Acquire);
        if generation == self.generation {
            return;
        }
        self.generation = generation;
        let mut registry = self.shared.registry();
        for (consumer, id) in registry.pending.drain(..) {
            self.slots.push(Slot {
                consumer,
                id,
                last_ticks_ns: i64::MIN,
            });
        }
    }

    /// Forgets rings whose producer is gone and that are fully drained; their counts move to
    /// the retired totals (under the registry's lock, so stats never count them twice or not
    /// at all).
    fn retire_abandoned(&mut self) {
        let shared = &self.shared;
        self.slots.retain(|slot| {
            let ring = slot.consumer.ring();
            let done = ring.abandoned.load(Ordering::Acquire) && slot.consumer.is_drained();
            if done {
                shared.registry().retire(ring);
            }
            !done
        });
    }

    /// Rows output `t`'s current row group may still take: up to row_group_rows, and no more
    /// than its current file may hold before rotating by rows.
    fn room(&self, t: usize) -> usize {
        let out = &self.outputs[t];
        let rows = self.batches[t].rows();
        let mut room = self.config.row_group_rows - rows;
        if let Some(max) = self.config.rotate_rows {
            let left = max.saturating_sub(out.file_rows()) as usize;
            room = room.min(left.saturating_sub(rows));
        }
        room
    }

    /// Writes the batches that have no room left: a full batch is written now, not when the
    /// next record arrives.
    fn write_full_batches(&mut self) -> Result<()> {
        for t in 0..self.outputs.len() {
            if self.room(t) == 0 {
                self.write_batch(t)?;
            }
        }
        Ok(())
    }

    /// One pass over the rings, each giving at most `RING_BUDGET` records (and none past its
    /// target, if given); writes row groups as they fill. Returns the records taken.
    fn drain_pass(&mut self, targets: Option<&[u64]>) -> Result<usize> {
        let mut total = 0;
        for i in 0..self.slots.len() {
            let mut budget = RING_BUDGET.min(self.config.row_group_rows);
            while budget > 0 {
                if let Some(&target) = targets.and_then(|t| t.get(i)) {
                    if self.slots[i].consumer.position() >= target {
                        break;
                    }
                }
                for t in 0..self.outputs.len() {
                    self.room[t] = self.room(t);
                }
                let taken = drain::take(
                    &mut self.slots[i],
                    &mut self.batches,
                    &mut self.room,
                    budget,
                    self.fields,
                    self.clock.as_ref(),
                );
                total += taken.records;
                let asked = budget;
                budget -= taken.records;
                if let Some(t) = taken.full {
                    self.write_batch(t)?;
                } else if taken.records < asked {
                    break; // the ring is empty
                }
            }
        }
        self.write_full_batches()?;
        Ok(total)
    }

    /// Drains every ring up to what was published when the call began.
    fn drain_all(&mut self) -> Result<()> {
        self.refresh_rings();
        let targets: Vec<u64> = self
            .slots
            .iter()
            .map(|s| s.consumer.ring().published())
            .collect();
        while self
            .slots
            .iter()
            .zip(&targets)
            .any(|(s, &t)| s.consumer.position() < t)
        {
            self.drain_pass(Some(&targets))?;
        }
        Ok(())
    }

    /// Writes output `t`'s batch as a row group (opening a file first if it has none).
    fn write_batch(&mut self, t: usize) -> Result<()> {
        let rows = self.batches[t].rows();
        if rows == 0 {
            return Ok(());
        }
        if !self.config.worker_delay.is_zero() {
            std::thread::sleep(self.config.worker_delay);
        }
        if self.config.panic_at_row_group == Some(self.row_groups_started) {
            panic!(
                "test hook: worker panic before row group {}",
                self.row_groups_started
            );
        }
        if self.outputs[t].file.is_none() {
            self.open_file(t)?;
        }
        self.row_groups_started += 1;
        let b = &self.batches[t];
        let out = &mut self.outputs[t];
        let mut inputs = Vec::with_capacity(out.columns.len());
        match &out.table {
            Some(table) => {
                out.transposed.fill(table, &b.payload);
                inputs.extend(out.transposed.inputs());
            }
            None => inputs.push(ColumnInput {
                values: &b.payload,
                offsets: Some(&b.offsets),
                plain_encoded: true,
                ..Default::default()
            }),
        }
        if self.config.recv_ts {
            inputs.push(ColumnInput::new(as_bytes(&b.recv_ts)));
        }
        if self.config.producer_id {
            inputs.push(ColumnInput::new(as_bytes(&b.producer_id)));
        }
        if self.config.seq {
            inputs.push(ColumnInput::new(as_bytes(&b.seq)));
        }
        let file = out.file.as_mut().expect("opened above");
        let (rows_before, bytes_before) = (file.writer.rows_written(), file.writer.bytes_written());
        let result = file.writer.write_row_group(rows, &inputs);
        // The row group is in the file even when the checkpoint after it failed: it must not be
        // written again into the next file.
        let committed = file.writer.rows_written() > rows_before;
        let bytes_after = file.writer.bytes_written();
        if committed {
            file.rows += rows as u64;
            self.batches[t].clear();
        }
        let durable = self.durable_rows();
        {
            let mut totals = self.shared.totals();
            totals.bytes_written += bytes_after - bytes_before;
            if committed {
                totals.rows_written += rows as u64;
                totals.row_groups += 1;
                totals.rows_durable = durable;
            }
        }
        result?;
        if self.should_rotate(t, bytes_after) {
            self.close_file(t)?;
        }
        Ok(())
    }

    /// Writes every output's batch.
    fn write_batches(&mut self) -> Result<()> {
        for t in 0..self.outputs.len() {
            self.write_batch(t)?;
        }
        Ok(())
    }

    fn should_rotate(&self, t: usize, file_bytes: u64) -> bool {
        let Some(file) = &self.outputs[t].file else {
            return false;
        };
        self.config.rotate_rows.is_some_and(|m| file.rows >= m)
            || self.config.rotate_bytes.is_some_and(|m| file_bytes >= m)
            || self
                .config
                .rotate_age
                .is_some_and(|m| file.opened.elapsed() >= m)
    }

    /// Whether output `t`'s batch waited `flush_interval` since its first record.
    fn due(&self, t: usize) -> bool {
        self.config
            .flush_interval
            .zip(self.batches[t].started)
            .is_some_and(|(interval, started)| started.elapsed() >= interval)
    }

    fn step(&mut self) -> Result<usize> {
        if let Some(clock) = self.clock.as_mut().filter(|c| c.due()) {
            clock.resync();
        }
        self.refresh_rings();
        let n = self.drain_pass(None)?;
        for t in 0..self.outputs.len() {
            if self.due(t) {
                self.write_batch(t)?;
            }
            // Age rotation also closes a file that stopped receiving data.
            let aged = self.outputs[t].file.as_ref().is_some_and(|f| {
                f.rows > 0
                    && self
                        .config
                        .rotate_age
                        .is_some_and(|m| f.opened.elapsed() >= m)
            });
            if aged {
                self.write_batch(t)?;
                self.close_file(t)?;
            }
        }
        self.retire_abandoned();
        Ok(n)
    }

    /// Records an I/O error and stops accepting records. The current file is finished with its
    /// complete row groups; the pending batch is kept for the next file. With rotation, the next
    /// file is tried after the back-off; without, the failure is final.
    fn fail(&mut self, error: Error) {
        let rotating = self.config.rotating();
        self.shared.state.set_unless_closed(if rotating {
            State::BackingOff
        } else {
            State::Failed
        });
        self.shared.totals().io_errors += 1;
        self.shared.set_error(error);
        // Counted in files_failed if even that fails; the first error is the one reported.
        let _ = self.close_files();
        if rotating {
            self.retry_at = Some(Instant::now() + self.backoff);
            self.backoff = (self.backoff * 2).min(MAX_RETRY_BACKOFF.max(self.config.retry_backoff));
        }
    }

    /// Opens the next file after a failure, counting the retry.
    fn reopen(&mut self) -> Result<()> {
        self.open_files()?;
        self.backoff = self.config.retry_backoff;
        self.shared.totals().retries += 1;
        Ok(())
    }

    /// Opens the next file after a failure; on success records are accepted again.
    fn retry(&mut self) {
        self.retry_at = None;
        match self.reopen() {
            Ok(()) => self.shared.state.resume(),
            Err(e) => self.fail(e),
        }
    }

    pub fn run(&mut self, control: &Receiver<Control>) {
        let mut idle = 0u32;
        loop {
            // Control requests are served at least once per pass over the rings.
            loop {
                match control.try_recv() {
                    Ok(Control::Flush(reply)) => {
                        let _ = reply.send(self.flush());
                    }
                    Ok(Control::Close(reply)) => {
                        let _ = reply.send(self.shutdown());
                        return;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        let _ = self.shutdown();
                        return;
                    }
                }
            }
            match self.shared.state.get() {
                State::Running => match self.step() {
                    Ok(0) => {
                        idle = idle.saturating_add(1);
                        backoff(idle);
                    }
                    Ok(_) => idle = 0,
                    Err(e) => self.fail(e),
                },
                State::BackingOff => match self.retry_at {
                    Some(at) if Instant::now() >= at => self.retry(),
                    Some(at) => std::thread::park_timeout(
                        at.saturating_duration_since(Instant::now())
                            .min(Duration::from_millis(10)),
                    ),
                    None => std::thread::park_timeout(Duration::from_millis(10)),
                },
                State::Failed | State::Closed => {
                    std::thread::park_timeout(Duration::from_millis(10))
                }
            }
        }
    }

    /// After a panic in `run`: the sink is failed for good. Serves requests (each failing) until
    /// close, then counts what it still held as lost.
    pub fn run_after_panic(&mut self, control: &Receiver<Control>, message: String) {
        self.shared.state.set_unless_closed(State::Failed);
        self.shared.set_error(Error::internal(format!(
            "internal error: the sink's worker panicked ({message}); records accepted after the last row group written are counted in rows_lost"
        )));
        loop {
            match control.recv() {
                Ok(Control::Flush(reply)) => {
                    let _ = reply.send(Err(self.shared.failure()));
                }
                Ok(Control::Close(reply)) => {
                    let _ = reply.send(self.finish_failed());
                    return;
                }
                Err(_) => {
                    let _ = self.finish_failed();
                    return;
                }
            }
        }
    }

    fn finish_failed(&mut self) -> Result<()> {
        self.shared.state.close();
        self.wait_for_producers();
        let _ = self.close_files();
        let lost = self.discard_pending();
        self.retire_abandoned();
        let e = self.shared.failure();
        Err(Error {
            kind: e.kind,
            message: format!("{e}; {lost} accepted records could not be written"),
        })
    }

    fn flush(&mut self) -> Result<()> {
        match self.shared.state.get() {
            State::BackingOff | State::Failed => return Err(self.shared.failure()),
            State::Running | State::Closed => {}
        }
        let result = self.drain_all().and_then(|()| self.write_batches());
        result.inspect_err(|e| self.fail(e.clone()))
    }

    /// Everything published so far into the file, then its footer.
    fn final_drain(&mut self) -> Result<()> {
        self.drain_all()
            .and_then(|()| self.write_batches())
            .and_then(|()| self.close_files())
    }

    /// After the state is `Closed`: makes every record a producer published (or is publishing)
    /// visible to the final drain. See `producer.rs` for the handshake.
    fn wait_for_producers(&mut self) {
        heavy_barrier();
        self.refresh_rings();
        for slot in &self.slots {
            let busy = slot.consumer.ring().busy();
            let mut spins = 0u32;
            while busy.load(Ordering::Acquire) != 0 {
                spins += 1;
                if spins < 64 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        }
    }

    fn shutdown(&mut self) -> Result<()> {
        // Producers see Closed and stop pushing; whatever they published before is drained.
        let was = self.shared.state.close();
        self.wait_for_producers();
        // A sink backing off after an error gets one last attempt at a new file for what it holds.
        let resumed = was == State::BackingOff && self.reopen().is_ok();
        let failed_before = matches!(was, State::Failed) || (was == State::BackingOff && !resumed);
        let mut result = if failed_before {
            Err(self.shared.failure())
        } else {
            self.final_drain()
        };
        // A rotating sink whose last writes fail moves to a new file at once, for as long as
        // each file takes some of what is left (a full file), and up to three times in a row
        // when none does.
        let mut fruitless = 0;
        while self.config.rotating() && !failed_before && fruitless < 3 {
            let Err(e) = &result else { break };
            self.fail(e.clone());
            let before = self.shared.totals().rows_written;
            result = self.reopen().and_then(|()| self.final_drain());
            let progressed = self.shared.totals().rows_written > before;
            fruitless = if progressed { 0 } else { fruitless + 1 };
        }
        let result = result.map_err(|e| {
            if !failed_before {
                self.shared.totals().io_errors += 1;
            }
            let _ = self.close_files();
            let lost = self.discard_pending();
            let error = Error {
                kind: e.kind,
                message: format!("{e}; {lost} accepted records could not be written"),
            };
            self.shared.set_error(error.clone());
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

fn as_bytes<T: Copy>(v: &[T]) -> &[u8] {
    // SAFETY: i32/i64 slices viewed as their little-endian bytes; u8 has no alignment needs.
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, std::mem::size_of_val(v)) }
}
