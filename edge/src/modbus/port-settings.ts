/**
 * Physical-port identity and timing. Every device on one physical port (a serial path, or a
 * host:port) shares one scheduler, so port-wide settings must agree between those devices.
 * Silent interval [Modbus over Serial Line v1.02 §2.5.1.1]: frames are separated by at least
 * 3.5 character times; above 19200 baud a fixed 1.75 ms is recommended.
 */
import type { DeviceConfig, ModbusDeviceConfig, ModbusTcpDeviceConfig } from "../config/schema";

export type ModbusTransport = ModbusDeviceConfig["transport"];
export type SerialSettings = NonNullable<ModbusDeviceConfig["serial"]>;

export interface PortSettings {
  /** "serial:<path>" or "<host>:<port>": one scheduler per key. */
  key: string;
  transport: ModbusTransport;
  host: string;
  port: number;
  serial?: SerialSettings;
  /** Silence kept after every transaction before the next frame is sent. */
  interFrameGapMs: number;
}

/** Bits per character on the line: start + data + parity + stop (11 for 8E1). */
export function bitsPerChar(s: SerialSettings): number {
  return 1 + s.dataBits + (s.parity === "none" ? 0 : 1) + s.stopBits;
}

/** 3.5 character times in ms, or 1.75 ms above 19200 baud. */
export function silentIntervalMs(s: SerialSettings): number {
  if (s.baudRate > 19200) return 1.75;
  return (3.5 * bitsPerChar(s) * 1000) / s.baudRate;
}

export function portSettings(d: ModbusDeviceConfig): PortSettings {
  if (d.transport === "rtu") {
    if (d.serial === undefined) throw new Error(`${d.id}: transport rtu needs serial`);
    return {
      key: `serial:${d.serial.path}`,
      transport: "rtu",
      host: "",
      port: 0,
      serial: d.serial,
      interFrameGapMs: d.interFrameGapMs ?? silentIntervalMs(d.serial),
    };
  }
  const host = d.host ?? "";
  const port = d.port ?? 502;
  // RTU over TCP: a converter forwards frames onto a serial line of unknown speed; 1.75 ms is
  // the spec's floor, so keep it unless configured. MBAP over TCP needs no gap.
  const gap = d.transport === "tcp" ? 0 : 1.75;
  return {
    key: `${host}:${port}`,
    transport: d.transport,
    host,
    port,
    interFrameGapMs: d.interFrameGapMs ?? gap,
  };
}

/** A legacy `driver: modbus-tcp` device as a `driver: modbus` one. */
export function fromLegacy(d: ModbusTcpDeviceConfig): ModbusDeviceConfig {
  return {
    ...d,
    driver: "modbus",
    transport: "tcp",
    retries: 0,
    backoffMs: 1000,
    maxBackoffMs: 30_000,
    maxGap: 0,
  };
}

export interface PortIssue {
  index: number;
  field: string;
  message: string;
}

/** Devices sharing a physical port must agree on transport, serial line and gap. */
export function checkModbusPorts(devices: readonly DeviceConfig[]): PortIssue[] {
  const first = new Map<string, { index: number; s: PortSettings }>();
  const issues: PortIssue[] = [];
  devices.forEach((d, index) => {
    if (d.driver !== "modbus" && d.driver !== "modbus-tcp") return;
    const s = portSettings(d.driver === "modbus" ? d : fromLegacy(d));
    const seen = first.get(s.key);
    if (seen === undefined) {
      first.set(s.key, { index, s });
      return;
    }
    const why =
      seen.s.transport !== s.transport
        ? "transport"
        : JSON.stringify(seen.s.serial) !== JSON.stringify(s.serial)
          ? "serial"
          : seen.s.interFrameGapMs !== s.interFrameGapMs
            ? "interFrameGapMs"
            : undefined;
    if (why !== undefined) {
      issues.push({
        index,
        field: why,
        message: `shares port ${s.key} with devices[${seen.index}] but its ${why} differs`,
      });
    }
  });
  return issues;
}
