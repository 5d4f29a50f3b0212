// The one mapping from a status to its colour, so a status looks the same on every screen.
export type Tone = "neutral" | "info" | "good" | "warn" | "bad";

const TONES: Record<string, Tone> = {
  // household
  referred: "neutral",
  assessing: "info",
  active: "good",
  monitoring: "info",
  closed: "neutral",
  // priority
  high: "bad",
  medium: "warn",
  low: "neutral",
  // needs
  open: "warn",
  in_progress: "info",
  met: "good",
  unmet: "bad",
  withdrawn: "neutral",
  // plans
  draft: "neutral",
  submitted: "info",
  approved: "good",
  returned: "bad",
  superseded: "neutral",
  // actions, occurrences, visits
  planned: "neutral",
  completed: "good",
  cancelled: "neutral",
  due: "warn",
  done: "good",
  missed: "bad",
  skipped: "neutral",
  scheduled: "info",
  not_at_home: "warn",
  overdue: "bad",
  // campaign lines
  pending: "info",
  not_done: "bad",
};

export function tone(value: string): Tone {
  return TONES[value] ?? "neutral";
}
