/**
 * Remote operations from the platform (docs/edge-remote-ops.md), operator role:
 *
 *   POST /api/gateways/{gatewayId}/commands/{name}   body CommandRequest {target?, args, timeoutMs?}
 *     200 CommandResult (ok true or false with the edge's error code), 504 when the edge did
 *     not answer in time (result code TIMEOUT), 404 for a gateway the platform does not know.
 *
 * The command goes out on `ct/v1/{tenant}/{gw}/cmd/{name}` (QoS 1) through the embedded broker;
 * its result comes back on `…/result` and is matched by id (../commands/client.ts). Every
 * command and its outcome is written to the audit trail (action `command`). A refused request
 * (unknown command or gateway, bad body) is answered with its 4xx, counted in
 * `citytwin_command_requests_rejected_total{code}` and dead-lettered (reason COMMAND_INVALID).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { COMMAND_NAMES, commandRequestSchema, type Command } from "@citytwin/model";
import type { AlarmManager } from "../alarms";
import type { OperatorAuthenticator } from "../auth/operators";
import type { CommandClient } from "../commands/client";
import type { DeadLetters } from "../ingest/dead-letters";
import type { GatewayMetrics } from "../metrics";
import { requirePrincipal } from "./authorize";
import { readJsonBody } from "./request";
import { sendError, sendJson } from "./respond";

const ROUTE = /^\/api\/gateways\/([^/]+)\/commands\/([a-z-]+)$/;

export interface CommandRoutesDeps {
  commands: CommandClient;
  auth: OperatorAuthenticator;
  alarms: AlarmManager;
  knownGateway: (id: string) => boolean;
  deadLetters: DeadLetters;
  metrics: GatewayMetrics;
}

export class CommandRoutes {
  constructor(private readonly deps: CommandRoutesDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = ROUTE.exec(url.pathname);
    if (m === null) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendError(res, 405, "METHOD_NOT_ALLOWED", "POST a CommandRequest");
      return true;
    }
    const who = await requirePrincipal(this.deps.auth, req, res, url, "operator");
    if (who === undefined) return true;
    const gatewayId = decodeURIComponent(m[1] ?? ""); // the path decodes: Api.handle checked it
    const name = m[2] ?? "";
    if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
      return this.refuse(
        res,
        url,
        404,
        "NOT_FOUND",
        `no command ${name}; known: ${COMMAND_NAMES.join(", ")}`,
      );
    }
    if (!this.deps.knownGateway(gatewayId)) {
      return this.refuse(res, url, 404, "NOT_FOUND", `unknown gateway ${gatewayId}`);
    }
    const body = await readJsonBody(req, commandRequestSchema);
    if (!body.ok) return this.refuse(res, url, body.status, body.code, body.message);
    const result = await this.deps.commands.send(gatewayId, name as Command["name"], {
      ...body.value,
      issuedBy: who.name,
    });
    const target = body.value.target?.deviceId ?? gatewayId;
    const outcome = result.ok ? "ok" : `${result.error?.code ?? "FAILED"}: ${result.error?.message ?? ""}`;
    this.deps.alarms.recordAudit(
      who,
      "command",
      target,
      `${name} ${JSON.stringify(body.value.args)} → ${outcome}`,
    );
    sendJson(res, result.ok || result.error?.code !== "TIMEOUT" ? 200 : 504, result, req);
    return true;
  }

  /** Answers a refused command request, counts it and dead-letters it; true (handled). */
  private refuse(res: ServerResponse, url: URL, status: number, code: string, message: string): true {
    this.deps.metrics.commandRequestsRejected.inc({ code });
    this.deps.deadLetters.add({
      at: Date.now(),
      reason: "COMMAND_INVALID",
      message: `${status} ${code}: ${message}`,
      topic: url.pathname,
      count: 1,
    });
    sendError(res, status, code, message);
    return true;
  }
}
