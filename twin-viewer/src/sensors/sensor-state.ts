/** The latest known state of one sensor, as last applied to its point. */
import type { Level, Quality, ReadingValue } from "@citytwin/model";

export interface SensorState {
  value: ReadingValue;
  /** Source timestamp, ms since the Unix epoch. */
  ts: number;
  quality: Quality;
  level: Level;
}
