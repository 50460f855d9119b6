/* parquet_flow — C ABI.
 *
 * Source-compatible with the original parquet_flow C header: the same functions, structs,
 * status, type, repetition and compression codes, so C code written for it ports unchanged.
 * Additions (logical types, options, totals) are marked below.
 *
 * Usage: pf_writer_create(path, compression) -> pf_writer_add_column(...) per column ->
 * pf_writer_open -> pf_writer_write_row_group[_with_levels] per row group -> pf_writer_close ->
 * pf_writer_destroy.
 *
 * Every function returning int32_t returns a PF_STATUS_* code; on failure
 * pf_writer_last_error(handle) describes it (naming the column, row group and what was expected).
 * A NULL handle is reported as PF_STATUS_INVALID_ARGUMENT, never a crash.
 *
 * Remains the caller's responsibility: using a handle after pf_writer_destroy, passing pointers
 * that do not point to as many bytes/elements as their _len fields say, and calling one handle
 * from two threads at once (distinct handles are independent).
 */
#ifndef PARQUET_FLOW_C_H
#define PARQUET_FLOW_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pf_writer_handle pf_writer_handle_t;

/* One column's data for pf_writer_write_row_group (columns without levels).
 * values_len counts elements for INT32/INT64/FLOAT/DOUBLE and bytes for BOOLEAN (one byte,
 * 0 or 1, per value), INT96 (12 per value), FIXED_LEN_BYTE_ARRAY (type_length per value) and
 * BYTE_ARRAY (all value bytes). offsets: BYTE_ARRAY only, count + 1 uint32_t offsets into
 * values (first 0, last values_len); NULL otherwise. */
typedef struct pf_column_input {
    const void *values;
    uint64_t values_len;
    const uint32_t *offsets;
    uint64_t offsets_len;
} pf_column_input_t;

/* As pf_column_input_t, with one uint8_t level per level entry. values holds only the defined
 * (non-null) values. OPTIONAL: one definition level per row (1 present, 0 null), no repetition
 * levels (NULL). REPEATED: definition (1 element, 0 empty list) and repetition levels (0 starts
 * a row, 1 continues it) per entry. A NULL levels pointer means "none" (then its _len must be 0);
 * an OPTIONAL column without definition levels has no nulls. */
typedef struct pf_column_input_with_levels {
    const void *values;
    uint64_t values_len;
    const uint32_t *offsets;
    uint64_t offsets_len;
    const uint8_t *definition_levels;
    uint64_t definition_levels_len;
    const uint8_t *repetition_levels;
    uint64_t repetition_levels_len;
} pf_column_input_with_levels_t;

enum {
    PF_STATUS_OK = 0,
    PF_STATUS_INVALID_ARGUMENT = 1, /* bad input; nothing was written, the writer stays usable */
    PF_STATUS_NOT_OPEN = 2,         /* wrong state: not open yet, or already closed */
    PF_STATUS_INTERNAL = 3,         /* I/O and other failures; the message names file and OS error */
    PF_STATUS_OUT_OF_MEMORY = 4,
};

enum {
    PF_PHYSICAL_BOOLEAN = 0,
    PF_PHYSICAL_INT32 = 1,
    PF_PHYSICAL_INT64 = 2,
    PF_PHYSICAL_INT96 = 3,
    PF_PHYSICAL_FLOAT = 4,
    PF_PHYSICAL_DOUBLE = 5,
    PF_PHYSICAL_BYTE_ARRAY = 6,
    PF_PHYSICAL_FIXED_LEN_BYTE_ARRAY = 7,
};

enum {
    PF_REPETITION_REQUIRED = 0,
    PF_REPETITION_OPTIONAL = 1,
    PF_REPETITION_REPEATED = 2,
};

/* parquet.thrift's CompressionCodec numbers. */
enum {
    PF_COMPRESSION_UNCOMPRESSED = 0,
    PF_COMPRESSION_SNAPPY = 1,  /* raw snappy (not in the original C ABI) */
    PF_COMPRESSION_GZIP = 2,
    PF_COMPRESSION_ZSTD = 6,    /* zstd frames (not in the original C ABI) */
    PF_COMPRESSION_LZ4_RAW = 7, /* LZ4 blocks, no framing (not in the original C ABI) */
};

/* parquet.thrift's Encoding numbers, for pf_writer_set_column_encoding (not in the original C
 * ABI). A column without one gets RLE_DICTIONARY (PLAIN for BOOLEAN), which falls back to PLAIN
 * where the dictionary does not pay; see docs/FORMAT.md for which encoding fits which type. */
enum {
    PF_ENCODING_PLAIN = 0,
    PF_ENCODING_DELTA_BINARY_PACKED = 5,     /* INT32, INT64 */
    PF_ENCODING_DELTA_LENGTH_BYTE_ARRAY = 6, /* BYTE_ARRAY */
    PF_ENCODING_DELTA_BYTE_ARRAY = 7,        /* BYTE_ARRAY */
    PF_ENCODING_RLE_DICTIONARY = 8,          /* all but BOOLEAN */
    PF_ENCODING_BYTE_STREAM_SPLIT = 9,       /* FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY */
};

/* How much statistics a column gets (not in the original C ABI): min/max and null counts that
 * engines skip row groups and pages with. PAGE (the default) also writes them in every data
 * page header and a column index; the offset index is always written. */
enum {
    PF_STATISTICS_NONE = 0,
    PF_STATISTICS_CHUNK = 1, /* column chunk statistics in the footer */
    PF_STATISTICS_PAGE = 2,  /* chunk + page statistics and the column index (default) */
};

/* What survives a crash before close (not in the original C ABI; see docs/RELIABILITY.md). */
enum {
    PF_DURABILITY_ON_CLOSE = 0,  /* footer on close only (default) */
    PF_DURABILITY_ROW_GROUP = 1, /* footer checkpoint after every row group */
    PF_DURABILITY_SYNC = 2,      /* checkpoint plus fdatasync after every row group */
};

/* Returns NULL if output_path is NULL or compression_code is unknown; then
 * pf_writer_last_error(NULL) says why (per thread). The file is created by pf_writer_open. */
pf_writer_handle_t *pf_writer_create(const char *output_path, int32_t compression_code);
/* Closes the file if still open (errors are lost: call pf_writer_close first to see them) and
 * frees the handle. NULL is a no-op. */
void pf_writer_destroy(pf_writer_handle_t *handle);

/* type_length: bytes per value for FIXED_LEN_BYTE_ARRAY, 0 for the other types. Columns are
 * added before pf_writer_open. */
int32_t pf_writer_add_column(
    pf_writer_handle_t *handle,
    const char *name,
    int32_t physical_type_code,
    int32_t repetition_code,
    uint32_t type_length);

/* Validates the schema (at least one column, unique names, type lengths, logical types) and
 * creates the file. */
int32_t pf_writer_open(pf_writer_handle_t *handle);

/* row_count must equal each column's value count. */
int32_t pf_writer_write_row_group(
    pf_writer_handle_t *handle,
    uint64_t row_count,
    const pf_column_input_t *column_inputs,
    uint32_t column_count);

/* row_count counts rows (records), not level entries. */
int32_t pf_writer_write_row_group_with_levels(
    pf_writer_handle_t *handle,
    uint64_t row_count,
    const pf_column_input_with_levels_t *column_inputs,
    uint32_t column_count);

/* Writes the footer and closes the file. A second call returns PF_STATUS_NOT_OPEN. */
int32_t pf_writer_close(pf_writer_handle_t *handle);

/* The last failure's message on this handle ("" after a success); never NULL. With a NULL
 * handle: the last pf_writer_create failure of the calling thread. Valid until the next call on
 * the handle. */
const char *pf_writer_last_error(const pf_writer_handle_t *handle);

/* ---- Additions over the original C ABI ---------------------------------------------------- */

/* The library's version, "major.minor.patch"; never NULL. */
const char *pf_version(void);

enum {
    PF_LOGICAL_NONE = 0,
    PF_LOGICAL_STRING = 1,    /* BYTE_ARRAY */
    PF_LOGICAL_ENUM = 2,      /* BYTE_ARRAY */
    PF_LOGICAL_JSON = 3,      /* BYTE_ARRAY */
    PF_LOGICAL_UUID = 4,      /* FIXED_LEN_BYTE_ARRAY(16) */
    PF_LOGICAL_DATE = 5,      /* INT32 days since 1970-01-01 */
    PF_LOGICAL_TIME = 6,      /* INT32 (millis) or INT64 (micros, nanos) since midnight */
    PF_LOGICAL_TIMESTAMP = 7, /* INT64 units since the Unix epoch */
    PF_LOGICAL_INTEGER = 8,   /* INT32 (8/16/32 bits) or INT64 (64 bits) */
    PF_LOGICAL_DECIMAL = 9,   /* INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY (big-endian) */
};

enum {
    PF_TIME_UNIT_MILLIS = 0,
    PF_TIME_UNIT_MICROS = 1,
    PF_TIME_UNIT_NANOS = 2,
};

typedef struct pf_logical_type {
    int32_t kind;            /* PF_LOGICAL_* */
    int32_t time_unit;       /* TIME, TIMESTAMP: PF_TIME_UNIT_* */
    int32_t adjusted_to_utc; /* TIME, TIMESTAMP: nonzero if values are UTC-normalized */
    int32_t bit_width;       /* INTEGER: 8, 16, 32 or 64 */
    int32_t is_signed;       /* INTEGER: nonzero for signed */
    int32_t precision;       /* DECIMAL */
    int32_t scale;           /* DECIMAL */
} pf_logical_type_t;

/* pf_writer_add_column with a logical type annotation (logical may be NULL: none). */
int32_t pf_writer_add_column_with_logical_type(
    pf_writer_handle_t *handle,
    const char *name,
    int32_t physical_type_code,
    int32_t repetition_code,
    uint32_t type_length,
    const pf_logical_type_t *logical);

/* Options, before pf_writer_open. */
int32_t pf_writer_set_column_compression(pf_writer_handle_t *handle, const char *column_name,
                                         int32_t compression_code);
int32_t pf_writer_set_gzip_level(pf_writer_handle_t *handle, int32_t level); /* 0..9, default 1 */
/* The level of the file's codec (pf_writer_create's compression_code): GZIP 0..9 (default 1),
 * ZSTD -7..22 (default 1). Other codecs have no level: PF_STATUS_INVALID_ARGUMENT. */
int32_t pf_writer_set_compression_level(pf_writer_handle_t *handle, int32_t level);
/* Threads compressing a chunk's pages at once, the writing thread included: 0 (default) one per
 * core up to 4, 1 the writing thread only, at most 64. */
int32_t pf_writer_set_compression_threads(pf_writer_handle_t *handle, uint32_t threads);
int32_t pf_writer_set_data_page_size(pf_writer_handle_t *handle, uint64_t bytes); /* default 1 MiB */
int32_t pf_writer_add_key_value_metadata(pf_writer_handle_t *handle, const char *key,
                                         const char *value);
int32_t pf_writer_set_durability(pf_writer_handle_t *handle, int32_t durability_code);
/* PF_STATISTICS_* for every column without its own level, or for one column (add it first). */
int32_t pf_writer_set_statistics(pf_writer_handle_t *handle, int32_t statistics_code);
int32_t pf_writer_set_column_statistics(pf_writer_handle_t *handle, const char *column_name,
                                        int32_t statistics_code);
/* A column's PF_ENCODING_* (add it first). Unknown codes are refused here; an encoding that does
 * not fit the column's type is refused by pf_writer_open, naming the column. */
int32_t pf_writer_set_column_encoding(pf_writer_handle_t *handle, const char *column_name,
                                      int32_t encoding_code);

/* Cuts a file left unfinished by a crash back to its last intact footer checkpoint (written
 * with PF_DURABILITY_ROW_GROUP or _SYNC); a complete file is left alone. `out` may be NULL.
 * On failure the file is unchanged and pf_writer_last_error(NULL) says why (per thread). */
typedef struct pf_recovery {
    int32_t was_complete; /* nonzero: the file already ended with a valid footer */
    uint64_t rows, row_groups, bytes, truncated_bytes;
} pf_recovery_t;
int32_t pf_recover(const char *path, pf_recovery_t *out);

/* Rows, row groups and bytes written so far (the file size once closed). Any out pointer may
 * be NULL. */
int32_t pf_writer_totals(const pf_writer_handle_t *handle, uint64_t *rows, uint64_t *row_groups,
                         uint64_t *bytes);

/* ---- The capture sink (not in the original C ABI) -----------------------------------------
 *
 * pf_sink_config_init(&cfg); cfg.path = "capture-{seq}.parquet"; ...
 * pf_sink_t *sink = pf_sink_create(&cfg);           (NULL: see pf_sink_last_error(NULL))
 * pf_producer_t *p = pf_sink_producer_create(sink); (one per producing thread)
 * pf_producer_try_record(p, data, len);             (hot path: 1 accepted, 0 dropped; never blocks
 *                                                    unless cfg.overflow = PF_OVERFLOW_BLOCK)
 * pf_sink_close(sink); pf_producer_destroy(p); pf_sink_destroy(sink);
 *
 * A sink may be used from any number of threads at once (pf_sink_producer_create, _flush,
 * _stats from several threads is fine); pf_sink_close and pf_sink_destroy must not race with
 * other calls on the same sink handle. pf_producer_try_record on the sink's producers may race
 * pf_sink_close: each such record is either written or counted as dropped_closed. A producer is used by one thread at a time; it may outlive
 * pf_sink_close (records are then dropped and counted) but must be destroyed before or after
 * pf_sink_destroy without being used after its own destroy. See include/parquet_flow/sink.hpp
 * for the semantics of every field. */

typedef struct pf_sink pf_sink_t;
typedef struct pf_producer pf_producer_t;

/* Typed tables (C++: parquet_flow::Table, include/parquet_flow/table.hpp). A table's records are
 * fixed-layout structs; the worker writes each field as a typed column (REQUIRED), after which
 * come the optional recv_ts / producer_id / seq columns. docs/FORMAT.md ("Typed tables") lists
 * each type's column type, default annotation and default encoding. */
enum { PF_FIELD_BOOL = 0, PF_FIELD_INT8 = 1, PF_FIELD_INT16 = 2, PF_FIELD_INT32 = 3,
       PF_FIELD_INT64 = 4, PF_FIELD_UINT8 = 5, PF_FIELD_UINT16 = 6, PF_FIELD_UINT32 = 7,
       PF_FIELD_UINT64 = 8, PF_FIELD_FLOAT = 9, PF_FIELD_DOUBLE = 10,
       PF_FIELD_CHARS = 11,   /* char[length]: STRING, trailing NULs trimmed */
       PF_FIELD_BYTES = 12 }; /* FIXED_LEN_BYTE_ARRAY(length) */
typedef struct pf_field {
    const char *name;
    uint32_t offset;            /* byte offset in the record */
    int32_t type;               /* PF_FIELD_*: how the bytes are read (little-endian) */
    uint32_t length;            /* CHARS / BYTES: bytes; 0 otherwise */
    pf_logical_type_t logical;  /* kind PF_LOGICAL_NONE: the type's natural annotation (e.g.
                                   UINT32 -> INTEGER(32, unsigned)); or TIMESTAMP / DECIMAL / DATE /
                                   TIME / STRING / ENUM where it fits the field type */
    int32_t encoding;           /* parquet.thrift Encoding number, or -1 for the library's choice */
} pf_field_t;
typedef struct pf_table {
    const char *name;           /* the {table} token of the path pattern */
    const pf_field_t *fields;
    uint32_t field_count;
    uint32_t record_bytes;      /* each record of this table is exactly this long */
} pf_table_t;

typedef struct pf_sink_config {
    const char *path;           /* file, or pattern with {seq}, {host}, {pid} and %Y %m %d %H %M %S
                                   (UTC); never overwritten: {seq} continues after the files
                                   already there */
    uint64_t ring_bytes;        /* per producer; 0: 8 MiB */
    uint64_t max_record_bytes;  /* 0: 64 KiB */
    uint64_t max_producers;     /* 0: 64 */
    uint64_t row_group_rows;    /* 0: 16,384, or 131,072 with tables */
    int64_t flush_interval_ns;  /* -1: 1 s; 0: only full row groups */
    int32_t recv_ts;            /* nonzero: add the column */
    int32_t producer_id;
    int32_t seq;
    int32_t compression;        /* PF_COMPRESSION_* */
    int32_t gzip_level;         /* -1: default */
    uint64_t rotate_rows;       /* 0: no rotation by rows */
    uint64_t rotate_bytes;      /* 0: no rotation by bytes */
    int64_t rotate_age_ns;      /* 0: no rotation by age */
    int32_t durability;         /* PF_DURABILITY_* */
    int64_t retry_backoff_ns;   /* 0: 100 ms; pause before retrying on a new file after an I/O error */
    int32_t recover_at_start;   /* nonzero (pf_sink_config_init's default): recover the pattern's
                                   abandoned .inprogress files before writing */
    int32_t recv_ts_unit;       /* PF_TIME_UNIT_*: the recv_ts column's unit; init: NANOS.
                                   Spark reads MICROS and MILLIS, not NANOS */
    int32_t compression_level;  /* level of `compression` (GZIP 0..9, ZSTD -7..22);
                                   init: PF_COMPRESSION_LEVEL_DEFAULT */
    uint32_t compression_threads; /* threads compressing pages at once; 0 (init): one per core,
                                     up to 4; 1: the worker thread only */
    int32_t statistics;         /* PF_STATISTICS_* of the sink's columns; init: PAGE */
    int32_t overflow;           /* PF_OVERFLOW_*: a full ring drops the record (init: DROP) or
                                   makes pf_producer_try_record wait for room (BLOCK) */
    int32_t recv_ts_clock;      /* PF_CLOCK_*: where recv_ts comes from; init: AUTO */
    const pf_table_t *tables;   /* typed tables (pf_sink_config_init sets NULL / 0 = one opaque
                                   payload column); with more than one, `path` must contain
                                   {table}. Bad layouts (overlapping or out-of-range fields,
                                   unknown types, annotations that do not fit, duplicate or empty
                                   names, table names that are no safe path component) are
                                   refused by pf_sink_create, naming the table and field. The
                                   array is read by pf_sink_create only. */
    uint32_t table_count;
} pf_sink_config_t;

/* pf_sink_config_t.recv_ts_clock (C++ parquet_flow::ClockSource). */
enum {
    PF_CLOCK_AUTO = 0,   /* the CPU's invariant counter where there is one (converted to UTC by
                            the worker), else the system clock */
    PF_CLOCK_SYSTEM = 1  /* clock_gettime(CLOCK_REALTIME) in every call */
};

/* pf_sink_config_t.overflow (C++ parquet_flow::Overflow). */
enum {
    PF_OVERFLOW_DROP = 0,  /* count it in dropped_full and return 0 at once */
    PF_OVERFLOW_BLOCK = 1  /* wait (spin, yield, then sleep 100 us between looks) until it fits,
                              also through a retry after an I/O error; 0 only once the sink is
                              closed or failed for good. For lossless replays. */
};

/* pf_sink_config_t.compression_level: the codec's default (GZIP 1, ZSTD 1). */
#define PF_COMPRESSION_LEVEL_DEFAULT INT32_MIN

typedef struct pf_sink_stats {
    uint64_t attempted, accepted;
    uint64_t dropped_full, dropped_oversize, dropped_closed, dropped_failed;
    uint64_t rows_written, row_groups, files, bytes_written;
    uint64_t ring_high_water, producers;
    uint64_t rows_durable, io_errors, retries, files_failed, rows_lost;
    uint64_t files_recovered, rows_recovered, files_unrecoverable; /* start-up recovery */
    uint64_t blocked, blocked_ns; /* PF_OVERFLOW_BLOCK: calls that waited for room, ns waited */
    uint64_t dropped_invalid;     /* tables: unknown table index or wrong record length */
} pf_sink_stats_t;

/* Fills every field with its default (path NULL). */
void pf_sink_config_init(pf_sink_config_t *config);
pf_sink_t *pf_sink_create(const pf_sink_config_t *config);
pf_producer_t *pf_sink_producer_create(pf_sink_t *sink);
int32_t pf_producer_try_record(pf_producer_t *producer, const void *data, uint64_t len);
int32_t pf_producer_try_record_at(pf_producer_t *producer, const void *data, uint64_t len,
                                  int64_t recv_ts_ns);
/* A record of table `table` (its index in cfg.tables); with tables, pf_producer_try_record
 * records into table 0.
 * 1 accepted, 0 dropped (full, closed, failed, unknown table or wrong length: each counted). */
int32_t pf_producer_try_record_table(pf_producer_t *producer, uint32_t table,
                                     const void *record, uint64_t len);
/* As pf_producer_try_record_table, with the caller's receive timestamp (ns since the epoch). */
int32_t pf_producer_try_record_table_at(pf_producer_t *producer, uint32_t table,
                                        const void *record, uint64_t len, int64_t recv_ts_ns);
/* The value this producer writes in the producer_id column (UINT32_MAX for NULL). */
uint32_t pf_producer_id(const pf_producer_t *producer);
void pf_producer_destroy(pf_producer_t *producer);
/* Blocks until every record accepted before the call is written. */
int32_t pf_sink_flush(pf_sink_t *sink);
int32_t pf_sink_stats(const pf_sink_t *sink, pf_sink_stats_t *stats);
/* Drains, writes the footer, joins the worker; a second call repeats the first outcome. */
int32_t pf_sink_close(pf_sink_t *sink);
void pf_sink_destroy(pf_sink_t *sink);
/* Never NULL: the message of the calling thread's last failed pf_sink_* / pf_producer_* call
 * (empty after a success). Messages are kept per thread, not per sink, because one sink is
 * used from several threads at once (each creating its producer); `sink` may be NULL. The
 * worker's own I/O errors show in pf_sink_stats (io_errors) and in pf_sink_flush /
 * pf_sink_close failing. */
const char *pf_sink_last_error(const pf_sink_t *sink);

#ifdef __cplusplus
}
#endif

#endif /* PARQUET_FLOW_C_H */
