// Bad input: each case must throw parquet_flow::Error with the right code and a message that
// says what was wrong, write nothing, and leave the writer usable. The file written around the
// failures is then checked by the readers: it holds exactly the good row groups.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"
#include "test_data.hpp"

namespace pf = parquet_flow;
using pftest::GeneratedColumn;

namespace {

#define EXPECT_PF_ERROR(statement, expected_code, fragment)                                   \
    do {                                                                                      \
        try {                                                                                 \
            statement;                                                                        \
            ADD_FAILURE() << "expected parquet_flow::Error containing '" << (fragment) << "'"; \
        } catch (const pf::Error& e) {                                                        \
            EXPECT_EQ(e.code(), (expected_code)) << e.what();                                 \
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)                \
                << "message: " << e.what();                                                   \
        }                                                                                     \
    } while (0)

const auto kInvalid = pf::ErrorCode::InvalidArgument;

pf::Schema bad_input_schema() {
    pf::Schema schema;
    schema.required("id", pf::PhysicalType::Int32)
        .optional("name", pf::PhysicalType::ByteArray, pf::LogicalType::string())
        .repeated("tags", pf::PhysicalType::Int64)
        .fixed_len_byte_array("key", 4);
    return schema;
}

TEST(BadInput, RejectedRowGroupsLeaveAValidFile) {
    const auto path = pftest::output_dir("errors") / "after_bad_input.parquet";
    const pf::Schema schema = bad_input_schema();
    pf::Writer writer(path, schema, {});

    // A good row group of two rows: id 1,2; name "a", null; tags [5,6], []; key "abcd","wxyz".
    const std::vector<std::int32_t> ids{1, 2};
    const std::string name_bytes = "a";
    const std::vector<std::uint32_t> name_offsets{0, 1};
    const std::vector<std::uint8_t> name_def{1, 0};
    const std::vector<std::int64_t> tags{5, 6};
    const std::vector<std::uint8_t> tags_def{1, 1, 0};
    const std::vector<std::uint8_t> tags_rep{0, 1, 0};
    const std::string keys = "abcdwxyz";
    auto good = [&] {
        return std::vector<pf::ColumnData>{
            pf::ColumnData::int32(ids),
            pf::ColumnData::byte_array(std::as_bytes(std::span(name_bytes)), name_offsets).with_levels(name_def),
            pf::ColumnData::int64(tags).with_levels(tags_def, tags_rep),
            pf::ColumnData::fixed_len_byte_array(std::as_bytes(std::span(keys)))};
    };
    writer.write_row_group_with_levels(2, good());

    // Column count mismatch.
    auto cols = good();
    cols.pop_back();
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "3 columns given, the schema has 4");

    // Value count does not match the row count.
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(3, good()), kInvalid, "column 'id'");

    // Wrong typed span for the column.
    cols = good();
    const std::vector<std::int64_t> wide{1, 2};
    cols[0] = pf::ColumnData::int64(wide);
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "given INT64 values; the column holds INT32");

    // Byte-array offsets: decreasing, out of range, missing, too few.
    const std::vector<std::uint32_t> decreasing{0, 2, 1};
    const std::string two = "ab";
    const std::vector<std::uint8_t> both_defined{1, 1};
    cols = good();
    cols[1] = pf::ColumnData::byte_array(std::as_bytes(std::span(two)), decreasing).with_levels(both_defined);
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "offsets decrease at index 2");
    const std::vector<std::uint32_t> beyond{0, 1, 9};
    cols[1] = pf::ColumnData::byte_array(std::as_bytes(std::span(two)), beyond).with_levels(both_defined);
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "last offset is 9");
    cols[1] = pf::ColumnData::raw(std::as_bytes(std::span(two))).with_levels(both_defined);
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "needs offsets");

    // Definition level above the maximum; count of levels wrong; values vs. levels.
    const std::vector<std::uint8_t> def_two{1, 2};
    cols = good();
    cols[1].definition_levels = def_two;
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "definition level 2 at entry 1");
    const std::vector<std::uint8_t> def_short{1};
    cols[1].definition_levels = def_short;
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "1 definition levels for 2 rows");
    cols[1].definition_levels = both_defined;  // says two values, one given
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "mark 2 values as present");

    // Repetition levels on a non-repeated column; a first repetition level of 1.
    const std::vector<std::uint8_t> rep_zero{0, 0};
    cols = good();
    cols[1].repetition_levels = rep_zero;
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "only a REPEATED column");
    const std::vector<std::uint8_t> rep_bad{1, 1, 0};
    cols = good();
    cols[2].repetition_levels = rep_bad;
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "first repetition level is 1");
    // A repeated column whose levels start a different number of rows.
    const std::vector<std::uint8_t> rep_three_rows{0, 0, 0};
    cols[2].repetition_levels = rep_three_rows;
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "start 3 rows");
    // An empty list that a later entry continues (readers disagree on such a row: refused).
    const std::vector<std::uint8_t> empty_then_more_def{0, 1, 1};
    cols = good();
    cols[2].definition_levels = empty_then_more_def;
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "after an empty list");
    // A REQUIRED column given levels.
    cols = good();
    cols[0].definition_levels = both_defined;
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "REQUIRED column takes no");

    // FIXED_LEN_BYTE_ARRAY values of the wrong size.
    const std::string seven = "abcdefg";
    cols = good();
    cols[3] = pf::ColumnData::fixed_len_byte_array(std::as_bytes(std::span(seven)));
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, cols), kInvalid, "not a whole number of 4-byte values");

    // Zero rows; levels through the required-only path.
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(0, good()), kInvalid, "row_count is 0");
    EXPECT_PF_ERROR(writer.write_row_group(good()), kInvalid, "without levels");

    // Still usable: a second good row group, then close.
    writer.write_row_group_with_levels(2, good());
    const auto totals = writer.close();
    EXPECT_EQ(totals.row_groups, 2u);
    EXPECT_EQ(totals.rows, 4u);

    // Write after close; double close.
    EXPECT_PF_ERROR(writer.write_row_group_with_levels(2, good()), pf::ErrorCode::NotOpen, "closed");
    EXPECT_PF_ERROR(writer.close(), pf::ErrorCode::NotOpen, "already closed");

    auto column = [&](std::size_t i, std::vector<std::string> rows) {
        return GeneratedColumn{schema.columns()[i], {}, {}, {}, {}, std::move(rows)};
    };
    std::vector<GeneratedColumn> group{column(0, {"1", "2"}), column(1, {"\"61\"", "null"}),
                                       column(2, {"[5,6]", "[]"}), column(3, {"\"61626364\"", "\"7778797a\""})};
    pftest::write_sidecar({path, pf::Compression::Uncompressed, {group, group}, {}});
}

TEST(BadInput, SchemaProblemsAreReportedAtOpen) {
    const auto path = pftest::output_dir("errors") / "never_written.parquet";
    EXPECT_PF_ERROR(pf::Writer(path, pf::Schema{}), kInvalid, "no columns");

    pf::Schema dup;
    dup.required("a", pf::PhysicalType::Int32).required("a", pf::PhysicalType::Int64);
    EXPECT_PF_ERROR(pf::Writer(path, dup), kInvalid, "duplicate column name 'a'");

    pf::Schema flba;
    flba.fixed_len_byte_array("f", 0);
    EXPECT_PF_ERROR(pf::Writer(path, flba), kInvalid, "column 'f': FIXED_LEN_BYTE_ARRAY needs a type_length");

    pf::Schema wrong_logical;
    wrong_logical.required("s", pf::PhysicalType::Int32, pf::LogicalType::string());
    EXPECT_PF_ERROR(pf::Writer(path, wrong_logical), kInvalid, "STRING cannot annotate INT32");

    pf::Schema decimal;
    decimal.required("d", pf::PhysicalType::Int32, pf::LogicalType::decimal(12, 2));
    EXPECT_PF_ERROR(pf::Writer(path, decimal), kInvalid, "precision <= 9");

    pf::Schema unnamed;
    unnamed.required("", pf::PhysicalType::Int32);
    EXPECT_PF_ERROR(pf::Writer(path, unnamed), kInvalid, "column name is empty");

    pf::Schema ok;
    ok.required("x", pf::PhysicalType::Int32);
    pf::WriterOptions level;
    level.compression = pf::Compression::Gzip;
    level.gzip_level = 12;
    EXPECT_PF_ERROR(pf::Writer(path, ok, level), kInvalid, "gzip level");
    pf::WriterOptions page;
    page.data_page_size = std::size_t{1} << 40;
    EXPECT_PF_ERROR(pf::Writer(path, ok, page), kInvalid, "data_page_size");
    pf::WriterOptions kv;
    kv.key_value_metadata = {{"", "v"}};
    EXPECT_PF_ERROR(pf::Writer(path, ok, kv), kInvalid, "key is empty");
    pf::Schema codec;
    codec.add({"c", pf::PhysicalType::Int32, pf::Repetition::Required, 0, {}, static_cast<pf::Compression>(4)});
    EXPECT_PF_ERROR(pf::Writer(path, codec), kInvalid, "unknown compression code 4");
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(BadInput, UnwritableOutputPathNamesFileAndOsError) {
    pf::Schema ok;
    ok.required("x", pf::PhysicalType::Int32);
    const auto missing = pftest::output_dir("errors") / "no_such_dir" / "f.parquet";
    EXPECT_PF_ERROR(pf::Writer(missing, ok), pf::ErrorCode::Internal, "no_such_dir/f.parquet': No such file or directory");
}

}  // namespace
