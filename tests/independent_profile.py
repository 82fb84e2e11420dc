#!/usr/bin/env python3
"""Checks `wahana profile` against an independent computation in DuckDB.

Loads the demonstration data into a fresh database, exports the region's groups as the
instrument's CSV (`wahana export`), takes wahana's profile as JSON (`wahana profile --format
json`), then recomputes from the CSV alone, in SQL, with no wahana code: the seed-2007 screening
rules (three-valued, as `rules/seed-2007.toml` says: an empty column makes a criterion "cannot be
judged"), F1-F5, the per-village and per-type counts, the density figures (median by DuckDB's
own `median`) and the coverage, and F2's mean with the region's villages without groups
counted as zero (the villages counted from the official list, `data/regions/villages.csv`).
Every count must be equal and every share equal to 1e-12.

    python3 -m pip install duckdb
    cargo build -p wahana
    python3 tests/independent_profile.py --wahana target/debug/wahana [--region 73.08.21]
        [--database postgres://...]   (a fresh, empty database; SQLite in a temporary
                                       directory when not given)

Exits non-zero, naming each difference, when they disagree.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import duckdb

TOL = 1e-12

# The seed-2007 rule set in SQL. SQL's AND/OR with NULL are the rule format's three-valued
# `all`/`any`: NULL is "cannot be judged". `present` on an empty column is NULL, never FALSE.
SCREENING_SQL = r"""
CREATE OR REPLACE TEMP VIEW screened AS
WITH t AS (
  SELECT *,
    ' ' || coalesce(dasar_keanggotaan, '') || ' ' AS basis_s,
    ' ' || coalesce(tujuan, '') || ' ' AS tujuan_s,
    ' ' || coalesce(sumber_dana, '') || ' ' AS dana_s,
    ' ' || coalesce(nilai, '') || ' ' AS nilai_s,
    CAST(substr(tanggal_pendataan, 1, 4) AS INTEGER) - CAST(tahun_berdiri AS INTEGER) AS umur,
    CASE WHEN coalesce(anggota_laki, '') = '' AND coalesce(anggota_perempuan, '') = '' THEN NULL
         ELSE coalesce(TRY_CAST(anggota_laki AS BIGINT), 0) + coalesce(TRY_CAST(anggota_perempuan AS BIGINT), 0)
    END AS members
  FROM groups
), c AS (
  SELECT *,
    -- C1: in a valid village (always: checked on entry), an association of people, origin known.
    (CASE WHEN members IS NULL THEN NULL ELSE members >= 1 END
       OR CASE WHEN coalesce(dasar_keanggotaan, '') = '' THEN NULL ELSE TRUE END)
      AND asal IN ('tumbuh_masyarakat', 'dibentuk_pemerintah', 'dibentuk_pihak_luar') AS c1,
    -- C2: a value recorded, and a purpose or an activity.
    CASE WHEN coalesce(nilai, '') = '' THEN NULL ELSE TRUE END
      AND (CASE WHEN coalesce(tujuan, '') = '' THEN NULL ELSE TRUE END
           OR CASE WHEN coalesce(kegiatan, '') = '' THEN NULL ELSE TRUE END) AS c2,
    -- X1: a cooperative or "other" whose only purpose is economic and only funds business income.
    jenis IN ('koperasi', 'lainnya')
      AND CASE WHEN coalesce(tujuan, '') = '' THEN NULL ELSE trim(tujuan) = 'ekonomi' END
      AND CASE WHEN coalesce(sumber_dana, '') = '' THEN NULL ELSE trim(sumber_dana) = 'hasil_usaha' END AS x1,
    -- X2, X3: "other" named as a party or a government office (whole words, any case).
    jenis = 'lainnya'
      AND regexp_matches(lower(nama), '(^|[^[:alnum:]])(partai|dpp|dpw|dpd|dpc)([^[:alnum:]]|$)') AS x2,
    jenis = 'lainnya'
      AND regexp_matches(lower(nama), '(^|[^[:alnum:]])(kantor|dinas|puskesmas|kua|koramil|polsek)([^[:alnum:]]|$)') AS x3
  FROM t
)
SELECT *,
  (c1 IS TRUE AND c2 IS TRUE AND x1 IS FALSE AND x2 IS FALSE AND x3 IS FALSE) AS qualifies,
  (c1 IS TRUE AND c2 IS TRUE AND x1 IS FALSE AND x2 IS FALSE AND x3 IS FALSE)
    AND status <> 'bubar' AS counted
FROM c
"""

# One row per counted group's measures (0/1), for sums.
MEASURES = {
    "older_10": "umur >= 10",
    "more_than_10": "umur > 10",
    "lt5": "umur < 5",
    "b5_9": "umur BETWEEN 5 AND 9",
    "b10_19": "umur BETWEEN 10 AND 19",
    "b20": "umur >= 20",
    "grown": "asal = 'tumbuh_masyarakat'",
    "government": "asal = 'dibentuk_pemerintah'",
    "outside": "asal = 'dibentuk_pihak_luar'",
    "domicile": "instr(basis_s, ' domisili ') > 0",
    "integration_or_resilience": "instr(tujuan_s, ' integrasi_masyarakat ') > 0 OR instr(tujuan_s, ' ketahanan_sosial ') > 0",
    "resilience_or_welfare": "instr(tujuan_s, ' ketahanan_sosial ') > 0 OR instr(tujuan_s, ' kesejahteraan_anggota ') > 0",
    "dues_any": "instr(dana_s, ' iuran_anggota ') > 0",
    "dues_main": "sumber_dana_utama = 'iuran_anggota'",
    "togetherness": "instr(nilai_s, ' kebersamaan ') > 0",
    "mutual_help": "instr(nilai_s, ' tolong_menolong ') > 0",
    "gotong_royong": "instr(nilai_s, ' gotong_royong ') > 0",
    "core_values": "instr(nilai_s, ' kebersamaan ') > 0 OR instr(nilai_s, ' tolong_menolong ') > 0 OR instr(nilai_s, ' gotong_royong ') > 0",
}


def sums(extra=""):
    return ", ".join(
        f"count(*) FILTER (WHERE counted AND ({expr})) AS {name}" for name, expr in MEASURES.items()
    ) + extra


def profile_queries(source="screened"):
    """The SQL of the profile's measures over `source` (the `screened` view, or a query over it
    restricted to a region)."""
    return {
        "total": f"SELECT count(*) AS recorded, count(*) FILTER (WHERE counted) AS n, {sums()} FROM {source}",
        "villages": f"""SELECT kode_wilayah AS code, count(*) AS recorded, count(*) FILTER (WHERE counted) AS n, {sums()}
                        FROM {source} GROUP BY kode_wilayah ORDER BY kode_wilayah""",
        "density": f"""SELECT count(*) AS villages, sum(n) AS groups, avg(n) AS mean, median(n) AS median,
                              min(n) AS min, max(n) AS max, count(*) FILTER (WHERE n > 50) AS over_50
                       FROM (SELECT kode_wilayah, count(*) FILTER (WHERE counted) AS n FROM {source} GROUP BY kode_wilayah)""",
        "types": f"""SELECT jenis, count(*) FILTER (WHERE counted) AS n, {sums()} FROM {source} GROUP BY jenis
                    HAVING count(*) FILTER (WHERE counted) > 0 ORDER BY jenis""",
    }


def load(con, csv_path):
    con.execute(
        f"""CREATE OR REPLACE TABLE groups AS SELECT * FROM read_csv('{csv_path}', all_varchar = true,
              header = true, delim = ',', quote = '"', escape = '"')"""
    )
    con.execute(SCREENING_SQL)


def compute(con, source="screened"):
    q = profile_queries(source)
    out = {}
    for k, sql in q.items():
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        out[k] = [dict(zip(cols, row)) for row in cur.fetchall()]
    return out


def run(wahana, db, *args):
    cmd = [wahana, "--database", db, *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
    return r.stdout


# Groups added to the demonstration data so that every rule and boundary is exercised: each
# exclusion, exclusions and criteria that cannot be judged, zero members, exactly 10 years old,
# a dissolved group, activities without purposes.
EDGE_CASES = [
    ("73.08.21.1001", "DPC Partai Maju", "lainnya", ["anggota_laki=12", "tujuan=keamanan", "nilai=musyawarah"]),
    ("73.08.21.1002", "Kantor Lurah Ta", "lainnya", ["anggota_laki=5", "tujuan=keamanan", "nilai=musyawarah"]),
    ("73.08.21.1003", "Koperasi Laba", "koperasi", ["anggota_laki=20", "tujuan=ekonomi", "sumber_dana=hasil_usaha", "nilai=kebersamaan"]),
    ("73.08.21.1003", "Koperasi Tanpa Dana", "koperasi", ["anggota_laki=20", "tujuan=ekonomi", "nilai=kebersamaan"]),
    ("73.08.21.1004", "Arisan Tanpa Anggota", "arisan", ["tujuan=kesejahteraan_anggota", "nilai=kebersamaan"]),
    ("73.08.21.1004", "Arisan Nol", "arisan", ["anggota_laki=0", "anggota_perempuan=0", "tujuan=kesejahteraan_anggota", "nilai=gotong_royong"]),
    ("73.08.21.1005", "Rukun Sepuluh Tahun", "rukun_kematian", ["anggota_laki=30", "dasar_keanggotaan=domisili", "tujuan=kesejahteraan_anggota", "sumber_dana=iuran_anggota", "sumber_dana_utama=iuran_anggota", "nilai=tolong_menolong"]),
    ("73.08.21.1005", "Arisan Bubar", "arisan", ["anggota_laki=30", "status=bubar", "tujuan=kesejahteraan_anggota", "nilai=gotong_royong"]),
    ("73.08.21.1006", "Ronda Kegiatan", "kelompok_ronda", ["anggota_laki=15", "kegiatan=ronda", "nilai=gotong_royong"]),
]


def add_edge_cases(wahana, db, wave):
    for village, name, kind, sets in EDGE_CASES:
        args = ["groups", "add", "--region", village, "--name", name, "--type", kind,
                "--origin", "tumbuh_masyarakat", "--founded", "1997", "--survey-date", "2007-08-20",
                "--wave", wave, "--allow-duplicate"]
        for kv in sets:
            args += ["--set", kv]
        run(wahana, db, *args)


REGIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "regions", "villages.csv")


def villages_in(con, region):
    """The region's villages in the official list, counted by DuckDB from the CSV."""
    return con.execute(
        f"SELECT count(*) FROM read_csv('{REGIONS}', all_varchar = true, header = true) "
        "WHERE code = ? OR starts_with(code, ? || '.')",
        [region, region],
    ).fetchone()[0]


def compare(p, got):
    errors = []

    def expect(what, have, want):
        ok = abs(have - want) <= TOL if isinstance(want, float) or isinstance(have, float) else have == want
        if not ok:
            errors.append(f"{what}: wahana {have!r}, DuckDB {want!r}")

    t = got["total"][0]
    n = t["n"]
    share = lambda k: (t[k] / n) if n else 0.0
    expect("groups_recorded", p["groups_recorded"], t["recorded"])
    expect("groups_qualifying", p["groups_qualifying"], n)
    expect("f1.share_older_10", p["f1"]["share_older_10"], share("older_10"))
    expect("f1.share_more_than_10", p["f1"]["share_more_than_10"], share("more_than_10"))
    for k, key in [("lt5", "lt5"), ("b5_9", "5_9"), ("b10_19", "10_19"), ("b20", "20_plus")]:
        expect(f"f1.age_bands.{key}", p["f1"]["age_bands"][key], t[k])
    d = got["density"][0]
    expect("f2.villages", p["f2"]["villages"], d["villages"])
    expect("f2.groups", p["f2"]["groups"], int(d["groups"] or 0))
    expect("f2.mean", p["f2"]["mean"], float(d["mean"] or 0.0))
    expect("f2.median", p["f2"]["median"], float(d["median"] or 0.0))
    expect("f2.min", p["f2"]["min"], int(d["min"] or 0))
    expect("f2.max", p["f2"]["max"], int(d["max"] or 0))
    expect("f2.villages_over_50", p["f2"]["villages_over_50"], d["over_50"])
    expect("f2.holds", p["f2"]["holds"], n > 0 and float(d["mean"] or 0) > 50)
    # The mean over every village of the region, those without a recorded group as zeros.
    all_villages = got["villages_in_region"]
    expect("coverage.villages_in_region", p["coverage"]["villages_in_region"], all_villages)
    expect("f2.villages_in_region", p["f2"]["villages_in_region"], all_villages)
    expect("f2.mean_all_villages", p["f2"]["mean_all_villages"],
           (int(d["groups"] or 0) / all_villages) if all_villages else 0.0)
    expect("coverage.partial", p["coverage"]["partial"], 0 < d["villages"] < all_villages)
    expect("f4.share_integration_or_resilience", p["f4"]["share_integration_or_resilience"], share("integration_or_resilience"))
    expect("f3.share_grown_from_community", p["f3"]["share_grown_from_community"], share("grown"))
    expect("f3.share_formed_by_government", p["f3"]["share_formed_by_government"], share("government"))
    expect("f3.share_formed_by_outside_party", p["f3"]["share_formed_by_outside_party"], share("outside"))
    expect("f3.share_domicile", p["f3"]["share_domicile"], share("domicile"))
    expect("f3.share_integration_or_resilience", p["f3"]["share_integration_or_resilience"], share("integration_or_resilience"))
    expect("f4.share_resilience_or_welfare", p["f4"]["share_resilience_or_welfare"], share("resilience_or_welfare"))
    expect("f4.share_dues_any", p["f4"]["share_dues_any"], share("dues_any"))
    expect("f4.share_dues_main", p["f4"]["share_dues_main"], share("dues_main"))
    expect("f5.share_any", p["f5"]["share_any"], share("core_values"))
    expect("f5.share_togetherness", p["f5"]["share_togetherness"], share("togetherness"))
    expect("f5.share_mutual_help", p["f5"]["share_mutual_help"], share("mutual_help"))
    expect("f5.share_gotong_royong", p["f5"]["share_gotong_royong"], share("gotong_royong"))
    holds = {
        "f1": share("older_10") > 0.5,
        "f3": share("grown") > 0.5 and share("domicile") > 0.5,
        "f4": share("resilience_or_welfare") > 0.5 and share("dues_any") > 0.5,
        "f5": share("core_values") > 0.5,
    }
    for f, h in holds.items():
        expect(f"{f}.holds", p[f]["holds"], n > 0 and h)

    villages = {v["code"]: v for v in p["by_village"]}
    expect("by_village: villages", sorted(villages), [v["code"] for v in got["villages"]])
    for v in got["villages"]:
        w = villages.get(v["code"])
        if w is None:
            continue
        m = v["n"]
        vs = lambda k: (v[k] / m) if m else 0.0
        expect(f"{v['code']}.recorded", w["recorded"], v["recorded"])
        expect(f"{v['code']}.groups", w["groups"], m)
        for key, k in [("share_older_10", "older_10"), ("share_grown_from_community", "grown"),
                       ("share_domicile", "domicile"), ("share_resilience_or_welfare", "resilience_or_welfare"),
                       ("share_dues_any", "dues_any"), ("share_core_values", "core_values")]:
            expect(f"{v['code']}.{key}", w[key], vs(k))
    types = {t["code"]: t["groups"] for t in p["by_type"]}
    expect("by_type", types, {t["jenis"]: t["n"] for t in got["types"]})
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wahana", default="target/debug/wahana")
    ap.add_argument("--region", default="73.08.21")
    ap.add_argument("--database", help="a fresh database URL (default: SQLite in a temporary directory)")
    a = ap.parse_args()
    wahana = os.path.abspath(a.wahana)
    with tempfile.TemporaryDirectory() as tmp:
        db = a.database or os.path.join(tmp, "wahana.db")
        run(wahana, db, "demo")
        add_edge_cases(wahana, db, "demo-2007-sintetis")
        profile = json.loads(run(wahana, db, "profile", "--region", a.region, "--format", "json"))
        wave = profile["wave"]["id"]
        csv_path = os.path.join(tmp, "kelompok.csv")
        run(wahana, db, "export", "--table", "kelompok", "--region", a.region, "--wave", wave, "--out", csv_path)
        con = duckdb.connect()
        load(con, csv_path)
        got = compute(con)
        got["villages_in_region"] = villages_in(con, a.region)
        outcomes = dict(con.execute(
            "SELECT CASE WHEN qualifies THEN 'memenuhi' WHEN c1 IS FALSE OR c2 IS FALSE OR x1 OR x2 OR x3 "
            "THEN 'tidak_memenuhi' ELSE 'belum_lengkap' END AS o, count(*) FROM screened GROUP BY o").fetchall())
        screen = json.loads(run(wahana, db, "screen", "--region", a.region, "--format", "json", "--limit", "0"))
    errors = compare(profile, got)
    if a.region == "73.08.21":
        # The edge cases must land where the rules say: 3 excluded, 3 incomplete (plus the
        # demonstration's own incomplete one).
        s = screen["summary"]
        for k, mine in [("qualifies", "memenuhi"), ("does_not_qualify", "tidak_memenuhi"), ("incomplete", "belum_lengkap")]:
            if s[k] != outcomes.get(mine, 0):
                errors.append(f"screen summary {k}: wahana {s[k]}, DuckDB {outcomes.get(mine, 0)}")
        if outcomes.get("tidak_memenuhi", 0) < 3 or outcomes.get("belum_lengkap", 0) < 3:
            errors.append(f"the edge cases did not land as expected: {outcomes}")
    checked = f"region {a.region}, wave {wave}: {profile['groups_recorded']} groups, {len(profile['by_village'])} villages"
    if errors:
        print(f"wahana and DuckDB disagree ({checked}):")
        for e in errors:
            print("  " + e)
        print(f"0 passed, {len(errors)} failed")
        sys.exit(1)
    print(f"wahana's profile equals DuckDB's independent computation ({checked})")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
