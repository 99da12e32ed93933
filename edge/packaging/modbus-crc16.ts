/**
 * esbuild plugin: modbus-serial's bitwise `utils/crc16.js` becomes the table-driven
 * crc16Modbus (edge/src/modbus/crc16.ts) in the bundle; same CommonJS shape (module.exports is
 * the function), same results.
 */
import { join } from "node:path";
import type { Plugin } from "esbuild";

const TABLE_CRC = join(import.meta.dirname, "..", "src", "modbus", "crc16.ts");

export const modbusCrc16: Plugin = {
  name: "modbus-crc16",
  setup(b) {
    b.onLoad({ filter: /modbus-serial[\\/]utils[\\/]crc16\.js$/ }, () => ({
      contents: `module.exports = require(${JSON.stringify(TABLE_CRC)}).crc16Modbus;`,
      loader: "js",
    }));
  },
};
