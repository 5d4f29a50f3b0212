// The 身份证 (GB 11643) check as the caseworker types, so a wrong check digit is flagged before
// saving and the birth date and sex fill themselves. The core checks again on save: it is the
// authority; this only mirrors its rules (src/idcard.rs) for feedback while typing.

export type IdCheck =
  | { ok: true; birthDate: string; sex: "male" | "female" }
  | { ok: false; code: "format" | "birth_date" | "checksum" | "incomplete" };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/** Trims spaces (also the ideographic space) and upper-cases a trailing x, as the core does. */
export function normaliseId(raw: string): string {
  // Full-width digits and Ｘ/ｘ, as a Chinese input method types them, fold to ASCII (the core
  // folds them the same way).
  const folded = raw.replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  return folded.replace(/^[\s\u3000]+|[\s\u3000]+$/g, "").replace(/x$/, "X");
}

/** Checks a complete number; a shorter run of digits is `incomplete` (still being typed). */
export function checkId(raw: string): IdCheck {
  const s = normaliseId(raw);
  if (/^\d{0,17}$/.test(s)) return { ok: false, code: "incomplete" };
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, code: "format" };
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { ok: false, code: "birth_date" };
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * (WEIGHTS[i] ?? 0);
  if (CHECK[sum % 11] !== s[17]) return { ok: false, code: "checksum" };
  return {
    ok: true,
    birthDate: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`,
    sex: Number(s[16]) % 2 === 1 ? "male" : "female",
  };
}
