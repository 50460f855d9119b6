// Writes a file and a typed capture through the installed C++ API and checks what they hold.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <parquet_flow/parquet_flow.hpp>

int main() {
    namespace pf = parquet_flow;
    pf::Schema schema;
    schema.required("n", pf::PhysicalType::Int64);
    const std::vector<std::int64_t> n{1, 2, 3};
    try {
        pf::Writer writer("consumer_cpp.parquet", schema);
        writer.write_row_group({pf::ColumnData::int64(n)});
        const auto totals = writer.close();
        if (totals.rows != 3 || totals.bytes != std::filesystem::file_size("consumer_cpp.parquet")) {
            std::fprintf(stderr, "unexpected totals: rows=%llu bytes=%llu\n",
                         static_cast<unsigned long long>(totals.rows), static_cast<unsigned long long>(totals.bytes));
            return 1;
        }
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "parquet_flow error: %s\n", e.what());
        return 1;
    }
    // The file as inspect() reports it: three rows, read back.
    const pf::Inspection report = pf::inspect("consumer_cpp.parquet", {.rows = 3, .json = true});
    if (report.report.find("\"num_rows\":3") == std::string::npos ||
        report.report.find("\"rows\":[{\"n\":1},{\"n\":2},{\"n\":3}]") == std::string::npos ||
        !report.rows_error.empty()) {
        std::fprintf(stderr, "unexpected inspect report: %s %s\n", report.report.c_str(), report.rows_error.c_str());
        return 1;
    }
    // A typed capture: a struct's members become columns (table.hpp through the package).
    struct Tick {
        std::int64_t id;
        double px;
        char sym[4];
    };
    try {
        std::filesystem::remove("consumer_ticks.parquet");
        pf::SinkOptions options;
        options.path = "consumer_ticks.parquet";
        const auto ticks = options.add_table(pf::Table<Tick>(
            "ticks", {pf::field("id", &Tick::id), pf::field("px", &Tick::px), pf::field("sym", &Tick::sym)}));
        pf::Sink sink(options);
        auto producer = sink.producer();
        const bool ok = producer.try_record(ticks, Tick{7, 1.5, {'A', 'B', 0, 0}}) &&
                        producer.try_record(ticks, Tick{8, 2.25, {'X', 'Y', 'Z', 'W'}});
        const pf::SinkStats stats = sink.close();
        const pf::Inspection typed = pf::inspect("consumer_ticks.parquet", {.rows = 2, .json = true});
        if (!ok || stats.rows_written != 2 ||
            typed.report.find(R"("rows":[{"id":7,"px":1.5,"sym":"AB"},{"id":8,"px":2.25,"sym":"XYZW"}])") ==
                std::string::npos) {
            std::fprintf(stderr, "unexpected typed capture: %s\n", typed.report.c_str());
            return 1;
        }
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "parquet_flow error (typed capture): %s\n", e.what());
        return 1;
    }
    // Errors cross the library boundary as parquet_flow::Error (with a shared library too).
    try {
        pf::Writer writer("no-such-directory/consumer_cpp.parquet", schema);
        std::fprintf(stderr, "a writer into a missing directory did not throw\n");
        return 1;
    } catch (const pf::Error& e) {
        if (std::string_view(e.what()).find("no-such-directory") == std::string_view::npos) {
            std::fprintf(stderr, "unexpected message: %s\n", e.what());
            return 1;
        }
    }
    std::puts("consumer_cpp: ok");
    return 0;
}
