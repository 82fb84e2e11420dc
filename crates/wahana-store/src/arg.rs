//! The values bound to a statement's `$n` parameters on either database, a module of its own
//! so that the column list (`columns.rs`) and the batch (`batch/`) both use it without
//! importing each other.

/// A value for a `$n` parameter of [`crate::Batch`]'s `execute` and `fetch_i64`, which bind it on
/// either database. A NULL keeps its type: PostgreSQL refuses a text NULL for a number column.
pub(crate) enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
    Bytes(Vec<u8>),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(Some(s.to_string()))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(Some(s))
    }
}

impl From<Option<&str>> for Arg {
    fn from(s: Option<&str>) -> Arg {
        Arg::Text(s.map(str::to_string))
    }
}

impl From<Option<String>> for Arg {
    fn from(s: Option<String>) -> Arg {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Int(Some(n))
    }
}

impl From<Option<i64>> for Arg {
    fn from(n: Option<i64>) -> Arg {
        Arg::Int(n)
    }
}

impl From<Option<f64>> for Arg {
    fn from(x: Option<f64>) -> Arg {
        Arg::Real(x)
    }
}

impl Arg {
    pub(crate) fn into_sqlite(self) -> rusqlite::types::Value {
        use rusqlite::types::Value;
        match self {
            Arg::Text(s) => s.map_or(Value::Null, Value::Text),
            Arg::Int(n) => n.map_or(Value::Null, Value::Integer),
            Arg::Real(x) => x.map_or(Value::Null, Value::Real),
            Arg::Bytes(b) => Value::Blob(b),
        }
    }
}

/// `args` bound in order to a PostgreSQL statement.
pub(crate) fn bind_args(
    mut q: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s),
            Arg::Int(n) => q.bind(n),
            Arg::Real(x) => q.bind(x),
            Arg::Bytes(b) => q.bind(b),
        };
    }
    q
}
