import { describe, expect, it } from "vitest";
import { parseDetectArgs } from "../src/cli/detect-args";
import { cleanLine, isReadingsHeader, parseReadingLine, parseTimestamp } from "../src/cli/readings-csv";

describe("parseDetectArgs", () => {
  it("accepts the options in both spellings, with the default detector", () => {
    expect(parseDetectArgs(["--input", "a.csv", "--output=b.csv"])).toEqual({
      kind: "run",
      input: "a.csv",
      output: "b.csv",
      detector: "full",
    });
    expect(
      parseDetectArgs(["--input=a", "--output=b", "--detector", "hot-path", "--min", "-5", "--max=5"]),
    ).toEqual({
      kind: "run",
      input: "a",
      output: "b",
      detector: "hot-path",
      range: { min: -5, max: 5 },
    });
  });
  it("explains what is wrong, with exit 2", () => {
    const text = (argv: string[]): string => {
      const r = parseDetectArgs(argv);
      return r.kind === "exit" && r.code === 2 ? (r.text.split("\n")[0] ?? "") : "not an error";
    };
    expect(text(["--output", "b"])).toBe("missing --input");
    expect(text(["--input", "a", "--output"])).toBe("--output needs a value");
    expect(text(["--input", "a", "--output", "b", "--detector", "magic"])).toBe("unknown detector magic");
    expect(text(["--input", "a", "--output", "b", "--min", "1"])).toBe("--min and --max go together");
    expect(text(["--input", "a", "--output", "b", "--min", "5", "--max", "1"])).toContain("min < max");
    expect(text(["--verbose"])).toBe("unknown option --verbose");
  });
});

describe("readings CSV lines", () => {
  it("strips a BOM on the first line only, and a CR", () => {
    expect(cleanLine("\uFEFFtimestamp,value\r", true)).toBe("timestamp,value");
    expect(cleanLine("\uFEFFx", false)).toBe("\uFEFFx");
    expect(isReadingsHeader("timestamp,value")).toBe(true);
    expect(isReadingsHeader('"Timestamp", "Value"')).toBe(true);
    expect(isReadingsHeader("timestamp,value,extra")).toBe(false);
  });
  it("parses NAB, ISO and epoch timestamps as wall-clock UTC ms", () => {
    const t = Date.UTC(2014, 3, 10, 7, 15, 0);
    expect(parseTimestamp("2014-04-10 07:15:00")).toBe(t);
    expect(parseTimestamp("2014-04-10T07:15:00.000000")).toBe(t);
    expect(parseTimestamp("2014-04-10T07:15:00+08:00")).toBe(t);
    expect(parseTimestamp(String(t / 1000))).toBe(t);
    expect(parseTimestamp(String(t))).toBe(t);
    expect(parseTimestamp("2014-13-10 07:15:00")).toBeNaN();
    expect(parseTimestamp("yesterday")).toBeNaN();
  });
  it("echoes the fields' text and reports malformed rows", () => {
    expect(parseReadingLine("2014-04-10 07:15:00,1.50")).toEqual({
      tsText: "2014-04-10 07:15:00",
      valueText: "1.50",
      ts: Date.UTC(2014, 3, 10, 7, 15),
      value: 1.5,
    });
    expect(parseReadingLine("2014-04-10 07:15:00")).toMatch(/expected "timestamp,value"/);
    expect(parseReadingLine("2014-04-10 07:15:00,1,2")).toBe("expected 2 fields, got 3");
    expect(parseReadingLine("2014-04-10 07:15:00,")).toBe('bad value ""');
    expect(parseReadingLine("soon,1")).toBe('bad timestamp "soon"');
  });
});
