//! Groups (kelompok): add, list, show, edit, delete.

use super::ServiceError;
use super::audit::Who;
use std::collections::HashMap;
use wahana_domain::instrument::{self, Table};
use wahana_domain::registry::duplicate_key;
use wahana_domain::{FieldError, Group};
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

/// Adds one group into the wave named, else the village's latest open wave
/// ([`super::waves::for_new_record`]). Refuses a likely duplicate unless `allow_duplicate`.
pub async fn add(
    store: &Store,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    allow_duplicate: bool,
    who: &Who,
) -> Result<StoredGroup, ServiceError> {
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
    Ok(store.insert_group(&wave.id, &group, &who.0).await?)
}

/// A group as `wave` observed it, or its latest observation when no wave is named.
pub async fn show(
    store: &Store,
    id: &str,
    wave: Option<&str>,
) -> Result<StoredGroup, ServiceError> {
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

/// Every observation of a group, oldest wave first.
pub async fn history(store: &Store, id: &str) -> Result<Vec<StoredGroup>, ServiceError> {
    Ok(store.observations(id).await?)
}

/// Changes some fields of a group's observation in `wave` (its latest when `None`); other
/// waves' observations stay as they are. `expected_version` is the version the editor started
/// from (the current one when not given); a save over somebody else's newer save is refused.
pub async fn edit(
    store: &Store,
    id: &str,
    wave: Option<&str>,
    changes: &HashMap<&'static str, String>,
    expected_version: Option<i64>,
    who: &Who,
) -> Result<StoredGroup, ServiceError> {
    let current = show(store, id, wave).await?;
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
            &who.0,
        )
        .await?)
}

/// Deletes a group's observation in `wave`, or the whole group (every observation, its
/// members and ties) when `wave` is `None`.
pub async fn delete(
    store: &Store,
    id: &str,
    wave: Option<&str>,
    who: &Who,
) -> Result<(), ServiceError> {
    if store.delete_group(id, wave, &who.0).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound {
            kind: "kelompok",
            id: id.to_string(),
        })
    }
}

/// One page of groups and the total matching the filter.
pub async fn list(
    store: &Store,
    filter: &GroupFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredGroup>, i64), ServiceError> {
    let total = store.count_groups(filter).await?;
    let page = store.list_groups(filter, limit, offset).await?;
    Ok((page, total))
}
