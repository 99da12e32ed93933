import { describe, expect, it } from "vitest";
import {
  decodeWords,
  encodeValue,
  resolveAddress,
  type ByteOrder,
  type RegisterPoint,
} from "../src/protocols";

const p = (type: string, byteOrder: ByteOrder, scale = 1, offset = 0): RegisterPoint => ({
  address: 0,
  type,
  byteOrder,
  scale,
  offset,
});

describe("register codec", () => {
  it("encodes FLOAT32 123.456 in all four byte orders (0x42F6E979)", () => {
    expect(encodeValue(123.456, p("FLOAT32", "ABCD"))).toEqual([0x42f6, 0xe979]);
    expect(encodeValue(123.456, p("FLOAT32", "CDAB"))).toEqual([0xe979, 0x42f6]);
    expect(encodeValue(123.456, p("FLOAT32", "BADC"))).toEqual([0xf642, 0x79e9]);
    expect(encodeValue(123.456, p("FLOAT32", "DCBA"))).toEqual([0x79e9, 0xf642]);
  });

  it("encodes 16-bit types using the first two letters of the order", () => {
    expect(encodeValue(0x1234, p("UINT16", "ABCD"))).toEqual([0x1234]);
    expect(encodeValue(0x1234, p("UINT16", "CDAB"))).toEqual([0x1234]);
    expect(encodeValue(0x1234, p("UINT16", "BADC"))).toEqual([0x3412]);
    expect(encodeValue(0x1234, p("UINT16", "DCBA"))).toEqual([0x3412]);
    expect(encodeValue(-2, p("INT16", "ABCD"))).toEqual([0xfffe]);
    expect(encodeValue(-2, p("INT16", "BADC"))).toEqual([0xfeff]);
    // CT-DL400: 0.391 m as mm, INT16 BADC → 391 = 0x0187 → [0x8701]
    expect(encodeValue(0.391, p("INT16", "BADC", 0.001))).toEqual([0x8701]);
  });

  it("encodes 32- and 64-bit integers and FLOAT64 with scale and offset", () => {
    // CT-WM300 flow: 305.27 m3/h ×0.01 → 30527 = 0x0000773F
    expect(encodeValue(305.27, p("UINT32", "ABCD", 0.01))).toEqual([0x0000, 0x773f]);
    expect(encodeValue(0x12345678, p("UINT32", "CDAB"))).toEqual([0x5678, 0x1234]);
    expect(encodeValue(0x12345678, p("UINT32", "BADC"))).toEqual([0x3412, 0x7856]);
    expect(encodeValue(0x12345678, p("UINT32", "DCBA"))).toEqual([0x7856, 0x3412]);
    expect(encodeValue(-1, p("INT32", "ABCD"))).toEqual([0xffff, 0xffff]);
    expect(encodeValue(-100, p("INT32", "ABCD", 1, -50))).toEqual([0xffff, 0xffce]); // raw -50
    // 1.0 = 0x3FF0000000000000
    expect(encodeValue(1, p("FLOAT64", "ABCD"))).toEqual([0x3ff0, 0, 0, 0]);
    expect(encodeValue(1, p("FLOAT64", "CDAB"))).toEqual([0, 0, 0, 0x3ff0]);
    expect(encodeValue(1, p("FLOAT64", "DCBA"))).toEqual([0, 0, 0, 0xf03f]);
    expect(encodeValue(1, p("FLOAT64", "BADC"))).toEqual([0xf03f, 0, 0, 0]);
    expect(encodeValue(0x0102030405, p("UINT64", "ABCD"))).toEqual([0x0000, 0x0001, 0x0203, 0x0405]);
  });

  it("rounds and clamps integer types", () => {
    expect(encodeValue(205.36, p("UINT16", "ABCD", 0.1))).toEqual([2054]);
    expect(encodeValue(-3, p("UINT16", "ABCD"))).toEqual([0]);
    expect(encodeValue(70_000, p("INT16", "ABCD"))).toEqual([0x7fff]);
    expect(encodeValue(-2.5, p("INT16", "ABCD"))).toEqual([0xfffd]);
  });

  it("round-trips every type and byte order", () => {
    const cases: [string, number, number][] = [
      ["INT16", -1234, 1],
      ["UINT16", 54321, 1],
      ["INT32", -123456789, 1],
      ["UINT32", 3_000_000_000, 1],
      ["INT64", -9_007_199_254_740, 1],
      ["UINT64", 9_007_199_254_740, 1],
      ["FLOAT32", 123.456, 1e-4],
      ["FLOAT64", Math.PI, 0],
    ];
    for (const order of ["ABCD", "DCBA", "BADC", "CDAB"] as const) {
      for (const [type, v, tol] of cases) {
        const words = encodeValue(v, p(type, order));
        const back = decodeWords(words, p(type, order));
        if (tol === 0) expect(back, `${type} ${order}`).toBe(v);
        else expect(Math.abs(back - v), `${type} ${order}`).toBeLessThan(tol);
      }
    }
  });

  it("maps Modicon references and protocol addresses", () => {
    expect(resolveAddress({ address: "40001" })).toEqual({ table: "holding", address: 0 });
    expect(resolveAddress({ address: "30011", register: "input" })).toEqual({ table: "input", address: 10 });
    expect(resolveAddress({ address: "400101" })).toEqual({ table: "holding", address: 100 });
    expect(resolveAddress({ address: 0, register: "input" })).toEqual({ table: "input", address: 0 });
    expect(resolveAddress({ address: 100 })).toEqual({ table: "holding", address: 100 });
    expect(() => resolveAddress({ address: "30011", register: "holding" })).toThrow(/input register/);
  });
});
