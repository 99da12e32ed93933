/** The gateway CLI as a child process: ready line with bound ports, graceful SIGTERM, config errors. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTsx, stopAll } from "../../test/support/child";
import { tinyCity } from "./fixtures";

const MAIN = resolve(import.meta.dirname, "../src/main.ts");
const dirs: string[] = [];

afterAll(async () => {
  await stopAll();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function configDir(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "citytwin-cli-"));
  dirs.push(dir);
  await writeFile(join(dir, "city.json"), JSON.stringify(tinyCity()));
  await writeFile(join(dir, "gateway.yaml"), yaml);
  return join(dir, "gateway.yaml");
}

describe("gateway CLI", () => {
  it("logs ready with the bound ports and exits 0 on SIGTERM", async () => {
    const file = await configDir(
      "version: 1\ntenant: hefei\nmode: demo\nmqtt: {port: 0}\nhttp: {port: 0}\ncity: city.json\n",
    );
    const child = startTsx("gateway", MAIN, ["--config", file]);
    const ready = JSON.parse(await child.waitFor(/"msg":"ready"/)) as {
      mqttPort: number;
      httpPort: number;
      url: string;
    };
    expect(ready.mqttPort).toBeGreaterThan(0);
    expect(ready.url).toBe(`http://127.0.0.1:${ready.httpPort}/`);
    const health = (await (await fetch(`${ready.url}healthz`)).json()) as { ok: boolean; sensors: number };
    expect(health).toMatchObject({ ok: true, sensors: 4, mode: "demo" });
    expect(child.output()).toContain("DEMO MODE");
    await child.stop("SIGTERM");
    expect(child.proc.exitCode).toBe(0);
  });

  it("exits 2 with file, path and line on a config error", async () => {
    const file = await configDir("version: 1\ntenant: hefei\ncity: city.json\nmqtt:\n  port: -1\n");
    const child = startTsx("gateway-bad", MAIN, ["--config", file]);
    await child.waitFor(/mqtt\.port \(line 5:9\)/);
    await new Promise((r) => (child.proc.exitCode !== null ? r(undefined) : child.proc.once("exit", r)));
    expect(child.proc.exitCode).toBe(2);
  });
});
