//! Follow-up: what is due or overdue for a caseworker or across a supervisor's area —
//! households nobody visited within their cadence, scheduled visits and service deliveries
//! due, plans returned for changes. A read model over the entities (visits, occurrences,
//! plans, households); the same SQL conditions are what the dashboard's drill-down and the
//! benchmarks use (`followup_sql`).

use chrono::{Duration, NaiveDate};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Row, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::household_filter::overdue_sql;
use super::reference::{self as rf};
use super::visit::cadence_due;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;
use crate::validate as v;

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowupCaseworker {
    /// Defaults to the acting staff member.
    #[serde(default)]
    pub caseworker_id: Option<Uuid>,
    #[serde(default)]
    pub within_days: Option<u32>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowupDivision {
    pub division_code: String,
    #[serde(default)]
    pub within_days: Option<u32>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Section<T> {
    /// How many there are in all (items holds at most `limit`).
    pub total: u64,
    pub items: Vec<T>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct VisitDue {
    pub visit_id: String,
    pub household_id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub scheduled_on: NaiveDate,
    pub kind: VisitKind,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct OccurrenceDue {
    pub occurrence_id: String,
    pub household_id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub action_id: String,
    pub action_title: String,
    pub due_on: NaiveDate,
    pub amount_fen: Option<i64>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct HouseholdDue {
    pub household_id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub priority: Priority,
    pub last_visit_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct ReturnedPlan {
    pub plan_id: String,
    pub household_id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub version_no: i64,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Followup {
    pub today: NaiveDate,
    /// The end of the "due soon" window.
    pub through: NaiveDate,
    pub visits_overdue: Section<VisitDue>,
    pub visits_due: Section<VisitDue>,
    pub occurrences_overdue: Section<OccurrenceDue>,
    pub occurrences_due: Section<OccurrenceDue>,
    /// Open households past their visit cadence, longest waiting first.
    pub households_overdue: Section<HouseholdDue>,
    /// Plans returned by a reviewer and not yet revised.
    pub plans_returned: Section<ReturnedPlan>,
}

/// One section of the follow-up: the SQL that counts it and the SQL that lists it (whose
/// first columns include `h.id AS hid`; the household's display name is added last, for the
/// listed rows only), with the parameters both take.
pub struct SectionSql {
    pub count: String,
    pub list: String,
    pub params: Vec<SqlValue>,
}

impl SectionSql {
    pub fn count_sql(&self) -> String {
        self.count.clone()
    }
    pub fn list_sql(&self, limit: u32) -> String {
        format!(
            "SELECT q.*, (SELECT m.name FROM member m WHERE m.household_id = q.hid AND m.removed_on IS NULL
               ORDER BY m.relation <> 'head', m.birth_date LIMIT 1)
             FROM ({}) q",
            self.list.replace("{LIMIT}", &limit.to_string())
        )
    }
}

/// Whose follow-up: one caseworker's households, or everything in a division subtree.
pub enum Scope {
    Caseworker(String),
    /// The half-open range of division codes [lo, hi).
    Division(String, String),
}

/// The SQL of the six follow-up sections (visits overdue, visits due, occurrences overdue,
/// occurrences due, households past their cadence, plans returned). A caseworker's sections
/// start from their households; a division's start from the division copies on visits,
/// occurrences and plans, so a county costs what it finds, not what it holds. Closed
/// households have no due occurrence nor scheduled visit (closing clears them), so neither
/// needs the household's status. Public so the benchmarks can run the very same SQL raw.
pub fn followup_sql(
    scope: &Scope,
    today: NaiveDate,
    through: NaiveDate,
    cadence: &rf::Cadence,
) -> [SectionSql; 6] {
    let (scope_params, by_household) = match scope {
        Scope::Caseworker(id) => (vec![SqlValue::Text(id.clone())], true),
        Scope::Division(lo, hi) => (
            vec![SqlValue::Text(lo.clone()), SqlValue::Text(hi.clone())],
            false,
        ),
    };
    let on = |t: &str| -> String {
        if by_household {
            "h.caseworker_id = ?1".to_string()
        } else {
            format!("{t}.division_code >= ?1 AND {t}.division_code < ?2")
        }
    };
    let n = scope_params.len();
    let mut p = scope_params.clone();
    p.push(SqlValue::Text(today.to_string()));
    p.push(SqlValue::Text(through.to_string()));
    let (t, th) = (n + 1, n + 2);
    // (counted rows: FROM and WHERE; listed rows: FROM with the joins the columns need)
    let (visit_count, visit_list, occ_count, occ_list) = if by_household {
        (
            "FROM household h JOIN visit v ON v.household_id = h.id AND v.status = 'scheduled'"
                .to_string(),
            "FROM household h JOIN visit v ON v.household_id = h.id AND v.status = 'scheduled'"
                .to_string(),
            "FROM household h JOIN occurrence o ON o.household_id = h.id AND o.status = 'due'"
                .to_string(),
            "FROM household h JOIN occurrence o ON o.household_id = h.id AND o.status = 'due'
             JOIN action a ON a.id = o.action_id"
                .to_string(),
        )
    } else {
        (
            "FROM visit v".to_string(),
            "FROM visit v JOIN household h ON h.id = v.household_id".to_string(),
            "FROM occurrence o".to_string(),
            "FROM occurrence o JOIN household h ON h.id = o.household_id JOIN action a ON a.id = o.action_id"
                .to_string(),
        )
    };
    let (visit_where, occ_where) = if by_household {
        (on("h"), on("h"))
    } else {
        (
            format!("v.status = 'scheduled' AND {}", on("v")),
            format!("o.status = 'due' AND {}", on("o")),
        )
    };
    let plan_from = if by_household {
        format!(
            "FROM household h JOIN plan_version p ON p.household_id = h.id AND p.status = 'returned'
             WHERE h.status <> 'closed' AND {}",
            on("h")
        )
    } else {
        format!(
            "FROM plan_version p JOIN household h ON h.id = p.household_id
             WHERE p.status = 'returned' AND h.status <> 'closed' AND {}",
            on("p")
        )
    };
    let visit_cols = "v.id, h.id AS hid, h.case_no, v.scheduled_on, v.kind";
    let occ_cols = "o.id, h.id AS hid, h.case_no, a.id, a.title, o.due_on, a.amount_fen";
    let mut hp = scope_params.clone();
    let overdue = overdue_sql(today, cadence, &mut hp);
    let households = format!("FROM household h WHERE {} AND {overdue}", on("h"));
    let section = |count_from: String,
                   list_from: &str,
                   filter: &str,
                   cols: &str,
                   order: &str,
                   params: &Vec<SqlValue>| {
        SectionSql {
            count: format!("SELECT count(*) {count_from} WHERE {filter}"),
            list: format!(
                "SELECT {cols} {list_from} WHERE {filter} ORDER BY {order} LIMIT {{LIMIT}}"
            ),
            params: params.clone(),
        }
    };
    let vo = format!("v.scheduled_on < ?{t}");
    let vd = format!("v.scheduled_on >= ?{t} AND v.scheduled_on <= ?{th}");
    let oo = format!("o.due_on < ?{t}");
    let od = format!("o.due_on >= ?{t} AND o.due_on <= ?{th}");
    let mut visits_overdue = section(
        visit_count.clone(),
        &visit_list,
        &format!("{visit_where} AND {vo}"),
        visit_cols,
        "v.scheduled_on, h.case_no",
        &p,
    );
    let mut visits_due = section(
        visit_count,
        &visit_list,
        &format!("{visit_where} AND {vd}"),
        visit_cols,
        "v.scheduled_on, h.case_no",
        &p,
    );
    let mut occ_overdue = section(
        occ_count.clone(),
        &occ_list,
        &format!("{occ_where} AND {oo}"),
        occ_cols,
        "o.due_on, h.case_no",
        &p,
    );
    let mut occ_due = section(
        occ_count,
        &occ_list,
        &format!("{occ_where} AND {od}"),
        occ_cols,
        "o.due_on, h.case_no",
        &p,
    );
    if !by_household {
        // A division may hold thousands of matches: pick the page from the (covering) partial
        // index first, then join only the rows shown.
        let visits = |filter: &str| {
            format!(
                "SELECT v.id, x.household_id AS hid, h.case_no, x.scheduled_on, v.kind
                 FROM (SELECT rowid AS r, household_id, scheduled_on FROM visit v WHERE {filter}
                       ORDER BY scheduled_on, household_id LIMIT {{LIMIT}}) x
                 JOIN visit v ON v.rowid = x.r JOIN household h ON h.id = x.household_id
                 ORDER BY x.scheduled_on, x.household_id"
            )
        };
        let occurrences = |filter: &str| {
            format!(
                "SELECT o.id, x.household_id AS hid, h.case_no, a.id, a.title, x.due_on, a.amount_fen
                 FROM (SELECT rowid AS r, household_id, action_id, due_on FROM occurrence o WHERE {filter}
                       ORDER BY due_on, household_id LIMIT {{LIMIT}}) x
                 JOIN occurrence o ON o.rowid = x.r JOIN household h ON h.id = x.household_id
                 JOIN action a ON a.id = x.action_id
                 ORDER BY x.due_on, x.household_id"
            )
        };
        visits_overdue.list = visits(&format!("{visit_where} AND {vo}"));
        visits_due.list = visits(&format!("{visit_where} AND {vd}"));
        occ_overdue.list = occurrences(&format!("{occ_where} AND {oo}"));
        occ_due.list = occurrences(&format!("{occ_where} AND {od}"));
    }
    [
        visits_overdue,
        visits_due,
        occ_overdue,
        occ_due,
        SectionSql {
            count: format!("SELECT count(*) {households}"),
            list: format!(
                "SELECT h.id AS hid, h.case_no, h.priority, h.last_visit_on, h.referred_on, h.status {households}
                 ORDER BY coalesce(h.last_visit_on, h.referred_on), h.case_no LIMIT {{LIMIT}}"
            ),
            params: hp,
        },
        SectionSql {
            count: format!("SELECT count(*) {plan_from}"),
            list: format!(
                "SELECT p.id, h.id AS hid, h.case_no, p.version_no, p.decided_at, p.decision_comment {plan_from}
                 ORDER BY p.decided_at, h.case_no LIMIT {{LIMIT}}"
            ),
            params: scope_params,
        },
    ]
}

/// Run a section: its count and at most `limit` of its rows.
fn section<T>(
    env: &Env,
    sql: &SectionSql,
    limit: u32,
    map: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> ApiResult<Section<T>> {
    // Sections share one parameter list; each statement binds the ones it uses (?1..?n).
    let mut count = env.tx.prepare_cached(&sql.count_sql())?;
    let n = count.parameter_count();
    let total: i64 = count.query_row(params_from_iter(sql.params.iter().take(n)), |r| r.get(0))?;
    let items = if total == 0 {
        Vec::new()
    } else {
        let mut st = env.tx.prepare_cached(&sql.list_sql(limit))?;
        let n = st.parameter_count();
        st.query_map(params_from_iter(sql.params.iter().take(n)), map)?
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(Section {
        total: total as u64,
        items,
    })
}

fn followup(
    env: &Env,
    scope: Scope,
    within: Option<u32>,
    limit: Option<u32>,
) -> ApiResult<Followup> {
    let within = within.unwrap_or(7);
    if within > 90 {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "within_days",
            "within_days is 0 to 90",
        ));
    }
    let limit = limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "limit",
            "limit is 1 to 1000",
        ));
    }
    let settings = rf::load_settings(env)?;
    let today = env.ctx.today;
    let through = today + Duration::days(i64::from(within));
    let [vo, vd, oo, od, ho, pr] = followup_sql(&scope, today, through, &settings.cadence_days);
    let visit_map = |r: &Row| {
        Ok(VisitDue {
            visit_id: r.get(0)?,
            household_id: r.get(1)?,
            case_no: r.get(2)?,
            scheduled_on: r.get(3)?,
            kind: r.get(4)?,
            head_name: r.get(5)?,
        })
    };
    let occ_map = |r: &Row| {
        Ok(OccurrenceDue {
            occurrence_id: r.get(0)?,
            household_id: r.get(1)?,
            case_no: r.get(2)?,
            action_id: r.get(3)?,
            action_title: r.get(4)?,
            due_on: r.get(5)?,
            amount_fen: r.get(6)?,
            head_name: r.get(7)?,
        })
    };
    Ok(Followup {
        today,
        through,
        visits_overdue: section(env, &vo, limit, visit_map)?,
        visits_due: section(env, &vd, limit, visit_map)?,
        occurrences_overdue: section(env, &oo, limit, occ_map)?,
        occurrences_due: section(env, &od, limit, occ_map)?,
        households_overdue: section(env, &ho, limit, |r| {
            let status: HouseholdStatus = r.get(5)?;
            let priority: Priority = r.get(2)?;
            let last: Option<NaiveDate> = r.get(3)?;
            let (due_on, _) = cadence_due(status, priority, last, r.get(4)?, &settings, today);
            Ok(HouseholdDue {
                household_id: r.get(0)?,
                case_no: r.get(1)?,
                head_name: r.get(6)?,
                priority,
                last_visit_on: last,
                due_on,
            })
        })?,
        plans_returned: section(env, &pr, limit, |r| {
            Ok(ReturnedPlan {
                plan_id: r.get(0)?,
                household_id: r.get(1)?,
                case_no: r.get(2)?,
                version_no: r.get(3)?,
                decided_at: r.get(4)?,
                decision_comment: r.get(5)?,
                head_name: r.get(6)?,
            })
        })?,
    })
}

/// What is due and overdue for one caseworker's households.
pub fn followup_caseworker(env: &Env, req: FollowupCaseworker) -> ApiResult<Followup> {
    let actor = env.actor()?;
    let id = match &req.caseworker_id {
        Some(id) => {
            rf::find_staff(env, &id.to_string())?
                .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundStaff, "caseworker_id"))?
                .id
        }
        None => actor.id.to_string(),
    };
    followup(env, Scope::Caseworker(id), req.within_days, req.limit)
}

/// What is due and overdue in a division and everything below it.
pub fn followup_division(env: &Env, req: FollowupDivision) -> ApiResult<Followup> {
    let d = rf::require_division(env, "division_code", &req.division_code)?;
    let (lo, hi) = v::subtree_range(&d.code);
    followup(env, Scope::Division(lo, hi), req.within_days, req.limit)
}
