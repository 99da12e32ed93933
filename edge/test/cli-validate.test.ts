/** `citytwin-edge validate`, spawned through the bin: summary and exit 0, or errors with lines and exit 2. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "..", "bin", "citytwin-edge.mjs");
const PROFILES = join(import.meta.dirname, "..", "profiles");
const dir = mkdtempSync(join(tmpdir(), "ct-edge-cli-validate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI; resolves with exit code and output instead of throwing on a non-zero exit. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const GOOD = `version: 1
gateway: { tenant: hefei, id: gw-binhu-01 }
mqtt: { url: "mqtt://127.0.0.1:1883" }
profileDirs: [${PROFILES}]
devices:
  - { id: 340111-GVC-00007-D01, driver: modbus-tcp, profile: ct-gd100-methane, host: 127.0.0.1, unitId: 1 }
  - id: 340111-BRG-00001-D01
    driver: opcua
    endpoint: opc.tcp://127.0.0.1:4840
    points:
      - { key: strain_1, nodeId: "ns=1;s=strain_1" }
      - { key: strain_2, nodeId: "ns=1;s=strain_2" }
`;

describe("citytwin-edge validate", () => {
  it("summarises a good config and exits 0", async () => {
    writeFileSync(join(dir, "good.yaml"), GOOD);
    const r = await cli(["validate", "--config", join(dir, "good.yaml")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("2 devices, 3 points");
    expect(r.stdout).toMatch(/340111-BRG-00001-D01 {2}opcua {2}2 points/);
  }, 60_000);

  it("reports every error with file, path and line, and exits 2", async () => {
    const bad = GOOD.replace("profile: ct-gd100-methane", "profile: no-such-profile").replace(
      "      - { key: strain_2",
      "      - { key: strain_2, bogus: 1",
    );
    const file = join(dir, "bad.yaml");
    writeFileSync(file, bad);
    const r = await cli(["validate", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: devices[1].points[1].bogus (line 12:`);
    // Schema errors stop before profile resolution, so fix it and see the profile error's line.
    writeFileSync(file, GOOD.replace("profile: ct-gd100-methane", "profile: no-such-profile"));
    const r2 = await cli(["validate", "--config", file]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(
      new RegExp(`${file}: devices\\[0\\]\\.profile \\(line 6:\\d+\\): unknown profile`),
    );
  }, 60_000);

  it("prints usage for --help and refuses unknown commands", async () => {
    expect((await cli(["validate", "--help"])).stdout).toContain("Usage: citytwin-edge validate");
    const r = await cli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command: frobnicate");
  }, 60_000);
});
