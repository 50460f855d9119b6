// parquet_flow_inspect: what a Parquet file holds, without Python.
//
//   parquet_flow_inspect [--rows N] [--json] FILE...
//
// For each FILE (from any writer): the schema with logical types; each row group's rows and
// bytes and, per column chunk, its codec, encodings, data pages per encoding, sizes, statistics
// and page-index presence; the key-value metadata; with --rows N the first N rows (byte values
// as hex and printable characters). --json prints one JSON object per file, one per line.
// Exits 1 if any file (or the rows asked for) could not be read, 2 on a usage error.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

namespace {

int usage(const char* argv0, std::FILE* to) {
    std::fprintf(to, "usage: %s [--rows N] [--json] FILE...\n", argv0);
    return to == stdout ? 0 : 2;
}

// A JSON string literal, for errors reported in --json mode.
std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + '"';
}

}  // namespace

int main(int argc, char** argv) {
    pf::InspectOptions options;
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--json") {
            options.json = true;
        } else if (arg == "--rows") {
            if (i + 1 == argc) return usage(argv[0], stderr);
            const std::string_view n = argv[++i];
            const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), options.rows);
            if (ec != std::errc{} || end != n.data() + n.size()) {
                std::fprintf(stderr, "%s: --rows takes a count, not '%s'\n", argv[0], argv[i]);
                return 2;
            }
        } else if (arg == "-h" || arg == "--help") {
            return usage(argv[0], stdout);
        } else if (arg.size() > 1 && arg[0] == '-' && arg != "--") {
            std::fprintf(stderr, "%s: unknown option '%s'\n", argv[0], argv[i]);
            return usage(argv[0], stderr);
        } else if (arg != "--") {
            files.emplace_back(argv[i]);
        }
    }
    if (files.empty()) return usage(argv[0], stderr);
    int failed = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& file = files[i];
        try {
            const pf::Inspection inspection = pf::inspect(file, options);
            if (!options.json && i > 0) std::fputc('\n', stdout);
            std::fwrite(inspection.report.data(), 1, inspection.report.size(), stdout);
            if (options.json) std::fputc('\n', stdout);
            if (!inspection.rows_error.empty()) {
                std::fprintf(stderr, "%s: rows not read: %s\n", file.c_str(), inspection.rows_error.c_str());
                ++failed;
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s: %s\n", file.c_str(), e.what());
            if (options.json) {
                std::printf("{\"file\":%s,\"error\":%s}\n", json_string(file.native()).c_str(),
                            json_string(e.what()).c_str());
            }
            ++failed;
        }
    }
    std::fflush(stdout);
    return failed ? 1 : 0;
}
