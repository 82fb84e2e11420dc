//! Groups over time: the 2007 demonstration wave, then a 2026 re-survey of the same kecamatan
//! (some rows with ids, some without and retyped, some dissolved, some missing, some new),
//! imported into a second wave. The first wave stays exactly as it was; rows with an id add
//! observations of their groups; rows without one are linked by name and the other fields, and
//! the links are checked against the truth the generator knows.

use crate::harness::envs;
use std::collections::{HashMap, HashSet};
use wahana_domain::linking::resurvey::{RESURVEY_DEFAULT, tanete_resurvey};

const W1: &str = "demo-2007-sintetis";

#[test]
fn a_resurvey_adds_observations_and_leaves_the_first_wave_as_it_was() {
    // The truth: the rows as generated, in file order, with the earlier group each observes.
    let truth: Vec<(Option<String>, String)> = tanete_resurvey(2007, &RESURVEY_DEFAULT)
        .into_iter()
        .flat_map(|(earlier, rows)| {
            rows.into_iter()
                .map(|r| (r.previous.map(|i| earlier[i].id.clone()), r.group.id))
                .collect::<Vec<_>>()
        })
        .collect();
    for env in envs() {
        env.ok(&["demo"]);
        let export = |name: &str| {
            let out = env.path(name);
            env.ok(&[
                "export",
                "--region",
                "73.08.21",
                "--wave",
                W1,
                "--out",
                out.to_str().unwrap(),
            ]);
            std::fs::read_to_string(out).unwrap()
        };
        let before = export("before.csv");
        let file = env.path("pemutakhiran.csv");
        env.ok(&["demo", "--resurvey-file", file.to_str().unwrap()]);
        let out = env.ok(&[
            "import",
            "--json",
            file.to_str().unwrap(),
            "--wave",
            "Pemutakhiran 2026",
            "--date",
            "2026-08-31",
        ]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["committed"], true, "{}: {report}", env.name);
        assert_eq!(report["wave"], "pemutakhiran-2026", "{}", env.name);
        assert_eq!(
            report["rows"].as_u64().unwrap() as usize,
            truth.len(),
            "{}",
            env.name
        );
        assert_eq!(
            export("after.csv"),
            before,
            "{}: the 2007 wave exactly as it was",
            env.name
        );

        // Every 2026 observation, by the file row it came from (its provenance).
        let listed = env.ok(&[
            "groups",
            "list",
            "--wave",
            "pemutakhiran-2026",
            "--region",
            "73.08.21",
            "--limit",
            "100000",
            "--format",
            "json",
        ]);
        let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
        let observed: HashMap<u64, String> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let prov: serde_json::Value =
                    serde_json::from_str(g["provenance"].as_str().unwrap()).unwrap();
                (
                    prov["baris"].as_u64().unwrap(),
                    g["id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(observed.len(), truth.len(), "{}", env.name);
        let w1_ids: HashSet<String> = before
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        // Which rows came without an id (the file's first column).
        let file_ids: Vec<String> = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        assert_eq!(file_ids.len(), truth.len());
        let (mut linked, mut right, mut continuing) = (0, 0, 0);
        for (i, (previous, _)) in truth.iter().enumerate() {
            // The header is row 1.
            let id = &observed[&(i as u64 + 2)];
            if !file_ids[i].is_empty() {
                assert_eq!(Some(&file_ids[i]), previous.as_ref(), "{}", env.name);
                assert_eq!(
                    id, &file_ids[i],
                    "{}: a row with an id observes it",
                    env.name
                );
                continue;
            }
            match previous {
                Some(p) => {
                    continuing += 1;
                    if w1_ids.contains(id) {
                        linked += 1;
                        if id == p {
                            right += 1;
                        }
                    }
                }
                // A new group never takes an earlier group's id.
                None => assert!(!w1_ids.contains(id), "{}: new row {i} took {id}", env.name),
            }
        }
        let matched = report["matched"].as_u64().unwrap();
        let same_id = report["linked"].as_u64().unwrap() - matched;
        let with_ids = truth.iter().filter(|(p, _)| p.is_some()).count() as u64 / 2;
        assert_eq!(
            same_id, with_ids,
            "{}: rows with ids are observations",
            env.name
        );
        // Rows without an id linked to earlier groups with no person looking: right at least
        // 97% of the time, and at least 85% of those groups found.
        let precision = right as f64 / linked as f64;
        let recall = right as f64 / continuing as f64;
        assert!(precision >= 0.97, "{}: precision {precision}", env.name);
        assert!(recall >= 0.85, "{}: recall {recall}", env.name);
        assert_eq!(linked, matched, "{}", env.name);
        println!(
            "{}: {} rows without an id of continuing groups; {linked} linked, {right} right \
             (precision {precision:.4}, recall {recall:.4}); {} proposed for review",
            env.name, continuing, report["review"]
        );

        // The 2007 observation of a group re-observed in 2026 is unchanged, the 2026 one holds
        // the re-survey's answers.
        let some_id = observed[&2].clone();
        if w1_ids.contains(&some_id) {
            let one = |wave: &str| -> serde_json::Value {
                serde_json::from_str(&env.ok(&[
                    "groups", "show", &some_id, "--wave", wave, "--format", "json",
                ]))
                .unwrap()
            };
            assert_eq!(one(W1)["wave_id"], W1, "{}", env.name);
            assert_eq!(one("pemutakhiran-2026")["wave_id"], "pemutakhiran-2026");
        }

        // The middle band waits for an officer: accept one pair, reject another.
        let pending = |all: bool| -> Vec<serde_json::Value> {
            let mut args = vec!["waves", "review", "pemutakhiran-2026", "--format", "json"];
            if all {
                args.push("--all");
            }
            serde_json::from_str::<serde_json::Value>(&env.ok(&args))
                .unwrap()
                .as_array()
                .unwrap()
                .clone()
        };
        let proposals = pending(false);
        assert_eq!(
            proposals.len() as u64,
            report["review"].as_u64().unwrap(),
            "{}",
            env.name
        );
        assert!(proposals.len() >= 2, "{}", env.name);
        let (a, b) = (&proposals[0], &proposals[1]);
        let (new_a, cand_a) = (
            a["new_id"].as_str().unwrap(),
            a["candidate_id"].as_str().unwrap(),
        );
        let a_id = a["id"].as_i64().unwrap().to_string();
        let b_id = b["id"].as_i64().unwrap().to_string();
        env.ok(&[
            "waves",
            "review",
            "pemutakhiran-2026",
            "--accept",
            &a_id,
            "--reject",
            &b_id,
        ]);
        // Accepted: the row is now the earlier group's 2026 record, and the new group is gone.
        let shown: serde_json::Value = serde_json::from_str(&env.ok(&[
            "groups",
            "show",
            cand_a,
            "--wave",
            "pemutakhiran-2026",
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(shown["wave_id"], "pemutakhiran-2026", "{}", env.name);
        env.fails(&["groups", "show", new_a]);
        let decided: HashMap<String, String> = pending(true)
            .iter()
            .map(|r| {
                (
                    r["id"].to_string(),
                    r["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(decided[&a_id], "accepted", "{}", env.name);
        assert_eq!(decided[&b_id], "rejected", "{}", env.name);
        assert_eq!(pending(false).len(), proposals.len() - 2, "{}", env.name);
        // A pair is decided once.
        let again = env.fails(&["waves", "review", "pemutakhiran-2026", "--reject", &a_id]);
        assert!(again.contains("sudah diputuskan"), "{}: {again}", env.name);
        // A merge recorded by hand: a 2007 group not found again became part of a 2026 one.
        let in_2026: HashSet<&String> = observed.values().collect();
        let gone = w1_ids.iter().find(|id| !in_2026.contains(id)).unwrap();
        let merged_into = &observed[&2];
        env.ok(&[
            "waves",
            "link",
            "pemutakhiran-2026",
            "--from",
            gone,
            "--to",
            merged_into,
            "--kind",
            "merged",
        ]);
        let refused = env.fails(&[
            "waves",
            "link",
            "pemutakhiran-2026",
            "--from",
            merged_into,
            "--to",
            gone,
            "--kind",
            "split",
        ]);
        assert!(
            refused.contains("tidak tercatat di pendataan"),
            "{}: {refused}",
            env.name
        );
        // The 2007 wave is still exactly as it was.
        assert_eq!(export("after2.csv"), before, "{}", env.name);

        // The next round: refused into a wave that holds the region's groups already; prepared
        // into an empty one, whose pre-filled file imports as records of the same groups.
        let cf = env.path("cf");
        let cf_s = cf.to_str().unwrap();
        let refused = env.fails(&[
            "waves",
            "carry-forward",
            "--from",
            W1,
            "--to",
            "pemutakhiran-2026",
            "--region",
            "73.08.21",
            "--out",
            cf_s,
        ]);
        assert!(refused.contains("sudah memuat"), "{}: {refused}", env.name);
        env.ok(&[
            "waves",
            "add",
            "--id",
            "pemutakhiran-2030",
            "--name",
            "Pemutakhiran 2030",
            "--start",
            "2030-08-01",
            "--end",
            "2030-08-31",
        ]);
        env.ok(&[
            "waves",
            "carry-forward",
            "--from",
            "pemutakhiran-2026",
            "--to",
            "pemutakhiran-2030",
            "--region",
            "73.08.21",
            "--out",
            cf_s,
            "--carry-forward",
        ]);
        let prefilled = cf.join("kelompok-pemutakhiran-2030-730821.csv");
        assert!(
            cf.join("formulir-pemutakhiran-2030-730821.xlsx").exists(),
            "{}",
            env.name
        );
        let import = |wave: &str| {
            env.run(&[
                "import",
                "--json",
                prefilled.to_str().unwrap(),
                "--wave",
                wave,
            ])
        };
        let out = import("pemutakhiran-2030");
        assert!(out.status.success(), "{}", env.name);
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["created"], 0, "{}: {r}", env.name);
        assert_eq!(r["linked"], r["rows"], "{}: {r}", env.name);
        // A closed wave takes no import, and nothing is written.
        env.ok(&["waves", "close", "pemutakhiran-2030"]);
        let out = import("pemutakhiran-2030");
        assert!(!out.status.success(), "{}", env.name);
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["problems"][0]["code"], "wave_closed", "{}: {r}", env.name);
        assert_eq!(r["committed"], false, "{}", env.name);
    }
}

/// `wahana instrument xform` writes the XForm ODK Collect downloads and its CSV media; with
/// `--resurvey-wave`, the re-survey's form whose list of earlier groups holds exactly the
/// groups that wave recorded in the region. An unknown wave, or one holding no group there, is
/// refused and writes nothing.
#[test]
fn the_xform_and_its_media_are_written_for_a_region_and_a_resurvey() {
    for env in envs() {
        env.ok(&["demo"]);
        let out = env.path("xform");
        let out_s = out.to_str().unwrap();
        env.ok(&[
            "instrument",
            "xform",
            "--region",
            "73.08.21",
            "--out",
            out_s,
        ]);
        let mut files: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, ["desa.csv", "wahana_kelompok.xml"], "{}", env.name);
        let xml = std::fs::read_to_string(out.join("wahana_kelompok.xml")).unwrap();
        assert!(
            xml.contains("<data id=\"wahana_kelompok\" version=\"1."),
            "{}",
            env.name
        );
        assert!(
            xml.contains("src=\"jr://file-csv/desa.csv\""),
            "{}",
            env.name
        );
        let villages = std::fs::read_to_string(out.join("desa.csv")).unwrap();
        assert_eq!(villages.lines().count(), 1 + 8, "{}: {villages}", env.name);

        // The groups of the 2007 wave in the district, as the export lists them.
        let export = env.path("kelompok.csv");
        env.ok(&[
            "export",
            "--region",
            "73.08.21",
            "--wave",
            W1,
            "--out",
            export.to_str().unwrap(),
        ]);
        let mut reader = csv::Reader::from_path(&export).unwrap();
        let id_column = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "id")
            .unwrap();
        let mut want: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[id_column].to_string())
            .collect();
        want.sort();
        assert!(want.len() > 100, "{}", env.name);

        let again = env.path("ulang");
        let again_s = again.to_str().unwrap();
        env.ok(&[
            "instrument",
            "xform",
            "--region",
            "73.08.21",
            "--resurvey-wave",
            W1,
            "--out",
            again_s,
        ]);
        let xml = std::fs::read_to_string(again.join("wahana_kelompok_ulang.xml")).unwrap();
        assert!(
            xml.contains("src=\"jr://file-csv/kelompok_lama.csv\""),
            "{}",
            env.name
        );
        let mut reader = csv::Reader::from_path(again.join("kelompok_lama.csv")).unwrap();
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            ["name", "label", "desa"]
        );
        let mut got: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .filter(|id| id != "baru")
            .collect();
        got.sort();
        assert_eq!(got, want, "{}", env.name);

        let nowhere = env.path("none");
        let nowhere_s = nowhere.to_str().unwrap();
        let err = env.fails_with(
            4,
            &[
                "instrument",
                "xform",
                "--region",
                "73.08.21",
                "--resurvey-wave",
                "tidak-ada",
                "--out",
                nowhere_s,
            ],
        );
        assert!(err.contains("tidak-ada"), "{}: {err}", env.name);
        env.ok(&[
            "waves",
            "add",
            "--id",
            "kosong",
            "--name",
            "Kosong",
            "--start",
            "2030-08-01",
            "--end",
            "2030-08-31",
        ]);
        let err = env.fails(&[
            "instrument",
            "xform",
            "--region",
            "73.08.21",
            "--resurvey-wave",
            "kosong",
            "--out",
            nowhere_s,
        ]);
        assert!(err.contains("tidak memuat kelompok"), "{}: {err}", env.name);
        assert!(!nowhere.exists(), "{}: nothing is written", env.name);
    }
}
