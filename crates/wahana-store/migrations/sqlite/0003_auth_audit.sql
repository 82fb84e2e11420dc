-- People, sessions, failed sign-ins and the audit trail (issue "The web application and API").
--
-- users.region_code is the root of the subtree a person may read or write (NULL: the whole
-- country). Passwords are Argon2id PHC strings. A session is a random 256-bit token that only the
-- browser's HttpOnly cookie carries; csrf_token is the form token of that session.
-- audit: every change, who made it, when, and the record's values before and after as JSON.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    region_code   TEXT REFERENCES regions(code),
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token       TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE failed_sign_ins (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX failed_sign_ins_name ON failed_sign_ins(name, at);

CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity_kind  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    region_code  TEXT,
    before_json  TEXT,
    after_json   TEXT
);
CREATE INDEX audit_entity ON audit(entity_kind, entity_id, id);
CREATE INDEX audit_region ON audit(region_code, id);
