//! The network of a scope, on a small registry built through the command line, with every
//! measure computed by hand.
//!
//! Kelurahan Biru (73.08.21.1001, "A") and Ta (73.08.21.1002, "B"):
//!
//! ```text
//!   g2 ── L            A: g1 g2 g3 g7 (groups), W (network "WKSBM Biru"), L (village office)
//!    \   /             B: g4, g5 (dissolved), g6
//!      W ── g1 ── g3 ── g4 ── (g5: dissolved, the tie leaves the scope)
//!                  \
//!                   g6 (co-membership: one person in g3 and g6)      g7 alone
//! ```
//!
//! W–g1 is recorded twice (koordinasi, and pembinaan the other way): one tie. g2–W comes from
//! g2's `wahana` column ("wksbm  BIRU"), with no tie recorded. 8 nodes, 7 ties.

use crate::harness::{Env, envs};
use serde_json::Value;

const A: &str = "73.08.21.1001";
const B: &str = "73.08.21.1002";

fn group(env: &Env, village: &str, name: &str, extra: &[&str]) -> String {
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
        "1999",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let v: Value = serde_json::from_str(&env.ok(&args)).unwrap();
    v["id"].as_str().unwrap().to_string()
}

/// Builds the registry; returns the ids (g1, g2, g3, g4, g5, g6, g7, W, L).
fn build(env: &Env) -> [String; 9] {
    // Records go into a wave made on purpose.
    env.ok(&[
        "waves",
        "add",
        "--name",
        "Pendataan Uji",
        "--start",
        "2007-08-01",
    ]);
    let g1 = group(env, A, "Arisan Satu", &[]);
    let g2 = group(env, A, "Arisan Dua", &["--set", "wahana=wksbm  BIRU"]);
    let g3 = group(env, A, "Arisan Tiga", &[]);
    let g7 = group(env, A, "Arisan Tujuh", &[]);
    let g4 = group(env, B, "Arisan Empat", &[]);
    let g5 = group(env, B, "Arisan Lima", &["--set", "status=bubar"]);
    let g6 = group(env, B, "Arisan Enam", &[]);
    let out = env.ok(&[
        "networks",
        "add",
        "--region",
        A,
        "--name",
        "WKSBM Biru",
        "--set",
        "ketua=Contoh Ketua",
    ]);
    let w = format!("W-{}-0001", A.replace('.', ""));
    assert!(out.contains(&w), "{}: {out}", env.name);
    let out = env.ok(&[
        "institutions",
        "add",
        "--region",
        A,
        "--kind",
        "kantor_desa",
        "--name",
        "Kantor Kelurahan Biru",
    ]);
    let l = format!("L-{}-0001", A.replace('.', ""));
    assert!(out.contains(&l), "{}: {out}", env.name);
    for (from, to, t) in [
        (&g1, &w, "koordinasi"),
        (&w, &g1, "pembinaan"),
        (&l, &w, "pembinaan"),
        (&l, &g2, "pembinaan"),
        (&g1, &g3, "kegiatan_bersama"),
        (&g3, &g4, "rujukan"),
        (&g4, &g5, "rujukan"),
    ] {
        let mut args = vec!["ties", "add", from, to, "--type", t, "--since", "2005"];
        // The network guides the group it coordinates with: a second tie of another type
        // between the same two, meant.
        if (from, t) == (&w, "pembinaan") {
            args.push("--ikatan-kedua");
        }
        env.ok(&args);
    }
    env.ok(&[
        "members",
        "add",
        &g3,
        "--name",
        "Andi Baso",
        "--role",
        "ketua",
    ]);
    env.ok(&["members", "add", &g6, "--name", "andi  baso"]);
    env.ok(&[
        "members",
        "add",
        &g6,
        "--name",
        "La Ode",
        "--key",
        "7308 0101",
    ]);
    [g1, g2, g3, g4, g5, g6, g7, w, l]
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-12
}

#[test]
fn hand_built_registry_has_the_hand_computed_measures() {
    for env in envs() {
        let [g1, g2, g3, g4, _g5, g6, g7, w, l] = build(&env);
        let name = env.name;
        let m: Value =
            serde_json::from_str(&env.ok(&["network", "--region", "73.08.21", "--format", "json"]))
                .unwrap();
        assert_eq!(m["nodes"], 8, "{name}");
        assert_eq!(
            (
                m["groups"].as_u64(),
                m["institutions"].as_u64(),
                m["networks"].as_u64()
            ),
            (Some(6), Some(1), Some(1))
        );
        assert_eq!(m["ties"], 7, "{name}");
        assert_eq!(m["ties_leaving_scope"], 1, "{name}");
        assert_eq!(m["implied_membership_ties"], 1, "{name}");
        assert_eq!(m["co_membership_ties"], 1, "{name}");
        assert!(
            close(&m["density"], 14.0 / 56.0),
            "{name}: {}",
            m["density"]
        );
        assert_eq!(m["components"], 2, "{name}");
        assert_eq!(m["largest_component"], 7, "{name}");
        assert_eq!(m["isolates"], 1, "{name}");
        assert_eq!(m["isolated_groups"], serde_json::json!([g7]), "{name}");
        assert!(close(&m["degree_mean"], 1.75), "{name}");
        assert_eq!(m["degree_max"], 3, "{name}");
        assert!(close(&m["share_tied_to_institution"], 1.0 / 6.0), "{name}");
        assert_eq!(m["cross_village_ties"], 2, "{name}");
        assert_eq!(m["betweenness_computed"], true);
        // g1 and g3 each separate 9 pairs, W 8; normalised by 2 / ((n-1)(n-2)) = 1/21.
        let brokers: Vec<(String, f64)> = m["top_brokers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["id"].as_str().unwrap().to_string(),
                    b["betweenness"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(brokers.len(), 3, "{name}: {brokers:?}");
        for ((id, b), (want_id, want)) in brokers.iter().zip([(&g1, 9.0), (&g3, 9.0), (&w, 8.0)]) {
            assert_eq!(id, want_id, "{name}");
            assert!((b - want / 21.0).abs() < 1e-12, "{name}: {id} {b}");
        }
        let degree = |id: &str| {
            m["per_node"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == id)
                .map(|n| n["degree"].as_u64().unwrap())
        };
        for (id, d) in [
            (&g1, 2),
            (&g2, 2),
            (&g3, 3),
            (&g4, 1),
            (&g6, 1),
            (&g7, 0),
            (&w, 3),
            (&l, 2),
        ] {
            assert_eq!(degree(id), Some(d), "{name}: {id}");
        }

        // One village: g3's ties to B leave it; g6 and g4 are not nodes.
        let a: Value =
            serde_json::from_str(&env.ok(&["network", "--region", A, "--format", "json"])).unwrap();
        assert_eq!(
            (a["nodes"].as_u64(), a["ties"].as_u64()),
            (Some(6), Some(5)),
            "{name}"
        );
        assert_eq!(a["cross_village_ties"], 0, "{name}");

        // One network's own graph: W, g1, g2 and L; g1–g3 leaves it.
        let e: Value = serde_json::from_str(&env.ok(&[
            "network",
            "--region",
            "73.08.21",
            "--network",
            &w,
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(
            (e["nodes"].as_u64(), e["ties"].as_u64()),
            (Some(4), Some(4)),
            "{name}"
        );
        assert_eq!(e["ties_leaving_scope"], 1, "{name}");
        assert_eq!(e["implied_membership_ties"], 1, "{name}");
        assert!(close(&e["share_tied_to_institution"], 0.5), "{name}");

        // Text, GraphML and SVG.
        let text = env.ok(&["--lang", "en", "network", "--region", "73.08.21"]);
        for want in [
            "8 (6 groups, 1 institutions, 1 networks)",
            "0.250000",
            "2 (largest 7 nodes)",
            "16.7%",
            "Top brokers",
        ] {
            assert!(text.contains(want), "{name}: {want} missing from\n{text}");
        }
        let xml = env.ok(&["network", "--region", "73.08.21", "--format", "graphml"]);
        assert_eq!(xml.matches("<node ").count(), 8, "{name}");
        assert_eq!(xml.matches("<edge ").count(), 7, "{name}");
        env.ok(&[
            "network", "--region", "73.08.21", "--format", "svg", "--out", "n.svg",
        ]);
        let svg = std::fs::read_to_string(env.path("n.svg")).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("Arisan Satu"),
            "{name}"
        );
        env.ok(&[
            "network", "--region", "73.08.21", "--format", "svg", "--out", "m.svg",
        ]);
        assert_eq!(
            svg,
            std::fs::read_to_string(env.path("m.svg")).unwrap(),
            "{name}: the same picture"
        );

        // The profile workbook's network sheet: the same hand-computed numbers and brokers.
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
        let (sheet, brokers) = crate::profile::network_sheet(&out, "Network");
        for (key, want) in [
            ("nodes", 8.0),
            ("groups", 6.0),
            ("institutions", 1.0),
            ("networks", 1.0),
            ("ties", 7.0),
            ("ties_leaving_scope", 1.0),
            ("density", 0.25),
            ("components", 2.0),
            ("largest_component", 7.0),
            ("isolates", 1.0),
            ("degree_mean", 1.75),
            ("degree_max", 3.0),
            ("share_tied_to_institution", 1.0 / 6.0),
            ("cross_village_ties", 2.0),
            ("co_membership_ties", 1.0),
            ("implied_membership_ties", 1.0),
        ] {
            let got = sheet.get(key).unwrap_or_else(|| panic!("{name}: {key}"));
            assert!((got - want).abs() < 1e-12, "{name}: {key} = {got}");
        }
        let rows: Vec<(f64, &str, &str, &str, f64, f64)> = brokers
            .iter()
            .map(|b| {
                (
                    b.rank,
                    b.id.as_str(),
                    b.name.as_str(),
                    b.kind.as_str(),
                    (b.betweenness * 21.0).round(),
                    b.degree,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (1.0, g1.as_str(), "Arisan Satu", "Group", 9.0, 2.0),
                (2.0, g3.as_str(), "Arisan Tiga", "Group", 9.0, 3.0),
                (3.0, w.as_str(), "WKSBM Biru", "WKSBM network", 8.0, 3.0),
            ],
            "{name}"
        );
        for b in &brokers {
            let want = (b.betweenness * 21.0).round() / 21.0;
            assert!((b.betweenness - want).abs() < 1e-12, "{name}: {b:?}");
        }

        // Deleting the institution removes its ties: g2 keeps W only through its column.
        env.ok(&["institutions", "delete", &l]);
        let d: Value =
            serde_json::from_str(&env.ok(&["network", "--region", "73.08.21", "--format", "json"]))
                .unwrap();
        assert_eq!(
            (d["nodes"].as_u64(), d["ties"].as_u64()),
            (Some(7), Some(5)),
            "{name}"
        );
        assert!(close(&d["share_tied_to_institution"], 0.0), "{name}");
    }
}

#[test]
fn actors_are_added_edited_listed_and_deleted() {
    for env in envs() {
        let name = env.name;
        let [g1, _g2, g3, _g4, _g5, g6, _g7, w, l] = build(&env);
        // The board is personal: hidden unless asked for.
        let list = env.ok(&[
            "networks", "list", "--region", "73.08.21", "--format", "json",
        ]);
        assert!(
            list.contains("WKSBM Biru") && !list.contains("Contoh Ketua"),
            "{name}: {list}"
        );
        let list = env.ok(&["networks", "list", "--format", "json", "--personal"]);
        assert!(list.contains("Contoh Ketua"), "{name}");
        // Member groups: tied (g1), or naming it (g2); supporting institutions: L.
        let show: Value =
            serde_json::from_str(&env.ok(&["networks", "show", &w, "--format", "json"])).unwrap();
        assert_eq!(
            show["member_groups"].as_array().unwrap().len(),
            2,
            "{name}: {show}"
        );
        assert_eq!(show["institutions"][0]["id"], l.as_str(), "{name}");
        assert_eq!(
            show["member_groups"][0]["tie_types"],
            serde_json::json!(["koordinasi", "pembinaan"])
        );

        // Edits: a stale version is refused.
        let out = env.ok(&[
            "networks",
            "edit",
            &w,
            "--set",
            "nomor_sk=SK-1/2006",
            "--set",
            "tanggal_sk=2006-03-01",
        ]);
        assert!(out.contains("2"), "{name}: {out}");
        let err = env.fails(&[
            "networks",
            "edit",
            &w,
            "--set",
            "nama=Lain",
            "--version",
            "1",
        ]);
        assert!(err.contains("versi 2"), "{name}: {err}");
        let err = env.fails(&["networks", "edit", &w, "--set", "kode_wilayah=73.08.21"]);
        assert!(err.contains("kode_wilayah"), "{name}: {err}");
        env.ok(&[
            "institutions",
            "edit",
            &l,
            "--set",
            "jenis_lembaga=puskesmas",
        ]);
        let inst = env.ok(&["institutions", "list", "--region", A, "--format", "csv"]);
        assert!(inst.contains("puskesmas"), "{name}: {inst}");

        // Ties: the same tie the other way round is refused; an unknown actor too.
        let err = env.fails(&["ties", "add", &g3, &g1, "--type", "kegiatan_bersama"]);
        assert!(err.contains("sudah tercatat"), "{name}: {err}");
        // Another type between the same two: asked first, written with --ikatan-kedua.
        let err = env.fails(&["ties", "add", &g3, &g1, "--type", "rujukan"]);
        assert!(
            err.contains("sudah terikat") && err.contains("--ikatan-kedua"),
            "{name}: {err}"
        );
        env.ok(&[
            "ties",
            "add",
            &g3,
            &g1,
            "--type",
            "rujukan",
            "--ikatan-kedua",
        ]);
        let second: Value =
            serde_json::from_str(&env.ok(&["ties", "list", "--actor", &g3, "--format", "json"]))
                .unwrap();
        let second = second
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tie_type"] == "rujukan" && t["to"] == g1.as_str())
            .unwrap_or_else(|| panic!("{name}: {second}"))["id"]
            .as_i64()
            .unwrap()
            .to_string();
        env.ok(&["ties", "delete", &second]);
        let err = env.fails(&["ties", "add", &g1, "K-nope", "--type", "rujukan"]);
        assert!(err.contains("K-nope"), "{name}: {err}");
        let err = env.fails(&["ties", "add", &g1, &g1, "--type", "rujukan"]);
        assert!(err.contains("ke"), "{name}: {err}");
        let ties: Value =
            serde_json::from_str(&env.ok(&["ties", "list", "--actor", &g1, "--format", "json"]))
                .unwrap();
        assert_eq!(ties.as_array().unwrap().len(), 3, "{name}");
        let first = ties[0]["id"].as_i64().unwrap().to_string();
        env.ok(&["ties", "delete", &first]);
        env.fails(&["ties", "delete", &first]);

        // Members: names only with --personal; they go with their group.
        let plain = env.ok(&["members", "list", &g6]);
        assert!(
            !plain.contains("baso") && !plain.contains("La Ode"),
            "{name}: {plain}"
        );
        let personal = env.ok(&["members", "list", &g6, "--personal", "--format", "json"]);
        assert!(
            personal.contains("La Ode") && personal.contains("k:73080101"),
            "{name}: {personal}"
        );
        env.fails(&["members", "add", &g6, "--name", "X", "--role", "raja"]);
        env.fails(&["members", "add", "K-nope", "--name", "X"]);
        env.ok(&["groups", "delete", &g6]);
        env.fails(&["members", "list", &g6]);

        env.ok(&["networks", "delete", &w]);
        env.fails(&["networks", "show", &w]);
        let left: Value = serde_json::from_str(
            &env.ok(&["ties", "list", "--region", "73.08.21", "--format", "json"]),
        )
        .unwrap();
        assert!(
            left.as_array()
                .unwrap()
                .iter()
                .all(|t| t["from"] != w.as_str() && t["to"] != w.as_str()),
            "{name}"
        );
    }
}
