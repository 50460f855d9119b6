//! The sink's data rules, each proven where it could break: files never clobber and restarts
//! continue the series, abandoned files are recovered at start, rings are drained fairly, a
//! failed checkpoint does not duplicate rows, row groups are as large as asked, a failed file
//! leaves nothing behind, a worker panic loses nothing silently, stats never go backwards,
//! close() never misses a racing record, and Durability::Sync orders data before footers.
//!
//! Row counts are read from the files' own footers (`recover` on a finished file changes
//! nothing and reports its rows); the C++ suite checks values with pyarrow and DuckDB.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use parquet_flow_core::parquet::io::{FaultyStorage, OutputFile, Storage};
use parquet_flow_core::parquet::{
    recover, Column, ColumnInput, Durability, Encoding, FieldType, FileWriter, PhysicalType,
    RecordField, RecordLayout, Repetition, WriterOptions,
};
use parquet_flow_core::sink::{Overflow, Sink, SinkConfig, SinkStats};

mod common;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pf-sink-rules-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Finished and in-progress files under `dir`, sorted.
fn files(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut done = Vec::new();
    let mut inprogress = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".inprogress") {
            inprogress.push(p);
        } else {
            done.push(p);
        }
    }
    done.sort();
    inprogress.sort();
    (done, inprogress)
}

/// Rows in a finished file, from its footer.
fn rows_in(path: &Path) -> u64 {
    let r = recover(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(r.was_complete, "{} was not finished", path.display());
    r.rows
}

fn total_rows(dir: &Path) -> u64 {
    files(dir).0.iter().map(|p| rows_in(p)).sum()
}

fn config(dir: &Path, pattern: &str) -> SinkConfig {
    SinkConfig {
        path: dir.join(pattern).to_string_lossy().into_owned(),
        ring_bytes: 1 << 16,
        flush_interval: None,
        retry_backoff: Duration::from_millis(5),
        ..SinkConfig::default()
    }
}

/// Records `n` records of 16 bytes; returns how many were accepted.
fn record(sink: &Sink, n: usize) -> u64 {
    let mut p = sink.producer().unwrap();
    let mut accepted = 0;
    for i in 0..n {
        let mut spins = 0;
        while !p.try_record(&(i as u128).to_le_bytes()) {
            spins += 1;
            assert!(spins < 10_000_000, "the ring never drained");
            std::thread::yield_now();
        }
        accepted += 1;
    }
    accepted
}

fn assert_balanced(s: &SinkStats) {
    assert_eq!(s.accepted, s.rows_written + s.rows_lost, "{s:?}");
    assert_eq!(s.attempted, s.accepted + s.dropped(), "{s:?}");
}

#[test]
fn a_restart_continues_the_series_and_never_overwrites() {
    let dir = temp_dir("restart");
    let c = SinkConfig {
        rotate_rows: Some(1000),
        row_group_rows: 500,
        ..config(&dir, "cap-{seq}.parquet")
    };
    for run in 1..=2u64 {
        let mut sink = Sink::open(c.clone()).unwrap();
        assert_eq!(record(&sink, 2500), 2500);
        sink.close().unwrap();
        let s = sink.stats();
        assert_eq!((s.rows_written, s.files), (2500, 3));
        let (done, inprogress) = files(&dir);
        assert!(inprogress.is_empty());
        assert_eq!(done.len() as u64, 3 * run);
        assert_eq!(
            total_rows(&dir),
            2500 * run,
            "every row of every run is there"
        );
    }
    let names: Vec<String> = files(&dir)
        .0
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names[3], "cap-000003.parquet", "{names:?}");
    // A fixed path that exists is refused, never replaced.
    let fixed = config(&dir, "cap-000000.parquet");
    let before = std::fs::read(dir.join("cap-000000.parquet")).unwrap();
    let e = Sink::open(fixed).err().expect("refused");
    assert!(e.message.contains("never overwrites"), "{e}");
    assert_eq!(
        std::fs::read(dir.join("cap-000000.parquet")).unwrap(),
        before
    );
}

/// A file left by a crash: row groups with checkpoints, then a torn tail. PLAIN payloads, as the
/// sink writes them, so every row group outweighs the footer and gets its checkpoint.
fn abandoned_file(path: &Path, rows_per_group: usize, groups: usize) {
    let options = WriterOptions {
        durability: Durability::RowGroup,
        column_encodings: vec![("payload".into(), Encoding::Plain)],
        ..WriterOptions::default()
    };
    let columns = vec![Column::new(
        "payload",
        PhysicalType::ByteArray,
        Repetition::Required,
    )];
    let mut w = FileWriter::create(path, columns, options).unwrap();
    let values: Vec<u8> = (0..rows_per_group)
        .flat_map(|_| *b"0123456789abcdef")
        .collect();
    let offsets: Vec<u32> = (0..=rows_per_group as u32).map(|i| i * 16).collect();
    for _ in 0..groups {
        let input = ColumnInput {
            values: &values,
            offsets: Some(&offsets),
            ..Default::default()
        };
        w.write_row_group(rows_per_group, &[input]).unwrap();
    }
    // The process dies here: no close; a partial row group follows the last checkpoint.
    std::mem::forget(w);
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(&[0x15, 0x00, 0x15, 0x80, 0x01, 0x2c, 1, 2, 3])
        .unwrap();
}

#[test]
fn abandoned_files_are_recovered_at_start_and_unrecoverable_ones_left_alone() {
    let dir = temp_dir("startup");
    abandoned_file(&dir.join("cap-000004.parquet.inprogress"), 300, 2);
    std::fs::write(dir.join("cap-000007.parquet.inprogress"), b"PAR1 torn").unwrap();
    let c = SinkConfig {
        rotate_rows: Some(1000),
        ..config(&dir, "cap-{seq}.parquet")
    };
    let mut sink = Sink::open(c.clone()).unwrap();
    let s = sink.stats();
    assert_eq!(
        (s.files_recovered, s.rows_recovered, s.files_unrecoverable),
        (1, 600, 1)
    );
    let e = sink.error().expect("the unrecoverable file is reported");
    assert!(e.message.contains("cap-000007.parquet.inprogress"), "{e}");
    record(&sink, 10);
    sink.close().unwrap();
    assert_eq!(rows_in(&dir.join("cap-000004.parquet")), 600);
    assert_eq!(
        rows_in(&dir.join("cap-000008.parquet")),
        10,
        "after the highest seq"
    );
    assert_eq!(
        std::fs::read(dir.join("cap-000007.parquet.inprogress")).unwrap(),
        b"PAR1 torn",
        "left untouched"
    );
    // Turned off: nothing is touched.
    abandoned_file(&dir.join("cap-000020.parquet.inprogress"), 10, 1);
    let mut sink = Sink::open(SinkConfig {
        recover_at_start: false,
        ..c
    })
    .unwrap();
    assert_eq!(sink.stats().files_recovered, 0);
    sink.close().unwrap();
    assert!(dir.join("cap-000020.parquet.inprogress").exists());
    assert!(dir.join("cap-000021.parquet").exists());
}

#[test]
fn two_sinks_on_one_pattern_never_touch_each_others_files() {
    let dir = temp_dir("two");
    let c = SinkConfig {
        rotate_rows: Some(700),
        row_group_rows: 350,
        writer: durability_row_group(),
        ..config(&dir, "cap-{seq}.parquet")
    };
    let mut a = Sink::open(c.clone()).unwrap();
    // B starts while A holds its open file: A's file is live (locked), not abandoned.
    let mut b = Sink::open(c.clone()).unwrap();
    assert_eq!(b.stats().files_recovered, 0);
    let (ta, tb) = std::thread::scope(|s| {
        let ta = s.spawn(|| record(&a, 5000));
        let tb = s.spawn(|| record(&b, 3000));
        (ta.join().unwrap(), tb.join().unwrap())
    });
    a.close().unwrap();
    b.close().unwrap();
    let (sa, sb) = (a.stats(), b.stats());
    assert_eq!((sa.rows_written, sb.rows_written), (ta, tb));
    let (done, inprogress) = files(&dir);
    assert!(inprogress.is_empty(), "{inprogress:?}");
    assert_eq!(done.len() as u64, sa.files + sb.files);
    assert_eq!(total_rows(&dir), ta + tb);
}

fn durability_row_group() -> WriterOptions {
    WriterOptions {
        durability: Durability::RowGroup,
        ..WriterOptions::default()
    }
}

#[test]
fn a_ring_holding_more_than_a_row_group_does_not_starve_the_others() {
    let dir = temp_dir("fair");
    let c = SinkConfig {
        ring_bytes: 4096,
        row_group_rows: 64,
        worker_delay: Duration::from_millis(1),
        flush_interval: Some(Duration::from_millis(5)),
        ..config(&dir, "fair.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        // A keeps its ring full (128 frames, two row groups) all the time.
        let flood = s.spawn(|| {
            let mut p = sink.producer().unwrap();
            while !stop.load(Ordering::Relaxed) {
                p.try_record(&[7u8; 24]);
            }
        });
        std::thread::sleep(Duration::from_millis(20));
        let mut slow = sink.producer().unwrap();
        let mut dropped = 0;
        for i in 0..300u32 {
            if !slow.try_record(&i.to_le_bytes()) {
                dropped += 1;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = &sink;
        s.spawn(move || {
            let started = Instant::now();
            sink.flush().unwrap();
            let _ = tx.send(started.elapsed());
        });
        let took = rx.recv_timeout(Duration::from_secs(10));
        // Stop the flood before asserting, so a failure ends the test instead of hanging it.
        stop.store(true, Ordering::Relaxed);
        flood.join().unwrap();
        assert_eq!(dropped, 0, "the slow producer's ring was not served");
        let took = took.expect("flush() did not return while one ring stayed full");
        assert!(took < Duration::from_secs(2), "flush took {took:?}");
    });
    sink.close().unwrap();
    assert_balanced(&sink.stats());
}

/// A sink whose first row group meets the fault `storage` was armed with: records 50, waits
/// until it resumed on a new file, records 50 more, closes. Every row must be in the files once.
fn fail_once_then_resume(name: &str, storage: Arc<FaultyStorage>, durability: Durability) -> Sink {
    let dir = temp_dir(name);
    let c = SinkConfig {
        row_group_rows: 50,
        writer: WriterOptions {
            durability,
            storage: storage as Arc<dyn Storage>,
            ..WriterOptions::default()
        },
        ..config(&dir, "cap-{seq}.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    assert_eq!(record(&sink, 50), 50);
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.stats().retries == 0 {
        assert!(Instant::now() < deadline, "{:?}", sink.stats());
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(record(&sink, 50), 50);
    sink.close().unwrap();
    let s = sink.stats();
    assert_eq!(
        (s.io_errors, s.rows_written, s.rows_lost),
        (1, 100, 0),
        "{s:?}"
    );
    assert_eq!(total_rows(&dir), 100, "each row exactly once");
    sink
}

#[test]
fn a_row_group_whose_checkpoint_failed_is_not_written_again() {
    let storage = FaultyStorage::new();
    // Write 1 is the first row group (magic and pages, one buffered write), write 2 its
    // checkpoint footer.
    storage.fail_write_at(2);
    fail_once_then_resume("checkpoint", storage, Durability::RowGroup);
}

#[test]
fn a_failed_fdatasync_is_reported_and_loses_nothing() {
    let storage = FaultyStorage::new();
    // Sync 1 is the first row group's pages, before its footer.
    storage.fail_sync_at(1);
    let sink = fail_once_then_resume("fsync", storage.clone(), Durability::Sync);
    let e = sink.error().expect("the failed sync is reported");
    assert!(e.message.contains("cannot sync"), "{e}");
    // The failed one; the repair's pages and footer; the second file's pages and footer.
    assert_eq!(storage.syncs(), 5);
}

#[test]
fn sync_durability_syncs_the_directory_when_a_file_is_created_and_renamed() {
    for (durability, per_file) in [(Durability::Sync, 2), (Durability::RowGroup, 0)] {
        let dir = temp_dir(&format!("dirsync-{durability:?}"));
        let storage = FaultyStorage::new();
        let c = SinkConfig {
            row_group_rows: 50,
            rotate_rows: Some(100),
            writer: WriterOptions {
                durability,
                storage: storage.clone() as Arc<dyn Storage>,
                ..WriterOptions::default()
            },
            ..config(&dir, "cap-{seq}.parquet")
        };
        let mut sink = Sink::open(c).unwrap();
        assert_eq!(
            storage.dir_syncs(),
            per_file / 2,
            "the first file's entry is synced before it is written"
        );
        record(&sink, 300);
        sink.close().unwrap();
        assert_eq!(sink.stats().files, 3);
        assert_eq!(storage.dir_syncs(), 3 * per_file, "{durability:?}");
    }
}

#[test]
fn row_groups_are_as_large_as_asked_whatever_the_record_limit() {
    let dir = temp_dir("large");
    let c = SinkConfig {
        ring_bytes: 8 << 20,
        max_record_bytes: Some(1 << 20),
        row_group_rows: 100_000,
        ..config(&dir, "large.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    assert_eq!(record(&sink, 100_000), 100_000);
    sink.close().unwrap();
    let s = sink.stats();
    assert_eq!((s.rows_written, s.row_groups), (100_000, 1), "{s:?}");
}

#[test]
fn a_full_disk_leaves_no_stray_inprogress_files() {
    let dir = temp_dir("full");
    let storage = FaultyStorage::new();
    storage.disk_full_after(0);
    let c = SinkConfig {
        row_group_rows: 10,
        writer: WriterOptions {
            storage: storage.clone() as Arc<dyn Storage>,
            ..WriterOptions::default()
        },
        ..config(&dir, "cap-{seq}.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    let mut p = sink.producer().unwrap();
    for i in 0..10u64 {
        assert!(p.try_record(&i.to_le_bytes()));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.stats().io_errors < 4 {
        assert!(Instant::now() < deadline, "{:?}", sink.stats());
        std::thread::sleep(Duration::from_millis(5));
    }
    let e = sink.close().unwrap_err();
    assert!(e.message.contains("No space left"), "{e}");
    let s = sink.stats();
    assert_eq!((s.rows_written, s.rows_lost), (0, 10), "{s:?}");
    assert!(s.files >= 4 && s.files_failed == s.files, "{s:?}");
    let (done, inprogress) = files(&dir);
    assert!(
        done.is_empty() && inprogress.is_empty(),
        "{done:?} {inprogress:?}"
    );
    drop(p);
}

#[test]
fn a_worker_panic_fails_the_sink_and_counts_what_it_held() {
    let dir = temp_dir("panic");
    let c = SinkConfig {
        row_group_rows: 10,
        panic_at_row_group: Some(1),
        ..config(&dir, "panic.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    let mut p = sink.producer().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut i = 0u64;
    while p.try_record(&i.to_le_bytes()) {
        i += 1;
        assert!(
            Instant::now() < deadline,
            "the sink kept accepting after its worker died"
        );
        if i.is_multiple_of(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let e = sink.flush().unwrap_err();
    assert!(e.message.contains("panicked"), "{e}");
    let e = sink.close().unwrap_err();
    assert!(e.message.contains("panicked"), "{e}");
    let s = sink.stats();
    assert_balanced(&s);
    assert_eq!(s.rows_written, 10, "{s:?}");
    assert!(s.rows_lost >= 10 && s.dropped_failed >= 1, "{s:?}");
    assert_eq!(
        total_rows(&dir),
        10,
        "the first row group is in a finished file"
    );
}

#[test]
fn stats_never_go_backwards() {
    let dir = temp_dir("stats");
    let c = SinkConfig {
        max_producers: 8,
        ring_bytes: 4096,
        ..config(&dir, "stats.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let mut last = SinkStats::default();
            let mut reads = 0u64;
            while !done.load(Ordering::Relaxed) {
                let now = sink.stats();
                assert!(now.attempted >= last.attempted, "{last:?} -> {now:?}");
                assert!(now.accepted >= last.accepted, "{last:?} -> {now:?}");
                assert!(now.rows_written >= last.rows_written, "{last:?} -> {now:?}");
                last = now;
                reads += 1;
            }
            reads
        });
        // Short-lived producers: each ring is retired soon after its handle goes.
        let churn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for round in 0..200 {
                std::thread::scope(|inner| {
                    for _ in 0..2 {
                        inner.spawn(|| {
                            // Rings not yet retired still count against max_producers.
                            let mut p = loop {
                                match sink.producer() {
                                    Ok(p) => break p,
                                    Err(_) => std::thread::sleep(Duration::from_micros(100)),
                                }
                            };
                            for i in 0..20u32 {
                                p.try_record(&(round * 100 + i).to_le_bytes());
                            }
                        });
                    }
                });
            }
        }));
        done.store(true, Ordering::Relaxed);
        if let Err(panic) = churn {
            std::panic::resume_unwind(panic);
        }
        assert!(watcher.join().unwrap() > 100);
    });
    sink.close().unwrap();
    assert_balanced(&sink.stats());
}

#[test]
fn close_never_misses_a_record_accepted_while_it_ran() {
    let lost = common::race_close(&temp_dir("race"), 40);
    assert!(
        lost.is_empty(),
        "{} of 40 trials missed records: {lost:?}",
        lost.len()
    );
}

/// Records what reaches the "disk": runs of writes and the syncs between them.
#[derive(Debug, Default)]
struct Recording {
    events: Arc<Mutex<Vec<char>>>,
}

struct RecordingFile {
    file: std::fs::File,
    events: Arc<Mutex<Vec<char>>>,
}

impl Write for RecordingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.events.lock().unwrap().push('w');
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl OutputFile for RecordingFile {
    fn sync_data(&mut self) -> std::io::Result<()> {
        self.events.lock().unwrap().push('s');
        self.file.sync_data()
    }
    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        use std::io::Seek;
        self.file.set_len(len)?;
        self.file.seek(std::io::SeekFrom::Start(len))?;
        Ok(())
    }
    fn try_lock(&mut self) -> std::io::Result<bool> {
        Ok(true)
    }
}

impl Storage for Recording {
    fn create_new(&self, path: &Path) -> std::io::Result<Box<dyn OutputFile>> {
        self.create(path)
    }
    fn create(&self, path: &Path) -> std::io::Result<Box<dyn OutputFile>> {
        Ok(Box::new(RecordingFile {
            file: std::fs::File::create(path)?,
            events: self.events.clone(),
        }))
    }
    fn rename_noreplace(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::rename(from, to)
    }
    fn remove_file(&self, path: &Path) -> std::io::Result<()> {
        std::fs::remove_file(path)
    }
    fn create_dir_all(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)
    }
    fn sync_dir(&self, _dir: &Path) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn sync_durability_syncs_pages_before_the_footer_that_describes_them() {
    let dir = temp_dir("sync-order");
    let recording = Recording::default();
    let events = recording.events.clone();
    // PLAIN: every row group large enough for its own checkpoint (climbing values would be
    // DELTA-packed to a few hundred bytes, and checkpoints are spaced by data written).
    let options = WriterOptions {
        durability: Durability::Sync,
        storage: Arc::new(recording),
        column_encodings: vec![("n".into(), Encoding::Plain)],
        ..WriterOptions::default()
    };
    let columns = vec![Column::new("n", PhysicalType::Int64, Repetition::Required)];
    let mut w = FileWriter::create(dir.join("s.parquet"), columns, options).unwrap();
    let values: Vec<u8> = (0..50_000i64).flat_map(|v| v.to_le_bytes()).collect();
    for _ in 0..3 {
        w.write_row_group(50_000, &[ColumnInput::new(&values)])
            .unwrap();
    }
    w.close().unwrap();
    // Per checkpoint: the row group's pages, a sync, the footer, a sync. Never two runs of
    // writes (pages, then their footer) without a sync between them.
    let trace: String = events.lock().unwrap().iter().collect();
    let runs: Vec<&str> = trace.split('s').filter(|r| !r.is_empty()).collect();
    assert!(runs.iter().all(|r| r.chars().all(|c| c == 'w')), "{trace}");
    assert_eq!(trace.matches('s').count(), 6, "{trace}");
    assert_eq!(
        runs.len(),
        6,
        "pages and footers each synced on their own: {trace}"
    );
}

/// Overflow::Block: a producer far faster than its worker (a tiny ring, a worker that sleeps
/// before every row group) loses nothing; Overflow::Drop in the same setting drops.
#[test]
fn blocking_overflow_loses_nothing_behind_a_slow_worker() {
    for overflow in [Overflow::Block, Overflow::Drop] {
        let dir = temp_dir(&format!("overflow-{overflow:?}"));
        let c = SinkConfig {
            ring_bytes: 4096,
            row_group_rows: 100,
            worker_delay: Duration::from_millis(1),
            seq: true,
            overflow,
            ..config(&dir, "cap.parquet")
        };
        let mut sink = Sink::open(c).unwrap();
        let mut p = sink.producer().unwrap();
        let accepted = (0..5000u64)
            .filter(|i| p.try_record(&[*i as u8; 48]))
            .count() as u64;
        drop(p);
        sink.close().unwrap();
        let s = sink.stats();
        assert_balanced(&s);
        assert_eq!(total_rows(&dir), accepted);
        match overflow {
            Overflow::Block => {
                assert_eq!((accepted, s.dropped()), (5000, 0), "{s:?}");
                assert!(s.blocked > 0 && s.blocked_ns > 0, "{s:?}");
            }
            Overflow::Drop => {
                assert!(s.dropped_full > 0, "{s:?}");
                assert_eq!((s.blocked, s.blocked_ns), (0, 0), "{s:?}");
            }
        }
    }
}

/// A producer waiting for room ends as soon as the sink closes: its record is dropped and
/// counted (dropped_closed), close() does not wait for it, nothing hangs.
#[test]
fn close_ends_a_blocked_producer() {
    let dir = temp_dir("overflow-close");
    let c = SinkConfig {
        ring_bytes: 4096,
        row_group_rows: 10,
        // A worker this slow keeps the ring full: the producer is soon blocked for good (and
        // close() takes a while to drain the ring: ~25 row groups).
        worker_delay: Duration::from_millis(200),
        overflow: Overflow::Block,
        ..config(&dir, "cap.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    let mut p = sink.producer().unwrap();
    let producer = std::thread::spawn(move || {
        let mut accepted = 0u64;
        for i in 0..1_000_000u64 {
            if !p.try_record(&i.to_le_bytes()) {
                return (accepted, i, Instant::now());
            }
            accepted += 1;
        }
        (accepted, 1_000_000, Instant::now())
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.stats().blocked_ns == 0 && sink.stats().ring_high_water < 2048 {
        assert!(Instant::now() < deadline, "{:?}", sink.stats());
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(20));
    let started = Instant::now();
    sink.close().unwrap();
    let (accepted, refused_at, returned) = producer.join().unwrap();
    // The wait ended when close began, not when it had drained.
    assert!(
        returned.saturating_duration_since(started) < Duration::from_millis(500),
        "the blocked call returned {:?} after close began",
        returned.saturating_duration_since(started)
    );
    let s = sink.stats();
    assert_eq!((s.accepted, s.dropped_closed), (accepted, 1), "{s:?}");
    assert_eq!(refused_at, accepted);
    assert!(s.blocked >= 1, "{s:?}");
    assert_balanced(&s);
    assert_eq!(total_rows(&dir), accepted);
}

/// A blocked producer waits through an I/O error and the retry on a new file: nothing dropped.
#[test]
fn blocking_overflow_waits_through_a_retry() {
    let dir = temp_dir("overflow-retry");
    let storage = FaultyStorage::new();
    storage.fail_write_at(2);
    let c = SinkConfig {
        ring_bytes: 4096,
        row_group_rows: 50,
        overflow: Overflow::Block,
        retry_backoff: Duration::from_millis(50),
        writer: WriterOptions {
            storage: storage as Arc<dyn Storage>,
            ..WriterOptions::default()
        },
        ..config(&dir, "cap-{seq}.parquet")
    };
    let mut sink = Sink::open(c).unwrap();
    let mut p = sink.producer().unwrap();
    let accepted = (0..3000u64)
        .filter(|i| p.try_record(&i.to_le_bytes()))
        .count() as u64;
    drop(p);
    sink.close().unwrap();
    let s = sink.stats();
    assert_eq!((accepted, s.dropped()), (3000, 0), "{s:?}");
    assert_eq!((s.io_errors, s.retries), (1, 1), "{s:?}");
    assert_balanced(&s);
    assert_eq!(total_rows(&dir), s.rows_written);
}

/// Two 16-byte tables: `a` (u64 id, i64 value) and `b` (u64 id, char[8] name).
fn two_tables() -> Vec<RecordLayout> {
    let field = RecordField::new;
    vec![
        RecordLayout {
            name: "a".into(),
            fields: vec![
                field("id", 0, FieldType::UInt64, 0),
                field("value", 8, FieldType::Int64, 0),
            ],
            record_bytes: 16,
        },
        RecordLayout {
            name: "b".into(),
            fields: vec![
                field("id", 0, FieldType::UInt64, 0),
                field("name", 8, FieldType::Chars, 8),
            ],
            record_bytes: 24,
        },
    ]
}

#[test]
fn each_table_has_its_own_file_series_rotation_and_restart() {
    let dir = temp_dir("tables");
    let run = |rows_a: u64, rows_b: u64| {
        let c = SinkConfig {
            tables: two_tables(),
            rotate_rows: Some(1000),
            row_group_rows: 300,
            seq: true,
            ..config(&dir, "{table}/part-{seq}.parquet")
        };
        let mut sink = Sink::open(c).unwrap();
        let mut p = sink.producer().unwrap();
        let (mut a, mut b) = (0, 0);
        let mut spins = 0u64;
        while a < rows_a || b < rows_b {
            let ok = if a < rows_a && (a * rows_b <= b * rows_a || b == rows_b) {
                let mut r = [0u8; 16];
                r[..8].copy_from_slice(&a.to_le_bytes());
                let done = p.try_record_table(0, &r);
                a += done as u64;
                done
            } else {
                let mut r = [b'x'; 24];
                r[..8].copy_from_slice(&b.to_le_bytes());
                let done = p.try_record_table(1, &r);
                b += done as u64;
                done
            };
            if !ok {
                spins += 1;
                assert!(spins < 10_000_000, "the ring never drained");
                std::thread::yield_now();
            }
        }
        // Wrong lengths and unknown tables are dropped and counted, never written.
        assert!(!p.try_record_table(0, &[0u8; 24]));
        assert!(!p.try_record_table(1, &[0u8; 16]));
        assert!(!p.try_record_table(2, &[0u8; 16]));
        assert!(!p.try_record(&[0u8; 24]), "try_record goes to table 0");
        assert!(p.try_record(&[0u8; 16]));
        drop(p);
        sink.close().unwrap();
        let s = sink.stats();
        assert_eq!(s.dropped_invalid, 4, "{s:?}");
        assert_eq!(s.rows_written, rows_a + rows_b + 1, "{s:?}");
        assert_balanced(&s);
    };
    run(2500, 1200);
    let (a, a_wip) = files(&dir.join("a"));
    let (b, b_wip) = files(&dir.join("b"));
    assert!(a_wip.is_empty() && b_wip.is_empty());
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(b.len(), 2, "{b:?}");
    assert_eq!(total_rows(&dir.join("a")), 2501);
    assert_eq!(total_rows(&dir.join("b")), 1200);
    assert!(a.iter().chain(&b).all(|p| rows_in(p) <= 1000));
    // A restart continues each table's numbering.
    run(10, 10);
    let (a, _) = files(&dir.join("a"));
    let (b, _) = files(&dir.join("b"));
    assert_eq!(
        a.last().unwrap().file_name().unwrap(),
        "part-000003.parquet"
    );
    assert_eq!(
        b.last().unwrap().file_name().unwrap(),
        "part-000002.parquet"
    );
}

#[test]
fn a_table_whose_file_cannot_be_created_leaves_no_file_of_the_others() {
    let dir = temp_dir("table-blocked");
    // Table b's directory is a plain file: its first file cannot be created.
    std::fs::write(dir.join("b"), b"in the way").unwrap();
    let c = SinkConfig {
        tables: two_tables(),
        ..config(&dir, "{table}/part-{seq}.parquet")
    };
    let e = Sink::open(c).err().expect("opened with a blocked table");
    assert!(e.message.contains("/b"), "{e}");
    let (a, a_wip) = files(&dir.join("a"));
    assert!(a.is_empty() && a_wip.is_empty(), "{a:?} {a_wip:?}");
}

#[test]
fn table_settings_are_checked_against_the_path_and_the_ring() {
    let dir = temp_dir("table-config");
    let open = |c: SinkConfig| Sink::open(c).err().map(|e| e.message);
    let two = || SinkConfig {
        tables: two_tables(),
        ..config(&dir, "{table}-{seq}.parquet")
    };
    let e = open(SinkConfig {
        path: dir.join("x.parquet").to_string_lossy().into_owned(),
        ..two()
    });
    assert!(e.unwrap().contains("2 tables need {table}"));
    let e = open(SinkConfig {
        tables: vec![],
        ..two()
    });
    assert!(e
        .unwrap()
        .contains("has {table} but the sink has no tables"));
    let mut tables = two_tables();
    tables[1].name = "a".into();
    let e = open(SinkConfig { tables, ..two() });
    assert!(e.unwrap().contains("duplicate table name 'a'"));
    let mut tables = two_tables();
    tables[1].name = "../b".into();
    let e = open(SinkConfig { tables, ..two() });
    assert!(e.unwrap().contains("not a safe path component"));
    let mut tables = two_tables();
    tables[0].record_bytes = 70_000;
    let e = open(SinkConfig {
        tables,
        ring_bytes: 1 << 16,
        ..two()
    });
    assert!(e
        .unwrap()
        .contains("table 'a': records of 70000 bytes do not fit"));
    let mut tables = two_tables();
    tables[0].fields[1].name = "seq".into();
    let e = open(SinkConfig {
        tables,
        seq: true,
        ..two()
    });
    assert!(e.unwrap().contains("table 'a', field 'seq'"));
    let one = SinkConfig {
        tables: two_tables()[..1].to_vec(),
        ..config(&dir, "one.parquet")
    };
    let mut sink = Sink::open(one).unwrap();
    sink.close().unwrap();
    assert_eq!(files(&dir).0.len(), 1);
}
