//! Values that no longer parse are refused as corrupt, never read as something else.

use crate::actors::{group, seed};
use crate::harness::backends;
use wahana_domain::codes::GroupStatus;
use wahana_store::{GroupFilter, StoreError};

/// A count or a code set held out of range (written by hand, or by another version) is
/// `StoreError::Corrupt` naming the column and the value, not 0: read one at a time, in a
/// list and in an export.
#[tokio::test]
async fn out_of_range_counts_and_code_sets_are_corrupt() {
    for db in backends().await {
        let (n, s) = (db.name, &db.store);
        seed(s).await;
        for (column, value) in [
            ("members_male", -3_i64),
            ("members_female", 1 << 40),
            ("purposes", -1),
            ("activities", 1 << 40),
            // A bit that names no activity (there are far fewer than 31).
            ("activities", 1 << 30),
        ] {
            let sql = format!("UPDATE groups SET {column} = $1 WHERE id = 'g1'");
            wahana_store::on_pool!(s.pool(), p => {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(value)
                    .execute(p)
                    .await
                    .unwrap();
            });
            match s.group("g1").await {
                Err(StoreError::Corrupt { what, value: v }) => {
                    assert_eq!(what, column, "{n}");
                    assert_eq!(v, value.to_string(), "{n}");
                }
                other => panic!("{n}: {column} = {value}: {other:?}"),
            }
            let listed = s.list_groups(&GroupFilter::default(), 100, 0).await;
            assert!(
                matches!(listed, Err(StoreError::Corrupt { .. })),
                "{n}: {column} = {value}: {listed:?}"
            );
            // The export writes counts as held (a wrong one is seen, not hidden); a code set
            // that is no bitmask has no codes to write.
            if !column.starts_with("members") && u32::try_from(value).is_err() {
                let exported = s
                    .for_each_group_fields(&GroupFilter::default(), |_| Ok::<_, ()>(()))
                    .await;
                assert!(
                    matches!(exported, Err(StoreError::Corrupt { .. })),
                    "{n}: export with {column} = {value}: {exported:?}"
                );
            }
            // Put the group back as it was for the next column.
            let g = group("g1", "73.08.21.1001", GroupStatus::Active, Some("WKSBM w1"));
            wahana_store::on_pool!(s.pool(), p => {
                sqlx::query(
                    "UPDATE groups SET members_male = $1, members_female = $2, purposes = $3, \
                     activities = $4 WHERE id = 'g1'",
                )
                .bind(g.members_male.map(i64::from))
                .bind(g.members_female.map(i64::from))
                .bind(i64::from(g.purposes.bits()))
                .bind(i64::from(g.activities.bits()))
                .execute(p)
                .await
                .unwrap();
            });
            assert_eq!(s.group("g1").await.unwrap().unwrap().group, g, "{n}");
        }
    }
}

/// A tie type held that names no type, met in the middle of the network's stream (on
/// PostgreSQL, a `COPY` cut short), is `StoreError::Corrupt`; the store goes on answering,
/// the same stream included, more times than its pool has connections.
#[tokio::test]
async fn a_corrupt_row_in_the_networks_stream_is_refused_and_the_store_goes_on() {
    use crate::actors::tie;
    use wahana_domain::codes::TieType;
    for db in backends().await {
        let (n, s) = (db.name, &db.store);
        seed(s).await;
        for (a, b) in [("g1", "g2"), ("l1", "g1"), ("w1", "g2")] {
            s.insert_tie("w1", &tie(a, b, TieType::Referral), "cli:test")
                .await
                .unwrap();
        }
        wahana_store::on_pool!(s.pool(), p => {
            sqlx::query("UPDATE ties SET tie_type = 'bogus' WHERE from_id = 'l1'")
                .execute(p)
                .await
                .unwrap();
        });
        for _ in 0..12 {
            let mut seen = 0;
            let read = s.for_each_scope_tie(None, None, |_, _, _| seen += 1).await;
            match read {
                Err(StoreError::Corrupt { what, value }) => {
                    assert_eq!(
                        (what.as_str(), value.as_str()),
                        ("tie type", "bogus"),
                        "{n}"
                    );
                }
                other => panic!("{n}: {other:?}"),
            }
            let mut groups = 0;
            s.for_each_scope_group(None, None, |_| groups += 1)
                .await
                .unwrap();
            assert_eq!(groups, 2, "{n}");
        }
        wahana_store::on_pool!(s.pool(), p => {
            sqlx::query("UPDATE ties SET tie_type = 'rujukan' WHERE from_id = 'l1'")
                .execute(p)
                .await
                .unwrap();
        });
        let mut every = 0;
        s.for_each_scope_tie(None, None, |_, _, _| every += 1)
            .await
            .unwrap();
        assert_eq!(every, 3, "{n}");
    }
}
