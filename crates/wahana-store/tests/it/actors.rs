//! Networks, institutions, ties and members one at a time, and the streams the network of a
//! scope is built from.

use crate::harness::backends;
use wahana_domain::codes::{Code, GroupStatus, InstitutionKind, NetworkLevel, TieType};
use wahana_domain::member::Member;
use wahana_domain::network::NodeKind;
use wahana_domain::{Date, Group, Institution, Network, RegionCode, Tie, Wave};
use wahana_store::{Refusal, Store, StoreError};

pub(crate) fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

pub(crate) fn wave() -> Wave {
    Wave {
        id: "w1".into(),
        name: "Uji".into(),
        region: None,
        start_date: Date::new(2007, 8, 1),
        end_date: None,
        source: None,
        synthetic: false,
        enumerators: None,
        closed: false,
        method: None,
        run_by: None,
    }
}

pub(crate) fn network(id: &str, village: &str) -> Network {
    Network {
        id: id.into(),
        village: code(village),
        local_unit: None,
        level: NetworkLevel::Village,
        name: format!("WKSBM {id}"),
        founded_year: Some(2006),
        chair: Some("Contoh Ketua".into()),
        secretary: None,
        treasurer: None,
        phone: None,
        decree_number: None,
        decree_date: None,
        notes: None,
    }
}

pub(crate) fn institution(id: &str, region: &str) -> Institution {
    Institution {
        id: id.into(),
        region: code(region),
        kind: InstitutionKind::VillageOffice,
        name: format!("Kantor {id}"),
        address: None,
        contact: None,
        phone: None,
        latitude: None,
        longitude: None,
        notes: None,
    }
}

/// A group of the demonstration generator, renamed.
pub(crate) fn group(id: &str, village: &str, status: GroupStatus, network: Option<&str>) -> Group {
    let tree = wahana_domain::RegionTree::official();
    let region = tree.get(&code(village)).unwrap();
    let mut serial = 0;
    let d = wahana_domain::demo::generate_village(
        region,
        1,
        wahana_domain::demo::TANETE_DENSITY,
        &wave(),
        &mut serial,
    );
    let mut g = d.groups[0].clone();
    g.id = id.into();
    g.name = format!("Kelompok {id}");
    g.status = status;
    g.network = network.map(str::to_string);
    g
}

pub(crate) fn tie(a: &str, b: &str, t: TieType) -> Tie {
    Tie {
        from: a.into(),
        to: b.into(),
        tie_type: t,
        since: Some(2005),
        notes: None,
    }
}

pub(crate) async fn seed(store: &Store) {
    store.save_wave(&wave()).await.unwrap();
    for (id, v, s, n) in [
        ("g1", "73.08.21.1001", GroupStatus::Active, Some("WKSBM w1")),
        ("g2", "73.08.21.1001", GroupStatus::Active, None),
        ("g3", "73.08.21.1002", GroupStatus::Dissolved, None),
    ] {
        store
            .insert_group("w1", &group(id, v, s, n), "cli:test")
            .await
            .unwrap();
    }
    store
        .insert_actor("w1", &network("w1", "73.08.21.1001"), "cli:test")
        .await
        .unwrap();
    store
        .insert_actor("w1", &institution("l1", "73.08.21"), "cli:test")
        .await
        .unwrap();
}

#[tokio::test]
async fn networks_and_institutions_are_versioned_and_deleted_with_their_ties() {
    for db in backends().await {
        let s = &db.store;
        let name = db.name;
        seed(s).await;
        // One id names one actor.
        let err = s
            .insert_actor("w1", &network("g1", "73.08.21.1001"), "cli:test")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Refused(Refusal::IdTaken { ref id, holder: wahana_store::ActorKind::Group })
                    if id == "g1"
            ),
            "{name}"
        );
        let held = s.actor::<Network>("w1").await.unwrap().unwrap();
        assert_eq!((held.version, held.wave_id.as_str()), (1, "w1"), "{name}");
        assert_eq!(held.record, network("w1", "73.08.21.1001"), "{name}");

        let mut changed = held.record.clone();
        changed.decree_number = Some("SK-1".into());
        assert_eq!(
            s.update_actor(&changed, 1, "cli:test")
                .await
                .unwrap()
                .version,
            2,
            "{name}"
        );
        let err = s.update_actor(&changed, 1, "cli:test").await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    expected: 1,
                    found: 2,
                    ..
                }
            ),
            "{name}: {err}"
        );
        let err = s
            .update_actor(&network("nope", "73.08.21.1001"), 1, "cli:test")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{name}");

        let mut inst = s.actor::<Institution>("l1").await.unwrap().unwrap().record;
        inst.kind = InstitutionKind::Puskesmas;
        assert_eq!(
            s.update_actor(&inst, 1, "cli:test").await.unwrap().version,
            2,
            "{name}"
        );
        let listed = s
            .list_actors::<Institution>(Some(&code("73.08.21")), None)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "{name}");
        assert_eq!(listed[0].record.kind, InstitutionKind::Puskesmas);
        assert!(
            s.list_actors::<Institution>(Some(&code("73.08.21.1001")), None)
                .await
                .unwrap()
                .is_empty(),
            "{name}: a kecamatan institution is not in a village"
        );

        // Ties: recorded once per type and pair, either way round; ends must be held.
        let t = s
            .insert_tie("w1", &tie("g1", "w1", TieType::Coordination), "cli:test")
            .await
            .unwrap();
        assert_eq!(
            (t.from_kind.code(), t.to_kind.code()),
            ("kelompok", "wahana")
        );
        let err = s
            .insert_tie("w1", &tie("w1", "g1", TieType::Coordination), "cli:test")
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Refused(Refusal::TieExists { .. })),
            "{name}"
        );
        s.insert_tie("w1", &tie("w1", "g1", TieType::Guidance), "cli:test")
            .await
            .unwrap();
        s.insert_tie("w1", &tie("l1", "w1", TieType::Guidance), "cli:test")
            .await
            .unwrap();
        let err = s
            .insert_tie("w1", &tie("g1", "zz", TieType::Referral), "cli:test")
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Refused(Refusal::ActorNotFound { .. })),
            "{name}"
        );
        assert_eq!(s.ties_of("w1").await.unwrap().len(), 3, "{name}");
        assert_eq!(s.tie(t.id).await.unwrap().unwrap(), t, "{name}");
        assert_eq!(
            s.groups_naming_network(&code("73.08.21.1001"), "wksbm W1")
                .await
                .unwrap(),
            [("g1".to_string(), "Kelompok g1".to_string())],
            "{name}"
        );

        assert!(s.delete_tie(t.id, "cli:test").await.unwrap(), "{name}");
        assert!(!s.delete_tie(t.id, "cli:test").await.unwrap(), "{name}");
        assert!(
            s.delete_actor::<Institution>("l1", "cli:test")
                .await
                .unwrap(),
            "{name}"
        );
        assert_eq!(s.ties_of("w1").await.unwrap().len(), 1, "{name}");
        assert!(
            s.delete_actor::<Network>("w1", "cli:test").await.unwrap(),
            "{name}"
        );
        assert!(s.ties_of("g1").await.unwrap().is_empty(), "{name}");
        assert!(s.actor::<Network>("w1").await.unwrap().is_none(), "{name}");
        assert!(
            !s.delete_actor::<Network>("w1", "cli:test").await.unwrap(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn members_stream_by_person_and_go_with_their_group() {
    for db in backends().await {
        let s = &db.store;
        let name = db.name;
        seed(s).await;
        let add = |g: &str, n: &str, role: Option<&str>, key: Option<&str>| {
            Member::new(g, n, role, key).unwrap()
        };
        s.add_member(&add("g2", "Andi Baso", Some("anggota"), None), "cli:test")
            .await
            .unwrap();
        s.add_member(&add("g1", "andi  baso", Some("ketua"), None), "cli:test")
            .await
            .unwrap();
        s.add_member(&add("g3", "Andi Baso", None, None), "cli:test")
            .await
            .unwrap();
        s.add_member(&add("g1", "La Ode", None, Some("7308")), "cli:test")
            .await
            .unwrap();
        let err = s
            .add_member(&add("zz", "X", None, None), "cli:test")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{name}");

        let of_g1 = s.members_of("g1").await.unwrap();
        let roles: Vec<&str> = of_g1.iter().map(|m| m.member.role.code()).collect();
        assert_eq!(roles, ["ketua", "anggota"], "{name}: the board first");

        // Dissolved groups (g3) are not in the network.
        let mut seen = Vec::new();
        s.for_each_membership(Some(&code("73.08.21")), None, |p, g| seen.push((p, g)))
            .await
            .unwrap();
        assert_eq!(
            seen,
            [
                ("k:7308".to_string(), "g1".to_string()),
                ("n:andi baso".to_string(), "g1".to_string()),
                ("n:andi baso".to_string(), "g2".to_string()),
            ],
            "{name}"
        );

        assert!(
            s.delete_group("g1", None, "cli:test").await.unwrap(),
            "{name}"
        );
        assert!(s.members_of("g1").await.unwrap().is_empty(), "{name}");
        let id = s.members_of("g2").await.unwrap()[0].id;
        assert!(s.delete_member(id, "cli:test").await.unwrap(), "{name}");
        assert!(!s.delete_member(id, "cli:test").await.unwrap(), "{name}");
    }
}

#[tokio::test]
async fn scope_streams_hold_what_the_graph_needs() {
    for db in backends().await {
        let s = &db.store;
        let name = db.name;
        seed(s).await;
        s.insert_tie("w1", &tie("g1", "g3", TieType::Referral), "cli:test")
            .await
            .unwrap();
        s.insert_tie("w1", &tie("l1", "g2", TieType::Guidance), "cli:test")
            .await
            .unwrap();
        let village = code("73.08.21.1001");
        let mut groups = Vec::new();
        s.for_each_scope_group(Some(&village), None, |g| {
            groups.push((
                g.id.to_string(),
                g.village.clone(),
                g.group_type,
                g.network.map(str::to_string),
            ))
        })
        .await
        .unwrap();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        let ids: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(ids, ["g1", "g2"], "{name}");
        assert_eq!(groups[0].3.as_deref(), Some("WKSBM w1"), "{name}");
        assert_eq!(groups[0].1, village, "{name}");
        let mut names = Vec::new();
        s.for_each_scope_group_name(Some(&village), None, |id, n| {
            names.push((id.to_string(), n.to_string()))
        })
        .await
        .unwrap();
        names.sort();
        assert_eq!(
            names,
            [
                ("g1".to_string(), "Kelompok g1".to_string()),
                ("g2".to_string(), "Kelompok g2".to_string())
            ],
            "{name}"
        );
        // The dissolved g3 is left out everywhere.
        let mut all = 0;
        s.for_each_scope_group(None, None, |_| all += 1)
            .await
            .unwrap();
        assert_eq!(all, 2, "{name}");

        let mut inst = Vec::new();
        s.for_each_scope_institution(Some(&code("73.08.21")), None, |n| inst.push(n))
            .await
            .unwrap();
        assert_eq!(inst.len(), 1, "{name}");
        assert_eq!(
            (inst[0].kind, inst[0].village.clone()),
            (NodeKind::Institution, None)
        );
        let mut nets = Vec::new();
        s.for_each_scope_network(Some(&village), Some("w1"), |n| nets.push(n))
            .await
            .unwrap();
        assert_eq!(nets.len(), 1, "{name}");
        let mut none = 0;
        s.for_each_scope_network(Some(&village), Some("other"), |_| none += 1)
            .await
            .unwrap();
        assert_eq!(none, 0, "{name}");

        // Ties with an end in the village: both; in Ta (g3 dissolved but held): g1–g3.
        let mut ties = Vec::new();
        s.for_each_scope_tie(Some(&village), None, |a, b, t| {
            ties.push((a.to_string(), b.to_string(), t))
        })
        .await
        .unwrap();
        ties.sort();
        assert_eq!(ties.len(), 2, "{name}");
        let mut in_ta = Vec::new();
        s.for_each_scope_tie(Some(&code("73.08.21.1002")), None, |a, b, _| {
            in_ta.push((a.to_string(), b.to_string()))
        })
        .await
        .unwrap();
        assert_eq!(in_ta, [("g1".to_string(), "g3".to_string())], "{name}");
        let mut every = 0;
        s.for_each_scope_tie(None, Some("w1"), |_, _, _| every += 1)
            .await
            .unwrap();
        assert_eq!(every, 2, "{name}");
    }
}

/// On PostgreSQL the groups and ties come by `COPY ... TO STDOUT` in its text format, and the
/// query's values are written into the statement: text that COPY escapes (tab, line break,
/// backslash, the `\N` of NULL) and values that SQL quotes must come back as they were.
#[tokio::test]
async fn scope_streams_read_any_text_back_as_written() {
    let awkward = [
        "tab\there",
        "line\nbreak\r\n",
        "back\\slash\\",
        "\\N",
        "it's 'quoted' $1",
        "Ma'ju — Ñ 日本 \u{1F33E}",
    ];
    for db in backends().await {
        let s = &db.store;
        let name = db.name;
        seed(s).await;
        for (i, net) in awkward.iter().enumerate() {
            let id = format!("x{i}'\\");
            s.insert_group(
                "w1",
                &group(&id, "73.08.21.1003", GroupStatus::Active, Some(net)),
                "cli:test",
            )
            .await
            .unwrap();
            s.insert_tie("w1", &tie(&id, "g1", TieType::Referral), "cli:test")
                .await
                .unwrap();
        }
        let village = code("73.08.21.1003");
        let mut groups = Vec::new();
        let n = s
            .for_each_scope_group(Some(&village), Some("w1"), |g| {
                groups.push((g.id.to_string(), g.network.map(str::to_string)))
            })
            .await
            .unwrap();
        assert_eq!(n, awkward.len() as u64, "{name}");
        groups.sort();
        let want: Vec<(String, Option<String>)> = awkward
            .iter()
            .enumerate()
            .map(|(i, net)| (format!("x{i}'\\"), Some(net.to_string())))
            .collect();
        assert_eq!(groups, want, "{name}");
        let mut ties = Vec::new();
        s.for_each_scope_tie(Some(&village), Some("w1"), |a, b, t| {
            ties.push((a.to_string(), b.to_string(), t))
        })
        .await
        .unwrap();
        ties.sort();
        let want: Vec<(String, String, TieType)> = (0..awkward.len())
            .map(|i| (format!("x{i}'\\"), "g1".to_string(), TieType::Referral))
            .collect();
        assert_eq!(ties, want, "{name}");
        // A wave no row has, spelled to break a badly quoted statement: nothing, no error.
        for wave in ["it's", "back\\", "$1", "'); DROP TABLE groups; --"] {
            let mut none = 0;
            s.for_each_scope_group(None, Some(wave), |_| none += 1)
                .await
                .unwrap();
            s.for_each_scope_tie(None, Some(wave), |_, _, _| none += 1)
                .await
                .unwrap();
            assert_eq!(none, 0, "{name} {wave}");
        }
        let mut all = 0;
        s.for_each_scope_group(None, None, |_| all += 1)
            .await
            .unwrap();
        assert_eq!(all, 2 + awkward.len(), "{name}");
    }
}
