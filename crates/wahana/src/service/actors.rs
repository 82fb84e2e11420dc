//! The other actors of the network, one record at a time: networks (*wahana*) with their board,
//! decree, member groups and supporting institutions; support institutions (*lembaga*); ties
//! (*ikatan*); and the members (*anggota*) of groups. The same functions serve the command
//! line, the API and the web forms; every change is written to the audit trail.
//!
//! Fields come as instrument column names (`docs/instrument.md`), as for groups
//! ([`super::groups::fields_from_pairs`]).

use super::ServiceError;
use super::audit::Who;
use super::waves::for_new_record;
use serde::Serialize;
use std::collections::HashMap;
use wahana_domain::codes::TieType;
use wahana_domain::instrument::{self, Table};
use wahana_domain::member::Member;
use wahana_domain::{FieldError, Institution, Network, RegionCode, Tie};
use wahana_store::{ActorKind, Store, StoredInstitution, StoredMember, StoredNetwork, TieRecord};

/// Field values: the record's current ones (by instrument column) with `changes` laid over.
fn merged(
    table: Table,
    current: Vec<String>,
    changes: &HashMap<&'static str, String>,
    id: &str,
) -> Result<HashMap<&'static str, String>, ServiceError> {
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
    let mut values: HashMap<&'static str, String> = instrument::columns(table)
        .iter()
        .map(|c| c.id)
        .zip(current)
        .collect();
    for (k, v) in changes {
        values.insert(k, v.clone());
    }
    Ok(values)
}

fn not_found(kind: &'static str, id: impl ToString) -> ServiceError {
    ServiceError::NotFound {
        kind,
        id: id.to_string(),
    }
}

// ---- networks ----

/// An actor named in a network's detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorRef {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    /// The recorded tie types linking it to the network (empty when only the group's `wahana`
    /// column names the network).
    pub tie_types: Vec<TieType>,
    /// The group's `wahana` column names the network.
    pub by_name: bool,
}

/// A network with its member groups, supporting institutions and other tied actors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkDetail {
    #[serde(flatten)]
    pub stored: StoredNetwork,
    /// Groups tied to it, or of its village naming it in their `wahana` column.
    pub member_groups: Vec<ActorRef>,
    /// Institutions tied to it.
    pub institutions: Vec<ActorRef>,
    /// Other networks tied to it.
    pub networks: Vec<ActorRef>,
}

/// Adds a network (`kode_wilayah` a village, `nama` required). An id is drawn
/// (`W-<village>-NNNN`) when none is given.
pub async fn add_network(
    store: &Store,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    who: &Who,
) -> Result<StoredNetwork, ServiceError> {
    let ctx = super::context(None);
    // Without an id, the store draws one in the transaction that writes the network.
    let network = Network::from_fields(|k| fields.get(k).map(String::as_str), String::new, &ctx)
        .map_err(ServiceError::Invalid)?;
    let wave = for_new_record(store, wave, Some(&network.village)).await?;
    Ok(store.insert_actor(&wave.id, &network, &who.0).await?)
}

pub async fn stored_network(store: &Store, id: &str) -> Result<StoredNetwork, ServiceError> {
    store
        .actor::<Network>(id)
        .await?
        .ok_or_else(|| not_found("wahana", id))
}

/// A network with its member groups (tied to it, or naming it in their `wahana` column) and
/// its supporting institutions (tied to it).
pub async fn network(store: &Store, id: &str) -> Result<NetworkDetail, ServiceError> {
    let stored = stored_network(store, id).await?;
    let mut by_id: Vec<ActorRef> = Vec::new();
    for t in store.ties_of(id).await? {
        let (other, kind) = if t.tie.from == id {
            (t.tie.to, t.to_kind)
        } else {
            (t.tie.from, t.from_kind)
        };
        match by_id.iter_mut().find(|a| a.id == other) {
            Some(a) => a.tie_types.push(t.tie.tie_type),
            None => {
                let name = store
                    .actor_name(&other)
                    .await?
                    .map(|(_, n)| n)
                    .unwrap_or_default();
                by_id.push(ActorRef {
                    id: other,
                    name,
                    kind,
                    tie_types: vec![t.tie.tie_type],
                    by_name: false,
                });
            }
        }
    }
    for (gid, name) in store
        .groups_naming_network(&stored.record.village, &stored.record.name)
        .await?
    {
        match by_id.iter_mut().find(|a| a.id == gid) {
            Some(a) => a.by_name = true,
            None => by_id.push(ActorRef {
                id: gid,
                name,
                kind: ActorKind::Group,
                tie_types: Vec::new(),
                by_name: true,
            }),
        }
    }
    by_id.sort_by(|a, b| a.id.cmp(&b.id));
    let take =
        |k: ActorKind| -> Vec<ActorRef> { by_id.iter().filter(|a| a.kind == k).cloned().collect() };
    Ok(NetworkDetail {
        member_groups: take(ActorKind::Group),
        institutions: take(ActorKind::Institution),
        networks: take(ActorKind::Network),
        stored,
    })
}

/// Changes fields of a network. `expected_version` is the version the editor started from
/// (the current one when not given); a save over somebody else's newer save is refused.
pub async fn edit_network(
    store: &Store,
    id: &str,
    changes: &HashMap<&'static str, String>,
    expected_version: Option<i64>,
    who: &Who,
) -> Result<StoredNetwork, ServiceError> {
    let current = stored_network(store, id).await?;
    let values = merged(Table::Networks, current.record.to_fields(), changes, id)?;
    let ctx = super::context(None);
    let network = Network::from_fields(
        |k| values.get(k).map(String::as_str),
        || id.to_string(),
        &ctx,
    )
    .map_err(ServiceError::Invalid)?;
    Ok(store
        .update_actor(
            &network,
            expected_version.unwrap_or(current.version),
            &who.0,
        )
        .await?)
}

/// Deletes a network and its ties.
pub async fn delete_network(store: &Store, id: &str, who: &Who) -> Result<(), ServiceError> {
    if !store.delete_actor::<Network>(id, &who.0).await? {
        return Err(not_found("wahana", id));
    }
    Ok(())
}

/// The networks of a region's subtree (everything for `None`), in one wave or all.
pub async fn list_networks(
    store: &Store,
    region: Option<&RegionCode>,
    wave: Option<&str>,
) -> Result<Vec<StoredNetwork>, ServiceError> {
    Ok(store.list_actors::<Network>(region, wave).await?)
}

// ---- institutions ----

/// Adds an institution (`kode_wilayah` any region, `jenis_lembaga` and `nama` required). An id
/// is drawn (`L-<region>-NNNN`) when none is given.
pub async fn add_institution(
    store: &Store,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    who: &Who,
) -> Result<StoredInstitution, ServiceError> {
    let ctx = super::context(None);
    // Without an id, the store draws one in the transaction that writes the institution.
    let inst = Institution::from_fields(|k| fields.get(k).map(String::as_str), String::new, &ctx)
        .map_err(ServiceError::Invalid)?;
    let wave = for_new_record(store, wave, Some(&inst.region)).await?;
    Ok(store.insert_actor(&wave.id, &inst, &who.0).await?)
}

pub async fn institution(store: &Store, id: &str) -> Result<StoredInstitution, ServiceError> {
    store
        .actor::<Institution>(id)
        .await?
        .ok_or_else(|| not_found("lembaga", id))
}

/// Changes fields of an institution, refusing a save over a newer one (see [`edit_network`]).
pub async fn edit_institution(
    store: &Store,
    id: &str,
    changes: &HashMap<&'static str, String>,
    expected_version: Option<i64>,
    who: &Who,
) -> Result<StoredInstitution, ServiceError> {
    let current = institution(store, id).await?;
    let values = merged(Table::Institutions, current.record.to_fields(), changes, id)?;
    let ctx = super::context(None);
    let inst = Institution::from_fields(
        |k| values.get(k).map(String::as_str),
        || id.to_string(),
        &ctx,
    )
    .map_err(ServiceError::Invalid)?;
    Ok(store
        .update_actor(&inst, expected_version.unwrap_or(current.version), &who.0)
        .await?)
}

/// Deletes an institution and its ties.
pub async fn delete_institution(store: &Store, id: &str, who: &Who) -> Result<(), ServiceError> {
    if !store.delete_actor::<Institution>(id, &who.0).await? {
        return Err(not_found("lembaga", id));
    }
    Ok(())
}

/// The institutions of a region's subtree (everything for `None`), in one wave or all.
pub async fn list_institutions(
    store: &Store,
    region: Option<&RegionCode>,
    wave: Option<&str>,
) -> Result<Vec<StoredInstitution>, ServiceError> {
    Ok(store.list_actors::<Institution>(region, wave).await?)
}

// ---- ties ----

/// A tie as typed, checked: its ends as the store will hold them (trimmed), for the permission
/// check before [`add_tie`].
pub fn tie_of(fields: &HashMap<&'static str, String>) -> Result<Tie, ServiceError> {
    let ctx = super::context(None);
    Tie::from_fields(|k| fields.get(k).map(String::as_str), &ctx).map_err(ServiceError::Invalid)
}

/// The region of a held actor: a group's or a network's village, an institution's region;
/// `None` when no group, network or institution has this id.
pub async fn actor_region(store: &Store, id: &str) -> Result<Option<RegionCode>, ServiceError> {
    if let Some(g) = store.group(id).await? {
        return Ok(Some(g.group.village));
    }
    if let Some(n) = store.actor::<Network>(id).await? {
        return Ok(Some(n.record.village));
    }
    Ok(store
        .actor::<Institution>(id)
        .await?
        .map(|i| i.record.region))
}

/// The region of the held actor of `kind` with this id (`None` when none is held).
pub async fn region_of(
    store: &Store,
    kind: ActorKind,
    id: &str,
) -> Result<Option<RegionCode>, ServiceError> {
    Ok(match kind {
        ActorKind::Group => store.group(id).await?.map(|g| g.group.village),
        ActorKind::Network => store.actor::<Network>(id).await?.map(|n| n.record.village),
        ActorKind::Institution => store
            .actor::<Institution>(id)
            .await?
            .map(|i| i.record.region),
    })
}

/// The regions of a held tie's two ends, `dari` then `ke`, each read as the kind the tie
/// records (not whatever first holds the id: an older release let a group take a network's
/// id, and the tie's ends are the actors it was made between), for
/// [`super::users::can_write_tie`].
pub async fn held_tie_regions(
    store: &Store,
    t: &TieRecord,
) -> Result<[Option<RegionCode>; 2], ServiceError> {
    Ok([
        region_of(store, t.from_kind, &t.tie.from).await?,
        region_of(store, t.to_kind, &t.tie.to).await?,
    ])
}

/// The regions of a new tie's two ends, `dari` then `ke` (see [`actor_region`]), for
/// [`super::users::can_write_tie`]. A held tie's are [`held_tie_regions`].
pub async fn tie_regions(
    store: &Store,
    tie: &Tie,
) -> Result<[Option<RegionCode>; 2], ServiceError> {
    Ok([
        actor_region(store, &tie.from).await?,
        actor_region(store, &tie.to).await?,
    ])
}

/// Adds a tie (`dari`, `ke`, `jenis_ikatan` required; `sejak`, `catatan`) between two held
/// actors. The same type of tie between the same two actors is refused (`tie_exists`).
pub async fn add_tie(
    store: &Store,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    who: &Who,
) -> Result<TieRecord, ServiceError> {
    let tie = tie_of(fields)?;
    let wave = match wave {
        Some(w) => for_new_record(store, Some(w), None).await?.id,
        None => tie_wave(store, &tie).await?,
    };
    Ok(store.insert_tie(&wave, &tie, &who.0).await?)
}

/// The wave a tie goes into when none is named: the latest open wave that observes both of
/// its ends (a tie is observed by the survey that saw both).
async fn tie_wave(store: &Store, tie: &wahana_domain::Tie) -> Result<String, ServiceError> {
    for end in [&tie.from, &tie.to] {
        if store.actor_name(end).await?.is_none() {
            return Err(wahana_store::actor_not_found(end).into());
        }
    }
    let waves = store.waves_observing_both(&tie.from, &tie.to).await?;
    if let Some((id, _)) = waves.iter().find(|(_, open)| *open) {
        return Ok(id.clone());
    }
    Err(wahana_store::StoreError::Rejected {
        code: "not_observed_together",
        message_id: format!(
            "{} dan {} tidak tercatat bersama di pendataan yang masih terbuka{}",
            tie.from,
            tie.to,
            if waves.is_empty() {
                ""
            } else {
                " (hanya di pendataan yang sudah ditutup)"
            }
        ),
        message_en: format!(
            "{} and {} are not recorded together in any open wave{}",
            tie.from,
            tie.to,
            if waves.is_empty() {
                ""
            } else {
                " (only in closed ones)"
            }
        ),
    }
    .into())
}

#[allow(dead_code)] // the API's tie endpoint
pub async fn tie(store: &Store, id: i64) -> Result<TieRecord, ServiceError> {
    store.tie(id).await?.ok_or_else(|| not_found("ikatan", id))
}

/// Deletes one tie by its number.
pub async fn delete_tie(store: &Store, id: i64, who: &Who) -> Result<(), ServiceError> {
    if !store.delete_tie(id, &who.0).await? {
        return Err(not_found("ikatan", id));
    }
    Ok(())
}

/// The ties with at least one end among the actors of a region, in one wave or all.
pub async fn list_ties(
    store: &Store,
    region: &RegionCode,
    wave: Option<&str>,
) -> Result<Vec<TieRecord>, ServiceError> {
    Ok(store.list_ties(region, wave).await?)
}

/// The ties of one actor.
pub async fn ties_of(store: &Store, actor_id: &str) -> Result<Vec<TieRecord>, ServiceError> {
    Ok(store.ties_of(actor_id).await?)
}

// ---- members ----

/// Adds a member to a group. `role` is ketua, sekretaris, bendahara or anggota (the default);
/// `key` identifies the person across groups (an id number), the normalised name when not
/// given; the same person twice in one group is refused. The audit trail records the group,
/// its village and the role, not the person (`Store::add_member`).
pub async fn add_member(
    store: &Store,
    group_id: &str,
    name: &str,
    role: Option<&str>,
    key: Option<&str>,
    who: &Who,
) -> Result<StoredMember, ServiceError> {
    let member = Member::new(group_id, name, role, key).map_err(ServiceError::Invalid)?;
    if store.group(group_id).await?.is_none() {
        return Err(not_found("kelompok", group_id));
    }
    // The same person twice in one group is a slip (a form sent twice), not a second member.
    if let Some(held) = store
        .members_of(group_id)
        .await?
        .into_iter()
        .find(|m| m.member.person_key == member.person_key)
    {
        let field = if key.is_some_and(|k| !k.trim().is_empty()) {
            "kunci"
        } else {
            "nama"
        };
        return Err(ServiceError::Invalid(vec![FieldError::new(
            field,
            key.filter(|k| !k.trim().is_empty()).unwrap_or(name),
            format!(
                "orang yang belum tercatat di kelompok ini ({} sudah anggota nomor {})",
                held.member.name, held.id
            ),
            format!(
                "a person not yet in this group ({} is already member number {})",
                held.member.name, held.id
            ),
        )]));
    }
    Ok(store.add_member(&member, &who.0).await?)
}

/// The members of a group (personal data: show only to those allowed), board first.
pub async fn members(store: &Store, group_id: &str) -> Result<Vec<StoredMember>, ServiceError> {
    if store.group(group_id).await?.is_none() {
        return Err(not_found("kelompok", group_id));
    }
    Ok(store.members_of(group_id).await?)
}

/// Deletes one member of a group by number (a number of another group's member is not
/// found). The audit trail records the group, its village and the role, not the person.
pub async fn delete_member_of(
    store: &Store,
    group_id: &str,
    id: i64,
    who: &Who,
) -> Result<(), ServiceError> {
    if store.group(group_id).await?.is_none() {
        return Err(not_found("kelompok", group_id));
    }
    let in_group = store.members_of(group_id).await?.iter().any(|m| m.id == id);
    if !in_group || !store.delete_member(id, &who.0).await? {
        return Err(not_found("anggota", id));
    }
    Ok(())
}

/// Deletes one member by number.
pub async fn delete_member(store: &Store, id: i64, who: &Who) -> Result<(), ServiceError> {
    if !store.delete_member(id, &who.0).await? {
        return Err(not_found("anggota", id));
    }
    Ok(())
}
