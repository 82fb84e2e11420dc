use crate::harness::{Env, envs, fixtures};
use std::path::PathBuf;

fn fx(name: &str) -> String {
    fixtures()
        .join("instrument")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn report(env: &Env, args: &[&str]) -> (bool, serde_json::Value) {
    let mut full = vec!["import", "--json"];
    full.extend_from_slice(args);
    let out = env.run(&full);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}\n{}",
            env.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), json)
}

/// The summary names the table in the chosen language ("rows of groups", not "kelompok rows").
#[test]
fn import_summary_names_the_table_in_the_language() {
    for env in envs() {
        env.ok(&["init"]);
        let out = env.run(&["--lang", "en", "import", &fx("kelompok_english.csv")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {stderr}", env.name);
        assert!(
            stderr.contains("3 rows of groups read") && !stderr.contains("kelompok rows"),
            "{}: {stderr}",
            env.name
        );
        let out = env.run(&[
            "--lang",
            "id",
            "import",
            "--allow-duplicates",
            &fx("kelompok_english.csv"),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.contains("3 baris kelompok dibaca"),
            "{}: {stderr}",
            env.name
        );
    }
}

/// Files as they come from the wild import without editing.
#[test]
fn wild_files_import() {
    let cases: &[(&str, &[&str], u64)] = &[
        ("kelompok_excel_id.csv", &[], 5),
        ("kelompok_koma_kutip.csv", &[], 8),
        ("kelompok_english.csv", &[], 3),
        ("kelompok.xlsx", &[], 8),
        ("kobo_export.csv", &[], 4),
        ("odk_central_export.csv", &[], 4),
    ];
    for env in envs() {
        env.ok(&["init"]);
        let mut total = 0;
        for (file, extra, rows) in cases {
            let path = fx(file);
            let mut args = vec![path.as_str(), "--allow-duplicates"];
            args.extend_from_slice(extra);
            let (ok, json) = report(&env, &args);
            assert!(ok, "{}: {file}: {json}", env.name);
            assert_eq!(
                json["written"].as_u64(),
                Some(*rows),
                "{}: {file}",
                env.name
            );
            assert_eq!(json["table"], "groups");
            total += json["created"].as_u64().unwrap();
        }
        assert_eq!(env.group_count() as u64, total, "{}", env.name);
        // Names with apostrophes and quotes are kept exactly.
        let out = env.ok(&["groups", "list", "--format", "csv", "--limit", "1000"]);
        for name in [
            "Arisan Ta'",
            "Rukun Kematian Jeppe'e",
            "\"Arisan \"\"Bunga\"\"\"",
            "Majelis Taklim Regapu\u{2019}u",
        ] {
            assert!(out.contains(name), "{}: {name} missing", env.name);
        }
        // Ties name groups created by an earlier import; the XLSX's second sheet holds ties.
        let (ok, json) = report(&env, &[&fx("ikatan.csv")]);
        assert!(ok, "{}: {json}", env.name);
        assert_eq!(json["table"], "ties");
        let (ok, json) = report(&env, &[&fx("kelompok.xlsx"), "--sheet", "ikatan"]);
        assert!(ok, "{}: {json}", env.name);
        // ODK/KoBo metadata is kept as provenance.
        let list: serde_json::Value = serde_json::from_str(&env.ok(&[
            "groups",
            "list",
            "--format",
            "json",
            "--name",
            "Sipakainge",
            "--limit",
            "10",
        ]))
        .unwrap();
        let provs: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["provenance"].as_str())
            .collect();
        assert!(
            provs.iter().any(|p| p.contains("kobo_export.csv")
                && p.contains("_uuid")
                && p.contains("deviceid")),
            "{}: {provs:?}",
            env.name
        );
        assert!(
            provs
                .iter()
                .any(|p| p.contains("odk_central_export.csv") && p.contains("KEY")),
            "{}: {provs:?}",
            env.name
        );
    }
}

/// (file, problems: (row, column letter, field, fragment of the English message))
#[test]
fn bad_files_are_refused_whole_with_every_problem() {
    let cases: &[(&str, &[(u64, &str, &str)])] = &[
        (
            "salah_kode_wilayah.csv",
            &[(3, "kode_wilayah", "73.08.21.1008 Masumpu")],
        ),
        (
            "salah_tahun_depan.csv",
            &[(4, "tahun_berdiri", "whole number from 1800 to 2025")],
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
        ("salah_duplikat.csv", &[(5, "nama", "likely duplicate")]),
        (
            "salah_kolom_asing.csv",
            &[(1, "keterangan", "unknown column")],
        ),
        ("salah_kolom_wajib_hilang.csv", &[(1, "", "\"asal\"")]),
        ("salah_bukan_utf8.csv", &[(3, "", "not UTF-8")]),
    ];
    for env in envs() {
        env.ok(&["init"]);
        for (file, want) in cases {
            let out = env.run(&["--lang", "en", "import", "--json", &fx(file)]);
            assert!(!out.status.success(), "{}: {file} must fail", env.name);
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let problems = json["problems"].as_array().unwrap();
            assert_eq!(
                problems.len(),
                want.len(),
                "{}: {file}: {problems:#?}",
                env.name
            );
            assert_eq!(json["committed"], false);
            for (p, (row, field, fragment)) in problems.iter().zip(want.iter()) {
                assert_eq!(p["row"].as_u64(), Some(*row), "{}: {file}: {p}", env.name);
                if !field.is_empty() {
                    assert_eq!(p["field"], *field, "{}: {file}", env.name);
                }
                let text = format!(
                    "{} {}",
                    p["expected_en"].as_str().unwrap(),
                    p["value"].as_str().unwrap()
                );
                assert!(
                    text.contains(fragment),
                    "{}: {file}: {text} lacks {fragment}",
                    env.name
                );
            }
            // The text report names the file, row and column, in the chosen language.
            let stderr = env.fails(&["import", &fx(file)]);
            assert!(
                stderr.contains(file) && stderr.contains("TIDAK ADA yang ditulis"),
                "{}: {stderr}",
                env.name
            );
        }
        assert_eq!(
            env.group_count(),
            0,
            "{}: a rejected import writes nothing",
            env.name
        );
    }
}

#[test]
fn accept_clean_writes_clean_rows_and_returns_the_rest() {
    for env in envs() {
        env.ok(&["init"]);
        let rejects = env.path("ditolak.csv");
        let rejects_s = rejects.to_string_lossy().into_owned();
        let out = env.run(&[
            "import",
            &fx("salah_banyak_masalah.csv"),
            "--accept-clean",
            "--rejects",
            &rejects_s,
        ]);
        assert!(
            !out.status.success(),
            "{}: rejected rows make the exit status non-zero",
            env.name
        );
        assert_eq!(env.group_count(), 1, "{}", env.name);
        let text = std::fs::read_to_string(&rejects).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert!(
            header.starts_with("id,kode_wilayah") && header.ends_with(",kesalahan"),
            "{header}"
        );
        assert_eq!(
            text.lines().count(),
            4,
            "{}: header and three rejected rows",
            env.name
        );
        assert!(text.contains("arsan") && text.contains("tidak sah"));
        // Fixed, the rejects file imports (the kesalahan column is not the instrument's).
        let fixed = text
            .replace(";arsan;", ";arisan;")
            .replace(",arsan,", ",arisan,")
            .replace(",12345,", ",0812-0000-0077,")
            .replace(
                ",iuran_anggota donatur,perantau,",
                ",iuran_anggota donatur,donatur,",
            )
            .replace(",40,120.342573,", ",-4.505085,120.342573,");
        let fixed_path = env.path("diperbaiki.csv");
        std::fs::write(&fixed_path, fixed).unwrap();
        let out = env.run(&[
            "import",
            &fixed_path.to_string_lossy(),
            "--ignore-unknown-columns",
        ]);
        assert!(
            out.status.success(),
            "{}: {}",
            env.name,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(env.group_count(), 4, "{}", env.name);
    }
}

/// Export, import into an empty database and export again gives identical files.
#[test]
fn export_import_export_is_identical() {
    for env in envs() {
        env.ok(&["demo"]);
        let tables = ["wahana", "lembaga", "kelompok", "ikatan"];
        let first: Vec<PathBuf> = tables
            .iter()
            .map(|t| env.path(&format!("1_{t}.csv")))
            .collect();
        for (t, p) in tables.iter().zip(&first) {
            env.ok(&[
                "export",
                "--table",
                t,
                "--region",
                "73.08.21",
                "--out",
                &p.to_string_lossy(),
            ]);
        }
        let other = crate::harness::Env {
            name: env.name,
            dir: tempfile::tempdir().unwrap(),
            database: if env.name == "sqlite" {
                env.path("other.db").to_string_lossy().into_owned()
            } else {
                crate::harness::fresh_postgres_database(&crate::harness::postgres_url().unwrap())
            },
        };
        for p in &first {
            other.ok(&[
                "import",
                &p.to_string_lossy(),
                "--wave",
                "Salinan 2007",
                "--date",
                "2007-08-31",
            ]);
        }
        for (t, p) in tables.iter().zip(&first) {
            let second = env.path(&format!("2_{t}.csv"));
            other.ok(&["export", "--table", t, "--out", &second.to_string_lossy()]);
            let a = std::fs::read(p).unwrap();
            let b = std::fs::read(&second).unwrap();
            assert!(a.len() > 100, "{t}");
            assert!(a == b, "{}: {t} differs after a round trip", env.name);
        }
        // XLSX and English headers: written here, read back through calamine by the importer.
        let xlsx = env.path("kelompok.xlsx");
        env.ok(&[
            "export",
            "--region",
            "73.08.21.1001",
            "--format",
            "xlsx",
            "--english",
            "--out",
            &xlsx.to_string_lossy(),
        ]);
        let third = crate::harness::Env {
            name: env.name,
            dir: tempfile::tempdir().unwrap(),
            database: String::new(),
        };
        let third = crate::harness::Env {
            database: third.dir.path().join("x.db").to_string_lossy().into_owned(),
            ..third
        };
        third.ok(&[
            "import",
            &xlsx.to_string_lossy(),
            "--wave",
            "x",
            "--date",
            "2007-08-31",
        ]);
        let back = third.path("back.csv");
        third.ok(&["export", "--out", &back.to_string_lossy()]);
        let orig = env.path("orig.csv");
        env.ok(&[
            "export",
            "--region",
            "73.08.21.1001",
            "--out",
            &orig.to_string_lossy(),
        ]);
        assert_eq!(
            std::fs::read_to_string(back).unwrap(),
            std::fs::read_to_string(orig).unwrap(),
            "{}: xlsx round trip",
            env.name
        );
    }
}

/// A file of `n` valid groups spread over the 8 kelurahan of Tanete Riattang.
fn big_file(path: &std::path::Path, n: usize) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "kode_wilayah,nama,jenis,asal,tahun_berdiri,dasar_keanggotaan,tujuan,sumber_dana,nilai,tanggal_pendataan").unwrap();
    for i in 0..n {
        writeln!(
            w,
            "73.08.21.100{},Arisan Uji {i},arisan,tumbuh_masyarakat,{},domisili,ketahanan_sosial,iuran_anggota,kebersamaan gotong_royong,2007-08-14",
            1 + i % 8,
            1950 + i % 50
        )
        .unwrap();
    }
}

/// An import killed at any moment leaves the database exactly as it was.
#[test]
fn an_import_killed_midway_leaves_the_database_as_before() {
    for env in envs() {
        env.ok(&["demo"]);
        let before = env.group_count();
        let big = env.path("besar.csv");
        big_file(&big, 500_000);
        for delay_ms in [100u64, 400, 1000] {
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wahana"))
                .current_dir(env.dir.path())
                .args([
                    "--database",
                    &env.database,
                    "import",
                    &big.to_string_lossy(),
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let finished = child.try_wait().unwrap().is_some();
            assert!(
                !finished,
                "{}: the import ended before {delay_ms} ms; make the file bigger",
                env.name
            );
            child.kill().unwrap(); // SIGKILL: no chance to clean up
            child.wait().unwrap();
            assert_eq!(
                env.group_count(),
                before,
                "{}: killed after {delay_ms} ms",
                env.name
            );
            if env.name == "sqlite" {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let check: String = rt.block_on(async {
                    use sqlx::Connection;
                    let mut c =
                        sqlx::SqliteConnection::connect(&format!("sqlite://{}", env.database))
                            .await
                            .unwrap();
                    sqlx::query_scalar("PRAGMA integrity_check")
                        .fetch_one(&mut c)
                        .await
                        .unwrap()
                });
                assert_eq!(check, "ok", "after a kill at {delay_ms} ms");
            }
        }
        // And the same file, left alone, imports whole.
        let out = env.run(&["import", &big.to_string_lossy()]);
        assert!(
            out.status.success(),
            "{}: {}",
            env.name,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(env.group_count(), before + 500_000, "{}", env.name);
    }
}

/// Hostile workbooks (tests/fixtures/hostile): a cell at XFD1048576, a zip bomb, an ODS row
/// repeated a billion times, an old .xls with a far cell. Each used to abort the process (status
/// 134, an allocation of hundreds of gigabytes) or spin for minutes; each is now refused with a
/// clear message naming what was found and the limit, and nothing is written.
#[test]
fn hostile_workbooks_are_refused_clearly() {
    let hostile = |name: &str| {
        fixtures()
            .join("hostile")
            .join(name)
            .to_string_lossy()
            .into_owned()
    };
    let cases = [
        (
            "xfd1048576.xlsx",
            "cell_out_of_range",
            "the sheet \"kelompok\" has a cell at XFD1048576, beyond the 1,024 columns wahana reads",
        ),
        ("zip_bomb.xlsx", "archive_ratio", "a zip bomb"),
        (
            "rows_repeated.ods",
            "cell_out_of_range",
            "beyond the 1,048,576 rows wahana reads",
        ),
        ("far_cell.xls", "xls_too_large", "16,777,216 cells"),
    ];
    for env in envs() {
        env.ok(&["init"]);
        for (file, code, message) in cases {
            for dry_run in [true, false] {
                let mut args = vec!["--lang", "en", "import", "--json"];
                if dry_run {
                    args.push("--dry-run");
                }
                let path = hostile(file);
                args.push(&path);
                let out = env.run(&args);
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(
                    out.status.code(),
                    Some(1),
                    "{} {file}: {:?} {stderr}",
                    env.name,
                    out.status
                );
                let json: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{} {file}: {e}: {stderr}", env.name));
                let problem = json["problems"]
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["code"] == code))
                    .unwrap_or_else(|| panic!("{} {file}: no {code}: {json}", env.name));
                let text = problem["expected_en"].as_str().unwrap_or_default();
                assert!(text.contains(message), "{} {file}: {text}", env.name);
                assert_eq!(json["committed"], false, "{} {file}", env.name);
            }
        }
        assert_eq!(env.group_count(), 0, "{}", env.name);
    }
}

/// Names and notes a spreadsheet would run as formulas are written to CSV behind a `'` (exports,
/// `groups list`, `screen`), read back without it, and stay plain strings in XLSX.
#[test]
fn csv_formula_cells_are_guarded_and_round_trip() {
    for env in envs() {
        env.ok(&["init"]);
        let src = env.path("formula.csv");
        std::fs::write(
            &src,
            "name,type,origin,founded_year,region_code,survey_date,longitude,latitude,notes\n\
             \"=HYPERLINK(\"\"http://evil.example\"\",\"\"klik\"\")\",posyandu,dibentuk_pemerintah,1992,73.08.21.1006,2025-08-16,119.9,-4.5,@SUM(1)\n\
             -Arisan Minus,karang_taruna,dibentuk_pemerintah,2001,73.08.21.1007,2025-08-17,120.1,-4.6,\"''=kutip\"\n\
             +Kube Plus,kube,dibentuk_pihak_luar,2015,73.08.21.1008,2025-08-17,,,biasa\n",
        )
        .unwrap();
        env.ok(&[
            "import",
            &src.to_string_lossy(),
            "--wave",
            "w",
            "--date",
            "2025-08-31",
        ]);
        let names = env.ok(&["groups", "list", "--format", "json", "--limit", "10"]);
        assert!(
            names.contains("=HYPERLINK(\\\"http://evil.example"),
            "{names}"
        );

        let first = env.path("first.csv");
        env.ok(&["export", "--out", &first.to_string_lossy()]);
        let text = std::fs::read_to_string(&first).unwrap();
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://evil.example")
                && text.contains(",'@SUM(1)")
                && text.contains("'-Arisan Minus,")
                && text.contains(",''=kutip")
                && text.contains("'+Kube Plus,"),
            "{}: {text}",
            env.name
        );
        assert!(
            text.contains(",-4.5,") && !text.contains("'-4.5"),
            "numbers stay numbers: {text}"
        );
        for line in text.lines().skip(1) {
            assert!(
                line.split(',').all(|c| !c.starts_with(['=', '+', '@'])),
                "{}: {line}",
                env.name
            );
        }

        let list = env.ok(&["groups", "list", "--format", "csv", "--limit", "10"]);
        assert!(
            list.contains("'=HYPERLINK") && list.contains("'-Arisan Minus"),
            "{list}"
        );
        let screen = env.ok(&["screen", "--region", "73.08.21", "--format", "csv"]);
        assert!(
            screen.contains("'=HYPERLINK") && !screen.contains(",=HYPERLINK"),
            "{screen}"
        );

        // Imported into an empty database, the export is the same file.
        let other = crate::harness::Env {
            name: env.name,
            dir: tempfile::tempdir().unwrap(),
            database: String::new(),
        };
        let other = crate::harness::Env {
            database: other.dir.path().join("x.db").to_string_lossy().into_owned(),
            ..other
        };
        other.ok(&[
            "import",
            &first.to_string_lossy(),
            "--wave",
            "w",
            "--date",
            "2025-08-31",
        ]);
        let second = other.path("second.csv");
        other.ok(&["export", "--out", &second.to_string_lossy()]);
        assert_eq!(
            text,
            std::fs::read_to_string(&second).unwrap(),
            "{}",
            env.name
        );

        // XLSX: strings, never formulas; and back through the importer unchanged.
        let xlsx = env.path("k.xlsx");
        env.ok(&[
            "export",
            "--format",
            "xlsx",
            "--out",
            &xlsx.to_string_lossy(),
        ]);
        {
            use calamine::{Data, Reader, open_workbook_auto};
            let mut wb = open_workbook_auto(&xlsx).unwrap();
            let range = wb.worksheet_range("kelompok").unwrap();
            assert!(
                range.used_cells().any(|(_, _, v)| *v
                    == Data::String("=HYPERLINK(\"http://evil.example\",\"klik\")".into())),
                "{}",
                env.name
            );
            let formulas = wb.worksheet_formula("kelompok").unwrap();
            assert!(formulas.used_cells().next().is_none(), "{}", env.name);
        }
        let third = crate::harness::Env {
            name: env.name,
            dir: tempfile::tempdir().unwrap(),
            database: String::new(),
        };
        let third = crate::harness::Env {
            database: third.dir.path().join("x.db").to_string_lossy().into_owned(),
            ..third
        };
        third.ok(&[
            "import",
            &xlsx.to_string_lossy(),
            "--wave",
            "w",
            "--date",
            "2025-08-31",
        ]);
        let back = third.path("back.csv");
        third.ok(&["export", "--out", &back.to_string_lossy()]);
        assert_eq!(
            text,
            std::fs::read_to_string(&back).unwrap(),
            "{}",
            env.name
        );
    }
}

/// Issue 11, point 2: with ids of letters and of five digits held in a village, groups added
/// at the command line and imported without ids get ids of their own; nothing held is
/// replaced ("created 2, updated 0"), and a file's id that a network holds is refused.
#[test]
fn new_ids_follow_ids_of_letters_and_five_digits() {
    for env in envs() {
        env.ok(&["init"]);
        env.ok(&["waves", "add", "--name", "Pencatatan 2026"]);
        let add = |extra: &[&str]| {
            let mut args = vec![
                "groups",
                "add",
                "--region",
                "7308211002",
                "--type",
                "arisan",
                "--origin",
                "tumbuh_masyarakat",
                "--founded",
                "1995",
                "--format",
                "json",
            ];
            args.extend_from_slice(extra);
            let g: serde_json::Value = serde_json::from_str(&env.ok(&args)).unwrap();
            g["id"].as_str().unwrap().to_string()
        };
        add(&["--name", "Huruf", "--set", "id=K-7308211002-ABC"]);
        add(&["--name", "Lima Angka", "--set", "id=K-7308211002-10000"]);
        let held = |id: &str| env.ok(&["groups", "show", id, "--format", "json"]);
        let before = [held("K-7308211002-ABC"), held("K-7308211002-10000")];
        assert_eq!(
            add(&["--name", "Baru"]),
            "K-7308211002-10001",
            "{}",
            env.name
        );
        let csv = env.path("baru.csv");
        std::fs::write(
            &csv,
            "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n\
             73.08.21.1002,Impor Satu,arisan,tumbuh_masyarakat,1990,2026-01-05\n\
             73.08.21.1002,Impor Dua,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
        )
        .unwrap();
        let (_, r) = report(&env, &[csv.to_str().unwrap()]);
        assert_eq!(
            (r["created"].as_u64(), r["updated"].as_u64()),
            (Some(2), Some(0))
        );
        assert_eq!(
            [held("K-7308211002-ABC"), held("K-7308211002-10000")],
            before,
            "{}",
            env.name
        );
        for id in ["K-7308211002-10002", "K-7308211002-10003"] {
            assert!(held(id).contains("Impor"), "{}: {id}", env.name);
        }

        // A network's id is no group's.
        env.ok(&[
            "networks",
            "add",
            "--region",
            "7308211002",
            "--name",
            "Wahana Satu",
            "--set",
            "id=W-SATU",
            "--set",
            "tingkat=desa",
        ]);
        let err = env.fails(&[
            "groups",
            "add",
            "--region",
            "7308211002",
            "--name",
            "Kembar",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1995",
            "--set",
            "id=W-SATU",
        ]);
        assert!(err.contains("wahana"), "{}: {err}", env.name);
        std::fs::write(
            &csv,
            "id,kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n\
             W-SATU,73.08.21.1002,Kembar,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
        )
        .unwrap();
        let (_, r) = report(&env, &[csv.to_str().unwrap()]);
        assert_eq!(r["problems"][0]["code"], "id_taken", "{}: {r}", env.name);
        assert_eq!(r["committed"], false, "{}", env.name);
    }
}

/// Text PostgreSQL's COPY would misread if it were not escaped (backslash sequences, the NULL
/// marker `\N`, a trailing backslash, quotes, tabs and line breaks in notes, non-ASCII) comes
/// back exactly: imported into an empty database (on PostgreSQL, COPY straight into the
/// table), exported, imported again into another empty database and over itself (the ids held:
/// through the staging table's upsert), exported again.
#[test]
fn text_round_trips_exactly_through_import_and_export() {
    let names = [
        r"Kelompok \t bukan tab \n bukan baris",
        r"Jalan \\ miring \N kosong",
        r"\N",
        r"\",
        r"Akhir\",
        "\"Kutip\" dan 'petik' Ma'ruf",
        "Kelompok Wanita Tani Ñusa — 日本語 🌾",
    ];
    let notes = [
        "baris satu\nbaris\tdua",
        r"\N",
        "tab\takhir\\",
        "",
        "\\.\n\\.",
        "kutip \"ganda\", koma; 'tunggal'",
        "Ñ — 日本語\n🌾",
    ];
    let chairs = ["Dg. Ma'ruf \\ \"Ketua\"", "", r"\N", "Ñoño", "", "", "\\t"];
    for env in envs() {
        env.ok(&["init"]);
        let src = env.path("teks.csv");
        {
            let mut w = csv::Writer::from_path(&src).unwrap();
            w.write_record([
                "id",
                "kode_wilayah",
                "nama",
                "jenis",
                "asal",
                "tahun_berdiri",
                "tujuan",
                "nilai",
                "tanggal_pendataan",
                "ketua",
                "catatan",
            ])
            .unwrap();
            for (i, ((name, note), chair)) in names.iter().zip(notes).zip(chairs).enumerate() {
                let id = format!("K-TEKS-{i:03}");
                let year = (1990 + i).to_string();
                w.write_record([
                    id.as_str(),
                    "73.08.21.1001",
                    name,
                    "arisan",
                    "tumbuh_masyarakat",
                    &year,
                    "ketahanan_sosial",
                    "kebersamaan",
                    "2007-08-14",
                    chair,
                    note,
                ])
                .unwrap();
            }
            w.flush().unwrap();
        }
        let import = |e: &Env, file: &std::path::Path| {
            let (ok, r) = report(
                e,
                &[
                    &file.to_string_lossy(),
                    "--wave",
                    "w",
                    "--date",
                    "2007-08-31",
                ],
            );
            assert!(ok && r["committed"] == true, "{}: {r}", e.name);
            r
        };
        import(&env, &src);
        let first = env.path("first.csv");
        env.ok(&["export", "--out", &first.to_string_lossy()]);
        let mut read = csv::Reader::from_path(&first).unwrap();
        let head = read.headers().unwrap().clone();
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let (c_id, c_name, c_note, c_chair) =
            (col("id"), col("nama"), col("catatan"), col("ketua"));
        let rows: Vec<csv::StringRecord> = read.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), names.len(), "{}", env.name);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[c_id], format!("K-TEKS-{i:03}"), "{}", env.name);
            assert_eq!(&row[c_name], names[i], "{}: nama of row {i}", env.name);
            assert_eq!(&row[c_note], notes[i], "{}: catatan of row {i}", env.name);
            assert_eq!(&row[c_chair], chairs[i], "{}: ketua of row {i}", env.name);
        }
        let text = std::fs::read_to_string(&first).unwrap();

        let other = Env {
            name: env.name,
            dir: tempfile::tempdir().unwrap(),
            database: String::new(),
        };
        let other = Env {
            database: if env.name == "sqlite" {
                other.dir.path().join("x.db").to_string_lossy().into_owned()
            } else {
                crate::harness::fresh_postgres_database(&crate::harness::postgres_url().unwrap())
            },
            ..other
        };
        other.ok(&["init"]);
        let r = import(&other, &first);
        assert_eq!(r["created"], names.len(), "{}: {r}", env.name);
        let r = import(&other, &first);
        assert_eq!(r["updated"], names.len(), "{}: {r}", env.name);
        let second = other.path("second.csv");
        other.ok(&["export", "--out", &second.to_string_lossy()]);
        assert_eq!(
            text,
            std::fs::read_to_string(&second).unwrap(),
            "{}",
            env.name
        );
        let shown = other.ok(&["groups", "show", "K-TEKS-002", "--format", "json"]);
        assert!(
            shown.contains("\"version\": 2") || shown.contains("\"version\":2"),
            "{}: {shown}",
            env.name
        );
    }
}

/// A file whose coded columns carry the labels the web form and the XLSForm show (either
/// language, any case, hyphens, lists with commas) imports without editing and holds the same
/// as the file with codes; a misspelt value is refused with its row, field and the code meant.
#[test]
fn labels_import_as_codes_and_slips_suggest_the_code() {
    const HEADER: &str = "id,kode_wilayah,nama,jenis,asal,tahun_berdiri,dasar_keanggotaan,tujuan,\
kegiatan,sumber_dana,sumber_dana_utama,iuran_periode,nilai,frekuensi_pertemuan,status_hukum,\
status,tanggal_pendataan\n";
    let coded = format!(
        "{HEADER}\
K-7308211003-0901,73.08.21.1003,Rukun Kematian Jeppe'e,rukun_kematian,tumbuh_masyarakat,1975,domisili agama,ketahanan_sosial keagamaan,santunan_duka santunan_sakit,iuran_anggota donatur,iuran_anggota,bulanan,tolong_menolong keagamaan,insidental,sk_desa,aktif,2025-08-14\n\
K-7308211003-0902,73.08.21.1003,Majelis Taklim Nurul Huda,majelis_taklim,dibentuk_pihak_luar,2001,agama jenis_kelamin,keagamaan pendidikan,pengajian seni_olahraga,zakat_infaq perantau,zakat_infaq,per_pertemuan,kebersamaan musyawarah,dua_mingguan,informal,tidak_aktif,2025-08-14\n\
K-7308211003-0903,73.08.21.1003,Kelompok Tani Sipakainge,kelompok_tani,dibentuk_pemerintah,2004,pekerjaan,ekonomi,usaha_bersama pelatihan,bantuan_pemerintah hasil_usaha,bantuan_pemerintah,,gotong_royong,bulanan,badan_hukum,,2025-08-16\n"
    );
    let labelled = format!(
        "{HEADER}\
K-7308211003-0901,73.08.21.1003,Rukun Kematian Jeppe'e,Rukun kematian,Tumbuh dari masyarakat,1975,\"Domisili, Agama\",Ketahanan sosial; Keagamaan,\"santunan duka, santunan sakit\",\"iuran anggota, donatur\",Iuran anggota,Bulanan,\"Tolong-menolong, Keagamaan\",Insidental,SK kepala desa/lurah,Aktif,2025-08-14\n\
K-7308211003-0902,73.08.21.1003,Majelis Taklim Nurul Huda,majelis-taklim,Formed by another outside party,2001,Religion; Gender,\"Religious, Education\",Religious study; Arts and sports,Zakat dan infak Perantau,ZAKAT-INFAQ,Per pertemuan,Togetherness; Deliberation,Fortnightly,informal,Tidak aktif,2025-08-14\n\
K-7308211003-0903,73.08.21.1003,Kelompok Tani Sipakainge,Farmers' group,dibentuk pemerintah,2004,Pekerjaan,Economic,\"Usaha bersama, Training\",Bantuan pemerintah; Business income,Government aid,,gotong royong,Monthly,Legal entity,,2025-08-16\n"
    );
    for (a, b) in envs().into_iter().zip(envs()) {
        let mut exports = Vec::new();
        for (env, text) in [(&a, &coded), (&b, &labelled)] {
            env.ok(&["init"]);
            let file = env.path("kelompok.csv");
            std::fs::write(&file, text).unwrap();
            let (ok, json) = report(env, &[&file.to_string_lossy()]);
            assert!(ok, "{}: {json}", env.name);
            assert_eq!(json["written"].as_u64(), Some(3), "{}: {json}", env.name);
            let out = env.path("ekspor.csv");
            env.ok(&[
                "export",
                "--table",
                "kelompok",
                "--out",
                &out.to_string_lossy(),
            ]);
            exports.push(std::fs::read_to_string(out).unwrap());
        }
        assert!(exports[0].contains("rukun_kematian"), "{}", exports[0]);
        assert_eq!(
            exports[0], exports[1],
            "{}: labels differ from codes",
            a.name
        );

        // Slips: row 3's type and row 4's funding list; the list is reported once.
        let slips = labelled
            .replace(",majelis-taklim,", ",majelis taklm,")
            .replace(
                "Bantuan pemerintah; Business income",
                "Bantuan pemerintha; xyz",
            );
        let file = a.path("salah.csv");
        std::fs::write(&file, slips).unwrap();
        let out = a.run(&["--lang", "en", "import", "--json", &file.to_string_lossy()]);
        assert!(!out.status.success(), "{}", a.name);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let problems = json["problems"].as_array().unwrap();
        let found: Vec<(u64, &str)> = problems
            .iter()
            .map(|p| (p["row"].as_u64().unwrap(), p["field"].as_str().unwrap()))
            .collect();
        assert_eq!(
            found,
            [(3, "jenis"), (4, "sumber_dana")],
            "{}: {json}",
            a.name
        );
        let expected = |i: usize| problems[i]["expected_en"].as_str().unwrap();
        assert!(
            expected(0).contains("did you mean `majelis_taklim`?"),
            "{}",
            expected(0)
        );
        assert!(
            expected(1).contains("Bantuan pemerintha (did you mean `bantuan_pemerintah`?), xyz"),
            "{}",
            expected(1)
        );
        let stderr = a.fails(&["--lang", "id", "import", &file.to_string_lossy()]);
        assert!(
            stderr.contains("maksud Anda `majelis_taklim`?") && stderr.contains("jenis"),
            "{}: {stderr}",
            a.name
        );
    }
}
