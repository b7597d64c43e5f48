import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Redis-backed suites use their own key prefixes, so files may run in parallel.
    pool: "forks",
    // The end-to-end and pipeline tests run the compiled CLI and workers: build dist once, first.
    globalSetup: ["test/e2e/build-once.ts"],
  },
});
