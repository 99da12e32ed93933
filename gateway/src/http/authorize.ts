/**
 * Bearer-token checks for API routes and `/live`: answers 401 (no or wrong token, with
 * `www-authenticate`) or 403 (role too low) itself and returns undefined, or returns the
 * caller. Roles: ../auth/operators.ts.
 *
 * Reads (`authorizeRead`): the viewer role or better in secure mode; open in demo mode, where a
 * token that is sent is still checked (as the alarm routes always did). `/metrics`
 * (`authorizeMetrics`): the admin role, or the separate scraper token `metrics.<secret>` whose
 * scrypt hash is `http.metricsTokenHash`; open in demo mode.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Role } from "@citytwin/model";
import {
  allows,
  bearerToken,
  type AuthResult,
  type OperatorAuthenticator,
  type Principal,
} from "../auth/operators";
import { peerIp } from "../security/rate-limit";
import { sendError } from "./respond";

export type SecurityMode = "secure" | "demo";

export async function requirePrincipal(
  auth: OperatorAuthenticator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  role: Role,
): Promise<Principal | undefined> {
  const verdict = await checkBearer(auth, req, url, role);
  if (verdict.ok) return verdict.principal;
  if (verdict.status === 401) res.setHeader("www-authenticate", 'Bearer realm="citytwin"');
  if (verdict.retryAfterS !== undefined) res.setHeader("retry-after", String(verdict.retryAfterS));
  sendError(res, verdict.status, verdict.code, verdict.message);
  return undefined;
}

/** The same check without a response, for WebSocket upgrades and custom answers. */
export type BearerVerdict =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403 | 429; code: string; message: string; retryAfterS?: number };

export async function checkBearer(
  auth: OperatorAuthenticator,
  req: IncomingMessage,
  url: URL,
  role: Role,
): Promise<BearerVerdict> {
  // The caller's address: failed checks spend its budget (429 + Retry-After when spent).
  const from = peerIp(req.socket.remoteAddress);
  const result: AuthResult = await auth.verify(bearerToken(req.headers.authorization, url), from);
  if (!result.ok && result.code === "RATE_LIMITED")
    return {
      ok: false,
      status: 429,
      code: result.code,
      message: result.message,
      retryAfterS: result.retryAfterS,
    };
  if (!result.ok) return { ok: false, status: 401, code: result.code, message: result.message };
  if (!allows(result.principal, role))
    return { ok: false, status: 403, code: "FORBIDDEN", message: `the ${role} role is needed` };
  return { ok: true, principal: result.principal };
}

/** True when the request may read; otherwise the 401/403 has been sent. */
export async function authorizeRead(
  auth: OperatorAuthenticator,
  mode: SecurityMode,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (mode === "demo" && bearerToken(req.headers.authorization, url) === undefined) return true;
  return (await requirePrincipal(auth, req, res, url, "viewer")) !== undefined;
}

/** `/metrics`: admin, or the scraper token checked by `scraper`; open in demo mode. */
export async function authorizeMetrics(
  auth: OperatorAuthenticator,
  scraper: OperatorAuthenticator | undefined,
  mode: SecurityMode,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (mode === "demo") return true;
  if (scraper !== undefined && (await scraper.verify(bearerToken(req.headers.authorization, url))).ok)
    return true;
  return (await requirePrincipal(auth, req, res, url, "admin")) !== undefined;
}
