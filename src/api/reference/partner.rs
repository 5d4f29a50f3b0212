//! Partners: the hospitals, enterprises, schools and volunteer teams that deliver actions.

use crate::api::patch::patchable;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::api::Env;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::PartnerKind;
use crate::validate::{self as v, ADDRESS_MAX, NAME_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
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

patchable! {
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput / PartnerPatch {
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerUpdate {
    pub id: Uuid,
    /// The fields to change (left out: none); the others stay as they are.
    #[serde(default)]
    #[ts(optional)]
    pub partner: Option<PartnerPatch>,
    /// Left out: unchanged.
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[ts(optional)]
    pub active: Option<bool>,
}

pub fn partner_update(env: &Env, req: PartnerUpdate) -> ApiResult<Partner> {
    let before = find_partner(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundPartner, "id"))?;
    let input = req.partner.unwrap_or_default().apply(PartnerInput {
        name: before.name.clone(),
        kind: before.kind,
        contact_name: before.contact_name.clone(),
        phone: before.phone.clone(),
        address: before.address.clone(),
        division_code: before.division_code.clone(),
    });
    let active = req.active.unwrap_or(before.active);
    let c = clean_partner(env, "partner.", &input)?;
    env.tx.execute(
        "UPDATE partner SET name = ?2, kind = ?3, contact_name = ?4, phone = ?5, address = ?6, division_code = ?7,
         active = ?8, updated_at = ?9 WHERE id = ?1",
        params![before.id, c.name, input.kind, c.contact_name, c.phone, c.address, c.division_code, active, env.now()],
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
