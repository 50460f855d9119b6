#!/usr/bin/env python3
"""parquet_flow_inspect against pyarrow, on every file the tests wrote and on files pyarrow and
DuckDB write here (every codec; data pages v1 and v2; dictionary, DELTA_* and
BYTE_STREAM_SPLIT encodings; nulls, lists, INT96, decimals, UUIDs, several row groups and pages).

For each file, `parquet_flow_inspect --json --rows 5` must agree with pyarrow: row and row-group
counts, each chunk's path, codec, encodings, sizes, value count, null count, min and max and
page-index presence, the key-value metadata, and the first rows value for value. A file pyarrow
cannot open must be refused with an error (exit 1) too.

    inspect_check.py INSPECT OUTPUT_DIR FOREIGN_DIR
"""
import datetime
import decimal
import json
import math
import pathlib
import struct
import subprocess
import sys
import uuid

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 5


def foreign_files(out: pathlib.Path) -> list:
    """Files written by pyarrow and DuckDB, with what our writer does not produce."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.parquet"):
        old.unlink()
    n = 3000
    ints = [None if i % 11 == 0 else (i * 7919) % 100_003 - 50_000 for i in range(n)]
    table = pa.table({
        "i8": pa.array([None if v is None else v % 128 for v in ints], pa.int8()),
        "u16": pa.array([None if v is None else abs(v) % 65536 for v in ints], pa.uint16()),
        "i32": pa.array(ints, pa.int32()),
        "u64": pa.array([None if v is None else abs(v) * 10**12 for v in ints], pa.uint64()),
        "f32": pa.array([None if v is None else v / 8 for v in ints], pa.float32()),
        "f64": pa.array([float("nan") if i == 5 else i / 3 for i in range(n)], pa.float64()),
        "f16": pa.array([None if v is None else float(v % 100) / 4 for v in ints], pa.float16()),
        "s": pa.array([None if i % 13 == 0 else f"sym-{i % 40}" for i in range(n)], pa.string()),
        "b": pa.array([bytes(range(i % 50)) for i in range(n)], pa.binary()),
        "fb": pa.array([i.to_bytes(6, "big") for i in range(n)], pa.binary(6)),
        "flag": pa.array([None if i % 7 == 0 else i % 3 == 0 for i in range(n)], pa.bool_()),
        "d": pa.array([datetime.date(2020, 1, 1) + datetime.timedelta(days=i) for i in range(n)]),
        "t_ms": pa.array([i * 1001 for i in range(n)], pa.time32("ms")),
        "t_ns": pa.array([i * 1_000_000_007 for i in range(n)], pa.time64("ns")),
        "ts_us": pa.array([1_700_000_000_000_000 + i * 1_000_003 for i in range(n)],
                          pa.timestamp("us", tz="UTC")),
        "ts_ns": pa.array([1_700_000_000_000_000_000 + i * 999 for i in range(n)], pa.timestamp("ns")),
        "dec9": pa.array([decimal.Decimal(i * 37 - 5000).scaleb(-2) for i in range(n)],
                         pa.decimal128(9, 2)),
        "dec30": pa.array([decimal.Decimal(i * 10**20 + 7).scaleb(-6) for i in range(n)],
                          pa.decimal128(30, 6)),
        "li": pa.array([None if i % 9 == 0 else [] if i % 9 == 1 else [i, None, -i][: i % 4]
                        for i in range(n)], pa.list_(pa.int64())),
        "ls": pa.array([[f"x{i}", f"y{i % 3}"] if i % 5 else None for i in range(n)],
                       pa.list_(pa.string())),
    })
    files = []

    def write(name, t=table, **options):
        path = out / f"{name}.parquet"
        pq.write_table(t, path, **options)
        files.append(path)

    write("pyarrow_v1_snappy_dict", data_page_version="1.0", compression="snappy",
          row_group_size=1000, data_page_size=2048, write_page_index=True)
    write("pyarrow_v2_zstd_plain", data_page_version="2.0", compression="zstd", use_dictionary=False,
          row_group_size=1200)
    delta = {"i32": "DELTA_BINARY_PACKED", "u64": "DELTA_BINARY_PACKED", "s": "DELTA_BYTE_ARRAY",
             "b": "DELTA_LENGTH_BYTE_ARRAY", "fb": "DELTA_BYTE_ARRAY", "f32": "BYTE_STREAM_SPLIT",
             "f64": "BYTE_STREAM_SPLIT", "ts_ns": "BYTE_STREAM_SPLIT", "dec9": "BYTE_STREAM_SPLIT"}
    for version in ("1.0", "2.0"):
        write(f"pyarrow_delta_bss_v{version[0]}", data_page_version=version, compression="gzip",
              use_dictionary=False, column_encoding=delta, data_page_size=4096)
    write("pyarrow_lz4_nostats", compression="lz4", write_statistics=False)
    write("pyarrow_uncompressed", compression="none", store_decimal_as_integer=True)
    write("pyarrow_int96", t=table.select(["ts_us", "ts_ns"]), use_deprecated_int96_timestamps=True)
    write("pyarrow_nested_struct", t=pa.table({
        "id": pa.array(range(100), pa.int32()),
        "s": pa.array([{"a": i, "b": str(i)} for i in range(100)]),
    }))
    write("pyarrow_empty", t=table.slice(0, 0))

    con = duckdb.connect()
    for version, codec in (("V1", "snappy"), ("V2", "zstd")):
        path = out / f"duckdb_{version.lower()}_{codec}.parquet"
        con.execute(f"""
            COPY (SELECT i::BIGINT AS id,
                         (i % 500)::INTEGER AS small,
                         'sym' || (i % 37)::VARCHAR AS symbol,
                         (i * 0.25)::DECIMAL(18, 4) AS price,
                         TIMESTAMP '2024-03-01 09:30:00' + to_microseconds(i * 1000) AS ts,
                         CASE WHEN i % 10 = 0 THEN NULL ELSE i::DOUBLE / 7 END AS ratio,
                         gen_random_uuid() AS u,
                         [i, i + 1] AS pair
                  FROM range(5000) t(i))
            TO '{path}' (FORMAT parquet, PARQUET_VERSION {version}, COMPRESSION {codec},
                         ROW_GROUP_SIZE 2048)""")
        files.append(path)
    return files


def civil(days: int, seconds: int, fraction: int, digits: int) -> str:
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(days=days, seconds=seconds)
    text = (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")
    return text + (f".{fraction:0{digits}d}" if digits else "")


DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}


class Skip(Exception):
    """A value Python cannot represent (a timestamp beyond year 9999, say)."""


def expected(value, arrow_type):
    """What our JSON holds for pyarrow's `value` of `arrow_type` (temporal values as the integers
    stored: Python's datetime holds neither nanoseconds nor every year)."""
    raw_int = value
    if value is None:
        return None
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return [expected(v, arrow_type.value_type) for v in value]
    if pa.types.is_timestamp(arrow_type):
        digits = DIGITS[arrow_type.unit]
        seconds, fraction = divmod(raw_int, 10 ** digits)
        try:
            return civil(0, seconds, fraction, digits)
        except OverflowError as e:
            raise Skip() from e
    if pa.types.is_time(arrow_type):
        digits = DIGITS[arrow_type.unit]
        seconds, fraction = divmod(raw_int, 10 ** digits)
        text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        return text + (f".{fraction:0{digits}d}" if digits else "")
    if pa.types.is_date32(arrow_type):
        try:
            return (datetime.date(1970, 1, 1) + datetime.timedelta(days=raw_int)).isoformat()
        except OverflowError as e:
            raise Skip() from e
    if isinstance(value, bytes):
        return Hex(value.hex())
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float) or pa.types.is_floating(arrow_type):
        value = float(value)
        return value if math.isfinite(value) else str(value).replace("nan", "NaN")
    return value


class Hex(str):
    """Bytes pyarrow gave, as hex; we may show them as text (STRING, ENUM, JSON) or a UUID."""


def same(ours, theirs) -> bool:
    if isinstance(theirs, Hex) and isinstance(ours, str):
        return theirs in (ours, ours.replace("-", ""), ours.encode().hex())
    if isinstance(theirs, Hex) and isinstance(ours, (int, float)) and len(theirs) == 4:
        return same(ours, struct.unpack("<e", bytes.fromhex(theirs))[0])  # FLOAT16 bounds
    if isinstance(theirs, decimal.Decimal):
        return ours is not None and decimal.Decimal(ours) == theirs
    if isinstance(theirs, float):
        return isinstance(ours, (int, float)) and (ours == theirs or math.isclose(ours, theirs, rel_tol=1e-7))
    if isinstance(theirs, list):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(map(same, ours, theirs))
    return ours == theirs


def storage_type(t: pa.DataType) -> pa.DataType:
    """`t` with its temporal types replaced by the integers they are stored as."""
    if pa.types.is_list(t):
        return pa.list_(storage_type(t.value_type))
    if pa.types.is_timestamp(t) or pa.types.is_time64(t) or pa.types.is_date64(t):
        return pa.int64()
    if pa.types.is_time32(t) or pa.types.is_date32(t):
        return pa.int32()
    return t


CODECS = {"LZ4_RAW": "LZ4"}


def check_file(path: pathlib.Path, report: dict, failures: list, counts: dict):
    def fail(what):
        failures.append(f"{path}: {what}")

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow refuses it: so must we
        if "error" not in report:
            fail(f"pyarrow refuses it ({e}), inspect reported it")
        counts["refused"] += 1
        return
    if "error" in report:
        fail(f"inspect failed where pyarrow reads it: {report['error']}")
        return
    meta = pf.metadata
    if report["num_rows"] != meta.num_rows or len(report["row_groups"]) != meta.num_row_groups:
        fail(f"rows/row groups {report['num_rows']}/{len(report['row_groups'])}, "
             f"pyarrow {meta.num_rows}/{meta.num_row_groups}")
        return
    kv = {k.decode(errors="replace"): v.decode(errors="replace")
          for k, v in (meta.metadata or {}).items()}
    ours_kv = {e["key"]: e["value"] for e in report["key_value_metadata"]}
    if kv != ours_kv:
        fail(f"key-value metadata differs: {sorted(ours_kv)} vs {sorted(kv)}")
    arrow_schema = pf.schema_arrow
    for g, rg in enumerate(report["row_groups"]):
        theirs_rg = meta.row_group(g)
        if rg["num_rows"] != theirs_rg.num_rows:
            fail(f"row group {g}: {rg['num_rows']} rows, pyarrow {theirs_rg.num_rows}")
        for c, chunk in enumerate(rg["columns"]):
            col = theirs_rg.column(c)
            where = f"row group {g}, column {chunk['path']}"
            if chunk["path"] != col.path_in_schema:
                fail(f"{where}: pyarrow's path is {col.path_in_schema}")
            if CODECS.get(chunk["codec"], chunk["codec"]) != col.compression:
                fail(f"{where}: codec {chunk['codec']}, pyarrow {col.compression}")
            if sorted(set(chunk["encodings"])) != sorted(set(col.encodings)):
                fail(f"{where}: encodings {chunk['encodings']}, pyarrow {col.encodings}")
            for ours, theirs, what in (
                    (chunk["compressed_bytes"], col.total_compressed_size, "compressed bytes"),
                    (chunk["uncompressed_bytes"], col.total_uncompressed_size, "uncompressed bytes"),
                    (chunk["num_values"], col.num_values, "values"),
                    (chunk["column_index"], col.has_column_index, "column index"),
                    (chunk["offset_index"], col.has_offset_index, "offset index")):
                if ours != theirs:
                    fail(f"{where}: {what} {ours}, pyarrow {theirs}")
            stats, theirs_stats = chunk["statistics"], col.statistics
            if (stats is None) != (theirs_stats is None):
                fail(f"{where}: statistics {stats}, pyarrow {theirs_stats}")
                continue
            if stats is None:
                continue
            counts["statistics"] += 1
            if theirs_stats.has_null_count and stats["null_count"] != theirs_stats.null_count:
                fail(f"{where}: null count {stats['null_count']}, pyarrow {theirs_stats.null_count}")
            field = arrow_schema.field(chunk["path"].split(".")[0])
            leaf_type = field.type
            while pa.types.is_list(leaf_type):
                leaf_type = leaf_type.value_type
            if theirs_stats.has_min_max and not pa.types.is_temporal(leaf_type) \
                    and not pa.types.is_struct(leaf_type):
                for bound in ("min", "max"):
                    try:
                        want = expected(getattr(theirs_stats, bound), leaf_type)
                    except Skip:
                        continue
                    if not same(stats[bound], want):
                        fail(f"{where}: {bound} {stats[bound]!r}, pyarrow {want!r}")
    rows = report.get("rows")
    if rows is None:
        if not any(pa.types.is_struct(f.type) for f in arrow_schema):
            fail(f"rows not read: {report.get('rows_error')}")
        counts["rows_refused"] += 1
        return
    table = pf.read_row_groups(range(meta.num_row_groups)).slice(0, ROWS) if meta.num_row_groups else None
    want_rows = min(ROWS, meta.num_rows)
    if len(rows) != want_rows:
        fail(f"{len(rows)} rows printed, {want_rows} expected")
        return
    if table is None or want_rows == 0:
        return
    # Each leaf beside its pyarrow column (a struct's fields, one level down, by name).
    leaves = []
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_struct(column.type):
            for child in column.type:
                leaves.append((f"{name}.{child.name}", child.type,
                               [None if v is None else v[child.name] for v in column.to_pylist()]))
        else:
            leaves.append((name, column.type, column.cast(storage_type(column.type)).to_pylist()))
    for name, arrow_type, values in leaves:
        paths = [k for k in rows[0] if k == name or k.rsplit(".", 2)[0] == name] if rows else []
        if len(paths) != 1:
            fail(f"column {name}: leaves {paths}")
            continue
        for r in range(want_rows):
            try:
                want = expected(values[r], arrow_type)
            except Skip:
                counts["values_skipped"] += 1
                continue
            if not same(rows[r][paths[0]], want):
                fail(f"row {r}, column {name}: {rows[r][paths[0]]!r}, pyarrow {want!r}")
            counts["values"] += 1


def main():
    inspect, output, foreign = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    files = sorted(output.rglob("*.parquet")) + foreign_files(foreign)
    counts = {"files": len(files), "refused": 0, "rows_refused": 0, "statistics": 0,
              "values": 0, "values_skipped": 0}
    failures = []
    batch = 200
    for start in range(0, len(files), batch):
        chunk = files[start:start + batch]
        run = subprocess.run([inspect, "--json", "--rows", str(ROWS), *map(str, chunk)],
                             capture_output=True, text=True)
        reports = [json.loads(line) for line in run.stdout.splitlines()]
        if len(reports) != len(chunk):
            sys.exit(f"{len(reports)} reports for {len(chunk)} files; stderr: {run.stderr}")
        refused = sum("error" in r or r.get("rows_error") is not None for r in reports)
        if (run.returncode == 1) != (refused > 0) or run.returncode not in (0, 1):
            failures.append(f"exit {run.returncode} with {refused} failed files")
        for path, report in zip(chunk, reports):
            check_file(path, report, failures, counts)
    # Text mode and usage errors, as a user meets them.
    text = subprocess.run([inspect, "--rows", "2", str(files[0])], capture_output=True, text=True)
    if text.returncode != 0 or "schema:" not in text.stdout or "first 2 rows:" not in text.stdout:
        failures.append(f"text report: exit {text.returncode}: {text.stdout[:300]} {text.stderr}")
    for args, code in ((["--rows"], 2), (["--rows", "x", str(files[0])], 2), (["--bogus"], 2),
                       ([], 2), ([str(output / "no-such-file.parquet")], 1), (["--help"], 0)):
        run = subprocess.run([inspect, *args], capture_output=True, text=True)
        if run.returncode != code:
            failures.append(f"inspect {args}: exit {run.returncode}, expected {code}")
    print(json.dumps(counts))
    if failures:
        print("\n".join(failures[:50]))
        sys.exit(f"{len(failures)} disagreements with pyarrow")
    print("parquet_flow_inspect agrees with pyarrow on every file")


if __name__ == "__main__":
    main()
