#!/usr/bin/env node
// The `citytwin` command: runs the TypeScript CLI (model/src/cli/main.ts) through tsx,
// the repo's TypeScript runtime, so there is no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
