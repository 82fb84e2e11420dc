-- Members (anggota) of groups: personal data, kept so that groups sharing a member or a leader
-- can be tied (co-membership). person_key identifies a person across groups: an id number the
-- user gives ('k:...') or the normalised name ('n:...'), see wahana_domain::member.
-- A member goes with its group (ON DELETE CASCADE).

CREATE TABLE members (
    id         INTEGER PRIMARY KEY,
    group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    person_key TEXT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX members_group ON members(group_id);
CREATE INDEX members_person ON members(person_key);
