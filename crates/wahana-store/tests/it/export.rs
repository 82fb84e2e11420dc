//! The groups' export gives the instrument's cells: the SQLite reader (which formats the held
//! values itself) and the PostgreSQL path both give what `Group::to_fields` gives.

use crate::actors::{code, group, wave};
use crate::harness::backends;
use wahana_domain::codes::*;
use wahana_domain::{CodeSet, Date, Group};
use wahana_store::GroupFilter;

/// A group with every field given, several codes in each code set.
fn every_field(id: &str) -> Group {
    Group {
        id: id.into(),
        village: code("73.08.21.1001"),
        local_unit: Some("Dusun Satu".into()),
        name: "Arisan \"Melati\", RT 2".into(),
        group_type: GroupType::Arisan,
        origin: Origin::FormedByGovernment,
        founded_year: 1998,
        members_male: Some(12),
        members_female: Some(30),
        membership_basis: CodeSet::from_bits(0b11),
        purposes: CodeSet::from_bits(0b101),
        activities: CodeSet::from_bits(0b1011),
        funding: CodeSet::from_bits(0b11),
        main_funding: Some(Funding::Donors),
        dues_rupiah: Some(25_000),
        dues_period: Some(DuesPeriod::Monthly),
        values: CodeSet::from_bits(0b110),
        meeting_frequency: Some(MeetingFrequency::Fortnightly),
        legal_status: Some(LegalStatus::VillageDecree),
        status: GroupStatus::Inactive,
        network: Some("WKSBM Tanete".into()),
        chair: Some("Contoh Ketua".into()),
        phone: Some("0812-0000-0001".into()),
        latitude: Some(-4.123456789),
        longitude: Some(119.5),
        survey_date: Date::new(2007, 3, 9).unwrap(),
        enumerator: Some("Pendata Contoh".into()),
        notes: Some("satu\ndua".into()),
    }
}

/// A group with every optional field empty and empty code sets.
fn optional_empty(id: &str) -> Group {
    Group {
        id: id.into(),
        local_unit: None,
        members_male: None,
        members_female: None,
        membership_basis: CodeSet::from_bits(0),
        purposes: CodeSet::from_bits(0),
        activities: CodeSet::from_bits(0),
        funding: CodeSet::from_bits(0),
        main_funding: None,
        dues_rupiah: None,
        dues_period: None,
        values: CodeSet::from_bits(0),
        meeting_frequency: None,
        legal_status: None,
        network: None,
        chair: None,
        phone: None,
        latitude: None,
        longitude: None,
        enumerator: None,
        notes: None,
        ..every_field(id)
    }
}

#[tokio::test]
async fn the_export_of_either_database_gives_the_cells_of_to_fields() {
    let groups = vec![
        every_field("a1"),
        optional_empty("a2"),
        group("a3", "73.08.21.1002", GroupStatus::Active, Some("WKSBM a")),
    ];
    // The cells the instrument's writer gives for the same groups, in id order.
    let expected: Vec<Vec<String>> = groups.iter().map(Group::to_fields).collect();
    assert!(
        expected[0].iter().all(|c| !c.is_empty()),
        "every field given"
    );
    let mut exports = Vec::new();
    for db in backends().await {
        let s = &db.store;
        s.save_wave(&wave()).await.unwrap();
        let mut batch = s.begin().await.unwrap();
        batch.save_groups("w1", &groups, &[]).await.unwrap();
        batch.commit().await.unwrap();
        let mut got: Vec<Vec<String>> = Vec::new();
        let n = s
            .for_each_group_fields(&GroupFilter::default(), |cells| {
                got.push(cells.iter().map(|c| c.to_string()).collect());
                Ok::<(), ()>(())
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n, 3, "{}", db.name);
        assert_eq!(got, expected, "{}", db.name);
        exports.push((db.name, got));
    }
    // Both databases, when both are tested, give the same cells.
    for pair in exports.windows(2) {
        assert_eq!(pair[0].1, pair[1].1, "{} and {}", pair[0].0, pair[1].0);
    }
}
