/**
 * Command parsing and dispatch without I/O: the topic/payload checks of handleCommand, the
 * dispatcher's argument checks, its timeout (a driver that never answers) and the config
 * message checks (schema, hash, fixed sections).
 */
import { describe, expect, it } from "vitest";
import type { Command } from "@citytwin/model";
import { CommandDispatcher } from "../src/commands/dispatch";
import { checkPushedConfig } from "../src/commands/config-push";
import type { LampControl } from "../src/commands/types";
import { loadEdgeConfig, sha256Hash, type DeviceConfig } from "../src/config";
import { handleCommand } from "../src/publish/commands";
import type { StreamingDriver } from "../src/drivers/types";

const clock = { now: () => 1_000 };
const cmd = (over: Partial<Command>): Command => ({
  v: 1,
  id: "c-1",
  name: "lamp-set",
  args: {},
  issuedAt: 0,
  issuedBy: "t",
  timeoutMs: 5000,
  ...over,
});
const pole = { id: "340111-SPL-00012-D01", driver: "mqtt-json" } as DeviceConfig;

describe("handleCommand", () => {
  it("hands writes to the dispatcher, defaults the timeout, keeps reserved names unsupported", () => {
    const body = { v: 1, id: "a", name: "lamp-set", issuedAt: 900, issuedBy: "t", args: { on: true } };
    const out = handleCommand("lamp-set", Buffer.from(JSON.stringify(body)), 1000);
    expect(out).toMatchObject({ name: "lamp-set", dispatch: { id: "a", timeoutMs: 5000 } });
    const write = handleCommand("write", Buffer.from(JSON.stringify({ ...body, name: "write" })), 1000);
    expect(write).toMatchObject({ result: { ok: false, error: { code: "UNSUPPORTED" } } });
    const list = { ...body, name: "modbus-write", args: { value: [1, 2] } };
    expect(handleCommand("modbus-write", Buffer.from(JSON.stringify(list)), 1000)).toHaveProperty("dispatch");
  });
});

describe("CommandDispatcher", () => {
  const never: LampControl & StreamingDriver = {
    deviceIds: [pole.id],
    setLamp: () => new Promise(() => undefined),
    start: async () => undefined,
    stop: async () => undefined,
    stats: () => ({}),
  };
  const d = new CommandDispatcher(() => ({ devices: [pole], streaming: [never] }), clock);

  it("answers TIMEOUT when the driver does not finish in time", async () => {
    const r = await d.run(cmd({ target: { deviceId: pole.id }, args: { on: false }, timeoutMs: 50 }));
    expect(r).toEqual({
      v: 1,
      id: "c-1",
      ok: false,
      error: expect.objectContaining({ code: "TIMEOUT" }),
      completedAt: 1000,
    });
  });

  it("codes bad args and unknown devices", async () => {
    const code = async (c: Partial<Command>) => (await d.run(cmd(c))).error?.code;
    expect(await code({ args: { on: true } })).toBe("INVALID_ARGS"); // no target
    expect(await code({ target: { deviceId: pole.id }, args: {} })).toBe("INVALID_ARGS");
    expect(await code({ target: { deviceId: pole.id }, args: { on: "yes" } })).toBe("INVALID_ARGS");
    expect(await code({ target: { deviceId: "340111-SPL-00099-D01" }, args: { on: true } })).toBe(
      "UNKNOWN_DEVICE",
    );
    expect(await code({ name: "opcua-write", target: { deviceId: pole.id }, args: { value: 1 } })).toBe(
      "UNKNOWN_DEVICE",
    );
  });
});

describe("checkPushedConfig", () => {
  const body = {
    version: 1,
    gateway: { tenant: "hefei", id: "gw-1" },
    mqtt: { url: "mqtt://127.0.0.1:1883" },
    profiles: [{ id: "p", driver: "mqtt-json", fields: { x: "x" } }],
    devices: [
      { id: pole.id, driver: "mqtt-json", profile: "p", broker: "mqtt://127.0.0.1:1884", topic: "t" },
    ],
  };
  const current = loadEdgeConfig(JSON.stringify(body), "/etc/ct/edge.yaml", {});
  const msg = (b: object, hash = sha256Hash(b)) =>
    Buffer.from(JSON.stringify({ v: 1, version: 7, hash, issuedAt: 1, body: b }));

  it("accepts a valid body and reports the message hash", () => {
    const r = checkPushedConfig(msg(body), current, {});
    expect(r).toMatchObject({ ok: true, version: 7, hash: sha256Hash(body) });
  });

  it("rejects bad JSON, schema, hash, body and fixed-section changes with a reason", () => {
    const reason = (p: Buffer) => {
      const r = checkPushedConfig(p, current, {});
      return r.ok ? "accepted" : r.message;
    };
    expect(reason(Buffer.from("{"))).toMatch(/not JSON/);
    expect(reason(Buffer.from(JSON.stringify({ v: 1, version: 1 })))).toMatch(/config message/);
    expect(reason(msg(body, `sha256:${"a".repeat(64)}`))).toMatch(/hash mismatch/);
    expect(reason(msg({ ...body, devices: [{ ...body.devices[0], profile: "nope" }] }))).toMatch(
      /\/etc\/ct\/pushed-config-v7\.json: devices\[0\]\.profile \(line \d+:\d+\): unknown profile "nope"/,
    );
    expect(reason(msg({ ...body, mqtt: { url: "mqtt://10.0.0.1:1883" } }))).toMatch(/mqtt differs/);
  });
});
