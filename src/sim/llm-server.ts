/**
 * LLM servers: iteration-level (continuous) batching with a paged KV cache, per replica of a continuous pool
 * (plan.ts `PoolPlan.llm`), as vLLM (V1), Orca and Sarathi-Serve run it. docs/model.md ("LLM serving").
 *
 * Each replica runs model steps back to back while it has sequences. A step's work is decided at its start:
 *   1. every running sequence that is decoding gets one token (it needs a KV block when its context crosses
 *      a block boundary; with none free, the most recently admitted sequence is preempted — its blocks freed,
 *      its prompt and answer so far recomputed later as a new prefill — and counted);
 *   2. running sequences still in prefill get a chunk of the remaining token budget;
 *   3. waiting requests (preempted ones first, then the pool's queues, oldest first, interactive before
 *      deferrable) are admitted while fewer than max_num_seqs run, budget remains and the KV blocks of their
 *      whole prompt are free (above a 1% watermark).
 * Without chunked prefill, a step admitting prompts runs them whole and pauses the decodes (vLLM V0).
 * The step takes llm-step.ts's stepTime over its tokens and KV reads. A request's first token comes at the
 * end of the step that finishes its prefill; then one token per step; it completes with its last token.
 *
 * Speed: a run of decode-only steps in which nothing can change (nobody waits who could be admitted, no
 * prefill left) is one event — a *decode span* of k steps, summed in closed form (llm-step.ts decodeSpan) up
 * to the first completion or the last step the free KV blocks allow. A request arriving meanwhile cuts the
 * span at the end of the step in progress, so the result is that of stepping one by one, with events per
 * change rather than per token.
 *
 * And a step costs per step, not per running sequence: decoding sequences are not walked but counted — how
 * many, the sum of their contexts, how many need a KV block at each step of the replica's *decode clock*
 * (a sequence needs one every block_size steps, at a fixed phase), measured ones per service — and a
 * decoder's tokens follow from the clock steps since it started decoding. Completions come off a heap keyed
 * by the clock step of each decoder's last token (known when it starts decoding), ties in admission order.
 * Only prefilling sequences are walked. A step that may preempt (the blocks the decoders need are more than
 * those free) or cannot give every decoder a token (budget short) is planned and ended by walking every
 * sequence as before (scheduleWalk, onStepWalk), then counted again. test/llm-scheduler-property.test.ts
 * checks this against the walking scheduler (test/helpers/llm-server-reference.ts) bit for bit.
 *
 * Owns: per replica its running list, prefill list, decoder counts and completion heap, free KV blocks, the
 * step in flight; per pool the queue of preempted sequences. Handles: *LLM step* (a step or a decode span ends). Pools calls it for continuous pools.
 */
import type { Simulator } from '../engine/index.js';
import { LatencyStats } from '../metrics/latency.js';
import type { RequestTable } from './tables.js';
import { RingQueue } from './tables.js';
import type { LlmPoolPlan, TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import type { Pools } from './pools.js';
import type { Arrivals } from './arrivals.js';
import type { Links } from './links.js';
import type { Uplinks } from './uplinks.js';
import type { Outcomes } from './outcomes.js';
import { decodeSpan, decodeStepsWithin, stepTime } from '../hardware/llm-step.js';
import { emptyEstimate, emptyLoad, estimateLlm, type LlmEstimate, type LlmLoad } from './llm-estimate.js';

/** The estimate memo's strides: its key (running, prefill left, queued, servers, idle) and its answer. */
const MK = 5;
const ME = 5;

/** ITL samples recorded per decode span at most (its step times grow linearly: a few points describe them). */
const SPAN_SAMPLES = 4;
/**
 * Warm-up steps whose inter-token latencies go to a scratch histogram (itlSink): enough for V8 to have
 * allocated the functions' feedback and recorded their types (well before they are optimised), few
 * enough to cost nothing.
 */
const SCRATCH_STEPS = 1000;

/**
 * Whether entry i of a completion heap (keys hk, admission orders ho) comes before (key, ord): a lower key, or
 * the same key and admitted earlier. Evaluated without a branch: with `||` and `&&` the order comparison ran
 * only on a tie of keys, which first happens well into a run, in code compiled without it — V8 then threw
 * that code away (with onMixed, which inlines the push) and compiled it again (docs/performance.md).
 */
function precedes(hk: Float64Array, ho: Float64Array, i: number, key: number, ord: number): boolean {
  const k = hk[i];
  return ((k < key ? 1 : 0) | ((k === key ? 1 : 0) & (ho[i] < ord ? 1 : 0))) !== 0;
}

export class LlmServers {
  declare private readonly ctx: RunContext;
  declare private readonly sim: Simulator;
  declare private readonly rq: RequestTable;
  declare private readonly targets: TargetPlan[];
  declare private readonly pools: Pools;
  /** Per pool: its LLM plan (null: not continuous). */
  declare readonly llm: (LlmPoolPlan | null)[];
  /** Per pool: preempted sequences waiting to be recomputed (before anything new). */
  declare private readonly resume: RingQueue[];
  /** Per pool: sequences running on its replicas. */
  declare readonly running: Int32Array;
  /** Per pool: prompt tokens of its running sequences not yet prefilled (for the policy's estimate). */
  declare readonly prefillLeft: Float64Array;
  /** Per target: its service's mean prompt and output tokens; the estimate's load and answer (reused). */
  declare private readonly targetInput: Float64Array;
  declare private readonly targetOutput: Float64Array;
  declare private readonly estLoad: LlmLoad;
  declare readonly est: LlmEstimate;
  /**
   * Per target: the pool state its last estimate was made for (running, unprefilled prompt tokens, queued,
   * serving replicas, idle; stride MK) and that estimate (stride ME). Between two arrivals most pools have
   * not changed (a pool the policy leaves idle never does), so an estimate is computed only when its inputs
   * moved: the same numbers, without the step-time arithmetic.
   */
  declare private readonly memoKey: Float64Array;
  declare private readonly memoEst: Float64Array;
  /** Per replica: serving now; sequences running; first index of its running list in `run`. */
  declare private readonly up: Uint8Array;
  declare readonly runCount: Int32Array;
  declare private readonly runBase: Int32Array;
  declare private readonly run: Int32Array;
  declare private readonly freeBlocks: Int32Array;
  /** Per replica: the step (or decode span) in flight — start, event, steps of the span (0: one mixed step). */
  declare private readonly stepStart: Float64Array;
  /**
   * Per replica: the generation of its step event. A step cut short or dropped is not cancelled in the
   * kernel (a Set operation per cut): its event carries replica + generation × replicas and is ignored when
   * the generation has moved on.
   */
  declare private readonly stepGen: Float64Array;
  declare private readonly nServers: number;
  declare private readonly spanSteps: Int32Array;
  declare private readonly spanKv0: Float64Array;
  declare private readonly stepping: Uint8Array;
  /**
   * Per replica, its decoders counted rather than walked (schedule): the decode clock (steps in which every
   * decoder got a token), the time that step ended, decoders, the sum of their contexts, whether the step in
   * flight decodes, whether it was planned by walking, admissions so far (the running list's order), the
   * block size and where its phase counts start. A counted decoder's gen and KV in the request table are
   * those at clock `decFrom[slot]`; they grow by one per clock step.
   */
  declare private readonly clock: Float64Array;
  /** Per replica: its decode clock modulo its block size. */
  declare private readonly clockMod: Int32Array;
  declare private readonly decEnd: Float64Array;
  declare private readonly nDec: Int32Array;
  declare private readonly sumKv: Float64Array;
  declare private readonly decoding: Uint8Array;
  declare private readonly walked: Uint8Array;
  declare private readonly admissions: Float64Array;
  declare private readonly blockSize: Int32Array;
  declare private readonly phaseBase: Int32Array;
  /** Per replica × block size: decoders that need a block at the clock steps of each residue. */
  declare private readonly phase: Int32Array;
  /** Per replica × service: measured decoders. */
  declare private readonly measDec: Int32Array;
  /** Per replica, from runBase: sequences in prefill (admission order); completions of a step (scratch). */
  declare private readonly pre: Int32Array;
  declare private readonly preCount: Int32Array;
  declare private readonly done: Int32Array;
  /** Per replica, from runBase: the completion heap (clock of the last token, admission order, slot). */
  declare private readonly heapKey: Float64Array;
  declare private readonly heapOrd: Float64Array;
  declare private readonly heapSlot: Int32Array;
  declare private readonly heapLen: Int32Array;
  /** Per request slot: admission order on its replica; the clock its counted gen and KV are at. */
  declare private order: Float64Array;
  declare private decFrom: Float64Array;
  /**
   * Per slot: the phase of a counted decoder (its index in its replica's phase counts), set by addDecoder
   * and read back by removeDecoder. It does not change while the slot decodes (its context and the clock
   * grow together), and computing it again there took a floating-point remainder (the clock is a double: a
   * slow instruction sequence) on every completion.
   */
  declare private decPhase: Int32Array;
  /** Where the warm-up's first steps are recorded (itlSink); never read. */
  declare private readonly scratchItl: LatencyStats;
  /** Steps still to record into scratchItl. */
  declare private scratchLeft: number;
  /** Scratch: per service, measured sequences that got a token in this step. */
  declare private readonly svcCount: Float64Array;
  declare private readonly svcDeferrable: Uint8Array;
  declare private arrivals: Arrivals;
  declare private links: Links;
  declare private uplinks: Uplinks;
  declare private outcomes: Outcomes;

  constructor(ctx: RunContext, pools: Pools, serverPool: Int32Array) {
    this.ctx = ctx;
    this.sim = ctx.sim;
    this.rq = ctx.rq;
    this.targets = ctx.plan.targets;
    this.pools = pools;
    this.llm = ctx.plan.pools.map((pp) => pp.llm);
    this.resume = ctx.plan.pools.map(() => new RingQueue());
    this.running = new Int32Array(ctx.nPools);
    this.prefillLeft = new Float64Array(ctx.nPools);
    const svcs = ctx.scenario.services;
    this.targetInput = Float64Array.from(this.targets, (t) => svcs[t.service].request.input_tokens);
    this.targetOutput = Float64Array.from(this.targets, (t) => svcs[t.service].request.output_tokens);
    this.estLoad = emptyLoad();
    this.est = emptyEstimate();
    this.memoKey = new Float64Array(this.targets.length * MK).fill(-1);
    this.memoEst = new Float64Array(this.targets.length * ME);
    const n = serverPool.length;
    this.up = new Uint8Array(n);
    this.runCount = new Int32Array(n);
    this.runBase = new Int32Array(n);
    this.freeBlocks = new Int32Array(n);
    let total = 0;
    for (let s = 0; s < n; s++) {
      const l = this.llm[serverPool[s]];
      this.runBase[s] = total;
      if (l !== null) total += l.scheduler.max_num_seqs;
    }
    this.run = new Int32Array(Math.max(total, 1));
    this.pre = new Int32Array(this.run.length);
    this.done = new Int32Array(this.run.length);
    this.heapKey = new Float64Array(this.run.length);
    this.heapOrd = new Float64Array(this.run.length);
    this.heapSlot = new Int32Array(this.run.length);
    this.preCount = new Int32Array(n);
    this.heapLen = new Int32Array(n);
    this.clock = new Float64Array(n);
    this.clockMod = new Int32Array(n);
    this.decEnd = new Float64Array(n);
    this.nDec = new Int32Array(n);
    this.sumKv = new Float64Array(n);
    this.decoding = new Uint8Array(n);
    this.walked = new Uint8Array(n);
    this.admissions = new Float64Array(n);
    this.blockSize = new Int32Array(n);
    this.phaseBase = new Int32Array(n);
    let phases = 0;
    for (let s = 0; s < n; s++) {
      const l = this.llm[serverPool[s]];
      this.phaseBase[s] = phases;
      if (l !== null) {
        this.blockSize[s] = l.scheduler.block_size;
        phases += l.scheduler.block_size;
      }
    }
    this.phase = new Int32Array(Math.max(phases, 1));
    this.measDec = new Int32Array(Math.max(n * ctx.scenario.services.length, 1));
    this.order = new Float64Array(256);
    this.decFrom = new Float64Array(256);
    this.decPhase = new Int32Array(256);
    this.scratchItl = new LatencyStats();
    this.scratchLeft = SCRATCH_STEPS;
    this.stepStart = new Float64Array(n);
    this.stepGen = new Float64Array(n);
    this.nServers = n;
    this.spanSteps = new Int32Array(n);
    this.spanKv0 = new Float64Array(n);
    this.stepping = new Uint8Array(n);
    this.svcCount = new Float64Array(ctx.scenario.services.length);
    this.svcDeferrable = Uint8Array.from(ctx.scenario.services, (s) => (s.deferrable_s !== null ? 1 : 0));
  }

  link(parts: Parts): void {
    this.arrivals = parts.arrivals;
    this.links = parts.links;
    this.uplinks = parts.uplinks;
    this.outcomes = parts.outcomes;
  }

  /**
   * The policy's estimate for a request of target t at continuous pool p now (llm-estimate.ts), from the
   * pool's running sequences, unprefilled prompts and waiting requests; `queued` = requests waiting at the
   * pool, `idle` = some replica is idle. With no replica serving, that of the first one to come. Returns
   * `est` (reused).
   */
  estimate(t: number, p: number, servers: number, queued: number, idle: boolean): LlmEstimate {
    const key = this.memoKey;
    const k = t * MK;
    const m = t * ME;
    const memo = this.memoEst;
    const est = this.est;
    const idleKey = idle ? 1 : 0;
    if (
      key[k] === this.running[p] &&
      key[k + 1] === this.prefillLeft[p] &&
      key[k + 2] === queued &&
      key[k + 3] === servers &&
      key[k + 4] === idleKey
    ) {
      est.wait_s = memo[m];
      est.first_token_s = memo[m + 1];
      est.total_s = memo[m + 2];
      est.batch = memo[m + 3];
      est.step_s = memo[m + 4];
      return est;
    }
    key[k] = this.running[p];
    key[k + 1] = this.prefillLeft[p];
    key[k + 2] = queued;
    key[k + 3] = servers;
    key[k + 4] = idleKey;
    this.compute(t, p, servers, queued, idle);
    memo[m] = est.wait_s;
    memo[m + 1] = est.first_token_s;
    memo[m + 2] = est.total_s;
    memo[m + 3] = est.batch;
    memo[m + 4] = est.step_s;
    return est;
  }

  /** The estimate itself (see estimate), into `est`. */
  private compute(t: number, p: number, servers: number, queued: number, idle: boolean): void {
    const sch = this.llm[p]!.scheduler;
    const r = servers > 0 ? servers : 1;
    const input = this.targetInput[t];
    const load = this.estLoad;
    // Requests waiting at the pool are admitted at the replicas' next steps while sequence slots are free.
    const slots = sch.max_num_seqs * r - this.running[p];
    load.running = this.running[p] / r;
    // Prompts admitted at the next steps are ahead of its own; those beyond the free slots are admitted (and
    // prefilled) one by one while it waits for a slot: the wait term counts them.
    const admitted = queued < slots ? queued : slots > 0 ? slots : 0;
    load.prefillAhead = (this.prefillLeft[p] + admitted * input) / r;
    load.waiting = queued > slots ? (queued - slots) / r : 0;
    load.idle = idle || servers === 0;
    estimateLlm(this.llm[p]!.coeffs, sch, input, this.targetOutput[t], load, this.est);
  }

  /** Sequences waiting at pool p to be recomputed after a preemption. */
  resumeLength(p: number): number {
    return this.resume[p].length;
  }

  /** A replica starts serving: all its KV blocks are free. */
  replicaUp(s: number, p: number): void {
    this.up[s] = 1;
    this.freeBlocks[s] = this.llm[p]!.blocks;
  }

  /** A replica stops serving: its step dies with it, and its sequences are placed again. */
  replicaDown(s: number, p: number): void {
    this.up[s] = 0;
    if (this.stepping[s] === 1) {
      this.stepGen[s]++;
      this.stepping[s] = 0;
    }
    const base = this.runBase[s];
    const n = this.runCount[s];
    this.runCount[s] = 0;
    this.running[p] -= n;
    for (let i = 0; i < n; i++) {
      const slot = this.run[base + i];
      this.prefillLeft[p] -= this.rq.llmPrompt[slot] - this.rq.llmDone[slot];
      this.resetSequence(slot);
      this.arrivals.retry(slot);
    }
    this.freeBlocks[s] = 0;
    this.clearCounts(s, this.llm[p]!);
    this.walked[s] = 0;
    this.decoding[s] = 0;
  }

  /** Forgets a sequence's progress on a replica (it starts over wherever it goes next). */
  private resetSequence(slot: number): void {
    const rq = this.rq;
    rq.llmDone[slot] = 0;
    rq.llmGen[slot] = 0;
    rq.llmKv[slot] = 0;
    rq.llmBlocks[slot] = 0;
    rq.llmChunk[slot] = -1;
    rq.llmPrompt[slot] = rq.inputTokens[slot] > 0 ? rq.inputTokens[slot] : 1;
  }

  /** Pool p's site uplink is back after an outage from `since`: first tokens made meanwhile reach users now. */
  firstTokensHeld(p: number, since: number): void {
    const rq = this.rq;
    const now = this.sim.now;
    const first = this.pools.baseOf(p);
    const last = first + this.ctx.plan.pools[p].simUnits * this.ctx.plan.pools[p].serversPerUnit;
    for (let s = first; s < last; s++) {
      const base = this.runBase[s];
      for (let i = 0; i < this.runCount[s]; i++) {
        const slot = this.run[base + i];
        if (rq.llmGen[slot] > 0 && rq.firstToken[slot] >= since && rq.firstToken[slot] < now) rq.firstToken[slot] = now;
      }
    }
  }

  /** A request reaches continuous pool p's queue (pools.ts has queued it). */
  prepare(slot: number): void {
    this.resetSequence(slot);
  }

  /** Preempted sequences of pool p, taken away (to be placed again when the pool stops serving). */
  drainResume(p: number, retry: (slot: number) => void): void {
    const q = this.resume[p];
    while (q.length > 0) {
      const slot = q.shift();
      this.resetSequence(slot);
      retry(slot);
    }
  }

  /**
   * Requests wait at pool p: idle replicas start a step (pools.ts's free stack); if some still wait, the
   * least-loaded busy replica with room cuts its decode span short to admit them at its next step.
   */
  dispatch(p: number): void {
    const pools = this.pools;
    while (pools.freeOf(p) > 0 && pools.queuedOf(p) > 0) {
      const s = pools.takeFree(p);
      this.schedule(s, p);
      if (this.stepping[s] === 0) break;
    }
    if (pools.queuedOf(p) === 0) return;
    const l = this.llm[p]!;
    const first = pools.baseOf(p);
    const last = first + this.ctx.plan.pools[p].simUnits * this.ctx.plan.pools[p].serversPerUnit;
    let pick = -1;
    let least = l.scheduler.max_num_seqs;
    for (let s = first; s < last; s++) {
      if (this.up[s] === 0 || this.stepping[s] === 0 || this.spanSteps[s] <= 1) continue;
      if (this.runCount[s] < least && this.freeBlocks[s] > l.watermarkBlocks) {
        least = this.runCount[s];
        pick = s;
      }
    }
    if (pick >= 0) this.cutSpan(pick, p);
  }

  /** Ends replica s's decode span at the end of the step in progress (so that its next step can admit). */
  private cutSpan(s: number, p: number): void {
    const c = this.llm[p]!.coeffs;
    const k = this.spanSteps[s];
    const n = this.runCount[s];
    const kv0 = this.spanKv0[s];
    const start = this.stepStart[s];
    const done = decodeStepsWithin(c, n, kv0, k, this.sim.now - start);
    if (done + 1 >= k) return;
    this.spanSteps[s] = done + 1;
    const gen = ++this.stepGen[s];
    this.sim.scheduleAt(start + decodeSpan(c, n, kv0, done + 1), this.ctx.kinds.llmStep, s + gen * this.nServers);
  }

  /** The oldest waiting request of pool p (preempted first; interactive before deferrable), or -1. */
  private peekWaiting(p: number): number {
    const r = this.resume[p];
    if (r.length > 0) return r.peek();
    const ids = this.pools.poolTargetIds(p);
    const rq = this.rq;
    let pick = -1;
    let pickHead = Infinity;
    let pickBatch = true;
    for (let i = 0; i < ids.length; i++) {
      const queues = this.pools.queues;
      if (queues.length(ids[i]) === 0) continue;
      const slot = queues.peek(ids[i]);
      const head = rq.enqueued[slot];
      const batch = this.svcDeferrable[rq.service[slot]] === 1;
      if ((pickBatch && !batch) || (batch === pickBatch && head < pickHead)) {
        pick = ids[i];
        pickHead = head;
        pickBatch = batch;
      }
    }
    return pick < 0 ? -1 : this.pools.queues.peek(pick);
  }

  /** Takes the request peekWaiting returned off its queue. */
  private takeWaiting(p: number, slot: number): void {
    const r = this.resume[p];
    if (r.length > 0 && r.peek() === slot) r.shift();
    else this.pools.queues.shift(this.rq.target[slot]);
    this.pools.dequeued(p, 1);
  }

  /** Preempts the sequence at index i of replica s's running list (recompute); returns its blocks. */
  private preempt(s: number, p: number, i: number): void {
    const rq = this.rq;
    const base = this.runBase[s];
    const slot = this.run[base + i];
    this.run.copyWithin(base + i, base + i + 1, base + this.runCount[s]);
    this.runCount[s]--;
    this.running[p]--;
    this.freeBlocks[s] += rq.llmBlocks[slot];
    this.prefillLeft[p] -= rq.llmPrompt[slot] - rq.llmDone[slot];
    // Its prompt and the answer so far are computed again as one prefill; the next token then follows.
    rq.llmPrompt[slot] = (rq.inputTokens[slot] > 0 ? rq.inputTokens[slot] : 1) + rq.llmGen[slot];
    rq.llmDone[slot] = 0;
    rq.llmKv[slot] = 0;
    rq.llmBlocks[slot] = 0;
    rq.llmChunk[slot] = -1;
    this.resume[p].push(slot);
    this.pools.requeued(p, 1);
    if (this.sim.now >= this.ctx.warmup && this.sim.now < this.ctx.duration) this.ctx.poolTallies[p].kvPreemptions++;
  }

  /**
   * Plans and starts replica s's next step (or decode span); the replica goes idle when it has nothing to do.
   *
   * Cost per step, not per token per request: the decoders are counted (`nDec`, the sum of their contexts
   * `sumKv`, the blocks they need at each phase of the decode clock, measured ones per service) and advance
   * with the replica's decode clock; only the sequences in prefill are walked. A step that may preempt
   * (blocks short) or that cannot give every decoder a token (budget short) is planned by walking every
   * sequence (`scheduleWalk`).
   */
  private schedule(s: number, p: number): void {
    const l = this.llm[p]!;
    const sch = l.scheduler;
    // Without chunked prefill, a step that can admit prompts runs only them (vLLM V0).
    let prefillOnly = false;
    if (!sch.chunked_prefill && this.pools.queuedOf(p) > 0 && this.runCount[s] < sch.max_num_seqs)
      prefillOnly = this.canAdmitWhole(s, p, l);
    const nd = this.nDec[s];
    if (nd > 0 && !prefillOnly) {
      const need = this.phase[this.phaseBase[s] + this.clockMod[s]];
      if (nd > sch.max_num_batched_tokens || need > this.freeBlocks[s]) {
        this.scheduleWalk(s, p, l, prefillOnly);
        return;
      }
      this.freeBlocks[s] -= need;
      this.decoding[s] = 1;
    } else {
      this.decoding[s] = 0;
    }
    this.scheduleCounted(s, p, l);
  }

  /** Without chunked prefill: whether the oldest waiting prompt's blocks are free (the step then runs prompts). */
  private canAdmitWhole(s: number, p: number, l: LlmPoolPlan): boolean {
    const slot = this.peekWaiting(p);
    if (slot < 0) return false;
    const need = Math.ceil(this.rq.llmPrompt[slot] / l.scheduler.block_size);
    return need <= this.freeBlocks[s] - (this.runCount[s] > 0 ? l.watermarkBlocks : 0);
  }

  /** schedule's common path: decoders counted (their blocks taken), prefills walked, admissions. */
  private scheduleCounted(s: number, p: number, l: LlmPoolPlan): void {
    const rq = this.rq;
    const sch = l.scheduler;
    const nd = this.decoding[s] === 1 ? this.nDec[s] : 0;
    let budget = sch.max_num_batched_tokens - nd;
    let tokens = nd;
    let kvRead = nd > 0 ? this.sumKv[s] : 0;
    let prefill = false;
    // 2. Prefills under way, in admission order.
    const base = this.runBase[s];
    const pre = this.pre;
    const np = this.preCount[s];
    for (let i = 0; i < np; i++) {
      const slot = pre[base + i];
      const left = rq.llmPrompt[slot] - rq.llmDone[slot];
      const chunk = sch.chunked_prefill ? (left < budget ? left : budget) : budget >= left || tokens === 0 ? left : 0;
      rq.llmChunk[slot] = chunk > 0 ? chunk : -1;
      if (chunk <= 0) continue;
      tokens += chunk;
      kvRead += rq.llmKv[slot];
      budget -= chunk > budget ? budget : chunk;
      prefill = true;
    }
    // 3. Admissions (`queued` counts the pool's queues and its preempted sequences: when it is 0, admit
    // would find nobody, and most steps end with nobody waiting).
    let admitted = false;
    if (
      this.pools.queuedOf(p) > 0 &&
      this.runCount[s] < sch.max_num_seqs &&
      (budget > 0 || (!sch.chunked_prefill && tokens === 0))
    ) {
      const before = tokens;
      tokens = this.admit(s, p, l, budget, tokens);
      admitted = tokens !== before;
    }
    if (tokens === 0) {
      this.idle(s, p);
      return;
    }
    const n = this.runCount[s];
    if (!prefill && !admitted && tokens === n) this.startSpan(s, p, l, n, kvRead);
    else this.startStep(s, p, l, tokens, kvRead);
  }

  /**
   * Admits waiting requests onto replica s while sequences, budget and blocks allow (step 3); returns the
   * step's tokens with their chunks added.
   */
  private admit(s: number, p: number, l: LlmPoolPlan, budget: number, tokens: number): number {
    const rq = this.rq;
    const sch = l.scheduler;
    const bs = sch.block_size;
    const base = this.runBase[s];
    while (this.runCount[s] < sch.max_num_seqs && (budget > 0 || (!sch.chunked_prefill && tokens === 0))) {
      const slot = this.peekWaiting(p);
      if (slot < 0) break;
      const prompt = rq.llmPrompt[slot];
      const need = Math.ceil(prompt / bs);
      if (need > l.blocks) {
        // Its prompt alone is larger than the replica's KV cache: it can never run here.
        this.takeWaiting(p, slot);
        this.outcomes.rejectSlot(slot, rq.target[slot]);
        continue;
      }
      if (need > this.freeBlocks[s] - (this.runCount[s] > 0 ? l.watermarkBlocks : 0)) break;
      let chunk: number;
      if (sch.chunked_prefill) chunk = prompt < budget ? prompt : budget;
      else if (prompt <= budget || tokens === 0) chunk = prompt;
      else break;
      this.takeWaiting(p, slot);
      this.freeBlocks[s] -= need;
      rq.llmBlocks[slot] = need;
      rq.llmChunk[slot] = chunk;
      if (rq.llmGen[slot] === 0) rq.started[slot] = this.sim.now;
      this.run[base + this.runCount[s]++] = slot;
      this.pre[base + this.preCount[s]++] = slot;
      this.ensureSlot(slot);
      this.order[slot] = this.admissions[s]++;
      this.running[p]++;
      this.prefillLeft[p] += prompt;
      tokens += chunk;
      budget -= chunk > budget ? budget : chunk;
    }
    return tokens;
  }

  /** Replica s has no step to run. */
  private idle(s: number, p: number): void {
    this.stepping[s] = 0;
    if (this.runCount[s] === 0) this.pools.llmIdle(s, p);
  }

  /** Starts replica s's one (mixed or prefill) step of `tokens` new tokens reading `kvRead` tokens of KV. */
  private startStep(s: number, p: number, l: LlmPoolPlan, tokens: number, kvRead: number): void {
    if (this.stepping[s] === 0 && this.pools.serverBusy[s] === 0) this.pools.llmBusy(s, p);
    this.stepping[s] = 1;
    this.stepStart[s] = this.sim.now;
    this.spanSteps[s] = 0;
    this.sim.schedule(stepTime(l.coeffs, tokens, kvRead), this.ctx.kinds.llmStep, s + this.stepGen[s] * this.nServers);
  }

  /**
   * Starts replica s's decode span (every one of its n sequences decoding, nothing to admit): up to the first
   * completion (the top of the completion heap), or to the last step the free blocks cover.
   */
  private startSpan(s: number, p: number, l: LlmPoolPlan, n: number, kvRead: number): void {
    if (this.stepping[s] === 0 && this.pools.serverBusy[s] === 0) this.pools.llmBusy(s, p);
    this.stepping[s] = 1;
    this.stepStart[s] = this.sim.now;
    let k = this.heapKey[this.runBase[s]] - this.clock[s];
    if (k < 1) k = 1;
    // Blocks beyond the first step's (taken): boundaries crossed in steps 1..k−1, at most one per decoder per
    // block size of steps (the bound spares counting when blocks are plenty).
    const free = this.freeBlocks[s];
    if (k > 1 && this.nDec[s] * Math.ceil((k - 1) / l.scheduler.block_size) > free) {
      const first = this.phase[this.phaseBase[s] + this.clockMod[s]];
      if (this.blocksCrossed(s, l, k) - first > free) {
        let lo = 1;
        let hi = k;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (this.blocksCrossed(s, l, mid) - first <= free) lo = mid;
          else hi = mid - 1;
        }
        k = lo;
      }
    }
    this.spanSteps[s] = k;
    this.spanKv0[s] = kvRead;
    const duration = decodeSpan(l.coeffs, n, kvRead, k);
    this.sim.schedule(duration, this.ctx.kinds.llmStep, s + this.stepGen[s] * this.nServers);
  }

  /**
   * Blocks replica s's decoders take in the next k decode steps from its decode clock now: a decoder takes one
   * at each step whose clock is at its phase (its context then a multiple of the block size).
   */
  private blocksCrossed(s: number, l: LlmPoolPlan, k: number): number {
    const bs = l.scheduler.block_size;
    const ph = this.phase;
    const pb = this.phaseBase[s];
    const rest = k % bs;
    let sum = ((k - rest) / bs) * this.nDec[s];
    let r = this.clockMod[s];
    for (let j = 0; j < rest; j++) {
      sum += ph[pb + r];
      if (++r === bs) r = 0;
    }
    return sum;
  }

  /**
   * Replica s's decoders, counted, become explicit (gen, KV, blocks, last token in the request table) and
   * its counts empty: for a step planned by walking every sequence (scheduleWalk, onStepWalk).
   */
  private materialize(s: number, l: LlmPoolPlan): void {
    const rq = this.rq;
    const bs = l.scheduler.block_size;
    const base = this.runBase[s];
    const d = this.clock[s];
    for (let i = 0; i < this.runCount[s]; i++) {
      const slot = this.run[base + i];
      if (rq.llmDone[slot] < rq.llmPrompt[slot]) continue;
      const steps = d - this.decFrom[slot];
      if (steps > 0) {
        rq.llmGen[slot] += steps;
        rq.llmKv[slot] += steps;
        rq.tokenAt[slot] = this.decEnd[s];
      }
      rq.llmBlocks[slot] = Math.ceil(rq.llmKv[slot] / bs);
    }
    this.clearCounts(s, l);
  }

  /** Replica s's counts and lists emptied (its sequences explicit, or gone). */
  private clearCounts(s: number, l: LlmPoolPlan): void {
    this.nDec[s] = 0;
    this.sumKv[s] = 0;
    this.heapLen[s] = 0;
    this.preCount[s] = 0;
    this.phase.fill(0, this.phaseBase[s], this.phaseBase[s] + l.scheduler.block_size);
    const ns = this.svcCount.length;
    this.measDec.fill(0, s * ns, s * ns + ns);
  }

  /** After a walked step: replica s's decoders counted again from the clock now, its prefills listed. */
  private recount(s: number): void {
    const rq = this.rq;
    const base = this.runBase[s];
    this.heapLen[s] = 0;
    this.preCount[s] = 0;
    for (let i = 0; i < this.runCount[s]; i++) {
      const slot = this.run[base + i];
      this.ensureSlot(slot);
      this.order[slot] = this.admissions[s]++;
      if (rq.llmDone[slot] < rq.llmPrompt[slot]) this.pre[base + this.preCount[s]++] = slot;
      else this.addDecoder(s, slot);
    }
  }

  /** Sequence `slot` (prefill done, last token out, gen and KV explicit) decodes on replica s from its clock now. */
  private addDecoder(s: number, slot: number): void {
    const rq = this.rq;
    const bs = this.blockSize[s];
    const d = this.clock[s];
    this.decFrom[slot] = d;
    this.nDec[s]++;
    this.sumKv[s] += rq.llmKv[slot];
    // It needs a block at the steps whose clock c has (kv + c − d) a multiple of bs.
    const r = (this.clockMod[s] - (rq.llmKv[slot] % bs)) % bs;
    const ph = r < 0 ? r + bs : r;
    this.decPhase[slot] = ph;
    this.phase[this.phaseBase[s] + ph]++;
    // measured is 0 or 1: added without a branch, so that the first measured decoder (at the end of the warm-up)
    // does not meet code compiled without that branch.
    this.measDec[s * this.svcCount.length + rq.service[slot]] += rq.measured[slot];
    const out = rq.outputTokens[slot] > 0 ? rq.outputTokens[slot] : 1;
    this.heapPush(s, d + out - rq.llmGen[slot], this.order[slot], slot);
  }

  /** Takes replica s's decoder `slot` off the counts (it completes); its gen, KV and last token made explicit. */
  private removeDecoder(s: number, slot: number): void {
    const rq = this.rq;
    const steps = this.clock[s] - this.decFrom[slot];
    const kv0 = rq.llmKv[slot];
    this.nDec[s]--;
    this.sumKv[s] -= kv0 + steps;
    // Its phase as addDecoder set it: (clock − context) mod block size is the same now, as both grew by steps.
    this.phase[this.phaseBase[s] + this.decPhase[slot]]--;
    this.measDec[s * this.svcCount.length + rq.service[slot]] -= rq.measured[slot];
    if (steps > 0) {
      rq.llmGen[slot] += steps;
      rq.llmKv[slot] += steps;
      rq.tokenAt[slot] = this.decEnd[s];
    }
    this.decFrom[slot] = this.clock[s];
  }

  /** Replica s's completion heap: decoders by the clock at which their last token is out, then admission. */
  private heapPush(s: number, key: number, ord: number, slot: number): void {
    const hk = this.heapKey;
    const ho = this.heapOrd;
    const hs = this.heapSlot;
    const base = this.runBase[s];
    let i = this.heapLen[s]++;
    while (i > 0) {
      const up = (i - 1) >> 1;
      const u = base + up;
      if (precedes(hk, ho, u, key, ord)) break;
      hk[base + i] = hk[u];
      ho[base + i] = ho[u];
      hs[base + i] = hs[u];
      i = up;
    }
    hk[base + i] = key;
    ho[base + i] = ord;
    hs[base + i] = slot;
  }

  /** Removes the top of replica s's completion heap. */
  private heapPop(s: number): void {
    const hk = this.heapKey;
    const ho = this.heapOrd;
    const hs = this.heapSlot;
    const base = this.runBase[s];
    const n = --this.heapLen[s];
    if (n === 0) return;
    const key = hk[base + n];
    const ord = ho[base + n];
    const slot = hs[base + n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const cb = base + c;
      // The right child when it comes first (added, not incremented in a branch: see precedes).
      c += c + 1 < n && precedes(hk, ho, cb + 1, hk[cb], ho[cb]) ? 1 : 0;
      const x = base + c;
      // Entries are never equal (admission orders differ): (key, ord) goes here unless x comes first.
      if (!precedes(hk, ho, x, key, ord)) break;
      hk[base + i] = hk[x];
      ho[base + i] = ho[x];
      hs[base + i] = hs[x];
      i = c;
    }
    hk[base + i] = key;
    ho[base + i] = ord;
    hs[base + i] = slot;
  }

  /** Per-slot columns of this component sized for request slot `slot`. */
  private ensureSlot(slot: number): void {
    if (slot < this.order.length) return;
    let size = this.order.length * 2;
    while (size <= slot) size *= 2;
    const order = new Float64Array(size);
    order.set(this.order);
    this.order = order;
    const from = new Float64Array(size);
    from.set(this.decFrom);
    this.decFrom = from;
    const phase = new Int32Array(size);
    phase.set(this.decPhase);
    this.decPhase = phase;
  }

  /** schedule by walking every running sequence (a step that may preempt, or whose budget is short). */
  private scheduleWalk(s: number, p: number, l: LlmPoolPlan, prefillOnly: boolean): void {
    this.materialize(s, l);
    this.walked[s] = 1;
    const rq = this.rq;
    const sch = l.scheduler;
    const bs = sch.block_size;
    const base = this.runBase[s];
    const run = this.run;
    let budget = sch.max_num_batched_tokens;
    let tokens = 0;
    let kvRead = 0;
    let prefill = false;
    // 1. Decodes, in admission order; a missing block preempts the latest admitted.
    for (let i = 0; i < this.runCount[s]; i++) {
      const slot = run[base + i];
      if (rq.llmDone[slot] < rq.llmPrompt[slot]) continue;
      if (prefillOnly || budget === 0) {
        rq.llmChunk[slot] = -1;
        continue;
      }
      const need = Math.ceil((rq.llmKv[slot] + 1) / bs) - rq.llmBlocks[slot];
      if (need > 0) {
        while (this.freeBlocks[s] < need && this.runCount[s] - 1 > i) this.preempt(s, p, this.runCount[s] - 1);
        if (this.freeBlocks[s] < need) {
          this.preempt(s, p, i);
          i--;
          continue;
        }
        this.freeBlocks[s] -= need;
        rq.llmBlocks[slot] += need;
      }
      rq.llmChunk[slot] = 0;
      tokens++;
      kvRead += rq.llmKv[slot];
      budget--;
    }
    // 2. Prefills under way.
    for (let i = 0; i < this.runCount[s]; i++) {
      const slot = run[base + i];
      const left = rq.llmPrompt[slot] - rq.llmDone[slot];
      if (left <= 0) continue;
      const chunk = sch.chunked_prefill ? (left < budget ? left : budget) : budget >= left || tokens === 0 ? left : 0;
      rq.llmChunk[slot] = chunk > 0 ? chunk : -1;
      if (chunk <= 0) continue;
      tokens += chunk;
      kvRead += rq.llmKv[slot];
      budget -= chunk > budget ? budget : chunk;
      prefill = true;
    }
    // 3. Admissions (listed as prefills; recount re-lists them after the step).
    let admitted = false;
    if (this.runCount[s] < sch.max_num_seqs && (budget > 0 || (!sch.chunked_prefill && tokens === 0))) {
      const before = tokens;
      tokens = this.admit(s, p, l, budget, tokens);
      admitted = tokens !== before;
    }
    const n = this.runCount[s];
    if (tokens === 0) {
      this.walked[s] = 0;
      this.recount(s);
      this.idle(s, p);
      return;
    }
    if (this.stepping[s] === 0 && this.pools.serverBusy[s] === 0) this.pools.llmBusy(s, p);
    this.stepping[s] = 1;
    this.stepStart[s] = this.sim.now;
    const c = l.coeffs;
    let duration: number;
    if (!prefill && !admitted && tokens === n) {
      // Decode only, and nothing can change before a completion: one span up to the first completion, or
      // to the last step the free blocks cover.
      let k = 0x7fffffff;
      for (let i = 0; i < n; i++) {
        const slot = run[base + i];
        const left = rq.outputTokens[slot] - rq.llmGen[slot];
        if (left < k) k = left;
      }
      if (k < 1) k = 1;
      if (k > 1 && this.blocksFor(s, bs, k) > this.freeBlocks[s]) {
        let lo = 1;
        let hi = k;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (this.blocksFor(s, bs, mid) <= this.freeBlocks[s]) lo = mid;
          else hi = mid - 1;
        }
        k = lo;
      }
      this.spanSteps[s] = k;
      this.spanKv0[s] = kvRead;
      duration = decodeSpan(c, n, kvRead, k);
    } else {
      this.spanSteps[s] = 0;
      duration = stepTime(c, tokens, kvRead);
    }
    this.sim.schedule(duration, this.ctx.kinds.llmStep, s + this.stepGen[s] * this.nServers);
  }

  /** Blocks replica s's (explicit) sequences need beyond those they hold to run k decode steps. */
  private blocksFor(s: number, bs: number, k: number): number {
    const rq = this.rq;
    const base = this.runBase[s];
    let extra = 0;
    for (let i = 0; i < this.runCount[s]; i++) {
      const slot = this.run[base + i];
      const need = Math.ceil((rq.llmKv[slot] + k) / bs) - rq.llmBlocks[slot];
      if (need > 0) extra += need;
    }
    return extra;
  }

  /** Event *LLM step*: a replica's step or decode span ends (arg: replica + generation × replicas). */
  onStep(arg: number): void {
    // arg is a whole double (an event argument): its % is a floating-point remainder (slow), so the generation
    // is split off by a division instead (exact: the quotient of whole numbers below 2^53 rounds to no higher
    // whole number).
    const n = this.nServers;
    const gen = Math.floor(arg / n);
    const s = arg - gen * n;
    if (gen !== this.stepGen[s]) return;
    const p = this.pools.poolOf(s);
    const l = this.llm[p]!;
    if (this.walked[s] === 1) this.onStepWalk(s, p, l);
    else if (this.spanSteps[s] > 0) this.onSpan(s, p, l);
    else this.onMixed(s, p, l);
    this.stepping[s] = 0;
    this.schedule(s, p);
  }

  /** A decode span of replica s ends: every decoder has k more tokens. */
  private onSpan(s: number, p: number, l: LlmPoolPlan): void {
    const now = this.sim.now;
    const start = this.stepStart[s];
    const k = this.spanSteps[s];
    const n = this.runCount[s];
    const usedBefore = l.blocks - this.freeBlocks[s];
    // Blocks for the tokens now stored (the first step's were taken when the span started).
    if (k > 1) this.freeBlocks[s] -= this.blocksCrossed(s, l, k) - this.phase[this.phaseBase[s] + this.clockMod[s]];
    this.clock[s] += k;
    this.clockMod[s] = (this.clockMod[s] + k) % l.scheduler.block_size;
    this.sumKv[s] += n * k;
    this.decEnd[s] = now;
    this.countDecoded(s);
    this.recordSpan(l, n, k, now - start, this.spanKv0[s]);
    // Outside the measured window every figure is added times 0 (see inWindow).
    const w = this.inWindow(start);
    const pt = this.ctx.poolTallies[p];
    pt.llmSteps += w * k;
    pt.llmSeqSteps += w * n * k;
    pt.llmBatchHist![n] += w * k;
    const usedAfter = l.blocks - this.freeBlocks[s];
    pt.kvBlockSeconds += w * (((usedBefore + usedAfter) / 2) * (now - start));
    pt.kvCapacitySeconds += w * (l.blocks * (now - start));
    if (this.heapLen[s] > 0 && this.heapKey[this.runBase[s]] <= this.clock[s]) this.complete(s, p, 0);
  }

  /** Measured decoders of replica s, per service, got a token in this step. */
  private countDecoded(s: number): void {
    const svcCount = this.svcCount;
    const ns = svcCount.length;
    const md = this.measDec;
    for (let svc = 0; svc < ns; svc++) svcCount[svc] += md[s * ns + svc];
  }

  /** A (mixed or prefill) step of replica s ends: decoders advance; prefill chunks land. */
  private onMixed(s: number, p: number, l: LlmPoolPlan): void {
    const rq = this.rq;
    const now = this.sim.now;
    const start = this.stepStart[s];
    const dur = now - start;
    const usedBefore = l.blocks - this.freeBlocks[s];
    const n = this.runCount[s];
    if (this.decoding[s] === 1) {
      this.clock[s]++;
      if (++this.clockMod[s] === l.scheduler.block_size) this.clockMod[s] = 0;
      this.sumKv[s] += this.nDec[s];
      this.decEnd[s] = now;
      this.countDecoded(s);
    }
    const base = this.runBase[s];
    const pre = this.pre;
    const np = this.preCount[s];
    let w = 0;
    let done = 0;
    for (let i = 0; i < np; i++) {
      const slot = pre[base + i];
      const chunk = rq.llmChunk[slot];
      if (chunk > 0) {
        rq.llmDone[slot] += chunk;
        this.prefillLeft[p] -= chunk;
        rq.llmKv[slot] += chunk;
        if (rq.llmDone[slot] >= rq.llmPrompt[slot]) {
          // The prefill is done: the first token (or, after a preemption, the next one) is out.
          if (rq.llmGen[slot] === 0) rq.firstToken[slot] = now;
          else if (rq.measured[slot] === 1) this.ctx.svcTallies[rq.service[slot]].itl!.record(now - rq.tokenAt[slot]);
          rq.llmGen[slot]++;
          rq.tokenAt[slot] = now;
          const out = rq.outputTokens[slot] > 0 ? rq.outputTokens[slot] : 1;
          if (rq.llmGen[slot] >= out) this.done[base + done++] = slot;
          else this.addDecoder(s, slot);
          continue;
        }
      }
      pre[base + w++] = slot;
    }
    this.preCount[s] = w;
    this.flushItl(dur);
    const m = this.inWindow(start);
    const pt = this.ctx.poolTallies[p];
    pt.llmSteps += m;
    pt.llmSeqSteps += m * n;
    pt.llmBatchHist![n] += m;
    pt.kvBlockSeconds += m * (usedBefore * dur);
    pt.kvCapacitySeconds += m * (l.blocks * dur);
    if (done > 0 || (this.heapLen[s] > 0 && this.heapKey[base] <= this.clock[s])) this.complete(s, p, done);
  }

  /**
   * Completions on replica s after its step: the decoders whose last token is out (the heap's top) and the
   * `done` sequences whose prefill gave their last token (listed in `done` from runBase, in admission order)
   * leave in admission order, as the running list has them. Called only when some leave (so that its code is
   * compiled with the feedback of the steps that have completions).
   */
  private complete(s: number, p: number, done: number): void {
    const base = this.runBase[s];
    const clock = this.clock[s];
    const list = this.done;
    // The decoders due, in heap order (admission order among equal keys), after the prefills' ones.
    let m = done;
    while (this.heapLen[s] > 0 && this.heapKey[base] <= clock) {
      const slot = this.heapSlot[base];
      this.heapPop(s);
      this.removeDecoder(s, slot);
      list[base + m++] = slot;
    }
    // Both parts are in admission order, and so is the running list: one merge pass drops them from it and
    // finishes them in its order.
    const rq = this.rq;
    const run = this.run;
    const bs = this.blockSize[s];
    const n = this.runCount[s];
    let a = 0;
    let b = done;
    let w = 0;
    for (let i = 0; i < n; i++) {
      const slot = run[base + i];
      if ((a < done && list[base + a] === slot) || (b < m && list[base + b] === slot)) {
        if (a < done && list[base + a] === slot) a++;
        else b++;
        // It holds the blocks of its context (allocated as it grew).
        this.freeBlocks[s] += Math.ceil(rq.llmKv[slot] / bs);
        rq.llmBlocks[slot] = 0;
        this.running[p]--;
        this.finish(slot);
      } else {
        run[base + w++] = slot;
      }
    }
    this.runCount[s] = w;
  }

  /** A step planned by scheduleWalk ends: every sequence, explicit, advances by its chunk; then recounted. */
  private onStepWalk(s: number, p: number, l: LlmPoolPlan): void {
    const rq = this.rq;
    const now = this.sim.now;
    const base = this.runBase[s];
    const run = this.run;
    const n = this.runCount[s];
    const start = this.stepStart[s];
    const k = this.spanSteps[s];
    const svcCount = this.svcCount;
    const inWindow = start >= this.ctx.warmup && start < this.ctx.duration;
    const bs = l.scheduler.block_size;
    const usedBefore = l.blocks - this.freeBlocks[s];
    if (k > 0) {
      // A decode span: k tokens for every sequence.
      for (let i = 0; i < n; i++) {
        const slot = run[base + i];
        rq.llmGen[slot] += k;
        rq.llmKv[slot] += k;
        // Blocks for the tokens now stored (the first step's was taken when the span started).
        const want = Math.ceil(rq.llmKv[slot] / bs);
        if (want > rq.llmBlocks[slot]) {
          this.freeBlocks[s] -= want - rq.llmBlocks[slot];
          rq.llmBlocks[slot] = want;
        }
        rq.tokenAt[slot] = now;
        if (rq.measured[slot] === 1) svcCount[rq.service[slot]]++;
      }
      this.recordSpan(l, n, k, now - start, this.spanKv0[s]);
      if (inWindow) {
        const pt = this.ctx.poolTallies[p];
        pt.llmSteps += k;
        pt.llmSeqSteps += n * k;
        pt.llmBatchHist![n] += k;
        const usedAfter = l.blocks - this.freeBlocks[s];
        pt.kvBlockSeconds += ((usedBefore + usedAfter) / 2) * (now - start);
        pt.kvCapacitySeconds += l.blocks * (now - start);
      }
    } else {
      const dur = now - start;
      for (let i = 0; i < n; i++) {
        const slot = run[base + i];
        const chunk = rq.llmChunk[slot];
        if (chunk > 0) {
          rq.llmDone[slot] += chunk;
          this.prefillLeft[p] -= chunk;
          rq.llmKv[slot] += chunk;
          if (rq.llmDone[slot] < rq.llmPrompt[slot]) continue;
          // The prefill is done: the first token (or, after a preemption, the next one) is out.
          if (rq.llmGen[slot] === 0) rq.firstToken[slot] = now;
          else if (rq.measured[slot] === 1) this.ctx.svcTallies[rq.service[slot]].itl!.record(now - rq.tokenAt[slot]);
          rq.llmGen[slot]++;
          rq.tokenAt[slot] = now;
        } else if (chunk === 0) {
          rq.llmGen[slot]++;
          rq.llmKv[slot]++;
          rq.tokenAt[slot] = now;
          if (rq.measured[slot] === 1) svcCount[rq.service[slot]]++;
        }
      }
      this.flushItl(dur);
      if (inWindow) {
        const pt = this.ctx.poolTallies[p];
        pt.llmSteps++;
        pt.llmSeqSteps += n;
        pt.llmBatchHist![n]++;
        pt.kvBlockSeconds += usedBefore * dur;
        pt.kvCapacitySeconds += l.blocks * dur;
      }
    }
    // Completions: sequences whose last token is out leave, in order.
    let w = 0;
    for (let i = 0; i < n; i++) {
      const slot = run[base + i];
      const out = rq.outputTokens[slot] > 0 ? rq.outputTokens[slot] : 1;
      if (rq.llmGen[slot] >= out && rq.llmDone[slot] >= rq.llmPrompt[slot]) {
        this.freeBlocks[s] += rq.llmBlocks[slot];
        rq.llmBlocks[slot] = 0;
        this.running[p]--;
        this.finish(slot);
      } else {
        run[base + w++] = slot;
      }
    }
    this.runCount[s] = w;
    this.walked[s] = 0;
    this.recount(s);
  }

  /**
   * 1 when a step that started at `start` is in the measured window, else 0. A step's figures are added times
   * this rather than inside a branch: the branch would first run when the warm-up ends, in code compiled
   * without it, which V8 then throws away (with the functions it is inlined in) and compiles again. Times 0
   * every sum stays exactly as it is (x + 0 = x: the figures are finite and not negative).
   */
  private inWindow(start: number): number {
    // Both bounds read every time (with && the second is first read when the warm-up ends).
    const from = this.ctx.warmup;
    const to = this.ctx.duration;
    return (start >= from ? 1 : 0) & (start < to ? 1 : 0);
  }

  /**
   * The histogram measured decoders' inter-token latencies go to: service svc's when count > 0. During the
   * warm-up no decoder is measured: its first SCRATCH_STEPS steps are recorded all the same, once, into a
   * scratch histogram whose figures are never read, so that the recording code has run (and V8 has its type
   * feedback) before it is compiled (see inWindow). Otherwise a service with no measured decoder in the
   * step records nothing (null).
   */
  private itlSink(svc: number, count: number): LatencyStats | null {
    const itl = this.ctx.svcTallies[svc].itl;
    if (count > 0) return itl;
    if (this.scratchLeft > 0 && itl !== null && this.sim.now < this.ctx.warmup) {
      this.scratchLeft--;
      return this.scratchItl;
    }
    return null;
  }

  /** Inter-token latency of a decode span's steps: a few evenly spaced step times, each for its share. */
  private recordSpan(l: LlmPoolPlan, n: number, k: number, span: number, kv0: number): void {
    const svcCount = this.svcCount;
    const c = l.coeffs;
    const samples = k < SPAN_SAMPLES ? k : SPAN_SAMPLES;
    for (let svc = 0; svc < svcCount.length; svc++) {
      let count = svcCount[svc];
      const itl = this.itlSink(svc, count);
      if (itl === null) continue;
      if (count === 0) count = 1;
      svcCount[svc] = 0;
      if (samples === 1) {
        itl.recordCount(span, count);
        continue;
      }
      // Step j of the span lasts stepTime(c, n, kv0 + n·j): sample j at the middle of each of `samples` shares.
      let left = count * k;
      for (let q = 0; q < samples; q++) {
        const j = Math.floor(((q + 0.5) * k) / samples);
        const weight = q === samples - 1 ? left : Math.floor((count * k) / samples);
        left -= weight;
        if (weight > 0) itl.recordCount(stepTime(c, n, kv0 + n * j), weight);
      }
    }
  }

  /** Inter-token latency of one step for every measured sequence that decoded in it. */
  private flushItl(dur: number): void {
    const svcCount = this.svcCount;
    for (let svc = 0; svc < svcCount.length; svc++) {
      const count = svcCount[svc];
      const itl = this.itlSink(svc, count);
      if (itl === null) continue;
      svcCount[svc] = 0;
      itl.recordCount(dur, count > 0 ? count : 1);
    }
  }

  /** A sequence's last token is out: its response leaves the replica (or waits for the uplink). */
  private finish(slot: number): void {
    const rq = this.rq;
    const t = this.targets[rq.target[slot]];
    rq.ended[slot] = this.sim.now;
    const site = this.uplinks.siteOfPool[t.pool];
    if (this.uplinks.down[site] > 0)
      this.uplinks.hold(slot, site, this.ctx.scenario.services[t.service].request.download_bytes);
    else this.links.deliver(slot, t);
  }
}
