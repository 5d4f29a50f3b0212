//! Reference data every case refers to: administrative divisions, staff, partner
//! organisations, the service menu and the tunable follow-up settings.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Env;
use crate::error::{ApiError, ApiResult};
use crate::types::{Level, NeedCategory, PartnerKind, Role};
use crate::validate::{self as v, ADDRESS_MAX, NAME_MAX, SHORT_MAX};

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ById {
    pub id: Uuid,
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ActiveFilter {
    #[serde(default)]
    pub include_inactive: bool,
}

// ---------------------------------------------------------------- divisions

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Division {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: Level,
    pub name: String,
    pub user_added: bool,
}

impl Division {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Division {
            code: r.get(0)?,
            parent_code: r.get(1)?,
            level: r.get(2)?,
            name: r.get(3)?,
            user_added: r.get(4)?,
        })
    }
}

const DIVISION_COLS: &str = "code, parent_code, level, name, user_added";

pub fn find_division(env: &Env, code: &str) -> ApiResult<Option<Division>> {
    Ok(env
        .tx
        .query_row(
            &format!("SELECT {DIVISION_COLS} FROM division WHERE code = ?1"),
            [code],
            Division::from_row,
        )
        .optional()?)
}

/// A division that must exist, for the request field `field`.
pub fn require_division(env: &Env, field: &str, code: &str) -> ApiResult<Division> {
    let code = v::division_code(field, code)?;
    find_division(env, &code)?.ok_or_else(|| ApiError::not_found("division", field))
}

/// The names from the province down to this division, e.g. 江苏省 宿迁市 泗洪县 车门乡.
pub fn division_path(env: &Env, code: &str) -> ApiResult<Vec<Division>> {
    let mut path = Vec::new();
    let mut next = Some(code.to_string());
    while let Some(c) = next {
        match find_division(env, &c)? {
            Some(d) => {
                next = d.parent_code.clone();
                path.push(d);
            }
            None => break,
        }
        if path.len() > 6 {
            break;
        }
    }
    path.reverse();
    Ok(path)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct DivisionChildren {
    /// None lists the provinces.
    #[serde(default)]
    pub parent_code: Option<String>,
}

pub fn division_children(env: &Env, req: DivisionChildren) -> ApiResult<Vec<Division>> {
    let rows = match req.parent_code {
        None => {
            let mut st = env.tx.prepare_cached(&format!(
                "SELECT {DIVISION_COLS} FROM division WHERE parent_code IS NULL ORDER BY code"
            ))?;
            st.query_map([], Division::from_row)?
                .collect::<Result<Vec<_>, _>>()?
        }
        Some(p) => {
            let p = require_division(env, "parent_code", &p)?;
            let mut st = env.tx.prepare_cached(&format!(
                "SELECT {DIVISION_COLS} FROM division WHERE parent_code = ?1 ORDER BY code"
            ))?;
            st.query_map([p.code], Division::from_row)?
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    Ok(rows)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct DivisionGet {
    pub code: String,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DivisionWithPath {
    pub division: Division,
    pub path: Vec<Division>,
}

pub fn division_get(env: &Env, req: DivisionGet) -> ApiResult<DivisionWithPath> {
    let division = require_division(env, "code", &req.code)?;
    let path = division_path(env, &division.code)?;
    Ok(DivisionWithPath { division, path })
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct DivisionSearch {
    pub q: String,
    /// Only divisions under this code.
    #[serde(default)]
    pub under: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DivisionHit {
    pub division: Division,
    /// Full name from the province down, e.g. "江苏省 宿迁市 泗洪县 车门乡".
    pub full_name: String,
}

/// Type-ahead over division names (substring), narrowest levels last.
pub fn division_search(env: &Env, req: DivisionSearch) -> ApiResult<Vec<DivisionHit>> {
    let q = v::required("q", &req.q, NAME_MAX)?;
    let limit = req.limit.unwrap_or(20).clamp(1, 100);
    let (lo, hi) = match req.under {
        Some(u) => v::subtree_range(&require_division(env, "under", &u)?.code),
        None => (String::new(), "~".to_string()),
    };
    let pattern = format!("%{}%", q.replace(['%', '_'], ""));
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {DIVISION_COLS} FROM division
         WHERE name LIKE ?1 AND code >= ?2 AND code < ?3
         ORDER BY length(code), code LIMIT ?4"
    ))?;
    let found = st
        .query_map(params![pattern, lo, hi, limit], Division::from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(found.len());
    for d in found {
        let full_name = division_path(env, &d.code)?
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(DivisionHit {
            division: d,
            full_name,
        });
    }
    Ok(out)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct DivisionAddVillage {
    pub township_code: String,
    pub name: String,
    /// The 12-digit statistical code; when absent the next free local code (suffix 900–999)
    /// under the township is used.
    #[serde(default)]
    pub code: Option<String>,
}

pub fn division_add_village(env: &Env, req: DivisionAddVillage) -> ApiResult<Division> {
    let township = require_division(env, "township_code", &req.township_code)?;
    if township.level != Level::Township {
        return Err(ApiError::at(
            "validation.division.level",
            "township_code",
            "villages and communities are added under a township",
        ));
    }
    let name = v::required("name", &req.name, NAME_MAX)?;
    let dup: Option<String> = env
        .tx
        .query_row(
            "SELECT code FROM division WHERE parent_code = ?1 AND name = ?2",
            params![township.code, name],
            |r| r.get(0),
        )
        .optional()?;
    if dup.is_some() {
        return Err(ApiError::at(
            "division.name.duplicate",
            "name",
            "this township already has a division of that name",
        ));
    }
    let code = match req.code {
        Some(c) => {
            let c = v::division_code("code", &c)?;
            if c.len() != 12 || !c.starts_with(&township.code) {
                return Err(ApiError::at(
                    "validation.division_code.parent",
                    "code",
                    "a village code has 12 digits and starts with its township's code",
                ));
            }
            if find_division(env, &c)?.is_some() {
                return Err(ApiError::at(
                    "division.code.duplicate",
                    "code",
                    "this code is already used",
                ));
            }
            c
        }
        None => {
            let (lo, hi) = (
                format!("{}900", township.code),
                format!("{}999", township.code),
            );
            let last: Option<String> = env.tx.query_row(
                "SELECT max(code) FROM division WHERE code >= ?1 AND code <= ?2",
                params![lo, hi],
                |r| r.get(0),
            )?;
            let next = match last {
                None => 900,
                Some(c) => c[9..].parse::<u32>().unwrap_or(999) + 1,
            };
            if next > 999 {
                return Err(ApiError::at(
                    "division.code.exhausted",
                    "code",
                    "give the village's statistical code",
                ));
            }
            format!("{}{next:03}", township.code)
        }
    };
    env.tx.execute(
        "INSERT INTO division(code, parent_code, level, name, user_added) VALUES (?1, ?2, 'village', ?3, 1)",
        params![code, township.code, name],
    )?;
    let d = find_division(env, &code)?.ok_or_else(|| ApiError::internal("division vanished"))?;
    env.audit::<(), _>("division", &code, None, None, Some(&d))?;
    Ok(d)
}

// ---------------------------------------------------------------- staff

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub division_code: String,
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
    let s = find_staff(env, &id.to_string())?.ok_or_else(|| ApiError::not_found("staff", field))?;
    if !s.active {
        return Err(ApiError::at(
            "staff.inactive",
            field,
            "this staff member is deactivated",
        ));
    }
    Ok(s)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    pub name: String,
    pub role: Role,
    pub division_code: String,
    #[serde(default)]
    pub phone: Option<String>,
}

pub fn staff_create(env: &Env, req: StaffInput) -> ApiResult<Staff> {
    let name = v::required("name", &req.name, NAME_MAX)?;
    let division = require_division(env, "division_code", &req.division_code)?;
    let phone = v::phone("phone", &req.phone)?;
    if env.actor.is_none() && req.role != Role::Admin {
        return Err(ApiError::at(
            "staff.first_must_be_admin",
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

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct StaffUpdate {
    pub id: Uuid,
    pub staff: StaffInput,
    pub active: bool,
}

pub fn staff_update(env: &Env, req: StaffUpdate) -> ApiResult<Staff> {
    let before =
        find_staff(env, &req.id.to_string())?.ok_or_else(|| ApiError::not_found("staff", "id"))?;
    let input = &req.staff;
    let name = v::required("staff.name", &input.name, NAME_MAX)?;
    let division = require_division(env, "staff.division_code", &input.division_code)?;
    let phone = v::phone("staff.phone", &input.phone)?;
    if before.role == Role::Admin && (input.role != Role::Admin || !req.active) {
        let admins: i64 = env.tx.query_row(
            "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1 AND id <> ?1",
            [&before.id],
            |r| r.get(0),
        )?;
        if admins == 0 {
            return Err(ApiError::at(
                "staff.last_admin",
                "staff.role",
                "the last administrator cannot be removed",
            ));
        }
    }
    env.tx.execute(
        "UPDATE staff SET name = ?2, role = ?3, division_code = ?4, phone = ?5, active = ?6, updated_at = ?7 WHERE id = ?1",
        params![before.id, name, input.role, division.code, phone, req.active, env.now()],
    )?;
    let after = find_staff(env, &before.id)?.ok_or_else(|| ApiError::internal("staff vanished"))?;
    env.audit("staff", &before.id, None, Some(&before), Some(&after))?;
    crate::vault::follow_staff(env.tx, req.id, &after.name, req.active)?;
    Ok(after)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
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
    Ok(rows)
}

/// Who may be chosen as the person working at this computer: active staff, by role then name.
/// Needs no actor, so it shows only names and roles. Sign-in (a later issue) replaces it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
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
    find_staff(env, &req.id.to_string())?.ok_or_else(|| ApiError::not_found("staff", "id"))
}

// ---------------------------------------------------------------- partners

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub kind: PartnerKind,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub division_code: Option<String>,
    pub active: bool,
}

impl Partner {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Partner {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            contact_name: r.get(3)?,
            phone: r.get(4)?,
            address: r.get(5)?,
            division_code: r.get(6)?,
            active: r.get(7)?,
        })
    }
}

const PARTNER_COLS: &str = "id, name, kind, contact_name, phone, address, division_code, active";

pub fn find_partner(env: &Env, id: &str) -> ApiResult<Option<Partner>> {
    Ok(env
        .tx
        .query_row(
            &format!("SELECT {PARTNER_COLS} FROM partner WHERE id = ?1"),
            [id],
            Partner::from_row,
        )
        .optional()?)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    pub name: String,
    pub kind: PartnerKind,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub division_code: Option<String>,
}

struct PartnerClean {
    name: String,
    contact_name: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    division_code: Option<String>,
}

fn clean_partner(env: &Env, at: &str, req: &PartnerInput) -> ApiResult<PartnerClean> {
    Ok(PartnerClean {
        name: v::required(&format!("{at}name"), &req.name, NAME_MAX)?,
        contact_name: v::optional(&format!("{at}contact_name"), &req.contact_name, NAME_MAX)?,
        phone: v::phone(&format!("{at}phone"), &req.phone)?,
        address: v::optional(&format!("{at}address"), &req.address, ADDRESS_MAX)?,
        division_code: match &req.division_code {
            Some(d) => Some(require_division(env, &format!("{at}division_code"), d)?.code),
            None => None,
        },
    })
}

pub fn partner_create(env: &Env, req: PartnerInput) -> ApiResult<Partner> {
    let c = clean_partner(env, "", &req)?;
    let id = env.new_id();
    let now = env.now();
    env.tx.execute(
        "INSERT INTO partner(id, name, kind, contact_name, phone, address, division_code, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8)",
        params![id, c.name, req.kind, c.contact_name, c.phone, c.address, c.division_code, now],
    )?;
    let p = find_partner(env, &id)?.ok_or_else(|| ApiError::internal("partner vanished"))?;
    env.audit::<(), _>("partner", &id, None, None, Some(&p))?;
    Ok(p)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct PartnerUpdate {
    pub id: Uuid,
    pub partner: PartnerInput,
    pub active: bool,
}

pub fn partner_update(env: &Env, req: PartnerUpdate) -> ApiResult<Partner> {
    let before = find_partner(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found("partner", "id"))?;
    let input = req.partner;
    let c = clean_partner(env, "partner.", &input)?;
    env.tx.execute(
        "UPDATE partner SET name = ?2, kind = ?3, contact_name = ?4, phone = ?5, address = ?6, division_code = ?7,
         active = ?8, updated_at = ?9 WHERE id = ?1",
        params![before.id, c.name, input.kind, c.contact_name, c.phone, c.address, c.division_code, req.active, env.now()],
    )?;
    let after =
        find_partner(env, &before.id)?.ok_or_else(|| ApiError::internal("partner vanished"))?;
    env.audit("partner", &before.id, None, Some(&before), Some(&after))?;
    Ok(after)
}

pub fn partner_list(env: &Env, req: ActiveFilter) -> ApiResult<Vec<Partner>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {PARTNER_COLS} FROM partner WHERE (?1 OR active = 1) ORDER BY kind, name"
    ))?;
    let rows = st
        .query_map([req.include_inactive], Partner::from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

// ---------------------------------------------------------------- service menu

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub category: NeedCategory,
    pub default_partner_id: Option<String>,
    pub unit: Option<String>,
    pub active: bool,
}

impl Service {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(Service {
            id: r.get(0)?,
            name: r.get(1)?,
            category: r.get(2)?,
            default_partner_id: r.get(3)?,
            unit: r.get(4)?,
            active: r.get(5)?,
        })
    }
}

const SERVICE_COLS: &str = "id, name, category, default_partner_id, unit, active";

pub fn find_service(env: &Env, id: &str) -> ApiResult<Option<Service>> {
    Ok(env
        .tx
        .query_row(
            &format!("SELECT {SERVICE_COLS} FROM service WHERE id = ?1"),
            [id],
            Service::from_row,
        )
        .optional()?)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub name: String,
    pub category: NeedCategory,
    #[serde(default)]
    pub default_partner_id: Option<Uuid>,
    #[serde(default)]
    pub unit: Option<String>,
}

fn check_partner_ref(env: &Env, field: &str, id: &Option<Uuid>) -> ApiResult<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => Ok(Some(
            find_partner(env, &id.to_string())?
                .ok_or_else(|| ApiError::not_found("partner", field))?
                .id,
        )),
    }
}

pub fn service_create(env: &Env, req: ServiceInput) -> ApiResult<Service> {
    let name = v::required("name", &req.name, NAME_MAX)?;
    let unit = v::optional("unit", &req.unit, SHORT_MAX)?;
    let partner = check_partner_ref(env, "default_partner_id", &req.default_partner_id)?;
    let id = env.new_id();
    env.tx.execute(
        "INSERT INTO service(id, name, category, default_partner_id, unit, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
        params![id, name, req.category, partner, unit, env.now()],
    )?;
    let s = find_service(env, &id)?.ok_or_else(|| ApiError::internal("service vanished"))?;
    env.audit::<(), _>("service", &id, None, None, Some(&s))?;
    Ok(s)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ServiceUpdate {
    pub id: Uuid,
    pub service: ServiceInput,
    pub active: bool,
}

pub fn service_update(env: &Env, req: ServiceUpdate) -> ApiResult<Service> {
    let before = find_service(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found("service", "id"))?;
    let input = &req.service;
    let name = v::required("service.name", &input.name, NAME_MAX)?;
    let unit = v::optional("service.unit", &input.unit, SHORT_MAX)?;
    let partner = check_partner_ref(env, "service.default_partner_id", &input.default_partner_id)?;
    env.tx.execute(
        "UPDATE service SET name = ?2, category = ?3, default_partner_id = ?4, unit = ?5, active = ?6, updated_at = ?7
         WHERE id = ?1",
        params![before.id, name, input.category, partner, unit, req.active, env.now()],
    )?;
    let after =
        find_service(env, &before.id)?.ok_or_else(|| ApiError::internal("service vanished"))?;
    env.audit("service", &before.id, None, Some(&before), Some(&after))?;
    Ok(after)
}

pub fn service_list(env: &Env, req: ActiveFilter) -> ApiResult<Vec<Service>> {
    let mut st = env.tx.prepare_cached(&format!(
        "SELECT {SERVICE_COLS} FROM service WHERE (?1 OR active = 1) ORDER BY category, name"
    ))?;
    let rows = st
        .query_map([req.include_inactive], Service::from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

// ---------------------------------------------------------------- settings

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Days between visits before a household counts as overdue, by priority.
    pub cadence_days: Cadence,
    /// How far ahead occurrences of recurring actions are generated.
    pub occurrence_horizon_days: u32,
    /// Minutes without use after which the desktop app locks and asks for the passphrase
    /// again (1 to 240; 15 when not given).
    #[serde(default = "default_idle_lock_minutes")]
    pub idle_lock_minutes: u32,
    /// Open cases per caseworker: the load recommended and the most a caseworker should carry
    /// (the dashboard marks caseworkers above each). 25 and 40 when not given (OpenSPP's
    /// defaults).
    #[serde(default)]
    pub caseload: Caseload,
    /// The proactive reminders on Today: which are on and how far ahead each appears.
    #[serde(default)]
    pub reminders: super::reminder::ReminderSettings,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Caseload {
    pub recommended: u32,
    pub maximum: u32,
}

impl Default for Caseload {
    fn default() -> Self {
        Caseload {
            recommended: 25,
            maximum: 40,
        }
    }
}

/// The idle lock when nobody set one.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 15;

fn default_idle_lock_minutes() -> u32 {
    DEFAULT_IDLE_LOCK_MINUTES
}

fn setting(env: &Env, key: &str, default: u32) -> ApiResult<u32> {
    let v: Option<String> = env
        .tx
        .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(default))
}

pub fn load_settings(env: &Env) -> ApiResult<Settings> {
    Ok(Settings {
        cadence_days: Cadence {
            high: setting(env, "cadence_days.high", 7)?,
            medium: setting(env, "cadence_days.medium", 30)?,
            low: setting(env, "cadence_days.low", 90)?,
        },
        occurrence_horizon_days: setting(env, "occurrence_horizon_days", 90)?,
        idle_lock_minutes: setting(env, "idle_lock_minutes", DEFAULT_IDLE_LOCK_MINUTES)?,
        caseload: Caseload {
            recommended: setting(env, "caseload.recommended", Caseload::default().recommended)?,
            maximum: setting(env, "caseload.maximum", Caseload::default().maximum)?,
        },
        reminders: {
            let d = super::reminder::ReminderSettings::default();
            let rule = |name: &str, d: super::reminder::RuleSetting| -> ApiResult<_> {
                Ok(super::reminder::RuleSetting {
                    enabled: setting(
                        env,
                        &format!("reminder.{name}.enabled"),
                        u32::from(d.enabled),
                    )? != 0,
                    lead_days: setting(env, &format!("reminder.{name}.lead_days"), d.lead_days)?,
                })
            };
            super::reminder::ReminderSettings {
                school_age: rule("school_age", d.school_age)?,
                exam: rule("exam", d.exam)?,
                action_end: rule("action_end", d.action_end)?,
                consent: rule("consent", d.consent)?,
                consent_valid_months: setting(
                    env,
                    "reminder.consent_valid_months",
                    d.consent_valid_months,
                )?,
            }
        },
    })
}

pub fn settings_get(env: &Env, _req: Empty) -> ApiResult<Settings> {
    load_settings(env)
}

pub fn settings_update(env: &Env, req: Settings) -> ApiResult<Settings> {
    for (field, value) in [
        ("cadence_days.high", req.cadence_days.high),
        ("cadence_days.medium", req.cadence_days.medium),
        ("cadence_days.low", req.cadence_days.low),
    ] {
        if !(1..=730).contains(&value) {
            return Err(ApiError::at(
                "validation.out_of_range",
                field,
                format!("{field} must be 1 to 730 days"),
            ));
        }
    }
    if !(7..=366).contains(&req.occurrence_horizon_days) {
        return Err(ApiError::at(
            "validation.out_of_range",
            "occurrence_horizon_days",
            "occurrence_horizon_days must be 7 to 366 days",
        ));
    }
    if !(1..=240).contains(&req.idle_lock_minutes) {
        return Err(ApiError::at(
            "validation.out_of_range",
            "idle_lock_minutes",
            "idle_lock_minutes must be 1 to 240 minutes",
        ));
    }
    if !(1..=500).contains(&req.caseload.recommended) {
        return Err(ApiError::at(
            "validation.out_of_range",
            "caseload.recommended",
            "caseload.recommended must be 1 to 500 households",
        ));
    }
    if !(req.caseload.recommended..=500).contains(&req.caseload.maximum) {
        return Err(ApiError::at(
            "validation.out_of_range",
            "caseload.maximum",
            "caseload.maximum must be at least the recommended load and at most 500",
        ));
    }
    req.reminders.check()?;
    let before = load_settings(env)?;
    for (key, value) in [
        ("cadence_days.high", req.cadence_days.high),
        ("cadence_days.medium", req.cadence_days.medium),
        ("cadence_days.low", req.cadence_days.low),
        ("occurrence_horizon_days", req.occurrence_horizon_days),
        ("idle_lock_minutes", req.idle_lock_minutes),
        ("caseload.recommended", req.caseload.recommended),
        ("caseload.maximum", req.caseload.maximum),
    ]
    .into_iter()
    .chain(req.reminders.entries())
    {
        env.tx.execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value.to_string()],
        )?;
    }
    let after = load_settings(env)?;
    env.audit("settings", "settings", None, Some(&before), Some(&after))?;
    Ok(after)
}
