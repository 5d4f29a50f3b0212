// Drill-down from the dashboard to the household list: the filter behind a number (the core
// returns it with the number), carried in the address (#/households/filter/<JSON>) so Back
// works, checked when read back, and merged into the list's own filters. Pure functions, no
// Svelte state, so they are tested on their own.
import type { Cause } from "./bindings/Cause";
import type { Drill } from "./bindings/Drill";
import type { HouseholdQuery } from "./bindings/HouseholdQuery";
import type { HouseholdStatus } from "./bindings/HouseholdStatus";
import type { NeedCategory } from "./bindings/NeedCategory";
import type { NeedStatus } from "./bindings/NeedStatus";
import type { OccurrenceStatus } from "./bindings/OccurrenceStatus";
import type { Period } from "./bindings/Period";
import type { Priority } from "./bindings/Priority";
import { zhEnums } from "./i18n/enums";
import { label, t } from "./i18n/index.svelte";

/** The households behind one number of the dashboard: the household list's filters (each
 * optional) and the names of the division and caseworker to show on the chip, as the core's
 * `dashboard.get` returns them with every figure. */
export type DrillFilter = Drill;

/** Households not closed (the list's "open" chip). */
export const OPEN: HouseholdStatus[] = ["referred", "assessing", "active", "monitoring"];

const isDate = (v: unknown): v is string => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isCode = (v: unknown): v is string => typeof v === "string" && /^\d{2,12}$/.test(v);
const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 200;
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function oneOf<T extends string>(table: Record<T, string>) {
  return (v: unknown): v is T => typeof v === "string" && Object.prototype.hasOwnProperty.call(table, v);
}
const isStatus = oneOf(zhEnums.HouseholdStatus);
const isPriority = oneOf(zhEnums.Priority);
const isCause = oneOf(zhEnums.Cause);
const isCategory = oneOf<NeedCategory>(zhEnums.NeedCategory);
const isNeedStatus = oneOf<NeedStatus>(zhEnums.NeedStatus);
const isOccStatus = oneOf<OccurrenceStatus>(zhEnums.OccurrenceStatus);

function listOf<T>(v: unknown, ok: (x: unknown) => x is T): T[] | null {
  return Array.isArray(v) && v.length > 0 && v.every(ok) ? (v as T[]) : null;
}
function period(v: unknown): Period | null {
  return isObject(v) && isDate(v.from) && isDate(v.to) ? { from: v.from, to: v.to } : null;
}

/** A drill filter read back from an address: every known part checked, anything malformed
 * refused as a whole (null: show the plain list). */
export function checkDrill(v: unknown): DrillFilter | null {
  if (!isObject(v)) return null;
  const d: DrillFilter = {};
  for (const [k, x] of Object.entries(v)) {
    switch (k) {
      case "status": {
        const l = listOf(x, isStatus);
        if (!l) return null;
        d.status = l;
        break;
      }
      case "priority": {
        const l = listOf(x, isPriority);
        if (!l) return null;
        d.priority = l;
        break;
      }
      case "causes": {
        const l = listOf(x, isCause);
        if (!l) return null;
        d.causes = l;
        break;
      }
      case "division_code":
        if (!isCode(x)) return null;
        d.division_code = x;
        break;
      case "caseworker_id":
      case "division_name":
      case "caseworker_name":
        if (!isText(x)) return null;
        d[k] = x;
        break;
      case "overdue":
      case "stalled":
      case "unassigned":
        if (typeof x !== "boolean") return null;
        d[k] = x;
        break;
      case "not_visited": {
        const p = period(x);
        if (!p) return null;
        d.not_visited = p;
        break;
      }
      case "occurrences": {
        const p = period(x);
        if (!p || !isObject(x) || !isOccStatus(x.status)) return null;
        d.occurrences = { status: x.status, from: p.from, to: p.to };
        break;
      }
      case "needs": {
        if (!isObject(x)) return null;
        const category = x.category ?? null;
        const status = x.status ?? [];
        const uncovered = x.uncovered ?? false;
        if (category !== null && !isCategory(category)) return null;
        if (!Array.isArray(status) || !status.every(isNeedStatus)) return null;
        if (typeof uncovered !== "boolean") return null;
        d.needs = { category, status: status as NeedStatus[], uncovered };
        break;
      }
      default:
        return null;
    }
  }
  return Object.keys(d).length > 0 ? d : null;
}

/** The list's own filters (each single-valued, as its controls are). */
export interface OwnFilters {
  q: string | null;
  status: HouseholdStatus | "";
  priority: Priority | "";
  cause: Cause | "";
  division_code: string | null;
  caseworker_id: string | null;
  overdue: boolean;
}

/** Both lists of allowed values: their common part; null when nothing can match. An empty
 * list allows anything. */
function both<T>(own: T | "", drill: T[] | undefined): T[] | null {
  if (!drill || drill.length === 0) return own === "" ? [] : [own];
  if (own === "") return drill;
  return drill.includes(own) ? [own] : null;
}

/** The list request for the list's own filters and a drill filter together (households
 * matching both); null when they cannot both hold, so the list is empty without asking. The
 * drill's causes replace the list's own (the list's cause control is off while they apply). */
export function mergeQuery(
  own: OwnFilters,
  drill: DrillFilter | null | undefined,
  page: Pick<HouseholdQuery, "sort" | "offset" | "limit">,
): HouseholdQuery | null {
  const d = drill ?? {};
  const status = both(own.status, d.status);
  const priority = both(own.priority, d.priority);
  if (!status || !priority) return null;
  let division: string | null = own.division_code;
  if (d.division_code) {
    // A division filter is a code prefix: the deeper of two nested areas, nothing if apart.
    if (division === null || d.division_code.startsWith(division)) division = d.division_code;
    else if (!division.startsWith(d.division_code)) return null;
  }
  if (own.caseworker_id && d.caseworker_id && own.caseworker_id !== d.caseworker_id) return null;
  if (own.overdue && d.overdue === false) return null;
  return {
    q: own.q,
    status,
    priority,
    causes: d.causes && d.causes.length > 0 ? d.causes : own.cause ? [own.cause] : [],
    division_code: division,
    caseworker_id: d.caseworker_id ?? own.caseworker_id,
    overdue: own.overdue ? true : (d.overdue ?? null),
    needs: d.needs ?? null,
    not_visited: d.not_visited ?? null,
    occurrences: d.occurrences ?? null,
    stalled: d.stalled ?? false,
    unassigned: d.unassigned ?? false,
    ...page,
  };
}

/** What a drill filter keeps, in words, part by part (for the chip on the list). */
export function describeDrill(d: DrillFilter): string[] {
  const sep = t("drill.sep");
  const parts: string[] = [];
  if (d.needs) {
    const n = d.needs;
    parts.push(n.category ? t("drill.needs_of", { v: label("NeedCategory", n.category) }) : t("drill.needs_any"));
    if (n.status.length > 0) parts.push(t("drill.needs_status", { v: n.status.map((s) => label("NeedStatus", s)).join(sep) }));
    if (n.uncovered) parts.push(t("drill.needs_uncovered"));
  }
  if (d.stalled) parts.push(t("drill.stalled"));
  if (d.unassigned) parts.push(t("drill.unassigned"));
  if (d.occurrences) {
    const o = d.occurrences;
    const v = o.status === "due" ? t("drill.occ_due") : label("OccurrenceStatus", o.status);
    parts.push(t("drill.occurrences", { v, from: o.from, to: o.to }));
  }
  if (d.not_visited) parts.push(t("drill.not_visited", { from: d.not_visited.from, to: d.not_visited.to }));
  if (d.overdue !== undefined) parts.push(t(d.overdue ? "drill.overdue" : "drill.within"));
  if (d.status) {
    const open = d.status.length === OPEN.length && OPEN.every((s) => d.status?.includes(s));
    parts.push(t("drill.status", { v: open ? t("drill.open") : d.status.map((s) => label("HouseholdStatus", s)).join(sep) }));
  }
  if (d.priority) parts.push(t("drill.priority", { v: d.priority.map((p) => label("Priority", p)).join(sep) }));
  if (d.causes) parts.push(t("drill.cause", { v: d.causes.map((c) => label("Cause", c)).join(sep) }));
  if (d.caseworker_id) parts.push(t("drill.caseworker", { v: d.caseworker_name ?? d.caseworker_id }));
  if (d.division_code) parts.push(t("drill.division", { v: d.division_name ?? d.division_code }));
  return parts;
}
