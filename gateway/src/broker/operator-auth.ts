/**
 * MQTT login of operators: username `op:{name}`, password the full operator token
 * `{name}.{secret}` (the bearer token of the HTTP API). The name in the username must be the
 * name in the token. Checked in every mode: demo mode relaxes gateway logins only.
 */
import type { Principal } from "../alarms/types";
import { splitToken, type OperatorAuthenticator } from "../auth/operators";
import { OPERATOR_USERNAME_PREFIX } from "./acl";

export type OperatorLogin =
  | { ok: true; principal: Principal }
  /** CONNACK 0x04 (bad user name or password) or 0x05 (not authorized). */
  | {
      ok: false;
      returnCode: 4 | 5;
      reason: "no-credentials" | "unknown-operator" | "bad-token" | "token-expired";
    };

export function isOperatorUsername(username: string | undefined): username is string {
  return username !== undefined && username.startsWith(OPERATOR_USERNAME_PREFIX);
}

export async function loginOperator(
  operators: OperatorAuthenticator | undefined,
  username: string,
  password: Buffer | undefined,
): Promise<OperatorLogin> {
  const name = username.slice(OPERATOR_USERNAME_PREFIX.length);
  if (password === undefined || password.length === 0)
    return { ok: false, returnCode: 5, reason: "no-credentials" };
  if (operators === undefined) return { ok: false, returnCode: 4, reason: "unknown-operator" };
  const token = password.toString("utf8");
  if (splitToken(token)?.name !== name) return { ok: false, returnCode: 4, reason: "bad-token" };
  const auth = await operators.verify(token);
  if (!auth.ok)
    return {
      ok: false,
      returnCode: 4,
      reason: auth.code === "TOKEN_EXPIRED" ? "token-expired" : "bad-token",
    };
  return { ok: true, principal: auth.principal };
}
