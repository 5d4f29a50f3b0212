//! Visits (scheduled, logged, not at home, cancelled) and the follow-up rules built on them:
//! which households are past their visit cadence, which visits and deliveries are due or
//! overdue, for one caseworker or for a whole division.

use chrono::{Duration, NaiveDate};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::household::{Household, require_household, require_open_household, touch_household};
use super::need::{Need, NeedFields, NeedSetStatus, insert_need, set_need_status};
use super::occurrence::{Recording, record_occurrence};
use super::reference::{self as rf, Settings};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;
use crate::validate::{self as v, NAME_MAX, NOTES_MAX, TEXT_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Visitor {
    /// A staff member, or None for someone outside the system (a volunteer).
    #[serde(default)]
    pub staff_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Visit {
    pub id: String,
    pub household_id: String,
    pub status: VisitStatus,
    pub kind: VisitKind,
    pub scheduled_on: Option<NaiveDate>,
    pub visited_on: Option<NaiveDate>,
    pub visitors: Vec<Visitor>,
    pub members_seen: Vec<String>,
    pub notes: Option<String>,
    pub next_visit_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: String,
    /// Needs first found during this visit.
    pub needs_found: Vec<String>,
    /// Occurrences delivered during this visit.
    pub occurrences_delivered: Vec<String>,
    /// Sensitive fields held back from this response (`notes`); `visit.reveal_notes` shows
    /// them, and is audited.
    #[serde(default)]
    pub hidden: Vec<String>,
}

impl Visit {
    /// This visit as lists and screens show it by default: its notes withheld.
    pub fn masked(mut self) -> Visit {
        if self.notes.take().is_some() {
            self.hidden.push("notes".into());
        }
        self
    }
}

const VISIT_COLS: &str =
    "id, household_id, status, kind, scheduled_on, visited_on, visitors, members_seen, notes,
    next_visit_on, created_by, created_at";

fn visit_from_row(r: &Row) -> rusqlite::Result<Visit> {
    let json_err = |name: &str| {
        let i = r.as_ref().column_index(name).unwrap_or_default();
        move |_| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Text,
                "malformed JSON list".into(),
            )
        }
    };
    let visitors: String = r.get("visitors")?;
    let seen: String = r.get("members_seen")?;
    Ok(Visit {
        id: r.get("id")?,
        household_id: r.get("household_id")?,
        status: r.get("status")?,
        kind: r.get("kind")?,
        scheduled_on: r.get("scheduled_on")?,
        visited_on: r.get("visited_on")?,
        visitors: serde_json::from_str(&visitors).map_err(json_err("visitors"))?,
        members_seen: serde_json::from_str(&seen).map_err(json_err("members_seen"))?,
        notes: r.get("notes")?,
        next_visit_on: r.get("next_visit_on")?,
        created_by: r.get("created_by")?,
        created_at: r.get("created_at")?,
        needs_found: Vec::new(),
        occurrences_delivered: Vec::new(),
        hidden: Vec::new(),
    })
}

fn with_links(env: &Env, mut visits: Vec<Visit>) -> ApiResult<Vec<Visit>> {
    let mut needs = env
        .tx
        .prepare_cached("SELECT id FROM need WHERE found_visit_id = ?1 ORDER BY id")?;
    let mut occ = env
        .tx
        .prepare_cached("SELECT id FROM occurrence WHERE visit_id = ?1 ORDER BY due_on, id")?;
    for vi in &mut visits {
        vi.needs_found = needs
            .query_map([&vi.id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        vi.occurrences_delivered = occ
            .query_map([&vi.id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
    }
    Ok(visits)
}

pub fn find_visit(env: &Env, id: &str) -> ApiResult<Option<Visit>> {
    let vi = env
        .tx
        .query_row(
            &format!("SELECT {VISIT_COLS} FROM visit WHERE id = ?1"),
            [id],
            visit_from_row,
        )
        .optional()?;
    Ok(match vi {
        Some(vi) => with_links(env, vec![vi])?.pop(),
        None => None,
    })
}

/// The latest visits of a household, newest first.
pub fn visits_of(
    env: &Env,
    household_id: &str,
    limit: u32,
    before: Option<NaiveDate>,
) -> ApiResult<Vec<Visit>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {VISIT_COLS} FROM visit WHERE household_id = ?1 AND (?2 IS NULL OR coalesce(visited_on, scheduled_on) < ?2)
         ORDER BY coalesce(visited_on, scheduled_on) DESC, id DESC LIMIT ?3"
    ))?;
    let rows = st
        .query_map(params![household_id, before, limit], visit_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    with_links(env, rows)
}

/// The household's next scheduled visit still to come (today or later); one whose day has
/// passed is overdue, not "next".
pub fn next_scheduled(env: &Env, household_id: &str) -> ApiResult<Option<Visit>> {
    Ok(env
        .tx
        .query_row(
            &format!(
                "SELECT {VISIT_COLS} FROM visit WHERE household_id = ?1 AND status = 'scheduled'
                   AND scheduled_on >= ?2
                 ORDER BY scheduled_on, id LIMIT 1"
            ),
            params![household_id, env.ctx.today],
            visit_from_row,
        )
        .optional()?)
}

/// Every visit of the household still scheduled (overdue ones first), for a logged visit to
/// close one of them.
pub fn open_scheduled(env: &Env, household_id: &str) -> ApiResult<Vec<Visit>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {VISIT_COLS} FROM visit WHERE household_id = ?1 AND status = 'scheduled'
         ORDER BY scheduled_on, id LIMIT 50"
    ))?;
    let rows = st
        .query_map([household_id], visit_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The scheduled visit a visit logged on `on` fulfils when the request does not say: the
/// household's earliest still-scheduled visit on or before that day.
fn fulfilled_by(env: &Env, household_id: &str, on: NaiveDate) -> ApiResult<Option<Visit>> {
    Ok(env
        .tx
        .query_row(
            &format!(
                "SELECT {VISIT_COLS} FROM visit WHERE household_id = ?1 AND status = 'scheduled'
                   AND scheduled_on <= ?2
                 ORDER BY scheduled_on, id LIMIT 1"
            ),
            params![household_id, on],
            visit_from_row,
        )
        .optional()?)
}

/// When the next visit is due under the cadence, and whether that date has passed.
pub fn cadence_due(
    status: HouseholdStatus,
    priority: Priority,
    last_visit_on: Option<NaiveDate>,
    referred_on: NaiveDate,
    settings: &Settings,
    today: NaiveDate,
) -> (Option<NaiveDate>, bool) {
    if status == HouseholdStatus::Closed {
        return (None, false);
    }
    let days = match priority {
        Priority::High => settings.cadence_days.high,
        Priority::Medium => settings.cadence_days.medium,
        Priority::Low => settings.cadence_days.low,
    };
    let due = last_visit_on.unwrap_or(referred_on) + Duration::days(i64::from(days));
    (Some(due), due < today)
}

pub fn cadence_state(
    h: &Household,
    settings: &Settings,
    today: NaiveDate,
) -> (Option<NaiveDate>, bool) {
    cadence_due(
        h.status,
        h.priority,
        h.last_visit_on,
        h.referred_on,
        settings,
        today,
    )
}

// ---------------------------------------------------------------- commands

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitSchedule {
    pub household_id: Uuid,
    pub scheduled_on: NaiveDate,
    #[serde(default)]
    pub kind: Option<VisitKind>,
    #[serde(default)]
    pub notes: Option<String>,
}

pub fn insert_scheduled(
    env: &Env,
    household_id: &str,
    on: NaiveDate,
    kind: VisitKind,
    notes: Option<String>,
) -> ApiResult<Visit> {
    let actor = env.actor()?.id.to_string();
    let id = env.new_id();
    let now = env.now();
    env.tx.execute(
        "INSERT INTO visit(id, household_id, division_code, status, kind, scheduled_on, notes, created_by, created_at,
            updated_at)
         VALUES (?1, ?2, (SELECT division_code FROM household WHERE id = ?2), 'scheduled', ?3, ?4, ?5, ?6, ?7, ?7)",
        params![id, household_id, kind, on, notes, actor, now],
    )?;
    let vi = find_visit(env, &id)?.ok_or_else(|| ApiError::internal("visit vanished"))?;
    env.audit::<(), _>("visit", &id, Some(household_id), None, Some(&vi))?;
    Ok(vi.masked())
}

pub fn visit_schedule(env: &Env, req: VisitSchedule) -> ApiResult<Visit> {
    env.actor()?;
    let h = require_open_household(env, "household_id", &req.household_id.to_string())?;
    let on = v::date_in_range("scheduled_on", req.scheduled_on)?;
    // A past day is history entered after the fact (the visit planned then, recorded now as
    // done or not at home); never before the household was referred.
    if on < h.referred_on {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "scheduled_on",
            "a visit cannot be planned before the household was referred",
        ));
    }
    let notes = v::optional_multiline("notes", &req.notes, TEXT_MAX)?;
    let vi = insert_scheduled(
        env,
        &h.id,
        on,
        req.kind.unwrap_or(VisitKind::HomeVisit),
        notes,
    )?;
    touch_household(env, &h.id)?;
    Ok(vi)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorInput {
    #[serde(default)]
    pub staff_id: Option<Uuid>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitLog {
    pub household_id: Uuid,
    /// The scheduled visit this one fulfils (it is completed, not a new visit logged beside
    /// it). Left out: the household's earliest still-scheduled visit on or before
    /// `visited_on`, if any; `null`: none (a visit nobody scheduled).
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[ts(optional)]
    pub visit_id: Option<Option<Uuid>>,
    /// Defaults to today.
    #[serde(default)]
    pub visited_on: Option<NaiveDate>,
    /// Defaults to the scheduled visit's kind, or a home visit.
    #[serde(default)]
    pub kind: Option<VisitKind>,
    /// Defaults to the acting staff member.
    #[serde(default)]
    pub visitors: Vec<VisitorInput>,
    #[serde(default)]
    pub members_seen: Vec<Uuid>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Needs first found during this visit.
    #[serde(default)]
    pub needs_found: Vec<NeedFields>,
    /// Needs whose status changed during this visit.
    #[serde(default)]
    pub need_updates: Vec<NeedSetStatus>,
    /// Occurrences delivered during this visit (marked done on the visit date).
    #[serde(default)]
    pub occurrences_delivered: Vec<Uuid>,
    /// Schedules the next visit.
    #[serde(default)]
    pub next_visit_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct VisitLogged {
    pub visit: Visit,
    pub needs_found: Vec<Need>,
    pub next_visit: Option<Visit>,
}

pub fn visit_log(env: &Env, req: VisitLog) -> ApiResult<VisitLogged> {
    let actor = env.actor()?.clone();
    let h = require_open_household(env, "household_id", &req.household_id.to_string())?;
    let today = env.ctx.today;
    let visited_on = v::date_not_after("visited_on", req.visited_on.unwrap_or(today), today)?;
    let scheduled = match &req.visit_id {
        None => fulfilled_by(env, &h.id, visited_on)?,
        Some(None) => None,
        Some(Some(id)) => {
            let s = find_visit(env, &id.to_string())?
                .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundVisit, "visit_id"))?;
            if s.household_id != h.id {
                return Err(ApiError::at(
                    ErrorCode::ValidationVisitOtherHousehold,
                    "visit_id",
                    "this visit belongs to another household",
                ));
            }
            if !transitions::visit(s.status, VisitStatus::Completed) {
                return Err(ApiError::at(
                    ErrorCode::VisitTransitionInvalid,
                    "visit_id",
                    format!("this visit is already {}", s.status),
                ));
            }
            Some(s)
        }
    };
    let kind = req
        .kind
        .or(scheduled.as_ref().map(|s| s.kind))
        .unwrap_or(VisitKind::HomeVisit);
    v::max_items("visitors", &req.visitors, 20)?;
    let mut visitors = Vec::new();
    for (i, vi) in req.visitors.iter().enumerate() {
        let field = format!("visitors[{i}]");
        let name = v::optional(&format!("{field}.name"), &vi.name, NAME_MAX)?;
        match (&vi.staff_id, name) {
            (Some(id), name) => {
                let s = rf::find_staff(env, &id.to_string())?.ok_or_else(|| {
                    ApiError::not_found(ErrorCode::NotFoundStaff, &format!("{field}.staff_id"))
                })?;
                visitors.push(Visitor {
                    staff_id: Some(s.id),
                    name: name.or(Some(s.name)),
                });
            }
            (None, Some(n)) => visitors.push(Visitor {
                staff_id: None,
                name: Some(n),
            }),
            (None, None) => {
                return Err(ApiError::at(
                    ErrorCode::ValidationRequired,
                    format!("{field}.name"),
                    "name the visitor or pick a staff member",
                ));
            }
        }
    }
    if visitors.is_empty() {
        visitors.push(Visitor {
            staff_id: Some(actor.id.to_string()),
            name: None,
        });
    }
    v::max_items("members_seen", &req.members_seen, 30)?;
    let mut seen = Vec::new();
    for (i, m) in req.members_seen.iter().enumerate() {
        let field = format!("members_seen[{i}]");
        let owner: Option<String> = env
            .tx
            .query_row(
                "SELECT household_id FROM member WHERE id = ?1",
                [m.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match owner {
            None => return Err(ApiError::not_found(ErrorCode::NotFoundMember, &field)),
            Some(o) if o != h.id => {
                return Err(ApiError::at(
                    ErrorCode::ValidationMemberOtherHousehold,
                    field,
                    "this member belongs to another household",
                ));
            }
            Some(_) => {
                if !seen.contains(&m.to_string()) {
                    seen.push(m.to_string());
                }
            }
        }
    }
    let notes = v::optional_multiline("notes", &req.notes, NOTES_MAX)?;
    let next_on = match req.next_visit_on {
        Some(d) => {
            let d = v::date_in_range("next_visit_on", d)?;
            if d <= visited_on || d < today {
                return Err(ApiError::at(
                    ErrorCode::ValidationDateOrder,
                    "next_visit_on",
                    "the next visit comes after this one",
                ));
            }
            Some(d)
        }
        None => None,
    };
    v::max_items("needs_found", &req.needs_found, 30)?;
    v::max_items("need_updates", &req.need_updates, 100)?;
    v::max_items("occurrences_delivered", &req.occurrences_delivered, 200)?;

    let visitors_json = serde_json::to_string(&visitors)?;
    let seen_json = serde_json::to_string(&seen)?;
    let now = env.now();
    let (visit_id, before) = match scheduled {
        Some(s) => {
            env.tx.execute(
                "UPDATE visit SET status = 'completed', kind = ?2, visited_on = ?3, visitors = ?4, members_seen = ?5,
                 notes = ?6, next_visit_on = ?7, updated_at = ?8 WHERE id = ?1",
                params![s.id, kind, visited_on, visitors_json, seen_json, notes, next_on, now],
            )?;
            super::campaign_item::follow_visit(env, &s.id, VisitStatus::Completed, visited_on)?;
            (s.id.clone(), Some(s))
        }
        None => {
            let id = env.new_id();
            env.tx.execute(
                "INSERT INTO visit(id, household_id, division_code, status, kind, visited_on, visitors, members_seen,
                    notes, next_visit_on, created_by, created_at, updated_at)
                 VALUES (?1, ?2, (SELECT division_code FROM household WHERE id = ?2), 'completed', ?3, ?4, ?5, ?6,
                    ?7, ?8, ?9, ?10, ?10)",
                params![id, h.id, kind, visited_on, visitors_json, seen_json, notes, next_on, actor.id.to_string(), now],
            )?;
            (id, None)
        }
    };
    let mut needs_found = Vec::new();
    for (i, f) in req.needs_found.iter().enumerate() {
        needs_found.push(
            insert_need(env, &h.id, f, visited_on, Some(&visit_id))
                .map_err(|e| e.under(&format!("needs_found[{i}].")))?,
        );
    }
    for (i, u) in req.need_updates.iter().enumerate() {
        set_need_status(env, u, Some(&h.id), visited_on)
            .map_err(|e| e.under(&format!("need_updates[{i}].")))?;
    }
    for (i, o) in req.occurrences_delivered.iter().enumerate() {
        record_occurrence(
            env,
            &format!("occurrences_delivered[{i}]"),
            &o.to_string(),
            Some(&h.id),
            Recording {
                status: OccurrenceStatus::Done,
                done_on: Some(visited_on),
                note: None,
                visit_id: Some(&visit_id),
            },
        )?;
    }
    env.tx.execute(
        "UPDATE household SET last_visit_on = max(coalesce(last_visit_on, ''), ?2), updated_at = ?3 WHERE id = ?1",
        params![h.id, visited_on, now],
    )?;
    let next_visit = match next_on {
        Some(d) => {
            let existing: Option<String> = env
                .tx
                .query_row(
                    "SELECT id FROM visit WHERE household_id = ?1 AND status = 'scheduled' AND scheduled_on = ?2",
                    params![h.id, d],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(id) => find_visit(env, &id)?,
                None => Some(insert_scheduled(env, &h.id, d, VisitKind::HomeVisit, None)?),
            }
        }
        None => None,
    };
    let visit = find_visit(env, &visit_id)?.ok_or_else(|| ApiError::internal("visit vanished"))?;
    env.audit(
        "visit",
        &visit_id,
        Some(&h.id),
        before.as_ref(),
        Some(&visit),
    )?;
    Ok(VisitLogged {
        visit: visit.masked(),
        needs_found,
        next_visit: next_visit.map(Visit::masked),
    })
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitOutcome {
    pub id: Uuid,
    /// not_at_home or cancelled (a completed visit is logged with visit.log).
    pub to: VisitStatus,
    #[serde(default)]
    pub note: Option<String>,
}

pub fn visit_set_outcome(env: &Env, req: VisitOutcome) -> ApiResult<Visit> {
    env.actor()?;
    let before = find_visit(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundVisit, "id"))?;
    if req.to == VisitStatus::Completed {
        return Err(ApiError::at(
            ErrorCode::VisitCompleteWithLog,
            "to",
            "log the visit (visit.log) to complete it",
        ));
    }
    if !transitions::visit(before.status, req.to) {
        return Err(ApiError::transition(
            ErrorCode::VisitTransitionInvalid,
            before.status.as_str(),
            req.to.as_str(),
        ));
    }
    require_open_household(env, "id", &before.household_id)?;
    let note = v::optional_multiline("note", &req.note, TEXT_MAX)?;
    // Nobody at home on the day it was planned for, when that day has passed (a visit entered
    // after the fact), else today.
    let visited_on = (req.to == VisitStatus::NotAtHome).then(|| {
        before
            .scheduled_on
            .map_or(env.ctx.today, |d| d.min(env.ctx.today))
    });
    env.tx.execute(
        "UPDATE visit SET status = ?2, notes = coalesce(?3, notes), visited_on = ?4, updated_at = ?5 WHERE id = ?1",
        params![before.id, req.to, note, visited_on, env.now()],
    )?;
    super::campaign_item::follow_visit(env, &before.id, req.to, env.ctx.today)?;
    touch_household(env, &before.household_id)?;
    let after = find_visit(env, &before.id)?.ok_or_else(|| ApiError::internal("visit vanished"))?;
    env.audit(
        "visit",
        &before.id,
        Some(&before.household_id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after.masked())
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitQuery {
    pub household_id: Uuid,
    #[serde(default)]
    pub limit: Option<u32>,
    /// Visits strictly before this date (paging back through the timeline).
    #[serde(default)]
    pub before: Option<NaiveDate>,
}

/// The visits `req` asks for, notes and all (the household, the limit checked).
fn queried_visits(env: &Env, req: &VisitQuery) -> ApiResult<(String, Vec<Visit>)> {
    let h = require_household(env, "household_id", &req.household_id.to_string())?;
    let limit = req.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "limit",
            "limit is 1 to 500",
        ));
    }
    let visits = visits_of(env, &h.id, limit, req.before)?;
    Ok((h.id, visits))
}

pub fn visit_list(env: &Env, req: VisitQuery) -> ApiResult<Vec<Visit>> {
    let (_, visits) = queried_visits(env, &req)?;
    Ok(visits.into_iter().map(Visit::masked).collect())
}

/// The same visits as `visit.list`, with their notes. Audited once per call: who, when, the
/// household and how many visits' notes were shown — not the notes.
pub fn visit_reveal_notes(env: &Env, req: VisitQuery) -> ApiResult<Vec<Visit>> {
    env.actor()?;
    let (household_id, visits) = queried_visits(env, &req)?;
    let shown = visits.iter().filter(|v| v.notes.is_some()).count();
    env.audit::<(), _>(
        "household",
        &household_id,
        Some(&household_id),
        None,
        Some(&serde_json::json!({"revealed": ["notes"], "visits": shown})),
    )?;
    Ok(visits)
}
