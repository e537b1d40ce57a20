/**
 * Pools: queues, batching and dispatch onto replicas.
 *
 * Owns: one FIFO of request slots per target (service at pool), each pool's stack of idle serving replicas,
 * the replicas' running batches (start, size, members, completion event), per pool the counts of serving,
 * busy replicas and queued requests, the batch timers, and the serving and queue-length integrals.
 * Handles: *enqueue* (a request reaches its target: a managed API, or the pool's queue), *batch timer*
 * (dispatch when a queue's max_wait runs out), *batch done* (the batch's requests are delivered).
 * Capacity tells it when a unit's replicas start or stop serving (`setUnitServing`).
 */
import { REJECT_QUEUE_FULL } from './decisions.js';
import type { Simulator } from '../engine/index.js';
import type { RequestTable } from './tables.js';
import { onLan, type TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import { Level } from './tallies.js';
import { BELOW_EDGE, SEEK_COLD } from '../metrics/interval-series.js';
import type { Arrivals } from './arrivals.js';
import type { Outcomes } from './outcomes.js';
import type { Links } from './links.js';
import type { Capacity } from './capacity.js';
import type { Uplinks } from './uplinks.js';
import type { Autoscaler } from './autoscaler.js';
import type { ManagedApis } from './apis.js';
import type { TrainingJobs } from './jobs.js';
import { LlmServers } from './llm-server.js';
import {
  TargetQueues,
  F_DEFERRABLE,
  F_DRAWN,
  F_LENGTH_TIMING,
  F_LLM,
  F_USED,
  T_FLAGS,
  T_MAX_BATCH,
  T_MAX_QUEUE,
  T_MAX_WAIT,
  T_SITE,
  T_TABLE,
  TR,
} from './target-table.js';

/**
 * Per pool, one 64-byte record of what a request's passage reads and writes: as doubles (pc, stride PC),
 * since when its queue length holds, busy replica-seconds, batches and requests batched in the measured
 * window, and its batch timer; as int32s in the rest of the record (pi, stride PI = 2 × PC), replicas serving
 * now, idle and busy, requests queued, its first replica (serverBase) and flags.
 */
export const PC = 8;
export const PI = 2 * PC;
const P_QUEUE_SINCE = 0;
const P_ACC_BUSY = 1;
const P_ACC_BATCHES = 2;
const P_ACC_BATCHED = 3;
const P_TIMER_AT = 4;
export const P_SERVING = 10;
export const P_FREE = 11;
export const P_BUSY = 12;
export const P_QUEUED = 13;
const P_BASE = 14;
const P_FLAGS = 15;
/** P_FLAGS: a continuous-batching (LLM) pool; a pool that keeps run-wide series. */
const PF_LLM = 1;
const PF_KEPT = 2;
const HOUR_S = 3600;
/** srv's stride and fields (a replica's running batch). */
const SR = 8;
const S_START = 0;
const S_TARGET = 1;
const S_SIZE = 2;
const S_FIRST_TOKEN = 3;
const S_EVENT = 4;

export class Pools {
  declare private readonly ctx: RunContext;
  /** Shortcuts into the context for the event path. */
  declare private readonly sim: Simulator;
  declare private readonly rq: RequestTable;
  declare private readonly targets: TargetPlan[];
  /** Per target: its FIFO of request slots. */
  declare readonly queues: TargetQueues;
  /** Per pool: its targets' ids; and flat, pool p's at poolTargetList[poolTargetStart[p] .. [p + 1]). */
  declare private readonly poolTargets: number[][];
  declare private readonly poolTargetStart: Int32Array;
  declare private readonly poolTargetList: Int32Array;
  declare private readonly kinds: RunContext['kinds'];
  declare private readonly warmup: number;
  declare private readonly duration: number;
  declare private readonly poolTallies: RunContext['poolTallies'];
  declare private readonly poolSeries: RunContext['poolSeries'];
  /**
   * Per pool, its counters and sums in one 64-byte record (P_* above; pc and pi are the same memory): with
   * 10,000 pools a request's pool is not in the processor's cache, and each per-pool array it touched
   * (serving, free, busy, queued, replica base, flags, queue integral, busy sums: eleven) was a memory read of
   * its own. Replicas of pool p are base .. base + units × serversPerUnit − 1 (base: pi[p × PI + P_BASE]).
   */
  declare private readonly pc: Float64Array;
  /** The records as int32s (the counters; read by the placement view too). */
  declare readonly pi: Int32Array;
  declare private readonly serverPool: Int32Array;
  declare private readonly maxBatchAll: number;
  /**
   * Per replica, its running batch: start, target, size, first-token delay, completion event (stride SR: one
   * record rather than five arrays, each a memory read of its own when the replica is not in the cache).
   */
  declare private readonly srv: Float64Array;
  declare readonly serverBusy: Uint8Array;
  /** Slots of each replica's running batch: replica s holds members[s × maxBatchAll ..]. */
  declare private readonly members: Int32Array;
  /**
   * Per pool: stack of idle serving replicas, pool p's at freeStack[serverBase[p] ..]. (One flat array, and
   * the per-pool figures below flat too: with 10,000 pools a request's pool is not in the cache, and one
   * array read costs less than an object's chain.)
   */
  declare private readonly freeStack: Int32Array;
  /** Per pool × hour: busy replica-seconds (as PoolTallies.busyHourly, copied there by closePool). */
  declare private readonly busyHours: Float64Array;
  declare private readonly nHours: number;
  declare readonly maxQueue: number[];
  declare private readonly servingLevel: Level[];
  declare private readonly servingMeasured: Float64Array;
  declare private readonly servingSince: Float64Array;
  declare private arrivals: Arrivals;
  declare private outcomes: Outcomes;
  declare private links: Links;
  declare private capacity: Capacity;
  declare private uplinks: Uplinks;
  declare private autoscaler: Autoscaler;
  declare private apis: ManagedApis;
  declare private jobs: TrainingJobs;
  /** Continuous batching of the LLM pools (plan.ts PoolPlan.llm; PF_LLM in those pools' flags). */
  declare readonly llm: LlmServers;
  /** Per user group: the site whose LAN it sits on, or −1 (plan.ts onLan). */
  declare private readonly userGateway: Int32Array;
  /** The targets' records and batch tables (target-table.ts), shared with the placement view. */
  declare private readonly rec: Float64Array;
  declare private readonly table: Float64Array;
  declare private readonly poolMaxBatch: Float64Array;
  /**
   * Per pool: its one target when that is all the pool has and it runs each request alone as soon as a replica
   * is free (max_batch 1, no LLM, no length timing), else −1. A finished batch at such a pool starts its next
   * waiting request itself (startNext) rather than through dispatch's scan and startBatch.
   */
  declare private readonly loneTarget: Int32Array;
  /** The busy span being accounted (accountBusy → addBusy). */
  private spanStart = 0.5;
  private spanEnd = 0.5;
  /**
   * The stretch of time around the last busy span's end in which every span falls in one hour of busyHours
   * and one interval of the pools' series and on one side of warmup and of the run's end: a span inside
   * [segLo, segCut) ending by segHi is added to them whole, without finding its buckets (addBusy). segWin:
   * the stretch is in the measured window; segHour, segSer: its hour and series interval (−1: none kept).
   */
  private segLo = 0.5;
  private segHi = 0.5;
  private segCut = 0.5;
  private segWin = 0;
  private segHour = -1;
  private segSer = -1;
  /** seekSegment calls left that leave the stretch empty (as BucketCursor's first seeks, for the same reason). */
  private segCold = SEEK_COLD;
  declare private readonly serInterval: number;
  declare private readonly serCount: number;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.sim = ctx.sim;
    this.rq = ctx.rq;
    this.targets = ctx.plan.targets;
    const { plan, nPools, warmup, duration } = ctx;
    this.kinds = ctx.kinds;
    this.warmup = warmup;
    this.duration = duration;
    this.poolTallies = ctx.poolTallies;
    this.poolSeries = ctx.poolSeries;
    this.poolTargets = plan.pools.map((pp) => pp.targets);
    this.poolTargetStart = new Int32Array(nPools + 1);
    for (let p = 0; p < nPools; p++)
      this.poolTargetStart[p + 1] = this.poolTargetStart[p] + plan.pools[p].targets.length;
    this.poolTargetList = Int32Array.from(plan.pools.flatMap((pp) => pp.targets));
    this.queues = new TargetQueues(ctx.targetTable, plan.targets.length);
    const pc = new Float64Array(nPools * PC);
    const pi = new Int32Array(pc.buffer);
    this.pc = pc;
    this.pi = pi;
    let nServers = 0;
    for (const pp of plan.pools) {
      const p = pp.pool.index;
      pi[p * PI + P_BASE] = nServers;
      nServers += pp.simUnits * pp.serversPerUnit;
      const kept = ctx.poolSeries[p].queue.count > 0 || ctx.poolSeries[p].busy.count > 0;
      // A fleet instance's run-wide series are left out unless asked for.
      pi[p * PI + P_FLAGS] = (pp.llm !== null ? PF_LLM : 0) | (kept ? PF_KEPT : 0);
      pc[p * PC + P_TIMER_AT] = Infinity;
    }
    this.serverPool = new Int32Array(nServers);
    for (const pp of plan.pools) {
      const p = pp.pool.index;
      for (let s = 0; s < pp.simUnits * pp.serversPerUnit; s++) this.serverPool[this.pi[p * PI + P_BASE] + s] = p;
    }
    let maxBatchAll = 1;
    for (const t of plan.targets) maxBatchAll = Math.max(maxBatchAll, t.maxBatch);
    this.maxBatchAll = maxBatchAll;
    this.srv = new Float64Array(nServers * SR);
    this.serverBusy = new Uint8Array(nServers);
    this.members = new Int32Array(nServers * maxBatchAll);
    this.freeStack = new Int32Array(Math.max(nServers, 1));
    this.nHours = nPools > 0 ? ctx.poolTallies[0].busyHourly.count : 0;
    this.busyHours = new Float64Array(nPools * this.nHours);
    this.maxQueue = plan.pools.map((pp) => pp.pool.max_queue);
    this.servingLevel = plan.pools.map((_, p) => new Level(null, ctx.poolSeries[p].serving, warmup, duration));
    this.servingMeasured = new Float64Array(nPools);
    this.servingSince = new Float64Array(nPools);
    this.userGateway = ctx.targetTable.userGateway;
    this.rec = ctx.targetTable.rec;
    this.table = ctx.targetTable.table;
    this.poolMaxBatch = Float64Array.from(plan.pools, (pp) => pp.maxBatch);
    this.loneTarget = Int32Array.from(plan.pools, (pp) => {
      if (pp.llm !== null || pp.targets.length !== 1) return -1;
      const t = pp.targets[0];
      const r = t * TR;
      return this.rec[r + T_MAX_BATCH] === 1 && (this.rec[r + T_FLAGS] & (F_LLM | F_LENGTH_TIMING)) === 0 ? t : -1;
    });
    this.llm = new LlmServers(ctx, this, this.serverPool);
    this.serInterval = ctx.tallies.series.interval;
    this.serCount = ctx.tallies.series.count;
    // (Fractions from the start: see the Simulator's constructor.)
    this.spanStart = this.spanEnd = 0;
    this.segLo = this.segHi = Infinity;
    this.segCut = -Infinity;
  }

  link(parts: Parts): void {
    this.arrivals = parts.arrivals;
    this.outcomes = parts.outcomes;
    this.links = parts.links;
    this.capacity = parts.capacity;
    this.uplinks = parts.uplinks;
    this.autoscaler = parts.autoscaler;
    this.apis = parts.apis;
    this.jobs = parts.jobs;
    this.llm.link(parts);
  }

  /** Pool of replica s. */
  poolOf(s: number): number {
    return this.serverPool[s];
  }

  /** Target ids of pool p. */
  poolTargetIds(p: number): number[] {
    return this.poolTargets[p];
  }

  /** Replicas serving now in pool p. */
  servingOf(p: number): number {
    return this.pi[p * PI + P_SERVING];
  }

  /** Idle serving replicas of pool p. */
  freeOf(p: number): number {
    return this.pi[p * PI + P_FREE];
  }

  /** Busy replicas of pool p. */
  busyOf(p: number): number {
    return this.pi[p * PI + P_BUSY];
  }

  /** Requests queued at pool p. */
  queuedOf(p: number): number {
    return this.pi[p * PI + P_QUEUED];
  }

  /** Pool p's first replica. */
  baseOf(p: number): number {
    return this.pi[p * PI + P_BASE];
  }

  /** An idle serving replica of pool p, taken off its stack (freeCount[p] > 0). */
  takeFree(p: number): number {
    return this.freeStack[this.pi[p * PI + P_BASE] + --this.pi[p * PI + P_FREE]];
  }

  /** n requests left pool p's queues (admitted to a continuous-batching replica). */
  dequeued(p: number, n: number): void {
    this.markQueue(p);
    this.pi[p * PI + P_QUEUED] -= n;
  }

  /** n preempted sequences wait at pool p again. */
  requeued(p: number, n: number): void {
    this.markQueue(p);
    this.pi[p * PI + P_QUEUED] += n;
  }

  /** A continuous-batching replica starts work. */
  llmBusy(s: number, p: number): void {
    this.removeFree(p, s);
    this.serverBusy[s] = 1;
    this.pi[p * PI + P_BUSY]++;
    this.srv[s * SR + S_START] = this.sim.now;
  }

  /** A continuous-batching replica has nothing left to run: it joins the idle stack. */
  llmIdle(s: number, p: number): void {
    if (this.serverBusy[s] === 1) {
      this.accountBusy(p, this.srv[s * SR + S_START], this.sim.now);
      this.serverBusy[s] = 0;
      this.pi[p * PI + P_BUSY]--;
    }
    const stack = this.freeStack;
    const b = this.pi[p * PI + P_BASE];
    for (let i = 0; i < this.pi[p * PI + P_FREE]; i++) if (stack[b + i] === s) return;
    stack[b + this.pi[p * PI + P_FREE]++] = s;
  }

  /**
   * Busy replicas as the autoscaler counts demand: for a continuous-batching pool, the running sequences in
   * replicas' worth of its services' max_batch (a replica with one sequence is not a busy replica).
   */
  demandBusy(p: number): number {
    return (this.pi[p * PI + P_FLAGS] & PF_LLM) !== 0
      ? this.llm.running[p] / this.poolMaxBatch[p]
      : this.pi[p * PI + P_BUSY];
  }

  /** Integrates a pool's queue length up to now; call before changing it. */
  private markQueue(pool: number): void {
    const now = this.sim.now;
    // An empty queue or an empty span adds nothing (addSpan would return at once): most calls, on the hot
    // path, end here without calling addSpan (a call with two doubles that allocates when not inlined).
    if (
      (this.pi[pool * PI + P_FLAGS] & PF_KEPT) !== 0 &&
      this.pi[pool * PI + P_QUEUED] !== 0 &&
      now > this.pc[pool * PC + P_QUEUE_SINCE]
    )
      this.poolSeries[pool].queue.addSpan(this.pc[pool * PC + P_QUEUE_SINCE], now, this.pi[pool * PI + P_QUEUED]);
    this.pc[pool * PC + P_QUEUE_SINCE] = now;
  }

  /** Integrates a pool's serving replicas up to now; call before changing them. */
  private markServing(pool: number): void {
    const { sim, warmup, duration } = this.ctx;
    const now = sim.now;
    const s = this.servingSince[pool] > warmup ? this.servingSince[pool] : warmup;
    const e = now < duration ? now : duration;
    if (e > s) this.servingMeasured[pool] += (e - s) * this.pi[pool * PI + P_SERVING];
    this.servingSince[pool] = now;
    this.servingLevel[pool].set(now, this.pi[pool * PI + P_SERVING]);
  }

  /** Whether a request arriving now at pool `pool` would be turned away for a full queue. */
  isFull(pool: number): boolean {
    return (
      this.pi[pool * PI + P_QUEUED] >= this.maxQueue[pool] &&
      !(this.pi[pool * PI + P_FREE] > 0 && this.pi[pool * PI + P_QUEUED] === 0)
    );
  }

  /** Event *enqueue*: the request reaches its target after crossing its network. */
  onEnqueue(slot: number): void {
    this.enqueue(slot, true);
  }

  /**
   * The request reaches its target: after crossing its network (travelled, the event *enqueue*), or at the
   * instant it was placed there, with nothing to cross (Links.send). In the second case the placement view
   * has just found the target available — its pool serving or able to, its site's uplink up for this user,
   * its queue below max_queue (view.ts poolAvailable; a policy's choice of an unavailable candidate is an
   * error) — and nothing has happened since, so the checks of what may have changed on the way are skipped:
   * they would pass. (M/M/c: every request, ~120 instructions of ~4,900.)
   */
  enqueue(slot: number, travelled: boolean): void {
    const rq = this.rq;
    const t = rq.target[slot];
    const tp = this.targets[t];
    if (tp.api >= 0) {
      this.apis.start(slot);
      return;
    }
    const pool = tp.pool;
    // The target's site, whether the policy uses its pool, max_queue: from its record (target-table.ts), in
    // the cache since the placement view read it, rather than from per-pool arrays.
    const rec = this.rec;
    const r = t * TR;
    const flags = rec[r + T_FLAGS];
    const queued = this.pi[pool * PI + P_QUEUED];
    if (travelled) {
      // The pool may have gone while the request travelled: it is placed again.
      // (Users on the site's own LAN reach it whatever its uplink does.)
      const cut = this.uplinks.down[rec[r + T_SITE]] > 0 && !onLan(tp, this.userGateway[rq.user[slot]]);
      const canServe = ((flags & F_USED) !== 0 && this.pi[pool * PI + P_SERVING] > 0) || this.capacity.canServe(pool);
      if (cut || !canServe) {
        this.arrivals.retry(slot);
        return;
      }
      // The queue may have filled while the request travelled: beyond max_queue it is turned away here (isFull).
      if (queued >= rec[r + T_MAX_QUEUE] && !(this.pi[pool * PI + P_FREE] > 0 && queued === 0)) {
        this.outcomes.rejectSlot(slot, t, REJECT_QUEUE_FULL);
        return;
      }
    }
    const now = this.sim.now;
    rq.enqueued[slot] = now;
    // Nothing waits at the pool and a replica is free: a fixed-batch target whose batch of one is ready at once
    // starts it here — what dispatch would do after queueing it (the queue's integral adds nothing at length
    // 0), without the queue, the scan of the pool's targets or the timer. (The M/M/c path, most arrivals.)
    // The start is written out here, as startBatch would start a batch of one (startNext's loop body does the
    // same for a waiting request), rather than called: V8 did not inline the call (enqueue's inlining budget
    // goes to the queue's push and integral), and the call, taken by ~64% of the M/M/8 requests, re-read the
    // pool's and the target's records behind their own checks: ~80 instructions a request (cachegrind).
    if (
      queued === 0 &&
      this.pi[pool * PI + P_FREE] > 0 &&
      (flags & (F_LLM | F_LENGTH_TIMING)) === 0 &&
      (rec[r + T_MAX_BATCH] <= 1 || now >= now + rec[r + T_MAX_WAIT])
    ) {
      const tb = rec[r + T_TABLE];
      const server = this.freeStack[this.pi[pool * PI + P_BASE] + --this.pi[pool * PI + P_FREE]];
      this.members[server * this.maxBatchAll] = slot;
      let duration = this.table[tb + 2];
      let firstToken = this.table[tb + 3];
      if ((flags & F_DRAWN) !== 0) {
        // A batch of drawn service times runs as long as its longest member (startBatch: from 0).
        const st = rq.serviceTime[slot];
        duration = st > 0 ? st : 0;
        firstToken = duration;
      }
      this.pc[pool * PC + P_QUEUE_SINCE] = now;
      this.pi[pool * PI + P_BUSY]++;
      this.serverBusy[server] = 1;
      const sr = server * SR;
      const srv = this.srv;
      srv[sr + S_START] = now;
      srv[sr + S_TARGET] = t;
      srv[sr + S_SIZE] = 1;
      srv[sr + S_FIRST_TOKEN] = firstToken;
      srv[sr + S_EVENT] = this.sim.schedule(duration, this.kinds.done, server);
      return;
    }
    if ((flags & F_LLM) !== 0) this.llm.prepare(slot);
    this.queues.push(t, slot);
    this.markQueue(pool);
    this.pi[pool * PI + P_QUEUED]++;
    if (this.pi[pool * PI + P_SERVING] === 0 && this.capacity.poolBooting[pool] === 0) this.autoscaler.autoscale(pool);
    // A fixed-batch pool with no idle replica has nothing to start: dispatch would return at once (its loop needs
    // one), so the call is skipped — the M/M/c path of every request that waits. (A continuous-batching pool
    // decides for itself.)
    if (this.pi[pool * PI + P_FREE] > 0 || (this.pi[pool * PI + P_FLAGS] & PF_LLM) !== 0) this.dispatch(pool);
    // Inference has priority on a shared pool: a job yields its units when requests have to wait.
    if (
      this.pi[pool * PI + P_QUEUED] > 0 &&
      this.pi[pool * PI + P_FREE] === 0 &&
      this.capacity.trainingLevel[pool].value > 0
    )
      this.jobs.yieldPool(pool);
  }

  /** Starts batches while the pool has a free replica and a ready queue; otherwise sets the batch timer. */
  dispatch(pool: number): void {
    if ((this.pi[pool * PI + P_FLAGS] & PF_LLM) !== 0) {
      this.llm.dispatch(pool);
      return;
    }
    const list = this.poolTargetList;
    const first = this.poolTargetStart[pool];
    const n = this.poolTargetStart[pool + 1] - first;
    const now = this.sim.now;
    const rec = this.rec;
    const queues = this.queues;
    while (this.pi[pool * PI + P_FREE] > 0 && this.pi[pool * PI + P_QUEUED] > 0) {
      // The ready queue (full batch waiting, or oldest request waited max_wait) with the oldest head;
      // interactive services go before deferrable (batch) ones.
      let pick = -1;
      let pickHead = Infinity;
      let pickBatch = true;
      let nextReady = Infinity;
      for (let i = 0; i < n; i++) {
        const id = list[first + i];
        const qn = queues.length(id);
        if (qn === 0) continue;
        const head = this.rq.enqueued[queues.peek(id)];
        // The target's record (target-table.ts), already in the cache from the placement view.
        const r = id * TR;
        const readyAt = head + rec[r + T_MAX_WAIT];
        if (qn >= rec[r + T_MAX_BATCH] || now >= readyAt) {
          const batch = (rec[r + T_FLAGS] & F_DEFERRABLE) !== 0;
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
        if (nextReady < this.pc[pool * PC + P_TIMER_AT]) {
          this.pc[pool * PC + P_TIMER_AT] = nextReady;
          this.sim.scheduleAt(nextReady, this.kinds.timer, pool);
        }
        return;
      }
      this.startBatch(pool, pick);
    }
  }

  private startBatch(pool: number, targetId: number): void {
    const rq = this.rq;
    const rec = this.rec;
    const r = targetId * TR;
    const maxBatch = rec[r + T_MAX_BATCH];
    const flags = rec[r + T_FLAGS];
    const tb = rec[r + T_TABLE];
    const queues = this.queues;
    const qn = queues.length(targetId);
    const server = this.freeStack[this.pi[pool * PI + P_BASE] + --this.pi[pool * PI + P_FREE]];
    const size = qn < maxBatch ? qn : maxBatch;
    const base = server * this.maxBatchAll;
    const members = this.members;
    const serviceTime = rq.serviceTime;
    let duration = this.table[tb + 2 * size];
    const drawn = (flags & F_DRAWN) !== 0;
    if (drawn) duration = 0;
    for (let k = 0; k < size; k++) {
      const slot = queues.shift(targetId);
      members[base + k] = slot;
      // A batch of drawn service times runs as long as its longest member.
      if (drawn && serviceTime[slot] > duration) duration = serviceTime[slot];
    }
    let firstToken = drawn ? duration : this.table[tb + 2 * size + 1];
    if ((flags & F_LENGTH_TIMING) !== 0) {
      // Lengths vary per request: the batch's time follows its members' lengths.
      const timing = this.memberTiming(this.targets[targetId], base, size);
      duration = timing.total_s;
      firstToken = timing.first_token_s;
    }
    this.markQueue(pool);
    this.pi[pool * PI + P_QUEUED] -= size;
    this.pi[pool * PI + P_BUSY]++;
    this.serverBusy[server] = 1;
    const sr = server * SR;
    const srv = this.srv;
    srv[sr + S_START] = this.sim.now;
    srv[sr + S_TARGET] = targetId;
    srv[sr + S_SIZE] = size;
    srv[sr + S_FIRST_TOKEN] = firstToken;
    srv[sr + S_EVENT] = this.sim.schedule(duration, this.kinds.done, server);
  }

  /** The timing of the batch members[base .. base + size): mean prompt tokens, longest output, mean items. */
  private memberTiming(t: TargetPlan, base: number, size: number) {
    const rq = this.rq;
    let input = 0;
    let output = 0;
    let items = 0;
    for (let k = 0; k < size; k++) {
      const slot = this.members[base + k];
      input += rq.inputTokens[slot];
      items += rq.items[slot];
      if (rq.outputTokens[slot] > output) output = rq.outputTokens[slot];
    }
    return t.lengthTiming!(size, input / size, output, items / size);
  }

  /** Accounts a replica's busy span [start, end) in the tallies and series. */
  accountBusy(pool: number, start: number, end: number): void {
    // The span travels in fields (small enough to inline here; addBusy is not, and doubles passed to a call
    // that is not inlined are boxed: two heap numbers per batch).
    this.spanStart = start;
    this.spanEnd = end;
    this.addBusy(pool);
  }

  private addBusy(pool: number): void {
    const start = this.spanStart;
    const end = this.spanEnd;
    if (start >= this.segLo && start < this.segCut && end <= this.segHi) {
      // The span lies in one hour, one series interval and on one side of warmup and the end: the same
      // additions as addSpan below makes (end − start into the one bucket of each), without finding them.
      const d = end - start;
      if (this.segWin === 1) {
        this.pc[pool * PC + P_ACC_BUSY] += d;
        if (this.segHour >= 0) this.busyHours[pool * this.nHours + this.segHour] += d;
      }
      if (this.segSer >= 0 && (this.pi[pool * PI + P_FLAGS] & PF_KEPT) !== 0)
        this.poolSeries[pool].busy.values[this.segSer] += d;
      return;
    }
    this.addSpan(pool);
    this.seekSegment();
  }

  /** addBusy's general case: the span split by hour and series interval, clipped to the measured window. */
  private addSpan(pool: number): void {
    const start = this.spanStart;
    const end = this.spanEnd;
    const warmup = this.warmup;
    const duration = this.duration;
    const s = start > warmup ? start : warmup;
    const e = end < duration ? end : duration;
    // The busy span's part inside the measured window (as RunContext.inWindow).
    this.pc[pool * PC + P_ACC_BUSY] += e > s ? e - s : 0;
    // By hour, as IntervalSeries.addSpan (weight 1) into the pool's busyHourly.
    if (e > s) {
      const base = pool * this.nHours;
      let h = Math.floor(s / HOUR_S);
      let t = s;
      while (t < e && h < this.nHours) {
        const edge = (h + 1) * HOUR_S;
        const stop = e < edge ? e : edge;
        this.busyHours[base + h] += stop - t;
        t = stop;
        h++;
      }
    }
    if ((this.pi[pool * PI + P_FLAGS] & PF_KEPT) !== 0) this.poolSeries[pool].busy.addSpan(start, end, 1);
  }

  /**
   * Sets addBusy's stretch around now: its hour and series interval, cut at warmup and the run's end. A span
   * starting at or after lo has Math.floor(start / interval) at least the stretch's; one starting before cut,
   * a few ulps below the stretch's end, at most (the division cannot round it up to the next edge).
   */
  private seekSegment(): void {
    const now = this.sim.now;
    const iv = this.serInterval;
    const si = Math.floor(now / iv);
    const hh = Math.floor(now / HOUR_S);
    let lo = si * iv;
    let hi = lo + iv;
    if (hh * HOUR_S > lo) lo = hh * HOUR_S;
    if ((hh + 1) * HOUR_S < hi) hi = (hh + 1) * HOUR_S;
    const warmup = this.warmup;
    const duration = this.duration;
    const inWindow = now >= warmup;
    if (inWindow) {
      if (warmup > lo) lo = warmup;
    } else if (warmup < hi) hi = warmup;
    if (duration < hi) hi = duration;
    if (!(now >= lo && now < hi) || this.segCold > 0) {
      if (this.segCold > 0) this.segCold--;
      // (At or past the run's end, or where the division rounded: no stretch, every span the general way.)
      this.segLo = this.segHi = Infinity;
      this.segCut = -Infinity;
      return;
    }
    this.segLo = lo;
    this.segHi = hi;
    this.segCut = hi * BELOW_EDGE;
    this.segWin = inWindow ? 1 : 0;
    this.segHour = hh < this.nHours ? hh : -1;
    this.segSer = si < this.serCount ? si : -1;
  }

  /** Event *batch done*: every request of the replica's batch is delivered (or held while the uplink is down). */
  onDone(server: number): void {
    const ctx = this.ctx;
    const rq = this.rq;
    const now = this.sim.now;
    const sr = server * SR;
    const targetId = this.srv[sr + S_TARGET];
    const t = this.targets[targetId];
    const pool = t.pool;
    const site = this.rec[targetId * TR + T_SITE];
    const size = this.srv[sr + S_SIZE];
    const start = this.srv[sr + S_START];
    const firstTokenAt = start + this.srv[sr + S_FIRST_TOKEN];
    const base = server * this.maxBatchAll;
    const uplinkDown = this.uplinks.down[site] > 0;
    for (let k = 0; k < size; k++) {
      const slot = this.members[base + k];
      rq.started[slot] = start;
      rq.ended[slot] = now;
      rq.firstToken[slot] = firstTokenAt;
      if (!uplinkDown || onLan(t, this.userGateway[rq.user[slot]])) this.links.deliver(slot, t);
      else this.uplinks.hold(slot, site, ctx.scenario.services[t.service].request.download_bytes);
    }
    this.accountBusy(pool, start, now);
    if (start >= this.warmup) {
      this.pc[pool * PC + P_ACC_BATCHES]++;
      this.pc[pool * PC + P_ACC_BATCHED] += size;
    }
    this.serverBusy[server] = 0;
    this.pi[pool * PI + P_BUSY]--;
    this.freeStack[this.pi[pool * PI + P_BASE] + this.pi[pool * PI + P_FREE]++] = server;
    // With nothing queued dispatch has nothing to start (a continuous-batching pool decides for itself).
    if (this.pi[pool * PI + P_QUEUED] > 0 || (this.pi[pool * PI + P_FLAGS] & PF_LLM) !== 0) {
      if (this.loneTarget[pool] >= 0) this.startNext(pool, this.loneTarget[pool]);
      else this.dispatch(pool);
    }
  }

  /**
   * dispatch at a pool whose one target runs requests one at a time (loneTarget): every waiting request is
   * ready, so while a replica is free the head of the queue starts, as startBatch would start a batch of one
   * (the same queue integral, counters and completion event), without the scan of the pool's targets.
   * (The loop body repeats enqueue's start of a batch of one rather than calling a shared function: on the
   * M/M/8 bench the call, taken for the ~36% of requests that wait, cost ~2% of the run's CPU, best of 7
   * alternated, 2026-12-03.)
   */
  private startNext(pool: number, targetId: number): void {
    const queues = this.queues;
    const r = targetId * TR;
    const tb = this.rec[r + T_TABLE];
    const drawn = (this.rec[r + T_FLAGS] & F_DRAWN) !== 0;
    while (this.pi[pool * PI + P_FREE] > 0 && this.pi[pool * PI + P_QUEUED] > 0) {
      if (queues.length(targetId) === 0) {
        // (Queued requests of another kind — none at such a pool — are dispatch's.)
        this.dispatch(pool);
        return;
      }
      const server = this.freeStack[this.pi[pool * PI + P_BASE] + --this.pi[pool * PI + P_FREE]];
      const slot = queues.shift(targetId);
      this.members[server * this.maxBatchAll] = slot;
      let duration = this.table[tb + 2];
      let firstToken = this.table[tb + 3];
      if (drawn) {
        // A batch of drawn service times runs as long as its longest member (startBatch: from 0).
        const st = this.rq.serviceTime[slot];
        duration = st > 0 ? st : 0;
        firstToken = duration;
      }
      this.markQueue(pool);
      this.pi[pool * PI + P_QUEUED]--;
      this.pi[pool * PI + P_BUSY]++;
      this.serverBusy[server] = 1;
      const sr = server * SR;
      const srv = this.srv;
      srv[sr + S_START] = this.sim.now;
      srv[sr + S_TARGET] = targetId;
      srv[sr + S_SIZE] = 1;
      srv[sr + S_FIRST_TOKEN] = firstToken;
      srv[sr + S_EVENT] = this.sim.schedule(duration, this.kinds.done, server);
    }
  }

  /** Event *batch timer*. */
  onTimer(pool: number): void {
    if (this.sim.now >= this.pc[pool * PC + P_TIMER_AT]) this.pc[pool * PC + P_TIMER_AT] = Infinity;
    this.dispatch(pool);
  }

  /** Whether every replica of unit k (0-based within pool p) is idle. */
  unitIdle(p: number, k: number): boolean {
    const perUnit = this.ctx.plan.pools[p].serversPerUnit;
    const first = this.pi[p * PI + P_BASE] + k * perUnit;
    let idle = true;
    for (let j = 0; j < perUnit; j++) if (this.serverBusy[first + j] === 1) idle = false;
    return idle;
  }

  /**
   * Unit k of pool p starts (serving = true) or stops serving. Its replicas join the idle stack, or leave it;
   * a batch on a replica that stops dies with it and its requests are placed again.
   */
  setUnitServing(p: number, k: number, serving: boolean): void {
    const ctx = this.ctx;
    const pp = ctx.plan.pools[p];
    const now = this.sim.now;
    this.markServing(p);
    ctx.availabilityEpoch++;
    const first = this.pi[p * PI + P_BASE] + k * pp.serversPerUnit;
    if (serving) {
      this.pi[p * PI + P_SERVING] += pp.serversPerUnit;
      this.servingLevel[p].set(now, this.pi[p * PI + P_SERVING]);
      if ((this.pi[p * PI + P_FLAGS] & PF_LLM) !== 0)
        for (let j = 0; j < pp.serversPerUnit; j++) this.llm.replicaUp(first + j, p);
      for (let j = pp.serversPerUnit - 1; j >= 0; j--)
        this.freeStack[this.pi[p * PI + P_BASE] + this.pi[p * PI + P_FREE]++] = first + j;
      this.dispatch(p);
      return;
    }
    this.pi[p * PI + P_SERVING] -= pp.serversPerUnit;
    this.servingLevel[p].set(now, this.pi[p * PI + P_SERVING]);
    for (let j = 0; j < pp.serversPerUnit; j++) {
      const s = first + j;
      if ((this.pi[p * PI + P_FLAGS] & PF_LLM) !== 0) {
        // Its running sequences are placed again; the busy span ends here.
        if (this.serverBusy[s] === 1) {
          this.accountBusy(p, this.srv[s * SR + S_START], now);
          this.serverBusy[s] = 0;
          this.pi[p * PI + P_BUSY]--;
        } else {
          this.removeFree(p, s);
        }
        this.llm.replicaDown(s, p);
        continue;
      }
      if (this.serverBusy[s] === 1) {
        // The batch dies with its replica: the work done so far still drew power.
        this.sim.cancel(this.srv[s * SR + S_EVENT]);
        this.accountBusy(p, this.srv[s * SR + S_START], now);
        this.serverBusy[s] = 0;
        this.pi[p * PI + P_BUSY]--;
        const base = s * this.maxBatchAll;
        for (let i = 0; i < this.srv[s * SR + S_SIZE]; i++) this.arrivals.retry(this.members[base + i]);
      } else {
        this.removeFree(p, s);
      }
    }
    // With nothing left to serve (or to come), whatever waits here is placed again.
    if (
      !this.capacity.canServe(p) ||
      (this.pi[p * PI + P_SERVING] === 0 && this.capacity.poolBooting[p] === 0 && pp.pool.autoscale === null)
    ) {
      this.drainQueue(p);
    }
  }

  private removeFree(p: number, s: number): void {
    const stack = this.freeStack;
    const b = this.pi[p * PI + P_BASE];
    for (let i = 0; i < this.pi[p * PI + P_FREE]; i++) {
      if (stack[b + i] === s) {
        stack.copyWithin(b + i, b + i + 1, b + this.pi[p * PI + P_FREE]);
        this.pi[p * PI + P_FREE]--;
        return;
      }
    }
  }

  /** Every request waiting at pool p is placed again. */
  private drainQueue(p: number): void {
    if ((this.pi[p * PI + P_FLAGS] & PF_LLM) !== 0) {
      const n = this.llm.resumeLength(p);
      if (n > 0) {
        this.markQueue(p);
        this.pi[p * PI + P_QUEUED] -= n;
        this.llm.drainResume(p, (slot) => this.arrivals.retry(slot));
      }
    }
    for (const id of this.ctx.plan.pools[p].targets) {
      while (this.queues.length(id) > 0) {
        const slot = this.queues.shift(id);
        this.markQueue(p);
        this.pi[p * PI + P_QUEUED]--;
        this.arrivals.retry(slot);
      }
    }
  }

  /** At the end of the run: busy replicas are accounted up to the end, and the integrals closed. */
  closeBusy(): void {
    const duration = this.ctx.duration;
    for (let s = 0; s < this.serverBusy.length; s++)
      if (this.serverBusy[s] === 1) this.accountBusy(this.serverPool[s], this.srv[s * SR + S_START], duration);
  }

  /** At the end of the run: the queue and serving integrals of pool p are closed. */
  closePool(p: number): void {
    this.markQueue(p);
    this.markServing(p);
    this.servingLevel[p].flush(this.ctx.duration);
    const pt = this.ctx.poolTallies[p];
    pt.servingServerSeconds = this.servingMeasured[p];
    // The flat per-pool figures into the pool's tallies (they start at 0: the same numbers as adding there).
    pt.busyServerSeconds += this.pc[p * PC + P_ACC_BUSY];
    pt.batches += this.pc[p * PC + P_ACC_BATCHES];
    pt.batchedRequests += this.pc[p * PC + P_ACC_BATCHED];
    const hours = pt.busyHourly.values;
    for (let h = 0; h < this.nHours; h++) hours[h] += this.busyHours[p * this.nHours + h];
  }
}
