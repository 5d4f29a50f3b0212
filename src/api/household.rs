//! Households: enrolment data (place, causes, supports, referral, consent, caseworker,
//! priority), case numbers and the household life cycle. The entity every case record hangs
//! from: members, needs, plans, visits and campaigns depend on it, never the reverse; the
//! household's read models (detail, list) live in `household_detail` and `household_list`.

use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::patch::patchable;
use super::reference::{require_active_staff, require_division};
use super::search_index::rebuild_search_terms;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::*;
use crate::validate::{self as v, ADDRESS_MAX, SHORT_MAX, TEXT_MAX};

// ---------------------------------------------------------------- household

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Support {
    pub kind: SupportKind,
    /// Monthly amount in fen (低保 and allowances), if any.
    #[serde(default)]
    pub monthly_fen: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Household {
    pub id: String,
    pub case_no: String,
    pub division_code: String,
    pub address: String,
    pub phone: Option<String>,
    pub causes: Vec<Cause>,
    pub supports: Vec<Support>,
    pub referral_source: ReferralSource,
    /// Further sources that referred the household too (the main one is `referral_source`).
    pub other_referral_sources: Vec<ReferralSource>,
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

const HOUSEHOLD_COLS: &str = "id, case_no, division_code, address, phone, causes, referral_source, other_referral_sources,
    referral_note, referred_on, consent_on, consent_recorded_by, consent_scope, caseworker_id, priority, status, closure_reason,
    closure_note, closed_on, last_visit_on, created_at, updated_at";

impl Household {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Household {
            id: r.get("id")?,
            case_no: r.get("case_no")?,
            division_code: r.get("division_code")?,
            address: r.get("address")?,
            phone: r.get("phone")?,
            causes: Cause::from_bits(r.get("causes")?),
            supports: Vec::new(),
            referral_source: r.get("referral_source")?,
            other_referral_sources: ReferralSource::from_bits(r.get("other_referral_sources")?),
            referral_note: r.get("referral_note")?,
            referred_on: r.get("referred_on")?,
            consent_on: r.get("consent_on")?,
            consent_recorded_by: r.get("consent_recorded_by")?,
            consent_scope: r.get("consent_scope")?,
            caseworker_id: r.get("caseworker_id")?,
            priority: r.get("priority")?,
            status: r.get("status")?,
            closure_reason: r.get("closure_reason")?,
            closure_note: r.get("closure_note")?,
            closed_on: r.get("closed_on")?,
            last_visit_on: r.get("last_visit_on")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
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
    find_household(env, id)?.ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundHousehold, field))
}

/// A household that may be changed: it exists and is not closed.
pub fn require_open_household(env: &Env, field: &str, id: &str) -> ApiResult<Household> {
    let h = require_household(env, field, id)?;
    if h.status == HouseholdStatus::Closed {
        return Err(ApiError::at(
            ErrorCode::HouseholdClosed,
            field,
            "this case is closed; reopen it first",
        ));
    }
    Ok(h)
}

patchable! {
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput / HouseholdPatch {
    pub division_code: String,
    pub address: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub causes: Vec<Cause>,
    #[serde(default)]
    pub supports: Vec<Support>,
    pub referral_source: ReferralSource,
    /// Further sources that referred the household too (e.g. 村党委推荐 and 妇联排查 both).
    #[serde(default)]
    pub other_referral_sources: Vec<ReferralSource>,
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
}

impl HouseholdInput {
    /// A household's fields as stored, for a patch to go over.
    fn of(h: &Household) -> HouseholdInput {
        HouseholdInput {
            division_code: h.division_code.clone(),
            address: h.address.clone(),
            phone: h.phone.clone(),
            causes: h.causes.clone(),
            supports: h.supports.clone(),
            referral_source: h.referral_source,
            other_referral_sources: h.other_referral_sources.clone(),
            referral_note: h.referral_note.clone(),
            referred_on: Some(h.referred_on),
            consent_on: h.consent_on,
            consent_scope: h.consent_scope.clone(),
            caseworker_id: h
                .caseworker_id
                .as_deref()
                .and_then(|c| Uuid::parse_str(c).ok()),
            priority: h.priority,
        }
    }
}

struct HouseholdClean {
    division_code: String,
    address: String,
    phone: Option<String>,
    causes: i64,
    supports: Vec<Support>,
    other_referral_sources: i64,
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
            ErrorCode::ValidationDivisionLevel,
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
                ErrorCode::ValidationDuplicate,
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
    v::max_items(
        "other_referral_sources",
        &req.other_referral_sources,
        ReferralSource::ALL.len(),
    )?;
    for (i, s) in req.other_referral_sources.iter().enumerate() {
        if *s == req.referral_source || req.other_referral_sources[..i].contains(s) {
            return Err(ApiError::at(
                ErrorCode::ValidationDuplicate,
                format!("other_referral_sources[{i}]"),
                "this referral source is listed twice",
            ));
        }
    }
    let other_referral_sources = ReferralSource::to_bits(&req.other_referral_sources);
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
            ErrorCode::ValidationRequired,
            "consent_on",
            "give the date consent was given",
        ));
    }
    let caseworker_id = match &req.caseworker_id {
        Some(id) => {
            let cw = require_active_staff(env, "caseworker_id", id)?;
            // Caseworkers carry cases, and supervisors who also do; an administrator keeps
            // the system and sees no case.
            if cw.role == crate::types::Role::Admin {
                return Err(ApiError::at(
                    ErrorCode::ValidationNotAllowed,
                    "caseworker_id",
                    "an administrator does not carry cases; choose a caseworker or a supervisor",
                ));
            }
            // A caseworker works in their own area: the household lies in their division.
            if !division.code.starts_with(cw.division_code.as_str()) {
                return Err(ApiError::at(
                    ErrorCode::HouseholdCaseworkerOutOfArea,
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
        other_referral_sources,
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
            search_id, created_at, updated_at, other_referral_sources)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'referred',
            (SELECT coalesce(max(search_id), 0) + 1 FROM household), ?15, ?15, ?16)",
        params![
            id, case_no, c.division_code, c.address, c.phone, c.causes, req.referral_source, c.referral_note,
            c.referred_on, c.consent_on, c.consent_on.map(|_| actor.clone()), c.consent_scope, c.caseworker_id,
            req.priority, now, c.other_referral_sources
        ],
    )?;
    write_supports(env, &id, &c.supports)?;
    rebuild_search_terms(env, &id)?;
    let h = require_household(env, "id", &id)?;
    env.audit::<(), _>("household", &id, Some(&id), None, Some(&h))?;
    Ok(h)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdUpdate {
    pub id: Uuid,
    /// The fields to change (the case number never changes); the others stay as they are.
    pub household: HouseholdPatch,
}

pub fn household_update(env: &Env, req: HouseholdUpdate) -> ApiResult<Household> {
    let actor = env.actor()?.id.to_string();
    let before = require_open_household(env, "id", &req.id.to_string())?;
    let mut input = req.household.apply(HouseholdInput::of(&before));
    input.referred_on = input.referred_on.or(Some(before.referred_on));
    let c = clean_household(env, &input).map_err(|e| e.under("household."))?;
    if matches!(
        before.status,
        HouseholdStatus::Active | HouseholdStatus::Monitoring
    ) {
        if c.consent_on.is_none() {
            return Err(ApiError::at(
                ErrorCode::HouseholdConsentRequired,
                "household.consent_on",
                "an enrolled household must keep its consent",
            ));
        }
        if c.caseworker_id.is_none() {
            return Err(ApiError::at(
                ErrorCode::HouseholdCaseworkerRequired,
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
            caseworker_id = ?12, priority = ?13, updated_at = ?14, other_referral_sources = ?15
         WHERE id = ?1",
        params![
            before.id, c.division_code, c.address, c.phone, c.causes, input.referral_source, c.referral_note,
            c.referred_on, c.consent_on, consent_by, c.consent_scope, c.caseworker_id, input.priority, env.now(),
            c.other_referral_sources
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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
            ErrorCode::HouseholdTransitionInvalid,
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
                    ErrorCode::HouseholdConsentRequired,
                    "consent_on",
                    "record the household's consent before enrolling it",
                ));
            }
            if before.caseworker_id.is_none() {
                return Err(ApiError::at(
                    ErrorCode::HouseholdCaseworkerRequired,
                    "caseworker_id",
                    "assign a caseworker before enrolling",
                ));
            }
        }
        HouseholdStatus::Closed => {
            let Some(reason) = req.closure_reason else {
                return Err(ApiError::at(
                    ErrorCode::ValidationRequired,
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
                ErrorCode::ValidationNotAllowed,
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

pub fn touch_household(env: &Env, id: &str) -> ApiResult<()> {
    env.tx.execute(
        "UPDATE household SET updated_at = ?2 WHERE id = ?1",
        params![id, env.now()],
    )?;
    Ok(())
}
