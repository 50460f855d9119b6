//! Model check of the ring's synchronisation with loom: every interleaving (up to the
//! preemption bound) of two producers, each with its own ring as in the sink, and the one
//! consumer that drains both. Checks that every record arrives once, whole and in order,
//! across wrap-around and full rings, and that loom's tracked buffer accesses never race.
//!
//!   RUSTFLAGS="--cfg loom" cargo test --release -p parquet_flow_core --test loom_ring
//!
//! The preemption bound is 4 (42,419 executions of the two-producer model, about 3 s here);
//! LOOM_MAX_PREEMPTIONS overrides it (3: 10,329 executions, 1 s; 8 takes about 70 s, and
//! passes); `-- --nocapture` prints how many executions each model explored. No thread spins:
//! producers offer each record once, as `try_record` does, and the consumer drains a fixed
//! number of times, so loom can explore every schedule.
//!
//! (Built only with `--cfg loom`; a plain `cargo test` compiles this file to nothing.)
#![cfg(loom)]

use loom::thread;
use parquet_flow_core::ring::{channel, RingConsumer};

/// Records per producer. With 64-byte rings and 24-byte frames the third record either wraps
/// (the consumer freed the first frame in time) or is refused (it did not).
const RECORDS: u8 = 3;

fn payload(producer: u8, i: u8) -> [u8; 9] {
    [producer * 16 + i; 9]
}

/// Runs `f` under loom with a bounded number of preemptions and room for the polling loops,
/// and prints how many executions (interleavings) loom explored (shown with `--nocapture`).
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(4);
    }
    builder.max_branches = 100_000;
    let bound = builder.preemption_bound;
    // A std counter, outside the model: loom runs the closure once per execution.
    let executions = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = executions.clone();
    builder.check(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        f()
    });
    println!(
        "{}: {} executions explored (preemption bound {bound:?})",
        std::thread::current().name().unwrap_or("loom"),
        executions.load(std::sync::atomic::Ordering::Relaxed)
    );
}

/// Executions in which a producer's third record wrapped to offset 0 / was refused by a full
/// ring (std counters, outside the model): the test asserts loom explored both outcomes.
static WRAPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static REFUSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn two_producers_one_consumer_every_record_once_in_order() {
    use std::sync::atomic::Ordering::Relaxed;
    model(|| {
        let mut consumers: Vec<RingConsumer> = Vec::new();
        // Each producer offers its records once; a full ring refuses, as try_record does.
        let producers: Vec<_> = (0..2u8)
            .map(|p| {
                let (mut producer, consumer) = channel(64);
                consumers.push(consumer);
                thread::spawn(move || {
                    (0..RECORDS)
                        .filter(|&i| producer.try_push(&[p, i], &payload(p, i)))
                        .collect::<Vec<u8>>()
                })
            })
            .collect();

        // The consumer drains both rings while the producers run, then after they finish.
        let mut seen: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        let drain = |consumers: &mut Vec<RingConsumer>, seen: &mut [Vec<u8>; 2]| {
            for p in 0..2 {
                consumers[p].read(2, usize::MAX, |r| {
                    assert_eq!(r.extra[0], p as u8, "a record in the wrong ring");
                    assert_eq!(
                        r.payload,
                        payload(p as u8, r.extra[1]),
                        "producer {p}: payload"
                    );
                    seen[p].push(r.extra[1]);
                    true
                });
                consumers[p].release();
            }
        };
        drain(&mut consumers, &mut seen);
        drain(&mut consumers, &mut seen);
        let accepted: Vec<Vec<u8>> = producers.into_iter().map(|h| h.join().unwrap()).collect();
        drain(&mut consumers, &mut seen);
        for p in 0..2 {
            // Every accepted record arrived once and in order; refused ones left no trace.
            assert_eq!(seen[p], accepted[p], "producer {p}");
            assert!(consumers[p].is_drained());
            // The first two 24-byte frames always fit a 64-byte ring.
            assert!(accepted[p].len() >= 2, "producer {p}: {:?}", accepted[p]);
            let outcome = if accepted[p].len() == 3 {
                &WRAPPED
            } else {
                &REFUSED
            };
            outcome.fetch_add(1, Relaxed);
        }
    });
    let (wrapped, refused) = (WRAPPED.load(Relaxed), REFUSED.load(Relaxed));
    println!("third record: wrapped in {wrapped} producer-executions, refused in {refused}");
    assert!(wrapped > 0 && refused > 0, "both outcomes explored");
}

/// The wrap-around itself, step by step: a full ring refuses the third frame, and once the
/// consumer frees the first it takes it at offset 0 behind a WRAP marker.
#[test]
fn the_third_record_wraps_once_the_first_is_consumed() {
    model(|| {
        let (mut producer, mut consumer) = channel(64);
        assert!(producer.try_push(&[0, 0], &payload(0, 0)));
        assert!(producer.try_push(&[0, 1], &payload(0, 1)));
        assert!(
            !producer.try_push(&[0, 2], &payload(0, 2)),
            "full: 16 bytes left"
        );
        let mut seen = Vec::new();
        consumer.read(2, 1, |r| {
            seen.push(r.extra[1]);
            true
        });
        consumer.release();
        assert!(
            producer.try_push(&[0, 2], &payload(0, 2)),
            "wraps to offset 0"
        );
        consumer.read(2, usize::MAX, |r| {
            seen.push(r.extra[1]);
            true
        });
        assert_eq!(seen, [0, 1, 2]);
    });
}

#[test]
fn a_full_ring_refuses_and_keeps_unread_data() {
    model(|| {
        let (mut ring_producer, mut consumer) = channel(64);
        let producer = thread::spawn(move || {
            let mut accepted = Vec::new();
            for i in 0..4u8 {
                if ring_producer.try_push(&[i], &[i; 20]) {
                    accepted.push(i);
                }
            }
            accepted
        });
        let mut seen = Vec::new();
        for _ in 0..2 {
            consumer.read(1, usize::MAX, |r| {
                assert_eq!(r.payload, [r.extra[0]; 20]);
                seen.push(r.extra[0]);
                true
            });
            consumer.release();
            thread::yield_now();
        }
        let accepted = producer.join().unwrap();
        consumer.read(1, usize::MAX, |r| {
            seen.push(r.extra[0]);
            true
        });
        // What was read is exactly what was accepted, in order: a refused record never
        // overwrote one still unread.
        assert_eq!(seen, accepted);
        assert!(
            accepted.len() >= 2,
            "two 32-byte frames always fit a 64-byte ring"
        );
    });
}
