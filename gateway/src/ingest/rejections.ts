/**
 * Reports every rejection three ways: the counter `citytwin_ingest_rejected_total{reason}`,
 * a dead-letter record, and an IngestRejection notice on `ct/v1/{tenant}/{gw}/ingest/rejected`
 * (QoS 0) so the sender can see it. Notices go only to a gateway's own prefix (the identity
 * the broker authenticated), never to a topic the sender named. Logging is rate-limited per
 * reason (one line per `LOG_EVERY_MS` with the suppressed count), never one line per reading.
 */
import type { Logger } from "pino";
import {
  WIRE_VERSION,
  REJECT_REASONS,
  topics,
  type IngestRejection,
  type RejectReason,
} from "@citytwin/model";
import type { GatewayMetrics } from "../metrics";
import { DeadLetters } from "./dead-letters";

const LOG_EVERY_MS = 10_000;

export interface RejectionInput {
  reason: RejectReason;
  /** Detail for the sender and the dead letter. */
  message: string;
  topic: string;
  /** Authenticated identity of the sender; no notice without one. */
  gatewayId?: string;
  clientId?: string;
  epoch?: number;
  seq?: number;
  /** Readings this rejection stands for (1 for a whole message). */
  count?: number;
  payload?: Buffer;
}

/** Publishes a notice; the gateway wires this to the broker's in-process publish. */
export type NoticePublisher = (topic: string, payload: Buffer) => void;

export class RejectionReporter {
  private readonly lastLog = new Map<RejectReason, { at: number; suppressed: number }>();

  constructor(
    private readonly tenant: string,
    private readonly deadLetters: DeadLetters,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly publish: NoticePublisher,
  ) {}

  reject(r: RejectionInput): void {
    const at = this.now();
    const count = r.count ?? 1;
    this.metrics.rejected.inc({ reason: r.reason }, count);
    this.deadLetters.add({
      at,
      reason: r.reason,
      message: r.message,
      topic: r.topic,
      gatewayId: r.gatewayId,
      clientId: r.clientId,
      epoch: r.epoch,
      seq: r.seq,
      count,
      payload: DeadLetters.preview(r.payload),
    });
    if (r.gatewayId !== undefined) {
      const notice: IngestRejection = {
        v: WIRE_VERSION,
        reason: r.reason,
        message: `${REJECT_REASONS[r.reason]}: ${r.message}${count > 1 ? ` (${count} readings)` : ""}`.slice(
          0,
          1000,
        ),
        topic: r.topic,
        at,
        ...(r.epoch !== undefined ? { epoch: r.epoch } : {}),
        ...(r.seq !== undefined ? { seq: r.seq } : {}),
      };
      this.publish(topics.rejected(this.tenant, r.gatewayId), Buffer.from(JSON.stringify(notice)));
    }
    const last = this.lastLog.get(r.reason);
    if (last === undefined || at - last.at >= LOG_EVERY_MS) {
      this.logger.warn(
        {
          reason: r.reason,
          detail: r.message,
          topic: r.topic,
          gatewayId: r.gatewayId,
          suppressed: last?.suppressed ?? 0,
        },
        "ingest rejected",
      );
      this.lastLog.set(r.reason, { at, suppressed: 0 });
    } else {
      last.suppressed++;
    }
  }
}
