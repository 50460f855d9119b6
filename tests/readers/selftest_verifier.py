#!/usr/bin/env python3
"""Proves verify_parquet.py catches what it must: takes files the test suite wrote, breaks a
copy of their sidecars in one way at a time, and expects the verifier to fail every broken copy
(and pass the intact ones).

    selftest_verifier.py OUTPUT_DIR     (the test suite's output directory)
"""

import copy
import json
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verify_parquet  # noqa: E402


def first_value_row(values):
    return next(i for i, v in enumerate(values) if v not in (None, []))


def flip_hex(value: str) -> str:
    return ("00" if value[:2] != "00" else "01") + value[2:] if value else "00"


def mutations(spec: dict):
    """(name, mutated spec) pairs, each a single realistic mistake."""
    for ci, column in enumerate(spec["columns"]):
        values = column["values"]
        i = first_value_row(values)
        rep = column["repetition"]

        def changed(fn, what):
            s = copy.deepcopy(spec)
            fn(s["columns"][ci])
            return f"{column['name']}: {what}", s

        def bump(v):
            if isinstance(v, bool):
                return not v
            if isinstance(v, int):
                return v + 1
            if v.startswith("0x"):
                return hex(int(v, 16) ^ 1)
            return flip_hex(v)

        if rep == "REPEATED":
            yield changed(lambda c: c["values"][i].__setitem__(0, bump(c["values"][i][0])), "wrong element")
            # Move a list boundary: the first element of row i becomes part of the row before.
            if i > 0:
                def move(c):
                    c["values"][i - 1] = list(c["values"][i - 1]) + [c["values"][i][0]]
                    c["values"][i] = c["values"][i][1:]
                yield changed(move, "list boundary moved")
        else:
            yield changed(lambda c: c["values"].__setitem__(i, bump(c["values"][i])), "wrong value")
        if rep == "OPTIONAL":
            yield changed(lambda c: c["values"].__setitem__(i, None), "null where a value is")
        yield changed(lambda c: c.__setitem__("logical", {"type": "INTEGER", "bits": 8, "signed": True}),
                      "wrong logical type")
    s = copy.deepcopy(spec)
    s["codec"] = "GZIP" if spec.get("codec") != "GZIP" else "UNCOMPRESSED"
    for c in s["columns"]:
        c.pop("codec", None)
    yield "wrong codec", s
    s = copy.deepcopy(spec)
    s["row_groups"] = s["row_groups"][:-1] + [s["row_groups"][-1] + 1]
    yield "wrong row-group size", s


CON = duckdb.connect()


def run(sidecar: Path) -> bool:
    """True when the verifier accepts the file against this sidecar."""
    return not verify_parquet.verify(sidecar, CON)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    # A file with every repetition, and one with logical types.
    picks = [out / "writer" / "all_columns.parquet.expect.json",
             out / "writer" / "per_column_codec.parquet.expect.json"]
    failures = checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        for sidecar in picks:
            spec = json.loads(sidecar.read_text())
            work = Path(tmp) / sidecar.parent.name
            work.mkdir(exist_ok=True)
            shutil.copy(sidecar.parent / spec["file"], work / spec["file"])
            target = work / sidecar.name
            target.write_text(json.dumps(spec))
            checks += 1
            if not run(target):
                print(f"FAIL intact sidecar {sidecar.name} did not verify")
                failures += 1
            for what, broken in mutations(spec):
                target.write_text(json.dumps(broken))
                checks += 1
                if run(target):
                    print(f"FAIL {sidecar.name}: verifier missed: {what}")
                    failures += 1
                else:
                    print(f"ok   {sidecar.name}: caught {what}")
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
