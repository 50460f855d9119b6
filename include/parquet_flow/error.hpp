// parquet_flow — errors.
#pragma once

#include <stdexcept>
#include <string>

namespace parquet_flow {

// The same codes as the C ABI's PF_STATUS_* values.
enum class ErrorCode : int {
    InvalidArgument = 1,  // bad schema, options or column data; nothing was written
    NotOpen = 2,          // the call does not fit the object's state (closed, never opened, ...)
    Internal = 3,         // I/O failures and anything else; the message names the file and OS error
    OutOfMemory = 4,
};

// Thrown by every parquet_flow call that can fail. what() names the column, the row group and
// what was expected, or the file and the OS error.
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

private:
    ErrorCode code_;
};

}  // namespace parquet_flow
