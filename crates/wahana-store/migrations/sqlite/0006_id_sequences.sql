-- Ids that cannot collide (issue 11, points 2 and 12).
--
-- id_sequences: the last number drawn for each id prefix (`K-7308211001-`, `W-…-`, `L-…-`).
-- A new id is drawn inside the transaction that writes the record (wahana_store's
-- `Batch::allocate_ids`): the row is seeded on first use after the highest all-digit suffix
-- held under the prefix in groups, networks and institutions, and a number whose id is held
-- anyway (given by hand or by a file) is skipped. Suffixes are numbers, not text, so
-- `…-10000` follows `…-9999` and `L-730821-KUA` is no number at all.
--
-- groups.name_fold: the name lowercased by Rust's `str::to_lowercase` (Unicode, the same on
-- both databases; SQLite's LOWER folds ASCII only), what the name filter searches. Every write
-- of a group fills it. Names of ASCII only are folded here; the others are left NULL and
-- folded by the store when it opens the database (`Store::open`), found through the partial
-- index below, which is empty once that is done.

CREATE TABLE id_sequences (
    prefix TEXT PRIMARY KEY,
    last   BIGINT NOT NULL
);

ALTER TABLE groups ADD COLUMN name_fold TEXT;
UPDATE groups SET name_fold = LOWER(name) WHERE LENGTH(name) = OCTET_LENGTH(name);
CREATE INDEX groups_name_fold_missing ON groups(id) WHERE name_fold IS NULL;
