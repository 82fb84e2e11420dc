//! What changed between two waves of a region (issue 12, "What changed"): every group's fate
//! (`wahana_domain::compare`) from the two waves' observations in the region and the links the
//! later wave recorded, and the profiles of both waves side by side. One use case for
//! `wahana compare`, the compare page, `GET /api/v1/regions/{code}/compare` and the report's
//! section "Perubahan sejak …". The JSON is `docs/compare-json.md`.
//!
//! Who sees what: ids and names of groups (the `groups` list) only to those who may read the
//! region's records ([`records_for`]); counts and findings to everyone.

use super::profile::{self, ProfileData, ProfileJson, ProfileRequest};
use super::screening::Scope;
use super::users::{self, Principal};
use serde_json::{Value, json};
use wahana_domain::compare::{Comparison, FindingChange, Observation, compare};
use wahana_domain::linking::Link;
use wahana_domain::{Code, Date, Lang, Region, RegionTree, Wave};
use wahana_store::{GroupFilter, Store};

/// Observations read per query.
const PAGE: i64 = 10_000;

/// What a comparison is asked for.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    pub region: &'static Region,
    /// The earlier wave's id.
    pub from: String,
    /// The later wave's id.
    pub to: String,
    /// A rule set version or TOML file for the findings; `seed-2007` when `None`.
    pub rules: Option<String>,
}

/// Which side of a comparison a wave was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    From,
    To,
}

impl Side {
    /// The parameter's name (`from`, `to`).
    pub fn field(self) -> &'static str {
        match self {
            Side::From => "from",
            Side::To => "to",
        }
    }
}

/// Why a comparison is refused.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// The region given is the whole country.
    #[error("a comparison needs a region")]
    NotARegion,
    /// No wave with this id.
    #[error("wave {wave} not found")]
    WaveNotFound {
        wave: String,
        side: Side,
        region: &'static Region,
        /// The ids of the waves held.
        known: Vec<String>,
    },
    /// `from` and `to` are the same wave.
    #[error("wave {wave} compared with itself")]
    SameWave {
        wave: String,
        region: &'static Region,
    },
    /// The wave holds no observation of a group in the region.
    #[error("wave {wave} holds no group in {}", region.code)]
    Empty {
        wave: String,
        side: Side,
        region: &'static Region,
    },
    /// The database or a profile failed.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CompareError {
    /// A stable code for APIs and scripts.
    pub fn code(&self) -> wahana_domain::ErrorCode {
        use wahana_domain::ErrorCode;
        match self {
            CompareError::NotARegion => ErrorCode::RegionRequired,
            CompareError::WaveNotFound { .. } => ErrorCode::WaveNotFound,
            CompareError::SameWave { .. } => ErrorCode::SameWave,
            CompareError::Empty { .. } => ErrorCode::WaveEmpty,
            CompareError::Other(_) => ErrorCode::InternalError,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let place = |r: &Region| format!("{} ({})", r.name, r.code);
        match (self, lang) {
            (CompareError::NotARegion, Lang::Id) => {
                "perbandingan memerlukan sebuah wilayah (provinsi, kabupaten/kota, kecamatan atau desa/kelurahan), bukan seluruh Indonesia".into()
            }
            (CompareError::NotARegion, Lang::En) => {
                "a comparison needs a region (a province, regency, district or village), not the whole country".into()
            }
            (
                CompareError::WaveNotFound {
                    wave,
                    side,
                    region,
                    known,
                },
                Lang::Id,
            ) => format!(
                "pendataan {wave} ({}) tidak ditemukan, jadi {} tidak dapat dibandingkan; pendataan yang ada: {}",
                side.field(),
                place(region),
                if known.is_empty() { "belum ada".to_string() } else { known.join(", ") }
            ),
            (
                CompareError::WaveNotFound {
                    wave,
                    side,
                    region,
                    known,
                },
                Lang::En,
            ) => format!(
                "wave {wave} ({}) not found, so {} cannot be compared; the waves held: {}",
                side.field(),
                place(region),
                if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
            ),
            (CompareError::SameWave { wave, region }, Lang::Id) => format!(
                "from dan to sama-sama pendataan {wave}: membandingkan sebuah pendataan dengan dirinya sendiri tidak menunjukkan perubahan di {}; pilih dua pendataan yang berbeda",
                place(region)
            ),
            (CompareError::SameWave { wave, region }, Lang::En) => format!(
                "from and to are both wave {wave}: comparing a wave with itself shows no change in {}; choose two different waves",
                place(region)
            ),
            (CompareError::Empty { wave, side, region }, Lang::Id) => format!(
                "pendataan {wave} ({}) tidak memuat satu pun kelompok di {}: tidak ada yang dapat dibandingkan; pilih pendataan yang mendata wilayah ini",
                side.field(),
                place(region)
            ),
            (CompareError::Empty { wave, side, region }, Lang::En) => format!(
                "wave {wave} ({}) holds no group in {}: there is nothing to compare; choose a wave that surveyed this region",
                side.field(),
                place(region)
            ),
            (CompareError::Other(e), _) => format!("{e:#}"),
        }
    }
}

/// The region a comparison is asked for: a code or name, never the whole country.
pub fn region(input: &str, lang: Lang) -> anyhow::Result<Result<&'static Region, CompareError>> {
    Ok(match Scope::parse(input, lang)? {
        Scope::National => Err(CompareError::NotARegion),
        Scope::Region(r) => Ok(r),
    })
}

/// May this person see the ids and names of the compared groups? Those who may read the
/// region's records may; everyone sees counts and findings.
pub fn records_for(who: Option<&Principal>, region: &Region) -> bool {
    users::can_read_records(who, &region.code)
}

/// Everything a comparison and its renderings need.
#[derive(Debug, Clone)]
pub struct CompareData {
    pub region: &'static Region,
    pub from: ProfileData,
    pub to: ProfileData,
    pub comparison: Comparison,
    /// Observations of groups in the region in each wave.
    pub observed_from: u64,
    pub observed_to: u64,
    pub made_on: Date,
}

async fn find_wave(
    store: &Store,
    id: &str,
    side: Side,
    region: &'static Region,
) -> Result<Wave, CompareError> {
    if let Some(w) = store.wave(id).await.map_err(anyhow::Error::from)? {
        return Ok(w);
    }
    let known = store
        .waves()
        .await
        .map_err(anyhow::Error::from)?
        .into_iter()
        .map(|w| w.id)
        .collect();
    Err(CompareError::WaveNotFound {
        wave: id.to_string(),
        side,
        region,
        known,
    })
}

/// The observations of the region's groups in a wave.
async fn observations(
    store: &Store,
    region: &Region,
    wave: &str,
) -> Result<Vec<Observation>, CompareError> {
    let filter = GroupFilter {
        region: Some(region.code.clone()),
        wave: Some(wave.to_string()),
        ..GroupFilter::default()
    };
    let mut out = Vec::new();
    loop {
        let page = store
            .list_groups(&filter, PAGE, out.len() as i64)
            .await
            .map_err(anyhow::Error::from)?;
        let n = page.len() as i64;
        out.extend(page.iter().map(|g| Observation::of(&g.group)));
        if n < PAGE {
            return Ok(out);
        }
    }
}

/// Compares two waves of a region: refused when a wave does not exist, when both are the same
/// wave, or when either holds no group in the region.
pub async fn build(
    store: &Store,
    req: &CompareRequest,
    today: Date,
    lang: Lang,
) -> Result<CompareData, CompareError> {
    let region = req.region;
    let from = find_wave(store, &req.from, Side::From, region).await?;
    let to = find_wave(store, &req.to, Side::To, region).await?;
    if from.id == to.id {
        return Err(CompareError::SameWave {
            wave: from.id,
            region,
        });
    }
    let earlier = observations(store, region, &from.id).await?;
    if earlier.is_empty() {
        return Err(CompareError::Empty {
            wave: from.id,
            side: Side::From,
            region,
        });
    }
    let later = observations(store, region, &to.id).await?;
    if later.is_empty() {
        return Err(CompareError::Empty {
            wave: to.id,
            side: Side::To,
            region,
        });
    }
    let links: Vec<Link> = store
        .links_in(&to.id, &region.code)
        .await
        .map_err(anyhow::Error::from)?
        .iter()
        .map(|l| l.link())
        .collect();
    let comparison = compare(&earlier, &later, &links);
    let profile_of = |wave: &Wave| ProfileRequest {
        scope: Scope::Region(region),
        wave: Some(wave.id.clone()),
        rules: req.rules.clone(),
    };
    let from_profile = profile::build(store, &profile_of(&from), today, lang).await?;
    let to_profile = profile::build(store, &profile_of(&to), today, lang).await?;
    Ok(CompareData {
        region,
        from: from_profile,
        to: to_profile,
        comparison,
        observed_from: earlier.len() as u64,
        observed_to: later.len() as u64,
        made_on: today,
    })
}

/// The name of a village, from the official tree.
pub fn village_name(code: &wahana_domain::RegionCode) -> String {
    RegionTree::official()
        .get(code)
        .map_or_else(|| code.to_string(), |r| r.name.clone())
}

fn wave_json(w: &Wave, observations: u64) -> Value {
    json!({
        "id": w.id,
        "name": w.name,
        "date": w.date().map(|d| d.to_string()),
        "synthetic": w.synthetic,
        "observations": observations,
    })
}

fn counts_json(c: &wahana_domain::compare::FateCounts) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("continuing".into(), c.continuing.into());
    m.insert("dissolved".into(), c.dissolved.into());
    m.insert("not_refound".into(), c.not_refound.into());
    m.insert("new".into(), c.new.into());
    m.insert("survival_rate".into(), json!(c.survival_rate()));
    m
}

impl CompareData {
    /// The five findings of both waves, with the measures their statements rest on.
    pub fn findings(&self) -> Vec<FindingChange> {
        wahana_domain::compare::finding_changes(&self.from.profile(), &self.to.profile())
    }

    /// Either wave is generated data.
    pub fn synthetic(&self) -> bool {
        self.from.wave.synthetic || self.to.wave.synthetic
    }

    /// The JSON contract (`docs/compare-json.md`); `groups` only when `records`.
    pub fn json(&self, records: bool) -> Value {
        let c = &self.comparison;
        let from_profile = self.from.profile();
        let to_profile = self.to.profile();
        let as_json = |data: &ProfileData, p| {
            serde_json::to_value(ProfileJson {
                profile: p,
                actors: data.actors,
            })
            .unwrap_or(Value::Null)
        };
        let findings = wahana_domain::compare::findings_change(
            &as_json(&self.from, &from_profile),
            &as_json(&self.to, &to_profile),
        );
        let by_village: Vec<Value> = c
            .by_village
            .iter()
            .map(|(code, n)| {
                let mut m = serde_json::Map::new();
                m.insert("code".into(), code.as_str().into());
                m.insert("name".into(), village_name(code).into());
                m.extend(counts_json(n));
                Value::Object(m)
            })
            .collect();
        let by_type: Vec<Value> = c
            .by_type
            .iter()
            .map(|(t, n)| {
                let mut m = serde_json::Map::new();
                m.insert("code".into(), t.code().into());
                m.insert("label_id".into(), t.label_id().into());
                m.insert("label_en".into(), t.label_en().into());
                m.extend(counts_json(n));
                Value::Object(m)
            })
            .collect();
        let mut out = json!({
            "region": {
                "code": self.region.code.as_str(),
                "name": self.region.name,
                "level": self.region.level().code(),
            },
            "from": wave_json(&self.from.wave, self.observed_from),
            "to": wave_json(&self.to.wave, self.observed_to),
            "rules": self.to.rules.version,
            "counts": {
                "continuing": c.counts.continuing,
                "dissolved": c.counts.dissolved,
                "not_refound": c.counts.not_refound,
                "new": c.counts.new,
            },
            "survival_rate": c.counts.survival_rate(),
            "dissolved_before": c.dissolved_before,
            "by_village": by_village,
            "by_type": by_type,
            "findings": findings,
        });
        if records && let Value::Object(m) = &mut out {
            m.insert(
                "groups".into(),
                serde_json::to_value(&c.groups).unwrap_or(Value::Null),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_wave_and_the_region() {
        let r = RegionTree::official().resolve("73.08.21").unwrap();
        let cases = [
            CompareError::WaveNotFound {
                wave: "w9".into(),
                side: Side::To,
                region: r,
                known: vec!["w1".into()],
            },
            CompareError::SameWave {
                wave: "w9".into(),
                region: r,
            },
            CompareError::Empty {
                wave: "w9".into(),
                side: Side::From,
                region: r,
            },
        ];
        for e in &cases {
            for lang in [Lang::Id, Lang::En] {
                let m = e.message(lang);
                assert!(m.contains("w9"), "{m}");
                assert!(m.contains("Tanete Riattang (73.08.21)"), "{m}");
            }
            assert_ne!(e.message(Lang::Id), e.message(Lang::En));
        }
        assert!(
            CompareError::Empty {
                wave: "w".into(),
                side: Side::To,
                region: r
            }
            .message(Lang::Id)
            .contains("tidak memuat")
        );
    }
}
