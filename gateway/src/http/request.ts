/**
 * Request bodies for the API's POST routes: JSON only, bounded in size, validated by a zod
 * schema. Failures come back as the API's error shape: 415 for a non-JSON content type,
 * 413 past `MAX_BODY_BYTES`, 400 for malformed JSON or a schema violation (naming the field).
 */
import type { IncomingMessage } from "node:http";
import type { z } from "zod";

export const MAX_BODY_BYTES = 16 * 1024;

export type BodyResult<T> =
  { ok: true; value: T } | { ok: false; status: number; code: string; message: string };

export async function readJsonBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<BodyResult<T>> {
  const type = req.headers["content-type"] ?? "";
  const length = Number(req.headers["content-length"] ?? "0");
  if (length > MAX_BODY_BYTES)
    return {
      ok: false,
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      message: `body over ${MAX_BODY_BYTES} bytes`,
    };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      return {
        ok: false,
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        message: `body over ${MAX_BODY_BYTES} bytes`,
      };
    chunks.push(chunk as Buffer);
  }
  let raw: unknown = {};
  if (size > 0) {
    if (!/^application\/json\b/i.test(type))
      return { ok: false, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "send application/json" };
    try {
      raw = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (err) {
      return {
        ok: false,
        status: 400,
        code: "MALFORMED_JSON",
        message: (err as Error).message.slice(0, 200),
      };
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join(".") ?? "";
    return {
      ok: false,
      status: 400,
      code: "BAD_REQUEST",
      message: `${path || "body"}: ${issue?.message ?? "invalid"}`,
    };
  }
  return { ok: true, value: parsed.data };
}
