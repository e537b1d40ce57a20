/**
 * The piscina worker: runs one SweepTask per call. Compiled to dist/sweep/worker.js, which run-sweep.ts
 * loads; piscina calls the default export.
 */
import { runTask, type SweepTask } from './task.js';
import type { PolicyMetrics } from './metrics.js';

export default function sweepWorker(task: SweepTask): Promise<PolicyMetrics[]> {
  return runTask(task);
}
