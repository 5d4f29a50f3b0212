// Festival campaigns: the households a campaign reaches (its cohort) as the household list's
// filters, carried in the address of the new-campaign form (#/campaigns/new/<JSON>) so the
// household list can hand over what it shows, and split between the form's own controls and
// the conditions it only carries over. Pure functions, no Svelte state, so they are tested on
// their own.
import type { Campaign } from "./bindings/Campaign";
import type { Cause } from "./bindings/Cause";
import type { Festival } from "./bindings/Festival";
import type { HouseholdQuery } from "./bindings/HouseholdQuery";
import type { Priority } from "./bindings/Priority";
import type { UpcomingFestival } from "./bindings/UpcomingFestival";
import { checkDrill, describeDrill, OPEN, type DrillFilter } from "./drill";
import { label, t } from "./i18n/index.svelte";

/** The households of a campaign: the household list's filters (its search text too), each
 * optional. Only open households are ever taken, so a status narrows within the open ones. */
export interface CohortFilter extends DrillFilter {
  q?: string;
}

/** The longest search text carried in an address. */
const Q_MAX = 100;

/** A cohort read back from an address: every part checked (as a drill filter, plus the search
 * text), anything malformed refused as a whole; null also when it holds nothing. */
export function checkCohort(v: unknown): CohortFilter | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const { q, ...rest } = v as Record<string, unknown>;
  const c: CohortFilter = {};
  if (q !== undefined) {
    if (typeof q !== "string" || q.trim() === "" || q.length > Q_MAX) return null;
    c.q = q;
  }
  if (Object.keys(rest).length > 0) {
    const d = checkDrill(rest);
    if (!d) return null;
    Object.assign(c, d);
  }
  return Object.keys(c).length > 0 ? c : null;
}

/** The open statuses a cohort allows: those it names that are open, or every open one. */
function openStatuses(c: CohortFilter) {
  return c.status ? OPEN.filter((s) => c.status?.includes(s)) : [...OPEN];
}

/** The household-list request for a cohort (only open households); null when its status
 * names no open one, so nothing can match. Plain arrays and objects, safe to send. */
export function cohortQuery(c: CohortFilter, page: Pick<HouseholdQuery, "sort" | "offset" | "limit">): HouseholdQuery | null {
  const status = openStatuses(c);
  if (status.length === 0) return null;
  return {
    q: c.q ?? null,
    status,
    priority: [...(c.priority ?? [])],
    causes: [...(c.causes ?? [])],
    division_code: c.division_code ?? null,
    caseworker_id: c.caseworker_id ?? null,
    overdue: c.overdue ?? null,
    needs: c.needs ? { ...c.needs, status: [...c.needs.status] } : null,
    not_visited: c.not_visited ? { ...c.not_visited } : null,
    occurrences: c.occurrences ? { ...c.occurrences } : null,
    stalled: c.stalled ?? false,
    unassigned: c.unassigned ?? false,
    ...page,
  };
}

/** The cohort for the households a list request shows (its paging and sorting dropped), with
 * the names of its division and caseworker for the form to show. */
export function cohortFromQuery(q: HouseholdQuery, names: { division_name?: string | null; caseworker_name?: string | null } = {}): CohortFilter {
  const c: CohortFilter = {};
  if (q.q && q.q.trim() !== "") c.q = q.q.trim().slice(0, Q_MAX);
  if (q.status.length > 0) c.status = [...q.status];
  if (q.priority.length > 0) c.priority = [...q.priority];
  if (q.causes.length > 0) c.causes = [...q.causes];
  if (q.division_code) {
    c.division_code = q.division_code;
    if (names.division_name) c.division_name = names.division_name;
  }
  if (q.caseworker_id) {
    c.caseworker_id = q.caseworker_id;
    if (names.caseworker_name) c.caseworker_name = names.caseworker_name;
  }
  if (q.overdue !== null) c.overdue = q.overdue;
  if (q.needs) c.needs = { ...q.needs, status: [...q.needs.status] };
  if (q.not_visited) c.not_visited = { ...q.not_visited };
  if (q.occurrences) c.occurrences = { ...q.occurrences };
  if (q.stalled) c.stalled = true;
  return c;
}

/** What the new-campaign form edits itself. `caseworker_id` is "" for any. */
export interface CohortForm {
  priority: Priority[];
  causes: Cause[];
  division_code: string | null;
  division_name: string | null;
  caseworker_id: string;
  overdue: boolean;
}

/** A cohort split into the form's own controls and the rest, which the form only carries
 * (and shows, and can drop). The caseworker is a control for supervisors only. */
export function splitCohort(c: CohortFilter | null | undefined, supervisor: boolean): { form: CohortForm; extra: CohortFilter } {
  const all: CohortFilter = { ...(c ?? {}) };
  const form: CohortForm = {
    priority: [...(all.priority ?? [])],
    causes: [...(all.causes ?? [])],
    division_code: all.division_code ?? null,
    division_name: all.division_name ?? null,
    caseworker_id: supervisor ? (all.caseworker_id ?? "") : "",
    overdue: all.overdue === true,
  };
  const extra: CohortFilter = { ...all };
  delete extra.priority;
  delete extra.causes;
  delete extra.division_code;
  delete extra.division_name;
  if (all.overdue === true) delete extra.overdue;
  if (supervisor) {
    delete extra.caseworker_id;
    delete extra.caseworker_name;
  }
  // Every open status is what the form asks anyway.
  if (extra.status && OPEN.every((s) => extra.status?.includes(s))) delete extra.status;
  return { form, extra };
}

/** The cohort of the form's controls and the conditions it carries. */
export function joinCohort(form: CohortForm, extra: CohortFilter): CohortFilter {
  const c: CohortFilter = { ...extra };
  if (form.priority.length > 0) c.priority = [...form.priority];
  if (form.causes.length > 0) c.causes = [...form.causes];
  if (form.division_code) {
    c.division_code = form.division_code;
    if (form.division_name) c.division_name = form.division_name;
  }
  if (form.caseworker_id) c.caseworker_id = form.caseworker_id;
  if (form.overdue) c.overdue = true;
  return c;
}

/** The carried conditions in words, part by part. */
export function describeCohort(c: CohortFilter): string[] {
  const { q, ...rest } = c;
  return [...(q ? [t("campaign.cohort.q", { q })] : []), ...describeDrill(rest)];
}

/** The festival's next date in `upcoming` (soonest first or not). */
export function nextFestival(upcoming: UpcomingFestival[], f: Festival): UpcomingFestival | null {
  let best: UpcomingFestival | null = null;
  for (const u of upcoming) if (u.festival === f && (best === null || u.date < best.date)) best = u;
  return best;
}

/** A name for a campaign of festival `f` falling on `date`, e.g. "2027年春节慰问". */
export function suggestName(f: Festival, date: string): string {
  return t("campaign.name_suggest", { year: date.slice(0, 4), festival: label("Festival", f) });
}

/** The shares of a campaign's progress, in per cent of its lines (0 when it has none). */
export function progressShares(c: Pick<Campaign, "total" | "done" | "not_done" | "pending">): { done: number; not_done: number; pending: number } {
  const pc = (n: number) => (c.total > 0 ? Math.round((n / c.total) * 1000) / 10 : 0);
  return { done: pc(c.done), not_done: pc(c.not_done), pending: pc(c.pending) };
}

/** "in N days" / "today" / "N days ago". */
export function daysText(days: number): string {
  if (days === 0) return t("campaign.days.today");
  return days > 0 ? t("campaign.days.ahead", { n: days }) : t("campaign.days.ago", { n: -days });
}
