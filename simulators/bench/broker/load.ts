/**
 * A load worker (forked with IPC): MQTT.js clients, identical for both brokers.
 *  - `fanin-pub`: one client per gateway id (username), publishing TelemetryBatch JSON to its
 *    own `…/telemetry`, at most `inflight` unfinished publishes per client (QoS 1: until PUBACK;
 *    QoS 0: until written to the socket), as fast as that allows, until `endAt`.
 *  - `fanout-pub`: one client publishing commands round-robin to `…/gw-bNNN/cmd/write`.
 *  - `sub`: clients subscribing to the given filters; each message's latency is receive time −
 *    its `sentAt` (telemetry) or `issuedAt` (command).
 * Counts and latencies cover only messages completed/received inside the window.
 */
import mqtt, { type MqttClient } from "mqtt";
import { topics } from "@citytwin/model";
import { command, gatewayId, telemetryBatch, TENANT } from "./payload";
import { WindowRecorder, type Window } from "./stats";

export interface LoadSetup {
  role: "fanin-pub" | "fanout-pub" | "sub";
  url: string;
  qos: 0 | 1;
  /** fanin-pub: publishers; sub: one client per entry of `filters`; fanout-pub: targets. */
  clients: number;
  /** sub: [username, filter] per client. */
  filters?: [string, string][];
  inflight: number;
  devices: number;
  entries: number;
}
export type LoadRequest = { type: "setup"; setup: LoadSetup } | { type: "go"; window: Window; endAt: number };

const send = (m: unknown) => process.send?.(m);
const rec = new WindowRecorder();
let setup: LoadSetup;
let conns: MqttClient[] = [];

const connect = (username: string, clientId: string) =>
  mqtt.connectAsync(setup.url, {
    username,
    clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    keepalive: 60,
  });

async function prepare(s: LoadSetup): Promise<void> {
  setup = s;
  if (s.role === "sub") {
    for (const [i, [username, filter]] of (s.filters ?? []).entries()) {
      const c = await connect(username, `bench-sub-${i}`);
      c.on("message", (_t, payload) => {
        const now = Date.now();
        const m = JSON.parse(payload.toString("utf8")) as { sentAt?: number; issuedAt?: number };
        rec.record(now, now - (m.sentAt ?? m.issuedAt ?? now));
      });
      const granted = await c.subscribeAsync(filter, { qos: s.qos });
      if (granted[0]?.qos === 128) throw new Error(`subscription to ${filter} refused`);
      conns.push(c);
    }
  } else if (s.role === "fanin-pub") {
    conns = await Promise.all(
      Array.from({ length: s.clients }, (_, i) => connect(gatewayId(i), `bench-pub-${i}`)),
    );
  } else {
    conns = [await connect("bench-platform", "bench-platform")];
  }
}

/** Keeps `inflight` publishes open on `c`; `next` makes [topic, payload]. Resolves at endAt. */
function pump(c: MqttClient, endAt: number, next: () => [string, string]): Promise<void> {
  let open = 0;
  return new Promise((resolve) => {
    const fill = () => {
      while (open < setup.inflight && Date.now() < endAt) {
        const [topic, payload] = next();
        const t0 = performance.now();
        open++;
        c.publish(topic, payload, { qos: setup.qos }, () => {
          open--;
          // QoS 1: PUBACK round trip; QoS 0: only counted (no acknowledgement exists).
          rec.record(Date.now(), setup.qos === 1 ? performance.now() - t0 : undefined);
          fill();
        });
      }
      if (open === 0 && Date.now() >= endAt) resolve();
    };
    fill();
  });
}

async function go(window: Window, endAt: number): Promise<void> {
  rec.window = window;
  if (setup.role === "fanin-pub") {
    const epoch = Date.now();
    await Promise.all(
      conns.map((c, g) => {
        const topic = topics.telemetry(TENANT, gatewayId(g));
        let seq = 0;
        return pump(c, endAt, () => [
          topic,
          JSON.stringify(telemetryBatch(g, setup.devices, setup.entries, epoch, ++seq, Date.now())),
        ]);
      }),
    );
  } else if (setup.role === "fanout-pub") {
    const targets = Array.from({ length: setup.clients }, (_, i) =>
      topics.cmd(TENANT, gatewayId(i), "write"),
    );
    let n = 0;
    await pump(conns[0]!, endAt, () => {
      const g = n % targets.length;
      return [targets[g]!, JSON.stringify(command(g, n++, Date.now()))];
    });
  } else {
    await new Promise((r) => setTimeout(r, Math.max(0, endAt - Date.now() + 1000)));
  }
  await Promise.all(conns.map((c) => c.endAsync(true)));
  send({ type: "done", stats: rec.stats() });
}

process.on("message", (raw) => {
  const req = raw as LoadRequest;
  if (req.type === "setup")
    prepare(req.setup).then(
      () => send({ type: "ready" }),
      (err: unknown) => send({ type: "error", message: String(err) }),
    );
  else void go(req.window, req.endAt);
});
