import { describe, it, expect } from 'vitest';
import { queueScenario } from './helpers/build-scenario.js';
import { buildPlan } from '../src/sim/plan.js';
import { runScenario } from '../src/sim/index.js';
import {
  SECONDS_PER_YEAR,
  carbonOver,
  estimateUsd,
  kwhPerSecond,
  serverUsdPerSecond,
  simUnitUsdPerSecond,
  unitUsdPerSecond,
  gramsOver,
} from '../src/sim/pricing.js';
import type { Pool, Region } from '../src/model/types.js';

const region = (over: Partial<Region> = {}): Region => ({
  index: 0,
  name: 'r',
  grid_gco2_per_kwh: 200,
  grid_hourly: null,
  pue: 1.25,
  ...over,
});

describe('pricing', () => {
  it('prices a unit-second as rent + capex over its lifetime + upkeep', () => {
    const s = queueScenario({
      servers: 2,
      rate: 1,
      serviceTime: { kind: 'deterministic', mean_s: 0.1 },
      duration: 100,
      warmup: 0,
    });
    const pool: Pool = {
      ...s.pools[0],
      usd_per_unit_hour: 3.6,
      capex_usd_per_unit: 1000,
      lifetime_s: 1e6,
      upkeep_usd_per_unit_year: SECONDS_PER_YEAR,
    };
    expect(unitUsdPerSecond(pool)).toBeCloseTo(0.001 + 0.001 + 1, 12);
    expect(unitUsdPerSecond({ ...pool, lifetime_s: 0 })).toBeCloseTo(0.001 + 1, 12);
  });

  it('turns watts into facility kWh per second with the PUE', () => {
    expect(kwhPerSecond(3.6e6, 1.5)).toBe(1.5);
  });

  it('integrates the grid hour by hour', () => {
    const hourly = Float64Array.from({ length: 24 }, (_, h) => (h === 1 ? 400 : 100));
    const r = region({ grid_hourly: hourly });
    // Half an hour at 100, then an hour at 400, then half an hour at 100.
    expect(carbonOver(r, 1800, 9000)).toBeCloseTo(1800 * 100 + 3600 * 400 + 1800 * 100, 6);
    // 1 kW (facility) for an hour at 200 g/kWh is 200 g.
    expect(gramsOver(region(), 0, 3600, 1000)).toBeCloseTo(200, 9);
  });

  it('the plan, the policy estimate and the run use the same unit price', () => {
    const s = queueScenario({
      servers: 4,
      rate: 2,
      serviceTime: { kind: 'deterministic', mean_s: 0.5 },
      duration: 3600,
      warmup: 0,
    });
    s.pools[0].electricity_usd_per_kwh = 0.2;
    const plan = buildPlan(s);
    const pp = plan.pools[0];
    const t = plan.targets[0];
    const region0 = s.regions[0];
    expect(t.usdPerServerSecond).toBe(serverUsdPerSecond(pp.pool, pp.servers, t.kwhPerServerSecond));
    expect(t.kwhPerServerSecond).toBeGreaterThan(0);
    expect(estimateUsd(t, 0.5, 1)).toBe(t.usdPerServerSecond * 0.5 + t.usdNetworkPerRequest);
    expect(simUnitUsdPerSecond(pp)).toBe(unitUsdPerSecond(pp.pool));
    // The reported cost of a fixed pool over the window: its units × the unit price × the window, plus the
    // electricity of the energy it reports.
    const result = runScenario(s);
    const pool = result.policies[0].pools[0];
    expect(pool.cost_usd).toBeCloseTo(4 * unitUsdPerSecond(pp.pool) * 3600 + pool.energy_kwh * 0.2, 6);
    expect(kwhPerSecond(1000, region0.pue)).toBeCloseTo((1000 * 1.5) / 3.6e6, 15);
  });
});
