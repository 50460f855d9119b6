// Must compile, with the command line the compile_fail cases use: every accepted payload form,
// with and without a receive timestamp. (If this fails, so would every case, for the wrong reason.)
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parquet_flow/sink.hpp"

struct Message {
    std::int64_t price;
    std::int32_t size;
    char side;
};

void record(parquet_flow::Sink::Producer& producer, std::int64_t ts) {
    std::vector<std::uint8_t> bytes(100);
    char buf[8] = {};
    const std::array<std::byte, 4> fixed{};
    const std::string text("a\0b", 3);
    const Message message{1, 2, 'B'};
    producer.try_record(std::span<const std::uint8_t>(bytes));
    producer.try_record(std::span<const std::byte>(std::as_bytes(std::span(bytes))));
    producer.try_record(std::span<const char>(buf));
    producer.try_record(bytes);
    producer.try_record(std::vector<char>{'x'});
    producer.try_record(buf);
    producer.try_record(fixed);
    producer.try_record(text);
    producer.try_record(std::string_view(text));
    producer.try_record(std::u8string(u8"x"));
    producer.try_record("abc");
    producer.try_record(message);
    producer.try_record(bytes, ts);
    producer.try_record(buf, ts);
    producer.try_record("abc", ts);
    producer.try_record(message, ts);
    producer.try_record(std::span<const std::byte>(), ts);
}
