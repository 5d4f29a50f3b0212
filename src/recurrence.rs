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

/// Most dates [`Recurrence::dates`] returns for one call.
pub const MAX_DATES: usize = 5_000;
/// Most dates [`Recurrence::next_dates`] returns.
pub const MAX_PREVIEW: usize = 50;
/// Largest `interval`.
pub const MAX_INTERVAL: u16 = 365;
/// Largest `count`.
pub const MAX_COUNT: u32 = 1_000;

/// How often the rule repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
}

/// Day of the week, Monday first (ISO 8601).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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
    ) -> Result<Vec<NaiveDate>, RecurrenceError> {
        self.expand(start, from, through, MAX_DATES)
    }

    /// The next `n` occurrences on or after `from` (a UI preview); `n` is
    /// capped at [`MAX_PREVIEW`]. Same rules as [`Recurrence::dates`].
    pub fn next_dates(
        &self,
        start: NaiveDate,
        from: NaiveDate,
        n: usize,
    ) -> Result<Vec<NaiveDate>, RecurrenceError> {
        self.expand(start, from, max_supported(), n.min(MAX_PREVIEW))
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
        })
        .interval(self.interval);
        match self.freq {
            Freq::Daily => {}
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

    /// The latest date `<= from` that starts a period in phase with
    /// `start` (a whole number of intervals later), and the month day to
    /// use from there (explicit, since the new start's day may differ).
    fn fast_forward(&self, start: NaiveDate, from: NaiveDate) -> (NaiveDate, Option<i8>) {
        let interval = i64::from(self.interval.max(1));
        match self.freq {
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rec(freq: Freq) -> Recurrence {
        Recurrence {
            freq,
            interval: 1,
            weekdays: vec![],
            month_day: None,
            until: None,
            count: None,
        }
    }

    /// The error at `field` with the code `validation.recurrence.<code>`.
    fn err(field: &'static str, code: &'static str) -> Result<(), RecurrenceError> {
        let code = ErrorCode::parse(&format!("validation.recurrence.{code}"))
            .unwrap_or_else(|| panic!("no such recurrence code: {code}"));
        Err(RecurrenceError { field, code })
    }

    #[test]
    fn weekly_saturday_from_wednesday() {
        let r = Recurrence {
            weekdays: vec![Weekday::Sat],
            ..rec(Freq::Weekly)
        };
        let start = d(2026, 1, 7); // Wednesday
        assert_eq!(start.weekday(), chrono::Weekday::Wed);
        let got = r.dates(start, start, d(2026, 1, 31)).unwrap();
        assert_eq!(
            got,
            vec![
                d(2026, 1, 10),
                d(2026, 1, 17),
                d(2026, 1, 24),
                d(2026, 1, 31)
            ]
        );
        assert_eq!(r.to_rrule(), "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA");
    }

    #[test]
    fn weekly_empty_weekdays_uses_start_weekday() {
        let r = rec(Freq::Weekly);
        let start = d(2026, 1, 7);
        let got = r.dates(start, start, d(2026, 1, 31)).unwrap();
        assert_eq!(
            got,
            vec![
                d(2026, 1, 7),
                d(2026, 1, 14),
                d(2026, 1, 21),
                d(2026, 1, 28)
            ]
        );
    }

    #[test]
    fn biweekly_mon_thu() {
        let r = Recurrence {
            interval: 2,
            weekdays: vec![Weekday::Thu, Weekday::Mon],
            ..rec(Freq::Weekly)
        };
        let start = d(2026, 1, 7); // Wed; week of Mon 5 Jan
        let got = r.dates(start, start, d(2026, 2, 5)).unwrap();
        assert_eq!(
            got,
            vec![
                d(2026, 1, 8),
                d(2026, 1, 19),
                d(2026, 1, 22),
                d(2026, 2, 2),
                d(2026, 2, 5)
            ]
        );
        assert_eq!(r.to_rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO");
    }

    #[test]
    fn monthly_15th_count_12() {
        let r = Recurrence {
            month_day: Some(15),
            count: Some(12),
            ..rec(Freq::Monthly)
        };
        assert_eq!(
            r.to_rrule(),
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;COUNT=12"
        );
        let start = d(2026, 1, 20); // after the 15th: first is Feb 15
        let got = r.dates(start, start, d(2030, 1, 1)).unwrap();
        assert_eq!(got.len(), 12);
        assert_eq!(got[0], d(2026, 2, 15));
        assert_eq!(got[11], d(2027, 1, 15));
        assert!(got.iter().all(|x| x.day() == 15));
    }

    #[test]
    fn monthly_31st_skips_short_months() {
        let r = Recurrence {
            month_day: Some(31),
            ..rec(Freq::Monthly)
        };
        let got = r
            .dates(d(2026, 1, 1), d(2026, 1, 1), d(2026, 12, 31))
            .unwrap();
        let months: Vec<u32> = got.iter().map(|x| x.month()).collect();
        assert_eq!(months, vec![1, 3, 5, 7, 8, 10, 12]);
        // month_day None takes the start's day, with the same skipping.
        let r = rec(Freq::Monthly);
        let got = r
            .dates(d(2026, 1, 31), d(2026, 1, 1), d(2026, 6, 30))
            .unwrap();
        assert_eq!(got, vec![d(2026, 1, 31), d(2026, 3, 31), d(2026, 5, 31)]);
        // ... also when the window is far after the start (fast-forward path).
        let got = r
            .dates(d(2026, 1, 31), d(2030, 1, 1), d(2030, 6, 30))
            .unwrap();
        assert_eq!(got, vec![d(2030, 1, 31), d(2030, 3, 31), d(2030, 5, 31)]);
    }

    #[test]
    fn monthly_last_day() {
        let r = Recurrence {
            month_day: Some(-1),
            ..rec(Freq::Monthly)
        };
        let got = r
            .dates(d(2027, 12, 1), d(2027, 12, 1), d(2028, 4, 30))
            .unwrap();
        assert_eq!(
            got,
            vec![
                d(2027, 12, 31),
                d(2028, 1, 31),
                d(2028, 2, 29),
                d(2028, 3, 31),
                d(2028, 4, 30)
            ]
        );
        let got = r
            .dates(d(2026, 2, 1), d(2026, 2, 1), d(2026, 2, 28))
            .unwrap();
        assert_eq!(got, vec![d(2026, 2, 28)]);
        assert_eq!(r.to_rrule(), "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1");
    }

    #[test]
    fn monthly_never_occurring_is_empty_and_fast() {
        // Every 12 months on the 30th, starting in February: never.
        let r = Recurrence {
            interval: 12,
            month_day: Some(30),
            ..rec(Freq::Monthly)
        };
        let t = std::time::Instant::now();
        assert_eq!(
            r.dates(d(2026, 2, 1), d(2026, 2, 1), d(9999, 12, 31)),
            Ok(vec![])
        );
        assert_eq!(r.next_dates(d(2026, 2, 1), d(2026, 2, 1), 5), Ok(vec![]));
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
        // Feb 29 every 48 months from a non-leap year: never.
        let r = Recurrence {
            interval: 48,
            month_day: Some(29),
            ..rec(Freq::Monthly)
        };
        assert_eq!(r.next_dates(d(2025, 2, 1), d(2025, 2, 1), 5), Ok(vec![]));
        // ... but from a leap year it occurs (not in 2100, 2200, 2300).
        let got = r.next_dates(d(2024, 2, 1), d(2024, 2, 1), 50).unwrap();
        assert_eq!(got[0], d(2024, 2, 29));
        assert!(got.iter().all(|x| x.month() == 2 && x.day() == 29));
        assert!(!got.contains(&d(2100, 2, 28)));
        assert_eq!(got[19], d(2100 + 4, 2, 29));
    }

    #[test]
    fn daily_interval_3_until() {
        let r = Recurrence {
            interval: 3,
            until: Some(d(2026, 1, 13)),
            ..rec(Freq::Daily)
        };
        let start = d(2026, 1, 1);
        let got = r.dates(start, d(2025, 1, 1), d(2027, 1, 1)).unwrap();
        assert_eq!(
            got,
            vec![
                d(2026, 1, 1),
                d(2026, 1, 4),
                d(2026, 1, 7),
                d(2026, 1, 10),
                d(2026, 1, 13)
            ]
        );
        assert_eq!(r.to_rrule(), "FREQ=DAILY;INTERVAL=3;UNTIL=20260113T000000Z");
        // Window entirely after until.
        assert_eq!(r.dates(start, d(2026, 1, 14), d(2026, 2, 1)), Ok(vec![]));
        // Window before start.
        assert_eq!(r.dates(start, d(2025, 1, 1), d(2025, 12, 31)), Ok(vec![]));
        // Inverted window.
        assert_eq!(r.dates(start, d(2026, 1, 10), d(2026, 1, 1)), Ok(vec![]));
    }

    #[test]
    fn count_used_up_before_from() {
        let r = Recurrence {
            count: Some(5),
            ..rec(Freq::Daily)
        };
        let start = d(2026, 3, 1);
        assert_eq!(r.dates(start, d(2026, 3, 10), d(2026, 12, 31)), Ok(vec![]));
        assert_eq!(
            r.dates(start, d(2026, 3, 4), d(2026, 12, 31)),
            Ok(vec![d(2026, 3, 4), d(2026, 3, 5)])
        );
        assert_eq!(
            r.next_dates(start, d(2026, 3, 3), 10),
            Ok(vec![d(2026, 3, 3), d(2026, 3, 4), d(2026, 3, 5)])
        );
        // Weekly with count, start not matching the weekday.
        let r = Recurrence {
            weekdays: vec![Weekday::Sat],
            count: Some(2),
            ..rec(Freq::Weekly)
        };
        assert_eq!(
            r.dates(d(2026, 1, 7), d(2026, 1, 1), d(2026, 12, 31)),
            Ok(vec![d(2026, 1, 10), d(2026, 1, 17)])
        );
    }

    #[test]
    fn next_dates_caps() {
        let r = rec(Freq::Daily);
        let start = d(2026, 1, 1);
        assert_eq!(r.next_dates(start, start, 0), Ok(vec![]));
        assert_eq!(r.next_dates(start, start, 3).unwrap().len(), 3);
        assert_eq!(
            r.next_dates(start, start, 10_000).unwrap().len(),
            MAX_PREVIEW
        );
        let got = r.next_dates(start, d(2030, 6, 1), 2).unwrap();
        assert_eq!(got, vec![d(2030, 6, 1), d(2030, 6, 2)]);
        // Near the end of the supported range.
        let got = r.next_dates(start, d(9999, 12, 30), 5).unwrap();
        assert_eq!(got, vec![d(9999, 12, 30), d(9999, 12, 31)]);
    }

    #[test]
    fn dates_are_capped() {
        let r = rec(Freq::Daily);
        let got = r
            .dates(d(2000, 1, 1), d(2000, 1, 1), d(2100, 1, 1))
            .unwrap();
        assert_eq!(got.len(), MAX_DATES);
        assert_eq!(got[0], d(2000, 1, 1));
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let r = rec(Freq::Daily);
        assert_eq!(
            r.dates(NaiveDate::MAX, NaiveDate::MIN, NaiveDate::MAX),
            Err(INVALID)
        );
        assert_eq!(
            r.dates(NaiveDate::MIN, NaiveDate::MIN, NaiveDate::MAX),
            Err(INVALID)
        );
        let got = r.dates(d(1, 1, 1), NaiveDate::MIN, d(1, 1, 3)).unwrap();
        assert_eq!(got, vec![d(1, 1, 1), d(1, 1, 2), d(1, 1, 3)]);
        let got = r
            .dates(d(2000, 1, 1), NaiveDate::MAX, NaiveDate::MAX)
            .unwrap();
        assert!(got.is_empty());
        let m = Recurrence {
            interval: 365,
            month_day: Some(-1),
            ..rec(Freq::Monthly)
        };
        let got = m
            .dates(d(2000, 1, 1), d(2000, 1, 1), NaiveDate::MAX)
            .unwrap();
        assert!(!got.is_empty() && got.iter().all(|x| x.year() <= 9999));
        let w = Recurrence {
            interval: 365,
            weekdays: Weekday::ALL.to_vec(),
            ..rec(Freq::Weekly)
        };
        let got = w.dates(d(9999, 12, 1), d(1, 1, 1), NaiveDate::MAX).unwrap();
        assert!(got.len() <= 31);
    }

    #[test]
    fn round_trip_examples() {
        for s in [
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;COUNT=12",
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1;UNTIL=20261231T000000Z",
            "FREQ=DAILY;INTERVAL=365",
            "FREQ=MONTHLY;INTERVAL=1",
        ] {
            let r = Recurrence::from_rrule(s).unwrap();
            assert_eq!(r.to_rrule(), s);
        }
        let r =
            Recurrence::from_rrule("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1;UNTIL=20261231T000000Z")
                .unwrap();
        assert_eq!(r.until, Some(d(2026, 12, 31)));
        assert_eq!(r.month_day, Some(-1));
    }

    #[test]
    fn from_rrule_rejects_other_text() {
        for s in [
            "",
            "RRULE:FREQ=DAILY;INTERVAL=1",
            "FREQ=YEARLY;INTERVAL=1",
            "FREQ=HOURLY;INTERVAL=1",
            "freq=daily;interval=1",
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=01",
            "FREQ=DAILY;INTERVAL=+1",
            "FREQ=DAILY;INTERVAL=",
            "FREQ=DAILY;INTERVAL=1;",
            "FREQ=DAILY;INTERVAL=1 ",
            "FREQ=DAILY;INTERVAL=99999999999999",
            "INTERVAL=1;FREQ=DAILY",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=1MO",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=mo",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-0",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=+5",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1,2",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=200",
            "FREQ=DAILY;INTERVAL=1;COUNT=3;UNTIL=20261231T000000Z",
            "FREQ=DAILY;INTERVAL=1;UNTIL=20261231",
            "FREQ=DAILY;INTERVAL=1;UNTIL=20261231T120000Z",
            "FREQ=DAILY;INTERVAL=1;UNTIL=20260230T000000Z",
            "FREQ=DAILY;INTERVAL=1;UNTIL=２0261231T000000Z",
            "FREQ=DAILY;INTERVAL=1;WKST=MO",
            "FREQ=DAILY;INTERVAL=1;COUNT=3;COUNT=3",
            "FREQ=DAILY;INTERVAL=1;BYSETPOS=1",
        ] {
            assert_eq!(
                Recurrence::from_rrule(s),
                Err(RecurrenceError::new(
                    "recurrence",
                    ErrorCode::ValidationRecurrenceUnsupported
                )),
                "{s:?}"
            );
        }
        // Well-formed but invalid values get the validation error.
        assert_eq!(
            Recurrence::from_rrule("FREQ=DAILY;INTERVAL=0").map(|_| ()),
            err("recurrence.interval", "out_of_range")
        );
        assert_eq!(
            Recurrence::from_rrule("FREQ=DAILY;INTERVAL=1;BYDAY=MO").map(|_| ()),
            err("recurrence.weekdays", "not_allowed")
        );
        assert_eq!(
            Recurrence::from_rrule("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=32").map(|_| ()),
            err("recurrence.month_day", "out_of_range")
        );
        assert_eq!(
            Recurrence::from_rrule("FREQ=DAILY;INTERVAL=1;UNTIL=20261231T000000Z;COUNT=3")
                .map(|_| ()),
            err("recurrence.count", "conflict")
        );
        assert_eq!(
            Recurrence::from_rrule("FREQ=DAILY;INTERVAL=1;COUNT=0").map(|_| ()),
            err("recurrence.count", "out_of_range")
        );
    }

    #[test]
    fn validation_errors() {
        let start = d(2026, 1, 1);
        assert_eq!(rec(Freq::Daily).validate(start), Ok(()));
        let v = |r: Recurrence| r.validate(start);
        assert_eq!(
            v(Recurrence {
                interval: 0,
                ..rec(Freq::Daily)
            }),
            err("recurrence.interval", "out_of_range")
        );
        assert_eq!(
            v(Recurrence {
                interval: 366,
                ..rec(Freq::Daily)
            }),
            err("recurrence.interval", "out_of_range")
        );
        assert_eq!(
            v(Recurrence {
                interval: 365,
                ..rec(Freq::Daily)
            }),
            Ok(())
        );
        assert_eq!(
            v(Recurrence {
                weekdays: vec![Weekday::Mon],
                ..rec(Freq::Daily)
            }),
            err("recurrence.weekdays", "not_allowed")
        );
        assert_eq!(
            v(Recurrence {
                weekdays: vec![Weekday::Mon],
                ..rec(Freq::Monthly)
            }),
            err("recurrence.weekdays", "not_allowed")
        );
        assert_eq!(
            v(Recurrence {
                weekdays: vec![Weekday::Mon, Weekday::Tue, Weekday::Mon],
                ..rec(Freq::Weekly)
            }),
            err("recurrence.weekdays", "duplicate")
        );
        assert_eq!(
            v(Recurrence {
                month_day: Some(1),
                ..rec(Freq::Weekly)
            }),
            err("recurrence.month_day", "not_allowed")
        );
        for md in [0, 32, -2, i8::MIN, i8::MAX] {
            assert_eq!(
                v(Recurrence {
                    month_day: Some(md),
                    ..rec(Freq::Monthly)
                }),
                err("recurrence.month_day", "out_of_range"),
                "{md}"
            );
        }
        for md in [1, 28, 31, -1] {
            assert_eq!(
                v(Recurrence {
                    month_day: Some(md),
                    ..rec(Freq::Monthly)
                }),
                Ok(())
            );
        }
        assert_eq!(
            v(Recurrence {
                until: Some(d(2025, 12, 31)),
                ..rec(Freq::Daily)
            }),
            err("recurrence.until", "before_start")
        );
        assert_eq!(
            v(Recurrence {
                until: Some(start),
                ..rec(Freq::Daily)
            }),
            Ok(())
        );
        for c in [0, 1001, u32::MAX] {
            assert_eq!(
                v(Recurrence {
                    count: Some(c),
                    ..rec(Freq::Daily)
                }),
                err("recurrence.count", "out_of_range")
            );
        }
        assert_eq!(
            v(Recurrence {
                count: Some(1000),
                ..rec(Freq::Daily)
            }),
            Ok(())
        );
        assert_eq!(
            v(Recurrence {
                until: Some(d(2026, 2, 1)),
                count: Some(3),
                ..rec(Freq::Daily)
            }),
            err("recurrence.count", "conflict")
        );
        // dates() validates too.
        assert_eq!(
            Recurrence {
                interval: 0,
                ..rec(Freq::Daily)
            }
            .dates(start, start, start),
            Err(RecurrenceError::new(
                "recurrence.interval",
                ErrorCode::ValidationRecurrenceOutOfRange
            ))
        );
    }

    #[test]
    fn serde_shape() {
        let r: Recurrence =
            serde_json::from_str(r#"{"freq":"weekly","weekdays":["sat","mon"]}"#).unwrap();
        assert_eq!(
            r,
            Recurrence {
                weekdays: vec![Weekday::Sat, Weekday::Mon],
                ..rec(Freq::Weekly)
            }
        );
        let r: Recurrence = serde_json::from_str(
            r#"{"freq":"monthly","interval":2,"month_day":-1,"until":"2026-12-31"}"#,
        )
        .unwrap();
        assert_eq!(r.until, Some(d(2026, 12, 31)));
        assert_eq!(r.month_day, Some(-1));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["freq"], "monthly");
        assert_eq!(json["until"], "2026-12-31");
        assert!(serde_json::from_str::<Recurrence>(r#"{"freq":"daily","byday":1}"#).is_err());
        assert!(serde_json::from_str::<Recurrence>(r#"{"freq":"yearly"}"#).is_err());
        assert!(serde_json::from_str::<Recurrence>(r#"{"interval":1}"#).is_err());
    }

    // ---------- property tests ----------

    /// Independent reference expansion: walk every day from `start`.
    fn reference(
        r: &Recurrence,
        start: NaiveDate,
        from: NaiveDate,
        through: NaiveDate,
    ) -> Vec<NaiveDate> {
        let interval = i64::from(r.interval);
        let monday = |x: NaiveDate| {
            x - chrono::Duration::days(i64::from(x.weekday().num_days_from_monday()))
        };
        let md = r.month_day.unwrap_or(start.day() as i8);
        let mut out = vec![];
        let mut n = 0u32;
        let mut day = start;
        while day <= through {
            if r.until.is_some_and(|u| day > u) || r.count.is_some_and(|c| n >= c) {
                break;
            }
            let hit = match r.freq {
                Freq::Daily => (day - start).num_days() % interval == 0,
                Freq::Weekly => {
                    let weeks = (monday(day) - monday(start)).num_days() / 7;
                    let wd = Weekday::from(day.weekday());
                    let on_day = if r.weekdays.is_empty() {
                        day.weekday() == start.weekday()
                    } else {
                        r.weekdays.contains(&wd)
                    };
                    weeks % interval == 0 && on_day
                }
                Freq::Monthly => {
                    let months = month_index(day) - month_index(start);
                    let last = day.succ_opt().is_none_or(|n| n.month() != day.month());
                    let on_day = if md == -1 {
                        last
                    } else {
                        day.day() == md as u32
                    };
                    months % interval == 0 && on_day
                }
            };
            if hit {
                n += 1;
                if day >= from {
                    out.push(day);
                }
            }
            day = day.succ_opt().unwrap();
        }
        out
    }

    fn weekday_set() -> impl Strategy<Value = Vec<Weekday>> {
        prop::sample::subsequence(Weekday::ALL.to_vec(), 0..=7).prop_shuffle()
    }

    fn date_in(lo: i32, hi: i32) -> impl Strategy<Value = NaiveDate> {
        (lo..hi, 1u32..=12, 1u32..=31).prop_map(|(y, m, dd)| {
            NaiveDate::from_ymd_opt(y, m, dd)
                .or_else(|| NaiveDate::from_ymd_opt(y, m, 28))
                .unwrap()
        })
    }

    fn interval() -> impl Strategy<Value = u16> {
        prop_oneof![4 => 1u16..=4, 2 => 1u16..=30, 1 => 1u16..=365]
    }

    /// (recurrence, start): a valid rule.
    fn valid_rule() -> impl Strategy<Value = (Recurrence, NaiveDate)> {
        let freq = prop_oneof![Just(Freq::Daily), Just(Freq::Weekly), Just(Freq::Monthly)];
        let md = prop_oneof![Just(None), (1i8..=31).prop_map(Some), Just(Some(-1i8))];
        let end = prop_oneof![
            Just((None, None)),
            (0i64..900).prop_map(|n| (Some(n), None)),
            (1u32..=60).prop_map(|c| (None, Some(c))),
        ];
        (
            freq,
            interval(),
            weekday_set(),
            md,
            end,
            date_in(2000, 2030),
        )
            .prop_map(
                |(freq, interval, weekdays, md, (until_days, count), start)| {
                    let r = Recurrence {
                        weekdays: if freq == Freq::Weekly {
                            weekdays
                        } else {
                            vec![]
                        },
                        month_day: if freq == Freq::Monthly { md } else { None },
                        until: until_days.map(|n| start + chrono::Duration::days(n)),
                        count,
                        interval,
                        freq,
                    };
                    (r, start)
                },
            )
    }

    /// (from, through) around `start`, up to ~3 years long.
    fn window(start: NaiveDate) -> impl Strategy<Value = (NaiveDate, NaiveDate)> {
        (-200i64..1500, 0i64..1100).prop_map(move |(off, len)| {
            let from = start + chrono::Duration::days(off);
            (from, from + chrono::Duration::days(len))
        })
    }

    fn rule_and_window() -> impl Strategy<Value = (Recurrence, NaiveDate, NaiveDate, NaiveDate)> {
        valid_rule().prop_flat_map(|(r, start)| {
            window(start).prop_map(move |(f, t)| (r.clone(), start, f, t))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn prop_dates_well_formed((r, start, from, through) in rule_and_window()) {
            prop_assert_eq!(r.validate(start), Ok(()));
            let got = r.dates(start, from, through).unwrap();
            for w in got.windows(2) {
                prop_assert!(w[0] < w[1]);
            }
            for x in &got {
                prop_assert!(*x >= from && *x <= through && *x >= start);
                if let Some(u) = r.until {
                    prop_assert!(*x <= u);
                }
            }
            if let Some(c) = r.count {
                prop_assert!(got.len() <= c as usize);
            }
            prop_assert!(got.len() <= MAX_DATES);
        }

        #[test]
        fn prop_window_split((r, start, a, c) in rule_and_window(), frac in 0.0f64..=1.0) {
            let span = (c - a).num_days();
            let b = a + chrono::Duration::days((span as f64 * frac) as i64);
            let whole = r.dates(start, a, c).unwrap();
            let mut parts = r.dates(start, a, b).unwrap();
            parts.extend(r.dates(start, b + chrono::Duration::days(1), c).unwrap());
            prop_assert_eq!(whole, parts);
        }

        #[test]
        fn prop_matches_reference((r, start, from, through) in rule_and_window()) {
            let got = r.dates(start, from, through).unwrap();
            let want = reference(&r, start, from, through);
            prop_assert_eq!(got, want, "{} from {}", r.to_rrule(), start);
        }

        #[test]
        fn prop_next_dates_prefix((r, start, from, _t) in rule_and_window(), n in 0usize..60) {
            let next = r.next_dates(start, from, n).unwrap();
            prop_assert!(next.len() <= n.min(MAX_PREVIEW));
            if let Some(last) = next.last() {
                let window = r.dates(start, from, *last).unwrap();
                prop_assert_eq!(&window, &next);
            }
        }

        #[test]
        fn prop_rrule_round_trip((r, _start) in valid_rule()) {
            let s = r.to_rrule();
            prop_assert_eq!(Recurrence::from_rrule(&s), Ok(r));
        }

        #[test]
        fn prop_from_rrule_never_panics(s in "(FREQ=(DAILY|WEEKLY|MONTHLY)|INTERVAL=[0-9+-]{0,4}|BYDAY=[A-Z,]{0,8}|BYMONTHDAY=[0-9-]{0,3}|UNTIL=[0-9TZ]{0,17}|COUNT=[0-9]{0,5}|;|x){0,8}") {
            if let Ok(r) = Recurrence::from_rrule(&s) {
                prop_assert_eq!(r.to_rrule(), s);
            }
        }

        #[test]
        fn prop_arbitrary_rules_never_panic(
            freq in prop_oneof![Just(Freq::Daily), Just(Freq::Weekly), Just(Freq::Monthly)],
            interval in any::<u16>(),
            weekdays in prop::collection::vec(prop::sample::select(Weekday::ALL.to_vec()), 0..4),
            month_day in any::<Option<i8>>(),
            until in prop::option::of(date_in(1, 9999)),
            count in any::<Option<u32>>(),
            start in date_in(1, 9999),
            from in date_in(1, 9999),
            len in 0i64..400,
        ) {
            let r = Recurrence { freq, interval, weekdays, month_day, until, count };
            let through = from.checked_add_signed(chrono::Duration::days(len)).unwrap_or(from);
            let _ = r.dates(start, from, through);
            let _ = r.next_dates(start, from, 5);
            let _ = Recurrence::from_rrule(&r.to_rrule());
        }
    }
}
