// The proactive reminders of Today (想在前面) as sentences: a child starting school, a member's
// exam year, a service ending, a consent to renew. Pure functions, tested on their own.
import type { Reminder } from "./bindings/Reminder";
import type { ReminderRule } from "./bindings/ReminderRule";
import { i18n, t } from "./i18n/index.svelte";

/** The rules in the order Today shows them. */
export const RULES: ReminderRule[] = ["consent", "action_end", "exam", "school_age"];

/** An ISO date as a month and day in the current language ("9月1日", "1 September"). */
export function monthDay(iso: string): string {
  const [, m, d] = iso.split("-").map(Number);
  if (!m || !d) return iso;
  if (i18n.locale === "en") {
    const month = new Intl.DateTimeFormat("en-GB", { month: "long", timeZone: "UTC" }).format(Date.UTC(2000, m - 1, 1));
    return `${d} ${month}`;
  }
  return `${m}月${d}日`;
}

/** The exam a reminder is about, by name (中考, 高考); anything else as sent. */
export function examName(exam: string | null): string {
  if (exam === "zhongkao") return t("reminder.exam.zhongkao");
  if (exam === "gaokao") return t("reminder.exam.gaokao");
  return exam ?? "";
}

/** What a reminder says, e.g. "王小明 9月1日入学", "低保 将于 2026-05-31 结束". */
export function reminderText(r: Reminder): string {
  const member = r.member_name ?? t("word.unnamed");
  switch (r.rule) {
    case "school_age":
      return t("reminder.school_age", { member, date: monthDay(r.due_on) });
    case "exam":
      return t(r.estimated ? "reminder.exam_estimated" : "reminder.exam", { member, exam: examName(r.exam) });
    case "action_end":
      return t("reminder.action_end", { action: r.action_title ?? "", date: r.due_on });
    case "consent":
      return r.days_until < 0 ? t("reminder.consent_past", { n: -r.days_until }) : t("reminder.consent", { date: r.due_on });
  }
}

/** Reminders grouped by rule, in the order of RULES; empty groups left out; each group in the
 * order the core sent it. */
export function groupReminders(list: Reminder[]): Array<{ rule: ReminderRule; items: Reminder[] }> {
  return RULES.map((rule) => ({ rule, items: list.filter((r) => r.rule === rule) })).filter((g) => g.items.length > 0);
}
