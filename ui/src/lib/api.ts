// The typed client of the core's command surface. Every screen goes through `call`, which the
// Tauri shell hands to `yihu::api::dispatch`; request and response types are generated from Rust
// (bindings/commands.ts), so the UI and the core cannot disagree on a shape.
import { invoke } from "@tauri-apps/api/core";
import type { ApiError, CommandName, Commands } from "./bindings/commands";
import { session } from "./session.svelte";

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

/** Run one command of the core as the person working at this computer. */
export async function call<K extends CommandName>(
  command: K,
  request: Commands[K]["request"],
): Promise<Commands[K]["response"]> {
  try {
    return await invoke<Commands[K]["response"]>("call", {
      command,
      request,
      actor: session.staff?.id ?? null,
    });
  } catch (e) {
    throw toCommandError(e);
  }
}

export interface AppStatus {
  state: "ready" | "error";
  db_path: string;
  error: ApiError | null;
  empty: boolean;
  version: string;
}

export async function appStatus(): Promise<AppStatus> {
  return await invoke<AppStatus>("app_status");
}

export async function retryOpen(): Promise<AppStatus> {
  return await invoke<AppStatus>("app_retry_open");
}

export async function loadDemo(households: number): Promise<unknown> {
  try {
    return await invoke("app_load_demo", { households });
  } catch (e) {
    throw toCommandError(e);
  }
}

/** One backup file (from the shell's backup folder). */
export interface BackupInfo {
  name: string;
  path: string;
  created_at: string;
  bytes: number;
}

export interface BackupList {
  dir: string;
  backups: BackupInfo[];
}

/** The backup folder and its backups, newest first (administrators only). */
export async function backupList(): Promise<BackupList> {
  try {
    return await invoke<BackupList>("backup_list", { actor: session.staff?.id ?? null });
  } catch (e) {
    throw toCommandError(e);
  }
}

/** Back up now (administrators only). */
export async function backupNow(): Promise<BackupInfo> {
  try {
    return await invoke<BackupInfo>("backup_now", { actor: session.staff?.id ?? null });
  } catch (e) {
    throw toCommandError(e);
  }
}

/** Replace the database with the named backup (administrators only). */
export async function backupRestore(name: string): Promise<unknown> {
  try {
    return await invoke("backup_restore", { actor: session.staff?.id ?? null, name });
  } catch (e) {
    throw toCommandError(e);
  }
}
