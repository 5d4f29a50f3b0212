//! Occurrences: the deliveries that the actions of a plan in force produce over a rolling
//! horizon (generated idempotently), listed per household and recorded as done, missed or
//! skipped — also from a visit, which records what it delivered.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::action::find_action;
use super::household::{require_household, require_open_household, touch_household};
use super::reference as rf;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::recurrence::Recurrence;
use crate::types::*;
use crate::validate::{self as v, TEXT_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
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
        id: r.get("id")?,
        action_id: r.get("action_id")?,
        action_title: r.get("title")?,
        household_id: r.get("household_id")?,
        due_on: r.get("due_on")?,
        status: r.get("status")?,
        done_on: r.get("done_on")?,
        recorded_by: r.get("recorded_by")?,
        recorded_at: r.get("recorded_at")?,
        note: r.get("note")?,
        visit_id: r.get("visit_id")?,
        amount_fen: r.get("amount_fen")?,
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
    // The school holidays over every window below, read once.
    let earliest = rows
        .iter()
        .map(|(_, _, _, start, in_force)| in_force.map_or(*start, |f| f.max(*start)))
        .min()
        .unwrap_or(through);
    let holidays = if rows.iter().any(|(_, _, r, _, _)| {
        r.as_deref()
            .is_some_and(|r| r.contains("X-SCHOOL-HOLIDAYS="))
    }) {
        super::holiday_calendar::load_holidays(env, earliest.min(through), through)?
    } else {
        crate::school_calendar::Holidays::none()
    };
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
                r.dates(start, from, through, &holidays)
                    .map_err(|_| ApiError::internal("a stored schedule cannot be expanded"))?
            }
        };
        for d in dates {
            created += ins.execute(params![env.new_id(), action_id, hh, d])? as u64;
        }
    }
    // After generating: a lasting action's start must be recordable before it can complete.
    complete_ended_lasting(env, household_id)?;
    Ok(created)
}

/// Help that lasts and whose last day has passed is completed once its start is no longer
/// waiting to be recorded: each change recorded like a manual one. Run with every
/// generation, so the plan in force stops listing a hospital stay once it is over.
fn complete_ended_lasting(env: &Env, household_id: Option<&str>) -> ApiResult<()> {
    let ended: Vec<String> = {
        let mut st = env.tx.prepare_cached(&format!(
            "SELECT a.id FROM action a JOIN plan_version p ON p.id = a.plan_version_id
               JOIN household h ON h.id = a.household_id
             WHERE p.status = 'approved' AND a.status = 'active' AND a.lasting = 1 AND a.ends_on < ?2
               AND NOT EXISTS (SELECT 1 FROM occurrence o WHERE o.action_id = a.id AND o.status = 'due')
               AND (a.household_id = ?1 OR (?1 IS NULL AND {}))
             ORDER BY a.id",
            env.household_scope_sql("h")
        ))?;
        st.query_map(params![household_id, env.ctx.today], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?
    };
    for id in ended {
        let Some(before) = find_action(env, &id)? else {
            continue;
        };
        env.tx.execute(
            "UPDATE action SET status = 'completed', updated_at = ?2 WHERE id = ?1",
            params![id, env.now()],
        )?;
        let after = find_action(env, &id)?;
        env.audit(
            "action",
            &id,
            Some(&before.household_id),
            Some(&before),
            after.as_ref(),
        )?;
    }
    Ok(())
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceGenerate {
    /// One household, or every household when absent.
    #[serde(default)]
    pub household_id: Option<Uuid>,
    /// Defaults to today plus the configured horizon.
    #[serde(default)]
    pub through: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
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
                    ErrorCode::ValidationOutOfRange,
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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
            ErrorCode::ValidationDateOrder,
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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
    let before = find_occurrence(env, id)?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundOccurrence, field))?;
    if let Some(h) = household_id
        && before.household_id != h
    {
        return Err(ApiError::at(
            ErrorCode::ValidationOccurrenceOtherHousehold,
            field,
            "this delivery belongs to another household",
        ));
    }
    if !transitions::occurrence(before.status, status) {
        return Err(ApiError::at(
            ErrorCode::OccurrenceTransitionInvalid,
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
                ErrorCode::ValidationNotAllowed,
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
    if status == OccurrenceStatus::Done {
        needs_in_progress(env, &before.action_id)?;
        // A delivery of a service done at the household is in-person contact: it resets the
        // visit cadence as a visit does (`last_visit_on` is the last in-person contact).
        env.tx.execute(
            "UPDATE household SET last_visit_on = max(coalesce(last_visit_on, ''), ?2)
             WHERE id = ?1 AND EXISTS (SELECT 1 FROM action a JOIN service s ON s.id = a.service_id
                                       WHERE a.id = ?3 AND s.counts_as_contact = 1)",
            params![before.household_id, done_on, before.action_id],
        )?;
    }
    // An action is completed by its last delivery: a one-off by its one, a recurring one
    // whose rule has ended (until, count) once nothing after this date is left to deliver.
    if status != OccurrenceStatus::Due
        && let Some(action) = find_action(env, &before.action_id)?
        && action.status == ActionStatus::Active
        && schedule_finished(env, &action, before.due_on, status)?
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

/// Whether `action` has nothing left to deliver once its delivery due on `due_on` is
/// recorded as `status`: a one-off once done; a recurring one when its rule gives no date after
/// `due_on` and none of its deliveries is still due. An open-ended rule never finishes.
fn schedule_finished(
    env: &Env,
    action: &crate::api::action::Action,
    due_on: NaiveDate,
    status: OccurrenceStatus,
) -> ApiResult<bool> {
    if action.lasting {
        // Its one delivery is its start; it ends on its last day, or when closed.
        return Ok(status == OccurrenceStatus::Done && action.schedule_ended(env.ctx.today));
    }
    if action.recurrence.is_none() {
        return Ok(status == OccurrenceStatus::Done);
    }
    let Some(after) = due_on.succ_opt() else {
        return Ok(true);
    };
    if !action.schedule_ended(after) {
        return Ok(false);
    }
    let still_due: bool = env.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM occurrence WHERE action_id = ?1 AND status = 'due')",
        [&action.id],
        |r| r.get(0),
    )?;
    Ok(!still_due)
}

/// A delivery made for a need still open puts it in progress (帮扶中): the help has started,
/// without anyone moving the need by hand. Each change is recorded like a manual one.
fn needs_in_progress(env: &Env, action_id: &str) -> ApiResult<()> {
    let open: Vec<String> = {
        let mut st = env.tx.prepare_cached(
            "SELECT n.id FROM action_need an JOIN need n ON n.id = an.need_id
             WHERE an.action_id = ?1 AND n.status = 'open' ORDER BY n.id",
        )?;
        st.query_map([action_id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?
    };
    for id in open {
        let id = Uuid::parse_str(&id).map_err(|_| ApiError::internal("a need id is not a UUID"))?;
        crate::api::need::set_need_status(
            env,
            &crate::api::need::NeedSetStatus {
                id,
                to: NeedStatus::InProgress,
                note: None,
            },
            None,
            env.ctx.today,
        )?;
    }
    Ok(())
}

/// Record many deliveries of one action at once — every one still due between two dates —
/// as done (each on its own due date) or missed: a year of weekly visits entered after the
/// fact in one step. All or nothing; each delivery is recorded (and audited) as
/// `occurrence.record` would.
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceRecordMany {
    pub action_id: Uuid,
    pub from: NaiveDate,
    /// Inclusive; not after today for deliveries done.
    pub to: NaiveDate,
    /// done or missed.
    pub status: OccurrenceStatus,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct RecordedMany {
    pub recorded: u32,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// At most this many deliveries in one request (five years of weekly ones, and some).
const RECORD_MANY_MAX: usize = 400;

pub fn occurrence_record_many(env: &Env, req: OccurrenceRecordMany) -> ApiResult<RecordedMany> {
    env.actor()?;
    let action = find_action(env, &req.action_id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundAction, "action_id"))?;
    require_open_household(env, "action_id", &action.household_id)?;
    if !matches!(
        req.status,
        OccurrenceStatus::Done | OccurrenceStatus::Missed
    ) {
        return Err(ApiError::at(
            ErrorCode::ValidationNotAllowed,
            "status",
            "record many deliveries as done or missed",
        ));
    }
    let from = v::date_in_range("from", req.from)?;
    let to = v::date_in_range("to", req.to)?;
    if to < from {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "to",
            "to comes on or after from",
        ));
    }
    if to > env.ctx.today {
        return Err(ApiError::at(
            ErrorCode::ValidationDateFuture,
            "to",
            "deliveries are recorded up to today",
        ));
    }
    let due: Vec<(String, NaiveDate)> = {
        let mut st = env.tx.prepare_cached(
            "SELECT id, due_on FROM occurrence WHERE action_id = ?1 AND status = 'due'
               AND due_on >= ?2 AND due_on <= ?3 ORDER BY due_on",
        )?;
        st.query_map(params![action.id, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?
    };
    if due.len() > RECORD_MANY_MAX {
        return Err(ApiError::at(
            ErrorCode::ValidationTooMany,
            "to",
            format!("at most {RECORD_MANY_MAX} deliveries at once; record a shorter period"),
        ));
    }
    for (id, due_on) in &due {
        record_occurrence(
            env,
            "action_id",
            id,
            Some(&action.household_id),
            Recording {
                status: req.status,
                done_on: (req.status == OccurrenceStatus::Done).then_some(*due_on),
                note: req.note.clone(),
                visit_id: None,
            },
        )?;
    }
    touch_household(env, &action.household_id)?;
    Ok(RecordedMany {
        recorded: u32::try_from(due.len()).unwrap_or(u32::MAX),
        first: due.first().map(|d| d.1),
        last: due.last().map(|d| d.1),
    })
}

pub fn occurrence_record(env: &Env, req: OccurrenceRecord) -> ApiResult<Occurrence> {
    let o = find_occurrence(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundOccurrence, "id"))?;
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
