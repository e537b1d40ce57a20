/**
 * One run of a scenario under one placement policy: the assembly of the run's components.
 *
 * Requests live in growable typed arrays indexed by a recycled slot number, queues are ring buffers of slot
 * numbers, and events carry a slot, a service, a pool, a unit, a replica, an outage or a job number: the event
 * loop allocates nothing per request, and every handler below is created once per run.
 *
 * The components (each file says what it owns and which events it handles):
 *   arrivals.ts   arrival, deferred — requests enter, are placed (and placed again), and sent
 *   view.ts       the policy's request and candidates, and the estimates in them
 *   links.ts      link in — shared FIFO links (site backhaul, user groups' uplinks)
 *   pools.ts      enqueue, batch timer, batch done — queues, batching, dispatch onto replicas
 *   apis.ts       API done — managed APIs
 *   outcomes.ts   (none) — completed, rejected, lost, and the trace rows
 *   capacity.ts   unit failure, preemption, unit ready, outage start/end — units and what takes them down
 *   uplinks.ts    uplink down/up — site uplinks and their response buffers
 *   autoscaler.ts autoscale — the decision and its application
 *   jobs.ts       job ready, job start, checkpoint, checkpoint done, job done — training jobs
 *   pricing.ts    (none) — money and carbon, shared with plan.ts and result.ts
 */
import type { Policy } from '../placement/policy.js';
import type { Plan } from './plan.js';
import type { TraceRow, TraceSink } from '../metrics/trace.js';
import { RunContext, type Parts } from './context.js';
import { Arrivals } from './arrivals.js';
import { Outcomes } from './outcomes.js';
import { PolicyView } from './view.js';
import { Links } from './links.js';
import { Pools } from './pools.js';
import { Capacity } from './capacity.js';
import { Uplinks } from './uplinks.js';
import { Autoscaler } from './autoscaler.js';
import { ManagedApis } from './apis.js';
import { TrainingJobs } from './jobs.js';
import type { RunTallies } from './tallies.js';

export type { TraceRow, TraceSink };
export type { RunTallies, PoolTallies, JobTallies, SiteTallies } from './tallies.js';

export function runPolicy(plan: Plan, policy: Policy, trace: TraceSink | null = null): RunTallies {
  // 1. The context and the parts, wired to each other.
  const ctx = new RunContext(plan, policy, trace);
  const parts: Parts = {
    arrivals: new Arrivals(ctx),
    outcomes: new Outcomes(ctx),
    view: new PolicyView(ctx),
    links: new Links(ctx),
    pools: new Pools(ctx),
    capacity: new Capacity(ctx),
    uplinks: new Uplinks(ctx),
    autoscaler: new Autoscaler(ctx),
    apis: new ManagedApis(ctx),
    jobs: new TrainingJobs(ctx),
  };
  for (const part of Object.values(parts)) part.link(parts);
  const { arrivals, links, pools, capacity, uplinks, autoscaler, apis, jobs, outcomes } = parts;

  // 2. Event kinds: one handler each, created here once.
  const { sim, kinds: k } = ctx;
  k.arrival = sim.register((svc) => arrivals.onArrival(svc));
  k.enqueue = sim.register((slot) => pools.onEnqueue(slot));
  k.timer = sim.register((pool) => pools.onTimer(pool));
  k.done = sim.register((server) => pools.onDone(server));
  k.failure = sim.register((u) => capacity.failures.onEvent(u));
  k.preemption = sim.register((u) => capacity.preemptions.onEvent(u));
  capacity.failures.kind = k.failure;
  capacity.preemptions.kind = k.preemption;
  k.ready = sim.register((u) => capacity.onReady(u));
  k.autoscale = sim.register((pool) => autoscaler.onCheck(pool));
  k.outageStart = sim.register((i) => capacity.outage(i, 1));
  k.outageEnd = sim.register((i) => capacity.outage(i, -1));
  k.uplinkDown = sim.register((site) => uplinks.onDown(site));
  k.uplinkUp = sim.register((site) => uplinks.onUp(site));
  k.apiDone = sim.register((slot) => apis.onDone(slot));
  k.linkIn = sim.register((slot) => links.onLinkIn(slot));
  k.deferred = sim.register((slot) => arrivals.onDeferred(slot));
  k.jobReady = sim.register((j) => jobs.onReady(j));
  k.jobStart = sim.register((j) => jobs.onStart(j));
  k.jobDone = sim.register((j) => jobs.onDone(j));
  k.jobCheckpoint = sim.register((j) => jobs.onCheckpoint(j));
  k.jobCheckpointDone = sim.register((j) => jobs.onCheckpointDone(j));

  // 3. The start, in this order (ties at t = 0 run in scheduling order): each provisioned pool's initial
  // units, their clocks and its first autoscale check; each job's ready event; each scheduled outage's start
  // and end; each site's first random uplink outage; each service's first arrival.
  for (const pp of plan.pools) {
    const p = pp.pool.index;
    if (!ctx.provisioned[p]) continue;
    capacity.startPool(p);
    if (pp.pool.autoscale) sim.schedule(pp.pool.autoscale.check_every_s, k.autoscale, p);
  }
  jobs.start();
  capacity.startOutages();
  uplinks.start();
  arrivals.start();

  // 4. Run.
  sim.run(ctx.duration);

  // 5. Close the books at the end of the run.
  pools.closeBusy();
  jobs.close();
  for (let p = 0; p < ctx.nPools; p++) {
    pools.closePool(p);
    capacity.closePool(p);
  }
  uplinks.close();
  links.close();
  ctx.tallies.events = sim.processed;
  outcomes.close();
  return ctx.tallies;
}
