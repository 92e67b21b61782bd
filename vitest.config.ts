import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // End-to-end tests spawn real process trees; two cores are shared by every file.
    maxWorkers: 2,
  },
});
