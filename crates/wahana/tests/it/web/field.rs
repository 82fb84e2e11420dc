//! Field entry on a cheap phone (issue 16, points 2 and 3): the add-group form speaks to people
//! (labels without column names, phone and date inputs, the village's networks to choose from,
//! the answers screening needs marked, "use my location" as a script the page works without),
//! the group page says whether the group is counted and why not, a village outside the person's
//! region keeps the form; ties chosen from the region's groups, networks and institutions, with
//! a question before a second tie of another type between the same pair.

use super::harness::{Env, INSIDE, admin_adds, envs};
use axum::http::{Method, StatusCode, header};
use serde_json::json;

/// The part of a page between `id="field-ID"` and the next field.
fn field<'a>(text: &'a str, id: &str) -> &'a str {
    text.split(&format!("id=\"field-{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no field {id}"))
        .split("id=\"field-")
        .next()
        .unwrap()
}

/// A network or an institution with a name of its own, added by the admin.
async fn named(env: &Env, kind: &str, id: &str, region: &str, name: &str) {
    let fields = if kind == "networks" {
        json!({"fields": {"id": id, "kode_wilayah": region, "nama": name, "tingkat": "desa"}})
    } else {
        json!({"fields": {"id": id, "kode_wilayah": region, "nama": name, "jenis_lembaga": "puskesmas"}})
    };
    let r = env
        .api(
            Method::POST,
            &format!("/api/v1/{kind}"),
            Some("admin"),
            Some(fields),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}: {}", env.name, r.text);
}

#[tokio::test]
async fn add_group_form_speaks_to_people_on_a_phone() {
    for env in envs().await {
        let n = env.name;
        named(&env, "networks", "W-FLD-1", INSIDE, "Wahana Sipakatau").await;
        let r = env
            .page(&format!("/groups/new?village={INSIDE}"), Some("enumerator"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let t = &r.text;
        // Labels in words; the column's name only in the tooltip.
        let name = field(t, "nama");
        assert!(name.contains("title=\"nama\">Nama kelompok"), "{n}: {name}");
        assert!(!t.contains("<span class=\"hint\">nama"), "{n}");
        assert!(!t.contains("<span class=\"hint\">kode_wilayah"), "{n}");
        // The keyboards a phone shows.
        let phone = field(t, "telepon");
        assert!(
            phone.contains("type=\"tel\"") && phone.contains("inputmode=\"tel\""),
            "{n}: {phone}"
        );
        let date = field(t, "tanggal_pendataan");
        assert!(date.contains("type=\"date\""), "{n}: {date}");
        assert!(
            field(t, "tahun_berdiri").contains("inputmode=\"numeric\""),
            "{n}"
        );
        assert!(field(t, "lintang").contains("inputmode=\"decimal\""), "{n}");
        // "Use my location": a button hidden until the script shows it, the script a file of
        // its own (the policy allows no inline script).
        let lon = field(t, "bujur");
        assert!(
            lon.contains("id=\"use-location\"") && lon.contains(" hidden "),
            "{n}: {lon}"
        );
        assert!(
            t.contains("<script src=\"/static/location.js\" defer></script>"),
            "{n}"
        );
        assert!(!t.contains("<script>"), "{n}: no inline script");
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline';  script"),
            "{n}: {csp}"
        );
        let js = env.page("/static/location.js", None).await;
        assert_eq!(js.status, StatusCode::OK, "{n}");
        assert!(
            js.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/javascript"),
            "{n}"
        );
        assert!(js.text.contains("getCurrentPosition"), "{n}");
        // The network chosen from the village's networks, not typed.
        let net = field(t, "wahana");
        assert!(
            net.contains("<select id=\"in-wahana\" name=\"wahana\"")
                && net.contains("<option value=\"Wahana Sipakatau\">Wahana Sipakatau</option>"),
            "{n}: {net}"
        );
        // The answers screening needs are marked; the others are not.
        assert!(t.contains("id=\"needed-note\""), "{n}");
        for needed in ["asal", "nilai", "tujuan", "kegiatan", "dasar_keanggotaan"] {
            assert!(
                field(t, needed).contains("class=\"needed\""),
                "{n}: {needed} marked"
            );
        }
        for not in ["nama", "telepon", "catatan", "ketua"] {
            assert!(
                !field(t, not).contains("class=\"needed\""),
                "{n}: {not} not marked"
            );
        }
        // English labels and marks.
        let en = env
            .page(
                &format!("/groups/new?village={INSIDE}&lang=en"),
                Some("enumerator"),
            )
            .await;
        assert!(
            field(&en.text, "nilai").contains("needed to be counted")
                && en.text.contains("Use my location"),
            "{n}"
        );
    }
}

#[tokio::test]
async fn saved_group_says_whether_it_is_counted_and_what_is_missing() {
    for env in envs().await {
        let n = env.name;
        named(
            &env,
            "networks",
            "W-FLD-2",
            INSIDE,
            "Wahana Mabbulo Sibatang",
        )
        .await;
        let base = [
            ("kode_wilayah", INSIDE),
            ("jenis", "arisan"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1995"),
            ("tanggal_pendataan", "2007-08-20"),
            ("telepon", "081234567890"),
            ("wahana", "Wahana Mabbulo Sibatang"),
            ("allow_duplicate", "1"),
        ];
        // Without members, membership basis or values: saved, but not counted.
        let mut thin = base.to_vec();
        thin.push(("nama", "Arisan Belum Lengkap"));
        thin.push(("tujuan", "ketahanan_sosial"));
        let r = env.form("/groups", Some("enumerator"), &thin, true).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
        let page = env.page(&loc, Some("enumerator")).await.text;
        let counted = page
            .split("id=\"counted\"")
            .nth(1)
            .unwrap()
            .split("</p>")
            .next()
            .unwrap();
        assert!(
            counted.contains("Tidak dihitung dalam profil wilayah")
                && counted.contains("karena jawaban ini belum diisi:")
                && counted.contains("Nilai dan norma")
                && counted.contains("Dasar keanggotaan")
                && counted.contains("Anggota perempuan")
                && !counted.contains("Tujuan"),
            "{n}: {counted}"
        );
        assert!(
            counted.contains("/edit?wave="),
            "{n}: a link to complete it"
        );
        // The network chosen is kept.
        assert!(page.contains("Wahana Mabbulo Sibatang"), "{n}");
        let en = env
            .page(&format!("{loc}&lang=en"), Some("enumerator"))
            .await;
        assert!(
            en.text.contains("Not counted in the region")
                && en.text.contains("because these answers are missing:"),
            "{n}: {}",
            en.text.split("id=\"counted\"").nth(1).unwrap_or(&en.text)
        );
        assert!(en.text.contains("Values and norms"), "{n}");

        // Complete: counted.
        let mut full = base.to_vec();
        full.extend([
            ("nama", "Arisan Lengkap"),
            ("anggota_perempuan", "20"),
            ("nilai", "gotong_royong"),
            ("kegiatan", "arisan"),
        ]);
        let r = env.form("/groups", Some("enumerator"), &full, true).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
        let page = env.page(&loc, Some("enumerator")).await.text;
        assert!(
            page.contains("class=\"ok\"><strong>Dihitung dalam profil wilayah:</strong> semua syarat penyaringan terpenuhi."),
            "{n}"
        );

        // A business run for profit only: recorded, not counted, and the criterion said.
        let mut business = base.to_vec();
        business.retain(|(k, _)| *k != "jenis");
        business.extend([
            ("nama", "Koperasi Laba"),
            ("jenis", "koperasi"),
            ("anggota_laki", "12"),
            ("nilai", "musyawarah"),
            ("tujuan", "ekonomi"),
            ("sumber_dana", "hasil_usaha"),
        ]);
        let r = env
            .form("/groups", Some("enumerator"), &business, true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
        let page = env.page(&loc, Some("enumerator")).await.text;
        assert!(
            page.contains("karena tidak memenuhi syarat:") && page.contains("X1"),
            "{n}"
        );
    }
}

#[tokio::test]
async fn a_village_outside_the_region_keeps_the_form_and_says_where_one_may_write() {
    for env in envs().await {
        let n = env.name;
        let away = env.away_village.clone();
        let r = env
            .form(
                "/groups",
                Some("enumerator"),
                &[
                    ("kode_wilayah", &away),
                    ("nama", "Kelompok Di Luar Wilayah"),
                    ("jenis", "arisan"),
                    ("asal", "tumbuh_masyarakat"),
                    ("tahun_berdiri", "2001"),
                    ("telepon", "0812 3456 7890"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        // What was typed stays, the problem beside the village code, and where one may write.
        assert!(
            r.text.contains("value=\"Kelompok Di Luar Wilayah\"")
                && r.text.contains("value=\"0812 3456 7890\""),
            "{n}"
        );
        let village = field(&r.text, "kode_wilayah");
        assert!(
            village.contains("class=\"field-error\"")
                && village.contains("Anda dapat menulis di")
                && village.contains("Tanete Riattang (73.08.21)"),
            "{n}: {village}"
        );
        assert_eq!(env.groups_named("Kelompok Di Luar Wilayah").await, 0, "{n}");
        // The same for a network: the form as typed, where one may write beside the code.
        let r = env
            .form(
                "/networks",
                Some("officer"),
                &[
                    ("kode_wilayah", &away),
                    ("nama", "Wahana Di Luar Wilayah"),
                    ("tingkat", "desa"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        assert!(r.text.contains("value=\"Wahana Di Luar Wilayah\""), "{n}");
        let code = field(&r.text, "kode_wilayah");
        assert!(
            code.contains("class=\"field-error\"") && code.contains("Tanete Riattang (73.08.21)"),
            "{n}: {code}"
        );
    }
}

/// How many ties join a group to the test's network.
async fn held(env: &Env, group: &str) -> usize {
    env.store
        .ties_of(group)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.tie.to == "W-FLD-3")
        .count()
}

#[tokio::test]
async fn ties_chosen_from_the_region_with_a_question_before_a_second_type() {
    for env in envs().await {
        let n = env.name;
        let (group, _) = env.group_in(INSIDE).await;
        named(&env, "networks", "W-FLD-3", INSIDE, "Wahana Siamasei").await;
        named(
            &env,
            "institutions",
            "L-FLD-KEC",
            "73.08.21",
            "Puskesmas Kecamatan Uji",
        )
        .await;
        named(
            &env,
            "institutions",
            "L-FLD-KAB",
            "73.08",
            "Dinas Sosial Kabupaten Uji",
        )
        .await;
        named(
            &env,
            "institutions",
            "L-FLD-PROV",
            "73",
            "Dinas Provinsi Uji",
        )
        .await;
        admin_adds(&env, "institutions", "L-FLD-AWAY", "73.08.22").await;
        // The group page starts the tie with a search (a GET form: no script needed).
        let page = env.page(&format!("/groups/{group}"), Some("officer")).await;
        assert!(
            page.text
                .contains("<form method=\"get\" action=\"/ties/new\"")
                && page
                    .text
                    .contains(&format!("name=\"dari\" value=\"{group}\"")),
            "{n}"
        );
        let back = format!("/groups/{group}");
        let form = env
            .page(
                &format!("/ties/new?dari={group}&back={back}"),
                Some("officer"),
            )
            .await;
        assert_eq!(form.status, StatusCode::OK, "{n}");
        let t = &form.text;
        assert!(
            t.contains("<optgroup label=\"Kelompok\">")
                && t.contains("<optgroup label=\"Wahana\">")
                && t.contains("<optgroup label=\"Lembaga\">"),
            "{n}"
        );
        assert!(
            t.contains("<option value=\"W-FLD-3\">Wahana Siamasei (W-FLD-3)</option>")
                && t.contains("Puskesmas Kecamatan Uji (L-FLD-KEC)"),
            "{n}: the village's network, the kecamatan's institutions"
        );
        assert!(
            !t.contains("L-FLD-KAB") && !t.contains("L-FLD-PROV") && !t.contains("L-FLD-AWAY"),
            "{n}: an officer of the kecamatan is not offered what they may not read"
        );
        // An admin is offered the kabupaten's institutions too; never the province's, never
        // another kecamatan's.
        let t = env
            .page(
                &format!("/ties/new?dari={group}&back={back}"),
                Some("admin"),
            )
            .await
            .text;
        assert!(
            t.contains("Puskesmas Kecamatan Uji (L-FLD-KEC)")
                && t.contains("Dinas Sosial Kabupaten Uji (L-FLD-KAB)")
                && !t.contains("L-FLD-PROV")
                && !t.contains("L-FLD-AWAY"),
            "{n}"
        );
        let t = &form.text;
        assert!(
            !t.contains(&format!("<option value=\"{group}\"")),
            "{n}: not the group itself"
        );
        // Searching by name narrows the list.
        let found = env
            .page(
                &format!("/ties/new?dari={group}&back={back}&cari=siamasei"),
                Some("officer"),
            )
            .await;
        assert!(
            found.text.contains("Wahana Siamasei (W-FLD-3)")
                && !found.text.contains("Puskesmas Kecamatan Uji"),
            "{n}"
        );
        // Nothing chosen: the form again, the problem beside the field.
        let r = env
            .form(
                "/ties",
                Some("officer"),
                &[
                    ("dari", &group),
                    ("ke", ""),
                    ("jenis_ikatan", "koordinasi"),
                    ("back", &back),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(
            field(&r.text, "ke").contains("class=\"field-error\""),
            "{n}"
        );
        // Chosen: the tie is made and listed by name, with a link.
        let tie = |kind: &'static str, second: bool| {
            let (group, back) = (group.clone(), back.clone());
            let env = &env;
            async move {
                let mut pairs = vec![
                    ("dari", group.as_str()),
                    ("ke", "W-FLD-3"),
                    ("jenis_ikatan", kind),
                    ("sejak", "2005"),
                    ("back", back.as_str()),
                ];
                if second {
                    pairs.push(("ikatan_kedua", "1"));
                }
                env.form("/ties", Some("officer"), &pairs, true).await
            }
        };
        let r = tie("koordinasi", false).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let page = env.page(&back, Some("officer")).await.text;
        assert!(
            page.contains("→ <a href=\"/networks/W-FLD-3\">Wahana Siamasei</a>"),
            "{n}"
        );
        // The same pair with another type: asked first, nothing written.
        let r = tie("pendanaan", false).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        let ask = field(&r.text, "ikatan_kedua");
        assert!(
            ask.contains("sudah terikat (Koordinasi)")
                && ask.contains("name=\"ikatan_kedua\"")
                && ask.contains("Ya, ikatan kedua dengan jenis lain"),
            "{n}: {ask}"
        );
        assert!(
            r.text.contains("<option value=\"W-FLD-3\" selected>")
                && r.text.contains("<option value=\"pendanaan\" selected>")
                && r.text.contains("value=\"2005\""),
            "{n}: the choices kept"
        );
        assert_eq!(held(&env, &group).await, 1, "{n}");
        // Confirmed: the second tie.
        let r = tie("pendanaan", true).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(held(&env, &group).await, 2, "{n}");
        // The same type again is refused whatever the box says, beside the field.
        let r = tie("koordinasi", true).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert!(
            field(&r.text, "ke").contains("class=\"field-error\""),
            "{n}"
        );
        assert_eq!(held(&env, &group).await, 2, "{n}");
        // English.
        let r = env
            .form(
                "/ties?lang=en",
                Some("officer"),
                &[
                    ("dari", &group),
                    ("ke", "W-FLD-3"),
                    ("jenis_ikatan", "rujukan"),
                    ("back", &back),
                ],
                true,
            )
            .await;
        assert!(
            r.text.contains("already tied") && r.text.contains("Yes, a second tie of another type"),
            "{n}"
        );
        // Someone who may not read the group gets no form, as for an id not held.
        let away = env
            .page(&format!("/ties/new?dari={group}"), Some("officer_away"))
            .await;
        assert_eq!(away.status, StatusCode::NOT_FOUND, "{n}");
        assert!(!away.text.contains("Wahana Siamasei"), "{n}");
    }
}

/// Issue 16, point 5: every table of every page template sits in a box that scrolls sideways
/// (`<div class="scroll">`), so a wide table scrolls inside it and never the page on a phone.
#[test]
fn every_table_scrolls_inside_its_box() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("<table") {
            seen += 1;
            assert!(
                text[..at].ends_with("<div class=\"scroll\">"),
                "{}: a table outside a scrolling box at byte {at}",
                path.display()
            );
        }
    }
    assert!(seen >= 10, "the page templates hold tables ({seen})");
    let css = include_str!("../../../static/style.css");
    assert!(css.contains(".scroll{overflow-x:auto}"), "the box scrolls");
    assert!(
        css.contains("figure.network{overflow-x:auto}"),
        "the network drawing scrolls inside its box"
    );
}
