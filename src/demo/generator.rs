//! The random generator of the bulk households: one household at a time, drawn from one seeded
//! random source, its rows queued into the per-table buffers ([`Stmts`]) that the writers
//! empty. The same seed and date give the same households: every draw is made in a fixed
//! order, part by part (the household, its members, visits, supports, needs, plans and their
//! deliveries, then its search document and audit row).

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::params;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::rows::{HOUSEHOLD_LAST_VISIT, Stmts};
use super::staff::{Ids, StaffBook};
use super::words::{NEED_TEXT, person_name, surname};
use super::{Day, make_id};
use crate::api::search_index::household_terms_with;
use crate::error::ApiResult;
use crate::types::*;

/// Everything the generator keeps from one household to the next.
pub(super) struct Generator<'a> {
    /// The rows made and not yet handed to the writers.
    pub(super) s: Stmts,
    pub(super) rng: &'a mut fastrand::Rng,
    pub(super) ids: Ids,
    /// The date the demo is anchored on.
    pub(super) t: NaiveDate,
    /// Every generated row's created_at and updated_at.
    pub(super) now_ts: &'a str,
    /// (code, name) of the townships households are placed in.
    pub(super) townships: &'a [(String, String)],
    /// The last case number per (county, year).
    pub(super) counters: HashMap<(String, i32), i64>,
    /// Search terms of the names seen so far.
    pub(super) name_cache: HashMap<String, Vec<String>>,
    pub(super) staff: StaffBook,
    /// ID numbers given so far (each is unique).
    pub(super) used_ids: &'a mut HashSet<String>,
}

/// A need as the plans refer to it: (id, category, description, priority, status).
pub(super) type NeedRow = (String, &'static str, &'static str, Priority, NeedStatus);

/// One household while it is generated: what its later parts draw on.
pub(super) struct Draft<'a> {
    pub(super) hid: String,
    pub(super) case_no: String,
    pub(super) county: &'a str,
    pub(super) cw: String,
    pub(super) sup: String,
    pub(super) referred: NaiveDate,
    pub(super) status: HouseholdStatus,
    pub(super) causes: Vec<Cause>,
    pub(super) phone: String,
    pub(super) closed: bool,
    pub(super) closed_on: Option<NaiveDate>,
    /// Where its row starts among the queued household values.
    pub(super) household_row: usize,
    pub(super) search_id: i64,
    /// (id, name, phone, ID number) of each member.
    pub(super) members: Vec<(String, String, Option<String>, Option<String>)>,
    pub(super) head: String,
    pub(super) needs: Vec<NeedRow>,
}

/// A member to add.
struct Person {
    name: String,
    rel: Relation,
    female: bool,
    age: i32,
    health: Option<&'static str>,
    disability: Option<DisabilityType>,
    schooling: Option<Schooling>,
    carer: bool,
    target: bool,
    phone: Option<String>,
}

impl Person {
    /// A member with no health condition, disability or schooling, neither carer nor target.
    fn new(name: String, rel: Relation, female: bool, age: i32) -> Person {
        Person {
            name,
            rel,
            female,
            age,
            health: None,
            disability: None,
            schooling: None,
            carer: false,
            target: false,
            phone: None,
        }
    }
}

impl<'a> Generator<'a> {
    /// Generate one household and queue its rows.
    pub(super) fn household(&mut self) -> ApiResult<()> {
        let mut h = self.enrol()?;
        self.members(&mut h)?;
        self.visits(&h)?;
        self.supports(&h)?;
        self.needs(&mut h)?;
        self.plans(&h)?;
        self.index_and_audit(&h)
    }

    /// The household row: its place, staff, case number, status, causes and dates.
    fn enrol(&mut self) -> ApiResult<Draft<'a>> {
        let (t, now_ts, townships) = (self.t, self.now_ts, self.townships);
        let rng = &mut *self.rng;
        let s = &mut self.s;
        let (town, town_name) = &townships[rng.usize(0..townships.len())];
        s.division.clone_from(town);
        let county = &town[..6];
        let cw = self
            .staff
            .member(s, &mut self.ids, now_ts, town, "caseworker")?;
        let sup = self
            .staff
            .member(s, &mut self.ids, now_ts, county, "supervisor")?;
        let hid = self.ids.next();
        let referred = t - Duration::days(rng.i64(20..1000));
        let year = referred.year();
        let seq = self.counters.entry((county.to_string(), year)).or_insert(0);
        *seq += 1;
        let case_no = format!("{county}-{year}-{:04}", *seq);
        let status = match rng.u8(0..100) {
            0..=4 => HouseholdStatus::Referred,
            5..=14 => HouseholdStatus::Assessing,
            15..=74 => HouseholdStatus::Active,
            75..=89 => HouseholdStatus::Monitoring,
            _ => HouseholdStatus::Closed,
        };
        let priority = match rng.u8(0..10) {
            0..=1 => Priority::High,
            2..=6 => Priority::Medium,
            _ => Priority::Low,
        };
        let mut causes = vec![match rng.u8(0..100) {
            0..=34 => Cause::Illness,
            35..=59 => Cause::Disability,
            60..=79 => Cause::SingleParent,
            80..=89 => Cause::Bereavement,
            90..=94 => Cause::Disaster,
            _ => Cause::Other,
        }];
        if rng.bool() {
            causes.push(Cause::ALL[rng.usize(0..5)]);
        }
        let enrolled = status != HouseholdStatus::Referred;
        let consent_on = enrolled.then(|| referred + Duration::days(rng.i64(0..10)));
        let phone = format!("1{}{:09}", rng.u8(3..10), rng.u32(0..1_000_000_000));
        let closed = status == HouseholdStatus::Closed;
        let closed_on = closed.then(|| t - Duration::days(rng.i64(1..20)));
        let closure = closed.then(|| ClosureReason::ALL[rng.usize(0..ClosureReason::ALL.len())]);

        let household_row = s.household.values.len();
        let search_id = s.next_search_id;
        s.next_search_id += 1;
        s.household.execute(params![
            hid,
            case_no,
            town,
            format!("{town_name}{}组{}号", rng.u8(1..12), rng.u8(1..60)),
            phone,
            Cause::to_bits(&causes),
            ReferralSource::ALL[rng.usize(0..ReferralSource::ALL.len())],
            Day::new(referred),
            consent_on.map(Day::new),
            consent_on.map(|_| cw.clone()),
            consent_on.map(|_| "建档、帮扶与统计上报"),
            cw,
            priority,
            status,
            closure,
            closed_on.map(Day::new),
            Option::<NaiveDate>::None,
            now_ts,
            search_id
        ])?;
        Ok(Draft {
            hid,
            case_no,
            county,
            cw,
            sup,
            referred,
            status,
            causes,
            phone,
            closed,
            closed_on,
            household_row,
            search_id,
            members: Vec::new(),
            head: String::new(),
            needs: Vec::new(),
        })
    }

    /// One member's row: a birth date for their age, and most often an ID number.
    fn add_member(&mut self, h: &mut Draft<'_>, p: Person) -> ApiResult<String> {
        let (t, rng) = (self.t, &mut *self.rng);
        let birth =
            NaiveDate::from_ymd_opt(t.year() - p.age, rng.u32(1..13), rng.u32(1..29)).unwrap_or(t);
        let idn = if rng.u8(0..10) < 8 {
            make_id(rng, h.county, birth, p.female, self.used_ids)
        } else {
            None
        };
        let id = self.ids.next();
        self.s.member.execute(params![
            id,
            h.hid,
            p.name,
            p.rel,
            if p.female { Sex::Female } else { Sex::Male },
            Day::new(birth),
            idn,
            p.phone,
            p.health,
            p.disability,
            p.disability.map(|_| rng.u8(1..5)),
            p.schooling,
            p.carer,
            p.target,
            self.now_ts
        ])?;
        h.members.push((id.clone(), p.name, p.phone, idn));
        Ok(id)
    }

    /// Members: a woman at the head, then a spouse, children or a grandchild.
    fn members(&mut self, h: &mut Draft<'_>) -> ApiResult<()> {
        let fam = surname(self.rng);
        let head_age = self.rng.i32(25..72);
        let head_name = person_name(self.rng, fam, true);
        let head = self.add_member(
            h,
            Person {
                carer: true,
                target: true,
                phone: Some(h.phone.clone()),
                ..Person::new(head_name, Relation::Head, true, head_age)
            },
        )?;
        let sick = h.causes.contains(&Cause::Illness);
        let disabled = h.causes.contains(&Cause::Disability);
        h.head = head;
        if head_age > 58 {
            let grandchild_female = self.rng.bool();
            let n = person_name(self.rng, fam, grandchild_female);
            let age = self.rng.i32(4..16);
            let relation = if grandchild_female {
                Relation::Granddaughter
            } else {
                Relation::Grandson
            };
            self.add_member(
                h,
                Person {
                    schooling: Some(if age < 6 {
                        Schooling::Preschool
                    } else if age < 12 {
                        Schooling::Primary
                    } else {
                        Schooling::JuniorSecondary
                    }),
                    target: true,
                    ..Person::new(n, relation, grandchild_female, age)
                },
            )?;
        } else {
            if !h.causes.contains(&Cause::SingleParent) && !h.causes.contains(&Cause::Bereavement) {
                let sn = surname(self.rng);
                let n = person_name(self.rng, sn, false);
                let age = head_age + self.rng.i32(0..6);
                self.add_member(
                    h,
                    Person {
                        health: sick.then_some("慢性病，需长期服药"),
                        disability: disabled.then_some(DisabilityType::Physical),
                        ..Person::new(n, Relation::Spouse, false, age)
                    },
                )?;
            }
            for _ in 0..self.rng.usize(1..4) {
                let female = self.rng.bool();
                let n = person_name(self.rng, fam, female);
                let age = self.rng.i32(1..(head_age - 18).clamp(2, 22));
                let school = match age {
                    0..=5 => Schooling::Preschool,
                    6..=11 => Schooling::Primary,
                    12..=14 => Schooling::JuniorSecondary,
                    15..=17 => Schooling::SeniorSecondary,
                    _ => Schooling::College,
                };
                let relation = if female {
                    Relation::Daughter
                } else {
                    Relation::Son
                };
                self.add_member(
                    h,
                    Person {
                        schooling: Some(school),
                        target: age < 18,
                        ..Person::new(n, relation, female, age)
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Visits: about ten, from referral until today; the last completed one sets last_visit_on.
    fn visits(&mut self, h: &Draft<'_>) -> ApiResult<()> {
        let (t, now_ts, rng, s) = (self.t, self.now_ts, &mut *self.rng, &mut self.s);
        let (hid, cw, referred) = (&h.hid, &h.cw, h.referred);
        let span = (t - referred).num_days().max(1);
        let n_visits = if h.status == HouseholdStatus::Referred {
            rng.usize(0..3)
        } else {
            rng.usize(7..14)
        };
        let mut last_visit: Option<NaiveDate> = None;
        let visitors = format!("[{{\"staff_id\":\"{cw}\",\"name\":null}}]");
        let seen = format!("[\"{}\"]", h.head);
        let until = h.closed_on.unwrap_or(t);
        for k in 0..n_visits {
            let day = referred
                + Duration::days(
                    (span * (k as i64 + 1) / (n_visits as i64 + 1))
                        .min((until - referred).num_days()),
                );
            let (st, kind) = match rng.u8(0..20) {
                0..=1 => (VisitStatus::NotAtHome, VisitKind::HomeVisit),
                2..=5 => (VisitStatus::Completed, VisitKind::PhoneCall),
                6 => (VisitStatus::Completed, VisitKind::FestivalVisit),
                _ => (VisitStatus::Completed, VisitKind::HomeVisit),
            };
            if st == VisitStatus::Completed {
                last_visit = Some(last_visit.map_or(day, |l: NaiveDate| l.max(day)));
            }
            let vid = self.ids.next();
            s.visit.execute(params![
                vid,
                hid,
                st,
                kind,
                Option::<NaiveDate>::None,
                Day::new(day),
                visitors,
                if st == VisitStatus::Completed {
                    seen.as_str()
                } else {
                    "[]"
                },
                Option::<&str>::None,
                cw,
                now_ts,
                s.division.as_str()
            ])?;
        }
        if !h.closed && rng.bool() {
            let vid = self.ids.next();
            s.visit.execute(params![
                vid,
                hid,
                VisitStatus::Scheduled,
                VisitKind::HomeVisit,
                Day::new(t + Duration::days(rng.i64(-10..20))),
                Option::<NaiveDate>::None,
                "[]",
                "[]",
                Option::<&str>::None,
                cw,
                now_ts,
                s.division.as_str()
            ])?;
        }
        if last_visit.is_some() {
            s.household
                .set(h.household_row + HOUSEHOLD_LAST_VISIT, &last_visit)?;
        }
        Ok(())
    }

    /// The household's supports: 低保 most often, the medical green channel, holiday gifts and
    /// a disability allowance.
    fn supports(&mut self, h: &Draft<'_>) -> ApiResult<()> {
        let (rng, s, hid) = (&mut *self.rng, &mut self.s, &h.hid);
        if rng.u8(0..10) < 7 {
            s.support.execute(params![
                hid,
                SupportKind::Dibao,
                i64::from(rng.u32(500..3000)) * 100
            ])?;
        }
        if rng.u8(0..10) < 4 {
            s.support.execute(params![
                hid,
                SupportKind::MedicalGreenChannel,
                Option::<i64>::None
            ])?;
        }
        if rng.u8(0..10) < 6 {
            s.support
                .execute(params![hid, SupportKind::HolidayGifts, Option::<i64>::None])?;
        }
        if h.causes.contains(&Cause::Disability) {
            s.support.execute(params![
                hid,
                SupportKind::DisabilityAllowance,
                i64::from(rng.u32(100..400)) * 100
            ])?;
        }
        Ok(())
    }

    /// Needs: two to four, their state following the household's.
    fn needs(&mut self, h: &mut Draft<'_>) -> ApiResult<()> {
        let (t, now_ts, rng, s) = (self.t, self.now_ts, &mut *self.rng, &mut self.s);
        for _ in 0..rng.usize(2..5) {
            let (cat, text) = NEED_TEXT[rng.usize(0..NEED_TEXT.len())];
            let nstatus = match (h.status, rng.u8(0..10)) {
                (HouseholdStatus::Referred | HouseholdStatus::Assessing, _) => NeedStatus::Open,
                (_, 0..=3) => NeedStatus::InProgress,
                (_, 4..=6) => NeedStatus::Met,
                (_, 7) => NeedStatus::Unmet,
                _ => NeedStatus::Open,
            };
            let nid = self.ids.next();
            let found = h.referred + Duration::days(rng.i64(0..5));
            let resolved = matches!(nstatus, NeedStatus::Met | NeedStatus::Unmet)
                .then(|| t - Duration::days(rng.i64(1..60)));
            let member = if rng.bool() {
                Some(h.members[rng.usize(0..h.members.len())].0.clone())
            } else {
                None
            };
            let prio = Priority::ALL[rng.usize(0..3)];
            s.need.execute(params![
                nid,
                h.hid,
                member,
                cat,
                text,
                prio,
                nstatus,
                Day::new(found),
                resolved.map(Day::new),
                now_ts
            ])?;
            h.needs.push((nid, cat, text, prio, nstatus));
        }
        Ok(())
    }

    /// Search terms and the audit row that records where this household came from.
    fn index_and_audit(&mut self, h: &Draft<'_>) -> ApiResult<()> {
        let (now_ts, s, name_cache) = (self.now_ts, &mut self.s, &mut self.name_cache);
        let (hid, case_no) = (&h.hid, &h.case_no);
        let named: Vec<_> = h
            .members
            .iter()
            .map(|(_, name, phone, _)| (name.clone(), phone.clone()))
            .collect();
        let terms = household_terms_with(case_no, Some(&h.phone), &named, |name| {
            if let Some(terms) = name_cache.get(name) {
                return terms.clone();
            }
            let terms = crate::search_terms::name_terms(name);
            name_cache.insert(name.to_string(), terms.clone());
            terms
        })
        .join(" ");
        s.term.execute(params![h.search_id, terms])?;
        let after = format!("{{\"case_no\":\"{case_no}\"}}");
        let seq = s.audit_head.0 + 1;
        let entry = crate::audit_chain::Entry {
            at: now_ts,
            actor_id: None,
            command: "demo",
            entity_type: "household",
            entity_id: hid,
            household_id: Some(hid),
            before_json: None,
            after_json: Some(&after),
        };
        let hash = crate::audit_chain::hash(&s.audit_head.1, seq, &entry);
        s.audit.execute(params![
            seq,
            now_ts,
            "household",
            hid,
            after,
            s.audit_head.1,
            hash
        ])?;
        s.audit_head = (seq, hash);
        Ok(())
    }
}
