/**
 * Gateway credential checks for the broker. In secure mode the MQTT password is verified
 * against the gateway's scrypt hash; successful verifications are cached for `CACHE_TTL_MS`
 * (keyed by id and a SHA-256 of the password, never the password itself) because scrypt is
 * deliberately slow and reconnect storms would otherwise pin the CPU.
 */
import { createHash } from "node:crypto";
import { verifySecret } from "../config/secret";

const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX = 10_000;

export type AuthVerdict = "ok" | "unknown-gateway" | "bad-password" | "no-credentials";

export class GatewayAuthenticator {
  private readonly cache = new Map<string, number>();

  constructor(
    private readonly mode: "secure" | "demo",
    private readonly hashes: ReadonlyMap<string, string>,
    /** Gateway ids accepted in demo mode (credentials and the city model's gateways). */
    private readonly known: ReadonlySet<string>,
    private readonly now: () => number,
  ) {}

  async check(username: string | undefined, password: Buffer | undefined): Promise<AuthVerdict> {
    if (username === undefined || username === "") return "no-credentials";
    if (this.mode === "demo")
      return this.known.has(username) || this.hashes.has(username) ? "ok" : "unknown-gateway";
    const hash = this.hashes.get(username);
    if (hash === undefined) return "unknown-gateway";
    if (password === undefined) return "no-credentials";
    const key = `${username}\0${createHash("sha256").update(password).digest("base64")}`;
    const t = this.now();
    const until = this.cache.get(key);
    if (until !== undefined && until > t) return "ok";
    const ok = await verifySecret(password.toString("utf8"), hash);
    if (!ok) return "bad-password";
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, t + CACHE_TTL_MS);
    return "ok";
  }
}
