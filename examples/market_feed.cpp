// A market-feed capture: several feed-handler threads record fixed-size order messages into
// one sink, which rotates files every 100,000 rows into a Hive-style date directory.
//
//   market_feed [output_dir] [threads] [messages_per_thread]
//
// Then, for example:
//   duckdb -c "SELECT producer_id, count(*), min(recv_ts), max(recv_ts)
//              FROM read_parquet('local_data/market/**/*.parquet', hive_partitioning = true)
//              GROUP BY producer_id ORDER BY producer_id"
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

namespace {

// An order-book message as an exchange feed might carry it (packed, little-endian).
#pragma pack(push, 1)
struct OrderMessage {
    char type;               // 'A' add, 'D' delete, 'E' execute
    std::uint64_t order_id;
    std::uint32_t instrument;
    std::int64_t price;      // fixed point, 4 decimals
    std::uint32_t quantity;
    char side;               // 'B' or 'S'
};
#pragma pack(pop)

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "local_data/market";
    const int threads = argc > 2 ? std::atoi(argv[2]) : 4;
    const std::uint64_t per_thread = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 250'000;

    pf::SinkOptions options;
    options.path = dir + "/date=%Y-%m-%d/orders-%H%M%S-{seq}.parquet";
    options.recv_ts = true;
    options.producer_id = true;
    options.seq = true;
    options.rotate_rows = 100'000;
    options.ring_bytes = 16 << 20;
    try {
        pf::Sink sink(options);
        std::vector<std::thread> feed_handlers;
        for (int t = 0; t < threads; ++t) {
            feed_handlers.emplace_back([&sink, t, per_thread] {
                auto producer = sink.producer();
                OrderMessage m{};
                for (std::uint64_t i = 0; i < per_thread; ++i) {
                    m.type = "ADE"[i % 3];
                    m.order_id = (static_cast<std::uint64_t>(t) << 48) | i;
                    m.instrument = static_cast<std::uint32_t>(i % 500);
                    m.price = 1'000'000 + static_cast<std::int64_t>(i % 977) * 25;
                    m.quantity = static_cast<std::uint32_t>(100 * (1 + i % 10));
                    m.side = (i & 1) ? 'B' : 'S';
                    producer.try_record(m);  // never blocks; a drop is counted
                }
            });
        }
        for (auto& t : feed_handlers) t.join();
        const pf::SinkStats s = sink.close();
        std::printf("attempted=%llu accepted=%llu dropped=%llu rows=%llu files=%llu bytes=%llu output=%s\n",
                    static_cast<unsigned long long>(s.attempted), static_cast<unsigned long long>(s.accepted),
                    static_cast<unsigned long long>(s.dropped()), static_cast<unsigned long long>(s.rows_written),
                    static_cast<unsigned long long>(s.files), static_cast<unsigned long long>(s.bytes_written),
                    dir.c_str());
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "market_feed: %s\n", e.what());
        return 1;
    }
    return 0;
}
