//! The school-holiday rules' unit tests: "weekends and school holidays", only within and
//! except the holidays, their rule text, and a property test over the Jiangsu calendar.
use super::prop_tests::{date_in, weekday_set};
use super::tests::{H, d, err, rec};
use super::*;
use proptest::prelude::*;

/// The usual Jiangsu holidays of 2022–2024 (winter 2023: 01-14 to 02-05; summer: 07-01 to
/// 08-31).
fn jiangsu() -> Holidays {
    Holidays::defaults(2022..=2024)
}

#[test]
fn weekends_and_school_holidays() {
    // "Every weekend, and every day of the school holidays".
    let r = Recurrence {
        weekdays: vec![Weekday::Sat, Weekday::Sun],
        school_holidays: Some(SchoolHolidays::Also),
        ..rec(Freq::Weekly)
    };
    assert_eq!(
        r.to_rrule(),
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU;X-SCHOOL-HOLIDAYS=ALSO"
    );
    assert_eq!(Recurrence::from_rrule(&r.to_rrule()), Ok(r.clone()));
    let got = r
        .dates(d(2023, 1, 2), d(2023, 1, 9), d(2023, 1, 17), &jiangsu())
        .unwrap();
    // Weekend 14–15 January is also the first holiday weekend; 16 and 17 are holiday weekdays.
    assert_eq!(
        got,
        vec![
            d(2023, 1, 14),
            d(2023, 1, 15),
            d(2023, 1, 16),
            d(2023, 1, 17)
        ]
    );
    // Every day of the winter holiday (23 days) and the one weekend before it (7–8 January);
    // the next weekend, 11–12 February, is after the window.
    let all = r
        .dates(d(2023, 1, 2), d(2023, 1, 1), d(2023, 2, 10), &jiangsu())
        .unwrap();
    assert_eq!(all.len(), 23 + 2, "{all:?}");
}

#[test]
fn only_in_and_except_the_holidays() {
    // Daily during the holidays only (a summer day camp).
    let only = Recurrence {
        school_holidays: Some(SchoolHolidays::Only),
        until: Some(d(2024, 12, 31)),
        ..rec(Freq::Daily)
    };
    let got = only
        .dates(d(2024, 6, 1), d(2024, 6, 1), d(2024, 12, 31), &jiangsu())
        .unwrap();
    assert_eq!(got.len(), 62);
    assert_eq!(got.first(), Some(&d(2024, 7, 1)));
    assert_eq!(got.last(), Some(&d(2024, 8, 31)));
    // Nothing known about the holidays: nothing is guessed.
    assert_eq!(
        only.dates(d(2024, 6, 1), d(2024, 6, 1), d(2024, 12, 31), &H),
        Ok(vec![])
    );
    // The next dates stop where the calendar stops knowing.
    let next = only
        .next_dates(d(2024, 6, 1), d(2024, 8, 30), 10, &jiangsu())
        .unwrap();
    assert_eq!(next, vec![d(2024, 8, 30), d(2024, 8, 31)]);
    // Weekly tutoring on Wednesdays, on school days only.
    let except = Recurrence {
        weekdays: vec![Weekday::Wed],
        school_holidays: Some(SchoolHolidays::Except),
        ..rec(Freq::Weekly)
    };
    let got = except
        .dates(d(2024, 6, 1), d(2024, 6, 20), d(2024, 9, 10), &jiangsu())
        .unwrap();
    assert_eq!(got, vec![d(2024, 6, 26), d(2024, 9, 4)]);
    // Daily and weekly rules only, and never with a count.
    let bad = Recurrence {
        school_holidays: Some(SchoolHolidays::Only),
        ..rec(Freq::Monthly)
    };
    assert_eq!(
        bad.validate(d(2024, 1, 1)),
        err("recurrence.school_holidays", "not_allowed")
    );
    let bad = Recurrence {
        count: Some(3),
        ..only.clone()
    };
    assert_eq!(
        bad.validate(d(2024, 1, 1)),
        err("recurrence.count", "conflict")
    );
    assert_eq!(
        Recurrence::from_rrule("FREQ=DAILY;INTERVAL=1;X-SCHOOL-HOLIDAYS=SOMETIMES"),
        Err(UNSUPPORTED)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// With the holidays, the dates are still ascending, in the window and split-invariant, and
    /// each one is a holiday day (only), not one (except), or a rule day or holiday day (also).
    #[test]
    fn prop_school_holiday_rules(
        weekly in any::<bool>(),
        mode in prop::sample::select(SchoolHolidays::ALL.to_vec()),
        weekdays in weekday_set(),
        interval in 1u16..=3,
        start in date_in(2022, 2024),
        off in 0i64..700,
        len in 0i64..400,
        frac in 0.0f64..=1.0,
    ) {
        let cal = jiangsu();
        let r = Recurrence {
            weekdays: if weekly { weekdays } else { vec![] },
            school_holidays: Some(mode),
            interval,
            ..rec(if weekly { Freq::Weekly } else { Freq::Daily })
        };
        let a = start + chrono::Duration::days(off - 100);
        let c = a + chrono::Duration::days(len);
        let whole = r.dates(start, a, c, &cal).unwrap();
        let base = r.without_holidays().dates(start, a, c, &H).unwrap();
        for w in whole.windows(2) {
            prop_assert!(w[0] < w[1]);
        }
        for x in &whole {
            prop_assert!(*x >= a && *x <= c && *x >= start);
            match mode {
                SchoolHolidays::Only => prop_assert!(cal.contains(*x) && base.contains(x)),
                SchoolHolidays::Except => prop_assert!(!cal.contains(*x) && base.contains(x)),
                SchoolHolidays::Also => prop_assert!(cal.contains(*x) || base.contains(x)),
            }
        }
        if mode == SchoolHolidays::Also {
            for x in &base {
                prop_assert!(whole.contains(x));
            }
        }
        let span = (c - a).num_days();
        let b = a + chrono::Duration::days((span as f64 * frac) as i64);
        let mut parts = r.dates(start, a, b, &cal).unwrap();
        parts.extend(r.dates(start, b + chrono::Duration::days(1), c, &cal).unwrap());
        prop_assert_eq!(whole, parts);
    }
}
