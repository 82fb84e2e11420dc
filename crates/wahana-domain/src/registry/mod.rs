//! The things wahana holds (`domain.md`): groups, networks, institutions, ties, waves, local units.
//!
//! Each record type is built from the instrument's columns through one constructor
//! (`from_fields`), which checks every field and reports every problem at once; the CLI, the
//! importer and the web forms all come through it, so a value that passed once is never checked
//! again. `to_fields` gives the record back in the instrument's column order.

mod actors;
mod fields;
mod group;
mod ids;
mod notices;
mod tie;
mod wave;

pub use actors::{Institution, Network};
pub use fields::{Context, MIN_FOUNDED_YEAR, check_id, is_indonesian_phone};
pub use group::Group;
pub use ids::{duplicate_key, id_prefix, push_duplicate_key};
pub use notices::{Notice, Period, each_notice};
pub use tie::Tie;
pub use wave::{LocalUnit, Wave, WaveMethod};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::*;
    use crate::instrument::{self, Table};
    use crate::region::{RegionCode, RegionTree};
    use crate::{Date, FieldError};
    use std::collections::HashMap;

    fn ctx() -> Context<'static> {
        Context {
            regions: RegionTree::official(),
            today: Date::new(2026, 11, 29).unwrap(),
            wave_date: None,
        }
    }

    fn good() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("kode_wilayah", "7308211003"),
            ("nama", "Arisan Jeppe'e"),
            ("jenis", "arisan"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1990"),
            ("tanggal_pendataan", "14/08/2007"),
            ("sumber_dana", "iuran_anggota donatur"),
            ("sumber_dana_utama", "iuran_anggota"),
            ("telepon", "0812-0000-0001"),
        ])
    }

    fn build(changes: &[(&'static str, &'static str)]) -> Result<Group, Vec<FieldError>> {
        let mut m = good();
        for (k, v) in changes {
            m.insert(k, v);
        }
        Group::from_fields(|k| m.get(k).copied(), || "K-1".into(), &ctx())
    }

    #[test]
    fn good_group() {
        let g = build(&[]).unwrap();
        assert_eq!(g.village.as_str(), "73.08.21.1003");
        assert_eq!(g.id, "K-1");
        assert_eq!(g.survey_date.to_string(), "2007-08-14");
        assert_eq!(g.status, GroupStatus::Active);
        assert_eq!(g.age_at_survey(), 17);
        assert_eq!(
            g.to_fields().len(),
            instrument::columns(Table::Groups).len()
        );
    }

    /// One line per bad input: the field that must be named and a fragment of what is expected.
    #[test]
    fn bad_groups_name_field_and_expectation() {
        let cases: &[(&[(&str, &str)], &str, &str)] = &[
            (
                &[("kode_wilayah", "73.08.21.1099")],
                "kode_wilayah",
                "nearest",
            ),
            (
                &[("kode_wilayah", "73.08.21")],
                "kode_wilayah",
                "village code",
            ),
            (&[("kode_wilayah", "abc")], "kode_wilayah", "region code"),
            (&[("jenis", "arsan")], "jenis", "one of: arisan"),
            (&[("asal", "")], "asal", "required"),
            (
                &[("tahun_berdiri", "2030")],
                "tahun_berdiri",
                "1800 to 2007",
            ),
            (
                &[("tahun_berdiri", "1700")],
                "tahun_berdiri",
                "1800 to 2007",
            ),
            (
                &[("tahun_berdiri", "sembilan")],
                "tahun_berdiri",
                "whole number",
            ),
            (
                &[("tanggal_pendataan", "2027-01-01")],
                "tanggal_pendataan",
                "not after today",
            ),
            (
                &[("tanggal_pendataan", "")],
                "tanggal_pendataan",
                "required unless",
            ),
            (
                &[("sumber_dana_utama", "perantau")],
                "sumber_dana_utama",
                "codes in sumber_dana",
            ),
            (
                &[("tujuan", "ketahanan_sosial arisan")],
                "tujuan",
                "unknown: arisan",
            ),
            (&[("telepon", "12345")], "telepon", "Indonesian phone"),
            (
                &[("lintang", "40"), ("bujur", "120")],
                "lintang",
                "inside Indonesia",
            ),
            (&[("nama", "  ")], "nama", "required"),
            (&[("id", "a b")], "id", "letters, digits"),
            (&[("anggota_laki", "-3")], "anggota_laki", "whole number"),
            (&[("catatan", "a\u{0}b")], "catatan", "at most 4000"),
        ];
        for (changes, field, fragment) in cases {
            let errs = build(changes).expect_err(&format!("{changes:?} should fail"));
            let e = errs
                .iter()
                .find(|e| e.field == *field)
                .unwrap_or_else(|| panic!("{changes:?}: no error on {field}: {errs:?}"));
            assert!(
                e.message(crate::Lang::En).contains(fragment),
                "{changes:?}: {:?} lacks {fragment:?}",
                e.message(crate::Lang::En)
            );
            assert!(!e.message(crate::Lang::Id).is_empty());
        }
    }

    /// A row whose coded fields carry labels (either language, any case or separator) builds
    /// the same group as the row with codes.
    #[test]
    fn labels_build_the_same_group_as_codes() {
        let coded = build(&[
            ("jenis", "rukun_kematian"),
            ("asal", "tumbuh_masyarakat"),
            ("tujuan", "ketahanan_sosial keagamaan"),
            ("kegiatan", "santunan_duka seni_olahraga"),
            ("sumber_dana", "iuran_anggota donatur"),
            ("sumber_dana_utama", "donatur"),
            ("nilai", "tolong_menolong gotong_royong"),
            ("status_hukum", "sk_desa"),
            ("frekuensi_pertemuan", "dua_mingguan"),
            ("status", "tidak_aktif"),
        ])
        .unwrap();
        let labelled = build(&[
            ("jenis", "Rukun kematian"),
            ("asal", "Tumbuh dari masyarakat"),
            ("tujuan", "Social resilience; Religious"),
            ("kegiatan", "Santunan duka, Seni dan olahraga"),
            ("sumber_dana", "iuran anggota, donatur"),
            ("sumber_dana_utama", "Donors"),
            ("nilai", "Tolong-menolong, gotong-royong"),
            ("status_hukum", "SK kepala desa/lurah"),
            ("frekuensi_pertemuan", "dua mingguan"),
            ("status", "TIDAK AKTIF"),
        ])
        .unwrap();
        assert_eq!(labelled, coded);
    }

    /// A misspelt value's error suggests the code, in both languages.
    #[test]
    fn unknown_codes_suggest_the_nearest() {
        let cases: &[(&str, &str, &str)] = &[
            ("jenis", "rukun kematin", "rukun_kematian"),
            ("asal", "tumbuh dari masyarakt", "tumbuh_masyarakat"),
            ("sumber_dana", "iuran anggotaa, donatur", "iuran_anggota"),
            ("kegiatan", "arisan simpan pinjem", "simpan_pinjam"),
        ];
        for (field, value, code) in cases {
            let errs = build(&[(field, value)]).unwrap_err();
            let e = errs.iter().find(|e| e.field == *field).unwrap();
            assert!(
                e.message(crate::Lang::En)
                    .contains(&format!("did you mean `{code}`?")),
                "{}",
                e.message(crate::Lang::En)
            );
            assert!(
                e.message(crate::Lang::Id)
                    .contains(&format!("maksud Anda `{code}`?")),
                "{}",
                e.message(crate::Lang::Id)
            );
        }
        let errs = build(&[("jenis", "bank sampah")]).unwrap_err();
        assert!(!errs[0].message(crate::Lang::En).contains("did you mean"));
    }

    /// An unreadable funding list is one problem: its main source is not also reported as
    /// missing from it. A main source outside a readable list still is.
    #[test]
    fn bad_funding_list_is_reported_once() {
        let errs = build(&[("sumber_dana", "iuran anggotaa, xyz")]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sumber_dana"]);
        let errs = build(&[("sumber_dana", "donatur")]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sumber_dana_utama"]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errs = build(&[("jenis", "x"), ("asal", "y"), ("tahun_berdiri", "z")]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["jenis", "asal", "tahun_berdiri"]);
    }

    #[test]
    fn wave_date_stands_in_for_survey_date() {
        let mut m = good();
        m.remove("tanggal_pendataan");
        let c = Context {
            wave_date: Date::new(2007, 9, 1),
            ..ctx()
        };
        let g = Group::from_fields(|k| m.get(k).copied(), || "K".into(), &c).unwrap();
        assert_eq!(g.survey_date.to_string(), "2007-09-01");
    }

    #[test]
    fn multi_line_notes_and_phones_that_lost_their_zero() {
        let g = build(&[
            ("catatan", "baris satu\r\nbaris dua"),
            ("telepon", "81200000001"),
        ])
        .unwrap();
        assert_eq!(g.notes.as_deref(), Some("baris satu\nbaris dua"));
        assert_eq!(g.phone.as_deref(), Some("081200000001"));
        assert!(
            build(&[("nama", "dua\nbaris")]).is_err(),
            "names stay on one line"
        );
    }

    #[test]
    fn phones() {
        for (s, ok) in [
            ("0812-0000-0001", true),
            ("+62 812 3456 7890", true),
            ("6281234567890", true),
            ("(0481) 21234", true),
            ("12345", false),
            ("0812x", false),
            ("0081234567", false),
            ("08-1", false),
        ] {
            assert_eq!(is_indonesian_phone(s), ok, "{s}");
        }
    }

    #[test]
    fn duplicate_keys_ignore_case_space_punctuation() {
        let v = RegionCode::parse("73.08.21.1002").unwrap();
        assert_eq!(
            duplicate_key(&v, GroupType::Arisan, "Arisan Ta'"),
            duplicate_key(&v, GroupType::Arisan, " arisan  TA ")
        );
        assert_ne!(
            duplicate_key(&v, GroupType::Arisan, "Arisan Ta"),
            duplicate_key(&v, GroupType::Pkk, "Arisan Ta")
        );
    }

    #[test]
    fn duplicate_keys_are_the_lowercased_alphanumerics() {
        let v = RegionCode::parse("73.08.21.1002").unwrap();
        for (name, key) in [
            ("Arisan Ta'", "7308211002|arisan|arisanta"),
            ("  ARISAN-ta 2 ", "7308211002|arisan|arisanta2"),
            (
                "Majelis Ta\u{2019}lim Al-Ikhlas",
                "7308211002|arisan|majelistalimalikhlas",
            ),
            (
                "\u{130}stanbul \u{C9}cole \u{3A3}\u{3A3}",
                "7308211002|arisan|i\u{307}stanbul\u{e9}cole\u{3c3}\u{3c3}",
            ),
            ("!!!", "7308211002|arisan|"),
        ] {
            assert_eq!(duplicate_key(&v, GroupType::Arisan, name), key, "{name}");
            let old: String = name
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(key, format!("{}|arisan|{old}", v.digits()), "{name}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(
            Wave::slug("Pendataan 2007 (sintetis)"),
            "pendataan-2007-sintetis"
        );
    }
}
