//! The official tree: name keys and `RegionTree` (lookups by code and by name,
//! descendants, suggestions).

use super::code::{FIELD, Level, RegionCode, RegionKind};
use super::csv::parse_level;
use super::unit::Region;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The key names are compared by: lowercase, without whitespace, apostrophes, hyphens and
/// dots, so that `Regapu'u`, `regapuu` and `Regapu’u` are the same name.
pub fn name_key(s: &str) -> String {
    name_key_chars(s).collect()
}

/// [`name_key`] as characters, to extend a reused buffer without allocating.
pub fn name_key_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '\'' | '\u{2019}'
                        | '\u{2018}'
                        | '`'
                        | '\u{b4}'
                        | '-'
                        | '\u{2010}'
                        | '\u{2011}'
                        | '.'
                )
        })
        .flat_map(char::to_lowercase)
}

/// The regency name without its "Kabupaten " / "Kota " prefix, if it has one.
pub(crate) fn strip_regency_prefix(name: &str) -> Option<&str> {
    ["Kabupaten ", "Kota "]
        .into_iter()
        .find_map(|prefix| name.strip_prefix(prefix))
}

/// A user's query with a "Kab." / "Kab " abbreviation spelled out.
pub(crate) fn expand_query(query: &str) -> Cow<'_, str> {
    let q = query.trim();
    for abbreviation in ["kab.", "kab "] {
        if let Some(head) = q.get(..abbreviation.len())
            && head.eq_ignore_ascii_case(abbreviation)
        {
            return Cow::Owned(format!("Kabupaten {}", &q[abbreviation.len()..]));
        }
    }
    Cow::Borrowed(q)
}

/// The slice of `regions` (sorted by code) whose codes lie strictly below `code`.
pub(crate) fn descendants<'a>(regions: &'a [Region], code: &RegionCode) -> &'a [Region] {
    // Everything below "73.08" is in ["73.08.", "73.08/"): '/' is the byte after '.'.
    let low = format!("{}.", code.0);
    let high = format!("{}/", code.0);
    let start = regions.partition_point(|r| r.code.0 < low);
    let end = regions.partition_point(|r| r.code.0 < high);
    regions.get(start..end.max(start)).unwrap_or_default()
}

/// One page of [`RegionTree::search_names`]: the regions from the offset on and how many
/// regions matched in all.
#[derive(Debug)]
pub struct RegionMatches<'a> {
    pub regions: Vec<&'a Region>,
    pub total: usize,
}

impl<'a> RegionMatches<'a> {
    fn page(all: Vec<&'a Region>, offset: usize, limit: usize) -> RegionMatches<'a> {
        let total = all.len();
        let regions = all.into_iter().skip(offset).take(limit).collect();
        RegionMatches { regions, total }
    }
}

/// The written kinds a search may start with, longest first, and the kinds they stand for.
const KIND_PREFIXES: &[(&str, &[RegionKind])] = &[
    ("kabupaten", &[RegionKind::Kabupaten]),
    ("kelurahan", &[RegionKind::Kelurahan]),
    ("kecamatan", &[RegionKind::Kecamatan]),
    ("provinsi", &[RegionKind::Provinsi]),
    ("desa adat", &[RegionKind::DesaAdat]),
    ("desa", &[RegionKind::Desa, RegionKind::DesaAdat]),
    ("prov", &[RegionKind::Provinsi]),
    ("kota", &[RegionKind::Kota]),
    ("kab", &[RegionKind::Kabupaten]),
    ("kel", &[RegionKind::Kelurahan]),
    ("kec", &[RegionKind::Kecamatan]),
    ("ds", &[RegionKind::Desa, RegionKind::DesaAdat]),
];

/// A query's leading kind ("Kel. ", "Kecamatan ", "Kab.", "Desa ") and the name after it.
/// The kind must be followed by a dot or a space and a name.
fn split_kind_prefix(query: &str) -> Option<(&'static [RegionKind], &str)> {
    let q = query.trim();
    KIND_PREFIXES.iter().find_map(|&(prefix, kinds)| {
        let head = q.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(prefix) {
            return None;
        }
        let rest = &q[prefix.len()..];
        let name = rest
            .strip_prefix('.')
            .or_else(|| rest.starts_with(char::is_whitespace).then_some(rest))?
            .trim();
        (!name.is_empty()).then_some((kinds, name))
    })
}

/// A region's name as written in an address: "Kec. Tanete Riattang", "Kab. Bone",
/// "Kota Makassar", "Sulawesi Selatan".
fn short_name(region: &Region) -> String {
    match region.kind {
        RegionKind::Kabupaten => format!(
            "Kab. {}",
            strip_regency_prefix(&region.name).unwrap_or(&region.name)
        ),
        RegionKind::Kecamatan => format!("Kec. {}", region.name),
        _ => region.name.clone(),
    }
}

/// The administrative tree: every region by level, sorted by code, with a name index.
#[derive(Debug)]
pub struct RegionTree {
    /// One vector per [`Level`], each sorted by code.
    levels: [Vec<Region>; 4],
    /// [`name_key`] to positions in [`RegionTree::all`] order. Regencies are also indexed
    /// without their "Kabupaten " / "Kota " prefix.
    by_name: HashMap<String, Vec<u32>>,
}

impl RegionTree {
    /// The official tree embedded from `data/regions`, parsed on first use.
    ///
    /// # Panics
    /// If the embedded data does not parse; a test guards against that.
    pub fn official() -> &'static RegionTree {
        static TREE: OnceLock<RegionTree> = OnceLock::new();
        TREE.get_or_init(|| {
            match RegionTree::from_csv(
                include_str!("../../../../data/regions/provinces.csv"),
                include_str!("../../../../data/regions/regencies.csv"),
                include_str!("../../../../data/regions/districts.csv"),
                include_str!("../../../../data/regions/villages.csv"),
            ) {
                Ok(tree) => tree,
                Err(e) => panic!("embedded region data is invalid: {e}"),
            }
        })
    }

    /// Builds a tree from the four CSV texts (columns `code,parent_code,name,lat,lng,kind`).
    /// Each file must be sorted by code, and every parent must exist in the file above.
    pub fn from_csv(
        provinces: &str,
        regencies: &str,
        districts: &str,
        villages: &str,
    ) -> Result<RegionTree, String> {
        let mut levels: [Vec<Region>; 4] = Default::default();
        let files = [
            ("provinces.csv", provinces),
            ("regencies.csv", regencies),
            ("districts.csv", districts),
            ("villages.csv", villages),
        ];
        for (level, (file, text)) in Level::ALL.into_iter().zip(files) {
            let (above, rest) = levels.split_at_mut(level.index());
            let parents = above.last().map(Vec::as_slice);
            rest[0] = parse_level(text, level, parents).map_err(|e| format!("{file}: {e}"))?;
        }

        let total: usize = levels.iter().map(Vec::len).sum();
        if u32::try_from(total).is_err() {
            return Err(format!("too many regions: {total}"));
        }
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::with_capacity(total);
        for (position, region) in (0u32..).zip(levels.iter().flatten()) {
            by_name
                .entry(name_key(&region.name))
                .or_default()
                .push(position);
            if region.level() == Level::Regency
                && let Some(short) = strip_regency_prefix(&region.name)
            {
                let key = name_key(short);
                if !key.is_empty() {
                    by_name.entry(key).or_default().push(position);
                }
            }
        }
        Ok(RegionTree { levels, by_name })
    }

    /// The region with this code, if it exists.
    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        let regions = &self.levels[code.level().index()];
        regions
            .binary_search_by(|r| r.code.cmp(code))
            .ok()
            .and_then(|i| regions.get(i))
    }

    /// The direct children of `code`, sorted by code (empty for villages and unknown codes).
    pub fn children(&self, code: &RegionCode) -> &[Region] {
        match self.levels.get(code.level().index() + 1) {
            Some(below) => descendants(below, code),
            None => &[],
        }
    }

    /// All provinces, sorted by code.
    pub fn provinces(&self) -> &[Region] {
        &self.levels[Level::Province.index()]
    }

    /// Every region at `level`, sorted by code.
    pub fn at_level(&self, level: Level) -> &[Region] {
        &self.levels[level.index()]
    }

    /// Every desa/kelurahan at or below `code`, in code order (a binary-searched range).
    pub fn villages_under(&self, code: &RegionCode) -> std::slice::Iter<'_, Region> {
        let villages = &self.levels[Level::Village.index()];
        if code.level() == Level::Village {
            return match villages.binary_search_by(|r| r.code.cmp(code)) {
                Ok(i) => villages[i..=i].iter(),
                Err(_) => [].iter(),
            };
        }
        descendants(villages, code).iter()
    }

    /// Every region: provinces, then regencies, districts and villages, each in code order,
    /// so that parents come before their children.
    pub fn all(&self) -> impl Iterator<Item = &Region> {
        self.levels.iter().flatten()
    }

    /// Number of regions at all levels.
    pub fn len(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    /// Whether the tree holds no region at all.
    pub fn is_empty(&self) -> bool {
        self.levels.iter().all(Vec::is_empty)
    }

    /// Number of regions at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.levels[level.index()].len()
    }

    /// Regions whose [`name_key`] equals the query's, optionally only at or below `within`
    /// and at `level`, in code order. A regency also matches without its "Kabupaten " /
    /// "Kota " prefix ("Bone" finds "Kabupaten Bone"), and "Kab." / "Kab " in the query is
    /// read as "Kabupaten ".
    pub fn find_by_name(
        &self,
        query: &str,
        within: Option<&RegionCode>,
        level: Option<Level>,
    ) -> Vec<&Region> {
        let key = name_key(&expand_query(query));
        if key.is_empty() {
            return Vec::new();
        }
        let Some(positions) = self.by_name.get(&key) else {
            return Vec::new();
        };
        let mut found: Vec<&Region> = positions
            .iter()
            .filter_map(|&p| self.at_position(p))
            .filter(|r| level.is_none_or(|l| r.level() == l))
            .filter(|r| within.is_none_or(|w| r.code.is_within(w)))
            .collect();
        found.sort_by(|a, b| a.code.cmp(&b.code));
        found.dedup_by(|a, b| a.code == b.code);
        found
    }

    /// Regions for a search box: names equal to the query first, then names starting with it,
    /// then names containing it (all compared by [`name_key`]); within each group larger units
    /// first, then code order. A leading kind ("Kel. Watampone", "Kec. Tanete Riattang",
    /// "Kab. Bone", "Kota Makassar", "Desa Bone", "Prov. Aceh", abbreviated or spelled out) is
    /// removed and only regions of that kind are returned; when no name of that kind equals or
    /// starts with the rest, the whole text is searched as a name ("Kota Baru" the village). Gives the `limit` results from
    /// `offset` on and how many there are in all.
    pub fn search_names(&self, query: &str, offset: usize, limit: usize) -> RegionMatches<'_> {
        let whole = || self.search_ranked(&expand_query(query), &[]);
        let found = match split_kind_prefix(query) {
            None => whole(),
            Some((kinds, rest)) => {
                let kinded = self.search_ranked(rest, kinds);
                // "Kota Baru" is a village's name, not the city of Pekanbaru: the kind is
                // taken as such when a name of that kind equals or starts with the rest.
                if kinded.first().is_some_and(|&(_, rank)| rank < 2) {
                    kinded
                } else {
                    let whole = whole();
                    if whole.is_empty() { kinded } else { whole }
                }
            }
        };
        RegionMatches::page(found.into_iter().map(|(r, _)| r).collect(), offset, limit)
    }

    /// Every region matching `text` (of one of `kinds`, or any kind when empty), best first,
    /// with its rank: 0 equal, 1 starts with the text, 2 contains it.
    fn search_ranked(&self, text: &str, kinds: &[RegionKind]) -> Vec<(&Region, u8)> {
        let key = name_key(text);
        if key.is_empty() {
            return Vec::new();
        }
        // (position, rank): 0 equal, 1 prefix, 2 substring.
        let mut hits: Vec<(u32, u8)> = Vec::new();
        for (name, positions) in &self.by_name {
            let rank = if *name == key {
                0
            } else if name.starts_with(&key) {
                1
            } else if name.contains(&key) {
                2
            } else {
                continue;
            };
            hits.extend(positions.iter().map(|&p| (p, rank)));
        }
        // A regency can be hit through both of its keys: keep its best rank.
        hits.sort_unstable();
        hits.dedup_by_key(|(p, _)| *p);
        // Positions follow `all()` order, which is level first, then code.
        hits.sort_unstable_by_key(|&(p, rank)| (rank, p));
        hits.into_iter()
            .filter_map(|(p, rank)| Some((self.at_position(p)?, rank)))
            .filter(|(r, _)| kinds.is_empty() || kinds.contains(&r.kind))
            .collect()
    }

    /// The area a region lies in, for telling equal names apart: its kecamatan and
    /// kabupaten/kota for a village ("Kec. Tanete Riattang, Kab. Bone"), its kabupaten/kota and
    /// province for a kecamatan, its province for a kabupaten/kota; `None` for a province.
    pub fn parent_area(&self, region: &Region) -> Option<String> {
        let ancestors = region.code.ancestors();
        let names: Vec<String> = ancestors
            .iter()
            .rev()
            .take(2)
            .filter_map(|code| self.get(code))
            .map(short_name)
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    }

    /// Parses `input` as a code and finds the region. An unknown but well-formed code gives an
    /// error listing the nearest existing regions (see [`RegionTree::suggest`]).
    pub fn resolve(&self, input: &str) -> Result<&Region, crate::FieldError> {
        let code = RegionCode::parse(input)?;
        if let Some(region) = self.get(&code) {
            return Ok(region);
        }
        let nearest = self
            .suggest(&code, 5)
            .iter()
            .map(|r| format!("{} {}", r.code, r.name))
            .collect::<Vec<_>>()
            .join(", ");
        Err(crate::FieldError::new(
            FIELD,
            input,
            format!("kode wilayah yang ada; yang terdekat: {nearest}"),
            format!("an existing region code; nearest: {nearest}"),
        ))
    }

    /// Existing regions near an unknown `code`: the children of its closest existing ancestor
    /// whose codes are numerically nearest to it (ties to the lower code); the nearest
    /// provinces if no ancestor exists.
    pub fn suggest(&self, code: &RegionCode, limit: usize) -> Vec<&Region> {
        let candidates = code
            .ancestors()
            .iter()
            .rev()
            .filter(|a| self.get(a).is_some())
            .map(|a| self.children(a))
            .find(|children| !children.is_empty())
            .unwrap_or_else(|| self.provinces());
        let Some(first) = candidates.first() else {
            return Vec::new();
        };
        let target = code.truncated(first.level()).number();
        let mut nearest: Vec<&Region> = candidates.iter().collect();
        nearest.sort_by_key(|r| (r.code.number().abs_diff(target), r.code.number()));
        nearest.truncate(limit);
        nearest
    }

    /// The region at `position` in [`RegionTree::all`] order.
    fn at_position(&self, position: u32) -> Option<&Region> {
        let mut i = usize::try_from(position).ok()?;
        for regions in &self.levels {
            match regions.get(i) {
                Some(region) => return Some(region),
                None => i -= regions.len(),
            }
        }
        None
    }
}
