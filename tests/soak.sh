#!/usr/bin/env bash
# Soak: a long sink run (default 10 minutes) through pf_bench with 4 paced producers and file
# rotation every few seconds. Every second it samples the process's RSS and open file
# descriptors; as files are finished it checks each with pyarrow (full read) and deletes it, so
# the disk never fills. Passes when RSS stays flat (last-minute peak within 10% of the first
# minute's), the descriptor count does not grow, every file was valid, and the rows in the files
# equal the records the sink accepted. Not part of ctest: run it by hand, e.g.
#
#   tests/soak.sh [SECONDS] [RATE]        (defaults: 600 s, 200000 records/s of 256 bytes)
#
# Environment: BUILD_DIR (default build/release), PYTHON (default build/venv/bin/python),
# SOAK_DIR (default: a fresh directory under /dev/shm, else /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
rate=${2:-200000}
build=${BUILD_DIR:-build/release}
python=${PYTHON:-build/venv/bin/python}
bench="$build/bench/pf_bench"
[ -x "$bench" ] || { echo "soak: build first ($bench missing)" >&2; exit 1; }
base=/dev/shm; [ -w "$base" ] || base=/tmp
dir=${SOAK_DIR:-$(mktemp -d "$base/pf_soak.XXXXXX")}
mkdir -p "$dir/files"
rows=$((seconds * rate))

"$bench" --mode sink --producers 4 --rows "$rows" --rate "$rate" --row-size 256 --row-group-rows 16384 \
  --rotate-seconds 3 --output "$dir/files/soak-{seq}.parquet" >"$dir/bench.out" 2>"$dir/bench.err" &
pid=$!

"$python" - "$pid" "$dir" <<'PY'
import os, sys, time
import pyarrow.parquet as pq
pid, root = int(sys.argv[1]), sys.argv[2]
files_dir = os.path.join(root, "files")
samples, checked, rows, bad = [], 0, 0, []

def check_new_files():
    global checked, rows
    for name in sorted(os.listdir(files_dir)):
        if not name.endswith(".parquet"):
            continue  # .inprogress: still being written
        path = os.path.join(files_dir, name)
        try:
            table = pq.read_table(path)
            if table.column("payload").null_count:
                raise ValueError("null payload")
            rows += table.num_rows
        except Exception as e:  # noqa: BLE001 - report any reader failure
            bad.append(f"{name}: {e}")
        checked += 1
        os.unlink(path)

start = time.time()
while True:
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        break
    samples.append((time.time() - start, rss, fds))
    check_new_files()
    time.sleep(1)
time.sleep(0.5)
check_new_files()
with open(os.path.join(root, "samples.tsv"), "w") as f:
    f.write("seconds\trss_kib\tfds\n")
    for t, rss, fds in samples:
        f.write(f"{t:.1f}\t{rss}\t{fds}\n")
with open(os.path.join(root, "files.txt"), "w") as f:
    f.write(f"files={checked} rows={rows} bad={len(bad)}\n")
    f.writelines(b + "\n" for b in bad)
PY
wait "$pid"
cat "$dir/bench.out"
read -r files_line <"$dir/files.txt"
echo "checked: $files_line"
"$python" - "$dir" <<'PY'
import sys
root = sys.argv[1]
out = dict(kv.split("=", 1) for line in open(f"{root}/bench.out") for kv in line.split() if "=" in kv)
files = dict(kv.split("=", 1) for kv in open(f"{root}/files.txt").readline().split())
rows = [l.split("\t") for l in open(f"{root}/samples.tsv").read().splitlines()[1:]]
rss = [int(r[1]) for r in rows]
fds = [int(r[2]) for r in rows]
first, last = rss[: min(60, len(rss))], rss[-min(60, len(rss)):]
growth = max(last) / max(first) - 1
print(f"samples={len(rss)} rss_kib first_minute_peak={max(first)} last_minute_peak={max(last)} "
      f"growth={growth * 100:.1f}% fds min={min(fds)} max={max(fds)} first={fds[0]} last={fds[-1]}")
failures = []
if growth > 0.10:
    failures.append("RSS grew more than 10%")
if max(fds[len(fds) // 2:]) > max(fds[: len(fds) // 2]) + 1:
    failures.append("file descriptors grew")
if int(files["bad"]) != 0:
    failures.append(f"{files['bad']} invalid files")
if int(files["rows"]) != int(out["accepted"]):
    failures.append(f"rows in files {files['rows']} != accepted {out['accepted']}")
if int(out.get("rows_lost", 0)) or int(out.get("io_errors", 0)):
    failures.append("the sink reported lost rows or I/O errors")
print("soak: " + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
sys.exit(1 if failures else 0)
PY
status=$?
echo "soak data: $dir"
exit $status
