//! The household list (`household.list`): one page of the households a filter chooses, within
//! the actor's scope, each with its head's name, caseworker and visit cadence. A read model
//! over the entities (it depends on them, never the reverse).

use chrono::NaiveDate;
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::Serialize;

use super::Env;
use super::household_filter::{HouseholdQuery, household_filter, household_order};
use super::reference as rf;
use super::shared::HEAD_NAME_SQL;
use super::visit;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct HouseholdListItem {
    pub id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub division_code: String,
    pub division_name: String,
    pub address: String,
    pub status: HouseholdStatus,
    pub priority: Priority,
    pub causes: Vec<Cause>,
    pub caseworker_id: Option<String>,
    pub caseworker_name: Option<String>,
    pub last_visit_on: Option<NaiveDate>,
    pub next_visit_due_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct HouseholdPage {
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
    pub items: Vec<HouseholdListItem>,
}

pub const HOUSEHOLD_LIST_SELECT: &str = const_format::concatcp!("SELECT h.id, h.case_no, ", HEAD_NAME_SQL, ",
    h.division_code, (SELECT d.name FROM division d WHERE d.code = h.division_code), h.address,
    h.status, h.priority, h.causes, h.caseworker_id, (SELECT s.name FROM staff s WHERE s.id = h.caseworker_id),
    h.last_visit_on, h.referred_on
    FROM household h");

pub fn household_list(env: &Env, req: HouseholdQuery) -> ApiResult<HouseholdPage> {
    let limit = req.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "limit",
            "limit is 1 to 500",
        ));
    }
    if let Some(c) = &req.caseworker_id {
        rf::find_staff(env, &c.to_string())?
            .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundStaff, "caseworker_id"))?;
    }
    let settings = rf::load_settings(env)?;
    let today = env.ctx.today;
    let (filter, mut params) = household_filter(&req, today, &settings.cadence_days)?;
    // Only the households in the actor's scope (their caseload, or their division subtree).
    let filter = format!("{} AND {filter}", env.household_scope_sql("h"));
    let total: i64 = env.tx.query_row(
        &format!("SELECT count(*) FROM household h WHERE {filter}"),
        params_from_iter(params.iter()),
        |r| r.get(0),
    )?;
    params.push(SqlValue::Integer(i64::from(limit)));
    params.push(SqlValue::Integer(i64::from(req.offset)));
    let n = params.len();
    let sql = format!(
        "{HOUSEHOLD_LIST_SELECT} WHERE {filter} ORDER BY {} LIMIT ?{} OFFSET ?{n}",
        household_order(req.sort),
        n - 1
    );
    let mut st = env.tx.prepare_cached(&sql)?;
    let items = st
        .query_map(params_from_iter(params.iter()), |r| {
            let priority: Priority = r.get(7)?;
            let status: HouseholdStatus = r.get(6)?;
            let last_visit_on: Option<NaiveDate> = r.get(11)?;
            let referred_on: NaiveDate = r.get(12)?;
            let (due, overdue) = visit::cadence_due(
                status,
                priority,
                last_visit_on,
                referred_on,
                &settings,
                today,
            );
            Ok(HouseholdListItem {
                id: r.get(0)?,
                case_no: r.get(1)?,
                head_name: r.get(2)?,
                division_code: r.get(3)?,
                division_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                address: r.get(5)?,
                status,
                priority,
                causes: Cause::from_bits(r.get(8)?),
                caseworker_id: r.get(9)?,
                caseworker_name: r.get(10)?,
                last_visit_on,
                next_visit_due_on: due,
                overdue,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HouseholdPage {
        total: total as u64,
        offset: req.offset,
        limit,
        items,
    })
}
