//! The IPC surface of the desktop app: the only Tauri commands the UI can invoke (each also
//! granted in capabilities/default.json). They are thin: every one runs its database work on
//! the blocking pool (never the UI thread, never holding a lock across an await) through
//! [`Store`], and logs only the command's name, how long it took and its error code — never a
//! request body, a name or a note.

use std::sync::Arc;
use std::time::Instant;
use yihu::error_code::ErrorCode;

use serde_json::Value;
use tauri::{AppHandle, State};
use yihu::ApiError;
use yihu::api::ledger::{LedgerFormat, LedgerKind, LedgerRequest, LedgerWritten};

use yihu::api::reference::Candidate;
use yihu::keyring::SignInName;

use crate::store::{AppStatus, SetUp, SignedIn, Store};

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

/// Run one command of the core as the signed-in staff member: `invoke("call", {command,
/// request})`. The UI cannot choose who acts: the shell's session does. Errors are the core's
/// `{code, message, field}`, plus `auth.signed_out`, `auth.locked` (idle too long),
/// `auth.must_change_passphrase`, and `app.db_unavailable` when the database could not be
/// opened.
#[tauri::command]
pub async fn call(store: Shared<'_>, command: String, request: Value) -> Result<Value, ApiError> {
    let store = Arc::clone(&store);
    blocking(loggable(&command), move || store.call(&command, &request)).await
}

/// Whether the database is open (`state` "ready"/"error", with the `error`), its path, what
/// the window must ask first (`auth`: setup, encrypt, sign_in, signed_in), who is signed in,
/// and the app version.
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

/// First start: create the administrator (`admin`: name, division_code, phone) with their
/// passphrase, encrypt the new database and sign them in. Returns the recovery code.
#[tauri::command]
pub async fn app_setup(
    store: Shared<'_>,
    admin: Value,
    passphrase: String,
) -> Result<SetUp, ApiError> {
    let store = Arc::clone(&store);
    blocking("app_setup".into(), move || store.setup(&admin, &passphrase)).await
}

/// Fill the new database with demo data — `households` generated households (at most
/// 100,000) plus the article's two, seed 1, anchored on today's local date — and encrypt it
/// with the demo passphrase for every demo staff member.
#[tauri::command]
pub async fn app_load_demo(store: Shared<'_>, households: u32) -> Result<SetUp, ApiError> {
    let store = Arc::clone(&store);
    blocking("app_load_demo".into(), move || {
        let today = yihu::Ctx::system(None).today;
        store.load_demo(households, today)
    })
    .await
}

/// The administrators of a database from before encryption (to choose who sets it up).
#[tauri::command]
pub async fn app_admins(store: Shared<'_>) -> Result<Vec<Candidate>, ApiError> {
    let store = Arc::clone(&store);
    blocking("app_admins".into(), move || store.plain_admins()).await
}

/// Encrypt a database from before encryption: the administrator `staff_id` sets their
/// passphrase and is signed in. Returns the recovery code.
#[tauri::command(rename_all = "snake_case")]
pub async fn app_encrypt(
    store: Shared<'_>,
    staff_id: String,
    passphrase: String,
) -> Result<SetUp, ApiError> {
    let store = Arc::clone(&store);
    blocking("app_encrypt".into(), move || {
        store.encrypt_existing(&staff_id, &passphrase)
    })
    .await
}

/// Who can sign in here (names from the keyring).
#[tauri::command]
pub async fn auth_names(store: Shared<'_>) -> Result<Vec<SignInName>, ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_names".into(), move || store.sign_in_names()).await
}

/// Sign in: the passphrase unwraps the database key. `auth.wrong_passphrase` otherwise.
#[tauri::command(rename_all = "snake_case")]
pub async fn auth_sign_in(
    store: Shared<'_>,
    staff_id: String,
    passphrase: String,
) -> Result<SignedIn, ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_sign_in".into(), move || {
        store.sign_in(&staff_id, &passphrase)
    })
    .await
}

/// A forgotten passphrase: the recovery code lets the administrator `staff_id` set a new one.
#[tauri::command(rename_all = "snake_case")]
pub async fn auth_recover(
    store: Shared<'_>,
    recovery_code: String,
    staff_id: String,
    new_passphrase: String,
) -> Result<SignedIn, ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_recover".into(), move || {
        store.recover(&recovery_code, &staff_id, &new_passphrase)
    })
    .await
}

/// Lock now (sign out, or the window's idle timer).
#[tauri::command]
pub async fn auth_lock(store: Shared<'_>) -> Result<(), ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_lock".into(), move || {
        store.lock_session();
        Ok(())
    })
    .await
}

/// The person is active in the window (keeps the session from locking while they type).
#[tauri::command]
pub async fn auth_touch(store: Shared<'_>) -> Result<(), ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_touch".into(), move || store.touch()).await
}

/// Change one's own passphrase (the current one asked again).
#[tauri::command(rename_all = "snake_case")]
pub async fn auth_change_passphrase(
    store: Shared<'_>,
    current_passphrase: String,
    new_passphrase: String,
) -> Result<SignedIn, ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_change_passphrase".into(), move || {
        store.change_passphrase(&current_passphrase, &new_passphrase)
    })
    .await
}

/// An administrator sets a staff member's passphrase (to be changed at their first sign-in).
#[tauri::command(rename_all = "snake_case")]
pub async fn auth_set_passphrase(
    store: Shared<'_>,
    staff_id: String,
    passphrase: String,
) -> Result<(), ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_set_passphrase".into(), move || {
        store.set_passphrase(&staff_id, &passphrase)
    })
    .await
}

/// A new recovery code replacing the old one (administrators only), shown once.
#[tauri::command]
pub async fn auth_renew_recovery(store: Shared<'_>) -> Result<String, ApiError> {
    let store = Arc::clone(&store);
    blocking("auth_renew_recovery".into(), move || {
        store.renew_recovery_code()
    })
    .await
}

/// The Backup page: the backup folder and its backups, newest first. Administrators only.
#[tauri::command]
pub async fn backup_list(store: Shared<'_>) -> Result<crate::store::BackupList, ApiError> {
    let store = Arc::clone(&store);
    blocking("backup_list".into(), move || store.backups()).await
}

/// Back up now (checked with integrity_check) and rotate the folder. Administrators only.
#[tauri::command]
pub async fn backup_now(store: Shared<'_>) -> Result<yihu::backup::BackupInfo, ApiError> {
    let store = Arc::clone(&store);
    blocking("backup_now".into(), move || store.backup_now()).await
}

/// Export a ledger: the save dialog opens here, in the shell, so the window never names a
/// path; then the core writes the file as the signed-in person (masked unless `reveal`, and
/// audited). None when the dialog is cancelled.
#[tauri::command]
pub async fn ledger_export(
    app: AppHandle,
    store: Shared<'_>,
    request: LedgerRequest,
) -> Result<Option<LedgerWritten>, ApiError> {
    use tauri_plugin_dialog::DialogExt;
    let store = Arc::clone(&store);
    blocking("ledger_export".into(), move || {
        store.require_signed_in()?;
        let stem = match request.kind {
            LedgerKind::Households => "家庭台账",
            LedgerKind::Deliveries => "服务记录",
            LedgerKind::Summary => "汇总表",
        };
        let (ext, filter) = match request.format {
            LedgerFormat::Xlsx => ("xlsx", "Excel"),
            LedgerFormat::Csv => ("csv", "CSV (UTF-8)"),
        };
        let name = format!("{stem}-{}.{ext}", chrono::Local::now().format("%Y%m%d"));
        let Some(path) = app
            .dialog()
            .file()
            .set_title("导出台账 — Export ledger")
            .set_file_name(&name)
            .add_filter(filter, &[ext])
            .blocking_save_file()
        else {
            return Ok(None);
        };
        let path = path.into_path().map_err(|e| {
            ApiError::at(
                ErrorCode::ExportWriteFailed,
                "out",
                format!("not a file path: {e}"),
            )
        })?;
        store.export_ledger(request, path).map(Some)
    })
    .await
}

/// Replace the database with the backup `name` of the backup folder, after checking it and
/// backing up the current content. Administrators only. A backup made before a key rotation
/// (`old_keyring` in the list) needs `passphrase`: the administrator's own when it was made.
#[tauri::command]
pub async fn backup_restore(
    store: Shared<'_>,
    name: String,
    passphrase: Option<String>,
) -> Result<Value, ApiError> {
    let store = Arc::clone(&store);
    blocking("backup_restore".into(), move || {
        store.restore(&name, passphrase.as_deref())
    })
    .await
}
