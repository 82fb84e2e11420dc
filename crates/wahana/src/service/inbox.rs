//! The inbox of submissions sent from phones (`service::odk`): each lands *pending* in the
//! inbox of the region it belongs to (its village, else the region it was sent to). An officer
//! reads its answers, the screening of the group they describe and the likely matches among the
//! village's groups, then accepts it into a wave (a new group, or a new observation of a group
//! it matches), edits and accepts, or rejects it with a reason. A wave may accept clean,
//! unmatched submissions with no person looking ([`auto_accept`]).
//!
//! Accepting is an import of the submission's answers as a one-row file: the same checks, the
//! same linking rules (`docs/linking.md`), the same tallies and audit as any import, and the
//! submission marked accepted in the import's own transaction.

use super::ServiceError;
use super::caller::Caller;
use super::import::{ImportOptions, ImportReport};
use super::odk::{Answers, parse_submission};
use super::users::Write;
use std::collections::BTreeMap;
use wahana_domain::instrument::Table;
use wahana_domain::linking::{Candidate, similarity};
use wahana_domain::screening::ScreeningResult;
use wahana_domain::{Context, FieldError, Group, RegionCode, RegionTree};
use wahana_store::{GroupFilter, InboxCounts, Store, SubmissionRecord};

/// One answer of a submission, with the officer's edit when there is one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Answer {
    pub path: String,
    pub value: String,
    pub edited: Option<String>,
}

impl Answer {
    /// The value as it will be written.
    pub fn current(&self) -> &str {
        self.edited.as_deref().unwrap_or(&self.value)
    }
}

/// A group of the village that the submission may describe.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Match {
    pub id: String,
    pub name: String,
    pub wave_id: String,
    /// Similarity in [0, 1] (`docs/linking.md`).
    pub score: f64,
}

/// A submission as the inbox shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InboxItem {
    #[serde(flatten)]
    pub record: SubmissionRecord,
    pub answers: Vec<Answer>,
    /// The group the answers describe, when they validate.
    pub group: Option<Group>,
    /// What does not validate, field by field.
    pub problems: Vec<FieldError>,
    pub screening: Option<ScreeningResult>,
    /// Likely the same group: the village's groups of the same type with a similar name, the
    /// most similar first.
    pub matches: Vec<Match>,
    /// The group id the form itself names (a re-survey form's choice of the group re-visited).
    pub names_group: Option<String>,
}

/// Fields that are personal data: hidden from a reader who may not see it.
const PERSONAL: [&str; 3] = ["ketua", "telepon", "pendata"];

fn place(r: &SubmissionRecord) -> Option<RegionCode> {
    RegionCode::parse(r.place()).ok()
}

fn missing(id: i64) -> ServiceError {
    ServiceError::NotFound {
        kind: "kiriman",
        id: id.to_string(),
    }
}

/// The submissions under `region` (the caller's own region when `None` and they have one),
/// with `status` when given, the newest first, and the counts by status: for officers and
/// admins who may read the region's records.
pub async fn list(
    store: &Store,
    caller: &Caller,
    region: Option<&RegionCode>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SubmissionRecord>, InboxCounts), ServiceError> {
    caller.signed_in()?;
    caller.check_officer()?;
    let region = match region {
        Some(r) => Some(r.clone()),
        None => caller.person().and_then(|p| p.region.clone()),
    };
    let readable = match &region {
        Some(r) => caller.reads_records(r),
        None => caller.reads_everywhere(),
    };
    if !readable {
        return Err(caller.forbidden());
    }
    let rows = store
        .submissions(region.as_ref(), status, limit, offset)
        .await?;
    let counts = store.inbox_counts(region.as_ref()).await?;
    Ok((rows, counts))
}

/// The answers with the officer's edits.
fn answers_of(answers: &Answers, edited: Option<&str>) -> Vec<Answer> {
    let edits: BTreeMap<String, String> = edited
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default();
    answers
        .fields
        .iter()
        .map(|(path, value)| Answer {
            path: path.clone(),
            value: value.clone(),
            edited: edits.get(path).filter(|e| *e != value).cloned(),
        })
        .collect()
}

/// The group the answers describe (checked as the import checks a row), or its problems.
fn group_of(answers: &[Answer], tree: &'static RegionTree) -> Result<Group, Vec<FieldError>> {
    let headers: Vec<String> = answers.iter().map(|a| a.path.clone()).collect();
    let cells: Vec<String> = answers.iter().map(|a| a.current().to_string()).collect();
    let map =
        crate::instrument::map_headers(Some(Table::Groups), &headers, true).map_err(|ps| {
            ps.into_iter()
                .map(|p| FieldError {
                    field: p.header.clone(),
                    value: String::new(),
                    expected_id: p.message(wahana_domain::Lang::Id),
                    expected_en: p.message(wahana_domain::Lang::En),
                })
                .collect::<Vec<_>>()
        })?;
    let ctx = Context {
        regions: tree,
        today: wahana_store::today(),
        wave_date: None,
    };
    let get = map.getter(&cells);
    Group::from_fields(get, String::new, &ctx)
}

/// The village's groups most like `g` (same type, similar name), the most similar first.
async fn matches_of(store: &Store, g: &Group) -> Result<Vec<Match>, ServiceError> {
    let filter = GroupFilter {
        region: Some(g.village.clone()),
        group_type: Some(g.group_type),
        ..GroupFilter::default()
    };
    let held = store.list_groups(&filter, 2000, 0).await?;
    let me = Candidate::from_group(g);
    let mut best: BTreeMap<String, Match> = BTreeMap::new();
    for s in held {
        let score = similarity(&Candidate::from_group(&s.group), &me).score;
        // Listed from the linking's review band up (`docs/linking.md`).
        if score < wahana_domain::linking::Thresholds::default().review {
            continue;
        }
        let keep = best.get(&s.group.id).is_none_or(|m| m.score < score);
        if keep {
            best.insert(
                s.group.id.clone(),
                Match {
                    id: s.group.id.clone(),
                    name: s.group.name.clone(),
                    wave_id: s.wave_id.clone(),
                    score,
                },
            );
        }
    }
    let mut out: Vec<Match> = best.into_values().collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    out.truncate(10);
    Ok(out)
}

async fn screening_of(store: &Store, g: &Group) -> Result<Option<ScreeningResult>, ServiceError> {
    Ok(store
        .rule_set(wahana_store::DEFAULT_RULES)
        .await?
        .map(|rules| rules.screen(g)))
}

/// The record, checked readable by the caller (an officer or admin of its region); another
/// region's is answered as not found.
async fn readable(
    store: &Store,
    caller: &Caller,
    id: i64,
) -> Result<SubmissionRecord, ServiceError> {
    caller.signed_in()?;
    caller.check_officer()?;
    let r = store.submission(id).await?.ok_or_else(|| missing(id))?;
    match place(&r) {
        Some(p) if caller.reads_records(&p) => Ok(r),
        _ => Err(missing(id)),
    }
}

/// One submission with its answers, the group they describe, its screening and likely matches.
/// Personal answers (the chair, the phone, the enumerator's name) are blanked for a reader who
/// may not see the region's personal data.
pub async fn item(store: &Store, caller: &Caller, id: i64) -> Result<InboxItem, ServiceError> {
    let record = readable(store, caller, id).await?;
    let answers = parse_submission(&record.xml).map_err(|e| {
        ServiceError::Invalid(vec![FieldError {
            field: "xml".into(),
            value: String::new(),
            expected_id: e.message(wahana_domain::Lang::Id),
            expected_en: e.message(wahana_domain::Lang::En),
        }])
    })?;
    let mut list = answers_of(&answers, record.edited.as_deref());
    let tree = RegionTree::official();
    let (group, problems) = match group_of(&list, tree) {
        Ok(g) => (Some(g), Vec::new()),
        Err(p) => (None, p),
    };
    let (screening, matches) = match &group {
        Some(g) => (screening_of(store, g).await?, matches_of(store, g).await?),
        None => (None, Vec::new()),
    };
    let personal = place(&record).is_some_and(|p| caller.sees_personal(&p));
    if !personal {
        for a in &mut list {
            let last = a.path.rsplit('/').next().unwrap_or("");
            if PERSONAL.contains(&last) && !a.current().is_empty() {
                a.value = "•••".into();
                a.edited = None;
            }
        }
    }
    let names_group = answers
        .get("id")
        .or_else(|| answers.get("kelompok_lama"))
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != crate::instrument::xlsform::NEW_GROUP_CHOICE)
        .map(str::to_string);
    Ok(InboxItem {
        record,
        answers: list,
        group: group.map(|g| {
            if personal {
                g
            } else {
                g.without_personal_data()
            }
        }),
        problems,
        screening,
        matches,
        names_group,
    })
}

/// Keeps an officer's edits of a pending submission's answers (field path -> value); the XML
/// stays as received.
pub async fn edit(
    store: &Store,
    caller: &Caller,
    id: i64,
    edits: &BTreeMap<String, String>,
) -> Result<(), ServiceError> {
    let r = readable(store, caller, id).await?;
    let p = place(&r).ok_or_else(|| missing(id))?;
    if !caller.writes(Write::CreateGroup, &p) {
        return Err(caller.forbidden());
    }
    if r.status != "pending" {
        return Err(not_pending(&r));
    }
    let answers = parse_submission(&r.xml).map_err(|_| missing(id))?;
    let kept: BTreeMap<&String, &String> = edits
        .iter()
        .filter(|(k, v)| {
            answers
                .fields
                .iter()
                .any(|(path, value)| path == *k && value != *v)
        })
        .collect();
    let json = serde_json::to_string(&kept).unwrap_or_else(|_| "{}".into());
    store.set_submission_edits(id, &json).await?;
    Ok(())
}

fn not_pending(r: &SubmissionRecord) -> ServiceError {
    ServiceError::AlreadyDecided {
        id: r.id,
        status: r.status.clone(),
    }
}

/// What accepting did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Accepted {
    pub submission: i64,
    pub wave: String,
    pub group_id: String,
    pub report: ImportReport,
}

/// Why an acceptance wrote nothing.
#[derive(Debug)]
pub enum AcceptError {
    Service(ServiceError),
    /// The answers did not pass the import's checks (or someone decided first): the report
    /// lists every problem.
    Refused(Box<ImportReport>),
}

impl From<ServiceError> for AcceptError {
    fn from(e: ServiceError) -> Self {
        AcceptError::Service(e)
    }
}

impl From<wahana_store::StoreError> for AcceptError {
    fn from(e: wahana_store::StoreError) -> Self {
        AcceptError::Service(e.into())
    }
}

/// Where an accepted submission goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A new group (never linked by name to an earlier one).
    New,
    /// An observation of this group in the wave.
    Group(String),
    /// As the form says (a re-survey form names the group re-visited), else as the linking
    /// rules decide.
    AsSent,
}

/// Accepts a pending submission into `wave` (the region's latest open wave when `None`) as
/// `target`, with the caller's edits kept first: its answers are imported as a one-row file
/// (every check of an import, within the caller's region), and the submission is marked
/// accepted in the same transaction. Nothing is written when a check fails.
pub async fn accept(
    store: &Store,
    caller: &Caller,
    id: i64,
    wave: Option<&str>,
    target: Target,
) -> Result<Accepted, AcceptError> {
    let r = readable(store, caller, id).await?;
    let p = place(&r).ok_or_else(|| missing(id))?;
    if !caller.writes(Write::CreateGroup, &p) {
        return Err(caller.forbidden().into());
    }
    if r.status != "pending" {
        return Err(not_pending(&r).into());
    }
    let within = caller.import_scope()?;
    accept_as(store, &r, &p, wave, target, caller.who().0, within).await
}

async fn accept_as(
    store: &Store,
    r: &SubmissionRecord,
    place: &RegionCode,
    wave: Option<&str>,
    target: Target,
    actor: String,
    within: Option<RegionCode>,
) -> Result<Accepted, AcceptError> {
    let wave = match wave {
        Some(w) => w.to_string(),
        None => store
            .latest_open_wave(Some(place))
            .await?
            .map(|w| w.id)
            .ok_or(ServiceError::NoOpenWave)?,
    };
    let answers = parse_submission(&r.xml).map_err(|_| missing(r.id))?;
    let list = answers_of(&answers, r.edited.as_deref());
    let mut headers: Vec<String> = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    for a in &list {
        let last = a.path.rsplit('/').next().unwrap_or("");
        // The form's own id (a re-survey's group re-visited) gives way to the officer's choice.
        if last == "id" && target != Target::AsSent {
            continue;
        }
        headers.push(a.path.clone());
        cells.push(a.current().to_string());
    }
    if let Target::Group(g) = &target {
        headers.push("id".into());
        cells.push(g.clone());
    }
    let dir = std::env::temp_dir().join(format!(
        "wahana-kiriman-{}-{}",
        r.id,
        super::users::random_token()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| ServiceError::Invalid(vec![io_problem(e)]))?;
    let path = dir.join(format!("kiriman-{}.csv", r.id));
    let written = (|| -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_path(&path)?;
        w.write_record(&headers)?;
        w.write_record(&cells)?;
        w.flush()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(
            ServiceError::Invalid(vec![io_problem(std::io::Error::other(e.to_string()))]).into(),
        );
    }
    let opts = ImportOptions {
        table: Some(Table::Groups),
        wave: Some(wave.clone()),
        ignore_unknown: true,
        within,
        file_name: Some(format!("kiriman #{} ({})", r.id, r.instance_id)),
        who: Some(super::audit::Who(actor)),
        submission: Some(r.id),
        no_linking: target == Target::New,
        ..ImportOptions::default()
    };
    // The import's reader holds non-`Send` state across awaits: it runs on a blocking thread,
    // so that this use case can be awaited from any task (a web handler).
    let handle = tokio::runtime::Handle::current();
    let (store2, path2) = (store.clone(), path.clone());
    let result = tokio::task::spawn_blocking(move || {
        handle.block_on(super::import::import_file(
            &store2,
            &path2,
            &opts,
            wahana_store::today(),
            &|_| {},
        ))
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let result = result.map_err(|e| {
        ServiceError::Invalid(vec![FieldError {
            field: "kiriman".into(),
            value: r.id.to_string(),
            expected_id: format!("impor kiriman berhenti: {e}"),
            expected_en: format!("the submission's import stopped: {e}"),
        }])
    })?;
    let report = result.map_err(|e| {
        ServiceError::Invalid(vec![FieldError {
            field: "kiriman".into(),
            value: r.id.to_string(),
            expected_id: e.to_string(),
            expected_en: e.to_string(),
        }])
    })?;
    if !report.committed {
        return Err(AcceptError::Refused(Box::new(report)));
    }
    Ok(Accepted {
        submission: r.id,
        wave,
        group_id: report.written_ids.first().cloned().unwrap_or_default(),
        report,
    })
}

fn io_problem(e: std::io::Error) -> FieldError {
    FieldError {
        field: "kiriman".into(),
        value: String::new(),
        expected_id: format!("berkas sementara tidak dapat ditulis: {e}"),
        expected_en: format!("the temporary file could not be written: {e}"),
    }
}

/// Rejects a pending submission with a reason (required); it stays readable.
pub async fn reject(
    store: &Store,
    caller: &Caller,
    id: i64,
    reason: &str,
) -> Result<SubmissionRecord, ServiceError> {
    let r = readable(store, caller, id).await?;
    let p = place(&r).ok_or_else(|| missing(id))?;
    if !caller.writes(Write::CreateGroup, &p) {
        return Err(caller.forbidden());
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::Invalid(vec![FieldError {
            field: "alasan".into(),
            value: String::new(),
            expected_id: "alasan penolakan (wajib diisi)".into(),
            expected_en: "the reason for rejecting (required)".into(),
        }]));
    }
    if r.status != "pending"
        || !store
            .reject_submission(id, reason, &caller.who().0, p.as_str())
            .await?
    {
        return Err(not_pending(&r));
    }
    store.submission(id).await?.ok_or_else(|| missing(id))
}

/// An attachment's type and bytes, for a reader of the submission's region.
pub async fn file(
    store: &Store,
    caller: &Caller,
    id: i64,
    name: &str,
) -> Result<(String, Vec<u8>), ServiceError> {
    readable(store, caller, id).await?;
    store
        .submission_file(id, name)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            kind: "lampiran",
            id: name.to_string(),
        })
}

/// Sets whether `wave` accepts clean, unmatched submissions with no person looking (admins).
pub async fn set_auto_accept(
    store: &Store,
    caller: &Caller,
    wave: &str,
    on: bool,
) -> Result<(), ServiceError> {
    caller.check_admin()?;
    if store.wave(wave).await?.is_none() {
        return Err(ServiceError::NotFound {
            kind: "pendataan",
            id: wave.to_string(),
        });
    }
    store
        .set_wave_auto_accept(wave, on, &caller.who().0)
        .await?;
    Ok(())
}

/// Offers a new submission to the latest open wave that accepts clean submissions: accepted
/// (as a new group, by `sistem:otomatis`) when its answers validate, pass the screening's
/// checks of an import, and match no group of the village; `None` otherwise (it waits in the
/// inbox).
pub(crate) async fn auto_accept(store: &Store, id: i64) -> Result<Option<String>, ServiceError> {
    let Some(wave) = store.auto_accept_waves().await?.into_iter().next() else {
        return Ok(None);
    };
    let Some(r) = store.submission(id).await? else {
        return Ok(None);
    };
    let Some(p) = place(&r) else {
        return Ok(None);
    };
    let Ok(answers) = parse_submission(&r.xml) else {
        return Ok(None);
    };
    let list = answers_of(&answers, None);
    let Ok(g) = group_of(&list, RegionTree::official()) else {
        return Ok(None);
    };
    if !g.id.is_empty() || !matches_of(store, &g).await?.is_empty() {
        return Ok(None);
    }
    match accept_as(
        store,
        &r,
        &p,
        Some(&wave),
        Target::New,
        "sistem:otomatis".into(),
        Some(p.clone()),
    )
    .await
    {
        Ok(a) => Ok(Some(a.group_id)),
        Err(AcceptError::Refused(_)) => Ok(None),
        Err(AcceptError::Service(e)) => Err(e),
    }
}
