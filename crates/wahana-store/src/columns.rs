//! The columns of a group as one list ([`GROUP_COLUMNS`]): the insert and upsert of both
//! databases, the select, the SQLite readers and the export all take their order from it, so
//! a column is added or moved in one place.

use crate::StoreError;
use crate::arg::Arg;
use crate::copy::CopyText;
use crate::rows::GroupRow;
use crate::sqlite_tx::Rows;
use std::sync::LazyLock;
use wahana_domain::Group;
use wahana_domain::codes::{
    Activity, Code, CodeSet, Funding, MembershipBasis, Purpose, Value as SocialValue,
};

/// One value to bind, borrowed where it can be. A NULL keeps its type: PostgreSQL refuses a
/// text NULL for a number column.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Text(Option<&'a str>),
    Owned(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

impl<'a> Val<'a> {
    pub(crate) fn text(s: &'a str) -> Val<'a> {
        Val::Text(Some(s))
    }

    pub(crate) fn owned(s: String) -> Val<'a> {
        Val::Owned(Some(s))
    }

    pub(crate) fn int(n: i64) -> Val<'a> {
        Val::Int(Some(n))
    }

    /// Appends the value to a row of the SQLite writer.
    pub(crate) fn push(&self, rows: &mut Rows) {
        match self {
            Val::Text(s) => rows.opt_text(*s),
            Val::Owned(s) => rows.opt_text(s.as_deref()),
            Val::Int(n) => rows.opt_int(*n),
            Val::Real(x) => rows.opt_real(*x),
        };
    }

    /// Appends the value to a row of PostgreSQL's COPY text.
    pub(crate) fn copy(&self, rows: &mut CopyText) {
        match self {
            Val::Text(s) => rows.opt_text(*s),
            Val::Owned(s) => rows.opt_text(s.as_deref()),
            Val::Int(n) => rows.opt_int(*n),
            Val::Real(x) => rows.opt_real(*x),
        };
    }

    /// Binds the value in a PostgreSQL multi-row `VALUES` list.
    pub(crate) fn bind(self, b: &mut sqlx::query_builder::Separated<'_, sqlx::Postgres, &str>) {
        match self {
            Val::Text(s) => b.push_bind(s),
            Val::Owned(s) => b.push_bind(s),
            Val::Int(n) => b.push_bind(n),
            Val::Real(x) => b.push_bind(x),
        };
    }

    /// The value owned, for [`crate::Batch::execute`] and friends.
    pub(crate) fn into_arg(self) -> Arg {
        match self {
            Val::Text(s) => Arg::Text(s.map(str::to_string)),
            Val::Owned(s) => Arg::Text(s),
            Val::Int(n) => Arg::Int(n),
            Val::Real(x) => Arg::Real(x),
        }
    }
}

/// How a held value becomes its instrument text: as it is (text, numbers), or a code-set
/// bitmask turned into its codes.
#[derive(Clone, Copy)]
pub(crate) enum Cell {
    Plain,
    Codes(fn(u32, &mut String)),
}

fn push_codes<T: Code>(bits: u32, out: &mut String) {
    for (i, c) in CodeSet::<T>::from_bits(bits).iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(c.code());
    }
}

/// A group on its way into a row, with what the store adds to it.
pub(crate) struct GroupWrite<'a> {
    pub group: &'a Group,
    pub wave: &'a str,
    pub provenance: Option<&'a str>,
    pub now: &'a str,
}

type Write = for<'a> fn(&GroupWrite<'a>) -> Val<'a>;

/// A column of `groups`.
pub(crate) struct GroupColumn {
    pub name: &'static str,
    /// What an insert binds; `None` for a column the database fills (`version`).
    pub write: Option<Write>,
    /// Read back by [`GROUP_SELECT`] (into `GroupRow`).
    pub read: bool,
    /// One of the instrument's fields (`Group::to_fields`, in this order), and how its held
    /// value becomes that field's text.
    pub field: Option<Cell>,
}

/// An instrument field, read back and exported.
const fn field(name: &'static str, cell: Cell, write: Write) -> GroupColumn {
    GroupColumn {
        name,
        write: Some(write),
        read: true,
        field: Some(cell),
    }
}

/// A column the store keeps beside the instrument's fields, read back.
const fn kept(name: &'static str, write: Write) -> GroupColumn {
    GroupColumn {
        name,
        write: Some(write),
        read: true,
        field: None,
    }
}

/// A column only written (a key derived from the fields, for lookups).
const fn derived(name: &'static str, write: Write) -> GroupColumn {
    GroupColumn {
        name,
        write: Some(write),
        read: false,
        field: None,
    }
}

const P: Cell = Cell::Plain;

fn bits<T: Code>(set: CodeSet<T>) -> Val<'static> {
    Val::int(i64::from(set.bits()))
}

/// The columns of `groups`, in the order every statement and reader uses.
pub(crate) const GROUP_COLUMNS: [GroupColumn; 35] = [
    field("id", P, |w| Val::text(&w.group.id)),
    kept("wave_id", |w| Val::text(w.wave)),
    field("village_code", P, |w| Val::text(w.group.village.as_str())),
    field("local_unit", P, |w| {
        Val::Text(w.group.local_unit.as_deref())
    }),
    field("name", P, |w| Val::text(&w.group.name)),
    derived("dup_key", |w| {
        let g = w.group;
        Val::owned(wahana_domain::registry::duplicate_key(
            &g.village,
            g.group_type,
            &g.name,
        ))
    }),
    field("group_type", P, |w| Val::text(w.group.group_type.code())),
    field("origin", P, |w| Val::text(w.group.origin.code())),
    field("founded_year", P, |w| {
        Val::int(i64::from(w.group.founded_year))
    }),
    field("members_male", P, |w| {
        Val::Int(w.group.members_male.map(i64::from))
    }),
    field("members_female", P, |w| {
        Val::Int(w.group.members_female.map(i64::from))
    }),
    field(
        "membership_basis",
        Cell::Codes(push_codes::<MembershipBasis>),
        |w| bits(w.group.membership_basis),
    ),
    field("purposes", Cell::Codes(push_codes::<Purpose>), |w| {
        bits(w.group.purposes)
    }),
    field("activities", Cell::Codes(push_codes::<Activity>), |w| {
        bits(w.group.activities)
    }),
    field("funding", Cell::Codes(push_codes::<Funding>), |w| {
        bits(w.group.funding)
    }),
    field("main_funding", P, |w| {
        Val::Text(w.group.main_funding.map(|c| c.code()))
    }),
    field("dues_rupiah", P, |w| Val::Int(w.group.dues_rupiah)),
    field("dues_period", P, |w| {
        Val::Text(w.group.dues_period.map(|c| c.code()))
    }),
    field(
        "social_values",
        Cell::Codes(push_codes::<SocialValue>),
        |w| bits(w.group.values),
    ),
    field("meeting_frequency", P, |w| {
        Val::Text(w.group.meeting_frequency.map(|c| c.code()))
    }),
    field("legal_status", P, |w| {
        Val::Text(w.group.legal_status.map(|c| c.code()))
    }),
    field("status", P, |w| Val::text(w.group.status.code())),
    field("network", P, |w| Val::Text(w.group.network.as_deref())),
    field("chair", P, |w| Val::Text(w.group.chair.as_deref())),
    field("phone", P, |w| Val::Text(w.group.phone.as_deref())),
    field("latitude", P, |w| Val::Real(w.group.latitude)),
    field("longitude", P, |w| Val::Real(w.group.longitude)),
    field("survey_date", P, |w| {
        Val::owned(w.group.survey_date.to_string())
    }),
    field("enumerator", P, |w| {
        Val::Text(w.group.enumerator.as_deref())
    }),
    field("notes", P, |w| Val::Text(w.group.notes.as_deref())),
    kept("provenance", |w| Val::Text(w.provenance)),
    GroupColumn {
        name: "version",
        write: None,
        read: true,
        field: None,
    },
    kept("created_at", |w| Val::text(w.now)),
    kept("updated_at", |w| Val::text(w.now)),
    derived("name_fold", |w| Val::owned(fold_name(&w.group.name))),
];

/// The values an insert binds for one group, in [`GROUP_INSERT_COLUMNS`] order.
pub(crate) fn group_values<'a>(w: &GroupWrite<'a>) -> impl Iterator<Item = Val<'a>> {
    GROUP_COLUMNS
        .iter()
        .filter_map(|c| c.write)
        .map(move |write| write(w))
}

/// How many columns are written (`fields` false) or are instrument fields (`fields` true).
const fn count(fields: bool) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < GROUP_COLUMNS.len() {
        let c = &GROUP_COLUMNS[i];
        if (fields && c.field.is_some()) || (!fields && c.write.is_some()) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The values an insert binds a row.
pub(crate) const GROUP_WIDTH: usize = count(false);

/// The instrument's fields of a group (the width of `Store::for_each_group_fields` rows).
pub const GROUP_FIELDS: usize = count(true);

/// How each exported field's held value becomes its text, in [`GROUP_EXPORT_SELECT`] order.
pub(crate) const GROUP_CELLS: [Cell; GROUP_FIELDS] = {
    let mut cells = [Cell::Plain; GROUP_FIELDS];
    let (mut i, mut j) = (0, 0);
    while i < GROUP_COLUMNS.len() {
        if let Some(cell) = GROUP_COLUMNS[i].field {
            cells[j] = cell;
            j += 1;
        }
        i += 1;
    }
    cells
};

/// The position of column `name` in [`GROUP_SELECT`] (a name not read there does not compile
/// in a `const` block).
pub(crate) const fn read_index(name: &str) -> usize {
    let mut i = 0;
    let mut at = 0;
    while i < GROUP_COLUMNS.len() {
        let c = &GROUP_COLUMNS[i];
        if c.read {
            if same(c.name, name) {
                return at;
            }
            at += 1;
        }
        i += 1;
    }
    panic!("not a column of GROUP_SELECT")
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A statement's text made once from [`GROUP_COLUMNS`], written into SQL with `{…}`.
pub(crate) struct SqlText(LazyLock<String>);

impl std::ops::Deref for SqlText {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for SqlText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

fn names(keep: fn(&GroupColumn) -> bool) -> String {
    let names: Vec<&str> = GROUP_COLUMNS
        .iter()
        .filter(|c| keep(c))
        .map(|c| c.name)
        .collect();
    names.join(", ")
}

/// The columns an insert names, in the order [`group_values`] gives.
pub(crate) static GROUP_INSERT_COLUMNS: SqlText =
    SqlText(LazyLock::new(|| names(|c| c.write.is_some())));

/// What an upsert of a group changes when the group is already observed in the wave: every
/// written column but the key and `created_at`; a provenance is kept when none is given.
pub(crate) static GROUP_UPSERT_SET: SqlText = SqlText(LazyLock::new(|| {
    let mut set: Vec<String> = GROUP_COLUMNS
        .iter()
        .filter(|c| c.write.is_some() && !matches!(c.name, "id" | "wave_id" | "created_at"))
        .map(|c| match c.name {
            "provenance" => "provenance = COALESCE(excluded.provenance, groups.provenance)".into(),
            n => format!("{n} = excluded.{n}"),
        })
        .collect();
    set.push("version = groups.version + 1".into());
    format!(
        " ON CONFLICT (id, wave_id) DO UPDATE SET {}",
        set.join(", ")
    )
}));

/// `SELECT … FROM groups` of the columns a `GroupRow` holds.
pub(crate) static GROUP_SELECT: SqlText = SqlText(LazyLock::new(|| {
    format!("SELECT {} FROM groups", names(|c| c.read))
}));

/// The instrument's fields of a group, in `Group::to_fields` order.
pub(crate) static GROUP_EXPORT_SELECT: SqlText = SqlText(LazyLock::new(|| {
    format!("SELECT {} FROM groups", names(|c| c.field.is_some()))
}));

/// A name as the name filter compares it: lowercased by Rust (Unicode), the same on both
/// databases (SQLite's `LOWER` folds ASCII only; PostgreSQL's depends on the database's
/// locale). Every write of a group keeps it in `groups.name_fold`.
pub(crate) fn fold_name(name: &str) -> String {
    name.to_lowercase()
}

/// A row of [`GROUP_SELECT`] read on SQLite's writer thread, by position.
pub(crate) fn group_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        id: r.get(const { read_index("id") })?,
        wave_id: r.get(const { read_index("wave_id") })?,
        village_code: r.get(const { read_index("village_code") })?,
        local_unit: r.get(const { read_index("local_unit") })?,
        name: r.get(const { read_index("name") })?,
        group_type: r.get(const { read_index("group_type") })?,
        origin: r.get(const { read_index("origin") })?,
        founded_year: r.get(const { read_index("founded_year") })?,
        members_male: r.get(const { read_index("members_male") })?,
        members_female: r.get(const { read_index("members_female") })?,
        membership_basis: r.get(const { read_index("membership_basis") })?,
        purposes: r.get(const { read_index("purposes") })?,
        activities: r.get(const { read_index("activities") })?,
        funding: r.get(const { read_index("funding") })?,
        main_funding: r.get(const { read_index("main_funding") })?,
        dues_rupiah: r.get(const { read_index("dues_rupiah") })?,
        dues_period: r.get(const { read_index("dues_period") })?,
        social_values: r.get(const { read_index("social_values") })?,
        meeting_frequency: r.get(const { read_index("meeting_frequency") })?,
        legal_status: r.get(const { read_index("legal_status") })?,
        status: r.get(const { read_index("status") })?,
        network: r.get(const { read_index("network") })?,
        chair: r.get(const { read_index("chair") })?,
        phone: r.get(const { read_index("phone") })?,
        latitude: r.get(const { read_index("latitude") })?,
        longitude: r.get(const { read_index("longitude") })?,
        survey_date: r.get(const { read_index("survey_date") })?,
        enumerator: r.get(const { read_index("enumerator") })?,
        notes: r.get(const { read_index("notes") })?,
        provenance: r.get(const { read_index("provenance") })?,
        version: r.get(const { read_index("version") })?,
        created_at: r.get(const { read_index("created_at") })?,
        updated_at: r.get(const { read_index("updated_at") })?,
    })
}

/// Rows of `sql` (a [`GROUP_SELECT`] with `$n` parameters) as [`GroupRow`]s.
pub(crate) fn group_rows(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[rusqlite::types::Value],
) -> Result<Vec<GroupRow>, StoreError> {
    let mut st = c.prepare_cached(sql)?;
    crate::sqlite_tx::bind_numbered(&mut st, params)?;
    let mut rows = st.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(group_row(r)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wahana_domain::instrument::{Table, columns};

    #[test]
    fn the_list_gives_the_widths_and_orders_the_statements_use() {
        assert_eq!(GROUP_WIDTH, 34);
        assert_eq!(GROUP_FIELDS, columns(Table::Groups).len());
        assert_eq!(read_index("id"), 0);
        assert_eq!(read_index("updated_at"), 32);
        assert!(GROUP_INSERT_COLUMNS.starts_with("id, wave_id, village_code"));
        assert!(GROUP_INSERT_COLUMNS.ends_with("created_at, updated_at, name_fold"));
        assert!(!GROUP_SELECT.contains("dup_key"));
        assert!(GROUP_UPSERT_SET.contains("provenance = COALESCE("));
        assert!(!GROUP_UPSERT_SET.contains("created_at"));
    }
}
