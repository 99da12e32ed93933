/** `citytwin-edge opcua browse`, spawned through the bin, against the OPC UA test server. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { opcuaDeviceSchema } from "../src/config";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";

const BIN = join(import.meta.dirname, "..", "bin", "citytwin-edge.mjs");
const dir = mkdtempSync(join(tmpdir(), "ct-edge-cli-browse-"));
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("citytwin-edge opcua browse", () => {
  it("writes a device config file whose points are the server's Variables", async () => {
    const port = await freePort();
    server = await startTestServer({ port, pkiDir: join(dir, "server"), values: {}, nodeIdBase: 7000 });
    const out = join(dir, "device.yaml");
    const args = ["opcua", "browse", "--endpoint", `opc.tcp://127.0.0.1:${port}`];
    args.push("--device-id", "340111-BRG-00001-D01", "--start", "/Objects/1:Plant", "--depth", "3");
    args.push("--out", out, "--state-dir", join(dir, "state"));
    const { stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 90_000 });
    expect(stderr).toContain(`wrote ${out}`);
    const [device] = parse(readFileSync(out, "utf8")) as unknown[];
    const parsed = opcuaDeviceSchema.parse(device);
    expect(parsed.id).toBe("340111-BRG-00001-D01");
    expect(parsed.points.map((p) => p.key)).toEqual(["temp_1", "pressure_1", "level_1"]);
    expect(parsed.points[0]?.browsePath).toBe("/Objects/1:Plant/1:Line1/1:temp_1");
  }, 120_000);
});
