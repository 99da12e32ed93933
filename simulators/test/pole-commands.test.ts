/**
 * Lamp commands end to end with the real simulator classes: platform (mosquitto) →
 * `…/cmd/lamp-set` → in-process EdgeAgent → field broker (the simulators' Aedes FieldBroker)
 * → `poles/{id}/cmd` → PoleSimulator → `poles/{id}/data` → agent confirms → result ok, and the
 * agent's telemetry carries the commanded state. Plus the hold semantics without a network.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commandResultSchema,
  telemetryBatchSchema,
  topics,
  type CityModel,
  type CommandResult,
  type TelemetryBatch,
} from "@citytwin/model";
import { EdgeAgent, loadEdgeConfig } from "@citytwin/edge";
import { generateCity } from "../src/city";
import { FieldBroker } from "../src/protocols/field-broker";
import { PoleSimulator, poleCommandTopic } from "../src/protocols/pole-sim";
import { SignalEngine } from "../src/signals";
import { stopAll } from "../../test/support/child";
import { freePorts } from "../../test/support/free-port";
import { untilWithin } from "../../test/support/wait";
import { startMosquitto } from "../../test/support/mosquitto";

const ROOT = join(import.meta.dirname, "..", "..");
const TENANT = "hefei";
const GW = "gw-pole-cmd";
const HOUR = 3_600_000;
const silent = pino({ level: "silent" });

/** The seed-42 city cut down to its first two smart poles. */
function twoPoles(): CityModel {
  const city = generateCity({ seed: 42 });
  const keep = new Set(
    city.assets
      .filter((a) => a.type === "SPL")
      .slice(0, 2)
      .map((a) => a.id),
  );
  return {
    ...city,
    assets: city.assets.filter((a) => keep.has(a.id)),
    devices: city.devices.filter((d) => keep.has(d.assetId)),
    sensors: city.sensors.filter((s) => keep.has(s.assetId)),
  };
}

const until = untilWithin(15_000);

describe("pole simulator lamp state (no network)", () => {
  it("a command overrides the schedule for the hold, then the schedule returns", () => {
    const city = twoPoles();
    const t0 = Date.UTC(2025, 5, 10, 4, 0); // noon in Hefei (UTC+8): lamps scheduled off
    const engine = new SignalEngine({ city, startMs: t0 });
    const sim = new PoleSimulator({
      city,
      engine,
      brokerUrl: "mqtt://unused",
      clock: { now: () => t0 },
      logger: silent,
      commandHoldMs: HOUR,
    });
    const pole = sim.poles[0]!;
    const before = sim.payload(pole, t0).lamp;
    sim.applyLampCommand(pole.poleId, { on: true, dimming: 40 }, t0);
    const held = sim.payload(pole, t0 + HOUR - 1).lamp;
    expect(held).toMatchObject({ on: true, dimming: 40 });
    expect(held.power).toBeGreaterThan(0);
    expect(sim.payload(pole, t0 + HOUR).lamp).toEqual(before);
    sim.applyLampCommand(pole.poleId, { on: false }, t0);
    expect(sim.payload(pole, t0).lamp).toMatchObject({ on: false, power: 0 });
    sim.applyLampCommand(pole.poleId, { on: true }, t0);
    expect(sim.payload(pole, t0).lamp.dimming).toBe(before.dimming > 0 ? before.dimming : 100);
    // The other pole is untouched.
    expect(sim.lampOverride(sim.poles[1]!.poleId, t0)).toBeUndefined();
  });
});

describe("lamp-set through the edge agent to the pole simulator", () => {
  let dir: string;
  let field: FieldBroker;
  let sim: PoleSimulator;
  let agent: EdgeAgent;
  let platform: MqttClient;
  let poleIds: string[];
  const batches: TelemetryBatch[] = [];
  const results: CommandResult[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ct-pole-cmd-"));
    const [brokerPort, fieldPort] = (await freePorts(2)) as [number, number];
    await startMosquitto(dir, { port: brokerPort });
    field = new FieldBroker({ host: "127.0.0.1", port: fieldPort, logger: silent });
    await field.start();
    const city = twoPoles();
    const engine = new SignalEngine({ city, startMs: Date.now() });
    // Publishes every 10 min, so only a command makes a pole publish during the test.
    sim = new PoleSimulator({
      city,
      engine,
      brokerUrl: field.url,
      clock: { now: () => Date.now() },
      logger: silent,
      publishIntervalMs: 600_000,
    });
    poleIds = sim.poles.map((p) => p.poleId);
    await sim.start();
    const url = `mqtt://127.0.0.1:${brokerPort}`;
    const yaml = `version: 1
gateway: { tenant: ${TENANT}, id: ${GW} }
mqtt: { url: "${url}", keepaliveS: 10 }
publish: { maxBatchReadings: 50, maxDelayMs: 50, queue: { kind: memory } }
stateDir: state
profileDirs: ["${join(ROOT, "edge", "profiles")}"]
devices:
${poleIds
  .map(
    (p) => `  - id: ${p}-D01
    driver: mqtt-json
    profile: ct-pole-lamp
    broker: ${field.url}
    topic: poles/${p}/data
`,
  )
  .join("")}`;
    const file = join(dir, "edge.yaml");
    writeFileSync(file, yaml);
    platform = await connectAsync(url, { clientId: "test-platform", clean: true });
    platform.on("message", (topic, payload) => {
      if (payload.length === 0) return;
      const msg: unknown = JSON.parse(payload.toString());
      if (topic === topics.telemetry(TENANT, GW)) batches.push(telemetryBatchSchema.parse(msg));
      else if (topic === topics.cmdResult(TENANT, GW, "lamp-set"))
        results.push(commandResultSchema.parse(msg));
    });
    await platform.subscribeAsync(`ct/v1/${TENANT}/${GW}/#`, { qos: 1 });
    agent = new EdgeAgent({ config: loadEdgeConfig(yaml, file, {}), logger: silent });
    await agent.start();
    await agent.connected();
    await until(() => (poleIds.every((p) => agent.stats().devices[`${p}-D01`] === "ok") ? true : undefined));
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await sim?.stop();
    await field?.stop();
    await platform?.endAsync();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  async function lampSet(deviceId: string, args: Record<string, unknown>): Promise<[CommandResult, number]> {
    const id = `lamp-${++n}`;
    const body = { v: 1, id, name: "lamp-set", issuedAt: Date.now(), issuedBy: "test", timeoutMs: 5000 };
    const t0 = Date.now();
    await platform.publishAsync(
      topics.cmd(TENANT, GW, "lamp-set"),
      JSON.stringify({ ...body, target: { deviceId }, args }),
      { qos: 1 },
    );
    const r = await until(() => results.find((x) => x.id === id));
    return [r, Date.now() - t0];
  }

  const reported = (dev: string, key: string) =>
    batches.flatMap((b) => (b.devices[dev] ?? []).map((s) => s.values[key]));

  it("is applied by the simulated pole and confirmed by its telemetry", async () => {
    const [a, b] = poleIds as [string, string];
    const [ok, ms] = await lampSet(`${a}-D01`, { on: true, dimming: 37 });
    console.log(`lamp-set round trip ${ms} ms`);
    expect(ok).toMatchObject({ ok: true });
    expect(ms).toBeLessThan(5000);
    await until(() => (reported(`${a}-D01`, "lamp_dimming").includes(37) ? true : undefined));
    expect(sim.stats().commands).toBe(1);

    const [off] = await lampSet(`${a}-D01`, { on: false });
    expect(off.ok).toBe(true);
    const [other] = await lampSet(`${b}-D01`, { dimming: 63 });
    expect(other.ok).toBe(true);
    await until(() => (reported(`${b}-D01`, "lamp_dimming").includes(63) ? true : undefined));
    // Pole a kept its commanded level while switched off; b did not take a's commands.
    expect(sim.lampOverride(a, Date.now())).toMatchObject({ on: false });
    expect(reported(`${b}-D01`, "lamp_dimming")).not.toContain(37);

    // A malformed command on the pole topic is counted and ignored.
    const field2 = await connectAsync(field.url, { clientId: "test-field", clean: true });
    await field2.publishAsync(poleCommandTopic(a), "{not json", { qos: 1 });
    await field2.publishAsync(poleCommandTopic(a), JSON.stringify({ lamp: { dimming: 400 } }), { qos: 1 });
    await field2.endAsync();
    await until(() => (sim.stats().commandsRejected === 2 ? true : undefined));
    expect(sim.stats().commands).toBe(3);
  });
});
