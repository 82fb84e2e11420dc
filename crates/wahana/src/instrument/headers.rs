//! Mapping a file's header row onto the instrument's columns.
//!
//! Headers are matched ignoring case and surrounding space (and a space inside is read as `_`),
//! by Indonesian name or English alias. Exports of submissions from KoboToolbox and ODK Central
//! import without editing:
//! - group prefixes are stripped: `identitas/nama` (Kobo), `identitas-nama` (ODK Central),
//!   nested `a/b/nama`, but only when what remains is a known column;
//! - metadata columns (`_uuid`, `_submission_time`, `start`, `deviceid`, `meta-instanceID`, `KEY`,
//!   `SubmissionDate`, ...) are kept as provenance, a JSON object per row;
//! - a geopoint `lokasi` ("lat lng alt acc") fills `lintang` and `bujur`, as do its split columns
//!   (`_lokasi_latitude` from Kobo, `lokasi-Latitude` from ODK Central);
//! - helper columns of wahana's own XLSForm (the cascading `provinsi`/`kabupaten`/`kecamatan`
//!   pickers, `*_note`) and the one-column-per-choice copies of select_multiple answers
//!   (`program/kegiatan/arisan`) are ignored: the data they hold is in other columns.

use super::column_letter;
use serde_json::{Map, Value};
use std::cell::Cell;
use wahana_domain::Lang;
use wahana_domain::instrument::{self, Column, Table};

/// Names a geopoint question may have; its value "lat lng alt acc" fills latitude and longitude.
const GEOPOINT_NAMES: &[&str] = &[
    "lokasi",
    "location",
    "koordinat",
    "gps",
    "geopoint",
    "titik",
];

/// Fields of wahana's XLSForm that help fill another column and carry nothing of their own.
/// (`kelompok_lama`: a re-survey form's choice of the group re-visited, whose id the form's
/// `id` carries.)
const FORM_HELPERS: &[&str] = &[
    "provinsi",
    "kabupaten",
    "kabupaten_kota",
    "kecamatan",
    "kelompok_lama",
];

/// Metadata columns that KoboToolbox and ODK write next to the answers (compared lowercased).
const METADATA_NAMES: &[&str] = &[
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
    "instanceid",
    "instancename",
    "key",
    "parent_key",
    "submissiondate",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "reviewstate",
    "edits",
    "formversion",
];

/// ODK Central's metadata columns, matched exactly: `Status` would otherwise be the group's
/// `status` column.
const CENTRAL_METADATA: &[&str] = &[
    "SubmissionDate",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
];

/// What one column of the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    /// An instrument column (its Indonesian name).
    Field(&'static str),
    /// A geopoint "lat lng alt acc", read for `lintang` and `bujur`.
    Geopoint,
    /// The latitude or longitude part of a split geopoint, read as `lintang` or `bujur`.
    GeopointPart(&'static str),
    /// Kept as provenance.
    Metadata,
    /// Read for nothing: a form helper, a split select_multiple copy, a geopoint's altitude or
    /// accuracy, an unknown column when asked to ignore those, an unnamed column, or a column
    /// whose data another column already gives (an explicit `lintang` beside a geopoint).
    Ignored,
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Absent,
    Cell(usize),
    /// The n-th space-separated part of a cell (a geopoint).
    Part(usize, usize),
}

/// The mapping of a file's headers onto one table's columns.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    table: Table,
    first_column: usize,
    headers: Vec<String>,
    roles: Vec<ColumnRole>,
    /// One per column of the table, in [`instrument::columns`] order.
    sources: Vec<(&'static str, Source)>,
    metadata: Vec<usize>,
    missing_conditional: Vec<&'static str>,
}

/// A file column, as a spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    /// 0-based index in the sheet (0 = A).
    pub index: usize,
    pub letter: String,
    pub header: String,
}

impl HeaderMap {
    pub fn table(&self) -> Table {
        self.table
    }

    /// The headers as read.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// What each column of the file is, in file order.
    pub fn roles(&self) -> &[ColumnRole] {
        &self.roles
    }

    /// Whether the file gives this field (Indonesian name).
    pub fn has(&self, field: &str) -> bool {
        self.sources
            .iter()
            .any(|(f, s)| *f == field && *s != Source::Absent)
    }

    /// Columns required only under a condition the caller knows and that the file lacks:
    /// `tanggal_pendataan`, which a dated wave can stand in for.
    pub fn missing_conditional(&self) -> &[&'static str] {
        &self.missing_conditional
    }

    /// Whether any column is kept as provenance.
    pub fn has_metadata(&self) -> bool {
        !self.metadata.is_empty()
    }

    /// The file column a field is read from, for messages that name a column.
    pub fn locate(&self, field: &str) -> Option<ColumnRef> {
        let i = match self.source(field, &Cell::new(0)) {
            Source::Absent => return None,
            Source::Cell(i) | Source::Part(i, _) => i,
        };
        Some(self.column_ref(i))
    }

    fn column_ref(&self, i: usize) -> ColumnRef {
        ColumnRef {
            index: self.first_column + i,
            letter: column_letter(self.first_column + i),
            header: self.headers.get(i).cloned().unwrap_or_default(),
        }
    }

    /// A field's raw text in one row (Indonesian field name), `None` when the file has no such
    /// column.
    pub fn get<'r>(&self, cells: &'r [String], field: &str) -> Option<&'r str> {
        read_source(cells, self.source(field, &Cell::new(0)))
    }

    /// The field reader `Group::from_fields` and its siblings take, for one row.
    pub fn getter<'r>(&'r self, cells: &'r [String]) -> impl Fn(&str) -> Option<&'r str> + 'r {
        // `from_fields` asks for fields mostly in column order: start each search where the
        // last one matched.
        let hint = Cell::new(0);
        move |field| read_source(cells, self.source(field, &hint))
    }

    fn source(&self, field: &str, hint: &Cell<usize>) -> Source {
        let n = self.sources.len();
        let start = hint.get();
        for k in 0..n {
            let i = (start + k) % n;
            let (name, source) = self.sources[i];
            if name == field {
                hint.set(i);
                return source;
            }
        }
        Source::Absent
    }

    /// The row's metadata columns as a JSON object (header → text), without empty cells;
    /// `None` when the file has no metadata columns or they are all empty in this row.
    pub fn provenance(&self, cells: &[String]) -> Option<Value> {
        if self.metadata.is_empty() {
            return None;
        }
        let mut map = Map::new();
        for &i in &self.metadata {
            let value = cells.get(i).map(|s| s.trim()).unwrap_or("");
            if !value.is_empty() {
                map.insert(
                    self.headers[i].trim().to_string(),
                    Value::String(value.to_string()),
                );
            }
        }
        (!map.is_empty()).then_some(Value::Object(map))
    }
}

fn read_source(cells: &[String], source: Source) -> Option<&str> {
    match source {
        Source::Absent => None,
        Source::Cell(i) => Some(cells.get(i).map_or("", String::as_str)),
        Source::Part(i, n) => Some(
            cells
                .get(i)
                .and_then(|c| c.split_whitespace().nth(n))
                .unwrap_or(""),
        ),
    }
}

/// One problem with the header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderProblem {
    /// 0-based column index in the sheet (0 = A); `None` for a column that is missing.
    pub column: Option<usize>,
    /// The header as written (empty for a missing column).
    pub header: String,
    pub kind: HeaderProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblemKind {
    /// A header that names no column of the table.
    Unknown {
        table: Table,
        suggestion: Option<&'static str>,
    },
    /// A column without a header, followed by named ones.
    Blank,
    /// A second column for a field that an earlier column already gives.
    Duplicate {
        field: &'static str,
        first_column: usize,
        first_header: String,
    },
    /// A required column that is not there.
    MissingRequired {
        table: Table,
        field: &'static str,
        en: &'static str,
    },
    /// The headers match no table well enough to tell which this is.
    UnknownTable,
}

impl HeaderProblem {
    /// A stable code for API bodies.
    pub fn code(&self) -> &'static str {
        match self.kind {
            HeaderProblemKind::Unknown { .. } => "unknown_column",
            HeaderProblemKind::Blank => "blank_header",
            HeaderProblemKind::Duplicate { .. } => "duplicate_column",
            HeaderProblemKind::MissingRequired { .. } => "missing_column",
            HeaderProblemKind::UnknownTable => "unknown_table",
        }
    }

    /// The column letter, e.g. `C`.
    pub fn column_letter(&self) -> Option<String> {
        self.column.map(column_letter)
    }

    /// A missing required column, for callers that decide it (`tanggal_pendataan` without a
    /// dated wave).
    pub fn missing(table: Table, field: &'static str) -> HeaderProblem {
        let en = instrument::columns(table)
            .iter()
            .find(|c| c.id == field)
            .map_or(field, |c| c.en);
        HeaderProblem {
            column: None,
            header: String::new(),
            kind: HeaderProblemKind::MissingRequired { table, field, en },
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let at = match (&self.column, lang) {
            (Some(c), Lang::Id) => format!("kolom {} (\"{}\")", column_letter(*c), self.header),
            (Some(c), Lang::En) => format!("column {} (\"{}\")", column_letter(*c), self.header),
            (None, _) => String::new(),
        };
        match (&self.kind, lang) {
            (HeaderProblemKind::Unknown { table, suggestion }, Lang::Id) => {
                let hint = suggestion
                    .map(|s| format!("mungkin maksudnya \"{s}\"? "))
                    .unwrap_or_default();
                format!(
                    "{at}: nama kolom tidak dikenal untuk tabel {}; {hint}kolom yang dikenal: {} \
                     (atau nama Inggrisnya); hapus kolom itu atau minta kolom tak dikenal diabaikan",
                    table.code(),
                    known_columns(*table, false)
                )
            }
            (HeaderProblemKind::Unknown { table, suggestion }, Lang::En) => {
                let hint = suggestion
                    .map(|s| format!("did you mean \"{s}\"? "))
                    .unwrap_or_default();
                format!(
                    "{at}: unknown column for table {} ({}); {hint}expected one of: {} (or their \
                     Indonesian names); delete the column or ask for unknown columns to be ignored",
                    table.code(),
                    table.code_en(),
                    known_columns(*table, true)
                )
            }
            (HeaderProblemKind::Blank, Lang::Id) => format!(
                "kolom {}: judul kolom kosong padahal ada kolom berjudul sesudahnya; beri judul \
                 atau hapus kolom itu",
                self.column.map(column_letter).unwrap_or_default()
            ),
            (HeaderProblemKind::Blank, Lang::En) => format!(
                "column {}: the header is empty but named columns follow; name it or delete it",
                self.column.map(column_letter).unwrap_or_default()
            ),
            (
                HeaderProblemKind::Duplicate {
                    field,
                    first_column,
                    first_header,
                },
                Lang::Id,
            ) => format!(
                "{at}: kolom {field} sudah diberikan oleh kolom {} (\"{first_header}\"); \
                 sisakan satu saja",
                column_letter(*first_column)
            ),
            (
                HeaderProblemKind::Duplicate {
                    field,
                    first_column,
                    first_header,
                },
                Lang::En,
            ) => format!(
                "{at}: column {field} is already given by column {} (\"{first_header}\"); \
                 keep only one",
                column_letter(*first_column)
            ),
            (HeaderProblemKind::MissingRequired { table, field, en }, Lang::Id) => format!(
                "kolom wajib \"{field}\" ({en}) tidak ada di tabel {}",
                table.code()
            ),
            (HeaderProblemKind::MissingRequired { table, field, en }, Lang::En) => format!(
                "the required column \"{field}\" ({en}) is missing from table {}",
                table.code()
            ),
            (HeaderProblemKind::UnknownTable, Lang::Id) => format!(
                "judul kolom tidak cocok dengan tabel mana pun; sebutkan tabelnya ({})",
                Table::ALL.map(Table::code).join(", ")
            ),
            (HeaderProblemKind::UnknownTable, Lang::En) => format!(
                "the headers match no table; name the table ({})",
                Table::ALL.map(Table::code).join(", ")
            ),
        }
    }
}

impl std::fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

fn known_columns(table: Table, english: bool) -> String {
    instrument::columns(table)
        .iter()
        .map(|c| if english { c.en } else { c.id })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one header is, before duplicates and geopoints are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Blank,
    Field(usize),
    Geopoint,
    /// (field index in the table, part of the geopoint: 0 latitude, 1 longitude).
    GeoPart(usize, usize),
    Metadata,
    Helper,
    Unknown,
}

/// Maps headers onto a table's columns; `table` `None` guesses it from the headers. See
/// [`map_headers_at`] for files whose table does not start in column A.
pub fn map_headers(
    table: Option<Table>,
    headers: &[String],
    ignore_unknown: bool,
) -> Result<HeaderMap, Vec<HeaderProblem>> {
    map_headers_at(table, headers, 0, ignore_unknown)
}

/// Maps headers whose first one is in sheet column `first_column` (0 = A), so that problems
/// name the columns as the spreadsheet shows them. Every problem is reported at once.
pub fn map_headers_at(
    table: Option<Table>,
    headers: &[String],
    first_column: usize,
    ignore_unknown: bool,
) -> Result<HeaderMap, Vec<HeaderProblem>> {
    let central = headers.iter().any(|h| {
        let h = h.trim();
        h == "KEY" || h == "SubmissionDate" || h == "meta-instanceID"
    });
    let table = match table {
        Some(t) => t,
        None => guess_table(headers, central).ok_or_else(|| {
            vec![HeaderProblem {
                column: None,
                header: String::new(),
                kind: HeaderProblemKind::UnknownTable,
            }]
        })?,
    };
    let columns = instrument::columns(table);
    let classes: Vec<Class> = headers
        .iter()
        .map(|h| classify(table, h, central))
        .collect();
    let last_named = classes.iter().rposition(|c| *c != Class::Blank);

    let mut problems = Vec::new();
    let mut roles = Vec::with_capacity(headers.len());
    let mut sources: Vec<(&'static str, Source)> =
        columns.iter().map(|c| (c.id, Source::Absent)).collect();
    let mut metadata = Vec::new();
    let mut geopoint: Option<usize> = None;
    let mut geo_parts: [Option<usize>; 2] = [None, None];

    for (i, class) in classes.iter().enumerate() {
        let role = match *class {
            Class::Blank => {
                if !ignore_unknown && last_named.is_some_and(|l| i < l) {
                    problems.push(HeaderProblem {
                        column: Some(first_column + i),
                        header: headers[i].clone(),
                        kind: HeaderProblemKind::Blank,
                    });
                }
                ColumnRole::Ignored
            }
            Class::Field(f) => match sources[f].1 {
                Source::Cell(first) => {
                    problems.push(duplicate(headers, first_column, i, first, columns[f].id));
                    ColumnRole::Ignored
                }
                _ => {
                    sources[f].1 = Source::Cell(i);
                    ColumnRole::Field(columns[f].id)
                }
            },
            Class::Geopoint => match geopoint {
                Some(first) => {
                    problems.push(duplicate(headers, first_column, i, first, "lokasi"));
                    ColumnRole::Ignored
                }
                None => {
                    geopoint = Some(i);
                    ColumnRole::Geopoint
                }
            },
            Class::GeoPart(f, part) => match geo_parts[part] {
                Some(first) => {
                    problems.push(duplicate(headers, first_column, i, first, columns[f].id));
                    ColumnRole::Ignored
                }
                None => {
                    geo_parts[part] = Some(i);
                    ColumnRole::GeopointPart(columns[f].id)
                }
            },
            Class::Metadata => {
                metadata.push(i);
                ColumnRole::Metadata
            }
            Class::Helper => ColumnRole::Ignored,
            Class::Unknown => {
                if !ignore_unknown {
                    problems.push(HeaderProblem {
                        column: Some(first_column + i),
                        header: headers[i].clone(),
                        kind: HeaderProblemKind::Unknown {
                            table,
                            suggestion: suggest(table, &headers[i]),
                        },
                    });
                }
                ColumnRole::Ignored
            }
        };
        roles.push(role);
    }

    // Latitude and longitude: an explicit column, else a split geopoint, else the geopoint.
    for (part, field) in ["lintang", "bujur"].into_iter().enumerate() {
        let Some(f) = columns.iter().position(|c| c.id == field) else {
            continue;
        };
        if sources[f].1 != Source::Absent {
            continue;
        }
        if let Some(i) = geo_parts[part] {
            sources[f].1 = Source::Cell(i);
        } else if let Some(g) = geopoint {
            sources[f].1 = Source::Part(g, part);
        }
    }
    // A geopoint or part whose data an explicit column gives is not read.
    for (i, role) in roles.iter_mut().enumerate() {
        let used = match role {
            ColumnRole::Geopoint => sources
                .iter()
                .any(|(_, s)| matches!(s, Source::Part(g, _) if *g == i)),
            ColumnRole::GeopointPart(_) => sources.iter().any(|(_, s)| *s == Source::Cell(i)),
            _ => true,
        };
        if !used {
            *role = ColumnRole::Ignored;
        }
    }

    for (f, column) in columns.iter().enumerate() {
        if column.required && sources[f].1 == Source::Absent {
            problems.push(HeaderProblem::missing(table, column.id));
        }
    }
    let missing_conditional = match table {
        Table::Groups
            if !sources
                .iter()
                .any(|(f, s)| *f == "tanggal_pendataan" && *s != Source::Absent) =>
        {
            vec!["tanggal_pendataan"]
        }
        _ => Vec::new(),
    };

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(HeaderMap {
        table,
        first_column,
        headers: headers.to_vec(),
        roles,
        sources,
        metadata,
        missing_conditional,
    })
}

fn duplicate(
    headers: &[String],
    first_column: usize,
    i: usize,
    first: usize,
    field: &'static str,
) -> HeaderProblem {
    HeaderProblem {
        column: Some(first_column + i),
        header: headers[i].clone(),
        kind: HeaderProblemKind::Duplicate {
            field,
            first_column: first_column + first,
            first_header: headers[first].clone(),
        },
    }
}

/// The table that explains the headers best: the most columns matched less the headers it does
/// not know, then the one whose required columns are all present; remaining ties go to the
/// order of [`Table::ALL`] (groups first). `dari`/`ke`/`jenis_ikatan` match only ties.
fn guess_table(headers: &[String], central: bool) -> Option<Table> {
    // The table that explains the most headers: matched columns count for it, headers it does
    // not know count against it (so a groups file missing one required column is still read as
    // groups, and its missing column reported).
    let mut best: Option<(i64, bool, Table)> = None;
    for table in Table::ALL {
        let columns = instrument::columns(table);
        let mut seen = vec![false; columns.len()];
        let mut unknown = 0i64;
        for h in headers {
            match classify(table, h, central) {
                Class::Field(f) | Class::GeoPart(f, _) => seen[f] = true,
                Class::Unknown => unknown += 1,
                _ => {}
            }
        }
        let matched = seen.iter().filter(|s| **s).count() as i64;
        let complete = columns.iter().zip(&seen).all(|(c, s)| !c.required || *s);
        if matched == 0 {
            continue;
        }
        let score = matched - unknown;
        let better = match best {
            None => true,
            Some((bs, bc, _)) => (score, complete) > (bs, bc),
        };
        if better {
            best = Some((score, complete, table));
        }
    }
    best.map(|(_, _, t)| t)
}

/// A header made comparable: trimmed, lowercase, inner whitespace as `_`.
fn normalize(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut space = false;
    for c in header.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push('_');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn column_index(table: Table, name: &str) -> Option<usize> {
    instrument::columns(table)
        .iter()
        .position(|c: &Column| c.id == name || c.en == name)
}

fn is_multi_code_column(table: Table, name: &str) -> bool {
    table == Table::Groups
        && matches!(
            name,
            "dasar_keanggotaan"
                | "membership_basis"
                | "tujuan"
                | "purposes"
                | "kegiatan"
                | "activities"
                | "sumber_dana"
                | "funding"
                | "nilai"
                | "values"
        )
}

fn classify(table: Table, header: &str, central: bool) -> Class {
    let raw = header.trim();
    if raw.is_empty() {
        return Class::Blank;
    }
    if central && CENTRAL_METADATA.contains(&raw) {
        return Class::Metadata;
    }
    let full = normalize(raw);
    if let Some(f) = column_index(table, &full) {
        return Class::Field(f);
    }
    // A select_multiple answer split one column per choice: `group/field/choice` (Kobo) or
    // `group-field/choice` (ODK Central).
    if let Some((before, _choice)) = full.rsplit_once('/') {
        let field = last_segment(before);
        let field = field.rsplit('-').next().unwrap_or(field);
        if is_multi_code_column(table, field) {
            return Class::Helper;
        }
    }
    // The name without group prefixes: after the last `/`, then after the last `-`.
    let slash_tail = last_segment(&full);
    let dash_tail = slash_tail.rsplit('-').next().unwrap_or(slash_tail);
    if full.starts_with("meta/") || full.starts_with("meta-") {
        return Class::Metadata;
    }
    for name in [slash_tail, dash_tail] {
        if let Some(class) = classify_name(table, name) {
            return class;
        }
    }
    // A geopoint's altitude and accuracy from ODK Central (`lokasi-Altitude`).
    if slash_tail.contains('-') && matches!(dash_tail, "altitude" | "accuracy") {
        return Class::Helper;
    }
    Class::Unknown
}

fn last_segment(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Classifies a name stripped of group prefixes.
fn classify_name(table: Table, name: &str) -> Option<Class> {
    if let Some(f) = column_index(table, name) {
        return Some(Class::Field(f));
    }
    let lat = column_index(table, "lintang");
    let lng = column_index(table, "bujur");
    if GEOPOINT_NAMES.contains(&name) && lat.is_some() {
        return Some(Class::Geopoint);
    }
    if let Some(rest) = name.strip_prefix('_') {
        // Kobo's split geopoint: `_lokasi_latitude`, `_lokasi_longitude`, ...
        for (suffix, field) in [("_latitude", lat), ("_longitude", lng)] {
            if rest.strip_suffix(suffix).is_some_and(|b| !b.is_empty())
                && let Some(f) = field
            {
                return Some(Class::GeoPart(f, usize::from(suffix == "_longitude")));
            }
        }
        if ["_altitude", "_precision"].iter().any(|s| {
            rest.strip_suffix(s)
                .is_some_and(|b| GEOPOINT_NAMES.contains(&b))
        }) {
            return Some(Class::Helper);
        }
        return Some(Class::Metadata);
    }
    if METADATA_NAMES.contains(&name) {
        return Some(Class::Metadata);
    }
    if FORM_HELPERS.contains(&name) || name.ends_with("_note") {
        return Some(Class::Helper);
    }
    None
}

/// The table's column name nearest to an unknown header, if it is near enough to be a typo.
fn suggest(table: Table, header: &str) -> Option<&'static str> {
    let h = normalize(header);
    let h = last_segment(&h);
    let mut best: Option<(usize, &'static str)> = None;
    for c in instrument::columns(table) {
        for (name, shown) in [(c.id, c.id), (c.en, c.en)] {
            let d = edit_distance(h, name);
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, shown));
            }
        }
    }
    best.filter(|(d, name)| *d > 0 && *d <= (name.len() / 4).max(1))
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const GROUP_MIN: &[&str] = &[
        "kode_wilayah",
        "nama",
        "jenis",
        "asal",
        "tahun_berdiri",
        "tanggal_pendataan",
    ];

    fn roles_of(map: &HeaderMap) -> Vec<ColumnRole> {
        map.roles().to_vec()
    }

    #[test]
    fn indonesian_english_case_spaces_any_order() {
        let map = map_headers(
            Some(Table::Groups),
            &h(&[
                " Founded_Year ",
                "NAMA",
                "type",
                "origin",
                "Region Code",
                "survey_date",
            ]),
            false,
        )
        .unwrap();
        let cells = h(&[
            "1990",
            "Arisan",
            "arisan",
            "tumbuh_masyarakat",
            "7308211003",
            "2007-08-14",
        ]);
        let get = map.getter(&cells);
        assert_eq!(get("tahun_berdiri"), Some("1990"));
        assert_eq!(get("kode_wilayah"), Some("7308211003"));
        assert_eq!(get("nama"), Some("Arisan"));
        assert_eq!(get("catatan"), None);
        assert!(map.missing_conditional().is_empty());
        assert_eq!(map.provenance(&cells), None);
        assert_eq!(map.locate("jenis").unwrap().letter, "C");
    }

    #[test]
    fn table_is_guessed() {
        let cases: &[(&[&str], Option<Table>)] = &[
            (GROUP_MIN, Some(Table::Groups)),
            (&["dari", "ke", "jenis_ikatan"], Some(Table::Ties)),
            (
                &["from", "to", "tie_type", "since", "notes"],
                Some(Table::Ties),
            ),
            (&["kode_wilayah", "nama", "tingkat"], Some(Table::Networks)),
            (&["kode_wilayah", "nama"], Some(Table::Networks)),
            (
                &["kode_wilayah", "jenis_lembaga", "nama", "alamat"],
                Some(Table::Institutions),
            ),
            (&["foo", "bar"], None),
            // A groups file missing a required column is still groups (and the column reported).
            (
                &[
                    "kode_wilayah",
                    "nama",
                    "jenis",
                    "tahun_berdiri",
                    "tanggal_pendataan",
                ],
                Some(Table::Groups),
            ),
        ];
        for (headers, want) in cases {
            let got = guess_table(&h(headers), false);
            assert_eq!(got, *want, "{headers:?}");
        }
    }

    #[test]
    fn problems_name_column_letter_header_and_expectation() {
        let mut headers = h(GROUP_MIN);
        headers.insert(1, "namaa".into()); // B: unknown, near "nama"
        headers.push("name".into()); // H: duplicate of nama (C)
        headers.push("".into()); // I: blank, followed by a named column
        headers.push("ketua".into());
        headers.retain(|x| x != "asal"); // missing required
        let problems = map_headers(Some(Table::Groups), &headers, false).unwrap_err();
        let en: Vec<String> = problems.iter().map(|p| p.message(Lang::En)).collect();
        let id: Vec<String> = problems.iter().map(|p| p.message(Lang::Id)).collect();
        assert_eq!(problems.len(), 4, "{en:#?}");
        assert_eq!(problems[0].code(), "unknown_column");
        assert!(en[0].starts_with("column B (\"namaa\")"), "{}", en[0]);
        assert!(en[0].contains("did you mean \"nama\""), "{}", en[0]);
        assert!(id[0].starts_with("kolom B (\"namaa\")"), "{}", id[0]);
        assert_eq!(problems[1].code(), "duplicate_column");
        assert!(
            en[1].contains("column G (\"name\")") && en[1].contains("column C (\"nama\")"),
            "{}",
            en[1]
        );
        assert_eq!(problems[2].code(), "blank_header");
        assert!(en[2].starts_with("column H"), "{}", en[2]);
        assert_eq!(problems[3].code(), "missing_column");
        assert!(en[3].contains("\"asal\" (origin)"), "{}", en[3]);
        assert!(id[3].contains("kolom wajib \"asal\""), "{}", id[3]);
    }

    #[test]
    fn ignore_unknown_keeps_going() {
        let mut headers = h(GROUP_MIN);
        headers.push("keterangan lain".into());
        headers.push("".into());
        headers.push("ketua".into());
        let map = map_headers(Some(Table::Groups), &headers, true).unwrap();
        assert_eq!(map.roles()[6], ColumnRole::Ignored);
        assert_eq!(map.roles()[8], ColumnRole::Field("ketua"));
    }

    #[test]
    fn survey_date_is_reported_separately() {
        let headers = h(&GROUP_MIN[..5]);
        let map = map_headers(Some(Table::Groups), &headers, false).unwrap();
        assert_eq!(map.missing_conditional(), ["tanggal_pendataan"]);
        let p = HeaderProblem::missing(Table::Groups, "tanggal_pendataan");
        assert!(p.message(Lang::En).contains("survey_date"));
    }

    #[test]
    fn first_column_offset_shows_in_letters() {
        let mut headers = h(GROUP_MIN);
        headers.push("x".into());
        let problems = map_headers_at(Some(Table::Groups), &headers, 2, false).unwrap_err();
        assert_eq!(problems[0].column_letter().as_deref(), Some("I"));
    }

    #[test]
    fn kobo_export_headers() {
        let headers = h(&[
            "start",
            "end",
            "deviceid",
            "pendataan/tanggal_pendataan",
            "pendataan/pendata",
            "wilayah/kecamatan",
            "wilayah/kode_wilayah",
            "identitas/nama",
            "identitas/jenis",
            "identitas/asal",
            "identitas/tahun_berdiri",
            "program/kegiatan",
            "program/kegiatan/arisan",
            "program/kegiatan/santunan_duka",
            "kelembagaan/lokasi",
            "kelembagaan/_lokasi_latitude",
            "kelembagaan/_lokasi_longitude",
            "kelembagaan/_lokasi_altitude",
            "kelembagaan/_lokasi_precision",
            "kelembagaan/status",
            "intro_note",
            "meta/instanceID",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "__version__",
            "_tags",
            "_index",
        ]);
        let map = map_headers(None, &h_ref(&headers), false).unwrap();
        assert_eq!(map.table(), Table::Groups);
        let r = roles_of(&map);
        assert_eq!(r[0], ColumnRole::Metadata);
        assert_eq!(r[3], ColumnRole::Field("tanggal_pendataan"));
        assert_eq!(r[5], ColumnRole::Ignored);
        assert_eq!(r[11], ColumnRole::Field("kegiatan"));
        assert_eq!(r[12], ColumnRole::Ignored);
        assert_eq!(
            r[14],
            ColumnRole::Ignored,
            "split parts win over the geopoint"
        );
        assert_eq!(r[15], ColumnRole::GeopointPart("lintang"));
        assert_eq!(r[16], ColumnRole::GeopointPart("bujur"));
        assert_eq!(r[17], ColumnRole::Ignored);
        assert_eq!(r[19], ColumnRole::Field("status"));
        assert_eq!(r[21], ColumnRole::Metadata);
        assert!(r[22..].iter().all(|x| *x == ColumnRole::Metadata));

        let mut cells = vec![String::new(); headers.len()];
        cells[0] = "2026-11-01T09:00:00.000+08:00".into();
        cells[15] = "-4.53407".into();
        cells[16] = "120.323581".into();
        cells[23] = "c0ffee00-0000-4000-8000-000000000001".into();
        let get = map.getter(&cells);
        assert_eq!(get("lintang"), Some("-4.53407"));
        assert_eq!(get("bujur"), Some("120.323581"));
        let prov = map.provenance(&cells).unwrap();
        assert_eq!(prov["start"], "2026-11-01T09:00:00.000+08:00");
        assert_eq!(prov["_uuid"], "c0ffee00-0000-4000-8000-000000000001");
        assert_eq!(prov.as_object().unwrap().len(), 2);
    }

    fn h_ref(v: &[String]) -> Vec<String> {
        v.to_vec()
    }

    #[test]
    fn odk_central_export_headers() {
        let headers = h(&[
            "SubmissionDate",
            "start",
            "end",
            "deviceid",
            "pendataan-tanggal_pendataan",
            "wilayah-kecamatan",
            "wilayah-kode_wilayah",
            "identitas-nama",
            "identitas-jenis",
            "identitas-asal",
            "identitas-tahun_berdiri",
            "dana-sumber_dana",
            "dana-sumber_dana/iuran_anggota",
            "kelembagaan-status",
            "kelembagaan-lokasi-Latitude",
            "kelembagaan-lokasi-Longitude",
            "kelembagaan-lokasi-Altitude",
            "kelembagaan-lokasi-Accuracy",
            "meta-instanceID",
            "KEY",
            "SubmitterID",
            "SubmitterName",
            "AttachmentsPresent",
            "AttachmentsExpected",
            "Status",
            "ReviewState",
            "DeviceID",
            "Edits",
            "FormVersion",
        ]);
        let map = map_headers(None, &headers, false).unwrap();
        assert_eq!(map.table(), Table::Groups);
        let r = roles_of(&map);
        assert_eq!(r[0], ColumnRole::Metadata);
        assert_eq!(r[6], ColumnRole::Field("kode_wilayah"));
        assert_eq!(r[12], ColumnRole::Ignored);
        assert_eq!(r[13], ColumnRole::Field("status"));
        assert_eq!(r[14], ColumnRole::Field("lintang"));
        assert_eq!(r[15], ColumnRole::Field("bujur"));
        assert_eq!(r[16], ColumnRole::Ignored);
        assert_eq!(
            r[24],
            ColumnRole::Metadata,
            "Central's Status is not the group status"
        );
        assert!(r[18..].iter().all(|x| *x == ColumnRole::Metadata));
    }

    #[test]
    fn geopoint_fills_latitude_and_longitude() {
        let mut headers = h(GROUP_MIN);
        headers.push("lokasi".into());
        let map = map_headers(Some(Table::Groups), &headers, false).unwrap();
        let mut cells = vec![String::new(); headers.len()];
        cells[6] = "-4.53407 120.323581 12.5 4.0".into();
        let get = map.getter(&cells);
        assert_eq!(get("lintang"), Some("-4.53407"));
        assert_eq!(get("bujur"), Some("120.323581"));
        drop(get);
        cells[6].clear();
        assert_eq!(map.get(&cells, "lintang"), Some(""));

        // An explicit column wins; the geopoint is then not read.
        headers.push("lintang".into());
        headers.push("bujur".into());
        let map = map_headers(Some(Table::Groups), &headers, false).unwrap();
        assert_eq!(map.roles()[6], ColumnRole::Ignored);
        assert_eq!(map.locate("lintang").unwrap().letter, "H");
    }

    #[test]
    fn dash_prefix_only_strips_onto_known_columns() {
        let cases: &[(&str, Class)] = &[
            ("identitas-nama", Class::Field(3)),
            ("a-b-nama", Class::Field(3)),
            ("a/b/nama", Class::Field(3)),
            ("nama-kelompok", Class::Unknown),
            ("tahun_berdiri", Class::Field(6)),
            ("x-tahun_berdiri", Class::Field(6)),
            ("kegiatan_lain", Class::Unknown),
            ("_lokasi_latitude", Class::GeoPart(23, 0)),
            ("_gps_longitude", Class::GeoPart(24, 1)),
            ("_lokasi_precision", Class::Helper),
            ("lokasi-Accuracy", Class::Helper),
            ("__version__", Class::Metadata),
            ("_version_", Class::Metadata),
            ("_xform_id_string", Class::Metadata),
            ("_attachments", Class::Metadata),
            ("_geolocation", Class::Metadata),
            ("meta/instanceID", Class::Metadata),
            ("instanceID", Class::Metadata),
            ("SubmissionDate", Class::Metadata),
            ("Status", Class::Field(19)),
            ("catatan_note", Class::Helper),
            ("wilayah/provinsi", Class::Helper),
            ("program/tujuan/budaya", Class::Helper),
            ("  ", Class::Blank),
        ];
        for (header, want) in cases {
            assert_eq!(classify(Table::Groups, header, false), *want, "{header}");
        }
        assert_eq!(classify(Table::Groups, "Status", true), Class::Metadata);
    }

    #[test]
    fn getter_finds_fields_in_any_order() {
        let columns = instrument::columns(Table::Groups);
        let headers: Vec<String> = columns.iter().rev().map(|c| c.en.to_string()).collect();
        let map = map_headers(Some(Table::Groups), &headers, false).unwrap();
        let cells: Vec<String> = columns
            .iter()
            .rev()
            .map(|c| format!("v-{}", c.id))
            .collect();
        let get = map.getter(&cells);
        for c in columns.iter().rev().chain(columns.iter()) {
            assert_eq!(get(c.id), Some(format!("v-{}", c.id).as_str()));
        }
        assert_eq!(get("tidak_ada"), None);
    }
}
