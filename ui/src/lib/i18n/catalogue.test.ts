import { describe, expect, it } from "vitest";
import { errorText, fieldLabel, fill, i18n, label, money, t } from "./index.svelte";
import { enEnums, zhEnums } from "./enums";
import * as campaign from "./messages/campaign";
import * as dashboard from "./messages/dashboard";
import * as errors from "./messages/errors";
import * as exportm from "./messages/export";
import * as print from "./messages/print";

describe("catalogue", () => {
  it("fills placeholders and leaves unknown ones", () => {
    expect(fill("{a} / {b}", { a: 1 })).toBe("1 / {b}");
  });

  it("translates error codes, and an unknown one to the general sentence naming it", () => {
    i18n.locale = "zh-CN";
    expect(errorText("validation.id_number.checksum")).toBe(errors.zh["err.validation.id_number.checksum"]);
    expect(errorText("not_found.household")).toBe(errors.zh["err.not_found.household"]);
    expect(errorText("something.new.entirely")).toContain("something.new.entirely");
    i18n.locale = "en";
    expect(errorText("validation.required")).toBe("This is required.");
    expect(errorText("internal")).toContain("internal");
  });

  it("names fields by the last part of the core's path", () => {
    i18n.locale = "zh-CN";
    expect(fieldLabel("member.id_number")).toBe("身份证号");
    expect(fieldLabel("supports[0].monthly_fen")).toBe("每月金额");
    expect(fieldLabel(undefined)).toBeNull();
    i18n.locale = "en";
    expect(fieldLabel("action.recurrence.interval")).toBe("Interval");
  });

  it("labels enumerations and money in both languages", () => {
    i18n.locale = "zh-CN";
    expect(label("HouseholdStatus", "active")).toBe("帮扶中");
    expect(t("nav.today")).toBe("今日");
    expect(money(50000)).toBe("¥500.00");
    i18n.locale = "en";
    expect(label("HouseholdStatus", "active")).toBe("Active");
    expect(t("nav.today")).toBe("Today");
  });

  it("prints the plan in the current language", () => {
    i18n.locale = "zh-CN";
    expect(t("print.title")).toBe("一户一策帮扶计划");
    expect(t("print.open")).toBe("打印帮扶计划");
    i18n.locale = "en";
    expect(t("print.title")).toBe("Household care plan");
    expect(t("print.open")).toBe("Print plan");
    expect(Object.keys(print.en).sort()).toEqual(Object.keys(print.zh).sort());
  });

  it("has an English text for every Chinese one, none empty", () => {
    for (const lang of ["zh-CN", "en"] as const) {
      i18n.locale = lang;
      for (const key of Object.keys(errors.zh) as (keyof typeof errors.zh)[]) {
        expect(t(key).length).toBeGreaterThan(0);
      }
      for (const key of Object.keys(dashboard.zh) as (keyof typeof dashboard.zh)[]) {
        expect(t(key).length, key).toBeGreaterThan(0);
      }
      for (const key of Object.keys(print.zh) as (keyof typeof print.zh)[]) {
        expect(t(key).length, key).toBeGreaterThan(0);
      }
      for (const key of Object.keys(campaign.zh) as (keyof typeof campaign.zh)[]) {
        expect(t(key).length, key).toBeGreaterThan(0);
      }
      for (const key of Object.keys(exportm.zh) as (keyof typeof exportm.zh)[]) {
        expect(t(key).length, key).toBeGreaterThan(0);
      }
    }
  });

  it("labels festivals, campaigns, reminders and ledgers in both languages", () => {
    i18n.locale = "zh-CN";
    expect(label("Festival", "spring_festival")).toBe("春节");
    expect(label("Festival", "childrens_day")).toBe("六一儿童节");
    expect(label("LedgerKind", "ledger")).toBe("家庭台账");
    expect(label("CampaignItemStatus", "not_done")).toBe("未完成");
    i18n.locale = "en";
    expect(label("Festival", "womens_day")).toBe("Women's Day (8 March)");
    expect(label("LedgerKind", "summary")).toBe("Summary");
    for (const kind of ["Festival", "CampaignKind", "CampaignItemStatus", "ReminderRule", "LedgerKind", "LedgerFormat"] as const) {
      expect(Object.keys(enEnums[kind]).sort(), kind).toEqual(Object.keys(zhEnums[kind]).sort());
    }
  });

  it("translates the campaign and export errors", () => {
    i18n.locale = "zh-CN";
    for (const code of ["campaign.cohort.empty", "campaign.cohort.too_large", "campaign_item.transition.invalid", "export.write_failed", "validation.not_applicable"]) {
      expect(errorText(code), code).toBe(errors.zh[`err.${code}` as keyof typeof errors.zh]);
    }
  });
});
