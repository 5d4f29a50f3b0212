//! The heart of "one household, one plan": needs, versioned plans with supervisor review,
//! the assistance actions that answer needs, and the occurrences that recurring actions
//! produce over a rolling horizon.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::household::{HEAD_NAME_SQL, require_household, require_open_household, touch_household};
use super::reference::{self as rf, ById, find_partner, find_service};
use crate::error::{ApiError, ApiResult};
use crate::recurrence::Recurrence;
use crate::types::*;
use crate::validate::{self as v, NAME_MAX, TEXT_MAX};

// ---------------------------------------------------------------- needs

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
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
            id: r.get(0)?,
            household_id: r.get(1)?,
            member_id: r.get(2)?,
            category: r.get(3)?,
            description: r.get(4)?,
            priority: r.get(5)?,
            status: r.get(6)?,
            found_visit_id: r.get(7)?,
            found_on: r.get(8)?,
            resolved_on: r.get(9)?,
            outcome_note: r.get(10)?,
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

/// The editable fields of a need.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct NeedFields {
    #[serde(default)]
    pub member_id: Option<Uuid>,
    pub category: NeedCategory,
    pub description: String,
    pub priority: Priority,
}

#[derive(Debug, Deserialize, ts_rs::TS)]
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
        None => Err(ApiError::not_found("member", field)),
        Some((h, _)) if h != household_id => Err(ApiError::at(
            "validation.member.other_household",
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

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct NeedUpdate {
    pub id: Uuid,
    pub need: NeedFields,
}

pub fn need_update(env: &Env, req: NeedUpdate) -> ApiResult<Need> {
    env.actor()?;
    let before =
        find_need(env, &req.id.to_string())?.ok_or_else(|| ApiError::not_found("need", "id"))?;
    require_open_household(env, "id", &before.household_id)?;
    let f = &req.need;
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

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct NeedSetStatus {
    pub id: Uuid,
    pub to: NeedStatus,
    /// Outcome or reason (e.g. the evidence that the need is met).
    #[serde(default)]
    pub note: Option<String>,
}

/// Move a need along its life cycle (also used by `visit.log`).
pub fn set_need_status(
    env: &Env,
    req: &NeedSetStatus,
    household_id: Option<&str>,
) -> ApiResult<Need> {
    let before =
        find_need(env, &req.id.to_string())?.ok_or_else(|| ApiError::not_found("need", "id"))?;
    if let Some(h) = household_id
        && before.household_id != h
    {
        return Err(ApiError::at(
            "validation.need.other_household",
            "id",
            "this need belongs to another household",
        ));
    }
    if !transitions::need(before.status, req.to) {
        return Err(ApiError::transition(
            "need",
            before.status.as_str(),
            req.to.as_str(),
        ));
    }
    let note = v::optional_multiline("note", &req.note, TEXT_MAX)?;
    let resolved_on = match req.to {
        NeedStatus::Met | NeedStatus::Unmet | NeedStatus::Withdrawn => Some(env.ctx.today),
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
    let n =
        find_need(env, &req.id.to_string())?.ok_or_else(|| ApiError::not_found("need", "id"))?;
    require_open_household(env, "id", &n.household_id)?;
    let after = set_need_status(env, &req, None)?;
    touch_household(env, &n.household_id)?;
    Ok(after)
}

// ---------------------------------------------------------------- plans

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
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

const PLAN_COLS: &str = "p.id, p.household_id, p.version_no, p.status, p.goals, p.based_on_id, p.created_by,
    p.created_at, p.submitted_by, p.submitted_at, p.decided_by, p.decided_at, p.decision_comment, p.in_force_from,
    p.superseded_at, (SELECT count(*) FROM action a WHERE a.plan_version_id = p.id)";

impl Plan {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
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

fn require_plan(env: &Env, field: &str, id: &str) -> ApiResult<Plan> {
    find_plan(env, id)?.ok_or_else(|| ApiError::not_found("plan", field))
}

pub fn plan_summaries(env: &Env, household_id: &str) -> ApiResult<Vec<Plan>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {PLAN_COLS} FROM plan_version p WHERE p.household_id = ?1 ORDER BY p.version_no DESC"
    ))?;
    Ok(st
        .query_map([household_id], Plan::from_row)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// A need as the plan saw it: frozen at submission, live while the plan is being drafted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct PlanNeed {
    pub need_id: String,
    pub category: NeedCategory,
    pub priority: Priority,
    pub description: String,
    pub status: NeedStatus,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PlanDetail {
    pub plan: Plan,
    pub actions: Vec<Action>,
    pub needs: Vec<PlanNeed>,
}

fn plan_needs(env: &Env, plan: &Plan) -> ApiResult<Vec<PlanNeed>> {
    let live = matches!(plan.status, PlanStatus::Draft | PlanStatus::Returned);
    let sql = if live {
        "SELECT n.id, n.category, n.priority, n.description, n.status FROM need n
         WHERE n.id IN (SELECT an.need_id FROM action_need an JOIN action a ON a.id = an.action_id
                        WHERE a.plan_version_id = ?1)
         ORDER BY n.found_on, n.id"
    } else {
        "SELECT need_id, category, priority, description, status FROM plan_need WHERE plan_version_id = ?1
         ORDER BY need_id"
    };
    let mut st = env.tx.prepare_cached(sql)?;
    Ok(st
        .query_map([&plan.id], |r| {
            Ok(PlanNeed {
                need_id: r.get(0)?,
                category: r.get(1)?,
                priority: r.get(2)?,
                description: r.get(3)?,
                status: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?)
}

pub fn plan_detail(env: &Env, id: &str) -> ApiResult<PlanDetail> {
    let plan = require_plan(env, "id", id)?;
    let actions = actions_of(env, &plan.id)?;
    let needs = plan_needs(env, &plan)?;
    Ok(PlanDetail {
        plan,
        actions,
        needs,
    })
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PlanCreate {
    pub household_id: Uuid,
    /// Defaults to the goals of the plan in force.
    #[serde(default)]
    pub goals: Option<String>,
}

/// Start a new version: a copy of the plan in force (its live actions, same lineage), or empty.
pub fn plan_create_draft(env: &Env, req: PlanCreate) -> ApiResult<PlanDetail> {
    let actor = env.actor()?.id.to_string();
    let h = require_open_household(env, "household_id", &req.household_id.to_string())?;
    let plans = plan_summaries(env, &h.id)?;
    if let Some(w) = plans.iter().find(|p| {
        matches!(
            p.status,
            PlanStatus::Draft | PlanStatus::Submitted | PlanStatus::Returned
        )
    }) {
        return Err(ApiError::at(
            "plan.working_copy.exists",
            "household_id",
            format!(
                "version {} is still being worked on ({})",
                w.version_no, w.status
            ),
        ));
    }
    let in_force = plans.iter().find(|p| p.status == PlanStatus::Approved);
    let goals = match (&req.goals, in_force) {
        (Some(g), _) => {
            v::optional_multiline("goals", &Some(g.clone()), TEXT_MAX)?.unwrap_or_default()
        }
        (None, Some(p)) => p.goals.clone(),
        (None, None) => String::new(),
    };
    let version_no = plans.iter().map(|p| p.version_no).max().unwrap_or(0) + 1;
    let id = env.new_id();
    let now = env.now();
    env.tx.execute(
        "INSERT INTO plan_version(id, household_id, division_code, version_no, status, goals, based_on_id, created_by,
            created_at, updated_at)
         VALUES (?1, ?2, (SELECT division_code FROM household WHERE id = ?2), ?3, 'draft', ?4, ?5, ?6, ?7, ?7)",
        params![id, h.id, version_no, goals, in_force.map(|p| p.id.clone()), actor, now],
    )?;
    if let Some(base) = in_force {
        for a in actions_of(env, &base.id)? {
            if !matches!(a.status, ActionStatus::Planned | ActionStatus::Active) {
                continue;
            }
            let new_action = env.new_id();
            env.tx.execute(
                "INSERT INTO action(id, plan_version_id, household_id, lineage_id, service_id, title, category, partner_id,
                    provider_name, responsible_name, responsible_phone, amount_fen, recurrence, start_on, status, note,
                    created_at, updated_at)
                 SELECT ?2, ?3, household_id, lineage_id, service_id, title, category, partner_id, provider_name,
                    responsible_name, responsible_phone, amount_fen, recurrence, start_on, 'planned', note, ?4, ?4
                 FROM action WHERE id = ?1",
                params![a.id, new_action, id, now],
            )?;
            env.tx.execute(
                "INSERT INTO action_need(action_id, need_id)
                 SELECT ?2, an.need_id FROM action_need an JOIN need n ON n.id = an.need_id
                 WHERE an.action_id = ?1 AND n.status <> 'withdrawn'",
                params![a.id, new_action],
            )?;
        }
    }
    let detail = plan_detail(env, &id)?;
    env.audit::<(), _>("plan", &id, Some(&h.id), None, Some(&detail))?;
    touch_household(env, &h.id)?;
    Ok(detail)
}

/// A plan that can still be edited: a draft of an open household.
fn require_draft(env: &Env, field: &str, plan_id: &str) -> ApiResult<Plan> {
    let p = require_plan(env, field, plan_id)?;
    if p.status != PlanStatus::Draft {
        return Err(ApiError::at(
            "plan.not_editable",
            field,
            format!("only a draft can be changed; this version is {}", p.status),
        ));
    }
    require_open_household(env, field, &p.household_id)?;
    Ok(p)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PlanUpdate {
    pub id: Uuid,
    pub goals: String,
}

pub fn plan_update(env: &Env, req: PlanUpdate) -> ApiResult<PlanDetail> {
    env.actor()?;
    let p = require_draft(env, "id", &req.id.to_string())?;
    let goals = v::optional_multiline("goals", &Some(req.goals), TEXT_MAX)?.unwrap_or_default();
    env.tx.execute(
        "UPDATE plan_version SET goals = ?2, updated_at = ?3 WHERE id = ?1",
        params![p.id, goals, env.now()],
    )?;
    let after = plan_detail(env, &p.id)?;
    env.audit(
        "plan",
        &p.id,
        Some(&p.household_id),
        Some(&p),
        Some(&after.plan),
    )?;
    Ok(after)
}

fn check_plan_transition(p: &Plan, to: PlanStatus) -> ApiResult<()> {
    if transitions::plan(p.status, to) {
        Ok(())
    } else {
        Err(ApiError::transition("plan", p.status.as_str(), to.as_str()))
    }
}

pub fn plan_submit(env: &Env, req: ById) -> ApiResult<PlanDetail> {
    let actor = env.actor()?.id.to_string();
    let p = require_plan(env, "id", &req.id.to_string())?;
    check_plan_transition(&p, PlanStatus::Submitted)?;
    require_open_household(env, "id", &p.household_id)?;
    if p.goals.trim().is_empty() {
        return Err(ApiError::at(
            "validation.required",
            "goals",
            "write the plan's goals before submitting",
        ));
    }
    if p.action_count == 0 {
        return Err(ApiError::at(
            "plan.actions.required",
            "actions",
            "a plan needs at least one action",
        ));
    }
    // Freeze the needs this version answers, as they are now.
    env.tx
        .execute("DELETE FROM plan_need WHERE plan_version_id = ?1", [&p.id])?;
    env.tx.execute(
        "INSERT INTO plan_need(plan_version_id, need_id, category, priority, description, status)
         SELECT ?1, n.id, n.category, n.priority, n.description, n.status FROM need n
         WHERE n.id IN (SELECT an.need_id FROM action_need an JOIN action a ON a.id = an.action_id
                        WHERE a.plan_version_id = ?1)",
        [&p.id],
    )?;
    env.tx.execute(
        "UPDATE plan_version SET status = 'submitted', submitted_by = ?2, submitted_at = ?3, decided_by = NULL,
         decided_at = NULL, decision_comment = NULL, updated_at = ?3 WHERE id = ?1",
        params![p.id, actor, env.now()],
    )?;
    touch_household(env, &p.household_id)?;
    let after = plan_detail(env, &p.id)?;
    env.audit(
        "plan",
        &p.id,
        Some(&p.household_id),
        Some(&p),
        Some(&after.plan),
    )?;
    Ok(after)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PlanDecision {
    pub id: Uuid,
    /// Required when returning a plan.
    #[serde(default)]
    pub comment: Option<String>,
}

pub fn plan_approve(env: &Env, req: PlanDecision) -> ApiResult<PlanDetail> {
    let actor = env.actor()?.id.to_string();
    let p = require_plan(env, "id", &req.id.to_string())?;
    check_plan_transition(&p, PlanStatus::Approved)?;
    require_open_household(env, "id", &p.household_id)?;
    let comment = v::optional_multiline("comment", &req.comment, TEXT_MAX)?;
    let today = env.ctx.today;
    let now = env.now();
    // The version in force steps down; its future unrecorded deliveries go with it.
    let old: Option<String> = env
        .tx
        .query_row(
            "SELECT id FROM plan_version WHERE household_id = ?1 AND status = 'approved'",
            [&p.household_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(old) = &old {
        env.tx.execute(
            "UPDATE plan_version SET status = 'superseded', superseded_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![old, now],
        )?;
        let dropped = env.tx.execute(
            "DELETE FROM occurrence WHERE status = 'due' AND due_on >= ?2
             AND action_id IN (SELECT id FROM action WHERE plan_version_id = ?1)",
            params![old, today],
        )?;
        if dropped > 0 {
            env.audit::<(), _>(
                "pending_work",
                old,
                Some(&p.household_id),
                None,
                Some(&serde_json::json!({"occurrences_dropped": dropped, "from": today})),
            )?;
        }
        env.audit(
            "plan",
            old,
            Some(&p.household_id),
            Some(&serde_json::json!({"status": "approved"})),
            Some(&serde_json::json!({"status": "superseded"})),
        )?;
    }
    env.tx.execute(
        "UPDATE plan_version SET status = 'approved', decided_by = ?2, decided_at = ?3, decision_comment = ?4,
         in_force_from = ?5, updated_at = ?3 WHERE id = ?1",
        params![p.id, actor, now, comment, today],
    )?;
    env.tx.execute(
        "UPDATE action SET status = 'active', updated_at = ?2 WHERE plan_version_id = ?1 AND status = 'planned'",
        params![p.id, now],
    )?;
    let settings = rf::load_settings(env)?;
    let through = today + chrono::Duration::days(i64::from(settings.occurrence_horizon_days));
    generate_occurrences(env, Some(&p.household_id), through)?;
    touch_household(env, &p.household_id)?;
    let after = plan_detail(env, &p.id)?;
    env.audit(
        "plan",
        &p.id,
        Some(&p.household_id),
        Some(&p),
        Some(&after.plan),
    )?;
    Ok(after)
}

pub fn plan_return(env: &Env, req: PlanDecision) -> ApiResult<PlanDetail> {
    let actor = env.actor()?.id.to_string();
    let p = require_plan(env, "id", &req.id.to_string())?;
    check_plan_transition(&p, PlanStatus::Returned)?;
    require_open_household(env, "id", &p.household_id)?;
    let comment = v::optional_multiline("comment", &req.comment, TEXT_MAX)?.ok_or_else(|| {
        ApiError::at(
            "validation.required",
            "comment",
            "say what must change before the plan can be approved",
        )
    })?;
    env.tx.execute(
        "UPDATE plan_version SET status = 'returned', decided_by = ?2, decided_at = ?3, decision_comment = ?4,
         updated_at = ?3 WHERE id = ?1",
        params![p.id, actor, env.now(), comment],
    )?;
    touch_household(env, &p.household_id)?;
    let after = plan_detail(env, &p.id)?;
    env.audit(
        "plan",
        &p.id,
        Some(&p.household_id),
        Some(&p),
        Some(&after.plan),
    )?;
    Ok(after)
}

pub fn plan_revise(env: &Env, req: ById) -> ApiResult<PlanDetail> {
    env.actor()?;
    let p = require_plan(env, "id", &req.id.to_string())?;
    check_plan_transition(&p, PlanStatus::Draft)?;
    require_open_household(env, "id", &p.household_id)?;
    env.tx.execute(
        "UPDATE plan_version SET status = 'draft', updated_at = ?2 WHERE id = ?1",
        params![p.id, env.now()],
    )?;
    let after = plan_detail(env, &p.id)?;
    env.audit(
        "plan",
        &p.id,
        Some(&p.household_id),
        Some(&p),
        Some(&after.plan),
    )?;
    Ok(after)
}

pub fn plan_get(env: &Env, req: ById) -> ApiResult<PlanDetail> {
    plan_detail(env, &req.id.to_string())
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ByHousehold {
    pub household_id: Uuid,
}

pub fn plan_list(env: &Env, req: ByHousehold) -> ApiResult<Vec<Plan>> {
    let h = require_household(env, "household_id", &req.household_id.to_string())?;
    plan_summaries(env, &h.id)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PlanDiffReq {
    pub from_id: Uuid,
    pub to_id: Uuid,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Changed<T> {
    pub before: T,
    pub after: T,
    /// Names of the fields that differ.
    pub fields: Vec<&'static str>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DiffSet<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
    pub changed: Vec<Changed<T>>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct PlanDiff {
    pub from: Plan,
    pub to: Plan,
    pub goals_changed: bool,
    pub needs: DiffSet<PlanNeed>,
    pub actions: DiffSet<Action>,
}

fn diff_by_key<T: Clone, K: Ord>(
    a: &[T],
    b: &[T],
    key: impl Fn(&T) -> K,
    fields: impl Fn(&T, &T) -> Vec<&'static str>,
) -> DiffSet<T> {
    let am: BTreeMap<K, &T> = a.iter().map(|x| (key(x), x)).collect();
    let bm: BTreeMap<K, &T> = b.iter().map(|x| (key(x), x)).collect();
    let mut out = DiffSet {
        added: vec![],
        removed: vec![],
        changed: vec![],
    };
    for (k, x) in &am {
        match bm.get(k) {
            None => out.removed.push((*x).clone()),
            Some(y) => {
                let f = fields(x, y);
                if !f.is_empty() {
                    out.changed.push(Changed {
                        before: (*x).clone(),
                        after: (*y).clone(),
                        fields: f,
                    });
                }
            }
        }
    }
    for (k, y) in &bm {
        if !am.contains_key(k) {
            out.added.push((*y).clone());
        }
    }
    out
}

pub fn need_fields_changed(a: &PlanNeed, b: &PlanNeed) -> Vec<&'static str> {
    let mut f = Vec::new();
    if a.category != b.category {
        f.push("category");
    }
    if a.priority != b.priority {
        f.push("priority");
    }
    if a.description != b.description {
        f.push("description");
    }
    if a.status != b.status {
        f.push("status");
    }
    f
}

pub fn action_fields_changed(a: &Action, b: &Action) -> Vec<&'static str> {
    let mut f = Vec::new();
    macro_rules! cmp {
        ($($field:ident),*) => { $( if a.$field != b.$field { f.push(stringify!($field)); } )* };
    }
    cmp!(
        service_id,
        title,
        category,
        partner_id,
        provider_name,
        responsible_name,
        responsible_phone,
        amount_fen,
        recurrence,
        start_on,
        note
    );
    let (mut an, mut bn) = (a.need_ids.clone(), b.need_ids.clone());
    an.sort();
    bn.sort();
    if an != bn {
        f.push("need_ids");
    }
    f
}

pub fn plan_diff(env: &Env, req: PlanDiffReq) -> ApiResult<PlanDiff> {
    let a = plan_detail(env, &req.from_id.to_string()).map_err(|e| e.with_field("from_id"))?;
    let b = plan_detail(env, &req.to_id.to_string()).map_err(|e| e.with_field("to_id"))?;
    if a.plan.household_id != b.plan.household_id {
        return Err(ApiError::at(
            "plan.diff.other_household",
            "to_id",
            "both versions must belong to one household",
        ));
    }
    Ok(PlanDiff {
        goals_changed: a.plan.goals != b.plan.goals,
        needs: diff_by_key(
            &a.needs,
            &b.needs,
            |n| n.need_id.clone(),
            need_fields_changed,
        ),
        actions: diff_by_key(
            &a.actions,
            &b.actions,
            |x| x.lineage_id.clone(),
            action_fields_changed,
        ),
        from: a.plan,
        to: b.plan,
    })
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ReviewQueue {
    /// Defaults to the acting staff member's division.
    #[serde(default)]
    pub division_code: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct ReviewItem {
    pub plan: Plan,
    pub case_no: String,
    pub head_name: Option<String>,
    pub division_name: String,
    pub caseworker_name: Option<String>,
    pub priority: Priority,
}

/// Plans waiting for review in a division subtree, oldest submission first.
pub fn plan_review_queue(env: &Env, req: ReviewQueue) -> ApiResult<Vec<ReviewItem>> {
    let actor = env.actor()?;
    let code = match &req.division_code {
        Some(c) => rf::require_division(env, "division_code", c)?.code,
        None => actor.division_code.clone(),
    };
    let (lo, hi) = v::subtree_range(&code);
    let limit = req.limit.unwrap_or(200).clamp(1, 1000);
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {PLAN_COLS}, h.case_no, {HEAD_NAME_SQL},
            (SELECT d.name FROM division d WHERE d.code = h.division_code),
            (SELECT s.name FROM staff s WHERE s.id = h.caseworker_id), h.priority
         FROM plan_version p JOIN household h ON h.id = p.household_id
         WHERE p.status = 'submitted' AND h.division_code >= ?1 AND h.division_code < ?2
         ORDER BY p.submitted_at, p.id LIMIT ?3"
    ))?;
    let rows = st
        .query_map(params![lo, hi, limit], |r| {
            Ok(ReviewItem {
                plan: Plan::from_row(r)?,
                case_no: r.get(16)?,
                head_name: r.get(17)?,
                division_name: r.get::<_, Option<String>>(18)?.unwrap_or_default(),
                caseworker_name: r.get(19)?,
                priority: r.get(20)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

// ---------------------------------------------------------------- actions

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Action {
    pub id: String,
    pub plan_version_id: String,
    pub household_id: String,
    /// Shared by the copies of this action in later versions of the plan.
    pub lineage_id: String,
    pub service_id: Option<String>,
    pub title: String,
    pub category: NeedCategory,
    pub partner_id: Option<String>,
    pub provider_name: Option<String>,
    pub responsible_name: Option<String>,
    pub responsible_phone: Option<String>,
    pub amount_fen: Option<i64>,
    /// None: a one-off action, delivered once on start_on.
    pub recurrence: Option<Recurrence>,
    pub start_on: NaiveDate,
    pub status: ActionStatus,
    pub note: Option<String>,
    pub need_ids: Vec<String>,
}

const ACTION_COLS: &str = "id, plan_version_id, household_id, lineage_id, service_id, title, category, partner_id,
    provider_name, responsible_name, responsible_phone, amount_fen, recurrence, start_on, status, note";

fn action_from_row(r: &Row) -> rusqlite::Result<Action> {
    let rrule: Option<String> = r.get(12)?;
    let recurrence = match rrule {
        None => None,
        Some(s) => Some(Recurrence::from_rrule(&s).map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                12,
                rusqlite::types::Type::Text,
                "unsupported recurrence rule".into(),
            )
        })?),
    };
    Ok(Action {
        id: r.get(0)?,
        plan_version_id: r.get(1)?,
        household_id: r.get(2)?,
        lineage_id: r.get(3)?,
        service_id: r.get(4)?,
        title: r.get(5)?,
        category: r.get(6)?,
        partner_id: r.get(7)?,
        provider_name: r.get(8)?,
        responsible_name: r.get(9)?,
        responsible_phone: r.get(10)?,
        amount_fen: r.get(11)?,
        recurrence,
        start_on: r.get(13)?,
        status: r.get(14)?,
        note: r.get(15)?,
        need_ids: Vec::new(),
    })
}

fn with_needs(env: &Env, mut actions: Vec<Action>) -> ApiResult<Vec<Action>> {
    let mut st = env
        .tx
        .prepare_cached("SELECT need_id FROM action_need WHERE action_id = ?1 ORDER BY need_id")?;
    for a in &mut actions {
        a.need_ids = st
            .query_map([&a.id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
    }
    Ok(actions)
}

pub fn find_action(env: &Env, id: &str) -> ApiResult<Option<Action>> {
    let a = env
        .tx
        .query_row(
            &format!("SELECT {ACTION_COLS} FROM action WHERE id = ?1"),
            [id],
            action_from_row,
        )
        .optional()?;
    Ok(match a {
        Some(a) => with_needs(env, vec![a])?.pop(),
        None => None,
    })
}

pub fn actions_of(env: &Env, plan_id: &str) -> ApiResult<Vec<Action>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {ACTION_COLS} FROM action WHERE plan_version_id = ?1 ORDER BY start_on, created_at, id"
    ))?;
    let rows = st
        .query_map([plan_id], action_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    with_needs(env, rows)
}

/// The editable fields of an action.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ActionFields {
    /// From the service menu; gives the default title, category and partner.
    #[serde(default)]
    pub service_id: Option<Uuid>,
    /// Free text; required when no service is chosen.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub category: Option<NeedCategory>,
    /// The needs this action answers (at least one).
    pub need_ids: Vec<Uuid>,
    #[serde(default)]
    pub partner_id: Option<Uuid>,
    #[serde(default)]
    pub provider_name: Option<String>,
    #[serde(default)]
    pub responsible_name: Option<String>,
    #[serde(default)]
    pub responsible_phone: Option<String>,
    /// Money given per delivery, in fen (¥500 = 50000).
    #[serde(default)]
    pub amount_fen: Option<i64>,
    /// None for a one-off action.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    pub start_on: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub plan_id: Uuid,
    pub action: ActionFields,
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ActionUpdate {
    pub id: Uuid,
    pub action: ActionFields,
}

struct ActionClean {
    service_id: Option<String>,
    title: String,
    category: NeedCategory,
    partner_id: Option<String>,
    provider_name: Option<String>,
    responsible_name: Option<String>,
    responsible_phone: Option<String>,
    amount_fen: Option<i64>,
    rrule: Option<String>,
    start_on: NaiveDate,
    note: Option<String>,
    need_ids: Vec<String>,
}

fn clean_action(env: &Env, household_id: &str, f: &ActionFields) -> ApiResult<ActionClean> {
    let service = match &f.service_id {
        Some(id) => Some(
            find_service(env, &id.to_string())?
                .ok_or_else(|| ApiError::not_found("service", "service_id"))?,
        ),
        None => None,
    };
    let title = match (&f.title, &service) {
        (Some(t), _) if !t.trim().is_empty() => v::required("title", t, NAME_MAX * 2)?,
        (_, Some(s)) => s.name.clone(),
        _ => {
            return Err(ApiError::at(
                "validation.required",
                "title",
                "give the action a title or pick a service",
            ));
        }
    };
    let category = f
        .category
        .or(service.as_ref().map(|s| s.category))
        .ok_or_else(|| {
            ApiError::at(
                "validation.required",
                "category",
                "give the action a category",
            )
        })?;
    v::non_empty("need_ids", &f.need_ids)?;
    v::max_items("need_ids", &f.need_ids, 30)?;
    let mut need_ids = Vec::with_capacity(f.need_ids.len());
    for (i, id) in f.need_ids.iter().enumerate() {
        let field = format!("need_ids[{i}]");
        let n =
            find_need(env, &id.to_string())?.ok_or_else(|| ApiError::not_found("need", &field))?;
        if n.household_id != household_id {
            return Err(ApiError::at(
                "validation.need.other_household",
                field,
                "this need belongs to another household",
            ));
        }
        if n.status == NeedStatus::Withdrawn {
            return Err(ApiError::at(
                "validation.need.withdrawn",
                field,
                "this need was withdrawn",
            ));
        }
        if !need_ids.contains(&n.id) {
            need_ids.push(n.id);
        }
    }
    let partner_id = match (&f.partner_id, &service) {
        (Some(id), _) => Some(
            find_partner(env, &id.to_string())?
                .ok_or_else(|| ApiError::not_found("partner", "partner_id"))?,
        ),
        (None, Some(s)) => match &s.default_partner_id {
            Some(p) => find_partner(env, p)?,
            None => None,
        },
        (None, None) => None,
    };
    let provider_name = v::optional("provider_name", &f.provider_name, NAME_MAX)?
        .or(partner_id.as_ref().map(|p| p.name.clone()));
    let start_on = v::date_in_range("start_on", f.start_on)?;
    let rrule = match &f.recurrence {
        Some(r) => {
            r.validate(start_on).map_err(|e| {
                ApiError::at(
                    format!("validation.recurrence.{}", e.code),
                    e.field,
                    "the schedule is not valid",
                )
            })?;
            Some(r.to_rrule())
        }
        None => None,
    };
    Ok(ActionClean {
        service_id: service.map(|s| s.id),
        title,
        category,
        partner_id: partner_id.map(|p| p.id),
        provider_name,
        responsible_name: v::optional("responsible_name", &f.responsible_name, NAME_MAX)?,
        responsible_phone: v::phone("responsible_phone", &f.responsible_phone)?,
        amount_fen: v::money("amount_fen", f.amount_fen)?,
        rrule,
        start_on,
        note: v::optional_multiline("note", &f.note, TEXT_MAX)?,
        need_ids,
    })
}

fn write_action_needs(env: &Env, action_id: &str, need_ids: &[String]) -> ApiResult<()> {
    env.tx
        .execute("DELETE FROM action_need WHERE action_id = ?1", [action_id])?;
    let mut st = env
        .tx
        .prepare_cached("INSERT INTO action_need(action_id, need_id) VALUES (?1, ?2)")?;
    for n in need_ids {
        st.execute(params![action_id, n])?;
    }
    Ok(())
}

pub fn action_add(env: &Env, req: ActionInput) -> ApiResult<Action> {
    env.actor()?;
    let p = require_draft(env, "plan_id", &req.plan_id.to_string())?;
    if p.action_count >= 100 {
        return Err(ApiError::at(
            "validation.too_many",
            "plan_id",
            "a plan has at most 100 actions",
        ));
    }
    let c = clean_action(env, &p.household_id, &req.action).map_err(|e| e.under("action."))?;
    let id = env.new_id();
    let now = env.now();
    env.tx.execute(
        &format!(
            "INSERT INTO action({ACTION_COLS}, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'planned', ?14, ?15, ?15)"
        ),
        params![
            id, p.id, p.household_id, c.service_id, c.title, c.category, c.partner_id, c.provider_name,
            c.responsible_name, c.responsible_phone, c.amount_fen, c.rrule, c.start_on, c.note, now
        ],
    )?;
    write_action_needs(env, &id, &c.need_ids)?;
    touch_household(env, &p.household_id)?;
    let a = find_action(env, &id)?.ok_or_else(|| ApiError::internal("action vanished"))?;
    env.audit::<(), _>("action", &id, Some(&p.household_id), None, Some(&a))?;
    Ok(a)
}

fn require_action(env: &Env, id: &Uuid) -> ApiResult<Action> {
    find_action(env, &id.to_string())?.ok_or_else(|| ApiError::not_found("action", "id"))
}

pub fn action_update(env: &Env, req: ActionUpdate) -> ApiResult<Action> {
    env.actor()?;
    let before = require_action(env, &req.id)?;
    require_draft(env, "id", &before.plan_version_id)?;
    let c = clean_action(env, &before.household_id, &req.action).map_err(|e| e.under("action."))?;
    env.tx.execute(
        "UPDATE action SET service_id = ?2, title = ?3, category = ?4, partner_id = ?5, provider_name = ?6,
            responsible_name = ?7, responsible_phone = ?8, amount_fen = ?9, recurrence = ?10, start_on = ?11,
            note = ?12, updated_at = ?13
         WHERE id = ?1",
        params![
            before.id, c.service_id, c.title, c.category, c.partner_id, c.provider_name, c.responsible_name,
            c.responsible_phone, c.amount_fen, c.rrule, c.start_on, c.note, env.now()
        ],
    )?;
    write_action_needs(env, &before.id, &c.need_ids)?;
    touch_household(env, &before.household_id)?;
    let after =
        find_action(env, &before.id)?.ok_or_else(|| ApiError::internal("action vanished"))?;
    env.audit(
        "action",
        &before.id,
        Some(&before.household_id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

pub fn action_remove(env: &Env, req: ById) -> ApiResult<Action> {
    env.actor()?;
    let before = require_action(env, &req.id)?;
    require_draft(env, "id", &before.plan_version_id)?;
    env.tx
        .execute("DELETE FROM action_need WHERE action_id = ?1", [&before.id])?;
    env.tx
        .execute("DELETE FROM action WHERE id = ?1", [&before.id])?;
    touch_household(env, &before.household_id)?;
    env.audit::<_, ()>(
        "action",
        &before.id,
        Some(&before.household_id),
        Some(&before),
        None,
    )?;
    Ok(before)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ActionSetStatus {
    pub id: Uuid,
    pub to: ActionStatus,
    #[serde(default)]
    pub note: Option<String>,
}

/// Complete or cancel an action of the plan in force; its future unrecorded deliveries go.
pub fn action_set_status(env: &Env, req: ActionSetStatus) -> ApiResult<Action> {
    env.actor()?;
    let before = require_action(env, &req.id)?;
    let plan = require_plan(env, "id", &before.plan_version_id)?;
    if !transitions::action(before.status, req.to) || req.to == ActionStatus::Active {
        return Err(ApiError::transition(
            "action",
            before.status.as_str(),
            req.to.as_str(),
        ));
    }
    if plan.status != PlanStatus::Approved {
        return Err(ApiError::at(
            "action.not_in_force",
            "id",
            "only actions of the plan in force change status; edit the draft instead",
        ));
    }
    let note = v::optional_multiline("note", &req.note, TEXT_MAX)?;
    env.tx.execute(
        "UPDATE action SET status = ?2, note = coalesce(?3, note), updated_at = ?4 WHERE id = ?1",
        params![before.id, req.to, note, env.now()],
    )?;
    let dropped = env.tx.execute(
        "DELETE FROM occurrence WHERE action_id = ?1 AND status = 'due' AND due_on >= ?2",
        params![before.id, env.ctx.today],
    )?;
    if dropped > 0 {
        env.audit::<(), _>(
            "pending_work",
            &before.id,
            Some(&before.household_id),
            None,
            Some(&serde_json::json!({"occurrences_dropped": dropped, "from": env.ctx.today})),
        )?;
    }
    touch_household(env, &before.household_id)?;
    let after = require_action(env, &req.id)?;
    env.audit(
        "action",
        &before.id,
        Some(&before.household_id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ActionPreview {
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    pub start_on: NaiveDate,
    /// How many dates (default 5, at most 50).
    #[serde(default)]
    pub n: Option<u32>,
}

/// The next dates a schedule gives, from today or its start (for the recurrence editor).
pub fn action_preview(env: &Env, req: ActionPreview) -> ApiResult<Vec<NaiveDate>> {
    let start = v::date_in_range("start_on", req.start_on)?;
    let n = req.n.unwrap_or(5);
    if !(1..=50).contains(&n) {
        return Err(ApiError::at("validation.out_of_range", "n", "n is 1 to 50"));
    }
    let from = start.max(env.ctx.today);
    match req.recurrence {
        None => Ok(if start >= env.ctx.today {
            vec![start]
        } else {
            vec![]
        }),
        Some(r) => {
            r.validate(start).map_err(|e| {
                ApiError::at(
                    format!("validation.recurrence.{}", e.code),
                    e.field,
                    "the schedule is not valid",
                )
            })?;
            r.next_dates(start, from, n as usize).map_err(|e| {
                ApiError::at(
                    format!("validation.recurrence.{}", e.code),
                    e.field,
                    "the schedule is not valid",
                )
            })
        }
    }
}

// ---------------------------------------------------------------- occurrences

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Occurrence {
    pub id: String,
    pub action_id: String,
    pub action_title: String,
    pub household_id: String,
    pub due_on: NaiveDate,
    pub status: OccurrenceStatus,
    pub done_on: Option<NaiveDate>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<String>,
    pub note: Option<String>,
    pub visit_id: Option<String>,
    pub amount_fen: Option<i64>,
}

pub const OCCURRENCE_SELECT: &str =
    "SELECT o.id, o.action_id, a.title, o.household_id, o.due_on, o.status, o.done_on,
    o.recorded_by, o.recorded_at, o.note, o.visit_id, a.amount_fen
    FROM occurrence o JOIN action a ON a.id = o.action_id";

pub fn occurrence_from_row(r: &Row) -> rusqlite::Result<Occurrence> {
    Ok(Occurrence {
        id: r.get(0)?,
        action_id: r.get(1)?,
        action_title: r.get(2)?,
        household_id: r.get(3)?,
        due_on: r.get(4)?,
        status: r.get(5)?,
        done_on: r.get(6)?,
        recorded_by: r.get(7)?,
        recorded_at: r.get(8)?,
        note: r.get(9)?,
        visit_id: r.get(10)?,
        amount_fen: r.get(11)?,
    })
}

pub fn find_occurrence(env: &Env, id: &str) -> ApiResult<Option<Occurrence>> {
    Ok(env
        .tx
        .query_row(
            &format!("{OCCURRENCE_SELECT} WHERE o.id = ?1"),
            [id],
            occurrence_from_row,
        )
        .optional()?)
}

/// Create the missing occurrences of every active action of a plan in force, from the day the
/// plan came into force (or the action's start) through `through`. Idempotent: an existing
/// occurrence (recorded or not) is never duplicated, changed or removed.
pub fn generate_occurrences(
    env: &Env,
    household_id: Option<&str>,
    through: NaiveDate,
) -> ApiResult<u64> {
    // Every household means every household in the actor's scope.
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT a.id, a.household_id, a.recurrence, a.start_on, p.in_force_from
         FROM action a JOIN plan_version p ON p.id = a.plan_version_id JOIN household h ON h.id = a.household_id
         WHERE p.status = 'approved' AND a.status = 'active' AND h.status <> 'closed'
           AND (a.household_id = ?1 OR (?1 IS NULL AND {}))",
        env.household_scope_sql("h")
    ))?;
    let rows = st
        .query_map([household_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, NaiveDate>(3)?,
                r.get::<_, Option<NaiveDate>>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut ins = env.tx.prepare_cached(
        "INSERT INTO occurrence(id, action_id, household_id, division_code, due_on, status)
         VALUES (?1, ?2, ?3, (SELECT division_code FROM household WHERE id = ?3), ?4, 'due')
         ON CONFLICT(action_id, due_on) DO NOTHING",
    )?;
    let mut created = 0u64;
    for (action_id, hh, rrule, start, in_force) in rows {
        let from = in_force.map_or(start, |f| f.max(start));
        let dates = match rrule {
            None => {
                if start >= from && start <= through {
                    vec![start]
                } else {
                    vec![]
                }
            }
            Some(s) => {
                let r = Recurrence::from_rrule(&s)
                    .map_err(|_| ApiError::internal("a stored schedule cannot be read"))?;
                r.dates(start, from, through)
                    .map_err(|_| ApiError::internal("a stored schedule cannot be expanded"))?
            }
        };
        for d in dates {
            created += ins.execute(params![env.new_id(), action_id, hh, d])? as u64;
        }
    }
    Ok(created)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceGenerate {
    /// One household, or every household when absent.
    #[serde(default)]
    pub household_id: Option<Uuid>,
    /// Defaults to today plus the configured horizon.
    #[serde(default)]
    pub through: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Generated {
    pub created: u64,
    pub through: NaiveDate,
}

pub fn occurrence_generate(env: &Env, req: OccurrenceGenerate) -> ApiResult<Generated> {
    env.actor()?;
    let hh = match &req.household_id {
        Some(id) => Some(require_household(env, "household_id", &id.to_string())?.id),
        None => None,
    };
    let settings = rf::load_settings(env)?;
    let through = match req.through {
        Some(t) => {
            let t = v::date_in_range("through", t)?;
            if t > env.ctx.today + chrono::Duration::days(366) {
                return Err(ApiError::at(
                    "validation.out_of_range",
                    "through",
                    "generate at most a year ahead",
                ));
            }
            t
        }
        None => env.ctx.today + chrono::Duration::days(i64::from(settings.occurrence_horizon_days)),
    };
    let created = generate_occurrences(env, hh.as_deref(), through)?;
    if created > 0 {
        env.audit::<(), _>(
            "occurrence",
            hh.as_deref().unwrap_or("*"),
            hh.as_deref(),
            None,
            Some(&serde_json::json!({"created": created, "through": through})),
        )?;
    }
    Ok(Generated { created, through })
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceQuery {
    pub household_id: Uuid,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub status: Option<OccurrenceStatus>,
    #[serde(default)]
    pub action_id: Option<Uuid>,
}

pub fn occurrence_list(env: &Env, req: OccurrenceQuery) -> ApiResult<Vec<Occurrence>> {
    let h = require_household(env, "household_id", &req.household_id.to_string())?;
    if let (Some(from), Some(to)) = (req.from, req.to)
        && from > to
    {
        return Err(ApiError::at(
            "validation.date.order",
            "to",
            "to is before from",
        ));
    }
    let mut st = env.tx.prepare_cached(&format!(
        "{OCCURRENCE_SELECT} WHERE o.household_id = ?1 AND (?2 IS NULL OR o.due_on >= ?2) AND (?3 IS NULL OR o.due_on <= ?3)
         AND (?4 IS NULL OR o.status = ?4) AND (?5 IS NULL OR o.action_id = ?5)
         ORDER BY o.due_on, a.title, o.id LIMIT 5000"
    ))?;
    let rows = st
        .query_map(
            params![
                h.id,
                req.from,
                req.to,
                req.status,
                req.action_id.map(|a| a.to_string())
            ],
            occurrence_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceRecord {
    pub id: Uuid,
    pub status: OccurrenceStatus,
    /// The day it was delivered (done only; defaults to today).
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What is recorded about one occurrence.
pub struct Recording<'a> {
    pub status: OccurrenceStatus,
    pub done_on: Option<NaiveDate>,
    pub note: Option<String>,
    /// The visit during which it was delivered.
    pub visit_id: Option<&'a str>,
}

/// Record what became of one occurrence (also used by `visit.log`); `household_id`, when
/// given, is the household it must belong to.
pub fn record_occurrence(
    env: &Env,
    field: &str,
    id: &str,
    household_id: Option<&str>,
    rec: Recording,
) -> ApiResult<Occurrence> {
    let Recording {
        status,
        done_on,
        note,
        visit_id,
    } = rec;
    let actor = env.actor()?.id.to_string();
    let before =
        find_occurrence(env, id)?.ok_or_else(|| ApiError::not_found("occurrence", field))?;
    if let Some(h) = household_id
        && before.household_id != h
    {
        return Err(ApiError::at(
            "validation.occurrence.other_household",
            field,
            "this delivery belongs to another household",
        ));
    }
    if !transitions::occurrence(before.status, status) {
        return Err(ApiError::at(
            "occurrence.transition.invalid",
            field,
            format!("this delivery is already recorded as {}", before.status),
        ));
    }
    let done_on = match status {
        OccurrenceStatus::Done => Some(v::date_not_after(
            "done_on",
            done_on.unwrap_or(env.ctx.today),
            env.ctx.today,
        )?),
        _ if done_on.is_some() => {
            return Err(ApiError::at(
                "validation.not_allowed",
                "done_on",
                "done_on is only given for a delivery that was done",
            ));
        }
        _ => None,
    };
    let note = v::optional_multiline("note", &note, TEXT_MAX)?;
    env.tx.execute(
        "UPDATE occurrence SET status = ?2, done_on = ?3, recorded_by = ?4, recorded_at = ?5, note = ?6, visit_id = ?7
         WHERE id = ?1",
        params![before.id, status, done_on, actor, env.now(), note, visit_id],
    )?;
    let after =
        find_occurrence(env, id)?.ok_or_else(|| ApiError::internal("occurrence vanished"))?;
    env.audit(
        "occurrence",
        id,
        Some(&before.household_id),
        Some(&before),
        Some(&after),
    )?;
    // A one-off action is completed by its one delivery.
    if status == OccurrenceStatus::Done
        && let Some(action) = find_action(env, &before.action_id)?
        && action.recurrence.is_none()
        && action.status == ActionStatus::Active
    {
        env.tx.execute(
            "UPDATE action SET status = 'completed', updated_at = ?2 WHERE id = ?1",
            params![action.id, env.now()],
        )?;
        let done = find_action(env, &action.id)?;
        env.audit(
            "action",
            &action.id,
            Some(&action.household_id),
            Some(&action),
            done.as_ref(),
        )?;
    }
    Ok(after)
}

pub fn occurrence_record(env: &Env, req: OccurrenceRecord) -> ApiResult<Occurrence> {
    let o = find_occurrence(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found("occurrence", "id"))?;
    require_open_household(env, "id", &o.household_id)?;
    let rec = Recording {
        status: req.status,
        done_on: req.done_on,
        note: req.note,
        visit_id: None,
    };
    let after = record_occurrence(env, "id", &o.id, None, rec)?;
    touch_household(env, &o.household_id)?;
    Ok(after)
}
