import { defineConfig } from "vitest/config";

// One runner for the repo. Unit tests sit beside their package (`<pkg>/test/*.test.ts`);
// cross-process tests live in `test/`. Integration tests start real servers, so give them time.
export default defineConfig({
  test: {
    include: ["{model,edge,gateway,simulators,twin-viewer,test}/**/*.test.ts"],
    // test/chaos/: minutes long, run by `npm run test:chaos` (vitest.chaos.config.ts).
    // test/security/: `npm run test:security` (vitest.security.config.ts), writes its report.
    // test/browser/: `npm run test:browser` (vitest.browser.config.ts), one file at a time.
    exclude: ["**/node_modules/**", "**/dist/**", "test/chaos/**", "test/security/**", "test/browser/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
