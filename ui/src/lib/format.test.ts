import { describe, expect, it } from "vitest";
import { addDays, daysBetween, fenToYuan, todayIso, yuanToFen } from "./format";

describe("money", () => {
  it("parses yuan as typed into fen", () => {
    expect(yuanToFen("500")).toBe(50000);
    expect(yuanToFen("1,000.5")).toBe(100050);
    expect(yuanToFen("￥80.05")).toBe(8005);
    expect(yuanToFen("")).toBeNull();
    expect(yuanToFen("-3")).toBe(-300);
    expect(yuanToFen("12.345")).toBeNaN();
    expect(yuanToFen("abc")).toBeNaN();
  });
  it("shows fen as yuan", () => {
    expect(fenToYuan(50000)).toBe("500");
    expect(fenToYuan(1250)).toBe("12.50");
    expect(fenToYuan(null)).toBe("");
  });
});

describe("dates", () => {
  it("formats local today and counts days", () => {
    expect(todayIso(new Date(2026, 0, 5))).toBe("2026-01-05");
    expect(daysBetween("2026-11-01", "2026-11-28")).toBe(27);
  });
  it("adds calendar days across months, years and leap days", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(addDays("2025-12-31", 1)).toBe("2026-01-01");
    expect(addDays("2026-05-20", -83)).toBe("2026-02-26");
  });
});
