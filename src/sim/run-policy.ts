/**
 * One run of a scenario under one placement policy.
 *
 * Requests live in growable typed arrays indexed by a recycled slot number, queues are ring buffers of slot
 * numbers, and events carry a slot, a service, a pool, a unit or a replica number: the event loop allocates
 * nothing per request. Arrivals and request sizes come from streams named after the service, so every policy
 * sees the same requests (common random numbers); failures, interruptions and uplink outages come from
 * streams named after their pool or site.
 *
 * Timeline of a request: arrival → (policy) → half the RTT + upload → queue at the pool → batch starts on a
 * free replica (when max_batch requests wait, or the oldest has waited max_wait) → batch ends → half the RTT
 * + download → done. Its latency is known when the batch ends and is recorded then — unless the site's
 * uplink is down, in which case the response waits in the site's buffer and is delivered when it returns.
 *
 * Capacity changes over time. A pool is made of units (an instance, or the devices of one replica); a unit
 * serves when it is provisioned (autoscaling), not failed, not interrupted (spot), not in an outage and has
 * finished booting. Losing a unit aborts its batches: their requests are placed again by the policy (up to
 * the service's retries) or counted as lost. Provisioned, powered and serving capacity are integrated exactly
 * over time, hour by hour, for cost, energy and carbon.
 */
import { Simulator, RandomStreams } from '../engine/index.js';
import { gridAt, type Scenario } from '../model/types.js';
import { policyUsesPool, type Candidate, type JobOption, type PlacementRequest, type Policy } from '../placement/policy.js';
import { LatencyStats } from '../metrics/latency.js';
import { IntervalSeries, chooseInterval } from '../metrics/interval-series.js';
import type { Plan, TargetPlan } from './plan.js';
import type { TraceRow, TraceSink } from '../metrics/trace.js';
import { RequestTable, RingQueue } from './tables.js';

export type { TraceRow, TraceSink };

/** Per-pool accumulators: measured-window hourly series (for cost, energy, carbon) and run-wide series. */
export interface PoolTallies {
  busyServerSeconds: number;
  servingServerSeconds: number;
  batches: number;
  batchedRequests: number;
  unitFailures: number;
  preemptions: number;
  coldStarts: number;
  /** Hour h of the run → unit-seconds billed, unit-seconds powered, busy replica-seconds (measured window only). */
  billedHourly: IntervalSeries;
  poweredHourly: IntervalSeries;
  busyHourly: IntervalSeries;
  /** Unit-seconds held by training jobs (at full power). */
  trainingHourly: IntervalSeries;
}

/** What one training job did in a run. */
export interface JobTallies {
  pool: number;
  phase: 'pending' | 'transferring' | 'waiting' | 'running' | 'checkpointing' | 'done';
  ready_s: number;
  planned_start_s: number;
  start_s: number | null;
  end_s: number | null;
  /** FLOPs still to do, and done since the last saved checkpoint. */
  remaining: number;
  sinceCheckpoint: number;
  interruptions: number;
  yields: number;
  checkpoints: number;
  lostFlops: number;
  heldUnitSeconds: number;
  /** Unit-seconds held per hour of the run (whole run). */
  heldHourly: IntervalSeries;
  transfer_s: number;
  transferBytes: number;
}

export interface SiteTallies {
  uplinkDownSeconds: number;
  uplinkOutages: number;
  buffered: number;
  overflow: number;
}

/** Raw tallies of one run; turned into a PolicyResult by result.ts. */
export interface RunTallies {
  policy: string;
  /** Per pool: provisioned under this policy (see Policy.siteKinds / pools). */
  provisioned: boolean[];
  events: number;
  arrivalsTotal: number;
  completedTotal: number;
  rejectedTotal: number;
  lostTotal: number;
  inFlight: number;
  services: {
    arrivals: number;
    completed: number;
    rejected: number;
    lost: number;
    retried: number;
    sloMet: number;
    /** Sums over completed measured requests, seconds. */
    networkSum: number;
    queueSum: number;
    execSum: number;
    latency: LatencyStats;
    ttft: LatencyStats | null;
    placements: Float64Array; // per pool
    apiPlacements: Float64Array; // per managed API
  }[];
  pools: PoolTallies[];
  jobs: JobTallies[];
  /** Per managed API, measured window: requests completed, $ and kWh and g CO2e at the provider. */
  apis: { requests: number; usd: number; kwh: number; gco2: number }[];
  sites: SiteTallies[];
  egressBytes: number;
  networkBytes: number;
  networkGco2: number;
  /** Per site's shared link, measured window: seconds busy, seconds waited, transfers — each direction. */
  links: { inBusy: number; inWait: number; inCount: number; outBusy: number; outWait: number; outCount: number }[];
  /** Per user group × (towards edge, towards cloud): its shared uplink's busy seconds, wait seconds, transfers. */
  groupLinks: { busy: number; wait: number; count: number }[];
  series: {
    interval: number;
    count: number;
    services: { arrivals: IntervalSeries; completions: IntervalSeries; rejected: IntervalSeries }[];
    /** Busy replica-seconds, waiting request-seconds, serving replica-seconds, powered unit-seconds per interval. */
    pools: { busy: IntervalSeries; queue: IntervalSeries; serving: IntervalSeries; powered: IntervalSeries; training: IntervalSeries }[];
  };
}

/** A piecewise-constant level (units billed, replicas serving, …) integrated over time into series. */
class Level {
  value = 0;
  since = 0;
  constructor(
    private readonly measured: IntervalSeries | null,
    private readonly series: IntervalSeries | null,
    private readonly warmup: number,
    private readonly end: number,
  ) {}

  set(now: number, value: number): void {
    if (value === this.value) return;
    this.flush(now);
    this.value = value;
  }

  flush(now: number): void {
    if (this.value !== 0 && now > this.since) {
      if (this.measured) {
        const s = this.since > this.warmup ? this.since : this.warmup;
        const e = now < this.end ? now : this.end;
        this.measured.addSpan(s, e, this.value);
      }
      this.series?.addSpan(this.since, now, this.value);
    }
    this.since = now;
  }
}

const HOUR = 3600;

export function runPolicy(plan: Plan, policy: Policy, trace: TraceSink | null = null): RunTallies {
  const scenario: Scenario = plan.scenario;
  const { duration_s: duration, warmup_s: warmup } = scenario;
  const sim = new Simulator();
  const streams = new RandomStreams(scenario.seed);
  const rq = new RequestTable();
  const queues: RingQueue[] = plan.targets.map(() => new RingQueue());
  const targetDeferrable = Uint8Array.from(plan.targets.map((t) => (scenario.services[t.service].deferrable_s !== null ? 1 : 0)));
  const nPools = plan.pools.length;
  const nSites = scenario.sites.length;
  // Inference provisioning follows the policy (its site kinds and pools). Training pools are the jobs' own:
  // whatever the policy, they are rented (billed, powered) while a job holds them — and so is a shared
  // pool the policy does not use for inference.
  const usedForInference = plan.pools.map((pp) => policyUsesPool(policy, pp.pool.name, scenario.sites[pp.pool.site].kind));
  const trainingOnly = plan.pools.map((pp, p) => pp.trainingOnly || (pp.pool.use === 'both' && !usedForInference[p]));
  const provisioned = plan.pools.map((pp, p) => usedForInference[p] || pp.trainingOnly);
  const apiUsable = scenario.apis.map((a) => policyUsesPool(policy, a.name, 'api'));
  const apiInFlight = new Int32Array(scenario.apis.length);
  // A managed API's latency is drawn at arrival from the service's own stream, whatever the policy decides,
  // so every policy that sends request i to an API sees the same latency for it (common random numbers).
  const serviceHasApi = plan.services.map((sp) => sp.targets.some((id) => plan.targets[id].api >= 0));
  const apiDrawStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:api-latency`));

  // ---- tallies and series ----------------------------------------------------------------------------
  const seriesInterval = chooseInterval(duration);
  const seriesCount = Math.ceil(duration / seriesInterval - 1e-9);
  const hours = Math.ceil(duration / HOUR - 1e-9);
  const S = (): IntervalSeries => new IntervalSeries(seriesInterval, seriesCount);
  const H = (): IntervalSeries => new IntervalSeries(HOUR, hours);
  const svcSeries = scenario.services.map(() => ({ arrivals: S(), completions: S(), rejected: S() }));
  const poolSeries = plan.pools.map(() => ({ busy: S(), queue: S(), serving: S(), powered: S(), training: S() }));
  const poolTallies: PoolTallies[] = plan.pools.map(() => ({
    busyServerSeconds: 0,
    servingServerSeconds: 0,
    batches: 0,
    batchedRequests: 0,
    unitFailures: 0,
    preemptions: 0,
    coldStarts: 0,
    billedHourly: H(),
    poweredHourly: H(),
    busyHourly: H(),
    trainingHourly: H(),
  }));
  const siteTallies: SiteTallies[] = scenario.sites.map(() => ({ uplinkDownSeconds: 0, uplinkOutages: 0, buffered: 0, overflow: 0 }));
  const tallies: RunTallies = {
    policy: policy.name,
    provisioned,
    events: 0,
    arrivalsTotal: 0,
    completedTotal: 0,
    rejectedTotal: 0,
    lostTotal: 0,
    inFlight: 0,
    services: scenario.services.map((s) => ({
      arrivals: 0,
      completed: 0,
      rejected: 0,
      lost: 0,
      retried: 0,
      sloMet: 0,
      networkSum: 0,
      queueSum: 0,
      execSum: 0,
      latency: new LatencyStats(),
      ttft: s.model >= 0 && scenario.models[s.model].kind === 'llm' ? new LatencyStats() : null,
      placements: new Float64Array(nPools),
      apiPlacements: new Float64Array(scenario.apis.length),
    })),
    pools: poolTallies,
    jobs: plan.jobs.map((jp) => ({
      pool: jp.options[0].pool,
      phase: 'pending',
      ready_s: jp.job.start_s,
      planned_start_s: jp.job.start_s,
      start_s: null,
      end_s: null,
      remaining: jp.job.flops,
      sinceCheckpoint: 0,
      interruptions: 0,
      yields: 0,
      checkpoints: 0,
      lostFlops: 0,
      heldUnitSeconds: 0,
      heldHourly: H(),
      transfer_s: 0,
      transferBytes: 0,
    })),
    apis: scenario.apis.map(() => ({ requests: 0, usd: 0, kwh: 0, gco2: 0 })),
    sites: siteTallies,
    egressBytes: 0,
    networkBytes: 0,
    networkGco2: 0,
    links: [],
    groupLinks: [],
    series: { interval: seriesInterval, count: seriesCount, services: svcSeries, pools: poolSeries },
  };
  const svcTallies = tallies.services;

  // ---- units and replicas ------------------------------------------------------------------------------
  let nUnits = 0;
  let nServers = 0;
  const unitBase = new Int32Array(nPools);
  const serverBase = new Int32Array(nPools);
  for (const pp of plan.pools) {
    unitBase[pp.pool.index] = nUnits;
    serverBase[pp.pool.index] = nServers;
    nUnits += pp.simUnits;
    nServers += pp.simUnits * pp.serversPerUnit;
  }
  const unitPool = new Int32Array(nUnits);
  const unitProvisioned = new Uint8Array(nUnits); // autoscaling (always 1 for a fixed pool the policy uses)
  const unitFailed = new Uint8Array(nUnits);
  const unitPreempted = new Uint8Array(nUnits);
  const unitOutages = new Int32Array(nUnits); // scheduled site / region outages covering it
  const unitBooting = new Uint8Array(nUnits);
  const unitReadyEvent = new Float64Array(nUnits).fill(-1);
  const unitFailEvent = new Float64Array(nUnits).fill(-1);
  const unitPreemptEvent = new Float64Array(nUnits).fill(-1);
  const unitServing = new Uint8Array(nUnits);
  const unitPowered = new Uint8Array(nUnits);
  const unitBilled = new Uint8Array(nUnits);
  const unitTraining = new Uint8Array(nUnits);
  const unitJob = new Int32Array(nUnits).fill(-1);
  const serverUnit = new Int32Array(nServers);
  const serverPool = new Int32Array(nServers);
  for (const pp of plan.pools) {
    const p = pp.pool.index;
    for (let k = 0; k < pp.simUnits; k++) {
      const u = unitBase[p] + k;
      unitPool[u] = p;
      for (let j = 0; j < pp.serversPerUnit; j++) {
        const s = serverBase[p] + k * pp.serversPerUnit + j;
        serverUnit[s] = u;
        serverPool[s] = p;
      }
    }
  }
  let maxBatchAll = 1;
  for (const t of plan.targets) maxBatchAll = Math.max(maxBatchAll, t.maxBatch);
  const serverStart = new Float64Array(nServers);
  const serverBusy = new Uint8Array(nServers);
  const serverTarget = new Int32Array(nServers);
  const serverSize = new Int32Array(nServers);
  const serverFirstToken = new Float64Array(nServers);
  const serverEvent = new Float64Array(nServers);
  const members = new Int32Array(nServers * maxBatchAll);

  // Per pool: stack of idle serving replicas, queue, timers, capacity levels.
  const poolFree: Int32Array[] = plan.pools.map((pp) => new Int32Array(Math.max(pp.simUnits * pp.serversPerUnit, 1)));
  const poolFreeCount = new Int32Array(nPools);
  const poolServing = new Int32Array(nPools); // replicas serving now
  const poolBusy = new Int32Array(nPools);
  const poolBooting = new Int32Array(nPools); // units booting
  const poolProvisionedUnits = new Int32Array(nPools);
  const poolQueued = new Int32Array(nPools);
  const poolTimerAt = new Float64Array(nPools).fill(Infinity);
  const poolMaxQueue = plan.pools.map((pp) => pp.pool.max_queue);
  const poolLowSince = new Float64Array(nPools).fill(-1);
  const billedLevel = plan.pools.map((_, p) => new Level(poolTallies[p].billedHourly, null, warmup, duration));
  const poweredLevel = plan.pools.map((_, p) => new Level(poolTallies[p].poweredHourly, poolSeries[p].powered, warmup, duration));
  const servingLevel = plan.pools.map((_, p) => new Level(null, poolSeries[p].serving, warmup, duration));
  const trainingLevel = plan.pools.map((_, p) => new Level(poolTallies[p].trainingHourly, poolSeries[p].training, warmup, duration));
  const servingMeasured = new Float64Array(nPools);
  const servingSince = new Float64Array(nPools);
  const queueSince = new Float64Array(nPools);

  /** Integrates a pool's queue length up to now; call before changing it. */
  const markQueue = (pool: number): void => {
    const now = sim.now;
    poolSeries[pool].queue.addSpan(queueSince[pool], now, poolQueued[pool]);
    queueSince[pool] = now;
  };
  const markServing = (pool: number): void => {
    const now = sim.now;
    const s = servingSince[pool] > warmup ? servingSince[pool] : warmup;
    const e = now < duration ? now : duration;
    if (e > s) servingMeasured[pool] += (e - s) * poolServing[pool];
    servingSince[pool] = now;
    servingLevel[pool].set(now, poolServing[pool]);
  };

  // Site uplinks: down while any random or scheduled outage holds; responses buffered meanwhile.
  const siteUplinkDown = new Int32Array(nSites);
  const siteDownSince = new Float64Array(nSites);
  const siteBufferUsed = new Float64Array(nSites);
  const siteBuffer: RingQueue[] = scenario.sites.map(() => new RingQueue());
  const siteOfPool = Int32Array.from(plan.pools.map((pp) => pp.pool.site));
  // Inter-region links down (scheduled outages): no new request crosses them.
  const nRegions = scenario.regions.length;
  const linkDown = new Int32Array(nRegions * nRegions);
  // Region outages also take down managed API endpoints there.
  const regionDown = new Int32Array(nRegions);
  const userRegion = Int32Array.from(scenario.users.map((u) => u.region));

  // ---- trace -------------------------------------------------------------------------------------------
  let arrivalCount = 0;
  const row: TraceRow = {
    policy: policy.name,
    request: 0,
    service: '',
    user: '',
    arrival_s: 0,
    measured: false,
    pool: '',
    outcome: 'completed',
    network_s: NaN,
    queue_s: NaN,
    execution_s: NaN,
    latency_s: NaN,
    ttft_s: NaN,
  };
  /** Name of where a target runs: its pool, or its managed API. */
  const targetName = (target: number): string => {
    if (target < 0) return '';
    const t = plan.targets[target];
    return t.pool >= 0 ? scenario.pools[t.pool].name : scenario.apis[t.api].name;
  };
  const emit = (
    id: number,
    svc: number,
    user: number,
    arrival: number,
    target: number,
    outcome: TraceRow['outcome'],
    network: number,
    queue: number,
    execution: number,
    ttft: number,
  ): void => {
    row.request = id;
    row.service = scenario.services[svc].name;
    row.user = scenario.users[user].name;
    row.arrival_s = arrival;
    row.measured = arrival >= warmup;
    row.pool = targetName(target);
    row.outcome = outcome;
    row.network_s = network;
    row.queue_s = queue;
    row.execution_s = execution;
    row.latency_s = network + queue + execution;
    row.ttft_s = ttft;
    trace!(row);
  };

  // ---- policy inputs: one reusable request object and one candidate object per target ------------------
  const regionByName = new Map(scenario.regions.map((r) => [r.name, r]));
  /** The scenario's grid intensity as a perfect forecast (policies may look ahead with it). */
  const gridForecast = (region: string, t: number): number => {
    const reg = regionByName.get(region);
    return reg ? gridAt(reg, t) : NaN;
  };
  const views = plan.services.map((sp) => {
    const s = sp.service;
    const request: PlacementRequest = {
      service: s.name,
      serviceIndex: s.index,
      user: '',
      userIndex: 0,
      arrival_s: 0,
      slo_latency_s: s.slo.latency_s,
      slo_ttft_s: s.slo.ttft_s,
      input_tokens: s.request.input_tokens,
      output_tokens: s.request.output_tokens,
      upload_bytes: s.request.upload_bytes,
      download_bytes: s.request.download_bytes,
    };
    const candidates: Candidate[] = sp.targets.map((id) => {
      const t = plan.targets[id];
      const api = t.api >= 0 ? scenario.apis[t.api] : null;
      const pool = t.pool >= 0 ? scenario.pools[t.pool] : null;
      const site = pool ? scenario.sites[pool.site] : null;
      return {
        pool: api ? api.name : pool!.name,
        poolIndex: pool ? pool.index : -1,
        site: api ? api.name : site!.name,
        kind: api ? 'api' : site!.kind,
        region: scenario.regions[t.region].name,
        available: true,
        rtt_s: 0,
        network_s: 0,
        queue_s: 0,
        exec_s: 0,
        latency_s: 0,
        ttft_s: 0,
        queue_length: 0,
        busy_servers: 0,
        servers: 0,
        cost_usd: 0,
        carbon_g: 0,
      };
    });
    const view = { now: 0, candidates, gridAt: gridForecast } as { now: number; candidates: Candidate[]; gridAt: typeof gridForecast };
    return { request, view, targetIds: Int32Array.from(sp.targets) };
  });

  // Random streams, one per source.
  const arrivalStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:arrivals`));
  const userStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:users`));
  const serviceTimeStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:service-time`));
  const failureStreams = plan.pools.map((pp) => streams.stream(`pool:${pp.pool.name}:failures`));
  const preemptionStreams = plan.pools.map((pp) => streams.stream(`pool:${pp.pool.name}:preemption`));
  const uplinkStreams = scenario.sites.map((s) => streams.stream(`site:${s.name}:uplink`));
  const traceNext = new Int32Array(scenario.services.length);

  // ---- estimates for the policy view -------------------------------------------------------------------
  function poolCanServe(p: number): boolean {
    if (!usedForInference[p]) return false;
    if (poolServing[p] > 0 || poolBooting[p] > 0) return true;
    // Units a job holds on a shared pool come back as soon as requests wait.
    if (trainingLevel[p].value > 0) return true;
    const a = plan.pools[p].pool.autoscale;
    return a !== null && poolProvisionedUnits[p] < a.max && !poolAllDown(p);
  }

  function poolAllDown(p: number): boolean {
    const base = unitBase[p];
    for (let k = 0; k < plan.pools[p].simUnits; k++) {
      const u = base + k;
      if (unitFailed[u] === 0 && unitPreempted[u] === 0 && unitOutages[u] === 0) return false;
    }
    return true;
  }

  function fillCandidates(svc: number, user: number): void {
    const v = views[svc];
    const cands = v.view.candidates;
    const now = sim.now;
    v.view.now = now;
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      const t = plan.targets[v.targetIds[i]];
      if (t.api >= 0) {
        const a = scenario.apis[t.api];
        const exec = t.batchTime[1];
        c.available =
          t.allowed &&
          apiUsable[t.api] &&
          apiInFlight[t.api] < a.max_concurrency &&
          regionDown[t.region] === 0 &&
          linkDown[userRegion[user] * nRegions + t.region] === 0;
        c.rtt_s = t.rtt[user];
        const gUp = t.groupUp[user] > 0 ? Math.max(0, groupFreeUp[user * 2 + 1] - now) + t.groupUp[user] : 0;
        c.network_s = t.up[user] + gUp + t.down[user];
        c.queue_s = 0;
        c.exec_s = exec;
        c.latency_s = c.network_s + exec;
        c.ttft_s = t.up[user] + gUp + t.firstToken[1] + c.rtt_s / 2;
        c.queue_length = 0;
        c.busy_servers = apiInFlight[t.api];
        c.servers = a.max_concurrency;
        c.cost_usd = t.usdPerUse;
        c.carbon_g = (t.kwhPerUse + t.kwhNetworkPerRequest) * gridAt(scenario.regions[t.region], now);
        continue;
      }
      const p = t.pool;
      const servers = poolServing[p];
      const free = poolFreeCount[p];
      const qAll = poolQueued[p];
      const qThis = queues[t.id].length;
      const B = t.maxBatch;
      const bEff = qThis + 1 < B ? qThis + 1 : B;
      const tB = t.batchTime[B];
      let wait: number;
      if (servers === 0) {
        // Nothing serving yet: a unit is booting or would have to start.
        wait = plan.pools[p].coldStart_s + (Math.floor(qAll / B) + 0.5) * tB;
      } else if (free > 0 && qAll < free * B) {
        wait = bEff < B ? t.maxWait : 0;
      } else {
        wait = (Math.floor(qAll / (servers * B)) + 0.5) * tB;
      }
      const exec = t.batchTime[bEff];
      const rtt = t.rtt[user];
      // The shared links' backlog, as it stands now, adds to the transfers.
      let up = t.backhaulIn_s > 0 ? t.up[user] + Math.max(0, linkFreeIn[t.site] - now) + t.backhaulIn_s : t.up[user];
      if (t.groupUp[user] > 0) up += Math.max(0, groupFreeUp[user * 2 + t.groupLink] - now) + t.groupUp[user];
      const down = t.backhaulOut_s > 0 ? t.down[user] + Math.max(0, linkFreeOut[t.site] - now) + t.backhaulOut_s : t.down[user];
      c.available =
        t.allowed &&
        t.reachable[user] === 1 &&
        usedForInference[p] &&
        siteUplinkDown[siteOfPool[p]] === 0 &&
        linkDown[userRegion[user] * nRegions + t.region] === 0 &&
        poolCanServe(p) &&
        (qAll < poolMaxQueue[p] || (free > 0 && qAll === 0));
      c.rtt_s = rtt;
      c.network_s = up + down;
      c.queue_s = wait;
      c.exec_s = exec;
      c.latency_s = up + wait + exec + down;
      c.ttft_s = up + wait + t.firstToken[bEff] + rtt / 2;
      c.queue_length = qThis;
      c.busy_servers = poolBusy[p];
      c.servers = servers;
      c.cost_usd = (t.usdPerServerSecond * exec) / bEff + t.usdNetworkPerRequest;
      const grid = gridAt(scenario.regions[t.region], now);
      c.carbon_g = ((t.kwhPerServerSecond * exec) / bEff + t.kwhNetworkPerRequest) * grid;
    }
  }

  // ---- events --------------------------------------------------------------------------------------------
  let kArrival = 0;
  let kEnqueue = 0;
  let kTimer = 0;
  let kDone = 0;
  let kFail = 0;
  let kRepair = 0;
  let kPreempt = 0;
  let kRestore = 0;
  let kReady = 0;
  let kAutoscale = 0;
  let kOutageStart = 0;
  let kOutageEnd = 0;
  let kUplinkDown = 0;
  let kUplinkUp = 0;
  let kApiDone = 0;
  let kLinkIn = 0;
  let kDeferred = 0;
  let kJobReady = 0;
  let kJobStart = 0;
  let kJobDone = 0;
  let kJobCheckpoint = 0;
  let kJobCheckpointDone = 0;

  function burstFactor(svc: number, t: number): number {
    const bursts = scenario.services[svc].bursts;
    let f = 1;
    for (let i = 0; i < bursts.length; i++) {
      const b = bursts[i];
      if (t >= b.start_s && t < b.start_s + b.duration_s) f *= b.multiplier;
    }
    return f;
  }

  const maxBurst = scenario.services.map((s) => s.bursts.reduce((m, b) => (b.multiplier > 1 ? m * b.multiplier : m), 1));

  function baseRate(svc: number, t: number): number {
    const spec = scenario.services[svc].arrivals;
    if (spec.kind === 'profile') {
      const hour = (t / 3600) % 24;
      const phase = Math.cos((2 * Math.PI * (hour - spec.peak_hour)) / 24);
      return spec.trough_per_s + ((spec.peak_per_s - spec.trough_per_s) * (1 + phase)) / 2;
    }
    return spec.kind === 'poisson' || spec.kind === 'constant' ? spec.rate_per_s : 0;
  }

  function scheduleNextArrival(svc: number): void {
    const service = scenario.services[svc];
    const spec = service.arrivals;
    const hasBursts = service.bursts.length > 0;
    let next: number;
    if (spec.kind === 'trace') {
      const i = traceNext[svc]++;
      next = i < spec.times_s.length ? spec.times_s[i] : Infinity;
    } else if (spec.kind === 'constant') {
      next = sim.now + 1 / (spec.rate_per_s * (hasBursts ? burstFactor(svc, sim.now) : 1));
    } else if (spec.kind === 'poisson' && !hasBursts) {
      next = sim.now + arrivalStreams[svc].exponential(1 / spec.rate_per_s);
    } else {
      // Thinning (Lewis & Shedler): candidates at the highest rate, each kept with probability λ(t)/λmax.
      const rng = arrivalStreams[svc];
      const peak = (spec.kind === 'profile' ? spec.peak_per_s : spec.rate_per_s) * maxBurst[svc];
      next = sim.now;
      for (;;) {
        next += rng.exponential(1 / peak);
        if (next >= duration) break;
        const rate = baseRate(svc, next) * (hasBursts ? burstFactor(svc, next) : 1);
        if (rng.uniform() * peak < rate) break;
      }
    }
    if (next < duration) sim.scheduleAt(next, kArrival, svc);
  }

  /** Asks the policy where request `slot` goes; returns the target id or -1. */
  function place(svc: number, user: number, arrival: number): number {
    const v = views[svc];
    v.request.arrival_s = arrival;
    v.request.user = scenario.users[user].name;
    v.request.userIndex = user;
    fillCandidates(svc, user);
    const choice = policy.place(v.request, v.view);
    if (choice === -1) return -1;
    const cands = v.view.candidates;
    if (!(Number.isInteger(choice) && choice >= 0 && choice < cands.length) || !cands[choice].available) {
      throw new Error(
        `policy "${policy.name}" returned ${String(choice)} for service "${scenario.services[svc].name}": ` +
          `expected -1 or the index of an available candidate (0..${cands.length - 1})`,
      );
    }
    return v.targetIds[choice];
  }

  function send(slot: number, targetId: number): void {
    const t = plan.targets[targetId];
    rq.target[slot] = targetId;
    const user = rq.user[slot];
    let up = t.up[user];
    // First through the group's shared uplink, if it has one: a FIFO queue whose entries come in time order.
    const g = t.groupUp[user];
    if (g > 0) {
      const now = sim.now;
      const k = user * 2 + t.groupLink;
      const start = groupFreeUp[k] > now ? groupFreeUp[k] : now;
      const leave = start + g;
      groupFreeUp[k] = leave;
      if (now >= warmup) {
        const gt = groupTallies[k];
        gt.busy += g;
        gt.wait += start - now;
        gt.count++;
      }
      up += leave - now;
    }
    const next = t.backhaulIn_s > 0 ? kLinkIn : kEnqueue;
    if (up > 0 || next === kLinkIn) sim.schedule(up, next, slot);
    else enqueue(slot);
  }

  // ---- shared site links (backhaul): one first-come-first-served queue per site and direction --------
  // A FIFO queue with known transfer times needs no list: each transfer leaves at
  // max(now, when the previous one leaves) + its own time, in the order they arrive.
  const linkFreeIn = new Float64Array(nSites);
  // Each user group's shared uplinks: [towards edge, towards cloud] per group.
  const groupFreeUp = new Float64Array(scenario.users.length * 2);
  const groupTallies = Array.from({ length: scenario.users.length * 2 }, () => ({ busy: 0, wait: 0, count: 0 }));
  tallies.groupLinks = groupTallies;
  const linkFreeOut = new Float64Array(nSites);
  const linkTallies = scenario.sites.map(() => ({ inBusy: 0, inWait: 0, inCount: 0, outBusy: 0, outWait: 0, outCount: 0 }));
  tallies.links = linkTallies;

  function onLinkIn(slot: number): void {
    const t = plan.targets[rq.target[slot]];
    const now = sim.now;
    const start = linkFreeIn[t.site] > now ? linkFreeIn[t.site] : now;
    const leave = start + t.backhaulIn_s;
    linkFreeIn[t.site] = leave;
    if (now >= warmup) {
      const lt = linkTallies[t.site];
      lt.inBusy += t.backhaulIn_s;
      lt.inWait += start - now;
      lt.inCount++;
    }
    sim.scheduleAt(leave, kEnqueue, slot);
  }

  /** The response leaves the site (through its shared outbound link, if any) and reaches the user. */
  function deliver(slot: number, t: TargetPlan): void {
    const now = sim.now;
    let leave = now;
    if (t.backhaulOut_s > 0) {
      const start = linkFreeOut[t.site] > now ? linkFreeOut[t.site] : now;
      leave = start + t.backhaulOut_s;
      linkFreeOut[t.site] = leave;
      if (now >= warmup) {
        const lt = linkTallies[t.site];
        lt.outBusy += t.backhaulOut_s;
        lt.outWait += start - now;
        lt.outCount++;
      }
    }
    complete(slot, leave + t.down[rq.user[slot]]);
  }

  function onArrival(svc: number): void {
    const service = scenario.services[svc];
    const now = sim.now;
    const measured = now >= warmup;
    tallies.arrivalsTotal++;
    const id = arrivalCount++;
    svcSeries[svc].arrivals.addAt(now, 1);
    const st = svcTallies[svc];
    if (measured) st.arrivals++;

    // Draw everything this request needs from its service's streams before placing it, so that the
    // streams advance identically whatever the policy decides.
    let user = service.users[0].user;
    if (service.users.length > 1) {
      let u = userStreams[svc].uniform();
      for (const w of service.users) {
        user = w.user;
        u -= w.weight;
        if (u < 0) break;
      }
    }
    let serviceTime = 0;
    const stSpec = service.service_time;
    if (stSpec !== null) {
      if (stSpec.kind === 'exponential') serviceTime = serviceTimeStreams[svc].exponential(stSpec.mean_s);
      else if (stSpec.kind === 'lognormal') serviceTime = serviceTimeStreams[svc].lognormal(stSpec.mean_s, stSpec.cv);
      else serviceTime = stSpec.mean_s;
    }

    scheduleNextArrival(svc);
    let apiU1 = 1;
    let apiU2 = 1;
    if (serviceHasApi[svc]) {
      apiU1 = 1 - apiDrawStreams[svc].uniform();
      apiU2 = 1 - apiDrawStreams[svc].uniform();
    }

    // Batch work may be held for a better moment, if the policy wants to.
    if (service.deferrable_s !== null && policy.deferRequest) {
      const v = views[svc];
      v.request.arrival_s = now;
      v.request.user = scenario.users[user].name;
      v.request.userIndex = user;
      fillCandidates(svc, user);
      const delay = policy.deferRequest(v.request, v.view, now + service.deferrable_s);
      if (!(delay >= 0 && delay <= service.deferrable_s)) {
        throw new Error(
          `policy "${policy.name}" returned ${String(delay)} from deferRequest for service "${service.name}": expected 0..${service.deferrable_s} s`,
        );
      }
      if (delay > 0) {
        const slot = rq.alloc();
        rq.arrival[slot] = now;
        rq.serviceTime[slot] = serviceTime;
        rq.user[slot] = user;
        rq.measured[slot] = measured ? 1 : 0;
        rq.id[slot] = id;
        rq.attempts[slot] = 0;
        rq.service[slot] = svc;
        rq.target[slot] = -1;
        rq.apiU1[slot] = apiU1;
        rq.apiU2[slot] = apiU2;
        sim.schedule(delay, kDeferred, slot);
        return;
      }
    }

    const target = place(svc, user, now);
    if (target === -1) {
      tallies.rejectedTotal++;
      svcSeries[svc].rejected.addAt(now, 1);
      if (measured) st.rejected++;
      if (trace) emit(id, svc, user, now, -1, 'rejected', NaN, NaN, NaN, NaN);
      return;
    }
    const slot = rq.alloc();
    rq.arrival[slot] = now;
    rq.serviceTime[slot] = serviceTime;
    rq.user[slot] = user;
    rq.measured[slot] = measured ? 1 : 0;
    rq.id[slot] = id;
    rq.attempts[slot] = 1;
    rq.service[slot] = svc;
    rq.apiU1[slot] = apiU1;
    rq.apiU2[slot] = apiU2;
    const tp = plan.targets[target];
    if (measured) {
      if (tp.pool >= 0) st.placements[tp.pool]++;
      else st.apiPlacements[tp.api]++;
    }
    send(slot, target);
  }

  /** A held (deferred) request is placed now. */
  function onDeferred(slot: number): void {
    const svc = rq.service[slot];
    const st = svcTallies[svc];
    const target = place(svc, rq.user[slot], rq.arrival[slot]);
    if (target === -1) {
      tallies.rejectedTotal++;
      svcSeries[svc].rejected.addAt(sim.now, 1);
      if (rq.measured[slot] === 1) st.rejected++;
      if (trace) emit(rq.id[slot], svc, rq.user[slot], rq.arrival[slot], -1, 'rejected', NaN, NaN, NaN, NaN);
      rq.release(slot);
      return;
    }
    rq.attempts[slot] = 1;
    const tp = plan.targets[target];
    if (rq.measured[slot] === 1) {
      if (tp.pool >= 0) st.placements[tp.pool]++;
      else st.apiPlacements[tp.api]++;
    }
    send(slot, target);
  }

  /** The request lost its replica (failure, interruption, outage): place it again or count it lost. */
  function retry(slot: number): void {
    // While several units go down together, wait until all are down before placing anything again.
    if (holdRetries) {
      heldRetries.push(slot);
      return;
    }
    const t = plan.targets[rq.target[slot]];
    const svc = t.service;
    const st = svcTallies[svc];
    if (rq.attempts[slot] <= scenario.services[svc].retries) {
      const target = place(svc, rq.user[slot], rq.arrival[slot]);
      if (target !== -1) {
        rq.attempts[slot]++;
        if (rq.measured[slot] === 1) st.retried++;
        send(slot, target);
        return;
      }
    }
    lose(slot);
  }

  function lose(slot: number): void {
    const svc = plan.targets[rq.target[slot]].service;
    tallies.lostTotal++;
    if (rq.measured[slot] === 1) svcTallies[svc].lost++;
    if (trace) emit(rq.id[slot], svc, rq.user[slot], rq.arrival[slot], rq.target[slot], 'lost', NaN, NaN, NaN, NaN);
    rq.release(slot);
  }

  /** A request reaches a managed API: it runs at once unless the API's concurrency limit is reached. */
  function startApi(slot: number): void {
    const t = plan.targets[rq.target[slot]];
    const a = scenario.apis[t.api];
    const now = sim.now;
    rq.enqueued[slot] = now;
    if (apiInFlight[t.api] >= a.max_concurrency) {
      tallies.rejectedTotal++;
      svcSeries[t.service].rejected.addAt(now, 1);
      if (rq.measured[slot] === 1) svcTallies[t.service].rejected++;
      if (trace) emit(rq.id[slot], t.service, rq.user[slot], rq.arrival[slot], t.id, 'rejected', NaN, NaN, NaN, NaN);
      rq.release(slot);
      return;
    }
    apiInFlight[t.api]++;
    // Two uniforms give two independent normals (Box–Muller): the first for the latency, the second for TTFT.
    const u1 = rq.apiU1[slot];
    const u2 = rq.apiU2[slot];
    const r = Math.sqrt(-2 * Math.log(u1));
    const draw = (d: typeof a.latency, u: number, z: number): number => {
      if (d.kind === 'exponential') return -d.mean_s * Math.log(u);
      if (d.kind === 'deterministic') return d.mean_s;
      const s2 = Math.log(1 + d.cv * d.cv);
      return Math.exp(Math.log(d.mean_s) - s2 / 2 + Math.sqrt(s2) * z);
    };
    const latency = draw(a.latency, u1, r * Math.cos(2 * Math.PI * u2));
    const ttft = a.ttft ? Math.min(draw(a.ttft, u2, r * Math.sin(2 * Math.PI * u2)), latency) : latency;
    rq.started[slot] = now;
    rq.firstToken[slot] = now + ttft;
    sim.schedule(latency, kApiDone, slot);
  }

  function onApiDone(slot: number): void {
    const t = plan.targets[rq.target[slot]];
    apiInFlight[t.api]--;
    rq.ended[slot] = sim.now;
    complete(slot, sim.now + t.down[rq.user[slot]]);
  }

  function enqueue(slot: number): void {
    const t = rq.target[slot];
    if (plan.targets[t].api >= 0) {
      startApi(slot);
      return;
    }
    const pool = plan.targets[t].pool;
    // The pool may have gone while the request travelled: it is placed again.
    if (siteUplinkDown[siteOfPool[pool]] > 0 || !poolCanServe(pool)) {
      retry(slot);
      return;
    }
    // The queue may have filled while the request travelled: beyond max_queue it is turned away here.
    if (poolQueued[pool] >= poolMaxQueue[pool] && !(poolFreeCount[pool] > 0 && poolQueued[pool] === 0)) {
      const svc = plan.targets[t].service;
      tallies.rejectedTotal++;
      svcSeries[svc].rejected.addAt(sim.now, 1);
      if (rq.measured[slot] === 1) svcTallies[svc].rejected++;
      if (trace) emit(rq.id[slot], svc, rq.user[slot], rq.arrival[slot], t, 'rejected', NaN, NaN, NaN, NaN);
      rq.release(slot);
      return;
    }
    rq.enqueued[slot] = sim.now;
    queues[t].push(slot);
    markQueue(pool);
    poolQueued[pool]++;
    if (poolServing[pool] === 0 && poolBooting[pool] === 0) autoscale(pool);
    dispatch(pool);
    // Inference has priority on a shared pool: a job yields its units when requests have to wait.
    if (poolQueued[pool] > 0 && poolFreeCount[pool] === 0 && trainingLevel[pool].value > 0) yieldPool(pool);
  }

  function dispatch(pool: number): void {
    const targets = plan.pools[pool].targets;
    const now = sim.now;
    while (poolFreeCount[pool] > 0 && poolQueued[pool] > 0) {
      // The ready queue (full batch waiting, or oldest request waited max_wait) with the oldest head;
      // interactive services go before deferrable (batch) ones.
      let pick = -1;
      let pickHead = Infinity;
      let pickBatch = true;
      let nextReady = Infinity;
      for (let i = 0; i < targets.length; i++) {
        const id = targets[i];
        const q = queues[id];
        if (q.length === 0) continue;
        const head = rq.enqueued[q.peek()];
        const t = plan.targets[id];
        const readyAt = head + t.maxWait;
        if (q.length >= t.maxBatch || now >= readyAt) {
          const batch = targetDeferrable[id] === 1;
          if ((pickBatch && !batch) || (batch === pickBatch && head < pickHead)) {
            pickHead = head;
            pick = id;
            pickBatch = batch;
          }
        } else if (readyAt < nextReady) {
          nextReady = readyAt;
        }
      }
      if (pick === -1) {
        if (nextReady < poolTimerAt[pool]) {
          poolTimerAt[pool] = nextReady;
          sim.scheduleAt(nextReady, kTimer, pool);
        }
        return;
      }
      startBatch(pool, pick);
    }
  }

  function startBatch(pool: number, targetId: number): void {
    const t = plan.targets[targetId];
    const q = queues[targetId];
    const server = poolFree[pool][--poolFreeCount[pool]];
    const size = q.length < t.maxBatch ? q.length : t.maxBatch;
    const base = server * maxBatchAll;
    let duration_ = t.batchTime[size];
    const drawn = scenario.services[t.service].service_time !== null;
    if (drawn) duration_ = 0;
    for (let k = 0; k < size; k++) {
      const slot = q.shift();
      members[base + k] = slot;
      // A batch of drawn service times runs as long as its longest member.
      if (drawn && rq.serviceTime[slot] > duration_) duration_ = rq.serviceTime[slot];
    }
    markQueue(pool);
    poolQueued[pool] -= size;
    poolBusy[pool]++;
    serverBusy[server] = 1;
    serverStart[server] = sim.now;
    serverTarget[server] = targetId;
    serverSize[server] = size;
    serverFirstToken[server] = drawn ? duration_ : t.firstToken[size];
    serverEvent[server] = sim.schedule(duration_, kDone, server);
  }

  function busyInWindow(start: number, end: number): number {
    const s = start > warmup ? start : warmup;
    const e = end < duration ? end : duration;
    return e > s ? e - s : 0;
  }

  /** Accounts a replica's busy span [start, end) in the tallies and series. */
  function accountBusy(pool: number, start: number, end: number): void {
    const pt = poolTallies[pool];
    pt.busyServerSeconds += busyInWindow(start, end);
    pt.busyHourly.addSpan(start > warmup ? start : warmup, end < duration ? end : duration, 1);
    poolSeries[pool].busy.addSpan(start, end, 1);
  }

  /** Records a completed request whose response reaches the user at `deliveredAt`. */
  function complete(slot: number, deliveredAt: number): void {
    const t = plan.targets[rq.target[slot]];
    const svc = t.service;
    const st = svcTallies[svc];
    const user = rq.user[slot];
    const arrival = rq.arrival[slot];
    const start = rq.started[slot];
    const end = rq.ended[slot];
    const network = rq.enqueued[slot] - arrival + (deliveredAt - end);
    const ttft = st.ttft !== null ? rq.firstToken[slot] + t.rtt[user] / 2 - arrival : NaN;
    if (rq.measured[slot] === 1) {
      const slo = scenario.services[svc].slo;
      const latency = deliveredAt - arrival;
      st.completed++;
      st.latency.record(latency);
      tallies.egressBytes += t.egressBytes;
      tallies.networkBytes += t.networkBytes;
      tallies.networkGco2 += t.kwhNetworkPerRequest * gridAt(scenario.regions[t.region], end);
      st.networkSum += network;
      st.queueSum += start - rq.enqueued[slot];
      st.execSum += end - start;
      let ok = slo.latency_s === null || latency <= slo.latency_s;
      if (st.ttft !== null) {
        st.ttft.record(ttft);
        if (slo.ttft_s !== null && ttft > slo.ttft_s) ok = false;
      }
      if (ok) st.sloMet++;
      if (t.api >= 0) {
        const at = tallies.apis[t.api];
        at.requests++;
        at.usd += t.usdPerUse;
        at.kwh += t.kwhPerUse;
        at.gco2 += t.kwhPerUse * gridAt(scenario.regions[t.region], end);
      }
    }
    tallies.completedTotal++;
    svcSeries[svc].completions.addAt(sim.now, 1);
    if (trace) emit(rq.id[slot], svc, user, arrival, t.id, 'completed', network, start - rq.enqueued[slot], end - start, ttft);
    rq.release(slot);
  }

  function onDone(server: number): void {
    const now = sim.now;
    const targetId = serverTarget[server];
    const t = plan.targets[targetId];
    const pool = t.pool;
    const site = siteOfPool[pool];
    const size = serverSize[server];
    const start = serverStart[server];
    const firstTokenAt = start + serverFirstToken[server];
    const base = server * maxBatchAll;
    const uplinkDown = siteUplinkDown[site] > 0;
    for (let k = 0; k < size; k++) {
      const slot = members[base + k];
      rq.started[slot] = start;
      rq.ended[slot] = now;
      rq.firstToken[slot] = firstTokenAt;
      if (!uplinkDown) {
        deliver(slot, t);
      } else {
        // The site is cut off: the response waits in its store-and-forward buffer, or is lost.
        const bytes = scenario.services[t.service].request.download_bytes;
        const st = siteTallies[site];
        const capacity = scenario.sites[site].uplink.buffer_bytes;
        if (capacity > 0 && siteBufferUsed[site] + bytes <= capacity) {
          siteBufferUsed[site] += bytes;
          siteBuffer[site].push(slot);
          st.buffered++;
        } else {
          st.overflow++;
          lose(slot);
        }
      }
    }
    accountBusy(pool, start, now);
    if (start >= warmup) {
      poolTallies[pool].batches++;
      poolTallies[pool].batchedRequests += size;
    }
    serverBusy[server] = 0;
    poolBusy[pool]--;
    poolFree[pool][poolFreeCount[pool]++] = server;
    dispatch(pool);
  }

  function onTimer(pool: number): void {
    if (sim.now >= poolTimerAt[pool]) poolTimerAt[pool] = Infinity;
    dispatch(pool);
  }

  // ---- capacity changes ------------------------------------------------------------------------------
  /** Recomputes a unit's state from its flags and applies the difference to its pool. */
  function updateUnit(u: number): void {
    const p = unitPool[u];
    const pp = plan.pools[p];
    const now = sim.now;
    const up = unitFailed[u] === 0 && unitPreempted[u] === 0 && unitOutages[u] === 0;
    // A job loses all its units when one of them goes down (failure, interruption, outage); releasing
    // them updates this unit too.
    if (unitJob[u] >= 0 && !up) {
      interruptJob(unitJob[u], false);
      if (unitJob[u] < 0) return;
    }
    const billed = unitProvisioned[u] === 1 && unitPreempted[u] === 0 ? 1 : 0;
    const powered = unitProvisioned[u] === 1 && up ? 1 : 0;
    const serving = powered === 1 && unitBooting[u] === 0 && unitTraining[u] === 0 ? 1 : 0;
    if (billed !== unitBilled[u]) {
      unitBilled[u] = billed;
      billedLevel[p].set(now, billedLevel[p].value + (billed ? 1 : -1));
    }
    if (powered !== unitPowered[u]) {
      unitPowered[u] = powered;
      poweredLevel[p].set(now, poweredLevel[p].value + (powered ? 1 : -1));
    }
    if (serving === unitServing[u]) return;
    unitServing[u] = serving;
    markServing(p);
    const first = serverBase[p] + (u - unitBase[p]) * pp.serversPerUnit;
    if (serving === 1) {
      poolServing[p] += pp.serversPerUnit;
      servingLevel[p].set(now, poolServing[p]);
      for (let j = pp.serversPerUnit - 1; j >= 0; j--) poolFree[p][poolFreeCount[p]++] = first + j;
      dispatch(p);
      return;
    }
    poolServing[p] -= pp.serversPerUnit;
    servingLevel[p].set(now, poolServing[p]);
    for (let j = 0; j < pp.serversPerUnit; j++) {
      const s = first + j;
      if (serverBusy[s] === 1) {
        // The batch dies with its replica: the work done so far still drew power.
        sim.cancel(serverEvent[s]);
        accountBusy(p, serverStart[s], now);
        serverBusy[s] = 0;
        poolBusy[p]--;
        const base = s * maxBatchAll;
        for (let k = 0; k < serverSize[s]; k++) retry(members[base + k]);
      } else {
        removeFree(p, s);
      }
    }
    // With nothing left to serve (or to come), whatever waits here is placed again.
    if (!poolCanServe(p) || (poolServing[p] === 0 && poolBooting[p] === 0 && pp.pool.autoscale === null)) drainQueue(p);
  }

  function removeFree(p: number, s: number): void {
    const stack = poolFree[p];
    for (let i = 0; i < poolFreeCount[p]; i++) {
      if (stack[i] === s) {
        stack.copyWithin(i, i + 1, poolFreeCount[p]);
        poolFreeCount[p]--;
        return;
      }
    }
  }

  function drainQueue(p: number): void {
    for (const id of plan.pools[p].targets) {
      const q = queues[id];
      while (q.length > 0) {
        const slot = q.shift();
        markQueue(p);
        poolQueued[p]--;
        retry(slot);
      }
    }
  }

  // Failure and interruption clocks run only while a unit is provisioned: an instance not rented (an
  // autoscaled pool below max, a training pool between jobs) cannot fail, and starts fresh when rented.
  function startClocks(u: number): void {
    const pool = plan.pools[unitPool[u]].pool;
    const p = unitPool[u];
    if (pool.failures) unitFailEvent[u] = sim.schedule(failureStreams[p].exponential(pool.failures.mtbf_s), kFail, u);
    if (pool.preemption) unitPreemptEvent[u] = sim.schedule(preemptionStreams[p].exponential(pool.preemption.mean_s), kPreempt, u);
  }

  /** Stops a unit's clocks as it is released; the caller updates the unit. */
  function stopClocks(u: number): void {
    if (unitFailEvent[u] >= 0) sim.cancel(unitFailEvent[u]);
    if (unitPreemptEvent[u] >= 0) sim.cancel(unitPreemptEvent[u]);
    unitFailEvent[u] = -1;
    unitPreemptEvent[u] = -1;
    unitFailed[u] = 0;
    unitPreempted[u] = 0;
  }

  function onFail(u: number): void {
    const p = unitPool[u];
    const spec = plan.pools[p].pool.failures!;
    unitFailed[u] = 1;
    if (sim.now >= warmup) poolTallies[p].unitFailures++;
    unitFailEvent[u] = sim.schedule(failureStreams[p].exponential(spec.mttr_s), kRepair, u);
    updateUnit(u);
  }

  function onRepair(u: number): void {
    const p = unitPool[u];
    const spec = plan.pools[p].pool.failures!;
    unitFailed[u] = 0;
    unitFailEvent[u] = sim.schedule(failureStreams[p].exponential(spec.mtbf_s), kFail, u);
    updateUnit(u);
  }

  function onPreempt(u: number): void {
    const p = unitPool[u];
    const spec = plan.pools[p].pool.preemption!;
    unitPreempted[u] = 1;
    if (sim.now >= warmup) poolTallies[p].preemptions++;
    unitPreemptEvent[u] = sim.schedule(spec.restart_s, kRestore, u);
    updateUnit(u);
  }

  function onRestore(u: number): void {
    const p = unitPool[u];
    const spec = plan.pools[p].pool.preemption!;
    unitPreempted[u] = 0;
    unitPreemptEvent[u] = sim.schedule(preemptionStreams[p].exponential(spec.mean_s), kPreempt, u);
    updateUnit(u);
  }

  /** Provisions a unit of an autoscaled pool: billed and powered from now, serving after its cold start. */
  function bootUnit(u: number): void {
    const p = unitPool[u];
    unitProvisioned[u] = 1;
    unitBooting[u] = 1;
    poolBooting[p]++;
    poolProvisionedUnits[p]++;
    startClocks(u);
    if (sim.now >= warmup) poolTallies[p].coldStarts++;
    updateUnit(u);
    unitReadyEvent[u] = sim.schedule(plan.pools[p].coldStart_s, kReady, u);
  }

  function onReady(u: number): void {
    const p = unitPool[u];
    unitReadyEvent[u] = -1;
    unitBooting[u] = 0;
    poolBooting[p]--;
    updateUnit(u);
  }

  function releaseUnit(u: number): void {
    const p = unitPool[u];
    unitProvisioned[u] = 0;
    poolProvisionedUnits[p]--;
    stopClocks(u);
    updateUnit(u);
  }

  /** The autoscaler: compares demand with the capacity running or coming, and adds or releases units. */
  function autoscale(p: number): void {
    const pp = plan.pools[p];
    const a = pp.pool.autoscale;
    if (a === null || !provisioned[p]) return;
    const perUnit = pp.serversPerUnit;
    // Unhealthy instances (failed, interrupted) are terminated and replaced, as a cloud autoscaling group does.
    for (let k = 0; k < pp.simUnits; k++) {
      const u = unitBase[p] + k;
      if (unitProvisioned[u] === 1 && (unitFailed[u] === 1 || unitPreempted[u] === 1)) releaseUnit(u);
    }
    // Demand in replicas: those busy plus the queue, as full batches.
    const demand = poolBusy[p] + poolQueued[p] / pp.maxBatch;
    let wanted: number;
    if (a.metric === 'utilisation') {
      wanted = Math.min(a.max, Math.max(a.min, Math.ceil(demand / a.target_utilisation / perUnit - 1e-9)));
    } else {
      const serving = poolServing[p];
      const units = poolProvisionedUnits[p];
      if (poolQueued[p] > 0 && (serving === 0 || poolQueued[p] / serving > a.target_queue)) wanted = units + 1;
      else if (poolQueued[p] === 0 && serving > 0 && poolBusy[p] / serving < a.target_utilisation) wanted = units - 1;
      else wanted = units;
      // One step at a time: wait for a booting unit before judging the queue again.
      if (poolBooting[p] > 0 && wanted > units) wanted = units;
      wanted = Math.min(a.max, Math.max(a.min, wanted));
    }
    const have = poolProvisionedUnits[p];
    if (wanted > have) {
      poolLowSince[p] = -1;
      let need = wanted - have;
      const base = unitBase[p];
      for (let k = 0; k < pp.simUnits && need > 0; k++) {
        const u = base + k;
        if (unitProvisioned[u] === 0) {
          bootUnit(u);
          need--;
        }
      }
      return;
    }
    if (wanted < have) {
      if (poolLowSince[p] < 0) poolLowSince[p] = sim.now;
      if (sim.now - poolLowSince[p] < a.scale_in_after_s) return;
      // Release one idle unit (the highest-numbered), then wait another period before the next.
      const base = unitBase[p];
      for (let k = pp.simUnits - 1; k >= 0; k--) {
        const u = base + k;
        if (unitProvisioned[u] === 0 || unitBooting[u] === 1) continue;
        const first = serverBase[p] + k * perUnit;
        let idle = true;
        for (let j = 0; j < perUnit; j++) if (serverBusy[first + j] === 1) idle = false;
        if (!idle) continue;
        releaseUnit(u);
        poolLowSince[p] = sim.now;
        return;
      }
      return;
    }
    poolLowSince[p] = -1;
  }

  function onAutoscale(p: number): void {
    autoscale(p);
    sim.schedule(plan.pools[p].pool.autoscale!.check_every_s, kAutoscale, p);
  }

  let holdRetries = false;
  const heldRetries: number[] = [];

  function outageUnits(i: number, delta: number): void {
    const o = scenario.outages[i];
    if (o.kind === 'uplink') {
      uplinkChange(o.target, delta);
      return;
    }
    if (o.kind === 'link') {
      linkDown[o.target * nRegions + o.other] += delta;
      linkDown[o.other * nRegions + o.target] += delta;
      return;
    }
    if (o.kind === 'region') regionDown[o.target] += delta;
    for (const pp of plan.pools) {
      const site = scenario.sites[pp.pool.site];
      const hit = o.kind === 'site' ? site.index === o.target : site.region === o.target;
      if (!hit) continue;
      const p = pp.pool.index;
      for (let k = 0; k < pp.simUnits; k++) unitOutages[unitBase[p] + k] += delta;
    }
    // Every unit of the site or region is marked first, then updated, and the requests they dropped are
    // placed again only once all of them are down: none is retried onto a unit about to fall.
    holdRetries = true;
    for (const pp of plan.pools) {
      const site = scenario.sites[pp.pool.site];
      const hit = o.kind === 'site' ? site.index === o.target : site.region === o.target;
      if (!hit) continue;
      for (let k = 0; k < pp.simUnits; k++) updateUnit(unitBase[pp.pool.index] + k);
    }
    holdRetries = false;
    while (heldRetries.length > 0) retry(heldRetries.shift()!);
  }

  function uplinkChange(site: number, delta: number): void {
    const now = sim.now;
    const wasDown = siteUplinkDown[site] > 0;
    siteUplinkDown[site] += delta;
    const isDown = siteUplinkDown[site] > 0;
    const st = siteTallies[site];
    if (!wasDown && isDown) {
      siteDownSince[site] = now;
      if (now >= warmup) st.uplinkOutages++;
      // Requests queued at the site stay: the site itself still works and buffers what it finishes.
    } else if (wasDown && !isDown) {
      st.uplinkDownSeconds += busyInWindow(siteDownSince[site], now);
      // Forward what waited, in the order it finished.
      const buf = siteBuffer[site];
      while (buf.length > 0) {
        const slot = buf.shift();
        const t = plan.targets[rq.target[slot]];
        // Not even the first token got out while the uplink was down.
        if (rq.firstToken[slot] < now) rq.firstToken[slot] = now;
        deliver(slot, t);
      }
      siteBufferUsed[site] = 0;
      for (const pp of plan.pools) if (pp.pool.site === site) dispatch(pp.pool.index);
    }
  }

  function onUplinkDown(site: number): void {
    uplinkChange(site, 1);
    sim.schedule(uplinkStreams[site].exponential(scenario.sites[site].uplink.mttr_s!), kUplinkUp, site);
  }

  function onUplinkUp(site: number): void {
    uplinkChange(site, -1);
    sim.schedule(uplinkStreams[site].exponential(scenario.sites[site].uplink.mtbf_s!), kUplinkDown, site);
  }

  // ---- training jobs -------------------------------------------------------------------------------------
  const jobs = tallies.jobs;
  const jobOption = new Int32Array(plan.jobs.length);
  const jobUnits: number[][] = plan.jobs.map(() => []);
  const jobRunStart = new Float64Array(plan.jobs.length);
  const jobHeldSince = new Float64Array(plan.jobs.length);
  const jobDoneEvent = new Float64Array(plan.jobs.length).fill(-1);
  const jobCkptEvent = new Float64Array(plan.jobs.length).fill(-1);

  /** The job's options: each pool it may use × each start hour that can still meet its deadline. */
  function jobOptions(j: number): { option: number; start_s: number; o: JobOption }[] {
    const jp = plan.jobs[j];
    const job = jp.job;
    const out: { option: number; start_s: number; o: JobOption }[] = [];
    jp.options.forEach((opt, k) => {
      const pp = plan.pools[opt.pool];
      const region = scenario.regions[scenario.sites[pp.pool.site].region];
      const earliest = job.start_s + opt.transfer_s;
      const last = job.deadline_s === null ? earliest : Math.max(earliest, job.deadline_s - opt.estimate_s);
      const watts = opt.units * pp.unitMaxW * region.pue;
      const usdPerSecond = opt.units * unitUsdPerSecond(pp);
      // Start now, or at the top of any later hour that leaves time to finish (a year of hours at most).
      const starts = [earliest];
      if (job.deadline_s !== null) {
        for (let s = Math.floor(earliest / HOUR) * HOUR + HOUR; s <= last + 1e-9 && starts.length < 8784; s += HOUR) starts.push(s);
      }
      for (const s of starts) {
        out.push({
          option: k,
          start_s: s,
          o: {
            pool: pp.pool.name,
            region: region.name,
            start_s: s,
            duration_s: opt.estimate_s,
            meets_deadline: job.deadline_s === null || s + opt.estimate_s <= job.deadline_s + 1e-9,
            carbon_g: carbonOver(region, s, s + opt.estimate_s) * watts / 3.6e6,
            cost_usd: usdPerSecond * opt.estimate_s,
          },
        });
      }
    });
    return out;
  }

  /** ∫ grid(t) dt over [a, b], in gCO2e/kWh × seconds (hourly steps). */
  function carbonOver(region: Scenario['regions'][number], a: number, b: number): number {
    let total = 0;
    let t = a;
    while (t < b) {
      const edge = Math.min(b, (Math.floor(t / HOUR) + 1) * HOUR);
      total += (edge - t) * gridAt(region, t);
      t = edge;
    }
    return total;
  }

  function unitUsdPerSecond(pp: Plan['pools'][number]): number {
    const pool = pp.pool;
    const perDevice = pool.instance ? 1 : pp.replicaDevices;
    const capex = pool.lifetime_s > 0 ? pool.capex_usd_per_unit / pool.lifetime_s : 0;
    return (pool.usd_per_unit_hour / 3600 + capex + pool.upkeep_usd_per_unit_year / (365 * 86400)) * perDevice;
  }

  function onJobReady(j: number): void {
    const jp = plan.jobs[j];
    const t = jobs[j];
    const options = jobOptions(j);
    let pick = 0;
    if (jp.job.deadline_s !== null && policy.scheduleJob) {
      pick = policy.scheduleJob({ job: jp.job.name, earliest_s: jp.job.start_s, deadline_s: jp.job.deadline_s }, options.map((x) => x.o));
      if (!(Number.isInteger(pick) && pick >= 0 && pick < options.length)) {
        throw new Error(`policy "${policy.name}" returned ${String(pick)} from scheduleJob for job "${jp.job.name}": expected 0..${options.length - 1}`);
      }
    }
    const chosen = options[pick];
    const opt = jp.options[chosen.option];
    jobOption[j] = chosen.option;
    t.pool = opt.pool;
    t.planned_start_s = chosen.start_s;
    t.transfer_s = opt.transfer_s;
    t.transferBytes = opt.transfer_bytes;
    t.phase = opt.transfer_s > 0 ? 'transferring' : 'waiting';
    sim.scheduleAt(Math.max(chosen.start_s, sim.now), kJobStart, j);
  }

  /** Takes the units the job needs if they are free, and runs it; otherwise tries again later. */
  function tryStartJob(j: number): void {
    const t = jobs[j];
    if (t.phase === 'done' || t.phase === 'running' || t.phase === 'checkpointing') return;
    t.phase = 'waiting';
    const jp = plan.jobs[j];
    const opt = jp.options[jobOption[j]];
    const p = opt.pool;
    const pp = plan.pools[p];
    // On a shared pool the job starts only while no request waits.
    if (!trainingOnly[p] && poolQueued[p] > 0) {
      sim.schedule(jp.job.restart_s > 0 ? jp.job.restart_s : 60, kJobStart, j);
      return;
    }
    const take: number[] = [];
    for (let k = 0; k < pp.simUnits && take.length < opt.units; k++) {
      const u = unitBase[p] + k;
      if (unitFailed[u] || unitPreempted[u] || unitOutages[u] || unitTraining[u]) continue;
      if (!trainingOnly[p]) {
        if (unitServing[u] === 0) continue;
        const first = serverBase[p] + k * pp.serversPerUnit;
        let idle = true;
        for (let s = 0; s < pp.serversPerUnit; s++) if (serverBusy[first + s] === 1) idle = false;
        if (!idle) continue;
      }
      take.push(u);
    }
    if (take.length < opt.units) {
      sim.schedule(jp.job.restart_s > 0 ? jp.job.restart_s : 60, kJobStart, j);
      return;
    }
    const now = sim.now;
    for (const u of take) {
      unitJob[u] = j;
      unitTraining[u] = 1;
      if (trainingOnly[p]) {
        unitProvisioned[u] = 1;
        startClocks(u);
      }
      updateUnit(u);
    }
    jobUnits[j] = take;
    trainingLevel[p].set(now, trainingLevel[p].value + take.length);
    jobHeldSince[j] = now;
    if (t.start_s === null) t.start_s = now;
    runJob(j);
  }

  function runJob(j: number): void {
    const t = jobs[j];
    const jp = plan.jobs[j];
    const rate = jp.options[jobOption[j]].rate;
    t.phase = 'running';
    jobRunStart[j] = sim.now;
    jobDoneEvent[j] = sim.schedule(t.remaining / rate, kJobDone, j);
    const ck = jp.job.checkpoint;
    jobCkptEvent[j] = ck && ck.every_s < t.remaining / rate ? sim.schedule(ck.every_s, kJobCheckpoint, j) : -1;
  }

  /** Progress of the running segment, in FLOPs, folded into the job's counters. */
  function foldProgress(j: number): void {
    const t = jobs[j];
    if (t.phase !== 'running') return;
    const rate = plan.jobs[j].options[jobOption[j]].rate;
    const done = Math.min(t.remaining, rate * (sim.now - jobRunStart[j]));
    t.remaining -= done;
    t.sinceCheckpoint += done;
    jobRunStart[j] = sim.now;
  }

  function cancelJobEvents(j: number): void {
    if (jobDoneEvent[j] >= 0) sim.cancel(jobDoneEvent[j]);
    if (jobCkptEvent[j] >= 0) sim.cancel(jobCkptEvent[j]);
    jobDoneEvent[j] = -1;
    jobCkptEvent[j] = -1;
  }

  function releaseJob(j: number): void {
    const t = jobs[j];
    const now = sim.now;
    const units = jobUnits[j];
    if (units.length === 0) return;
    const p = unitPool[units[0]];
    t.heldUnitSeconds += units.length * (now - jobHeldSince[j]);
    t.heldHourly.addSpan(jobHeldSince[j], now, units.length);
    trainingLevel[p].set(now, trainingLevel[p].value - units.length);
    jobUnits[j] = [];
    for (const u of units) {
      unitJob[u] = -1;
      unitTraining[u] = 0;
      if (trainingOnly[p]) {
        unitProvisioned[u] = 0;
        stopClocks(u);
      }
      updateUnit(u);
    }
  }

  function onJobDone(j: number): void {
    const t = jobs[j];
    jobDoneEvent[j] = -1;
    if (jobCkptEvent[j] >= 0) sim.cancel(jobCkptEvent[j]);
    jobCkptEvent[j] = -1;
    t.remaining = 0;
    t.sinceCheckpoint = 0;
    t.phase = 'done';
    t.end_s = sim.now;
    releaseJob(j);
  }

  function onJobCheckpoint(j: number): void {
    const t = jobs[j];
    const ck = plan.jobs[j].job.checkpoint!;
    jobCkptEvent[j] = -1;
    foldProgress(j);
    if (jobDoneEvent[j] >= 0) sim.cancel(jobDoneEvent[j]);
    jobDoneEvent[j] = -1;
    t.phase = 'checkpointing';
    jobCkptEvent[j] = sim.schedule(ck.bytes / ck.write_bytes_per_s, kJobCheckpointDone, j);
  }

  function onJobCheckpointDone(j: number): void {
    const t = jobs[j];
    jobCkptEvent[j] = -1;
    t.sinceCheckpoint = 0;
    t.checkpoints++;
    runJob(j);
  }

  /** The job loses its units: work since the last saved checkpoint is redone after a restart delay. */
  function interruptJob(j: number, isYield: boolean): void {
    const t = jobs[j];
    if (t.phase !== 'running' && t.phase !== 'checkpointing') return;
    foldProgress(j);
    cancelJobEvents(j);
    t.lostFlops += t.sinceCheckpoint;
    t.remaining += t.sinceCheckpoint;
    t.sinceCheckpoint = 0;
    if (isYield) t.yields++;
    else t.interruptions++;
    t.phase = 'waiting';
    releaseJob(j);
    sim.schedule(plan.jobs[j].job.restart_s, kJobStart, j);
  }

  function yieldPool(p: number): void {
    for (let j = 0; j < plan.jobs.length; j++) {
      const units = jobUnits[j];
      if (units.length > 0 && unitPool[units[0]] === p) {
        interruptJob(j, true);
        return;
      }
    }
  }

  kArrival = sim.register(onArrival);
  kEnqueue = sim.register(enqueue);
  kTimer = sim.register(onTimer);
  kDone = sim.register(onDone);
  kFail = sim.register(onFail);
  kRepair = sim.register(onRepair);
  kPreempt = sim.register(onPreempt);
  kRestore = sim.register(onRestore);
  kReady = sim.register(onReady);
  kAutoscale = sim.register(onAutoscale);
  kOutageStart = sim.register((i) => outageUnits(i, 1));
  kOutageEnd = sim.register((i) => outageUnits(i, -1));
  kUplinkDown = sim.register(onUplinkDown);
  kUplinkUp = sim.register(onUplinkUp);
  kApiDone = sim.register(onApiDone);
  kLinkIn = sim.register(onLinkIn);
  kDeferred = sim.register(onDeferred);
  kJobReady = sim.register(onJobReady);
  kJobStart = sim.register(tryStartJob);
  kJobDone = sim.register(onJobDone);
  kJobCheckpoint = sim.register(onJobCheckpoint);
  kJobCheckpointDone = sim.register(onJobCheckpointDone);

  // ---- start -------------------------------------------------------------------------------------------
  for (const pp of plan.pools) {
    const p = pp.pool.index;
    if (!provisioned[p]) continue;
    const a = pp.pool.autoscale;
    const initial = trainingOnly[p] ? 0 : a ? a.initial : pp.simUnits;
    for (let k = 0; k < pp.simUnits; k++) {
      const u = unitBase[p] + k;
      if (k < initial) {
        unitProvisioned[u] = 1;
        poolProvisionedUnits[p]++;
        updateUnit(u);
        startClocks(u);
      }
    }
    if (a) sim.schedule(a.check_every_s, kAutoscale, p);
  }
  plan.jobs.forEach((jp, j) => {
    if (jp.job.start_s < duration) sim.scheduleAt(jp.job.start_s, kJobReady, j);
  });
  scenario.outages.forEach((o, i) => {
    if (o.start_s >= duration) return;
    sim.scheduleAt(o.start_s, kOutageStart, i);
    if (o.start_s + o.duration_s < duration) sim.scheduleAt(o.start_s + o.duration_s, kOutageEnd, i);
  });
  for (const site of scenario.sites) {
    if (site.uplink.mtbf_s !== null) sim.schedule(uplinkStreams[site.index].exponential(site.uplink.mtbf_s), kUplinkDown, site.index);
  }
  scenario.services.forEach((service, svc) => {
    if (service.arrivals.kind === 'constant') sim.scheduleAt(0, kArrival, svc);
    else scheduleNextArrival(svc);
  });

  sim.run(duration);

  // ---- close the books at the end of the run -----------------------------------------------------------
  for (let s = 0; s < nServers; s++) if (serverBusy[s] === 1) accountBusy(serverPool[s], serverStart[s], duration);
  for (let j = 0; j < plan.jobs.length; j++) {
    foldProgress(j);
    const units = jobUnits[j];
    if (units.length > 0) {
      jobs[j].heldUnitSeconds += units.length * (duration - jobHeldSince[j]);
      jobs[j].heldHourly.addSpan(jobHeldSince[j], duration, units.length);
      const p = unitPool[units[0]];
      trainingLevel[p].flush(duration);
    }
  }
  for (let p = 0; p < nPools; p++) {
    markQueue(p);
    markServing(p);
    billedLevel[p].flush(duration);
    poweredLevel[p].flush(duration);
    servingLevel[p].flush(duration);
    trainingLevel[p].flush(duration);
    poolTallies[p].servingServerSeconds = servingMeasured[p];
  }
  for (let site = 0; site < nSites; site++) {
    if (siteUplinkDown[site] > 0) siteTallies[site].uplinkDownSeconds += busyInWindow(siteDownSince[site], duration);
  }
  tallies.events = sim.processed;
  tallies.inFlight = rq.live;
  if (trace) {
    // Requests still travelling, waiting, running or buffered when the run ends, in arrival order.
    const open: number[] = [];
    for (let s = 0; s < rq.highWater; s++) if (rq.alive[s] === 1) open.push(s);
    open.sort((a, b) => rq.id[a] - rq.id[b]);
    for (const s of open) emit(rq.id[s], rq.service[s], rq.user[s], rq.arrival[s], rq.target[s], 'in_flight', NaN, NaN, NaN, NaN);
  }
  return tallies;
}
