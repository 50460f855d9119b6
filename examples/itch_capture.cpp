// A synthetic NASDAQ TotalView-ITCH 5.0 feed captured into typed Parquet tables: several
// feed-handler threads record add-order, order-executed, order-cancel, order-delete and trade
// messages, each type into its own table (one file series per table), queryable as they are:
//
//   itch_capture [output_dir] [threads] [messages_per_thread]
//
// then the VWAP per stock per minute over executions and trades, with DuckDB (the query is in
// examples/itch_query.py, which prints it and runs it):
//
//   python3 examples/itch_query.py [output_dir]
//
// The messages, their tables and the generator are in examples/itch.hpp.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "itch.hpp"
#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

namespace {

struct Counts {
    std::uint64_t add = 0, executed = 0, cancel = 0, remove = 0, trade = 0, dropped = 0;
};

// One feed-handler thread: its generator's messages, each into its table.
Counts feed(pf::Sink& sink, const itch::Tables& tables, int thread, std::uint64_t messages) {
    auto producer = sink.producer();
    itch::Feed generator(tables, thread);
    Counts c;
    const auto counter = [&](const auto& message) -> std::uint64_t& {
        switch (message.message_type) {
            case 'A': return c.add;
            case 'E': return c.executed;
            case 'X': return c.cancel;
            case 'D': return c.remove;
            default: return c.trade;
        }
    };
    for (std::uint64_t i = 0; i < messages; ++i) {
        generator.next([&](const auto& table, const auto& message) {
            if (producer.try_record(table, message)) {
                ++counter(message);
            } else {
                ++c.dropped;
            }
        });
    }
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "local_data/itch";
    const int threads = argc > 2 ? std::atoi(argv[2]) : 4;
    const std::uint64_t per_thread = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 250'000;
    if (threads < 1 || threads > 64) {
        std::fprintf(stderr, "usage: itch_capture [output_dir] [threads 1-64] [messages_per_thread]\n");
        return 2;
    }
    pf::SinkOptions options;
    options.path = dir + "/{table}/part-{seq}.parquet";
    options.compression = pf::Compression::Zstd;
    options.rotate_rows = 1'000'000;
    // A synthetic feed is a replay: wait for room rather than drop.
    options.overflow = pf::Overflow::Block;
    try {
        const itch::Tables tables(options);
        pf::Sink sink(options);
        const auto start = std::chrono::steady_clock::now();
        std::vector<Counts> counts(static_cast<std::size_t>(threads));
        std::vector<std::thread> workers;
        for (int i = 0; i < threads; ++i) {
            workers.emplace_back([&, i] { counts[static_cast<std::size_t>(i)] = feed(sink, tables, i, per_thread); });
        }
        for (auto& w : workers) w.join();
        const pf::SinkStats s = sink.close();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        Counts total;
        for (const Counts& c : counts) {
            total.add += c.add;
            total.executed += c.executed;
            total.cancel += c.cancel;
            total.remove += c.remove;
            total.trade += c.trade;
            total.dropped += c.dropped;
        }
        std::printf("add_order=%llu order_executed=%llu order_cancel=%llu order_delete=%llu trade=%llu dropped=%llu\n",
                    static_cast<unsigned long long>(total.add), static_cast<unsigned long long>(total.executed),
                    static_cast<unsigned long long>(total.cancel), static_cast<unsigned long long>(total.remove),
                    static_cast<unsigned long long>(total.trade), static_cast<unsigned long long>(total.dropped));
        std::printf("rows=%llu files=%llu bytes=%llu (%.1f bytes/message) in %.2f s, output=%s\n",
                    static_cast<unsigned long long>(s.rows_written), static_cast<unsigned long long>(s.files),
                    static_cast<unsigned long long>(s.bytes_written),
                    static_cast<double>(s.bytes_written) / static_cast<double>(s.rows_written ? s.rows_written : 1),
                    seconds, dir.c_str());
        // A replay waits for room instead of dropping: how often, and for how long in all.
        std::printf("waited for room %llu times, %.3f s in all\n", static_cast<unsigned long long>(s.blocked),
                    static_cast<double>(s.blocked_ns) / 1e9);
        return s.rows_written == total.add + total.executed + total.cancel + total.remove + total.trade &&
                       total.dropped == 0
                   ? 0
                   : 1;
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "itch_capture: %s\n", e.what());
        return 1;
    }
}
