// parquet_flow — the non-blocking capture sink.
//
//   parquet_flow::SinkOptions options;
//   options.path = "capture/date=%Y-%m-%d/feed-%H%M%S-{seq}.parquet";
//   options.rotate_age = std::chrono::minutes(5);
//   parquet_flow::Sink sink(options);            // opens the first file, starts the worker
//   auto producer = sink.producer();             // one per thread
//   producer.try_record(bytes);                  // hot path: copy and return, never blocks
//   producer.try_record(message);                // a trivially copyable struct: its sizeof bytes
//   producer.try_record(trades, trade);          // a typed table's record (table.hpp): columns
//   sink.close();                                // drain, write footers; throws on failure
//
// `bytes` is any contiguous range of 1-byte elements (std::span, std::vector, std::array,
// std::string, std::string_view of char, std::uint8_t, std::byte, ...): exactly its elements are
// recorded. A C array records all its elements, except that a `const char[N]` (a string literal's
// type) drops one trailing '\0': try_record("abc") records 3 bytes. Pointers and ranges of wider
// elements do not compile. The details are at Sink::Producer::try_record.
//
// Each producer owns a preallocated ring; try_record copies the record into it and returns at
// once — no lock, no allocation, no system call, no wake-up. When the ring is full, or the
// record is too long, or the sink is closed or failed, the record is dropped and counted
// (stats()) — unless SinkOptions::overflow is Overflow::Block, which makes a call that finds
// its ring full wait for room (replays). A worker thread drains all rings into row groups of `row_group_rows` records (or
// fewer, once the oldest waits `flush_interval`) and writes them with the Parquet writer.
// Files are written as `<name>.inprogress` and renamed to `<name>` when complete, so a
// directory of capture files only ever shows finished, valid Parquet files.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "parquet_flow/error.hpp"
#include "parquet_flow/table.hpp"
#include "parquet_flow/types.hpp"

namespace parquet_flow {

struct SinkOptions {
    // The output file, or with rotation a pattern: {seq} is the file's sequence number (6 digits,
    // more when needed), %Y %m %d %H %M %S the UTC time it was opened, {host} the host name and
    // {pid} the process id (a restart with a new pid still continues {seq}). Directories are created
    // as needed, so Hive-style partitions such as "date=%Y-%m-%d/" work. Rotation requires {seq}.
    // The sink never overwrites a file: {seq} continues after the highest number already on
    // disk for the pattern, so a restarted program adds to its earlier capture; a fixed path
    // (no {seq}) that already exists is refused. Two sinks on one pattern, in one process or
    // two, take distinct names.
    std::filesystem::path path;
    // Typed tables (see table.hpp): each record of a table is a struct the worker writes as
    // typed columns, one per field, to the table's own files; {table} in `path` is the table's
    // name (required with more than one table, e.g. "capture/{table}/part-{seq}.parquet").
    // Empty (the default): every record is an opaque `payload` BYTE_ARRAY value.
    std::vector<TableLayout> tables{};
    // Adds a table and returns it with its index set, for Producer::try_record(table, record).
    template <class T>
    Table<T> add_table(Table<T> table) {
        table.index_ = static_cast<std::uint32_t>(tables.size());
        tables.push_back(table.layout());
        return table;
    }
    // At start, recover the pattern's ".inprogress" files that no live sink is writing (left by
    // a crash): each is cut back to its last footer checkpoint and renamed to its final name
    // (stats: files_recovered, rows_recovered). One without a checkpoint (durability OnClose)
    // is left untouched and reported (files_unrecoverable, last_error()). Default on.
    bool recover_at_start = true;

    // Bytes of each producer's ring (rounded up to a power of two); default 8 MiB.
    std::optional<std::size_t> ring_bytes{};
    // Longer records are dropped (counted as oversize); default 64 KiB (less if the ring is
    // small), at most about ring_bytes / 2.
    std::optional<std::size_t> max_record_bytes{};
    // Most producers at once; default 64.
    std::optional<std::size_t> max_producers{};
    // Records per row group; default 16,384, or 131,072 in a sink with tables (typed columns
    // are narrow: larger row groups compress better; docs/BENCHMARKS.md). Each table holds up
    // to this many records (times record_bytes) in memory before writing them.
    std::optional<std::size_t> row_group_rows{};
    // A partial row group is written once its oldest record waited this long, so data reaches
    // the file at low rates too; default 1 s; zero: only full row groups (and flush/close).
    std::optional<std::chrono::nanoseconds> flush_interval{};

    // Optional columns after `payload` (BYTE_ARRAY) or a table's fields:
    bool recv_ts = false;      // INT64 TIMESTAMP(recv_ts_unit, UTC), taken in try_record or given
    // The recv_ts column's unit. Nanos (the default) keeps full precision and is read by DuckDB
    // and pyarrow; Spark (3.x and 4.x, default settings) refuses TIMESTAMP(NANOS) and reads
    // Micros and Millis. Values are truncated toward the past (floor) to the unit.
    TimeUnit recv_ts_unit = TimeUnit::Nanos;
    // Where try_record takes recv_ts from: the CPU's counter where it can (Auto) or always the
    // system clock. See ClockSource.
    ClockSource recv_ts_clock = ClockSource::Auto;
    bool producer_id = false;  // INT32, the producer's id()
    bool seq = false;          // INT64, per-producer number of the attempt: drops leave gaps

    // A full ring: drop the record (the default: try_record never waits) or wait for room
    // (Overflow::Block: lossless replays). See Overflow.
    Overflow overflow = Overflow::Drop;

    Compression compression = Compression::Uncompressed;
    std::optional<int> gzip_level{};
    std::optional<int> zstd_level{};  // -7..22; unset: 1
    std::optional<std::size_t> data_page_size{};
    // Threads compressing the worker's pages (see WriterOptions::compression_threads); unset:
    // one per core, up to 4. 1 keeps compression on the worker thread alone.
    std::optional<unsigned> compression_threads{};
    // Statistics of the sink's columns (see Statistics). Page (the default) lets engines skip
    // row groups and pages by recv_ts or seq; on opaque payloads it costs about 7-9 % of
    // uncompressed write speed (docs/BENCHMARKS.md), None saves that.
    Statistics statistics = Statistics::Page;

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
    std::uint64_t dropped_closed = 0;    // after close, or through a moved-from Producer
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
    // Abandoned ".inprogress" files of the pattern recovered at start, and their rows; and
    // those that had no intact checkpoint and were left as they were (see recover_at_start).
    std::uint64_t files_recovered = 0;
    std::uint64_t rows_recovered = 0;
    std::uint64_t files_unrecoverable = 0;
    // Overflow::Block: try_record calls that waited for room, and the nanoseconds they waited.
    std::uint64_t blocked = 0;
    std::uint64_t blocked_ns = 0;
    // Sinks with tables: records for an unknown table index or not of the table's length.
    std::uint64_t dropped_invalid = 0;

    std::uint64_t dropped() const noexcept {
        return dropped_full + dropped_oversize + dropped_closed + dropped_failed + dropped_invalid;
    }
};

namespace detail {

// What try_record accepts, and the bytes each form records (see Sink::Producer::try_record).
// record_bytes() is the one place that turns a payload into bytes; every try_record template
// forwards its result to the out-of-line try_record(std::span<const std::byte>[, recv_ts_ns]).
// P is the forwarding-reference type of the argument (so an array's const-ness is kept).

// A 1-byte element whose value is its byte: char, signed char, unsigned char, char8_t (so also
// std::int8_t and std::uint8_t) and std::byte, const or not. Not bool, not volatile.
template <class E>
concept byte_element =
    !std::is_volatile_v<E> &&
    ((std::is_integral_v<std::remove_const_t<E>> && sizeof(E) == 1 &&
      !std::is_same_v<std::remove_const_t<E>, bool>) ||
     std::is_same_v<std::remove_const_t<E>, std::byte>);

template <class P>
using payload_t = std::remove_reference_t<P>;  // the argument's type, const kept

template <class P>
concept any_range = std::ranges::range<payload_t<P>&>;

// A contiguous sized range of byte_element: recorded as exactly its elements, data()..size().
template <class P>
concept byte_range =
    std::ranges::contiguous_range<payload_t<P>&> && std::ranges::sized_range<payload_t<P>&> &&
    byte_element<std::remove_reference_t<std::ranges::range_reference_t<payload_t<P>&>>>;

// const char[N] and const char8_t[N]: the types of string literals ("abc", u8"abc").
template <class P>
concept string_literal_type =
    std::is_array_v<payload_t<P>> && std::rank_v<payload_t<P>> == 1 && std::extent_v<payload_t<P>> > 0 &&
    (std::is_same_v<std::remove_extent_t<payload_t<P>>, const char> ||
     std::is_same_v<std::remove_extent_t<payload_t<P>>, const char8_t>);

// Non-range class types that convert implicitly to a byte span or a string_view (a user's string
// or buffer class): recorded as what they convert to, never as their own object bytes.
template <class P>
concept converts_to_byte_span = std::is_class_v<payload_t<P>> && !any_range<P> &&
                                std::is_convertible_v<payload_t<P>&, std::span<const std::byte>>;
template <class P>
concept converts_to_string_view = std::is_class_v<payload_t<P>> && !any_range<P> && !converts_to_byte_span<P> &&
                                  std::is_convertible_v<payload_t<P>&, std::string_view>;

// Has data() and size() like a buffer view, but is no range and converts to neither of the above:
// its object bytes would be a pointer and a length, so it is rejected (see below).
template <class P>
concept buffer_like_non_range = std::is_class_v<payload_t<P>> && !any_range<P> && !converts_to_byte_span<P> &&
                                !converts_to_string_view<P> && requires(const payload_t<P>& p) {
                                    p.data();
                                    p.size();
                                };

// Pointers (const char* included), iterators, nullptr and member pointers: no length to record.
template <class P>
concept pointer_like = std::is_pointer_v<std::remove_cv_t<payload_t<P>>> ||
                       std::is_null_pointer_v<std::remove_cv_t<payload_t<P>>> ||
                       std::is_member_pointer_v<std::remove_cv_t<payload_t<P>>> ||
                       (std::input_or_output_iterator<std::remove_cv_t<payload_t<P>>> && !any_range<P>);

// A trivially copyable object recorded as its object representation (sizeof(T) bytes at &obj):
// never a range (whatever its const-ness), array, pointer, buffer view or convertible type.
template <class P>
concept trivially_copyable_object =
    std::is_object_v<payload_t<P>> && std::is_trivially_copyable_v<payload_t<P>> &&
    !std::is_volatile_v<payload_t<P>> && !std::is_array_v<payload_t<P>> && !pointer_like<P> &&
    !std::ranges::range<std::remove_cv_t<payload_t<P>>&> && !std::ranges::range<const payload_t<P>&> &&
    !converts_to_byte_span<P> && !converts_to_string_view<P> && !buffer_like_non_range<P>;

template <class P>
concept recordable = byte_range<P> || converts_to_byte_span<P> || converts_to_string_view<P> ||
                     trivially_copyable_object<P>;

// Rejected with a deleted overload (the compiler names it and shows its declaration line):
template <class P>
concept range_of_non_byte_elements = any_range<P> && !byte_range<P>;

// The bytes try_record(payload) records; the span points into `payload` (nothing is copied).
template <class P>
    requires recordable<P>
std::span<const std::byte> record_bytes(P&& payload) noexcept {
    using T = payload_t<P>;
    if constexpr (string_literal_type<P>) {
        // A string literal's terminating NUL is not part of the record: drop one trailing '\0'.
        constexpr std::size_t n = std::extent_v<T>;
        const std::size_t size = payload[n - 1] == 0 ? n - 1 : n;
        return std::as_bytes(std::span<std::remove_extent_t<T>>(&payload[0], size));
    } else if constexpr (byte_range<P>) {
        using E = std::remove_reference_t<std::ranges::range_reference_t<T&>>;
        return std::as_bytes(std::span<const E>(std::ranges::data(payload),
                                                static_cast<std::size_t>(std::ranges::size(payload))));
    } else if constexpr (converts_to_byte_span<P>) {
        return std::span<const std::byte>(payload);
    } else if constexpr (converts_to_string_view<P>) {
        const std::string_view view = payload;
        return std::as_bytes(std::span<const char>(view.data(), view.size()));
    } else {
        return std::as_bytes(std::span<T, 1>(std::addressof(payload), 1));
    }
}

}  // namespace detail

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
        // These two are the entry point: every form below computes its bytes with
        // detail::record_bytes() and calls one of them.
        bool try_record(std::span<const std::byte> payload) noexcept;
        // With the caller's receive timestamp in ns since the Unix epoch (used when recv_ts is on).
        bool try_record(std::span<const std::byte> payload, std::int64_t recv_ts_ns) noexcept;

        // What each payload records (each form also takes a recv_ts_ns second argument):
        //
        //  - A contiguous sized range of 1-byte elements — element type char, signed char,
        //    unsigned char, char8_t, std::int8_t, std::uint8_t or std::byte, const or not — records
        //    exactly its elements, data() to data() + size(), embedded NULs included:
        //    std::span (any extent), std::vector, std::array, std::string, std::string_view,
        //    std::basic_string<unsigned char>, std::u8string, ...
        //  - A C array of 1-byte elements records all N elements (the whole buffer, NULs
        //    included), e.g. `char buf[8]` or `std::uint8_t buf[8]` -> 8 bytes — with one
        //    exception: an array of `const char` or `const char8_t`, the type of a string literal,
        //    records N - 1 elements if its last element is '\0' (and N otherwise). So
        //    try_record("abc") records 3 bytes and try_record("a\0b") 3 bytes ('a', '\0', 'b').
        //    That rule sees only the type: a `const char[N]` variable — or a `char name[N]` member
        //    reached through a const object — loses a trailing '\0' too. To record such a buffer
        //    whole, pass std::span(buf); for a NUL-terminated C string in a larger buffer, pass
        //    std::string_view(buf) (that stops at the first '\0').
        //  - A trivially copyable object (e.g. a packed market-data message struct, or an integer)
        //    records its object representation: sizeof(T) bytes at &object.
        //  - A class that is not a range but converts implicitly to std::span<const std::byte> or
        //    std::string_view records what it converts to.
        //
        // Rejected at compile time, because their object bytes are never what is meant:
        //  - Pointers, const char* included (no length: pass std::span(ptr, len) or
        //    std::string_view(c_string)), iterators, nullptr and member pointers.
        //  - Ranges (and C arrays) of elements wider than 1 byte, e.g. std::vector<int> or
        //    std::span<const std::uint32_t>, and non-contiguous ranges (std::list<char>). For the
        //    raw bytes of a contiguous range of wider elements pass std::as_bytes(std::span(r)).
        //  - Non-range classes with data() and size() (buffer views): pass
        //    std::span(v.data(), v.size()).
        // They are deleted overloads rather than a static_assert in a catch-all template: the call
        // fails with "use of deleted function ... [with P = std::vector<int>&]" and the compiler
        // shows the declaration line below, whose comment says what to pass instead; and, unlike a
        // static_assert in a body, a deleted function also makes `requires { p.try_record(x); }`
        // and other overload checks see the call as invalid.
        template <class P>
            requires detail::recordable<P> &&
                     (!std::is_same_v<std::remove_cvref_t<P>, std::span<const std::byte>>)
        bool try_record(P&& payload) noexcept {
            return try_record(detail::record_bytes(payload));
        }
        template <class P>
            requires detail::recordable<P> &&
                     (!std::is_same_v<std::remove_cvref_t<P>, std::span<const std::byte>>)
        bool try_record(P&& payload, std::int64_t recv_ts_ns) noexcept {
            return try_record(detail::record_bytes(payload), recv_ts_ns);
        }

        template <class P> requires detail::pointer_like<P>
        bool try_record(P&&) noexcept = delete;  // a pointer or iterator has no length: pass std::span(ptr, len) or std::string_view(c_string)
        template <class P> requires detail::pointer_like<P>
        bool try_record(P&&, std::int64_t) noexcept = delete;  // a pointer or iterator has no length: pass std::span(ptr, len) or std::string_view(c_string)
        template <class P> requires detail::range_of_non_byte_elements<P>
        bool try_record(P&&) noexcept = delete;  // only contiguous ranges of 1-byte elements; for wider ones pass std::as_bytes(std::span(range))
        template <class P> requires detail::range_of_non_byte_elements<P>
        bool try_record(P&&, std::int64_t) noexcept = delete;  // only contiguous ranges of 1-byte elements; for wider ones pass std::as_bytes(std::span(range))
        template <class P> requires detail::buffer_like_non_range<P>
        bool try_record(P&&) noexcept = delete;  // a buffer view's object bytes are a pointer and a length: pass std::span(v.data(), v.size())
        template <class P> requires detail::buffer_like_non_range<P>
        bool try_record(P&&, std::int64_t) noexcept = delete;  // a buffer view's object bytes are a pointer and a length: pass std::span(v.data(), v.size())

        // A record of a typed table (SinkOptions::add_table): only a T compiles, and its
        // sizeof(T) bytes are copied (the worker turns them into the table's columns).
        template <class T, class R>
            requires std::same_as<std::remove_cvref_t<R>, T>
        bool try_record(const Table<T>& table, const R& record) noexcept {
            return try_record_table(table.index(), std::as_bytes(std::span<const T, 1>(std::addressof(record), 1)));
        }
        template <class T, class R>
            requires std::same_as<std::remove_cvref_t<R>, T>
        bool try_record(const Table<T>& table, const R& record, std::int64_t recv_ts_ns) noexcept {
            return try_record_table(table.index(), std::as_bytes(std::span<const T, 1>(std::addressof(record), 1)),
                                    recv_ts_ns);
        }
        // The untyped form: a record of table `table` (its index in SinkOptions::tables), which
        // must be exactly the table's record_bytes long; else it is dropped and counted in
        // dropped_invalid, as is an unknown index. In a sink with tables, try_record(bytes)
        // records into table 0.
        bool try_record_table(std::uint32_t table, std::span<const std::byte> record) noexcept;
        bool try_record_table(std::uint32_t table, std::span<const std::byte> record,
                              std::int64_t recv_ts_ns) noexcept;

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
    // try_record calls racing close() are safe: each either returns false (counted as
    // dropped_closed) or its record is in the final drain, so after close()
    // accepted == rows_written + rows_lost always holds.
    SinkStats close();
    SinkStats stats() const noexcept;
    // The worker's latest I/O error (kept after it resumed on a new file); empty if none.
    std::string last_error() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace parquet_flow
