/**
 * The figures a sweep tracks, read from each replication's Result. Names carry their unit, as in the Result:
 * totals (`cost_usd`, …), then `<service>.<metric>` per service, then `<pool>.utilisation` per pool.
 */
import type { Result } from '../metrics/result.js';
import type { SweepMetric } from '../metrics/sweep-result.js';
import type { Scenario } from '../model/types.js';

/** One replication's metrics for one policy; null where the Result has none (e.g. no request completed). */
export interface PolicyMetrics {
  policy: string;
  values: Record<string, number | null>;
}

const LATENCY_STATS = [
  ['mean', 'mean'],
  ['p50', 'median'],
  ['p95', '95th percentile'],
  ['p99', '99th percentile'],
] as const;

/** The metrics a scenario yields, in report order. Depends only on the scenario's structure, not on a run. */
export function metricDefs(scenario: Scenario): SweepMetric[] {
  const defs: SweepMetric[] = [
    { name: 'cost_usd', description: 'total cost over the measured window, USD' },
    { name: 'cost_usd_per_1k', description: 'cost per 1,000 completed requests, USD' },
    { name: 'energy_kwh', description: 'energy (IT, facility overhead, network) over the measured window, kWh' },
    { name: 'carbon_kg', description: 'carbon over the measured window, kg CO2e' },
    { name: 'carbon_kg_per_1k', description: 'carbon per 1,000 completed requests, kg CO2e' },
  ];
  for (const s of scenario.services) {
    for (const [key, what] of LATENCY_STATS) {
      defs.push({ name: `${s.name}.latency_${key}_ms`, description: `${s.name}: end-to-end latency of completed requests, ${what}, ms` });
    }
    if (isLlm(scenario, s.model)) {
      defs.push({ name: `${s.name}.ttft_p99_ms`, description: `${s.name}: time to first token, 99th percentile, ms` });
    }
    // Without an SLO the Result has no attainment; a column that is always empty would only be noise.
    if (s.slo.latency_s !== null || s.slo.ttft_s !== null) {
      defs.push({ name: `${s.name}.slo_attainment`, description: `${s.name}: fraction of measured requests that met every SLO, 0..1` });
    }
    defs.push({ name: `${s.name}.rejected`, description: `${s.name}: requests rejected in the measured window` });
    defs.push({ name: `${s.name}.completed`, description: `${s.name}: requests completed in the measured window` });
  }
  for (const p of scenario.pools) {
    defs.push({
      name: `${p.name}.utilisation`,
      description: `${p.name}: busy over available server-time in the measured window, 0..1 (empty where the policy does not provision the pool)`,
    });
  }
  return defs;
}

function isLlm(scenario: Scenario, model: number): boolean {
  return model >= 0 && scenario.models[model]?.kind === 'llm';
}

/** The values of metricDefs(scenario) in one Result, per policy. */
export function metricValues(scenario: Scenario, result: Result): PolicyMetrics[] {
  return result.policies.map((p) => {
    const v: Record<string, number | null> = {
      cost_usd: p.totals.cost_usd.total,
      cost_usd_per_1k: p.totals.per_1k_requests.cost_usd,
      energy_kwh: p.totals.energy_kwh.total,
      carbon_kg: p.totals.carbon_kg.total,
      carbon_kg_per_1k: p.totals.per_1k_requests.carbon_kg,
    };
    scenario.services.forEach((s, i) => {
      const r = p.services.find((x) => x.name === s.name) ?? p.services[i];
      for (const [key] of LATENCY_STATS) v[`${s.name}.latency_${key}_ms`] = r.latency_ms?.[key] ?? null;
      if (isLlm(scenario, s.model)) v[`${s.name}.ttft_p99_ms`] = r.ttft_ms?.p99 ?? null;
      if (s.slo.latency_s !== null || s.slo.ttft_s !== null) v[`${s.name}.slo_attainment`] = r.slo_attainment;
      v[`${s.name}.rejected`] = r.rejected;
      v[`${s.name}.completed`] = r.completed;
    });
    scenario.pools.forEach((pool, i) => {
      const r = p.pools.find((x) => x.name === pool.name) ?? p.pools[i];
      // An unprovisioned pool's utilisation of 0 means "not there", not "idle"; keep it out of the mean.
      v[`${pool.name}.utilisation`] = r.provisioned ? r.utilisation : null;
    });
    return { policy: p.policy, values: v };
  });
}
