// pf_latency: per-call latency of Sink::Producer::try_record against the floor — a bare loop
// that writes a 4-byte length (and with --recv-ts the TSC reading) and the payload into ring
// memory of the same size and publishes with a release store — measured the same way in the
// same run. Timestamps are the TSC (rdtsc) converted to ns with a calibration against
// steady_clock; both loops carry the same timer cost.
//
//   pf_latency [--records N] [--size BYTES] [--ring-bytes BYTES] [--rate PER_SEC] [--output PATH]
//              [--recv-ts] [--clock auto|system] [--method calls|batches] [--batches N] [--typed]
//
// --method calls (default) times every call: --rate 0 calls back to back; --rate 100000 paces
// calls (busy-waiting between them), as a feed handler would make them. Percentiles start at
// the very first call.
// --method batches is Quill's hot_path_latency method: the producing thread pinned to a CPU
// (CPU 1 where there are two), batches of 20 calls between two TSC reads, a busy wait of a
// random 2-2.2 ms between batches (so every batch finds caches the other threads have used
// meanwhile, as a feed handler's call after a quiet spell does), --batches of them (default
// 10,000); percentiles are of each batch's mean per call.
// --typed also times a typed record of the same size (Producer::try_record(table, record) into a
// sink whose table has one column per 8 bytes of the record), after the blob try_record.
// --recv-ts adds the receive timestamp: the sink's recv_ts column (from the CPU's counter,
// or the system clock with --clock system), and the TSC reading stored by the floor.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "parquet_flow/parquet_flow.hpp"
#include "ring_floor.hpp"

namespace {

std::uint64_t ticks() {
#if defined(__x86_64__)
    unsigned aux;
    return __rdtscp(&aux);
#else
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

double ns_per_tick() {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t c0 = ticks();
    while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(200)) {
    }
    const std::uint64_t c1 = ticks();
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    return ns / static_cast<double>(c1 - c0);
}

struct Percentiles {
    double p50, p99, p999, max;
};

Percentiles percentiles(std::vector<std::uint64_t>& v, double scale) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return static_cast<double>(v[static_cast<std::size_t>(q * (v.size() - 1))]) * scale; };
    return {at(0.5), at(0.99), at(0.999), static_cast<double>(v.back()) * scale};
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t records = 1'000'000, rate = 0, batches = 10'000;
    std::size_t size = 256, ring_bytes = 64 << 20;
    std::string output = "/dev/shm/pf_latency.parquet";
    bool recv_ts = false, batch_method = false, typed = false;
    auto clock = parquet_flow::ClockSource::Auto;
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--recv-ts") {
            recv_ts = true;
            --i;
            continue;
        }
        if (flag == "--typed") {
            typed = true;
            --i;
            continue;
        }
        if (i + 1 == argc) {
            std::fprintf(stderr, "pf_latency: %s needs a value\n", flag.c_str());
            return 2;
        }
        const char* v = argv[i + 1];
        if (flag == "--method" && std::string(v) == "batches") batch_method = true;
        else if (flag == "--method" && std::string(v) == "calls") batch_method = false;
        else if (flag == "--clock" && std::string(v) == "auto") clock = parquet_flow::ClockSource::Auto;
        else if (flag == "--clock" && std::string(v) == "system") clock = parquet_flow::ClockSource::System;
        else if (flag == "--batches") batches = std::strtoull(v, nullptr, 10);
        else if (flag == "--records") records = std::strtoull(v, nullptr, 10);
        else if (flag == "--size") size = std::strtoull(v, nullptr, 10);
        else if (flag == "--ring-bytes") ring_bytes = std::strtoull(v, nullptr, 10);
        else if (flag == "--rate") rate = std::strtoull(v, nullptr, 10);
        else if (flag == "--output") output = v;
        else {
            std::fprintf(stderr, "pf_latency: unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    if (batch_method) {
        // As Quill's harness does: the producing thread on a CPU of its own choosing.
        cpu_set_t cpus;
        CPU_ZERO(&cpus);
        CPU_SET(std::thread::hardware_concurrency() > 1 ? 1 : 0, &cpus);
        if (pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus) != 0) {
            std::fprintf(stderr, "pf_latency: could not pin the producing thread; going on unpinned\n");
        }
    }
    const double scale = ns_per_tick();
    const std::uint64_t gap = rate ? static_cast<std::uint64_t>(1e9 / static_cast<double>(rate) / scale) : 0;
    std::vector<std::byte> payload(size, std::byte{0x5a});
    constexpr std::uint64_t kBatch = 20;
    std::vector<std::uint64_t> lat(batch_method ? batches : records);

    // Times `call` once per record, pacing the calls when a rate is given; or (batch method)
    // 20 calls at a time, sleeping 2-2.2 ms between batches, one mean per batch.
    auto measure = [&](auto&& call) {
        if (batch_method) {
            std::uint64_t jitter = 12345;
            for (std::uint64_t b = 0; b < batches; ++b) {
                const std::uint64_t t0 = ticks();
                for (std::uint64_t i = 0; i < kBatch; ++i) call();
                lat[b] = ticks() - t0;
                jitter = jitter * 6364136223846793005ULL + 1442695040888963407ULL;
                const auto until = std::chrono::steady_clock::now() +
                                   std::chrono::microseconds(2000 + (jitter >> 33) % 201);
                while (std::chrono::steady_clock::now() < until) {
                }
            }
            return percentiles(lat, scale / static_cast<double>(kBatch));
        }
        std::uint64_t next = ticks();
        for (std::uint64_t i = 0; i < records; ++i) {
            if (gap) {
                while (ticks() < next) {
                }
                next += gap;
            }
            const std::uint64_t t0 = ticks();
            call();
            lat[i] = ticks() - t0;
        }
        return percentiles(lat, scale);
    };

    // The floor, in its own ring memory of the same size.
    {
        RingFloor floor(ring_bytes, size, recv_ts);
        const Percentiles p = recv_ts ? measure([&] { floor.record(payload, ticks()); })
                                      : measure([&] { floor.record(payload); });
        std::printf("floor       p50=%.1f p99=%.1f p99.9=%.1f max=%.1f ns  (%s, %zu bytes%s)\n", p.p50, p.p99,
                    p.p999, p.max, batch_method ? "batches of 20" : "per call", size,
                    recv_ts ? ", recv_ts" : "");
    }
    // try_record into a running sink.
    parquet_flow::SinkOptions options;
    options.path = output;
    // The benchmark owns its output: a sink never overwrites a file, so remove the last run's.
    std::filesystem::remove(options.path);
    std::filesystem::remove(output + ".inprogress");
    options.ring_bytes = ring_bytes;
    options.recv_ts = recv_ts;
    options.recv_ts_clock = clock;
    parquet_flow::Sink sink(options);
    auto producer = sink.producer();
    std::uint64_t accepted = 0;
    const Percentiles p = measure([&] { accepted += producer.try_record(payload); });
    const auto stats = sink.close();
    std::printf("try_record  p50=%.1f p99=%.1f p99.9=%.1f max=%.1f ns  accepted=%llu dropped=%llu rate=%llu/s\n",
                p.p50, p.p99, p.p999, p.max, static_cast<unsigned long long>(accepted),
                static_cast<unsigned long long>(stats.dropped()), static_cast<unsigned long long>(rate));
    if (!typed) return 0;
    // The same bytes as a typed record: a table of INT64 fields (and the rest as bytes).
    parquet_flow::TableLayout layout{"typed", {}, static_cast<std::uint32_t>(size), nullptr};
    for (std::uint32_t at = 0; at < size; at += 8) {
        const std::uint32_t n = std::min<std::uint32_t>(8, static_cast<std::uint32_t>(size) - at);
        std::string name = "f";  // (+= only: GCC 12 reports a false -Wrestrict on "f" + string)
        name += std::to_string(at);
        layout.fields.push_back(n == 8 ? parquet_flow::Field{name, at, parquet_flow::FieldType::Int64}
                                       : parquet_flow::Field{name, at, parquet_flow::FieldType::Bytes, n});
    }
    options.tables = {layout};
    std::filesystem::remove(options.path);
    parquet_flow::Sink typed_sink(options);
    auto typed_producer = typed_sink.producer();
    accepted = 0;
    const Percentiles t = measure([&] { accepted += typed_producer.try_record_table(0, payload); });
    const auto typed_stats = typed_sink.close();
    std::printf("typed       p50=%.1f p99=%.1f p99.9=%.1f max=%.1f ns  accepted=%llu dropped=%llu rate=%llu/s\n",
                t.p50, t.p99, t.p999, t.max, static_cast<unsigned long long>(accepted),
                static_cast<unsigned long long>(typed_stats.dropped()), static_cast<unsigned long long>(rate));
    return 0;
}
