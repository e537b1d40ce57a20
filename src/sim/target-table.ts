/**
 * The targets' figures of one run, packed for the request path: one 128-byte record per target (16 doubles)
 * in one Float64Array, its batch-timing table in a second. The placement view reads a target's record to
 * estimate it; the pools read the same record (batch size, max wait, batch tables) when the request reaches
 * the target — by then the view has brought those lines into the processor's cache.
 *
 * Why: with 10,000 sites a request's target is not in the cache, and every object reached through another
 * (a TargetPlan, its batch tables as typed arrays of their own, a per-pool JS array) is one more wait on
 * memory. A record holds what a request needs of its target in two cache lines, whatever the number of
 * sites (docs/performance.md, "Placement at scale").
 *
 * Also shared here: per user group, the site whose LAN it sits on (one array for every part of the run
 * rather than a copy each, so that a request's group costs one memory read, not one per part).
 *
 * Everything here is fixed for the run (the policy's choice of pools included). Owns no dynamic state.
 */
import type { Plan } from './plan.js';
import { RingQueue } from './tables.js';

/** Record stride (doubles) and fields. */
export const TR = 16;
export const T_MAX_WAIT = 0;
export const T_USD_S = 1;
export const T_KWH_S = 2;
export const T_USD_NET = 3;
export const T_KWH_NET = 4;
export const T_KWH_LAN = 5;
export const T_BACKHAUL_IN = 6;
export const T_BACKHAUL_OUT = 7;
/** Pool index (−1: a managed API target). */
export const T_POOL = 8;
export const T_MAX_BATCH = 9;
export const T_REGION = 10;
/** Site index (−1 for APIs). */
export const T_SITE = 11;
/** Bits F_* below. */
export const T_FLAGS = 12;
/** Where the target's batch table starts in `table`: time, first token for each batch size 0..maxBatch. */
export const T_TABLE = 13;
/** The pool's max_queue (Infinity: none). */
export const T_MAX_QUEUE = 14;
/**
 * The target's queue (TargetQueues): its head and length as two int32s (TargetTable.qi at 2 × (record + 15)
 * and the next), so that the view reads a queue's length on a line it reads anyway.
 */
export const T_QUEUE = 15;
/** Of a queue's slots, this many (a power of two) live in the shared ring table; the rest spill over. */
export const QUEUE_INLINE = 64;

/** The service may be processed in the target's region (data residency). */
export const F_ALLOWED = 1;
/** The policy places requests on the target's pool (RunContext.usedForInference). */
export const F_USED = 2;
/** The pool runs continuous batching (an LLM server). */
export const F_LLM = 4;
/** The group's shared uplink towards cloud regions and APIs (TargetPlan.groupLink = 1). */
export const F_GROUP_LINK_CLOUD = 8;
/** The service is deferrable (a batch service: interactive queues go first). */
export const F_DEFERRABLE = 16;
/** The service draws its service times (a batch runs as long as its longest member). */
export const F_DRAWN = 32;
/** The batch time follows the members' lengths (TargetPlan.lengthTiming). */
export const F_LENGTH_TIMING = 64;

export class TargetTable {
  /** Per target: its record (TR doubles, fields T_*). */
  declare readonly rec: Float64Array;
  /** The batch tables, one after another: [time, first token] per batch size 0..maxBatch. */
  declare readonly table: Float64Array;
  /** Per user group: the site whose LAN it sits on (and whose uplink its WAN traffic crosses), or −1. */
  declare readonly userGateway: Int32Array;
  /** The records as int32s (for the queues' head and length, T_QUEUE). */
  declare readonly qi: Int32Array;

  constructor(plan: Plan, usedForInference: readonly boolean[]) {
    const { scenario } = plan;
    const n = plan.targets.length;
    this.rec = new Float64Array(n * TR);
    let size = 0;
    for (const t of plan.targets) size += 2 * (t.maxBatch + 1);
    this.table = new Float64Array(size);
    let base = 0;
    for (const t of plan.targets) {
      const r = t.id * TR;
      const rec = this.rec;
      const service = scenario.services[t.service];
      rec[r + T_MAX_WAIT] = t.maxWait;
      rec[r + T_USD_S] = t.usdPerServerSecond;
      rec[r + T_KWH_S] = t.kwhPerServerSecond;
      rec[r + T_USD_NET] = t.usdNetworkPerRequest;
      rec[r + T_KWH_NET] = t.kwhNetworkPerRequest;
      rec[r + T_KWH_LAN] = t.kwhLanPerRequest;
      rec[r + T_BACKHAUL_IN] = t.backhaulIn_s;
      rec[r + T_BACKHAUL_OUT] = t.backhaulOut_s;
      rec[r + T_POOL] = t.pool;
      rec[r + T_MAX_BATCH] = t.maxBatch;
      rec[r + T_REGION] = t.region;
      rec[r + T_SITE] = t.site;
      rec[r + T_FLAGS] =
        (t.allowed ? F_ALLOWED : 0) |
        (t.pool >= 0 && usedForInference[t.pool] ? F_USED : 0) |
        (t.pool >= 0 && plan.pools[t.pool].llm !== null ? F_LLM : 0) |
        (t.groupLink === 1 ? F_GROUP_LINK_CLOUD : 0) |
        (service.deferrable_s !== null ? F_DEFERRABLE : 0) |
        (service.service_time !== null ? F_DRAWN : 0) |
        (t.lengthTiming !== null ? F_LENGTH_TIMING : 0);
      rec[r + T_TABLE] = base;
      rec[r + T_MAX_QUEUE] = t.pool >= 0 ? plan.pools[t.pool].pool.max_queue : Infinity;
      for (let b = 0; b <= t.maxBatch; b++) {
        this.table[base + 2 * b] = t.batchTime[b];
        this.table[base + 2 * b + 1] = t.firstToken[b];
      }
      base += 2 * (t.maxBatch + 1);
    }
    this.userGateway = Int32Array.from(scenario.users, (u) => u.lan_site ?? -1);
    this.qi = new Int32Array(this.rec.buffer);
  }
}

/**
 * One FIFO of request slots per target, its head and length in the target's record and its first
 * QUEUE_INLINE slots in one ring table (QUEUE_INLINE per target), the rest, if any, in a RingQueue of its
 * own. The first QUEUE_INLINE entries of a queue are always in its ring: a shift refills the ring from the
 * spill-over. (One object per target, its buffer another, cost three memory reads per request at 10,000
 * targets; this costs one or two.)
 */
export class TargetQueues {
  declare private readonly qi: Int32Array;
  declare private readonly ring: Int32Array;
  declare private readonly spill: (RingQueue | null)[];

  constructor(table: TargetTable, nTargets: number) {
    this.qi = table.qi;
    this.ring = new Int32Array(nTargets * QUEUE_INLINE);
    this.spill = new Array<RingQueue | null>(nTargets).fill(null);
  }

  /** Requests waiting at target id. */
  length(id: number): number {
    return this.qi[2 * (id * TR + T_QUEUE) + 1];
  }

  /** The oldest request at target id (its queue is not empty). */
  peek(id: number): number {
    return this.ring[id * QUEUE_INLINE + this.qi[2 * (id * TR + T_QUEUE)]];
  }

  push(id: number, slot: number): void {
    const h = 2 * (id * TR + T_QUEUE);
    const qi = this.qi;
    const n = qi[h + 1];
    if (n < QUEUE_INLINE) this.ring[id * QUEUE_INLINE + ((qi[h] + n) & (QUEUE_INLINE - 1))] = slot;
    else this.spillOf(id).push(slot);
    qi[h + 1] = n + 1;
  }

  /** Takes the oldest request off target id's queue (not empty). */
  shift(id: number): number {
    const h = 2 * (id * TR + T_QUEUE);
    const qi = this.qi;
    const head = qi[h];
    const at = id * QUEUE_INLINE + head;
    const slot = this.ring[at];
    const n = qi[h + 1];
    // The ring's freed place is its new tail: the next of the spill-over moves in.
    if (n > QUEUE_INLINE) this.ring[at] = this.spill[id]!.shift();
    qi[h] = (head + 1) & (QUEUE_INLINE - 1);
    qi[h + 1] = n - 1;
    return slot;
  }

  private spillOf(id: number): RingQueue {
    let q = this.spill[id];
    if (q === null) {
      q = new RingQueue();
      this.spill[id] = q;
    }
    return q;
  }
}
