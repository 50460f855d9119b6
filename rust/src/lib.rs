//! parquet_flow core: a Parquet writer and (later) a non-blocking capture sink, exposed to C++
//! through the cxx bridge in `bridge.rs`.

pub mod bridge;
pub mod error;
pub mod parquet;
pub mod ring;
pub mod sink;

pub use error::{Error, ErrorKind, Result};
