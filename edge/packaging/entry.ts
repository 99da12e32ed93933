/** Bundle entry: `node citytwin-edge.mjs <command>` is `citytwin-edge <command>` (cli/main.ts). */
import { main } from "../src/cli/main";

process.exit(await main(process.argv.slice(2)));
