// The typed client of the core's command surface. Every screen goes through `call`, which the
// Tauri shell hands to `yihu::api::dispatch`; request and response types are generated from Rust
// (bindings/commands.ts), so the UI and the core cannot disagree on a shape.
import { invoke } from "@tauri-apps/api/core";
import type { ApiError, CommandName, Commands } from "./bindings/commands";
import type { AppStatus } from "./bindings/AppStatus";
import type { BackupInfo } from "./bindings/BackupInfo";
import type { BackupList } from "./bindings/BackupList";
import type { Candidate } from "./bindings/Candidate";
import type { SetUp } from "./bindings/SetUp";
import type { SignedIn } from "./bindings/SignedIn";
import type { SignInName } from "./bindings/SignInName";
import type { LedgerRequest } from "./bindings/LedgerRequest";
import type { LedgerWritten } from "./bindings/LedgerWritten";
import type { ShellCommand } from "./shell-commands";
import type { Staff } from "./bindings/Staff";

export type { AppStatus, BackupInfo, BackupList, SetUp, SignedIn, SignInName };

/** An error from the core (or the shell), carrying its stable code and the field it concerns. */
export class CommandError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(e: ApiError) {
    super(e.message);
    this.code = e.code;
    this.field = e.field;
  }
}

/** Anything thrown (an error from the shell, or a plain exception) as a CommandError. */
export function toCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  if (e && typeof e === "object" && "code" in e && typeof (e as ApiError).code === "string") {
    const a = e as ApiError;
    return new CommandError({ code: a.code, message: String(a.message ?? ""), field: a.field ?? undefined });
  }
  return new CommandError({ code: "app.ipc", message: String(e) });
}

/** Codes that mean the session ended (idle lock, or nobody signed in): the window then
 * shows the sign-in screen. */
export const SESSION_ENDED = new Set(["auth.locked", "auth.signed_out"]);
let onSessionEnded: (() => void) | null = null;

/** What to do when a command finds the session ended (set once by the window). */
export function whenSessionEnds(f: () => void) {
  onSessionEnded = f;
}

/** Invoke a shell command, turning any failure into a CommandError (and noticing the end of
 * the session). */
async function shell<T>(name: ShellCommand, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(name, args);
  } catch (e) {
    const err = toCommandError(e);
    if (SESSION_ENDED.has(err.code)) onSessionEnded?.();
    throw err;
  }
}

/** Run one command of the core. The shell runs it as the signed-in person: the UI cannot
 * say who acts. */
export async function call<K extends CommandName>(
  command: K,
  request: Commands[K]["request"],
): Promise<Commands[K]["response"]> {
  return await shell<Commands[K]["response"]>("call", { command, request });
}

export const auth = {
  names: () => shell<SignInName[]>("auth_names"),
  signIn: (staff_id: string, passphrase: string) => shell<SignedIn>("auth_sign_in", { staff_id, passphrase }),
  recover: (recovery_code: string, staff_id: string, new_passphrase: string) =>
    shell<SignedIn>("auth_recover", { recovery_code, staff_id, new_passphrase }),
  lock: () => shell<void>("auth_lock"),
  touch: () => shell<void>("auth_touch"),
  changePassphrase: (current_passphrase: string, new_passphrase: string) =>
    shell<SignedIn>("auth_change_passphrase", { current_passphrase, new_passphrase }),
  setPassphrase: (staff_id: string, passphrase: string) => shell<void>("auth_set_passphrase", { staff_id, passphrase }),
  renewRecovery: () => shell<string>("auth_renew_recovery"),
  setup: (admin: { name: string; division_code: string; phone: string | null }, passphrase: string) =>
    shell<SetUp>("app_setup", { admin, passphrase }),
  admins: () => shell<Candidate[]>("app_admins"),
  encrypt: (staff_id: string, passphrase: string) => shell<SetUp>("app_encrypt", { staff_id, passphrase }),
};

export async function appStatus(): Promise<AppStatus> {
  return await invoke<AppStatus>("app_status" satisfies ShellCommand);
}

export async function retryOpen(): Promise<AppStatus> {
  return await invoke<AppStatus>("app_retry_open" satisfies ShellCommand);
}

export async function loadDemo(households: number): Promise<SetUp> {
  return await shell<SetUp>("app_load_demo", { households });
}

/** The backup folder and its backups, newest first (administrators only). */
export async function backupList(): Promise<BackupList> {
  return await shell<BackupList>("backup_list");
}

/** Back up now (administrators only). */
export async function backupNow(): Promise<BackupInfo> {
  return await shell<BackupInfo>("backup_now");
}

/** Replace the database with the named backup (administrators only). */
export async function backupRestore(name: string, passphrase?: string): Promise<unknown> {
  return await shell("backup_restore", passphrase === undefined ? { name } : { name, passphrase });
}

/** Export a ledger (家庭台账, 服务记录, 汇总表) of an area. The shell asks where to save it with
 * the system's save dialog (the window never names a path), then the core writes it as the
 * signed-in person, masked unless `reveal`, and records the export. Null when the person
 * cancels the dialog. */
export async function exportLedger(request: LedgerRequest): Promise<LedgerWritten | null> {
  return await shell<LedgerWritten | null>("ledger_export", { request });
}

/** The staff who may carry cases: caseworkers, and supervisors who carry cases too (a
 *  township chair both carries and reviews — never her own plans; the core refuses that). */
export async function caseCarriers(): Promise<Staff[]> {
  const all = await call("staff.list", { role: null, division_code: null, include_inactive: false });
  return all.filter((s) => s.role !== "admin");
}
