#!/usr/bin/env python3
"""The measures GeoJSON read by a GIS library wahana does not use (shapely): the kecamatan's
eight kelurahan are valid polygons with their codes and measures, and the kabupaten's and the
country's maps hold every child. Usage: gis_check.py WAHANA_BINARY"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from shapely.geometry import shape
from shapely.validation import explain_validity

wahana = sys.argv[1]
work = Path(tempfile.mkdtemp())
db = work / "g.db"
subprocess.run([wahana, "--database", str(db), "demo"], check=True, capture_output=True)


def measures(region):
    out = work / f"{region}.geojson"
    subprocess.run(
        [wahana, "--database", str(db), "profile", "--region", region, "--format", "geojson", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    doc = json.loads(out.read_text())
    assert doc["type"] == "FeatureCollection", doc["type"]
    return doc["features"]


kec = measures("73.08.21")
assert len(kec) == 8, len(kec)
total = 0
for f in kec:
    g = shape(f["geometry"])
    assert g.geom_type == "Polygon", g.geom_type
    assert g.is_valid, (f["properties"]["code"], explain_validity(g))
    assert g.area > 0
    p = f["properties"]
    assert p["code"].startswith("73.08.21.") and p["has_boundary"], p
    for k in ["f1", "f2", "f3", "f4", "f5", "coverage"]:
        assert 0.0 <= p[k] <= 1.0, (k, p[k])
    total += p["groups_recorded"]
    # Inside Indonesia, longitude first.
    minx, miny, maxx, maxy = g.bounds
    assert 94 < minx < maxx < 142 and -12 < miny < maxy < 7, g.bounds
# The eight tile the kecamatan: no two overlap by more than the source's own slivers (its
# neighbours were simplified apart: up to 0.3% of a kelurahan; thinning never adds to them).
shapes = [shape(f["geometry"]) for f in kec]
for i in range(8):
    for j in range(i + 1, 8):
        inter = shapes[i].intersection(shapes[j]).area
        assert inter < 5e-3 * min(shapes[i].area, shapes[j].area), (i, j, inter)
print(f"73.08.21: 8 valid polygons, {total} groups recorded")

for region, n in [("73.08", 27), ("nasional", 38)]:
    fs = measures(region)
    assert len(fs) == n, (region, len(fs))
    invalid = [f["properties"]["code"] for f in fs if not shape(f["geometry"]).is_valid]
    print(f"{region}: {len(fs)} features, {len(fs) - len(invalid)} valid as simple features"
          + (f" (not: {', '.join(invalid)}; the source's own rings cross there)" if invalid else ""))
