// The dashboard's figures as the screen shows them: every number with its label, its test key
// and the address of the households behind it (the drill-down filter the core returns with
// it), and the chart options drawn from the same numbers, so a bar and its number in the
// table always lead to the same list.
import type { ChartOption } from "./charts";
import type { Caseload } from "./bindings/Caseload";
import type { Dashboard } from "./bindings/Dashboard";
import type { NeedCategory } from "./bindings/NeedCategory";
import type { NeedStatus } from "./bindings/NeedStatus";
import type { ReviewWait } from "./bindings/ReviewWait";
import type { Figure } from "./bindings/Figure";
import type { WeekState } from "./bindings/WeekState";
import { label, t } from "./i18n/index.svelte";
import { href } from "./router.svelte";
import { tone, type Tone } from "./tones";

/** One number on the dashboard. `key` names it for tests (`dash-n-<key>`); `link` is the list
 * of the households behind it (null when there is no such list). */
export interface Num {
  key: string;
  label: string;
  value: number;
  link: string | null;
  tone: Tone;
}

export interface DivisionNum extends Num {
  code: string;
  /** That division's own dashboard (null for the area itself). */
  dashboard: string | null;
}

export interface NeedLine {
  category: NeedCategory;
  label: string;
  cells: Num[];
  uncovered: Num;
}

export interface WeekLine {
  week: string;
  label: string;
  cells: Num[];
}

export interface CaseworkerNum extends Num {
  active: boolean;
  /** Above the recommended load, or over the maximum. */
  load: "ok" | "above" | "over";
}

export interface DashView {
  total: Num;
  open: Num;
  overdue: Num;
  notVisited: Num;
  unassigned: Num;
  needsOpen: Num;
  needsUncovered: Num;
  stalled: Num;
  stalledActions: number;
  reviewsWaiting: Num;
  status: Num[];
  priority: Num[];
  cause: Num[];
  division: DivisionNum[];
  needs: NeedLine[];
  weeks: WeekLine[];
  workload: CaseworkerNum[];
  caseload: Caseload;
  ages: Num[];
  oldest: Array<ReviewWait & { link: string }>;
}

export const NEED_STATES: NeedStatus[] = ["open", "in_progress", "met", "unmet", "withdrawn"];
/** The parts of a week's deliveries, in stacking order (the core's `WeekState`). */
export const WEEK_STATES: WeekState[] = ["done", "missed", "skipped", "overdue", "upcoming"];

const WEEK_TONES: Record<WeekState, Tone> = { done: "good", missed: "bad", skipped: "neutral", overdue: "warn", upcoming: "info" };
const AGE_TONES: Tone[] = ["info", "info", "warn", "bad"];

export function weekLabel(s: WeekState): string {
  return t(`dash.week.${s}`);
}

/** What the screen shows of `d`. `supervisor`: whether the person reviews plans (the review
 * links lead to the queue only for them). Every number leads where the core says: the
 * household-list filter `dashboard.get` returns with it. */
export function dashView(d: Dashboard, supervisor: boolean): DashView {
  const link = (f: Figure): string | null => (f.drill ? href({ name: "households", drill: f.drill }) : null);
  const num = (key: string, text: string, f: Figure, tn: Tone = "info"): Num => ({
    key,
    label: text,
    value: f.count,
    link: link(f),
    tone: tn,
  });
  const h = d.households;
  const review = supervisor ? href({ name: "review" }) : null;
  const bare = (key: string, text: string, value: number, to: string | null, tn: Tone = "info"): Num => ({ key, label: text, value, link: to, tone: tn });

  return {
    total: num("total", t("dash.kpi.total"), h.total),
    open: num("open", t("dash.kpi.open"), h.open),
    overdue: num("overdue", t("dash.kpi.overdue"), h.overdue, "bad"),
    notVisited: num("not-visited", t("dash.kpi.not_visited"), h.not_visited, "warn"),
    unassigned: num("unassigned", t("dash.kpi.unassigned"), h.unassigned, "warn"),
    needsOpen: num("needs-open", t("dash.kpi.needs_open"), d.needs.open, "warn"),
    needsUncovered: num("needs-uncovered", t("dash.kpi.needs_uncovered"), d.needs.uncovered, "bad"),
    stalled: num("stalled", t("dash.kpi.stalled"), d.stalled.households, "bad"),
    stalledActions: d.stalled.actions,
    reviewsWaiting: bare("reviews-waiting", t("dash.kpi.reviews"), d.reviews.waiting, review),
    status: h.by_status.map((s) => num(`status-${s.status}`, label("HouseholdStatus", s.status), s, tone(s.status))),
    priority: h.by_priority.map((p) => num(`priority-${p.priority}`, label("Priority", p.priority), p, tone(p.priority))),
    cause: h.by_cause.map((c) => num(`cause-${c.cause}`, label("Cause", c.cause), c)),
    division: h.by_division.map((v) => {
      // Households placed on the area itself: the core gives them no list of their own.
      const self = v.code === d.division_code;
      return {
        ...num(`division-${v.code}`, self ? t("dash.division_self", { name: v.name }) : v.name, v),
        code: v.code,
        dashboard: self ? null : href({ name: "dashboard", division: v.code, period: d.period }),
      };
    }),
    needs: d.needs.by_category.map((r) => {
      const name = label("NeedCategory", r.category);
      return {
        category: r.category,
        label: name,
        cells: NEED_STATES.map((s) => num(`need-${r.category}-${s}`, `${name} · ${label("NeedStatus", s)}`, r[s], tone(s))),
        uncovered: num(`need-${r.category}-uncovered`, `${name} · ${t("dash.needs.uncovered")}`, r.uncovered, "bad"),
      };
    }),
    weeks: d.weeks.map((w) => {
      const when = t("dash.week_label", { from: w.from, to: w.to });
      return {
        week: w.week,
        label: when,
        cells: WEEK_STATES.map((s) => num(`week-${w.week}-${s}`, `${when} · ${weekLabel(s)}`, w[s], WEEK_TONES[s])),
      };
    }),
    workload: d.workload.caseworkers.map((c) => ({
      ...num(
        `cw-${c.staff_id}`,
        c.active ? c.name : t("dash.workload.inactive", { name: c.name }),
        c.open,
        c.open.count > d.workload.caseload.maximum ? "bad" : c.open.count > d.workload.caseload.recommended ? "warn" : "info",
      ),
      active: c.active,
      load: c.open.count > d.workload.caseload.maximum ? "over" : c.open.count > d.workload.caseload.recommended ? "above" : "ok",
    })),
    caseload: d.workload.caseload,
    ages: d.reviews.by_age.map((n, i) => bare(`age-${i}`, t(`dash.age.${i as 0 | 1 | 2 | 3}`), n, review, AGE_TONES[i] ?? "info")),
    oldest: d.reviews.oldest.map((r) => ({
      ...r,
      link: supervisor ? href({ name: "review-plan", planId: r.plan_id }) : href({ name: "household", id: r.household_id, tab: "plan" }),
    })),
  };
}

/** The value of a CSS custom property of the page (the palette of app.css), or `fallback`
 * where there is no page (tests). */
export function cssVar(name: string, fallback: string): string {
  if (typeof document === "undefined") return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

const TONE_VARS: Record<Tone, [string, string]> = {
  neutral: ["--muted", "#52606d"],
  info: ["--info", "#1f5fa8"],
  good: ["--good", "#1d6b3a"],
  warn: ["--warn", "#8a5300"],
  bad: ["--danger", "#b42318"],
};

/** The colour of a tone (the same as its badges), read from app.css. */
export function toneColour(tn: Tone): string {
  const [name, fallback] = TONE_VARS[tn];
  return cssVar(name, fallback);
}

/** What every dashboard chart shares: the page's font and colours, axis labels kept inside. */
function frame(legend: boolean): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: cssVar("--font", "sans-serif"), fontSize: 12, color: cssVar("--text", "#1f2933") },
    grid: { left: 8, right: 32, top: legend ? 36 : 12, bottom: 8, outerBoundsMode: "same", outerBoundsContain: "axisLabel" },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    ...(legend ? { legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 12 } } : {}),
  };
}

const bar = (n: Num, colour?: string) => ({ value: n.value, link: n.link, ...(colour ? { itemStyle: { color: colour } } : {}) });

/** One bar per number, each in its tone (or all in `colour`); horizontal bars for long names. */
export function barsOption(items: Num[], opts: { horizontal?: boolean; colour?: string; name?: string } = {}): ChartOption {
  const names = items.map((n) => n.label);
  const category = { type: "category" as const, data: names, inverse: opts.horizontal ?? false, axisTick: { show: false } };
  const value = { type: "value" as const, minInterval: 1 };
  return {
    ...frame(false),
    xAxis: opts.horizontal ? value : { ...category, axisLabel: { interval: 0, hideOverlap: true } },
    yAxis: opts.horizontal ? category : value,
    series: [
      {
        type: "bar",
        name: opts.name ?? "",
        barMaxWidth: 36,
        label: { show: true, position: opts.horizontal ? "right" : "top" },
        data: items.map((n) => bar(n, opts.colour ?? toneColour(n.tone))),
      },
    ],
  };
}

/** Stacked bars: one bar per row, one segment per series (`extra` stands beside the stack). */
export function stackedOption(
  rows: string[],
  series: Array<{ name: string; colour: string; data: Num[]; stack?: string }>,
  horizontal: boolean,
): ChartOption {
  const category = { type: "category" as const, data: rows, inverse: horizontal, axisTick: { show: false } };
  const value = { type: "value" as const, minInterval: 1 };
  return {
    ...frame(true),
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: series.map((s) => ({
      type: "bar" as const,
      name: s.name,
      stack: s.stack ?? "all",
      barMaxWidth: 28,
      itemStyle: { color: s.colour },
      emphasis: { focus: "series" as const },
      data: s.data.map((n) => bar(n)),
    })),
  };
}

/** Open cases per caseworker against the recommended and the maximum load (mark lines); bars
 * over the maximum in the danger colour, above the recommended in the warning one. */
export function workloadOption(rows: CaseworkerNum[], caseload: Caseload): ChartOption {
  const top = Math.max(caseload.maximum, ...rows.map((r) => r.value));
  const warn = toneColour("warn");
  const bad = toneColour("bad");
  return {
    ...frame(false),
    grid: { left: 8, right: 48, top: 28, bottom: 8, outerBoundsMode: "same", outerBoundsContain: "axisLabel" },
    xAxis: { type: "value", minInterval: 1, max: Math.ceil(top * 1.1) },
    yAxis: { type: "category", data: rows.map((r) => r.label), inverse: true, axisTick: { show: false } },
    series: [
      {
        type: "bar",
        name: t("dash.col.open"),
        barMaxWidth: 24,
        label: { show: true, position: "right" },
        data: rows.map((r) => bar(r, r.load === "over" ? bad : r.load === "above" ? warn : toneColour("info"))),
        markLine: {
          symbol: "none",
          silent: true,
          animation: false,
          data: [
            { xAxis: caseload.recommended, name: t("dash.workload.recommended", { n: caseload.recommended }), lineStyle: { color: warn, type: "dashed", width: 2 } },
            { xAxis: caseload.maximum, name: t("dash.workload.maximum", { n: caseload.maximum }), lineStyle: { color: bad, type: "solid", width: 2 } },
          ],
          // The category axis runs downwards, so the lines start at the top: their names go there.
          label: { formatter: "{b}", position: "start" },
        },
      },
    ],
  };
}
