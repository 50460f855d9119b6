//! Proves the hot path allocates nothing: a counting global allocator counts the allocations
//! made by the producing thread while it records a million records into a running sink (the
//! worker thread allocates as it likes; it is not counted).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use parquet_flow_core::sink::{Sink, SinkConfig};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn try_record_allocates_nothing_across_a_million_records() {
    let dir = std::env::temp_dir().join(format!("pf_alloc_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = SinkConfig {
        path: dir.join("alloc.parquet").to_string_lossy().into_owned(),
        recv_ts: true,
        producer_id: true,
        seq: true,
        ..SinkConfig::default()
    };
    let mut sink = Sink::open(config).unwrap();
    let mut producer = sink.producer().unwrap();
    let payload = [7u8; 256];
    let oversize = vec![0u8; 1 << 20];
    let mut accepted = 0u64;

    COUNTING.with(|c| c.set(true));
    for i in 0..1_000_000u64 {
        // Empty records, records of every length up to 255, and (when the worker falls
        // behind) the ring-full path.
        let len = if i % 1000 == 999 {
            0
        } else {
            (i % 256) as usize
        };
        accepted += producer.try_record(&payload[..len]) as u64;
    }
    assert!(!producer.try_record(&oversize)); // the oversize path
    COUNTING.with(|c| c.set(false));

    assert_eq!(
        ALLOCATIONS.load(Ordering::Relaxed),
        0,
        "try_record allocated"
    );
    sink.close().unwrap();
    let stats = sink.stats();
    assert_eq!(stats.accepted, accepted);
    assert_eq!(stats.rows_written, accepted);
    assert_eq!(stats.attempted, 1_000_001);
    std::fs::remove_dir_all(&dir).unwrap();
}
