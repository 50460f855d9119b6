//! The cxx bridge: the only place Rust meets C++. The C++ classes in `cpp/` wrap these items;
//! public headers never show them.
//!
//! Every function here returns a `Status` instead of panicking or unwinding: a panic inside is
//! caught and reported as an internal error, so no panic ever crosses into the host process.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{panic_message, Error, ErrorKind, Result};
use crate::parquet::{
    inspect, recover, Codec, Column, ColumnInput, Durability, Encoding, FieldType, FileWriter,
    LogicalType, PhysicalType, RecordColumns, RecordField, RecordLayout, Repetition,
    StatisticsLevel, TimeUnit, WriterOptions,
};
use crate::sink::{
    ClockSource, DetachedProducer, Overflow, Producer, Sink, SinkConfig, SinkStats,
    TYPED_ROW_GROUP_ROWS,
};

#[cxx::bridge(namespace = "parquet_flow::bridge")]
mod ffi {
    // The code tables, defined here once: the core's enums are tied to them by the tests at the
    // end of this file, and the C++ enums and the C ABI's PF_* codes by static_asserts in
    // cpp/codes.cpp, so a renumbered code fails to build instead of meaning something else.
    #[repr(u8)]
    enum StatusCode {
        Ok = 0,
        InvalidArgument = 1,
        NotOpen = 2,
        Internal = 3,
        OutOfMemory = 4,
    }

    #[repr(u8)]
    enum PhysicalCode {
        Boolean = 0,
        Int32 = 1,
        Int64 = 2,
        Int96 = 3,
        Float = 4,
        Double = 5,
        ByteArray = 6,
        FixedLenByteArray = 7,
    }

    #[repr(u8)]
    enum RepetitionCode {
        Required = 0,
        Optional = 1,
        Repeated = 2,
    }

    #[repr(u8)]
    enum CodecCode {
        Uncompressed = 0,
        Snappy = 1,
        Gzip = 2,
        Zstd = 6,
        Lz4Raw = 7,
    }

    #[repr(u8)]
    enum EncodingCode {
        Plain = 0,
        DeltaBinaryPacked = 5,
        DeltaLengthByteArray = 6,
        DeltaByteArray = 7,
        RleDictionary = 8,
        ByteStreamSplit = 9,
    }

    #[repr(u8)]
    enum StatisticsCode {
        None = 0,
        Chunk = 1,
        Page = 2,
    }

    #[repr(u8)]
    enum ClockCode {
        Auto = 0,
        System = 1,
    }

    #[repr(u8)]
    enum OverflowCode {
        Drop = 0,
        Block = 1,
    }

    #[repr(u8)]
    enum DurabilityCode {
        OnClose = 0,
        RowGroup = 1,
        Sync = 2,
    }

    #[repr(u8)]
    enum TimeUnitCode {
        Millis = 0,
        Micros = 1,
        Nanos = 2,
    }

    #[repr(u8)]
    enum FieldCode {
        Bool = 0,
        Int8 = 1,
        Int16 = 2,
        Int32 = 3,
        Int64 = 4,
        UInt8 = 5,
        UInt16 = 6,
        UInt32 = 7,
        UInt64 = 8,
        Float = 9,
        Double = 10,
        Chars = 11,
        Bytes = 12,
    }

    #[repr(u8)]
    enum LogicalCode {
        None = 0,
        String = 1,
        Enum = 2,
        Json = 3,
        Uuid = 4,
        Date = 5,
        Time = 6,
        Timestamp = 7,
        Integer = 8,
        Decimal = 9,
    }

    /// A logical annotation: `kind` is a `LogicalCode`; the fields after it apply to the kinds
    /// that use them. The one form of it in every spec below.
    struct LogicalSpec {
        kind: u8,
        /// `TimeUnitCode` of TIME and TIMESTAMP.
        time_unit: u8,
        utc: bool,
        int_bits: u8,
        int_signed: bool,
        precision: i32,
        scale: i32,
    }

    /// One column of the schema.
    struct ColumnSpec<'a> {
        name: &'a [u8],
        physical: u8,
        repetition: u8,
        type_length: u32,
        logical: LogicalSpec,
        /// A codec code for this column, or -1 for the file's codec.
        codec: i16,
        /// A `StatisticsCode` for this column, or -1 for the file's level.
        statistics: i16,
        /// An `EncodingCode` for this column, or -1 for the default.
        encoding: i16,
    }

    /// One field of a table's record layout (see `parquet::records`). `field_type` is a
    /// `FieldCode`.
    struct FieldSpec<'a> {
        name: &'a [u8],
        offset: u32,
        field_type: i32,
        length: u32,
        logical: LogicalSpec,
        /// An `EncodingCode`, or -1 for the library's choice.
        encoding: i32,
    }

    /// A table of a sink: its fields are `fields[first_field..first_field + field_count]` of
    /// the list passed beside it.
    struct TableSpec<'a> {
        name: &'a [u8],
        record_bytes: u32,
        first_field: u64,
        field_count: u64,
    }

    /// A column as the core made it (a table writer's schema, for C++'s `Writer::schema()`).
    struct ColumnInfo {
        name: String,
        physical: u8,
        type_length: u32,
        logical: LogicalSpec,
        /// The `EncodingCode` the column is written with.
        encoding: u8,
    }

    struct KeyValue<'a> {
        key: &'a [u8],
        value: &'a [u8],
    }

    /// File settings; negative or zero numbers select the defaults.
    struct WriterConfig<'a> {
        path: &'a [u8],
        codec: u8,
        gzip_level: i32,
        /// i32::MIN: the default.
        zstd_level: i32,
        data_page_size: u64,
        created_by: &'a [u8],
        /// `Durability` code: 0 on close, 1 per row group, 2 per row group with fsync.
        durability: u8,
        /// `StatisticsCode` of every column that does not set its own.
        statistics: u8,
        /// 0: one per core (up to 4).
        compression_threads: u32,
    }

    /// One column's data for a row group; the `has_*` flags tell absent from empty.
    struct ColumnSlices<'a> {
        values: &'a [u8],
        offsets: &'a [u32],
        def_levels: &'a [u8],
        rep_levels: &'a [u8],
        has_offsets: bool,
        has_def_levels: bool,
        has_rep_levels: bool,
        /// The physical type code the values were typed as, or -1 when unknown.
        declared_type: i16,
    }

    /// `code` 0 is success; otherwise an `ErrorKind` code and its message.
    struct Status {
        code: u8,
        message: String,
    }

    struct WriterTotals {
        rows: u64,
        row_groups: u64,
        bytes: u64,
    }

    /// Sink settings; 0 (or -1 for durations) selects the default, see `sink.hpp`.
    struct SinkSettings<'a> {
        path: &'a [u8],
        ring_bytes: u64,
        max_record_bytes: u64,
        max_producers: u64,
        row_group_rows: u64,
        /// -1 default, 0 never, else nanoseconds.
        flush_interval_ns: i64,
        recv_ts: bool,
        /// `TimeUnitCode` of the recv_ts column.
        recv_ts_unit: u8,
        producer_id: bool,
        seq: bool,
        codec: u8,
        gzip_level: i32,
        /// i32::MIN: the default.
        zstd_level: i32,
        data_page_size: u64,
        rotate_rows: u64,
        rotate_bytes: u64,
        rotate_age_ns: i64,
        durability: u8,
        /// 0: default (100 ms).
        retry_backoff_ns: i64,
        /// Recover the pattern's abandoned `.inprogress` files at start.
        recover_at_start: bool,
        /// 0: one per core (up to 4).
        compression_threads: u32,
        /// `StatisticsCode` of the sink's columns.
        statistics: u8,
        /// `OverflowCode`: what try_record does when the ring is full.
        overflow: u8,
        /// `ClockCode`: where try_record takes recv_ts from.
        recv_ts_clock: u8,
        worker_delay_ns: i64,
    }

    struct SinkCounters {
        attempted: u64,
        accepted: u64,
        dropped_full: u64,
        dropped_oversize: u64,
        dropped_closed: u64,
        dropped_failed: u64,
        rows_written: u64,
        row_groups: u64,
        files: u64,
        bytes_written: u64,
        ring_high_water: u64,
        producers: u64,
        rows_durable: u64,
        io_errors: u64,
        retries: u64,
        files_failed: u64,
        rows_lost: u64,
        files_recovered: u64,
        rows_recovered: u64,
        files_unrecoverable: u64,
        blocked: u64,
        blocked_ns: u64,
        dropped_invalid: u64,
    }

    /// What `recover_file` found and did (see `parquet::recover`).
    struct Recovered {
        was_complete: bool,
        rows: u64,
        row_groups: u64,
        bytes: u64,
        truncated_bytes: u64,
    }

    extern "Rust" {
        type WriterCore;
        type SinkCore;
        type ProducerCore;

        /// `tables` empty: the one `payload` column; else typed tables whose fields are
        /// ranges of `fields`.
        fn open_sink(
            settings: &SinkSettings,
            tables: &[TableSpec],
            fields: &[FieldSpec],
            status: &mut Status,
        ) -> Box<SinkCore>;
        fn new_producer(self: &SinkCore, status: &mut Status) -> Box<ProducerCore>;
        fn flush(self: &SinkCore) -> Status;
        #[cxx_name = "close"]
        fn close_sink(self: &mut SinkCore) -> Status;
        fn counters(self: &SinkCore) -> SinkCounters;
        /// The worker's latest I/O error message; empty if none.
        fn last_error(self: &SinkCore) -> String;

        /// The core's version, "major.minor.patch" (rust/Cargo.toml, the one place it is set).
        fn core_version() -> &'static str;

        /// Cuts an unfinished file back to its last intact footer (see `parquet::recover`).
        fn recover_file(path: &[u8], recovered: &mut Recovered) -> Status;

        /// What a Parquet file holds, as text or JSON, with its first `rows` rows (see
        /// `parquet::inspect`); `rows_error` says why those could not be read.
        fn inspect_file(
            path: &[u8],
            rows: u64,
            json: bool,
            report: &mut String,
            rows_error: &mut String,
        ) -> Status;

        /// The hot path: never blocks, allocates or throws. A pointer and a length rather than
        /// a slice: cxx builds a `rust::Slice` through an out-of-line call, which the hot path
        /// need not pay. `data` points to `len` readable bytes (any pointer when `len` is 0).
        unsafe fn try_record(self: &mut ProducerCore, data: *const u8, len: usize) -> bool;
        unsafe fn try_record_at(
            self: &mut ProducerCore,
            data: *const u8,
            len: usize,
            recv_ts_ns: i64,
        ) -> bool;
        unsafe fn try_record_table(
            self: &mut ProducerCore,
            table: u32,
            data: *const u8,
            len: usize,
        ) -> bool;
        unsafe fn try_record_table_at(
            self: &mut ProducerCore,
            table: u32,
            data: *const u8,
            len: usize,
            recv_ts_ns: i64,
        ) -> bool;
        fn id(self: &ProducerCore) -> u32;
        /// What a moved-from C++ producer keeps: a handle without a ring that counts every
        /// attempt as a drop in the same sink.
        fn detached(self: &ProducerCore) -> Box<ProducerCore>;

        fn open_writer(
            config: &WriterConfig,
            columns: &[ColumnSpec],
            key_value_metadata: &[KeyValue],
            status: &mut Status,
        ) -> Box<WriterCore>;
        /// Writes a row group of `row_count` rows, or, with `implied_rows`, of as many rows as
        /// the first column has values (for inputs without levels).
        fn write_row_group(
            self: &mut WriterCore,
            row_count: u64,
            implied_rows: bool,
            columns: &[ColumnSlices],
        ) -> Status;
        /// A writer of one table's records (`tables` holds exactly one): its columns are the
        /// table's fields (see `parquet::records`).
        fn open_table_writer(
            config: &WriterConfig,
            tables: &[TableSpec],
            fields: &[FieldSpec],
            key_value_metadata: &[KeyValue],
            status: &mut Status,
        ) -> Box<WriterCore>;
        /// Whole records of the writer's table, back to back, as one row group.
        fn write_records(self: &mut WriterCore, records: &[u8]) -> Status;
        /// The file's columns.
        fn columns(self: &WriterCore) -> Vec<ColumnInfo>;
        fn close(self: &mut WriterCore, totals: &mut WriterTotals) -> Status;
        fn totals(self: &WriterCore) -> WriterTotals;
    }
}

pub use ffi::{
    ColumnInfo, ColumnSlices, ColumnSpec, FieldSpec, KeyValue, LogicalSpec, Recovered,
    SinkCounters, SinkSettings, Status, TableSpec, WriterConfig, WriterTotals,
};

/// Logical kind codes: the bridge's `LogicalCode` table.
mod logical_kind {
    use super::ffi::LogicalCode;
    pub const NONE: u8 = LogicalCode::None.repr;
    pub const STRING: u8 = LogicalCode::String.repr;
    pub const ENUM: u8 = LogicalCode::Enum.repr;
    pub const JSON: u8 = LogicalCode::Json.repr;
    pub const UUID: u8 = LogicalCode::Uuid.repr;
    pub const DATE: u8 = LogicalCode::Date.repr;
    pub const TIME: u8 = LogicalCode::Time.repr;
    pub const TIMESTAMP: u8 = LogicalCode::Timestamp.repr;
    pub const INTEGER: u8 = LogicalCode::Integer.repr;
    pub const DECIMAL: u8 = LogicalCode::Decimal.repr;
}

fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

fn ok() -> Status {
    Status {
        code: 0,
        message: String::new(),
    }
}

fn status_of(result: Result<()>) -> Status {
    match result {
        Ok(()) => ok(),
        Err(e) => Status {
            code: e.kind as u8,
            message: e.message,
        },
    }
}

/// Runs `f`, turning a panic into an internal error instead of unwinding into C++.
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(Error {
            kind: ErrorKind::Internal,
            message: format!("internal error in {what}: {}", panic_message(&*payload)),
        }),
    }
}

fn utf8<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str> {
    std::str::from_utf8(bytes)
        .map_err(|e| Error::invalid(format!("{what} is not valid UTF-8: {e}")))
}

fn codec_from(code: i64, what: &str) -> Result<Codec> {
    Codec::from_code(code).ok_or_else(|| {
        Error::invalid(format!(
            "{what}: unknown compression code {code} (0 UNCOMPRESSED, 1 SNAPPY, 2 GZIP, 6 ZSTD, 7 LZ4_RAW)"
        ))
    })
}

fn statistics_from(code: i64, what: &str) -> Result<StatisticsLevel> {
    StatisticsLevel::from_code(code).ok_or_else(|| {
        Error::invalid(format!(
            "{what}: unknown statistics level {code} (0 none, 1 chunk, 2 page)"
        ))
    })
}

impl LogicalSpec {
    /// The annotation the spec gives; `what` names the column or field for error messages.
    fn parse(&self, what: &str) -> Result<LogicalType> {
        let unit = || {
            TimeUnit::from_code(self.time_unit.into()).ok_or_else(|| {
                Error::invalid(format!(
                    "{what}: unknown time unit code {} (0 millis, 1 micros, 2 nanos)",
                    self.time_unit
                ))
            })
        };
        Ok(match self.kind {
            logical_kind::NONE => LogicalType::None,
            logical_kind::STRING => LogicalType::String,
            logical_kind::ENUM => LogicalType::Enum,
            logical_kind::JSON => LogicalType::Json,
            logical_kind::UUID => LogicalType::Uuid,
            logical_kind::DATE => LogicalType::Date,
            logical_kind::TIME => LogicalType::Time {
                unit: unit()?,
                utc: self.utc,
            },
            logical_kind::TIMESTAMP => LogicalType::Timestamp {
                unit: unit()?,
                utc: self.utc,
            },
            logical_kind::INTEGER => LogicalType::Integer {
                bits: self.int_bits,
                signed: self.int_signed,
            },
            logical_kind::DECIMAL => LogicalType::Decimal {
                precision: self.precision,
                scale: self.scale,
            },
            _ => {
                return Err(Error::invalid(format!(
                    "{what}: unknown logical type code {}",
                    self.kind
                )))
            }
        })
    }
}

/// An encoding code, or a negative one for the default.
fn encoding_from(code: i64, what: &str) -> Result<Option<Encoding>> {
    if code < 0 {
        return Ok(None);
    }
    Encoding::from_code(code).map(Some).ok_or_else(|| {
        Error::invalid(format!(
            "{what}: unknown encoding code {code} (0 PLAIN, 5 DELTA_BINARY_PACKED, 6 DELTA_LENGTH_BYTE_ARRAY, 7 DELTA_BYTE_ARRAY, 8 RLE_DICTIONARY, 9 BYTE_STREAM_SPLIT)"
        ))
    })
}

/// The sink's tables from the bridge's specs (their layouts are checked by `Sink::open`).
fn tables_from(tables: &[TableSpec<'_>], fields: &[FieldSpec<'_>]) -> Result<Vec<RecordLayout>> {
    tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let name = utf8(t.name, "table name")?;
            let table = format!("table '{name}'");
            let range = usize::try_from(t.first_field)
                .ok()
                .zip(usize::try_from(t.field_count).ok())
                .and_then(|(first, count)| fields.get(first..first.checked_add(count)?))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "{table} (index {i}): its fields lie outside the field list"
                    ))
                })?;
            let fields = range
                .iter()
                .map(|f| {
                    let field = utf8(f.name, &format!("{table}: a field name"))?;
                    let what = format!("{table}, field '{field}'");
                    Ok(RecordField {
                        name: field.to_string(),
                        offset: f.offset,
                        ty: FieldType::from_code(f.field_type.into()).ok_or_else(|| {
                            Error::invalid(format!(
                                "{what}: unknown field type code {} (0 BOOL .. 12 BYTES)",
                                f.field_type
                            ))
                        })?,
                        length: f.length,
                        logical: f.logical.parse(&what)?,
                        encoding: encoding_from(f.encoding.into(), &what)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(RecordLayout {
                name: name.to_string(),
                fields,
                record_bytes: t.record_bytes,
            })
        })
        .collect()
}

/// A column of a writer's schema, and the settings it overrides.
struct ColumnChoice {
    column: Column,
    codec: Option<Codec>,
    statistics: Option<StatisticsLevel>,
    encoding: Option<Encoding>,
}

fn column_from(spec: &ColumnSpec<'_>) -> Result<ColumnChoice> {
    let name = utf8(spec.name, "column name")?;
    let physical = PhysicalType::from_code(spec.physical.into()).ok_or_else(|| {
        Error::invalid(format!(
            "column '{name}': unknown physical type code {} (0..7)",
            spec.physical
        ))
    })?;
    let repetition = Repetition::from_code(spec.repetition.into()).ok_or_else(|| {
        Error::invalid(format!(
            "column '{name}': unknown repetition code {} (0 required, 1 optional, 2 repeated)",
            spec.repetition
        ))
    })?;
    let logical = spec.logical.parse(&format!("column '{name}'"))?;
    let codec = if spec.codec < 0 {
        None
    } else {
        Some(codec_from(spec.codec.into(), &format!("column '{name}'"))?)
    };
    let statistics = if spec.statistics < 0 {
        None
    } else {
        Some(statistics_from(
            spec.statistics.into(),
            &format!("column '{name}'"),
        )?)
    };
    let encoding = encoding_from(spec.encoding.into(), &format!("column '{name}'"))?;
    Ok(ColumnChoice {
        column: Column {
            name: name.to_string(),
            physical,
            repetition,
            type_length: spec.type_length,
            logical,
        },
        codec,
        statistics,
        encoding,
    })
}

fn durability_from(code: u8) -> Result<Durability> {
    Durability::from_code(code.into()).ok_or_else(|| {
        Error::invalid(format!(
            "unknown durability code {code} (0 on close, 1 per row group, 2 per row group with fsync)"
        ))
    })
}

fn recover_file(path: &[u8], recovered: &mut Recovered) -> Status {
    status_of(guarded("recover", || {
        if path.is_empty() {
            return Err(Error::invalid("path is empty"));
        }
        let r = recover(std::path::Path::new(OsStr::from_bytes(path)))?;
        *recovered = Recovered {
            was_complete: r.was_complete,
            rows: r.rows,
            row_groups: r.row_groups,
            bytes: r.bytes,
            truncated_bytes: r.truncated_bytes,
        };
        Ok(())
    }))
}

fn inspect_file(
    path: &[u8],
    rows: u64,
    json: bool,
    report: &mut String,
    rows_error: &mut String,
) -> Status {
    status_of(guarded("inspect", || {
        if path.is_empty() {
            return Err(Error::invalid("path is empty"));
        }
        let info = inspect::inspect(std::path::Path::new(OsStr::from_bytes(path)), rows)?;
        *report = if json {
            inspect::render_json(&info)
        } else {
            inspect::render_text(&info)
        };
        *rows_error = match &info.rows {
            Some(inspect::Rows::Failed(e)) => e.clone(),
            _ => String::new(),
        };
        Ok(())
    }))
}

fn options_from(
    config: &WriterConfig<'_>,
    choices: &[ColumnChoice],
    key_value_metadata: &[KeyValue<'_>],
) -> Result<WriterOptions> {
    let mut options = WriterOptions {
        codec: codec_from(config.codec.into(), "file")?,
        statistics: statistics_from(config.statistics.into(), "file")?,
        ..WriterOptions::default()
    };
    for choice in choices {
        let name = &choice.column.name;
        if let Some(codec) = choice.codec {
            options.column_codecs.push((name.clone(), codec));
        }
        if let Some(level) = choice.statistics {
            options.column_statistics.push((name.clone(), level));
        }
        if let Some(encoding) = choice.encoding {
            options.column_encodings.push((name.clone(), encoding));
        }
    }
    if config.gzip_level >= 0 {
        options.gzip_level = config.gzip_level as u32;
    }
    if config.zstd_level != i32::MIN {
        options.zstd_level = config.zstd_level;
    }
    options.compression_threads = config.compression_threads as usize;
    if config.data_page_size > 0 {
        options.data_page_size = usize::try_from(config.data_page_size).unwrap_or(usize::MAX);
    }
    options.durability = durability_from(config.durability)?;
    if !config.created_by.is_empty() {
        options.created_by = utf8(config.created_by, "created_by")?.to_string();
    }
    for kv in key_value_metadata {
        let key = utf8(kv.key, "key/value metadata key")?;
        let value = utf8(kv.value, &format!("value of metadata key '{key}'"))?;
        options
            .key_value_metadata
            .push((key.to_string(), value.to_string()));
    }
    Ok(options)
}

/// A Parquet file writer owned by a C++ `parquet_flow::Writer`.
pub struct WriterCore {
    writer: Option<FileWriter>,
    /// A table writer's layout and its reused column buffers.
    table: Option<(RecordLayout, RecordColumns)>,
}

fn open_table_writer(
    config: &WriterConfig<'_>,
    tables: &[TableSpec<'_>],
    fields: &[FieldSpec<'_>],
    key_value_metadata: &[KeyValue<'_>],
    status: &mut Status,
) -> Box<WriterCore> {
    let result = guarded("open_table_writer", || {
        let [layout]: [RecordLayout; 1] = tables_from(tables, fields)?
            .try_into()
            .map_err(|_| Error::invalid("a table writer takes exactly one table"))?;
        layout.validate(&[])?;
        let mut options = options_from(config, &[], key_value_metadata)?;
        options.column_encodings = layout.encodings();
        if config.path.is_empty() {
            return Err(Error::invalid("output path is empty"));
        }
        let path = std::path::Path::new(OsStr::from_bytes(config.path));
        let writer = FileWriter::create(path, layout.columns(), options)?;
        Ok((writer, layout))
    });
    let (writer, table, result) = match result {
        Ok((w, layout)) => (Some(w), Some((layout, RecordColumns::default())), Ok(())),
        Err(e) => (None, None, Err(e)),
    };
    *status = status_of(result);
    Box::new(WriterCore { writer, table })
}

impl LogicalSpec {
    /// The spec of an annotation (what `parse` reads back).
    fn of(l: LogicalType) -> LogicalSpec {
        let mut spec = LogicalSpec {
            kind: logical_kind::NONE,
            time_unit: 0,
            utc: false,
            int_bits: 0,
            int_signed: false,
            precision: 0,
            scale: 0,
        };
        spec.kind = match l {
            LogicalType::None => logical_kind::NONE,
            LogicalType::String => logical_kind::STRING,
            LogicalType::Enum => logical_kind::ENUM,
            LogicalType::Json => logical_kind::JSON,
            LogicalType::Uuid => logical_kind::UUID,
            LogicalType::Date => logical_kind::DATE,
            LogicalType::Time { unit, utc } | LogicalType::Timestamp { unit, utc } => {
                spec.time_unit = unit as u8;
                spec.utc = utc;
                if matches!(l, LogicalType::Time { .. }) {
                    logical_kind::TIME
                } else {
                    logical_kind::TIMESTAMP
                }
            }
            LogicalType::Integer { bits, signed } => {
                spec.int_bits = bits;
                spec.int_signed = signed;
                logical_kind::INTEGER
            }
            LogicalType::Decimal { precision, scale } => {
                spec.precision = precision;
                spec.scale = scale;
                logical_kind::DECIMAL
            }
        };
        spec
    }
}

fn open_writer(
    config: &WriterConfig<'_>,
    columns: &[ColumnSpec<'_>],
    key_value_metadata: &[KeyValue<'_>],
    status: &mut Status,
) -> Box<WriterCore> {
    let result = guarded("open_writer", || {
        let choices = columns
            .iter()
            .map(column_from)
            .collect::<Result<Vec<_>>>()?;
        let options = options_from(config, &choices, key_value_metadata)?;
        let schema = choices.into_iter().map(|c| c.column).collect();
        let path = std::path::Path::new(OsStr::from_bytes(config.path));
        if config.path.is_empty() {
            return Err(Error::invalid("output path is empty"));
        }
        FileWriter::create(path, schema, options)
    });
    let (writer, result) = match result {
        Ok(w) => (Some(w), Ok(())),
        Err(e) => (None, Err(e)),
    };
    *status = status_of(result);
    Box::new(WriterCore {
        writer,
        table: None,
    })
}

fn input_from<'a>(slices: &ColumnSlices<'a>) -> ColumnInput<'a> {
    ColumnInput {
        values: slices.values,
        offsets: slices.has_offsets.then_some(slices.offsets),
        def_levels: slices.has_def_levels.then_some(slices.def_levels),
        rep_levels: slices.has_rep_levels.then_some(slices.rep_levels),
        declared_type: u8::try_from(slices.declared_type)
            .ok()
            .and_then(|c| PhysicalType::from_code(c.into())),
        plain_encoded: false,
    }
}

impl WriterCore {
    fn writer(&mut self) -> Result<&mut FileWriter> {
        self.writer
            .as_mut()
            .ok_or_else(|| Error::state("writer was never opened"))
    }

    fn write_row_group(
        &mut self,
        row_count: u64,
        implied_rows: bool,
        columns: &[ColumnSlices<'_>],
    ) -> Status {
        status_of(guarded("write_row_group", || {
            let inputs: Vec<ColumnInput<'_>> = columns.iter().map(input_from).collect();
            self.write_inputs(row_count, implied_rows, &inputs)
        }))
    }

    fn write_inputs(
        &mut self,
        row_count: u64,
        implied_rows: bool,
        inputs: &[ColumnInput<'_>],
    ) -> Result<()> {
        let writer = self.writer()?;
        let rows = if implied_rows {
            match (writer.columns().first(), inputs.first()) {
                (Some(column), Some(input)) => crate::parquet::input::implied_rows(column, input)?,
                _ => 0,
            }
        } else {
            usize::try_from(row_count)
                .map_err(|_| Error::invalid(format!("row_count {row_count} is too large")))?
        };
        writer.write_row_group(rows, inputs)
    }

    fn write_records(&mut self, records: &[u8]) -> Status {
        status_of(guarded("write_records", || {
            let Some((layout, columns)) = self.table.as_mut() else {
                return Err(Error::invalid(
                    "write_records needs a writer opened with a table",
                ));
            };
            let size = layout.record_bytes as usize;
            if !records.len().is_multiple_of(size) {
                return Err(Error::invalid(format!(
                    "write_records: {} bytes are not whole records of table '{}' ({size} bytes each)",
                    records.len(),
                    layout.name
                )));
            }
            if records.is_empty() {
                return Ok(());
            }
            columns.fill(layout, records);
            let inputs: Vec<ColumnInput<'_>> = columns.inputs().collect();
            let rows = columns.rows();
            let writer = self
                .writer
                .as_mut()
                .ok_or_else(|| Error::state("writer was never opened"))?;
            writer.write_row_group(rows, &inputs)
        }))
    }

    fn columns(&self) -> Vec<ColumnInfo> {
        let Some(writer) = self.writer.as_ref() else {
            return Vec::new();
        };
        let encodings = self
            .table
            .as_ref()
            .map(|(l, _)| l.encodings())
            .unwrap_or_default();
        writer
            .columns()
            .iter()
            .map(|c| {
                let encoding = encodings.iter().find(|(n, _)| *n == c.name).map_or_else(
                    || crate::parquet::writer::default_encoding(c.physical),
                    |e| e.1,
                );
                ColumnInfo {
                    name: c.name.clone(),
                    physical: c.physical as u8,
                    type_length: c.type_length,
                    logical: LogicalSpec::of(c.logical),
                    encoding: encoding as u8,
                }
            })
            .collect()
    }

    fn close(&mut self, totals: &mut WriterTotals) -> Status {
        status_of(guarded("close", || {
            let summary = self.writer()?.close()?;
            *totals = WriterTotals {
                rows: summary.rows,
                row_groups: summary.row_groups,
                bytes: summary.bytes,
            };
            Ok(())
        }))
    }

    fn totals(&self) -> WriterTotals {
        self.writer.as_ref().map_or(
            WriterTotals {
                rows: 0,
                row_groups: 0,
                bytes: 0,
            },
            |w| WriterTotals {
                rows: w.rows_written(),
                row_groups: w.row_groups_written(),
                bytes: w.bytes_written(),
            },
        )
    }
}

/// A capture sink owned by a C++ `parquet_flow::Sink`.
pub struct SinkCore {
    sink: Option<Sink>,
}

/// A producer handle owned by a C++ `parquet_flow::Sink::Producer`: a producer, or (moved
/// from, or never opened) a detached handle that counts attempts as drops, or nothing.
pub struct ProducerCore {
    producer: Option<Producer>,
    detached: Option<DetachedProducer>,
}

fn duration(ns: i64) -> Option<std::time::Duration> {
    (ns > 0).then(|| std::time::Duration::from_nanos(ns as u64))
}

fn sink_config(s: &SinkSettings<'_>) -> Result<SinkConfig> {
    let mut config = SinkConfig {
        path: utf8(s.path, "sink path")?.to_string(),
        recv_ts: s.recv_ts,
        recv_ts_unit: TimeUnit::from_code(s.recv_ts_unit.into()).ok_or_else(|| {
            Error::invalid(format!(
                "unknown recv_ts time unit code {} (0 millis, 1 micros, 2 nanos)",
                s.recv_ts_unit
            ))
        })?,
        producer_id: s.producer_id,
        seq: s.seq,
        rotate_rows: (s.rotate_rows > 0).then_some(s.rotate_rows),
        rotate_bytes: (s.rotate_bytes > 0).then_some(s.rotate_bytes),
        rotate_age: duration(s.rotate_age_ns),
        retry_backoff: duration(s.retry_backoff_ns).unwrap_or(SinkConfig::default().retry_backoff),
        recover_at_start: s.recover_at_start,
        recv_ts_clock: ClockSource::from_code(s.recv_ts_clock.into()).ok_or_else(|| {
            Error::invalid(format!(
                "unknown recv_ts clock code {} (0 auto, 1 system)",
                s.recv_ts_clock
            ))
        })?,
        overflow: Overflow::from_code(s.overflow.into()).ok_or_else(|| {
            Error::invalid(format!(
                "unknown overflow policy code {} (0 drop, 1 block)",
                s.overflow
            ))
        })?,
        worker_delay: duration(s.worker_delay_ns).unwrap_or_default(),
        ..SinkConfig::default()
    };
    let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    if s.ring_bytes > 0 {
        config.ring_bytes = size(s.ring_bytes);
    }
    if s.max_record_bytes > 0 {
        config.max_record_bytes = Some(size(s.max_record_bytes));
    }
    if s.max_producers > 0 {
        config.max_producers = size(s.max_producers);
    }
    if s.row_group_rows > 0 {
        config.row_group_rows = size(s.row_group_rows);
    }
    if s.flush_interval_ns >= 0 {
        config.flush_interval = duration(s.flush_interval_ns);
    }
    config.writer.codec = codec_from(s.codec.into(), "sink")?;
    if s.gzip_level >= 0 {
        config.writer.gzip_level = s.gzip_level as u32;
    }
    if s.zstd_level != i32::MIN {
        config.writer.zstd_level = s.zstd_level;
    }
    config.writer.compression_threads = s.compression_threads as usize;
    config.writer.statistics = statistics_from(s.statistics.into(), "sink")?;
    if s.data_page_size > 0 {
        config.writer.data_page_size = size(s.data_page_size);
    }
    config.writer.durability = durability_from(s.durability)?;
    Ok(config)
}

fn open_sink(
    settings: &SinkSettings<'_>,
    tables: &[TableSpec<'_>],
    fields: &[FieldSpec<'_>],
    status: &mut Status,
) -> Box<SinkCore> {
    let result = guarded("open_sink", || {
        let mut config = sink_config(settings)?;
        config.tables = tables_from(tables, fields)?;
        if settings.row_group_rows == 0 && !config.tables.is_empty() {
            config.row_group_rows = TYPED_ROW_GROUP_ROWS;
        }
        Sink::open(config)
    });
    let (sink, result) = match result {
        Ok(sink) => (Some(sink), Ok(())),
        Err(e) => (None, Err(e)),
    };
    *status = status_of(result);
    Box::new(SinkCore { sink })
}

impl SinkCore {
    fn sink(&self) -> Result<&Sink> {
        self.sink
            .as_ref()
            .ok_or_else(|| Error::state("sink was never opened"))
    }

    fn new_producer(&self, status: &mut Status) -> Box<ProducerCore> {
        let result = guarded("new_producer", || self.sink()?.producer());
        let (producer, result) = match result {
            Ok(p) => (Some(p), Ok(())),
            Err(e) => (None, Err(e)),
        };
        *status = status_of(result);
        Box::new(ProducerCore {
            producer,
            detached: None,
        })
    }

    fn flush(&self) -> Status {
        status_of(guarded("flush", || self.sink()?.flush()))
    }

    fn close_sink(&mut self) -> Status {
        status_of(guarded("close", || match self.sink.as_mut() {
            Some(sink) => sink.close(),
            None => Err(Error::state("sink was never opened")),
        }))
    }

    fn counters(&self) -> SinkCounters {
        let s = self.sink.as_ref().map(Sink::stats).unwrap_or_default();
        let SinkStats {
            attempted,
            accepted,
            dropped_full,
            dropped_oversize,
            dropped_closed,
            dropped_failed,
            rows_written,
            row_groups,
            files,
            bytes_written,
            ring_high_water,
            producers,
            rows_durable,
            io_errors,
            retries,
            files_failed,
            rows_lost,
            files_recovered,
            rows_recovered,
            files_unrecoverable,
            blocked,
            blocked_ns,
            dropped_invalid,
        } = s;
        SinkCounters {
            attempted,
            accepted,
            dropped_full,
            dropped_oversize,
            dropped_closed,
            dropped_failed,
            rows_written,
            row_groups,
            files,
            bytes_written,
            ring_high_water,
            producers,
            rows_durable,
            io_errors,
            retries,
            files_failed,
            rows_lost,
            files_recovered,
            rows_recovered,
            files_unrecoverable,
            blocked,
            blocked_ns,
            dropped_invalid,
        }
    }

    fn last_error(&self) -> String {
        self.sink
            .as_ref()
            .and_then(Sink::error)
            .map(|e| e.message)
            .unwrap_or_default()
    }
}

/// The bytes a C++ caller passed as a pointer and a length.
///
/// # Safety
/// `data` points to `len` readable bytes that stay unchanged for the returned lifetime, or `len`
/// is 0 (then `data` may be anything, null included).
#[inline(always)]
unsafe fn caller_bytes<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: the caller's promise above.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

impl ProducerCore {
    /// # Safety
    /// As [`caller_bytes`], for `data` and `len`.
    #[inline]
    unsafe fn try_record(&mut self, data: *const u8, len: usize) -> bool {
        // SAFETY: forwarded from the caller.
        let payload = unsafe { caller_bytes(data, len) };
        match self.producer.as_mut() {
            Some(p) => p.try_record(payload),
            None => self.dropped(),
        }
    }

    /// # Safety
    /// As [`caller_bytes`], for `data` and `len`.
    #[inline]
    unsafe fn try_record_at(&mut self, data: *const u8, len: usize, recv_ts_ns: i64) -> bool {
        // SAFETY: forwarded from the caller.
        let payload = unsafe { caller_bytes(data, len) };
        match self.producer.as_mut() {
            Some(p) => p.try_record_at(payload, recv_ts_ns),
            None => self.dropped(),
        }
    }

    /// # Safety
    /// As [`caller_bytes`], for `data` and `len`.
    #[inline]
    unsafe fn try_record_table(&mut self, table: u32, data: *const u8, len: usize) -> bool {
        // SAFETY: forwarded from the caller.
        let record = unsafe { caller_bytes(data, len) };
        match self.producer.as_mut() {
            Some(p) => p.try_record_table(table, record),
            None => self.dropped(),
        }
    }

    /// # Safety
    /// As [`caller_bytes`], for `data` and `len`.
    #[inline]
    unsafe fn try_record_table_at(
        &mut self,
        table: u32,
        data: *const u8,
        len: usize,
        recv_ts_ns: i64,
    ) -> bool {
        // SAFETY: forwarded from the caller.
        let record = unsafe { caller_bytes(data, len) };
        match self.producer.as_mut() {
            Some(p) => p.try_record_table_at(table, record, recv_ts_ns),
            None => self.dropped(),
        }
    }

    #[cold]
    fn dropped(&self) -> bool {
        if let Some(d) = &self.detached {
            d.record_attempt();
        }
        false
    }

    fn detached(&self) -> Box<ProducerCore> {
        let detached = match (&self.producer, &self.detached) {
            (Some(p), _) => Some(p.detached()),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        };
        Box::new(ProducerCore {
            producer: None,
            detached,
        })
    }

    fn id(&self) -> u32 {
        self.producer.as_ref().map_or(u32::MAX, Producer::id)
    }
}

#[cfg(test)]
mod tests {
    use super::ffi::{
        ClockCode, CodecCode, DurabilityCode, EncodingCode, FieldCode, OverflowCode, PhysicalCode,
        RepetitionCode, StatisticsCode, StatusCode, TimeUnitCode,
    };
    use crate::error::ErrorKind;
    use crate::parquet::{
        Codec, Durability, Encoding, FieldType, PhysicalType, Repetition, StatisticsLevel, TimeUnit,
    };
    use crate::sink::{ClockSource, Overflow};

    /// Every annotation reads back from the spec it is sent as.
    #[test]
    fn logical_specs_read_back_as_written() {
        use super::LogicalSpec;
        use crate::parquet::LogicalType;
        for l in [
            LogicalType::None,
            LogicalType::String,
            LogicalType::Enum,
            LogicalType::Json,
            LogicalType::Uuid,
            LogicalType::Date,
            LogicalType::Time {
                unit: TimeUnit::Nanos,
                utc: false,
            },
            LogicalType::Timestamp {
                unit: TimeUnit::Micros,
                utc: true,
            },
            LogicalType::Integer {
                bits: 16,
                signed: false,
            },
            LogicalType::Decimal {
                precision: 18,
                scale: 4,
            },
        ] {
            assert_eq!(LogicalSpec::of(l).parse("x").unwrap(), l);
        }
        let unknown = LogicalSpec {
            kind: 42,
            ..LogicalSpec::of(LogicalType::None)
        };
        assert!(unknown
            .parse("column 'c'")
            .unwrap_err()
            .message
            .contains("column 'c': unknown logical type code 42"));
    }

    /// The core's enums mean what the bridge's code tables (and so C++ and C) say.
    #[test]
    fn the_core_agrees_with_the_code_tables() {
        assert_eq!(StatusCode::Ok.repr, 0);
        for (code, kind) in [
            (StatusCode::InvalidArgument, ErrorKind::InvalidArgument),
            (StatusCode::NotOpen, ErrorKind::NotOpen),
            (StatusCode::Internal, ErrorKind::Internal),
            (StatusCode::OutOfMemory, ErrorKind::OutOfMemory),
        ] {
            assert_eq!(code.repr, kind as u8);
        }
        for (code, t) in [
            (PhysicalCode::Boolean, PhysicalType::Boolean),
            (PhysicalCode::Int32, PhysicalType::Int32),
            (PhysicalCode::Int64, PhysicalType::Int64),
            (PhysicalCode::Int96, PhysicalType::Int96),
            (PhysicalCode::Float, PhysicalType::Float),
            (PhysicalCode::Double, PhysicalType::Double),
            (PhysicalCode::ByteArray, PhysicalType::ByteArray),
            (
                PhysicalCode::FixedLenByteArray,
                PhysicalType::FixedLenByteArray,
            ),
        ] {
            assert_eq!(PhysicalType::from_code(code.repr.into()), Some(t));
        }
        for (code, r) in [
            (RepetitionCode::Required, Repetition::Required),
            (RepetitionCode::Optional, Repetition::Optional),
            (RepetitionCode::Repeated, Repetition::Repeated),
        ] {
            assert_eq!(Repetition::from_code(code.repr.into()), Some(r));
        }
        for (code, c) in [
            (CodecCode::Uncompressed, Codec::Uncompressed),
            (CodecCode::Snappy, Codec::Snappy),
            (CodecCode::Gzip, Codec::Gzip),
            (CodecCode::Zstd, Codec::Zstd),
            (CodecCode::Lz4Raw, Codec::Lz4Raw),
        ] {
            assert_eq!(Codec::from_code(code.repr.into()), Some(c));
        }
        for (code, e) in [
            (EncodingCode::Plain, Encoding::Plain),
            (EncodingCode::DeltaBinaryPacked, Encoding::DeltaBinaryPacked),
            (
                EncodingCode::DeltaLengthByteArray,
                Encoding::DeltaLengthByteArray,
            ),
            (EncodingCode::DeltaByteArray, Encoding::DeltaByteArray),
            (EncodingCode::RleDictionary, Encoding::RleDictionary),
            (EncodingCode::ByteStreamSplit, Encoding::ByteStreamSplit),
        ] {
            assert_eq!(Encoding::from_code(code.repr.into()), Some(e));
        }
        for (code, level) in [
            (StatisticsCode::None, StatisticsLevel::None),
            (StatisticsCode::Chunk, StatisticsLevel::Chunk),
            (StatisticsCode::Page, StatisticsLevel::Page),
        ] {
            assert_eq!(StatisticsLevel::from_code(code.repr.into()), Some(level));
        }
        for (code, f) in [
            (FieldCode::Bool, FieldType::Bool),
            (FieldCode::Int8, FieldType::Int8),
            (FieldCode::Int16, FieldType::Int16),
            (FieldCode::Int32, FieldType::Int32),
            (FieldCode::Int64, FieldType::Int64),
            (FieldCode::UInt8, FieldType::UInt8),
            (FieldCode::UInt16, FieldType::UInt16),
            (FieldCode::UInt32, FieldType::UInt32),
            (FieldCode::UInt64, FieldType::UInt64),
            (FieldCode::Float, FieldType::Float),
            (FieldCode::Double, FieldType::Double),
            (FieldCode::Chars, FieldType::Chars),
            (FieldCode::Bytes, FieldType::Bytes),
        ] {
            assert_eq!(FieldType::from_code(code.repr.into()), Some(f));
        }
        assert_eq!(FieldType::from_code(13), None);
        for (code, c) in [
            (ClockCode::Auto, ClockSource::Auto),
            (ClockCode::System, ClockSource::System),
        ] {
            assert_eq!(ClockSource::from_code(code.repr.into()), Some(c));
        }
        for (code, o) in [
            (OverflowCode::Drop, Overflow::Drop),
            (OverflowCode::Block, Overflow::Block),
        ] {
            assert_eq!(Overflow::from_code(code.repr.into()), Some(o));
        }
        for (code, d) in [
            (DurabilityCode::OnClose, Durability::OnClose),
            (DurabilityCode::RowGroup, Durability::RowGroup),
            (DurabilityCode::Sync, Durability::Sync),
        ] {
            assert_eq!(Durability::from_code(code.repr.into()), Some(d));
        }
        for (code, u) in [
            (TimeUnitCode::Millis, TimeUnit::Millis),
            (TimeUnitCode::Micros, TimeUnit::Micros),
            (TimeUnitCode::Nanos, TimeUnit::Nanos),
        ] {
            assert_eq!(TimeUnit::from_code(code.repr.into()), Some(u));
        }
    }
}
