//! The instrument's files (`instrument.md`): reading CSV and XLSX tables as they come from the
//! wild, mapping their headers onto the instrument's columns, writing exports, and writing the
//! XLSForm that enumerators fill on ODK Collect or KoboCollect.
//!
//! Validation of the values is not here: rows go through `Group::from_fields` and its siblings in
//! `wahana-domain`, which this module feeds with [`headers::HeaderMap::getter`].
//!
//! - [`read`] streams rows ([`read::open_table`] yields [`read::RawRow`]s); CSV never holds the
//!   file in memory, and a workbook's sheet costs the cells it holds, not the size it claims
//!   (`workbook`); [`limits`] are what a file may hold before it is refused.
//! - [`headers`] maps headers ([`headers::map_headers`]): Indonesian and English names, Kobo/ODK
//!   prefixes, metadata kept as provenance.
//! - [`write`] writes exports through [`write::RowSink`], [`write::CsvSink`] and
//!   [`write::XlsxSink`].
//! - [`formula`] guards CSV cells a spreadsheet would run as formulas, and undoes the guard on
//!   import.
//! - [`xlsform`] writes the form ([`xlsform::write_xlsform`]), and [`xform`] the same form as
//!   the XForm ODK Collect downloads from wahana ([`xform::xform`]), with its CSV media.

// The import/export service is being built on this API; until every part of it is called from
// `service/` and `cli/`, unused items are expected.
#![allow(dead_code)]

pub mod formula;
pub mod headers;
pub mod limits;
pub mod read;
pub mod template;
mod workbook;
pub mod write;
pub mod xform;
mod xls;
pub mod xlsform;

// The API, for `service/` and `cli/`.
#[allow(unused_imports)]
pub use headers::{ColumnRole, HeaderMap, HeaderProblem, HeaderProblemKind, map_headers};
#[allow(unused_imports)]
pub use read::{Cancel, FileKind, RawRow, ReadError, TableReader, open_table, open_table_until};
#[allow(unused_imports)]
pub use write::{CsvDialect, CsvSink, RowSink, WriteError, XlsxSink, header_names};
#[allow(unused_imports)]
pub use xform::{MediaFile, XForm, resurvey_xform, xform};
#[allow(unused_imports)]
pub use xlsform::write_xlsform;

/// The column letter a spreadsheet shows for a 0-based column index: 0 → `A`, 25 → `Z`,
/// 26 → `AA`, 701 → `ZZ`, 702 → `AAA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn column_letters() {
        for (i, want) in [
            (0, "A"),
            (1, "B"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (51, "AZ"),
            (52, "BA"),
            (701, "ZZ"),
            (702, "AAA"),
            (16383, "XFD"),
        ] {
            assert_eq!(column_letter(i), want, "{i}");
        }
    }
}

/// The files under `tests/fixtures/instrument/`, shaped as they come from the wild, read end to
/// end: reader, header mapping, and the domain's `from_fields`.
#[cfg(test)]
mod fixtures {
    use super::read::{ReadError, open_table};
    use std::path::PathBuf;
    use wahana_domain::instrument::Table;
    use wahana_domain::registry::duplicate_key;
    use wahana_domain::{Context, Date, FieldError, Group, Lang, RegionTree, Tie};

    fn path(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/instrument")
            .join(name)
    }

    fn ctx() -> Context<'static> {
        Context {
            regions: RegionTree::official(),
            today: Date::new(2026, 11, 29).unwrap(),
            wave_date: None,
        }
    }

    /// Every row of a groups file: its row number and what `Group::from_fields` made of it,
    /// with the provenance kept for it.
    fn groups(
        name: &str,
        sheet: Option<&str>,
    ) -> Vec<(
        u64,
        Result<Group, Vec<FieldError>>,
        Option<serde_json::Value>,
    )> {
        let mut reader = open_table(&path(name), sheet).unwrap();
        let map = reader.map_headers(None, false).unwrap();
        assert_eq!(map.table(), Table::Groups, "{name}");
        let ctx = ctx();
        let mut out = Vec::new();
        let mut cells = Vec::new();
        while let Some(row) = reader.read_into(&mut cells).unwrap() {
            let group = Group::from_fields(map.getter(&cells), || format!("K-{row}"), &ctx);
            out.push((row, group, map.provenance(&cells)));
        }
        out
    }

    fn all_good(name: &str, sheet: Option<&str>) -> Vec<(u64, Group)> {
        groups(name, sheet)
            .into_iter()
            .map(|(row, g, _)| match g {
                Ok(g) => (row, g),
                Err(e) => panic!(
                    "{name} row {row}: {:?}",
                    e.iter().map(|e| e.message(Lang::En)).collect::<Vec<_>>()
                ),
            })
            .collect()
    }

    #[test]
    fn excel_indonesian_locale_csv() {
        let got = all_good("kelompok_excel_id.csv", None);
        let rows: Vec<u64> = got.iter().map(|(r, _)| *r).collect();
        assert_eq!(rows, [2, 3, 4, 5, 6]);
        let (_, first) = &got[0];
        assert_eq!(first.name, "Arisan Ta'");
        assert_eq!(first.latitude, Some(-4.535727), "decimal comma");
        assert_eq!(
            first.survey_date.to_string(),
            "2025-08-14",
            "day-first date"
        );
        assert_eq!(first.id, "K-2", "no id: one is assigned");
    }

    #[test]
    fn comma_csv_with_quotes_apostrophes_and_trailing_empties() {
        let got = all_good("kelompok_koma_kutip.csv", None);
        let names: Vec<&str> = got.iter().map(|(_, g)| g.name.as_str()).collect();
        assert_eq!(names.len(), 8);
        assert_eq!(names[0], "Arisan Ta'");
        assert_eq!(names[1], "Rukun Kematian Jeppe'e");
        assert_eq!(names[2], "Arisan \"Bunga\"");
        assert_eq!(names[3], "Majelis Taklim Regapu\u{2019}u");
        assert_eq!(got[2].1.id, "K-TR-003");
        assert_eq!(got[7].0, 9);
    }

    #[test]
    fn english_headers_in_another_order() {
        let got = all_good("kelompok_english.csv", None);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1.name, "Posyandu Mawar Manurunge");
    }

    #[test]
    fn xlsx_with_numbers_and_date_cells() {
        let got = all_good("kelompok.xlsx", None);
        assert_eq!(got.len(), 8);
        assert_eq!(got[0].1.founded_year, 1998);
        assert_eq!(got[0].1.survey_date.to_string(), "2025-08-14");
        assert_eq!(got[4].1.dues_rupiah, None);
        assert_eq!(got[0].1.dues_rupiah, Some(20000));

        let mut reader = open_table(&path("kelompok.xlsx"), Some("ikatan")).unwrap();
        let map = reader.map_headers(None, false).unwrap();
        assert_eq!(map.table(), Table::Ties);
        let ctx = ctx();
        let mut cells = Vec::new();
        let mut ties = Vec::new();
        while reader.read_into(&mut cells).unwrap().is_some() {
            ties.push(Tie::from_fields(map.getter(&cells), &ctx).unwrap());
        }
        assert_eq!(ties.len(), 2);
        assert_eq!(ties[0].since, Some(2005));
    }

    #[test]
    fn ties_csv() {
        let mut reader = open_table(&path("ikatan.csv"), None).unwrap();
        let map = reader.map_headers(None, false).unwrap();
        assert_eq!(map.table(), Table::Ties);
        let ctx = ctx();
        let mut n = 0;
        for row in reader.by_ref() {
            let row = row.unwrap();
            Tie::from_fields(map.getter(&row.cells), &ctx).unwrap();
            n += 1;
        }
        assert_eq!(n, 4);
    }

    #[test]
    fn kobo_and_odk_central_exports_import_with_provenance() {
        for (name, key, value) in [
            (
                "kobo_export.csv",
                "_uuid",
                "00000000-0000-4000-8000-000000000000",
            ),
            (
                "odk_central_export.csv",
                "KEY",
                "uuid:00000000-0000-4000-8000-000000000010",
            ),
        ] {
            let got = groups(name, None);
            assert_eq!(got.len(), 4, "{name}");
            for (row, g, prov) in &got {
                let g = g
                    .as_ref()
                    .unwrap_or_else(|e| panic!("{name} row {row}: {e:?}"));
                assert!(
                    g.latitude.is_some() && g.longitude.is_some(),
                    "{name}: lokasi"
                );
                assert!(
                    prov.as_ref().is_some_and(|p| p.get("start").is_some()),
                    "{name}"
                );
            }
            let (_, first, prov) = &got[0];
            let first = first.as_ref().unwrap();
            assert_eq!(first.name, "Kelompok Tani Sipakainge");
            assert_eq!(first.funding.to_codes(), "bantuan_pemerintah hasil_usaha");
            assert_eq!(first.latitude, Some(-4.505085));
            assert_eq!(prov.as_ref().unwrap()[key], value, "{name}");
        }
    }

    /// (file, row, field, a fragment of the English message)
    #[test]
    fn bad_rows_are_named_by_row_and_field() {
        let cases: &[(&str, &[(u64, &str, &str)])] = &[
            (
                "salah_kode_wilayah.csv",
                &[(3, "kode_wilayah", "73.08.21.1008 Masumpu")],
            ),
            (
                "salah_tahun_depan.csv",
                &[(4, "tahun_berdiri", "1800 to 2025")],
            ),
            ("salah_jenis.csv", &[(2, "jenis", "one of: arisan")]),
            (
                "salah_banyak_masalah.csv",
                &[
                    (2, "jenis", "one of"),
                    (2, "telepon", "Indonesian phone"),
                    (3, "sumber_dana_utama", "codes in sumber_dana"),
                    (5, "lintang", "inside Indonesia"),
                ],
            ),
        ];
        for (name, want) in cases {
            let mut found = Vec::new();
            for (row, g, _) in groups(name, None) {
                if let Err(errors) = g {
                    for e in errors {
                        found.push((row, e.field.clone(), e.message(Lang::En)));
                    }
                }
            }
            for (wrow, wfield, fragment) in *want {
                assert!(
                    found
                        .iter()
                        .any(|(r, f, m)| r == wrow && f == wfield && m.contains(fragment)),
                    "{name}: no error on row {wrow}, {wfield} with {fragment:?}: {found:#?}"
                );
            }
            let mut rows: Vec<u64> = found.iter().map(|(r, _, _)| *r).collect();
            rows.dedup();
            let mut want_rows: Vec<u64> = want.iter().map(|(r, _, _)| *r).collect();
            want_rows.dedup();
            assert_eq!(rows, want_rows, "{name}: only the bad rows are rejected");
        }
    }

    #[test]
    fn bad_headers_are_named_by_column() {
        let reader = open_table(&path("salah_kolom_wajib_hilang.csv"), None).unwrap();
        let problems = reader.map_headers(Some(Table::Groups), false).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code(), "missing_column");
        assert!(problems[0].message(Lang::En).contains("\"asal\" (origin)"));

        let reader = open_table(&path("salah_kolom_asing.csv"), None).unwrap();
        let problems = reader.map_headers(None, false).unwrap_err();
        assert_eq!(problems.len(), 1);
        let msg = problems[0].message(Lang::Id);
        assert!(msg.starts_with("kolom D (\"keterangan\")"), "{msg}");
        assert!(
            reader.map_headers(None, true).is_ok(),
            "unless unknown columns are ignored"
        );
    }

    #[test]
    fn windows_1252_is_reported_with_row_and_column() {
        let mut reader = open_table(&path("salah_bukan_utf8.csv"), None).unwrap();
        let mut cells = Vec::new();
        assert_eq!(reader.read_into(&mut cells).unwrap(), Some(2));
        let err = reader.read_into(&mut cells).unwrap_err();
        assert!(
            matches!(err, ReadError::NotUtf8 { row: 3, column: 3 }),
            "{err:?}"
        );
        assert!(err.message(Lang::Id).contains("baris 3, kolom D"));
    }

    #[test]
    fn duplicate_rows_share_a_duplicate_key() {
        let got = all_good("salah_duplikat.csv", None);
        let keys: Vec<(u64, String)> = got
            .iter()
            .map(|(r, g)| (*r, duplicate_key(&g.village, g.group_type, &g.name)))
            .collect();
        assert_eq!(keys[0].1, keys[3].1, "rows 2 and 5");
        assert_eq!(keys[3].0, 5);
        assert_ne!(keys[0].1, keys[1].1);
    }
}
