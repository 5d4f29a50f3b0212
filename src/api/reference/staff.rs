//! Staff: the people who use Yihu, their roles and places, and who may be chosen at sign-in.

use crate::api::patch::patchable;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::api::Env;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::Role;
use crate::validate::{self as v, NAME_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub division_code: String,
    /// Shown to administrators, to a supervisor of the person's area and to the person; left
    /// out (None) for anyone else — a colleague's private number is not the team's.
    pub phone: Option<String>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Staff {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Staff {
            id: r.get(0)?,
            name: r.get(1)?,
            role: r.get(2)?,
            division_code: r.get(3)?,
            phone: r.get(4)?,
            active: r.get(5)?,
            created_at: r.get(6)?,
            updated_at: r.get(7)?,
        })
    }

    /// This staff member as `viewer` may see them: the phone only for an administrator, a
    /// supervisor of their area, or themselves.
    fn seen_by(mut self, viewer: Option<&crate::api::Actor>) -> Staff {
        let sees_phone = viewer.is_some_and(|a| {
            a.role == Role::Admin
                || a.id.to_string() == self.id
                || (a.role == Role::Supervisor && self.division_code.starts_with(&a.division_code))
        });
        if !sees_phone {
            self.phone = None;
        }
        self
    }
}

const STAFF_COLS: &str = "id, name, role, division_code, phone, active, created_at, updated_at";

pub fn find_staff(env: &Env, id: &str) -> ApiResult<Option<Staff>> {
    Ok(env
        .tx
        .query_row(
            &format!("SELECT {STAFF_COLS} FROM staff WHERE id = ?1"),
            [id],
            Staff::from_row,
        )
        .optional()?)
}

/// An active staff member referred to by the request field `field`.
pub fn require_active_staff(env: &Env, field: &str, id: &Uuid) -> ApiResult<Staff> {
    let s = find_staff(env, &id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundStaff, field))?;
    if !s.active {
        return Err(ApiError::at(
            ErrorCode::StaffInactive,
            field,
            "this staff member is deactivated",
        ));
    }
    Ok(s)
}

patchable! {
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput / StaffPatch {
    pub name: String,
    pub role: Role,
    pub division_code: String,
    #[serde(default)]
    pub phone: Option<String>,
}
}

pub fn staff_create(env: &Env, req: StaffInput) -> ApiResult<Staff> {
    let name = v::required("name", &req.name, NAME_MAX)?;
    let division = require_division(env, "division_code", &req.division_code)?;
    let phone = v::phone("phone", &req.phone)?;
    if env.actor.is_none() && req.role != Role::Admin {
        return Err(ApiError::at(
            ErrorCode::StaffFirstMustBeAdmin,
            "role",
            "the first staff member must be an administrator",
        ));
    }
    let id = env.new_id();
    let now = env.now();
    env.tx.execute(
        "INSERT INTO staff(id, name, role, division_code, phone, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
        params![id, name, req.role, division.code, phone, now],
    )?;
    let s = find_staff(env, &id)?.ok_or_else(|| ApiError::internal("staff vanished"))?;
    env.audit::<(), _>("staff", &id, None, None, Some(&s))?;
    Ok(s)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffUpdate {
    pub id: Uuid,
    /// The fields to change (left out: none); the others stay as they are.
    #[serde(default)]
    #[ts(optional)]
    pub staff: Option<StaffPatch>,
    /// Left out: unchanged.
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[ts(optional)]
    pub active: Option<bool>,
}

pub fn staff_update(env: &Env, req: StaffUpdate) -> ApiResult<Staff> {
    let before = find_staff(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundStaff, "id"))?;
    let input = &req.staff.unwrap_or_default().apply(StaffInput {
        name: before.name.clone(),
        role: before.role,
        division_code: before.division_code.clone(),
        phone: before.phone.clone(),
    });
    let active = req.active.unwrap_or(before.active);
    let name = v::required("staff.name", &input.name, NAME_MAX)?;
    let division = require_division(env, "staff.division_code", &input.division_code)?;
    let phone = v::phone("staff.phone", &input.phone)?;
    if before.role == Role::Admin && (input.role != Role::Admin || !active) {
        let admins: i64 = env.tx.query_row(
            "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1 AND id <> ?1",
            [&before.id],
            |r| r.get(0),
        )?;
        if admins == 0 {
            return Err(ApiError::at(
                ErrorCode::StaffLastAdmin,
                "staff.role",
                "the last administrator cannot be removed",
            ));
        }
    }
    env.tx.execute(
        "UPDATE staff SET name = ?2, role = ?3, division_code = ?4, phone = ?5, active = ?6, updated_at = ?7 WHERE id = ?1",
        params![before.id, name, input.role, division.code, phone, active, env.now()],
    )?;
    let after = find_staff(env, &before.id)?.ok_or_else(|| ApiError::internal("staff vanished"))?;
    env.audit("staff", &before.id, None, Some(&before), Some(&after))?;
    if crate::vault::follow_staff(env.tx, req.id, &after.name, active)? && !active {
        // A change to who can open the database is a row of its own in the trail.
        env.audit::<(), _>(
            "keyring",
            &before.id,
            None,
            None,
            Some(&serde_json::json!({"slot": "removed"})),
        )?;
    }
    Ok(after)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffList {
    #[serde(default)]
    pub role: Option<Role>,
    /// Only staff whose division lies under this code.
    #[serde(default)]
    pub division_code: Option<String>,
    #[serde(default)]
    pub include_inactive: bool,
}

pub fn staff_list(env: &Env, req: StaffList) -> ApiResult<Vec<Staff>> {
    let (lo, hi) = match req.division_code {
        Some(d) => v::subtree_range(&require_division(env, "division_code", &d)?.code),
        None => (String::new(), "~".to_string()),
    };
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {STAFF_COLS} FROM staff
         WHERE (?1 IS NULL OR role = ?1) AND division_code >= ?2 AND division_code < ?3 AND (?4 OR active = 1)
         ORDER BY name, id"
    ))?;
    let rows = st
        .query_map(
            params![req.role, lo, hi, req.include_inactive],
            Staff::from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let viewer = env.actor().ok();
    Ok(rows.into_iter().map(|s| s.seen_by(viewer)).collect())
}

/// Who may be chosen as the person working at this computer: active staff, by role then name.
/// Needs no actor, so it shows only names and roles. Sign-in (a later issue) replaces it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub division_code: String,
    pub division_name: String,
}

pub fn session_candidates(env: &Env, _req: Empty) -> ApiResult<Vec<Candidate>> {
    let mut st = env.tx.prepare_cached(
        "SELECT s.id, s.name, s.role, s.division_code, coalesce(d.name, '')
         FROM staff s LEFT JOIN division d ON d.code = s.division_code
         WHERE s.active = 1
         ORDER BY CASE s.role WHEN 'caseworker' THEN 0 WHEN 'supervisor' THEN 1 ELSE 2 END, s.name, s.id",
    )?;
    let rows = st
        .query_map([], |r| {
            Ok(Candidate {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                division_code: r.get(3)?,
                division_name: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn staff_get(env: &Env, req: ById) -> ApiResult<Staff> {
    let staff = find_staff(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundStaff, "id"))?;
    Ok(staff.seen_by(env.actor().ok()))
}
