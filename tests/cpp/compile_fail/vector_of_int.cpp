// Must not compile: a range of 4-byte elements. (PF_COMPILE_FAIL_CONTROL: the right call.)
#include <vector>

#include "parquet_flow/sink.hpp"

void record(parquet_flow::Sink::Producer& producer) {
    const std::vector<int> values{1, 2, 3};
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(values);
#else
    producer.try_record(std::as_bytes(std::span(values)));
#endif
}
