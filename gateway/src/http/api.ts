/**
 * The HTTP API (node:http, no framework). Routes:
 *   GET /api/city                     city model JSON (ETag, gzip)
 *   GET /api/latest                   { readings: LatestReading[] }
 *   GET /api/sensors/{id}/history     HistoryResponse; ?from=&to= in ms (default: last hour)
 *   GET /api/gateways                 { gateways: GatewayView[] }
 *   GET /api/rejections?limit=        { total, rejections: DeadLetter[] } (most recent first)
 *   /api/alarms…, /api/incidents…, /api/assets/{id}/maintenance, /api/audit: ./alarm-routes.ts
 *   POST /api/gateways/{id}/commands/{name}: ./command-routes.ts
 *   POST /api/provision, /api/provisioning-keys, /api/gateways/{id}/{revoke,rotate}: ./security-routes.ts
 *   /api/session, /api/replay, /api/viewer-config, /city-assets/…: ./viewer-routes.ts
 *   GET /metrics                      Prometheus text format
 *   GET /healthz                      { ok: true, ... }
 *   GET /*                            static files from http.staticDir
 * Errors are `{ error: { code, message } }` with a matching status.
 *
 * Access (docs/security.md, "HTTP and WebSocket access"): in secure mode the reads above need
 * the viewer role or better (401 without a valid token, 403 below the role), `/metrics` the
 * admin role or the scraper token; `/healthz` and the static files are open. Demo mode is open.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";
import type { Logger } from "pino";
import type { HistoryResponse, LatestReading } from "@citytwin/model";
import type { InfluxV1Resolved } from "../config/load";
import type { HistoryPoint, HotStore } from "../hot-store/hot-store";
import type { DeadLetters } from "../ingest/dead-letters";
import type { GatewayTracker } from "../ingest/gateway-tracker";
import type { DeviceRegistry } from "../ingest/registry";
import { queryV1History } from "../influx/v1-query";
import type { GatewayMetrics } from "../metrics";
import type { OperatorAuthenticator } from "../auth/operators";
import type { AlarmRoutes } from "./alarm-routes";
import { authorizeMetrics, authorizeRead, type SecurityMode } from "./authorize";
import type { CommandRoutes } from "./command-routes";
import type { SecurityRoutes } from "./security-routes";
import type { ViewerRoutes } from "./viewer-routes";
import { acceptsGzip, sendError, sendJson } from "./respond";
import { serveStatic } from "./static-files";

const HISTORY_LIMIT = 10_000;
const HISTORY_ROUTE = /^\/api\/sensors\/([^/]+)\/history$/;

export interface ApiDeps {
  cityJson: Buffer;
  registry: DeviceRegistry;
  hotStore: HotStore;
  gateways: GatewayTracker;
  deadLetters: DeadLetters;
  metrics: GatewayMetrics;
  influxV1?: InfluxV1Resolved;
  staticDir?: string;
  alarmRoutes?: AlarmRoutes;
  commandRoutes?: CommandRoutes;
  /** Provisioning, key issue, revocation, rotation (./security-routes.ts; own auth). */
  securityRoutes?: SecurityRoutes;
  /** Session, replay, viewer config and the open /city-assets/ files (./viewer-routes.ts). */
  viewerRoutes?: ViewerRoutes;
  logger: Logger;
  now: () => number;
  health: () => Record<string, unknown>;
  /** Operator tokens for the read routes and `/metrics`. */
  auth: OperatorAuthenticator;
  mode: SecurityMode;
  /** The Prometheus scraper's token (`http.metricsTokenHash`); absent: admin only. */
  metricsAuth?: OperatorAuthenticator;
}

const gzipAsync = promisify(gzipCb);

export class Api {
  private readonly cityEtag: string;
  /** Compressed on the first request that accepts gzip, off the event loop (a 1M-sensor city is ~500 MB). */
  private cityGzip: Promise<Buffer> | undefined;

  constructor(private readonly deps: ApiDeps) {
    this.cityEtag = `"${createHash("sha1").update(deps.cityJson).digest("base64url")}"`;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    // Routes decode their id segments with decodeURIComponent; a malformed %-escape would throw.
    if (!decodablePath(path)) return sendError(res, 400, "BAD_PATH", "malformed %-escape in the path");
    if (this.deps.alarmRoutes !== undefined && (await this.deps.alarmRoutes.handle(req, res, url))) return;
    if (this.deps.commandRoutes !== undefined && (await this.deps.commandRoutes.handle(req, res, url)))
      return;
    if (this.deps.securityRoutes !== undefined && (await this.deps.securityRoutes.handle(req, res, url)))
      return;
    if (this.deps.viewerRoutes !== undefined && (await this.deps.viewerRoutes.handle(req, res, url))) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendError(res, 405, "METHOD_NOT_ALLOWED", `${req.method ?? "?"} is not allowed`);
    }
    if (path === "/healthz") return sendJson(res, 200, { ok: true, ...this.deps.health() });
    if (path === "/metrics") {
      const { auth, metricsAuth, mode } = this.deps;
      if (!(await authorizeMetrics(auth, metricsAuth, mode, req, res, url))) return;
      const text = await this.deps.metrics.registry.metrics();
      res.writeHead(200, { "content-type": this.deps.metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (path.startsWith("/api/") && !(await authorizeRead(this.deps.auth, this.deps.mode, req, res, url)))
      return;
    if (path === "/api/city") return this.city(req, res);
    if (path === "/api/latest") return sendJson(res, 200, { readings: this.latest() }, req);
    if (path === "/api/gateways") return sendJson(res, 200, { gateways: this.deps.gateways.view() }, req);
    if (path === "/api/rejections") {
      const limit = intParam(url, "limit", 100);
      if (limit === undefined || limit < 1)
        return sendError(res, 400, "BAD_REQUEST", "limit must be a positive integer");
      return sendJson(
        res,
        200,
        { total: this.deps.deadLetters.total, rejections: this.deps.deadLetters.recent(limit) },
        req,
      );
    }
    const m = HISTORY_ROUTE.exec(path);
    if (m !== null) return this.history(req, res, decodeURIComponent(m[1] ?? ""), url);
    if (path.startsWith("/api/")) return sendError(res, 404, "NOT_FOUND", `no route ${path}`);
    if (this.deps.staticDir !== undefined) return serveStatic(this.deps.staticDir, req, res, path);
    return sendError(res, 404, "NOT_FOUND", "no static files configured (http.staticDir)");
  }

  private async city(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers["if-none-match"] === this.cityEtag) {
      res.writeHead(304, { etag: this.cityEtag });
      res.end();
      return;
    }
    const gzip = acceptsGzip(req);
    const body = gzip ? await (this.cityGzip ??= gzipAsync(this.deps.cityJson)) : this.deps.cityJson;
    res.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": body.length,
      etag: this.cityEtag,
      vary: "accept-encoding",
      "cache-control": "no-cache",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  private latest(): LatestReading[] {
    const out: LatestReading[] = [];
    const { registry, hotStore } = this.deps;
    for (const s of registry.sensors) {
      const l = hotStore.latest(s.index);
      if (l !== undefined)
        out.push({ sensorId: s.sensorId, ts: l.ts, value: l.value, quality: l.quality, level: l.level });
    }
    return out;
  }

  private async history(
    req: IncomingMessage,
    res: ServerResponse,
    sensorId: string,
    url: URL,
  ): Promise<void> {
    const sensor = this.deps.registry.sensorsById.get(sensorId);
    if (sensor === undefined) return sendError(res, 404, "NOT_FOUND", `unknown sensor ${sensorId}`);
    const now = this.deps.now();
    const to = intParam(url, "to", now);
    const from = intParam(url, "from", (to ?? now) - 3600_000);
    if (to === undefined || from === undefined || from > to) {
      return sendError(res, 400, "BAD_REQUEST", "from and to must be integer ms with from <= to");
    }
    const oldest = this.deps.hotStore.oldestTs(sensor.index);
    const v1 = this.deps.influxV1;
    // The range reaches before what the hot store holds (ring wrapped, or data from before start).
    if (v1 !== undefined && (oldest === undefined || from < oldest)) {
      try {
        const points = await queryV1History(v1, sensor.domain, sensorId, from, to, HISTORY_LIMIT);
        const body: HistoryResponse = { sensorId, source: "influxdb", points };
        return sendJson(res, 200, body, req);
      } catch (err) {
        this.deps.logger.warn({ err, sensorId }, "history query failed, serving hot store");
      }
    }
    let points: HistoryPoint[] = this.deps.hotStore.range(sensor.index, from, to);
    if (points.length > HISTORY_LIMIT) points = points.slice(-HISTORY_LIMIT);
    const body: HistoryResponse = { sensorId, source: "hot", points };
    sendJson(res, 200, body, req);
  }
}

function intParam(url: URL, name: string, fallback: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Whether every %-escape in the path is valid UTF-8 (RFC 3986 §2.1), i.e. decodeURIComponent succeeds. */
function decodablePath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
