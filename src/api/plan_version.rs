//! A plan version as stored (table `plan_version`): its row, its lookups and the check that a
//! version is still an editable draft. Shared by the plan's life cycle (`plan`) and its
//! actions (`action`), which both build on it, so neither needs the other in a circle.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::Env;
use super::household::require_open_household;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Plan {
    pub id: String,
    pub household_id: String,
    pub version_no: i64,
    pub status: PlanStatus,
    pub goals: String,
    pub based_on_id: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
    pub in_force_from: Option<NaiveDate>,
    pub superseded_at: Option<String>,
    pub action_count: i64,
}

pub type PlanSummary = Plan;

pub const PLAN_COLS: &str = "p.id, p.household_id, p.version_no, p.status, p.goals, p.based_on_id, p.created_by,
    p.created_at, p.submitted_by, p.submitted_at, p.decided_by, p.decided_at, p.decision_comment, p.in_force_from,
    p.superseded_at, (SELECT count(*) FROM action a WHERE a.plan_version_id = p.id)";

impl Plan {
    pub fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Plan {
            id: r.get(0)?,
            household_id: r.get(1)?,
            version_no: r.get(2)?,
            status: r.get(3)?,
            goals: r.get(4)?,
            based_on_id: r.get(5)?,
            created_by: r.get(6)?,
            created_at: r.get(7)?,
            submitted_by: r.get(8)?,
            submitted_at: r.get(9)?,
            decided_by: r.get(10)?,
            decided_at: r.get(11)?,
            decision_comment: r.get(12)?,
            in_force_from: r.get(13)?,
            superseded_at: r.get(14)?,
            action_count: r.get(15)?,
        })
    }
}

pub fn find_plan(env: &Env, id: &str) -> ApiResult<Option<Plan>> {
    Ok(env
        .tx
        .query_row(
            &format!("SELECT {PLAN_COLS} FROM plan_version p WHERE p.id = ?1"),
            [id],
            Plan::from_row,
        )
        .optional()?)
}

pub fn require_plan(env: &Env, field: &str, id: &str) -> ApiResult<Plan> {
    find_plan(env, id)?.ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundPlan, field))
}

pub fn plan_summaries(env: &Env, household_id: &str) -> ApiResult<Vec<Plan>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {PLAN_COLS} FROM plan_version p WHERE p.household_id = ?1 ORDER BY p.version_no DESC"
    ))?;
    Ok(st
        .query_map([household_id], Plan::from_row)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// A plan that can still be edited: a draft of an open household.
pub fn require_draft(env: &Env, field: &str, plan_id: &str) -> ApiResult<Plan> {
    let p = require_plan(env, field, plan_id)?;
    if p.status != PlanStatus::Draft {
        return Err(ApiError::at(
            ErrorCode::PlanNotEditable,
            field,
            format!("only a draft can be changed; this version is {}", p.status),
        ));
    }
    require_open_household(env, field, &p.household_id)?;
    Ok(p)
}
