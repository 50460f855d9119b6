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
// The structs follow ITCH 5.0's message layouts field for field (same order, same widths,
// packed), as a feed handler holds them after decoding: integers in host byte order and the
// 6-byte timestamp widened to 8 bytes (nanoseconds since midnight). Prices are ITCH's Price(4):
// 1/10,000ths of a dollar, annotated DECIMAL(10, 4); Stock is 8 space-padded characters.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

namespace {

#pragma pack(push, 1)
struct AddOrder {  // 'A'
    char message_type;
    std::uint16_t stock_locate;
    std::uint16_t tracking_number;
    std::uint64_t timestamp;
    std::uint64_t order_ref;
    char side;  // 'B' or 'S'
    std::uint32_t shares;
    char stock[8];
    std::uint32_t price;
};
struct OrderExecuted {  // 'E'
    char message_type;
    std::uint16_t stock_locate;
    std::uint16_t tracking_number;
    std::uint64_t timestamp;
    std::uint64_t order_ref;
    std::uint32_t executed_shares;
    std::uint64_t match_number;
};
struct OrderCancel {  // 'X'
    char message_type;
    std::uint16_t stock_locate;
    std::uint16_t tracking_number;
    std::uint64_t timestamp;
    std::uint64_t order_ref;
    std::uint32_t cancelled_shares;
};
struct OrderDelete {  // 'D'
    char message_type;
    std::uint16_t stock_locate;
    std::uint16_t tracking_number;
    std::uint64_t timestamp;
    std::uint64_t order_ref;
};
struct Trade {  // 'P': a non-displayed order executed
    char message_type;
    std::uint16_t stock_locate;
    std::uint16_t tracking_number;
    std::uint64_t timestamp;
    std::uint64_t order_ref;
    char side;
    std::uint32_t shares;
    char stock[8];
    std::uint32_t price;
    std::uint64_t match_number;
};
#pragma pack(pop)

// ITCH's timestamps are nanoseconds since midnight: TIME(NANOS), local (not UTC-adjusted).
const pf::LogicalType kTime = pf::LogicalType::time(pf::TimeUnit::Nanos, false);
// Price(4): 1/10,000ths of a dollar.
const pf::LogicalType kPrice = pf::LogicalType::decimal(10, 4);

// The tables: every message field becomes a column (message_type is implied by the table).
struct Tables {
    pf::Table<AddOrder> add_order;
    pf::Table<OrderExecuted> order_executed;
    pf::Table<OrderCancel> order_cancel;
    pf::Table<OrderDelete> order_delete;
    pf::Table<Trade> trade;

    explicit Tables(pf::SinkOptions& o)
        : add_order(o.add_table(pf::Table<AddOrder>(
              "add_order", {pf::field("stock_locate", &AddOrder::stock_locate),
                            pf::field("tracking_number", &AddOrder::tracking_number),
                            pf::field("timestamp", &AddOrder::timestamp, kTime),
                            pf::field("order_ref", &AddOrder::order_ref), pf::field("side", &AddOrder::side),
                            pf::field("shares", &AddOrder::shares), pf::field("stock", &AddOrder::stock),
                            pf::field("price", &AddOrder::price, kPrice)}))),
          order_executed(o.add_table(pf::Table<OrderExecuted>(
              "order_executed", {pf::field("stock_locate", &OrderExecuted::stock_locate),
                                 pf::field("tracking_number", &OrderExecuted::tracking_number),
                                 pf::field("timestamp", &OrderExecuted::timestamp, kTime),
                                 pf::field("order_ref", &OrderExecuted::order_ref),
                                 pf::field("executed_shares", &OrderExecuted::executed_shares),
                                 pf::field("match_number", &OrderExecuted::match_number)}))),
          order_cancel(o.add_table(pf::Table<OrderCancel>(
              "order_cancel", {pf::field("stock_locate", &OrderCancel::stock_locate),
                               pf::field("tracking_number", &OrderCancel::tracking_number),
                               pf::field("timestamp", &OrderCancel::timestamp, kTime),
                               pf::field("order_ref", &OrderCancel::order_ref),
                               pf::field("cancelled_shares", &OrderCancel::cancelled_shares)}))),
          order_delete(o.add_table(pf::Table<OrderDelete>(
              "order_delete", {pf::field("stock_locate", &OrderDelete::stock_locate),
                               pf::field("tracking_number", &OrderDelete::tracking_number),
                               pf::field("timestamp", &OrderDelete::timestamp, kTime),
                               pf::field("order_ref", &OrderDelete::order_ref)}))),
          trade(o.add_table(pf::Table<Trade>(
              "trade", {pf::field("stock_locate", &Trade::stock_locate),
                        pf::field("tracking_number", &Trade::tracking_number),
                        pf::field("timestamp", &Trade::timestamp, kTime), pf::field("order_ref", &Trade::order_ref),
                        pf::field("side", &Trade::side), pf::field("shares", &Trade::shares),
                        pf::field("stock", &Trade::stock), pf::field("price", &Trade::price, kPrice),
                        pf::field("match_number", &Trade::match_number)}))) {}
};

class Rng {
public:
    explicit Rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t s_;
};

struct Counts {
    std::uint64_t add = 0, executed = 0, cancel = 0, remove = 0, trade = 0, dropped = 0;
};

constexpr std::uint64_t kOpen = 34'200'000'000'000;  // 09:30:00 in ns since midnight
constexpr int kStocksPerThread = 25;

// One feed-handler thread: the stocks with locate codes [first, first + kStocksPerThread).
Counts feed(pf::Sink& sink, const Tables& t, int thread, std::uint64_t messages) {
    auto producer = sink.producer();
    Rng rng(1234 + static_cast<std::uint64_t>(thread));
    struct Order {
        std::uint64_t ref;
        std::uint16_t locate;
        std::uint32_t shares;
    };
    std::vector<Order> live;
    std::uint32_t price[kStocksPerThread];
    char names[kStocksPerThread][8];
    for (int s = 0; s < kStocksPerThread; ++s) {
        price[s] = static_cast<std::uint32_t>(100 * (1000 + rng.below(40'000)));  // $10-$410 on a 1-cent grid
        char name[9];
        std::snprintf(name, sizeof name, "S%03d    ", thread * kStocksPerThread + s);
        std::memcpy(names[s], name, 8);
    }
    std::uint64_t now = kOpen + 1000 * static_cast<std::uint64_t>(thread);
    std::uint64_t next_ref = (static_cast<std::uint64_t>(thread) << 40) + 1;
    std::uint64_t match = (static_cast<std::uint64_t>(thread) << 40) + 1;
    std::uint16_t tracking = 0;
    Counts c;
    const auto record = [&](const auto& table, const auto& message, std::uint64_t& count) {
        if (producer.try_record(table, message)) {
            ++count;
        } else {
            ++c.dropped;
        }
    };
    for (std::uint64_t i = 0; i < messages; ++i) {
        // Bursts: most messages microseconds apart, one in 16 after a pause of 10-50 ms.
        now += rng.below(16) == 0 ? 10'000'000 + rng.below(40'000'000) : rng.below(5'000);
        const int s = static_cast<int>(rng.below(kStocksPerThread));
        const auto locate = static_cast<std::uint16_t>(1 + thread * kStocksPerThread + s);
        if (rng.below(8) == 0) {  // the stock's price walks a tick
            price[s] += rng.below(2) ? 100u : (price[s] > 200 ? static_cast<std::uint32_t>(-100) : 0u);
        }
        const auto roll = rng.below(100);
        ++tracking;
        if (live.empty() || roll < 40) {
            AddOrder m{'A', locate, tracking, now, next_ref++, rng.below(2) ? 'B' : 'S',
                       static_cast<std::uint32_t>(100 * (1 + rng.below(10))), {}, price[s] + 100 * static_cast<std::uint32_t>(rng.below(5))};
            std::memcpy(m.stock, names[s], 8);
            live.push_back({m.order_ref, locate, m.shares});
            record(t.add_order, m, c.add);
        } else if (roll < 85) {
            const std::size_t k = rng.below(live.size());
            Order& o = live[k];
            if (roll < 60) {
                const std::uint32_t shares = std::min<std::uint32_t>(o.shares, 100);
                record(t.order_executed, OrderExecuted{'E', o.locate, tracking, now, o.ref, shares, match++}, c.executed);
                o.shares -= shares;
            } else if (roll < 70) {
                const std::uint32_t shares = std::min<std::uint32_t>(o.shares, 100);
                record(t.order_cancel, OrderCancel{'X', o.locate, tracking, now, o.ref, shares}, c.cancel);
                o.shares -= shares;
            } else {
                record(t.order_delete, OrderDelete{'D', o.locate, tracking, now, o.ref}, c.remove);
                o.shares = 0;
            }
            if (o.shares == 0) {
                o = live.back();
                live.pop_back();
            }
        } else {
            Trade m{'P', locate, tracking, now, 0, 'B', static_cast<std::uint32_t>(1 + rng.below(500)), {}, price[s], match++};
            std::memcpy(m.stock, names[s], 8);
            record(t.trade, m, c.trade);
        }
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
        const Tables tables(options);
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
        return s.rows_written == total.add + total.executed + total.cancel + total.remove + total.trade &&
                       total.dropped == 0
                   ? 0
                   : 1;
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "itch_capture: %s\n", e.what());
        return 1;
    }
}
