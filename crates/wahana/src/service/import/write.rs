//! Writing checked rows in batches inside the import's one transaction: ids, the region an
//! officer's import is held to, links to earlier waves, duplicates of groups held.

use super::{
    Actor, CHECKED_BATCH, FLUSH, ImportError, ImportOptions, ImportReport, Outside, Pending,
    Problem, Record, assign_ids, duplicate_problem, id_taken_problem, outside_problem, reject,
};
use crate::instrument::{HeaderMap, RowSink};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use wahana_domain::instrument::Table;
use wahana_domain::registry::duplicate_key;
use wahana_domain::{Date, FieldError, Group, Institution, Network, RegionCode, Tie};
use wahana_store::{ActorKind, Batch, IdTable, NewLink, NewReview, Store, StoredGroup};

pub(super) struct Importer<'a> {
    pub(super) store: &'a Store,
    pub(super) table: Table,
    pub(super) wave_id: String,
    pub(super) map: Arc<HeaderMap>,
    pub(super) opts: &'a ImportOptions,
    /// A group import: the ids of the networks and institutions held (a few per village, so
    /// a national file's ids are checked against them in memory), read at the first flush.
    pub(super) other_ids: Option<HashMap<String, ActorKind>>,
    /// No group was held when the import started (SQLite): see `import_file`.
    pub(super) first_load: bool,
    pub(super) groups: Vec<Pending<Group>>,
    pub(super) networks: Vec<Pending<Network>>,
    pub(super) institutions: Vec<Pending<Institution>>,
    pub(super) ties: Vec<Pending<Tie>>,
    /// The lowest region holding every record written so far (`None`: none yet; empty: they
    /// lie in more than one province), for the import's audit entry.
    pub(super) touched: Option<String>,
}

/// The lowest region holding both codes (their common leading segments), empty when they lie
/// in different provinces: a beginning of `a`.
pub(super) fn common_region<'a>(a: &'a str, b: &str) -> &'a str {
    let (mut end, mut pos) = (0, 0);
    for (x, y) in a.split('.').zip(b.split('.')) {
        if x != y {
            break;
        }
        pos += x.len();
        end = pos;
        pos += 1; // the dot
    }
    &a[..end]
}

impl Importer<'_> {
    pub(super) fn pending(&self) -> usize {
        self.groups.len() + self.networks.len() + self.institutions.len() + self.ties.len()
    }

    /// Notes that a record of region `code` is written.
    pub(super) fn touch(&mut self, code: &str) {
        // Once per row: shortened in place, no allocation.
        match &mut self.touched {
            None => self.touched = Some(code.to_string()),
            Some(t) => {
                let n = common_region(t, code).len();
                t.truncate(n);
            }
        }
    }

    /// The lowest region holding every record written, when they all lie in one province.
    pub(super) fn touched_region(&self) -> Option<RegionCode> {
        self.touched
            .as_deref()
            .filter(|t| !t.is_empty())
            .and_then(|t| RegionCode::parse(t).ok())
    }

    pub(super) fn push(&mut self, p: Pending<Record>) {
        match &p.record {
            Record::Group(r) => self.touch(r.village.as_str()),
            Record::Network(r) => self.touch(r.village.as_str()),
            Record::Institution(r) => self.touch(r.region.as_str()),
            Record::Tie(_) => {}
        }
        let Pending {
            row,
            record,
            provenance,
            cells,
            explicit_id,
            repeated_id,
        } = p;
        macro_rules! pend {
            ($list:expr, $r:expr) => {
                $list.push(Pending {
                    row,
                    record: $r,
                    provenance,
                    cells,
                    explicit_id,
                    repeated_id,
                })
            };
        }
        match record {
            Record::Group(r) => pend!(self.groups, r),
            Record::Network(r) => pend!(self.networks, r),
            Record::Institution(r) => pend!(self.institutions, r),
            Record::Tie(r) => pend!(self.ties, r),
        }
    }

    /// With a region restriction, a problem when the held actor `id` lies outside it (a
    /// record created earlier in this same import is not held yet, and was checked as a row).
    async fn held_outside(
        &self,
        row: u64,
        field: &str,
        kind: ActorKind,
        id: &str,
    ) -> Result<Option<Problem>, ImportError> {
        let Some(root) = &self.opts.within else {
            return Ok(None);
        };
        let region = match kind {
            ActorKind::Group => self.store.group(id).await?.map(|g| g.group.village),
            ActorKind::Network => self
                .store
                .actor::<Network>(id)
                .await?
                .map(|n| n.record.village),
            ActorKind::Institution => self
                .store
                .actor::<Institution>(id)
                .await?
                .map(|i| i.record.region),
        };
        Ok(region
            .filter(|r| !r.is_within(root))
            .map(|r| outside_problem(row, &self.map, field, id, root, Outside::Held(r))))
    }

    /// Refuses the rows whose id an actor of another kind holds (a group row naming a
    /// network's id, …): an id names one record of one kind, everywhere.
    async fn refuse_other_kinds<T: Actor>(
        &mut self,
        batch: &mut Batch,
        pending: Vec<Pending<T>>,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<Vec<Pending<T>>, ImportError> {
        let explicit: Vec<String> = pending
            .iter()
            .filter(|p| p.explicit_id)
            .map(|p| p.record.id().to_string())
            .collect();
        if explicit.is_empty() {
            return Ok(pending);
        }
        let tables = [
            (IdTable::Groups, ActorKind::Group),
            (IdTable::Networks, ActorKind::Network),
            (IdTable::Institutions, ActorKind::Institution),
        ];
        let mut holders: HashMap<String, ActorKind> = HashMap::new();
        if T::KIND == ActorKind::Group {
            if self.other_ids.is_none() {
                let mut all = HashMap::new();
                for (table, kind) in &tables[1..] {
                    for id in batch.all_ids(*table).await? {
                        all.insert(id, *kind);
                    }
                }
                self.other_ids = Some(all);
            }
            if let Some(all) = &self.other_ids {
                for id in &explicit {
                    if let Some(kind) = all.get(id) {
                        holders.insert(id.clone(), *kind);
                    }
                }
            }
        } else {
            for (table, kind) in tables.into_iter().filter(|(_, k)| *k != T::KIND) {
                for id in batch.existing_ids(table, &explicit).await? {
                    holders.insert(id, kind);
                }
            }
        }
        if holders.is_empty() {
            return Ok(pending);
        }
        let mut kept = Vec::with_capacity(pending.len());
        for p in pending {
            match holders.get(p.record.id()).filter(|_| p.explicit_id) {
                Some(kind) => {
                    let problem = id_taken_problem(p.row, &self.map, p.record.id(), *kind);
                    let cells = p.cells.unwrap_or_default();
                    reject(report, rejects, &cells, vec![problem], self.opts.lang)?;
                }
                None => kept.push(p),
            }
        }
        Ok(kept)
    }

    /// With a region restriction, refuses the rows that would change a record held outside
    /// it (an `id` column naming it), whatever region the row gives.
    async fn keep_inside<T: Actor>(
        &self,
        pending: Vec<Pending<T>>,
        held: &HashSet<String>,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<Vec<Pending<T>>, ImportError> {
        if self.opts.within.is_none() || held.is_empty() {
            return Ok(pending);
        }
        let mut kept = Vec::with_capacity(pending.len());
        for p in pending {
            let id = p.record.id();
            let problem = if held.contains(id) {
                self.held_outside(p.row, "id", T::KIND, id).await?
            } else {
                None
            };
            match problem {
                Some(problem) => {
                    let cells = p.cells.unwrap_or_default();
                    reject(report, rejects, &cells, vec![problem], self.opts.lang)?;
                }
                None => kept.push(p),
            }
        }
        Ok(kept)
    }

    /// Links the rows that came without an id to the groups their village had in earlier waves
    /// and this wave does not observe yet (`wahana_domain::linking::link_village`, one to one
    /// per village). A row matched takes the group's id (an observation of it: the link is
    /// returned, to be written with the rows); a row in the review band stays a new group, and
    /// its proposed pair is returned as (row index, earlier group id, score).
    async fn link_rows(
        &mut self,
        batch: &mut Batch,
        pending: &mut [Pending<Group>],
    ) -> Result<(Vec<NewLink>, Vec<(usize, String, f64)>), ImportError> {
        use wahana_domain::linking::{Candidate, Decision, Thresholds, link_village};
        let mut by_village: BTreeMap<RegionCode, Vec<usize>> = BTreeMap::new();
        for (i, p) in pending.iter().enumerate() {
            if !p.explicit_id && p.record.id.is_empty() {
                by_village
                    .entry(p.record.village.clone())
                    .or_default()
                    .push(i);
            }
        }
        let mut links = Vec::new();
        let mut proposed = Vec::new();
        if by_village.is_empty() {
            return Ok((links, proposed));
        }
        // Ids rows of this flush give: those groups are being observed here already.
        let given: HashSet<String> = pending
            .iter()
            .filter(|p| !p.record.id.is_empty())
            .map(|p| p.record.id.clone())
            .collect();
        let waves: HashMap<String, Option<Date>> = batch.wave_dates().await?;
        let this_date = self
            .opts
            .wave_date
            .or(waves.get(&self.wave_id).copied().flatten());
        for (village, rows) in by_village {
            // The latest earlier observation of each group (an undated wave counts as earlier
            // than a dated one; with this wave undated, every other wave is earlier).
            let mut latest: HashMap<String, (Option<Date>, StoredGroup)> = HashMap::new();
            for obs in batch.unobserved_in_village(&self.wave_id, &village).await? {
                if given.contains(&obs.group.id) {
                    continue;
                }
                let date = waves.get(&obs.wave_id).copied().flatten();
                let earlier = match (date, this_date) {
                    (Some(d), Some(t)) => d <= t,
                    _ => true,
                };
                if !earlier {
                    continue;
                }
                match latest.get(&obs.group.id) {
                    Some((d, _)) if *d >= date => {}
                    _ => {
                        latest.insert(obs.group.id.clone(), (date, obs));
                    }
                }
            }
            if latest.is_empty() {
                continue;
            }
            let mut previous: Vec<StoredGroup> = latest.into_values().map(|(_, g)| g).collect();
            previous.sort_by(|a, b| a.group.id.cmp(&b.group.id));
            let prev: Vec<Candidate> = previous
                .iter()
                .map(|g| Candidate::from_group(&g.group))
                .collect();
            let inc: Vec<Candidate> = rows
                .iter()
                .map(|&i| Candidate::from_group(&pending[i].record))
                .collect();
            for (k, d) in link_village(&prev, &inc, &Thresholds::default())
                .into_iter()
                .enumerate()
            {
                let i = rows[k];
                match d {
                    Decision::Matched { previous: j, score } => {
                        let id = previous[j].group.id.clone();
                        pending[i].record.id = id.clone();
                        links.push(NewLink {
                            from_id: id.clone(),
                            to_id: id,
                            kind: "continues",
                            method: "matched",
                            score: Some(score),
                            accepted_by: None,
                        });
                    }
                    Decision::Review {
                        previous: j, score, ..
                    } => proposed.push((i, previous[j].group.id.clone(), score)),
                    Decision::New => {}
                }
            }
        }
        Ok((links, proposed))
    }

    /// Writes what waits, after the checks that need the database: ids held, likely duplicates
    /// of groups held, the two ends of each tie.
    /// Writes the checked networks or institutions waiting in the batch (one path for both
    /// kinds): ids another kind holds refused, an officer's rows held to their region, ids
    /// drawn for rows without one.
    async fn flush_actors<T: Actor + wahana_store::ActorRecord>(
        &mut self,
        batch: &mut Batch,
        pending: Vec<Pending<T>>,
        id_table: IdTable,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<(), ImportError> {
        let explicit: Vec<String> = pending
            .iter()
            .filter(|p| p.explicit_id)
            .map(|p| Actor::id(&p.record).to_string())
            .collect();
        let held = batch.existing_ids(id_table, &explicit).await?;
        let pending = self
            .refuse_other_kinds(batch, pending, report, rejects)
            .await?;
        let mut pending = self.keep_inside(pending, &held, report, rejects).await?;
        assign_ids(batch, &mut pending).await?;
        let items: Vec<T> = pending.into_iter().map(|p| p.record).collect();
        batch.save_actors(&self.wave_id, &items).await?;
        let updated = items
            .iter()
            .filter(|r| held.contains(Actor::id(*r)))
            .count() as u64;
        report.written += items.len() as u64;
        report.updated += updated;
        report.created += items.len() as u64 - updated;
        Ok(())
    }

    pub(super) async fn flush(
        &mut self,
        batch: &mut Batch,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<(), ImportError> {
        let lang = self.opts.lang;
        match self.table {
            Table::Groups => {
                let pending =
                    std::mem::replace(&mut self.groups, Vec::with_capacity(FLUSH + CHECKED_BATCH));
                if pending.is_empty() {
                    return Ok(());
                }
                // First load: only an id the file gave before can be held, and the file's own
                // duplicates were found by the checking thread.
                let explicit: Vec<String> = pending
                    .iter()
                    .filter(|p| p.explicit_id && (!self.first_load || p.repeated_id))
                    .map(|p| p.record.id.clone())
                    .collect();
                // Groups held (in any wave), and those this wave observes already.
                let held = batch.existing_ids(IdTable::Groups, &explicit).await?;
                let observed = if held.is_empty() {
                    HashSet::new()
                } else {
                    let held: Vec<String> = held.iter().cloned().collect();
                    batch
                        .observed_ids(IdTable::Groups, &self.wave_id, &held)
                        .await?
                };
                let pending = self
                    .refuse_other_kinds(batch, pending, report, rejects)
                    .await?;
                let mut pending = self.keep_inside(pending, &held, report, rejects).await?;
                if !self.opts.allow_duplicates && !self.first_load {
                    let keys: Vec<String> = pending
                        .iter()
                        .filter(|p| !held.contains(&p.record.id))
                        .map(|p| {
                            duplicate_key(&p.record.village, p.record.group_type, &p.record.name)
                        })
                        .collect();
                    let found = batch.ids_by_duplicate_key(&self.wave_id, &keys).await?;
                    let mut kept = Vec::with_capacity(pending.len());
                    for p in pending {
                        let key =
                            duplicate_key(&p.record.village, p.record.group_type, &p.record.name);
                        match found.get(&key) {
                            Some(ids)
                                if !held.contains(&p.record.id) && !ids.contains(&p.record.id) =>
                            {
                                let problem =
                                    duplicate_problem(p.row, &self.map, &p.record, &ids.join(", "));
                                let cells = p.cells.unwrap_or_default();
                                reject(report, rejects, &cells, vec![problem], lang)?;
                            }
                            _ => kept.push(p),
                        }
                    }
                    pending = kept;
                }
                // Rows without an id: the same group as one of the village's earlier groups?
                let (links, proposed) = if self.first_load || self.opts.no_linking {
                    (Vec::new(), Vec::new())
                } else {
                    self.link_rows(batch, &mut pending).await?
                };
                assign_ids(batch, &mut pending).await?;
                let updated = pending
                    .iter()
                    .filter(|p| observed.contains(&p.record.id))
                    .count() as u64;
                let same_id = pending
                    .iter()
                    .filter(|p| held.contains(&p.record.id) && !observed.contains(&p.record.id))
                    .count() as u64;
                let reviews: Vec<NewReview> = proposed
                    .into_iter()
                    .map(|(i, candidate_id, score)| NewReview {
                        new_id: pending[i].record.id.clone(),
                        candidate_id,
                        score,
                    })
                    .collect();
                let (groups, prov): (Vec<Group>, Vec<Option<String>>) = pending
                    .into_iter()
                    .map(|p| (p.record, p.provenance))
                    .unzip();
                if self.first_load && held.is_empty() {
                    batch.save_new_groups(&self.wave_id, &groups, &prov).await?;
                } else {
                    batch.save_groups(&self.wave_id, &groups, &prov).await?;
                }
                batch.save_links(&self.wave_id, &links).await?;
                batch.save_reviews(&self.wave_id, &reviews).await?;
                let linked = same_id + links.len() as u64;
                if self.opts.submission.is_some() {
                    report
                        .written_ids
                        .extend(groups.iter().map(|g| g.id.clone()));
                }
                report.written += groups.len() as u64;
                report.updated += updated;
                report.linked += linked;
                report.matched += links.len() as u64;
                report.review += reviews.len() as u64;
                report.created += groups.len() as u64 - updated - linked;
            }
            Table::Networks => {
                let pending = std::mem::take(&mut self.networks);
                self.flush_actors(batch, pending, IdTable::Networks, report, rejects)
                    .await?;
            }
            Table::Institutions => {
                let pending = std::mem::take(&mut self.institutions);
                self.flush_actors(batch, pending, IdTable::Institutions, report, rejects)
                    .await?;
            }
            Table::Ties => {
                let pending = std::mem::take(&mut self.ties);
                // Both ends of every tie of the batch, looked up at once.
                let ids: Vec<&str> = pending
                    .iter()
                    .flat_map(|p| [p.record.from.as_str(), p.record.to.as_str()])
                    .collect();
                let ends = batch.observed_ends(&self.wave_id, &ids).await?;
                let mut resolved = Vec::with_capacity(pending.len());
                for p in pending {
                    let from = ends.get(&p.record.from);
                    let to = ends.get(&p.record.to);
                    let mut problems = Vec::new();
                    for (field, id, end) in
                        [("dari", &p.record.from, from), ("ke", &p.record.to, to)]
                    {
                        if end.is_none() {
                            problems.push(Problem::from_field(
                                p.row,
                                &self.map,
                                FieldError::new(
                                    field,
                                    id.as_str(),
                                    "id kelompok, wahana atau lembaga yang tercatat di pendataan ini (atau dibuat di impor yang sama)",
                                    "the id of a group, network or institution recorded in this wave (or created by the same import)",
                                ),
                                "actor_not_found",
                            ));
                        }
                    }
                    if let Some(root) = &self.opts.within {
                        for (field, id, end) in
                            [("dari", &p.record.from, from), ("ke", &p.record.to, to)]
                        {
                            let Some(region) = end.and_then(|e| RegionCode::parse(&e.region).ok())
                            else {
                                continue;
                            };
                            if !region.is_within(root) {
                                problems.push(outside_problem(
                                    p.row,
                                    &self.map,
                                    field,
                                    id,
                                    root,
                                    Outside::Held(region),
                                ));
                            }
                        }
                    }
                    match (from, to) {
                        (Some(f), Some(t)) if problems.is_empty() => {
                            self.touch(&f.region);
                            self.touch(&t.region);
                            resolved.push((p.record, f.clone(), t.clone()))
                        }
                        _ => {
                            let cells = p.cells.unwrap_or_default();
                            reject(report, rejects, &cells, problems, lang)?
                        }
                    }
                }
                batch.save_resolved_ties(&self.wave_id, &resolved).await?;
                report.written += resolved.len() as u64;
                report.created += resolved.len() as u64;
            }
        }
        Ok(())
    }
}
