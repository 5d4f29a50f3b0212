//! Fuzzing by property test, with many cases: the 身份证 parser and the recurrence rules take
//! anything — arbitrary text, near-valid numbers, arbitrary rules, RRULE text and windows —
//! and answer with a value or an error, never a panic; and what they accept is consistent.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use yihu::idcard;
use yihu::recurrence::{Freq, Recurrence, Weekday};
use yihu::school_calendar::Holidays;
use yihu::types::{Festival, SchoolHolidays};

fn date() -> impl Strategy<Value = NaiveDate> {
    // Mostly dates a caseworker would use, sometimes years far outside what the rules allow.
    let year = prop_oneof![4 => 2000i32..2040, 1 => -400i32..12000];
    (year, 1u32..13, 1u32..32)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN))
}

fn weekdays() -> impl Strategy<Value = Vec<Weekday>> {
    let day = proptest::sample::select(Weekday::ALL.to_vec());
    // Usually none or one (valid), sometimes many (duplicates, weekdays on a non-weekly rule).
    prop_oneof![
        3 => proptest::collection::vec(day.clone(), 0..2),
        1 => proptest::collection::vec(day, 0..9),
    ]
}

fn any_rule() -> impl Strategy<Value = Recurrence> {
    (
        prop_oneof![
            Just(Freq::Daily),
            Just(Freq::Weekly),
            Just(Freq::Monthly),
            Just(Freq::Yearly)
        ],
        prop_oneof![4 => 1u16..8, 1 => any::<u16>()],
        weekdays(),
        proptest::option::weighted(0.3, prop_oneof![4 => 1i8..32, 1 => any::<i8>()]),
        proptest::option::weighted(0.25, date()),
        proptest::option::weighted(0.25, prop_oneof![4 => 1u32..60, 1 => any::<u32>()]),
        proptest::option::weighted(0.2, proptest::sample::select(Festival::ALL)),
        proptest::option::weighted(0.2, proptest::sample::select(SchoolHolidays::ALL)),
    )
        .prop_map(
            |(freq, interval, weekdays, month_day, until, count, festival, school_holidays)| {
                Recurrence {
                    freq,
                    interval,
                    weekdays,
                    month_day,
                    until,
                    count,
                    festival,
                    school_holidays,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn id_parser_takes_any_text(s in "\\PC{0,40}") {
        if let Ok(info) = idcard::parse(&s) {
            // Whatever is accepted is 18 characters with a right check character, and its
            // mask hides the middle.
            let n = idcard::normalize(&s);
            prop_assert_eq!(n.chars().count(), 18);
            prop_assert_eq!(idcard::check_char(&n[..17]), n.chars().last());
            prop_assert!(info.birth_date.year() >= 1900);
            let masked = idcard::mask(&n);
            prop_assert!(!masked.contains(&n[6..14]));
        }
    }

    #[test]
    fn id_parser_takes_near_misses(s in "[0-9Xx \\-]{14,20}") {
        let _ = idcard::parse(&s);
        let _ = idcard::mask(&s);
    }

    #[test]
    fn rrule_text_never_panics(s in "(FREQ=|INTERVAL=|BYDAY=|BYMONTHDAY=|UNTIL=|COUNT=|;|[A-Z0-9,\\-]{0,6}){0,12}") {
        if let Ok(r) = Recurrence::from_rrule(&s) {
            // What is read back writes the same rule again.
            prop_assert_eq!(Recurrence::from_rrule(&r.to_rrule()).ok(), Some(r));
        }
    }
}

/// Enough of the arbitrary rules are valid for the expansion to be exercised.
#[test]
fn the_rule_strategy_reaches_valid_rules() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut valid, mut expanded) = (0, 0);
    for _ in 0..1000 {
        let r = any_rule().new_tree(&mut runner).expect("rule").current();
        let start = date().new_tree(&mut runner).expect("date").current();
        if r.validate(start).is_ok() {
            valid += 1;
            let through = start + chrono::Duration::days(400);
            if r.dates(start, start, through, &Holidays::defaults(2020..=2030))
                .is_ok_and(|d| !d.is_empty())
            {
                expanded += 1;
            }
        }
    }
    assert!(
        valid > 150 && expanded > 100,
        "{valid} valid, {expanded} with dates"
    );
}

proptest! {
    // Expanding a rule costs more than parsing; still thousands of arbitrary rules.
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_rule_validates_and_expands_without_panic(
        r in any_rule(), start in date(), from in date(), span in 0i64..800
    ) {
        let through = from.checked_add_signed(chrono::Duration::days(span)).unwrap_or(from);
        let valid = r.validate(start).is_ok();
        match r.dates(start, from, through, &Holidays::defaults(2020..=2030)) {
            Ok(dates) => {
                prop_assert!(valid, "dates for an invalid rule {:?}", r);
                prop_assert!(dates.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(dates.iter().all(|d| *d >= from && *d <= through && *d >= start));
                prop_assert!(dates.len() <= yihu::recurrence::MAX_DATES);
            }
            Err(e) => prop_assert!(e.field.starts_with("recurrence"), "{:?}", e),
        }
        let _ = r.next_dates(start, from, 60, &Holidays::defaults(2020..=2030));
        let _ = r.to_rrule();
    }
}
