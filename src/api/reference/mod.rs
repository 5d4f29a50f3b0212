//! Reference data every case refers to: administrative divisions, staff, partner
//! organisations, the service menu and the tunable follow-up settings, one module each; their
//! items are re-exported here, so the rest of the core names them `reference::X`. This file
//! holds only the small request shapes they share.

use serde::Deserialize;
use uuid::Uuid;

mod division;
mod partner;
mod service;
mod settings;
mod staff;

pub use division::*;
pub use partner::*;
pub use service::*;
pub use settings::*;
pub use staff::*;

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ById {
    pub id: Uuid,
}

#[derive(Debug, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveFilter {
    #[serde(default)]
    pub include_inactive: bool,
}
