//! Units (单位) and their heads.

use huajie_domain::FieldError;
use huajie_domain::records::{Unit, UnitHead};
use huajie_domain::unit::{HeadInput, HeadKind, UnitInput, UnitKind};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::sql::{get_bool, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, on_unique};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const UNIT_COLS: &str = "id, name, short_name, kind, parent_id, jurisdiction_id, code, contact_phone, active, version, created_at, updated_at";

fn unit(row: &AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: get_i64(row, "id")?,
        name: get_str(row, "name")?,
        short_name: get_opt_str(row, "short_name")?,
        kind: get_enum(row, "kind", UnitKind::from_code)?,
        parent_id: get_opt_i64(row, "parent_id")?,
        jurisdiction_id: get_opt_i64(row, "jurisdiction_id")?.unwrap_or_default(),
        code: get_opt_str(row, "code")?,
        contact_phone: get_opt_str(row, "contact_phone")?,
        active: get_bool(row, "active")?,
        version: get_i64(row, "version")?,
        created_at: get_str(row, "created_at")?,
        updated_at: get_str(row, "updated_at")?,
    })
}

fn head(row: &AnyRow) -> Result<UnitHead> {
    Ok(UnitHead {
        id: get_i64(row, "id")?,
        unit_id: get_i64(row, "unit_id")?,
        name: get_str(row, "name")?,
        post: get_str(row, "post")?,
        kind: get_enum(row, "kind", HeadKind::from_code)?,
        phone: get_opt_str(row, "phone")?,
        version: get_i64(row, "version")?,
    })
}

pub(crate) async fn unit_on(conn: &mut AnyConnection, id: i64) -> Result<Option<Unit>> {
    let sql = format!("SELECT {UNIT_COLS} FROM units WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(unit).transpose()
}

/// Whether `unit` lies inside `jurisdiction` (or is it).
fn within(unit: &Unit, jurisdiction: Option<i64>) -> bool {
    jurisdiction.is_none_or(|j| unit.jurisdiction_id == j || unit.id == j)
}

impl Store {
    /// Units visible in a jurisdiction (the jurisdiction unit itself and everything under it);
    /// `None` lists every unit of the installation.
    pub async fn list_units(&self, jurisdiction: Option<i64>) -> Result<Vec<Unit>> {
        let rows = match jurisdiction {
            Some(j) => {
                let sql = format!(
                    "SELECT {UNIT_COLS} FROM units WHERE jurisdiction_id = $1 OR id = $1 ORDER BY id"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(j)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                let sql = format!("SELECT {UNIT_COLS} FROM units ORDER BY id");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(unit).collect()
    }

    pub async fn get_unit(&self, id: i64, jurisdiction: Option<i64>) -> Result<Unit> {
        let mut conn = self.pool().acquire().await?;
        match unit_on(&mut conn, id).await? {
            Some(u) if within(&u, jurisdiction) => Ok(u),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Checks the parent of a unit and returns the jurisdiction the unit will belong to
    /// (`None` when the unit is itself a jurisdiction level).
    async fn place_unit(
        conn: &mut AnyConnection,
        input: &UnitInput,
        jurisdiction: Option<i64>,
    ) -> Result<Option<i64>> {
        let parent = match input.parent_id {
            Some(pid) => match unit_on(conn, pid).await? {
                Some(p) if within(&p, jurisdiction) => Some(p),
                _ => {
                    return Err(FieldError::new(
                        "parent_id",
                        "unknown_unit",
                        format!("上级单位（编号{pid}）不存在"),
                    )
                    .into());
                }
            },
            None => None,
        };
        if !input.kind.allows_parent(parent.as_ref().map(|p| p.kind)) {
            let msg = match &parent {
                Some(p) => format!(
                    "{}不能设在{}“{}”之下",
                    input.kind.label(),
                    p.kind.label(),
                    p.name
                ),
                None => format!("{}必须指定上级单位", input.kind.label()),
            };
            return Err(FieldError::new("parent_id", "invalid_parent", msg).into());
        }
        if jurisdiction.is_some() && input.kind.is_jurisdiction() {
            return Err(StoreError::Forbidden(
                "只有系统管理员（命令行）可以创建省、市、县级单位".into(),
            ));
        }
        Ok(match (input.kind.is_jurisdiction(), parent) {
            (true, _) => None,
            (false, Some(p)) => Some(if p.kind.is_jurisdiction() {
                p.id
            } else {
                p.jurisdiction_id
            }),
            (false, None) => None,
        })
    }

    /// Creates a unit. `jurisdiction` restricts where it may be placed (`None`: anywhere).
    pub async fn create_unit(
        &self,
        by: &Author,
        input: &UnitInput,
        jurisdiction: Option<i64>,
    ) -> Result<Unit> {
        let mut tx = self.write_tx().await?;
        let jur = Self::place_unit(&mut tx, input, jurisdiction).await?;
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (name, short_name, kind, parent_id, jurisdiction_id, code, contact_phone, active, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
        )
        .bind(input.name.clone())
        .bind(input.short_name.clone())
        .bind(input.kind.code())
        .bind(input.parent_id)
        .bind(jur)
        .bind(input.code.clone())
        .bind(input.contact_phone.clone())
        .bind(input.active as i64)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "name", "duplicate_name", format!("同一上级单位下已有名为“{}”的单位", input.name)))?;
        if jur.is_none() {
            sqlx::query("UPDATE units SET jurisdiction_id = id WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let created = unit_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            by,
            AuditAction::Create,
            AuditEntity::Unit,
            id,
            None,
            None::<&Unit>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces a unit's fields if `version` is still current.
    pub async fn update_unit(
        &self,
        by: &Author,
        id: i64,
        version: i64,
        input: &UnitInput,
        jurisdiction: Option<i64>,
    ) -> Result<Unit> {
        let mut tx = self.write_tx().await?;
        let before = match unit_on(&mut tx, id).await? {
            Some(u) if within(&u, jurisdiction) => u,
            _ => return Err(StoreError::NotFound),
        };
        if before.version != version {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        if input.parent_id == Some(id) {
            return Err(
                FieldError::new("parent_id", "invalid_parent", "单位不能以自身为上级").into(),
            );
        }
        let jur = Self::place_unit(&mut tx, input, jurisdiction)
            .await?
            .unwrap_or(id);
        if jur != before.jurisdiction_id {
            return Err(FieldError::new(
                "parent_id",
                "jurisdiction_change",
                "不能把单位移到其他辖区",
            )
            .into());
        }
        let n = sqlx::query(
            "UPDATE units SET name = $1, short_name = $2, kind = $3, parent_id = $4, code = $5, contact_phone = $6, active = $7, \
             version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
        )
        .bind(input.name.clone())
        .bind(input.short_name.clone())
        .bind(input.kind.code())
        .bind(input.parent_id)
        .bind(input.code.clone())
        .bind(input.contact_phone.clone())
        .bind(input.active as i64)
        .bind(crate::now())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "name", "duplicate_name", format!("同一上级单位下已有名为“{}”的单位", input.name)))?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                expected: version,
                current: version + 1,
            });
        }
        let after = unit_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            by,
            AuditAction::Update,
            AuditEntity::Unit,
            id,
            None,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The unit a head belongs to, if that unit is inside `jurisdiction`.
    pub async fn unit_of_head(&self, id: i64, jurisdiction: Option<i64>) -> Result<i64> {
        let mut conn = self.pool().acquire().await?;
        let h = Self::head_on(&mut conn, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        match unit_on(&mut conn, h.unit_id).await? {
            Some(u) if within(&u, jurisdiction) => Ok(u.id),
            _ => Err(StoreError::NotFound),
        }
    }

    pub async fn list_heads(&self, unit_id: i64) -> Result<Vec<UnitHead>> {
        let rows = sqlx::query("SELECT id, unit_id, name, post, kind, phone, version FROM unit_heads WHERE unit_id = $1 ORDER BY id")
            .bind(unit_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(head).collect()
    }

    async fn head_on(conn: &mut AnyConnection, id: i64) -> Result<Option<UnitHead>> {
        let row = sqlx::query(
            "SELECT id, unit_id, name, post, kind, phone, version FROM unit_heads WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(head).transpose()
    }

    pub async fn add_head(
        &self,
        by: &Author,
        unit_id: i64,
        input: &HeadInput,
        jurisdiction: Option<i64>,
    ) -> Result<UnitHead> {
        self.get_unit(unit_id, jurisdiction).await?;
        let mut tx = self.write_tx().await?;
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO unit_heads (unit_id, name, post, kind, phone, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
        )
        .bind(unit_id)
        .bind(input.name.clone())
        .bind(input.post.clone())
        .bind(input.kind.code())
        .bind(input.phone.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let created = Self::head_on(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            by,
            AuditAction::Create,
            AuditEntity::UnitHead,
            id,
            None,
            None::<&UnitHead>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_head(
        &self,
        by: &Author,
        id: i64,
        version: i64,
        input: &HeadInput,
        jurisdiction: Option<i64>,
    ) -> Result<UnitHead> {
        let mut tx = self.write_tx().await?;
        let before = Self::head_on(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        match unit_on(&mut tx, before.unit_id).await? {
            Some(u) if within(&u, jurisdiction) => {}
            _ => return Err(StoreError::NotFound),
        }
        let n = sqlx::query(
            "UPDATE unit_heads SET name = $1, post = $2, kind = $3, phone = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(input.name.clone())
        .bind(input.post.clone())
        .bind(input.kind.code())
        .bind(input.phone.clone())
        .bind(crate::now())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        let after = Self::head_on(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            by,
            AuditAction::Update,
            AuditEntity::UnitHead,
            id,
            None,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
