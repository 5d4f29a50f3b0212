//! The rule's property tests: expansion is well formed, split-invariant, equal to an
//! independent day-by-day reference, and its preview a prefix; the rule text round-trips and
//! no input panics.
use super::tests::H;
use super::*;
use proptest::prelude::*;

/// Independent reference expansion: walk every day from `start`.
fn reference(
    r: &Recurrence,
    start: NaiveDate,
    from: NaiveDate,
    through: NaiveDate,
) -> Vec<NaiveDate> {
    let interval = i64::from(r.interval);
    let monday =
        |x: NaiveDate| x - chrono::Duration::days(i64::from(x.weekday().num_days_from_monday()));
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
            Freq::Yearly => {
                let years = i64::from(day.year() - start.year());
                let on_day = match r.festival {
                    Some(f) => crate::festival::date_of(f, day.year()) == Some(day),
                    None => day.month() == start.month() && day.day() == start.day(),
                };
                years % interval == 0 && on_day
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

pub(super) fn weekday_set() -> impl Strategy<Value = Vec<Weekday>> {
    prop::sample::subsequence(Weekday::ALL.to_vec(), 0..=7).prop_shuffle()
}

pub(super) fn date_in(lo: i32, hi: i32) -> impl Strategy<Value = NaiveDate> {
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
    let freq = prop_oneof![
        Just(Freq::Daily),
        Just(Freq::Weekly),
        Just(Freq::Monthly),
        Just(Freq::Yearly)
    ];
    let festival = prop::option::of(prop::sample::select(crate::types::Festival::ALL));
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
        festival,
    )
        .prop_map(
            |(freq, interval, weekdays, md, (until_days, count), start, festival)| {
                let r = Recurrence {
                    festival: if freq == Freq::Yearly { festival } else { None },
                    school_holidays: None,
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
    valid_rule()
        .prop_flat_map(|(r, start)| window(start).prop_map(move |(f, t)| (r.clone(), start, f, t)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn prop_dates_well_formed((r, start, from, through) in rule_and_window()) {
        prop_assert_eq!(r.validate(start), Ok(()));
        let got = r.dates(start, from, through, &H).unwrap();
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
        let whole = r.dates(start, a, c, &H).unwrap();
        let mut parts = r.dates(start, a, b, &H).unwrap();
        parts.extend(r.dates(start, b + chrono::Duration::days(1), c, &H).unwrap());
        prop_assert_eq!(whole, parts);
    }

    #[test]
    fn prop_matches_reference((r, start, from, through) in rule_and_window()) {
        let got = r.dates(start, from, through, &H).unwrap();
        let want = reference(&r, start, from, through);
        prop_assert_eq!(got, want, "{} from {}", r.to_rrule(), start);
    }

    #[test]
    fn prop_next_dates_prefix((r, start, from, _t) in rule_and_window(), n in 0usize..60) {
        let next = r.next_dates(start, from, n, &H).unwrap();
        prop_assert!(next.len() <= n.min(MAX_PREVIEW));
        if let Some(last) = next.last() {
            let window = r.dates(start, from, *last, &H).unwrap();
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
        let r = Recurrence { freq, interval, weekdays, month_day, until, count, festival: None, school_holidays: None };
        let through = from.checked_add_signed(chrono::Duration::days(len)).unwrap_or(from);
        let _ = r.dates(start, from, through, &H);
        let _ = r.next_dates(start, from, 5, &H);
        let _ = Recurrence::from_rrule(&r.to_rrule());
    }
}
