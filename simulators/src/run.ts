/**
 * Starts every protocol simulator for a city and writes the edge configs (and ground truth)
 * that point at them. Used by the CLI (main.ts) and by tests, so both run the same path.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { CityTwinError, type CityModel } from "@citytwin/model";
import { createSimClock, type SimClock } from "./clock";
import { writeEdgeConfigs } from "./edge-configs";
import { FieldBroker } from "./protocols/field-broker";
import { planModbusEndpoints, type ModbusEndpointPlan } from "./protocols/modbus-plan";
import { ModbusSimulator } from "./protocols/modbus-sim";
import { OpcuaSimulator } from "./protocols/opcua-sim";
import { PoleSimulator } from "./protocols/pole-sim";
import { DEFAULT_PROFILE_DIR, loadProfiles } from "./protocols/profiles";
import { SignalEngine, groundTruth, type Scenario } from "./signals";

export interface SimulatorsOptions {
  city: CityModel;
  scenario?: Scenario;
  /** Output directory: edge configs, ground truth, OPC UA PKI. */
  outDir: string;
  host: string;
  modbusPort: number;
  opcuaPort: number;
  /** Port of the embedded field broker; ignored when fieldBrokerUrl is given. */
  fieldBrokerPort: number;
  /** An external field broker instead of the embedded one. */
  fieldBrokerUrl?: string;
  /** The platform broker written into the edge configs. */
  mqttUrl: string;
  timeScale?: number;
  /** A clock to use instead of one made from startMs and timeScale (tests freeze time). */
  clock?: SimClock;
  /** Simulated start time; default: now. */
  startMs?: number;
  logger: Logger;
  profileDir?: string;
  poleIntervalMs?: number;
  maxPoleClients?: number;
}

export interface RunningSimulators {
  clock: SimClock;
  engine: SignalEngine;
  modbus: ModbusEndpointPlan[];
  opcuaEndpoint: string | undefined;
  fieldBrokerUrl: string;
  edgeConfigFiles: string[];
  groundTruthFile: string | undefined;
  stop(): Promise<void>;
}

interface Part {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulators(o: SimulatorsOptions): Promise<RunningSimulators> {
  const clock = o.clock ?? createSimClock(o.startMs ?? Date.now(), o.timeScale ?? 1);
  const startMs = clock.startMs;
  const engine = new SignalEngine({
    city: o.city,
    startMs,
    ...(o.scenario === undefined ? {} : { scenario: o.scenario }),
  });
  const profileDir = o.profileDir ?? DEFAULT_PROFILE_DIR;
  const profiles = await loadProfiles(profileDir);
  const modbus = planModbusEndpoints(o.city, o.modbusPort);
  const hasOpcua = o.city.devices.some((d) => d.protocol === "opcua");
  const opcuaEndpoint = hasOpcua ? `opc.tcp://${o.host}:${o.opcuaPort}` : undefined;
  const embeddedBroker =
    o.fieldBrokerUrl === undefined
      ? new FieldBroker({
          host: o.host,
          port: o.fieldBrokerPort,
          logger: o.logger.child({ part: "field-broker" }),
        })
      : undefined;
  const fieldBrokerUrl = o.fieldBrokerUrl ?? embeddedBroker?.url ?? "";

  await mkdir(o.outDir, { recursive: true });
  const edgeConfigFiles = await writeEdgeConfigs({
    city: o.city,
    endpoints: {
      host: o.host,
      modbus,
      opcuaEndpoint: opcuaEndpoint ?? `opc.tcp://${o.host}:${o.opcuaPort}`,
      fieldBrokerUrl,
    },
    mqttUrl: o.mqttUrl,
    configDir: o.outDir,
    profileDir,
  });
  let groundTruthFile: string | undefined;
  if (o.scenario !== undefined) {
    groundTruthFile = join(o.outDir, "ground-truth.json");
    const windows = groundTruth(o.scenario, startMs, o.city);
    const doc = { scenario: o.scenario.name, startMs, timeScale: o.timeScale ?? 1, windows };
    try {
      await writeFile(groundTruthFile, `${JSON.stringify(doc, null, 2)}\n`, "utf8");
    } catch (cause) {
      throw new CityTwinError("SIM_WRITE_GROUND_TRUTH", `cannot write ${groundTruthFile}`, { cause });
    }
  }

  const parts: Part[] = [];
  if (embeddedBroker !== undefined) parts.push(embeddedBroker);
  if (modbus.length > 0) {
    parts.push(
      new ModbusSimulator({
        endpoints: modbus,
        profiles,
        engine,
        host: o.host,
        clock,
        logger: o.logger.child({ part: "modbus" }),
      }),
    );
  }
  if (hasOpcua) {
    parts.push(
      new OpcuaSimulator({
        city: o.city,
        engine,
        host: o.host,
        port: o.opcuaPort,
        pkiDir: join(o.outDir, "pki", "opcua-sim"),
        clock,
        logger: o.logger.child({ part: "opcua" }),
      }),
    );
  }
  if (o.city.assets.some((a) => a.type === "SPL")) {
    parts.push(
      new PoleSimulator({
        city: o.city,
        engine,
        brokerUrl: fieldBrokerUrl,
        clock,
        logger: o.logger.child({ part: "poles" }),
        ...(o.poleIntervalMs === undefined ? {} : { publishIntervalMs: o.poleIntervalMs }),
        ...(o.maxPoleClients === undefined ? {} : { maxClients: o.maxPoleClients }),
      }),
    );
  }
  const started: Part[] = [];
  const stop = async () => {
    for (const p of started.splice(0).reverse()) {
      try {
        await p.stop();
      } catch (err) {
        o.logger.warn({ err }, "simulator stop failed");
      }
    }
  };
  try {
    // The broker first (poles connect to it); the rest start side by side.
    if (embeddedBroker !== undefined) {
      await embeddedBroker.start();
      started.push(embeddedBroker);
    }
    const rest = parts.filter((p) => p !== embeddedBroker);
    const results = await Promise.allSettled(rest.map(async (p) => (await p.start(), p)));
    for (const r of results) if (r.status === "fulfilled") started.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  } catch (err) {
    await stop();
    throw err;
  }
  return { clock, engine, modbus, opcuaEndpoint, fieldBrokerUrl, edgeConfigFiles, groundTruthFile, stop };
}
