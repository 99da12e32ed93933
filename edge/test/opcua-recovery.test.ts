/**
 * Fault test: the OPC UA server restarts on the same port with its variables at NEW numeric
 * NodeIds. Data must come back without restarting the driver, within a bound, by browse path
 * (re-resolved) and by NodeId, and the server must see one replacement session, not a flood.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { opcuaDeviceSchema } from "../src/config";
import { startOpcuaDriver } from "./support/opcua-driver";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";
import { sleep, untilWithin } from "../../test/support/wait";

const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-rec-"));
const values: Record<string, number> = { temp_1: 20.5, pressure_1: 1.5, level_1: 3 };
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("OpcUaDriver recovery", () => {
  it("recovers after a server restart: re-resolves browse paths, one session, capped backoff", async () => {
    const port = await freePort();
    const pkiDir = join(dir, "server");
    server = await startTestServer({ port, pkiDir, values, nodeIdBase: 1000 });
    const device = opcuaDeviceSchema.parse({
      id: "340111-BRG-00001-D01",
      driver: "opcua",
      endpoint: `opc.tcp://127.0.0.1:${port}`,
      publishingIntervalMs: 100,
      samplingIntervalMs: 50,
      reconnectMaxDelayMs: 2000,
      points: [
        { key: "temp_1", browsePath: "/Objects/1:Plant/1:Line1/1:temp_1" },
        { key: "pressure_1", browsePath: "/Objects/1:Plant/1:Line1/1:pressure_1" },
        { key: "level_1", nodeId: "ns=1;s=level_1" },
      ],
    });
    const { driver, got, health } = await startOpcuaDriver(device, join(dir, "state"));
    try {
      for (const key of ["temp_1", "pressure_1", "level_1"])
        await until(() => got.find((r) => r.key === key && r.quality === "good"));
      expect(server.sessionsCreated()).toBe(1);

      await server.stop();
      server = undefined;
      await until(() => (health.at(-1) === "down" ? true : undefined));
      // Stay down for several backoff steps: with a 2 s cap the client must not give up or spin.
      await sleep(5000);
      Object.assign(values, { temp_1: 31.25, pressure_1: 2.75, level_1: 4 });
      server = await startTestServer({ port, pkiDir, values, nodeIdBase: 5000 });
      const back = Date.now();
      for (const key of ["temp_1", "pressure_1", "level_1"])
        await until(() => got.find((r) => r.key === key && r.value === values[key] && r.quality === "good"));
      const recoveryMs = Date.now() - back;
      console.log(
        `opcua recovery ${recoveryMs} ms; sessions seen by restarted server ${server.sessionsCreated()}`,
      );
      expect(recoveryMs).toBeLessThan(15_000);
      expect(health.at(-1)).toBe("ok");
      // One replacement session (≤ 2 allows one repair retry), never a flood; one alive.
      expect(server.sessionsCreated()).toBeGreaterThanOrEqual(1);
      expect(server.sessionsCreated()).toBeLessThanOrEqual(2);
      expect(server.activeSessions()).toBe(1);
      const stats = driver.stats();
      expect(stats.opcua_sessions).toBe(1); // the driver itself never built a second session
      expect(stats.opcua_reresolved).toBe(2); // both browse paths moved to new NodeIds
      // A quiet period: no more sessions appear once recovered.
      await sleep(1500);
      expect(server.sessionsCreated()).toBeLessThanOrEqual(2);
    } finally {
      await driver.stop();
    }
  }, 90_000);
});

const until = untilWithin(20_000);
