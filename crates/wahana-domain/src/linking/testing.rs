//! Candidates the tests of the linking's files share.

use super::Candidate;
use crate::codes::GroupType;

pub(super) fn cand(name: &str, t: GroupType, year: i32, chair: &str, unit: &str) -> Candidate {
    Candidate {
        name: name.into(),
        group_type: Some(t),
        founded_year: Some(year),
        chair: (!chair.is_empty()).then(|| chair.into()),
        local_unit: (!unit.is_empty()).then(|| unit.into()),
    }
}
