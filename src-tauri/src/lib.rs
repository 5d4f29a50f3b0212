//! Yihu's desktop shell (Tauri 2): one window showing the UI from `ui/dist`, the IPC commands
//! that hand the UI's requests to the core (`yihu::api::dispatch`), and the OS integration
//! (one instance, remembered window size, file dialogs, a log file). No business rules live
//! here: the core decides everything and the UI shows it.

mod commands;
mod logging;
pub mod store;

use std::sync::Arc;

use tauri::Manager;

use crate::store::Store;

/// Start the app. The database (`YIHU_DB`, else the OS data folder) is opened in the
/// background as the window loads; the UI asks `app_status` for the outcome.
pub fn run() {
    let store = Arc::new(Store::new(yihu::db::default_path()));
    let result = tauri::Builder::default()
        // Registered first, as the plugin asks: a second launch focuses the running window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .manage(Arc::clone(&store))
        .setup(move |app| {
            match app.path().app_log_dir() {
                Ok(dir) => logging::init(&dir),
                Err(e) => eprintln!("yihu: no log folder: {e}"),
            }
            tracing::info!(
                version = %app.package_info().version,
                db = %store.path().display(),
                "starting"
            );
            let store = Arc::clone(&store);
            // Open the database, then back it up (at start, and again whenever the newest
            // backup is a day old while the app runs). Backups log only time and size.
            std::thread::spawn(move || {
                match store.ensure_open(false) {
                    Ok(()) => tracing::info!("database ready"),
                    Err(e) => {
                        tracing::warn!(code = %e.code, "database not opened");
                        return;
                    }
                }
                // At start unless one was made within the hour (several launches a day make
                // one), then whenever the newest is a day old. An encrypted database is open
                // only after the first sign-in: until then, look again every half minute.
                let mut max_age = chrono::Duration::hours(1);
                loop {
                    let started = std::time::Instant::now();
                    let wait = match store.auto_backup(max_age) {
                        Ok(Some(b)) => {
                            tracing::info!(
                                ms = started.elapsed().as_millis() as u64,
                                bytes = b.bytes,
                                "backup made"
                            );
                            max_age = chrono::Duration::hours(24);
                            3600
                        }
                        Ok(None) if store.is_open() => {
                            max_age = chrono::Duration::hours(24);
                            3600
                        }
                        Ok(None) => 30,
                        Err(e) => {
                            tracing::warn!(code = %e.code, "backup failed");
                            3600
                        }
                    };
                    std::thread::sleep(std::time::Duration::from_secs(wait));
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::call,
            commands::app_status,
            commands::app_retry_open,
            commands::app_setup,
            commands::app_load_demo,
            commands::app_admins,
            commands::app_encrypt,
            commands::auth_names,
            commands::auth_sign_in,
            commands::auth_recover,
            commands::auth_lock,
            commands::auth_touch,
            commands::auth_change_passphrase,
            commands::auth_set_passphrase,
            commands::auth_renew_recovery,
            commands::backup_list,
            commands::backup_now,
            commands::backup_restore,
            commands::ledger_export,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!("the app stopped: {e}");
        eprintln!("yihu: the app stopped: {e}");
        std::process::exit(1);
    }
}
