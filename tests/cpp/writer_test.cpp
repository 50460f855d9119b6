// Writer suites: every physical type x repetition x codec, row-group and page shapes, logical
// types. Each test writes a file and a sidecar; the reader_crosscheck ctest entry then has
// pyarrow and DuckDB read every file and compare every value, null and list boundary.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"
#include "test_data.hpp"

namespace pf = parquet_flow;
using pftest::ExpectedFile;
using pftest::generate;
using pftest::GeneratedColumn;
using pftest::Rng;

namespace {

std::string repetition_name(pf::Repetition r) {
    return r == pf::Repetition::Required ? "required" : r == pf::Repetition::Optional ? "optional" : "repeated";
}

pf::Column column_of(pf::PhysicalType t, pf::Repetition r, std::string name = "v") {
    pf::Column c{std::move(name), t, r, 0, {}, {}};
    if (t == pf::PhysicalType::FixedLenByteArray) c.type_length = 7;
    return c;
}

// Writes `groups` row groups of the given sizes for `columns` and its sidecar; `encodings`, if
// given, holds per column the encodings its data pages must use (see GeneratedColumn).
void write_case(const std::filesystem::path& path, const std::vector<pf::Column>& columns,
                const std::vector<std::size_t>& group_rows, pf::WriterOptions options, std::uint64_t seed,
                const pftest::Shape& shape = {}, const std::vector<std::vector<std::string>>& encodings = {}) {
    Rng rng(seed);
    pf::Schema schema;
    for (const auto& c : columns) schema.add(c);
    ExpectedFile file{path, options.compression, {}, {}};
    file.statistics = options.statistics;
    for (const auto& [k, v] : options.key_value_metadata) file.key_value_metadata[k] = v;
    for (std::size_t rows : group_rows) {
        std::vector<GeneratedColumn> group;
        for (const auto& c : columns) group.push_back(generate(c, rows, rng, shape));
        for (std::size_t i = 0; i < encodings.size(); ++i) group[i].data_page_encodings = encodings[i];
        file.row_groups.push_back(std::move(group));
    }
    pftest::write_file_and_sidecar(file, schema, options);
}

using MatrixParam = std::tuple<pf::PhysicalType, pf::Repetition, pf::Compression>;

class TypeMatrix : public ::testing::TestWithParam<MatrixParam> {};

std::string matrix_case_name(const ::testing::TestParamInfo<MatrixParam>& info) {
    const auto& [type, repetition, compression] = info.param;
    std::string codec = pftest::codec_name(compression);
    std::erase(codec, '_');
    return pftest::physical_name(type) + "_" + repetition_name(repetition) + "_" + codec;
}

TEST_P(TypeMatrix, RoundTripsThroughReaders) {
    const auto [type, repetition, compression] = GetParam();
    const auto dir = pftest::output_dir("matrix");
    const std::string stem = matrix_case_name({GetParam(), 0});
    pf::WriterOptions options;
    options.compression = compression;
    options.key_value_metadata = {{"case", stem}};
    // Small pages: the 1,500-row group spans several pages in every type.
    options.data_page_size = 512;
    const auto seed = static_cast<std::uint64_t>(type) * 100 + static_cast<std::uint64_t>(repetition) * 10 +
                      static_cast<std::uint64_t>(compression);
    ASSERT_NO_THROW(write_case(dir / (stem + ".parquet"), {column_of(type, repetition)}, {1, 1500, 37}, options,
                               seed));
}

// Every encoding that fits each physical type, for each repetition, through the readers: a file
// per encoding, codecs taken in turn, small pages. Dictionary cases draw values from 40 distinct
// ones (so the dictionary pays and is kept); the cross-check also checks that every data page is
// in the encoding asked for.
using EncodingParam = std::tuple<pf::PhysicalType, pf::Repetition>;
class EncodingMatrix : public ::testing::TestWithParam<EncodingParam> {};

TEST_P(EncodingMatrix, EveryEncodingRoundTrips) {
    const auto [type, repetition] = GetParam();
    const auto dir = pftest::output_dir("encodings");
    std::size_t n = 0;
    for (pf::Encoding encoding : pftest::kAllEncodings) {
        if (!pftest::encoding_fits(encoding, type)) continue;
        std::string stem = pftest::physical_name(type) + "_" + repetition_name(repetition) + "_" +
                           pftest::encoding_name(encoding);
        pf::Column column = column_of(type, repetition);
        column.encoding = encoding;
        pf::WriterOptions options;
        options.compression = pftest::kAllCodecs[(static_cast<std::size_t>(type) + n++) % std::size(pftest::kAllCodecs)];
        options.data_page_size = 700;
        pftest::Shape shape;
        shape.max_bytes = 40;
        if (encoding == pf::Encoding::RleDictionary) shape.distinct = 40;
        const auto seed = static_cast<std::uint64_t>(type) * 1000 + static_cast<std::uint64_t>(repetition) * 100 +
                          static_cast<std::uint64_t>(encoding);
        ASSERT_NO_THROW(write_case(dir / (stem + ".parquet"), {column}, {1, 2000, 129}, options, seed, shape,
                                   {{pftest::encoding_name(encoding)}}))
            << stem;
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, EncodingMatrix,
    ::testing::Combine(::testing::Values(pf::PhysicalType::Boolean, pf::PhysicalType::Int32, pf::PhysicalType::Int64,
                                         pf::PhysicalType::Int96, pf::PhysicalType::Float, pf::PhysicalType::Double,
                                         pf::PhysicalType::ByteArray, pf::PhysicalType::FixedLenByteArray),
                       ::testing::Values(pf::Repetition::Required, pf::Repetition::Optional,
                                         pf::Repetition::Repeated)),
    [](const ::testing::TestParamInfo<EncodingParam>& info) {
        return pftest::physical_name(std::get<0>(info.param)) + "_" + repetition_name(std::get<1>(info.param));
    });

INSTANTIATE_TEST_SUITE_P(
    AllTypes, TypeMatrix,
    ::testing::Combine(::testing::Values(pf::PhysicalType::Boolean, pf::PhysicalType::Int32, pf::PhysicalType::Int64,
                                         pf::PhysicalType::Int96, pf::PhysicalType::Float, pf::PhysicalType::Double,
                                         pf::PhysicalType::ByteArray, pf::PhysicalType::FixedLenByteArray),
                       ::testing::Values(pf::Repetition::Required, pf::Repetition::Optional,
                                         pf::Repetition::Repeated),
                       ::testing::ValuesIn(pftest::kAllCodecs)),
    matrix_case_name);

TEST(Writer, AllColumnsTogetherManyRowGroups) {
    std::vector<pf::Column> columns;
    int i = 0;
    for (auto t : {pf::PhysicalType::Boolean, pf::PhysicalType::Int32, pf::PhysicalType::Int64, pf::PhysicalType::Int96,
                   pf::PhysicalType::Float, pf::PhysicalType::Double, pf::PhysicalType::ByteArray,
                   pf::PhysicalType::FixedLenByteArray}) {
        for (auto r : {pf::Repetition::Required, pf::Repetition::Optional, pf::Repetition::Repeated}) {
            std::string name = "c";  // appended, not "c" + ...: g++ 12 warns falsely (-Wrestrict) on that
            name += std::to_string(i++);
            columns.push_back(column_of(t, r, std::move(name)));
        }
    }
    pf::WriterOptions options;
    options.compression = pf::Compression::Gzip;
    options.gzip_level = 6;
    write_case(pftest::output_dir("writer") / "all_columns.parquet", columns, {10, 1, 250, 1000, 3, 64}, options, 7);
}

TEST(Writer, MultiPageChunksAtDefaultPageSize) {
    // 300,000 int64 = 2.4 MB per chunk: three pages at the default 1 MiB.
    write_case(pftest::output_dir("writer") / "multi_page_default.parquet",
               {column_of(pf::PhysicalType::Int64, pf::Repetition::Required, "a"),
                column_of(pf::PhysicalType::ByteArray, pf::Repetition::Optional, "b")},
               {300'000, 5}, {}, 11, pftest::Shape{0.3, 4, 16});
}

TEST(Writer, NullDensitiesAndEmptyLists) {
    for (double p : {0.0, 0.5, 1.0}) {
        const auto name = "nulls_" + std::to_string(static_cast<int>(p * 100));
        pftest::Shape shape{p, 0, 24};  // max_list 0: every list is empty
        write_case(pftest::output_dir("writer") / (name + ".parquet"),
                   {column_of(pf::PhysicalType::Int32, pf::Repetition::Optional, "o"),
                    column_of(pf::PhysicalType::ByteArray, pf::Repetition::Optional, "s"),
                    column_of(pf::PhysicalType::Double, pf::Repetition::Repeated, "l")},
                   {2000, 1}, {}, 13, shape);
    }
}

TEST(Writer, EmptyStringsAndLargeValues) {
    const auto path = pftest::output_dir("writer") / "large_values.parquet";
    pf::Schema schema;
    schema.required("blob", pf::PhysicalType::ByteArray);
    ExpectedFile file{path, pf::Compression::Gzip, {}, {}};
    GeneratedColumn g;
    g.column = schema.columns()[0];
    g.offsets = {0};
    // An empty value, a 3 MiB value (larger than a page), another empty value, a small one, and
    // 200 KB of noise (a GZIP page that is stored, not deflated).
    Rng noise(23);
    for (std::size_t len : {std::size_t{0}, std::size_t{3} << 20, std::size_t{0}, std::size_t{5}, std::size_t{200'000}}) {
        const std::size_t at = g.values.size();
        for (std::size_t i = 0; i < len; ++i) {
            g.values.push_back(static_cast<std::byte>(len == 200'000 ? noise.below(256) : (i * 131) >> 3));
        }
        g.offsets.push_back(static_cast<std::uint32_t>(g.values.size()));
        std::string hex;
        static const char digits[] = "0123456789abcdef";
        for (std::size_t i = at; i < g.values.size(); ++i) {
            hex += digits[static_cast<unsigned>(g.values[i]) >> 4];
            hex += digits[static_cast<unsigned>(g.values[i]) & 15];
        }
        g.rows.push_back("\"" + hex + "\"");
    }
    file.row_groups.push_back({g});
    pf::WriterOptions options;
    options.compression = pf::Compression::Gzip;
    pftest::write_file_and_sidecar(file, schema, options);
}

TEST(Writer, LogicalTypes) {
    using L = pf::LogicalType;
    using T = pf::PhysicalType;
    using R = pf::Repetition;
    std::vector<pf::Column> columns = {
        {"string", T::ByteArray, R::Optional, 0, L::string(), {}},
        {"enum", T::ByteArray, R::Required, 0, L::enum_(), {}},
        {"json", T::ByteArray, R::Optional, 0, L::json(), {}},
        {"uuid", T::FixedLenByteArray, R::Required, 16, L::uuid(), {}},
        {"date", T::Int32, R::Optional, 0, L::date(), {}},
        {"time_ms", T::Int32, R::Required, 0, L::time(pf::TimeUnit::Millis, true), {}},
        {"time_us", T::Int64, R::Required, 0, L::time(pf::TimeUnit::Micros, false), {}},
        {"time_ns", T::Int64, R::Optional, 0, L::time(pf::TimeUnit::Nanos, true), {}},
        {"ts_ms", T::Int64, R::Required, 0, L::timestamp(pf::TimeUnit::Millis, true), {}},
        {"ts_us", T::Int64, R::Required, 0, L::timestamp(pf::TimeUnit::Micros, false), {}},
        {"ts_ns", T::Int64, R::Repeated, 0, L::timestamp(pf::TimeUnit::Nanos, true), {}},
        {"i8", T::Int32, R::Required, 0, L::integer(8, true), {}},
        {"u8", T::Int32, R::Required, 0, L::integer(8, false), {}},
        {"i16", T::Int32, R::Optional, 0, L::integer(16, true), {}},
        {"u16", T::Int32, R::Required, 0, L::integer(16, false), {}},
        {"i32", T::Int32, R::Required, 0, L::integer(32, true), {}},
        {"u32", T::Int32, R::Required, 0, L::integer(32, false), {}},
        {"i64", T::Int64, R::Required, 0, L::integer(64, true), {}},
        {"u64", T::Int64, R::Required, 0, L::integer(64, false), {}},
        {"dec32", T::Int32, R::Required, 0, L::decimal(9, 2), {}},
        {"dec64", T::Int64, R::Optional, 0, L::decimal(18, 4), {}},
        {"dec_flba", T::FixedLenByteArray, R::Required, 16, L::decimal(38, 10), {}},
        {"dec_ba", T::ByteArray, R::Required, 0, L::decimal(38, 3), {}},
    };
    for (auto compression : {pf::Compression::Uncompressed, pf::Compression::Gzip}) {
        pf::WriterOptions options;
        options.compression = compression;
        const std::string name = compression == pf::Compression::Gzip ? "logical_gzip" : "logical_plain";
        write_case(pftest::output_dir("writer") / (name + ".parquet"), columns, {200, 1, 57}, options, 17);
    }
}

TEST(Writer, PerColumnCompressionAndMetadata) {
    std::vector<pf::Column> columns = {column_of(pf::PhysicalType::Int64, pf::Repetition::Required, "plain_col"),
                                       column_of(pf::PhysicalType::ByteArray, pf::Repetition::Optional, "gzip_col")};
    columns[0].compression = pf::Compression::Uncompressed;
    columns[1].compression = pf::Compression::Gzip;
    pf::WriterOptions options;
    options.compression = pf::Compression::Gzip;
    options.key_value_metadata = {{"feed", "itch"}, {"empty", ""}};
    write_case(pftest::output_dir("writer") / "per_column_codec.parquet", columns, {100, 100}, options, 19);
}

// Statistics levels per file and per column, and the bounds readers prune with: long strings and
// byte arrays (cut to 64 bytes, a cut max rounded up), unsigned and decimal orders, floats with
// NaN and signed zeros, small pages so chunks have many page-index entries. The cross-check
// compares every bound and null count with the sidecar's values through pyarrow and DuckDB.
TEST(Writer, StatisticsLevelsAndBounds) {
    using L = pf::LogicalType;
    using T = pf::PhysicalType;
    using R = pf::Repetition;
    std::vector<pf::Column> columns = {
        {"long_string", T::ByteArray, R::Optional, 0, L::string(), {}},
        {"long_bytes", T::ByteArray, R::Required, 0, {}, {}},
        {"u32", T::Int32, R::Required, 0, L::integer(32, false), {}},
        {"u64", T::Int64, R::Optional, 0, L::integer(64, false), {}},
        {"dec_flba", T::FixedLenByteArray, R::Required, 9, L::decimal(20, 2), {}},
        {"dec_ba", T::ByteArray, R::Repeated, 0, L::decimal(30, 0), {}},
        {"f", T::Float, R::Optional, 0, {}, {}},
        {"d", T::Double, R::Repeated, 0, {}, {}},
        {"b", T::Boolean, R::Optional, 0, {}, {}},
        {"ts", T::Int96, R::Optional, 0, {}, {}},
        {"no_stats", T::Int64, R::Required, 0, {}, {}},
        {"chunk_only", T::ByteArray, R::Optional, 0, L::string(), {}},
    };
    columns[10].statistics = pf::Statistics::None;
    columns[11].statistics = pf::Statistics::Chunk;
    pf::WriterOptions options;
    options.compression = pf::Compression::Zstd;
    options.data_page_size = 2048;
    write_case(pftest::output_dir("writer") / "statistics_page.parquet", columns, {3000, 1, 700}, options, 29,
               pftest::Shape{0.2, 4, 150});
    // The file-wide level, with one column asking for more.
    options.statistics = pf::Statistics::Chunk;
    columns[10].statistics = pf::Statistics::Page;
    columns[11].statistics.reset();
    write_case(pftest::output_dir("writer") / "statistics_chunk.parquet", columns, {500, 20}, options, 31,
               pftest::Shape{0.5, 2, 80});
    options.statistics = pf::Statistics::None;
    write_case(pftest::output_dir("writer") / "statistics_none.parquet", columns, {500}, options, 37);
}

// The default encoding: a dictionary while it pays. Three files, through the readers: a chunk that
// starts with few distinct values and then outgrows the 1 MiB dictionary (dictionary pages, then
// PLAIN for the rest of the chunk); a chunk of unique values (PLAIN from the start: the first
// 1,024 values are over 75 % distinct); and a chunk of few values (dictionary throughout).
TEST(Writer, DictionaryFallsBackWhereItDoesNotPay) {
    pf::Schema schema;
    schema.required("s", pf::PhysicalType::ByteArray);
    const auto write = [&](const std::string& name, std::size_t repeated, std::size_t unique,
                           std::vector<std::string> encodings) {
        GeneratedColumn g;
        g.column = schema.columns()[0];
        g.offsets = {0};
        g.data_page_encodings = std::move(encodings);
        Rng rng(41);
        for (std::size_t i = 0; i < repeated + unique; ++i) {
            std::string value = i < repeated ? "symbol-" + std::to_string(i % 8) : std::string(48, '\0');
            if (i >= repeated) {
                for (char& ch : value) ch = static_cast<char>('a' + rng.below(26));
            }
            for (char ch : value) g.values.push_back(static_cast<std::byte>(ch));
            g.offsets.push_back(static_cast<std::uint32_t>(g.values.size()));
            g.rows.push_back(pftest::hex_json(value));
        }
        ExpectedFile file{pftest::output_dir("writer") / name, pf::Compression::Snappy, {}, {}};
        file.row_groups = {{g}};
        pf::WriterOptions options;
        options.compression = pf::Compression::Snappy;
        options.data_page_size = 16 << 10;
        pftest::write_file_and_sidecar(file, schema, options);
    };
    // 30,000 unique 48-byte values: 1.5 MB of dictionary, past the limit part way.
    write("dictionary_fallback.parquet", 3000, 30'000, {"RLE_DICTIONARY", "PLAIN"});
    write("dictionary_unprofitable.parquet", 0, 5000, {"PLAIN"});
    write("dictionary_kept.parquet", 20'000, 0, {"RLE_DICTIONARY"});
}

// A file for the pruning check (tests/readers/pruning_check.py): ten row groups of 1,000 rows
// with ascending, disjoint ranges of `k`, ZSTD, default statistics. The check damages every row
// group a filter on `k` can skip and reads with that filter through pyarrow and DuckDB.
TEST(Writer, SortedKeysForPruning) {
    pf::Schema schema;
    schema.required("k", pf::PhysicalType::Int64).optional("note", pf::PhysicalType::ByteArray, pf::LogicalType::string());
    ExpectedFile file{pftest::output_dir("pruning") / "sorted_keys.parquet", pf::Compression::Zstd, {}, {}};
    Rng rng(53);
    for (std::int64_t g = 0; g < 10; ++g) {
        GeneratedColumn k, note;
        k.column = schema.columns()[0];
        note.column = schema.columns()[1];
        note.offsets = {0};
        for (std::int64_t i = 0; i < 1000; ++i) {
            const std::int64_t key = g * 10'000 + i * 7;
            const auto bytes = std::bit_cast<std::array<std::byte, 8>>(key);
            k.values.insert(k.values.end(), bytes.begin(), bytes.end());
            k.rows.push_back(std::to_string(key));
            if (rng.chance(0.1)) {
                note.def.push_back(0);
                note.rows.push_back("null");
                continue;
            }
            note.def.push_back(1);
            const std::string text = "order " + std::to_string(key);
            for (char ch : text) note.values.push_back(static_cast<std::byte>(ch));
            note.offsets.push_back(static_cast<std::uint32_t>(note.values.size()));
            note.rows.push_back(pftest::hex_json(text));
        }
        file.row_groups.push_back({k, note});
    }
    pf::WriterOptions options;
    options.compression = pf::Compression::Zstd;
    options.data_page_size = 1024;  // several pages per chunk: a page index worth having
    pftest::write_file_and_sidecar(file, schema, options);
}

TEST(Writer, EncodingsThatDoNotFitAreRefused) {
    const auto refused = [](pf::PhysicalType type, pf::Encoding encoding) {
        pf::Schema schema;
        pf::Column c{"c", type, pf::Repetition::Required, 0, {}, {}};
        if (type == pf::PhysicalType::FixedLenByteArray) c.type_length = 4;
        c.encoding = encoding;
        schema.add(c);
        try {
            pf::Writer writer(pftest::output_dir("errors") / "never_written.parquet", schema);
        } catch (const pf::Error& e) {
            EXPECT_EQ(e.code(), pf::ErrorCode::InvalidArgument);
            return std::string(e.what());
        }
        return std::string();
    };
    for (pf::PhysicalType type : {pf::PhysicalType::Boolean, pf::PhysicalType::Int32, pf::PhysicalType::Int64,
                                  pf::PhysicalType::Int96, pf::PhysicalType::Float, pf::PhysicalType::Double,
                                  pf::PhysicalType::ByteArray, pf::PhysicalType::FixedLenByteArray}) {
        for (pf::Encoding encoding : pftest::kAllEncodings) {
            if (pftest::encoding_fits(encoding, type)) continue;
            const std::string message = refused(type, encoding);
            EXPECT_NE(message.find("column 'c': " + pftest::encoding_name(encoding) + " cannot encode " +
                                   pftest::physical_name(type)),
                      std::string::npos)
                << message;
        }
    }
    EXPECT_FALSE(std::filesystem::exists(pftest::output_dir("errors") / "never_written.parquet"));
}

TEST(Writer, RequiredPathDerivesRowCount) {
    const auto path = pftest::output_dir("writer") / "required_path.parquet";
    pf::Schema schema;
    schema.required("id", pf::PhysicalType::Int32).required("name", pf::PhysicalType::ByteArray, pf::LogicalType::string());
    pf::Writer writer(path, schema);
    const std::vector<std::int32_t> ids{1, 2, 3};
    const std::string names = "onetwothree";
    const std::vector<std::uint32_t> offsets{0, 3, 6, 11};
    writer.write_row_group({pf::ColumnData::int32(ids), pf::ColumnData::byte_array(std::as_bytes(std::span(names)), offsets)});
    const auto totals = writer.close();
    EXPECT_EQ(totals.rows, 3u);
    EXPECT_EQ(totals.row_groups, 1u);
    EXPECT_EQ(totals.bytes, std::filesystem::file_size(path));
    GeneratedColumn id{schema.columns()[0], {}, {}, {}, {}, {"1", "2", "3"}};
    GeneratedColumn name{schema.columns()[1], {}, {}, {}, {}, {"\"6f6e65\"", "\"74776f\"", "\"7468726565\""}};
    pftest::write_sidecar({path, pf::Compression::Uncompressed, {{id, name}}, {}});
}

TEST(Writer, MoveAndDestructorClose) {
    const auto path = pftest::output_dir("writer") / "destructor_close.parquet";
    pf::Schema schema;
    schema.required("x", pf::PhysicalType::Int64);
    const std::vector<std::int64_t> xs{42, -1};
    {
        pf::Writer a(path, schema);
        pf::Writer b = std::move(a);
        EXPECT_FALSE(a.is_open());
        b.write_row_group({pf::ColumnData::int64(xs)});
        EXPECT_EQ(b.totals().rows, 2u);
    }  // ~Writer writes the footer
    GeneratedColumn x{schema.columns()[0], {}, {}, {}, {}, {"42", "-1"}};
    pftest::write_sidecar({path, pf::Compression::Uncompressed, {{x}}, {}});
}

TEST(Version, TheLibraryIsTheVersionOfItsHeaders) {
    EXPECT_STREQ(pf::version(), PARQUET_FLOW_VERSION_STRING);
    EXPECT_EQ(std::to_string(pf::version_major) + "." + std::to_string(pf::version_minor) + "." +
                  std::to_string(pf::version_patch),
              PARQUET_FLOW_VERSION_STRING);
}

}  // namespace
