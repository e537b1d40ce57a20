/**
 * The sweep's pool of worker threads (piscina), in a module of its own that loads nothing of the simulator:
 * `placesim sweep` starts the threads before it loads the sweep and, through it, the whole simulator
 * (startSweepThreads), so that each thread's own start — Node's bootstrap of a fresh isolate, then the
 * worker bundle from the code cache, ~0.1–0.2 s before its first task can start — overlaps the
 * coordinator's loading instead of following it. runner.ts re-exports the pool with the other runners.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { errorFromData, InputError } from '../errors.js';
import type { PolicyMetrics } from './metrics.js';
import type { SetSpec } from './set-spec.js';
import type { Shard } from './shard.js';
import type { SweepTask, TaskReply } from './task.js';

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

/** A piscina pool of `workers` threads, started on first use. */
export function threadPoolRunner(workers: number): TaskRunner {
  let pool: Piscina<SweepTask, TaskReply> | undefined;
  const started = (): Piscina<SweepTask, TaskReply> => {
    if (!pool) {
      const threads = Math.max(1, Math.min(workers, availableParallelism() * 4));
      // recordTiming off: piscina otherwise builds two of Node's native histograms (its run and wait times,
      // which nothing here reads) before it starts the first thread, ~3–6 ms at start-up.
      pool = new Piscina<SweepTask, TaskReply>({
        filename: workerFile(),
        minThreads: threads,
        maxThreads: threads,
        recordTiming: false,
      });
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

/** What decides a sweep's local threads: how many it may use, and how many runs it holds. */
export interface SweepThreadOptions {
  sets: readonly Pick<SetSpec, 'values'>[];
  replications: number;
  /** Worker threads; default: all cores. 0: none (every task runs in the caller's thread). */
  workers?: number;
  /** Tasks go to this Redis queue: no local threads. */
  queue?: string;
  shard?: Shard;
}

/**
 * The threads a sweep's local pool should have: as many as asked (default: all cores), but no more than the
 * sweep's runs. 0 when it has none (a queue, or every task in this thread).
 */
export function sweepThreads(opts: SweepThreadOptions): number {
  if (opts.queue) return 0;
  return Math.min(opts.workers ?? availableParallelism(), runsAtMost(opts));
}

/**
 * A sweep's pool of worker threads, started now, for a caller that has the sweep's options before it has loaded
 * the sweep itself (runSweep's `threads` option; the caller closes it). Undefined when the sweep runs no local
 * threads (a queue, or workers: 0) or when no compiled worker exists (run from the sources: runSweep says so).
 */
export function startSweepThreads(opts: SweepThreadOptions): TaskRunner | undefined {
  const n = sweepThreads(opts);
  if (n === 0 || !existsSync(workerPath())) return undefined;
  const runner = threadPoolRunner(n);
  runner.start?.();
  return runner;
}

/** How many runs the sweep holds at most (before the journal says which are done): its workers' upper bound. */
function runsAtMost(opts: SweepThreadOptions): number {
  const points = opts.sets.reduce((n, s) => n * s.values.length, 1);
  return Math.ceil(points / (opts.shard?.count ?? 1)) * opts.replications;
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
 * The compiled worker thread's entry next to this one: dist/sweep/thread-entry.cjs, or in the bundle
 * dist/bundle/thread-entry.cjs (a copy), a CommonJS file that imports worker-thread.js beside it (in the
 * bundle, cached-worker.ts: the worker loaded through the V8 code cache) — see thread-entry.cts for why.
 */
function workerPath(): string {
  return fileURLToPath(new URL('./thread-entry.cjs', import.meta.url));
}
