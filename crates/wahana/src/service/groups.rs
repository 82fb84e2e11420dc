//! Groups (kelompok): add, list, show, edit, delete.

use super::ServiceError;
use super::caller::Caller;
use super::users::Write;
use std::collections::HashMap;
use wahana_domain::instrument::{self, Table};
use wahana_domain::registry::duplicate_key;
use wahana_domain::{FieldError, Group, RegionCode, RegionTree};
use wahana_store::{GroupFilter, Store, StoredGroup};

/// Field values by canonical (Indonesian) column name; English aliases are accepted and
/// unknown names refused.
pub fn fields_from_pairs(
    table: Table,
    pairs: &[(String, String)],
) -> Result<HashMap<&'static str, String>, ServiceError> {
    let mut out = HashMap::new();
    let mut errors = Vec::new();
    for (k, v) in pairs {
        match instrument::find_column(table, k) {
            Some(c) => {
                out.insert(c.id, v.clone());
            }
            None => errors.push(FieldError::new(
                k.as_str(),
                v.as_str(),
                format!(
                    "nama kolom instrumen: {}",
                    instrument::columns(table)
                        .iter()
                        .map(|c| c.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "an instrument column name: {}",
                    instrument::columns(table)
                        .iter()
                        .map(|c| c.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// The region a record's `kode_wilayah` names, when it names one (validation refuses the rest).
pub fn region_field(fields: &HashMap<&'static str, String>) -> Option<RegionCode> {
    fields
        .get("kode_wilayah")
        .and_then(|v| RegionTree::official().resolve(v).ok())
        .map(|r| r.code.clone())
}

/// A group as `caller` may see it: its personal fields blanked unless they may see them.
fn visible(caller: &Caller, mut g: StoredGroup) -> StoredGroup {
    if !caller.sees_personal(&g.group.village) {
        g.group = g.group.without_personal_data();
    }
    g
}

/// Adds one group into the wave named, else the village's latest open wave
/// ([`super::waves::for_new_record`]), for a caller who may create groups in its village. The
/// survey date is today's when not given. Refuses a likely duplicate unless `allow_duplicate`.
pub async fn add(
    store: &Store,
    caller: &Caller,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    allow_duplicate: bool,
) -> Result<StoredGroup, ServiceError> {
    caller.check_write(Write::CreateGroup, region_field(fields).as_ref())?;
    let mut fields = fields.clone();
    if fields
        .get("tanggal_pendataan")
        .is_none_or(|v| v.trim().is_empty())
    {
        fields.insert("tanggal_pendataan", super::today().to_string());
    }
    let ctx = super::context(None);
    // Without an id, the store draws the next free one of the village (`K-<village>-NNNN`) in
    // the transaction that writes the group, so concurrent additions never take the same one.
    let group = Group::from_fields(|k| fields.get(k).map(String::as_str), String::new, &ctx)
        .map_err(ServiceError::Invalid)?;
    // The wave named, else the village's latest open wave; never one made on the way.
    let wave = super::waves::for_new_record(store, wave, Some(&group.village)).await?;
    if !allow_duplicate {
        let existing = store
            .groups_with_duplicate_key(
                &duplicate_key(&group.village, group.group_type, &group.name),
                &wave.id,
            )
            .await?;
        if !existing.is_empty() {
            return Err(ServiceError::Duplicate { existing });
        }
    }
    Ok(store
        .insert_group(&wave.id, &group, &caller.who().0)
        .await?)
}

/// A group as `wave` observed it, or its latest observation, as held (no check).
async fn find(store: &Store, id: &str, wave: Option<&str>) -> Result<StoredGroup, ServiceError> {
    let found = match wave {
        Some(w) => store.group_in(id, w).await?,
        None => store.group(id).await?,
    };
    found.ok_or_else(|| ServiceError::NotFound {
        kind: "kelompok",
        id: match wave {
            Some(w) => format!("{id} ({w})"),
            None => id.to_string(),
        },
    })
}

/// A group as `wave` observed it, or its latest observation when no wave is named, for a
/// caller who may read its village's records (to anyone else it is not found); personal fields
/// blanked for those who may not see them.
pub async fn show(
    store: &Store,
    caller: &Caller,
    id: &str,
    wave: Option<&str>,
) -> Result<StoredGroup, ServiceError> {
    let g = find(store, id, wave).await?;
    caller.check_read(&g.group.village, "kelompok", id)?;
    Ok(visible(caller, g))
}

/// Every observation of a group, oldest wave first (as [`show`]).
pub async fn history(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<Vec<StoredGroup>, ServiceError> {
    let all = store.observations(id).await?;
    if let Some(last) = all.last() {
        caller.check_read(&last.group.village, "kelompok", id)?;
    }
    Ok(all.into_iter().map(|g| visible(caller, g)).collect())
}

/// Changes some fields of a group's observation in `wave` (its latest when `None`); other
/// waves' observations stay as they are. `expected_version` is the version the editor started
/// from (the current one when not given); a save over somebody else's newer save is refused.
/// The caller must be allowed to edit groups in its village and, when it moves, in the new one.
/// `changes` are (instrument column, value) pairs, read only once the caller may edit: to one
/// who may not read the group, any change is answered as for a group not held.
pub async fn edit(
    store: &Store,
    caller: &Caller,
    id: &str,
    wave: Option<&str>,
    changes: &[(String, String)],
    expected_version: Option<i64>,
) -> Result<StoredGroup, ServiceError> {
    let current = find(store, id, wave).await?;
    // Before the fields are checked: an answer about them would tell that the group exists.
    caller.check_write_held(Write::EditGroup, &current.group.village, "kelompok", id)?;
    let changes = &fields_from_pairs(Table::Groups, changes)?;
    if let Some(target) = region_field(changes) {
        caller.check_write(Write::EditGroup, Some(&target))?;
    }
    if let Some(new_id) = changes.get("id")
        && new_id != id
    {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "id",
            new_id.as_str(),
            format!("id tetap {id} (id tidak dapat diubah)"),
            format!("the id to stay {id} (ids cannot be changed)"),
        )]));
    }
    let cols = instrument::columns(Table::Groups);
    let mut values: HashMap<&'static str, String> = cols
        .iter()
        .map(|c| c.id)
        .zip(current.group.to_fields())
        .collect();
    for (k, v) in changes {
        values.insert(k, v.clone());
    }
    let ctx = super::context(None);
    let group = Group::from_fields(
        |k| values.get(k).map(String::as_str),
        || id.to_string(),
        &ctx,
    )
    .map_err(ServiceError::Invalid)?;
    Ok(store
        .update_group(
            &group,
            &current.wave_id,
            expected_version.unwrap_or(current.version),
            &caller.who().0,
        )
        .await?)
}

/// Deletes a group's observation in `wave`, or the whole group (every observation, its
/// members and ties) when `wave` is `None`, for a caller who may delete groups in its village.
pub async fn delete(
    store: &Store,
    caller: &Caller,
    id: &str,
    wave: Option<&str>,
) -> Result<(), ServiceError> {
    let current = find(store, id, wave).await?;
    caller.check_write_held(Write::DeleteGroup, &current.group.village, "kelompok", id)?;
    if store.delete_group(id, wave, &caller.who().0).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound {
            kind: "kelompok",
            id: id.to_string(),
        })
    }
}

/// One page of groups and the total matching the filter. A filter without a region is held to
/// the caller's own region (everything for the operator and admins); a region the caller may
/// not read is refused. Personal fields are blanked for those who may not see them.
pub async fn list(
    store: &Store,
    caller: &Caller,
    filter: &GroupFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredGroup>, i64), ServiceError> {
    let mut filter = filter.clone();
    filter.region = caller.list_scope(filter.region.as_ref())?;
    let total = store.count_groups(&filter).await?;
    let page = store.list_groups(&filter, limit, offset).await?;
    Ok((
        page.into_iter().map(|g| visible(caller, g)).collect(),
        total,
    ))
}

/// A group's audit trail (the latest `limit` entries), for officers and admins who may read
/// its village's records.
pub async fn audit(
    store: &Store,
    caller: &Caller,
    id: &str,
    limit: i64,
) -> Result<Vec<wahana_store::AuditEntry>, ServiceError> {
    let g = find(store, id, None).await?;
    caller.check_read(&g.group.village, "kelompok", id)?;
    caller.check_officer()?;
    Ok(store.audit_of("kelompok", &g.group.id, limit).await?)
}
