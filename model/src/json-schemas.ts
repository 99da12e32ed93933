/**
 * Every payload on the wire, by name, for JSON Schema export (model/schemas/*.schema.json).
 * Adding a payload type to the contract means adding it here.
 */
import { z } from "zod";
import { alarmSchema, auditEntrySchema, incidentSchema } from "./alarm";
import { cityModelSchema } from "./city";
import { commandResultSchema, commandSchema } from "./command";
import { gatewayConfigMessageSchema } from "./config-message";
import { historyResponseSchema, latestReadingSchema } from "./latest";
import { liveMessageSchema } from "./live";
import { ingestRejectionSchema } from "./rejections";
import { gatewayStatusSchema } from "./status";
import { telemetryBatchSchema } from "./telemetry";

export const WIRE_SCHEMAS = {
  "telemetry-batch": telemetryBatchSchema,
  "gateway-status": gatewayStatusSchema,
  command: commandSchema,
  "command-result": commandResultSchema,
  "gateway-config": gatewayConfigMessageSchema,
  "ingest-rejection": ingestRejectionSchema,
  "live-message": liveMessageSchema,
  "latest-reading": latestReadingSchema,
  "history-response": historyResponseSchema,
  "city-model": cityModelSchema,
  alarm: alarmSchema,
  incident: incidentSchema,
  "audit-entry": auditEntrySchema,
} as const satisfies Record<string, z.ZodType>;

export function jsonSchemaOf(name: string, schema: z.ZodType): Record<string, unknown> {
  return {
    $id: `https://citytwin.dev/schemas/v1/${name}.schema.json`,
    ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }),
  };
}
