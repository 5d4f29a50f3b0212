// A small hash router: the app is one window with a handful of screens, so a route is just a
// name and its parameters, read from and written to `location.hash` (links work, Back works).
import type { Period } from "./bindings/Period";
import { checkCohort, type CohortFilter } from "./campaign";
import { checkDrill, type DrillFilter } from "./drill";

export type Route =
  | { name: "today" }
  // The dashboard of an area (the person's own division when none) over a period (the last
  // 12 weeks when none).
  | { name: "dashboard"; division?: string; period?: Period }
  // The list, narrowed to the households behind a dashboard figure when `drill` is given.
  | { name: "households"; drill?: DrillFilter }
  | { name: "new" }
  | { name: "household"; id: string; tab: string | null }
  | { name: "visit"; id: string }
  | { name: "plan"; id: string }
  // The household's plan as one A4 page to print and sign.
  | { name: "print"; id: string }
  | { name: "review" }
  | { name: "review-plan"; planId: string }
  // Festival campaigns; a new one for the households of `cohort` when given (the household
  // list's filters), and one campaign's lines.
  | { name: "campaigns" }
  | { name: "campaign-new"; cohort?: CohortFilter }
  | { name: "campaign"; id: string }
  | { name: "settings" };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The dashboard's parameters, as pairs after its name: in/<code>, from/<date>, to/<date>. */
function dashboard(rest: string[]): Route {
  const r: { name: "dashboard"; division?: string; period?: Period } = { name: "dashboard" };
  let from: string | undefined;
  let to: string | undefined;
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const [k, v] = [rest[i], rest[i + 1] ?? ""];
    if (k === "in" && /^\d{2,12}$/.test(v)) r.division = v;
    else if (k === "from" && DATE.test(v)) from = v;
    else if (k === "to" && DATE.test(v)) to = v;
  }
  if (from && to) r.period = { from, to };
  return r;
}

/** The list behind a dashboard figure; a filter that does not read back gives the plain list. */
function drilled(json: string | undefined): Route {
  if (json === undefined) return { name: "households" };
  let drill: DrillFilter | null;
  try {
    drill = checkDrill(JSON.parse(json));
  } catch {
    drill = null;
  }
  return drill ? { name: "households", drill } : { name: "households" };
}

/** The new-campaign form, for the cohort in `json` when it reads back (else with none). */
function newCampaign(json: string | undefined): Route {
  if (json === undefined) return { name: "campaign-new" };
  let cohort: CohortFilter | null;
  try {
    cohort = checkCohort(JSON.parse(json));
  } catch {
    cohort = null;
  }
  return cohort ? { name: "campaign-new", cohort } : { name: "campaign-new" };
}

export function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decode);
  const [a, b, c, d] = parts;
  switch (a) {
    case "dashboard":
      return dashboard(parts.slice(1));
    case "households":
      if (b === "new") return { name: "new" };
      // The list behind a dashboard figure: #/households/filter/<JSON>.
      if (b === "filter") return drilled(c);
      if (b && c === "visit") return { name: "visit", id: b };
      if (b && c === "plan") return { name: "plan", id: b };
      if (b && c === "print") return { name: "print", id: b };
      // A section of the household page: #/households/<id>/section/<tab>.
      if (b && c === "section" && d) return { name: "household", id: b, tab: d };
      if (b) return { name: "household", id: b, tab: null };
      return { name: "households" };
    case "review":
      return b ? { name: "review-plan", planId: b } : { name: "review" };
    case "campaigns":
      // A new campaign: #/campaigns/new, or for a cohort: #/campaigns/new/<JSON>.
      if (b === "new") return newCampaign(c);
      return b ? { name: "campaign", id: b } : { name: "campaigns" };
    case "settings":
      return { name: "settings" };
    default:
      return { name: "today" };
  }
}

export function href(r: Route): string {
  switch (r.name) {
    case "today":
      return "#/today";
    case "dashboard":
      return (
        "#/dashboard" +
        (r.division ? `/in/${encodeURIComponent(r.division)}` : "") +
        (r.period ? `/from/${r.period.from}/to/${r.period.to}` : "")
      );
    case "households":
      return r.drill ? `#/households/filter/${encodeURIComponent(JSON.stringify(r.drill))}` : "#/households";
    case "new":
      return "#/households/new";
    case "household":
      return `#/households/${encodeURIComponent(r.id)}${r.tab ? "/section/" + encodeURIComponent(r.tab) : ""}`;
    case "visit":
      return `#/households/${encodeURIComponent(r.id)}/visit`;
    case "plan":
      return `#/households/${encodeURIComponent(r.id)}/plan`;
    case "print":
      return `#/households/${encodeURIComponent(r.id)}/print`;
    case "review":
      return "#/review";
    case "review-plan":
      return `#/review/${encodeURIComponent(r.planId)}`;
    case "campaigns":
      return "#/campaigns";
    case "campaign-new":
      return r.cohort ? `#/campaigns/new/${encodeURIComponent(JSON.stringify(r.cohort))}` : "#/campaigns/new";
    case "campaign":
      return `#/campaigns/${encodeURIComponent(r.id)}`;
    case "settings":
      return "#/settings";
  }
}

class Router {
  route = $state<Route>(parse(typeof location === "undefined" ? "" : location.hash));

  constructor() {
    if (typeof window !== "undefined") {
      window.addEventListener("hashchange", () => {
        this.route = parse(location.hash);
      });
    }
  }

  /** Write `r` to the address without showing it anew (a screen keeping its address in step
   * with its controls, so Back returns to what was on screen). */
  replace(r: Route) {
    history.replaceState(history.state, "", href(r));
  }

  go(r: Route) {
    const h = href(r);
    if (location.hash === h) this.route = parse(h);
    else location.hash = h;
  }
}

export const router = new Router();
