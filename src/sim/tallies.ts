/**
 * The raw tallies of one run and the piecewise-constant levels that feed them.
 *
 * Owns: the shapes of RunTallies (what result.ts turns into a PolicyResult) and `Level`, a value integrated
 * exactly over time into series. `createTallies` builds the empty tallies of a run once, before any event.
 * Handles no events.
 */
import type { Scenario } from '../model/types.js';
import { LatencyStats } from '../metrics/latency.js';
import { IntervalSeries, chooseInterval } from '../metrics/interval-series.js';
import type { Plan } from './plan.js';
import { LOSS_CAUSES, N_DECISIONS, REJECT_CAUSES } from './decisions.js';

export const HOUR = 3600;

/** Per-pool accumulators: measured-window hourly series (for cost, energy, carbon) and run-wide series. */
export interface PoolTallies {
  busyServerSeconds: number;
  servingServerSeconds: number;
  batches: number;
  batchedRequests: number;
  unitFailures: number;
  preemptions: number;
  coldStarts: number;
  /**
   * Continuous-batching LLM pools (measured window): model steps, Σ running sequences over steps, steps by
   * running sequences (index = sequences; null for other pools), sequences preempted for KV memory, and
   * Σ KV blocks in use × seconds against Σ KV blocks held × seconds (busy replicas).
   */
  llmSteps: number;
  llmSeqSteps: number;
  llmBatchHist: Float64Array | null;
  kvPreemptions: number;
  kvBlockSeconds: number;
  kvCapacitySeconds: number;
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

export interface ServiceTallies {
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
  /** When the last completed measured request reached its user (0: none yet), seconds. */
  lastCompletion: number;
  latency: LatencyStats;
  ttft: LatencyStats | null;
  /** LLM services: time per output token (per request) and inter-token latency (per token gap). */
  tpot: LatencyStats | null;
  itl: LatencyStats | null;
  placements: Float64Array; // per pool
  apiPlacements: Float64Array; // per managed API
  /** Per target (pools, then APIs) × decision code (decisions.ts): first placements by reason. */
  decisions: Float64Array;
  /** Per rejection cause and per loss cause (decisions.ts). */
  rejectedBy: Float64Array;
  lostBy: Float64Array;
}

export interface ServiceSeries {
  arrivals: IntervalSeries;
  completions: IntervalSeries;
  rejected: IntervalSeries;
}

/** Busy replica-seconds, waiting request-seconds, serving replica-seconds, powered unit-seconds per interval. */
export interface PoolSeries {
  busy: IntervalSeries;
  queue: IntervalSeries;
  serving: IntervalSeries;
  powered: IntervalSeries;
  training: IntervalSeries;
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
  services: ServiceTallies[];
  pools: PoolTallies[];
  jobs: JobTallies[];
  /** Per managed API, measured window: requests completed, $ and kWh and g CO2e at the provider. */
  apis: { requests: number; usd: number; kwh: number; gco2: number }[];
  sites: SiteTallies[];
  egressBytes: number;
  networkBytes: number;
  /** Bytes of completed measured requests carried on a user group's own LAN (not in networkBytes). */
  lanBytes: number;
  networkGco2: number;
  /** Per site's shared link, measured window: seconds busy, seconds waited, transfers — each direction. */
  links: { inBusy: number; inWait: number; inCount: number; outBusy: number; outWait: number; outCount: number }[];
  /** Per user group × (towards edge, towards cloud): its shared uplink's busy seconds, wait seconds, transfers. */
  groupLinks: { busy: number; wait: number; count: number }[];
  series: {
    interval: number;
    count: number;
    services: ServiceSeries[];
    pools: PoolSeries[];
  };
}

/**
 * Sets each named field of `o` to 0 after a fraction: fields that will hold fractions start as one (see the
 * Simulator's constructor for why), so that the objects keep one hidden class from their construction on.
 */
function fractions<T extends object>(o: T, keys: readonly (keyof T & string)[]): void {
  const r = o as unknown as Record<string, number>;
  for (const k of keys) {
    r[k] = 0.5;
    r[k] = 0;
  }
}

/** A piecewise-constant level (units billed, replicas serving, …) integrated over time into series. */
export class Level {
  value = 0;
  since = 0;
  declare private readonly measured: IntervalSeries | null;
  declare private readonly series: IntervalSeries | null;
  declare private readonly warmup: number;
  declare private readonly end: number;

  /** `measured` receives the part inside [warmup, end); `series` the whole run. */
  constructor(measured: IntervalSeries | null, series: IntervalSeries | null, warmup: number, end: number) {
    this.measured = measured;
    this.series = series;
    this.warmup = warmup;
    this.end = end;
    fractions<Level>(this, ['value', 'since']);
  }

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

/*
 * The tallies are class instances, not object literals. V8 builds an object literal's boilerplate the second
 * time the literal runs, and doing so generalises the fields that hold objects (a LatencyStats, a typed
 * array): every optimised function that read them is thrown away. A literal that runs once per run (one
 * service, the run's own tallies) would do that at the start of the second policy's run, discarding the
 * compiled event path each time; a constructor does not.
 */

class ServiceTally implements ServiceTallies {
  arrivals = 0;
  completed = 0;
  rejected = 0;
  lost = 0;
  retried = 0;
  sloMet = 0;
  networkSum = 0;
  queueSum = 0;
  execSum = 0;
  lastCompletion = 0;
  latency: LatencyStats;
  ttft: LatencyStats | null;
  tpot: LatencyStats | null;
  itl: LatencyStats | null;
  placements: Float64Array;
  apiPlacements: Float64Array;
  decisions: Float64Array;
  rejectedBy: Float64Array;
  lostBy: Float64Array;

  constructor(llm: boolean, nPools: number, nApis: number) {
    this.latency = new LatencyStats();
    this.ttft = llm ? new LatencyStats() : null;
    this.tpot = llm ? new LatencyStats() : null;
    this.itl = llm ? new LatencyStats() : null;
    this.placements = new Float64Array(nPools);
    this.apiPlacements = new Float64Array(nApis);
    this.decisions = new Float64Array((nPools + nApis) * N_DECISIONS);
    this.rejectedBy = new Float64Array(REJECT_CAUSES.length);
    this.lostBy = new Float64Array(LOSS_CAUSES.length);
    fractions<ServiceTally>(this, ['networkSum', 'queueSum', 'execSum', 'lastCompletion']);
  }
}

class PoolTally implements PoolTallies {
  llmSteps = 0;
  llmSeqSteps = 0;
  llmBatchHist: Float64Array | null;
  kvPreemptions = 0;
  kvBlockSeconds = 0;
  kvCapacitySeconds = 0;
  busyServerSeconds = 0;
  servingServerSeconds = 0;
  batches = 0;
  batchedRequests = 0;
  unitFailures = 0;
  preemptions = 0;
  coldStarts = 0;
  billedHourly: IntervalSeries;
  poweredHourly: IntervalSeries;
  busyHourly: IntervalSeries;
  trainingHourly: IntervalSeries;

  constructor(maxSeqs: number, hours: number) {
    this.llmBatchHist = maxSeqs > 0 ? new Float64Array(maxSeqs + 1) : null;
    this.billedHourly = new IntervalSeries(HOUR, hours);
    this.poweredHourly = new IntervalSeries(HOUR, hours);
    this.busyHourly = new IntervalSeries(HOUR, hours);
    this.trainingHourly = new IntervalSeries(HOUR, hours);
    fractions<PoolTally>(this, [
      'llmSteps',
      'llmSeqSteps',
      'kvBlockSeconds',
      'kvCapacitySeconds',
      'busyServerSeconds',
      'servingServerSeconds',
      'batches',
      'batchedRequests',
    ]);
  }
}

class JobTally implements JobTallies {
  phase: JobTallies['phase'] = 'pending';
  start_s: number | null = null;
  end_s: number | null = null;
  sinceCheckpoint = 0;
  interruptions = 0;
  yields = 0;
  checkpoints = 0;
  lostFlops = 0;
  heldUnitSeconds = 0;
  transfer_s = 0;
  transferBytes = 0;
  pool: number;
  ready_s: number;
  planned_start_s: number;
  remaining: number;
  heldHourly: IntervalSeries;

  constructor(pool: number, start: number, flops: number, hours: number) {
    this.pool = pool;
    this.ready_s = start;
    this.planned_start_s = start;
    this.remaining = flops;
    this.heldHourly = new IntervalSeries(HOUR, hours);
    fractions<JobTally>(this, ['sinceCheckpoint', 'lostFlops', 'heldUnitSeconds', 'transfer_s', 'transferBytes']);
  }
}

class ServiceSeriesSet implements ServiceSeries {
  arrivals: IntervalSeries;
  completions: IntervalSeries;
  rejected: IntervalSeries;

  constructor(interval: number, count: number) {
    this.arrivals = new IntervalSeries(interval, count);
    this.completions = new IntervalSeries(interval, count);
    this.rejected = new IntervalSeries(interval, count);
  }
}

class PoolSeriesSet implements PoolSeries {
  busy: IntervalSeries;
  queue: IntervalSeries;
  serving: IntervalSeries;
  powered: IntervalSeries;
  training: IntervalSeries;

  /** `kept` false: one series of no intervals for all five, which ignores whatever is added to it. */
  constructor(interval: number, count: number, kept: boolean) {
    const none = kept ? null : new IntervalSeries(interval, 0);
    this.busy = none ?? new IntervalSeries(interval, count);
    this.queue = none ?? new IntervalSeries(interval, count);
    this.serving = none ?? new IntervalSeries(interval, count);
    this.powered = none ?? new IntervalSeries(interval, count);
    this.training = none ?? new IntervalSeries(interval, count);
  }
}

class ApiTally {
  requests = 0;
  usd = 0;
  kwh = 0;
  gco2 = 0;

  constructor() {
    fractions<ApiTally>(this, ['usd', 'kwh', 'gco2']);
  }
}

class SiteTally implements SiteTallies {
  uplinkDownSeconds = 0;
  uplinkOutages = 0;
  buffered = 0;
  overflow = 0;

  constructor() {
    fractions<SiteTally>(this, ['uplinkDownSeconds']);
  }
}

class SeriesSet {
  interval: number;
  count: number;
  services: ServiceSeries[];
  pools: PoolSeries[];

  constructor(interval: number, count: number, services: ServiceSeries[], pools: PoolSeries[]) {
    this.interval = interval;
    this.count = count;
    this.services = services;
    this.pools = pools;
  }
}

class Tallies implements RunTallies {
  events = 0;
  arrivalsTotal = 0;
  completedTotal = 0;
  rejectedTotal = 0;
  lostTotal = 0;
  inFlight = 0;
  egressBytes = 0;
  networkBytes = 0;
  lanBytes = 0;
  networkGco2 = 0;
  links: RunTallies['links'] = [];
  groupLinks: RunTallies['groupLinks'] = [];
  policy: string;
  provisioned: boolean[];
  services: ServiceTallies[];
  pools: PoolTallies[];
  jobs: JobTallies[];
  apis: RunTallies['apis'];
  sites: SiteTallies[];
  series: RunTallies['series'];

  constructor(
    policy: string,
    provisioned: boolean[],
    services: ServiceTallies[],
    pools: PoolTallies[],
    jobs: JobTallies[],
    apis: RunTallies['apis'],
    sites: SiteTallies[],
    series: RunTallies['series'],
  ) {
    this.policy = policy;
    this.provisioned = provisioned;
    this.services = services;
    this.pools = pools;
    this.jobs = jobs;
    this.apis = apis;
    this.sites = sites;
    this.series = series;
    fractions<Tallies>(this, ['egressBytes', 'networkBytes', 'lanBytes', 'networkGco2']);
  }
}

/** The empty tallies of one run of `plan` under the policy named `policy`. */
/** `leaveOutSeries`: pools whose run-wide series are not wanted (a fleet's instances): they record nothing. */
export function createTallies(
  plan: Plan,
  policy: string,
  provisioned: boolean[],
  leaveOutSeries?: Uint8Array,
): RunTallies {
  const scenario: Scenario = plan.scenario;
  const duration = scenario.duration_s;
  const nPools = plan.pools.length;
  const nApis = scenario.apis.length;
  const seriesInterval = chooseInterval(duration);
  const seriesCount = Math.ceil(duration / seriesInterval - 1e-9);
  const hours = Math.ceil(duration / HOUR - 1e-9);
  const isLlm = (s: Scenario['services'][number]): boolean => s.model >= 0 && scenario.models[s.model].kind === 'llm';
  return new Tallies(
    policy,
    provisioned,
    scenario.services.map((s) => new ServiceTally(isLlm(s), nPools, nApis)),
    plan.pools.map((pp) => new PoolTally(pp.llm !== null ? pp.llm.scheduler.max_num_seqs : 0, hours)),
    plan.jobs.map((jp) => new JobTally(jp.options[0].pool, jp.job.start_s, jp.job.flops, hours)),
    scenario.apis.map(() => new ApiTally()),
    scenario.sites.map(() => new SiteTally()),
    new SeriesSet(
      seriesInterval,
      seriesCount,
      scenario.services.map(() => new ServiceSeriesSet(seriesInterval, seriesCount)),
      plan.pools.map(
        (_, i) =>
          new PoolSeriesSet(seriesInterval, seriesCount, leaveOutSeries === undefined || leaveOutSeries[i] === 0),
      ),
    ),
  );
}
