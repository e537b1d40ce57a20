/**
 * A sweep worker thread's entry, run from dist/ (the bundle's is cached-worker.ts): serves the tasks of the
 * pool in runner.ts with worker.ts.
 */
import { serveTasks } from './thread.js';
import sweepWorker from './worker.js';

serveTasks(sweepWorker);
