#!/usr/bin/env python3
"""Cross-check Parquet files against the JSON sidecars the tests wrote, with two independent
readers: pyarrow (Arrow C++) and DuckDB.

    verify_parquet.py PATH [PATH ...]

Each PATH is a sidecar (`<file>.parquet.expect.json`), a .parquet file with a sidecar beside it,
or a directory searched recursively for sidecars. Every value, null and list boundary of every
column is compared, and so are the metadata both readers report: row groups and their sizes,
physical and logical types, repetition, codecs, key/value metadata, created_by, and the
statistics and page index (statistics_check.py).

A sidecar holds the raw physical values that were written (see tests/cpp/test_data.cpp):
BOOLEAN true/false, INT32/INT64 integers, FLOAT/DOUBLE IEEE bits as "0x..." strings, INT96 /
BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY hex strings; null for a null; a list per REPEATED row. This
script knows how each reader presents each physical and logical type and converts both sides
to one canonical form before comparing.

Ends with one line "N passed, M failed"; exits 0 only when nothing failed.
"""

import decimal
import json
import struct
import sys
import uuid
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

import statistics_check

MAX_REPORTED = 5
# DECIMAL(38, s) needs more than the default 28 significant digits to convert exactly.
decimal.getcontext().prec = 80
INT96_EPOCH_JULIAN_DAY = 2440588
NS_PER_DAY = 86_400 * 10**9


# ---- expected values: raw physical value -> canonical form ----------------------------------

def int96_nanos(raw: bytes) -> int:
    nanos_of_day, julian_day = struct.unpack("<qI", raw)
    return (julian_day - INT96_EPOCH_JULIAN_DAY) * NS_PER_DAY + nanos_of_day


def canonical_expected(column: dict, value, reader: str):
    """The canonical form of one raw sidecar value, as `reader` is expected to show it."""
    physical = column["physical"]
    logical = column.get("logical") or {}
    kind = logical.get("type")
    if physical == "BOOLEAN":
        return bool(value)
    if physical in ("INT32", "INT64"):
        value = int(value)
        if kind == "INTEGER" and not logical["signed"]:
            return value & ((1 << logical["bits"]) - 1)
        if kind == "TIME" and logical["unit"] == "NANOS" and reader == "duckdb":
            # DuckDB's TIME holds microseconds: TIME(NANOS) arrives truncated.
            return value // 1000
        return value
    if physical in ("FLOAT", "DOUBLE"):
        return int(value, 16)
    raw = bytes.fromhex(value)
    if physical == "INT96":
        return int96_nanos(raw)
    if kind == "DECIMAL":
        return int.from_bytes(raw, "big", signed=True)
    return raw


# ---- actual values: reader object -> canonical form -----------------------------------------

def canonical_actual(column: dict, value):
    if value is None:
        return None
    physical = column["physical"]
    logical = column.get("logical") or {}
    if physical == "FLOAT":
        return struct.unpack("<I", struct.pack("<f", value))[0]
    if physical == "DOUBLE":
        return struct.unpack("<Q", struct.pack("<d", value))[0]
    if isinstance(value, decimal.Decimal):
        return int(value.scaleb(logical["scale"]))
    if logical.get("type") == "DECIMAL" and isinstance(value, str):
        return int(decimal.Decimal(value).scaleb(logical["scale"]))
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, str):
        if logical.get("type") == "UUID":
            return uuid.UUID(value).bytes
        return value.encode("utf-8")
    return value


def is_temporal(t: pa.DataType) -> bool:
    return pa.types.is_timestamp(t) or pa.types.is_time(t) or pa.types.is_date(t)


def pyarrow_values(arr: pa.Array, column: dict) -> list:
    """Python values of a flat pyarrow array, temporal types as their integer storage."""
    if isinstance(arr.type, pa.ExtensionType):
        arr = arr.storage
    if is_temporal(arr.type):
        arr = arr.cast(pa.int32() if arr.type.bit_width == 32 else pa.int64())
    return [canonical_actual(column, v) for v in arr.to_pylist()]


def pyarrow_rows(table: pa.Table, column: dict) -> list:
    arr = table.column(column["name"]).combine_chunks()
    if column["repetition"] != "REPEATED":
        return pyarrow_values(arr, column)
    if not pa.types.is_list(arr.type) and not pa.types.is_large_list(arr.type):
        raise AssertionError(f"REPEATED column read as {arr.type}, not a list")
    values = pyarrow_values(arr.values, column)
    offsets = arr.offsets.to_pylist()
    valid = arr.is_valid().to_pylist()
    return [values[offsets[i]:offsets[i + 1]] if valid[i] else None for i in range(len(arr))]


def duckdb_expression(column: dict, ref: str) -> str:
    """SQL that makes DuckDB return an exactly comparable value of one element."""
    physical = column["physical"]
    logical = column.get("logical") or {}
    kind = logical.get("type")
    if kind == "TIMESTAMP":
        return {"MILLIS": "epoch_ms", "MICROS": "epoch_us", "NANOS": "epoch_ns"}[logical["unit"]] + f"({ref})"
    if kind == "TIME":
        return ("epoch_ms" if logical["unit"] == "MILLIS" else "epoch_us") + f"({ref})"
    if kind == "DATE":
        return f"({ref} - DATE '1970-01-01')"
    if physical == "INT96":
        return f"epoch_ns({ref})"  # read_parquet(int96_as='timestamp_ns') keeps every nanosecond
    if kind in ("UUID", "JSON", "DECIMAL"):
        return f"CAST({ref} AS VARCHAR)"
    return ref


def duckdb_rows(con, path: Path, column: dict) -> list:
    name = '"' + column["name"].replace('"', '""') + '"'
    if column["repetition"] == "REPEATED":
        expr = f"list_transform({name}, lambda x: {duckdb_expression(column, 'x')})"
    else:
        expr = duckdb_expression(column, name)
    rows = con.execute(f"SELECT {expr} FROM read_parquet(?, int96_as = 'timestamp_ns')", [str(path)]).fetchall()
    out = []
    for (value,) in rows:
        if column["repetition"] == "REPEATED" and value is not None:
            out.append([canonical_actual(column, v) for v in value])
        else:
            out.append(canonical_actual(column, value))
    return out


def expected_rows(column: dict, reader: str) -> list:
    rows = []
    for value in column["values"]:
        if value is None:
            rows.append(None)
        elif column["repetition"] == "REPEATED":
            rows.append([canonical_expected(column, v, reader) for v in value])
        else:
            rows.append(canonical_expected(column, value, reader))
    return rows


def compare_rows(errors: list, reader: str, column: dict, expected: list, actual: list):
    name = column["name"]
    if len(expected) != len(actual):
        errors.append(f"{reader}: column '{name}': {len(actual)} rows, expected {len(expected)}")
        return
    reported = 0
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e != a:
            if reported < MAX_REPORTED:
                errors.append(f"{reader}: column '{name}' row {i}: expected {e!r}, got {a!r}")
            reported += 1
    if reported > MAX_REPORTED:
        errors.append(f"{reader}: column '{name}': {reported - MAX_REPORTED} more mismatches")


# ---- metadata --------------------------------------------------------------------------------

PYARROW_UNITS = {"MILLIS": "milliseconds", "MICROS": "microseconds", "NANOS": "nanoseconds"}


def expected_logical_json(logical) -> dict:
    if not logical:
        return {"Type": "None"}
    kind = logical["type"]
    simple = {"STRING": "String", "ENUM": "Enum", "JSON": "JSON", "UUID": "UUID", "DATE": "Date"}
    if kind in simple:
        return {"Type": simple[kind]}
    if kind in ("TIME", "TIMESTAMP"):
        return {"Type": kind.capitalize(), "isAdjustedToUTC": logical["utc"],
                "timeUnit": PYARROW_UNITS[logical["unit"]]}
    if kind == "INTEGER":
        return {"Type": "Int", "bitWidth": logical["bits"], "isSigned": logical["signed"]}
    if kind == "DECIMAL":
        return {"Type": "Decimal", "precision": logical["precision"], "scale": logical["scale"]}
    raise ValueError(f"unknown logical type {kind}")


LEVELS = {"REQUIRED": (0, 0), "OPTIONAL": (1, 0), "REPEATED": (1, 1)}


def expected_converted_type(logical):
    """The legacy ConvertedType LogicalTypes.md pairs with a logical type (None where none)."""
    if not logical:
        return None
    kind = logical["type"]
    if kind in ("TIME", "TIMESTAMP"):
        return None if logical["unit"] == "NANOS" else f"{kind}_{logical['unit']}"
    if kind == "INTEGER":
        return f"{'' if logical['signed'] else 'U'}INT_{logical['bits']}"
    return {"STRING": "UTF8", "ENUM": "ENUM", "JSON": "JSON", "DATE": "DATE", "DECIMAL": "DECIMAL"}.get(kind)


def column_codec(spec: dict, column: dict) -> str:
    return column.get("codec", spec.get("codec", "UNCOMPRESSED"))


def check_pyarrow_metadata(errors: list, spec: dict, pf: pq.ParquetFile):
    md = pf.metadata
    sizes = [md.row_group(i).num_rows for i in range(md.num_row_groups)]
    if sizes != spec["row_groups"]:
        errors.append(f"pyarrow: row groups {sizes}, expected {spec['row_groups']}")
    if md.num_columns != len(spec["columns"]):
        errors.append(f"pyarrow: {md.num_columns} columns, expected {len(spec['columns'])}")
        return
    for i, column in enumerate(spec["columns"]):
        c = pf.schema.column(i)
        name = column["name"]
        if c.name != name:
            errors.append(f"pyarrow: column {i} is '{c.name}', expected '{name}'")
        if c.physical_type != column["physical"]:
            errors.append(f"pyarrow: column '{name}' is {c.physical_type}, expected {column['physical']}")
        if (c.max_definition_level, c.max_repetition_level) != LEVELS[column["repetition"]]:
            errors.append(f"pyarrow: column '{name}' has levels ({c.max_definition_level}, "
                          f"{c.max_repetition_level}), expected {column['repetition']}")
        if column["physical"] == "FIXED_LEN_BYTE_ARRAY" and c.length != column["type_length"]:
            errors.append(f"pyarrow: column '{name}' type_length {c.length}, expected {column['type_length']}")
        actual_logical = json.loads(c.logical_type.to_json())
        wanted = expected_logical_json(column.get("logical"))
        if any(actual_logical.get(k) != v for k, v in wanted.items()):
            errors.append(f"pyarrow: column '{name}' logical type {actual_logical}, expected {wanted}")
        for rg in range(md.num_row_groups):
            codec = md.row_group(rg).column(i).compression
            # pyarrow names parquet's LZ4_RAW "LZ4" (its name for the raw block format).
            codec = "LZ4_RAW" if codec == "LZ4" else codec
            if codec != column_codec(spec, column):
                errors.append(f"pyarrow: row group {rg} column '{name}' codec {codec}, "
                              f"expected {column_codec(spec, column)}")
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    for key, value in spec.get("key_value_metadata", {}).items():
        if kv.get(key) != value:
            errors.append(f"pyarrow: key/value metadata {key!r} is {kv.get(key)!r}, expected {value!r}")
    prefix = spec.get("created_by_prefix")
    if prefix and not (md.created_by or "").startswith(prefix):
        errors.append(f"pyarrow: created_by {md.created_by!r} does not start with {prefix!r}")


def check_duckdb_metadata(errors: list, spec: dict, con, path: Path):
    (num_rows, num_row_groups), = con.execute(
        "SELECT num_rows, num_row_groups FROM parquet_file_metadata(?)", [str(path)]).fetchall()
    if num_rows != sum(spec["row_groups"]) or num_row_groups != len(spec["row_groups"]):
        errors.append(f"duckdb: {num_rows} rows in {num_row_groups} row groups, expected "
                      f"{sum(spec['row_groups'])} in {len(spec['row_groups'])}")
    chunks = con.execute(
        "SELECT row_group_id, row_group_num_rows, column_id, compression, type "
        "FROM parquet_metadata(?) ORDER BY row_group_id, column_id", [str(path)]).fetchall()
    for rg, rows, col, codec, physical in chunks:
        if col >= len(spec["columns"]) or rg >= len(spec["row_groups"]):
            errors.append(f"duckdb: unexpected column chunk (row group {rg}, column {col})")
            continue
        column = spec["columns"][col]
        if rows != spec["row_groups"][rg]:
            errors.append(f"duckdb: row group {rg} has {rows} rows, expected {spec['row_groups'][rg]}")
        if codec != column_codec(spec, column):
            errors.append(f"duckdb: row group {rg} column '{column['name']}' codec {codec}")
        if physical != column["physical"]:
            errors.append(f"duckdb: column '{column['name']}' physical type {physical}")
    # Value encodings: a sidecar column's "data_page_encodings" lists exactly the encodings its data
    # pages use in every chunk (a dictionary page comes with RLE_DICTIONARY pages).
    stats = con.execute(
        "SELECT row_group_id, column_id, encoding_stats, dictionary_page_offset "
        "FROM parquet_metadata(?) ORDER BY row_group_id, column_id", [str(path)]).fetchall()
    for rg, col, encoding_stats, dictionary_offset in stats:
        if col >= len(spec["columns"]) or "data_page_encodings" not in spec["columns"][col]:
            continue
        column = spec["columns"][col]
        data = {s["encoding"] for s in encoding_stats or [] if s["page_type"] == "DATA_PAGE"}
        wanted = set(column["data_page_encodings"])
        if data != wanted:
            errors.append(f"duckdb: row group {rg} column '{column['name']}' data pages in {sorted(data)}, "
                          f"expected {sorted(wanted)}")
        if ("RLE_DICTIONARY" in wanted) != (dictionary_offset is not None):
            errors.append(f"duckdb: row group {rg} column '{column['name']}' dictionary page offset "
                          f"{dictionary_offset}")
    schema = con.execute(
        "SELECT name, type, repetition_type, converted_type FROM parquet_schema(?) WHERE type IS NOT NULL",
        [str(path)]).fetchall()
    for (name, physical, repetition, converted), column in zip(schema, spec["columns"]):
        if (name, physical, repetition) != (column["name"], column["physical"], column["repetition"]):
            errors.append(f"duckdb: schema element ({name}, {physical}, {repetition}), expected "
                          f"({column['name']}, {column['physical']}, {column['repetition']})")
        wanted = expected_converted_type(column.get("logical"))
        if converted != wanted:
            errors.append(f"duckdb: column '{name}' converted type {converted}, expected {wanted}")


# ---- driver ----------------------------------------------------------------------------------

def verify(sidecar: Path, con) -> list:
    spec = json.loads(sidecar.read_text())
    path = sidecar.parent / spec["file"]
    errors = []
    try:
        pf = pq.ParquetFile(path)
        check_pyarrow_metadata(errors, spec, pf)
        statistics_check.check_pyarrow(errors, spec, pf.metadata)
        table = pf.read()
        for column in spec["columns"]:
            compare_rows(errors, "pyarrow", column, expected_rows(column, "pyarrow"), pyarrow_rows(table, column))
    except Exception as e:  # a reader that cannot read the file is a failure, with its message
        errors.append(f"pyarrow: {type(e).__name__}: {e}")
    if duckdb_cannot_read(spec):
        return errors
    try:
        check_duckdb_metadata(errors, spec, con, path)
        statistics_check.check_duckdb(errors, spec, con, path)
        for column in spec["columns"]:
            compare_rows(errors, "duckdb", column, expected_rows(column, "duckdb"), duckdb_rows(con, path, column))
    except Exception as e:
        errors.append(f"duckdb: {type(e).__name__}: {e}")
    return errors


# What DuckDB does not read by design, each with its reason; such files are checked with pyarrow
# alone, and the run's summary says how many.
DUCKDB_LIMITS = {
    ("FIXED_LEN_BYTE_ARRAY", "BYTE_STREAM_SPLIT"):
        "DuckDB reads BYTE_STREAM_SPLIT for FLOAT, DOUBLE, INT32 and INT64 only",
    ("DECIMAL", "DELTA_LENGTH_BYTE_ARRAY"):
        "DuckDB reads DELTA_LENGTH_BYTE_ARRAY only for strings and blobs, not DECIMAL",
    ("DECIMAL", "DELTA_BYTE_ARRAY"):
        "DuckDB reads DELTA_BYTE_ARRAY only for strings and blobs, not DECIMAL",
}
duckdb_skipped = []


def duckdb_cannot_read(spec: dict) -> bool:
    for column in spec["columns"]:
        for encoding in column.get("data_page_encodings", []):
            kind = (column.get("logical") or {}).get("type")
            reason = DUCKDB_LIMITS.get((column["physical"], encoding)) or DUCKDB_LIMITS.get((kind, encoding))
            if reason:
                duckdb_skipped.append(f"{spec['file']}: {reason}")
                return True
    return False


def sidecars(paths: list) -> list:
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(p.rglob("*.expect.json")))
        elif p.name.endswith(".expect.json"):
            found.append(p)
        else:
            found.append(p.with_name(p.name + ".expect.json"))
    return found


def main(argv: list) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: verify_parquet.py PATH [PATH ...]", file=sys.stderr)
        return 2
    files = sidecars(argv[1:])
    if not files:
        print(f"no sidecars (*.expect.json) found under {' '.join(argv[1:])}", file=sys.stderr)
        return 2
    con = duckdb.connect()
    passed = failed = 0
    for sidecar in files:
        if not sidecar.exists():
            print(f"FAIL {sidecar}: no such sidecar")
            failed += 1
            continue
        errors = verify(sidecar, con)
        spec_rows = json.loads(sidecar.read_text())
        label = sidecar.with_name(spec_rows["file"])
        if errors:
            failed += 1
            print(f"FAIL {label}")
            for e in errors:
                print(f"     {e}")
        else:
            passed += 1
            print(f"ok   {label}  rows={sum(spec_rows['row_groups'])} cols={len(spec_rows['columns'])} "
                  f"row_groups={len(spec_rows['row_groups'])}")
    for note in duckdb_skipped:
        print(f"note: DuckDB not run on {note}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
