-- SQLite's migration 0013 adds a covering index for the network's read of the groups (id,
-- village, type and network by village range, status and wave), so that the country's
-- network reads the index instead of 4.4 GB of wide group rows. PostgreSQL is left as it was:
-- every index on `groups` is one more for each `COPY` of an import to maintain (the import's
-- cost there is in its indexes, BENCHMARKS.md "Import into PostgreSQL: COPY"), and the
-- network's read was not found to be bound by it. The migration keeps the two databases'
-- numbering in step.
SELECT 1;
