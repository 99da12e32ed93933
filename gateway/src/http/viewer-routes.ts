/**
 * Routes the twin viewer needs beyond readings and alarms (model/src/viewer-api.ts):
 *
 *   GET /api/session          SessionInfo of the bearer token (demo mode without one: admin "demo")
 *   GET /api/replay?at=<ms>   ReplaySnapshot: hot store while it holds `at`, else InfluxDB 1.x
 *   GET /api/viewer-config    ViewerConfig from the gateway config's `viewer:` section
 *   GET /city-assets/…        static files from `viewer.assetsDir`
 *
 * The /api routes need the viewer role in secure mode (401/403 like the other reads).
 * `/city-assets/` is open like the viewer's own static files: Cesium requests tilesets, tiles
 * and GeoJSON itself, without our bearer header, so deployments must ship only what may be seen.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { levelFor, type LiveReading, type ReplaySnapshot, type ViewerConfig } from "@citytwin/model";
import { bearerToken, type OperatorAuthenticator } from "../auth/operators";
import type { InfluxV1Resolved } from "../config/load";
import type { HotStore } from "../hot-store/hot-store";
import type { DeviceRegistry } from "../ingest/registry";
import { queryV1Replay } from "../influx/v1-replay";
import { authorizeRead, requirePrincipal, type SecurityMode } from "./authorize";
import { sendError, sendJson } from "./respond";
import { serveStatic } from "./static-files";

export const CITY_ASSETS_PREFIX = "/city-assets/";

export interface ViewerRoutesDeps {
  registry: DeviceRegistry;
  hotStore: HotStore;
  influxV1?: InfluxV1Resolved;
  viewerConfig: ViewerConfig;
  /** Absolute directory served at /city-assets/ (gateway config `viewer.assetsDir`). */
  assetsDir?: string;
  auth: OperatorAuthenticator;
  mode: SecurityMode;
  logger: Logger;
  now: () => number;
}

export class ViewerRoutes {
  constructor(private readonly deps: ViewerRoutesDeps) {}

  /** Handles the request if the path is one of ours; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const assets = path.startsWith(CITY_ASSETS_PREFIX);
    if (!assets && path !== "/api/session" && path !== "/api/replay" && path !== "/api/viewer-config")
      return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendError(res, 405, "METHOD_NOT_ALLOWED", `${req.method ?? "?"} is not allowed`);
      return true;
    }
    if (assets) {
      const dir = this.deps.assetsDir;
      if (dir === undefined) sendError(res, 404, "NOT_FOUND", "no city assets configured (viewer.assetsDir)");
      else await serveStatic(dir, req, res, path.slice(CITY_ASSETS_PREFIX.length - 1));
      return true;
    }
    if (path === "/api/session") await this.session(req, res, url);
    else if (!(await authorizeRead(this.deps.auth, this.deps.mode, req, res, url))) return true;
    else if (path === "/api/viewer-config") sendJson(res, 200, this.deps.viewerConfig, req);
    else await this.replay(req, res, url);
    return true;
  }

  private async session(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { auth, mode } = this.deps;
    if (mode === "demo" && bearerToken(req.headers.authorization, url) === undefined)
      return sendJson(res, 200, { name: "demo", role: "admin", mode });
    const who = await requirePrincipal(auth, req, res, url, "viewer");
    if (who !== undefined) sendJson(res, 200, { name: who.name, role: who.role, mode });
  }

  private async replay(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = url.searchParams.get("at");
    const requested = raw === null || raw.trim() === "" ? NaN : Number(raw);
    if (!Number.isSafeInteger(requested) || requested < 0)
      return sendError(res, 400, "BAD_REQUEST", "at must be a non-negative integer ms timestamp");
    const at = Math.min(requested, this.deps.now());
    const hotFrom = this.deps.hotStore.hotFrom();
    const v1 = this.deps.influxV1;
    if (v1 !== undefined && (hotFrom === undefined || at < hotFrom)) {
      try {
        const body: ReplaySnapshot = { at, source: "influxdb", readings: await this.fromInflux(v1, at) };
        if (hotFrom !== undefined) body.hotFrom = hotFrom;
        return sendJson(res, 200, body, req);
      } catch (err) {
        this.deps.logger.warn({ err, at }, "replay query failed, serving the hot store");
      }
    }
    const body: ReplaySnapshot = { at, source: "hot", readings: this.fromHotStore(at) };
    if (hotFrom !== undefined) body.hotFrom = hotFrom;
    sendJson(res, 200, body, req);
  }

  private fromHotStore(at: number): LiveReading[] {
    const out: LiveReading[] = [];
    const { registry, hotStore } = this.deps;
    for (const s of registry.sensors) {
      const p = hotStore.atOrBefore(s.index, at);
      if (p !== undefined) out.push([s.sensorId, p.ts, p.value, p.quality, p.level]);
    }
    return out;
  }

  private async fromInflux(v1: InfluxV1Resolved, at: number): Promise<LiveReading[]> {
    const points = await queryV1Replay(v1, at);
    const out: LiveReading[] = [];
    for (const s of this.deps.registry.sensors) {
      const p = points.get(s.sensorId);
      if (p === undefined) continue;
      const [ts, value, quality] = p;
      // As at ingest (ingest/validate.ts): only a good or uncertain number has a level.
      const trusted = value !== null && (quality === "good" || quality === "uncertain");
      out.push([s.sensorId, ts, value, quality, trusted ? levelFor(s.thresholds, value) : "normal"]);
    }
    return out;
  }
}
