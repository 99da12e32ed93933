/**
 * esbuild plugin: lets the bundle run on Node 18 (Debian 12's nodejs) as well as Node 20+.
 * zlib.crc32 (Node 20.15+) backs the disk queue's record checksums; on older Node the bundle
 * gets the same CRC-32 (IEEE 802.3, zlib's) in JS, so segments stay readable across versions.
 */
import type { Plugin } from "esbuild";

const ZLIB_SHIM = `
import * as zlib from "node:zlib";
export * from "node:zlib";
export default zlib.default ?? zlib;
const TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function jsCrc32(data, value = 0) {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  let c = ~value;
  for (let i = 0; i < buf.length; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
export const crc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : jsCrc32;
`;

export const node18Shims: Plugin = {
  name: "node18-shims",
  setup(b) {
    // Only the repo's own imports: the shim itself imports the real node:zlib.
    b.onResolve({ filter: /^node:zlib$/ }, (args) =>
      args.importer.includes("/node_modules/") || args.namespace === "ct-shim"
        ? undefined
        : { path: "zlib", namespace: "ct-shim" },
    );
    b.onLoad({ filter: /.*/, namespace: "ct-shim" }, () => ({
      contents: ZLIB_SHIM,
      loader: "js",
      resolveDir: "/",
    }));
  },
};
