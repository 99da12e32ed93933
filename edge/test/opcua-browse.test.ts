/** `opcua browse` against the test server: Variables found, YAML that the config schema accepts. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { runOpcuaBrowse } from "../src/cli/opcua-browse";
import { opcuaDeviceSchema } from "../src/config";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";

const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-browse-"));
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("opcua browse", () => {
  it("writes a device config with one browse-path point per Variable", async () => {
    const port = await freePort();
    server = await startTestServer({ port, pkiDir: join(dir, "server"), values: {}, nodeIdBase: 7000 });
    const endpoint = `opc.tcp://127.0.0.1:${port}`;
    const yaml = await runOpcuaBrowse({
      endpoint,
      deviceId: "340111-BRG-00001-D01",
      start: "/Objects/1:Plant",
      stateDir: join(dir, "state"),
    });
    expect(yaml).toContain("/Objects/1:Plant/1:Line1/1:temp_1 = ns=1;i=7002");
    const [device] = parse(yaml) as unknown[];
    const parsed = opcuaDeviceSchema.parse(device);
    expect(parsed.points.map((p) => [p.key, p.browsePath])).toEqual([
      ["temp_1", "/Objects/1:Plant/1:Line1/1:temp_1"],
      ["pressure_1", "/Objects/1:Plant/1:Line1/1:pressure_1"],
      ["level_1", "/Objects/1:Plant/1:Line1/1:level_1"],
    ]);
  }, 60_000);
});
