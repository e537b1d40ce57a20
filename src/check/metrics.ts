/**
 * A Result (as its JSON) flattened into named numeric metrics, the unit the regression check compares:
 *
 *   chatbot-seoul/edge-first/services/chat/latency_ms/p99
 *   chatbot-seoul/edge-first/pools/seoul-edge/orin/utilisation
 *   chatbot-seoul/edge-first/totals/cost_usd/total
 *
 * The walk is generic (every number under a policy, lists of objects keyed by name or site) so that a field a
 * later Result adds shows up as an "added" metric instead of being silently ignored. Left out: strings, the
 * per-interval time series and the latency CDF (hundreds of noisy points that the percentiles summarise).
 * Booleans count as 0/1; null is kept as a value (a latency that became null is a change).
 */
import type { MetricKind } from './tolerance.js';

export type MetricValue = number | null;

export interface Metric {
  value: MetricValue;
  kind: MetricKind;
  /** The testcase the metric belongs to in JUnit: "<policy>/services/<name>", "<policy>/totals", … */
  group: string;
}

/** Keys never compared. */
const SKIPPED = new Set(['timeseries', 'latency_cdf_ms']);
/** Fields that hold a string or null. */
const STRING_FIELDS = new Set(['name', 'site', 'kind', 'region', 'device', 'instance']);

/** Counts of requests, batches, units and failures, and quantities that move with them. */
const COUNTS = new Set([
  'arrivals',
  'completed',
  'rejected',
  'lost',
  'retried',
  'in_flight',
  'throughput_per_s',
  'batches',
  'mean_batch_size',
  'servers',
  'units',
  'mean_units',
  'unit_failures',
  'preemptions',
  'cold_starts',
  'outages',
  'downtime_s',
  'buffered',
  'overflow',
]);

/** Kind by structural path (field names; names of services, pools and placements replaced by "*"). */
function kindOf(shape: readonly string[]): MetricKind {
  const has = (k: string) => shape.includes(k);
  const leaf = shape[shape.length - 1];
  if (leaf === 'events' || leaf === 'provisioned') return 'exact';
  if (leaf === 'slo_attainment' || leaf === 'utilisation') return 'fraction';
  if (has('latency_ms') || has('ttft_ms') || has('breakdown_ms')) return 'latency';
  if (leaf === 'requests' || has('placements')) return 'count';
  if (has('cost_usd') || has('energy_kwh') || has('carbon_kg') || has('egress_gb')) return 'cost';
  if (COUNTS.has(leaf)) return 'count';
  return 'other';
}

/** Fields that identify an element of a list of objects (services and pools by name, uplinks by site). */
const KEY_FIELDS = ['name', 'site'] as const;

/** The key field of a list whose elements all carry a distinct string under it, if any. */
function keyOf(v: unknown[]): (typeof KEY_FIELDS)[number] | undefined {
  if (v.length === 0 || !v.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) return undefined;
  return KEY_FIELDS.find((k) => {
    const keys = v.map((e) => (e as Record<string, unknown>)[k]);
    return keys.every((x) => typeof x === 'string') && new Set(keys).size === keys.length;
  });
}

function walk(value: unknown, name: string[], shape: string[], group: string, out: Map<string, Metric>, prefix: string): void {
  // A null under a string field (a device pool's instance) is not a missing number.
  if (value === null && STRING_FIELDS.has(shape[shape.length - 1])) return;
  if (typeof value === 'number' || value === null || typeof value === 'boolean') {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    out.set(`${prefix}/${name.join('/')}`, { value: v, kind: kindOf(shape), group });
    return;
  }
  if (Array.isArray(value)) {
    const key = keyOf(value);
    if (key === undefined) return;
    for (const e of value as Record<string, unknown>[]) walk(e, [...name, e[key] as string], [...shape, '*'], group, out, prefix);
    return;
  }
  if (typeof value !== 'object') return;
  // Records keyed by user names (placements) get "*" in the shape so a pool called "events" stays a count.
  const isRecord = shape[shape.length - 1] === 'placements';
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SKIPPED.has(k)) continue;
    walk(v, [...name, k], [...shape, isRecord ? '*' : k], group, out, prefix);
  }
}

export class BaselineShapeError extends Error {}

/**
 * Metrics of a Result's JSON, in the order they appear. Throws BaselineShapeError when the value is not
 * Result-shaped at all (no list of policies); missing or extra fields inside are fine.
 */
export function flattenResult(result: unknown): Map<string, Metric> {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) throw new BaselineShapeError('not a JSON object');
  const r = result as Record<string, unknown>;
  const scenario = r.scenario as Record<string, unknown> | undefined;
  if (scenario === null || typeof scenario !== 'object' || typeof scenario.name !== 'string') throw new BaselineShapeError('no scenario.name');
  if (!Array.isArray(r.policies)) throw new BaselineShapeError('no "policies" list');
  const prefix = scenario.name;
  const out = new Map<string, Metric>();
  // Scenario settings: when the seed or duration changed, every other move is explained by it.
  for (const k of ['seed', 'duration_s', 'warmup_s', 'measured_s']) {
    if (typeof scenario[k] === 'number') out.set(`${prefix}/scenario/${k}`, { value: scenario[k] as number, kind: 'exact', group: 'scenario' });
  }
  for (const [i, p] of r.policies.entries()) {
    if (p === null || typeof p !== 'object' || typeof (p as { policy?: unknown }).policy !== 'string') {
      throw new BaselineShapeError(`policies[${i}] has no "policy" name`);
    }
    const policy = (p as { policy: string }).policy;
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
      if (k === 'policy' || SKIPPED.has(k)) continue;
      const key = Array.isArray(v) ? keyOf(v) : undefined;
      if (key !== undefined) {
        for (const e of v as Record<string, unknown>[]) {
          const id = e[key] as string;
          walk(e, [k, id], [k, '*'], `${policy}/${k}/${id}`, out, `${prefix}/${policy}`);
        }
      } else {
        walk(v, [k], [k], `${policy}/${k}`, out, `${prefix}/${policy}`);
      }
    }
  }
  return out;
}
