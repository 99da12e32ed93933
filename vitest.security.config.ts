import { defineConfig } from "vitest/config";

// The security test suite (docs/security.md, "Security test suite"): `npm run test:security`.
// It writes test-output/security-report.{md,json}.
export default defineConfig({
  test: {
    include: ["test/security/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
