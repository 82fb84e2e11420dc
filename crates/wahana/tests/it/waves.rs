//! `wahana waves`: waves are created on purpose and managed from the command line; new records
//! go into the wave named or the region's latest open wave, and never into one made on the way.

use crate::harness::{Env, envs};
use serde_json::Value;

fn json(env: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&env.ok(args)).unwrap()
}

fn add_group(env: &Env, village: &str, name: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "groups",
        "add",
        "--region",
        village,
        "--name",
        name,
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
    json(env, &args)
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect()
}

#[test]
fn waves_are_created_on_purpose_and_managed() {
    for env in envs() {
        let n = env.name;
        env.ok(&["init"]);
        // No wave yet: a new group is refused with what to do, and no wave is made.
        let err = env.fails(&[
            "groups",
            "add",
            "--region",
            "73.08.21.1002",
            "--name",
            "Arisan Mawar",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1995",
        ]);
        assert!(
            err.contains("belum ada pendataan yang terbuka") && err.contains("wahana waves add"),
            "{n}: {err}"
        );
        assert_eq!(
            json(&env, &["waves", "list", "--format", "json"]),
            Value::Array(vec![])
        );
        let empty = env.run(&["waves", "list"]);
        assert!(String::from_utf8_lossy(&empty.stderr).contains("wahana waves add --name"));

        let out = env.ok(&[
            "waves",
            "add",
            "--name",
            "Pendataan Bone 2007",
            "--start",
            "2007-08-01",
            "--end",
            "31/08/2007",
            "--method",
            "sensus",
            "--run-by",
            "Tim Studi 2007",
            "--source",
            "Studi WKSBM",
            "--region",
            "Tanete Riattang",
        ]);
        assert!(
            out.contains("pendataan-bone-2007") && out.contains("terbuka"),
            "{n}: {out}"
        );
        // Every problem named with its field, the value found and what was expected.
        let err = env.fails(&[
            "waves",
            "add",
            "--name",
            "X",
            "--start",
            "2026-02-31",
            "--method",
            "survei",
        ]);
        assert!(
            err.contains("start_date: \"2026-02-31\" tidak sah")
                && err.contains("method: \"survei\""),
            "{n}: {err}"
        );
        let err = env.fails(&["waves", "add", "--name", "Pendataan Bone 2007"]);
        assert!(err.contains("pendataan-bone-2007 sudah ada"), "{n}: {err}");

        // A group goes into the open wave.
        let g = add_group(&env, "73.08.21.1002", "Arisan Mawar", &[]);
        assert_eq!(g["wave_id"], "pendataan-bone-2007", "{n}");
        env.ok(&[
            "waves",
            "add",
            "--id",
            "pem-2026",
            "--name",
            "Pemutakhiran 2026",
            "--start",
            "2026-08-01",
            "--method",
            "sample",
        ]);
        // A village an open wave already holds stays in it; another goes into the latest.
        let g2 = add_group(&env, "73.08.21.1002", "Arisan Melati", &[]);
        assert_eq!(g2["wave_id"], "pendataan-bone-2007", "{n}");
        let g3 = add_group(&env, "73.08.21.1005", "Arisan Kenanga", &[]);
        assert_eq!(g3["wave_id"], "pem-2026", "{n}");
        let g4 = add_group(
            &env,
            "73.08.21.1002",
            "Arisan Anggrek",
            &["--wave", "pem-2026"],
        );
        assert_eq!(g4["wave_id"], "pem-2026", "{n}");

        let list = json(&env, &["waves", "list", "--format", "json"]);
        assert_eq!(
            ids(&list),
            ["pem-2026", "pendataan-bone-2007"],
            "{n}: latest first"
        );
        let old = &list[1];
        assert_eq!(
            (
                &old["start_date"],
                &old["end_date"],
                &old["method"],
                &old["run_by"],
                &old["region"],
                &old["closed"]
            ),
            (
                &Value::from("2007-08-01"),
                &Value::from("2007-08-31"),
                &Value::from("census"),
                &Value::from("Tim Studi 2007"),
                &Value::from("73.08.21"),
                &Value::from(false)
            ),
            "{n}"
        );
        assert_eq!(
            (&old["holds"]["groups"], &old["holds"]["villages"]),
            (&Value::from(2), &Value::from(1)),
            "{n}"
        );
        assert_eq!(
            (&list[0]["holds"]["groups"], &list[0]["holds"]["villages"]),
            (&Value::from(2), &Value::from(2)),
            "{n}"
        );
        let table = env.ok(&["waves", "list"]);
        for text in [
            "Pemutakhiran 2026",
            "2007-08-01 – 2007-08-31",
            "sensus",
            "sampel",
            "Tim Studi 2007",
            "terbuka",
        ] {
            assert!(table.contains(text), "{n}: {text} in\n{table}");
        }
        let csv = env.ok(&["waves", "list", "--format", "csv"]);
        assert!(csv.starts_with("id,nama,tanggal"), "{n}: {csv}");

        // Edit; an empty value clears a field.
        env.ok(&[
            "waves",
            "edit",
            "pem-2026",
            "--run-by",
            "Dinas Sosial",
            "--end",
            "2026-08-31",
            "--synthetic",
            "true",
        ]);
        env.ok(&["waves", "edit", "pendataan-bone-2007", "--source", ""]);
        let w = json(&env, &["waves", "show", "pem-2026", "--format", "json"]);
        assert_eq!(
            (&w["run_by"], &w["end_date"], &w["synthetic"]),
            (
                &Value::from("Dinas Sosial"),
                &Value::from("2026-08-31"),
                &Value::from(true)
            ),
            "{n}"
        );
        let w = json(
            &env,
            &["waves", "show", "pendataan-bone-2007", "--format", "json"],
        );
        assert_eq!(w["source"], Value::Null, "{n}");
        let shown = env.ok(&["waves", "show", "pendataan-bone-2007"]);
        assert!(
            shown.contains("Tim Studi 2007") && shown.contains("terbuka"),
            "{n}"
        );
        let err = env.fails(&["waves", "edit", "pem-2026", "--end", "2026-07-01"]);
        assert!(
            err.contains("end_date") && err.contains("2026-08-01"),
            "{n}: {err}"
        );

        // Closed: read-only for every write, until reopened.
        let out = env.ok(&["waves", "close", "pendataan-bone-2007"]);
        assert!(out.contains("ditutup"), "{n}");
        let closed = json(
            &env,
            &["waves", "show", "pendataan-bone-2007", "--format", "json"],
        );
        assert_eq!(closed["closed"], true, "{n}");
        let err = env.run(&[
            "groups",
            "add",
            "--region",
            "73.08.21.1002",
            "--name",
            "Arisan Tertutup",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1995",
            "--wave",
            "pendataan-bone-2007",
        ]);
        assert!(!err.status.success(), "{n}");
        assert!(
            String::from_utf8_lossy(&err.stderr).contains("sudah ditutup"),
            "{n}"
        );
        let g_id = g["id"].as_str().unwrap();
        for args in [
            vec![
                "groups",
                "edit",
                g_id,
                "--wave",
                "pendataan-bone-2007",
                "--set",
                "nama=Lain",
            ],
            vec!["waves", "edit", "pendataan-bone-2007", "--name", "Lain"],
            vec!["waves", "delete", "pendataan-bone-2007", "--force"],
        ] {
            let err = env.fails(&args);
            assert!(err.contains("ditutup"), "{n} {args:?}: {err}");
        }
        // A group of a village the closed wave holds now goes into the open one.
        let g5 = add_group(&env, "73.08.21.1002", "Arisan Tulip", &[]);
        assert_eq!(g5["wave_id"], "pem-2026", "{n}");
        env.ok(&["waves", "reopen", "pendataan-bone-2007"]);
        env.ok(&[
            "groups",
            "edit",
            g_id,
            "--wave",
            "pendataan-bone-2007",
            "--set",
            "nama=Arisan Mawar Merah",
        ]);

        // Delete: refused while it holds records, with what it holds and how to force it.
        let err = env.fails(&["waves", "delete", "pendataan-bone-2007"]);
        assert!(
            err.contains("masih memuat 2 kelompok di 1 desa/kelurahan")
                && err.contains("wahana waves delete pendataan-bone-2007 --force"),
            "{n}: {err}"
        );
        assert_eq!(
            ids(&json(&env, &["waves", "list", "--format", "json"])).len(),
            2
        );
        let out = env.ok(&["waves", "delete", "pendataan-bone-2007", "--force"]);
        assert!(out.contains("2 kelompok"), "{n}: {out}");
        assert_eq!(
            ids(&json(&env, &["waves", "list", "--format", "json"])),
            ["pem-2026"],
            "{n}"
        );
        assert!(
            env.fails(&["groups", "show", g_id])
                .contains("tidak ditemukan")
        );
        env.ok(&["waves", "add", "--name", "Kosong"]);
        env.ok(&["waves", "delete", "kosong"]);
        let err = env.fails(&["waves", "close", "kosong"]);
        assert!(err.contains("kosong tidak ditemukan"), "{n}: {err}");

        // English on request.
        let out = env.ok(&["--lang", "en", "waves", "close", "pem-2026"]);
        assert!(out.contains("wave pem-2026 closed"), "{n}: {out}");
        let err = env.fails(&[
            "--lang",
            "en",
            "groups",
            "add",
            "--region",
            "73.08.21.1002",
            "--name",
            "Arisan Terakhir",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1995",
        ]);
        assert!(
            err.contains("no survey wave is open") && err.contains("wahana waves add"),
            "{n}: {err}"
        );
        assert_eq!(
            ids(&json(&env, &["waves", "list", "--format", "json"])).len(),
            1,
            "{n}"
        );
    }
}

#[test]
fn waves_help_says_what_each_command_does() {
    let env = envs().into_iter().next().unwrap();
    let help = env.ok(&["waves", "--help"]);
    for cmd in [
        "list", "add", "show", "edit", "close", "reopen", "delete", "review",
    ] {
        assert!(help.contains(cmd), "{cmd} in\n{help}");
    }
    let add = env.ok(&["waves", "add", "--help"]);
    for flag in [
        "--name",
        "--id",
        "--region",
        "--start",
        "--end",
        "--source",
        "--method",
        "--run-by",
        "--synthetic",
    ] {
        assert!(add.contains(flag), "{flag} in\n{add}");
    }
    let delete = env.ok(&["waves", "delete", "--help"]);
    assert!(
        delete.contains("--force") && delete.contains("one transaction"),
        "{delete}"
    );
    let groups = env.ok(&["groups", "add", "--help"]);
    assert!(groups.contains("latest open wave"), "{groups}");
}
