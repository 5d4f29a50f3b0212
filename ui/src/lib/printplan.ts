// What the printable household plan shows, worked out from the household as the core sends it:
// which version of the plan goes on paper, which needs and in what order (numbered, so each
// action can say which needs it answers), who provides an action and who is responsible for
// it, the approval date, and how many A4 pages the sheet takes.
import type { Action } from "./bindings/Action";
import type { HouseholdDetail } from "./bindings/HouseholdDetail";
import type { Need } from "./bindings/Need";
import type { NeedStatus } from "./bindings/NeedStatus";
import type { Plan } from "./bindings/Plan";
import type { PlanDetail } from "./bindings/PlanDetail";
import type { PlanNeed } from "./bindings/PlanNeed";
import type { Priority } from "./bindings/Priority";
import { todayIso } from "./format";
import { label, t } from "./i18n/index.svelte";

/** The version of the plan printed, and whether a supervisor approved it. */
export interface PrintedPlan {
  detail: PlanDetail;
  approved: boolean;
}

/** The plan in force; without one, the version being worked on (draft, submitted or returned),
 * which the page marks as not approved; null when the household has no plan at all. */
export function planToPrint(h: Pick<HouseholdDetail, "plan_in_force" | "working_plan">): PrintedPlan | null {
  if (h.plan_in_force) return { detail: h.plan_in_force, approved: h.plan_in_force.plan.status === "approved" };
  if (h.working_plan) return { detail: h.working_plan, approved: false };
  return null;
}

/** Who approved the printed plan (a returned version was decided too, but not approved). */
export function reviewerId(p: PrintedPlan | null): string | null {
  return p?.approved ? p.detail.plan.decided_by : null;
}

/** The day the plan was approved: the day it came into force, else the local date of the
 * decision; null for a version not approved. */
export function approvalDate(p: Pick<Plan, "status" | "in_force_from" | "decided_at">): string | null {
  if (p.status !== "approved" && p.status !== "superseded") return null;
  if (p.in_force_from) return p.in_force_from;
  const ms = p.decided_at ? Date.parse(p.decided_at) : Number.NaN;
  return Number.isNaN(ms) ? null : todayIso(new Date(ms));
}

const STATUS_ORDER: Record<NeedStatus, number> = { open: 0, in_progress: 1, met: 2, unmet: 3, withdrawn: 4 };
const PRIORITY_ORDER: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

/** The needs on paper: the ones being worked on first (open, in progress, then settled), the
 * most urgent first within each; a withdrawn need only when an action of the plan answers it. */
export function needsToPrint(needs: Need[], plan: PlanDetail | null): Need[] {
  const answered = new Set(plan?.actions.flatMap((a) => a.need_ids) ?? []);
  return needs
    .filter((n) => n.status !== "withdrawn" || answered.has(n.id))
    .sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] ||
        a.found_on.localeCompare(b.found_on) ||
        a.id.localeCompare(b.id),
    );
}

/** The needs an action answers, by their number in the printed list of needs ("1、3"); a need
 * not in the list (left out, or known only to the plan) by its category. */
export function answeredNeeds(a: Pick<Action, "need_ids">, printed: Need[], planNeeds: PlanNeed[]): string {
  const numbered: string[] = [];
  const named: string[] = [];
  for (const id of a.need_ids) {
    const i = printed.findIndex((n) => n.id === id);
    if (i >= 0) {
      numbered.push(String(i + 1));
      continue;
    }
    const p = planNeeds.find((n) => n.need_id === id);
    if (p) named.push(label("NeedCategory", p.category));
  }
  const numbers = [...new Set(numbered)].sort((x, y) => Number(x) - Number(y));
  return [...numbers, ...named].join(t("print.list_sep"));
}

/** Who provides an action: the partner (by name) and the provider named on the action, once
 * each. */
export function providerOf(a: Pick<Action, "partner_id" | "provider_name">, partnerName: ReadonlyMap<string, string>): string {
  const parts = [a.partner_id ? partnerName.get(a.partner_id) : null, a.provider_name].filter((s): s is string => !!s);
  return [...new Set(parts)].join(t("print.list_sep"));
}

/** The person responsible for an action, with the phone when known; empty when nobody is named. */
export function responsibleOf(a: Pick<Action, "responsible_name" | "responsible_phone">): string {
  if (!a.responsible_name) return "";
  return a.responsible_phone ? t("print.responsible_phone", { name: a.responsible_name, phone: a.responsible_phone }) : a.responsible_name;
}

/** Millimetres as CSS pixels (96 to the inch). */
export function mmToPx(mm: number): number {
  return (mm * 96) / 25.4;
}

/** The printable height of an A4 page with 15 mm margins, in CSS pixels. */
export const A4_CONTENT_PX = mmToPx(297 - 2 * 15);

/** How many pages content of this height (CSS pixels) takes, at least one; a pixel or two over
 * a page (rounding) does not count as another page. */
export function pagesFor(heightPx: number, pagePx: number = A4_CONTENT_PX): number {
  if (!(heightPx > 0) || !(pagePx > 0)) return 1;
  return Math.max(1, Math.ceil((heightPx - 2) / pagePx));
}
