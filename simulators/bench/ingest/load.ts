/**
 * A paced load worker for the ingest bench (forked with IPC): one MQTT.js client per gateway
 * id, publishing TelemetryBatch JSON (QoS 1) to its own `…/telemetry` at a fixed offered rate
 * (readings/s shared evenly over the clients), at most `inflight` unacknowledged publishes per
 * client. A client that is behind schedule catches up as fast as its window allows; when the
 * gateway holds PUBACKs (backpressure) the offered rate is simply not reached, which the
 * orchestrator reports.
 *
 * Every reading's `ts` is its batch's send time, made strictly increasing per client, so no
 * two readings of one sensor share a timestamp (InfluxDB would merge them into one point and
 * the loss count would be wrong).
 */
import mqtt, { type MqttClient } from "mqtt";
import { topics } from "@citytwin/model";
import { gatewayId, telemetryBatch, TENANT } from "../broker/payload";

export interface IngestLoadSetup {
  url: string;
  /** Gateway indexes this worker publishes for (one client each). */
  gateways: number[];
  /** Devices per batch (2 readings each, one entry). */
  devices: number;
  inflight: number;
}
export type IngestLoadRequest =
  | { type: "setup"; setup: IngestLoadSetup }
  | { type: "go"; readingsPerS: number; startAt: number; endAt: number };
export interface IngestLoadResult {
  /** Readings published and PUBACKed. */
  acked: number;
  batches: number;
  /** Batches the schedule called for but the in-flight window did not allow by the end. */
  behind: number;
  firstTs: number;
  lastTs: number;
}

const send = (m: unknown) => process.send?.(m);
let setup: IngestLoadSetup;
let conns: MqttClient[] = [];

async function prepare(s: IngestLoadSetup): Promise<void> {
  setup = s;
  conns = await Promise.all(
    s.gateways.map((g) =>
      mqtt.connectAsync(s.url, {
        username: gatewayId(g),
        clientId: `bench-ingest-${g}`,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        keepalive: 60,
      }),
    ),
  );
}

async function go(readingsPerS: number, startAt: number, endAt: number): Promise<void> {
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const perBatch = setup.devices * 2;
  const batchesPerSPerClient = readingsPerS / perBatch / conns.length;
  const epoch = Date.now();
  const res: IngestLoadResult = { acked: 0, batches: 0, behind: 0, firstTs: Infinity, lastTs: 0 };
  const t0 = startAt;
  /** Batches per client for the step: batch k is due at (k − 1) / rate after the start. */
  const total = Math.round(((endAt - startAt) / 1000) * batchesPerSPerClient);
  await Promise.all(
    conns.map(
      (c, i) =>
        new Promise<void>((resolve) => {
          const g = setup.gateways[i]!;
          const topic = topics.telemetry(TENANT, gatewayId(g));
          let seq = 0;
          let open = 0;
          let lastTs = 0;
          let timer: NodeJS.Timeout | undefined;
          const fill = () => {
            const now = Date.now();
            const due = Math.min(total, Math.floor(((now - t0) / 1000) * batchesPerSPerClient) + 1);
            while (seq < due && open < setup.inflight && now < endAt) {
              const ts = Math.max(Date.now(), lastTs + 1);
              lastTs = ts;
              if (ts < res.firstTs) res.firstTs = ts;
              if (ts > res.lastTs) res.lastTs = ts;
              const body = JSON.stringify(telemetryBatch(g, setup.devices, 1, epoch, ++seq, ts));
              open++;
              c.publish(topic, body, { qos: 1 }, (err) => {
                open--;
                if (err === undefined || err === null) {
                  res.acked += perBatch;
                  res.batches++;
                }
                fill();
              });
            }
            if (now >= endAt || seq >= total) {
              if (timer !== undefined) clearInterval(timer);
              timer = undefined;
              if (open === 0) resolve();
            }
          };
          timer = setInterval(fill, 2);
          fill();
        }),
    ),
  );
  const scheduled = total * conns.length;
  res.behind = Math.max(0, scheduled - res.batches);
  send({ type: "done", result: res });
}

process.on("message", (raw) => {
  const req = raw as IngestLoadRequest;
  if (req.type === "setup")
    prepare(req.setup).then(
      () => send({ type: "ready" }),
      (err: unknown) => send({ type: "error", message: String(err) }),
    );
  else void go(req.readingsPerS, req.startAt, req.endAt);
});
process.on("disconnect", () => {
  void Promise.all(conns.map((c) => c.endAsync(true))).finally(() => process.exit(0));
});
