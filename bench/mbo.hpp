// Synthetic market-by-order data for the typed-capture benchmarks: 56-byte records in the layout
// market-data vendors publish order-book events in (a header with publisher, instrument and
// event time, then order id, price, size, flags, action, side, receive time, its delta and a
// sequence number), generated with the shapes of a real futures feed: receive times climbing in
// bursts, a few hundred instruments of very different activity, prices random-walking on each
// instrument's tick grid, order ids mostly new and climbing, modifies and cancels of recent
// orders, small sizes, a few flag values.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

namespace pfbench {

#pragma pack(push, 1)
struct MboRecord {
    std::uint8_t length;  // 14: the record's length in 4-byte words
    std::uint8_t rtype;   // 160: market by order
    std::uint16_t publisher_id;
    std::uint32_t instrument_id;
    std::uint64_t ts_event;  // ns since the Unix epoch
    std::uint64_t order_id;
    std::int64_t price;  // 1e-9 units
    std::uint32_t size;
    std::uint8_t flags;
    std::uint8_t channel_id;
    char action;  // A add, C cancel, M modify, T trade, F fill, R clear
    char side;    // B bid, A ask, N none
    std::uint64_t ts_recv;  // ns since the Unix epoch
    std::int32_t ts_in_delta;
    std::uint32_t sequence;
};
#pragma pack(pop)
static_assert(sizeof(MboRecord) == 56);

// The table, with the library's default encodings (each field's may be overridden).
inline parquet_flow::Table<MboRecord> mbo_table() {
    namespace pf = parquet_flow;
    const auto ns = pf::LogicalType::timestamp(pf::TimeUnit::Nanos);
    return pf::Table<MboRecord>("mbo", {pf::field("length", &MboRecord::length),
                                        pf::field("rtype", &MboRecord::rtype),
                                        pf::field("publisher_id", &MboRecord::publisher_id),
                                        pf::field("instrument_id", &MboRecord::instrument_id),
                                        pf::field("ts_event", &MboRecord::ts_event, ns),
                                        pf::field("order_id", &MboRecord::order_id),
                                        pf::field("price", &MboRecord::price, pf::LogicalType::decimal(18, 9)),
                                        pf::field("size", &MboRecord::size),
                                        pf::field("flags", &MboRecord::flags),
                                        pf::field("channel_id", &MboRecord::channel_id),
                                        pf::field("action", &MboRecord::action),
                                        pf::field("side", &MboRecord::side),
                                        pf::field("ts_recv", &MboRecord::ts_recv, ns),
                                        pf::field("ts_in_delta", &MboRecord::ts_in_delta),
                                        pf::field("sequence", &MboRecord::sequence)});
}

class MboGenerator {
public:
    explicit MboGenerator(std::uint64_t seed = 0x9E3779B97F4A7C15ull) : state_(seed) {
        for (std::uint32_t i = 0; i < kInstruments; ++i) {
            instrument_[i].id = 40'000 + i * 7;
            instrument_[i].tick = kTicks[i % 4];
            instrument_[i].mid = (100 + static_cast<std::int64_t>(below(5000))) * 1'000'000'000 / instrument_[i].tick *
                                 instrument_[i].tick;
        }
    }

    MboRecord next() {
        // Receive times climb in bursts: most events microseconds apart, some after a pause.
        const auto gap = below(100);
        recv_ += gap < 80 ? below(2'000) : gap < 95 ? 2'000 + below(200'000) : 200'000 + below(20'000'000);
        // Activity is skewed: a few instruments carry most events.
        const std::uint64_t u = below(1 << 16);
        Instrument& in = instrument_[(u * u * kInstruments) >> 32];
        if (below(10) == 0) in.mid += (below(2) ? 1 : -1) * in.tick;
        MboRecord r{};
        r.length = 14;
        r.rtype = 160;
        r.publisher_id = 1;
        r.instrument_id = in.id;
        r.ts_in_delta = static_cast<std::int32_t>(10'000 + below(20'000));
        r.ts_event = recv_ - static_cast<std::uint64_t>(r.ts_in_delta) - 1'000;
        r.ts_recv = recv_;
        r.sequence = ++sequence_;
        r.channel_id = static_cast<std::uint8_t>(in.id % 10);
        const auto a = below(100);
        r.action = a < 45 ? 'A' : a < 85 ? 'C' : a < 90 ? 'M' : a < 95 ? 'T' : a < 99 ? 'F' : 'R';
        r.side = r.action == 'T' && below(4) == 0 ? 'N' : below(2) ? 'B' : 'A';
        r.order_id = r.action == 'A' ? (next_order_ += 1 + below(3)) : next_order_ - below(10'000);
        const std::int64_t away = static_cast<std::int64_t>(below(10)) * in.tick;
        r.price = r.side == 'B' ? in.mid - away : in.mid + away;
        r.size = static_cast<std::uint32_t>(below(4) ? 1 + below(5) : 1 + below(50));
        r.flags = below(3) == 0 ? 128 : below(10) == 0 ? 130 : 0;
        return r;
    }

    std::vector<MboRecord> records(std::uint64_t n) {
        std::vector<MboRecord> out;
        out.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) out.push_back(next());
        return out;
    }

private:
    static constexpr std::uint32_t kInstruments = 300;
    static constexpr std::int64_t kTicks[4] = {250'000'000, 10'000'000, 5'000'000, 1'000'000};
    struct Instrument {
        std::uint32_t id = 0;
        std::int64_t tick = 1;
        std::int64_t mid = 0;
    };

    std::uint64_t below(std::uint64_t n) {
        state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
        return (state_ >> 33) % n;
    }

    std::uint64_t state_;
    Instrument instrument_[kInstruments];
    std::uint64_t recv_ = 1'764'599'400'000'000'000ull;  // 2025-12-01 14:30 UTC
    std::uint64_t next_order_ = 6'400'000'000'000ull;
    std::uint32_t sequence_ = 100'000'000;
};

}  // namespace pfbench
