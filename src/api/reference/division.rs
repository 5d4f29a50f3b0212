//! Administrative divisions: the province-to-village tree every household and staff member is placed in, looked up, searched and (for villages) added to.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::api::Env;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::Level;
use crate::validate::{self as v, NAME_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
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
    find_division(env, &code)?
        .ok_or_else(|| ApiError::not_found(ErrorCode::NotFoundDivision, field))
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DivisionGet {
    pub code: String,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct DivisionWithPath {
    pub division: Division,
    pub path: Vec<Division>,
}

pub fn division_get(env: &Env, req: DivisionGet) -> ApiResult<DivisionWithPath> {
    let division = require_division(env, "code", &req.code)?;
    let path = division_path(env, &division.code)?;
    Ok(DivisionWithPath { division, path })
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DivisionSearch {
    pub q: String,
    /// Only divisions under this code.
    #[serde(default)]
    pub under: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
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

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
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
            ErrorCode::ValidationDivisionLevel,
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
            ErrorCode::DivisionNameDuplicate,
            "name",
            "this township already has a division of that name",
        ));
    }
    let code = match req.code {
        Some(c) => {
            let c = v::division_code("code", &c)?;
            if c.len() != 12 || !c.starts_with(&township.code) {
                return Err(ApiError::at(
                    ErrorCode::ValidationDivisionCodeParent,
                    "code",
                    "a village code has 12 digits and starts with its township's code",
                ));
            }
            if find_division(env, &c)?.is_some() {
                return Err(ApiError::at(
                    ErrorCode::DivisionCodeDuplicate,
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
                    ErrorCode::DivisionCodeExhausted,
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
