// Must not compile: a pointer to a byte vector (its 8 address bytes are not the record).
// (PF_COMPILE_FAIL_CONTROL: the right call.)
#include <cstdint>
#include <vector>

#include "parquet_flow/sink.hpp"

void record(parquet_flow::Sink::Producer& producer, const std::vector<std::uint8_t>* bytes) {
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(bytes);
#else
    producer.try_record(*bytes);
#endif
}
