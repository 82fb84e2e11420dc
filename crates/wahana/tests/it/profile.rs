//! `wahana screen` and `wahana profile` on the demonstration data.

use crate::harness::envs;
use serde_json::Value;
use std::collections::BTreeMap as Map;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Every number under a `share…` key lies between 0 and 1.
fn shares_are_fractions(v: &Value, path: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k.starts_with("share") {
                    let f = x.as_f64().unwrap_or_else(|| panic!("{path}.{k}"));
                    assert!((0.0..=1.0).contains(&f), "{path}.{k} = {f}");
                }
                shares_are_fractions(x, &format!("{path}.{k}"));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| shares_are_fractions(x, path)),
        _ => {}
    }
}

/// One row of the network sheet's broker table: rank, id, name, kind, betweenness, degree.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerRow {
    pub rank: f64,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub betweenness: f64,
    pub degree: f64,
}

/// The network sheet of a profile workbook: the measures by their JSON key (the sheet's third
/// column), the broker table's rows, and every cell as text.
pub fn network_sheet(path: &std::path::Path, sheet: &str) -> (Map<String, f64>, Vec<BrokerRow>) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"));
    let rows: Vec<&[Data]> = range.rows().collect();
    let number = |c: &Data| match c {
        Data::Float(x) => *x,
        Data::Int(x) => *x as f64,
        other => panic!("not a number: {other:?}"),
    };
    let mut measures = Map::new();
    let mut brokers = Vec::new();
    let mut in_brokers = false;
    for r in rows {
        let text = |i: usize| r.get(i).map(|c| c.to_string()).unwrap_or_default();
        if in_brokers {
            if text(0).is_empty() {
                break;
            }
            brokers.push(BrokerRow {
                rank: number(&r[0]),
                id: text(1),
                name: text(2),
                kind: text(3),
                betweenness: number(&r[4]),
                degree: number(&r[5]),
            });
        } else if text(1) == "id" && text(4) == "betweenness" {
            in_brokers = true;
        } else if r.len() >= 3
            && !text(2).is_empty()
            && matches!(r[1], Data::Float(_) | Data::Int(_))
        {
            measures.insert(text(2), number(&r[1]));
        }
    }
    (measures, brokers)
}

#[test]
fn profile_of_the_demonstration_data() {
    for env in envs() {
        let n = env.name;
        env.ok(&["demo"]);
        let p = json(&env.ok(&["profile", "--region", "73.08.21", "--format", "json"]));
        let mut want: Vec<String> = [
            "region",
            "wave",
            "rules",
            "groups_recorded",
            "groups_qualifying",
            "coverage",
            "f1",
            "f2",
            "f3",
            "f4",
            "f5",
            "counts",
            "by_village",
            "by_type",
            "actors",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        want.sort();
        assert_eq!(keys(&p), want, "{n}");
        assert_eq!(p["region"]["code"], "73.08.21");
        assert_eq!(p["region"]["level"], "kecamatan");
        assert_eq!(p["rules"], "seed-2007");
        assert_eq!(p["wave"]["synthetic"], true);
        shares_are_fractions(&p, "");
        // The demonstration data is shaped to show the five findings.
        for f in ["f1", "f2", "f3", "f4", "f5"] {
            assert_eq!(p[f]["holds"], true, "{n}: {f}: {}", p[f]["sentence_en"]);
            assert!(p[f]["sentence_id"].as_str().unwrap().starts_with("Berlaku"));
            assert!(
                p[f]["sentence_en"]
                    .as_str()
                    .unwrap()
                    .ends_with("[synthetic data, not a measurement]")
            );
        }
        let villages = p["by_village"].as_array().unwrap();
        assert_eq!(villages.len(), 8, "{n}");
        assert_eq!(villages[0]["name"], "Biru");
        let counted: u64 = villages.iter().map(|v| v["groups"].as_u64().unwrap()).sum();
        assert_eq!(counted, p["groups_qualifying"].as_u64().unwrap(), "{n}");
        let recorded: u64 = villages
            .iter()
            .map(|v| v["recorded"].as_u64().unwrap())
            .sum();
        assert_eq!(recorded, p["groups_recorded"].as_u64().unwrap(), "{n}");
        let by_type: u64 = p["by_type"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["groups"].as_u64().unwrap())
            .sum();
        assert_eq!(by_type, counted, "{n}");
        assert_eq!(p["coverage"]["villages_in_region"], 8);
        assert_eq!(p["actors"]["networks"], 8, "{n}");
        assert!(p["actors"]["ties"].as_u64().unwrap() > 0, "{n}");

        // The regency holds the same groups; one village holds its own.
        let kab = json(&env.ok(&["profile", "--region", "73.08", "--format", "json"]));
        assert_eq!(kab["groups_recorded"], p["groups_recorded"], "{n}");
        assert!(kab["coverage"]["villages_in_region"].as_u64().unwrap() > 300);
        let biru = json(&env.ok(&["profile", "--region", "73.08.21.1001", "--format", "json"]));
        assert_eq!(biru["region"]["level"], "desa_kelurahan");
        assert_eq!(biru["by_village"].as_array().unwrap().len(), 1);
        assert_eq!(biru["groups_recorded"], villages[0]["recorded"], "{n}");
        // A region without groups: no finding holds, and none is NaN.
        let empty = json(&env.ok(&[
            "--lang", "en", "profile", "--region", "73.08.22", "--format", "json",
        ]));
        assert_eq!(empty["groups_recorded"], 0, "{n}");
        assert_eq!(empty["f1"]["holds"], false);
        assert!(
            empty["f1"]["sentence_en"]
                .as_str()
                .unwrap()
                .starts_with("No data")
        );

        // Text and Markdown, in both languages.
        let text = env.ok(&["profile", "--region", "Tanete Riattang"]);
        assert!(
            text.contains("DATA SINTETIS") && text.contains("F5 Nilai [ya]"),
            "{n}: {text}"
        );
        let md = env.ok(&[
            "--lang", "en", "profile", "--region", "73.08.21", "--format", "markdown",
        ]);
        assert!(
            md.contains("| F1 | Age | yes |") && md.contains("seed-2007"),
            "{n}: {md}"
        );

        // The HTML report: one file, nothing to fetch, the banner, charts and the rule set.
        env.ok(&["profile", "--region", "73.08.21", "--format", "html"]);
        let html = std::fs::read_to_string(
            env.path("profil-wksbm_kec-tanete-riattang_pendataan-demo-2007-sintetis.html"),
        )
        .unwrap();
        for want in [
            "DATA SINTETIS",
            "<svg",
            "Gambar 7.",
            "Biru",
            "Masumpu",
            "seed-2007",
            "@page",
            "F5 Nilai",
            "Berlaku: ",
            "Ringkasan eksekutif",
            "31 Agustus 2007",
            "Lampiran: aturan penyaringan",
        ] {
            assert!(html.contains(want), "{n}: html lacks {want}");
        }
        // One language per rendering: no English line under the Indonesian ones.
        assert!(!html.contains("Holds: "), "{n}");
        for external in ["src=\"http", "href=\"http", "@import", "<script", "<link"] {
            assert!(!html.contains(external), "{n}: html fetches {external}");
        }
        assert!(html.matches("<svg").count() >= 7, "{n}");
        let out = env.path("en.html");
        env.ok(&[
            "--lang",
            "en",
            "profile",
            "--region",
            "73.08.21",
            "--format",
            "html",
            "-o",
            out.to_str().unwrap(),
        ]);
        let html = std::fs::read_to_string(&out).unwrap();
        assert!(
            html.contains("SYNTHETIC DATA")
                && html.contains("Figure 1.")
                && html.contains("Executive summary")
                && !html.contains("Berlaku: "),
            "{n}"
        );

        // XLSX: one sheet per table, readable by calamine.
        use calamine::{Reader, Xlsx, open_workbook};
        let out = env.path("p.xlsx");
        env.ok(&[
            "--lang",
            "en",
            "profile",
            "--region",
            "73.08.21",
            "--format",
            "xlsx",
            "-o",
            out.to_str().unwrap(),
        ]);
        let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                "Findings",
                "Villages",
                "Types",
                "Categories",
                "Network",
                "Map",
                "Rules"
            ],
            "{n}"
        );
        let v = wb.worksheet_range("Villages").unwrap();
        assert_eq!(v.height(), 9, "{n}");
        assert_eq!(v.get((1, 1)).unwrap().to_string(), "Biru");
        let f = wb.worksheet_range("Findings").unwrap();
        let cells: Vec<String> = f
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        for id in ["F1", "F2", "F3", "F4", "F5"] {
            assert!(cells.iter().any(|c| c == id), "{n}: {id}");
        }
        assert!(cells.iter().any(|c| c.starts_with("SYNTHETIC DATA")), "{n}");

        // The network sheet holds what `wahana network` measures for the same region and wave,
        // brokers named (the command's user reads the database).
        let wave = p["wave"]["id"].as_str().unwrap();
        let m = json(&env.ok(&[
            "network", "--region", "73.08.21", "--wave", wave, "--format", "json",
        ]));
        let (measures, brokers) = network_sheet(&out, "Network");
        let keys = [
            "nodes",
            "groups",
            "institutions",
            "networks",
            "ties",
            "ties_leaving_scope",
            "density",
            "components",
            "largest_component",
            "isolates",
            "degree_mean",
            "degree_max",
            "share_tied_to_institution",
            "cross_village_ties",
            "co_membership_ties",
            "implied_membership_ties",
        ];
        assert_eq!(
            measures.keys().collect::<Vec<_>>(),
            {
                let mut k = keys.to_vec();
                k.sort();
                k
            },
            "{n}"
        );
        for key in keys {
            let want = m[key].as_f64().unwrap_or_else(|| panic!("{n}: {key}"));
            assert!(
                (measures[key] - want).abs() < 1e-12,
                "{n}: {key}: sheet {} command {want}",
                measures[key]
            );
        }
        assert!(measures["nodes"] > 400.0 && measures["ties"] > 0.0, "{n}");
        let top = m["top_brokers"].as_array().unwrap();
        assert_eq!(brokers.len(), top.len(), "{n}");
        assert!(!brokers.is_empty(), "{n}");
        let per_node = m["per_node"].as_array().unwrap();
        for (i, (row, b)) in brokers.iter().zip(top).enumerate() {
            assert_eq!(row.rank, (i + 1) as f64, "{n}");
            assert_eq!(row.id, b["id"].as_str().unwrap(), "{n}");
            assert_eq!(row.name, b["name"].as_str().unwrap(), "{n}");
            assert!(
                (row.betweenness - b["betweenness"].as_f64().unwrap()).abs() < 1e-12,
                "{n}: {row:?}"
            );
            let node = per_node.iter().find(|x| x["id"] == b["id"]).unwrap();
            assert_eq!(row.degree, node["degree"].as_f64().unwrap(), "{n}");
            let kind = match node["kind"].as_str().unwrap() {
                "kelompok" => "Group",
                "lembaga" => "Support institution",
                "wahana" => "WKSBM network",
                other => panic!("{other}"),
            };
            assert_eq!(row.kind, kind, "{n}");
        }
        // In Indonesian: the sheet is `jaringan`, labels in Indonesian, the same numbers.
        let out_id = env.path("p-id.xlsx");
        env.ok(&[
            "profile",
            "--region",
            "73.08.21",
            "--format",
            "xlsx",
            "-o",
            out_id.to_str().unwrap(),
        ]);
        let (measures_id, brokers_id) = network_sheet(&out_id, "Jejaring");
        assert_eq!(measures_id, measures, "{n}");
        assert_eq!(brokers_id.len(), brokers.len(), "{n}");
        let mut wb: Xlsx<_> = open_workbook(&out_id).unwrap();
        let j = wb.worksheet_range("Jejaring").unwrap();
        assert_eq!(j.get((4, 0)).unwrap().to_string(), "Pelaku (simpul)", "{n}");
    }
}

#[test]
fn screening_under_versioned_rules_and_fresh_profiles() {
    for env in envs() {
        let n = env.name;
        env.ok(&["demo"]);
        let profile = |args: &[&str]| {
            let mut a = vec!["profile", "--region", "73.08.21", "--format", "json"];
            a.extend_from_slice(args);
            json(&env.ok(&a))
        };
        let before = profile(&[]);

        // Screening lists every group with an outcome and a reason per criterion.
        let s = json(&env.ok(&[
            "screen", "--region", "73.08.21", "--format", "json", "--limit", "1000",
        ]));
        assert_eq!(s["summary"]["total"], before["groups_recorded"], "{n}");
        let groups = s["groups"].as_array().unwrap();
        assert_eq!(
            groups.len() as u64,
            before["groups_recorded"].as_u64().unwrap()
        );
        let first = &groups[0];
        let criteria: Vec<&str> = first["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["criterion"].as_str().unwrap())
            .collect();
        for c in ["C1", "C2", "X1", "X2", "X3"] {
            assert!(criteria.contains(&c), "{n}: {c} missing from {criteria:?}");
        }
        assert!(
            first["reasons"][0]["field"].is_string()
                && first["reasons"][0]["message_en"].is_string()
        );
        let csv = env.ok(&[
            "screen", "--region", "73.08.21", "--format", "csv", "--limit", "2",
        ]);
        assert!(csv.starts_with("id,pendataan,kode_wilayah,desa_kelurahan,nama,jenis,hasil_penyaringan,C1,C2,X1,X2,X3,alasan"), "{n}: {csv}");
        assert_eq!(csv.lines().count(), 3, "{n}");

        // A group added or deleted shows in the next profile with no rebuild.
        let added = env.ok(&[
            "groups",
            "add",
            "--region",
            "73.08.21.1002",
            "--name",
            "Arisan Uji Baru",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1990",
            "--survey-date",
            "2007-08-20",
            "--wave",
            "demo-2007-sintetis",
            "--set",
            "nilai=gotong_royong",
            "--set",
            "tujuan=ketahanan_sosial",
            "--set",
            "anggota_laki=10",
            "--format",
            "json",
        ]);
        let id = json(&added)["id"].as_str().unwrap().to_string();
        let after = profile(&[]);
        assert_eq!(
            after["groups_recorded"].as_u64(),
            before["groups_recorded"].as_u64().map(|x| x + 1),
            "{n}"
        );
        assert_eq!(
            after["groups_qualifying"].as_u64(),
            before["groups_qualifying"].as_u64().map(|x| x + 1),
            "{n}"
        );
        let ta = |p: &Value| p["by_village"][1]["recorded"].as_u64().unwrap();
        assert_eq!(ta(&after), ta(&before) + 1, "{n}");
        env.ok(&["groups", "edit", &id, "--set", "status=bubar"]);
        let edited = profile(&[]);
        assert_eq!(
            edited["groups_qualifying"], before["groups_qualifying"],
            "{n}"
        );
        env.ok(&["groups", "delete", &id]);
        assert_eq!(profile(&[]), before, "{n}");

        // Another rule set from a file: registered under its version, the wave screened under
        // it, both kept; the same version with another text is refused by name.
        let strict = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../wahana-domain/rules/seed-2007.toml"
        ))
        .unwrap()
        .replace("version = \"seed-2007\"", "version = \"uji-ketat\"")
        .replace(
            "{ field = \"nilai\", test = \"present\" },",
            "{ field = \"nilai\", test = \"any_of\", codes = [\"gotong_royong\"] },",
        );
        let file = env.path("ketat.toml");
        std::fs::write(&file, &strict).unwrap();
        let s = json(&env.ok(&[
            "screen",
            "--region",
            "73.08.21",
            "--rules",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--outcome",
            "tidak_memenuhi",
            "--limit",
            "3",
        ]));
        assert_eq!(s["rules"], "uji-ketat");
        assert!(s["waves"][0]["screened_now"].as_u64().unwrap() > 0, "{n}");
        let failing = s["summary"]["does_not_qualify"].as_u64().unwrap();
        assert!(failing > 0, "{n}");
        assert_eq!(s["listed_total"].as_u64().unwrap(), failing);
        assert!(
            s["groups"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["outcome"] == "tidak_memenuhi")
        );
        let p = profile(&["--rules", "uji-ketat"]);
        assert_eq!(p["rules"], "uji-ketat");
        assert!(
            p["groups_qualifying"].as_u64() < before["groups_qualifying"].as_u64(),
            "{n}"
        );
        assert_eq!(
            profile(&[]),
            before,
            "{n}: seed-2007 results are kept beside"
        );
        let again = json(&env.ok(&[
            "screen",
            "--region",
            "73.08.21",
            "--rules",
            "uji-ketat",
            "--format",
            "json",
            "--limit",
            "0",
        ]));
        assert!(
            again["waves"][0]["screened_now"].is_null(),
            "{n}: kept, not screened again"
        );
        std::fs::write(
            &file,
            strict.replace("gotong_royong\"] }", "kebersamaan\"] }"),
        )
        .unwrap();
        let err = env.fails(&[
            "--lang",
            "en",
            "screen",
            "--region",
            "73.08.21",
            "--rules",
            file.to_str().unwrap(),
        ]);
        assert!(
            err.contains("uji-ketat") && err.contains("different text"),
            "{n}: {err}"
        );
        let err = env.fails(&[
            "--lang",
            "en",
            "profile",
            "--region",
            "73.08.21",
            "--rules",
            "tidak-ada",
        ]);
        assert!(err.contains("unknown rule set"), "{n}: {err}");
    }
}

/// What people typed (a wave's name and source) reaches the HTML report escaped: markup, quotes
/// and ampersands are text, never tags.
#[test]
fn the_html_report_escapes_what_people_typed() {
    for env in envs() {
        let n = env.name;
        env.ok(&[
            "waves",
            "add",
            "--id",
            "uji",
            "--name",
            "Uji <script>alert('x')</script> & co",
            "--source",
            "Dinas \"Sosial\" <b>&</b>",
            "--start",
            "2026-08-01",
        ]);
        env.ok(&[
            "groups",
            "add",
            "--region",
            "73.08.21.1003",
            "--name",
            "Arisan Mawar",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1990",
            "--survey-date",
            "2026-08-10",
            "--wave",
            "uji",
        ]);
        for lang in ["id", "en"] {
            let out = env.path(&format!("uji-{lang}.html"));
            env.ok(&[
                "--lang",
                lang,
                "profile",
                "--region",
                "73.08.21.1003",
                "--format",
                "html",
                "-o",
                out.to_str().unwrap(),
            ]);
            let html = std::fs::read_to_string(&out).unwrap();
            // The wave's date written out in the report's language.
            let date = if lang == "id" {
                "1 Agustus 2026"
            } else {
                "1 August 2026"
            };
            for escaped in [
                format!(
                    "&quot;Uji &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; co&quot; (uji, {date})"
                ),
                "Dinas &quot;Sosial&quot; &lt;b&gt;&amp;&lt;/b&gt;.".to_string(),
            ] {
                assert!(html.contains(&escaped), "{n} {lang}: lacks {escaped}");
            }
            for raw in ["<script", "alert('x')", "<b>&"] {
                assert!(!html.contains(raw), "{n} {lang}: {raw} unescaped");
            }
        }
    }
}
