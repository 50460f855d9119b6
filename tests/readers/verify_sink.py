#!/usr/bin/env python3
"""Checks what a capture sink wrote against what its producers attempted, with pyarrow and
DuckDB.

    verify_sink.py PATH [PATH ...]

Each PATH is a spec (`*.sink.json`) or a directory searched for them. A spec, written by the
sink tests, says:
  "files":     the files the sink closed, in order (relative to the spec)
  "payload":   how payloads were generated: "test" -> f"p{producer}s{seq}:" + letter * (seq % 64)
               where letter = "abcdefghijklmnopqrstuvwxyz"[seq % 26]; "demo" -> f"event-{seq}: hot-path
               binary payload" (one producer, seq = row number)
  "producers": {"<id>": {"attempted": n, "accepted": n}}
  "columns":   the sink's columns in file order
  "row_groups": optional, the row-group sizes of each file
  "dataset":   optional, a glob DuckDB must read as one dataset (hive partitions allowed)

For every producer: its rows appear in seq order across the files, each seq at most once, each
payload is exactly what was generated for that seq, the row count equals "accepted", and the
seqs missing from 0..attempted-1 number exactly attempted - accepted (drops show as gaps).
recv_ts never goes backwards within a producer. Ends with "N passed, M failed".
"""

import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def payload_for(kind: str, producer: int, seq: int) -> bytes:
    if kind == "demo":
        return f"event-{seq}: hot-path binary payload".encode()
    return f"p{producer}s{seq}:".encode() + LETTERS[seq % 26].encode() * (seq % 64)


def read_rows(path: Path, columns: list, errors: list) -> dict:
    """The file's columns as Python lists, via pyarrow, cross-checked against DuckDB."""
    table = pq.read_table(path)
    if table.column_names != columns:
        errors.append(f"{path.name}: columns {table.column_names}, expected {columns}")
    out = {}
    # recv_ts as integers in its own unit (ms, us or ns: SinkOptions::recv_ts_unit), from both.
    epoch = {"ms": "epoch_ms", "us": "epoch_us", "ns": "epoch_ns"}
    select = []
    for name in table.column_names:
        arr = table.column(name).combine_chunks()
        if pa.types.is_timestamp(arr.type):
            select.append(f'{epoch[arr.type.unit]}("{name}")')
            arr = arr.cast(pa.int64())
        else:
            select.append(f'"{name}"')
        out[name] = arr.to_pylist()
    select = ", ".join(select)
    duck = duckdb.execute(f"SELECT {select} FROM read_parquet(?)", [str(path)]).fetchall()
    arrow_rows = list(zip(*(out[c] for c in table.column_names)))
    if duck != arrow_rows:
        errors.append(f"{path.name}: DuckDB and pyarrow disagree ({len(duck)} vs {len(arrow_rows)} rows)")
    return out


def verify(spec_path: Path) -> list:
    spec = json.loads(spec_path.read_text())
    errors = []
    kind = spec["payload"]
    columns = spec["columns"]
    seen = {}  # producer -> list of (seq, payload, recv_ts)
    for i, name in enumerate(spec["files"]):
        path = spec_path.parent / name
        if not path.exists():
            errors.append(f"{name}: missing")
            continue
        md = pq.ParquetFile(path).metadata
        sizes = [md.row_group(r).num_rows for r in range(md.num_row_groups)]
        if "row_groups" in spec and sizes != spec["row_groups"][i]:
            errors.append(f"{name}: row groups {sizes}, expected {spec['row_groups'][i]}")
        rows = read_rows(path, columns, errors)
        n = len(rows["payload"])
        producers = rows.get("producer_id", [0] * n)
        seqs = rows.get("seq")
        stamps = rows.get("recv_ts", [None] * n)
        for r in range(n):
            pid = producers[r]
            lst = seen.setdefault(pid, [])
            seq = seqs[r] if seqs is not None else len(lst)
            lst.append((seq, rows["payload"][r], stamps[r]))
    for pid_text, counts in spec["producers"].items():
        pid = int(pid_text)
        rows = seen.pop(pid, [])
        if len(rows) != counts["accepted"]:
            errors.append(f"producer {pid}: {len(rows)} rows in the files, {counts['accepted']} accepted")
        seqs = [s for s, _, _ in rows]
        if any(b <= a for a, b in zip(seqs, seqs[1:])):
            errors.append(f"producer {pid}: seq not strictly increasing (order lost or duplicates)")
        if seqs and (seqs[0] < 0 or seqs[-1] >= counts["attempted"]):
            errors.append(f"producer {pid}: seq outside 0..{counts['attempted'] - 1}")
        gaps = counts["attempted"] - len(set(seqs))
        if gaps != counts["attempted"] - counts["accepted"]:
            errors.append(f"producer {pid}: {gaps} seq gaps, {counts['attempted'] - counts['accepted']} drops")
        bad = [s for s, p, _ in rows if p != payload_for(kind, pid, s)]
        if bad:
            errors.append(f"producer {pid}: {len(bad)} payloads differ from what was sent (first seq {bad[0]})")
        stamps = [t for _, _, t in rows if t is not None]
        if any(b < a for a, b in zip(stamps, stamps[1:])):
            errors.append(f"producer {pid}: recv_ts goes backwards")
    if seen:
        errors.append(f"rows from unknown producers {sorted(seen)}")
    if "dataset" in spec:
        total = sum(c["accepted"] for c in spec["producers"].values())
        glob = str(spec_path.parent / spec["dataset"])
        (count,), = duckdb.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)", [glob]).fetchall()
        if count != total:
            errors.append(f"dataset {spec['dataset']}: DuckDB reads {count} rows, expected {total}")
        table = pq.ParquetDataset(str(spec_path.parent / spec["dataset"].split("/")[0])).read()
        if table.num_rows != total:
            errors.append(f"dataset: pyarrow reads {table.num_rows} rows, expected {total}")
    return errors


def main(argv):
    if len(argv) < 2:
        print("usage: verify_sink.py PATH [PATH ...]", file=sys.stderr)
        return 2
    specs = []
    for p in map(Path, argv[1:]):
        specs.extend(sorted(p.rglob("*.sink.json")) if p.is_dir() else [p])
    if not specs:
        print(f"no sink specs (*.sink.json) under {' '.join(argv[1:])}", file=sys.stderr)
        return 2
    passed = failed = 0
    for spec in specs:
        try:
            errors = verify(spec)
        except Exception as e:  # an unreadable file is a failure with its reason
            errors = [f"{type(e).__name__}: {e}"]
        if errors:
            failed += 1
            print(f"FAIL {spec}")
            for e in errors[:20]:
                print(f"     {e}")
        else:
            passed += 1
            print(f"ok   {spec}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
