// google-benchmark suites: try_record latency (with the bare-ring floor beside it), writer
// throughput per physical type / repetition / codec, and sink end to end.
// Not part of ctest; run them with `cmake --build <dir> --target bench_json` (JSON in the build
// dir) or directly: ./micro_bench --benchmark_filter=TryRecord
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"
#include "ring_floor.hpp"

namespace pf = parquet_flow;

namespace {

// A scratch file of this benchmark's own, removed first: a sink never overwrites a file.
std::filesystem::path scratch(const std::string& name) {
    // tmpfs when there is one: these measure the code, not the disk.
    const std::filesystem::path shm = "/dev/shm";
    const auto dir = (std::filesystem::exists(shm) ? shm : std::filesystem::temp_directory_path()) / "pf_micro_bench";
    std::filesystem::create_directories(dir);
    std::filesystem::remove(dir / name);
    std::filesystem::remove(dir / (name + ".inprogress"));
    return dir / name;
}

// The floor try_record is compared with (ring_floor.hpp).
void BM_RingFloor(benchmark::State& state) {
    const std::size_t size = static_cast<std::size_t>(state.range(0));
    const std::size_t ring_bytes = static_cast<std::size_t>(state.range(1));
    RingFloor floor(ring_bytes, size);
    std::vector<std::byte> payload(size, std::byte{7});
    for (auto _ : state) {
        floor.record(payload);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RingFloor)->ArgsProduct({{16, 64, 256, 1024}, {64 << 10, 64 << 20}});

// One sink shared by every TryRecord run; each benchmark thread records through its own producer.
pf::Sink& shared_sink() {
    static std::unique_ptr<pf::Sink> sink = [] {
        pf::SinkOptions o;
        o.path = scratch("try_record.parquet");
        o.ring_bytes = 8 << 20;
        o.max_producers = 1024;
        o.row_group_rows = 65536;
        return std::make_unique<pf::Sink>(o);
    }();
    return *sink;
}

void BM_TryRecord(benchmark::State& state) {
    static std::mutex m;
    std::unique_ptr<pf::Sink::Producer> producer;
    {
        std::lock_guard lock(m);
        producer = std::make_unique<pf::Sink::Producer>(shared_sink().producer());
    }
    std::vector<std::byte> payload(static_cast<std::size_t>(state.range(0)), std::byte{7});
    std::uint64_t accepted = 0;
    for (auto _ : state) {
        accepted += producer->try_record(payload);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["accepted_ratio"] = benchmark::Counter(
        static_cast<double>(accepted) / static_cast<double>(std::max<std::int64_t>(1, state.iterations())),
        benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_TryRecord)->Arg(16)->Arg(64)->Arg(256)->Arg(1024)->ThreadRange(1, 4)->UseRealTime();

// Writer throughput: one column of 65,536 values per row group.
void BM_Writer(benchmark::State& state) {
    const auto type = static_cast<pf::PhysicalType>(state.range(0));
    const auto repetition = static_cast<pf::Repetition>(state.range(1));
    const auto compression = static_cast<pf::Compression>(state.range(2));
    constexpr std::size_t rows = 65536;
    const std::size_t width = type == pf::PhysicalType::ByteArray ? 256
                              : type == pf::PhysicalType::Int32   ? 4
                                                                   : 8;
    std::vector<std::byte> values(rows * width);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (auto& b : values) {
        x = x * 6364136223846793005ull + 1;
        b = static_cast<std::byte>(x >> 56);
    }
    std::vector<std::uint32_t> offsets(rows + 1);
    for (std::size_t i = 0; i <= rows; ++i) offsets[i] = static_cast<std::uint32_t>(i * width);
    std::vector<std::uint8_t> def(rows, 1);
    pf::Schema schema;
    schema.add({"v", type, repetition, 0, {}, {}});
    pf::WriterOptions options;
    options.compression = compression;
    pf::Writer writer(scratch("writer_bench.parquet"), schema, options);
    pf::ColumnData column = type == pf::PhysicalType::ByteArray ? pf::ColumnData::byte_array(values, offsets)
                                                                : pf::ColumnData::raw(values);
    if (repetition == pf::Repetition::Optional) column.with_levels(def);
    std::uint64_t groups = 0;
    for (auto _ : state) {
        writer.write_row_group_with_levels(rows, {column});
        // Keep the file (and the page cache) from growing without bound.
        if (++groups % 64 == 0) {
            state.PauseTiming();
            writer.close();
            writer = pf::Writer(scratch("writer_bench.parquet"), schema, options);
            state.ResumeTiming();
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(values.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_Writer)
    ->ArgsProduct({{static_cast<int>(pf::PhysicalType::Int32), static_cast<int>(pf::PhysicalType::Int64),
                    static_cast<int>(pf::PhysicalType::Double), static_cast<int>(pf::PhysicalType::ByteArray)},
                   {static_cast<int>(pf::Repetition::Required), static_cast<int>(pf::Repetition::Optional)},
                   {static_cast<int>(pf::Compression::Uncompressed), static_cast<int>(pf::Compression::Gzip)}})
    ->ArgNames({"type", "repetition", "codec"})
    ->Unit(benchmark::kMillisecond);

// Sink end to end: one producer records 1,000,000 records of 256 bytes; the time runs until
// close() has written everything.
void BM_SinkEndToEnd(benchmark::State& state) {
    std::vector<std::byte> payload(256, std::byte{1});
    std::uint64_t accepted = 0, attempted = 0;
    for (auto _ : state) {
        pf::SinkOptions o;
        o.path = scratch("sink_bench.parquet");
        o.ring_bytes = 64 << 20;
        pf::Sink sink(o);
        auto producer = sink.producer();
        for (int i = 0; i < 1'000'000; ++i) producer.try_record(payload);
        const auto stats = sink.close();
        accepted += stats.accepted;
        attempted += stats.attempted;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(accepted));
    state.SetBytesProcessed(static_cast<std::int64_t>(accepted * 256));
    state.counters["accepted_ratio"] = static_cast<double>(accepted) / static_cast<double>(attempted);
}
BENCHMARK(BM_SinkEndToEnd)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
