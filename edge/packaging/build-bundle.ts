/**
 * `npm run package:edge` (tsx edge/packaging/build-bundle.ts): builds the deployable edge bundle
 *   dist/edge/citytwin-edge.mjs    agent + CLI entry (esbuild ESM), no compile step on the box
 *   dist/edge/chunks/              lazily loaded parts (OPC UA, MQTT-JSON poles)
 *   dist/edge/node_modules/        native externals with linux-arm/arm64/x64 prebuilds only
 *   dist/edge/profiles/ edge.sample.yaml citytwin-edge.service install.sh INSTALL.md VERSION
 *   dist/citytwin-edge-<version>.tar.gz
 * then smoke-tests `node citytwin-edge.mjs validate` from a directory outside the repo.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { AGENT_VERSION } from "../src/version";
import { copyExternals } from "./externals";
import { modbusCrc16 } from "./modbus-crc16";
import { node18Shims } from "./node18-shims";

const EDGE = join(import.meta.dirname, "..");
const ROOT = join(EDGE, "..");
const OUT = join(ROOT, "dist", "edge");
/** Native addon (loads its prebuild relative to its own folder), and an optional import never taken. */
const NATIVE = ["@serialport/bindings-cpp"];
const MISSING_OPTIONAL = ["proper-lockfile"];
/** armv6/armv7 (linux-arm), aarch64 (linux-arm64), and x64 for staging/CI hosts. */
const PREBUILDS = ["linux-arm", "linux-arm64", "linux-x64"];

// CommonJS code inside the ESM bundle still calls require() and reads __dirname.
const BANNER = [
  'import { createRequire as __ctRequire } from "node:module";',
  'import { fileURLToPath as __ctPath } from "node:url";',
  'import { dirname as __ctDirname } from "node:path";',
  "const require = __ctRequire(import.meta.url);",
  "const __filename = __ctPath(import.meta.url);",
  "const __dirname = __ctDirname(__filename);",
].join(" ");

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const result = await build({
    entryPoints: { "citytwin-edge": join(EDGE, "packaging", "entry.ts") },
    outdir: OUT,
    outExtension: { ".js": ".mjs" },
    // Dynamic imports stay lazy chunks: node-opcua (≈ 40 MB of heap) loads only when a config
    // has an opcua device or `opcua browse` runs, so a Modbus-only gateway never pays for it.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    // Debian 12 ships Node 18; the bundle must load there too.
    target: "node18",
    external: [...NATIVE, ...MISSING_OPTIONAL],
    plugins: [node18Shims, modbusCrc16],
    banner: { js: `#!/usr/bin/env node\n${BANNER}` },
    legalComments: "none",
    // V8 keeps every loaded script's source on the heap, and a source with one non-ASCII
    // character in a comment is held as a two-byte string: stripping comments and whitespace
    // takes the sources the Modbus agent loads from ≈ 4.5 MB to ≈ 1.5 MB. Identifiers stay,
    // so stack traces keep function names.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: "ascii",
    logLevel: "warning",
  });
  if (result.errors.length > 0) throw new Error("esbuild failed");
  chmodSync(join(OUT, "citytwin-edge.mjs"), 0o755);

  const copied = copyExternals(NATIVE, EDGE, join(OUT, "node_modules"), PREBUILDS);
  cpSync(join(EDGE, "profiles"), join(OUT, "profiles"), { recursive: true });
  for (const f of ["edge.sample.yaml", "citytwin-edge.service", "install.sh"])
    cpSync(join(EDGE, "packaging", f), join(OUT, f));
  cpSync(join(ROOT, "docs", "edge-packaging.md"), join(OUT, "INSTALL.md"));
  writeFileSync(join(OUT, "VERSION"), `${AGENT_VERSION}\n`);

  const tarball = join(ROOT, "dist", `citytwin-edge-${AGENT_VERSION}.tar.gz`);
  execFileSync("tar", ["-czf", tarball, "--owner=0", "--group=0", "-C", join(ROOT, "dist"), "edge"]);

  // Smoke test: unpack elsewhere and validate a config that uses the shipped profiles.
  const tmp = mkdtempSync(join(tmpdir(), "ct-edge-bundle-"));
  try {
    execFileSync("tar", ["-xzf", tarball, "-C", tmp]);
    const cfg = join(tmp, "edge.yaml");
    writeFileSync(
      cfg,
      `version: 1\ngateway: { tenant: hefei, id: gw-smoke }\nmqtt: { url: "mqtt://127.0.0.1:1883" }\n` +
        `profileDirs: [${join(tmp, "edge", "profiles")}]\ndevices:\n` +
        `  - { id: 340111-GVC-00007-D01, driver: modbus, profile: ct-gd100-methane, host: 127.0.0.1, unitId: 7 }\n`,
    );
    const out = execFileSync(
      process.execPath,
      [join(tmp, "edge", "citytwin-edge.mjs"), "validate", "--config", cfg],
      {
        cwd: tmp,
        encoding: "utf8",
      },
    );
    if (!out.includes("OK")) throw new Error(`bundle smoke test failed:\n${out}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const mb = (p: string) => (statSync(p).size / 1e6).toFixed(1);
  const prebuilds = join(OUT, "node_modules", "@serialport", "bindings-cpp", "prebuilds");
  process.stdout.write(
    [
      `bundle     ${join(OUT, "citytwin-edge.mjs")} (${mb(join(OUT, "citytwin-edge.mjs"))} MB)`,
      `externals  ${copied.map((p) => `${p.name}@${p.version}`).join(", ")}`,
      `prebuilds  ${readdirSync(prebuilds)
        .flatMap((d) => readdirSync(join(prebuilds, d)).map((f) => `${d}/${f}`))
        .join(", ")}`,
      `tarball    ${tarball} (${mb(tarball)} MB)`,
      "smoke test validate from outside the repo: OK",
      "",
    ].join("\n"),
  );
}

await main();
