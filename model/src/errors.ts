/**
 * One base error with a stable `code` and ES2022 `cause`. Never throw strings.
 * Codes are catalogued where they are thrown (e.g. edge/src/errors.ts); the code
 * is what counters, logs and API responses carry.
 */
export class CityTwinError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CityTwinError";
    this.code = code;
  }
}
