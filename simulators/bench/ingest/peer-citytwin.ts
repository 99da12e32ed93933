/**
 * The CityTwin peer of the ingest bench: the gateway in a child process (broker bench's
 * gateway-host.ts, demo mode, influx.v1 → the shared influxd, its own database, the durable
 * ingest journal in the run's temp dir) fed by the paced load workers; a `ws` client on /live
 * measures sensor ts → frame receipt. After each step ingest is drained and the step's
 * readings are counted in InfluxDB. Stops at the first step that breaks a bound.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { WebSocket } from "ws";
import type { CityModel } from "@citytwin/model";
import { createDatabase } from "../../../test/support/influxd";
import { benchGatewayConfig } from "../../src/load/gateway-set";
import { forkTsx, type Forked } from "../broker/ipc";
import { TENANT } from "../broker/payload";
import { percentiles, type WindowStats } from "../broker/stats";
import {
  brokenBounds,
  count,
  fmt,
  log,
  recountIfShort,
  runStep,
  sleep,
  startLoad,
  type RampOptions,
} from "./ramp";
import type { StepResult } from "./report";

export const GW_DB = "citytwin";
/** The gateway writer's flush interval (its default). */
const FLUSH_MS = 1000;

export async function runCityTwin(
  influx: { url: string; pid: number },
  city: CityModel,
  dir: string,
  rates: number[],
  o: RampOptions,
  batchLines: number,
  gatewaySets: readonly [string[], unknown][] = [],
): Promise<StepResult[]> {
  await createDatabase(influx.url, GW_DB);
  writeFileSync(join(dir, "city.json"), JSON.stringify(city));
  writeFileSync(
    join(dir, "gateway.yaml"),
    stringify(
      benchGatewayConfig(
        TENANT,
        {
          influx: {
            v1: { url: influx.url, database: GW_DB },
            batchSize: batchLines,
            flushIntervalMs: FLUSH_MS,
            maxRetries: 5,
          },
          ingest: { journal: { dir: "ingest-journal" } },
        },
        gatewaySets,
      ),
    ),
  );
  let workers: Forked[] = [];
  const host = forkTsx(join(import.meta.dirname, "../broker/gateway-host.ts"), [join(dir, "gateway.yaml")], {
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  });
  try {
    const ready = await host.call<{ mqttPort: number; httpPort: number }>("ready");
    const gwPid = host.proc.pid ?? 0;
    log(`citytwin: gateway mqtt :${ready.mqttPort}, http :${ready.httpPort}, journal on`);

    // Live client: latency per reading tuple whose ts falls in the current step.
    let liveSamples: number[] = [];
    let liveFrom = Infinity;
    let liveTo = -Infinity;
    const ws = new WebSocket(`ws://127.0.0.1:${ready.httpPort}/live`, { perMessageDeflate: false });
    ws.on("message", (data: Buffer) => {
      const now = Date.now();
      const m = JSON.parse(data.toString("utf8")) as { type: string; r?: [string, number][] };
      if (m.type !== "readings" || m.r === undefined) return;
      for (const t of m.r) if (t[1] >= liveFrom && t[1] <= liveTo) liveSamples.push(now - t[1]);
    });
    await new Promise<void>((res, rej) => {
      ws.once("open", () => res());
      ws.once("error", rej);
    });
    workers = await startLoad(`mqtt://127.0.0.1:${ready.mqttPort}`, o);

    const gwMetrics = async () => {
      const text = await (await fetch(`http://127.0.0.1:${ready.httpPort}/metrics`)).text();
      const sum = (name: string) =>
        text
          .split("\n")
          .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
          .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
      return {
        readings: sum("citytwin_ingest_readings_total"),
        written: sum("citytwin_influx_points_written_total"),
        dropped: sum("citytwin_influx_points_dropped_total"),
        failures: sum("citytwin_influx_write_failures_total"),
        refused: sum("citytwin_journal_refused_total"),
        catchUps: sum("citytwin_sink_catchup_total"),
      };
    };
    const hostStats = () =>
      host.call<{ ingest: WindowStats; batches: number; rejected: number; shed: number; held: number }>(
        "stats",
        { type: "stats" },
      );
    const steps: StepResult[] = [];
    for (const rate of rates) {
      log(`citytwin: step ${fmt(rate)} readings/s for ${o.seconds} s …`);
      const c0 = await hostStats();
      const m0 = await gwMetrics();
      const run = await runStep(workers, rate, o, [gwPid, influx.pid], async (start, endAt) => {
        await host.call("ok", { type: "window", window: { from: start, to: endAt + 60_000 } });
        liveSamples = [];
        liveFrom = start;
        liveTo = endAt + 1000;
      });

      // Drain: ingest idle, then every reading the gateway ingested since the step began is
      // either written to InfluxDB or given up (writer counters), then count in InfluxDB.
      const t0 = Date.now();
      await host.call("idle", { type: "idle" }, o.drainS * 1000);
      let m1 = await gwMetrics();
      while (
        m1.written + m1.dropped - (m0.written + m0.dropped) < m1.readings - m0.readings &&
        Date.now() - t0 < o.drainS * 1000
      ) {
        await sleep(250);
        m1 = await gwMetrics();
      }
      const counted = await count(influx.url, GW_DB, run.from, run.to);
      const drainS = (Date.now() - t0) / 1000;
      const inInflux = await recountIfShort(influx.url, GW_DB, run, counted);
      await sleep(Math.max(0, run.endAt + 1500 - Date.now()));
      const c1 = await hostStats();
      const liveMs = percentiles(liveSamples);
      const acceptedPerS = run.acked / o.seconds;
      const loss = Math.max(0, run.acked - inInflux);
      // Storage must keep pace, as Node-RED's storage lag must: the drain after the step may
      // take the latency bound plus the writer's designed batching delay (one flush interval).
      const trailed =
        drainS * 1000 > o.p99BoundMs + FLUSH_MS ? `storage trailed: drain ${drainS.toFixed(1)} s` : "";
      const why = [
        brokenBounds(loss, liveMs.samples === 0 ? undefined : liveMs.p99, acceptedPerS, rate, o),
        trailed,
      ]
        .filter((x) => x !== "")
        .join(", ");
      const step: StepResult = {
        offeredPerS: rate,
        acceptedPerS,
        acked: run.acked,
        inInflux,
        loss,
        late: inInflux - counted,
        drainS,
        liveMs,
        ingestMs: c1.ingest.latencyMs,
        gatewayCpuPct: run.cpu[0]!,
        gatewayRssMiB: run.rssBytes / 2 ** 20,
        influxdCpuPct: run.cpu[1]!,
        loadCpuPct: run.cpu[2]!,
        shed: c1.shed - c0.shed,
        held: c1.held - c0.held,
        rejected: c1.rejected - c0.rejected,
        influxWriteFailures: m1.failures - m0.failures,
        influxDropped: m1.dropped - m0.dropped,
        journalRefused: m1.refused - m0.refused,
        sinkCatchUps: m1.catchUps - m0.catchUps,
        held_ok: why === "",
        why,
      };
      steps.push(step);
      log(
        `  accepted ${fmt(acceptedPerS)}/s, in InfluxDB ${fmt(inInflux)} of ${fmt(run.acked)} (drain ${drainS.toFixed(1)} s), ` +
          `/live p50/p99 ${liveMs.p50}/${liveMs.p99} ms, sink catch-ups ${step.sinkCatchUps}, gateway CPU ${step.gatewayCpuPct.toFixed(0)} % RSS ${step.gatewayRssMiB.toFixed(0)} MiB, influxd CPU ${step.influxdCpuPct.toFixed(0)} % → ${step.held_ok ? "held" : `broke (${why})`}`,
      );
      if (!step.held_ok && !o.keepGoing) break;
    }
    ws.close();
    return steps;
  } finally {
    for (const w of workers) await w.stop();
    await host.call("never", { type: "stop" }, 20_000).catch(() => undefined);
    await host.stop();
  }
}
