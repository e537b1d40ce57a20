/**
 * The static plan of a scenario: which pools can serve which service, with how many replicas, how long a
 * batch of each size takes there, and what the network adds for each user group. Everything here is computed
 * once per scenario, before any event runs, so the event loop only reads numbers from arrays.
 */
import {
  DTYPE_BYTES,
  type AiModel,
  type Dtype,
  type LlmModel,
  type LlmSchedulerSpec,
  type ManagedApi,
  type Pool,
  type Scenario,
  type Service,
  type Site,
  type TrainingJob,
} from '../model/types.js';
import { CATALOG_NETWORK_DEFAULTS } from '../hardware/catalog.js';
import { defaultMfu, trainingRate } from '../hardware/training.js';
import { batchTiming, planReplica, resolvePeak, type BatchTiming } from '../hardware/perf.js';
import {
  LLM_SCHEDULER_DEFAULTS,
  kvCacheBlocks,
  llmRequestEstimate,
  llmStepCoeffs,
  type StepCoeffs,
} from '../hardware/llm-step.js';
import { path } from '../network/paths.js';
import { apiUsdPerRequest, kwhPerSecond, serverUsdPerSecond, transferUsd } from './pricing.js';
import { PlanError } from '../errors.js';

export { PlanError };

/** One (service, pool) pair that can serve requests. */
export interface TargetPlan {
  /** Index among all targets of the scenario (queue id). */
  id: number;
  service: number;
  /** Pool index, or -1 for a managed API target. */
  pool: number;
  /** Managed API index, or -1 for a pool target. */
  api: number;
  /** Devices one model replica occupies in this pool. */
  replicaDevices: number;
  maxBatch: number;
  maxWait: number;
  /** Batch execution time and first-token time by batch size (index 1..maxBatch), seconds. */
  batchTime: Float64Array;
  firstToken: Float64Array;
  /**
   * For a pool target whose service's lengths vary per request: the timing of one batch from its members'
   * lengths (mean prompt tokens, longest output — a fixed batch runs until its longest output is done — and
   * mean items), instead of the table above. null otherwise.
   */
  lengthTiming: ((batch: number, inputTokens: number, outputTokens: number, items: number) => BatchTiming) | null;
  /**
   * The site requests travel to (for a managed API: its endpoint, as a cloud site). The per-user network
   * figures (reachable, RTT, up and down delays, shared-uplink time) are computed from it by `targetNet`,
   * once per (service, user group) and only for the targets that user group can reach (see view.ts): a dense
   * targets × users table would not fit at 10,000 sites each with its own users.
   */
  netSite: Site;
  egressBytes: number;
  networkBytes: number;
  /** Region of the pool's site (for its grid intensity over time). */
  region: number;
  /** Data residency: 0 when the service may not be processed in this pool's region. */
  allowed: boolean;
  /** $ and facility kWh per second one replica of this pool is busy (for policy estimates). */
  usdPerServerSecond: number;
  kwhPerServerSecond: number;
  /** $ and kWh per request for the network (egress, transfer energy). */
  usdNetworkPerRequest: number;
  kwhNetworkPerRequest: number;
  /** The same over a LAN (a user group on this target's site's local network). */
  kwhLanPerRequest: number;
  /** A managed API's price and energy per request (0 for pools). */
  usdPerUse: number;
  kwhPerUse: number;
  /**
   * Site index for its shared backhaul (-1 for APIs), and this service's transfer time on it each way. A user
   * group whose `lan_site` is this site reaches it over its own LAN (see `targetNet`, `onLan`).
   */
  site: number;
  backhaulIn_s: number;
  backhaulOut_s: number;
  /** Which of the group's shared uplinks it uses: 0 towards edge sites, 1 towards cloud regions and APIs. */
  groupLink: number;
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
  /**
   * The units the simulator switches on and off (failures, preemption, autoscaling): an instance for
   * instance pools; the devices of one replica for device pools.
   */
  simUnits: number;
  serversPerUnit: number;
  /** Idle watts of one sim unit. */
  unitIdleW: number;
  /** Idle watts of devices that form no replica (a device pool whose count is not a multiple of the replica size). */
  leftoverIdleW: number;
  /** Largest max_batch of the services it hosts. */
  maxBatch: number;
  /** Cold start of a unit: boot + loading the largest model it hosts (autoscaled pools). */
  coldStart_s: number;
  /** Watts of one sim unit at full load (training holds units at full load). */
  unitMaxW: number;
  /** A pool only training jobs use: provisioned (billed, powered) only while a job holds it. */
  trainingOnly: boolean;
  /** Continuous batching of one LLM (every service it hosts runs that model), or null: fixed batches. */
  llm: LlmPoolPlan | null;
}

/** A pool whose replicas run an LLM with iteration-level (continuous) batching (llm-server.ts). */
export interface LlmPoolPlan {
  model: LlmModel;
  scheduler: LlmSchedulerSpec;
  coeffs: StepCoeffs;
  /** KV-cache blocks per replica, and those kept free when admitting (vLLM's watermark). */
  blocks: number;
  watermarkBlocks: number;
}

/** A training job and, per pool it may use, what running there means. */
export interface JobPlan {
  job: TrainingJob;
  options: {
    pool: number;
    /** Sim units it holds. */
    units: number;
    /** Model FLOP/s it sustains there. */
    rate: number;
    /** Run time without interruptions: compute plus checkpoint writes. */
    estimate_s: number;
    /** Moving the dataset to this pool's region first. */
    transfer_s: number;
    transfer_bytes: number;
  }[];
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
  jobs: JobPlan[];
  /** Things the plan had to assume (e.g. a device without a figure for the dtype asked for). */
  warnings: string[];
}

/** Most devices one replica may span in a pool: a cloud instance's accelerators, or up to 8 bare devices. */
function maxDevicesPerReplica(pool: Pool): number {
  if (pool.instance) return pool.devices_per_unit;
  return Math.min(pool.units, 8);
}

function servicePath(service: Service): (string | number)[] {
  return ['services', service.name];
}

/** LAN energy per GB: the scenario's, else the catalog's (scenarios built in code may leave it out). */
function lanKwhPerGb(scenario: Scenario): number {
  return scenario.network.lan_energy_kwh_per_gb ?? CATALOG_NETWORK_DEFAULTS.lan_energy_kwh_per_gb;
}

/** A managed API as a target: its endpoint is reached like a cloud region; its price is per use. */
function apiTarget(scenario: Scenario, service: Service, api: ManagedApi, id: number): TargetPlan {
  const site: Site = {
    index: -1,
    name: api.name,
    kind: 'cloud',
    region: api.region,
    uplink: { mtbf_s: null, mttr_s: null, buffer_bytes: 0 },
    backhaul_bps: { in: Infinity, out: Infinity },
    serves: null,
  };
  // The bytes a request carries do not depend on the user (with no users there are no requests).
  const networkBytes =
    scenario.users.length > 0 ? path(scenario.users[0], site, scenario.network, service.request).network_bytes : 0;
  const mean = api.latency.mean_s;
  const firstToken = api.ttft ? Math.min(api.ttft.mean_s, mean) : mean;
  const r = service.request;
  const usd = apiUsdPerRequest(api, r.input_tokens, r.output_tokens);
  return {
    id,
    service: service.index,
    pool: -1,
    api: api.index,
    replicaDevices: 0,
    maxBatch: 1,
    maxWait: 0,
    batchTime: Float64Array.of(0, mean),
    firstToken: Float64Array.of(0, firstToken),
    lengthTiming: null,
    netSite: site,
    egressBytes: 0, // the provider's egress is inside its price
    networkBytes,
    region: api.region,
    allowed: service.allowed_regions === null || service.allowed_regions.includes(api.region),
    usdPerServerSecond: 0,
    kwhPerServerSecond: 0,
    usdNetworkPerRequest: 0,
    kwhNetworkPerRequest: (networkBytes / 1e9) * scenario.network.energy_kwh_per_gb,
    kwhLanPerRequest: (networkBytes / 1e9) * lanKwhPerGb(scenario),
    usdPerUse: usd,
    kwhPerUse: api.energy_kwh_per_request,
    site: -1,
    backhaulIn_s: 0,
    backhaulOut_s: 0,
    groupLink: 1,
  };
}

/** A service whose model fits a pool, with the devices one replica needs there. */
interface Fit {
  service: Service;
  pool: Pool;
  devices: number;
}

export function buildPlan(scenario: Scenario): Plan {
  const poolPlans: PoolPlan[] = scenario.pools.map((pool) => ({
    pool,
    servers: 0,
    replicaDevices: 1,
    targets: [],
    dynamicWattsPerServer: 0,
    simUnits: 0,
    serversPerUnit: 0,
    unitIdleW: 0,
    leftoverIdleW: 0,
    maxBatch: 1,
    coldStart_s: 0,
    unitMaxW: 0,
    trainingOnly: false,
    llm: null,
  }));
  const targets: TargetPlan[] = [];
  const services: ServicePlan[] = [];

  const fits = findFits(scenario);
  sizePools(scenario, poolPlans, fits);

  // Second pass: timing tables and per-user network for every (service, pool) pair.
  for (const service of scenario.services) {
    const sp: ServicePlan = { service, targets: [] };
    services.push(sp);
    for (const f of fits) {
      if (f.service !== service) continue;
      const pool = f.pool;
      const pp = poolPlans[pool.index];
      if (pp.servers < 1) continue;
      const t = poolTarget(scenario, service, pp, targets.length);
      targets.push(t);
      sp.targets.push(t.id);
      pp.targets.push(t.id);
    }
    for (const api of scenario.apis) {
      if (service.model < 0 || !api.models.includes(service.model)) continue;
      targets.push(apiTarget(scenario, service, api, targets.length));
      sp.targets.push(targets.length - 1);
    }
    if (sp.targets.length === 0) {
      throw new PlanError(
        `service "${service.name}" cannot be placed anywhere — every pool that could hold it has too few devices for one replica`,
        [...servicePath(service), 'model'],
      );
    }
    if (!sp.targets.some((id) => targets[id].allowed)) {
      const allowed = service.allowed_regions!.map((i) => scenario.regions[i].name).join(', ');
      const where = [...new Set(sp.targets.map((id) => scenario.regions[targets[id].region].name))].join(', ');
      throw new PlanError(
        `service "${service.name}" can never be served: its residency allows only ${allowed}, ` +
          `but the pools that can run it are in ${where}`,
        [...servicePath(service), 'residency'],
      );
    }
  }
  for (const pp of poolPlans) pp.trainingOnly = pp.pool.use === 'training';
  const warnings: string[] = [];
  planContinuousBatching(scenario, poolPlans, targets, warnings);
  // A device without a figure for the dtype runs at the nearest one it has (docs/model.md); say so.
  const noted = new Set<string>();
  const note = (pool: Pool, dtype: Dtype, what: string): void => {
    const used = resolvePeak(pool.device, dtype).dtype;
    const key = `${pool.name}|${dtype}`;
    if (used === dtype || noted.has(key)) return;
    noted.add(key);
    warnings.push(
      `${what} on pool "${pool.name}": device "${pool.device.id}" has no ${dtype} figure; its ${used} peak is used ` +
        `(${DTYPE_BYTES[used] < DTYPE_BYTES[dtype] ? 'optimistic' : 'pessimistic'})`,
    );
  };
  for (const t of targets) {
    const service = scenario.services[t.service];
    if (t.pool < 0 || service.model < 0) continue;
    const model = scenario.models[service.model];
    // A continuous-batching LLM computes weight-only int4/int8 in fp16 (llm-step.ts).
    const dtype = poolPlans[t.pool].llm !== null && model.kind === 'llm' ? model.compute_dtype : model.dtype;
    note(scenario.pools[t.pool], dtype, `service "${service.name}"`);
  }
  const jobs = scenario.training.map((job) => planJob(scenario, poolPlans, job));
  for (const job of scenario.training)
    for (const k of job.pools) note(scenario.pools[k], job.dtype, `training job "${job.name}"`);
  return { scenario, targets, pools: poolPlans, services, jobs, warnings };
}

/**
 * Pools whose every service runs the same LLM (with a scheduler, not a given service time) batch it
 * continuously: their step coefficients, KV blocks, and per-target estimates for the policies (at b
 * concurrent sequences per replica instead of a fixed batch of b). Other pools keep fixed batches; a pool
 * that mixes an LLM with anything else says so.
 */
function planContinuousBatching(
  scenario: Scenario,
  poolPlans: PoolPlan[],
  targets: TargetPlan[],
  warnings: string[],
): void {
  for (const pp of poolPlans) {
    if (pp.targets.length === 0) continue;
    const services = pp.targets.map((id) => scenario.services[targets[id].service]);
    const llm = services.filter(
      (s) => s.scheduler != null && s.model >= 0 && s.service_time === null && scenario.models[s.model].kind === 'llm',
    );
    if (llm.length === 0) continue;
    const model = scenario.models[llm[0].model];
    if (llm.length !== services.length || llm.some((s) => s.model !== llm[0].model) || model.kind !== 'llm') {
      warnings.push(
        `pool "${pp.pool.name}" hosts LLM service(s) together with other models: its replicas run fixed batches, not continuous batching`,
      );
      continue;
    }
    const scheduler = llm[0].scheduler!;
    const differ = llm.find((s) => JSON.stringify(s.scheduler) !== JSON.stringify(scheduler));
    if (differ)
      warnings.push(
        `pool "${pp.pool.name}": services "${llm[0].name}" and "${differ.name}" give different schedulers; the replicas use "${llm[0].name}"'s`,
      );
    const coeffs = llmStepCoeffs(model, pp.pool.device, pp.replicaDevices);
    const blocks = kvCacheBlocks(model, pp.pool.device, pp.replicaDevices, scheduler.block_size);
    pp.llm = {
      model,
      scheduler,
      coeffs,
      blocks,
      watermarkBlocks: Math.floor(LLM_SCHEDULER_DEFAULTS.watermark * blocks),
    };
    for (const id of pp.targets) {
      const t = targets[id];
      const r = scenario.services[t.service].request;
      for (let b = 1; b <= t.maxBatch; b++) {
        const e = llmRequestEstimate(coeffs, scheduler, r.input_tokens, r.output_tokens, b);
        t.batchTime[b] = e.total_s;
        t.firstToken[b] = e.first_token_s;
      }
      t.maxWait = 0;
    }
  }
}

/** First pass: which pools can hold each service's model, and with how many devices per replica. */
function findFits(scenario: Scenario): Fit[] {
  const fits: Fit[] = [];
  for (const service of scenario.services) {
    const reasons: string[] = [];
    let any = false;
    const serviceUsers = new Set(service.users.map((u) => u.user));
    for (const pool of scenario.pools) {
      if (pool.use === 'training') continue;
      const site = scenario.sites[pool.site];
      // Every user reaches a shared edge or cloud site; only a device or a `serves` site needs a look.
      const reachableByAnyone =
        site.kind === 'device'
          ? service.users.some(
              ({ user }) => path(scenario.users[user], site, scenario.network, service.request).reachable,
            )
          : site.serves === null || site.serves.some((u) => serviceUsers.has(u));
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
    const apiServes = service.model >= 0 && scenario.apis.some((a) => a.models.includes(service.model));
    if (!any && !apiServes) {
      const what = service.model >= 0 ? `model "${scenario.models[service.model].name}"` : 'the service';
      const why = reasons.length > 0 ? `: ${reasons.join('; ')}` : ': no pool is reachable by its users';
      throw new PlanError(`service "${service.name}" cannot be placed anywhere — ${what} fits no pool${why}`, [
        ...servicePath(service),
        service.model >= 0 ? 'model' : 'users',
      ]);
    }
  }
  return fits;
}

/** Replicas, sim units, power and cold start of each pool, from the services that fit it. */
function sizePools(scenario: Scenario, poolPlans: PoolPlan[], fits: Fit[]): void {
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
    if (pool.instance) {
      pp.simUnits = pool.units;
      pp.serversPerUnit = perUnit;
      pp.unitIdleW = pool.unit_power_idle_w;
      pp.unitMaxW = pool.unit_power_max_w;
      pp.leftoverIdleW = 0;
    } else {
      pp.simUnits = pp.servers;
      pp.serversPerUnit = 1;
      pp.unitIdleW = pool.unit_power_idle_w * pp.replicaDevices;
      pp.unitMaxW = pool.unit_power_max_w * pp.replicaDevices;
      pp.leftoverIdleW = pool.unit_power_idle_w * (pool.units - pp.servers * pp.replicaDevices);
    }
  }
  for (const f of fits) {
    const pp = poolPlans[f.pool.index];
    pp.maxBatch = Math.max(pp.maxBatch, f.service.batching.max_batch);
    const a = f.pool.autoscale;
    if (a) {
      const weights = f.service.model >= 0 ? scenario.models[f.service.model].weight_bytes : 0;
      pp.coldStart_s = Math.max(pp.coldStart_s, a.boot_s + weights / a.load_bytes_per_s);
    }
  }
}

/** A batch's timing from its members' lengths, when the service's lengths vary (see TargetPlan.lengthTiming). */
function lengthTiming(scenario: Scenario, service: Service, pp: PoolPlan): TargetPlan['lengthTiming'] {
  const l = service.request.lengths;
  if (service.model < 0 || (l.input_tokens === null && l.output_tokens === null && l.items === null)) return null;
  const model = scenario.models[service.model];
  const device = pp.pool.device;
  const devices = pp.replicaDevices;
  return (batch, input_tokens, output_tokens, items) =>
    batchTiming(model, device, devices, batch, { input_tokens, output_tokens, items });
}

/** Second pass: the timing table and per-user network of service at pool pp. */
function poolTarget(scenario: Scenario, service: Service, pp: PoolPlan, id: number): TargetPlan {
  const pool = pp.pool;
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
  // The bytes a request carries do not depend on the user (with no users there are no requests).
  const p0 = scenario.users.length > 0 ? path(scenario.users[0], site, scenario.network, service.request) : null;
  const egressBytes = p0 === null ? 0 : p0.egress_bytes;
  const networkBytes = p0 === null ? 0 : p0.network_bytes;
  const serverMaxW = (pool.unit_power_idle_w / pool.devices_per_unit) * pp.replicaDevices + pp.dynamicWattsPerServer;
  const serverKwhPerSecond = kwhPerSecond(serverMaxW, region.pue);
  const usdPerServerSecond = serverUsdPerSecond(pool, pp.servers, serverKwhPerSecond);
  return {
    id,
    service: service.index,
    pool: pool.index,
    api: -1,
    replicaDevices: pp.replicaDevices,
    maxBatch,
    maxWait: service.batching.max_wait_s,
    batchTime,
    firstToken,
    lengthTiming: lengthTiming(scenario, service, pp),
    netSite: site,
    egressBytes,
    networkBytes,
    region: region.index,
    allowed: service.allowed_regions === null || service.allowed_regions.includes(region.index),
    usdPerServerSecond,
    kwhPerServerSecond: serverKwhPerSecond,
    usdNetworkPerRequest: transferUsd(egressBytes, scenario.network.egress_usd_per_gb),
    kwhNetworkPerRequest: (networkBytes / 1e9) * scenario.network.energy_kwh_per_gb,
    kwhLanPerRequest: (networkBytes / 1e9) * lanKwhPerGb(scenario),
    usdPerUse: 0,
    kwhPerUse: 0,
    site: site.index,
    backhaulIn_s: site.kind === 'device' ? 0 : (service.request.upload_bytes * 8) / site.backhaul_bps.in,
    backhaulOut_s: site.kind === 'device' ? 0 : (service.request.download_bytes * 8) / site.backhaul_bps.out,
    groupLink: site.kind === 'edge' ? 0 : 1,
  };
}

function planJob(scenario: Scenario, pools: PoolPlan[], job: TrainingJob): JobPlan {
  return {
    job,
    options: job.pools.map((k) => {
      const pp = pools[k];
      const pool = pp.pool;
      const devicesPerSimUnit = pool.instance ? pool.devices_per_unit : pp.replicaDevices;
      const units = Math.ceil(job.devices / devicesPerSimUnit);
      if (units > pp.simUnits) {
        throw new PlanError(
          `training job "${job.name}" needs ${job.devices} devices but pool "${pool.name}" has ${pp.simUnits * devicesPerSimUnit} usable`,
          ['training', job.name, 'devices'],
        );
      }
      let rate: number;
      try {
        const mfu = job.mfu ?? defaultMfu(pool.device, job.params).mfu;
        rate = trainingRate(pool.device, job.dtype, job.devices, mfu, job.scaling_per_doubling);
      } catch (e) {
        throw new PlanError(`training job "${job.name}" on "${pool.name}": ${(e as Error).message}`, [
          'training',
          job.name,
          'dtype',
        ]);
      }
      const compute = job.flops / rate;
      const ck = job.checkpoint;
      // A checkpoint is written after each full interval that does not end the job.
      const overhead = ck ? Math.max(0, Math.ceil(compute / ck.every_s) - 1) * (ck.bytes / ck.write_bytes_per_s) : 0;
      const site = scenario.sites[pool.site];
      const moved = job.dataset !== null && job.dataset.region !== site.region;
      return {
        pool: k,
        units,
        rate,
        estimate_s: compute + overhead,
        transfer_s: moved ? (job.dataset!.bytes * 8) / job.dataset!.bandwidth_bps : 0,
        transfer_bytes: moved ? job.dataset!.bytes : 0,
      };
    }),
  };
}

/** A user group's network towards a target: what `path` gives, plus the time on the group's shared uplink. */
export interface TargetNet {
  reachable: boolean;
  rtt_s: number;
  up_s: number;
  down_s: number;
  /** This service's upload time on the group's shared uplink towards the target (0: none). */
  groupUp_s: number;
  /** The target's site is the group's own LAN (LAN energy, the site's uplink bypassed): lan_site = t.site. */
  lan: boolean;
}

export function targetNet(scenario: Scenario, t: TargetPlan, user: number): TargetNet {
  const u = scenario.users[user];
  const service = scenario.services[t.service];
  const site = t.netSite;
  const p = path(u, site, scenario.network, service.request);
  const groupUp_s =
    site.kind === 'device'
      ? 0
      : (service.request.upload_bytes * 8) / u.shared_uplink_bps[site.kind === 'edge' ? 'edge' : 'cloud'];
  return { reachable: p.reachable, rtt_s: p.rtt_s, up_s: p.up_s, down_s: p.down_s, groupUp_s, lan: p.lan };
}

/** Whether user group `gateway` (its lan_site, −1: none) reaches target t over its own LAN (as `path` says). */
export function onLan(t: TargetPlan, gateway: number): boolean {
  return gateway >= 0 && gateway === t.site;
}
