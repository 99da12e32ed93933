import { LineCounter, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { formatIssue, parseConfigCli } from "../src";

describe("parseConfigCli", () => {
  it("runs with --config, -c and --config=", () => {
    expect(parseConfigCli(["--config", "a.yaml"], "U")).toEqual({ kind: "run", config: "a.yaml" });
    expect(parseConfigCli(["-c", "b.yaml"], "U")).toEqual({ kind: "run", config: "b.yaml" });
    expect(parseConfigCli(["--config=c.yaml"], "U")).toEqual({ kind: "run", config: "c.yaml" });
  });
  it("prints usage on --help and exits 0", () => {
    expect(parseConfigCli(["--help"], "U")).toEqual({ kind: "exit", code: 0, out: "stdout", text: "U" });
  });
  it("exits 2 with a reason for a missing file, a missing option or an unknown option", () => {
    expect(parseConfigCli(["--config"], "U")).toMatchObject({
      kind: "exit",
      code: 2,
      text: "--config needs a file\nU",
    });
    expect(parseConfigCli([], "U")).toMatchObject({ code: 2, text: "missing --config\nU" });
    expect(parseConfigCli(["--verbose"], "U")).toMatchObject({
      code: 2,
      text: "unknown option --verbose\nU",
    });
  });
});

describe("formatIssue names the file, the path and the line", () => {
  const text = "version: 1\ndevices:\n  - id: a\n    port: 99999\n";
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  it("points at the value of an existing key", () => {
    expect(formatIssue("edge.yaml", doc, lc, ["devices", 0, "port"], "too big")).toBe(
      "edge.yaml: devices[0].port (line 4:11): too big",
    );
  });
  it("points a missing key at its parent", () => {
    expect(formatIssue("edge.yaml", doc, lc, ["devices", 0, "host"], "required")).toBe(
      "edge.yaml: devices[0].host (line 3:5): required",
    );
  });
});
