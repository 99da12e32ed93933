/**
 * Network cut without a server restart: a TCP proxy sits between the driver and the OPC UA
 * server. The cut resets every proxied connection and refuses (resets) new ones for 5 s; the
 * server keeps running, so its session survives (session timeout 60 s). After the cut data must
 * come back within a bound, and the server must see no session flood: node-opcua re-activates
 * the existing session on a new secure channel [OPC 10000-4 §5.6.3].
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts } from "../../test/support/free-port";
import { opcuaDeviceSchema } from "../src/config";
import { startOpcuaDriver } from "./support/opcua-driver";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";
import { sleep, untilWithin } from "../../test/support/wait";

const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-cut-"));
const values: Record<string, number> = { temp_1: 20.5, pressure_1: 1.5, level_1: 3 };
let server: TestServer | undefined;
let proxy: CutProxy | undefined;

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** 127.0.0.1:listenPort → 127.0.0.1:targetPort; `cut()` resets all links and refuses new ones. */
interface CutProxy {
  cut(): void;
  resume(): void;
  /** Connections accepted and forwarded while not cut. */
  forwarded(): number;
  /** Connection attempts reset during the cut. */
  refused(): number;
  close(): Promise<void>;
}

async function startProxy(listenPort: number, targetPort: number): Promise<CutProxy> {
  const open = new Set<Socket>();
  let down = false;
  let forwarded = 0;
  let refused = 0;
  const srv: Server = createServer((client) => {
    if (down) {
      refused++;
      client.on("error", () => undefined);
      client.resetAndDestroy();
      return;
    }
    forwarded++;
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => srv.listen(listenPort, "127.0.0.1", resolve));
  return {
    cut() {
      down = true;
      for (const s of open) s.resetAndDestroy();
    },
    resume() {
      down = false;
    },
    forwarded: () => forwarded,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

const until = untilWithin(20_000);

describe("OpcUaDriver network cut", () => {
  it("resumes data after a 5 s cut on the same session, without a session flood", async () => {
    const [serverPort, proxyPort] = (await freePorts(2)) as [number, number];
    server = await startTestServer({ port: serverPort, pkiDir: join(dir, "server"), values });
    proxy = await startProxy(proxyPort, serverPort);
    const device = opcuaDeviceSchema.parse({
      id: "340111-BRG-00002-D01",
      driver: "opcua",
      endpoint: `opc.tcp://127.0.0.1:${proxyPort}`,
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

      proxy.cut();
      await until(() => (health.at(-1) === "down" ? true : undefined));
      Object.assign(values, { temp_1: 33.5, level_1: 7 });
      await sleep(5000);
      const during = proxy.forwarded();
      proxy.resume();
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
