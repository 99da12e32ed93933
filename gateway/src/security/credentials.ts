/**
 * Gateway credentials at run time (docs/security.md, "Gateway credentials and provisioning",
 * "Revocation"): one-time provisioning keys exchanged for a per-gateway secret, rotation and
 * revocation. Only scrypt hashes are kept (credential-store.ts); a generated secret is
 * returned exactly once. Every change reaches the broker's authenticator at once (cached
 * verifications of the id dropped), revocation and rotation close the gateway's live MQTT
 * sessions, and every change is written to the audit trail.
 */
import { randomBytes } from "node:crypto";
import { SEGMENT_ID, type AuditAction } from "@citytwin/model";
import type { Principal } from "../alarms/types";
import { expiryMs } from "../auth/operators";
import type { GatewayAuthenticator } from "../broker/auth";
import { hashSecret, verifySecret } from "../config/secret";
import type { CredentialStore, StoredKey } from "./credential-store";
import type { KeyedLimiter } from "./rate-limit";

/** A provisioning key as the config declares it. */
export interface ConfigKey {
  id: string;
  keyHash: string;
  gatewayId?: string;
  gatewayIdPattern?: string;
  expiresAt?: string | number;
}

export interface CredentialServiceDeps {
  store: CredentialStore;
  configKeys: readonly ConfigKey[];
  authenticator: GatewayAuthenticator;
  /** Closes a gateway's live MQTT sessions; the number closed. */
  disconnect: (gatewayId: string) => number;
  audit: (who: Principal, action: AuditAction, target: string, detail: string) => void;
  /** Told of each gateway id that gets a credential (it becomes a known gateway). */
  onCredential?: (gatewayId: string) => void;
  /** Failed key checks per source address (the HTTP auth-failure budget). */
  failures?: KeyedLimiter;
  now: () => number;
  /** scrypt cost of new hashes (tests lower it). */
  scryptN?: number;
}

export type Refusal = { ok: false; status: number; code: string; message: string; retryAfterS?: number };

export interface Issued {
  gatewayId: string;
  username: string;
  password: string;
}

/** `*` matches any run of id characters; everything else literally. */
export function matchesPattern(pattern: string, id: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRe).join("[A-Za-z0-9_-]*")}$`);
  return re.test(id);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A strong random secret: 32 bytes, base64url (43 characters, no dots). */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export class CredentialService {
  constructor(private readonly deps: CredentialServiceDeps) {}

  private get scrypt(): { N?: number } {
    return this.deps.scryptN === undefined ? {} : { N: this.deps.scryptN };
  }

  /** Issues a one-time key (admin); the key text is in the result only. */
  async issueKey(
    by: Principal,
    spec: { gatewayId?: string; gatewayIdPattern?: string; ttlMs?: number },
  ): Promise<{ id: string; key: string; gatewayId?: string; gatewayIdPattern?: string; expiresAt?: number }> {
    const id = `k-${randomBytes(6).toString("hex")}`;
    const secret = newSecret();
    const at = this.deps.now();
    const stored: StoredKey = {
      id,
      keyHash: await hashSecret(secret, this.scrypt),
      issuedAt: at,
      issuedBy: by.name,
      ...(spec.gatewayId === undefined ? {} : { gatewayId: spec.gatewayId }),
      ...(spec.gatewayIdPattern === undefined ? {} : { gatewayIdPattern: spec.gatewayIdPattern }),
      ...(spec.ttlMs === undefined ? {} : { expiresAt: at + spec.ttlMs }),
    };
    await this.deps.store.addKey(stored);
    const scope = spec.gatewayId ?? `pattern ${spec.gatewayIdPattern ?? "?"}`;
    this.deps.audit(
      by,
      "provisioning_key_issue",
      id,
      `for ${scope}${stored.expiresAt === undefined ? "" : `, expires ${new Date(stored.expiresAt).toISOString()}`}`,
    );
    const { keyHash: _h, issuedAt: _a, issuedBy: _b, ...visible } = stored;
    return { ...visible, key: `${id}.${secret}` };
  }

  private findKey(id: string): ConfigKey | undefined {
    return this.deps.store.key(id) ?? this.deps.configKeys.find((k) => k.id === id);
  }

  /** Exchanges a one-time key for a gateway credential. `from`: the caller's address. */
  async provision(key: string, gatewayId: string, from: string): Promise<Refusal | ({ ok: true } & Issued)> {
    const limiter = this.deps.failures;
    const refuse = (status: number, code: string, message: string): Refusal => ({
      ok: false,
      status,
      code,
      message,
    });
    const limited = (): Refusal => {
      const retryAfterS = Math.max(1, Math.ceil((limiter?.waitMs(from) ?? 1000) / 1000));
      return {
        ...refuse(429, "RATE_LIMITED", `too many failed attempts; retry in ${retryAfterS} s`),
        retryAfterS,
      };
    };
    if (limiter !== undefined && limiter.waitMs(from) > 0) return limited();
    const dot = key.indexOf(".");
    const keyId = dot > 0 ? key.slice(0, dot) : "";
    const found = keyId === "" ? undefined : this.findKey(keyId);
    if (found === undefined) {
      limiter?.take(from);
      return refuse(401, "UNAUTHENTICATED", "unknown or wrong provisioning key");
    }
    if (limiter !== undefined && !limiter.take(from)) return limited();
    if (!(await verifySecret(key.slice(dot + 1), found.keyHash)))
      return refuse(401, "UNAUTHENTICATED", "unknown or wrong provisioning key");
    limiter?.refund(from);
    const t = this.deps.now();
    const used = this.deps.store.usedKey(keyId);
    if (used !== undefined)
      return refuse(
        401,
        "KEY_USED",
        `provisioning key ${keyId} was used at ${new Date(used.usedAt).toISOString()}`,
      );
    const expires = expiryMs(found.expiresAt);
    if (expires !== undefined && t >= expires)
      return refuse(
        401,
        "KEY_EXPIRED",
        `provisioning key ${keyId} expired at ${new Date(expires).toISOString()}`,
      );
    if (!SEGMENT_ID.test(gatewayId))
      return refuse(400, "BAD_REQUEST", "gatewayId: letters, digits, _ or -, 1-64");
    const allowed =
      found.gatewayId !== undefined
        ? found.gatewayId === gatewayId
        : found.gatewayIdPattern !== undefined && matchesPattern(found.gatewayIdPattern, gatewayId);
    if (!allowed)
      return refuse(403, "FORBIDDEN", `provisioning key ${keyId} is not for gateway ${gatewayId}`);
    // Marked used before any await, so a concurrent second use of the key is refused.
    const marking = this.deps.store.markUsed({ id: keyId, usedAt: t, gatewayId });
    const password = newSecret();
    await marking;
    await this.install(gatewayId, password, `provision:${keyId}`);
    this.deps.disconnect(gatewayId); // sessions on a previous credential of this id
    this.deps.audit(
      { name: `provisioning-key:${keyId}`, role: "admin" },
      "gateway_provision",
      gatewayId,
      `credential issued with one-time key ${keyId} from ${from}`,
    );
    return { ok: true, gatewayId, username: gatewayId, password };
  }

  /** Revokes a gateway's credential and closes its sessions; false when it had none. */
  async revoke(by: Principal, gatewayId: string): Promise<{ revoked: boolean; sessionsClosed: number }> {
    const had = this.deps.authenticator.has(gatewayId);
    this.deps.authenticator.revoke(gatewayId);
    const sessionsClosed = this.deps.disconnect(gatewayId);
    await this.deps.store.setGateway({ id: gatewayId, revokedAt: this.deps.now(), via: `revoke:${by.name}` });
    this.deps.audit(
      by,
      "gateway_revoke",
      gatewayId,
      `credential revoked; ${sessionsClosed} MQTT session(s) closed`,
    );
    return { revoked: had, sessionsClosed };
  }

  /** Replaces a gateway's secret (old one stops at once, sessions closed); the new one once. */
  async rotate(by: Principal, gatewayId: string): Promise<Issued & { sessionsClosed: number }> {
    const password = newSecret();
    await this.install(gatewayId, password, `rotate:${by.name}`);
    const sessionsClosed = this.deps.disconnect(gatewayId);
    this.deps.audit(
      by,
      "gateway_rotate",
      gatewayId,
      `credential rotated; ${sessionsClosed} MQTT session(s) closed`,
    );
    return { gatewayId, username: gatewayId, password, sessionsClosed };
  }

  private async install(gatewayId: string, password: string, via: string): Promise<void> {
    const secretHash = await hashSecret(password, this.scrypt);
    await this.deps.store.setGateway({ id: gatewayId, secretHash, issuedAt: this.deps.now(), via });
    this.deps.authenticator.set(gatewayId, secretHash);
    this.deps.onCredential?.(gatewayId);
  }
}
