/**
 * Money and carbon, in one place: what a unit costs per second, what a replica costs per busy second, what a
 * request to a managed API costs, the policy's per-request estimates, the carbon of power drawn over time,
 * and a pool's bill for the measured window. Planning (plan.ts), the run (view.ts, jobs.ts) and the Result
 * (result.ts) all use these functions, so an estimate cannot drift from the reported figure.
 *
 * Pure functions of the scenario's numbers; owns no state and handles no events. The order of floating-point
 * operations is part of the contract: outputs are compared byte for byte with committed baselines.
 */
import { gridAt, type ManagedApi, type Pool, type Region, type Scenario } from '../model/types.js';
import type { PoolPlan, TargetPlan } from './plan.js';
import type { PoolTallies } from './tallies.js';

/** 365 days (8,760 h), the same year the unit parser uses for "3y". */
export const SECONDS_PER_YEAR = 365 * 86400;
export const J_PER_KWH = 3.6e6;
const HOUR = 3600;

/** $ per second of one billed unit of a pool (an instance, or a device): rent + capex over its life + upkeep. */
export function unitUsdPerSecond(pool: Pool): number {
  return (
    pool.usd_per_unit_hour / 3600 +
    (pool.lifetime_s > 0 ? pool.capex_usd_per_unit / pool.lifetime_s : 0) +
    pool.upkeep_usd_per_unit_year / SECONDS_PER_YEAR
  );
}

/** $ per second of one sim unit (an instance, or the devices of one replica). */
export function simUnitUsdPerSecond(pp: PoolPlan): number {
  return unitUsdPerSecond(pp.pool) * (pp.pool.instance ? 1 : pp.replicaDevices);
}

/** Facility kWh per second drawn at `watts` of IT power in a region with the given PUE. */
export function kwhPerSecond(watts: number, pue: number): number {
  return (watts * pue) / J_PER_KWH;
}

/** $ per second one replica is busy: its share of the pool's units, plus the electricity it draws. */
export function serverUsdPerSecond(pool: Pool, servers: number, serverKwhPerSecond: number): number {
  return (unitUsdPerSecond(pool) * pool.units) / servers + serverKwhPerSecond * pool.electricity_usd_per_kwh;
}

/** $ of one request to a managed API (tokens in and out, plus its per-request price). */
export function apiUsdPerRequest(api: ManagedApi, input_tokens: number, output_tokens: number): number {
  return input_tokens * api.usd_per_input_token + output_tokens * api.usd_per_output_token + api.usd_per_request;
}

/** $ for moving `bytes` at `usdPerGb`. */
export function transferUsd(bytes: number, usdPerGb: number): number {
  return (bytes / 1e9) * usdPerGb;
}

/** The policy's $ estimate for one request run for `exec` seconds in a batch of `batch` at target t. */
export function estimateUsd(t: TargetPlan, exec: number, batch: number): number {
  return (t.usdPerServerSecond * exec) / batch + t.usdNetworkPerRequest;
}

/** The policy's g CO2e estimate for the same, at grid intensity `grid` (g/kWh). */
export function estimateGco2(t: TargetPlan, exec: number, batch: number, grid: number): number {
  return ((t.kwhPerServerSecond * exec) / batch + t.kwhNetworkPerRequest) * grid;
}

/** The policy's g CO2e estimate for one request to a managed API (provider energy plus the network's). */
export function estimateApiGco2(t: TargetPlan, grid: number): number {
  return (t.kwhPerUse + t.kwhNetworkPerRequest) * grid;
}

/** ∫ grid(t) dt over [a, b], in gCO2e/kWh × seconds (hourly steps). */
export function carbonOver(region: Region, a: number, b: number): number {
  let total = 0;
  let t = a;
  while (t < b) {
    const edge = Math.min(b, (Math.floor(t / HOUR) + 1) * HOUR);
    total += (edge - t) * gridAt(region, t);
    t = edge;
  }
  return total;
}

/** g CO2e of drawing `facilityWatts` (PUE included) over [a, b]. */
export function gramsOver(region: Region, a: number, b: number, facilityWatts: number): number {
  return (carbonOver(region, a, b) * facilityWatts) / J_PER_KWH;
}

/** A pool's bill for the measured window: $ by part, kWh (IT and facility overhead), kg CO2e. */
export interface PoolBill {
  compute: number;
  capex: number;
  electricity: number;
  upkeep: number;
  itKwh: number;
  facilityKwh: number;
  carbonKg: number;
  /** Billed unit-seconds (instances, or devices). */
  billedUnits: number;
}

/**
 * Bills pool pp from its hourly tallies. P(u) = P_idle + (P_max − P_idle)·u is integrated exactly, hour by
 * hour so that an hourly grid profile applies to the energy of that hour: idle power of every powered
 * unit-second plus the dynamic power of every busy replica-second. `on` is 1 when the policy provisions it.
 */
export function poolBill(scenario: Scenario, pp: PoolPlan, t: PoolTallies, on: number, window: number): PoolBill {
  const pool = pp.pool;
  const region = scenario.regions[scenario.sites[pool.site].region];
  let itJ = 0;
  let carbonG = 0;
  let billedUnitSeconds = 0;
  const hours = t.busyHourly.values.length;
  for (let h = 0; h < hours; h++) {
    const overlap = Math.max(0, Math.min((h + 1) * 3600, scenario.duration_s) - Math.max(h * 3600, scenario.warmup_s));
    const j =
      t.poweredHourly.values[h] * pp.unitIdleW +
      on * overlap * pp.leftoverIdleW +
      t.busyHourly.values[h] * pp.dynamicWattsPerServer +
      t.trainingHourly.values[h] * (pp.unitMaxW - pp.unitIdleW);
    itJ += j;
    carbonG += (j / J_PER_KWH) * region.pue * gridAt(region, h * 3600);
    billedUnitSeconds += t.billedHourly.values[h];
  }
  // Billing counts instances; for a device pool a sim unit is one replica's devices.
  const billedUnits = pool.instance
    ? billedUnitSeconds
    : billedUnitSeconds * pp.replicaDevices + on * (pool.units - pp.servers * pp.replicaDevices) * window;
  const it = itJ / J_PER_KWH;
  const facility = it * (region.pue - 1);
  return {
    compute: (billedUnits * pool.usd_per_unit_hour) / 3600,
    capex: pool.lifetime_s > 0 ? (on * pool.units * pool.capex_usd_per_unit * window) / pool.lifetime_s : 0,
    electricity: (it + facility) * pool.electricity_usd_per_kwh,
    upkeep: (on * pool.units * pool.upkeep_usd_per_unit_year * window) / SECONDS_PER_YEAR,
    itKwh: it,
    facilityKwh: facility,
    carbonKg: carbonG / 1000,
    billedUnits,
  };
}

/** kWh and g CO2e of a training job holding units at full power, from its hourly unit-seconds. */
export function trainingEnergy(pp: PoolPlan, region: Region, heldHourly: Float64Array): { kwh: number; gco2: number } {
  let kwh = 0;
  let gco2 = 0;
  heldHourly.forEach((unitSeconds, h) => {
    const k = kwhPerSecond(unitSeconds * pp.unitMaxW, region.pue);
    kwh += k;
    gco2 += k * gridAt(region, h * 3600);
  });
  return { kwh, gco2 };
}
