//! close() when membarrier fails after the process registered for it: the page-protection
//! barrier alone must keep every record accepted by a racing try_record (producers still on
//! compiler barriers only). Its own test binary, since the hook is process-wide.

use parquet_flow_core::sink::simulate_membarrier_failure_for_testing;

mod common;

#[test]
fn the_fallback_barrier_never_misses_a_racing_record() {
    let dir = std::env::temp_dir().join(format!("pf-barrier-fallback-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    simulate_membarrier_failure_for_testing(true);
    let lost = common::race_close(&dir, 40);
    simulate_membarrier_failure_for_testing(false);
    assert!(
        lost.is_empty(),
        "{} of 40 trials missed records: {lost:?}",
        lost.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
