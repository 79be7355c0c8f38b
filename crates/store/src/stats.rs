//! Statistics: reads the facts the metrics engine needs (one row per proceeding and defendant,
//! only for proceedings that fall into one of the requested windows), the late deadlines for
//! the assessment, the statistics configuration, and frozen snapshots of published figures.

use std::collections::BTreeMap;

use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::codes::CodeList;
use huajie_domain::outcome::{Ground, LossRule, OutcomeCode};
use huajie_domain::proceeding::ProceedingKind;
use huajie_domain::stats::assess::LateDeadline;
use huajie_domain::stats::report::{Directory, FigureSet, figure_set, windows};
use huajie_domain::stats::{Fact, GroupKey, Part, Period, StatsConfig, UnitTree, members};
use huajie_domain::unit::UnitKind;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::audit::{self, Author};
use crate::sql::{Params, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, parse_day, query};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const CONFIG_KEY: &str = "stats_config";

/// Roles on a defendant's side of a proceeding.
pub(crate) const DEFENDANT_ROLES: &str = "('defendant', 'co_defendant', 'reconsideration_organ')";

/// Unit kinds that are assessed (考核) even in a period without cases.
fn assessed_kind(k: UnitKind) -> bool {
    matches!(
        k,
        UnitKind::CountyGovernment
            | UnitKind::JusticeBureau
            | UnitKind::Township
            | UnitKind::CountyDepartment
            | UnitKind::StateOwnedEnterprise
    )
}

/// A published figure set, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub id: i64,
    pub label: String,
    pub period: Period,
    pub published_by: String,
    pub published_at: String,
    pub note: Option<String>,
}

/// A published figure set with what it was computed with.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub info: SnapshotInfo,
    pub config: StatsConfig,
    pub config_text: String,
    pub loss_rule: LossRule,
    pub figures: FigureSet,
}

/// The cases behind a figure.
pub struct StatMembers {
    pub ids: Vec<i64>,
    pub def: huajie_domain::stats::IndicatorDef,
    pub formula: String,
    pub directory: StatsDirectory,
}

/// Everything the engine needs besides the facts.
pub struct StatsDirectory {
    pub tree: UnitTree,
    pub units: Vec<(i64, String, u32)>,
    pub domains: BTreeMap<String, String>,
    pub assessed: Vec<i64>,
}

impl StatsDirectory {
    pub fn as_directory(&self) -> Directory<'_> {
        Directory {
            tree: &self.tree,
            units: &self.units,
            domains: &self.domains,
            assessed: &self.assessed,
        }
    }
}

pub(crate) async fn install_default_config(conn: &mut sqlx::AnyConnection) -> Result<()> {
    sqlx::query("INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3) ON CONFLICT (key) DO NOTHING")
        .bind(CONFIG_KEY)
        .bind(huajie_domain::stats::config::DEFAULT_TOML)
        .bind(crate::now())
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) fn stats_only(actor: &Actor) -> Result<i64> {
    if actor.can_read_statistics() {
        Ok(actor.jurisdiction_id)
    } else {
        Err(StoreError::Forbidden(
            "统计分析仅向司法局、县领导和审计人员开放".into(),
        ))
    }
}

fn snapshot_info(r: &sqlx::any::AnyRow) -> Result<SnapshotInfo> {
    let from = parse_day(&get_str(r, "from_on")?)?;
    let to = parse_day(&get_str(r, "to_on")?)?;
    let kind = huajie_domain::stats::PeriodKind::from_code(&get_str(r, "period_kind")?)
        .unwrap_or(huajie_domain::stats::PeriodKind::Custom);
    Ok(SnapshotInfo {
        id: get_i64(r, "id")?,
        label: get_str(r, "label")?,
        period: Period { kind, from, to },
        published_by: get_str(r, "published_by")?,
        published_at: get_str(r, "published_at")?,
        note: get_opt_str(r, "note")?,
    })
}

impl Store {
    /// The statistics configuration, its TOML text and version.
    pub async fn stats_config(&self) -> Result<(StatsConfig, String, i64)> {
        let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
            .bind(CONFIG_KEY)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            let text = huajie_domain::stats::config::DEFAULT_TOML.to_string();
            return Ok((StatsConfig::default(), text, 0));
        };
        let text = get_str(&row, "value")?;
        // A stored text always passed validation; fall back to the default if a newer
        // version of the program no longer accepts it.
        let cfg = StatsConfig::parse(&text).unwrap_or_default();
        Ok((cfg, text, get_i64(&row, "version")?))
    }

    /// Replaces the statistics configuration if `version` is still current.
    pub async fn set_stats_config(&self, actor: &Actor, version: i64, text: &str) -> Result<i64> {
        if !actor.can_administer() {
            return Err(StoreError::Forbidden(
                "只有司法局协调员可以修改统计口径".into(),
            ));
        }
        StatsConfig::parse(text)?;
        let mut tx = self.write_tx().await?;
        install_default_config(&mut tx).await?;
        let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
            .bind(CONFIG_KEY)
            .fetch_one(&mut *tx)
            .await?;
        let current = get_i64(&row, "version")?;
        let before = get_str(&row, "value")?;
        let n = sqlx::query("UPDATE settings SET value = $2, version = version + 1, updated_at = $3 WHERE key = $1 AND version = $4")
            .bind(CONFIG_KEY)
            .bind(text.to_string())
            .bind(crate::now())
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                expected: version,
                current,
            });
        }
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::StatsConfig,
            0,
            None,
            Some(&before),
            Some(&text),
        )
        .await?;
        tx.commit().await?;
        Ok(version + 1)
    }

    /// The unit tree, unit names in tree order, domain labels and the units assessed.
    pub async fn stats_directory(&self, jurisdiction: i64) -> Result<StatsDirectory> {
        let units = self.list_units(Some(jurisdiction)).await?;
        let tree = UnitTree {
            parent: units.iter().map(|u| (u.id, u.parent_id)).collect(),
        };
        let mut children: BTreeMap<Option<i64>, Vec<&huajie_domain::records::Unit>> =
            BTreeMap::new();
        let ids: std::collections::HashSet<i64> = units.iter().map(|u| u.id).collect();
        for u in &units {
            let p = u.parent_id.filter(|p| ids.contains(p));
            children.entry(p).or_default().push(u);
        }
        let mut ordered = Vec::new();
        let mut stack: Vec<(&huajie_domain::records::Unit, u32)> = children
            .get(&None)
            .map(|v| v.iter().rev().map(|u| (*u, 0)).collect())
            .unwrap_or_default();
        while let Some((u, depth)) = stack.pop() {
            ordered.push((
                u.id,
                u.short_name.clone().unwrap_or_else(|| u.name.clone()),
                depth,
            ));
            if let Some(kids) = children.get(&Some(u.id)) {
                stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
            }
        }
        let domains = self
            .codes(CodeList::Domain)
            .await?
            .into_iter()
            .map(|c| (c.code, c.label))
            .collect();
        let assessed = units
            .iter()
            .filter(|u| u.active && assessed_kind(u.kind))
            .map(|u| u.id)
            .collect();
        Ok(StatsDirectory {
            tree,
            units: ordered,
            domains,
            assessed,
        })
    }

    /// Facts for every proceeding of the jurisdiction received, concluded or first heard in
    /// one of `windows`. Hearings after `today` are not counted as heard.
    pub async fn stat_facts(
        &self,
        jurisdiction: i64,
        windows: &[Period],
        today: Date,
    ) -> Result<Vec<Fact>> {
        let mut p = Params::default();
        let j = p.push(jurisdiction);
        let heard_until = format!("{}T23:59:59", today);
        let hu = p.push(heard_until.as_str());
        let mut parts = Vec::new();
        for w in windows {
            let from = p.push(w.from.to_string());
            let to = p.push(w.to.to_string());
            let after = p.push(w.to.saturating_add(1.day()).to_string());
            parts.push(format!(
                "SELECT id FROM proceedings WHERE jurisdiction_id = {j} AND registered_on BETWEEN {from} AND {to} \
                 UNION SELECT id FROM proceedings WHERE jurisdiction_id = {j} AND closed_on BETWEEN {from} AND {to} \
                 UNION SELECT proceeding_id FROM outcomes WHERE decided_on BETWEEN {from} AND {to} \
                 UNION SELECT proceeding_id FROM hearings WHERE scheduled_at >= {from} AND scheduled_at < {after} AND scheduled_at <= {hu}"
            ));
        }
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "WITH ids AS ({}) \
             SELECT p.id, p.kind, p.domain, p.registered_on, p.status, p.closed_on, pa.unit_id, o.code, o.decided_on, o.grounds, \
                (SELECT MIN(h.scheduled_at) FROM hearings h WHERE h.proceeding_id = p.id AND h.scheduled_at <= {hu}) AS first_heard, \
                CASE WHEN pa.unit_id IS NOT NULL AND EXISTS (SELECT 1 FROM hearings h JOIN appearances a ON a.hearing_id = h.id \
                     WHERE h.proceeding_id = p.id AND a.unit_id = pa.unit_id AND a.appeared = 1 \
                       AND a.level IN ('principal_head', 'deputy_head')) THEN 1 ELSE 0 END AS head, \
                CASE WHEN pa.unit_id IS NOT NULL AND EXISTS (SELECT 1 FROM hearings h JOIN appearances a ON a.hearing_id = h.id \
                     WHERE h.proceeding_id = p.id AND a.unit_id = pa.unit_id AND a.appeared = 1 AND a.spoke = 1 \
                       AND a.level IN ('principal_head', 'deputy_head')) THEN 1 ELSE 0 END AS head_spoke \
             FROM ids JOIN proceedings p ON p.id = ids.id \
             LEFT JOIN parties pa ON pa.proceeding_id = p.id AND pa.role IN {DEFENDANT_ROLES} \
             LEFT JOIN outcomes o ON o.party_id = pa.id \
             WHERE p.jurisdiction_id = {j}",
            parts.join(" UNION ")
        );
        let rows = query(sql, p.args).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let outcome = match get_opt_str(r, "code")? {
                Some(c) => Some(OutcomeCode::from_code(&c).ok_or_else(|| {
                    StoreError::Db(sqlx::Error::Decode(format!("unknown outcome {c:?}").into()))
                })?),
                None => None,
            };
            let concluded_on = match get_opt_str(r, "decided_on")? {
                Some(d) => Some(parse_day(&d)?),
                None if get_str(r, "status")? == "concluded" => get_opt_str(r, "closed_on")?
                    .map(|d| parse_day(&d))
                    .transpose()?,
                None => None,
            };
            let heard_on = get_opt_str(r, "first_heard")?
                .map(|s| parse_day(s.get(..10).unwrap_or(&s)))
                .transpose()?;
            out.push(Fact {
                proceeding_id: get_i64(r, "id")?,
                unit_id: get_opt_i64(r, "unit_id")?,
                kind: get_enum(r, "kind", ProceedingKind::from_code)?,
                domain: get_str(r, "domain")?,
                registered_on: parse_day(&get_str(r, "registered_on")?)?,
                concluded_on,
                outcome,
                heard_on,
                head_appeared: get_i64(r, "head")? != 0,
                head_spoke: get_i64(r, "head_spoke")? != 0,
                grounds: get_opt_str(r, "grounds")?
                    .map(|g| g.split(',').filter_map(Ground::from_code).collect())
                    .unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Obligations (duties) of the listed rules due in the period that their units met late, or
    /// left open past their date (as of `today`); waived ones are excused. Each unit is judged
    /// on its own obligation only.
    pub async fn late_deadlines(
        &self,
        jurisdiction: i64,
        period: &Period,
        rule_ids: &[String],
        today: Date,
    ) -> Result<Vec<LateDeadline>> {
        if rule_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut p = Params::default();
        let j = p.push(jurisdiction);
        let from = p.push(period.from.to_string());
        let to = p.push(period.to.to_string());
        let t = p.push(today.to_string());
        let list: Vec<String> = rule_ids.iter().map(|r| p.push(r.as_str())).collect();
        let sql = format!(
            "SELECT d.proceeding_id, d.rule_id, d.due_on, d.unit_id FROM deadlines d \
             WHERE d.jurisdiction_id = {j} AND d.unit_id IS NOT NULL AND d.nature = 'duty' \
               AND d.due_on BETWEEN {from} AND {to} AND d.rule_id IN ({}) \
               AND d.waived_reason IS NULL \
               AND ((d.met_on IS NOT NULL AND d.met_on > d.due_on) OR (d.met_on IS NULL AND d.done = 0 AND d.due_on < {t})) \
             ORDER BY d.due_on, d.id",
            list.join(", ")
        );
        let rows = query(sql, p.args).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(LateDeadline {
                    unit_id: get_i64(r, "unit_id")?,
                    proceeding_id: get_i64(r, "proceeding_id")?,
                    rule_id: get_str(r, "rule_id")?,
                    due_on: parse_day(&get_str(r, "due_on")?)?,
                })
            })
            .collect()
    }

    /// The full figure set of a period, computed now with the given configuration.
    pub async fn figure_set_with(
        &self,
        actor: &Actor,
        period: &Period,
        cfg: &StatsConfig,
        loss: &LossRule,
        today: Date,
    ) -> Result<FigureSet> {
        let j = stats_only(actor)?;
        let dir = self.stats_directory(j).await?;
        let facts = self.stat_facts(j, &windows(period), today).await?;
        let mut rules = cfg.assessment.filing_rules.clone();
        rules.extend(cfg.assessment.report_rules.iter().cloned());
        let late = self.late_deadlines(j, period, &rules, today).await?;
        // Hearings of the period up to today (as the appearance rate counts them).
        let until = period.to.min(today).saturating_add(1.day()).to_string();
        let faults = self
            .appearance_faults(j, &period.from.to_string(), &until)
            .await?;
        Ok(figure_set(
            &facts,
            cfg,
            loss,
            period,
            &dir.as_directory(),
            &late,
            &faults,
        ))
    }

    /// The full figure set of a period with the current configuration.
    pub async fn figure_set(
        &self,
        actor: &Actor,
        period: &Period,
        today: Date,
    ) -> Result<FigureSet> {
        let (cfg, _, _) = self.stats_config().await?;
        let loss = self.loss_rule().await?;
        self.figure_set_with(actor, period, &cfg, &loss, today)
            .await
    }

    /// The proceedings behind one side of one figure, with the definition, its formula and the
    /// directory (for naming the group).
    pub async fn stat_members(
        &self,
        actor: &Actor,
        period: &Period,
        indicator: &str,
        part: Part,
        group: &GroupKey,
        today: Date,
    ) -> Result<StatMembers> {
        let j = stats_only(actor)?;
        let (cfg, _, _) = self.stats_config().await?;
        let loss = self.loss_rule().await?;
        let def = cfg.indicator(indicator).ok_or_else(|| {
            StoreError::Invalid(
                FieldError::new(
                    "indicator",
                    "unknown_indicator",
                    format!("指标“{indicator}”不存在"),
                )
                .into(),
            )
        })?;
        let dir = self.stats_directory(j).await?;
        let facts = self.stat_facts(j, &[*period], today).await?;
        Ok(StatMembers {
            ids: members(&facts, def, part, &loss, period, &dir.tree, group),
            formula: def.formula(&loss),
            def: def.clone(),
            directory: dir,
        })
    }

    /// Freezes a figure set. A period is published once; later corrections show as differences.
    pub async fn publish_snapshot(
        &self,
        actor: &Actor,
        period: &Period,
        note: Option<String>,
        today: Date,
    ) -> Result<i64> {
        let j = stats_only(actor)?;
        if !actor.can_administer() {
            return Err(StoreError::Forbidden(
                "只有司法局协调员可以发布统计数据".into(),
            ));
        }
        if period.to >= today {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "period",
                    "period_not_ended",
                    format!(
                        "{}到{}才结束，期间结束后才能发布（发布后数据冻结）",
                        period.label(),
                        period.to
                    ),
                )
                .into(),
            ));
        }
        let (cfg, text, _) = self.stats_config().await?;
        let loss = self.loss_rule().await?;
        let set = self
            .figure_set_with(actor, period, &cfg, &loss, today)
            .await?;
        let mut tx = self.write_tx().await?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM stat_snapshots WHERE jurisdiction_id = $1 AND from_on = $2 AND to_on = $3",
        )
        .bind(j)
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "period",
                    "already_published",
                    format!(
                        "{}的统计数据已经发布，发布后不再改动；之后的更正在发布页中以差异列出",
                        period.label()
                    ),
                )
                .into(),
            ));
        }
        let figures = serde_json::to_string(&set).expect("figure sets serialise");
        let by: Author = actor.into();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stat_snapshots (jurisdiction_id, period_kind, from_on, to_on, label, config, loss_rule, figures, note, published_by_id, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(j)
        .bind(period.kind.code())
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .bind(period.label())
        .bind(text)
        .bind(serde_json::to_string(&loss).expect("serialises"))
        .bind(figures)
        .bind(note.clone())
        .bind(by.id)
        .bind(by.name.clone())
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            crate::sql::on_unique(
                e,
                "period",
                "already_published",
                format!("{}的统计数据已经发布", period.label()),
            )
        })?;
        audit::record(
            &mut tx,
            &by,
            AuditAction::Publish,
            AuditEntity::StatSnapshot,
            id,
            None,
            None::<&()>,
            Some(&serde_json::json!({ "period": period.label(), "note": note })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn snapshots(&self, actor: &Actor) -> Result<Vec<SnapshotInfo>> {
        let j = stats_only(actor)?;
        let rows = sqlx::query(
            "SELECT id, label, period_kind, from_on, to_on, published_by, published_at, note FROM stat_snapshots \
             WHERE jurisdiction_id = $1 ORDER BY from_on DESC, id DESC",
        )
        .bind(j)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(snapshot_info).collect()
    }

    pub async fn snapshot(&self, actor: &Actor, id: i64) -> Result<Snapshot> {
        let j = stats_only(actor)?;
        let row = sqlx::query(
            "SELECT id, label, period_kind, from_on, to_on, published_by, published_at, note, config, loss_rule, figures \
             FROM stat_snapshots WHERE jurisdiction_id = $1 AND id = $2",
        )
        .bind(j)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let bad = |what: &str| {
            StoreError::Db(sqlx::Error::Decode(format!("snapshot {id}: {what}").into()))
        };
        let config_text = get_str(&row, "config")?;
        Ok(Snapshot {
            info: snapshot_info(&row)?,
            config: StatsConfig::parse(&config_text).map_err(|_| bad("config"))?,
            config_text,
            loss_rule: serde_json::from_str(&get_str(&row, "loss_rule")?)
                .map_err(|_| bad("loss rule"))?,
            figures: serde_json::from_str(&get_str(&row, "figures")?)
                .map_err(|_| bad("figures"))?,
        })
    }
}
