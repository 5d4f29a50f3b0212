//! The school holidays (寒假, 暑假) that schedules such as "weekends and school holidays" or
//! "every day of the summer holiday" follow. Each county's education bureau sets them each
//! year, so an office may correct any year (stored, `api::holiday`); a year nobody corrected
//! uses the usual Jiangsu calendar computed here: the summer holiday from 1 July to 31 August,
//! the winter holiday for 23 days from the Saturday one to two weeks before the Spring Festival
//! (2023: 1-14 to 2-05; 2024: 1-27 to 2-18; 2025: 1-18 to 2-09).

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::types::{Festival, HolidayKind};

/// The years holiday periods can be given for (the festival calendar's).
pub const YEARS: std::ops::RangeInclusive<i32> = crate::festival::YEARS;

/// Longest holiday period, in days (a summer holiday is about 62).
pub const MAX_DAYS: i64 = 100;

/// The usual Jiangsu holiday of `kind` in `year` (first and last day); None outside [`YEARS`].
pub fn default_period(year: i32, kind: HolidayKind) -> Option<(NaiveDate, NaiveDate)> {
    if !YEARS.contains(&year) {
        return None;
    }
    match kind {
        HolidayKind::Summer => Some((
            NaiveDate::from_ymd_opt(year, 7, 1)?,
            NaiveDate::from_ymd_opt(year, 8, 31)?,
        )),
        HolidayKind::Winter => {
            let spring = crate::festival::date_of(Festival::SpringFestival, year)?;
            // The one Saturday among the seven days from two weeks before the festival.
            let first = spring.checked_sub_days(Days::new(14))?;
            let to_sat = (7 + Weekday::Sat.num_days_from_monday()
                - first.weekday().num_days_from_monday())
                % 7;
            let start = first.checked_add_days(Days::new(u64::from(to_sat)))?;
            Some((start, start.checked_add_days(Days::new(22))?))
        }
    }
}

/// The holiday periods known over a span of days: a schedule's dates are matched against it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    /// First and last day of each period, sorted by first day.
    periods: Vec<(NaiveDate, NaiveDate)>,
    /// The last day this calendar answers for: a day after it is in no known holiday.
    known_through: Option<NaiveDate>,
}

impl Holidays {
    /// No holidays known (a schedule "only in school holidays" then gives no date).
    pub const NONE: Holidays = Holidays {
        periods: Vec::new(),
        known_through: None,
    };

    /// [`Holidays::NONE`].
    pub fn none() -> Self {
        Holidays::NONE
    }

    /// The given periods, known through `known_through`.
    pub fn new(mut periods: Vec<(NaiveDate, NaiveDate)>, known_through: NaiveDate) -> Self {
        periods.retain(|(a, b)| a <= b);
        periods.sort();
        Holidays {
            periods,
            known_through: Some(known_through),
        }
    }

    /// The default periods of `years` (see [`default_period`]).
    pub fn defaults(years: std::ops::RangeInclusive<i32>) -> Self {
        let last = *years.end();
        let periods = years
            .flat_map(|y| HolidayKind::ALL.iter().map(move |k| default_period(y, *k)))
            .flatten()
            .collect();
        Holidays::new(
            periods,
            NaiveDate::from_ymd_opt(last.min(*YEARS.end()), 12, 31).unwrap_or(NaiveDate::MAX),
        )
    }

    /// The last day the calendar answers for.
    pub fn known_through(&self) -> Option<NaiveDate> {
        self.known_through
    }

    /// Whether `d` is in a school holiday.
    pub fn contains(&self, d: NaiveDate) -> bool {
        // Periods are short and sorted: the last one starting on or before `d` decides, with
        // a look at the ones before it in case periods were given overlapping.
        let i = self.periods.partition_point(|(a, _)| *a <= d);
        self.periods[..i].iter().rev().take(4).any(|(_, b)| d <= *b)
    }

    /// Every holiday day `d` with `from <= d <= through`, ascending, without duplicates.
    pub fn days(&self, from: NaiveDate, through: NaiveDate) -> Vec<NaiveDate> {
        let mut out: Vec<NaiveDate> = Vec::new();
        for (a, b) in &self.periods {
            let (a, b) = ((*a).max(from), (*b).min(through));
            let mut d = a;
            while d <= b {
                if out.last().is_none_or(|l| *l < d) {
                    out.push(d);
                }
                match d.succ_opt() {
                    Some(n) => d = n,
                    None => break,
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_usual_jiangsu_winter_holiday_follows_the_spring_festival() {
        // Spring Festival 2022-02-01, 2023-01-22, 2024-02-10, 2025-01-29.
        for (year, first, last) in [
            (2022, "2022-01-22", "2022-02-13"),
            (2023, "2023-01-14", "2023-02-05"),
            (2024, "2024-01-27", "2024-02-18"),
            (2025, "2025-01-18", "2025-02-09"),
        ] {
            let (a, b) = default_period(year, HolidayKind::Winter).expect("known year");
            assert_eq!((a, b), (d(first), d(last)), "{year}");
            assert_eq!(a.weekday(), Weekday::Sat);
            assert_eq!(b.weekday(), Weekday::Sun);
        }
        assert_eq!(
            default_period(2024, HolidayKind::Summer),
            Some((d("2024-07-01"), d("2024-08-31")))
        );
        assert_eq!(default_period(1800, HolidayKind::Summer), None);
    }

    #[test]
    fn days_and_membership() {
        let h = Holidays::new(
            vec![
                (d("2024-07-01"), d("2024-07-03")),
                (d("2024-01-30"), d("2024-02-01")),
                // Overlapping on purpose: still one day each.
                (d("2024-07-02"), d("2024-07-04")),
            ],
            d("2024-12-31"),
        );
        assert!(!h.contains(d("2024-02-29")));
        assert!(h.contains(d("2024-01-30")) && h.contains(d("2024-02-01")));
        assert!(h.contains(d("2024-07-04")));
        assert!(!h.contains(d("2024-07-05")));
        assert_eq!(
            h.days(d("2024-02-01"), d("2024-07-02")),
            vec![d("2024-02-01"), d("2024-07-01"), d("2024-07-02")]
        );
        assert_eq!(h.days(d("2024-07-01"), d("2024-12-31")).len(), 4);
        assert!(
            Holidays::none()
                .days(d("2024-01-01"), d("2024-12-31"))
                .is_empty()
        );
        // A leap-year 29 February inside a period, and a period across New Year.
        let h = Holidays::new(vec![(d("2027-12-30"), d("2028-03-01"))], d("2028-12-31"));
        assert!(h.contains(d("2028-02-29")) && h.contains(d("2028-01-01")));
        assert_eq!(h.days(d("2027-12-31"), d("2028-01-01")).len(), 2);
    }
}
