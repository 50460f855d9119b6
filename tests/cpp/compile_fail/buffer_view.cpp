// Must not compile: a trivially copyable view with data() and size() that is not a range — its
// object bytes are a pointer and a length. (PF_COMPILE_FAIL_CONTROL: the right call.)
#include <cstddef>
#include <cstdint>
#include <span>

#include "parquet_flow/sink.hpp"

struct BufferView {
    const std::uint8_t* ptr;
    std::size_t len;
    const std::uint8_t* data() const { return ptr; }
    std::size_t size() const { return len; }
};

void record(parquet_flow::Sink::Producer& producer, BufferView view) {
#ifndef PF_COMPILE_FAIL_CONTROL
    producer.try_record(view);
#else
    producer.try_record(std::span(view.data(), view.size()));
#endif
}
