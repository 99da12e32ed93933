import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CityModel } from "@citytwin/model";
import { generateCity } from "../src/city";
import { parseScenario } from "../src/signals";
import {
  rawConditionSink,
  type AlarmEvent,
  type AlarmSinkFactory,
} from "../bench/detect/scenarios/alarm-sink";
import { evaluateScenarios } from "../bench/detect/scenarios/evaluate";
import { BENCH_START_MS, cleanRun } from "../bench/detect/scenarios/labelled";

// The detectors' defaults against the simulator: seed-42 city, every device at its own
// interval, fast-forwarded. Warm-up: the adaptive baselines are silent for their first 5 min;
// the daily-seasonal ones for their first day.
const city = generateCity({ seed: 42 });
const DAY = 86_400_000;

describe("detector calibration on the simulated city", () => {
  it("2 h of clean data through the morning demand ramp (06:00–08:00 CST) raise no condition at all", () => {
    const [run] = evaluateScenarios({ city, runs: [cleanRun(2 / 24, BENCH_START_MS)] });
    expect(run?.readings).toBeGreaterThan(4_000_000);
    expect(run?.conditions).toBe(0);
  });

  it("detects every demo incident within 5 s, and names it (composite rule) within 10 s", () => {
    const text = readFileSync(new URL("../scenarios/demo.yaml", import.meta.url), "utf8");
    const scenario = parseScenario(text, "demo.yaml", city);
    const [run] = evaluateScenarios({
      city,
      runs: [
        {
          name: "demo",
          scenario,
          startMs: BENCH_START_MS + 600_000,
          durationMs: 300_000,
          preRollMs: 600_000,
        },
      ],
    });
    expect(run?.falseAlarms).toBe(0);
    expect(run?.incidents).toHaveLength(3);
    for (const i of run?.incidents ?? []) {
      expect(i.ttdMs, i.id).not.toBeNull();
      expect(i.ttdMs ?? Infinity, i.id).toBeLessThanOrEqual(5000);
      expect(i.typedTtdMs ?? Infinity, i.id).toBeLessThanOrEqual(10_000);
    }
  });

  it("seasonal baselines: 2.5 clean days stay silent, then a burst on day 3 is also seen against the time of day", () => {
    const keep = new Set(["340111-WMN-00001", "340111-WMN-00002", "340111-GPS-00001", "340111-BRG-00001"]);
    const sub: CityModel = {
      ...city,
      assets: city.assets.filter((a) => keep.has(a.id)),
      devices: city.devices.filter((d) => keep.has(d.assetId)),
      sensors: city.sensors.filter((s) => keep.has(s.assetId)),
    };
    const alarms: AlarmEvent[] = [];
    const recording: AlarmSinkFactory = (raise) => rawConditionSink((a) => (alarms.push(a), raise(a)));
    const [run] = evaluateScenarios({
      city: sub,
      sink: recording,
      runs: [
        {
          name: "seasonal",
          scenario: {
            version: 1,
            name: "burst-day-3",
            incidents: [
              {
                id: "b",
                type: "pipe_burst",
                target: "340111-WMN-00002",
                startS: 60,
                durationS: 120,
                severity: 0.3,
              },
            ],
          },
          startMs: BENCH_START_MS + 2.5 * DAY,
          durationMs: 600_000,
          preRollMs: 2.5 * DAY,
        },
      ],
    });
    expect(run?.sensorDays).toBeGreaterThan(30); // 13 sensors × 2.5 days
    expect(run?.falseAlarms).toBe(0);
    expect(run?.incidents[0]?.typedTtdMs).not.toBeNull();
    expect(alarms.some((a) => a.detector === "seasonal" && a.sourceId.startsWith("340111-WMN-00002"))).toBe(
      true,
    );
  });
});
