// The capturing process of the crash test (tests/crash/crash_test.py): records as fast as it
// can through a sink with footer checkpoints until it is killed, and whenever stats().rows_durable
// changes it prints "rows N": N rows are then in checkpointed row groups and must survive.
//
//   crash_child PATH rowgroup|sync ROW_GROUP_ROWS
//
// The payload of record `seq` is "s<seq>:" followed by seq % 61 copies of 'a' + seq % 26, so the
// test can check every row it reads back.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s PATH rowgroup|sync ROW_GROUP_ROWS\n", argv[0]);
        return 2;
    }
    pf::SinkOptions options;
    options.path = argv[1];
    options.durability = std::strcmp(argv[2], "sync") == 0 ? pf::Durability::Sync : pf::Durability::RowGroup;
    options.row_group_rows = std::strtoull(argv[3], nullptr, 10);
    options.seq = true;
    options.ring_bytes = 1 << 20;
    pf::Sink sink(options);
    auto producer = sink.producer();
    std::uint64_t reported = 0;
    char record[96];
    for (std::uint64_t seq = 0;; ++seq) {
        const int head = std::snprintf(record, 32, "s%llu:", static_cast<unsigned long long>(seq));
        const std::size_t fill = seq % 61;
        std::memset(record + head, 'a' + static_cast<int>(seq % 26), fill);
        producer.try_record(std::string_view(record, static_cast<std::size_t>(head) + fill));
        if (seq % 256 == 0) {
            const std::uint64_t rows = sink.stats().rows_durable;
            if (rows != reported) {
                reported = rows;
                std::printf("rows %llu\n", static_cast<unsigned long long>(rows));
                std::fflush(stdout);
            }
        }
    }
}
