//! Festival care: the calendar of upcoming festivals, and campaigns — one festival visit or one
//! delivery (rice, flour and oil at Spring Festival; a sum of money) for every household of a
//! cohort chosen with the household list's filters, each then recorded per household as done
//! or not done.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Env;
use crate::error::{ApiError, ApiResult};
use crate::festival;
use crate::types::*;

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct FestivalQuery {
    /// How many days ahead to look (1 to 366; 60 when not given).
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
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
            "validation.out_of_range",
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
