//! Tallies stay equal to a recomputation from scratch after every kind of write, and profiles
//! read from them give hand-computed numbers.

use crate::harness::backends;
use std::collections::HashMap;
use wahana_domain::codes::{GroupStatus, GroupType};
use wahana_domain::demo::{self, TANETE_DENSITY};
use wahana_domain::profile::{Profile, RegionRef, WaveRef};
use wahana_domain::screening::RuleSet;
use wahana_domain::{
    Context, Date, Group, Institution, Level, Network, RegionCode, RegionTree, Wave,
};
use wahana_store::{DEFAULT_RULES, GroupFilter, Refusal, Store, StoreError, TallySnapshot};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn wave(id: &str) -> Wave {
    Wave {
        id: id.into(),
        name: format!("Uji {id}"),
        region: None,
        start_date: Date::new(2007, 8, 1),
        end_date: Date::new(2007, 8, 31),
        source: Some("tes".into()),
        synthetic: false,
        enumerators: None,
        closed: false,
        method: None,
        run_by: None,
    }
}

/// A group from instrument columns over a qualifying default.
fn group(id: &str, fields: &[(&str, &str)]) -> Group {
    let mut m: HashMap<&str, &str> = HashMap::from([
        ("id", id),
        ("kode_wilayah", "73.08.21.1001"),
        ("nama", "Kelompok"),
        ("jenis", "arisan"),
        ("asal", "tumbuh_masyarakat"),
        ("tahun_berdiri", "1990"),
        ("tanggal_pendataan", "2007-08-14"),
        ("anggota_perempuan", "20"),
        ("tujuan", "kesejahteraan_anggota"),
        ("nilai", "kebersamaan"),
    ]);
    for (k, v) in fields {
        m.insert(k, v);
    }
    let ctx = Context {
        regions: RegionTree::official(),
        today: Date::new(2026, 11, 29).unwrap(),
        wave_date: None,
    };
    Group::from_fields(|k| m.get(k).copied(), || id.into(), &ctx)
        .unwrap_or_else(|e| panic!("{id}: {e:?}"))
}

async fn groups_of(store: &Store, wave: &str) -> Vec<Group> {
    let f = GroupFilter {
        wave: Some(wave.into()),
        ..Default::default()
    };
    store
        .list_groups(&f, 1_000_000, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.group)
        .collect()
}

/// The store's tallies of a pair equal a recomputation from the wave's rows.
pub(crate) async fn assert_current(
    store: &Store,
    db: &str,
    wave: &str,
    rules: &RuleSet,
    step: &str,
) {
    let held = store.tally_snapshot(wave, &rules.version).await.unwrap();
    let groups = groups_of(store, wave).await;
    let want = TallySnapshot::recompute(&groups, rules);
    assert_eq!(
        held.villages, want.villages,
        "{db}: {step}: village tallies of {wave}/{}",
        rules.version
    );
    assert_eq!(
        held.region_types, want.region_types,
        "{db}: {step}: region/type tallies of {wave}/{}",
        rules.version
    );
}

/// A rule set of our own: seed-2007 with C2 asking for gotong royong.
fn strict_rules() -> (RuleSet, String) {
    let text = RuleSet::seed_2007_text()
        .replace("version = \"seed-2007\"", "version = \"uji-ketat\"")
        .replace(
            "{ field = \"nilai\", test = \"present\" },",
            "{ field = \"nilai\", test = \"any_of\", codes = [\"gotong_royong\"] },",
        );
    (RuleSet::parse(&text).unwrap(), text)
}

#[tokio::test]
async fn tallies_follow_every_write() {
    let seed = RuleSet::seed_2007();
    let (strict, strict_text) = strict_rules();
    for db in backends().await {
        let s = &db.store;
        let n = db.name;
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        // Generated groups of three kelurahan, and a few of our own of each outcome.
        let tree = RegionTree::official();
        let mut serial = 0;
        let mut all = Vec::new();
        for v in ["73.08.21.1001", "73.08.21.1002", "73.08.21.1003"] {
            let d = demo::generate_village(
                tree.get(&code(v)).unwrap(),
                7,
                TANETE_DENSITY,
                &w,
                &mut serial,
            );
            all.extend(d.groups);
        }
        all.push(group(
            "X-PARTAI",
            &[("jenis", "lainnya"), ("nama", "DPC Partai Contoh")],
        ));
        all.push(group("X-KOSONG", &[("nilai", "")]));
        all.push(group("X-BUBAR", &[("status", "bubar")]));
        let mut batch = s.begin().await.unwrap();
        batch.save_groups(&w.id, &all, &[]).await.unwrap();
        batch.commit().await.unwrap();
        assert_eq!(s.wave_rules(&w.id).await.unwrap(), [DEFAULT_RULES], "{n}");
        assert_current(s, n, &w.id, &seed, "import").await;

        // A second rule set, screened over the whole wave; both pairs are kept from now on.
        s.register_rules(&strict_text).await.unwrap();
        let mut seen = 0;
        let screened = s
            .screen_wave(&w.id, "uji-ketat", |_, _| seen += 1)
            .await
            .unwrap();
        assert_eq!((screened, seen), (all.len() as u64, all.len()), "{n}");
        assert_current(s, n, &w.id, &strict, "screen").await;

        // Upserts: changed fields, a move to a village of another kecamatan, new groups.
        let mut changed = Vec::new();
        let mut a = all[0].clone();
        a.group_type = GroupType::Koperasi;
        a.values = Default::default();
        changed.push(a);
        let mut b = all[1].clone();
        b.status = GroupStatus::Dissolved;
        changed.push(b);
        let mut c = all[2].clone();
        c.village = code("73.08.22.1001");
        changed.push(c);
        changed.push(group(
            "X-BARU",
            &[
                ("kode_wilayah", "73.08.21.1004"),
                ("nilai", "gotong_royong"),
            ],
        ));
        changed.push(group("X-DUA", &[("jenis", "pkk")]));
        // The same id again in the same transaction: the second save sees the first.
        let again = group(
            "X-DUA",
            &[("jenis", "posyandu"), ("nilai", "gotong_royong")],
        );
        let mut batch = s.begin().await.unwrap();
        batch.save_groups(&w.id, &changed, &[]).await.unwrap();
        batch.save_groups(&w.id, &[again], &[]).await.unwrap();
        batch.commit().await.unwrap();
        for r in [&seed, &strict] {
            assert_current(s, n, &w.id, r, "upsert").await;
        }

        // An edit, a stale edit (refused, nothing changes), a delete, an insert.
        let held = s.group(&all[3].id).await.unwrap().unwrap();
        let mut e = held.group.clone();
        e.founded_year = 2006;
        e.values = e.values.with(wahana_domain::codes::Value::GotongRoyong);
        s.update_group(&e, &held.wave_id, held.version, "cli:test")
            .await
            .unwrap();
        let stale = s
            .update_group(&held.group, &held.wave_id, held.version, "cli:test")
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict { .. })), "{n}");
        assert!(
            s.delete_group(&all[4].id, None, "cli:test").await.unwrap(),
            "{n}"
        );
        assert!(
            !s.delete_group("TIDAK-ADA", None, "cli:test").await.unwrap(),
            "{n}"
        );
        s.insert_group(
            &w.id,
            &group("X-SATU", &[("kode_wilayah", "73.08.21.1005")]),
            "cli:test",
        )
        .await
        .unwrap();
        for r in [&seed, &strict] {
            assert_current(s, n, &w.id, r, "edit, delete, insert").await;
        }

        // A group moved into another wave leaves this wave's tallies and enters that one's.
        let other = wave("uji-lain");
        s.save_wave(&other).await.unwrap();
        let moved = s.group(&all[5].id).await.unwrap().unwrap().group;
        s.save_groups(&other.id, std::slice::from_ref(&moved))
            .await
            .unwrap();
        for r in [&seed, &strict] {
            assert_current(s, n, &w.id, r, "moved out").await;
        }
        assert_current(s, n, &other.id, &seed, "moved in").await;
        assert_eq!(
            s.wave_rules(&other.id).await.unwrap(),
            [DEFAULT_RULES],
            "{n}"
        );

        // Deleting a wave deletes its tallies and registrations, and only its own.
        s.delete_wave(&w.id).await.unwrap();
        for r in [&seed, &strict] {
            let snap = s.tally_snapshot(&w.id, &r.version).await.unwrap();
            assert_eq!(snap, TallySnapshot::default(), "{n}");
        }
        assert!(s.wave_rules(&w.id).await.unwrap().is_empty(), "{n}");
        assert_current(s, n, &other.id, &seed, "other wave kept").await;
    }
}

#[tokio::test]
async fn rule_sets_are_versioned_text() {
    let (strict, text) = strict_rules();
    for db in backends().await {
        let s = &db.store;
        let held: Vec<String> = s
            .rule_sets()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.version)
            .collect();
        assert_eq!(held, [DEFAULT_RULES], "{}", db.name);
        assert_eq!(
            *s.rule_set(DEFAULT_RULES).await.unwrap().unwrap(),
            RuleSet::seed_2007()
        );
        assert_eq!(*s.register_rules(&text).await.unwrap(), strict);
        // The same text again is harmless; another text under the same version is refused.
        s.register_rules(&text).await.unwrap();
        let other = text.replace("gotong_royong\"] }", "kebersamaan\"] }");
        match s.register_rules(&other).await {
            Err(StoreError::Refused(Refusal::RulesVersionTaken { version })) => {
                assert_eq!(version, "uji-ketat", "{}", db.name)
            }
            r => panic!("{}: {r:?}", db.name),
        }
        match s.register_rules("version = 1").await {
            Err(StoreError::Refused(r @ Refusal::InvalidRules(_))) => {
                assert_eq!(r.code(), wahana_domain::ErrorCode::InvalidRules)
            }
            r => panic!("{}: {r:?}", db.name),
        }
        // A wave that already holds groups is not registered behind its back: it is screened
        // when asked, and then kept.
        let w = wave("uji-lama");
        s.save_wave(&w).await.unwrap();
        s.save_groups(&w.id, &[group("L-1", &[])]).await.unwrap();
        assert!(s.is_screened(&w.id, DEFAULT_RULES).await.unwrap());
        assert!(!s.is_screened(&w.id, "uji-ketat").await.unwrap());
        let err = s.screen_wave("tidak-ada", DEFAULT_RULES, |_, _| {}).await;
        assert!(
            matches!(err, Err(StoreError::NotFound { .. })),
            "{}",
            db.name
        );
    }
}

/// The worked example: 13 groups in five kelurahan of Tanete Riattang.
fn worked_example() -> Vec<Group> {
    #[rustfmt::skip]
    let rows: &[(&str, &[(&str, &str)])] = &[
        // Biru: three counted, one dissolved.
        ("B1", &[("tahun_berdiri", "1990"), ("dasar_keanggotaan", "domisili"), ("sumber_dana", "iuran_anggota"), ("sumber_dana_utama", "iuran_anggota"), ("nilai", "kebersamaan tolong_menolong")]),
        ("B2", &[("jenis", "pkk"), ("asal", "dibentuk_pemerintah"), ("tahun_berdiri", "2005"), ("dasar_keanggotaan", "domisili"), ("tujuan", "ketahanan_sosial"), ("sumber_dana", "bantuan_pemerintah"), ("nilai", "gotong_royong")]),
        ("B3", &[("jenis", "majelis_taklim"), ("tahun_berdiri", "1980"), ("dasar_keanggotaan", "agama"), ("tujuan", "keagamaan"), ("sumber_dana", "zakat_infaq"), ("nilai", "keagamaan")]),
        ("B4", &[("status", "bubar"), ("nilai", "kebersamaan")]),
        // Ta: one counted, one party (does not qualify).
        ("T1", &[("kode_wilayah", "73.08.21.1002"), ("jenis", "karang_taruna"), ("asal", "dibentuk_pihak_luar"), ("tahun_berdiri", "2002"), ("dasar_keanggotaan", "usia domisili"), ("tujuan", "integrasi_masyarakat"), ("sumber_dana", "iuran_anggota donatur"), ("sumber_dana_utama", "donatur"), ("nilai", "musyawarah")]),
        ("T2", &[("kode_wilayah", "73.08.21.1002"), ("jenis", "lainnya"), ("nama", "DPC Partai Contoh"), ("tujuan", "keamanan"), ("nilai", "musyawarah")]),
        // Watampone: three counted (one exactly 10 years old).
        ("W1", &[("kode_wilayah", "73.08.21.1003"), ("jenis", "rukun_kematian"), ("tahun_berdiri", "1970"), ("dasar_keanggotaan", "domisili"), ("sumber_dana", "iuran_anggota"), ("sumber_dana_utama", "iuran_anggota"), ("nilai", "tolong_menolong")]),
        ("W2", &[("kode_wilayah", "73.08.21.1003"), ("jenis", "kelompok_tani"), ("asal", "dibentuk_pemerintah"), ("tahun_berdiri", "2000"), ("dasar_keanggotaan", "pekerjaan"), ("tujuan", "ekonomi"), ("sumber_dana", "bantuan_pemerintah"), ("nilai", "gotong_royong")]),
        ("W3", &[("kode_wilayah", "73.08.21.1003"), ("jenis", "posyandu"), ("asal", "dibentuk_pemerintah"), ("tahun_berdiri", "1997"), ("dasar_keanggotaan", "domisili"), ("tujuan", "kesehatan"), ("sumber_dana", "bantuan_pemerintah iuran_anggota"), ("nilai", "kebersamaan")]),
        // Bukaka: one incomplete (no value recorded), so no counted group.
        ("K1", &[("kode_wilayah", "73.08.21.1004"), ("tahun_berdiri", "1999"), ("nilai", "")]),
        // Masumpu: three counted.
        ("M1", &[("kode_wilayah", "73.08.21.1008"), ("tahun_berdiri", "1985"), ("dasar_keanggotaan", "domisili"), ("sumber_dana", "iuran_anggota"), ("sumber_dana_utama", "iuran_anggota"), ("nilai", "kebersamaan")]),
        ("M2", &[("kode_wilayah", "73.08.21.1008"), ("jenis", "remaja_masjid"), ("tahun_berdiri", "2004"), ("dasar_keanggotaan", "agama"), ("tujuan", "keagamaan"), ("sumber_dana", "zakat_infaq"), ("nilai", "keagamaan")]),
        ("M3", &[("kode_wilayah", "73.08.21.1008"), ("jenis", "kerukunan_keluarga"), ("tahun_berdiri", "1950"), ("dasar_keanggotaan", "kekerabatan"), ("tujuan", "kesejahteraan_anggota ketahanan_sosial"), ("sumber_dana", "iuran_anggota"), ("sumber_dana_utama", "iuran_anggota"), ("nilai", "tolong_menolong gotong_royong")]),
    ];
    rows.iter().map(|(id, f)| group(id, f)).collect()
}

async fn profile_of<'t>(
    store: &Store,
    tallies: &'t mut Option<wahana_store::ProfileTallies>,
    region: Option<&'t RegionCode>,
    wave: &'t Wave,
) -> Profile<'t> {
    *tallies = Some(
        store
            .profile_tallies(&wave.id, DEFAULT_RULES, region)
            .await
            .unwrap(),
    );
    let tree = RegionTree::official();
    let r = match region {
        Some(c) => {
            let reg = tree.get(c).unwrap();
            RegionRef {
                code: reg.code.as_str(),
                name: reg.name.as_str(),
                level: Some(reg.level()),
            }
        }
        None => RegionRef::NATIONAL,
    };
    let w = WaveRef {
        id: &wave.id,
        name: &wave.name,
        date: wave.date(),
        synthetic: wave.synthetic,
        sample: wave.is_sample(),
    };
    let t: &'t wahana_store::ProfileTallies = tallies.as_ref().unwrap();
    Profile::compute(t.input(r, w, DEFAULT_RULES))
}

#[tokio::test]
async fn profiles_from_tallies_match_hand_computation() {
    let kec = code("73.08.21");
    let kab = code("73.08");
    let biru = code("73.08.21.1001");
    let bukaka = code("73.08.21.1004");
    let empty = code("73.08.22");
    for db in backends().await {
        let s = &db.store;
        let n = db.name;
        let w = wave("uji-profil");
        s.save_wave(&w).await.unwrap();
        s.save_groups(&w.id, &worked_example()).await.unwrap();

        // The kecamatan, its kabupaten and the whole country hold the same 13 groups.
        for region in [Some(&kec), Some(&kab), None] {
            let mut t = None;
            let p = profile_of(s, &mut t, region, &w).await;
            let at = format!("{n} {region:?}");
            assert_eq!((p.groups_recorded, p.groups_qualifying), (13, 10), "{at}");
            let b = &p.f1.age_bands;
            assert_eq!(
                (b.lt5, b.from5_to9, b.from10_to19, b.from20),
                (2, 2, 2, 4),
                "{at}"
            );
            assert_eq!((p.f1.share_older_10, p.f1.holds), (0.6, true), "{at}");
            // Per village 3, 1, 3, 0, 3: the median is a tie at 3.
            let f2 = &p.f2;
            assert_eq!(
                (f2.villages, f2.groups, f2.mean, f2.median, f2.min, f2.max),
                (5, 10, 2.0, 3.0, 0, 3),
                "{at}"
            );
            assert_eq!((f2.villages_over_50, f2.holds), (0, false), "{at}");
            let f3 = &p.f3;
            assert_eq!(
                (
                    f3.share_grown_from_community,
                    f3.share_formed_by_government,
                    f3.share_formed_by_outside_party,
                    f3.share_domicile,
                    f3.share_integration_or_resilience,
                    f3.holds
                ),
                (0.6, 0.3, 0.1, 0.6, 0.3, true),
                "{at}"
            );
            assert!((f3.share_formed_from_outside - 0.4).abs() < 1e-12, "{at}");
            let f4 = &p.f4;
            // Exactly half aim at resilience or welfare: not a majority.
            assert_eq!(
                (
                    f4.share_resilience_or_welfare,
                    f4.share_dues_any,
                    f4.share_dues_main,
                    f4.holds
                ),
                (0.5, 0.6, 0.4, false),
                "{at}"
            );
            let f5 = &p.f5;
            assert_eq!(
                (
                    f5.share_any,
                    f5.share_togetherness,
                    f5.share_mutual_help,
                    f5.share_gotong_royong,
                    f5.holds
                ),
                (0.7, 0.3, 0.3, 0.3, true),
                "{at}"
            );
            let types: Vec<(&str, u64)> = p
                .by_type
                .iter()
                .map(|t| (t.label_id, t.brief.groups))
                .collect();
            assert_eq!(
                types,
                [
                    ("Arisan", 2),
                    ("Rukun kematian", 1),
                    ("Majelis taklim", 1),
                    ("Remaja masjid", 1),
                    ("PKK", 1),
                    ("Karang taruna", 1),
                    ("Kelompok tani", 1),
                    ("Posyandu", 1),
                    ("Kerukunan keluarga", 1)
                ],
                "{at}"
            );
            let villages: Vec<(&str, &str, u64, u64)> = p
                .by_village
                .iter()
                .map(|v| (v.code, v.name, v.recorded, v.brief.groups))
                .collect();
            assert_eq!(
                villages,
                [
                    ("73.08.21.1001", "Biru", 4, 3),
                    ("73.08.21.1002", "Ta", 2, 1),
                    ("73.08.21.1003", "Watampone", 3, 3),
                    ("73.08.21.1004", "Bukaka", 1, 0),
                    ("73.08.21.1008", "Masumpu", 3, 3)
                ],
                "{at}"
            );
            assert_eq!(p.coverage.villages_with_groups, 5, "{at}");
        }
        let mut t = None;
        let p = profile_of(s, &mut t, Some(&kec), &w).await;
        assert_eq!(
            (
                p.coverage.villages_in_region,
                p.coverage.villages_without_groups
            ),
            (8, 3),
            "{n}"
        );
        let mut t = None;
        let p = profile_of(s, &mut t, None, &w).await;
        assert_eq!(p.coverage.villages_in_region, 83_762, "{n}");

        // One village.
        let mut t = None;
        let p = profile_of(s, &mut t, Some(&biru), &w).await;
        assert_eq!((p.groups_recorded, p.groups_qualifying), (4, 3), "{n}");
        assert_eq!(
            (p.f2.villages, p.f2.mean, p.f2.median, p.f2.min, p.f2.max),
            (1, 3.0, 3.0, 3, 3),
            "{n}"
        );
        assert_eq!((p.f1.share_older_10, p.f1.holds), (2.0 / 3.0, true), "{n}");
        assert_eq!(
            (p.coverage.villages_in_region, p.coverage.share_with_groups),
            (1, 1.0),
            "{n}"
        );
        assert_eq!(p.region.level, Some(Level::Village));

        // A village with a recorded group but none that qualifies.
        let mut t = None;
        let p = profile_of(s, &mut t, Some(&bukaka), &w).await;
        assert_eq!(
            (p.groups_recorded, p.groups_qualifying, p.f2.villages),
            (1, 0, 1),
            "{n}"
        );
        for f in p.findings() {
            assert!(!f.holds, "{n}: {}", f.id);
            assert!(
                f.sentence_en.starts_with("No data: none of the 1 groups"),
                "{n}: {}",
                f.sentence_en
            );
        }

        // A region with no group at all.
        let mut t = None;
        let p = profile_of(s, &mut t, Some(&empty), &w).await;
        assert_eq!(
            (p.groups_recorded, p.groups_qualifying, p.f2.villages),
            (0, 0, 0),
            "{n}"
        );
        assert!(p.by_village.is_empty() && p.by_type.is_empty(), "{n}");
        assert!(p.coverage.villages_in_region > 0, "{n}");
        assert!(
            p.f1.sentence_en
                .starts_with("No data: no groups are recorded"),
            "{n}"
        );

        // Fresh after a write, with no rebuild: M2 dissolves, Ta gets two more groups.
        let mut m2 = s.group("M2").await.unwrap().unwrap();
        m2.group.status = GroupStatus::Dissolved;
        s.update_group(&m2.group, &m2.wave_id, m2.version, "cli:test")
            .await
            .unwrap();
        s.save_groups(
            &w.id,
            &[
                group("T3", &[("kode_wilayah", "73.08.21.1002")]),
                group("T4", &[("kode_wilayah", "73.08.21.1002")]),
            ],
        )
        .await
        .unwrap();
        let mut t = None;
        let p = profile_of(s, &mut t, Some(&kec), &w).await;
        assert_eq!((p.groups_recorded, p.groups_qualifying), (15, 11), "{n}");
        // Per village 3, 3, 3, 0, 2.
        assert_eq!((p.f2.median, p.f2.mean), (3.0, 11.0 / 5.0), "{n}");

        // Networks, institutions and ties are counted beside.
        let counts = s.actor_counts(&w.id, Some(&kec)).await.unwrap();
        assert_eq!(
            (counts.networks, counts.institutions, counts.ties),
            (0, 0, 0),
            "{n}"
        );
    }
}

#[tokio::test]
async fn actor_counts_follow_the_region() {
    for db in backends().await {
        let s = &db.store;
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        let tree = RegionTree::official();
        let mut serial = 0;
        for v in ["73.08.21.1001", "73.08.21.1002"] {
            let d = demo::generate_village(
                tree.get(&code(v)).unwrap(),
                3,
                TANETE_DENSITY,
                &w,
                &mut serial,
            );
            let mut batch = s.begin().await.unwrap();
            batch.save_actors(&w.id, &d.networks).await.unwrap();
            batch.save_actors(&w.id, &d.institutions).await.unwrap();
            batch.save_groups(&w.id, &d.groups, &[]).await.unwrap();
            batch.save_ties(&w.id, &d.ties).await.unwrap();
            batch.commit().await.unwrap();
        }
        let kec = code("73.08.21");
        let want = (
            s.list_actors::<Network>(Some(&kec), Some(&w.id))
                .await
                .unwrap()
                .len() as u64,
            s.list_actors::<Institution>(Some(&kec), Some(&w.id))
                .await
                .unwrap()
                .len() as u64,
            s.list_ties(&kec, Some(&w.id)).await.unwrap().len() as u64,
        );
        assert!(want.0 > 0 && want.1 > 0 && want.2 > 0, "{}", db.name);
        for region in [Some(code("73.08.21")), None] {
            let c = s.actor_counts(&w.id, region.as_ref()).await.unwrap();
            assert_eq!((c.networks, c.institutions, c.ties), want, "{}", db.name);
        }
        let c = s
            .actor_counts(&w.id, Some(&code("73.08.22")))
            .await
            .unwrap();
        assert_eq!(
            (c.networks, c.institutions, c.ties),
            (0, 0, 0),
            "{}",
            db.name
        );
        assert!(
            s.wave_holds_groups(&w.id, DEFAULT_RULES, Some(&code("73.08.21")))
                .await
                .unwrap()
        );
        assert!(
            !s.wave_holds_groups(&w.id, DEFAULT_RULES, Some(&code("73.08.22")))
                .await
                .unwrap()
        );
    }
}

/// The counts of networks, institutions and ties (`tally_actors`) equal a count from scratch
/// after every kind of write that adds, changes, moves or removes them.
async fn assert_actors_current(store: &Store, db: &str, wave: &str, step: &str) {
    let held = store.actor_tallies(wave).await.unwrap();
    let want = store.recount_actor_tallies(wave).await.unwrap();
    assert_eq!(held, want, "{db}: {step}: actor counts of {wave}");
}

#[tokio::test]
async fn actor_counts_follow_every_write() {
    use crate::actors::{institution, network, tie};
    use wahana_domain::codes::TieType;
    use wahana_store::NewReview;
    for db in backends().await {
        let s = &db.store;
        let n = db.name;
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        let tree = RegionTree::official();
        let mut serial = 0;
        let villages: Vec<_> = ["73.08.21.1001", "73.08.21.1002", "73.08.21.1003"]
            .iter()
            .map(|v| {
                demo::generate_village(
                    tree.get(&code(v)).unwrap(),
                    7,
                    TANETE_DENSITY,
                    &w,
                    &mut serial,
                )
            })
            .collect();
        let mut batch = s.begin().await.unwrap();
        for d in &villages {
            batch.save_actors(&w.id, &d.networks).await.unwrap();
            batch.save_actors(&w.id, &d.institutions).await.unwrap();
            batch.save_groups(&w.id, &d.groups, &[]).await.unwrap();
            batch.save_ties(&w.id, &d.ties).await.unwrap();
        }
        // An institution of the regency, tied across village lines.
        batch
            .save_actors(&w.id, &[institution("L-7308-DINSOS", "73.08")])
            .await
            .unwrap();
        let (g1, g2) = (&villages[0].groups[0].id, &villages[1].groups[0].id);
        batch
            .save_ties(
                &w.id,
                &[
                    tie("L-7308-DINSOS", g1, TieType::Funding),
                    tie(g1, g2, TieType::JointActivity),
                ],
            )
            .await
            .unwrap();
        batch.commit().await.unwrap();
        assert_actors_current(s, n, &w.id, "first load").await;
        let all = s.actor_tallies(&w.id).await.unwrap();
        let ties: usize = villages.iter().map(|v| v.ties.len()).sum::<usize>() + 2;
        assert_eq!(
            all[""][2], ties as i64,
            "{n}: every tie once in the country"
        );
        assert_eq!(all["73.08"][1], 7, "{n}: 2 a village and the regency's");

        // The same rows again: updated, not counted twice.
        let mut batch = s.begin().await.unwrap();
        batch
            .save_actors(&w.id, &villages[0].networks)
            .await
            .unwrap();
        batch.save_ties(&w.id, &villages[0].ties).await.unwrap();
        batch.commit().await.unwrap();
        assert_eq!(
            s.actor_tallies(&w.id).await.unwrap(),
            all,
            "{n}: saved again"
        );

        // One at a time: a network added, moved to another village, tied, untied.
        let added = s
            .insert_actor(&w.id, &network("W-BARU", "73.08.21.1001"), "cli:test")
            .await
            .unwrap();
        assert_actors_current(s, n, &w.id, "network added").await;
        let mut moved = added.record.clone();
        moved.village = code("73.08.21.1003");
        s.update_actor(&moved, added.version, "cli:test")
            .await
            .unwrap();
        assert_actors_current(s, n, &w.id, "network moved").await;
        let t = s
            .insert_tie(&w.id, &tie("W-BARU", g2, TieType::Coordination), "cli:test")
            .await
            .unwrap();
        assert_actors_current(s, n, &w.id, "tie added").await;
        assert!(s.delete_tie(t.id, "cli:test").await.unwrap());
        assert_actors_current(s, n, &w.id, "tie deleted").await;
        s.insert_tie(&w.id, &tie(g1, "W-BARU", TieType::Referral), "cli:test")
            .await
            .unwrap();
        // A group with ties deleted; a network with ties deleted.
        assert!(s.delete_group(g2, None, "cli:test").await.unwrap());
        assert_actors_current(s, n, &w.id, "tied group deleted").await;
        assert!(
            s.delete_actor::<wahana_domain::Network>("W-BARU", "cli:test")
                .await
                .unwrap()
        );
        assert_actors_current(s, n, &w.id, "tied network deleted").await;

        // A re-survey: networks and institutions carried into it, and a new row's group found
        // to be an earlier group of another village on review (its ties move with it).
        let mut w2 = wave("w2");
        w2.start_date = Date::new(2026, 8, 1);
        w2.end_date = Date::new(2026, 8, 31);
        s.save_wave(&w2).await.unwrap();
        let mut batch = s.begin().await.unwrap();
        batch
            .carry_actors(&w.id, "w2", &code("73.08.21"))
            .await
            .unwrap();
        let mut fresh = villages[2].groups[1].clone();
        fresh.id = "K-BARU".into();
        batch.save_groups("w2", &[fresh], &[]).await.unwrap();
        let net = villages[2].networks[0].id.clone();
        batch
            .save_ties("w2", &[tie("K-BARU", &net, TieType::Coordination)])
            .await
            .unwrap();
        batch
            .save_reviews(
                "w2",
                &[NewReview {
                    new_id: "K-BARU".into(),
                    candidate_id: villages[0].groups[3].id.clone(),
                    score: 0.7,
                }],
            )
            .await
            .unwrap();
        batch.commit().await.unwrap();
        assert_actors_current(s, n, "w2", "carried forward").await;
        assert_actors_current(s, n, &w.id, "carried from").await;
        let before = s.actor_tallies("w2").await.unwrap();
        let review = s.reviews("w2", None, false).await.unwrap();
        s.decide_review(review[0].id, true, "cli:test")
            .await
            .unwrap();
        assert_actors_current(s, n, "w2", "review accepted").await;
        assert_ne!(
            s.actor_tallies("w2").await.unwrap(),
            before,
            "{n}: the tie moved to the earlier group's village"
        );

        // A wave deleted: its counts go with it.
        let mut batch = s.begin().await.unwrap();
        batch.delete_wave("w2").await.unwrap();
        batch.commit().await.unwrap();
        assert!(s.actor_tallies("w2").await.unwrap().is_empty(), "{n}");
        assert_actors_current(s, n, &w.id, "other wave deleted").await;
    }
}

/// PostgreSQL: a wave screened anew (as a large load) leaves the tallies with statistics, so
/// that the planner reads a region's rows by the whole key from the first profile on, not
/// through a filter over every row of the wave (BENCHMARKS.md, issue 13).
#[tokio::test]
async fn a_wave_screened_anew_leaves_the_tallies_with_statistics() {
    for db in backends().await {
        let wahana_store::Pool::Postgres(p) = db.store.pool() else {
            continue;
        };
        let s = &db.store;
        let w = wave("uji-statistik");
        s.save_wave(&w).await.unwrap();
        s.save_groups(&w.id, &worked_example()).await.unwrap();
        let analyzed = || async {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(DISTINCT tablename) FROM pg_stats WHERE tablename IN \
                 ('tally_village', 'tally_region_type')",
            )
            .fetch_one(p)
            .await
            .unwrap();
            n
        };
        assert_eq!(
            analyzed().await,
            0,
            "a handful of groups: no statistics yet"
        );
        s.screen_wave(&w.id, DEFAULT_RULES, |_, _| {})
            .await
            .unwrap();
        // (`tally_actors` is analyzed too, but holds no row here: no statistics to show.)
        assert_eq!(analyzed().await, 2, "{}", db.name);
    }
}
