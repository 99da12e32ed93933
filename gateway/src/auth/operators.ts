/**
 * Operator authentication for the HTTP API and `/live`. Operators present a bearer token
 * `<name>.<secret>` (HTTP `Authorization: Bearer …`; WebSocket `?token=` because browsers
 * cannot set headers on a WebSocket). The config holds only the secret's scrypt hash
 * (`operators[].tokenHash`, made with gateway/src/hash-secret.ts). Successful verifications
 * are cached for `CACHE_TTL_MS` keyed by a SHA-256 of the token, never the token itself;
 * failures are cached briefly so a client retrying a bad token cannot pin the CPU on scrypt.
 *
 * Roles are ordered viewer < operator < admin; `allows(principal, needed)` compares ranks.
 *
 * Expiry and brute force (docs/security.md, "Operator tokens", "Rate limits"): a credential
 * may carry `expiresAt`; a token whose secret is right but whose credential has expired gets
 * code TOKEN_EXPIRED (a wrong secret never learns whether the name exists or has expired).
 * With a `failures` limiter and the caller's address, failed checks spend the address's budget
 * and scrypt runs only while budget is left (the token is reserved first and refunded on
 * success); an empty budget answers RATE_LIMITED with the seconds until the next try.
 */
import { createHash } from "node:crypto";
import type { Role } from "@citytwin/model";
import type { Principal } from "../alarms/types";
import { verifySecret } from "../config/secret";
import type { KeyedLimiter } from "../security/rate-limit";

const CACHE_TTL_MS = 10 * 60_000;
const FAILURE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

export type { Principal };

export interface OperatorCredential {
  name: string;
  role: Role;
  tokenHash: string;
  /** When the token stops working: ISO 8601 date-time or ms since the epoch; absent: never. */
  expiresAt?: string | number;
}

export type AuthFailureCode = "UNAUTHENTICATED" | "TOKEN_EXPIRED" | "RATE_LIMITED";

export type AuthResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      code: AuthFailureCode;
      message: string;
      /** RATE_LIMITED: seconds to wait. */ retryAfterS?: number;
    };

export interface OperatorAuthOptions {
  /** Failed checks per source address (http `limits.httpAuthFailuresPerMinute`). */
  failures?: KeyedLimiter;
  /** Told of each answer RATE_LIMITED (a metric). */
  onRateLimited?: () => void;
}

/** `expiresAt` in ms since the epoch; undefined for none (or an unparseable text, refused by the schema). */
export function expiryMs(expiresAt: string | number | undefined): number | undefined {
  if (expiresAt === undefined) return undefined;
  if (typeof expiresAt === "number") return expiresAt;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? undefined : ms;
}

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
  private readonly expiries: ReadonlyMap<string, number>;
  private readonly cache = new Map<string, { until: number; principal?: Principal }>();

  constructor(
    operators: readonly OperatorCredential[],
    private readonly now: () => number,
    private readonly opts: OperatorAuthOptions = {},
  ) {
    this.byName = new Map(operators.map((o) => [o.name, o]));
    const expiries = new Map<string, number>();
    for (const o of operators) {
      const ms = expiryMs(o.expiresAt);
      if (ms !== undefined) expiries.set(o.name, ms);
    }
    this.expiries = expiries;
  }

  get size(): number {
    return this.byName.size;
  }

  /**
   * Checks a token. `from` (the caller's address) enables the failure budget: without it, or
   * without a limiter, nothing is rate limited (in-process callers, the MQTT login, which has
   * its own per-IP budget in the broker).
   */
  async verify(token: string | undefined, from?: string): Promise<AuthResult> {
    const limiter = from === undefined ? undefined : this.opts.failures;
    const fail = (message: string): AuthResult => {
      if (limiter !== undefined && from !== undefined) limiter.take(from);
      return { ok: false, code: "UNAUTHENTICATED", message };
    };
    if (token === undefined || token === "")
      return { ok: false, code: "UNAUTHENTICATED", message: "a bearer token is required" };
    if (limiter !== undefined && from !== undefined && limiter.waitMs(from) > 0)
      return this.limited(limiter, from);
    const parts = splitToken(token);
    if (parts === undefined) return fail("malformed token (expected <name>.<secret>)");
    const cred = this.byName.get(parts.name);
    if (cred === undefined) return fail("unknown operator or wrong token");
    const key = createHash("sha256").update(token).digest("base64");
    const t = this.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.until > t) {
      return hit.principal !== undefined
        ? this.unexpired(hit.principal, t)
        : fail("unknown operator or wrong token");
    }
    // Reserve budget before scrypt; refunded when the token turns out right.
    if (limiter !== undefined && from !== undefined && !limiter.take(from))
      return this.limited(limiter, from);
    const ok = await verifySecret(parts.secret, cred.tokenHash);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    if (!ok) {
      this.cache.set(key, { until: t + FAILURE_TTL_MS });
      return { ok: false, code: "UNAUTHENTICATED", message: "unknown operator or wrong token" };
    }
    if (limiter !== undefined && from !== undefined) limiter.refund(from);
    const principal: Principal = { name: cred.name, role: cred.role };
    this.cache.set(key, { until: t + CACHE_TTL_MS, principal });
    return this.unexpired(principal, t);
  }

  private unexpired(principal: Principal, t: number): AuthResult {
    const expires = this.expiries.get(principal.name);
    if (expires !== undefined && t >= expires)
      return {
        ok: false,
        code: "TOKEN_EXPIRED",
        message: `the token of ${principal.name} expired at ${new Date(expires).toISOString()}`,
      };
    return { ok: true, principal };
  }

  private limited(limiter: KeyedLimiter, from: string): AuthResult {
    this.opts.onRateLimited?.();
    const retryAfterS = Math.max(1, Math.ceil(limiter.waitMs(from) / 1000));
    return {
      ok: false,
      code: "RATE_LIMITED",
      message: `too many failed authentications from this address; retry in ${retryAfterS} s`,
      retryAfterS,
    };
  }
}

/** The only path that takes `?token=`: browsers cannot set headers on a WebSocket. */
export const QUERY_TOKEN_PATH = "/live";

/**
 * The bearer token of a request: `Authorization: Bearer <t>`; on `/live` only, else
 * `?token=<t>`. Elsewhere a query token is ignored: URLs end up in proxy and access logs.
 */
export function bearerToken(authorization: string | undefined, url: URL): string | undefined {
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m?.[1];
  }
  return url.pathname === QUERY_TOKEN_PATH ? (url.searchParams.get("token") ?? undefined) : undefined;
}
