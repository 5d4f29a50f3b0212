//! The household detail (`household.get`): one read model gathering a household with its
//! members, needs, plans, recent visits and visit cadence for the household screen. It depends
//! on those entities; none of them depends on it.

use chrono::NaiveDate;
use serde::Serialize;

use super::Env;
use super::household::{Household, require_household};
use super::member::{Member, members_of};
use super::need::{Need, needs_of};
use super::plan::{PlanDetail, plan_detail};
use super::plan_version::{PlanSummary, plan_summaries};
use super::reference::{self as rf, ById};
use super::visit::{self, Visit};
use crate::error::ApiResult;
use crate::types::*;

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct HouseholdDetail {
    pub household: Household,
    /// 江苏省 宿迁市 泗洪县 车门乡 车门社区
    pub division_name: String,
    pub caseworker_name: Option<String>,
    pub members: Vec<Member>,
    pub removed_members: Vec<Member>,
    pub needs: Vec<Need>,
    /// Open needs that no action of the plan in force or the working plan answers.
    pub unanswered_need_ids: Vec<String>,
    pub plans: Vec<PlanSummary>,
    pub plan_in_force: Option<PlanDetail>,
    pub working_plan: Option<PlanDetail>,
    pub recent_visits: Vec<Visit>,
    /// The next scheduled visit still to come (today or later).
    pub next_scheduled_visit: Option<Visit>,
    /// Every visit still scheduled, overdue ones first: what a logged visit may fulfil.
    pub open_scheduled_visits: Vec<Visit>,
    /// The date by which the next visit is due under the cadence for this priority.
    pub next_visit_due_on: Option<NaiveDate>,
    pub overdue: bool,
}

pub fn household_get(env: &Env, req: ById) -> ApiResult<HouseholdDetail> {
    let household = require_household(env, "id", &req.id.to_string())?;
    let division_name = rf::division_path(env, &household.division_code)?
        .iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let caseworker_name = match &household.caseworker_id {
        Some(id) => rf::find_staff(env, id)?.map(|s| s.name),
        None => None,
    };
    let all_members = members_of(env, &household.id, true)?;
    let (members, removed_members): (Vec<_>, Vec<_>) = all_members
        .into_iter()
        .map(Member::masked)
        .partition(|m| m.removed_on.is_none());
    let needs = needs_of(env, &household.id)?;
    let plans = plan_summaries(env, &household.id)?;
    let plan_in_force = match plans.iter().find(|p| p.status == PlanStatus::Approved) {
        Some(p) => Some(plan_detail(env, &p.id)?),
        None => None,
    };
    let working_plan = match plans.iter().find(|p| {
        matches!(
            p.status,
            PlanStatus::Draft | PlanStatus::Submitted | PlanStatus::Returned
        )
    }) {
        Some(p) => Some(plan_detail(env, &p.id)?),
        None => None,
    };
    let answered: std::collections::HashSet<&str> = plan_in_force
        .iter()
        .chain(working_plan.iter())
        .flat_map(|p| p.actions.iter())
        .filter(|a| !matches!(a.status, ActionStatus::Cancelled))
        .flat_map(|a| a.need_ids.iter().map(String::as_str))
        .collect();
    let unanswered_need_ids = needs
        .iter()
        .filter(|n| {
            matches!(n.status, NeedStatus::Open | NeedStatus::InProgress)
                && !answered.contains(n.id.as_str())
        })
        .map(|n| n.id.clone())
        .collect();
    let recent_visits: Vec<Visit> = visit::visits_of(env, &household.id, 20, None)?
        .into_iter()
        .map(Visit::masked)
        .collect();
    let next_scheduled_visit = visit::next_scheduled(env, &household.id)?.map(Visit::masked);
    let open_scheduled_visits = visit::open_scheduled(env, &household.id)?
        .into_iter()
        .map(Visit::masked)
        .collect();
    let settings = rf::load_settings(env)?;
    let (next_visit_due_on, overdue) = visit::cadence_state(&household, &settings, env.ctx.today);
    Ok(HouseholdDetail {
        household,
        division_name,
        caseworker_name,
        members,
        removed_members,
        needs,
        unanswered_need_ids,
        plans,
        plan_in_force,
        working_plan,
        recent_visits,
        next_scheduled_visit,
        open_scheduled_visits,
        next_visit_due_on,
        overdue,
    })
}
