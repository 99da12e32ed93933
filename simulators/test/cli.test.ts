/**
 * The simulators CLI as a child process: ready line, written files, clean stop on SIGTERM.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { cityModelSchema } from "@citytwin/model";
import { freePortBlock, freePorts } from "../../test/support/free-port";
import { startTsx, stopAll } from "../../test/support/child";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const GEN = fileURLToPath(new URL("../src/generate-city-cli.ts", import.meta.url));
const DEMO = fileURLToPath(new URL("../scenarios/demo.yaml", import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  await stopAll();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("simulators CLI", () => {
  it("starts, reports ready with ports and files, and exits 0 on SIGTERM", async () => {
    const out = await mkdtemp(join(tmpdir(), "ct-sim-cli-"));
    dirs.push(out);
    const [opcua, broker] = (await freePorts(2)) as [number, number];
    const modbus = await freePortBlock(2); // one port per gateway
    const child = startTsx("simulators", MAIN, [
      ...["--out", out, "--scenario", DEMO, "--modbus-port", String(modbus)],
      ...[
        "--opcua-port",
        String(opcua),
        "--field-broker-port",
        String(broker),
        "--mqtt-url",
        "mqtt://127.0.0.1:1999",
      ],
    ]);
    const ready = JSON.parse(await child.waitFor(/"msg":"ready"/, 90_000)) as Record<string, unknown>;
    expect(ready.modbus).toEqual([
      { gatewayId: "gw-binhu-01", port: modbus, units: expect.any(Number) },
      { gatewayId: "gw-binhu-02", port: modbus + 1, units: expect.any(Number) },
    ]);
    expect(ready.opcua).toBe(`opc.tcp://127.0.0.1:${opcua}`);
    expect(ready.fieldBroker).toBe(`mqtt://127.0.0.1:${broker}`);
    expect(ready.edgeConfigs).toEqual([
      join(out, "edge-gw-binhu-01.yaml"),
      join(out, "edge-gw-binhu-02.yaml"),
    ]);
    const city = cityModelSchema.parse(JSON.parse(await readFile(join(out, "city.json"), "utf8")));
    expect(city.seed).toBe(42);
    const truth = JSON.parse(await readFile(join(out, "ground-truth.json"), "utf8")) as {
      startMs: number;
      windows: { incidentId: string; startMs: number }[];
    };
    expect(truth.startMs).toBe(ready.startMs);
    expect(truth.windows.map((w) => w.incidentId)).toEqual([
      "gas-leak-1",
      "waterlogging-1",
      "bridge-overload-1",
    ]);
    expect(truth.windows[0]?.startMs).toBe(truth.startMs + 20_000);
    expect(await readFile(join(out, "edge-gw-binhu-01.yaml"), "utf8")).toContain(
      "url: mqtt://127.0.0.1:1999",
    );

    const exited = once(child.proc, "exit");
    child.proc.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(child.output()).toContain('"msg":"stopped"');
  });

  it("fails with a message naming the scenario file and line for a bad target", async () => {
    const out = await mkdtemp(join(tmpdir(), "ct-sim-cli-"));
    dirs.push(out);
    const bad = join(out, "bad.yaml");
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(
        bad,
        "version: 1\nname: bad\nincidents:\n  - id: x\n    type: waterlogging\n    target: 340111-DWL-09999\n    startS: 1\n    durationS: 5\n",
      ),
    );
    const child = startTsx("simulators-bad", MAIN, ["--out", out, "--scenario", bad]);
    const [code] = (await once(child.proc, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(child.output()).toContain(`${bad}:6: at incidents[0].target`);
  });

  it("generate-city-cli writes a valid city.json for a seed and scale", async () => {
    const out = await mkdtemp(join(tmpdir(), "ct-sim-gen-"));
    dirs.push(out);
    const file = join(out, "c.json");
    await promisify(execFile)(process.execPath, [
      "--import",
      "tsx",
      GEN,
      "--seed",
      "7",
      "--scale",
      "0.5",
      "--out",
      file,
    ]);
    expect(existsSync(file)).toBe(true);
    const city = cityModelSchema.parse(JSON.parse(await readFile(file, "utf8")));
    expect(city.seed).toBe(7);
    expect(city.sensors.length).toBeGreaterThan(100);
  });
});
