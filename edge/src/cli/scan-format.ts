/**
 * Tables for `modbus scan`: every type and byte-order reading of a register dump side by side,
 * decoded by the agent's own decoder (modbus/decode.ts), so what the table shows is what a
 * point with that type and byteOrder would read. Rows start at every address of the dump:
 *   16-bit  INT16/UINT16 as sent (AB) and byte-swapped (BA)
 *   32-bit  INT32/UINT32/FLOAT32 of words [a, a+1] in ABCD, DCBA, BADC, CDAB
 *   64-bit  INT64/UINT64/FLOAT64 of words [a .. a+3] in the same four orders
 */
import { BYTE_ORDERS } from "../config/schema";
import { decodeRegisters, type ModbusType, type ResolvedPoint } from "../modbus";

const point = (type: ModbusType, byteOrder: ResolvedPoint["byteOrder"]): ResolvedPoint => ({
  key: "scan",
  table: "holding",
  address: 0,
  width: 1,
  type,
  byteOrder,
  bit: 0,
  scale: 1,
  offset: 0,
});

/** Floats to their type's precision (7 / 15 significant digits), integers exactly. */
function show(v: unknown, type: ModbusType): string {
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(type === "FLOAT32" ? 7 : 15)));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padStart(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The three tables for `words` read from `start`. */
export function formatRegisters(start: number, words: readonly number[]): string {
  const r16 = words.map((w, i) => {
    const at = (t: ModbusType, o: ResolvedPoint["byteOrder"]) =>
      show(decodeRegisters(words, i, point(t, o)), t);
    return [
      String(start + i),
      `0x${w.toString(16).padStart(4, "0")}`,
      at("INT16", "ABCD"),
      at("INT16", "BADC"),
      at("UINT16", "ABCD"),
      at("UINT16", "BADC"),
    ];
  });
  const out = [table(["addr", "hex", "INT16 AB", "INT16 BA", "UINT16 AB", "UINT16 BA"], r16)];
  for (const [width, types] of [
    [2, ["INT32", "UINT32", "FLOAT32"]],
    [4, ["INT64", "UINT64", "FLOAT64"]],
  ] as const) {
    const rows: string[][] = [];
    for (let i = 0; i + width <= words.length; i++) {
      for (const t of types) {
        const vals = BYTE_ORDERS.map((o) => show(decodeRegisters(words, i, point(t, o)), t));
        rows.push([`${start + i}..${start + i + width - 1}`, t, ...vals]);
      }
    }
    if (rows.length > 0) out.push(`${width * 16}-bit\n${table(["addr", "type", ...BYTE_ORDERS], rows)}`);
  }
  return out.join("\n\n");
}

export function formatBits(start: number, bits: readonly boolean[]): string {
  return table(
    ["addr", "value"],
    bits.map((b, i) => [String(start + i), b ? "1" : "0"]),
  );
}
