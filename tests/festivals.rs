//! Festival dates for 2026–2030 against the published calendar (the State Council's holiday
//! notices and the Purple Mountain Observatory's lunar calendar), and the calendar command.

use chrono::NaiveDate;
use serde_json::json;
use yihu::festival::{between, date_of};
use yihu::types::Festival;

use crate::common::*;

/// (festival, [2026, 2027, 2028, 2029, 2030]) as published.
const PUBLISHED: &[(Festival, [&str; 5])] = &[
    (
        Festival::SpringFestival,
        [
            "2026-02-17",
            "2027-02-06",
            "2028-01-26",
            "2029-02-13",
            "2030-02-03",
        ],
    ),
    (
        Festival::Lantern,
        [
            "2026-03-03",
            "2027-02-20",
            "2028-02-09",
            "2029-02-27",
            "2030-02-17",
        ],
    ),
    (
        Festival::DragonBoat,
        [
            "2026-06-19",
            "2027-06-09",
            "2028-05-28",
            "2029-06-16",
            "2030-06-05",
        ],
    ),
    (
        Festival::MidAutumn,
        [
            "2026-09-25",
            "2027-09-15",
            "2028-10-03",
            "2029-09-22",
            "2030-09-12",
        ],
    ),
    (
        Festival::DoubleNinth,
        [
            "2026-10-18",
            "2027-10-08",
            "2028-10-26",
            "2029-10-16",
            "2030-10-05",
        ],
    ),
    (
        Festival::WomensDay,
        [
            "2026-03-08",
            "2027-03-08",
            "2028-03-08",
            "2029-03-08",
            "2030-03-08",
        ],
    ),
    (
        Festival::ChildrensDay,
        [
            "2026-06-01",
            "2027-06-01",
            "2028-06-01",
            "2029-06-01",
            "2030-06-01",
        ],
    ),
];

#[test]
fn festival_dates_2026_to_2030_match_the_published_calendar() {
    assert_eq!(
        PUBLISHED.len(),
        Festival::ALL.len(),
        "every festival is checked"
    );
    for (festival, dates) in PUBLISHED {
        for (i, expected) in dates.iter().enumerate() {
            let year = 2026 + i as i32;
            assert_eq!(
                date_of(*festival, year).map(|d| d.to_string()).as_deref(),
                Some(*expected),
                "{festival} {year}"
            );
        }
    }
    // Across the five years, in date order, 35 festivals.
    let all = between(date("2026-01-01"), date("2030-12-31"));
    assert_eq!(all.len(), 35);
    assert!(all.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(all[0], (Festival::SpringFestival, date("2026-02-17")));
}

#[test]
fn the_calendar_command_lists_upcoming_festivals() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    // 2026-03-02: 元宵 tomorrow, then 三八 and 六一 and 端午 within 120 days.
    let list = app.ok(&cw, "festival.upcoming", json!({"days": 120}));
    let got: Vec<(String, String, i64)> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                f["festival"].as_str().unwrap_or("").to_string(),
                f["date"].as_str().unwrap_or("").to_string(),
                f["days_until"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let want = [
        ("lantern", "2026-03-03", 1),
        ("womens_day", "2026-03-08", 6),
        ("childrens_day", "2026-06-01", 91),
        ("dragon_boat", "2026-06-19", 109),
    ];
    let want: Vec<(String, String, i64)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
        .collect();
    assert_eq!(got, want);
    let e = app.err(&cw, "festival.upcoming", json!({"days": 0}));
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("validation.out_of_range", Some("days"))
    );
    let e = app.err(&cw, "festival.upcoming", json!({"days": 367}));
    assert_eq!(e.field.as_deref(), Some("days"));
    let _: NaiveDate = date("2026-03-02");
}
