/** Unit tests of the load generator's pure parts: pacing, trace parsing, percentile windows, SVG. */
import { describe, expect, it } from "vitest";
import { Histogram, SecondWindows, bucketOf } from "../src/load/histogram";
import { Batcher, dueBy, parseRamp, rateAt } from "../src/load/pacing";
import { renderChart, niceTicks } from "../src/load/report/svg";
import { parseTrace } from "../src/load/trace";
import { parseLoadArgs } from "../src/load/args";
import { summarize, type RunFacts } from "../src/load/report/summary";
import { renderHtml } from "../src/load/report/html";
import { renderMarkdown } from "../src/load/report/markdown";

describe("pacing", () => {
  it("holds a constant rate and integrates it", () => {
    const s = { rate: 500, seconds: 10 };
    expect(rateAt(s, 3.2)).toBe(500);
    expect(dueBy(s, 0)).toBe(0);
    expect(dueBy(s, 2.5)).toBe(1250);
  });

  it("steps a ramp from → to over the run, then holds", () => {
    const s = { rate: 0, seconds: 40, ramp: parseRamp("1000:4000:10") };
    expect([0, 9.9, 10, 25, 39, 60].map((t) => rateAt(s, t))).toEqual([1000, 1000, 2000, 3000, 4000, 4000]);
    expect(dueBy(s, 15)).toBe(1000 * 10 + 2000 * 5);
    expect(() => parseRamp("1:2")).toThrow(/ramp/);
  });

  it("batches like the edge: full batches at once, a partial one after maxDelayMs", () => {
    const b = new Batcher(100, 500);
    expect(b.next(0, 250)).toBe(100);
    b.commit(100, 0);
    expect(b.next(0, 250)).toBe(100);
    b.commit(100, 0);
    expect(b.next(100, 250)).toBe(0);
    expect(b.next(499, 250)).toBe(0);
    expect(b.next(500, 250)).toBe(50);
    b.commit(50, 500);
    expect(b.next(600, 250)).toBe(0);
    expect(b.next(600, 260, true)).toBe(10);
  });

  it("sends every due reading over a run in batches no larger than maxBatch", () => {
    const s = { rate: 1234, seconds: 5 };
    const b = new Batcher(200, 500);
    const sizes: number[] = [];
    for (let now = 0; now <= 5000; now += 10)
      for (
        let n = b.next(now, dueBy(s, now / 1000), now === 5000);
        n > 0;
        n = b.next(now, dueBy(s, now / 1000), now === 5000)
      ) {
        sizes.push(n);
        b.commit(n, now);
      }
    expect(sizes.reduce((a, x) => a + x, 0)).toBe(Math.floor(dueBy(s, 5)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
  });
});

describe("trace parser", () => {
  it("reads CSV with a header, ISO or epoch times, qualities and empty values, sorted", () => {
    const rows = parseTrace(
      "timestamp,sensor_id,value,quality\n" +
        "1700000001000,340111-GVC-00001-D01.ch4,1.5\n" +
        "2023-11-14T22:13:20Z,340111-GVC-00001-D01.ch4,1.25,good\n" +
        "1700000002,340111-WMN-00001-D01.water_flow,,bad\n",
    );
    expect(rows.map((r) => r.t)).toEqual([1700000000000, 1700000001000, 1700000002000]);
    expect(rows[0]).toMatchObject({ value: 1.25, quality: "good" });
    expect(rows[2]).toMatchObject({ sensor: "340111-WMN-00001-D01.water_flow", value: null, quality: "bad" });
  });

  it("reads an influx_inspect export (comments, DDL, escapes, ns times, int fields)", () => {
    const rows = parseTrace(
      "# INFLUXDB EXPORT: 1677-09-21T00:12:43Z - 2262-04-11T23:47:16Z\n# DDL\nCREATE DATABASE citytwin WITH NAME autogen\n# DML\n# CONTEXT-DATABASE:citytwin\n" +
        'gas,asset=340111-GVC-00001,district=340111,gateway=gw\\ 01,sensor=340111-GVC-00001-D01.ch4 value=12.5,quality="good" 1700000000000000000\n' +
        'env,sensor=340111-SPL-00001-D02.pm25 value=7i,quality="uncertain" 1699999999000000000\n',
    );
    expect(rows).toEqual([
      { t: 1699999999000, sensor: "340111-SPL-00001-D02.pm25", value: 7, quality: "uncertain" },
      { t: 1700000000000, sensor: "340111-GVC-00001-D01.ch4", value: 12.5, quality: "good" },
    ]);
  });

  it("names the line of a malformed row", () => {
    expect(() => parseTrace("1700000000000,only-two\n")).toThrow(/line 1/);
    expect(() => parseTrace("t,s,v\nnot-a-time,x,1\n")).toThrow(/line 2: bad timestamp/);
  });
});

describe("percentile windows", () => {
  it("gives percentiles within 2 % per 1 s window and over the run", () => {
    const w = new SecondWindows(10_000);
    for (let i = 1; i <= 1000; i++) w.record(10_000 + (i % 2) * 1000, i);
    const all = w.all.quantiles();
    expect(all.samples).toBe(1000);
    for (const [q, v] of [
      [all.p50, 500],
      [all.p99, 990],
      [all.p999, 999],
      [all.max, 1000],
    ] as const) {
      expect(q).toBeGreaterThanOrEqual(v);
      expect(q).toBeLessThanOrEqual(v * 1.021);
    }
    expect(w.take(0).total).toBe(500);
    expect(w.take(1).total).toBe(500);
    expect(w.take(2).quantiles()).toEqual({ p50: 0, p95: 0, p99: 0, p999: 0, max: 0, samples: 0 });
  });

  it("merges sparse histograms from workers", () => {
    const a = new Histogram();
    const b = new Histogram();
    for (const x of [0, 0.001, 1, 2]) a.record(x);
    b.merge(a.sparse());
    b.merge(a.sparse());
    expect(b.total).toBe(8);
    expect(bucketOf(0)).toBe(0);
    expect(b.quantile(0.25)).toBeLessThan(0.02);
  });
});

describe("SVG renderer", () => {
  const wellFormed = (svg: string) => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    const open = (svg.match(/<(text|svg)\b/g) ?? []).length;
    const close = (svg.match(/<\/(text|svg)>/g) ?? []).length;
    expect(open).toBe(close);
  };

  it("draws axes, labels with units and a legend", () => {
    const svg = renderChart({
      title: "Throughput <over> time",
      xLabel: "time (s)",
      yLabel: "readings/s",
      series: [
        {
          name: "acked",
          color: "#000",
          points: [
            [0, 10],
            [1, 12_000],
            [2, 9000],
          ],
        },
      ],
      refs: [{ y: 85, label: "85 %", color: "#f00" }],
    });
    wellFormed(svg);
    expect(svg).toContain("Throughput &lt;over&gt; time");
    expect(svg).toContain("readings/s");
    expect(svg).toContain("<polyline");
    expect(svg).toMatch(/>\d+(\.\d)?k<\/text>/);
  });

  it("copes with empty, single-point, constant and non-finite series", () => {
    for (const points of [
      [],
      [[5, 5]],
      [
        [0, 0],
        [1, 0],
      ],
      [
        [0, NaN],
        [1, Infinity],
      ],
    ] as [number, number][][]) {
      const svg = renderChart({
        title: "t",
        xLabel: "x",
        yLabel: "y",
        series: [{ name: "s", color: "#000", points }],
      });
      wellFormed(svg);
    }
    wellFormed(
      renderChart({ title: "none", xLabel: "x", yLabel: "y", series: [], kind: "scatter", diagonal: true }),
    );
    expect(renderChart({ title: "t", xLabel: "x", yLabel: "y", series: [] })).toContain("no data");
  });

  it("picks round ticks", () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(NaN, 1)).toEqual([0, 1]);
  });
});

describe("the zero-loss verdict", () => {
  const counters = { held: 3, shed: 0, rejected: 1, catchUps: 2, replayed: 1234, decodeFailures: 0 };
  const facts = (stored: number, g?: { dropped: number; journalLagS: number }): RunFacts => ({
    command: "npm run load",
    options: parseLoadArgs(["--spawn"]).options,
    rate: { rate: 100, seconds: 1 },
    machine: {
      cpu: "x",
      cores: 2,
      memGiB: 1,
      node: "v20",
      influxd: null,
      mosquitto: null,
    } as unknown as RunFacts["machine"],
    city: { sensors: 10, devices: 5, assets: 5, districts: 1, agents: 1, buildS: 0, heapMiB: 1 },
    incidents: [],
    series: [],
    totals: { offered: 100, sent: 100, acked: 100, errors: 0, disconnects: 0, suppressed: 0 },
    puback: new Histogram(),
    live: undefined,
    stored,
    drainS: 3,
    ...(g ? { gateway: { ...g, counters } } : {}),
    warnings: [],
    startedAt: new Date(0).toISOString(),
  });
  const zeroLoss = (f: RunFacts) => summarize(f).verdicts[0]!;

  it("passes only when everything acknowledged is stored", () => {
    expect(zeroLoss(facts(100))).toMatchObject({ ok: true });
    expect(zeroLoss(facts(60))).toMatchObject({
      ok: false,
      detail: "40 acknowledged readings are missing from storage",
    });
  });

  it("says whether the gateway gave the rest up or still holds them in its journal", () => {
    expect(zeroLoss(facts(60, { dropped: 0, journalLagS: 42 })).detail).toMatch(
      /^40 acknowledged .* the gateway dropped none: they are in its ingest journal.*42 s old\)$/,
    );
    const lost = zeroLoss(facts(60, { dropped: 40, journalLagS: 0 }));
    expect(lost.ok).toBe(false);
    expect(lost.detail).toContain("the gateway gave up 40 points");
  });

  it("carries a spawned gateway's own counters into report.json and report.md", () => {
    const report = summarize(facts(100, { dropped: 0, journalLagS: 0 }));
    expect(report.totals.gatewayCounters).toEqual(counters);
    expect(renderMarkdown(report)).toContain(
      "Gateway (its own counters after the drain): publishes held by backpressure 3, messages shed by a full ingest queue 0, rejected 1, InfluxDB sink catch-ups from the journal 2, journal records re-read by them 1,234, decode-thread failures 0.",
    );
    const html = renderHtml(report);
    expect(html).toContain("<td>journal records re-read by them</td><td>1,234</td>");
    const remote = summarize(facts(100));
    expect(remote.totals.gatewayCounters).toBeNull();
    expect(renderMarkdown(remote)).not.toContain("own counters");
    expect(renderHtml(remote)).not.toContain("Gateway counters");
  });
});

describe("load options", () => {
  it("refuses --cpu-prof without --spawn, naming the fix", () => {
    expect(() => parseLoadArgs(["--cpu-prof", "prof"])).toThrowError(/--cpu-prof .*add --spawn/);
    expect(parseLoadArgs(["--spawn", "--cpu-prof", "prof"]).options.cpuProfDir).toBe("prof");
  });

  it("takes repeated --gateway-set with --spawn and refuses it without", () => {
    expect(() => parseLoadArgs(["--gateway-set", "ingest.decodeThreads=0"])).toThrowError(
      /--gateway-set .*add --spawn/,
    );
    const args = [
      "--spawn",
      "--gateway-set",
      "ingest.decodeThreads=0",
      "--gateway-set",
      "influx.concurrency=1",
    ];
    expect(parseLoadArgs(args).options.gatewaySets).toEqual([
      "ingest.decodeThreads=0",
      "influx.concurrency=1",
    ]);
  });
});
