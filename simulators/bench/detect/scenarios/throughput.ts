/**
 * Engine cost per reading, without signal generation: the city's readings for `seconds` of
 * simulated time (each device at its interval, the demo-like incidents included so levels
 * move) are generated into arrays first, then fed to a fresh engine, best of `repeats`.
 *   cheap  stage "cheap": impossible + threshold + liveness (the hot path, target ≤ 1 µs)
 *   full   stage "full": every detector + composite rules (budget ≤ 20 µs)
 * Single-threaded, so readings/s/core = 1e9 / ns per reading.
 */
import { performance } from "node:perf_hooks";
import { DetectionEngine, type CityModel, type DetectStage } from "@citytwin/model";
import { SignalEngine, type Scenario } from "../../../src/signals";

export interface Throughput {
  readings: number;
  cheapNsPerReading: number;
  fullNsPerReading: number;
  /** Of the full stack. */
  readingsPerSecondPerCore: number;
}

interface Feed {
  idx: Int32Array;
  ts: Float64Array;
  value: Float64Array;
}

function generate(city: CityModel, startMs: number, seconds: number, scenario?: Scenario): Feed {
  const signal = new SignalEngine({ city, startMs, ...(scenario === undefined ? {} : { scenario }) });
  const interval = new Map(city.devices.map((d, i) => [d.id, { s: Math.round(d.intervalMs / 1000), i }]));
  const idx: number[] = [];
  const ts: number[] = [];
  const value: number[] = [];
  for (let s = 0; s < seconds; s++) {
    const t = startMs + s * 1000;
    city.sensors.forEach((sensor, i) => {
      const d = interval.get(sensor.deviceId) ?? { s: 1, i: 0 };
      if (s % d.s !== d.i % d.s) return;
      idx.push(i);
      ts.push(t);
      value.push(signal.value(sensor.id, t));
    });
  }
  return { idx: Int32Array.from(idx), ts: Float64Array.from(ts), value: Float64Array.from(value) };
}

function run(city: CityModel, feed: Feed, stage: DetectStage, repeats: number): number {
  let best = Number.POSITIVE_INFINITY;
  const n = feed.idx.length;
  for (let r = 0; r < repeats; r++) {
    let conditions = 0;
    const engine = new DetectionEngine({ city, stage, onCondition: () => void conditions++ });
    const t0 = performance.now();
    let lastTs = 0;
    for (let k = 0; k < n; k++) {
      const ts = feed.ts[k] ?? 0;
      if (ts !== lastTs) {
        engine.tick(ts);
        lastTs = ts;
      }
      engine.reading(feed.idx[k] ?? 0, ts, feed.value[k] ?? 0, "good");
    }
    const ns = ((performance.now() - t0) * 1e6) / n;
    if (ns < best) best = ns;
  }
  return best;
}

export function measureThroughput(
  city: CityModel,
  startMs: number,
  options: { seconds?: number; repeats?: number; scenario?: Scenario } = {},
): Throughput {
  const feed = generate(city, startMs, options.seconds ?? 300, options.scenario);
  const repeats = options.repeats ?? 3;
  const cheap = run(city, feed, "cheap", repeats);
  const full = run(city, feed, "full", repeats);
  return {
    readings: feed.idx.length,
    cheapNsPerReading: cheap,
    fullNsPerReading: full,
    readingsPerSecondPerCore: 1e9 / full,
  };
}
