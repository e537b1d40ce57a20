/**
 * The static plan of a scenario: which pools can serve which service, with how many replicas, how long a
 * batch of each size takes there, and what the network adds for each user group. Everything here is computed
 * once per scenario, before any event runs, so the event loop only reads numbers from arrays.
 */
import type { AiModel, Pool, Scenario, Service } from '../model/types.js';
import { batchTiming, planReplica } from '../hardware/perf.js';
import { path } from '../network/paths.js';

export class PlanError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

/** One (service, pool) pair that can serve requests. */
export interface TargetPlan {
  /** Index among all targets of the scenario (queue id). */
  id: number;
  service: number;
  pool: number;
  /** Devices one model replica occupies in this pool. */
  replicaDevices: number;
  maxBatch: number;
  maxWait: number;
  /** Batch execution time and first-token time by batch size (index 1..maxBatch), seconds. */
  batchTime: Float64Array;
  firstToken: Float64Array;
  /** Per user group: reachable, one-way up (with upload) and down (with download) delays, RTT. */
  reachable: Uint8Array;
  up: Float64Array;
  down: Float64Array;
  rtt: Float64Array;
  egressBytes: number;
  networkBytes: number;
  /** $ and grams CO2e per second one replica of this pool is busy (for policy estimates). */
  usdPerServerSecond: number;
  gco2PerServerSecond: number;
  /** $ and grams CO2e per request for the network (egress, transfer energy). */
  usdNetworkPerRequest: number;
  gco2NetworkPerRequest: number;
}

export interface PoolPlan {
  pool: Pool;
  /** Model replicas the pool runs (shared by the services it serves). */
  servers: number;
  /** Devices per replica (the largest any of its services needs). */
  replicaDevices: number;
  targets: number[];
  /** Extra watts one busy replica draws above idle. */
  dynamicWattsPerServer: number;
}

export interface ServicePlan {
  service: Service;
  targets: number[];
}

export interface Plan {
  scenario: Scenario;
  targets: TargetPlan[];
  pools: PoolPlan[];
  services: ServicePlan[];
}

/** Most devices one replica may span in a pool: a cloud instance's accelerators, or up to 8 bare devices. */
function maxDevicesPerReplica(pool: Pool): number {
  if (pool.instance) return pool.devices_per_unit;
  return Math.min(pool.units, 8);
}

function servicePath(service: Service): (string | number)[] {
  return ['services', service.name];
}

export function buildPlan(scenario: Scenario): Plan {
  const poolPlans: PoolPlan[] = scenario.pools.map((pool) => ({
    pool,
    servers: 0,
    replicaDevices: 1,
    targets: [],
    dynamicWattsPerServer: 0,
  }));
  const targets: TargetPlan[] = [];
  const services: ServicePlan[] = [];

  // First pass: which pools can hold each service's model, and with how many devices per replica.
  const fits: { service: Service; pool: Pool; devices: number }[] = [];
  for (const service of scenario.services) {
    const reasons: string[] = [];
    let any = false;
    for (const pool of scenario.pools) {
      const site = scenario.sites[pool.site];
      const reachableByAnyone = service.users.some(
        ({ user }) => path(scenario.users[user], site, scenario.network, service.request).reachable,
      );
      if (!reachableByAnyone) continue;
      let devices = 1;
      if (service.model >= 0) {
        const model = scenario.models[service.model];
        const plan = planReplica(
          model,
          pool.device,
          { ...service.request, max_batch: service.batching.max_batch },
          maxDevicesPerReplica(pool),
        );
        if (typeof plan === 'string') {
          reasons.push(`${pool.name}: ${plan}`);
          continue;
        }
        devices = plan.devices;
      }
      fits.push({ service, pool, devices });
      any = true;
    }
    if (!any) {
      const what = service.model >= 0 ? `model "${scenario.models[service.model].name}"` : 'the service';
      const why = reasons.length > 0 ? `: ${reasons.join('; ')}` : ': no pool is reachable by its users';
      throw new PlanError(
        `service "${service.name}" cannot be placed anywhere — ${what} fits no pool${why}`,
        [...servicePath(service), service.model >= 0 ? 'model' : 'users'],
      );
    }
  }
  for (const f of fits) {
    const pp = poolPlans[f.pool.index];
    pp.replicaDevices = Math.max(pp.replicaDevices, f.devices);
  }
  for (const pp of poolPlans) {
    const pool = pp.pool;
    const perUnit = Math.floor(pool.devices_per_unit / pp.replicaDevices);
    pp.servers = pool.instance ? pool.units * perUnit : Math.floor(pool.units / pp.replicaDevices);
    const dynamicPerDevice = (pool.unit_power_max_w - pool.unit_power_idle_w) / pool.devices_per_unit;
    pp.dynamicWattsPerServer = dynamicPerDevice * pp.replicaDevices;
  }

  // Second pass: timing tables and per-user network for every (service, pool) pair.
  for (const service of scenario.services) {
    const sp: ServicePlan = { service, targets: [] };
    services.push(sp);
    for (const f of fits) {
      if (f.service !== service) continue;
      const pool = f.pool;
      const pp = poolPlans[pool.index];
      if (pp.servers < 1) continue;
      const site = scenario.sites[pool.site];
      const region = scenario.regions[site.region];
      const maxBatch = service.batching.max_batch;
      const batchTime = new Float64Array(maxBatch + 1);
      const firstToken = new Float64Array(maxBatch + 1);
      for (let b = 1; b <= maxBatch; b++) {
        if (service.service_time) {
          batchTime[b] = service.service_time.mean_s;
          firstToken[b] = service.service_time.mean_s;
        } else {
          const model: AiModel = scenario.models[service.model];
          const t = batchTiming(model, pool.device, pp.replicaDevices, b, service.request);
          batchTime[b] = t.total_s;
          firstToken[b] = t.first_token_s;
        }
      }
      const nUsers = scenario.users.length;
      const reachable = new Uint8Array(nUsers);
      const up = new Float64Array(nUsers);
      const down = new Float64Array(nUsers);
      const rtt = new Float64Array(nUsers);
      let egressBytes = 0;
      let networkBytes = 0;
      for (const user of scenario.users) {
        const p = path(user, site, scenario.network, service.request);
        reachable[user.index] = p.reachable ? 1 : 0;
        up[user.index] = p.up_s;
        down[user.index] = p.down_s;
        rtt[user.index] = p.rtt_s;
        egressBytes = p.egress_bytes;
        networkBytes = p.network_bytes;
      }
      const hourly =
        pool.usd_per_unit_hour / 3600 +
        (pool.lifetime_s > 0 ? pool.capex_usd_per_unit / pool.lifetime_s : 0) +
        pool.upkeep_usd_per_unit_year / (365 * 86400);
      const serverMaxW =
        (pool.unit_power_idle_w / pool.devices_per_unit) * pp.replicaDevices + pp.dynamicWattsPerServer;
      const serverKwhPerSecond = (serverMaxW * region.pue) / 3.6e6;
      const usdPerServerSecond =
        (hourly * pool.units) / pp.servers + serverKwhPerSecond * pool.electricity_usd_per_kwh;
      const gco2PerServerSecond = serverKwhPerSecond * region.grid_gco2_per_kwh;
      const t: TargetPlan = {
        id: targets.length,
        service: service.index,
        pool: pool.index,
        replicaDevices: pp.replicaDevices,
        maxBatch,
        maxWait: service.batching.max_wait_s,
        batchTime,
        firstToken,
        reachable,
        up,
        down,
        rtt,
        egressBytes,
        networkBytes,
        usdPerServerSecond,
        gco2PerServerSecond,
        usdNetworkPerRequest: (egressBytes / 1e9) * scenario.network.egress_usd_per_gb,
        gco2NetworkPerRequest: (networkBytes / 1e9) * scenario.network.energy_kwh_per_gb * region.grid_gco2_per_kwh,
      };
      targets.push(t);
      sp.targets.push(t.id);
      pp.targets.push(t.id);
    }
    if (sp.targets.length === 0) {
      throw new PlanError(
        `service "${service.name}" cannot be placed anywhere — every pool that could hold it has too few devices for one replica`,
        [...servicePath(service), 'model'],
      );
    }
  }
  return { scenario, targets, pools: poolPlans, services };
}
