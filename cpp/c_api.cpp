// The C ABI (include/parquet_flow_c.h): a thin extern "C" layer over the C++ classes.
#include "parquet_flow_c.h"
#include "parquet_flow/version.hpp"

#include <chrono>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "parquet_flow/parquet_flow.hpp"

using namespace parquet_flow;

struct pf_sink {
    Sink sink;
};

struct pf_producer {
    Sink::Producer producer;
};

struct pf_writer_handle {
    std::string path;
    Schema schema;
    WriterOptions options;
    std::optional<Writer> writer;
    bool closed = false;
    mutable std::string last_error;
    std::vector<ColumnData> columns;  // reused across row groups
};

namespace {

// Failures of calls without a usable handle (pf_writer_create, NULL handles), per thread.
thread_local std::string g_thread_error;

int32_t fail(const pf_writer_handle* h, int32_t status, std::string message) {
    (h ? h->last_error : g_thread_error) = std::move(message);
    return status;
}

int32_t succeed(const pf_writer_handle* h) {
    h->last_error.clear();
    return PF_STATUS_OK;
}

// Runs `body`, mapping exceptions to status codes and messages; nothing escapes into C.
template <class F>
int32_t catch_all(std::string& error, const char* function, F&& body) {
    try {
        return body();
    } catch (const Error& e) {
        error = e.what();
        return static_cast<int32_t>(e.code());
    } catch (const std::bad_alloc&) {
        error = std::string(function) + ": out of memory";
        return PF_STATUS_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        error = std::string(function) + ": " + e.what();
        return PF_STATUS_INTERNAL;
    } catch (...) {
        error = std::string(function) + ": unknown error";
        return PF_STATUS_INTERNAL;
    }
}

template <class F>
int32_t guarded(pf_writer_handle* h, const char* function, F&& body) {
    if (!h) return fail(nullptr, PF_STATUS_INVALID_ARGUMENT, std::string(function) + ": handle is NULL");
    return catch_all(h->last_error, function, body);
}

// Failures of pf_sink_* and pf_producer_* calls, per thread: one sink is shared by the
// threads that create producers on it, so a per-sink message would be a data race.
thread_local std::string g_sink_thread_error;

template <class F>
int32_t sink_guarded(pf_sink* s, const char* function, F&& body) {
    if (!s) {
        g_sink_thread_error = std::string(function) + ": sink is NULL";
        return PF_STATUS_INVALID_ARGUMENT;
    }
    g_sink_thread_error.clear();
    return catch_all(g_sink_thread_error, function, body);
}

bool valid_compression(int32_t code) {
    return code == PF_COMPRESSION_UNCOMPRESSED || code == PF_COMPRESSION_SNAPPY || code == PF_COMPRESSION_GZIP ||
           code == PF_COMPRESSION_ZSTD || code == PF_COMPRESSION_LZ4_RAW;
}

constexpr const char* kCompressionCodes = " (0 UNCOMPRESSED, 1 SNAPPY, 2 GZIP, 6 ZSTD, 7 LZ4_RAW)";
constexpr const char* kEncodingCodes =
    " (0 PLAIN, 5 DELTA_BINARY_PACKED, 6 DELTA_LENGTH_BYTE_ARRAY, 7 DELTA_BYTE_ARRAY, 8 RLE_DICTIONARY, "
    "9 BYTE_STREAM_SPLIT)";

// Before open, only configuration calls are allowed.
int32_t require_configuring(pf_writer_handle* h, const char* function) {
    if (h->writer || h->closed) {
        return fail(h, PF_STATUS_INVALID_ARGUMENT,
                    std::string(function) + ": the writer is already open; configure it before pf_writer_open");
    }
    return PF_STATUS_OK;
}

int32_t require_open(pf_writer_handle* h, const char* function) {
    if (h->closed) return fail(h, PF_STATUS_NOT_OPEN, std::string(function) + ": the writer is closed");
    if (!h->writer) {
        return fail(h, PF_STATUS_NOT_OPEN, std::string(function) + ": the writer is not open; call pf_writer_open first");
    }
    return PF_STATUS_OK;
}

// The byte span of a C column input; values_len counts elements for the 4/8-byte types.
std::optional<std::span<const std::byte>> value_bytes(const Column& column, const void* values,
                                                      uint64_t values_len, std::string& error) {
    uint64_t width = 1;
    switch (column.physical) {
        case PhysicalType::Int32:
        case PhysicalType::Float: width = 4; break;
        case PhysicalType::Int64:
        case PhysicalType::Double: width = 8; break;
        default: break;
    }
    if (values_len > std::numeric_limits<std::size_t>::max() / width) {
        error = "values_len " + std::to_string(values_len) + " is too large";
        return std::nullopt;
    }
    if (!values && values_len != 0) {
        error = "values is NULL but values_len is " + std::to_string(values_len);
        return std::nullopt;
    }
    return std::span<const std::byte>(static_cast<const std::byte*>(values),
                                      static_cast<std::size_t>(values_len * width));
}

template <class T>
std::optional<std::span<const T>> optional_span(const T* data, uint64_t len, const char* what,
                                                std::string& error) {
    if (!data) {
        if (len != 0) error = std::string(what) + " is NULL but its length is " + std::to_string(len);
        return std::nullopt;
    }
    return std::span<const T>(data, static_cast<std::size_t>(len));
}

// Converts C inputs to ColumnData; on a framing problem returns false with `error` set.
template <class Input>
bool convert_inputs(pf_writer_handle* h, const Input* inputs, uint32_t count, std::string& error) {
    auto& columns = h->columns;
    columns.clear();
    if (!inputs && count != 0) {
        error = "column_inputs is NULL but column_count is " + std::to_string(count);
        return false;
    }
    const auto schema_columns = h->schema.columns();
    if (count != schema_columns.size()) {
        error = std::to_string(count) + " columns given, the schema has " +
                std::to_string(schema_columns.size());
        return false;
    }
    for (uint32_t i = 0; i < count; ++i) {
        const Input& in = inputs[i];
        const Column& column = schema_columns[i];
        std::string what;
        auto values = value_bytes(column, in.values, in.values_len, what);
        ColumnData d;
        if (values) {
            d = ColumnData::raw(*values);
            d.offsets = optional_span(in.offsets, in.offsets_len, "offsets", what);
            if constexpr (std::is_same_v<Input, pf_column_input_with_levels_t>) {
                d.definition_levels = optional_span(in.definition_levels, in.definition_levels_len,
                                                    "definition_levels", what);
                d.repetition_levels = optional_span(in.repetition_levels, in.repetition_levels_len,
                                                    "repetition_levels", what);
            }
        }
        if (!what.empty()) {
            error = "column '" + column.name + "': " + what;
            return false;
        }
        columns.push_back(d);
    }
    return true;
}

template <class Input>
int32_t write_row_group(pf_writer_handle* h, const char* function, uint64_t row_count,
                        const Input* inputs, uint32_t count) {
    return guarded(h, function, [&] {
        if (int32_t s = require_open(h, function)) return s;
        std::string error;
        if (!convert_inputs(h, inputs, count, error)) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT, std::string(function) + ": " + error);
        }
        if (row_count > std::numeric_limits<std::size_t>::max()) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT, std::string(function) + ": row_count is too large");
        }
        h->writer->write_row_group_with_levels(static_cast<std::size_t>(row_count), h->columns);
        return succeed(h);
    });
}

// Applies `change` to the column named `column_name` of a writer still being configured. The
// schema is append-only; it is rebuilt with the one column changed.
template <class Change>
int32_t change_column(pf_writer_handle* h, const char* fn, const char* column_name, Change change) {
    if (int32_t s = require_configuring(h, fn)) return s;
    if (!column_name) return fail(h, PF_STATUS_INVALID_ARGUMENT, std::string(fn) + ": column_name is NULL");
    Schema updated;
    bool found = false;
    for (Column c : h->schema.columns()) {
        if (c.name == column_name) {
            change(c);
            found = true;
        }
        updated.add(std::move(c));
    }
    if (!found) {
        return fail(h, PF_STATUS_INVALID_ARGUMENT,
                    std::string(fn) + ": no column named '" + column_name + "' (add it first)");
    }
    h->schema = std::move(updated);
    return succeed(h);
}

bool valid_statistics(int32_t code) { return code >= PF_STATISTICS_NONE && code <= PF_STATISTICS_PAGE; }

bool valid_encoding(int32_t code) {
    return code == PF_ENCODING_PLAIN || (code >= PF_ENCODING_DELTA_BINARY_PACKED && code <= PF_ENCODING_BYTE_STREAM_SPLIT);
}

// The C++ annotation of a C one: returns an empty string, or what is wrong with it.
std::string to_logical(const pf_logical_type_t& l, LogicalType& out) {
    const auto unit = static_cast<TimeUnit>(l.time_unit);
    const bool utc = l.adjusted_to_utc != 0;
    switch (l.kind) {
        case PF_LOGICAL_NONE: out = LogicalType::none(); return {};
        case PF_LOGICAL_STRING: out = LogicalType::string(); return {};
        case PF_LOGICAL_ENUM: out = LogicalType::enum_(); return {};
        case PF_LOGICAL_JSON: out = LogicalType::json(); return {};
        case PF_LOGICAL_UUID: out = LogicalType::uuid(); return {};
        case PF_LOGICAL_DATE: out = LogicalType::date(); return {};
        case PF_LOGICAL_TIME:
        case PF_LOGICAL_TIMESTAMP:
            if (l.time_unit < PF_TIME_UNIT_MILLIS || l.time_unit > PF_TIME_UNIT_NANOS) {
                return "unknown time unit code " + std::to_string(l.time_unit) + " (0 millis, 1 micros, 2 nanos)";
            }
            out = l.kind == PF_LOGICAL_TIME ? LogicalType::time(unit, utc) : LogicalType::timestamp(unit, utc);
            return {};
        case PF_LOGICAL_INTEGER:
            if (l.bit_width != 8 && l.bit_width != 16 && l.bit_width != 32 && l.bit_width != 64) {
                return "INTEGER bit width must be 8, 16, 32 or 64, got " + std::to_string(l.bit_width);
            }
            out = LogicalType::integer(l.bit_width, l.is_signed != 0);
            return {};
        case PF_LOGICAL_DECIMAL: out = LogicalType::decimal(l.precision, l.scale); return {};
        default: return "unknown logical type code " + std::to_string(l.kind);
    }
}

// pf_sink_config_t's tables as C++ layouts; throws Error naming the table and field.
std::vector<TableLayout> tables_from(const pf_table_t* tables, uint32_t count) {
    std::vector<TableLayout> out;
    if (count == 0) return out;
    const std::string fn = "pf_sink_create: ";
    if (!tables) throw Error(ErrorCode::InvalidArgument, fn + "tables is NULL but table_count is " + std::to_string(count));
    out.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        const pf_table_t& t = tables[i];
        if (!t.name) throw Error(ErrorCode::InvalidArgument, fn + "table " + std::to_string(i) + ": name is NULL");
        const std::string table = "table '" + std::string(t.name) + "'";
        if (!t.fields && t.field_count > 0) {
            throw Error(ErrorCode::InvalidArgument, fn + table + ": fields is NULL but field_count is " +
                                                        std::to_string(t.field_count));
        }
        TableLayout layout{t.name, {}, t.record_bytes, nullptr};
        layout.fields.reserve(t.field_count);
        for (uint32_t j = 0; j < t.field_count; ++j) {
            const pf_field_t& f = t.fields[j];
            if (!f.name) {
                throw Error(ErrorCode::InvalidArgument, fn + table + ": field " + std::to_string(j) + ": name is NULL");
            }
            const std::string at = fn + table + ", field '" + f.name + "': ";
            if (f.type < PF_FIELD_BOOL || f.type > PF_FIELD_BYTES) {
                throw Error(ErrorCode::InvalidArgument,
                            at + "unknown field type code " + std::to_string(f.type) + " (0 BOOL .. 12 BYTES)");
            }
            Field field{f.name, f.offset, static_cast<FieldType>(f.type), f.length, {}, {}};
            const std::string wrong = to_logical(f.logical, field.logical);
            if (!wrong.empty()) throw Error(ErrorCode::InvalidArgument, at + wrong);
            if (f.encoding != -1) {
                if (!valid_encoding(f.encoding)) {
                    throw Error(ErrorCode::InvalidArgument,
                                at + "unknown encoding code " + std::to_string(f.encoding) + kEncodingCodes);
                }
                field.encoding = static_cast<Encoding>(f.encoding);
            }
            layout.fields.push_back(std::move(field));
        }
        out.push_back(std::move(layout));
    }
    return out;
}

}  // namespace

extern "C" const char* pf_version(void) { return parquet_flow::version(); }

extern "C" {

pf_writer_handle_t* pf_writer_create(const char* output_path, int32_t compression_code) {
    if (!output_path) {
        fail(nullptr, PF_STATUS_INVALID_ARGUMENT, "pf_writer_create: output_path is NULL");
        return nullptr;
    }
    if (!valid_compression(compression_code)) {
        fail(nullptr, PF_STATUS_INVALID_ARGUMENT,
             "pf_writer_create: unknown compression code " + std::to_string(compression_code) +
                 kCompressionCodes);
        return nullptr;
    }
    try {
        auto* h = new pf_writer_handle();
        h->path = output_path;
        h->options.compression = static_cast<Compression>(compression_code);
        g_thread_error.clear();
        return h;
    } catch (const std::bad_alloc&) {
        fail(nullptr, PF_STATUS_OUT_OF_MEMORY, "pf_writer_create: out of memory");
        return nullptr;
    }
}

void pf_writer_destroy(pf_writer_handle_t* handle) {
    delete handle;  // ~Writer closes an open file without throwing
}

int32_t pf_writer_add_column_with_logical_type(pf_writer_handle_t* h, const char* name,
                                               int32_t physical_type_code, int32_t repetition_code,
                                               uint32_t type_length,
                                               const pf_logical_type_t* logical) {
    static constexpr const char* fn = "pf_writer_add_column";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        if (!name) return fail(h, PF_STATUS_INVALID_ARGUMENT, "pf_writer_add_column: name is NULL");
        if (physical_type_code < PF_PHYSICAL_BOOLEAN || physical_type_code > PF_PHYSICAL_FIXED_LEN_BYTE_ARRAY) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string("pf_writer_add_column: column '") + name + "': unknown physical type code " +
                            std::to_string(physical_type_code) + " (0..7)");
        }
        if (repetition_code < PF_REPETITION_REQUIRED || repetition_code > PF_REPETITION_REPEATED) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string("pf_writer_add_column: column '") + name + "': unknown repetition code " +
                            std::to_string(repetition_code) + " (0 required, 1 optional, 2 repeated)");
        }
        Column column{name, static_cast<PhysicalType>(physical_type_code),
                      static_cast<Repetition>(repetition_code), type_length, {}, {}};
        if (logical) {
            const std::string wrong = to_logical(*logical, column.logical);
            if (!wrong.empty()) {
                return fail(h, PF_STATUS_INVALID_ARGUMENT,
                            std::string("pf_writer_add_column: column '") + name + "': " + wrong);
            }
        }
        h->schema.add(std::move(column));
        return succeed(h);
    });
}

int32_t pf_writer_add_column(pf_writer_handle_t* h, const char* name, int32_t physical_type_code,
                             int32_t repetition_code, uint32_t type_length) {
    return pf_writer_add_column_with_logical_type(h, name, physical_type_code, repetition_code,
                                                  type_length, nullptr);
}

int32_t pf_writer_set_column_compression(pf_writer_handle_t* h, const char* column_name,
                                         int32_t compression_code) {
    static constexpr const char* fn = "pf_writer_set_column_compression";
    return guarded(h, fn, [&] {
        if (!valid_compression(compression_code)) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": unknown compression code " + std::to_string(compression_code) +
                            kCompressionCodes);
        }
        return change_column(h, fn, column_name,
                             [&](Column& c) { c.compression = static_cast<Compression>(compression_code); });
    });
}

int32_t pf_writer_set_statistics(pf_writer_handle_t* h, int32_t code) {
    static constexpr const char* fn = "pf_writer_set_statistics";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        if (!valid_statistics(code)) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": unknown statistics code " + std::to_string(code) +
                            " (0 NONE, 1 CHUNK, 2 PAGE)");
        }
        h->options.statistics = static_cast<Statistics>(code);
        return succeed(h);
    });
}

int32_t pf_writer_set_column_encoding(pf_writer_handle_t* h, const char* column_name, int32_t code) {
    static constexpr const char* fn = "pf_writer_set_column_encoding";
    return guarded(h, fn, [&] {
        if (!valid_encoding(code)) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": unknown encoding code " + std::to_string(code) + kEncodingCodes);
        }
        return change_column(h, fn, column_name, [&](Column& c) { c.encoding = static_cast<Encoding>(code); });
    });
}

int32_t pf_writer_set_column_statistics(pf_writer_handle_t* h, const char* column_name, int32_t code) {
    static constexpr const char* fn = "pf_writer_set_column_statistics";
    return guarded(h, fn, [&] {
        if (!valid_statistics(code)) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": unknown statistics code " + std::to_string(code) +
                            " (0 NONE, 1 CHUNK, 2 PAGE)");
        }
        return change_column(h, fn, column_name, [&](Column& c) { c.statistics = static_cast<Statistics>(code); });
    });
}

int32_t pf_writer_set_gzip_level(pf_writer_handle_t* h, int32_t level) {
    static constexpr const char* fn = "pf_writer_set_gzip_level";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        if (level < 0 || level > 9) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": level must be between 0 and 9, got " + std::to_string(level));
        }
        h->options.gzip_level = level;
        return succeed(h);
    });
}

int32_t pf_writer_set_compression_level(pf_writer_handle_t* h, int32_t level) {
    static constexpr const char* fn = "pf_writer_set_compression_level";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        switch (h->options.compression) {
            case Compression::Gzip:
                if (level < 0 || level > 9) break;
                h->options.gzip_level = level;
                return succeed(h);
            case Compression::Zstd:
                if (level < -7 || level > 22) break;
                h->options.zstd_level = level;
                return succeed(h);
            default:
                return fail(h, PF_STATUS_INVALID_ARGUMENT,
                            std::string(fn) + ": the file's codec has no compression level (only GZIP and ZSTD do)");
        }
        return fail(h, PF_STATUS_INVALID_ARGUMENT,
                    std::string(fn) + ": level " + std::to_string(level) + " is out of range (GZIP 0..9, ZSTD -7..22)");
    });
}

int32_t pf_writer_set_compression_threads(pf_writer_handle_t* h, uint32_t threads) {
    static constexpr const char* fn = "pf_writer_set_compression_threads";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        if (threads > 64) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": threads must be at most 64 (0: one per core), got " + std::to_string(threads));
        }
        h->options.compression_threads = threads;
        return succeed(h);
    });
}

int32_t pf_writer_set_data_page_size(pf_writer_handle_t* h, uint64_t bytes) {
    static constexpr const char* fn = "pf_writer_set_data_page_size";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        if (bytes == 0 || bytes > std::numeric_limits<std::size_t>::max()) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": page size must be positive, got " + std::to_string(bytes));
        }
        h->options.data_page_size = static_cast<std::size_t>(bytes);
        return succeed(h);
    });
}

int32_t pf_writer_set_durability(pf_writer_handle_t* h, int32_t code) {
    static constexpr const char* fn = "pf_writer_set_durability";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        if (code < PF_DURABILITY_ON_CLOSE || code > PF_DURABILITY_SYNC) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT,
                        std::string(fn) + ": unknown durability code " + std::to_string(code));
        }
        h->options.durability = static_cast<Durability>(code);
        return succeed(h);
    });
}

int32_t pf_recover(const char* path, pf_recovery_t* out) {
    if (!path) return fail(nullptr, PF_STATUS_INVALID_ARGUMENT, "pf_recover: path is NULL");
    const int32_t status = catch_all(g_thread_error, "pf_recover", [&] {
        const Recovery r = recover(path);
        if (out) *out = pf_recovery_t{r.was_complete ? 1 : 0, r.rows, r.row_groups, r.bytes, r.truncated_bytes};
        return PF_STATUS_OK;
    });
    if (status == PF_STATUS_OK) g_thread_error.clear();
    return status;
}

int32_t pf_writer_add_key_value_metadata(pf_writer_handle_t* h, const char* key, const char* value) {
    static constexpr const char* fn = "pf_writer_add_key_value_metadata";
    return guarded(h, fn, [&] {
        if (int32_t s = require_configuring(h, fn)) return s;
        if (!key || !value) {
            return fail(h, PF_STATUS_INVALID_ARGUMENT, std::string(fn) + ": key and value must not be NULL");
        }
        h->options.key_value_metadata.emplace_back(key, value);
        return succeed(h);
    });
}

int32_t pf_writer_open(pf_writer_handle_t* h) {
    static constexpr const char* fn = "pf_writer_open";
    return guarded(h, fn, [&] {
        if (h->closed) return fail(h, PF_STATUS_NOT_OPEN, std::string(fn) + ": the writer is closed");
        if (h->writer) return fail(h, PF_STATUS_INVALID_ARGUMENT, std::string(fn) + ": the writer is already open");
        h->writer.emplace(h->path, h->schema, h->options);
        return succeed(h);
    });
}

int32_t pf_writer_write_row_group(pf_writer_handle_t* h, uint64_t row_count,
                                  const pf_column_input_t* column_inputs, uint32_t column_count) {
    return write_row_group(h, "pf_writer_write_row_group", row_count, column_inputs, column_count);
}

int32_t pf_writer_write_row_group_with_levels(pf_writer_handle_t* h, uint64_t row_count,
                                              const pf_column_input_with_levels_t* column_inputs,
                                              uint32_t column_count) {
    return write_row_group(h, "pf_writer_write_row_group_with_levels", row_count, column_inputs,
                           column_count);
}

int32_t pf_writer_close(pf_writer_handle_t* h) {
    static constexpr const char* fn = "pf_writer_close";
    return guarded(h, fn, [&] {
        if (h->closed) return fail(h, PF_STATUS_NOT_OPEN, std::string(fn) + ": the writer is already closed");
        if (!h->writer) return fail(h, PF_STATUS_NOT_OPEN, std::string(fn) + ": the writer was never opened");
        h->closed = true;
        h->writer->close();
        return succeed(h);
    });
}

const char* pf_writer_last_error(const pf_writer_handle_t* h) {
    return h ? h->last_error.c_str() : g_thread_error.c_str();
}

int32_t pf_writer_totals(const pf_writer_handle_t* h, uint64_t* rows, uint64_t* row_groups,
                         uint64_t* bytes) {
    if (!h) return fail(nullptr, PF_STATUS_INVALID_ARGUMENT, "pf_writer_totals: handle is NULL");
    const WriterTotals t = h->writer ? h->writer->totals() : WriterTotals{};
    if (rows) *rows = t.rows;
    if (row_groups) *row_groups = t.row_groups;
    if (bytes) *bytes = t.bytes;
    return succeed(h);
}

}  // extern "C"

extern "C" {

void pf_sink_config_init(pf_sink_config_t* c) {
    if (!c) return;
    *c = pf_sink_config_t{};
    c->flush_interval_ns = -1;
    c->compression = PF_COMPRESSION_UNCOMPRESSED;
    c->gzip_level = -1;
    c->recover_at_start = 1;
    c->recv_ts_unit = PF_TIME_UNIT_NANOS;
    c->compression_level = PF_COMPRESSION_LEVEL_DEFAULT;
    c->statistics = PF_STATISTICS_PAGE;
    c->overflow = PF_OVERFLOW_DROP;
    c->recv_ts_clock = PF_CLOCK_AUTO;
}

pf_sink_t* pf_sink_create(const pf_sink_config_t* c) {
    if (!c || !c->path) {
        g_sink_thread_error = c ? "pf_sink_create: config.path is NULL" : "pf_sink_create: config is NULL";
        return nullptr;
    }
    if (!valid_compression(c->compression)) {
        g_sink_thread_error = "pf_sink_create: unknown compression code " + std::to_string(c->compression);
        return nullptr;
    }
    pf_sink_t* result = nullptr;
    const int32_t status = catch_all(g_sink_thread_error, "pf_sink_create", [&] {
        SinkOptions o;
        o.path = c->path;
        auto size = [](uint64_t v) { return v ? std::optional<std::size_t>(static_cast<std::size_t>(v)) : std::nullopt; };
        o.ring_bytes = size(c->ring_bytes);
        o.max_record_bytes = size(c->max_record_bytes);
        o.max_producers = size(c->max_producers);
        o.row_group_rows = size(c->row_group_rows);
        if (c->flush_interval_ns >= 0) o.flush_interval = std::chrono::nanoseconds(c->flush_interval_ns);
        o.recv_ts = c->recv_ts != 0;
        if (c->recv_ts_unit < PF_TIME_UNIT_MILLIS || c->recv_ts_unit > PF_TIME_UNIT_NANOS) {
            throw Error(ErrorCode::InvalidArgument,
                        "pf_sink_create: unknown recv_ts_unit " + std::to_string(c->recv_ts_unit));
        }
        o.recv_ts_unit = static_cast<TimeUnit>(c->recv_ts_unit);
        o.producer_id = c->producer_id != 0;
        o.seq = c->seq != 0;
        o.compression = static_cast<Compression>(c->compression);
        if (c->gzip_level >= 0) o.gzip_level = c->gzip_level;
        if (c->compression_level != PF_COMPRESSION_LEVEL_DEFAULT) {
            switch (o.compression) {
                case Compression::Gzip: o.gzip_level = c->compression_level; break;
                case Compression::Zstd: o.zstd_level = c->compression_level; break;
                default:
                    throw Error(ErrorCode::InvalidArgument,
                                "pf_sink_create: compression_level " + std::to_string(c->compression_level) +
                                    " is set, but the codec has no level (only GZIP and ZSTD do)");
            }
        }
        if (c->compression_threads) o.compression_threads = c->compression_threads;
        if (!valid_statistics(c->statistics)) {
            throw Error(ErrorCode::InvalidArgument,
                        "pf_sink_create: unknown statistics code " + std::to_string(c->statistics) +
                            " (0 NONE, 1 CHUNK, 2 PAGE)");
        }
        o.statistics = static_cast<Statistics>(c->statistics);
        if (c->rotate_rows) o.rotate_rows = c->rotate_rows;
        if (c->rotate_bytes) o.rotate_bytes = c->rotate_bytes;
        if (c->rotate_age_ns > 0) o.rotate_age = std::chrono::nanoseconds(c->rotate_age_ns);
        if (c->durability < PF_DURABILITY_ON_CLOSE || c->durability > PF_DURABILITY_SYNC) {
            throw Error(ErrorCode::InvalidArgument,
                        "pf_sink_create: unknown durability code " + std::to_string(c->durability));
        }
        o.durability = static_cast<Durability>(c->durability);
        if (c->retry_backoff_ns > 0) o.retry_backoff = std::chrono::nanoseconds(c->retry_backoff_ns);
        o.recover_at_start = c->recover_at_start != 0;
        if (c->overflow != PF_OVERFLOW_DROP && c->overflow != PF_OVERFLOW_BLOCK) {
            throw Error(ErrorCode::InvalidArgument, "pf_sink_create: unknown overflow code " +
                                                        std::to_string(c->overflow) + " (0 DROP, 1 BLOCK)");
        }
        o.overflow = static_cast<Overflow>(c->overflow);
        if (c->recv_ts_clock != PF_CLOCK_AUTO && c->recv_ts_clock != PF_CLOCK_SYSTEM) {
            throw Error(ErrorCode::InvalidArgument, "pf_sink_create: unknown recv_ts_clock code " +
                                                        std::to_string(c->recv_ts_clock) + " (0 AUTO, 1 SYSTEM)");
        }
        o.recv_ts_clock = static_cast<ClockSource>(c->recv_ts_clock);
        o.tables = tables_from(c->tables, c->table_count);
        result = new pf_sink{Sink(o)};
        return PF_STATUS_OK;
    });
    if (status == PF_STATUS_OK) g_sink_thread_error.clear();
    return result;
}

pf_producer_t* pf_sink_producer_create(pf_sink_t* s) {
    pf_producer_t* result = nullptr;
    sink_guarded(s, "pf_sink_producer_create", [&] {
        result = new pf_producer{s->sink.producer()};
        return PF_STATUS_OK;
    });
    return result;
}

int32_t pf_producer_try_record(pf_producer_t* p, const void* data, uint64_t len) {
    if (!p || (!data && len != 0)) return 0;
    return p->producer.try_record(std::span<const std::byte>(static_cast<const std::byte*>(data), len)) ? 1 : 0;
}

int32_t pf_producer_try_record_at(pf_producer_t* p, const void* data, uint64_t len, int64_t recv_ts_ns) {
    if (!p || (!data && len != 0)) return 0;
    return p->producer.try_record(std::span<const std::byte>(static_cast<const std::byte*>(data), len), recv_ts_ns)
               ? 1
               : 0;
}

int32_t pf_producer_try_record_table(pf_producer_t* p, uint32_t table, const void* record, uint64_t len) {
    if (!p || (!record && len != 0)) return 0;
    return p->producer.try_record_table(table, std::span<const std::byte>(static_cast<const std::byte*>(record), len))
               ? 1
               : 0;
}

int32_t pf_producer_try_record_table_at(pf_producer_t* p, uint32_t table, const void* record, uint64_t len,
                                        int64_t recv_ts_ns) {
    if (!p || (!record && len != 0)) return 0;
    return p->producer.try_record_table(
               table, std::span<const std::byte>(static_cast<const std::byte*>(record), len), recv_ts_ns)
               ? 1
               : 0;
}

uint32_t pf_producer_id(const pf_producer_t* p) { return p ? p->producer.id() : UINT32_MAX; }

void pf_producer_destroy(pf_producer_t* p) { delete p; }

int32_t pf_sink_flush(pf_sink_t* s) {
    return sink_guarded(s, "pf_sink_flush", [&] {
        s->sink.flush();
        return PF_STATUS_OK;
    });
}

int32_t pf_sink_stats(const pf_sink_t* s, pf_sink_stats_t* out) {
    if (!s || !out) {
        g_sink_thread_error = "pf_sink_stats: sink and stats must not be NULL";
        return PF_STATUS_INVALID_ARGUMENT;
    }
    const SinkStats t = s->sink.stats();
    static_assert(sizeof(pf_sink_stats_t) == sizeof(SinkStats), "pf_sink_stats_t and SinkStats differ");
    *out = pf_sink_stats_t{
        .attempted = t.attempted,
        .accepted = t.accepted,
        .dropped_full = t.dropped_full,
        .dropped_oversize = t.dropped_oversize,
        .dropped_closed = t.dropped_closed,
        .dropped_failed = t.dropped_failed,
        .rows_written = t.rows_written,
        .row_groups = t.row_groups,
        .files = t.files,
        .bytes_written = t.bytes_written,
        .ring_high_water = t.ring_high_water,
        .producers = t.producers,
        .rows_durable = t.rows_durable,
        .io_errors = t.io_errors,
        .retries = t.retries,
        .files_failed = t.files_failed,
        .rows_lost = t.rows_lost,
        .files_recovered = t.files_recovered,
        .rows_recovered = t.rows_recovered,
        .files_unrecoverable = t.files_unrecoverable,
        .blocked = t.blocked,
        .blocked_ns = t.blocked_ns,
        .dropped_invalid = t.dropped_invalid,
    };
    return PF_STATUS_OK;
}

int32_t pf_sink_close(pf_sink_t* s) {
    return sink_guarded(s, "pf_sink_close", [&] {
        s->sink.close();
        return PF_STATUS_OK;
    });
}

void pf_sink_destroy(pf_sink_t* s) { delete s; }

const char* pf_sink_last_error(const pf_sink_t*) { return g_sink_thread_error.c_str(); }

}  // extern "C"
