#!/usr/bin/env python3
"""Proves verify_parquet.py accepts what is right and catches what is wrong.

    selftest_verifier.py [OUTPUT_DIR]

Writes Parquet files covering every physical type, repetition and logical type of the sidecar
format, with their sidecars: pyarrow writes what it can (use_dictionary=False, data pages v1,
UNCOMPRESSED and GZIP), and a minimal writer below writes what pyarrow cannot (top-level
REPEATED fields without a LIST annotation, ENUM, DECIMAL on BYTE_ARRAY, UTC-adjusted TIME). The
verifier must pass every intact file, then fail each sidecar broken in one way (a value, a null,
a list boundary, a codec, the row groups, a logical or physical type, ...), with each reader that
can see the mistake reporting it. Finally the command line is run as the test suite runs it.

With OUTPUT_DIR (the test suite's output directory), the same breakages are also applied to the
sidecars of files the project's own writer produced there. Exits non-zero if the verifier
misbehaves.
"""

import copy
import decimal
import gzip
import json
import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import verify_parquet as vp  # noqa: E402

RNG = random.Random(20251125)
NS_PER_DAY = 86_400 * 10**9
BOTH = frozenset({"pyarrow", "duckdb"})


# ---- raw values, as a sidecar holds them ----------------------------------------------------------

def signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def int96_hex(ns: int) -> str:
    julian_day, nanos_of_day = divmod(ns, NS_PER_DAY)
    return struct.pack("<qi", nanos_of_day, julian_day + 2440588).hex()


def decimal_bytes(unscaled: int, length: int | None = None) -> str:
    """Big-endian two's complement, `length` bytes or as few as hold the value."""
    length = length or (unscaled.bit_length() + 8) // 8
    return unscaled.to_bytes(length, "big", signed=True).hex()


def flba_length(precision: int) -> int:
    """The bytes pyarrow gives a DECIMAL(precision) FIXED_LEN_BYTE_ARRAY."""
    return next(n for n in range(1, 64) if 10**precision <= 1 << (8 * n - 1))


def generator(physical: str, logical: dict | None, type_length: int | None):
    """(special values, random value function) for a column, both in sidecar form."""
    kind = (logical or {}).get("type")
    if kind == "DECIMAL":
        top = 10 ** logical["precision"] - 1
        if physical in ("INT32", "INT64"):
            enc = int
        elif physical == "FIXED_LEN_BYTE_ARRAY":
            def enc(x):
                return decimal_bytes(x, type_length)
        else:
            enc = decimal_bytes
        return [enc(top), enc(-top), enc(0), enc(-1)], lambda: enc(RNG.randint(-top, top))
    if kind in ("STRING", "ENUM", "JSON"):
        if kind == "ENUM":
            words = ["RED", "GREEN", "BLUE", ""]
        elif kind == "JSON":
            words = ['{}', '[]', '"x"', 'null', '{"k":[1,2.5,"\\u00e9"]}']
        else:
            words = ["", "a", "é€𝄞", "line\nbreak", "x" * 300]
        return [w.encode().hex() for w in words], lambda: RNG.choice(words).encode().hex()
    if kind == "UUID":
        return ["00" * 16, "ff" * 16, bytes(range(16)).hex()], lambda: RNG.randbytes(16).hex()
    if kind == "DATE":
        return [0, -1, 2_932_896, -719_162], lambda: RNG.randint(-1_000_000, 1_000_000)
    if kind == "TIME":
        top = {"MILLIS": 86_400_000, "MICROS": 86_400_000_000, "NANOS": NS_PER_DAY}[logical["unit"]] - 1
        return [0, top, 1], lambda: RNG.randint(0, top)
    if kind == "TIMESTAMP":
        # Within DuckDB's and pyarrow's ranges for every unit (±2^62 ns is years 1823..2116).
        top = 2**62 // {"MILLIS": 10**6, "MICROS": 10**3, "NANOS": 1}[logical["unit"]]
        return [0, -1, 1, top, -top], lambda: RNG.randint(-top, top)
    if kind == "INTEGER":
        bits, width = logical["bits"], 64 if physical == "INT64" else 32
        if logical["signed"]:
            lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
            return [lo, hi, 0, -1], lambda: RNG.randint(lo, hi)
        # An unsigned value is stored as the same bits in the signed physical type.
        return ([signed(u, width) for u in (0, (1 << bits) - 1, 1 << (bits - 1))],
                lambda: signed(RNG.getrandbits(bits), width))
    if physical == "BOOLEAN":
        return [True, False], lambda: RNG.random() < 0.5
    if physical in ("INT32", "INT64"):
        bits = 32 if physical == "INT32" else 64
        return [-(1 << (bits - 1)), (1 << (bits - 1)) - 1, 0, -1], lambda: signed(RNG.getrandbits(bits), bits)
    if physical == "INT96":
        return [int96_hex(ns) for ns in (0, -1, 1, 2**62, -(2**62))], \
            lambda: int96_hex(RNG.randint(-(2**62), 2**62))
    if physical == "FLOAT":
        # NaN with a payload, signalling NaN, negative NaN, -0.0, infinities, a subnormal, 1.0.
        special = [0x7FC00001, 0x7FA00000, 0xFFC00000, 0x80000000, 0x7F800000, 0xFF800000, 0x00000001, 0x3F800000]
        return [f"0x{b:08x}" for b in special], lambda: f"0x{RNG.getrandbits(32):08x}"
    if physical == "DOUBLE":
        special = [0x7FF8000000000001, 0x7FF4000000000000, 0xFFF8000000000000, 0x8000000000000000,
                   0x7FF0000000000000, 0xFFF0000000000000, 0x0000000000000001, 0x3FF0000000000000]
        return [f"0x{b:016x}" for b in special], lambda: f"0x{RNG.getrandbits(64):016x}"
    if physical == "FIXED_LEN_BYTE_ARRAY":
        return ["00" * type_length, "ff" * type_length], lambda: RNG.randbytes(type_length).hex()
    # BYTE_ARRAY: empty, a NUL, bytes that are not UTF-8, a long value.
    return ["", "00", "fffe80", "ab" * 1000], lambda: RNG.randbytes(RNG.randint(0, 24)).hex()


def column(name, physical, repetition, rows, logical=None, type_length=None, codec=None) -> dict:
    special, make = generator(physical, logical, type_length)
    if repetition == "REPEATED":
        values = [[]] + [special[i:i + 2] for i in range(0, len(special), 2)]
        while len(values) < rows:
            values.append([make() for _ in range(RNG.choice([0, 1, 1, 2, 3, 5]))])
    else:
        values = special + [make() for _ in range(rows - len(special))]
        if repetition == "OPTIONAL":
            values = [None if i > len(special) and i % 4 == 0 else v for i, v in enumerate(values)]
    c = {"name": name, "physical": physical, "repetition": repetition, "logical": logical,
         "values": values[:rows]}
    if type_length is not None:
        c["type_length"] = type_length
    if codec is not None:
        c["codec"] = codec
    return c


def sidecar(file, row_groups, columns, codec=None, kv=None, created_by=None) -> dict:
    spec = {"file": file, "row_groups": row_groups, "columns": columns}
    if codec is not None:
        spec["codec"] = codec
    if kv is not None:
        spec["key_value_metadata"] = kv
    if created_by is not None:
        spec["created_by_prefix"] = created_by
    return spec


# ---- writing with pyarrow --------------------------------------------------------------------------

def arrow_array(c: dict) -> pa.Array:
    """The Arrow array pyarrow writes as the sidecar column `c`."""
    physical, logical = c["physical"], c.get("logical") or {}
    kind, values = logical.get("type"), c["values"]

    def each(fn):
        return [None if v is None else fn(v) for v in values]

    if kind == "DECIMAL":
        if physical in ("INT32", "INT64"):
            unscaled = each(int)
        else:
            unscaled = each(lambda v: int.from_bytes(bytes.fromhex(v), "big", signed=True))
        # A Decimal built from a string is exact, whatever the context precision.
        return pa.array([None if u is None else decimal.Decimal(f"{u}e-{logical['scale']}") for u in unscaled],
                        pa.decimal128(logical["precision"], logical["scale"]))
    if kind in ("STRING", "JSON"):
        return pa.array(each(lambda v: bytes.fromhex(v).decode()), pa.string() if kind == "STRING" else pa.json_())
    if kind == "UUID":
        return pa.array(each(bytes.fromhex), pa.uuid())
    if kind == "INTEGER":
        bits = logical["bits"]
        if logical["signed"]:
            return pa.array(values, getattr(pa, f"int{bits}")())
        return pa.array(each(lambda v: v & ((1 << bits) - 1)), getattr(pa, f"uint{bits}")())
    temporal = {
        "DATE": lambda: pa.date32(),
        "TIME": lambda: {"MILLIS": pa.time32("ms"), "MICROS": pa.time64("us"), "NANOS": pa.time64("ns")}[logical["unit"]],
        "TIMESTAMP": lambda: pa.timestamp({"MILLIS": "ms", "MICROS": "us", "NANOS": "ns"}[logical["unit"]],
                                          "UTC" if logical["utc"] else None),
    }
    if kind in temporal:
        return pa.array(values, pa.int32() if physical == "INT32" else pa.int64()).view(temporal[kind]())
    if physical == "INT96":
        def ns(v):
            nanos_of_day, julian_day = struct.unpack("<qi", bytes.fromhex(v))
            return (julian_day - 2440588) * NS_PER_DAY + nanos_of_day
        return pa.array(each(ns), pa.timestamp("ns"))
    if physical in ("FLOAT", "DOUBLE"):
        bits, real = (pa.uint32(), pa.float32()) if physical == "FLOAT" else (pa.uint64(), pa.float64())
        return pa.array(each(lambda v: int(v, 16)), bits).view(real)
    if physical == "BYTE_ARRAY":
        return pa.array(each(bytes.fromhex), pa.binary())
    if physical == "FIXED_LEN_BYTE_ARRAY":
        return pa.array(each(bytes.fromhex), pa.binary(c["type_length"]))
    return pa.array(values, {"BOOLEAN": pa.bool_(), "INT32": pa.int32(), "INT64": pa.int64()}[physical])


def write_with_pyarrow(spec: dict, directory: Path) -> None:
    columns = spec["columns"]
    schema = pa.schema([pa.field(c["name"], arrow_array(c).type, nullable=c["repetition"] == "OPTIONAL")
                        for c in columns], metadata=spec.get("key_value_metadata"))
    table = pa.table([arrow_array(c) for c in columns], schema=schema)
    codecs = {c["name"]: {None: "NONE", "UNCOMPRESSED": "NONE"}.get(vp.codec_of(spec, c), vp.codec_of(spec, c))
              for c in columns}
    int96 = any(c["physical"] == "INT96" for c in columns)
    with pq.ParquetWriter(directory / spec["file"], schema, compression=codecs, use_dictionary=False,
                          data_page_version="1.0", store_decimal_as_integer=True,
                          use_deprecated_int96_timestamps=int96) as writer:
        start = 0
        for rows in spec["row_groups"]:  # one write per row group: its size is exactly `rows`
            writer.write_table(table.slice(start, rows), row_group_size=max(rows, 1))
            start += rows


# ---- writing what pyarrow cannot: a minimal Parquet writer ------------------------------------------
# Thrift compact protocol values are (kind, value) pairs; a struct is {field id: (kind, value)}.

THRIFT_TYPES = {"bool": 1, "byte": 3, "i32": 5, "i64": 6, "bin": 8, "list": 9, "struct": 12}
PHYSICAL_IDS = {t: i for i, t in enumerate(["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE",
                                            "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"])}
CONVERTED_IDS = {"UTF8": 0, "ENUM": 4, "DECIMAL": 5, "DATE": 6, "TIME_MILLIS": 7, "TIME_MICROS": 8,
                 "TIMESTAMP_MILLIS": 9, "TIMESTAMP_MICROS": 10, "UINT_8": 11, "UINT_16": 12, "UINT_32": 13,
                 "UINT_64": 14, "INT_8": 15, "INT_16": 16, "INT_32": 17, "INT_64": 18, "JSON": 19}
LOGICAL_IDS = {"STRING": 1, "ENUM": 4, "DECIMAL": 5, "DATE": 6, "TIME": 7, "TIMESTAMP": 8, "INTEGER": 10,
               "JSON": 12, "UUID": 14}
CODEC_IDS = {"UNCOMPRESSED": 0, "GZIP": 2}
PLAIN, RLE = 0, 3


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def thrift(kind: str, value) -> bytes:
    if kind in ("i32", "i64"):
        return varint((value << 1) ^ (value >> 63))  # zigzag
    if kind == "byte":
        return bytes([value & 0xFF])
    if kind == "bin":
        return varint(len(value)) + value
    if kind == "list":
        element, items = value
        size = bytes([len(items) << 4 | THRIFT_TYPES[element]]) if len(items) < 15 else \
            bytes([0xF0 | THRIFT_TYPES[element]]) + varint(len(items))
        return size + b"".join(thrift(element, x) for x in items)
    out, last = bytearray(), 0  # struct
    for fid in sorted(value):
        field_kind, v = value[fid]
        # A bool field's value is its type nibble: 1 true, 2 false.
        ftype = (1 if v else 2) if field_kind == "bool" else THRIFT_TYPES[field_kind]
        out += bytes([(fid - last) << 4 | ftype]) if 0 < fid - last <= 15 else bytes([ftype]) + thrift("i32", fid)
        if field_kind != "bool":
            out += thrift(field_kind, v)
        last = fid
    return bytes(out) + b"\0"


def schema_element(c: dict) -> dict:
    element = {1: ("i32", PHYSICAL_IDS[c["physical"]]), 4: ("bin", c["name"].encode()),
               3: ("i32", ["REQUIRED", "OPTIONAL", "REPEATED"].index(c["repetition"]))}
    if "type_length" in c:
        element[2] = ("i32", c["type_length"])
    logical = c.get("logical")
    if logical:
        kind = logical["type"]
        inner = {}
        if kind in ("TIME", "TIMESTAMP"):
            unit = ("struct", {vp.TIME_UNITS.index(logical["unit"]) + 1: ("struct", {})})
            inner = {1: ("bool", logical["utc"]), 2: unit}
        elif kind == "INTEGER":
            inner = {1: ("byte", logical["bits"]), 2: ("bool", logical["signed"])}
        elif kind == "DECIMAL":
            inner = {1: ("i32", logical["scale"]), 2: ("i32", logical["precision"])}
            element[7], element[8] = ("i32", logical["scale"]), ("i32", logical["precision"])
        element[10] = ("struct", {LOGICAL_IDS[kind]: ("struct", inner)})
        converted = (vp.converted_types(c) - {None})
        if converted:
            element[6] = ("i32", CONVERTED_IDS[converted.pop()])
    return element


def rle_levels(levels: list) -> bytes:
    """Levels of bit width 1 as RLE runs, with the 4-byte length prefix of a v1 data page."""
    out, i = bytearray(), 0
    while i < len(levels):
        j = i
        while j < len(levels) and levels[j] == levels[i]:
            j += 1
        out += varint((j - i) << 1) + bytes([levels[i]])
        i = j
    return struct.pack("<I", len(out)) + bytes(out)


def plain(physical: str, values: list) -> bytes:
    if physical == "BOOLEAN":
        out = bytearray((len(values) + 7) // 8)
        for i, v in enumerate(values):
            out[i // 8] |= v << (i % 8)
        return bytes(out)
    if physical in ("INT32", "INT64"):
        return struct.pack(f"<{len(values)}{'i' if physical == 'INT32' else 'q'}", *values)
    if physical in ("FLOAT", "DOUBLE"):
        width = 4 if physical == "FLOAT" else 8
        return b"".join(int(v, 16).to_bytes(width, "little") for v in values)
    if physical == "BYTE_ARRAY":
        return b"".join(struct.pack("<I", len(v) // 2) + bytes.fromhex(v) for v in values)
    return b"".join(bytes.fromhex(v) for v in values)  # INT96, FIXED_LEN_BYTE_ARRAY


def column_chunk(out: bytearray, spec: dict, c: dict, rows: list) -> dict:
    """Append one column chunk (a single v1 data page) and return its ColumnChunk struct."""
    rep, defs, present = [], [], []
    for row in rows:
        if c["repetition"] == "REPEATED":
            rep += [0] + [1] * (len(row) - 1) if row else [0]
            defs += [1] * len(row) if row else [0]
            present += row
        else:
            defs.append(0 if row is None else 1)
            present += [] if row is None else [row]
    body = (rle_levels(rep) if c["repetition"] == "REPEATED" else b"") + \
        (rle_levels(defs) if c["repetition"] != "REQUIRED" else b"") + plain(c["physical"], present)
    codec = vp.codec_of(spec, c) or "UNCOMPRESSED"
    stored = gzip.compress(body, mtime=0) if codec == "GZIP" else body
    header = thrift("struct", {1: ("i32", 0), 2: ("i32", len(body)), 3: ("i32", len(stored)),
                               5: ("struct", {1: ("i32", len(defs)), 2: ("i32", PLAIN), 3: ("i32", RLE),
                                              4: ("i32", RLE)})})
    offset = len(out)
    out += header + stored
    meta = {1: ("i32", PHYSICAL_IDS[c["physical"]]), 2: ("list", ("i32", [PLAIN, RLE])),
            3: ("list", ("bin", [c["name"].encode()])), 4: ("i32", CODEC_IDS[codec]), 5: ("i64", len(defs)),
            6: ("i64", len(header) + len(body)), 7: ("i64", len(header) + len(stored)), 9: ("i64", offset)}
    return {2: ("i64", offset), 3: ("struct", meta)}


def write_raw(spec: dict, directory: Path) -> None:
    out = bytearray(b"PAR1")
    row_groups, start = [], 0
    for rows in spec["row_groups"]:
        chunks = [column_chunk(out, spec, c, c["values"][start:start + rows]) for c in spec["columns"]]
        size = sum(chunk[3][1][6][1] for chunk in chunks)
        row_groups.append({1: ("list", ("struct", chunks)), 2: ("i64", size), 3: ("i64", rows)})
        start += rows
    schema = [{4: ("bin", b"schema"), 5: ("i32", len(spec["columns"]))}] + \
        [schema_element(c) for c in spec["columns"]]
    kv = [{1: ("bin", k.encode()), 2: ("bin", v.encode())} for k, v in spec.get("key_value_metadata", {}).items()]
    footer = thrift("struct", {1: ("i32", 1), 2: ("list", ("struct", schema)), 3: ("i64", start),
                               4: ("list", ("struct", row_groups)), 5: ("list", ("struct", kv)),
                               6: ("bin", b"selftest raw writer")})
    (directory / spec["file"]).write_bytes(bytes(out) + footer + struct.pack("<I", len(footer)) + b"PAR1")


# ---- the cases -------------------------------------------------------------------------------------

PHYSICAL = [("BOOLEAN", None), ("INT32", None), ("INT64", None), ("INT96", None), ("FLOAT", None),
            ("DOUBLE", None), ("BYTE_ARRAY", None), ("FIXED_LEN_BYTE_ARRAY", 7)]


def t(kind, unit, utc):
    return {"type": kind, "unit": unit, "utc": utc}


def integer(bits, is_signed):
    return {"type": "INTEGER", "bits": bits, "signed": is_signed}


def dec(precision, scale):
    return {"type": "DECIMAL", "precision": precision, "scale": scale}


def cases() -> list:
    """(writer, sidecar, whether to break it in every way) for every file of the self-test."""
    def physical_columns(rows):
        return [column(f"{p.lower()}_{r.lower()}", p, r, rows, type_length=n)
                for p, n in PHYSICAL for r in ("REQUIRED", "OPTIONAL")]

    out = [
        (write_with_pyarrow, sidecar("physical_plain.parquet", [150, 1, 49], physical_columns(200), "UNCOMPRESSED",
                                     {"origin": "selftest", "empty": ""}, "parquet-cpp-arrow"), True),
        (write_with_pyarrow, sidecar("physical_gzip.parquet", [64, 64, 72], physical_columns(200), "GZIP"), False),
    ]
    logical = [("STRING", "BYTE_ARRAY", {"type": "STRING"}, None), ("JSON", "BYTE_ARRAY", {"type": "JSON"}, None),
               ("UUID", "FIXED_LEN_BYTE_ARRAY", {"type": "UUID"}, 16), ("DATE", "INT32", {"type": "DATE"}, None)]
    logical += [(f"time_{u}", "INT32" if u == "MILLIS" else "INT64", t("TIME", u, False), None) for u in vp.TIME_UNITS]
    logical += [(f"ts_{u}_{utc}", "INT64", t("TIMESTAMP", u, utc), None) for u in vp.TIME_UNITS for utc in (False, True)]
    logical += [(f"{'i' if s else 'u'}{b}", "INT64" if b == 64 else "INT32", integer(b, s), None)
                for b in (8, 16, 32, 64) for s in (True, False)]
    logical += [("dec_9_2", "INT32", dec(9, 2), None), ("dec_18_4", "INT64", dec(18, 4), None),
                ("dec_38_10", "FIXED_LEN_BYTE_ARRAY", dec(38, 10), 16),
                ("dec_20_0", "FIXED_LEN_BYTE_ARRAY", dec(20, 0), flba_length(20))]
    out.append((write_with_pyarrow, sidecar(
        "logical.parquet", [100, 100],
        [column(name.lower(), p, "OPTIONAL" if i % 3 == 0 else "REQUIRED", 200, lg, n,
                codec="GZIP" if i % 2 else "UNCOMPRESSED")
         for i, (name, p, lg, n) in enumerate(logical)], kv={}, created_by="parquet-cpp-arrow"), True))
    out.append((write_with_pyarrow, sidecar(
        "large.parquet", [65536, 34464],
        [column("id", "INT64", "OPTIONAL", 100_000), column("price", "DOUBLE", "REQUIRED", 100_000),
         column("note", "BYTE_ARRAY", "OPTIONAL", 100_000, {"type": "STRING"})], "GZIP"), False))
    out.append((write_with_pyarrow, sidecar("empty.parquet", [0], [column("a", "INT32", "OPTIONAL", 0)]), False))

    def repeated_columns(rows):
        cols = [column(f"{p.lower()}_repeated", p, "REPEATED", rows, type_length=n) for p, n in PHYSICAL]
        cols += [column("ts_ns_repeated", "INT64", "REPEATED", rows, t("TIMESTAMP", "NANOS", True)),
                 column("string_repeated", "BYTE_ARRAY", "REPEATED", rows, {"type": "STRING"}),
                 column("uuid_repeated", "FIXED_LEN_BYTE_ARRAY", "REPEATED", rows, {"type": "UUID"}, 16),
                 column("dec_repeated", "BYTE_ARRAY", "REPEATED", rows, dec(38, 3)),
                 column("int32_required", "INT32", "REQUIRED", rows),
                 column("bytes_optional", "BYTE_ARRAY", "OPTIONAL", rows)]
        return cols

    out.append((write_raw, sidecar("repeated_plain.parquet", [40, 1, 59], repeated_columns(100), "UNCOMPRESSED",
                                   {"writer": "raw"}, "selftest raw"), True))
    out.append((write_raw, sidecar("repeated_gzip.parquet", [100], repeated_columns(100), "GZIP"), False))
    raw_logical = [column("enum", "BYTE_ARRAY", "REQUIRED", 100, {"type": "ENUM"}),
                   column("enum_optional", "BYTE_ARRAY", "OPTIONAL", 100, {"type": "ENUM"}),
                   column("dec_ba_9_2", "BYTE_ARRAY", "REQUIRED", 100, dec(9, 2)),
                   column("dec_ba_38_3", "BYTE_ARRAY", "OPTIONAL", 100, dec(38, 3)),
                   column("dec_ba_45_5", "BYTE_ARRAY", "REQUIRED", 100, dec(45, 5)),
                   column("dec_flba_40_0", "FIXED_LEN_BYTE_ARRAY", "REQUIRED", 100, dec(40, 0), flba_length(40)),
                   column("uuid_optional", "FIXED_LEN_BYTE_ARRAY", "OPTIONAL", 100, {"type": "UUID"}, 16),
                   column("json_required", "BYTE_ARRAY", "REQUIRED", 100, {"type": "JSON"})]
    raw_logical += [column(f"time_{u.lower()}_utc", "INT32" if u == "MILLIS" else "INT64", "REQUIRED", 100,
                           t("TIME", u, True)) for u in vp.TIME_UNITS]
    out.append((write_raw, sidecar("raw_logical.parquet", [30, 70], raw_logical, "GZIP", {},
                                   "selftest raw"), True))
    return out


# ---- breaking sidecars ----------------------------------------------------------------------------

def bump(c: dict, v):
    """A different raw value that every reader that is exact for the column shows differently."""
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        # 1000 survives DuckDB's microsecond TIME(NANOS) and every unsigned mask.
        return v + 1000 if v < 0 else v - 1000
    if c["physical"] in ("FLOAT", "DOUBLE"):
        return f"0x{int(v, 16) ^ 1:0{len(v) - 2}x}"  # NaN payloads and -0.0 must be told apart too
    if v == "":
        return "00"
    return f"{int(v[:2], 16) ^ 1:02x}" + v[2:]


def wrong_logicals(c: dict) -> list:
    logical, physical = c.get("logical"), c["physical"]
    if logical is None:
        guess = {"INT32": {"type": "DATE"}, "INT64": t("TIMESTAMP", "MICROS", False),
                 "BYTE_ARRAY": {"type": "STRING"}}.get(physical, {"type": "STRING"})
        return [guess]
    kind = logical["type"]
    if kind in ("TIME", "TIMESTAMP"):
        units = [u for u in vp.TIME_UNITS if u != logical["unit"] and (kind == "TIMESTAMP" or (u == "MILLIS") == (logical["unit"] == "MILLIS"))]
        return [dict(logical, utc=not logical["utc"])] + [dict(logical, unit=u) for u in units]
    if kind == "INTEGER":
        return [dict(logical, signed=not logical["signed"])] + \
            ([dict(logical, bits=16 if logical["bits"] == 8 else 8)] if logical["bits"] < 32 else [])
    if kind == "DECIMAL":
        return [dict(logical, scale=logical["scale"] + 1), dict(logical, precision=logical["precision"] - 1)]
    return [{"STRING": {"type": "ENUM"}, "ENUM": {"type": "STRING"}, "JSON": {"type": "STRING"}}.get(kind)]


def breakages(spec: dict, per_column: bool):
    """(what, broken sidecar, column it concerns or None, readers that must report it)."""
    def broken(fn, what, name=None, readers=BOTH):
        s = copy.deepcopy(spec)
        fn(s)
        return what, s, name, readers

    for ci, c in enumerate(spec["columns"] if per_column else []):
        name, values = c["name"], c["values"]
        filled = [i for i, v in enumerate(values) if v not in (None, [])]
        if not filled:
            continue
        i = filled[0]
        col = lambda s, ci=ci: s["columns"][ci]  # noqa: E731
        # A small change to a DECIMAL DuckDB reads as DOUBLE is beyond its precision.
        exact = {"pyarrow"} if vp.approximate(c, "duckdb") else BOTH
        if c["repetition"] == "REPEATED":
            yield broken(lambda s: col(s)["values"][i].__setitem__(0, bump(c, values[i][0])),
                         f"{name}: wrong list element", name, exact)
            later = [j for j in filled if j > 0]
            if later:
                j = later[0]

                def move(s, j=j):  # the first element of row j becomes the last of row j - 1
                    s["columns"][ci]["values"][j - 1] = values[j - 1] + values[j][:1]
                    s["columns"][ci]["values"][j] = values[j][1:]
                yield broken(move, f"{name}: list boundary moved", name)
        else:
            yield broken(lambda s: col(s)["values"].__setitem__(i, bump(c, values[i])), f"{name}: wrong value",
                         name, exact)
        if c["repetition"] == "OPTIONAL":
            yield broken(lambda s: col(s)["values"].__setitem__(i, None), f"{name}: null for a value", name)
            nulls = [k for k, v in enumerate(values) if v is None]
            if nulls:
                yield broken(lambda s: col(s)["values"].__setitem__(nulls[0], values[i]),
                             f"{name}: value for a null", name)
        for logical in wrong_logicals(c):
            yield broken(lambda s, lg=logical: col(s).__setitem__("logical", lg), f"{name}: logical {logical}", name)
        swap = {"INT32": "INT64", "INT64": "INT32", "FLOAT": "DOUBLE", "DOUBLE": "FLOAT"}
        if c["physical"] in swap and not c.get("logical"):
            yield broken(lambda s: col(s).__setitem__("physical", swap[c["physical"]]),
                         f"{name}: physical {swap[c['physical']]}", name)
        if c["repetition"] == "REQUIRED":
            yield broken(lambda s: col(s).__setitem__("repetition", "OPTIONAL"), f"{name}: OPTIONAL", name)
        if "type_length" in c and not c.get("logical"):
            yield broken(lambda s: col(s).__setitem__("type_length", c["type_length"] + 1),
                         f"{name}: type_length", name)
        if "codec" in c:
            yield broken(lambda s: col(s).__setitem__("codec", "GZIP" if c["codec"] != "GZIP" else "UNCOMPRESSED"),
                         f"{name}: codec", name)

    def codec(s):
        for x in s["columns"]:
            x.pop("codec", None)
        s["codec"] = "GZIP" if spec.get("codec") != "GZIP" else "UNCOMPRESSED"
    yield broken(codec, "codec of every chunk")
    groups = spec["row_groups"]
    if groups[-1] >= 2:
        yield broken(lambda s: s.__setitem__("row_groups", groups[:-1] + [groups[-1] - 1, 1]), "one row group more")
    if len(groups) >= 2:
        yield broken(lambda s: s.__setitem__("row_groups", groups[:-2] + [groups[-2] + groups[-1]]),
                     "one row group fewer")
        yield broken(lambda s: s.__setitem__("row_groups", [groups[0] + 1, groups[1] - 1] + groups[2:]),
                     "row group sizes")
    kv = spec.get("key_value_metadata") or {}
    yield broken(lambda s: s.setdefault("key_value_metadata", {}).__setitem__("absent", "x"), "missing key/value pair")
    if kv:
        key = next(iter(kv))
        yield broken(lambda s: s["key_value_metadata"].__setitem__(key, kv[key] + "!"), "wrong key/value pair")
    yield broken(lambda s: s.__setitem__("created_by_prefix", "someone else"), "created_by")
    if len(spec["columns"]) >= 2:
        yield broken(lambda s: s["columns"].insert(0, s["columns"].pop(1)), "column order")
        yield broken(lambda s: s["columns"].pop(), "a column missing")


# ---- running the verifier ----------------------------------------------------------------------

class Tally:
    def __init__(self):
        self.checks = self.failures = 0

    def expect(self, ok: bool, message: str) -> None:
        self.checks += 1
        if not ok:
            self.failures += 1
            print(f"FAIL {message}")


def try_breakages(tally: Tally, con, label: str, spec: dict, directory: Path, per_column: bool) -> None:
    report = vp.verify_spec(spec, directory, con)
    tally.expect(not report.problems, f"{label}: intact sidecar rejected:\n     " +
                 "\n     ".join(map(str, report.problems)))
    caught = 0
    for what, broken, name, readers in breakages(spec, per_column):
        problems = vp.verify_spec(broken, directory, con).problems
        missed = sorted(r for r in readers if not any(p.reader == r and (name is None or p.column == name)
                                                      for p in problems))
        tally.expect(not missed, f"{label}: {what}: not reported by {', '.join(missed)}")
        caught += not missed
    print(f"ok  {label}: intact sidecar passes; {caught} breakages caught")


def covering_sidecars(directory: Path) -> list:
    """Few of the suite's sidecars that between them hold every column shape it wrote."""
    shapes = {}
    for path in sorted(directory.rglob("*.expect.json")):
        spec = json.loads(path.read_text())
        shapes[path] = {(c["physical"], c["repetition"], json.dumps(c.get("logical"), sort_keys=True))
                        for c in spec["columns"]}
    chosen, seen = [], set()
    for path in sorted(shapes, key=lambda p: -len(shapes[p])):
        if shapes[path] - seen:
            chosen.append(path)
            seen |= shapes[path]
    return chosen


def check_command_line(tally: Tally, directory: Path, files: int) -> None:
    def run(*paths):
        done = subprocess.run([sys.executable, str(HERE / "verify_parquet.py"), *map(str, paths)],
                              capture_output=True, text=True)
        return done.returncode, done.stdout.splitlines()

    code, lines = run(directory)
    tally.expect(code == 0 and lines[-1:] == [f"{files} passed, 0 failed"],
                 f"command line on intact files: exit {code}, last line {lines[-1:]}")
    broken_dir = directory / "broken"
    broken_dir.mkdir()
    spec = json.loads((directory / "physical_plain.parquet.expect.json").read_text())
    spec["file"] = "../physical_plain.parquet"
    spec["columns"][1]["values"][0] = bump(spec["columns"][1], spec["columns"][1]["values"][0])
    (broken_dir / "x.parquet.expect.json").write_text(json.dumps(spec))
    code, lines = run(directory / "logical.parquet", broken_dir)
    tally.expect(code == 1 and lines[-1:] == ["1 passed, 1 failed"] and any(x.startswith("FAIL ") for x in lines),
                 f"command line with a broken sidecar: exit {code}, last line {lines[-1:]}")
    empty = directory / "nothing"
    empty.mkdir()
    code, _ = run(empty)
    tally.expect(code == 2, f"command line with no sidecars: exit {code}, expected 2")


def main(argv: list) -> int:
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    tally = Tally()
    con = duckdb.connect()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        all_cases = cases()
        for write, spec, per_column in all_cases:
            write(spec, directory)
            (directory / (spec["file"] + ".expect.json")).write_text(json.dumps(spec))
        for _, spec, per_column in all_cases:
            try_breakages(tally, con, spec["file"], spec, directory, per_column)
        check_command_line(tally, directory, len(all_cases))
    if len(argv) == 2:
        for path in covering_sidecars(Path(argv[1])):
            try_breakages(tally, con, str(path), json.loads(path.read_text()), path.parent, True)
    print(f"{tally.checks - tally.failures} passed, {tally.failures} failed")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
