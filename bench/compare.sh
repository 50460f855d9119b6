#!/usr/bin/env bash
# Side-by-side benchmark: parquet_flow vs the arrow-rs `parquet` crate vs pyarrow, same payload
# bytes, same workloads, alternating, medians of --reps runs, plus the write-ceiling probe.
#   bench/compare.sh [--reps N] [--rows N] ...   (options go to bench/compare/compare.py)
# Results: build/compare/results.{md,json} and chart.png. Writes go to /dev/shm (tmpfs) so the
# figures measure the writers, not the disk.
#
#   bench/compare.sh --typed [--rows N] [--reps N] [--zstd-level L]
# Typed capture instead: 56-byte market-by-order records as one typed table, written by the
# sink end to end, by Writer::write_records, by pyarrow and by DuckDB (bench/compare/typed.py);
# bytes per record and MiB/s in build/compare/typed.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
make venv >/dev/null
build/venv/bin/pip install --quiet --disable-pip-version-check matplotlib numpy
cmake --preset release >/dev/null
cmake --build --preset release --target pf_bench
if [ "${1:-}" = "--typed" ]; then
  shift
  exec build/venv/bin/python bench/compare/typed.py --pf-bench build/release/bench/pf_bench --out build/compare "$@"
fi
cargo build --release --locked --manifest-path bench/compare/arrow_rs/Cargo.toml --target-dir build/compare-target
build/venv/bin/python bench/compare/compare.py \
  --pf-bench build/release/bench/pf_bench \
  --arrow-rs build/compare-target/release/arrow_rs_bench \
  --python build/venv/bin/python \
  --out build/compare "$@"
