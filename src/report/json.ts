/**
 * The JSON reporter: the Result itself, 2-space indented, one trailing newline.
 *
 * Committed results are regression baselines compared byte for byte, so the key order must not depend on
 * how the simulation happened to build its objects: keys are written in the order src/metrics/result.ts
 * declares them. Keys a newer Result carries that this list does not know follow in their own order, so
 * nothing is dropped.
 */

import { JOB_RESULT_FIELDS, POOL_RESULT_FIELDS, type Result } from '../metrics/result.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Declared key order per object, addressed by its path with array indices and record keys as "*". */
const KEY_ORDER: Record<string, readonly string[]> = {
  '': ['format_version', 'placesim_version', 'scenario', 'policies', 'pareto', 'warnings'],
  scenario: ['name', 'description', 'file', 'seed', 'duration_s', 'warmup_s', 'measured_s'],
  'policies.*': ['policy', 'services', 'pools', 'totals', 'conservation', 'uplinks', 'backhaul', 'shared_uplinks', 'apis', 'jobs', 'events', 'timeseries'],
  'policies.*.backhaul.*': ['site', 'direction', 'capacity_mbps', 'utilisation', 'mean_wait_ms', 'transfers'],
  'policies.*.shared_uplinks.*': ['users', 'path', 'capacity_mbps', 'utilisation', 'mean_wait_ms', 'transfers'],
  'policies.*.apis.*': ['name', 'region', 'requests', 'cost_usd', 'energy_kwh', 'carbon_kg'],
  'policies.*.services.*': [
    'name',
    'arrivals',
    'completed',
    'rejected',
    'lost',
    'retried',
    'throughput_per_s',
    'latency_ms',
    'breakdown_ms',
    'ttft_ms',
    'slo_attainment',
    'placements',
    'latency_cdf_ms',
  ],
  'policies.*.services.*.latency_ms': ['mean', 'p50', 'p95', 'p99', 'max'],
  'policies.*.services.*.breakdown_ms': ['network', 'queue', 'execution'],
  'policies.*.services.*.ttft_ms': ['mean', 'p50', 'p95', 'p99', 'max'],
  'policies.*.pools.*': ['name', ...POOL_RESULT_FIELDS],
  'policies.*.totals': ['cost_usd', 'energy_kwh', 'carbon_kg', 'egress_gb', 'per_1k_requests', 'projection_30d'],
  'policies.*.totals.cost_usd': ['total', 'compute', 'capex', 'electricity', 'upkeep', 'egress', 'api'],
  'policies.*.totals.energy_kwh': ['total', 'it', 'facility', 'network', 'api'],
  'policies.*.totals.carbon_kg': ['total', 'compute', 'network', 'api'],
  'policies.*.totals.per_1k_requests': ['cost_usd', 'energy_kwh', 'carbon_kg'],
  'policies.*.totals.projection_30d': ['cost_usd', 'energy_kwh', 'carbon_kg', 'requests'],
  'policies.*.conservation': ['arrivals', 'completed', 'rejected', 'lost', 'in_flight'],
  'policies.*.uplinks.*': ['site', 'downtime_s', 'outages', 'buffered', 'overflow'],
  'policies.*.jobs.*': ['name', ...JOB_RESULT_FIELDS],
  'policies.*.services.*.latency_cdf_ms.*': ['fraction', 'ms'],
  'policies.*.timeseries': ['interval_s', 't_s', 'services', 'pools'],
  'policies.*.timeseries.services.*': ['name', 'arrivals', 'completions', 'rejected'],
  'policies.*.timeseries.pools.*': ['name', 'utilisation', 'queue_length', 'replicas', 'power_w'],
};

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * A copy with keys in declared order. Throws on values JSON cannot carry (NaN, ±Infinity, undefined inside
 * arrays, functions): JSON.stringify would quietly turn them into null, and a Result holding one is a bug
 * that should surface here rather than in a baseline diff months later.
 */
function canonical(value: unknown, path: string, where: string): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Result field ${where} is ${value}, which JSON cannot represent`);
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => canonical(v, join(path, '*'), `${where}[${i}]`));
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const order = KEY_ORDER[path];
    const keys = order
      ? [...order.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !order.includes(k))]
      : Object.keys(obj);
    const out: { [key: string]: Json } = {};
    for (const k of keys) {
      // Optional fields left undefined are absent in JSON, as JSON.stringify would have it.
      if (obj[k] === undefined) continue;
      out[k] = canonical(obj[k], join(path, order ? k : '*'), where === '' ? k : `${where}.${k}`);
    }
    return out;
  }
  throw new Error(`Result field ${where} has a ${typeof value}, which JSON cannot represent`);
}

export function renderJson(result: Result): string {
  return JSON.stringify(canonical(result, '', ''), null, 2) + '\n';
}
