// Internal helpers for crossing the cxx bridge; never installed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parquet_flow/error.hpp"
#include "parquet_flow/table.hpp"
#include "parquet_flow_core/bridge.rs.h"

namespace parquet_flow::detail {

// rust::Slice needs a non-null pointer even when empty; std::span and std::string may hand out
// nullptr for empty data.
template <class T>
rust::Slice<const T> slice(std::span<const T> s) noexcept {
    static const T empty{};
    return rust::Slice<const T>(s.empty() ? &empty : s.data(), s.size());
}

inline rust::Slice<const std::uint8_t> byte_slice(std::string_view s) noexcept {
    return slice(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()),
                                               s.size()));
}

inline void throw_if_error(const bridge::Status& status) {
    if (status.code != 0) {
        throw Error(static_cast<ErrorCode>(status.code), std::string(status.message));
    }
}

// A logical annotation as the bridge carries it, and back (the one place for either way).
inline bridge::LogicalSpec logical_spec(const LogicalType& l) noexcept {
    return bridge::LogicalSpec{
        static_cast<std::uint8_t>(l.kind()),
        static_cast<std::uint8_t>(l.unit()),
        l.adjusted_to_utc(),
        static_cast<std::uint8_t>(l.bit_width()),
        l.is_signed(),
        l.precision(),
        l.scale(),
    };
}

inline LogicalType logical_type(const bridge::LogicalSpec& s) noexcept {
    const auto unit = static_cast<TimeUnit>(s.time_unit);
    switch (static_cast<LogicalType::Kind>(s.kind)) {
        case LogicalType::Kind::None: break;
        case LogicalType::Kind::String: return LogicalType::string();
        case LogicalType::Kind::Enum: return LogicalType::enum_();
        case LogicalType::Kind::Json: return LogicalType::json();
        case LogicalType::Kind::Uuid: return LogicalType::uuid();
        case LogicalType::Kind::Date: return LogicalType::date();
        case LogicalType::Kind::Time: return LogicalType::time(unit, s.utc);
        case LogicalType::Kind::Timestamp: return LogicalType::timestamp(unit, s.utc);
        case LogicalType::Kind::Integer: return LogicalType::integer(s.int_bits, s.int_signed);
        case LogicalType::Kind::Decimal: return LogicalType::decimal(s.precision, s.scale);
    }
    return LogicalType::none();
}

// The bridge's view of tables: one TableSpec per table, its fields a range of `fields`. The
// specs point into `layouts`, which must outlive them.
inline void table_specs(std::span<const TableLayout> layouts, std::vector<bridge::TableSpec>& tables,
                        std::vector<bridge::FieldSpec>& fields) {
    for (const TableLayout& t : layouts) {
        tables.push_back(bridge::TableSpec{byte_slice(t.name), t.record_bytes, fields.size(), t.fields.size()});
        for (const Field& f : t.fields) {
            fields.push_back(bridge::FieldSpec{
                byte_slice(f.name),
                f.offset,
                static_cast<std::int32_t>(f.type),
                f.length,
                logical_spec(f.logical),
                f.encoding ? static_cast<std::int32_t>(*f.encoding) : -1,
            });
        }
    }
}

}  // namespace parquet_flow::detail
