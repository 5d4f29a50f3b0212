// Small pure helpers for forms: money typed in yuan kept in fen, dates as ISO strings.

/** Parses yuan typed by a person ("500", "1,000.5", "￥80") into fen; null for empty; NaN if invalid. */
export function yuanToFen(text: string): number | null {
  const s = text.replace(/[,，\s¥￥]/g, "");
  if (s === "") return null;
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return Number.NaN;
  const [whole, frac = ""] = s.replace("-", "").split(".");
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return s.startsWith("-") ? -fen : fen;
}

/** Fen as the yuan a person would type back ("500", "12.50"). */
export function fenToYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return "";
  return fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2);
}

/** Today's date where the user is, as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** Whole days from `a` to `b` (ISO dates). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
}

/** The ISO date `n` days after `iso` (before it when negative), calendar days. */
export function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Empty text as null (optional request fields). */
export function orNull(s: string | null | undefined): string | null {
  const v = (s ?? "").trim();
  return v === "" ? null : v;
}
