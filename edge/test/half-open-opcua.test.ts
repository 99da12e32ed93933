/**
 * Half-open network cut on OPC UA: a TCP proxy (test/support/tcp-proxy.ts) between the driver
 * and the server switches to `blackhole` for 20 s (longer than the detection bound): the secure channel's socket stays open,
 * writes succeed locally, nothing comes back, no FIN or RST. The client must notice through
 * its own timers (subscription publish / session keep-alive, see
 * edge/src/drivers/opcua/client-setup.ts), report the device down, reconnect once the path
 * heals (the blackholed socket stays dead) and resume data on the same driver, without a
 * session flood on the server. Bounds: docs/edge-opcua.md "Half-open connections".
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
const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-halfopen-"));
const values: Record<string, number> = { temp_1: 20.5, pressure_1: 1.5, level_1: 3 };
let server: TestServer | undefined;
let proxy: TcpProxy | undefined;

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = untilWithin(20_000);

describe("OpcUaDriver half-open cut", () => {
  it("detects a 20 s blackhole, resumes data after it on the same session, no session flood", async () => {
    const serverPort = await freePort();
    server = await startTestServer({ port: serverPort, pkiDir: join(dir, "server"), values });
    proxy = await startTcpProxy(serverPort);
    const device = opcuaDeviceSchema.parse({
      id: "340111-BRG-00031-D01",
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
