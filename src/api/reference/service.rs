//! The service menu: the standard actions a plan picks from, each with its category and usual partner.

use crate::api::patch::patchable;
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::api::Env;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::NeedCategory;
use crate::validate::{self as v, NAME_MAX, SHORT_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub category: NeedCategory,
    pub default_partner_id: Option<String>,
    pub unit: Option<String>,
    pub active: bool,
    /// A delivery of it is done at the household and counts as in-person contact for the visit
    /// cadence, as a visit does (e.g. a volunteer's weekly home care).
    pub counts_as_contact: bool,
}

/// Whether a service of this category counts as contact when nothing is said: the services
/// done in the home.
pub fn contact_by_default(category: NeedCategory) -> bool {
    matches!(
        category,
        NeedCategory::DailyCare
            | NeedCategory::Psychological
            | NeedCategory::FamilyEducation
            | NeedCategory::HealthHygiene
            | NeedCategory::Guardianship
    )
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
            counts_as_contact: r.get(6)?,
        })
    }
}

const SERVICE_COLS: &str =
    "id, name, category, default_partner_id, unit, active, counts_as_contact";

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

patchable! {
#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput / ServicePatch {
    pub name: String,
    pub category: NeedCategory,
    #[serde(default)]
    pub default_partner_id: Option<Uuid>,
    #[serde(default)]
    pub unit: Option<String>,
    /// Whether a delivery counts as in-person contact (see [`Service::counts_as_contact`]);
    /// left out or null: yes for services done in the home (daily care, psychological
    /// support, family education, health and hygiene, guardianship), no for the others.
    #[serde(default)]
    pub counts_as_contact: Option<bool>,
}
}

fn check_partner_ref(env: &Env, field: &str, id: &Option<Uuid>) -> ApiResult<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => Ok(Some(
            find_partner(env, &id.to_string())?
                .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundPartner, field))?
                .id,
        )),
    }
}

pub fn service_create(env: &Env, req: ServiceInput) -> ApiResult<Service> {
    let name = v::required("name", &req.name, NAME_MAX)?;
    let unit = v::optional("unit", &req.unit, SHORT_MAX)?;
    let partner = check_partner_ref(env, "default_partner_id", &req.default_partner_id)?;
    let contact = req
        .counts_as_contact
        .unwrap_or_else(|| contact_by_default(req.category));
    let id = env.new_id();
    env.tx.execute(
        "INSERT INTO service(id, name, category, default_partner_id, unit, active, created_at, updated_at,
            counts_as_contact)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6, ?7)",
        params![id, name, req.category, partner, unit, env.now(), contact],
    )?;
    let s = find_service(env, &id)?.ok_or_else(|| ApiError::internal("service vanished"))?;
    env.audit::<(), _>("service", &id, None, None, Some(&s))?;
    Ok(s)
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceUpdate {
    pub id: Uuid,
    /// The fields to change (left out: none); the others stay as they are.
    #[serde(default)]
    #[ts(optional)]
    pub service: Option<ServicePatch>,
    /// Left out: unchanged.
    #[serde(default, deserialize_with = "crate::api::patch::present")]
    #[ts(optional)]
    pub active: Option<bool>,
}

pub fn service_update(env: &Env, req: ServiceUpdate) -> ApiResult<Service> {
    let before = find_service(env, &req.id.to_string())?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundService, "id"))?;
    let input = &req.service.unwrap_or_default().apply(ServiceInput {
        name: before.name.clone(),
        category: before.category,
        default_partner_id: before
            .default_partner_id
            .as_deref()
            .and_then(|p| Uuid::parse_str(p).ok()),
        unit: before.unit.clone(),
        counts_as_contact: Some(before.counts_as_contact),
    });
    let active = req.active.unwrap_or(before.active);
    let name = v::required("service.name", &input.name, NAME_MAX)?;
    let unit = v::optional("service.unit", &input.unit, SHORT_MAX)?;
    let partner = check_partner_ref(env, "service.default_partner_id", &input.default_partner_id)?;
    let contact = input
        .counts_as_contact
        .unwrap_or_else(|| contact_by_default(input.category));
    env.tx.execute(
        "UPDATE service SET name = ?2, category = ?3, default_partner_id = ?4, unit = ?5, active = ?6, updated_at = ?7,
            counts_as_contact = ?8
         WHERE id = ?1",
        params![before.id, name, input.category, partner, unit, active, env.now(), contact],
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
