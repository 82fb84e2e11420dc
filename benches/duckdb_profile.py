#!/usr/bin/env python3
"""The profile's measures computed by DuckDB, for comparison with `wahana profile` (BENCHMARKS.md).

Loads the groups CSV that `wahana export --table kelompok` writes into a DuckDB table once (not
timed), then times the same measures wahana's profile gives — F1-F5 over the counted groups, the
per-village counts and shares, the density figures with the median, the per-type counts — for the
whole country and for one kecamatan, with the SQL of tests/independent_profile.py (whose results
are checked against wahana's there). Two DuckDB tables are timed:

- raw: the instrument's columns as typed values; the seed-2007 screening is part of each query;
- prescreened: the outcome and every 0/1 measure materialised as columns when loading, which is
  the most favourable case for DuckDB (the analogue of wahana's kept tallies).

    python3 -m pip install duckdb
    python3 benches/duckdb_profile.py --csv kelompok.csv [--region 73.08.21] [--runs 7]

Prints one JSON object per case: median and minimum milliseconds of `runs` runs after a warm-up.
"""

import argparse
import json
import os
import statistics
import sys
import time

import duckdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from independent_profile import MEASURES, SCREENING_SQL, profile_queries  # noqa: E402


def timed(con, queries, runs):
    for sql in queries.values():
        con.execute(sql).fetchall()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        rows = 0
        for sql in queries.values():
            rows += len(con.execute(sql).fetchall())
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times), rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--region", default="73.08.21")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    a = ap.parse_args()
    con = duckdb.connect()
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    t = time.perf_counter()
    # Typed columns: numbers as numbers, codes as text (multi-code cells keep their spaces).
    con.execute(
        f"""CREATE TABLE groups AS SELECT * REPLACE (
              CAST(tahun_berdiri AS INTEGER) AS tahun_berdiri)
            FROM read_csv('{a.csv}', all_varchar = true, header = true, delim = ',', quote = '"', escape = '"')"""
    )
    con.execute(SCREENING_SQL.replace("CAST(tahun_berdiri AS INTEGER)", "tahun_berdiri"))
    n = con.execute("SELECT count(*) FROM groups").fetchone()[0]
    measures = ", ".join(f"({expr}) AS m_{name}" for name, expr in MEASURES.items())
    con.execute(
        f"""CREATE TABLE prescreened AS SELECT kode_wilayah, jenis, counted, basis_s, tujuan_s, dana_s,
              nilai_s, umur, asal, sumber_dana_utama, {measures} FROM screened"""
    )
    load_s = time.perf_counter() - t
    lo, hi = a.region, a.region + "/"
    cases = [
        ("national", "raw", "screened"),
        ("national", "prescreened", "prescreened"),
        (a.region, "raw", f"(SELECT * FROM screened WHERE kode_wilayah >= '{lo}' AND kode_wilayah < '{hi}')"),
        (a.region, "prescreened", f"(SELECT * FROM prescreened WHERE kode_wilayah >= '{lo}' AND kode_wilayah < '{hi}')"),
    ]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    for region, table, source in cases:
        median, best, rows = timed(con, profile_queries(source), a.runs)
        print(json.dumps({
            "engine": f"duckdb {duckdb.__version__}",
            "threads": threads,
            "table": table,
            "region": region,
            "groups_in_table": n,
            "result_rows": rows,
            "runs": a.runs,
            "median_ms": round(median, 2),
            "min_ms": round(best, 2),
            "load_s": round(load_s, 1),
        }))


if __name__ == "__main__":
    main()
