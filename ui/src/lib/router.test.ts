import { describe, expect, it } from "vitest";
import { href, parse, type Route } from "./router.svelte";

describe("router", () => {
  it("round-trips every route through its address", () => {
    const routes: Route[] = [
      { name: "today" },
      { name: "dashboard" },
      { name: "dashboard", division: "110101" },
      { name: "dashboard", period: { from: "2026-01-01", to: "2026-03-25" } },
      { name: "dashboard", division: "110101001001", period: { from: "2026-01-01", to: "2026-03-25" } },
      { name: "households" },
      { name: "households", drill: { division_code: "1101", status: ["active"] } },
      {
        name: "households",
        drill: {
          division_code: "110101",
          division_name: "东城区 / 景山街道",
          status: ["referred", "assessing", "active", "monitoring"],
          needs: { category: "medical", status: ["open"], uncovered: false },
        },
      },
      { name: "households", drill: { occurrences: { status: "due", from: "2026-02-02", to: "2026-02-04" } } },
      { name: "households", drill: { not_visited: { from: "2026-01-01", to: "2026-03-25" }, caseworker_id: "s-1" } },
      { name: "new" },
      { name: "household", id: "0192a3b4-0000-7000-8000-000000000001", tab: null },
      { name: "household", id: "0192a3b4-0000-7000-8000-000000000001", tab: "plan" },
      { name: "visit", id: "abc" },
      { name: "plan", id: "abc" },
      { name: "print", id: "abc" },
      { name: "print", id: "0192a3b4-0000-7000-8000-000000000001" },
      { name: "review" },
      { name: "review-plan", planId: "p1" },
      { name: "campaigns" },
      { name: "campaign-new" },
      { name: "campaign-new", cohort: { priority: ["high"], division_code: "110101", division_name: "东城区" } },
      { name: "campaign-new", cohort: { q: "王 / 李", status: ["active"], overdue: true } },
      { name: "campaign", id: "0192a3b4-0000-7000-8000-000000000001" },
      { name: "settings" },
    ];
    for (const r of routes) expect(parse(href(r))).toEqual(r);
  });

  it("carries a drill filter as JSON in one part of the address", () => {
    const r: Route = { name: "households", drill: { division_code: "1101", stalled: true } };
    const h = href(r);
    expect(h).toBe(`#/households/filter/${encodeURIComponent('{"division_code":"1101","stalled":true}')}`);
    expect(h.split("/")).toHaveLength(4);
    expect(parse(h)).toEqual(r);
  });

  it("falls back to the plain list when the drill filter does not read back", () => {
    const plain = { name: "households" };
    for (const bad of [
      "#/households/filter/%7Bnot%20json",
      "#/households/filter/%E0%A4%A",
      `#/households/filter/${encodeURIComponent("[1,2]")}`,
      `#/households/filter/${encodeURIComponent("null")}`,
      `#/households/filter/${encodeURIComponent("{}")}`,
      `#/households/filter/${encodeURIComponent('{"status":["sleeping"]}')}`,
      `#/households/filter/${encodeURIComponent('{"status":[]}')}`,
      `#/households/filter/${encodeURIComponent('{"division_code":"x1"}')}`,
      `#/households/filter/${encodeURIComponent('{"occurrences":{"status":"done","from":"2026-01-01"}}')}`,
      `#/households/filter/${encodeURIComponent('{"needs":{"category":"bogus"}}')}`,
      `#/households/filter/${encodeURIComponent('{"stalled":"yes"}')}`,
      `#/households/filter/${encodeURIComponent('{"sql":"1=1"}')}`,
      "#/households/filter",
    ]) {
      expect(parse(bad), bad).toEqual(plain);
      expect(parse(bad)).not.toHaveProperty("drill");
    }
  });

  it("fills a partly given need filter with the core's defaults", () => {
    expect(parse(`#/households/filter/${encodeURIComponent('{"needs":{"uncovered":true}}')}`)).toEqual({
      name: "households",
      drill: { needs: { category: null, status: [], uncovered: true } },
    });
  });

  it("ignores dashboard parameters that do not read back", () => {
    expect(parse("#/dashboard/in/abc/from/2026-01-01")).toEqual({ name: "dashboard" });
    expect(parse("#/dashboard/from/2026-1-1/to/2026-02-01")).toEqual({ name: "dashboard" });
  });

  it("addresses a household's printable plan under the household", () => {
    const id = "0192a3b4-0000-7000-8000-000000000001";
    expect(href({ name: "print", id })).toBe(`#/households/${id}/print`);
    expect(parse(`#/households/${id}/print`)).toEqual({ name: "print", id });
    expect(parse("#households/a%2Fb/print")).toEqual({ name: "print", id: "a/b" });
    // Not a household called "print", nor the print page of the list.
    expect(parse("#/households/print")).toEqual({ name: "household", id: "print", tab: null });
    expect(parse(`#/households/${id}/section/print`)).toEqual({ name: "household", id, tab: "print" });
  });

  it("addresses campaigns, a new one with its cohort as JSON in one part", () => {
    expect(href({ name: "campaigns" })).toBe("#/campaigns");
    expect(href({ name: "campaign-new" })).toBe("#/campaigns/new");
    expect(href({ name: "campaign", id: "c1" })).toBe("#/campaigns/c1");
    const h = href({ name: "campaign-new", cohort: { causes: ["illness"] } });
    expect(h).toBe(`#/campaigns/new/${encodeURIComponent('{"causes":["illness"]}')}`);
    expect(parse("#/campaigns/c1")).toEqual({ name: "campaign", id: "c1" });
  });

  it("opens the plain new-campaign form when the cohort does not read back", () => {
    for (const bad of [
      "#/campaigns/new/%7Bnot%20json",
      "#/campaigns/new/%E0%A4%A",
      `#/campaigns/new/${encodeURIComponent("{}")}`,
      `#/campaigns/new/${encodeURIComponent('{"priority":["urgent"]}')}`,
      `#/campaigns/new/${encodeURIComponent('{"q":""}')}`,
      `#/campaigns/new/${encodeURIComponent('{"limit":1}')}`,
    ]) {
      expect(parse(bad), bad).toEqual({ name: "campaign-new" });
    }
  });

  it("sends an unknown address to Today", () => {
    expect(parse("#/nowhere")).toEqual({ name: "today" });
    expect(parse("")).toEqual({ name: "today" });
  });
});
