/**
 * City-scale load generator (issue 7): `npm run load -- [options]`; `--help` for usage,
 * docs/load-testing.md for how to read the report.
 *
 *   npm run load -- --spawn --sensors 100000 --interval-s 10 --seconds 30
 *   npm run load -- gateway-config --sensors 100000 --agents 100 --out gw.yaml
 */
import { join } from "node:path";
import { stopAll } from "../../../test/support/child";
import { defaultAgents, parseLoadArgs, USAGE } from "./args";
import { buildLoadCity } from "./city";
import { writeGatewayConfig } from "./gateway-config";
import { renderMarkdown } from "./report/markdown";
import { writeReport } from "./report/write";
import { runLoad } from "./run";

const argv = process.argv.slice(2);
try {
  const { help, command, options: o } = parseLoadArgs(argv);
  if (help) {
    process.stdout.write(USAGE);
  } else if (command === "gateway-config") {
    const lc = buildLoadCity({ ...o.city, agents: o.city.agents ?? defaultAgents(o.city.sensors ?? 1000) });
    const { yaml, files } = await writeGatewayConfig(lc.city, lc.agents, o.out ?? "gw.yaml");
    process.stdout.write(`${yaml}\nwrote ${files.join(", ")}\n`);
  } else if (command !== undefined) {
    throw new RangeError(`unknown command ${command}\n${USAGE}`);
  } else {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    const out = o.out ?? join("bench-results", `load-${stamp}`);
    const report = await runLoad(o, `npm run load --${argv.length ? ` ${argv.join(" ")}` : ""}`);
    const files = writeReport(report, out);
    console.log(`\n${renderMarkdown(report)}\nwrote ${files.join(", ")}`);
  }
} catch (err) {
  console.error(err instanceof RangeError ? `load: ${err.message}` : err);
  process.exitCode = 2;
} finally {
  await stopAll();
}
