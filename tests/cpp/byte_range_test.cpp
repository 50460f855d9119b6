// Which bytes each try_record form hands to the entry point try_record(std::span<const std::byte>).
// Every form computes them with detail::record_bytes() (sink.hpp), so most tests here check that
// function: the exact address and length for each payload form, independent of the Rust core.
// The last test records every form through a real sink and writes the sidecar with the bytes each
// row must hold, which the reader_crosscheck ctest entry checks with pyarrow and DuckDB.
// (byte_range_compile_test.cpp checks which forms compile; tests/cpp/compile_fail/ the rejected
// ones.)
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parquet_flow/sink.hpp"
#include "test_data.hpp"

namespace pf = parquet_flow;

namespace {

// The record as the entry point would see it: its first byte's address and its length.
template <class P>
std::pair<const void*, std::size_t> recorded(P&& payload) {
    const std::span<const std::byte> bytes = pf::detail::record_bytes(std::forward<P>(payload));
    return {bytes.data(), bytes.size()};
}

template <class T>
std::pair<const void*, std::size_t> at(const T* data, std::size_t size) {
    return {static_cast<const void*>(data), size};
}

TEST(ByteRange, SpanOfUint8RecordsItsElementsNotTheSpanObject) {
    std::vector<std::uint8_t> buf(100, 0x5a);
    EXPECT_EQ(recorded(std::span<const std::uint8_t>(buf)), at(buf.data(), 100));
    EXPECT_EQ(recorded(std::span<std::uint8_t>(buf)), at(buf.data(), 100));
    EXPECT_EQ(recorded(std::span<const std::uint8_t>(buf).subspan(10, 20)), at(buf.data() + 10, 20));
    const std::span<const std::uint8_t, 100> fixed(buf.data(), 100);
    EXPECT_EQ(recorded(fixed), at(buf.data(), 100));
    const std::span<const std::uint8_t> lvalue(buf);
    EXPECT_EQ(recorded(lvalue), at(buf.data(), 100));
}

TEST(ByteRange, SpansOfEveryByteType) {
    char c[7] = {};
    signed char sc[6] = {};
    unsigned char uc[5] = {};
    std::int8_t i8[4] = {};
    std::byte b[3] = {};
    char8_t u8[2] = {};
    EXPECT_EQ(recorded(std::span<const char>(c)), at(c, 7));
    EXPECT_EQ(recorded(std::span<char, 7>(c)), at(c, 7));
    EXPECT_EQ(recorded(std::span<const signed char>(sc)), at(sc, 6));
    EXPECT_EQ(recorded(std::span<const unsigned char>(uc)), at(uc, 5));
    EXPECT_EQ(recorded(std::span<const std::int8_t>(i8)), at(i8, 4));
    EXPECT_EQ(recorded(std::span<const std::byte>(b)), at(b, 3));
    EXPECT_EQ(recorded(std::span<std::byte>(b)), at(b, 3));
    EXPECT_EQ(recorded(std::as_bytes(std::span(c))), at(c, 7));
    EXPECT_EQ(recorded(std::span<const char8_t>(u8)), at(u8, 2));
}

TEST(ByteRange, CharArrayRecordsTheWholeBufferEmbeddedNulsIncluded) {
    char buf[8] = {'a', 'b', '\0', 'd', 'e', 'f', 'g', '\0'};
    EXPECT_EQ(recorded(buf), at(buf, 8));
    EXPECT_EQ(recorded(std::move(buf)), at(buf, 8));
    std::uint8_t u[8] = {1, 2, 0, 4, 5, 6, 7, 0};
    EXPECT_EQ(recorded(u), at(u, 8));
    const std::uint8_t cu[4] = {1, 2, 3, 0};  // const, but not a literal's type: all 4
    EXPECT_EQ(recorded(cu), at(cu, 4));
    const unsigned char cuc[3] = {1, 2, 0};
    EXPECT_EQ(recorded(cuc), at(cuc, 3));
    std::byte b[2] = {};
    EXPECT_EQ(recorded(b), at(b, 2));
    // What try_record(std::string_view(buf)) would record instead: up to the first NUL.
    EXPECT_EQ(recorded(std::string_view(buf)), at(buf, 2));
}

TEST(ByteRange, StringLiteralRecordsItsCharactersWithoutTheTerminatingNul) {
    const char* const abc = "abc";  // (not passed: only to compare sizes)
    EXPECT_EQ(recorded("abc").second, std::strlen(abc));
    EXPECT_EQ(recorded("").second, 0u);
    EXPECT_EQ(recorded("a\0b").second, 3u);       // embedded NULs stay; only the terminator goes
    EXPECT_EQ(recorded("ab\0").second, 3u);       // one '\0' dropped: 'a', 'b', '\0'
    EXPECT_EQ(recorded(u8"abc").second, 3u);
    static constexpr char literal[] = "xyz";
    EXPECT_EQ(recorded(literal), at(literal, 3));
    // A const char array is a literal's type: one trailing NUL goes, whatever the intent...
    const char fixed[4] = {'A', 'B', 'C', '\0'};
    EXPECT_EQ(recorded(fixed), at(fixed, 3));
    // ...and without one, all N are kept.
    const char unterminated[4] = {'A', 'B', 'C', 'D'};
    EXPECT_EQ(recorded(unterminated), at(unterminated, 4));
    // The documented way to record such a buffer whole.
    EXPECT_EQ(recorded(std::span(fixed)), at(fixed, 4));
}

TEST(ByteRange, ConstAccessToACharArrayMemberFollowsTheLiteralRule) {
    struct Row {
        char name[6];
    } row{{'a', 'b', 'c', '\0', '\0', '\0'}};
    const Row& view = row;
    EXPECT_EQ(recorded(row.name), at(row.name, 6));   // char[6]: all
    EXPECT_EQ(recorded(view.name), at(row.name, 5));  // const char[6]: one trailing NUL dropped
    EXPECT_EQ(recorded(std::span(view.name)), at(row.name, 6));
}

TEST(ByteRange, ContainersRecordExactlyTheirElements) {
    const std::vector<char> vc{'x', '\0', 'y'};
    EXPECT_EQ(recorded(vc), at(vc.data(), 3));
    std::vector<std::uint8_t> vu{1, 2, 3, 4};
    EXPECT_EQ(recorded(vu), at(vu.data(), 4));
    const std::vector<std::byte> vb(9);
    EXPECT_EQ(recorded(vb), at(vb.data(), 9));
    const std::vector<std::uint8_t> empty;
    EXPECT_EQ(recorded(empty).second, 0u);
    const std::array<std::uint8_t, 5> arr{1, 2, 3, 4, 5};
    EXPECT_EQ(recorded(arr), at(arr.data(), 5));
    std::array<char, 4> carr{'a', 'b', 'c', '\0'};  // std::array is a range, not a C array: all 4
    EXPECT_EQ(recorded(carr), at(carr.data(), 4));
    const std::array<const char, 4> ccarr{'a', 'b', 'c', '\0'};
    EXPECT_EQ(recorded(ccarr), at(ccarr.data(), 4));
}

TEST(ByteRange, StringsRecordEmbeddedNuls) {
    const std::string s("ab\0cd\0", 6);
    EXPECT_EQ(recorded(s), at(s.data(), 6));
    const std::string_view sv(s);
    EXPECT_EQ(recorded(sv), at(s.data(), 6));
    EXPECT_EQ(recorded(sv.substr(1, 3)), at(s.data() + 1, 3));
    const std::basic_string<unsigned char> us(5, 7);
    EXPECT_EQ(recorded(us), at(us.data(), 5));
    const std::u8string u8s(u8"héllo");
    EXPECT_EQ(recorded(u8s), at(u8s.data(), 6));
    const std::string empty;
    EXPECT_EQ(recorded(empty).second, 0u);
}

TEST(ByteRange, TriviallyCopyableObjectRecordsItsObjectRepresentation) {
    struct Msg {
        int a;
        double b;
    } msg{1, 2.0};
    EXPECT_EQ(recorded(msg), at(&msg, sizeof(Msg)));
    const Msg& cmsg = msg;
    EXPECT_EQ(recorded(cmsg), at(&msg, sizeof(Msg)));
#pragma pack(push, 1)
    struct Packed {
        char type;
        std::uint64_t id;
    } packed{'A', 42};
#pragma pack(pop)
    EXPECT_EQ(recorded(packed), at(&packed, 9));
    const std::uint32_t n = 7;
    EXPECT_EQ(recorded(n), at(&n, 4));
    struct NoAddressOf {
        std::uint16_t v;
        void operator&() const = delete;
    } odd{3};
    EXPECT_EQ(recorded(odd), at(std::addressof(odd), 2));
}

TEST(ByteRange, ClassesConvertingToBytesOrStringViewRecordWhatTheyConvertTo) {
    struct ToString {
        const char* p;
        std::size_t n;
        operator std::string_view() const { return {p, n}; }
    };
    const char text[] = "hello";
    const ToString ts{text, 5};
    EXPECT_EQ(recorded(ts), at(text, 5));
    struct ToBytes {
        const std::byte* p;
        std::size_t n;
        operator std::span<const std::byte>() const { return {p, n}; }
    };
    const std::byte raw[6] = {};
    const ToBytes tb{raw, 6};
    EXPECT_EQ(recorded(tb), at(raw, 6));
}


// Every form through a real sink. max_record_bytes = 100 turns the oversize check into a length
// probe: a form that recorded its span object (16 bytes) or stopped at a NUL would be accepted
// where 101 bytes must be dropped, and a literal recorded with its NUL would be dropped.
TEST(ByteRange, EveryFormThroughASinkWritesExactlyItsBytes) {
    const auto dir = pftest::output_dir("byte_range") / "forms";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    pf::SinkOptions options;
    options.path = dir / "forms.parquet";
    options.max_record_bytes = 100;
    options.flush_interval = std::chrono::nanoseconds(0);  // one row group, written by close()
    pf::Sink sink(options);
    auto producer = sink.producer();
    std::vector<std::string> expected;  // the raw bytes of each accepted record, in order
    const auto expect = [&](bool accepted, std::string_view bytes) {
        EXPECT_TRUE(accepted) << "record " << expected.size();
        expected.emplace_back(bytes);
    };
    constexpr std::int64_t ts = 1'700'000'000'000'000'000;

    std::array<std::uint8_t, 101> counting{};
    for (std::size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<std::uint8_t>(i);
    const std::string counting_100(reinterpret_cast<const char*>(counting.data()), 100);
    expect(producer.try_record(std::span<const std::uint8_t>(counting.data(), 100)), counting_100);
    expect(producer.try_record(std::span<std::uint8_t, 100>(counting.data(), 100)), counting_100);
    const char hello[] = {'h', 'e', 'l', 'l', 'o'};
    expect(producer.try_record(std::span<const char>(hello)), "hello");
    const std::byte three[] = {std::byte{1}, std::byte{2}, std::byte{3}};
    expect(producer.try_record(std::span<const std::byte, 3>(three)), std::string_view("\1\2\3", 3));
    char buf[8] = {'a', 'b', '\0', 'd', 'e', 'f', 'g', '\0'};
    expect(producer.try_record(buf), std::string_view("ab\0defg\0", 8));
    std::uint8_t u[5] = {9, 8, 7, 6, 5};
    expect(producer.try_record(u), "\x09\x08\x07\x06\x05");
    expect(producer.try_record("abc"), "abc");
    expect(producer.try_record(""), "");
    expect(producer.try_record(std::vector<char>{'x', '\0', 'y'}), std::string_view("x\0y", 3));
    const std::vector<std::uint8_t> vu{0xff, 0x00, 0x7f};
    expect(producer.try_record(vu), std::string_view("\xff\0\x7f", 3));
    expect(producer.try_record(std::array<std::uint8_t, 5>{1, 2, 3, 4, 5}), "\1\2\3\4\5");
    const std::string embedded("ab\0cd", 5);
    expect(producer.try_record(embedded), embedded);
    expect(producer.try_record(std::string_view("view")), "view");
    expect(producer.try_record(std::basic_string<unsigned char>(3, 0xab)), "\xab\xab\xab");
    expect(producer.try_record(std::u8string(u8"\u00e9")), "\xc3\xa9");
#pragma pack(push, 1)
    struct Packed {
        char type;
        std::uint64_t id;
    } packed{'A', 0x0102030405060708};
#pragma pack(pop)
    std::string packed_bytes(sizeof packed, '\0');
    std::memcpy(packed_bytes.data(), &packed, sizeof packed);
    expect(producer.try_record(packed), packed_bytes);

    // The same forms with a receive timestamp.
    expect(producer.try_record(std::span<const std::uint8_t>(counting.data(), 10), ts), counting_100.substr(0, 10));
    expect(producer.try_record(buf, ts), std::string_view("ab\0defg\0", 8));
    expect(producer.try_record("xyz", ts), "xyz");
    expect(producer.try_record(vu, ts), std::string_view("\xff\0\x7f", 3));
    expect(producer.try_record(std::vector<std::byte>{std::byte{0x42}}, ts), "\x42");
    expect(producer.try_record(embedded, ts), embedded);
    expect(producer.try_record(packed, ts), packed_bytes);

    // Length probes at max_record_bytes = 100.
    expect(producer.try_record("0123456789" "0123456789" "0123456789" "0123456789" "0123456789"
                               "0123456789" "0123456789" "0123456789" "0123456789" "0123456789"),
           "0123456789" "0123456789" "0123456789" "0123456789" "0123456789"
           "0123456789" "0123456789" "0123456789" "0123456789" "0123456789");
    EXPECT_FALSE(producer.try_record(std::span<const std::uint8_t>(counting)));  // 101 bytes
    char big[101] = {'a', 'b'};                                                   // NUL at index 2
    EXPECT_FALSE(producer.try_record(big));
    EXPECT_FALSE(producer.try_record(std::vector<std::uint8_t>(101), ts));

    const pf::SinkStats stats = sink.close();
    EXPECT_EQ(stats.accepted, expected.size());
    EXPECT_EQ(stats.rows_written, expected.size());
    EXPECT_EQ(stats.dropped_oversize, 3u);
    EXPECT_EQ(stats.attempted, expected.size() + 3);

    pftest::GeneratedColumn payload{{"payload", pf::PhysicalType::ByteArray, pf::Repetition::Required, 0, {}, {}},
                                    {}, {}, {}, {}, {}};
    for (const std::string& bytes : expected) payload.rows.push_back(pftest::hex_json(bytes));
    pftest::write_sidecar({options.path, pf::Compression::Uncompressed, {{payload}}, {}});
}

}  // namespace
