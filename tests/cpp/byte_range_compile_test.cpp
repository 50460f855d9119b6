// Compile-time checks of which payloads Sink::Producer::try_record accepts (sink.hpp): every
// contiguous range of 1-byte elements, C arrays of them, string literals and trivially copyable
// objects; never pointers, iterators, ranges of wider elements, non-contiguous ranges or buffer
// views.
// The whole test is the static_asserts below; tests/cpp/compile_fail/ checks the rejections again
// with a real compiler run per case.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parquet_flow/sink.hpp"

namespace pf = parquet_flow;

namespace {

// T is the argument's type as a forwarding reference sees it: `X&` an lvalue, `const X&` a const
// lvalue, `X` an rvalue.
template <class T>
concept Recordable = requires(pf::Sink::Producer& p) { p.try_record(std::declval<T>()); };
template <class T>
concept RecordableAt = requires(pf::Sink::Producer& p) { p.try_record(std::declval<T>(), std::int64_t{1}); };
// Recordable in both forms, as an lvalue, a const lvalue and an rvalue, and noexcept.
template <class T>
concept Accepted = Recordable<T&> && Recordable<const T&> && Recordable<T> && RecordableAt<T&> &&
                   RecordableAt<const T&> && RecordableAt<T> &&
                   noexcept(std::declval<pf::Sink::Producer&>().try_record(std::declval<const T&>())) &&
                   noexcept(std::declval<pf::Sink::Producer&>().try_record(std::declval<T&>(), std::int64_t{1}));
// Recordable in neither form, in no value category.
template <class T>
concept Rejected = !Recordable<T&> && !Recordable<const T&> && !Recordable<T> && !RecordableAt<T&> &&
                   !RecordableAt<const T&> && !RecordableAt<T>;

struct Msg {
    int a;
    double b;
};
#pragma pack(push, 1)
struct Packed {
    char type;
    std::uint64_t id;
};
#pragma pack(pop)
enum class Side : char { Buy = 'B', Sell = 'S' };

// A non-range class with data() and size(): its object bytes would be a pointer and a length.
struct BufferView {
    const std::uint8_t* p;
    std::size_t n;
    const std::uint8_t* data() const { return p; }
    std::size_t size() const { return n; }
};
// Non-range classes that convert to what the entry point takes: recorded as what they convert to.
struct ToString {
    char chars[4];
    operator std::string_view() const { return {chars, 4}; }
};
struct ToBytes {
    std::byte bytes[4];
    operator std::span<const std::byte>() const { return bytes; }
};

// Contiguous ranges of 1-byte elements, const or not, static or dynamic extent.
static_assert(Accepted<std::span<const std::byte>>);
static_assert(Accepted<std::span<std::byte>>);
static_assert(Accepted<std::span<const std::byte, 16>>);
static_assert(Accepted<std::span<const std::uint8_t>>);
static_assert(Accepted<std::span<std::uint8_t>>);
static_assert(Accepted<std::span<const std::uint8_t, 100>>);
static_assert(Accepted<std::span<const std::int8_t>>);
static_assert(Accepted<std::span<const char>>);
static_assert(Accepted<std::span<char, 8>>);
static_assert(Accepted<std::span<const unsigned char>>);
static_assert(Accepted<std::span<const signed char>>);
static_assert(Accepted<std::span<const char8_t>>);
static_assert(Accepted<std::vector<std::uint8_t>>);
static_assert(Accepted<std::vector<std::int8_t>>);
static_assert(Accepted<std::vector<char>>);
static_assert(Accepted<std::vector<unsigned char>>);
static_assert(Accepted<std::vector<std::byte>>);
static_assert(Accepted<std::array<std::uint8_t, 5>>);
static_assert(Accepted<std::array<char, 3>>);
static_assert(Accepted<std::array<std::byte, 1>>);
static_assert(Accepted<std::string>);
static_assert(Accepted<std::string_view>);
static_assert(Accepted<std::basic_string<unsigned char>>);
static_assert(Accepted<std::basic_string_view<unsigned char>>);
static_assert(Accepted<std::u8string>);
static_assert(Accepted<std::u8string_view>);

// C arrays of 1-byte elements and string literals (a literal is an lvalue `const char[N]`).
static_assert(Accepted<char[8]>);
static_assert(Accepted<std::uint8_t[8]>);
static_assert(Accepted<std::byte[8]>);
static_assert(Accepted<signed char[2]>);
static_assert(Accepted<char8_t[4]>);
static_assert(Recordable<decltype("abc")>);
static_assert(Recordable<decltype(u8"abc")>);
static_assert(RecordableAt<decltype("abc")>);
static_assert(std::is_same_v<decltype("abc"), const char(&)[4]>);

// Trivially copyable objects, and classes converting to a byte span or a string_view.
static_assert(Accepted<Msg>);
static_assert(Accepted<Packed>);
static_assert(Accepted<int>);
static_assert(Accepted<std::uint64_t>);
static_assert(Accepted<Side>);
static_assert(Accepted<ToString>);
static_assert(Accepted<ToBytes>);

// Pointers: no length. const char* must not bind std::string_view, nor record 8 pointer bytes.
static_assert(Rejected<const char*>);
static_assert(Rejected<char*>);
static_assert(Rejected<const std::uint8_t*>);
static_assert(Rejected<const std::byte*>);
static_assert(Rejected<const void*>);
static_assert(Rejected<int*>);
static_assert(Rejected<Msg*>);
static_assert(Rejected<std::vector<std::uint8_t>*>);
static_assert(Rejected<std::nullptr_t>);
static_assert(Rejected<int Msg::*>);
static_assert(Rejected<void (*)()>);

// Ranges (and arrays) of elements wider than 1 byte, or of bool, or not contiguous.
static_assert(Rejected<std::vector<int>>);
static_assert(Rejected<std::vector<std::uint16_t>>);
static_assert(Rejected<std::vector<Msg>>);
static_assert(Rejected<std::vector<bool>>);
static_assert(Rejected<std::span<const int>>);
static_assert(Rejected<std::span<const std::uint32_t>>);
static_assert(Rejected<std::span<const std::uint32_t, 4>>);
static_assert(Rejected<std::array<int, 4>>);
static_assert(Rejected<std::array<bool, 4>>);
static_assert(Rejected<std::u16string>);
static_assert(Rejected<std::wstring_view>);
static_assert(Rejected<std::list<char>>);
static_assert(Rejected<std::deque<std::uint8_t>>);
static_assert(Rejected<int[4]>);
static_assert(Rejected<Msg[2]>);
static_assert(Rejected<bool[4]>);
static_assert(Rejected<char[2][4]>);
static_assert(Rejected<std::span<const volatile char>>);

// Buffer views that are not ranges.
static_assert(Rejected<BufferView>);

// Iterators: like pointers, no length (their object bytes would be an address).
static_assert(Rejected<std::vector<std::uint8_t>::iterator>);
static_assert(Rejected<std::string::const_iterator>);
static_assert(Rejected<std::span<const std::byte>::iterator>);

// Not trivially copyable and not a range: no overload at all.
struct NotTrivial {
    NotTrivial(const NotTrivial&) {}
};
static_assert(Rejected<NotTrivial>);

// The receive timestamp does not turn a wrong payload into a right one, nor vice versa.
static_assert(!RecordableAt<const char*>);
static_assert(RecordableAt<std::span<const std::uint8_t>>);

// record_bytes() is the single mapping every form uses, and returns the entry point's type.
static_assert(std::is_same_v<decltype(pf::detail::record_bytes(std::declval<std::vector<char>&>())),
                             std::span<const std::byte>>);
static_assert(noexcept(pf::detail::record_bytes(std::declval<const char(&)[4]>())));

}  // namespace
