//! The tunable follow-up settings: visit cadence per priority, occurrence horizon, idle lock and caseload.

use crate::api::patch::patchable;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::*;
use crate::api::Env;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

patchable! {
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings / SettingsPatch {
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
    pub reminders: crate::api::reminder::ReminderSettings,
}
}

#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, PartialEq, ts_rs::TS, schemars::JsonSchema,
)]
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
            let d = crate::api::reminder::ReminderSettings::default();
            let rule = |name: &str, d: crate::api::reminder::RuleSetting| -> ApiResult<_> {
                Ok(crate::api::reminder::RuleSetting {
                    enabled: setting(
                        env,
                        &format!("reminder.{name}.enabled"),
                        u32::from(d.enabled),
                    )? != 0,
                    lead_days: setting(env, &format!("reminder.{name}.lead_days"), d.lead_days)?,
                })
            };
            crate::api::reminder::ReminderSettings {
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

/// Change the settings the request names (a whole group each: `cadence_days`, `caseload`,
/// `reminders`); the others stay as they are.
pub fn settings_update(env: &Env, patch: SettingsPatch) -> ApiResult<Settings> {
    let req = patch.apply(load_settings(env)?);
    for (field, value) in [
        ("cadence_days.high", req.cadence_days.high),
        ("cadence_days.medium", req.cadence_days.medium),
        ("cadence_days.low", req.cadence_days.low),
    ] {
        if !(1..=730).contains(&value) {
            return Err(ApiError::at(
                ErrorCode::ValidationOutOfRange,
                field,
                format!("{field} must be 1 to 730 days"),
            ));
        }
    }
    if !(7..=366).contains(&req.occurrence_horizon_days) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "occurrence_horizon_days",
            "occurrence_horizon_days must be 7 to 366 days",
        ));
    }
    if !(1..=240).contains(&req.idle_lock_minutes) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "idle_lock_minutes",
            "idle_lock_minutes must be 1 to 240 minutes",
        ));
    }
    if !(1..=500).contains(&req.caseload.recommended) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "caseload.recommended",
            "caseload.recommended must be 1 to 500 households",
        ));
    }
    if !(req.caseload.recommended..=500).contains(&req.caseload.maximum) {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
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
