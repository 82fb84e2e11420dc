//! The links a wave recorded, read back by wave and region.

use crate::actors::group;
use crate::harness::backends;
use wahana_domain::codes::GroupStatus;
use wahana_domain::linking::{LinkKind, LinkMethod};
use wahana_domain::{Date, RegionCode, Wave};
use wahana_store::NewLink;

fn wave(id: &str, year: i32) -> Wave {
    Wave {
        id: id.into(),
        name: id.into(),
        region: None,
        start_date: Date::new(year, 8, 1),
        end_date: None,
        source: None,
        synthetic: false,
        enumerators: None,
        closed: false,
        method: None,
        run_by: None,
    }
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

#[tokio::test]
async fn links_of_a_wave_in_a_region() {
    for db in backends().await {
        let (n, s) = (db.name, &db.store);
        s.save_wave(&wave("w1", 2007)).await.unwrap();
        s.save_wave(&wave("w2", 2026)).await.unwrap();
        let active = GroupStatus::Active;
        let earlier = [
            group("g1", "73.08.21.1001", active, None),
            group("g2", "73.08.21.1001", active, None),
            group("g3", "73.08.21.1002", active, None),
            group("g5", "73.08.22.1001", active, None),
        ];
        s.save_groups("w1", &earlier).await.unwrap();
        let later = [
            group("g1", "73.08.21.1001", active, None),
            group("g2", "73.08.21.1001", active, None),
            group("g4", "73.08.21.1002", GroupStatus::Dissolved, None),
            group("g5", "73.08.22.1001", active, None),
        ];
        let link = |from: &str, to: &str, kind, method, score| NewLink {
            from_id: from.into(),
            to_id: to.into(),
            kind,
            method,
            score,
            accepted_by: (method == "reviewed").then(|| "petugas".to_string()),
        };
        let mut b = s.begin().await.unwrap();
        b.save_groups("w2", &later, &[]).await.unwrap();
        b.save_links(
            "w2",
            &[
                link("g2", "g2", "continues", "matched", Some(0.93)),
                link("g3", "g4", "merged", "reviewed", Some(0.71)),
                link("g5", "g5", "continues", "matched", Some(0.88)),
            ],
        )
        .await
        .unwrap();
        b.commit().await.unwrap();

        let village = s.links_in("w2", &code("73.08.21.1001")).await.unwrap();
        assert_eq!(village.len(), 1, "{n}: {village:?}");
        let l = &village[0];
        assert_eq!(
            (
                l.wave_id.as_str(),
                l.from_id.as_str(),
                l.to_id.as_str(),
                l.kind,
                l.method,
                l.score,
                l.accepted_by.as_deref()
            ),
            (
                "w2",
                "g2",
                "g2",
                LinkKind::Continues,
                LinkMethod::Matched,
                Some(0.93),
                None
            ),
            "{n}"
        );
        // The kecamatan: its two links, by earlier id; not the other kecamatan's.
        let district = s.links_in("w2", &code("73.08.21")).await.unwrap();
        let pairs: Vec<(&str, &str, LinkKind, LinkMethod)> = district
            .iter()
            .map(|l| (l.from_id.as_str(), l.to_id.as_str(), l.kind, l.method))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("g2", "g2", LinkKind::Continues, LinkMethod::Matched),
                ("g3", "g4", LinkKind::Merged, LinkMethod::Reviewed),
            ],
            "{n}"
        );
        assert_eq!(district[1].link().previous, "g3", "{n}");
        assert_eq!(district[1].accepted_by.as_deref(), Some("petugas"), "{n}");
        assert_eq!(
            s.links_in("w2", &code("73.08")).await.unwrap().len(),
            3,
            "{n}"
        );
        // The earlier wave recorded none.
        assert!(
            s.links_in("w1", &code("73")).await.unwrap().is_empty(),
            "{n}"
        );
        db.store.close().await;
    }
}
