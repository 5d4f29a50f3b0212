import { describe, expect, it } from "vitest";
import { percent, showing, type Progress } from "./keyRotation";

const at = (step: Progress["step"], done_bytes: number, total_bytes: number): Progress => ({ step, done_bytes, total_bytes });

describe("key rotation progress", () => {
  it("measures the copy in whole percent, never past 100", () => {
    expect(percent(at("copying", 0, 1000))).toBe(0);
    expect(percent(at("copying", 999, 1000))).toBe(99);
    expect(percent(at("copying", 1_600_000_000, 1_500_000_000))).toBe(100);
  });
  it("has no measure without a size or after the copy", () => {
    expect(percent(at("copying", 10, 0))).toBeNull();
    expect(percent(at("checking", 1000, 1000))).toBeNull();
    expect(percent(at("sealing", 1000, 1000))).toBeNull();
  });
  it("shows every step but the last", () => {
    expect(showing(null)).toBe(false);
    expect(showing(at("copying", 1, 2))).toBe(true);
    expect(showing(at("sealing", 2, 2))).toBe(true);
    expect(showing(at("done", 2, 2))).toBe(false);
  });
});
