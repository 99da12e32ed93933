/**
 * Config push end to end: an in-process EdgeAgent against mosquitto and a pymodbus server.
 * A good config (one more device) is applied by restarting the drivers only: the new device
 * shows up in telemetry, the status reports the pushed version and hash, and seq has no gap.
 * Bad configs (hash mismatch, invalid body, changed identity) are rejected with the reason on
 * `…/cmd/config/result` while the running config keeps going.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commandResultSchema,
  telemetryBatchSchema,
  topics,
  type CommandResult,
  type TelemetryBatch,
} from "@citytwin/model";
import { EdgeAgent } from "../src/agent";
import { loadEdgeConfig, sha256Hash } from "../src/config";
import { stopAll } from "../../test/support/child";
import { freePorts } from "../../test/support/free-port";
import { untilWithin } from "../../test/support/wait";
import { startMosquitto } from "../../test/support/mosquitto";
import { startPymodbus } from "../../test/support/pymodbus";

const ROOT = join(import.meta.dirname, "..", "..");
const TENANT = "hefei";
const GW = "gw-cfg-01";
const A = "340111-GVC-00007-D01";
const B = "340111-GVC-00009-D01";

let dir: string;
let agent: EdgeAgent;
let sub: MqttClient;
let body: (ids: string[], port?: number) => Record<string, unknown>;
const batches: TelemetryBatch[] = [];
const statuses: { config: { version: number; hash: string } }[] = [];
const results: CommandResult[] = [];

const until = untilWithin(15_000);

async function push(
  version: number,
  b: Record<string, unknown>,
  hash = sha256Hash(b),
): Promise<CommandResult> {
  const msg = { v: 1, version, hash, issuedAt: Date.now(), body: b };
  const seen = results.length;
  await sub.publishAsync(topics.config(TENANT, GW), JSON.stringify(msg), { qos: 1, retain: true });
  return until(() => results.slice(seen).find((r) => r.id === `config-v${version}`));
}

const hasDevice = (id: string, from: number) =>
  batches.slice(from).some((b) => b.devices[id] !== undefined) ? true : undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ct-edge-cfg-"));
  const [brokerPort, modbusPort] = (await freePorts(2)) as [number, number];
  await startMosquitto(dir, { port: brokerPort });
  await startPymodbus(modbusPort);
  const url = `mqtt://127.0.0.1:${brokerPort}`;
  body = (ids, port = modbusPort) => ({
    version: 1,
    gateway: { tenant: TENANT, id: GW },
    mqtt: { url, keepaliveS: 10 },
    publish: { maxBatchReadings: 50, maxDelayMs: 50 },
    stateDir: "state",
    profileDirs: [join(ROOT, "edge", "profiles")],
    devices: ids.map((id) => ({
      id,
      driver: "modbus-tcp",
      profile: "ct-gd100-methane",
      host: "127.0.0.1",
      port,
      unitId: 1,
      pollIntervalMs: 100,
      timeoutMs: 300,
    })),
  });
  const file = join(dir, "edge.yaml");
  const text = JSON.stringify(body([A]), null, 2);
  writeFileSync(file, text);
  const config = loadEdgeConfig(text, file, {});
  sub = await connectAsync(url, { clientId: "test-platform", clean: true });
  sub.on("message", (topic, payload) => {
    if (payload.length === 0) return;
    const msg: unknown = JSON.parse(payload.toString());
    if (topic === topics.telemetry(TENANT, GW)) batches.push(telemetryBatchSchema.parse(msg));
    else if (topic === topics.status(TENANT, GW)) statuses.push(msg as (typeof statuses)[number]);
    else if (topic === topics.cmdResult(TENANT, GW, "config")) results.push(commandResultSchema.parse(msg));
  });
  await sub.subscribeAsync(`ct/v1/${TENANT}/${GW}/#`, { qos: 1 });
  agent = new EdgeAgent({ config, logger: pino({ level: "silent" }) });
  await agent.start();
  await agent.connected();
  await until(() => hasDevice(A, 0));
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await sub?.publishAsync(topics.config(TENANT, GW), "", { qos: 1, retain: true });
  await sub?.endAsync();
  await stopAll();
});

describe("config push (mosquitto + pymodbus)", () => {
  it("applies a good config without a seq gap and rejects bad ones, keeping the old running", async () => {
    const initial = await until(() => statuses.at(-1));
    const good = body([A, B]);
    const ok = await push(2, good);
    expect(ok).toMatchObject({ ok: true, value: sha256Hash(good) });
    expect(initial.config.hash).not.toBe(sha256Hash(good));
    const mark = batches.length;
    await until(() => hasDevice(B, mark));
    const st = await until(() => statuses.find((s) => s.config.hash === sha256Hash(good)));
    expect(st.config.version).toBe(2);

    // Bad: hash mismatch, invalid body (path and line), changed identity, stale version.
    const mismatch = await push(3, good, `sha256:${"0".repeat(64)}`);
    expect(mismatch.error).toMatchObject({
      code: "CONFIG_REJECTED",
      message: expect.stringMatching(/hash mismatch/),
    });
    const invalid = await push(4, body([A, B], 70000));
    expect(invalid.ok).toBe(false);
    expect(invalid.error?.message).toMatch(/pushed-config-v4\.json: devices\[0\]\.port \(line \d+:\d+\)/);
    const moved = await push(5, { ...body([A]), gateway: { tenant: TENANT, id: "gw-other" } });
    expect(moved.error?.message).toMatch(/gateway differs/);
    const stale = await push(2, body([B]));
    expect(stale).toMatchObject({ ok: false, error: { code: "CONFIG_REJECTED" } });

    // The good config keeps running: both devices still report, the status hash is unchanged.
    const after = batches.length;
    await until(() => (hasDevice(A, after) && hasDevice(B, after) ? true : undefined));
    const last = await until(() => statuses.at(-1));
    expect(last.config).toEqual({ version: 2, hash: sha256Hash(good) });

    // seq contiguous from the first batch through both applies.
    const seqs = batches.map((b) => b.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    expect(new Set(batches.map((b) => b.epoch)).size).toBe(1);
  });
});
