//! An import must never commit part of a file: the checking thread is made to fail part way
//! (`FAIL_CHECKING_AT`, seen by the checker of this crate's tests only) and nothing is written.
//! Runs on SQLite and, when `WAHANA_TEST_POSTGRES_URL` is set, on PostgreSQL too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{FAIL_CHECKING_AT, ImportError, ImportOptions};
use crate::service;
use crate::service::testing::stores;
use wahana_domain::instrument::Table;

/// An import whose checking thread fails after more than one message of rows was sent: the
/// rows sent are not committed, and the import is an error.
#[tokio::test]
async fn an_import_whose_checking_fails_part_way_writes_nothing() {
    for (n, store, _dir) in stores().await {
        service::demo::load(
            &store,
            service::demo::Scale::Tanete,
            wahana_domain::demo::DEFAULT_SEED,
            &|_, _| Ok(()),
        )
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kelompok.csv");
        let wave = wahana_domain::demo::demo_wave(false).id;
        let demo = dir.path().join("demo.csv");
        service::export::export(
            &store,
            &service::export::ExportRequest {
                table: Table::Groups,
                region: None,
                wave: Some(&wave),
                format: service::export::FileFormat::Csv,
                english: false,
                dialect: crate::instrument::CsvDialect::Standard,
                personal: true,
                out: &demo,
            },
            &|_| {},
        )
        .await
        .unwrap();
        let rows = three_copies(&demo, &file);
        // More rows than one message from the checking thread (1,000), so that rows have
        // reached the writer when the checking fails at the last one.
        assert!(rows > 1200, "{n}: {rows} rows");
        let last_row = rows + 1; // the header is row 1
        let before = store.counts().await.unwrap();
        let opts = ImportOptions {
            wave: Some("Uji gagal".into()),
            wave_date: wahana_domain::Date::new(2026, 8, 31),
            ..Default::default()
        };
        FAIL_CHECKING_AT.set(Some(last_row));
        let r = service::import::import_file(&store, &file, &opts, service::today(), &|_| {}).await;
        FAIL_CHECKING_AT.set(None);
        match r {
            Err(ImportError::Checking(why)) => {
                assert!(why.contains("on purpose"), "{n}: {why}")
            }
            other => panic!("{n}: expected a failed check, got {other:?}"),
        }
        let after = store.counts().await.unwrap();
        assert_eq!(format!("{after:?}"), format!("{before:?}"), "{n}");
        assert!(
            store.wave("uji-gagal").await.unwrap().is_none(),
            "{n}: the wave the import would have made"
        );
        // The same file without the failure imports whole: it was the failure that stopped it.
        let report = service::import::import_file(&store, &file, &opts, service::today(), &|_| {})
            .await
            .unwrap();
        assert!(report.committed, "{n}: {report:?}");
        assert_eq!(report.rows, rows, "{n}");
        let after = store.counts().await.unwrap();
        assert_eq!(after.groups, before.groups + rows as i64, "{n}: {after:?}");
    }
}

/// Writes the demonstration groups of `from` three times to `to`: as they are, and twice more
/// as other groups (ids `…-1NNN`, `…-2NNN`, names with " II", " III"). Returns the rows.
fn three_copies(from: &std::path::Path, to: &std::path::Path) -> u64 {
    let mut r = csv::Reader::from_path(from).unwrap();
    let headers = r.headers().unwrap().clone();
    let id = headers.iter().position(|h| h == "id").unwrap();
    let name = headers.iter().position(|h| h == "nama").unwrap();
    let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let mut w = csv::Writer::from_path(to).unwrap();
    w.write_record(&headers).unwrap();
    let mut rows = 0;
    for (copy, suffix) in [("", ""), ("1", " II"), ("2", " III")] {
        for rec in &records {
            let mut out: Vec<String> = rec.iter().map(str::to_string).collect();
            if !copy.is_empty() {
                let (head, serial) = out[id].rsplit_once('-').unwrap();
                out[id] = format!("{head}-{copy}{}", &serial[1..]);
                out[name].push_str(suffix);
            }
            w.write_record(&out).unwrap();
            rows += 1;
        }
    }
    w.flush().unwrap();
    rows
}

/// The lowest region holding two codes: their common leading segments.
#[test]
fn common_region_of_two_codes() {
    use super::write::common_region;
    for (a, b, want) in [
        ("73.08.21.1003", "73.08.21.1003", "73.08.21.1003"),
        ("73.08.21.1003", "73.08.21.1007", "73.08.21"),
        ("73.08.21.1003", "73.08.22.2001", "73.08"),
        ("73.08.21.1003", "73.08", "73.08"),
        ("73.08.21.1003", "72.01.01.2001", ""),
        // Segments, not characters: 73.1 and 73.10 share only the province.
        ("73.10.01.2001", "73.1", "73"),
    ] {
        assert_eq!(common_region(a, b), want, "{a} {b}");
    }
}

/// Past the first `MAX_PROBLEMS` warnings the checking sends them bare, to be counted: the
/// report still counts every one, and keeps the first ones with their text.
#[tokio::test]
async fn warnings_past_the_kept_ones_are_counted_all_the_same() {
    use super::MAX_PROBLEMS;
    let rows = MAX_PROBLEMS + 25;
    for (n, store, _dir) in stores().await {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kelompok.csv");
        let mut text = String::from(
            "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan,anggota_perempuan,tujuan,nilai,telepon\n",
        );
        for i in 0..rows {
            text.push_str(&format!(
                "73.08.21.1001,Arisan {i},arisan,tumbuh_masyarakat,1990,2007-08-14,20,kesejahteraan_anggota,kebersamaan,81234567890\n"
            ));
        }
        std::fs::write(&file, text).unwrap();
        let opts = ImportOptions {
            wave: Some("Uji peringatan".into()),
            dry_run: true,
            ..Default::default()
        };
        let r = service::import::import_file(&store, &file, &opts, service::today(), &|_| {})
            .await
            .unwrap();
        assert_eq!(
            r.warning_counts.get("phone_leading_zero"),
            Some(&(rows as u64)),
            "{n}"
        );
        assert_eq!(
            r.warnings_total,
            r.warning_counts.values().sum::<u64>(),
            "{n}"
        );
        assert_eq!(r.warnings.len(), MAX_PROBLEMS, "{n}");
        assert!(
            r.warnings.iter().all(|w| w.became == "081234567890"
                && !w.says_id.is_empty()
                && !w.field.is_empty()),
            "{n}"
        );
        assert_eq!(
            r.warnings.last().map(|w| w.row),
            Some(MAX_PROBLEMS as u64 + 1),
            "{n}"
        );
    }
}
