//! Waves (*pendataan*): listed with what each holds, added, edited, closed and reopened,
//! deleted (refused while they hold records unless forced); and the two choices every front
//! end makes the same way: which wave a region is shown in ([`shown`]: the one named, else the
//! region's default, the latest holding observations of its groups) and which wave a new
//! record goes into ([`for_new_record`]: the one named, else the region's latest open wave; a
//! wave is never created on the way).

use super::ServiceError;
use super::caller::Caller;
use serde::{Deserialize, Serialize};
use wahana_domain::{Date, FieldError, Lang, RegionCode, RegionTree, Wave, WaveMethod};
use wahana_store::{Refusal, Store, WaveContents};

/// The longest name, and the longest source or "run by" text, a wave takes.
const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 500;
/// The longest wave id.
const ID_MAX: usize = 64;

/// A wave's fields as typed (command line, form, JSON). `None` leaves a field as it is when
/// editing; an empty text clears an optional one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveInput {
    /// Lowercase letters, digits and `-`; made from the name when a wave is added without one.
    pub id: Option<String>,
    pub name: Option<String>,
    /// The area it covered (a region code of any level).
    pub region: Option<String>,
    /// Its date, or the first day of its period.
    pub start_date: Option<String>,
    /// The last day of its period.
    pub end_date: Option<String>,
    pub source: Option<String>,
    /// `census`/`sensus` or `sample`/`sampel`.
    pub method: Option<String>,
    /// Who ran it (an office, a study team).
    pub run_by: Option<String>,
    pub synthetic: Option<bool>,
}

/// A wave as listed and shown: its fields, whether it is closed, and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveView {
    pub id: String,
    pub name: String,
    pub region: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub source: Option<String>,
    pub method: Option<&'static str>,
    pub run_by: Option<String>,
    pub synthetic: bool,
    /// A closed wave is read-only.
    pub closed: bool,
    pub holds: WaveContents,
}

impl WaveView {
    pub fn of(w: &Wave, holds: WaveContents) -> WaveView {
        WaveView {
            id: w.id.clone(),
            name: w.name.clone(),
            region: w.region.as_ref().map(|r| r.to_string()),
            start_date: w.start_date.map(|d| d.to_string()),
            end_date: w.end_date.map(|d| d.to_string()),
            source: w.source.clone(),
            method: w.method.map(WaveMethod::code),
            run_by: w.run_by.clone(),
            synthetic: w.synthetic,
            closed: w.closed,
            holds,
        }
    }
}

/// Its date or period as written: `2007-08-01 – 2007-08-31`, `2026-08-01`, or empty.
pub fn period(w: &Wave) -> String {
    match (w.start_date, w.end_date) {
        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
        (Some(a), _) => a.to_string(),
        (None, Some(b)) => b.to_string(),
        (None, None) => String::new(),
    }
}

/// Its date or period as a person writes it: `1–31 Agustus 2007`, `1 Juli – 31 Agustus 2007`,
/// `3 Desember 2026`, or empty.
pub fn period_long(w: &Wave, lang: Lang) -> String {
    match (w.start_date, w.end_date) {
        (Some(a), Some(b)) if a != b => {
            if (a.year(), a.month()) == (b.year(), b.month()) {
                format!("{}–{}", a.day(), b.long(lang))
            } else if a.year() == b.year() {
                let head = a.long(lang);
                let head = head.trim_end_matches(&format!(" {}", a.year()));
                format!("{head} – {}", b.long(lang))
            } else {
                format!("{} – {}", a.long(lang), b.long(lang))
            }
        }
        (Some(a), _) => a.long(lang),
        (None, Some(b)) => b.long(lang),
        (None, None) => String::new(),
    }
}

/// `terbuka`/`open` or `ditutup`/`closed`.
pub fn status_label(closed: bool, lang: Lang) -> &'static str {
    match closed {
        false => lang.pick("terbuka", "open"),
        true => lang.pick("ditutup", "closed"),
    }
}

/// `sensus`/`census`, `sampel`/`sample`, or empty.
pub fn method_label(m: Option<WaveMethod>, lang: Lang) -> &'static str {
    match m {
        None => "",
        Some(WaveMethod::Census) => lang.pick("sensus", "census"),
        Some(WaveMethod::Sample) => lang.pick("sampel", "sample"),
    }
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound {
        kind: "pendataan",
        id: id.to_string(),
    }
}

/// Optional text: trimmed, empty as `None`, at most `max` characters.
fn text(
    field: &'static str,
    value: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = value.trim();
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            v,
            format!("paling banyak {max} karakter"),
            format!("at most {max} characters"),
        ));
    }
    (!v.is_empty()).then(|| v.to_string())
}

fn date(field: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let d = Date::parse(v);
    if d.is_none() {
        errors.push(FieldError::new(
            field,
            v,
            "tanggal, mis. 2026-08-01 atau 01/08/2026",
            "a date, e.g. 2026-08-01 or 01/08/2026",
        ));
    }
    d
}

/// `base` with `input` laid over it, every field checked; `creating` draws the id from the
/// name when none is given and requires a name. Every problem is reported at once.
pub fn apply(base: Wave, input: &WaveInput, creating: bool) -> Result<Wave, ServiceError> {
    let mut errors = Vec::new();
    let mut w = base;
    match input.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() && n.chars().count() <= NAME_MAX => w.name = n.to_string(),
        Some(n) => errors.push(FieldError::new(
            "name",
            n,
            format!("nama pendataan, 1 sampai {NAME_MAX} karakter"),
            format!("the wave's name, 1 to {NAME_MAX} characters"),
        )),
        None if creating => errors.push(FieldError::new(
            "name",
            "",
            "nama pendataan, mis. \"Pemutakhiran PSKS Bone 2026\"",
            "the wave's name, e.g. \"Pemutakhiran PSKS Bone 2026\"",
        )),
        None => {}
    }
    let given_id = input.id.as_deref().map(str::trim).filter(|i| !i.is_empty());
    if creating {
        let id = given_id.map_or_else(|| Wave::slug(&w.name), str::to_string);
        let well_formed =
            !id.is_empty() && id.len() <= ID_MAX && Wave::slug(&id) == id && !id.starts_with('-');
        if well_formed {
            w.id = id;
        } else if given_id.is_some() || !w.name.is_empty() {
            errors.push(FieldError::new(
                "id",
                id,
                format!(
                    "huruf kecil, angka dan tanda -, paling banyak {ID_MAX} karakter, mis. pemutakhiran-2026"
                ),
                format!(
                    "lowercase letters, digits and -, at most {ID_MAX} characters, e.g. pemutakhiran-2026"
                ),
            ));
        }
    } else if let Some(id) = given_id
        && id != w.id
    {
        errors.push(FieldError::new(
            "id",
            id,
            format!("id tetap {} (id tidak dapat diubah)", w.id),
            format!("the id to stay {} (ids cannot be changed)", w.id),
        ));
    }
    if let Some(r) = &input.region {
        let r = r.trim();
        w.region = if r.is_empty() {
            None
        } else {
            match RegionTree::official().resolve(r) {
                Ok(region) => Some(region.code.clone()),
                Err(mut e) => {
                    e.field = "region".into();
                    errors.push(e);
                    None
                }
            }
        };
    }
    if let Some(s) = &input.start_date {
        w.start_date = date("start_date", s, &mut errors);
    }
    if let Some(s) = &input.end_date {
        w.end_date = date("end_date", s, &mut errors);
    }
    if let (Some(a), Some(b)) = (w.start_date, w.end_date)
        && b < a
    {
        errors.push(FieldError::new(
            "end_date",
            b.to_string(),
            format!("tanggal pada atau sesudah awalnya, {a}"),
            format!("a date on or after its start, {a}"),
        ));
    }
    if let Some(s) = &input.source {
        w.source = text("source", s, TEXT_MAX, &mut errors);
    }
    if let Some(s) = &input.run_by {
        w.run_by = text("run_by", s, TEXT_MAX, &mut errors);
    }
    if let Some(m) = &input.method {
        let m = m.trim();
        w.method = if m.is_empty() {
            None
        } else {
            let parsed = WaveMethod::parse(m);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "method",
                    m,
                    "sensus (census) atau sampel (sample)",
                    "census (sensus) or sample (sampel)",
                ));
            }
            parsed
        };
    }
    if let Some(s) = input.synthetic {
        w.synthetic = s;
    }
    if errors.is_empty() {
        Ok(w)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Every wave, the latest first, with what it holds.
pub async fn summaries(store: &Store) -> Result<Vec<(Wave, WaveContents)>, ServiceError> {
    Ok(store.wave_summaries().await?)
}

/// Every wave, the latest first, with what it holds, as listed.
pub async fn list(store: &Store) -> Result<Vec<WaveView>, ServiceError> {
    Ok(summaries(store)
        .await?
        .iter()
        .map(|(w, c)| WaveView::of(w, *c))
        .collect())
}

/// One wave with what it holds.
pub async fn show(store: &Store, id: &str) -> Result<(Wave, WaveContents), ServiceError> {
    let w = store.wave(id).await?.ok_or_else(|| not_found(id))?;
    let c = store.wave_contents(id).await?;
    Ok((w, c))
}

/// Adds a wave (open). Its id is drawn from the name when none is given; an id held is refused.
/// Admins' (and the operator's).
pub async fn add(store: &Store, caller: &Caller, input: &WaveInput) -> Result<Wave, ServiceError> {
    caller.check_admin()?;
    let blank = Wave {
        id: String::new(),
        name: String::new(),
        region: None,
        start_date: None,
        end_date: None,
        source: None,
        synthetic: false,
        enumerators: None,
        closed: false,
        method: None,
        run_by: None,
    };
    let w = apply(blank, input, true)?;
    store.create_wave(&w, &caller.who().0).await?;
    Ok(w)
}

/// Changes some fields of a wave; a closed wave is refused (reopen it first).
pub async fn edit(
    store: &Store,
    caller: &Caller,
    id: &str,
    input: &WaveInput,
) -> Result<Wave, ServiceError> {
    caller.check_admin()?;
    let current = store.wave(id).await?.ok_or_else(|| not_found(id))?;
    if current.closed {
        return Err(Refusal::WaveClosed {
            wave: id.to_string(),
        }
        .into());
    }
    let w = apply(current, input, false)?;
    Ok(store.update_wave(&w, &caller.who().0).await?)
}

/// Closes a wave (read-only from then on) or reopens it.
pub async fn set_closed(
    store: &Store,
    caller: &Caller,
    id: &str,
    closed: bool,
) -> Result<Wave, ServiceError> {
    caller.check_admin()?;
    Ok(store.set_wave_closed(id, closed, &caller.who().0).await?)
}

/// Deletes a wave; one holding records only with `force`, and then with all of them.
pub async fn delete(
    store: &Store,
    caller: &Caller,
    id: &str,
    force: bool,
) -> Result<WaveContents, ServiceError> {
    caller.check_admin()?;
    Ok(store
        .delete_wave_checked(id, force, &caller.who().0)
        .await?)
}

/// The wave a page, a profile or a report of a region shows, and the others it may show.
#[derive(Debug, Clone)]
pub struct ShownWave {
    pub wave: Wave,
    /// No wave was named: it is the region's default (the latest holding observations of its
    /// groups; the latest wave at all when none does).
    pub by_default: bool,
    /// The waves holding observations of the region's groups, the latest first.
    pub holding: Vec<Wave>,
}

/// Which wave a region (the whole country when `None`) is shown in: the one named (which must
/// exist), else the latest wave holding observations of the region's groups, else the latest
/// wave at all. `None` when no wave is held. Every region page, profile, screening, network,
/// report and export chooses here.
pub async fn shown(
    store: &Store,
    region: Option<&RegionCode>,
    wave: Option<&str>,
) -> Result<Option<ShownWave>, ServiceError> {
    let holding = store.waves_holding(region).await?;
    if let Some(id) = wave.map(str::trim).filter(|w| !w.is_empty()) {
        let w = match holding.iter().find(|w| w.id == id) {
            Some(w) => w.clone(),
            None => store.wave(id).await?.ok_or_else(|| not_found(id))?,
        };
        return Ok(Some(ShownWave {
            wave: w,
            by_default: false,
            holding,
        }));
    }
    let w = match holding.first() {
        Some(w) => Some(w.clone()),
        None => store.waves_latest_first().await?.into_iter().next(),
    };
    Ok(w.map(|wave| ShownWave {
        wave,
        by_default: true,
        holding,
    }))
}

/// [`shown`], or why no wave can be shown (none is held yet), in the user's language.
pub async fn shown_or_explain(
    store: &Store,
    region: Option<&RegionCode>,
    wave: Option<&str>,
    lang: Lang,
) -> anyhow::Result<ShownWave> {
    shown(store, region, wave)
        .await
        .map_err(|e| match e {
            ServiceError::Store(e) => super::screening::store_err(e, lang),
            e => anyhow::anyhow!("{}", e.message(lang)),
        })?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}",
                lang.pick(
                    "belum ada pendataan: buat pendataan (`wahana waves add`) lalu impor data (`wahana import`), atau muat data demonstrasi (`wahana demo`)",
                    "no survey wave yet: create one (`wahana waves add`) and import data (`wahana import`), or load the demonstration data (`wahana demo`)",
                )
            )
        })
}

/// The wave a new group, network or institution of `region` goes into: the one named (held and
/// open), else the region's latest open wave ([`Store::latest_open_wave`]). With no open wave
/// at all, a clear refusal: a wave is created on purpose (`wahana waves add`, the waves page),
/// never on the way.
pub async fn for_new_record(
    store: &Store,
    wave: Option<&str>,
    region: Option<&RegionCode>,
) -> Result<Wave, ServiceError> {
    if let Some(id) = wave.map(str::trim).filter(|w| !w.is_empty()) {
        let w = store.wave(id).await?.ok_or_else(|| not_found(id))?;
        if w.closed {
            return Err(Refusal::WaveClosed { wave: w.id }.into());
        }
        return Ok(w);
    }
    store
        .latest_open_wave(region)
        .await?
        .ok_or(ServiceError::NoOpenWave)
}

#[cfg(test)]
mod period_tests {
    use super::period_long;
    use wahana_domain::{Date, Lang, Wave};

    fn wave(a: Option<Date>, b: Option<Date>) -> Wave {
        Wave {
            id: "w".into(),
            name: "w".into(),
            region: None,
            start_date: a,
            end_date: b,
            source: None,
            synthetic: false,
            enumerators: None,
            closed: false,
            method: None,
            run_by: None,
        }
    }

    #[test]
    fn periods_as_people_write_them() {
        let d = |y, m, d| Date::new(y, m, d);
        assert_eq!(
            period_long(&wave(d(2007, 8, 1), d(2007, 8, 31)), Lang::Id),
            "1–31 Agustus 2007"
        );
        assert_eq!(
            period_long(&wave(d(2007, 7, 1), d(2007, 8, 31)), Lang::Id),
            "1 Juli – 31 Agustus 2007"
        );
        assert_eq!(
            period_long(&wave(d(2006, 12, 1), d(2007, 1, 31)), Lang::En),
            "1 December 2006 – 31 January 2007"
        );
        assert_eq!(
            period_long(&wave(d(2026, 12, 3), None), Lang::Id),
            "3 Desember 2026"
        );
        assert_eq!(period_long(&wave(None, None), Lang::Id), "");
    }
}
