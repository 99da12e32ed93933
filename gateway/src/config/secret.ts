/**
 * Per-gateway MQTT secrets are stored only as scrypt hashes [RFC 7914]:
 *
 *   scrypt$<N>$<r>$<p>$<saltB64>$<hashB64>
 *
 * Verification is constant-time (`timingSafeEqual`) and runs off the event loop
 * (async `crypto.scrypt`); callers cache successful verifications because scrypt is slow
 * by design.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

const DEFAULT_N = 16384;
const DEFAULT_R = 8;
const DEFAULT_P = 1;
const KEY_LEN = 32;
const SALT_LEN = 16;

export const SECRET_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

export function parseSecretHash(text: string): ParsedHash | undefined {
  const m = SECRET_HASH.exec(text);
  if (m === null) return undefined;
  const [, n, r, p, salt, hash] = m;
  const N = Number(n);
  // N must be a power of two > 1 [RFC 7914 §2].
  if (!(N > 1 && (N & (N - 1)) === 0) || Number(r) < 1 || Number(p) < 1) return undefined;
  return {
    N,
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt ?? "", "base64"),
    hash: Buffer.from(hash ?? "", "base64"),
  };
}

function derive(secret: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  const N = opts.N ?? DEFAULT_N;
  const r = opts.r ?? DEFAULT_R;
  // scrypt needs 128·N·r bytes; raise maxmem above Node's 32 MiB default when asked for more.
  const maxmem = Math.max(64 * 1024 * 1024, 256 * N * r);
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keyLen, { ...opts, maxmem }, (err, key) =>
      err === null ? resolve(key) : reject(err),
    );
  });
}

/** Hashes a secret with a fresh random salt. */
export async function hashSecret(
  secret: string,
  opts: { N?: number; r?: number; p?: number } = {},
): Promise<string> {
  const N = opts.N ?? DEFAULT_N;
  const r = opts.r ?? DEFAULT_R;
  const p = opts.p ?? DEFAULT_P;
  const salt = randomBytes(SALT_LEN);
  const key = await derive(secret, salt, KEY_LEN, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** True when `secret` matches `hash`; false for a wrong secret or a malformed hash. */
export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  const parsed = parseSecretHash(hash);
  if (parsed === undefined || parsed.hash.length === 0) return false;
  const key = await derive(secret, parsed.salt, parsed.hash.length, {
    N: parsed.N,
    r: parsed.r,
    p: parsed.p,
  });
  return timingSafeEqual(key, parsed.hash);
}
