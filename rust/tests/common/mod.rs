//! Shared by the sink's integration tests.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parquet_flow_core::sink::{Sink, SinkConfig, SinkStats};

/// Trials of three producers recording 2 KiB records through `close()` and a little after.
/// Returns the trials whose accepted records are not all written (with their stats). Large
/// records widen the window between a producer's state check and its publish (the copy), where
/// a close() that does not wait for it would miss the record.
pub fn race_close(dir: &Path, trials: u64) -> Vec<(u64, SinkStats)> {
    let record = vec![0x5au8; 2 << 10];
    let mut lost = Vec::new();
    for trial in 0..trials {
        let c = SinkConfig {
            path: dir
                .join(format!("race-{trial}.parquet"))
                .to_string_lossy()
                .into_owned(),
            ring_bytes: 256 << 10,
            flush_interval: None,
            ..SinkConfig::default()
        };
        let mut sink = Sink::open(c).unwrap();
        let producers: Vec<_> = (0..3).map(|_| sink.producer().unwrap()).collect();
        let sink_ref = &mut sink;
        let closed = AtomicBool::new(false);
        std::thread::scope(|s| {
            for mut p in producers {
                let (record, closed) = (&record, &closed);
                s.spawn(move || {
                    while !closed.load(Ordering::Relaxed) {
                        p.try_record(record);
                    }
                });
            }
            std::thread::sleep(Duration::from_micros(200 + (trial * 37) % 900));
            sink_ref.close().unwrap();
            closed.store(true, Ordering::Relaxed);
        });
        let s = sink.stats();
        if s.accepted != s.rows_written || s.rows_lost != 0 {
            lost.push((trial, s));
        }
    }
    lost
}
