/**
 * The pymodbus TCP server fixture (edge/test/fixtures/modbus-server.py, a peer nobody here
 * wrote) on a free loopback port. Debian's python3-pymodbus is importable only by
 * /usr/bin/python3, so that interpreter is named explicitly.
 */
import { join } from "node:path";
import { startChild, type Child } from "./child";
import { freePorts } from "./free-port";

const SCRIPT = join(import.meta.dirname, "..", "..", "edge", "test", "fixtures", "modbus-server.py");

export async function startPymodbus(port?: number): Promise<{ port: number; child: Child }> {
  const p = port ?? (await freePorts(1))[0]!;
  const child = startChild("pymodbus", "/usr/bin/python3", [SCRIPT, String(p)]);
  await child.waitFor(/^READY/, 15_000);
  return { port: p, child };
}
