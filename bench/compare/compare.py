#!/usr/bin/env python3
"""Side-by-side writer comparison, run by bench/compare.sh.

Runs parquet_flow (pf_bench), the arrow-rs `parquet` low-level writer and pyarrow on the same
payload bytes and workloads, alternating tools within each repetition, plus the write-ceiling
probe; prints medians, our ratio to each, and CPU seconds per GiB; writes results.json,
results.md and chart.png into the output directory.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The compressible market payload at the same codec and level for every writer, all PLAIN without
# dictionary or statistics (the other writers' settings below), file sizes beside speeds.
MARKET = [
    # name, codec, level
    ("market, zstd 1", "zstd", 1),
    ("market, zstd 3", "zstd", 3),
    ("market, gzip 6", "gzip", 6),
]

WORKLOADS = [
    # name, repetition, null_every, codec
    ("required, uncompressed", "required", 0, "uncompressed"),
    ("optional (null every 8), uncompressed", "optional", 8, "uncompressed"),
    ("required, gzip", "required", 0, "gzip"),
]


def parse(output: str) -> dict:
    values = {}
    for line in output.splitlines():
        for part in line.split():
            if "=" in part:
                key, value = part.split("=", 1)
                try:
                    values[key] = float(value)
                except ValueError:
                    values[key] = value
    return values


def run(cmd: list) -> dict:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{result.stderr}")
    return parse(result.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pf-bench", required=True)
    ap.add_argument("--arrow-rs", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scratch", default="/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--row-size", type=int, default=256)
    ap.add_argument("--row-group-rows", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(args.scratch) / f"pf_compare_{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    shape = [str(args.rows), str(args.row_size), str(args.row_group_rows)]

    payloads = {}
    for kind in ("seed", "market"):
        payloads[kind] = scratch / f"{kind}.bin"
        run([args.pf_bench, "--mode", "dump", "--payload", kind, "--rows", shape[0], "--row-size", shape[1],
             "--output", str(payloads[kind])])

    def tools(workload):
        _, rep, null_every, codec = workload
        target = str(scratch / "out.parquet")
        pf = [args.pf_bench, "--payload-file", str(payloads["seed"]), "--rows", shape[0], "--row-size", shape[1],
              "--row-group-rows", shape[2], "--repetition", rep, "--null-every", str(null_every),
              "--compression", codec, "--statistics", "none", "--encoding", "plain", "--output", target]
        common = [str(payloads["seed"]), target, *shape, rep, str(null_every), codec]
        return {
            # Each at its own default gzip level: parquet_flow 1, arrow-rs 6, Arrow C++ 9.
            "parquet_flow": pf,
            "arrow-rs": [args.arrow_rs, *common, "6"],
            "pyarrow": [args.python, str(here / "pyarrow_bench.py"), *common, "9"],
        }

    samples = {}  # (workload, tool) -> list of (payload MiB/s, cpu s per GiB)
    ceiling = []
    for rep in range(args.reps):
        for workload in WORKLOADS:
            for tool, cmd in tools(workload).items():
                r = run(cmd)
                payload_gib = args.rows * args.row_size / 2**30 * (7 / 8 if workload[2] == 8 else 1)
                samples.setdefault((workload[0], tool), []).append(
                    (r["payload_mib_per_sec"], r["cpu_seconds"] / payload_gib))
                (scratch / "out.parquet").unlink(missing_ok=True)
        r = run([args.pf_bench, "--mode", "ceiling", "--payload-file", str(payloads["seed"]), "--rows", shape[0],
                 "--row-size", shape[1], "--output", str(scratch / "ceiling.bin")])
        ceiling.append((r["payload_mib_per_sec"], r["cpu_seconds"] / (args.rows * args.row_size / 2**30)))
        (scratch / "ceiling.bin").unlink(missing_ok=True)
        print(f"repetition {rep + 1}/{args.reps} done", file=sys.stderr)

    # Every writer on the market payload at the same codec and level; parquet_flow also with its
    # compression on one thread. Half the rows: gzip 6 runs at tens of MiB/s on such data.
    same_rows = str(max(args.row_group_rows, args.rows // 2))
    same = {}  # (workload, tool) -> list of (payload MiB/s, file bytes)
    for rep in range(args.reps):
        for name, codec, level in MARKET:
            target = str(scratch / "out.parquet")
            common = [str(payloads["market"]), target, same_rows, shape[1], shape[2], "required", "0", codec, str(level)]
            pf = [args.pf_bench, "--payload-file", str(payloads["market"]), "--rows", same_rows, "--row-size",
                  shape[1], "--row-group-rows", shape[2], "--compression", codec,
                  f"--{codec}-level", str(level), "--statistics", "none", "--encoding", "plain", "--output", target]
            for tool, cmd in {
                "parquet_flow": pf,
                "parquet_flow, 1 thread": [*pf, "--compression-threads", "1"],
                "arrow-rs": [args.arrow_rs, *common],
                "pyarrow": [args.python, str(here / "pyarrow_bench.py"), *common],
            }.items():
                r = run(cmd)
                same.setdefault((name, tool), []).append((r["payload_mib_per_sec"], r["file_bytes"]))
                (scratch / "out.parquet").unlink(missing_ok=True)
        # The cost of statistics and the page index: parquet_flow, uncompressed, page-level
        # statistics against none (the seed payload: bounds on 256-byte values).
        for level in ("none", "page"):
            r = run([args.pf_bench, "--payload-file", str(payloads["seed"]), "--rows", shape[0], "--row-size", shape[1],
                     "--row-group-rows", shape[2], "--statistics", level, "--encoding", "plain",
                     "--output", str(scratch / "out.parquet")])
            same.setdefault(("statistics", level), []).append((r["payload_mib_per_sec"], r["file_bytes"]))
            (scratch / "out.parquet").unlink(missing_ok=True)
        print(f"market repetition {rep + 1}/{args.reps} done", file=sys.stderr)

    # GZIP on the market payload: ratio and speed at levels 1, 6, 9 against gzip(1) of the same
    # bytes; a quarter of the rows, since gzip -9 runs at a few MiB/s on such data.
    market = []
    market_rows = str(max(args.row_group_rows, args.rows // 4))
    raw = int(market_rows) * args.row_size
    with open(payloads["market"], "rb") as src, open(scratch / "market_part.bin", "wb") as dst:
        dst.write(src.read(raw))
    for level in (1, 6, 9):
        speeds, sizes, gz_speeds, gz_sizes = [], [], [], []
        for _ in range(max(1, args.reps // 2)):
            target = scratch / "market.parquet"
            r = run([args.pf_bench, "--payload-file", str(payloads["market"]), "--rows", market_rows, "--row-size",
                     shape[1], "--row-group-rows", shape[2], "--compression", "gzip", "--gzip-level", str(level),
                     "--output", str(target)])
            speeds.append(r["payload_mib_per_sec"])
            sizes.append(r["file_bytes"])
            target.unlink(missing_ok=True)
            start = time.perf_counter()
            with open(scratch / "market_part.bin", "rb") as src:
                gz = subprocess.run(["gzip", f"-{level}", "-c"], stdin=src, capture_output=True, check=True)
            gz_speeds.append(raw / 2**20 / (time.perf_counter() - start))
            gz_sizes.append(len(gz.stdout))
        market.append({"level": level, "parquet_flow_mib_s": statistics.median(speeds),
                       "parquet_flow_ratio": raw / statistics.median(sizes),
                       "gzip_mib_s": statistics.median(gz_speeds), "gzip_ratio": raw / statistics.median(gz_sizes)})
    for p in [*payloads.values(), scratch / "market_part.bin"]:
        p.unlink(missing_ok=True)
    scratch.rmdir()

    table = []
    for workload in WORKLOADS:
        row = {"workload": workload[0]}
        for tool in ("parquet_flow", "arrow-rs", "pyarrow"):
            s = samples[(workload[0], tool)]
            row[tool] = statistics.median(x for x, _ in s)
            row[tool + "_cpu_s_per_gib"] = statistics.median(c for _, c in s)
        row["vs_arrow_rs"] = row["parquet_flow"] / row["arrow-rs"]
        row["vs_pyarrow"] = row["parquet_flow"] / row["pyarrow"]
        row["cpu_vs_pyarrow"] = row["parquet_flow_cpu_s_per_gib"] / row["pyarrow_cpu_s_per_gib"]
        table.append(row)
    ceiling_mib = statistics.median(x for x, _ in ceiling)
    for row in table:
        row["vs_ceiling"] = row["parquet_flow"] / ceiling_mib

    market_tools = ("parquet_flow", "parquet_flow, 1 thread", "arrow-rs", "pyarrow")
    same_codec = []
    for name, _, _ in MARKET:
        row = {"workload": name}
        for tool in market_tools:
            row[tool] = statistics.median(x for x, _ in same[(name, tool)])
            row[tool + "_bytes"] = statistics.median(b for _, b in same[(name, tool)])
        row["vs_pyarrow"] = row["parquet_flow"] / row["pyarrow"]
        row["size_vs_pyarrow"] = row["parquet_flow_bytes"] / row["pyarrow_bytes"]
        same_codec.append(row)
    stats_none = statistics.median(x for x, _ in same[("statistics", "none")])
    stats_page = statistics.median(x for x, _ in same[("statistics", "page")])

    results = {"rows": args.rows, "row_size": args.row_size, "row_group_rows": args.row_group_rows,
               "reps": args.reps, "scratch": args.scratch, "table": table, "ceiling_mib_s": ceiling_mib,
               "ceiling_cpu_s_per_gib": statistics.median(c for _, c in ceiling), "market_gzip": market, "market_same_codec": same_codec,
               "market_same_codec_samples": {f"{w} | {t}": s for (w, t), s in same.items()},
               "statistics_cost": {"none_mib_s": stats_none, "page_mib_s": stats_page},
               "samples": {f"{w} | {t}": s for (w, t), s in samples.items()}}
    (out / "results.json").write_text(json.dumps(results, indent=2))

    lines = ["| workload | parquet_flow MiB/s | arrow-rs MiB/s | pyarrow MiB/s | vs arrow-rs | vs pyarrow "
             "| vs ceiling | CPU s/GiB ours / pyarrow / arrow-rs |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table:
        lines.append(f"| {r['workload']} | {r['parquet_flow']:.0f} | {r['arrow-rs']:.0f} | {r['pyarrow']:.0f} "
                     f"| {r['vs_arrow_rs']:.2f}x | {r['vs_pyarrow']:.2f}x | {r['vs_ceiling']:.2f}x "
                     f"| {r['parquet_flow_cpu_s_per_gib']:.2f} / {r['pyarrow_cpu_s_per_gib']:.2f} / "
                     f"{r['arrow-rs_cpu_s_per_gib']:.2f} |")
    lines.append(f"\nWrite ceiling (copy into a 1 MiB buffer + write(2), no Parquet): {ceiling_mib:.0f} MiB/s.\n")
    lines += ["| market payload, GZIP level | parquet_flow MiB/s | parquet_flow ratio | gzip MiB/s | gzip ratio |",
              "|---|---|---|---|---|"]
    for m in market:
        lines.append(f"| {m['level']} | {m['parquet_flow_mib_s']:.0f} | {m['parquet_flow_ratio']:.2f} "
                     f"| {m['gzip_mib_s']:.0f} | {m['gzip_ratio']:.2f} |")
    lines += [f"\nSame codec and level, market payload ({same_rows} rows): payload MiB/s, then file MB",
              "| workload | parquet_flow | parquet_flow, 1 thread | arrow-rs | pyarrow | vs pyarrow "
              "| MB: parquet_flow / 1 thread / arrow-rs / pyarrow | size vs pyarrow |",
              "|---|---|---|---|---|---|---|---|"]
    for r in same_codec:
        lines.append(f"| {r['workload']} | {r['parquet_flow']:.0f} | {r['parquet_flow, 1 thread']:.0f} "
                     f"| {r['arrow-rs']:.0f} | {r['pyarrow']:.0f} | {r['vs_pyarrow']:.2f}x "
                     f"| {r['parquet_flow_bytes'] / 1e6:.1f} / {r['parquet_flow, 1 thread_bytes'] / 1e6:.1f} / "
                     f"{r['arrow-rs_bytes'] / 1e6:.1f} / {r['pyarrow_bytes'] / 1e6:.1f} | {r['size_vs_pyarrow']:.3f}x |")
    lines.append(f"\nStatistics and page index, uncompressed seed payload: {stats_page:.0f} MiB/s with page "
                 f"statistics, {stats_none:.0f} without ({stats_page / stats_none - 1:+.1%}).")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no chart", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(9, 4.5))
    tools_ = ["parquet_flow", "arrow-rs", "pyarrow"]
    width = 0.25
    for i, tool in enumerate(tools_):
        ax.bar([x + (i - 1) * width for x in range(len(table))], [r[tool] for r in table], width, label=tool)
    ax.axhline(ceiling_mib, color="gray", linestyle="--", label=f"write ceiling ({ceiling_mib:.0f} MiB/s)")
    ax.set_xticks(range(len(table)), [r["workload"] for r in table], fontsize=8)
    ax.set_ylabel("payload MiB/s (median)")
    ax.set_title(f"{args.rows:,} rows x {args.row_size} B, row groups of {args.row_group_rows}, "
                 f"median of {args.reps}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "chart.png", dpi=110)


if __name__ == "__main__":
    main()
