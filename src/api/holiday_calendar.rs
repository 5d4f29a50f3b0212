//! The school holidays of each year as this office keeps them: the usual Jiangsu calendar
//! (`crate::school_calendar`) until a supervisor or administrator enters the education
//! bureau's dates for a year (`api::holiday`). Read by every schedule that follows the
//! holidays, so it depends on no other command module.

use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::api::Env;
use crate::error::ApiResult;
use crate::school_calendar::{self as sc, Holidays};
use crate::types::HolidayKind;

/// One holiday of one year, as schedules use it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct HolidayPeriod {
    pub year: i32,
    pub kind: HolidayKind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Entered by this office (false: the usual calendar's default).
    pub edited: bool,
}

/// The holidays of `kind` in `year`: this office's, or the default.
pub fn period(env: &Env, year: i32, kind: HolidayKind) -> ApiResult<Option<HolidayPeriod>> {
    let stored: Option<(NaiveDate, NaiveDate)> = env
        .tx
        .query_row(
            "SELECT starts_on, ends_on FROM school_holiday WHERE year = ?1 AND kind = ?2",
            params![year, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match stored {
        Some((starts_on, ends_on)) => Some(HolidayPeriod {
            year,
            kind,
            starts_on,
            ends_on,
            edited: true,
        }),
        None => sc::default_period(year, kind).map(|(starts_on, ends_on)| HolidayPeriod {
            year,
            kind,
            starts_on,
            ends_on,
            edited: false,
        }),
    })
}

pub fn periods(env: &Env, years: std::ops::RangeInclusive<i32>) -> ApiResult<Vec<HolidayPeriod>> {
    // This office's corrections of the whole run, read at once; the defaults fill the rest.
    let mut stored: std::collections::HashMap<(i32, HolidayKind), (NaiveDate, NaiveDate)> = {
        let mut st = env.tx.prepare_cached(
            "SELECT year, kind, starts_on, ends_on FROM school_holiday WHERE year BETWEEN ?1 AND ?2",
        )?;
        st.query_map(params![years.start(), years.end()], |r| {
            Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?)))
        })?
        .collect::<Result<_, _>>()?
    };
    let mut out = Vec::new();
    for year in years {
        for kind in HolidayKind::ALL {
            let found = match stored.remove(&(year, *kind)) {
                Some((starts_on, ends_on)) => Some((starts_on, ends_on, true)),
                None => sc::default_period(year, *kind).map(|(a, b)| (a, b, false)),
            };
            if let Some((starts_on, ends_on, edited)) = found {
                out.push(HolidayPeriod {
                    year,
                    kind: *kind,
                    starts_on,
                    ends_on,
                    edited,
                });
            }
        }
    }
    Ok(out)
}

/// The holidays a schedule needs to be expanded from `from` through `through` (a holiday that
/// starts the year before and runs into `from` included).
pub fn load_holidays(env: &Env, from: NaiveDate, through: NaiveDate) -> ApiResult<Holidays> {
    let first = (from.year() - 1).max(*sc::YEARS.start());
    let last = through.year().min(*sc::YEARS.end());
    let list = if first <= last {
        periods(env, first..=last)?
    } else {
        Vec::new()
    };
    let known = NaiveDate::from_ymd_opt(last, 12, 31).unwrap_or(through);
    Ok(Holidays::new(
        list.into_iter().map(|p| (p.starts_on, p.ends_on)).collect(),
        known,
    ))
}
