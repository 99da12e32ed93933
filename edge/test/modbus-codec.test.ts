import { describe, expect, it } from "vitest";
import { modbusPointSchema } from "../src/config";
import { decodeBit, decodeRegisters, parseModbusAddress, resolveModbusPoint } from "../src/modbus";

const point = (p: Record<string, unknown>) =>
  resolveModbusPoint(modbusPointSchema.parse({ key: "v", address: 0, ...p }));

describe("parseModbusAddress", () => {
  it.each([
    ["40001", undefined, "holding", 0],
    ["30011", undefined, "input", 10],
    ["00001", undefined, "coil", 0],
    ["10001", undefined, "discrete", 0],
    ["465536", undefined, "holding", 65535],
    ["400101", "holding", "holding", 100],
    [7, undefined, "holding", 7],
    [7, "input", "input", 7],
    [0, "coil", "coil", 0],
  ] as const)("%s (register %s) → %s %d", (address, register, table, addr) => {
    expect(parseModbusAddress(address, register)).toEqual({ table, address: addr });
  });

  it.each([["40000"], ["20001"], ["465537"], ["4001"]])("rejects %s", (address) => {
    expect(() => parseModbusAddress(address)).toThrow(/Modicon/);
  });

  it("rejects a Modicon reference that contradicts register", () => {
    expect(() => parseModbusAddress("30001", "holding")).toThrow(/input reference/);
  });
});

describe("decodeRegisters", () => {
  // Hand-computed: 123.456f = 0x42F6E979; -2 (INT32) = 0xFFFFFFFE; 305419896 = 0x12345678;
  // 1.5 (FLOAT64) = 0x3FF8000000000000; -1 (INT16) = 0xFFFF; 0x1234 = 4660, byte-swapped 0x3412 = 13330.
  it.each([
    ["FLOAT32", "ABCD", [0x42f6, 0xe979], 123.456],
    ["FLOAT32", "CDAB", [0xe979, 0x42f6], 123.456],
    ["FLOAT32", "BADC", [0xf642, 0x79e9], 123.456],
    ["FLOAT32", "DCBA", [0x79e9, 0xf642], 123.456],
    ["UINT32", "ABCD", [0x1234, 0x5678], 305419896],
    ["UINT32", "CDAB", [0x5678, 0x1234], 305419896],
    ["UINT32", "BADC", [0x3412, 0x7856], 305419896],
    ["UINT32", "DCBA", [0x7856, 0x3412], 305419896],
    ["INT32", "ABCD", [0xffff, 0xfffe], -2],
    ["INT32", "CDAB", [0xfffe, 0xffff], -2],
    ["INT16", "ABCD", [0xffff], -1],
    ["INT16", "ABCD", [0x8000], -32768],
    ["UINT16", "ABCD", [0x1234], 4660],
    ["UINT16", "BADC", [0x1234], 13330],
    ["UINT16", "DCBA", [0x1234], 13330],
    ["UINT16", "CDAB", [0x1234], 4660],
    ["INT16", "BADC", [0xfeff], -2],
    ["FLOAT64", "ABCD", [0x3ff8, 0, 0, 0], 1.5],
    ["FLOAT64", "DCBA", [0, 0, 0, 0xf83f], 1.5],
    ["FLOAT64", "CDAB", [0, 0, 0, 0x3ff8], 1.5],
    ["FLOAT64", "BADC", [0xf83f, 0, 0, 0], 1.5],
    ["INT64", "ABCD", [0xffff, 0xffff, 0xffff, 0xfffe], -2],
    ["UINT64", "ABCD", [0, 0x0001, 0x0000, 0x0000], 4294967296],
    ["UINT64", "CDAB", [0x0000, 0x0000, 0x0001, 0], 4294967296],
  ] as const)("%s %s %j → %d", (type, byteOrder, words, expected) => {
    const p = point({ type, byteOrder });
    const v = decodeRegisters(words, 0, p);
    if (type === "FLOAT32") expect(v).toBeCloseTo(expected, 3);
    else expect(v).toBe(expected);
  });

  it("FLOAT32 123.456 decodes to the float32 nearest value exactly", () => {
    expect(decodeRegisters([0x42f6, 0xe979], 0, point({ type: "FLOAT32" }))).toBe(Math.fround(123.456));
  });

  it("applies scale and offset: value = raw * scale + offset", () => {
    expect(decodeRegisters([1234], 0, point({ type: "UINT16", scale: 0.1 }))).toBeCloseTo(123.4, 10);
    // decimal scales give the shortest decimal, not 206.10000000000002
    expect(decodeRegisters([2061], 0, point({ type: "UINT16", scale: 0.1 }))).toBe(206.1);
    expect(decodeRegisters([12345], 0, point({ type: "UINT16", scale: 0.01 }))).toBe(123.45);
    expect(decodeRegisters([100], 0, point({ type: "INT16", scale: 2, offset: -50 }))).toBe(150);
    // CT-DL400: INT16 BADC, 1500 mm = 0x05DC sent as 0xDC05 → 1.5 m.
    expect(
      decodeRegisters([0xdc05], 0, point({ type: "INT16", byteOrder: "BADC", scale: 0.001 })),
    ).toBeCloseTo(1.5, 10);
  });

  it("decodes at an offset inside a larger response", () => {
    expect(decodeRegisters([9, 9, 0x42f6, 0xe979], 2, point({ type: "FLOAT32" }))).toBe(Math.fround(123.456));
  });

  it("decodes BIT from a register and from coils", () => {
    expect(decodeRegisters([0b1000_0000_0000_0100], 0, point({ type: "BIT", bit: 2 }))).toBe(true);
    expect(decodeRegisters([0b1000_0000_0000_0100], 0, point({ type: "BIT", bit: 1 }))).toBe(false);
    expect(decodeRegisters([0x8000], 0, point({ type: "BIT", bit: 15 }))).toBe(true);
    expect(decodeBit([false, true, false], 1)).toBe(true);
    expect(decodeBit([false, true, false], 2)).toBe(false);
  });

  it("decodes STRING, trimming NUL padding, with byte swap for BADC", () => {
    // "CT-GD1" + NULs: 0x4354 'CT', 0x2D47 '-G', 0x4431 'D1', 0x0000
    expect(decodeRegisters([0x4354, 0x2d47, 0x4431, 0], 0, point({ type: "STRING", length: 4 }))).toBe(
      "CT-GD1",
    );
    expect(
      decodeRegisters(
        [0x5443, 0x472d, 0x3144, 0],
        0,
        point({ type: "STRING", length: 4, byteOrder: "BADC" }),
      ),
    ).toBe("CT-GD1");
  });
});

describe("resolveModbusPoint", () => {
  it("gives widths per type", () => {
    expect(point({ type: "UINT16" }).width).toBe(1);
    expect(point({ type: "FLOAT32" }).width).toBe(2);
    expect(point({ type: "UINT64" }).width).toBe(4);
    expect(point({ type: "STRING", length: 10 }).width).toBe(10);
    expect(point({ type: "BIT", address: "00001" }).width).toBe(1);
  });

  it("rejects invalid combinations", () => {
    expect(() => point({ type: "FLOAT32", address: "10001" })).toThrow(/cannot be read from discretes/);
    expect(() => point({ type: "STRING" })).toThrow(/needs length/);
    expect(() => point({ type: "UINT16", bit: 3 })).toThrow(/only for type BIT/);
    expect(() => point({ type: "FLOAT64", address: 65533 })).toThrow(/runs past/);
  });
});
