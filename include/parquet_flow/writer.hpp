// parquet_flow — the Parquet file writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "parquet_flow/error.hpp"
#include "parquet_flow/schema.hpp"
#include "parquet_flow/table.hpp"
#include "parquet_flow/types.hpp"

namespace parquet_flow {

// One column's data for one row group: a view, nothing is copied until the write.
//
// Values are typed spans for the fixed-width types, raw bytes for the others:
//   BYTE_ARRAY            all value bytes back to back, plus count + 1 offsets (first 0, last
//                         values.size()) — the Arrow layout;
//   FIXED_LEN_BYTE_ARRAY  type_length bytes per value.
// For OPTIONAL and REPEATED columns add levels (one byte per level entry) and pass only the
// defined (non-null) values:
//   OPTIONAL  definition level per row: 1 value present, 0 null. (Without levels, every row is
//             present.)
//   REPEATED  per list element a definition level (1) and a repetition level (0 starts a row,
//             1 continues it); an empty list is one entry with definition 0, repetition 0.
struct ColumnData {
    std::span<const std::byte> values{};
    std::optional<std::span<const std::uint32_t>> offsets{};
    std::optional<std::span<const std::uint8_t>> definition_levels{};
    std::optional<std::span<const std::uint8_t>> repetition_levels{};
    // The physical type the typed factory saw, checked against the column; unset for raw bytes.
    std::optional<PhysicalType> declared_type{};

    static ColumnData boolean(std::span<const bool> v) { return typed(v, PhysicalType::Boolean); }
    static ColumnData int32(std::span<const std::int32_t> v) { return typed(v, PhysicalType::Int32); }
    static ColumnData int64(std::span<const std::int64_t> v) { return typed(v, PhysicalType::Int64); }
    static ColumnData int96(std::span<const Int96> v) { return typed(v, PhysicalType::Int96); }
    static ColumnData float32(std::span<const float> v) { return typed(v, PhysicalType::Float); }
    static ColumnData float64(std::span<const double> v) { return typed(v, PhysicalType::Double); }
    static ColumnData byte_array(std::span<const std::byte> values,
                                 std::span<const std::uint32_t> offsets) {
        ColumnData d;
        d.values = values;
        d.offsets = offsets;
        d.declared_type = PhysicalType::ByteArray;
        return d;
    }
    static ColumnData fixed_len_byte_array(std::span<const std::byte> values) {
        ColumnData d;
        d.values = values;
        d.declared_type = PhysicalType::FixedLenByteArray;
        return d;
    }
    // Untyped bytes in the layout of the column's physical type (as the C ABI takes them).
    static ColumnData raw(std::span<const std::byte> values) {
        ColumnData d;
        d.values = values;
        return d;
    }

    // For OPTIONAL columns.
    ColumnData& with_levels(std::span<const std::uint8_t> definition) {
        definition_levels = definition;
        return *this;
    }
    // For REPEATED columns.
    ColumnData& with_levels(std::span<const std::uint8_t> definition,
                            std::span<const std::uint8_t> repetition) {
        definition_levels = definition;
        repetition_levels = repetition;
        return *this;
    }

private:
    template <class T>
    static ColumnData typed(std::span<const T> v, PhysicalType type) {
        ColumnData d;
        d.values = std::as_bytes(v);
        d.declared_type = type;
        return d;
    }
};

struct WriterOptions {
    // Codec of every column that does not set its own (Column::compression).
    Compression compression = Compression::Uncompressed;
    // 0 (store) to 9 (smallest); unset: the library default (1, tuned for capture throughput).
    std::optional<int> gzip_level{};
    // ZSTD level, -7 (fastest) to 22 (smallest); unset: 1.
    std::optional<int> zstd_level{};
    // Target uncompressed size of a data page; unset: 1 MiB. A page holds at least one row.
    std::optional<std::size_t> data_page_size{};
    // Stored in the file footer; keys must be non-empty UTF-8.
    std::vector<std::pair<std::string, std::string>> key_value_metadata{};
    // The footer's created_by; empty: "parquet_flow version <x.y.z>".
    std::string created_by{};
    // Footer checkpoints after each row group (and fsync); default: footer on close only.
    Durability durability = Durability::OnClose;
    // Statistics of every column that does not set its own (Column::statistics).
    Statistics statistics = Statistics::Page;
    // Threads compressing a chunk's pages at once, this one included: unset (or 0) one per core,
    // up to 4; 1 keeps compression on the writing thread. With more than one, a compressed
    // chunk is cut into at least that many pages (none under 128 KiB) so they compress in
    // parallel; pages are written in order, and write_row_group still returns once its row
    // group is in the file.
    std::optional<unsigned> compression_threads{};
};

struct WriterTotals {
    std::uint64_t rows = 0;
    std::uint64_t row_groups = 0;
    std::uint64_t bytes = 0;  // file size once closed
};

// Writes one Parquet file. The constructor validates the schema and options and creates the
// file; each write_* call appends one row group; close() writes the footer. Bad column data is
// rejected before anything is written (Error with ErrorCode::InvalidArgument): the writer stays
// usable and the file keeps every row group written so far. The destructor closes the file if
// close() was not called, swallowing errors; call close() to see them.
class Writer {
public:
    Writer(const std::filesystem::path& path, const Schema& schema,
           const WriterOptions& options = {});
    // A writer of a typed table's records (see table.hpp): one column per field, with each
    // field's annotation and encoding, as a sink writes the table. Then write_records().
    template <class T>
    Writer(const std::filesystem::path& path, const Table<T>& table, const WriterOptions& options = {})
        : Writer(path, table.layout(), options) {}
    // The same from a layout (e.g. written by hand); write_records() then takes any record
    // type of record_bytes bytes.
    Writer(const std::filesystem::path& path, const TableLayout& table, const WriterOptions& options = {});
    ~Writer() noexcept;
    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) noexcept;
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // A row group of columns without levels (REQUIRED, or OPTIONAL with no nulls); the row count
    // is the number of values, the same in every column.
    void write_row_group(std::span<const ColumnData> columns);
    void write_row_group(std::initializer_list<ColumnData> columns) {
        write_row_group(std::span<const ColumnData>(columns.begin(), columns.size()));
    }

    // A row group of `row_count` rows whose OPTIONAL/REPEATED columns carry levels.
    void write_row_group_with_levels(std::size_t row_count, std::span<const ColumnData> columns);
    void write_row_group_with_levels(std::size_t row_count,
                                     std::initializer_list<ColumnData> columns) {
        write_row_group_with_levels(row_count,
                                    std::span<const ColumnData>(columns.begin(), columns.size()));
    }

    // A table writer's records as one row group (nothing for an empty span). Only the record
    // type of the writer's Table<T> (or, for a layout, a type of record_bytes bytes) compiles
    // to a successful call; others throw InvalidArgument.
    template <class T>
    void write_records(std::span<const T> records) {
        static_assert(std::is_trivially_copyable_v<T>, "records must be trivially copyable");
        write_record_bytes(std::as_bytes(records), sizeof(T), detail::record_type_of<T>());
    }
    template <class T>
    void write_records(std::span<T> records) {
        write_records(std::span<const T>(records));
    }
    template <class T, class A>
    void write_records(const std::vector<T, A>& records) {
        write_records(std::span<const T>(records));
    }
    // The untyped form: whole records of the table, back to back (a multiple of record_bytes).
    void write_raw_records(std::span<const std::byte> records);

    // Writes the footer and closes the file; throws on failure. A second call throws NotOpen.
    WriterTotals close();

    bool is_open() const noexcept;
    WriterTotals totals() const noexcept;
    const Schema& schema() const noexcept;
    const std::filesystem::path& path() const noexcept;

private:
    void write(std::uint64_t row_count, bool implied_rows, std::span<const ColumnData> columns);
    void write_record_bytes(std::span<const std::byte> records, std::size_t record_size, const void* record_type);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// What recover() found and did.
struct Recovery {
    bool was_complete = false;        // the file already ended with a valid footer: unchanged
    std::uint64_t rows = 0;           // rows in the file now
    std::uint64_t row_groups = 0;
    std::uint64_t bytes = 0;          // file size now
    std::uint64_t truncated_bytes = 0;  // partial row group cut from the end
};

// Makes a file left unfinished by a crash readable again: cuts it after its last intact footer
// checkpoint (written with Durability::RowGroup or Sync). A file that is already complete is
// left alone. Throws Error (InvalidArgument) without changing the file when it has no intact
// footer: written with Durability::OnClose, or killed before its first row group was complete.
// The file keeps its name; a sink's "<name>.inprogress" may be renamed to "<name>" afterwards.
Recovery recover(const std::filesystem::path& path);

// What inspect() reports.
struct InspectOptions {
    std::uint64_t rows = 0;  // also decode and show the first `rows` rows (flat schemas)
    bool json = false;       // one JSON object instead of text
};

struct Inspection {
    std::string report;      // text or JSON: schema, row groups, chunks, statistics, rows
    std::string rows_error;  // why the rows asked for could not be read; empty if they were
};

// Describes a Parquet file from any writer: schema with logical types; per row group its rows
// and, per column chunk, codec, encodings, data pages per encoding, sizes, statistics and
// page-index presence; key-value metadata; and, if asked, the first rows. Reads only the
// footer and the pages it needs. Throws Error (InvalidArgument) for a file that is not valid
// Parquet, saying what is wrong, or (Internal) one that cannot be read. Never trusts the file:
// any input, however damaged, gives a report or an error in bounded time and memory.
Inspection inspect(const std::filesystem::path& path, const InspectOptions& options = {});

}  // namespace parquet_flow
