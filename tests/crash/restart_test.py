#!/usr/bin/env python3
"""Restart test: a capture killed with SIGKILL is restarted on the same path pattern, and then
two capture processes share the pattern at once. Nothing of any run may be lost or overwritten.

    restart_test.py CRASH_CHILD OUTPUT_DIR [--trials N] [--seed S]

Each trial, in OUTPUT_DIR/trial_K with the pattern cap-{seq}.parquet (rotating by rows):
  1. run A (tag 1) captures at full speed and is killed with SIGKILL at a seeded random moment;
     its finished files are hashed and the rows it last reported durable noted;
  2. run B (tag 2) starts on the same pattern, records a fixed number of records and closes: it
     must recover A's abandoned .inprogress file (files_recovered = 1 when A had one with a
     checkpoint) and write its own files after A's highest sequence number;
  3. runs C and D (tags 3, 4) run at the same time on the same pattern and close.
Then every file is read with pyarrow and DuckDB: A's finished files are byte-for-byte as they
were; A's rows (finished + recovered) are at least what it reported durable, in seq order, each
payload exact; B's, C's and D's rows are exactly what each accepted, with drops as seq gaps;
no .inprogress is left; no two runs share a file. Ends with "N passed, M failed".
"""

import argparse
import hashlib
import random
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from killing import run_and_kill

NAME = re.compile(r"cap-(\d{6,})\.parquet$")


def payload(tag: int, seq: int) -> bytes:
    return f"r{tag}s{seq}:".encode() + bytes([ord("a") + seq % 26]) * (seq % 61)


def finished(directory: Path) -> list:
    return sorted(p for p in directory.iterdir() if NAME.search(p.name))


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def parse_done(output: str) -> dict:
    line = next(l for l in output.splitlines() if l.startswith("done "))
    return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}


def rows_by_tag(files: list) -> dict:
    """tag -> list of (seq, payload) in file order, read by pyarrow and checked against DuckDB."""
    out = {}
    for f in files:
        table = pq.read_table(f)
        seqs = table.column("seq").to_pylist()
        payloads = table.column("payload").to_pylist()
        count, total = duckdb.execute("SELECT count(*), coalesce(sum(seq), 0) FROM read_parquet(?)",
                                      [str(f)]).fetchone()
        if count != len(seqs) or total != sum(seqs):
            raise AssertionError(f"{f.name}: DuckDB reads {count} rows, pyarrow {len(seqs)}")
        tags = {int(p.split(b"s", 1)[0][1:]) for p in payloads}
        if len(tags) > 1:
            raise AssertionError(f"{f.name}: rows of runs {sorted(tags)} in one file")
        for seq, data in zip(seqs, payloads):
            tag = int(data.split(b"s", 1)[0][1:])
            if data != payload(tag, seq):
                raise AssertionError(f"{f.name}: payload of seq {seq} is {data[:40]!r}")
            out.setdefault(tag, []).append(seq)
    return out


def check_run(tag: int, seqs: list, accepted: int, attempted: int):
    if any(b <= a for a, b in zip(seqs, seqs[1:])):
        raise AssertionError(f"run {tag}: seqs not strictly increasing (order lost or duplicated)")
    if len(seqs) != accepted:
        raise AssertionError(f"run {tag}: {len(seqs)} rows in the files, {accepted} accepted")
    if seqs and seqs[-1] >= attempted:
        raise AssertionError(f"run {tag}: seq {seqs[-1]} beyond {attempted} attempts")


def run_trial(child: str, out: Path, trial: int, rng: random.Random) -> dict:
    directory = out / f"trial_{trial}"
    if directory.exists():
        for p in directory.iterdir():
            p.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    pattern = str(directory / "cap-{seq}.parquet")
    durability = "sync" if trial % 4 == 3 else "rowgroup"
    row_group_rows = rng.choice([500, 2000, 8000])
    rotate = row_group_rows * rng.choice([2, 3])
    delay = rng.uniform(0.05, 0.4)

    # 1. Run A, killed.
    a_durable = run_and_kill([child, pattern, durability, str(row_group_rows), str(rotate), "1"], delay)
    a_files = {p.name: digest(p) for p in finished(directory)}
    abandoned = sorted(p.name for p in directory.iterdir() if p.name.endswith(".inprogress"))
    info = {"trial": trial, "durability": durability, "row_group_rows": row_group_rows, "rotate": rotate,
            "a_durable": a_durable, "a_files": len(a_files), "abandoned": len(abandoned)}

    # 2. Run B on the same pattern: recovers A's file, continues the series.
    b = subprocess.run([child, pattern, durability, str(row_group_rows), str(rotate), "2", "20000"],
                       capture_output=True, text=True, timeout=120)
    if b.returncode != 0:
        raise AssertionError(f"run B failed: {b.stderr}")
    b_stats = parse_done(b.stdout)
    if b_stats["files_recovered"] + b_stats["files_unrecoverable"] != len(abandoned):
        raise AssertionError(f"run B found {abandoned} abandoned but reports {b_stats}")
    for name, h in a_files.items():
        if digest(directory / name) != h:
            raise AssertionError(f"{name} of the killed run was changed by the restart")
    a_max = max((int(NAME.search(n).group(1)) for n in list(a_files) + [a[:-len('.inprogress')] for a in abandoned]),
                default=-1)

    # 3. Runs C and D at once on the same pattern.
    procs = [subprocess.Popen([child, pattern, durability, str(row_group_rows), str(rotate), str(tag), "15000"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in (3, 4)]
    cd_stats = {}
    for tag, p in zip((3, 4), procs):
        stdout, stderr = p.communicate(timeout=120)
        if p.returncode != 0:
            raise AssertionError(f"run {tag} failed: {stderr}")
        cd_stats[tag] = parse_done(stdout)

    left = [p.name for p in directory.iterdir() if p.name.endswith(".inprogress")]
    unrecoverable = b_stats["files_unrecoverable"]
    if len(left) != unrecoverable:
        raise AssertionError(f".inprogress files left behind: {left}")
    files = finished(directory)
    rows = rows_by_tag(files)
    a_rows = rows.get(1, [])
    if any(b <= a for a, b in zip(a_rows, a_rows[1:])):
        raise AssertionError("run A: seqs not strictly increasing across its files")
    if len(a_rows) < a_durable:
        raise AssertionError(f"run A: {len(a_rows)} rows survive, {a_durable} were reported durable")
    if b_stats["rows_recovered"] + sum(pq.ParquetFile(directory / n).metadata.num_rows for n in a_files) != len(a_rows):
        raise AssertionError("run A: recovered + finished rows do not add up")
    check_run(2, rows.get(2, []), b_stats["accepted"], b_stats["attempted"])
    for tag, s in cd_stats.items():
        check_run(tag, rows.get(tag, []), s["accepted"], s["attempted"])
    first_b = min(int(NAME.search(f.name).group(1)) for f in files
                  if pq.read_table(f, columns=["payload"]).column(0)[0].as_py().startswith(b"r2s"))
    if first_b <= a_max:
        raise AssertionError(f"run B's first file number {first_b} is not after run A's {a_max}")
    info.update(outcome="ok", a_rows=len(a_rows), recovered=b_stats["files_recovered"],
                rows_recovered=b_stats["rows_recovered"], files=len(files))
    for p in directory.iterdir():  # passed: free the space
        p.unlink()
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("child")
    ap.add_argument("out", type=Path)
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--seed", type=int, default=20261202)
    args = ap.parse_args()
    failures = 0
    recovered = 0
    for trial in range(args.trials):
        rng = random.Random(args.seed * 1000 + trial)
        try:
            info = run_trial(args.child, args.out, trial, rng)
            recovered += info["recovered"]
            print(info)
        except AssertionError as e:
            failures += 1
            print(f"FAIL trial {trial} (--seed {args.seed}): {e}")
    if recovered == 0:
        print("FAIL: no trial left an abandoned file with a checkpoint to recover")
        failures += 1
    print(f"{args.trials - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
