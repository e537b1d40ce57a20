/**
 * The run context: what every component of one run shares.
 *
 * Owns: the kernel (`sim`), the random streams, the request table (`rq`, requests in typed arrays indexed by
 * a recycled slot), the run's tallies and series, the measured window, what the policy provisions, and the
 * event kind numbers (`kinds`, filled in once when runPolicy registers the handlers). Handles no events.
 *
 * Components (pools, links, capacity, …) each own the state of their part and reach each other through
 * `Parts`, wired once per run by `link()`; every call between them is a plain method call on one class.
 */
import { Simulator, RandomStreams } from '../engine/index.js';
import type { Scenario } from '../model/types.js';
import { policyUsesPool, type Policy } from '../placement/policy.js';
import type { Plan } from './plan.js';
import { RequestTable } from './tables.js';
import { TargetTable } from './target-table.js';
import {
  createTallies,
  type PoolSeries,
  type PoolTallies,
  type RunTallies,
  type ServiceSeries,
  type ServiceTallies,
  type SiteTallies,
} from './tallies.js';
import type { TraceSink } from '../metrics/trace.js';
import type { Arrivals } from './arrivals.js';
import type { Outcomes } from './outcomes.js';
import type { PolicyView } from './view.js';
import type { Links } from './links.js';
import type { Pools } from './pools.js';
import type { Capacity } from './capacity.js';
import type { Uplinks } from './uplinks.js';
import type { Autoscaler } from './autoscaler.js';
import type { ManagedApis } from './apis.js';
import type { TrainingJobs } from './jobs.js';

/** Event kind numbers, one per handler; set when runPolicy registers them (in this order). */
export class EventKinds {
  arrival = -1;
  enqueue = -1;
  timer = -1;
  done = -1;
  llmStep = -1;
  failure = -1;
  preemption = -1;
  ready = -1;
  autoscale = -1;
  outageStart = -1;
  outageEnd = -1;
  uplinkDown = -1;
  uplinkUp = -1;
  apiDone = -1;
  linkIn = -1;
  deferred = -1;
  jobReady = -1;
  jobStart = -1;
  jobDone = -1;
  jobCheckpoint = -1;
  jobCheckpointDone = -1;
  client = -1;
}

/** The components of one run. */
export interface Parts {
  arrivals: Arrivals;
  outcomes: Outcomes;
  view: PolicyView;
  links: Links;
  pools: Pools;
  capacity: Capacity;
  uplinks: Uplinks;
  autoscaler: Autoscaler;
  apis: ManagedApis;
  jobs: TrainingJobs;
}

export class RunContext {
  declare readonly plan: Plan;
  declare readonly scenario: Scenario;
  declare readonly policy: Policy;
  declare readonly trace: TraceSink | null;
  readonly sim = new Simulator();
  declare readonly streams: RandomStreams;
  readonly rq = new RequestTable();
  readonly kinds = new EventKinds();
  declare readonly warmup: number;
  declare readonly duration: number;
  declare readonly nPools: number;
  declare readonly nSites: number;
  declare readonly nRegions: number;
  /** Per pool: the policy places requests there. */
  declare readonly usedForInference: boolean[];
  /** Per pool: only training jobs use it under this policy (rented only while a job holds it). */
  declare readonly trainingOnly: boolean[];
  /** Per pool: provisioned (billed, powered) under this policy. */
  declare readonly provisioned: boolean[];
  /** The targets' figures packed for the request path, and the user groups' gateways (target-table.ts). */
  declare readonly targetTable: TargetTable;
  declare readonly tallies: RunTallies;
  declare readonly svcTallies: ServiceTallies[];
  declare readonly svcSeries: ServiceSeries[];
  declare readonly poolTallies: PoolTallies[];
  declare readonly poolSeries: PoolSeries[];
  declare readonly siteTallies: SiteTallies[];
  /**
   * Moves whenever something a pool target's availability depends on changes, but for its queue: a pool's
   * serving replicas (Pools.setUnitServing), a site's uplink (Uplinks.change), a scheduled outage of a site,
   * region or link (Capacity.outage). While it stands still, a lone candidate the view found available with
   * replicas serving is still available if its queue takes the request (view.ts `place`): the test of every
   * request at an M/M/c pool is then one comparison of queue lengths.
   */
  availabilityEpoch = 0;

  constructor(plan: Plan, policy: Policy, trace: TraceSink | null, leaveOutSeries?: Uint8Array) {
    const scenario = plan.scenario;
    this.plan = plan;
    this.scenario = scenario;
    this.policy = policy;
    this.trace = trace;
    this.streams = new RandomStreams(scenario.seed);
    this.warmup = scenario.warmup_s;
    this.duration = scenario.duration_s;
    this.nPools = plan.pools.length;
    this.nSites = scenario.sites.length;
    this.nRegions = scenario.regions.length;
    // Inference provisioning follows the policy (its site kinds and pools). Training pools are the jobs' own:
    // whatever the policy, they are rented (billed, powered) while a job holds them — and so is a shared
    // pool the policy does not use for inference.
    this.usedForInference = plan.pools.map((pp) =>
      policyUsesPool(policy, pp.pool.name, scenario.sites[pp.pool.site].kind),
    );
    this.trainingOnly = plan.pools.map(
      (pp, p) => pp.trainingOnly || (pp.pool.use === 'both' && !this.usedForInference[p]),
    );
    this.provisioned = plan.pools.map((pp, p) => this.usedForInference[p] || pp.trainingOnly);
    this.targetTable = new TargetTable(plan, this.usedForInference);
    this.tallies = createTallies(plan, policy.name, this.provisioned, leaveOutSeries);
    this.svcTallies = this.tallies.services;
    this.svcSeries = this.tallies.series.services;
    this.poolTallies = this.tallies.pools;
    this.poolSeries = this.tallies.series.pools;
    this.siteTallies = this.tallies.sites;
  }

  /** The part of [start, end) inside the measured window [warmup, duration), in seconds. */
  inWindow(start: number, end: number): number {
    const s = start > this.warmup ? start : this.warmup;
    const e = end < this.duration ? end : this.duration;
    return e > s ? e - s : 0;
  }
}
