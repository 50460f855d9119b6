#!/usr/bin/env python3
"""Queries an itch_capture output directory with DuckDB, as it is: the VWAP of every stock per
minute over the executions (priced by the add order they fill) and the trades.

    itch_query.py [OUTPUT_DIR] [--expect "add_order=N order_executed=N ..."] [--rows N]

With --expect (the first line itch_capture prints), it also checks that each table holds
exactly the messages the capture reported, and that every VWAP lies between the lowest and the
highest price it averages; it exits 1 otherwise.
"""

import argparse
import sys
from pathlib import Path

import duckdb

VWAP = """
WITH fills AS (
    SELECT trim(a.stock) AS stock, e."timestamp", a.price, e.executed_shares AS shares
    FROM read_parquet('{root}/order_executed/*.parquet') e
    JOIN read_parquet('{root}/add_order/*.parquet') a USING (order_ref)
    UNION ALL
    SELECT trim(stock), "timestamp", price, shares
    FROM read_parquet('{root}/trade/*.parquet')
)
SELECT stock,
       date_trunc('minute', DATE '2026-01-02' + "timestamp"::TIME)::TIME AS minute,
       round(sum(price * shares) / sum(shares), 4) AS vwap,
       sum(shares) AS volume,
       count(*) AS fills,
       min(price) AS low,
       max(price) AS high
FROM fills
GROUP BY ALL
ORDER BY stock, minute
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default="local_data/itch")
    parser.add_argument("--expect", help="itch_capture's first output line")
    parser.add_argument("--rows", type=int, default=10)
    args = parser.parse_args()
    root = Path(args.root).as_posix()
    query = VWAP.format(root=root)
    print(query.strip())
    con = duckdb.connect()
    rows = con.execute(query).fetchall()
    columns = [d[0] for d in con.description]
    print(" | ".join(columns))
    for row in rows[: args.rows]:
        print(" | ".join(str(v) for v in row))
    print(f"... {len(rows)} (stock, minute) rows")
    failed = 0
    if args.expect:
        expected = dict(part.split("=") for part in args.expect.split() if "=" in part)
        for table in ("add_order", "order_executed", "order_cancel", "order_delete", "trade"):
            count = con.execute(f"SELECT count(*) FROM read_parquet('{root}/{table}/*.parquet')").fetchone()[0]
            if count != int(expected[table]):
                print(f"FAIL {table}: {count} rows, the capture reported {expected[table]}")
                failed += 1
        bad = [r for r in rows if not (r[5] <= r[2] <= r[6])]
        if bad:
            print(f"FAIL {len(bad)} VWAPs outside their price range, e.g. {bad[0]}")
            failed += 1
        if not rows:
            print("FAIL the query returned nothing")
            failed += 1
        print("itch_query: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
