/**
 * Alarm, incident and audit routes of the HTTP API (docs/alarms.md). Reads need the viewer
 * role (open in demo mode); every action needs a token, and the alarm manager checks the role
 * (operator or admin), so the audit trail always names a person.
 *
 *   GET  /api/alarms?state=&level=&asset=&active=1&limit=   { alarms, stats }
 *   GET  /api/alarms/{id}                                    Alarm
 *   POST /api/alarms/{id}/ack              {comment?}        Alarm
 *   POST /api/alarms/{id}/shelve           {durationS, reason}
 *   POST /api/alarms/{id}/unshelve
 *   POST /api/alarms/{id}/out-of-service   {reason}
 *   POST /api/alarms/{id}/return-to-service
 *   POST /api/alarms/{id}/incident                           Incident (opens, or joins the asset's)
 *   POST /api/assets/{id}/maintenance      {on, reason?}
 *   GET  /api/incidents?state=&asset=&open=1&limit=          { incidents }
 *   GET  /api/incidents/{id}                                 Incident
 *   POST /api/incidents/{id}/dispatch      {assignee}
 *   POST /api/incidents/{id}/handle
 *   POST /api/incidents/{id}/close         {text}
 *   POST /api/incidents/{id}/note          {text}
 *   GET  /api/audit?since=&limit=                            { entries }
 * Results map onto statuses: NOT_FOUND 404, FORBIDDEN 403, INVALID_STATE 409, BAD_REQUEST 400;
 * a missing or wrong token is 401.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import {
  ALARM_STATES,
  INCIDENT_STATES,
  LEVELS,
  assignRequestSchema,
  noteRequestSchema,
  reasonRequestSchema,
  shelveRequestSchema,
} from "@citytwin/model";
import type { ActionResult, AlarmManager } from "../alarms";
import { bearerToken, type OperatorAuthenticator, type Principal } from "../auth/operators";
import { requirePrincipal } from "./authorize";
import { readJsonBody } from "./request";
import { sendError, sendJson } from "./respond";

const ACTION_STATUS = { NOT_FOUND: 404, FORBIDDEN: 403, INVALID_STATE: 409, BAD_REQUEST: 400 } as const;
const ROUTE = /^\/api\/(alarms|incidents|assets)\/([^/]+)(?:\/([a-z-]+))?$/;

const ackSchema = z.object({ comment: z.string().max(500).optional() }).strict();
const emptySchema = z.object({}).strict();
const maintenanceSchema = z.object({ on: z.boolean(), reason: z.string().max(500).optional() }).strict();

export interface AlarmRoutesDeps {
  alarms: AlarmManager;
  auth: OperatorAuthenticator;
  mode: "secure" | "demo";
}

export class AlarmRoutes {
  constructor(private readonly deps: AlarmRoutesDeps) {}

  /** Handles the request if the path is one of ours; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const isList = path === "/api/alarms" || path === "/api/incidents" || path === "/api/audit";
    const m = isList ? null : ROUTE.exec(path);
    if (!isList && m === null) return false;
    const post = req.method === "POST";
    if (!post && req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD, POST");
      sendError(res, 405, "METHOD_NOT_ALLOWED", `${req.method ?? "?"} is not allowed`);
      return true;
    }
    let who: Principal | undefined;
    const hasToken = bearerToken(req.headers.authorization, url) !== undefined;
    if (hasToken || post || this.deps.mode === "secure") {
      who = await requirePrincipal(this.deps.auth, req, res, url, "viewer");
      if (who === undefined) return true;
    }
    if (isList) {
      if (post) sendError(res, 405, "METHOD_NOT_ALLOWED", "POST to an item's action instead");
      else this.list(req, res, path, url);
      return true;
    }
    const [, collection, rawId, action] = m as RegExpExecArray;
    const id = decodeURIComponent(rawId ?? "");
    if (!post) {
      if (action !== undefined || collection === "assets")
        sendError(res, 404, "NOT_FOUND", `no route ${path}`);
      else this.item(req, res, collection === "alarms" ? "alarm" : "incident", id);
      return true;
    }
    if (who === undefined || action === undefined) {
      sendError(res, 404, "NOT_FOUND", `no route ${path}`);
      return true;
    }
    await this.act(req, res, collection ?? "", id, action, who);
    return true;
  }

  private list(req: IncomingMessage, res: ServerResponse, path: string, url: URL): void {
    const q = url.searchParams;
    const limit = q.get("limit") === null ? undefined : Number(q.get("limit"));
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
      return sendError(res, 400, "BAD_REQUEST", "limit must be a positive integer");
    const { alarms } = this.deps;
    if (path === "/api/audit") {
      const since = q.get("since") === null ? undefined : Number(q.get("since"));
      if (since !== undefined && !Number.isInteger(since))
        return sendError(res, 400, "BAD_REQUEST", "since must be an integer audit seq");
      return sendJson(res, 200, { entries: alarms.audit({ sinceSeq: since, limit }) }, req);
    }
    const state = q.get("state") ?? undefined;
    if (path === "/api/incidents") {
      if (state !== undefined && !(INCIDENT_STATES as readonly string[]).includes(state))
        return sendError(res, 400, "BAD_REQUEST", `state must be one of ${INCIDENT_STATES.join(", ")}`);
      const incidents = alarms.incidents({
        state: state as (typeof INCIDENT_STATES)[number] | undefined,
        assetId: q.get("asset") ?? undefined,
        openOnly: q.get("open") === "1",
        limit,
      });
      return sendJson(res, 200, { incidents }, req);
    }
    const level = q.get("level") ?? undefined;
    if (state !== undefined && !(ALARM_STATES as readonly string[]).includes(state))
      return sendError(res, 400, "BAD_REQUEST", `state must be one of ${ALARM_STATES.join(", ")}`);
    if (level !== undefined && !(LEVELS as readonly string[]).includes(level))
      return sendError(res, 400, "BAD_REQUEST", `level must be one of ${LEVELS.join(", ")}`);
    const list = alarms.alarms({
      state: state as (typeof ALARM_STATES)[number] | undefined,
      level: level as (typeof LEVELS)[number] | undefined,
      assetId: q.get("asset") ?? undefined,
      activeOnly: q.get("active") === "1",
      limit,
    });
    sendJson(res, 200, { alarms: list, stats: alarms.stats() }, req);
  }

  private item(req: IncomingMessage, res: ServerResponse, what: "alarm" | "incident", id: string): void {
    const found = what === "alarm" ? this.deps.alarms.alarm(id) : this.deps.alarms.incident(id);
    if (found === undefined) return sendError(res, 404, "NOT_FOUND", `no ${what} ${id}`);
    sendJson(res, 200, found, req);
  }

  private async act(
    req: IncomingMessage,
    res: ServerResponse,
    collection: string,
    id: string,
    action: string,
    who: Principal,
  ): Promise<void> {
    const m = this.deps.alarms;
    const route = `${collection}/${action}`;
    const run = async <B, T>(schema: z.ZodType<B>, fn: (body: B) => Promise<ActionResult<T>>) => {
      const body = await readJsonBody(req, schema);
      if (!body.ok) return sendError(res, body.status, body.code, body.message);
      const result = await fn(body.value);
      if (result.ok) return sendJson(res, 200, result.value, req);
      sendError(res, ACTION_STATUS[result.code], result.code, result.message);
    };
    switch (route) {
      case "alarms/ack":
        return run(ackSchema, (b) => m.acknowledge(id, who, b.comment));
      case "alarms/shelve":
        return run(shelveRequestSchema, (b) => m.shelve(id, who, b));
      case "alarms/unshelve":
        return run(emptySchema, () => m.unshelve(id, who));
      case "alarms/out-of-service":
        return run(reasonRequestSchema, (b) => m.outOfService(id, who, b.reason));
      case "alarms/return-to-service":
        return run(emptySchema, () => m.returnToService(id, who));
      case "alarms/incident":
        return run(emptySchema, () => m.openIncident(id, who));
      case "assets/maintenance":
        return run(maintenanceSchema, (b) => m.setMaintenance(id, b.on, who, b.reason));
      case "incidents/dispatch":
        return run(assignRequestSchema, (b) => m.dispatchIncident(id, who, b.assignee));
      case "incidents/handle":
        return run(emptySchema, () => m.handleIncident(id, who));
      case "incidents/close":
        return run(noteRequestSchema, (b) => m.closeIncident(id, who, b.text));
      case "incidents/note":
        return run(noteRequestSchema, (b) => m.noteIncident(id, who, b.text));
      default:
        return sendError(res, 404, "NOT_FOUND", `no action ${action} on ${collection}`);
    }
  }
}
