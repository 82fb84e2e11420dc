#!/usr/bin/env python3
"""Baseline for `wahana import`: a plain Python load of an exported groups CSV into SQLite.

csv.reader + sqlite3.executemany, one transaction, no validation at all: every cell goes in as
the text it is. The table has the file's columns (id as primary key, no other index). JOURNAL
is `default` (Python's sqlite3 as it comes: a rollback journal, synchronous=FULL, what `wahana
import` uses when it has the file to itself) or `wal` (WAL, synchronous=NORMAL: the settings of
a wahana database shared with a running server). Prints the seconds from opening the file to
the commit.

    python3 benches/python_load.py national.csv out.db [default|wal]
"""
import csv
import os
import sqlite3
import sys
import time


def main() -> None:
    src, db = sys.argv[1], sys.argv[2]
    journal = sys.argv[3] if len(sys.argv) > 3 else "default"
    if journal not in ("default", "wal"):
        sys.exit(f"journal must be default or wal, not {journal}")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    start = time.perf_counter()
    con = sqlite3.connect(db)
    if journal == "wal":
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
    with open(src, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        cols = ", ".join(f'"{h}" TEXT' + (" PRIMARY KEY" if h == "id" else "") for h in header)
        con.execute(f"CREATE TABLE groups ({cols})")
        marks = ", ".join("?" * len(header))
        with con:
            con.executemany(f"INSERT INTO groups VALUES ({marks})", rows)
    n = con.execute("SELECT COUNT(*) FROM groups").fetchone()[0]
    con.close()
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f} {n}")


if __name__ == "__main__":
    main()
