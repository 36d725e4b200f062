import { defineConfig } from 'vitest/config';

/** Every package tests the same way: test/**\/*.test.ts, one forked process per file. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Building ResNet-50 or VGG-16 in a beforeAll takes seconds; under a loaded CI machine, more than the 10 s default.
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
