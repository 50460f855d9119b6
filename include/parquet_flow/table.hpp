// parquet_flow — typed tables: a C++ struct becomes typed Parquet columns.
//
//   struct Trade {                       // the feed handler's own message struct
//       std::int64_t ts;                 // ns since the Unix epoch
//       std::uint64_t order_id;
//       std::int64_t price;              // 1/10,000ths
//       std::uint32_t shares;
//       char symbol[8];
//       char side;
//   };
//   parquet_flow::SinkOptions options;
//   options.path = "capture/{table}/part-{seq}.parquet";
//   auto trades = options.add_table(parquet_flow::Table<Trade>("trades", {
//       parquet_flow::field("ts", &Trade::ts, parquet_flow::LogicalType::timestamp(parquet_flow::TimeUnit::Nanos)),
//       parquet_flow::field("order_id", &Trade::order_id),
//       parquet_flow::field("price", &Trade::price, parquet_flow::LogicalType::decimal(18, 4)),
//       parquet_flow::field("shares", &Trade::shares),
//       parquet_flow::field("symbol", &Trade::symbol),
//       parquet_flow::field("side", &Trade::side),
//   }));
//   parquet_flow::Sink sink(options);
//   auto producer = sink.producer();
//   producer.try_record(trades, trade);  // only a Trade compiles; one copy of its bytes
//
// The hot path copies the record's sizeof(T) bytes into the producer's ring, as a blob record;
// the worker transposes records into one typed column per field (with statistics, dictionary,
// DELTA or BYTE_STREAM_SPLIT encodings) off the hot path. Each table has its own files
// ({table} in the path pattern), row groups and rotation. The same table writes batches with
// Writer: Writer(path, trades) then writer.write_records(std::span<const Trade>).
//
// Field types come from the members' C++ types (field() below); offsets from the member
// pointers. Columns are REQUIRED; a field's column type and default annotation and encoding
// are listed in docs/FORMAT.md ("Typed tables").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "parquet_flow/types.hpp"

namespace parquet_flow {

// How a field's bytes are read (little-endian); the values are the C ABI's PF_FIELD_* codes.
enum class FieldType : std::uint8_t {
    Bool = 0,    // BOOLEAN (any nonzero byte is true)
    Int8 = 1,    // INT32 annotated INTEGER(8, signed)
    Int16 = 2,   // INT32 annotated INTEGER(16, signed)
    Int32 = 3,   // INT32
    Int64 = 4,   // INT64
    UInt8 = 5,   // INT32 annotated INTEGER(8, unsigned)
    UInt16 = 6,  // INT32 annotated INTEGER(16, unsigned)
    UInt32 = 7,  // INT32 annotated INTEGER(32, unsigned); INT64 under a DECIMAL
    UInt64 = 8,  // INT64 annotated INTEGER(64, unsigned)
    Float = 9,   // FLOAT
    Double = 10, // DOUBLE
    Chars = 11,  // char[length]: BYTE_ARRAY STRING, trailing NULs trimmed (invalid UTF-8 -> U+FFFD)
    Bytes = 12,  // std::byte/unsigned char[length]: FIXED_LEN_BYTE_ARRAY(length)
};

// One field of a record: where it lies and what it becomes.
struct Field {
    std::string name;
    std::uint32_t offset = 0;  // bytes from the start of the record
    FieldType type = FieldType::Int64;
    std::uint32_t length = 0;  // Chars and Bytes: bytes; 0 for the other types
    // None: the type's natural annotation (e.g. UInt32 -> INTEGER(32, unsigned), Chars ->
    // STRING). Else timestamp, time, date, decimal, string, enum_, json or uuid where it fits.
    LogicalType logical{};
    std::optional<Encoding> encoding{};  // unset: the library's choice for the type
};

// A table as the sink and the writer see it: a name (the path pattern's {table}), the fields,
// and the length every record has. Table<T> builds one from a struct; a layout may also be
// written by hand (the C ABI does).
struct TableLayout {
    std::string name;
    std::vector<Field> fields;
    std::uint32_t record_bytes = 0;
    // The C++ record type the layout was made from (Table<T>), or null: checked by
    // Writer::write_records<T>.
    const void* record_type = nullptr;
};

namespace detail {

template <class T>
inline constexpr char record_type_tag = 0;

template <class T>
constexpr const void* record_type_of() noexcept {
    return &record_type_tag<T>;
}

template <class M>
struct field_traits {
    static constexpr bool supported = false;
};

template <class M>
    requires(std::is_integral_v<M> || std::is_enum_v<M> || std::is_floating_point_v<M>)
struct field_traits<M> {
    using V = typename std::conditional_t<std::is_enum_v<M>, std::underlying_type<M>,
                                          std::type_identity<M>>::type;
    static constexpr bool supported =
        std::is_same_v<V, bool> || std::is_same_v<V, char> || std::is_same_v<V, float> ||
        std::is_same_v<V, double> || (std::is_integral_v<V> && sizeof(V) <= 8);
    static constexpr FieldType type() {
        if constexpr (std::is_same_v<V, bool>) return FieldType::Bool;
        else if constexpr (std::is_same_v<V, char>) return FieldType::Chars;  // a one-letter code
        else if constexpr (std::is_same_v<V, float>) return FieldType::Float;
        else if constexpr (std::is_same_v<V, double>) return FieldType::Double;
        else if constexpr (std::is_signed_v<V>) {
            return sizeof(V) == 1 ? FieldType::Int8
                 : sizeof(V) == 2 ? FieldType::Int16
                 : sizeof(V) == 4 ? FieldType::Int32
                                  : FieldType::Int64;
        } else {
            return sizeof(V) == 1 ? FieldType::UInt8
                 : sizeof(V) == 2 ? FieldType::UInt16
                 : sizeof(V) == 4 ? FieldType::UInt32
                                  : FieldType::UInt64;
        }
    }
    static constexpr std::uint32_t length = std::is_same_v<V, char> ? 1 : 0;
};

// char[N] and std::array<char, N>: text. unsigned char, signed char, std::byte arrays: bytes.
template <class E, std::size_t N>
struct byte_array_traits {
    static constexpr bool supported =
        N > 0 && (std::is_same_v<E, char> || std::is_same_v<E, unsigned char> ||
                  std::is_same_v<E, signed char> || std::is_same_v<E, std::byte>);
    static constexpr FieldType type() {
        return std::is_same_v<E, char> ? FieldType::Chars : FieldType::Bytes;
    }
    static constexpr std::uint32_t length = static_cast<std::uint32_t>(N);
};

template <class E, std::size_t N>
struct field_traits<E[N]> : byte_array_traits<E, N> {};
template <class E, std::size_t N>
struct field_traits<std::array<E, N>> : byte_array_traits<E, N> {};

// The member's offset in T, from a member pointer (no T is constructed).
template <class T, class M>
std::uint32_t member_offset(M T::*member) noexcept {
    union Storage {
        char none;
        T object;
        constexpr Storage() : none() {}
    };
    static const Storage storage;
    const auto* base = reinterpret_cast<const char*>(&storage.object);
    const auto* at = reinterpret_cast<const char*>(&(storage.object.*member));
    return static_cast<std::uint32_t>(at - base);
}

template <class T>
concept table_record = std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T> &&
                       !std::is_polymorphic_v<T> && std::is_class_v<T>;

}  // namespace detail

// A field of T, as field() makes it: only fields of T go into a Table<T>.
template <class T>
struct TableField {
    Field field;
};

// A field from a member of T: its offset from the member pointer, its type from the member's
// C++ type — bool, char (a one-letter STRING), signed and unsigned integers of 8 to 64 bits,
// float, double, enums (as their underlying type), char[N] / std::array<char, N> (STRING,
// trailing NULs trimmed) and unsigned char / signed char / std::byte arrays
// (FIXED_LEN_BYTE_ARRAY(N)). Members of nested structs: write the Field by hand
// (Table<T>::from_layout).
template <class T, class M>
TableField<T> field(std::string name, M T::*member, LogicalType logical = {},
                    std::optional<Encoding> encoding = {}) {
    static_assert(detail::table_record<T>,
                  "a table's record type must be a trivially copyable, non-polymorphic struct");
    static_assert(detail::field_traits<M>::supported,
                  "unsupported member type: use bool, char, integers of 8-64 bits, float, "
                  "double, an enum, or an array of char / unsigned char / std::byte");
    return TableField<T>{Field{std::move(name), detail::member_offset(member),
                               detail::field_traits<M>::type(), detail::field_traits<M>::length,
                               logical, encoding}};
}

// A table of records of type T (sizeof(T) bytes each). Add it to SinkOptions (add_table) to
// capture it, or open a Writer with it to write batches.
template <class T>
class Table {
    static_assert(detail::table_record<T>,
                  "a table's record type must be a trivially copyable, non-polymorphic struct");

public:
    using record_type = T;

    Table(std::string name, std::initializer_list<TableField<T>> fields) {
        layout_.name = std::move(name);
        layout_.record_bytes = static_cast<std::uint32_t>(sizeof(T));
        layout_.record_type = detail::record_type_of<T>();
        layout_.fields.reserve(fields.size());
        for (const TableField<T>& f : fields) layout_.fields.push_back(f.field);
    }

    // A layout written by hand (nested members, a wire format's own offsets); record_bytes
    // is sizeof(T).
    static Table from_layout(std::string name, std::vector<Field> fields) {
        Table t(std::move(name), {});
        t.layout_.fields = std::move(fields);
        return t;
    }

    const TableLayout& layout() const noexcept { return layout_; }
    const std::string& name() const noexcept { return layout_.name; }
    // Its index among the sink's tables (SinkOptions::add_table sets it); 0 until added.
    std::uint32_t index() const noexcept { return index_; }

private:
    friend struct SinkOptions;
    TableLayout layout_;
    std::uint32_t index_ = 0;
};

}  // namespace parquet_flow
