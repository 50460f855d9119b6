#!/usr/bin/env python3
"""Apache Spark as a third independent reader, beside pyarrow and DuckDB (verify_parquet.py,
verify_sink.py).

    verify_spark.py OUTPUT_DIR     (the test suite's output directory)

1. A deterministic sample of the files the writer suites wrote, each compared value for value
   with its sidecar (`<file>.parquet.expect.json`), through verify_parquet.py's canonical forms:
   one matrix file for every physical type x repetition, the codecs spread so that each type
   comes with three codecs and every (repetition, codec) pair is among them; every file of the
   other suites (logical types, per-column codecs, null densities, multi-page chunks, large
   values, statistics, the C ABI's files, the sink's recv_ts units), except that a suite of more
   than LARGE_SUITE files (the randomized cases) gives about SUITE_SAMPLE spread evenly; and
   one file of the encoding matrix for every (physical type, encoding) pair, each of which
   must be compared.
   Each file is first read with Spark's default settings and the schema Spark infers is checked
   against the types below. What Spark refuses or shows differently by design is handled
   explicitly (REFUSED, and spark_presented): compared in Spark's representation, or skipped with
   its reason printed; a type Spark starts to read, or stops reading, fails the check.
2. Every Hive-partitioned sink capture (a `*.sink.json` with a "dataset"), read as one dataset
   with default settings, `spark.read.parquet(root)`: the row count, the partition columns and
   their values, and every row of every file equal to what pyarrow reads from the same file.
   At least one of them must have recv_ts in micros (Spark refuses nanos).

Spark runs in-process, local[1], with its UI off, the session time zone UTC and a quiet log.
Ends with one line "N passed, M failed"; exits 0 only when nothing failed. Without pyspark or
Java it fails, naming what is missing (the README's test command installs both).
"""

import datetime
import decimal
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verify_parquet import canonical_actual, compare_rows, expected_rows  # noqa: E402

# A suite (top directory) with more than LARGE_SUITE files gives about SUITE_SAMPLE of them, evenly
# spread by name: 12 of the default 300 randomized cases. Keeps the run near a minute.
LARGE_SUITE = 40
SUITE_SAMPLE = 12
CODECS = ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "LZ4_RAW"]
PHYSICAL = ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"]
REPETITIONS = ["REQUIRED", "OPTIONAL", "REPEATED"]
# The logical types Spark reads (TIMESTAMP(NANOS) as INT64): the sample must compare each.
LOGICAL = ["STRING", "ENUM", "JSON", "DATE", "TIMESTAMP(MILLIS)", "TIMESTAMP(MICROS)", "TIMESTAMP(NANOS)",
           "INTEGER", "DECIMAL"]

# What Spark 4 does not read with default settings: the error its schema inference raises, and
# what the check does instead. TIMESTAMP(NANOS) is compared as its INT64 value; the rest skipped.
NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"
REFUSED = {
    "TIMESTAMP(NANOS)": ("PARQUET_TYPE_ILLEGAL", f"compared as INT64, read with {NANOS_AS_LONG}=true"),
    "TIME(MILLIS)": ("PARQUET_TYPE_ILLEGAL", "skipped: Spark has no type for it"),
    "TIME(MICROS)": ("UNSUPPORTED_TIME_TYPE", "skipped: Spark's TIME type is off by default"),
    "TIME(NANOS)": ("UNSUPPORTED_TIME_TYPE", "skipped: Spark's TIME type is off by default"),
    # Spark's TIME is a local time of day: a UTC-adjusted one has no Spark type at all.
    "TIME(MICROS, UTC)": ("PARQUET_TYPE_ILLEGAL", "skipped: Spark has no UTC-adjusted TIME"),
    "TIME(NANOS, UTC)": ("PARQUET_TYPE_ILLEGAL", "skipped: Spark has no UTC-adjusted TIME"),
    "UUID": ("PARQUET_TYPE_ILLEGAL", "skipped: Spark has no UUID type"),
}

# Spark 4's vectorized reader has no BYTE_STREAM_SPLIT decoder for unsigned 32- and 64-bit INTEGER
# columns (its VectorizedReaderBase.readUnsigned* throw); its row-based reader reads them. Such columns are
# compared through the row-based reader, after checking the vectorized one still fails so.
VECTORIZED = "spark.sql.parquet.enableVectorizedReader"
UNSIGNED_SPLIT_REFUSAL = "readUnsigned"


def unsigned_split(column: dict) -> bool:
    logical = column.get("logical") or {}
    return (logical.get("type") == "INTEGER" and not logical["signed"] and logical["bits"] >= 32
            and "BYTE_STREAM_SPLIT" in column.get("data_page_encodings", []))


LOG4J2 = """\
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark %p %c{1}: %m%n
rootLogger.level = error
rootLogger.appenderRef.console.ref = console
# Spark's own loggers at the root's level: Spark (as in a shell) then keeps it, unannounced.
logger.spark.name = org.apache.spark
logger.spark.level = error
# A task that fails (an expected refusal) is reported to Python with its message: no stack dumps.
logger.executor.name = org.apache.spark.executor.Executor
logger.executor.level = off
logger.tasks.name = org.apache.spark.scheduler.TaskSetManager
logger.tasks.level = off
"""


class Unavailable(Exception):
    pass


def start_spark(work: Path):
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise Unavailable("no Java runtime (java not on PATH, JAVA_HOME unset): Spark needs one; "
                          "`make test` installs it (Debian: openjdk-17-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise Unavailable(f"pyspark is not installed for {sys.executable} ({e}): `make venv` installs "
                          "it from tests/readers/requirements.txt")
    (work / "log4j2.properties").write_text(LOG4J2)
    # Local only: no host name lookup, no network.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (SparkSession.builder.master("local[1]").appName("parquet_flow verify_spark")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.local.dir", str(work / "local"))
               .config("spark.sql.warehouse.dir", str(work / "warehouse"))
               .config("spark.driver.extraJavaOptions",
                       f"-Dlog4j2.configurationFile={(work / 'log4j2.properties').as_uri()}"))
    try:
        return builder.getOrCreate()
    except Exception as e:
        raise Unavailable(f"Spark did not start: {type(e).__name__}: {first_line(e)}")


def first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [""])[0][:300]


def quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


# ---- how Spark presents each type -----------------------------------------------------------

def refusal(column: dict):
    """The REFUSED key for a column Spark does not read by default, else None."""
    logical = column.get("logical") or {}
    kind = logical.get("type")
    if kind == "TIME" and logical["unit"] != "MILLIS" and logical["utc"]:
        return f"TIME({logical['unit']}, UTC)"
    if kind in ("TIME", "TIMESTAMP") and (kind == "TIME" or logical["unit"] == "NANOS"):
        return f"{kind}({logical['unit']})"
    if kind == "UUID":
        return "UUID"
    return None


def spark_type(column: dict) -> str:
    """The type Spark infers for a column it reads (element type for REPEATED)."""
    physical = column["physical"]
    logical = column.get("logical") or {}
    kind = logical.get("type")
    if kind == "DECIMAL":
        return f"decimal({logical['precision']},{logical['scale']})"
    if kind == "INTEGER":
        bits, signed = logical["bits"], logical["signed"]
        if not signed:
            bits *= 2  # unsigned values take the next wider signed type
        return {8: "tinyint", 16: "smallint", 32: "int", 64: "bigint", 128: "decimal(20,0)"}[bits]
    if kind == "TIMESTAMP":
        return "timestamp" if logical["utc"] else "timestamp_ntz"
    if kind == "DATE":
        return "date"
    if kind in ("STRING", "ENUM", "JSON"):
        return "string"
    return {"BOOLEAN": "boolean", "INT32": "int", "INT64": "bigint", "INT96": "timestamp",
            "FLOAT": "float", "DOUBLE": "double", "BYTE_ARRAY": "binary",
            "FIXED_LEN_BYTE_ARRAY": "binary"}[physical]


def with_repetition(column: dict, element: str) -> str:
    return f"array<{element}>" if column["repetition"] == "REPEATED" else element


def element_expression(ddl: str, ref: str) -> str:
    """SQL that turns one Spark value into the integer or bytes the sidecar has."""
    if ddl == "timestamp":
        return f"unix_micros({ref})"
    if ddl == "timestamp_ntz":
        return f"unix_micros(CAST({ref} AS TIMESTAMP))"  # the session time zone is UTC
    if ddl == "date":
        return f"unix_date({ref})"
    return ref


def column_expression(column: dict, ddl: str) -> str:
    name = quoted(column["name"])
    if column["repetition"] == "REPEATED" and element_expression(ddl, "x") != "x":
        return f"transform({name}, x -> {element_expression(ddl, 'x')})"
    return element_expression(ddl, name)


def spark_presented(column: dict, value):
    """A canonical expected value (verify_parquet.py) as Spark holds it: Spark's timestamps are
    microseconds, so INT96 loses the nanoseconds below a microsecond and MILLIS gains zeros."""
    logical = column.get("logical") or {}
    if column["physical"] == "INT96":
        return value // 1000
    if logical.get("type") == "TIMESTAMP" and logical["unit"] == "MILLIS":
        return value * 1000
    return value


def spark_actual(column: dict, value):
    if isinstance(value, decimal.Decimal) and (column.get("logical") or {}).get("type") != "DECIMAL":
        value = int(value)  # an unsigned 64-bit integer, read as decimal(20,0)
    return canonical_actual(column, value)


def map_rows(column: dict, rows: list, fn) -> list:
    if column["repetition"] == "REPEATED":
        return [None if r is None else [fn(column, v) for v in r] for r in rows]
    return [None if r is None else fn(column, r) for r in rows]


# ---- 1. the writer suites' files -------------------------------------------------------------

def sample(out: Path) -> tuple:
    """The sidecars to read, and the errors found choosing them."""
    picks, errors = [], []
    matrix = {}
    for p in sorted((out / "matrix").glob("*.expect.json")):
        spec = json.loads(p.read_text())
        column = spec["columns"][0]
        matrix[(column["physical"], column["repetition"], spec["codec"])] = p
    for t, physical in enumerate(PHYSICAL):
        for r, repetition in enumerate(REPETITIONS):
            codec = CODECS[(3 * t + r) % len(CODECS)]
            if (physical, repetition, codec) in matrix:
                picks.append(matrix[(physical, repetition, codec)])
            else:
                errors.append(f"matrix: no {physical} {repetition} {codec} file under {out / 'matrix'}")
    # The encoding matrix: one file for every (physical type, encoding), repetitions in turn.
    encoded = {}
    for p in sorted((out / "encodings").glob("*.expect.json")):
        spec = json.loads(p.read_text())
        column = spec["columns"][0]
        for encoding in column.get("data_page_encodings", []):
            encoded.setdefault((column["physical"], encoding), []).append(p)
    if not encoded:
        errors.append(f"encodings: no files under {out / 'encodings'}")
    for i, (_, files) in enumerate(sorted(encoded.items())):
        picks.append(files[i % len(files)])
    suites = {}
    for p in sorted(out.rglob("*.expect.json")):
        suite = p.relative_to(out).parts[0]
        if suite not in ("matrix", "encodings"):
            suites.setdefault(suite, []).append(p)
    for files in suites.values():
        picks.extend(files if len(files) <= LARGE_SUITE else files[::-(-len(files) // SUITE_SAMPLE)])
    return picks, errors


def verify_file(spark, sidecar: Path, refusals: dict, covered: set) -> tuple:
    """(errors, notes) for one sidecar's file."""
    spec = json.loads(sidecar.read_text())
    path = str(sidecar.parent / spec["file"])
    columns = spec["columns"]
    errors, notes = [], []
    refused = {c["name"]: refusal(c) for c in columns if refusal(c)}

    # Default settings: the inferred schema, or the refusal this file must meet.
    inferred = None
    try:
        inferred = spark.read.parquet(path)
    except Exception as e:
        message = str(e)
        if not refused:
            return [f"spark: {type(e).__name__}: {first_line(e)}"], notes
        wanted = {REFUSED[k][0] for k in refused.values()}
        if not any(tag in message for tag in wanted):
            errors.append(f"spark: refused the file with {first_line(e)!r}, expected one of {sorted(wanted)}")
    if inferred is not None:
        if refused:
            errors.append(f"spark: read a file with {sorted(set(refused.values()))} with default settings: "
                          "Spark now reads it; update REFUSED here and the README's note on recv_ts_unit")
        got = [(f.name, f.dataType.simpleString()) for f in inferred.schema.fields]
        want = [(c["name"], with_repetition(c, spark_type(c))) for c in columns]
        if got != want:
            errors.append(f"spark: schema {got}, expected {want}")
            return errors, notes

    # The values: every column Spark reads, in its own types; TIMESTAMP(NANOS) as INT64.
    compared = []
    for c in columns:
        kind = refused.get(c["name"])
        if kind is None:
            compared.append((c, spark_type(c)))
            continue
        refusals[kind] = refusals.get(kind, 0) + 1
        if kind == "TIMESTAMP(NANOS)":
            compared.append((c, "bigint"))
            notes.append(f"{c['name']} {kind} as INT64")
        else:
            notes.append(f"{c['name']} {kind} skipped")
    # Unsigned BYTE_STREAM_SPLIT columns: refused by the vectorized reader, read by the row-based one.
    row_based = [(c, t) for c, t in compared if unsigned_split(c)]
    compared = [(c, t) for c, t in compared if not unsigned_split(c)]
    if row_based:
        source = inferred if inferred is not None else spark.read.schema(
            ", ".join(f"{quoted(c['name'])} {with_repetition(c, t)}" for c, t in row_based)).parquet(path)
        try:
            source.selectExpr(quoted(row_based[0][0]["name"])).collect()
            errors.append(f"spark: read BYTE_STREAM_SPLIT unsigned column {row_based[0][0]['name']!r} with its "
                          "vectorized reader: Spark now reads it; drop the row-based path here")
        except Exception as e:
            if UNSIGNED_SPLIT_REFUSAL not in str(e):
                errors.append(f"spark: {row_based[0][0]['name']!r}: {first_line(e)!r}, expected {UNSIGNED_SPLIT_REFUSAL}")
        ddl = ", ".join(f"{quoted(c['name'])} {with_repetition(c, t)}" for c, t in row_based)
        spark.conf.set(VECTORIZED, "false")
        try:
            rows = spark.read.schema(ddl).parquet(path).selectExpr(
                *[column_expression(c, t) for c, t in row_based]).collect()
        finally:
            spark.conf.unset(VECTORIZED)
        for i, (c, _) in enumerate(row_based):
            expected = map_rows(c, expected_rows(c, "spark"), spark_presented)
            compare_rows(errors, "spark", c, expected, map_rows(c, [row[i] for row in rows], spark_actual))
        notes.append(f"{len(row_based)} unsigned BYTE_STREAM_SPLIT column(s) read with {VECTORIZED}=false")
    if compared:
        if refused:
            ddl = ", ".join(f"{quoted(c['name'])} {with_repetition(c, t)}" for c, t in compared)
            spark.conf.set(NANOS_AS_LONG, "true")
            try:
                df = spark.read.schema(ddl).parquet(path)
                rows = df.selectExpr(*[column_expression(c, t) for c, t in compared]).collect()
            finally:
                spark.conf.unset(NANOS_AS_LONG)
        else:
            rows = inferred.selectExpr(*[column_expression(c, t) for c, t in compared]).collect()
        for i, (c, _) in enumerate(compared):
            expected = map_rows(c, expected_rows(c, "spark"), spark_presented)
            actual = map_rows(c, [row[i] for row in rows], spark_actual)
            compare_rows(errors, "spark", c, expected, actual)
            logical = c.get("logical") or {}
            covered.add(("physical", c["physical"]))
            covered.add(("repetition", c["repetition"]))
            covered.add(("codec", c.get("codec", spec.get("codec", "UNCOMPRESSED"))))
            for encoding in c.get("data_page_encodings", []):
                covered.add(("encoding", (c["physical"], encoding)))
            if logical:
                covered.add(("logical", logical["type"] + (f"({logical['unit']})" if "unit" in logical else "")))
    return errors, notes


# ---- 2. Hive-partitioned sink captures --------------------------------------------------------

def partition_of(relative: Path) -> list:
    return [tuple(part.split("=", 1)) for part in relative.parent.parts if "=" in part]


def same_partition_value(value, text: str) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return value == int(text)
    if isinstance(value, datetime.date):
        return value.isoformat() == text
    return str(value) == text


def verify_dataset(spark, spec_path: Path) -> tuple:
    """(errors, summary, has micros recv_ts) for one capture read as one dataset."""
    spec = json.loads(spec_path.read_text())
    root = spec_path.parent / spec["dataset"].split("/")[0]
    files = [(spec_path.parent / f).resolve() for f in spec["files"]]
    errors = []
    keys = [k for k, _ in partition_of(files[0].relative_to(root.resolve()))] if files else []
    if not keys:
        return [f"{root}: no key=value directories"], "", False

    # pyarrow, file by file, with the partition values its directories name.
    by_file, total, micros, epoch = {}, 0, False, {}
    for f in files:
        table = pq.read_table(f)
        parts = partition_of(f.relative_to(root.resolve()))
        if [k for k, _ in parts] != keys:
            errors.append(f"{f.relative_to(root.resolve())}: partition keys {[k for k, _ in parts]}, expected {keys}")
        values = {}
        for name in table.column_names:
            arr = table.column(name).combine_chunks()
            if pa.types.is_timestamp(arr.type):
                if arr.type.unit not in ("ms", "us"):
                    errors.append(f"{f.name}: {name} is timestamp[{arr.type.unit}]: Spark reads ms and us only")
                    continue
                epoch[name] = "unix_millis" if arr.type.unit == "ms" else "unix_micros"
                micros |= name == "recv_ts" and arr.type.unit == "us"
                arr = arr.cast(pa.int64())
            values[name] = arr.to_pylist()
        by_file[str(f)] = ([tuple(values[c][i] for c in spec["columns"]) for i in range(table.num_rows)],
                           [v for _, v in parts])
        total += table.num_rows
    if errors:
        return errors, "", micros
    accepted = sum(p["accepted"] for p in spec["producers"].values())
    if total != accepted:
        errors.append(f"pyarrow reads {total} rows from the files, the producers had {accepted} accepted")

    # Spark, the whole root as one dataset, default settings.
    df = spark.read.parquet(str(root))
    if df.columns != spec["columns"] + keys:
        errors.append(f"spark: columns {df.columns}, expected {spec['columns'] + keys}")
        return errors, "", micros
    count = df.count()
    if count != accepted:
        errors.append(f"spark: {count} rows, expected {accepted}")
    select = ["_metadata.file_path"]
    select += [f"{epoch[c]}({quoted(c)})" if c in epoch else quoted(c) for c in spec["columns"]]
    select += [quoted(k) for k in keys]
    n = len(spec["columns"])
    spark_files = {}
    for row in df.selectExpr(*select).collect():
        spark_files.setdefault(str(Path(unquote(urlparse(row[0]).path)).resolve()), []).append(row[1:])
    if set(spark_files) != set(by_file):
        errors.append(f"spark read {len(spark_files)} files, the capture has {len(by_file)} "
                      f"(only Spark: {sorted(set(spark_files) - set(by_file))[:3]}, "
                      f"only the capture: {sorted(set(by_file) - set(spark_files))[:3]})")
    for f, (rows, parts) in by_file.items():
        got = spark_files.get(f, [])
        name = Path(f).relative_to(root.resolve())
        if [tuple(r[:n]) for r in got] != rows:
            errors.append(f"spark: {name}: {len(got)} rows differ from pyarrow's {len(rows)}")
        bad = [r[n:] for r in got if not all(same_partition_value(v, t) for v, t in zip(r[n:], parts))]
        if bad:
            errors.append(f"spark: {name}: partition values {tuple(bad[0])}, directory says {parts}")
    types = " ".join(f"{k}:{df.schema[k].dataType.simpleString()}" for k in keys)
    units = " ".join(f"{c}:{'millis' if e == 'unix_millis' else 'micros'}" for c, e in epoch.items())
    summary = f"rows={count} files={len(files)} partitions {types}" + (f" timestamps {units}" if units else "")
    return errors, summary, micros


# ---- driver ----------------------------------------------------------------------------------

def main(argv: list) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    started = time.monotonic()
    passed = failed = 0

    def report(label: str, errors: list, detail: str = ""):
        nonlocal passed, failed
        if errors:
            failed += 1
            print(f"FAIL {label}")
            for e in errors[:20]:
                print(f"     {e}")
        else:
            passed += 1
            print(f"ok   {label}{'  ' + detail if detail else ''}")

    with tempfile.TemporaryDirectory(prefix="verify_spark-") as work:
        try:
            spark = start_spark(Path(work))
        except Unavailable as e:
            print(f"FAIL {e}")
            print("0 passed, 1 failed")
            return 1
        print(f"Spark {spark.version} started in {time.monotonic() - started:.1f} s")
        try:
            try:
                picks, errors = sample(out)
            except Exception as e:
                picks, errors = [], [f"{type(e).__name__}: {first_line(e)}"]
            if errors or not picks:
                report("sample of the writer suites' files", errors or [f"no sidecars under {out}"])
            refusals, covered = {}, set()
            for sidecar in picks:
                try:
                    errors, notes = verify_file(spark, sidecar, refusals, covered)
                except Exception as e:  # a file Spark cannot read is a failure, with its message
                    errors, notes = [f"spark: {type(e).__name__}: {first_line(e)}"], []
                report(str(sidecar.relative_to(out)).removesuffix(".expect.json"), errors,
                       f"refused by default: {', '.join(notes)}" if notes else "")
            missing = [f"no {what} {name} compared" for what, names in
                       (("physical", PHYSICAL), ("repetition", REPETITIONS), ("codec", CODECS), ("logical", LOGICAL))
                       for name in names if (what, name) not in covered]
            # Every encoding the writer has, on every type it fits, read back by Spark.
            for sidecar in picks:
                spec = json.loads(sidecar.read_text())
                for column in spec["columns"]:
                    for encoding in column.get("data_page_encodings", []):
                        if ("encoding", (column["physical"], encoding)) not in covered:
                            missing.append(f"no {column['physical']} column in {encoding} compared "
                                           f"({sidecar.relative_to(out)})")
            report(f"coverage: {len(picks)} files, every physical type, repetition and codec, "
                   f"logical types {' '.join(sorted(n for w, n in covered if w == 'logical'))}", missing)
            for kind, count in sorted(refusals.items()):
                print(f"     {count} {kind} column(s): refused with default settings ({REFUSED[kind][0]}), "
                      f"{REFUSED[kind][1]}")
            print("     INT96 and TIMESTAMP(MILLIS) are compared in microseconds, as Spark holds them "
                  "(INT96 loses its nanoseconds below a microsecond); unsigned 64-bit INTEGER as decimal(20,0)")

            specs = [p for p in sorted(out.rglob("*.sink.json")) if "dataset" in json.loads(p.read_text())]
            any_micros = False
            for spec in specs:
                label = f"dataset {spec.relative_to(out)}"
                try:
                    errors, summary, micros = verify_dataset(spark, spec)
                except Exception as e:
                    errors, summary, micros = [f"{type(e).__name__}: {first_line(e)}"], "", False
                any_micros |= micros
                report(label, errors, summary)
            if not any_micros:
                report("a Hive-partitioned capture with recv_ts in micros",
                       [f"none among the sink specs with a dataset under {out}"])
        finally:
            spark.stop()
    print(f"Spark checks took {time.monotonic() - started:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
