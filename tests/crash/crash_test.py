#!/usr/bin/env python3
"""Crash test: a process capturing at full speed is killed with SIGKILL at random moments;
every row group it had completed must read back, exactly, after recovery.

    crash_test.py CRASH_CHILD RECOVER_TOOL OUTPUT_DIR [--trials N] [--seed S]

Each trial starts CRASH_CHILD (tests/crash/crash_child.cpp) writing OUTPUT_DIR/trial_K/
capture.parquet (as capture.parquet.inprogress), reads the "rows N" lines it prints after each
row group, kills it after a seeded random delay, runs RECOVER_TOOL on the unfinished file and
reads the result with pyarrow and DuckDB. Passes when, in every trial, the recovered file holds
at least the rows last reported durable, every payload matches its seq, seqs increase strictly
(drops are gaps), and both readers agree. A trial killed before its first row group may have
nothing to recover; that is counted, not failed. Prints the seed of any failing trial.
"""

import argparse
import random
import statistics
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from killing import run_and_kill


def payload(seq: int) -> bytes:
    return f"s{seq}:".encode() + bytes([ord("a") + seq % 26]) * (seq % 61)


def run_trial(child: str, recover: str, out: Path, trial: int, rng: random.Random) -> dict:
    directory = out / f"trial_{trial}"
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / "capture.parquet"
    unfinished = directory / "capture.parquet.inprogress"
    for f in (final, unfinished):
        f.unlink(missing_ok=True)
    durability = "sync" if trial % 5 == 4 else "rowgroup"
    row_group_rows = rng.choice([1000, 4096, 16384])
    delay = rng.uniform(0.03, 0.3)
    reported = run_and_kill([child, str(final), durability, str(row_group_rows)], delay)
    info = {"trial": trial, "durability": durability, "row_group_rows": row_group_rows,
            "delay": round(delay, 3), "reported": reported}

    result = subprocess.run([recover, str(unfinished)], capture_output=True, text=True)
    if result.returncode != 0:
        if reported == 0:
            info["outcome"] = "nothing to recover"
            return info
        raise AssertionError(f"recovery failed though {reported} rows were durable: {result.stderr}")
    if not final.exists():
        raise AssertionError(f"recovery did not rename {unfinished.name}: {result.stdout}")

    table = pq.read_table(final)
    rows = table.num_rows
    if rows < reported:
        raise AssertionError(f"{rows} rows recovered, {reported} were reported durable")
    seqs = table.column("seq").to_pylist()
    payloads = table.column("payload").to_pylist()
    last = -1
    for seq, data in zip(seqs, payloads):
        if seq <= last:
            raise AssertionError(f"seq {seq} after {last}: order broken or duplicated")
        if data != payload(seq):
            raise AssertionError(f"payload of seq {seq} is {data[:40]!r}")
        last = seq
    meta = pq.ParquetFile(final).metadata
    if meta.num_row_groups == 0 or meta.row_group(meta.num_row_groups - 1).num_rows > row_group_rows:
        raise AssertionError("unexpected row groups")
    con = duckdb.connect()
    count, total, bad = con.execute(
        "SELECT count(*), sum(seq), count(*) FILTER (WHERE payload IS NULL) FROM read_parquet(?)",
        [str(final)]).fetchone()
    if count != rows or total != sum(seqs) or bad != 0:
        raise AssertionError(f"DuckDB disagrees: count {count} vs {rows}, sum {total} vs {sum(seqs)}")
    truncated = int(result.stdout.split("truncated_bytes=")[1].split()[0])
    info.update(outcome="recovered", rows=rows, row_groups=meta.num_row_groups,
                beyond_reported=rows - reported, truncated_bytes=truncated)
    final.unlink()  # passed: free the space (a failing trial's file stays for inspection)
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("child")
    ap.add_argument("recover")
    ap.add_argument("out", type=Path)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261125)
    args = ap.parse_args()
    failures = 0
    results = []
    for trial in range(args.trials):
        rng = random.Random(args.seed * 1000 + trial)
        try:
            info = run_trial(args.child, args.recover, args.out, trial, rng)
            results.append(info)
            print(info)
        except AssertionError as e:
            failures += 1
            print(f"FAIL trial {trial} (--seed {args.seed}, trial {trial}): {e}")
    recovered = [r for r in results if r["outcome"] == "recovered"]
    if recovered:
        rows = [r["rows"] for r in recovered]
        print(f"recovered {len(recovered)} of {args.trials} trials; rows per file "
              f"min {min(rows)} median {int(statistics.median(rows))} max {max(rows)}; "
              f"{sum(r['row_groups'] for r in recovered)} row groups read back exactly; "
              f"{sum(1 for r in recovered if r['truncated_bytes'])} files had a partial row group cut")
    nothing = len(results) - len(recovered)
    if nothing:
        print(f"{nothing} trials were killed before their first row group was complete")
    if len(recovered) < args.trials // 2:
        print("FAIL: too few trials got past their first row group to prove anything")
        failures += 1
    print(f"{args.trials - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
