import { defineConfig } from 'vitest/config';
import SummaryReporter from './tests/support/summary-reporter.ts';

// One config for the web build (issue 3 adds the Svelte plugin) and for vitest.
export default defineConfig({
  root: '.',
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', new SummaryReporter()],
    // The Harbin suites share one built database (tests/setup/harbin.ts); building it twice in
    // parallel on a 2-core machine is slower than building it once.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
