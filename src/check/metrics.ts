/**
 * A Result (as its JSON) flattened into named numeric metrics, the unit the regression check compares:
 *
 *   chatbot-seoul/edge-first/services/chat/latency_ms/p99
 *   chatbot-seoul/edge-first/pools/seoul-edge/orin/utilisation
 *   chatbot-seoul/edge-first/totals/cost_usd/total
 *
 * The walk is generic (every number under a policy, list elements named by the key fields the Result schema
 * declares for the list) so that a field a later Result adds shows up as an "added" metric instead of being
 * silently ignored. Each metric's kind is the tolerance class its field declares in the schema
 * (src/metrics/result-schema.ts); "other" for a field the schema does not know. Left out: strings and the
 * fields the schema marks `compare: false` (the per-interval time series, the latency CDF: hundreds of noisy
 * points that the percentiles summarise). Booleans count as 0/1; null is kept as a value (a latency that
 * became null is a change).
 */
import type { z } from 'zod';
import { PolicyResultSchema, ScenarioInfoSchema, type ToleranceClass } from '../metrics/result-schema.js';
import { elementOf, fieldOf, fieldsOf, findMismatch, metaOf, nodeKind } from '../metrics/result-shape.js';
import { formatPath } from '../scenario/errors.js';
import type { MetricKind } from './tolerance.js';

export type MetricValue = number | null;

export interface Metric {
  value: MetricValue;
  kind: MetricKind;
  /** The testcase the metric belongs to in JUnit: "<policy>/services/<name>", "<policy>/totals", … */
  group: string;
}

// Every tolerance class the schema declares is a kind with a default tolerance.
const _classesAreKinds: MetricKind = '' as ToleranceClass;
void _classesAreKinds;

/** Fields that identify an element of a list the schema does not know (a newer Result's): name or site. */
const FALLBACK_KEY_FIELDS = ['name', 'site'] as const;

/**
 * The id of each element of a list, from the key fields the schema declares for it (joined by "/"), or for
 * an unknown list the first of name / site that every element carries as a distinct string. Undefined when
 * the elements cannot be told apart: such a list is not compared.
 */
function idsOf(v: unknown[], declared: readonly string[] | undefined): string[] | undefined {
  if (v.length === 0 || !v.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) return undefined;
  const candidates = declared !== undefined ? [declared] : FALLBACK_KEY_FIELDS.map((k) => [k]);
  for (const key of candidates) {
    const parts = v.map((e) => key.map((k) => (e as Record<string, unknown>)[k]));
    if (!parts.every((p) => p.every((x) => typeof x === 'string'))) continue;
    const ids = parts.map((p) => p.join('/'));
    if (new Set(ids).size === ids.length) return ids;
  }
  return undefined;
}

/**
 * Walks a value beside its schema (undefined where the schema does not know the field). A number's kind is
 * the tolerance class declared on its field or inherited from the nearest field above that declares one;
 * "other" when none does (a field this version does not know).
 */
function walk(
  value: unknown,
  schema: z.ZodType | undefined,
  inherited: ToleranceClass | undefined,
  name: string[],
  group: string,
  out: Map<string, Metric>,
  prefix: string,
): void {
  const meta = schema === undefined ? undefined : metaOf(schema);
  if (meta?.compare === false) return;
  const tolerance = meta?.tolerance ?? inherited;
  const kind = schema === undefined ? undefined : nodeKind(schema);
  // A null where the schema has text (a device pool's instance) is not a missing number.
  if (kind === 'string' || typeof value === 'string') return;
  if (typeof value === 'number' || value === null || typeof value === 'boolean') {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    out.set(`${prefix}/${name.join('/')}`, { value: v, kind: tolerance ?? 'other', group });
    return;
  }
  if (Array.isArray(value)) {
    const ids = idsOf(value, meta?.key);
    if (ids === undefined) return;
    const el = schema === undefined ? undefined : elementOf(schema);
    value.forEach((e, i) => walk(e, el, tolerance, [...name, ids[i]], group, out, prefix));
    return;
  }
  if (typeof value !== 'object') return;
  const record = kind === 'record';
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const child = schema === undefined ? undefined : record ? elementOf(schema) : fieldOf(schema, k)?.schema;
    walk(v, child, tolerance, [...name, k], group, out, prefix);
  }
}

export class BaselineShapeError extends Error {}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

/**
 * Metrics of a Result's JSON, in the order they appear. Throws BaselineShapeError when the value is not
 * Result-shaped (no list of policies, or a value of another type than the schema declares, e.g. a string
 * where a number belongs); missing or extra fields inside, and nulls, are fine.
 */
export function flattenResult(result: unknown): Map<string, Metric> {
  if (result === null || typeof result !== 'object' || Array.isArray(result))
    throw new BaselineShapeError('not a JSON object');
  const r = result as Record<string, unknown>;
  const scenario = r.scenario as Record<string, unknown> | undefined;
  if (scenario === null || typeof scenario !== 'object' || typeof scenario.name !== 'string')
    throw new BaselineShapeError('no scenario.name');
  if (!Array.isArray(r.policies)) throw new BaselineShapeError('no "policies" list');
  // A value of the wrong type (a string where a number belongs) would otherwise drop out of the comparison.
  const bad = findMismatch(result);
  if (bad !== undefined)
    throw new BaselineShapeError(`${formatPath(bad.path)}: expected ${article(bad.expected)}, got ${article(bad.got)}`);
  const prefix = scenario.name;
  const out = new Map<string, Metric>();
  // Scenario settings: when the seed or duration changed, every other move is explained by it.
  for (const x of fieldsOf(ScenarioInfoSchema)!) {
    const v = scenario[x.key];
    if (typeof v === 'number' && x.meta.tolerance !== undefined)
      out.set(`${prefix}/scenario/${x.key}`, { value: v, kind: x.meta.tolerance, group: 'scenario' });
  }
  for (const [i, p] of r.policies.entries()) {
    if (p === null || typeof p !== 'object' || typeof (p as { policy?: unknown }).policy !== 'string') {
      throw new BaselineShapeError(`policies[${i}] has no "policy" name`);
    }
    const policy = (p as { policy: string }).policy;
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
      if (k === 'policy') continue;
      const field = fieldOf(PolicyResultSchema, k);
      if (field?.meta.compare === false) continue;
      // A list's elements are groups of their own ("<policy>/pools/<name>"); anything else is one group.
      const ids = Array.isArray(v) ? idsOf(v, field?.meta.key) : undefined;
      if (ids !== undefined) {
        const el = field === undefined ? undefined : elementOf(field.schema);
        (v as unknown[]).forEach((e, j) =>
          walk(e, el, field?.meta.tolerance, [k, ids[j]], `${policy}/${k}/${ids[j]}`, out, `${prefix}/${policy}`),
        );
      } else {
        walk(v, field?.schema, undefined, [k], `${policy}/${k}`, out, `${prefix}/${policy}`);
      }
    }
  }
  return out;
}
