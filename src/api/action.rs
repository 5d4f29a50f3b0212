//! Actions: the assistance a plan version gives (a service, a partner, an amount, a schedule),
//! each answering one or more needs; edited only in a draft, completed or cancelled once the
//! plan is in force; and the preview of a schedule's next dates.

use crate::api::patch::patchable;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::household::touch_household;
use super::need::find_need;
use super::plan_version::{require_draft, require_plan};
use super::reference::{ById, find_partner, find_service};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::recurrence::Recurrence;
use crate::schedule::{self, ScheduleText};
use crate::school_calendar::Holidays;
use crate::types::*;
use crate::validate::{self as v, NAME_MAX, TEXT_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
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
    /// None: a one-off action, delivered once on start_on, or a lasting one.
    pub recurrence: Option<Recurrence>,
    pub start_on: NaiveDate,
    /// Help that lasts over a period (a hospital stay, free housing) rather than being
    /// delivered on dates: its one delivery is its start, and it runs until `ends_on`.
    pub lasting: bool,
    /// A lasting action's last day; None while it runs until it is closed.
    pub ends_on: Option<NaiveDate>,
    /// The schedule (recurrence and start) in words, in both languages.
    #[serde(skip_deserializing)]
    pub schedule: ScheduleText,
    pub status: ActionStatus,
    pub note: Option<String>,
    pub need_ids: Vec<String>,
}

impl Action {
    /// Whether the action's schedule has nothing left to give from `on`: a rule with an end
    /// (`until`, `count`) that yields no date on or after that day, or a lasting action whose
    /// last day is before it. One-off actions, open-ended rules and lasting actions without an
    /// end never end this way (a one-off ends with its delivery, the others when closed).
    pub fn schedule_ended(&self, on: NaiveDate) -> bool {
        if self.lasting {
            return self.ends_on.is_some_and(|e| e < on);
        }
        self.recurrence.as_ref().is_some_and(|r| {
            (r.until.is_some() || r.count.is_some())
                && r.without_holidays()
                    .next_dates(self.start_on, on, 1, &Holidays::NONE)
                    .is_ok_and(|d| d.is_empty())
        })
    }
}

const ACTION_COLS: &str = "id, plan_version_id, household_id, lineage_id, service_id, title, category, partner_id,
    provider_name, responsible_name, responsible_phone, amount_fen, recurrence, start_on, status, note, lasting,
    ends_on";

fn action_from_row(r: &Row) -> rusqlite::Result<Action> {
    let rrule: Option<String> = r.get("recurrence")?;
    let recurrence = match rrule {
        None => None,
        Some(s) => Some(Recurrence::from_rrule(&s).map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                r.as_ref().column_index("recurrence").unwrap_or_default(),
                rusqlite::types::Type::Text,
                "unsupported recurrence rule".into(),
            )
        })?),
    };
    let start_on: NaiveDate = r.get("start_on")?;
    let lasting: bool = r.get("lasting")?;
    let ends_on: Option<NaiveDate> = r.get("ends_on")?;
    Ok(Action {
        schedule: schedule::describe_action(recurrence.as_ref(), start_on, lasting, ends_on),
        lasting,
        ends_on,
        id: r.get("id")?,
        plan_version_id: r.get("plan_version_id")?,
        household_id: r.get("household_id")?,
        lineage_id: r.get("lineage_id")?,
        service_id: r.get("service_id")?,
        title: r.get("title")?,
        category: r.get("category")?,
        partner_id: r.get("partner_id")?,
        provider_name: r.get("provider_name")?,
        responsible_name: r.get("responsible_name")?,
        responsible_phone: r.get("responsible_phone")?,
        amount_fen: r.get("amount_fen")?,
        recurrence,
        start_on,
        status: r.get("status")?,
        note: r.get("note")?,
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

patchable! {
/// The editable fields of an action.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionFields / ActionPatch {
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
    /// None for a one-off or a lasting action.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    pub start_on: NaiveDate,
    /// Help that lasts from `start_on` (a hospital stay, free housing) rather than a delivery
    /// on dates; no recurrence then.
    #[serde(default)]
    pub lasting: bool,
    /// A lasting action's last day (not before `start_on`); absent: until it is closed.
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub plan_id: Uuid,
    pub action: ActionFields,
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionUpdate {
    pub id: Uuid,
    /// The fields to change; the others stay as they are.
    pub action: ActionPatch,
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
    lasting: bool,
    ends_on: Option<NaiveDate>,
    note: Option<String>,
    need_ids: Vec<String>,
}

fn clean_action(env: &Env, household_id: &str, f: &ActionFields) -> ApiResult<ActionClean> {
    let service = match &f.service_id {
        Some(id) => Some(
            find_service(env, &id.to_string())?
                .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundService, "service_id"))?,
        ),
        None => None,
    };
    let title = match (&f.title, &service) {
        (Some(t), _) if !t.trim().is_empty() => v::required("title", t, NAME_MAX * 2)?,
        (_, Some(s)) => s.name.clone(),
        _ => {
            return Err(ApiError::at(
                ErrorCode::ValidationRequired,
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
                ErrorCode::ValidationRequired,
                "category",
                "give the action a category",
            )
        })?;
    v::non_empty("need_ids", &f.need_ids)?;
    v::max_items("need_ids", &f.need_ids, 30)?;
    let mut need_ids = Vec::with_capacity(f.need_ids.len());
    for (i, id) in f.need_ids.iter().enumerate() {
        let field = format!("need_ids[{i}]");
        let n = find_need(env, &id.to_string())?
            .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundNeed, &field))?;
        if n.household_id != household_id {
            return Err(ApiError::at(
                ErrorCode::ValidationNeedOtherHousehold,
                field,
                "this need belongs to another household",
            ));
        }
        if n.status == NeedStatus::Withdrawn {
            return Err(ApiError::at(
                ErrorCode::ValidationNeedWithdrawn,
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
                .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundPartner, "partner_id"))?,
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
            r.validate(start_on)
                .map_err(|e| ApiError::at(e.code, e.field, "the schedule is not valid"))?;
            Some(r.to_rrule())
        }
        None => None,
    };
    if f.lasting && f.recurrence.is_some() {
        return Err(ApiError::at(
            ErrorCode::ValidationRecurrenceConflict,
            "recurrence",
            "help that lasts over a period has no repeating schedule",
        ));
    }
    let ends_on = match f.ends_on {
        Some(_) if !f.lasting => {
            return Err(ApiError::at(
                ErrorCode::ValidationNotApplicable,
                "ends_on",
                "only help that lasts over a period has an end day",
            ));
        }
        Some(e) => {
            let e = v::date_in_range("ends_on", e)?;
            if e < start_on {
                return Err(ApiError::at(
                    ErrorCode::ValidationDateOrder,
                    "ends_on",
                    "the last day is before the first",
                ));
            }
            Some(e)
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
        lasting: f.lasting,
        ends_on,
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
            ErrorCode::ValidationTooMany,
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
             VALUES (?1, ?2, ?3, ?1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'planned', ?14, ?16, ?17,
                     ?15, ?15)"
        ),
        params![
            id, p.id, p.household_id, c.service_id, c.title, c.category, c.partner_id, c.provider_name,
            c.responsible_name, c.responsible_phone, c.amount_fen, c.rrule, c.start_on, c.note, now,
            c.lasting, c.ends_on
        ],
    )?;
    write_action_needs(env, &id, &c.need_ids)?;
    touch_household(env, &p.household_id)?;
    let a = find_action(env, &id)?.ok_or_else(|| ApiError::internal("action vanished"))?;
    env.audit::<(), _>("action", &id, Some(&p.household_id), None, Some(&a))?;
    Ok(a)
}

fn require_action(env: &Env, id: &Uuid) -> ApiResult<Action> {
    find_action(env, &id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundAction, "id"))
}

pub fn action_update(env: &Env, req: ActionUpdate) -> ApiResult<Action> {
    env.actor()?;
    let before = require_action(env, &req.id)?;
    require_draft(env, "id", &before.plan_version_id)?;
    let uuid = |s: &Option<String>| s.as_deref().and_then(|s| Uuid::parse_str(s).ok());
    let fields = req.action.apply(ActionFields {
        service_id: uuid(&before.service_id),
        title: Some(before.title.clone()),
        category: Some(before.category),
        need_ids: before
            .need_ids
            .iter()
            .filter_map(|n| Uuid::parse_str(n).ok())
            .collect(),
        partner_id: uuid(&before.partner_id),
        provider_name: before.provider_name.clone(),
        responsible_name: before.responsible_name.clone(),
        responsible_phone: before.responsible_phone.clone(),
        amount_fen: before.amount_fen,
        recurrence: before.recurrence.clone(),
        start_on: before.start_on,
        lasting: before.lasting,
        ends_on: before.ends_on,
        note: before.note.clone(),
    });
    let c = clean_action(env, &before.household_id, &fields).map_err(|e| e.under("action."))?;
    env.tx.execute(
        "UPDATE action SET service_id = ?2, title = ?3, category = ?4, partner_id = ?5, provider_name = ?6,
            responsible_name = ?7, responsible_phone = ?8, amount_fen = ?9, recurrence = ?10, start_on = ?11,
            note = ?12, updated_at = ?13, lasting = ?14, ends_on = ?15
         WHERE id = ?1",
        params![
            before.id, c.service_id, c.title, c.category, c.partner_id, c.provider_name, c.responsible_name,
            c.responsible_phone, c.amount_fen, c.rrule, c.start_on, c.note, env.now(), c.lasting, c.ends_on
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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
            ErrorCode::ActionTransitionInvalid,
            before.status.as_str(),
            req.to.as_str(),
        ));
    }
    if plan.status != PlanStatus::Approved {
        return Err(ApiError::at(
            ErrorCode::ActionNotInForce,
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPreview {
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    pub start_on: NaiveDate,
    /// Help that lasts from `start_on` (see [`ActionFields`]).
    #[serde(default)]
    #[ts(optional)]
    pub lasting: Option<bool>,
    /// A lasting action's last day.
    #[serde(default)]
    #[ts(optional)]
    pub ends_on: Option<NaiveDate>,
    /// How many dates (default 5, at most 50).
    #[serde(default)]
    pub n: Option<u32>,
}

/// What the recurrence editor shows of a schedule being edited.
#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct SchedulePreview {
    /// The next dates, from today or the start, whichever is later.
    pub dates: Vec<NaiveDate>,
    /// The schedule in words.
    pub schedule: ScheduleText,
}

/// The next dates a schedule gives, from today or its start, and the schedule in words (for
/// the recurrence editor).
pub fn action_preview(env: &Env, req: ActionPreview) -> ApiResult<SchedulePreview> {
    let start = v::date_in_range("start_on", req.start_on)?;
    let n = req.n.unwrap_or(5);
    if !(1..=50).contains(&n) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "n",
            "n is 1 to 50",
        ));
    }
    let from = start.max(env.ctx.today);
    let lasting = req.lasting.unwrap_or(false);
    let dates = match &req.recurrence {
        // Help that lasts is delivered once, when it starts.
        Some(_) if lasting => {
            return Err(ApiError::at(
                ErrorCode::ValidationRecurrenceConflict,
                "recurrence",
                "help that lasts over a period has no repeating schedule",
            ));
        }
        None if start >= env.ctx.today => vec![start],
        None => vec![],
        Some(r) => {
            r.validate(start)
                .map_err(|e| ApiError::at(e.code, e.field, "the schedule is not valid"))?;
            let holidays = if r.school_holidays.is_some() {
                let through = from + chrono::Duration::days(3 * 366);
                super::holiday_calendar::load_holidays(env, from, through)?
            } else {
                Holidays::none()
            };
            r.next_dates(start, from, n as usize, &holidays)
                .map_err(|e| ApiError::at(e.code, e.field, "the schedule is not valid"))?
        }
    };
    Ok(SchedulePreview {
        dates,
        schedule: schedule::describe_action(req.recurrence.as_ref(), start, lasting, req.ends_on),
    })
}
