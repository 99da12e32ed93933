/**
 * A real Debian mosquitto for tests and benches: loopback only, anonymous, config in a
 * temporary directory, on a free port (or the given one, e.g. to restart on the same port).
 * Stopped by the caller (`child.stop()`) or by `stopAll()`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startChild, type Child } from "./child";
import { freePorts } from "./free-port";

export interface Mosquitto {
  port: number;
  url: string;
  child: Child;
}

export async function startMosquitto(
  dir: string,
  opts: { port?: number; name?: string; extraConfig?: string } = {},
): Promise<Mosquitto> {
  const port = opts.port ?? (await freePorts(1))[0]!;
  const name = opts.name ?? "mosquitto";
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\n${opts.extraConfig ?? ""}`);
  // No -v: verbose mode logs every packet, which would slow the broker in benches.
  const child = startChild(name, "/usr/sbin/mosquitto", ["-c", conf]);
  await child.waitFor(/running|Opening ipv4 listen socket/, 10_000);
  return { port, url: `mqtt://127.0.0.1:${port}`, child };
}
