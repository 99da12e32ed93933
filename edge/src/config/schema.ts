/**
 * Edge agent configuration, file format v1 (YAML). One file per gateway.
 * Vocabulary follows Telegraf's inputs.modbus / inputs.opcua_listener so field engineers
 * recognise it: register, address, type, byteOrder, scale, offset; nodeId / browsePath,
 * samplingInterval, queueSize, deadband.
 *
 * Secrets never appear in the file in clear: `passwordEnv` names an environment variable,
 * `passwordFile` a file holding the secret.
 */
import { z } from "zod";
import { deviceIdSchema, segmentIdSchema, sensorKeySchema } from "@citytwin/model";

/**
 * Report by exception (edge/src/report): a point is reported when its value moves by more than
 * the deadband, at most every minIntervalMs, and at least every maxIntervalMs (heartbeat).
 * Quality changes always report. `deadbandPercent` is a percentage of the sensor kind's span.
 */
export const reportPolicySchema = z
  .object({
    deadband: z.number().nonnegative().optional(),
    deadbandPercent: z.number().min(0).max(100).optional(),
    minIntervalMs: z.number().int().nonnegative().optional(),
    maxIntervalMs: z.number().int().positive().optional(),
  })
  .strict()
  .refine((p) => p.maxIntervalMs === undefined || p.maxIntervalMs >= (p.minIntervalMs ?? 0), {
    message: "maxIntervalMs must be at least minIntervalMs",
  });
export type ReportPolicy = z.infer<typeof reportPolicySchema>;

/** Report policies by sensor key; "*" applies to every key of the device or profile. */
export const reportMapSchema = z.record(z.union([sensorKeySchema, z.literal("*")]), reportPolicySchema);

export const REGISTER_TABLES = ["holding", "input", "coil", "discrete"] as const;
export const MODBUS_TYPES = [
  "INT16",
  "UINT16",
  "INT32",
  "UINT32",
  "INT64",
  "UINT64",
  "FLOAT32",
  "FLOAT64",
  "BIT",
  "STRING",
] as const;
export const BYTE_ORDERS = ["ABCD", "DCBA", "BADC", "CDAB"] as const;

/**
 * How a BIT point in a holding register is written: "mask" sends FC22 Mask Write Register
 * [Modbus AP v1.1b3 §6.16]; "read-modify-write" reads the register (FC3) and writes it back
 * (FC6) with nothing else on the port in between; "auto" (default) tries FC22 and falls back to
 * read-modify-write, for good, on a unit that answers exception 1 (Illegal Function).
 */
export const BIT_WRITE_MODES = ["auto", "mask", "read-modify-write"] as const;
export const bitWriteSchema = z.enum(BIT_WRITE_MODES);
export type BitWriteMode = z.infer<typeof bitWriteSchema>;

/**
 * A Modbus point. `address` is 0-based (protocol address) or a Modicon reference string:
 * "40001" (holding 0), "30001" (input 0), "00001" (coil 0), "10001" (discrete 0).
 */
export const modbusPointSchema = z
  .object({
    key: sensorKeySchema,
    register: z.enum(REGISTER_TABLES).optional(),
    address: z.union([z.number().int().min(0).max(65535), z.string().regex(/^[0134]\d{4,5}$/)]),
    type: z.enum(MODBUS_TYPES).default("UINT16"),
    byteOrder: z.enum(BYTE_ORDERS).default("ABCD"),
    /** Bit index within a 16-bit register for type BIT on holding/input registers. */
    bit: z.number().int().min(0).max(15).optional(),
    /** Register count for type STRING. */
    length: z.number().int().min(1).max(125).optional(),
    scale: z.number().default(1),
    offset: z.number().default(0),
    report: reportPolicySchema.optional(),
  })
  .strict();
export type ModbusPoint = z.infer<typeof modbusPointSchema>;

/** A reusable register map: data, kept apart from the instance (host, port, unit id). */
export const modbusProfileSchema = z
  .object({
    id: z.string().min(1),
    driver: z.literal("modbus"),
    description: z.string().optional(),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    points: z.array(modbusPointSchema).min(1),
    /** How this model's BIT points in holding registers are written (devices may override). */
    bitWrite: bitWriteSchema.optional(),
    report: reportMapSchema.optional(),
  })
  .strict();
export type ModbusProfile = z.infer<typeof modbusProfileSchema>;

/** A field mapping for JSON-over-MQTT devices (smart poles): sensor key → dotted JSON path. */
export const mqttJsonProfileSchema = z
  .object({
    id: z.string().min(1),
    driver: z.literal("mqtt-json"),
    description: z.string().optional(),
    /** Dotted path of the device's own timestamp (ms number or ISO string); absent → edge clock. */
    timestampPath: z.string().optional(),
    fields: z.record(sensorKeySchema, z.string().min(1)),
    report: reportMapSchema.optional(),
  })
  .strict();
export type MqttJsonProfile = z.infer<typeof mqttJsonProfileSchema>;

export const profileSchema = z.discriminatedUnion("driver", [modbusProfileSchema, mqttJsonProfileSchema]);
export type Profile = z.infer<typeof profileSchema>;

const secretRef = {
  username: z.string().optional(),
  passwordEnv: z.string().optional(),
  passwordFile: z.string().optional(),
};

export const modbusTcpDeviceSchema = z
  .object({
    id: deviceIdSchema,
    driver: z.literal("modbus-tcp"),
    profile: z.string(),
    host: z.string(),
    port: z.number().int().min(1).max(65535).default(502),
    unitId: z.number().int().min(0).max(255).default(1),
    pollIntervalMs: z.number().int().min(50).default(1000),
    timeoutMs: z.number().int().min(10).default(1000),
    report: reportMapSchema.optional(),
  })
  .strict();

/** Serial line settings [Modbus over Serial Line v1.02 §2.5.1: 8 data bits, even parity default]. */
export const modbusSerialSchema = z
  .object({
    path: z.string().min(1),
    baudRate: z.number().int().min(300).default(19200),
    parity: z.enum(["none", "even", "odd"]).default("even"),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  })
  .strict();

/**
 * A Modbus device on any transport: `tcp` (MBAP), `rtu` on a serial port, or `rtu-over-tcp`
 * (RTU frames through a serial-to-Ethernet converter). Devices on the same physical port
 * (serial path, or host:port) share one scheduler; port-wide settings (gap, serial line)
 * must agree between them (checked in load.ts).
 */
export const modbusDeviceSchema = z
  .object({
    id: deviceIdSchema,
    driver: z.literal("modbus"),
    profile: z.string(),
    transport: z.enum(["tcp", "rtu", "rtu-over-tcp"]).default("tcp"),
    host: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    serial: modbusSerialSchema.optional(),
    unitId: z.number().int().min(0).max(255).default(1),
    pollIntervalMs: z.number().int().min(50).default(1000),
    timeoutMs: z.number().int().min(10).default(1000),
    /** Extra attempts after a timeout or a corrupt frame (not after an exception). */
    retries: z.number().int().min(0).max(5).default(0),
    /** Silence between frames on the port; default: 3.5 character times for RTU, 0 for TCP. */
    interFrameGapMs: z.number().min(0).max(1000).optional(),
    /** Per-unit backoff after a timeout: initial delay, doubling up to the max. */
    backoffMs: z.number().int().min(0).default(1000),
    maxBackoffMs: z.number().int().min(0).default(30_000),
    /** Largest gap of unused registers the planner reads through to coalesce requests. */
    maxGap: z.number().int().min(0).max(124).default(0),
    /** How BIT points in holding registers are written; default: the profile's, else "auto". */
    bitWrite: bitWriteSchema.optional(),
    report: reportMapSchema.optional(),
  })
  .strict()
  .refine((d) => d.transport === "rtu" || d.host !== undefined, {
    message: "transport tcp and rtu-over-tcp need host",
    path: ["host"],
  })
  .refine((d) => d.transport !== "rtu" || (d.serial !== undefined && d.host === undefined), {
    message: "transport rtu needs serial (and no host)",
    path: ["serial"],
  })
  .refine((d) => d.transport === "rtu" || d.serial === undefined, {
    message: "serial is only for transport rtu",
    path: ["serial"],
  });

export const opcuaPointSchema = z
  .object({
    key: sensorKeySchema,
    nodeId: z.string().optional(),
    /** Browse path from the Objects folder, e.g. "/Objects/2:BridgeSHM/2:Span1/2:strain_1". */
    browsePath: z.string().optional(),
    samplingIntervalMs: z.number().int().min(0).optional(),
    queueSize: z.number().int().min(1).optional(),
    deadband: z
      .object({ type: z.enum(["absolute", "percent"]), value: z.number().nonnegative() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((p) => (p.nodeId === undefined) !== (p.browsePath === undefined), {
    message: "give exactly one of nodeId or browsePath",
  });

/** OPC UA user identity [OPC 10000-4 §7.36]: anonymous, user name + password, or X.509. */
export const opcuaAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("anonymous") }).strict(),
  z
    .object({
      type: z.literal("username"),
      username: z.string().min(1),
      passwordEnv: z.string().optional(),
      passwordFile: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("certificate"),
      /** PEM user certificate and its PEM private key; relative to the config file. */
      certificateFile: z.string().min(1),
      privateKeyFile: z.string().min(1),
    })
    .strict(),
]);
export type OpcuaAuth = z.infer<typeof opcuaAuthSchema>;

export const OPCUA_SECURITY_POLICIES = [
  "None",
  "Basic256Sha256",
  "Aes128_Sha256_RsaOaep",
  "Aes256_Sha256_RsaPss",
] as const;

export const opcuaDeviceSchema = z
  .object({
    id: deviceIdSchema,
    driver: z.literal("opcua"),
    endpoint: z.string().regex(/^opc\.tcp:\/\//),
    securityMode: z.enum(["None", "Sign", "SignAndEncrypt"]).default("None"),
    securityPolicy: z.enum(OPCUA_SECURITY_POLICIES).default("None"),
    /** Default anonymous. */
    auth: opcuaAuthSchema.optional(),
    /**
     * Accept a server certificate not yet in `<stateDir>/pki/opcua-client/trusted` (and add it
     * there). Default true; set false in production once the server certificate is there.
     */
    trustUnknownServerCertificate: z.boolean().optional(),
    /** Reconnection backoff cap (default 10 000): retries start at 1 s and double up to this. */
    reconnectMaxDelayMs: z.number().int().min(2000).max(300_000).optional(),
    samplingIntervalMs: z.number().int().min(0).default(1000),
    publishingIntervalMs: z.number().int().min(10).default(1000),
    queueSize: z.number().int().min(1).default(10),
    points: z.array(opcuaPointSchema).min(1),
    report: reportMapSchema.optional(),
  })
  .strict()
  .refine((d) => (d.securityMode === "None") === (d.securityPolicy === "None"), {
    message: "securityMode None goes with securityPolicy None, Sign/SignAndEncrypt with a real policy",
    path: ["securityPolicy"],
  });

export const mqttJsonDeviceSchema = z
  .object({
    id: deviceIdSchema,
    driver: z.literal("mqtt-json"),
    profile: z.string(),
    /** The field broker the device publishes to. */
    broker: z.string().regex(/^(mqtts?|wss?):\/\//),
    topic: z.string().min(1),
    ...secretRef,
    report: reportMapSchema.optional(),
  })
  .strict();

export const deviceConfigSchema = z.discriminatedUnion("driver", [
  modbusDeviceSchema,
  modbusTcpDeviceSchema,
  opcuaDeviceSchema,
  mqttJsonDeviceSchema,
]);
export type DeviceConfig = z.infer<typeof deviceConfigSchema>;
export type ModbusTcpDeviceConfig = z.infer<typeof modbusTcpDeviceSchema>;
export type ModbusDeviceConfig = z.infer<typeof modbusDeviceSchema>;
export type OpcuaDeviceConfig = z.infer<typeof opcuaDeviceSchema>;
export type MqttJsonDeviceConfig = z.infer<typeof mqttJsonDeviceSchema>;

export const PUBLISH_QUEUE_DEFAULTS = {
  kind: "disk",
  maxBytes: 64 * 1024 * 1024,
  segmentBytes: 1024 * 1024,
  fsyncIntervalMs: 1000,
  replayBatchesPerSecond: 20,
} as const;

/** Outbound queue: "disk" (durable, default) or "memory" (lost on restart). */
export const publishQueueSchema = z
  .object({
    kind: z.enum(["disk", "memory"]).default(PUBLISH_QUEUE_DEFAULTS.kind),
    /** Queue directory, relative to stateDir (default `<stateDir>/queue`). */
    dir: z.string().optional(),
    /** Byte quota of the queue's segment files; oldest segments are evicted beyond it. */
    maxBytes: z.number().int().min(4096).default(PUBLISH_QUEUE_DEFAULTS.maxBytes),
    segmentBytes: z.number().int().min(1024).default(PUBLISH_QUEUE_DEFAULTS.segmentBytes),
    /** Appends are fsynced at least this often (power loss loses at most this much). */
    fsyncIntervalMs: z.number().int().min(10).default(PUBLISH_QUEUE_DEFAULTS.fsyncIntervalMs),
    /** Backlog batches per second after a reconnect; 0 = unpaced. */
    replayBatchesPerSecond: z.number().min(0).default(PUBLISH_QUEUE_DEFAULTS.replayBatchesPerSecond),
  })
  .strict();
export type PublishQueueConfig = z.infer<typeof publishQueueSchema>;

export const edgeConfigSchema = z
  .object({
    version: z.literal(1),
    gateway: z.object({ tenant: segmentIdSchema, id: segmentIdSchema, name: z.string().optional() }).strict(),
    mqtt: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?):\/\//),
        clientId: z.string().optional(),
        keepaliveS: z.number().int().min(5).default(30),
        ...secretRef,
        caFile: z.string().optional(),
      })
      .strict(),
    publish: z
      .object({
        /** Flush a batch when it holds this many readings … */
        maxBatchReadings: z.number().int().min(1).max(20_000).default(2000),
        /** … or when its oldest reading has waited this long. */
        maxDelayMs: z.number().int().min(0).default(500),
        /** Store-and-forward queue (docs/edge-store-and-forward.md). */
        queue: publishQueueSchema.default(PUBLISH_QUEUE_DEFAULTS),
        /** Health (per-device polls, latency, queue depth, memory) on the status topic this often. */
        statusIntervalMs: z.number().int().min(100).default(30_000),
        /** Opt-in append-only record of every PUBACKed batch (docs/edge-store-and-forward.md). */
        ackLedger: z
          .object({
            /** JSON Lines file, relative to stateDir. */
            file: z.string().min(1),
            /** "readings": every (device, key, ts); "digest": a SHA-256 of them (smaller lines). */
            detail: z.enum(["readings", "digest"]).default("digest"),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({
        maxBatchReadings: 2000,
        maxDelayMs: 500,
        queue: PUBLISH_QUEUE_DEFAULTS,
        statusIntervalMs: 30_000,
      }),
    /** Directory for the agent's durable state (sequence epoch, queue). */
    stateDir: z.string().default("./edge-state"),
    /** Directories searched for profile files (*.yaml), relative to this config file. */
    profileDirs: z.array(z.string()).default([]),
    /** Profiles given inline, in addition to profileDirs. */
    profiles: z.array(profileSchema).default([]),
    devices: z.array(deviceConfigSchema).min(1),
  })
  .strict();
export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
