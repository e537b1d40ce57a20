/**
 * A sweep worker thread's module in the bundle (dist/bundle/worker-thread.js), which the thread's entry
 * imports (thread-entry.cts): the worker itself (worker.ts, bundled as dist/bundle/worker.cjs) loaded through
 * the V8 code cache (cached-entry.ts).
 */
import { cachedEntry } from './cached-entry.js';
import type { SweepTask, TaskReply } from './task.js';

export default await cachedEntry<SweepTask, TaskReply>(new URL('./worker.cjs', import.meta.url), 'sweep-worker');
