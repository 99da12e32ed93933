/**
 * The hand-built peer of the ingest bench: Debian's Mosquitto (defaults, loopback) and
 * Node-RED (nodered.ts) with the flow mqtt in → json → function → influxdb batch into the
 * shared influxd, its own database, fed by the same load workers and batches as the gateway.
 *
 * Node-RED has no /live, so latency is the **storage lag**: after the step, the time from the
 * last reading's ts until `SELECT count(value)` over the step reaches the readings Mosquitto
 * PUBACKed (polled every 100 ms). Loss: PUBACKed − counted once the count stops growing
 * (2 s without progress) or after `--drain-s`.
 */
import { join } from "node:path";
import type { CityModel } from "@citytwin/model";
import { topics } from "@citytwin/model";
import { createDatabase } from "../../../test/support/influxd";
import { startMosquitto } from "../../../test/support/mosquitto";
import type { Forked } from "../broker/ipc";
import { TENANT } from "../broker/payload";
import { startNodeRed, type NodeRed } from "./nodered";
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
import type { NodeRedStep } from "./report";

export const NR_DB = "nodered";
const STALL_MS = 2000;

export async function runNodeRed(
  influx: { url: string; pid: number },
  installDir: string,
  city: CityModel,
  dir: string,
  rates: number[],
  o: RampOptions,
): Promise<NodeRedStep[]> {
  await createDatabase(influx.url, NR_DB);
  const mq = await startMosquitto(dir, { name: "mosquitto-nodered", extraConfig: "persistence false\n" });
  let nr: NodeRed | undefined;
  let workers: Forked[] = [];
  try {
    nr = await startNodeRed(installDir, join(dir, "node-red"), city, {
      mqttPort: mq.port,
      topic: topics.telemetry(TENANT, "+"),
      influxPort: Number(new URL(influx.url).port),
      database: NR_DB,
    });
    await sleep(1000); // the SUBSCRIBE follows the CONNACK
    log(`nodered: mosquitto :${mq.port}, Node-RED pid ${nr.pid} subscribed`);
    workers = await startLoad(mq.url, o);
    const steps: NodeRedStep[] = [];
    for (const rate of rates) {
      log(`nodered: step ${fmt(rate)} readings/s for ${o.seconds} s …`);
      const run = await runStep(workers, rate, o, [nr.pid, mq.child.proc.pid ?? 0, influx.pid]);
      // Storage lag and drain.
      let inInflux = 0;
      let lagMs: number | undefined;
      let lastGrowth = Date.now();
      const deadline = Date.now() + o.drainS * 1000;
      while (Date.now() < deadline && Date.now() - lastGrowth < STALL_MS) {
        const c = await count(influx.url, NR_DB, run.from, run.to);
        if (c > inInflux) lastGrowth = Date.now();
        inInflux = c;
        if (c >= run.acked) {
          lagMs = Math.max(0, Date.now() - run.to);
          break;
        }
        await sleep(100);
      }
      const drainS = (Date.now() - run.endAt) / 1000;
      const counted = inInflux;
      inInflux = await recountIfShort(influx.url, NR_DB, run, counted);
      const acceptedPerS = run.acked / o.seconds;
      const loss = Math.max(0, run.acked - inInflux);
      const why = brokenBounds(loss, lagMs, acceptedPerS, rate, o).replace(/p99 /, "storage lag ");
      const step: NodeRedStep = {
        offeredPerS: rate,
        acceptedPerS,
        acked: run.acked,
        inInflux,
        loss,
        late: inInflux - counted,
        drainS,
        storageLagMs: lagMs ?? null,
        nodeRedCpuPct: run.cpu[0]!,
        nodeRedRssMiB: run.rssBytes / 2 ** 20,
        mosquittoCpuPct: run.cpu[1]!,
        influxdCpuPct: run.cpu[2]!,
        loadCpuPct: run.cpu[3]!,
        held_ok: why === "",
        why,
      };
      steps.push(step);
      log(
        `  accepted ${fmt(acceptedPerS)}/s, in InfluxDB ${fmt(inInflux)} of ${fmt(run.acked)}, storage lag ${lagMs === undefined ? "–" : `${fmt(lagMs)} ms`}, ` +
          `Node-RED CPU ${step.nodeRedCpuPct.toFixed(0)} % RSS ${step.nodeRedRssMiB.toFixed(0)} MiB, mosquitto CPU ${step.mosquittoCpuPct.toFixed(0)} %, influxd CPU ${step.influxdCpuPct.toFixed(0)} % → ${step.held_ok ? "held" : `broke (${why})`}`,
      );
      if (!step.held_ok && !o.keepGoing) break;
      await sleep(1000);
    }
    return steps;
  } finally {
    for (const w of workers) await w.stop();
    await nr?.stop();
    await mq.child.stop();
  }
}
