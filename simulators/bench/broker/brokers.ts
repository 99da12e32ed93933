/**
 * Starts the brokers under test, a fresh one per run so no backlog or heap state carries over:
 *  - Mosquitto as Debian ships it (defaults), loopback, anonymous, no persistence, without -v
 *    (which would log every PUBLISH);
 *  - the CityTwin gateway in demo mode with a bench city declaring the bench's gateway ids,
 *    in a child process (gateway-host.ts), with any `--gateway-set path=value` applied.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { startChild } from "../../../test/support/child";
import { freePorts } from "../../../test/support/free-port";
import { benchGatewayConfig } from "../../src/load/gateway-set";
import { forkTsx } from "./ipc";
import { benchCity, TENANT } from "./payload";
import type { BrokerName, BrokerUnderTest } from "./scenario";

export async function startBroker(
  name: BrokerName,
  dir: string,
  gateways: number,
  devices: number,
  gatewaySets: readonly [string[], unknown][] = [],
): Promise<BrokerUnderTest> {
  if (name === "mosquitto") {
    const [port] = await freePorts(1);
    writeFileSync(
      join(dir, "mosquitto.conf"),
      `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`,
    );
    const mq = startChild("mosquitto", "/usr/sbin/mosquitto", ["-c", join(dir, "mosquitto.conf")]);
    await mq.waitFor(/Opening ipv4 listen socket/);
    return { name, url: `mqtt://127.0.0.1:${port}`, pid: mq.proc.pid ?? 0, stop: () => mq.stop() };
  }
  writeFileSync(join(dir, "city.json"), JSON.stringify(benchCity(gateways, devices)));
  const config = benchGatewayConfig(TENANT, {}, gatewaySets);
  writeFileSync(join(dir, "gateway.yaml"), stringify(config));
  const host = forkTsx(join(import.meta.dirname, "gateway-host.ts"), [join(dir, "gateway.yaml")], {
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  });
  const ready = await host.call<{ mqttPort: number }>("ready");
  return {
    name,
    url: `mqtt://127.0.0.1:${ready.mqttPort}`,
    pid: host.proc.pid ?? 0,
    host,
    async stop() {
      await host.call("never", { type: "stop" }, 20_000).catch(() => undefined);
      await host.stop();
    },
  };
}

/** "mosquitto version 2.0.11" from `mosquitto -h` (which exits non-zero). */
export function mosquittoVersion(): string {
  let text: string;
  try {
    text = execFileSync("/usr/sbin/mosquitto", ["-h"], { encoding: "utf8" });
  } catch (err) {
    text = String((err as { stdout?: string }).stdout ?? "");
  }
  return /mosquitto version [\d.]+/.exec(text)?.[0] ?? "mosquitto ?";
}
