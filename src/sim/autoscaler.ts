/**
 * The autoscaler of a pool (docs/dynamics.md#autoscaling): a pure decision (`wantedUnits`: how many units
 * the pool should have, from what it sees now) and its application (boot units, or release one idle unit
 * after the pool has wanted fewer for `scale_in_after_s`).
 *
 * A pool that batches an LLM continuously scales on its running sequences instead (`wantedLlmUnits`):
 * in-flight requests per replica against `target_running`, as LLM deployments autoscale on the inference
 * server's running-request count rather than on a busy/idle utilisation that reads ~100% at any load
 * (docs/dynamics.md#autoscaling).
 *
 * Owns: per pool since when it has wanted fewer units (the scale-in hold); per LLM pool its target.
 * Handles: *autoscale* (the periodic check); pools.ts also asks it at once when a request waits at a pool
 * where nothing serves or boots.
 */
import type { AutoscaleSpec, Service } from '../model/types.js';
import type { RunContext, Parts } from './context.js';
import type { LlmPoolPlan } from './plan.js';
import { emptyEstimate, estimateLlm, type LlmLoad } from './llm-estimate.js';
import type { Pools } from './pools.js';
import type { Capacity } from './capacity.js';

/**
 * Units the pool should have. `busy` and `serving` count replicas, `queued` requests; `units` are the units
 * provisioned now, `booting` those still starting. Demand in replicas is the busy ones plus the queue as full
 * batches (of `maxBatch`).
 */
export function wantedUnits(
  a: AutoscaleSpec,
  perUnit: number,
  maxBatch: number,
  busy: number,
  queued: number,
  serving: number,
  units: number,
  booting: number,
): number {
  const demand = busy + queued / maxBatch;
  if (a.metric === 'utilisation') {
    return Math.min(a.max, Math.max(a.min, Math.ceil(demand / a.target_utilisation / perUnit - 1e-9)));
  }
  let wanted: number;
  if (queued > 0 && (serving === 0 || queued / serving > a.target_queue)) wanted = units + 1;
  else if (queued === 0 && serving > 0 && busy / serving < a.target_utilisation) wanted = units - 1;
  else wanted = units;
  // One step at a time: wait for a booting unit before judging the queue again.
  if (booting > 0 && wanted > units) wanted = units;
  return Math.min(a.max, Math.max(a.min, wanted));
}

/**
 * Units a continuous-batching LLM pool should have (metric utilisation): its in-flight sequences (running
 * plus waiting) at `target` per replica, clamped to [min, max].
 */
export function wantedLlmUnits(
  a: AutoscaleSpec,
  perUnit: number,
  target: number,
  running: number,
  queued: number,
): number {
  return Math.min(a.max, Math.max(a.min, Math.ceil((running + queued) / target / perUnit - 1e-9)));
}

/**
 * The default `target_running` of a continuous-batching LLM pool: the largest running batch per replica at
 * which the placement estimate (llm-estimate.ts, nothing waiting and no prompt ahead) of every service it
 * hosts still meets that service's latency, TTFT and TPOT SLOs on the replica alone (the network left out),
 * times `target_utilisation` for headroom; without SLOs, max_num_seqs × target_utilisation. At least 1.
 */
export function defaultTargetRunning(
  llm: LlmPoolPlan,
  services: readonly Service[],
  targetUtilisation: number,
): number {
  const sched = llm.scheduler;
  const out = emptyEstimate();
  const load: LlmLoad = { running: 0, prefillAhead: 0, waiting: 0, idle: false };
  let best = sched.max_num_seqs;
  for (const s of services) {
    const lat = s.slo.latency_s;
    const ttft = s.slo.ttft_s;
    const tpot = s.slo.tpot_s;
    if (lat === null && ttft === null && tpot === null) continue;
    const out1 = s.request.output_tokens > 1 ? s.request.output_tokens - 1 : 1;
    let n = 0;
    for (let b = 1; b <= best; b++) {
      load.running = b - 1;
      estimateLlm(llm.coeffs, sched, s.request.input_tokens, s.request.output_tokens, load, out);
      if (
        (lat !== null && out.wait_s + out.total_s > lat) ||
        (ttft !== null && out.wait_s + out.first_token_s > ttft) ||
        (tpot !== null && (out.total_s - out.first_token_s) / out1 > tpot)
      )
        break;
      n = b;
    }
    best = n;
  }
  return Math.max(1, Math.floor(best * targetUtilisation));
}

export class Autoscaler {
  declare private readonly ctx: RunContext;
  /** Per pool: since when it has wanted fewer units (−1: it has not). */
  declare private readonly lowSince: Float64Array;
  /** Per pool: the running sequences per replica a continuous-batching LLM pool aims at (0: not one). */
  declare readonly targetRunning: Float64Array;
  declare private pools: Pools;
  declare private capacity: Capacity;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.lowSince = new Float64Array(ctx.nPools).fill(-1);
    this.targetRunning = new Float64Array(ctx.nPools);
    const { plan, scenario } = ctx;
    for (const pp of plan.pools) {
      const a = pp.pool.autoscale;
      if (a === null || pp.llm === null) continue;
      const services = pp.targets.map((id) => scenario.services[plan.targets[id].service]);
      this.targetRunning[pp.pool.index] =
        a.target_running ?? defaultTargetRunning(pp.llm, services, a.target_utilisation);
    }
  }

  link(parts: Parts): void {
    this.pools = parts.pools;
    this.capacity = parts.capacity;
  }

  /** Compares demand with the capacity running or coming, and adds or releases units. */
  autoscale(p: number): void {
    const ctx = this.ctx;
    const pp = ctx.plan.pools[p];
    const a = pp.pool.autoscale;
    if (a === null || !ctx.provisioned[p]) return;
    const cap = this.capacity;
    const pools = this.pools;
    const base = cap.unitBase[p];
    // Unhealthy instances (failed, interrupted) are terminated and replaced, as a cloud autoscaling group does.
    for (let k = 0; k < pp.simUnits; k++) {
      const u = base + k;
      if (cap.provisioned[u] === 1 && (cap.failures.down[u] === 1 || cap.preemptions.down[u] === 1)) cap.releaseUnit(u);
    }
    const have = cap.poolProvisioned[p];
    const target = this.targetRunning[p];
    const wanted =
      target > 0 && a.metric === 'utilisation'
        ? wantedLlmUnits(a, pp.serversPerUnit, target, pools.llm.running[p], pools.queuedOf(p))
        : wantedUnits(
            a,
            pp.serversPerUnit,
            pp.maxBatch,
            pools.demandBusy(p),
            pools.queuedOf(p),
            pools.servingOf(p),
            have,
            cap.poolBooting[p],
          );
    if (wanted > have) {
      this.lowSince[p] = -1;
      let need = wanted - have;
      for (let k = 0; k < pp.simUnits && need > 0; k++) {
        const u = base + k;
        if (cap.provisioned[u] === 0) {
          cap.bootUnit(u);
          need--;
        }
      }
      return;
    }
    if (wanted < have) {
      const now = ctx.sim.now;
      if (this.lowSince[p] < 0) this.lowSince[p] = now;
      if (now - this.lowSince[p] < a.scale_in_after_s) return;
      // Release one idle unit (the highest-numbered), then wait another period before the next.
      for (let k = pp.simUnits - 1; k >= 0; k--) {
        const u = base + k;
        if (cap.provisioned[u] === 0 || cap.booting[u] === 1) continue;
        if (!pools.unitIdle(p, k)) continue;
        cap.releaseUnit(u);
        this.lowSince[p] = now;
        return;
      }
      return;
    }
    this.lowSince[p] = -1;
  }

  /** Event *autoscale*: the periodic check of pool p. */
  onCheck(p: number): void {
    this.autoscale(p);
    this.ctx.sim.schedule(this.ctx.plan.pools[p].pool.autoscale!.check_every_s, this.ctx.kinds.autoscale, p);
  }
}
