/**
 * Runs a sweep: every grid point × every replication, on a pool of worker threads (runner.ts; or in this thread with
 * workers: 0), or through a Redis queue to `placesim worker`s (queue.ts), then the mean and 95% CI of each metric per point and policy.
 *
 * Determinism: a task is pure (text + assignments + seed → metrics) and a point's statistics are computed
 * from its replications in seed order once all have finished, so the SweepResult does not depend on the
 * number of workers or on which task finished first. Replication r uses seed + r at every point (common
 * random numbers): two points differ by their parameters, not by their random draws.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, relative, resolve as resolvePath } from 'node:path';
import type { MetricStat, SweepMetric, SweepPointResult, SweepResult } from '../metrics/sweep-result.js';
import type { Scenario } from '../model/types.js';
import { estimateRun } from '../scenario/budget.js';
import { readScenarioFile } from '../scenario/load.js';
import { InputError, type PathSegment } from '../errors.js';
import { checkPlan, loadUserPolicies, prepareScenario, type InputLimits } from '../app/load-run.js';
import type { UserPolicy } from '../placement/plugin.js';
import { PLACESIM_VERSION } from '../version.js';
import {
  gridIndices,
  parseScenarioDocument,
  resolveSets,
  variantText,
  yamlValue,
  type Assignment,
  type ResolvedSet,
} from './grid.js';
import { definitionHash, openJournal, type ExpectedPoint, type Journal } from './journal.js';
import { metricDefs, type PolicyMetrics } from './metrics.js';
import { parsePath, type SetSpec } from './set-spec.js';
import { summarize } from './stats.js';
import type { SweepTask } from './task.js';
import { lazyQueueRunner, localRunner, type TaskRunner } from './runner.js';
import { sweepThreads } from './thread-pool.js';
import type { Shard } from './shard.js';

export const SWEEP_FORMAT_VERSION = 1;

export interface SweepOptions {
  /** Scenario file (YAML or JSON). */
  file: string;
  /** The swept fields, in grid order (the last varies fastest). None: one point, the file as it is. */
  sets: SetSpec[];
  /** Runs per point, with seeds seed, seed+1, …; at least 1. */
  replications: number;
  /** First seed; default: the file's. */
  seed?: number;
  /** Policies instead of the file's. */
  policies?: string[];
  /** Users' policy modules (--policy-module); their policies join the comparison as in `placesim run`. */
  policyModules?: string[];
  /** Worker threads; default: all cores. 0 runs every task in this thread (no dist/ build needed). */
  workers?: number;
  /** Run the tasks through this Redis queue (`placesim worker`s take them) instead of locally. */
  queue?: string;
  /** Files the scenario reads besides itself (hashed into each queued task so workers check theirs). */
  inputFiles?: string[];
  /** A line for the user (e.g. the queue has no worker yet). */
  onNotice?: (line: string) => void;
  /** Run only share `index` (1-based) of `count`: every count-th point. The result holds only those points. */
  shard?: Shard;
  /** Called once with the hash of the sweep's definition (shards of one sweep share it). */
  onDefinition?: (hash: string) => void;
  /** Journal file for resuming; none: an interrupted sweep starts over. */
  journal?: string;
  /** Called with (points finished, points in all) at the start (resumed points count) and after each point. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called with (runs finished, runs in all) — a run is one point under one seed — at the start (the runs
   * of resumed points count) and after each run, as runs finish, in whatever order they finish. Finer than
   * onProgress: a point is only done when its last replication is.
   */
  onRunProgress?: (done: number, total: number) => void;
  /** What the scenario may read and how big a run may be (--allow-read, --max-events); each run is checked. */
  limits?: InputLimits;
  /**
   * The sweep's worker threads, already started by the caller (startSweepThreads, thread-pool.ts, with these
   * options), who also closes them. Without it, runSweep starts and closes its own.
   */
  threads?: TaskRunner;
}

interface Point {
  index: number;
  values: Record<string, string | number>;
  assignments: Assignment[];
  /** The policies the point's variant runs, in order (filled in when the variant is loaded). */
  policies: string[];
  /** The engine events a run of the point's variant is estimated to take (scenario/budget.ts): its length. */
  events: number;
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  checkOptions(opts);
  if (opts.threads && !opts.queue) return sweepWith(opts, opts.threads);
  // Local worker threads start before anything is loaded: each spends a few hundred ms of CPU loading the
  // simulator before its first task, which this thread's own loading and checking of every variant (below)
  // would otherwise precede rather than overlap.
  const local = opts.queue ? undefined : localRunner(sweepThreads(opts));
  try {
    local?.start?.();
    return await sweepWith(opts, local);
  } finally {
    await local?.close();
  }
}

async function sweepWith(opts: SweepOptions, local: TaskRunner | undefined): Promise<SweepResult> {
  const text = readScenarioFile(opts.file);
  const policies = opts.policies;
  const moduleFiles = (opts.policyModules ?? []).map((f) => resolvePath(f));
  const user = await loadUserPolicies(moduleFiles);
  // Every data file the base scenario and its variants read (traces, grid and length CSVs): hashed into the
  // journal, and sent with queued tasks so that a worker refuses to compute from a different copy.
  const dataFiles = new Set<string>();
  const limits = { ...(opts.limits ?? {}), onFileRead: (path: string) => void dataFiles.add(path) };
  const base = loadChecked(text, opts.file, user, { seed: opts.seed, policies, ...limits });
  const seed = opts.seed ?? base.seed;
  const seeds = Array.from({ length: opts.replications }, (_, r) => seed + r);
  if (!Number.isSafeInteger(seeds[seeds.length - 1]))
    throw new InputError(`--seed ${seed} is too large for ${opts.replications} replications`);

  const sets = resolveSets(text, opts.file, opts.sets);
  const points: Point[] = gridIndices(sets.map((s) => s.spec.values.length)).map((idx, index) => ({
    index,
    values: Object.fromEntries(sets.map((s, a) => [s.spec.path, s.spec.values[idx[a]]])),
    assignments: sets.map((s, a) => ({ path: s.path, value: yamlValue(s.spec.values[idx[a]]) })),
    policies: [],
    events: 0,
  }));

  // Every variant is loaded (and planned) once before anything runs: a bad value at the last point should
  // not surface an hour into the sweep.
  const doc = parseScenarioDocument(text);
  const metrics: SweepMetric[] = [];
  const seen = new Set<string>();
  for (const p of points) {
    const scenario =
      sets.length === 0
        ? base
        : loadVariant(variantText(doc, p.assignments), opts.file, { seed, policies, ...limits }, user, sets, p);
    p.policies = [...scenario.policies];
    p.events = estimateRun(scenario).events;
    for (const m of metricDefs(scenario)) {
      if (!seen.has(m.name)) {
        seen.add(m.name);
        metrics.push(m);
      }
    }
  }

  const hash = definitionHash({
    text,
    sets: opts.sets.map((s) => ({ path: s.path, values: s.values })),
    replications: opts.replications,
    seed,
    policies: policies ?? null,
    // A module that changed changes the results: its text is part of the definition.
    policy_modules: moduleFiles.map((f) => readFileSync(f, 'utf8')),
    placesim_version: PLACESIM_VERSION,
  });
  const metricNames = new Set(metrics.map((m) => m.name));
  const expected = (i: number): ExpectedPoint | undefined =>
    points[i] === undefined
      ? undefined
      : { values: points[i].values, policies: points[i].policies, metrics: metricNames };
  const journal: Journal | undefined = opts.journal
    ? openJournal(opts.journal, hash, expected, dataFileHashes(dataFiles, opts.file))
    : undefined;
  opts.onDefinition?.(hash);
  const finished = new Map<number, SweepPointResult>(journal?.done ?? []);
  // A shard runs every count-th point, starting at its own index; the others are another shard's.
  const mine = opts.shard ? points.filter((p) => p.index % opts.shard!.count === opts.shard!.index - 1) : points;
  opts.onProgress?.(mine.filter((p) => finished.has(p.index)).length, mine.length);
  const runsTotal = mine.length * opts.replications;
  let runsDone = mine.filter((p) => finished.has(p.index)).length * opts.replications;
  opts.onRunProgress?.(runsDone, runsTotal);

  const todo = longestFirst(mine.filter((p) => !finished.has(p.index)));
  const tasks: { point: Point; rep: number }[] = todo.flatMap((point) => seeds.map((_, rep) => ({ point, rep })));
  // A task carries its point's variant text, ready to parse, rather than the file's text and the point's
  // values: each run then parses one text, where it used to parse the file's text (once a thread), clone it,
  // apply the values and serialise the result before parsing that (~20–40 ms of a thread's first, cold run;
  // ~1–3 ms of each later one). The text is made here when the point's first run starts (the runs of a point
  // start one after another) and dropped after the last, so a sweep of a large file over many points holds
  // one variant's text at a time, not one per point.
  let current: { point: Point; text: string } | undefined;
  const taskOf = (point: Point, rep: number): SweepTask => {
    if (current?.point !== point) current = { point, text: variantText(doc, point.assignments) };
    return {
      text: current.text,
      file: opts.file,
      seed: seeds[rep],
      ...(policies ? { policies } : {}),
      ...(moduleFiles.length > 0 ? { policyModules: moduleFiles } : {}),
      ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
    };
  };

  const partial = new Map<number, (PolicyMetrics[] | undefined)[]>();
  const pending = new Map<number, number>(todo.map((p) => [p.index, opts.replications]));
  const onTaskDone = (point: Point, rep: number, out: PolicyMetrics[]): void => {
    let reps = partial.get(point.index);
    if (!reps) partial.set(point.index, (reps = new Array<PolicyMetrics[] | undefined>(opts.replications)));
    reps[rep] = out;
    opts.onRunProgress?.(++runsDone, runsTotal);
    const left = pending.get(point.index)! - 1;
    pending.set(point.index, left);
    if (left > 0) return;
    const result = pointResult(point, reps as PolicyMetrics[][], metrics);
    partial.delete(point.index);
    journal?.append(result);
    finished.set(point.index, result);
    opts.onProgress?.(mine.filter((p) => finished.has(p.index)).length, mine.length);
  };

  if (tasks.length > 0) {
    const runner =
      local ??
      (await lazyQueueRunner({
        url: opts.queue!,
        run: hash.slice(0, 16),
        files: [...(opts.inputFiles ?? []), ...[...dataFiles].sort(), ...moduleFiles],
        notice: opts.onNotice,
      }));
    try {
      // Local tasks start strictly point by point (longest point first), at most as many at once as there
      // are workers, so whole points finish (and are journaled) one after another; a queue keeps its own FIFO
      // order, the same.
      const width = opts.queue
        ? tasks.length
        : Math.max(1, Math.min(opts.workers ?? availableParallelism(), tasks.length));
      await inOrder(tasks, width, async (t) =>
        onTaskDone(t.point, t.rep, await runner.run(`p${t.point.index}-r${t.rep}`, taskOf(t.point, t.rep))),
      );
    } finally {
      // The local runner is runSweep's (or its caller's) to close.
      if (runner !== local) await runner.close();
    }
  }

  return {
    format_version: SWEEP_FORMAT_VERSION,
    placesim_version: PLACESIM_VERSION,
    scenario: { name: base.name, file: opts.file, seed },
    axes: opts.sets.map((s) => ({ path: s.path, values: [...s.values] })),
    replications: opts.replications,
    seeds,
    metrics,
    points: mine.map((p) => finished.get(p.index)!),
  };
}

/**
 * The points in the order their runs start: the longest first (by estimated events), ties in grid order. A
 * sweep whose last points are its longest (a rising arrival rate, a longer duration) otherwise ends with
 * one worker finishing a long run while the others have nothing left; started first, the long runs overlap
 * the short ones and the workers finish together (longest processing time first). Results do not depend on
 * the order: each run is pure and a point's statistics are computed from its replications in seed order.
 */
export function longestFirst<P extends { index: number; events: number }>(points: readonly P[]): P[] {
  return [...points].sort((a, b) => b.events - a.events || a.index - b.index);
}

/**
 * Runs `fn` over the items with at most `width` in flight, starting them strictly in list order. Tasks are
 * listed point by point, so the runs of a point start together and its journal line is written soon after:
 * handing a pool every task at once let its queue (piscina's, then) start them out of order, and a sweep killed at 65% then
 * kept almost no whole point. With this, a kill loses at most the points whose runs were in flight.
 */
async function inOrder<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

/**
 * The sha256 of every data file the scenario and its variants read (`trace:` arrival CSVs, grid `csv:`
 * files, empirical length CSVs — whatever scenario/files.ts read), keyed by the path relative to the
 * scenario's folder. The journal keeps them so that a resume after one of them changed is refused instead of
 * mixing results.
 */
export function dataFileHashes(paths: Iterable<string>, file: string): Record<string, string> {
  const folder = dirname(resolvePath(file));
  const out: Record<string, string> = {};
  for (const path of [...paths].sort()) {
    out[relative(folder, path) || path] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/** The options sweeps and searches share: replications ≥ 1, workers ≥ 0, a seed ≥ 0. */
export function checkRunOptions(opts: { replications: number; workers?: number; seed?: number }): void {
  if (!Number.isInteger(opts.replications) || opts.replications < 1) {
    throw new InputError(`--replications must be a whole number ≥ 1, got ${opts.replications}`);
  }
  if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 0)) {
    throw new InputError(`--workers must be a whole number ≥ 0, got ${opts.workers}`);
  }
  if (opts.seed !== undefined && (!Number.isSafeInteger(opts.seed) || opts.seed < 0)) {
    throw new InputError(`--seed must be a whole number ≥ 0, got ${opts.seed}`);
  }
}

function checkOptions(opts: SweepOptions): void {
  checkRunOptions(opts);
  for (const s of opts.sets) {
    // parseSet has checked the paths of the CLI's --set flags; a library caller may pass sets it built itself.
    try {
      parsePath(s.path);
    } catch (e) {
      throw new InputError(`--set ${s.path}: ${(e as Error).message}`);
    }
    if (s.values.length === 0) throw new InputError(`--set ${s.path}: no values`);
  }
}

/** Loads and plans a scenario as a task will (src/app); a plan failure (e.g. a model that fits nowhere) is an InputError. */
function loadChecked(
  text: string,
  file: string,
  user: readonly UserPolicy[],
  o: { seed?: number; policies?: string[]; onFileRead?: (path: string) => void } & InputLimits,
): Scenario {
  const loaded = prepareScenario({ file, text }, user, o);
  checkPlan(loaded);
  return loaded.scenario;
}

/**
 * Loads one variant. Its text is the document re-serialised, so line:col in an error would point into text
 * the user never saw: the location is replaced by the swept field's place in the file, and the message says
 * which point failed.
 */
function loadVariant(
  text: string,
  file: string,
  o: { seed: number; policies: string[] | undefined; onFileRead?: (path: string) => void } & InputLimits,
  user: readonly UserPolicy[],
  sets: readonly ResolvedSet[],
  point: Point,
): Scenario {
  try {
    return loadChecked(text, file, user, o);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const path = e.path;
    const culprit = path === undefined ? undefined : sets.find((s) => isPrefix(s.path, path) || isPrefix(path, s.path));
    const at = Object.entries(point.values)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    throw new InputError(`${e.detail} (sweep point ${point.index + 1}: --set ${at})`, {
      file,
      ...(path !== undefined ? { path } : {}),
      ...(culprit?.position ?? {}),
    });
  }
}

function isPrefix(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length <= b.length && a.every((s, i) => String(s) === String(b[i]));
}

/** Statistics per policy and metric over a point's replications (given in seed order). */
function pointResult(point: Point, reps: PolicyMetrics[][], metrics: readonly SweepMetric[]): SweepPointResult {
  return {
    index: point.index,
    values: { ...point.values },
    policies: reps[0].map((p, i) => {
      const stats: Record<string, MetricStat | null> = {};
      for (const m of metrics) stats[m.name] = summarize(reps.map((r) => r[i].values[m.name] ?? null));
      return { policy: p.policy, metrics: stats };
    }),
  };
}
