/**
 * Token buckets (docs/security.md, "Rate limits"). A bucket holds up to `burst` tokens and
 * refills at `ratePerS`; `take()` spends one when there is one. `reserve()` always spends one,
 * letting the level go negative, and says how long the caller must wait for it to be covered:
 * the per-client message limit delays (pauses) instead of refusing.
 *
 * `KeyedLimiter` keeps one bucket per key (a source IP, a client) and forgets full ones, so an
 * attacker cycling keys costs at most `maxKeys` small objects.
 */

export interface BucketSpec {
  /** Tokens added per second. */
  ratePerS: number;
  /** Bucket size (the burst allowed after idling). */
  burst: number;
}

export class TokenBucket {
  private level: number;
  private at: number;

  constructor(
    private readonly spec: BucketSpec,
    now: number,
  ) {
    this.level = spec.burst;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.level = Math.min(this.spec.burst, this.level + ((now - this.at) / 1000) * this.spec.ratePerS);
      this.at = now;
    }
  }

  /** Spends a token if one is there. */
  take(now: number): boolean {
    this.refill(now);
    if (this.level < 1) return false;
    this.level -= 1;
    return true;
  }

  /** Spends a token now or in the future; the wait in ms until it is covered (0: none). */
  reserve(now: number): number {
    this.refill(now);
    this.level -= 1;
    return this.level >= 0 ? 0 : Math.ceil((-this.level / this.spec.ratePerS) * 1000);
  }

  /** Gives a token back (a reserved attempt turned out not to count). */
  refund(now: number): void {
    this.refill(now);
    this.level = Math.min(this.spec.burst, this.level + 1);
  }

  /** Milliseconds until a token is there (0 when one is). */
  waitMs(now: number): number {
    this.refill(now);
    return this.level >= 1 ? 0 : Math.ceil(((1 - this.level) / this.spec.ratePerS) * 1000);
  }

  full(now: number): boolean {
    this.refill(now);
    return this.level >= this.spec.burst;
  }
}

export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly spec: BucketSpec,
    private readonly now: () => number,
    private readonly maxKeys = 50_000,
  ) {}

  private bucket(key: string): TokenBucket {
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) this.sweep();
      b = new TokenBucket(this.spec, this.now());
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Drops full buckets (they equal fresh ones); if none is full, the oldest half. */
  private sweep(): void {
    const t = this.now();
    for (const [k, b] of this.buckets) if (b.full(t)) this.buckets.delete(k);
    if (this.buckets.size < this.maxKeys) return;
    let n = Math.floor(this.buckets.size / 2);
    for (const k of this.buckets.keys()) {
      if (n-- <= 0) break;
      this.buckets.delete(k);
    }
  }

  take(key: string): boolean {
    return this.bucket(key).take(this.now());
  }

  reserve(key: string): number {
    return this.bucket(key).reserve(this.now());
  }

  refund(key: string): void {
    this.buckets.get(key)?.refund(this.now());
  }

  waitMs(key: string): number {
    return this.buckets.get(key)?.waitMs(this.now()) ?? 0;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Limits from the config's `limits` section (defaults in config/schema.ts). */
export interface RateLimits {
  /** MQTT CONNECTs (TCP or WebSocket connections) per source IP per second, and burst. */
  connectsPerSecond: number;
  connectBurst: number;
  /** Failed MQTT logins per source IP per minute (also the burst); scrypt runs only within it. */
  mqttAuthFailuresPerMinute: number;
  /** Failed HTTP bearer-token or provisioning-key checks per source IP per minute (also the burst). */
  httpAuthFailuresPerMinute: number;
  /** PUBLISH packets per MQTT client per second, and burst; past it the client is paused. */
  messagesPerSecond: number;
  messageBurst: number;
}

/** The peer address of a socket, IPv4-mapped IPv6 folded to IPv4. */
export function peerIp(address: string | undefined): string {
  if (address === undefined) return "unknown";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
