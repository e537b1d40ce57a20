/**
 * The sweep worker: runs one SweepTask per call, in a worker thread of the pool in thread-pool.ts (whose
 * thread entry, thread-entry.cts, imports worker-thread.ts — in the bundle cached-worker.ts — and calls the
 * default export). A typed error comes back as data (see TaskReply), so the main thread rethrows it with its
 * class and src/app/exit.ts maps it like any other.
 */
import { runTaskReply, type SweepTask, type TaskReply } from './task.js';

export default function sweepWorker(task: SweepTask): Promise<TaskReply> {
  return runTaskReply(task);
}
