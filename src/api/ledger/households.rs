//! The household ledger (家庭台账): households, their current members, needs and the actions of
//! the plan in force, as of today, with sensitive member fields masked unless revealed; the
//! SQL it reads with (shared with the benchmarks) and the plain-Chinese texts of causes,
//! supports and schedules.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params_from_iter};

use super::sheet::{ACTIONS, Cell, HOUSEHOLDS, MEMBERS, NEEDS, yuan};
use super::sink::Sink;
use super::{Ledger, Places, WITHHELD};
use crate::api::shared::age_on;
use crate::error::ApiResult;
use crate::idcard;
use crate::labels::Zh;
use crate::recurrence::Recurrence;
use crate::schedule;
use crate::types::*;

fn causes_text(bits: i64) -> String {
    Cause::from_bits(bits)
        .into_iter()
        .map(|c| c.zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// `kind:fen;kind:;…` (from the SQL below) as "低保（600.00元/月）、节日慰问".
fn supports_text(s: Option<String>) -> String {
    let Some(s) = s else { return String::new() };
    s.split(';')
        .filter_map(|part| {
            let (kind, fen) = part.split_once(':')?;
            let kind = SupportKind::parse(kind)?;
            Some(match fen.parse::<i64>() {
                Ok(f) => format!("{}（{}元/月）", kind.zh(), yuan(f)),
                Err(_) => kind.zh().to_string(),
            })
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// A stored schedule in words, as everywhere else (`crate::schedule`): the RRULE text, the
/// start date and, for help that lasts, its end; a rule this version cannot read is shown as it
/// is stored.
pub fn schedule_text(
    rule: Option<&str>,
    start_on: NaiveDate,
    lasting: bool,
    ends_on: Option<NaiveDate>,
) -> String {
    match rule.map(Recurrence::from_rrule) {
        None => schedule::describe_action(None, start_on, lasting, ends_on).zh,
        Some(Ok(r)) => schedule::describe(Some(&r), start_on).zh,
        Some(Err(_)) => rule.unwrap_or_default().to_string(),
    }
}

/// The statements of the household ledger — households, members, needs, actions in force, each
/// household's members and open needs in brief, and the needs the actions answer (every action of every version that was in force: the help given stays listed after a new version replaces it) — for `in_area`, the condition on household `h`
/// ([`Area::households_sql`]); the benchmarks run the same text through raw rusqlite.
///
/// The member, need and action sheets walk households in case-number order: the `+` before
/// `h.division_code` keeps SQLite off the area index, so it follows the case-number index and
/// sorts nothing but each household's own few rows.
pub fn household_ledger_sql(in_area: &str) -> [String; 7] {
    let by_case_no = in_area.replace("h.division_code", "+h.division_code");
    [
        format!(
            "SELECT h.case_no, h.division_code, h.address, h.id, h.phone, h.causes,
                (SELECT group_concat(s.kind || ':' || coalesce(s.monthly_fen, ''), ';')
                   FROM household_support s WHERE s.household_id = h.id),
                h.referral_source, h.consent_on,
                (SELECT s.name FROM staff s WHERE s.id = h.caseworker_id),
                h.priority, h.status, h.referred_on, h.last_visit_on, h.closed_on,
                h.other_referral_sources
             FROM household h WHERE {in_area} ORDER BY h.case_no"
        ),
        format!(
            "SELECT h.case_no, m.name, m.relation, m.sex, m.birth_date, m.id_number, m.phone,
                m.health_conditions, m.disability_type, m.disability_grade, m.schooling,
                m.school_name, m.work, m.is_primary_carer, m.is_target, m.id
             FROM household h JOIN member m ON m.household_id = h.id
             WHERE {by_case_no} AND m.removed_on IS NULL
             ORDER BY h.case_no, m.relation <> 'head', m.birth_date, m.id"
        ),
        format!(
            "SELECT h.case_no, n.member_id, n.category, n.description, n.priority, n.status,
                n.found_on, n.resolved_on, n.id
             FROM household h JOIN need n ON n.household_id = h.id
             WHERE {by_case_no} ORDER BY h.case_no, n.found_on, n.id"
        ),
        format!(
            "SELECT h.case_no, a.title, a.category,
                coalesce((SELECT pa.name FROM partner pa WHERE pa.id = a.partner_id), a.provider_name),
                a.responsible_name, a.responsible_phone, a.amount_fen, a.recurrence, a.start_on,
                a.status,
                (SELECT group_concat(n.category, ';') FROM action_need an JOIN need n ON n.id = an.need_id
                  WHERE an.action_id = a.id),
                p.version_no, p.status, a.lasting, a.ends_on
             FROM household h JOIN plan_version p ON p.household_id = h.id
                  AND (p.status = 'approved' OR p.status = 'superseded')
             JOIN action a ON a.plan_version_id = p.id
             WHERE {by_case_no} ORDER BY h.case_no, p.version_no, a.start_on, a.id"
        ),
        // Per household, read once from the indexes before the household sheet: its current
        // members (for the head's name and the count) and its open needs.
        format!(
            "SELECT m.household_id, m.relation = 'head', m.birth_date, m.name
             FROM household h JOIN member m ON m.household_id = h.id
             WHERE {in_area} AND m.removed_on IS NULL"
        ),
        format!(
            "SELECT n.household_id, count(*) FROM household h JOIN need n ON n.household_id = h.id
             WHERE {in_area} AND n.status IN ('open', 'in_progress') GROUP BY n.household_id"
        ),
        format!(
            "SELECT DISTINCT an.need_id
             FROM household h JOIN plan_version p ON p.household_id = h.id
                  AND (p.status = 'approved' OR p.status = 'superseded')
             JOIN action a ON a.plan_version_id = p.id JOIN action_need an ON an.action_id = a.id
             WHERE {in_area} AND ((p.status = 'approved' AND a.status IN ('planned', 'active'))
                OR a.status = 'completed'
                OR EXISTS (SELECT 1 FROM occurrence o WHERE o.action_id = a.id AND o.status = 'done'))"
        ),
    ]
}

impl Ledger<'_, '_> {
    pub(super) fn households(&self, sink: &mut dyn Sink) -> ApiResult<()> {
        let places = Places::load(self.env, self.area)?;
        let sql = household_ledger_sql(&self.in_area);
        let tx = self.env.tx;

        // Each household's head (the member whose relation is head, else the eldest), member
        // count and open needs, gathered in two index scans rather than three subqueries a row.
        #[derive(Default)]
        struct Brief {
            head: Option<(bool, String, String)>,
            members: i64,
            open_needs: i64,
        }
        let mut brief: HashMap<String, Brief> = HashMap::new();
        let mut st = tx.prepare(&sql[4])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            let b = brief.entry(r.get(0)?).or_default();
            b.members += 1;
            // Smallest (not head, birth date) first, as HEAD_NAME_SQL orders them.
            let key = (!r.get::<_, bool>(1)?, r.get::<_, String>(2)?);
            if b.head
                .as_ref()
                .is_none_or(|(nh, bd, _)| key < (*nh, bd.clone()))
            {
                b.head = Some((key.0, key.1, r.get(3)?));
            }
        }
        drop(rows);
        let mut st = tx.prepare(&sql[5])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            brief.entry(r.get(0)?).or_default().open_needs = r.get(1)?;
        }
        drop(rows);

        sink.sheet(&HOUSEHOLDS)?;
        let mut st = tx.prepare(&sql[0])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(1)?;
            let b = brief.remove(r.get_ref(3)?.as_str()?).unwrap_or_default();
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                places.name(&code, 6),
                places.name(&code, 9),
                places.name(&code, 12),
                Cell::Text(r.get(2)?),
                Cell::opt_text(b.head.map(|(_, _, name)| name)),
                Cell::opt_text(r.get(4)?),
                Cell::Text(causes_text(r.get(5)?)),
                Cell::Text(supports_text(r.get(6)?)),
                Cell::Text(
                    std::iter::once(r.get::<_, ReferralSource>(7)?)
                        .chain(ReferralSource::from_bits(r.get(15)?))
                        .map(|s| s.zh())
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                Cell::opt_date(r.get(8)?),
                Cell::opt_text(r.get(9)?),
                Cell::Text(r.get::<_, Priority>(10)?.zh().into()),
                Cell::Text(r.get::<_, HouseholdStatus>(11)?.zh().into()),
                Cell::Date(r.get(12)?),
                Cell::opt_date(r.get(13)?),
                Cell::opt_date(r.get(14)?),
                Cell::Int(b.members),
                Cell::Int(b.open_needs),
            ])?;
        }
        drop(rows);

        sink.sheet(&MEMBERS)?;
        let today = self.env.ctx.today;
        let mut st = tx.prepare(&sql[1])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        // Member names by id, for the needs sheet.
        let mut names: HashMap<String, String> = HashMap::new();
        let withheld = || Cell::Text(WITHHELD.to_string());
        let yes_no = |b: bool| Cell::Text(if b { "是" } else { "否" }.to_string());
        while let Some(r) = rows.next()? {
            let name: String = r.get(1)?;
            names.insert(r.get(15)?, name.clone());
            let birth: NaiveDate = r.get(4)?;
            let id_number: Option<String> = r.get(5)?;
            // A masked number's birth date is withheld with it (its digits 7–14); the age stays.
            let birth_cell = match &id_number {
                Some(_) if !self.reveal => withheld(),
                _ => Cell::Date(birth),
            };
            let id_cell = match id_number {
                Some(n) if self.reveal => Cell::Text(n),
                Some(n) => Cell::Text(idcard::mask(&n)),
                None => Cell::Empty,
            };
            let (health, dis_type, dis_grade) = if self.reveal {
                (
                    Cell::opt_text(r.get(7)?),
                    Cell::opt_text(
                        r.get::<_, Option<DisabilityType>>(8)?
                            .map(|d| d.zh().to_string()),
                    ),
                    r.get::<_, Option<i64>>(9)?
                        .map_or(Cell::Empty, |g| Cell::Text(format!("{g}级"))),
                )
            } else {
                (withheld(), withheld(), withheld())
            };
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                Cell::Text(name),
                Cell::Text(r.get::<_, Relation>(2)?.zh().into()),
                Cell::Text(r.get::<_, Sex>(3)?.zh().into()),
                birth_cell,
                Cell::Int(i64::from(age_on(birth, today))),
                id_cell,
                Cell::opt_text(r.get(6)?),
                health,
                dis_type,
                dis_grade,
                Cell::opt_text(
                    r.get::<_, Option<Schooling>>(10)?
                        .map(|s| s.zh().to_string()),
                ),
                Cell::opt_text(r.get(11)?),
                Cell::opt_text(r.get(12)?),
                yes_no(r.get(13)?),
                yes_no(r.get(14)?),
            ])?;
        }
        drop(rows);

        sink.sheet(&NEEDS)?;
        let covered: std::collections::HashSet<String> = tx
            .prepare(&sql[6])?
            .query_map(params_from_iter(self.params()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut st = tx.prepare(&sql[2])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            // A member removed since keeps their name on the needs found for them.
            let member = match r.get_ref(1)?.as_str_or_null()? {
                Some(id) => match names.get(id) {
                    Some(n) => Some(n.clone()),
                    None => tx
                        .prepare_cached("SELECT name FROM member WHERE id = ?1")?
                        .query_row([id], |r| r.get(0))
                        .optional()?,
                },
                None => None,
            };
            let id = r.get_ref(8)?.as_str()?;
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                Cell::opt_text(member),
                Cell::Text(r.get::<_, NeedCategory>(2)?.zh().into()),
                Cell::Text(r.get(3)?),
                Cell::Text(r.get::<_, Priority>(4)?.zh().into()),
                Cell::Text(r.get::<_, NeedStatus>(5)?.zh().into()),
                Cell::Date(r.get(6)?),
                Cell::opt_date(r.get(7)?),
                yes_no(covered.contains(id)),
            ])?;
        }
        drop(rows);

        sink.sheet(&ACTIONS)?;
        let mut st = tx.prepare(&sql[3])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            let needs: Option<String> = r.get(10)?;
            let needs = needs
                .unwrap_or_default()
                .split(';')
                .filter_map(NeedCategory::parse)
                .map(|c| c.zh())
                .collect::<Vec<_>>()
                .join("、");
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                Cell::Text(r.get(1)?),
                Cell::Text(r.get::<_, NeedCategory>(2)?.zh().into()),
                Cell::opt_text(r.get(3)?),
                Cell::opt_text(r.get(4)?),
                Cell::opt_text(r.get(5)?),
                r.get::<_, Option<i64>>(6)?.map_or(Cell::Empty, Cell::Money),
                Cell::Text(schedule_text(
                    r.get::<_, Option<String>>(7)?.as_deref(),
                    r.get(8)?,
                    r.get(13)?,
                    r.get(14)?,
                )),
                Cell::Date(r.get(8)?),
                Cell::Text(r.get::<_, ActionStatus>(9)?.zh().into()),
                Cell::Text(needs),
                Cell::Text(format!("第{}版", r.get::<_, i64>(11)?)),
                Cell::Text(r.get::<_, PlanStatus>(12)?.zh().into()),
            ])?;
        }
        Ok(())
    }
}
