//! Members (*anggota*) of groups: personal data. Their person keys tie groups that share a
//! member or a leader (co-membership) in the network of a scope.

use crate::actors::bounds;
use crate::{Store, StoreError, now_iso, on_pool};
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

impl Store {
    /// Adds a member to a held group; returns its id.
    pub async fn add_member(&self, member: &Member) -> Result<i64, StoreError> {
        if self.group(&member.group_id).await?.is_none() {
            return Err(StoreError::NotFound {
                kind: "kelompok",
                id: member.group_id.clone(),
            });
        }
        let id: i64 = on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "INSERT INTO members (group_id, person_key, name, role, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(member.group_id.clone())
            .bind(member.person_key.clone())
            .bind(member.name.clone())
            .bind(member.role.code())
            .bind(now_iso())
            .fetch_one(p)
            .await?
        });
        Ok(id)
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

    /// Deletes one member. Returns whether it was held.
    pub async fn delete_member(&self, id: i64) -> Result<bool, StoreError> {
        let n = on_pool!(self.pool, p => {
            sqlx::query("DELETE FROM members WHERE id = $1")
                .bind(id)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
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
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String)>(
                "SELECT m.person_key, m.group_id FROM members m JOIN groups g ON g.id = m.group_id \
                 WHERE g.village_code >= $1 AND g.village_code < $2 AND g.status <> 'bubar' \
                 AND ($3 IS NULL OR g.wave_id = $3) ORDER BY m.person_key, m.group_id",
            )
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
