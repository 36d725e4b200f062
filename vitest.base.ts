import { defineConfig } from 'vitest/config';

/** Every package tests the same way: test/**\/*.test.ts, one forked process per file. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
