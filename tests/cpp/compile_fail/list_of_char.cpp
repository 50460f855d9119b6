// Must not compile: a range of bytes that is not contiguous. (PF_COMPILE_FAIL_CONTROL: the right
// call.)
#include <list>
#include <vector>

#include "parquet_flow/sink.hpp"

void record(parquet_flow::Sink::Producer& producer, const std::list<char>& chars) {
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(chars);
#else
    producer.try_record(std::vector<char>(chars.begin(), chars.end()));
#endif
}
