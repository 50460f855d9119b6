// The code tables crossing the layers, tied at compile time: the bridge's tables (defined once,
// in rust/src/bridge.rs, and tied to the Rust core by its tests) against the C++ enums and the
// C ABI's PF_* codes. A code renumbered in one layer fails to build here.
#include "bridge_util.hpp"
#include "parquet_flow/error.hpp"
#include "parquet_flow/table.hpp"
#include "parquet_flow/types.hpp"
#include "parquet_flow_c.h"

namespace parquet_flow {
namespace {

template <class A, class B>
constexpr bool same(A a, B b) {
    return static_cast<long long>(a) == static_cast<long long>(b);
}

using namespace bridge;

static_assert(same(StatusCode::Ok, PF_STATUS_OK));
static_assert(same(StatusCode::InvalidArgument, ErrorCode::InvalidArgument) &&
              same(StatusCode::InvalidArgument, PF_STATUS_INVALID_ARGUMENT));
static_assert(same(StatusCode::NotOpen, ErrorCode::NotOpen) && same(StatusCode::NotOpen, PF_STATUS_NOT_OPEN));
static_assert(same(StatusCode::Internal, ErrorCode::Internal) && same(StatusCode::Internal, PF_STATUS_INTERNAL));
static_assert(same(StatusCode::OutOfMemory, ErrorCode::OutOfMemory) &&
              same(StatusCode::OutOfMemory, PF_STATUS_OUT_OF_MEMORY));

static_assert(same(PhysicalCode::Boolean, PhysicalType::Boolean) && same(PhysicalCode::Boolean, PF_PHYSICAL_BOOLEAN));
static_assert(same(PhysicalCode::Int32, PhysicalType::Int32) && same(PhysicalCode::Int32, PF_PHYSICAL_INT32));
static_assert(same(PhysicalCode::Int64, PhysicalType::Int64) && same(PhysicalCode::Int64, PF_PHYSICAL_INT64));
static_assert(same(PhysicalCode::Int96, PhysicalType::Int96) && same(PhysicalCode::Int96, PF_PHYSICAL_INT96));
static_assert(same(PhysicalCode::Float, PhysicalType::Float) && same(PhysicalCode::Float, PF_PHYSICAL_FLOAT));
static_assert(same(PhysicalCode::Double, PhysicalType::Double) && same(PhysicalCode::Double, PF_PHYSICAL_DOUBLE));
static_assert(same(PhysicalCode::ByteArray, PhysicalType::ByteArray) &&
              same(PhysicalCode::ByteArray, PF_PHYSICAL_BYTE_ARRAY));
static_assert(same(PhysicalCode::FixedLenByteArray, PhysicalType::FixedLenByteArray) &&
              same(PhysicalCode::FixedLenByteArray, PF_PHYSICAL_FIXED_LEN_BYTE_ARRAY));

static_assert(same(RepetitionCode::Required, Repetition::Required) &&
              same(RepetitionCode::Required, PF_REPETITION_REQUIRED));
static_assert(same(RepetitionCode::Optional, Repetition::Optional) &&
              same(RepetitionCode::Optional, PF_REPETITION_OPTIONAL));
static_assert(same(RepetitionCode::Repeated, Repetition::Repeated) &&
              same(RepetitionCode::Repeated, PF_REPETITION_REPEATED));

static_assert(same(CodecCode::Uncompressed, Compression::Uncompressed) &&
              same(CodecCode::Uncompressed, PF_COMPRESSION_UNCOMPRESSED));
static_assert(same(CodecCode::Gzip, Compression::Gzip) && same(CodecCode::Gzip, PF_COMPRESSION_GZIP));
static_assert(same(CodecCode::Snappy, Compression::Snappy) && same(CodecCode::Snappy, PF_COMPRESSION_SNAPPY));
static_assert(same(CodecCode::Zstd, Compression::Zstd) && same(CodecCode::Zstd, PF_COMPRESSION_ZSTD));
static_assert(same(CodecCode::Lz4Raw, Compression::Lz4Raw) && same(CodecCode::Lz4Raw, PF_COMPRESSION_LZ4_RAW));

static_assert(same(EncodingCode::Plain, Encoding::Plain) && same(EncodingCode::Plain, PF_ENCODING_PLAIN));
static_assert(same(EncodingCode::DeltaBinaryPacked, Encoding::DeltaBinaryPacked) &&
              same(EncodingCode::DeltaBinaryPacked, PF_ENCODING_DELTA_BINARY_PACKED));
static_assert(same(EncodingCode::DeltaLengthByteArray, Encoding::DeltaLengthByteArray) &&
              same(EncodingCode::DeltaLengthByteArray, PF_ENCODING_DELTA_LENGTH_BYTE_ARRAY));
static_assert(same(EncodingCode::DeltaByteArray, Encoding::DeltaByteArray) &&
              same(EncodingCode::DeltaByteArray, PF_ENCODING_DELTA_BYTE_ARRAY));
static_assert(same(EncodingCode::RleDictionary, Encoding::RleDictionary) &&
              same(EncodingCode::RleDictionary, PF_ENCODING_RLE_DICTIONARY));
static_assert(same(EncodingCode::ByteStreamSplit, Encoding::ByteStreamSplit) &&
              same(EncodingCode::ByteStreamSplit, PF_ENCODING_BYTE_STREAM_SPLIT));

static_assert(same(StatisticsCode::None, Statistics::None) && same(StatisticsCode::None, PF_STATISTICS_NONE));
static_assert(same(StatisticsCode::Chunk, Statistics::Chunk) && same(StatisticsCode::Chunk, PF_STATISTICS_CHUNK));
static_assert(same(StatisticsCode::Page, Statistics::Page) && same(StatisticsCode::Page, PF_STATISTICS_PAGE));

static_assert(same(ClockCode::Auto, ClockSource::Auto) && same(ClockCode::Auto, PF_CLOCK_AUTO));
static_assert(same(ClockCode::System, ClockSource::System) && same(ClockCode::System, PF_CLOCK_SYSTEM));

static_assert(same(OverflowCode::Drop, Overflow::Drop) && same(OverflowCode::Drop, PF_OVERFLOW_DROP));
static_assert(same(OverflowCode::Block, Overflow::Block) && same(OverflowCode::Block, PF_OVERFLOW_BLOCK));

static_assert(same(DurabilityCode::OnClose, Durability::OnClose) &&
              same(DurabilityCode::OnClose, PF_DURABILITY_ON_CLOSE));
static_assert(same(DurabilityCode::RowGroup, Durability::RowGroup) &&
              same(DurabilityCode::RowGroup, PF_DURABILITY_ROW_GROUP));
static_assert(same(DurabilityCode::Sync, Durability::Sync) && same(DurabilityCode::Sync, PF_DURABILITY_SYNC));

static_assert(same(TimeUnitCode::Millis, TimeUnit::Millis) && same(TimeUnitCode::Millis, PF_TIME_UNIT_MILLIS));
static_assert(same(TimeUnitCode::Micros, TimeUnit::Micros) && same(TimeUnitCode::Micros, PF_TIME_UNIT_MICROS));
static_assert(same(TimeUnitCode::Nanos, TimeUnit::Nanos) && same(TimeUnitCode::Nanos, PF_TIME_UNIT_NANOS));

using Kind = LogicalType::Kind;
static_assert(same(LogicalCode::None, Kind::None) && same(LogicalCode::None, PF_LOGICAL_NONE));
static_assert(same(LogicalCode::String, Kind::String) && same(LogicalCode::String, PF_LOGICAL_STRING));
static_assert(same(LogicalCode::Enum, Kind::Enum) && same(LogicalCode::Enum, PF_LOGICAL_ENUM));
static_assert(same(LogicalCode::Json, Kind::Json) && same(LogicalCode::Json, PF_LOGICAL_JSON));
static_assert(same(LogicalCode::Uuid, Kind::Uuid) && same(LogicalCode::Uuid, PF_LOGICAL_UUID));
static_assert(same(LogicalCode::Date, Kind::Date) && same(LogicalCode::Date, PF_LOGICAL_DATE));
static_assert(same(LogicalCode::Time, Kind::Time) && same(LogicalCode::Time, PF_LOGICAL_TIME));
static_assert(same(LogicalCode::Timestamp, Kind::Timestamp) && same(LogicalCode::Timestamp, PF_LOGICAL_TIMESTAMP));
static_assert(same(LogicalCode::Integer, Kind::Integer) && same(LogicalCode::Integer, PF_LOGICAL_INTEGER));
static_assert(same(LogicalCode::Decimal, Kind::Decimal) && same(LogicalCode::Decimal, PF_LOGICAL_DECIMAL));

static_assert(same(FieldCode::Bool, FieldType::Bool) && same(FieldCode::Bool, PF_FIELD_BOOL));
static_assert(same(FieldCode::Int8, FieldType::Int8) && same(FieldCode::Int8, PF_FIELD_INT8));
static_assert(same(FieldCode::Int16, FieldType::Int16) && same(FieldCode::Int16, PF_FIELD_INT16));
static_assert(same(FieldCode::Int32, FieldType::Int32) && same(FieldCode::Int32, PF_FIELD_INT32));
static_assert(same(FieldCode::Int64, FieldType::Int64) && same(FieldCode::Int64, PF_FIELD_INT64));
static_assert(same(FieldCode::UInt8, FieldType::UInt8) && same(FieldCode::UInt8, PF_FIELD_UINT8));
static_assert(same(FieldCode::UInt16, FieldType::UInt16) && same(FieldCode::UInt16, PF_FIELD_UINT16));
static_assert(same(FieldCode::UInt32, FieldType::UInt32) && same(FieldCode::UInt32, PF_FIELD_UINT32));
static_assert(same(FieldCode::UInt64, FieldType::UInt64) && same(FieldCode::UInt64, PF_FIELD_UINT64));
static_assert(same(FieldCode::Float, FieldType::Float) && same(FieldCode::Float, PF_FIELD_FLOAT));
static_assert(same(FieldCode::Double, FieldType::Double) && same(FieldCode::Double, PF_FIELD_DOUBLE));
static_assert(same(FieldCode::Chars, FieldType::Chars) && same(FieldCode::Chars, PF_FIELD_CHARS));
static_assert(same(FieldCode::Bytes, FieldType::Bytes) && same(FieldCode::Bytes, PF_FIELD_BYTES));

}  // namespace
}  // namespace parquet_flow
