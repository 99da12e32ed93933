/**
 * The viewer's access token (docs/security.md, "HTTP and WebSocket access"). In secure mode the
 * gateway's reads and `/live` need a token with the viewer role or better. The viewer takes it
 * from the URL fragment `#token=…` (a fragment never reaches the server or its logs; it is
 * removed from the address bar at once) or from the login form, and keeps it in sessionStorage
 * (gone with the tab). Every API call sends `Authorization: Bearer …`; `/live` gets it as
 * `?token=` because browsers cannot set headers on a WebSocket.
 */
const KEY = "citytwin.token";

/** Why the API refused: no token, a wrong/expired/revoked one, or a role below viewer. */
export type AuthProblem = "missing" | "invalid" | "forbidden";

export class AuthError extends Error {
  constructor(
    readonly problem: AuthProblem,
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

let memory: string | undefined;

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled: the token lives in memory for this page
  }
}

/** Moves a `#token=` fragment into session storage and off the address bar. */
export function takeTokenFromFragment(loc: Location = window.location): void {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (token === null) return;
  if (token !== "") setToken(token);
  params.delete("token");
  const rest = params.toString();
  history.replaceState(history.state, "", `${loc.pathname}${loc.search}${rest === "" ? "" : `#${rest}`}`);
}

export function token(): string | undefined {
  return storage()?.getItem(KEY) ?? memory;
}

export function setToken(value: string): void {
  memory = value;
  storage()?.setItem(KEY, value);
}

export function clearToken(): void {
  memory = undefined;
  storage()?.removeItem(KEY);
}

/** Headers for an API call: JSON, plus the bearer token when there is one. */
export function authHeaders(): Record<string, string> {
  const t = token();
  return t === undefined
    ? { accept: "application/json" }
    : { accept: "application/json", authorization: `Bearer ${t}` };
}

/** Maps a 401/403 answer to an AuthError; undefined for any other status. */
export function authErrorFor(status: number, path: string): AuthError | undefined {
  if (status === 403) return new AuthError("forbidden", `GET ${path}: HTTP 403`);
  if (status === 401)
    return new AuthError(token() === undefined ? "missing" : "invalid", `GET ${path}: HTTP 401`);
  return undefined;
}
