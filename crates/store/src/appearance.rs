//! The court-appearance duty (负责人出庭应诉, migration 0020): the case circumstances the bureau
//! records (`case_flags`), each defendant unit's appearance plan per hearing
//! (`appearance_plans`), the jurisdiction's duty rules (setting `appearance_rules:{j}`), and
//! the duties with their problems worked out by `huajie_domain::appearance` from the case, the
//! plan and the recorded appearances. Filing a plan also submits the open 出庭人员名单 obligations
//! of that unit (rules triggered by 收到开庭传票) with the plan as their filled-in field.

use std::collections::BTreeMap;

use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::appearance::{
    AppearancePlan, Appeared, CaseFacts, CaseFlag, DutyRules, HearingDuty, PlanHead, PlanInput,
    problems, requirement,
};
use huajie_domain::audit::{AuditAction, AuditEntity};
use huajie_domain::hearing::AppearanceLevel;
use huajie_domain::obligation::SubmissionDraft;
use huajie_domain::records::Proceeding;
use huajie_domain::stats::assess::AppearanceFault;
use huajie_domain::unit::{HeadKind, UnitKind};
use huajie_domain::user::Role;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::sql::{get_enum, get_i64, get_opt_i64, get_str, query};
use crate::stats::DEFENDANT_ROLES;
use crate::{Result, Store, StoreError};

fn rules_key(j: i64) -> String {
    format!("appearance_rules:{j}")
}

const PLAN_COLS: &str = "id, hearing_id, unit_id, head_id, head_name, head_post, head_kind, agents, filed_by_name, version, updated_at";

fn plan(r: &AnyRow) -> Result<AppearancePlan> {
    Ok(AppearancePlan {
        id: get_i64(r, "id")?,
        hearing_id: get_i64(r, "hearing_id")?,
        unit_id: get_i64(r, "unit_id")?,
        head_id: get_opt_i64(r, "head_id")?,
        head_name: get_str(r, "head_name")?,
        head_post: get_str(r, "head_post")?,
        head_kind: get_enum(r, "head_kind", HeadKind::from_code)?,
        agents: get_str(r, "agents")?,
        filed_by_name: get_str(r, "filed_by_name")?,
        version: get_i64(r, "version")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

async fn plan_on(
    conn: &mut AnyConnection,
    hearing: i64,
    unit: i64,
) -> Result<Option<AppearancePlan>> {
    let sql =
        format!("SELECT {PLAN_COLS} FROM appearance_plans WHERE hearing_id = $1 AND unit_id = $2");
    query(sql, vec![hearing.into(), unit.into()])
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(plan)
        .transpose()
}

async fn flags_on(conn: &mut AnyConnection, pid: i64) -> Result<Vec<CaseFlag>> {
    let rows = sqlx::query("SELECT flag FROM case_flags WHERE proceeding_id = $1 ORDER BY flag")
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            get_str(r, "flag")
                .ok()
                .and_then(|f| CaseFlag::from_code(&f))
        })
        .collect())
}

/// A unit user's own unit (their duties only); `None` for the jurisdiction's roles.
fn unit_scope(actor: &Actor) -> Option<i64> {
    match actor.proceeding_scope() {
        huajie_domain::access::ProceedingScope::Unit { unit_id, .. } => Some(unit_id),
        huajie_domain::access::ProceedingScope::Jurisdiction(_)
        | huajie_domain::access::ProceedingScope::Litigation(_) => None,
    }
}

/// Who may file a unit's plan: the bureau, or that unit's clerk or head.
fn may_file(actor: &Actor, unit: i64) -> bool {
    actor.can_administer()
        || (actor.unit_id == unit && matches!(actor.role, Role::UnitClerk | Role::UnitHead))
}

impl Store {
    /// The jurisdiction's appearance rules and their version (0 = the shipped defaults).
    pub async fn appearance_rules(&self, j: i64) -> Result<(DutyRules, i64)> {
        let mut conn = self.pool().acquire().await?;
        Ok(
            match crate::deadlines::setting(&mut conn, &rules_key(j)).await? {
                Some((v, version)) => (DutyRules::from_json(&v).unwrap_or_default(), version),
                None => (DutyRules::default(), 0),
            },
        )
    }

    pub async fn set_appearance_rules(
        &self,
        actor: &Actor,
        version: i64,
        rules: &DutyRules,
    ) -> Result<i64> {
        if !actor.can_administer() {
            return Err(StoreError::Forbidden(
                "只有司法局协调员可以修改出庭规则".into(),
            ));
        }
        DutyRules::from_json(&rules.to_json())?;
        let j = actor.jurisdiction_id;
        let (before, _) = self.appearance_rules(j).await?;
        let mut tx = self.write_tx().await?;
        let next = crate::deadlines::put_rules_in(
            &mut tx,
            actor,
            &rules_key(j),
            version,
            &rules.to_json(),
            AuditEntity::AppearanceRules,
            &before,
            rules,
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The circumstances recorded on a case.
    pub async fn case_flags(&self, actor: &Actor, pid: i64) -> Result<Vec<CaseFlag>> {
        self.get_proceeding(actor, pid).await?;
        let mut conn = self.pool().acquire().await?;
        flags_on(&mut conn, pid).await
    }

    /// The bureau records the circumstances of a case (replacing what was recorded).
    pub async fn set_case_flags(
        &self,
        actor: &Actor,
        pid: i64,
        flags: &[CaseFlag],
    ) -> Result<Vec<CaseFlag>> {
        if !actor.can_administer() {
            return Err(StoreError::Forbidden(
                "只有司法局协调员可以认定案件情形".into(),
            ));
        }
        self.get_proceeding(actor, pid).await?;
        let mut tx = self.write_tx().await?;
        let before = flags_on(&mut tx, pid).await?;
        sqlx::query("DELETE FROM case_flags WHERE proceeding_id = $1")
            .bind(pid)
            .execute(&mut *tx)
            .await?;
        let now = crate::now();
        let mut after: Vec<CaseFlag> = flags.to_vec();
        after.sort();
        after.dedup();
        for f in &after {
            sqlx::query("INSERT INTO case_flags (proceeding_id, flag, set_at) VALUES ($1, $2, $3)")
                .bind(pid)
                .bind(f.code())
                .bind(now.clone())
                .execute(&mut *tx)
                .await?;
        }
        if before != after {
            let codes = |v: &[CaseFlag]| serde_json::json!({ "case_flags": v.iter().map(|f| f.label()).collect::<Vec<_>>() });
            audit::record(
                &mut tx,
                &Author::from(actor),
                AuditAction::Update,
                AuditEntity::Proceeding,
                pid,
                Some(pid),
                Some(&codes(&before)),
                Some(&codes(&after)),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Every defendant unit at every hearing of a case (a unit's staff: their own unit only):
    /// who must appear and why, the plan, and the problems of a recorded appearance.
    pub async fn hearing_duties(&self, actor: &Actor, pid: i64) -> Result<Vec<HearingDuty>> {
        let p = self.get_proceeding(actor, pid).await?;
        let own = unit_scope(actor);
        self.duties_of(&p, actor.jurisdiction_id, own).await
    }

    async fn duties_of(
        &self,
        p: &Proceeding,
        jurisdiction: i64,
        only_unit: Option<i64>,
    ) -> Result<Vec<HearingDuty>> {
        let mut conn = self.pool().acquire().await?;
        let (rules, _) = self.appearance_rules(jurisdiction).await?;
        let flags = flags_on(&mut conn, p.id).await?;
        let warned: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM warnings wr WHERE wr.proceeding_id = $1 AND wr.grade = 'red' AND wr.state <> 'closed') \
             + (SELECT COUNT(*) FROM work_items w WHERE w.proceeding_id = $1 AND w.kind = 'risk_warning' AND w.status = 'open' \
                AND NOT EXISTS (SELECT 1 FROM warnings x WHERE x.work_item_id = w.id))",
        )
        .bind(p.id)
        .fetch_one(&mut *conn)
        .await?;
        let case_label = p
            .case_no
            .clone()
            .or(p.reference_no.clone())
            .unwrap_or_else(|| format!("程序{}", p.id));
        let mut units: Vec<(i64, String)> = Vec::new();
        for x in &p.parties {
            if let Some(u) = x.unit_id
                && x.role.is_defendant_side()
                && only_unit.is_none_or(|o| o == u)
                && !units.iter().any(|(id, _)| *id == u)
            {
                units.push((u, x.name.clone()));
            }
        }
        let mut kinds: BTreeMap<i64, UnitKind> = BTreeMap::new();
        for (u, _) in &units {
            if let Some(unit) = crate::units::unit_on(&mut conn, *u).await? {
                kinds.insert(*u, unit.kind);
            }
        }
        let mut out = Vec::new();
        for h in &p.hearings {
            for (u, name) in &units {
                let req = requirement(
                    &rules,
                    &CaseFacts {
                        claimant_count: p.claimant_count,
                        flags: flags.clone(),
                        risk_warning: warned > 0,
                        unit_kind: kinds.get(u).copied(),
                    },
                );
                let lines: Vec<Appeared> = h
                    .appearances
                    .iter()
                    .filter(|a| a.unit_id == Some(*u))
                    .map(|a| Appeared {
                        level: a.level,
                        appeared: a.appeared,
                    })
                    .collect();
                let recorded = !lines.is_empty();
                let found = if recorded {
                    problems(&req, &lines)
                } else {
                    Vec::new()
                };
                out.push(HearingDuty {
                    hearing_id: h.id,
                    proceeding_id: p.id,
                    case_label: case_label.clone(),
                    scheduled_at: h.scheduled_at.clone(),
                    place: h.place.clone(),
                    unit_id: *u,
                    unit_name: name.clone(),
                    requirement: req,
                    plan: plan_on(&mut conn, h.id, *u).await?,
                    recorded,
                    problem_labels: found.iter().map(|x| x.label().to_string()).collect(),
                    problems: found,
                });
            }
        }
        Ok(out)
    }

    /// Files (or changes) a defendant unit's appearance plan for a hearing; then submits the
    /// unit's open 出庭人员名单 obligations of the case (triggered by 收到开庭传票) with the plan.
    /// Returns the plan and the obligations submitted.
    pub async fn file_appearance_plan(
        &self,
        actor: &Actor,
        hearing_id: i64,
        unit_id: i64,
        version: Option<i64>,
        input: &PlanInput,
    ) -> Result<(AppearancePlan, Vec<i64>)> {
        let pid: i64 = sqlx::query_scalar("SELECT proceeding_id FROM hearings WHERE id = $1")
            .bind(hearing_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let p = self.get_proceeding(actor, pid).await?;
        if !p
            .parties
            .iter()
            .any(|x| x.unit_id == Some(unit_id) && x.role.is_defendant_side())
        {
            return Err(FieldError::new(
                "unit_id",
                "not_a_defendant",
                "该单位不是本案被告，无需报送出庭人员",
            )
            .into());
        }
        if !may_file(actor, unit_id) {
            return Err(StoreError::Forbidden(
                "只有本单位的联络员、负责人或司法局可以报送出庭人员名单".into(),
            ));
        }
        let (head_id, name, post, kind) = match &input.head {
            PlanHead::Known(id) => {
                let heads = self.list_heads(unit_id).await?;
                let h = heads.into_iter().find(|h| h.id == *id).ok_or_else(|| {
                    StoreError::from(FieldError::new(
                        "head_id",
                        "unknown_head",
                        "所选负责人不是本单位的负责人，请先在单位管理中登记",
                    ))
                })?;
                (Some(h.id), h.name, h.post, h.kind)
            }
            PlanHead::Typed { name, post, kind } => (None, name.clone(), post.clone(), *kind),
        };
        let by_name = {
            let mut conn = self.pool().acquire().await?;
            crate::users::person_name(&mut conn, actor).await?
        };
        let mut tx = self.write_tx().await?;
        let before = plan_on(&mut tx, hearing_id, unit_id).await?;
        let now = crate::now();
        match (&before, version) {
            (None, _) => {
                sqlx::query(
                    "INSERT INTO appearance_plans (hearing_id, unit_id, head_id, head_name, head_post, head_kind, agents, filed_by, filed_by_name, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
                )
                .bind(hearing_id)
                .bind(unit_id)
                .bind(head_id)
                .bind(name)
                .bind(post)
                .bind(kind.code())
                .bind(input.agents.clone())
                .bind(actor.user_id)
                .bind(by_name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            (Some(b), Some(v)) if b.version == v => {
                sqlx::query(
                    "UPDATE appearance_plans SET head_id = $1, head_name = $2, head_post = $3, head_kind = $4, agents = $5, filed_by = $6, \
                     filed_by_name = $7, version = version + 1, updated_at = $8 WHERE id = $9",
                )
                .bind(head_id)
                .bind(name)
                .bind(post)
                .bind(kind.code())
                .bind(input.agents.clone())
                .bind(actor.user_id)
                .bind(by_name)
                .bind(now)
                .bind(b.id)
                .execute(&mut *tx)
                .await?;
            }
            (Some(b), v) => {
                return Err(StoreError::Conflict {
                    expected: v.unwrap_or(0),
                    current: b.version,
                });
            }
        }
        let after = plan_on(&mut tx, hearing_id, unit_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            &Author::from(actor),
            if before.is_some() {
                AuditAction::Update
            } else {
                AuditAction::Create
            },
            AuditEntity::AppearancePlan,
            after.id,
            Some(pid),
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        // The plan is the submission of the unit's open appearance-list obligations.
        let open: Vec<i64> = sqlx::query_scalar(
            "SELECT d.id FROM deadlines d JOIN events e ON e.id = d.event_id WHERE d.proceeding_id = $1 AND d.unit_id = $2 \
             AND d.done = 0 AND d.nature = 'duty' AND e.kind = 'summons_received' ORDER BY d.id",
        )
        .bind(pid)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?;
        let mut submitted = Vec::new();
        for d in open {
            let o = self.obligation(actor, d).await?;
            let Some(spec) = &o.submit else { continue };
            if !spec.documents.is_empty()
                || o.deadline.submission_state
                    == Some(huajie_domain::obligation::SubmissionStatus::Submitted)
            {
                continue;
            }
            let draft = SubmissionDraft {
                version: Some(o.deadline.version),
                document_ids: Vec::new(),
                fields: spec
                    .fields
                    .iter()
                    .map(|f| (f.clone(), after.summary()))
                    .collect(),
                note: Some(format!(
                    "出庭人员名单（{}开庭）",
                    after_hearing_label(&p, hearing_id)
                )),
            };
            self.submit(actor, d, &draft, &[]).await?;
            submitted.push(d);
        }
        Ok((after, submitted))
    }

    /// The bureau's list: hearings of the jurisdiction between two days whose recorded
    /// appearance has a problem, or that are coming without a plan.
    pub async fn appearance_problems(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
    ) -> Result<Vec<HearingDuty>> {
        // One pass over the period's recorded appearances finds the cases with a problem;
        // only those are read whole (with plans and requirements) for the list.
        let own = unit_scope(actor);
        let pids: Vec<i64> = self
            .appearance_faults(actor.jurisdiction_id, from, to)
            .await?
            .iter()
            .filter(|f| own.is_none_or(|u| u == f.unit_id))
            .map(|f| f.proceeding_id)
            .collect();
        let mut out = self.duties_in(actor, pids, from, to).await?;
        out.retain(|d| !d.problems.is_empty());
        out.sort_by(|a, b| b.scheduled_at.cmp(&a.scheduled_at));
        Ok(out)
    }

    /// Every defendant unit's duty at the jurisdiction's hearings in `[from, to)` (the leaders'
    /// screen: this week's hearings, who must appear, the plan), soonest first.
    pub async fn hearing_duties_between(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
    ) -> Result<Vec<HearingDuty>> {
        let pids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT h.proceeding_id FROM hearings h JOIN proceedings p ON p.id = h.proceeding_id \
             WHERE p.jurisdiction_id = $1 AND h.scheduled_at >= $2 AND h.scheduled_at < $3 ORDER BY 1 LIMIT 200",
        )
        .bind(actor.jurisdiction_id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = self.duties_in(actor, pids, from, to).await?;
        out.sort_by(|a, b| a.scheduled_at.cmp(&b.scheduled_at));
        Ok(out)
    }

    /// The duties at the hearings in `[from, to)` of these proceedings, as far as the actor sees.
    async fn duties_in(
        &self,
        actor: &Actor,
        mut pids: Vec<i64>,
        from: &str,
        to: &str,
    ) -> Result<Vec<HearingDuty>> {
        pids.sort_unstable();
        pids.dedup();
        let own = unit_scope(actor);
        let mut out = Vec::new();
        for pid in pids {
            let Ok(p) = self.get_proceeding(actor, pid).await else {
                continue;
            };
            for d in self.duties_of(&p, actor.jurisdiction_id, own).await? {
                let t = d.scheduled_at.as_str();
                if t >= from && t < to {
                    out.push(d);
                }
            }
        }
        Ok(out)
    }

    /// Every appearance problem (出庭问题) at the jurisdiction's hearings scheduled in
    /// `[from, to)`: each defendant unit's recorded appearance judged against who had to
    /// appear ([`requirement`], [`problems`]). Two queries whatever the number of cases (the
    /// appearances with their case facts, and the case flags); the assessment and the
    /// bureau's list both read it.
    pub async fn appearance_faults(
        &self,
        jurisdiction: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<AppearanceFault>> {
        let (rules, _) = self.appearance_rules(jurisdiction).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT h.id AS hearing_id, h.proceeding_id, a.unit_id, a.level, a.appeared, p.claimant_count, u.kind AS unit_kind, \
               ((SELECT COUNT(*) FROM warnings wr WHERE wr.proceeding_id = p.id AND wr.grade = 'red' AND wr.state <> 'closed') \
                + (SELECT COUNT(*) FROM work_items w WHERE w.proceeding_id = p.id AND w.kind = 'risk_warning' AND w.status = 'open' \
                   AND NOT EXISTS (SELECT 1 FROM warnings x WHERE x.work_item_id = w.id))) AS warned \
             FROM appearances a JOIN hearings h ON h.id = a.hearing_id JOIN proceedings p ON p.id = h.proceeding_id \
             JOIN units u ON u.id = a.unit_id \
             WHERE p.jurisdiction_id = $1 AND h.scheduled_at >= $2 AND h.scheduled_at < $3 \
               AND EXISTS (SELECT 1 FROM parties pa WHERE pa.proceeding_id = p.id AND pa.unit_id = a.unit_id \
                           AND pa.role IN {DEFENDANT_ROLES}) \
             ORDER BY h.id, a.unit_id"
        )))
        .bind(jurisdiction)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let flag_rows = sqlx::query(
            "SELECT f.proceeding_id, f.flag FROM case_flags f JOIN proceedings p ON p.id = f.proceeding_id \
             WHERE p.jurisdiction_id = $1 AND EXISTS (SELECT 1 FROM hearings h WHERE h.proceeding_id = p.id \
                   AND h.scheduled_at >= $2 AND h.scheduled_at < $3) ORDER BY f.proceeding_id, f.flag",
        )
        .bind(jurisdiction)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut flags: BTreeMap<i64, Vec<CaseFlag>> = BTreeMap::new();
        for r in &flag_rows {
            if let Some(f) = CaseFlag::from_code(&get_str(r, "flag")?) {
                flags
                    .entry(get_i64(r, "proceeding_id")?)
                    .or_default()
                    .push(f);
            }
        }
        // Rows come grouped by (hearing, unit): judge each group once.
        struct Group {
            hearing_id: i64,
            proceeding_id: i64,
            unit_id: i64,
            facts: CaseFacts,
            lines: Vec<Appeared>,
        }
        let mut groups: Vec<Group> = Vec::new();
        for r in &rows {
            let hearing_id = get_i64(r, "hearing_id")?;
            let unit_id = get_i64(r, "unit_id")?;
            let line = Appeared {
                level: get_enum(r, "level", AppearanceLevel::from_code)?,
                appeared: get_i64(r, "appeared")? != 0,
            };
            match groups.last_mut() {
                Some(g) if g.hearing_id == hearing_id && g.unit_id == unit_id => g.lines.push(line),
                _ => {
                    let proceeding_id = get_i64(r, "proceeding_id")?;
                    groups.push(Group {
                        hearing_id,
                        proceeding_id,
                        unit_id,
                        facts: CaseFacts {
                            claimant_count: get_i64(r, "claimant_count")?,
                            flags: flags.get(&proceeding_id).cloned().unwrap_or_default(),
                            risk_warning: get_i64(r, "warned")? > 0,
                            unit_kind: UnitKind::from_code(&get_str(r, "unit_kind")?),
                        },
                        lines: vec![line],
                    });
                }
            }
        }
        let mut out = Vec::new();
        for g in groups {
            for problem in problems(&requirement(&rules, &g.facts), &g.lines) {
                out.push(AppearanceFault {
                    unit_id: g.unit_id,
                    proceeding_id: g.proceeding_id,
                    hearing_id: g.hearing_id,
                    problem,
                });
            }
        }
        Ok(out)
    }

    /// Coming hearings of the actor's unit with what is expected (the unit's workbench; a
    /// head sees what is expected of them).
    pub async fn coming_duties(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
    ) -> Result<Vec<HearingDuty>> {
        let pids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT h.proceeding_id FROM hearing_units hu JOIN hearings h ON h.id = hu.hearing_id \
             WHERE hu.unit_id = $1 AND hu.scheduled_at >= $2 AND hu.scheduled_at < $3 ORDER BY 1 LIMIT 20",
        )
        .bind(actor.unit_id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for pid in pids {
            let Ok(p) = self.get_proceeding(actor, pid).await else {
                continue;
            };
            for d in self
                .duties_of(&p, actor.jurisdiction_id, Some(actor.unit_id))
                .await?
            {
                if d.scheduled_at.as_str() >= from && d.scheduled_at.as_str() < to {
                    out.push(d);
                }
            }
        }
        out.sort_by(|a, b| a.scheduled_at.cmp(&b.scheduled_at));
        Ok(out)
    }
}

fn after_hearing_label(p: &Proceeding, hearing: i64) -> String {
    p.hearings
        .iter()
        .find(|h| h.id == hearing)
        .map(|h| h.scheduled_at.replace('T', " ").chars().take(16).collect())
        .unwrap_or_default()
}
