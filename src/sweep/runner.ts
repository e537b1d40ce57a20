/**
 * Where sweep and search tasks run: in this thread, on a piscina pool of worker threads, or (queue.ts) on
 * worker processes on any number of machines through a BullMQ queue on Redis. Every runner gives back the
 * same metrics for the same task — tasks are pure — so the choice changes speed, never results.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { errorFromData, InputError } from '../errors.js';
import type { PolicyMetrics } from './metrics.js';
import { runTask, type SweepTask, type TaskReply } from './task.js';
import type { QueueRunnerOptions } from './queue.js';

export interface TaskRunner {
  /**
   * Runs one task. `key` names it uniquely within its sweep or search (a queue uses it as the job id, so a
   * restarted coordinator finds the answers its predecessor's tasks left).
   */
  run(key: string, task: SweepTask): Promise<PolicyMetrics[]>;
  /**
   * Starts the runner's workers now rather than at the first task, so that they load the simulator while
   * the caller still checks its input (optional: a runner without workers to start has none).
   */
  start?(): void;
  close(): Promise<void>;
}

/** A worker's reply: its metrics, or its typed error thrown again here with its class. */
export function unwrapReply(reply: TaskReply): PolicyMetrics[] {
  if ('error' in reply) throw errorFromData(reply.error);
  return reply.metrics;
}

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

/** A piscina pool of `workers` threads, started on first use. */
export function threadPoolRunner(workers: number): TaskRunner {
  let pool: Piscina<SweepTask, TaskReply> | undefined;
  const started = (): Piscina<SweepTask, TaskReply> => {
    if (!pool) {
      const threads = Math.max(1, Math.min(workers, availableParallelism() * 4));
      pool = new Piscina<SweepTask, TaskReply>({ filename: workerFile(), minThreads: threads, maxThreads: threads });
    }
    return pool;
  };
  return {
    async run(_key, task) {
      return unwrapReply(await started().run(task));
    },
    start() {
      // Without a compiled worker (run from the TypeScript sources) there is nothing to start: the first task
      // says so, after the input has been checked, as it did before the early start.
      if (existsSync(workerPath())) started();
    },
    async close() {
      await pool?.destroy();
      pool = undefined;
    },
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

/**
 * The compiled worker next to this module; run from the TypeScript sources (vitest, a loader) there is none,
 * so say what to do. The caller can fix that (build, or workers: 0), so it is an InputError.
 */
export function workerFile(): string {
  const path = workerPath();
  if (!existsSync(path)) {
    throw new InputError(
      `the sweep worker ${path} does not exist: build with \`npx tsc -p .\` and use the compiled dist/, ` +
        'or run with workers: 0 (in this thread)',
    );
  }
  return pathToFileURL(path).href;
}

/**
 * The compiled worker thread's module next to this one: dist/sweep/worker-thread.js, or in the bundle
 * dist/bundle/worker-thread.js (cached-worker.ts: the worker loaded through the V8 code cache).
 */
function workerPath(): string {
  return fileURLToPath(new URL('./worker-thread.js', import.meta.url));
}
