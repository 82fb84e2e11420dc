//! The profile of a region (`domain.md`, "The profile of a region"): the five findings, by
//! village and by group type, with the coverage and the counts of networks, institutions and
//! ties, for any region from the whole country down to one village.
//!
//! Built from the store's tallies only (never a scan of group rows), which every write keeps
//! current: a profile always reflects the latest writes, with no rebuild step. A (wave, rule set)
//! pair never screened before is screened once, here, on first use.

use super::screening::{Scope, ensure_screened, resolve_rules};
use anyhow::Result;
use serde::Serialize;
use std::sync::Arc;
use wahana_domain::profile::{Profile, RegionRef, WaveRef};
use wahana_domain::screening::RuleSet;
use wahana_domain::{Date, Lang, RegionTree, Wave};
use wahana_store::{ActorCounts, ProfileRead, ProfileTallies, Store};

/// What a profile is asked for.
#[derive(Debug, Clone)]
pub struct ProfileRequest {
    pub scope: Scope,
    /// The wave's id; the region's default wave when `None` ([`super::waves::shown`]).
    pub wave: Option<String>,
    /// A rule set version or TOML file; `seed-2007` when `None`.
    pub rules: Option<String>,
}

/// Everything a profile and its renderings need, owned; [`ProfileData::profile`] computes the
/// domain's [`Profile`] borrowing from it.
#[derive(Debug, Clone)]
pub struct ProfileData {
    pub scope: Scope,
    pub wave: Wave,
    /// The wave was not named: it is the latest one holding groups in the region.
    pub wave_by_default: bool,
    /// The waves holding observations of the region's groups, the latest first (the others
    /// the profile may be shown in).
    pub waves_holding: Vec<Wave>,
    pub rules: Arc<RuleSet>,
    /// The rule set's TOML text, as registered.
    pub rules_text: String,
    /// Groups screened now because the wave had never been screened under the rule set.
    pub screened_now: Option<u64>,
    pub tallies: ProfileTallies,
    pub actors: ActorCounts,
    /// The day the profile was made.
    pub made_on: Date,
}

/// The JSON contract of `wahana profile --format json` (`docs/profile-json.md`): the domain's
/// profile and, beside it, the counts of networks, institutions and ties.
#[derive(Debug, Serialize)]
pub struct ProfileJson<'a> {
    #[serde(flatten)]
    pub profile: &'a Profile<'a>,
    pub actors: ActorCounts,
}

impl ProfileData {
    /// The profile: one pass over the villages, no per-group work.
    pub fn profile(&self) -> Profile<'_> {
        let region = match self.scope {
            Scope::National => RegionRef::NATIONAL,
            Scope::Region(r) => RegionRef {
                code: r.code.as_str(),
                name: &r.name,
                level: Some(r.level()),
            },
        };
        let wave = WaveRef {
            id: &self.wave.id,
            name: &self.wave.name,
            date: self.wave.date(),
            synthetic: self.wave.synthetic,
            sample: self.wave.is_sample(),
        };
        Profile::compute(self.tallies.input(region, wave, &self.rules.version))
    }

    /// The names above the region, nearest first: "Kabupaten Bone, Sulawesi Selatan".
    pub fn ancestry(&self) -> String {
        let tree = RegionTree::official();
        match self.scope {
            Scope::National => String::new(),
            Scope::Region(r) => r
                .code
                .ancestors()
                .iter()
                .rev()
                .filter_map(|c| tree.get(c))
                .map(|a| a.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Whether the wave shown holds observations of the region's groups.
    pub fn holds_region(&self) -> bool {
        self.waves_holding.iter().any(|w| w.id == self.wave.id)
    }

    /// A line saying which wave and why, and whether it was screened now.
    pub fn notes(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if self.wave_by_default && self.holds_region() {
            out.push(
                lang.pick(
                    &format!(
                        "pendataan {} ({}): yang terbaru yang memuat kelompok di wilayah ini; pilih yang lain dengan --wave",
                        self.wave.id, self.wave.name
                    ),
                    &format!(
                        "wave {} ({}): the latest one holding groups in this region; choose another with --wave",
                        self.wave.id, self.wave.name
                    ),
                )
                .to_string(),
            );
        } else if self.wave_by_default {
            out.push(
                lang.pick(
                    &format!(
                        "belum ada pendataan yang memuat kelompok di wilayah ini; ditampilkan pendataan terbaru, {} ({})",
                        self.wave.id, self.wave.name
                    ),
                    &format!(
                        "no wave holds groups in this region yet; shown: the latest wave, {} ({})",
                        self.wave.id, self.wave.name
                    ),
                )
                .to_string(),
            );
        }
        if let Some(n) = self.screened_now {
            out.push(
                lang.pick(
                    &format!(
                        "pendataan {} baru kali ini disaring dengan aturan {}: {n} kelompok disaring; hasilnya disimpan dan dijaga tetap terkini",
                        self.wave.id, self.rules.version
                    ),
                    &format!(
                        "wave {} was screened under rule set {} for the first time: {n} groups screened; the results are kept current from now on",
                        self.wave.id, self.rules.version
                    ),
                )
                .to_string(),
            );
        }
        out
    }
}

/// Gathers a region's profile from the tallies.
pub async fn build(
    store: &Store,
    req: &ProfileRequest,
    today: Date,
    lang: Lang,
) -> Result<ProfileData> {
    let rules = resolve_rules(store, req.rules.as_deref(), lang).await?;
    let shown =
        super::waves::shown_or_explain(store, req.scope.code(), req.wave.as_deref(), lang).await?;
    let (wave, wave_by_default) = (shown.wave.clone(), shown.by_default);
    // One read of everything the profile needs; a pair never screened is screened first.
    let (read, screened_now) = match store
        .profile_read(&wave.id, &rules.version, req.scope.code())
        .await?
    {
        Some(read) => (read, None),
        None => {
            let n = ensure_screened(store, &wave.id, &rules.version, false, lang).await?;
            let read = store
                .profile_read(&wave.id, &rules.version, req.scope.code())
                .await?
                .unwrap_or_default();
            (read, n)
        }
    };
    let ProfileRead {
        tallies,
        actors,
        rules_text,
    } = read;
    Ok(ProfileData {
        scope: req.scope,
        wave,
        wave_by_default,
        waves_holding: shown.holding,
        rules,
        rules_text,
        screened_now,
        tallies,
        actors,
        made_on: today,
    })
}
