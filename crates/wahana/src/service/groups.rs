//! Groups (kelompok): add, list, show, edit, delete.

use super::ServiceError;
use super::audit::Who;
use std::collections::HashMap;
use wahana_domain::instrument::{self, Table};
use wahana_domain::registry::duplicate_key;
use wahana_domain::{FieldError, Group, Wave};
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

/// The wave a new record goes into: the named one (which must exist), or this year's manual
/// wave, created on first use.
pub async fn wave_for_new(store: &Store, wave: Option<&str>) -> Result<Wave, ServiceError> {
    if let Some(id) = wave {
        return store.wave(id).await?.ok_or_else(|| ServiceError::NotFound {
            kind: "pendataan",
            id: id.to_string(),
        });
    }
    // The latest open wave (`waves()` is latest first); a wave is made only for a database
    // that has no open one at all.
    if let Some(w) = store.waves().await?.into_iter().find(|w| !w.closed) {
        return Ok(w);
    }
    let today = super::today();
    let id = format!("pencatatan-{}", today.year());
    let w = Wave {
        id,
        name: format!("Pencatatan {}", today.year()),
        region: None,
        start_date: wahana_domain::Date::new(today.year(), 1, 1),
        end_date: None,
        source: Some("dicatat langsung di wahana / entered in wahana".into()),
        synthetic: false,
        enumerators: None,
        closed: false,
        method: None,
        run_by: None,
    };
    store.save_wave(&w).await?;
    Ok(w)
}

/// Adds one group. Refuses a likely duplicate unless `allow_duplicate`.
pub async fn add(
    store: &Store,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    allow_duplicate: bool,
    who: &Who,
) -> Result<StoredGroup, ServiceError> {
    let wave = wave_for_new(store, wave).await?;
    let ctx = super::context(None);
    // Without an id, the store draws the next free one of the village (`K-<village>-NNNN`) in
    // the transaction that writes the group, so concurrent additions never take the same one.
    let group = Group::from_fields(|k| fields.get(k).map(String::as_str), String::new, &ctx)
        .map_err(ServiceError::Invalid)?;
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
