"""The blank template as openpyxl reads it: one header row, a drop-down list into the codebook
sheet `kode` on every single-valued coded column, an input message on the multi-valued ones,
the codebook with Indonesian and English labels; filled in with openpyxl and saved, it imports.

Usage: template_check.py WAHANA WORKDIR
"""

import json
import os
import subprocess
import sys

import openpyxl

wahana, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
db = os.path.join(work, "t.db")
path = os.path.join(work, "templat.xlsx")


def run(*args):
    return subprocess.run(
        [wahana, "--database", db, *args], check=True, capture_output=True, text=True
    ).stdout


run("instrument", "template", "--table", "kelompok", "--region", "73.08.21", "--out", path)
book = openpyxl.load_workbook(path)
assert book.sheetnames == ["kelompok", "kode"], book.sheetnames
data, kode = book["kelompok"], book["kode"]
header = [c.value for c in data[1]]
assert header[:5] == ["id", "kode_wilayah", "unit_lokal", "nama", "jenis"], header
assert data.max_row == 1, data.max_row

codebook = list(kode.iter_rows(values_only=True))
assert codebook[0] == ("kolom", "kode", "label_id", "label_en"), codebook[0]
columns = {r[0] for r in codebook[1:]}
assert {"jenis", "asal", "tujuan", "nilai", "status", "kode_wilayah"} <= columns, columns
assert ("jenis", "arisan", "Arisan", "Rotating savings group") in codebook
assert any(r[0] == "kode_wilayah" and r[1] == "73.08.21.1003" for r in codebook)

letter = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(header)}
by_column = {}
for dv in data.data_validations.dataValidation:
    for rng in str(dv.sqref).split():
        by_column[rng.split(":")[0].rstrip("0123456789")] = dv
multi = {"dasar_keanggotaan", "tujuan", "kegiatan", "sumber_dana", "nilai"}
single = {"jenis", "asal", "sumber_dana_utama", "iuran_periode", "frekuensi_pertemuan",
          "status_hukum", "status", "kode_wilayah"}
for name in single:
    dv = by_column[letter[name]]
    assert dv.type == "list", (name, dv.type)
    first, last = dv.formula1.split("!")[1].replace("$", "").split(":")
    listed = {kode[f"A{r}"].value for r in range(int(first[1:]), int(last[1:]) + 1)}
    assert listed == {name}, (name, listed)
for name in multi:
    dv = by_column[letter[name]]
    assert dv.type != "list" and dv.prompt, (name, dv.type, dv.prompt)
assert len(by_column) == len(single) + len(multi), sorted(by_column)

row = {"kode_wilayah": "73.08.21.1003", "nama": "Arisan Openpyxl", "jenis": "arisan",
       "asal": "tumbuh_masyarakat", "tahun_berdiri": "1999",
       "tujuan": "ketahanan_sosial ekonomi", "telepon": "081299990000",
       "tanggal_pendataan": "2026-02-01"}
for name, value in row.items():
    data[f"{letter[name]}2"] = value
filled = os.path.join(work, "terisi.xlsx")
book.save(filled)
report = json.loads(run("import", filled, "--json"))
assert report["committed"] and report["written"] == 1 and report["rejected"] == 0, report
print("template: validations, codebook and a filled-in import as expected")
