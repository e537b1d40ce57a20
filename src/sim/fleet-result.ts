/**
 * A fleet in the Result: one row per fleet and pool of its site template (utilisation over instances as
 * mean, median, 95th percentile and maximum, the busiest instance, placements, cost, energy and carbon
 * summed), and — unless instances are asked for — the instances' own pools left out of `pools`, the time
 * series and `placements` (which gets one `<fleet>/<pool>` key instead), so a 10,000-store fleet is a few
 * rows rather than 10,000.
 *
 * A scenario without fleets gets its Result unchanged (no `fleets` field at all).
 */
import type { FleetResult, PolicyResult } from '../metrics/result.js';
import type { Plan } from './plan.js';
import type { Scenario } from '../model/types.js';

/** Round like the rest of the Result (9 significant digits). */
function r(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(9));
}

/** Nearest-rank percentile of sorted values. */
function rank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** Per pool: 1 if it belongs to a fleet's instance (undefined without fleets). */
export function fleetPools(scenario: Scenario): Uint8Array | undefined {
  if (scenario.fleets === undefined || scenario.fleets.length === 0) return undefined;
  const inFleet = new Uint8Array(scenario.sites.length);
  for (const f of scenario.fleets) for (const s of f.sites) inFleet[s] = 1;
  return Uint8Array.from(scenario.pools, (p) => inFleet[p.site]);
}

/** A fleet's pools, grouped by the pool of its site template: `<fleet>/<pool>` and each instance's pool index. */
export interface FleetTemplatePool {
  /** `<fleet>/<pool>`: the name of its row in the Result's `fleets`. */
  name: string;
  fleet: string;
  /** The pool's name in the site template. */
  local: string;
  /** Instances in the fleet. */
  instances: number;
  /** The pool at each instance (scenario pool indices, in instance order). */
  pools: number[];
}

/** Every fleet's template pools, in the order of the Result's `fleets` rows (empty without fleets). */
export function fleetTemplatePools(scenario: Scenario): FleetTemplatePool[] {
  const rows: FleetTemplatePool[] = [];
  if (scenario.fleets === undefined) return rows;
  const poolsOfSite = new Map<number, number[]>();
  for (const pool of scenario.pools) {
    const list = poolsOfSite.get(pool.site);
    if (list === undefined) poolsOfSite.set(pool.site, [pool.index]);
    else list.push(pool.index);
  }
  for (const fleet of scenario.fleets) {
    const template = new Map<string, number[]>();
    for (const site of fleet.sites) {
      const siteName = scenario.sites[site].name;
      for (const k of poolsOfSite.get(site) ?? []) {
        const local = scenario.pools[k].name.slice(siteName.length + 1);
        const list = template.get(local);
        if (list === undefined) template.set(local, [k]);
        else list.push(k);
      }
    }
    for (const [local, pools] of template)
      rows.push({ name: `${fleet.name}/${local}`, fleet: fleet.name, local, instances: fleet.sites.length, pools });
  }
  return rows;
}

export function withFleets(plan: Plan, result: PolicyResult, keepInstances: boolean): PolicyResult {
  const scenario = plan.scenario;
  if (scenario.fleets === undefined || scenario.fleets.length === 0) return result;
  const byName = new Map(result.pools.map((p, i) => [p.name, i]));
  /** Pool name → the aggregated key ("<fleet>/<pool>") it counts towards. */
  const keyOf = new Map<string, string>();
  const rows: FleetResult[] = [];
  for (const { name, fleet, local, instances, pools } of fleetTemplatePools(scenario)) {
    for (const k of pools) keyOf.set(scenario.pools[k].name, name);
    const results = pools.map((k) => result.pools[byName.get(scenario.pools[k].name)!]);
    const util = results.map((p) => p.utilisation);
    const sorted = [...util].sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 1; i < util.length; i++) if (util[i] > util[busiest]) busiest = i;
    let placements = 0;
    for (const s of result.services) for (const p of results) placements += s.placements[p.name] ?? 0;
    const sum = (f: (p: (typeof results)[number]) => number) => r(results.reduce((a, p) => a + f(p), 0));
    rows.push({
      name,
      fleet,
      pool: local,
      instances,
      units: results.reduce((a, p) => a + p.units, 0),
      placements,
      utilisation_mean: r(util.reduce((a, b) => a + b, 0) / util.length),
      utilisation_p50: rank(sorted, 0.5),
      utilisation_p95: rank(sorted, 0.95),
      utilisation_max: sorted[sorted.length - 1],
      busiest: results[busiest].site,
      cost_usd: sum((p) => p.cost_usd),
      energy_kwh: sum((p) => p.energy_kwh),
      carbon_kg: sum((p) => p.carbon_kg),
    });
  }

  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) {
    if (k === 'totals') out.fleets = rows;
    if (keepInstances || (k !== 'pools' && k !== 'services' && k !== 'timeseries')) {
      out[k] = v;
      continue;
    }
    if (k === 'pools') out.pools = result.pools.filter((p) => !keyOf.has(p.name));
    else if (k === 'timeseries')
      out.timeseries = { ...result.timeseries, pools: result.timeseries.pools.filter((p) => !keyOf.has(p.name)) };
    else
      out.services = result.services.map((s) => {
        const placements: Record<string, number> = {};
        for (const [target, n] of Object.entries(s.placements)) {
          const key = keyOf.get(target) ?? target;
          placements[key] = (placements[key] ?? 0) + n;
        }
        return { ...s, placements };
      });
  }
  return out as PolicyResult;
}
