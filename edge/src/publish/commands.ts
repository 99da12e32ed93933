/**
 * Command handling [wire contract: model/src/command.ts]. Every valid command gets exactly one
 * CommandResult. `ping` answers ok with value "pong"; `modbus-write`, `opcua-write` and
 * `lamp-set` are handed to the agent's dispatcher (`dispatch`); other names answer UNSUPPORTED.
 * An invalid payload answers INVALID_COMMAND when an id can be recovered; otherwise it is only
 * counted (there is nobody to answer).
 */
import { commandSchema, WIRE_VERSION, type Command, type CommandResult } from "@citytwin/model";

export type CommandOutcome =
  { result: CommandResult; name: string } | { dispatch: Command; name: string } | { invalid: true };

const DISPATCHED: ReadonlySet<string> = new Set(["modbus-write", "opcua-write", "lamp-set"]);

export function handleCommand(topicName: string, payload: Buffer, now: number): CommandOutcome {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString("utf8"));
  } catch {
    return { invalid: true };
  }
  const parsed = commandSchema.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id !== "string" || id.length === 0 || id.length > 64) return { invalid: true };
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : `${issue.path.join(".") || "(root)"}: ${issue.message}`;
    return {
      name: topicName,
      result: {
        v: WIRE_VERSION,
        id,
        ok: false,
        error: { code: "INVALID_COMMAND", message: where },
        completedAt: now,
      },
    };
  }
  const cmd = parsed.data;
  if (cmd.name !== topicName) {
    return {
      name: topicName,
      result: {
        v: WIRE_VERSION,
        id: cmd.id,
        ok: false,
        error: { code: "INVALID_COMMAND", message: `name "${cmd.name}" does not match topic "${topicName}"` },
        completedAt: now,
      },
    };
  }
  if (cmd.issuedAt + cmd.timeoutMs < now) {
    return {
      name: cmd.name,
      result: {
        v: WIRE_VERSION,
        id: cmd.id,
        ok: false,
        error: { code: "EXPIRED", message: "timeout passed" },
        completedAt: now,
      },
    };
  }
  if (cmd.name === "ping") {
    return {
      name: cmd.name,
      result: { v: WIRE_VERSION, id: cmd.id, ok: true, value: "pong", completedAt: now },
    };
  }
  if (DISPATCHED.has(cmd.name)) return { name: cmd.name, dispatch: cmd };
  return {
    name: cmd.name,
    result: {
      v: WIRE_VERSION,
      id: cmd.id,
      ok: false,
      error: { code: "UNSUPPORTED", message: `command "${cmd.name}" is not supported by this agent yet` },
      completedAt: now,
    },
  };
}
