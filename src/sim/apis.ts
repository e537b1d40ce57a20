/**
 * Managed APIs: a provider's endpoint with a concurrency limit and a latency distribution, and no capacity
 * of ours to provision.
 *
 * A request's API latency is drawn from two uniforms taken at arrival from its service's own stream
 * (`service:<name>:api-latency`), whatever the policy decides, so every policy that sends request i to an
 * API sees the same latency for it (common random numbers).
 *
 * Owns: per API the policy's permission to use it and the requests in flight; per service its latency stream.
 * Handles: *API done* (the provider answered). Requests reach an API through pools.ts's *enqueue*.
 */
import { REJECT_API_LIMIT } from './decisions.js';
import type { ServiceTimeSpec } from '../model/types.js';
import { exponentialOf, lognormalOf, normalCos, normalSin, type RandomStream } from '../engine/random.js';
import { policyUsesPool } from '../placement/policy.js';
import type { Simulator } from '../engine/index.js';
import type { RequestTable } from './tables.js';
import type { TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import type { Links } from './links.js';
import type { Outcomes } from './outcomes.js';
import type { Arrivals } from './arrivals.js';

/** One draw of `d` from a uniform u in (0, 1] (exponential) or a standard normal z (lognormal). */
function drawLatency(d: ServiceTimeSpec, u: number, z: number): number {
  if (d.kind === 'exponential') return exponentialOf(d.mean_s, u);
  if (d.kind === 'deterministic') return d.mean_s;
  return lognormalOf(d.mean_s, d.cv, z);
}

export class ManagedApis {
  declare private readonly ctx: RunContext;
  /** Shortcuts into the context for the event path. */
  declare private readonly sim: Simulator;
  declare private readonly rq: RequestTable;
  declare private readonly targets: TargetPlan[];
  /** Per API: the policy may use it. */
  declare readonly usable: boolean[];
  /** Per API: requests it is serving now. */
  declare readonly inFlight: Int32Array;
  /** Per service: it has an API among its targets (only then are uniforms drawn). */
  declare private readonly serviceHasApi: boolean[];
  declare private readonly drawStreams: RandomStream[];
  declare private outcomes: Outcomes;
  declare private links: Links;
  declare private arrivals: Arrivals;
  /** Requests being served by an API now: slot → the id of its *API done* event (cancelled if it is dropped). */
  declare private readonly serving: Map<number, number>;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.sim = ctx.sim;
    this.rq = ctx.rq;
    this.targets = ctx.plan.targets;
    const { scenario, plan, policy } = ctx;
    this.usable = scenario.apis.map((a) => policyUsesPool(policy, a.name, 'api'));
    this.inFlight = new Int32Array(scenario.apis.length);
    this.serviceHasApi = plan.services.map((sp) => sp.targets.some((id) => plan.targets[id].api >= 0));
    this.drawStreams = scenario.services.map((s) => ctx.streams.stream(`service:${s.name}:api-latency`));
    this.serving = new Map();
    // Fractions: each starts as one (see the Simulator's constructor).
    this.u1 = 0.5;
    this.u1 = 1;
    this.u2 = 0.5;
    this.u2 = 1;
  }

  link(parts: Parts): void {
    this.outcomes = parts.outcomes;
    this.links = parts.links;
    this.arrivals = parts.arrivals;
  }

  /** The uniforms of the last `drawUniforms` call. */
  u1 = 1;
  u2 = 1;

  /** At arrival: the request's two uniforms in (0, 1] (into u1, u2), drawn only for a service with an API target. */
  drawUniforms(svc: number): void {
    if (this.serviceHasApi[svc]) {
      this.u1 = 1 - this.drawStreams[svc].uniform();
      this.u2 = 1 - this.drawStreams[svc].uniform();
    } else {
      this.u1 = 1;
      this.u2 = 1;
    }
  }

  /** A request reaches a managed API: it runs at once unless the API's concurrency limit is reached. */
  start(slot: number): void {
    const ctx = this.ctx;
    const rq = this.rq;
    const t = this.targets[rq.target[slot]];
    const a = ctx.scenario.apis[t.api];
    const now = this.sim.now;
    rq.enqueued[slot] = now;
    if (this.inFlight[t.api] >= a.max_concurrency) {
      this.outcomes.rejectSlot(slot, t.id, REJECT_API_LIMIT);
      return;
    }
    this.inFlight[t.api]++;
    // Two uniforms give two independent normals (Box–Muller): the first for the latency, the second for TTFT.
    const u1 = rq.apiU1[slot];
    const u2 = rq.apiU2[slot];
    const latency = drawLatency(a.latency, u1, normalCos(u1, u2));
    const ttft = a.ttft ? Math.min(drawLatency(a.ttft, u2, normalSin(u1, u2)), latency) : latency;
    rq.started[slot] = now;
    rq.firstToken[slot] = now + ttft;
    this.serving.set(slot, this.sim.schedule(latency, ctx.kinds.apiDone, slot));
  }

  /** Event *API done*. */
  onDone(slot: number): void {
    const rq = this.rq;
    const t = this.targets[rq.target[slot]];
    this.inFlight[t.api]--;
    this.serving.delete(slot);
    rq.ended[slot] = this.sim.now;
    this.links.deliver(slot, t);
  }

  /**
   * Outage of `region`: every request an API there is serving is dropped (its answer never comes) and placed
   * again or counted lost, as a request on a failed unit is (arrivals.ts *retry*), in the order they started.
   */
  dropInRegion(region: number): void {
    if (this.serving.size === 0) return;
    const dropped: number[] = [];
    for (const [slot, event] of this.serving) {
      const t = this.targets[this.rq.target[slot]];
      if (t.region !== region) continue;
      this.sim.cancel(event);
      this.inFlight[t.api]--;
      dropped.push(slot);
    }
    for (const slot of dropped) {
      this.serving.delete(slot);
      this.arrivals.retry(slot);
    }
  }
}
