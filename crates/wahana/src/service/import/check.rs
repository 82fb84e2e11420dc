//! Reading and checking rows on a thread of their own: everything about a row that needs no
//! database (the instrument's fields, the file's own duplicates).

use super::{
    BareWarnings, CHECKED_BATCH, Checked, MAX_PROBLEMS, Message, Pending, PreHashed, Problem,
    Record, Warning, duplicate_problem, inside, key_hash, read_problem,
};
use crate::instrument::{self, HeaderMap};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use wahana_domain::instrument::Table;
use wahana_domain::registry::{Period, each_notice, push_duplicate_key};
use wahana_domain::{Context, Date, FieldError, Group, Institution, Network, RegionCode, Tie};

/// Reads and checks rows (on its own thread): everything about a row that needs no database.
pub(super) struct Checker {
    pub(super) table: Table,
    pub(super) map: Arc<HeaderMap>,
    pub(super) file_name: String,
    /// The import's id, written in every record's provenance and in its audit entry.
    pub(super) import_id: String,
    pub(super) allow_duplicates: bool,
    pub(super) first_load: bool,
    pub(super) keep_cells: bool,
    pub(super) hasher: std::hash::RandomState,
    /// Duplicate-key hashes of the file's valid group rows → the first row holding it and
    /// the hash of its id (first load: every row; otherwise rows without an id).
    pub(super) seen: HashMap<u64, (u64, u64), PreHashed>,
    /// First load: the greatest id given so far. An id above it was not given before (a file
    /// in id order, as exports are, needs no set of 4 million ids); any other one may have
    /// been, and the database is asked.
    pub(super) greatest_id: String,
    /// The duplicate key of the row being checked (one buffer for every row).
    pub(super) key: String,
    pub(super) today: Date,
    pub(super) wave_date: Option<Date>,
    /// The wave's survey period: a survey date outside it is a warning.
    pub(super) period: Period,
    /// `{"baris":…,"berkas":…}` as serde_json writes it, split where the row number goes.
    pub(super) provenance_template: Option<(String, String)>,
    /// See [`ImportOptions::within`].
    pub(super) within: Option<RegionCode>,
    /// Warnings sent with their text so far (the report keeps [`MAX_PROBLEMS`] of them; the
    /// rest are sent bare, to be counted).
    pub(super) warnings_detailed: usize,
    /// Tests: the row at which the checking fails (panics), to show nothing is written then.
    #[cfg(test)]
    pub(super) fail_at: Option<u64>,
}

impl Checker {
    pub(super) fn run(
        mut self,
        mut reader: instrument::TableReader,
        tx: tokio::sync::mpsc::Sender<Message>,
    ) {
        let ctx = Context {
            regions: wahana_domain::RegionTree::official(),
            today: self.today,
            wave_date: self.wave_date,
        };
        let mut cells = Vec::new();
        let mut out = Vec::with_capacity(CHECKED_BATCH);
        // CSV cells lose the `'` an export put before a formula-like value.
        let csv = reader.kind == instrument::FileKind::Csv;
        loop {
            let row = match reader.read_into(&mut cells) {
                Ok(Some(r)) if csv => {
                    cells.iter_mut().for_each(instrument::formula::unguard);
                    r
                }
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    if !out.is_empty() {
                        let _ = tx.blocking_send(Message::Rows(std::mem::take(&mut out)));
                    }
                    let _ = tx.blocking_send(Message::ReadFailed(read_problem(&e)));
                    return;
                }
            };
            #[cfg(test)]
            if self.fail_at == Some(row) {
                panic!("checking failed on purpose at row {row}");
            }
            let outcome = self.take_row(row, &cells, &ctx);
            let keep = self.keep_cells && outcome.is_err();
            let mut warnings: Vec<Warning> = Vec::new();
            let mut counted = BareWarnings::default();
            if outcome.is_ok() {
                // Past the first MAX_PROBLEMS, warnings are only counted: made bare, and sent
                // as their codes.
                let detail = self.warnings_detailed < MAX_PROBLEMS;
                each_notice(
                    self.table,
                    self.map.getter(&cells),
                    self.period,
                    detail,
                    |n| {
                        if n.is_bare() {
                            counted.push(n.code);
                        } else {
                            warnings.push(Warning::from_notice(row, &self.map, n));
                        }
                    },
                );
                self.warnings_detailed += warnings.len();
            }
            out.push(Checked {
                row,
                cells: keep.then(|| cells.clone()),
                outcome,
                warnings,
                counted,
            });
            if out.len() >= CHECKED_BATCH
                && tx
                    .blocking_send(Message::Rows(std::mem::replace(
                        &mut out,
                        Vec::with_capacity(CHECKED_BATCH),
                    )))
                    .is_err()
            {
                return;
            }
        }
        if !out.is_empty() && tx.blocking_send(Message::Rows(out)).is_err() {
            return;
        }
        let _ = tx.blocking_send(Message::Done);
    }

    fn provenance(&mut self, row: u64, cells: &[String]) -> Option<String> {
        let object = |row: u64| {
            let mut obj = serde_json::Map::new();
            obj.insert("berkas".into(), self.file_name.clone().into());
            obj.insert("baris".into(), row.into());
            obj.insert("impor".into(), self.import_id.clone().into());
            obj
        };
        if self.map.has_metadata() {
            let mut obj = object(row);
            if let Some(serde_json::Value::Object(meta)) = self.map.provenance(cells) {
                obj.extend(meta);
            }
            return Some(serde_json::Value::Object(obj).to_string());
        }
        // Without metadata columns only the row number changes: the text serde_json writes is
        // made once and the number put in (a national file has 4 million rows).
        let (head, tail) = self.provenance_template.get_or_insert_with(|| {
            let text = serde_json::Value::Object(object(u64::MAX)).to_string();
            let mark = u64::MAX.to_string();
            match text.split_once(&mark) {
                Some((h, t)) => (h.to_string(), t.to_string()),
                None => (text, String::new()),
            }
        });
        let mut out = String::with_capacity(head.len() + tail.len() + 20);
        out.push_str(head);
        out.push_str(itoa::Buffer::new().format(row));
        out.push_str(tail);
        Some(out)
    }

    /// Checks one row: a valid one becomes a record waiting to be written, an invalid one gives
    /// its problems.
    fn take_row(
        &mut self,
        row: u64,
        cells: &[String],
        ctx: &Context<'_>,
    ) -> Result<Pending<Record>, Vec<Problem>> {
        let map = self.map.clone();
        let get = map.getter(cells);
        let explicit_id = map.get(cells, "id").is_some_and(|s| !s.trim().is_empty());
        let invalid = |errors: Vec<FieldError>| -> Vec<Problem> {
            errors
                .into_iter()
                .map(|e| Problem::from_field(row, &map, e, "invalid_value"))
                .collect()
        };
        let keep_cells = self.keep_cells;
        let pending =
            move |record: Record, provenance: Option<String>, repeated_id: bool| Pending {
                row,
                record,
                provenance,
                cells: keep_cells.then(|| cells.to_vec()),
                explicit_id,
                repeated_id,
            };
        match self.table {
            Table::Groups => {
                let g = Group::from_fields(get, String::new, ctx).map_err(invalid)?;
                inside(self.within.as_ref(), row, &map, "kode_wilayah", &g.village)?;
                let id_hash = if explicit_id {
                    key_hash(&self.hasher, &g.id)
                } else {
                    0
                };
                let mut repeated_id = false;
                if self.first_load && explicit_id {
                    if g.id > self.greatest_id {
                        self.greatest_id.clear();
                        self.greatest_id.push_str(&g.id);
                    } else {
                        repeated_id = true;
                    }
                }
                if !self.allow_duplicates && (self.first_load || !explicit_id) {
                    self.key.clear();
                    push_duplicate_key(&mut self.key, &g.village, g.group_type, &g.name);
                    let h = key_hash(&self.hasher, &self.key);
                    match self.seen.entry(h) {
                        // The same id again is the same group, given twice (the last wins).
                        Entry::Occupied(e) if explicit_id && e.get().1 == id_hash => {}
                        Entry::Occupied(e) => {
                            return Err(vec![duplicate_problem(
                                row,
                                &map,
                                &g,
                                &format!("baris/row {}", e.get().0),
                            )]);
                        }
                        Entry::Vacant(e) => {
                            e.insert((row, id_hash));
                        }
                    }
                }
                let provenance = self.provenance(row, cells);
                Ok(pending(Record::Group(g), provenance, repeated_id))
            }
            Table::Networks => {
                let n = Network::from_fields(get, String::new, ctx).map_err(invalid)?;
                inside(self.within.as_ref(), row, &map, "kode_wilayah", &n.village)?;
                Ok(pending(Record::Network(n), None, false))
            }
            Table::Institutions => {
                let i = Institution::from_fields(get, String::new, ctx).map_err(invalid)?;
                inside(self.within.as_ref(), row, &map, "kode_wilayah", &i.region)?;
                Ok(pending(Record::Institution(i), None, false))
            }
            Table::Ties => Tie::from_fields(get, ctx)
                .map(|t| pending(Record::Tie(t), None, false))
                .map_err(invalid),
        }
    }
}
