/* The capture sink through the C ABI, compiled as C: two producer threads, seq and
 * producer_id columns, rotation by rows; writes a spec for tests/readers/verify_sink.py.
 * Then a restart through the C ABI: a sink started on a pattern with an abandoned
 * .inprogress file recovers it (files_recovered, rows_recovered) and numbers its own files
 * after it. Then a replay: PF_OVERFLOW_BLOCK through a ring far too small, with recv_ts from
 * the default clock, where every call must return 1 and nothing may drop (its spec too).
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

/* A file a crashed writer left: written with checkpoints under its .inprogress name. */
static int plant_abandoned(const char *path, uint64_t rows) {
    pf_writer_handle_t *w = pf_writer_create(path, PF_COMPRESSION_UNCOMPRESSED);
    if (!w || pf_writer_add_column(w, "payload", PF_PHYSICAL_BYTE_ARRAY, PF_REPETITION_REQUIRED, 0) != PF_STATUS_OK ||
        pf_writer_set_durability(w, PF_DURABILITY_ROW_GROUP) != PF_STATUS_OK || pf_writer_open(w) != PF_STATUS_OK) {
        fprintf(stderr, "c_sink: plant: %s\n", pf_writer_last_error(w));
        return 1;
    }
    char values[8 * 1000];
    uint32_t offsets[1001];
    for (uint64_t i = 0; i <= rows; ++i) offsets[i] = (uint32_t)(8 * i);
    memset(values, 'x', sizeof values);
    pf_column_input_t input = {values, 8 * rows, offsets, rows + 1};
    int32_t status = pf_writer_write_row_group(w, rows, &input, 1);
    pf_writer_destroy(w);
    return status != PF_STATUS_OK;
}

static int restart(const char *out) {
    char planted[4200], pattern[4200], next[4200];
    if (strlen(out) > 4000) return 1;
    snprintf(planted, sizeof planted, "%s/c_sink_restart/part-000004.parquet.inprogress", out);
    snprintf(pattern, sizeof pattern, "%s/c_sink_restart/part-{seq}.parquet", out);
    snprintf(next, sizeof next, "%s/c_sink_restart/part-000005.parquet", out);
    pf_sink_config_t config;
    pf_sink_config_init(&config);
    if (config.recover_at_start != 1) {
        fprintf(stderr, "c_sink: pf_sink_config_init must turn recovery at start on\n");
        return 1;
    }
    /* The first sink creates the directory; its own file comes first. */
    config.path = pattern;
    config.rotate_rows = 1000;
    pf_sink_t *first = pf_sink_create(&config);
    if (!first || pf_sink_close(first) != PF_STATUS_OK) return 1;
    pf_sink_destroy(first);
    if (plant_abandoned(planted, 1000)) return 1;
    pf_sink_t *sink = pf_sink_create(&config);
    if (!sink) {
        fprintf(stderr, "c_sink: restart: %s\n", pf_sink_last_error(NULL));
        return 1;
    }
    pf_producer_t *p = pf_sink_producer_create(sink);
    int accepted = 0;
    while (accepted < 10) accepted += pf_producer_try_record(p, "restart", 7);
    pf_producer_destroy(p);
    pf_sink_stats_t stats = {0};
    int ok = pf_sink_close(sink) == PF_STATUS_OK && pf_sink_stats(sink, &stats) == PF_STATUS_OK;
    pf_sink_destroy(sink);
    FILE *f = fopen(next, "rb");
    if (f) fclose(f);
    if (!ok || stats.files_recovered != 1 || stats.rows_recovered != 1000 || stats.files_unrecoverable != 0 ||
        stats.rows_written != 10 || !f) {
        fprintf(stderr, "c_sink: restart: recovered=%" PRIu64 " rows_recovered=%" PRIu64 " next file %s\n",
                stats.files_recovered, stats.rows_recovered, f ? "present" : "missing");
        return 1;
    }
    return 0;
}

/* A replay: every record must go in, however small the ring; the calls wait for room. */
static int replay(const char *out) {
    char path[4200], spec[4200];
    if (strlen(out) > 4000) return 1;
    snprintf(path, sizeof path, "%s/c_sink_replay.parquet", out);
    snprintf(spec, sizeof spec, "%s/c_sink_replay.sink.json", out);
    pf_sink_config_t config;
    pf_sink_config_init(&config);
    if (config.overflow != PF_OVERFLOW_DROP || config.recv_ts_clock != PF_CLOCK_AUTO) {
        fprintf(stderr, "c_sink: pf_sink_config_init must default to PF_OVERFLOW_DROP and PF_CLOCK_AUTO\n");
        return 1;
    }
    config.path = path;
    config.ring_bytes = 4096;
    config.row_group_rows = 1000;
    config.recv_ts = 1;
    config.seq = 1;
    config.overflow = PF_OVERFLOW_BLOCK;
    pf_sink_t *sink = pf_sink_create(&config);
    if (!sink) {
        fprintf(stderr, "c_sink: replay: %s\n", pf_sink_last_error(NULL));
        return 1;
    }
    pf_producer_t *p = pf_sink_producer_create(sink);
    uint32_t id = pf_producer_id(p);
    char buf[128];
    for (uint64_t seq = 0; seq < RECORDS; ++seq) {
        size_t len = payload_for(buf, id, seq);
        if (!pf_producer_try_record(p, buf, len)) {
            fprintf(stderr, "c_sink: replay: record %" PRIu64 " refused under PF_OVERFLOW_BLOCK\n", seq);
            return 1;
        }
    }
    pf_producer_destroy(p);
    pf_sink_stats_t stats = {0};
    int ok = pf_sink_close(sink) == PF_STATUS_OK && pf_sink_stats(sink, &stats) == PF_STATUS_OK;
    pf_sink_destroy(sink);
    if (!ok || stats.accepted != RECORDS || stats.dropped_full != 0 || stats.rows_written != RECORDS ||
        (stats.blocked == 0) != (stats.blocked_ns == 0)) {
        fprintf(stderr, "c_sink: replay: accepted=%" PRIu64 " dropped_full=%" PRIu64 " blocked=%" PRIu64 "\n",
                stats.accepted, stats.dropped_full, stats.blocked);
        return 1;
    }
    FILE *f = fopen(spec, "w");
    if (!f) return 1;
    fprintf(f, "{\"payload\":\"test\",\"columns\":[\"payload\",\"recv_ts\",\"seq\"],"
               "\"files\":[\"c_sink_replay.parquet\"],\"producers\":{\"%" PRIu32 "\":{\"attempted\":%d,"
               "\"accepted\":%d}}}\n",
            id, RECORDS, RECORDS);
    fclose(f);
    printf("c_sink: replay of %d records through a 4 KiB ring: none dropped, %" PRIu64 " calls waited %" PRIu64
           " ns in all\n",
           RECORDS, stats.blocked, stats.blocked_ns);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: c_sink OUTPUT_DIR\n");
        return 2;
    }
    if (restart(argv[1]) || replay(argv[1])) return 1;
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
    config.compression = PF_COMPRESSION_ZSTD;
    config.compression_level = 3;
    config.compression_threads = 2;
    config.statistics = PF_STATISTICS_CHUNK;
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
