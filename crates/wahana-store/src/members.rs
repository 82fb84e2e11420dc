//! Members (*anggota*) of groups: personal data. Their person keys tie groups that share a
//! member or a leader (co-membership) in the network of a scope.

use crate::regions::bounds;
use crate::{AuditChange, Store, StoreError, on_pool};
use futures::TryStreamExt;
use serde::Serialize;
use wahana_domain::RegionCode;
use wahana_domain::codes::{Code, MemberRole};
use wahana_domain::member::Member;

/// A member as held. Personal data: the name and the person key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMember {
    pub id: i64,
    #[serde(flatten)]
    pub member: Member,
    pub created_at: String,
}

/// What the audit trail keeps of a member added: never the name or the person key.
#[derive(Serialize)]
struct Trail<'a> {
    group_id: &'a str,
    role: &'a str,
}

/// What the audit trail keeps of a deleted member: enough to restore it (the name and the
/// person key are personal data, blanked for those who may not see them).
#[derive(Serialize)]
struct DeletedMember<'a> {
    group_id: &'a str,
    role: &'a str,
    name: &'a str,
    person_key: &'a str,
}

impl<'a> Trail<'a> {
    fn of(member: &'a Member) -> Trail<'a> {
        Trail {
            group_id: &member.group_id,
            role: member.role.code(),
        }
    }
}

impl Store {
    /// Adds a member to a held group, with the audit entry of `actor`'s change; returns the
    /// member as held. The entry records the group, its village and the role, never the
    /// person (members are personal data, the trail is read by more people).
    pub async fn add_member(
        &self,
        member: &Member,
        actor: &str,
    ) -> Result<StoredMember, StoreError> {
        self.write_member(member, actor, "create").await
    }

    /// Writes a deleted member back into its group (held), as [`Store::add_member`] adds one,
    /// with an audit entry `restore`; the member gets a new number.
    pub async fn restore_member(
        &self,
        member: &Member,
        actor: &str,
    ) -> Result<StoredMember, StoreError> {
        self.write_member(member, actor, "restore").await
    }

    async fn write_member(
        &self,
        member: &Member,
        actor: &str,
        action: &'static str,
    ) -> Result<StoredMember, StoreError> {
        let Some(group) = self.group(&member.group_id).await? else {
            return Err(StoreError::NotFound {
                kind: "kelompok",
                id: member.group_id.clone(),
            });
        };
        let mut batch = self.begin().await?;
        let id = batch
            .fetch_i64(
                "INSERT INTO members (group_id, person_key, name, role, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![
                    member.group_id.as_str().into(),
                    member.person_key.as_str().into(),
                    member.name.as_str().into(),
                    member.role.code().into(),
                    batch.now.as_str().into(),
                ],
            )
            .await?
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
        let change = AuditChange::new(actor, action, "anggota", id)
            .region(Some(group.group.village.as_str()))
            .after(&Trail::of(member));
        batch.write_audit(&change).await?;
        let stored = StoredMember {
            id,
            member: member.clone(),
            created_at: batch.now.clone(),
        };
        batch.commit().await?;
        Ok(stored)
    }

    /// The members of a group: the board first (chair, secretary, treasurer), then by name.
    pub async fn members_of(&self, group_id: &str) -> Result<Vec<StoredMember>, StoreError> {
        let rows: Vec<(i64, String, String, String, String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT id, group_id, person_key, name, role, created_at FROM members \
                 WHERE group_id = $1 ORDER BY CASE role WHEN 'ketua' THEN 0 \
                 WHEN 'sekretaris' THEN 1 WHEN 'bendahara' THEN 2 ELSE 3 END, name, id",
            )
            .bind(group_id.to_string())
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|(id, group_id, person_key, name, role, created_at)| {
                Ok(StoredMember {
                    id,
                    member: Member {
                        group_id,
                        name,
                        role: MemberRole::from_code(&role)
                            .ok_or_else(|| StoreError::corrupt("member role", role.clone()))?,
                        person_key,
                    },
                    created_at,
                })
            })
            .collect()
    }

    /// Deletes one member, with the audit entry of `actor`'s change: the group, its village
    /// and the role, and (so that the member can be restored from it) the name and the person
    /// key, which only those who may see the village's personal data are shown. Returns
    /// whether it was held.
    pub async fn delete_member(&self, id: i64, actor: &str) -> Result<bool, StoreError> {
        let held: Option<(String, String, String, String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT m.group_id, m.role, g.village_code, m.name, m.person_key FROM members m \
                 JOIN groups g ON g.id = m.group_id WHERE m.id = $1",
            )
            .bind(id)
            .fetch_optional(p)
            .await?
        });
        let Some((group_id, role, village, name, person_key)) = held else {
            return Ok(false);
        };
        let mut batch = self.begin().await?;
        if batch
            .execute("DELETE FROM members WHERE id = $1", vec![id.into()])
            .await?
            == 0
        {
            batch.rollback().await?;
            return Ok(false);
        }
        let change = AuditChange::new(actor, "delete", "anggota", id)
            .region(Some(&village))
            .before(&DeletedMember {
                group_id: &group_id,
                role: &role,
                name: &name,
                person_key: &person_key,
            });
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(true)
    }

    /// Streams `(person_key, group_id)` for the members of the groups of a region (all of
    /// Indonesia for `None`) that have not dissolved, in one wave or all, ordered by person key.
    pub async fn for_each_membership(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(String, String),
    ) -> Result<u64, StoreError> {
        let (lo, hi) = bounds(region);
        // A region: its groups (a range of the code index), then their members. The country:
        // the members, each group looked up by its key (a scan of the 4 million groups' code
        // range cost seconds even with no member held).
        let sql = match region {
            Some(_) => {
                "SELECT m.person_key, m.group_id FROM members m JOIN groups g ON g.id = m.group_id \
                 WHERE g.village_code >= $1 AND g.village_code < $2 AND g.status <> 'bubar' \
                 AND ($3 IS NULL OR g.wave_id = $3) ORDER BY m.person_key, m.group_id"
            }
            None => {
                "SELECT m.person_key, m.group_id FROM members m WHERE EXISTS (SELECT 1 FROM groups g \
                 WHERE g.id = m.group_id AND g.village_code >= $1 AND g.village_code < $2 \
                 AND g.status <> 'bubar' AND ($3 IS NULL OR g.wave_id = $3)) \
                 ORDER BY m.person_key, m.group_id"
            }
        };
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String)>(sql)
            .bind(lo)
            .bind(hi)
            .bind(wave.map(str::to_string))
            .fetch(p);
            while let Some((person, group)) = rows.try_next().await? {
                each(person, group);
                n += 1;
            }
        });
        Ok(n)
    }
}
