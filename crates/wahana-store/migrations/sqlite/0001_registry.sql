-- The official region tree and the registry (groups, networks, institutions, ties, waves).
-- Codes are kept in their dotted form; a region's subtree is the range [code, code || '/').
-- regions.parent_code has no foreign key: the tree is checked whole when it is parsed
-- (wahana_domain::region), and a per-row check would double the time of loading it.
-- Multi-valued coded fields are bitmasks in the domain's declaration order (wahana_domain::codes).

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    parent_code TEXT,
    level       BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    lat         DOUBLE PRECISION,
    lng         DOUBLE PRECISION
);
CREATE INDEX regions_parent ON regions(parent_code);
CREATE INDEX regions_name_key ON regions(name_key);

CREATE TABLE local_units (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    UNIQUE (village_code, kind, name)
);

CREATE TABLE waves (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region_code TEXT REFERENCES regions(code),
    start_date  TEXT,
    end_date    TEXT,
    source      TEXT,
    synthetic   BOOLEAN NOT NULL DEFAULT FALSE,
    enumerators TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE groups (
    id                TEXT PRIMARY KEY,
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
    updated_at        TEXT NOT NULL
);
CREATE INDEX groups_village_wave ON groups(village_code, wave_id);
CREATE INDEX groups_wave ON groups(wave_id);
CREATE INDEX groups_dup_key ON groups(dup_key);

CREATE TABLE networks (
    id             TEXT PRIMARY KEY,
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
    updated_at     TEXT NOT NULL
);
CREATE INDEX networks_village ON networks(village_code, wave_id);

CREATE TABLE institutions (
    id           TEXT PRIMARY KEY,
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
    updated_at   TEXT NOT NULL
);
CREATE INDEX institutions_region ON institutions(region_code, wave_id);

-- A tie names its two actors by id and records which table each lives in.
CREATE TABLE ties (
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
    UNIQUE (from_id, to_id, tie_type)
);
CREATE INDEX ties_to ON ties(to_id);
