/**
 * `citytwin-edge provision` against a real gateway: the one-time key from the environment is
 * exchanged for the MQTT secret, written 0600 as CT_MQTT_PASSWORD (other lines kept), never
 * printed; the secret connects; a second run with the same key is refused (exit 1, KEY_USED).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../edge/src/cli/main";
import { hashSecret } from "../../gateway/src/config/secret";
import { startTestGateway, testOperators, type TestGateway } from "../../gateway/test/harness";
import { mqttConnect } from "./support";

const KEY = "pole-17.one-time-provisioning-0123456789";
let gw: TestGateway;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "citytwin-provision-cli-"));
  const [id, secret] = KEY.split(".") as [string, string];
  gw = await startTestGateway({
    operators: await testOperators(),
    alarms: { stateDir: join(dir, "state") },
    provisioning: { keys: [{ id, keyHash: await hashSecret(secret, { N: 1024 }), gatewayId: "gw-pole-17" }] },
  });
});

afterAll(async () => {
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s) };
  return { code: await main(argv, io), out };
}

describe("citytwin-edge provision", () => {
  it("writes the issued secret 0600 without printing it; the key works once", async () => {
    const envFile = join(dir, "edge.env");
    await writeFile(envFile, "CT_OTHER=keep\nCT_MQTT_PASSWORD=old\n");
    const argv = ["provision", "--gateway-url", gw.addr.url, "--gateway-id", "gw-pole-17", "--out", envFile];
    process.env.CT_PROVISION_KEY = KEY;
    try {
      const first = await run(argv);
      expect(first.code, first.out).toBe(0);
      const text = await readFile(envFile, "utf8");
      const password = /^CT_MQTT_PASSWORD=(.+)$/m.exec(text)?.[1] ?? "";
      expect(password.length).toBeGreaterThanOrEqual(40);
      expect(text).toContain("CT_OTHER=keep\n");
      expect(first.out).not.toContain(password);
      expect(first.out).not.toContain(KEY);
      expect((await stat(envFile)).mode & 0o777).toBe(0o600);
      expect(await mqttConnect({ port: gw.addr.mqttPort, username: "gw-pole-17", password })).toBe(0);

      const again = await run(argv);
      expect(again.code).toBe(1);
      expect(again.out).toMatch(/KEY_USED/);
      expect(await readFile(envFile, "utf8")).toBe(text);
    } finally {
      delete process.env.CT_PROVISION_KEY;
    }
    const missing = await run(argv);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/CT_PROVISION_KEY/);
  });
});
