import { describe, expect, it } from "vitest";
import { href, parse, type Route } from "./router.svelte";

describe("router", () => {
  it("round-trips every route through its address", () => {
    const routes: Route[] = [
      { name: "today" },
      { name: "households" },
      { name: "new" },
      { name: "household", id: "0192a3b4-0000-7000-8000-000000000001", tab: null },
      { name: "household", id: "0192a3b4-0000-7000-8000-000000000001", tab: "plan" },
      { name: "visit", id: "abc" },
      { name: "plan", id: "abc" },
      { name: "review" },
      { name: "review-plan", planId: "p1" },
      { name: "settings" },
    ];
    for (const r of routes) expect(parse(href(r))).toEqual(r);
  });

  it("sends an unknown address to Today", () => {
    expect(parse("#/nowhere")).toEqual({ name: "today" });
    expect(parse("")).toEqual({ name: "today" });
  });
});
