//! Festival care: the calendar of upcoming festivals, and campaigns — one festival visit or one
//! delivery (rice, flour and oil at Spring Festival; a sum of money) for every household of a
//! cohort chosen with the household list's filters, each then recorded per household as done
//! or not done.

use chrono::{Duration, NaiveDate};
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::campaign_item::{
    CampaignItem, ITEM_SELECT, audit_line, find_item, item_from_row, item_key,
};
use super::household::{require_open_household, touch_household};
use super::household_filter::{HouseholdQuery, household_filter};
use super::reference as rf;
use super::visit;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::festival;
use crate::types::*;
use crate::validate::{self as v, SHORT_MAX, TEXT_MAX};

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FestivalQuery {
    /// How many days ahead to look (1 to 366; 60 when not given).
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct UpcomingFestival {
    pub festival: Festival,
    pub date: NaiveDate,
    /// 0 on the day itself.
    pub days_until: u32,
}

pub fn festival_upcoming(env: &Env, req: FestivalQuery) -> ApiResult<Vec<UpcomingFestival>> {
    let days = req.days.unwrap_or(60);
    if !(1..=366).contains(&days) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "days",
            "days must be 1 to 366",
        ));
    }
    let today = env.ctx.today;
    Ok(
        festival::between(today, today + Duration::days(i64::from(days)))
            .into_iter()
            .map(|(festival, date)| UpcomingFestival {
                festival,
                date,
                days_until: (date - today).num_days() as u32,
            })
            .collect(),
    )
}

// ---------------------------------------------------------------- campaigns

/// The most households one campaign reaches (a county's caseload several times over).
pub const COHORT_MAX: u64 = 5000;

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// e.g. "2027 年春节慰问".
    pub name: String,
    pub kind: CampaignKind,
    #[serde(default)]
    pub festival: Option<Festival>,
    /// When the visit or the delivery is due (the festival's date, or before it).
    pub due_on: NaiveDate,
    /// What is done or given, e.g. "米、面、油各一份".
    pub title: String,
    /// The need category the help answers (living costs for rice and oil).
    pub category: NeedCategory,
    #[serde(default)]
    pub amount_fen: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
    /// The households, chosen with the household list's filters (its paging and sorting are
    /// ignored); only open households in the actor's scope are taken.
    pub cohort: HouseholdQuery,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    pub kind: CampaignKind,
    pub festival: Option<Festival>,
    pub due_on: NaiveDate,
    pub title: String,
    pub category: NeedCategory,
    pub amount_fen: Option<i64>,
    pub division_code: String,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: String,
    /// Progress over the lines the actor may see.
    pub total: u64,
    pub done: u64,
    pub not_done: u64,
    pub pending: u64,
}

const CAMPAIGN_SELECT: &str = "SELECT c.id, c.name, c.kind, c.festival, c.due_on, c.title, c.category,
    c.amount_fen, c.division_code, c.note, c.created_by, c.created_at,
    count(i.household_id), coalesce(sum(i.status = 'done'), 0), coalesce(sum(i.status = 'not_done'), 0),
    coalesce(sum(i.status = 'pending'), 0)
  FROM campaign c JOIN campaign_item i ON i.campaign_id = c.id JOIN household h ON h.id = i.household_id";

fn campaign_from_row(r: &rusqlite::Row) -> rusqlite::Result<Campaign> {
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        festival: r.get(3)?,
        due_on: r.get(4)?,
        title: r.get(5)?,
        category: r.get(6)?,
        amount_fen: r.get(7)?,
        division_code: r.get(8)?,
        note: r.get(9)?,
        created_by: r.get(10)?,
        created_at: r.get(11)?,
        total: r.get::<_, i64>(12)? as u64,
        done: r.get::<_, i64>(13)? as u64,
        not_done: r.get::<_, i64>(14)? as u64,
        pending: r.get::<_, i64>(15)? as u64,
    })
}

/// A campaign with its progress over the lines in the actor's scope; not found when none is.
fn find_campaign(env: &Env, field: &str, id: &str) -> ApiResult<Campaign> {
    env.tx
        .query_row(
            &format!(
                "{CAMPAIGN_SELECT} WHERE c.id = ?1 AND {} GROUP BY c.id",
                env.household_scope_sql("h")
            ),
            [id],
            campaign_from_row,
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundCampaign, field))
}

pub fn campaign_create(env: &Env, req: CampaignInput) -> ApiResult<Campaign> {
    let actor = env.actor()?.clone();
    let name = v::required("name", &req.name, SHORT_MAX)?;
    let title = v::required("title", &req.title, SHORT_MAX)?;
    let note = v::optional_multiline("note", &req.note, TEXT_MAX)?;
    let amount = v::money("amount_fen", req.amount_fen)?;
    let due_on = v::date_in_range("due_on", req.due_on)?;
    // A past campaign (last Spring Festival's gifts, entered after the fact) reaches only the
    // households already referred by its day, and no more than five years back.
    if (env.ctx.today - due_on).num_days() > v::HISTORY_MAX_DAYS {
        return Err(ApiError::at(
            ErrorCode::ValidationDatePast,
            "due_on",
            "a campaign entered after the fact is at most five years old",
        ));
    }
    let settings = rf::load_settings(env)?;
    let (filter, mut params) = household_filter(&req.cohort, env.ctx.today, &settings.cadence_days)
        .map_err(|e| e.under("cohort."))?;
    let division_code = match &req.cohort.division_code {
        Some(d) => v::division_code("cohort.division_code", d)?,
        None => actor.division_code.clone(),
    };
    // Only households referred by its day (always true of a campaign for today or later).
    params.push(rusqlite::types::Value::Text(due_on.to_string()));
    let sql = format!(
        "SELECT h.id FROM household h WHERE {} AND h.status <> 'closed' AND {filter}
            AND h.referred_on <= ?{} ORDER BY h.case_no",
        env.household_scope_sql("h"),
        params.len()
    );
    let households: Vec<String> = env
        .tx
        .prepare(&sql)?
        .query_map(params_from_iter(params.iter()), |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if households.is_empty() {
        return Err(ApiError::at(
            ErrorCode::CampaignCohortEmpty,
            "cohort",
            "no open household of yours matches these filters",
        ));
    }
    if households.len() as u64 > COHORT_MAX {
        return Err(ApiError::at(
            ErrorCode::CampaignCohortTooLarge,
            "cohort",
            format!(
                "{} households match; a campaign reaches at most {COHORT_MAX}",
                households.len()
            ),
        ));
    }
    let id = env.new_id();
    let now = env.now();
    let mut cohort = req.cohort.clone();
    (cohort.sort, cohort.offset, cohort.limit) = (Default::default(), 0, None);
    env.tx.execute(
        "INSERT INTO campaign(id, name, kind, festival, due_on, title, category, amount_fen, division_code,
            cohort_json, note, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
        params![
            id,
            name,
            req.kind,
            req.festival,
            due_on,
            title,
            req.category,
            amount,
            division_code,
            serde_json::to_string(&cohort)?,
            note,
            actor.id.to_string(),
            now
        ],
    )?;
    let mut insert = env.tx.prepare_cached(
        "INSERT INTO campaign_item(campaign_id, household_id, status, visit_id) VALUES (?1, ?2, 'pending', ?3)",
    )?;
    for h in &households {
        let visit_id = match req.kind {
            CampaignKind::Visit => Some(
                visit::insert_scheduled(
                    env,
                    h,
                    due_on,
                    VisitKind::FestivalVisit,
                    Some(title.clone()),
                )?
                .id,
            ),
            CampaignKind::Delivery => None,
        };
        insert.execute(params![id, h, visit_id])?;
        let line = find_item(env, &id, h)?;
        env.audit::<(), _>(
            "campaign_item",
            &item_key(&id, h),
            Some(h),
            None,
            Some(&line),
        )?;
    }
    let c = find_campaign(env, "id", &id)?;
    env.audit::<(), _>("campaign", &id, None, None, Some(&c))?;
    Ok(c)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignList {
    /// Also campaigns whose every line is recorded.
    #[serde(default)]
    pub include_finished: bool,
    /// Only campaigns of households in this division or below it.
    #[serde(default)]
    pub division_code: Option<String>,
}

pub fn campaign_list(env: &Env, req: CampaignList) -> ApiResult<Vec<Campaign>> {
    let (lo, hi) = match &req.division_code {
        Some(d) => v::subtree_range(&v::division_code("division_code", d)?),
        None => (String::new(), "~".to_string()),
    };
    let mut st = env.tx.prepare_cached(&format!(
        "{CAMPAIGN_SELECT} WHERE {} AND h.division_code >= ?1 AND h.division_code < ?2
         GROUP BY c.id HAVING ?3 OR sum(i.status = 'pending') > 0
         ORDER BY c.due_on DESC, c.created_at DESC LIMIT 200",
        env.household_scope_sql("h")
    ))?;
    let rows = st
        .query_map(params![lo, hi, req.include_finished], campaign_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignGet {
    pub id: Uuid,
    /// Only the lines in this state.
    #[serde(default)]
    pub status: Option<CampaignItemStatus>,
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct CampaignDetail {
    pub campaign: Campaign,
    /// Lines matching the request (before paging).
    pub matching: u64,
    pub items: Vec<CampaignItem>,
}

pub fn campaign_get(env: &Env, req: CampaignGet) -> ApiResult<CampaignDetail> {
    let campaign = find_campaign(env, "id", &req.id.to_string())?;
    let limit = req.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "limit",
            "limit is 1 to 500",
        ));
    }
    let scope = env.household_scope_sql("h");
    let matching: i64 = env.tx.query_row(
        &format!(
            "SELECT count(*) FROM campaign_item i JOIN household h ON h.id = i.household_id
             WHERE i.campaign_id = ?1 AND (?2 IS NULL OR i.status = ?2) AND {scope}"
        ),
        params![campaign.id, req.status],
        |r| r.get(0),
    )?;
    let items = env
        .tx
        .prepare_cached(&format!(
            "{ITEM_SELECT} WHERE i.campaign_id = ?1 AND (?2 IS NULL OR i.status = ?2) AND {scope}
             ORDER BY i.status <> 'pending', h.case_no LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(
            params![campaign.id, req.status, limit, req.offset],
            item_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CampaignDetail {
        campaign,
        matching: matching as u64,
        items,
    })
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignRecord {
    pub campaign_id: Uuid,
    pub household_id: Uuid,
    /// done or not_done.
    pub status: CampaignItemStatus,
    /// The day it was done (today when not given); not after today.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Record one household's line. For a visit campaign this is the festival visit itself: done
/// logs it (the household's last visit moves), not done cancels it.
pub fn campaign_record(env: &Env, req: CampaignRecord) -> ApiResult<CampaignItem> {
    let actor = env.actor()?.clone();
    let (cid, hid) = (req.campaign_id.to_string(), req.household_id.to_string());
    let campaign = find_campaign(env, "campaign_id", &cid)?;
    let before = find_item(env, &cid, &hid)?;
    if req.status == CampaignItemStatus::Pending
        || !transitions::campaign_item(before.status, req.status)
    {
        return Err(ApiError::at(
            ErrorCode::CampaignItemTransitionInvalid,
            "status",
            format!(
                "this line is {} and cannot become {}",
                before.status, req.status
            ),
        ));
    }
    require_open_household(env, "household_id", &hid)?;
    let today = env.ctx.today;
    let done_on = match req.status {
        CampaignItemStatus::Done => Some(v::date_not_after(
            "done_on",
            req.done_on.unwrap_or(today),
            today,
        )?),
        _ => None,
    };
    let note = v::optional_multiline("note", &req.note, TEXT_MAX)?;
    let mut visit_id = before.visit_id.clone();
    if campaign.kind == CampaignKind::Visit {
        let scheduled = match &visit_id {
            Some(id) => visit::find_visit(env, id)?.filter(|v| v.status == VisitStatus::Scheduled),
            None => None,
        };
        match (req.status, scheduled) {
            (CampaignItemStatus::Done, scheduled) => {
                let logged =
                    visit::visit_log(
                        env,
                        visit::VisitLog {
                            household_id: req.household_id,
                            // The festival visit scheduled for it, or a visit of its own (not one
                            // of the household's regular scheduled visits).
                            visit_id: Some(scheduled.map(|v| v.id.parse()).transpose().map_err(
                                |_| ApiError::internal("a stored visit id is not a UUID"),
                            )?),
                            visited_on: done_on,
                            kind: Some(VisitKind::FestivalVisit),
                            visitors: Vec::new(),
                            members_seen: Vec::new(),
                            notes: None,
                            needs_found: Vec::new(),
                            need_updates: Vec::new(),
                            occurrences_delivered: Vec::new(),
                            next_visit_on: None,
                        },
                    )?;
                visit_id = Some(logged.visit.id);
            }
            (_, Some(s)) => {
                visit::visit_set_outcome(
                    env,
                    visit::VisitOutcome {
                        id: s
                            .id
                            .parse()
                            .map_err(|_| ApiError::internal("a stored visit id is not a UUID"))?,
                        to: VisitStatus::Cancelled,
                        note: note.clone(),
                    },
                )?;
            }
            (_, None) => {}
        }
    }
    env.tx.execute(
        "UPDATE campaign_item SET status = ?3, done_on = ?4, note = coalesce(?5, note), visit_id = ?6,
            recorded_by = ?7, recorded_at = ?8
         WHERE campaign_id = ?1 AND household_id = ?2",
        params![cid, hid, req.status, done_on, note, visit_id, actor.id.to_string(), env.now()],
    )?;
    let after = audit_line(env, &cid, &hid, &before)?;
    touch_household(env, &hid)?;
    Ok(after)
}
