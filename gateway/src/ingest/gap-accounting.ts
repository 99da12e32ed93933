/**
 * Tells the platform's seq gaps apart: ranges the edge itself reports as dropped (its
 * store-and-forward queue evicted them under its byte quota, or a power loss lost them;
 * GatewayStatus.queue.gaps) are accounted for; whatever remains is missing in transit and
 * needs attention. Ranges are inclusive [from, to] per epoch.
 */
import type { SeqGap } from "./sequence";

/** `gaps` minus `explained`, per epoch; the result is sorted and never overlaps `explained`. */
export function unexplainedGaps(gaps: readonly SeqGap[], explained: readonly SeqGap[]): SeqGap[] {
  const out: SeqGap[] = [];
  for (const g of gaps) {
    let pieces: SeqGap[] = [{ ...g }];
    for (const e of explained) {
      if (e.epoch !== g.epoch) continue;
      pieces = pieces.flatMap((p) => {
        if (e.to < p.from || e.from > p.to) return [p];
        const rest: SeqGap[] = [];
        if (e.from > p.from) rest.push({ epoch: p.epoch, from: p.from, to: e.from - 1 });
        if (e.to < p.to) rest.push({ epoch: p.epoch, from: e.to + 1, to: p.to });
        return rest;
      });
    }
    out.push(...pieces);
  }
  return out.sort((a, b) => a.epoch - b.epoch || a.from - b.from);
}
