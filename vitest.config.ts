import { defineConfig } from "vitest/config";

// One runner for the repo. Unit tests sit beside their package (`<pkg>/test/*.test.ts`);
// cross-process tests live in `test/`. Integration tests start real servers, so give them time.
export default defineConfig({
  test: {
    include: ["{model,edge,gateway,simulators,twin-viewer,test}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
