import { describe, expect, it } from "vitest";
import type { Reminder } from "./bindings/Reminder";
import { i18n } from "./i18n/index.svelte";
import { groupReminders, monthDay, reminderText } from "./reminders";

const base: Reminder = {
  rule: "school_age",
  household_id: "h1",
  case_no: "2026-0001",
  head_name: "王大山",
  member_id: "m1",
  member_name: "王小明",
  action_id: null,
  action_title: null,
  due_on: "2026-09-01",
  days_until: 90,
  exam: null,
  estimated: false,
};

describe("reminderText", () => {
  it("says each rule in Chinese", () => {
    i18n.locale = "zh-CN";
    expect(reminderText(base)).toBe("王小明 9月1日入学");
    expect(reminderText({ ...base, rule: "exam", exam: "zhongkao", estimated: true, due_on: "2026-06-16" })).toBe("王小明 中考（按年龄推算）");
    expect(reminderText({ ...base, rule: "exam", exam: "gaokao", estimated: false })).toBe("王小明 高考");
    expect(reminderText({ ...base, rule: "action_end", member_name: null, action_title: "低保", due_on: "2026-05-31" })).toBe("低保 将于 2026-05-31 结束");
    expect(reminderText({ ...base, rule: "consent", due_on: "2026-04-10", days_until: 12 })).toBe("知情同意 2026-04-10 到期");
    expect(reminderText({ ...base, rule: "consent", due_on: "2026-03-01", days_until: -28 })).toBe("知情同意已过期 28 天");
    expect(reminderText({ ...base, rule: "consent", days_until: 0 })).toBe("知情同意 2026-09-01 到期");
  });

  it("says each rule in English", () => {
    i18n.locale = "en";
    expect(reminderText(base)).toBe("王小明 starts school on 1 September");
    expect(reminderText({ ...base, rule: "consent", days_until: -1 })).toBe("Consent lapsed 1 days ago");
    expect(reminderText({ ...base, rule: "exam", exam: "something_else" })).toBe("王小明: something_else");
    i18n.locale = "zh-CN";
  });

  it("writes a month and day the way each language does", () => {
    i18n.locale = "zh-CN";
    expect(monthDay("2026-09-01")).toBe("9月1日");
    expect(monthDay("2026-12-25")).toBe("12月25日");
    expect(monthDay("bad")).toBe("bad");
    i18n.locale = "en";
    expect(monthDay("2026-06-01")).toBe("1 June");
    i18n.locale = "zh-CN";
  });
});

describe("groupReminders", () => {
  it("groups by rule in Today's order, leaving empty rules out and keeping the core's order", () => {
    const list: Reminder[] = [
      { ...base, household_id: "a" },
      { ...base, rule: "consent", household_id: "b" },
      { ...base, household_id: "c" },
    ];
    const g = groupReminders(list);
    expect(g.map((x) => x.rule)).toEqual(["consent", "school_age"]);
    expect(g[1]?.items.map((r) => r.household_id)).toEqual(["a", "c"]);
    expect(groupReminders([])).toEqual([]);
  });
});
