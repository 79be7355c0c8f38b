//! What the Word documents need besides a figure set: who issues them, and the lists of the
//! half-year review (deadlines kept, risk cases, losses, hearings without a head).

use std::collections::HashMap;

use huajie_domain::access::Actor;
use huajie_domain::outcome::OutcomeCode;
use huajie_domain::proceeding::ProceedingStatus;
use huajie_domain::stats::Period;
use huajie_domain::stats::review::{CaseLine, Issuer, ReviewDetail, RuleTally, deadline_state};
use huajie_domain::unit::UnitKind;
use jiff::civil::Date;

use crate::sql::{Params, get_i64, get_opt_i64, get_opt_str, get_str, parse_day, query};
use crate::stats::DEFENDANT_ROLES;
use crate::{Result, Store};

fn state_of(status: &str, outcome: Option<&str>) -> String {
    match outcome.and_then(OutcomeCode::from_code) {
        Some(o) => o.label().to_string(),
        None => ProceedingStatus::from_code(status)
            .map(|s| s.label().to_string())
            .unwrap_or_else(|| status.to_string()),
    }
}

impl Store {
    /// The issuer of the actor's jurisdiction: its 司法局 unit when there is one.
    pub async fn issuer(&self, actor: &Actor) -> Result<Issuer> {
        let j = actor.jurisdiction_id;
        let area = self.get_unit(j, None).await?;
        let units = self.list_units(Some(j)).await?;
        let area_name = area.name.clone();
        let organ = units
            .iter()
            .find(|u| u.kind == UnitKind::JusticeBureau && u.active)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("{area_name}司法局"));
        Ok(Issuer {
            area: area_name,
            organ,
            has_townships: units.iter().any(|u| u.kind == UnitKind::Township),
            has_departments: units.iter().any(|u| u.kind == UnitKind::CountyDepartment),
        })
    }

    /// The lists of the half-year review for the actor's jurisdiction, as of `today`.
    /// `report_rules` are the deadline rules that follow a loss (judgment filing, loss report).
    pub async fn review_detail(
        &self,
        actor: &Actor,
        period: &Period,
        report_rules: &[String],
        loss_codes: &[OutcomeCode],
        today: Date,
    ) -> Result<ReviewDetail> {
        let j = crate::stats::stats_only(actor)?;
        let (from, to) = (period.from.to_string(), period.to.to_string());

        // 1. Deadlines of the units that fell due in the period, per rule.
        let mut p = Params::default();
        let (pj, pf, pt, ptoday) = (
            p.push(j),
            p.push(from.as_str()),
            p.push(to.as_str()),
            p.push(today.to_string()),
        );
        let rows = query(
            format!(
                "SELECT rule_id, MIN(name) AS name, COUNT(*) AS due, \
                   SUM(CASE WHEN waived_reason IS NULL AND met_on IS NOT NULL AND met_on <= due_on THEN 1 ELSE 0 END) AS on_time, \
                   SUM(CASE WHEN waived_reason IS NULL AND met_on IS NOT NULL AND met_on > due_on THEN 1 ELSE 0 END) AS late, \
                   SUM(CASE WHEN waived_reason IS NULL AND met_on IS NULL AND due_on < {ptoday} THEN 1 ELSE 0 END) AS overdue, \
                   SUM(CASE WHEN waived_reason IS NOT NULL THEN 1 ELSE 0 END) AS waived \
                 FROM deadlines WHERE jurisdiction_id = {pj} AND nature = 'duty' AND responsible = 'unit' AND due_on BETWEEN {pf} AND {pt} \
                 GROUP BY rule_id ORDER BY rule_id"
            ),
            p.args,
        )
        .fetch_all(self.pool())
        .await?;
        let mut deadlines = Vec::with_capacity(rows.len());
        for r in &rows {
            deadlines.push(RuleTally {
                rule_id: get_str(r, "rule_id")?,
                name: get_str(r, "name")?,
                due: get_i64(r, "due")? as u64,
                on_time: get_i64(r, "on_time")? as u64,
                late: get_i64(r, "late")? as u64,
                overdue: get_i64(r, "overdue")? as u64,
                waived: get_i64(r, "waived")? as u64,
            });
        }

        // 2. Cases with a loss-risk warning received in the period, and how they stand.
        let mut p = Params::default();
        let (pj, pf, pt) = (p.push(j), p.push(from.as_str()), p.push(to.as_str()));
        let rows = query(
            format!(
                "SELECT p.id, p.case_no, p.defendants, p.status, MIN(e.occurred_on) AS day, \
                   (SELECT MIN(o.code) FROM outcomes o WHERE o.proceeding_id = p.id) AS outcome \
                 FROM events e JOIN proceedings p ON p.id = e.proceeding_id \
                 WHERE p.jurisdiction_id = {pj} AND e.kind = 'risk_warning_received' AND e.occurred_on BETWEEN {pf} AND {pt} \
                 GROUP BY p.id, p.case_no, p.defendants, p.status ORDER BY day, p.id"
            ),
            p.args,
        )
        .fetch_all(self.pool())
        .await?;
        let mut risk_cases = Vec::with_capacity(rows.len());
        for r in &rows {
            let outcome = get_opt_str(r, "outcome")?;
            risk_cases.push(CaseLine {
                proceeding_id: get_i64(r, "id")?,
                case_no: get_opt_str(r, "case_no")?.unwrap_or_default(),
                units: get_str(r, "defendants")?,
                date: parse_day(&get_str(r, "day")?)?,
                state: state_of(&get_str(r, "status")?, outcome.as_deref()),
                outcome: outcome.as_deref().and_then(OutcomeCode::from_code),
            });
        }

        // 3. Court losses decided in the period (one line per losing defendant), with the
        //    reports that must follow them.
        let mut losses = Vec::new();
        if !loss_codes.is_empty() {
            let mut p = Params::default();
            let (pj, pf, pt) = (p.push(j), p.push(from.as_str()), p.push(to.as_str()));
            let codes: Vec<String> = loss_codes.iter().map(|c| p.push(c.code())).collect();
            let rows = query(
                format!(
                    "SELECT p.id, p.case_no, pa.name AS unit, pa.unit_id, o.code, o.decided_on FROM outcomes o \
                     JOIN parties pa ON pa.id = o.party_id JOIN proceedings p ON p.id = o.proceeding_id \
                     WHERE p.jurisdiction_id = {pj} AND p.kind IN ('first_instance', 'second_instance', 'retrial') \
                       AND o.decided_on BETWEEN {pf} AND {pt} AND o.code IN ({}) \
                     ORDER BY o.decided_on, p.id, pa.id",
                    codes.join(", ")
                ),
                p.args,
            )
            .fetch_all(self.pool())
            .await?;
            let ids: Vec<i64> = rows
                .iter()
                .map(|r| get_i64(r, "id"))
                .collect::<Result<_>>()?;
            let follow_ups = self.report_states(&ids, report_rules, today).await?;
            for r in &rows {
                let id = get_i64(r, "id")?;
                let code = get_str(r, "code")?;
                let mut state = vec![state_of("concluded", Some(&code))];
                // Each losing unit's own reports (and any the unit side owes in common).
                let unit = get_opt_i64(r, "unit_id")?;
                for key in [(id, unit), (id, None)] {
                    state.extend(follow_ups.get(&key).cloned().unwrap_or_default());
                }
                losses.push(CaseLine {
                    proceeding_id: id,
                    case_no: get_opt_str(r, "case_no")?.unwrap_or_default(),
                    units: get_str(r, "unit")?,
                    date: parse_day(&get_str(r, "decided_on")?)?,
                    state: state.join("；"),
                    outcome: OutcomeCode::from_code(&code),
                });
            }
        }

        // 4. Proceedings first heard in the period where a defendant unit sent no head.
        let mut p = Params::default();
        let (pj, pf) = (p.push(j), p.push(from.as_str()));
        let after = p.push(period.to.saturating_add(jiff::ToSpan::day(1)).to_string());
        // Hearings still to come are not absences.
        let until = p.push(format!("{today}T23:59:59"));
        let rows = query(
            format!(
                "SELECT p.id, p.case_no, pa.name AS unit, pa.unit_id, MIN(h.scheduled_at) AS heard, \
                   (SELECT MAX(a.excuse) FROM appearances a JOIN hearings h2 ON h2.id = a.hearing_id \
                     WHERE h2.proceeding_id = p.id AND a.unit_id = pa.unit_id) AS excuse \
                 FROM proceedings p JOIN parties pa ON pa.proceeding_id = p.id AND pa.unit_id IS NOT NULL AND pa.role IN {DEFENDANT_ROLES} \
                 JOIN hearings h ON h.proceeding_id = p.id \
                 WHERE p.jurisdiction_id = {pj} \
                   AND NOT EXISTS (SELECT 1 FROM hearings h3 JOIN appearances a3 ON a3.hearing_id = h3.id \
                     WHERE h3.proceeding_id = p.id AND a3.unit_id = pa.unit_id AND a3.appeared = 1 \
                       AND a3.level IN ('principal_head', 'deputy_head')) \
                 GROUP BY p.id, p.case_no, pa.name, pa.unit_id \
                 HAVING MIN(h.scheduled_at) >= {pf} AND MIN(h.scheduled_at) < {after} AND MIN(h.scheduled_at) <= {until} \
                 ORDER BY heard, p.id"
            ),
            p.args,
        )
        .fetch_all(self.pool())
        .await?;
        let mut absences = Vec::with_capacity(rows.len());
        for r in &rows {
            let heard = get_str(r, "heard")?;
            absences.push(CaseLine {
                proceeding_id: get_i64(r, "id")?,
                case_no: get_opt_str(r, "case_no")?.unwrap_or_default(),
                units: get_str(r, "unit")?,
                date: parse_day(heard.get(..10).unwrap_or(&heard))?,
                state: get_opt_str(r, "excuse")?
                    .filter(|e| !e.trim().is_empty())
                    .map(|e| format!("未出庭理由：{e}"))
                    .unwrap_or_else(|| "负责人未出庭，未说明理由".into()),
                outcome: None,
            });
        }
        Ok(ReviewDetail {
            deadlines,
            risk_cases,
            losses,
            absences,
        })
    }

    /// The review lists of a published half-year, under the snapshot's own rules.
    pub async fn review_of(
        &self,
        actor: &Actor,
        snap: &crate::stats::Snapshot,
        today: Date,
    ) -> Result<ReviewDetail> {
        let losses: Vec<OutcomeCode> = snap.loss_rule.loss_outcomes.iter().copied().collect();
        self.review_detail(
            actor,
            &snap.info.period,
            &snap.config.assessment.report_rules,
            &losses,
            today,
        )
        .await
    }

    /// The state of the listed follow-up deadlines of the given proceedings, in one query.
    async fn report_states(
        &self,
        ids: &[i64],
        rules: &[String],
        today: Date,
    ) -> Result<HashMap<(i64, Option<i64>), Vec<String>>> {
        let mut out: HashMap<(i64, Option<i64>), Vec<String>> = HashMap::new();
        if rules.is_empty() || ids.is_empty() {
            return Ok(out);
        }
        let mut p = Params::default();
        let id_list: Vec<String> = ids.iter().map(|id| p.push(*id)).collect();
        let list: Vec<String> = rules.iter().map(|r| p.push(r.as_str())).collect();
        let rows = query(
            format!(
                "SELECT proceeding_id, unit_id, name, due_on, met_on, waived_reason FROM deadlines \
                 WHERE proceeding_id IN ({}) AND rule_id IN ({}) ORDER BY proceeding_id, due_on, id",
                id_list.join(", "),
                list.join(", ")
            ),
            p.args,
        )
        .fetch_all(self.pool())
        .await?;
        for r in &rows {
            out.entry((get_i64(r, "proceeding_id")?, get_opt_i64(r, "unit_id")?))
                .or_default()
                .push(deadline_state(
                    &get_str(r, "name")?,
                    parse_day(&get_str(r, "due_on")?)?,
                    get_opt_str(r, "met_on")?
                        .map(|d| parse_day(&d))
                        .transpose()?,
                    get_opt_str(r, "waived_reason")?.is_some(),
                    today,
                ));
        }
        Ok(out)
    }
}
