/** report.html: self-contained (inline CSS and SVG, no scripts, no network), for ~1280 px. */
import { charts } from "./charts";
import { GATEWAY_COUNTERS } from "./gateway-counters";
import { lat, mark, num } from "./markdown";
import { esc } from "./svg";
import type { GatewayCounters, LoadReport } from "./types";

const row = (cells: (string | number)[], th = false) =>
  `<tr>${cells.map((c) => (th ? `<th>${esc(String(c))}</th>` : `<td>${esc(String(c))}</td>`)).join("")}</tr>`;

/** The spawned gateway's own counters after the drain (none against a remote gateway). */
function gatewayTable(c: GatewayCounters | null): string {
  if (c === null) return "";
  const rows = GATEWAY_COUNTERS.map(([key, what, metric]) => row([what, num(c[key]), metric])).join("");
  return `<h2>Gateway counters</h2><table>${row(["", "count", "metric"], true)}${rows}</table>`;
}

export function renderHtml(r: LoadReport): string {
  const t = r.totals;
  const m = r.machine;
  const verdicts = r.verdicts
    .map(
      (v) =>
        `<li class="${v.ok === null ? "na" : v.ok ? "pass" : "fail"}"><b>${mark(v.ok)}</b> ${esc(v.name)}: ${esc(v.detail)}</li>`,
    )
    .join("\n");
  const incidents =
    r.incidents.length === 0
      ? "<p>None injected.</p>"
      : `<table>${row(["id", "type", "target", "start s", "end s", "sensors"], true)}${r.incidents
          .map((i) =>
            row([
              i.id,
              i.type,
              i.target,
              i.startS,
              i.startS + i.durationS,
              `${i.sensors.length}: ${i.sensors.slice(0, 4).join(", ")}${i.sensors.length > 4 ? " …" : ""}`,
            ]),
          )
          .join("")}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CityTwin load run ${esc(r.startedAt)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;color:#111827;margin:0 auto;max-width:1240px;padding:16px 20px}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:24px 0 8px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #e5e7eb;padding:4px 10px;text-align:right}
th{background:#f9fafb}td:first-child,th:first-child{text-align:left}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px;word-break:break-all}
li.pass b{color:#16a34a}li.fail b{color:#dc2626}li.na b{color:#6b7280}.warn{color:#b91c1c;font-weight:600}
figure{margin:12px 0;border:1px solid #e5e7eb;border-radius:6px;padding:4px}
</style></head><body>
<h1>CityTwin load run</h1>
<p>Started ${esc(r.startedAt)} · <code>${esc(r.command)}</code></p>
<p>${esc(`${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, ${m.influxd}, ${m.mosquitto}, ${m.platform}`)}</p>
<p>City: ${num(r.city.sensors)} sensors, ${num(r.city.devices)} devices, ${num(r.city.assets)} assets in ${r.city.districts} district(s), ${r.city.agents} edge agents; ${t.seconds} s run.</p>
<h2>Verdicts</h2><ul>${verdicts}</ul>
${r.warnings.map((w) => `<p class="warn">WARNING: ${esc(w)}</p>`).join("\n")}
<h2>Totals</h2>
<table>${row(["", "readings", "readings/s"], true)}
${row(["offered", num(t.offered), num(t.offeredPerS)])}
${row(["sent", num(t.sent), num(t.sent / t.seconds)])}
${row(["acknowledged (PUBACK)", num(t.acked), num(t.ackedPerS)])}
${row(["stored (InfluxDB)", num(t.stored), t.stored === null ? "–" : num(t.stored / t.seconds)])}
${row(["missing = acknowledged − stored", num(t.missing), ""])}${t.gatewayDropped === null ? "" : row(["of which the gateway dropped", num(t.gatewayDropped), ""])}</table>
<table>${row(["latency, ms", "p50 / p95 / p99 / p99.9", "samples"], true)}
${row(["PUBACK (per batch)", lat(t.puback), num(t.puback.samples)])}
${row(["sensor → /live", lat(t.live), num(t.live.samples)])}</table>
<p>Errors ${t.errors}, disconnects ${t.disconnects}, suppressed by device_offline ${num(t.suppressed)}${t.drainS === null ? "" : `, storage drain ${t.drainS.toFixed(1)} s`}.</p>
${gatewayTable(t.gatewayCounters)}
<h2>Charts</h2>
${charts(r)
  .map((c) => `<figure id="${c.id}">${c.svg}</figure>`)
  .join("\n")}
<h2>Injected incidents and faults</h2>${incidents}
<h2>Configuration</h2><pre>${esc(JSON.stringify(r.config, null, 2))}</pre>
</body></html>
`;
}
