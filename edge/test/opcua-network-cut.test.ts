/**
 * Network cut without a server restart: a TCP proxy (test/support/tcp-proxy.ts) sits between the
 * driver and the OPC UA server. The cut (mode `reset`) resets every proxied connection and
 * refuses (resets) new ones for 5 s; the server keeps running, so its session survives (session timeout 60 s). After the cut data must
 * come back within a bound, and the server must see no session flood: node-opcua re-activates
 * the existing session on a new secure channel [OPC 10000-4 §5.6.3].
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcp-proxy";
import { opcuaDeviceSchema } from "../src/config";
import { startOpcuaDriver } from "./support/opcua-driver";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";
import { sleep, untilWithin } from "../../test/support/wait";

const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-cut-"));
const values: Record<string, number> = { temp_1: 20.5, pressure_1: 1.5, level_1: 3 };
let server: TestServer | undefined;
let proxy: TcpProxy | undefined;

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = untilWithin(20_000);

describe("OpcUaDriver network cut", () => {
  it("resumes data after a 5 s cut on the same session, without a session flood", async () => {
    const serverPort = await freePort();
    server = await startTestServer({ port: serverPort, pkiDir: join(dir, "server"), values });
    proxy = await startTcpProxy(serverPort);
    const device = opcuaDeviceSchema.parse({
      id: "340111-BRG-00002-D01",
      driver: "opcua",
      endpoint: `opc.tcp://127.0.0.1:${proxy.port}`,
      publishingIntervalMs: 100,
      samplingIntervalMs: 50,
      reconnectMaxDelayMs: 2000,
      points: [
        { key: "temp_1", browsePath: "/Objects/1:Plant/1:Line1/1:temp_1" },
        { key: "level_1", nodeId: "ns=1;s=level_1" },
      ],
    });
    const { driver, got, health } = await startOpcuaDriver(device, join(dir, "state"));
    try {
      for (const key of ["temp_1", "level_1"])
        await until(() => got.find((r) => r.key === key && r.quality === "good"));
      expect(server.sessionsCreated()).toBe(1);

      proxy.set("reset");
      await until(() => (health.at(-1) === "down" ? true : undefined));
      Object.assign(values, { temp_1: 33.5, level_1: 7 });
      await sleep(5000);
      const during = proxy.forwarded();
      proxy.set("forward");
      const back = Date.now();
      for (const key of ["temp_1", "level_1"])
        await until(() => got.find((r) => r.key === key && r.value === values[key] && r.quality === "good"));
      const recoveryMs = Date.now() - back;
      const stats = driver.stats();
      console.log(
        `opcua network-cut recovery ${recoveryMs} ms; sessions created ${server.sessionsCreated()}, ` +
          `restores ${stats.opcua_session_restores}, attempts refused during the cut ${proxy.refused()}, ` +
          `connections after it ${proxy.forwarded() - during}`,
      );
      expect(recoveryMs).toBeLessThan(15_000);
      await until(() => (health.at(-1) === "ok" ? true : undefined), 5000);
      expect(server.sessionsCreated()).toBeLessThanOrEqual(2);
      expect(server.activeSessions()).toBe(1);
      expect(stats.opcua_sessions).toBe(1); // the driver itself built no second session
      expect(stats.opcua_session_restores).toBeGreaterThanOrEqual(1);
      // Reconnection is backed off (1 s doubling to 2 s), not a storm of connections.
      expect(proxy.refused()).toBeLessThanOrEqual(10);
      expect(proxy.forwarded() - during).toBeLessThanOrEqual(3);
      await sleep(1500);
      expect(server.sessionsCreated()).toBeLessThanOrEqual(2);
    } finally {
      await driver.stop();
    }
  }, 60_000);
});
