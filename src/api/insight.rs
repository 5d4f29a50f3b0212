//! The supervisor's dashboard: one read of an area (a division and everything below it, within
//! the actor's scope) that answers "which households did nobody visit, which services stopped,
//! which needs does no action answer, who carries too many cases, which plans wait for review".
//!
//! Every figure here counts with the same SQL conditions the household list filters with
//! (`household_filter::NeedFilter`, `not_visited_sql`, `action_stalled_sql`, `cadence_due`), so the list
//! behind a household figure has exactly that many rows. Needs, occurrences and actions are
//! counted as themselves; their lists are the households that have them.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::drill::{Drill, Figure, WeekState};
use super::household_filter::{NEED_UNCOVERED_SQL, Period, action_stalled_sql, not_visited_sql};
use super::reference::{self as rf, Caseload};
use super::shared::HEAD_NAME_SQL;
use super::visit::cadence_due;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;
use crate::validate as v;

/// The longest period the dashboard covers (its weekly series has at most 53 weeks).
pub const DASHBOARD_MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// The area: this division and everything below it. The actor's own division when not given.
    #[serde(default)]
    pub division_code: Option<String>,
    /// The period of the time-bound figures (households not visited, deliveries per week); at
    /// most 366 days. Every other figure is the state as of today.
    pub period: Period,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Dashboard {
    pub division_code: String,
    pub division_name: String,
    pub period: Period,
    pub today: NaiveDate,
    pub households: HouseholdFigures,
    pub needs: NeedFigures,
    /// Occurrences falling due in the period, week by week (weeks start on Monday).
    pub weeks: Vec<WeekRow>,
    pub stalled: Stalled,
    pub workload: Workload,
    pub reviews: Reviews,
}

/// Every number below comes with its drill-down: the household list filter that lists the
/// households it counts (the households that have the needs or deliveries it counts).
#[derive(Debug, Default, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct HouseholdFigures {
    /// Every household of the area, closed ones included.
    pub total: Figure,
    /// Households not closed; the breakdowns below count these.
    pub open: Figure,
    /// Every status, closed included, in life-cycle order.
    pub by_status: Vec<StatusCount>,
    pub by_priority: Vec<PriorityCount>,
    /// A household with several causes counts under each.
    pub by_cause: Vec<CauseCount>,
    /// By the divisions one level below the area (households placed on the area itself count
    /// under the area's own code).
    pub by_division: Vec<DivisionCount>,
    /// Past their visit cadence today.
    pub overdue: Figure,
    /// No completed visit in the period.
    pub not_visited: Figure,
    /// No caseworker assigned.
    pub unassigned: Figure,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct StatusCount {
    pub status: HouseholdStatus,
    pub count: u64,
    pub drill: Drill,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct PriorityCount {
    pub priority: Priority,
    pub count: u64,
    pub drill: Drill,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct CauseCount {
    pub cause: Cause,
    pub count: u64,
    pub drill: Drill,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct DivisionCount {
    pub code: String,
    pub name: String,
    pub count: u64,
    /// None for the households placed on the area itself (no filter lists only those).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub drill: Option<Drill>,
}

/// The needs of the area's open households (a closed case's needs are its history).
#[derive(Debug, Default, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct NeedFigures {
    /// One row per category that has any need, in the category order.
    pub by_category: Vec<NeedRow>,
    /// Open or in progress.
    pub open: Figure,
    /// Open or in progress, in an open household, answered by no planned or active action of
    /// the plan in force.
    pub uncovered: Figure,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct NeedRow {
    pub category: NeedCategory,
    pub open: Figure,
    pub in_progress: Figure,
    pub met: Figure,
    pub unmet: Figure,
    pub withdrawn: Figure,
    pub uncovered: Figure,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct WeekRow {
    /// The week's Monday.
    pub week: NaiveDate,
    /// The part of the week inside the period.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub done: Figure,
    pub missed: Figure,
    pub skipped: Figure,
    /// Due before today and not recorded.
    pub overdue: Figure,
    /// Due today or later, not yet recorded.
    pub upcoming: Figure,
}

#[derive(Debug, Default, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Stalled {
    /// Actions in force whose latest occurrence before today was missed or never recorded.
    pub actions: u64,
    /// The households those actions belong to.
    pub households: Figure,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Workload {
    pub caseload: Caseload,
    /// Every active caseworker placed in the area, and anyone else holding its open cases;
    /// most cases first.
    pub caseworkers: Vec<WorkloadRow>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct WorkloadRow {
    pub staff_id: String,
    pub name: String,
    pub active: bool,
    /// Open (not closed) households assigned to them in the area.
    pub open: Figure,
}

#[derive(Debug, Default, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Reviews {
    /// Plans submitted and not yet decided.
    pub waiting: u64,
    /// Waiting 0–2 days, 3–7, 8–14 and more than 14.
    pub by_age: [u64; 4],
    /// The longest-waiting plans (at most 10), oldest first.
    pub oldest: Vec<ReviewWait>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct ReviewWait {
    pub plan_id: String,
    pub household_id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub submitted_on: NaiveDate,
    pub days: u32,
}

/// The area a dashboard (or an export) covers: its code, name and the code range of its subtree.
pub struct Area {
    pub code: String,
    pub name: String,
    pub lo: String,
    pub hi: String,
}

impl Area {
    /// The division asked for, or the actor's own; refused at `field` when unknown.
    pub fn resolve(env: &Env, field: &str, code: Option<&str>) -> ApiResult<Area> {
        let code = match code {
            Some(c) => v::division_code(field, c)?,
            None => env.actor()?.division_code.clone(),
        };
        let name: String = env
            .tx
            .query_row("SELECT name FROM division WHERE code = ?1", [&code], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundDivision, field))?;
        let (lo, hi) = v::subtree_range(&code);
        Ok(Area { code, name, lo, hi })
    }

    /// The WHERE condition for household `h` in this area and the actor's scope; its two
    /// parameters are ?1 and ?2 (see [`Area::params`]).
    pub fn households_sql(&self, env: &Env) -> String {
        format!(
            "{} AND h.division_code >= ?1 AND h.division_code < ?2",
            env.household_scope_sql("h")
        )
    }

    /// The divisions one level below the area, to group its households by.
    pub fn children(&self, env: &Env) -> ApiResult<Children> {
        let list: Vec<(String, String)> = env
            .tx
            .prepare_cached("SELECT code, name FROM division WHERE parent_code = ?1 ORDER BY code")?
            .query_map([&self.code], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let len = list.first().map_or(usize::MAX, |(c, _)| c.len());
        Ok(Children { list, len })
    }

    pub fn params(&self) -> Vec<SqlValue> {
        vec![
            SqlValue::Text(self.lo.clone()),
            SqlValue::Text(self.hi.clone()),
        ]
    }
}

/// The SQL the dashboard runs (the benchmarks run the same text through raw rusqlite). Every
/// statement takes the area's code range as ?1 and ?2; `not_visited` and `weeks` take the
/// period as ?3 and ?4, `stalled` today as ?3.
pub struct DashboardSql {
    pub households: String,
    pub not_visited: String,
    pub needs: String,
    pub weeks: String,
    pub stalled: String,
    pub staff: String,
    pub reviews: String,
}

impl DashboardSql {
    /// `in_area`: the condition on household `h` ([`Area::households_sql`]).
    pub fn new(in_area: &str) -> DashboardSql {
        DashboardSql {
            households: format!(
                "SELECT h.division_code, h.status, h.priority, h.causes, h.caseworker_id,
                        h.last_visit_on, h.referred_on
                 FROM household h WHERE {in_area}"
            ),
            not_visited: format!(
                "SELECT count(*) FROM household h WHERE {in_area} AND {}",
                not_visited_sql(3, 4)
            ),
            needs: format!(
                "SELECT n.category, n.status, {NEED_UNCOVERED_SQL}, count(*)
                 FROM household h JOIN need n ON n.household_id = h.id
                 WHERE {in_area} AND h.status <> 'closed' GROUP BY 1, 2, 3"
            ),
            weeks: format!(
                "SELECT o.due_on, o.status, count(*)
                 FROM household h JOIN occurrence o ON o.household_id = h.id
                 WHERE {in_area} AND o.due_on >= ?3 AND o.due_on <= ?4 GROUP BY 1, 2"
            ),
            stalled: format!(
                "SELECT count(*), count(DISTINCT a.household_id)
                 FROM household h JOIN action a ON a.household_id = h.id
                 JOIN plan_version p ON p.id = a.plan_version_id
                 WHERE {in_area} AND {}",
                action_stalled_sql(3)
            ),
            staff: "SELECT id, name, active, role, division_code >= ?1 AND division_code < ?2
                    FROM staff ORDER BY name, id"
                .to_string(),
            reviews: format!(
                "SELECT p.id, p.household_id, h.case_no, {HEAD_NAME_SQL}, substr(p.submitted_at, 1, 10)
                 FROM plan_version p JOIN household h ON h.id = p.household_id
                 WHERE p.status = 'submitted' AND {in_area}
                 ORDER BY p.submitted_at, p.id"
            ),
        }
    }
}

/// An area's child divisions (see [`Area::children`]).
pub struct Children {
    list: Vec<(String, String)>,
    len: usize,
}

impl Children {
    /// The child a household's division code falls under (the code itself when the household
    /// sits on the area).
    pub fn of<'a>(&self, code: &'a str) -> &'a str {
        code.get(..self.len).unwrap_or(code)
    }

    /// (code, name, value) in display order: the area itself when households sit on it, every
    /// child in code order (default value when it has none), then codes missing from the
    /// division table (none in a checked database), under their own code.
    pub fn lines<T: Default>(
        self,
        area: &Area,
        mut by: HashMap<String, T>,
    ) -> Vec<(String, String, T)> {
        let mut out = Vec::new();
        if let Some(v) = by.remove(&area.code) {
            out.push((area.code.clone(), area.name.clone(), v));
        }
        for (code, name) in self.list {
            let v = by.remove(&code).unwrap_or_default();
            out.push((code, name, v));
        }
        let mut rest: Vec<_> = by.into_iter().collect();
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(rest.into_iter().map(|(code, v)| (code.clone(), code, v)));
        out
    }
}

pub fn dashboard_get(env: &Env, req: DashboardQuery) -> ApiResult<Dashboard> {
    let period = req.period.check("period", Some(DASHBOARD_MAX_DAYS))?;
    let area = Area::resolve(env, "division_code", req.division_code.as_deref())?;
    let settings = rf::load_settings(env)?;
    let today = env.ctx.today;
    let sql = DashboardSql::new(&area.households_sql(env));

    let (households, load) = household_figures(env, &area, &sql, &settings, period)?;
    Ok(Dashboard {
        households,
        needs: need_figures(env, &area, &sql)?,
        weeks: weeks(env, &area, &sql, period, today)?,
        stalled: stalled(env, &area, &sql, today)?,
        workload: workload(env, &area, &sql, load, settings.caseload)?,
        reviews: reviews(env, &area, &sql, today)?,
        division_code: area.code,
        division_name: area.name,
        period,
        today,
    })
}

/// One pass over the area's households (the covering index `household_division`).
fn household_figures(
    env: &Env,
    area: &Area,
    sql: &DashboardSql,
    settings: &rf::Settings,
    period: Period,
) -> ApiResult<(HouseholdFigures, HashMap<String, u64>)> {
    let today = env.ctx.today;
    let children = area.children(env)?;
    let mut by_child: HashMap<String, u64> = HashMap::new();
    let mut by_status = [0u64; HouseholdStatus::ALL.len()];
    let mut by_priority = [0u64; Priority::ALL.len()];
    let mut by_cause = [0u64; Cause::ALL.len()];
    let mut load: HashMap<String, u64> = HashMap::new();
    let mut f = HouseholdFigures::default();
    let base = Drill::area(&area.code, &area.name);

    let mut st = env.tx.prepare_cached(&sql.households)?;
    let mut rows = st.query(params_from_iter(area.params()))?;
    while let Some(r) = rows.next()? {
        let status: HouseholdStatus = r.get(1)?;
        f.total.count += 1;
        by_status[status as usize] += 1;
        if status == HouseholdStatus::Closed {
            continue;
        }
        f.open.count += 1;
        let priority: Priority = r.get(2)?;
        by_priority[priority as usize] += 1;
        let causes: i64 = r.get(3)?;
        for c in Cause::ALL {
            if causes & c.bit() != 0 {
                by_cause[*c as usize] += 1;
            }
        }
        let code = r.get_ref(0)?.as_str()?;
        let child = children.of(code);
        match by_child.get_mut(child) {
            Some(n) => *n += 1,
            None => {
                by_child.insert(child.to_string(), 1);
            }
        }
        match r.get_ref(4)?.as_str_or_null()? {
            Some(cw) => match load.get_mut(cw) {
                Some(n) => *n += 1,
                None => {
                    load.insert(cw.to_string(), 1);
                }
            },
            None => f.unassigned.count += 1,
        }
        let (_, overdue) = cadence_due(status, priority, r.get(5)?, r.get(6)?, settings, today);
        f.overdue.count += u64::from(overdue);
    }
    drop(rows);

    let mut params = area.params();
    params.push(SqlValue::Text(period.from.to_string()));
    params.push(SqlValue::Text(period.to.to_string()));
    f.not_visited.count = env
        .tx
        .query_row(&sql.not_visited, params_from_iter(params), |r| {
            r.get::<_, i64>(0)
        })? as u64;
    f.total.drill = Some(base.clone());
    f.open.drill = Some(base.clone().open());
    f.overdue.drill = Some(base.clone().overdue());
    f.not_visited.drill = Some(base.clone().not_visited(period));
    f.unassigned.drill = Some(base.clone().open().unassigned());

    f.by_status = HouseholdStatus::ALL
        .iter()
        .map(|&status| StatusCount {
            status,
            count: by_status[status as usize],
            drill: base.clone().status(&[status]),
        })
        .collect();
    f.by_priority = Priority::ALL
        .iter()
        .map(|&priority| PriorityCount {
            priority,
            count: by_priority[priority as usize],
            drill: base.clone().open().priority(priority),
        })
        .collect();
    f.by_cause = Cause::ALL
        .iter()
        .map(|&cause| CauseCount {
            cause,
            count: by_cause[cause as usize],
            drill: base.clone().open().cause(cause),
        })
        .collect();
    f.by_division = children
        .lines(area, by_child)
        .into_iter()
        .map(|(code, name, count)| DivisionCount {
            drill: (code != area.code).then(|| Drill::area(&code, &name).open()),
            code,
            name,
            count,
        })
        .collect();
    Ok((f, load))
}

fn need_figures(env: &Env, area: &Area, sql: &DashboardSql) -> ApiResult<NeedFigures> {
    let mut st = env.tx.prepare_cached(&sql.needs)?;
    let mut rows = st.query(params_from_iter(area.params()))?;
    let base = Drill::area(&area.code, &area.name);
    let with = |c: Option<NeedCategory>, s: NeedStatus| {
        Figure::of(0, base.clone().open().needs(c, &[s], false))
    };
    let mut by_cat: Vec<NeedRow> = NeedCategory::ALL
        .iter()
        .map(|&c| NeedRow {
            category: c,
            open: with(Some(c), NeedStatus::Open),
            in_progress: with(Some(c), NeedStatus::InProgress),
            met: with(Some(c), NeedStatus::Met),
            unmet: with(Some(c), NeedStatus::Unmet),
            withdrawn: with(Some(c), NeedStatus::Withdrawn),
            uncovered: Figure::of(0, base.clone().needs(Some(c), &[], true)),
        })
        .collect();
    let mut f = NeedFigures {
        by_category: Vec::new(),
        open: Figure::of(
            0,
            base.clone()
                .open()
                .needs(None, &[NeedStatus::Open, NeedStatus::InProgress], false),
        ),
        uncovered: Figure::of(0, base.clone().needs(None, &[], true)),
    };
    while let Some(r) = rows.next()? {
        let category: NeedCategory = r.get(0)?;
        let status: NeedStatus = r.get(1)?;
        let uncovered: bool = r.get(2)?;
        let n = r.get::<_, i64>(3)? as u64;
        let row = &mut by_cat[category as usize];
        match status {
            NeedStatus::Open => row.open.count += n,
            NeedStatus::InProgress => row.in_progress.count += n,
            NeedStatus::Met => row.met.count += n,
            NeedStatus::Unmet => row.unmet.count += n,
            NeedStatus::Withdrawn => row.withdrawn.count += n,
        }
        if matches!(status, NeedStatus::Open | NeedStatus::InProgress) {
            f.open.count += n;
        }
        if uncovered {
            row.uncovered.count += n;
            f.uncovered.count += n;
        }
    }
    f.by_category = by_cat
        .into_iter()
        .filter(|r| {
            [&r.open, &r.in_progress, &r.met, &r.unmet, &r.withdrawn]
                .iter()
                .any(|x| x.count > 0)
        })
        .collect();
    Ok(f)
}

/// The Monday of `d`'s week.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn weeks(
    env: &Env,
    area: &Area,
    sql: &DashboardSql,
    period: Period,
    today: NaiveDate,
) -> ApiResult<Vec<WeekRow>> {
    let mut out = Vec::new();
    let mut week = week_of(period.from);
    let base = Drill::area(&area.code, &area.name);
    while week <= period.to {
        let (from, to) = (
            week.max(period.from),
            (week + Duration::days(6)).min(period.to),
        );
        let part = |state| Figure {
            count: 0,
            drill: base.clone().deliveries(state, from, to, today),
        };
        out.push(WeekRow {
            week,
            from,
            to,
            done: part(WeekState::Done),
            missed: part(WeekState::Missed),
            skipped: part(WeekState::Skipped),
            overdue: part(WeekState::Overdue),
            upcoming: part(WeekState::Upcoming),
        });
        week += Duration::days(7);
    }
    let first = week_of(period.from);
    let mut params = area.params();
    params.push(SqlValue::Text(period.from.to_string()));
    params.push(SqlValue::Text(period.to.to_string()));
    let mut st = env.tx.prepare_cached(&sql.weeks)?;
    let mut rows = st.query(params_from_iter(params))?;
    while let Some(r) = rows.next()? {
        let due: NaiveDate = r.get(0)?;
        let status: OccurrenceStatus = r.get(1)?;
        let n = r.get::<_, i64>(2)? as u64;
        let i = ((week_of(due) - first).num_days() / 7) as usize;
        let Some(row) = out.get_mut(i) else { continue };
        match status {
            OccurrenceStatus::Done => row.done.count += n,
            OccurrenceStatus::Missed => row.missed.count += n,
            OccurrenceStatus::Skipped => row.skipped.count += n,
            OccurrenceStatus::Due if due < today => row.overdue.count += n,
            OccurrenceStatus::Due => row.upcoming.count += n,
        }
    }
    Ok(out)
}

fn stalled(env: &Env, area: &Area, sql: &DashboardSql, today: NaiveDate) -> ApiResult<Stalled> {
    let mut params = area.params();
    params.push(SqlValue::Text(today.to_string()));
    let (actions, households) =
        env.tx
            .query_row(&sql.stalled, params_from_iter(params.iter()), |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })?;
    Ok(Stalled {
        actions,
        households: Figure::of(households, Drill::area(&area.code, &area.name).stalled()),
    })
}

fn workload(
    env: &Env,
    area: &Area,
    sql: &DashboardSql,
    load: HashMap<String, u64>,
    caseload: Caseload,
) -> ApiResult<Workload> {
    // A caseworker sees only their own line.
    let own = env.actor()?;
    let mut st = env.tx.prepare_cached(&sql.staff)?;
    let mut rows = st.query(params_from_iter(area.params()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let id = Uuid::parse_str(&id)
            .map_err(|_| ApiError::internal("a staff id in the database is not a UUID"))?;
        let active: bool = r.get(2)?;
        let role: Role = r.get(3)?;
        let placed_here: bool = r.get(4)?;
        let open = load.get(&id.to_string()).copied().unwrap_or(0);
        let listed = open > 0 || (active && role == Role::Caseworker && placed_here);
        if !listed || (own.role == Role::Caseworker && id != own.id) {
            continue;
        }
        let name: String = r.get(1)?;
        let drill = Drill::area(&area.code, &area.name)
            .open()
            .caseworker(id, &name);
        out.push(WorkloadRow {
            staff_id: id.to_string(),
            name,
            active,
            open: Figure::of(open, drill),
        });
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.open.count));
    Ok(Workload {
        caseload,
        caseworkers: out,
    })
}

fn reviews(env: &Env, area: &Area, sql: &DashboardSql, today: NaiveDate) -> ApiResult<Reviews> {
    let mut st = env.tx.prepare_cached(&sql.reviews)?;
    let mut rows = st.query(params_from_iter(area.params()))?;
    let mut out = Reviews::default();
    while let Some(r) = rows.next()? {
        let submitted_on: NaiveDate = r.get(4)?;
        let days = (today - submitted_on).num_days().max(0) as u32;
        out.waiting += 1;
        out.by_age[match days {
            0..=2 => 0,
            3..=7 => 1,
            8..=14 => 2,
            _ => 3,
        }] += 1;
        if out.oldest.len() < 10 {
            out.oldest.push(ReviewWait {
                plan_id: r.get(0)?,
                household_id: r.get(1)?,
                case_no: r.get(2)?,
                head_name: r.get(3)?,
                submitted_on,
                days,
            });
        }
    }
    Ok(out)
}
