//! Disputes, proceedings and what is recorded on them. Every function takes the [`Actor`]
//! and filters by its [`huajie_domain::access::ProceedingScope`] in SQL.

use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::codes::CodeList;
use huajie_domain::hearing::{AppearanceInput, AppearanceLevel, HearingInput};
use huajie_domain::outcome::{Ground, LossRule, OutcomeCode, OutcomeInput, OutcomeSource};
use huajie_domain::proceeding::{
    DisputeInput, PartyInput, PartyKind, PartyRole, ProceedingInput, ProceedingKind,
    ProceedingStatus,
};
use huajie_domain::records::{Appearance, Dispute, Hearing, Outcome, Party, Proceeding};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit;
use crate::sql::{
    Params, get_bool, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, on_unique, query,
    scope_clause,
};
use crate::units::unit_on;
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

fn forbid_unless(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(StoreError::Forbidden("当前角色无权修改案件信息".into()))
    }
}

fn conflict(expected: i64, current: i64) -> StoreError {
    StoreError::Conflict { expected, current }
}

/// Joins names for the ledger columns, at most `max` characters.
pub(crate) fn join_names<'a>(names: impl Iterator<Item = &'a str>, max: usize) -> String {
    let mut out = String::new();
    for n in names {
        let extra = if out.is_empty() {
            n.chars().count()
        } else {
            n.chars().count() + 1
        };
        if out.chars().count() + extra > max {
            if !out.ends_with('等') {
                out.push('等');
            }
            break;
        }
        if !out.is_empty() {
            out.push('、');
        }
        out.push_str(n);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Row mapping

const PROC_COLS: &str = "p.id, p.dispute_id, p.kind, p.case_no, p.case_year, p.court_code, p.case_type, p.reference_no, p.status, p.domain, \
    p.act_type, p.forum, p.cause, p.claimant_count, p.registered_on, p.act_on, p.received_on, p.filed_on, p.decided_on, p.served_on, \
    p.effective_on, p.closed_on, p.summary, p.version, p.created_at, p.updated_at";

fn party(r: &AnyRow) -> Result<Party> {
    Ok(Party {
        id: get_i64(r, "id")?,
        proceeding_id: get_i64(r, "proceeding_id")?,
        role: get_enum(r, "role", PartyRole::from_code)?,
        kind: get_enum(r, "kind", PartyKind::from_code)?,
        name: get_str(r, "name")?,
        unit_id: get_opt_i64(r, "unit_id")?,
        version: get_i64(r, "version")?,
    })
}

fn appearance(r: &AnyRow) -> Result<Appearance> {
    Ok(Appearance {
        id: get_i64(r, "id")?,
        hearing_id: get_i64(r, "hearing_id")?,
        unit_id: get_opt_i64(r, "unit_id")?,
        person_name: get_str(r, "person_name")?,
        post: get_opt_str(r, "post")?,
        level: get_enum(r, "level", AppearanceLevel::from_code)?,
        appeared: get_bool(r, "appeared")?,
        spoke: get_bool(r, "spoke")?,
        excuse: get_opt_str(r, "excuse")?,
        version: get_i64(r, "version")?,
    })
}

fn hearing(r: &AnyRow) -> Result<Hearing> {
    Ok(Hearing {
        id: get_i64(r, "id")?,
        proceeding_id: get_i64(r, "proceeding_id")?,
        scheduled_at: get_str(r, "scheduled_at")?,
        place: get_opt_str(r, "place")?,
        note: get_opt_str(r, "note")?,
        version: get_i64(r, "version")?,
        appearances: Vec::new(),
    })
}

fn outcome(r: &AnyRow, rule: &LossRule) -> Result<Outcome> {
    let code = get_enum(r, "code", OutcomeCode::from_code)?;
    let grounds = get_str(r, "grounds")?;
    Ok(Outcome {
        id: get_i64(r, "id")?,
        proceeding_id: get_i64(r, "proceeding_id")?,
        party_id: get_i64(r, "party_id")?,
        code,
        decided_on: get_str(r, "decided_on")?,
        grounds: grounds.split(',').filter_map(Ground::from_code).collect(),
        note: get_opt_str(r, "note")?,
        is_loss: rule.is_loss(code),
        source: get_enum(r, "source", OutcomeSource::from_code)?,
        version: get_i64(r, "version")?,
    })
}

/// Who records an outcome written by `actor`: the bureau, or a unit.
pub(crate) fn source_of(actor: &Actor) -> OutcomeSource {
    match actor.proceeding_scope() {
        huajie_domain::access::ProceedingScope::Unit { .. } => OutcomeSource::Unit,
        huajie_domain::access::ProceedingScope::Jurisdiction(_)
        | huajie_domain::access::ProceedingScope::Litigation(_) => OutcomeSource::Bureau,
    }
}

/// A unit may change an outcome only where a unit recorded it; what the 司法局 recorded or a
/// court document confirmed it can only ask to correct (更正申请).
pub(crate) fn check_outcome_change(actor: &Actor, before: &Outcome) -> Result<()> {
    if source_of(actor) == OutcomeSource::Unit && before.source != OutcomeSource::Unit {
        return Err(StoreError::Forbidden(format!(
            "该结果为{}，单位不能直接修改；如认为有误，请提交更正申请（附理由和文书），由司法局审批",
            before.source.label()
        )));
    }
    Ok(())
}

fn proceeding_row(r: &AnyRow) -> Result<Proceeding> {
    Ok(Proceeding {
        id: get_i64(r, "id")?,
        dispute_id: get_i64(r, "dispute_id")?,
        kind: get_enum(r, "kind", ProceedingKind::from_code)?,
        case_no: get_opt_str(r, "case_no")?,
        case_year: get_opt_i64(r, "case_year")?,
        court_code: get_opt_str(r, "court_code")?,
        case_type: get_opt_str(r, "case_type")?,
        reference_no: get_opt_str(r, "reference_no")?,
        status: get_enum(r, "status", ProceedingStatus::from_code)?,
        domain: get_str(r, "domain")?,
        act_type: get_opt_str(r, "act_type")?,
        forum: get_opt_str(r, "forum")?,
        cause: get_opt_str(r, "cause")?,
        claimant_count: get_i64(r, "claimant_count")?,
        registered_on: get_str(r, "registered_on")?,
        act_on: get_opt_str(r, "act_on")?,
        received_on: get_opt_str(r, "received_on")?,
        filed_on: get_opt_str(r, "filed_on")?,
        decided_on: get_opt_str(r, "decided_on")?,
        served_on: get_opt_str(r, "served_on")?,
        effective_on: get_opt_str(r, "effective_on")?,
        closed_on: get_opt_str(r, "closed_on")?,
        summary: get_opt_str(r, "summary")?,
        version: get_i64(r, "version")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
        parties: Vec::new(),
        hearings: Vec::new(),
        outcomes: Vec::new(),
    })
}

fn dispute_row(r: &AnyRow) -> Result<Dispute> {
    Ok(Dispute {
        id: get_i64(r, "id")?,
        title: get_str(r, "title")?,
        domain: get_str(r, "domain")?,
        summary: get_opt_str(r, "summary")?,
        version: get_i64(r, "version")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
        proceeding_ids: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------
// Loading with scope

/// Loads a proceeding with its parties, hearings and outcomes if it is in the actor's scope.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rule: &LossRule,
) -> Result<Proceeding> {
    let mut params = Params::default();
    let idp = params.push(id);
    let scope = scope_clause(actor.proceeding_scope(), &mut params);
    let sql = format!("SELECT {PROC_COLS} FROM proceedings p WHERE p.id = {idp} AND {scope}");
    let row = query(sql, params.args)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut p = proceeding_row(&row)?;
    let rows = sqlx::query("SELECT id, proceeding_id, role, kind, name, unit_id, version FROM parties WHERE proceeding_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    p.parties = rows.iter().map(party).collect::<Result<_>>()?;
    let rows = sqlx::query("SELECT id, proceeding_id, scheduled_at, place, note, version FROM hearings WHERE proceeding_id = $1 ORDER BY scheduled_at, id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    p.hearings = rows.iter().map(hearing).collect::<Result<_>>()?;
    let rows = sqlx::query(
        "SELECT a.id, a.hearing_id, a.unit_id, a.person_name, a.post, a.level, a.appeared, a.spoke, a.excuse, a.version \
         FROM appearances a JOIN hearings h ON h.id = a.hearing_id WHERE h.proceeding_id = $1 ORDER BY a.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let a = appearance(r)?;
        if let Some(h) = p.hearings.iter_mut().find(|h| h.id == a.hearing_id) {
            h.appearances.push(a);
        }
    }
    let rows = sqlx::query("SELECT id, proceeding_id, party_id, code, decided_on, grounds, note, source, version FROM outcomes WHERE proceeding_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    p.outcomes = rows
        .iter()
        .map(|r| outcome(r, rule))
        .collect::<Result<_>>()?;
    Ok(p)
}

/// Checks a dispute is visible to the actor and returns it.
async fn dispute_on(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Dispute> {
    let row = sqlx::query("SELECT id, jurisdiction_id, title, domain, summary, version, created_at, updated_at FROM disputes WHERE id = $1 AND jurisdiction_id = $2")
        .bind(id)
        .bind(actor.jurisdiction_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut d = dispute_row(&row)?;
    let mut params = Params::default();
    let idp = params.push(id);
    let scope = scope_clause(actor.proceeding_scope(), &mut params);
    let sql = format!(
        "SELECT p.id FROM proceedings p WHERE p.dispute_id = {idp} AND {scope} ORDER BY p.registered_on, p.id"
    );
    let ids = query(sql, params.args).fetch_all(&mut *conn).await?;
    d.proceeding_ids = ids
        .iter()
        .map(|r| get_i64(r, "id"))
        .collect::<Result<_>>()?;
    let sees_all = matches!(
        actor.proceeding_scope(),
        huajie_domain::access::ProceedingScope::Jurisdiction(_)
    );
    if !sees_all && d.proceeding_ids.is_empty() {
        return Err(StoreError::NotFound);
    }
    Ok(d)
}

/// Resolves a party's unit: must exist in the actor's jurisdiction. Returns its name.
async fn party_unit_name(
    conn: &mut AnyConnection,
    actor: &Actor,
    field: &str,
    unit_id: i64,
) -> Result<String> {
    match unit_on(conn, unit_id).await? {
        Some(u) if u.jurisdiction_id == actor.jurisdiction_id => Ok(u.name),
        _ => Err(FieldError::new(
            field,
            "unknown_unit",
            format!("单位（编号{unit_id}）不存在或不属于本辖区"),
        )
        .into()),
    }
}

/// Recomputes the ledger's denormalised name columns of a proceeding.
pub(crate) async fn refresh_names(conn: &mut AnyConnection, id: i64) -> Result<()> {
    let rows = sqlx::query("SELECT role, name FROM parties WHERE proceeding_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut claimants = Vec::new();
    let mut defendants = Vec::new();
    for r in &rows {
        let role = get_str(r, "role")?;
        let name = get_str(r, "name")?;
        match PartyRole::from_code(&role) {
            Some(PartyRole::Claimant) => claimants.push(name),
            Some(r) if r.is_defendant_side() => defendants.push(name),
            _ => {}
        }
    }
    sqlx::query("UPDATE proceedings SET claimants = $1, defendants = $2 WHERE id = $3")
        .bind(join_names(claimants.iter().map(String::as_str), 200))
        .bind(join_names(defendants.iter().map(String::as_str), 200))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Binds the scalar fields of a proceeding in the column order of [`PROC_FIELDS`].
pub(crate) const PROC_FIELDS: [&str; 22] = [
    "dispute_id",
    "kind",
    "case_no",
    "case_year",
    "court_code",
    "case_type",
    "reference_no",
    "status",
    "domain",
    "act_type",
    "forum",
    "cause",
    "claimant_count",
    "registered_on",
    "act_on",
    "received_on",
    "filed_on",
    "decided_on",
    "served_on",
    "effective_on",
    "closed_on",
    "summary",
];

pub(crate) fn proc_args(dispute_id: i64, p: &ProceedingInput) -> Vec<crate::sql::Arg> {
    let d = |x: Option<jiff::civil::Date>| x.map(|d| d.to_string());
    vec![
        dispute_id.into(),
        p.kind.code().into(),
        p.case_no.as_ref().map(|c| c.to_string()).into(),
        p.case_no.as_ref().map(|c| c.year() as i64).into(),
        p.case_no
            .as_ref()
            .map(|c| c.court_code().to_string())
            .into(),
        p.case_no
            .as_ref()
            .map(|c| c.case_type().code().to_string())
            .into(),
        p.reference_no.clone().into(),
        p.status.code().into(),
        p.domain.clone().into(),
        p.act_type.clone().into(),
        p.forum.clone().into(),
        p.cause.clone().into(),
        p.claimant_count.into(),
        p.registered_on.to_string().into(),
        d(p.dates.act_on).into(),
        d(p.dates.received_on).into(),
        d(p.dates.filed_on).into(),
        d(p.dates.decided_on).into(),
        d(p.dates.served_on).into(),
        d(p.dates.effective_on).into(),
        d(p.dates.closed_on).into(),
        p.summary.clone().into(),
    ]
}

fn duplicate_case_no(p: &ProceedingInput) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| {
        let no = p
            .case_no
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_default();
        on_unique(
            e,
            "case_no",
            "duplicate_case_no",
            format!("案号“{no}”已登记，不能重复登记"),
        )
    }
}

async fn check_case_no_free(
    conn: &mut AnyConnection,
    p: &ProceedingInput,
    except: Option<i64>,
) -> Result<()> {
    if let Some(c) = &p.case_no {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM proceedings WHERE case_no = $1")
                .bind(c.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        if found.is_some() && found != except {
            return Err(FieldError::new(
                "case_no",
                "duplicate_case_no",
                format!("案号“{c}”已登记，不能重复登记"),
            )
            .into());
        }
    }
    Ok(())
}

impl Store {
    async fn check_proceeding_codes(
        &self,
        conn: &mut AnyConnection,
        p: &ProceedingInput,
    ) -> Result<()> {
        let mut inv = huajie_domain::Invalid::default();
        if let Err(StoreError::Invalid(e)) = self
            .check_code(conn, CodeList::Domain, "domain", &p.domain)
            .await
        {
            inv.extend(e);
        }
        if let Some(a) = &p.act_type
            && let Err(StoreError::Invalid(e)) = self
                .check_code(conn, CodeList::ActType, "act_type", a)
                .await
        {
            inv.extend(e);
        }
        inv.into_result(()).map_err(StoreError::Invalid)
    }

    // ----- disputes ----------------------------------------------------------------------

    pub async fn create_dispute(&self, actor: &Actor, input: &DisputeInput) -> Result<Dispute> {
        forbid_unless(actor.can_write_cases())?;
        let mut tx = self.write_tx().await?;
        self.check_code(&mut tx, CodeList::Domain, "domain", &input.domain)
            .await?;
        let id = insert_dispute(&mut tx, actor, input).await?;
        let row = sqlx::query("SELECT id, title, domain, summary, version, created_at, updated_at FROM disputes WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        let d = dispute_row(&row)?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Create,
            AuditEntity::Dispute,
            id,
            None,
            None::<&Dispute>,
            Some(&d),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// A dispute visible to the actor. A unit user sees a dispute through its proceedings;
    /// a dispute they just created without proceedings is visible to the coordinator only.
    pub async fn get_dispute(&self, actor: &Actor, id: i64) -> Result<Dispute> {
        let mut conn = self.pool().acquire().await?;
        dispute_on(&mut conn, actor, id).await
    }

    pub async fn update_dispute(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &DisputeInput,
    ) -> Result<Dispute> {
        forbid_unless(actor.can_write_cases())?;
        let mut tx = self.write_tx().await?;
        let before = dispute_on(&mut tx, actor, id).await?;
        if before.version != version {
            return Err(conflict(version, before.version));
        }
        self.check_code(&mut tx, CodeList::Domain, "domain", &input.domain)
            .await?;
        let n = sqlx::query("UPDATE disputes SET title = $1, domain = $2, summary = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6")
            .bind(input.title.clone())
            .bind(input.domain.clone())
            .bind(input.summary.clone())
            .bind(crate::now())
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(conflict(version, before.version + 1));
        }
        let after = dispute_on(&mut tx, actor, id).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Dispute,
            id,
            None,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Disputes of the jurisdiction, newest first, `limit` after the id `before_id`.
    pub async fn list_disputes(
        &self,
        actor: &Actor,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Dispute>> {
        let mut params = Params::default();
        let j = params.push(actor.jurisdiction_id);
        let mut sql = format!(
            "SELECT d.id, d.title, d.domain, d.summary, d.version, d.created_at, d.updated_at FROM disputes d WHERE d.jurisdiction_id = {j}"
        );
        if let huajie_domain::access::ProceedingScope::Unit { .. } = actor.proceeding_scope() {
            let scope = scope_clause(actor.proceeding_scope(), &mut params);
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM proceedings p WHERE p.dispute_id = d.id AND {scope})"
            ));
        }
        if let Some(b) = before_id {
            sql.push_str(&format!(" AND d.id < {}", params.push(b)));
        }
        sql.push_str(&format!(" ORDER BY d.id DESC LIMIT {}", params.push(limit)));
        let rows = query(sql, params.args).fetch_all(self.pool()).await?;
        rows.iter().map(dispute_row).collect()
    }

    // ----- proceedings -------------------------------------------------------------------

    pub async fn get_proceeding(&self, actor: &Actor, id: i64) -> Result<Proceeding> {
        let rule = self.loss_rule().await?;
        let mut conn = self.pool().acquire().await?;
        load(&mut conn, actor, id, &rule).await
    }

    /// Registers a proceeding with its parties (and a new dispute when none is named).
    pub async fn create_proceeding(
        &self,
        actor: &Actor,
        input: &ProceedingInput,
        parties: &[PartyInput],
    ) -> Result<Proceeding> {
        forbid_unless(actor.can_write_cases())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        self.check_proceeding_codes(&mut tx, input).await?;
        check_case_no_free(&mut tx, input, None).await?;
        let mut names = Vec::with_capacity(parties.len());
        let mut inv = huajie_domain::Invalid::default();
        for (i, p) in parties.iter().enumerate() {
            match (&p.name, p.unit_id) {
                (Some(n), Some(u)) => {
                    match party_unit_name(&mut tx, actor, &format!("parties[{i}].unit_id"), u).await
                    {
                        Ok(_) => names.push(n.clone()),
                        Err(StoreError::Invalid(e)) => inv.extend(e),
                        Err(e) => return Err(e),
                    }
                }
                (Some(n), None) => names.push(n.clone()),
                (None, Some(u)) => {
                    match party_unit_name(&mut tx, actor, &format!("parties[{i}].unit_id"), u).await
                    {
                        Ok(n) => names.push(n),
                        Err(StoreError::Invalid(e)) => inv.extend(e),
                        Err(e) => return Err(e),
                    }
                }
                (None, None) => unreachable!("validated: a party has a name or a unit"),
            }
        }
        if let huajie_domain::access::ProceedingScope::Unit { unit_id, .. } =
            actor.proceeding_scope()
            && !parties.iter().any(|p| p.unit_id == Some(unit_id))
        {
            inv.push(FieldError::new(
                "parties",
                "own_unit_required",
                "单位用户只能登记本单位为当事人的案件，请在当事人中选择本单位",
            ));
        }
        let dispute_id = match input.dispute_id {
            Some(d) => match dispute_on(&mut tx, actor, d).await {
                Ok(_) => Some(d),
                Err(StoreError::NotFound) => {
                    inv.push(FieldError::new(
                        "dispute_id",
                        "unknown_dispute",
                        format!("争议（编号{d}）不存在"),
                    ));
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        if !inv.is_empty() {
            return Err(StoreError::Invalid(inv));
        }
        let dispute_id = match dispute_id {
            Some(d) => d,
            None => {
                let claimant = parties
                    .iter()
                    .zip(&names)
                    .find(|(p, _)| p.role == PartyRole::Claimant)
                    .map(|(_, n)| n.as_str())
                    .unwrap_or("");
                let defendant = parties
                    .iter()
                    .zip(&names)
                    .find(|(p, _)| p.role == PartyRole::Defendant)
                    .map(|(_, n)| n.as_str())
                    .unwrap_or("");
                let title: String = format!("{claimant}与{defendant}争议")
                    .chars()
                    .take(200)
                    .collect();
                let d = DisputeInput {
                    title,
                    domain: input.domain.clone(),
                    summary: None,
                };
                let id = insert_dispute(&mut tx, actor, &d).await?;
                audit::record(
                    &mut tx,
                    &actor.into(),
                    AuditAction::Create,
                    AuditEntity::Dispute,
                    id,
                    None,
                    None::<&()>,
                    Some(&serde_json::json!({"title": d.title, "domain": d.domain})),
                )
                .await?;
                id
            }
        };
        let now = crate::now();
        let mut params = Params::default();
        let mut placeholders: Vec<String> = proc_args(dispute_id, input)
            .into_iter()
            .map(|a| params.push(a))
            .collect();
        placeholders.push(params.push(actor.jurisdiction_id));
        let nowp = params.push(now.clone());
        let sql = format!(
            "INSERT INTO proceedings ({}, jurisdiction_id, version, created_at, updated_at) VALUES ({}, 1, {nowp}, {nowp}) RETURNING id",
            PROC_FIELDS.join(", "),
            placeholders.join(", ")
        );
        let row = query(sql, params.args)
            .fetch_one(&mut *tx)
            .await
            .map_err(duplicate_case_no(input))?;
        let id = get_i64(&row, "id")?;
        for (p, name) in parties.iter().zip(names) {
            sqlx::query(
                "INSERT INTO parties (proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
            )
            .bind(id)
            .bind(p.role.code())
            .bind(p.kind.code())
            .bind(name)
            .bind(p.unit_id)
            .bind(input.registered_on.to_string())
            .bind(now.clone())
                .execute(&mut *tx)
                .await?;
        }
        refresh_names(&mut tx, id).await?;
        crate::deadlines::sync_key_dates(
            &mut tx,
            &actor.into(),
            id,
            None,
            (input.kind, &input.dates),
        )
        .await?;
        let created = load(&mut tx, actor, id, &rule).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Create,
            AuditEntity::Proceeding,
            id,
            Some(id),
            None::<&Proceeding>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_proceeding(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &ProceedingInput,
    ) -> Result<Proceeding> {
        forbid_unless(actor.can_write_cases())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = load(&mut tx, actor, id, &rule).await?;
        if before.version != version {
            return Err(conflict(version, before.version));
        }
        self.check_proceeding_codes(&mut tx, input).await?;
        check_case_no_free(&mut tx, input, Some(id)).await?;
        let dispute_id = match input.dispute_id {
            Some(d) if d != before.dispute_id => {
                dispute_on(&mut tx, actor, d).await.map_err(|_| {
                    StoreError::from(FieldError::new(
                        "dispute_id",
                        "unknown_dispute",
                        format!("争议（编号{d}）不存在"),
                    ))
                })?;
                d
            }
            _ => before.dispute_id,
        };
        if input.kind != before.kind && !before.outcomes.is_empty() {
            return Err(
                FieldError::new("kind", "kind_locked", "已记录结果的程序不能更改程序类型").into(),
            );
        }
        let mut params = Params::default();
        let sets: Vec<String> = proc_args(dispute_id, input)
            .into_iter()
            .zip(PROC_FIELDS)
            .map(|(a, f)| format!("{f} = {}", params.push(a)))
            .collect();
        let sql = format!(
            "UPDATE proceedings SET {}, version = version + 1, updated_at = {} WHERE id = {} AND version = {}",
            sets.join(", "),
            params.push(crate::now()),
            params.push(id),
            params.push(version)
        );
        let n = query(sql, params.args)
            .execute(&mut *tx)
            .await
            .map_err(duplicate_case_no(input))?
            .rows_affected();
        if n == 0 {
            return Err(conflict(version, before.version + 1));
        }
        sqlx::query("UPDATE parties SET registered_on = $1 WHERE proceeding_id = $2")
            .bind(input.registered_on.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::deadlines::sync_key_dates(
            &mut tx,
            &actor.into(),
            id,
            Some((before.kind, &key_dates_of(&before))),
            (input.kind, &input.dates),
        )
        .await?;
        let after = load(&mut tx, actor, id, &rule).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Proceeding,
            id,
            Some(id),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- parties -----------------------------------------------------------------------

    pub async fn add_party(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        input: &PartyInput,
    ) -> Result<Party> {
        forbid_unless(actor.can_write_cases())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let proc = load(&mut tx, actor, proceeding_id, &rule).await?;
        let name = match (&input.name, input.unit_id) {
            (_, Some(u)) => {
                let unit_name = party_unit_name(&mut tx, actor, "unit_id", u).await?;
                input.name.clone().unwrap_or(unit_name)
            }
            (Some(n), None) => n.clone(),
            (None, None) => unreachable!("validated"),
        };
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO parties (proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(proceeding_id)
        .bind(input.role.code())
        .bind(input.kind.code())
        .bind(name)
        .bind(input.unit_id)
        .bind(proc.registered_on.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(duplicate_unit)?;
        refresh_names(&mut tx, proceeding_id).await?;
        if input.unit_id.is_some() && input.role.is_defendant_side() {
            crate::deadlines::resync_owners(&mut tx, &actor.into(), proceeding_id).await?;
        }
        let created = party_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Create,
            AuditEntity::Party,
            id,
            Some(proceeding_id),
            None::<&Party>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_party(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &PartyInput,
    ) -> Result<Party> {
        forbid_unless(actor.can_write_cases())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = party_on(&mut tx, id).await?;
        let proc = load(&mut tx, actor, before.proceeding_id, &rule).await?;
        if before.version != version {
            return Err(conflict(version, before.version));
        }
        check_party_change(&proc, Some(&before), Some(input))?;
        let name = match (&input.name, input.unit_id) {
            (_, Some(u)) => {
                let unit_name = party_unit_name(&mut tx, actor, "unit_id", u).await?;
                input.name.clone().unwrap_or(unit_name)
            }
            (Some(n), None) => n.clone(),
            (None, None) => unreachable!("validated"),
        };
        let n = sqlx::query("UPDATE parties SET role = $1, kind = $2, name = $3, unit_id = $4, version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7")
            .bind(input.role.code())
            .bind(input.kind.code())
            .bind(name)
            .bind(input.unit_id)
            .bind(crate::now())
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(duplicate_unit)?
            .rows_affected();
        if n == 0 {
            return Err(conflict(version, before.version + 1));
        }
        refresh_names(&mut tx, before.proceeding_id).await?;
        if before.unit_id != input.unit_id || before.role != input.role {
            crate::deadlines::resync_owners(&mut tx, &actor.into(), before.proceeding_id).await?;
        }
        let after = party_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Party,
            id,
            Some(before.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_party(&self, actor: &Actor, id: i64, version: i64) -> Result<()> {
        forbid_unless(actor.can_write_cases())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = party_on(&mut tx, id).await?;
        let proc = load(&mut tx, actor, before.proceeding_id, &rule).await?;
        if before.version != version {
            return Err(conflict(version, before.version));
        }
        check_party_change(&proc, Some(&before), None)?;
        sqlx::query("DELETE FROM parties WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        refresh_names(&mut tx, before.proceeding_id).await?;
        if before.unit_id.is_some() {
            crate::deadlines::resync_owners(&mut tx, &actor.into(), before.proceeding_id).await?;
        }
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Delete,
            AuditEntity::Party,
            id,
            Some(before.proceeding_id),
            Some(&before),
            None::<&Party>,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- hearings and appearances ------------------------------------------------------

    pub async fn add_hearing(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        input: &HearingInput,
    ) -> Result<Hearing> {
        forbid_unless(actor.can_write_hearings())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let proc = load(&mut tx, actor, proceeding_id, &rule).await?;
        if !proc.kind.is_litigation() {
            return Err(FieldError::new(
                "proceeding_id",
                "not_litigation",
                format!("{}程序没有开庭", proc.kind.label()),
            )
            .into());
        }
        let created = insert_hearing_in(&mut tx, actor, proceeding_id, input).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The court's 开庭传票 (the court liaison, or the coordinator typing one in): the hearing
    /// and the event 收到开庭传票 (today) in one transaction, so the units' appearance
    /// obligations start (e.g. 象山's 出庭人员名单 within 3 working days); each defendant unit's
    /// clerks and heads are told.
    pub async fn send_hearing_notice(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        input: &HearingInput,
    ) -> Result<(
        Hearing,
        huajie_domain::records::Event,
        Vec<huajie_domain::records::Deadline>,
    )> {
        if !matches!(
            actor.role,
            huajie_domain::user::Role::CourtLiaison | huajie_domain::user::Role::Coordinator
        ) {
            return Err(StoreError::Forbidden(
                "开庭传票由法院联络员（或司法局协调员代为）登记".into(),
            ));
        }
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let proc = load(&mut tx, actor, proceeding_id, &rule).await?;
        if !proc.kind.is_litigation() {
            return Err(FieldError::new(
                "proceeding_id",
                "not_litigation",
                format!("{}程序没有开庭", proc.kind.label()),
            )
            .into());
        }
        let j = actor.jurisdiction_id;
        let hearing = insert_hearing_in(&mut tx, actor, proceeding_id, input).await?;
        let at: String = input
            .scheduled_at
            .to_string()
            .replace('T', " ")
            .chars()
            .take(16)
            .collect();
        let place = input
            .place
            .clone()
            .map(|p| format!("，地点：{p}"))
            .unwrap_or_default();
        let ev = huajie_domain::deadline::EventInput {
            kind: huajie_domain::rules::EventKind::SummonsReceived,
            occurred_on: crate::deadlines::today(),
            note: Some(format!("开庭传票：{at}{place}")),
        };
        let planner = crate::deadlines::Planner::load(&mut tx, j).await?;
        let by: crate::audit::Author = actor.into();
        let (event, soon) = crate::deadlines::add_event_in(
            &mut tx,
            &by,
            &planner,
            proceeding_id,
            proc.kind,
            j,
            &ev,
        )
        .await?;
        let deadlines = crate::deadlines::event_deadlines(&mut tx, event.id, soon).await?;
        let label = proc
            .case_no
            .clone()
            .or(proc.reference_no.clone())
            .unwrap_or_else(|| format!("程序{proceeding_id}"));
        let court = crate::users::person_name(&mut tx, actor).await?;
        let mut units: Vec<i64> = proc
            .parties
            .iter()
            .filter(|x| x.role.is_defendant_side())
            .filter_map(|x| x.unit_id)
            .collect();
        units.sort_unstable();
        units.dedup();
        let to: Vec<crate::notify::To> = units
            .into_iter()
            .map(|u| crate::notify::To::Unit(u, crate::notify::CLERKS_AND_HEADS))
            .collect();
        crate::notify::notify_in(
            &mut tx,
            crate::clock::now(),
            &crate::notify::Notice {
                jurisdiction_id: j,
                kind: huajie_domain::notify::MessageKind::NewObligation,
                key: format!("hearing-notice:{}", hearing.id),
                title: format!("开庭传票：{label}"),
                body: format!(
                    "{label} 定于 {at} 开庭{place}（{court}送达）。请确定出庭负责人，报送出庭人员名单。"
                ),
                link: Some(format!("/proceedings/{proceeding_id}#appearance")),
                proceeding_id: Some(proceeding_id),
                deadline_id: None,
                work_item_id: None,
            },
            &to,
        )
        .await?;
        tx.commit().await?;
        Ok((hearing, event, deadlines))
    }

    pub async fn update_hearing(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &HearingInput,
    ) -> Result<Hearing> {
        forbid_unless(actor.can_write_hearings())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = hearing_on(&mut tx, id).await?;
        load(&mut tx, actor, before.proceeding_id, &rule).await?;
        let n = sqlx::query("UPDATE hearings SET scheduled_at = $1, place = $2, note = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6")
            .bind(input.scheduled_at.to_string())
            .bind(input.place.clone())
            .bind(input.note.clone())
            .bind(crate::now())
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(conflict(version, before.version));
        }
        let after = hearing_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Hearing,
            id,
            Some(before.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn add_appearance(
        &self,
        actor: &Actor,
        hearing_id: i64,
        input: &AppearanceInput,
    ) -> Result<Appearance> {
        forbid_unless(actor.can_write_hearings())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let h = hearing_on(&mut tx, hearing_id).await?;
        let proc = load(&mut tx, actor, h.proceeding_id, &rule).await?;
        check_appearance_unit(&proc, input)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO appearances (hearing_id, unit_id, person_name, post, level, appeared, spoke, excuse, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
        )
        .bind(hearing_id)
        .bind(input.unit_id)
        .bind(input.person_name.clone())
        .bind(input.post.clone())
        .bind(input.level.code())
        .bind(input.appeared as i64)
        .bind(input.spoke as i64)
        .bind(input.excuse.clone())
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        let created = appearance_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Create,
            AuditEntity::Appearance,
            id,
            Some(h.proceeding_id),
            None::<&Appearance>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_appearance(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &AppearanceInput,
    ) -> Result<Appearance> {
        forbid_unless(actor.can_write_hearings())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = appearance_on(&mut tx, id).await?;
        let h = hearing_on(&mut tx, before.hearing_id).await?;
        let proc = load(&mut tx, actor, h.proceeding_id, &rule).await?;
        check_appearance_unit(&proc, input)?;
        let n = sqlx::query(
            "UPDATE appearances SET unit_id = $1, person_name = $2, post = $3, level = $4, appeared = $5, spoke = $6, excuse = $7, \
             version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
        )
        .bind(input.unit_id)
        .bind(input.person_name.clone())
        .bind(input.post.clone())
        .bind(input.level.code())
        .bind(input.appeared as i64)
        .bind(input.spoke as i64)
        .bind(input.excuse.clone())
        .bind(crate::now())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict(version, before.version));
        }
        let after = appearance_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Appearance,
            id,
            Some(h.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- outcomes ----------------------------------------------------------------------

    pub async fn add_outcome(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        input: &OutcomeInput,
    ) -> Result<Outcome> {
        forbid_unless(actor.can_write_cases())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let proc = load(&mut tx, actor, proceeding_id, &rule).await?;
        check_outcome_party(&proc, input.party_id)?;
        if proc.outcomes.iter().any(|o| o.party_id == input.party_id) {
            return Err(FieldError::new(
                "party_id",
                "duplicate_outcome",
                "该被告已有结果记录，请修改原记录",
            )
            .into());
        }
        let created = write_outcome(
            &mut tx,
            &actor.into(),
            &proc,
            input,
            &rule,
            source_of(actor),
        )
        .await?;
        crate::deadlines::resync_loss_deadlines(&mut tx, &actor.into(), proceeding_id).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_outcome(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &OutcomeInput,
    ) -> Result<Outcome> {
        forbid_unless(actor.can_write_cases())?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = outcome_on(&mut tx, id, &rule).await?;
        let proc = load(&mut tx, actor, before.proceeding_id, &rule).await?;
        check_outcome_change(actor, &before)?;
        if input.party_id != before.party_id {
            return Err(FieldError::new(
                "party_id",
                "party_locked",
                "结果所属被告不能更改，请删除后重新登记",
            )
            .into());
        }
        check_outcome_party(&proc, input.party_id)?;
        let grounds: Vec<&str> = input.grounds.iter().map(|g| g.code()).collect();
        let n = sqlx::query("UPDATE outcomes SET code = $1, decided_on = $2, grounds = $3, note = $4, version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7")
            .bind(input.code.code())
            .bind(input.decided_on.to_string())
            .bind(grounds.join(","))
            .bind(input.note.clone())
            .bind(crate::now())
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(conflict(version, before.version));
        }
        let after = outcome_on(&mut tx, id, &rule).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Outcome,
            id,
            Some(before.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        crate::deadlines::resync_loss_deadlines(&mut tx, &actor.into(), before.proceeding_id)
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The proceeding a child record belongs to, if the actor can see it (for audit history).
    pub async fn proceeding_of(&self, actor: &Actor, entity: &str, id: i64) -> Result<i64> {
        let sql = match entity {
            "proceeding" => "SELECT id AS pid FROM proceedings WHERE id = $1",
            "party" => "SELECT proceeding_id AS pid FROM parties WHERE id = $1",
            "hearing" => "SELECT proceeding_id AS pid FROM hearings WHERE id = $1",
            "outcome" => "SELECT proceeding_id AS pid FROM outcomes WHERE id = $1",
            "event" => "SELECT proceeding_id AS pid FROM events WHERE id = $1",
            "document" => "SELECT proceeding_id AS pid FROM documents WHERE id = $1",
            "appearance" => {
                "SELECT h.proceeding_id AS pid FROM appearances a JOIN hearings h ON h.id = a.hearing_id WHERE a.id = $1"
            }
            _ => return Err(StoreError::NotFound),
        };
        let pid: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        // Scope only: one indexed probe, not a load of the whole proceeding.
        let mut params = Params::default();
        let idp = params.push(pid);
        let scope = scope_clause(actor.proceeding_scope(), &mut params);
        query(
            format!("SELECT p.id FROM proceedings p WHERE p.id = {idp} AND {scope}"),
            params.args,
        )
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(pid)
    }
}

fn duplicate_unit(e: sqlx::Error) -> StoreError {
    on_unique(
        e,
        "unit_id",
        "duplicate_party_unit",
        "该单位已是本程序的当事人，同一单位不能重复列入".into(),
    )
}

/// The key dates of a stored proceeding (dates are stored as ISO text).
fn key_dates_of(p: &Proceeding) -> huajie_domain::proceeding::KeyDates {
    let d = |v: &Option<String>| v.as_deref().and_then(|s| s.parse().ok());
    huajie_domain::proceeding::KeyDates {
        act_on: d(&p.act_on),
        received_on: d(&p.received_on),
        filed_on: d(&p.filed_on),
        decided_on: d(&p.decided_on),
        served_on: d(&p.served_on),
        effective_on: d(&p.effective_on),
        closed_on: d(&p.closed_on),
    }
}

async fn insert_dispute(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &DisputeInput,
) -> Result<i64> {
    let now = crate::now();
    Ok(sqlx::query_scalar(
        "INSERT INTO disputes (jurisdiction_id, title, domain, summary, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
    )
    .bind(actor.jurisdiction_id)
    .bind(input.title.clone())
    .bind(input.domain.clone())
    .bind(input.summary.clone())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

async fn party_on(conn: &mut AnyConnection, id: i64) -> Result<Party> {
    let row = sqlx::query(
        "SELECT id, proceeding_id, role, kind, name, unit_id, version FROM parties WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    party(&row)
}

async fn hearing_on(conn: &mut AnyConnection, id: i64) -> Result<Hearing> {
    let row = sqlx::query(
        "SELECT id, proceeding_id, scheduled_at, place, note, version FROM hearings WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    hearing(&row)
}

async fn appearance_on(conn: &mut AnyConnection, id: i64) -> Result<Appearance> {
    let row = sqlx::query("SELECT id, hearing_id, unit_id, person_name, post, level, appeared, spoke, excuse, version FROM appearances WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    appearance(&row)
}

async fn outcome_on(conn: &mut AnyConnection, id: i64, rule: &LossRule) -> Result<Outcome> {
    let row = sqlx::query("SELECT id, proceeding_id, party_id, code, decided_on, grounds, note, source, version FROM outcomes WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    outcome(&row, rule)
}

/// A proceeding must keep a claimant and a defendant, and a party with an outcome stays a defendant.
fn check_party_change(
    proc: &Proceeding,
    before: Option<&Party>,
    after: Option<&PartyInput>,
) -> Result<()> {
    let count = |role: PartyRole| {
        let mut n = proc.parties.iter().filter(|p| p.role == role).count() as i64;
        if before.is_some_and(|b| b.role == role) {
            n -= 1;
        }
        if after.is_some_and(|a| a.role == role) {
            n += 1;
        }
        n
    };
    if count(PartyRole::Claimant) < 1 {
        return Err(FieldError::new(
            "role",
            "claimant_required",
            "程序至少需要保留一名原告（申请人）",
        )
        .into());
    }
    if count(PartyRole::Defendant) < 1 {
        return Err(FieldError::new(
            "role",
            "defendant_required",
            "程序至少需要保留一名被告（被申请人）",
        )
        .into());
    }
    if let Some(b) = before
        && proc.outcomes.iter().any(|o| o.party_id == b.id)
        && after.is_none_or(|a| !a.role.is_defendant_side())
    {
        return Err(FieldError::new(
            "role",
            "has_outcome",
            "该当事人已有结果记录，不能删除或改为非被告角色",
        )
        .into());
    }
    Ok(())
}

fn check_appearance_unit(proc: &Proceeding, input: &AppearanceInput) -> Result<()> {
    if let Some(u) = input.unit_id
        && !proc
            .parties
            .iter()
            .any(|p| p.unit_id == Some(u) && p.role.is_defendant_side())
    {
        return Err(FieldError::new(
            "unit_id",
            "not_a_defendant",
            format!("单位（编号{u}）不是本案被告方当事人"),
        )
        .into());
    }
    Ok(())
}

/// Records `input` as the outcome of its defendant inside the caller's transaction: a new row,
/// or the defendant's existing outcome updated (a confirmed court document replaces what was
/// typed before). Writes the audit event; does not resync loss deadlines.
pub(crate) async fn write_outcome(
    conn: &mut AnyConnection,
    by: &crate::audit::Author,
    proc: &Proceeding,
    input: &OutcomeInput,
    rule: &LossRule,
    source: OutcomeSource,
) -> Result<Outcome> {
    check_outcome_party(proc, input.party_id)?;
    let grounds: Vec<&str> = input.grounds.iter().map(|g| g.code()).collect();
    let now = crate::now();
    match proc.outcomes.iter().find(|o| o.party_id == input.party_id) {
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO outcomes (proceeding_id, party_id, code, decided_on, grounds, note, version, created_at, updated_at, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8) RETURNING id",
            )
            .bind(proc.id)
            .bind(input.party_id)
            .bind(input.code.code())
            .bind(input.decided_on.to_string())
            .bind(grounds.join(","))
            .bind(input.note.clone())
            .bind(now)
            .bind(source.code())
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| {
                on_unique(
                    e,
                    "party_id",
                    "duplicate_outcome",
                    "该被告已有结果记录，请修改原记录".into(),
                )
            })?;
            let created = outcome_on(conn, id, rule).await?;
            audit::record(
                conn,
                by,
                AuditAction::Create,
                AuditEntity::Outcome,
                id,
                Some(proc.id),
                None::<&Outcome>,
                Some(&created),
            )
            .await?;
            Ok(created)
        }
        Some(before) => {
            let note = input.note.clone().or_else(|| before.note.clone());
            sqlx::query("UPDATE outcomes SET code = $1, decided_on = $2, grounds = $3, note = $4, version = version + 1, updated_at = $5, source = $7 WHERE id = $6")
                .bind(input.code.code())
                .bind(input.decided_on.to_string())
                .bind(grounds.join(","))
                .bind(note)
                .bind(now)
                .bind(before.id)
                .bind(source.code())
                .execute(&mut *conn)
                .await?;
            let after = outcome_on(conn, before.id, rule).await?;
            if after.code != before.code
                || after.decided_on != before.decided_on
                || after.grounds != before.grounds
                || after.note != before.note
            {
                audit::record(
                    conn,
                    by,
                    AuditAction::Update,
                    AuditEntity::Outcome,
                    before.id,
                    Some(proc.id),
                    Some(before),
                    Some(&after),
                )
                .await?;
            }
            Ok(after)
        }
    }
}

fn check_outcome_party(proc: &Proceeding, party_id: i64) -> Result<()> {
    match proc.parties.iter().find(|p| p.id == party_id) {
        Some(p) if p.role.is_defendant_side() => Ok(()),
        Some(_) => Err(FieldError::new(
            "party_id",
            "not_a_defendant",
            "结果只能记录在被告（被申请人）名下",
        )
        .into()),
        None => Err(FieldError::new(
            "party_id",
            "unknown_party",
            format!("当事人（编号{party_id}）不属于本程序"),
        )
        .into()),
    }
}

/// Writes a hearing with its audit event inside the caller's transaction.
async fn insert_hearing_in(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    proceeding_id: i64,
    input: &HearingInput,
) -> Result<Hearing> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO hearings (proceeding_id, scheduled_at, place, note, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
    )
    .bind(proceeding_id)
    .bind(input.scheduled_at.to_string())
    .bind(input.place.clone())
    .bind(input.note.clone())
    .bind(crate::now())
    .fetch_one(&mut *tx)
    .await?;
    let created = hearing_on(&mut *tx, id).await?;
    audit::record(
        &mut *tx,
        &actor.into(),
        AuditAction::Create,
        AuditEntity::Hearing,
        id,
        Some(proceeding_id),
        None::<&Hearing>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::join_names;

    #[test]
    fn names_are_joined_and_cut() {
        assert_eq!(join_names(["张三", "李四"].into_iter(), 20), "张三、李四");
        assert_eq!(
            join_names(["张三", "李四", "王五"].into_iter(), 6),
            "张三、李四等"
        );
        assert_eq!(join_names(std::iter::empty(), 6), "");
    }
}
