/**
 * Where sweep and search tasks run: in this thread, on a pool of worker threads, or (queue.ts) on
 * worker processes on any number of machines through a BullMQ queue on Redis. Every runner gives back the
 * same metrics for the same task — tasks are pure — so the choice changes speed, never results.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorFromData, InputError } from '../errors.js';
import type { PolicyMetrics } from './metrics.js';
import { runTask, type SweepTask, type TaskReply } from './task.js';
import type { ThreadRequest, ThreadResponse } from './thread.js';
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

/**
 * A fixed pool of `workers` threads, started on first use (or by `start`), each running one task at a time;
 * tasks wait in a FIFO list for the first free thread. It is node:worker_threads and ~80 lines rather than a
 * pool library: piscina cost the coordinator ~30 ms of CPU to load and each thread its own loader before the
 * sweep's worker module, all of it before the first run (docs/performance.md, "Sweeps").
 */
export function threadPoolRunner(workers: number): TaskRunner {
  let pool: ThreadPool | undefined;
  const started = (): ThreadPool =>
    (pool ??= new ThreadPool(workerFile(), Math.max(1, Math.min(workers, availableParallelism() * 4))));
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
      await pool?.close();
      pool = undefined;
    },
  };
}

interface Job {
  id: number;
  task: SweepTask;
  resolve: (reply: TaskReply) => void;
  reject: (e: unknown) => void;
}

class ThreadPool {
  private readonly idle: Worker[] = [];
  private readonly threads = new Set<Worker>();
  private readonly busy = new Map<Worker, Job>();
  private readonly waiting: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly file: URL,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  run(task: SweepTask): Promise<TaskReply> {
    if (this.closed) return Promise.reject(new Error('the sweep worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, task, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new Error('the sweep worker pool is closed'));
    await Promise.all([...this.threads].map((w) => w.terminate()));
  }

  private spawn(): void {
    const w = new Worker(this.file);
    this.threads.add(w);
    this.idle.push(w);
    w.on('message', (m: ThreadResponse) => {
      const job = this.busy.get(w);
      if (job === undefined || job.id !== m.id) return;
      this.busy.delete(w);
      this.idle.push(w);
      if ('reply' in m) job.resolve(m.reply);
      else job.reject(m.bug);
      this.dispatch();
    });
    // A thread that dies (an uncaught error, running out of memory) fails the task it held and is replaced.
    const died = (e: unknown): void => {
      if (!this.threads.delete(w)) return;
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      const job = this.busy.get(w);
      this.busy.delete(w);
      job?.reject(e);
      if (!this.closed) {
        this.spawn();
        this.dispatch();
      }
    };
    w.on('error', died);
    w.on('exit', (code) => died(new Error(`a sweep worker thread exited with code ${code}`)));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const w = this.idle.shift()!;
      const job = this.waiting.shift()!;
      this.busy.set(w, job);
      w.postMessage({ id: job.id, task: job.task } satisfies ThreadRequest);
    }
  }
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
export function workerFile(): URL {
  const path = workerPath();
  if (!existsSync(path)) {
    throw new InputError(
      `the sweep worker ${path} does not exist: build with \`npx tsc -p .\` and use the compiled dist/, ` +
        'or run with workers: 0 (in this thread)',
    );
  }
  return pathToFileURL(path);
}

/**
 * The compiled worker thread's entry next to this module: dist/sweep/worker-thread.js, or in the bundle
 * dist/bundle/worker-thread.js (cached-worker.ts).
 */
function workerPath(): string {
  return fileURLToPath(new URL('./worker-thread.js', import.meta.url));
}
