"""Checks the statistics and page-index presence of a written file against its sidecar, as
pyarrow and DuckDB report them (used by verify_parquet.py for every file).

What the writer promises (docs/FORMAT.md, "Statistics"): for every column chunk a null count and,
where the type has an order, the min and max of its values in that order — signed or unsigned
integers by logical type, floats without NaN (a zero min written as -0.0, a zero max as +0.0),
byte arrays as unsigned bytes, DECIMAL byte arrays as signed big-endian; none for INT96.
Byte-array bounds over 64 bytes are cut (a UTF-8 column on a character boundary), a cut max
rounded up, and flagged inexact. With the PAGE level (the default) a column index, and always an
offset index. The expected values here are computed from the raw values in the sidecar.
"""

import math
import struct

TRUNCATE = 64
UTF8_KINDS = ("STRING", "ENUM", "JSON")


def level_of(spec: dict, column: dict) -> str:
    return column.get("statistics", spec.get("statistics", "PAGE"))


def row_group_slices(spec: dict):
    start = 0
    for rows in spec["row_groups"]:
        yield start, start + rows
        start += rows


def flatten(column: dict, rows: list):
    """The defined values of some rows, and how many level entries hold no value."""
    values, nulls = [], 0
    for row in rows:
        if column["repetition"] == "REPEATED":
            if not row:
                nulls += 1
            else:
                values.extend(row)
        elif row is None:
            nulls += 1
        else:
            values.append(row)
    return values, nulls


def signed_be(raw: bytes) -> int:
    return int.from_bytes(raw, "big", signed=True) if raw else 0


def float_of(physical: str, bits_hex: str) -> float:
    bits = int(bits_hex, 16)
    if physical == "FLOAT":
        return struct.unpack("<f", struct.pack("<I", bits))[0]
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def increment_utf8(prefix: str):
    for i in range(len(prefix) - 1, -1, -1):
        code = ord(prefix[i]) + 1
        if 0xD800 <= code <= 0xDFFF:
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:i] + chr(code)
    return None


def truncated(column: dict, raw: bytes, is_max: bool):
    """The bound the writer stores for a byte-array min or max, and whether it is exact."""
    if len(raw) <= TRUNCATE:
        return raw, True
    kind = (column.get("logical") or {}).get("type")
    if kind in UTF8_KINDS:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            cut = TRUNCATE
            while cut > 0 and (raw[cut] & 0xC0) == 0x80:
                cut -= 1
            prefix = raw[:cut].decode("utf-8")
            if not is_max:
                return prefix.encode("utf-8"), False
            up = increment_utf8(prefix)
            return (raw, True) if up is None else (up.encode("utf-8"), False)
    prefix = raw[:TRUNCATE]
    if not is_max:
        return prefix, False
    keep = len(prefix.rstrip(b"\xff"))
    if keep == 0:
        return raw, True
    return prefix[:keep - 1] + bytes([prefix[keep - 1] + 1]), False


def expected_bounds(column: dict, values: list):
    """(min, max, min_exact, max_exact) in raw physical form, or None when there is no order."""
    physical = column["physical"]
    logical = column.get("logical") or {}
    kind = logical.get("type")
    if not values or physical == "INT96":
        return None
    if physical == "BOOLEAN":
        return min(map(bool, values)), max(map(bool, values)), True, True
    if physical in ("INT32", "INT64"):
        ints = [int(v) for v in values]
        if kind == "INTEGER" and not logical["signed"]:
            bits = 32 if physical == "INT32" else 64
            key = lambda v: v & ((1 << bits) - 1)  # noqa: E731
        else:
            key = lambda v: v  # noqa: E731
        return min(ints, key=key), max(ints, key=key), True, True
    if physical in ("FLOAT", "DOUBLE"):
        floats = [f for f in (float_of(physical, v) for v in values) if not math.isnan(f)]
        if not floats:
            return None
        lo, hi = min(floats), max(floats)
        if lo == 0.0:
            lo = -0.0
        if hi == 0.0:
            hi = 0.0
        return lo, hi, True, True
    raws = [bytes.fromhex(v) for v in values]
    if kind == "DECIMAL":
        return min(raws, key=signed_be), max(raws, key=signed_be), True, True
    lo, lo_exact = truncated(column, min(raws), False)
    hi, hi_exact = truncated(column, max(raws), True)
    return lo, hi, lo_exact, hi_exact


def same_value(physical: str, expected, actual) -> bool:
    if physical in ("FLOAT", "DOUBLE"):
        # Bit for bit: the sign of a zero bound matters.
        fmt = "<f" if physical == "FLOAT" else "<d"
        return isinstance(actual, float) and struct.pack(fmt, expected) == struct.pack(fmt, actual)
    if physical in ("INT32", "INT64"):
        bits = 32 if physical == "INT32" else 64
        mask = (1 << bits) - 1
        return isinstance(actual, int) and (expected & mask) == (actual & mask)
    if isinstance(actual, str):
        actual = actual.encode("utf-8")
    return expected == actual


def has_nan(column: dict, values: list) -> bool:
    return column["physical"] in ("FLOAT", "DOUBLE") and any(
        math.isnan(float_of(column["physical"], v)) for v in values)


def check_pyarrow(errors: list, spec: dict, md):
    for rg, (start, end) in enumerate(row_group_slices(spec)):
        for i, column in enumerate(spec["columns"]):
            name, physical = column["name"], column["physical"]
            where = f"pyarrow: row group {rg} column '{name}'"
            chunk = md.row_group(rg).column(i)
            level = level_of(spec, column)
            if not chunk.has_offset_index:
                errors.append(f"{where}: no offset index")
            values, nulls = flatten(column, column["values"][start:end])
            # A column index needs bounds for every page holding values; NaN-only pages (which
            # only a row group with NaN can have) and INT96 have none.
            want_index = level == "PAGE" and physical != "INT96" and not has_nan(column, values)
            if want_index and not chunk.has_column_index:
                errors.append(f"{where}: no column index")
            if level != "PAGE" and chunk.has_column_index:
                errors.append(f"{where}: a column index with statistics {level}")
            stats = chunk.statistics if chunk.is_stats_set else None
            if level == "NONE":
                if stats is not None and (stats.has_min_max or stats.has_null_count):
                    errors.append(f"{where}: statistics written with statistics NONE")
                continue
            if stats is None:
                errors.append(f"{where}: no statistics")
                continue
            if not stats.has_null_count or stats.null_count != nulls:
                errors.append(f"{where}: null_count {stats.null_count if stats.has_null_count else None}, "
                              f"expected {nulls}")
            bounds = expected_bounds(column, values)
            if bounds is None:
                if stats.has_min_max:
                    errors.append(f"{where}: min/max {stats.min_raw!r}/{stats.max_raw!r}, expected none")
                continue
            lo, hi, _, _ = bounds
            if not stats.has_min_max:
                errors.append(f"{where}: no min/max, expected {lo!r}/{hi!r}")
                continue
            if not same_value(physical, lo, stats.min_raw):
                errors.append(f"{where}: min {stats.min_raw!r}, expected {lo!r}")
            if not same_value(physical, hi, stats.max_raw):
                errors.append(f"{where}: max {stats.max_raw!r}, expected {hi!r}")


def check_duckdb(errors: list, spec: dict, con, path):
    rows = con.execute(
        "SELECT row_group_id, column_id, stats_null_count, stats_min_value, stats_max_value, "
        "min_is_exact, max_is_exact, offset_index_offset, column_index_offset "
        "FROM parquet_metadata(?) ORDER BY row_group_id, column_id", [str(path)]).fetchall()
    slices = list(row_group_slices(spec))
    for rg, col, nulls, lo, hi, lo_exact, hi_exact, offset_index, column_index in rows:
        if rg >= len(slices) or col >= len(spec["columns"]):
            continue  # reported by the metadata check
        column = spec["columns"][col]
        where = f"duckdb: row group {rg} column '{column['name']}'"
        if offset_index is None:
            errors.append(f"{where}: no offset index")
        level = level_of(spec, column)
        if level == "NONE":
            if nulls is not None or lo is not None:
                errors.append(f"{where}: statistics written with statistics NONE")
            continue
        values, expected_nulls = flatten(column, column["values"][slices[rg][0]:slices[rg][1]])
        if nulls != expected_nulls:
            errors.append(f"{where}: null count {nulls}, expected {expected_nulls}")
        bounds = expected_bounds(column, values)
        if bounds is None:
            if lo is not None or hi is not None:
                errors.append(f"{where}: min/max {lo!r}/{hi!r}, expected none")
            continue
        emin, emax, emin_exact, emax_exact = bounds
        if column["physical"] in ("FLOAT", "DOUBLE"):
            # DuckDB shows an infinite bound as NULL; finite ones must match.
            def as_stored(text):  # DuckDB prints a FLOAT in its shortest form
                value = float(text)
                return struct.unpack("<f", struct.pack("<f", value))[0] if column["physical"] == "FLOAT" else value
            for name, got, want in (("min", lo, emin), ("max", hi, emax)):
                if not math.isinf(want) and (got is None or as_stored(got) != want):
                    errors.append(f"{where}: {name} {got!r}, expected {want!r}")
            continue
        logical = column.get("logical") or {}
        if logical.get("type") == "DECIMAL":
            # DuckDB shows no bounds for some decimal layouts (e.g. DECIMAL(20, 2) in 9 bytes);
            # pyarrow checks these bit for bit above.
            continue
        if lo is None or hi is None:
            errors.append(f"{where}: no min/max")
            continue
        if (lo_exact, hi_exact) != (emin_exact, emax_exact):
            errors.append(f"{where}: exactness ({lo_exact}, {hi_exact}), expected ({emin_exact}, {emax_exact})")
        if column["physical"] in ("INT32", "INT64") and not logical:
            if (int(lo), int(hi)) != (emin, emax):
                errors.append(f"{where}: min/max {lo}/{hi}, expected {emin}/{emax}")
        elif logical.get("type") == "STRING" and emin_exact and emax_exact:
            if (lo, hi) != (emin.decode("utf-8"), emax.decode("utf-8")):
                errors.append(f"{where}: min/max {lo!r}/{hi!r}, expected {emin!r}/{emax!r}")
