/**
 * Decode threads for the ingest pipeline (`ingest.decodeThreads`): JSON parsing, the schema
 * check and per-reading validation (about half the gateway's CPU at peak, see
 * docs/profiling.md) run on other cores while the event loop keeps MQTT, HTTP, /live, dedup,
 * the hot store, detection and the sinks.
 *
 * Contract: `decode(items)` resolves with one result per item, in item order, or rejects when
 * its thread failed; the caller then decodes those items itself, so a failed thread loses
 * nothing. A failed thread is logged, counted (`citytwin_ingest_decode_thread_failures_total`)
 * and replaced after `restartMs`; `ready` is false until a thread answers.
 * Runs of requests are spread round-robin; each thread answers its own in order. A thread
 * keeps the process alive only while it starts or owes an answer (an idle one never holds up
 * an exit, e.g. after a start that failed before `stop()` could run).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { LEVELS, QUALITIES, type Quality } from "@citytwin/model";
import type { GatewayMetrics } from "../metrics";
import type { DecodeVerdict } from "./decode";
import { registryColumns, type DecodeReply, type DecodeRequest, type DecodeThreadInit } from "./decode-wire";
import type { DeviceRegistry } from "./registry";
import type { AcceptedReading, IngestLimits, RejectionTally } from "./validate";

const BOOT = new URL("./decode-thread-boot.mjs", import.meta.url);

/** What a decode thread decodes: a telemetry payload and the gateway it came from. */
export interface DecodeItem {
  payload: Buffer;
  gatewayId: string;
}

/**
 * The decoded items of one request; `readings(i, out)` fills `out` with item i's readings,
 * `each(fn)` visits every accepted reading of the run in order without building objects.
 */
export interface DecodedRun {
  verdicts: DecodeVerdict[];
  readings(i: number, out: AcceptedReading[]): void;
  each(
    fn: (sensor: AcceptedReading["sensor"], ts: number, value: number | null, quality: Quality) => void,
  ): void;
}

interface Pending {
  resolve(run: DecodedRun): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  pending: Map<number, Pending>;
}

export interface DecodePoolOptions {
  threads: number;
  registry: DeviceRegistry;
  limits: IngestLimits;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Delay before a failed thread is replaced (default 1000 ms). */
  restartMs?: number;
}

/** `ingest.decodeThreads` → a thread count: "auto" is one with two or more cores, else none. */
export function decodeThreadCount(setting: number | "auto", cores = availableParallelism()): number {
  return setting === "auto" ? (cores >= 2 ? 1 : 0) : setting;
}

export class DecodePool {
  private readonly threads: (Thread | undefined)[] = [];
  private readonly init: DecodeThreadInit;
  private next = 0;
  private nextId = 0;
  private stopped = false;

  constructor(private readonly opts: DecodePoolOptions) {
    this.init = { registry: registryColumns(opts.registry), limits: opts.limits };
  }

  /** Starts the threads; resolves once each answered (or failed, then it is being replaced). */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.opts.threads }, (_, i) => this.spawn(i)));
  }

  /** Threads configured. */
  get size(): number {
    return this.opts.threads;
  }

  /** True while at least one thread is ready to take a request. */
  get ready(): boolean {
    return this.threads.some((t) => t?.ready === true);
  }

  /** The live threads (tests terminate one to check recovery). */
  get workers(): Worker[] {
    return this.threads.flatMap((t) => (t === undefined ? [] : [t.worker]));
  }

  /** `now`: the validation's "now", for the run or per item (journal records: their receivedAt). */
  decode(items: readonly DecodeItem[], now: number | Float64Array<ArrayBuffer>): Promise<DecodedRun> {
    const thread = this.pick();
    if (thread === undefined) return Promise.reject(new Error("no decode thread ready"));
    let size = 0;
    for (const it of items) size += it.payload.length;
    const bytes = new Uint8Array(size);
    const ends = new Uint32Array(items.length);
    let at = 0;
    items.forEach((it, i) => {
      bytes.set(it.payload, at);
      at += it.payload.length;
      ends[i] = at;
    });
    const req: DecodeRequest = {
      id: this.nextId++,
      now,
      gatewayIds: items.map((it) => it.gatewayId),
      payloads: bytes.buffer,
      ends,
    };
    const transfer =
      typeof now === "number" ? [req.payloads, ends.buffer] : [req.payloads, ends.buffer, now.buffer];
    return new Promise((resolve, reject) => {
      thread.pending.set(req.id, { resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage(req, transfer);
    });
  }

  /** Stops the threads; requests still owed an answer reject (their callers decode them). */
  async stop(): Promise<void> {
    this.stopped = true;
    const threads = this.threads.splice(0);
    const stopped = new Error("decode pool stopped");
    for (const t of threads) {
      for (const p of t?.pending.values() ?? []) p.reject(stopped);
      t?.pending.clear();
    }
    await Promise.all(threads.map((t) => t?.worker.terminate()));
  }

  private pick(): Thread | undefined {
    for (let k = 0; k < this.threads.length; k++) {
      const t = this.threads[(this.next + k) % this.threads.length];
      if (t?.ready === true) {
        this.next = (this.next + k + 1) % this.threads.length;
        return t;
      }
    }
    return undefined;
  }

  private spawn(slot: number): Promise<void> {
    const worker = new Worker(BOOT, { workerData: this.init, name: `decode-${slot}` });
    const thread: Thread = { worker, ready: false, pending: new Map() };
    this.threads[slot] = thread;
    return new Promise((started) => {
      worker.on("message", (m: DecodeReply | { ready: true }) => {
        if ("ready" in m) {
          thread.ready = true;
          worker.unref();
          started();
          return;
        }
        const p = thread.pending.get(m.id);
        thread.pending.delete(m.id);
        if (thread.pending.size === 0) worker.unref();
        p?.resolve(decodedRun(m, this.opts.registry));
      });
      const fail = (err: Error) => {
        if (this.threads[slot] !== thread) return;
        this.threads[slot] = undefined;
        thread.ready = false;
        started();
        if (this.stopped) return;
        this.opts.metrics.decodeThreadFailures.inc();
        this.opts.logger.error(
          { err, thread: slot, inFlight: thread.pending.size },
          "decode thread failed; its messages are decoded on the event loop, thread restarting",
        );
        for (const p of thread.pending.values()) p.reject(err);
        thread.pending.clear();
        void worker.terminate();
        setTimeout(() => {
          if (!this.stopped) void this.spawn(slot);
        }, this.opts.restartMs ?? 1000).unref();
      };
      worker.on("error", fail);
      worker.on("exit", (code) => fail(new Error(`decode thread exited with code ${code}`)));
    });
  }
}

function decodedRun(m: DecodeReply, registry: DeviceRegistry): DecodedRun {
  const offsets: number[] = [];
  let at = 0;
  const verdicts = m.verdicts.map((v): DecodeVerdict => {
    offsets.push(at);
    if (!v.ok) return v;
    at += v.n;
    const rejected: RejectionTally = new Map();
    for (const [reason, count, sample] of v.rejected ?? []) rejected.set(reason, { count, sample });
    return { ok: true, epoch: v.epoch, seq: v.seq, rejected };
  });
  const sensor = (j: number) => registry.sensors[m.index[j] ?? 0] as AcceptedReading["sensor"];
  const value = (j: number) => {
    const v = m.value[j] ?? NaN;
    return Number.isNaN(v) ? null : v;
  };
  const quality = (j: number) => QUALITIES[(m.code[j] ?? 0) >> 3] ?? "good";
  return {
    verdicts,
    each(fn) {
      for (let j = 0; j < m.index.length; j++) fn(sensor(j), m.ts[j] ?? 0, value(j), quality(j));
    },
    readings(i, out) {
      out.length = 0;
      const v = m.verdicts[i];
      if (v === undefined || !v.ok) return;
      const from = offsets[i] ?? 0;
      for (let j = from; j < from + v.n; j++)
        out.push({
          sensor: sensor(j),
          ts: m.ts[j] ?? 0,
          value: value(j),
          quality: quality(j),
          level: LEVELS[(m.code[j] ?? 0) & 7] ?? "normal",
        });
    },
  };
}
