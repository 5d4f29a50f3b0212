//! Build script of the desktop shell: tauri-build reads tauri.conf.json and the capabilities,
//! and generates the `allow-<command>` permissions of the app's own IPC commands (the
//! capability in capabilities/default.json then grants exactly those).

fn main() {
    // generate_context! embeds ui/dist only when the crate recompiles: make a rebuilt UI
    // recompile it. (Only with custom-protocol; a dev build loads devUrl and embeds nothing.)
    if std::env::var_os("CARGO_FEATURE_CUSTOM_PROTOCOL").is_some() {
        let dist = std::path::Path::new("../ui/dist");
        if dist.exists() {
            println!("cargo:rerun-if-changed=../ui/dist");
        }
    }
    let commands: &[&str] = &[
        "call",
        "app_status",
        "app_retry_open",
        "app_setup",
        "app_load_demo",
        "app_admins",
        "app_encrypt",
        "auth_names",
        "auth_sign_in",
        "auth_recover",
        "auth_lock",
        "auth_touch",
        "auth_change_passphrase",
        "auth_set_passphrase",
        "auth_renew_recovery",
        "backup_list",
        "backup_now",
        "backup_restore",
        "ledger_export",
    ];
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo:warning=tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
