/**
 * Gateway credential checks for the broker. In secure mode the MQTT password is verified
 * against the gateway's scrypt hash; successful verifications are cached for `CACHE_TTL_MS`
 * (keyed by id and a SHA-256 of the password, never the password itself) because scrypt is
 * deliberately slow and reconnect storms would otherwise pin the CPU.
 *
 * Credentials change at run time (provisioning, rotation, revocation: ../security/): `set`
 * and `revoke` drop the id's cached verifications at once, so a revoked or rotated password
 * stops working on the next CONNECT, not after the cache TTL. A revoked id is refused in demo
 * mode too. `check` takes an `admit` hook called right before scrypt would run; when it says
 * no the verdict is `rate-limited` and no scrypt runs (the broker's per-IP failure budget).
 */
import { createHash } from "node:crypto";
import { verifySecret } from "../config/secret";

const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX = 10_000;

export type AuthVerdict =
  "ok" | "unknown-gateway" | "bad-password" | "no-credentials" | "revoked" | "rate-limited";

export class GatewayAuthenticator {
  private readonly cache = new Map<string, number>();
  private readonly hashes: Map<string, string>;
  private readonly revoked: Set<string>;

  constructor(
    private readonly mode: "secure" | "demo",
    hashes: ReadonlyMap<string, string>,
    /** Gateway ids accepted in demo mode (credentials and the city model's gateways). */
    private readonly known: ReadonlySet<string>,
    private readonly now: () => number,
    revoked: Iterable<string> = [],
  ) {
    this.hashes = new Map(hashes);
    this.revoked = new Set(revoked);
  }

  /** Installs (or replaces) a gateway's credential; its cached verifications are dropped. */
  set(id: string, secretHash: string): void {
    this.hashes.set(id, secretHash);
    this.revoked.delete(id);
    this.forget(id);
  }

  /** Revokes a gateway's credential; its cached verifications are dropped. */
  revoke(id: string): void {
    this.hashes.delete(id);
    this.revoked.add(id);
    this.forget(id);
  }

  has(id: string): boolean {
    return this.hashes.has(id);
  }

  private forget(id: string): void {
    const prefix = `${id}\0`;
    for (const k of this.cache.keys()) if (k.startsWith(prefix)) this.cache.delete(k);
  }

  async check(
    username: string | undefined,
    password: Buffer | undefined,
    admit: () => boolean = () => true,
  ): Promise<AuthVerdict> {
    if (username === undefined || username === "") return "no-credentials";
    if (this.revoked.has(username)) return "revoked";
    if (this.mode === "demo")
      return this.known.has(username) || this.hashes.has(username) ? "ok" : "unknown-gateway";
    const hash = this.hashes.get(username);
    if (hash === undefined) return "unknown-gateway";
    if (password === undefined) return "no-credentials";
    const key = `${username}\0${createHash("sha256").update(password).digest("base64")}`;
    const t = this.now();
    const until = this.cache.get(key);
    if (until !== undefined && until > t) return "ok";
    if (!admit()) return "rate-limited";
    const ok = await verifySecret(password.toString("utf8"), hash);
    // Revoked or rotated while scrypt ran: the old secret no longer counts.
    if (this.hashes.get(username) !== hash) return this.revoked.has(username) ? "revoked" : "bad-password";
    if (!ok) return "bad-password";
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, t + CACHE_TTL_MS);
    return "ok";
  }
}
