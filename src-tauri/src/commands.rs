//! The IPC surface of the desktop app: the only Tauri commands the UI can invoke (each also
//! granted in capabilities/default.json). They are thin: every one runs its database work on
//! the blocking pool (never the UI thread, never holding a lock across an await) through
//! [`Store`], and logs only the command's name, how long it took and its error code — never a
//! request body, a name or a note.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use tauri::{AppHandle, State};
use yihu::ApiError;

use crate::store::{AppStatus, Store};

type Shared<'a> = State<'a, Arc<Store>>;

/// Run `work` on the blocking pool and log its outcome under `name`.
async fn blocking<T: Send + 'static>(
    name: String,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let started = Instant::now();
    let result = tauri::async_runtime::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::internal(format!(
                "the command did not finish: {e}"
            )))
        });
    let ms = started.elapsed().as_millis() as u64;
    match &result {
        Ok(_) => tracing::info!(command = %name, ms, "ok"),
        Err(e) => tracing::warn!(command = %name, ms, code = %e.code, "refused"),
    }
    result
}

/// The name to log for a command the UI sent: known names as they are, anything else as
/// `?` (the text could be anything, and the log keeps no text from the user).
fn loggable(command: &str) -> String {
    if yihu::commands().iter().any(|c| c.name == command) {
        format!("call {command}")
    } else {
        "call ?".to_string()
    }
}

fn version(app: &AppHandle) -> String {
    app.package_info().version.to_string()
}

/// Run one command of the core: `invoke("call", {command, request, actor})`. `actor` is the
/// signed-in staff member's id, or null. Errors are the core's `{code, message, field}`, plus
/// `request.field.type` (field `actor`) for a malformed actor and `app.db_unavailable` when the
/// database could not be opened.
#[tauri::command]
pub async fn call(
    store: Shared<'_>,
    command: String,
    request: Value,
    actor: Option<String>,
) -> Result<Value, ApiError> {
    let store = Arc::clone(&store);
    blocking(loggable(&command), move || {
        store.call(&command, &request, actor.as_deref())
    })
    .await
}

/// Whether the database is open (`state` "ready"/"error", with the `error`), its path,
/// whether it is empty (no staff yet: first start) and the app version.
#[tauri::command]
pub async fn app_status(app: AppHandle, store: Shared<'_>) -> Result<AppStatus, ApiError> {
    let store = Arc::clone(&store);
    let version = version(&app);
    blocking("app_status".into(), move || Ok(store.status(&version))).await
}

/// Try opening the database again (after the user closed the program that held it).
#[tauri::command]
pub async fn app_retry_open(app: AppHandle, store: Shared<'_>) -> Result<AppStatus, ApiError> {
    let store = Arc::clone(&store);
    let version = version(&app);
    blocking("app_retry_open".into(), move || {
        Ok(store.retry_open(&version))
    })
    .await
}

/// Fill the (empty) database with demo data: `households` generated households (at most
/// 100,000) plus the article's two, seed 1, anchored on today's local date. Returns the
/// demo summary (staff ids to sign in as, case numbers, counts).
#[tauri::command]
pub async fn app_load_demo(store: Shared<'_>, households: u32) -> Result<Value, ApiError> {
    let store = Arc::clone(&store);
    blocking("app_load_demo".into(), move || {
        let today = yihu::Ctx::system(None).today;
        store.load_demo(households, today)
    })
    .await
}

/// The Backup page: the backup folder and its backups, newest first. Administrators only
/// (`auth.forbidden` otherwise).
#[tauri::command]
pub async fn backup_list(
    store: Shared<'_>,
    actor: Option<String>,
) -> Result<crate::store::BackupList, ApiError> {
    let store = Arc::clone(&store);
    blocking("backup_list".into(), move || {
        store.backups(actor.as_deref())
    })
    .await
}

/// Back up now (checked with integrity_check) and rotate the folder. Administrators only.
#[tauri::command]
pub async fn backup_now(
    store: Shared<'_>,
    actor: Option<String>,
) -> Result<yihu::backup::BackupInfo, ApiError> {
    let store = Arc::clone(&store);
    blocking("backup_now".into(), move || {
        store.backup_now(actor.as_deref())
    })
    .await
}

/// Replace the database with the backup `name` of the backup folder, after checking it and
/// backing up the current content. Administrators only.
#[tauri::command]
pub async fn backup_restore(
    store: Shared<'_>,
    actor: Option<String>,
    name: String,
) -> Result<Value, ApiError> {
    let store = Arc::clone(&store);
    blocking("backup_restore".into(), move || {
        store.restore(actor.as_deref(), &name)
    })
    .await
}
