/**
 * Runs the scenario variants a search asks about — each under every seed — on the sweep's worker pool (or in
 * this thread), remembers every answer, and journals it so that an interrupted search resumes without
 * running anything twice.
 *
 * An evaluation is (variant, policy): the variant's assignments run for one policy under seeds seed..seed+R-1
 * (common random numbers, as in a sweep). Tasks are pure, so the answer does not depend on which worker ran
 * it or when; a search that asks the same question twice gets the cached promise.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { errorFromData, InputError } from '../errors.js';
import type { MetricStat } from '../metrics/sweep-result.js';
import type { Assignment } from '../sweep/grid.js';
import type { PolicyMetrics } from '../sweep/metrics.js';
import { summarize } from '../sweep/stats.js';
import { runTask, type SweepTask, type TaskReply } from '../sweep/task.js';
import type { SearchJournal } from './journal.js';

export interface EvaluatorOptions {
  text: string;
  file: string;
  seeds: number[];
  policyModules: string[];
  /** Worker threads; 0 runs every task in this thread. */
  workers: number;
  journal?: SearchJournal;
  /** Called after each run (one variant, one policy, one seed) finishes. */
  onRun?: () => void;
}

/** Per-seed metric values of one evaluation, in seed order. */
export type Replications = Record<string, number | null>[];

export class Evaluator {
  private readonly cache = new Map<string, Promise<Replications>>();
  private pool: Piscina<SweepTask, TaskReply> | undefined;
  /** Runs done (journaled ones count), and runs asked for. */
  runsDone = 0;
  runsAsked = 0;

  constructor(private readonly o: EvaluatorOptions) {
    for (const [key, reps] of o.journal?.done ?? []) this.cache.set(key, Promise.resolve(reps));
  }

  /** The replications of (variant, policy); `key` must identify the variant uniquely. */
  evaluate(key: string, assignments: Assignment[], policy: string): Promise<Replications> {
    const k = `${key}\u0000${policy}`;
    let p = this.cache.get(k);
    if (p) return p;
    this.runsAsked += this.o.seeds.length;
    p = Promise.all(this.o.seeds.map((seed) => this.runOne(assignments, policy, seed))).then((reps) => {
      this.o.journal?.append(k, reps);
      return reps;
    });
    this.cache.set(k, p);
    return p;
  }

  private async runOne(
    assignments: Assignment[],
    policy: string,
    seed: number,
  ): Promise<Record<string, number | null>> {
    const task: SweepTask = {
      text: this.o.text,
      file: this.o.file,
      assignments,
      seed,
      policies: [policy],
      ...(this.o.policyModules.length > 0 ? { policyModules: this.o.policyModules } : {}),
    };
    let out: PolicyMetrics[];
    if (this.o.workers === 0) {
      out = await runTask(task);
      // Let timers and signals through between runs (progress redraws, Ctrl-C).
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      const reply = await this.workerPool().run(task);
      if ('error' in reply) throw errorFromData(reply.error);
      out = reply.metrics;
    }
    this.runsDone++;
    this.o.onRun?.();
    return out[0].values;
  }

  private workerPool(): Piscina<SweepTask, TaskReply> {
    if (!this.pool) {
      const threads = Math.max(1, Math.min(this.o.workers, availableParallelism() * 4));
      this.pool = new Piscina<SweepTask, TaskReply>({
        filename: workerFile(),
        minThreads: threads,
        maxThreads: threads,
      });
    }
    return this.pool;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}

/** Mean and 95% half-width of every metric over the replications. */
export function statsOf(reps: Replications): Record<string, MetricStat | null> {
  const names = new Set<string>();
  for (const r of reps) for (const k of Object.keys(r)) names.add(k);
  const out: Record<string, MetricStat | null> = {};
  for (const name of names) out[name] = summarize(reps.map((r) => r[name] ?? null));
  return out;
}

/** The sweep's compiled worker (a search runs the same tasks). */
function workerFile(): string {
  const url = new URL('../sweep/worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new InputError(
      `the sweep worker ${fileURLToPath(url)} does not exist: build with \`npx tsc -p .\` and use the compiled dist/, ` +
        'or run the search with workers: 0 (in this thread)',
    );
  }
  return url.href;
}
