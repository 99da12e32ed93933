/** The table-driven CRC-16/MODBUS gives modbus-serial's bitwise results (the bundle swaps them). */
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParams } from "../../model/test/fuzz-support";
import { crc16Modbus } from "../src/modbus/crc16";

const bitwise = createRequire(import.meta.url)("modbus-serial/utils/crc16.js") as (b: Buffer) => number;

describe("crc16Modbus", () => {
  it("matches the spec's example and modbus-serial's bitwise CRC", () => {
    // Modbus over Serial Line v1.02 §6.2.2 style check value: "123456789" → 0x4B37.
    expect(crc16Modbus(Buffer.from("123456789"))).toBe(0x4b37);
    expect(crc16Modbus(Buffer.alloc(0))).toBe(0xffff);
    // A read-holding-registers request, unit 1, 0x0000 × 10: CRC bytes C5 CD on the wire (LE).
    expect(crc16Modbus(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]))).toBe(0xcdc5);
  });

  it("equals the bitwise CRC on random frames", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 260 }), (bytes) => {
        const buf = Buffer.from(bytes);
        expect(crc16Modbus(buf)).toBe(bitwise(buf));
      }),
      fuzzParams(2_000),
    );
  });
});
