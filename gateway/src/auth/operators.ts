/**
 * Operator authentication for the HTTP API and `/live`. Operators present a bearer token
 * `<name>.<secret>` (HTTP `Authorization: Bearer …`; WebSocket `?token=` because browsers
 * cannot set headers on a WebSocket). The config holds only the secret's scrypt hash
 * (`operators[].tokenHash`, made with gateway/src/hash-secret.ts). Successful verifications
 * are cached for `CACHE_TTL_MS` keyed by a SHA-256 of the token, never the token itself;
 * failures are cached briefly so a client retrying a bad token cannot pin the CPU on scrypt.
 *
 * Roles are ordered viewer < operator < admin; `allows(principal, needed)` compares ranks.
 */
import { createHash } from "node:crypto";
import type { Role } from "@citytwin/model";
import type { Principal } from "../alarms/types";
import { verifySecret } from "../config/secret";

const CACHE_TTL_MS = 10 * 60_000;
const FAILURE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

export type { Principal };

export interface OperatorCredential {
  name: string;
  role: Role;
  tokenHash: string;
}

export type AuthResult =
  { ok: true; principal: Principal } | { ok: false; code: "UNAUTHENTICATED"; message: string };

export function allows(principal: Principal | undefined, needed: Role): boolean {
  return principal !== undefined && ROLE_RANK[principal.role] >= ROLE_RANK[needed];
}

/** `name.secret` → parts; the secret is base64url (no dots), the name has no dots either. */
export function splitToken(token: string): { name: string; secret: string } | undefined {
  const dot = token.indexOf(".");
  if (dot <= 0 || dot === token.length - 1 || token.indexOf(".", dot + 1) !== -1) return undefined;
  return { name: token.slice(0, dot), secret: token.slice(dot + 1) };
}

export class OperatorAuthenticator {
  private readonly byName: ReadonlyMap<string, OperatorCredential>;
  private readonly cache = new Map<string, { until: number; principal?: Principal }>();

  constructor(
    operators: readonly OperatorCredential[],
    private readonly now: () => number,
  ) {
    this.byName = new Map(operators.map((o) => [o.name, o]));
  }

  get size(): number {
    return this.byName.size;
  }

  async verify(token: string | undefined): Promise<AuthResult> {
    const fail = (message: string): AuthResult => ({ ok: false, code: "UNAUTHENTICATED", message });
    if (token === undefined || token === "") return fail("a bearer token is required");
    const parts = splitToken(token);
    if (parts === undefined) return fail("malformed token (expected <name>.<secret>)");
    const cred = this.byName.get(parts.name);
    if (cred === undefined) return fail("unknown operator or wrong token");
    const key = createHash("sha256").update(token).digest("base64");
    const t = this.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.until > t) {
      return hit.principal !== undefined
        ? { ok: true, principal: hit.principal }
        : fail("unknown operator or wrong token");
    }
    const ok = await verifySecret(parts.secret, cred.tokenHash);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    if (!ok) {
      this.cache.set(key, { until: t + FAILURE_TTL_MS });
      return fail("unknown operator or wrong token");
    }
    const principal: Principal = { name: cred.name, role: cred.role };
    this.cache.set(key, { until: t + CACHE_TTL_MS, principal });
    return { ok: true, principal };
  }
}

/** The bearer token of a request: `Authorization: Bearer <t>`, else `?token=<t>` (WebSocket). */
export function bearerToken(authorization: string | undefined, url: URL): string | undefined {
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m?.[1];
  }
  return url.searchParams.get("token") ?? undefined;
}
