#!/usr/bin/env python3
"""Reads an XLSX written by `wahana export --format xlsx` with openpyxl (a library wahana does not
use) and checks that every cell equals the same export as CSV.

Usage: tests/openpyxl_check.py EXPORT.xlsx EXPORT.csv
Numbers come back from openpyxl as int/float and dates as datetime; they are compared by value.
"""

import csv
import datetime
import sys

import openpyxl


def same(xlsx_value, csv_text):
    if xlsx_value is None:
        return csv_text == ""
    if isinstance(xlsx_value, datetime.datetime):
        return xlsx_value.date().isoformat() == csv_text
    if isinstance(xlsx_value, (int, float)) and not isinstance(xlsx_value, bool):
        try:
            return float(csv_text) == float(xlsx_value)
        except ValueError:
            return False
    return str(xlsx_value) == csv_text


def main():
    xlsx_path, csv_path = sys.argv[1], sys.argv[2]
    sheet = openpyxl.load_workbook(xlsx_path, read_only=True).worksheets[0]
    with open(csv_path, newline="", encoding="utf-8") as f:
        expected = list(csv.reader(f))
    got = [list(row) for row in sheet.iter_rows(values_only=True)]
    if len(got) != len(expected):
        sys.exit(f"{len(got)} rows in the XLSX, {len(expected)} in the CSV")
    bad = 0
    for r, (xr, cr) in enumerate(zip(got, expected), start=1):
        xr = xr + [None] * (len(cr) - len(xr))
        for c, (xv, cv) in enumerate(zip(xr, cr)):
            if not same(xv, cv):
                bad += 1
                if bad <= 10:
                    print(f"row {r}, column {c + 1}: xlsx {xv!r} != csv {cv!r}")
    if bad:
        sys.exit(f"{bad} cells differ")
    print(f"openpyxl read {len(got)} rows x {len(expected[0])} columns: all equal to the CSV")


if __name__ == "__main__":
    main()
