/**
 * One run of a scenario under one placement policy.
 *
 * Requests live in growable typed arrays indexed by a recycled slot number, queues are ring buffers of slot
 * numbers, and events carry a slot, a service, a pool or a replica number: the event loop allocates nothing
 * per request. Arrivals and request sizes come from streams named after the service, so every policy sees the
 * same requests (common random numbers).
 *
 * Timeline of a request: arrival → (policy) → half the RTT + upload → queue at the pool → batch starts on a
 * free replica (when max_batch requests wait, or the oldest has waited max_wait) → batch ends → half the RTT
 * + download → done. Its latency is known when the batch ends and is recorded then.
 */
import { Simulator, RandomStreams, type RandomStream } from '../engine/index.js';
import type { Scenario } from '../model/types.js';
import { policyUsesPool, type Candidate, type PlacementRequest, type Policy } from '../placement/policy.js';
import { LatencyStats } from '../metrics/latency.js';
import { IntervalSeries, chooseInterval } from '../metrics/interval-series.js';
import type { Plan } from './plan.js';
import type { TraceRow, TraceSink } from '../metrics/trace.js';

export type { TraceRow, TraceSink };

/** Raw tallies of one run; turned into a PolicyResult by result.ts. */
export interface RunTallies {
  policy: string;
  /** Per pool: provisioned under this policy (see Policy.siteKinds). */
  provisioned: boolean[];
  events: number;
  arrivalsTotal: number;
  completedTotal: number;
  rejectedTotal: number;
  inFlight: number;
  services: {
    arrivals: number;
    completed: number;
    rejected: number;
    sloMet: number;
    /** Sums over completed measured requests, seconds. */
    networkSum: number;
    queueSum: number;
    execSum: number;
    latency: LatencyStats;
    ttft: LatencyStats | null;
    placements: Float64Array; // per pool
  }[];
  pools: {
    busyServerSeconds: number;
    batches: number;
    batchedRequests: number;
  }[];
  egressBytes: number;
  networkBytes: number;
  networkGco2: number;
  series: {
    interval: number;
    count: number;
    services: { arrivals: IntervalSeries; completions: IntervalSeries; rejected: IntervalSeries }[];
    /** Busy replica-seconds and waiting request-seconds per interval. */
    pools: { busy: IntervalSeries; queue: IntervalSeries }[];
  };
}

class RequestTable {
  capacity = 256;
  arrival = new Float64Array(this.capacity);
  enqueued = new Float64Array(this.capacity);
  serviceTime = new Float64Array(this.capacity);
  target = new Int32Array(this.capacity);
  user = new Int32Array(this.capacity);
  measured = new Uint8Array(this.capacity);
  /** Arrival number of the request in the run (for traces). */
  id = new Float64Array(this.capacity);
  alive = new Uint8Array(this.capacity);
  private free = new Int32Array(this.capacity);
  private freeCount = 0;
  private used = 0;
  live = 0;

  alloc(): number {
    this.live++;
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount];
    else {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.alive[slot] = 1;
    return slot;
  }

  release(slot: number): void {
    this.live--;
    this.alive[slot] = 0;
    this.free[this.freeCount++] = slot;
  }

  /** Slots handed out so far (live or free). */
  get highWater(): number {
    return this.used;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.arrival = f64(this.arrival);
    this.enqueued = f64(this.enqueued);
    this.serviceTime = f64(this.serviceTime);
    this.id = f64(this.id);
    const a = new Uint8Array(cap);
    a.set(this.alive);
    this.alive = a;
    this.target = i32(this.target);
    this.user = i32(this.user);
    const m = new Uint8Array(cap);
    m.set(this.measured);
    this.measured = m;
    this.free = i32(this.free);
    this.capacity = cap;
  }
}

/** FIFO of request slots, one per target (service at pool). */
class RingQueue {
  private buf = new Int32Array(64);
  private head = 0;
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) {
      const b = new Int32Array(this.buf.length * 2);
      for (let i = 0; i < this.length; i++) b[i] = this.buf[(this.head + i) % this.buf.length];
      this.buf = b;
      this.head = 0;
    }
    this.buf[(this.head + this.length) % this.buf.length] = v;
    this.length++;
  }

  peek(): number {
    return this.buf[this.head];
  }

  shift(): number {
    const v = this.buf[this.head];
    this.head = (this.head + 1) % this.buf.length;
    this.length--;
    return v;
  }
}

function interArrivalStream(streams: RandomStreams, service: string): RandomStream {
  return streams.stream(`service:${service}:arrivals`);
}

export function runPolicy(plan: Plan, policy: Policy, trace: TraceSink | null = null): RunTallies {
  const scenario: Scenario = plan.scenario;
  const { duration_s: duration, warmup_s: warmup } = scenario;
  const sim = new Simulator();
  const streams = new RandomStreams(scenario.seed);
  const rq = new RequestTable();
  const queues: RingQueue[] = plan.targets.map(() => new RingQueue());

  // Pools and their replicas ("servers").
  const nPools = plan.pools.length;
  const poolFree: Int32Array[] = [];
  const poolFreeCount = new Int32Array(nPools);
  const poolQueued = new Int32Array(nPools);
  const poolTimerAt = new Float64Array(nPools).fill(Infinity);
  const poolMaxQueue = new Float64Array(nPools);
  let nServers = 0;
  const serverBase = new Int32Array(nPools);
  for (const pp of plan.pools) {
    serverBase[pp.pool.index] = nServers;
    const free = new Int32Array(Math.max(pp.servers, 1));
    // Push in reverse so replica 0 is used first (deterministic and easy to read in traces).
    for (let i = 0; i < pp.servers; i++) free[i] = nServers + pp.servers - 1 - i;
    poolFree.push(free);
    poolFreeCount[pp.pool.index] = pp.servers;
    poolMaxQueue[pp.pool.index] = pp.pool.max_queue;
    nServers += pp.servers;
  }
  let maxBatchAll = 1;
  for (const t of plan.targets) maxBatchAll = Math.max(maxBatchAll, t.maxBatch);
  const serverPool = new Int32Array(nServers);
  for (const pp of plan.pools) {
    for (let i = 0; i < pp.servers; i++) serverPool[serverBase[pp.pool.index] + i] = pp.pool.index;
  }
  const serverStart = new Float64Array(nServers);
  const serverBusy = new Uint8Array(nServers);
  const serverTarget = new Int32Array(nServers);
  const serverSize = new Int32Array(nServers);
  const serverFirstToken = new Float64Array(nServers);
  const members = new Int32Array(nServers * maxBatchAll);

  // Tallies.
  const seriesInterval = chooseInterval(duration);
  const seriesCount = Math.ceil(duration / seriesInterval - 1e-9);
  const tallies: RunTallies = {
    policy: policy.name,
    provisioned: plan.pools.map((pp) => policyUsesPool(policy, pp.pool.name, scenario.sites[pp.pool.site].kind)),
    events: 0,
    arrivalsTotal: 0,
    completedTotal: 0,
    rejectedTotal: 0,
    inFlight: 0,
    services: scenario.services.map((s) => ({
      arrivals: 0,
      completed: 0,
      rejected: 0,
      sloMet: 0,
      networkSum: 0,
      queueSum: 0,
      execSum: 0,
      latency: new LatencyStats(),
      ttft: s.model >= 0 && scenario.models[s.model].kind === 'llm' ? new LatencyStats() : null,
      placements: new Float64Array(nPools),
    })),
    pools: plan.pools.map(() => ({ busyServerSeconds: 0, batches: 0, batchedRequests: 0 })),
    egressBytes: 0,
    networkBytes: 0,
    networkGco2: 0,
    series: { interval: seriesInterval, count: seriesCount, services: [], pools: [] },
  };
  const S = (): IntervalSeries => new IntervalSeries(seriesInterval, seriesCount);
  const svcSeries = scenario.services.map(() => ({ arrivals: S(), completions: S(), rejected: S() }));
  const poolSeries = plan.pools.map(() => ({ busy: S(), queue: S() }));
  tallies.series.services = svcSeries;
  tallies.series.pools = poolSeries;
  const queueSince = new Float64Array(nPools);
  /** Integrates a pool's queue length up to now; call before changing it. */
  const markQueue = (pool: number): void => {
    const now = sim.now;
    poolSeries[pool].queue.addSpan(queueSince[pool], now, poolQueued[pool]);
    queueSince[pool] = now;
  };
  const svcTallies = tallies.services;
  const provisioned = tallies.provisioned;
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
  const emit = (
    id: number,
    svc: number,
    user: number,
    arrival: number,
    pool: number,
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
    row.pool = pool >= 0 ? scenario.pools[pool].name : '';
    row.outcome = outcome;
    row.network_s = network;
    row.queue_s = queue;
    row.execution_s = execution;
    row.latency_s = network + queue + execution;
    row.ttft_s = ttft;
    trace!(row);
  };
  const poolTallies = tallies.pools;

  // Per-service reusable policy inputs: one request object and one candidate object per target.
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
      const pool = scenario.pools[t.pool];
      const site = scenario.sites[pool.site];
      return {
        pool: pool.name,
        poolIndex: pool.index,
        site: site.name,
        kind: site.kind,
        region: scenario.regions[site.region].name,
        available: true,
        rtt_s: 0,
        network_s: 0,
        queue_s: 0,
        exec_s: 0,
        latency_s: 0,
        ttft_s: 0,
        queue_length: 0,
        busy_servers: 0,
        servers: plan.pools[t.pool].servers,
        cost_usd: 0,
        carbon_g: 0,
      };
    });
    const view = { now: 0, candidates } as { now: number; candidates: Candidate[] };
    return { request, view, targetIds: Int32Array.from(sp.targets) };
  });

  // Random streams, one per source.
  const arrivalStreams = scenario.services.map((s) => interArrivalStream(streams, s.name));
  const userStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:users`));
  const serviceTimeStreams = scenario.services.map((s) => streams.stream(`service:${s.name}:service-time`));
  const traceNext = new Int32Array(scenario.services.length);

  // ---- estimates for the policy view -------------------------------------------------------------
  function fillCandidates(svc: number, user: number): void {
    const v = views[svc];
    const cands = v.view.candidates;
    v.view.now = sim.now;
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      const t = plan.targets[v.targetIds[i]];
      const p = t.pool;
      const servers = plan.pools[p].servers;
      const free = poolFreeCount[p];
      const qAll = poolQueued[p];
      const qThis = queues[t.id].length;
      const B = t.maxBatch;
      const bEff = qThis + 1 < B ? qThis + 1 : B;
      const tB = t.batchTime[B];
      let wait: number;
      if (free > 0 && qAll < free * B) {
        wait = bEff < B ? t.maxWait : 0;
      } else {
        wait = (Math.floor(qAll / (servers * B)) + 0.5) * tB;
      }
      const exec = t.batchTime[bEff];
      const rtt = t.rtt[user];
      const up = t.up[user];
      const down = t.down[user];
      c.available = t.reachable[user] === 1 && provisioned[p] && (qAll < poolMaxQueue[p] || (free > 0 && qAll === 0));
      c.rtt_s = rtt;
      c.network_s = up + down;
      c.queue_s = wait;
      c.exec_s = exec;
      c.latency_s = up + wait + exec + down;
      c.ttft_s = up + wait + t.firstToken[bEff] + rtt / 2;
      c.queue_length = qThis;
      c.busy_servers = servers - free;
      c.cost_usd = (t.usdPerServerSecond * exec) / bEff + t.usdNetworkPerRequest;
      c.carbon_g = (t.gco2PerServerSecond * exec) / bEff + t.gco2NetworkPerRequest;
    }
  }

  // ---- events ---------------------------------------------------------------------------------------
  let kArrival = 0;
  let kEnqueue = 0;
  let kTimer = 0;
  let kDone = 0;

  function scheduleNextArrival(svc: number): void {
    const spec = scenario.services[svc].arrivals;
    let next: number;
    switch (spec.kind) {
      case 'poisson':
        next = sim.now + arrivalStreams[svc].exponential(1 / spec.rate_per_s);
        break;
      case 'constant':
        next = sim.now + 1 / spec.rate_per_s;
        break;
      case 'profile': {
        // Thinning (Lewis & Shedler): candidates at the peak rate, each kept with probability λ(t)/peak.
        const rng = arrivalStreams[svc];
        next = sim.now;
        for (;;) {
          next += rng.exponential(1 / spec.peak_per_s);
          if (next >= duration) break;
          const hour = (next / 3600) % 24;
          const phase = Math.cos((2 * Math.PI * (hour - spec.peak_hour)) / 24);
          const rate = spec.trough_per_s + ((spec.peak_per_s - spec.trough_per_s) * (1 + phase)) / 2;
          if (rng.uniform() * spec.peak_per_s < rate) break;
        }
        break;
      }
      case 'trace': {
        const i = traceNext[svc]++;
        next = i < spec.times_s.length ? spec.times_s[i] : Infinity;
        break;
      }
    }
    if (next < duration) sim.scheduleAt(next, kArrival, svc);
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

    const v = views[svc];
    v.request.arrival_s = now;
    v.request.user = scenario.users[user].name;
    v.request.userIndex = user;
    fillCandidates(svc, user);
    const choice = policy.place(v.request, v.view);
    const cands = v.view.candidates;
    if (choice === -1) {
      tallies.rejectedTotal++;
      svcSeries[svc].rejected.addAt(now, 1);
      if (measured) st.rejected++;
      if (trace) emit(id, svc, user, now, -1, 'rejected', NaN, NaN, NaN, NaN);
      return;
    }
    if (!(Number.isInteger(choice) && choice >= 0 && choice < cands.length) || !cands[choice].available) {
      throw new Error(
        `policy "${policy.name}" returned ${String(choice)} for service "${service.name}": ` +
          `expected -1 or the index of an available candidate (0..${cands.length - 1})`,
      );
    }
    const t = plan.targets[v.targetIds[choice]];
    const slot = rq.alloc();
    rq.arrival[slot] = now;
    rq.serviceTime[slot] = serviceTime;
    rq.target[slot] = t.id;
    rq.user[slot] = user;
    rq.measured[slot] = measured ? 1 : 0;
    rq.id[slot] = id;
    if (measured) st.placements[t.pool]++;
    const up = t.up[user];
    if (up > 0) sim.schedule(up, kEnqueue, slot);
    else enqueue(slot);
  }

  function enqueue(slot: number): void {
    const t = rq.target[slot];
    const pool = plan.targets[t].pool;
    // The queue may have filled while the request travelled: beyond max_queue it is turned away here.
    if (poolQueued[pool] >= poolMaxQueue[pool] && !(poolFreeCount[pool] > 0 && poolQueued[pool] === 0)) {
      const svc = plan.targets[t].service;
      tallies.rejectedTotal++;
      svcSeries[svc].rejected.addAt(sim.now, 1);
      if (rq.measured[slot] === 1) svcTallies[svc].rejected++;
      if (trace) emit(rq.id[slot], svc, rq.user[slot], rq.arrival[slot], pool, 'rejected', NaN, NaN, NaN, NaN);
      rq.release(slot);
      return;
    }
    rq.enqueued[slot] = sim.now;
    queues[t].push(slot);
    markQueue(pool);
    poolQueued[pool]++;
    dispatch(pool);
  }

  function dispatch(pool: number): void {
    const targets = plan.pools[pool].targets;
    const now = sim.now;
    while (poolFreeCount[pool] > 0 && poolQueued[pool] > 0) {
      // The ready queue (full batch waiting, or oldest request waited max_wait) with the oldest head.
      let pick = -1;
      let pickHead = Infinity;
      let nextReady = Infinity;
      for (let i = 0; i < targets.length; i++) {
        const id = targets[i];
        const q = queues[id];
        if (q.length === 0) continue;
        const head = rq.enqueued[q.peek()];
        const t = plan.targets[id];
        const readyAt = head + t.maxWait;
        if (q.length >= t.maxBatch || now >= readyAt) {
          if (head < pickHead) {
            pickHead = head;
            pick = id;
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
    let duration = t.batchTime[size];
    const drawn = scenario.services[t.service].service_time !== null;
    if (drawn) duration = 0;
    for (let k = 0; k < size; k++) {
      const slot = q.shift();
      members[base + k] = slot;
      // A batch of drawn service times runs as long as its longest member.
      if (drawn && rq.serviceTime[slot] > duration) duration = rq.serviceTime[slot];
    }
    markQueue(pool);
    poolQueued[pool] -= size;
    serverBusy[server] = 1;
    serverStart[server] = sim.now;
    serverTarget[server] = targetId;
    serverSize[server] = size;
    serverFirstToken[server] = drawn ? duration : t.firstToken[size];
    sim.schedule(duration, kDone, server);
  }

  function busyInWindow(start: number, end: number): number {
    const s = start > warmup ? start : warmup;
    const e = end < duration ? end : duration;
    return e > s ? e - s : 0;
  }

  function onDone(server: number): void {
    const now = sim.now;
    const targetId = serverTarget[server];
    const t = plan.targets[targetId];
    const svc = t.service;
    const st = svcTallies[svc];
    const slo = scenario.services[svc].slo;
    const size = serverSize[server];
    const start = serverStart[server];
    const firstTokenAt = start + serverFirstToken[server];
    const base = server * maxBatchAll;
    for (let k = 0; k < size; k++) {
      const slot = members[base + k];
      if (rq.measured[slot] === 1) {
        const user = rq.user[slot];
        const arrival = rq.arrival[slot];
        const latency = now + t.down[user] - arrival;
        st.completed++;
        st.latency.record(latency);
        tallies.egressBytes += t.egressBytes;
        tallies.networkBytes += t.networkBytes;
        tallies.networkGco2 += t.gco2NetworkPerRequest;
        st.networkSum += rq.enqueued[slot] - arrival + t.down[user];
        st.queueSum += start - rq.enqueued[slot];
        st.execSum += now - start;
        let ok = slo.latency_s === null || latency <= slo.latency_s;
        if (st.ttft !== null) {
          const ttft = firstTokenAt + t.rtt[user] / 2 - arrival;
          st.ttft.record(ttft);
          if (slo.ttft_s !== null && ttft > slo.ttft_s) ok = false;
        }
        if (ok) st.sloMet++;
      }
      tallies.completedTotal++;
      if (trace) {
        const user = rq.user[slot];
        const arrival = rq.arrival[slot];
        emit(
          rq.id[slot],
          svc,
          user,
          arrival,
          t.pool,
          'completed',
          rq.enqueued[slot] - arrival + t.down[user],
          start - rq.enqueued[slot],
          now - start,
          st.ttft !== null ? firstTokenAt + t.rtt[user] / 2 - arrival : NaN,
        );
      }
      rq.release(slot);
    }
    svcSeries[svc].completions.addAt(now, size);
    const pool = t.pool;
    const pt = poolTallies[pool];
    pt.busyServerSeconds += busyInWindow(start, now);
    poolSeries[pool].busy.addSpan(start, now, 1);
    if (start >= warmup) {
      pt.batches++;
      pt.batchedRequests += size;
    }
    serverBusy[server] = 0;
    poolFree[pool][poolFreeCount[pool]++] = server;
    dispatch(pool);
  }

  function onTimer(pool: number): void {
    if (sim.now >= poolTimerAt[pool]) poolTimerAt[pool] = Infinity;
    dispatch(pool);
  }

  kArrival = sim.register(onArrival);
  kEnqueue = sim.register(enqueue);
  kTimer = sim.register(onTimer);
  kDone = sim.register(onDone);

  // First arrival of each service.
  scenario.services.forEach((service, svc) => {
    const spec = service.arrivals;
    if (spec.kind === 'constant') sim.scheduleAt(0, kArrival, svc);
    else scheduleNextArrival(svc);
  });

  sim.run(duration);

  // Replicas still busy at the end count their busy time up to the end.
  for (let s = 0; s < nServers; s++) {
    if (serverBusy[s] === 1) {
      poolTallies[serverPool[s]].busyServerSeconds += busyInWindow(serverStart[s], duration);
      poolSeries[serverPool[s]].busy.addSpan(serverStart[s], duration, 1);
    }
  }
  for (let p = 0; p < nPools; p++) markQueue(p);
  tallies.events = sim.processed;
  tallies.inFlight = rq.live;
  if (trace) {
    // Requests still travelling, waiting or running when the run ends, in arrival order.
    const open: number[] = [];
    for (let s = 0; s < rq.highWater; s++) if (rq.alive[s] === 1) open.push(s);
    open.sort((a, b) => rq.id[a] - rq.id[b]);
    for (const s of open) {
      const t = plan.targets[rq.target[s]];
      emit(rq.id[s], t.service, rq.user[s], rq.arrival[s], t.pool, 'in_flight', NaN, NaN, NaN, NaN);
    }
  }
  return tallies;
}
