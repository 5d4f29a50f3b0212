//! The rule's unit tests: validation, canonical text, expansion and its bounds.
use super::*;

/// No school holidays known: the rules here do not use them.
pub(super) const H: Holidays = Holidays::NONE;

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(super) fn rec(freq: Freq) -> Recurrence {
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
pub(super) fn err(field: &'static str, code: &'static str) -> Result<(), RecurrenceError> {
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
