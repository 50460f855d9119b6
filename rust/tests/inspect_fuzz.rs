//! Mutation test of the code that reads files from elsewhere: `inspect` (parquet_flow_inspect)
//! and `recover` (parquet_flow_recover). Real files — the ones this test writes, covering every
//! codec, encoding and repetition, plus every `.parquet` under the directories (separated by
//! `:`) in `PARQUET_FLOW_MUTATION_CORPUS` (ctest passes the files the writer tests left and
//! those pyarrow and DuckDB wrote for inspect_check) — are damaged in seeded random ways: bits flipped (anywhere, or in the footer),
//! truncated, ranges overwritten, bytes inserted or removed, hostile varints and lengths planted
//! in the footer, pieces of other files spliced in. Properties, for every case: no panic; a
//! report or an error; at most `MAX_SECONDS` each; and the memory held at the peak stays within
//! the inspection's budget (`inspect::budget`) plus a small multiple of the file's size.
//!
//!   cargo test --release -p parquet_flow_core --test inspect_fuzz
//!   PARQUET_FLOW_MUTATION_ITERS=200000 PARQUET_FLOW_MUTATION_SEED=7 cargo test --release \
//!     -p parquet_flow_core --test inspect_fuzz                           (the long mode)
//!
//! A failure names the seed, case, source file and mutation that reproduce it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use parquet_flow_core::parquet::inspect::{budget, inspect, render_json, render_text};
use parquet_flow_core::parquet::{
    recover, Codec, Column, ColumnInput, Durability, Encoding, FileWriter, LogicalType,
    PhysicalType, Repetition, WriterOptions,
};

/// Counts the bytes allocated and not yet freed, and their peak.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(live, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, size) };
        if !q.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(size);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MAX_SECONDS: u64 = 5;
/// Corpus files larger than this are left out (each case rewrites its file).
const MAX_CORPUS_FILE: u64 = 2 << 20;

#[path = "common/fuzz.rs"]
mod fuzz;
use fuzz::{env_u64, Rng};

/// Files of our own writer: each codec, encoding and repetition, dictionary and not,
/// checkpoints and not, several row groups.
fn write_corpus(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let codecs = [
        Codec::Uncompressed,
        Codec::Snappy,
        Codec::Gzip,
        Codec::Zstd,
        Codec::Lz4Raw,
    ];
    for (k, codec) in codecs.into_iter().enumerate() {
        let path = dir.join(format!("corpus-{k}.parquet"));
        let mut ts = Column::new("ts", PhysicalType::Int64, Repetition::Required);
        ts.logical = LogicalType::Timestamp {
            unit: parquet_flow_core::parquet::TimeUnit::Nanos,
            utc: true,
        };
        let mut symbol = Column::new("symbol", PhysicalType::ByteArray, Repetition::Optional);
        symbol.logical = LogicalType::String;
        let mut price = Column::new("price", PhysicalType::Int64, Repetition::Required);
        price.logical = LogicalType::Decimal {
            precision: 18,
            scale: 4,
        };
        let columns = vec![
            ts,
            symbol,
            price,
            Column::new("size", PhysicalType::Int32, Repetition::Optional),
            Column::new("px", PhysicalType::Double, Repetition::Required),
            Column::new("flag", PhysicalType::Boolean, Repetition::Optional),
            Column::new("blob", PhysicalType::ByteArray, Repetition::Required),
        ];
        let encodings = match k % 3 {
            0 => vec![],
            1 => vec![
                ("ts".into(), Encoding::DeltaBinaryPacked),
                ("symbol".into(), Encoding::DeltaByteArray),
                ("px".into(), Encoding::ByteStreamSplit),
                ("blob".into(), Encoding::DeltaLengthByteArray),
            ],
            _ => vec![
                ("size".into(), Encoding::DeltaBinaryPacked),
                ("px".into(), Encoding::Plain),
                ("symbol".into(), Encoding::Plain),
            ],
        };
        let options = WriterOptions {
            codec,
            column_encodings: encodings,
            durability: if k % 2 == 0 {
                Durability::RowGroup
            } else {
                Durability::OnClose
            },
            compression_threads: 1,
            ..WriterOptions::default()
        };
        let mut w = FileWriter::create(&path, columns, options).unwrap();
        for g in 0..3i64 {
            let n = 200 + 50 * g as usize;
            let mut ts = Vec::new();
            let (mut symbols, mut symbol_offsets, mut symbol_def) =
                (Vec::new(), vec![0u32], Vec::new());
            let mut price = Vec::new();
            let (mut size, mut size_def) = (Vec::new(), Vec::new());
            let mut px = Vec::new();
            let (mut flag, mut flag_def) = (Vec::new(), Vec::new());
            let (mut blob, mut blob_offsets) = (Vec::new(), vec![0u32]);
            for r in 0..n as i64 {
                let i = g * 1000 + r;
                ts.extend((1_700_000_000_000_000_000 + i * 1_000_003).to_le_bytes());
                if i % 7 != 3 {
                    symbols.extend(["AAPL", "MSFT", "GOOG", "AMZN"][(i % 4) as usize].bytes());
                    symbol_offsets.push(symbols.len() as u32);
                    symbol_def.push(1);
                } else {
                    symbol_def.push(0);
                }
                price.extend((1_500_000 + (i % 13) * 25).to_le_bytes());
                if i % 5 != 0 {
                    size.extend(((i % 300) as i32).to_le_bytes());
                    size_def.push(1);
                } else {
                    size_def.push(0);
                }
                px.extend((150.0 + i as f64 / 8.0).to_le_bytes());
                if i % 3 != 0 {
                    flag.push((i % 2) as u8);
                    flag_def.push(1);
                } else {
                    flag_def.push(0);
                }
                blob.extend((0..(i % 40) as u8).map(|b| b.wrapping_mul(i as u8)));
                blob_offsets.push(blob.len() as u32);
            }
            let inputs = [
                ColumnInput::new(&ts),
                ColumnInput {
                    values: &symbols,
                    offsets: Some(&symbol_offsets),
                    def_levels: Some(&symbol_def),
                    ..Default::default()
                },
                ColumnInput::new(&price),
                ColumnInput {
                    values: &size,
                    def_levels: Some(&size_def),
                    ..Default::default()
                },
                ColumnInput::new(&px),
                ColumnInput {
                    values: &flag,
                    def_levels: Some(&flag_def),
                    ..Default::default()
                },
                ColumnInput {
                    values: &blob,
                    offsets: Some(&blob_offsets),
                    ..Default::default()
                },
            ];
            w.write_row_group(n, &inputs).unwrap();
        }
        w.close().unwrap();
        files.push(path);
    }
    files
}

fn parquet_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            parquet_files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "parquet")
            && entry.metadata().is_ok_and(|m| m.len() <= MAX_CORPUS_FILE)
        {
            out.push(path);
        }
    }
}

/// Where the footer starts, if the file has a plausible one (mutations aim there often).
fn footer_start(bytes: &[u8]) -> usize {
    if bytes.len() < 12 {
        return 0;
    }
    let len =
        u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap()) as usize;
    bytes.len().saturating_sub(8 + len)
}

/// Damages `bytes` one way; returns the way's name.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, other: &[u8]) -> &'static str {
    let len = bytes.len();
    let footer = footer_start(bytes);
    // A position: anywhere, or (half the time) in the footer and its tail.
    let at = |rng: &mut Rng| {
        if rng.index(2) == 0 && footer < len {
            footer + rng.index(len - footer)
        } else {
            rng.index(len)
        }
    };
    match rng.index(9) {
        0 => {
            for _ in 0..1 + rng.index(8) {
                let p = at(rng);
                bytes[p] ^= 1 << rng.index(8);
            }
            "bit flips"
        }
        1 => {
            let p = at(rng);
            bytes[p] = rng.next() as u8;
            "one byte replaced"
        }
        2 => {
            bytes.truncate(rng.index(len));
            "truncated"
        }
        3 => {
            let p = at(rng);
            let n = (1 + rng.index(64)).min(len - p);
            let fill = rng.index(3);
            for b in &mut bytes[p..p + n] {
                *b = match fill {
                    0 => 0,
                    1 => 0xFF,
                    _ => rng.next() as u8,
                };
            }
            "range overwritten"
        }
        4 => {
            let p = at(rng);
            let n = 1 + rng.index(16);
            let insert: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            bytes.splice(p..p, insert);
            "bytes inserted"
        }
        5 => {
            let p = at(rng);
            let n = (1 + rng.index(16)).min(len - p);
            bytes.drain(p..p + n);
            "bytes removed"
        }
        6 => {
            // A hostile varint (a huge count, length or offset) in place of what was there.
            let p = at(rng);
            let varint = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F];
            let n = varint.len().min(len - p);
            bytes[p..p + n].copy_from_slice(&varint[..n]);
            "hostile varint"
        }
        7 => {
            if len >= 8 {
                let value = match rng.index(3) {
                    0 => u32::MAX,
                    1 => rng.next() as u32,
                    _ => (len as u32).saturating_sub(rng.index(16) as u32),
                };
                bytes[len - 8..len - 4].copy_from_slice(&value.to_le_bytes());
            }
            "footer length"
        }
        _ => {
            // A piece of another file (its pages or footer) spliced in.
            if other.is_empty() {
                return "nothing";
            }
            let from = rng.index(other.len());
            let n = (1 + rng.index(256)).min(other.len() - from);
            let p = at(rng);
            let end = (p + n).min(len);
            bytes.splice(p..end, other[from..from + n].iter().copied());
            "spliced"
        }
    }
}

#[test]
fn damaged_files_give_errors_in_bounded_time_and_memory() {
    let iterations = env_u64("PARQUET_FLOW_MUTATION_ITERS", 3000);
    let seed = env_u64("PARQUET_FLOW_MUTATION_SEED", 1);
    let dir = std::env::temp_dir().join(format!("pf-inspect-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut sources = write_corpus(&dir);
    if let Ok(corpus) = std::env::var("PARQUET_FLOW_MUTATION_CORPUS") {
        for dir in corpus.split(':').filter(|d| !d.is_empty()) {
            parquet_files_under(Path::new(dir), &mut sources);
        }
    }
    let originals: Vec<Vec<u8>> = sources.iter().map(|p| std::fs::read(p).unwrap()).collect();
    // The undamaged files read, with their first rows.
    for (path, bytes) in sources.iter().zip(&originals) {
        if bytes.len() < 12 || &bytes[bytes.len() - 4..] != b"PAR1" {
            continue; // an unfinished file a test left on purpose
        }
        let info = inspect(path, 3).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(render_text(&info).contains("schema:"));
    }
    let case_path = dir.join("case.parquet");
    let copy_path = dir.join("case-recover.parquet");
    let mut rng = Rng(seed);
    let (mut reports, mut errors) = (0u64, 0u64);
    let mut slowest = Duration::ZERO;
    for case in 0..iterations {
        let k = rng.index(originals.len());
        let other = &originals[rng.index(originals.len())];
        let mut bytes = originals[k].clone();
        let mut ways = Vec::new();
        for _ in 0..1 + rng.index(3) {
            if bytes.is_empty() {
                break;
            }
            ways.push(mutate(&mut rng, &mut bytes, other));
        }
        std::fs::write(&case_path, &bytes).unwrap();
        std::fs::write(&copy_path, &bytes).unwrap();
        let what = || {
            format!(
                "seed {seed}, case {case}: {} damaged by {ways:?}",
                sources[k].display()
            )
        };
        let size = bytes.len() as u64;
        drop(bytes);
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let inspected = inspect(&case_path, 8).map(|info| {
                let text = render_text(&info);
                let json = render_json(&info);
                assert!(json.starts_with('{') && json.ends_with('}'));
                text.len() + json.len()
            });
            let recovered = recover(&copy_path);
            (inspected, recovered.is_ok())
        }));
        let took = started.elapsed();
        let peak = PEAK.load(Relaxed).saturating_sub(base) as u64;
        let (inspected, _) = outcome.unwrap_or_else(|_| panic!("panicked: {}", what()));
        match inspected {
            Ok(_) => reports += 1,
            Err(e) => {
                assert!(!e.message.is_empty(), "an empty error: {}", what());
                errors += 1;
            }
        }
        assert!(
            took < Duration::from_secs(MAX_SECONDS),
            "took {took:?}: {}",
            what()
        );
        let allowed = budget(size) + 64 * size + (4 << 20);
        assert!(
            peak <= allowed,
            "held {peak} bytes at the peak, more than {allowed}: {}",
            what()
        );
        slowest = slowest.max(took);
    }
    println!(
        "{iterations} damaged files from {} sources: {reports} reported, {errors} refused with an error; slowest {slowest:?}",
        sources.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
