// parquet_flow::Writer over the cxx bridge (rust/src/bridge.rs).
#include "parquet_flow/writer.hpp"
#include "parquet_flow/version.hpp"

#include <string>
#include <string_view>

#include "bridge_util.hpp"
#include "parquet_flow_core/bridge.rs.h"

namespace parquet_flow {

struct Writer::Impl {
    rust::Box<bridge::WriterCore> core;
    Schema schema;
    std::filesystem::path path;
    std::vector<bridge::ColumnSlices> slices;  // reused across row groups
    bool open = true;
    // A table writer's table: its name, record length and C++ record type (null if none).
    std::optional<TableLayout> table{};
};

namespace {

bridge::ColumnSpec to_spec(const Column& c) {
    return bridge::ColumnSpec{
        detail::byte_slice(c.name),
        static_cast<std::uint8_t>(c.physical),
        static_cast<std::uint8_t>(c.repetition),
        c.type_length,
        detail::logical_spec(c.logical),
        c.compression ? static_cast<std::int16_t>(*c.compression) : std::int16_t{-1},
        c.statistics ? static_cast<std::int16_t>(*c.statistics) : std::int16_t{-1},
        c.encoding ? static_cast<std::int16_t>(*c.encoding) : std::int16_t{-1},
    };
}

bridge::ColumnSlices to_slices(const ColumnData& d) {
    return bridge::ColumnSlices{
        detail::slice(std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t*>(d.values.data()), d.values.size())),
        detail::slice(d.offsets.value_or(std::span<const std::uint32_t>{})),
        detail::slice(d.definition_levels.value_or(std::span<const std::uint8_t>{})),
        detail::slice(d.repetition_levels.value_or(std::span<const std::uint8_t>{})),
        d.offsets.has_value(),
        d.definition_levels.has_value(),
        d.repetition_levels.has_value(),
        d.declared_type ? static_cast<std::int16_t>(*d.declared_type) : std::int16_t{-1},
    };
}

WriterTotals to_totals(const bridge::WriterTotals& t) {
    return WriterTotals{t.rows, t.row_groups, t.bytes};
}

}  // namespace

namespace {

std::vector<bridge::KeyValue> key_values(const WriterOptions& options) {
    std::vector<bridge::KeyValue> kvs;
    kvs.reserve(options.key_value_metadata.size());
    for (const auto& [key, value] : options.key_value_metadata) {
        kvs.push_back(bridge::KeyValue{detail::byte_slice(key), detail::byte_slice(value)});
    }
    return kvs;
}

bridge::WriterConfig writer_config(const std::string& native, const WriterOptions& options) {
    return bridge::WriterConfig{
        detail::byte_slice(native),
        static_cast<std::uint8_t>(options.compression),
        options.gzip_level.value_or(-1),
        options.zstd_level.value_or(INT32_MIN),
        options.data_page_size.value_or(0),
        detail::byte_slice(options.created_by),
        static_cast<std::uint8_t>(options.durability),
        static_cast<std::uint8_t>(options.statistics),
        options.compression_threads.value_or(0),
    };
}

// The schema the core made for a table writer.
Schema schema_of(const bridge::WriterCore& core) {
    Schema schema;
    for (const bridge::ColumnInfo& c : core.columns()) {
        schema.add(Column{std::string(c.name), static_cast<PhysicalType>(c.physical), Repetition::Required,
                          c.type_length, detail::logical_type(c.logical), std::nullopt, std::nullopt,
                          static_cast<Encoding>(c.encoding)});
    }
    return schema;
}

}  // namespace

Writer::Writer(const std::filesystem::path& path, const Schema& schema,
               const WriterOptions& options) {
    std::vector<bridge::ColumnSpec> specs;
    specs.reserve(schema.size());
    for (const Column& c : schema.columns()) specs.push_back(to_spec(c));
    const auto kvs = key_values(options);
    const std::string& native = path.native();
    bridge::Status status{0, {}};
    auto core = bridge::open_writer(writer_config(native, options),
                                    detail::slice(std::span<const bridge::ColumnSpec>(specs)),
                                    detail::slice(std::span<const bridge::KeyValue>(kvs)), status);
    detail::throw_if_error(status);
    impl_ = std::make_unique<Impl>(Impl{std::move(core), schema, path, {}, true});
}

Writer::Writer(const std::filesystem::path& path, const TableLayout& table, const WriterOptions& options) {
    std::vector<bridge::TableSpec> tables;
    std::vector<bridge::FieldSpec> fields;
    detail::table_specs(std::span<const TableLayout>(&table, 1), tables, fields);
    const auto kvs = key_values(options);
    const std::string& native = path.native();
    bridge::Status status{0, {}};
    auto core = bridge::open_table_writer(writer_config(native, options),
                                          detail::slice(std::span<const bridge::TableSpec>(tables)),
                                          detail::slice(std::span<const bridge::FieldSpec>(fields)),
                                          detail::slice(std::span<const bridge::KeyValue>(kvs)), status);
    detail::throw_if_error(status);
    Schema schema = schema_of(*core);
    impl_ = std::make_unique<Impl>(Impl{std::move(core), std::move(schema), path, {}, true, table});
}

void Writer::write_record_bytes(std::span<const std::byte> records, std::size_t record_size,
                                const void* record_type) {
    if (!impl_) throw Error(ErrorCode::NotOpen, "writer was moved from");
    if (!impl_->table) {
        throw Error(ErrorCode::InvalidArgument, "write_records needs a writer opened with a table");
    }
    const TableLayout& t = *impl_->table;
    if (t.record_type ? t.record_type != record_type : record_size != t.record_bytes) {
        throw Error(ErrorCode::InvalidArgument,
                    "write_records: table '" + t.name + "' takes its own record type (" +
                        std::to_string(t.record_bytes) + " bytes each), not records of another type (" + std::to_string(record_size) + " bytes each)");
    }
    write_raw_records(records);
}

void Writer::write_raw_records(std::span<const std::byte> records) {
    if (!impl_) throw Error(ErrorCode::NotOpen, "writer was moved from");
    detail::throw_if_error(impl_->core->write_records(detail::slice(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(records.data()), records.size()))));
}

Writer::~Writer() noexcept {
    if (impl_ && impl_->open) {
        bridge::WriterTotals totals{0, 0, 0};
        (void)impl_->core->close(totals);  // errors cannot be reported from a destructor
    }
}

Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&& other) noexcept {
    if (this != &other) {
        if (impl_ && impl_->open) {
            bridge::WriterTotals totals{0, 0, 0};
            (void)impl_->core->close(totals);
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}

void Writer::write(std::uint64_t row_count, bool implied_rows, std::span<const ColumnData> columns) {
    if (!impl_) throw Error(ErrorCode::NotOpen, "writer was moved from");
    auto& slices = impl_->slices;
    slices.clear();
    for (const ColumnData& d : columns) slices.push_back(to_slices(d));
    detail::throw_if_error(impl_->core->write_row_group(
        row_count, implied_rows, detail::slice(std::span<const bridge::ColumnSlices>(slices))));
}

void Writer::write_row_group(std::span<const ColumnData> columns) {
    for (const ColumnData& d : columns) {
        if (d.definition_levels || d.repetition_levels) {
            throw Error(ErrorCode::InvalidArgument,
                        "write_row_group takes columns without levels; use "
                        "write_row_group_with_levels(row_count, columns)");
        }
    }
    write(0, true, columns);
}

void Writer::write_row_group_with_levels(std::size_t row_count,
                                         std::span<const ColumnData> columns) {
    write(row_count, false, columns);
}

WriterTotals Writer::close() {
    if (!impl_) throw Error(ErrorCode::NotOpen, "writer was moved from");
    bridge::WriterTotals totals{0, 0, 0};
    bridge::Status status = impl_->core->close(totals);
    impl_->open = false;
    detail::throw_if_error(status);
    return to_totals(totals);
}

bool Writer::is_open() const noexcept { return impl_ && impl_->open; }

WriterTotals Writer::totals() const noexcept {
    return impl_ ? to_totals(impl_->core->totals()) : WriterTotals{};
}

const Schema& Writer::schema() const noexcept {
    static const Schema empty;
    return impl_ ? impl_->schema : empty;
}

const std::filesystem::path& Writer::path() const noexcept {
    static const std::filesystem::path empty;
    return impl_ ? impl_->path : empty;
}

Recovery recover(const std::filesystem::path& path) {
    const std::string& native = path.native();
    bridge::Recovered r{false, 0, 0, 0, 0};
    detail::throw_if_error(bridge::recover_file(detail::byte_slice(native), r));
    return Recovery{r.was_complete, r.rows, r.row_groups, r.bytes, r.truncated_bytes};
}

Inspection inspect(const std::filesystem::path& path, const InspectOptions& options) {
    const std::string& native = path.native();
    rust::String report;
    rust::String rows_error;
    detail::throw_if_error(
        bridge::inspect_file(detail::byte_slice(native), options.rows, options.json, report, rows_error));
    return Inspection{std::string(report), std::string(rows_error)};
}

const char* version() noexcept {
    // rust::Str is not NUL-terminated: keep a terminated copy for C callers.
    static const std::string core(bridge::core_version());
    return core.c_str();
}

}  // namespace parquet_flow
