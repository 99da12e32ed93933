/**
 * Generates model/schemas/*.schema.json from the zod schemas (the single source of truth).
 *   tsx model/scripts/generate-json-schemas.ts          write the files
 *   tsx model/scripts/generate-json-schemas.ts --check  fail if a committed file differs
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WIRE_SCHEMAS, jsonSchemaOf } from "../src/json-schemas";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "schemas");
const check = process.argv.includes("--check");
const stale: string[] = [];

mkdirSync(outDir, { recursive: true });
for (const [name, schema] of Object.entries(WIRE_SCHEMAS)) {
  const file = join(outDir, `${name}.schema.json`);
  const text = `${JSON.stringify(jsonSchemaOf(name, schema), null, 2)}\n`;
  if (check) {
    if (!existsSync(file) || readFileSync(file, "utf8") !== text) stale.push(file);
  } else {
    writeFileSync(file, text);
  }
}

if (stale.length > 0) {
  console.error(
    `JSON Schemas out of date with the zod schemas:\n  ${stale.join("\n  ")}\nRun: npm run schemas`,
  );
  process.exit(1);
}
console.log(
  check
    ? "JSON Schemas match the zod schemas"
    : `wrote ${Object.keys(WIRE_SCHEMAS).length} schemas to ${outDir}`,
);
