/**
 * Request planner: coalesces one device's points into as few reads as the protocol allows.
 * Limits per request [Modbus AP v1.1b3 §6.1-6.4]: FC1/FC2 read 1..2000 bits, FC3/FC4 read
 * 1..125 registers. Points are merged per table when the gap between them is at most `maxGap`
 * registers/bits. The default gap is 0 (contiguous only): reading unmapped addresses is the
 * usual cause of exception 2 (Illegal Data Address) on field devices.
 */
import { isBitTable, type RegisterTable, type ResolvedPoint } from "./point";

export const MAX_READ_REGISTERS = 125;
export const MAX_READ_BITS = 2000;

export const FUNCTION_CODES: Record<RegisterTable, 1 | 2 | 3 | 4> = {
  coil: 1,
  discrete: 2,
  holding: 3,
  input: 4,
};

export interface PlannedPoint {
  point: ResolvedPoint;
  /** Index of the point's first word/bit within the request's response. */
  index: number;
}

export interface ReadRequest {
  table: RegisterTable;
  fc: 1 | 2 | 3 | 4;
  start: number;
  count: number;
  points: PlannedPoint[];
}

export interface PlanOptions {
  maxGap?: number;
  maxRegisters?: number;
  maxBits?: number;
}

const TABLE_ORDER: RegisterTable[] = ["holding", "input", "coil", "discrete"];

export function planReads(points: readonly ResolvedPoint[], options: PlanOptions = {}): ReadRequest[] {
  const maxGap = options.maxGap ?? 0;
  const out: ReadRequest[] = [];
  for (const table of TABLE_ORDER) {
    const limit = isBitTable(table)
      ? (options.maxBits ?? MAX_READ_BITS)
      : (options.maxRegisters ?? MAX_READ_REGISTERS);
    const sorted = points
      .filter((p) => p.table === table)
      .sort((a, b) => a.address - b.address || b.width - a.width);
    let cur: ReadRequest | undefined;
    for (const p of sorted) {
      const end = p.address + p.width;
      if (cur !== undefined) {
        const curEnd = cur.start + cur.count;
        const newCount = Math.max(curEnd, end) - cur.start;
        if (p.address - curEnd <= maxGap && newCount <= limit) {
          cur.count = newCount;
          cur.points.push({ point: p, index: p.address - cur.start });
          continue;
        }
      }
      cur = {
        table,
        fc: FUNCTION_CODES[table],
        start: p.address,
        count: p.width,
        points: [{ point: p, index: 0 }],
      };
      out.push(cur);
    }
  }
  return out;
}
