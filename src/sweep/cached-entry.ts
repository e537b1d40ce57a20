/**
 * A worker thread's entry (the sweep's pool worker, the queue's sandboxed processor) loaded through the
 * V8 code cache, as bin/placesim loads the CLI (src/app/code-cache.ts): each thread is a fresh isolate that
 * would otherwise parse and compile the simulator, yaml and zod again before its first task (~120 ms of CPU
 * a thread), and compile lazily, function by function, the code its first run calls.
 *
 * Only the bundle uses this: scripts/bundle.mjs bundles each of worker.ts and queue-processor.ts as a
 * CommonJS script (`worker.cjs`, `queue-processor.cjs`), and cached-worker.ts / cached-processor.ts with this
 * module as the small ES modules a thread starts from (`worker-thread.js`, which the sweep's pool starts;
 * `queue-processor.js`, which BullMQ loads by file name).
 */
import { loadBundleEntry } from '../app/code-cache.js';

type Task<A, R> = (arg: A) => Promise<R>;

/**
 * The default export of the bundle entry `file`, loaded through the code cache of `kind`. When there was no
 * usable cache, it is written once the first call has finished, so that it holds the functions a task
 * compiles, not only the module's top level. Writing never fails a task (loadBundleEntry's saveCache).
 */
export async function cachedEntry<A, R>(file: URL, kind: string): Promise<Task<A, R>> {
  const entry = await loadBundleEntry<{ default: Task<A, R> }>(file, { kind });
  const run = entry.exports.default;
  let pending = entry.cache === 'miss' || entry.cache === 'rejected';
  return async (arg: A): Promise<R> => {
    if (!pending) return run(arg);
    try {
      return await run(arg);
    } finally {
      pending = false;
      entry.saveCache();
    }
  };
}
