import { describe, expect, it } from "vitest";
import type { Action } from "./bindings/Action";
import type { Need } from "./bindings/Need";
import type { Plan } from "./bindings/Plan";
import type { PlanDetail } from "./bindings/PlanDetail";
import { i18n } from "./i18n/index.svelte";
import { A4_CONTENT_PX, answeredNeeds, approvalDate, mmToPx, needsToPrint, pagesFor, planToPrint, providerOf, responsibleOf, reviewerId } from "./printplan";

function plan(over: Partial<Plan> = {}): Plan {
  return {
    id: "p1",
    household_id: "h1",
    version_no: 1,
    status: "approved",
    goals: "",
    based_on_id: null,
    created_by: "cw",
    created_at: "2026-01-02T08:00:00Z",
    submitted_by: "cw",
    submitted_at: "2026-01-03T08:00:00Z",
    decided_by: "sup",
    decided_at: "2026-01-05T02:00:00Z",
    decision_comment: null,
    in_force_from: "2026-01-05",
    superseded_at: null,
    action_count: 0,
    ...over,
  };
}

function detail(p: Plan, actions: Action[] = []): PlanDetail {
  return { plan: p, actions, needs: [] };
}

function need(id: string, over: Partial<Need> = {}): Need {
  return {
    id,
    household_id: "h1",
    member_id: null,
    category: "medical",
    description: id,
    priority: "medium",
    status: "open",
    found_visit_id: null,
    found_on: "2026-01-01",
    resolved_on: null,
    outcome_note: null,
    ...over,
  };
}

function action(over: Partial<Action> = {}): Action {
  return {
    id: "a1",
    plan_version_id: "p1",
    household_id: "h1",
    lineage_id: "l1",
    service_id: null,
    title: "送医",
    category: "medical",
    partner_id: null,
    provider_name: null,
    responsible_name: null,
    responsible_phone: null,
    amount_fen: null,
    recurrence: null,
    start_on: "2026-01-10",
    lasting: false,
    ends_on: null,
    schedule: { zh: "一次性，2026-01-10", en: "Once, on 2026-01-10" },
    status: "active",
    note: null,
    need_ids: [],
    ...over,
  };
}

describe("planToPrint", () => {
  it("prints the plan in force, approved, even while a revision is worked on", () => {
    const inForce = detail(plan({ id: "p2", version_no: 2 }));
    const working = detail(plan({ id: "p3", version_no: 3, status: "draft", decided_by: null, in_force_from: null }));
    const p = planToPrint({ plan_in_force: inForce, working_plan: working });
    expect(p?.detail.plan.id).toBe("p2");
    expect(p?.approved).toBe(true);
    expect(reviewerId(p)).toBe("sup");
  });

  it("falls back to the working version, not approved and without a reviewer", () => {
    for (const status of ["draft", "submitted", "returned"] as const) {
      const working = detail(plan({ status, decided_by: status === "returned" ? "sup" : null, in_force_from: null }));
      const p = planToPrint({ plan_in_force: null, working_plan: working });
      expect(p?.detail).toBe(working);
      expect(p?.approved, status).toBe(false);
      expect(reviewerId(p), status).toBeNull();
    }
  });

  it("has nothing to print without a plan", () => {
    expect(planToPrint({ plan_in_force: null, working_plan: null })).toBeNull();
    expect(reviewerId(null)).toBeNull();
  });
});

describe("approvalDate", () => {
  it("is the day the plan came into force", () => {
    expect(approvalDate(plan())).toBe("2026-01-05");
    expect(approvalDate(plan({ status: "superseded", in_force_from: "2025-12-01" }))).toBe("2025-12-01");
  });
  it("falls back to the local date of the decision", () => {
    const at = new Date(2026, 2, 7, 9, 30);
    expect(approvalDate(plan({ in_force_from: null, decided_at: at.toISOString() }))).toBe("2026-03-07");
    expect(approvalDate(plan({ in_force_from: null, decided_at: null }))).toBeNull();
    expect(approvalDate(plan({ in_force_from: null, decided_at: "not a time" }))).toBeNull();
  });
  it("is none for a version not approved", () => {
    expect(approvalDate(plan({ status: "draft" }))).toBeNull();
    expect(approvalDate(plan({ status: "submitted" }))).toBeNull();
    expect(approvalDate(plan({ status: "returned" }))).toBeNull();
  });
});

describe("needsToPrint", () => {
  const needs = [
    need("met-high", { status: "met", priority: "high" }),
    need("open-low", { priority: "low" }),
    need("withdrawn", { status: "withdrawn", priority: "high" }),
    need("progress-high", { status: "in_progress", priority: "high" }),
    need("open-high-later", { priority: "high", found_on: "2026-02-01" }),
    need("open-high", { priority: "high" }),
    need("withdrawn-answered", { status: "withdrawn" }),
  ];

  it("puts the needs being worked on first, the urgent and older ones first, and leaves withdrawn ones out", () => {
    const p = detail(plan(), [action({ need_ids: ["withdrawn-answered", "open-low"] })]);
    expect(needsToPrint(needs, p).map((n) => n.id)).toEqual([
      "open-high",
      "open-high-later",
      "open-low",
      "progress-high",
      "met-high",
      "withdrawn-answered",
    ]);
  });

  it("does not change the list it is given", () => {
    const copy = [...needs];
    needsToPrint(needs, null);
    expect(needs).toEqual(copy);
    expect(needsToPrint(needs, null).map((n) => n.id)).not.toContain("withdrawn-answered");
  });
});

describe("answeredNeeds", () => {
  const printed = [need("n1", { category: "medical" }), need("n2", { category: "education" }), need("n3")];

  it("names each need by its number in the printed list, in order, once", () => {
    i18n.locale = "zh-CN";
    expect(answeredNeeds(action({ need_ids: ["n3", "n1"] }), printed, [])).toBe("1、3");
    expect(answeredNeeds(action({ need_ids: ["n2", "n2"] }), printed, [])).toBe("2");
    i18n.locale = "en";
    expect(answeredNeeds(action({ need_ids: ["n2", "n1"] }), printed, [])).toBe("1, 2");
  });

  it("names a need known only to the plan by its category, and skips unknown ones", () => {
    i18n.locale = "zh-CN";
    const planNeeds = [{ need_id: "gone", category: "housing" as const, priority: "low" as const, description: "", status: "met" as const }];
    expect(answeredNeeds(action({ need_ids: ["gone", "n1", "nowhere"] }), printed, planNeeds)).toBe("1、住房");
    expect(answeredNeeds(action(), printed, planNeeds)).toBe("");
  });
});

describe("providers and responsible persons", () => {
  const partners = new Map([["pt", "县医院"]]);

  it("names the partner and the provider once each", () => {
    i18n.locale = "zh-CN";
    expect(providerOf(action({ partner_id: "pt" }), partners)).toBe("县医院");
    expect(providerOf(action({ partner_id: "pt", provider_name: "县医院" }), partners)).toBe("县医院");
    expect(providerOf(action({ partner_id: "pt", provider_name: "李医生" }), partners)).toBe("县医院、李医生");
    expect(providerOf(action({ partner_id: "unknown", provider_name: null }), partners)).toBe("");
  });

  it("gives the responsible person with the phone when known", () => {
    i18n.locale = "zh-CN";
    expect(responsibleOf(action({ responsible_name: "王芳", responsible_phone: "13800000000" }))).toBe("王芳 13800000000");
    expect(responsibleOf(action({ responsible_name: "王芳" }))).toBe("王芳");
    expect(responsibleOf(action({ responsible_phone: "13800000000" }))).toBe("");
    i18n.locale = "en";
    expect(responsibleOf(action({ responsible_name: "Wang Fang", responsible_phone: "138" }))).toBe("Wang Fang, 138");
  });
});

describe("pagesFor", () => {
  it("measures the A4 page less its margins", () => {
    expect(mmToPx(25.4)).toBeCloseTo(96, 9);
    expect(A4_CONTENT_PX).toBeCloseTo(1009.13, 1);
  });
  it("counts the pages a height takes", () => {
    expect(pagesFor(0)).toBe(1);
    expect(pagesFor(Number.NaN)).toBe(1);
    expect(pagesFor(500)).toBe(1);
    expect(pagesFor(A4_CONTENT_PX + 1)).toBe(1);
    expect(pagesFor(A4_CONTENT_PX + 20)).toBe(2);
    expect(pagesFor(A4_CONTENT_PX * 2 + 20)).toBe(3);
    expect(pagesFor(300, 100)).toBe(3);
  });
});
