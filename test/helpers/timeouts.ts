/**
 * Time limits for the test suite, sized for a loaded 2-core machine (the other core busy with something
 * else): generous, because a slow machine is not a bug, but finite, so a hang still fails.
 */

/** Per test and per hook (vitest.config.ts). */
export const TEST_TIMEOUT_MS = 300_000;

/**
 * For a child process a test spawns: shorter than the test's limit, so a hung child is killed and reported
 * by the test itself instead of outliving it.
 */
export const CHILD_TIMEOUT_MS = TEST_TIMEOUT_MS - 30_000;
