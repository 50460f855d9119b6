/* C ABI smoke test, compiled as C: nullable and repeated columns through
 * pf_writer_write_row_group_with_levels, and the required-only path. Each file gets a JSON
 * sidecar with exactly the values written; the reader cross-check compares them.
 * Usage: c_smoke OUTPUT_DIR */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet_flow_c.h"

static void check(pf_writer_handle_t *w, int32_t status, const char *what) {
    if (status != PF_STATUS_OK) {
        fprintf(stderr, "c_smoke: %s failed with status %d: %s\n", what, (int)status, pf_writer_last_error(w));
        exit(1);
    }
}

static FILE *open_sidecar(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.expect.json", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static void hex(FILE *f, const char *bytes, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; ++i) fprintf(f, "%02x", (unsigned char)bytes[i]);
    fputc('"', f);
}

/* Rows per row group: 4. Columns:
 *   id      INT64 OPTIONAL   values 10*g+{1,_,3,4}     (row 1 null)
 *   note    BYTE_ARRAY OPTIONAL STRING  "a", "", null, "xyz"
 *   qty     INT32 REPEATED   [g], [], [1,2,3], [7]
 *   ts      INT64 REQUIRED TIMESTAMP(MICROS, UTC), through the level-aware path without levels */
static void levels_file(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/c_levels.parquet", dir);
    pf_writer_handle_t *w = pf_writer_create(path, PF_COMPRESSION_GZIP);
    if (!w) {
        fprintf(stderr, "c_smoke: pf_writer_create: %s\n", pf_writer_last_error(NULL));
        exit(1);
    }
    pf_logical_type_t string_type = {.kind = PF_LOGICAL_STRING};
    pf_logical_type_t ts_type = {.kind = PF_LOGICAL_TIMESTAMP, .time_unit = PF_TIME_UNIT_MICROS, .adjusted_to_utc = 1};
    check(w, pf_writer_add_column(w, "id", PF_PHYSICAL_INT64, PF_REPETITION_OPTIONAL, 0), "add id");
    check(w, pf_writer_add_column_with_logical_type(w, "note", PF_PHYSICAL_BYTE_ARRAY, PF_REPETITION_OPTIONAL, 0, &string_type),
          "add note");
    check(w, pf_writer_add_column(w, "qty", PF_PHYSICAL_INT32, PF_REPETITION_REPEATED, 0), "add qty");
    check(w, pf_writer_add_column_with_logical_type(w, "ts", PF_PHYSICAL_INT64, PF_REPETITION_REQUIRED, 0, &ts_type), "add ts");
    check(w, pf_writer_add_key_value_metadata(w, "writer", "c_smoke"), "key/value");
    /* Chunk statistics for the file, none for qty, page statistics (and column index) for ts. */
    check(w, pf_writer_set_statistics(w, PF_STATISTICS_CHUNK), "statistics");
    check(w, pf_writer_set_column_statistics(w, "qty", PF_STATISTICS_NONE), "qty statistics");
    check(w, pf_writer_set_column_statistics(w, "ts", PF_STATISTICS_PAGE), "ts statistics");
    check(w, pf_writer_open(w), "open");

    for (int64_t g = 0; g < 2; ++g) {
        const int64_t ids[] = {10 * g + 1, 10 * g + 3, 10 * g + 4};
        const uint8_t id_def[] = {1, 0, 1, 1};
        const char notes[] = "axyz";
        const uint32_t note_offsets[] = {0, 1, 1, 4};
        const uint8_t note_def[] = {1, 1, 0, 1};
        const int32_t qty[] = {(int32_t)g, 1, 2, 3, 7};
        const uint8_t qty_def[] = {1, 0, 1, 1, 1, 1};
        const uint8_t qty_rep[] = {0, 0, 0, 1, 1, 0};
        const int64_t ts[] = {1700000000000000 + g, 1700000000000001, 1700000000000002, 1700000000000003};
        pf_column_input_with_levels_t cols[4] = {
            {.values = ids, .values_len = 3, .definition_levels = id_def, .definition_levels_len = 4},
            {.values = notes, .values_len = 4, .offsets = note_offsets, .offsets_len = 4,
             .definition_levels = note_def, .definition_levels_len = 4},
            {.values = qty, .values_len = 5, .definition_levels = qty_def, .definition_levels_len = 6,
             .repetition_levels = qty_rep, .repetition_levels_len = 6},
            {.values = ts, .values_len = 4},
        };
        check(w, pf_writer_write_row_group_with_levels(w, 4, cols, 4), "write row group");
    }
    uint64_t rows = 0, groups = 0;
    check(w, pf_writer_close(w), "close");
    check(w, pf_writer_totals(w, &rows, &groups, NULL), "totals");
    if (rows != 8 || groups != 2) {
        fprintf(stderr, "c_smoke: totals rows=%" PRIu64 " row_groups=%" PRIu64 "\n", rows, groups);
        exit(1);
    }
    pf_writer_destroy(w);

    FILE *f = open_sidecar(dir, "c_levels.parquet");
    fprintf(f, "{\"file\":\"c_levels.parquet\",\"codec\":\"GZIP\",\"statistics\":\"CHUNK\",\"row_groups\":[4,4],"
               "\"created_by_prefix\":\"parquet_flow version\",\"key_value_metadata\":{\"writer\":\"c_smoke\"},\"columns\":[");
    fprintf(f, "{\"name\":\"id\",\"physical\":\"INT64\",\"repetition\":\"OPTIONAL\",\"logical\":null,\"values\":[1,null,3,4,11,null,13,14]},");
    fprintf(f, "{\"name\":\"note\",\"physical\":\"BYTE_ARRAY\",\"repetition\":\"OPTIONAL\",\"logical\":{\"type\":\"STRING\"},\"values\":[");
    for (int g = 0; g < 2; ++g) {
        fprintf(f, "%s", g ? "," : "");
        hex(f, "a", 1);
        fputc(',', f);
        hex(f, "", 0);
        fprintf(f, ",null,");
        hex(f, "xyz", 3);
    }
    fprintf(f, "]},");
    fprintf(f, "{\"name\":\"qty\",\"physical\":\"INT32\",\"repetition\":\"REPEATED\",\"statistics\":\"NONE\",\"logical\":null,"
               "\"values\":[[0],[],[1,2,3],[7],[1],[],[1,2,3],[7]]},");
    fprintf(f, "{\"name\":\"ts\",\"physical\":\"INT64\",\"repetition\":\"REQUIRED\",\"statistics\":\"PAGE\","
               "\"logical\":{\"type\":\"TIMESTAMP\",\"unit\":\"MICROS\",\"utc\":true},\"values\":["
               "1700000000000000,1700000000000001,1700000000000002,1700000000000003,"
               "1700000000000001,1700000000000001,1700000000000002,1700000000000003]}]}\n");
    fclose(f);
}

/* The required-only path: BOOLEAN, DOUBLE, FIXED_LEN_BYTE_ARRAY(3), uncompressed. */
static void required_file(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/c_required.parquet", dir);
    pf_writer_handle_t *w = pf_writer_create(path, PF_COMPRESSION_UNCOMPRESSED);
    if (!w) exit(1);
    check(w, pf_writer_add_column(w, "flag", PF_PHYSICAL_BOOLEAN, PF_REPETITION_REQUIRED, 0), "add flag");
    check(w, pf_writer_add_column(w, "px", PF_PHYSICAL_DOUBLE, PF_REPETITION_REQUIRED, 0), "add px");
    check(w, pf_writer_add_column(w, "code", PF_PHYSICAL_FIXED_LEN_BYTE_ARRAY, PF_REPETITION_REQUIRED, 3), "add code");
    check(w, pf_writer_open(w), "open");
    const uint8_t flags[] = {1, 0, 1};
    const double px[] = {1.0, -2.5, 0.0};
    const char codes[] = "ABCDEFGHI";
    pf_column_input_t cols[3] = {
        {.values = flags, .values_len = 3},
        {.values = px, .values_len = 3},
        {.values = codes, .values_len = 9},
    };
    check(w, pf_writer_write_row_group(w, 3, cols, 3), "write row group");
    check(w, pf_writer_close(w), "close");
    pf_writer_destroy(w);

    FILE *f = open_sidecar(dir, "c_required.parquet");
    fprintf(f, "{\"file\":\"c_required.parquet\",\"codec\":\"UNCOMPRESSED\",\"row_groups\":[3],\"columns\":["
               "{\"name\":\"flag\",\"physical\":\"BOOLEAN\",\"repetition\":\"REQUIRED\",\"logical\":null,\"values\":[true,false,true]},"
               "{\"name\":\"px\",\"physical\":\"DOUBLE\",\"repetition\":\"REQUIRED\",\"logical\":null,"
               "\"values\":[\"0x3ff0000000000000\",\"0xc004000000000000\",\"0x0000000000000000\"]},"
               "{\"name\":\"code\",\"physical\":\"FIXED_LEN_BYTE_ARRAY\",\"repetition\":\"REQUIRED\",\"type_length\":3,"
               "\"logical\":null,\"values\":[\"414243\",\"444546\",\"474849\"]}]}\n");
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: c_smoke OUTPUT_DIR\n");
        return 2;
    }
    /* The library's version is the project's (CMake passes it, from rust/Cargo.toml). */
    if (strcmp(pf_version(), PARQUET_FLOW_EXPECTED_VERSION) != 0) {
        fprintf(stderr, "c_smoke: pf_version() is %s, expected %s\n", pf_version(), PARQUET_FLOW_EXPECTED_VERSION);
        return 1;
    }
    levels_file(argv[1]);
    required_file(argv[1]);
    printf("c_smoke: wrote c_levels.parquet and c_required.parquet in %s\n", argv[1]);
    return 0;
}
