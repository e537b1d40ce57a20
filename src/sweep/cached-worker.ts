/**
 * A sweep worker thread's entry in the bundle (dist/bundle/worker-thread.js): the worker itself (worker.ts,
 * bundled as dist/bundle/worker.cjs) loaded through the V8 code cache (cached-entry.ts), serving the tasks
 * of the pool in runner.ts.
 */
import { cachedEntry } from './cached-entry.js';
import type { SweepTask, TaskReply } from './task.js';
import { serveTasks } from './thread.js';

serveTasks(await cachedEntry<SweepTask, TaskReply>(new URL('./worker.cjs', import.meta.url), 'sweep-worker'));
