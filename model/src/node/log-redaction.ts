/**
 * Keeping secrets out of logs, for every CityTwin process (docs/security.md, "Secrets in logs").
 * Two layers, as pino logger options:
 *  - `redact` censors fields that hold secrets by name wherever they sit in the first three
 *    levels of a log object (passwords, tokens, secrets, authorization headers, cookies);
 *  - every serialized line then goes through `scrubSecrets`, which censors the values of
 *    credential-bearing URL query parameters (`token=`, `access_token=`, `password=`, `p=` …),
 *    `Bearer`/`Basic` credentials and `scheme://user:password@` URLs in any string, so a URL or
 *    an error message that quotes one cannot leak it either.
 * Plain data, so this package does not depend on pino: `pino(secretSafeLoggerOptions(…))`.
 * gateway/test/secrets-in-logs.test.ts and test/secrets-in-logs.test.ts check both.
 */
const SECRET_KEYS = [
  "password",
  "passwd",
  "token",
  "secret",
  "secretHash",
  "tokenHash",
  "authorization",
  "cookie",
  "apiKey",
  "provisioningKey",
  "enrollmentKey",
];

/** Field paths censored by pino: each key at the top level and up to three levels down. */
export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((k) => [
  k,
  `*.${k}`,
  `*.*.${k}`,
  `*.*.*.${k}`,
]).concat(["*.headers.authorization", "*.headers.cookie", '*.headers["sec-websocket-protocol"]']);

const CENSOR = "[redacted]";

const QUERY_SECRET =
  /([?&;](?:token|access_token|auth|password|passwd|pass|secret|key|apikey|api_key|p)=)[^&#\s"\\]+/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{6,}/g;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"\\]+:)[^\s/@"\\]+@/gi;

/** Censors credentials inside free text (URLs, messages, stack traces). */
export function scrubSecrets(text: string): string {
  return text
    .replace(QUERY_SECRET, `$1${CENSOR}`)
    .replace(AUTH_SCHEME, `$1$2${CENSOR}`)
    .replace(URL_USERINFO, `$1${CENSOR}@`);
}

/** A URL or path for a log field, with credential query values censored. */
export function redactUrl(url: string | undefined): string | undefined {
  return url === undefined ? undefined : scrubSecrets(url);
}

/** pino options with both layers (pino's LoggerOptions: level, base, redact, hooks.streamWrite). */
export function secretSafeLoggerOptions(level: string, base: Record<string, unknown>) {
  return {
    level,
    base,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: { streamWrite: scrubSecrets },
  };
}
