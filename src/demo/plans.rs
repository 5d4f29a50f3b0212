//! The generator's plans: an approved plan with a one-off and one or two recurring actions for
//! enrolled households (their deliveries generated and, before today, mostly recorded done),
//! sometimes a revision in review, and a draft for some households being assessed. Part of
//! the [`Generator`], in the same fixed order of draws.

use chrono::{Duration, NaiveDate};
use rusqlite::params;

use super::Day;
use super::generator::{Draft, Generator, NeedRow};
use crate::error::{ApiError, ApiResult};
use crate::recurrence::{Freq, Recurrence, Weekday};
use crate::types::*;

impl Generator<'_> {
    /// What a submitted plan froze of the needs its actions answer.
    fn snapshot(&mut self, plan: &str, n: &NeedRow) -> ApiResult<usize> {
        self.s
            .plan_need
            .execute(params![plan, n.0, n.1, n.3, n.2, n.4])
    }

    /// Plans: an approved plan for enrolled households, sometimes a revision in review; a
    /// draft for some households being assessed.
    pub(super) fn plans(&mut self, h: &Draft<'_>) -> ApiResult<()> {
        let (t, now_ts) = (self.t, self.now_ts);
        let (hid, cw, sup, needs, closed) = (&h.hid, &h.cw, &h.sup, &h.needs, h.closed);
        if matches!(
            h.status,
            HouseholdStatus::Active | HouseholdStatus::Monitoring | HouseholdStatus::Closed
        ) {
            let pid = self.ids.next();
            let in_force = (t - Duration::days(self.rng.i64(10..120)))
                .max(h.referred + Duration::days(5))
                .min(t);
            let s = &mut self.s;
            s.plan.execute(params![
                pid,
                hid,
                1,
                PlanStatus::Approved,
                "保障基本生活，落实常态化帮扶",
                cw,
                now_ts,
                cw,
                now_ts,
                sup,
                now_ts,
                "同意",
                Day::new(in_force),
                s.division.as_str()
            ])?;
            let active = if closed {
                ActionStatus::Completed
            } else {
                ActionStatus::Active
            };
            // One-off action.
            let aid = self.ids.next();
            self.s.action.execute(params![
                aid,
                pid,
                hid,
                "发放临时救助金",
                "living_costs",
                "乡镇妇联",
                Option::<&str>::None,
                Some(i64::from(self.rng.u32(5..30)) * 10_000),
                Option::<String>::None,
                Day::new(in_force),
                active,
                now_ts
            ])?;
            self.s.action_need.execute(params![aid, needs[0].0])?;
            self.occurrences(h, &aid, None, in_force, in_force)?;
            // One or two recurring actions.
            for k in 0..self.rng.usize(1..3) {
                let aid = self.ids.next();
                let (title, rec, amount) = if k == 0 && self.rng.bool() {
                    (
                        "志愿者每周上门探访",
                        Recurrence {
                            freq: Freq::Weekly,
                            interval: 1,
                            weekdays: vec![Weekday::ALL[self.rng.usize(0..7)]],
                            month_day: None,
                            until: None,
                            count: None,
                            festival: None,
                            school_holidays: None,
                        },
                        None,
                    )
                } else {
                    (
                        "爱心企业每月资助生活费",
                        Recurrence {
                            freq: Freq::Monthly,
                            interval: 1,
                            weekdays: vec![],
                            month_day: Some(self.rng.i8(1..29)),
                            until: None,
                            count: None,
                            festival: None,
                            school_holidays: None,
                        },
                        Some(50_000i64),
                    )
                };
                let start = in_force - Duration::days(self.rng.i64(0..30));
                self.s.action.execute(params![
                    aid,
                    pid,
                    hid,
                    title,
                    if amount.is_some() {
                        "living_costs"
                    } else {
                        "daily_care"
                    },
                    "社区巾帼志愿者服务队",
                    Some("社区妇联主席"),
                    amount,
                    Some(rec.to_rrule()),
                    Day::new(start),
                    active,
                    now_ts
                ])?;
                self.s
                    .action_need
                    .execute(params![aid, needs[needs.len() - 1].0])?;
                self.occurrences(h, &aid, Some(&rec), start, in_force)?;
            }
            self.snapshot(&pid, &needs[0])?;
            self.snapshot(&pid, &needs[needs.len() - 1])?;
            if !closed && self.rng.u8(0..20) == 0 {
                let pid2 = self.ids.next();
                let returned = self.rng.bool();
                let s = &mut self.s;
                s.plan.execute(params![
                    pid2,
                    hid,
                    2,
                    if returned {
                        PlanStatus::Returned
                    } else {
                        PlanStatus::Submitted
                    },
                    "保障基本生活，增加心理疏导",
                    cw,
                    now_ts,
                    cw,
                    now_ts,
                    returned.then_some(sup.as_str()),
                    returned.then_some(now_ts),
                    returned.then_some("请补充负责人"),
                    Option::<NaiveDate>::None,
                    s.division.as_str()
                ])?;
                let aid = self.ids.next();
                self.s.action.execute(params![
                    aid,
                    pid2,
                    hid,
                    "心理疏导",
                    "psychological",
                    "心理咨询志愿者",
                    Option::<&str>::None,
                    Option::<i64>::None,
                    Some("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=10"),
                    t,
                    ActionStatus::Planned,
                    now_ts
                ])?;
                self.s.action_need.execute(params![aid, needs[0].0])?;
                self.snapshot(&pid2, &needs[0])?;
            }
        } else if h.status == HouseholdStatus::Assessing && self.rng.bool() {
            let pid = self.ids.next();
            let s = &mut self.s;
            s.plan.execute(params![
                pid,
                hid,
                1,
                PlanStatus::Draft,
                "初步帮扶计划",
                cw,
                now_ts,
                Option::<&str>::None,
                Option::<&str>::None,
                Option::<&str>::None,
                Option::<&str>::None,
                Option::<&str>::None,
                Option::<NaiveDate>::None,
                s.division.as_str()
            ])?;
            let aid = self.ids.next();
            self.s.action.execute(params![
                aid,
                pid,
                hid,
                "入户评估后制定帮扶",
                "other",
                "社区妇联",
                Option::<&str>::None,
                Option::<i64>::None,
                Option::<String>::None,
                t,
                ActionStatus::Planned,
                now_ts
            ])?;
            self.s.action_need.execute(params![aid, needs[0].0])?;
        }
        Ok(())
    }

    /// The deliveries of one action of a plan in force, from the later of its start and the
    /// plan's coming into force, through four weeks ahead (or until shortly before closing);
    /// those past recorded, most of them done.
    fn occurrences(
        &mut self,
        h: &Draft<'_>,
        action: &str,
        rec: Option<&Recurrence>,
        start: NaiveDate,
        in_force: NaiveDate,
    ) -> ApiResult<()> {
        let (t, now_ts, rng, s) = (self.t, self.now_ts, &mut *self.rng, &mut self.s);
        let (hid, cw, closed) = (&h.hid, &h.cw, h.closed);
        let from = in_force.max(start);
        let through = if closed {
            t - Duration::days(20)
        } else {
            t + Duration::days(28)
        };
        let dates = match rec {
            None => {
                if start >= from && start <= through {
                    vec![start]
                } else {
                    vec![]
                }
            }
            // Demo schedules do not follow the school holidays.
            Some(r) => r
                .dates(
                    start,
                    from,
                    through,
                    &crate::school_calendar::Holidays::NONE,
                )
                .map_err(|_| ApiError::internal("demo schedule"))?,
        };
        for d in dates {
            let (st, done_on) = if d >= t || (d >= t - Duration::days(7) && rng.bool()) {
                (OccurrenceStatus::Due, None)
            } else {
                match rng.u8(0..20) {
                    0..=1 => (OccurrenceStatus::Missed, None),
                    2 => (OccurrenceStatus::Skipped, None),
                    _ => (OccurrenceStatus::Done, Some(d)),
                }
            };
            let recorded = st != OccurrenceStatus::Due;
            s.occurrence.execute(params![
                self.ids.next(),
                action,
                hid,
                Day::new(d),
                st,
                done_on.map(Day::new),
                recorded.then_some(cw),
                recorded.then_some(now_ts),
                s.division.as_str()
            ])?;
        }
        Ok(())
    }
}
