/**
 * Arrivals and placement: requests enter here, are placed by the policy (at once, after a deferral, or again
 * after losing their replica) and sent on their way.
 *
 * Every draw a request needs (user group, service time, lengths, API latency uniforms) is made at arrival,
 * before the policy is called, from streams named after the service: every policy sees the same requests.
 *
 * Load modes: open loop (poisson, constant, profile, trace: arrivals come whatever happens to earlier
 * requests); closed loop (each of N clients sends its next request a think time after its previous one
 * ended — completed, rejected or lost); offline (every request there at t = 0).
 *
 * Owns: per service its arrival, user, service-time, length and think-time streams and its position in a
 * trace; the closed-loop clients; the held retries while an outage takes several units down. Handles:
 * *arrival* (per service), *client* (a closed-loop client's next request), *deferred* (a held request is
 * placed now).
 */
import { LOSS_CAPACITY, N_DECISIONS } from './decisions.js';
import type { RandomStream } from '../engine/index.js';
import type { Simulator } from '../engine/index.js';
import type { RequestTable } from './tables.js';
import type { TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import { RingQueue } from './tables.js';
import { lengthSamplers, type LengthSampler } from './lengths.js';
import { SharePicker } from './share-pick.js';
import { BucketCursor } from '../metrics/interval-series.js';
import type { Outcomes } from './outcomes.js';
import type { PolicyView } from './view.js';
import type { Links } from './links.js';
import type { ManagedApis } from './apis.js';

/** Up to this many user groups a service picks one by a linear scan of the shares. */
const LINEAR_PICK_MAX = 32;

/** The first index whose running sum exceeds u (the last one if rounding leaves u at or above the total). */
export function pickCumulative(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class Arrivals {
  declare private readonly ctx: RunContext;
  /** Per service: its requests' prompt and answer tokens. */
  /** Shortcuts into the context for the event path. */
  declare private readonly sim: Simulator;
  declare private readonly rq: RequestTable;
  declare private readonly targets: TargetPlan[];
  declare private readonly arrivalStreams: RandomStream[];
  declare private readonly userStreams: RandomStream[];
  declare private readonly serviceTimeStreams: RandomStream[];
  declare private readonly traceNext: Int32Array;
  /** Per service: arrivals so far (the row of a trace column the next one reads). */
  declare private readonly arrivalRow: Int32Array;
  /** Per service: 1 when any of its lengths varies (then `samplers` draws them). */
  declare private readonly varLengths: Uint8Array;
  declare private readonly samplers: Record<'input_tokens' | 'output_tokens' | 'items', LengthSampler | null>[];
  /** Per service: its fixed lengths (the values a request of a service without distributions carries). */
  declare private readonly fixedIn: Int32Array;
  declare private readonly fixedOut: Int32Array;
  declare private readonly fixedItems: Int32Array;
  /** The service time and lengths drawn for the request arriving now (read by newRequest). */
  private drawnTime = 0.5;
  private drawnIn = 0;
  private drawnOut = 0;
  private drawnItems = 1;
  /** The closed-loop client of the request arriving now (-1: none); set by onClient for onArrival. */
  private clientArriving = -1;
  /** The client newRequest records on the request. */
  private arrivingClient = -1;
  /** Closed loop: per client, its service; per service, the think-time stream (null: not closed loop). */
  declare private readonly clientService: Int32Array;
  declare private readonly thinkStreams: (RandomStream | null)[];
  /** Offline: per service, the requests still to arrive at t = 0. */
  declare private readonly offlineLeft: Int32Array;
  declare private readonly maxBurst: number[];
  /**
   * Per service with more than LINEAR_PICK_MAX user groups (a fleet): a picker over the running sum of their
   * shares (share-pick.ts: the pick of a binary search, in about two memory reads). Others scan, as they
   * always have (the same picks, draw for draw).
   */
  declare private readonly userPickers: (SharePicker | null)[];
  /** Per service: 1 if its arrivals are Poisson without bursts (the fast path of scheduleNext), with its mean gap. */
  declare private readonly plainPoisson: Uint8Array;
  declare private readonly poissonMean: Float64Array;
  declare private readonly services: RunContext['scenario']['services'];
  declare private readonly kinds: RunContext['kinds'];
  declare private readonly tallies: RunContext['tallies'];
  declare private readonly svcTallies: RunContext['svcTallies'];
  declare private readonly warmup: number;
  declare private readonly duration: number;
  private arrivalCount = 0;
  /** The series interval of the current time, and per service its arrivals series' values (onArrival). */
  declare private readonly bucket: BucketCursor;
  declare private readonly arrivalValues: Float64Array[];
  /**
   * Per target × decision code: first placements in the measured window, folded into the services' tallies
   * (placements by pool or API, decisions) by close(). One increment per placement on the request path.
   */
  declare private readonly placeCounts: Float64Array;
  /**
   * Per service: arrivals in the measured window, folded into its tallies by close() (see onArrival). An array
   * of small integers, as the tallies' own count: a fraction's representation (a Float64Array's element) added
   * into that field would change its representation, and with it the hidden class of every service's tallies,
   * throwing away the compiled code that reads them.
   */
  declare private readonly measuredArrivals: number[];
  /** While set (an outage taking several units down), retries wait in `held` until all are down. */
  private holding = false;
  private readonly held = new RingQueue();
  declare private outcomes: Outcomes;
  declare private view: PolicyView;
  declare private links: Links;
  declare private apis: ManagedApis;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.drawnTime = 0; // (a fraction first: see the Simulator's constructor)
    this.sim = ctx.sim;
    this.rq = ctx.rq;
    this.targets = ctx.plan.targets;
    this.services = ctx.scenario.services;
    this.kinds = ctx.kinds;
    this.tallies = ctx.tallies;
    this.svcTallies = ctx.svcTallies;
    this.warmup = ctx.warmup;
    this.duration = ctx.duration;
    const { scenario, streams } = ctx;
    this.bucket = new BucketCursor(ctx.tallies.series.interval, ctx.tallies.series.count);
    this.arrivalValues = ctx.svcSeries.map((x) => x.arrivals.values);
    this.placeCounts = new Float64Array(ctx.plan.targets.length * N_DECISIONS);
    this.measuredArrivals = scenario.services.map(() => 0);
    this.arrivalStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:arrivals`));
    this.userStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:users`));
    this.serviceTimeStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:service-time`));
    this.traceNext = new Int32Array(scenario.services.length);
    this.arrivalRow = new Int32Array(scenario.services.length);
    this.samplers = scenario.services.map((s) => lengthSamplers(s, streams));
    this.varLengths = Uint8Array.from(this.samplers, (l) =>
      l.input_tokens !== null || l.output_tokens !== null || l.items !== null ? 1 : 0,
    );
    this.fixedIn = Int32Array.from(scenario.services, (s) => s.request.input_tokens);
    this.fixedOut = Int32Array.from(scenario.services, (s) => s.request.output_tokens);
    this.fixedItems = Int32Array.from(scenario.services, (s) => s.request.items);
    const clientService: number[] = [];
    this.thinkStreams = scenario.services.map((s, svc) => {
      if (s.arrivals.kind !== 'closed') return null;
      for (let c = 0; c < s.arrivals.clients; c++) clientService.push(svc);
      return streams.stream(`service:${s.name}:think`);
    });
    this.clientService = Int32Array.from(clientService);
    this.offlineLeft = Int32Array.from(scenario.services, (s) =>
      s.arrivals.kind === 'offline' ? s.arrivals.requests : 0,
    );
    this.userPickers = scenario.services.map((s) =>
      s.users.length <= LINEAR_PICK_MAX
        ? null
        : new SharePicker(
            s.users.map((w) => w.weight),
            s.users.map((w) => w.user),
          ),
    );
    this.plainPoisson = Uint8Array.from(scenario.services, (s) =>
      s.arrivals.kind === 'poisson' && s.bursts.length === 0 ? 1 : 0,
    );
    this.poissonMean = Float64Array.from(scenario.services, (s) =>
      s.arrivals.kind === 'poisson' ? 1 / s.arrivals.rate_per_s : 0,
    );
    this.maxBurst = scenario.services.map((s) =>
      s.bursts.reduce((m, b) => (b.multiplier > 1 ? m * b.multiplier : m), 1),
    );
  }

  link(parts: Parts): void {
    this.outcomes = parts.outcomes;
    this.view = parts.view;
    this.links = parts.links;
    this.apis = parts.apis;
  }

  private burstFactor(svc: number, t: number): number {
    const bursts = this.ctx.scenario.services[svc].bursts;
    let f = 1;
    for (let i = 0; i < bursts.length; i++) {
      const b = bursts[i];
      if (t >= b.start_s && t < b.start_s + b.duration_s) f *= b.multiplier;
    }
    return f;
  }

  private baseRate(svc: number, t: number): number {
    const spec = this.ctx.scenario.services[svc].arrivals;
    if (spec.kind === 'profile') {
      const hour = (t / 3600) % 24;
      const phase = Math.cos((2 * Math.PI * (hour - spec.peak_hour)) / 24);
      return spec.trough_per_s + ((spec.peak_per_s - spec.trough_per_s) * (1 + phase)) / 2;
    }
    return spec.kind === 'poisson' || spec.kind === 'constant' ? spec.rate_per_s : 0;
  }

  /**
   * Schedules service svc's next arrival, if it comes before the end of the run. The common case (Poisson
   * arrivals, no bursts) is kept small here so that it inlines into onArrival; the rest is in nextArrival.
   */
  scheduleNext(svc: number): void {
    // (Two branches, each scheduling its own: one local for the draw and nextArrival's answer would box the draw.)
    if (this.plainPoisson[svc] === 1) {
      const next = this.sim.now + this.arrivalStreams[svc].exponential(this.poissonMean[svc]);
      if (next < this.duration) this.sim.scheduleAt(next, this.kinds.arrival, svc);
    } else this.scheduleOther(svc);
  }

  private scheduleOther(svc: number): void {
    const next = this.nextArrival(svc);
    if (next < this.duration) this.sim.scheduleAt(next, this.kinds.arrival, svc);
  }

  /** When service svc's next arrival comes (Infinity or beyond the run's end: none). */
  private nextArrival(svc: number): number {
    const sim = this.sim;
    const duration = this.duration;
    const service = this.services[svc];
    const spec = service.arrivals;
    const hasBursts = service.bursts.length > 0;
    let next: number;
    if (spec.kind === 'trace') {
      const i = this.traceNext[svc]++;
      next = i < spec.times_s.length ? spec.times_s[i] : Infinity;
    } else if (spec.kind === 'offline') {
      // All at t = 0, one after another (one pending event, not one per request).
      next = --this.offlineLeft[svc] > 0 ? 0 : Infinity;
    } else if (spec.kind === 'closed') {
      // A closed-loop client's next request follows the end of its previous one (clientDone).
      next = Infinity;
    } else if (spec.kind === 'constant') {
      next = sim.now + 1 / (spec.rate_per_s * (hasBursts ? this.burstFactor(svc, sim.now) : 1));
    } else if (spec.kind === 'poisson' && !hasBursts) {
      next = sim.now + this.arrivalStreams[svc].exponential(1 / spec.rate_per_s);
    } else {
      // Thinning (Lewis & Shedler): candidates at the highest rate, each kept with probability λ(t)/λmax.
      const rng = this.arrivalStreams[svc];
      const peak = (spec.kind === 'profile' ? spec.peak_per_s : spec.rate_per_s) * this.maxBurst[svc];
      next = sim.now;
      for (;;) {
        next += rng.exponential(1 / peak);
        if (next >= duration) break;
        const rate = this.baseRate(svc, next) * (hasBursts ? this.burstFactor(svc, next) : 1);
        if (rng.uniform() * peak < rate) break;
      }
    }
    return next;
  }

  /**
   * Schedules each service's first arrival (a constant stream and an offline batch start at t = 0; every
   * closed-loop client sends its first request at t = 0).
   */
  start(): void {
    const { scenario, sim, kinds } = this.ctx;
    let client = 0;
    scenario.services.forEach((service, svc) => {
      const kind = service.arrivals.kind;
      if (kind === 'constant' || (kind === 'offline' && service.arrivals.requests > 0))
        sim.scheduleAt(0, kinds.arrival, svc);
      else if (kind === 'closed')
        for (let c = 0; c < service.arrivals.clients; c++) sim.scheduleAt(0, kinds.client, client++);
      else this.scheduleNext(svc);
    });
  }

  /** Event *client*: closed-loop client `client` sends its next request. */
  onClient(client: number): void {
    this.clientArriving = client;
    this.onArrival(this.clientService[client]);
  }

  /**
   * A closed-loop client's request ended: completed (failed = false), or rejected or lost (failed = true,
   * the client also waits its backoff). It sends the next after a think time.
   */
  clientDone(client: number, failed: boolean): void {
    const svc = this.clientService[client];
    const closed = this.services[svc].arrivals;
    if (closed.kind !== 'closed') return;
    const spec = closed.think;
    const rng = this.thinkStreams[svc]!;
    const wait =
      spec.kind === 'exponential'
        ? rng.exponential(spec.mean_s)
        : spec.kind === 'lognormal'
          ? rng.lognormal(spec.mean_s, spec.cv)
          : spec.mean_s;
    const at = this.sim.now + wait + (failed ? closed.backoff_s : 0);
    if (at < this.duration) this.sim.scheduleAt(at, this.kinds.client, client);
  }

  /** Event *arrival* of service svc. */
  onArrival(svc: number): void {
    // From a closed-loop client (onClient), or -1. One handler for both keeps the open-loop path one call deep.
    const client = this.clientArriving;
    this.clientArriving = -1;
    const service = this.services[svc];
    const now = this.sim.now;
    const measured = now >= this.warmup;
    this.tallies.arrivalsTotal++;
    const id = this.arrivalCount++;
    // (As svcSeries[svc].arrivals.addAt(now, 1), with the interval remembered: see BucketCursor.)
    const bi = this.bucket.at(now);
    if (bi >= 0) this.arrivalValues[svc][bi] += 1;
    // Counted without a branch on `measured`, and folded into the service's tallies by close(): code
    // compiled during the warm-up has never taken a branch that the measured window takes on every request,
    // and taking it throws that code away (a deoptimisation, and the whole of onArrival compiled again).
    this.measuredArrivals[svc] += measured ? 1 : 0;

    // Draw everything this request needs from its service's streams before placing it, so that the
    // streams advance identically whatever the policy decides. (Each stream is its own generator: the order
    // of draws from different streams changes no number.)
    const user = this.drawRequest(svc);
    this.arrivingClient = client;
    if (client === -1) this.scheduleNext(svc);

    // Batch work may be held for a better moment, if the policy wants to.
    if (service.deferrable_s !== null && this.ctx.policy.deferRequest) {
      const delay = this.view.deferDelay(svc, user);
      if (delay > 0) {
        const slot = this.newRequest(id, svc, user, measured, 0);
        this.rq.target[slot] = -1;
        this.sim.schedule(delay, this.kinds.deferred, slot);
        return;
      }
    }

    const view = this.view;
    view.arrivalAt = now;
    const target = view.place(svc, user);
    if (target === -1) {
      this.outcomes.reject(id, svc, user, now, measured, -1, this.view.lastRejectCause);
      if (client !== -1) this.clientDone(client, true);
      return;
    }
    // newRequest(id, svc, user, measured, 1), written out: it keeps onArrival above the size V8 inlines into
    // the event loop, so that onArrival is compiled on its own, with its own inlining budget for the draws and
    // the scheduling of the next arrival (inlined into the loop, their calls would not fit, and each double
    // they return or take would be boxed).
    const rq = this.rq;
    const slot = rq.alloc();
    rq.arrival[slot] = now;
    rq.serviceTime[slot] = this.drawnTime;
    rq.user[slot] = user;
    rq.measured[slot] = measured ? 1 : 0;
    rq.id[slot] = id;
    rq.attempts[slot] = 1;
    rq.service[slot] = svc;
    rq.apiU1[slot] = this.apis.u1;
    rq.apiU2[slot] = this.apis.u2;
    rq.inputTokens[slot] = this.drawnIn;
    rq.outputTokens[slot] = this.drawnOut;
    rq.items[slot] = this.drawnItems;
    rq.client[slot] = client;
    this.placed(slot, target);
  }

  /**
   * Draws what an arrival of service svc needs but its time: its user group (returned), service time, lengths
   * and API uniforms (into fields, read by newRequest). A call of its own: inlined, it would take most of
   * onArrival's inlining budget, and the draws that did not fit would box their results.
   */
  private drawRequest(svc: number): number {
    const service = this.services[svc];
    let user = service.users[0].user;
    if (service.users.length > 1) {
      let u = this.userStreams[svc].uniform();
      const picker = this.userPickers[svc];
      if (picker !== null) user = picker.pick(u);
      else {
        for (const w of service.users) {
          user = w.user;
          u -= w.weight;
          if (u < 0) break;
        }
      }
    }
    // (Into a field, each branch on its own: a local merging a draw with the spec's mean_s would box the draw.)
    const stSpec = service.service_time;
    if (stSpec === null) this.drawnTime = 0;
    else if (stSpec.kind === 'exponential') this.drawnTime = this.serviceTimeStreams[svc].exponential(stSpec.mean_s);
    else if (stSpec.kind === 'lognormal')
      this.drawnTime = this.serviceTimeStreams[svc].lognormal(stSpec.mean_s, stSpec.cv);
    else this.drawnTime = stSpec.mean_s;
    const row = this.arrivalRow[svc]++;
    if (this.varLengths[svc] === 1) this.drawLengths(svc, row);
    else {
      this.drawnIn = this.fixedIn[svc];
      this.drawnOut = this.fixedOut[svc];
      this.drawnItems = this.fixedItems[svc];
    }
    this.apis.drawUniforms(svc);
    return user;
  }

  /** Draws the lengths of service svc's arrival number `row` (fixed fields keep their value, drawing nothing). */
  private drawLengths(svc: number, row: number): void {
    const l = this.samplers[svc];
    this.drawnIn = l.input_tokens === null ? this.fixedIn[svc] : l.input_tokens.draw(row);
    this.drawnOut = l.output_tokens === null ? this.fixedOut[svc] : l.output_tokens.draw(row);
    this.drawnItems = l.items === null ? this.fixedItems[svc] : l.items.draw(row);
  }

  /**
   * A slot for a new request arriving now, with what was drawn at its arrival (onArrival has a copy). (The time is read here, not
   * passed: a double argument is boxed when the call is not inlined.)
   */
  private newRequest(id: number, svc: number, user: number, measured: boolean, attempts: number): number {
    const rq = this.rq;
    const slot = rq.alloc();
    rq.arrival[slot] = this.sim.now;
    rq.serviceTime[slot] = this.drawnTime;
    rq.user[slot] = user;
    rq.measured[slot] = measured ? 1 : 0;
    rq.id[slot] = id;
    rq.attempts[slot] = attempts;
    rq.service[slot] = svc;
    rq.apiU1[slot] = this.apis.u1;
    rq.apiU2[slot] = this.apis.u2;
    rq.inputTokens[slot] = this.drawnIn;
    rq.outputTokens[slot] = this.drawnOut;
    rq.items[slot] = this.drawnItems;
    rq.client[slot] = this.arrivingClient;
    return slot;
  }

  /** Counts a first placement (by target and the decision's reason, folded by close) and sends the request. */
  private placed(slot: number, target: number): void {
    // (Plus 0 in the warm-up: no branch on it, as onArrival's count.)
    this.placeCounts[target * N_DECISIONS + this.view.lastDecision] += this.rq.measured[slot];
    this.links.send(slot, target);
  }

  /**
   * At the end of the run: the measured arrivals and the placement counts into each service's tallies, the
   * placements by pool or API and by decision (counts of whole requests: the same numbers as counting there
   * one by one).
   */
  close(): void {
    for (let svc = 0; svc < this.services.length; svc++) this.svcTallies[svc].arrivals += this.measuredArrivals[svc];
    const nPools = this.ctx.scenario.pools.length;
    const counts = this.placeCounts;
    for (const tp of this.targets) {
      const st = this.svcTallies[tp.service];
      const k = tp.pool >= 0 ? tp.pool : nPools + tp.api;
      for (let d = 0; d < N_DECISIONS; d++) {
        const n = counts[tp.id * N_DECISIONS + d];
        if (n === 0) continue;
        if (tp.pool >= 0) st.placements[tp.pool] += n;
        else st.apiPlacements[tp.api] += n;
        st.decisions[k * N_DECISIONS + d] += n;
      }
    }
  }

  /** Event *deferred*: a held request is placed now. */
  onDeferred(slot: number): void {
    const rq = this.rq;
    this.view.arrivalAt = rq.arrival[slot];
    const target = this.view.place(rq.service[slot], rq.user[slot]);
    if (target === -1) {
      this.outcomes.rejectSlot(slot, -1, this.view.lastRejectCause);
      return;
    }
    rq.attempts[slot] = 1;
    this.placed(slot, target);
  }

  /** The request lost its replica (failure, interruption, outage): place it again or count it lost. */
  retry(slot: number): void {
    // While several units go down together, wait until all are down before placing anything again.
    if (this.holding) {
      this.held.push(slot);
      return;
    }
    const ctx = this.ctx;
    const rq = this.rq;
    const svc = this.targets[rq.target[slot]].service;
    if (rq.attempts[slot] <= ctx.scenario.services[svc].retries) {
      this.view.arrivalAt = rq.arrival[slot];
      const target = this.view.place(svc, rq.user[slot]);
      if (target !== -1) {
        rq.attempts[slot]++;
        if (rq.measured[slot] === 1) ctx.svcTallies[svc].retried++;
        this.links.send(slot, target);
        return;
      }
    }
    this.outcomes.lose(slot, LOSS_CAPACITY);
  }

  /** From now, requests that lose their replica wait to be placed again (see releaseHeldRetries). */
  holdRetries(): void {
    this.holding = true;
  }

  /** Ends the hold: the held retries are placed again, in the order they were dropped. */
  releaseHeldRetries(): void {
    this.holding = false;
    while (this.held.length > 0) this.retry(this.held.shift());
  }
}
