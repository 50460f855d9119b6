// Typed tables (include/parquet_flow/table.hpp): every field type x logical annotation x
// encoding, written by the Writer and captured by a sink, each file described by a sidecar that
// tests/readers/verify_parquet.py checks value for value with pyarrow and DuckDB (and
// verify_spark.py with Spark); C++ structs through member pointers; bad layouts and wrong
// records.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace {

namespace pf = parquet_flow;
using pftest::Rng;
using FT = pf::FieldType;
using LT = pf::LogicalType;
using TU = pf::TimeUnit;

constexpr std::size_t kRows = 2000;
constexpr std::size_t kRowGroup = 1000;
// Values per field are drawn from this many, so that dictionaries pay and every encoding is the
// one expected.
constexpr std::size_t kPool = 16;

std::uint32_t width(FT t) {
    switch (t) {
        case FT::Bool: case FT::Int8: case FT::UInt8: return 1;
        case FT::Int16: case FT::UInt16: return 2;
        case FT::Int32: case FT::UInt32: case FT::Float: return 4;
        case FT::Int64: case FT::UInt64: case FT::Double: return 8;
        case FT::Chars: return 7;
        case FT::Bytes: return 16;
    }
    return 0;
}

bool is_signed(FT t) { return t == FT::Int8 || t == FT::Int16 || t == FT::Int32 || t == FT::Int64; }
bool is_integer(FT t) { return t >= FT::Int8 && t <= FT::UInt64; }

// The annotations each field type takes (LogicalType::none() is the natural one).
std::vector<LT> annotations(FT t) {
    switch (t) {
        case FT::Int8: return {LT::none(), LT::integer(8, true), LT::date(), LT::decimal(2, 1)};
        case FT::Int16: return {LT::none(), LT::integer(16, true), LT::date(), LT::decimal(4, 2)};
        case FT::Int32:
            return {LT::none(), LT::integer(32, true), LT::date(), LT::time(TU::Millis, true), LT::decimal(9, 3)};
        case FT::Int64:
            return {LT::none(), LT::integer(64, true), LT::timestamp(TU::Millis, true), LT::timestamp(TU::Micros, false),
                    LT::timestamp(TU::Nanos, true), LT::time(TU::Micros, true), LT::time(TU::Nanos, false),
                    LT::decimal(18, 4)};
        case FT::UInt8: return {LT::none(), LT::integer(8, false), LT::date(), LT::decimal(2, 0)};
        case FT::UInt16: return {LT::none(), LT::integer(16, false), LT::date(), LT::decimal(4, 1)};
        case FT::UInt32: return {LT::none(), LT::integer(32, false), LT::time(TU::Millis, true), LT::decimal(10, 4)};
        case FT::UInt64:
            return {LT::none(), LT::integer(64, false), LT::timestamp(TU::Micros, true), LT::time(TU::Nanos, true)};
        case FT::Chars: return {LT::none(), LT::string(), LT::enum_(), LT::json()};
        case FT::Bytes: return {LT::none(), LT::decimal(38, 6), LT::uuid()};
        case FT::Bool: case FT::Float: case FT::Double: return {LT::none()};
    }
    return {};
}

std::string annotation_name(const LT& l) {
    using K = LT::Kind;
    const char* unit = l.unit() == TU::Millis ? "ms" : l.unit() == TU::Micros ? "us" : "ns";
    switch (l.kind()) {
        case K::None: return "natural";
        case K::String: return "string";
        case K::Enum: return "enum";
        case K::Json: return "json";
        case K::Uuid: return "uuid";
        case K::Date: return "date";
        case K::Time: return std::string("time_") + unit;
        case K::Timestamp: return std::string("ts_") + unit;
        case K::Integer: return "integer";
        case K::Decimal: return "decimal";
    }
    return "?";
}

// What the file holds for a field: the column type and annotation (stated here, independently of
// the library's mapping).
pf::Column expected_column(const pf::Field& f) {
    pf::Column c;
    c.name = f.name;
    const bool decimal = f.logical.kind() == LT::Kind::Decimal;
    switch (f.type) {
        case FT::Bool: c.physical = pf::PhysicalType::Boolean; break;
        case FT::Int8: case FT::Int16: case FT::Int32: case FT::UInt8: case FT::UInt16:
            c.physical = pf::PhysicalType::Int32;
            break;
        case FT::UInt32: c.physical = decimal ? pf::PhysicalType::Int64 : pf::PhysicalType::Int32; break;
        case FT::Int64: case FT::UInt64: c.physical = pf::PhysicalType::Int64; break;
        case FT::Float: c.physical = pf::PhysicalType::Float; break;
        case FT::Double: c.physical = pf::PhysicalType::Double; break;
        case FT::Chars: c.physical = pf::PhysicalType::ByteArray; break;
        case FT::Bytes:
            c.physical = pf::PhysicalType::FixedLenByteArray;
            c.type_length = f.length;
            break;
    }
    c.logical = f.logical;
    if (f.logical.kind() == LT::Kind::None) {
        if (f.type == FT::Chars) {
            c.logical = LT::string();
        } else if (is_integer(f.type) && !(f.type == FT::Int32 || f.type == FT::Int64)) {
            c.logical = LT::integer(static_cast<int>(width(f.type) * 8), is_signed(f.type));
        }
    }
    return c;
}

// The data-page encoding a field's column must use: its own, or the documented default.
pf::Encoding expected_encoding(const pf::Field& f, const pf::Column& c) {
    if (f.encoding) return *f.encoding;
    if (f.type == FT::Bool) return pf::Encoding::Plain;
    if (f.type == FT::Float || f.type == FT::Double) return pf::Encoding::ByteStreamSplit;
    if (c.physical == pf::PhysicalType::Int64 && f.logical.kind() != LT::Kind::Decimal) {
        return pf::Encoding::DeltaBinaryPacked;
    }
    return pf::Encoding::RleDictionary;
}

using i128 = __int128;

i128 pow10(int n) {
    i128 v = 1;
    for (int i = 0; i < n; ++i) v *= 10;
    return v;
}

// The range of values a field of type `t` under annotation `l` may hold.
std::pair<i128, i128> domain(FT t, const LT& l) {
    const int bits = static_cast<int>(width(t) * 8);
    // BYTES(16) holds any 128-bit two's complement value (a DECIMAL); integers their own range.
    const i128 max128 = static_cast<i128>(~static_cast<unsigned __int128>(0) >> 1);
    i128 lo = t == FT::Bytes ? -max128 - 1 : is_signed(t) ? -(i128(1) << (bits - 1)) : 0;
    i128 hi = t == FT::Bytes ? max128 : is_signed(t) ? (i128(1) << (bits - 1)) - 1 : (i128(1) << bits) - 1;
    const auto clamp = [&](i128 a, i128 b) {
        lo = std::max(lo, a);
        hi = std::min(hi, b);
    };
    using K = LT::Kind;
    switch (l.kind()) {
        case K::Date: clamp(-20000, 40000); break;
        case K::Time: {
            const i128 day = l.unit() == TU::Millis ? 86'400'000 : l.unit() == TU::Micros ? i128(86'400'000'000) : i128(86'400'000'000'000);
            clamp(0, day - 1);
            break;
        }
        case K::Timestamp: {
            const i128 per_ms = l.unit() == TU::Millis ? 1 : l.unit() == TU::Micros ? 1000 : 1'000'000;
            clamp(0, i128(4'000'000'000'000) * per_ms);  // 1970 to 2096
            break;
        }
        case K::Decimal: clamp(-(pow10(l.precision()) - 1), pow10(l.precision()) - 1); break;
        default: break;
    }
    return {lo, hi};
}

i128 random_in(Rng& rng, i128 lo, i128 hi) {
    const auto span = static_cast<unsigned __int128>(hi) - static_cast<unsigned __int128>(lo);
    if (span == ~static_cast<unsigned __int128>(0)) return static_cast<i128>((static_cast<unsigned __int128>(rng.next()) << 64) | rng.next());
    const unsigned __int128 r = (static_cast<unsigned __int128>(rng.next()) << 64) | rng.next();
    // In unsigned arithmetic: an offset above 2^127 does not fit an i128, the sum does.
    return static_cast<i128>(static_cast<unsigned __int128>(lo) + r % (span + 1));
}

std::string hex(const std::uint8_t* p, std::size_t n) { return pftest::hex_json(reinterpret_cast<const std::byte*>(p), n); }

template <class U>
std::string bits_json(U bits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "\"0x%0*llx\"", static_cast<int>(2 * sizeof(U)), static_cast<unsigned long long>(bits));
    return buf;
}

// One value of a field: its bytes in the record and the sidecar's raw physical value.
struct Value {
    std::vector<std::uint8_t> bytes;
    std::string json;
};

Value make_value(const pf::Field& f, const pf::Column& c, Rng& rng) {
    Value v;
    const std::uint32_t size = f.type == FT::Chars || f.type == FT::Bytes ? f.length : width(f.type);
    v.bytes.assign(size, 0);
    switch (f.type) {
        case FT::Bool: {
            const bool b = rng.below(2);
            v.bytes[0] = b ? static_cast<std::uint8_t>(1 + rng.below(255)) : 0;  // any nonzero byte is true
            v.json = b ? "true" : "false";
            return v;
        }
        case FT::Float: {
            static const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, std::numeric_limits<float>::quiet_NaN(),
                                             std::numeric_limits<float>::denorm_min()};
            const float x = rng.chance(0.3) ? specials[rng.below(6)] : static_cast<float>(static_cast<std::int32_t>(rng.next())) / 977.0f;
            std::memcpy(v.bytes.data(), &x, 4);
            v.json = bits_json(std::bit_cast<std::uint32_t>(x));
            return v;
        }
        case FT::Double: {
            static const double specials[] = {0.0, -0.0, INFINITY, std::numeric_limits<double>::lowest(),
                                              std::numeric_limits<double>::quiet_NaN(), 1e300};
            const double x = rng.chance(0.3) ? specials[rng.below(6)] : static_cast<double>(static_cast<std::int64_t>(rng.next())) / 1e9;
            std::memcpy(v.bytes.data(), &x, 8);
            v.json = bits_json(std::bit_cast<std::uint64_t>(x));
            return v;
        }
        case FT::Chars: {
            std::string text;
            const bool json = f.logical.kind() == LT::Kind::Json;
            const auto len = json ? 1 + rng.below(f.length) : rng.below(f.length + 1);  // JSON: a number
            while (text.size() < len) {
                if (json) {
                    text += static_cast<char>((text.empty() ? '1' : '0') + rng.below(text.empty() ? 9 : 10));
                } else if (text.size() + 2 <= len && rng.chance(0.15)) {
                    text += "\xC3\xA9";  // a two-byte character
                } else {
                    text += static_cast<char>('A' + rng.below(26));
                }
            }
            std::memcpy(v.bytes.data(), text.data(), text.size());  // the rest stays NUL
            v.json = pftest::hex_json(text);
            return v;
        }
        case FT::Bytes: {
            if (f.logical.kind() == LT::Kind::Decimal) {
                const auto [lo, hi] = domain(f.type, f.logical);
                i128 x = random_in(rng, lo, hi);
                for (std::uint32_t i = 0; i < size; ++i) {  // big-endian two's complement
                    v.bytes[size - 1 - i] = static_cast<std::uint8_t>(static_cast<unsigned __int128>(x) >> (8 * i));
                }
            } else {
                for (auto& b : v.bytes) b = static_cast<std::uint8_t>(rng.below(256));
            }
            v.json = hex(v.bytes.data(), size);
            return v;
        }
        default: break;
    }
    // Integers: little-endian in the record; the sidecar holds the column's physical value (an
    // unsigned value in INT32 keeps its bits).
    const auto [lo, hi] = domain(f.type, f.logical);
    const i128 x = rng.chance(0.2) ? (rng.below(2) ? lo : hi) : random_in(rng, lo, hi);
    for (std::uint32_t i = 0; i < size; ++i) v.bytes[i] = static_cast<std::uint8_t>(static_cast<unsigned __int128>(x) >> (8 * i));
    const std::int64_t physical = c.physical == pf::PhysicalType::Int32
                                      ? static_cast<std::int32_t>(static_cast<std::uint32_t>(x))
                                      : static_cast<std::int64_t>(static_cast<std::uint64_t>(x));
    v.json = std::to_string(physical);
    return v;
}

// A table of one field type: every annotation x (default + every fitting encoding), each field
// at its own offset, starting at an odd offset (unaligned reads). With `bss`, only the fields in
// BYTE_STREAM_SPLIT; without, all others (DuckDB reads BYTE_STREAM_SPLIT for FLOAT, DOUBLE, INT32
// and INT64 only and skips a file with any other: the rest of the file stays checked by it).
pf::TableLayout matrix_table(FT t, bool bss = false) {
    pf::TableLayout layout;
    layout.name = "t" + std::to_string(static_cast<int>(t)) + (bss ? "_bss" : "");
    const auto wanted = [&](const std::optional<pf::Encoding>& e) {
        const bool split = e == pf::Encoding::ByteStreamSplit;
        return t != FT::Bytes || split == bss;
    };
    std::uint32_t offset = 3;
    for (const LT& l : annotations(t)) {
        std::vector<std::optional<pf::Encoding>> encodings{std::nullopt};
        pf::Field probe{"", 0, t, (t == FT::Chars || t == FT::Bytes) ? width(t) : 0, l, {}};
        if (t == FT::Bytes && l.kind() == LT::Kind::None) probe.length = 6;
        const pf::Column column = expected_column(probe);
        for (pf::Encoding e : pftest::kAllEncodings) {
            if (pftest::encoding_fits(e, column.physical)) encodings.emplace_back(e);
        }
        for (const auto& e : encodings) {
            if (!wanted(e)) continue;
            pf::Field f = probe;
            f.name = annotation_name(l) + "_" + (e ? pftest::encoding_name(*e) : std::string("default"));
            f.offset = offset;
            f.encoding = e;
            offset += f.type == FT::Chars || f.type == FT::Bytes ? f.length : width(t);
            layout.fields.push_back(f);
        }
    }
    layout.record_bytes = offset + 2;
    return layout;
}

// Records of `layout` with values drawn from per-field pools, and the sidecar's view of them.
struct Generated {
    std::vector<std::uint8_t> records;
    std::vector<pftest::GeneratedColumn> columns;  // rows filled, values unused
};

Generated generate(const pf::TableLayout& layout, std::uint64_t seed) {
    Rng rng(seed);
    Generated g;
    g.records.assign(kRows * layout.record_bytes, 0xEE);  // padding between fields is never read
    for (const pf::Field& f : layout.fields) {
        pftest::GeneratedColumn col;
        col.column = expected_column(f);
        col.data_page_encodings = {pftest::encoding_name(expected_encoding(f, col.column))};
        std::vector<Value> pool;
        for (std::size_t i = 0; i < kPool; ++i) pool.push_back(make_value(f, col.column, rng));
        for (std::size_t r = 0; r < kRows; ++r) {
            const Value& v = pool[rng.below(kPool)];
            std::memcpy(&g.records[r * layout.record_bytes + f.offset], v.bytes.data(), v.bytes.size());
            col.rows.push_back(v.json);
        }
        g.columns.push_back(std::move(col));
    }
    return g;
}

// The sidecar of a file holding `g`'s rows in row groups of kRowGroup, plus `extra` columns.
void write_sidecar(const std::filesystem::path& path, const Generated& g, pf::Compression codec,
                   const std::vector<pftest::GeneratedColumn>& extra = {}) {
    pftest::ExpectedFile file;
    file.path = path;
    file.compression = codec;
    for (std::size_t start = 0; start < kRows; start += kRowGroup) {
        std::vector<pftest::GeneratedColumn> group;
        for (const auto* set : {&g.columns, &extra}) {
            for (const auto& c : *set) {
                pftest::GeneratedColumn part;
                part.column = c.column;
                part.data_page_encodings = c.data_page_encodings;
                part.rows.assign(c.rows.begin() + static_cast<std::ptrdiff_t>(start),
                                 c.rows.begin() + static_cast<std::ptrdiff_t>(std::min(kRows, start + kRowGroup)));
                group.push_back(std::move(part));
            }
        }
        file.row_groups.push_back(std::move(group));
    }
    pftest::write_sidecar(file);
}

constexpr FT kAllFieldTypes[] = {FT::Bool, FT::Int8, FT::Int16, FT::Int32, FT::Int64, FT::UInt8, FT::UInt16,
                                 FT::UInt32, FT::UInt64, FT::Float, FT::Double, FT::Chars, FT::Bytes};

// The matrix: a table per field type, FIXED_LEN_BYTE_ARRAY's BYTE_STREAM_SPLIT fields apart.
std::vector<pf::TableLayout> matrix_tables() {
    std::vector<pf::TableLayout> tables;
    for (FT t : kAllFieldTypes) tables.push_back(matrix_table(t));
    tables.push_back(matrix_table(FT::Bytes, true));
    return tables;
}

TEST(Tables, EveryFieldTypeAnnotationAndEncodingReadsBackFromTheWriter) {
    const auto dir = pftest::output_dir("tables/writer");
    std::size_t i = 0;
    for (const pf::TableLayout& layout : matrix_tables()) {
        const Generated g = generate(layout, 100 + i);
        const pf::Compression codec = pftest::kAllCodecs[i++ % std::size(pftest::kAllCodecs)];
        const auto path = dir / (layout.name + ".parquet");
        pf::WriterOptions options;
        options.compression = codec;
        pf::Writer writer(path, layout, options);
        // The schema the writer reports is the one the sidecar expects.
        ASSERT_EQ(writer.schema().size(), g.columns.size());
        for (std::size_t c = 0; c < g.columns.size(); ++c) {
            const pf::Column& got = writer.schema().columns()[c];
            EXPECT_EQ(got.name, g.columns[c].column.name);
            EXPECT_EQ(got.physical, g.columns[c].column.physical) << got.name;
            EXPECT_EQ(got.logical, g.columns[c].column.logical) << got.name;
            EXPECT_EQ(pftest::encoding_name(got.encoding.value()), g.columns[c].data_page_encodings[0]) << got.name;
        }
        const auto bytes = std::as_bytes(std::span(g.records));
        for (std::size_t start = 0; start < kRows; start += kRowGroup) {
            writer.write_raw_records(bytes.subspan(start * layout.record_bytes, kRowGroup * layout.record_bytes));
        }
        EXPECT_EQ(writer.close().rows, kRows);
        write_sidecar(path, g, codec);
    }
}

// A sink writing each table to dir/<table>.parquet in row groups of exactly kRowGroup records
// (no partial ones on a timer), every record waited for: files a sidecar can describe.
pf::SinkOptions table_sink(const std::filesystem::path& dir) {
    pf::SinkOptions options;
    options.path = dir / "{table}.parquet";
    options.row_group_rows = kRowGroup;
    options.flush_interval = std::chrono::nanoseconds(0);
    options.overflow = pf::Overflow::Block;
    return options;
}

TEST(Tables, TheSinkWritesTheSameMatrixOneFilePerTable) {
    const auto dir = pftest::output_dir("tables/sink");
    pf::SinkOptions options = table_sink(dir);
    options.compression = pf::Compression::Zstd;
    options.ring_bytes = 1 << 20;
    options.tables = matrix_tables();
    std::vector<Generated> data;
    for (std::size_t i = 0; i < options.tables.size(); ++i) data.push_back(generate(options.tables[i], 100 + i));
    pf::Sink sink(options);
    auto producer = sink.producer();
    // Tables interleaved record by record: each keeps its own order, row groups and file.
    for (std::size_t r = 0; r < kRows; ++r) {
        for (std::uint32_t t = 0; t < options.tables.size(); ++t) {
            const std::size_t n = options.tables[t].record_bytes;
            ASSERT_TRUE(producer.try_record_table(t, std::as_bytes(std::span(data[t].records).subspan(r * n, n))));
        }
    }
    const pf::SinkStats s = sink.close();
    EXPECT_EQ(s.rows_written, kRows * options.tables.size());
    EXPECT_EQ(s.files, options.tables.size());
    EXPECT_EQ(s.dropped(), 0u);
    for (std::size_t t = 0; t < options.tables.size(); ++t) {
        write_sidecar(dir / (options.tables[t].name + ".parquet"), data[t], pf::Compression::Zstd);
    }
}

// An ITCH-style message: packed, fields at the wire format's offsets.
#pragma pack(push, 1)
struct AddOrder {
    char type;                // 'A'
    std::uint16_t locate;
    std::uint64_t timestamp;  // ns since midnight
    std::uint64_t order_ref;
    char side;                // 'B' or 'S'
    std::uint32_t shares;
    char stock[8];            // space padded
    std::uint32_t price;      // 1/10,000ths of a dollar
};
#pragma pack(pop)
static_assert(sizeof(AddOrder) == 36);

// A naturally aligned struct with padding, an enum and a byte array.
enum class Venue : std::uint8_t { Xnas = 1, Xnys = 2, Arcx = 3 };
struct Trade {
    std::int64_t ts;  // ns since the Unix epoch
    double qty;
    std::int32_t px;  // 1/100ths
    Venue venue;
    bool aggressor;
    std::array<std::byte, 4> flags;
    std::array<char, 3> ccy;
};

TEST(Tables, StructsAreCapturedThroughMemberPointersWithTheSinksOwnColumns) {
    const auto dir = pftest::output_dir("tables/structs");
    pf::SinkOptions options = table_sink(dir);
    options.recv_ts = true;
    options.recv_ts_unit = pf::TimeUnit::Micros;
    options.producer_id = true;
    options.seq = true;
    auto adds = options.add_table(pf::Table<AddOrder>(
        "add_order", {pf::field("locate", &AddOrder::locate), pf::field("timestamp", &AddOrder::timestamp, LT::time(TU::Nanos, false)),
                      pf::field("order_ref", &AddOrder::order_ref), pf::field("side", &AddOrder::side, LT::enum_()),
                      pf::field("shares", &AddOrder::shares), pf::field("stock", &AddOrder::stock),
                      pf::field("price", &AddOrder::price, LT::decimal(10, 4))}));
    auto trades = options.add_table(pf::Table<Trade>(
        "trades", {pf::field("ts", &Trade::ts, LT::timestamp(TU::Micros)), pf::field("qty", &Trade::qty),
                   pf::field("px", &Trade::px, LT::decimal(9, 2), pf::Encoding::DeltaBinaryPacked),
                   pf::field("venue", &Trade::venue), pf::field("aggressor", &Trade::aggressor),
                   pf::field("flags", &Trade::flags), pf::field("ccy", &Trade::ccy)}));
    EXPECT_EQ(adds.index(), 0u);
    EXPECT_EQ(trades.index(), 1u);
    // Offsets come from the member pointers, types from the members.
    const auto& a = options.tables[0];
    EXPECT_EQ(a.record_bytes, 36u);
    EXPECT_EQ(a.fields[1].offset, 3u);
    EXPECT_EQ(a.fields[1].type, FT::UInt64);
    EXPECT_EQ(a.fields[3].type, FT::Chars);
    EXPECT_EQ(a.fields[3].length, 1u);
    EXPECT_EQ(a.fields[6].offset, 32u);
    const auto& t = options.tables[1];
    EXPECT_EQ(t.fields[3].type, FT::UInt8);
    EXPECT_EQ(t.fields[4].type, FT::Bool);
    EXPECT_EQ(t.fields[5].type, FT::Bytes);
    EXPECT_EQ(t.fields[5].length, 4u);
    EXPECT_EQ(t.fields[6].type, FT::Chars);

    pf::Sink sink(options);
    auto producer = sink.producer();
    Rng rng(7);
    pftest::GeneratedColumn c_locate, c_time, c_ref, c_side, c_shares, c_stock, c_price, a_recv, a_pid, a_seq;
    pftest::GeneratedColumn t_ts, t_qty, t_px, t_venue, t_aggr, t_flags, t_ccy, t_recv, t_pid, t_seq;
    std::uint64_t seq = 0;
    const std::int64_t base_us = 1'764'000'000'000'000;  // late 2025
    for (std::size_t r = 0; r < kRows; ++r) {
        AddOrder add{};
        add.type = 'A';
        add.locate = static_cast<std::uint16_t>(rng.below(65536));
        add.timestamp = 34'200'000'000'000ull + r * 1'000'003;
        add.order_ref = 1'000'000 + r;
        add.side = rng.below(2) ? 'B' : 'S';
        add.shares = static_cast<std::uint32_t>(rng.chance(0.1) ? 4'000'000'000u : rng.below(10'000));
        const char* symbols[] = {"AAPL    ", "MSFT    ", "NVDA    ", "A       "};
        std::memcpy(add.stock, symbols[rng.below(4)], 8);
        add.price = static_cast<std::uint32_t>(rng.chance(0.05) ? 4'294'967'295u : 1'000'000 + rng.below(5'000'000));
        const std::int64_t recv = (base_us + static_cast<std::int64_t>(2 * r)) * 1000;
        ASSERT_TRUE(producer.try_record(adds, add, recv));
        c_locate.rows.push_back(std::to_string(add.locate));
        c_time.rows.push_back(std::to_string(add.timestamp));
        c_ref.rows.push_back(std::to_string(static_cast<std::int64_t>(add.order_ref)));
        c_side.rows.push_back(pftest::hex_json(std::string(1, add.side)));
        c_shares.rows.push_back(std::to_string(static_cast<std::int32_t>(add.shares)));
        c_stock.rows.push_back(pftest::hex_json(std::string(add.stock, 8)));  // spaces are kept
        c_price.rows.push_back(std::to_string(add.price));
        a_recv.rows.push_back(std::to_string(recv / 1000));
        a_pid.rows.push_back("0");
        a_seq.rows.push_back(std::to_string(seq++));

        Trade trade{};
        trade.ts = base_us + static_cast<std::int64_t>(2 * r + 1);  // TIMESTAMP(MICROS)
        trade.qty = static_cast<double>(rng.below(1'000'000)) / 8.0;
        trade.px = static_cast<std::int32_t>(rng.below(2'000'000)) - 1'000'000;
        trade.venue = static_cast<Venue>(1 + rng.below(3));
        trade.aggressor = rng.below(2);
        for (auto& b : trade.flags) b = static_cast<std::byte>(rng.below(256));
        trade.ccy = rng.below(2) ? std::array<char, 3>{'U', 'S', 'D'} : std::array<char, 3>{'E', 'U', '\0'};
        ASSERT_TRUE(producer.try_record(trades, trade, trade.ts * 1000));
        t_ts.rows.push_back(std::to_string(trade.ts));
        t_qty.rows.push_back(bits_json(std::bit_cast<std::uint64_t>(trade.qty)));
        t_px.rows.push_back(std::to_string(trade.px));
        t_venue.rows.push_back(std::to_string(static_cast<int>(trade.venue)));
        t_aggr.rows.push_back(trade.aggressor ? "true" : "false");
        t_flags.rows.push_back(pftest::hex_json(reinterpret_cast<const std::byte*>(trade.flags.data()), 4));
        t_ccy.rows.push_back(pftest::hex_json(trade.ccy[2] ? std::string("USD") : std::string("EU")));
        t_recv.rows.push_back(std::to_string(trade.ts));
        t_pid.rows.push_back("0");
        t_seq.rows.push_back(std::to_string(seq++));
    }
    // A record of the wrong table, a foreign buffer of the wrong length and an unknown table:
    // dropped and counted, never written.
    const std::array<std::byte, 35> short_add{};
    EXPECT_FALSE(producer.try_record_table(0, short_add));
    EXPECT_FALSE(producer.try_record_table(2, std::as_bytes(std::span(&seq, 1))));
    const pf::SinkStats s = sink.close();
    EXPECT_EQ(s.dropped_invalid, 2u);
    EXPECT_EQ(s.rows_written, 2 * kRows);

    const auto col = [](pftest::GeneratedColumn& g, std::string name, pf::PhysicalType p, LT l, const char* enc,
                        std::uint32_t len = 0) {
        g.column.name = std::move(name);
        g.column.physical = p;
        g.column.logical = l;
        g.column.type_length = len;
        g.data_page_encodings = {enc};
    };
    using P = pf::PhysicalType;
    col(c_locate, "locate", P::Int32, LT::integer(16, false), "RLE_DICTIONARY");
    col(c_time, "timestamp", P::Int64, LT::time(TU::Nanos, false), "DELTA_BINARY_PACKED");
    col(c_ref, "order_ref", P::Int64, LT::integer(64, false), "DELTA_BINARY_PACKED");
    col(c_side, "side", P::ByteArray, LT::enum_(), "RLE_DICTIONARY");
    col(c_shares, "shares", P::Int32, LT::integer(32, false), "RLE_DICTIONARY");
    col(c_stock, "stock", P::ByteArray, LT::string(), "RLE_DICTIONARY");
    col(c_price, "price", P::Int64, LT::decimal(10, 4), "PLAIN");
    col(a_recv, "recv_ts", P::Int64, LT::timestamp(TU::Micros), "DELTA_BINARY_PACKED");
    col(a_pid, "producer_id", P::Int32, LT::none(), "RLE_DICTIONARY");
    col(a_seq, "seq", P::Int64, LT::none(), "DELTA_BINARY_PACKED");
    col(t_ts, "ts", P::Int64, LT::timestamp(TU::Micros), "DELTA_BINARY_PACKED");
    col(t_qty, "qty", P::Double, LT::none(), "BYTE_STREAM_SPLIT");
    col(t_px, "px", P::Int32, LT::decimal(9, 2), "DELTA_BINARY_PACKED");
    col(t_venue, "venue", P::Int32, LT::integer(8, false), "RLE_DICTIONARY");
    col(t_aggr, "aggressor", P::Boolean, LT::none(), "PLAIN");
    col(t_flags, "flags", P::FixedLenByteArray, LT::none(), "PLAIN", 4);
    col(t_ccy, "ccy", P::ByteArray, LT::string(), "RLE_DICTIONARY");
    col(t_recv, "recv_ts", P::Int64, LT::timestamp(TU::Micros), "DELTA_BINARY_PACKED");
    col(t_pid, "producer_id", P::Int32, LT::none(), "RLE_DICTIONARY");
    col(t_seq, "seq", P::Int64, LT::none(), "DELTA_BINARY_PACKED");
    // Where most values are distinct the dictionary does not pay and the column is PLAIN: not
    // checked for those.
    for (auto* g : {&c_locate, &c_shares, &c_price, &t_flags}) g->data_page_encodings.clear();
    Generated add_cols{{}, {c_locate, c_time, c_ref, c_side, c_shares, c_stock, c_price}};
    write_sidecar(dir / "add_order.parquet", add_cols, pf::Compression::Uncompressed, {a_recv, a_pid, a_seq});
    Generated trade_cols{{}, {t_ts, t_qty, t_px, t_venue, t_aggr, t_flags, t_ccy}};
    write_sidecar(dir / "trades.parquet", trade_cols, pf::Compression::Uncompressed, {t_recv, t_pid, t_seq});
}

TEST(Tables, TheWriterTakesAStructsRecordsAndOnlyThose) {
    const auto dir = pftest::output_dir("tables/records");
    const pf::Table<Trade> trades("trades", {pf::field("ts", &Trade::ts, LT::timestamp(TU::Nanos)),
                                             pf::field("px", &Trade::px), pf::field("ccy", &Trade::ccy)});
    pf::Writer writer(dir / "trades.parquet", trades);
    std::vector<Trade> batch(3);
    pftest::GeneratedColumn ts, px, ccy;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i].ts = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(i);
        batch[i].px = static_cast<std::int32_t>(i) * -7;
        batch[i].ccy = {'G', 'B', static_cast<char>('P' + i)};
        ts.rows.push_back(std::to_string(batch[i].ts));
        px.rows.push_back(std::to_string(batch[i].px));
        ccy.rows.push_back(pftest::hex_json(std::string(batch[i].ccy.data(), 3)));
    }
    writer.write_records(batch);
    writer.write_records(std::span<const Trade>(batch).first(0));  // nothing to write
    // Records of another type are refused, however long.
    const std::vector<AddOrder> others(2);
    try {
        writer.write_records(others);
        FAIL() << "records of another type were written";
    } catch (const pf::Error& e) {
        EXPECT_EQ(e.code(), pf::ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("table 'trades' takes its own record type"), std::string::npos) << e.what();
    }
    EXPECT_THROW(writer.write_raw_records(std::as_bytes(std::span(batch)).first(10)), pf::Error);
    EXPECT_EQ(writer.close().rows, 3u);
    ts.column = {"ts", pf::PhysicalType::Int64, pf::Repetition::Required, 0, LT::timestamp(TU::Nanos)};
    px.column = {"px", pf::PhysicalType::Int32, pf::Repetition::Required, 0, {}};
    ccy.column = {"ccy", pf::PhysicalType::ByteArray, pf::Repetition::Required, 0, LT::string()};
    pftest::ExpectedFile file;
    file.path = dir / "trades.parquet";
    file.row_groups = {{ts, px, ccy}};
    pftest::write_sidecar(file);
    // A writer without a table has no records to take.
    pf::Schema schema;
    schema.required("x", pf::PhysicalType::Int64);
    pf::Writer plain(dir / "plain.parquet", schema);
    EXPECT_THROW(plain.write_records(batch), pf::Error);
    plain.close();
}

std::string sink_error(const pf::SinkOptions& options) {
    try {
        pf::Sink sink(options);
    } catch (const pf::Error& e) {
        EXPECT_EQ(e.code(), pf::ErrorCode::InvalidArgument) << e.what();
        return e.what();
    }
    return "(no error)";
}

TEST(Tables, BadLayoutsAreRefusedNamingTableAndField) {
    const auto dir = pftest::output_dir("tables/refused");
    pf::SinkOptions base;
    base.path = dir / "{table}-{seq}.parquet";
    const pf::TableLayout good{"quotes", {{"bid", 0, FT::Int64}, {"sym", 8, FT::Chars, 4}}, 12, nullptr};
    const auto with = [&](auto change) {
        pf::SinkOptions o = base;
        o.tables = {good, pf::TableLayout{"other", {{"x", 0, FT::Int32}}, 4, nullptr}};
        change(o);
        return sink_error(o);
    };
    const auto has = [](const std::string& message, const std::string& part) {
        return message.find(part) != std::string::npos;
    };
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[1].offset = 4; }),
                 "table 'quotes', field 'sym': bytes 4..8 overlap field 'bid' (bytes 0..8)");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[1].offset = 9; }),
                 "table 'quotes', field 'sym': bytes 9..13 lie outside the 12-byte record");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[1].type = static_cast<FT>(13); }),
                 "table 'quotes', field 'sym': unknown field type code 13");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[0].logical = LT::string(); }),
                 "table 'quotes', field 'bid': logical type STRING does not fit a INT64 field");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[0].logical = LT::decimal(20, 2); }),
                 "table 'quotes': column 'bid': DECIMAL(20, 2)");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[1].encoding = pf::Encoding::ByteStreamSplit; }),
                 "table 'quotes', field 'sym': encoding BYTE_STREAM_SPLIT does not fit BYTE_ARRAY");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[1].name = "bid"; }),
                 "table 'quotes': duplicate field name 'bid'");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields[1].name = ""; }), "table 'quotes': field 1 has an empty name");
    EXPECT_PRED2(has, with([](auto& o) { o.tables[1].name = "quotes"; }), "duplicate table name 'quotes'");
    for (const char* bad : {"", "../up", "a/b", ".", "..", ".hidden", "x%Y", "{seq}"}) {
        EXPECT_PRED2(has, with([&](auto& o) { o.tables[1].name = bad; }), "table name") << bad;
    }
    EXPECT_PRED2(has, with([](auto& o) { o.tables[0].fields.clear(); }), "table 'quotes' has no fields");
    EXPECT_PRED2(has, with([](auto& o) { o.path = o.path.parent_path() / "one-{seq}.parquet"; }),
                 "2 tables need {table} in the path pattern");
    EXPECT_PRED2(has, with([](auto& o) { o.seq = true; o.tables[1].fields[0].name = "seq"; }),
                 "table 'other', field 'seq': the name is taken by the sink's own 'seq' column");
    EXPECT_PRED2(has, with([](auto& o) { o.tables.clear(); }), "has {table} but the sink has no tables");
    EXPECT_PRED2(has, with([](auto& o) { o.ring_bytes = 4096; o.tables[1].record_bytes = 5000; o.tables[1].fields[0].offset = 4000; }),
                 "table 'other': records of 5000 bytes do not fit");
    // Nothing was created by any of them.
    EXPECT_TRUE(std::filesystem::is_empty(dir));
}

}  // namespace
