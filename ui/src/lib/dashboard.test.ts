import { describe, expect, it } from "vitest";
import type { Dashboard } from "./bindings/Dashboard";
import type { Drill } from "./bindings/Drill";
import type { Figure } from "./bindings/Figure";
import { dashView, workloadOption, type Num } from "./dashboard";
import { OPEN } from "./drill";
import { i18n } from "./i18n/index.svelte";
import { parse } from "./router.svelte";

const AREA = "110101";
const PERIOD = { from: "2026-01-05", to: "2026-03-29" };

const area = { division_code: AREA, division_name: "东城区" };
const open = { ...area, status: OPEN };
/** A figure as the core sends it: its count and the households behind it. */
const fig = (count: number, drill?: Drill): Figure => (drill ? { count, drill } : { count });
/** A row's count and its (always present) list. */
const row = (count: number, drill: Drill) => ({ count, drill });
const due = (from: string, to: string) => ({ ...area, occurrences: { status: "due" as const, from, to } });

const sample: Dashboard = {
  division_code: AREA,
  division_name: "东城区",
  period: PERIOD,
  today: "2026-03-25",
  households: {
    total: fig(12, area),
    open: fig(10, open),
    by_status: [
      { status: "referred", ...row(1, { ...area, status: ["referred"] }) },
      { status: "active", ...row(6, { ...area, status: ["active"] }) },
      { status: "closed", ...row(2, { ...area, status: ["closed"] }) },
    ],
    by_priority: [{ priority: "high", ...row(3, { ...open, priority: ["high"] }) }],
    by_cause: [{ cause: "illness", ...row(4, { ...open, causes: ["illness"] }) }],
    by_division: [
      { code: AREA, name: "东城区", ...fig(1) },
      { code: "110101001", name: "东华门街道", ...fig(9, { division_code: "110101001", division_name: "东华门街道", status: OPEN }) },
    ],
    overdue: fig(3, { ...area, overdue: true }),
    not_visited: fig(4, { ...area, not_visited: PERIOD }),
    unassigned: fig(1, { ...open, unassigned: true }),
  },
  needs: {
    by_category: [
      {
        category: "medical",
        open: fig(2, { ...open, needs: { category: "medical", status: ["open"], uncovered: false } }),
        in_progress: fig(1, { ...open, needs: { category: "medical", status: ["in_progress"], uncovered: false } }),
        met: fig(3, { ...open, needs: { category: "medical", status: ["met"], uncovered: false } }),
        unmet: fig(0, { ...open, needs: { category: "medical", status: ["unmet"], uncovered: false } }),
        withdrawn: fig(0, { ...open, needs: { category: "medical", status: ["withdrawn"], uncovered: false } }),
        uncovered: fig(1, { ...area, needs: { category: "medical", status: [], uncovered: true } }),
      },
    ],
    open: fig(3, { ...open, needs: { category: null, status: ["open", "in_progress"], uncovered: false } }),
    uncovered: fig(1, { ...area, needs: { category: null, status: [], uncovered: true } }),
  },
  weeks: [
    {
      week: "2026-03-23",
      from: "2026-03-23",
      to: "2026-03-29",
      done: fig(2, { ...area, occurrences: { status: "done", from: "2026-03-23", to: "2026-03-29" } }),
      missed: fig(1, { ...area, occurrences: { status: "missed", from: "2026-03-23", to: "2026-03-29" } }),
      skipped: fig(0, { ...area, occurrences: { status: "skipped", from: "2026-03-23", to: "2026-03-29" } }),
      overdue: fig(1, due("2026-03-23", "2026-03-24")),
      upcoming: fig(3, due("2026-03-25", "2026-03-29")),
    },
  ],
  stalled: { actions: 2, households: fig(1, { ...area, stalled: true }) },
  workload: {
    caseload: { recommended: 5, maximum: 8 },
    caseworkers: [
      { staff_id: "s1", name: "李娜", active: true, open: fig(9, { ...open, caseworker_id: "s1", caseworker_name: "李娜" }) },
      { staff_id: "s2", name: "王强", active: true, open: fig(6, { ...open, caseworker_id: "s2", caseworker_name: "王强" }) },
      { staff_id: "s3", name: "赵敏", active: false, open: fig(1, { ...open, caseworker_id: "s3", caseworker_name: "赵敏" }) },
    ],
  },
  reviews: {
    waiting: 2,
    by_age: [1, 0, 0, 1],
    oldest: [{ plan_id: "p1", household_id: "h1", case_no: "HH-1", head_name: "张三", submitted_on: "2026-03-01", days: 24 }],
  },
};

/** The drill filter a number leads to, without the names shown on the chip. */
function filterOf(n: Num) {
  expect(n.link, n.key).not.toBeNull();
  const r = parse(n.link ?? "");
  if (r.name !== "households" || !r.drill) throw new Error(`${n.key} does not lead to a drilled list: ${n.link}`);
  const f = { ...r.drill };
  delete f.division_name;
  delete f.caseworker_name;
  return f;
}

describe("dashView", () => {
  i18n.locale = "zh-CN";
  const v = dashView(sample, true);

  it("leads every number to the households the core says are behind it", () => {
    expect(parse(v.total.link ?? "")).toEqual({ name: "households", drill: area });
    expect(filterOf(v.open)).toEqual({ division_code: AREA, status: OPEN });
    expect(filterOf(v.overdue)).toEqual({ division_code: AREA, overdue: true });
    expect(filterOf(v.notVisited)).toEqual({ division_code: AREA, not_visited: PERIOD });
    expect(filterOf(v.unassigned)).toEqual({ division_code: AREA, status: OPEN, unassigned: true });
    expect(filterOf(v.stalled)).toEqual({ division_code: AREA, stalled: true });
    expect(v.stalledActions).toBe(2);
    const active = v.status.find((n) => n.key === "status-active");
    expect(active?.value).toBe(6);
    expect(active && filterOf(active)).toEqual({ division_code: AREA, status: ["active"] });
    const high = v.priority.find((n) => n.key === "priority-high");
    expect(high && filterOf(high)).toEqual({ division_code: AREA, status: OPEN, priority: ["high"] });
    const illness = v.cause.find((n) => n.key === "cause-illness");
    expect(illness && filterOf(illness)).toEqual({ division_code: AREA, status: OPEN, causes: ["illness"] });
  });

  it("leads a child division to its list and its dashboard, and the area's own row nowhere", () => {
    const [self, child] = v.division;
    expect(self?.link).toBeNull();
    expect(self?.dashboard).toBeNull();
    expect(child && filterOf(child)).toEqual({ division_code: "110101001", status: OPEN });
    expect(parse(child?.dashboard ?? "")).toEqual({ name: "dashboard", division: "110101001", period: PERIOD });
  });

  it("leads needs to the households that have them", () => {
    const row = v.needs[0];
    expect(row?.cells.map((c) => c.key)).toEqual(["open", "in_progress", "met", "unmet", "withdrawn"].map((s) => `need-medical-${s}`));
    const cell = row?.cells[0];
    expect(cell?.value).toBe(2);
    expect(cell && filterOf(cell)).toEqual({ division_code: AREA, status: OPEN, needs: { category: "medical", status: ["open"], uncovered: false } });
    expect(row && filterOf(row.uncovered)).toEqual({ division_code: AREA, needs: { category: "medical", status: [], uncovered: true } });
    expect(filterOf(v.needsUncovered)).toEqual({ division_code: AREA, needs: { category: null, status: [], uncovered: true } });
  });

  it("shows the week's parts in stacking order, each with the core's list", () => {
    const cells = v.weeks[0]?.cells ?? [];
    expect(cells.map((c) => c.key)).toEqual(["done", "missed", "skipped", "overdue", "upcoming"].map((s) => `week-2026-03-23-${s}`));
    expect(cells.map((c) => c.value)).toEqual([2, 1, 0, 1, 3]);
    expect(filterOf(cells[3]!)).toEqual({ division_code: AREA, occurrences: { status: "due", from: "2026-03-23", to: "2026-03-24" } });
  });

  it("marks caseworkers against the caseload and leads to their open households", () => {
    expect(v.workload.map((c) => c.load)).toEqual(["over", "above", "ok"]);
    expect(filterOf(v.workload[0]!)).toEqual({ division_code: AREA, status: OPEN, caseworker_id: "s1" });
    expect(v.workload[2]?.label).toBe("赵敏（已停用）");
    const option = workloadOption(v.workload, v.caseload);
    const series = Array.isArray(option.series) ? option.series[0] : option.series;
    expect(series?.markLine?.data?.map((d) => ("xAxis" in d ? d.xAxis : null))).toEqual([5, 8]);
  });

  it("leads the review figures to the queue and each plan to its review, for supervisors only", () => {
    expect(v.reviewsWaiting.link).toBe("#/review");
    expect(v.oldest[0]?.link).toBe("#/review/p1");
    const cw = dashView(sample, false);
    expect(cw.reviewsWaiting.link).toBeNull();
    expect(cw.oldest[0]?.link).toBe("#/households/h1/section/plan");
  });
});
