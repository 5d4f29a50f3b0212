//! The one error shape that crosses every boundary (CLI, IPC, tests): a stable machine `code`,
//! an English `message` for logs and the CLI, and the `field` it concerns. The UI branches on
//! the code and shows its own translated text; it never shows a raw Rust error.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: code.into(),
            message: message.into(),
            field: None,
        }
    }

    pub fn at(
        code: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            code: code.into(),
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// An id that names no row of `entity` (e.g. `not_found.household`).
    pub fn not_found(entity: &str, field: &str) -> Self {
        ApiError::at(
            format!("not_found.{entity}"),
            field,
            format!("no {entity} with this id"),
        )
    }

    /// A state change the life cycle does not allow (e.g. `plan.transition.invalid`).
    pub fn transition(entity: &str, from: &str, to: &str) -> Self {
        ApiError::at(
            format!("{entity}.transition.invalid"),
            "to",
            format!("a {entity} cannot go from {from} to {to}"),
        )
    }

    /// Re-root the field under a request path prefix (e.g. `member.` for `member.update`).
    pub fn under(mut self, prefix: &str) -> Self {
        if let Some(f) = &self.field {
            self.field = Some(format!("{prefix}{f}"));
        }
        self
    }

    /// The same error, said of another request field.
    pub fn with_field(mut self, field: &str) -> Self {
        if self.field.is_some() {
            self.field = Some(field.to_string());
        }
        self
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new("auth.forbidden", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new("internal", message)
    }
}

impl From<rusqlite::types::FromSqlError> for ApiError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        ApiError::from(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Null,
            Box::new(e),
        ))
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => ApiError::new(
                "db.busy",
                "the database is busy (another program is writing); try again",
            ),
            Some(ErrorCode::ConstraintViolation) => ApiError::new(
                "db.constraint",
                format!("a database rule refused the change: {e}"),
            ),
            Some(ErrorCode::ReadOnly) => ApiError::new("db.read_only", "the database is read-only"),
            Some(ErrorCode::DiskFull) => ApiError::new("db.disk_full", "the disk is full"),
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => ApiError::new(
                "db.damaged",
                "the database file is damaged or not a Yihu database",
            ),
            _ => ApiError::new("db.error", format!("database error: {e}")),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(format!("serialisation failed: {e}"))
    }
}
