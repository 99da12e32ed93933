/**
 * The ISA-18.2 / IEC 62682 alarm state model as a pure transition table (drawn in
 * docs/alarms.md). States: normal (closed), unack, ack, rtn_unack.
 *
 * Events:
 *   activate        the condition became active (new alarm, or re-activation of rtn_unack)
 *   escalate        an active alarm rose to a higher level: it must be acknowledged again
 *   clear           the condition returned to normal while annunciated
 *   clear_silent    … while not annunciated (shelved, suppressed, out of service): nobody was
 *                   shown the alarm, so it closes without an acknowledgement
 *   ack             operator acknowledgement
 *   reannunciate    unshelve, shelving expiry, end of maintenance, return to service: an active
 *                   alarm annunciates again as unack, an inactive one closes (the standard's
 *                   "return to normal or unacknowledged" on leaving shelved/suppressed/OOS)
 *
 * `undefined` = the event is not valid in that state (an operator gets INVALID_STATE).
 */
import type { AlarmState } from "@citytwin/model";

export type LifecycleEvent = "activate" | "escalate" | "clear" | "clear_silent" | "ack" | "reannunciate";

export const TRANSITIONS: Readonly<
  Record<AlarmState, Readonly<Partial<Record<LifecycleEvent, AlarmState>>>>
> = {
  normal: { activate: "unack" },
  unack: { escalate: "unack", clear: "rtn_unack", clear_silent: "normal", ack: "ack", reannunciate: "unack" },
  ack: { escalate: "unack", clear: "normal", clear_silent: "normal", reannunciate: "unack" },
  rtn_unack: { activate: "unack", ack: "normal", clear_silent: "normal", reannunciate: "normal" },
};

export function nextState(state: AlarmState, event: LifecycleEvent): AlarmState | undefined {
  return TRANSITIONS[state][event];
}

/** An alarm is open until it reaches `normal`; closed alarms are history and never reopen. */
export function isOpen(state: AlarmState): boolean {
  return state !== "normal";
}
