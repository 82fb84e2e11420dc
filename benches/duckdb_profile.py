#!/usr/bin/env python3
"""The profile's measures computed by DuckDB, for comparison with `wahana profile` (BENCHMARKS.md).

Loads the groups CSV that `wahana export --table kelompok` writes into DuckDB tables once (not
timed), then times what wahana's profile gives — F1-F5 over the counted groups, the per-village
counts and shares, the density figures with the median, the per-type counts — for the whole
country and for one kecamatan. Each profile is one scan: `GROUP BY GROUPING SETS ((village),
(type), ())` into a temporary table, then the density figures over its village rows.

Two tables of the same rows are timed:
- raw: the instrument's columns, typed; the seed-2007 screening (the SQL of
  tests/independent_profile.py, whose results are checked against wahana's there) is computed in
  the query;
- prescreened: whether each group counts and each 0/1 measure materialised as columns at load
  time, the most favourable case for DuckDB (the analogue of wahana's kept tallies, except that
  it is not kept current by writes).

    python3 -m pip install duckdb
    python3 benches/duckdb_profile.py --csv kelompok.csv [--region 73.08.21] [--runs 7]

Prints one JSON object per case: median and minimum milliseconds of `runs` runs after a warm-up,
with the national numbers to compare with wahana's.
"""

import argparse
import json
import os
import statistics
import sys
import time

import duckdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from independent_profile import MEASURES, SCREENING_SQL  # noqa: E402


def profile_sql(source, measure):
    """One scan of `source`: per village, per type and overall, then the density figures."""
    sums = ", ".join(f"sum({measure(name)}) AS {name}" for name in MEASURES)
    return [
        f"""CREATE OR REPLACE TEMP TABLE result AS
            SELECT kode_wilayah, jenis, count(*) AS recorded, sum(CAST(counted AS INTEGER)) AS n, {sums}
            FROM {source} GROUP BY GROUPING SETS ((kode_wilayah), (jenis), ())""",
        """SELECT count(*) AS villages, sum(n) AS groups, avg(n) AS mean, median(n) AS median,
                  min(n) AS min, max(n) AS max, count(*) FILTER (WHERE n > 50) AS over_50
           FROM result WHERE kode_wilayah IS NOT NULL""",
        "SELECT * FROM result WHERE kode_wilayah IS NULL AND jenis IS NULL",
        "SELECT count(*) FROM result",
    ]


def run(con, statements):
    out = None
    for sql in statements:
        out = con.execute(sql).fetchall() if sql.lstrip().upper().startswith("SELECT") else con.execute(sql)
    return out


def timed(con, statements, runs):
    run(con, statements)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        run(con, statements)
        times.append((time.perf_counter() - t) * 1000)
    density = con.execute(statements[1]).fetchone()
    total = con.execute("SELECT recorded, n, older_10 FROM result WHERE kode_wilayah IS NULL AND jenis IS NULL").fetchone()
    return statistics.median(times), min(times), density, total


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
    con.execute(
        f"""CREATE TABLE groups AS SELECT * FROM read_csv('{a.csv}', all_varchar = true, header = true,
              delim = ',', quote = '"', escape = '"')"""
    )
    con.execute(SCREENING_SQL)
    measures = ", ".join(f"CAST(counted AND ({expr}) AS TINYINT) AS m_{name}" for name, expr in MEASURES.items())
    con.execute(
        f"CREATE TABLE prescreened AS SELECT kode_wilayah, jenis, counted, {measures} FROM screened ORDER BY kode_wilayah"
    )
    n = con.execute("SELECT count(*) FROM groups").fetchone()[0]
    load_s = time.perf_counter() - t
    raw_measure = lambda name: f"CAST(counted AND ({MEASURES[name]}) AS INTEGER)"
    pre_measure = lambda name: f"m_{name}"
    lo, hi = a.region, a.region + "/"
    where = f"WHERE kode_wilayah >= '{lo}' AND kode_wilayah < '{hi}'"
    cases = [
        ("national", "raw", "screened", raw_measure),
        ("national", "prescreened", "prescreened", pre_measure),
        (a.region, "raw", f"(SELECT * FROM screened {where})", raw_measure),
        (a.region, "prescreened", f"(SELECT * FROM prescreened {where})", pre_measure),
    ]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    for region, table, source, measure in cases:
        median, best, density, total = timed(con, profile_sql(source, measure), a.runs)
        print(json.dumps({
            "engine": f"duckdb {duckdb.__version__}",
            "threads": threads,
            "table": table,
            "region": region,
            "groups_in_table": n,
            "runs": a.runs,
            "median_ms": round(median, 2),
            "min_ms": round(best, 2),
            "recorded": total[0],
            "qualifying": int(total[1] or 0),
            "older_10": int(total[2] or 0),
            "f2_villages": density[0],
            "f2_mean": density[2],
            "f2_median": density[3],
            "load_s": round(load_s, 1),
        }))


if __name__ == "__main__":
    main()
