//! The households behind a dashboard figure. Every number `dashboard.get` returns comes with
//! the household-list filter that lists what it counts (its drill-down), so the window opens
//! what the core says instead of rebuilding each figure's meaning, and a test can ask
//! `household.list` with each filter and compare. A [`Drill`] is the filter part of a
//! [`HouseholdQuery`] (no search text, sort or page) plus the names shown on the list's chip.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use uuid::Uuid;

use super::household_filter::{HouseholdQuery, NeedFilter, OccurrenceFilter, Period};
use crate::types::*;

/// A household-list filter: `household.list` with these parts lists the households behind a
/// figure (parts left out do not filter).
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Drill {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status: Option<Vec<HouseholdStatus>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub priority: Option<Vec<Priority>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub causes: Option<Vec<Cause>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub division_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub caseworker_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub overdue: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub needs: Option<NeedFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub not_visited: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub occurrences: Option<OccurrenceFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stalled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unassigned: Option<bool>,
    /// The division's name, for the list's chip only (never a filter).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub division_name: Option<String>,
    /// The caseworker's name, for the list's chip only (never a filter).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub caseworker_name: Option<String>,
}

/// One number of the dashboard and the households behind it (none when there is no such list:
/// the households placed on the area itself, an empty part of a week).
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Figure {
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub drill: Option<Drill>,
}

/// Households not closed.
pub const OPEN: [HouseholdStatus; 4] = [
    HouseholdStatus::Referred,
    HouseholdStatus::Assessing,
    HouseholdStatus::Active,
    HouseholdStatus::Monitoring,
];

impl Drill {
    /// Every household of a division (and below it).
    pub fn area(code: &str, name: &str) -> Drill {
        Drill {
            division_code: Some(code.to_string()),
            division_name: Some(name.to_string()),
            ..Drill::default()
        }
    }

    /// Only the households not closed.
    pub fn open(self) -> Drill {
        self.status(&OPEN)
    }

    pub fn status(self, status: &[HouseholdStatus]) -> Drill {
        Drill {
            status: Some(status.to_vec()),
            ..self
        }
    }

    pub fn priority(self, p: Priority) -> Drill {
        Drill {
            priority: Some(vec![p]),
            ..self
        }
    }

    pub fn cause(self, c: Cause) -> Drill {
        Drill {
            causes: Some(vec![c]),
            ..self
        }
    }

    pub fn caseworker(self, id: Uuid, name: &str) -> Drill {
        Drill {
            caseworker_id: Some(id),
            caseworker_name: Some(name.to_string()),
            ..self
        }
    }

    pub fn overdue(self) -> Drill {
        Drill {
            overdue: Some(true),
            ..self
        }
    }

    pub fn not_visited(self, period: Period) -> Drill {
        Drill {
            not_visited: Some(period),
            ..self
        }
    }

    pub fn stalled(self) -> Drill {
        Drill {
            stalled: Some(true),
            ..self
        }
    }

    pub fn unassigned(self) -> Drill {
        Drill {
            unassigned: Some(true),
            ..self
        }
    }

    /// Households with a need of `category` (any when none) in one of `status` (any when
    /// empty), or only uncovered ones.
    pub fn needs(
        self,
        category: Option<NeedCategory>,
        status: &[NeedStatus],
        uncovered: bool,
    ) -> Drill {
        Drill {
            needs: Some(NeedFilter {
                category,
                status: status.to_vec(),
                uncovered,
            }),
            ..self
        }
    }

    /// Households with a delivery of `state` falling due in `from..=to` of a week, given
    /// `today`: "overdue" is due before today, "upcoming" due from today on. None when that
    /// part of the week is empty.
    pub fn deliveries(
        self,
        state: WeekState,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Option<Drill> {
        let (status, from, to) = match state {
            WeekState::Done => (OccurrenceStatus::Done, from, to),
            WeekState::Missed => (OccurrenceStatus::Missed, from, to),
            WeekState::Skipped => (OccurrenceStatus::Skipped, from, to),
            WeekState::Overdue => (
                OccurrenceStatus::Due,
                from,
                to.min(today - Duration::days(1)),
            ),
            WeekState::Upcoming => (OccurrenceStatus::Due, from.max(today), to),
        };
        (from <= to).then_some(Drill {
            occurrences: Some(OccurrenceFilter { status, from, to }),
            ..self
        })
    }

    /// The `household.list` request that lists these households (first page, case-number
    /// order, `limit` rows); the chip's names are not part of it.
    pub fn query(&self, limit: u32) -> HouseholdQuery {
        HouseholdQuery {
            status: self.status.clone().unwrap_or_default(),
            priority: self.priority.clone().unwrap_or_default(),
            causes: self.causes.clone().unwrap_or_default(),
            division_code: self.division_code.clone(),
            caseworker_id: self.caseworker_id,
            overdue: self.overdue,
            needs: self.needs.clone(),
            not_visited: self.not_visited,
            occurrences: self.occurrences.clone(),
            stalled: self.stalled.unwrap_or(false),
            unassigned: self.unassigned.unwrap_or(false),
            limit: Some(limit),
            ..HouseholdQuery::default()
        }
    }
}

impl Figure {
    pub fn of(count: u64, drill: Drill) -> Figure {
        Figure {
            count,
            drill: Some(drill),
        }
    }

    /// A number with no list behind it.
    pub fn bare(count: u64) -> Figure {
        Figure { count, drill: None }
    }
}

/// The parts of a week's deliveries, in the chart's stacking order: recorded done, missed or
/// skipped, and the unrecorded ones split at today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeekState {
    Done,
    Missed,
    Skipped,
    Overdue,
    Upcoming,
}

impl WeekState {
    pub const ALL: [WeekState; 5] = [
        WeekState::Done,
        WeekState::Missed,
        WeekState::Skipped,
        WeekState::Overdue,
        WeekState::Upcoming,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn span(state: WeekState, today: &str) -> Option<(OccurrenceStatus, String, String)> {
        Drill::default()
            .deliveries(state, d("2026-03-02"), d("2026-03-08"), d(today))
            .and_then(|x| x.occurrences)
            .map(|o| (o.status, o.from.to_string(), o.to.to_string()))
    }

    #[test]
    fn a_week_splits_its_unrecorded_deliveries_at_today() {
        let due = OccurrenceStatus::Due;
        let s = |a: &str| a.to_string();
        let mid = "2026-03-05";
        assert_eq!(
            span(WeekState::Done, mid),
            Some((OccurrenceStatus::Done, s("2026-03-02"), s("2026-03-08")))
        );
        assert_eq!(
            span(WeekState::Overdue, mid),
            Some((due, "2026-03-02".into(), "2026-03-04".into()))
        );
        assert_eq!(
            span(WeekState::Upcoming, mid),
            Some((due, "2026-03-05".into(), "2026-03-08".into()))
        );
        // A past week is all overdue, a future one all upcoming; the empty part has no list.
        assert_eq!(span(WeekState::Upcoming, "2026-03-20"), None);
        assert_eq!(span(WeekState::Overdue, "2026-03-01"), None);
        assert_eq!(
            span(WeekState::Overdue, "2026-03-02"),
            None,
            "today is the week's Monday"
        );
        // Across a month and a year end, and on 29 February.
        let year_end = Drill::default()
            .deliveries(
                WeekState::Overdue,
                d("2026-12-28"),
                d("2027-01-03"),
                d("2027-01-01"),
            )
            .and_then(|x| x.occurrences);
        assert_eq!(year_end.map(|o| o.to), Some(d("2026-12-31")));
        let leap = Drill::default()
            .deliveries(
                WeekState::Upcoming,
                d("2028-02-28"),
                d("2028-03-05"),
                d("2028-02-29"),
            )
            .and_then(|x| x.occurrences);
        assert_eq!(leap.map(|o| o.from), Some(d("2028-02-29")));
    }

    #[test]
    fn a_drill_is_the_list_request_without_the_chip_names() {
        let q = Drill::area("321324", "泗洪县")
            .open()
            .caseworker(Uuid::nil(), "某某")
            .query(50);
        assert_eq!(q.division_code.as_deref(), Some("321324"));
        assert_eq!(q.status, OPEN.to_vec());
        assert_eq!(q.caseworker_id, Some(Uuid::nil()));
        assert_eq!(q.limit, Some(50));
        assert!(q.q.is_none() && !q.stalled && q.needs.is_none());
    }
}
