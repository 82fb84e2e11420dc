//! Ids and kinds of actors: which table an actor lives in ([`ActorKind`], [`IdTable`]), the
//! prefix of a new actor's ids (`K-`/`W-`/`L-`, [`ActorKind::id_prefix`]), the records that get
//! one ([`NewActor`]) and the refusals of an id taken. Ids are drawn by `batch/ids.rs`.

use crate::{Refusal, StoreError};
use serde::Serialize;
use wahana_domain::{Group, Institution, Network, RegionCode};

/// One end of a tie as the store needs it to write the tie: its kind, and its entity's region
/// (`actors.region_code`, as held: `73.08.21.1001`), which the counts of ties are kept by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TieEnd {
    pub kind: ActorKind,
    pub region: String,
}

/// Which table an actor of a tie lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Group,
    Network,
    Institution,
}

impl ActorKind {
    pub fn code(self) -> &'static str {
        match self {
            ActorKind::Group => "kelompok",
            ActorKind::Network => "wahana",
            ActorKind::Institution => "lembaga",
        }
    }
    /// The prefix of the ids drawn for a new actor of this kind in `region` (its village, or
    /// an institution's region): `K-7308211001-`, `W-7308211001-`, `L-730821-`.
    pub fn id_prefix(self, region: &RegionCode) -> String {
        let letter = match self {
            ActorKind::Group => Group::ID_LETTER,
            ActorKind::Network => Network::ID_LETTER,
            ActorKind::Institution => Institution::ID_LETTER,
        };
        wahana_domain::registry::id_prefix(letter, region)
    }

    pub(crate) fn parse(s: &str) -> Result<ActorKind, StoreError> {
        match s {
            "kelompok" => Ok(ActorKind::Group),
            "wahana" => Ok(ActorKind::Network),
            "lembaga" => Ok(ActorKind::Institution),
            other => Err(StoreError::corrupt("actor kind", other)),
        }
    }
}

/// Which table an id is drawn for.
#[derive(Debug, Clone, Copy)]
pub enum IdTable {
    Groups,
    Networks,
    Institutions,
}

impl IdTable {
    /// The table of the observations.
    pub fn name(self) -> &'static str {
        match self {
            IdTable::Groups => "groups",
            IdTable::Networks => "networks",
            IdTable::Institutions => "institutions",
        }
    }
    /// The kind of the entities, as `actors.kind` names it.
    pub fn kind(self) -> ActorKind {
        match self {
            IdTable::Groups => ActorKind::Group,
            IdTable::Networks => ActorKind::Network,
            IdTable::Institutions => ActorKind::Institution,
        }
    }
}

/// The refusal of a tie to `id`, which is no held actor.
pub fn actor_not_found(id: &str) -> StoreError {
    Refusal::ActorNotFound { id: id.to_string() }.into()
}

/// The refusal of a new record whose id an actor of `holder`'s kind already has.
pub(crate) fn id_taken(id: &str, holder: ActorKind) -> StoreError {
    Refusal::IdTaken {
        id: id.to_string(),
        holder,
    }
    .into()
}

/// The refusal of a second observation of actor `id` in one wave.
pub(crate) fn already_observed(kind: ActorKind, id: &str, wave: &str) -> StoreError {
    Refusal::AlreadyObserved {
        kind,
        id: id.to_string(),
        wave: wave.to_string(),
    }
    .into()
}

/// The number an id ends with after `prefix`, when the rest is digits only.
pub(crate) fn suffix_number(id: &str, prefix: &str) -> Option<i64> {
    let rest = id.strip_prefix(prefix)?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

/// A record that `Batch::with_id` gives an id.
pub trait NewActor: Clone {
    const KIND: ActorKind;
    fn id_mut(&mut self) -> &mut String;
    /// The region whose prefix a drawn id takes.
    fn id_region(&self) -> &RegionCode;
}

impl NewActor for Group {
    const KIND: ActorKind = ActorKind::Group;
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
    fn id_region(&self) -> &RegionCode {
        &self.village
    }
}

impl NewActor for Network {
    const KIND: ActorKind = ActorKind::Network;
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
    fn id_region(&self) -> &RegionCode {
        &self.village
    }
}

impl NewActor for Institution {
    const KIND: ActorKind = ActorKind::Institution;
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
    fn id_region(&self) -> &RegionCode {
        &self.region
    }
}
