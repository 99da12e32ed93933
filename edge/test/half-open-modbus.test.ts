/**
 * Half-open network cut on Modbus TCP: a TCP proxy (test/support/tcp-proxy.ts) between the
 * driver and a pymodbus server switches to `blackhole` for 10 s: sockets stay open, writes
 * succeed locally, nothing comes back, no FIN or RST. Polls must time out into bad quality and
 * health "down" without hanging, the port must replace the silent connection instead of waiting
 * on it forever, and after `forward` good readings must come back within a bound, on the same
 * running driver. The blackholed connections stay dead after the heal, as in reality.
 * Bound (docs/edge-modbus.md "Half-open connections"): the poll loop's down backoff pending at
 * the heal (≤ about 1.2 × the cut here, 30 s at most) + unit backoff + one timeout + a connect.
 */
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { stopAll } from "../../test/support/child";
import { startPymodbus } from "../../test/support/pymodbus";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcp-proxy";
import { sleep, untilWithin } from "../../test/support/wait";
import { modbusDeviceSchema, modbusProfileSchema } from "../src/config";
import { ModbusDriver, ModbusPort, PollRunner, type Reading } from "../src/drivers";
import { portSettings } from "../src/modbus";

const CUT_MS = 10_000;
const TIMEOUT_MS = 500;
const logger = pino({ level: "silent" });
const clock = { now: () => Date.now() };
let proxy: TcpProxy | undefined;
let port: ModbusPort | undefined;
let runner: PollRunner | undefined;

afterAll(async () => {
  await runner?.stop();
  await port?.close();
  await proxy?.close();
  await stopAll();
});

const profile = modbusProfileSchema.parse({
  id: "half-open",
  driver: "modbus",
  points: [
    { key: "f_cdab", register: "holding", address: 100, type: "FLOAT32", byteOrder: "CDAB" },
    { key: "flow", register: "holding", address: 102, type: "UINT32", scale: 0.01 },
  ],
});

const until = untilWithin(20_000);

describe("Modbus TCP driver, half-open cut", () => {
  it("times out into bad quality during a 10 s blackhole and recovers on a new connection", async () => {
    const server = await startPymodbus();
    proxy = await startTcpProxy(server.port);
    const device = modbusDeviceSchema.parse({
      id: "340111-GVC-00021-D01",
      driver: "modbus",
      profile: "half-open",
      host: "127.0.0.1",
      port: proxy.port,
      unitId: 1,
      pollIntervalMs: 200,
      timeoutMs: TIMEOUT_MS,
      backoffMs: 500,
      maxBackoffMs: 2000,
    });
    port = new ModbusPort(portSettings(device), logger, clock);
    const got: Reading[] = [];
    const health: string[] = [];
    runner = new PollRunner(
      [new ModbusDriver(device, profile, port, clock)],
      { readings: (rs) => got.push(...rs), health: (_id, h) => health.push(h) },
      logger,
      clock,
    );
    const stats = () => runner?.stats()["340111-GVC-00021-D01"];
    runner.start();
    await until(() => (got.filter((r) => r.quality === "good").length >= 6 ? true : undefined));
    expect(health).toEqual(["ok"]);
    expect(port.counters.connects).toBe(1);

    proxy.set("blackhole");
    const cutAt = Date.now();
    const transactionsBefore = port.counters.transactions;
    const pollsBefore = stats()?.polls ?? 0;
    await until(() => (health.at(-1) === "down" ? true : undefined), 10_000);
    const detectMs = Date.now() - cutAt;
    expect(got.some((r) => r.quality === "bad" && r.value === null && r.ts >= cutAt)).toBe(true);
    await sleep(cutAt + CUT_MS - Date.now());
    // Polls keep completing (none waits forever on the dead socket) and stay backed off.
    const pollsDuring = (stats()?.polls ?? 0) - pollsBefore;
    const transactionsDuring = port.counters.transactions - transactionsBefore;
    expect(pollsDuring).toBeGreaterThanOrEqual(3);
    expect(transactionsDuring).toBeLessThanOrEqual(2 * pollsDuring);
    expect(health.at(-1)).toBe("down");
    expect(port.counters.halfOpenDrops).toBeGreaterThanOrEqual(1);
    const dropsDuring = port.counters.halfOpenDrops;
    expect(proxy.open()).toBeLessThanOrEqual(pollsDuring + 1); // no connection storm

    proxy.set("forward");
    const healAt = Date.now();
    const connectsBefore = port.counters.connects;
    await until(() => got.find((r) => r.quality === "good" && r.ts >= healAt), 25_000);
    const recoveryMs = Date.now() - healAt;
    await until(() => (health.at(-1) === "ok" ? true : undefined), 5000);
    console.log(
      `modbus half-open: detected (health down) after ${detectMs} ms; recovery after heal ${recoveryMs} ms; ` +
        `polls during the cut ${pollsDuring}, transactions ${transactionsDuring}, half-open drops ` +
        `${dropsDuring} then ${port.counters.halfOpenDrops}, connects ${port.counters.connects}`,
    );
    // Detection: one timeout (+ a poll interval). Recovery: see the header.
    expect(detectMs).toBeLessThan(TIMEOUT_MS + 200 + 4000);
    expect(recoveryMs).toBeLessThan(1.2 * CUT_MS + 2000 + TIMEOUT_MS + 5000);
    expect(port.counters.connects).toBeGreaterThan(connectsBefore); // a fresh connection, not the dead one

    // Data keeps flowing on the same driver and port.
    const before = got.length;
    await until(() => (got.length >= before + 6 ? true : undefined));
    expect(got.slice(before).every((r) => r.quality === "good")).toBe(true);
    expect(health.at(-1)).toBe("ok");
  }, 90_000);
});
