/**
 * How a request ends: completed, rejected or lost — one place for each, with its trace row.
 *
 * Owns: the conservation counters (arrivals are counted by arrivals.ts), the per-service outcome tallies and
 * series, the network and API accounting of completed requests, and the one reusable trace row.
 * Handles no events itself: pools, links, managed APIs and arrivals call it when a request ends.
 */
import { LOSS_CAPACITY, REJECT_REFUSED } from './decisions.js';
import { gridAt } from '../model/types.js';
import type { TraceRow } from '../metrics/trace.js';
import type { Simulator } from '../engine/index.js';
import type { RequestTable } from './tables.js';
import { onLan, type TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import type { Arrivals } from './arrivals.js';
import { apiUsdPerRequest } from './pricing.js';
import { BucketCursor } from '../metrics/interval-series.js';

export class Outcomes {
  declare private readonly ctx: RunContext;
  /** Shortcuts into the context for the event path. */
  declare private readonly sim: Simulator;
  declare private readonly rq: RequestTable;
  declare private readonly targets: TargetPlan[];
  declare private readonly row: TraceRow;
  declare private readonly trace: RunContext['trace'];
  declare private readonly tallies: RunContext['tallies'];
  declare private readonly svcTallies: RunContext['svcTallies'];
  declare private readonly services: RunContext['scenario']['services'];
  declare private readonly regions: RunContext['scenario']['regions'];
  declare private arrivals: Arrivals;
  /** Per target: its pool batches an LLM continuously (llm-server.ts records inter-token latency there). */
  declare private readonly targetContinuous: Uint8Array;
  /** Some service is a closed loop: an ended request may have a client waiting for it. */
  declare private readonly closedLoop: boolean;
  /** Per user group: the site whose LAN it sits on, or −1 (plan.ts onLan). */
  declare private readonly userGateway: Int32Array;
  /** The series interval of the current time, and per service its completions series' values (complete). */
  declare private readonly bucket: BucketCursor;
  declare private readonly completionValues: Float64Array[];

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.sim = ctx.sim;
    this.rq = ctx.rq;
    this.targets = ctx.plan.targets;
    this.tallies = ctx.tallies;
    this.svcTallies = ctx.svcTallies;
    this.services = ctx.scenario.services;
    this.regions = ctx.scenario.regions;
    this.trace = ctx.trace;
    this.targetContinuous = Uint8Array.from(ctx.plan.targets, (t) =>
      t.pool >= 0 && ctx.plan.pools[t.pool].llm !== null ? 1 : 0,
    );
    this.closedLoop = ctx.scenario.services.some((s) => s.arrivals.kind === 'closed');
    this.userGateway = ctx.targetTable.userGateway;
    this.bucket = new BucketCursor(ctx.tallies.series.interval, ctx.tallies.series.count);
    this.completionValues = ctx.svcSeries.map((x) => x.completions.values);
    this.row = {
      policy: ctx.policy.name,
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
  }

  link(parts: Parts): void {
    this.arrivals = parts.arrivals;
  }

  /** Name of where a target runs: its pool, or its managed API. */
  private targetName(target: number): string {
    if (target < 0) return '';
    const { plan, scenario } = this.ctx;
    const t = plan.targets[target];
    return t.pool >= 0 ? scenario.pools[t.pool].name : scenario.apis[t.api].name;
  }

  /** Writes one trace row (only called when a trace sink is set). */
  emit(
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
  ): void {
    const { scenario } = this.ctx;
    const row = this.row;
    row.request = id;
    row.service = scenario.services[svc].name;
    row.user = scenario.users[user].name;
    row.arrival_s = arrival;
    row.measured = arrival >= this.ctx.warmup;
    row.pool = this.targetName(target);
    row.outcome = outcome;
    row.network_s = network;
    row.queue_s = queue;
    row.execution_s = execution;
    row.latency_s = network + queue + execution;
    row.ttft_s = ttft;
    this.ctx.trace!(row);
  }

  /** A request is turned away now (policy said -1, a full queue, an API at its limit). No slot is freed. */
  reject(
    id: number,
    svc: number,
    user: number,
    arrival: number,
    measured: boolean,
    target: number,
    cause: number = REJECT_REFUSED,
  ): void {
    const ctx = this.ctx;
    ctx.tallies.rejectedTotal++;
    ctx.svcSeries[svc].rejected.addAt(this.sim.now, 1);
    if (measured) {
      const st = ctx.svcTallies[svc];
      st.rejected++;
      st.rejectedBy[cause]++;
    }
    if (ctx.trace) this.emit(id, svc, user, arrival, target, 'rejected', NaN, NaN, NaN, NaN);
  }

  /** A request that holds `slot` is turned away at `target` (-1: by the policy); its slot is freed. */
  rejectSlot(slot: number, target: number, cause: number = REJECT_REFUSED): void {
    const rq = this.rq;
    this.reject(rq.id[slot], rq.service[slot], rq.user[slot], rq.arrival[slot], rq.measured[slot] === 1, target, cause);
    rq.release(slot);
    if (this.closedLoop && rq.client[slot] !== -1) this.arrivals.clientDone(rq.client[slot], true);
  }

  /** The request lost its replica, or its response found the site's buffer full, with no retry left. */
  lose(slot: number, cause: number = LOSS_CAPACITY): void {
    const { tallies, svcTallies, trace } = this.ctx;
    const rq = this.rq;
    const svc = this.targets[rq.target[slot]].service;
    tallies.lostTotal++;
    if (rq.measured[slot] === 1) {
      svcTallies[svc].lost++;
      svcTallies[svc].lostBy[cause]++;
    }
    if (trace)
      this.emit(rq.id[slot], svc, rq.user[slot], rq.arrival[slot], rq.target[slot], 'lost', NaN, NaN, NaN, NaN);
    rq.release(slot);
    if (this.closedLoop && rq.client[slot] !== -1) this.arrivals.clientDone(rq.client[slot], true);
  }

  /**
   * Records a completed request whose response reaches the user at rq.delivered[slot] (a table column, not
   * an argument: this call does not inline, and a double argument would be boxed on every completion).
   */
  complete(slot: number): void {
    const tallies = this.tallies;
    const regions = this.regions;
    const rq = this.rq;
    const t = this.targets[rq.target[slot]];
    const svc = t.service;
    const st = this.svcTallies[svc];
    const user = rq.user[slot];
    const deliveredAt = rq.delivered[slot];
    const arrival = rq.arrival[slot];
    const start = rq.started[slot];
    const end = rq.ended[slot];
    const network = rq.enqueued[slot] - arrival + (deliveredAt - end);
    const ttft = st.ttft !== null ? rq.firstToken[slot] + rq.netRtt[slot] / 2 - arrival : NaN;
    const measured = rq.measured[slot] === 1;
    const latency = deliveredAt - arrival;
    if (measured) {
      const slo = this.services[svc].slo;
      st.completed++;
      st.lastCompletion = deliveredAt;
      tallies.egressBytes += t.egressBytes;
      // The network segment: the users' own LAN, or the WAN. (The grid look-up is skipped when the segment
      // draws nothing: adding 0 × the grid leaves the sum exactly as it is.)
      if (onLan(t, this.userGateway[user])) {
        tallies.lanBytes += t.networkBytes;
        if (t.kwhLanPerRequest !== 0) tallies.networkGco2 += t.kwhLanPerRequest * gridAt(regions[t.region], end);
      } else {
        tallies.networkBytes += t.networkBytes;
        if (t.kwhNetworkPerRequest !== 0)
          tallies.networkGco2 += t.kwhNetworkPerRequest * gridAt(regions[t.region], end);
      }
      st.networkSum += network;
      st.queueSum += start - rq.enqueued[slot];
      st.execSum += end - start;
      let ok = slo.latency_s === null || latency <= slo.latency_s;
      if (st.ttft !== null) {
        st.ttft.record(ttft);
        if (slo.ttft_s !== null && ttft > slo.ttft_s) ok = false;
        // Time per output token: the answer after its first token, per further token.
        const out = rq.outputTokens[slot];
        if (out > 1) {
          // (A response held while its uplink was down releases every token at once.)
          const tpot = end > rq.firstToken[slot] ? (end - rq.firstToken[slot]) / (out - 1) : 0;
          st.tpot!.record(tpot);
          if (slo.tpot_s !== null && tpot > slo.tpot_s) ok = false;
          // Fixed batches and managed APIs give tokens at an even pace; continuous batching records its own.
          if (this.targetContinuous[t.id] === 0) st.itl!.recordCount(tpot, out - 1);
        }
      }
      if (ok) st.sloMet++;
      if (t.api >= 0) {
        const at = tallies.apis[t.api];
        at.requests++;
        // Priced by the request's own token counts (t.usdPerUse, the plan's estimate, is for the service's mean).
        at.usd += apiUsdPerRequest(this.ctx.scenario.apis[t.api], rq.inputTokens[slot], rq.outputTokens[slot]);
        at.kwh += t.kwhPerUse;
        at.gco2 += t.kwhPerUse * gridAt(regions[t.region], end);
      }
    }
    if (this.trace !== null)
      this.emit(
        rq.id[slot],
        svc,
        user,
        arrival,
        t.id,
        'completed',
        network,
        start - rq.enqueued[slot],
        end - start,
        ttft,
      );
    // The counts and the latency sample come last (no other figure depends on when they are recorded), after
    // the trace row: each holds a call taken rarely — the series cursor's seek once an interval, record()'s
    // flush once in 512 samples — and TurboFan keeps every value still needed after a call on the stack, stored
    // where it is computed, on every completion whether or not the call is taken. Here, past the last use of
    // the request's times, few values are left to keep (M/M/8: ~32 instructions a request fewer for the
    // latency sample alone, cachegrind, 1M requests).
    tallies.completedTotal++;
    // (As svcSeries[svc].completions.addAt(now, 1), with the interval remembered: see BucketCursor.)
    const bi = this.bucket.at(this.sim.now);
    if (bi >= 0) this.completionValues[svc][bi] += 1;
    if (measured) st.latency.record(latency);
    rq.release(slot);
    if (this.closedLoop && rq.client[slot] !== -1) this.arrivals.clientDone(rq.client[slot], false);
  }

  /** At the end of the run: counts requests still open and traces them, in arrival order. */
  close(): void {
    const { rq, tallies, trace } = this.ctx;
    tallies.inFlight = rq.live;
    if (!trace) return;
    // Requests still travelling, waiting, running or buffered when the run ends, in arrival order.
    const open: number[] = [];
    for (let s = 0; s < rq.highWater; s++) if (rq.alive[s] === 1) open.push(s);
    open.sort((a, b) => rq.id[a] - rq.id[b]);
    for (const s of open)
      this.emit(rq.id[s], rq.service[s], rq.user[s], rq.arrival[s], rq.target[s], 'in_flight', NaN, NaN, NaN, NaN);
  }
}
