/**
 * Checks shared by the operator actions, and their audit helper. Order of checks in every
 * action: principal (BAD_REQUEST without a name), role (FORBIDDEN, before any lookup so a viewer
 * cannot probe ids), arguments (BAD_REQUEST), target (NOT_FOUND), state (INVALID_STATE).
 */
import type { AuditAction, Role } from "@citytwin/model";
import type { AlarmCore } from "./core";
import { fail, type ActionResult, type Principal } from "./types";

export type Check = ActionResult<never> | undefined;

export function authorize(who: Principal, roles: readonly Role[], what: string): Check {
  if (typeof who?.name !== "string" || who.name.trim() === "")
    return fail("BAD_REQUEST", "principal name is required");
  if (!roles.includes(who.role)) return fail("FORBIDDEN", `role ${String(who.role)} may not ${what}`);
  return undefined;
}

export function requireText(value: unknown, name: string, max: number): Check {
  if (typeof value !== "string" || value.trim() === "" || value.length > max)
    return fail("BAD_REQUEST", `${name} must be 1–${max} characters`);
  return undefined;
}

export function auditAction(
  core: AlarmCore,
  who: Principal,
  now: number,
  action: AuditAction,
  target: string,
  detail?: string,
): void {
  core.recordAudit({
    ts: now,
    actor: who.name,
    role: who.role,
    action,
    target,
    ...(detail === undefined ? {} : { detail }),
  });
}
