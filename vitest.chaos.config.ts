import { defineConfig } from "vitest/config";

// The chaos suite (test/chaos/, docs/reliability.md "Chaos suite"): the whole platform through
// process kills, an InfluxDB outage and a network partition. Minutes long, so it is kept out of
// the default `vitest run` (vitest.config.ts) and run by `npm run test:chaos`.
export default defineConfig({
  test: {
    include: ["test/chaos/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    // The phases build on each other (one platform, one ledger); never retried or reordered.
    sequence: { shuffle: false },
  },
});
