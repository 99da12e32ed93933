/**
 * Alarms, incidents and the audit trail: the shapes the gateway serves over HTTP
 * (`/api/alarms`, `/api/incidents`, `/api/audit`) and pushes on `/live`, and the viewer
 * draws. Alarm life follows ISA-18.2 / IEC 62682 (see docs/alarms.md):
 *
 *   state        active  acked   meaning
 *   normal       no      yes     nothing to do (an alarm in this state is closed)
 *   unack        yes     no      new alarm, operator must acknowledge
 *   ack          yes     yes     operator knows, condition persists
 *   rtn_unack    no      no      returned to normal before anyone acknowledged
 *
 * Orthogonal to the state: `shelved` (operator, with expiry), `suppressed` (by design:
 * maintenance mode of the asset), `outOfService` (removed from service by an operator).
 * `groupedUnder` (by design: a consequential alarm of an active composite-rule alarm).
 * A shelved, suppressed, out-of-service or grouped alarm is not annunciated (not counted for floods
 * or incidents) but is still tracked and pushed with its flags set, so screens can show it.
 */
import { z } from "zod";
import { DETECTOR_NAMES } from "./detect/condition";
import { hierarchySchema, ownerSchema } from "./city";
import { levelSchema } from "./levels";

export const ALARM_STATES = ["normal", "unack", "ack", "rtn_unack"] as const;
export const alarmStateSchema = z.enum(ALARM_STATES);
export type AlarmState = z.infer<typeof alarmStateSchema>;

export const ROLES = ["viewer", "operator", "admin"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

const explanationSchema = z.object({ en: z.string(), zh: z.string() });

/** The readings window that raised an alarm, one series per evidence sensor. */
export const evidenceSeriesSchema = z.object({
  sensorId: z.string(),
  kind: z.string(),
  unit: z.string(),
  /** [ts, value] oldest first; value null = bad quality. */
  points: z.array(z.tuple([z.number(), z.number().nullable()])),
});
export type EvidenceSeries = z.infer<typeof evidenceSeriesSchema>;

export const alarmSchema = z.object({
  /** `A-<raisedAt base36>-<n>`; unique for the life of the deployment. */
  id: z.string(),
  /** Alarm point key (Condition.key). */
  key: z.string(),
  sourceId: z.string(),
  detector: z.enum(DETECTOR_NAMES),
  rule: z.string().optional(),
  assetId: z.string(),
  assetType: z.string(),
  domain: z.string(),
  hierarchy: hierarchySchema,
  owner: ownerSchema,
  state: alarmStateSchema,
  /** Condition active now (after on/off delays). */
  active: z.boolean(),
  /** Level annunciated now (after escalation and de-escalation timers). */
  level: levelSchema,
  /** Highest level reached in this alarm's life. */
  peakLevel: levelSchema,
  raisedAt: z.number(),
  updatedAt: z.number(),
  clearedAt: z.number().optional(),
  ackedAt: z.number().optional(),
  ackedBy: z.string().optional(),
  shelved: z.object({ until: z.number(), by: z.string(), reason: z.string() }).optional(),
  suppressed: z.boolean(),
  outOfService: z.boolean(),
  /** Times the condition toggled in this alarm's life (chattering indicator). */
  toggles: z.number().int(),
  explanation: explanationSchema,
  evidence: z.array(evidenceSeriesSchema),
  incidentId: z.string().optional(),
  /**
   * Designed suppression (ISA-18.2 alarm grouping): id of the active composite-rule alarm whose
   * evidence includes this alarm's sensor. A grouped alarm is tracked and pushed but not
   * annunciated; it returns to annunciation when that alarm clears, is shelved or is removed.
   */
  groupedUnder: z.string().optional(),
});
export type Alarm = z.infer<typeof alarmSchema>;

export const INCIDENT_STATES = ["dispatch", "handling", "closed"] as const;
export const incidentStateSchema = z.enum(INCIDENT_STATES);
export type IncidentState = z.infer<typeof incidentStateSchema>;

export const incidentSchema = z.object({
  /** `I-<openedAt base36>-<n>` */
  id: z.string(),
  state: incidentStateSchema,
  title: explanationSchema,
  assetId: z.string(),
  hierarchy: hierarchySchema,
  owner: ownerSchema,
  level: levelSchema,
  alarmIds: z.array(z.string()),
  openedAt: z.number(),
  updatedAt: z.number(),
  closedAt: z.number().optional(),
  assignee: z.string().optional(),
  notes: z.array(z.object({ ts: z.number(), by: z.string(), text: z.string() })),
});
export type Incident = z.infer<typeof incidentSchema>;

export const AUDIT_ACTIONS = [
  "ack",
  "shelve",
  "unshelve",
  "out_of_service",
  "return_to_service",
  "suppress",
  "unsuppress",
  "incident_open",
  "incident_dispatch",
  "incident_handle",
  "incident_close",
  "incident_note",
  "incident_assign",
  /** A remote command sent to an edge device (gateway API → MQTT → edge). */
  "command",
  /** Gateway credentials (docs/security.md): a one-time key issued, a key exchanged, revocation, rotation. */
  "provisioning_key_issue",
  "gateway_provision",
  "gateway_revoke",
  "gateway_rotate",
] as const;
export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  ts: z.number(),
  actor: z.string(),
  role: roleSchema,
  action: auditActionSchema,
  /** Alarm id, incident id or asset id. */
  target: z.string(),
  detail: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Request bodies of the operator actions (POST, JSON). */
export const shelveRequestSchema = z
  .object({
    /** Shelving always expires; at most 24 h (ISA-18.2 §16: shelving is temporary). */
    durationS: z
      .number()
      .int()
      .positive()
      .max(24 * 3600),
    reason: z.string().min(1).max(500),
  })
  .strict();
export const noteRequestSchema = z.object({ text: z.string().min(1).max(2000) }).strict();
export const reasonRequestSchema = z.object({ reason: z.string().min(1).max(500) }).strict();
export const assignRequestSchema = z.object({ assignee: z.string().min(1).max(200) }).strict();
