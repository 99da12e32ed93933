/**
 * The gateway credentials store (docs/security.md, "Gateway credentials and provisioning"):
 * `<alarms.stateDir>/gateway-credentials.json` (or `provisioning.credentialsFile`), holding
 * only scrypt hashes. It records
 *  - gateway credentials issued by provisioning or rotation, and revocations (an entry without
 *    a hash); merged over the config's `gateways`, the store wins;
 *  - provisioning keys issued over the API (hash only), and which keys (config or API) have
 *    been used: a key works once.
 * Every change is written at once by atomic replace (temp file 0600, fsync, rename), one write
 * at a time. Without a state dir the store lives in memory only (the gateway warns).
 */
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { SECRET_HASH } from "../config/secret";

const storedGatewaySchema = z.object({
  id: z.string().min(1),
  /** Absent when revoked. */
  secretHash: z.string().regex(SECRET_HASH).optional(),
  issuedAt: z.number().optional(),
  revokedAt: z.number().optional(),
  /** How it was issued: `provision:<keyId>`, `rotate:<operator>`. */
  via: z.string().optional(),
});

const storedKeySchema = z.object({
  id: z.string().min(1),
  keyHash: z.string().regex(SECRET_HASH),
  gatewayId: z.string().optional(),
  gatewayIdPattern: z.string().optional(),
  expiresAt: z.number().optional(),
  issuedAt: z.number(),
  issuedBy: z.string(),
});

const usedKeySchema = z.object({ id: z.string().min(1), usedAt: z.number(), gatewayId: z.string() });

const storeFileSchema = z.object({
  version: z.literal(1),
  gateways: z.array(storedGatewaySchema).default([]),
  keys: z.array(storedKeySchema).default([]),
  usedKeys: z.array(usedKeySchema).default([]),
});

export type StoredGateway = z.infer<typeof storedGatewaySchema>;
export type StoredKey = z.infer<typeof storedKeySchema>;
export type UsedKey = z.infer<typeof usedKeySchema>;

export const CREDENTIALS_FILE = "gateway-credentials.json";

/** The store's path for a config: `provisioning.credentialsFile` or `<alarms.stateDir>/…`. */
export function credentialsPath(config: {
  file: string;
  provisioning: { credentialsFile?: string };
  alarms: { stateDir?: string };
}): string | undefined {
  const f = config.provisioning.credentialsFile;
  if (f !== undefined) return resolve(dirname(config.file), f);
  return config.alarms.stateDir === undefined ? undefined : join(config.alarms.stateDir, CREDENTIALS_FILE);
}

export class CredentialStore {
  private readonly gateways = new Map<string, StoredGateway>();
  private readonly keys = new Map<string, StoredKey>();
  private readonly used = new Map<string, UsedKey>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly file: string | undefined) {}

  /** Opens (or starts) the store; a file that cannot be parsed is an error, never silently reset. */
  static async open(file: string | undefined): Promise<CredentialStore> {
    const store = new CredentialStore(file);
    if (file === undefined) return store;
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (text !== undefined) {
      const data = storeFileSchema.parse(JSON.parse(text));
      for (const g of data.gateways) store.gateways.set(g.id, g);
      for (const k of data.keys) store.keys.set(k.id, k);
      for (const u of data.usedKeys) store.used.set(u.id, u);
    }
    return store;
  }

  /** The effective credentials: `config` overlaid by the store (revoked ids left out). */
  effective(config: readonly { id: string; secretHash: string }[]): Map<string, string> {
    const out = new Map(config.map((g) => [g.id, g.secretHash]));
    for (const g of this.gateways.values()) {
      if (g.secretHash === undefined) out.delete(g.id);
      else out.set(g.id, g.secretHash);
    }
    return out;
  }

  /** Ids revoked and not re-issued since. */
  revokedIds(): string[] {
    return [...this.gateways.values()].filter((g) => g.secretHash === undefined).map((g) => g.id);
  }

  gateway(id: string): StoredGateway | undefined {
    return this.gateways.get(id);
  }

  async setGateway(entry: StoredGateway): Promise<void> {
    this.gateways.set(entry.id, entry);
    await this.save();
  }

  key(id: string): StoredKey | undefined {
    return this.keys.get(id);
  }

  async addKey(key: StoredKey): Promise<void> {
    this.keys.set(key.id, key);
    await this.save();
  }

  usedKey(id: string): UsedKey | undefined {
    return this.used.get(id);
  }

  /** Marks a key used in memory at once (so a concurrent second use fails) and persists it. */
  markUsed(u: UsedKey): Promise<void> {
    this.used.set(u.id, u);
    return this.save();
  }

  /** Serialised atomic replace; each call's promise settles when its state is on disk. */
  private save(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const next = this.writing.then(
      () => this.write(file),
      () => this.write(file),
    );
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async write(file: string): Promise<void> {
    const text = `${JSON.stringify(
      {
        version: 1,
        gateways: [...this.gateways.values()],
        keys: [...this.keys.values()],
        usedKeys: [...this.used.values()],
      },
      null,
      2,
    )}\n`;
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(text);
      await fh.chmod(0o600);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}
