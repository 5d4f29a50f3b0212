//! The plan diff (`plan.diff`): what changed between two versions of a household's plan —
//! goals, the needs it answers (by need) and its actions (by lineage, so a copied action is
//! "changed", not removed and added). A read over two plan details.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::action::Action;
use super::plan::{PlanNeed, plan_detail};
use super::plan_version::Plan;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::ActionStatus;

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDiffReq {
    pub from_id: Uuid,
    pub to_id: Uuid,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Changed<T> {
    pub before: T,
    pub after: T,
    /// Names of the fields that differ.
    pub fields: Vec<&'static str>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct DiffSet<T> {
    pub added: Vec<T>,
    /// Taken out of the plan by the new version.
    pub removed: Vec<T>,
    /// Not carried over because their work is done: actions completed, or whose schedule
    /// has ended — help given, not help taken away (needs: always empty).
    pub ended: Vec<T>,
    pub changed: Vec<Changed<T>>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
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
        ended: vec![],
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
        lasting,
        ends_on,
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
            ErrorCode::PlanDiffOtherHousehold,
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
        actions: {
            let mut d = diff_by_key(
                &a.actions,
                &b.actions,
                |x| x.lineage_id.clone(),
                action_fields_changed,
            );
            let (ended, removed) = std::mem::take(&mut d.removed).into_iter().partition(|x| {
                // Left out because its work was done: completed, or its schedule ended.
                x.status == ActionStatus::Completed
                    || x.schedule_ended(b.plan.in_force_from.unwrap_or(env.ctx.today))
            });
            d.ended = ended;
            d.removed = removed;
            d
        },
        from: a.plan,
        to: b.plan,
    })
}
