/** The report's charts, from the per-second series. */
import { BUSY_PCT } from "../collect";
import type { Quantiles } from "../histogram";
import { renderChart, type Series } from "./svg";
import type { LoadReport } from "./types";

const COLORS = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];
const PCTS: [keyof Quantiles, string][] = [
  ["p50", "p50"],
  ["p95", "p95"],
  ["p99", "p99"],
  ["p999", "p99.9"],
];

function latency(r: LoadReport, key: "puback" | "live"): Series[] {
  return PCTS.map(([k, name], i) => ({
    name,
    color: COLORS[i]!,
    points: r.series.filter((s) => s[key].samples > 0).map((s): [number, number] => [s.t, s[key][k]]),
  }));
}

export function charts(r: LoadReport): { id: string; svg: string }[] {
  const s = r.series;
  const cpu: Series[] = (s[0]?.workerCpu ?? []).flatMap((_, w) => [
    {
      name: `worker ${w} CPU`,
      color: COLORS[w % COLORS.length]!,
      points: s.map((x): [number, number] => [x.t, x.workerCpu[w] ?? 0]),
    },
    {
      name: `worker ${w} event loop`,
      color: COLORS[w % COLORS.length]!,
      dashed: true,
      points: s.map((x): [number, number] => [x.t, x.workerElu[w] ?? 0]),
    },
  ]);
  const procs: Series[] = s.some((x) => x.gatewayCpu !== undefined)
    ? [
        {
          name: "gateway CPU",
          color: "#4b5563",
          points: s.map((x): [number, number] => [x.t, x.gatewayCpu ?? 0]),
        },
        {
          name: "influxd CPU",
          color: "#ca8a04",
          points: s.map((x): [number, number] => [x.t, x.influxdCpu ?? 0]),
        },
      ]
    : [];
  return [
    {
      id: "throughput",
      svg: renderChart({
        title: "Throughput over time",
        xLabel: "time since start (s)",
        yLabel: "readings per second",
        series: [
          { name: "offered", color: COLORS[0]!, points: s.map((x) => [x.t, x.offered]) },
          { name: "sent", color: COLORS[6]!, dashed: true, points: s.map((x) => [x.t, x.sent]) },
          { name: "acknowledged (PUBACK)", color: COLORS[1]!, points: s.map((x) => [x.t, x.acked]) },
        ],
      }),
    },
    {
      id: "throughput-vs-offered",
      svg: renderChart({
        title: "Acknowledged vs offered load (one dot per second; dashed: y = x)",
        xLabel: "offered (readings/s)",
        yLabel: "acknowledged (readings/s)",
        kind: "scatter",
        diagonal: true,
        series: [{ name: "1 s window", color: COLORS[1]!, points: s.map((x) => [x.offered, x.acked]) }],
      }),
    },
    {
      id: "puback-latency",
      svg: renderChart({
        title: "PUBACK latency per batch, percentiles per 1 s window",
        xLabel: "time since start (s)",
        yLabel: "latency (ms)",
        series: latency(r, "puback"),
      }),
    },
    {
      id: "live-latency",
      svg: renderChart({
        title: "Sensor → WebSocket (/live) latency, percentiles per 1 s window",
        xLabel: "time since start (s)",
        yLabel: "latency (ms)",
        series: latency(r, "live"),
      }),
    },
    {
      id: "cpu",
      svg: renderChart({
        title: "CPU: load generator workers" + (procs.length ? ", gateway and influxd" : ""),
        xLabel: "time since start (s)",
        yLabel: "CPU (% of one core)",
        series: [...cpu, ...procs],
        refs: [
          { y: BUSY_PCT, label: `${BUSY_PCT} % busy: generator may be the bottleneck`, color: "#dc2626" },
        ],
      }),
    },
  ];
}
