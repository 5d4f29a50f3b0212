// Generated from the #[tauri::command] functions of src-tauri/src/commands.rs (the
// shell's test writes it with YIHU_WRITE_BINDINGS=1); do not edit by hand.

/** The desktop shell's IPC commands: the only names the window can invoke. */
export type ShellCommand =
  | "app_admins"
  | "app_encrypt"
  | "app_load_demo"
  | "app_retry_open"
  | "app_setup"
  | "app_status"
  | "auth_change_passphrase"
  | "auth_lock"
  | "auth_names"
  | "auth_recover"
  | "auth_renew_recovery"
  | "auth_set_passphrase"
  | "auth_sign_in"
  | "auth_touch"
  | "backup_list"
  | "backup_now"
  | "backup_restore"
  | "call"
  | "ledger_export";

/** The event carrying a key rotation's progress (a `Progress`). */
export const KEY_ROTATION_EVENT = "key-rotation";
