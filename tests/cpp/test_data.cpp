#include "test_data.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace pftest {

std::filesystem::path output_dir(const std::string& suite) {
    const char* env = std::getenv("PARQUET_FLOW_TEST_OUTPUT_DIR");
    std::filesystem::path dir = std::filesystem::path(env ? env : "test_output") / suite;
    std::filesystem::create_directories(dir);
    return dir;
}

std::string physical_name(pf::PhysicalType t) {
    switch (t) {
        case pf::PhysicalType::Boolean: return "BOOLEAN";
        case pf::PhysicalType::Int32: return "INT32";
        case pf::PhysicalType::Int64: return "INT64";
        case pf::PhysicalType::Int96: return "INT96";
        case pf::PhysicalType::Float: return "FLOAT";
        case pf::PhysicalType::Double: return "DOUBLE";
        case pf::PhysicalType::ByteArray: return "BYTE_ARRAY";
        case pf::PhysicalType::FixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY";
    }
    return "?";
}

namespace {

std::string hex(const std::byte* data, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        auto b = static_cast<unsigned>(data[i]);
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

template <class T>
void append(std::vector<std::byte>& out, const T& v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

template <class Bits>
std::string bits_json(Bits bits) {
    std::ostringstream s;
    s << "\"0x" << std::hex;
    s.width(sizeof(Bits) * 2);
    s.fill('0');
    s << static_cast<std::uint64_t>(bits) << "\"";
    return s.str();
}

// Random int64 within the range the column's logical type allows.
std::int64_t int_value(const pf::Column& c, Rng& rng) {
    using K = pf::LogicalType::Kind;
    const auto& l = c.logical;
    const auto r = rng.next();
    switch (l.kind()) {
        case K::Date: return static_cast<std::int64_t>(rng.below(40000)) - 10000;
        case K::Time: {
            const std::int64_t day = l.unit() == pf::TimeUnit::Millis   ? 86'400'000LL
                                     : l.unit() == pf::TimeUnit::Micros ? 86'400'000'000LL
                                                                        : 86'400'000'000'000LL;
            return static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(day)));
        }
        case K::Timestamp:
            return 1'700'000'000'000'000'000LL / (l.unit() == pf::TimeUnit::Nanos    ? 1
                                                  : l.unit() == pf::TimeUnit::Micros ? 1000
                                                                                     : 1'000'000) +
                   static_cast<std::int64_t>(rng.below(1'000'000'000'000ULL)) - 500'000'000'000LL;
        case K::Integer: {
            const int bits = l.bit_width();
            if (bits == 64) return static_cast<std::int64_t>(r);
            const std::uint64_t mask = (1ULL << bits) - 1;
            const std::uint64_t v = r & mask;
            if (l.is_signed()) {
                // Sign-extend from `bits`.
                const std::uint64_t sign = 1ULL << (bits - 1);
                return static_cast<std::int64_t>((v ^ sign) - sign);
            }
            // Unsigned values are stored in the physical INT32 with the same bits.
            return bits == 32 ? static_cast<std::int64_t>(static_cast<std::int32_t>(v))
                              : static_cast<std::int64_t>(v);
        }
        case K::Decimal: {
            std::int64_t limit = 1;
            for (int i = 0; i < l.precision(); ++i) limit *= 10;
            return static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(2 * limit - 1))) -
                   (limit - 1);
        }
        default:
            return c.physical == pf::PhysicalType::Int32
                       ? static_cast<std::int64_t>(static_cast<std::int32_t>(r))
                       : static_cast<std::int64_t>(r);
    }
}

// Appends one random value of the column's type; returns its JSON.
std::string add_value(GeneratedColumn& g, Rng& rng, const Shape& shape) {
    const pf::Column& c = g.column;
    using K = pf::LogicalType::Kind;
    switch (c.physical) {
        case pf::PhysicalType::Boolean: {
            const bool v = rng.below(2);
            g.values.push_back(std::byte{v});
            return v ? "true" : "false";
        }
        case pf::PhysicalType::Int32: {
            const auto v = static_cast<std::int32_t>(int_value(c, rng));
            append(g.values, v);
            return std::to_string(v);
        }
        case pf::PhysicalType::Int64: {
            const std::int64_t v = int_value(c, rng);
            append(g.values, v);
            return std::to_string(v);
        }
        case pf::PhysicalType::Int96: {
            const std::uint64_t nanos = rng.below(86'400'000'000'000ULL);
            const auto julian = static_cast<std::uint32_t>(2440588 + rng.below(30000) - 10000);
            const std::size_t at = g.values.size();
            append(g.values, nanos);
            append(g.values, julian);
            return hex_json(g.values.data() + at, 12);
        }
        case pf::PhysicalType::Float: {
            static const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                                             -std::numeric_limits<float>::infinity(),
                                             std::numeric_limits<float>::max(),
                                             std::numeric_limits<float>::denorm_min(),
                                             std::numeric_limits<float>::quiet_NaN()};
            const float v = rng.chance(0.1) ? specials[rng.below(7)]
                                            : static_cast<float>(static_cast<std::int32_t>(rng.next())) / 977.0f;
            append(g.values, v);
            return bits_json(std::bit_cast<std::uint32_t>(v));
        }
        case pf::PhysicalType::Double: {
            static const double specials[] = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                                              std::numeric_limits<double>::lowest(),
                                              std::numeric_limits<double>::denorm_min(), 1e300,
                                              std::numeric_limits<double>::quiet_NaN()};
            const double v = rng.chance(0.1) ? specials[rng.below(7)]
                                             : static_cast<double>(static_cast<std::int64_t>(rng.next())) / 1e9;
            append(g.values, v);
            return bits_json(std::bit_cast<std::uint64_t>(v));
        }
        case pf::PhysicalType::ByteArray: {
            const std::size_t at = g.values.size();
            const auto len = rng.below(shape.max_bytes + 1);
            const K kind = c.logical.kind();
            if (kind == K::Json) {
                const std::string text = "{\"k\":" + std::to_string(rng.below(100000)) + "}";
                for (char ch : text) g.values.push_back(static_cast<std::byte>(ch));
            } else if (kind == K::Decimal) {
                // Big-endian two's complement, at most 8 bytes: fits any precision >= 18.
                const auto v = static_cast<std::int64_t>(rng.next()) >> (rng.below(8) * 8);
                const auto n = 1 + rng.below(8);
                for (std::size_t i = 0; i < n; ++i) {
                    g.values.push_back(static_cast<std::byte>(static_cast<std::uint64_t>(v) >> (8 * (n - 1 - i))));
                }
            } else {
                const bool text = kind == K::String || kind == K::Enum;
                for (std::size_t i = 0; i < len; ++i) {
                    if (text && rng.chance(0.1)) {  // a two-byte character: cuts must respect it
                        g.values.push_back(std::byte{0xC3});
                        g.values.push_back(std::byte{0xA9});
                        continue;
                    }
                    g.values.push_back(static_cast<std::byte>(text ? 'a' + rng.below(26) : rng.below(256)));
                }
            }
            g.offsets.push_back(static_cast<std::uint32_t>(g.values.size()));
            return hex_json(g.values.data() + at, g.values.size() - at);
        }
        case pf::PhysicalType::FixedLenByteArray: {
            const std::size_t at = g.values.size();
            for (std::uint32_t i = 0; i < c.type_length; ++i) {
                g.values.push_back(static_cast<std::byte>(rng.below(256)));
            }
            if (c.logical.kind() == K::Decimal) {
                // Keep the magnitude below 2^(8n-2): 16 bytes at precision 38 reach 2^126.
                g.values[at] = (g.values[at] & std::byte{0x80}) != std::byte{0}
                                   ? (g.values[at] | std::byte{0xC0})
                                   : (g.values[at] & std::byte{0x3F});
                // A smaller precision needs less: sign-extend from bit k, 2^k being the largest
                // power of two below 10^precision, so |value| <= 2^k < 10^precision.
                const std::size_t n = c.type_length;
                const auto k = static_cast<std::size_t>(std::floor(c.logical.precision() * std::log2(10.0) - 1e-9));
                if (k + 2 < 8 * n) {
                    auto byte_of = [&](std::size_t b) -> std::byte& { return g.values[at + n - 1 - b / 8]; };
                    const bool negative = (byte_of(k) & std::byte(1u << (k % 8))) != std::byte{0};
                    for (std::size_t b = k + 1; b < 8 * n; ++b) {
                        const std::byte mask{static_cast<unsigned char>(1u << (b % 8))};
                        byte_of(b) = negative ? (byte_of(b) | mask) : (byte_of(b) & ~mask);
                    }
                }
            }
            return hex_json(g.values.data() + at, c.type_length);
        }
    }
    throw std::logic_error("unknown physical type");
}

}  // namespace

GeneratedColumn generate(const pf::Column& column, std::size_t rows, Rng& rng, const Shape& shape) {
    GeneratedColumn g;
    g.column = column;
    if (column.physical == pf::PhysicalType::ByteArray) g.offsets.push_back(0);
    g.rows.reserve(rows);
    // With `distinct`, each value comes from one of that many seeds: repeats a dictionary can use.
    const auto value = [&](Rng& rng) {
        if (shape.distinct == 0) return add_value(g, rng, shape);
        Rng pick(rng.below(shape.distinct) * 0x2545F4914F6CDD1Dull + 1);
        return add_value(g, pick, shape);
    };
    for (std::size_t r = 0; r < rows; ++r) {
        switch (column.repetition) {
            case pf::Repetition::Required: g.rows.push_back(value(rng)); break;
            case pf::Repetition::Optional:
                if (rng.chance(shape.null_probability)) {
                    g.def.push_back(0);
                    g.rows.push_back("null");
                } else {
                    g.def.push_back(1);
                    g.rows.push_back(value(rng));
                }
                break;
            case pf::Repetition::Repeated: {
                const auto n = rng.below(shape.max_list + 1);
                if (n == 0) {
                    g.def.push_back(0);
                    g.rep.push_back(0);
                    g.rows.push_back("[]");
                    break;
                }
                std::string list = "[";
                for (std::uint64_t i = 0; i < n; ++i) {
                    g.def.push_back(1);
                    g.rep.push_back(i == 0 ? 0 : 1);
                    if (i) list += ',';
                    list += value(rng);
                }
                list += ']';
                g.rows.push_back(std::move(list));
                break;
            }
        }
    }
    return g;
}

pf::ColumnData GeneratedColumn::data() const {
    auto typed = [&]<class T>(T*) {
        return std::span<const T>(reinterpret_cast<const T*>(values.data()), values.size() / sizeof(T));
    };
    pf::ColumnData d;
    switch (column.physical) {
        case pf::PhysicalType::Boolean: d = pf::ColumnData::boolean(typed((bool*)nullptr)); break;
        case pf::PhysicalType::Int32: d = pf::ColumnData::int32(typed((std::int32_t*)nullptr)); break;
        case pf::PhysicalType::Int64: d = pf::ColumnData::int64(typed((std::int64_t*)nullptr)); break;
        case pf::PhysicalType::Int96: d = pf::ColumnData::int96(typed((pf::Int96*)nullptr)); break;
        case pf::PhysicalType::Float: d = pf::ColumnData::float32(typed((float*)nullptr)); break;
        case pf::PhysicalType::Double: d = pf::ColumnData::float64(typed((double*)nullptr)); break;
        case pf::PhysicalType::ByteArray: d = pf::ColumnData::byte_array(values, offsets); break;
        case pf::PhysicalType::FixedLenByteArray: d = pf::ColumnData::fixed_len_byte_array(values); break;
    }
    if (column.repetition == pf::Repetition::Optional) d.with_levels(def);
    if (column.repetition == pf::Repetition::Repeated) d.with_levels(def, rep);
    return d;
}

namespace {

std::string logical_json(const pf::LogicalType& l) {
    using K = pf::LogicalType::Kind;
    auto unit = [&] {
        return std::string(l.unit() == pf::TimeUnit::Millis   ? "MILLIS"
                           : l.unit() == pf::TimeUnit::Micros ? "MICROS"
                                                              : "NANOS");
    };
    switch (l.kind()) {
        case K::None: return "null";
        case K::String: return R"({"type":"STRING"})";
        case K::Enum: return R"({"type":"ENUM"})";
        case K::Json: return R"({"type":"JSON"})";
        case K::Uuid: return R"({"type":"UUID"})";
        case K::Date: return R"({"type":"DATE"})";
        case K::Time:
        case K::Timestamp: {
            std::string s = R"({"type":")";
            s += l.kind() == K::Time ? "TIME" : "TIMESTAMP";
            s += R"(","unit":")";
            s += unit();
            s += R"(","utc":)";
            s += l.adjusted_to_utc() ? "true}" : "false}";
            return s;
        }
        case K::Integer: {
            std::string s = R"({"type":"INTEGER","bits":)";
            s += std::to_string(l.bit_width());
            s += R"(,"signed":)";
            s += l.is_signed() ? "true}" : "false}";
            return s;
        }
        case K::Decimal: {
            std::string s = R"({"type":"DECIMAL","precision":)";
            s += std::to_string(l.precision());
            s += R"(,"scale":)";
            s += std::to_string(l.scale());
            s += '}';
            return s;
        }
    }
    return "null";
}

}  // namespace

// (Built with += only: GCC 12 reports a false -Wrestrict on "literal" + std::string.)
std::string hex_json(const std::byte* data, std::size_t n) {
    std::string s = "\"";
    s += hex(data, n);
    s += '"';
    return s;
}

std::string hex_json(std::string_view bytes) {
    return hex_json(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
}

std::string codec_name(pf::Compression c) {
    switch (c) {
        case pf::Compression::Uncompressed: return "UNCOMPRESSED";
        case pf::Compression::Snappy: return "SNAPPY";
        case pf::Compression::Gzip: return "GZIP";
        case pf::Compression::Zstd: return "ZSTD";
        case pf::Compression::Lz4Raw: return "LZ4_RAW";
    }
    return "?";
}

std::string encoding_name(pf::Encoding e) {
    switch (e) {
        case pf::Encoding::Plain: return "PLAIN";
        case pf::Encoding::DeltaBinaryPacked: return "DELTA_BINARY_PACKED";
        case pf::Encoding::DeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
        case pf::Encoding::DeltaByteArray: return "DELTA_BYTE_ARRAY";
        case pf::Encoding::RleDictionary: return "RLE_DICTIONARY";
        case pf::Encoding::ByteStreamSplit: return "BYTE_STREAM_SPLIT";
    }
    return "?";
}

bool encoding_fits(pf::Encoding e, pf::PhysicalType t) {
    using T = pf::PhysicalType;
    switch (e) {
        case pf::Encoding::Plain: return true;
        case pf::Encoding::RleDictionary: return t != T::Boolean;
        case pf::Encoding::DeltaBinaryPacked: return t == T::Int32 || t == T::Int64;
        case pf::Encoding::DeltaLengthByteArray:
        case pf::Encoding::DeltaByteArray: return t == T::ByteArray;
        case pf::Encoding::ByteStreamSplit:
            return t == T::Int32 || t == T::Int64 || t == T::Float || t == T::Double || t == T::FixedLenByteArray;
    }
    return false;
}

std::string statistics_name(pf::Statistics s) {
    switch (s) {
        case pf::Statistics::None: return "NONE";
        case pf::Statistics::Chunk: return "CHUNK";
        case pf::Statistics::Page: return "PAGE";
    }
    return "?";
}

void write_sidecar(const ExpectedFile& file) {
    std::ofstream out(file.path.string() + ".expect.json");
    out << "{\"file\":" << quoted(file.path.filename().string()) << ",\"codec\":"
        << quoted(codec_name(file.compression)) << ",\"statistics\":" << quoted(statistics_name(file.statistics))
        << ",\"created_by_prefix\":\"parquet_flow version\",\"row_groups\":[";
    for (std::size_t i = 0; i < file.row_groups.size(); ++i) {
        out << (i ? "," : "") << file.row_groups[i].front().rows.size();
    }
    out << "],\"key_value_metadata\":{";
    bool first = true;
    for (const auto& [k, v] : file.key_value_metadata) {
        out << (first ? "" : ",") << quoted(k) << ":" << quoted(v);
        first = false;
    }
    out << "},\"columns\":[";
    const auto& columns = file.row_groups.front();
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const pf::Column& col = columns[c].column;
        out << (c ? "," : "") << "{\"name\":" << quoted(col.name) << ",\"physical\":\""
            << physical_name(col.physical) << "\",\"repetition\":\""
            << (col.repetition == pf::Repetition::Required   ? "REQUIRED"
                : col.repetition == pf::Repetition::Optional ? "OPTIONAL"
                                                             : "REPEATED")
            << "\"";
        if (col.physical == pf::PhysicalType::FixedLenByteArray) out << ",\"type_length\":" << col.type_length;
        if (col.compression) {
            out << ",\"codec\":" << quoted(codec_name(*col.compression));
        }
        if (col.statistics) {
            out << ",\"statistics\":" << quoted(statistics_name(*col.statistics));
        }
        if (!columns[c].data_page_encodings.empty()) {
            out << ",\"data_page_encodings\":[";
            for (std::size_t i = 0; i < columns[c].data_page_encodings.size(); ++i) {
                out << (i ? "," : "") << quoted(columns[c].data_page_encodings[i]);
            }
            out << "]";
        }
        out << ",\"logical\":" << logical_json(col.logical) << ",\"values\":[";
        bool first_row = true;
        for (const auto& group : file.row_groups) {
            for (const std::string& row : group[c].rows) {
                out << (first_row ? "" : ",") << row;
                first_row = false;
            }
        }
        out << "]}";
    }
    out << "]}\n";
    if (!out) throw std::runtime_error("cannot write sidecar for " + file.path.string());
}

void write_file_and_sidecar(const ExpectedFile& file, const pf::Schema& schema,
                            const pf::WriterOptions& options) {
    pf::Writer writer(file.path, schema, options);
    for (const auto& group : file.row_groups) {
        std::vector<pf::ColumnData> data;
        for (const auto& column : group) data.push_back(column.data());
        writer.write_row_group_with_levels(group.front().rows.size(), data);
    }
    writer.close();
    write_sidecar(file);
}

}  // namespace pftest
