/**
 * The figures a sweep tracks, read from each replication's Result. Which fields are tracked, and in what
 * order, is the sweep's choice (the lists below, by path in the Result schema); their names (the CSV column
 * names, so the unit is in the name) and descriptions come from the schema (src/metrics/result-schema.ts).
 * Totals (`cost_usd`, …) come first, then `<service>.<metric>` per service, then `<pool>.utilisation` per pool
 * outside fleets, then per pool of a fleet's site template (`<fleet>/<pool>`, as the Result's `fleets` rows)
 * its instances' mean and highest utilisation — a 10,000-store fleet is two columns, not 10,000.
 */
import type { Result } from '../metrics/result.js';
import {
  FleetResultSchema,
  PolicyResultSchema,
  PoolResultSchema,
  ServiceResultSchema,
} from '../metrics/result-schema.js';
import { briefOf, columnName } from '../metrics/result-shape.js';
import type { SweepMetric } from '../metrics/sweep-result.js';
import type { Scenario, Service } from '../model/types.js';
import { fleetPools, fleetTemplatePools } from '../sim/fleet-result.js';

/** One replication's metrics for one policy; null where the Result has none (e.g. no request completed). */
export interface PolicyMetrics {
  policy: string;
  values: Record<string, number | null>;
}

interface Tracked<S> {
  /** Dotted path from a PolicyResult, a ServiceResult or a PoolResult. */
  path: string;
  name: string;
  description: string;
  /** Whether the scenario's service (or pool) has the figure at all; always, when absent. */
  when?: (scenario: Scenario, s: S) => boolean;
}

function tracked<S>(
  root: typeof PolicyResultSchema | typeof ServiceResultSchema | typeof PoolResultSchema | typeof FleetResultSchema,
  path: string,
  extra: Partial<Tracked<S>> = {},
): Tracked<S> {
  return { path, name: columnName(path, root), description: briefOf(path, root), ...extra };
}

const TOTALS: Tracked<never>[] = [
  'totals.cost_usd.total',
  'totals.per_1k_requests.cost_usd',
  'totals.energy_kwh.total',
  'totals.carbon_kg.total',
  'totals.per_1k_requests.carbon_kg',
].map((p) => tracked<never>(PolicyResultSchema, p));

const SERVICE: Tracked<Service>[] = [
  ...['mean', 'p50', 'p90', 'p95', 'p99'].map((k) => tracked<Service>(ServiceResultSchema, `latency_ms.${k}`)),
  tracked<Service>(ServiceResultSchema, 'ttft_ms.p99', { when: (sc, s) => isLlm(sc, s.model) }),
  // Without an SLO the Result has no attainment; a column that is always empty would only be noise.
  tracked<Service>(ServiceResultSchema, 'slo_attainment', {
    when: (_, s) => s.slo.latency_s !== null || s.slo.ttft_s !== null,
  }),
  tracked<Service>(ServiceResultSchema, 'rejected'),
  tracked<Service>(ServiceResultSchema, 'completed'),
];

const POOL_UTILISATION = tracked<never>(PoolResultSchema, 'utilisation');

const FLEET_UTILISATION: Tracked<never>[] = ['utilisation_mean', 'utilisation_max'].map((p) =>
  tracked<never>(FleetResultSchema, p),
);

/** The scenario's pools that get a column of their own: those outside fleets. */
function ownPools(scenario: Scenario) {
  const inFleet = fleetPools(scenario);
  return inFleet === undefined ? scenario.pools : scenario.pools.filter((p) => inFleet[p.index] === 0);
}

/** The metrics a scenario yields, in report order. Depends only on the scenario's structure, not on a run. */
export function metricDefs(scenario: Scenario): SweepMetric[] {
  const defs: SweepMetric[] = TOTALS.map((t) => ({ name: t.name, description: t.description }));
  for (const s of scenario.services) {
    for (const t of SERVICE) {
      if (t.when && !t.when(scenario, s)) continue;
      defs.push({ name: `${s.name}.${t.name}`, description: `${s.name}: ${t.description}` });
    }
  }
  for (const p of ownPools(scenario)) {
    defs.push({
      name: `${p.name}.${POOL_UTILISATION.name}`,
      description: `${p.name}: ${POOL_UTILISATION.description} (empty where the policy does not provision the pool)`,
    });
  }
  for (const f of fleetTemplatePools(scenario)) {
    for (const t of FLEET_UTILISATION) {
      defs.push({
        name: `${f.name}.${t.name}`,
        description: `${f.name}: ${t.description} (empty where the policy does not provision the pool)`,
      });
    }
  }
  return defs;
}

function isLlm(scenario: Scenario, model: number): boolean {
  return model >= 0 && scenario.models[model]?.kind === 'llm';
}

/** The value at a dotted path; null where an object on the way (a latency summary) is null. */
function valueAt(source: unknown, path: string): number | null {
  let v = source;
  for (const seg of path.split('.')) {
    if (v === null || v === undefined) return null;
    v = (v as Record<string, unknown>)[seg];
  }
  return (v as number | null | undefined) ?? null;
}

/**
 * The values of metricDefs(scenario) in one Result, per policy. The Result must list a fleet's instances
 * (run with `instances: true`): whether a fleet's pool is provisioned is read from its instances' rows.
 */
export function metricValues(scenario: Scenario, result: Result): PolicyMetrics[] {
  const fleets = fleetTemplatePools(scenario);
  return result.policies.map((p) => {
    const v: Record<string, number | null> = {};
    for (const t of TOTALS) v[t.name] = valueAt(p, t.path);
    scenario.services.forEach((s, i) => {
      const r = p.services.find((x) => x.name === s.name) ?? p.services[i];
      for (const t of SERVICE) if (!t.when || t.when(scenario, s)) v[`${s.name}.${t.name}`] = valueAt(r, t.path);
    });
    const poolRow = new Map(p.pools.map((r) => [r.name, r]));
    for (const pool of ownPools(scenario)) {
      const r = poolRow.get(pool.name);
      // An unprovisioned pool's utilisation of 0 means "not there", not "idle"; keep it out of the mean.
      v[`${pool.name}.${POOL_UTILISATION.name}`] = r?.provisioned ? valueAt(r, POOL_UTILISATION.path) : null;
    }
    for (const f of fleets) {
      const row = p.fleets?.find((x) => x.name === f.name);
      // (The instances of a fleet share their template's site kind, so one is provisioned when any is.)
      const provisioned = f.pools.some((k) => poolRow.get(scenario.pools[k].name)?.provisioned === true);
      for (const t of FLEET_UTILISATION) v[`${f.name}.${t.name}`] = provisioned && row ? valueAt(row, t.path) : null;
    }
    return { policy: p.policy, values: v };
  });
}
