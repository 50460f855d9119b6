// Randomized round-trips: seeded cases of random schemas (1-20 columns of every physical and
// logical type, required / optional / repeated), null shares from 0 to 100 %, empty lists and
// strings, row groups of 1 to 100,000 rows, both codecs (per column too) and small pages. Each
// case writes random/case_<seed>.parquet and its sidecar; the reader_crosscheck ctest entry then
// has pyarrow and DuckDB compare every value, so a failure there names the seed in the file.
//
// 300 cases by default, split over six ctest entries. More, or one seed again:
//
//   PARQUET_FLOW_RANDOM_CASES=3000 ctest --preset release -R "RandomRoundTrip|reader_crosscheck"
//   PARQUET_FLOW_RANDOM_SEED=<seed> PARQUET_FLOW_RANDOM_CASES=1 ctest --preset release
//       -R "RandomRoundTrip|reader_crosscheck"          (one line)
//
// (case i uses seed PARQUET_FLOW_RANDOM_SEED + i; the default base is 1,000,000.)
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
            switch (rng.below(4)) {
                case 0:
                    c.type_length = 16;
                    c.logical = L::uuid();
                    break;
                case 1:
                    // The generator's 16-byte decimals reach 2^126: precision 38 holds them.
                    c.type_length = 16;
                    c.logical = L::decimal(38, static_cast<int>(rng.below(39)));
                    break;
                default: c.type_length = static_cast<std::uint32_t>(1 + rng.below(24)); break;
            }
            break;
        }
    }
    if (rng.chance(0.15)) c.compression = rng.below(2) ? pf::Compression::Gzip : pf::Compression::Uncompressed;
    return c;
}

// Row counts per row group, log-uniform from 1 to 100,000 but bounded in total cells so the
// 300 cases stay quick to verify with both readers; a `big` case is one row group of 100,000.
std::vector<std::size_t> random_row_groups(Rng& rng, std::size_t columns, bool big) {
    const std::size_t cell_budget = 6'000;
    const std::size_t groups = big ? 1 : 1 + rng.below(4);
    std::vector<std::size_t> rows;
    for (std::size_t g = 0; g < groups; ++g) {
        // Log-uniform in [1, 100,000].
        auto n = static_cast<std::size_t>(std::exp(static_cast<double>(rng.below(1'000'000)) / 1e6 * std::log(100'000.0)));
        n = std::clamp<std::size_t>(n, 1, std::max<std::size_t>(1, cell_budget / columns / groups));
        rows.push_back(big ? 100'000 : n);
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

    pf::WriterOptions options;
    options.compression = rng.below(2) ? pf::Compression::Gzip : pf::Compression::Uncompressed;
    if (rng.chance(0.3)) options.data_page_size = 64 + rng.below(4096);
    if (rng.chance(0.2)) options.gzip_level = static_cast<int>(rng.below(10));
    if (rng.chance(0.2)) options.key_value_metadata = {{"seed", std::to_string(seed)}};
    if (rng.chance(0.2)) options.durability = pf::Durability::RowGroup;

    const auto path = pftest::output_dir("random") / (numbered("case_", seed) + ".parquet");
    pftest::ExpectedFile file{path, options.compression, {}, {}};
    for (const auto& [k, v] : options.key_value_metadata) file.key_value_metadata[k] = v;
    // A few one- or two-column cases are one row group of 100,000 rows.
    const bool big = column_count <= 2 && rng.chance(0.25);
    for (std::size_t rows : random_row_groups(rng, column_count, big)) {
        std::vector<pftest::GeneratedColumn> group;
        for (const auto& c : columns) group.push_back(pftest::generate(c, rows, rng, shape));
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
