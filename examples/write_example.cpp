// Writes a small table of trades with the Writer API: required, optional and repeated columns
// with logical types, two row groups, GZIP. Usage: write_example [output.parquet]
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

int main(int argc, char** argv) {
    const std::filesystem::path path = argc > 1 ? argv[1] : "local_data/trades.parquet";
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());

    pf::Schema schema;
    schema.required("ts", pf::PhysicalType::Int64, pf::LogicalType::timestamp(pf::TimeUnit::Nanos))
        .required("symbol", pf::PhysicalType::ByteArray, pf::LogicalType::string())
        .required("price", pf::PhysicalType::Int64, pf::LogicalType::decimal(18, 4))
        .optional("venue_order_id", pf::PhysicalType::Int64)
        .repeated("fills", pf::PhysicalType::Int32);

    pf::WriterOptions options;
    options.compression = pf::Compression::Gzip;
    options.key_value_metadata = {{"source", "write_example"}};

    try {
        pf::Writer writer(path, schema, options);
        for (int group = 0; group < 2; ++group) {
            const std::int64_t base = 1'700'000'000'000'000'000 + group * 1'000;
            std::vector<std::int64_t> ts{base, base + 1, base + 2};
            std::string symbols = "AAPLMSFTNVDA";
            std::vector<std::uint32_t> symbol_offsets{0, 4, 8, 12};
            std::vector<std::int64_t> prices{1'893'100, 4'210'050, 1'351'275};
            // Row 1 has no venue order id.
            std::vector<std::int64_t> order_ids{9001, 9003};
            std::vector<std::uint8_t> order_def{1, 0, 1};
            // Fills: [100, 200], [], [50].
            std::vector<std::int32_t> fills{100, 200, 50};
            std::vector<std::uint8_t> fills_def{1, 1, 0, 1};
            std::vector<std::uint8_t> fills_rep{0, 1, 0, 0};

            writer.write_row_group_with_levels(
                3, {pf::ColumnData::int64(ts),
                    pf::ColumnData::byte_array(std::as_bytes(std::span(symbols)), symbol_offsets),
                    pf::ColumnData::int64(prices),
                    pf::ColumnData::int64(order_ids).with_levels(order_def),
                    pf::ColumnData::int32(fills).with_levels(fills_def, fills_rep)});
        }
        const pf::WriterTotals totals = writer.close();
        std::printf("wrote rows=%llu row_groups=%llu bytes=%llu output=%s\n",
                    static_cast<unsigned long long>(totals.rows),
                    static_cast<unsigned long long>(totals.row_groups),
                    static_cast<unsigned long long>(totals.bytes), path.c_str());
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
