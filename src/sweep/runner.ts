/**
 * Where sweep and search tasks run: in this thread, on a piscina pool of worker threads, or (queue.ts) on
 * worker processes on any number of machines through a BullMQ queue on Redis. Every runner gives back the
 * same metrics for the same task — tasks are pure — so the choice changes speed, never results.
 */
import { runTask } from './task.js';
import type { QueueRunnerOptions } from './queue.js';
import { threadPoolRunner, type TaskRunner } from './thread-pool.js';

export { threadPoolRunner, unwrapReply, workerFile, type TaskRunner } from './thread-pool.js';

/** Runs tasks one after another in this thread, letting timers and signals through between them. */
export function inThreadRunner(): TaskRunner {
  return {
    async run(_key, task) {
      const out = await runTask(task);
      await new Promise((resolve) => setImmediate(resolve));
      return out;
    },
    async close() {},
  };
}

/**
 * The Redis queue's runner (queue.ts), imported only when a sweep or search uses a queue: BullMQ and its Redis
 * client take ~100 ms to load, which a local sweep would otherwise pay before its first task.
 */
export async function lazyQueueRunner(o: QueueRunnerOptions): Promise<TaskRunner> {
  const { queueRunner } = await import('./queue.js');
  return queueRunner(o);
}

/** In this thread for 0 workers, else a thread pool. */
export function localRunner(workers: number): TaskRunner {
  return workers === 0 ? inThreadRunner() : threadPoolRunner(workers);
}
