//! Reading the audit trail: who changed what, when, with the record before and after.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::Env;
use crate::error::{ApiError, ApiResult};
use crate::types::Role;

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default)]
    pub household_id: Option<Uuid>,
    #[serde(default)]
    pub entity_id: Option<String>,
    /// Rows older than this sequence number (paging back).
    #[serde(default)]
    pub before_seq: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub command: String,
    pub entity_type: String,
    pub entity_id: String,
    pub household_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub fn audit_list(env: &Env, req: AuditQuery) -> ApiResult<Vec<AuditRow>> {
    let limit = req.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::at(
            "validation.out_of_range",
            "limit",
            "limit is 1 to 1000",
        ));
    }
    if let Some(e) = &req.entity_id
        && e.chars().count() > 64
    {
        return Err(ApiError::at(
            "validation.too_long",
            "entity_id",
            "entity_id is longer than 64 characters",
        ));
    }
    // A household's rows for whoever may see the household; the rest (staff, settings, the
    // service menu) for supervisors and administrators.
    let others = match env.actor()?.role {
        Role::Caseworker => "0",
        Role::Supervisor | Role::Admin => "1",
    };
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT a.seq, a.at, a.actor_id, s.name, a.command, a.entity_type, a.entity_id, a.household_id,
                a.before_json, a.after_json
         FROM audit a LEFT JOIN staff s ON s.id = a.actor_id
         WHERE (?1 IS NULL OR a.household_id = ?1) AND (?2 IS NULL OR a.entity_id = ?2)
           AND (?3 IS NULL OR a.seq < ?3)
           AND CASE WHEN a.household_id IS NULL THEN {others}
                    ELSE a.household_id IN (SELECT h.id FROM household h WHERE {}) END
         ORDER BY a.seq DESC LIMIT ?4",
        env.household_scope_sql("h")
    ))?;
    let rows = st
        .query_map(
            params![
                req.household_id.map(|h| h.to_string()),
                req.entity_id,
                req.before_seq,
                limit
            ],
            |r| {
                let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
                Ok(AuditRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor_id: r.get(2)?,
                    actor_name: r.get(3)?,
                    command: r.get(4)?,
                    entity_type: r.get(5)?,
                    entity_id: r.get(6)?,
                    household_id: r.get(7)?,
                    before: parse(r.get(8)?),
                    after: parse(r.get(9)?),
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
