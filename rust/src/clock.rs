//! Time: calendar dates (`civil_from_days`, for file-name patterns and the dates `inspect`
//! shows), and receive timestamps without a system call: the CPU's time-stamp counter, read on
//! the hot path, converted to UTC nanoseconds by the worker with a clock it keeps calibrated
//! against `CLOCK_REALTIME` (the model is Quill's RdtscClock).
//!
//! - The counter: x86-64 `rdtsc`, used only where CPUID reports an invariant TSC (constant rate
//!   in every power state, synchronized across cores); aarch64's virtual counter `CNTVCT_EL0`,
//!   which is architecturally constant-rate. Elsewhere `recv_ts` falls back to
//!   `clock_gettime(CLOCK_REALTIME)` in `try_record`, as before.
//! - The conversion: `ns = base_ns + (ticks - base_ticks) * ns_per_tick`. The worker takes a new
//!   (ticks, realtime) pair every [`RESYNC_INTERVAL`] and makes it the base, so a record is
//!   converted from a pair at most about that far away; `ns_per_tick` is measured between pairs
//!   about [`RATE_WINDOW`] apart, long enough for a precise rate and short enough to follow NTP's
//!   slewing of the realtime clock. A pair is read as counter, clock, counter, and kept only if
//!   the two counter reads are close (a preemption between them would skew it).
//! - A step of the wall clock (settimeofday, an NTP step): the next resync sees the realtime
//!   clock away from where the counter predicts it; it re-bases on the new time and restarts
//!   the rate window. Records taken between the step and that resync keep the old time scale.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How often the worker takes a new calibration pair.
pub const RESYNC_INTERVAL: Duration = Duration::from_millis(50);
/// The span over which the counter's rate is measured.
pub const RATE_WINDOW: Duration = Duration::from_secs(1);
/// How long `calibrate` measures the first rate.
const FIRST_RATE: Duration = Duration::from_millis(20);
/// The realtime clock further than this from the counter's prediction is a step, not drift.
pub const STEP: i64 = 1_000_000;

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
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

/// The counter: ticks at a constant rate.
#[inline(always)]
pub fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: rdtsc has no memory effects; `tsc_usable` checked the CPU has it.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
    #[cfg(target_arch = "aarch64")]
    {
        let v: u64;
        // SAFETY: reading the virtual counter register has no side effects; EL0 may read it.
        unsafe { core::arch::asm!("mrs {}, cntvct_el0", out(reg) v, options(nomem, nostack)) };
        v
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        0
    }
}

/// Whether the counter can stand in for the clock here: an invariant TSC (CPUID leaf
/// 0x8000_0007, EDX bit 8) on x86-64; always on aarch64; never elsewhere. Turned off by the
/// environment variable `PARQUET_FLOW_NO_TSC` (any value), for a machine whose TSC misbehaves
/// in spite of the flag (some hypervisors).
pub fn tsc_usable() -> bool {
    if std::env::var_os("PARQUET_FLOW_NO_TSC").is_some() {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    #[allow(unused_unsafe)] // safe to call from Rust 1.87 on, unsafe before
    {
        // SAFETY: cpuid is available on every x86-64 CPU.
        let max_extended = unsafe { core::arch::x86_64::__cpuid(0x8000_0000) }.eax;
        if max_extended < 0x8000_0007 {
            return false;
        }
        // SAFETY: as above; the leaf exists (checked).
        let power = unsafe { core::arch::x86_64::__cpuid(0x8000_0007) };
        power.edx & (1 << 8) != 0
    }
    #[cfg(target_arch = "aarch64")]
    {
        true
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

/// CLOCK_REALTIME in nanoseconds since the Unix epoch (64-bit Linux: time_t and long are i64).
pub fn realtime_ns() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec we pass; CLOCK_REALTIME always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec * 1_000_000_000 + ts.tv_nsec
}

/// One (counter, realtime) reading.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    pub ticks: u64,
    pub ns: i64,
}

/// Reads a pair through `realtime`: the counter before and after the clock, kept if the two are
/// close (the tightest of a few tries).
fn read_pair(realtime: &mut dyn FnMut() -> i64) -> Pair {
    let mut best: Option<(u64, Pair)> = None;
    for _ in 0..8 {
        let before = ticks();
        let ns = realtime();
        let after = ticks();
        let width = after.wrapping_sub(before);
        let pair = Pair {
            ticks: before.wrapping_add(width / 2),
            ns,
        };
        if best.is_none_or(|(w, _)| width < w) {
            best = Some((width, pair));
        }
    }
    best.expect("eight tries").1
}

/// Converts counter ticks to UTC nanoseconds; kept calibrated by [`TscClock::resync`].
pub struct TscClock {
    base: Pair,
    ns_per_tick: f64,
    /// Recent pairs, oldest first, for the rate over `RATE_WINDOW`.
    history: VecDeque<(Instant, Pair)>,
    last_sync: Instant,
    /// Re-bases after a wall-clock step (for the tests and stats).
    pub steps: u64,
    realtime: Box<dyn FnMut() -> i64 + Send>,
}

impl TscClock {
    /// Measures the counter against CLOCK_REALTIME for about 20 ms.
    pub fn calibrate() -> TscClock {
        Self::with_realtime(Box::new(realtime_ns))
    }

    /// As `calibrate`, against another source of realtime nanoseconds (tests step it).
    pub fn with_realtime(mut realtime: Box<dyn FnMut() -> i64 + Send>) -> TscClock {
        let start = Instant::now();
        let first = read_pair(&mut *realtime);
        while start.elapsed() < FIRST_RATE {
            std::hint::spin_loop();
        }
        let second = read_pair(&mut *realtime);
        let ns_per_tick = rate(first, second).unwrap_or(1.0);
        let now = Instant::now();
        TscClock {
            base: second,
            ns_per_tick,
            history: VecDeque::from([(start, first), (now, second)]),
            last_sync: now,
            steps: 0,
            realtime,
        }
    }

    /// UTC nanoseconds for a counter reading taken on any core.
    #[inline]
    pub fn to_ns(&self, ticks: u64) -> i64 {
        let delta = ticks.wrapping_sub(self.base.ticks) as i64;
        self.base.ns + (delta as f64 * self.ns_per_tick).round() as i64
    }

    /// Whether a resync is due.
    pub fn due(&self) -> bool {
        self.last_sync.elapsed() >= RESYNC_INTERVAL
    }

    pub fn ns_per_tick(&self) -> f64 {
        self.ns_per_tick
    }

    /// Takes a new pair: the new base, and a new rate over the last `RATE_WINDOW`. A realtime
    /// clock more than `STEP` away from the prediction has been stepped: re-base there and
    /// measure the rate afresh from this pair on.
    pub fn resync(&mut self) {
        let pair = read_pair(&mut *self.realtime);
        let now = Instant::now();
        let predicted = self.to_ns(pair.ticks);
        if (pair.ns - predicted).abs() > STEP {
            self.steps += 1;
            self.history.clear();
        } else {
            while self.history.len() > 1 && now.duration_since(self.history[1].0) >= RATE_WINDOW {
                self.history.pop_front();
            }
            if let Some(r) = self.history.front().and_then(|&(_, old)| rate(old, pair)) {
                self.ns_per_tick = r;
            }
        }
        self.history.push_back((now, pair));
        self.base = pair;
        self.last_sync = now;
    }
}

/// Nanoseconds per tick between two pairs, if they are far enough apart to say.
fn rate(a: Pair, b: Pair) -> Option<f64> {
    let ticks = b.ticks.checked_sub(a.ticks)?;
    let ns = b.ns - a.ns;
    (ticks > 1000 && ns > 0).then(|| ns as f64 / ticks as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    #[test]
    fn days_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    }

    /// Conversions agree with clock_gettime read right beside the counter.
    #[test]
    fn converted_ticks_match_the_realtime_clock() {
        if !tsc_usable() {
            eprintln!("no invariant counter here: nothing to check");
            return;
        }
        let mut clock = TscClock::calibrate();
        let mut worst = 0i64;
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(300) {
            if clock.due() {
                clock.resync();
            }
            let before = realtime_ns();
            let t = ticks();
            let after = realtime_ns();
            let ns = clock.to_ns(t);
            // Between the two clock reads, give or take a little.
            let off = if ns < before {
                before - ns
            } else {
                (ns - after).max(0)
            };
            worst = worst.max(off);
        }
        assert!(
            worst < 50_000,
            "converted ticks strayed {worst} ns from the clock"
        );
    }

    /// A step of the wall clock is followed at the next resync; the rate is not thrown off.
    #[test]
    fn a_wall_clock_step_is_followed_at_the_next_resync() {
        if !tsc_usable() {
            return;
        }
        let offset = Arc::new(AtomicI64::new(0));
        let o = offset.clone();
        let mut clock =
            TscClock::with_realtime(Box::new(move || realtime_ns() + o.load(Ordering::Relaxed)));
        let rate = clock.ns_per_tick();
        offset.store(5_000_000_000, Ordering::Relaxed); // the clock jumps 5 s ahead
        let before = clock.to_ns(ticks());
        assert!(
            (before - realtime_ns()).abs() < 1_000_000,
            "old scale until the resync"
        );
        clock.resync();
        assert_eq!(clock.steps, 1);
        let after = clock.to_ns(ticks());
        let expected = realtime_ns() + 5_000_000_000;
        assert!(
            (after - expected).abs() < 1_000_000,
            "{after} vs {expected}"
        );
        assert!((clock.ns_per_tick() - rate).abs() / rate < 1e-3);
    }
}
