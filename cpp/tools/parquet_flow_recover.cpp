// parquet_flow_recover: makes files left unfinished by a crash readable again.
//
//   parquet_flow_recover [--keep-name] FILE...
//
// Each FILE is cut back to its last intact footer checkpoint (files written with
// Durability::RowGroup or Sync; see docs/RELIABILITY.md). A sink's "<name>.inprogress" is then
// renamed to "<name>" unless --keep-name is given or "<name>" exists. Complete files are left
// alone. Prints one line per file; exits 1 if any file could not be recovered.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

int main(int argc, char** argv) {
    bool keep_name = false;
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--keep-name") == 0) {
            keep_name = true;
        } else if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
            std::printf("usage: %s [--keep-name] FILE...\n", argv[0]);
            return 0;
        } else {
            files.emplace_back(argv[i]);
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: %s [--keep-name] FILE...\n", argv[0]);
        return 2;
    }
    int failed = 0;
    for (const auto& file : files) {
        try {
            const pf::Recovery r = pf::recover(file);
            std::filesystem::path final_path = file;
            const bool inprogress = file.extension() == ".inprogress";
            if (inprogress && !keep_name) {
                final_path.replace_extension();
                if (std::filesystem::exists(final_path)) {
                    final_path = file;
                } else {
                    std::filesystem::rename(file, final_path);
                }
            }
            std::printf("%s: %s, rows=%llu row_groups=%llu bytes=%llu truncated_bytes=%llu%s%s\n",
                        file.c_str(), r.was_complete ? "complete" : "recovered",
                        static_cast<unsigned long long>(r.rows), static_cast<unsigned long long>(r.row_groups),
                        static_cast<unsigned long long>(r.bytes),
                        static_cast<unsigned long long>(r.truncated_bytes),
                        final_path == file ? "" : " -> ", final_path == file ? "" : final_path.c_str());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s: not recovered: %s\n", file.c_str(), e.what());
            ++failed;
        }
    }
    return failed ? 1 : 0;
}
