#!/usr/bin/env python3
"""pyarrow (Arrow C++) on a payload file written by `pf_bench --mode dump`.

    pyarrow_bench.py PAYLOAD OUTPUT ROWS ROW_SIZE ROW_GROUP_ROWS required|optional NULL_EVERY
                     uncompressed|gzip|zstd LEVEL

Settings match parquet_flow's output: PLAIN, no dictionary, no statistics, v1 data pages.
The Arrow table is built before timing; the write is timed. Prints pf_bench's lines.
"""

import sys
import time
from array import array
from pathlib import Path

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq


def main(argv):
    if len(argv) != 10:
        print(__doc__, file=sys.stderr)
        return 2
    payload_path, output = argv[1], argv[2]
    rows, row_size, group_rows, null_every = (int(argv[i]) for i in (3, 4, 5, 7))
    optional = argv[6] == "optional"
    codec, level = argv[8], int(argv[9])
    data = Path(payload_path).read_bytes()[: rows * row_size]

    if optional and null_every:
        present = [r % null_every != 0 for r in range(rows)]
        packed = b"".join(data[r * row_size:(r + 1) * row_size] for r in range(rows) if present[r])
        offsets = array("i", [0])
        total = 0
        for p in present:
            total += row_size if p else 0
            offsets.append(total)
        mask = pa.array([not p for p in present])
        values = pa.Array.from_buffers(pa.binary(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(packed)])
        column = pa.compute.if_else(mask, pa.scalar(None, pa.binary()), values)
        payload_bytes = len(packed)
    else:
        offsets = array("i", range(0, rows * row_size + 1, row_size))
        column = pa.Array.from_buffers(pa.binary(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
        payload_bytes = len(data)
    field = pa.field("payload", pa.binary(), nullable=optional)
    table = pa.Table.from_arrays([column], schema=pa.schema([field]))

    cpu_start = time.process_time()
    start = time.perf_counter()
    pq.write_table(
        table, output, row_group_size=group_rows, use_dictionary=False, write_statistics=False,
        compression={"gzip": "GZIP", "zstd": "ZSTD"}.get(codec, "NONE"),
        compression_level=level if codec in ("gzip", "zstd") else None, data_page_version="1.0")
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    file_bytes = Path(output).stat().st_size
    mib = 1024 * 1024
    print(f"rows_per_sec={rows / seconds:.2f}")
    print(f"payload_mib_per_sec={payload_bytes / mib / seconds:.2f}")
    print(f"file_mib_per_sec={file_bytes / mib / seconds:.2f}")
    print(f"file_bytes={file_bytes}")
    print(f"cpu_seconds={cpu_seconds:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
