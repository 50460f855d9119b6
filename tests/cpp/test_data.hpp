// Test data for the writer suites: seeded column generators that produce a column's input
// (values, offsets, levels) together with the JSON sidecar that tests/readers/verify_parquet.py
// checks the file against with pyarrow and DuckDB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pftest {

namespace pf = parquet_flow;

// Where tests put their files (ctest sets PARQUET_FLOW_TEST_OUTPUT_DIR).
std::filesystem::path output_dir(const std::string& suite);

// A small deterministic generator (SplitMix64).
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }

private:
    std::uint64_t state_;
};

struct Shape {
    double null_probability = 0.2;  // OPTIONAL: share of null rows
    std::uint32_t max_list = 4;     // REPEATED: lists have 0..max_list elements
    std::uint32_t max_bytes = 24;   // BYTE_ARRAY: values have 0..max_bytes bytes
    std::uint64_t distinct = 0;     // > 0: values are drawn from this many (dictionaries pay)
};

// One column's data for one row group, and the sidecar JSON of each of its rows.
struct GeneratedColumn {
    pf::Column column;
    std::vector<std::byte> values;
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint8_t> def;
    std::vector<std::uint8_t> rep;
    std::vector<std::string> rows;  // JSON per row
    // If not empty: exactly the encodings (parquet.thrift names) the data pages must use in
    // every row group, checked by the cross-check (taken from the first row group's column).
    std::vector<std::string> data_page_encodings{};

    // The column's input, typed the way a user would type it.
    pf::ColumnData data() const;
};

GeneratedColumn generate(const pf::Column& column, std::size_t rows, Rng& rng, const Shape& shape = {});

// Describes a written file for the verifier. `row_groups` holds each row group's columns.
struct ExpectedFile {
    std::filesystem::path path;
    pf::Compression compression = pf::Compression::Uncompressed;
    std::vector<std::vector<GeneratedColumn>> row_groups;
    std::map<std::string, std::string> key_value_metadata;
    // The file's statistics level (columns may set their own).
    pf::Statistics statistics = pf::Statistics::Page;
};

void write_sidecar(const ExpectedFile& file);

// Writes every row group of `file` (with levels) and closes, then writes its sidecar.
void write_file_and_sidecar(const ExpectedFile& file, const pf::Schema& schema,
                            const pf::WriterOptions& options);

std::string physical_name(pf::PhysicalType t);

// The sidecar form of a BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY value: a JSON string of its hex.
std::string hex_json(const std::byte* data, std::size_t n);
std::string hex_json(std::string_view bytes);

// parquet.thrift's name of an encoding ("RLE_DICTIONARY", ...), as the sidecars state it.
std::string encoding_name(pf::Encoding e);

// Whether the format lets `e` encode values of `t` (the writer refuses the rest).
bool encoding_fits(pf::Encoding e, pf::PhysicalType t);

// Every value encoding the writer has.
inline constexpr pf::Encoding kAllEncodings[] = {pf::Encoding::Plain, pf::Encoding::RleDictionary,
                                                 pf::Encoding::DeltaBinaryPacked, pf::Encoding::DeltaLengthByteArray,
                                                 pf::Encoding::DeltaByteArray, pf::Encoding::ByteStreamSplit};

// The sidecar's name of a statistics level: "NONE", "CHUNK" or "PAGE".
std::string statistics_name(pf::Statistics s);

// parquet.thrift's name of a codec ("GZIP", "LZ4_RAW", ...), as the sidecars state it.
std::string codec_name(pf::Compression c);

// Every codec the writer has.
inline constexpr pf::Compression kAllCodecs[] = {pf::Compression::Uncompressed, pf::Compression::Snappy,
                                                 pf::Compression::Gzip, pf::Compression::Zstd,
                                                 pf::Compression::Lz4Raw};

}  // namespace pftest
