//! Small helpers shared by the repositories: dynamic binds, row access, scope clauses.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Row};

use crate::{ProceedingScope, Result, StoreError};

/// A value bound into dynamically built SQL.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Int(v as i64)
    }
}

/// Builds a query from SQL text written by this crate and its arguments, in order.
pub fn query(sql: String, args: Vec<Arg>) -> Query<'static, Any, AnyArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for a in args {
        q = match a {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::OptInt(v) => q.bind(v),
            Arg::OptText(v) => q.bind(v),
        };
    }
    q
}

/// Collects arguments and hands out `$n` placeholders for them.
#[derive(Debug, Default)]
pub struct Params {
    pub args: Vec<Arg>,
}

impl Params {
    pub fn push(&mut self, a: impl Into<Arg>) -> String {
        self.args.push(a.into());
        format!("${}", self.args.len())
    }
}

pub fn get_i64(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}
pub fn get_opt_i64(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}
pub fn get_str(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}
pub fn get_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}
/// Parses a stored `YYYY-MM-DD`; a bad value means the database was edited by hand.
pub fn parse_day(s: &str) -> Result<jiff::civil::Date> {
    s.parse()
        .map_err(|e: jiff::Error| StoreError::Db(sqlx::Error::Decode(e.to_string().into())))
}

pub fn get_bool(row: &AnyRow, col: &str) -> Result<bool> {
    Ok(get_i64(row, col)? != 0)
}

/// Parses a stored code back into its enum; a bad value means the database was edited by hand.
pub fn get_enum<T>(row: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s = get_str(row, col)?;
    parse(&s).ok_or_else(|| {
        StoreError::Db(sqlx::Error::Decode(
            format!("unknown code {s:?} in column {col}").into(),
        ))
    })
}

/// SQL condition (on a proceeding aliased `p`) restricting rows to the scope.
/// The proceeding kinds of litigation (the court liaison's scope).
pub const LITIGATION_KINDS: &str = "('first_instance', 'second_instance', 'retrial')";

pub fn scope_clause(scope: ProceedingScope, params: &mut Params) -> String {
    match scope {
        ProceedingScope::Jurisdiction(j) => format!("p.jurisdiction_id = {}", params.push(j)),
        ProceedingScope::Litigation(j) => format!(
            "p.jurisdiction_id = {} AND p.kind IN {LITIGATION_KINDS}",
            params.push(j)
        ),
        ProceedingScope::Unit {
            jurisdiction_id,
            unit_id,
        } => {
            let j = params.push(jurisdiction_id);
            let u = params.push(unit_id);
            format!(
                "p.jurisdiction_id = {j} AND EXISTS (SELECT 1 FROM parties sp WHERE sp.proceeding_id = p.id AND sp.unit_id = {u})"
            )
        }
    }
}

/// Maps a unique-constraint violation to the given field error, anything else to a DB error.
pub fn on_unique(err: sqlx::Error, field: &str, code: &str, message: String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Invalid(huajie_domain::FieldError::new(field, code, message).into())
        }
        _ => StoreError::Db(err),
    }
}
