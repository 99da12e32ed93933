/**
 * OPC UA server for the bridge structural-health stations (node-opcua, loaded lazily).
 *
 * Address space (namespace 1, urn:citytwin:simulators:bridge-shm):
 *   Objects/BridgeSHM (folder)
 *     /<bridge asset id> (object; properties name, owner)
 *       /Span1..Span3 (objects)
 *         /strain_1 … (AnalogItemType, Double, EURange = the kind's physical range,
 *                      NodeId ns=1;s=<sensor id>)
 *
 * Values are set with SourceTimestamp from the simulation clock [OPC 10000-4 §7.11] every
 * `updateIntervalMs`. Security: None/anonymous only, bound to `host`, never announced
 * (RegisterServerMethod.HIDDEN, no mDNS, no LDS). The PKI lives under `pkiDir`.
 *
 * Lifecycle: constructor assigns; start() builds and opens the server (a few seconds: the
 * standard nodeset loads and a self-signed certificate is made on first use); stop() shuts down.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import type * as NodeOpcua from "node-opcua";
import type { OPCUAServer, UAVariable } from "node-opcua";
import { CityTwinError, SENSOR_KINDS, sensorKind, type CityModel } from "@citytwin/model";
import { BRIDGE_SENSORS } from "../city/bridge-sensors";
import type { SignalEngine } from "../signals";

export const OPCUA_NAMESPACE_URI = "urn:citytwin:simulators:bridge-shm";

export interface OpcuaSimulatorOptions {
  city: CityModel;
  engine: SignalEngine;
  host: string;
  port: number;
  /** Directory for the server's PKI (created). */
  pkiDir: string;
  clock: { now(): number };
  logger: Logger;
  updateIntervalMs?: number;
}

/** The NodeId string of a sensor's variable. */
export function opcuaNodeId(sensorId: string): string {
  return `ns=1;s=${sensorId}`;
}

export class OpcuaSimulator {
  private readonly options: OpcuaSimulatorOptions;
  private server: OPCUAServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly variables: { sensorId: string; variable: UAVariable }[] = [];

  constructor(options: OpcuaSimulatorOptions) {
    this.options = options;
  }

  get endpointUrl(): string {
    return `opc.tcp://${this.options.host}:${this.options.port}`;
  }

  async start(): Promise<void> {
    const ua = await import("node-opcua");
    const { host, port, pkiDir } = this.options;
    const serverCertificateManager = new ua.OPCUACertificateManager({
      rootFolder: join(pkiDir, "server"),
      automaticallyAcceptUnknownCertificate: true,
    });
    const userCertificateManager = new ua.OPCUACertificateManager({
      rootFolder: join(pkiDir, "user"),
      automaticallyAcceptUnknownCertificate: true,
    });
    const server = new ua.OPCUAServer({
      host,
      hostname: host,
      port,
      nodesets: [ua.nodesets.standard],
      securityModes: [ua.MessageSecurityMode.None],
      securityPolicies: [ua.SecurityPolicy.None],
      allowAnonymous: true,
      registerServerMethod: ua.RegisterServerMethod.HIDDEN,
      isAuditing: false,
      serverCertificateManager,
      userCertificateManager,
      serverInfo: {
        applicationUri: OPCUA_NAMESPACE_URI,
        productUri: "citytwin-simulators",
        applicationName: { text: "CityTwin bridge SHM simulator" },
      },
      buildInfo: {
        productName: "CityTwin CT-SHM8 simulator",
        manufacturerName: "CityTwin Sim",
        softwareVersion: "0.1.0",
      },
    });
    this.server = server;
    try {
      await server.initialize();
      this.populate(ua, server);
      this.refresh(ua);
      await server.start();
    } catch (cause) {
      await this.stop();
      throw new CityTwinError("SIM_OPCUA_START", `cannot start OPC UA server on ${host}:${port}`, { cause });
    }
    this.timer = setInterval(() => this.refresh(ua), this.options.updateIntervalMs ?? 500);
    this.options.logger.info(
      { endpoint: this.endpointUrl, variables: this.variables.length },
      "opcua simulator listening",
    );
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await server.shutdown(0);
  }

  private populate(ua: typeof NodeOpcua, server: OPCUAServer): void {
    const addressSpace = server.engine.addressSpace;
    if (addressSpace === null) throw new CityTwinError("SIM_OPCUA_START", "address space not ready");
    const ns = addressSpace.getOwnNamespace();
    const folder = ns.addFolder(addressSpace.rootFolder.objects, {
      browseName: "BridgeSHM",
      nodeId: "s=BridgeSHM",
    });
    const { city } = this.options;
    const bridgeDevices = city.devices.filter((d) => d.protocol === "opcua");
    for (const device of bridgeDevices) {
      const asset = city.assets.find((a) => a.id === device.assetId);
      if (asset === undefined) continue;
      const obj = ns.addObject({ organizedBy: folder, browseName: asset.id, nodeId: `s=${asset.id}` });
      const prop = (browseName: string, value: string) =>
        ns.addVariable({
          propertyOf: obj,
          browseName,
          nodeId: `s=${asset.id}.${browseName}`,
          dataType: "String",
          value: { dataType: ua.DataType.String, value },
        });
      prop("name", `${asset.nameZh} ${asset.name}`);
      prop("owner", `${asset.owner.org} ${asset.owner.person} ${asset.owner.phone}`);
      const spans = new Map<number, ReturnType<typeof ns.addObject>>();
      for (const spec of BRIDGE_SENSORS) {
        let span = spans.get(spec.span);
        if (span === undefined) {
          span = ns.addObject({
            componentOf: obj,
            browseName: `Span${spec.span}`,
            nodeId: `s=${asset.id}.Span${spec.span}`,
          });
          spans.set(spec.span, span);
        }
        const sensorId = `${device.id}.${spec.key}`;
        if (!this.options.engine.has(sensorId)) continue;
        const kind = sensorKind(spec.kind) ?? SENSOR_KINDS.strain;
        const units =
          spec.kind === "deflection"
            ? ua.standardUnits.millimetre
            : spec.kind === "acceleration"
              ? ua.standardUnits.metre_per_second_squared
              : ua.makeEUInformation("µε", "µε", "microstrain");
        const variable = ns.addAnalogDataItem({
          componentOf: span,
          browseName: spec.key,
          nodeId: `s=${sensorId}`,
          dataType: "Double",
          engineeringUnitsRange: { low: kind.min, high: kind.max },
          engineeringUnits: units,
          minimumSamplingInterval: 100,
        });
        this.variables.push({ sensorId, variable });
      }
    }
  }

  private refresh(ua: typeof NodeOpcua): void {
    const t = this.options.clock.now();
    const ts = new Date(t);
    for (const { sensorId, variable } of this.variables) {
      const value = this.options.engine.value(sensorId, t);
      variable.setValueFromSource(
        new ua.Variant({ dataType: ua.DataType.Double, value }),
        ua.StatusCodes.Good,
        ts,
      );
    }
  }
}
