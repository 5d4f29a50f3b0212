import { describe, expect, it } from "vitest";
import type { Dashboard } from "./bindings/Dashboard";
import { dashView, workloadOption, type Num } from "./dashboard";
import { OPEN } from "./drill";
import { i18n } from "./i18n/index.svelte";
import { parse } from "./router.svelte";

const AREA = "110101";
const PERIOD = { from: "2026-01-05", to: "2026-03-29" };

const sample: Dashboard = {
  division_code: AREA,
  division_name: "东城区",
  period: PERIOD,
  today: "2026-03-25",
  households: {
    total: 12,
    open: 10,
    by_status: [
      { status: "referred", count: 1 },
      { status: "assessing", count: 2 },
      { status: "active", count: 6 },
      { status: "monitoring", count: 1 },
      { status: "closed", count: 2 },
    ],
    by_priority: [
      { priority: "high", count: 3 },
      { priority: "medium", count: 5 },
      { priority: "low", count: 2 },
    ],
    by_cause: [{ cause: "illness", count: 4 }],
    by_division: [
      { code: AREA, name: "东城区", count: 1 },
      { code: "110101001", name: "东华门街道", count: 9 },
    ],
    overdue: 3,
    not_visited: 4,
    unassigned: 1,
  },
  needs: {
    by_category: [{ category: "medical", open: 2, in_progress: 1, met: 3, unmet: 0, withdrawn: 0, uncovered: 1 }],
    open: 3,
    uncovered: 1,
  },
  weeks: [{ week: "2026-03-23", from: "2026-03-23", to: "2026-03-29", done: 2, missed: 1, skipped: 0, overdue: 1, upcoming: 3 }],
  stalled: { actions: 2, households: 1 },
  workload: {
    caseload: { recommended: 5, maximum: 8 },
    caseworkers: [
      { staff_id: "s1", name: "李娜", active: true, open: 9 },
      { staff_id: "s2", name: "王强", active: true, open: 6 },
      { staff_id: "s3", name: "赵敏", active: false, open: 1 },
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

  it("leads each household figure to exactly its households", () => {
    expect(filterOf(v.total)).toEqual({ division_code: AREA });
    expect(filterOf(v.open)).toEqual({ division_code: AREA, status: OPEN });
    expect(filterOf(v.overdue)).toEqual({ division_code: AREA, overdue: true });
    expect(filterOf(v.notVisited)).toEqual({ division_code: AREA, not_visited: PERIOD });
    expect(filterOf(v.unassigned)).toEqual({ division_code: AREA, status: OPEN, unassigned: true });
    expect(filterOf(v.stalled)).toEqual({ division_code: AREA, stalled: true });
    expect(v.stalledActions).toBe(2);
    const active = v.status.find((n) => n.key === "status-active");
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
    const open = row?.cells.find((c) => c.key === "need-medical-open");
    expect(open?.value).toBe(2);
    expect(open && filterOf(open)).toEqual({ division_code: AREA, status: OPEN, needs: { category: "medical", status: ["open"], uncovered: false } });
    expect(row && filterOf(row.uncovered)).toEqual({ division_code: AREA, needs: { category: "medical", status: [], uncovered: true } });
    expect(filterOf(v.needsUncovered)).toEqual({ division_code: AREA, needs: { category: null, status: [], uncovered: true } });
    expect(filterOf(v.needsOpen)).toEqual({ division_code: AREA, status: OPEN, needs: { category: null, status: ["open", "in_progress"], uncovered: false } });
  });

  it("splits the week's unrecorded deliveries at the core's today", () => {
    const cells = v.weeks[0]?.cells ?? [];
    expect(cells.map((c) => c.key)).toEqual(["done", "missed", "skipped", "overdue", "upcoming"].map((s) => `week-2026-03-23-${s}`));
    expect(filterOf(cells[0]!)).toEqual({ division_code: AREA, occurrences: { status: "done", from: "2026-03-23", to: "2026-03-29" } });
    expect(filterOf(cells[3]!)).toEqual({ division_code: AREA, occurrences: { status: "due", from: "2026-03-23", to: "2026-03-24" } });
    expect(filterOf(cells[4]!)).toEqual({ division_code: AREA, occurrences: { status: "due", from: "2026-03-25", to: "2026-03-29" } });
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
