-- Sign-in secrets are kept as hashes, and failed sign-ins are limited per name and address
-- (issue 11, points 6 and 13).
--
-- sessions: the SHA-256 of the session token (hex), never the token itself: a copy of the
-- database opens no session. The form (CSRF) token is derived from the session token by the
-- binary and not stored at all. Tokens held until now cannot be hashed in SQL on both
-- databases, so this migration ends every open session: people sign in again.
--
-- sign_in_attempts: one counter per (name, client address) and one per name over every
-- address (address '*'), each for a window that starts at its first attempt; an attempt is
-- counted and its count read in one statement (an upsert), so parallel guesses cannot all read
-- a count below the limit. sign_in_addresses: the addresses a person has signed in from (a
-- correct password from one of them passes the name-wide limit).

DROP TABLE sessions;
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

DROP TABLE failed_sign_ins;
CREATE TABLE sign_in_attempts (
    name          TEXT NOT NULL,
    address       TEXT NOT NULL,
    window_start  TEXT NOT NULL,
    attempts      BIGINT NOT NULL,
    PRIMARY KEY (name, address)
);

CREATE TABLE sign_in_addresses (
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    address  TEXT NOT NULL,
    last_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, address)
);
