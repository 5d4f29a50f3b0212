//! Households and their members: enrolment data, the household life cycle, the search index
//! (names, pinyin, initials, case number, phones, last digits of ID numbers) and the paged,
//! filtered household list.

use chrono::{Datelike, NaiveDate};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::case::{self, Need, PlanDetail, PlanSummary};
use super::reference::{self as rf, ById, require_active_staff, require_division};
use super::visit::{self, Visit};
use crate::error::{ApiError, ApiResult};
use crate::idcard;
use crate::search_terms;
use crate::types::*;
use crate::validate::{self as v, ADDRESS_MAX, NAME_MAX, SHORT_MAX, TEXT_MAX};

// ---------------------------------------------------------------- household

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Support {
    pub kind: SupportKind,
    /// Monthly amount in fen (低保 and allowances), if any.
    #[serde(default)]
    pub monthly_fen: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Household {
    pub id: String,
    pub case_no: String,
    pub division_code: String,
    pub address: String,
    pub phone: Option<String>,
    pub causes: Vec<Cause>,
    pub supports: Vec<Support>,
    pub referral_source: ReferralSource,
    pub referral_note: Option<String>,
    pub referred_on: NaiveDate,
    pub consent_on: Option<NaiveDate>,
    pub consent_recorded_by: Option<String>,
    pub consent_scope: Option<String>,
    pub caseworker_id: Option<String>,
    pub priority: Priority,
    pub status: HouseholdStatus,
    pub closure_reason: Option<ClosureReason>,
    pub closure_note: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub last_visit_on: Option<NaiveDate>,
    pub created_at: String,
    pub updated_at: String,
}

const HOUSEHOLD_COLS: &str = "id, case_no, division_code, address, phone, causes, referral_source, referral_note,
    referred_on, consent_on, consent_recorded_by, consent_scope, caseworker_id, priority, status, closure_reason,
    closure_note, closed_on, last_visit_on, created_at, updated_at";

impl Household {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Household {
            id: r.get(0)?,
            case_no: r.get(1)?,
            division_code: r.get(2)?,
            address: r.get(3)?,
            phone: r.get(4)?,
            causes: Cause::from_bits(r.get(5)?),
            supports: Vec::new(),
            referral_source: r.get(6)?,
            referral_note: r.get(7)?,
            referred_on: r.get(8)?,
            consent_on: r.get(9)?,
            consent_recorded_by: r.get(10)?,
            consent_scope: r.get(11)?,
            caseworker_id: r.get(12)?,
            priority: r.get(13)?,
            status: r.get(14)?,
            closure_reason: r.get(15)?,
            closure_note: r.get(16)?,
            closed_on: r.get(17)?,
            last_visit_on: r.get(18)?,
            created_at: r.get(19)?,
            updated_at: r.get(20)?,
        })
    }
}

pub fn find_household(env: &Env, id: &str) -> ApiResult<Option<Household>> {
    let h = env
        .tx
        .query_row(
            &format!("SELECT {HOUSEHOLD_COLS} FROM household WHERE id = ?1"),
            [id],
            Household::from_row,
        )
        .optional()?;
    let Some(mut h) = h else { return Ok(None) };
    let mut st = env.tx.prepare_cached(
        "SELECT kind, monthly_fen, note FROM household_support WHERE household_id = ?1 ORDER BY kind",
    )?;
    h.supports = st
        .query_map([&h.id], |r| {
            Ok(Support {
                kind: r.get(0)?,
                monthly_fen: r.get(1)?,
                note: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(h))
}

/// A household that must exist, for the request field `field`.
pub fn require_household(env: &Env, field: &str, id: &str) -> ApiResult<Household> {
    find_household(env, id)?.ok_or_else(|| ApiError::not_found("household", field))
}

/// A household that may be changed: it exists and is not closed.
pub fn require_open_household(env: &Env, field: &str, id: &str) -> ApiResult<Household> {
    let h = require_household(env, field, id)?;
    if h.status == HouseholdStatus::Closed {
        return Err(ApiError::at(
            "household.closed",
            field,
            "this case is closed; reopen it first",
        ));
    }
    Ok(h)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    pub division_code: String,
    pub address: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub causes: Vec<Cause>,
    #[serde(default)]
    pub supports: Vec<Support>,
    pub referral_source: ReferralSource,
    #[serde(default)]
    pub referral_note: Option<String>,
    /// Defaults to today.
    #[serde(default)]
    pub referred_on: Option<NaiveDate>,
    #[serde(default)]
    pub consent_on: Option<NaiveDate>,
    #[serde(default)]
    pub consent_scope: Option<String>,
    #[serde(default)]
    pub caseworker_id: Option<Uuid>,
    pub priority: Priority,
}

struct HouseholdClean {
    division_code: String,
    address: String,
    phone: Option<String>,
    causes: i64,
    supports: Vec<Support>,
    referral_note: Option<String>,
    referred_on: NaiveDate,
    consent_on: Option<NaiveDate>,
    consent_scope: Option<String>,
    caseworker_id: Option<String>,
}

fn clean_household(env: &Env, req: &HouseholdInput) -> ApiResult<HouseholdClean> {
    let division = require_division(env, "division_code", &req.division_code)?;
    if !matches!(division.level, Level::Township | Level::Village) {
        return Err(ApiError::at(
            "validation.division.level",
            "division_code",
            "a household belongs to a township or a community/village",
        ));
    }
    let address = v::required("address", &req.address, ADDRESS_MAX)?;
    let phone = v::phone("phone", &req.phone)?;
    v::non_empty("causes", &req.causes)?;
    let mut supports = Vec::with_capacity(req.supports.len());
    v::max_items("supports", &req.supports, SupportKind::ALL.len())?;
    for (i, s) in req.supports.iter().enumerate() {
        if supports.iter().any(|x: &Support| x.kind == s.kind) {
            return Err(ApiError::at(
                "validation.duplicate",
                format!("supports[{i}].kind"),
                "this support is listed twice",
            ));
        }
        supports.push(Support {
            kind: s.kind,
            monthly_fen: v::money(&format!("supports[{i}].monthly_fen"), s.monthly_fen)?,
            note: v::optional(&format!("supports[{i}].note"), &s.note, SHORT_MAX)?,
        });
    }
    let referral_note = v::optional_multiline("referral_note", &req.referral_note, TEXT_MAX)?;
    let referred_on = v::date_not_after(
        "referred_on",
        req.referred_on.unwrap_or(env.ctx.today),
        env.ctx.today,
    )?;
    let consent_on = match req.consent_on {
        Some(d) => Some(v::date_not_after("consent_on", d, env.ctx.today)?),
        None => None,
    };
    let consent_scope = v::optional("consent_scope", &req.consent_scope, SHORT_MAX)?;
    if consent_scope.is_some() && consent_on.is_none() {
        return Err(ApiError::at(
            "validation.required",
            "consent_on",
            "give the date consent was given",
        ));
    }
    let caseworker_id = match &req.caseworker_id {
        Some(id) => {
            let cw = require_active_staff(env, "caseworker_id", id)?;
            // A caseworker works in their own area: the household lies in their division.
            if !division.code.starts_with(cw.division_code.as_str()) {
                return Err(ApiError::at(
                    "household.caseworker_out_of_area",
                    "caseworker_id",
                    "this caseworker works in another area than the household's",
                ));
            }
            Some(cw.id)
        }
        None => None,
    };
    Ok(HouseholdClean {
        division_code: division.code,
        address,
        phone,
        causes: Cause::to_bits(&req.causes),
        supports,
        referral_note,
        referred_on,
        consent_on,
        consent_scope,
        caseworker_id,
    })
}

fn write_supports(env: &Env, household_id: &str, supports: &[Support]) -> ApiResult<()> {
    env.tx.execute(
        "DELETE FROM household_support WHERE household_id = ?1",
        [household_id],
    )?;
    let mut st = env.tx.prepare_cached(
        "INSERT INTO household_support(household_id, kind, monthly_fen, note) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for s in supports {
        st.execute(params![household_id, s.kind, s.monthly_fen, s.note])?;
    }
    Ok(())
}

/// Next case number for a county and year: `321324-2026-0007`.
pub fn next_case_no(env: &Env, county: &str, year: i32) -> ApiResult<String> {
    let seq: i64 = env.tx.query_row(
        "INSERT INTO case_counter(county_code, year, last_seq) VALUES (?1, ?2, 1)
         ON CONFLICT(county_code, year) DO UPDATE SET last_seq = last_seq + 1
         RETURNING last_seq",
        params![county, year],
        |r| r.get(0),
    )?;
    Ok(format!("{county}-{year}-{seq:04}"))
}

pub fn household_create(env: &Env, req: HouseholdInput) -> ApiResult<Household> {
    let acting = env.actor()?;
    let actor = acting.id.to_string();
    let mut c = clean_household(env, &req)?;
    // A caseworker's new household is theirs unless they say otherwise (otherwise it would leave
    // their caseload the moment it is made).
    if c.caseworker_id.is_none() && acting.role == crate::types::Role::Caseworker {
        c.caseworker_id = Some(actor.clone());
    }
    let id = env.new_id();
    let case_no = next_case_no(env, &c.division_code[..6], c.referred_on.year())?;
    let now = env.now();
    env.tx.execute(
        "INSERT INTO household(id, case_no, division_code, address, phone, causes, referral_source, referral_note,
            referred_on, consent_on, consent_recorded_by, consent_scope, caseworker_id, priority, status,
            search_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'referred',
            (SELECT coalesce(max(search_id), 0) + 1 FROM household), ?15, ?15)",
        params![
            id, case_no, c.division_code, c.address, c.phone, c.causes, req.referral_source, c.referral_note,
            c.referred_on, c.consent_on, c.consent_on.map(|_| actor.clone()), c.consent_scope, c.caseworker_id,
            req.priority, now
        ],
    )?;
    write_supports(env, &id, &c.supports)?;
    rebuild_search_terms(env, &id)?;
    let h = require_household(env, "id", &id)?;
    env.audit::<(), _>("household", &id, Some(&id), None, Some(&h))?;
    Ok(h)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct HouseholdUpdate {
    pub id: Uuid,
    /// The whole household record as it should now be (the case number never changes).
    pub household: HouseholdInput,
}

pub fn household_update(env: &Env, req: HouseholdUpdate) -> ApiResult<Household> {
    let actor = env.actor()?.id.to_string();
    let before = require_open_household(env, "id", &req.id.to_string())?;
    let mut input = req.household;
    input.referred_on = input.referred_on.or(Some(before.referred_on));
    let c = clean_household(env, &input).map_err(|e| e.under("household."))?;
    if matches!(
        before.status,
        HouseholdStatus::Active | HouseholdStatus::Monitoring
    ) {
        if c.consent_on.is_none() {
            return Err(ApiError::at(
                "household.consent.required",
                "household.consent_on",
                "an enrolled household must keep its consent",
            ));
        }
        if c.caseworker_id.is_none() {
            return Err(ApiError::at(
                "household.caseworker.required",
                "household.caseworker_id",
                "an enrolled household needs a caseworker",
            ));
        }
    }
    let consent_by = match (c.consent_on, before.consent_on) {
        (None, _) => None,
        (Some(new), Some(old)) if new == old => before.consent_recorded_by.clone(),
        (Some(_), _) => Some(actor),
    };
    env.tx.execute(
        "UPDATE household SET division_code = ?2, address = ?3, phone = ?4, causes = ?5, referral_source = ?6,
            referral_note = ?7, referred_on = ?8, consent_on = ?9, consent_recorded_by = ?10, consent_scope = ?11,
            caseworker_id = ?12, priority = ?13, updated_at = ?14
         WHERE id = ?1",
        params![
            before.id, c.division_code, c.address, c.phone, c.causes, input.referral_source, c.referral_note,
            c.referred_on, c.consent_on, consent_by, c.consent_scope, c.caseworker_id, input.priority, env.now()
        ],
    )?;
    write_supports(env, &before.id, &c.supports)?;
    if c.division_code != before.division_code {
        // The division-wide follow-up reads these copies.
        for table in ["occurrence", "visit", "plan_version"] {
            env.tx.execute(
                &format!("UPDATE {table} SET division_code = ?2 WHERE household_id = ?1"),
                params![before.id, c.division_code],
            )?;
        }
    }
    rebuild_search_terms(env, &before.id)?;
    let after = require_household(env, "id", &before.id)?;
    env.audit(
        "household",
        &before.id,
        Some(&before.id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct HouseholdTransition {
    pub id: Uuid,
    pub to: HouseholdStatus,
    /// Required when closing.
    #[serde(default)]
    pub closure_reason: Option<ClosureReason>,
    #[serde(default)]
    pub note: Option<String>,
}

pub fn household_transition(env: &Env, req: HouseholdTransition) -> ApiResult<Household> {
    env.actor()?;
    let before = require_household(env, "id", &req.id.to_string())?;
    if !transitions::household(before.status, req.to) {
        return Err(ApiError::transition(
            "household",
            before.status.as_str(),
            req.to.as_str(),
        ));
    }
    let note = v::optional_multiline("note", &req.note, TEXT_MAX)?;
    let today = env.ctx.today;
    let now = env.now();
    match req.to {
        HouseholdStatus::Active if before.status == HouseholdStatus::Assessing => {
            if before.consent_on.is_none() {
                return Err(ApiError::at(
                    "household.consent.required",
                    "consent_on",
                    "record the household's consent before enrolling it",
                ));
            }
            if before.caseworker_id.is_none() {
                return Err(ApiError::at(
                    "household.caseworker.required",
                    "caseworker_id",
                    "assign a caseworker before enrolling",
                ));
            }
        }
        HouseholdStatus::Closed => {
            let Some(reason) = req.closure_reason else {
                return Err(ApiError::at(
                    "validation.required",
                    "closure_reason",
                    "give the reason for closing the case",
                ));
            };
            env.tx.execute(
                "UPDATE household SET status = 'closed', closure_reason = ?2, closure_note = ?3, closed_on = ?4,
                 updated_at = ?5 WHERE id = ?1",
                params![before.id, reason, note, today, now],
            )?;
            // Nothing more is delivered or visited for a closed case: deliveries that fell due
            // and were never recorded are recorded as skipped, later ones are dropped,
            // scheduled visits are cancelled and pending campaign lines are not done.
            let actor = env.actor_id();
            let skipped = env.tx.execute(
                "UPDATE occurrence SET status = 'skipped', recorded_by = ?3, recorded_at = ?4, note = 'case closed'
                 WHERE household_id = ?1 AND status = 'due' AND due_on < ?2",
                params![before.id, today, actor, now],
            )?;
            let dropped = env.tx.execute(
                "DELETE FROM occurrence WHERE household_id = ?1 AND status = 'due' AND due_on >= ?2",
                params![before.id, today],
            )?;
            let cancelled = env.tx.execute(
                "UPDATE visit SET status = 'cancelled', updated_at = ?2 WHERE household_id = ?1 AND status = 'scheduled'",
                params![before.id, now],
            )?;
            let campaign_lines = env.tx.execute(
                "UPDATE campaign_item SET status = 'not_done', recorded_by = ?2, recorded_at = ?3,
                    note = coalesce(note, 'case closed')
                 WHERE household_id = ?1 AND status = 'pending'",
                params![before.id, actor, now],
            )?;
            if skipped + dropped + cancelled + campaign_lines > 0 {
                env.audit::<(), _>(
                    "pending_work",
                    &before.id,
                    Some(&before.id),
                    None,
                    Some(&serde_json::json!({
                        "occurrences_skipped": skipped,
                        "occurrences_dropped": dropped,
                        "visits_cancelled": cancelled,
                        "campaign_lines_not_done": campaign_lines,
                    })),
                )?;
            }
        }
        _ => {}
    }
    if req.to != HouseholdStatus::Closed {
        if req.closure_reason.is_some() {
            return Err(ApiError::at(
                "validation.not_allowed",
                "closure_reason",
                "a closure reason is only given when closing",
            ));
        }
        env.tx.execute(
            "UPDATE household SET status = ?2, closure_reason = NULL, closure_note = NULL, closed_on = NULL,
             updated_at = ?3 WHERE id = ?1",
            params![before.id, req.to, now],
        )?;
    }
    let after = require_household(env, "id", &before.id)?;
    env.audit(
        "household",
        &before.id,
        Some(&before.id),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

// ---------------------------------------------------------------- members

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Member {
    pub id: String,
    pub household_id: String,
    pub name: String,
    pub relation: Relation,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// Computed from birth_date on the day of the request; never stored.
    pub age: u32,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub health_conditions: Option<String>,
    pub disability_type: Option<DisabilityType>,
    pub disability_grade: Option<u8>,
    pub schooling: Option<Schooling>,
    pub school_name: Option<String>,
    pub work: Option<String>,
    pub is_primary_carer: bool,
    /// Computed: under 18 today.
    pub is_child: bool,
    pub is_target: bool,
    pub removed_on: Option<NaiveDate>,
    pub removed_reason: Option<RemovalReason>,
    /// Sensitive fields held back from this response (`id_number` is then masked, e.g.
    /// `3213**********1234`; `health_conditions` and `disability` are left out). `member.reveal`
    /// shows them, and is audited.
    #[serde(default)]
    pub hidden: Vec<String>,
}

/// The sensitive fields of a member (PIPL Art. 28: identity, health, disability), as named in
/// [`Member::hidden`].
pub const SENSITIVE_MEMBER_FIELDS: [&str; 3] = ["id_number", "health_conditions", "disability"];

impl Member {
    /// This member as lists and screens show them by default: the ID number masked, health
    /// conditions and disability withheld, each named in `hidden`.
    pub fn masked(mut self) -> Member {
        if let Some(n) = &self.id_number {
            self.id_number = Some(idcard::mask(n));
            self.hidden.push("id_number".into());
        }
        if self.health_conditions.take().is_some() {
            self.hidden.push("health_conditions".into());
        }
        if self.disability_type.take().is_some() | self.disability_grade.take().is_some() {
            self.hidden.push("disability".into());
        }
        self
    }
}

const MEMBER_COLS: &str = "id, household_id, name, relation, sex, birth_date, id_number, phone, health_conditions,
    disability_type, disability_grade, schooling, school_name, work, is_primary_carer, is_target, removed_on, removed_reason";

/// Whole years from `birth` to `today` (0 for a future birth date).
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    today.years_since(birth).unwrap_or(0)
}

fn member_from_row(r: &Row, today: NaiveDate) -> rusqlite::Result<Member> {
    let birth: NaiveDate = r.get(5)?;
    let age = age_on(birth, today);
    Ok(Member {
        id: r.get(0)?,
        household_id: r.get(1)?,
        name: r.get(2)?,
        relation: r.get(3)?,
        sex: r.get(4)?,
        birth_date: birth,
        age,
        id_number: r.get(6)?,
        phone: r.get(7)?,
        health_conditions: r.get(8)?,
        disability_type: r.get(9)?,
        disability_grade: r.get(10)?,
        schooling: r.get(11)?,
        school_name: r.get(12)?,
        work: r.get(13)?,
        is_primary_carer: r.get(14)?,
        is_child: age < 18,
        is_target: r.get(15)?,
        removed_on: r.get(16)?,
        removed_reason: r.get(17)?,
        hidden: Vec::new(),
    })
}

pub fn find_member(env: &Env, id: &str) -> ApiResult<Option<Member>> {
    let today = env.ctx.today;
    Ok(env
        .tx
        .query_row(
            &format!("SELECT {MEMBER_COLS} FROM member WHERE id = ?1"),
            [id],
            |r| member_from_row(r, today),
        )
        .optional()?)
}

pub fn members_of(env: &Env, household_id: &str, include_removed: bool) -> ApiResult<Vec<Member>> {
    let today = env.ctx.today;
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {MEMBER_COLS} FROM member WHERE household_id = ?1 AND (?2 OR removed_on IS NULL)
         ORDER BY relation <> 'head', birth_date, id"
    ))?;
    let rows = st
        .query_map(params![household_id, include_removed], |r| {
            member_from_row(r, today)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub household_id: Uuid,
    pub member: MemberFields,
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct MemberUpdate {
    pub id: Uuid,
    pub member: MemberFields,
}

/// The editable member fields (shared by add and update).
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct MemberFields {
    pub name: String,
    pub relation: Relation,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub health_conditions: Option<String>,
    #[serde(default)]
    pub disability_type: Option<DisabilityType>,
    #[serde(default)]
    pub disability_grade: Option<u8>,
    #[serde(default)]
    pub schooling: Option<Schooling>,
    #[serde(default)]
    pub school_name: Option<String>,
    #[serde(default)]
    pub work: Option<String>,
    #[serde(default)]
    pub is_primary_carer: bool,
    #[serde(default)]
    pub is_target: bool,
}

struct MemberClean {
    name: String,
    id_number: Option<String>,
    phone: Option<String>,
    health_conditions: Option<String>,
    school_name: Option<String>,
    work: Option<String>,
}

/// Validate member fields; `member_id` is the member being edited (None when adding).
fn clean_member(
    env: &Env,
    household_id: &str,
    member_id: Option<&str>,
    f: &MemberFields,
) -> ApiResult<MemberClean> {
    let name = v::required("name", &f.name, NAME_MAX)?;
    v::date_not_after("birth_date", f.birth_date, env.ctx.today)?;
    let id_number = match f
        .id_number
        .as_deref()
        .map(|s| idcard::normalize(&v::fold_fullwidth(s)))
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(n) => {
            let info = idcard::parse(&n).map_err(|e| {
                let msg = match e {
                    idcard::IdError::Format => "id_number must be 17 digits and a check digit or X",
                    idcard::IdError::BirthDate => "id_number holds an impossible birth date",
                    idcard::IdError::Checksum => "id_number's check digit is wrong (mistyped?)",
                };
                ApiError::at(
                    format!("validation.id_number.{}", e.code()),
                    "id_number",
                    msg,
                )
            })?;
            if info.birth_date != f.birth_date {
                return Err(ApiError::at(
                    "validation.id_number.birth_mismatch",
                    "birth_date",
                    "birth_date differs from the date in id_number",
                ));
            }
            let sex = match info.sex {
                idcard::IdSex::Male => Sex::Male,
                idcard::IdSex::Female => Sex::Female,
            };
            if sex != f.sex {
                return Err(ApiError::at(
                    "validation.id_number.sex_mismatch",
                    "sex",
                    "sex differs from the one in id_number",
                ));
            }
            let dup: Option<String> = env
                .tx
                .query_row(
                    "SELECT id FROM member WHERE id_number = ?1 AND removed_on IS NULL AND id <> ?2",
                    params![n, member_id.unwrap_or("")],
                    |r| r.get(0),
                )
                .optional()?;
            if dup.is_some() {
                return Err(ApiError::at(
                    "member.id_number.duplicate",
                    "id_number",
                    "this ID number is already recorded for another person",
                ));
            }
            Some(n)
        }
    };
    if f.disability_grade.is_some() && f.disability_type.is_none() {
        return Err(ApiError::at(
            "validation.required",
            "disability_type",
            "give the disability type with its grade",
        ));
    }
    if let Some(g) = f.disability_grade
        && !(1..=4).contains(&g)
    {
        return Err(ApiError::at(
            "validation.out_of_range",
            "disability_grade",
            "disability_grade is 1 to 4",
        ));
    }
    if f.relation == Relation::Head {
        let other_head: Option<String> = env
            .tx
            .query_row(
                "SELECT id FROM member WHERE household_id = ?1 AND relation = 'head' AND removed_on IS NULL AND id <> ?2",
                params![household_id, member_id.unwrap_or("")],
                |r| r.get(0),
            )
            .optional()?;
        if other_head.is_some() {
            return Err(ApiError::at(
                "member.head.exists",
                "relation",
                "this household already has a head",
            ));
        }
    }
    Ok(MemberClean {
        name,
        id_number,
        phone: v::phone("phone", &f.phone)?,
        health_conditions: v::optional_multiline(
            "health_conditions",
            &f.health_conditions,
            TEXT_MAX,
        )?,
        school_name: v::optional("school_name", &f.school_name, SHORT_MAX)?,
        work: v::optional("work", &f.work, SHORT_MAX)?,
    })
}

pub fn member_add(env: &Env, req: MemberInput) -> ApiResult<Member> {
    env.actor()?;
    let h = require_open_household(env, "household_id", &req.household_id.to_string())?;
    let members: i64 = env.tx.query_row(
        "SELECT count(*) FROM member WHERE household_id = ?1 AND removed_on IS NULL",
        [&h.id],
        |r| r.get(0),
    )?;
    if members >= 30 {
        return Err(ApiError::at(
            "validation.too_many",
            "household_id",
            "a household has at most 30 members",
        ));
    }
    let f = &req.member;
    let c = clean_member(env, &h.id, None, f).map_err(|e| e.under("member."))?;
    let id = env.new_id();
    let now = env.now();
    env.tx.execute(
        &format!(
            "INSERT INTO member({MEMBER_COLS}, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL, NULL, ?17, ?17)"
        ),
        params![
            id, h.id, c.name, f.relation, f.sex, f.birth_date, c.id_number, c.phone, c.health_conditions,
            f.disability_type, f.disability_grade, f.schooling, c.school_name, c.work, f.is_primary_carer,
            f.is_target, now
        ],
    )?;
    touch_household(env, &h.id)?;
    rebuild_search_terms(env, &h.id)?;
    let m = find_member(env, &id)?.ok_or_else(|| ApiError::internal("member vanished"))?;
    env.audit::<(), _>("member", &id, Some(&h.id), None, Some(&m))?;
    Ok(m.masked())
}

pub fn member_update(env: &Env, req: MemberUpdate) -> ApiResult<Member> {
    env.actor()?;
    let before = find_member(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found("member", "id"))?;
    if before.removed_on.is_some() {
        return Err(ApiError::at(
            "member.removed",
            "id",
            "this member was removed from the household",
        ));
    }
    require_open_household(env, "id", &before.household_id)?;
    let f = &req.member;
    let c = clean_member(env, &before.household_id, Some(&before.id), f)
        .map_err(|e| e.under("member."))?;
    env.tx.execute(
        "UPDATE member SET name = ?2, relation = ?3, sex = ?4, birth_date = ?5, id_number = ?6, phone = ?7,
            health_conditions = ?8, disability_type = ?9, disability_grade = ?10, schooling = ?11, school_name = ?12,
            work = ?13, is_primary_carer = ?14, is_target = ?15, updated_at = ?16
         WHERE id = ?1",
        params![
            before.id, c.name, f.relation, f.sex, f.birth_date, c.id_number, c.phone, c.health_conditions,
            f.disability_type, f.disability_grade, f.schooling, c.school_name, c.work, f.is_primary_carer,
            f.is_target, env.now()
        ],
    )?;
    member_changed(env, &before).map(Member::masked)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct MemberRemove {
    pub id: Uuid,
    pub reason: RemovalReason,
}

pub fn member_remove(env: &Env, req: MemberRemove) -> ApiResult<Member> {
    env.actor()?;
    let before = find_member(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found("member", "id"))?;
    if before.removed_on.is_some() {
        return Err(ApiError::at(
            "member.removed",
            "id",
            "this member was already removed",
        ));
    }
    require_open_household(env, "id", &before.household_id)?;
    env.tx.execute(
        "UPDATE member SET removed_on = ?2, removed_reason = ?3, updated_at = ?4 WHERE id = ?1",
        params![before.id, env.ctx.today, req.reason, env.now()],
    )?;
    member_changed(env, &before).map(Member::masked)
}

/// A member with their sensitive fields shown, for someone who may see the household. The
/// reveal is audited (who, when, whose fields — not the values) and shows in the household's
/// history.
pub fn member_reveal(env: &Env, req: crate::api::reference::ById) -> ApiResult<Member> {
    env.actor()?;
    let m = find_member(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found("member", "id"))?;
    let revealed = m.clone().masked().hidden;
    env.audit::<(), _>(
        "member",
        &m.id,
        Some(&m.household_id),
        None,
        Some(&serde_json::json!({"name": m.name, "revealed": revealed})),
    )?;
    Ok(m)
}

/// After a member changed: the household's change time, its search document, the audit row.
fn member_changed(env: &Env, before: &Member) -> ApiResult<Member> {
    touch_household(env, &before.household_id)?;
    rebuild_search_terms(env, &before.household_id)?;
    let after =
        find_member(env, &before.id)?.ok_or_else(|| ApiError::internal("member vanished"))?;
    env.audit(
        "member",
        &before.id,
        Some(&before.household_id),
        Some(before),
        Some(&after),
    )?;
    Ok(after)
}

pub fn touch_household(env: &Env, id: &str) -> ApiResult<()> {
    env.tx.execute(
        "UPDATE household SET updated_at = ?2 WHERE id = ?1",
        params![id, env.now()],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- search index

/// Terms that find a household: case number, phones, member names (with pinyin and
/// initials), and the last 4 and 6 characters of ID numbers (never the whole number).
pub fn household_terms(
    case_no: &str,
    phone: Option<&str>,
    members: &[(String, Option<String>, Option<String>)],
) -> Vec<String> {
    household_terms_with(case_no, phone, members, search_terms::name_terms)
}

/// `household_terms` with the name terms supplied by the caller (the bulk demo load reuses
/// the terms of names it has already seen).
pub fn household_terms_with(
    case_no: &str,
    phone: Option<&str>,
    members: &[(String, Option<String>, Option<String>)],
    mut name_terms: impl FnMut(&str) -> Vec<String>,
) -> Vec<String> {
    let mut terms = Vec::with_capacity(8 + members.len() * 10);
    terms.push(case_no.to_lowercase());
    if let Some(rest) = case_no.get(7..) {
        terms.push(rest.to_string());
    }
    let push_phone = |p: &str, terms: &mut Vec<String>| {
        let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() >= 4 {
            terms.push(digits[digits.len() - 4..].to_string());
        }
        // +86 139… is also found as 139…, the way people say it.
        if let Some(national) = p.strip_prefix("+86").and(digits.strip_prefix("86")) {
            terms.push(national.to_string());
        }
        terms.push(digits);
    };
    if let Some(p) = phone {
        push_phone(p, &mut terms);
    }
    for (name, phone, id_number) in members {
        terms.extend(name_terms(name));
        if let Some(p) = phone {
            push_phone(p, &mut terms);
        }
        if let Some(n) = id_number {
            let chars: Vec<char> = n.to_lowercase().chars().collect();
            for k in [4usize, 6] {
                if chars.len() >= k {
                    terms.push(chars[chars.len() - k..].iter().collect());
                }
            }
        }
    }
    terms.retain(|t| !t.is_empty());
    terms.sort();
    terms.dedup();
    terms
}

pub fn rebuild_search_terms(env: &Env, household_id: &str) -> ApiResult<()> {
    let (case_no, phone, search_id): (String, Option<String>, i64) = env.tx.query_row(
        "SELECT case_no, phone, search_id FROM household WHERE id = ?1",
        [household_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut st = env.tx.prepare_cached(
        "SELECT name, phone, id_number FROM member WHERE household_id = ?1 AND removed_on IS NULL",
    )?;
    let members = st
        .query_map([household_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    env.tx
        .execute("DELETE FROM household_search WHERE rowid = ?1", [search_id])?;
    env.tx.execute(
        "INSERT INTO household_search(rowid, terms) VALUES (?1, ?2)",
        params![
            search_id,
            household_terms(&case_no, phone.as_deref(), &members).join(" ")
        ],
    )?;
    Ok(())
}

/// The FTS5 query for a user's search: every token must prefix-match some term. Tokens are
/// quoted (so no FTS syntax can be injected); a hyphenated token such as a case number becomes
/// a phrase whose last word is a prefix.
pub fn search_match(q: &str) -> Option<String> {
    let parts: Vec<String> = search_terms::query_tokens(q)
        .into_iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

// ---------------------------------------------------------------- detail

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct HouseholdDetail {
    pub household: Household,
    /// 江苏省 宿迁市 泗洪县 车门乡 车门社区
    pub division_name: String,
    pub caseworker_name: Option<String>,
    pub members: Vec<Member>,
    pub removed_members: Vec<Member>,
    pub needs: Vec<Need>,
    /// Open needs that no action of the plan in force or the working plan answers.
    pub unanswered_need_ids: Vec<String>,
    pub plans: Vec<PlanSummary>,
    pub plan_in_force: Option<PlanDetail>,
    pub working_plan: Option<PlanDetail>,
    pub recent_visits: Vec<Visit>,
    pub next_scheduled_visit: Option<Visit>,
    /// The date by which the next visit is due under the cadence for this priority.
    pub next_visit_due_on: Option<NaiveDate>,
    pub overdue: bool,
}

pub fn household_get(env: &Env, req: ById) -> ApiResult<HouseholdDetail> {
    let household = require_household(env, "id", &req.id.to_string())?;
    let division_name = rf::division_path(env, &household.division_code)?
        .iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let caseworker_name = match &household.caseworker_id {
        Some(id) => rf::find_staff(env, id)?.map(|s| s.name),
        None => None,
    };
    let all_members = members_of(env, &household.id, true)?;
    let (members, removed_members): (Vec<_>, Vec<_>) = all_members
        .into_iter()
        .map(Member::masked)
        .partition(|m| m.removed_on.is_none());
    let needs = case::needs_of(env, &household.id)?;
    let plans = case::plan_summaries(env, &household.id)?;
    let plan_in_force = match plans.iter().find(|p| p.status == PlanStatus::Approved) {
        Some(p) => Some(case::plan_detail(env, &p.id)?),
        None => None,
    };
    let working_plan = match plans.iter().find(|p| {
        matches!(
            p.status,
            PlanStatus::Draft | PlanStatus::Submitted | PlanStatus::Returned
        )
    }) {
        Some(p) => Some(case::plan_detail(env, &p.id)?),
        None => None,
    };
    let answered: std::collections::HashSet<&str> = plan_in_force
        .iter()
        .chain(working_plan.iter())
        .flat_map(|p| p.actions.iter())
        .filter(|a| !matches!(a.status, ActionStatus::Cancelled))
        .flat_map(|a| a.need_ids.iter().map(String::as_str))
        .collect();
    let unanswered_need_ids = needs
        .iter()
        .filter(|n| {
            matches!(n.status, NeedStatus::Open | NeedStatus::InProgress)
                && !answered.contains(n.id.as_str())
        })
        .map(|n| n.id.clone())
        .collect();
    let recent_visits: Vec<visit::Visit> = visit::visits_of(env, &household.id, 20, None)?
        .into_iter()
        .map(visit::Visit::masked)
        .collect();
    let next_scheduled_visit = visit::next_scheduled(env, &household.id)?.map(visit::Visit::masked);
    let settings = rf::load_settings(env)?;
    let (next_visit_due_on, overdue) = visit::cadence_state(&household, &settings, env.ctx.today);
    Ok(HouseholdDetail {
        household,
        division_name,
        caseworker_name,
        members,
        removed_members,
        needs,
        unanswered_need_ids,
        plans,
        plan_in_force,
        working_plan,
        recent_visits,
        next_scheduled_visit,
        next_visit_due_on,
        overdue,
    })
}

// ---------------------------------------------------------------- list and search

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdSort {
    /// Case number ascending (the paper file order).
    #[default]
    CaseNo,
    /// Most recently changed first.
    UpdatedDesc,
    /// Longest without a visit first (never visited first of all).
    LastVisitAsc,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct HouseholdQuery {
    /// Name (Chinese, full pinyin or initials), case number, phone, last digits of an ID number.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub status: Vec<HouseholdStatus>,
    #[serde(default)]
    pub priority: Vec<Priority>,
    /// Households with any of these causes.
    #[serde(default)]
    pub causes: Vec<Cause>,
    /// Households in this division or below it.
    #[serde(default)]
    pub division_code: Option<String>,
    #[serde(default)]
    pub caseworker_id: Option<Uuid>,
    /// Only households past their visit cadence (true) or within it (false).
    #[serde(default)]
    pub overdue: Option<bool>,
    /// Households with a need matching this (drill-down from the dashboard's needs figures).
    #[serde(default)]
    pub needs: Option<NeedFilter>,
    /// Open households with no completed visit in this period.
    #[serde(default)]
    pub not_visited: Option<Period>,
    /// Households with an occurrence in this state falling due in the period.
    #[serde(default)]
    pub occurrences: Option<OccurrenceFilter>,
    /// Households with a stalled service: an action in force whose latest occurrence before
    /// today was missed or never recorded.
    #[serde(default)]
    pub stalled: bool,
    /// Only households with no caseworker assigned.
    #[serde(default)]
    pub unassigned: bool,
    #[serde(default)]
    pub sort: HouseholdSort,
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A closed date range (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Both ends within 1900–2200 and in order; `max_days` bounds the span when given.
    pub fn check(&self, field: &str, max_days: Option<i64>) -> ApiResult<Period> {
        v::date_in_range(&format!("{field}.from"), self.from)?;
        v::date_in_range(&format!("{field}.to"), self.to)?;
        if self.from > self.to {
            return Err(ApiError::at(
                "validation.date.order",
                format!("{field}.to"),
                "to is before from",
            ));
        }
        if let Some(max) = max_days
            && (self.to - self.from).num_days() >= max
        {
            return Err(ApiError::at(
                "validation.out_of_range",
                format!("{field}.to"),
                format!("the period is longer than {max} days"),
            ));
        }
        Ok(*self)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct NeedFilter {
    #[serde(default)]
    pub category: Option<NeedCategory>,
    /// Any of these states (any state when empty).
    #[serde(default)]
    pub status: Vec<NeedStatus>,
    /// Only needs still open or in progress, of an open household, that no planned or active
    /// action of the plan in force answers.
    #[serde(default)]
    pub uncovered: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceFilter {
    pub status: OccurrenceStatus,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// SQL condition on need `n` (of household `h`): no action in force answers it.
pub const NEED_UNCOVERED_SQL: &str = "(h.status <> 'closed' AND n.status IN ('open', 'in_progress')
    AND NOT EXISTS (SELECT 1 FROM action_need an JOIN action a ON a.id = an.action_id
        JOIN plan_version p ON p.id = a.plan_version_id
        WHERE an.need_id = n.id AND p.status = 'approved' AND a.status IN ('planned', 'active')))";

/// SQL condition on action `a` of plan version `p`: in force and stalled (the latest occurrence
/// before today, parameter number `today_param`, was missed or is still unrecorded).
pub fn action_stalled_sql(today_param: usize) -> String {
    format!(
        "(p.status = 'approved' AND a.status IN ('planned', 'active')
          AND (SELECT o.status FROM occurrence o WHERE o.action_id = a.id AND o.due_on < ?{today_param}
               ORDER BY o.due_on DESC LIMIT 1) IN ('due', 'missed'))"
    )
}

/// SQL condition on household `h`: one of its actions has stalled ([`action_stalled_sql`]).
pub fn stalled_sql(today_param: usize) -> String {
    format!(
        "EXISTS (SELECT 1 FROM action a JOIN plan_version p ON p.id = a.plan_version_id
            WHERE a.household_id = h.id AND {})",
        action_stalled_sql(today_param)
    )
}

/// SQL condition on household `h`: open, and no completed visit between the two parameters.
/// `last_visit_on` (the latest completed visit, checked by `yihu check`) settles most
/// households without touching the visit table.
pub fn not_visited_sql(from_param: usize, to_param: usize) -> String {
    format!(
        "(h.status <> 'closed' AND (h.last_visit_on IS NULL OR h.last_visit_on < ?{from_param}
          OR (h.last_visit_on > ?{to_param} AND NOT EXISTS (SELECT 1 FROM visit v
              WHERE v.household_id = h.id AND v.status = 'completed'
                AND v.visited_on >= ?{from_param} AND v.visited_on <= ?{to_param}))))"
    )
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct HouseholdListItem {
    pub id: String,
    pub case_no: String,
    pub head_name: Option<String>,
    pub division_code: String,
    pub division_name: String,
    pub address: String,
    pub status: HouseholdStatus,
    pub priority: Priority,
    pub causes: Vec<Cause>,
    pub caseworker_id: Option<String>,
    pub caseworker_name: Option<String>,
    pub last_visit_on: Option<NaiveDate>,
    pub next_visit_due_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct HouseholdPage {
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
    pub items: Vec<HouseholdListItem>,
}

/// The WHERE clause and its parameters for a household query (also used by the benchmarks to
/// run the same SQL through raw rusqlite).
pub fn household_filter(
    req: &HouseholdQuery,
    today: NaiveDate,
    cadence: &rf::Cadence,
) -> ApiResult<(String, Vec<SqlValue>)> {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    let p = |v: SqlValue, params: &mut Vec<SqlValue>| {
        params.push(v);
        format!("?{}", params.len())
    };
    if let Some(q) = req.q.as_deref() {
        if q.chars().count() > 100 {
            return Err(ApiError::at(
                "validation.too_long",
                "q",
                "the search is longer than 100 characters",
            ));
        }
        match search_match(q) {
            Some(m) => {
                let a = p(SqlValue::Text(m), &mut params);
                clauses.push(format!(
                    "h.search_id IN (SELECT rowid FROM household_search WHERE household_search MATCH {a})"
                ));
            }
            // Only punctuation: nothing can match.
            None if !q.trim().is_empty() => clauses.push("0".to_string()),
            None => {}
        }
    }
    let in_list = |vals: Vec<&'static str>, col: &str, params: &mut Vec<SqlValue>| -> String {
        let ph: Vec<String> = vals
            .into_iter()
            .map(|v| {
                params.push(SqlValue::Text(v.to_string()));
                format!("?{}", params.len())
            })
            .collect();
        format!("{col} IN ({})", ph.join(", "))
    };
    if !req.status.is_empty() {
        clauses.push(in_list(
            req.status.iter().map(|s| s.as_str()).collect(),
            "h.status",
            &mut params,
        ));
    }
    if !req.priority.is_empty() {
        clauses.push(in_list(
            req.priority.iter().map(|s| s.as_str()).collect(),
            "h.priority",
            &mut params,
        ));
    }
    if !req.causes.is_empty() {
        let a = p(SqlValue::Integer(Cause::to_bits(&req.causes)), &mut params);
        clauses.push(format!("(h.causes & {a}) <> 0"));
    }
    if let Some(d) = &req.division_code {
        let code = v::division_code("division_code", d)?;
        let (lo, hi) = v::subtree_range(&code);
        let a = p(SqlValue::Text(lo), &mut params);
        let b = p(SqlValue::Text(hi), &mut params);
        clauses.push(format!("h.division_code >= {a} AND h.division_code < {b}"));
    }
    if let Some(c) = &req.caseworker_id {
        let a = p(SqlValue::Text(c.to_string()), &mut params);
        clauses.push(format!("h.caseworker_id = {a}"));
    }
    if let Some(overdue) = req.overdue {
        let cond = overdue_sql(today, cadence, &mut params);
        clauses.push(if overdue {
            cond
        } else {
            format!("NOT ({cond})")
        });
    }
    if let Some(n) = &req.needs {
        let mut conds = vec!["n.household_id = h.id".to_string()];
        if let Some(c) = n.category {
            conds.push(format!(
                "n.category = {}",
                p(SqlValue::Text(c.as_str().into()), &mut params)
            ));
        }
        if !n.status.is_empty() {
            conds.push(in_list(
                n.status.iter().map(|s| s.as_str()).collect(),
                "n.status",
                &mut params,
            ));
        }
        if n.uncovered {
            conds.push(NEED_UNCOVERED_SQL.to_string());
        }
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM need n WHERE {})",
            conds.join(" AND ")
        ));
    }
    if let Some(period) = &req.not_visited {
        let period = period.check("not_visited", None)?;
        p(SqlValue::Text(period.from.to_string()), &mut params);
        p(SqlValue::Text(period.to.to_string()), &mut params);
        clauses.push(not_visited_sql(params.len() - 1, params.len()));
    }
    if let Some(o) = &req.occurrences {
        let period = Period {
            from: o.from,
            to: o.to,
        }
        .check("occurrences", None)?;
        let s = p(SqlValue::Text(o.status.as_str().into()), &mut params);
        let a = p(SqlValue::Text(period.from.to_string()), &mut params);
        let b = p(SqlValue::Text(period.to.to_string()), &mut params);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM occurrence o WHERE o.household_id = h.id AND o.status = {s}
               AND o.due_on >= {a} AND o.due_on <= {b})"
        ));
    }
    if req.stalled {
        p(SqlValue::Text(today.to_string()), &mut params);
        clauses.push(stalled_sql(params.len()));
    }
    if req.unassigned {
        clauses.push("h.caseworker_id IS NULL".to_string());
    }
    let sql = if clauses.is_empty() {
        "1".to_string()
    } else {
        clauses.join(" AND ")
    };
    Ok((sql, params))
}

/// SQL condition: the household is open and its last visit (or referral) is older than its cadence.
pub fn overdue_sql(today: NaiveDate, cadence: &rf::Cadence, params: &mut Vec<SqlValue>) -> String {
    let mut parts = Vec::new();
    for (prio, days) in [
        ("high", cadence.high),
        ("medium", cadence.medium),
        ("low", cadence.low),
    ] {
        let limit = today - chrono::Duration::days(i64::from(days));
        params.push(SqlValue::Text(prio.to_string()));
        let a = params.len();
        params.push(SqlValue::Text(limit.to_string()));
        let b = params.len();
        parts.push(format!(
            "(h.priority = ?{a} AND coalesce(h.last_visit_on, h.referred_on) < ?{b})"
        ));
    }
    format!("(h.status <> 'closed' AND ({}))", parts.join(" OR "))
}

pub fn household_order(sort: HouseholdSort) -> &'static str {
    match sort {
        HouseholdSort::CaseNo => "h.case_no",
        HouseholdSort::UpdatedDesc => "h.updated_at DESC, h.id DESC",
        HouseholdSort::LastVisitAsc => "h.last_visit_on, h.case_no",
    }
}

/// SQL for the display name of household `h`: its head, or else its eldest member.
pub const HEAD_NAME_SQL: &str =
    "(SELECT m.name FROM member m WHERE m.household_id = h.id AND m.removed_on IS NULL
      ORDER BY m.relation <> 'head', m.birth_date LIMIT 1)";

pub const HOUSEHOLD_LIST_SELECT: &str = const_format::concatcp!("SELECT h.id, h.case_no, ", HEAD_NAME_SQL, ",
    h.division_code, (SELECT d.name FROM division d WHERE d.code = h.division_code), h.address,
    h.status, h.priority, h.causes, h.caseworker_id, (SELECT s.name FROM staff s WHERE s.id = h.caseworker_id),
    h.last_visit_on, h.referred_on
    FROM household h");

pub fn household_list(env: &Env, req: HouseholdQuery) -> ApiResult<HouseholdPage> {
    let limit = req.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::at(
            "validation.out_of_range",
            "limit",
            "limit is 1 to 500",
        ));
    }
    if let Some(c) = &req.caseworker_id {
        rf::find_staff(env, &c.to_string())?
            .ok_or_else(|| ApiError::not_found("staff", "caseworker_id"))?;
    }
    let settings = rf::load_settings(env)?;
    let today = env.ctx.today;
    let (filter, mut params) = household_filter(&req, today, &settings.cadence_days)?;
    // Only the households in the actor's scope (their caseload, or their division subtree).
    let filter = format!("{} AND {filter}", env.household_scope_sql("h"));
    let total: i64 = env.tx.query_row(
        &format!("SELECT count(*) FROM household h WHERE {filter}"),
        params_from_iter(params.iter()),
        |r| r.get(0),
    )?;
    params.push(SqlValue::Integer(i64::from(limit)));
    params.push(SqlValue::Integer(i64::from(req.offset)));
    let n = params.len();
    let sql = format!(
        "{HOUSEHOLD_LIST_SELECT} WHERE {filter} ORDER BY {} LIMIT ?{} OFFSET ?{n}",
        household_order(req.sort),
        n - 1
    );
    let mut st = env.tx.prepare_cached(&sql)?;
    let items = st
        .query_map(params_from_iter(params.iter()), |r| {
            let priority: Priority = r.get(7)?;
            let status: HouseholdStatus = r.get(6)?;
            let last_visit_on: Option<NaiveDate> = r.get(11)?;
            let referred_on: NaiveDate = r.get(12)?;
            let (due, overdue) = visit::cadence_due(
                status,
                priority,
                last_visit_on,
                referred_on,
                &settings,
                today,
            );
            Ok(HouseholdListItem {
                id: r.get(0)?,
                case_no: r.get(1)?,
                head_name: r.get(2)?,
                division_code: r.get(3)?,
                division_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                address: r.get(5)?,
                status,
                priority,
                causes: Cause::from_bits(r.get(8)?),
                caseworker_id: r.get(9)?,
                caseworker_name: r.get(10)?,
                last_visit_on,
                next_visit_due_on: due,
                overdue,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HouseholdPage {
        total: total as u64,
        offset: req.offset,
        limit,
        items,
    })
}
