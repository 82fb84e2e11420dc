-- F1 beside its test: the 2007 abstract says the groups existed "more than 10 years", while F1
-- tests "10 years or more". The tallies gain `age_10` (groups aged exactly 10 at their survey
-- date, a column of wahana_domain::profile::Tally::COLUMNS), so a profile gives both shares.
--
-- The tallies held were counted without it. They are a sum of the group rows, not a record:
-- they are dropped with the (wave, rule set) pairs of wave_rules, so the store treats each wave
-- as not yet screened. Its next profile or screening rebuilds its tallies from the group rows
-- (service::screening::ensure_screened), and until then the waves holding a region are found
-- from the group rows. No record is changed: groups, waves and everything else stay as they
-- were.

ALTER TABLE tally_village ADD COLUMN age_10 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tally_region_type ADD COLUMN age_10 BIGINT NOT NULL DEFAULT 0;
DELETE FROM tally_village;
DELETE FROM tally_region_type;
DELETE FROM wave_rules;
