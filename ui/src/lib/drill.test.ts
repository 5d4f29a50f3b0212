import { describe, expect, it } from "vitest";
import { checkDrill, describeDrill, mergeQuery, OPEN, type OwnFilters } from "./drill";
import { i18n } from "./i18n/index.svelte";

const page = { sort: "case_no" as const, offset: 0, limit: 100 };
const none: OwnFilters = { q: null, status: "", priority: "", cause: "", division_code: null, caseworker_id: null, overdue: false };

describe("mergeQuery", () => {
  it("sends the drill filter alone when the list has none of its own", () => {
    const q = mergeQuery(none, { division_code: "1101", status: OPEN, needs: { category: "medical", status: ["open"], uncovered: false }, division_name: "x" }, page);
    expect(q).toEqual({
      q: null,
      status: OPEN,
      priority: [],
      causes: [],
      division_code: "1101",
      caseworker_id: null,
      overdue: null,
      needs: { category: "medical", status: ["open"], uncovered: false },
      not_visited: null,
      occurrences: null,
      stalled: false,
      unassigned: false,
      ...page,
    });
    expect(q).not.toHaveProperty("division_name");
  });

  it("narrows to what both allow, and to nothing when they disagree", () => {
    expect(mergeQuery({ ...none, status: "active" }, { status: OPEN }, page)?.status).toEqual(["active"]);
    expect(mergeQuery({ ...none, status: "closed" }, { status: OPEN }, page)).toBeNull();
    expect(mergeQuery({ ...none, priority: "low" }, { priority: ["high"] }, page)).toBeNull();
    expect(mergeQuery({ ...none, division_code: "1101" }, { division_code: "110101" }, page)?.division_code).toBe("110101");
    expect(mergeQuery({ ...none, division_code: "110101001" }, { division_code: "110101" }, page)?.division_code).toBe("110101001");
    expect(mergeQuery({ ...none, division_code: "1102" }, { division_code: "110101" }, page)).toBeNull();
    expect(mergeQuery({ ...none, caseworker_id: "a" }, { caseworker_id: "b" }, page)).toBeNull();
    expect(mergeQuery({ ...none, overdue: true }, { stalled: true }, page)).toMatchObject({ overdue: true, stalled: true });
  });

  it("lets the drill's causes replace the list's own", () => {
    expect(mergeQuery({ ...none, cause: "disaster" }, { causes: ["illness"] }, page)?.causes).toEqual(["illness"]);
    expect(mergeQuery({ ...none, cause: "disaster" }, null, page)?.causes).toEqual(["disaster"]);
  });
});

describe("checkDrill", () => {
  it("keeps a well-formed filter and refuses anything else whole", () => {
    expect(checkDrill({ division_code: "1101", overdue: true })).toEqual({ division_code: "1101", overdue: true });
    expect(checkDrill({ division_code: "1101", overdue: "true" })).toBeNull();
    expect(checkDrill({ division_code: "1101", limit: 5 })).toBeNull();
    expect(checkDrill({ not_visited: { from: "2026-01-01", to: "x" } })).toBeNull();
    expect(checkDrill("1101")).toBeNull();
  });
});

describe("describeDrill", () => {
  it("says what the list keeps, in the current language", () => {
    const d = { division_code: "1101", division_name: "东城区", status: OPEN, needs: { category: "medical" as const, status: ["open" as const], uncovered: false } };
    i18n.locale = "zh-CN";
    expect(describeDrill(d)).toEqual(["有“医疗”类需求的家庭", "需求状态：待解决", "状态：未结案", "区划：东城区"]);
    i18n.locale = "en";
    expect(describeDrill({ occurrences: { status: "due", from: "2026-03-02", to: "2026-03-04" }, caseworker_id: "s1" })).toEqual([
      "Households with a service “due, not recorded” due 2026-03-02 to 2026-03-04",
      "Caseworker: s1",
    ]);
    i18n.locale = "zh-CN";
  });
});
