//! Campaign lines (table `campaign_item`): one household's line of a campaign, how it is read
//! and audited, and how it follows the household's festival visit when that visit is logged,
//! missed or cancelled from the visit screen. Apart from `campaign` so that visits can keep
//! the lines in step without depending on campaigns (which log and cancel those visits).

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Env;
use super::shared::HEAD_NAME_SQL;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;

#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct CampaignItem {
    pub campaign_id: String,
    pub household_id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub division_name: String,
    pub caseworker_name: Option<String>,
    pub status: CampaignItemStatus,
    pub visit_id: Option<String>,
    pub done_on: Option<NaiveDate>,
    pub recorded_by: Option<String>,
    pub note: Option<String>,
}

pub const ITEM_SELECT: &str = const_format::concatcp!(
    "SELECT i.campaign_id, i.household_id, h.case_no, ",
    HEAD_NAME_SQL,
    ", (SELECT d.name FROM division d WHERE d.code = h.division_code),
      (SELECT s.name FROM staff s WHERE s.id = h.caseworker_id),
      i.status, i.visit_id, i.done_on, i.recorded_by, i.note
    FROM campaign_item i JOIN household h ON h.id = i.household_id"
);

pub fn item_from_row(r: &rusqlite::Row) -> rusqlite::Result<CampaignItem> {
    Ok(CampaignItem {
        campaign_id: r.get(0)?,
        household_id: r.get(1)?,
        case_no: r.get(2)?,
        head_name: r.get(3)?,
        division_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        caseworker_name: r.get(5)?,
        status: r.get(6)?,
        visit_id: r.get(7)?,
        done_on: r.get(8)?,
        recorded_by: r.get(9)?,
        note: r.get(10)?,
    })
}

pub fn item_key(campaign_id: &str, household_id: &str) -> String {
    format!("{campaign_id}/{household_id}")
}

/// Audit a changed line (before → as it is now); returns it.
pub fn audit_line(
    env: &Env,
    cid: &str,
    hid: &str,
    before: &CampaignItem,
) -> ApiResult<CampaignItem> {
    let after = find_item(env, cid, hid)?;
    env.audit(
        "campaign_item",
        &item_key(cid, hid),
        Some(hid),
        Some(before),
        Some(&after),
    )?;
    Ok(after)
}

pub fn find_item(env: &Env, campaign_id: &str, household_id: &str) -> ApiResult<CampaignItem> {
    env.tx
        .query_row(
            &format!("{ITEM_SELECT} WHERE i.campaign_id = ?1 AND i.household_id = ?2"),
            [campaign_id, household_id],
            item_from_row,
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundCampaignItem, "household_id"))
}

/// A campaign's festival visit changed from the visit screen: logged → its line is done (on
/// `on`); not at home or cancelled → a pending line is not done.
pub fn follow_visit(env: &Env, visit_id: &str, to: VisitStatus, on: NaiveDate) -> ApiResult<()> {
    let (status, from) = match to {
        VisitStatus::Completed => (CampaignItemStatus::Done, "status <> 'done'"),
        VisitStatus::NotAtHome | VisitStatus::Cancelled => {
            (CampaignItemStatus::NotDone, "status = 'pending'")
        }
        VisitStatus::Scheduled => return Ok(()),
    };
    let lines: Vec<(String, String)> = env
        .tx
        .prepare_cached(&format!(
            "SELECT campaign_id, household_id FROM campaign_item WHERE visit_id = ?1 AND {from}"
        ))?
        .query_map([visit_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let done_on = (status == CampaignItemStatus::Done).then_some(on);
    for (cid, hid) in lines {
        let before = find_item(env, &cid, &hid)?;
        env.tx.execute(
            "UPDATE campaign_item SET status = ?3, done_on = ?4, recorded_by = ?5, recorded_at = ?6
             WHERE campaign_id = ?1 AND household_id = ?2",
            params![cid, hid, status, done_on, env.actor_id(), env.now()],
        )?;
        audit_line(env, &cid, &hid, &before)?;
    }
    Ok(())
}
