// Matching the core's errors to the fields of a form. The core names the field by its JSON path
// (`member.id_number`, `action.recurrence.interval`); a form asks for the message at its field.
import { CommandError, toCommandError } from "./api";
import { errorText } from "./i18n/index.svelte";

/** The translated error for `path` if `err` concerns that field (or a part of it). */
export function errorAt(err: CommandError | null, ...paths: string[]): string | null {
  if (!err?.field) return null;
  const f = err.field;
  for (const p of paths) {
    if (f === p || f.startsWith(p + ".") || f.startsWith(p + "[") || f.endsWith("." + p)) return errorText(err.code);
  }
  return null;
}

/** Turns anything thrown into a CommandError (caught around `call`, which already throws one). */
export const asCommandError = toCommandError;
