use crate::harness::envs;

#[test]
fn demo_then_regions_and_groups_list() {
    for env in envs() {
        let out = env.ok(&["demo"]);
        assert!(out.contains("SINTETIS"), "{}: {out}", env.name);
        let regions = env.ok(&["regions", "73.08.21"]);
        for name in [
            "Biru",
            "Ta ",
            "Watampone",
            "Bukaka",
            "Pappolo",
            "Manurunge",
            "Walanae",
            "Masumpu",
            "Kabupaten Bone",
            "Sulawesi Selatan",
        ] {
            assert!(
                regions.contains(name),
                "{}: {name} missing from\n{regions}",
                env.name
            );
        }
        let json: serde_json::Value =
            serde_json::from_str(&env.ok(&["regions", "730821", "--format", "json"])).unwrap();
        let children = json["children"].as_array().unwrap();
        assert_eq!(children.len(), 8, "{}", env.name);
        let total: i64 = children.iter().map(|c| c["groups"].as_i64().unwrap()).sum();
        assert_eq!(json["region"]["groups"].as_i64().unwrap(), total);
        assert!(
            children
                .iter()
                .all(|c| (50..=65).contains(&c["groups"].as_i64().unwrap())),
            "{}",
            env.name
        );
        assert_eq!(json["ancestors"].as_array().unwrap().len(), 2);

        let list: serde_json::Value = serde_json::from_str(&env.ok(&[
            "groups", "list", "--region", "73.08.21", "--format", "json", "--limit", "1000",
        ]))
        .unwrap();
        assert_eq!(list.as_array().unwrap().len() as i64, total, "{}", env.name);
        // Personal data stays out unless asked for.
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|g| g["chair"].is_null() && g["phone"].is_null())
        );
        let csv = env.ok(&[
            "groups",
            "list",
            "--region",
            "73.08.21.1003",
            "--format",
            "csv",
            "--personal",
        ]);
        assert!(csv.contains("0812-0000-"), "{}", env.name);
        let table = env.ok(&[
            "groups",
            "list",
            "--region",
            "73.08.21.1003",
            "--type",
            "arisan",
        ]);
        assert!(table.contains("Arisan"), "{}", env.name);

        // The demo is deterministic: running it again gives the same counts.
        env.ok(&["demo"]);
        let again: serde_json::Value =
            serde_json::from_str(&env.ok(&["regions", "73.08.21", "--format", "json"])).unwrap();
        assert_eq!(again["region"]["groups"], json["region"]["groups"]);
    }
}

#[test]
fn add_show_edit_delete_a_group() {
    for env in envs() {
        env.ok(&["init"]);
        env.ok(&[
            "waves",
            "add",
            "--name",
            "Pendataan 2007",
            "--start",
            "2007-08-01",
        ]);
        let out = env.ok(&[
            "groups",
            "add",
            "--region",
            "7308211002",
            "--name",
            "Arisan Ta'",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1995",
            "--survey-date",
            "14/08/2007",
            "--set",
            "telepon=0812-0000-0099",
            "--set",
            "values=kebersamaan gotong_royong",
            "--format",
            "json",
        ]);
        let g: serde_json::Value = serde_json::from_str(&out).unwrap();
        let id = g["id"].as_str().unwrap().to_string();
        assert_eq!(id, "K-7308211002-0001", "{}", env.name);
        assert_eq!(g["village"], "73.08.21.1002");
        assert_eq!(
            g["values"],
            serde_json::json!(["kebersamaan", "gotong_royong"])
        );
        assert_eq!(
            g["phone"], "0812-0000-0099",
            "the one who typed it sees what was saved"
        );
        let listed = env.ok(&["groups", "list", "--format", "json"]);
        assert!(
            !listed.contains("0812-0000-0099"),
            "personal data hidden from lists by default"
        );

        let shown = env.ok(&["groups", "show", &id, "--personal", "--format", "json"]);
        let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(shown["phone"], "0812-0000-0099");
        assert_eq!(shown["version"], 1);

        // The same village, type and name up to case and punctuation is a likely duplicate.
        let err = env.fails(&[
            "groups",
            "add",
            "--region",
            "73.08.21.1002",
            "--name",
            "ARISAN  TA",
            "--type",
            "arisan",
            "--origin",
            "tumbuh_masyarakat",
            "--founded",
            "1995",
        ]);
        assert!(
            err.contains("data ganda") && err.contains(&id),
            "{}: {err}",
            env.name
        );

        env.ok(&[
            "groups",
            "edit",
            &id,
            "--set",
            "nama=Arisan Ta' Baru",
            "--version",
            "1",
        ]);
        let err = env.fails(&[
            "groups",
            "edit",
            &id,
            "--set",
            "nama=Arisan Lain",
            "--version",
            "1",
        ]);
        assert!(err.contains("diubah orang lain"), "{}: {err}", env.name);
        // Exit statuses by the refusal's code: 3 invalid input, 4 not held, 5 a conflict.
        let err = env.fails_with(
            3,
            &[
                "--lang",
                "en",
                "groups",
                "edit",
                &id,
                "--set",
                "tahun_berdiri=2031",
            ],
        );
        assert!(
            err.contains("tahun_berdiri") && err.contains("1800 to 2007"),
            "{}: {err}",
            env.name
        );

        env.fails_with(
            5,
            &[
                "groups",
                "edit",
                &id,
                "--set",
                "nama=Lagi",
                "--version",
                "1",
            ],
        );
        env.ok(&["groups", "delete", &id]);
        let err = env.fails_with(4, &["--lang", "en", "groups", "show", &id]);
        assert!(
            err.contains("group") && err.contains("not found"),
            "{}: {err}",
            env.name
        );
    }
}

/// Bad input names the field, the value and what was expected, and writes nothing.
#[test]
fn bad_groups_are_refused_and_write_nothing() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--region",
                "73.08.21.1099",
                "--type",
                "arisan",
                "--founded",
                "1990",
            ],
            "73.08.21.1008 Masumpu",
        ),
        (
            &[
                "--region",
                "73.08.21.1001",
                "--type",
                "arisan",
                "--founded",
                "2031",
            ],
            "1800 to",
        ),
        (
            &[
                "--region",
                "73.08.21.1001",
                "--type",
                "arsan",
                "--founded",
                "1990",
            ],
            "one of: arisan",
        ),
        (
            &[
                "--region",
                "73.08.21",
                "--type",
                "arisan",
                "--founded",
                "1990",
            ],
            "village code",
        ),
    ];
    for env in envs() {
        env.ok(&["init"]);
        for (args, fragment) in cases {
            let mut full = vec![
                "--lang",
                "en",
                "groups",
                "add",
                "--name",
                "Kelompok Uji",
                "--origin",
                "tumbuh_masyarakat",
            ];
            full.extend_from_slice(args);
            let err = env.fails(&full);
            assert!(err.contains(fragment), "{}: {args:?}: {err}", env.name);
        }
        let list = env.ok(&["groups", "list", "--format", "json"]);
        assert_eq!(list.trim(), "[]", "{}: nothing may be written", env.name);
    }
}

#[test]
fn local_units_and_region_names() {
    for env in envs() {
        env.ok(&[
            "units",
            "add",
            "73.08.21.1002",
            "--kind",
            "rw",
            "--name",
            "RW 03",
        ]);
        let out = env.ok(&["units", "list", "73.08.21.1002", "--format", "json"]);
        assert!(out.contains("RW 03"), "{}", env.name);
        env.fails(&[
            "units", "add", "73.08.21", "--kind", "rw", "--name", "RW 01",
        ]);
        let out = env.ok(&["regions", "--search", "regapu'u", "--format", "csv"]);
        assert!(out.contains("Regapu’u"), "{}: {out}", env.name);
        let out = env.ok(&["regions", "Tanete Riattang"]);
        assert!(out.contains("Watampone"), "{}", env.name);
    }
}

#[test]
fn help_everywhere() {
    let env = &envs()[0];
    for args in [
        &["--help"][..],
        &["groups", "--help"],
        &["groups", "add", "--help"],
        &["demo", "--help"],
        &["regions", "--help"],
        &["units", "add", "--help"],
        &["instrument", "xform", "--help"],
    ] {
        let out = env.ok(args);
        assert!(out.contains("Usage"), "{args:?}");
    }
}

/// JSON and CSV give every match unless `--limit` is given; the table shows a page; whatever a
/// limit cuts is said on standard error.
#[test]
fn group_lists_are_cut_only_by_a_limit_and_say_so() {
    for env in envs() {
        env.ok(&["demo"]);
        let total = env.group_count();
        assert!(
            total > 100,
            "{}: the demo must outgrow a table page",
            env.name
        );
        let all = env.run(&["--lang", "en", "groups", "list", "--format", "json"]);
        let list: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
        assert_eq!(list.as_array().unwrap().len(), total, "{}", env.name);
        assert!(
            !String::from_utf8_lossy(&all.stderr).contains("more"),
            "{}",
            env.name
        );
        let csv = env.ok(&["groups", "list", "--format", "csv"]);
        assert_eq!(csv.lines().count(), total + 1, "{}", env.name);

        let cut = env.run(&[
            "--lang", "en", "groups", "list", "--format", "csv", "--limit", "5",
        ]);
        assert_eq!(String::from_utf8_lossy(&cut.stdout).lines().count(), 6);
        let stderr = String::from_utf8_lossy(&cut.stderr);
        assert!(
            stderr.contains(&format!("… {} more; use --limit", total - 5)),
            "{}: {stderr}",
            env.name
        );
        let table = env.run(&["groups", "list"]);
        let stderr = String::from_utf8_lossy(&table.stderr);
        assert!(
            stderr.contains(&format!("100 dari {total} kelompok"))
                && stderr.contains(&format!("… {} lagi; --limit untuk mengubah", total - 100)),
            "{}: {stderr}",
            env.name
        );
    }
}

/// `screen` gives every group in JSON and CSV unless `--limit` is given; the table shows a
/// page and says so; whatever a limit cuts is said on standard error.
#[test]
fn screen_lists_every_group_unless_limited_and_says_so() {
    for env in envs() {
        let n = env.name;
        env.ok(&["demo"]);
        let all = env.run(&[
            "--lang", "en", "screen", "--region", "nasional", "--format", "json",
        ]);
        assert!(all.status.success(), "{n}");
        let report: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
        let total = report["summary"]["total"].as_u64().unwrap() as usize;
        assert!(total > 100, "{n}: the demo must outgrow a table page");
        assert_eq!(report["groups"].as_array().unwrap().len(), total, "{n}");
        assert!(
            !String::from_utf8_lossy(&all.stderr).contains("more"),
            "{n}"
        );
        let csv = env.run(&["screen", "--region", "nasional", "--format", "csv"]);
        assert_eq!(
            String::from_utf8_lossy(&csv.stdout).lines().count(),
            total + 1,
            "{n}"
        );
        let cut = env.run(&[
            "--lang", "en", "screen", "--region", "nasional", "--format", "json", "--limit", "7",
        ]);
        let report: serde_json::Value = serde_json::from_slice(&cut.stdout).unwrap();
        assert_eq!(report["groups"].as_array().unwrap().len(), 7, "{n}");
        let stderr = String::from_utf8_lossy(&cut.stderr);
        assert!(
            stderr.contains(&format!("… {} more; use --limit", total - 7)),
            "{n}: {stderr}"
        );
        let table = env.run(&["screen", "--region", "nasional"]);
        let stderr = String::from_utf8_lossy(&table.stderr);
        assert!(
            stderr.contains(&format!("100 dari {total} kelompok"))
                && stderr.contains(&format!("… {} lagi; --limit untuk mengubah", total - 100)),
            "{n}: {stderr}"
        );
    }
}

/// `regions --search` names each region's parent area, understands "Kel." / "Kec." / "Kab.",
/// and pages with --limit/--offset, saying on standard error what a limit left out.
#[test]
fn region_search_shows_parents_and_pages() {
    let env = &envs()[0];
    let out = env.ok(&["regions", "--search", "Kel. Watampone", "--format", "csv"]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "kode,nama,jenis,wilayah induk",
            "73.08.21.1003,Watampone,kelurahan,\"Kec. Tanete Riattang, Kab. Bone\""
        ],
        "{out}"
    );
    let out = env.ok(&[
        "regions",
        "--search",
        "kec tanete riattang",
        "--format",
        "json",
    ]);
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found = found.as_array().unwrap();
    // Tanete Riattang, then Tanete Riattang Barat and Timur; only kecamatan.
    assert_eq!(found.len(), 3, "{out}");
    assert!(found.iter().all(|r| r["kind"] == "kecamatan"), "{out}");
    assert_eq!(found[0]["code"], "73.08.21");
    assert_eq!(found[0]["parent"], "Kab. Bone, Sulawesi Selatan");
    // Every match in JSON; pages with --limit/--offset.
    let all = env.run(&["regions", "--search", "bone", "--format", "json"]);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let all: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(all.len() > 20, "{}", all.len());
    let page = env.run(&[
        "--lang", "en", "regions", "--search", "bone", "--format", "json", "--limit", "10",
        "--offset", "10",
    ]);
    let codes: serde_json::Value = serde_json::from_slice(&page.stdout).unwrap();
    let codes: Vec<&str> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, all[10..20]);
    let stderr = String::from_utf8_lossy(&page.stderr);
    assert!(
        stderr.contains(&format!("… {} more; use --limit", all.len() - 20)),
        "{stderr}"
    );
}

/// Issue 16, point 10, from the command line: `users deactivate`, `users activate` and
/// `users reset-password` (the password from WAHANA_NEW_PASSWORD, or generated and printed),
/// checked by signing in against the same database; roles listed in the chosen language.
#[test]
fn people_are_deactivated_reactivated_and_given_passwords_from_the_command_line() {
    use wahana::service::users::{self, SignInRefused};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for env in envs() {
        let n = env.name;
        let with_password = |args: &[&str], password: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_wahana"))
                .current_dir(env.dir.path())
                .env_remove("WAHANA_DATABASE_URL")
                .env_remove("WAHANA_LANG")
                .env("WAHANA_NEW_PASSWORD", password)
                .arg("--database")
                .arg(&env.database)
                .args(args)
                .output()
                .unwrap()
        };
        // Signs in as ani against the database the commands wrote: the session's token.
        let sign_in = |password: &str| {
            rt.block_on(async {
                let store =
                    wahana::service::open_with(&env.database, wahana_store::Sharing::Shared)
                        .await
                        .unwrap();
                let r = users::sign_in(&store, "ani", password, "")
                    .await
                    .unwrap()
                    .map(|(token, _, _)| token);
                store.close().await;
                r
            })
        };
        let out = with_password(
            &[
                "users",
                "add",
                "ani",
                "--role",
                "enumerator",
                "--region",
                "73.08.21",
            ],
            "rahasia-lama",
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{n}: {stdout}");
        assert!(
            stdout.contains("pengguna ani ditambahkan (pencacah, 73.08.21)"),
            "{n}: {stdout}"
        );
        assert!(
            env.ok(&["users", "list"])
                .contains("ani\tpencacah\t73.08.21\taktif"),
            "{n}"
        );
        assert!(
            env.ok(&["--lang", "en", "users", "list"])
                .contains("ani\tenumerator\t73.08.21\tactive"),
            "{n}"
        );
        let token = sign_in("rahasia-lama").unwrap();

        let out = env.ok(&["users", "deactivate", "ani"]);
        assert!(out.contains("ani dinonaktifkan"), "{n}: {out}");
        assert!(
            env.ok(&["users", "list"])
                .contains("ani\tpencacah\t73.08.21\tnonaktif"),
            "{n}"
        );
        assert_eq!(sign_in("rahasia-lama"), Err(SignInRefused::Inactive), "{n}");
        let session = rt.block_on(async {
            let store = wahana::service::open_with(&env.database, wahana_store::Sharing::Shared)
                .await
                .unwrap();
            let s = users::session(&store, &token).await.unwrap();
            store.close().await;
            s
        });
        assert!(session.is_none(), "{n}: the session ended");
        let err = env.fails_with(4, &["users", "deactivate", "budi"]);
        assert!(err.contains("budi"), "{n}: {err}");

        let out = env.ok(&["--lang", "en", "users", "activate", "ani"]);
        assert!(out.contains("user ani reactivated"), "{n}: {out}");
        assert!(sign_in("rahasia-lama").is_ok(), "{n}");

        // Too short: refused as input (exit 3), nothing changed.
        let out = with_password(&["users", "reset-password", "ani"], "pendek");
        assert_eq!(out.status.code(), Some(3), "{n}");
        assert!(sign_in("rahasia-lama").is_ok(), "{n}");
        // Generated and printed once.
        let out = with_password(&["users", "reset-password", "ani"], "");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{n}: {stdout}");
        let generated = stdout
            .lines()
            .find_map(|l| l.strip_prefix("kata sandi: "))
            .unwrap_or_else(|| panic!("{n}: no password printed: {stdout}"))
            .to_string();
        assert_eq!(
            sign_in("rahasia-lama"),
            Err(SignInRefused::BadCredentials),
            "{n}"
        );
        assert!(sign_in(&generated).is_ok(), "{n}");
        // Given: not printed; ODK Collect's Digest hash follows.
        let out = with_password(&["users", "reset-password", "ani"], "rahasia-baru-2");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && !stdout.contains("rahasia-baru-2"),
            "{n}: {stdout}"
        );
        assert!(sign_in("rahasia-baru-2").is_ok(), "{n}");
        let ha1 = rt.block_on(async {
            let store = wahana::service::open_with(&env.database, wahana_store::Sharing::Shared)
                .await
                .unwrap();
            let h = store.digest_ha1("ani").await.unwrap();
            store.close().await;
            h
        });
        assert_eq!(
            ha1,
            Some(wahana::service::odk::md5_hex(b"ani:wahana:rahasia-baru-2")),
            "{n}"
        );

        for (command, words) in [
            ("deactivate", "open sessions end"),
            ("activate", "password they had"),
            ("reset-password", "WAHANA_NEW_PASSWORD"),
        ] {
            let help = env.ok(&["users", command, "--help"]);
            assert!(help.contains(words), "{n} {command}: {help}");
        }
    }
}

/// Issue 16, points 12–14 at the command line: `wahana profile --format html` names its file
/// for the region and the wave, opens with the executive summary under the configured
/// letterhead and above the signature block, states each finding for the 8 of Kabupaten Bone's
/// 372 villages surveyed, renders wholly in English with `--lang en`; `waves edit --design
/// sample` gives the shares 95% Wilson intervals.
#[test]
fn profile_report_has_letterhead_summary_language_and_sample_intervals() {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    for env in envs() {
        let n = env.name;
        env.ok(&["demo"]);
        std::fs::write(
            env.path("logo.svg"),
            "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
        )
        .unwrap();
        std::fs::write(
            env.path("kop.toml"),
            "[letterhead]\noffice = \"Dinas Sosial Kabupaten Bone\"\naddress = \"Jl. Contoh 1, Watampone\"\nlogo = \"logo.svg\"\nplace = \"Watampone\"\nsignatory_title = \"Kepala Dinas Sosial\"\nsignatory_name = \"Andi Contoh\"\nsignatory_nip = \"19700101 199503 1 001\"\n",
        )
        .unwrap();
        let p: serde_json::Value =
            serde_json::from_str(&env.ok(&["profile", "--region", "73.08", "--format", "json"]))
                .unwrap();
        env.ok(&[
            "--config", "kop.toml", "profile", "--region", "73.08", "--format", "html",
        ]);
        let html = std::fs::read_to_string(
            env.path("profil-wksbm_kab-bone_pendataan-demo-2007-sintetis.html"),
        )
        .unwrap_or_else(|e| panic!("{n}: the default file name names region and wave: {e}"));
        let html = unescape(&html);
        for want in [
            "<div class=\"office\">Dinas Sosial Kabupaten Bone</div>",
            "<div class=\"address\">Jl. Contoh 1, Watampone</div>",
            "<img class=\"logo\" src=\"data:image/svg+xml;base64,",
            "<p>Kepala Dinas Sosial</p>",
            "<p class=\"name\">Andi Contoh</p>",
            "<p>NIP 19700101 199503 1 001</p>",
            "<p>Watampone, ",
            "Cakupan: 8 dari 372 desa/kelurahan",
            "Pendataan ini hanya mencakup 8 dari 372 desa/kelurahan di Kabupaten Bone",
        ] {
            assert!(html.contains(want), "{n}: lacks {want}");
        }
        // The signature's date is written out in Indonesian.
        let signed = &html[html.find("<p>Watampone, ").unwrap()..];
        let signed = &signed[..signed.find("</p>").unwrap()];
        let months = [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ];
        assert!(months.iter().any(|m| signed.contains(m)), "{n}: {signed}");
        let summary = &html[html.find("Ringkasan eksekutif").unwrap()
            ..html.find("Lima temuan studi 2007").unwrap()];
        for f in ["f1", "f2", "f3", "f4", "f5"] {
            let s = p[f]["sentence_id"].as_str().unwrap();
            let s = s.trim_end_matches(" [data sintetis, bukan hasil pengukuran]");
            assert!(
                s.starts_with("Berlaku di 8 dari 372 desa/kelurahan yang didata: ")
                    || s.starts_with("Tidak berlaku di 8 dari 372 desa/kelurahan yang didata: "),
                "{n}: {f}: {s}"
            );
            // Beside its verdict's badge, the sentence goes on after the verdict.
            let (_, rest) = s.split_once(": ").unwrap();
            let mut c = rest.chars();
            let rest: String = c.next().unwrap().to_uppercase().chain(c).collect();
            assert!(summary.contains(&rest), "{n}: {f} in the summary: {rest}");
        }
        // Without a letterhead configured: neither letterhead nor signature.
        env.ok(&[
            "profile",
            "--region",
            "73.08",
            "--format",
            "html",
            "-o",
            "plain.html",
        ]);
        let plain = std::fs::read_to_string(env.path("plain.html")).unwrap();
        assert!(
            !plain.contains("class=\"letterhead\"") && !plain.contains("class=\"signature\""),
            "{n}"
        );

        // The English report is wholly English.
        env.ok(&[
            "--lang", "en", "--config", "kop.toml", "profile", "--region", "73.08", "--format",
            "html", "-o", "en.html",
        ]);
        let en = unescape(&std::fs::read_to_string(env.path("en.html")).unwrap());
        assert!(
            en.contains("Executive summary")
                && en.contains("Coverage: 8 of 372 villages")
                && en.contains("in the 8 of 372 villages surveyed: ")
                && !en.contains("Ringkasan eksekutif")
                && !en.contains("yang didata"),
            "{n}"
        );
        let signed = &en[en.find("<p>Watampone, ").unwrap()..];
        let signed = &signed[..signed.find("</p>").unwrap()];
        let english = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        assert!(english.iter().any(|m| signed.contains(m)), "{n}: {signed}");

        // A sample: Wilson intervals. Reference: statsmodels 0.15.0,
        // proportion_confint(327, 412, alpha=0.05, method='wilson').
        env.ok(&["waves", "edit", "demo-2007-sintetis", "--design", "sample"]);
        let s: serde_json::Value =
            serde_json::from_str(&env.ok(&["profile", "--region", "73.08.21", "--format", "json"]))
                .unwrap();
        assert_eq!(s["wave"]["sample"], true, "{n}");
        let groups = s["f1"]["groups"].as_u64().unwrap();
        let old = s["f1"]["age_bands"]["10_19"].as_u64().unwrap()
            + s["f1"]["age_bands"]["20_plus"].as_u64().unwrap();
        assert_eq!((old, groups), (327, 412), "{n}: the demonstration is fixed");
        let ci = &s["f1"]["ci95"]["share_older_10"];
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!((lo - 0.751988867017723).abs() < 1e-12, "{n}: {lo}");
        assert!((hi - 0.8299636893394522).abs() < 1e-12, "{n}: {hi}");
        assert!(
            s["f1"]["sentence_id"]
                .as_str()
                .unwrap()
                .contains("79% (IK 95% 75–83%) dari 412 kelompok"),
            "{n}: {}",
            s["f1"]["sentence_id"]
        );
        let waves = env.ok(&["waves", "list"]);
        assert!(waves.contains("sampel"), "{n}: {waves}");
    }
}

/// `wahana export --dialect excel-id` writes what Excel in an Indonesian locale opens (semicolon,
/// byte-order mark, CRLF) and imports back as the same records; `wahana instrument template`
/// writes the blank template, which imports once filled in.
#[test]
fn excel_dialect_export_round_trips_and_the_template_is_written() {
    for env in envs() {
        let n = env.name;
        env.ok(&["demo"]);
        let out = env.path("kelompok.csv");
        let out_s = out.to_string_lossy().to_string();
        env.ok(&[
            "export",
            "--table",
            "kelompok",
            "--region",
            "73.08.21.1003",
            "--dialect",
            "excel-id",
            "--out",
            &out_s,
        ]);
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "{n}: a BOM");
        let text = String::from_utf8(bytes).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        assert!(text.starts_with("id;kode_wilayah;"), "{n}");
        assert!(
            text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'),
            "{n}"
        );
        let rows = text.split("\r\n").filter(|l| !l.is_empty()).count() - 1;
        let before = env.group_count();
        let report: serde_json::Value =
            serde_json::from_str(&env.ok(&["import", &out_s, "--json"])).unwrap();
        assert_eq!(report["committed"], true, "{n}: {report}");
        assert_eq!(report["rows"], rows as u64, "{n}: {report}");
        assert_eq!(report["rejected"], 0, "{n}: {report}");
        assert_eq!(env.group_count(), before, "{n}: the same records, none new");
        // Exported again: the same rows.
        let again = env.path("lagi.csv");
        env.ok(&[
            "export",
            "--table",
            "kelompok",
            "--region",
            "73.08.21.1003",
            "--dialect",
            "excel-id",
            "--wave",
            report["wave"].as_str().unwrap(),
            "--out",
            &again.to_string_lossy(),
        ]);
        let again = std::fs::read_to_string(&again).unwrap();
        let ids = |t: &str| {
            let mut v: Vec<String> = t
                .trim_start_matches('\u{feff}')
                .split("\r\n")
                .skip(1)
                .filter(|l| !l.is_empty())
                .map(|l| l.split(';').take(5).collect::<Vec<_>>().join(";"))
                .collect();
            v.sort();
            v
        };
        assert_eq!(ids(&again), ids(text), "{n}");

        let template = env.path("templat.xlsx");
        env.ok(&[
            "instrument",
            "template",
            "--table",
            "lembaga",
            "--region",
            "73.08.21",
            "--out",
            &template.to_string_lossy(),
        ]);
        let bytes = std::fs::read(&template).unwrap();
        assert!(bytes.starts_with(b"PK"), "{n}");
    }
}

/// `wahana import` prints the values it read otherwise than written as warnings (the first in
/// full, then counted by kind), writes the rows all the same, and `--json` carries them.
#[test]
fn import_warns_of_reinterpreted_values_and_counts_them_by_kind() {
    for env in envs() {
        let n = env.name;
        env.ok(&["demo"]);
        let mut csv =
            String::from("kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan,telepon\n");
        for i in 0..25 {
            csv.push_str(&format!(
                "7308211003,Arisan Peringatan {i},arisan,tumbuh_masyarakat,1990,0{}/08/2007,8123456789{}\n",
                1 + i % 9,
                i % 10
            ));
        }
        let file = env.path("peringatan.csv");
        std::fs::write(&file, csv).unwrap();
        let file = file.to_string_lossy().to_string();
        let out = env.run(&["import", &file, "--wave", "demo-2007-sintetis"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{n}: {err}");
        assert!(
            err.contains("peringatan: baris 2, kolom G (telepon): nomor telepon 81234567890 dibaca sebagai 081234567890"),
            "{n}: {err}"
        );
        assert!(
            err.contains("peringatan: 25 nomor telepon mendapat kembali angka 0 di depannya")
                && err.contains("peringatan: 25 tanggal dibaca hari lebih dulu"),
            "{n}: {err}"
        );
        assert!(err.contains("25 ditulis"), "{n}: {err}");
        let report: serde_json::Value = serde_json::from_str(&env.ok(&[
            "import",
            &file,
            "--wave",
            "demo-2007-sintetis",
            "--dry-run",
            "--allow-duplicates",
            "--json",
        ]))
        .unwrap();
        assert_eq!(report["warnings_total"], 50, "{n}: {report}");
        assert_eq!(report["warning_counts"]["phone_leading_zero"], 25, "{n}");
        assert_eq!(
            report["preview"]["rows"].as_array().unwrap().len(),
            10,
            "{n}"
        );
    }
}
