/**
 * Sweeps and searches on many machines: a BullMQ queue on a real Redis server.
 *
 *   coordinator  `placesim sweep|search … --queue redis://HOST:6379`   enqueues tasks, collects answers
 *   workers      `placesim worker --queue redis://HOST:6379`           on every machine, as many as you like
 *
 * A task is the same pure SweepTask a local run executes (scenario text, assignments, seed), so answers are
 * the same bytes wherever they are computed. Each job's id is the run's id (the hash of the sweep's or
 * search's definition) plus the task's key: a coordinator restarted with the same command re-adds the same
 * ids — BullMQ ignores a job id it already holds — and collects the answers that are already there. Two
 * coordinators running different sweeps on one queue never share an id, so they never mix.
 *
 * Workers run tasks in worker threads (BullMQ's sandboxed processors, queue-processor.ts), so the worker's
 * main thread keeps renewing its job locks during long runs. A worker that dies (SIGKILL, power loss) stops
 * renewing: after the lock lapses another worker's stalled-job check puts the job back on the queue and it
 * runs again. An answer is taken once per task, so nothing is counted twice.
 *
 * The queue is per placesim version (`placesim-v<version>`): a worker never sees tasks of another version.
 * Each task also carries the coordinator's version and the SHA-256 of every file the scenario reads (data
 * files, policy modules); a worker refuses a task whose version or files differ from its own, and the
 * coordinator stops with exit 2 naming the worker's reason.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { InputError } from '../errors.js';
import { PLACESIM_VERSION } from '../version.js';
import type { PolicyMetrics } from './metrics.js';
import type { TaskRunner } from './runner.js';
import type { SweepTask, TaskReply } from './task.js';
import { unwrapReply } from './runner.js';

/** What a job carries. */
export interface QueueJobData {
  version: string;
  /** The run's id: the sweep's or search's definition hash (first 16 hex digits). */
  run: string;
  key: string;
  task: SweepTask;
  /** Files the task reads, with the SHA-256 of their bytes as the coordinator saw them. */
  files: { path: string; sha256: string }[];
}

/** A refusal or environment failure reported by a worker: the coordinator maps it to exit 2. */
export const REFUSED = 'placesim worker refused the task: ';

export function queueName(version: string = PLACESIM_VERSION): string {
  return `placesim-v${version.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export { parseQueueUrl } from './queue-url.js';

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The URL without a password, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

const connectionOf = (url: string) => ({
  url,
  maxRetriesPerRequest: null,
  // Give up on a server that is not there instead of retrying for ever.
  retryStrategy: (times: number) => (times > 20 ? null : Math.min(times * 200, 2000)),
});

async function ready(what: { waitUntilReady(): Promise<unknown> }, url: string, timeoutMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      what.waitUntilReady(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    throw new InputError(`cannot reach Redis at ${safeUrl(url)}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

export interface QueueRunnerOptions {
  url: string;
  /** The run's id (definition hash); jobs are `<run>-<key>`. */
  run: string;
  /** Files every task reads (data files, policy modules): their hashes travel with each task. */
  files: string[];
  /** A line for the user (e.g. "no worker connected yet"). */
  notice?: (line: string) => void;
}

/** A TaskRunner that sends tasks to `placesim worker`s through the queue. */
export async function queueRunner(o: QueueRunnerOptions): Promise<TaskRunner> {
  const name = queueName();
  const connection = connectionOf(o.url);
  const queue = new Queue<QueueJobData, TaskReply>(name, { connection });
  const events = new QueueEvents(name, { connection });
  queue.on('error', () => {});
  events.on('error', () => {});
  await ready(queue, o.url);
  await ready(events, o.url);
  const files = o.files.map((path) => ({ path, sha256: sha256File(path) }));

  const waiting = new Map<string, { resolve: (r: TaskReply) => void; reject: (e: Error) => void }>();
  const settle = async (jobId: string): Promise<void> => {
    const w = waiting.get(jobId);
    if (!w) return;
    const job = await Job.fromId<QueueJobData, TaskReply>(queue, jobId);
    if (!job) return;
    if (job.finishedOn !== undefined && job.failedReason === undefined) {
      waiting.delete(jobId);
      const rv = job.returnvalue as TaskReply | string;
      w.resolve(typeof rv === 'string' ? (JSON.parse(rv) as TaskReply) : rv);
    } else if (job.failedReason !== undefined && (await job.isFailed())) {
      waiting.delete(jobId);
      w.reject(failure(job.data.key, job.failedReason));
    }
  };
  events.on('completed', ({ jobId }) => void settle(jobId).catch(() => {}));
  events.on('failed', ({ jobId }) => void settle(jobId).catch(() => {}));

  if ((await queue.getWorkersCount()) === 0) {
    o.notice?.(
      `no placesim ${PLACESIM_VERSION} worker is connected to ${safeUrl(o.url)} yet: tasks wait until one starts ` +
        `(\`placesim worker --queue ${safeUrl(o.url)}\`)`,
    );
  }

  return {
    async run(key: string, task: SweepTask): Promise<PolicyMetrics[]> {
      const jobId = `${o.run}-${key}`.replace(/[^A-Za-z0-9._-]/g, '_');
      const answer = new Promise<TaskReply>((resolve, reject) => waiting.set(jobId, { resolve, reject }));
      const data: QueueJobData = { version: PLACESIM_VERSION, run: o.run, key, task, files };
      await queue.add('task', data, {
        jobId,
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
      // A job left by an earlier coordinator may be finished already (no event will come), or have failed
      // (its cause may be fixed now: run it once more).
      const job = await Job.fromId<QueueJobData, TaskReply>(queue, jobId);
      if (job && (await job.isFailed())) await job.retry('failed');
      else await settle(jobId);
      return unwrapReply(await answer);
    },
    async close() {
      for (const w of waiting.values()) w.reject(new InputError('the queue was closed before every task finished'));
      waiting.clear();
      await events.close();
      await queue.close();
    },
  };
}

function failure(key: string, reason: string): Error {
  if (reason.startsWith(REFUSED)) return new InputError(`task ${key}: ${reason}`);
  if (/stalled more than allowable limit/.test(reason))
    return new InputError(`task ${key}: its workers kept dying while running it (${reason})`);
  return new Error(`task ${key} failed on a worker: ${reason}`);
}

export interface QueueWorkerOptions {
  url: string;
  /** Tasks run at once (worker threads); default 1. */
  concurrency: number;
  /** How long a job's lock lasts without renewal before another worker may take it over, ms. */
  lockDurationMs?: number;
  /** Called after each task with its key and whether it succeeded. */
  onTask?: (key: string, ok: boolean) => void;
}

export interface QueueWorkerHandle {
  /** Resolves when the worker has stopped (close() or a fatal connection error). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** Starts a worker process's queue consumer. */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const lock = o.lockDurationMs ?? 30_000;
  const processor = fileURLToPath(new URL('./queue-processor.js', import.meta.url));
  const worker = new Worker<QueueJobData, TaskReply>(queueName(), processor, {
    connection: connectionOf(o.url),
    concurrency: o.concurrency,
    useWorkerThreads: true,
    lockDuration: lock,
    stalledInterval: Math.max(1000, Math.floor(lock / 2)),
    maxStalledCount: 10,
  });
  worker.on('error', () => {});
  worker.on('completed', (job) => o.onTask?.(job.data.key, true));
  worker.on('failed', (job) => o.onTask?.(job?.data.key ?? '?', false));
  await Promise.all([ready(worker, o.url), prestart(worker, processor, o.concurrency)]);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  worker.on('closed', () => resolveClosed());
  return {
    closed,
    async close() {
      await worker.close();
      resolveClosed();
    },
  };
}

/** The part of BullMQ's (internal) pool of sandboxed processors that prestart uses. */
interface ChildPoolLike {
  retain(file: string): Promise<unknown>;
  release(child: unknown): void;
}

/**
 * Starts the worker's sandboxed processor threads now rather than at its first jobs: BullMQ starts a thread
 * when a job needs one, and the thread then loads the simulator (queue-processor.js) before it runs the job,
 * ~0.2 s of each worker's first task. Started here, they load while the worker waits for work, and BullMQ
 * takes them from its pool of free threads. The pool is BullMQ's own (not part of its typed API): without
 * it, or if a thread fails to start, the worker starts its threads as before.
 */
async function prestart(worker: Worker, file: string, n: number): Promise<void> {
  const pool = (worker as unknown as { childPool?: ChildPoolLike }).childPool;
  if (typeof pool?.retain !== 'function' || typeof pool.release !== 'function') return;
  const children = await Promise.allSettled(Array.from({ length: n }, () => pool.retain(file)));
  for (const c of children) if (c.status === 'fulfilled') pool.release(c.value);
}
