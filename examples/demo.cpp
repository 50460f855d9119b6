// The original parquet_flow demo on the sink: 50,000 records "event-N: hot-path binary payload"
// into local_data/log_flow.parquet, then `wrote=<accepted> dropped=<dropped> output=<path>`.
// Usage: demo [output.parquet]
//
// A sink never overwrites a file, so the demo removes its own earlier output first: running it
// again gives the same file, as the original demo did.
#include <cstdio>
#include <filesystem>
#include <string>

#include "parquet_flow/parquet_flow.hpp"

int main(int argc, char** argv) {
    namespace pf = parquet_flow;
    pf::SinkOptions options;
    options.path = argc > 1 ? argv[1] : "local_data/log_flow.parquet";
    try {
        std::filesystem::remove(options.path);
        pf::Sink sink(options);
        auto producer = sink.producer();
        std::string record;
        for (int i = 0; i < 50'000; ++i) {
            record = "event-" + std::to_string(i) + ": hot-path binary payload";
            producer.try_record(record);
        }
        const pf::SinkStats stats = sink.close();
        std::printf("wrote=%llu dropped=%llu output=%s\n", static_cast<unsigned long long>(stats.accepted),
                    static_cast<unsigned long long>(stats.dropped()), options.path.c_str());
        return stats.rows_written == stats.accepted ? 0 : 1;
    } catch (const pf::Error& e) {
        std::fprintf(stderr, "demo: %s\n", e.what());
        return 1;
    }
}
