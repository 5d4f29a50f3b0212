//! Household members: their record, the sensitive fields masked by default and revealed on
//! request (audited), and add, update and remove. Split from the household because a member
//! has its own validation (ID numbers, one head) and its own commands.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use super::household::{require_open_household, touch_household};
use super::patch::patchable;
use super::search_index::rebuild_search_terms;
use super::shared::age_on;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::idcard;
use crate::types::*;
use crate::validate::{self as v, NAME_MAX, SHORT_MAX, TEXT_MAX};

// ---------------------------------------------------------------- members

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Member {
    pub id: String,
    pub household_id: String,
    pub name: String,
    /// 小名: what the family and the village call them; search finds it.
    pub nickname: Option<String>,
    pub relation: Relation,
    pub sex: Sex,
    /// Withheld (None, named in `hidden`) while the ID number is masked: its digits 7–14 are
    /// this date, so beside the mask it would give the number back.
    pub birth_date: Option<NaiveDate>,
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
    /// `3213************34`, and `birth_date` left out with it; `health_conditions` and
    /// `disability` are left out). `member.reveal` shows them, and is audited.
    #[serde(default)]
    pub hidden: Vec<String>,
}

/// The sensitive fields of a member (PIPL Art. 28: identity, health, disability), as named in
/// [`Member::hidden`].
pub const SENSITIVE_MEMBER_FIELDS: [&str; 4] =
    ["id_number", "birth_date", "health_conditions", "disability"];

impl Member {
    /// This member as lists and screens show them by default: the ID number masked (and the
    /// birth date it holds withheld, the age kept), health conditions and disability withheld,
    /// each named in `hidden`. Nothing left beside the mask narrows the number to fewer than
    /// thousands of candidates (`tests/insider_masks.rs` plays the attacker).
    pub fn masked(mut self) -> Member {
        if let Some(n) = &self.id_number {
            self.id_number = Some(idcard::mask(n));
            self.hidden.push("id_number".into());
            if self.birth_date.take().is_some() {
                self.hidden.push("birth_date".into());
            }
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
    disability_type, disability_grade, schooling, school_name, work, is_primary_carer, is_target, removed_on, removed_reason,
    nickname";

fn member_from_row(r: &Row, today: NaiveDate) -> rusqlite::Result<Member> {
    let birth: NaiveDate = r.get("birth_date")?;
    let age = age_on(birth, today);
    Ok(Member {
        id: r.get("id")?,
        household_id: r.get("household_id")?,
        name: r.get("name")?,
        nickname: r.get("nickname")?,
        relation: r.get("relation")?,
        sex: r.get("sex")?,
        birth_date: Some(birth),
        age,
        id_number: r.get("id_number")?,
        phone: r.get("phone")?,
        health_conditions: r.get("health_conditions")?,
        disability_type: r.get("disability_type")?,
        disability_grade: r.get("disability_grade")?,
        schooling: r.get("schooling")?,
        school_name: r.get("school_name")?,
        work: r.get("work")?,
        is_primary_carer: r.get("is_primary_carer")?,
        is_child: age < 18,
        is_target: r.get("is_target")?,
        removed_on: r.get("removed_on")?,
        removed_reason: r.get("removed_reason")?,
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub household_id: Uuid,
    pub member: MemberFields,
}

/// A change to a member: only the fields named change (a sensitive field left out stays as
/// it is, unseen — no reveal needed to edit a member).
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberUpdate {
    pub id: Uuid,
    pub member: MemberPatch,
}

patchable! {
/// The editable member fields (shared by add and update).
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberFields / MemberPatch {
    pub name: String,
    /// 小名 (optional).
    #[serde(default)]
    pub nickname: Option<String>,
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
}

impl MemberFields {
    /// The fields of a member as stored (`find_member`'s, unmasked), for a patch to go over.
    fn of(m: &Member) -> ApiResult<MemberFields> {
        Ok(MemberFields {
            name: m.name.clone(),
            nickname: m.nickname.clone(),
            relation: m.relation,
            sex: m.sex,
            birth_date: m
                .birth_date
                .ok_or_else(|| ApiError::internal("a stored member without a birth date"))?,
            id_number: m.id_number.clone(),
            phone: m.phone.clone(),
            health_conditions: m.health_conditions.clone(),
            disability_type: m.disability_type,
            disability_grade: m.disability_grade,
            schooling: m.schooling,
            school_name: m.school_name.clone(),
            work: m.work.clone(),
            is_primary_carer: m.is_primary_carer,
            is_target: m.is_target,
        })
    }
}

struct MemberClean {
    name: String,
    nickname: Option<String>,
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
    {
        None => None,
        // "No ID number" is the field left out (on add) or null: an empty or blank one is a
        // mistake to name, not a silent "none".
        Some(n) if n.is_empty() => {
            return Err(ApiError::at(
                ErrorCode::ValidationIdNumberFormat,
                "id_number",
                "id_number is empty: leave it out, or null, when the member has none",
            ));
        }
        Some(n) => {
            let info = idcard::parse(&n).map_err(|e| {
                let msg = match e {
                    idcard::IdError::Format => "id_number must be 17 digits and a check digit or X",
                    idcard::IdError::BirthDate => "id_number holds an impossible birth date",
                    idcard::IdError::Checksum => "id_number's check digit is wrong (mistyped?)",
                };
                ApiError::at(e.code(), "id_number", msg)
            })?;
            if info.birth_date != f.birth_date {
                return Err(ApiError::at(
                    ErrorCode::ValidationIdNumberBirthMismatch,
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
                    ErrorCode::ValidationIdNumberSexMismatch,
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
                    ErrorCode::MemberIdNumberDuplicate,
                    "id_number",
                    "this ID number is already recorded for another person",
                ));
            }
            Some(n)
        }
    };
    if f.disability_grade.is_some() && f.disability_type.is_none() {
        return Err(ApiError::at(
            ErrorCode::ValidationRequired,
            "disability_type",
            "give the disability type with its grade",
        ));
    }
    if let Some(g) = f.disability_grade
        && !(1..=4).contains(&g)
    {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
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
                ErrorCode::MemberHeadExists,
                "relation",
                "this household already has a head",
            ));
        }
    }
    Ok(MemberClean {
        name,
        nickname: v::optional("nickname", &f.nickname, NAME_MAX)?,
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
            ErrorCode::ValidationTooMany,
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
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL, NULL, ?18, ?17, ?17)"
        ),
        params![
            id, h.id, c.name, f.relation, f.sex, f.birth_date, c.id_number, c.phone, c.health_conditions,
            f.disability_type, f.disability_grade, f.schooling, c.school_name, c.work, f.is_primary_carer,
            f.is_target, now, c.nickname
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
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundMember, "id"))?;
    if before.removed_on.is_some() {
        return Err(ApiError::at(
            ErrorCode::MemberRemoved,
            "id",
            "this member was removed from the household",
        ));
    }
    require_open_household(env, "id", &before.household_id)?;
    let f = &req.member.apply(MemberFields::of(&before)?);
    let c = clean_member(env, &before.household_id, Some(&before.id), f)
        .map_err(|e| e.under("member."))?;
    env.tx.execute(
        "UPDATE member SET name = ?2, relation = ?3, sex = ?4, birth_date = ?5, id_number = ?6, phone = ?7,
            health_conditions = ?8, disability_type = ?9, disability_grade = ?10, schooling = ?11, school_name = ?12,
            work = ?13, is_primary_carer = ?14, is_target = ?15, updated_at = ?16, nickname = ?17
         WHERE id = ?1",
        params![
            before.id, c.name, f.relation, f.sex, f.birth_date, c.id_number, c.phone, c.health_conditions,
            f.disability_type, f.disability_grade, f.schooling, c.school_name, c.work, f.is_primary_carer,
            f.is_target, env.now(), c.nickname
        ],
    )?;
    member_changed(env, &before).map(Member::masked)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRemove {
    pub id: Uuid,
    pub reason: RemovalReason,
    /// The day they left the household or died (a relative who died years ago is recorded
    /// with that date). Defaults to today; not in the future, not before their birth.
    #[serde(default)]
    #[ts(optional)]
    pub on: Option<NaiveDate>,
}

pub fn member_remove(env: &Env, req: MemberRemove) -> ApiResult<Member> {
    env.actor()?;
    let before = find_member(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundMember, "id"))?;
    if before.removed_on.is_some() {
        return Err(ApiError::at(
            ErrorCode::MemberRemoved,
            "id",
            "this member was already removed",
        ));
    }
    require_open_household(env, "id", &before.household_id)?;
    let on = v::date_not_after("on", req.on.unwrap_or(env.ctx.today), env.ctx.today)?;
    if before.birth_date.is_some_and(|b| on < b) {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOrder,
            "on",
            "a member cannot leave the household before they were born",
        ));
    }
    env.tx.execute(
        "UPDATE member SET removed_on = ?2, removed_reason = ?3, updated_at = ?4 WHERE id = ?1",
        params![before.id, on, req.reason, env.now()],
    )?;
    member_changed(env, &before).map(Member::masked)
}

/// A member with their sensitive fields shown, for someone who may see the household. The
/// reveal is audited (who, when, whose fields — not the values) and shows in the household's
/// history.
pub fn member_reveal(env: &Env, req: crate::api::reference::ById) -> ApiResult<Member> {
    env.actor()?;
    let m = find_member(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundMember, "id"))?;
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
