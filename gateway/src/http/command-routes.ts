/**
 * Remote operations from the platform (docs/edge-remote-ops.md), operator role:
 *
 *   POST /api/gateways/{gatewayId}/commands/{name}   body CommandRequest {target?, args, timeoutMs?}
 *     200 CommandResult (ok true or false with the edge's error code), 504 when the edge did
 *     not answer in time (result code TIMEOUT), 404 for a gateway the platform does not know.
 *
 * The command goes out on `ct/v1/{tenant}/{gw}/cmd/{name}` (QoS 1) through the embedded broker;
 * its result comes back on `…/result` and is matched by id (../commands/client.ts). Every
 * command and its outcome is written to the audit trail (action `command`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { COMMAND_NAMES, commandRequestSchema, type Command } from "@citytwin/model";
import type { AlarmManager } from "../alarms";
import type { OperatorAuthenticator } from "../auth/operators";
import type { CommandClient } from "../commands/client";
import { requirePrincipal } from "./authorize";
import { readJsonBody } from "./request";
import { sendError, sendJson } from "./respond";

const ROUTE = /^\/api\/gateways\/([^/]+)\/commands\/([a-z-]+)$/;

export interface CommandRoutesDeps {
  commands: CommandClient;
  auth: OperatorAuthenticator;
  alarms: AlarmManager;
  knownGateway: (id: string) => boolean;
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
    const gatewayId = decodeURIComponent(m[1] ?? "");
    const name = m[2] ?? "";
    if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
      sendError(res, 404, "NOT_FOUND", `no command ${name}; known: ${COMMAND_NAMES.join(", ")}`);
      return true;
    }
    if (!this.deps.knownGateway(gatewayId)) {
      sendError(res, 404, "NOT_FOUND", `unknown gateway ${gatewayId}`);
      return true;
    }
    const body = await readJsonBody(req, commandRequestSchema);
    if (!body.ok) {
      sendError(res, body.status, body.code, body.message);
      return true;
    }
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
}
