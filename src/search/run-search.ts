/**
 * `placesim search`: the best configuration per policy under constraints, and the highest demand a
 * configuration serves.
 *
 * Cheapest search. The axes (`--vary`, the sweep's `--set` grammar) split in two. A monotone axis — by default
 * a pool's `count`, `replicas`, `min_replicas` or `max_replicas` — is assumed never to break a constraint by
 * growing (more units never raise latency or rejections) and never to lower the objective by growing (more
 * units never cost less): along it the smallest feasible value is the best, found by bisection. Every other
 * axis (device or instance choice, which sites exist, a policy knob) is enumerated. With several monotone
 * axes, all but the last are enumerated and the last is bisected. The winner of a policy is the feasible
 * configuration with the least objective (ties: the first in grid order).
 *
 * Max-demand search (Vidur's capacity question). For every configuration (all axes enumerated) the demand
 * field is bisected between LOW and HIGH — geometrically, as rates span decades — until HIGH/LOW ≤ 1 +
 * tolerance, assuming more demand never helps a constraint hold.
 *
 * Confidence. Each evaluation runs R seeds (seed, seed+1, …: common random numbers at every point); a
 * constraint `m <= b` holds when mean + 95% half-width ≤ b, and `m >= b` when mean − half-width ≥ b. A metric
 * without a value (no request completed, so no p99) fails its constraint.
 *
 * Determinism: every evaluation is a pure function of (variant, policy, seed), each policy's search path is a
 * function of those answers alone, and the result lists evaluations in a fixed order — the same result at any
 * worker count, with or without a resumed journal.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { checkPlan, loadUserPolicies, prepareScenario, type InputLimits } from '../app/load-run.js';
import { InputError } from '../errors.js';
import type { MetricStat, SweepMetric } from '../metrics/sweep-result.js';
import type { UserPolicy } from '../placement/plugin.js';
import type { Scenario } from '../model/types.js';
import { readScenarioFile } from '../scenario/load.js';
import {
  gridIndices,
  parseScenarioDocument,
  resolveSets,
  variantText,
  yamlValue,
  type Assignment,
} from '../sweep/grid.js';
import { metricDefs } from '../sweep/metrics.js';
import { checkRunOptions } from '../sweep/run-sweep.js';
import { parsePath, round12, type SetSpec } from '../sweep/set-spec.js';
import { PLACESIM_VERSION } from '../version.js';
import { Evaluator, statsOf } from './evaluator.js';
import { lazyQueueRunner, localRunner, type TaskRunner } from '../sweep/runner.js';
import type { Shard } from '../sweep/shard.js';
import type { Replications } from './evaluator.js';
import { openSearchJournal, searchDefinitionHash } from './journal.js';
import type { DemandAnswer, EvaluatedPoint, PolicySearch, SearchAxis, SearchResult } from './result.js';
import { checkMetrics, type Constraint, type DemandSpec, type Objective } from './spec.js';

export const SEARCH_FORMAT_VERSION = 1;

/** The last path segments assumed monotone unless `enumerate` says otherwise. */
export const MONOTONE_FIELDS: readonly string[] = ['count', 'replicas', 'min_replicas', 'max_replicas'];

export interface SearchOptions {
  file: string;
  /** Axes to vary (the sweep's --set grammar). */
  vary: SetSpec[];
  /** Paths to treat as monotone besides the default fields. */
  monotone?: string[];
  /** Paths of default-monotone fields to enumerate instead. */
  enumerate?: string[];
  constraints: Constraint[];
  /** Required for a cheapest search; absent for a max-demand search. */
  objective?: Objective;
  /** Present for a max-demand search. */
  demand?: DemandSpec;
  /** Max-demand search: stop bisecting when HIGH/LOW ≤ 1 + tolerance (default 0.02). */
  tolerance?: number;
  replications: number;
  seed?: number;
  policies?: string[];
  policyModules?: string[];
  /** Worker threads; default one per core; 0 runs in this thread. */
  workers?: number;
  /** Run the tasks through this Redis queue (`placesim worker`s take them) instead of locally. */
  queue?: string;
  /** Files the scenario reads besides itself (hashed into each queued task so workers check theirs). */
  inputFiles?: string[];
  /** A line for the user (e.g. the queue has no worker yet). */
  onNotice?: (line: string) => void;
  /** Run only share `index` (1-based) of `count`: every count-th bisection line (policy × starting configuration). */
  shard?: Shard;
  /** The scenario's text, instead of reading `file` (merge: the text the shards ran). */
  text?: string;
  /** Evaluations known already (merge: the shards' answers); with `offline`, nothing else may run. */
  preloaded?: Map<string, Replications>;
  /** Run nothing: an evaluation missing from `preloaded` is an error (merge). */
  offline?: boolean;
  /** Called at the end with the definition's hash and every evaluation (a shard file's content). */
  onEvaluations?: (definition: string, entries: [string, Replications][]) => void;
  /** Resume journal; none: an interrupted search starts over. */
  journal?: string;
  /** Called with (runs finished, runs asked for so far) after each run. */
  onRunProgress?: (done: number, asked: number) => void;
  /** Input limits (--allow-read, --max-events) for loading every variant and for every run. */
  limits?: InputLimits;
}

interface Config {
  /** Grid index over all axes (in the axes' search order). */
  index: number;
  idx: number[];
}

export async function runSearch(opts: SearchOptions): Promise<SearchResult> {
  checkOptions(opts);
  const text = opts.text ?? readScenarioFile(opts.file);
  const moduleFiles = (opts.policyModules ?? []).map((f) => resolvePath(f));
  const user = await loadUserPolicies(moduleFiles);
  // Every data file the scenario and its variants read: sent (hashed) with queued tasks, so that a worker
  // refuses to compute from a different copy.
  const dataFiles = new Set<string>();
  const onFileRead = (path: string): void => void dataFiles.add(path);
  const limits = opts.limits ?? {};
  const base = loadChecked(text, opts.file, user, { seed: opts.seed, policies: opts.policies, onFileRead, ...limits });
  const seed = opts.seed ?? base.seed;
  const seeds = Array.from({ length: opts.replications }, (_, r) => seed + r);
  if (!Number.isSafeInteger(seeds[seeds.length - 1]))
    throw new InputError(`--seed ${seed} is too large for ${opts.replications} replications`);

  const axes = searchAxes(opts);
  const resolved = resolveSets(text, opts.file, [
    ...axes.map((a) => ({ path: a.path, values: a.values })),
    ...(opts.demand ? [{ path: opts.demand.path, values: [opts.demand.low] }] : []),
  ]);
  const doc = parseScenarioDocument(text);
  const assignmentsOf = (idx: number[], demand?: number): Assignment[] => {
    const out = axes.map((a, i) => ({ path: resolved[i].path, value: yamlValue(a.values[idx[i]]) }));
    if (opts.demand && demand !== undefined)
      out.push({ path: resolved[axes.length].path, value: yamlValue(demandValue(opts.demand, demand)) });
    return out;
  };

  // Every configuration is loaded and planned once before anything runs (a bad value fails now, not an hour
  // in); the metrics are the union over configurations, in report order.
  const configs: Config[] = gridIndices(axes.map((a) => a.values.length)).map((idx, index) => ({ index, idx }));
  const metrics: SweepMetric[] = [];
  const seen = new Set<string>();
  for (const c of configs) {
    const variant = loadChecked(variantText(doc, assignmentsOf(c.idx, opts.demand?.low)), opts.file, user, {
      seed,
      policies: opts.policies,
      onFileRead,
      ...limits,
    });
    for (const m of metricDefs(variant)) {
      if (seen.has(m.name)) continue;
      seen.add(m.name);
      metrics.push(m);
    }
  }
  checkMetrics(metrics, opts.constraints, opts.objective);

  const tolerance = opts.tolerance ?? 0.02;
  const definition = {
    text,
    axes,
    constraints: opts.constraints,
    objective: opts.objective ?? null,
    demand: opts.demand ? { ...opts.demand, tolerance } : null,
    seeds,
    policies: opts.policies ?? null,
    policy_modules: moduleFiles.map((f) => readFileSync(f, 'utf8')),
    placesim_version: PLACESIM_VERSION,
  };
  const journal = opts.journal ? openSearchJournal(opts.journal, searchDefinitionHash(definition)) : undefined;
  const hash = searchDefinitionHash(definition);
  const runner: TaskRunner = opts.offline
    ? {
        run: () =>
          Promise.reject(
            new InputError('merge: the shards lack an evaluation this search needs (incomplete shard files?)'),
          ),
        close: () => Promise.resolve(),
      }
    : opts.queue
      ? await lazyQueueRunner({
          url: opts.queue,
          run: hash.slice(0, 16),
          files: [...(opts.inputFiles ?? []), ...[...dataFiles].sort(), ...moduleFiles],
          notice: opts.onNotice,
        })
      : localRunner(opts.workers ?? availableParallelism());
  const evaluator = new Evaluator({
    text,
    file: opts.file,
    seeds,
    policyModules: moduleFiles,
    runner,
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
    ...(opts.preloaded ? { preloaded: opts.preloaded } : {}),
    journal,
    onRun: () => opts.onRunProgress?.(evaluator.runsDone, evaluator.runsAsked),
  });

  const feasible = (stats: Record<string, MetricStat | null>): boolean =>
    opts.constraints.every((c) => {
      const s = stats[c.metric];
      if (!s) return false;
      return c.op === '<=' ? s.mean + s.ci95 <= c.bound : s.mean - s.ci95 >= c.bound;
    });
  const objectiveOf = (stats: Record<string, MetricStat | null>): number | null => {
    if (!opts.objective) return null;
    let sum = 0;
    for (const t of opts.objective.terms) {
      const s = stats[t.metric];
      if (!s) return null;
      sum += t.weight * s.mean;
    }
    return round12(sum);
  };
  /** Every evaluation asked for, keyed by policy + config key; in the result they are sorted. */
  const asked = new Map<
    string,
    { policy: string; config: Config; demand?: number; stats: Record<string, MetricStat | null> }
  >();
  const probe = async (policy: string, config: Config, demand?: number) => {
    const key = JSON.stringify([config.idx, demand === undefined ? null : demandValue(opts.demand!, demand)]);
    const reps = await evaluator.evaluate(key, assignmentsOf(config.idx, demand), policy);
    const stats = statsOf(reps);
    asked.set(`${policy}\u0000${key}`, { policy, config, ...(demand !== undefined ? { demand } : {}), stats });
    return { ok: feasible(stats), stats };
  };

  const policyNames = base.policies;
  let answers: { policy: string; winner?: Config; demand: (DemandAnswer & { config: Config })[] }[];
  try {
    opts.onRunProgress?.(evaluator.runsDone, evaluator.runsAsked);
    answers = await Promise.all(
      policyNames.map(async (policy, pi) =>
        opts.demand
          ? {
              policy,
              demand: (
                await Promise.all(
                  configs.map((c, ci) =>
                    mine(pi, ci, configs.length) ? maxDemand(policy, c) : Promise.resolve(undefined),
                  ),
                )
              ).filter((a) => a !== undefined),
            }
          : { policy, winner: await cheapest(policy, pi), demand: [] },
      ),
    );
  } finally {
    await evaluator.close();
  }
  opts.onEvaluations?.(hash, evaluator.entries());

  /** Whether line `line` of policy `pi` (of `lines` per policy) is this shard's to run. */
  function mine(pi: number, line: number, lines: number): boolean {
    return !opts.shard || (pi * lines + line) % opts.shard.count === opts.shard.index - 1;
  }

  async function cheapest(policy: string, pi: number): Promise<Config | undefined> {
    const last = lastMonotone(axes);
    const outer = configs.filter((c) => last < 0 || c.idx[last] === 0);
    const found = await Promise.all(
      outer.map(async (c, line): Promise<Config | undefined> => {
        if (!mine(pi, line, outer.length)) return undefined;
        if (last < 0) return (await probe(policy, c)).ok ? c : undefined;
        const at = (i: number): Config => configs[c.index + i * stride(axes, last)];
        const n = axes[last].values.length;
        if (!(await probe(policy, at(n - 1))).ok) return undefined;
        let lo = -1;
        let hi = n - 1;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if ((await probe(policy, at(mid))).ok) hi = mid;
          else lo = mid;
        }
        return at(hi);
      }),
    );
    let best: { c: Config; v: number } | undefined;
    for (const c of found) {
      if (!c) continue;
      const e = asked.get(`${policy}\u0000${JSON.stringify([c.idx, null])}`)!;
      const v = objectiveOf(e.stats);
      if (v === null) continue;
      if (!best || v < best.v || (v === best.v && c.index < best.c.index)) best = { c, v };
    }
    return best?.c;
  }

  async function maxDemand(policy: string, c: Config): Promise<DemandAnswer & { config: Config }> {
    const d = opts.demand!;
    const values = configValues(axes, c);
    const round = (x: number) => Number(x.toPrecision(4));
    if (!(await probe(policy, c, d.low)).ok) return { config: c, values, max: null, failed_at: d.low };
    if ((await probe(policy, c, d.high)).ok) return { config: c, values, max: d.high, failed_at: null };
    let lo = d.low;
    let hi = d.high;
    while (hi / lo > 1 + tolerance) {
      const mid = round(Math.sqrt(lo * hi));
      if (mid <= lo || mid >= hi) break;
      if ((await probe(policy, c, mid)).ok) lo = mid;
      else hi = mid;
    }
    return { config: c, values, max: lo, failed_at: hi };
  }

  // The evaluations in a fixed order: policy (scenario order), configuration (grid order), demand.
  const order = new Map(policyNames.map((p, i) => [p, i]));
  const list = [...asked.values()].sort(
    (a, b) =>
      order.get(a.policy)! - order.get(b.policy)! ||
      a.config.index - b.config.index ||
      (a.demand ?? 0) - (b.demand ?? 0),
  );
  const evaluated: EvaluatedPoint[] = list.map((e, index) => ({
    index,
    policy: e.policy,
    values: {
      ...configValues(axes, e.config),
      ...(opts.demand && e.demand !== undefined ? { [opts.demand.path]: demandValue(opts.demand, e.demand) } : {}),
    },
    feasible: feasible(e.stats),
    objective: objectiveOf(e.stats),
    metrics: Object.fromEntries(metrics.map((m) => [m.name, e.stats[m.name] ?? null])),
  }));
  const indexOf = (policy: string, config: Config): number =>
    list.findIndex((e) => e.policy === policy && e.config.index === config.index && e.demand === undefined);

  const policies: PolicySearch[] = answers.map((a) => ({
    policy: a.policy,
    winner: a.winner ? indexOf(a.policy, a.winner) : null,
    frontier: opts.demand
      ? []
      : frontier(
          evaluated.filter((e) => e.policy === a.policy),
          opts.constraints[0],
        ),
    demand: a.demand.map(({ values, max, failed_at }) => ({ values, max, failed_at })),
  }));

  return {
    format_version: SEARCH_FORMAT_VERSION,
    placesim_version: PLACESIM_VERSION,
    scenario: { name: base.name, file: opts.file, seed },
    mode: opts.demand ? 'max-demand' : 'cheapest',
    axes,
    constraints: opts.constraints,
    objective: opts.objective ?? null,
    demand: opts.demand ? { ...opts.demand, tolerance } : null,
    replications: opts.replications,
    seeds,
    metrics,
    policies,
    evaluated,
  };
}

/**
 * The Pareto frontier of the objective (less is better) against the first constraint's metric (in the
 * direction the constraint prefers), over a policy's evaluations that have both; indices in objective order.
 */
export function frontier(points: EvaluatedPoint[], c: Constraint | undefined): number[] {
  if (!c) return [];
  const sign = c.op === '<=' ? 1 : -1;
  const pts = points
    .map((p) => ({ p, x: p.objective, y: p.metrics[c.metric]?.mean }))
    .filter((q): q is { p: EvaluatedPoint; x: number; y: number } => q.x !== null && q.y !== undefined)
    .sort((a, b) => a.x - b.x || sign * (a.y - b.y) || a.p.index - b.p.index);
  const out: number[] = [];
  let bestY = Infinity;
  for (const q of pts) {
    if (sign * q.y < bestY) {
      bestY = sign * q.y;
      out.push(q.p.index);
    }
  }
  return out;
}

function demandValue(d: DemandSpec, x: number): string | number {
  return d.unit === '' ? x : `${x}${d.unit}`;
}

function configValues(axes: SearchAxis[], c: Config): Record<string, string | number> {
  return Object.fromEntries(axes.map((a, i) => [a.path, a.values[c.idx[i]]]));
}

/** Index of the last monotone axis, or −1. */
function lastMonotone(axes: SearchAxis[]): number {
  for (let i = axes.length - 1; i >= 0; i--) if (axes[i].monotone) return i;
  return -1;
}

/** Grid-index distance between neighbouring values of axis `a` (the last axis varies fastest). */
function stride(axes: SearchAxis[], a: number): number {
  let s = 1;
  for (let i = a + 1; i < axes.length; i++) s *= axes[i].values.length;
  return s;
}

function searchAxes(opts: SearchOptions): SearchAxis[] {
  const declared = new Set(opts.monotone ?? []);
  const enumerated = new Set(opts.enumerate ?? []);
  const paths = new Set(opts.vary.map((v) => v.path));
  for (const p of [...declared, ...enumerated]) {
    if (!paths.has(p)) throw new InputError(`${p}: not one of the --vary paths (${[...paths].join(', ') || 'none'})`);
  }
  return opts.vary.map((v) => {
    const leaf = v.path.slice(v.path.lastIndexOf('.') + 1);
    const monotone = declared.has(v.path) || (MONOTONE_FIELDS.includes(leaf) && !enumerated.has(v.path));
    if (!monotone || opts.demand) return { path: v.path, values: [...v.values], monotone: false };
    if (!v.values.every((x) => typeof x === 'number')) {
      throw new InputError(
        `--vary ${v.path}: a monotone axis needs plain numbers, got ${v.values.map(String).join(',')}; use --enumerate ${v.path} to try each value`,
      );
    }
    const values = [...new Set(v.values)].sort((a, b) => a - b);
    return { path: v.path, values, monotone: true };
  });
}

function checkOptions(opts: SearchOptions): void {
  checkRunOptions(opts);
  if (opts.constraints.length === 0) throw new InputError('search needs at least one --require METRIC<=VALUE');
  if (opts.demand && opts.objective)
    throw new InputError(
      '--max-demand asks for the highest demand, --minimise for the cheapest configuration: give one',
    );
  if (!opts.demand && !opts.objective)
    throw new InputError('search needs --minimise (e.g. cost) or --max-demand PATH=LOW..HIGH');
  if (!opts.demand && opts.vary.length === 0)
    throw new InputError('a cheapest search needs at least one --vary path=values');
  if (opts.tolerance !== undefined && !(opts.tolerance > 0 && opts.tolerance < 1))
    throw new InputError(`--tolerance must be between 0 and 1, got ${opts.tolerance}`);
  for (const s of [...opts.vary, ...(opts.demand ? [{ path: opts.demand.path, values: [1] }] : [])]) {
    try {
      parsePath(s.path);
    } catch (e) {
      throw new InputError(`${s.path}: ${(e as Error).message}`);
    }
    if (s.values.length === 0) throw new InputError(`--vary ${s.path}: no values`);
  }
  if (opts.demand && opts.vary.some((v) => v.path === opts.demand!.path))
    throw new InputError(`${opts.demand.path}: both varied and the demand field`);
}

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
