//! What changed between two survey waves of a region (issue 12, "What changed"): the fate of
//! each group from the observations of the two waves and the links the later wave recorded;
//! counts by fate overall, per village and per group type; the survival rate; and the five
//! findings of both waves side by side. `docs/compare-json.md` is the JSON contract built on it.
//!
//! Pure: the caller reads the observations, the links and the two profiles.
//!
//! Decisions (the issue leaves them open):
//! - An earlier observation (wave `from`) and a later one (wave `to`) are *the same group* when
//!   they carry the same id (`link: same_id`, unless the later wave recorded a `matched` or
//!   `reviewed` link for that id: a row without an id that the import or an officer tied to the
//!   group, which then took its id), or when the later wave recorded a link from the one to the
//!   other (a merge or a split: two different ids).
//! - Fates: `continuing` (the same group observed in both waves, not dissolved (`bubar`) in
//!   `to`), `dissolved` (observed in `to` with status `bubar`, and observed in `from`, whatever
//!   its status there), `not_refound` (observed in `from`, not dissolved there, no observation
//!   in `to`), `new` (observed in `to`, with no observation in `from` and no link to one; a new
//!   group already dissolved when first seen is `new` too).
//! - A group observed in `from` as dissolved and absent from `to` has no fate: it had ended
//!   before the comparison starts. It is counted apart ([`Comparison::dissolved_before`]).
//! - Merges and splits give one entry per linked pair: two groups merged into one are two
//!   entries with the same `id_to`, one group split into two are two entries with the same
//!   `id_from`; the counts count entries.
//! - Survival rate = continuing / (continuing + dissolved + not_refound): the share of the
//!   earlier wave's groups seen again and still running; none when that sum is 0.
//! - A group's village and type are those of its later observation when there is one, else of
//!   its earlier one.

use crate::codes::{GroupStatus, GroupType};
use crate::linking::{Link, LinkMethod};
use crate::profile::{MAJORITY, Profile};
use crate::{Group, RegionCode};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a comparison needs of one observation of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub id: String,
    pub village: RegionCode,
    pub name: String,
    pub group_type: GroupType,
    pub status: GroupStatus,
}

impl Observation {
    pub fn of(g: &Group) -> Observation {
        Observation {
            id: g.id.clone(),
            village: g.village.clone(),
            name: g.name.clone(),
            group_type: g.group_type,
            status: g.status,
        }
    }

    fn dissolved(&self) -> bool {
        self.status == GroupStatus::Dissolved
    }
}

/// What became of a group between two waves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    Continuing,
    Dissolved,
    NotRefound,
    New,
}

impl Fate {
    pub const ALL: [Fate; 4] = [
        Fate::Continuing,
        Fate::Dissolved,
        Fate::NotRefound,
        Fate::New,
    ];

    /// The JSON code (`not_refound`).
    pub fn code(self) -> &'static str {
        match self {
            Fate::Continuing => "continuing",
            Fate::Dissolved => "dissolved",
            Fate::NotRefound => "not_refound",
            Fate::New => "new",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Fate::Continuing => "Berlanjut",
            Fate::Dissolved => "Bubar",
            Fate::NotRefound => "Tidak ditemukan lagi",
            Fate::New => "Baru",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Fate::Continuing => "Continuing",
            Fate::Dissolved => "Dissolved",
            Fate::NotRefound => "Not found again",
            Fate::New => "New",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(self.label_id(), self.label_en())
    }
}

/// One group's entry: its ids and names in the two waves, its fate and how the two
/// observations were tied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupChange {
    /// The id in the earlier wave; none for a new group.
    pub id_from: Option<String>,
    /// The id in the later wave; none for a group not found again (or dissolved before).
    pub id_to: Option<String>,
    pub village: RegionCode,
    pub name_from: Option<String>,
    pub name_to: Option<String>,
    pub fate: Fate,
    /// `same_id`, `matched` or `reviewed`; none for `not_refound` and `new`.
    pub link: Option<LinkMethod>,
    /// The link's score (`matched`, `reviewed`).
    pub score: Option<f64>,
    #[serde(skip)]
    pub group_type: GroupType,
}

/// Groups per fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct FateCounts {
    pub continuing: u64,
    pub dissolved: u64,
    pub not_refound: u64,
    pub new: u64,
}

impl FateCounts {
    pub fn add(&mut self, fate: Fate) {
        *self.get_mut(fate) += 1;
    }

    fn get_mut(&mut self, fate: Fate) -> &mut u64 {
        match fate {
            Fate::Continuing => &mut self.continuing,
            Fate::Dissolved => &mut self.dissolved,
            Fate::NotRefound => &mut self.not_refound,
            Fate::New => &mut self.new,
        }
    }

    pub fn get(&self, fate: Fate) -> u64 {
        match fate {
            Fate::Continuing => self.continuing,
            Fate::Dissolved => self.dissolved,
            Fate::NotRefound => self.not_refound,
            Fate::New => self.new,
        }
    }

    /// continuing / (continuing + dissolved + not_refound); none when that sum is 0.
    pub fn survival_rate(&self) -> Option<f64> {
        let earlier = self.continuing + self.dissolved + self.not_refound;
        (earlier > 0).then(|| self.continuing as f64 / earlier as f64)
    }

    pub fn total(&self) -> u64 {
        self.continuing + self.dissolved + self.not_refound + self.new
    }
}

/// The fates of a region's groups between two waves.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// One entry per group (per linked pair for merges and splits), by village, then name
    /// (ignoring case), then ids.
    pub groups: Vec<GroupChange>,
    pub counts: FateCounts,
    /// Per village, in code order.
    pub by_village: Vec<(RegionCode, FateCounts)>,
    /// Per group type, in the instrument's order.
    pub by_type: Vec<(GroupType, FateCounts)>,
    /// Observed dissolved in the earlier wave and absent from the later one: no fate.
    pub dissolved_before: u64,
}

/// Computes every group's fate from the observations of the earlier wave (`from`), those of
/// the later wave (`to`) and the links the later wave recorded (`links`; links to groups the
/// earlier wave does not observe, or from observations outside `to`, are ignored).
pub fn compare(from: &[Observation], to: &[Observation], links: &[Link]) -> Comparison {
    let earlier: HashMap<&str, &Observation> = from.iter().map(|o| (o.id.as_str(), o)).collect();
    let later: HashMap<&str, &Observation> = to.iter().map(|o| (o.id.as_str(), o)).collect();
    let link_of: HashMap<(&str, &str), &Link> = links
        .iter()
        .filter(|l| {
            earlier.contains_key(l.previous.as_str()) && later.contains_key(l.current.as_str())
        })
        .map(|l| ((l.previous.as_str(), l.current.as_str()), l))
        .collect();

    // The pairs (earlier, later) that are the same group: the same id, or a link between two.
    let mut pairs: Vec<(&Observation, &Observation, Option<&Link>)> = Vec::new();
    for o in to {
        if let Some(e) = earlier.get(o.id.as_str()) {
            pairs.push((e, o, link_of.get(&(o.id.as_str(), o.id.as_str())).copied()));
        }
    }
    let mut other: Vec<&Link> = link_of
        .values()
        .copied()
        .filter(|l| l.previous != l.current)
        .collect();
    other.sort_by(|a, b| (&a.previous, &a.current).cmp(&(&b.previous, &b.current)));
    for l in other {
        pairs.push((
            earlier[l.previous.as_str()],
            later[l.current.as_str()],
            Some(l),
        ));
    }

    let paired_from: HashSet<&str> = pairs.iter().map(|(e, _, _)| e.id.as_str()).collect();
    let paired_to: HashSet<&str> = pairs.iter().map(|(_, o, _)| o.id.as_str()).collect();
    let mut groups = Vec::with_capacity(from.len() + to.len());
    for (e, o, link) in pairs {
        groups.push(GroupChange {
            id_from: Some(e.id.clone()),
            id_to: Some(o.id.clone()),
            village: o.village.clone(),
            name_from: Some(e.name.clone()),
            name_to: Some(o.name.clone()),
            fate: if o.dissolved() {
                Fate::Dissolved
            } else {
                Fate::Continuing
            },
            link: Some(link.map_or(LinkMethod::SameId, |l| l.method)),
            score: link.and_then(|l| l.score),
            group_type: o.group_type,
        });
    }
    let mut dissolved_before = 0;
    for e in from {
        if paired_from.contains(e.id.as_str()) {
            continue;
        }
        if e.dissolved() {
            dissolved_before += 1;
            continue;
        }
        groups.push(GroupChange {
            id_from: Some(e.id.clone()),
            id_to: None,
            village: e.village.clone(),
            name_from: Some(e.name.clone()),
            name_to: None,
            fate: Fate::NotRefound,
            link: None,
            score: None,
            group_type: e.group_type,
        });
    }
    for o in to {
        if paired_to.contains(o.id.as_str()) {
            continue;
        }
        groups.push(GroupChange {
            id_from: None,
            id_to: Some(o.id.clone()),
            village: o.village.clone(),
            name_from: None,
            name_to: Some(o.name.clone()),
            fate: Fate::New,
            link: None,
            score: None,
            group_type: o.group_type,
        });
    }
    groups.sort_by(|a, b| {
        let name = |g: &GroupChange| {
            g.name_from
                .as_deref()
                .or(g.name_to.as_deref())
                .map(str::to_lowercase)
        };
        (&a.village, name(a), &a.id_from, &a.id_to).cmp(&(
            &b.village,
            name(b),
            &b.id_from,
            &b.id_to,
        ))
    });

    let mut counts = FateCounts::default();
    let mut by_village: BTreeMap<RegionCode, FateCounts> = BTreeMap::new();
    let mut by_type: BTreeMap<GroupType, FateCounts> = BTreeMap::new();
    for g in &groups {
        counts.add(g.fate);
        by_village.entry(g.village.clone()).or_default().add(g.fate);
        by_type.entry(g.group_type).or_default().add(g.fate);
    }
    Comparison {
        groups,
        counts,
        by_village: by_village.into_iter().collect(),
        by_type: by_type.into_iter().collect(),
        dissolved_before,
    }
}

// ---------------------------------------------------------------------------------------------
// The findings of both waves

/// Keys of a profile that say what was profiled, not what was found: left out of `findings`.
const IDENTITY_KEYS: [&str; 3] = ["region", "wave", "rules"];
/// Keys of an entry of a list keyed by `code` that name it: kept as they are.
const LABEL_KEYS: [&str; 3] = ["name", "label_id", "label_en"];

/// The profiles of the two waves as JSON (`docs/profile-json.md`) side by side, key by key:
/// every number becomes `{"from": x, "to": y, "change": y - x}` (`change` is null when one side
/// is missing), every other value (`holds`, the sentences) `{"from": x, "to": y}`; lists of
/// entries with a `code` (`by_village`, `by_type`, the lists of `counts`) become objects keyed
/// by that code, their names and labels kept as they are. `region`, `wave` and `rules` are left
/// out. Shares stay fractions: a change of 0.05 is 5 percentage points.
pub fn findings_change(from: &Value, to: &Value) -> Value {
    let mut out = Map::new();
    for key in keys(from, to) {
        if IDENTITY_KEYS.contains(&key.as_str()) {
            continue;
        }
        let v = side_by_side(from.get(&key), to.get(&key));
        out.insert(key, v);
    }
    Value::Object(out)
}

/// The keys of two objects (either may be missing or not an object), in order.
fn keys(a: &Value, b: &Value) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for v in [a, b] {
        if let Value::Object(m) = v {
            for k in m.keys() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    keys
}

/// A list of objects each with a text `code`, as an object keyed by it.
fn keyed_by_code(v: &Value) -> Option<Value> {
    let list = v.as_array()?;
    let mut m = Map::new();
    for item in list {
        let code = item.get("code")?.as_str()?;
        let mut entry = item.as_object()?.clone();
        entry.remove("code");
        m.insert(code.to_string(), Value::Object(entry));
    }
    Some(Value::Object(m))
}

fn side_by_side(a: Option<&Value>, b: Option<&Value>) -> Value {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    // Lists keyed by code compare entry by entry.
    let list = |v: Option<&Value>| v.filter(|v| v.is_array()).map(keyed_by_code);
    match (list(a), list(b)) {
        (Some(Some(x)), Some(Some(y))) => return side_by_side(Some(&x), Some(&y)),
        (Some(Some(x)), None) => return side_by_side(Some(&x), None),
        (None, Some(Some(y))) => return side_by_side(None, Some(&y)),
        _ => {}
    }
    match (a, b) {
        (Some(Value::Object(_)), _) | (_, Some(Value::Object(_))) => {
            let empty = Value::Null;
            let (x, y) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
            let mut out = Map::new();
            for key in keys(x, y) {
                let (p, q) = (x.get(&key), y.get(&key));
                if LABEL_KEYS.contains(&key.as_str())
                    && let Some(s) = q.or(p).filter(|v| v.is_string())
                {
                    out.insert(key, s.clone());
                    continue;
                }
                out.insert(key, side_by_side(p, q));
            }
            Value::Object(out)
        }
        (Some(Value::Number(_)), _) | (_, Some(Value::Number(_))) => {
            let change = match (a, b) {
                (Some(Value::Number(x)), Some(Value::Number(y))) => {
                    match (x.as_i64(), y.as_i64()) {
                        (Some(x), Some(y)) => Value::from(y - x),
                        _ => match (x.as_f64(), y.as_f64()) {
                            (Some(x), Some(y)) => Value::from(y - x),
                            _ => Value::Null,
                        },
                    }
                }
                _ => Value::Null,
            };
            let mut out = Map::new();
            out.insert("from".into(), a.cloned().unwrap_or(Value::Null));
            out.insert("to".into(), b.cloned().unwrap_or(Value::Null));
            out.insert("change".into(), change);
            Value::Object(out)
        }
        _ => {
            let mut out = Map::new();
            out.insert("from".into(), a.cloned().unwrap_or(Value::Null));
            out.insert("to".into(), b.cloned().unwrap_or(Value::Null));
            Value::Object(out)
        }
    }
}

/// One measure of a finding in both waves, for tables.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureChange {
    /// The key in the profile's finding (`share_older_10`).
    pub key: &'static str,
    pub label_id: &'static str,
    pub label_en: &'static str,
    /// A share (a fraction, shown in percent; its change in percentage points), else a number.
    pub share: bool,
    pub from: f64,
    pub to: f64,
}

impl MeasureChange {
    pub fn change(&self) -> f64 {
        self.to - self.from
    }
    pub fn label(&self, lang: crate::Lang) -> &'static str {
        lang.pick(self.label_id, self.label_en)
    }
}

/// One finding in both waves: whether the 2007 statement held in each, its denominator in
/// each, and its main measures.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingChange {
    /// `F1`...`F5`.
    pub id: &'static str,
    pub title_id: &'static str,
    pub title_en: &'static str,
    pub holds_from: bool,
    pub holds_to: bool,
    /// Holds, does not hold, or no data, in each wave ("no data" is never "does not hold").
    pub verdict_from: crate::profile::Verdict,
    pub verdict_to: crate::profile::Verdict,
    pub denominator_from: u64,
    pub denominator_to: u64,
    /// What the denominator counts: counted groups, or villages with groups (F2).
    pub villages: bool,
    pub measures: Vec<MeasureChange>,
}

impl FindingChange {
    pub fn title(&self, lang: crate::Lang) -> &'static str {
        lang.pick(self.title_id, self.title_en)
    }
}

/// The five findings of two profiles side by side, with the measures their statements rest on.
pub fn finding_changes(from: &Profile<'_>, to: &Profile<'_>) -> Vec<FindingChange> {
    let m = |key, label_id, label_en, share, from: f64, to: f64| MeasureChange {
        key,
        label_id,
        label_en,
        share,
        from,
        to,
    };
    let (a, b) = (from, to);
    let titles = a.findings();
    let verdicts_to = b.findings();
    let mut out = Vec::with_capacity(5);
    let mut push = |i: usize, holds: (bool, bool), den: (u64, u64), villages, measures| {
        out.push(FindingChange {
            id: titles[i].id,
            title_id: titles[i].title_id,
            title_en: titles[i].title_en,
            holds_from: holds.0,
            holds_to: holds.1,
            verdict_from: titles[i].verdict,
            verdict_to: verdicts_to[i].verdict,
            denominator_from: den.0,
            denominator_to: den.1,
            villages,
            measures,
        });
    };
    push(
        0,
        (a.f1.holds, b.f1.holds),
        (a.f1.groups, b.f1.groups),
        false,
        vec![m(
            "share_older_10",
            "Berumur 10 tahun atau lebih",
            "Aged 10 years or more",
            true,
            a.f1.share_older_10,
            b.f1.share_older_10,
        )],
    );
    push(
        1,
        (a.f2.holds, b.f2.holds),
        (a.f2.villages, b.f2.villages),
        true,
        vec![
            m(
                "mean",
                "Rata-rata kelompok per desa/kelurahan",
                "Mean groups per village",
                false,
                a.f2.mean,
                b.f2.mean,
            ),
            m(
                "median",
                "Median kelompok per desa/kelurahan",
                "Median groups per village",
                false,
                a.f2.median,
                b.f2.median,
            ),
            m(
                "share_over_50",
                "Desa/kelurahan dengan lebih dari 50 kelompok",
                "Villages with more than 50 groups",
                true,
                a.f2.share_over_50,
                b.f2.share_over_50,
            ),
        ],
    );
    push(
        2,
        (a.f3.holds, b.f3.holds),
        (a.f3.groups, b.f3.groups),
        false,
        vec![
            m(
                "share_grown_from_community",
                "Tumbuh dari masyarakat",
                "Grown from the community",
                true,
                a.f3.share_grown_from_community,
                b.f3.share_grown_from_community,
            ),
            m(
                "share_domicile",
                "Keanggotaan atas dasar domisili",
                "Membership by domicile",
                true,
                a.f3.share_domicile,
                b.f3.share_domicile,
            ),
            m(
                "share_integration_or_resilience",
                "Bertujuan integrasi atau ketahanan sosial",
                "Aiming at integration or resilience",
                true,
                a.f3.share_integration_or_resilience,
                b.f3.share_integration_or_resilience,
            ),
        ],
    );
    push(
        3,
        (a.f4.holds, b.f4.holds),
        (a.f4.groups, b.f4.groups),
        false,
        vec![
            m(
                "share_resilience_or_welfare",
                "Bertujuan ketahanan sosial atau kesejahteraan anggota",
                "Aiming at resilience or members' welfare",
                true,
                a.f4.share_resilience_or_welfare,
                b.f4.share_resilience_or_welfare,
            ),
            m(
                "share_dues_any",
                "Dibiayai iuran anggota",
                "Financed by member dues",
                true,
                a.f4.share_dues_any,
                b.f4.share_dues_any,
            ),
        ],
    );
    push(
        4,
        (a.f5.holds, b.f5.holds),
        (a.f5.groups, b.f5.groups),
        false,
        vec![m(
            "share_any",
            "Kebersamaan, tolong-menolong atau gotong royong",
            "Togetherness, mutual help or gotong royong",
            true,
            a.f5.share_any,
            b.f5.share_any,
        )],
    );
    out
}

/// The threshold of the share findings, for charts: a strict majority.
pub const FINDING_THRESHOLD: f64 = MAJORITY;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::LinkKind;
    use serde_json::json;

    fn obs(id: &str, village: &str, name: &str, t: GroupType, status: GroupStatus) -> Observation {
        Observation {
            id: id.into(),
            village: RegionCode::parse(village).unwrap(),
            name: name.into(),
            group_type: t,
            status,
        }
    }

    const V1: &str = "73.08.21.1001";
    const V2: &str = "73.08.21.1002";
    use GroupStatus::{Active, Dissolved, Inactive};
    use GroupType::{Arisan, MajelisTaklim};

    fn fate_of<'a>(c: &'a Comparison, from: Option<&str>, to: Option<&str>) -> &'a GroupChange {
        c.groups
            .iter()
            .find(|g| g.id_from.as_deref() == from && g.id_to.as_deref() == to)
            .unwrap_or_else(|| panic!("no entry {from:?} → {to:?} in {:#?}", c.groups))
    }

    #[test]
    fn every_fate_and_link() {
        let from = [
            obs("A", V1, "Arisan Mawar", Arisan, Active),
            obs("B", V1, "Arisan Melati", Arisan, Inactive),
            obs("C", V1, "Majelis Nurul", MajelisTaklim, Active),
            obs("D", V2, "Arisan Dahlia", Arisan, Active),
            obs("E", V2, "Arisan Kenanga", Arisan, Dissolved),
            obs("F", V2, "Arisan Kamboja", Arisan, Dissolved),
            obs("G", V2, "Arisan Anggrek", Arisan, Active),
        ];
        let to = [
            // The same id, no link row: same_id.
            obs("A", V1, "Arisan Mawar", Arisan, Active),
            // A row without an id the import matched: it took B's id, and the link says so.
            obs("B", V1, "Kel. Arisan Melati", Arisan, Active),
            // Dissolved now.
            obs("C", V1, "Majelis Nurul", MajelisTaklim, Dissolved),
            // Dissolved before and again now: still observed in both, dissolved.
            obs("F", V2, "Arisan Kamboja", Arisan, Dissolved),
            // Reviewed by an officer.
            obs("G", V2, "Arisan Anggrek Putih", Arisan, Active),
            // New.
            obs("H", V2, "Arisan Baru", Arisan, Active),
            // New, and already dissolved when first seen.
            obs("I", V2, "Arisan Sebentar", Arisan, Dissolved),
        ];
        let links = [
            Link::matched("B", 0.91),
            Link::reviewed("G", 0.74, "petugas"),
            // A link to a group `from` does not observe is not a link to `from`.
            Link::matched("Z", 0.95),
        ];
        let c = compare(&from, &to, &links);
        let check = |from: Option<&str>, to: Option<&str>, fate, link, score| {
            let g = fate_of(&c, from, to);
            assert_eq!((g.fate, g.link, g.score), (fate, link, score), "{g:?}");
        };
        use Fate::{Continuing, New, NotRefound};
        const GONE: Fate = Fate::Dissolved;
        check(
            Some("A"),
            Some("A"),
            Continuing,
            Some(LinkMethod::SameId),
            None,
        );
        check(
            Some("B"),
            Some("B"),
            Continuing,
            Some(LinkMethod::Matched),
            Some(0.91),
        );
        check(Some("C"), Some("C"), GONE, Some(LinkMethod::SameId), None);
        // D: observed before, not dissolved, absent now.
        check(Some("D"), None, NotRefound, None, None);
        check(Some("F"), Some("F"), GONE, Some(LinkMethod::SameId), None);
        check(
            Some("G"),
            Some("G"),
            Continuing,
            Some(LinkMethod::Reviewed),
            Some(0.74),
        );
        check(None, Some("H"), New, None, None);
        check(None, Some("I"), New, None, None);
        // E: dissolved before and absent now has no fate.
        assert!(
            !c.groups
                .iter()
                .any(|g| g.id_from.as_deref() == Some("E") || g.id_to.as_deref() == Some("E"))
        );
        assert_eq!(c.dissolved_before, 1);
        assert_eq!(c.groups.len(), 8);
        assert_eq!(
            c.counts,
            FateCounts {
                continuing: 3,
                dissolved: 2,
                not_refound: 1,
                new: 2
            }
        );
        // Names of both waves; the village of the later observation.
        let b = fate_of(&c, Some("B"), Some("B"));
        assert_eq!(b.name_from.as_deref(), Some("Arisan Melati"));
        assert_eq!(b.name_to.as_deref(), Some("Kel. Arisan Melati"));
        // Per village and per type.
        let v = |code: &str| {
            c.by_village
                .iter()
                .find(|(v, _)| v.as_str() == code)
                .unwrap()
                .1
        };
        assert_eq!(
            v(V1),
            FateCounts {
                continuing: 2,
                dissolved: 1,
                not_refound: 0,
                new: 0
            }
        );
        assert_eq!(
            v(V2),
            FateCounts {
                continuing: 1,
                dissolved: 1,
                not_refound: 1,
                new: 2
            }
        );
        assert_eq!(c.by_type[0].0, Arisan);
        assert_eq!(c.by_type[0].1.total(), 7);
        assert_eq!(
            c.by_type[1],
            (
                MajelisTaklim,
                FateCounts {
                    dissolved: 1,
                    ..FateCounts::default()
                }
            )
        );
        // Ordered by village, then name.
        let order: Vec<(&str, Option<&str>)> = c
            .groups
            .iter()
            .map(|g| {
                (
                    g.village.as_str(),
                    g.name_from.as_deref().or(g.name_to.as_deref()),
                )
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
    }

    #[test]
    fn a_group_that_moved_village_is_counted_where_it_is_now() {
        let c = compare(
            &[obs("A", V1, "Arisan", Arisan, Active)],
            &[obs("A", V2, "Arisan", Arisan, Active)],
            &[],
        );
        assert_eq!(c.by_village.len(), 1);
        assert_eq!(c.by_village[0].0.as_str(), V2);
    }

    #[test]
    fn merges_and_splits_give_one_entry_per_pair() {
        let from = [
            obs("A", V1, "Arisan A", Arisan, Active),
            obs("B", V1, "Arisan B", Arisan, Active),
            obs("S", V1, "Arisan S", Arisan, Active),
        ];
        let to = [
            obs("M", V1, "Arisan AB", Arisan, Active),
            obs("S1", V1, "Arisan S1", Arisan, Active),
            obs("S2", V1, "Arisan S2", Arisan, Dissolved),
        ];
        let link = |p: &str, c: &str, kind| Link {
            previous: p.into(),
            current: c.into(),
            kind,
            method: LinkMethod::Reviewed,
            score: Some(0.8),
            accepted_by: Some("petugas".into()),
        };
        let links = [
            link("A", "M", LinkKind::Merged),
            link("B", "M", LinkKind::Merged),
            link("S", "S1", LinkKind::Split),
            link("S", "S2", LinkKind::Split),
        ];
        let c = compare(&from, &to, &links);
        assert_eq!(c.groups.len(), 4, "{:#?}", c.groups);
        assert_eq!(fate_of(&c, Some("A"), Some("M")).fate, Fate::Continuing);
        assert_eq!(fate_of(&c, Some("B"), Some("M")).fate, Fate::Continuing);
        assert_eq!(fate_of(&c, Some("S"), Some("S1")).fate, Fate::Continuing);
        assert_eq!(fate_of(&c, Some("S"), Some("S2")).fate, Fate::Dissolved);
        assert_eq!(c.counts.new + c.counts.not_refound, 0);
    }

    #[test]
    fn link_codes_round_trip_and_match_serde() {
        for m in [
            LinkMethod::SameId,
            LinkMethod::Matched,
            LinkMethod::Reviewed,
        ] {
            assert_eq!(LinkMethod::parse(m.code()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), json!(m.code()));
        }
        for k in [LinkKind::Continues, LinkKind::Merged, LinkKind::Split] {
            assert_eq!(LinkKind::parse(k.code()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.code()));
        }
        assert_eq!(LinkMethod::parse("guessed"), None);
        for f in Fate::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), json!(f.code()));
        }
    }

    #[test]
    fn survival_rate() {
        let rate = |c, d, n, new| {
            FateCounts {
                continuing: c,
                dissolved: d,
                not_refound: n,
                new,
            }
            .survival_rate()
        };
        // (continuing, dissolved, not_refound, new) → rate
        assert_eq!(rate(3, 1, 0, 9), Some(0.75));
        assert_eq!(rate(1, 1, 2, 0), Some(0.25));
        assert_eq!(rate(0, 2, 2, 5), Some(0.0));
        assert_eq!(rate(5, 0, 0, 0), Some(1.0));
        // New groups do not enter it; with no earlier group it is undefined.
        assert_eq!(rate(0, 0, 0, 4), None);
        assert_eq!(rate(0, 0, 0, 0), None);
    }

    #[test]
    fn nothing_in_common() {
        let c = compare(
            &[obs("A", V1, "A", Arisan, Active)],
            &[obs("B", V1, "B", Arisan, Active)],
            &[],
        );
        assert_eq!(
            c.counts,
            FateCounts {
                not_refound: 1,
                new: 1,
                ..FateCounts::default()
            }
        );
        assert_eq!(c.counts.survival_rate(), Some(0.0));
    }

    #[test]
    fn findings_of_two_profiles() {
        use crate::profile::{RegionRef, Tallies, WaveRef};
        use crate::screening::RuleSet;
        use crate::{Context, Date, Level, RegionTree};
        let ctx = Context {
            regions: RegionTree::official(),
            today: Date::new(2026, 11, 29).unwrap(),
            wave_date: None,
        };
        let group = |founded: &str, date: &str| {
            let m: HashMap<&str, &str> = HashMap::from([
                ("kode_wilayah", V1),
                ("nama", "Kelompok"),
                ("jenis", "arisan"),
                ("asal", "tumbuh_masyarakat"),
                ("tahun_berdiri", founded),
                ("tanggal_pendataan", date),
                ("anggota_laki", "10"),
                ("tujuan", "kesejahteraan_anggota"),
                ("nilai", "gotong_royong"),
            ]);
            Group::from_fields(|k| m.get(k).copied(), || "K".into(), &ctx).unwrap()
        };
        let rules = RuleSet::seed_2007();
        let region = RegionRef {
            code: V1,
            name: "Biru",
            level: Some(Level::Village),
        };
        let wave = |id| WaveRef {
            id,
            name: id,
            date: None,
            synthetic: false,
            sample: false,
        };
        let (mut t1, mut t2) = (Tallies::default(), Tallies::default());
        // 2007: 3 of 4 aged 10 or more; 2026: 1 of 2.
        for g in [
            group("1990", "2007-08-01"),
            group("1995", "2007-08-01"),
            group("1997", "2007-08-01"),
            group("2005", "2007-08-01"),
        ] {
            t1.add(&g, rules.outcome(&g));
        }
        for g in [group("1990", "2026-08-01"), group("2020", "2026-08-01")] {
            t2.add(&g, rules.outcome(&g));
        }
        let name = |_: &RegionCode| "Biru";
        let p1 = Profile::compute(t1.input(region, wave("w1"), "seed-2007", 1, name));
        let p2 = Profile::compute(t2.input(region, wave("w2"), "seed-2007", 1, name));
        let f = finding_changes(&p1, &p2);
        assert_eq!(f.len(), 5);
        let f1 = &f[0];
        assert_eq!((f1.id, f1.holds_from, f1.holds_to), ("F1", true, false));
        assert_eq!((f1.denominator_from, f1.denominator_to), (4, 2));
        assert_eq!(f1.measures[0].key, "share_older_10");
        assert_eq!((f1.measures[0].from, f1.measures[0].to), (0.75, 0.5));
        assert_eq!(f1.measures[0].change(), -0.25);
        let f2 = &f[1];
        assert!(f2.villages);
        assert_eq!((f2.denominator_from, f2.denominator_to), (1, 1));
        assert_eq!((f2.measures[0].from, f2.measures[0].to), (4.0, 2.0));
        // The JSON side by side agrees with the typed one.
        let j = findings_change(
            &serde_json::to_value(&p1).unwrap(),
            &serde_json::to_value(&p2).unwrap(),
        );
        assert_eq!(j["f1"]["share_older_10"]["change"], json!(-0.25));
        assert_eq!(j["f1"]["holds"], json!({"from": true, "to": false}));
        assert_eq!(
            j["f2"]["mean"],
            json!({"from": 4.0, "to": 2.0, "change": -2.0})
        );
        // Against a wave that counts no group there: "no data", not "does not hold".
        let empty = Tallies::default();
        let p0 = Profile::compute(empty.input(region, wave("w0"), "seed-2007", 1, name));
        let f = finding_changes(&p0, &p1);
        use crate::profile::Verdict;
        for c in &f {
            assert_eq!(
                (c.verdict_from, c.holds_from),
                (Verdict::NoData, false),
                "{}",
                c.id
            );
            assert_eq!(c.verdict_to, Verdict::of(true, c.holds_to), "{}", c.id);
        }
        assert_eq!(f[0].verdict_to, Verdict::Holds);
    }

    #[test]
    fn findings_side_by_side() {
        let a = json!({
            "region": {"code": "73"}, "wave": {"id": "w1"}, "rules": "seed-2007",
            "groups_qualifying": 40,
            "f1": {"holds": true, "sentence_id": "Berlaku", "groups": 40, "share_older_10": 0.75,
                   "age_bands": {"lt5": 2}},
            "by_type": [{"code": "arisan", "label_id": "Arisan", "label_en": "Rotating savings group",
                         "groups": 10, "share_older_10": 0.5}],
            "by_village": [{"code": "73.08.21.1001", "name": "Biru", "groups": 4},
                           {"code": "73.08.21.1002", "name": "Bukaka", "groups": 6}]
        });
        let b = json!({
            "region": {"code": "73"}, "wave": {"id": "w2"}, "rules": "seed-2007",
            "groups_qualifying": 30,
            "f1": {"holds": false, "sentence_id": "Tidak berlaku", "groups": 30, "share_older_10": 0.5,
                   "age_bands": {"lt5": 5}},
            "by_type": [{"code": "arisan", "label_id": "Arisan", "label_en": "Rotating savings group",
                         "groups": 12, "share_older_10": 0.25}],
            "by_village": [{"code": "73.08.21.1001", "name": "Biru", "groups": 5}]
        });
        let f = findings_change(&a, &b);
        assert!(f.get("region").is_none() && f.get("wave").is_none() && f.get("rules").is_none());
        assert_eq!(
            f["groups_qualifying"],
            json!({"from": 40, "to": 30, "change": -10})
        );
        assert_eq!(
            f["f1"]["share_older_10"],
            json!({"from": 0.75, "to": 0.5, "change": -0.25})
        );
        assert_eq!(
            f["f1"]["groups"],
            json!({"from": 40, "to": 30, "change": -10})
        );
        assert_eq!(f["f1"]["holds"], json!({"from": true, "to": false}));
        assert_eq!(
            f["f1"]["sentence_id"],
            json!({"from": "Berlaku", "to": "Tidak berlaku"})
        );
        assert_eq!(f["f1"]["age_bands"]["lt5"]["change"], json!(3));
        assert_eq!(
            f["by_type"]["arisan"]["label_en"],
            json!("Rotating savings group")
        );
        assert_eq!(
            f["by_type"]["arisan"]["share_older_10"],
            json!({"from": 0.5, "to": 0.25, "change": -0.25})
        );
        assert_eq!(f["by_village"]["73.08.21.1001"]["name"], json!("Biru"));
        assert_eq!(
            f["by_village"]["73.08.21.1002"]["groups"],
            json!({"from": 6, "to": null, "change": null})
        );
    }
}
