//! parquet_flow core: a Parquet writer and a non-blocking capture sink, exposed to C++ through
//! the cxx bridge in `bridge.rs`.

// Under `--cfg loom` only the ring is built (rust/tests/loom_ring.rs model-checks it).
#[cfg(not(loom))]
pub mod bridge;
pub mod clock;
pub mod error;
pub mod parquet;
pub mod ring;
#[cfg(not(loom))]
pub mod sink;

pub use error::{Error, ErrorKind, Result};
