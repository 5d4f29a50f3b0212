//! The care calendar's festivals and their dates. Five follow the Chinese lunar calendar (春节,
//! 元宵, 端午, 中秋, 重阳) and move each year, so their dates come from tyme4rs, a maintained
//! lunisolar calendar library, rather than from a hand-kept table; 三八妇女节 and 六一儿童节 are
//! fixed days. Festival visits and campaigns are planned from these dates.

use chrono::{Datelike, NaiveDate};
use tyme4rs::tyme::lunar::LunarDay;

use crate::types::Festival;

/// The years the calendar answers for (tyme4rs covers far more; these bound what a caseworker
/// could mean).
pub const YEARS: std::ops::RangeInclusive<i32> = 1901..=2199;

/// Where a festival falls: a lunar month and day, or a Gregorian one.
enum Rule {
    Lunar(isize, usize),
    Solar(u32, u32),
}

fn rule(f: Festival) -> Rule {
    match f {
        Festival::SpringFestival => Rule::Lunar(1, 1),
        Festival::Lantern => Rule::Lunar(1, 15),
        Festival::DragonBoat => Rule::Lunar(5, 5),
        Festival::MidAutumn => Rule::Lunar(8, 15),
        Festival::DoubleNinth => Rule::Lunar(9, 9),
        Festival::WomensDay => Rule::Solar(3, 8),
        Festival::ChildrensDay => Rule::Solar(6, 1),
    }
}

/// The Gregorian date of festival `f` in year `year` (the lunar year that starts in that
/// Gregorian year, which for these festivals is always the same year); None outside [`YEARS`].
pub fn date_of(f: Festival, year: i32) -> Option<NaiveDate> {
    if !YEARS.contains(&year) {
        return None;
    }
    match rule(f) {
        Rule::Solar(m, d) => NaiveDate::from_ymd_opt(year, m, d),
        Rule::Lunar(m, d) => {
            let solar = LunarDay::new(year as isize, m, d).ok()?.get_solar_day();
            NaiveDate::from_ymd_opt(
                i32::try_from(solar.get_year()).ok()?,
                u32::try_from(solar.get_month()).ok()?,
                u32::try_from(solar.get_day()).ok()?,
            )
        }
    }
}

/// Every festival falling within `from ..= to`, in date order.
pub fn between(from: NaiveDate, to: NaiveDate) -> Vec<(Festival, NaiveDate)> {
    let mut out: Vec<(Festival, NaiveDate)> = (from.year()..=to.year())
        .flat_map(|y| {
            Festival::ALL
                .iter()
                .filter_map(move |&f| date_of(f, y).map(|d| (f, d)))
        })
        .filter(|(_, d)| *d >= from && *d <= to)
        .collect();
    out.sort_by_key(|&(f, d)| (d, f));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_days_and_bounds() {
        assert_eq!(
            date_of(Festival::WomensDay, 2027),
            NaiveDate::from_ymd_opt(2027, 3, 8)
        );
        assert_eq!(date_of(Festival::SpringFestival, 1900), None);
        assert_eq!(date_of(Festival::SpringFestival, 2200), None);
        assert!(date_of(Festival::DoubleNinth, 2199).is_some());
    }
}
