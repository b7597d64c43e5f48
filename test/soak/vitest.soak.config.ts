import { defineConfig } from "vitest/config";

/** `npm run test:soak`: the long reliability tests (worst cases, nasty corpus, faults, load). */
export default defineConfig({
  test: {
    include: ["test/soak/**/*.soak.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One file at a time: they measure time and memory, and spawn Redis and workers.
    fileParallelism: false,
  },
});
