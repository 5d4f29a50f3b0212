import { describe, expect, it } from "vitest";
import type { HouseholdQuery } from "./bindings/HouseholdQuery";
import { checkCohort, cohortFromQuery, cohortQuery, describeCohort, joinCohort, nextFestival, progressShares, splitCohort, suggestName, daysText } from "./campaign";
import { OPEN } from "./drill";
import { i18n } from "./i18n/index.svelte";
import { href, parse } from "./router.svelte";

const page = { sort: "case_no" as const, offset: 0, limit: 1 };
const listQuery = (over: Partial<HouseholdQuery>): HouseholdQuery => ({
  q: null,
  status: [],
  priority: [],
  causes: [],
  division_code: null,
  caseworker_id: null,
  overdue: null,
  needs: null,
  not_visited: null,
  occurrences: null,
  stalled: false,
  unassigned: false,
  sort: "updated_desc",
  offset: 200,
  limit: 100,
  ...over,
});

describe("checkCohort", () => {
  it("reads back the list's filters and its search text", () => {
    expect(checkCohort({ q: "王", priority: ["high"], division_code: "1101" })).toEqual({ q: "王", priority: ["high"], division_code: "1101" });
    expect(checkCohort({ q: "王" })).toEqual({ q: "王" });
    expect(checkCohort({ stalled: true })).toEqual({ stalled: true });
  });

  it("refuses anything malformed as a whole, and an empty cohort", () => {
    for (const bad of [null, [], "x", {}, { q: "" }, { q: 3 }, { q: "x".repeat(101) }, { priority: ["urgent"] }, { limit: 5 }, { q: "王", sql: "1=1" }]) {
      expect(checkCohort(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

describe("cohortQuery", () => {
  it("asks for open households only, whatever else the cohort says", () => {
    const q = cohortQuery({ causes: ["illness"], overdue: true }, page);
    expect(q?.status).toEqual(OPEN);
    expect(q).toMatchObject({ causes: ["illness"], overdue: true, q: null, priority: [], division_code: null, stalled: false, limit: 1 });
  });

  it("narrows within the open statuses, and matches nothing for closed ones alone", () => {
    expect(cohortQuery({ status: ["active", "closed"] }, page)?.status).toEqual(["active"]);
    expect(cohortQuery({ status: ["closed"] }, page)).toBeNull();
  });

  it("copies what it takes, so the request does not share the cohort's arrays", () => {
    const c = { priority: ["high" as const], needs: { category: null, status: ["open" as const], uncovered: false } };
    const q = cohortQuery(c, page);
    expect(q?.priority).not.toBe(c.priority);
    expect(q?.needs?.status).not.toBe(c.needs.status);
    expect(q?.needs).toEqual(c.needs);
  });
});

describe("cohortFromQuery", () => {
  it("keeps the list's filters and drops its paging and sorting", () => {
    const c = cohortFromQuery(listQuery({ q: " 王 ", priority: ["high"], division_code: "110101", caseworker_id: "s-1", overdue: true }), {
      division_name: "东城区",
      caseworker_name: "李社工",
    });
    expect(c).toEqual({ q: "王", priority: ["high"], division_code: "110101", division_name: "东城区", caseworker_id: "s-1", caseworker_name: "李社工", overdue: true });
    expect(cohortFromQuery(listQuery({}))).toEqual({});
  });

  it("reads back through the new-campaign address", () => {
    const cohort = cohortFromQuery(listQuery({ status: ["active"], causes: ["disability"], stalled: true, not_visited: { from: "2026-01-01", to: "2026-03-01" } }));
    const h = href({ name: "campaign-new", cohort });
    expect(h.startsWith("#/campaigns/new/")).toBe(true);
    expect(h.split("/")).toHaveLength(4);
    expect(parse(h)).toEqual({ name: "campaign-new", cohort });
  });
});

describe("splitCohort and joinCohort", () => {
  it("gives the form its controls and carries the rest", () => {
    const c = { q: "王", status: ["active" as const], priority: ["high" as const], division_code: "1101", division_name: "北京市", caseworker_id: "s-1", caseworker_name: "李", overdue: true, stalled: true };
    const sup = splitCohort(c, true);
    expect(sup.form).toEqual({ priority: ["high"], causes: [], division_code: "1101", division_name: "北京市", caseworker_id: "s-1", overdue: true });
    expect(sup.extra).toEqual({ q: "王", status: ["active"], stalled: true });
    expect(joinCohort(sup.form, sup.extra)).toEqual({ q: "王", status: ["active"], priority: ["high"], division_code: "1101", division_name: "北京市", caseworker_id: "s-1", overdue: true, stalled: true });
  });

  it("leaves the caseworker to the carried conditions for a caseworker", () => {
    const { form, extra } = splitCohort({ caseworker_id: "s-1", caseworker_name: "李" }, false);
    expect(form.caseworker_id).toBe("");
    expect(extra).toEqual({ caseworker_id: "s-1", caseworker_name: "李" });
  });

  it("drops the open statuses (the form asks for those anyway) and keeps 'within cadence'", () => {
    const { form, extra } = splitCohort({ status: [...OPEN], overdue: false }, true);
    expect(extra).toEqual({ overdue: false });
    expect(form.overdue).toBe(false);
    expect(splitCohort(undefined, true).extra).toEqual({});
  });

  it("describes the carried conditions with the search text first", () => {
    i18n.locale = "zh-CN";
    expect(describeCohort({ q: "王", stalled: true })).toEqual(["搜索“王”", "有服务中断的家庭"]);
    expect(describeCohort({})).toEqual([]);
  });
});

describe("festivals", () => {
  const upcoming = [
    { festival: "mid_autumn" as const, date: "2027-09-15", days_until: 200 },
    { festival: "spring_festival" as const, date: "2027-02-06", days_until: 9 },
    { festival: "spring_festival" as const, date: "2028-01-26", days_until: 363 },
  ];

  it("finds a festival's next date", () => {
    expect(nextFestival(upcoming, "spring_festival")?.date).toBe("2027-02-06");
    expect(nextFestival(upcoming, "lantern")).toBeNull();
  });

  it("suggests a name from the festival and its year", () => {
    i18n.locale = "zh-CN";
    expect(suggestName("spring_festival", "2027-02-06")).toBe("2027年春节慰问");
    i18n.locale = "en";
    expect(suggestName("mid_autumn", "2027-09-15")).toBe("Mid-Autumn Festival 2027");
  });

  it("says how far off a day is", () => {
    i18n.locale = "zh-CN";
    expect(daysText(0)).toBe("就在今天");
    expect(daysText(5)).toBe("5 天后");
    expect(daysText(-3)).toBe("已过 3 天");
  });
});

describe("progressShares", () => {
  it("shares the lines out in per cent", () => {
    expect(progressShares({ total: 3, done: 1, not_done: 1, pending: 1 })).toEqual({ done: 33.3, not_done: 33.3, pending: 33.3 });
    expect(progressShares({ total: 4, done: 4, not_done: 0, pending: 0 })).toEqual({ done: 100, not_done: 0, pending: 0 });
    expect(progressShares({ total: 0, done: 0, not_done: 0, pending: 0 })).toEqual({ done: 0, not_done: 0, pending: 0 });
  });
});
