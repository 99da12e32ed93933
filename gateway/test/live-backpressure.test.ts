/**
 * Live hub per-client bound: a client whose bufferedAmount is above `maxBufferedBytes` gets no
 * readings or gateway frames (coalesced, counted, caught up once it drains); an alarm frame,
 * which cannot be coalesced, closes it instead (counted). Other clients are unaffected.
 */
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import type { LiveMessage } from "@citytwin/model";
import { HotStore } from "../src/hot-store/hot-store";
import { DeviceRegistry } from "../src/ingest/registry";
import type { AcceptedReading } from "../src/ingest/validate";
import { LiveHub, type AlarmFrame } from "../src/live/live-hub";
import { GatewayMetrics } from "../src/metrics";
import { tinyCity } from "./fixtures";

class FakeWs {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: LiveMessage[] = [];
  terminated = false;
  send(text: string) {
    this.sent.push(JSON.parse(text) as LiveMessage);
  }
  on() {
    return this;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
  close() {
    this.terminate();
  }
}

interface HubInternals {
  attach(ws: unknown, alarms: boolean): void;
  onTick(): void;
}

async function metric(metrics: GatewayMetrics, name: string): Promise<number> {
  const m = (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;
  return m ?? 0;
}

describe("live hub backpressure", () => {
  it("skips and coalesces for a slow client only; an alarm frame closes it", async () => {
    const registry = new DeviceRegistry(tinyCity());
    const hotStore = new HotStore(registry.sensors.length, 16);
    const metrics = new GatewayMetrics();
    const hub = new LiveHub({
      tickMs: 1_000_000,
      maxBufferedBytes: 1000,
      registry,
      hotStore,
      metrics,
      logger: pino({ level: "silent" }),
      now: () => 1,
    });
    const internals = hub as unknown as HubInternals;
    const fast = new FakeWs();
    const slow = new FakeWs();
    internals.attach(fast, true);
    internals.attach(slow, true);
    const sensor = registry.sensors[0]!;
    const reading = (ts: number) => {
      hotStore.append(sensor.index, ts, ts, "good", "normal");
      hub.onReadings([{ sensor } as unknown as AcceptedReading]);
    };

    slow.bufferedAmount = 5000; // stops reading
    for (let i = 1; i <= 5; i++) {
      reading(i);
      hub.onGatewayState("gw-01", i % 2 === 0 ? "online" : "offline", i);
      internals.onTick();
    }
    const types = (ws: FakeWs) => ws.sent.map((m) => m.type);
    expect(types(fast).filter((t) => t === "readings")).toHaveLength(5);
    expect(types(fast).filter((t) => t === "gateway")).toHaveLength(5);
    expect(types(slow)).toEqual(["hello"]);
    expect(await metric(metrics, "citytwin_live_skipped_total")).toBe(10);

    slow.bufferedAmount = 0; // drained: one catch-up per gateway and one readings frame
    internals.onTick();
    expect(slow.sent.slice(1)).toEqual([
      { type: "gateway", gatewayId: "gw-01", state: "offline", ts: 5 },
      { type: "readings", r: [[sensor.sensorId, 5, 5, "good", "normal"]] },
    ]);

    slow.bufferedAmount = 5000;
    hub.pushAlarm({ type: "flood", active: true } as unknown as AlarmFrame);
    expect(slow.terminated).toBe(true);
    expect(fast.terminated).toBe(false);
    expect(fast.sent.at(-1)?.type).toBe("flood");
    expect(await metric(metrics, "citytwin_live_slow_closed_total")).toBe(1);
    expect(hub.clientCount).toBe(1);
  });
});

describe("live hub flush timing", () => {
  it("pushes a reading at once when idle and at most one frame per tickMs when busy", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const registry = new DeviceRegistry(tinyCity());
      const hotStore = new HotStore(registry.sensors.length, 16);
      const hub = new LiveHub({
        tickMs: 1000,
        maxBufferedBytes: 1000,
        registry,
        hotStore,
        metrics: new GatewayMetrics(),
        logger: pino({ level: "silent" }),
        now: () => 1,
      });
      await hub.start();
      const ws = new FakeWs();
      (hub as unknown as HubInternals).attach(ws, false);
      const [a, b] = [registry.sensors[0]!, registry.sensors[1]!];
      const reading = (sensor: typeof a, ts: number) => {
        hotStore.append(sensor.index, ts, ts, "good", "normal");
        hub.onReadings([{ sensor } as unknown as AcceptedReading]);
      };
      const frames = () => ws.sent.filter((m) => m.type === "readings");

      reading(a, 1);
      await vi.advanceTimersByTimeAsync(0);
      expect(frames()).toEqual([{ type: "readings", r: [[a.sensorId, 1, 1, "good", "normal"]] }]);

      reading(a, 2); // within the tick: held, then coalesced with a and b's later readings
      reading(b, 3);
      reading(a, 4);
      await vi.advanceTimersByTimeAsync(999);
      expect(frames()).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(frames()[1]).toEqual({
        type: "readings",
        r: [
          [a.sensorId, 4, 4, "good", "normal"],
          [b.sensorId, 3, 3, "good", "normal"],
        ],
      });
      await hub.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
