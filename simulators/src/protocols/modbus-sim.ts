/**
 * Modbus TCP device simulator: one modbus-serial ServerTCP per planned endpoint, serving
 * each device's registers exactly per its edge profile. Values refresh from the signal
 * engine every `updateIntervalMs` (the register image is rebuilt; reads never compute).
 *
 * Exceptions [Modbus AP v1.1b3 §7]: unknown unit id, unmapped address or a read that runs
 * into an unmapped register → 02 Illegal Data Address; any write → 01 Illegal Function
 * (the simulated devices are read-only).
 *
 * Lifecycle: constructor assigns; start() binds every port (rejects naming the port on
 * failure, after closing what it opened); stop() closes servers and their sockets.
 */
import type { Logger } from "pino";
import { ServerTCP } from "modbus-serial";
import { CityTwinError } from "@citytwin/model";
import type { ModbusProfile, Profile } from "@citytwin/edge";
import type { SignalEngine } from "../signals";
import type { ModbusEndpointPlan } from "./modbus-plan";
import { encodeValue, registerCount, resolveAddress, type RegisterTable } from "./register-codec";

/** Carries the Modbus exception code the server library puts in the response. */
export class ModbusException extends CityTwinError {
  readonly modbusErrorCode: number;
  constructor(modbusErrorCode: number, message: string) {
    super(modbusErrorCode === 1 ? "MODBUS_ILLEGAL_FUNCTION" : "MODBUS_ILLEGAL_ADDRESS", message);
    this.modbusErrorCode = modbusErrorCode;
  }
}

interface MappedPoint {
  sensorId: string;
  table: RegisterTable;
  address: number;
  point: ModbusProfile["points"][number];
}

interface UnitImage {
  deviceId: string;
  points: MappedPoint[];
  holding: Map<number, number>;
  input: Map<number, number>;
}

export interface ModbusSimulatorOptions {
  endpoints: readonly ModbusEndpointPlan[];
  profiles: ReadonlyMap<string, Profile>;
  engine: SignalEngine;
  host: string;
  clock: { now(): number };
  logger: Logger;
  updateIntervalMs?: number;
}

export class ModbusSimulator {
  private readonly options: ModbusSimulatorOptions;
  private readonly servers: ServerTCP[] = [];
  private readonly images = new Map<number, Map<number, UnitImage>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ModbusSimulatorOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    for (const ep of this.options.endpoints) this.images.set(ep.port, this.buildImages(ep));
    this.refresh();
    try {
      for (const ep of this.options.endpoints) this.servers.push(await this.listen(ep));
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.timer = setInterval(() => this.refresh(), this.options.updateIntervalMs ?? 1000);
    this.options.logger.info(
      {
        ports: this.options.endpoints.map((e) => e.port),
        devices: this.options.endpoints.reduce((n, e) => n + e.units.length, 0),
      },
      "modbus simulator listening",
    );
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** Rebuilds every register from the signal engine at the clock's current time. */
  refresh(): void {
    const t = this.options.clock.now();
    for (const units of this.images.values()) {
      for (const unit of units.values()) {
        for (const p of unit.points) {
          const words = encodeValue(this.options.engine.value(p.sensorId, t), p.point);
          const table = p.table === "input" ? unit.input : unit.holding;
          words.forEach((w, i) => table.set(p.address + i, w));
        }
      }
    }
  }

  private buildImages(ep: ModbusEndpointPlan): Map<number, UnitImage> {
    const units = new Map<number, UnitImage>();
    for (const u of ep.units) {
      const profile = this.options.profiles.get(u.profileId);
      if (profile === undefined || profile.driver !== "modbus") {
        throw new CityTwinError("SIM_NO_PROFILE", `device ${u.deviceId}: no modbus profile ${u.profileId}`);
      }
      const points: MappedPoint[] = profile.points.map((point) => {
        const { table, address } = resolveAddress(point);
        if (table !== "holding" && table !== "input") {
          throw new CityTwinError(
            "SIM_MODBUS_TABLE",
            `profile ${profile.id} point ${point.key}: ${table} not simulated`,
          );
        }
        registerCount(point.type); // rejects unsupported types early
        return { sensorId: `${u.deviceId}.${point.key}`, table, address, point };
      });
      for (const p of points) {
        if (!this.options.engine.has(p.sensorId)) {
          throw new CityTwinError(
            "SIM_UNKNOWN_SENSOR",
            `device ${u.deviceId}: profile key ${p.point.key} has no sensor in the city`,
          );
        }
      }
      units.set(u.unitId, { deviceId: u.deviceId, points, holding: new Map(), input: new Map() });
    }
    return units;
  }

  private read(
    port: number,
    table: "holding" | "input",
    addr: number,
    length: number,
    unitId: number,
  ): number[] {
    const unit = this.images.get(port)?.get(unitId);
    if (unit === undefined) throw new ModbusException(2, `no unit ${unitId}`);
    const regs = table === "holding" ? unit.holding : unit.input;
    const out: number[] = new Array<number>(length);
    for (let i = 0; i < length; i++) {
      const w = regs.get(addr + i);
      if (w === undefined) throw new ModbusException(2, `unit ${unitId}: ${table} ${addr + i} not mapped`);
      out[i] = w;
    }
    return out;
  }

  private listen(ep: ModbusEndpointPlan): Promise<ServerTCP> {
    const port = ep.port;
    const readOnly = () => {
      throw new ModbusException(1, "read-only device");
    };
    const noBits = () => {
      throw new ModbusException(2, "no coils or discrete inputs");
    };
    const vector = {
      getHoldingRegister: (addr: number, unitID: number) =>
        this.read(port, "holding", addr, 1, unitID)[0] ?? 0,
      getInputRegister: (addr: number, unitID: number) => this.read(port, "input", addr, 1, unitID)[0] ?? 0,
      getMultipleHoldingRegisters: (addr: number, length: number, unitID: number) =>
        this.read(port, "holding", addr, length, unitID),
      getMultipleInputRegisters: (addr: number, length: number, unitID: number) =>
        this.read(port, "input", addr, length, unitID),
      getCoil: (_addr: number, _unitID: number): boolean => noBits(),
      getDiscreteInput: (_addr: number, _unitID: number): boolean => noBits(),
      setRegister: (_addr: number, _value: number, _unitID: number): void => readOnly(),
      setCoil: (_addr: number, _value: boolean, _unitID: number): void => readOnly(),
      setRegisterArray: (_addr: number, _value: number[], _unitID: number): void => readOnly(),
    };
    return new Promise((resolve, reject) => {
      // unitID 255: answer every unit id; the vector rejects unknown ones with exception 02.
      const server = new ServerTCP(vector, { host: this.options.host, port, unitID: 255 });
      const onError = (err: Error | null): void => {
        reject(
          new CityTwinError(
            "SIM_MODBUS_LISTEN",
            `cannot listen on ${this.options.host}:${port} (${ep.gatewayId})`,
            { cause: err },
          ),
        );
      };
      server.once("serverError", onError);
      server.once("initialized", () => {
        server.off("serverError", onError);
        server.on("serverError", (err: Error | null) =>
          this.options.logger.error({ err, port }, "modbus server error"),
        );
        resolve(server);
      });
      server.on("socketError", (err: Error | null) =>
        this.options.logger.debug({ err, port }, "modbus socket error"),
      );
      server.on("error", (err: Error | null) =>
        this.options.logger.warn({ err, port }, "modbus request error"),
      );
    });
  }
}
