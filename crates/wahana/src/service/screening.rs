//! Screening (*penyaringan*): which recorded groups qualify as WKSBM groups under a versioned
//! rule set, with a reason for every criterion.
//!
//! Results are kept by the store as tallies per (wave, rule set) and stay current on every write
//! (`wahana-store`'s `tally.rs`); screening a wave under a rule set for the first time (or again,
//! with `rebuild`) recomputes that pair's tallies from the group rows. The per-group reasons are
//! not stored: they are recomputed from the rules when a list is asked for, which takes
//! microseconds per group and never goes stale.

use anyhow::{Context as _, Result, anyhow};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use wahana_domain::codes::Code;
use wahana_domain::screening::{Outcome, Reason, RuleSet, Summary};
use wahana_domain::{Lang, Region, RegionCode, RegionTree};
use wahana_store::{DEFAULT_RULES, GroupFilter, Store, StoreError};

/// A refusal of the store in the person's language; a failure of the database stays the typed
/// error it is, which the web answers as internal (its text is for the log, not for people).
pub(crate) fn store_err(e: StoreError, lang: Lang) -> anyhow::Error {
    match e {
        e if super::refusals::is_refusal(&e) => {
            anyhow!("{}", super::refusals::store_message(&e, lang))
        }
        e => e.into(),
    }
}

/// A rule set named by version (one held in the database, `seed-2007` always) or given as a
/// TOML file, which is registered (refused if its version is held with another text).
pub async fn resolve_rules(store: &Store, spec: Option<&str>, lang: Lang) -> Result<Arc<RuleSet>> {
    let spec = spec.unwrap_or(DEFAULT_RULES);
    let path = Path::new(spec);
    if path.is_file() || spec.ends_with(".toml") {
        let text = std::fs::read_to_string(path).with_context(|| {
            lang.pick(
                &format!("membaca berkas aturan {spec}"),
                &format!("reading rule file {spec}"),
            )
            .to_string()
        })?;
        return store.register_rules(&text).await.map_err(|e| match &e {
            StoreError::Refused(r) => anyhow!("{spec}: {}", super::refusals::message(r, lang)),
            _ => store_err(e, lang),
        });
    }
    if let Some(r) = store.rule_set(spec).await? {
        return Ok(r);
    }
    let held: Vec<String> = store
        .rule_sets()
        .await?
        .into_iter()
        .map(|r| r.version)
        .collect();
    Err(anyhow!(
        "{}",
        lang.pick(
            &format!(
                "aturan penyaringan \"{spec}\" tidak dikenal; yang tersimpan: {}; atau berikan berkas TOML",
                held.join(", ")
            ),
            &format!(
                "unknown rule set \"{spec}\"; held: {}; or give a TOML file",
                held.join(", ")
            ),
        )
    ))
}

/// A region named on the command line, or the whole country (`nasional`, `indonesia`).
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    National,
    Region(&'static Region),
}

impl Scope {
    pub fn parse(input: &str, lang: Lang) -> Result<Scope> {
        let key = input.trim().to_lowercase();
        if matches!(key.as_str(), "nasional" | "national" | "indonesia" | "id") {
            return Ok(Scope::National);
        }
        super::regions::find(input, lang).map(Scope::Region)
    }

    pub fn code(&self) -> Option<&'static RegionCode> {
        match self {
            Scope::National => None,
            Scope::Region(r) => Some(&r.code),
        }
    }

    pub fn code_str(&self) -> &'static str {
        self.code().map_or("", RegionCode::as_str)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Scope::National => "Indonesia",
            Scope::Region(r) => &r.name,
        }
    }
}

/// Makes sure a wave's tallies are kept under a rule set, screening the whole wave when they are
/// not (or when `rebuild`). Returns the number of groups screened now (0 when already kept).
pub async fn ensure_screened(
    store: &Store,
    wave: &str,
    rules: &str,
    rebuild: bool,
    lang: Lang,
) -> Result<Option<u64>> {
    if !rebuild && store.is_screened(wave, rules).await? {
        return Ok(None);
    }
    let n = store
        .screen_wave(wave, rules, |_, _| {})
        .await
        .map_err(|e| store_err(e, lang))?;
    Ok(Some(n))
}

/// What `screen` was asked for.
#[derive(Debug, Clone)]
pub struct ScreenRequest {
    pub scope: Scope,
    pub wave: Option<String>,
    pub rules: Option<String>,
    /// Screen again even when the tallies are already kept.
    pub rebuild: bool,
    /// Only list groups with this outcome (the summary counts them all).
    pub outcome: Option<Outcome>,
    pub limit: usize,
    pub offset: usize,
}

/// One wave screened.
#[derive(Debug, Clone, Serialize)]
pub struct WaveScreening {
    pub id: String,
    pub name: String,
    pub synthetic: bool,
    /// A closed wave is read-only.
    pub closed: bool,
    /// Groups screened now over the whole wave; `None` when its tallies were already kept.
    pub screened_now: Option<u64>,
}

/// One group's result, with a reason for every criterion.
#[derive(Debug, Clone, Serialize)]
pub struct GroupScreening {
    pub id: String,
    pub wave: String,
    pub village: String,
    pub village_name: String,
    pub name: String,
    pub group_type: &'static str,
    pub outcome: Outcome,
    pub outcome_label_id: &'static str,
    pub outcome_label_en: &'static str,
    pub reasons: Vec<Reason>,
}

/// A criterion of the rule set, for the summary's header.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionLine {
    pub id: String,
    pub kind: &'static str,
    pub label_id: String,
    pub label_en: String,
}

/// The result of `screen`: the summary over the region and one page of groups.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenReport {
    pub region: &'static str,
    pub region_name: &'static str,
    pub rules: String,
    pub rules_name: String,
    pub criteria: Vec<CriterionLine>,
    /// The wave screened (one).
    pub waves: Vec<WaveScreening>,
    /// No wave was named: it is the region's default (the latest holding its groups).
    pub wave_by_default: bool,
    /// The wave screened, why, and the waves holding observations of the region's groups
    /// (for a picker).
    #[serde(skip)]
    pub shown: Option<super::waves::ShownWave>,
    pub summary: Summary,
    /// Groups matching the outcome filter (all of them without one).
    pub listed_total: u64,
    pub offset: usize,
    pub groups: Vec<GroupScreening>,
}

/// Screens the wave(s) in a region under a rule set and lists the results.
pub async fn screen(store: &Store, req: &ScreenRequest, lang: Lang) -> Result<ScreenReport> {
    let rules = resolve_rules(store, req.rules.as_deref(), lang).await?;
    // One wave: the one named, else the region's default (never several mixed).
    let shown =
        super::waves::shown_or_explain(store, req.scope.code(), req.wave.as_deref(), lang).await?;
    let waves = [shown.wave.clone()];
    let mut report = ScreenReport {
        region: req.scope.code_str(),
        region_name: req.scope.name(),
        rules: rules.version.clone(),
        rules_name: rules.name.clone(),
        criteria: rules
            .criteria
            .iter()
            .map(|c| CriterionLine {
                id: c.id.clone(),
                kind: c.kind.code(),
                label_id: c.label_id.clone(),
                label_en: c.label_en.clone(),
            })
            .collect(),
        waves: Vec::new(),
        wave_by_default: shown.by_default,
        shown: Some(shown.clone()),
        summary: Summary::default(),
        listed_total: 0,
        offset: req.offset,
        groups: Vec::new(),
    };
    let tree = RegionTree::official();
    for w in &waves {
        let screened_now = ensure_screened(store, &w.id, &rules.version, req.rebuild, lang).await?;
        report.waves.push(WaveScreening {
            id: w.id.clone(),
            name: w.name.clone(),
            synthetic: w.synthetic,
            closed: w.closed,
            screened_now,
        });
        let filter = GroupFilter {
            region: req.scope.code().cloned(),
            wave: Some(w.id.clone()),
            ..Default::default()
        };
        let page = &mut report.groups;
        let summary = &mut report.summary;
        let listed = &mut report.listed_total;
        let (offset, limit) = (req.offset as u64, req.limit);
        store
            .for_each_group(&filter, |sg| -> Result<(), std::convert::Infallible> {
                let g = &sg.group;
                let result = rules.screen(g);
                summary.add(&result);
                if req.outcome.is_none_or(|o| o == result.outcome) {
                    if *listed >= offset && page.len() < limit {
                        page.push(GroupScreening {
                            id: g.id.clone(),
                            wave: sg.wave_id.clone(),
                            village: g.village.to_string(),
                            village_name: tree
                                .get(&g.village)
                                .map(|r| r.name.clone())
                                .unwrap_or_default(),
                            name: g.name.clone(),
                            group_type: g.group_type.code(),
                            outcome: result.outcome,
                            outcome_label_id: result.outcome.label_id(),
                            outcome_label_en: result.outcome.label_en(),
                            reasons: result.reasons,
                        });
                    }
                    *listed += 1;
                }
                Ok(())
            })
            .await
            .map_err(|e| store_err(e, lang))?
            .map_err(|e| match e {})?;
    }
    Ok(report)
}

/// The rule set a profile counts groups with (`seed-2007` unless the database holds another
/// text under that version).
async fn profile_rules(store: &Store) -> Result<Arc<RuleSet>, super::ServiceError> {
    Ok(match store.rule_set(DEFAULT_RULES).await? {
        Some(r) => r,
        None => Arc::new(RuleSet::seed_2007()),
    })
}

/// The group columns that the profile's rule set needs filled before it can count a group
/// (what the add-group form marks).
pub async fn needed_columns(store: &Store) -> Result<Vec<&'static str>, super::ServiceError> {
    Ok(profile_rules(store).await?.needed_columns())
}

/// Whether a group is counted in its region's profile, and if not, why: the columns left empty
/// that a criterion needs, or the criteria its recorded answers do not meet.
#[derive(Debug, Clone)]
pub struct Counted {
    pub outcome: Outcome,
    /// Columns whose emptiness keeps a criterion from being judged, in the rules' order.
    pub missing: Vec<&'static str>,
    /// The reasons of the criteria that failed (a recorded answer contradicts them).
    pub failed: Vec<Reason>,
}

impl Counted {
    /// Counted in the profile: every criterion holds.
    pub fn counted(&self) -> bool {
        self.outcome == Outcome::Qualifies
    }
}

/// Screens one group (already read by a caller allowed to) as the profile counts it.
pub async fn counted(
    store: &Store,
    group: &wahana_domain::Group,
) -> Result<Counted, super::ServiceError> {
    let rules = profile_rules(store).await?;
    let result = rules.screen(group);
    let mut missing: Vec<&'static str> = Vec::new();
    let mut failed = Vec::new();
    for r in result.reasons {
        match r.passed {
            None if r.value.is_empty() => {
                let cols = wahana_domain::screening::Field::from_name(r.field)
                    .map(|f| f.columns())
                    .unwrap_or(&[]);
                for c in cols {
                    if !missing.contains(c) {
                        missing.push(c);
                    }
                }
            }
            Some(false) => failed.push(r),
            _ => {}
        }
    }
    Ok(Counted {
        outcome: result.outcome,
        missing,
        failed,
    })
}
