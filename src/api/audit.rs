//! Reading the audit trail: who changed what, when, with the record before and after.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::Env;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::Role;

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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

#[derive(Debug, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub command: String,
    pub entity_type: String,
    pub entity_id: String,
    pub household_id: Option<String>,
    /// The record before and after, with sensitive values masked (the ID number as
    /// `3213**********1234`, health, disability and notes as `***`).
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The sensitive fields whose (masked) values changed in this row.
    pub hidden_changes: Vec<String>,
}

/// Keys whose values the audit trail holds but never shows: masked in `before`/`after`.
const SENSITIVE_KEYS: [&str; 5] = [
    "id_number",
    "health_conditions",
    "disability_type",
    "disability_grade",
    "notes",
];

/// Whether `k` of a record holding an ID number is the birth date it carries (withheld with
/// it: shown beside the masked number, it would give back the number's hidden digits).
fn birth_of_id(map: &serde_json::Map<String, Value>, k: &str) -> bool {
    k == "birth_date" && map.get("id_number").is_some_and(|n| !n.is_null())
}

/// Mask the sensitive values in one record (and the records nested in it).
fn mask(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let with_id = map.get("id_number").is_some_and(|n| !n.is_null());
            for (k, x) in map.iter_mut() {
                if with_id && k == "birth_date" && !x.is_null() {
                    *x = Value::String("***".into());
                } else if SENSITIVE_KEYS.contains(&k.as_str()) {
                    *x = match x {
                        Value::Null => Value::Null,
                        Value::String(s) if k == "id_number" => {
                            Value::String(crate::idcard::mask(s))
                        }
                        _ => Value::String("***".into()),
                    };
                } else {
                    mask(x);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

/// The sensitive keys of `before` and `after` (top level) whose values differ.
fn sensitive_changes(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let get = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).cloned().unwrap_or(Value::Null);
    let with_id = [before, after]
        .into_iter()
        .flatten()
        .any(|v| v.as_object().is_some_and(|m| birth_of_id(m, "birth_date")));
    let birth = with_id.then_some(&"birth_date");
    SENSITIVE_KEYS
        .iter()
        .chain(birth)
        .filter(|k| before.is_some() && after.is_some() && get(before, k) != get(after, k))
        .map(|k| k.to_string())
        .collect()
}

pub fn audit_list(env: &Env, req: AuditQuery) -> ApiResult<Vec<AuditRow>> {
    let limit = req.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "limit",
            "limit is 1 to 1000",
        ));
    }
    if let Some(e) = &req.entity_id
        && e.chars().count() > 64
    {
        return Err(ApiError::at(
            ErrorCode::ValidationTooLong,
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
                let parse = |s: Option<String>| -> Option<Value> {
                    s.and_then(|s| serde_json::from_str(&s).ok())
                };
                let (mut before, mut after) = (parse(r.get(8)?), parse(r.get(9)?));
                let hidden_changes = sensitive_changes(before.as_ref(), after.as_ref());
                before.iter_mut().for_each(mask);
                after.iter_mut().for_each(mask);
                Ok(AuditRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor_id: r.get(2)?,
                    actor_name: r.get(3)?,
                    command: r.get(4)?,
                    entity_type: r.get(5)?,
                    entity_id: r.get(6)?,
                    household_id: r.get(7)?,
                    before,
                    after,
                    hidden_changes,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
