/**
 * Opens a modbus-serial client for one physical port. modbus-serial frames every transport:
 *   tcp           MBAP header over TCP [Modbus Messaging on TCP/IP v1.0b §3.1]
 *   rtu           RTU frames (address, PDU, CRC-16) on a serial line [Serial Line v1.02 §2.5.1]
 *   rtu-over-tcp  the same RTU frames, CRC included, through a TCP socket (serial-to-Ethernet
 *                 converters in transparent mode): modbus-serial's TelnetPort. (Its
 *                 "TcpRTUBuffered" port is MBAP framing, i.e. Modbus TCP, not this.)
 * The serial "Buffered" RTU port and TelnetPort reassemble frames split across reads.
 */
import ModbusRTU from "modbus-serial";
import { CityTwinError } from "@citytwin/model";
import type { PortSettings } from "../../modbus/port-settings";

export type Request =
  | { fc: 1 | 2 | 3 | 4; start: number; count: number }
  | { fc: 5; address: number; value: boolean }
  | { fc: 6; address: number; value: number }
  | { fc: 15; address: number; values: boolean[] }
  | { fc: 16; address: number; values: number[] }
  | { fc: 22; address: number; andMask: number; orMask: number };

export type WriteRequest = Extract<Request, { address: number }>;

/** Read data, or for a write the echoed address (FC5/6/22) or quantity (FC15/16). */
export type TransactionResult = number[] | boolean[];

export async function openClient(s: PortSettings, connectTimeoutMs: number): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  client.on("error", () => {
    /* surfaced through the failing transaction */
  });
  try {
    switch (s.transport) {
      case "tcp":
        await client.connectTCP(s.host, { port: s.port, timeout: connectTimeoutMs });
        break;
      case "rtu-over-tcp":
        await client.connectTelnet(s.host, { port: s.port, timeout: connectTimeoutMs });
        break;
      case "rtu": {
        const line = s.serial;
        if (line === undefined) throw new Error("no serial settings");
        await client.connectRTUBuffered(line.path, {
          baudRate: line.baudRate,
          parity: line.parity,
          dataBits: line.dataBits,
          stopBits: line.stopBits,
        });
        break;
      }
    }
  } catch (cause) {
    try {
      client.close(() => undefined);
    } catch {
      /* never opened */
    }
    throw new CityTwinError("MODBUS_IO", `${s.key}: open failed: ${(cause as Error).message}`, { cause });
  }
  return client;
}

/** modbus-serial's bookkeeping: one entry per transaction id, written when a request is sent. */
interface TransactionTable {
  _transactions?: Record<string, unknown>;
  _port?: { _transactionIdWrite?: number };
}

/**
 * Sends one request on an open client (unit id and timeout already set); one request at a
 * time per client (the port scheduler's contract). modbus-serial never deletes a finished
 * transaction: it keeps a ring of up to 256 per connection (TCP transaction ids mod 256), each
 * holding its callback, promise, request and decoded response (≈ 0.3 MB of heap per
 * connection, 3 MB at 10 ports: docs/edge-benchmarks.md). The entry is deleted once the
 * request has settled; a late response for a deleted id is ignored by modbus-serial.
 */
export async function send(client: ModbusRTU, r: Request): Promise<TransactionResult> {
  const table = client as unknown as TransactionTable;
  const id = table._port?._transactionIdWrite;
  try {
    return await sendRequest(client, r);
  } finally {
    if (table._transactions !== undefined) delete table._transactions[String(id)];
  }
}

async function sendRequest(client: ModbusRTU, r: Request): Promise<TransactionResult> {
  switch (r.fc) {
    case 1:
      return (await client.readCoils(r.start, r.count)).data.slice(0, r.count);
    case 2:
      return (await client.readDiscreteInputs(r.start, r.count)).data.slice(0, r.count);
    case 3:
      return (await client.readHoldingRegisters(r.start, r.count)).data;
    case 4:
      return (await client.readInputRegisters(r.start, r.count)).data;
    case 5:
      return [(await client.writeCoil(r.address, r.value)).address];
    case 6:
      return [(await client.writeRegister(r.address, r.value)).address];
    case 15:
      return [(await client.writeCoils(r.address, r.values)).length];
    case 16:
      return [(await client.writeRegisters(r.address, r.values)).length];
    case 22:
      return [(await client.maskWriteRegister(r.address, r.andMask, r.orMask)).address];
  }
}

export function describe(r: Request): string {
  return "count" in r ? `FC${r.fc} ${r.start}+${r.count}` : `FC${r.fc} @${r.address}`;
}

export type Failure = "exception" | "timeout" | "corrupt" | "io";

/** Exception responses [Modbus AP v1.1b3 §7] carry `modbusCode`; a bad CRC or length is corrupt. */
export function classify(cause: unknown): Failure {
  const e = cause as { modbusCode?: unknown; errno?: unknown; message?: unknown } | null;
  const msg = typeof e?.message === "string" ? e.message : "";
  if (typeof e?.modbusCode === "number") return "exception";
  if (e?.errno === "ETIMEDOUT" || /timed out/i.test(msg)) return "timeout";
  if (/CRC error|Data length error|Unexpected data/i.test(msg)) return "corrupt";
  return "io";
}
