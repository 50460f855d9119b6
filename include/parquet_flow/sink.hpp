// parquet_flow — the non-blocking capture sink.
//
//   parquet_flow::SinkOptions options;
//   options.path = "capture/date=%Y-%m-%d/feed-%H%M%S-{seq}.parquet";
//   options.rotate_age = std::chrono::minutes(5);
//   parquet_flow::Sink sink(options);            // opens the first file, starts the worker
//   auto producer = sink.producer();             // one per thread
//   producer.try_record(std::span(bytes));       // hot path: copy and return, never blocks
//   sink.close();                                // drain, write footers; throws on failure
//
// Each producer owns a preallocated ring; try_record copies the record into it and returns at
// once — no lock, no allocation, no system call, no wake-up. When the ring is full, or the
// record is too long, or the sink is closed or failed, the record is dropped and counted
// (stats()). A worker thread drains all rings into row groups of `row_group_rows` records (or
// fewer, once the oldest waits `flush_interval`) and writes them with the Parquet writer.
// Files are written as `<name>.inprogress` and renamed to `<name>` when complete, so a
// directory of capture files only ever shows finished, valid Parquet files.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "parquet_flow/error.hpp"
#include "parquet_flow/types.hpp"

namespace parquet_flow {

struct SinkOptions {
    // The output file, or with rotation a pattern: {seq} is the file's sequence number (6 digits),
    // %Y %m %d %H %M %S the UTC time it was opened. Directories are created as needed, so
    // Hive-style partitions such as "date=%Y-%m-%d/" work. Rotation requires {seq}.
    std::filesystem::path path;

    // Bytes of each producer's ring (rounded up to a power of two); default 8 MiB.
    std::optional<std::size_t> ring_bytes{};
    // Longer records are dropped (counted as oversize); default 64 KiB (less if the ring is
    // small), at most about ring_bytes / 2.
    std::optional<std::size_t> max_record_bytes{};
    // Most producers at once; default 64.
    std::optional<std::size_t> max_producers{};
    // Records per row group; default 16,384.
    std::optional<std::size_t> row_group_rows{};
    // A partial row group is written once its oldest record waited this long, so data reaches
    // the file at low rates too; default 1 s; zero: only full row groups (and flush/close).
    std::optional<std::chrono::nanoseconds> flush_interval{};

    // Optional columns besides `payload` (BYTE_ARRAY):
    bool recv_ts = false;      // INT64 TIMESTAMP(NANOS, UTC), taken in try_record or given
    bool producer_id = false;  // INT32, the producer's id()
    bool seq = false;          // INT64, per-producer number of the attempt: drops leave gaps

    Compression compression = Compression::Uncompressed;
    std::optional<int> gzip_level{};
    std::optional<std::size_t> data_page_size{};

    // Rotate to a new file when the current one reaches any of these (each optional).
    std::optional<std::uint64_t> rotate_rows{};
    std::optional<std::uint64_t> rotate_bytes{};
    std::optional<std::chrono::nanoseconds> rotate_age{};

    // What survives a crash of the process: see Durability. With RowGroup or Sync a killed
    // process loses at most the row group being written (and what was still in the rings);
    // recover() makes its "<name>.inprogress" file readable.
    Durability durability = Durability::OnClose;
    // After an I/O error (disk full, directory removed, ...) a rotating sink (path with {seq})
    // retries on the next file after this pause, doubling it after each failed attempt up to
    // 10 s; default 100 ms. Without rotation an I/O error is final. Either way the worker keeps
    // running, try_record keeps returning at once (false, counted in dropped_failed) and
    // stats() and close() report the error.
    std::optional<std::chrono::nanoseconds> retry_backoff{};

    // Test hook: the worker sleeps this long before each row group, like a stalled disk.
    std::chrono::nanoseconds worker_delay_for_testing{0};
};

struct SinkStats {
    std::uint64_t attempted = 0;         // try_record calls
    std::uint64_t accepted = 0;          // records copied into a ring
    std::uint64_t dropped_full = 0;      // ring full
    std::uint64_t dropped_oversize = 0;  // longer than max_record_bytes
    std::uint64_t dropped_closed = 0;    // after close
    std::uint64_t dropped_failed = 0;    // after the worker failed (see Sink::close)
    std::uint64_t rows_written = 0;      // rows in row groups written so far
    std::uint64_t row_groups = 0;
    std::uint64_t files = 0;             // files opened
    std::uint64_t bytes_written = 0;
    std::uint64_t ring_high_water = 0;   // most bytes the worker found waiting in one ring
    std::uint64_t producers = 0;         // live producers (and rings not yet drained)
    // Rows a crash of the process would not lose: in finished files, or covered by the open
    // file's last footer checkpoint (durability RowGroup or Sync).
    std::uint64_t rows_durable = 0;
    std::uint64_t io_errors = 0;         // I/O errors met by the worker (latest: last_error())
    std::uint64_t retries = 0;           // times it resumed on a new file after one
    std::uint64_t files_failed = 0;      // files that could not be finished (rows -> rows_lost)
    // Accepted records in no finished file: discarded when the sink closed failed, or written to
    // a file that could not be finished. After close(): accepted == rows_written + rows_lost.
    std::uint64_t rows_lost = 0;

    std::uint64_t dropped() const noexcept {
        return dropped_full + dropped_oversize + dropped_closed + dropped_failed;
    }
};

class Sink {
public:
    // One producing thread's handle (move-only). Use each from one thread at a time; any number
    // of producers may record concurrently. It stays valid after the sink closes (records are
    // then dropped and counted).
    class Producer {
    public:
        Producer(Producer&&) noexcept;
        Producer& operator=(Producer&&) noexcept;
        ~Producer();

        // Copies the record and returns true, or drops it and returns false. Never blocks.
        bool try_record(std::span<const std::byte> payload) noexcept;
        // With the caller's receive timestamp in ns since the Unix epoch (used when recv_ts is on).
        bool try_record(std::span<const std::byte> payload, std::int64_t recv_ts_ns) noexcept;
        bool try_record(std::string_view payload) noexcept {
            return try_record(std::as_bytes(std::span(payload.data(), payload.size())));
        }
        // The bytes of a trivially copyable object, e.g. a packed market-data message struct.
        template <class T>
            requires(std::is_trivially_copyable_v<T> && !std::is_pointer_v<T> &&
                     !std::is_convertible_v<const T&, std::string_view> &&
                     !std::is_convertible_v<const T&, std::span<const std::byte>>)
        bool try_record(const T& message) noexcept {
            return try_record(std::as_bytes(std::span<const T, 1>(&message, 1)));
        }

        // The value this producer writes in the producer_id column.
        std::uint32_t id() const noexcept;

    private:
        friend class Sink;
        struct Impl;
        explicit Producer(std::unique_ptr<Impl>);
        std::unique_ptr<Impl> impl_;
    };

    // Validates the options, opens the first file and starts the worker; throws Error.
    explicit Sink(const SinkOptions& options);
    // Closes (drain, footer, join) if close() was not called, swallowing errors.
    ~Sink();
    Sink(Sink&&) noexcept;
    Sink& operator=(Sink&&) noexcept;
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;

    // A new producer with its own ring (allocated here, not on the hot path).
    Producer producer();
    // Blocks until every record accepted before the call is written to the file.
    void flush();
    // Stops accepting, drains every ring, writes the last row group and the footer, joins the
    // worker. Throws if the worker is failed at that point (a rotating sink first tries one more
    // new file) or the last write fails; the message names the file, the OS error and how many
    // accepted records were lost. A sink that resumed after an I/O error closes normally: check
    // stats().io_errors. A second call repeats the first call's outcome.
    // Stop your producer threads (or at least their try_record calls) before calling close():
    // a try_record racing with close() can see the sink still open and publish its record after
    // the final drain. Such a record returns true but is not written; it is not hidden either —
    // stats().accepted then exceeds rows_written + rows_lost by exactly those records.
    SinkStats close();
    SinkStats stats() const noexcept;
    // The worker's latest I/O error (kept after it resumed on a new file); empty if none.
    std::string last_error() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace parquet_flow
