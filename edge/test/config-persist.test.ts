/**
 * A pushed config survives an agent restart: the agent saves it atomically in its stateDir and,
 * at the next start, runs it instead of the `--config` file while it is valid, newer and was
 * pushed over that same file. A corrupt saved file, a changed config file or a saved config
 * that no longer fits the file's identity falls back to the file (with a log line). mosquitto
 * is the platform broker; the devices are poles on it (no field traffic needed).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandResultSchema, topics, type CommandResult } from "@citytwin/model";
import { EdgeAgent } from "../src/agent";
import { PUSHED_CONFIG_FILE } from "../src/commands/config-push";
import { loadEdgeConfig, sha256Hash } from "../src/config";
import { stopAll } from "../../test/support/child";
import { freePorts } from "../../test/support/free-port";
import { untilWithin } from "../../test/support/wait";
import { startMosquitto } from "../../test/support/mosquitto";

const ROOT = join(import.meta.dirname, "..", "..");
const TENANT = "hefei";
const GW = "gw-persist-01";
const A = "340111-SPL-00012-D01";
const B = "340111-SPL-00013-D01";
const C = "340111-SPL-00014-D01";

let dir: string;
let url: string;
let sub: MqttClient;
const statuses: { state: string; config: { version: number; hash: string } }[] = [];
/** The latest online status (an old agent's offline status may arrive late). */
const online = () => statuses.filter((s) => s.state === "online").at(-1);
const results: CommandResult[] = [];

const until = untilWithin(15_000);

function body(ids: string[], keepaliveS = 10): Record<string, unknown> {
  return {
    version: 1,
    gateway: { tenant: TENANT, id: GW },
    mqtt: { url, keepaliveS },
    publish: { maxBatchReadings: 50, maxDelayMs: 50, queue: { kind: "memory" } },
    stateDir: "state",
    profileDirs: [join(ROOT, "edge", "profiles")],
    devices: ids.map((id) => ({
      id,
      driver: "mqtt-json",
      profile: "ct-pole-lamp",
      broker: url,
      topic: `poles/${id.slice(0, -4)}/data`,
    })),
  };
}

const file = () => join(dir, "edge.yaml");
const saved = () => join(dir, "state", PUSHED_CONFIG_FILE);

/** Starts an agent on the current config file; returns it, its log lines and its first status. */
async function startAgent(): Promise<{ agent: EdgeAgent; logs: { msg: string; reason?: string }[] }> {
  const text = readFileSync(file(), "utf8");
  const logs: { msg: string; reason?: string }[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const agent = new EdgeAgent({ config: loadEdgeConfig(text, file(), {}), logger });
  const seen = statuses.length;
  await agent.start();
  await agent.connected();
  await until(() => statuses.slice(seen).find((s) => s.state === "online"));
  return { agent, logs };
}

async function push(version: number, b: Record<string, unknown>): Promise<CommandResult> {
  // Not retained: after a restart only the saved file can bring the push back.
  const msg = { v: 1, version, hash: sha256Hash(b), issuedAt: Date.now(), body: b };
  const seen = results.length;
  await sub.publishAsync(topics.config(TENANT, GW), JSON.stringify(msg), { qos: 1 });
  return until(() => results.slice(seen).find((r) => r.id === `config-v${version}`));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ct-edge-persist-"));
  const [brokerPort] = (await freePorts(1)) as [number];
  await startMosquitto(dir, { port: brokerPort });
  url = `mqtt://127.0.0.1:${brokerPort}`;
  sub = await connectAsync(url, { clientId: "test-platform", clean: true });
  sub.on("message", (topic, payload) => {
    if (payload.length === 0) return;
    const msg: unknown = JSON.parse(payload.toString());
    if (topic === topics.status(TENANT, GW)) statuses.push(msg as (typeof statuses)[number]);
    else if (topic === topics.cmdResult(TENANT, GW, "config")) results.push(commandResultSchema.parse(msg));
  });
  await sub.subscribeAsync(`ct/v1/${TENANT}/${GW}/#`, { qos: 1 });
}, 30_000);

afterAll(async () => {
  await sub?.endAsync();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("pushed config persistence", () => {
  it("runs the saved push after a restart; falls back to the file when it is unusable", async () => {
    writeFileSync(file(), JSON.stringify(body([A]), null, 2));
    const fileHash = loadEdgeConfig(readFileSync(file(), "utf8"), file(), {}).hash;

    // 1. First start: no saved push. Push v2 (A, B): applied and saved atomically.
    let run = await startAgent();
    expect(run.logs.some((l) => l.msg === "running the config file")).toBe(true);
    const good = body([A, B]);
    expect(await push(2, good)).toMatchObject({ ok: true, value: sha256Hash(good) });
    const onDisk = JSON.parse(readFileSync(saved(), "utf8")) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ version: 2, hash: sha256Hash(good), fileHash });
    expect(readdirSync(join(dir, "state")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    await run.agent.stop();

    // 2. Restart on the same file: the saved v2 runs (status, devices), with a log line.
    run = await startAgent();
    expect(run.logs.some((l) => l.msg === "running the saved pushed config")).toBe(true);
    expect(online()?.config).toEqual({ version: 2, hash: sha256Hash(good) });
    expect(Object.keys(run.agent.stats().devices).sort()).toEqual([A, B]);
    // A stale version is still refused after the restart; a newer one replaces the saved file.
    expect((await push(2, body([B]))).ok).toBe(false);
    const v3 = body([A, B, C]);
    expect((await push(3, v3)).ok).toBe(true);
    expect(JSON.parse(readFileSync(saved(), "utf8"))).toMatchObject({ version: 3, fileHash });
    await run.agent.stop();
    run = await startAgent();
    expect(online()?.config).toEqual({ version: 3, hash: sha256Hash(v3) });
    expect(Object.keys(run.agent.stats().devices)).toHaveLength(3);
    await run.agent.stop();

    // 3. Corrupt saved file: the file config runs, with a warning.
    const copy = readFileSync(saved(), "utf8");
    writeFileSync(saved(), copy.slice(0, copy.length / 2));
    run = await startAgent();
    const warn = run.logs.find((l) => l.msg === "saved pushed config unusable; running the config file");
    expect(warn?.reason).toMatch(/not JSON/);
    expect(online()?.config).toEqual({ version: 1, hash: fileHash });
    expect(Object.keys(run.agent.stats().devices)).toEqual([A]);
    await run.agent.stop();

    // 4. A saved body whose hash no longer matches (tampered) is refused too.
    const tampered = JSON.parse(copy) as { message: { body: { devices: unknown[] } } };
    tampered.message.body.devices.pop();
    writeFileSync(saved(), JSON.stringify(tampered));
    run = await startAgent();
    expect(run.logs.find((l) => l.msg.startsWith("saved pushed config unusable"))?.reason).toMatch(
      /hash mismatch/,
    );
    await run.agent.stop();

    // 5. The operator edited the config file since the push: the file wins (no warning).
    writeFileSync(saved(), copy);
    writeFileSync(file(), JSON.stringify(body([B]), null, 2));
    run = await startAgent();
    const info = run.logs.find((l) => l.msg === "running the config file");
    expect(info?.reason).toMatch(/config file changed/);
    expect(Object.keys(run.agent.stats().devices)).toEqual([B]);
    await run.agent.stop();
    expect(existsSync(saved())).toBe(true);
  }, 90_000);
});
