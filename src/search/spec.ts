/**
 * The question a search answers, as the command line spells it:
 *
 *   --require chat.latency_p99_ms<=800      a constraint on a sweep metric (`<=` or `>=`, a plain number in the
 *   --require chat.slo_attainment>=0.99     unit the metric's name carries)
 *   --minimise cost                         the objective: cost, carbon, energy, a metric, or a weighted sum
 *   --minimise cost_usd+20*carbon_kg          such as cost_usd+20*carbon_kg (weights are plain numbers)
 *   --max-demand services.chat.arrivals.poisson=1/s..64/s    the reverse question: the highest value of a
 *                                                            demand field that still meets every constraint
 *
 * Metric names are those of `placesim sweep` (docs/sweeps.md); whether a name exists is checked against the
 * scenario once it is loaded (checkMetrics).
 */
import { InputError } from '../errors.js';
import { hint } from '../scenario/errors.js';
import type { SweepMetric } from '../metrics/sweep-result.js';

export type ConstraintOp = '<=' | '>=';

export interface Constraint {
  metric: string;
  op: ConstraintOp;
  bound: number;
}

export interface ObjectiveTerm {
  metric: string;
  weight: number;
}

export interface Objective {
  /** As the user wrote it (after alias expansion), for reports. */
  text: string;
  terms: ObjectiveTerm[];
}

export interface DemandSpec {
  path: string;
  low: number;
  high: number;
  /** The unit suffix written after each number ("/s", "" for a plain multiplier). */
  unit: string;
}

/** Short names for the totals a planner minimises. */
export const OBJECTIVE_ALIASES: Readonly<Record<string, string>> = {
  cost: 'cost_usd',
  carbon: 'carbon_kg',
  energy: 'energy_kwh',
};

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NUMBER_WITH_UNIT = /^((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)([^\d.].*)?$/;

/** Parses one `--require` flag. */
export function parseConstraint(text: string): Constraint {
  // ≤ and ≥ as escapes: the bundle stays ASCII, which Node reads and V8 keeps at one byte a character.
  const m = /^\s*([^<>=\s]+)\s*(<=|>=|\u2264|\u2265)\s*(\S+)\s*$/.exec(text);
  if (!m) {
    throw new InputError(
      `--require ${JSON.stringify(text)}: expected METRIC<=NUMBER or METRIC>=NUMBER, e.g. chat.latency_p99_ms<=800`,
    );
  }
  const op: ConstraintOp = m[2] === '<=' || m[2] === '≤' ? '<=' : '>=';
  if (!NUMBER.test(m[3]) || !Number.isFinite(Number(m[3]))) {
    throw new InputError(
      `--require ${JSON.stringify(text)}: the bound must be a plain number in the unit the metric's name carries, got ${JSON.stringify(m[3])}`,
    );
  }
  return { metric: m[1], op, bound: Number(m[3]) };
}

/** Parses `--minimise`: an alias, a metric, or a sum of `[weight*]metric` terms. */
export function parseObjective(text: string): Objective {
  const fail = (why: string): never => {
    throw new InputError(`--minimise ${JSON.stringify(text)}: ${why}`);
  };
  const parts = text.split('+').map((s) => s.trim());
  if (parts.some((p) => p === '')) fail('expected METRIC or W*METRIC+W*METRIC, e.g. cost or cost_usd+20*carbon_kg');
  const terms = parts.map((part): ObjectiveTerm => {
    const star = part.indexOf('*');
    const name = (star < 0 ? part : part.slice(star + 1)).trim();
    const w = star < 0 ? '1' : part.slice(0, star).trim();
    if (!NUMBER.test(w) || !(Number(w) > 0) || !Number.isFinite(Number(w))) {
      fail(`the weight ${JSON.stringify(w)} must be a positive number`);
    }
    if (name === '') fail('a term has no metric name');
    return { metric: OBJECTIVE_ALIASES[name] ?? name, weight: Number(w) };
  });
  return { text: terms.map((t) => (t.weight === 1 ? t.metric : `${t.weight}*${t.metric}`)).join('+'), terms };
}

/** Parses `--max-demand PATH=LOW..HIGH` (both numbers with the same unit suffix, LOW < HIGH, LOW > 0). */
export function parseDemand(text: string): DemandSpec {
  const fail = (why: string): never => {
    throw new InputError(`--max-demand ${JSON.stringify(text)}: ${why}`);
  };
  const eq = text.indexOf('=');
  if (eq <= 0) fail('expected PATH=LOW..HIGH, e.g. services.chat.arrivals.poisson=1/s..64/s');
  const path = text.slice(0, eq).trim();
  const range = text.slice(eq + 1).split('..');
  if (range.length !== 2) fail('expected LOW..HIGH after "=", e.g. 1/s..64/s');
  const ends = range.map((r) => NUMBER_WITH_UNIT.exec(r.trim()));
  if (!ends[0] || !ends[1]) return fail('LOW and HIGH must be positive numbers with an optional unit, e.g. 1/s..64/s');
  const [lo, hi] = ends as RegExpExecArray[];
  const unit = (lo[2] ?? '').trim();
  if (unit !== (hi[2] ?? '').trim())
    fail(`LOW and HIGH must have the same unit ("${unit}" vs "${(hi[2] ?? '').trim()}")`);
  const low = Number(lo[1]);
  const high = Number(hi[1]);
  if (!(low > 0) || !Number.isFinite(high) || !(high > low)) fail('need 0 < LOW < HIGH');
  return { path, low, high, unit };
}

/** Refuses a constraint or objective that names no metric of the scenario (with a did-you-mean). */
export function checkMetrics(metrics: readonly SweepMetric[], constraints: Constraint[], objective?: Objective): void {
  const names = metrics.map((m) => m.name);
  const known = new Set(names);
  const check = (flag: string, name: string): void => {
    if (known.has(name)) return;
    const sugg = hint(name, names);
    throw new InputError(
      `${flag}: unknown metric ${JSON.stringify(name)}${sugg}; the scenario's metrics are: ${names.join(', ')}`,
    );
  };
  for (const c of constraints) check('--require', c.metric);
  for (const t of objective?.terms ?? []) check('--minimise', t.metric);
}
