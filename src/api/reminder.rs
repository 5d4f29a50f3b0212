//! The reminder settings: which proactive reminders are on and how far ahead each appears
//! (`reminders` in the settings). Apart from the reminder list (`reminder_list`) so that the
//! settings, which hold them, and the list, which reads the settings, do not depend on each
//! other in a circle; a leaf.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;

#[derive(
    Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct RuleSetting {
    pub enabled: bool,
    /// How many days ahead the item appears (1 to 366).
    pub lead_days: u32,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    pub school_age: RuleSetting,
    pub exam: RuleSetting,
    pub action_end: RuleSetting,
    pub consent: RuleSetting,
    /// How long a recorded consent holds before it is renewed (1 to 60 months).
    pub consent_valid_months: u32,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        let on = |lead_days| RuleSetting {
            enabled: true,
            lead_days,
        };
        ReminderSettings {
            school_age: on(120),
            exam: on(60),
            action_end: on(30),
            consent: on(30),
            consent_valid_months: 12,
        }
    }
}

impl ReminderSettings {
    /// Every setting as (key, value), for storing and checking.
    pub fn entries(&self) -> Vec<(&'static str, u32)> {
        vec![
            (
                "reminder.school_age.enabled",
                u32::from(self.school_age.enabled),
            ),
            ("reminder.school_age.lead_days", self.school_age.lead_days),
            ("reminder.exam.enabled", u32::from(self.exam.enabled)),
            ("reminder.exam.lead_days", self.exam.lead_days),
            (
                "reminder.action_end.enabled",
                u32::from(self.action_end.enabled),
            ),
            ("reminder.action_end.lead_days", self.action_end.lead_days),
            ("reminder.consent.enabled", u32::from(self.consent.enabled)),
            ("reminder.consent.lead_days", self.consent.lead_days),
            ("reminder.consent_valid_months", self.consent_valid_months),
        ]
    }

    /// Refused at the field named like the request (`reminders.exam.lead_days`).
    pub fn check(&self) -> ApiResult<()> {
        for (key, value) in self.entries() {
            let field = key.replacen("reminder.", "reminders.", 1);
            let ok = if key.ends_with(".enabled") {
                true
            } else if key.ends_with("consent_valid_months") {
                (1..=60).contains(&value)
            } else {
                (1..=366).contains(&value)
            };
            if !ok {
                return Err(ApiError::at(
                    ErrorCode::ValidationOutOfRange,
                    field.clone(),
                    format!("{field} is out of range"),
                ));
            }
        }
        Ok(())
    }
}
