// The capturing process of the crash tests (tests/crash/crash_test.py, restart_test.py): records
// as fast as it can through a sink with footer checkpoints until it is killed, and whenever
// stats().rows_durable changes it prints "rows N": N rows are then in checkpointed row groups
// (and finished files) and must survive.
//
//   crash_child PATH rowgroup|sync ROW_GROUP_ROWS [ROTATE_ROWS TAG [COUNT]]
//
// The payload of record `seq` is "s<seq>:" (with TAG: "r<TAG>s<seq>:") followed by seq % 61
// copies of 'a' + seq % 26, so the tests can check every row they read back and tell runs apart.
// ROTATE_ROWS > 0 rotates (PATH then needs {seq}). With COUNT the child makes COUNT attempts
// (a full ring drops, leaving a gap in seq), closes the sink and prints its stats as one line
// "done accepted=N rows_written=N files=N files_recovered=N rows_recovered=N
//  files_unrecoverable=N attempted=N".
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

int main(int argc, char** argv) {
    if (argc != 4 && argc != 6 && argc != 7) {
        std::fprintf(stderr, "usage: %s PATH rowgroup|sync ROW_GROUP_ROWS [ROTATE_ROWS TAG [COUNT]]\n", argv[0]);
        return 2;
    }
    pf::SinkOptions options;
    options.path = argv[1];
    options.durability = std::strcmp(argv[2], "sync") == 0 ? pf::Durability::Sync : pf::Durability::RowGroup;
    options.row_group_rows = std::strtoull(argv[3], nullptr, 10);
    options.seq = true;
    options.ring_bytes = 1 << 20;
    std::string prefix = "s";
    if (argc >= 6) {
        const std::uint64_t rotate = std::strtoull(argv[4], nullptr, 10);
        if (rotate > 0) options.rotate_rows = rotate;
        prefix = std::string("r") + argv[5] + "s";
    }
    const bool counted = argc == 7;
    const std::uint64_t count = counted ? std::strtoull(argv[6], nullptr, 10) : UINT64_MAX;
    try {
        pf::Sink sink(options);
        auto producer = sink.producer();
        std::uint64_t reported = 0;
        char record[128];
        for (std::uint64_t seq = 0; seq < count; ++seq) {
            const int head = std::snprintf(record, 48, "%s%llu:", prefix.c_str(), static_cast<unsigned long long>(seq));
            const std::size_t fill = seq % 61;
            std::memset(record + head, 'a' + static_cast<int>(seq % 26), fill);
            const std::string_view payload(record, static_cast<std::size_t>(head) + fill);
            producer.try_record(payload);  // a full ring drops: a gap in seq, counted
            if (counted && seq % 64 == 0) std::this_thread::yield();
            if (seq % 256 == 0) {
                const std::uint64_t rows = sink.stats().rows_durable;
                if (rows != reported) {
                    reported = rows;
                    std::printf("rows %llu\n", static_cast<unsigned long long>(rows));
                    std::fflush(stdout);
                }
            }
        }
        const pf::SinkStats s = sink.close();
        std::printf("done accepted=%llu rows_written=%llu files=%llu files_recovered=%llu rows_recovered=%llu "
                    "files_unrecoverable=%llu attempted=%llu\n",
                    static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.rows_written),
                    static_cast<unsigned long long>(s.files), static_cast<unsigned long long>(s.files_recovered),
                    static_cast<unsigned long long>(s.rows_recovered),
                    static_cast<unsigned long long>(s.files_unrecoverable),
                    static_cast<unsigned long long>(s.attempted));
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "crash_child: %s\n", e.what());
        return 1;
    }
    return 0;
}
