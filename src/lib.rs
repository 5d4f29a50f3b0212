//! Yihu (一户一策): the core of a local-first case-management tool for household-level social
//! aid. It knows nothing of Tauri, IPC or the UI: it is the domain, its rules, the SQLite store
//! and the one command surface ([`api::dispatch`]) that every front end goes through.

pub mod account;
pub mod api;
pub mod audit_chain;
pub mod backup;
pub mod check;
pub mod ctx;
pub mod db;
pub mod demo;

pub mod error;
pub mod error_code;
pub mod festival;
pub mod idcard;
pub mod keyring;
pub mod labels;
pub mod private_file;
pub mod progress;
pub mod recurrence;
pub mod schedule;
pub mod school_calendar;
pub mod search_terms;
pub mod throttle;
pub mod types;
pub mod validate;
pub mod vault;

pub use api::{commands, dispatch};
pub use ctx::Ctx;
pub use error::{ApiError, ApiResult};
pub use error_code::ErrorCode;
