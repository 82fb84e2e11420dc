-- The index on groups(wave_id) alone goes. Every query that filters on a wave also filters on a
-- village range, which groups_village_wave (village_code, wave_id) answers; with both indexes,
-- SQLite's planner could pick the wave's and read a whole wave (4 million rows for the national
-- set) to find one kecamatan's groups. The rare wave-only statements (deleting a wave, screening
-- it again) scan, which they nearly do anyway. One index fewer to keep on every write and to
-- build after a first load (about 100 MB and 1-2 s of a national import).
DROP INDEX IF EXISTS groups_wave;
