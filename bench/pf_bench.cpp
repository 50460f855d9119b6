// pf_bench: throughput of the writer and of the sink, with the original parquet_flow benchmark's
// flags and output lines (rows_per_sec=, payload_mib_per_sec=, file_mib_per_sec=).
//
//   pf_bench [--mode writer|sink|typed|typed-writer|encodings|ceiling|dump] [--rows N] [--row-size BYTES] [--row-group-rows N]
//            [--repetition required|optional|repeated] [--null-every K]
//            [--compression uncompressed|snappy|gzip|zstd|lz4raw] [--gzip-level 0-9]
//            [--zstd-level -7..22] [--statistics none|chunk|page] [--encoding plain|dictionary]
//            [--compression-threads N] [--output PATH]
//            [--payload seed|market|mbo|itch] [--payload-file PATH] [--producers N] [--ring-bytes BYTES]
//            [--durability on-close|row-group|sync] [--rate RECORDS_PER_SEC] [--rotate-seconds S]
//            [--recv-ts] [--overflow drop|block]
//
// --statistics sets Writer/SinkOptions::statistics (default page) to measure its cost;
// --encoding the payload column's encoding (writer mode; default: the library's, a dictionary
// while it pays); --compression-threads Writer/SinkOptions::compression_threads (default: one
// per core, up to 4).
// --durability sets Writer/SinkOptions::durability (footer checkpoints, fsync) to measure its
// cost. Sink mode only: --rate paces the producers to that many records per second in total
// (0: as fast as they can), --overflow block makes a full ring wait instead of dropping (every
// record captured: the worker's end-to-end rate), and --rotate-seconds rotates files by age (--output then needs
// {seq}); tests/soak.sh uses both. --recv-ts adds the sink's recv_ts column (stamped in
// try_record: the CPU's counter where it can, converted by the worker).
// --payload-file reads the rows from a file written by --mode dump instead of generating them.
// Besides the original lines it prints cpu_seconds= (user + system, all threads, timed part only).
// Payloads (one BYTE_ARRAY column `payload`, one value per row):
//   seed    the original generator, byte for byte: a 64-bit LCG (state 0x9E3779B97F4A7C15,
//           state = state * 6364136223846793005 + 1 per byte), byte = (state >> 24) ^ i for the
//           i-th byte of the row. Incompressible.
//   market  rows of packed 32-byte order-book messages (type, side, instrument, quantity,
//           timestamp, order id, price) as a feed would carry them: timestamps and order ids
//           climb, prices random-walk per instrument, quantities are round lots — the redundancy
//           real captures have. The last message of a row is cut to fit --row-size.
// Writer mode times Writer::write_row_group_with_levels over prepared row groups and close();
// sink mode times --producers threads calling try_record for --rows records in total, through
// close() (everything drained and written): end-to-end throughput, with accepted and dropped;
// it cycles through a pool of at most 65,536 generated rows, so its memory does not grow with
// --rows. Every mode prints peak_rss_kib= (the process's high-water resident set).
// ceiling mode is the write ceiling probe: no Parquet at all, the payload copied into a 1 MiB
// buffer and written with write(2). dump mode writes the raw payload rows to --output, untimed,
// so other writers (bench/compare) can be fed exactly the same bytes.
// typed mode is sink mode with a typed table: 56-byte market-by-order records (bench/mbo.hpp,
// --payload mbo implied) captured through Producer::try_record(table, record) into one typed
// column per field; typed-writer writes the same records with Writer::write_records in row
// groups of --row-group-rows; encodings writes each field of those records alone in every
// encoding that fits it and prints the bytes per record of each (how the defaults were chosen).
// Typed modes generate min(--rows, 2^21) records and cycle through them. typed mode with
// --payload itch captures a synthetic ITCH 5.0 feed instead (examples/itch.hpp: add order,
// executed, cancel, delete and trade messages of 19 to 44 bytes, each into its own table).
// Nulls (optional) / empty lists (repeated) fall on every --null-every-th row (writer mode).
// A progress line goes to stderr every second.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "itch.hpp"
#include "mbo.hpp"
#include "parquet_flow/parquet_flow.hpp"

namespace pf = parquet_flow;

namespace {

struct Args {
    std::string mode = "writer";
    std::uint64_t rows = 1'000'000;
    std::size_t row_size = 256;
    std::size_t row_group_rows = 4096;
    pf::Repetition repetition = pf::Repetition::Required;
    std::uint64_t null_every = 0;
    pf::Compression compression = pf::Compression::Uncompressed;
    int gzip_level = -1;
    std::optional<int> zstd_level;
    pf::Statistics statistics = pf::Statistics::Page;
    std::optional<pf::Encoding> encoding;
    std::optional<unsigned> compression_threads;
    std::string output = "local_data/bench.parquet";
    std::string payload = "seed";
    std::string payload_file;
    unsigned producers = 1;
    std::size_t ring_bytes = 64 << 20;
    pf::Durability durability = pf::Durability::OnClose;
    double rate = 0;
    double rotate_seconds = 0;
    bool recv_ts = false;
    pf::Overflow overflow = pf::Overflow::Drop;
};

[[noreturn]] void usage(const std::string& problem) {
    std::fprintf(stderr,
                 "pf_bench: %s\n"
                 "usage: pf_bench [--mode writer|sink|typed|typed-writer|encodings|ceiling|dump] [--rows N] [--row-size BYTES] [--row-group-rows N]\n"
                 "                [--repetition required|optional|repeated] [--null-every K]\n"
                 "                [--compression uncompressed|snappy|gzip|zstd|lz4raw] [--gzip-level 0-9]\n"
                 "                [--zstd-level -7..22] [--statistics none|chunk|page] [--encoding plain|dictionary]\n"
                 "                [--compression-threads N] [--output PATH]\n"
                 "                [--payload seed|market|mbo|itch] [--payload-file PATH] [--producers N]\n"
                 "                [--ring-bytes BYTES] [--durability on-close|row-group|sync]\n"
                 "                [--rate RECORDS_PER_SEC] [--rotate-seconds S] [--recv-ts]\n"
                 "                [--overflow drop|block]\n",
                 problem.c_str());
    std::exit(2);
}

std::uint64_t number(const std::string& flag, const char* text) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (!*text || *end) usage("not a number for " + flag + ": " + text);
    return v;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") usage("help");
        if (flag == "--recv-ts") {
            a.recv_ts = true;
            continue;
        }
        if (i + 1 >= argc) usage("missing value for " + flag);
        const std::string v = argv[++i];
        if (flag == "--rows") a.rows = number(flag, v.c_str());
        else if (flag == "--row-size") a.row_size = number(flag, v.c_str());
        else if (flag == "--row-group-rows") a.row_group_rows = number(flag, v.c_str());
        else if (flag == "--null-every") a.null_every = number(flag, v.c_str());
        else if (flag == "--gzip-level") a.gzip_level = static_cast<int>(number(flag, v.c_str()));
        else if (flag == "--zstd-level") a.zstd_level = std::stoi(v);
        else if (flag == "--producers") a.producers = static_cast<unsigned>(number(flag, v.c_str()));
        else if (flag == "--ring-bytes") a.ring_bytes = number(flag, v.c_str());
        else if (flag == "--output") a.output = v;
        else if (flag == "--rate") a.rate = static_cast<double>(number(flag, v.c_str()));
        else if (flag == "--rotate-seconds") a.rotate_seconds = static_cast<double>(number(flag, v.c_str()));
        else if (flag == "--durability") {
            if (v == "on-close") a.durability = pf::Durability::OnClose;
            else if (v == "row-group") a.durability = pf::Durability::RowGroup;
            else if (v == "sync") a.durability = pf::Durability::Sync;
            else usage("unknown durability: " + v);
        }
        else if (flag == "--payload-file") a.payload_file = v;
        else if (flag == "--overflow") {
            if (v != "drop" && v != "block") usage("unknown overflow policy: " + v);
            a.overflow = v == "block" ? pf::Overflow::Block : pf::Overflow::Drop;
        }
        else if (flag == "--mode") {
            if (v != "writer" && v != "sink" && v != "typed" && v != "typed-writer" && v != "encodings" &&
                v != "ceiling" && v != "dump") {
                usage("unknown mode: " + v);
            }
            a.mode = v;
        }
        else if (flag == "--payload") a.payload = v == "seed" || v == "market" || v == "mbo" || v == "itch" ? v : (usage("unknown payload: " + v), v);
        else if (flag == "--repetition") {
            if (v == "required") a.repetition = pf::Repetition::Required;
            else if (v == "optional") a.repetition = pf::Repetition::Optional;
            else if (v == "repeated") a.repetition = pf::Repetition::Repeated;
            else usage("unknown repetition: " + v);
        } else if (flag == "--encoding") {
            if (v == "plain") a.encoding = pf::Encoding::Plain;
            else if (v == "dictionary") a.encoding = pf::Encoding::RleDictionary;
            else usage("unknown encoding: " + v);
        } else if (flag == "--compression-threads") {
            a.compression_threads = static_cast<unsigned>(number(flag, v.c_str()));
        } else if (flag == "--statistics") {
            if (v == "none") a.statistics = pf::Statistics::None;
            else if (v == "chunk") a.statistics = pf::Statistics::Chunk;
            else if (v == "page") a.statistics = pf::Statistics::Page;
            else usage("unknown statistics level: " + v);
        } else if (flag == "--compression") {
            if (v == "uncompressed") a.compression = pf::Compression::Uncompressed;
            else if (v == "snappy") a.compression = pf::Compression::Snappy;
            else if (v == "gzip") a.compression = pf::Compression::Gzip;
            else if (v == "zstd") a.compression = pf::Compression::Zstd;
            else if (v == "lz4raw") a.compression = pf::Compression::Lz4Raw;
            else usage("unknown compression: " + v);
        } else {
            usage("unknown flag " + flag);
        }
    }
    const bool typed_mode = a.mode == "typed" || a.mode == "typed-writer" || a.mode == "encodings";
    if (a.payload == "itch" && a.mode != "typed") usage("--payload itch is for --mode typed");
    if (typed_mode && a.payload != "itch") a.payload = "mbo";
    if (a.payload == "mbo") a.row_size = sizeof(pfbench::MboRecord);
    if (a.payload == "itch") a.row_size = sizeof(itch::Trade);  // the longest message
    if (a.row_group_rows == 0) usage("--row-group-rows must be positive");
    if (a.producers == 0) usage("--producers must be positive");
    if (a.row_size > 0xFFFF'FFFFull / a.row_group_rows) usage("--row-size x --row-group-rows must stay under 4 GiB");
    return a;
}

// Fills `rows` rows of `row_size` bytes with the chosen payload generator.
std::vector<std::byte> generate(const Args& a) {
    const std::uint64_t rows = a.mode == "sink"      ? std::min<std::uint64_t>(a.rows, 65536)
                               : a.payload == "mbo" && a.mode != "dump" ? std::min<std::uint64_t>(a.rows, 1 << 21)
                                                     : a.rows;
    if (a.payload == "itch") return {};  // generated with its tables (run_typed)
    std::vector<std::byte> out(rows * a.row_size);
    if (!a.payload_file.empty()) {
        std::FILE* f = std::fopen(a.payload_file.c_str(), "rb");
        if (!f || std::fread(out.data(), 1, out.size(), f) != out.size()) usage("cannot read " + a.payload_file);
        std::fclose(f);
        return out;
    }
    if (a.payload == "mbo") {
        pfbench::MboGenerator generator;
        for (std::uint64_t r = 0; r < rows; ++r) {
            const pfbench::MboRecord m = generator.next();
            std::memcpy(out.data() + r * a.row_size, &m, sizeof m);
        }
        return out;
    }
    if (a.payload == "seed") {
        std::uint64_t state = 0x9E3779B97F4A7C15ull;
        for (std::uint64_t r = 0; r < rows; ++r) {
            std::byte* row = out.data() + r * a.row_size;
            for (std::size_t i = 0; i < a.row_size; ++i) {
                state = state * 6364136223846793005ull + 1;
                row[i] = static_cast<std::byte>((state >> 24) ^ i);
            }
        }
        return out;
    }
#pragma pack(push, 1)
    struct Message {
        char type;
        char side;
        std::uint16_t instrument;
        std::uint32_t quantity;
        std::uint64_t timestamp_ns;
        std::uint64_t order_id;
        std::int64_t price;
    };
#pragma pack(pop)
    static_assert(sizeof(Message) == 32);
    std::vector<std::int64_t> prices(512);
    for (std::size_t i = 0; i < prices.size(); ++i) prices[i] = 100'0000 + static_cast<std::int64_t>(i) * 1'2500;
    std::uint64_t state = 0x9E3779B97F4A7C15ull, ts = 1'700'000'000'000'000'000ull, order = 1;
    auto next = [&] {
        state = state * 6364136223846793005ull + 1;
        return state >> 33;
    };
    std::size_t at = 0;
    Message m{};
    while (at < out.size()) {
        const auto r = next();
        m.type = "AAAEDX"[r % 6];
        m.side = (r >> 3) & 1 ? 'B' : 'S';
        m.instrument = static_cast<std::uint16_t>((r >> 4) % prices.size());
        m.quantity = static_cast<std::uint32_t>(100 * (1 + (r >> 13) % 20));
        ts += 50 + (r >> 20) % 2000;
        m.timestamp_ns = ts;
        m.order_id = order++;
        prices[m.instrument] += static_cast<std::int64_t>((r >> 25) % 3) - 1;
        m.price = prices[m.instrument];
        // Rows hold whole messages; the last one in a row is cut to fit.
        const std::size_t row_left = a.row_size - (at % a.row_size);
        const std::size_t n = std::min(sizeof(Message), row_left);
        std::memcpy(out.data() + at, &m, n);
        at += n;
    }
    return out;
}

// Prints rows done to stderr about once a second.
struct Progress {
    std::atomic<std::uint64_t>& done;
    std::uint64_t total;
    std::atomic<bool> stop{false};
    std::thread thread;
    Progress(std::atomic<std::uint64_t>& d, std::uint64_t t) : done(d), total(t) {
        thread = std::thread([this] {
            auto last = std::chrono::steady_clock::now();
            while (!stop.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (std::chrono::steady_clock::now() - last >= std::chrono::seconds(1)) {
                    last = std::chrono::steady_clock::now();
                    std::fprintf(stderr, "pf_bench: %llu / %llu rows\n", static_cast<unsigned long long>(done.load()),
                                 static_cast<unsigned long long>(total));
                }
            }
        });
    }
    ~Progress() {
        stop = true;
        thread.join();
    }
};

// Wall and process CPU time (all threads) of the timed part.
struct Timer {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
    void stop(double& seconds, double& cpu_seconds) const {
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
        cpu_seconds = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
    }
};

struct Result {
    double seconds = 0;
    double cpu_seconds = 0;
    std::uint64_t rows = 0, row_groups = 0, payload_bytes = 0, file_bytes = 0;
};

// One prepared row group: present values packed, levels, offsets.
struct Group {
    std::size_t rows = 0;
    std::vector<std::byte> values;
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint8_t> def, rep;
};

// The writer settings the flags give (writer, typed-writer and encodings modes).
pf::WriterOptions writer_options(const Args& a) {
    pf::WriterOptions options;
    options.compression = a.compression;
    options.durability = a.durability;
    options.statistics = a.statistics;
    options.compression_threads = a.compression_threads;
    if (a.gzip_level >= 0) options.gzip_level = a.gzip_level;
    options.zstd_level = a.zstd_level;
    return options;
}

// The sink settings the flags give (sink and typed modes); the path and tables are the mode's.
void apply_sink_flags(const Args& a, pf::SinkOptions& options) {
    options.row_group_rows = a.row_group_rows;
    options.ring_bytes = a.ring_bytes;
    options.compression = a.compression;
    options.durability = a.durability;
    if (a.rotate_seconds > 0) options.rotate_age = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::duration<double>(a.rotate_seconds));
    if (a.gzip_level >= 0) options.gzip_level = a.gzip_level;
    options.zstd_level = a.zstd_level;
    options.compression_threads = a.compression_threads;
    options.statistics = a.statistics;
    options.recv_ts = a.recv_ts;
    options.overflow = a.overflow;
}

// Runs --producers threads through --rows records in total, each calling record(producer, r)
// for its share of r (paced by --rate), then closes the sink; times from the start signal to
// close() returning. Fills everything of the result but payload_bytes.
template <class Record>
Result drive_sink(const Args& a, pf::Sink& sink, std::atomic<std::uint64_t>& done, pf::SinkStats& stats,
                  Record record) {
    std::vector<pf::Sink::Producer> producers;
    for (unsigned p = 0; p < a.producers; ++p) producers.push_back(sink.producer());
    Result result;
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (unsigned p = 0; p < a.producers; ++p) {
        threads.emplace_back([&, p] {
            auto& producer = producers[p];
            while (!go.load()) std::this_thread::yield();
            // Paced: this producer's n-th record is due at start + n / (rate / producers).
            const double per_producer = a.rate / a.producers;
            const auto start = std::chrono::steady_clock::now();
            std::uint64_t n = 0;
            for (std::uint64_t r = p; r < a.rows; r += a.producers, ++n) {
                if (per_producer > 0 && n % 64 == 0) {
                    std::this_thread::sleep_until(start + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                              std::chrono::duration<double>(n / per_producer)));
                }
                record(producer, r);
                if ((r / a.producers) % 4096 == 0) done += 4096;
            }
        });
    }
    const Timer timer;
    go = true;
    for (auto& t : threads) t.join();
    stats = sink.close();
    timer.stop(result.seconds, result.cpu_seconds);
    result.rows = stats.rows_written;
    result.row_groups = stats.row_groups;
    result.file_bytes = stats.bytes_written;
    return result;
}

Result run_writer(const Args& a, const std::vector<std::byte>& payload, std::atomic<std::uint64_t>& done) {
    std::vector<Group> groups;
    for (std::uint64_t first = 0; first < a.rows; first += a.row_group_rows) {
        Group g;
        g.rows = static_cast<std::size_t>(std::min<std::uint64_t>(a.row_group_rows, a.rows - first));
        g.offsets.push_back(0);
        for (std::uint64_t r = first; r < first + g.rows; ++r) {
            const bool null = a.repetition != pf::Repetition::Required && a.null_every > 0 && r % a.null_every == 0;
            if (a.repetition != pf::Repetition::Required) g.def.push_back(null ? 0 : 1);
            if (a.repetition == pf::Repetition::Repeated) g.rep.push_back(0);
            if (null) continue;
            const std::byte* row = payload.data() + r * a.row_size;
            g.values.insert(g.values.end(), row, row + a.row_size);
            g.offsets.push_back(static_cast<std::uint32_t>(g.values.size()));
        }
        groups.push_back(std::move(g));
    }
    pf::Schema schema;
    pf::Column column{"payload", pf::PhysicalType::ByteArray, a.repetition, 0, {}, {}};
    column.encoding = a.encoding;
    schema.add(column);

    Result result;
    const Timer timer;
    pf::Writer writer(a.output, schema, writer_options(a));
    for (const Group& g : groups) {
        auto column = pf::ColumnData::byte_array(g.values, g.offsets);
        if (a.repetition == pf::Repetition::Optional) column.with_levels(g.def);
        if (a.repetition == pf::Repetition::Repeated) column.with_levels(g.def, g.rep);
        writer.write_row_group_with_levels(g.rows, {column});
        result.payload_bytes += g.values.size();
        done += g.rows;
    }
    const pf::WriterTotals totals = writer.close();
    timer.stop(result.seconds, result.cpu_seconds);
    result.rows = totals.rows;
    result.row_groups = totals.row_groups;
    result.file_bytes = totals.bytes;
    return result;
}

Result run_sink(const Args& a, const std::vector<std::byte>& payload, std::atomic<std::uint64_t>& done,
                pf::SinkStats& stats) {
    pf::SinkOptions options;
    options.path = a.output;
    // The benchmark owns its output: a sink never overwrites a file, so remove the last run's.
    std::filesystem::remove(options.path);
    std::filesystem::remove(a.output + ".inprogress");
    apply_sink_flags(a, options);
    options.max_record_bytes = std::min<std::size_t>(a.row_size, a.ring_bytes / 4);
    pf::Sink sink(options);
    const std::uint64_t pool = payload.size() / a.row_size;
    Result result = drive_sink(a, sink, done, stats, [&](pf::Sink::Producer& producer, std::uint64_t r) {
        producer.try_record(std::span(payload.data() + (r % pool) * a.row_size, a.row_size));
    });
    result.payload_bytes = stats.rows_written * a.row_size;
    return result;
}

// The records of a typed run, cycled.
std::span<const pfbench::MboRecord> mbo_records(const std::vector<std::byte>& payload) {
    return {reinterpret_cast<const pfbench::MboRecord*>(payload.data()), payload.size() / sizeof(pfbench::MboRecord)};
}

// One generated ITCH message: its table and bytes.
struct ItchMessage {
    std::uint32_t table;
    std::uint32_t length;
    std::byte bytes[sizeof(itch::Trade)];
};

Result run_typed(const Args& a, const std::vector<std::byte>& payload, std::atomic<std::uint64_t>& done,
                 pf::SinkStats& stats) {
    pf::SinkOptions options;
    const bool itch_feed = a.payload == "itch";
    // ITCH: one file series per table. --output is a directory, or a pattern (with {seq}: its file
    // names get "{table}-" in front).
    const std::filesystem::path out(a.output);
    options.path = !itch_feed || a.output.find("{table}") != std::string::npos ? out
                   : a.output.find("{seq}") != std::string::npos
                       ? out.parent_path() / ("{table}-" + out.filename().string())
                       : out / "{table}.parquet";
    std::vector<ItchMessage> messages;
    std::uint64_t message_bytes = 0;
    pf::Table<pfbench::MboRecord> table = pfbench::mbo_table();
    if (itch_feed) {
        for (const char* name : {"add_order", "order_executed", "order_cancel", "order_delete", "trade"}) {
            std::filesystem::remove(a.output + "/" + name + ".parquet");
        }
        const itch::Tables tables(options);
        itch::Feed feed(tables, 0);
        messages.resize(std::min<std::uint64_t>(a.rows, 1 << 21));
        for (ItchMessage& m : messages) {
            feed.next([&](const auto& t, const auto& message) {
                m.table = t.index();
                m.length = sizeof message;
                std::memcpy(m.bytes, &message, sizeof message);
            });
        }
        for (std::uint64_t r = 0; r < a.rows; ++r) message_bytes += messages[r % messages.size()].length;
    } else {
        std::filesystem::remove(options.path);
        std::filesystem::remove(a.output + ".inprogress");
        table = options.add_table(pfbench::mbo_table());
    }
    apply_sink_flags(a, options);
    pf::Sink sink(options);
    const auto records = mbo_records(payload);
    Result result = drive_sink(a, sink, done, stats, [&](pf::Sink::Producer& producer, std::uint64_t r) {
        if (itch_feed) {
            const ItchMessage& m = messages[r % messages.size()];
            producer.try_record_table(m.table, std::span<const std::byte>(m.bytes, m.length));
        } else {
            producer.try_record(table, records[r % records.size()]);
        }
    });
    result.payload_bytes = itch_feed ? message_bytes : stats.rows_written * a.row_size;
    return result;
}

Result run_typed_writer(const Args& a, const std::vector<std::byte>& payload, std::atomic<std::uint64_t>& done) {
    const auto records = mbo_records(payload);
    Result result;
    const Timer timer;
    pf::Writer writer(a.output, pfbench::mbo_table(), writer_options(a));
    for (std::uint64_t first = 0; first < a.rows; first += a.row_group_rows) {
        const std::uint64_t n = std::min<std::uint64_t>(a.row_group_rows, a.rows - first);
        const std::uint64_t at = first % records.size();
        writer.write_records(records.subspan(at, std::min<std::uint64_t>(n, records.size() - at)));
        done += n;
    }
    const pf::WriterTotals totals = writer.close();
    timer.stop(result.seconds, result.cpu_seconds);
    result.rows = totals.rows;
    result.row_groups = totals.row_groups;
    result.payload_bytes = totals.rows * a.row_size;
    result.file_bytes = totals.bytes;
    return result;
}

// Each field alone, in every encoding that fits it: bytes per record of the file.
void run_encodings(const Args& a, const std::vector<std::byte>& payload) {
    const pf::TableLayout mbo = pfbench::mbo_table().layout();
    const auto records = mbo_records(payload);
    const auto bytes = std::as_bytes(records);
    const std::size_t rows = records.size();
    const pf::Encoding all[] = {pf::Encoding::Plain, pf::Encoding::RleDictionary, pf::Encoding::DeltaBinaryPacked,
                                pf::Encoding::DeltaLengthByteArray, pf::Encoding::DeltaByteArray,
                                pf::Encoding::ByteStreamSplit};
    const char* names[] = {"PLAIN", "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY",
                           "DELTA_BYTE_ARRAY", "BYTE_STREAM_SPLIT"};
    std::printf("field default");
    for (const char* n : names) std::printf(" %s", n);
    std::printf("   (bytes per record, %zu records, row groups of %zu)\n", rows, a.row_group_rows);
    for (const pf::Field& field : mbo.fields) {
        std::printf("%s", field.name.c_str());
        for (int e = -1; e < static_cast<int>(std::size(all)); ++e) {
            pf::TableLayout one{"one", {field}, mbo.record_bytes, nullptr};
            if (e >= 0) one.fields[0].encoding = all[e];
            try {
                pf::Writer writer(a.output, one, writer_options(a));
                for (std::size_t first = 0; first < rows; first += a.row_group_rows) {
                    const std::size_t n = std::min(a.row_group_rows, rows - first);
                    writer.write_raw_records(bytes.subspan(first * sizeof(pfbench::MboRecord), n * sizeof(pfbench::MboRecord)));
                }
                const auto totals = writer.close();
                std::printf(" %.3f", static_cast<double>(totals.bytes) / static_cast<double>(rows));
            } catch (const pf::Error&) {
                std::printf(" -");  // the encoding does not fit the field's column type
            }
            std::filesystem::remove(a.output);
        }
        std::printf("\n");
    }
}

Result run_ceiling(const Args& a, const std::vector<std::byte>& payload, std::atomic<std::uint64_t>& done) {
    Result result;
    std::vector<std::byte> buffer(1 << 20);
    const Timer timer;
    std::FILE* f = std::fopen(a.output.c_str(), "wb");
    if (!f) throw pf::Error(pf::ErrorCode::Internal, "cannot create " + a.output);
    std::setvbuf(f, nullptr, _IONBF, 0);  // our own 1 MiB buffer, one write(2) each
    for (std::size_t at = 0; at < payload.size(); at += buffer.size()) {
        const std::size_t n = std::min(buffer.size(), payload.size() - at);
        std::memcpy(buffer.data(), payload.data() + at, n);
        if (std::fwrite(buffer.data(), 1, n, f) != n) throw pf::Error(pf::ErrorCode::Internal, "write failed");
        done = at / a.row_size;
    }
    if (std::fclose(f) != 0) throw pf::Error(pf::ErrorCode::Internal, "close failed");
    timer.stop(result.seconds, result.cpu_seconds);
    result.rows = a.rows;
    result.payload_bytes = result.file_bytes = payload.size();
    return result;
}

// VmHWM from /proc/self/status: the most resident memory the process has had.
long peak_rss_kib() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmHWM:", 6) == 0) kib = std::strtol(line + 6, nullptr, 10);
    }
    std::fclose(f);
    return kib;
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    const std::filesystem::path path = args.output;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    const std::vector<std::byte> payload = generate(args);
    if (args.mode == "dump") {
        std::FILE* f = std::fopen(args.output.c_str(), "wb");
        if (!f || std::fwrite(payload.data(), 1, payload.size(), f) != payload.size() || std::fclose(f) != 0) {
            std::fprintf(stderr, "pf_bench: cannot write %s\n", args.output.c_str());
            return 1;
        }
        return 0;
    }

    std::atomic<std::uint64_t> done{0};
    Result r;
    pf::SinkStats stats;
    try {
        Progress progress(done, args.rows);
        if (args.mode == "encodings") {
            run_encodings(args, payload);
            return 0;
        }
        if (args.mode == "writer") r = run_writer(args, payload, done);
        else if (args.mode == "sink") r = run_sink(args, payload, done, stats);
        else if (args.mode == "typed") r = run_typed(args, payload, done, stats);
        else if (args.mode == "typed-writer") r = run_typed_writer(args, payload, done);
        else r = run_ceiling(args, payload, done);
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "pf_bench: %s\n", e.what());
        return 1;
    }
    const double mib = 1024.0 * 1024.0;
    std::printf("mode=%s payload=%s rows=%llu row_groups=%llu payload_bytes=%llu file_bytes=%llu seconds=%.6f\n",
                args.mode.c_str(), args.payload.c_str(), static_cast<unsigned long long>(r.rows),
                static_cast<unsigned long long>(r.row_groups), static_cast<unsigned long long>(r.payload_bytes),
                static_cast<unsigned long long>(r.file_bytes), r.seconds);
    if (args.mode == "sink" || args.mode == "typed") {
        std::printf("producers=%u attempted=%llu accepted=%llu dropped=%llu dropped_full=%llu ring_high_water=%llu\n",
                    args.producers, static_cast<unsigned long long>(stats.attempted),
                    static_cast<unsigned long long>(stats.accepted), static_cast<unsigned long long>(stats.dropped()),
                    static_cast<unsigned long long>(stats.dropped_full),
                    static_cast<unsigned long long>(stats.ring_high_water));
        std::printf("files=%llu io_errors=%llu rows_lost=%llu\n", static_cast<unsigned long long>(stats.files),
                    static_cast<unsigned long long>(stats.io_errors),
                    static_cast<unsigned long long>(stats.rows_lost));
    }
    std::printf("rows_per_sec=%.2f\n", static_cast<double>(r.rows) / r.seconds);
    std::printf("file_bytes_per_row=%.3f\n", static_cast<double>(r.file_bytes) / static_cast<double>(r.rows ? r.rows : 1));
    std::printf("payload_mib_per_sec=%.2f\n", static_cast<double>(r.payload_bytes) / mib / r.seconds);
    std::printf("file_mib_per_sec=%.2f\n", static_cast<double>(r.file_bytes) / mib / r.seconds);
    std::printf("cpu_seconds=%.6f\n", r.cpu_seconds);
    std::printf("peak_rss_kib=%ld\n", peak_rss_kib());
    std::printf("output=%s\n", path.c_str());
    return 0;
}
