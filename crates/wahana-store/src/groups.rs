//! Groups (*kelompok*) one at a time and by filter: an observation added, read, replaced at a
//! version or deleted (each with its audit entry and its tallies), lists and counts with
//! [`GroupFilter`]. Imports write groups in bulk through [`crate::Batch::save_groups`].

use crate::batch::{BatchTx, GROUP_UPSERT_SQL, TallyWork, group_insert_head};
use crate::columns::{
    GROUP_SELECT, GROUP_UPSERT_SET, GROUP_WIDTH, GroupWrite, fold_name, group_values,
};
use crate::error::{FIRST_VERSION, at_version, not_at_version};
use crate::regions::range_end;
use crate::rows::GroupRow;
use crate::sqlite_tx::{self, Rows};
use crate::{AuditChange, Store, StoreError, on_pool};
use serde::Serialize;
use sqlx::{AssertSqlSafe, QueryBuilder};
use wahana_domain::codes::{Code, GroupStatus, GroupType};
use wahana_domain::{Group, RegionCode};

/// A group as held: the domain record plus what the store keeps about it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StoredGroup {
    #[serde(flatten)]
    pub group: Group,
    pub wave_id: String,
    /// Incremented on every save; an edit names the version it started from.
    pub version: i64,
    /// Where the record came from (an import's file, row and ODK/KoBo metadata), as JSON.
    pub provenance: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a list of groups is filtered by.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    /// The region whose subtree holds the groups (any level).
    pub region: Option<RegionCode>,
    pub group_type: Option<GroupType>,
    pub status: Option<GroupStatus>,
    pub wave: Option<String>,
    /// Part of the name, ignoring case.
    pub name: Option<String>,
}

/// A region with the number of groups recorded in its subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionCount {
    pub code: String,
    pub groups: i64,
}

pub(crate) fn push_group_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &GroupFilter)
where
    String: for<'a> sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1=1");
    if let Some(r) = &f.region {
        qb.push(" AND village_code >= ")
            .push_bind(r.as_str().to_string())
            .push(" AND village_code < ")
            .push_bind(range_end(r));
    }
    if let Some(t) = f.group_type {
        qb.push(" AND group_type = ")
            .push_bind(t.code().to_string());
    }
    if let Some(s) = f.status {
        qb.push(" AND status = ").push_bind(s.code().to_string());
    }
    if let Some(w) = &f.wave {
        qb.push(" AND wave_id = ").push_bind(w.clone());
    }
    if let Some(n) = &f.name {
        qb.push(" AND name_fold LIKE ")
            .push_bind(contains_pattern(n))
            .push(" ESCAPE '\\'");
    }
}

/// The `LIKE` pattern (with `ESCAPE '\'`) of names holding `part` anywhere, ignoring case:
/// `%` and `_` in `part` are themselves, not wildcards.
pub(crate) fn contains_pattern(part: &str) -> String {
    let mut out = String::with_capacity(part.len() + 4);
    out.push('%');
    for c in fold_name(part).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    /// Saves groups into a wave in one transaction (see [`crate::Batch::save_groups`]).
    pub async fn save_groups(&self, wave_id: &str, groups: &[Group]) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        batch.save_groups(wave_id, groups, &[]).await?;
        batch.commit().await
    }

    /// Adds one observation of a group to a wave, made by `actor`, with its audit entry. A
    /// group without an id is a new one and gets the next free id of its village
    /// (`K-<village>-NNNN`), drawn in the same transaction; an id given is either new, or a
    /// group held and not yet observed in this wave (a re-survey entered by hand). An id held
    /// by a network or an institution, or a group the wave already observes, is refused.
    /// Returns the observation as held.
    pub async fn insert_group(
        &self,
        wave_id: &str,
        group: &Group,
        actor: &str,
    ) -> Result<StoredGroup, StoreError> {
        let mut batch = self.begin().await?;
        batch.ensure_open(wave_id).await?;
        let group = &batch.with_id_in_wave(wave_id, group).await?;
        batch
            .save_groups(wave_id, std::slice::from_ref(group), &[])
            .await?;
        let stored = StoredGroup {
            group: group.clone(),
            wave_id: wave_id.to_string(),
            version: FIRST_VERSION,
            provenance: None,
            created_at: batch.now.clone(),
            updated_at: batch.now.clone(),
        };
        let change = AuditChange::new(actor, "create", "kelompok", &group.id)
            .region(Some(group.village.as_str()))
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// The latest observation of a group (the one of its latest wave, by date then id).
    pub async fn group(&self, id: &str) -> Result<Option<StoredGroup>, StoreError> {
        Ok(self.observations(id).await?.pop())
    }

    /// A group as a wave observed it.
    pub async fn group_in(&self, id: &str, wave: &str) -> Result<Option<StoredGroup>, StoreError> {
        let row: Option<GroupRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{GROUP_SELECT} WHERE id = $1 AND wave_id = $2"
            )))
            .bind(id.to_string())
            .bind(wave.to_string())
            .fetch_optional(p)
            .await?
        });
        row.map(GroupRow::into_stored).transpose()
    }

    /// Every observation of a group, oldest wave first (by date, then id).
    pub async fn observations(&self, id: &str) -> Result<Vec<StoredGroup>, StoreError> {
        let rows: Vec<GroupRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{GROUP_SELECT} WHERE id = $1 ORDER BY (SELECT COALESCE(w.end_date, \
                 w.start_date, '') FROM waves w WHERE w.id = groups.wave_id), wave_id"
            )))
            .bind(id.to_string())
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(GroupRow::into_stored).collect()
    }

    /// Replaces the fields of a group's observation in `wave` if it is still at
    /// `expected_version`, with the audit entry of `actor`'s change; returns the observation
    /// as held now. A save from a stale version is refused with [`StoreError::Conflict`] and
    /// changes nothing; so is a save into a closed wave. Other waves' observations stay.
    pub async fn update_group(
        &self,
        group: &Group,
        wave: &str,
        expected_version: i64,
        actor: &str,
    ) -> Result<StoredGroup, StoreError> {
        let current = self.group_in(&group.id, wave).await?;
        let current = at_version(
            "kelompok",
            &group.id,
            current,
            |g| g.version,
            expected_version,
        )?;
        // In a transaction with the tallies (tally.rs) and the audit entry.
        let mut batch = self.begin().await?;
        batch.ensure_open(wave).await?;
        let mut tallies = batch.start_tallies(&current.wave_id).await?;
        batch
            .tally_upsert(
                &mut tallies,
                &current.wave_id,
                std::slice::from_ref(group),
                true,
            )
            .await?;
        let now = batch.now.clone();
        let write = GroupWrite {
            group,
            wave: &current.wave_id,
            provenance: current.provenance.as_deref(),
            now: &now,
        };
        let updated: Option<i64> = match &mut batch.tx {
            BatchTx::Sqlite(w) => {
                let mut rows = Rows::new(GROUP_WIDTH + 1, 1);
                for v in group_values(&write) {
                    v.push(&mut rows);
                }
                rows.int(expected_version);
                let sql = format!(
                    "{} WHERE groups.version = ${} RETURNING version",
                    *GROUP_UPSERT_SQL,
                    GROUP_WIDTH + 1
                );
                w.call(move |c| sqlite_tx::returning_one(c, &sql, &rows))
                    .await?
            }
            BatchTx::Postgres(t) => {
                let mut qb = QueryBuilder::new(group_insert_head());
                qb.push_values(std::iter::once(&write), |mut b, w| {
                    for v in group_values(w) {
                        v.bind(&mut b);
                    }
                });
                qb.push(&*GROUP_UPSERT_SET);
                qb.push(" WHERE groups.version = ")
                    .push_bind(expected_version);
                qb.push(" RETURNING version");
                qb.build_query_scalar().fetch_optional(&mut **t).await?
            }
        };
        // A version other than the next one is a row inserted because the group was deleted
        // meanwhile: not an update.
        let Some(version) = updated.filter(|v| *v == expected_version + 1) else {
            batch.rollback().await?;
            let found = self.group_in(&group.id, wave).await?.map(|g| g.version);
            return Err(not_at_version(
                "kelompok",
                &group.id,
                found,
                expected_version,
            ));
        };
        let stored = StoredGroup {
            group: group.clone(),
            version,
            updated_at: now,
            ..current.clone()
        };
        let change = AuditChange::new(actor, "update", "kelompok", &group.id)
            .region(Some(group.village.as_str()))
            .before(&current)
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.finish_tallies(tallies).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Deletes a group's observation in `wave`, or every observation of it (the group itself,
    /// with its members and links) when `wave` is `None`, with its ties in those waves and the
    /// audit entry of `actor`'s change. A group no wave observes any more goes whole. Returns
    /// whether anything was held (nothing is written when not). A closed wave is refused.
    pub async fn delete_group(
        &self,
        id: &str,
        wave: Option<&str>,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let observations: Vec<StoredGroup> = match wave {
            Some(w) => self.group_in(id, w).await?.into_iter().collect(),
            None => self.observations(id).await?,
        };
        let Some(latest) = observations.last().cloned() else {
            return Ok(false);
        };
        // In a transaction with the tallies (tally.rs): the deleted rows' contributions go.
        let mut batch = self.begin().await?;
        let mut tallies = TallyWork::default();
        let mut n = 0;
        for obs in &observations {
            batch.ensure_open(&obs.wave_id).await?;
            batch
                .tally_remove(&mut tallies, &obs.wave_id, &[id])
                .await?;
            batch
                .retally_ties(
                    -1,
                    "t.wave_id = $2 AND (t.from_id = $1 OR t.to_id = $1)",
                    vec![id.into(), obs.wave_id.as_str().into()],
                )
                .await?;
            batch
                .execute(
                    "DELETE FROM ties WHERE wave_id = $2 AND (from_id = $1 OR to_id = $1)",
                    vec![id.into(), obs.wave_id.as_str().into()],
                )
                .await?;
            batch
                .execute(
                    "DELETE FROM links WHERE wave_id = $2 AND (from_id = $1 OR to_id = $1)",
                    vec![id.into(), obs.wave_id.as_str().into()],
                )
                .await?;
            n += batch
                .execute(
                    "DELETE FROM groups WHERE id = $1 AND wave_id = $2",
                    vec![id.into(), obs.wave_id.as_str().into()],
                )
                .await?;
        }
        if n == 0 {
            // Deleted meanwhile: that delete has its entry.
            batch.rollback().await?;
            return Ok(false);
        }
        // The entity goes (with its members) once no wave observes it.
        batch
            .execute(
                "DELETE FROM actors WHERE id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM groups WHERE groups.id = $1)",
                vec![id.into()],
            )
            .await?;
        let before: Vec<&StoredGroup> = observations.iter().collect();
        let mut change = AuditChange::new(actor, "delete", "kelompok", id)
            .region(Some(latest.group.village.as_str()));
        change = if before.len() == 1 {
            change.before(&latest)
        } else {
            change.before(&before)
        };
        batch.write_audit(&change).await?;
        batch.finish_tallies(tallies).await?;
        batch.commit().await?;
        Ok(true)
    }

    /// Writes deleted observations of a group back, each into its wave, with its fields and
    /// provenance as they were (as an import writes groups: the tallies in the same
    /// transaction), and one audit entry `restore` of `actor`'s change. Refused, writing
    /// nothing, when a wave is no longer held or closed, when an actor of another kind holds
    /// the id, or when a wave observes the id again (`already_observed`). Returns the
    /// observations as held now, oldest wave first.
    pub async fn restore_group(
        &self,
        observations: &[StoredGroup],
        actor: &str,
    ) -> Result<Vec<StoredGroup>, StoreError> {
        let Some(latest) = observations.last() else {
            return Ok(Vec::new());
        };
        let id = latest.group.id.as_str();
        let mut batch = self.begin().await?;
        for obs in observations {
            batch.ensure_open(&obs.wave_id).await?;
            // A new group with the id, or an observation of it in this wave: refused.
            batch.with_id_in_wave(&obs.wave_id, &obs.group).await?;
            batch
                .save_groups(
                    &obs.wave_id,
                    std::slice::from_ref(&obs.group),
                    std::slice::from_ref(&obs.provenance),
                )
                .await?;
        }
        let restored: Vec<StoredGroup> = observations
            .iter()
            .map(|o| StoredGroup {
                version: FIRST_VERSION,
                created_at: batch.now.clone(),
                updated_at: batch.now.clone(),
                ..o.clone()
            })
            .collect();
        let mut change = AuditChange::new(actor, "restore", "kelompok", id)
            .region(Some(latest.group.village.as_str()));
        change = match restored.as_slice() {
            [one] => change.after(one),
            all => change.after(&all),
        };
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(restored)
    }

    /// Groups matching a filter, ordered by village then name, one page at a time.
    pub async fn list_groups(
        &self,
        filter: &GroupFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredGroup>, StoreError> {
        let rows: Vec<GroupRow> = on_pool!(self.pool, p => {
            let mut qb = QueryBuilder::new(GROUP_SELECT.to_string());
            push_group_filter(&mut qb, filter);
            qb.push(" ORDER BY village_code, name, id LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
            qb.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(GroupRow::into_stored).collect()
    }

    pub async fn count_groups(&self, filter: &GroupFilter) -> Result<i64, StoreError> {
        Ok(on_pool!(self.pool, p => {
            let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM groups");
            push_group_filter(&mut qb, filter);
            qb.build_query_scalar().fetch_one(p).await?
        }))
    }

    /// Ids of groups `wave` already observes with the same duplicate key (village, type, name
    /// up to case, spacing and punctuation). Across waves the same group is a link, not a
    /// duplicate.
    pub async fn groups_with_duplicate_key(
        &self,
        key: &str,
        wave: &str,
    ) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT id FROM groups WHERE dup_key = $1 AND wave_id = $2 ORDER BY id",
            )
                .bind(key.to_string())
                .bind(wave.to_string())
                .fetch_all(p)
                .await?
        }))
    }

    /// The number of groups under each of `regions` (each counted over its subtree), optionally
    /// in one wave.
    pub async fn group_counts(
        &self,
        regions: &[RegionCode],
        wave: Option<&str>,
    ) -> Result<Vec<RegionCount>, StoreError> {
        let mut out = Vec::with_capacity(regions.len());
        for r in regions {
            let n: i64 = on_pool!(self.pool, p => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM groups WHERE village_code >= $1 AND village_code < $2 \
                     AND ($3 IS NULL OR wave_id = $3)",
                )
                .bind(r.as_str().to_string())
                .bind(range_end(r))
                .bind(wave.map(str::to_string))
                .fetch_one(p)
                .await?
            });
            out.push(RegionCount {
                code: r.to_string(),
                groups: n,
            });
        }
        Ok(out)
    }
}
