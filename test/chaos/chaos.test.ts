/**
 * Chaos suite (issue 6): the whole platform under a steady simulator load — the real
 * simulators, two real edge agents, the gateway and a real influxd 1.6.7, all child processes on
 * 127.0.0.1 free ports in temp dirs, started by the demo launcher — through five faults:
 *
 *   1. the gateway kill -9ed and restarted on the same state dir (ingest journal);
 *   2. InfluxDB SIGKILLed for CT_CHAOS_INFLUX_OUTAGE_MS (default 3 min), restarted on its data
 *      dir, with 3. one edge agent kill -9ed and restarted in the middle of that outage;
 *   3b. an edge agent kill -9ed while the gateway is down (its queue holds a backlog);
 *   4. a half-open partition (test/support/tcp-proxy.ts in blackhole) between one edge agent and
 *      the gateway, longer than the MQTT keep alive, then healed;
 *   5. slow /live consumers (WebSocket clients that stop reading) — attached from fault 2 on
 *      and measured alone at the end: ingest must not lag, memory stays bounded.
 *
 * After each fault: heal, wait until every edge queue is empty (status: pending 0, no gaps) and
 * the gateway journal is caught up, then compare the readings the edges' ack ledgers say were
 * PUBACKed with the points in InfluxDB, per (sensor, ts) (./accounting.ts). Nothing acknowledged
 * may be missing and nothing duplicated. A negative control deletes points and expects the
 * checker to report exactly those. Table: test-output/chaos-report.{md,json}.
 * Run: `npm run test:chaos` (docs/reliability.md, "Chaos suite").
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { WebSocket } from "ws";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cityModelSchema, type CityModel } from "@citytwin/model";
import { launchPlatform, type Platform } from "../../simulators/src/demo/launch";
import { freePortBlock, freePorts } from "../support/free-port";
import { createDatabase, query, startInfluxd, type Influxd } from "../support/influxd";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { sleep } from "../support/wait";
import {
  readLedgers,
  readStored,
  sensorMap,
  tally,
  type AckedBatch,
  type SensorInfo,
  type Tally,
} from "./accounting";

const DB = "citytwin_chaos";
const INFLUX_OUTAGE_MS = Number(process.env.CT_CHAOS_INFLUX_OUTAGE_MS ?? 180_000);
const KEEPALIVE_S = 5;
const PARTITION_MS = 20_000; // > 1.5 × keep alive: both ends must notice the dead link
const GATEWAY_DOWN_MS = 5_000;
const SLOW_WINDOW_MS = 30_000;
const SLOW_CLIENTS = 8;
const SLOW_MAX_WAIT_MS = 240_000;
/** The gateway's per-client live bound for this run (set before its first restart). */
const LIVE_MAX_BUFFERED = 64 * 1024;
/** Generous deadlines: recovery must happen, its speed is only reported. */
const DRAIN_DEADLINE_MS = 180_000;
const STORE_DEADLINE_MS = 120_000;

interface Row {
  fault: string;
  tally: Tally;
  /** Heal → first reading (source ts ≥ heal) of the faulted gateways stored. */
  firstStoredMs: number | null;
  /** Heal → every edge queue empty (fresh status) and the journal caught up. */
  drainedMs: number | null;
  notes: string[];
}

let influx: Influxd;
let platform: Platform;
let city: CityModel;
let sensors: Map<string, SensorInfo>;
let runtimeDir: string;
const proxies = new Map<string, TcpProxy>();
const ledgers = new Map<string, string>();
let gateways: string[] = [];
let t0 = 0;
let phaseStart = 0;
const rows: Row[] = [];
const slowClients: WebSocket[] = [];
const slowStats: Record<string, number> = {};
let rssSampler: NodeJS.Timeout | undefined;

function auth(): Record<string, string> {
  return { authorization: `Bearer ${platform.operatorTokens.admin}` };
}

async function metrics(): Promise<string> {
  const res = await fetch(`${platform.url}metrics`, { headers: auth() });
  return res.text();
}

function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(" ").at(-1));
  return sum;
}

interface GatewayView {
  id: string;
  connected: boolean;
  statusTs?: number;
  edgeQueue?: { pending: number };
  edgeDropped: unknown[];
  unexplained: unknown[];
}

async function gatewayViews(): Promise<GatewayView[]> {
  const res = await fetch(`${platform.url}api/gateways`, { headers: auth() });
  return ((await res.json()) as { gateways: GatewayView[] }).gateways;
}

function gatewayProcess() {
  return platform.processes.find((p) => p.name === "gateway")!;
}

function rssBytes(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(m?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Polls until `fn` is true; returns the ms it took, or null after `deadlineMs`. */
async function timeUntil(
  fn: () => Promise<boolean>,
  since: number,
  deadlineMs: number,
): Promise<number | null> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      if (await fn()) return Date.now() - since;
    } catch {
      // the gateway or InfluxDB may still be starting
    }
    await sleep(250);
  }
  return null;
}

async function firstStoredAfter(heal: number, gws: string[]): Promise<boolean> {
  const where = gws.map((g) => `"gateway" = '${g}'`).join(" OR ");
  const res = await query(
    influx.url,
    DB,
    `SELECT count("quality") FROM /.*/ WHERE time >= ${heal}ms AND (${where})`,
  );
  return (res.results[0]?.series ?? []).some((s) => s.values.some((v) => Number(v[1]) > 0));
}

/** Every edge queue empty per a status sent after `heal`, no gaps anywhere, journal caught up. */
async function drained(heal: number): Promise<boolean> {
  const views = await gatewayViews();
  for (const id of gateways) {
    const v = views.find((g) => g.id === id);
    if (v === undefined || !v.connected || (v.statusTs ?? 0) < heal) return false;
    if ((v.edgeQueue?.pending ?? 1) !== 0 || v.edgeDropped.length > 0 || v.unexplained.length > 0)
      return false;
  }
  return metric(await metrics(), "citytwin_journal_oldest_unwritten_seconds") < 2;
}

/**
 * Heal done at `heal`: measures both recovery times, then compares the batches acknowledged since
 * the phase began with InfluxDB (retrying until all are stored or STORE_DEADLINE_MS passes, so a
 * slow write is not called a loss but a real loss is), and checks every earlier batch again.
 */
async function settle(fault: string, heal: number, faulted: string[], notes: string[] = []): Promise<Row> {
  const [firstStoredMs, drainedMs] = await Promise.all([
    timeUntil(() => firstStoredAfter(heal, faulted), heal, DRAIN_DEADLINE_MS),
    timeUntil(() => drained(heal), heal, DRAIN_DEADLINE_MS),
  ]);
  const cut = Date.now();
  let all: AckedBatch[] = [];
  let selected: AckedBatch[] = [];
  let t: Tally | undefined;
  let cumulative: Tally | undefined;
  const end = Date.now() + STORE_DEADLINE_MS;
  for (;;) {
    all = readLedgers(ledgers, sensors).filter((b) => b.at <= cut);
    selected = all.filter((b) => b.at >= phaseStart);
    const stored = await readStored(influx.url, DB, t0 - 3600_000);
    t = tally(selected, all, stored, sensors);
    cumulative = tally(all, all, stored, sensors);
    if ((t.missing === 0 && cumulative.missing === 0) || Date.now() > end) break;
    await sleep(1000);
  }
  if (cumulative.missing > 0) notes.push(`cumulative missing ${cumulative.missing}`);
  const row: Row = { fault, tally: t, firstStoredMs, drainedMs, notes };
  rows.push(row);
  phaseStart = cut;
  return row;
}

function expectClean(row: Row) {
  expect(row.tally.acknowledged, row.fault).toBeGreaterThan(0);
  expect(row.tally.missingSample, row.fault).toEqual([]);
  expect(row.tally.missing, row.fault).toBe(0);
  expect(row.tally.duplicatedSample, row.fault).toEqual([]);
  expect(row.tally.duplicated, row.fault).toBe(0);
  expect(
    row.notes.filter((n) => n.startsWith("cumulative")),
    row.fault,
  ).toEqual([]);
  expect(row.drainedMs, `${row.fault}: queues drained`).not.toBeNull();
  expect(row.firstStoredMs, `${row.fault}: new readings stored`).not.toBeNull();
}

function openSlowClient(): Promise<WebSocket> {
  const url = new URL("live", platform.url.replace(/^http/, "ws"));
  url.searchParams.set("token", platform.operatorTokens.viewer);
  const ws = new WebSocket(url);
  ws.on("error", () => undefined);
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.pause(); // stop reading: the socket's receive buffer fills, then the gateway's send side
      resolve(ws);
    });
    ws.once("error", reject);
  });
}

beforeAll(async () => {
  influx = await startInfluxd();
  await createDatabase(influx.url, DB);
  const [mqttPort, httpPort, opcuaPort, fieldBrokerPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const modbusPort = await freePortBlock(4);
  runtimeDir = mkdtempSync(join(tmpdir(), "citytwin-chaos-"));
  t0 = Date.now();
  // One proxy per edge agent (the hook is synchronous, so they are started ahead, as a pool).
  const pool = await Promise.all([0, 1, 2, 3].map(() => startTcpProxy(mqttPort)));
  platform = await launchPlatform({
    runtimeDir,
    seed: 7,
    scale: 1,
    host: "127.0.0.1",
    mqttPort,
    httpPort,
    modbusPort,
    opcuaPort,
    fieldBrokerPort,
    influx: { v1: { url: influx.url, database: DB } },
    logLevel: "info",
    beforeEdgeStart: (files) => {
      for (const file of files) {
        const gw = /edge-(.+)\.yaml$/.exec(file)![1]!;
        const doc = parseDocument(readFileSync(file, "utf8"));
        const proxy = pool.shift();
        if (proxy === undefined) throw new Error(`no proxy left for ${gw}`);
        proxies.set(gw, proxy);
        doc.setIn(["mqtt", "url"], `mqtt://127.0.0.1:${proxy.port}`);
        doc.setIn(["mqtt", "keepaliveS"], KEEPALIVE_S);
        doc.setIn(["publish", "statusIntervalMs"], 1000);
        const ledger = join(runtimeDir, `acks-${gw}.jsonl`);
        doc.setIn(["publish", "ackLedger"], doc.createNode({ file: ledger, detail: "readings" }));
        ledgers.set(gw, ledger);
        writeFileSync(file, doc.toString());
      }
    },
    onLine: (name, line) => {
      if (process.env.CT_CHAOS_VERBOSE === "1") console.log(`[${name}] ${line}`);
    },
  }).catch(async (err: unknown) => {
    for (const p of [...proxies.values(), ...pool]) await p.close();
    throw err;
  });
  for (const p of pool) await p.close(); // unused
  city = cityModelSchema.parse(JSON.parse(readFileSync(platform.cityFile, "utf8")));
  sensors = sensorMap(city);
  gateways = [...ledgers.keys()].sort();
  phaseStart = 0;
}, 300_000);

afterAll(async () => {
  if (rssSampler !== undefined) clearInterval(rssSampler);
  for (const ws of slowClients) ws.terminate();
  await platform?.stop();
  for (const p of proxies.values()) await p.close();
  await influx?.stop();
  writeReport();
  if (runtimeDir !== undefined && process.env.CT_CHAOS_KEEP !== "1")
    rmSync(runtimeDir, { recursive: true, force: true });
}, 120_000);

function fmtMs(ms: number | null): string {
  return ms === null ? "not within deadline" : `${(ms / 1000).toFixed(1)} s`;
}

function writeReport() {
  const out = resolve(import.meta.dirname, "../../test-output");
  mkdirSync(out, { recursive: true });
  const lines = [
    "| fault | batches | readings sent (acknowledged) | stored | duplicated | missing | heal → first new reading stored | heal → queues empty, journal caught up |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.fault} | ${r.tally.batches} | ${r.tally.acknowledged} | ${r.tally.stored} | ${r.tally.duplicated} | ${r.tally.missing} | ${fmtMs(r.firstStoredMs)} | ${fmtMs(r.drainedMs)} |`,
    ),
  ];
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.fault}: ${n}`));
  const md = [
    `Chaos suite, ${new Date().toISOString()}, InfluxDB outage ${INFLUX_OUTAGE_MS / 1000} s, Node ${process.version}`,
    "",
    ...lines,
    "",
    ...notes,
    "",
  ].join("\n");
  writeFileSync(join(out, "chaos-report.md"), md);
  writeFileSync(
    join(out, "chaos-report.json"),
    `${JSON.stringify({ at: new Date().toISOString(), influxOutageMs: INFLUX_OUTAGE_MS, rows, slow: slowStats }, null, 2)}\n`,
  );
  console.log(`\n${md}`);
}

describe("chaos: acknowledged at the edge = stored in InfluxDB, through faults", () => {
  it("baseline: steady load, no fault", async () => {
    await sleep(10_000);
    const row = await settle("none (baseline)", Date.now(), gateways);
    expectClean(row);
  }, 300_000);

  it("1. gateway kill -9, restarted on the same state dir", async () => {
    await sleep(5_000);
    // Tighten the live bound for the restarted gateway, so fault 5 engages it quickly.
    const cfg = join(runtimeDir, "gateway.yaml");
    const doc = parseDocument(readFileSync(cfg, "utf8"));
    doc.setIn(["live"], doc.createNode({ tickMs: 250, maxBufferedBytes: LIVE_MAX_BUFFERED }));
    writeFileSync(cfg, doc.toString(), { mode: 0o600 });
    await platform.restartGateway({ signal: "SIGKILL", downMs: GATEWAY_DOWN_MS });
    const heal = Date.now();
    const row = await settle("gateway kill -9, down 5 s", heal, gateways);
    expectClean(row);
  }, 600_000);

  it("3b. edge agent kill -9 while the gateway is down (queued backlog)", async () => {
    await sleep(3_000);
    const gw = gateways[1] ?? gateways[0]!;
    const down = platform.restartGateway({ signal: "SIGKILL", downMs: 15_000 });
    await sleep(7_000);
    await platform.restartEdge(gw, { signal: "SIGKILL" });
    await down;
    const heal = Date.now();
    const row = await settle(`edge ${gw} kill -9 during a 15 s gateway kill -9 outage`, heal, gateways);
    expectClean(row);
  }, 600_000);

  it("2+3. InfluxDB down, one edge agent kill -9 mid-outage", async () => {
    // Fault 5 starts here: paused /live clients from now to the end (the gateway is not
    // restarted again), so their unread frames pile up through faults 2, 3 and 4.
    const pid = gatewayProcess().proc.pid;
    slowStats.rssBeforeBytes = rssBytes(pid);
    slowStats.rssMaxBytes = slowStats.rssBeforeBytes;
    rssSampler = setInterval(() => {
      slowStats.rssMaxBytes = Math.max(slowStats.rssMaxBytes ?? 0, rssBytes(pid));
    }, 1000);
    for (let i = 0; i < SLOW_CLIENTS; i++) slowClients.push(await openSlowClient());
    await sleep(3_000);
    await influx.kill();
    await sleep(INFLUX_OUTAGE_MS / 2);
    await platform.restartEdge(gateways[0]!, { signal: "SIGKILL" });
    await sleep(INFLUX_OUTAGE_MS / 2);
    await influx.restart();
    const heal = Date.now();
    const row = await settle(
      `InfluxDB down ${INFLUX_OUTAGE_MS / 1000} s + edge ${gateways[0]} kill -9 mid-outage`,
      heal,
      gateways,
    );
    expectClean(row);
  }, 900_000);

  it("4. half-open partition edge ↔ gateway longer than the keep alive", async () => {
    await sleep(3_000);
    const gw = gateways[0]!;
    const proxy = proxies.get(gw)!;
    proxy.set("blackhole");
    await sleep(PARTITION_MS);
    proxy.set("forward");
    const heal = Date.now();
    const row = await settle(
      `half-open partition ${gw} ↔ gateway ${PARTITION_MS / 1000} s (keep alive ${KEEPALIVE_S} s)`,
      heal,
      [gw],
      [`blackholed connections ${proxy.blackholed()}`],
    );
    expectClean(row);
  }, 600_000);

  it("5. slow /live consumers: ingest does not lag, gateway memory stays bounded", async () => {
    // Clients closed for being too slow (a gateway frame found them over the bound) are replaced.
    for (let i = slowClients.filter((w) => w.readyState === w.OPEN).length; i < SLOW_CLIENTS; i++)
      slowClients.push(await openSlowClient());
    let lagMax = 0;
    let engaged = 0;
    const start = Date.now();
    // At least the window; longer (bounded) until the bound has engaged, in a short run.
    while (Date.now() - start < SLOW_WINDOW_MS || (engaged === 0 && Date.now() - start < SLOW_MAX_WAIT_MS)) {
      const m = await metrics();
      lagMax = Math.max(lagMax, metric(m, "citytwin_journal_oldest_unwritten_seconds"));
      engaged = metric(m, "citytwin_live_skipped_total") + metric(m, "citytwin_live_slow_closed_total");
      await sleep(1000);
    }
    const windowMs = Date.now() - start;
    if (rssSampler !== undefined) clearInterval(rssSampler);
    const after = await metrics();
    const skipped = metric(after, "citytwin_live_skipped_total");
    const closed = metric(after, "citytwin_live_slow_closed_total");
    const rss0 = slowStats.rssBeforeBytes ?? 0;
    const rssMax = slowStats.rssMaxBytes ?? 0;
    Object.assign(slowStats, {
      clients: SLOW_CLIENTS,
      clientsOpened: slowClients.length,
      liveSkippedTotal: skipped,
      liveSlowClosedTotal: closed,
      journalLagMaxSeconds: lagMax,
      windowMs,
      maxBufferedBytes: LIVE_MAX_BUFFERED,
    });
    const row = await settle(
      `${SLOW_CLIENTS} paused /live clients (paused since fault 2; ${Math.round(windowMs / 1000)} s alone)`,
      Date.now(),
      gateways,
      [
        `live frames skipped ${skipped}, slow clients closed ${closed}, gateway RSS before the paused clients ${(rss0 / 2 ** 20).toFixed(0)} MiB, max after ${(rssMax / 2 ** 20).toFixed(0)} MiB, journal lag max ${lagMax.toFixed(1)} s in the window`,
      ],
    );
    expectClean(row);
    expect(skipped + closed, "the per-client bound engaged").toBeGreaterThan(0);
    expect(lagMax, "ingest kept up").toBeLessThan(10);
    expect(rssMax - rss0, "gateway memory bounded").toBeLessThan(128 * 2 ** 20);
  }, 600_000);

  it("negative control: points deleted from InfluxDB are reported missing", async () => {
    const all = readLedgers(ledgers, sensors);
    const victims = all.slice(-40, -30).flatMap((b) => b.readings.slice(0, 1).map((r) => ({ b, r })));
    expect(victims.length).toBeGreaterThan(0);
    const bySensor = new Map(city.sensors.map((s) => [s.id, s]));
    for (const { r } of victims) {
      const [sensorId, ts] = r;
      const domain = bySensor.get(sensorId)!.domain;
      await query(
        influx.url,
        DB,
        `DELETE FROM "${domain}" WHERE "sensor" = '${sensorId}' AND time >= ${ts}ms AND time <= ${ts}ms`,
      );
    }
    const stored = await readStored(influx.url, DB, t0 - 3600_000);
    const t = tally(all, all, stored, sensors);
    expect(t.missing).toBe(victims.length);
    for (const { r } of victims)
      expect(t.missingSample.some((m) => m.startsWith(`${r[0]} ${r[1]} `))).toBe(true);
    // …and a reading acknowledged in two batches is reported duplicated.
    const forged: AckedBatch = { ...all[0]!, seq: -1, readings: all[0]!.readings.slice(0, 1) };
    expect(tally([forged], [...all, forged], stored, sensors).duplicated).toBe(1);
  }, 120_000);
});
