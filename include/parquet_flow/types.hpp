// parquet_flow — Parquet types: physical types, repetition, compression, logical annotations.
#pragma once

#include <cstdint>

namespace parquet_flow {

// Parquet physical types; the values are the format's codes (and the C ABI's PF_PHYSICAL_*).
enum class PhysicalType : std::uint8_t {
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
};

// Top-level fields only: REQUIRED, OPTIONAL (nullable) or REPEATED (a list of values per row).
enum class Repetition : std::uint8_t {
    Required = 0,
    Optional = 1,
    Repeated = 2,
};

// Parquet's codec numbers (parquet.thrift CompressionCodec). A page a codec does not shrink is
// stored in that codec's stored form, so incompressible data costs bytes, not percent.
enum class Compression : std::uint8_t {
    Uncompressed = 0,
    Snappy = 1,  // raw snappy blocks
    Gzip = 2,    // gzip members; level 0-9 (default 1)
    Zstd = 6,    // zstd frames; level -7..22 (default 1, as Arrow's writers)
    Lz4Raw = 7,  // LZ4 blocks without framing (LZ4_RAW, not the deprecated LZ4)
};

// How much statistics a column gets (min/max by the type's sort order, null count), which
// engines use to skip row groups and pages. Byte-array bounds over 64 bytes are cut (a cut max
// rounded up) and flagged inexact; INT96 gets null counts only.
enum class Statistics : std::uint8_t {
    None = 0,   // no statistics (the offset index is still written)
    Chunk = 1,  // per column chunk, in the footer
    Page = 2,   // per chunk, in every data page header, and a column index (page index); default
};

// Value encodings, with parquet.thrift's numbers (docs/FORMAT.md says which fits which type).
// A column that names none gets RleDictionary (Plain for BOOLEAN): a dictionary while it pays
// (at most 75 % distinct among a chunk's first 1,024 values), and PLAIN for the rest of a chunk
// once the dictionary passes 1 MiB.
enum class Encoding : std::uint8_t {
    Plain = 0,
    DeltaBinaryPacked = 5,     // INT32, INT64: deltas bit-packed; small for sorted or climbing values
    DeltaLengthByteArray = 6,  // BYTE_ARRAY: lengths delta-packed, then the bytes
    DeltaByteArray = 7,        // BYTE_ARRAY: shared prefixes with the previous value left out
    RleDictionary = 8,         // every type but BOOLEAN
    ByteStreamSplit = 9,       // FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY: bytes by position
};

// What of an open file survives a crash before close() (see docs/RELIABILITY.md).
enum class Durability : std::uint8_t {
    // The footer is written by close() only: a killed process leaves an unreadable file. Fastest.
    OnClose = 0,
    // A footer (checkpoint) after every row group: the file is valid at every row-group
    // boundary, a crash loses at most the row group being written, and recover() cuts its
    // partial bytes. Survives the process dying, not a power cut (the data is in the page cache).
    RowGroup = 1,
    // RowGroup plus fdatasync after every checkpoint: survives a power cut too.
    Sync = 2,
};

// Where Sink::Producer::try_record takes the receive timestamp (SinkOptions::recv_ts) from.
enum class ClockSource : std::uint8_t {
    // The CPU's time-stamp counter where it is invariant (x86-64 with CPUID's invariant-TSC
    // flag; aarch64's virtual counter): read in a few nanoseconds, converted to UTC by the
    // worker with a clock it recalibrates against the system clock every 50 ms (conversion
    // error within about a microsecond: docs/BENCHMARKS.md). Elsewhere the system clock.
    // The environment variable PARQUET_FLOW_NO_TSC turns the counter off process-wide.
    Auto = 0,
    // Always the system clock (clock_gettime(CLOCK_REALTIME)), read in every call.
    System = 1,
};

// What Sink::Producer::try_record does when its ring has no room for the record.
enum class Overflow : std::uint8_t {
    // Drop it and count it (dropped_full): the producer never waits. The default, for live
    // capture, where the feed handler must not stall.
    Drop = 0,
    // Wait until the worker has made room — spinning briefly, then yielding, then sleeping
    // 100 µs between looks — also through a retry after an I/O error; give up (false) only when
    // the sink is closed or has failed for good. For replays (pcap to Parquet) where nothing may
    // be lost. stats().blocked and blocked_ns count the waits.
    Block = 1,
};

enum class TimeUnit : std::uint8_t {
    Millis = 0,
    Micros = 1,
    Nanos = 2,
};

// A logical type annotation, so readers show strings, timestamps or decimals instead of raw
// integers and bytes. Which physical type each fits is checked when a Writer opens:
//   string/enum_/json: BYTE_ARRAY          uuid: FIXED_LEN_BYTE_ARRAY(16)
//   date: INT32                            time: INT32 (millis) or INT64 (micros, nanos)
//   timestamp: INT64                       integer: INT32 (8/16/32 bits) or INT64 (64 bits)
//   decimal: INT32 (precision <= 9), INT64 (<= 18), FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY
class LogicalType {
public:
    enum class Kind : std::uint8_t {
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
    };

    constexpr LogicalType() = default;

    static constexpr LogicalType none() { return {}; }
    static constexpr LogicalType string() { return LogicalType(Kind::String); }
    static constexpr LogicalType enum_() { return LogicalType(Kind::Enum); }
    static constexpr LogicalType json() { return LogicalType(Kind::Json); }
    static constexpr LogicalType uuid() { return LogicalType(Kind::Uuid); }
    static constexpr LogicalType date() { return LogicalType(Kind::Date); }
    static constexpr LogicalType time(TimeUnit unit, bool adjusted_to_utc = true) {
        LogicalType t(Kind::Time);
        t.unit_ = unit;
        t.utc_ = adjusted_to_utc;
        return t;
    }
    static constexpr LogicalType timestamp(TimeUnit unit, bool adjusted_to_utc = true) {
        LogicalType t(Kind::Timestamp);
        t.unit_ = unit;
        t.utc_ = adjusted_to_utc;
        return t;
    }
    static constexpr LogicalType integer(int bit_width, bool is_signed) {
        LogicalType t(Kind::Integer);
        t.bit_width_ = static_cast<std::uint8_t>(bit_width);
        t.signed_ = is_signed;
        return t;
    }
    static constexpr LogicalType decimal(int precision, int scale) {
        LogicalType t(Kind::Decimal);
        t.precision_ = precision;
        t.scale_ = scale;
        return t;
    }

    constexpr Kind kind() const noexcept { return kind_; }
    constexpr TimeUnit unit() const noexcept { return unit_; }
    constexpr bool adjusted_to_utc() const noexcept { return utc_; }
    constexpr int bit_width() const noexcept { return bit_width_; }
    constexpr bool is_signed() const noexcept { return signed_; }
    constexpr int precision() const noexcept { return precision_; }
    constexpr int scale() const noexcept { return scale_; }

    friend constexpr bool operator==(const LogicalType&, const LogicalType&) = default;

private:
    constexpr explicit LogicalType(Kind kind) : kind_(kind) {}

    Kind kind_ = Kind::None;
    TimeUnit unit_ = TimeUnit::Micros;
    bool utc_ = true;
    std::uint8_t bit_width_ = 0;
    bool signed_ = true;
    int precision_ = 0;
    int scale_ = 0;
};

// One INT96 value: 8 bytes of nanoseconds within the day, then 4 bytes of Julian day, both
// little-endian (the legacy Impala/Spark timestamp layout).
struct Int96 {
    std::uint8_t bytes[12];
};
static_assert(sizeof(Int96) == 12);

}  // namespace parquet_flow
