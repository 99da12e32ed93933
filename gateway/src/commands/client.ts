/**
 * Platform side of edge commands (docs/edge-remote-ops.md): publishes a Command on
 * `ct/v1/{tenant}/{gw}/cmd/{name}` and resolves with its CommandResult. Transport-agnostic:
 * `publish` is the broker's in-process publish (or an MQTT client's), and every message on
 * `ct/v1/{tenant}/+/cmd/+/result` must be fed to `onMessage`. Without a result within the
 * command's timeout plus `graceMs` it resolves a TIMEOUT result of its own; it never rejects.
 */
import { randomUUID } from "node:crypto";
import {
  commandResultSchema,
  DEFAULT_COMMAND_TIMEOUT_MS,
  parseTopic,
  topics,
  WIRE_VERSION,
  type Command,
  type CommandResult,
} from "@citytwin/model";

export interface SendOptions {
  target?: Command["target"];
  args?: Command["args"];
  timeoutMs?: number;
  issuedBy?: string;
}

interface Pending {
  resolve: (r: CommandResult) => void;
  timer: NodeJS.Timeout;
}

export class CommandClient {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly tenant: string,
    private readonly publish: (topic: string, payload: Buffer, qos: 0 | 1) => void,
    private readonly now: () => number = Date.now,
    private readonly graceMs = 2000,
  ) {}

  send(gatewayId: string, name: Command["name"], o: SendOptions = {}): Promise<CommandResult> {
    const timeoutMs = o.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const cmd: Command = {
      v: WIRE_VERSION,
      id: randomUUID(),
      name,
      args: o.args ?? {},
      issuedAt: this.now(),
      issuedBy: o.issuedBy ?? "platform",
      timeoutMs,
      ...(o.target === undefined ? {} : { target: o.target }),
    };
    const key = `${gatewayId}\u0000${cmd.id}`;
    return new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        resolve({
          v: WIRE_VERSION,
          id: cmd.id,
          ok: false,
          error: {
            code: "TIMEOUT",
            message: `no result from ${gatewayId} within ${timeoutMs + this.graceMs} ms`,
          },
          completedAt: this.now(),
        });
      }, timeoutMs + this.graceMs);
      this.pending.set(key, { resolve, timer });
      this.publish(topics.cmd(this.tenant, gatewayId, name), Buffer.from(JSON.stringify(cmd)), 1);
    });
  }

  /** Feeds one message; true when it answered a pending command. */
  onMessage(topic: string, payload: Buffer): boolean {
    const p = parseTopic(topic);
    if (p === undefined || p.tenant !== this.tenant || p.channel.kind !== "cmdResult") return false;
    let result: CommandResult;
    try {
      result = commandResultSchema.parse(JSON.parse(payload.toString("utf8")));
    } catch {
      return false;
    }
    const key = `${p.gatewayId}\u0000${result.id}`;
    const pending = this.pending.get(key);
    if (pending === undefined) return false;
    this.pending.delete(key);
    clearTimeout(pending.timer);
    pending.resolve(result);
    return true;
  }

  /** Open commands (for metrics and tests). */
  get open(): number {
    return this.pending.size;
  }
}
