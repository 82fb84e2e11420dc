//! Region codes: `Level`, `RegionKind`, `RegionCode` (parsing both written forms).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

pub(crate) const FIELD: &str = "kode_wilayah";
pub(crate) const EXPECTED_ID: &str = "kode wilayah Kemendagri, mis. 73.08.21.1003 atau 7308211003";
pub(crate) const EXPECTED_EN: &str = "a Kemendagri region code, e.g. 73.08.21.1003 or 7308211003";

/// Digits per code segment: provinsi, kabupaten/kota, kecamatan, desa/kelurahan.
pub(crate) const SEGMENT_WIDTHS: [usize; 4] = [2, 2, 2, 4];

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

    /// The number the database keeps (`regions.level`): 1 for provinces, 4 for villages.
    pub fn number(self) -> i64 {
        self.index() as i64 + 1
    }

    /// Position from the top: 0 for provinces, 3 for villages.
    pub(super) fn index(self) -> usize {
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
pub struct RegionCode(pub(super) String);

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
    pub(super) fn number(&self) -> u64 {
        self.0
            .bytes()
            .filter(u8::is_ascii_digit)
            .fold(0, |n, b| n * 10 + u64::from(b - b'0'))
    }

    /// This code cut to `level`, or itself if it is already at or above it.
    pub(super) fn truncated(&self, level: Level) -> RegionCode {
        match self.0.match_indices('.').nth(level.index()) {
            Some((i, _)) => RegionCode(self.0[..i].to_owned()),
            None => self.clone(),
        }
    }
}

/// The syntax check behind [`RegionCode::parse`].
pub(crate) fn parse_code(s: &str) -> Option<RegionCode> {
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
