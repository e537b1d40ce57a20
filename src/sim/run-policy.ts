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

/** What the run's dispatcher calls into: the parts with frequent events, and their kinds. */
interface DispatchTarget {
  readonly arrivals: Arrivals;
  readonly llm: Pools['llm'];
  readonly pools: Pools;
  readonly sim: RunContext['sim'];
  readonly kArrival: number;
  readonly kLlmStep: number;
  readonly kDone: number;
  readonly kEnqueue: number;
}

/**
 * Every event of a run: the frequent kinds (a request arrives, an LLM replica's step ends: half the events of
 * an LLM scenario; a request reaches its pool, finishes its batch) are tested first and called from call
 * sites of their own, which the compiler can inline; every other kind goes through the table. One function
 * for every run of the process, given each run's parts (Simulator.setDispatcher says why).
 */
function dispatch(t: DispatchTarget, kind: number, arg: number): void {
  if (kind === t.kArrival) t.arrivals.onArrival(arg);
  else if (kind === t.kLlmStep) t.llm.onStep(arg);
  else if (kind === t.kDone) t.pools.onDone(arg);
  else if (kind === t.kEnqueue) t.pools.onEnqueue(arg);
  else t.sim.handler(kind)(arg);
}

export function runPolicy(
  plan: Plan,
  policy: Policy,
  trace: TraceSink | null = null,
  leaveOutSeries?: Uint8Array,
): RunTallies {
  // 1. The context and the parts, wired to each other.
  const ctx = new RunContext(plan, policy, trace, leaveOutSeries);
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
  const { arrivals, links, pools, capacity, uplinks, autoscaler, apis, jobs, outcomes, view } = parts;
  for (const part of [arrivals, outcomes, view, links, pools, capacity, uplinks, autoscaler, apis, jobs])
    part.link(parts);

  // 2. Event kinds: one handler each (the component's method, bound once here).
  const { sim, kinds: k } = ctx;
  k.arrival = sim.register(arrivals.onArrival.bind(arrivals));
  k.enqueue = sim.register(pools.onEnqueue.bind(pools));
  k.timer = sim.register(pools.onTimer.bind(pools));
  k.done = sim.register(pools.onDone.bind(pools));
  k.llmStep = sim.register(pools.llm.onStep.bind(pools.llm));
  k.failure = sim.register(capacity.failures.onEvent.bind(capacity.failures));
  k.preemption = sim.register(capacity.preemptions.onEvent.bind(capacity.preemptions));
  capacity.failures.kind = k.failure;
  capacity.preemptions.kind = k.preemption;
  k.ready = sim.register(capacity.onReady.bind(capacity));
  k.autoscale = sim.register(autoscaler.onCheck.bind(autoscaler));
  k.outageStart = sim.register((i) => capacity.outage(i, 1));
  k.outageEnd = sim.register((i) => capacity.outage(i, -1));
  k.uplinkDown = sim.register(uplinks.onDown.bind(uplinks));
  k.uplinkUp = sim.register(uplinks.onUp.bind(uplinks));
  k.apiDone = sim.register(apis.onDone.bind(apis));
  k.linkIn = sim.register(links.onLinkIn.bind(links));
  k.deferred = sim.register(arrivals.onDeferred.bind(arrivals));
  k.jobReady = sim.register(jobs.onReady.bind(jobs));
  k.jobStart = sim.register(jobs.onStart.bind(jobs));
  k.jobDone = sim.register(jobs.onDone.bind(jobs));
  k.jobCheckpoint = sim.register(jobs.onCheckpoint.bind(jobs));
  k.jobCheckpointDone = sim.register(jobs.onCheckpointDone.bind(jobs));
  k.client = sim.register(arrivals.onClient.bind(arrivals));
  // Every event goes through `dispatch` (above), given this run's parts.
  sim.setDispatcher(dispatch, {
    arrivals,
    llm: pools.llm,
    pools,
    sim,
    kArrival: k.arrival,
    kLlmStep: k.llmStep,
    kDone: k.done,
    kEnqueue: k.enqueue,
  });

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
  arrivals.close();
  return ctx.tallies;
}
