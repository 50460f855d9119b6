// Must not compile: a const char* has no length (and must not bind std::string_view).
// (PF_COMPILE_FAIL_CONTROL: the right call.)
#include <string_view>

#include "parquet_flow/sink.hpp"

void record(parquet_flow::Sink::Producer& producer, const char* ptr) {
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(ptr);
#else
    producer.try_record(std::string_view(ptr));
#endif
}
