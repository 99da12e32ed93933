/**
 * Typed calls to the gateway's HTTP API, relative to the page (one origin). Every call sends the
 * bearer token (../auth.ts). A 401/403 on a read becomes an AuthError; any other failure an
 * ApiError carrying the HTTP status and the gateway's error code (`{ error: { code, message } }`).
 */
import type { z } from "zod";
import { authErrorFor, authHeaders } from "../auth";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function failure(res: Response, what: string): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = `${what}: HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } } | null;
    if (typeof body?.error?.code === "string") code = body.error.code;
    if (typeof body?.error?.message === "string") message = `${what}: ${body.error.message}`;
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(res.status, code, message);
}

/** GET a JSON resource; the body is checked against `schema` (a mismatch is an ApiError 0). */
export async function apiGet<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  const res = await fetch(new URL(path, document.baseURI), { headers: authHeaders() });
  const denied = authErrorFor(res.status, path);
  if (denied !== undefined) throw denied;
  if (!res.ok) throw await failure(res, `GET ${path}`);
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success)
    throw new ApiError(0, "CONTRACT", `GET ${path}: unexpected body: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * POST JSON (operator actions). Errors, 401 and 403 included, are ApiErrors so the caller can show
 * "refused: role" next to the button instead of the login screen.
 */
export async function apiPost<S extends z.ZodType>(
  path: string,
  body: unknown,
  schema: S,
): Promise<z.infer<S>> {
  const res = await fetch(new URL(path, document.baseURI), {
    method: "POST",
    headers: { ...authHeaders(), "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await failure(res, `POST ${path}`);
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success)
    throw new ApiError(0, "CONTRACT", `POST ${path}: unexpected body: ${parsed.error.message}`);
  return parsed.data;
}
