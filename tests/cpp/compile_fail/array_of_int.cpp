// Must not compile: a C array of 4-byte elements. (PF_COMPILE_FAIL_CONTROL: the right call.)
#include <span>

#include "parquet_flow/sink.hpp"

void record(parquet_flow::Sink::Producer& producer) {
    const int values[4] = {1, 2, 3, 4};
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(values);
#else
    producer.try_record(std::as_bytes(std::span(values)));
#endif
}
