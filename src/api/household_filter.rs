//! The household filter: what `household.list` can ask for (search, status, priority, causes,
//! area, caseworker, cadence overdue, needs, visits, deliveries, stalled services) turned into
//! one SQL condition on household `h`, and the named conditions behind it. The household list,
//! campaign cohorts, the dashboard and the ledgers all choose and count with these same
//! conditions (so a figure and the list behind it agree); the benchmarks run the same SQL raw.

use chrono::NaiveDate;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::reference as rf;
use super::search_index::search_match;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;
use crate::validate as v;

#[derive(
    Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, ts_rs::TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdSort {
    /// Case number ascending (the paper file order).
    #[default]
    CaseNo,
    /// Most recently changed first.
    UpdatedDesc,
    /// Longest without a visit first (never visited first of all).
    LastVisitAsc,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdQuery {
    /// Name (Chinese, full pinyin or initials), case number, phone, last digits of an ID number.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub status: Vec<HouseholdStatus>,
    #[serde(default)]
    pub priority: Vec<Priority>,
    /// Households with any of these causes.
    #[serde(default)]
    pub causes: Vec<Cause>,
    /// Households in this division or below it.
    #[serde(default)]
    pub division_code: Option<String>,
    #[serde(default)]
    pub caseworker_id: Option<Uuid>,
    /// Only households past their visit cadence (true) or within it (false).
    #[serde(default)]
    pub overdue: Option<bool>,
    /// Households with a need matching this (drill-down from the dashboard's needs figures).
    #[serde(default)]
    pub needs: Option<NeedFilter>,
    /// Open households with no completed visit in this period.
    #[serde(default)]
    pub not_visited: Option<Period>,
    /// Households with an occurrence in this state falling due in the period.
    #[serde(default)]
    pub occurrences: Option<OccurrenceFilter>,
    /// Households with a stalled service: an action in force whose latest occurrence before
    /// today was missed or never recorded.
    #[serde(default)]
    pub stalled: bool,
    /// Only households with no caseworker assigned.
    #[serde(default)]
    pub unassigned: bool,
    #[serde(default)]
    pub sort: HouseholdSort,
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A closed date range (both ends included).
#[derive(
    Debug, Clone, Copy, PartialEq, Deserialize, Serialize, ts_rs::TS, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Both ends within 1900–2200 and in order; `max_days` bounds the span when given.
    pub fn check(&self, field: &str, max_days: Option<i64>) -> ApiResult<Period> {
        v::date_in_range(&format!("{field}.from"), self.from)?;
        v::date_in_range(&format!("{field}.to"), self.to)?;
        if self.from > self.to {
            return Err(ApiError::at(
                ErrorCode::ValidationDateOrder,
                format!("{field}.to"),
                "to is before from",
            ));
        }
        if let Some(max) = max_days
            && (self.to - self.from).num_days() >= max
        {
            return Err(ApiError::at(
                ErrorCode::ValidationOutOfRange,
                format!("{field}.to"),
                format!("the period is longer than {max} days"),
            ));
        }
        Ok(*self)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedFilter {
    #[serde(default)]
    pub category: Option<NeedCategory>,
    /// Any of these states (any state when empty).
    #[serde(default)]
    pub status: Vec<NeedStatus>,
    /// Only needs still open or in progress, of an open household, that no planned or active
    /// action of the plan in force answers.
    #[serde(default)]
    pub uncovered: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceFilter {
    pub status: OccurrenceStatus,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// SQL condition on need `n` (of household `h`): no action in force answers it.
pub const NEED_UNCOVERED_SQL: &str = "(h.status <> 'closed' AND n.status IN ('open', 'in_progress')
    AND NOT EXISTS (SELECT 1 FROM action_need an JOIN action a ON a.id = an.action_id
        JOIN plan_version p ON p.id = a.plan_version_id
        WHERE an.need_id = n.id AND p.status = 'approved' AND a.status IN ('planned', 'active')))";

/// SQL condition on action `a` of plan version `p`: in force and stalled (the latest occurrence
/// before today, parameter number `today_param`, was missed or is still unrecorded).
pub fn action_stalled_sql(today_param: usize) -> String {
    format!(
        "(p.status = 'approved' AND a.status IN ('planned', 'active')
          AND (SELECT o.status FROM occurrence o WHERE o.action_id = a.id AND o.due_on < ?{today_param}
               ORDER BY o.due_on DESC LIMIT 1) IN ('due', 'missed'))"
    )
}

/// SQL condition on household `h`: one of its actions has stalled ([`action_stalled_sql`]).
pub fn stalled_sql(today_param: usize) -> String {
    format!(
        "EXISTS (SELECT 1 FROM action a JOIN plan_version p ON p.id = a.plan_version_id
            WHERE a.household_id = h.id AND {})",
        action_stalled_sql(today_param)
    )
}

/// SQL condition on household `h`: open, and no in-person contact (a completed visit, or a
/// done delivery of a service that counts as contact) between the two parameters.
/// `last_visit_on` (the latest contact, checked by `yihu check`) settles most households
/// without touching the visit and delivery tables.
pub fn not_visited_sql(from_param: usize, to_param: usize) -> String {
    format!(
        "(h.status <> 'closed' AND (h.last_visit_on IS NULL OR h.last_visit_on < ?{from_param}
          OR (h.last_visit_on > ?{to_param} AND NOT EXISTS (SELECT 1 FROM visit v
              WHERE v.household_id = h.id AND v.status = 'completed'
                AND v.visited_on >= ?{from_param} AND v.visited_on <= ?{to_param})
              AND NOT EXISTS (SELECT 1 FROM occurrence o JOIN action a ON a.id = o.action_id
                JOIN service s ON s.id = a.service_id
               WHERE o.household_id = h.id AND o.status = 'done' AND s.counts_as_contact = 1
                 AND o.done_on >= ?{from_param} AND o.done_on <= ?{to_param}))))"
    )
}

/// The WHERE clause and its parameters for a household query (also used by the benchmarks to
/// run the same SQL through raw rusqlite).
pub fn household_filter(
    req: &HouseholdQuery,
    today: NaiveDate,
    cadence: &rf::Cadence,
) -> ApiResult<(String, Vec<SqlValue>)> {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    let p = |v: SqlValue, params: &mut Vec<SqlValue>| {
        params.push(v);
        format!("?{}", params.len())
    };
    if let Some(q) = req.q.as_deref() {
        if q.chars().count() > 100 {
            return Err(ApiError::at(
                ErrorCode::ValidationTooLong,
                "q",
                "the search is longer than 100 characters",
            ));
        }
        // A whole ID number finds its member's household by exact value only (no part of one
        // is searchable: see `search_index::household_terms`).
        let whole_id = crate::idcard::normalize(&crate::validate::fold_fullwidth(q.trim()));
        if crate::idcard::parse(&whole_id).is_ok() {
            let a = p(SqlValue::Text(whole_id), &mut params);
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM member m WHERE m.household_id = h.id AND m.removed_on IS NULL AND m.id_number = {a})"
            ));
        } else {
            match search_match(q) {
                Some(m) => {
                    let a = p(SqlValue::Text(m), &mut params);
                    clauses.push(format!(
                    "h.search_id IN (SELECT rowid FROM household_search WHERE household_search MATCH {a})"
                ));
                }
                // Only punctuation: nothing can match.
                None if !q.trim().is_empty() => clauses.push("0".to_string()),
                None => {}
            }
        }
    }
    let in_list = |vals: Vec<&'static str>, col: &str, params: &mut Vec<SqlValue>| -> String {
        let ph: Vec<String> = vals
            .into_iter()
            .map(|v| {
                params.push(SqlValue::Text(v.to_string()));
                format!("?{}", params.len())
            })
            .collect();
        format!("{col} IN ({})", ph.join(", "))
    };
    if !req.status.is_empty() {
        clauses.push(in_list(
            req.status.iter().map(|s| s.as_str()).collect(),
            "h.status",
            &mut params,
        ));
    }
    if !req.priority.is_empty() {
        clauses.push(in_list(
            req.priority.iter().map(|s| s.as_str()).collect(),
            "h.priority",
            &mut params,
        ));
    }
    if !req.causes.is_empty() {
        let a = p(SqlValue::Integer(Cause::to_bits(&req.causes)), &mut params);
        clauses.push(format!("(h.causes & {a}) <> 0"));
    }
    if let Some(d) = &req.division_code {
        let code = v::division_code("division_code", d)?;
        let (lo, hi) = v::subtree_range(&code);
        let a = p(SqlValue::Text(lo), &mut params);
        let b = p(SqlValue::Text(hi), &mut params);
        clauses.push(format!("h.division_code >= {a} AND h.division_code < {b}"));
    }
    if let Some(c) = &req.caseworker_id {
        let a = p(SqlValue::Text(c.to_string()), &mut params);
        clauses.push(format!("h.caseworker_id = {a}"));
    }
    if let Some(overdue) = req.overdue {
        let cond = overdue_sql(today, cadence, &mut params);
        clauses.push(if overdue {
            cond
        } else {
            format!("NOT ({cond})")
        });
    }
    if let Some(n) = &req.needs {
        let mut conds = vec!["n.household_id = h.id".to_string()];
        if let Some(c) = n.category {
            conds.push(format!(
                "n.category = {}",
                p(SqlValue::Text(c.as_str().into()), &mut params)
            ));
        }
        if !n.status.is_empty() {
            conds.push(in_list(
                n.status.iter().map(|s| s.as_str()).collect(),
                "n.status",
                &mut params,
            ));
        }
        if n.uncovered {
            conds.push(NEED_UNCOVERED_SQL.to_string());
        }
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM need n WHERE {})",
            conds.join(" AND ")
        ));
    }
    if let Some(period) = &req.not_visited {
        let period = period.check("not_visited", None)?;
        p(SqlValue::Text(period.from.to_string()), &mut params);
        p(SqlValue::Text(period.to.to_string()), &mut params);
        clauses.push(not_visited_sql(params.len() - 1, params.len()));
    }
    if let Some(o) = &req.occurrences {
        let period = Period {
            from: o.from,
            to: o.to,
        }
        .check("occurrences", None)?;
        let s = p(SqlValue::Text(o.status.as_str().into()), &mut params);
        let a = p(SqlValue::Text(period.from.to_string()), &mut params);
        let b = p(SqlValue::Text(period.to.to_string()), &mut params);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM occurrence o WHERE o.household_id = h.id AND o.status = {s}
               AND o.due_on >= {a} AND o.due_on <= {b})"
        ));
    }
    if req.stalled {
        p(SqlValue::Text(today.to_string()), &mut params);
        clauses.push(stalled_sql(params.len()));
    }
    if req.unassigned {
        clauses.push("h.caseworker_id IS NULL".to_string());
    }
    let sql = if clauses.is_empty() {
        "1".to_string()
    } else {
        clauses.join(" AND ")
    };
    Ok((sql, params))
}

/// SQL condition: the household is open and its last visit (or referral) is older than its cadence.
pub fn overdue_sql(today: NaiveDate, cadence: &rf::Cadence, params: &mut Vec<SqlValue>) -> String {
    let mut parts = Vec::new();
    for (prio, days) in [
        ("high", cadence.high),
        ("medium", cadence.medium),
        ("low", cadence.low),
    ] {
        let limit = today - chrono::Duration::days(i64::from(days));
        params.push(SqlValue::Text(prio.to_string()));
        let a = params.len();
        params.push(SqlValue::Text(limit.to_string()));
        let b = params.len();
        parts.push(format!(
            "(h.priority = ?{a} AND coalesce(h.last_visit_on, h.referred_on) < ?{b})"
        ));
    }
    format!("(h.status <> 'closed' AND ({}))", parts.join(" OR "))
}

pub fn household_order(sort: HouseholdSort) -> &'static str {
    match sort {
        HouseholdSort::CaseNo => "h.case_no",
        HouseholdSort::UpdatedDesc => "h.updated_at DESC, h.id DESC",
        HouseholdSort::LastVisitAsc => "h.last_visit_on, h.case_no",
    }
}
