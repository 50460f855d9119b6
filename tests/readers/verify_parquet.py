#!/usr/bin/env python3
"""Cross-check Parquet files against the JSON sidecars the tests wrote, with two independent
readers: pyarrow (Arrow C++) and DuckDB.

    verify_parquet.py PATH [PATH ...]

Each PATH is a sidecar (`<file>.parquet.expect.json`), a .parquet file with its sidecar beside
it, or a directory searched recursively for `*.expect.json`. A PATH that is none of these, or
finding no sidecar at all, is a usage error (exit 2).

A sidecar holds the raw physical values that were written: BOOLEAN true/false, INT32/INT64
integers, FLOAT/DOUBLE IEEE bits as "0x..." strings, INT96 / BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY
lowercase hex; null for a null; a list per row of a REPEATED column. Both readers' values are
brought to one exact canonical form (integers, IEEE bit patterns, bytes, unscaled decimals,
time units since the epoch or midnight) and compared row by row, along with the metadata each
reader reports: row groups and their sizes, physical and logical types, repetition,
type_length, codecs, key/value metadata and created_by.

Prints one line per file, notes where a reader cannot show a type exactly, and ends with
"N passed, M failed"; exits 0 only when nothing failed.
"""

import json
import math
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

MAX_REPORTED = 5
INT96_UNIX_EPOCH_JULIAN_DAY = 2440588
NS_PER_DAY = 86_400 * 10**9
# DuckDB reads a DECIMAL of more digits than this as DOUBLE.
DUCKDB_MAX_DECIMAL_PRECISION = 38
# Relative tolerance for those DOUBLEs: DuckDB's conversion need not round correctly.
DUCKDB_WIDE_DECIMAL_REL_TOL = 1e-12

PHYSICAL_TYPES = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
                  "FIXED_LEN_BYTE_ARRAY"}
REPETITIONS = {"REQUIRED", "OPTIONAL", "REPEATED"}
TIME_UNITS = ("MILLIS", "MICROS", "NANOS")
# Keys each logical type needs besides "type".
LOGICAL_KEYS = {"STRING": set(), "ENUM": set(), "JSON": set(), "UUID": set(), "DATE": set(),
                "TIME": {"unit", "utc"}, "TIMESTAMP": {"unit", "utc"},
                "INTEGER": {"bits", "signed"}, "DECIMAL": {"precision", "scale"}}
SIDECAR_KEYS = {"file", "codec", "row_groups", "key_value_metadata", "created_by_prefix", "columns"}
COLUMN_KEYS = {"name", "physical", "repetition", "type_length", "logical", "codec", "values"}


class SidecarError(Exception):
    pass


@dataclass
class Problem:
    reader: str  # "sidecar", "pyarrow" or "duckdb"
    column: str | None
    text: str

    def __str__(self):
        where = f"column '{self.column}': " if self.column is not None else ""
        return f"{self.reader}: {where}{self.text}"


@dataclass
class Report:
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def add(self, reader, column, text):
        self.problems.append(Problem(reader, column, text))


# ---- the sidecar -------------------------------------------------------------------------------

def check_sidecar(spec) -> None:
    """Structural checks, so that a malformed sidecar fails loudly instead of checking less."""
    def need(ok, what):
        if not ok:
            raise SidecarError(what)

    need(isinstance(spec, dict), "not a JSON object")
    need(not set(spec) - SIDECAR_KEYS, f"unknown keys {sorted(set(spec) - SIDECAR_KEYS)}")
    need(isinstance(spec.get("file"), str), "'file' must be a string")
    groups = spec.get("row_groups")
    need(isinstance(groups, list) and all(type(n) is int and n >= 0 for n in groups),
         "'row_groups' must be a list of row counts")
    kv = spec.get("key_value_metadata", {})
    need(isinstance(kv, dict) and all(isinstance(v, str) for v in kv.values()),
         "'key_value_metadata' must map strings to strings")
    need(isinstance(spec.get("created_by_prefix", ""), str), "'created_by_prefix' must be a string")
    need(isinstance(spec.get("codec", ""), str), "'codec' must be a string")
    columns = spec.get("columns")
    need(isinstance(columns, list), "'columns' must be a list")
    rows = sum(groups)
    for c in columns:
        need(isinstance(c, dict) and isinstance(c.get("name"), str), "every column needs a 'name'")
        name = c["name"]
        need(not set(c) - COLUMN_KEYS, f"column '{name}': unknown keys {sorted(set(c) - COLUMN_KEYS)}")
        need(c.get("physical") in PHYSICAL_TYPES, f"column '{name}': bad physical type {c.get('physical')!r}")
        need(c.get("repetition") in REPETITIONS, f"column '{name}': bad repetition {c.get('repetition')!r}")
        flba = c["physical"] == "FIXED_LEN_BYTE_ARRAY"
        need(("type_length" in c) == flba, f"column '{name}': 'type_length' is for (only) FIXED_LEN_BYTE_ARRAY")
        need(not flba or (type(c["type_length"]) is int and c["type_length"] > 0),
             f"column '{name}': bad type_length")
        need(isinstance(c.get("codec", ""), str), f"column '{name}': 'codec' must be a string")
        logical = c.get("logical")
        if logical is not None:
            need(isinstance(logical, dict) and logical.get("type") in LOGICAL_KEYS,
                 f"column '{name}': bad logical type {logical!r}")
            need(set(logical) == {"type"} | LOGICAL_KEYS[logical["type"]],
                 f"column '{name}': logical type {logical['type']} needs exactly "
                 f"{sorted(LOGICAL_KEYS[logical['type']])}")
            if "unit" in logical:
                need(logical["unit"] in TIME_UNITS, f"column '{name}': bad time unit")
            for key in ("utc", "signed"):
                need(key not in logical or isinstance(logical[key], bool), f"column '{name}': '{key}' must be a bool")
            need(logical.get("bits", 8) in (8, 16, 32, 64), f"column '{name}': bad INTEGER bits")
            for key in ("precision", "scale"):
                need(key not in logical or type(logical[key]) is int, f"column '{name}': '{key}' must be an integer")
        values = c.get("values")
        need(isinstance(values, list) and len(values) == rows,
             f"column '{name}': 'values' must hold one entry per row ({rows})")
        if c["repetition"] == "REPEATED":
            need(all(isinstance(v, list) for v in values), f"column '{name}': every REPEATED row must be a list")
        elif c["repetition"] == "REQUIRED":
            need(None not in values, f"column '{name}': a REQUIRED column has no nulls")


def codec_of(spec: dict, column: dict) -> str | None:
    """The codec every chunk of `column` must have; None when the sidecar does not say."""
    return column.get("codec", spec.get("codec"))


# ---- expected values: raw physical value -> canonical form ----------------------------------------

def as_int(v):
    if type(v) is not int:
        raise TypeError(f"expected an integer, got {v!r}")
    return v


def as_bool(v):
    if type(v) is not bool:
        raise TypeError(f"expected true/false, got {v!r}")
    return v


def as_bits(v):
    if not (isinstance(v, str) and v.startswith("0x")):
        raise TypeError(f"expected IEEE bits as '0x...', got {v!r}")
    return int(v, 16)


def as_bytes(v):
    if not isinstance(v, str):
        raise TypeError(f"expected a hex string, got {v!r}")
    return bytes.fromhex(v)


def int96_nanos(v) -> int:
    raw = as_bytes(v)
    if len(raw) != 12:
        raise ValueError(f"INT96 needs 12 bytes, got {len(raw)}")
    nanos_of_day = int.from_bytes(raw[:8], "little", signed=True)
    julian_day = int.from_bytes(raw[8:], "little", signed=True)
    return (julian_day - INT96_UNIX_EPOCH_JULIAN_DAY) * NS_PER_DAY + nanos_of_day


def kind_of(column: dict):
    return (column.get("logical") or {}).get("type")


def duckdb_limitation(column: dict) -> str | None:
    """Why DuckDB cannot show this column's values exactly, if it cannot."""
    logical = column.get("logical") or {}
    if logical.get("type") == "TIME" and logical["unit"] == "NANOS" and logical["utc"]:
        return "compared in microseconds: DuckDB reads TIME(NANOS, isAdjustedToUTC=true) as TIMETZ, which holds microseconds"
    if logical.get("type") == "DECIMAL" and logical["precision"] > DUCKDB_MAX_DECIMAL_PRECISION:
        return (f"compared approximately (relative {DUCKDB_WIDE_DECIMAL_REL_TOL}): DuckDB reads DECIMAL wider than "
                f"{DUCKDB_MAX_DECIMAL_PRECISION} digits as DOUBLE")
    return None


def approximate(column: dict, reader: str) -> bool:
    return reader == "duckdb" and kind_of(column) == "DECIMAL" and \
        column["logical"]["precision"] > DUCKDB_MAX_DECIMAL_PRECISION


def expected_converter(column: dict, reader: str):
    """A function from one raw sidecar value to the canonical form `reader` must show."""
    physical, logical, kind = column["physical"], column.get("logical") or {}, kind_of(column)
    if physical == "BOOLEAN":
        return as_bool
    if physical in ("FLOAT", "DOUBLE"):
        return as_bits
    if physical == "INT96":
        return int96_nanos
    if kind == "DECIMAL":
        if physical in ("INT32", "INT64"):
            unscaled = as_int
        else:  # big-endian two's complement
            def unscaled(v):
                return int.from_bytes(as_bytes(v), "big", signed=True)
        if approximate(column, reader):
            scale = 10 ** logical["scale"]
            return lambda v: float(Fraction(unscaled(v), scale))
        return unscaled
    if physical in ("INT32", "INT64"):
        if kind == "INTEGER" and not logical["signed"]:
            # Readers show the physical bits reinterpreted as an unsigned integer of `bits` bits.
            mask = (1 << logical["bits"]) - 1
            return lambda v: as_int(v) & mask
        if reader == "duckdb" and duckdb_limitation(column):  # TIME(NANOS, utc) as TIMETZ
            return lambda v: as_int(v) // 1000
        return as_int
    if physical == "FIXED_LEN_BYTE_ARRAY":
        def flba(v):
            raw = as_bytes(v)
            if len(raw) != column["type_length"]:
                raise ValueError(f"{len(raw)} bytes in a FIXED_LEN_BYTE_ARRAY({column['type_length']})")
            return raw
        return flba
    return as_bytes


def expected_rows(report: Report, column: dict, reader: str) -> list | None:
    convert = expected_converter(column, reader)
    repeated = column["repetition"] == "REPEATED"
    rows = []
    for i, v in enumerate(column["values"]):
        try:
            if repeated:
                rows.append([convert(x) for x in v])
            else:
                rows.append(None if v is None else convert(v))
        except (TypeError, ValueError) as e:
            report.add("sidecar", column["name"], f"row {i}: {e}")
            return None
    return rows


# ---- actual values: an Arrow array from either reader -> canonical form ---------------------------

# Reinterpretations that are exact by construction: same buffers, integer or bytes view.
_BYTES_VIEW = {pa.string(): pa.binary(), pa.large_string(): pa.large_binary(), pa.string_view(): pa.binary_view()}


def canonical(arr: pa.Array, float_bits: bool = True) -> list:
    """Python values of `arr`: floats as IEEE bits, temporal values as their integer count,
    decimals as unscaled integers, text as UTF-8 bytes, lists as lists, nulls as None."""
    t = arr.type
    if isinstance(t, pa.BaseExtensionType):  # arrow.json, arrow.uuid: compare the stored bytes
        return canonical(arr.storage, float_bits)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        flat = canonical(arr.values, float_bits)
        offsets = arr.offsets.to_pylist()  # already account for arr's own slice offset
        valid = arr.is_valid().to_pylist()
        return [flat[offsets[i]:offsets[i + 1]] if valid[i] else None for i in range(len(arr))]
    if pa.types.is_floating(t) and float_bits:
        return arr.view(pa.uint32() if t.bit_width == 32 else pa.uint64()).to_pylist()
    if pa.types.is_temporal(t):
        return arr.view(pa.int32() if t.bit_width == 32 else pa.int64()).to_pylist()
    if pa.types.is_decimal(t):
        raw = arr.view(pa.binary(t.byte_width)).to_pylist()
        return [None if b is None else int.from_bytes(b, "little", signed=True) for b in raw]
    if t in _BYTES_VIEW:
        return arr.view(_BYTES_VIEW[t]).to_pylist()
    return arr.to_pylist()


def canonical_chunks(chunked: pa.ChunkedArray, float_bits: bool = True) -> list:
    return [v for chunk in chunked.chunks for v in canonical(chunk, float_bits)]


# ---- comparison ------------------------------------------------------------------------------------

def close(e, a) -> bool:
    if isinstance(e, list) and isinstance(a, list):
        return len(e) == len(a) and all(close(x, y) for x, y in zip(e, a))
    if e is None or a is None or isinstance(e, list) or isinstance(a, list):
        return e is a
    return math.isclose(e, a, rel_tol=DUCKDB_WIDE_DECIMAL_REL_TOL)


def form_of(column: dict, reader: str) -> str:
    """How compared values are written in mismatch messages."""
    physical, logical, kind = column["physical"], column.get("logical") or {}, kind_of(column)
    if approximate(column, reader):
        return "decimal value"
    if kind == "DECIMAL":
        return "unscaled integer"
    if physical == "INT96":
        return "ns since epoch"
    if kind == "DATE":
        return "days since epoch"
    if kind in ("TIME", "TIMESTAMP"):
        unit = {"MILLIS": "ms", "MICROS": "us", "NANOS": "ns"}[logical["unit"]]
        if reader == "duckdb" and duckdb_limitation(column):
            unit = "us"
        return f"{unit} since {'midnight' if kind == 'TIME' else 'epoch'}"
    if physical in ("FLOAT", "DOUBLE"):
        return "IEEE bits"
    if physical in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
        return "bytes"
    return "value"


def show(column: dict, v) -> str:
    if v is None:
        return "null"
    if isinstance(v, list):
        return "[" + ", ".join(show(column, x) for x in v) + "]"
    if isinstance(v, bytes):
        return repr(v.hex())
    if column["physical"] in ("FLOAT", "DOUBLE") and isinstance(v, int) and not isinstance(v, bool):
        return f"0x{v:0{8 if column['physical'] == 'FLOAT' else 16}x}"
    return repr(v)


def compare(report: Report, reader: str, column: dict, expected: list, actual: list) -> None:
    name = column["name"]
    if len(expected) != len(actual):
        report.add(reader, name, f"{len(actual)} rows, expected {len(expected)}")
        return
    same = close if approximate(column, reader) else None
    if same is None and expected == actual:  # the common case, at C speed
        return
    bad = [i for i, (e, a) in enumerate(zip(expected, actual)) if not (same(e, a) if same else e == a)]
    for i in bad[:MAX_REPORTED]:
        report.add(reader, name, f"row {i}: expected {show(column, expected[i])}, "
                                 f"got {show(column, actual[i])} ({form_of(column, reader)})")
    if len(bad) > MAX_REPORTED:
        report.add(reader, name, f"{len(bad) - MAX_REPORTED} more mismatching rows")


def compare_column(report: Report, reader: str, column: dict, actual: list) -> None:
    expected = expected_rows(report, column, reader)
    if expected is not None:
        compare(report, reader, column, expected, actual)


def check_key_values(report: Report, reader: str, spec: dict, kv: dict, created_by: str | None) -> None:
    for key, value in spec.get("key_value_metadata", {}).items():
        if kv.get(key) != value:
            report.add(reader, None, f"key/value metadata {key!r} is {kv.get(key)!r}, expected {value!r}")
    prefix = spec.get("created_by_prefix")
    if prefix is not None and not (created_by or "").startswith(prefix):
        report.add(reader, None, f"created_by {created_by!r} does not start with {prefix!r}")


# ---- pyarrow ---------------------------------------------------------------------------------------

PYARROW_UNITS = {"MILLIS": "milliseconds", "MICROS": "microseconds", "NANOS": "nanoseconds"}
PYARROW_SIMPLE = {"STRING": "String", "ENUM": "Enum", "JSON": "JSON", "UUID": "UUID", "DATE": "Date"}


def pyarrow_logical(logical) -> dict:
    """The keys pyarrow's LogicalType.to_json() must have (it may add others, e.g. for
    TIMESTAMP is_from_converted_type)."""
    if not logical:
        return {"Type": "None"}
    kind = logical["type"]
    if kind in PYARROW_SIMPLE:
        return {"Type": PYARROW_SIMPLE[kind]}
    if kind in ("TIME", "TIMESTAMP"):
        return {"Type": kind.capitalize(), "isAdjustedToUTC": logical["utc"], "timeUnit": PYARROW_UNITS[logical["unit"]]}
    if kind == "INTEGER":
        return {"Type": "Int", "bitWidth": logical["bits"], "isSigned": logical["signed"]}
    return {"Type": "Decimal", "precision": logical["precision"], "scale": logical["scale"]}


# (max definition level, max repetition level) of a top-level leaf of each repetition.
LEVELS = {"REQUIRED": (0, 0), "OPTIONAL": (1, 0), "REPEATED": (1, 1)}


def check_pyarrow(report: Report, spec: dict, path: Path) -> None:
    r = "pyarrow"
    pf = pq.ParquetFile(path, coerce_int96_timestamp_unit="ns")
    md = pf.metadata
    sizes = [md.row_group(g).num_rows for g in range(md.num_row_groups)]
    if sizes != spec["row_groups"]:
        report.add(r, None, f"row groups of {sizes} rows, expected {spec['row_groups']}")
    if md.num_rows != sum(spec["row_groups"]):
        report.add(r, None, f"file says {md.num_rows} rows, expected {sum(spec['row_groups'])}")
    columns = spec["columns"]
    if md.num_columns != len(columns):
        report.add(r, None, f"{md.num_columns} leaf columns, expected {len(columns)}")
    for i, column in enumerate(columns[:md.num_columns]):
        c, name = pf.schema.column(i), column["name"]
        if c.path != name:
            report.add(r, name, f"leaf {i} is '{c.path}'")
            continue
        if c.physical_type != column["physical"]:
            report.add(r, name, f"physical type {c.physical_type}, expected {column['physical']}")
        levels = (c.max_definition_level, c.max_repetition_level)
        if levels != LEVELS[column["repetition"]]:
            report.add(r, name, f"definition/repetition levels {levels}, expected {LEVELS[column['repetition']]} "
                                f"of a top-level {column['repetition']} field")
        if column["physical"] == "FIXED_LEN_BYTE_ARRAY" and c.length != column["type_length"]:
            report.add(r, name, f"type_length {c.length}, expected {column['type_length']}")
        actual = json.loads(c.logical_type.to_json())
        wanted = pyarrow_logical(column.get("logical"))
        if any(actual.get(k) != v for k, v in wanted.items()):
            report.add(r, name, f"logical type {actual}, expected {wanted}")
        codec = codec_of(spec, column)
        for g in range(md.num_row_groups):
            got = md.row_group(g).column(i).compression
            if codec is not None and got != codec:
                report.add(r, name, f"row group {g}: codec {got}, expected {codec}")
    kv = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in (md.metadata or {}).items()}
    check_key_values(report, r, spec, kv, md.created_by)

    table = pf.read()
    for column in columns:
        if column["name"] not in table.column_names:
            report.add(r, column["name"], "no such column")
            continue
        compare_column(report, r, column, canonical_chunks(table.column(column["name"])))


# ---- DuckDB ----------------------------------------------------------------------------------------

def duckdb_logical(logical) -> str | None:
    """parquet_schema()'s logical_type: the Thrift struct as DuckDB prints it (an i8, like
    INTEGER's bitWidth, prints as a character)."""
    if not logical:
        return None
    kind = logical["type"]
    simple = {"STRING": "StringType()", "ENUM": "EnumType()", "JSON": "JsonType()", "UUID": "UUIDType()",
              "DATE": "DateType()"}
    if kind in simple:
        return simple[kind]
    if kind in ("TIME", "TIMESTAMP"):
        names = {"MILLIS": "MilliSeconds()", "MICROS": "MicroSeconds()", "NANOS": "NanoSeconds()"}
        unit = ", ".join(f"{u}={names[u] if u == logical['unit'] else '<null>'}" for u in TIME_UNITS)
        return f"{kind.capitalize()}Type(isAdjustedToUTC={int(logical['utc'])}, unit=TimeUnit({unit}))"
    if kind == "INTEGER":
        return f"IntType(bitWidth={chr(logical['bits'])}, isSigned={int(logical['signed'])})"
    return f"DecimalType(scale={logical['scale']}, precision={logical['precision']})"


def duckdb_type(column: dict) -> str:
    """The SQL type DuckDB gives the column."""
    physical, logical, kind = column["physical"], column.get("logical") or {}, kind_of(column)
    if kind in ("STRING", "ENUM"):
        base = "VARCHAR"
    elif kind in ("JSON", "UUID", "DATE"):
        base = kind
    elif kind == "TIME":
        base = "TIME WITH TIME ZONE" if logical["utc"] else "TIME_NS" if logical["unit"] == "NANOS" else "TIME"
    elif kind == "TIMESTAMP":
        if logical["unit"] == "NANOS":
            base = "TIMESTAMPTZ_NS" if logical["utc"] else "TIMESTAMP_NS"
        else:
            base = "TIMESTAMP WITH TIME ZONE" if logical["utc"] else "TIMESTAMP"
    elif kind == "INTEGER":
        base = {8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}[logical["bits"]]
        base = base if logical["signed"] else "U" + base
    elif kind == "DECIMAL":
        p, s = logical["precision"], logical["scale"]
        base = f"DECIMAL({p},{s})" if p <= DUCKDB_MAX_DECIMAL_PRECISION else "DOUBLE"
    else:
        base = {"BOOLEAN": "BOOLEAN", "INT32": "INTEGER", "INT64": "BIGINT", "INT96": "TIMESTAMP",
                "FLOAT": "FLOAT", "DOUBLE": "DOUBLE"}.get(physical, "BLOB")
    return base + "[]" if column["repetition"] == "REPEATED" else base


def converted_types(column: dict) -> set:
    """The legacy converted_type a writer may set alongside the logical type: none, or the one
    the Parquet spec pairs with it (TIME/TIMESTAMP have one only when UTC-adjusted, in ms/us)."""
    logical, kind = column.get("logical") or {}, kind_of(column)
    paired = {"STRING": "UTF8", "ENUM": "ENUM", "JSON": "JSON", "DATE": "DATE", "DECIMAL": "DECIMAL"}.get(kind)
    if kind in ("TIME", "TIMESTAMP") and logical["utc"] and logical["unit"] != "NANOS":
        paired = f"{kind}_{logical['unit']}"
    if kind == "INTEGER":
        paired = f"{'' if logical['signed'] else 'U'}INT_{logical['bits']}"
    return {None, paired}


def duckdb_expression(column: dict, ref: str) -> str:
    """SQL turning one element into an exact value canonical() understands."""
    physical, logical, kind = column["physical"], column.get("logical") or {}, kind_of(column)
    if kind == "TIMESTAMP":
        return {"MILLIS": "epoch_ms", "MICROS": "epoch_us", "NANOS": "epoch_ns"}[logical["unit"]] + f"({ref})"
    if kind == "TIME":
        if logical["unit"] == "NANOS" and not logical["utc"]:
            return f"epoch_ns({ref})"  # TIME_NS
        return ("epoch_ms" if logical["unit"] == "MILLIS" else "epoch_us") + f"({ref})"
    if kind == "DATE":
        return f"({ref} - DATE '1970-01-01')"
    if physical == "INT96":  # read with int96_as='timestamp_ns'
        return f"epoch_ns({ref})"
    if kind == "UUID":  # the canonical string spells the 16 stored bytes in order
        return f"from_hex(replace(CAST({ref} AS VARCHAR), '-', ''))"
    if kind == "JSON":
        return f"CAST({ref} AS VARCHAR)"
    return ref


def duckdb_select(column: dict) -> str:
    name = '"' + column["name"].replace('"', '""') + '"'
    element = duckdb_expression(column, "x")
    if column["repetition"] == "REPEATED" and element != "x":
        return f"list_transform({name}, lambda x: {element})"
    return duckdb_expression(column, name)


def check_duckdb(report: Report, spec: dict, path: Path, con) -> None:
    r, p, columns = "duckdb", str(path), spec["columns"]
    num_rows, num_row_groups, created_by = con.execute(
        "SELECT num_rows, num_row_groups, created_by FROM parquet_file_metadata(?)", [p]).fetchone()
    if (num_rows, num_row_groups) != (sum(spec["row_groups"]), len(spec["row_groups"])):
        report.add(r, None, f"{num_rows} rows in {num_row_groups} row groups, expected "
                            f"{sum(spec['row_groups'])} in {len(spec['row_groups'])}")
    kv = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in
          con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [p]).fetchall()}
    check_key_values(report, r, spec, kv, created_by)

    chunks = con.execute(
        "SELECT row_group_id, row_group_num_rows, column_id, path_in_schema, type, compression "
        "FROM parquet_metadata(?) ORDER BY row_group_id, column_id", [p]).fetchall()
    sizes = {}
    for group, rows, i, path_in_schema, physical, codec in chunks:
        sizes[group] = rows
        if i >= len(columns):
            report.add(r, None, f"row group {group}: unexpected column chunk {i} '{path_in_schema}'")
            continue
        column = columns[i]
        name = column["name"]
        if path_in_schema != name:
            report.add(r, name, f"row group {group}: chunk {i} is '{path_in_schema}'")
        if physical != column["physical"]:
            report.add(r, name, f"row group {group}: physical type {physical}, expected {column['physical']}")
        if codec_of(spec, column) is not None and codec != codec_of(spec, column):
            report.add(r, name, f"row group {group}: codec {codec}, expected {codec_of(spec, column)}")
    if [sizes[g] for g in sorted(sizes)] != spec["row_groups"] and spec["columns"]:
        report.add(r, None, f"row groups of {[sizes[g] for g in sorted(sizes)]} rows, expected {spec['row_groups']}")
    if len(chunks) != len(sizes) * len(columns):
        report.add(r, None, f"{len(chunks)} column chunks in {len(sizes)} row groups of {len(columns)} columns")

    schema = con.execute(
        "SELECT name, type, type_length, repetition_type, num_children, converted_type, scale, precision, "
        "logical_type, duckdb_type FROM parquet_schema(?)", [p]).fetchall()
    if schema[0][4] != len(columns) or len(schema) != len(columns) + 1:
        report.add(r, None, f"schema has {schema[0][4]} top-level fields and {len(schema) - 1} elements, "
                            f"expected {len(columns)} primitive columns")
    for element, column in zip(schema[1:], columns):
        check_duckdb_schema_element(report, column, *element)

    # One scan for all columns, ordered as stored; fetched as Arrow so that floats keep their bits.
    sql = ", ".join(["file_row_number"] + [f"{duckdb_select(c)} AS c{i}" for i, c in enumerate(columns)])
    source = "read_parquet($1, int96_as='timestamp_ns', file_row_number=true)"
    try:
        table = con.sql(f"SELECT {sql} FROM {source} ORDER BY file_row_number", params=[p]).to_arrow_table()
        results = {i: table.column(f"c{i}") for i in range(len(columns))}
    except duckdb.Error:
        # Find which columns DuckDB cannot read as the sidecar says, and still compare the rest.
        results = {}
        for i, column in enumerate(columns):
            try:
                results[i] = con.sql(f"SELECT {duckdb_select(column)} FROM {source} ORDER BY file_row_number",
                                     params=[p]).to_arrow_table().column(0)
            except duckdb.Error as e:
                report.add(r, column["name"], f"cannot read: {str(e).splitlines()[0]}")
    for i, column in enumerate(columns):
        if i in results:
            compare_column(report, r, column, canonical_chunks(results[i], not approximate(column, r)))
        if duckdb_limitation(column):
            report.notes.append(f"duckdb: column '{column['name']}' {duckdb_limitation(column)}")


def check_duckdb_schema_element(report, column, name, physical, type_length, repetition, num_children,
                                converted, scale, precision, logical, sql_type) -> None:
    r, wanted = "duckdb", column["name"]
    if name != wanted:
        report.add(r, wanted, f"schema element is '{name}'")
        return
    if num_children is not None:
        report.add(r, wanted, f"is a group of {num_children} fields, expected a primitive column")
        return
    got = (physical, repetition, type_length)
    expected = (column["physical"], column["repetition"],
                str(column["type_length"]) if "type_length" in column else None)
    if got != expected:
        report.add(r, wanted, f"(physical, repetition, type_length) {got}, expected {expected}")
    if logical != duckdb_logical(column.get("logical")):
        report.add(r, wanted, f"logical type {logical}, expected {duckdb_logical(column.get('logical'))}")
    if converted not in converted_types(column):
        report.add(r, wanted, f"converted_type {converted} contradicts the logical type")
    decimal = column["logical"] if kind_of(column) == "DECIMAL" else {"scale": None, "precision": None}
    if (scale, precision) != (decimal["scale"], decimal["precision"]):
        report.add(r, wanted, f"schema element scale/precision ({scale}, {precision}), expected "
                              f"({decimal['scale']}, {decimal['precision']})")
    if sql_type != duckdb_type(column):
        report.add(r, wanted, f"read as {sql_type}, expected {duckdb_type(column)}")


# ---- driver ----------------------------------------------------------------------------------------

def verify_spec(spec: dict, directory: Path, con) -> Report:
    """Check one sidecar's claims (already parsed) about the file it names under `directory`."""
    report = Report()
    try:
        check_sidecar(spec)
    except SidecarError as e:
        report.add("sidecar", None, str(e))
        return report
    path = directory / spec["file"]
    if not path.is_file():
        report.add("sidecar", None, f"{path} does not exist")
        return report
    # A reader that cannot read the file (or reports nonsense we cannot handle) fails it, with
    # its message; the other reader still runs.
    for reader, check in (("pyarrow", lambda: check_pyarrow(report, spec, path)),
                          ("duckdb", lambda: check_duckdb(report, spec, path, con))):
        try:
            check()
        except Exception as e:
            report.add(reader, None, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    return report


def find_sidecars(paths: list) -> list:
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(p.rglob("*.expect.json")))
        elif p.name.endswith(".expect.json") and p.is_file():
            found.append(p)
        elif p.with_name(p.name + ".expect.json").is_file():
            found.append(p.with_name(p.name + ".expect.json"))
        else:
            raise SidecarError(f"{p}: neither a sidecar, nor a file with a sidecar beside it, nor a directory")
    return list(dict.fromkeys(found))


def main(argv: list) -> int:
    if len(argv) < 2:
        print("usage: verify_parquet.py PATH [PATH ...]", file=sys.stderr)
        return 2
    try:
        sidecars = find_sidecars(argv[1:])
    except SidecarError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not sidecars:
        print(f"error: no sidecars (*.expect.json) under {' '.join(argv[1:])}", file=sys.stderr)
        return 2
    con = duckdb.connect()
    passed = failed = 0
    for sidecar in sidecars:
        try:
            spec = json.loads(sidecar.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            spec, report = None, Report([Problem("sidecar", None, f"unreadable: {e}")])
        else:
            report = verify_spec(spec, sidecar.parent, con)
        label = sidecar
        if isinstance(spec, dict) and isinstance(spec.get("file"), str):
            label = sidecar.parent / spec["file"]
        if report.problems:
            failed += 1
            print(f"FAIL {label}: {len(report.problems)} problem{'s' if len(report.problems) > 1 else ''}")
            for problem in report.problems:
                print(f"     {problem}")
        else:
            passed += 1
            print(f"ok  {label}  rows={sum(spec['row_groups'])} cols={len(spec['columns'])} "
                  f"row_groups={len(spec['row_groups'])}")
        for note in report.notes:
            print(f"     note: {note}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
