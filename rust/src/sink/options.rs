//! Sink settings, their validation, and the columns they give the files.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::parquet::writer::MAX_DATA_PAGE_SIZE;
use crate::parquet::{
    Column, Encoding, FileWriter, LogicalType, PhysicalType, RecordLayout, Repetition, TimeUnit,
    WriterOptions,
};
use crate::ring;

/// Sink settings. See `include/parquet_flow/sink.hpp` for the user-facing description.
#[derive(Clone, Debug)]
pub struct SinkConfig {
    /// Output file, or with rotation a pattern: `{seq}` is the file's sequence number, `%Y %m %d
    /// %H %M %S` the UTC time the file was opened (directories such as `date=%Y-%m-%d/` work),
    /// `{host}` the host name and `{pid}` the process id.
    pub path: String,
    /// Typed tables: each record of table `i` is a fixed-layout struct that the worker writes as
    /// typed columns (one per field) to the table's own file series; `{table}` in `path` is the
    /// table's name (required with several tables). Empty: one opaque `payload` column.
    pub tables: Vec<RecordLayout>,
    /// Bytes of each producer's ring, rounded up to a power of two.
    pub ring_bytes: usize,
    /// Longer records are dropped and counted; default 64 KiB, or what the ring holds if less.
    pub max_record_bytes: Option<usize>,
    pub max_producers: usize,
    pub row_group_rows: usize,
    /// A partial row group is written once its first record is this old.
    pub flush_interval: Option<Duration>,
    pub recv_ts: bool,
    /// Unit of the `recv_ts` column: nanoseconds (default), or micro/milliseconds, which Spark
    /// reads without settings (it refuses TIMESTAMP(NANOS)).
    pub recv_ts_unit: TimeUnit,
    /// Where `try_record` takes `recv_ts` from (see `clock.rs`).
    pub recv_ts_clock: ClockSource,
    pub producer_id: bool,
    pub seq: bool,
    /// What `try_record` does when the producer's ring is full.
    pub overflow: Overflow,
    pub writer: WriterOptions,
    pub rotate_rows: Option<u64>,
    pub rotate_bytes: Option<u64>,
    pub rotate_age: Option<Duration>,
    /// After an I/O error, with rotation configured, the worker retries on the next file after
    /// this pause, doubling it after each failed attempt (up to `MAX_RETRY_BACKOFF`).
    pub retry_backoff: Duration,
    /// At start, recover the pattern's `.inprogress` files that no live writer holds (cut each
    /// to its last checkpoint and give it its final name) before writing anything.
    pub recover_at_start: bool,
    /// Test hook: the worker sleeps this long before each row group (a slow disk).
    pub worker_delay: Duration,
    /// Test hook: the worker panics when about to write its row group number `n` (0-based,
    /// counted over the sink's life), to prove a worker panic loses nothing silently.
    pub panic_at_row_group: Option<u64>,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            path: String::new(),
            tables: Vec::new(),
            ring_bytes: 8 << 20,
            max_record_bytes: None,
            max_producers: 64,
            row_group_rows: 16_384,
            flush_interval: Some(Duration::from_secs(1)),
            recv_ts: false,
            recv_ts_unit: TimeUnit::Nanos,
            recv_ts_clock: ClockSource::Auto,
            producer_id: false,
            seq: false,
            overflow: Overflow::Drop,
            writer: WriterOptions::default(),
            rotate_rows: None,
            rotate_bytes: None,
            rotate_age: None,
            retry_backoff: Duration::from_millis(100),
            recover_at_start: true,
            worker_delay: Duration::ZERO,
            panic_at_row_group: None,
        }
    }
}

/// Where `try_record` takes the receive timestamp from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClockSource {
    /// The CPU's counter where it is invariant (read in a few nanoseconds, converted to UTC by
    /// the worker: see `clock.rs`), else the system clock. The default.
    #[default]
    Auto,
    /// Always the system clock (`clock_gettime(CLOCK_REALTIME)`), read in `try_record`.
    System,
}

impl ClockSource {
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(ClockSource::Auto),
            1 => Some(ClockSource::System),
            _ => None,
        }
    }
}

/// What `try_record` does when the producer's ring has no room for the record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Drop it and count it (`dropped_full`): the producer never waits. The default.
    #[default]
    Drop,
    /// Wait until the worker has made room — spinning briefly, then yielding the CPU — and
    /// through a retry after an I/O error; give up only when the sink closes or fails for good.
    /// For replays (pcap to Parquet, say) where nothing may be lost. Time spent waiting is
    /// counted (`blocked`, `blocked_ns`).
    Block,
}

impl Overflow {
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Overflow::Drop),
            1 => Some(Overflow::Block),
            _ => None,
        }
    }
}

/// The longest pause between attempts to open a new file after I/O errors.
pub const MAX_RETRY_BACKOFF: Duration = Duration::from_secs(10);

/// Default record size limit (capped by what the ring holds).
const DEFAULT_MAX_RECORD: usize = 64 << 10;

/// The largest record the sink takes whatever the ring size: one value must fit a Parquet page
/// (whose sizes are 32-bit) and the ring's 32-bit frame length.
pub const MAX_RECORD_BYTES: usize = MAX_DATA_PAGE_SIZE;

/// What `validate` derives from a configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Ring size, rounded up to a power of two.
    pub ring_bytes: usize,
    /// Longest payload accepted.
    pub max_payload: usize,
    /// Bytes of the optional header fields stored before each payload in the ring.
    pub extra_len: usize,
}

impl SinkConfig {
    /// Whether the path pattern numbers its files (`{seq}`, parsed as the file names are).
    pub fn rotating(&self) -> bool {
        super::files::Pattern::new(&self.path).rotating()
    }

    /// The sink's outputs: its tables, or the one `payload` output (`None`).
    pub fn outputs(&self) -> Vec<Option<&RecordLayout>> {
        if self.tables.is_empty() {
            vec![None]
        } else {
            self.tables.iter().map(Some).collect()
        }
    }

    /// An output's path pattern: `path` with `{table}` replaced by the table's name.
    pub fn output_path(&self, table: Option<&RecordLayout>) -> String {
        match table {
            Some(t) => self.path.replace(TABLE_TOKEN, &t.name),
            None => self.path.clone(),
        }
    }

    /// Names of the optional columns after the payload or a table's fields.
    fn extra_columns(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        for (on, name) in [
            (self.recv_ts, "recv_ts"),
            (self.producer_id, "producer_id"),
            (self.seq, "seq"),
        ] {
            if on {
                names.push(name);
            }
        }
        names
    }
}

/// The path pattern's token for a table's name.
pub const TABLE_TOKEN: &str = "{table}";

/// Checks the configuration.
pub fn validate(config: &SinkConfig) -> Result<Limits> {
    if config.path.is_empty() {
        return Err(Error::invalid("sink path is empty"));
    }
    if config.path.contains('\0') {
        return Err(Error::invalid("sink path contains a NUL byte"));
    }
    if config.row_group_rows == 0 {
        return Err(Error::invalid("row_group_rows must be at least 1"));
    }
    if config.row_group_rows > i32::MAX as usize {
        return Err(Error::invalid(format!(
            "row_group_rows must be at most {}, got {}",
            i32::MAX,
            config.row_group_rows
        )));
    }
    if config.max_producers == 0 {
        return Err(Error::invalid("max_producers must be at least 1"));
    }
    if config.ring_bytes < 4096 || config.ring_bytes > (1 << 40) {
        return Err(Error::invalid(format!(
            "ring_bytes must be between 4096 and 2^40, got {}",
            config.ring_bytes
        )));
    }
    let ring_bytes = config.ring_bytes.next_power_of_two();
    let extra_len = 8 * (config.recv_ts as usize + config.seq as usize);
    let ring_max = ring::max_payload(ring_bytes, extra_len);
    validate_tables(config, ring_max)?;
    let max_payload = match config.tables.iter().map(|t| t.record_bytes as usize).max() {
        // A typed sink takes records of its tables' lengths only (checked per call).
        Some(longest) => longest,
        None => config
            .max_record_bytes
            .unwrap_or(DEFAULT_MAX_RECORD.min(ring_max)),
    };
    if max_payload > MAX_RECORD_BYTES {
        return Err(Error::invalid(format!(
            "max_record_bytes {max_payload} is over the largest record the sink takes, {MAX_RECORD_BYTES} bytes (one value must fit a Parquet page)"
        )));
    }
    if max_payload > ring_max {
        return Err(Error::invalid(format!(
            "max_record_bytes {max_payload} does not fit a ring of {ring_bytes} bytes (at most {ring_max}); raise ring_bytes"
        )));
    }
    let rotating = config.rotate_rows.is_some()
        || config.rotate_bytes.is_some()
        || config.rotate_age.is_some();
    if rotating && !config.rotating() {
        return Err(Error::invalid(format!(
            "rotation needs {{seq}} in the path pattern so files never overwrite each other, got '{}'",
            config.path
        )));
    }
    if config.rotate_rows == Some(0) || config.rotate_bytes == Some(0) {
        return Err(Error::invalid("rotation limits must be positive"));
    }
    if config.retry_backoff.is_zero() {
        return Err(Error::invalid("retry_backoff must be positive"));
    }
    for output in config.outputs() {
        FileWriter::validate(
            &output_columns(config, output),
            &output_writer_options(config, output),
        )
        .map_err(|e| match output {
            Some(t) => Error::invalid(format!("table '{}': {}", t.name, e.message)),
            None => e,
        })?;
    }
    Ok(Limits {
        ring_bytes,
        max_payload,
        extra_len,
    })
}

/// Checks the tables and how the path pattern names their files.
fn validate_tables(config: &SinkConfig, ring_max: usize) -> Result<()> {
    let has_token = config.path.contains(TABLE_TOKEN);
    match config.tables.len() {
        0 if has_token => {
            return Err(Error::invalid(format!(
                "the path pattern '{}' has {TABLE_TOKEN} but the sink has no tables",
                config.path
            )))
        }
        0 | 1 => {}
        n if !has_token => {
            return Err(Error::invalid(format!(
                "{n} tables need {TABLE_TOKEN} in the path pattern so each gets its own files, got '{}'",
                config.path
            )))
        }
        _ => {}
    }
    if config.tables.len() > MAX_TABLES {
        return Err(Error::invalid(format!(
            "a sink takes at most {MAX_TABLES} tables, got {}",
            config.tables.len()
        )));
    }
    let reserved = config.extra_columns();
    for (i, table) in config.tables.iter().enumerate() {
        table.validate(&reserved)?;
        if config.tables[..i].iter().any(|t| t.name == table.name) {
            return Err(Error::invalid(format!(
                "duplicate table name '{}'",
                table.name
            )));
        }
        let bytes = table.record_bytes as usize;
        if bytes > ring_max || bytes > MAX_RECORD_BYTES {
            return Err(Error::invalid(format!(
                "table '{}': records of {bytes} bytes do not fit a ring of {} bytes (at most {}); raise ring_bytes",
                table.name,
                config.ring_bytes.next_power_of_two(),
                ring_max.min(MAX_RECORD_BYTES)
            )));
        }
        if let Some(limit) = config.max_record_bytes.filter(|&m| m < bytes) {
            return Err(Error::invalid(format!(
                "table '{}': records of {bytes} bytes are over max_record_bytes ({limit})",
                table.name
            )));
        }
    }
    Ok(())
}

/// The row-group size the C++ and C APIs give a sink with tables when none is asked for (a
/// typed record is a few narrow columns: row groups of 16,384 rows, the payload default, leave
/// each column chunk a few dozen KiB, which compress and amortize dictionaries worse; measured
/// in docs/BENCHMARKS.md).
pub const TYPED_ROW_GROUP_ROWS: usize = 131_072;

/// Most tables in one sink (each has its own open file). The ring frame's tag carries the
/// table's index, which has room for far more.
pub const MAX_TABLES: usize = 4096;

/// The options an output's files are written with: the configured ones, with the encodings that
/// suit its columns where the configuration names none. A table's fields get theirs (see
/// `RecordField::default_encoding`); a blob payload is PLAIN (captured messages rarely repeat
/// whole, so a dictionary would only cost); the climbing `recv_ts` and `seq` get
/// DELTA_BINARY_PACKED (a few bits per row instead of eight bytes); `producer_id` keeps the
/// default dictionary.
pub fn output_writer_options(config: &SinkConfig, table: Option<&RecordLayout>) -> WriterOptions {
    let mut options = config.writer.clone();
    let mut defaults: Vec<(String, Encoding)> = match table {
        Some(t) => t.encodings(),
        None => vec![("payload".into(), Encoding::Plain)],
    };
    defaults.push(("recv_ts".into(), Encoding::DeltaBinaryPacked));
    defaults.push(("seq".into(), Encoding::DeltaBinaryPacked));
    let columns = output_columns(config, table);
    let chosen = |name: &str| options.column_encodings.iter().any(|(n, _)| n == name);
    let mut encodings: Vec<(String, Encoding)> = defaults
        .into_iter()
        .filter(|(name, _)| columns.iter().any(|c| c.name == *name) && !chosen(name))
        .collect();
    encodings.append(&mut options.column_encodings);
    options.column_encodings = encodings;
    options
}

/// The columns of the sink's files without tables, in file order.
pub fn sink_columns(config: &SinkConfig) -> Vec<Column> {
    output_columns(config, None)
}

/// An output's columns, in file order: the payload or the table's fields, then the optional
/// columns.
pub fn output_columns(config: &SinkConfig, table: Option<&RecordLayout>) -> Vec<Column> {
    let mut columns = match table {
        Some(t) => t.columns(),
        None => vec![Column::new(
            "payload",
            PhysicalType::ByteArray,
            Repetition::Required,
        )],
    };
    if config.recv_ts {
        columns.push(Column {
            logical: LogicalType::Timestamp {
                unit: config.recv_ts_unit,
                utc: true,
            },
            ..Column::new("recv_ts", PhysicalType::Int64, Repetition::Required)
        });
    }
    if config.producer_id {
        columns.push(Column::new(
            "producer_id",
            PhysicalType::Int32,
            Repetition::Required,
        ));
    }
    if config.seq {
        columns.push(Column::new(
            "seq",
            PhysicalType::Int64,
            Repetition::Required,
        ));
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_are_explained() {
        let mut c = SinkConfig {
            path: "x.parquet".into(),
            rotate_rows: Some(10),
            ..SinkConfig::default()
        };
        assert!(validate(&c).unwrap_err().message.contains("{seq}"));
        c.rotate_rows = None;
        c.max_record_bytes = Some(1 << 29);
        assert!(validate(&c)
            .unwrap_err()
            .message
            .contains("raise ring_bytes"));
    }

    /// Defect: a limit over what the ring's 32-bit length field holds used to be accepted and
    /// truncated (`as u32`), corrupting the ring's framing.
    #[test]
    fn record_limits_beyond_a_page_or_the_frame_length_are_refused() {
        let c = SinkConfig {
            path: "x.parquet".into(),
            ring_bytes: 1 << 40,
            max_record_bytes: Some(5 << 30),
            ..SinkConfig::default()
        };
        let e = validate(&c).unwrap_err();
        assert!(e.message.contains("largest record"), "{e}");
        let c = SinkConfig {
            max_record_bytes: Some(MAX_RECORD_BYTES),
            ..c
        };
        assert_eq!(validate(&c).unwrap().max_payload, MAX_RECORD_BYTES);
    }
}
