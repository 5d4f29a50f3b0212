// The message catalogue and the current language. zh-CN is the default, en the second; every
// visible string comes from here. Each area's English table is typed against its Chinese one,
// so a missing or extra translation fails `svelte-check`.
import type { EnumLabels } from "./enums";
import { enEnums, zhEnums } from "./enums";
import * as authm from "./messages/auth";
import * as backfill from "./messages/backfill";
import * as campaign from "./messages/campaign";
import * as common from "./messages/common";
import * as dashboard from "./messages/dashboard";
import * as errors from "./messages/errors";
import * as exportm from "./messages/export";
import * as fields from "./messages/fields";
import * as household from "./messages/household";
import * as households from "./messages/households";
import * as member from "./messages/member";
import * as newhh from "./messages/newhh";
import * as plan from "./messages/plan";
import * as print from "./messages/print";
import * as review from "./messages/review";
import * as settings from "./messages/settings";
import * as start from "./messages/start";
import * as today from "./messages/today";
import * as visit from "./messages/visit";

const zh = {
  ...authm.zh,
  ...common.zh,
  ...errors.zh,
  ...fields.zh,
  ...member.zh,
  ...start.zh,
  ...today.zh,
  ...dashboard.zh,
  ...households.zh,
  ...newhh.zh,
  ...household.zh,
  ...visit.zh,
  ...plan.zh,
  ...print.zh,
  ...review.zh,
  ...settings.zh,
  ...campaign.zh,
  ...backfill.zh,
  ...exportm.zh,
};
export type MessageKey = keyof typeof zh;
const en: Record<MessageKey, string> = {
  ...authm.en,
  ...common.en,
  ...errors.en,
  ...fields.en,
  ...member.en,
  ...start.en,
  ...today.en,
  ...dashboard.en,
  ...households.en,
  ...newhh.en,
  ...household.en,
  ...visit.en,
  ...plan.en,
  ...print.en,
  ...review.en,
  ...settings.en,
  ...campaign.en,
  ...backfill.en,
  ...exportm.en,
};

export type Locale = "zh-CN" | "en";
const catalogues: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zh, en };
const enumCatalogues: Record<Locale, EnumLabels> = { "zh-CN": zhEnums, en: enEnums };
const KEY = "yihu.locale";

function initial(): Locale {
  try {
    return localStorage.getItem(KEY) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN";
  }
}

class I18n {
  locale = $state<Locale>(initial());

  set(locale: Locale) {
    this.locale = locale;
    document.documentElement.lang = locale;
    try {
      localStorage.setItem(KEY, locale);
    } catch {
      // Not persisted; the choice lasts until the window closes.
    }
  }
}

export const i18n = new I18n();

/** Fills `{name}` placeholders. */
export function fill(text: string, params?: Record<string, string | number>): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** The message `key` in the current language. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return fill(catalogues[i18n.locale][key], params);
}

/** Whether `key` names a message (for keys built from codes). */
export function has(key: string): key is MessageKey {
  return key in zh;
}

/** The label of an enumeration value, e.g. `label("HouseholdStatus", "active")`. */
export function label<K extends keyof EnumLabels>(kind: K, value: keyof EnumLabels[K]): string {
  const table = enumCatalogues[i18n.locale][kind] as Record<string, string>;
  return table[value as string] ?? String(value);
}

/** Every value of an enumeration in catalogue order, for selects and checkboxes. */
export function values<K extends keyof EnumLabels>(kind: K): Array<keyof EnumLabels[K] & string> {
  return Object.keys(zhEnums[kind]) as Array<keyof EnumLabels[K] & string>;
}

/** A translated sentence for an error code (every code of src/error_code.rs has one; a code
 * this window does not know, from a newer core, gets the general sentence naming it). */
export function errorText(code: string): string {
  const direct = `err.${code}`;
  return has(direct) ? t(direct, { code }) : t("err.generic", { code });
}

/** A schedule in the window's language (the core says it in both). */
export function scheduleText(s: { zh: string; en: string }): string {
  return i18n.locale === "en" ? s.en : s.zh;
}

/** The name of the field an error concerns (`member.id_number` → 身份证号), if known. */
export function fieldLabel(path: string | undefined): string | null {
  if (!path) return null;
  const last = path.split(".").pop()?.replace(/\[\d+\]$/, "") ?? "";
  const k = `field.${last}`;
  return has(k) ? t(k) : null;
}

/** Money in fen as yuan, e.g. 50000 → "¥500.00". */
export function money(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return "";
  return t("word.yuan", { v: (fen / 100).toFixed(2) });
}

/** A UTC timestamp as a local date and time. */
export function localTime(ts: string | null | undefined): string {
  if (!ts) return "";
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return ts;
  return new Intl.DateTimeFormat(i18n.locale === "en" ? "en-GB" : "zh-CN", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).format(ms);
}
