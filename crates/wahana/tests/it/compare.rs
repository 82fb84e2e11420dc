//! `wahana compare`: the demonstration wave, then a second wave of one of its villages imported
//! from a file (one row with its group's id, one with the id and dissolved, one without an id
//! that the import links by name, one new group; the others missing), compared: every fate,
//! link and count, each format, the report's section, and the refusals.

use crate::harness::{Env, envs};
use serde_json::Value;

const W1: &str = "demo-2007-sintetis";
const W2: &str = "uji-2026";
const VILLAGE: &str = "73.08.21.1001";

struct Truth {
    same: String,
    dissolved: String,
    matched: String,
    /// Earlier groups, not dissolved, that the second wave does not observe.
    not_refound: u64,
}

/// Writes and imports the second wave; returns what it holds.
fn second_wave(env: &Env) -> Truth {
    let w1 = env.path("w1.csv");
    env.ok(&[
        "export",
        "--table",
        "kelompok",
        "--region",
        VILLAGE,
        "--wave",
        W1,
        "--out",
        w1.to_str().unwrap(),
    ]);
    let mut r = csv::Reader::from_path(&w1).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, status, date, network, name) = (
        col("id"),
        col("status"),
        col("tanggal_pendataan"),
        col("wahana"),
        col("nama"),
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let live: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[status] != "bubar").collect();
    assert!(live.len() > 5, "{}", env.name);
    let edit = |r: &csv::StringRecord, f: &dyn Fn(usize, &str) -> String| {
        csv::StringRecord::from(
            r.iter()
                .enumerate()
                .map(|(i, v)| match i {
                    _ if i == date => "2026-08-20".to_string(),
                    _ if i == network => String::new(),
                    _ => f(i, v),
                })
                .collect::<Vec<_>>(),
        )
    };
    let out = env.path("w2.csv");
    let mut w = csv::Writer::from_path(&out).unwrap();
    w.write_record(&headers).unwrap();
    // The same group, with its id.
    w.write_record(&edit(live[0], &|_, v| v.to_string()))
        .unwrap();
    // With its id, dissolved now.
    w.write_record(&edit(live[1], &|i, v| {
        if i == status {
            "bubar".into()
        } else {
            v.to_string()
        }
    }))
    .unwrap();
    // Without its id: the import links it by name, type and founding year.
    w.write_record(&edit(live[2], &|i, v| {
        if i == id {
            String::new()
        } else {
            v.to_string()
        }
    }))
    .unwrap();
    // A new group.
    w.write_record(&edit(live[3], &|i, v| match i {
        _ if i == id => String::new(),
        _ if i == name => "Sanggar Lontara Baru Sekali".into(),
        _ => v.to_string(),
    }))
    .unwrap();
    w.flush().unwrap();
    let report: Value = serde_json::from_str(&env.ok(&[
        "import",
        "--json",
        out.to_str().unwrap(),
        "--wave",
        "Uji 2026",
        "--date",
        "2026-08-31",
    ]))
    .unwrap();
    assert_eq!(report["wave"], W2, "{}: {report}", env.name);
    assert_eq!(report["matched"], 1, "{}: {report}", env.name);
    Truth {
        same: live[0][id].to_string(),
        dissolved: live[1][id].to_string(),
        matched: live[2][id].to_string(),
        not_refound: live.len() as u64 - 3,
    }
}

fn compare_json(env: &Env, region: &str) -> Value {
    serde_json::from_str(&env.ok(&[
        "compare", "--region", region, "--from", W1, "--to", W2, "--format", "json",
    ]))
    .unwrap()
}

#[test]
fn compare_two_waves_fates_links_formats_and_refusals() {
    for env in envs() {
        let n = env.name;
        env.ok(&["demo"]);
        let t = second_wave(&env);
        let j = compare_json(&env, VILLAGE);
        assert_eq!(j["from"]["id"], W1, "{n}");
        assert_eq!(j["to"]["observations"], 4, "{n}");
        assert_eq!(j["region"]["code"], VILLAGE, "{n}");
        let c = &j["counts"];
        assert_eq!(c["continuing"], 2, "{n}: {c}");
        assert_eq!(c["dissolved"], 1, "{n}: {c}");
        assert_eq!(c["not_refound"], t.not_refound, "{n}: {c}");
        assert_eq!(c["new"], 1, "{n}: {c}");
        let groups = j["groups"].as_array().unwrap();
        assert_eq!(groups.len() as u64, 4 + t.not_refound, "{n}");
        let by_from = |id: &str| {
            groups
                .iter()
                .find(|g| g["id_from"] == id)
                .unwrap_or_else(|| panic!("{n}: no entry for {id}"))
        };
        let same = by_from(&t.same);
        assert_eq!(
            (&same["fate"], &same["link"], &same["id_to"]),
            (
                &"continuing".into(),
                &"same_id".into(),
                &t.same.clone().into()
            ),
            "{n}"
        );
        assert_eq!(by_from(&t.dissolved)["fate"], "dissolved", "{n}");
        assert_eq!(by_from(&t.dissolved)["link"], "same_id", "{n}");
        let matched = by_from(&t.matched);
        assert_eq!(matched["fate"], "continuing", "{n}");
        assert_eq!(matched["link"], "matched", "{n}");
        assert!(matched["score"].as_f64().unwrap() > 0.8, "{n}: {matched}");
        let new: Vec<&Value> = groups.iter().filter(|g| g["fate"] == "new").collect();
        assert_eq!(new.len(), 1, "{n}");
        assert_eq!(new[0]["name_to"], "Sanggar Lontara Baru Sekali", "{n}");
        assert!(
            new[0]["id_from"].is_null() && new[0]["link"].is_null(),
            "{n}"
        );
        for g in groups.iter().filter(|g| g["fate"] == "not_refound") {
            assert!(g["id_to"].is_null() && g["link"].is_null(), "{n}: {g}");
        }
        // Counts per village: the kecamatan's comparison holds the same village's counts,
        // and its other villages' groups are all not found again.
        let k = compare_json(&env, "73.08.21");
        let v = k["by_village"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["code"] == VILLAGE)
            .unwrap();
        for fate in ["continuing", "dissolved", "not_refound", "new"] {
            assert_eq!(v[fate], c[fate], "{n}: {fate}");
        }
        assert_eq!(k["counts"]["continuing"], 2, "{n}");
        assert!(
            k["counts"]["not_refound"].as_u64() > c["not_refound"].as_u64(),
            "{n}"
        );
        let survival = 2.0 / (3 + t.not_refound) as f64;
        assert!((j["survival_rate"].as_f64().unwrap() - survival).abs() < 1e-12);
        // The findings of both waves, with their denominators.
        assert_eq!(j["findings"]["f1"]["groups"]["to"], 3, "{n}");
        assert!(j["findings"]["f1"]["groups"]["from"].as_u64().unwrap() > 3);
        assert!(j["findings"]["f5"]["holds"]["to"].is_boolean(), "{n}");

        // The other formats.
        let text = env.ok(&["compare", "--region", VILLAGE, "--from", W1, "--to", W2]);
        assert!(
            text.contains("Berlanjut") && text.contains(&t.matched),
            "{n}"
        );
        let en = env.ok(&[
            "--lang", "en", "compare", "--region", VILLAGE, "--from", W1, "--to", W2,
        ]);
        assert!(
            en.contains("Not found again") && en.contains("Survival rate"),
            "{n}"
        );
        let md = env.ok(&[
            "compare", "--region", VILLAGE, "--from", W1, "--to", W2, "--format", "markdown",
        ]);
        assert!(md.starts_with("# Perubahan sejak"), "{n}");
        assert!(md.contains("| Berlanjut | 2 |"), "{n}");
        for (format, file) in [("html", "c.html"), ("xlsx", "c.xlsx")] {
            let path = env.path(file);
            env.ok(&[
                "compare",
                "--region",
                VILLAGE,
                "--from",
                W1,
                "--to",
                W2,
                "--format",
                format,
                "--out",
                path.to_str().unwrap(),
            ]);
            assert!(
                std::fs::metadata(&path).unwrap().len() > 1000,
                "{n}: {format}"
            );
        }
        let html = std::fs::read_to_string(env.path("c.html")).unwrap();
        assert!(html.contains("<svg") && html.contains(&t.dissolved), "{n}");

        // The profile report of the second wave with the change since the first.
        let report = env.path("p.html");
        env.ok(&[
            "profile",
            "--region",
            VILLAGE,
            "--wave",
            W2,
            "--compare-with",
            W1,
            "--format",
            "html",
            "--output",
            report.to_str().unwrap(),
        ]);
        let report = std::fs::read_to_string(report).unwrap();
        assert!(report.contains("id=\"perubahan\""), "{n}");
        assert!(report.contains("Perubahan sejak"), "{n}");

        // Refusals: a clear message naming the wave and the region, a failing exit.
        for (args, names) in [
            (vec!["--from", W1, "--to", W1], vec![W1, VILLAGE]),
            (
                vec!["--from", "tidak-ada", "--to", W2],
                vec!["tidak-ada", VILLAGE],
            ),
            (
                vec!["--from", W2, "--to", "tidak-ada"],
                vec!["tidak-ada", W1],
            ),
        ] {
            let mut all = vec!["compare", "--region", VILLAGE];
            all.extend(args.iter().copied());
            let err = env.fails(&all);
            for name in names {
                assert!(err.contains(name), "{n} {args:?}: {err}");
            }
        }
        let err = env.fails(&[
            "compare",
            "--region",
            "73.08.21.1002",
            "--from",
            W1,
            "--to",
            W2,
        ]);
        assert!(
            err.contains(W2) && err.contains("73.08.21.1002") && err.contains("tidak memuat"),
            "{n}: {err}"
        );
        let err = env.fails(&[
            "--lang", "en", "compare", "--region", VILLAGE, "--from", W2, "--to", W2,
        ]);
        assert!(err.contains("comparing a wave with itself"), "{n}: {err}");
        let err = env.fails(&[
            "profile",
            "--region",
            VILLAGE,
            "--compare-with",
            W1,
            "--format",
            "json",
        ]);
        assert!(err.contains("wahana compare --format json"), "{n}: {err}");
    }
}
