/**
 * Network cuts between the OPC UA driver and a running server, through a TCP proxy
 * (test/support/tcp-proxy.ts). The server keeps running, so its session survives (session
 * timeout 60 s); after each cut data must come back within a bound on the same driver, and the
 * server must see no session flood: node-opcua re-activates the existing session on a new
 * secure channel [OPC 10000-4 §5.6.3].
 *  - Clean cut (mode `reset`): every proxied connection is reset and new ones refused for 5 s.
 *  - Half-open cut (mode `blackhole`) for 20 s, longer than the detection bound: the secure
 *    channel's socket stays open, writes succeed locally, nothing comes back, no FIN or RST. The
 *    client must notice through its own timers (subscription publish / session keep-alive,
 *    edge/src/drivers/opcua/client-setup.ts), report the device down and reconnect once the
 *    path heals (the blackholed socket stays dead). Bounds: docs/edge-opcua.md "Half-open
 *    connections".
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcp-proxy";
import { sleep, untilWithin } from "../../test/support/wait";
import { opcuaDeviceSchema } from "../src/config";
import { HALF_OPEN_DETECT_MS, TRANSPORT_TIMEOUT_MS } from "../src/drivers/opcua/client-setup";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";
import { startOpcuaDriver } from "./support/opcua-driver";

const CUT_MS = HALF_OPEN_DETECT_MS + 5000;
const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-cut-"));
const values: Record<string, number> = { temp_1: 20.5, pressure_1: 1.5, level_1: 3 };
const servers: TestServer[] = [];
const proxies: TcpProxy[] = [];

afterAll(async () => {
  for (const p of proxies) await p.close();
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = untilWithin(20_000);

/** A server, a proxy in front of it and a driver through the proxy, with first data seen. */
async function cutRig(deviceId: string, name: string) {
  const serverPort = await freePort();
  const server = await startTestServer({ port: serverPort, pkiDir: join(dir, name, "server"), values });
  servers.push(server);
  const proxy = await startTcpProxy(serverPort);
  proxies.push(proxy);
  const device = opcuaDeviceSchema.parse({
    id: deviceId,
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
  const { driver, got, health } = await startOpcuaDriver(device, join(dir, name, "state"));
  for (const key of ["temp_1", "level_1"])
    await until(() => got.find((r) => r.key === key && r.quality === "good"));
  expect(server.sessionsCreated()).toBe(1);
  return { server, proxy, driver, got, health };
}

describe("OpcUaDriver network cut", () => {
  it("resumes data after a 5 s cut on the same session, without a session flood", async () => {
    const { server, proxy, driver, got, health } = await cutRig("340111-BRG-00002-D01", "reset");
    try {
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
      // Republished data can arrive before node-opcua emits "session_restored" (the driver
      // counts restores on that event), so wait for the event rather than racing it.
      await until(() => ((driver.stats().opcua_session_restores ?? 0) >= 1 ? true : undefined), 10_000);
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

  it("detects a 20 s blackhole, resumes data after it on the same session, no session flood", async () => {
    const { server, proxy, driver, got, health } = await cutRig("340111-BRG-00031-D01", "blackhole");
    try {
      proxy.set("blackhole");
      const cutAt = Date.now();
      await until(() => (health.at(-1) === "down" ? true : undefined), 30_000);
      const detectMs = Date.now() - cutAt;
      Object.assign(values, { temp_1: 41.5, level_1: 9 });
      await sleep(cutAt + CUT_MS - Date.now());
      expect(health.at(-1)).toBe("down");
      const blackholed = proxy.blackholed();

      proxy.set("forward");
      const healAt = Date.now();
      const forwardedBefore = proxy.forwarded();
      for (const key of ["temp_1", "level_1"])
        await until(
          () => got.find((r) => r.key === key && r.value === values[key] && r.quality === "good"),
          30_000,
        );
      const recoveryMs = Date.now() - healAt;
      await until(() => (health.at(-1) === "ok" ? true : undefined), 5000);
      const stats = driver.stats();
      console.log(
        `opcua half-open: detected (health down) after ${detectMs} ms (bound ${HALF_OPEN_DETECT_MS} ms); ` +
          `recovery after heal ${recoveryMs} ms; sessions created ${server.sessionsCreated()}, ` +
          `active ${server.activeSessions()}, restores ${stats.opcua_session_restores}, connection ` +
          `losses ${stats.opcua_connection_losses}, connections blackholed during the cut ${blackholed}, ` +
          `after it ${proxy.forwarded() - forwardedBefore}`,
      );
      expect(detectMs).toBeLessThan(HALF_OPEN_DETECT_MS + 3000);
      // A reconnection attempt stuck in the dead path (≤ transport timeout) + backoff (≤ 2 s) + margin.
      expect(recoveryMs).toBeLessThan(TRANSPORT_TIMEOUT_MS + 2000 + 5000);
      expect(stats.opcua_sessions).toBe(1); // the driver itself built no second session
      expect(server.sessionsCreated()).toBeLessThanOrEqual(2);
      // Reconnection is backed off (1 s doubling to 2 s), not a storm of connections.
      expect(blackholed).toBeLessThanOrEqual(10);
      expect(proxy.forwarded() - forwardedBefore).toBeLessThanOrEqual(3);

      // Data keeps flowing on the same driver.
      values.temp_1 = 42.5;
      await until(() => got.find((r) => r.key === "temp_1" && r.value === 42.5 && r.quality === "good"));
      await sleep(1500);
      expect(server.sessionsCreated()).toBeLessThanOrEqual(2);
      expect(server.activeSessions()).toBeLessThanOrEqual(2);
    } finally {
      await driver.stop();
    }
  }, 90_000);
});
