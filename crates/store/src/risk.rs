//! The risk score of every pending case (败诉风险评分, `huajie_domain::risk`): the facts the score
//! reads, gathered for the whole jurisdiction in four queries (the cases with their counts, the
//! defendant units, their earlier losses by domain, the code labels), and the rules kept as a
//! versioned setting (`risk_rules:{j}`). Suggestions only: a person sends the warning.

use std::collections::{BTreeMap, BTreeSet};

use huajie_domain::access::Actor;
use huajie_domain::audit::AuditEntity;
use huajie_domain::codes::CodeList;
use huajie_domain::risk::{RiskFacts, RiskRules, RiskSuggestion, score};
use huajie_domain::warning::Grade;

use crate::sql::{get_enum, get_i64, get_opt_str, get_str};
use crate::stats::DEFENDANT_ROLES;
use crate::{Result, Store, StoreError};

fn rules_key(j: i64) -> String {
    format!("risk_rules:{j}")
}

/// The most suggestions one list returns.
pub const SUGGESTION_LIMIT: usize = 200;

/// Recon outcomes that correct the act (复议纠错), as the statistics count them.
const CORRECTED: &str = "('recon_revoke', 'recon_modify', 'recon_confirm_illegal', 'recon_order_perform', 'recon_confirm_void')";

impl Store {
    pub async fn risk_rules(&self, j: i64) -> Result<(RiskRules, i64)> {
        let mut conn = self.pool().acquire().await?;
        Ok(
            match crate::deadlines::setting(&mut conn, &rules_key(j)).await? {
                Some((v, version)) => (serde_json::from_str(&v).unwrap_or_default(), version),
                None => (RiskRules::default(), 0),
            },
        )
    }

    /// The coordinator changes the factors and weights (versioned, audited).
    pub async fn set_risk_rules(
        &self,
        actor: &Actor,
        version: i64,
        rules: &RiskRules,
    ) -> Result<i64> {
        if !actor.can_administer() {
            return Err(StoreError::Forbidden(
                "只有司法局协调员可以修改风险评分规则".into(),
            ));
        }
        rules.validate()?;
        let j = actor.jurisdiction_id;
        let (before, _) = self.risk_rules(j).await?;
        let json = serde_json::to_string(rules).expect("rules serialise");
        let mut tx = self.write_tx().await?;
        let next = crate::deadlines::put_rules_in(
            &mut tx,
            actor,
            &rules_key(j),
            version,
            &json,
            AuditEntity::RiskRules,
            &before,
            rules,
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The jurisdiction's pending cases scored, highest first; those below the blue line are
    /// left out unless `all`. The bureau, leaders and auditors.
    pub async fn risk_suggestions(&self, actor: &Actor, all: bool) -> Result<Vec<RiskSuggestion>> {
        let j = crate::stats::stats_only(actor)?;
        let (rules, _) = self.risk_rules(j).await?;
        let today = self.today();
        let since = today
            .checked_sub(jiff::Span::new().years(rules.earlier_loss_years))
            .unwrap_or(today)
            .to_string();
        let loss = self.loss_rule().await?;
        let mut pool = self.pool().acquire().await?;
        let cases = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.kind, p.domain, p.act_type, p.claimant_count, COALESCE(p.case_no, p.reference_no) AS label, \
               (SELECT COUNT(*) FROM parties pa WHERE pa.proceeding_id = p.id AND pa.role IN {DEFENDANT_ROLES}) AS defendants, \
               (SELECT COUNT(*) FROM deadlines d WHERE d.proceeding_id = p.id AND d.nature = 'duty' AND d.done = 0 AND d.due_on < $2) AS missed, \
               (SELECT COUNT(*) FROM proceedings q JOIN outcomes o ON o.proceeding_id = q.id \
                 WHERE q.dispute_id = p.dispute_id AND q.id <> p.id AND o.code IN {CORRECTED}) AS corrected, \
               (SELECT MIN(CASE w.grade WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END) FROM warnings w \
                 WHERE w.proceeding_id = p.id AND w.state <> 'closed') AS warned \
             FROM proceedings p WHERE p.jurisdiction_id = $1 AND p.status <> 'concluded' ORDER BY p.id"
        )))
        .bind(j)
        .bind(today.to_string())
        .fetch_all(&mut *pool)
        .await?;
        let defendants = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pa.proceeding_id, pa.unit_id, u.name FROM parties pa JOIN proceedings p ON p.id = pa.proceeding_id \
             JOIN units u ON u.id = pa.unit_id \
             WHERE p.jurisdiction_id = $1 AND p.status <> 'concluded' AND pa.role IN {DEFENDANT_ROLES} ORDER BY pa.id"
        )))
        .bind(j)
        .fetch_all(&mut *pool)
        .await?;
        let codes: Vec<String> = loss
            .loss_outcomes
            .iter()
            .map(|c| format!("'{}'", c.code()))
            .collect();
        let losses = if codes.is_empty() {
            Vec::new()
        } else {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT pa.unit_id, p.domain, COUNT(*) AS n FROM outcomes o JOIN parties pa ON pa.id = o.party_id \
                 JOIN proceedings p ON p.id = o.proceeding_id \
                 WHERE p.jurisdiction_id = $1 AND pa.unit_id IS NOT NULL AND o.code IN ({}) AND o.decided_on >= $2 \
                 GROUP BY pa.unit_id, p.domain",
                codes.join(", ")
            )))
            .bind(j)
            .bind(since)
            .fetch_all(&mut *pool)
            .await?
        };
        drop(pool);
        let mut lost: BTreeMap<(i64, String), u64> = BTreeMap::new();
        for r in &losses {
            lost.insert(
                (get_i64(r, "unit_id")?, get_str(r, "domain")?),
                get_i64(r, "n")? as u64,
            );
        }
        let mut units_of: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
        for r in &defendants {
            units_of
                .entry(get_i64(r, "proceeding_id")?)
                .or_default()
                .push((get_i64(r, "unit_id")?, get_str(r, "name")?));
        }
        let label = |items: &[huajie_domain::records::CodeItem], code: &str| {
            items
                .iter()
                .find(|i| i.code == code)
                .map(|i| i.label.clone())
                .unwrap_or_else(|| code.to_string())
        };
        let domains = self.codes(CodeList::Domain).await?;
        let acts = self.codes(CodeList::ActType).await?;
        let mut out = Vec::new();
        for r in &cases {
            let id = get_i64(r, "id")?;
            let domain = get_str(r, "domain")?;
            let act = get_opt_str(r, "act_type")?;
            let units = units_of.remove(&id).unwrap_or_default();
            let mut seen = BTreeSet::new();
            let earlier: u64 = units
                .iter()
                .filter(|(u, _)| seen.insert(*u))
                .map(|(u, _)| lost.get(&(*u, domain.clone())).copied().unwrap_or(0))
                .sum();
            let facts = RiskFacts {
                domain_label: label(&domains, &domain),
                domain,
                act_label: act.as_deref().map(|a| label(&acts, a)),
                act_type: act,
                claimant_count: get_i64(r, "claimant_count")?,
                defendants: get_i64(r, "defendants")?,
                earlier_losses: earlier,
                missed: get_i64(r, "missed")? as u64,
                reconsideration_corrected: get_i64(r, "corrected")? > 0,
            };
            let risk = score(&rules, &facts);
            if !all && risk.suggested.is_none() {
                continue;
            }
            let kind = get_enum(
                r,
                "kind",
                huajie_domain::proceeding::ProceedingKind::from_code,
            )?;
            let warned = crate::sql::get_opt_i64(r, "warned")?;
            out.push(RiskSuggestion {
                proceeding_id: id,
                case_label: get_opt_str(r, "label")?.unwrap_or_else(|| format!("程序{id}")),
                kind_label: kind.label().to_string(),
                units: units.into_iter().map(|(_, n)| n).collect(),
                risk,
                open_warning_label: warned.map(|g| grade_of(g).label().to_string()),
                open_warning: warned.map(grade_of),
            });
        }
        out.sort_by(|a, b| {
            b.risk
                .score
                .cmp(&a.risk.score)
                .then(a.proceeding_id.cmp(&b.proceeding_id))
        });
        out.truncate(SUGGESTION_LIMIT);
        Ok(out)
    }
}

fn grade_of(rank: i64) -> Grade {
    match rank {
        0 => Grade::Red,
        1 => Grade::Yellow,
        _ => Grade::Blue,
    }
}
