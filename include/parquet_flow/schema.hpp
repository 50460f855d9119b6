// parquet_flow — schema: an ordered list of top-level primitive columns.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parquet_flow/types.hpp"

namespace parquet_flow {

struct Column {
    std::string name;
    PhysicalType physical = PhysicalType::ByteArray;
    Repetition repetition = Repetition::Required;
    // Bytes per value for FIXED_LEN_BYTE_ARRAY; leave 0 for the other types.
    std::uint32_t type_length = 0;
    LogicalType logical{};
    // This column's codec, if it differs from WriterOptions::compression.
    std::optional<Compression> compression{};
    // This column's statistics, if they differ from WriterOptions::statistics.
    std::optional<Statistics> statistics{};
    // This column's value encoding; unset: RleDictionary (Plain for BOOLEAN), see Encoding.
    std::optional<Encoding> encoding{};
};

// Builds a schema; the Writer validates it when it opens (non-empty, unique names, type lengths,
// logical types that fit their physical types) and reports the first problem it finds.
class Schema {
public:
    Schema() = default;

    Schema& add(Column column) {
        columns_.push_back(std::move(column));
        return *this;
    }
    Schema& required(std::string name, PhysicalType physical, LogicalType logical = {}) {
        return add({std::move(name), physical, Repetition::Required, 0, logical});
    }
    Schema& optional(std::string name, PhysicalType physical, LogicalType logical = {}) {
        return add({std::move(name), physical, Repetition::Optional, 0, logical});
    }
    Schema& repeated(std::string name, PhysicalType physical, LogicalType logical = {}) {
        return add({std::move(name), physical, Repetition::Repeated, 0, logical});
    }
    Schema& fixed_len_byte_array(std::string name, std::uint32_t type_length,
                                 Repetition repetition = Repetition::Required,
                                 LogicalType logical = {}) {
        return add({std::move(name), PhysicalType::FixedLenByteArray, repetition, type_length,
                    logical});
    }

    std::span<const Column> columns() const noexcept { return columns_; }
    std::size_t size() const noexcept { return columns_.size(); }

private:
    std::vector<Column> columns_;
};

}  // namespace parquet_flow
