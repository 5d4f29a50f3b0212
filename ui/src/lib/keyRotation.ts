// A key rotation's progress (the shell's `key-rotation` events) as the window shows it: which
// step, and the share of the copy done. Kept apart from the component so it is tested alone.
import type { Progress } from "./bindings/Progress";

export type { Progress };

/** Whole percent of the copy written (0–100); null while no size is known or after the copy
 * (checking and sealing have no measure: the bar then shows as busy). */
export function percent(p: Progress): number | null {
  if (p.step !== "copying" || p.total_bytes <= 0) return null;
  return Math.min(100, Math.max(0, Math.floor((p.done_bytes * 100) / p.total_bytes)));
}

/** Whether the window should show the rotation (every step but the last). */
export function showing(p: Progress | null): boolean {
  return p !== null && p.step !== "done";
}
