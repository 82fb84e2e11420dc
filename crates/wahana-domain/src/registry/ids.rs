//! Ids drawn for new records, and the key duplicates of a group share.

use crate::codes::*;
use crate::region::RegionCode;

/// The prefix of the ids drawn for a new record whose kind has `letter` (`Group::ID_LETTER`,
/// …) in `region` (its village, or an institution's region): `K-7308211001-`, `L-730821-`.
pub fn id_prefix(letter: char, region: &RegionCode) -> String {
    format!("{letter}-{}-", region.digits())
}

/// The key two group names share when they are "the same name up to case, spacing and
/// punctuation" (duplicate detection).
pub fn duplicate_key(village: &RegionCode, group_type: GroupType, name: &str) -> String {
    let mut key = String::with_capacity(village.as_str().len() + name.len() + 24);
    push_duplicate_key(&mut key, village, group_type, name);
    key
}

/// [`duplicate_key`] appended to `out` (an import makes one per row: no allocation here).
pub fn push_duplicate_key(
    out: &mut String,
    village: &RegionCode,
    group_type: GroupType,
    name: &str,
) {
    out.extend(village.as_str().chars().filter(|c| *c != '.'));
    out.push('|');
    out.push_str(group_type.code());
    out.push('|');
    for c in name.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
}
