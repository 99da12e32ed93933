/**
 * OPC UA driver against a real node-opcua server started in-test (one Double variable),
 * including recovery after the server restarts on the same port.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, OPCUACertificateManager, OPCUAServer, Variant } from "node-opcua";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { opcuaDeviceSchema } from "../src/config";
import { startOpcuaDriver } from "./support/opcua-driver";
import { untilWithin } from "../../test/support/wait";

const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-"));
let strain = 1.25;
let server: OPCUAServer | undefined;

async function startServer(port: number): Promise<OPCUAServer> {
  const s = new OPCUAServer({
    port,
    hostname: "127.0.0.1",
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: join(dir, "server-pki"),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    }),
    // Keep every PKI store in the temp dir, never in ~/.config.
    userCertificateManager: new OPCUACertificateManager({
      rootFolder: join(dir, "server-user-pki"),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    }),
  });
  await s.initialize();
  const addressSpace = s.engine.addressSpace;
  if (addressSpace === null) throw new Error("no address space");
  const ns = addressSpace.getOwnNamespace();
  const bridge = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: "BridgeSHM" });
  ns.addVariable({
    componentOf: bridge,
    browseName: "strain_1",
    nodeId: "s=strain_1",
    dataType: "Double",
    minimumSamplingInterval: 50,
    value: { get: () => new Variant({ dataType: DataType.Double, value: strain }) },
  });
  await s.start();
  return s;
}

afterAll(async () => {
  await server?.shutdown(0);
});

describe("OpcUaDriver (node-opcua server)", () => {
  it("streams data changes by nodeId and browsePath, and recovers after a server restart", async () => {
    const port = await freePort();
    server = await startServer(port);
    const device = opcuaDeviceSchema.parse({
      id: "340111-BRG-00001-D01",
      driver: "opcua",
      endpoint: `opc.tcp://127.0.0.1:${port}`,
      publishingIntervalMs: 100,
      samplingIntervalMs: 50,
      points: [
        { key: "strain_1", nodeId: "ns=1;s=strain_1" },
        {
          key: "strain_bp",
          browsePath: "/Objects/1:BridgeSHM/1:strain_1",
          deadband: { type: "absolute", value: 0.5 },
        },
        { key: "missing", browsePath: "/Objects/1:BridgeSHM/1:nope" },
      ],
    });
    const { driver, got, health } = await startOpcuaDriver(device, join(dir, "state"));
    try {
      const first = await until(() => got.find((r) => r.key === "strain_1"));
      expect(first).toMatchObject({ deviceId: device.id, value: 1.25, quality: "good" });
      expect(["device", "server"]).toContain(first.clock);
      expect(await until(() => got.find((r) => r.key === "strain_bp"))).toMatchObject({
        value: 1.25,
        quality: "good",
      });
      expect(await until(() => got.find((r) => r.key === "missing"))).toMatchObject({
        value: null,
        quality: "bad",
      });
      expect(health).toContain("degraded");

      strain = 1.5; // below the 0.5 absolute deadband for strain_bp, above 0 for strain_1
      await until(() => got.find((r) => r.key === "strain_1" && r.value === 1.5));
      await new Promise((r) => setTimeout(r, 400));
      expect(got.some((r) => r.key === "strain_bp" && r.value === 1.5)).toBe(false);

      // Restart the server on the same port; the subscription must deliver again.
      await server.shutdown(0);
      server = undefined;
      await until(() => (health.includes("down") ? true : undefined), 20_000);
      strain = 7.75;
      server = await startServer(port);
      const after = await until(() => got.find((r) => r.key === "strain_1" && r.value === 7.75), 45_000);
      expect(after.quality).toBe("good");
    } finally {
      await driver.stop();
    }
  }, 90_000);
});

const until = untilWithin(15_000);
