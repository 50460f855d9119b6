/* Typed tables through the C ABI, compiled as C: two tables in one sink (quotes and trades,
 * laid out by hand as a feed handler's wire structs are), records of both interleaved from one
 * producer with seq and producer_id, ZSTD, row groups of 500. Each file gets a sidecar
 * (<file>.expect.json) that tests/readers/verify_parquet.py checks value for value with pyarrow
 * and DuckDB. Then every kind of bad layout, each refused by pf_sink_create with a message
 * naming the table and field, and wrong-length records and unknown tables, each dropped and
 * counted in dropped_invalid.
 * Usage: c_tables OUTPUT_DIR */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parquet_flow_c.h"

#define ROWS 1500
#define ROW_GROUP 500
#define QUOTE_BYTES 32
#define TRADE_BYTES 24

/* quotes: ts int64 @0 TIMESTAMP(MICROS), bid and ask uint32 @8/@12 DECIMAL(10,4), bid_size
 * uint16 @16, sym char[8] @18, halted bool @26, spread float @27 (unaligned), 4 bytes unused. */
static const pf_field_t quote_fields[] = {
    {"ts", 0, PF_FIELD_INT64, 0, {PF_LOGICAL_TIMESTAMP, PF_TIME_UNIT_MICROS, 1, 0, 0, 0, 0}, -1},
    {"bid", 8, PF_FIELD_UINT32, 0, {PF_LOGICAL_DECIMAL, 0, 0, 0, 0, 10, 4}, -1},
    {"ask", 12, PF_FIELD_UINT32, 0, {PF_LOGICAL_DECIMAL, 0, 0, 0, 0, 10, 4}, PF_ENCODING_DELTA_BINARY_PACKED},
    {"bid_size", 16, PF_FIELD_UINT16, 0, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, -1},
    {"sym", 18, PF_FIELD_CHARS, 8, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, -1},
    {"halted", 26, PF_FIELD_BOOL, 0, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, -1},
    {"spread", 27, PF_FIELD_FLOAT, 0, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, -1},
};
/* trades: id uint64 @0, px double @8, qty int32 @16, side char @20 ENUM, venue 3 bytes @21. */
static const pf_field_t trade_fields[] = {
    {"id", 0, PF_FIELD_UINT64, 0, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, PF_ENCODING_DELTA_BINARY_PACKED},
    {"px", 8, PF_FIELD_DOUBLE, 0, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, PF_ENCODING_PLAIN},
    {"qty", 16, PF_FIELD_INT32, 0, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, -1},
    {"side", 20, PF_FIELD_CHARS, 1, {PF_LOGICAL_ENUM, 0, 0, 0, 0, 0, 0}, -1},
    {"venue", 21, PF_FIELD_BYTES, 3, {PF_LOGICAL_NONE, 0, 0, 0, 0, 0, 0}, -1},
};

static void put(uint8_t *at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) at[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* One column's sidecar text, built row by row. */
struct column {
    char head[256];
    char *values;
    size_t len;
};

static char quote_values[14][ROWS * 40];
static char trade_values[12][ROWS * 40];

static void begin(struct column *c, char *buf, const char *head) {
    snprintf(c->head, sizeof c->head, "%s", head);
    c->values = buf;
    c->len = 0;
}

static void add(struct column *c, const char *value) {
    c->len += (size_t)sprintf(c->values + c->len, "%s%s", c->len ? "," : "", value);
}

static void add_hex(struct column *c, const uint8_t *bytes, size_t n) {
    char text[64] = "\"";
    for (size_t i = 0; i < n; ++i) sprintf(text + 1 + 2 * i, "%02x", bytes[i]);
    strcat(text, "\"");
    add(c, text);
}

static int write_sidecar(const char *path, const struct column *columns, int count) {
    char name[4300];
    snprintf(name, sizeof name, "%s.expect.json", path);
    FILE *f = fopen(name, "w");
    if (!f) return 1;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    fprintf(f, "{\"file\":\"%s\",\"codec\":\"ZSTD\",\"statistics\":\"PAGE\","
               "\"created_by_prefix\":\"parquet_flow version\",\"row_groups\":[%d,%d,%d],"
               "\"key_value_metadata\":{},\"columns\":[",
            base, ROW_GROUP, ROW_GROUP, ROWS - 2 * ROW_GROUP);
    for (int i = 0; i < count; ++i) {
        fprintf(f, "%s{%s,\"values\":[%s]}", i ? "," : "", columns[i].head, columns[i].values);
    }
    fprintf(f, "]}\n");
    return fclose(f) != 0;
}

static int capture(const char *out) {
    char pattern[4200], quotes_path[4200], trades_path[4200];
    if (strlen(out) > 4000) return 1;
    snprintf(pattern, sizeof pattern, "%s/tables/{table}.parquet", out);
    snprintf(quotes_path, sizeof quotes_path, "%s/tables/quotes.parquet", out);
    snprintf(trades_path, sizeof trades_path, "%s/tables/trades.parquet", out);
    const pf_table_t tables[] = {
        {"quotes", quote_fields, sizeof quote_fields / sizeof quote_fields[0], QUOTE_BYTES},
        {"trades", trade_fields, sizeof trade_fields / sizeof trade_fields[0], TRADE_BYTES},
    };
    pf_sink_config_t config;
    pf_sink_config_init(&config);
    if (config.tables != NULL || config.table_count != 0) {
        fprintf(stderr, "c_tables: pf_sink_config_init must leave no tables\n");
        return 1;
    }
    config.path = pattern;
    config.tables = tables;
    config.table_count = 2;
    config.row_group_rows = ROW_GROUP;
    config.flush_interval_ns = 0;
    config.compression = PF_COMPRESSION_ZSTD;
    config.producer_id = 1;
    config.seq = 1;
    config.overflow = PF_OVERFLOW_BLOCK;
    pf_sink_t *sink = pf_sink_create(&config);
    if (!sink) {
        fprintf(stderr, "c_tables: %s\n", pf_sink_last_error(NULL));
        return 1;
    }
    pf_producer_t *p = pf_sink_producer_create(sink);
    struct column q[10], t[8];
    begin(&q[0], quote_values[0], "\"name\":\"ts\",\"physical\":\"INT64\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":{\"type\":\"TIMESTAMP\",\"unit\":\"MICROS\",\"utc\":true},"
                                  "\"data_page_encodings\":[\"DELTA_BINARY_PACKED\"]");
    begin(&q[1], quote_values[1], "\"name\":\"bid\",\"physical\":\"INT64\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":{\"type\":\"DECIMAL\",\"precision\":10,\"scale\":4}");
    begin(&q[2], quote_values[2], "\"name\":\"ask\",\"physical\":\"INT64\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":{\"type\":\"DECIMAL\",\"precision\":10,\"scale\":4},"
                                  "\"data_page_encodings\":[\"DELTA_BINARY_PACKED\"]");
    begin(&q[3], quote_values[3], "\"name\":\"bid_size\",\"physical\":\"INT32\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":{\"type\":\"INTEGER\",\"bits\":16,\"signed\":false}");
    begin(&q[4], quote_values[4], "\"name\":\"sym\",\"physical\":\"BYTE_ARRAY\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":{\"type\":\"STRING\"},\"data_page_encodings\":[\"RLE_DICTIONARY\"]");
    begin(&q[5], quote_values[5], "\"name\":\"halted\",\"physical\":\"BOOLEAN\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null,\"data_page_encodings\":[\"PLAIN\"]");
    begin(&q[6], quote_values[6], "\"name\":\"spread\",\"physical\":\"FLOAT\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null,\"data_page_encodings\":[\"BYTE_STREAM_SPLIT\"]");
    begin(&q[7], quote_values[7], "\"name\":\"producer_id\",\"physical\":\"INT32\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null");
    begin(&q[8], quote_values[8], "\"name\":\"seq\",\"physical\":\"INT64\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null,\"data_page_encodings\":[\"DELTA_BINARY_PACKED\"]");
    begin(&t[0], trade_values[0], "\"name\":\"id\",\"physical\":\"INT64\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":{\"type\":\"INTEGER\",\"bits\":64,\"signed\":false},"
                                  "\"data_page_encodings\":[\"DELTA_BINARY_PACKED\"]");
    begin(&t[1], trade_values[1], "\"name\":\"px\",\"physical\":\"DOUBLE\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null,\"data_page_encodings\":[\"PLAIN\"]");
    begin(&t[2], trade_values[2], "\"name\":\"qty\",\"physical\":\"INT32\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null");
    begin(&t[3], trade_values[3], "\"name\":\"side\",\"physical\":\"BYTE_ARRAY\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":{\"type\":\"ENUM\"},\"data_page_encodings\":[\"RLE_DICTIONARY\"]");
    begin(&t[4], trade_values[4], "\"name\":\"venue\",\"physical\":\"FIXED_LEN_BYTE_ARRAY\",\"type_length\":3,"
                                  "\"repetition\":\"REQUIRED\",\"logical\":null,"
                                  "\"data_page_encodings\":[\"RLE_DICTIONARY\"]");
    begin(&t[5], trade_values[5], "\"name\":\"producer_id\",\"physical\":\"INT32\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null");
    begin(&t[6], trade_values[6], "\"name\":\"seq\",\"physical\":\"INT64\",\"repetition\":\"REQUIRED\","
                                  "\"logical\":null,\"data_page_encodings\":[\"DELTA_BINARY_PACKED\"]");
    const char *symbols[] = {"AAPL", "MSFT", "ES.Z6", "\xC3\xA9T\xC3\xA9", "BRK.B\0\0\0"};
    const char *venues[] = {"XNS", "XNY", "ARC"};
    uint64_t rng = 42, seq = 0;
    int32_t refused = 0;
    for (uint64_t r = 0; r < ROWS; ++r) {
        uint8_t quote[QUOTE_BYTES], trade[TRADE_BYTES];
        char text[64];
        memset(quote, 0xEE, sizeof quote); /* unused bytes are never read */
        const int64_t ts = 1764000000000000 + (int64_t)r * 250;
        const uint32_t bid = (uint32_t)(1000000 + next_random(&rng) % 90000), ask = bid + 100;
        const uint16_t size = (uint16_t)(next_random(&rng) % 65536);
        const char *sym = symbols[next_random(&rng) % 5];
        const uint8_t halted = (uint8_t)(next_random(&rng) % 2 ? 0x80 : 0);
        const float spread = (float)(ask - bid) / 10000.0f;
        put(quote, (uint64_t)ts, 8);
        put(quote + 8, bid, 4);
        put(quote + 12, ask, 4);
        put(quote + 16, size, 2);
        memset(quote + 18, 0, 8);
        memcpy(quote + 18, sym, strlen(sym));
        quote[26] = halted;
        memcpy(quote + 27, &spread, 4);
        /* The last quote through pf_producer_try_record: table 0 of a sink with tables. */
        const int32_t ok = r + 1 < ROWS ? pf_producer_try_record_table(p, 0, quote, QUOTE_BYTES)
                                        : pf_producer_try_record(p, quote, QUOTE_BYTES);
        refused += !ok;
        sprintf(text, "%" PRId64, ts);
        add(&q[0], text);
        sprintf(text, "%" PRIu32, bid);
        add(&q[1], text);
        sprintf(text, "%" PRIu32, ask);
        add(&q[2], text);
        sprintf(text, "%u", (unsigned)size);
        add(&q[3], text);
        add_hex(&q[4], (const uint8_t *)sym, strlen(sym));
        add(&q[5], halted ? "true" : "false");
        uint32_t bits;
        memcpy(&bits, &spread, 4);
        sprintf(text, "\"0x%08" PRIx32 "\"", bits);
        add(&q[6], text);
        add(&q[7], "0");
        sprintf(text, "%" PRIu64, seq++);
        add(&q[8], text);

        const uint64_t id = 5000000000ull + r * 3;
        const double px = (double)(next_random(&rng) % 100000) / 64.0;
        const int32_t qty = (int32_t)(next_random(&rng) % 2000) - 1000;
        const char side = next_random(&rng) % 2 ? 'B' : 'S';
        const char *venue = venues[next_random(&rng) % 3];
        put(trade, id, 8);
        memcpy(trade + 8, &px, 8);
        put(trade + 16, (uint32_t)qty, 4);
        trade[20] = (uint8_t)side;
        memcpy(trade + 21, venue, 3);
        refused += !pf_producer_try_record_table(p, 1, trade, TRADE_BYTES);
        sprintf(text, "%" PRIu64, id);
        add(&t[0], text);
        uint64_t dbits;
        memcpy(&dbits, &px, 8);
        sprintf(text, "\"0x%016" PRIx64 "\"", dbits);
        add(&t[1], text);
        sprintf(text, "%" PRId32, qty);
        add(&t[2], text);
        add_hex(&t[3], (const uint8_t *)&side, 1);
        add_hex(&t[4], (const uint8_t *)venue, 3);
        add(&t[5], "0");
        sprintf(text, "%" PRIu64, seq++);
        add(&t[6], text);
    }
    /* Wrong lengths and an unknown table: 0, counted in dropped_invalid, never written. */
    uint8_t spare[64] = {0};
    const int32_t wrong = pf_producer_try_record_table(p, 0, spare, QUOTE_BYTES - 1) +
                          pf_producer_try_record_table(p, 1, spare, QUOTE_BYTES) +
                          pf_producer_try_record_table(p, 2, spare, TRADE_BYTES) + pf_producer_try_record(p, spare, 64);
    pf_producer_destroy(p);
    pf_sink_stats_t stats;
    int closed = pf_sink_close(sink) == PF_STATUS_OK && pf_sink_stats(sink, &stats) == PF_STATUS_OK;
    pf_sink_destroy(sink);
    if (!closed || refused || wrong || stats.dropped_invalid != 4 || stats.rows_written != 2 * ROWS ||
        stats.files != 2) {
        fprintf(stderr,
                "c_tables: closed=%d refused=%" PRId32 " wrong accepted=%" PRId32 " dropped_invalid=%" PRIu64
                " rows_written=%" PRIu64 " files=%" PRIu64 "\n",
                closed, refused, wrong, stats.dropped_invalid, stats.rows_written, stats.files);
        return 1;
    }
    return write_sidecar(quotes_path, q, 9) || write_sidecar(trades_path, t, 7);
}

/* pf_sink_create must refuse `tables` with a message holding `expected`. */
static int refused_with(const char *out, const pf_table_t *tables, uint32_t count, const char *expected) {
    char pattern[4200];
    snprintf(pattern, sizeof pattern, "%s/refused/{table}-{seq}.parquet", out);
    pf_sink_config_t config;
    pf_sink_config_init(&config);
    config.path = pattern;
    config.tables = tables;
    config.table_count = count;
    pf_sink_t *sink = pf_sink_create(&config);
    if (sink) {
        fprintf(stderr, "c_tables: a sink was created where '%s' was expected\n", expected);
        pf_sink_destroy(sink);
        return 1;
    }
    if (!strstr(pf_sink_last_error(NULL), expected)) {
        fprintf(stderr, "c_tables: error '%s' does not say '%s'\n", pf_sink_last_error(NULL), expected);
        return 1;
    }
    return 0;
}

static int refusals(const char *out) {
    pf_field_t f[2];
    pf_table_t t[2];
    int failed = 0;
#define RESET()                                                     \
    do {                                                            \
        memcpy(f, trade_fields, sizeof f);                          \
        t[0] = (pf_table_t){"trades", f, 2, TRADE_BYTES};           \
        t[1] = (pf_table_t){"quotes", quote_fields, 7, QUOTE_BYTES}; \
    } while (0)
    RESET();
    failed |= refused_with(out, NULL, 1, "tables is NULL but table_count is 1");
    t[0].name = NULL;
    failed |= refused_with(out, t, 2, "table 0: name is NULL");
    RESET();
    t[0].fields = NULL;
    failed |= refused_with(out, t, 2, "table 'trades': fields is NULL but field_count is 2");
    RESET();
    f[1].name = NULL;
    failed |= refused_with(out, t, 2, "table 'trades': field 1: name is NULL");
    RESET();
    f[1].type = 13;
    failed |= refused_with(out, t, 2, "table 'trades', field 'px': unknown field type code 13");
    RESET();
    f[1].logical.kind = 42;
    failed |= refused_with(out, t, 2, "table 'trades', field 'px': unknown logical type code 42");
    RESET();
    f[0].logical.kind = PF_LOGICAL_TIMESTAMP;
    f[0].logical.time_unit = 7;
    failed |= refused_with(out, t, 2, "table 'trades', field 'id': unknown time unit code 7");
    RESET();
    f[1].encoding = 4;
    failed |= refused_with(out, t, 2, "table 'trades', field 'px': unknown encoding code 4");
    RESET();
    f[1].offset = 4;
    failed |= refused_with(out, t, 2, "table 'trades', field 'px': bytes 4..12 overlap field 'id' (bytes 0..8)");
    RESET();
    f[1].offset = 20;
    failed |= refused_with(out, t, 2, "table 'trades', field 'px': bytes 20..28 lie outside the 24-byte record");
    RESET();
    f[1].logical.kind = PF_LOGICAL_STRING;
    failed |= refused_with(out, t, 2, "table 'trades', field 'px': logical type STRING does not fit a DOUBLE field");
    RESET();
    f[1].name = "id";
    failed |= refused_with(out, t, 2, "table 'trades': duplicate field name 'id'");
    RESET();
    f[1].name = "";
    failed |= refused_with(out, t, 2, "table 'trades': field 1 has an empty name");
    RESET();
    t[1].name = "trades";
    failed |= refused_with(out, t, 2, "duplicate table name 'trades'");
    RESET();
    t[1].name = "../escape";
    failed |= refused_with(out, t, 2, "table name \"../escape\" is not a safe path component");
    RESET();
    t[0].field_count = 0;
    failed |= refused_with(out, t, 2, "table 'trades' has no fields");
    return failed;
#undef RESET
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: c_tables OUTPUT_DIR\n");
        return 2;
    }
    int failed = capture(argv[1]) || refusals(argv[1]);
    printf("c_tables: %s\n", failed ? "FAILED" : "ok");
    return failed;
}
