-- Field collection straight into wahana (OpenRosa, ODK Collect): what phones send lands in a
-- region's inbox, pending until an officer accepts it into a wave or rejects it. Nothing a
-- phone sends is ever deleted: a rejected or replaced submission stays readable.
--
-- submissions: one per instanceID (`uuid:…`, unique). xml: the instance exactly as received;
-- xml_md5: its MD5 (a resend with the same XML is the same submission, another XML a conflict).
-- region_code: the region of the URL it was sent to; village_code: the village it names (when
-- it names one). status: pending, accepted, rejected, replaced (an edit sent with
-- meta/deprecatedID replaced it). edited: the answers an officer changed before accepting
-- (JSON object of field path -> value), the XML itself is never changed. wave_id, group_id:
-- where an accepted submission went.
-- submission_files: its attachments (a photo of the group or of its decree), with size limits
-- kept by the server.
-- users.digest_ha1: MD5(name:realm:password), which HTTP Digest authentication (ODK Collect)
-- needs; set whenever the password is set or used to sign in. waves.auto_accept: clean,
-- unmatched submissions are accepted into this wave with no person looking.

CREATE TABLE submissions (
    id             INTEGER PRIMARY KEY,
    instance_id    TEXT NOT NULL UNIQUE,
    form_id        TEXT NOT NULL,
    form_version   TEXT,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    village_code   TEXT REFERENCES regions (code),
    xml            TEXT NOT NULL,
    xml_md5        TEXT NOT NULL,
    deprecated_id  TEXT,
    device_id      TEXT,
    submitted_by   TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending',
    reason         TEXT,
    edited         TEXT,
    decided_by     TEXT,
    decided_at     TEXT,
    wave_id        TEXT,
    group_id       TEXT
);
CREATE INDEX submissions_region ON submissions (region_code, status, id);
CREATE INDEX submissions_village ON submissions (village_code, status, id);

CREATE TABLE submission_files (
    submission_id BIGINT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    bytes         BLOB NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (submission_id, name)
);

ALTER TABLE users ADD COLUMN digest_ha1 TEXT;
ALTER TABLE waves ADD COLUMN auto_accept BIGINT NOT NULL DEFAULT 0;
-- users.active: 0 for a person an admin deactivated (no sign-in of any kind; their sessions were
-- ended); everyone added by an earlier release is active.
ALTER TABLE users ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
