-- Boundaries loaded into the database (`wahana boundaries import FILE.geojson`), beside the
-- official ones that ship with the program (provinces, kabupaten/kota, kecamatan and the
-- villages of Sulawesi Selatan). One row per region; a row here is drawn instead of the
-- shipped shape.
--
-- geometry: the region's GeoJSON geometry (Polygon or MultiPolygon, longitude then latitude,
-- WGS 84), as simplified for drawing when it was imported; points: how many positions it holds;
-- source: the file's name; level: the region's level (1 province ... 4 village), to find a
-- region's children by a range over codes and one level.

CREATE TABLE boundaries (
    region_code TEXT PRIMARY KEY REFERENCES regions (code),
    level       BIGINT NOT NULL,
    geometry    TEXT NOT NULL,
    points      BIGINT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE INDEX boundaries_level ON boundaries (level, region_code);
