//! Plans: versioned plans with supervisor review — a draft copied from the plan in force,
//! submitted (its needs frozen), approved (it comes into force and its occurrences are
//! generated) or returned, and revised; the plan with its actions and needs as screens show
//! it; the supervisor's review queue.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::action::{Action, actions_of};
use super::household::{require_household, require_open_household, touch_household};
use super::occurrence::generate_occurrences;
use super::plan_version::{PLAN_COLS, Plan, plan_summaries, require_draft, require_plan};
use super::reference::{self as rf, ById};
use super::shared::HEAD_NAME_SQL;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;
use crate::validate::{self as v, TEXT_MAX};

/// A need as the plan saw it: frozen at submission, live while the plan is being drafted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct PlanNeed {
    pub need_id: String,
    pub category: NeedCategory,
    pub priority: Priority,
    pub description: String,
    pub status: NeedStatus,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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
            ErrorCode::PlanWorkingCopyExists,
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
            // A recurring action whose rule has ended (until passed, count used up) has
            // nothing more to deliver: it stays in the version it belongs to.
            if a.schedule_ended(env.ctx.today) {
                continue;
            }
            let new_action = env.new_id();
            env.tx.execute(
                "INSERT INTO action(id, plan_version_id, household_id, lineage_id, service_id, title, category, partner_id,
                    provider_name, responsible_name, responsible_phone, amount_fen, recurrence, start_on, status, note,
                    lasting, ends_on, created_at, updated_at)
                 SELECT ?2, ?3, household_id, lineage_id, service_id, title, category, partner_id, provider_name,
                    responsible_name, responsible_phone, amount_fen, recurrence, start_on, 'planned', note,
                    lasting, ends_on, ?4, ?4
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanUpdate {
    pub id: Uuid,
    /// Left out: unchanged; `null` or blank: no goals written yet.
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[ts(optional)]
    pub goals: Option<Option<String>>,
}

pub fn plan_update(env: &Env, req: PlanUpdate) -> ApiResult<PlanDetail> {
    env.actor()?;
    let p = require_draft(env, "id", &req.id.to_string())?;
    let Some(goals) = req.goals else {
        return plan_detail(env, &p.id);
    };
    let goals = v::optional_multiline("goals", &goals, TEXT_MAX)?.unwrap_or_default();
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
        Err(ApiError::transition(
            ErrorCode::PlanTransitionInvalid,
            p.status.as_str(),
            to.as_str(),
        ))
    }
}

pub fn plan_submit(env: &Env, req: ById) -> ApiResult<PlanDetail> {
    let actor = env.actor()?.id.to_string();
    let p = require_plan(env, "id", &req.id.to_string())?;
    check_plan_transition(&p, PlanStatus::Submitted)?;
    require_open_household(env, "id", &p.household_id)?;
    if p.goals.trim().is_empty() {
        return Err(ApiError::at(
            ErrorCode::ValidationRequired,
            "goals",
            "write the plan's goals before submitting",
        ));
    }
    if p.action_count == 0 {
        return Err(ApiError::at(
            ErrorCode::PlanActionsRequired,
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDecision {
    pub id: Uuid,
    /// Required when returning a plan.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Approving a plan: the decision, and the day it takes effect.
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanApproval {
    pub id: Uuid,
    #[serde(default)]
    pub comment: Option<String>,
    /// The day the plan took effect, for a case entered after the fact (its past deliveries
    /// can then be recorded on their own dates). Defaults to today; not before the household
    /// was referred, nor before the version it replaces took effect, nor in the future. The
    /// record keeps both this date and when (and by whom) the approval was entered.
    #[serde(default)]
    #[ts(optional)]
    pub in_force_from: Option<NaiveDate>,
}

pub fn plan_approve(env: &Env, req: PlanApproval) -> ApiResult<PlanDetail> {
    let actor = env.actor()?.id.to_string();
    let p = require_plan(env, "id", &req.id.to_string())?;
    check_plan_transition(&p, PlanStatus::Approved)?;
    let h = require_open_household(env, "id", &p.household_id)?;
    // Four eyes: a township chair may both carry cases and review, but never her own plan.
    if p.created_by == actor
        || p.submitted_by.as_deref() == Some(actor.as_str())
        || h.caseworker_id.as_deref() == Some(actor.as_str())
    {
        return Err(ApiError::at(
            ErrorCode::PlanReviewOwn,
            "id",
            "a plan is approved by someone other than who drafted, submitted or carries it",
        ));
    }
    let comment = v::optional_multiline("comment", &req.comment, TEXT_MAX)?;
    let now = env.now();
    let from = v::date_not_after(
        "in_force_from",
        req.in_force_from.unwrap_or(env.ctx.today),
        env.ctx.today,
    )?;
    if from < h.referred_on {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "in_force_from",
            "a plan cannot take effect before the household was referred",
        ));
    }
    let replaced_from: Option<NaiveDate> = env
        .tx
        .query_row(
            "SELECT in_force_from FROM plan_version WHERE household_id = ?1 AND status = 'approved'",
            [&p.household_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if replaced_from.is_some_and(|f| from < f) {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "in_force_from",
            "a plan cannot take effect before the version it replaces did",
        ));
    }
    // From here, "today" for the hand-over between the versions is the day this one takes
    // effect: the old version's unrecorded deliveries from that day go with it.
    let today = from;
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
    let through =
        env.ctx.today + chrono::Duration::days(i64::from(settings.occurrence_horizon_days));
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
            ErrorCode::ValidationRequired,
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ByHousehold {
    pub household_id: Uuid,
}

pub fn plan_list(env: &Env, req: ByHousehold) -> ApiResult<Vec<Plan>> {
    let h = require_household(env, "household_id", &req.household_id.to_string())?;
    plan_summaries(env, &h.id)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewQueue {
    /// Defaults to the acting staff member's division.
    #[serde(default)]
    pub division_code: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
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
