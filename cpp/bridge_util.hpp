// Internal helpers for crossing the cxx bridge; never installed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "parquet_flow/error.hpp"
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

}  // namespace parquet_flow::detail
