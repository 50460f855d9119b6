// Writes a file through the installed C++ API and checks what close() reports.
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
