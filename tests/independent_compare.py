#!/usr/bin/env python3
"""Checks `wahana compare` against an independent computation in DuckDB.

Loads the demonstration data into a fresh database, writes a second wave of the region from
its export (rows kept with their id, dissolved, without an id and retyped, missing, new ones),
imports it with `wahana import`, accepts one of the links the import proposed for review (when
there is one), records a merge by hand (`wahana waves link --kind merged`: two earlier groups
not found again became one new group), and takes `wahana compare --format json`. Then recomputes, in SQL over the
database's own tables (`groups`: one observation per group and wave; `links`: how a later
observation was tied to an earlier group) with no wahana code, every group's fate and link,
the counts by fate overall, per village and per group type, the survival rate and the groups
dissolved before. The findings are checked against two `wahana profile --format json` runs:
every number of `findings` must be `{"from": profile(W1), "to": profile(W2), "change": to -
from}`.

The tables are read by DuckDB's sqlite (or postgres) extension when it can be loaded; where it
cannot (no network to fetch it), they are copied out with Python's sqlite3 module (or psql)
and loaded into DuckDB, and the SQL is the same.

    python3 -m pip install duckdb
    cargo build -p wahana
    python3 tests/independent_compare.py --wahana target/debug/wahana [--region 73.08.21]
        [--database postgres://...]   (a fresh, empty database; SQLite in a temporary
                                       directory when not given)

Exits non-zero, naming each difference, when they disagree.
"""

import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

import duckdb

TOL = 1e-12
W1 = "demo-2007-sintetis"
W2_NAME = "Pemutakhiran Uji"
W2 = "pemutakhiran-uji"
GROUP_COLUMNS = ["id", "wave_id", "village_code", "name", "group_type", "status"]
LINK_COLUMNS = ["wave_id", "from_id", "to_id", "kind", "method", "score"]


def run(wahana, db, *args):
    cmd = [wahana, "--database", db, *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def retype(name, rng):
    """A name as a field team might type it again."""
    kind = rng.randrange(4)
    if kind == 0:
        return name.upper()
    if kind == 1:
        return name.replace("Kelompok", "Kel.").replace("Majelis", "Mjl.")
    if kind == 2 and len(name) > 6:
        i = rng.randrange(2, len(name) - 1)
        return name[:i] + name[i + 1:]
    return "  " + name.lower() + " "


def write_second_wave(w1_csv, out_csv, seed):
    """The second wave from the first's export: a fixed mix of fates, deterministic per seed."""
    rng = random.Random(seed)
    with open(w1_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0].keys())
    out = []
    for r in rows:
        r = dict(r, tanggal_pendataan="2026-08-20", wahana="")
        x = rng.random()
        if x < 0.15:
            continue  # not found again
        if x < 0.22:
            r["status"] = "bubar"  # with its id, dissolved
        elif x < 0.60:
            pass  # with its id
        elif x < 0.85:
            r["id"] = ""  # without its id, the name as it was
        else:
            r["id"] = ""
            r["nama"] = retype(r["nama"], rng)
        out.append(r)
    for i, r in enumerate(rng.sample(rows, max(3, len(rows) // 10))):
        out.append(dict(r, id="", nama=f"Kelompok Baru Uji {i + 1}", tahun_berdiri="2024",
                        tanggal_pendataan="2026-08-20", wahana="", status="aktif"))
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(out)
    return len(out)


def load_tables(con, db, tmp):
    """`g` and `l` in DuckDB: the database's groups and links tables, as held. Returns how."""
    sel_g = f"SELECT {', '.join(GROUP_COLUMNS)} FROM groups"
    sel_l = f"SELECT {', '.join(LINK_COLUMNS)} FROM links"
    postgres = db.startswith("postgres://") or db.startswith("postgresql://")
    ext = "postgres" if postgres else "sqlite"
    try:
        con.execute(f"INSTALL {ext}")
        con.execute(f"LOAD {ext}")
        con.execute(f"ATTACH '{db}' AS src (TYPE {ext}, READ_ONLY)")
        con.execute(f"CREATE TABLE g AS {sel_g.replace('FROM groups', 'FROM src.groups')}")
        con.execute(f"CREATE TABLE l AS {sel_l.replace('FROM links', 'FROM src.links')}")
        return f"DuckDB's {ext} extension"
    except duckdb.Error as e:
        note = str(e).splitlines()[0]
    con.execute("CREATE OR REPLACE TABLE g (id VARCHAR, wave_id VARCHAR, village_code VARCHAR, "
                "name VARCHAR, group_type VARCHAR, status VARCHAR)")
    con.execute("CREATE OR REPLACE TABLE l (wave_id VARCHAR, from_id VARCHAR, to_id VARCHAR, "
                "kind VARCHAR, method VARCHAR, score DOUBLE)")
    if postgres:
        for table, sel in [("g", sel_g), ("l", sel_l)]:
            path = os.path.join(tmp, f"{table}.csv")
            r = subprocess.run(["psql", db, "-v", "ON_ERROR_STOP=1", "-c",
                                f"\\copy ({sel}) TO '{path}' WITH CSV HEADER"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"psql could not copy {table}: {r.stderr}")
            con.execute(f"INSERT INTO {table} SELECT * FROM read_csv('{path}', header = true, "
                        f"all_varchar = true, quote = '\"', escape = '\"')"
                        if table == "g" else
                        f"INSERT INTO l SELECT wave_id, from_id, to_id, kind, method, "
                        f"TRY_CAST(nullif(score, '') AS DOUBLE) FROM read_csv('{path}', "
                        f"header = true, all_varchar = true, quote = '\"', escape = '\"')")
        return f"tables copied with psql (the {ext} extension could not be loaded: {note})"
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.executemany("INSERT INTO g VALUES (?, ?, ?, ?, ?, ?)", src.execute(sel_g).fetchall())
    links = src.execute(sel_l).fetchall()
    if links:
        con.executemany("INSERT INTO l VALUES (?, ?, ?, ?, ?, ?)", links)
    src.close()
    return f"tables copied with Python's sqlite3 (the {ext} extension could not be loaded: {note})"


# Fates from the observations and links alone (docs/compare-json.md): pairs of an earlier and a
# later observation of the same group (the same id, or a link between two ids), then the
# earlier groups with no pair (not found again, unless dissolved already) and the later ones
# with no pair (new).
FATES_SQL = """
CREATE OR REPLACE TEMP VIEW f AS SELECT * FROM g
  WHERE wave_id = $w1 AND (village_code = $region OR starts_with(village_code, $region || '.'));
CREATE OR REPLACE TEMP VIEW t AS SELECT * FROM g
  WHERE wave_id = $w2 AND (village_code = $region OR starts_with(village_code, $region || '.'));
CREATE OR REPLACE TEMP VIEW lk AS SELECT * FROM l
  WHERE wave_id = $w2 AND from_id IN (SELECT id FROM f) AND to_id IN (SELECT id FROM t);
CREATE OR REPLACE TEMP VIEW pairs AS
  SELECT f.id AS id_from, t.id AS id_to FROM f JOIN t ON f.id = t.id
  UNION SELECT from_id, to_id FROM lk WHERE from_id <> to_id;
CREATE OR REPLACE TEMP VIEW entries AS
  SELECT p.id_from, p.id_to, t.village_code AS village, t.group_type AS type,
         f.name AS name_from, t.name AS name_to,
         CASE WHEN t.status = 'bubar' THEN 'dissolved' ELSE 'continuing' END AS fate,
         coalesce(lk.method, 'same_id') AS link, lk.score AS score
  FROM pairs p JOIN f ON f.id = p.id_from JOIN t ON t.id = p.id_to
  LEFT JOIN lk ON lk.from_id = p.id_from AND lk.to_id = p.id_to
  UNION ALL
  SELECT f.id, NULL, f.village_code, f.group_type, f.name, NULL, 'not_refound', NULL, NULL
  FROM f WHERE f.status <> 'bubar' AND f.id NOT IN (SELECT id_from FROM pairs)
  UNION ALL
  SELECT NULL, t.id, t.village_code, t.group_type, NULL, t.name, 'new', NULL, NULL
  FROM t WHERE t.id NOT IN (SELECT id_to FROM pairs);
"""

FATES = ["continuing", "dissolved", "not_refound", "new"]


def survival(c):
    d = c["continuing"] + c["dissolved"] + c["not_refound"]
    return c["continuing"] / d if d else None


def compute(con, region):
    def literal(x):
        return "'" + x.replace("'", "''") + "'"

    sql = (FATES_SQL.replace("$w1", literal(W1)).replace("$w2", literal(W2))
           .replace("$region", literal(region)))
    for stmt in sql.split(";"):
        if stmt.strip():
            con.execute(stmt)
    cur = con.execute("SELECT * FROM entries")
    cols = [d[0] for d in cur.description]
    entries = [dict(zip(cols, r)) for r in cur.fetchall()]
    before = con.execute(
        "SELECT count(*) FROM f WHERE status = 'bubar' AND id NOT IN (SELECT id_from FROM pairs)"
    ).fetchone()[0]
    counts = {k: 0 for k in FATES}
    by_village, by_type = {}, {}
    for e in entries:
        counts[e["fate"]] += 1
        by_village.setdefault(e["village"], {k: 0 for k in FATES})[e["fate"]] += 1
        by_type.setdefault(e["type"], {k: 0 for k in FATES})[e["fate"]] += 1
    observed = dict(con.execute("SELECT 'from', count(*) FROM f UNION ALL SELECT 'to', count(*) FROM t").fetchall())
    return entries, counts, by_village, by_type, before, observed


def numbers(v, path=""):
    """Every number of a JSON value by its dotted path (lists of entries keyed by `code`)."""
    out = {}
    if isinstance(v, dict):
        for k, x in v.items():
            out.update(numbers(x, f"{path}.{k}" if path else k))
    elif isinstance(v, list) and all(isinstance(x, dict) and "code" in x for x in v):
        for x in v:
            rest = {k: y for k, y in x.items() if k != "code"}
            out.update(numbers(rest, f"{path}.{x['code']}"))
    elif isinstance(v, bool) or v is None or isinstance(v, str):
        pass
    elif isinstance(v, (int, float)):
        out[path] = v
    return out


def check(got, want, errors):
    entries, counts, by_village, by_type, before, observed = want

    def expect(what, have, should):
        if isinstance(have, float) or isinstance(should, float):
            ok = have is not None and should is not None and abs(have - should) <= TOL
        else:
            ok = have == should
        if not ok:
            errors.append(f"{what}: wahana {have!r}, DuckDB {should!r}")

    for k in FATES:
        expect(f"counts.{k}", got["counts"][k], counts[k])
    expect("survival_rate", got["survival_rate"], survival(counts))
    expect("dissolved_before", got["dissolved_before"], before)
    expect("from.observations", got["from"]["observations"], observed["from"])
    expect("to.observations", got["to"]["observations"], observed["to"])
    mine = {v["code"]: v for v in got["by_village"]}
    expect("by_village: villages", sorted(mine), sorted(by_village))
    for code, c in by_village.items():
        for k in FATES:
            expect(f"by_village.{code}.{k}", mine.get(code, {}).get(k), c[k])
        expect(f"by_village.{code}.survival_rate", mine.get(code, {}).get("survival_rate"), survival(c))
    mine = {t["code"]: t for t in got["by_type"]}
    expect("by_type: types", sorted(mine), sorted(by_type))
    for code, c in by_type.items():
        for k in FATES:
            expect(f"by_type.{code}.{k}", mine.get(code, {}).get(k), c[k])

    def key(e):
        return (e["id_from"], e["id_to"])

    have = {key(e): e for e in got["groups"]}
    should = {key(e): e for e in entries}
    expect("groups: entries", len(got["groups"]), len(entries))
    for k in sorted(set(have) | set(should), key=str):
        h, s = have.get(k), should.get(k)
        if h is None or s is None:
            errors.append(f"group {k}: only in {'DuckDB' if h is None else 'wahana'}")
            continue
        for field in ["village", "name_from", "name_to", "fate", "link", "score"]:
            expect(f"group {k}.{field}", h[field], s[field])


def check_findings(got, p1, p2, errors):
    skip = ("region", "wave", "rules")
    a = numbers({k: v for k, v in p1.items() if k not in skip})
    b = numbers({k: v for k, v in p2.items() if k not in skip})
    f = numbers(got["findings"])
    for path in sorted(set(a) | set(b)):
        x, y = a.get(path), b.get(path)
        checks = [("from", x), ("to", y),
                  ("change", y - x if x is not None and y is not None else None)]
        for side, want in checks:
            have = f.get(f"{path}.{side}")
            # A side missing (a type or village in one wave only) is null there.
            if want is None and have is None:
                continue
            if have is None or want is None or abs(have - want) > 1e-9:
                errors.append(f"findings.{path}.{side}: wahana {have!r}, profiles {want!r}")
    for k in ["f1", "f2", "f3", "f4", "f5"]:
        h = got["findings"][k]["holds"]
        if h != {"from": p1[k]["holds"], "to": p2[k]["holds"]}:
            errors.append(f"findings.{k}.holds: {h}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wahana", default="target/debug/wahana")
    ap.add_argument("--region", default="73.08.21")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--database", help="a fresh database URL (default: SQLite in a temporary directory)")
    a = ap.parse_args()
    wahana = os.path.abspath(a.wahana)
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        db = a.database or os.path.join(tmp, "wahana.db")
        run(wahana, db, "demo")
        w1 = os.path.join(tmp, "w1.csv")
        run(wahana, db, "export", "--table", "kelompok", "--region", a.region, "--wave", W1, "--out", w1)
        w2 = os.path.join(tmp, "w2.csv")
        rows = write_second_wave(w1, w2, a.seed)
        report = json.loads(run(wahana, db, "import", "--json", w2, "--wave", W2_NAME, "--date", "2026-08-31"))
        if report.get("wave") != W2 or not report.get("committed"):
            sys.exit(f"the second wave was not imported as {W2}: {report}")
        proposed = json.loads(run(wahana, db, "waves", "review", W2, "--format", "json"))
        if proposed:
            run(wahana, db, "waves", "review", W2, "--accept", str(proposed[0]["id"]))
        compare = ["compare", "--region", a.region, "--from", W1, "--to", W2, "--format", "json"]
        # A merge recorded by hand: two earlier groups not found again became one new group of
        # the same village (two links with different ids).
        merge = None
        first = json.loads(run(wahana, db, *compare))
        for e in first["groups"]:
            if e["fate"] != "new":
                continue
            gone = [g["id_from"] for g in first["groups"]
                    if g["fate"] == "not_refound" and g["village"] == e["village"]]
            if len(gone) >= 2:
                merge = (gone[:2], e["id_to"])
                for earlier in gone[:2]:
                    run(wahana, db, "waves", "link", W2, "--from", earlier, "--to", e["id_to"],
                        "--kind", "merged")
                break
        got = json.loads(run(wahana, db, *compare))
        p1 = json.loads(run(wahana, db, "profile", "--region", a.region, "--wave", W1, "--format", "json"))
        p2 = json.loads(run(wahana, db, "profile", "--region", a.region, "--wave", W2, "--format", "json"))
        con = duckdb.connect()
        how = load_tables(con, db, tmp)
        want = compute(con, a.region)
    check(got, want, errors)
    check_findings(got, p1, p2, errors)
    links = {}
    for e in got["groups"]:
        links[e["link"]] = links.get(e["link"], 0) + 1
    # The mix must exercise every fate and every automatic link method.
    for k in FATES:
        if got["counts"][k] == 0:
            errors.append(f"the second wave gave no {k} group: the check exercises nothing there")
    for m in ["same_id", "matched"] + (["reviewed"] if proposed or merge else []):
        if links.get(m, 0) == 0:
            errors.append(f"no {m} link in the comparison")
    if merge:
        (x, y), to = merge
        pairs = {(e["id_from"], e["id_to"]) for e in got["groups"]}
        if (x, to) not in pairs or (y, to) not in pairs:
            errors.append(f"the merge of {x} and {y} into {to} is not two entries")
    checked = (f"region {a.region}, {W1} → {W2} ({rows} rows imported; {len(got['groups'])} groups: "
               f"{got['counts']}; links {links}; merge {merge}); read through {how}")
    if errors:
        print(f"wahana and DuckDB disagree ({checked}):")
        for e in errors:
            print("  " + e)
        print(f"0 passed, {len(errors)} failed")
        sys.exit(1)
    print(f"wahana's comparison equals DuckDB's independent computation ({checked})")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
