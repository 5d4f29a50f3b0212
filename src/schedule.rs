//! How often an action is delivered, in words, once for everyone: the plan screens, the
//! printed plan, the review diff and the ledger all show this sentence ("每 2 周的周六，自
//! 2026-01-10 起，共 10 次" / "Every 2 weeks on Sat, from 2026-01-10, 10 times in all"), in
//! both languages the window speaks, so a schedule never reads differently in two places.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::recurrence::{Freq, Recurrence, Weekday};
use crate::types::SchoolHolidays;

/// A schedule in Chinese and in English (the window shows the one of its language).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct ScheduleText {
    pub zh: String,
    pub en: String,
}

#[derive(Clone, Copy)]
enum Lang {
    Zh,
    En,
}

const ZH_DAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The schedule of an action starting on `start_on`: `rule`, or once on that day when none.
pub fn describe(rule: Option<&Recurrence>, start_on: NaiveDate) -> ScheduleText {
    describe_action(rule, start_on, false, None)
}

/// The schedule of an action: as [`describe`], or, for help that lasts over a period, "持续，
/// 自 … 至 …" ("Lasting from … until …"), or "持续，自 … 起，至结案" while it runs until closed.
pub fn describe_action(
    rule: Option<&Recurrence>,
    start_on: NaiveDate,
    lasting: bool,
    ends_on: Option<NaiveDate>,
) -> ScheduleText {
    if lasting {
        return match ends_on {
            Some(e) => ScheduleText {
                zh: format!("持续，自 {start_on} 至 {e}"),
                en: format!("Lasting from {start_on} until {e}"),
            },
            None => ScheduleText {
                zh: format!("持续，自 {start_on} 起，至结案"),
                en: format!("Lasting from {start_on} until closed"),
            },
        };
    }
    ScheduleText {
        zh: words(rule, start_on, Lang::Zh),
        en: words(rule, start_on, Lang::En),
    }
}

fn words(rule: Option<&Recurrence>, start_on: NaiveDate, lang: Lang) -> String {
    let Some(r) = rule else {
        return match lang {
            Lang::Zh => format!("一次性，{start_on}"),
            Lang::En => format!("Once, on {start_on}"),
        };
    };
    let mut parts = vec![how_often(r, start_on, lang)];
    if let Some(h) = r.school_holidays {
        parts.push(
            match (h, lang) {
                (SchoolHolidays::Only, Lang::Zh) => "仅在寒暑假",
                (SchoolHolidays::Only, Lang::En) => "during school holidays only",
                (SchoolHolidays::Also, Lang::Zh) => "另加寒暑假每天",
                (SchoolHolidays::Also, Lang::En) => "and every day of the school holidays",
                (SchoolHolidays::Except, Lang::Zh) => "寒暑假除外",
                (SchoolHolidays::Except, Lang::En) => "except in school holidays",
            }
            .to_string(),
        );
    }
    parts.extend([match lang {
        Lang::Zh => format!("自 {start_on} 起"),
        Lang::En => format!("from {start_on}"),
    }]);
    if let Some(until) = r.until {
        parts.push(match lang {
            Lang::Zh => format!("至 {until}"),
            Lang::En => format!("until {until}"),
        });
    }
    if let Some(n) = r.count {
        parts.push(match lang {
            Lang::Zh => format!("共 {n} 次"),
            Lang::En => format!("{n} times in all"),
        });
    }
    parts.join(match lang {
        Lang::Zh => "，",
        Lang::En => ", ",
    })
}

fn how_often(r: &Recurrence, start_on: NaiveDate, lang: Lang) -> String {
    let n = r.interval;
    match (&r.freq, lang) {
        (Freq::Daily, Lang::Zh) if n > 1 => format!("每 {n} 天"),
        (Freq::Daily, Lang::Zh) => "每天".to_string(),
        (Freq::Daily, Lang::En) if n > 1 => format!("Every {n} days"),
        (Freq::Daily, Lang::En) => "Every day".to_string(),
        (Freq::Weekly, _) => {
            let mut days: Vec<Weekday> = if r.weekdays.is_empty() {
                vec![Weekday::from(start_on.weekday())]
            } else {
                r.weekdays.clone()
            };
            days.sort();
            days.dedup();
            let (names, sep) = match lang {
                Lang::Zh => (&ZH_DAYS, "、"),
                Lang::En => (&EN_DAYS, ", "),
            };
            let days = days
                .iter()
                .map(|d| names[*d as usize])
                .collect::<Vec<_>>()
                .join(sep);
            match lang {
                Lang::Zh if n > 1 => format!("每 {n} 周的{days}"),
                Lang::Zh => format!("每周的{days}"),
                Lang::En if n > 1 => format!("Every {n} weeks on {days}"),
                Lang::En => format!("Every week on {days}"),
            }
        }
        (Freq::Yearly, _) => {
            let at = match (r.festival, lang) {
                (Some(f), Lang::Zh) => crate::labels::Zh::zh(f).to_string(),
                (Some(f), Lang::En) => format!("at {}", festival_en(f)),
                (None, Lang::Zh) => format!("{} 月 {} 日", start_on.month(), start_on.day()),
                (None, Lang::En) => format!("on {}", start_on.format("%m-%d")),
            };
            match lang {
                Lang::Zh if n > 1 => format!("每 {n} 年的{at}"),
                Lang::Zh => format!("每年{at}"),
                Lang::En if n > 1 => format!("Every {n} years {at}"),
                Lang::En => format!("Every year {at}"),
            }
        }
        (Freq::Monthly, _) => {
            let day = r.month_day.map_or(start_on.day() as i32, i32::from);
            match (lang, day) {
                (Lang::Zh, -1) if n > 1 => format!("每 {n} 个月的最后一天"),
                (Lang::Zh, -1) => "每月最后一天".to_string(),
                (Lang::Zh, d) if n > 1 => format!("每 {n} 个月的 {d} 日"),
                (Lang::Zh, d) => format!("每月 {d} 日"),
                (Lang::En, -1) if n > 1 => format!("Every {n} months on the last day"),
                (Lang::En, -1) => "Every month on the last day".to_string(),
                (Lang::En, d) if n > 1 => format!("Every {n} months on day {d}"),
                (Lang::En, d) => format!("Every month on day {d}"),
            }
        }
    }
}

/// A festival's English name, as the window's catalogue says it.
fn festival_en(f: crate::types::Festival) -> &'static str {
    use crate::types::Festival::*;
    match f {
        SpringFestival => "Spring Festival",
        Lantern => "Lantern Festival",
        DragonBoat => "Dragon Boat Festival",
        MidAutumn => "Mid-Autumn Festival",
        DoubleNinth => "Double Ninth Festival",
        WomensDay => "Women's Day",
        ChildrensDay => "Children's Day",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn rule(json: &str) -> Recurrence {
        serde_json::from_str(json).expect("rule")
    }

    #[test]
    fn one_off_daily_weekly_and_monthly_in_both_languages() {
        let t = describe(None, d("2026-03-07"));
        assert_eq!(
            (t.zh.as_str(), t.en.as_str()),
            ("一次性，2026-03-07", "Once, on 2026-03-07")
        );

        let t = describe(
            Some(&rule(r#"{"freq":"daily","interval":3,"count":10}"#)),
            d("2026-03-07"),
        );
        assert_eq!(t.zh, "每 3 天，自 2026-03-07 起，共 10 次");
        assert_eq!(t.en, "Every 3 days, from 2026-03-07, 10 times in all");

        let sat_mon = rule(r#"{"freq":"weekly","interval":2,"weekdays":["sat","mon"]}"#);
        let t = describe(Some(&sat_mon), d("2026-01-10"));
        assert_eq!(t.zh, "每 2 周的周一、周六，自 2026-01-10 起");
        assert_eq!(t.en, "Every 2 weeks on Mon, Sat, from 2026-01-10");

        // No weekday chosen: the start date's (2026-03-07 is a Saturday).
        let t = describe(Some(&rule(r#"{"freq":"weekly"}"#)), d("2026-03-07"));
        assert_eq!(t.zh, "每周的周六，自 2026-03-07 起");

        let last = rule(r#"{"freq":"monthly","month_day":-1,"until":"2026-12-31"}"#);
        let t = describe(Some(&last), d("2026-01-31"));
        assert_eq!(t.zh, "每月最后一天，自 2026-01-31 起，至 2026-12-31");
        assert_eq!(
            t.en,
            "Every month on the last day, from 2026-01-31, until 2026-12-31"
        );

        // No day chosen: the start date's, here 29 February.
        let t = describe(
            Some(&rule(r#"{"freq":"monthly","interval":12}"#)),
            d("2028-02-29"),
        );
        assert_eq!(t.zh, "每 12 个月的 29 日，自 2028-02-29 起");
        assert_eq!(t.en, "Every 12 months on day 29, from 2028-02-29");
    }

    #[test]
    fn school_holiday_rules_in_words() {
        let r = rule(r#"{"freq":"weekly","weekdays":["sat","sun"],"school_holidays":"also"}"#);
        let t = describe(Some(&r), d("2023-01-07"));
        assert_eq!(t.zh, "每周的周六、周日，另加寒暑假每天，自 2023-01-07 起");
        assert_eq!(
            t.en,
            "Every week on Sat, Sun, and every day of the school holidays, from 2023-01-07"
        );
        let r = rule(r#"{"freq":"daily","school_holidays":"only"}"#);
        assert_eq!(
            describe(Some(&r), d("2023-07-01")).zh,
            "每天，仅在寒暑假，自 2023-07-01 起"
        );
    }

    #[test]
    fn lasting_help_with_and_without_an_end() {
        let t = describe_action(None, d("2022-03-01"), true, Some(d("2022-04-30")));
        assert_eq!(t.zh, "持续，自 2022-03-01 至 2022-04-30");
        assert_eq!(t.en, "Lasting from 2022-03-01 until 2022-04-30");
        let t = describe_action(None, d("2022-06-01"), true, None);
        assert_eq!(t.zh, "持续，自 2022-06-01 起，至结案");
        assert_eq!(t.en, "Lasting from 2022-06-01 until closed");
        // Not lasting: the end day means nothing and the words are the one-off's.
        assert_eq!(
            describe_action(None, d("2022-06-01"), false, None),
            describe(None, d("2022-06-01"))
        );
    }
}
