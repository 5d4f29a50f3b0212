//! Proactive reminders (想在前面): items raised on Today ahead of time, before anyone has to
//! ask — a child reaching school age, a member's final-year exam (中考, 高考), the end of a
//! recurring service, a consent coming up for renewal. Each rule can be switched off and has
//! its own lead time (settings `reminders`).
//!
//! School years are computed the way Chinese schools enrol: a child who is six on 31 August
//! starts primary school on 1 September; the final year of junior secondary (初三) is the
//! year a pupil is 14 on 31 August at its start, of senior secondary (高三) 17. The member
//! record has no grade, so the final year is estimated from age and schooling, and the item
//! says so.

use chrono::{Datelike, Duration, Months, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::Env;
use super::reference as rf;
use super::shared::{HEAD_NAME_SQL, age_on};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::recurrence::Recurrence;
use crate::types::*;
use crate::validate as v;

/// The reminder rules.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReminderRule {
    /// A child reaches primary-school age on the coming 1 September.
    SchoolAge,
    /// A member in the final year of junior secondary (中考) or senior secondary (高考).
    Exam,
    /// A recurring service in force ends (its last delivery falls within the lead time).
    ActionEnd,
    /// The household's consent comes up for renewal (or is past it).
    Consent,
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderQuery {
    /// Only households in this division or below it (within the actor's scope).
    #[serde(default)]
    pub division_code: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Reminder {
    pub rule: ReminderRule,
    pub household_id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    /// The member it is about (school age, exam).
    pub member_id: Option<String>,
    pub member_name: Option<String>,
    /// The action it is about (end of a service).
    pub action_id: Option<String>,
    pub action_title: Option<String>,
    /// The day it is about: 1 September, the exam, the last delivery, the consent's renewal.
    pub due_on: NaiveDate,
    /// Negative when the day has passed (a consent past renewal).
    pub days_until: i64,
    /// zhongkao or gaokao for an exam.
    pub exam: Option<String>,
    /// True when the school year is estimated from age (the member record has no grade).
    pub estimated: bool,
}

/// 1 September of `year`.
fn sept1(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 9, 1)
}

/// The year a child born on `birth` starts primary school (six on 31 August).
pub fn school_start_year(birth: NaiveDate) -> i32 {
    if (birth.month(), birth.day()) <= (8, 31) {
        birth.year() + 6
    } else {
        birth.year() + 7
    }
}

pub fn reminder_list(env: &Env, req: ReminderQuery) -> ApiResult<Vec<Reminder>> {
    let settings = rf::load_settings(env)?.reminders;
    let limit = req.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "limit",
            "limit is 1 to 1000",
        ));
    }
    let (lo, hi) = match &req.division_code {
        Some(d) => v::subtree_range(&v::division_code("division_code", d)?),
        None => (String::new(), "~".to_string()),
    };
    let today = env.ctx.today;
    let scope = format!(
        "{} AND h.status <> 'closed' AND h.division_code >= ?1 AND h.division_code < ?2",
        env.household_scope_sql("h")
    );
    let mut out = Vec::new();
    let days = |d: NaiveDate| (d - today).num_days();

    if settings.school_age.enabled || settings.exam.enabled {
        let mut st = env.tx.prepare_cached(&format!(
            "SELECT h.id, h.case_no, {HEAD_NAME_SQL}, m.id, m.name, m.birth_date, m.schooling
             FROM household h JOIN member m ON m.household_id = h.id
             WHERE {scope} AND m.removed_on IS NULL AND m.birth_date > ?3"
        ))?;
        // Nobody older than 20 starts school or sits 高考 in this sense.
        let oldest = today - Months::new(12 * 20);
        let mut rows = st.query(params![lo, hi, oldest])?;
        while let Some(r) = rows.next()? {
            let birth: NaiveDate = r.get(5)?;
            let schooling: Option<Schooling> = r.get(6)?;
            let base = |rule,
                        due: NaiveDate,
                        exam: Option<&str>,
                        estimated|
             -> rusqlite::Result<Reminder> {
                Ok(Reminder {
                    rule,
                    household_id: r.get(0)?,
                    case_no: r.get(1)?,
                    head_name: r.get(2)?,
                    member_id: r.get(3)?,
                    member_name: r.get(4)?,
                    action_id: None,
                    action_title: None,
                    due_on: due,
                    days_until: days(due),
                    exam: exam.map(str::to_string),
                    estimated,
                })
            };
            if settings.school_age.enabled
                && matches!(
                    schooling,
                    None | Some(Schooling::NotInSchool) | Some(Schooling::Preschool)
                )
                && let Some(due) = sept1(school_start_year(birth))
                && due >= today
                && days(due) <= i64::from(settings.school_age.lead_days)
            {
                out.push(base(ReminderRule::SchoolAge, due, None, false)?);
            }
            if settings.exam.enabled {
                // The school year under way (it starts on 1 September).
                let start_year = if today >= sept1(today.year()).unwrap_or(today) {
                    today.year()
                } else {
                    today.year() - 1
                };
                let Some(start) = NaiveDate::from_ymd_opt(start_year, 8, 31) else {
                    continue;
                };
                let age = age_on(birth, start);
                let exam = match (schooling, age) {
                    (Some(Schooling::JuniorSecondary), 14) => {
                        Some(("zhongkao", NaiveDate::from_ymd_opt(start_year + 1, 6, 15)))
                    }
                    (Some(Schooling::SeniorSecondary), 17) => {
                        Some(("gaokao", NaiveDate::from_ymd_opt(start_year + 1, 6, 7)))
                    }
                    _ => None,
                };
                if let Some((name, Some(due))) = exam
                    && due >= today
                    && days(due) <= i64::from(settings.exam.lead_days)
                {
                    out.push(base(ReminderRule::Exam, due, Some(name), true)?);
                }
            }
        }
    }

    if settings.action_end.enabled {
        let lead = i64::from(settings.action_end.lead_days);
        let mut st = env.tx.prepare_cached(&format!(
            "SELECT h.id, h.case_no, {HEAD_NAME_SQL}, a.id, a.title, a.recurrence, a.start_on
             FROM household h JOIN plan_version p ON p.household_id = h.id AND p.status = 'approved'
             JOIN action a ON a.plan_version_id = p.id
             WHERE {scope} AND a.status IN ('planned', 'active') AND a.recurrence IS NOT NULL"
        ))?;
        let mut rows = st.query(params![lo, hi])?;
        while let Some(r) = rows.next()? {
            let rule: String = r.get(5)?;
            let Ok(rule) = Recurrence::from_rrule(&rule) else {
                continue;
            };
            // When the rule ends does not depend on the school holidays.
            let rule = rule.without_holidays();
            let none = crate::school_calendar::Holidays::NONE;
            if rule.until.is_none() && rule.count.is_none() {
                continue;
            }
            let start: NaiveDate = r.get(6)?;
            let window_end = today + Duration::days(lead);
            // Ends within the window: no delivery after it, and a last one inside it.
            let later = rule
                .next_dates(start, window_end + Duration::days(1), 1, &none)
                .unwrap_or_default();
            let inside = rule
                .dates(start, today, window_end, &none)
                .unwrap_or_default();
            if let (true, Some(last)) = (later.is_empty(), inside.last().copied()) {
                out.push(Reminder {
                    rule: ReminderRule::ActionEnd,
                    household_id: r.get(0)?,
                    case_no: r.get(1)?,
                    head_name: r.get(2)?,
                    member_id: None,
                    member_name: None,
                    action_id: r.get(3)?,
                    action_title: r.get(4)?,
                    due_on: last,
                    days_until: days(last),
                    exam: None,
                    estimated: false,
                });
            }
        }
    }

    if settings.consent.enabled {
        let mut st = env.tx.prepare_cached(&format!(
            "SELECT h.id, h.case_no, {HEAD_NAME_SQL}, h.consent_on
             FROM household h WHERE {scope} AND h.consent_on IS NOT NULL"
        ))?;
        let mut rows = st.query(params![lo, hi])?;
        while let Some(r) = rows.next()? {
            let consent_on: NaiveDate = r.get(3)?;
            let Some(due) =
                consent_on.checked_add_months(Months::new(settings.consent_valid_months))
            else {
                continue;
            };
            if days(due) <= i64::from(settings.consent.lead_days) {
                out.push(Reminder {
                    rule: ReminderRule::Consent,
                    household_id: r.get(0)?,
                    case_no: r.get(1)?,
                    head_name: r.get(2)?,
                    member_id: None,
                    member_name: None,
                    action_id: None,
                    action_title: None,
                    due_on: due,
                    days_until: days(due),
                    exam: None,
                    estimated: false,
                });
            }
        }
    }

    out.sort_by(|a, b| (a.due_on, &a.case_no).cmp(&(b.due_on, &b.case_no)));
    out.truncate(limit as usize);
    Ok(out)
}
