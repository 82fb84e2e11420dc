//! Linking a wave's rows to the lasting groups of earlier waves when the ids are lost
//! (`domain.md`, Groups over time).
//!
//! Field files of a re-survey (*pemutakhiran*) often come back without ids and with the names
//! retyped: "Kel. Tani" for "Kelompok Tani", other capitals, a dropped letter, a founding year
//! off by one. A row without an id is compared with the groups of the same village seen in
//! earlier waves and not yet observed in this one; pairs are assigned one to one; a clear match
//! becomes an observation of that group (`matched`), a middle band is proposed to an officer
//! (`reviewed` once accepted), the rest are new groups.
//!
//! - [`normalize_name`]: case, spacing, punctuation and the common abbreviations of group types.
//! - [`similarity`]: a score in [0, 1] from the name, type, founding year, chair and RT/RW.
//! - [`link_village`]: the one-to-one assignment and the decision per row.
//! - [`Link`], [`LinkMethod`], [`LinkKind`]: what the store keeps of every link.
//! - [`resurvey`]: a generator of re-surveys with known truth, and the measurement of quality.
//!
//! `docs/linking.md` gives the weights, the thresholds and the measured figures.
//!
//! The module's files: `normalize` names, people and RT/RW; `similarity` the score;
//! `assign` the assignment and decisions; `provenance` the links and their checks.

mod assign;
mod normalize;
mod provenance;
pub mod resurvey;
mod similarity;
#[cfg(test)]
mod testing;

pub use assign::{Decision, Thresholds, link_village};
pub use normalize::{name_tokens, normalize_name, normalize_person, parse_local_unit};
pub use provenance::{Link, LinkKind, LinkMethod, LinkProblem, check_links};
pub use similarity::{
    Candidate, Similarity, WEIGHT_CHAIR, WEIGHT_LOCAL_UNIT, WEIGHT_NAME, WEIGHT_TYPE, WEIGHT_YEAR,
    similarity,
};
