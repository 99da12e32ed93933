import { defineConfig } from "vitest/config";

// The viewer in a real browser (test/browser/: Debian chromium, WebGL on SwiftShader), most of
// them against the real platform. Software WebGL takes a core to itself, so these files run one
// at a time (`npm run test:browser`), never beside the rest of `vitest run`.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
  },
});
