//! The sink's state machine, read by every `try_record` and changed only by the worker (and by
//! `Sink::producer`, which only reads it):
//!
//! ```text
//!   Running ──I/O error, rotating──▶ BackingOff ──next file opens──▶ Running
//!      │  ╲                              │
//!      │   ╲──I/O error, one file──▶ Failed ◀──worker panic (from any state)
//!      ▼                                 ▼
//!   Closed ◀──────── close() ─────────  (every state)
//! ```
//!
//! Records are accepted only while `Running`; in `BackingOff` and `Failed` they are dropped and
//! counted as `dropped_failed`, after `Closed` as `dropped_closed`.

use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    Running = 0,
    /// An I/O error stopped the current file; the worker retries on the next one.
    BackingOff = 1,
    /// Final: an I/O error without rotation, or a worker panic.
    Failed = 2,
    Closed = 3,
}

impl State {
    fn from_u8(v: u8) -> State {
        match v {
            0 => State::Running,
            1 => State::BackingOff,
            2 => State::Failed,
            _ => State::Closed,
        }
    }
}

pub struct StateCell(AtomicU8);

impl StateCell {
    pub fn new() -> StateCell {
        StateCell(AtomicU8::new(State::Running as u8))
    }

    /// The hot path's read: Relaxed, ordered by the close barrier (see `producer.rs`).
    #[inline(always)]
    pub fn is_running(&self) -> bool {
        self.0.load(Ordering::Relaxed) == State::Running as u8
    }

    pub fn get(&self) -> State {
        State::from_u8(self.0.load(Ordering::Acquire))
    }

    /// Sets `to` unless the sink is closed (close may itself fail over to new files); returns
    /// whether it did.
    pub fn set_unless_closed(&self, to: State) -> bool {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                (v != State::Closed as u8).then_some(to as u8)
            })
            .is_ok()
    }

    /// `BackingOff` → `Running` (a new file opened); no other state changes.
    pub fn resume(&self) {
        let _ = self.0.compare_exchange(
            State::BackingOff as u8,
            State::Running as u8,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    /// Moves to `Closed`, returning the state it left.
    pub fn close(&self) -> State {
        State::from_u8(self.0.swap(State::Closed as u8, Ordering::AcqRel))
    }
}
