#!/usr/bin/env bash
# Sustained sink throughput without the disk: one paced producer, 256-byte records, a 64 MiB
# ring, output on tmpfs rotated every second, and each finished file deleted at once, so memory
# stays at a few files and neither the disk nor first-touch page allocation of a growing tmpfs
# file is measured. Prints one line per run: rate asked, achieved, accepted, dropped and the
# ring's high-water mark.
#
#   bench/sink_rate.sh [RATES] [REPS] [ROWS_PER_RUN_SECONDS]
#     RATES  comma-separated records/s (default 3000000,4000000,4500000)
#     REPS   runs per rate (default 3); SECONDS per run (default 5)
#
# BUILD_DIR selects the build (default build/release); PF_BENCH_FLAGS adds pf_bench flags, after
# the ones above so they may override them (PF_BENCH_FLAGS=--recv-ts: with receive timestamps;
# PF_BENCH_FLAGS="--mode typed --row-group-rows 131072": typed 56-byte market-by-order records).
set -euo pipefail
cd "$(dirname "$0")/.."
rates=${1:-3000000,4000000,4500000}
reps=${2:-3}
seconds=${3:-5}
bench=${BUILD_DIR:-build/release}/bench/pf_bench
[ -x "$bench" ] || { echo "sink_rate: build first ($bench missing)" >&2; exit 1; }
base=/dev/shm; [ -w "$base" ] || base=/tmp
dir=$(mktemp -d "$base/pf_sink_rate.XXXXXX")
stop="$dir/.stop"
cleanup() { touch "$stop"; sleep 0.3; rm -rf "$dir"; }
trap cleanup EXIT
# The deleter: finished files only (the open one is still .inprogress).
( while [ ! -e "$stop" ]; do find "$dir" -name '*.parquet' -delete 2>/dev/null || true; sleep 0.2; done ) &

for rep in $(seq "$reps"); do
  for rate in ${rates//,/ }; do
    # shellcheck disable=SC2086 # PF_BENCH_FLAGS is a list of flags
    out=$("$bench" --mode sink --producers 1 --row-size 256 --row-group-rows 16384 --ring-bytes 67108864 \
            --rows $((rate * seconds)) --rate "$rate" --rotate-seconds 1 --output "$dir/r-{seq}.parquet" ${PF_BENCH_FLAGS:-} 2>/dev/null)
    get() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" <<<"$out" | head -1; }
    printf 'rate=%s achieved=%.0f accepted=%s dropped=%s ring_high_water=%s seconds=%s\n' \
      "$rate" "$(get rows_per_sec)" "$(get accepted)" "$(get dropped)" "$(get ring_high_water)" "$(get seconds)"
  done
done
