//! The rule's unit tests: validation, canonical text, expansion and its bounds.
use super::*;
use proptest::prelude::*;

/// No school holidays known: the rules here do not use them.
const H: Holidays = Holidays::NONE;

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
        festival: None,
        school_holidays: None,
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
    let got = r.dates(start, start, d(2026, 1, 31), &H).unwrap();
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
    let got = r.dates(start, start, d(2026, 1, 31), &H).unwrap();
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
    let got = r.dates(start, start, d(2026, 2, 5), &H).unwrap();
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
    let got = r.dates(start, start, d(2030, 1, 1), &H).unwrap();
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
        .dates(d(2026, 1, 1), d(2026, 1, 1), d(2026, 12, 31), &H)
        .unwrap();
    let months: Vec<u32> = got.iter().map(|x| x.month()).collect();
    assert_eq!(months, vec![1, 3, 5, 7, 8, 10, 12]);
    // month_day None takes the start's day, with the same skipping.
    let r = rec(Freq::Monthly);
    let got = r
        .dates(d(2026, 1, 31), d(2026, 1, 1), d(2026, 6, 30), &H)
        .unwrap();
    assert_eq!(got, vec![d(2026, 1, 31), d(2026, 3, 31), d(2026, 5, 31)]);
    // ... also when the window is far after the start (fast-forward path).
    let got = r
        .dates(d(2026, 1, 31), d(2030, 1, 1), d(2030, 6, 30), &H)
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
        .dates(d(2027, 12, 1), d(2027, 12, 1), d(2028, 4, 30), &H)
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
        .dates(d(2026, 2, 1), d(2026, 2, 1), d(2026, 2, 28), &H)
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
        r.dates(d(2026, 2, 1), d(2026, 2, 1), d(9999, 12, 31), &H),
        Ok(vec![])
    );
    assert_eq!(
        r.next_dates(d(2026, 2, 1), d(2026, 2, 1), 5, &H),
        Ok(vec![])
    );
    assert!(t.elapsed() < std::time::Duration::from_secs(1));
    // Feb 29 every 48 months from a non-leap year: never.
    let r = Recurrence {
        interval: 48,
        month_day: Some(29),
        ..rec(Freq::Monthly)
    };
    assert_eq!(
        r.next_dates(d(2025, 2, 1), d(2025, 2, 1), 5, &H),
        Ok(vec![])
    );
    // ... but from a leap year it occurs (not in 2100, 2200, 2300).
    let got = r.next_dates(d(2024, 2, 1), d(2024, 2, 1), 50, &H).unwrap();
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
    let got = r.dates(start, d(2025, 1, 1), d(2027, 1, 1), &H).unwrap();
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
    assert_eq!(
        r.dates(start, d(2026, 1, 14), d(2026, 2, 1), &H),
        Ok(vec![])
    );
    // Window before start.
    assert_eq!(
        r.dates(start, d(2025, 1, 1), d(2025, 12, 31), &H),
        Ok(vec![])
    );
    // Inverted window.
    assert_eq!(
        r.dates(start, d(2026, 1, 10), d(2026, 1, 1), &H),
        Ok(vec![])
    );
}

#[test]
fn count_used_up_before_from() {
    let r = Recurrence {
        count: Some(5),
        ..rec(Freq::Daily)
    };
    let start = d(2026, 3, 1);
    assert_eq!(
        r.dates(start, d(2026, 3, 10), d(2026, 12, 31), &H),
        Ok(vec![])
    );
    assert_eq!(
        r.dates(start, d(2026, 3, 4), d(2026, 12, 31), &H),
        Ok(vec![d(2026, 3, 4), d(2026, 3, 5)])
    );
    assert_eq!(
        r.next_dates(start, d(2026, 3, 3), 10, &H),
        Ok(vec![d(2026, 3, 3), d(2026, 3, 4), d(2026, 3, 5)])
    );
    // Weekly with count, start not matching the weekday.
    let r = Recurrence {
        weekdays: vec![Weekday::Sat],
        count: Some(2),
        ..rec(Freq::Weekly)
    };
    assert_eq!(
        r.dates(d(2026, 1, 7), d(2026, 1, 1), d(2026, 12, 31), &H),
        Ok(vec![d(2026, 1, 10), d(2026, 1, 17)])
    );
}

#[test]
fn next_dates_caps() {
    let r = rec(Freq::Daily);
    let start = d(2026, 1, 1);
    assert_eq!(r.next_dates(start, start, 0, &H), Ok(vec![]));
    assert_eq!(r.next_dates(start, start, 3, &H).unwrap().len(), 3);
    assert_eq!(
        r.next_dates(start, start, 10_000, &H).unwrap().len(),
        MAX_PREVIEW
    );
    let got = r.next_dates(start, d(2030, 6, 1), 2, &H).unwrap();
    assert_eq!(got, vec![d(2030, 6, 1), d(2030, 6, 2)]);
    // Near the end of the supported range.
    let got = r.next_dates(start, d(9999, 12, 30), 5, &H).unwrap();
    assert_eq!(got, vec![d(9999, 12, 30), d(9999, 12, 31)]);
}

#[test]
fn dates_are_capped() {
    let r = rec(Freq::Daily);
    let got = r
        .dates(d(2000, 1, 1), d(2000, 1, 1), d(2100, 1, 1), &H)
        .unwrap();
    assert_eq!(got.len(), MAX_DATES);
    assert_eq!(got[0], d(2000, 1, 1));
}

#[test]
fn extreme_dates_do_not_panic() {
    let r = rec(Freq::Daily);
    assert_eq!(
        r.dates(NaiveDate::MAX, NaiveDate::MIN, NaiveDate::MAX, &H),
        Err(INVALID)
    );
    assert_eq!(
        r.dates(NaiveDate::MIN, NaiveDate::MIN, NaiveDate::MAX, &H),
        Err(INVALID)
    );
    let got = r.dates(d(1, 1, 1), NaiveDate::MIN, d(1, 1, 3), &H).unwrap();
    assert_eq!(got, vec![d(1, 1, 1), d(1, 1, 2), d(1, 1, 3)]);
    let got = r
        .dates(d(2000, 1, 1), NaiveDate::MAX, NaiveDate::MAX, &H)
        .unwrap();
    assert!(got.is_empty());
    let m = Recurrence {
        interval: 365,
        month_day: Some(-1),
        ..rec(Freq::Monthly)
    };
    let got = m
        .dates(d(2000, 1, 1), d(2000, 1, 1), NaiveDate::MAX, &H)
        .unwrap();
    assert!(!got.is_empty() && got.iter().all(|x| x.year() <= 9999));
    let w = Recurrence {
        interval: 365,
        weekdays: Weekday::ALL.to_vec(),
        ..rec(Freq::Weekly)
    };
    let got = w
        .dates(d(9999, 12, 1), d(1, 1, 1), NaiveDate::MAX, &H)
        .unwrap();
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
    let r = Recurrence::from_rrule("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1;UNTIL=20261231T000000Z")
        .unwrap();
    assert_eq!(r.until, Some(d(2026, 12, 31)));
    assert_eq!(r.month_day, Some(-1));
}

#[test]
fn from_rrule_rejects_other_text() {
    for s in [
        "",
        "RRULE:FREQ=DAILY;INTERVAL=1",
        "FREQ=HOURLY;INTERVAL=1",
        "FREQ=YEARLY;INTERVAL=1;X-FESTIVAL=qingming",
        "FREQ=YEARLY;INTERVAL=1;UNTIL=20261231T000000Z;X-FESTIVAL=lantern",
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
        Recurrence::from_rrule("FREQ=DAILY;INTERVAL=1;UNTIL=20261231T000000Z;COUNT=3").map(|_| ()),
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
        .dates(start, start, start, &H),
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
    assert!(serde_json::from_str::<Recurrence>(r#"{"freq":"hourly"}"#).is_err());
    let r: Recurrence =
        serde_json::from_str(r#"{"freq":"yearly","festival":"mid_autumn"}"#).unwrap();
    assert_eq!(r.festival, Some(crate::types::Festival::MidAutumn));
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

#[test]
fn yearly_on_a_date_and_at_a_festival() {
    // Every year on the start's day; 29 February only in leap years.
    let r = rec(Freq::Yearly);
    assert_eq!(r.to_rrule(), "FREQ=YEARLY;INTERVAL=1");
    let got = r
        .dates(d(2024, 2, 29), d(2024, 1, 1), d(2029, 12, 31), &H)
        .unwrap();
    assert_eq!(got, vec![d(2024, 2, 29), d(2028, 2, 29)]);
    // At Spring Festival (lunar): 2023-01-22, 2024-02-10, 2025-01-29; counted from the start.
    let r = Recurrence {
        festival: Some(crate::types::Festival::SpringFestival),
        count: Some(3),
        ..rec(Freq::Yearly)
    };
    assert_eq!(
        r.to_rrule(),
        "FREQ=YEARLY;INTERVAL=1;X-FESTIVAL=spring_festival;COUNT=3"
    );
    assert_eq!(Recurrence::from_rrule(&r.to_rrule()), Ok(r.clone()));
    let got = r
        .dates(d(2022, 3, 1), d(2022, 1, 1), d(2030, 1, 1), &H)
        .unwrap();
    assert_eq!(got, vec![d(2023, 1, 22), d(2024, 2, 10), d(2025, 1, 29)]);
    // A festival is for a yearly rule only.
    let bad = Recurrence {
        festival: Some(crate::types::Festival::MidAutumn),
        ..rec(Freq::Monthly)
    };
    assert_eq!(
        bad.validate(d(2026, 1, 1)),
        err("recurrence.festival", "not_allowed")
    );
}

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
