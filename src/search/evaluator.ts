/**
 * Runs the scenario variants a search asks about — each under every seed — on a TaskRunner (this thread,
 * worker threads or a Redis queue), remembers every answer, and journals it so that an interrupted search resumes without
 * running anything twice.
 *
 * An evaluation is (variant, policy): the variant's assignments run for one policy under seeds seed..seed+R-1
 * (common random numbers, as in a sweep). Tasks are pure, so the answer does not depend on which worker ran
 * it or when; a search that asks the same question twice gets the cached promise.
 */
import { createHash } from 'node:crypto';
import type { MetricStat } from '../metrics/sweep-result.js';
import type { Assignment } from '../sweep/grid.js';
import { summarize } from '../sweep/stats.js';
import type { TaskRunner } from '../sweep/runner.js';
import type { SweepTask } from '../sweep/task.js';
import type { InputLimits } from '../app/load-run.js';
import type { SearchJournal } from './journal.js';

export interface EvaluatorOptions {
  text: string;
  file: string;
  seeds: number[];
  policyModules: string[];
  /** Where tasks run (this thread, worker threads, a Redis queue). */
  runner: TaskRunner;
  /** Input limits every run keeps (--allow-read, --max-events). */
  limits?: InputLimits;
  journal?: SearchJournal;
  /** Evaluations known already (merge: the shards' answers). */
  preloaded?: Map<string, Replications>;
  /** Called after each run (one variant, one policy, one seed) finishes. */
  onRun?: () => void;
}

/** Per-seed metric values of one evaluation, in seed order. */
export type Replications = Record<string, number | null>[];

export class Evaluator {
  private readonly cache = new Map<string, Promise<Replications>>();
  /** Runs done (journaled ones do not count), and runs asked for. */
  runsDone = 0;
  runsAsked = 0;

  /** Every finished evaluation, by key (journaled and preloaded ones included). */
  private readonly done = new Map<string, Replications>();

  constructor(private readonly o: EvaluatorOptions) {
    for (const source of [
      o.preloaded ?? new Map<string, Replications>(),
      o.journal?.done ?? new Map<string, Replications>(),
    ]) {
      for (const [key, reps] of source) {
        this.cache.set(key, Promise.resolve(reps));
        this.done.set(key, reps);
      }
    }
  }

  /** The finished evaluations, sorted by key: what a shard file carries. */
  entries(): [string, Replications][] {
    return [...this.done.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The replications of (variant, policy); `key` must identify the variant uniquely. */
  evaluate(key: string, assignments: Assignment[], policy: string): Promise<Replications> {
    const k = `${key}\u0000${policy}`;
    let p = this.cache.get(k);
    if (p) return p;
    this.runsAsked += this.o.seeds.length;
    const id = createHash('sha256').update(k).digest('hex').slice(0, 20);
    p = Promise.all(this.o.seeds.map((seed, r) => this.runOne(`${id}-r${r}`, assignments, policy, seed))).then(
      (reps) => {
        this.done.set(k, reps);
        this.o.journal?.append(k, reps);
        return reps;
      },
    );
    this.cache.set(k, p);
    return p;
  }

  private async runOne(
    key: string,
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
      ...(this.o.limits !== undefined ? { limits: this.o.limits } : {}),
    };
    const out = await this.o.runner.run(key, task);
    this.runsDone++;
    this.o.onRun?.();
    return out[0].values;
  }

  close(): Promise<void> {
    return this.o.runner.close();
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
