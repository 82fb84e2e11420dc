//! The other actors of the network, one record at a time: networks (*wahana*) with their board,
//! decree, member groups and supporting institutions; support institutions (*lembaga*); ties
//! (*ikatan*); and the members (*anggota*) of groups. The same functions serve the command
//! line, the API and the web forms; every change is written to the audit trail.
//!
//! Fields come as instrument column names (`docs/instrument.md`), as for groups
//! ([`super::groups::fields_from_pairs`]).

use super::ServiceError;
use super::caller::Caller;
use super::groups::region_field;
use super::users::Write;
use super::waves::for_new_record;
use serde::Serialize;
use std::collections::HashMap;
use wahana_domain::codes::TieType;
use wahana_domain::instrument::{self, Table};
use wahana_domain::member::Member;
use wahana_domain::{FieldError, Institution, Network, RegionCode, Tie};
use wahana_store::{
    ActorKind, ActorRecord, NewActor, Store, Stored, StoredMember, StoredNetwork, TieRecord,
};

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

// ---- networks and institutions: one path ----

/// What the use cases need to know of a kind of actor kept one record at a time beside groups
/// (networks, institutions): its instrument table, its region, its fields both ways and its
/// personal data. Everything else (the checks, the wave, the audit trail, the SQL) is one path
/// for both kinds.
pub trait Actor: ActorRecord + Clone {
    /// Its table of the instrument (column names, validation).
    const INSTRUMENT: Table;
    /// Its region: a network's village, an institution's region.
    fn region(&self) -> &RegionCode;
    fn name(&self) -> &str;
    /// The record from instrument columns, every problem reported; `id` for an edit.
    fn parse(
        values: &HashMap<&'static str, String>,
        id: Option<&str>,
    ) -> Result<Self, ServiceError>;
    /// Its instrument columns' values, in the table's order.
    fn fields(&self) -> Vec<String>;
    /// The record with its personal fields blanked.
    fn public(self) -> Self;
    /// How messages name the kind (`wahana`, `lembaga`): its audit kind.
    fn noun() -> &'static str {
        <Self as NewActor>::KIND.code()
    }
}

/// `Actor` for a domain record: its instrument table and the field holding its region.
macro_rules! actor {
    ($t:ident, $table:ident, $region:ident) => {
        impl Actor for $t {
            const INSTRUMENT: Table = Table::$table;
            fn region(&self) -> &RegionCode {
                &self.$region
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn parse(
                values: &HashMap<&'static str, String>,
                id: Option<&str>,
            ) -> Result<Self, ServiceError> {
                // Without an id, the store draws one in the transaction that writes the record.
                $t::from_fields(
                    |k| values.get(k).map(String::as_str),
                    || id.unwrap_or_default().to_string(),
                    &super::context(None),
                )
                .map_err(ServiceError::Invalid)
            }
            fn fields(&self) -> Vec<String> {
                self.to_fields()
            }
            fn public(self) -> Self {
                self.without_personal_data()
            }
        }
    };
}

actor!(Network, Networks, village);
actor!(Institution, Institutions, region);

/// Adds a network (`kode_wilayah` a village, `nama` required; an id `W-<village>-NNNN` is drawn
/// when none is given) or an institution (`kode_wilayah` any region, `jenis_lembaga` and `nama`
/// required; `L-<region>-NNNN`), for a caller who may write networks and institutions there,
/// into the wave named, else the region's latest open wave.
pub async fn add<T: Actor>(
    store: &Store,
    caller: &Caller,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
) -> Result<Stored<T>, ServiceError> {
    caller.check_write(Write::Other, region_field(fields).as_ref())?;
    let record = T::parse(fields, None)?;
    let wave = for_new_record(store, wave, Some(record.region())).await?;
    Ok(store
        .insert_actor(&wave.id, &record, &caller.who().0)
        .await?)
}

async fn find<T: Actor>(store: &Store, id: &str) -> Result<Stored<T>, ServiceError> {
    store
        .actor::<T>(id)
        .await?
        .ok_or_else(|| not_found(T::noun(), id))
}

/// A network or an institution as held (its latest record), for a caller who may read its
/// region's records (to anyone else it is not found); personal fields blanked for those who may
/// not see them.
pub async fn show<T: Actor>(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<Stored<T>, ServiceError> {
    let mut r = find::<T>(store, id).await?;
    caller.check_read(r.record.region(), T::noun(), id)?;
    if !caller.sees_personal(r.record.region()) {
        r.record = r.record.public();
    }
    Ok(r)
}

/// Changes fields of a network or an institution (`changes`: instrument column and value,
/// read only once the caller may write it). `expected_version` is the version the editor
/// started from (the current one when not given); a save over somebody else's newer save is
/// refused.
pub async fn edit<T: Actor>(
    store: &Store,
    caller: &Caller,
    id: &str,
    changes: &[(String, String)],
    expected_version: Option<i64>,
) -> Result<Stored<T>, ServiceError> {
    let current = find::<T>(store, id).await?;
    caller.check_write_held(Write::Other, current.record.region(), T::noun(), id)?;
    let changes = &super::groups::fields_from_pairs(T::INSTRUMENT, changes)?;
    if let Some(target) = region_field(changes) {
        caller.check_write(Write::Other, Some(&target))?;
    }
    let values = merged(T::INSTRUMENT, current.record.fields(), changes, id)?;
    let record = T::parse(&values, Some(id))?;
    Ok(store
        .update_actor(
            &record,
            expected_version.unwrap_or(current.version),
            &caller.who().0,
        )
        .await?)
}

/// Deletes a network or an institution and its ties.
pub async fn delete<T: Actor>(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<(), ServiceError> {
    let current = find::<T>(store, id).await?;
    caller.check_write_held(Write::Other, current.record.region(), T::noun(), id)?;
    if !store.delete_actor::<T>(id, &caller.who().0).await? {
        return Err(not_found(T::noun(), id));
    }
    Ok(())
}

/// The networks or institutions of a region's subtree (everything for `None`), in one wave or
/// all, as held (the command line's; pages list through the region's page).
pub async fn list<T: Actor>(
    store: &Store,
    caller: &Caller,
    region: Option<&RegionCode>,
    wave: Option<&str>,
) -> Result<Vec<Stored<T>>, ServiceError> {
    let scope = caller.list_scope(region)?;
    Ok(store
        .list_actors::<T>(scope.as_ref(), wave)
        .await?
        .into_iter()
        .map(|mut r| {
            if !caller.sees_personal(r.record.region()) {
                r.record = r.record.public();
            }
            r
        })
        .collect())
}

// ---- a network's detail ----

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

/// A network with its member groups (tied to it, or naming it in their `wahana` column) and
/// its supporting institutions (tied to it).
pub async fn network(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<NetworkDetail, ServiceError> {
    let stored = show::<Network>(store, caller, id).await?;
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
/// actors, in the wave given or the latest open wave observing both ends. A pair already
/// tied with another type is asked about first (a second tie between the same two is rarely
/// meant): refused as invalid on the field `ikatan_kedua` unless `second_type` says it is
/// meant; the form asks with a box, the API with `"ikatan_kedua": true`, the command line with
/// `--ikatan-kedua`. The same type again is refused by the store either way round.
pub async fn add_tie(
    store: &Store,
    caller: &Caller,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    second_type: bool,
) -> Result<TieRecord, ServiceError> {
    caller.check_write(Write::Other, None)?;
    let tie = tie_of(fields)?;
    let ends = tie_regions(store, &tie).await?;
    caller.check_tie(&tie, &ends, None)?;
    if !second_type {
        let held: Vec<TieType> = store
            .ties_of(&tie.from)
            .await?
            .into_iter()
            .filter(|t| {
                (t.tie.from == tie.from && t.tie.to == tie.to)
                    || (t.tie.from == tie.to && t.tie.to == tie.from)
            })
            .map(|t| t.tie.tie_type)
            .filter(|t| *t != tie.tie_type)
            .collect();
        if !held.is_empty() {
            use wahana_domain::Code as _;
            let names = |lang: wahana_domain::Lang| {
                let mut v: Vec<&str> = held.iter().map(|t| t.label(lang)).collect();
                v.dedup();
                v.join(", ")
            };
            return Err(ServiceError::Invalid(vec![FieldError::new(
                SECOND_TIE,
                "",
                format!(
                    "Keduanya sudah terikat ({}). Bila memang ada ikatan kedua dengan jenis lain, katakan demikian lalu simpan lagi: centang kotak «ikatan kedua» di formulir, kirim \"ikatan_kedua\": true lewat API, atau tambahkan --ikatan-kedua di baris perintah.",
                    names(wahana_domain::Lang::Id)
                ),
                format!(
                    "The two are already tied ({}). If there really is a second tie of another type, say so and save again: tick the «second tie» box on the form, send \"ikatan_kedua\": true through the API, or add --ikatan-kedua on the command line.",
                    names(wahana_domain::Lang::En)
                ),
            )]));
        }
    }
    let wave = match wave {
        Some(w) => for_new_record(store, Some(w), None).await?.id,
        None => tie_wave(store, &tie).await?,
    };
    Ok(store.insert_tie(&wave, &tie, &caller.who().0).await?)
}

/// The actor a tie starts from, for its form: name and region, as missing to a caller who
/// may not read it.
pub async fn tie_origin(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<(String, RegionCode), ServiceError> {
    caller.signed_in()?;
    let missing = || not_found("aktor", id);
    let region = actor_region(store, id).await?.ok_or_else(missing)?;
    caller.check_read(&region, "aktor", id)?;
    let (_, name) = store.actor_name(id).await?.ok_or_else(missing)?;
    Ok((name, region))
}

/// The kind and name of a tie's other end, for a caller who may read it (`None` otherwise,
/// or when no actor holds the id): what a tie list shows instead of a bare id.
pub async fn tie_end(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<Option<(ActorKind, String)>, ServiceError> {
    match actor_region(store, id).await? {
        Some(region) if caller.reads_records(&region) => Ok(store.actor_name(id).await?),
        _ => Ok(None),
    }
}

/// The field of the tie form that confirms a second tie of another type between one pair.
pub const SECOND_TIE: &str = "ikatan_kedua";

/// An actor a tie may reach, as the tie form lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TieChoice {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
}

/// Most groups the tie form lists at once; a name filter narrows a longer list.
pub const TIE_CHOICES_LIMIT: i64 = 300;

/// The actors a tie from an actor of `region` may reach, by kind and name: the groups and
/// networks of the region (its village), the institutions of the region and of the regions
/// above it (a kecamatan's or kabupaten's office serves its villages), each once, and only
/// those the caller may read. `name` keeps those whose name holds it (ignoring case).
pub async fn tie_choices(
    store: &Store,
    caller: &Caller,
    region: &RegionCode,
    name: Option<&str>,
) -> Result<Vec<TieChoice>, ServiceError> {
    caller.list_scope(Some(region))?;
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let wanted = |n: &str| name.is_none_or(|q| n.to_lowercase().contains(&q.to_lowercase()));
    let mut out: Vec<TieChoice> = Vec::new();
    let mut push = |id: String, n: String, kind: ActorKind| {
        if wanted(&n) && !out.iter().any(|c| c.id == id) {
            out.push(TieChoice { id, name: n, kind });
        }
    };
    let filter = wahana_store::GroupFilter {
        region: Some(region.clone()),
        name: name.map(str::to_string),
        ..Default::default()
    };
    for g in store.list_groups(&filter, TIE_CHOICES_LIMIT, 0).await? {
        push(g.group.id, g.group.name, ActorKind::Group);
    }
    for n in store.list_actors::<Network>(Some(region), None).await? {
        push(n.record.id, n.record.name, ActorKind::Network);
    }
    let mut regions: Vec<RegionCode> = vec![region.clone()];
    // The kecamatan's and the kabupaten's (the province's offices are too far to list).
    regions.extend(region.ancestors().into_iter().skip(1).rev());
    for r in regions.iter().filter(|r| caller.reads_records(r)) {
        for i in store.list_actors::<Institution>(Some(r), None).await? {
            if &i.record.region == r || r == region {
                push(i.record.id, i.record.name, ActorKind::Institution);
            }
        }
    }
    Ok(out)
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
    Err(ServiceError::NotObservedTogether {
        from: tie.from.clone(),
        to: tie.to.clone(),
        only_closed: !waves.is_empty(),
    })
}

/// A tie by its number, as held.
pub async fn tie(store: &Store, id: i64) -> Result<TieRecord, ServiceError> {
    store.tie(id).await?.ok_or_else(|| not_found("ikatan", id))
}

/// A held tie and the regions of its ends, for a caller who may delete it (who may write at
/// both of its ends); as missing to one who may read neither end.
pub async fn tie_to_delete(
    store: &Store,
    caller: &Caller,
    id: i64,
) -> Result<(TieRecord, [Option<RegionCode>; 2]), ServiceError> {
    caller.signed_in()?;
    let t = tie(store, id).await?;
    let ends = held_tie_regions(store, &t).await?;
    caller.check_tie(&t.tie, &ends, Some(id))?;
    Ok((t, ends))
}

/// Deletes one tie by its number, for a caller who may write at both of its ends.
pub async fn delete_tie(store: &Store, caller: &Caller, id: i64) -> Result<(), ServiceError> {
    tie_to_delete(store, caller, id).await?;
    if !store.delete_tie(id, &caller.who().0).await? {
        return Err(not_found("ikatan", id));
    }
    Ok(())
}

/// The ties with an end among a region's actors, for a caller who may read the region's records
/// (refused as the lists of groups and actors are: `Caller::list_scope`).
pub async fn list_ties(
    store: &Store,
    caller: &Caller,
    region: &RegionCode,
    wave: Option<&str>,
) -> Result<Vec<TieRecord>, ServiceError> {
    let scope = caller.list_scope(Some(region))?;
    Ok(store
        .list_ties(scope.as_ref().unwrap_or(region), wave)
        .await?)
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
    caller: &Caller,
    group_id: &str,
    name: &str,
    role: Option<&str>,
    key: Option<&str>,
) -> Result<StoredMember, ServiceError> {
    member_writer(store, caller, group_id).await?;
    let member = Member::new(group_id, name, role, key).map_err(ServiceError::Invalid)?;
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
    Ok(store.add_member(&member, &caller.who().0).await?)
}

/// The members of a group (personal data: show only to those allowed), board first.
pub async fn members(
    store: &Store,
    caller: &Caller,
    group_id: &str,
) -> Result<Vec<StoredMember>, ServiceError> {
    let g = store
        .group(group_id)
        .await?
        .ok_or_else(|| not_found("kelompok", group_id))?;
    caller.check_read(&g.group.village, "kelompok", group_id)?;
    if !caller.sees_personal(&g.group.village) {
        return Err(caller.forbidden());
    }
    Ok(store.members_of(group_id).await?)
}

/// The caller may add or remove the group's members (the group must be held).
async fn member_writer(store: &Store, caller: &Caller, group_id: &str) -> Result<(), ServiceError> {
    let g = store
        .group(group_id)
        .await?
        .ok_or_else(|| not_found("kelompok", group_id))?;
    caller.check_write_held(Write::Members, &g.group.village, "kelompok", group_id)
}

/// Deletes one member of a group by number (a number of another group's member is not
/// found). The audit trail records the group, its village and the role, not the person.
pub async fn delete_member_of(
    store: &Store,
    caller: &Caller,
    group_id: &str,
    id: i64,
) -> Result<(), ServiceError> {
    member_writer(store, caller, group_id).await?;
    let in_group = store.members_of(group_id).await?.iter().any(|m| m.id == id);
    if !in_group || !store.delete_member(id, &caller.who().0).await? {
        return Err(not_found("anggota", id));
    }
    Ok(())
}

/// Deletes one member by number, whatever its group: the operator's and admins' (others name
/// the group, [`delete_member_of`]).
pub async fn delete_member(store: &Store, caller: &Caller, id: i64) -> Result<(), ServiceError> {
    caller.check_admin()?;
    if !store.delete_member(id, &caller.who().0).await? {
        return Err(not_found("anggota", id));
    }
    Ok(())
}
