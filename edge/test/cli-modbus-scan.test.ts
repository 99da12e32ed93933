/** `citytwin-edge modbus scan`, spawned through the bin, against pymodbus with known registers. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, stopAll } from "../../test/support/child";
import { freePort } from "../../test/support/free-port";

const BIN = join(import.meta.dirname, "..", "bin", "citytwin-edge.mjs");
const SERVER = join(import.meta.dirname, "fixtures", "modbus-server.py");
let port = 0;

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

/** The cells of the row for `addr` and `type` in the 32-bit table: [ABCD, DCBA, BADC, CDAB]. */
function row(out: string, addr: string, type: string): string[] {
  const line = out.split("\n").find((l) => l.trim().split(/\s+/).slice(0, 2).join(" ") === `${addr} ${type}`);
  return line?.trim().split(/\s+/).slice(2) ?? [];
}

beforeAll(async () => {
  port = await freePort();
  await startChild("pymodbus", "/usr/bin/python3", [SERVER, String(port)]).waitFor(/READY/, 20_000);
}, 30_000);
afterAll(() => stopAll());

describe("citytwin-edge modbus scan", () => {
  const tcp = () => ["modbus", "scan", "--host", "127.0.0.1", "--port", String(port), "--timeout", "300"];

  it("reports answered, exception and timeout units and decodes FLOAT32 ABCD", async () => {
    const r = await cli([...tcp(), "--units", "1-3", "--start", "0", "--count", "4"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("unit 1: answered");
    expect(r.stdout).toContain("unit 2: exception 2 (Illegal Data Address)");
    expect(r.stdout).toContain("unit 3: timeout");
    expect(r.stdout).toMatch(/^ +0 +0x42f6 +17142 /m);
    expect(row(r.stdout, "0..1", "FLOAT32")[0]).toBe("123.456");
    expect(row(r.stdout, "0..1", "UINT32")[0]).toBe(String(0x42f6e979));
    expect(r.stdout).toContain("1 of 3 units answered");
  }, 60_000);

  it("shows the word-swapped (CDAB) FLOAT32 and a UINT32 side by side", async () => {
    const r = await cli([...tcp(), "--units", "1", "--start", "100", "--count", "4"]);
    expect(r.code).toBe(0);
    const f = row(r.stdout, "100..101", "FLOAT32");
    expect(f[3]).toBe("123.456");
    expect(f[0]).not.toBe("123.456");
    expect(row(r.stdout, "102..103", "UINT32")[0]).toBe("123456");
  }, 60_000);

  it("exits 1 when no unit answers, and 2 on a bad option", async () => {
    const r = await cli([...tcp(), "--units", "3", "--timeout", "200"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("0 of 1 units answered");
    expect((await cli([...tcp(), "--table", "bogus"])).code).toBe(2);
  }, 60_000);
});
