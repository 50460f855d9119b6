#!/usr/bin/env python3
"""Checks that readers prune with our statistics: a filtered read touches only the row groups
whose bounds can match.

    pruning_check.py FILE.parquet

FILE has an ascending INT64 column `k` in disjoint ranges per row group (tests/cpp/writer_test.cpp,
Writer.SortedKeysForPruning) and a sidecar. For each filter below, a copy of the file is made
in which every column chunk of every row group the filter excludes is overwritten with garbage
(the footer and page indexes are left intact). The filtered read must still return exactly the
matching rows, through pyarrow (dataset filters) and DuckDB (WHERE): it can only do so if it
skipped those row groups by their statistics. As a control, an unfiltered read of the same
copy must fail. Ends with "N passed, M failed".
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

FILTERS = [(20_000, 20_500), (0, 100), (95_000, 99_999), (35_000, 54_000)]


def damaged_copy(src: Path, dst: Path, keep: set) -> int:
    """Copies src to dst with the chunks of every row group not in `keep` overwritten."""
    shutil.copyfile(src, dst)
    md = pq.ParquetFile(src).metadata
    damaged = 0
    with open(dst, "r+b") as f:
        for rg in range(md.num_row_groups):
            if rg in keep:
                continue
            for c in range(md.num_columns):
                chunk = md.row_group(rg).column(c)
                start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
                f.seek(start)
                f.write(b"\xff" * chunk.total_compressed_size)
            damaged += 1
    return damaged


def main(argv) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[1])
    spec = json.loads(Path(str(path) + ".expect.json").read_text())
    keys = [int(v) for v in spec["columns"][0]["values"]]
    notes = spec["columns"][1]["values"]
    sizes = spec["row_groups"]
    group_of = []
    for g, n in enumerate(sizes):
        group_of += [g] * n
    passed = failed = 0
    con = duckdb.connect()
    with tempfile.TemporaryDirectory() as tmp:
        for lo, hi in FILTERS:
            rows = [i for i, k in enumerate(keys) if lo <= k <= hi]
            keep = {group_of[i] for i in rows}
            copy = Path(tmp) / f"pruned_{lo}_{hi}.parquet"
            damaged = damaged_copy(path, copy, keep)
            want = sorted((keys[i], None if notes[i] is None else bytes.fromhex(notes[i]).decode()) for i in rows)
            errors = []
            if damaged == 0:
                errors.append("the filter keeps every row group: nothing to prune")
            try:
                table = pq.read_table(copy, filters=[("k", ">=", lo), ("k", "<=", hi)])
                got = sorted(zip(table.column("k").to_pylist(), table.column("note").to_pylist()))
                if got != want:
                    errors.append(f"pyarrow: {len(got)} rows, expected {len(want)} (or different values)")
            except Exception as e:  # reading a damaged row group: it was not pruned
                errors.append(f"pyarrow: {type(e).__name__}: {str(e)[:200]}")
            try:
                got = sorted(con.execute("SELECT k, note FROM read_parquet(?) WHERE k BETWEEN ? AND ?",
                                         [str(copy), lo, hi]).fetchall())
                if got != want:
                    errors.append(f"duckdb: {len(got)} rows, expected {len(want)} (or different values)")
            except Exception as e:
                errors.append(f"duckdb: {type(e).__name__}: {str(e)[:200]}")
            # Control: the damage is real; reading everything must fail.
            for reader, read in (("pyarrow", lambda: pq.read_table(copy)),
                                 ("duckdb", lambda: con.execute("SELECT sum(k), count(note) FROM read_parquet(?)",
                                                                [str(copy)]).fetchall())):
                try:
                    read()
                    errors.append(f"control: an unfiltered {reader} read of the damaged copy succeeded")
                except Exception:
                    pass
            label = f"k in [{lo}, {hi}]: {len(rows)} rows in {len(keep)} row groups, {damaged} damaged"
            if errors:
                failed += 1
                print(f"FAIL {label}")
                for e in errors:
                    print(f"     {e}")
            else:
                passed += 1
                print(f"ok   {label}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
