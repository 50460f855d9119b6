// Must not compile: a const char* has no length, with a receive timestamp either.
// (PF_COMPILE_FAIL_CONTROL: the right call.)
#include <cstdint>
#include <string_view>

#include "parquet_flow/sink.hpp"

void record(parquet_flow::Sink::Producer& producer, const char* ptr, std::int64_t recv_ts_ns) {
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(ptr, recv_ts_ns);
#else
    producer.try_record(std::string_view(ptr), recv_ts_ns);
#endif
}
