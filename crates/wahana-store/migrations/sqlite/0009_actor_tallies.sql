-- Counts of networks, institutions and ties kept as tallies (issue "speed at the shape of a
-- real national registry"), so that a profile or a region page reads one row for them instead
-- of counting a province's rows.
--
-- tally_actors: one row per (wave, region) for the country (region_code '') and for every
-- province, regency, district and village holding any of them: the networks and institutions
-- the wave observes in the region (by the network's village, the institution's own region and
-- the regions above it), and the ties of the wave with at least one end in the region (an end's
-- region is its entity's, `actors.region_code`; a tie is counted once in a region both ends
-- share). Every write of networks, institutions and ties keeps them current in its transaction
-- (wahana-store `actor_tally.rs`); this fill and the store's `ACTOR_RECOUNT_SQL` are the same
-- count from scratch.

CREATE TABLE tally_actors (
    wave_id      TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    networks     BIGINT NOT NULL DEFAULT 0,
    institutions BIGINT NOT NULL DEFAULT 0,
    ties         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (wave_id, region_code)
) WITHOUT ROWID;

INSERT INTO tally_actors (wave_id, region_code, networks, institutions, ties)
SELECT wave_id, region_code, SUM(n) AS networks, SUM(i) AS institutions, SUM(t) AS ties FROM (
    SELECT wave_id, '' AS region_code, 1 AS n, 0 AS i, 0 AS t FROM networks
    UNION ALL SELECT wave_id, substr(village_code, 1, 2), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 2
    UNION ALL SELECT wave_id, substr(village_code, 1, 5), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 5
    UNION ALL SELECT wave_id, substr(village_code, 1, 8), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 8
    UNION ALL SELECT wave_id, substr(village_code, 1, 13), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 13
    UNION ALL SELECT wave_id, '' AS region_code, 0 AS n, 1 AS i, 0 AS t FROM institutions
    UNION ALL SELECT wave_id, substr(region_code, 1, 2), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 2
    UNION ALL SELECT wave_id, substr(region_code, 1, 5), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 5
    UNION ALL SELECT wave_id, substr(region_code, 1, 8), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 8
    UNION ALL SELECT wave_id, substr(region_code, 1, 13), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 13
    UNION ALL SELECT t.wave_id, '', 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 2), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 2
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 2), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 2 AND (length(f.region_code) < 2 OR substr(f.region_code, 1, 2) <> substr(o.region_code, 1, 2))
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 5), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 5
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 5), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 5 AND (length(f.region_code) < 5 OR substr(f.region_code, 1, 5) <> substr(o.region_code, 1, 5))
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 8), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 8
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 8), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 8 AND (length(f.region_code) < 8 OR substr(f.region_code, 1, 8) <> substr(o.region_code, 1, 8))
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 13), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 13
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 13), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 13 AND (length(f.region_code) < 13 OR substr(f.region_code, 1, 13) <> substr(o.region_code, 1, 13))
) x GROUP BY wave_id, region_code;
