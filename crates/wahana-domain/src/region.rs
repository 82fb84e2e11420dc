//! Indonesian administrative regions (wilayah administrasi) with their Kemendagri codes.
//!
//! The official tree (38 provinsi, 514 kabupaten/kota, 7,285 kecamatan, 83,762 desa/kelurahan)
//! is embedded from `data/regions/*.csv` and parsed once on first use; see
//! `data/regions/README.md` for the source, the version and how codes are structured.
//! Codes are held in their dotted form (`73.08.21.1003`): every segment has a fixed width, so
//! plain string order is numeric order and a region's descendants are a contiguous range.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

const FIELD: &str = "kode_wilayah";
const EXPECTED_ID: &str = "kode wilayah Kemendagri, mis. 73.08.21.1003 atau 7308211003";
const EXPECTED_EN: &str = "a Kemendagri region code, e.g. 73.08.21.1003 or 7308211003";

/// Digits per code segment: provinsi, kabupaten/kota, kecamatan, desa/kelurahan.
const SEGMENT_WIDTHS: [usize; 4] = [2, 2, 2, 4];

/// Level of the administrative hierarchy (tingkat wilayah).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum Level {
    /// Provinsi.
    #[serde(rename = "provinsi")]
    Province,
    /// Kabupaten or kota.
    #[serde(rename = "kabupaten_kota")]
    Regency,
    /// Kecamatan (distrik in Papua).
    #[serde(rename = "kecamatan")]
    District,
    /// Desa, kelurahan or desa adat.
    #[serde(rename = "desa_kelurahan")]
    Village,
}

impl Level {
    /// All levels, from the top down.
    pub const ALL: [Level; 4] = [
        Level::Province,
        Level::Regency,
        Level::District,
        Level::Village,
    ];

    /// The wire code, e.g. `kabupaten_kota`.
    pub fn code(self) -> &'static str {
        match self {
            Level::Province => "provinsi",
            Level::Regency => "kabupaten_kota",
            Level::District => "kecamatan",
            Level::Village => "desa_kelurahan",
        }
    }

    /// Label in Bahasa Indonesia.
    pub fn label_id(self) -> &'static str {
        match self {
            Level::Province => "Provinsi",
            Level::Regency => "Kabupaten/Kota",
            Level::District => "Kecamatan",
            Level::Village => "Desa/Kelurahan",
        }
    }

    /// Label in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Level::Province => "Province",
            Level::Regency => "Regency/City",
            Level::District => "District",
            Level::Village => "Village",
        }
    }

    /// Label in the given language.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Id => self.label_id(),
            crate::Lang::En => self.label_en(),
        }
    }

    /// Parses a wire code, ignoring case and surrounding space.
    pub fn from_code(s: &str) -> Option<Level> {
        let s = s.trim();
        Level::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s))
    }

    /// Position from the top: 0 for provinces, 3 for villages.
    fn index(self) -> usize {
        match self {
            Level::Province => 0,
            Level::Regency => 1,
            Level::District => 2,
            Level::Village => 3,
        }
    }
}

/// Kind of administrative unit (jenis wilayah), as derived from the code.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    Provinsi,
    Kabupaten,
    Kota,
    Kecamatan,
    Kelurahan,
    Desa,
    DesaAdat,
}

impl RegionKind {
    /// All kinds, from the top down.
    pub const ALL: [RegionKind; 7] = [
        RegionKind::Provinsi,
        RegionKind::Kabupaten,
        RegionKind::Kota,
        RegionKind::Kecamatan,
        RegionKind::Kelurahan,
        RegionKind::Desa,
        RegionKind::DesaAdat,
    ];

    /// The wire code, e.g. `desa_adat`.
    pub fn code(self) -> &'static str {
        match self {
            RegionKind::Provinsi => "provinsi",
            RegionKind::Kabupaten => "kabupaten",
            RegionKind::Kota => "kota",
            RegionKind::Kecamatan => "kecamatan",
            RegionKind::Kelurahan => "kelurahan",
            RegionKind::Desa => "desa",
            RegionKind::DesaAdat => "desa_adat",
        }
    }

    /// Label in Bahasa Indonesia.
    pub fn label_id(self) -> &'static str {
        match self {
            RegionKind::Provinsi => "Provinsi",
            RegionKind::Kabupaten => "Kabupaten",
            RegionKind::Kota => "Kota",
            RegionKind::Kecamatan => "Kecamatan",
            RegionKind::Kelurahan => "Kelurahan",
            RegionKind::Desa => "Desa",
            RegionKind::DesaAdat => "Desa Adat",
        }
    }

    /// Label in English.
    pub fn label_en(self) -> &'static str {
        match self {
            RegionKind::Provinsi => "Province",
            RegionKind::Kabupaten => "Regency",
            RegionKind::Kota => "City",
            RegionKind::Kecamatan => "District",
            RegionKind::Kelurahan => "Urban village",
            RegionKind::Desa => "Village",
            RegionKind::DesaAdat => "Customary village",
        }
    }

    /// Label in the given language.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Id => self.label_id(),
            crate::Lang::En => self.label_en(),
        }
    }

    /// Parses a wire code, ignoring case and surrounding space.
    pub fn from_code(s: &str) -> Option<RegionKind> {
        let s = s.trim();
        RegionKind::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(s))
    }

    /// The level a unit of this kind sits at.
    pub fn level(self) -> Level {
        match self {
            RegionKind::Provinsi => Level::Province,
            RegionKind::Kabupaten | RegionKind::Kota => Level::Regency,
            RegionKind::Kecamatan => Level::District,
            RegionKind::Kelurahan | RegionKind::Desa | RegionKind::DesaAdat => Level::Village,
        }
    }
}

/// A syntactically valid Kemendagri region code (kode wilayah), held in dotted form.
///
/// Ordering is the dotted string's order, which is also numeric order and puts a region
/// directly before its descendants.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses `73.08.21.1003`, `7308211003` or a shorter code of the same forms (`73`, `7308`,
    /// `730821`, `73.08`, `73.08.21`), ignoring surrounding space. Checks syntax only, not
    /// whether the region exists (see [`RegionTree::resolve`]).
    pub fn parse(s: &str) -> Result<RegionCode, crate::FieldError> {
        parse_code(s).ok_or_else(|| crate::FieldError::new(FIELD, s, EXPECTED_ID, EXPECTED_EN))
    }

    /// The dotted form, e.g. `73.08.21.1003`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The undotted form, e.g. `7308211003`.
    pub fn digits(&self) -> String {
        self.0.chars().filter(|c| *c != '.').collect()
    }

    /// The level, from the number of segments.
    pub fn level(&self) -> Level {
        match self.0.bytes().filter(|b| *b == b'.').count() {
            0 => Level::Province,
            1 => Level::Regency,
            2 => Level::District,
            _ => Level::Village,
        }
    }

    /// The code one level up; `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        self.0
            .rfind('.')
            .map(|i| RegionCode(self.0[..i].to_owned()))
    }

    /// All codes above this one, from the province down to the parent.
    pub fn ancestors(&self) -> Vec<RegionCode> {
        self.0
            .match_indices('.')
            .map(|(i, _)| RegionCode(self.0[..i].to_owned()))
            .collect()
    }

    /// For a village code, the kind its last segment encodes (1 kelurahan, 2 desa, 3 desa
    /// adat); `None` for other levels or another first digit.
    pub fn village_kind(&self) -> Option<RegionKind> {
        if self.level() != Level::Village {
            return None;
        }
        let last = self.0.rsplit('.').next()?;
        match last.as_bytes().first()? {
            b'1' => Some(RegionKind::Kelurahan),
            b'2' => Some(RegionKind::Desa),
            b'3' => Some(RegionKind::DesaAdat),
            _ => None,
        }
    }

    /// Whether this code is `ancestor` itself or lies below it.
    pub fn is_within(&self, ancestor: &RegionCode) -> bool {
        self.0 == ancestor.0
            || (self.0.len() > ancestor.0.len()
                && self.0.starts_with(&ancestor.0)
                && self.0.as_bytes()[ancestor.0.len()] == b'.')
    }

    /// The code as a number, for nearness (`7308211003`).
    fn number(&self) -> u64 {
        self.0
            .bytes()
            .filter(u8::is_ascii_digit)
            .fold(0, |n, b| n * 10 + u64::from(b - b'0'))
    }

    /// This code cut to `level`, or itself if it is already at or above it.
    fn truncated(&self, level: Level) -> RegionCode {
        match self.0.match_indices('.').nth(level.index()) {
            Some((i, _)) => RegionCode(self.0[..i].to_owned()),
            None => self.clone(),
        }
    }
}

/// The syntax check behind [`RegionCode::parse`].
fn parse_code(s: &str) -> Option<RegionCode> {
    let s = s.trim();
    let dotted = s.contains('.');
    let mut code = String::with_capacity(13);
    let mut rest = s;
    for (i, width) in SEGMENT_WIDTHS.into_iter().enumerate() {
        if i > 0 {
            if rest.is_empty() {
                break;
            }
            if dotted {
                rest = rest.strip_prefix('.')?;
            }
            code.push('.');
        }
        let (segment, tail) = rest.split_at_checked(width)?;
        // No segment of a real code is all zeros.
        let well_formed =
            segment.bytes().all(|b| b.is_ascii_digit()) && segment.bytes().any(|b| b != b'0');
        if !well_formed {
            return None;
        }
        code.push_str(segment);
        rest = tail;
    }
    rest.is_empty().then_some(RegionCode(code))
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RegionCode {
    type Err = crate::FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(deserializer)?;
        parse_code(&s).ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "invalid region code {s:?}: expected {EXPECTED_EN}"
            ))
        })
    }
}

/// One administrative unit.
#[derive(Clone, Debug, Serialize)]
pub struct Region {
    pub code: RegionCode,
    /// Official name; kabupaten/kota keep their "Kabupaten " / "Kota " prefix.
    pub name: String,
    pub kind: RegionKind,
    /// Centroid of the BIG polygon (WGS84), where the source has one.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

impl Region {
    pub fn level(&self) -> Level {
        self.code.level()
    }
}

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
fn strip_regency_prefix(name: &str) -> Option<&str> {
    ["Kabupaten ", "Kota "]
        .into_iter()
        .find_map(|prefix| name.strip_prefix(prefix))
}

/// A user's query with a "Kab." / "Kab " abbreviation spelled out.
fn expand_query(query: &str) -> Cow<'_, str> {
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
fn descendants<'a>(regions: &'a [Region], code: &RegionCode) -> &'a [Region] {
    // Everything below "73.08" is in ["73.08.", "73.08/"): '/' is the byte after '.'.
    let low = format!("{}.", code.0);
    let high = format!("{}/", code.0);
    let start = regions.partition_point(|r| r.code.0 < low);
    let end = regions.partition_point(|r| r.code.0 < high);
    regions.get(start..end.max(start)).unwrap_or_default()
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
                include_str!("../../../data/regions/provinces.csv"),
                include_str!("../../../data/regions/regencies.csv"),
                include_str!("../../../data/regions/districts.csv"),
                include_str!("../../../data/regions/villages.csv"),
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
    /// first, then code order. At most `limit` results.
    pub fn search_names(&self, query: &str, limit: usize) -> Vec<&Region> {
        let key = name_key(&expand_query(query));
        if key.is_empty() || limit == 0 {
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
            .filter_map(|(p, _)| self.at_position(p))
            .take(limit)
            .collect()
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

/// Parses one level's CSV, checking each row against its level and its parents.
fn parse_level(
    text: &str,
    level: Level,
    parents: Option<&[Region]>,
) -> Result<Vec<Region>, String> {
    const HEADER: [&str; 6] = ["code", "parent_code", "name", "lat", "lng", "kind"];
    let mut reader = CsvReader::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let mut fields = Vec::with_capacity(HEADER.len());
    let line = reader.line;
    if !reader.next_record(&mut fields)? || fields != HEADER {
        return Err(format!(
            "line {line}: expected the header {}",
            HEADER.join(",")
        ));
    }
    let mut regions: Vec<Region> = Vec::with_capacity(text.len() / 48);
    let mut parent_cursor = 0;
    loop {
        let line = reader.line;
        if !reader.next_record(&mut fields)? {
            break;
        }
        let region = parse_row(&fields, level, parents, &mut parent_cursor)
            .map_err(|e| format!("line {line}: {e}"))?;
        if let Some(previous) = regions.last()
            && previous.code >= region.code
        {
            let (code, previous) = (&region.code, &previous.code);
            return Err(format!(
                "line {line}: {code} is not after {previous} (rows must be sorted, no duplicates)"
            ));
        }
        regions.push(region);
    }
    Ok(regions)
}

fn parse_row(
    fields: &[Cow<'_, str>],
    level: Level,
    parents: Option<&[Region]>,
    cursor: &mut usize,
) -> Result<Region, String> {
    let [code, parent_code, name, lat, lng, kind] = fields else {
        return Err(format!("expected 6 fields, found {}", fields.len()));
    };
    let code = match parse_code(code) {
        Some(parsed) if parsed.as_str() == code => parsed,
        _ => return Err(format!("invalid code {code:?}")),
    };
    if code.level() != level {
        return Err(format!("{code} is not at level {}", level.code()));
    }
    let parent = code.0.rfind('.').map(|i| &code.0[..i]);
    match (parent, parents) {
        (None, _) if parent_code.is_empty() => {}
        (Some(parent), Some(parents)) if parent == parent_code => {
            // Rows come sorted, so the parent is at or after the previous row's parent.
            while parents
                .get(*cursor)
                .is_some_and(|r| r.code.0.as_str() < parent)
            {
                *cursor += 1;
            }
            if parents.get(*cursor).is_none_or(|r| r.code.0 != parent) {
                match parents.binary_search_by(|r| r.code.0.as_str().cmp(parent)) {
                    Ok(i) => *cursor = i,
                    Err(_) => return Err(format!("{code}: parent {parent} does not exist")),
                }
            }
        }
        _ => return Err(format!("{code}: wrong parent_code {parent_code:?}")),
    }
    if name.trim().is_empty() {
        return Err(format!("{code}: empty name"));
    }
    let kind =
        RegionKind::from_code(kind).ok_or_else(|| format!("{code}: unknown kind {kind:?}"))?;
    if kind.level() != level || code.village_kind().is_some_and(|k| k != kind) {
        return Err(format!(
            "{code}: kind {} does not fit the code",
            kind.code()
        ));
    }
    let (lat, lng) = match (lat.as_ref(), lng.as_ref()) {
        ("", "") => (None, None),
        (lat, lng) => (
            Some(
                parse_coordinate(lat, 90.0)
                    .ok_or_else(|| format!("{code}: invalid lat {lat:?}"))?,
            ),
            Some(
                parse_coordinate(lng, 180.0)
                    .ok_or_else(|| format!("{code}: invalid lng {lng:?}"))?,
            ),
        ),
    };
    Ok(Region {
        code,
        name: name.clone().into_owned(),
        kind,
        lat,
        lng,
    })
}

fn parse_coordinate(s: &str, bound: f64) -> Option<f64> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= bound)
}

/// A minimal RFC 4180 reader: fields separated by commas, records by LF or CRLF, fields
/// optionally quoted with `""` for a quote inside. Fields borrow from the text unless they
/// contain an escaped quote.
struct CsvReader<'a> {
    rest: &'a str,
    /// 1-based line number of `rest`'s start, for error messages.
    line: usize,
}

impl<'a> CsvReader<'a> {
    fn new(text: &'a str) -> Self {
        CsvReader {
            rest: text,
            line: 1,
        }
    }

    /// Reads the next record into `fields`; `false` at the end of the text.
    fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<bool, String> {
        fields.clear();
        if self.rest.is_empty() {
            return Ok(false);
        }
        loop {
            fields.push(self.field()?);
            let bytes = self.rest.as_bytes();
            match bytes.first() {
                Some(b',') => self.rest = &self.rest[1..],
                Some(b'\n') => {
                    self.rest = &self.rest[1..];
                    self.line += 1;
                    return Ok(true);
                }
                Some(b'\r') if bytes.get(1) == Some(&b'\n') => {
                    self.rest = &self.rest[2..];
                    self.line += 1;
                    return Ok(true);
                }
                None => return Ok(true),
                Some(_) => {
                    return Err(format!(
                        "line {}: expected a comma or the end of the line after a quoted field",
                        self.line
                    ));
                }
            }
        }
    }

    /// Reads one field, leaving `rest` at the separator after it.
    fn field(&mut self) -> Result<Cow<'a, str>, String> {
        let Some(quoted) = self.rest.strip_prefix('"') else {
            let end = self
                .rest
                .find([',', '\n', '\r', '"'])
                .unwrap_or(self.rest.len());
            let (value, rest) = self.rest.split_at(end);
            if rest.starts_with('"') {
                return Err(format!(
                    "line {}: quote inside an unquoted field",
                    self.line
                ));
            }
            self.rest = rest;
            return Ok(Cow::Borrowed(value));
        };
        let mut value: Cow<'a, str> = Cow::Borrowed("");
        let mut rest = quoted;
        loop {
            let Some(end) = rest.find('"') else {
                return Err(format!("line {}: unterminated quoted field", self.line));
            };
            let part = &rest[..end];
            self.line += part.matches('\n').count();
            if value.is_empty() {
                value = Cow::Borrowed(part);
            } else {
                value.to_mut().push_str(part);
            }
            rest = &rest[end + 1..];
            match rest.strip_prefix('"') {
                Some(after) => {
                    value.to_mut().push('"');
                    rest = after;
                }
                None => break,
            }
        }
        self.rest = rest;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        parse_code(s).unwrap_or_else(|| panic!("bad test code {s}"))
    }

    fn official() -> &'static RegionTree {
        RegionTree::official()
    }

    #[test]
    fn region_code_parsing() {
        // input, dotted form (None: rejected), level, parent, village kind
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<Level>,
            Option<&'static str>,
            Option<RegionKind>,
        );
        let cases: &[Case] = &[
            (
                "73.08.21.1003",
                Some("73.08.21.1003"),
                Some(Level::Village),
                Some("73.08.21"),
                Some(RegionKind::Kelurahan),
            ),
            (
                "7308211003",
                Some("73.08.21.1003"),
                Some(Level::Village),
                Some("73.08.21"),
                Some(RegionKind::Kelurahan),
            ),
            (
                "  7308211003 ",
                Some("73.08.21.1003"),
                Some(Level::Village),
                Some("73.08.21"),
                Some(RegionKind::Kelurahan),
            ),
            (
                "11.01.01.2001",
                Some("11.01.01.2001"),
                Some(Level::Village),
                Some("11.01.01"),
                Some(RegionKind::Desa),
            ),
            (
                "91.03.01.3001",
                Some("91.03.01.3001"),
                Some(Level::Village),
                Some("91.03.01"),
                Some(RegionKind::DesaAdat),
            ),
            (
                "73.08.21",
                Some("73.08.21"),
                Some(Level::District),
                Some("73.08"),
                None,
            ),
            (
                "730821",
                Some("73.08.21"),
                Some(Level::District),
                Some("73.08"),
                None,
            ),
            (
                "73.08",
                Some("73.08"),
                Some(Level::Regency),
                Some("73"),
                None,
            ),
            (
                "7308",
                Some("73.08"),
                Some(Level::Regency),
                Some("73"),
                None,
            ),
            ("73", Some("73"), Some(Level::Province), None, None),
            (" 73 ", Some("73"), Some(Level::Province), None, None),
            ("", None, None, None, None),
            ("7", None, None, None, None),
            ("730", None, None, None, None),
            ("73082", None, None, None, None),
            ("73082110", None, None, None, None),
            ("730821100", None, None, None, None),
            ("73082110031", None, None, None, None),
            ("73.8", None, None, None, None),
            ("73.08.21.103", None, None, None, None),
            ("73.08.21.1003.1", None, None, None, None),
            ("73.0821", None, None, None, None),
            ("73..08", None, None, None, None),
            ("73.08.", None, None, None, None),
            (".73", None, None, None, None),
            ("73.08.21.10a3", None, None, None, None),
            ("73 08 21", None, None, None, None),
            ("00", None, None, None, None),
            ("73.00.21", None, None, None, None),
            ("٧٣", None, None, None, None),
            ("abc", None, None, None, None),
        ];
        for &(input, dotted, level, parent, kind) in cases {
            let parsed = parse_code(input);
            assert_eq!(parsed.as_ref().map(RegionCode::as_str), dotted, "{input:?}");
            let Some(parsed) = parsed else { continue };
            assert_eq!(Some(parsed.level()), level, "{input:?} level");
            assert_eq!(
                parsed.parent().as_ref().map(RegionCode::as_str),
                parent,
                "{input:?} parent"
            );
            assert_eq!(parsed.village_kind(), kind, "{input:?} village kind");
            assert_eq!(
                parsed.digits(),
                parsed.as_str().replace('.', ""),
                "{input:?} digits"
            );
            assert_eq!(parsed.to_string(), parsed.as_str(), "{input:?} display");
        }
    }

    #[test]
    fn region_code_relations() {
        // code, ancestor, is_within
        let cases = [
            ("73.08.21.1003", "73", true),
            ("73.08.21.1003", "73.08", true),
            ("73.08.21.1003", "73.08.21", true),
            ("73.08.21.1003", "73.08.21.1003", true),
            ("73.08", "73.08", true),
            ("73.08", "73.08.21", false),
            ("73.08.21.1003", "73.08.22", false),
            ("73.08.21.1003", "74", false),
            ("74.01", "73", false),
        ];
        for (c, a, within) in cases {
            assert_eq!(code(c).is_within(&code(a)), within, "{c} within {a}");
        }
        let ancestors: Vec<String> = code("73.08.21.1003")
            .ancestors()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(ancestors, ["73", "73.08", "73.08.21"]);
        assert!(code("73").ancestors().is_empty());
        // Order is numeric order and puts a parent before its children.
        assert!(
            code("73") < code("73.08")
                && code("73.08") < code("73.08.21")
                && code("73.08.27") < code("73.09")
        );
    }

    #[test]
    fn region_code_serde() {
        // JSON input, accepted
        let cases = [
            (r#""73.08.21.1003""#, true),
            (r#""7308211003""#, true),
            (r#""73.08.21.103""#, false),
            ("7308211003", false),
        ];
        for (json, ok) in cases {
            let parsed: Result<RegionCode, _> = serde_json::from_str(json);
            assert_eq!(parsed.is_ok(), ok, "{json}");
        }
        let json = serde_json::to_string(&code("7308211003")).unwrap_or_default();
        assert_eq!(json, r#""73.08.21.1003""#);
        let level = serde_json::to_string(&[
            Level::Province,
            Level::Regency,
            Level::District,
            Level::Village,
        ])
        .unwrap_or_default();
        assert_eq!(
            level,
            r#"["provinsi","kabupaten_kota","kecamatan","desa_kelurahan"]"#
        );
        let kind = serde_json::to_string(&RegionKind::ALL).unwrap_or_default();
        assert_eq!(
            kind,
            r#"["provinsi","kabupaten","kota","kecamatan","kelurahan","desa","desa_adat"]"#
        );
        for k in RegionKind::ALL {
            assert_eq!(RegionKind::from_code(k.code()), Some(k));
        }
        for l in Level::ALL {
            assert_eq!(Level::from_code(l.code()), Some(l));
        }
    }

    #[test]
    fn region_official_counts() {
        let tree = official();
        // level, count
        let levels = [
            (Level::Province, 38),
            (Level::Regency, 514),
            (Level::District, 7285),
            (Level::Village, 83762),
        ];
        for (level, count) in levels {
            assert_eq!(tree.count(level), count, "{level:?}");
        }
        assert_eq!(tree.len(), 91_599);
        assert_eq!(tree.all().count(), 91_599);
        // kind, count
        let kinds = [
            (RegionKind::Provinsi, 38),
            (RegionKind::Kabupaten, 416),
            (RegionKind::Kota, 98),
            (RegionKind::Kecamatan, 7285),
            (RegionKind::Desa, 75_252),
            (RegionKind::Kelurahan, 8496),
            (RegionKind::DesaAdat, 14),
        ];
        for (kind, count) in kinds {
            assert_eq!(
                tree.all().filter(|r| r.kind == kind).count(),
                count,
                "{kind:?}"
            );
        }
        let desa_adat_outside_jayapura = tree
            .all()
            .filter(|r| r.kind == RegionKind::DesaAdat && !r.code.is_within(&code("91.03")))
            .count();
        assert_eq!(desa_adat_outside_jayapura, 0);
        // all() yields parents before children.
        let levels: Vec<Level> = tree.all().map(Region::level).collect();
        assert!(levels.is_sorted());
    }

    #[test]
    fn region_lookups() {
        let tree = official();
        // code, name, kind, has coordinates
        let cases = [
            ("73", "Sulawesi Selatan", RegionKind::Provinsi, true),
            ("73.08", "Kabupaten Bone", RegionKind::Kabupaten, true),
            ("73.08.21", "Tanete Riattang", RegionKind::Kecamatan, true),
            ("73.08.21.1003", "Watampone", RegionKind::Kelurahan, true),
            ("53.07.01.2021", "Regapu’u", RegionKind::Desa, false),
            (
                "12.07.28.1007",
                "Lubuk Pakam I,II",
                RegionKind::Kelurahan,
                true,
            ),
        ];
        for (c, name, kind, located) in cases {
            let region = tree.get(&code(c));
            assert_eq!(
                region.map(|r| (r.name.as_str(), r.kind)),
                Some((name, kind)),
                "{c}"
            );
            assert_eq!(
                region.is_some_and(|r| r.lat.is_some() && r.lng.is_some()),
                located,
                "{c}"
            );
        }
        // unknown codes
        for c in ["73.08.21.1009", "73.08.99", "73.98", "10", "99.01.01.2001"] {
            assert!(tree.get(&code(c)).is_none(), "{c}");
        }
        let located = tree
            .all()
            .filter(|r| r.level() == Level::Village && r.lat.is_some())
            .count();
        assert_eq!(located, 83_254);
    }

    #[test]
    fn region_children() {
        let tree = official();
        let names: Vec<&str> = tree
            .children(&code("73.08.21"))
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Biru",
                "Ta",
                "Watampone",
                "Bukaka",
                "Pappolo",
                "Manurunge",
                "Walanae",
                "Masumpu"
            ]
        );
        // parent, number of children
        let cases = [
            ("73.08", 27),
            ("73.08.21", 8),
            ("73.08.21.1003", 0),
            ("73.08.99", 0),
            ("91.03", 19),
        ];
        for (c, n) in cases {
            let children = tree.children(&code(c));
            assert_eq!(children.len(), n, "{c}");
            assert!(
                children
                    .iter()
                    .all(|r| r.code.parent().as_ref() == Some(&code(c))),
                "{c}"
            );
        }
        assert_eq!(tree.provinces().len(), 38);
        assert_eq!(
            tree.provinces().first().map(|r| r.name.as_str()),
            Some("Aceh")
        );
    }

    #[test]
    fn region_villages_under() {
        let tree = official();
        // code, villages, kelurahan
        let cases = [
            ("73.08", 372, 44),
            ("7308", 372, 44),
            ("73.08.21", 8, 8),
            ("73.08.21.1003", 1, 1),
            ("73.08.21.1009", 0, 0),
            ("91.03", 144, 5),
        ];
        for (c, villages, kelurahan) in cases {
            let under: Vec<&Region> = tree.villages_under(&code(c)).collect();
            assert_eq!(under.len(), villages, "{c}");
            assert_eq!(
                under
                    .iter()
                    .filter(|r| r.kind == RegionKind::Kelurahan)
                    .count(),
                kelurahan,
                "{c}"
            );
            assert!(
                under
                    .iter()
                    .all(|r| r.level() == Level::Village && r.code.is_within(&code(c))),
                "{c}"
            );
            assert!(under.is_sorted_by_key(|r| &r.code), "{c}");
        }
        assert_eq!(
            tree.villages_under(&code("91.03"))
                .filter(|r| r.kind == RegionKind::DesaAdat)
                .count(),
            14
        );
        // "73.08" must not reach into a "73.08x" neighbour: compare with a full scan.
        for c in ["73", "73.08", "73.71", "91.03", "11.01.01"] {
            let scanned = tree
                .all()
                .filter(|r| r.level() == Level::Village && r.code.is_within(&code(c)))
                .count();
            assert_eq!(tree.villages_under(&code(c)).len(), scanned, "{c}");
        }
        let total: usize = tree
            .provinces()
            .iter()
            .map(|p| tree.villages_under(&p.code).len())
            .sum();
        assert_eq!(total, 83_762);
    }

    #[test]
    fn region_name_keys() {
        // input, key
        let cases = [
            ("Regapu’u", "regapuu"),
            ("Regapu'u", "regapuu"),
            ("REGAPU‘U", "regapuu"),
            ("Tanete  Riattang", "taneteriattang"),
            ("Kab. Bone-Bone", "kabbonebone"),
            ("Lubuk Pakam I,II", "lubukpakami,ii"),
            ("", ""),
        ];
        for (input, key) in cases {
            assert_eq!(name_key(input), key, "{input:?}");
        }
    }

    #[test]
    fn region_find_by_name() {
        let tree = official();
        // query, within, level, expected codes
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<Level>,
            &'static [&'static str],
        );
        let cases: &[Case] = &[
            ("ta", Some("73.08.21"), None, &["73.08.21.1002"]),
            (
                "TA",
                Some("73.08.21"),
                Some(Level::Village),
                &["73.08.21.1002"],
            ),
            ("ta", Some("73.08.21"), Some(Level::District), &[]),
            ("regapuu", Some("53.07"), None, &["53.07.01.2021"]),
            ("Regapu'u", Some("53.07"), None, &["53.07.01.2021"]),
            ("regapu’u", None, None, &["53.07.01.2021"]),
            ("bone", None, Some(Level::Regency), &["73.08"]),
            ("Kabupaten Bone", None, None, &["73.08"]),
            ("kab. bone", None, None, &["73.08"]),
            ("Kab Bone", None, None, &["73.08"]),
            (
                "bone",
                Some("73"),
                None,
                &["73.06.02.2013", "73.08", "73.10.09.1003", "73.22.03.1002"],
            ),
            ("Tanete Riattang", None, None, &["73.08.21"]),
            ("tanete riattang barat", None, None, &["73.08.22"]),
            ("Makassar", None, Some(Level::Regency), &["73.71"]),
            ("Kota Makassar", None, None, &["73.71"]),
            ("", None, None, &[]),
            ("tidak ada nama ini", None, None, &[]),
        ];
        for &(query, within, level, expected) in cases {
            let within = within.map(code);
            let found: Vec<&str> = tree
                .find_by_name(query, within.as_ref(), level)
                .iter()
                .map(|r| r.code.as_str())
                .collect();
            assert_eq!(found, expected, "{query:?} within {within:?} at {level:?}");
        }
        let bone = tree.find_by_name("bone", None, None);
        assert!(bone.len() > 2 && bone.iter().any(|r| r.name == "Kabupaten Bone"));
        assert!(bone.is_sorted_by_key(|r| &r.code));
    }

    #[test]
    fn region_search_names() {
        let tree = official();
        // query, limit, first result's code, number of results
        let cases = [
            ("Watampone", 5, Some("73.08.21.1003"), 1),
            ("bone", 3, Some("73.08"), 3),
            ("bone bolango", 10, Some("75.03"), 1),
            ("sulawesi sel", 5, Some("73"), 1),
            ("tanete riattang", 10, Some("73.08.21"), 3),
            ("regapu", 5, Some("53.07.01.2021"), 1),
            ("", 5, None, 0),
            ("bone", 0, None, 0),
            ("zzzzqqq", 5, None, 0),
        ];
        for (query, limit, first, n) in cases {
            let found = tree.search_names(query, limit);
            assert_eq!(found.first().map(|r| r.code.as_str()), first, "{query:?}");
            assert_eq!(found.len(), n, "{query:?}");
        }
        // Equal names come before names that only start with or contain the query.
        let found = tree.search_names("bone", 100);
        let key_rank = |r: &Region| {
            let keys = [
                Some(name_key(&r.name)),
                strip_regency_prefix(&r.name).map(name_key),
            ];
            if keys.iter().flatten().any(|k| k == "bone") {
                0
            } else if keys.iter().flatten().any(|k| k.starts_with("bone")) {
                1
            } else {
                2
            }
        };
        assert!(found.iter().map(|r| key_rank(r)).is_sorted());
        assert!(found.iter().any(|r| key_rank(r) == 1) && found.iter().any(|r| key_rank(r) == 2));
    }

    #[test]
    fn region_suggest_and_resolve() {
        let tree = official();
        // unknown code, nearest suggestions (limit 3)
        let cases: &[(&str, &[&str])] = &[
            (
                "73.08.21.1009",
                &["73.08.21.1008", "73.08.21.1007", "73.08.21.1006"],
            ),
            (
                "73.08.21.2001",
                &["73.08.21.1008", "73.08.21.1007", "73.08.21.1006"],
            ),
            ("73.08.99", &["73.08.27", "73.08.26", "73.08.25"]),
            ("73.08.99.1001", &["73.08.27", "73.08.26", "73.08.25"]),
            ("10", &["11", "12", "13"]),
            ("10.01.01.1001", &["11", "12", "13"]),
        ];
        for &(c, expected) in cases {
            let found: Vec<&str> = tree
                .suggest(&code(c), 3)
                .iter()
                .map(|r| r.code.as_str())
                .collect();
            assert_eq!(found, expected, "{c}");
        }
        // input, resolved code
        let resolved = [
            ("73.08.21.1003", Some("73.08.21.1003")),
            ("7308211003", Some("73.08.21.1003")),
            (" 73.08 ", Some("73.08")),
            ("73.08.21.1009", None),
            ("73.08.21.10", None),
        ];
        for (input, expected) in resolved {
            assert_eq!(
                tree.resolve(input).ok().map(|r| r.code.as_str()),
                expected,
                "{input:?}"
            );
        }
        let err = tree
            .resolve("73.08.21.1009")
            .err()
            .map(|e| format!("{e:?}"))
            .unwrap_or_default();
        assert!(
            err.contains("73.08.21.1008 Masumpu, 73.08.21.1007 Walanae"),
            "{err}"
        );
        assert!(err.contains("kode_wilayah"), "{err}");
        let err = tree
            .resolve("73.08.21.10")
            .err()
            .map(|e| format!("{e:?}"))
            .unwrap_or_default();
        assert!(err.contains("7308211003"), "{err}");
    }

    const PROVINCES: &str =
        "code,parent_code,name,lat,lng,kind\n73,,Sulawesi Selatan,-3.6,120.0,provinsi\n";
    const REGENCIES: &str =
        "code,parent_code,name,lat,lng,kind\r\n73.08,73,\"Kabupaten \"\"Bone\"\"\",,,kabupaten\r\n";
    const DISTRICTS: &str =
        "code,parent_code,name,lat,lng,kind\n73.08.21,73.08,Tanete Riattang,,,kecamatan";
    const VILLAGES: &str = "code,parent_code,name,lat,lng,kind
73.08.21.1001,73.08.21,\"Biru, Atas\",-4.5,120.3,kelurahan
73.08.21.2001,73.08.21,Ta’a,,,desa
";

    #[test]
    fn region_from_csv() {
        let tree = RegionTree::from_csv(PROVINCES, REGENCIES, DISTRICTS, VILLAGES);
        let tree = tree.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tree.len(), 5);
        // code, name
        let cases = [
            ("73.08", "Kabupaten \"Bone\""),
            ("73.08.21.1001", "Biru, Atas"),
            ("73.08.21.2001", "Ta’a"),
        ];
        for (c, name) in cases {
            assert_eq!(
                tree.get(&code(c)).map(|r| r.name.as_str()),
                Some(name),
                "{c}"
            );
        }
        assert_eq!(tree.find_by_name("taa", None, None).len(), 1);
        assert_eq!(tree.find_by_name("\"bone\"", None, None).len(), 1);

        // villages.csv, error fragment
        let header = "code,parent_code,name,lat,lng,kind\n";
        let bad = [
            ("", "line 1: expected the header"),
            ("code,name\n", "line 1: expected the header"),
            (
                "73.08.21.1001,73.08.21,Biru,,,kelurahan\n",
                "expected the header",
            ),
            (
                "73.08.21.1001,73.08.21,Biru,,kelurahan\n",
                "line 2: expected 6 fields",
            ),
            (
                "7308211001,73.08.21,Biru,,,kelurahan\n",
                "line 2: invalid code",
            ),
            ("73.08.21,73.08,Biru,,,kelurahan\n", "not at level"),
            (
                "73.08.21.1001,73.08,Biru,,,kelurahan\n",
                "wrong parent_code",
            ),
            (
                "73.08.22.1001,73.08.22,Biru,,,kelurahan\n",
                "parent 73.08.22 does not exist",
            ),
            ("73.08.21.1001,73.08.21,Biru,,,desa\n", "does not fit"),
            ("73.08.21.1001,73.08.21,Biru,,,kota\n", "does not fit"),
            ("73.08.21.1001,73.08.21,Biru,,,dusun\n", "unknown kind"),
            ("73.08.21.1001,73.08.21, ,,,kelurahan\n", "empty name"),
            (
                "73.08.21.1001,73.08.21,Biru,-4.5,,kelurahan\n",
                "invalid lng",
            ),
            (
                "73.08.21.1001,73.08.21,Biru,95,120,kelurahan\n",
                "invalid lat",
            ),
            (
                "73.08.21.1001,73.08.21,\"Biru,,,kelurahan\n",
                "unterminated",
            ),
            (
                "73.08.21.1001,73.08.21,\"Biru\"x,,,kelurahan\n",
                "after a quoted field",
            ),
            (
                "73.08.21.1001,73.08.21,Bi\"ru,,,kelurahan\n",
                "quote inside",
            ),
            (
                "73.08.21.1002,73.08.21,A,,,kelurahan\n73.08.21.1001,73.08.21,B,,,kelurahan\n",
                "line 3: 73.08.21.1001 is not after",
            ),
            (
                "73.08.21.1001,73.08.21,A,,,kelurahan\n73.08.21.1001,73.08.21,B,,,kelurahan\n",
                "is not after",
            ),
            (
                "73.08.21.1001,73.08.21,A,,,kelurahan\n\n",
                "line 3: expected 6 fields",
            ),
        ];
        for (rows, fragment) in bad {
            let villages = if fragment.contains("header") {
                rows.to_owned()
            } else {
                format!("{header}{rows}")
            };
            let err = RegionTree::from_csv(PROVINCES, REGENCIES, DISTRICTS, &villages)
                .err()
                .unwrap_or_default();
            assert!(
                err.starts_with("villages.csv: ") && err.contains(fragment),
                "{rows:?}: {err}"
            );
        }
    }
}
