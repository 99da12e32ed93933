/**
 * A decode thread (worker_threads): parses and validates telemetry payloads for the ingest
 * event loop, which keeps every stateful step (decode-pool.ts). Started through
 * decode-thread-boot.mjs with `DecodeThreadInit` as workerData; answers each `DecodeRequest`
 * with one `DecodeReply` (decode-wire.ts), in request order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { sensorKind, type RejectReason } from "@citytwin/model";
import { LEVEL_CODE, QUALITY_CODE } from "../hot-store/hot-store";
import { decodeTelemetry } from "./decode";
import type {
  DecodeReply,
  DecodeRequest,
  DecodeThreadInit,
  RegistryColumns,
  WireVerdict,
} from "./decode-wire";
import type { AcceptedReading, SensorLookup, ValidatedSensor } from "./validate";

type Lookup = SensorLookup<ValidatedSensor>;
type Device = { gatewayId: string; sensors: Map<string, ValidatedSensor> };

function buildLookup(c: RegistryColumns): Lookup {
  const devices = new Map<string, Device>();
  const byRow: Device[] = c.deviceIds.map((id, i) => {
    const d: Device = { gatewayId: c.gatewayIds[i] ?? "", sensors: new Map() };
    devices.set(id, d);
    return d;
  });
  for (let row = 0; row < c.sensorKey.length; row++) {
    const kind = c.sensorKind[row] ?? "";
    byRow[c.sensorDevice[row] ?? 0]?.sensors.set(c.sensorKey[row] ?? "", {
      index: c.sensorIndex[row] ?? 0,
      sensorId: c.sensorId[row] ?? "",
      kind,
      thresholds: sensorKind(kind)?.thresholds,
    });
  }
  return { devices };
}

const init = workerData as DecodeThreadInit;
const lookup = buildLookup(init.registry);
const out: AcceptedReading<ValidatedSensor>[] = [];

/** Growable columns of accepted readings for one reply. */
class Columns {
  n = 0;
  index = new Int32Array(1024);
  ts = new Float64Array(1024);
  value = new Float64Array(1024);
  code = new Uint8Array(1024);

  push(r: AcceptedReading<ValidatedSensor>): void {
    if (this.n === this.index.length) this.grow();
    const i = this.n++;
    this.index[i] = r.sensor.index;
    this.ts[i] = r.ts;
    this.value[i] = r.value ?? NaN;
    this.code[i] = QUALITY_CODE[r.quality] * 8 + LEVEL_CODE[r.level];
  }

  private grow(): void {
    this.index = doubled(this.index);
    this.ts = doubled(this.ts);
    this.value = doubled(this.value);
    this.code = doubled(this.code);
  }
}

/** A copy of `a` with twice the room. */
function doubled<T extends Int32Array | Float64Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (length: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

function decode(req: DecodeRequest): DecodeReply {
  const bytes = Buffer.from(req.payloads);
  const cols = new Columns();
  const verdicts: WireVerdict[] = [];
  let start = 0;
  for (let m = 0; m < req.ends.length; m++) {
    const end = req.ends[m] ?? start;
    const v = decodeTelemetry(
      bytes.subarray(start, end),
      req.gatewayIds[m] ?? "",
      lookup,
      init.limits,
      typeof req.now === "number" ? req.now : (req.now[m] ?? 0),
      out,
    );
    start = end;
    if (!v.ok) {
      verdicts.push(v);
      continue;
    }
    for (const r of out) cols.push(r);
    const rejected =
      v.rejected.size === 0
        ? undefined
        : [...v.rejected].map(([reason, t]): [RejectReason, number, string] => [reason, t.count, t.sample]);
    verdicts.push({ ok: true, epoch: v.epoch, seq: v.seq, n: out.length, rejected });
  }
  const n = cols.n;
  return {
    id: req.id,
    verdicts,
    index: cols.index.slice(0, n),
    ts: cols.ts.slice(0, n),
    value: cols.value.slice(0, n),
    code: cols.code.slice(0, n),
  };
}

parentPort?.on("message", (req: DecodeRequest) => {
  const reply = decode(req);
  parentPort?.postMessage(reply, [
    reply.index.buffer,
    reply.ts.buffer,
    reply.value.buffer,
    reply.code.buffer,
  ]);
});
parentPort?.postMessage({ ready: true });
