import { describe, expect, it } from "vitest";
import {
  escapeFieldString,
  escapeMeasurement,
  escapeTag,
  pointLine,
  seriesKey,
} from "../src/influx/line-protocol";

describe("line protocol", () => {
  it("escapes measurement, tags and string fields per the spec", () => {
    expect(escapeMeasurement("my gas,x=1")).toBe("my\\ gas\\,x=1");
    expect(escapeTag("a b,c=d")).toBe("a\\ b\\,c\\=d");
    expect(escapeFieldString('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it("sorts tags and drops empty values", () => {
    expect(seriesKey("water", { tenant: "t 1", asset: "A", empty: "", device: "d=1" })).toBe(
      "water,asset=A,device=d\\=1,tenant=t\\ 1",
    );
  });

  it("writes value and quality, or quality alone for a null value", () => {
    expect(pointLine("gas,sensor=s", 12.5, "good", 1700000000123)).toBe(
      'gas,sensor=s value=12.5,quality="good" 1700000000123',
    );
    expect(pointLine("gas,sensor=s", 3, "uncertain", 1)).toBe('gas,sensor=s value=3,quality="uncertain" 1');
    expect(pointLine("gas,sensor=s", null, "bad", 5)).toBe('gas,sensor=s quality="bad" 5');
  });
});
