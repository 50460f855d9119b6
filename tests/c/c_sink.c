/* The capture sink through the C ABI, compiled as C: two producer threads, seq and
 * producer_id columns, rotation by rows; writes a spec for tests/readers/verify_sink.py.
 * Usage: c_sink OUTPUT_DIR */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "parquet_flow_c.h"

#define RECORDS 20000

struct producer_run {
    pf_sink_t *sink;
    uint32_t id;
    uint64_t attempted, accepted;
    int failed;
};

/* The payload verify_sink.py expects for ("test", producer, seq). */
static size_t payload_for(char *out, uint32_t producer, uint64_t seq) {
    int n = sprintf(out, "p%" PRIu32 "s%" PRIu64 ":", producer, seq);
    memset(out + n, 'a' + (int)(seq % 26), seq % 64);
    return (size_t)n + seq % 64;
}

static void *produce(void *arg) {
    struct producer_run *run = arg;
    pf_producer_t *p = pf_sink_producer_create(run->sink);
    if (!p) {
        fprintf(stderr, "c_sink: producer: %s\n", pf_sink_last_error(run->sink));
        run->failed = 1;
        return NULL;
    }
    run->id = pf_producer_id(p);
    char buf[128];
    while (run->accepted < RECORDS) {
        /* Every attempt takes the next seq; retry until accepted. */
        size_t len = payload_for(buf, run->id, run->attempted++);
        if (pf_producer_try_record(p, buf, len)) run->accepted++;
    }
    pf_producer_destroy(p);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: c_sink OUTPUT_DIR\n");
        return 2;
    }
    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/c_sink/part-{seq}.parquet", argv[1]);
    pf_sink_config_t config;
    pf_sink_config_init(&config);
    config.path = pattern;
    config.ring_bytes = 1 << 16;
    config.row_group_rows = 2500;
    config.rotate_rows = 10000;
    config.producer_id = 1;
    config.seq = 1;
    config.compression = PF_COMPRESSION_GZIP;
    pf_sink_t *sink = pf_sink_create(&config);
    if (!sink) {
        fprintf(stderr, "c_sink: create: %s\n", pf_sink_last_error(NULL));
        return 1;
    }
    struct producer_run runs[2] = {{sink, 0, 0, 0, 0}, {sink, 1, 0, 0, 0}};
    pthread_t threads[2];
    for (int i = 0; i < 2; ++i) pthread_create(&threads[i], NULL, produce, &runs[i]);
    for (int i = 0; i < 2; ++i) pthread_join(threads[i], NULL);
    if (runs[0].failed || runs[1].failed) return 1;
    if (pf_sink_close(sink) != PF_STATUS_OK) {
        fprintf(stderr, "c_sink: close: %s\n", pf_sink_last_error(sink));
        return 1;
    }
    pf_sink_stats_t stats;
    pf_sink_stats(sink, &stats);
    pf_sink_destroy(sink);
    if (stats.accepted != 2 * RECORDS || stats.rows_written != 2 * RECORDS || stats.files != 4 ||
        stats.accepted + stats.dropped_full != stats.attempted) {
        fprintf(stderr, "c_sink: stats accepted=%" PRIu64 " rows=%" PRIu64 " files=%" PRIu64 "\n", stats.accepted,
                stats.rows_written, stats.files);
        return 1;
    }
    /* NULL arguments are refused, not crashes. */
    if (pf_sink_create(NULL) != NULL || pf_sink_last_error(NULL)[0] == '\0' || pf_producer_try_record(NULL, "x", 1) != 0 ||
        pf_sink_flush(NULL) != PF_STATUS_INVALID_ARGUMENT) {
        fprintf(stderr, "c_sink: NULL handling\n");
        return 1;
    }

    char spec[4096];
    snprintf(spec, sizeof spec, "%s/c_sink.sink.json", argv[1]);
    FILE *f = fopen(spec, "w");
    if (!f) return 1;
    fprintf(f, "{\"payload\":\"test\",\"columns\":[\"payload\",\"producer_id\",\"seq\"],"
               "\"files\":[\"c_sink/part-000000.parquet\",\"c_sink/part-000001.parquet\","
               "\"c_sink/part-000002.parquet\",\"c_sink/part-000003.parquet\"],\"producers\":{");
    for (int i = 0; i < 2; ++i) {
        fprintf(f, "%s\"%" PRIu32 "\":{\"attempted\":%" PRIu64 ",\"accepted\":%" PRIu64 "}", i ? "," : "", runs[i].id,
                runs[i].attempted, runs[i].accepted);
    }
    fprintf(f, "}}\n");
    fclose(f);
    printf("c_sink: attempted=%" PRIu64 " accepted=%" PRIu64 " files=%" PRIu64 "\n", stats.attempted, stats.accepted,
           stats.files);
    return 0;
}
