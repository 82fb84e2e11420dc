-- Screening results kept as additive tallies (issue "Screening and the profile").
--
-- rule_sets holds every rule set used, by version, with its TOML text (seed-2007 is written by
-- the store at open). wave_rules says which (wave, rule set) pairs are kept current: every write
-- of a group adds its contribution to, or takes it from, the tallies of every pair registered for
-- its wave, in the same transaction, so a profile reads sums and never scans groups.
--
-- The tally columns are wahana_domain::profile::Tally::COLUMNS, in that order: counts of the
-- groups that qualify under the rule set and have not dissolved. `recorded` counts every group,
-- whatever its outcome and status.
--
-- tally_village: one row per village holding groups of the wave.
-- tally_region_type: one row per (region, group type) for the province, the regency, the
-- district and the village of each group (four rows per group), so that a region's own rows give
-- its total and its breakdown by type without summing its villages.
--
-- SQLite keeps both tally tables WITHOUT ROWID: rows are stored in primary-key order, so a
-- region's villages are one contiguous range read with no index-to-table lookups.

CREATE TABLE rule_sets (
    version    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    toml       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE wave_rules (
    wave_id       TEXT NOT NULL REFERENCES waves(id),
    rules_version TEXT NOT NULL REFERENCES rule_sets(version),
    screened_at   TEXT NOT NULL,
    PRIMARY KEY (wave_id, rules_version)
);

CREATE TABLE tally_village (
    wave_id                       TEXT NOT NULL,
    rules_version                 TEXT NOT NULL,
    village_code                  TEXT NOT NULL,
    recorded                      BIGINT NOT NULL DEFAULT 0,
    groups                        BIGINT NOT NULL DEFAULT 0,
    age_lt5                       BIGINT NOT NULL DEFAULT 0,
    age_5_9                       BIGINT NOT NULL DEFAULT 0,
    age_10_19                     BIGINT NOT NULL DEFAULT 0,
    age_20_plus                   BIGINT NOT NULL DEFAULT 0,
    integration_or_resilience     BIGINT NOT NULL DEFAULT 0,
    resilience_or_welfare         BIGINT NOT NULL DEFAULT 0,
    dues_main                     BIGINT NOT NULL DEFAULT 0,
    core_values                   BIGINT NOT NULL DEFAULT 0,
    asal_tumbuh_masyarakat        BIGINT NOT NULL DEFAULT 0,
    asal_dibentuk_pemerintah      BIGINT NOT NULL DEFAULT 0,
    asal_dibentuk_pihak_luar      BIGINT NOT NULL DEFAULT 0,
    dasar_domisili                BIGINT NOT NULL DEFAULT 0,
    dasar_kekerabatan             BIGINT NOT NULL DEFAULT 0,
    dasar_agama                   BIGINT NOT NULL DEFAULT 0,
    dasar_pekerjaan               BIGINT NOT NULL DEFAULT 0,
    dasar_jenis_kelamin           BIGINT NOT NULL DEFAULT 0,
    dasar_usia                    BIGINT NOT NULL DEFAULT 0,
    dasar_asal_daerah             BIGINT NOT NULL DEFAULT 0,
    dasar_terbuka                 BIGINT NOT NULL DEFAULT 0,
    tujuan_ketahanan_sosial       BIGINT NOT NULL DEFAULT 0,
    tujuan_kesejahteraan_anggota  BIGINT NOT NULL DEFAULT 0,
    tujuan_integrasi_masyarakat   BIGINT NOT NULL DEFAULT 0,
    tujuan_keagamaan              BIGINT NOT NULL DEFAULT 0,
    tujuan_ekonomi                BIGINT NOT NULL DEFAULT 0,
    tujuan_pendidikan             BIGINT NOT NULL DEFAULT 0,
    tujuan_kesehatan              BIGINT NOT NULL DEFAULT 0,
    tujuan_lingkungan             BIGINT NOT NULL DEFAULT 0,
    tujuan_keamanan               BIGINT NOT NULL DEFAULT 0,
    tujuan_budaya                 BIGINT NOT NULL DEFAULT 0,
    dana_iuran_anggota            BIGINT NOT NULL DEFAULT 0,
    dana_donatur                  BIGINT NOT NULL DEFAULT 0,
    dana_bantuan_pemerintah       BIGINT NOT NULL DEFAULT 0,
    dana_hasil_usaha              BIGINT NOT NULL DEFAULT 0,
    dana_zakat_infaq              BIGINT NOT NULL DEFAULT 0,
    dana_perantau                 BIGINT NOT NULL DEFAULT 0,
    nilai_kebersamaan             BIGINT NOT NULL DEFAULT 0,
    nilai_tolong_menolong         BIGINT NOT NULL DEFAULT 0,
    nilai_gotong_royong           BIGINT NOT NULL DEFAULT 0,
    nilai_adat_istiadat           BIGINT NOT NULL DEFAULT 0,
    nilai_keagamaan               BIGINT NOT NULL DEFAULT 0,
    nilai_musyawarah              BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (wave_id, rules_version, village_code)
) WITHOUT ROWID;

CREATE TABLE tally_region_type (
    wave_id                       TEXT NOT NULL,
    rules_version                 TEXT NOT NULL,
    region_code                   TEXT NOT NULL,
    group_type                    TEXT NOT NULL,
    recorded                      BIGINT NOT NULL DEFAULT 0,
    groups                        BIGINT NOT NULL DEFAULT 0,
    age_lt5                       BIGINT NOT NULL DEFAULT 0,
    age_5_9                       BIGINT NOT NULL DEFAULT 0,
    age_10_19                     BIGINT NOT NULL DEFAULT 0,
    age_20_plus                   BIGINT NOT NULL DEFAULT 0,
    integration_or_resilience     BIGINT NOT NULL DEFAULT 0,
    resilience_or_welfare         BIGINT NOT NULL DEFAULT 0,
    dues_main                     BIGINT NOT NULL DEFAULT 0,
    core_values                   BIGINT NOT NULL DEFAULT 0,
    asal_tumbuh_masyarakat        BIGINT NOT NULL DEFAULT 0,
    asal_dibentuk_pemerintah      BIGINT NOT NULL DEFAULT 0,
    asal_dibentuk_pihak_luar      BIGINT NOT NULL DEFAULT 0,
    dasar_domisili                BIGINT NOT NULL DEFAULT 0,
    dasar_kekerabatan             BIGINT NOT NULL DEFAULT 0,
    dasar_agama                   BIGINT NOT NULL DEFAULT 0,
    dasar_pekerjaan               BIGINT NOT NULL DEFAULT 0,
    dasar_jenis_kelamin           BIGINT NOT NULL DEFAULT 0,
    dasar_usia                    BIGINT NOT NULL DEFAULT 0,
    dasar_asal_daerah             BIGINT NOT NULL DEFAULT 0,
    dasar_terbuka                 BIGINT NOT NULL DEFAULT 0,
    tujuan_ketahanan_sosial       BIGINT NOT NULL DEFAULT 0,
    tujuan_kesejahteraan_anggota  BIGINT NOT NULL DEFAULT 0,
    tujuan_integrasi_masyarakat   BIGINT NOT NULL DEFAULT 0,
    tujuan_keagamaan              BIGINT NOT NULL DEFAULT 0,
    tujuan_ekonomi                BIGINT NOT NULL DEFAULT 0,
    tujuan_pendidikan             BIGINT NOT NULL DEFAULT 0,
    tujuan_kesehatan              BIGINT NOT NULL DEFAULT 0,
    tujuan_lingkungan             BIGINT NOT NULL DEFAULT 0,
    tujuan_keamanan               BIGINT NOT NULL DEFAULT 0,
    tujuan_budaya                 BIGINT NOT NULL DEFAULT 0,
    dana_iuran_anggota            BIGINT NOT NULL DEFAULT 0,
    dana_donatur                  BIGINT NOT NULL DEFAULT 0,
    dana_bantuan_pemerintah       BIGINT NOT NULL DEFAULT 0,
    dana_hasil_usaha              BIGINT NOT NULL DEFAULT 0,
    dana_zakat_infaq              BIGINT NOT NULL DEFAULT 0,
    dana_perantau                 BIGINT NOT NULL DEFAULT 0,
    nilai_kebersamaan             BIGINT NOT NULL DEFAULT 0,
    nilai_tolong_menolong         BIGINT NOT NULL DEFAULT 0,
    nilai_gotong_royong           BIGINT NOT NULL DEFAULT 0,
    nilai_adat_istiadat           BIGINT NOT NULL DEFAULT 0,
    nilai_keagamaan               BIGINT NOT NULL DEFAULT 0,
    nilai_musyawarah              BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (wave_id, rules_version, region_code, group_type)
) WITHOUT ROWID;
