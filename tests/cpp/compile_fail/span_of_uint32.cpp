// Must not compile: a span of 4-byte elements. (PF_COMPILE_FAIL_CONTROL: the right call.)
#include <cstdint>
#include <span>

#include "parquet_flow/sink.hpp"

void record(parquet_flow::Sink::Producer& producer, std::span<const std::uint32_t> words) {
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(words);
#else
    producer.try_record(std::as_bytes(words));
#endif
}
