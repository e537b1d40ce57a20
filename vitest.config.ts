import { defineConfig } from 'vitest/config';
import { TEST_TIMEOUT_MS } from './test/helpers/timeouts.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One limit for every test and hook, sized for a loaded 2-core machine (test/helpers/timeouts.ts);
    // no test file sets its own.
    testTimeout: TEST_TIMEOUT_MS,
    hookTimeout: TEST_TIMEOUT_MS,
  },
});
