/**
 * `modbus scan`: probes unit ids on one port (TCP host or serial line) with one read each and
 * reports per unit: answered, exception code [Modbus AP v1.1b3 §7] or timeout; for answered
 * units it dumps the range with every interpretation (scan-format.ts). Requests go through the
 * agent's ModbusPort, so framing, inter-frame gaps and timeouts are the agent's own.
 */
import { pino } from "pino";
import { CityTwinError } from "@citytwin/model";
import { ModbusPort, type Request } from "../drivers/modbus/port";
import { isBitTable, silentIntervalMs, type PortSettings, type RegisterTable } from "../modbus";
import { REGISTER_TABLES } from "../config/schema";
import { systemClock } from "../runtime/clock";
import { formatBits, formatRegisters } from "./scan-format";

export const scanUsage = `Usage: citytwin-edge modbus scan (--host <h> [--port 502] | --serial <path> [line options])
         [--transport tcp|rtu|rtu-over-tcp] [--units 1-10] [--table holding|input|coil|discrete]
         [--start 0] [--count 8] [--timeout 300]

Probes each unit id with one read of the range and reports answered / exception / timeout,
then dumps the range for answered units: INT16/UINT16 per register, INT32/UINT32/FLOAT32 per
register pair and INT64/UINT64/FLOAT64 per quad, in every byte order side by side.

Options:
  --host, --port        Modbus TCP (or RTU over TCP) server; transport defaults to tcp
  --serial <path>       serial line (transport rtu), with --baud 19200 --parity even|odd|none
                        --data-bits 8 --stop-bits 1
  --units <list>        unit ids: "1-10", "1,3,7" or mixed (default 1)
  --table <t>           register table (default holding)
  --start <a>           0-based protocol address (default 0); --count (default 8)
  --timeout <ms>        per-request timeout (default 300)
`;

export interface ScanOptions {
  settings: PortSettings;
  units: number[];
  table: RegisterTable;
  start: number;
  count: number;
  timeoutMs: number;
}

/** Exception codes [Modbus AP v1.1b3 §7]. */
const EXCEPTIONS: Record<number, string> = {
  1: "Illegal Function",
  2: "Illegal Data Address",
  3: "Illegal Data Value",
  4: "Server Device Failure",
  6: "Server Device Busy",
  10: "Gateway Path Unavailable",
  11: "Gateway Target Device Failed to Respond",
};

const FC: Record<RegisterTable, 1 | 2 | 3 | 4> = { coil: 1, discrete: 2, holding: 3, input: 4 };

function int(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer in ${min}..${max}`);
  return n;
}

/** "1-3,7" → [1, 2, 3, 7]; unit ids 0..247 [Serial Line v1.02 §2.2]. */
export function parseUnits(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(",")) {
    const [a, b] = part.split("-");
    const lo = int(a, "units", 1, 0, 247);
    const hi = b === undefined ? lo : int(b, "units", lo, lo, 247);
    for (let u = lo; u <= hi; u++) out.push(u);
  }
  return out;
}

export function scanOptions(v: Record<string, string | undefined>): ScanOptions {
  const table = (v.table ?? "holding") as RegisterTable;
  if (!REGISTER_TABLES.includes(table))
    throw new Error(`--table must be one of ${REGISTER_TABLES.join(", ")}`);
  const transport = v.transport ?? (v.serial !== undefined ? "rtu" : "tcp");
  let settings: PortSettings;
  if (transport === "rtu") {
    if (v.serial === undefined) throw new Error("--serial <path> is needed for transport rtu");
    const parity = v.parity ?? "even";
    if (parity !== "none" && parity !== "even" && parity !== "odd")
      throw new Error("--parity: none, even or odd");
    const serial = {
      path: v.serial,
      baudRate: int(v.baud, "baud", 19200, 300, 4_000_000),
      parity,
      dataBits: int(v["data-bits"], "data-bits", 8, 7, 8) as 7 | 8,
      stopBits: int(v["stop-bits"], "stop-bits", 1, 1, 2) as 1 | 2,
    } as const;
    settings = {
      key: `serial:${v.serial}`,
      transport,
      host: "",
      port: 0,
      serial,
      interFrameGapMs: silentIntervalMs(serial),
    };
  } else if (transport === "tcp" || transport === "rtu-over-tcp") {
    if (v.host === undefined) throw new Error(`--host is needed for transport ${transport}`);
    const port = int(v.port, "port", 502, 1, 65535);
    const gap = transport === "tcp" ? 0 : 1.75;
    settings = { key: `${v.host}:${port}`, transport, host: v.host, port, interFrameGapMs: gap };
  } else {
    throw new Error("--transport must be tcp, rtu or rtu-over-tcp");
  }
  const maxCount = isBitTable(table) ? 2000 : 125;
  const start = int(v.start, "start", 0, 0, 65535);
  return {
    settings,
    units: parseUnits(v.units ?? "1"),
    table,
    start,
    count: int(v.count, "count", 8, 1, Math.min(maxCount, 65536 - start)),
    timeoutMs: int(v.timeout, "timeout", 300, 10, 60_000),
  };
}

/** Runs the scan and returns the report; exit status 0 when at least one unit answered. */
export async function runModbusScan(o: ScanOptions): Promise<{ code: number; text: string }> {
  const port = new ModbusPort(o.settings, pino({ level: "silent" }), systemClock);
  const req: Request = { fc: FC[o.table], start: o.start, count: o.count };
  const opts = { timeoutMs: o.timeoutMs, retries: 0, backoffMs: 0, maxBackoffMs: 0 };
  const range = `${o.table} ${o.start}..${o.start + o.count - 1}`;
  const out: string[] = [
    `scan ${o.settings.key} (${o.settings.transport}) ${range}, timeout ${o.timeoutMs} ms`,
  ];
  let answered = 0;
  try {
    for (const unit of o.units) {
      try {
        const data = await port.transact(unit, req, opts);
        answered++;
        const dump = isBitTable(o.table)
          ? formatBits(o.start, data as boolean[])
          : formatRegisters(o.start, data as number[]);
        out.push(`unit ${unit}: answered`, dump, "");
      } catch (err) {
        const cause = (err as { cause?: { modbusCode?: number } }).cause;
        if (err instanceof CityTwinError && err.code === "MODBUS_EXCEPTION")
          out.push(
            `unit ${unit}: exception ${cause?.modbusCode ?? "?"} (${EXCEPTIONS[cause?.modbusCode ?? 0] ?? "unknown"})`,
          );
        else if (err instanceof CityTwinError && err.code === "MODBUS_TIMEOUT")
          out.push(`unit ${unit}: timeout`);
        else out.push(`unit ${unit}: error: ${(err as Error).message}`);
        // A failed open will not heal within a scan: stop instead of reporting every unit.
        if (err instanceof CityTwinError && err.code === "MODBUS_IO" && port.counters.connects === 0) break;
      }
    }
  } finally {
    await port.close();
  }
  out.push(`${answered} of ${o.units.length} units answered`);
  return { code: answered > 0 ? 0 : 1, text: `${out.join("\n")}\n` };
}
