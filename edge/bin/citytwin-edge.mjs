#!/usr/bin/env node
// The `citytwin-edge` command: runs the TypeScript CLI (edge/src/cli/main.ts) through tsx, the
// repo's TypeScript runtime, so there is no build step. The ARM bundle (edge/packaging) runs the
// same CLI precompiled.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exit(await main(process.argv.slice(2)));
