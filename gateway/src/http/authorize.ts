/**
 * Bearer-token checks for API routes: answers 401 (no or wrong token, with
 * `www-authenticate`) or 403 (role too low) itself and returns undefined, or returns the
 * caller. Roles: ../auth/operators.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Role } from "@citytwin/model";
import { allows, bearerToken, type OperatorAuthenticator, type Principal } from "../auth/operators";
import { sendError } from "./respond";

export async function requirePrincipal(
  auth: OperatorAuthenticator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  role: Role,
): Promise<Principal | undefined> {
  const result = await auth.verify(bearerToken(req.headers.authorization, url));
  if (!result.ok) {
    res.setHeader("www-authenticate", 'Bearer realm="citytwin"');
    sendError(res, 401, result.code, result.message);
    return undefined;
  }
  if (!allows(result.principal, role)) {
    sendError(res, 403, "FORBIDDEN", `the ${role} role is needed`);
    return undefined;
  }
  return result.principal;
}
