//! Needs: what a household needs (medical care, schooling, daily care …), found on a visit or
//! entered directly, with their life cycle (open → in progress → met/unmet/withdrawn). The
//! first link of "one household, one plan": actions answer needs, plans freeze them.

use crate::api::patch::patchable;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::household::{require_open_household, touch_household};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;
use crate::validate::{self as v, TEXT_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Need {
    pub id: String,
    pub household_id: String,
    pub member_id: Option<String>,
    pub category: NeedCategory,
    pub description: String,
    pub priority: Priority,
    pub status: NeedStatus,
    pub found_visit_id: Option<String>,
    pub found_on: NaiveDate,
    pub resolved_on: Option<NaiveDate>,
    pub outcome_note: Option<String>,
}

const NEED_COLS: &str =
    "id, household_id, member_id, category, description, priority, status, found_visit_id,
    found_on, resolved_on, outcome_note";

impl Need {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Need {
            id: r.get("id")?,
            household_id: r.get("household_id")?,
            member_id: r.get("member_id")?,
            category: r.get("category")?,
            description: r.get("description")?,
            priority: r.get("priority")?,
            status: r.get("status")?,
            found_visit_id: r.get("found_visit_id")?,
            found_on: r.get("found_on")?,
            resolved_on: r.get("resolved_on")?,
            outcome_note: r.get("outcome_note")?,
        })
    }
}

pub fn find_need(env: &Env, id: &str) -> ApiResult<Option<Need>> {
    Ok(env
        .tx
        .query_row(
            &format!("SELECT {NEED_COLS} FROM need WHERE id = ?1"),
            [id],
            Need::from_row,
        )
        .optional()?)
}

pub fn needs_of(env: &Env, household_id: &str) -> ApiResult<Vec<Need>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {NEED_COLS} FROM need WHERE household_id = ?1
         ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END,
                  CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, found_on, id"
    ))?;
    Ok(st
        .query_map([household_id], Need::from_row)?
        .collect::<Result<Vec<_>, _>>()?)
}

patchable! {
/// The editable fields of a need.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedFields / NeedPatch {
    #[serde(default)]
    pub member_id: Option<Uuid>,
    pub category: NeedCategory,
    pub description: String,
    pub priority: Priority,
}
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedInput {
    pub household_id: Uuid,
    #[serde(default)]
    pub member_id: Option<Uuid>,
    pub category: NeedCategory,
    pub description: String,
    pub priority: Priority,
    /// Defaults to today.
    #[serde(default)]
    pub found_on: Option<NaiveDate>,
}

fn check_member_of(
    env: &Env,
    field: &str,
    household_id: &str,
    member: &Option<Uuid>,
) -> ApiResult<Option<String>> {
    let Some(m) = member else { return Ok(None) };
    let owner: Option<(String, Option<String>)> = env
        .tx
        .query_row(
            "SELECT household_id, removed_on FROM member WHERE id = ?1",
            [m.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match owner {
        None => Err(ApiError::not_found(ErrorCode::NotFoundMember, field)),
        Some((h, _)) if h != household_id => Err(ApiError::at(
            ErrorCode::ValidationMemberOtherHousehold,
            field,
            "this member belongs to another household",
        )),
        Some(_) => Ok(Some(m.to_string())),
    }
}

/// Create a need (also used by `visit.log` for needs found during a visit).
pub fn insert_need(
    env: &Env,
    household_id: &str,
    f: &NeedFields,
    found_on: NaiveDate,
    found_visit_id: Option<&str>,
) -> ApiResult<Need> {
    let member_id = check_member_of(env, "member_id", household_id, &f.member_id)?;
    let description = v::required_multiline("description", &f.description, TEXT_MAX)?;
    let id = env.new_id();
    let now = env.now();
    env.tx.execute(
        "INSERT INTO need(id, household_id, member_id, category, description, priority, status, found_visit_id,
            found_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?9)",
        params![id, household_id, member_id, f.category, description, f.priority, found_visit_id, found_on, now],
    )?;
    let n = find_need(env, &id)?.ok_or_else(|| ApiError::internal("need vanished"))?;
    env.audit::<(), _>("need", &id, Some(household_id), None, Some(&n))?;
    Ok(n)
}

pub fn need_add(env: &Env, req: NeedInput) -> ApiResult<Need> {
    env.actor()?;
    let h = require_open_household(env, "household_id", &req.household_id.to_string())?;
    let found_on = v::date_not_after(
        "found_on",
        req.found_on.unwrap_or(env.ctx.today),
        env.ctx.today,
    )?;
    if found_on < h.referred_on {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "found_on",
            "a need is found on or after the day the household was referred",
        ));
    }
    let f = NeedFields {
        member_id: req.member_id,
        category: req.category,
        description: req.description,
        priority: req.priority,
    };
    let n = insert_need(env, &h.id, &f, found_on, None)?;
    touch_household(env, &h.id)?;
    Ok(n)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedUpdate {
    pub id: Uuid,
    /// The fields to change; the others stay as they are.
    pub need: NeedPatch,
}

pub fn need_update(env: &Env, req: NeedUpdate) -> ApiResult<Need> {
    env.actor()?;
    let before = find_need(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundNeed, "id"))?;
    require_open_household(env, "id", &before.household_id)?;
    let f = &req.need.apply(NeedFields {
        member_id: before
            .member_id
            .as_deref()
            .and_then(|m| Uuid::parse_str(m).ok()),
        category: before.category,
        description: before.description.clone(),
        priority: before.priority,
    });
    let member_id = check_member_of(env, "need.member_id", &before.household_id, &f.member_id)?;
    let description = v::required_multiline("need.description", &f.description, TEXT_MAX)?;
    env.tx.execute(
        "UPDATE need SET member_id = ?2, category = ?3, description = ?4, priority = ?5, updated_at = ?6 WHERE id = ?1",
        params![before.id, member_id, f.category, description, f.priority, env.now()],
    )?;
    touch_household(env, &before.household_id)?;
    let after = find_need(env, &before.id)?.ok_or_else(|| ApiError::internal("need vanished"))?;
    env.audit(
        "need",
        &before.id,
        Some(&before.household_id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedSetStatus {
    pub id: Uuid,
    pub to: NeedStatus,
    /// Outcome or reason (e.g. the evidence that the need is met).
    #[serde(default)]
    pub note: Option<String>,
}

/// Move a need along its life cycle (also used by `visit.log`), as of `on`: the day it
/// changed — today, or the day of the visit that changed it when the visit is entered late.
pub fn set_need_status(
    env: &Env,
    req: &NeedSetStatus,
    household_id: Option<&str>,
    on: NaiveDate,
) -> ApiResult<Need> {
    let before = find_need(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundNeed, "id"))?;
    if let Some(h) = household_id
        && before.household_id != h
    {
        return Err(ApiError::at(
            ErrorCode::ValidationNeedOtherHousehold,
            "id",
            "this need belongs to another household",
        ));
    }
    if !transitions::need(before.status, req.to) {
        return Err(ApiError::transition(
            ErrorCode::NeedTransitionInvalid,
            before.status.as_str(),
            req.to.as_str(),
        ));
    }
    let note = v::optional_multiline("note", &req.note, TEXT_MAX)?;
    let resolved_on = match req.to {
        NeedStatus::Met | NeedStatus::Unmet | NeedStatus::Withdrawn => {
            if on < before.found_on {
                return Err(ApiError::at(
                    ErrorCode::ValidationDateOrder,
                    "to",
                    "a need cannot be resolved before the day it was found",
                ));
            }
            Some(on)
        }
        _ => None,
    };
    env.tx.execute(
        "UPDATE need SET status = ?2, resolved_on = ?3, outcome_note = coalesce(?4, outcome_note), updated_at = ?5
         WHERE id = ?1",
        params![before.id, req.to, resolved_on, note, env.now()],
    )?;
    let after = find_need(env, &before.id)?.ok_or_else(|| ApiError::internal("need vanished"))?;
    env.audit(
        "need",
        &before.id,
        Some(&before.household_id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

pub fn need_set_status(env: &Env, req: NeedSetStatus) -> ApiResult<Need> {
    env.actor()?;
    let n = find_need(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundNeed, "id"))?;
    require_open_household(env, "id", &n.household_id)?;
    let after = set_need_status(env, &req, None, env.ctx.today)?;
    touch_household(env, &n.household_id)?;
    Ok(after)
}
