/**
 * Gateway credentials over HTTP (docs/security.md, "Gateway credentials and provisioning",
 * "Revocation"):
 *
 *   POST /api/provision                  body {key, gatewayId}; no bearer token (the one-time key
 *     is the credential) → 200 {gatewayId, username, password} once; 401 UNAUTHENTICATED /
 *     KEY_USED / KEY_EXPIRED, 403 for a gateway id the key is not for, 429 (Retry-After) when
 *     the address spent its failure budget.
 *   POST /api/provisioning-keys          admin; body {gatewayId | gatewayIdPattern, ttlMs?}
 *     → 201 {id, key, …} (the key is shown once).
 *   POST /api/gateways/{id}/revoke       admin → 200 {gatewayId, revoked, sessionsClosed}
 *   POST /api/gateways/{id}/rotate       admin → 200 {gatewayId, username, password, sessionsClosed}
 *
 * Responses carrying a secret are `cache-control: no-store` (sendJson always sets it).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { segmentIdSchema } from "@citytwin/model";
import { z } from "zod";
import type { OperatorAuthenticator } from "../auth/operators";
import type { CredentialService } from "../security/credentials";
import { peerIp } from "../security/rate-limit";
import { requirePrincipal } from "./authorize";
import { readJsonBody } from "./request";
import { sendError, sendJson } from "./respond";

const GATEWAY_ROUTE = /^\/api\/gateways\/([^/]+)\/(revoke|rotate)$/;

const provisionSchema = z.object({ key: z.string().min(1).max(512), gatewayId: segmentIdSchema }).strict();
const keyRequestSchema = z
  .object({
    gatewayId: segmentIdSchema.optional(),
    gatewayIdPattern: z
      .string()
      .regex(/^[A-Za-z0-9_*-]{1,64}$/)
      .optional(),
    ttlMs: z
      .number()
      .int()
      .positive()
      .max(365 * 24 * 3600_000)
      .optional(),
  })
  .strict()
  .refine((k) => (k.gatewayId === undefined) !== (k.gatewayIdPattern === undefined), {
    message: "set exactly one of gatewayId and gatewayIdPattern",
  });

export interface SecurityRoutesDeps {
  credentials: CredentialService;
  auth: OperatorAuthenticator;
}

export class SecurityRoutes {
  constructor(private readonly deps: SecurityRoutesDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const m = GATEWAY_ROUTE.exec(path);
    if (path !== "/api/provision" && path !== "/api/provisioning-keys" && m === null) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendError(res, 405, "METHOD_NOT_ALLOWED", "POST only");
      return true;
    }
    if (path === "/api/provision") await this.provision(req, res);
    else if (path === "/api/provisioning-keys") await this.issueKey(req, res, url);
    else if (m !== null) await this.gateway(req, res, url, decodeURIComponent(m[1] ?? ""), m[2] ?? "");
    return true;
  }

  private async provision(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, provisionSchema);
    if (!body.ok) return sendError(res, body.status, body.code, body.message);
    const r = await this.deps.credentials.provision(
      body.value.key,
      body.value.gatewayId,
      peerIp(req.socket.remoteAddress),
    );
    if (!r.ok) {
      if (r.retryAfterS !== undefined) res.setHeader("retry-after", String(r.retryAfterS));
      return sendError(res, r.status, r.code, r.message);
    }
    sendJson(res, 200, { gatewayId: r.gatewayId, username: r.username, password: r.password });
  }

  private async issueKey(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const who = await requirePrincipal(this.deps.auth, req, res, url, "admin");
    if (who === undefined) return;
    const body = await readJsonBody(req, keyRequestSchema);
    if (!body.ok) return sendError(res, body.status, body.code, body.message);
    sendJson(res, 201, await this.deps.credentials.issueKey(who, body.value));
  }

  private async gateway(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    gatewayId: string,
    action: string,
  ): Promise<void> {
    const who = await requirePrincipal(this.deps.auth, req, res, url, "admin");
    if (who === undefined) return;
    if (!segmentIdSchema.safeParse(gatewayId).success)
      return sendError(res, 400, "BAD_REQUEST", "gateway id: letters, digits, _ or -, 1-64");
    if (action === "revoke") {
      const r = await this.deps.credentials.revoke(who, gatewayId);
      return sendJson(res, 200, { gatewayId, ...r });
    }
    sendJson(res, 200, await this.deps.credentials.rotate(who, gatewayId));
  }
}
