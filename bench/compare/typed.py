#!/usr/bin/env python3
"""Typed capture against pyarrow and DuckDB on the same records: the synthetic 56-byte
market-by-order records of bench/mbo.hpp as one typed table, written

  - by parquet_flow's sink end to end (pf_bench --mode typed: a producer thread calling
    try_record(table, record), the worker transposing and writing, until close() returns),
  - by parquet_flow's Writer (pf_bench --mode typed-writer: write_records per row group),
  - by pyarrow.parquet.write_table (ZSTD level 1, dictionary, DELTA_BINARY_PACKED timestamps),
  - by DuckDB's COPY ... (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2),

each with the same column types (unsigned integers, TIMESTAMP(NANOS), DECIMAL(18, 9) price,
one-character strings). Reports bytes per record and MiB/s of record bytes (56 per record),
medians of --reps alternating runs. pyarrow and DuckDB get their input as an Arrow table built
beforehand (not timed): only their writes are timed.

    typed.py --pf-bench PATH [--rows N] [--reps N] [--zstd-level L] [--out DIR]
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RECORD = np.dtype([("length", "u1"), ("rtype", "u1"), ("publisher_id", "<u2"), ("instrument_id", "<u4"),
                   ("ts_event", "<u8"), ("order_id", "<u8"), ("price", "<i8"), ("size", "<u4"), ("flags", "u1"),
                   ("channel_id", "u1"), ("action", "S1"), ("side", "S1"), ("ts_recv", "<u8"),
                   ("ts_in_delta", "<i4"), ("sequence", "<u4")])
assert RECORD.itemsize == 56


def arrow_table(records: np.ndarray) -> pa.Table:
    """The records as the typed columns parquet_flow writes."""
    n = len(records)
    price = np.zeros((n, 2), dtype="<i8")
    price[:, 0] = records["price"]
    price[:, 1] = np.where(records["price"] < 0, -1, 0)
    columns = {}
    for name in RECORD.names:
        v = records[name]
        if name in ("ts_event", "ts_recv"):
            columns[name] = pa.array(v.view("<i8"), pa.timestamp("ns", tz="UTC"))
        elif name == "price":
            columns[name] = pa.Array.from_buffers(pa.decimal128(18, 9), n, [None, pa.py_buffer(price.tobytes())])
        elif v.dtype.kind == "S":
            columns[name] = pa.array(np.char.decode(v, "ascii"), pa.string())
        else:
            columns[name] = pa.array(v)
    return pa.table(columns)


def pf_run(bench: str, mode: str, rows: int, level: int, out: Path) -> dict:
    text = subprocess.run([bench, "--mode", mode, "--rows", str(rows), "--row-group-rows", "131072", "--overflow", "block",
                           "--compression", "zstd", "--zstd-level", str(level), "--output", str(out)],
                          check=True, capture_output=True, text=True).stdout
    values = {}
    for token in text.split():
        if "=" in token:
            k, v = token.split("=", 1)
            values[k] = v
    if int(values["rows"]) != rows:
        raise SystemExit(f"pf_bench {mode} wrote {values['rows']} rows, expected {rows}")
    return {"seconds": float(values["seconds"]), "bytes": int(values["file_bytes"])}


def pyarrow_run(table: pa.Table, level: int, out: Path) -> dict:
    delta = ["ts_event", "ts_recv"]
    start = time.perf_counter()
    pq.write_table(table, out, compression="zstd", compression_level=level,
                   use_dictionary=[c for c in table.column_names if c not in delta],
                   column_encoding={c: "DELTA_BINARY_PACKED" for c in delta})
    return {"seconds": time.perf_counter() - start, "bytes": out.stat().st_size}


def duckdb_run(table: pa.Table, out: Path, level) -> dict:
    con = duckdb.connect()
    con.register("records", table)
    level_option = f", COMPRESSION_LEVEL {level}" if level is not None else ""
    start = time.perf_counter()
    con.execute(f"COPY records TO '{out}' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2{level_option})")
    seconds = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "bytes": out.stat().st_size}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pf-bench", required=True)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--zstd-level", type=int, default=1)
    parser.add_argument("--out", default="build/compare")
    args = parser.parse_args()
    base = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else Path(tempfile.gettempdir())
    work = Path(tempfile.mkdtemp(prefix="pf_typed.", dir=base))
    try:
        raw = work / "mbo.bin"
        subprocess.run([args.pf_bench, "--mode", "dump", "--payload", "mbo", "--rows", str(args.rows),
                        "--output", str(raw)], check=True, capture_output=True)
        records = np.fromfile(raw, dtype=RECORD)
        raw.unlink()
        table = arrow_table(records)
        del records
        writers = {
            "parquet_flow sink (typed try_record -> file)": lambda o: pf_run(args.pf_bench, "typed", args.rows,
                                                                             args.zstd_level, o),
            "parquet_flow Writer::write_records": lambda o: pf_run(args.pf_bench, "typed-writer", args.rows,
                                                                   args.zstd_level, o),
            f"pyarrow write_table (ZSTD {args.zstd_level})": lambda o: pyarrow_run(table, args.zstd_level, o),
            "DuckDB COPY (ZSTD, default level, V2)": lambda o: duckdb_run(table, o, None),
            f"DuckDB COPY (ZSTD {args.zstd_level}, V2)": lambda o: duckdb_run(table, o, args.zstd_level),
        }
        runs = {name: [] for name in writers}
        for rep in range(args.reps):
            for i, (name, run) in enumerate(writers.items()):
                out = work / f"w{i}.parquet"
                runs[name].append(run(out))
                out.unlink()
        record_mib = args.rows * RECORD.itemsize / 2**20
        results = []
        for name, rs in runs.items():
            seconds = statistics.median(r["seconds"] for r in rs)
            size = rs[0]["bytes"]
            results.append({"writer": name, "bytes_per_record": size / args.rows, "seconds": seconds,
                            "mib_per_sec": record_mib / seconds, "records_per_sec": args.rows / seconds})
        lines = [f"{args.rows:,} records of 56 bytes ({record_mib:.0f} MiB), median of {args.reps} runs, "
                 f"output on {base}", "",
                 "| writer | bytes/record | MiB/s | records/s |", "|---|---|---|---|"]
        for r in results:
            lines.append(f"| {r['writer']} | {r['bytes_per_record']:.2f} | {r['mib_per_sec']:.0f} | "
                         f"{r['records_per_sec'] / 1e6:.2f} M |")
        text = "\n".join(lines)
        print(text)
        out_dir = Path(args.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "typed.md").write_text(text + "\n")
        (out_dir / "typed.json").write_text(json.dumps(results, indent=1) + "\n")
    finally:
        for p in work.glob("*"):
            p.unlink()
        work.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
