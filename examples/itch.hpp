// A synthetic NASDAQ TotalView-ITCH 5.0 feed: the add-order, order-executed, order-cancel,
// order-delete and trade messages as a feed handler holds them after decoding, their typed
// tables, and a generator of a realistic stream of them for one feed-handler thread. Used by
// examples/itch_capture.cpp and by pf_bench (--mode typed --payload itch).
//
// The structs follow ITCH 5.0's message layouts field for field (same order, same widths,
// packed), with integers in host byte order and the 6-byte timestamp widened to 8 bytes
// (nanoseconds since midnight). Prices are ITCH's Price(4): 1/10,000ths of a dollar, annotated
// DECIMAL(10, 4); Stock is 8 space-padded characters.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace itch {

namespace pf = parquet_flow;

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

constexpr std::uint64_t kOpen = 34'200'000'000'000;  // 09:30:00 in ns since midnight
constexpr int kStocksPerThread = 25;

// One feed-handler thread's messages: the stocks with locate codes from
// 1 + thread * kStocksPerThread, adds, executions, cancels and deletes of live orders, and trades,
// in bursts, prices walking a cent at a time. next() hands each message to
// emit(table, message): table is the Tables member the message belongs to.
class Feed {
public:
    Feed(const Tables& tables, int thread) : t_(tables), thread_(thread), rng_(1234 + static_cast<std::uint64_t>(thread)) {
        for (int s = 0; s < kStocksPerThread; ++s) {
            price_[s] = static_cast<std::uint32_t>(100 * (1000 + rng_.below(40'000)));  // $10-$410 on a 1-cent grid
            char name[9];
            std::snprintf(name, sizeof name, "S%03d    ", thread * kStocksPerThread + s);
            std::memcpy(names_[s], name, 8);
        }
        now_ = kOpen + 1000 * static_cast<std::uint64_t>(thread);
        next_ref_ = (static_cast<std::uint64_t>(thread) << 40) + 1;
        match_ = next_ref_;
    }

    template <class Emit>
    void next(Emit&& emit) {
        // Bursts: most messages microseconds apart, one in 16 after a pause of 10-50 ms.
        now_ += rng_.below(16) == 0 ? 10'000'000 + rng_.below(40'000'000) : rng_.below(5'000);
        const int s = static_cast<int>(rng_.below(kStocksPerThread));
        const auto locate = static_cast<std::uint16_t>(1 + thread_ * kStocksPerThread + s);
        if (rng_.below(8) == 0) {  // the stock's price walks a tick
            price_[s] += rng_.below(2) ? 100u : (price_[s] > 200 ? static_cast<std::uint32_t>(-100) : 0u);
        }
        const auto roll = rng_.below(100);
        ++tracking_;
        if (live_.empty() || roll < 40) {
            AddOrder m{'A', locate, tracking_, now_, next_ref_++, rng_.below(2) ? 'B' : 'S',
                       static_cast<std::uint32_t>(100 * (1 + rng_.below(10))), {},
                       price_[s] + 100 * static_cast<std::uint32_t>(rng_.below(5))};
            std::memcpy(m.stock, names_[s], 8);
            live_.push_back({m.order_ref, locate, m.shares});
            emit(t_.add_order, m);
        } else if (roll < 85) {
            Order& o = live_[rng_.below(live_.size())];
            if (roll < 60) {
                const std::uint32_t shares = std::min<std::uint32_t>(o.shares, 100);
                emit(t_.order_executed, OrderExecuted{'E', o.locate, tracking_, now_, o.ref, shares, match_++});
                o.shares -= shares;
            } else if (roll < 70) {
                const std::uint32_t shares = std::min<std::uint32_t>(o.shares, 100);
                emit(t_.order_cancel, OrderCancel{'X', o.locate, tracking_, now_, o.ref, shares});
                o.shares -= shares;
            } else {
                emit(t_.order_delete, OrderDelete{'D', o.locate, tracking_, now_, o.ref});
                o.shares = 0;
            }
            if (o.shares == 0) {
                o = live_.back();
                live_.pop_back();
            }
        } else {
            Trade m{'P', locate, tracking_, now_, 0, 'B', static_cast<std::uint32_t>(1 + rng_.below(500)), {}, price_[s],
                    match_++};
            std::memcpy(m.stock, names_[s], 8);
            emit(t_.trade, m);
        }
    }

private:
    struct Order {
        std::uint64_t ref;
        std::uint16_t locate;
        std::uint32_t shares;
    };
    const Tables& t_;
    int thread_;
    Rng rng_;
    std::vector<Order> live_;
    std::uint32_t price_[kStocksPerThread];
    char names_[kStocksPerThread][8];
    std::uint64_t now_ = 0, next_ref_ = 0, match_ = 0;
    std::uint16_t tracking_ = 0;
};

}  // namespace itch
