/**
 * The module piscina starts each sweep worker thread from, run from dist/ (the bundle's is cached-worker.ts,
 * which loads the same worker through the V8 code cache).
 */
export { default } from './worker.js';
