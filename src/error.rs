//! The one error shape that crosses every boundary (CLI, IPC, tests): a stable machine `code`,
//! an English `message` for logs and the CLI, and the `field` it concerns. The UI branches on
//! the code and shows its own translated text; it never shows a raw Rust error.

use serde::{Deserialize, Serialize};

use crate::error_code::ErrorCode;

#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    thiserror::Error,
    ts_rs::TS,
    schemars::JsonSchema,
)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn at(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// An id that names no row (`code` is one of the `not_found.<entity>` codes).
    pub fn not_found(code: ErrorCode, field: &str) -> Self {
        let entity = code.entity().unwrap_or("record");
        ApiError::at(code, field, format!("no {entity} with this id"))
    }

    /// A state change the life cycle does not allow (`code` is one of the
    /// `<entity>.transition.invalid` codes).
    pub fn transition(code: ErrorCode, from: &str, to: &str) -> Self {
        let entity = code.as_str().split('.').next().unwrap_or("record");
        ApiError::at(
            code,
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
        ApiError::new(ErrorCode::AuthForbidden, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Internal, message)
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
        use rusqlite::ErrorCode as Sqlite;
        match e.sqlite_error_code() {
            Some(Sqlite::DatabaseBusy) | Some(Sqlite::DatabaseLocked) => ApiError::new(
                ErrorCode::DbBusy,
                "the database is busy (another program is writing); try again",
            ),
            Some(Sqlite::ConstraintViolation) => ApiError::new(
                ErrorCode::DbConstraint,
                format!("a database rule refused the change: {e}"),
            ),
            Some(Sqlite::ReadOnly) => {
                ApiError::new(ErrorCode::DbReadOnly, "the database is read-only")
            }
            Some(Sqlite::DiskFull) => ApiError::new(ErrorCode::DbDiskFull, "the disk is full"),
            Some(Sqlite::NotADatabase) | Some(Sqlite::DatabaseCorrupt) => ApiError::new(
                ErrorCode::DbDamaged,
                "the database file is damaged or not a Yihu database",
            ),
            _ => ApiError::new(ErrorCode::DbError, format!("database error: {e}")),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(format!("serialisation failed: {e}"))
    }
}
