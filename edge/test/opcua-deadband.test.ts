/**
 * Percent deadband [OPC 10000-4 §7.22.2, OPC 10000-8 §5.3.2]: the band is value% of the
 * variable's EURange (high − low). An AnalogItem with EURange 0..200 and a 5 % deadband gives a
 * 10-unit band: changes inside it produce no reading, a change beyond it does. A variable
 * without EURange cannot take a Percent deadband: the server refuses the item and the point
 * reads bad while the others keep working.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, Variant } from "node-opcua";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { opcuaDeviceSchema } from "../src/config";
import { startOpcuaDriver } from "./support/opcua-driver";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";
import { sleep, untilWithin } from "../../test/support/wait";

const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-db-"));
const values: Record<string, number> = { temp_1: 20, pressure_1: 1, level_1: 3 };
let flow = 100;
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = untilWithin(15_000);

describe("OpcUaDriver percent deadband", () => {
  it("suppresses changes inside value% of EURange and reports a bigger one", async () => {
    const port = await freePort();
    server = await startTestServer({ port, pkiDir: join(dir, "server"), values });
    const addressSpace = server.server.engine.addressSpace;
    if (addressSpace === null) throw new Error("no address space");
    const ns = addressSpace.getOwnNamespace();
    const line = addressSpace.findNode("ns=1;i=1001");
    if (line === null) throw new Error("no Line1");
    ns.addAnalogDataItem({
      componentOf: line,
      browseName: "flow_1",
      nodeId: "s=flow_1",
      dataType: "Double",
      engineeringUnitsRange: { low: 0, high: 200 },
      minimumSamplingInterval: 50,
      value: { get: () => new Variant({ dataType: DataType.Double, value: flow }) },
    });
    const device = opcuaDeviceSchema.parse({
      id: "340111-PMP-00002-D01",
      driver: "opcua",
      endpoint: `opc.tcp://127.0.0.1:${port}`,
      publishingIntervalMs: 100,
      samplingIntervalMs: 50,
      points: [
        { key: "flow_1", nodeId: "ns=1;s=flow_1", deadband: { type: "percent", value: 5 } },
        {
          key: "temp_1",
          browsePath: "/Objects/1:Plant/1:Line1/1:temp_1",
          deadband: { type: "percent", value: 5 },
        },
        { key: "level_1", nodeId: "ns=1;s=level_1" },
      ],
    });
    const { driver, got } = await startOpcuaDriver(device, join(dir, "state"));
    const flows = () => got.filter((r) => r.key === "flow_1" && r.quality === "good").map((r) => r.value);
    try {
      await until(() => (flows().includes(100) ? true : undefined));
      await until(() => got.find((r) => r.key === "level_1" && r.quality === "good"));
      // No EURange: the Percent filter is refused, the point reads bad (others unaffected).
      await until(() => got.find((r) => r.key === "temp_1" && r.quality === "bad"));
      expect(got.some((r) => r.key === "temp_1" && r.quality === "good")).toBe(false);

      // Inside the band (|Δ| ≤ 10 from the last reported 100): each held for 10+ samplings.
      for (const v of [104, 108.5, 95, 91]) {
        flow = v;
        await sleep(600);
      }
      expect(flows()).toEqual([100]);
      // Beyond the band: reported.
      flow = 125;
      await until(() => (flows().includes(125) ? true : undefined));
      // The band now centres on 125: 131 stays quiet, 90 is reported.
      flow = 131;
      await sleep(600);
      flow = 90;
      await until(() => (flows().includes(90) ? true : undefined));
      expect(flows()).toEqual([100, 125, 90]);
    } finally {
      await driver.stop();
    }
  }, 60_000);
});
