import { describe, expect, it } from "vitest";
import { checkId, normaliseId } from "./idcard";
// The vectors the core's test reads too (tests/id_vectors.rs): both checks must agree.
import shared from "../../../tests/fixtures/id_vectors.json";

// Fictional numbers built with the GB 11643 rule (the region and dates are real, people are not).
function withCheck(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, c, i) => acc + Number(c) * (w[i] ?? 0), 0);
  return first17 + "10X98765432"[sum % 11];
}

describe("checkId", () => {
  it("accepts a valid number and reads birth date and sex", () => {
    const id = withCheck("32132419850312002");
    expect(checkId(id)).toEqual({ ok: true, birthDate: "1985-03-12", sex: "female" });
    const male = withCheck("32132420120601001");
    expect(checkId(male)).toMatchObject({ ok: true, birthDate: "2012-06-01", sex: "male" });
  });

  it("flags a wrong check digit", () => {
    const id = withCheck("32132419850312002");
    const last = id.at(-1) === "1" ? "2" : "1";
    expect(checkId(id.slice(0, 17) + last)).toEqual({ ok: false, code: "checksum" });
  });

  it("treats a short run of digits as still being typed, and letters as wrong", () => {
    expect(checkId("3213241985")).toEqual({ ok: false, code: "incomplete" });
    expect(checkId("")).toEqual({ ok: false, code: "incomplete" });
    expect(checkId("32132419850312A021")).toEqual({ ok: false, code: "format" });
    expect(checkId("3213241985031200211")).toEqual({ ok: false, code: "format" });
  });

  it("refuses impossible birth dates", () => {
    expect(checkId(withCheck("32132419850230002"))).toEqual({ ok: false, code: "birth_date" });
    expect(checkId(withCheck("32132418991231002"))).toEqual({ ok: false, code: "birth_date" });
  });

  it("folds full-width digits and Ｘ typed with a Chinese input method, like the core", () => {
    const id = withCheck("32132419850312002");
    const wide = [...id].map((c) => (c === "X" ? "ｘ" : String.fromCharCode(c.charCodeAt(0) + 0xfee0))).join("");
    expect(normaliseId(wide)).toBe(id);
    expect(checkId(wide)).toEqual({ ok: true, birthDate: "1985-03-12", sex: "female" });
  });

  it("normalises spaces and a lower-case x like the core", () => {
    expect(normaliseId("\u3000 11010519491231002x ")).toBe("11010519491231002X");
  });
});

describe("the vectors shared with the core", () => {
  it("reads every one as the core does", () => {
    expect(shared.vectors.length).toBeGreaterThanOrEqual(10);
    for (const v of shared.vectors) {
      const got = checkId(v.input);
      if (v.ok) expect(got, v.input).toEqual({ ok: true, birthDate: v.birth_date, sex: v.sex });
      else expect(got, v.input).toEqual({ ok: false, code: v.code });
    }
  });
});
