//! The ledger query: one filtered, sorted page with a keyset cursor.

use huajie_domain::access::{Actor, ProceedingScope};
use huajie_domain::ledger::{CaseNoFilter, Cursor, LedgerQuery, LedgerSort};
use huajie_domain::proceeding::{ProceedingKind, ProceedingStatus};
use huajie_domain::records::{LedgerPage, LedgerRow};

use crate::sql::{Params, get_enum, get_i64, get_opt_str, get_str, query, scope_clause};
use crate::{Backend, Result, Store};

/// Above this many matching party names, the party filter walks the ledger order instead.
const PARTY_PROBE_LIMIT: i64 = 2000;

/// Largest code point, to turn a prefix into a half-open range on SQLite's byte order.
const MAX_CHAR: char = '\u{10FFFF}';

const LEDGER_COLS: &str = "p.id, p.dispute_id, p.kind, p.case_no, p.reference_no, p.status, p.domain, p.act_type, p.claimant_count, \
     p.registered_on, p.filed_on, p.closed_on, p.claimants, p.defendants, p.updated_at, p.version";

fn ledger_row(r: &sqlx::any::AnyRow) -> Result<LedgerRow> {
    Ok(LedgerRow {
        id: get_i64(r, "id")?,
        dispute_id: get_i64(r, "dispute_id")?,
        kind: get_enum(r, "kind", ProceedingKind::from_code)?,
        case_no: get_opt_str(r, "case_no")?,
        reference_no: get_opt_str(r, "reference_no")?,
        status: get_enum(r, "status", ProceedingStatus::from_code)?,
        domain: get_str(r, "domain")?,
        act_type: get_opt_str(r, "act_type")?,
        claimant_count: get_i64(r, "claimant_count")?,
        registered_on: get_str(r, "registered_on")?,
        filed_on: get_opt_str(r, "filed_on")?,
        closed_on: get_opt_str(r, "closed_on")?,
        claimants: get_str(r, "claimants")?,
        defendants: get_str(r, "defendants")?,
        updated_at: get_str(r, "updated_at")?,
        version: get_i64(r, "version")?,
    })
}

impl Store {
    /// A prefix condition on `col` that can use an ordinary index on both engines.
    pub(crate) fn prefix(&self, col: &str, prefix: &str, params: &mut Params) -> String {
        match self.backend() {
            Backend::Sqlite => {
                let lo = params.push(prefix.to_string());
                let hi = params.push(format!("{prefix}{MAX_CHAR}"));
                format!("{col} >= {lo} AND {col} < {hi}")
            }
            Backend::Postgres => {
                let escaped = prefix
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!(
                    "{col} LIKE {} ESCAPE '\\'",
                    params.push(format!("{escaped}%"))
                )
            }
        }
    }

    /// Number of party names starting with `prefix`, counted up to `limit` (an index range scan).
    async fn party_prefix_matches(&self, prefix: &str, limit: i64) -> Result<i64> {
        let mut params = Params::default();
        let cond = self.prefix("fp.name", prefix, &mut params);
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM parties fp WHERE {cond} LIMIT {}) t",
            params.push(limit)
        );
        let row = query(sql, params.args).fetch_one(self.pool()).await?;
        get_i64(&row, "n")
    }

    /// The FROM clause, conditions, ORDER BY and parameters of a ledger query (without its
    /// page cursor when `for_count`).
    async fn ledger_plan(
        &self,
        actor: &Actor,
        q: &LedgerQuery,
        for_count: bool,
    ) -> Result<(&'static str, Vec<String>, String, Params)> {
        let mut params = Params::default();
        let scope = actor.proceeding_scope();
        // A unit's pages in registration order walk that unit's party rows, which carry
        // registered_on (index unit_id, registered_on, proceeding_id): only the rows of the page
        // are read, however large the jurisdiction.
        let drive = match (q.sort, q.unit_id, scope) {
            (LedgerSort::RegisteredOn, Some(u), _)
            | (LedgerSort::RegisteredOn, None, ProceedingScope::Unit { unit_id: u, .. }) => Some(u),
            _ => None,
        };
        let mut conds = Vec::new();
        let mut sort_matches = false;
        match (drive, scope) {
            (
                Some(u),
                ProceedingScope::Unit {
                    jurisdiction_id,
                    unit_id,
                },
            ) if u == unit_id => {
                conds.push(format!(
                    "p.jurisdiction_id = {}",
                    params.push(jurisdiction_id)
                ));
            }
            _ => conds.push(scope_clause(scope, &mut params)),
        }
        match (drive, q.unit_id) {
            (Some(u), _) => conds.push(format!("du.unit_id = {}", params.push(u))),
            (None, Some(u)) => conds.push(format!("EXISTS (SELECT 1 FROM parties fu WHERE fu.proceeding_id = p.id AND fu.unit_id = {})", params.push(u))),
            (None, None) => {}
        }
        let (reg, id_col) = if drive.is_some() {
            ("du.registered_on", "du.proceeding_id")
        } else {
            ("p.registered_on", "p.id")
        };
        if let Some(k) = q.kind {
            conds.push(format!("p.kind = {}", params.push(k.code())));
        }
        if let Some(s) = q.status {
            conds.push(format!("p.status = {}", params.push(s.code())));
        }
        if let Some(d) = &q.domain {
            conds.push(format!("p.domain = {}", params.push(d.clone())));
        }
        let mut range = |col: &str, op: &str, v: Option<jiff::civil::Date>| {
            if let Some(v) = v {
                conds.push(format!("{col} {op} {}", params.push(v.to_string())));
            }
        };
        range(reg, ">=", q.registered_from);
        range(reg, "<=", q.registered_to);
        range("p.closed_on", ">=", q.closed_from);
        range("p.closed_on", "<=", q.closed_to);
        match &q.case_no {
            Some(CaseNoFilter::Exact(c)) => {
                conds.push(format!("p.case_no = {}", params.push(c.clone())))
            }
            Some(CaseNoFilter::Prefix(c)) => conds.push(self.prefix("p.case_no", c, &mut params)),
            None => {}
        }
        // A count with a party name and no unit to walk is driven from the name index: at most
        // `cap` index entries are read, each joined to its proceeding by primary key.
        let by_name = for_count && drive.is_none() && q.party.is_some();
        if let Some(name) = q.party.as_ref().filter(|_| by_name) {
            conds.push(self.prefix("fc.name", name, &mut params));
        } else if let Some(name) = &q.party {
            // Adaptive plan: a selective prefix (few matching names) drives from the name index;
            // a common one (a surname) walks the ledger order and probes (proceeding_id, name).
            let cond = self.prefix("fp.name", name, &mut params);
            if self.party_prefix_matches(name, PARTY_PROBE_LIMIT).await? < PARTY_PROBE_LIMIT {
                // Few matches: fetch them and sort, rather than walk the date index (SQLite would
                // otherwise prefer the ordered walk; unary `+` hides the index from ORDER BY).
                sort_matches = self.backend() == Backend::Sqlite;
                conds.push(format!(
                    "p.id IN (SELECT fp.proceeding_id FROM parties fp WHERE {cond})"
                ));
            } else {
                conds.push(format!(
                    "EXISTS (SELECT 1 FROM parties fp WHERE fp.proceeding_id = p.id AND {cond})"
                ));
            }
        }
        let col = if drive.is_some() {
            reg
        } else {
            q.sort.column()
        };
        let (cmp, dir) = if q.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some(c) = q.after.as_ref().filter(|_| !for_count) {
            let id = params.push(c.id);
            if q.sort == LedgerSort::Id {
                conds.push(format!("{id_col} {cmp} {id}"));
            } else {
                let v = params.push(c.value.clone());
                conds.push(format!(
                    "({col} {cmp} {v} OR ({col} = {v} AND {id_col} {cmp} {id}))"
                ));
            }
        }
        let plus = if sort_matches { "+" } else { "" };
        let order = if q.sort == LedgerSort::Id {
            format!("{plus}{id_col} {dir}")
        } else {
            format!("{plus}{col} {dir}, {plus}{id_col} {dir}")
        };
        let from = if drive.is_some() {
            "parties du JOIN proceedings p ON p.id = du.proceeding_id"
        } else if by_name {
            "parties fc JOIN proceedings p ON p.id = fc.proceeding_id"
        } else {
            "proceedings p"
        };
        Ok((from, conds, order, params))
    }

    /// How many proceedings match a ledger filter, counted up to `cap` (the page shows
    /// “more than …” beyond it, so counting never walks a million rows).
    pub async fn ledger_count(&self, actor: &Actor, q: &LedgerQuery, cap: i64) -> Result<i64> {
        let (from, conds, _, mut params) = self.ledger_plan(actor, q, true).await?;
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT p.id FROM {from} WHERE {} LIMIT {}) t",
            conds.join(" AND "),
            params.push(cap + 1)
        );
        let row = query(sql, params.args).fetch_one(self.pool()).await?;
        get_i64(&row, "n")
    }

    pub async fn ledger(&self, actor: &Actor, q: &LedgerQuery) -> Result<LedgerPage> {
        let (from, conds, order, mut params) = self.ledger_plan(actor, q, false).await?;
        let sql = format!(
            "SELECT {LEDGER_COLS} FROM {from} WHERE {} ORDER BY {order} LIMIT {}",
            conds.join(" AND "),
            params.push(q.limit + 1)
        );
        let rows = query(sql, params.args).fetch_all(self.pool()).await?;
        let mut items = rows.iter().map(ledger_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = if items.len() as i64 > q.limit {
            items.truncate(q.limit as usize);
            items.last().map(|last| {
                let value = match q.sort {
                    LedgerSort::RegisteredOn => last.registered_on.clone(),
                    LedgerSort::UpdatedAt => last.updated_at.clone(),
                    LedgerSort::Id => String::new(),
                };
                Cursor { id: last.id, value }.encode()
            })
        } else {
            None
        };
        Ok(LedgerPage { items, next_cursor })
    }
}

impl Store {
    /// Every row of a ledger view (for exports), walking the pages; `None` when more than
    /// `cap` rows match.
    pub async fn ledger_all(
        &self,
        actor: &Actor,
        q: &LedgerQuery,
        cap: usize,
    ) -> Result<Option<Vec<LedgerRow>>> {
        let mut q = q.clone();
        q.limit = 500;
        q.after = None;
        let mut out = Vec::new();
        loop {
            let page = self.ledger(actor, &q).await?;
            let more = page.next_cursor.is_some();
            out.extend(page.items);
            if out.len() > cap {
                return Ok(None);
            }
            let Some(last) = out.last().filter(|_| more) else {
                return Ok(Some(out));
            };
            let value = match q.sort {
                LedgerSort::RegisteredOn => last.registered_on.clone(),
                LedgerSort::UpdatedAt => last.updated_at.clone(),
                LedgerSort::Id => String::new(),
            };
            q.after = Some(Cursor { id: last.id, value });
        }
    }

    /// Ledger rows of the given proceedings within the actor's scope, in the order given
    /// (at most 1,000 ids; the caller pages).
    pub async fn ledger_rows(&self, actor: &Actor, ids: &[i64]) -> Result<Vec<LedgerRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = Params::default();
        let scope = scope_clause(actor.proceeding_scope(), &mut params);
        let list: Vec<String> = ids.iter().take(1000).map(|i| params.push(*i)).collect();
        let sql = format!(
            "SELECT {LEDGER_COLS} FROM proceedings p WHERE {scope} AND p.id IN ({})",
            list.join(", ")
        );
        let rows = query(sql, params.args).fetch_all(self.pool()).await?;
        let mut by_id: std::collections::HashMap<i64, LedgerRow> = rows
            .iter()
            .map(|r| ledger_row(r).map(|l| (l.id, l)))
            .collect::<Result<_>>()?;
        Ok(ids.iter().filter_map(|i| by_id.remove(i)).collect())
    }

    /// The proceeding registered under a case number (any scope: case numbers are unique
    /// system-wide, so a form can say "already registered" before the insert fails).
    pub async fn proceeding_by_case_no(&self, case_no: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT id FROM proceedings WHERE case_no = $1")
            .bind(case_no.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| get_i64(&r, "id")).transpose()
    }

    /// Up to `limit` distinct names of claimants and third parties starting with `prefix`, in
    /// the actor's scope, for the party picker (a repeat claimant is typed once, then picked).
    pub async fn party_names(
        &self,
        actor: &Actor,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<String>> {
        let mut params = Params::default();
        let cond = self.prefix("pa.name", prefix, &mut params);
        let scope = scope_clause(actor.proceeding_scope(), &mut params);
        let sql = format!(
            "SELECT DISTINCT pa.name FROM parties pa JOIN proceedings p ON p.id = pa.proceeding_id \
             WHERE {cond} AND pa.role IN ('claimant', 'third_party') AND {scope} ORDER BY pa.name LIMIT {}",
            params.push(limit.clamp(1, 50))
        );
        let rows = query(sql, params.args).fetch_all(self.pool()).await?;
        rows.iter().map(|r| get_str(r, "name")).collect()
    }
}
