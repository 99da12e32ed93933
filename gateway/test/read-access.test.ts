/**
 * Read access over HTTP and `/live` (docs/security.md, "HTTP and WebSocket access"), against a
 * real gateway in-process. Secure mode: every read route answers 401 (with `www-authenticate`)
 * without or with a wrong token and 200 with the viewer's; `/metrics` needs the admin role or
 * the scraper token (`http.metricsTokenHash`, token `metrics.<secret>`), 403 for lower roles;
 * `/healthz` stays open; `/live` refuses the upgrade with 401. Demo mode: all open, the banner
 * logged once and shown on `/healthz`; demo mode on a non-loopback address does not start.
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../src/config/secret";
import { loadGatewayConfig } from "../src/config/load";
import { DEMO_BANNER, Gateway } from "../src/gateway";
import { GAS_DEV } from "./fixtures";
import { TOKENS, liveUpgradeStatus, startTestGateway, type TestGateway } from "./harness";

const METRICS_SECRET = "scraper-secret-0123456789";
const READS = [
  "api/city",
  "api/latest",
  "api/gateways",
  "api/rejections",
  `api/sensors/${GAS_DEV}.ch4/history`,
  "api/alarms",
  "api/incidents",
  "api/audit",
  "api/session",
  "api/replay?at=0",
  "api/viewer-config",
];

const get = (gw: TestGateway, path: string, token?: string) =>
  fetch(new URL(path, gw.addr.url), {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

describe("read access in secure mode", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      http: {
        host: "127.0.0.1",
        port: 0,
        metricsTokenHash: await hashSecret(METRICS_SECRET, { N: 1024 }),
      },
    });
  });
  afterAll(() => gw?.stop());

  it("refuses every read route without a token or with a wrong one (401)", async () => {
    for (const path of READS) {
      const none = await get(gw, path);
      expect(none.status, path).toBe(401);
      expect(none.headers.get("www-authenticate"), path).toBe('Bearer realm="citytwin"');
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
      expect((await get(gw, path, "wall.wrong-secret")).status, path).toBe(401);
      expect((await get(gw, path, "garbage")).status, path).toBe(401);
    }
    // An unknown API path does not tell a caller without a token that it does not exist.
    expect((await get(gw, "api/nope")).status).toBe(401);
  });

  it("serves every read route to the viewer role and better", async () => {
    for (const path of READS)
      for (const token of [TOKENS.viewer, TOKENS.operator, TOKENS.admin])
        expect((await get(gw, path, token)).status, `${path} ${token}`).toBe(200);
    // `?token=` is for /live only (browsers cannot set WebSocket headers); URLs end up in logs.
    expect((await get(gw, `api/latest?token=${TOKENS.viewer}`)).status).toBe(401);
  });

  it("keeps /metrics to the admin role or the scraper token", async () => {
    expect((await get(gw, "metrics")).status).toBe(401);
    expect((await get(gw, "metrics", TOKENS.viewer)).status).toBe(403);
    expect((await get(gw, "metrics", TOKENS.operator)).status).toBe(403);
    expect((await get(gw, "metrics", "metrics.wrong")).status).toBe(401);
    const admin = await get(gw, "metrics", TOKENS.admin);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain("citytwin_ingest_rejected_total");
    const scraper = await get(gw, "metrics", `metrics.${METRICS_SECRET}`);
    expect(scraper.status).toBe(200);
    // The scraper token reads metrics only.
    expect((await get(gw, "api/latest", `metrics.${METRICS_SECRET}`)).status).toBe(401);
  });

  it("keeps /healthz open and says the mode", async () => {
    const res = await get(gw, "healthz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mode: string; warning?: string };
    expect(body.mode).toBe("secure");
    expect(body.warning).toBeUndefined();
  });

  it("refuses the /live upgrade without a valid token and admits the viewer", async () => {
    expect(await liveUpgradeStatus(gw)).toBe(401);
    expect(await liveUpgradeStatus(gw, "wall.wrong-secret")).toBe(401);
    expect(await liveUpgradeStatus(gw, TOKENS.viewer)).toBe(101);
  });
});

describe("demo mode", () => {
  let gw: TestGateway;
  const lines: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ mode: "demo", gateways: [] }, {}, pinoInto(lines));
  });
  afterAll(() => gw?.stop());

  it("is open: reads, /metrics and /live need no token", async () => {
    for (const path of [...READS, "metrics"]) expect((await get(gw, path)).status, path).toBe(200);
    expect(await liveUpgradeStatus(gw)).toBe(101);
    // A token that is sent is still checked.
    expect((await get(gw, "api/latest", "wall.wrong-secret")).status).toBe(401);
  });

  it("logs the banner once at start and shows it on /healthz", async () => {
    const banners = lines.filter((l) => l.includes("DEMO MODE: no authentication"));
    expect(banners).toHaveLength(1);
    expect(JSON.parse(banners[0]!)).toMatchObject({ level: 40, msg: DEMO_BANNER });
    const body = (await (await get(gw, "healthz")).json()) as { mode: string; warning?: string };
    expect(body).toMatchObject({ mode: "demo", warning: DEMO_BANNER });
  });

  it("does not start on a non-loopback address", async () => {
    const text = "version: 1\ntenant: hefei\nmode: demo\ncity: c.json\n";
    const config = loadGatewayConfig(text, "/tmp/g.yaml", {});
    for (const listener of ["mqtt", "http"] as const) {
      const gateway = new Gateway({
        config: { ...config, [listener]: { ...config[listener], host: "0.0.0.0" } },
        logger: pino({ level: "silent" }),
      });
      await expect(gateway.start()).rejects.toThrow(
        `${listener}.host 0.0.0.0: demo mode (no authentication) is allowed only on a loopback address`,
      );
    }
  });
});

function pinoInto(lines: string[]) {
  return pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        cb();
      },
    }),
  );
}
