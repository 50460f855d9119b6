/* The C ABI against misuse, compiled as C: every mistake returns the documented status and a
 * message that says what was wrong, never a crash. A writer that saw bad row groups still
 * writes a file of its good row groups, checked by the reader cross-check.
 * Usage: c_abi_misuse OUTPUT_DIR */
#include <stdio.h>
#include <string.h>

#include "parquet_flow_c.h"

static int passed, failed;

static void expect(const char *what, int32_t status, int32_t expected, const char *message, const char *fragment) {
    const int ok = status == expected && message != NULL && (expected == PF_STATUS_OK || strstr(message, fragment));
    if (ok) {
        ++passed;
        printf("ok   %s\n", what);
    } else {
        ++failed;
        printf("FAIL %s: status %d (expected %d), message \"%s\" (expected to contain \"%s\")\n", what, (int)status,
               (int)expected, message ? message : "(NULL)", fragment);
    }
}

#define EXPECT(what, call, handle, code, fragment)                  \
    do {                                                            \
        int32_t s_ = (call);                                        \
        expect(what, s_, code, pf_writer_last_error(handle), fragment); \
    } while (0)

static pf_writer_handle_t *new_writer(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return pf_writer_create(path, PF_COMPRESSION_UNCOMPRESSED);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: c_abi_misuse OUTPUT_DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    const int32_t INVALID = PF_STATUS_INVALID_ARGUMENT, NOT_OPEN = PF_STATUS_NOT_OPEN;

    /* NULL handles. */
    pf_column_input_t none[1];
    memset(none, 0, sizeof none);
    EXPECT("NULL handle: add_column", pf_writer_add_column(NULL, "x", 1, 0, 0), NULL, INVALID, "handle is NULL");
    EXPECT("NULL handle: open", pf_writer_open(NULL), NULL, INVALID, "handle is NULL");
    EXPECT("NULL handle: write", pf_writer_write_row_group(NULL, 1, none, 1), NULL, INVALID, "handle is NULL");
    EXPECT("NULL handle: write with levels", pf_writer_write_row_group_with_levels(NULL, 1, NULL, 0), NULL, INVALID,
           "handle is NULL");
    EXPECT("NULL handle: close", pf_writer_close(NULL), NULL, INVALID, "handle is NULL");
    EXPECT("NULL handle: set gzip level", pf_writer_set_gzip_level(NULL, 1), NULL, INVALID, "handle is NULL");
    EXPECT("NULL handle: totals", pf_writer_totals(NULL, NULL, NULL, NULL), NULL, INVALID, "handle is NULL");
    pf_writer_destroy(NULL);
    expect("destroy(NULL) is a no-op", PF_STATUS_OK, PF_STATUS_OK, "", "");

    /* Creation. */
    /* The message is read after the call: arguments of one call are evaluated in no fixed order. */
    int32_t created = pf_writer_create(NULL, 0) == NULL ? INVALID : PF_STATUS_OK;
    expect("create with NULL path", created, INVALID, pf_writer_last_error(NULL), "output_path is NULL");
    created = pf_writer_create("x.parquet", 5) == NULL ? INVALID : PF_STATUS_OK;
    expect("create with unknown codec", created, INVALID, pf_writer_last_error(NULL), "unknown compression code 5");

    /* Compression levels: only GZIP and ZSTD have them, each in its own range. */
    pf_writer_handle_t *zstd = pf_writer_create("levels.parquet", PF_COMPRESSION_ZSTD);
    int32_t level_status = pf_writer_set_compression_level(zstd, 23);
    expect("zstd level 23", level_status, INVALID, pf_writer_last_error(zstd), "out of range");
    level_status = pf_writer_set_compression_level(zstd, 3);
    expect("zstd level 3", level_status, PF_STATUS_OK, pf_writer_last_error(zstd), "");
    pf_writer_destroy(zstd);
    pf_writer_handle_t *snappy = pf_writer_create("levels.parquet", PF_COMPRESSION_SNAPPY);
    level_status = pf_writer_set_compression_level(snappy, 1);
    expect("snappy level", level_status, INVALID, pf_writer_last_error(snappy), "has no compression level");
    pf_writer_destroy(snappy);

    /* Configuration mistakes. */
    pf_writer_handle_t *w = new_writer(dir, "c_misuse_never.parquet");
    EXPECT("write before open", pf_writer_write_row_group(w, 1, none, 1), w, NOT_OPEN, "not open");
    EXPECT("close before open", pf_writer_close(w), w, NOT_OPEN, "never opened");
    EXPECT("NULL column name", pf_writer_add_column(w, NULL, 1, 0, 0), w, INVALID, "name is NULL");
    EXPECT("unknown physical type", pf_writer_add_column(w, "p", 9, 0, 0), w, INVALID, "unknown physical type code 9");
    EXPECT("unknown repetition", pf_writer_add_column(w, "r", 1, 5, 0), w, INVALID, "unknown repetition code 5");
    pf_logical_type_t bad_unit = {.kind = PF_LOGICAL_TIMESTAMP, .time_unit = 7};
    EXPECT("unknown time unit", pf_writer_add_column_with_logical_type(w, "t", 2, 0, 0, &bad_unit), w, INVALID,
           "unknown time unit code 7");
    EXPECT("empty schema at open", pf_writer_open(w), w, INVALID, "no columns");
    EXPECT("gzip level out of range", pf_writer_set_gzip_level(w, 10), w, INVALID, "between 0 and 9");
    EXPECT("codec for a missing column", pf_writer_set_column_compression(w, "nope", 2), w, INVALID, "no column named 'nope'");
    EXPECT("zero page size", pf_writer_set_data_page_size(w, 0), w, INVALID, "page size");
    EXPECT("unknown durability", pf_writer_set_durability(w, 3), w, INVALID, "unknown durability code 3");
    EXPECT("unknown statistics", pf_writer_set_statistics(w, 3), w, INVALID, "unknown statistics code 3");
    EXPECT("statistics for a missing column", pf_writer_set_column_statistics(w, "nope", PF_STATISTICS_CHUNK), w, INVALID,
           "no column named 'nope'");
    EXPECT("NULL column: statistics", pf_writer_set_column_statistics(w, NULL, PF_STATISTICS_CHUNK), w, INVALID,
           "column_name is NULL");
    EXPECT("unknown column statistics", pf_writer_set_column_statistics(w, "a", -1), w, INVALID,
           "unknown statistics code -1");
    EXPECT("unknown encoding", pf_writer_set_column_encoding(w, "a", 2), w, INVALID, "unknown encoding code 2");
    EXPECT("encoding for a missing column", pf_writer_set_column_encoding(w, "nope", PF_ENCODING_PLAIN), w, INVALID,
           "no column named 'nope'");
    EXPECT("NULL handle: set durability", pf_writer_set_durability(NULL, 1), NULL, INVALID, "handle is NULL");
    EXPECT("NULL metadata key", pf_writer_add_key_value_metadata(w, NULL, "v"), w, INVALID, "must not be NULL");
    EXPECT("good column", pf_writer_add_column(w, "a", PF_PHYSICAL_INT32, PF_REPETITION_REQUIRED, 0), w, PF_STATUS_OK, "");
    expect("last_error is empty after success", PF_STATUS_OK, PF_STATUS_OK, pf_writer_last_error(w), "");
    if (pf_writer_last_error(w)[0] != '\0') {
        ++failed;
        printf("FAIL last_error not cleared: \"%s\"\n", pf_writer_last_error(w));
    }
    EXPECT("duplicate column name", (pf_writer_add_column(w, "a", PF_PHYSICAL_INT64, 0, 0), pf_writer_open(w)), w, INVALID,
           "duplicate column name 'a'");
    pf_writer_destroy(w);

    w = new_writer(dir, "c_misuse_never.parquet");
    EXPECT("encoding that does not fit",
           (pf_writer_add_column(w, "i", PF_PHYSICAL_INT32, 0, 0),
            pf_writer_set_column_encoding(w, "i", PF_ENCODING_DELTA_BYTE_ARRAY), pf_writer_open(w)),
           w, INVALID, "column 'i': DELTA_BYTE_ARRAY cannot encode INT32");
    pf_writer_destroy(w);

    w = new_writer(dir, "c_misuse_never.parquet");
    EXPECT("FLBA without type_length",
           (pf_writer_add_column(w, "f", PF_PHYSICAL_FIXED_LEN_BYTE_ARRAY, 0, 0), pf_writer_open(w)), w, INVALID,
           "column 'f': FIXED_LEN_BYTE_ARRAY needs a type_length");
    pf_writer_destroy(w);

    pf_writer_handle_t *unwritable = pf_writer_create("/nonexistent-dir/sub/out.parquet", 0);
    pf_writer_add_column(unwritable, "a", PF_PHYSICAL_INT32, 0, 0);
    EXPECT("unwritable output path", pf_writer_open(unwritable), unwritable, PF_STATUS_INTERNAL,
           "'/nonexistent-dir/sub/out.parquet': No such file or directory");
    pf_writer_destroy(unwritable);

    /* Row-group mistakes on an open writer: s (BYTE_ARRAY OPTIONAL), l (INT64 REPEATED), k (FLBA 2). */
    w = new_writer(dir, "c_misuse_survivor.parquet");
    pf_writer_add_column(w, "s", PF_PHYSICAL_BYTE_ARRAY, PF_REPETITION_OPTIONAL, 0);
    pf_writer_add_column(w, "l", PF_PHYSICAL_INT64, PF_REPETITION_REPEATED, 0);
    pf_writer_add_column(w, "k", PF_PHYSICAL_FIXED_LEN_BYTE_ARRAY, PF_REPETITION_REQUIRED, 2);
    EXPECT("open", pf_writer_open(w), w, PF_STATUS_OK, "");
    EXPECT("open twice", pf_writer_open(w), w, INVALID, "already open");
    EXPECT("add column after open", pf_writer_add_column(w, "late", 1, 0, 0), w, INVALID, "already open");

    const char s_bytes[] = "hey";
    const uint32_t s_offsets[] = {0, 3};
    const uint8_t s_def[] = {1, 0};
    const int64_t l_vals[] = {5, 6};
    const uint8_t l_def[] = {1, 1, 0};
    const uint8_t l_rep[] = {0, 1, 0};
    const char keys[] = "k1k2";
    pf_column_input_with_levels_t good[3] = {
        {.values = s_bytes, .values_len = 3, .offsets = s_offsets, .offsets_len = 2, .definition_levels = s_def,
         .definition_levels_len = 2},
        {.values = l_vals, .values_len = 2, .definition_levels = l_def, .definition_levels_len = 3,
         .repetition_levels = l_rep, .repetition_levels_len = 3},
        {.values = keys, .values_len = 4},
    };
    pf_column_input_with_levels_t bad[3];

    EXPECT("NULL inputs with a count", pf_writer_write_row_group_with_levels(w, 2, NULL, 3), w, INVALID,
           "column_inputs is NULL");
    EXPECT("column count mismatch", pf_writer_write_row_group_with_levels(w, 2, good, 2), w, INVALID,
           "2 columns given, the schema has 3");
    memcpy(bad, good, sizeof bad);
    bad[1].values = NULL;
    EXPECT("values NULL with a length", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID,
           "column 'l': values is NULL but values_len is 2");
    memcpy(bad, good, sizeof bad);
    const uint32_t decreasing[] = {3, 0};
    bad[0].offsets = decreasing;
    EXPECT("offsets not starting at 0", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID, "offsets[0] is 3");
    const uint32_t beyond[] = {0, 9};
    bad[0].offsets = beyond;
    EXPECT("offset out of range", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID, "last offset is 9");
    bad[0].offsets = NULL;
    bad[0].offsets_len = 0;
    EXPECT("missing offsets", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID, "needs offsets");
    memcpy(bad, good, sizeof bad);
    const uint8_t def_high[] = {3, 0};
    bad[0].definition_levels = def_high;
    EXPECT("definition level above max", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID,
           "definition level 3");
    memcpy(bad, good, sizeof bad);
    const uint8_t rep_opt[] = {0, 0};
    bad[0].repetition_levels = rep_opt;
    bad[0].repetition_levels_len = 2;
    EXPECT("repetition levels on OPTIONAL", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID,
           "only a REPEATED column");
    memcpy(bad, good, sizeof bad);
    const uint8_t rep_first_one[] = {1, 1, 0};
    bad[1].repetition_levels = rep_first_one;
    EXPECT("first repetition level 1", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID,
           "first repetition level is 1");
    memcpy(bad, good, sizeof bad);
    bad[2].values_len = 3;
    EXPECT("FLBA of the wrong size", pf_writer_write_row_group_with_levels(w, 2, bad, 3), w, INVALID,
           "not a whole number of 2-byte values");
    EXPECT("row count mismatch", pf_writer_write_row_group_with_levels(w, 3, good, 3), w, INVALID, "3 rows");

    EXPECT("good row group", pf_writer_write_row_group_with_levels(w, 2, good, 3), w, PF_STATUS_OK, "");
    EXPECT("close", pf_writer_close(w), w, PF_STATUS_OK, "");
    EXPECT("write after close", pf_writer_write_row_group_with_levels(w, 2, good, 3), w, NOT_OPEN, "closed");
    EXPECT("double close", pf_writer_close(w), w, NOT_OPEN, "already closed");
    EXPECT("open after close", pf_writer_open(w), w, NOT_OPEN, "closed");
    EXPECT("durability after close", pf_writer_set_durability(w, 1), w, INVALID, "configure it before pf_writer_open");
    EXPECT("compression threads after close", pf_writer_set_compression_threads(w, 2), w, INVALID,
           "configure it before pf_writer_open");
    EXPECT("statistics after close", pf_writer_set_statistics(w, PF_STATISTICS_NONE), w, INVALID,
           "configure it before pf_writer_open");
    pf_writer_destroy(w);

    /* Recovery: NULL path, missing file, not Parquet; each leaves a message for the thread. */
    EXPECT("recover NULL path", pf_recover(NULL, NULL), NULL, INVALID, "path is NULL");
    char missing[4096];
    snprintf(missing, sizeof missing, "%s/no_such_file.parquet", dir);
    pf_recovery_t recovery;
    EXPECT("recover a missing file", pf_recover(missing, &recovery), NULL, PF_STATUS_INTERNAL,
           "no_such_file.parquet': No such file or directory");
    char not_parquet[4096];
    snprintf(not_parquet, sizeof not_parquet, "%s/not_parquet.bin", dir);
    FILE *junk = fopen(not_parquet, "w");
    if (junk) {
        fputs("definitely not parquet", junk);
        fclose(junk);
    }
    EXPECT("recover a non-Parquet file", pf_recover(not_parquet, &recovery), NULL, INVALID, "does not start with PAR1");
    remove(not_parquet);

    /* The sink: bad durability code. */
    pf_sink_config_t config;
    pf_sink_config_init(&config);
    char sink_path[4096];
    snprintf(sink_path, sizeof sink_path, "%s/misuse_sink.parquet", dir);
    config.path = sink_path;
    config.durability = 7;
    int32_t sink_created = pf_sink_create(&config) == NULL ? INVALID : PF_STATUS_OK;
    expect("sink with an unknown durability", sink_created, INVALID, pf_sink_last_error(NULL),
           "unknown durability code 7");
    config.durability = PF_DURABILITY_ON_CLOSE;
    config.compression_level = 5; /* the default codec, UNCOMPRESSED, has no level */
    sink_created = pf_sink_create(&config) == NULL ? INVALID : PF_STATUS_OK;
    expect("sink with a level for a codec without levels", sink_created, INVALID, pf_sink_last_error(NULL),
           "the codec has no level");
    config.compression = PF_COMPRESSION_ZSTD;
    config.compression_level = 23;
    sink_created = pf_sink_create(&config) == NULL ? INVALID : PF_STATUS_OK;
    expect("sink with a ZSTD level out of range", sink_created, INVALID, pf_sink_last_error(NULL),
           "zstd level must be between");
    config.compression_level = PF_COMPRESSION_LEVEL_DEFAULT;
    config.compression_threads = 65;
    sink_created = pf_sink_create(&config) == NULL ? INVALID : PF_STATUS_OK;
    expect("sink with too many compression threads", sink_created, INVALID, pf_sink_last_error(NULL),
           "compression_threads must be at most 64");
    config.compression_threads = 0;
    config.statistics = 9;
    sink_created = pf_sink_create(&config) == NULL ? INVALID : PF_STATUS_OK;
    expect("sink with an unknown statistics code", sink_created, INVALID, pf_sink_last_error(NULL),
           "unknown statistics code 9");
    config.statistics = PF_STATISTICS_PAGE;
    config.overflow = 2;
    sink_created = pf_sink_create(&config) == NULL ? INVALID : PF_STATUS_OK;
    expect("sink with an unknown overflow code", sink_created, INVALID, pf_sink_last_error(NULL),
           "unknown overflow code 2 (0 DROP, 1 BLOCK)");
    config.overflow = PF_OVERFLOW_DROP;
    config.recv_ts_clock = 7;
    sink_created = pf_sink_create(&config) == NULL ? INVALID : PF_STATUS_OK;
    expect("sink with an unknown recv_ts clock", sink_created, INVALID, pf_sink_last_error(NULL),
           "unknown recv_ts_clock code 7 (0 AUTO, 1 SYSTEM)");

    char sidecar[4096];
    snprintf(sidecar, sizeof sidecar, "%s/c_misuse_survivor.parquet.expect.json", dir);
    FILE *f = fopen(sidecar, "w");
    if (!f) {
        perror(sidecar);
        return 1;
    }
    fprintf(f, "{\"file\":\"c_misuse_survivor.parquet\",\"codec\":\"UNCOMPRESSED\",\"row_groups\":[2],\"columns\":["
               "{\"name\":\"s\",\"physical\":\"BYTE_ARRAY\",\"repetition\":\"OPTIONAL\",\"logical\":null,\"values\":[\"686579\",null]},"
               "{\"name\":\"l\",\"physical\":\"INT64\",\"repetition\":\"REPEATED\",\"logical\":null,\"values\":[[5,6],[]]},"
               "{\"name\":\"k\",\"physical\":\"FIXED_LEN_BYTE_ARRAY\",\"repetition\":\"REQUIRED\",\"type_length\":2,"
               "\"logical\":null,\"values\":[\"6b31\",\"6b32\"]}]}\n");
    fclose(f);

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
