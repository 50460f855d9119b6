// pf_bench: writer throughput with the original parquet_flow benchmark's flags and output lines.
//
//   pf_bench --rows N --row-size BYTES --row-group-rows N --repetition required|optional|repeated
//            --null-every K --compression uncompressed|gzip --output PATH [--gzip-level L]
//
// Prints rows_per_sec=, payload_mib_per_sec=, file_mib_per_sec= (and the run's totals).
// The payload is one BYTE_ARRAY column `payload`; rows come from the original generator: an LCG
// (state 0x9E3779B97F4A7C15, state = state * 6364136223846793005 + 1 per byte) whose byte is
// (state >> 24) ^ i for the i-th byte of a row — incompressible, like real binary feeds at worst.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

namespace {

struct Args {
    std::uint64_t rows = 1'000'000;
    std::size_t row_size = 256;
    std::size_t row_group_rows = 4096;
    pf::Repetition repetition = pf::Repetition::Required;
    std::uint64_t null_every = 0;
    pf::Compression compression = pf::Compression::Uncompressed;
    int gzip_level = -1;
    std::string output = "local_data/bench.parquet";
};

[[noreturn]] void usage(const char* problem) {
    std::fprintf(stderr,
                 "pf_bench: %s\nusage: pf_bench [--rows N] [--row-size BYTES] [--row-group-rows N]\n"
                 "                [--repetition required|optional|repeated] [--null-every K]\n"
                 "                [--compression uncompressed|gzip] [--gzip-level 0-9] [--output PATH]\n",
                 problem);
    std::exit(2);
}

std::uint64_t number(const char* flag, const char* text) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (!*text || *end) usage((std::string("not a number for ") + flag + ": " + text).c_str());
    return v;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) usage(("missing value for " + flag).c_str());
        const char* v = argv[++i];
        if (flag == "--rows") a.rows = number("--rows", v);
        else if (flag == "--row-size") a.row_size = number("--row-size", v);
        else if (flag == "--row-group-rows") a.row_group_rows = number("--row-group-rows", v);
        else if (flag == "--null-every") a.null_every = number("--null-every", v);
        else if (flag == "--gzip-level") a.gzip_level = static_cast<int>(number("--gzip-level", v));
        else if (flag == "--output") a.output = v;
        else if (flag == "--repetition") {
            const std::string r = v;
            if (r == "required") a.repetition = pf::Repetition::Required;
            else if (r == "optional") a.repetition = pf::Repetition::Optional;
            else if (r == "repeated") a.repetition = pf::Repetition::Repeated;
            else usage(("unknown repetition: " + r).c_str());
        } else if (flag == "--compression") {
            const std::string c = v;
            if (c == "uncompressed") a.compression = pf::Compression::Uncompressed;
            else if (c == "gzip") a.compression = pf::Compression::Gzip;
            else usage(("unknown compression: " + c).c_str());
        } else {
            usage(("unknown flag " + flag).c_str());
        }
    }
    if (a.row_group_rows == 0) usage("--row-group-rows must be positive");
    if (a.row_size > 0xFFFF'FFFFull / a.row_group_rows) usage("--row-size x --row-group-rows must stay under 4 GiB");
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    const std::filesystem::path path = args.output;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());

    pf::Schema schema;
    schema.add({"payload", pf::PhysicalType::ByteArray, args.repetition, 0, {}, {}});
    pf::WriterOptions options;
    options.compression = args.compression;
    if (args.gzip_level >= 0) options.gzip_level = args.gzip_level;

    // Generate every row up front (the generator is not what is measured); row groups are views.
    std::vector<std::byte> payload(args.rows * args.row_size);
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    for (std::uint64_t r = 0; r < args.rows; ++r) {
        std::byte* row = payload.data() + r * args.row_size;
        for (std::size_t i = 0; i < args.row_size; ++i) {
            state = state * 6364136223846793005ull + 1;
            row[i] = static_cast<std::byte>((state >> 24) ^ i);
        }
    }
    // Nulls (optional) and empty lists (repeated) at every null_every-th row; repeated rows that
    // are not empty hold one element.
    auto is_null = [&](std::uint64_t row) { return args.null_every > 0 && row % args.null_every == 0; };

    std::vector<std::uint32_t> offsets;
    std::vector<std::uint8_t> def, rep;
    std::uint64_t payload_bytes = 0;
    const auto start = std::chrono::steady_clock::now();
    pf::WriterTotals totals;
    try {
        pf::Writer writer(path, schema, options);
        for (std::uint64_t first = 0; first < args.rows; first += args.row_group_rows) {
            const std::uint64_t n = std::min<std::uint64_t>(args.row_group_rows, args.rows - first);
            offsets.assign(1, 0);
            def.clear();
            rep.clear();
            // Defined values must be contiguous: nulls are skipped by leaving their bytes out of
            // the offsets, so present rows' bytes are packed into `packed` only when there are nulls.
            static std::vector<std::byte> packed;
            const std::byte* base = payload.data() + first * args.row_size;
            std::span<const std::byte> values(base, n * args.row_size);
            if (args.repetition != pf::Repetition::Required && args.null_every > 0) {
                packed.clear();
                for (std::uint64_t r = 0; r < n; ++r) {
                    const bool null = is_null(first + r);
                    def.push_back(null ? 0 : 1);
                    if (args.repetition == pf::Repetition::Repeated) rep.push_back(0);
                    if (!null) {
                        packed.insert(packed.end(), base + r * args.row_size, base + (r + 1) * args.row_size);
                        offsets.push_back(static_cast<std::uint32_t>(packed.size()));
                    }
                }
                values = packed;
            } else {
                for (std::uint64_t r = 0; r < n; ++r) {
                    offsets.push_back(static_cast<std::uint32_t>((r + 1) * args.row_size));
                    if (args.repetition != pf::Repetition::Required) def.push_back(1);
                    if (args.repetition == pf::Repetition::Repeated) rep.push_back(0);
                }
            }
            payload_bytes += values.size();
            auto column = pf::ColumnData::byte_array(values, offsets);
            if (args.repetition == pf::Repetition::Optional) column.with_levels(def);
            if (args.repetition == pf::Repetition::Repeated) column.with_levels(def, rep);
            writer.write_row_group_with_levels(n, {column});
        }
        totals = writer.close();
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "pf_bench: %s\n", e.what());
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double mib = 1024.0 * 1024.0;
    std::printf("rows=%llu row_groups=%llu payload_bytes=%llu file_bytes=%llu seconds=%.6f\n",
                static_cast<unsigned long long>(totals.rows), static_cast<unsigned long long>(totals.row_groups),
                static_cast<unsigned long long>(payload_bytes), static_cast<unsigned long long>(totals.bytes),
                seconds);
    std::printf("rows_per_sec=%.2f\n", static_cast<double>(totals.rows) / seconds);
    std::printf("payload_mib_per_sec=%.2f\n", static_cast<double>(payload_bytes) / mib / seconds);
    std::printf("file_mib_per_sec=%.2f\n", static_cast<double>(totals.bytes) / mib / seconds);
    std::printf("output=%s\n", path.c_str());
    return 0;
}
