import { defineConfig } from 'vitest/config';

// One config for the web build (issue 3 adds the Svelte plugin) and for vitest.
export default defineConfig({
  root: '.',
  test: {
    include: ['tests/**/*.test.ts'],
    // The Harbin suites share one built database (tests/setup/harbin.ts); building it twice in
    // parallel on a 2-core machine is slower than building it once.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
