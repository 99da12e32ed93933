/** HTTP API shapes shared by the gateway and the viewer. */
import { z } from "zod";
import { levelSchema } from "./levels";
import { qualitySchema } from "./quality";
import { readingValueSchema } from "./telemetry";

/** One sensor's latest reading, GET /api/latest → { readings: LatestReading[] }. */
export const latestReadingSchema = z.object({
  sensorId: z.string(),
  ts: z.number(),
  value: readingValueSchema,
  quality: qualitySchema,
  level: levelSchema,
});
export type LatestReading = z.infer<typeof latestReadingSchema>;

/** GET /api/sensors/{id}/history?from=&to= → { sensorId, points: [ts, value, quality][] } */
export const historyResponseSchema = z.object({
  sensorId: z.string(),
  source: z.enum(["hot", "influxdb"]),
  points: z.array(z.tuple([z.number(), readingValueSchema, qualitySchema])),
});
export type HistoryResponse = z.infer<typeof historyResponseSchema>;
