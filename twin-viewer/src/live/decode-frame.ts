/**
 * Decodes one `/live` text frame. The envelope is checked against the contract; `readings` tuples
 * are checked one by one with cheap type tests (frames can carry thousands), and malformed tuples
 * are dropped and counted rather than failing the frame.
 */
import { LEVELS, QUALITIES, liveMessageSchema, type LiveMessage, type LiveReading } from "@citytwin/model";

const LEVEL_SET = new Set<string>(LEVELS);
const QUALITY_SET = new Set<string>(QUALITIES);

export type DecodedFrame = { ok: true; message: LiveMessage; dropped: number } | { ok: false; error: string };

function isReading(t: unknown): t is LiveReading {
  if (!Array.isArray(t) || t.length !== 5) return false;
  const [id, ts, value, quality, level] = t as unknown[];
  const valueOk =
    value === null || typeof value === "number" || typeof value === "boolean" || typeof value === "string";
  return (
    typeof id === "string" &&
    typeof ts === "number" &&
    valueOk &&
    typeof quality === "string" &&
    QUALITY_SET.has(quality) &&
    typeof level === "string" &&
    LEVEL_SET.has(level)
  );
}

export function decodeFrame(text: string): DecodedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: "not JSON" };
  }
  if (typeof raw === "object" && raw !== null && (raw as { type?: unknown }).type === "readings") {
    const r = (raw as { r?: unknown }).r;
    if (!Array.isArray(r)) return { ok: false, error: "readings frame without r[]" };
    const good = r.filter(isReading);
    return { ok: true, message: { type: "readings", r: good }, dropped: r.length - good.length };
  }
  const parsed = liveMessageSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: parsed.error.message };
  return { ok: true, message: parsed.data, dropped: 0 };
}
