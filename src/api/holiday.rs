//! The school-holiday commands: list the holidays of a run of years, enter the education
//! bureau's dates for one, or go back to the usual calendar's. A change re-plans the
//! deliveries still to come of every action that follows the holidays.

use chrono::{Datelike, NaiveDate};
use rusqlite::params;
use serde::Deserialize;

use super::Env;
use super::holiday_calendar::{HolidayPeriod, period, periods};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::school_calendar as sc;
use crate::types::HolidayKind;
use crate::validate as v;

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayList {
    /// First year listed; defaults to five years before this one.
    #[serde(default)]
    #[ts(optional)]
    pub from_year: Option<i32>,
    /// Last year listed; defaults to next year. At most 30 years at once.
    #[serde(default)]
    #[ts(optional)]
    pub to_year: Option<i32>,
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidaySet {
    pub year: i32,
    pub kind: HolidayKind,
    /// First day of the holiday, in `year`.
    pub starts_on: NaiveDate,
    /// Last day (at most 100 days after the first).
    pub ends_on: NaiveDate,
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayReset {
    pub year: i32,
    pub kind: HolidayKind,
}

fn check_year(field: &str, year: i32) -> ApiResult<i32> {
    if !sc::YEARS.contains(&year) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            field,
            format!("{field} is {}–{}", sc::YEARS.start(), sc::YEARS.end()),
        ));
    }
    Ok(year)
}

/// The holidays of a run of years (the Settings screen).
pub fn holiday_list(env: &Env, req: HolidayList) -> ApiResult<Vec<HolidayPeriod>> {
    let this = env.ctx.today.year();
    let from = check_year("from_year", req.from_year.unwrap_or(this - 5))?;
    let to = check_year("to_year", req.to_year.unwrap_or(this + 1))?;
    if to < from || to - from >= 30 {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "to_year",
            "list 1 to 30 years, from_year first",
        ));
    }
    periods(env, from..=to)
}

/// Enter the education bureau's dates for one holiday; the deliveries still to come of every
/// schedule that follows the holidays are re-planned.
pub fn holiday_set(env: &Env, req: HolidaySet) -> ApiResult<HolidayPeriod> {
    let actor = env.actor()?.id.to_string();
    let year = check_year("year", req.year)?;
    let starts_on = v::date_in_range("starts_on", req.starts_on)?;
    let ends_on = v::date_in_range("ends_on", req.ends_on)?;
    if starts_on.year() != year {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "starts_on",
            "the holiday starts in its own year",
        ));
    }
    if ends_on < starts_on {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "ends_on",
            "the last day is before the first",
        ));
    }
    if (ends_on - starts_on).num_days() >= sc::MAX_DAYS {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "ends_on",
            "a school holiday is at most 100 days",
        ));
    }
    let other = match req.kind {
        HolidayKind::Winter => HolidayKind::Summer,
        HolidayKind::Summer => HolidayKind::Winter,
    };
    if let Some(o) = period(env, year, other)?
        && starts_on <= o.ends_on
        && o.starts_on <= ends_on
    {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "starts_on",
            "the winter and summer holidays of a year do not overlap",
        ));
    }
    let before = period(env, year, req.kind)?;
    env.tx.execute(
        "INSERT INTO school_holiday(year, kind, starts_on, ends_on, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(year, kind) DO UPDATE SET starts_on = ?3, ends_on = ?4, updated_by = ?5,
            updated_at = ?6",
        params![year, req.kind, starts_on, ends_on, actor, env.now()],
    )?;
    let after =
        period(env, year, req.kind)?.ok_or_else(|| ApiError::internal("holiday vanished"))?;
    env.audit(
        "school_holiday",
        &format!("{year}-{}", req.kind),
        None,
        before.as_ref(),
        Some(&after),
    )?;
    replan_holiday_schedules(env)?;
    Ok(after)
}

/// Go back to the usual calendar's dates for one holiday.
pub fn holiday_reset(env: &Env, req: HolidayReset) -> ApiResult<Option<HolidayPeriod>> {
    env.actor()?;
    let year = check_year("year", req.year)?;
    let before = period(env, year, req.kind)?;
    let n = env.tx.execute(
        "DELETE FROM school_holiday WHERE year = ?1 AND kind = ?2",
        params![year, req.kind],
    )?;
    let after = period(env, year, req.kind)?;
    if n > 0 {
        env.audit(
            "school_holiday",
            &format!("{year}-{}", req.kind),
            None,
            before.as_ref(),
            after.as_ref(),
        )?;
        replan_holiday_schedules(env)?;
    }
    Ok(after)
}

/// The deliveries still to come (due, from today) of every action in force whose schedule
/// follows the school holidays are planned again from the holidays as they now are: those no
/// longer on a schedule day go, the new ones are added. Recorded deliveries are never touched.
fn replan_holiday_schedules(env: &Env) -> ApiResult<()> {
    let households: Vec<String> = {
        let mut st = env.tx.prepare(
            "SELECT DISTINCT a.household_id FROM action a
               JOIN plan_version p ON p.id = a.plan_version_id
             WHERE p.status = 'approved' AND a.status = 'active'
               AND a.recurrence LIKE '%X-SCHOOL-HOLIDAYS=%'
             ORDER BY a.household_id",
        )?;
        st.query_map([], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?
    };
    if households.is_empty() {
        return Ok(());
    }
    // Planned as far ahead as before (an explicit generation may have gone past the horizon).
    let furthest: Option<NaiveDate> = env.tx.query_row(
        "SELECT max(o.due_on) FROM occurrence o JOIN action a ON a.id = o.action_id
           JOIN plan_version p ON p.id = a.plan_version_id
         WHERE o.status = 'due' AND p.status = 'approved' AND a.status = 'active'
           AND a.recurrence LIKE '%X-SCHOOL-HOLIDAYS=%'",
        [],
        |r| r.get(0),
    )?;
    let dropped = env.tx.execute(
        "DELETE FROM occurrence WHERE status = 'due' AND due_on >= ?1 AND action_id IN (
           SELECT a.id FROM action a JOIN plan_version p ON p.id = a.plan_version_id
           WHERE p.status = 'approved' AND a.status = 'active'
             AND a.recurrence LIKE '%X-SCHOOL-HOLIDAYS=%')",
        [env.ctx.today],
    )?;
    let horizon = super::reference::load_settings(env)?.occurrence_horizon_days;
    let through = (env.ctx.today + chrono::Duration::days(i64::from(horizon)))
        .max(furthest.unwrap_or(env.ctx.today));
    let mut created = 0;
    for h in &households {
        created += crate::api::occurrence::generate_occurrences(env, Some(h), through)?;
    }
    env.audit::<(), _>(
        "pending_work",
        "school_holiday",
        None,
        None,
        Some(&serde_json::json!({
            "households": households.len(), "occurrences_dropped": dropped,
            "occurrences_created": created, "from": env.ctx.today})),
    )?;
    Ok(())
}
