//! Recurring action schedules ("visit every Saturday", "pay on the 15th for
//! 12 months"): a small, validated subset of iCalendar RRULE.
//!
//! A plan action can repeat; its occurrences are materialised as dated
//! tasks over a rolling horizon. This module defines the stored shape
//! ([`Recurrence`], JSON via serde), validates it with field-level error
//! codes for the API, converts to and from the canonical RRULE text, and
//! expands it into dates with the `rrule` crate (RFC 5545 semantics:
//! e.g. a monthly rule on the 31st skips months without one).
//!
//! Expansion is deterministic and window-independent: the dates in
//! `[a, c]` are exactly the dates in `[a, b]` followed by those in
//! `[b + 1, c]`, which makes generating occurrences over a moving horizon
//! idempotent. `COUNT` is always counted from the start date, so
//! occurrences before the window still use it up.
//!
//! Work is bounded for any input: at most [`MAX_DATES`] dates are returned,
//! rules without `COUNT` are fast-forwarded to the window by whole periods
//! (so a rule started decades ago costs the same as a new one), rules that
//! can never occur (e.g. every 12 months on the 30th, starting in February)
//! are detected up front, and the crate's own iteration limit is enabled.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error_code::ErrorCode;
use crate::school_calendar::Holidays;
use crate::types::{Festival, SchoolHolidays};

/// Most dates [`Recurrence::dates`] returns for one call.
pub const MAX_DATES: usize = 5_000;
/// Most dates [`Recurrence::next_dates`] returns.
pub const MAX_PREVIEW: usize = 50;
/// Largest `interval`.
pub const MAX_INTERVAL: u16 = 365;
/// Largest `count`.
pub const MAX_COUNT: u32 = 1_000;

/// How often the rule repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    /// Every year on the start date's month and day (29 February only in leap years), or at
    /// a festival of the lunar or solar calendar (`festival`).
    Yearly,
}

/// Day of the week, Monday first (ISO 8601).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ts_rs::TS,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// All days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The two-letter RRULE code (`MO` … `SU`).
    pub fn code(self) -> &'static str {
        match self {
            Weekday::Mon => "MO",
            Weekday::Tue => "TU",
            Weekday::Wed => "WE",
            Weekday::Thu => "TH",
            Weekday::Fri => "FR",
            Weekday::Sat => "SA",
            Weekday::Sun => "SU",
        }
    }

    fn from_code(s: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|d| d.code() == s)
    }

    fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Mon => chrono::Weekday::Mon,
            Weekday::Tue => chrono::Weekday::Tue,
            Weekday::Wed => chrono::Weekday::Wed,
            Weekday::Thu => chrono::Weekday::Thu,
            Weekday::Fri => chrono::Weekday::Fri,
            Weekday::Sat => chrono::Weekday::Sat,
            Weekday::Sun => chrono::Weekday::Sun,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(d: chrono::Weekday) -> Self {
        match d {
            chrono::Weekday::Mon => Weekday::Mon,
            chrono::Weekday::Tue => Weekday::Tue,
            chrono::Weekday::Wed => Weekday::Wed,
            chrono::Weekday::Thu => Weekday::Thu,
            chrono::Weekday::Fri => Weekday::Fri,
            chrono::Weekday::Sat => Weekday::Sat,
            chrono::Weekday::Sun => Weekday::Sun,
        }
    }
}

fn one() -> u16 {
    1
}

/// A recurrence rule. Occurrences are whole dates; the start date is given
/// separately (it is the action's start date) and is itself an occurrence
/// only if it matches the rule (a weekly-on-Saturday rule started on a
/// Wednesday first occurs on that Saturday).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    pub freq: Freq,
    /// Every N days/weeks/months, `1..=365`.
    #[serde(default = "one")]
    pub interval: u16,
    /// Weekly only; empty means the start date's weekday. Weeks start on
    /// Monday when counting `interval`.
    #[serde(default)]
    pub weekdays: Vec<Weekday>,
    /// Monthly only; `1..=31`, or `-1` for the last day of the month. `None`
    /// means the start date's day. Months without the day are skipped.
    #[serde(default)]
    pub month_day: Option<i8>,
    /// Inclusive end date.
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// Total number of occurrences from the start, `1..=1000`.
    #[serde(default)]
    pub count: Option<u32>,
    /// Yearly only: at this festival each year (春节 moves with the lunar calendar) rather
    /// than on the start date's day. Written `X-FESTIVAL=` in the rule text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub festival: Option<Festival>,
    /// Daily and weekly only: the rule's days within the school holidays only, those days and
    /// every holiday day too, or those days outside the holidays (the periods come from
    /// Settings). Written `X-SCHOOL-HOLIDAYS=` in the rule text; not with `count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub school_holidays: Option<SchoolHolidays>,
}

/// A rule problem, addressed to a field of the API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurrenceError {
    /// e.g. `"recurrence.interval"`, or `"recurrence"` for the whole rule.
    pub field: &'static str,
    /// One of the `validation.recurrence.*` codes.
    pub code: ErrorCode,
}

impl RecurrenceError {
    const fn new(field: &'static str, code: ErrorCode) -> Self {
        RecurrenceError { field, code }
    }
}

impl std::fmt::Display for RecurrenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.code)
    }
}

impl std::error::Error for RecurrenceError {}

const UNSUPPORTED: RecurrenceError =
    RecurrenceError::new("recurrence", ErrorCode::ValidationRecurrenceUnsupported);
const INVALID: RecurrenceError =
    RecurrenceError::new("recurrence", ErrorCode::ValidationRecurrenceInvalid);

/// Dates outside years 1..=9999 are not expanded (RRULE text cannot
/// express them and the crate's arithmetic is not meant for them).
fn min_supported() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}
fn max_supported() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

impl Recurrence {
    /// Checks the rule against the action's start date. Errors, in the
    /// order checked:
    /// - `recurrence.interval` `out_of_range`: not in `1..=365`;
    /// - `recurrence.weekdays` `not_allowed` (not weekly) or `duplicate`;
    /// - `recurrence.month_day` `not_allowed` (not monthly) or
    ///   `out_of_range` (not `1..=31` or `-1`);
    /// - `recurrence.count` `conflict`: both `until` and `count` given;
    /// - `recurrence.until` `before_start`;
    /// - `recurrence.count` `out_of_range`: not in `1..=1000`.
    pub fn validate(&self, start: NaiveDate) -> Result<(), RecurrenceError> {
        if !(1..=MAX_INTERVAL).contains(&self.interval) {
            return Err(RecurrenceError::new(
                "recurrence.interval",
                ErrorCode::ValidationRecurrenceOutOfRange,
            ));
        }
        if !self.weekdays.is_empty() {
            if self.freq != Freq::Weekly {
                return Err(RecurrenceError::new(
                    "recurrence.weekdays",
                    ErrorCode::ValidationRecurrenceNotAllowed,
                ));
            }
            for (i, d) in self.weekdays.iter().enumerate() {
                if self.weekdays[..i].contains(d) {
                    return Err(RecurrenceError::new(
                        "recurrence.weekdays",
                        ErrorCode::ValidationRecurrenceDuplicate,
                    ));
                }
            }
        }
        if let Some(md) = self.month_day {
            if self.freq != Freq::Monthly {
                return Err(RecurrenceError::new(
                    "recurrence.month_day",
                    ErrorCode::ValidationRecurrenceNotAllowed,
                ));
            }
            if !((1..=31).contains(&md) || md == -1) {
                return Err(RecurrenceError::new(
                    "recurrence.month_day",
                    ErrorCode::ValidationRecurrenceOutOfRange,
                ));
            }
        }
        if self.festival.is_some() && self.freq != Freq::Yearly {
            return Err(RecurrenceError::new(
                "recurrence.festival",
                ErrorCode::ValidationRecurrenceNotAllowed,
            ));
        }
        if self.school_holidays.is_some() {
            if !matches!(self.freq, Freq::Daily | Freq::Weekly) {
                return Err(RecurrenceError::new(
                    "recurrence.school_holidays",
                    ErrorCode::ValidationRecurrenceNotAllowed,
                ));
            }
            if self.count.is_some() {
                return Err(RecurrenceError::new(
                    "recurrence.count",
                    ErrorCode::ValidationRecurrenceConflict,
                ));
            }
        }
        if self.until.is_some() && self.count.is_some() {
            return Err(RecurrenceError::new(
                "recurrence.count",
                ErrorCode::ValidationRecurrenceConflict,
            ));
        }
        if let Some(until) = self.until
            && until < start
        {
            return Err(RecurrenceError::new(
                "recurrence.until",
                ErrorCode::ValidationRecurrenceBeforeStart,
            ));
        }
        if let Some(count) = self.count
            && !(1..=MAX_COUNT).contains(&count)
        {
            return Err(RecurrenceError::new(
                "recurrence.count",
                ErrorCode::ValidationRecurrenceOutOfRange,
            ));
        }
        Ok(())
    }

    /// Canonical RRULE text (without the `RRULE:` prefix), parts in the
    /// order FREQ, INTERVAL, BYDAY, BYMONTHDAY, UNTIL, COUNT; e.g.
    /// `FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;COUNT=12`. `BYDAY` keeps the
    /// order of `weekdays`, `UNTIL` is written as `YYYYMMDDT000000Z`.
    pub fn to_rrule(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(64);
        s.push_str(match self.freq {
            Freq::Daily => "FREQ=DAILY",
            Freq::Weekly => "FREQ=WEEKLY",
            Freq::Monthly => "FREQ=MONTHLY",
            Freq::Yearly => "FREQ=YEARLY",
        });
        // Writing to a String cannot fail.
        let _ = write!(s, ";INTERVAL={}", self.interval);
        if !self.weekdays.is_empty() {
            s.push_str(";BYDAY=");
            for (i, d) in self.weekdays.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(d.code());
            }
        }
        if let Some(md) = self.month_day {
            let _ = write!(s, ";BYMONTHDAY={md}");
        }
        if let Some(f) = self.festival {
            let _ = write!(s, ";X-FESTIVAL={}", f.as_str());
        }
        if let Some(h) = self.school_holidays {
            let _ = write!(s, ";X-SCHOOL-HOLIDAYS={}", h.as_str().to_ascii_uppercase());
        }
        if let Some(u) = self.until {
            let _ = write!(
                s,
                ";UNTIL={:04}{:02}{:02}T000000Z",
                u.year(),
                u.month(),
                u.day()
            );
        }
        if let Some(c) = self.count {
            let _ = write!(s, ";COUNT={c}");
        }
        s
    }

    /// Parses exactly the canonical text [`Recurrence::to_rrule`] writes
    /// (same part order, no prefix, no spaces, no leading zeros, `UNTIL` at
    /// midnight UTC). Anything else is `recurrence` / `unsupported`. The
    /// result is also checked as by [`Recurrence::validate`] (except the
    /// start-date check), whose errors are returned as they are.
    pub fn from_rrule(s: &str) -> Result<Recurrence, RecurrenceError> {
        let mut parts = s.split(';').peekable();
        let freq = match parts.next() {
            Some("FREQ=DAILY") => Freq::Daily,
            Some("FREQ=WEEKLY") => Freq::Weekly,
            Some("FREQ=MONTHLY") => Freq::Monthly,
            Some("FREQ=YEARLY") => Freq::Yearly,
            _ => return Err(UNSUPPORTED),
        };
        let interval = parts
            .next()
            .and_then(|p| p.strip_prefix("INTERVAL="))
            .and_then(parse_canonical_uint)
            .and_then(|n| u16::try_from(n).ok())
            .ok_or(UNSUPPORTED)?;
        let mut rec = Recurrence {
            freq,
            interval,
            weekdays: Vec::new(),
            month_day: None,
            until: None,
            count: None,
            festival: None,
            school_holidays: None,
        };
        if let Some(v) = parts.next_if(|p| p.starts_with("BYDAY=")) {
            for code in v.get("BYDAY=".len()..).unwrap_or_default().split(',') {
                rec.weekdays
                    .push(Weekday::from_code(code).ok_or(UNSUPPORTED)?);
            }
        }
        if let Some(v) = parts.next_if(|p| p.starts_with("BYMONTHDAY=")) {
            let v = v.get("BYMONTHDAY=".len()..).unwrap_or_default();
            let (neg, digits) = match v.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, v),
            };
            let n = parse_canonical_uint(digits)
                .filter(|n| *n > 0 || !neg)
                .and_then(|n| i8::try_from(n).ok())
                .ok_or(UNSUPPORTED)?;
            rec.month_day = Some(if neg { -n } else { n });
        }
        if let Some(v) = parts.next_if(|p| p.starts_with("X-FESTIVAL=")) {
            rec.festival = Some(
                Festival::parse(v.get("X-FESTIVAL=".len()..).unwrap_or_default())
                    .ok_or(UNSUPPORTED)?,
            );
        }
        if let Some(v) = parts.next_if(|p| p.starts_with("X-SCHOOL-HOLIDAYS=")) {
            let v = v.get("X-SCHOOL-HOLIDAYS=".len()..).unwrap_or_default();
            rec.school_holidays = Some(
                SchoolHolidays::ALL
                    .iter()
                    .copied()
                    .find(|h| h.as_str().to_ascii_uppercase() == v)
                    .ok_or(UNSUPPORTED)?,
            );
        }
        if let Some(v) = parts.next_if(|p| p.starts_with("UNTIL=")) {
            rec.until = Some(parse_until(v.get("UNTIL=".len()..).unwrap_or_default())?);
        }
        if let Some(v) = parts.next_if(|p| p.starts_with("COUNT=")) {
            let n = parse_canonical_uint(v.get("COUNT=".len()..).unwrap_or_default())
                .and_then(|n| u32::try_from(n).ok())
                .ok_or(UNSUPPORTED)?;
            rec.count = Some(n);
        }
        if parts.next().is_some() {
            return Err(UNSUPPORTED);
        }
        rec.validate(NaiveDate::MIN)?;
        Ok(rec)
    }

    /// Every occurrence `d` with `from <= d <= through`, ascending, without
    /// duplicates, at most [`MAX_DATES`] (the earliest ones). `COUNT` counts
    /// from `start`. The rule is validated first (see
    /// [`Recurrence::validate`]); a start outside years 1..=9999, or a rule
    /// the `rrule` crate rejects, is `recurrence` / `invalid`.
    pub fn dates(
        &self,
        start: NaiveDate,
        from: NaiveDate,
        through: NaiveDate,
        holidays: &Holidays,
    ) -> Result<Vec<NaiveDate>, RecurrenceError> {
        self.expand_with(start, from, through, MAX_DATES, holidays)
    }

    /// The next `n` occurrences on or after `from` (a UI preview); `n` is
    /// capped at [`MAX_PREVIEW`]. Same rules as [`Recurrence::dates`].
    pub fn next_dates(
        &self,
        start: NaiveDate,
        from: NaiveDate,
        n: usize,
        holidays: &Holidays,
    ) -> Result<Vec<NaiveDate>, RecurrenceError> {
        self.expand_with(start, from, max_supported(), n.min(MAX_PREVIEW), holidays)
    }

    /// The rule without its school-holiday part: its own days, whatever the holidays.
    pub fn without_holidays(&self) -> Recurrence {
        Recurrence {
            school_holidays: None,
            ..self.clone()
        }
    }

    /// [`Recurrence::expand`], then the school holidays: the rule's days within them only
    /// (no later than the calendar knows), with every holiday day added, or outside them.
    fn expand_with(
        &self,
        start: NaiveDate,
        from: NaiveDate,
        through: NaiveDate,
        max: usize,
        holidays: &Holidays,
    ) -> Result<Vec<NaiveDate>, RecurrenceError> {
        let Some(mode) = self.school_holidays else {
            return self.expand(start, from, through, max);
        };
        self.validate(start)?;
        let base = self.without_holidays();
        let mut end = through;
        if let Some(until) = self.until {
            end = end.min(until);
        }
        let mut out = match mode {
            SchoolHolidays::Only => {
                let Some(known) = holidays.known_through() else {
                    return Ok(Vec::new());
                };
                base.expand(start, from, end.min(known), MAX_DATES)?
                    .into_iter()
                    .filter(|d| holidays.contains(*d))
                    .collect()
            }
            SchoolHolidays::Except => base
                .expand(start, from, end, MAX_DATES)?
                .into_iter()
                .filter(|d| !holidays.contains(*d))
                .collect(),
            SchoolHolidays::Also => {
                let mut all = base.expand(start, from, end, MAX_DATES)?;
                let first = from.max(start);
                if first <= end {
                    all.extend(holidays.days(first, end));
                }
                all.sort();
                all.dedup();
                all
            }
        };
        out.truncate(max);
        Ok(out)
    }

    fn expand(
        &self,
        start: NaiveDate,
        from: NaiveDate,
        through: NaiveDate,
        max: usize,
    ) -> Result<Vec<NaiveDate>, RecurrenceError> {
        self.validate(start)?;
        if !(min_supported()..=max_supported()).contains(&start) {
            return Err(INVALID);
        }
        let from = from.max(start);
        let mut end = through.min(max_supported());
        if let Some(until) = self.until {
            end = end.min(until);
        }
        if max == 0 || from > end {
            return Ok(Vec::new());
        }
        if self.freq == Freq::Yearly {
            return Ok(self.yearly(start, from, end, max));
        }

        // Without COUNT, nothing before the window matters: move the start
        // forward by whole periods so the crate need not walk from `start`.
        let (eff_start, month_day) = if self.count.is_none() {
            self.fast_forward(start, from)
        } else {
            (start, self.month_day)
        };
        let month_day = month_day.unwrap_or_else(|| day_i8(start));
        if self.freq == Freq::Monthly && !monthly_ever_occurs(eff_start, self.interval, month_day) {
            return Ok(Vec::new());
        }

        let tz = rrule::Tz::UTC;
        let to_dt = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .map(|ndt| ndt.and_utc().with_timezone(&tz))
                .ok_or(INVALID)
        };
        let dt_start = to_dt(eff_start)?;
        let mut rule = rrule::RRule::new(match self.freq {
            Freq::Daily => rrule::Frequency::Daily,
            Freq::Weekly => rrule::Frequency::Weekly,
            Freq::Monthly => rrule::Frequency::Monthly,
            Freq::Yearly => rrule::Frequency::Yearly,
        })
        .interval(self.interval);
        match self.freq {
            Freq::Daily | Freq::Yearly => {}
            Freq::Weekly => {
                let days = if self.weekdays.is_empty() {
                    vec![rrule::NWeekday::Every(start.weekday())]
                } else {
                    self.weekdays
                        .iter()
                        .map(|d| rrule::NWeekday::Every(d.to_chrono()))
                        .collect()
                };
                rule = rule.by_weekday(days);
            }
            Freq::Monthly => rule = rule.by_month_day(vec![month_day]),
        }
        if let Some(count) = self.count {
            rule = rule.count(count);
        } else {
            // UNTIL bounds the crate's own iteration too.
            rule = rule.until(to_dt(end)?);
        }
        let set = rule.build(dt_start).map_err(|_| INVALID)?.limit();

        let mut out = Vec::new();
        for dt in &set {
            let d = dt.date_naive();
            if d > end {
                break;
            }
            if d < from {
                continue;
            }
            if out.last().is_some_and(|last| *last >= d) {
                continue;
            }
            out.push(d);
            if out.len() >= max {
                break;
            }
        }
        Ok(out)
    }

    /// A yearly rule's dates in `from ..= end` (at most `max`), walked year by year from the
    /// start's year: the start's month and day (a 29 February start occurs in leap years only),
    /// or the festival's date that year; the start date itself counts only if it is on or
    /// before that day. COUNT counts from the start; at most ~8,000 years are walked, and
    /// festival dates exist for [`crate::festival::YEARS`] only.
    fn yearly(
        &self,
        start: NaiveDate,
        from: NaiveDate,
        end: NaiveDate,
        max: usize,
    ) -> Vec<NaiveDate> {
        let step = usize::from(self.interval.max(1));
        let mut out = Vec::new();
        let mut counted: u32 = 0;
        for year in (start.year()..=end.year()).step_by(step) {
            let day = match self.festival {
                Some(f) => crate::festival::date_of(f, year),
                None => NaiveDate::from_ymd_opt(year, start.month(), start.day()),
            };
            let Some(day) = day.filter(|d| *d >= start) else {
                continue;
            };
            if day > end {
                break;
            }
            counted += 1;
            if self.count.is_some_and(|c| counted > c) {
                break;
            }
            if day >= from {
                out.push(day);
                if out.len() >= max {
                    break;
                }
            }
        }
        out
    }

    /// The latest date `<= from` that starts a period in phase with
    /// `start` (a whole number of intervals later), and the month day to
    /// use from there (explicit, since the new start's day may differ).
    fn fast_forward(&self, start: NaiveDate, from: NaiveDate) -> (NaiveDate, Option<i8>) {
        let interval = i64::from(self.interval.max(1));
        match self.freq {
            // Walked by `yearly`, which needs no fast-forward.
            Freq::Yearly => (start, self.month_day),
            Freq::Daily | Freq::Weekly => {
                let period = if self.freq == Freq::Daily {
                    interval
                } else {
                    7 * interval
                };
                let days = (from - start).num_days();
                let skip = days / period * period;
                let new = u64::try_from(skip)
                    .ok()
                    .and_then(|s| start.checked_add_days(chrono::Days::new(s)))
                    .unwrap_or(start);
                (new, self.month_day)
            }
            Freq::Monthly => {
                let months = month_index(from) - month_index(start);
                let skip = months / interval * interval;
                let md = self.month_day.or(Some(day_i8(start)));
                match u32::try_from(skip)
                    .ok()
                    .filter(|s| *s > 0)
                    .and_then(|s| start.with_day(1)?.checked_add_months(Months::new(s)))
                {
                    Some(new) => (new, md),
                    None => (start, self.month_day),
                }
            }
        }
    }
}

fn day_i8(d: NaiveDate) -> i8 {
    // Day of month is 1..=31.
    i8::try_from(d.day()).unwrap_or(1)
}

fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

fn days_in_month(year: i64, month0: i64) -> i64 {
    match month0 {
        1 => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        3 | 5 | 8 | 10 => 30,
        _ => 31,
    }
}

/// Whether a monthly rule on `month_day` visits any month that has that
/// day. Month lengths repeat every 4800 months (the 400-year Gregorian
/// cycle), so one pass over the visited residues decides it.
fn monthly_ever_occurs(start: NaiveDate, interval: u16, month_day: i8) -> bool {
    if month_day <= 28 {
        return true;
    }
    let m0 = month_index(start).rem_euclid(4800);
    let step = i64::from(interval.max(1));
    let mut m = m0;
    for _ in 0..4800 {
        if days_in_month(m / 12, m % 12) >= i64::from(month_day) {
            return true;
        }
        m = (m + step) % 4800;
        if m == m0 {
            break;
        }
    }
    false
}

/// Decimal digits without sign or leading zeros (except `"0"` itself).
fn parse_canonical_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 10 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 1 && b[0] == b'0' {
        return None;
    }
    s.parse().ok()
}

/// `YYYYMMDDT000000Z`.
fn parse_until(s: &str) -> Result<NaiveDate, RecurrenceError> {
    let b = s.as_bytes();
    if b.len() != 16 || !b[..8].iter().all(u8::is_ascii_digit) || &b[8..] != b"T000000Z" {
        return Err(UNSUPPORTED);
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let (y, m, d) = (num(0..4), num(4..6), num(6..8));
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => i32::try_from(y)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
            .ok_or(UNSUPPORTED),
        _ => Err(UNSUPPORTED),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;

#[cfg(test)]
mod holiday_tests;
