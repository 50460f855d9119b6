//! The one error type of the core. Its kind maps onto the C ABI's status codes and the C++
//! `parquet_flow::Error::code()`; its message is meant for a human and names the column, the
//! row group and what was expected.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ErrorKind {
    /// The caller passed something the writer cannot accept (schema, lengths, levels, ...).
    InvalidArgument = 1,
    /// The call does not fit the writer's state (write before open, add column after open, ...).
    NotOpen = 2,
    /// Anything else, I/O failures included.
    Internal = 3,
    /// An allocation failed.
    OutOfMemory = 4,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::InvalidArgument,
            message: message.into(),
        }
    }

    pub fn state(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::NotOpen,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Internal,
            message: message.into(),
        }
    }

    /// An I/O failure on `path` while doing `what`, with the OS error.
    pub fn io(what: &str, path: &std::path::Path, err: &std::io::Error) -> Self {
        let kind = if err.kind() == std::io::ErrorKind::OutOfMemory {
            ErrorKind::OutOfMemory
        } else {
            ErrorKind::Internal
        };
        Error {
            kind,
            message: format!("{what} '{}': {err}", path.display()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// The message a caught panic carried ("unknown panic" if it was not a string).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
