/**
 * Gateway config file, YAML, `version: 1`. See gateway/README.md "Configuration" for the
 * reference. Paths (`city`, `http.staticDir`, `viewer.assetsDir`, `ingest.deadLetterFile`, `ingest.journal.dir`,
 * `alarms.stateDir`, the `tls` files) are relative to the config file. Secrets never appear here: InfluxDB credentials are named by environment
 * variable (`tokenEnv`, `usernameEnv`, `passwordEnv`), gateway secrets are scrypt hashes.
 */
import { MAX_TELEMETRY_BYTES, roleSchema, segmentIdSchema, viewerConfigSchema } from "@citytwin/model";
import { z } from "zod";
import { SECRET_HASH } from "./secret";

const hostSchema = z.string().min(1);
const portSchema = z.number().int().min(0).max(65535);

export const gatewayCredentialSchema = z
  .object({
    id: segmentIdSchema,
    secretHash: z
      .string()
      .regex(
        SECRET_HASH,
        "scrypt$<N>$<r>$<p>$<saltB64>$<hashB64> (make one with gateway/src/hash-secret.ts)",
      ),
  })
  .strict();

/** When a credential stops working: ISO 8601 date-time with offset, or ms since the epoch. */
export const expiresAtSchema = z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]);

/** An operator of the HTTP API; the bearer token is `<name>.<secret>` (gateway/README.md). */
export const operatorCredentialSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and - (1–64)"),
    role: roleSchema,
    tokenHash: z
      .string()
      .regex(
        SECRET_HASH,
        "scrypt$<N>$<r>$<p>$<saltB64>$<hashB64> (make one with gateway/src/hash-secret.ts)",
      ),
    /** After this the token gets 401 TOKEN_EXPIRED (docs/security.md, "Operator tokens"). */
    expiresAt: expiresAtSchema.optional(),
  })
  .strict();

/**
 * A one-time provisioning key (docs/security.md, "Gateway credentials and provisioning"): the
 * key is `<id>.<secret>`, the config holds the secret's scrypt hash. It provisions one gateway
 * id, or any id matching `gatewayIdPattern` (`*` matches any run of id characters).
 */
export const provisioningKeySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and - (1–64)"),
    keyHash: z
      .string()
      .regex(
        SECRET_HASH,
        "scrypt$<N>$<r>$<p>$<saltB64>$<hashB64> (make one with gateway/src/hash-secret.ts)",
      ),
    gatewayId: segmentIdSchema.optional(),
    gatewayIdPattern: z
      .string()
      .regex(/^[A-Za-z0-9_*-]{1,64}$/, "gateway id characters and * (1–64)")
      .optional(),
    expiresAt: expiresAtSchema.optional(),
  })
  .strict()
  .refine((k) => (k.gatewayId === undefined) !== (k.gatewayIdPattern === undefined), {
    message: "set exactly one of gatewayId and gatewayIdPattern",
  });

const influxV2Schema = z
  .object({
    url: z.url(),
    org: z.string().min(1),
    bucket: z.string().min(1),
    /** Environment variable holding the API token. */
    tokenEnv: z.string().min(1),
  })
  .strict();

const influxV1Schema = z
  .object({
    url: z.url(),
    database: z.string().min(1),
    usernameEnv: z.string().min(1).optional(),
    passwordEnv: z.string().min(1).optional(),
    retentionPolicy: z.string().min(1).optional(),
  })
  .strict();

const influxSchema = z
  .object({
    v2: influxV2Schema.optional(),
    v1: influxV1Schema.optional(),
    batchSize: z.number().int().positive().max(100_000).default(5000),
    flushIntervalMs: z.number().int().positive().default(1000),
    /** Without a journal: attempts before a batch is given up. With one: retried forever. */
    maxRetries: z.number().int().nonnegative().default(5),
    /** Lines a sink holds in memory; past it the sink catches up from the journal. */
    maxQueuedLines: z.number().int().positive().default(250_000),
    /** POSTs in flight per sink; the journal cursor still commits in order. */
    concurrency: z.number().int().min(1).max(16).default(4),
  })
  .strict();

/** The durable ingest journal (docs/reliability.md, "Gateway ingest journal"). */
const journalSchema = z
  .object({
    /** Default `<alarms.stateDir>/ingest-journal`; with neither set there is no journal (warned). */
    dir: z.string().min(1).optional(),
    /** Retained bytes; when reached, telemetry is refused without PUBACK. */
    maxBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(1024 * 1024 * 1024),
    /** Target segment size (capped at maxBytes/4). */
    segmentBytes: z
      .number()
      .int()
      .min(4 * 1024)
      .default(64 * 1024 * 1024),
    /** "interval": fsync every fsyncIntervalMs; "always": PUBACK after a group-commit fsync. */
    fsync: z.enum(["interval", "always"]).default("interval"),
    fsyncIntervalMs: z.number().int().min(1).max(60_000).default(100),
  })
  .strict();

/** PEM files, relative to the config file; `caFile` with `requestCert` asks clients for a certificate. */
const tlsSchema = z
  .object({
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
    caFile: z.string().min(1).optional(),
    /** Mutual TLS (MQTT): clients must present a certificate signed by `caFile`. */
    requestCert: z.boolean().default(false),
  })
  .strict();

/**
 * What the twin viewer shows (GET /api/viewer-config, docs/viewer.md "Bring your own city"):
 * the model's ViewerConfig plus `assetsDir`, a directory served open at /city-assets/.
 */
const viewerSchema = viewerConfigSchema.extend({ assetsDir: z.string().min(1).optional() }).strict();

export const gatewayConfigSchema = z
  .object({
    version: z.literal(1),
    tenant: segmentIdSchema,
    mode: z.enum(["secure", "demo"]).default("secure"),
    mqtt: z
      .object({
        host: hostSchema.default("127.0.0.1"),
        port: portSchema.default(1883),
        /** MQTT over TLS (docs/security.md, "TLS"): on when `mqtt.tls` or the shared `tls` is set. */
        tlsPort: portSchema.default(8883),
        tls: tlsSchema.optional(),
        /**
         * MQTT session store (docs/reliability.md, "Broker sessions"): "level" keeps CleanSession=0
         * sessions in `<alarms.stateDir>/mqtt-sessions` across restarts; default "level" when
         * `alarms.stateDir` is set, else "memory".
         */
        persistence: z.enum(["memory", "level"]).optional(),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        host: hostSchema.default("127.0.0.1"),
        port: portSchema.default(8080),
        staticDir: z.string().min(1).optional(),
        /** HTTPS (and so WSS for /live and /mqtt) when this or the shared `tls` is set. */
        tls: tlsSchema.optional(),
        /** scrypt hash of the Prometheus scraper's secret; its bearer token is `metrics.<secret>`. */
        metricsTokenHash: z
          .string()
          .regex(
            SECRET_HASH,
            "scrypt$<N>$<r>$<p>$<saltB64>$<hashB64> (make one with gateway/src/hash-secret.ts)",
          )
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Certificate shared by every TLS listener that has none of its own. */
    tls: tlsSchema.optional(),
    city: z.string().min(1),
    gateways: z.array(gatewayCredentialSchema).default([]),
    operators: z.array(operatorCredentialSchema).default([]),
    influx: influxSchema.optional(),
    hotStore: z
      .object({
        /** Most points kept per sensor (720 = 2 h at one reading per 10 s). */
        pointsPerSensor: z.number().int().min(2).max(1_000_000).default(720),
        /** Memory cap for all sensors' history: big cities keep fewer points per sensor. */
        memoryMb: z.number().int().min(16).max(1_000_000).default(1024),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxPayloadBytes: z.number().int().positive().max(MAX_TELEMETRY_BYTES).default(MAX_TELEMETRY_BYTES),
        maxClockSkewMs: z
          .number()
          .int()
          .nonnegative()
          .default(5 * 60_000),
        maxAgeMs: z
          .number()
          .int()
          .positive()
          .default(7 * 24 * 3600_000),
        /**
         * Rate limits (docs/security.md, "Rate limits"); the defaults leave the demo and the
         * benches (100 clients connecting at once, thousands of publishes/s per client) alone.
         */
        connectsPerSecond: z.number().positive().default(50),
        connectBurst: z.number().int().positive().default(500),
        mqttAuthFailuresPerMinute: z.number().int().positive().default(30),
        httpAuthFailuresPerMinute: z.number().int().positive().default(30),
        messagesPerSecond: z.number().positive().default(10_000),
        messageBurst: z.number().int().positive().default(20_000),
      })
      .strict()
      .prefault({}),
    /** Provisioning keys and where issued credentials live (docs/security.md). */
    provisioning: z
      .object({
        keys: z.array(provisioningKeySchema).default([]),
        /** Issued credentials and used keys; default `<alarms.stateDir>/gateway-credentials.json`. */
        credentialsFile: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        /** Messages held for the ingest worker; above this the broker pauses the sending client. */
        queueHighWater: z.number().int().positive().default(10_000),
        /** Hard bound; messages beyond it are shed and counted. */
        queueMax: z.number().int().positive().default(50_000),
        /**
         * Threads that parse and validate telemetry off the event loop; "auto" is one when the
         * machine has two or more cores, else none (decoding stays on the event loop).
         */
        decodeThreads: z.union([z.literal("auto"), z.number().int().min(0).max(16)]).default("auto"),
        deadLetterRing: z.number().int().positive().default(500),
        deadLetterFile: z.string().min(1).optional(),
        journal: journalSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    alarms: z
      .object({
        /** Alarms, incidents, audit trail and detector state; in memory only when absent (warned). */
        stateDir: z.string().min(1).optional(),
        /** Period of the detection/alarm clock (delays, shelving expiry, missing data). */
        tickMs: z.number().int().min(100).max(10_000).default(1000),
        /** Detector state snapshot period; state is also saved on a graceful stop. */
        snapshotIntervalMs: z.number().int().min(1000).default(60_000),
      })
      .strict()
      .prefault({}),
    live: z
      .object({
        /** Most one frame per tickMs per client; an idle hub pushes a reading at once. */
        tickMs: z.number().int().min(10).default(25),
        maxBufferedBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    viewer: viewerSchema.optional(),
  })
  .strict();

export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type GatewayConfigFile = z.output<typeof gatewayConfigSchema>;
