-- The network of a scope (`wahana network`, the network page) reads of each group that has not
-- dissolved its id, name, village, type and the network its `wahana` column names, by village
-- range and wave. The group rows are wide (about a kilobyte each): the country's 4 million of
-- them are 4.4 GB to read, where this index holds what the network reads in about a tenth of
-- that, so the scan reads the index alone (a covering index) and never the rows.
--
-- Its cost falls on writes: every group written is written into one more index. A first load
-- into an empty database drops the secondary group indexes and builds them again after the
-- rows (`Batch::drop_secondary_group_indexes`), this one with them.
CREATE INDEX groups_network ON groups (village_code, status, wave_id, id, group_type, network, name);
