// Randomized round-trips: seeded cases of random schemas (1-20 columns of every physical and
// logical type, FIXED_LEN_BYTE_ARRAY decimals of 1-16 bytes included; required / optional /
// repeated), null shares from 0 to 100 %, empty lists and strings, 1-12 row groups of 1 to
// 100,000 rows, every codec (per column too), every encoding that fits, values drawn from few
// distinct ones (so dictionaries pay) or not, statistics levels, small pages and checkpoints.
// Each case writes
// random/case_<seed>.parquet and its sidecar; the reader_crosscheck ctest entry then has pyarrow
// and DuckDB compare every value, so a failure there names the seed in the file name, and a
// failure while writing names it in the SCOPED_TRACE.
//
// 300 cases by default, split over six ctest entries. Long mode (case i uses seed
// PARQUET_FLOW_RANDOM_SEED + i; the default base is 1,000,000), from the build directory:
//
//   PARQUET_FLOW_RANDOM_CASES=3000 PARQUET_FLOW_RANDOM_SEED=5000000 ctest -j2 -R "RandomRoundTrip|reader_crosscheck"
//
// or without the other suites (verifying takes about 1.5 min per 1,000 cases on two cores):
//
//   export PARQUET_FLOW_TEST_OUTPUT_DIR=/tmp/pf-random PARQUET_FLOW_RANDOM_CASES=3000
//   tests/parquet_flow_tests --gtest_filter='*RandomRoundTrip*'
//   $PYTHON ../../tests/readers/verify_parquet.py /tmp/pf-random/random
//
// One seed again: PARQUET_FLOW_RANDOM_SEED=<seed> PARQUET_FLOW_RANDOM_CASES=1 with either.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"
#include "test_data.hpp"

namespace pf = parquet_flow;
using pftest::Rng;

namespace {

constexpr int kBlocks = 6;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// prefix + number (built with += only: GCC 12 warns falsely on "literal" + std::string).
std::string numbered(const char* prefix, std::uint64_t n) {
    std::string s = prefix;
    s += std::to_string(n);
    return s;
}

pf::TimeUnit any_unit(Rng& rng) {
    static const pf::TimeUnit units[] = {pf::TimeUnit::Millis, pf::TimeUnit::Micros, pf::TimeUnit::Nanos};
    return units[rng.below(3)];
}

// The most decimal digits an n-byte two's-complement integer always holds:
// floor(log10(2^(8n-1) - 1)) = floor((8n-1) log10 2), as LogicalTypes.md gives it.
int max_digits(std::uint32_t bytes) {
    return static_cast<int>(std::floor((8.0 * bytes - 1.0) * std::log10(2.0)));
}

std::string hex(const std::byte* p, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s = "\"";
    for (std::size_t i = 0; i < n; ++i) {
        const auto b = static_cast<unsigned>(p[i]);
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    s += '"';
    return s;
}

// test_data's FIXED_LEN_BYTE_ARRAY decimals are sized for 16 bytes and precision 38 (below
// 2^126). For another width and precision, sign-extend each value from bit k, where 2^k is the
// largest power of two below 10^precision, so |value| <= 2^k < 10^precision; then rebuild the
// sidecar rows from the changed bytes and the column's levels.
void fit_flba_decimal(pftest::GeneratedColumn& g) {
    const pf::Column& c = g.column;
    if (c.physical != pf::PhysicalType::FixedLenByteArray || c.logical.kind() != pf::LogicalType::Kind::Decimal ||
        (c.type_length == 16 && c.logical.precision() == 38)) {
        return;
    }
    const std::size_t n = c.type_length;
    const auto k = static_cast<std::size_t>(std::floor(c.logical.precision() * std::log2(10.0) - 1e-9));
    auto bit = [&](std::byte* v, std::size_t b) -> std::byte& { return v[n - 1 - b / 8]; };
    std::vector<std::string> values;
    for (std::size_t at = 0; at + n <= g.values.size(); at += n) {
        std::byte* v = g.values.data() + at;
        const bool negative = (bit(v, k) & std::byte(1u << (k % 8))) != std::byte{0};
        for (std::size_t b = k + 1; b < 8 * n; ++b) {
            const std::byte mask{static_cast<unsigned char>(1u << (b % 8))};
            bit(v, b) = negative ? (bit(v, b) | mask) : (bit(v, b) & ~mask);
        }
        values.push_back(hex(v, n));
    }
    std::size_t next = 0;
    g.rows.clear();
    switch (c.repetition) {
        case pf::Repetition::Required: g.rows = values; break;
        case pf::Repetition::Optional:
            for (auto d : g.def) g.rows.push_back(d ? values.at(next++) : "null");
            break;
        case pf::Repetition::Repeated:
            for (std::size_t i = 0; i < g.def.size(); ++i) {
                if (g.rep[i] == 0) {
                    if (i) g.rows.back() += ']';
                    g.rows.emplace_back("[");
                } else {
                    g.rows.back() += ',';
                }
                if (g.def[i]) g.rows.back() += values.at(next++);
            }
            if (!g.def.empty()) g.rows.back() += ']';
            break;
    }
}

// A column of a random physical type with a random logical annotation valid for it.
pf::Column random_column(Rng& rng, std::size_t index) {
    using L = pf::LogicalType;
    using T = pf::PhysicalType;
    pf::Column c{numbered("c", index), T::Int32, pf::Repetition::Required, 0, {}, {}};
    c.repetition = static_cast<pf::Repetition>(rng.below(3));
    switch (rng.below(8)) {
        case 0: c.physical = T::Boolean; break;
        case 1: {
            c.physical = T::Int32;
            switch (rng.below(6)) {
                case 0: c.logical = L::date(); break;
                case 1: c.logical = L::time(pf::TimeUnit::Millis, rng.below(2)); break;
                case 2: {
                    static const int bits[] = {8, 16, 32};
                    c.logical = L::integer(bits[rng.below(3)], rng.below(2));
                    break;
                }
                case 3: c.logical = L::decimal(static_cast<int>(1 + rng.below(9)), 0); break;
                default: break;
            }
            if (c.logical.kind() == L::Kind::Decimal) {
                const int precision = c.logical.precision();
                c.logical = L::decimal(precision, static_cast<int>(rng.below(precision + 1)));
            }
            break;
        }
        case 2: {
            c.physical = T::Int64;
            switch (rng.below(6)) {
                case 0: c.logical = L::time(rng.below(2) ? pf::TimeUnit::Micros : pf::TimeUnit::Nanos, rng.below(2)); break;
                case 1: c.logical = L::timestamp(any_unit(rng), rng.below(2)); break;
                case 2: c.logical = L::integer(64, rng.below(2)); break;
                case 3: {
                    const int precision = static_cast<int>(1 + rng.below(18));
                    c.logical = L::decimal(precision, static_cast<int>(rng.below(precision + 1)));
                    break;
                }
                default: break;
            }
            break;
        }
        case 3: c.physical = T::Int96; break;
        case 4: c.physical = rng.below(2) ? T::Float : T::Double; break;
        case 5: {
            c.physical = T::ByteArray;
            switch (rng.below(6)) {
                case 0: c.logical = L::string(); break;
                case 1: c.logical = L::enum_(); break;
                case 2: c.logical = L::json(); break;
                case 3: c.logical = L::decimal(static_cast<int>(19 + rng.below(20)), static_cast<int>(rng.below(19))); break;
                default: break;
            }
            break;
        }
        default: {
            c.physical = T::FixedLenByteArray;
            switch (rng.below(5)) {
                case 0:
                    c.type_length = 16;
                    c.logical = L::uuid();
                    break;
                case 1:
                    // The generator's 16-byte decimals reach 2^126: precision 38 holds them.
                    c.type_length = 16;
                    c.logical = L::decimal(38, static_cast<int>(rng.below(39)));
                    break;
                case 2: {
                    // A narrower decimal: 1-16 bytes, any precision they hold (values are fitted
                    // to it by fit_flba_decimal after generation).
                    c.type_length = static_cast<std::uint32_t>(1 + rng.below(16));
                    const int precision = static_cast<int>(1 + rng.below(static_cast<std::uint64_t>(max_digits(c.type_length))));
                    c.logical = L::decimal(precision, static_cast<int>(rng.below(precision + 1)));
                    break;
                }
                default: c.type_length = static_cast<std::uint32_t>(1 + rng.below(24)); break;
            }
            break;
        }
    }
    if (rng.chance(0.15)) c.compression = pftest::kAllCodecs[rng.below(std::size(pftest::kAllCodecs))];
    if (rng.chance(0.5)) {
        // Any encoding that fits, but not those DuckDB does not read (docs/FORMAT.md): BYTE_STREAM_SPLIT
        // for FIXED_LEN_BYTE_ARRAY, the DELTA byte-array encodings for DECIMAL (pyarrow reads both;
        // the encoding matrix covers them).
        const bool decimal = c.logical.kind() == L::Kind::Decimal;
        std::vector<pf::Encoding> fitting;
        for (pf::Encoding e : pftest::kAllEncodings) {
            const bool duckdb_refuses =
                (e == pf::Encoding::ByteStreamSplit && c.physical == T::FixedLenByteArray) ||
                (decimal && (e == pf::Encoding::DeltaLengthByteArray || e == pf::Encoding::DeltaByteArray));
            if (pftest::encoding_fits(e, c.physical) && !duckdb_refuses) fitting.push_back(e);
        }
        c.encoding = fitting[rng.below(fitting.size())];
    }
    if (rng.chance(0.15)) c.statistics = static_cast<pf::Statistics>(rng.below(3));
    return c;
}

// Row counts per row group, log-uniform but bounded in total cells so the 300 cases stay quick
// to verify with both readers. Most cases: 1-4 row groups (sometimes 5-12) of 1 to 100,000
// rows within 6,000 cells. One in ten: 1-2 row groups of 1,000 to 100,000 rows within 100,000
// cells (10,000+ rows when the columns are few). A `big` case: one row group of 100,000.
std::vector<std::size_t> random_row_groups(Rng& rng, std::size_t columns, bool big) {
    if (big) return {100'000};
    const bool mid = rng.chance(0.1);
    const std::size_t cell_budget = mid ? 100'000 : 6'000;
    const double low = mid ? std::log(1'000.0) : 0.0;
    const std::size_t groups = mid ? 1 + rng.below(2) : rng.chance(0.15) ? 5 + rng.below(8) : 1 + rng.below(4);
    std::vector<std::size_t> rows;
    for (std::size_t g = 0; g < groups; ++g) {
        // Log-uniform in [1 or 1,000, 100,000].
        const double u = static_cast<double>(rng.below(1'000'000)) / 1e6;
        auto n = static_cast<std::size_t>(std::exp(low + u * (std::log(100'000.0) - low)));
        rows.push_back(std::clamp<std::size_t>(n, 1, std::max<std::size_t>(1, cell_budget / columns / groups)));
    }
    return rows;
}

void run_case(std::uint64_t seed) {
    SCOPED_TRACE(numbered("random case seed ", seed));
    Rng rng(seed);
    const std::size_t column_count = rng.chance(0.05) ? 1 + rng.below(2) : 1 + rng.below(20);
    std::vector<pf::Column> columns;
    pf::Schema schema;
    for (std::size_t i = 0; i < column_count; ++i) {
        columns.push_back(random_column(rng, i));
        schema.add(columns.back());
    }
    static const double null_shares[] = {0.0, 0.05, 0.5, 0.95, 1.0};
    pftest::Shape shape;
    shape.null_probability = null_shares[rng.below(5)];
    shape.max_list = static_cast<std::uint32_t>(rng.below(6));  // 0: every list empty
    shape.max_bytes = static_cast<std::uint32_t>(rng.below(4) == 0 ? 0 : rng.below(64));  // 0: empty strings
    if (rng.chance(0.3)) shape.distinct = 1 + rng.below(200);  // repeats: dictionaries pay

    pf::WriterOptions options;
    options.compression = pftest::kAllCodecs[rng.below(std::size(pftest::kAllCodecs))];
    if (rng.chance(0.3)) options.data_page_size = 64 + rng.below(4096);
    if (rng.chance(0.2)) options.gzip_level = static_cast<int>(rng.below(10));
    if (rng.chance(0.2)) options.zstd_level = static_cast<int>(rng.below(30)) - 7;
    if (rng.chance(0.2)) options.key_value_metadata = {{"seed", std::to_string(seed)}};
    if (rng.chance(0.2)) options.durability = pf::Durability::RowGroup;
    if (rng.chance(0.15)) options.statistics = static_cast<pf::Statistics>(rng.below(3));

    const auto path = pftest::output_dir("random") / (numbered("case_", seed) + ".parquet");
    pftest::ExpectedFile file{path, options.compression, {}, {}};
    file.statistics = options.statistics;
    for (const auto& [k, v] : options.key_value_metadata) file.key_value_metadata[k] = v;
    // A few one- or two-column cases are one row group of 100,000 rows.
    const bool big = column_count <= 2 && rng.chance(0.25);
    for (std::size_t rows : random_row_groups(rng, column_count, big)) {
        std::vector<pftest::GeneratedColumn> group;
        for (const auto& c : columns) {
            group.push_back(pftest::generate(c, rows, rng, shape));
            fit_flba_decimal(group.back());
        }
        file.row_groups.push_back(std::move(group));
    }
    ASSERT_NO_THROW(pftest::write_file_and_sidecar(file, schema, options));
}

class RandomRoundTrip : public ::testing::TestWithParam<int> {};

TEST_P(RandomRoundTrip, WritesWhatReadersReadBack) {
    const std::uint64_t cases = env_number("PARQUET_FLOW_RANDOM_CASES", 300);
    const std::uint64_t base = env_number("PARQUET_FLOW_RANDOM_SEED", 1'000'000);
    for (std::uint64_t i = static_cast<std::uint64_t>(GetParam()); i < cases; i += kBlocks) {
        run_case(base + i);
        if (HasFatalFailure()) return;
    }
}

INSTANTIATE_TEST_SUITE_P(Blocks, RandomRoundTrip, ::testing::Range(0, kBlocks));

}  // namespace
