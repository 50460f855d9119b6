// Sink suites. Each test captures records and writes a spec (*.sink.json) of what every producer
// attempted and had accepted; the sink_crosscheck ctest entry (tests/readers/verify_sink.py)
// then reads the files with pyarrow and DuckDB and checks every record, its order and the gaps.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"
#include "test_data.hpp"

namespace pf = parquet_flow;
using namespace std::chrono_literals;

namespace {

// The payload verify_sink.py expects for ("test", producer, seq).
std::string payload_for(std::uint32_t producer, std::uint64_t seq) {
    std::string s = "p" + std::to_string(producer) + "s" + std::to_string(seq) + ":";
    s.append(seq % 64, static_cast<char>('a' + seq % 26));
    return s;
}

struct Counts {
    std::uint64_t attempted = 0;
    std::uint64_t accepted = 0;
};

// The .parquet files under `dir`, sorted, as paths relative to `base` (where the spec goes).
std::vector<std::string> files_in(const std::filesystem::path& dir, const std::filesystem::path& base) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) {
            const auto name = e.path().filename().string();
            EXPECT_EQ(name.find(".inprogress"), std::string::npos) << "left behind: " << e.path();
            if (e.path().extension() == ".parquet") {
                files.push_back(std::filesystem::relative(e.path(), base).string());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

void write_spec(const std::filesystem::path& spec, const std::vector<std::string>& files, const char* payload,
                const std::map<std::uint32_t, Counts>& producers, const std::vector<std::string>& columns,
                const std::vector<std::vector<std::uint64_t>>& row_groups = {}, const std::string& dataset = "") {
    std::ofstream out(spec);
    out << "{\"payload\":\"" << payload << "\",\"files\":[";
    for (std::size_t i = 0; i < files.size(); ++i) out << (i ? "," : "") << "\"" << files[i] << "\"";
    out << "],\"columns\":[";
    for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << "\"" << columns[i] << "\"";
    out << "],\"producers\":{";
    bool first = true;
    for (const auto& [id, c] : producers) {
        out << (first ? "" : ",") << "\"" << id << "\":{\"attempted\":" << c.attempted << ",\"accepted\":" << c.accepted
            << "}";
        first = false;
    }
    out << "}";
    if (!row_groups.empty()) {
        out << ",\"row_groups\":[";
        for (std::size_t f = 0; f < row_groups.size(); ++f) {
            out << (f ? "," : "") << "[";
            for (std::size_t r = 0; r < row_groups[f].size(); ++r) out << (r ? "," : "") << row_groups[f][r];
            out << "]";
        }
        out << "]";
    }
    if (!dataset.empty()) out << ",\"dataset\":\"" << dataset << "\"";
    out << "}\n";
}

std::filesystem::path fresh_dir(const std::string& name) {
    const auto dir = pftest::output_dir("sink") / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

class ManyProducers : public ::testing::TestWithParam<int> {};

TEST_P(ManyProducers, EveryAcceptedRecordOnceInOrderAndDropsAreGaps) {
    const int threads = GetParam();
    const auto dir = fresh_dir("producers_" + std::to_string(threads));
    pf::SinkOptions options;
    options.path = dir / "capture.parquet";
    options.ring_bytes = 8192;  // small: producers outrun the worker and must drop
    options.row_group_rows = 1000;
    options.worker_delay_for_testing = 1ms;  // and a slowish disk, so drops happen on any machine
    options.recv_ts = true;
    options.producer_id = true;
    options.seq = true;
    pf::Sink sink(options);

    constexpr std::uint64_t kPerThread = 50'000;
    std::vector<Counts> counts(threads);
    std::vector<std::uint32_t> ids(threads);
    std::vector<std::thread> workers;
    std::atomic<bool> go{false};
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto producer = sink.producer();
            ids[t] = producer.id();
            std::string payload;
            while (!go.load()) std::this_thread::yield();
            for (std::uint64_t seq = 0; seq < kPerThread; ++seq) {
                payload = payload_for(producer.id(), seq);
                counts[t].attempted++;
                if (producer.try_record(payload)) counts[t].accepted++;
            }
        });
    }
    go = true;
    for (auto& w : workers) w.join();
    const pf::SinkStats stats = sink.close();

    std::map<std::uint32_t, Counts> by_id;
    std::uint64_t attempted = 0, accepted = 0;
    for (int t = 0; t < threads; ++t) {
        by_id[ids[t]] = counts[t];
        attempted += counts[t].attempted;
        accepted += counts[t].accepted;
    }
    EXPECT_EQ(stats.attempted, attempted);
    EXPECT_EQ(stats.accepted, accepted);
    EXPECT_EQ(stats.accepted + stats.dropped(), stats.attempted);
    EXPECT_EQ(stats.dropped(), stats.dropped_full);
    EXPECT_EQ(stats.rows_written, stats.accepted);
    EXPECT_GT(stats.dropped_full, 0u) << "the ring was meant to be small enough to force drops";
    EXPECT_GT(stats.accepted, 0u);
    EXPECT_LE(stats.ring_high_water, 8192u);
    write_spec(dir / "capture.sink.json", files_in(dir, dir), "test", by_id, {"payload", "recv_ts", "producer_id", "seq"});
}

INSTANTIATE_TEST_SUITE_P(Threads, ManyProducers, ::testing::Values(1, 2, 4, 8));

// Overflow::Block, as a replay (pcap to Parquet) uses it: producers far faster than a slowed
// worker through small rings lose nothing, and the waits are counted. Read back by pyarrow and
// DuckDB: every record once, in order, no seq gap.
TEST(SinkOverflow, BlockLosesNothingFromManyProducersBehindASlowWorker) {
    const auto dir = fresh_dir("overflow_block");
    pf::SinkOptions options;
    options.path = dir / "replay.parquet";
    options.ring_bytes = 4096;
    options.row_group_rows = 500;
    options.worker_delay_for_testing = 1ms;
    options.overflow = pf::Overflow::Block;
    options.seq = true;
    options.producer_id = true;
    pf::Sink sink(options);
    constexpr int kThreads = 3;
    constexpr std::uint64_t kPerThread = 20'000;
    std::vector<Counts> counts(kThreads);
    std::vector<std::uint32_t> ids(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto producer = sink.producer();
            ids[t] = producer.id();
            for (std::uint64_t seq = 0; seq < kPerThread; ++seq) {
                counts[t].attempted++;
                if (producer.try_record(payload_for(producer.id(), seq))) counts[t].accepted++;
            }
        });
    }
    for (auto& t : threads) t.join();
    const auto stats = sink.close();
    EXPECT_EQ(stats.accepted, kThreads * kPerThread);
    EXPECT_EQ(stats.dropped(), 0u);
    EXPECT_EQ(stats.rows_written, stats.accepted);
    EXPECT_GT(stats.blocked, 0u) << "the rings were meant to be too small for the producers";
    EXPECT_GT(stats.blocked_ns, 0u);
    std::map<std::uint32_t, Counts> by_id;
    for (int t = 0; t < kThreads; ++t) by_id[ids[t]] = counts[t];
    write_spec(dir / "replay.sink.json", files_in(dir, dir), "test", by_id, {"payload", "producer_id", "seq"});
}

TEST(Sink, OversizeEmptyAndAfterCloseAreCountedAsDocumented) {
    const auto dir = fresh_dir("edge_records");
    pf::SinkOptions options;
    options.path = dir / "edge.parquet";
    options.max_record_bytes = 100;
    pf::Sink sink(options);
    auto producer = sink.producer();
    EXPECT_TRUE(producer.try_record(std::string_view("")));               // empty: accepted
    EXPECT_FALSE(producer.try_record(std::string(101, 'x')));              // oversize
    EXPECT_TRUE(producer.try_record(std::string(100, 'y')));               // exactly the limit
    struct Quote {
        std::int64_t price;
        std::int32_t size;
        char side;
    } quote{12345, 7, 'B'};
    EXPECT_TRUE(producer.try_record(quote));                               // trivially copyable
    sink.flush();
    EXPECT_EQ(sink.stats().rows_written, 3u);
    const auto stats = sink.close();
    EXPECT_FALSE(producer.try_record(std::string_view("late")));           // after close
    const auto after = sink.stats();
    EXPECT_EQ(stats.accepted, 3u);
    EXPECT_EQ(after.dropped_oversize, 1u);
    EXPECT_EQ(after.dropped_closed, 1u);
    EXPECT_EQ(after.attempted, 5u);
    EXPECT_EQ(after.accepted + after.dropped(), after.attempted);
    EXPECT_THROW(sink.flush(), pf::Error);

    // The file, value by value, through the generic cross-check.
    pftest::GeneratedColumn payload{{"payload", pf::PhysicalType::ByteArray, pf::Repetition::Required, 0, {}, {}},
                                    {}, {}, {}, {}, {}};
    std::string quote_hex;
    const auto* q = reinterpret_cast<const unsigned char*>(&quote);
    static const char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < sizeof quote; ++i) {
        quote_hex += digits[q[i] >> 4];
        quote_hex += digits[q[i] & 15];
    }
    std::string hundred_y;
    for (int i = 0; i < 100; ++i) hundred_y += "79";
    payload.rows = {"\"\"", "\"" + hundred_y + "\"", "\"" + quote_hex + "\""};
    pftest::write_sidecar({dir / "edge.parquet", pf::Compression::Uncompressed, {{payload}}, {}});
}

TEST(Sink, StalledWorkerNeverSlowsTryRecord) {
    const auto dir = fresh_dir("stalled");
    pf::SinkOptions options;
    options.path = dir / "stalled.parquet";
    options.ring_bytes = 4096;
    options.row_group_rows = 10;
    options.seq = true;
    options.worker_delay_for_testing = 1s;  // the worker sleeps before each row group
    pf::Sink sink(options);
    auto producer = sink.producer();
    Counts counts;
    for (std::uint64_t seq = 0; seq < 200'000; ++seq) {
        counts.attempted++;
        if (producer.try_record(payload_for(producer.id(), seq))) counts.accepted++;
    }
    // 200,000 calls returned while the worker was still asleep in front of its first row group:
    // try_record did not wait for it. The ring filled and the rest were dropped and counted.
    const auto stats = sink.stats();
    EXPECT_EQ(stats.row_groups, 0u);
    EXPECT_GT(stats.dropped_full, 190'000u);
    EXPECT_EQ(stats.accepted + stats.dropped_full, 200'000u);
    const auto closed = sink.close();
    EXPECT_EQ(closed.rows_written, counts.accepted);
    write_spec(dir / "stalled.sink.json", files_in(dir, dir), "test", {{producer.id(), counts}}, {"payload", "seq"});
}

TEST(Sink, FlushIntervalDeliversAPartialRowGroup) {
    const auto dir = fresh_dir("flush_interval");
    pf::SinkOptions options;
    options.path = dir / "slow.parquet";
    options.row_group_rows = 1'000'000;
    options.flush_interval = 50ms;
    options.seq = true;
    pf::Sink sink(options);
    auto producer = sink.producer();
    for (std::uint64_t seq = 0; seq < 10; ++seq) ASSERT_TRUE(producer.try_record(payload_for(producer.id(), seq)));
    // No flush(): the interval alone must get the 10 rows written. The interval counts from the
    // first record the worker takes, so the ten normally make one row group; but a worker
    // preempted for longer than the interval between taking some of them and checking the
    // interval (a loaded machine, a sanitizer build) writes those first. Only the count and
    // that nothing waited for a flush are certain.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (sink.stats().rows_written < 10 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(sink.stats().rows_written, 10u);
    const auto row_groups = sink.stats().row_groups;
    EXPECT_GE(row_groups, 1u);
    EXPECT_LE(row_groups, 10u);
    sink.close();
    std::vector<std::vector<std::uint64_t>> layout;
    if (row_groups == 1) layout = {{10}};
    write_spec(dir / "slow.sink.json", files_in(dir, dir), "test", {{producer.id(), {10, 10}}}, {"payload", "seq"}, layout);
}

TEST(Sink, RotatesByRowsIntoExactFiles) {
    const auto dir = fresh_dir("rotate_rows");
    pf::SinkOptions options;
    options.path = dir / "part-{seq}.parquet";
    options.row_group_rows = 300;
    options.rotate_rows = 1000;
    options.seq = true;
    // With fsync'd checkpoints and directory syncs: the files must come out the same.
    options.durability = pf::Durability::Sync;
    pf::Sink sink(options);
    auto producer = sink.producer();
    // Retry until accepted; every attempt takes the next seq, so the payload follows attempts.
    std::uint64_t attempts = 0;
    for (std::uint64_t accepted = 0; accepted < 3500;) {
        if (producer.try_record(payload_for(producer.id(), attempts++))) ++accepted;
        else std::this_thread::yield();
    }
    const auto stats = sink.close();
    EXPECT_EQ(stats.attempted, attempts);
    EXPECT_EQ(stats.files, 4u);
    EXPECT_EQ(stats.rows_durable, 3500u);
    const auto files = files_in(dir, dir);
    ASSERT_EQ(files.size(), 4u);
    const std::vector<std::uint64_t> full{300, 300, 300, 100};
    write_spec(dir / "rows.sink.json", files, "test", {{producer.id(), {stats.attempted, 3500}}}, {"payload", "seq"},
               {full, full, full, {300, 200}});
}

TEST(Sink, RotatesByBytesAndByAgeIntoAHiveDataset) {
    const auto dir = fresh_dir("rotate_bytes_age");
    {
        pf::SinkOptions options;
        options.path = dir / "bytes" / "date=%Y-%m-%d" / "cap-%H%M%S-{seq}.parquet";
        options.row_group_rows = 200;
        options.rotate_bytes = 10'000;  // several files: the seq column is delta-packed, payloads gzipped
        options.producer_id = true;
        options.seq = true;
        options.compression = pf::Compression::Gzip;
        pf::Sink sink(options);
        auto producer = sink.producer();
        Counts counts;
        while (counts.accepted < 5000) {
            if (producer.try_record(payload_for(producer.id(), counts.attempted++))) counts.accepted++;
            else std::this_thread::yield();
        }
        const auto stats = sink.close();
        EXPECT_GT(stats.files, 3u);
        write_spec(dir / "bytes.sink.json", files_in(dir / "bytes", dir), "test", {{producer.id(), counts}},
                   {"payload", "producer_id", "seq"}, {}, "bytes/*/*.parquet");
    }
    {
        pf::SinkOptions options;
        options.path = dir / "age" / "cap-{seq}.parquet";
        options.flush_interval = 10ms;
        options.rotate_age = 100ms;
        options.seq = true;
        pf::Sink sink(options);
        auto producer = sink.producer();
        Counts counts;
        const auto end = std::chrono::steady_clock::now() + 700ms;
        for (std::uint64_t seq = 0; std::chrono::steady_clock::now() < end; ++seq) {
            counts.attempted++;
            if (producer.try_record(payload_for(producer.id(), seq))) counts.accepted++;
            std::this_thread::sleep_for(2ms);
        }
        const auto stats = sink.close();
        EXPECT_GE(stats.files, 3u);
        write_spec(dir / "age.sink.json", files_in(dir / "age", dir), "test", {{producer.id(), counts}}, {"payload", "seq"});
    }
}

TEST(Sink, BadOptionsAreExplained) {
    const auto dir = fresh_dir("bad_options");
    auto expect_error = [](pf::SinkOptions o, const std::string& fragment) {
        try {
            pf::Sink sink(o);
            ADD_FAILURE() << "expected an error containing " << fragment;
        } catch (const pf::Error& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    pf::SinkOptions o;
    expect_error(o, "path is empty");
    o.path = dir / "x.parquet";
    o.rotate_rows = 10;
    expect_error(o, "{seq}");
    o.rotate_rows.reset();
    o.ring_bytes = 4096;
    o.max_record_bytes = 4096;
    expect_error(o, "raise ring_bytes");
    o.max_record_bytes.reset();
    o.row_group_rows = 0;
    expect_error(o, "row_group_rows");
    pf::SinkOptions unwritable;
    unwritable.path = "/proc/parquet_flow_cannot_write_here.parquet";
    expect_error(unwritable, "cannot create");
}

}  // namespace

namespace {

TEST(SinkFaults, WorkerFailureIsReportedAndEarlierFilesStayValid) {
    const auto dir = fresh_dir("worker_failure");
    pf::SinkOptions options;
    options.path = dir / "sub" / "part-{seq}.parquet";
    options.row_group_rows = 100;
    options.rotate_rows = 100;  // every 100 records close the file and start the next
    options.seq = true;
    pf::Sink sink(options);
    auto producer = sink.producer();
    std::uint64_t seq = 0;
    for (; seq < 100; ++seq) ASSERT_TRUE(producer.try_record(payload_for(producer.id(), seq)));
    sink.flush();  // part-000000 is complete and renamed

    // Pull the directory away and put a plain file in its place: the next file cannot be made.
    std::filesystem::rename(dir / "sub", dir / "kept");
    std::ofstream(dir / "sub") << "not a directory";
    for (; seq < 200; ++seq) producer.try_record(payload_for(producer.id(), seq));
    try {
        sink.flush();
        ADD_FAILURE() << "flush should report the worker's failure";
    } catch (const pf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("sub"), std::string::npos) << e.what();
    }
    // Producers keep returning at once, and the drops say why.
    EXPECT_FALSE(producer.try_record(std::string_view("after the failure")));
    const auto stats = sink.stats();
    EXPECT_EQ(stats.dropped_failed, 1u);
    EXPECT_EQ(stats.rows_written, 100u);
    EXPECT_EQ(stats.accepted, 200u);  // the second hundred were accepted, then lost: stats say so
    try {
        sink.close();
        ADD_FAILURE() << "close should report the failure";
    } catch (const pf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("100 accepted records could not be written"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(sink.close(), pf::Error);  // the outcome is repeated, not forgotten
    const auto closed = sink.stats();
    EXPECT_EQ(closed.rows_lost, 100u);
    EXPECT_EQ(closed.accepted, closed.rows_written + closed.rows_lost);
    EXPECT_GE(closed.io_errors, 1u);
    EXPECT_EQ(closed.retries, 0u);
    EXPECT_NE(sink.last_error().find("sub"), std::string::npos) << sink.last_error();

    // The file closed before the fault reads back whole.
    write_spec(dir / "kept.sink.json", {"kept/part-000000.parquet"}, "test", {{producer.id(), {100, 100}}},
               {"payload", "seq"}, {{100}});
}

// Offers `n` test payloads, numbered by attempt as the sink's seq column numbers them.
void record_test_payloads(pf::Sink::Producer& producer, Counts& counts, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
        counts.accepted += producer.try_record(payload_for(producer.id(), counts.attempted++));
    }
}

// A sink rotating by rows, with the seq column and a short retry back-off.
pf::SinkOptions rotating_fault_options(const std::filesystem::path& path, std::size_t row_group_rows,
                                       std::uint64_t rotate_rows) {
    pf::SinkOptions options;
    options.path = path;
    options.row_group_rows = row_group_rows;
    options.rotate_rows = rotate_rows;
    options.seq = true;
    options.retry_backoff = 20ms;
    return options;
}

// Polls until `done` holds or 10 s pass.
template <class F>
bool eventually(F done) {
    for (int i = 0; i < 1000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return done();
}

TEST(SinkFaults, RotatingSinkResumesOnTheNextFileWithoutLosingAcceptedRecords) {
    const auto dir = fresh_dir("resume");
    pf::Sink sink(rotating_fault_options(dir / "sub" / "part-{seq}.parquet", 100, 100));
    auto producer = sink.producer();
    Counts counts;
    auto record = [&](std::uint64_t n) { record_test_payloads(producer, counts, n); };
    record(100);
    sink.flush();
    std::filesystem::rename(dir / "sub", dir / "kept");
    std::ofstream(dir / "sub") << "not a directory";
    record(100);  // accepted into the ring; the worker fails to open the next file
    ASSERT_TRUE(eventually([&] { return sink.stats().io_errors >= 2; }));  // it keeps retrying
    record(10);                                                           // dropped: worker failed
    const auto failed = sink.stats();
    EXPECT_GE(failed.dropped_failed, 10u);
    EXPECT_EQ(failed.retries, 0u);
    EXPECT_NE(sink.last_error().find("cannot create directory"), std::string::npos) << sink.last_error();

    // The directory comes back: the worker resumes on the next file with what it held.
    std::filesystem::remove(dir / "sub");
    ASSERT_TRUE(eventually([&] { return sink.stats().retries == 1; }));
    record(150);
    const auto stats = sink.close();
    EXPECT_EQ(stats.rows_lost, 0u);
    EXPECT_EQ(stats.files_failed, 0u);
    EXPECT_EQ(stats.accepted, stats.rows_written);
    EXPECT_EQ(stats.accepted, counts.accepted);
    EXPECT_GE(stats.io_errors, 2u);
    EXPECT_EQ(stats.retries, 1u);
    EXPECT_EQ(stats.accepted + stats.dropped_failed, stats.attempted);

    std::filesystem::rename(dir / "kept" / "part-000000.parquet", dir / "sub" / "part-000000.parquet");
    write_spec(dir / "resume.sink.json", files_in(dir / "sub", dir), "test", {{producer.id(), counts}},
               {"payload", "seq"});
}

TEST(SinkFaults, DeletedFileIsCountedAsLostAndTheSinkGoesOn) {
    const auto dir = fresh_dir("deleted");
    pf::Sink sink(rotating_fault_options(dir / "part-{seq}.parquet", 50, 200));
    auto producer = sink.producer();
    Counts counts;
    auto record = [&](std::uint64_t n) { record_test_payloads(producer, counts, n); };
    record(250);  // part-000000 complete, part-000001 open with 50 rows
    sink.flush();
    ASSERT_TRUE(std::filesystem::remove(dir / "part-000001.parquet.inprogress"));
    record(150);  // completes part-000001: its rename fails
    ASSERT_TRUE(eventually([&] { return sink.stats().retries == 1; }));
    record(100);
    const auto stats = sink.close();
    EXPECT_EQ(stats.files_failed, 1u);
    EXPECT_EQ(stats.rows_lost, 200u);
    EXPECT_EQ(stats.accepted, stats.rows_written + stats.rows_lost);
    EXPECT_NE(sink.last_error().find("part-000001.parquet.inprogress': No such file or directory"),
              std::string::npos)
        << sink.last_error();
    // What is on disk: every accepted record except the lost file's, each once.
    counts.accepted -= stats.rows_lost;
    write_spec(dir / "deleted.sink.json", files_in(dir, dir), "test", {{producer.id(), counts}}, {"payload", "seq"});
}

// RLIMIT_FSIZE makes writes past `bytes` fail with EFBIG, as a full disk fails them with ENOSPC,
// without needing a mount; SIGXFSZ is ignored so the write returns the error.
struct FileSizeLimit {
    rlimit old{};
    explicit FileSizeLimit(rlim_t bytes) {
        std::signal(SIGXFSZ, SIG_IGN);
        getrlimit(RLIMIT_FSIZE, &old);
        rlimit limit = old;
        limit.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &old); }
};

TEST(SinkFaults, FullFilesAreCutToTheirLastRowGroupAndRetriedOnTheNext) {
    const auto dir = fresh_dir("file_limit_rotating");
    Counts counts;
    std::uint32_t id = 0;
    pf::SinkStats stats;
    {
        FileSizeLimit limit(64 << 10);
        pf::SinkOptions options;
        options.path = dir / "part-{seq}.parquet";
        options.row_group_rows = 50;  // ~2.5 KB row groups: about 25 fit under the limit
        options.seq = true;
        options.retry_backoff = 10ms;
        // A full file is cut back to the row groups that fit with a footer, or at worst to its
        // last checkpoint, which needs no room at all.
        options.durability = pf::Durability::RowGroup;
        pf::Sink sink(options);
        auto producer = sink.producer();
        id = producer.id();
        while (counts.accepted < 5000) {
            // The sink's seq counts attempts, so a dropped record is not sent again: its seq is a gap.
            if (producer.try_record(payload_for(id, counts.attempted++))) {
                ++counts.accepted;
            } else {
                std::this_thread::sleep_for(1ms);  // the worker is backing off
            }
        }
        stats = sink.close();
    }
    EXPECT_GE(stats.io_errors, 2u);
    EXPECT_EQ(stats.retries, stats.io_errors);
    EXPECT_EQ(stats.files, stats.retries + 1);
    EXPECT_EQ(stats.files_failed, 0u);
    // Each full file keeps what fits with its footer (without statistics if need be): at most
    // the row group that filled it is cut, and counted.
    EXPECT_EQ(stats.rows_written + stats.rows_lost, 5000u);
    EXPECT_LE(stats.rows_lost, 50u * stats.io_errors);
    EXPECT_EQ(stats.rows_durable, stats.rows_written);
    EXPECT_EQ(stats.attempted, counts.attempted);
    EXPECT_EQ(stats.dropped_failed, counts.attempted - 5000);
    counts.accepted = stats.rows_written;
    write_spec(dir / "limit.sink.json", files_in(dir, dir), "test", {{id, counts}}, {"payload", "seq"});
}

TEST(SinkFaults, FullFileWithoutRotationFailsForGoodAndSaysWhat) {
    for (const auto durability : {pf::Durability::RowGroup, pf::Durability::OnClose}) {
        const bool checkpoints = durability == pf::Durability::RowGroup;  // or the footer on close only
        SCOPED_TRACE(checkpoints ? "durability RowGroup" : "durability OnClose");
        const auto dir = fresh_dir(checkpoints ? "file_limit_single" : "file_limit_single_onclose");
        Counts counts;
        std::uint32_t id = 0;
        pf::SinkStats stats;
        {
            FileSizeLimit limit(64 << 10);
            pf::SinkOptions options;
            options.path = dir / "capture.parquet";
            options.row_group_rows = 50;
            options.seq = true;
            options.durability = durability;
            pf::Sink sink(options);
            auto producer = sink.producer();
            id = producer.id();
            for (int i = 0; i < 2000; ++i) {
                counts.accepted += producer.try_record(payload_for(id, counts.attempted++));
                if (i % 100 == 99) std::this_thread::sleep_for(2ms);
            }
            ASSERT_TRUE(eventually([&] { return sink.stats().io_errors == 1; }));
            EXPECT_FALSE(producer.try_record(std::string_view("after")));
            ++counts.attempted;
            try {
                sink.close();
                ADD_FAILURE() << "close should throw";
            } catch (const pf::Error& e) {
                const std::string what = e.what();
                EXPECT_NE(what.find("capture.parquet.inprogress': File too large"), std::string::npos) << what;
                EXPECT_NE(what.find("accepted records could not be written"), std::string::npos) << what;
            }
            stats = sink.stats();
        }
        EXPECT_EQ(stats.io_errors, 1u);
        EXPECT_EQ(stats.retries, 0u);
        EXPECT_GE(stats.dropped_failed, 1u);
        EXPECT_GT(stats.rows_lost, 0u);
        EXPECT_EQ(stats.accepted, stats.rows_written + stats.rows_lost);
        EXPECT_EQ(stats.files_failed, 0u);
        // Cut back to the row groups that fit with a footer (or, with checkpoints, at least to
        // the last one), finished and renamed: every row in it reads back.
        EXPECT_GT(stats.rows_written, 0u);
        EXPECT_EQ(stats.rows_durable, stats.rows_written);
        counts.accepted = stats.rows_written;
        write_spec(dir / "single.sink.json", files_in(dir, dir), "test", {{id, counts}}, {"payload", "seq"});
    }
}

TEST(SinkFaults, BadOutputLocationsAreRefusedAtOpenNamingThePathAndTheOsError) {
    const auto dir = fresh_dir("bad_location");
    // A missing directory is created.
    {
        pf::SinkOptions options;
        options.path = dir / "new" / "deeper" / "x.parquet";
        pf::Sink sink(options);
        sink.close();
        EXPECT_TRUE(std::filesystem::exists(dir / "new" / "deeper" / "x.parquet"));
    }
    // A parent that is a file.
    std::ofstream(dir / "plain") << "x";
    try {
        pf::SinkOptions options;
        options.path = dir / "plain" / "x.parquet";
        pf::Sink sink(options);
        ADD_FAILURE() << "opening under a file should fail";
    } catch (const pf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("plain': File exists"), std::string::npos) << e.what();
    }
    // A read-only directory (root ignores permissions: then only the cases above run).
    std::filesystem::create_directories(dir / "ro");
    std::filesystem::permissions(dir / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    if (geteuid() != 0) {
        try {
            pf::SinkOptions options;
            options.path = dir / "ro" / "x.parquet";
            pf::Sink sink(options);
            ADD_FAILURE() << "opening in a read-only directory should fail";
        } catch (const pf::Error& e) {
            EXPECT_NE(std::string(e.what()).find("ro/x.parquet.inprogress': Permission denied"), std::string::npos)
                << e.what();
        }
    }
    std::filesystem::permissions(dir / "ro", std::filesystem::perms::owner_all);
    // The writer does not create directories: it says which file it could not create.
    pf::Schema schema;
    schema.required("x", pf::PhysicalType::Int64);
    try {
        pf::Writer writer(dir / "missing" / "w.parquet", schema);
        ADD_FAILURE() << "a writer in a missing directory should fail";
    } catch (const pf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("missing/w.parquet': No such file or directory"), std::string::npos)
            << e.what();
    }
}

TEST(WriterFaults, DiskFullNamesTheFileAndTheOsError) {
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
    pf::Schema schema;
    schema.required("x", pf::PhysicalType::Int64);
    const std::vector<std::int64_t> xs(1000, 7);
    pf::Writer writer("/dev/full", schema);
    try {
        writer.write_row_group({pf::ColumnData::int64(xs)});
        ADD_FAILURE() << "writing to /dev/full should fail";
    } catch (const pf::Error& e) {
        EXPECT_EQ(e.code(), pf::ErrorCode::Internal);
        EXPECT_NE(std::string(e.what()).find("'/dev/full': No space left on device"), std::string::npos) << e.what();
    }
    // Later row groups are refused, naming the earlier failure; close() reports it too.
    try {
        writer.write_row_group({pf::ColumnData::int64(xs)});
        ADD_FAILURE() << "the writer should refuse after an I/O failure";
    } catch (const pf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("earlier failure"), std::string::npos) << e.what();
    }
    EXPECT_THROW(writer.close(), pf::Error);
}

// ---- Restarts and shared patterns: the sink never overwrites a file --------------------------

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// One run of a capture program: `records` records through one producer, rotating every 1,000.
pf::SinkStats capture_run(const std::filesystem::path& dir, std::uint64_t records, std::uint32_t* id) {
    pf::SinkOptions options;
    options.path = dir / "cap-{seq}.parquet";
    options.row_group_rows = 500;
    options.rotate_rows = 1000;
    options.seq = true;
    pf::Sink sink(options);
    auto producer = sink.producer();
    *id = producer.id();
    for (std::uint64_t seq = 0; seq < records; ++seq) {
        while (!producer.try_record(payload_for(producer.id(), seq))) std::this_thread::yield();
    }
    return sink.close();
}

TEST(SinkRestart, ASecondRunOnTheSamePatternAddsToTheFirstAndChangesNothingOfIt) {
    const auto dir = fresh_dir("restart");
    std::uint32_t id = 0;
    const auto first = capture_run(dir, 2500, &id);
    EXPECT_EQ(first.files, 3u);
    const auto first_files = files_in(dir, dir);
    ASSERT_EQ(first_files.size(), 3u);
    std::map<std::string, std::string> before;
    for (const auto& f : first_files) before[f] = file_bytes(dir / f);

    const auto second = capture_run(dir, 2500, &id);
    EXPECT_EQ(second.rows_written, 2500u);
    EXPECT_EQ(second.files_recovered, 0u);
    const auto all = files_in(dir, dir);
    ASSERT_EQ(all.size(), 6u);
    for (const auto& [name, bytes] : before) EXPECT_EQ(file_bytes(dir / name), bytes) << name << " was rewritten";
    // The second run continues the series.
    const std::vector<std::string> expected{"cap-000000.parquet", "cap-000001.parquet", "cap-000002.parquet",
                                            "cap-000003.parquet", "cap-000004.parquet", "cap-000005.parquet"};
    EXPECT_EQ(all, expected);
    const std::vector<std::string> second_files(all.begin() + 3, all.end());
    write_spec(dir / "run1.sink.json", first_files, "test", {{id, {2500, 2500}}}, {"payload", "seq"});
    write_spec(dir / "run2.sink.json", second_files, "test", {{id, {2500, 2500}}}, {"payload", "seq"});

    // A fixed path that exists is refused, naming it, and left as it was.
    pf::SinkOptions fixed;
    fixed.path = dir / "cap-000000.parquet";
    try {
        pf::Sink sink(fixed);
        ADD_FAILURE() << "an existing file must not be overwritten";
    } catch (const pf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("never overwrites"), std::string::npos) << e.what();
    }
    EXPECT_EQ(file_bytes(dir / "cap-000000.parquet"), before["cap-000000.parquet"]);
}

TEST(SinkRestart, TwoSinksOnOnePatternKeepEveryRecordOfBoth) {
    const auto dir = fresh_dir("two_sinks");
    pf::SinkOptions options;
    options.path = dir / "part-{seq}.parquet";
    options.row_group_rows = 400;
    options.rotate_rows = 1000;
    options.producer_id = true;
    options.seq = true;
    options.durability = pf::Durability::RowGroup;
    pf::Sink a(options);
    pf::Sink b(options);  // opens while a's first file is being written
    EXPECT_EQ(b.stats().files_recovered, 0u) << "a live sink's file is not abandoned";
    // Distinct producer ids across the two sinks, so one spec can check both.
    { auto skip0 = b.producer(), skip1 = b.producer(); }
    std::map<std::uint32_t, Counts> counts;
    std::mutex m;
    std::vector<std::thread> threads;
    for (pf::Sink* sink : {&a, &a, &b, &b}) {
        threads.emplace_back([&, sink] {
            auto producer = sink->producer();
            Counts c;
            for (std::uint64_t seq = 0; seq < 3000; ++seq, ++c.attempted) {
                while (!producer.try_record(payload_for(producer.id(), seq))) std::this_thread::yield();
                ++c.accepted;
            }
            std::lock_guard lock(m);
            counts[producer.id()] = c;
        });
    }
    for (auto& t : threads) t.join();
    const auto sa = a.close();
    const auto sb = b.close();
    EXPECT_EQ(sa.rows_written + sb.rows_written, 12000u);
    const auto files = files_in(dir, dir);
    EXPECT_EQ(files.size(), sa.files + sb.files);
    EXPECT_EQ(counts.size(), 4u);
    write_spec(dir / "two_sinks.sink.json", files, "test", counts, {"payload", "producer_id", "seq"});
}

TEST(SinkProducer, AMovedFromProducerCountsItsAttemptsAsDrops) {
    const auto dir = fresh_dir("moved_from");
    pf::SinkOptions options;
    options.path = dir / "moved.parquet";
    pf::Sink sink(options);
    auto first = sink.producer();
    auto second = std::move(first);
    const std::string payload = "hello";
    EXPECT_FALSE(first.try_record(payload));  // NOLINT(bugprone-use-after-move): on purpose
    EXPECT_TRUE(second.try_record(payload));
    pf::Sink::Producer third = sink.producer();
    third = std::move(second);
    EXPECT_FALSE(second.try_record(payload));  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(third.try_record(payload));
    const auto stats = sink.close();
    EXPECT_EQ(stats.attempted, 4u);
    EXPECT_EQ(stats.accepted, 2u);
    EXPECT_EQ(stats.dropped_closed, 2u);
    EXPECT_EQ(stats.rows_written, 2u);
}

// ---- recv_ts units: what Spark reads ---------------------------------------------------------

class RecvTsUnit : public ::testing::TestWithParam<pf::TimeUnit> {};

// Each unit's column holds the receive time floored to that unit, annotated TIMESTAMP(unit, UTC);
// the reader cross-check compares every value and the logical type with pyarrow and DuckDB.
TEST_P(RecvTsUnit, TheColumnHoldsTheTimeInItsUnit) {
    const pf::TimeUnit unit = GetParam();
    const std::int64_t divisor = unit == pf::TimeUnit::Nanos ? 1 : unit == pf::TimeUnit::Micros ? 1000 : 1'000'000;
    const auto dir = fresh_dir("recv_ts_unit_" + std::to_string(static_cast<int>(unit)));
    pf::SinkOptions options;
    options.path = dir / "recv_ts.parquet";
    options.recv_ts = true;
    options.recv_ts_unit = unit;
    pf::Sink sink(options);
    auto producer = sink.producer();
    const pf::Column payload_column{"payload", pf::PhysicalType::ByteArray, pf::Repetition::Required, 0, {}, {}};
    const pf::Column recv_ts_column{"recv_ts", pf::PhysicalType::Int64, pf::Repetition::Required, 0,
                                    pf::LogicalType::timestamp(unit), {}};
    pftest::GeneratedColumn payload{payload_column, {}, {}, {}, {}, {}};
    pftest::GeneratedColumn recv_ts{recv_ts_column, {}, {}, {}, {}, {}};
    // 2026-12-02T06:00:00.123456789Z onwards, plus instants just before and after a second.
    std::int64_t ts = 1'796'191'200'123'456'789LL;
    for (int i = 0; i < 100; ++i, ts += 1'000'001 * i + 999) {
        const std::string text = "order " + std::to_string(i);
        ASSERT_TRUE(producer.try_record(text, ts));
        payload.rows.push_back(pftest::hex_json(text));
        const std::int64_t floored = ts >= 0 ? ts / divisor : -((-ts + divisor - 1) / divisor);
        recv_ts.rows.push_back(std::to_string(floored));
    }
    const auto stats = sink.close();
    ASSERT_EQ(stats.rows_written, 100u);
    pftest::ExpectedFile expected;
    expected.path = dir / "recv_ts.parquet";
    expected.row_groups = {{payload, recv_ts}};
    pftest::write_sidecar(expected);
}

INSTANTIATE_TEST_SUITE_P(Units, RecvTsUnit,
                         ::testing::Values(pf::TimeUnit::Millis, pf::TimeUnit::Micros, pf::TimeUnit::Nanos));

TEST(SinkPattern, HostAndPidTokensNameTheFiles) {
    const auto dir = fresh_dir("host_pid");
    pf::SinkOptions options;
    options.path = dir / "{host}" / "cap-{pid}-{seq}.parquet";
    options.rotate_rows = 10;
    pf::Sink sink(options);
    auto producer = sink.producer();
    for (int i = 0; i < 25; ++i) ASSERT_TRUE(producer.try_record(std::to_string(i)));
    const auto stats = sink.close();
    EXPECT_EQ(stats.files, 3u);
    char host[256] = {};
    ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
    const std::string prefix = "cap-" + std::to_string(getpid()) + "-";
    const auto files = files_in(dir / host, dir / host);
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0], prefix + "000000.parquet");
    EXPECT_EQ(files[2], prefix + "000002.parquet");
}

// One dataset root written by two capture feeds at once, as Hive partitions (date, hour, feed),
// with recv_ts in micros: Spark reads the root as one table with default settings
// (spark_crosscheck, tests/readers/verify_spark.py), and so do pyarrow and DuckDB
// (sink_crosscheck). Three producers per feed and rotation by rows give several files in each
// partition.
TEST(SinkPattern, HivePartitionsFromTwoFeedsWithRecvTsInMicros) {
    const auto dir = fresh_dir("hive_micros");
    auto options_for = [&](const char* feed, pf::Compression compression) {
        pf::SinkOptions options;
        options.path = dir / "captures" / "date=%Y-%m-%d" / "hour=%H" / (std::string("feed=") + feed) /
                       "cap-{host}-{pid}-{seq}.parquet";
        options.row_group_rows = 400;
        options.rotate_rows = 1000;
        options.recv_ts = true;
        options.recv_ts_unit = pf::TimeUnit::Micros;
        options.producer_id = true;
        options.seq = true;
        options.compression = compression;
        return options;
    };
    pf::Sink itch(options_for("itch", pf::Compression::Zstd));
    pf::Sink opra(options_for("opra", pf::Compression::Snappy));
    // Distinct producer ids across the two feeds, so one spec checks both: opra's start at 3.
    { auto skip0 = opra.producer(), skip1 = opra.producer(), skip2 = opra.producer(); }
    constexpr std::uint64_t kPerProducer = 1500;
    std::map<std::uint32_t, Counts> counts;
    std::mutex m;
    std::vector<std::thread> threads;
    for (pf::Sink* sink : {&itch, &itch, &itch, &opra, &opra, &opra}) {
        threads.emplace_back([&, sink] {
            auto producer = sink->producer();
            Counts c;
            while (c.accepted < kPerProducer) {
                if (producer.try_record(payload_for(producer.id(), c.attempted++))) ++c.accepted;
                else std::this_thread::yield();
            }
            std::lock_guard lock(m);
            counts[producer.id()] = c;
        });
    }
    for (auto& t : threads) t.join();
    const auto si = itch.close();
    const auto so = opra.close();
    EXPECT_EQ(si.rows_written + so.rows_written, 6 * kPerProducer);
    EXPECT_EQ(si.files, 5u);
    EXPECT_EQ(so.files, 5u);
    ASSERT_EQ(counts.size(), 6u);
    const auto files = files_in(dir / "captures", dir);
    EXPECT_EQ(files.size(), si.files + so.files);
    for (const auto& f : files) {
        EXPECT_EQ(f.rfind("captures/date=", 0), 0u) << f;
        EXPECT_NE(f.find("/hour="), std::string::npos) << f;
        EXPECT_TRUE(f.find("/feed=itch/") != std::string::npos || f.find("/feed=opra/") != std::string::npos) << f;
    }
    write_spec(dir / "hive_micros.sink.json", files, "test", counts, {"payload", "recv_ts", "producer_id", "seq"}, {},
               "captures/*/*/*/*.parquet");
}

}  // namespace
