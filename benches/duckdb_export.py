#!/usr/bin/env python3
"""Baseline for `wahana export`: DuckDB's `COPY table TO 'file.csv'` of the same rows.

The exported groups CSV is loaded into an in-memory DuckDB table once (not timed; column types
detected from the file), then `COPY groups TO OUT (HEADER)` is timed RUNS times, the output
file removed before each. DuckDB uses every core (2 here). Prints one line per run: seconds and
rows.

    pip install duckdb
    python3 benches/duckdb_export.py national.csv out.csv [RUNS]
"""
import os
import sys
import time

import duckdb


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE groups AS SELECT * FROM read_csv('{src}', header = true, "
        "quote = '\"', escape = '\"', sample_size = -1)"
    )
    n = con.execute("SELECT COUNT(*) FROM groups").fetchone()[0]
    for _ in range(runs):
        if os.path.exists(out):
            os.remove(out)
        start = time.perf_counter()
        con.execute(f"COPY groups TO '{out}' (HEADER, DELIMITER ',')")
        print(f"{time.perf_counter() - start:.3f} {n}", flush=True)


if __name__ == "__main__":
    main()
