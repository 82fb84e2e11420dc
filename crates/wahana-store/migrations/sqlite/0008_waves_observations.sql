-- Groups over time (issue 12): a group, a network, an institution is an entity that lasts
-- (`actors`); each wave holds at most one observation of it (`groups`, `networks`,
-- `institutions`, keyed by (id, wave_id)). See docs/waves-design.md.
--
-- Every existing record becomes one entity with one observation in its wave; nothing else moves.
-- SQLite cannot change a primary key in place: each of those tables is rebuilt (create, copy,
-- drop, rename, re-index) inside this migration's transaction. `members` is rebuilt first, to
-- refer to the entity: dropping `groups` while members still refer to it would cascade.
--
-- waves gain: status (open/closed: a closed wave is read-only), method (census/sample), run_by.
-- ties: one per (wave, from, to, type); `confirmed` is false for a tie (a network, an
-- institution) carried forward from an earlier wave until the re-survey confirms it.
-- links: how an observation in a wave was tied to a group of an earlier wave (same_id, matched,
-- reviewed), with its score and who accepted it; merges and splits are links between two ids.
-- link_review: pairs an import put in the middle band, for an officer to accept or reject.

ALTER TABLE waves ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE waves ADD COLUMN method TEXT;
ALTER TABLE waves ADD COLUMN run_by TEXT;

-- The entities. `kind`: kelompok, wahana, lembaga; `region_code`: the village of a group or a
-- network, the region of an institution, where it was first recorded. An id held by two kinds
-- before ids were drawn from sequences (0006) keeps the first kind found here.
CREATE TABLE actors (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT OR IGNORE INTO actors (id, kind, region_code, created_at)
    SELECT id, 'kelompok', village_code, created_at FROM groups;
INSERT OR IGNORE INTO actors (id, kind, region_code, created_at)
    SELECT id, 'wahana', village_code, created_at FROM networks;
INSERT OR IGNORE INTO actors (id, kind, region_code, created_at)
    SELECT id, 'lembaga', region_code, created_at FROM institutions;
CREATE INDEX actors_region ON actors(region_code);

CREATE TABLE members_new (
    id         INTEGER PRIMARY KEY,
    group_id   TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    person_key TEXT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO members_new (id, group_id, person_key, name, role, created_at)
    SELECT id, group_id, person_key, name, role, created_at FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE INDEX members_group ON members(group_id);
CREATE INDEX members_person ON members(person_key);

CREATE TABLE groups_new (
    id                TEXT NOT NULL,
    wave_id           TEXT NOT NULL REFERENCES waves(id),
    village_code      TEXT NOT NULL REFERENCES regions(code),
    local_unit        TEXT,
    name              TEXT NOT NULL,
    dup_key           TEXT NOT NULL,
    group_type        TEXT NOT NULL,
    origin            TEXT NOT NULL,
    founded_year      BIGINT NOT NULL,
    members_male      BIGINT,
    members_female    BIGINT,
    membership_basis  BIGINT NOT NULL,
    purposes          BIGINT NOT NULL,
    activities        BIGINT NOT NULL,
    funding           BIGINT NOT NULL,
    main_funding      TEXT,
    dues_rupiah       BIGINT,
    dues_period       TEXT,
    social_values     BIGINT NOT NULL,
    meeting_frequency TEXT,
    legal_status      TEXT,
    status            TEXT NOT NULL,
    network           TEXT,
    chair             TEXT,
    phone             TEXT,
    latitude          DOUBLE PRECISION,
    longitude         DOUBLE PRECISION,
    survey_date       TEXT NOT NULL,
    enumerator        TEXT,
    notes             TEXT,
    provenance        TEXT,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    name_fold         TEXT,
    PRIMARY KEY (id, wave_id)
);
INSERT INTO groups_new SELECT id, wave_id, village_code, local_unit, name, dup_key, group_type,
    origin, founded_year, members_male, members_female, membership_basis, purposes, activities,
    funding, main_funding, dues_rupiah, dues_period, social_values, meeting_frequency,
    legal_status, status, network, chair, phone, latitude, longitude, survey_date, enumerator,
    notes, provenance, version, created_at, updated_at, name_fold FROM groups;
DROP TABLE groups;
ALTER TABLE groups_new RENAME TO groups;
CREATE INDEX groups_village_wave ON groups(village_code, wave_id);
CREATE INDEX groups_dup_key ON groups(dup_key);
CREATE INDEX groups_name_fold_missing ON groups(id) WHERE name_fold IS NULL;

CREATE TABLE networks_new (
    id             TEXT NOT NULL,
    wave_id        TEXT NOT NULL REFERENCES waves(id),
    village_code   TEXT NOT NULL REFERENCES regions(code),
    local_unit     TEXT,
    level          TEXT NOT NULL,
    name           TEXT NOT NULL,
    founded_year   BIGINT,
    chair          TEXT,
    secretary      TEXT,
    treasurer      TEXT,
    phone          TEXT,
    decree_number  TEXT,
    decree_date    TEXT,
    notes          TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    confirmed      BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id, wave_id)
);
INSERT INTO networks_new SELECT id, wave_id, village_code, local_unit, level, name, founded_year,
    chair, secretary, treasurer, phone, decree_number, decree_date, notes, version, created_at,
    updated_at, TRUE FROM networks;
DROP TABLE networks;
ALTER TABLE networks_new RENAME TO networks;
CREATE INDEX networks_village ON networks(village_code, wave_id);

CREATE TABLE institutions_new (
    id           TEXT NOT NULL,
    wave_id      TEXT NOT NULL REFERENCES waves(id),
    region_code  TEXT NOT NULL REFERENCES regions(code),
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    address      TEXT,
    contact      TEXT,
    phone        TEXT,
    latitude     DOUBLE PRECISION,
    longitude    DOUBLE PRECISION,
    notes        TEXT,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    confirmed    BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id, wave_id)
);
INSERT INTO institutions_new SELECT id, wave_id, region_code, kind, name, address, contact, phone,
    latitude, longitude, notes, version, created_at, updated_at, TRUE FROM institutions;
DROP TABLE institutions;
ALTER TABLE institutions_new RENAME TO institutions;
CREATE INDEX institutions_region ON institutions(region_code, wave_id);

CREATE TABLE ties_new (
    id         INTEGER PRIMARY KEY,
    wave_id    TEXT NOT NULL REFERENCES waves(id),
    from_id    TEXT NOT NULL,
    from_kind  TEXT NOT NULL,
    to_id      TEXT NOT NULL,
    to_kind    TEXT NOT NULL,
    tie_type   TEXT NOT NULL,
    since      BIGINT,
    notes      TEXT,
    created_at TEXT NOT NULL,
    confirmed  BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (from_id, to_id, tie_type, wave_id)
);
INSERT INTO ties_new (id, wave_id, from_id, from_kind, to_id, to_kind, tie_type, since, notes,
    created_at, confirmed)
    SELECT id, wave_id, from_id, from_kind, to_id, to_kind, tie_type, since, notes, created_at, TRUE
    FROM ties;
DROP TABLE ties;
ALTER TABLE ties_new RENAME TO ties;
CREATE INDEX ties_to ON ties(to_id);
CREATE INDEX ties_wave ON ties(wave_id);

CREATE TABLE links (
    id          INTEGER PRIMARY KEY,
    wave_id     TEXT NOT NULL REFERENCES waves(id),
    from_id     TEXT NOT NULL,
    to_id       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    method      TEXT NOT NULL,
    score       DOUBLE PRECISION,
    accepted_by TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (wave_id, from_id, to_id)
);
CREATE INDEX links_to ON links(to_id, wave_id);

CREATE TABLE link_review (
    id           INTEGER PRIMARY KEY,
    wave_id      TEXT NOT NULL REFERENCES waves(id),
    new_id       TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    decided_by   TEXT,
    decided_at   TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (wave_id, new_id, candidate_id)
);
