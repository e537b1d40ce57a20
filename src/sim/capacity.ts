/**
 * Capacity: the units a pool is made of (an instance, or the devices of one replica) and what takes them
 * down — failures, spot interruptions, scheduled outages of a site, a region or a link.
 *
 * A unit serves when it is provisioned (autoscaling, or a job renting it), not failed, not interrupted, not
 * in an outage, has finished booting and no training job holds it. Every change goes through `updateUnit`,
 * which recomputes the unit's billed, powered and serving state from its flags and applies the difference.
 *
 * Owns: per unit its flags (provisioned, booting, outages, training, job) and derived state (billed,
 * powered, serving), its failure and spot clocks (unit-clock.ts); per pool the units provisioned and
 * booting, and the billed, powered and training levels; per region and region pair the outages holding it.
 * Handles: *unit failure* and *preemption* (through the clocks), *unit ready* (a cold start is over),
 * *outage start* / *outage end* (scheduled outages; an uplink outage is passed to uplinks.ts).
 */
import type { RunContext, Parts } from './context.js';
import { Level } from './tallies.js';
import { UnitClock } from './unit-clock.js';
import type { Arrivals } from './arrivals.js';
import type { Pools } from './pools.js';
import type { Uplinks } from './uplinks.js';
import type { TrainingJobs } from './jobs.js';
import type { ManagedApis } from './apis.js';

export class Capacity {
  declare private readonly ctx: RunContext;
  /** Units of pool p are unitBase[p] .. unitBase[p] + simUnits − 1. */
  declare readonly unitBase: Int32Array;
  declare readonly unitPool: Int32Array;
  /** Per unit: rented (autoscaling, a training job, or always for a fixed pool the policy uses). */
  declare readonly provisioned: Uint8Array;
  /** Per unit: scheduled site / region outages covering it. */
  declare readonly outages: Int32Array;
  declare readonly booting: Uint8Array;
  declare private readonly readyEvent: Float64Array;
  declare readonly serving: Uint8Array;
  declare private readonly powered: Uint8Array;
  declare private readonly billed: Uint8Array;
  declare readonly training: Uint8Array;
  /** Per unit: the job holding it, or −1. */
  declare readonly job: Int32Array;
  declare readonly failures: UnitClock;
  declare readonly preemptions: UnitClock;
  /** Per pool: units booting, units provisioned. */
  declare readonly poolBooting: Int32Array;
  declare readonly poolProvisioned: Int32Array;
  declare private readonly billedLevel: Level[];
  declare private readonly poweredLevel: Level[];
  /** Per pool: units training jobs hold. */
  declare readonly trainingLevel: Level[];
  /** Per region: outages holding it (its managed API endpoints are down too). */
  declare readonly regionDown: Int32Array;
  /** Per (region, region): outages holding the link between them (no new request crosses it). */
  declare readonly linkDown: Int32Array;
  /** Shortcut for canServe (called per candidate): the policy's pools. */
  declare private readonly usedForInference: boolean[];
  declare private arrivals: Arrivals;
  declare private pools: Pools;
  declare private uplinks: Uplinks;
  declare private jobs: TrainingJobs;
  declare private apis: ManagedApis;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.usedForInference = ctx.usedForInference;
    const { plan, nPools, warmup, duration, poolTallies, poolSeries, streams, sim } = ctx;
    this.unitBase = new Int32Array(nPools);
    let nUnits = 0;
    for (const pp of plan.pools) {
      this.unitBase[pp.pool.index] = nUnits;
      nUnits += pp.simUnits;
    }
    this.unitPool = new Int32Array(nUnits);
    for (const pp of plan.pools)
      for (let k = 0; k < pp.simUnits; k++) this.unitPool[this.unitBase[pp.pool.index] + k] = pp.pool.index;
    this.provisioned = new Uint8Array(nUnits);
    this.outages = new Int32Array(nUnits);
    this.booting = new Uint8Array(nUnits);
    this.readyEvent = new Float64Array(nUnits).fill(-1);
    this.serving = new Uint8Array(nUnits);
    this.powered = new Uint8Array(nUnits);
    this.billed = new Uint8Array(nUnits);
    this.training = new Uint8Array(nUnits);
    this.job = new Int32Array(nUnits).fill(-1);
    const onChange = (u: number): void => this.updateUnit(u);
    this.failures = new UnitClock(
      sim,
      this.unitPool,
      plan.pools.map((pp) => ({
        enabled: pp.pool.failures !== null,
        up_s: pp.pool.failures?.mtbf_s ?? 0,
        down_s: pp.pool.failures?.mttr_s ?? 0,
      })),
      plan.pools.map((pp) => streams.stream(`pool:${pp.pool.name}:failures`)),
      true,
      warmup,
      onChange,
    );
    this.preemptions = new UnitClock(
      sim,
      this.unitPool,
      plan.pools.map((pp) => ({
        enabled: pp.pool.preemption !== null,
        up_s: pp.pool.preemption?.mean_s ?? 0,
        down_s: pp.pool.preemption?.restart_s ?? 0,
      })),
      plan.pools.map((pp) => streams.stream(`pool:${pp.pool.name}:preemption`)),
      false,
      warmup,
      onChange,
    );
    this.poolBooting = new Int32Array(nPools);
    this.poolProvisioned = new Int32Array(nPools);
    this.billedLevel = plan.pools.map((_, p) => new Level(poolTallies[p].billedHourly, null, warmup, duration));
    this.poweredLevel = plan.pools.map(
      (_, p) => new Level(poolTallies[p].poweredHourly, poolSeries[p].powered, warmup, duration),
    );
    this.trainingLevel = plan.pools.map(
      (_, p) => new Level(poolTallies[p].trainingHourly, poolSeries[p].training, warmup, duration),
    );
    this.regionDown = new Int32Array(ctx.nRegions);
    this.linkDown = new Int32Array(ctx.nRegions * ctx.nRegions);
  }

  link(parts: Parts): void {
    this.arrivals = parts.arrivals;
    this.pools = parts.pools;
    this.uplinks = parts.uplinks;
    this.jobs = parts.jobs;
    this.apis = parts.apis;
  }

  /** Unit u is up: not failed, not interrupted, not in an outage. */
  isUp(u: number): boolean {
    return this.failures.down[u] === 0 && this.preemptions.down[u] === 0 && this.outages[u] === 0;
  }

  /** Whether pool p can take a request now: it serves, boots, has units a job would give back, or can scale out. */
  canServe(p: number): boolean {
    if (!this.usedForInference[p]) return false;
    if (this.pools.servingOf(p) > 0 || this.poolBooting[p] > 0) return true;
    // Units a job holds on a shared pool come back as soon as requests wait.
    if (this.trainingLevel[p].value > 0) return true;
    const a = this.ctx.plan.pools[p].pool.autoscale;
    return a !== null && this.poolProvisioned[p] < a.max && !this.allDown(p);
  }

  private allDown(p: number): boolean {
    const base = this.unitBase[p];
    for (let k = 0; k < this.ctx.plan.pools[p].simUnits; k++) if (this.isUp(base + k)) return false;
    return true;
  }

  /** Recomputes a unit's state from its flags and applies the difference to its pool. */
  updateUnit(u: number): void {
    const p = this.unitPool[u];
    const now = this.ctx.sim.now;
    const up = this.isUp(u);
    // A job loses all its units when one of them goes down (failure, interruption, outage); releasing
    // them updates this unit too.
    if (this.job[u] >= 0 && !up) {
      this.jobs.interrupt(this.job[u], false);
      if (this.job[u] < 0) return;
    }
    const billed = this.provisioned[u] === 1 && this.preemptions.down[u] === 0 ? 1 : 0;
    const powered = this.provisioned[u] === 1 && up ? 1 : 0;
    const serving = powered === 1 && this.booting[u] === 0 && this.training[u] === 0 ? 1 : 0;
    if (billed !== this.billed[u]) {
      this.billed[u] = billed;
      this.billedLevel[p].set(now, this.billedLevel[p].value + (billed ? 1 : -1));
    }
    if (powered !== this.powered[u]) {
      this.powered[u] = powered;
      this.poweredLevel[p].set(now, this.poweredLevel[p].value + (powered ? 1 : -1));
    }
    if (serving === this.serving[u]) return;
    this.serving[u] = serving;
    this.pools.setUnitServing(p, u - this.unitBase[p], serving === 1);
  }

  /** Failure and interruption clocks run only while a unit is provisioned. */
  startClocks(u: number): void {
    this.failures.start(u);
    this.preemptions.start(u);
  }

  /** Stops a unit's clocks as it is released; the caller updates the unit. */
  stopClocks(u: number): void {
    this.failures.stop(u);
    this.preemptions.stop(u);
  }

  /** Provisions a unit of an autoscaled pool: billed and powered from now, serving after its cold start. */
  bootUnit(u: number): void {
    const ctx = this.ctx;
    const p = this.unitPool[u];
    this.provisioned[u] = 1;
    this.booting[u] = 1;
    this.poolBooting[p]++;
    this.poolProvisioned[p]++;
    this.startClocks(u);
    if (ctx.sim.now >= ctx.warmup) ctx.poolTallies[p].coldStarts++;
    this.updateUnit(u);
    this.readyEvent[u] = ctx.sim.schedule(ctx.plan.pools[p].coldStart_s, ctx.kinds.ready, u);
  }

  /** Event *unit ready*: the unit's cold start is over. */
  onReady(u: number): void {
    const p = this.unitPool[u];
    this.readyEvent[u] = -1;
    this.booting[u] = 0;
    this.poolBooting[p]--;
    this.updateUnit(u);
  }

  /** Stops renting a unit of an autoscaled pool. */
  releaseUnit(u: number): void {
    const p = this.unitPool[u];
    this.provisioned[u] = 0;
    this.poolProvisioned[p]--;
    this.stopClocks(u);
    this.updateUnit(u);
  }

  /** Event *outage start* (delta = 1) / *outage end* (delta = −1) of scheduled outage i. */
  outage(i: number, delta: number): void {
    const { scenario, plan, nRegions } = this.ctx;
    const o = scenario.outages[i];
    this.ctx.availabilityEpoch++;
    if (o.kind === 'uplink') {
      this.uplinks.change(o.target, delta);
      return;
    }
    if (o.kind === 'link') {
      this.linkDown[o.target * nRegions + o.other] += delta;
      this.linkDown[o.other * nRegions + o.target] += delta;
      return;
    }
    if (o.kind === 'region') this.regionDown[o.target] += delta;
    for (const pp of plan.pools) {
      const site = scenario.sites[pp.pool.site];
      const hit = o.kind === 'site' ? site.index === o.target : site.region === o.target;
      if (!hit) continue;
      const p = pp.pool.index;
      for (let k = 0; k < pp.simUnits; k++) this.outages[this.unitBase[p] + k] += delta;
    }
    // Every unit of the site or region is marked first, then updated, and the requests they dropped are
    // placed again only once all of them are down: none is retried onto a unit about to fall.
    this.arrivals.holdRetries();
    // A managed API in a region that goes down drops the requests it was serving, as a pool's units do.
    if (o.kind === 'region' && delta > 0) this.apis.dropInRegion(o.target);
    for (const pp of plan.pools) {
      const site = scenario.sites[pp.pool.site];
      const hit = o.kind === 'site' ? site.index === o.target : site.region === o.target;
      if (!hit) continue;
      for (let k = 0; k < pp.simUnits; k++) this.updateUnit(this.unitBase[pp.pool.index] + k);
    }
    this.arrivals.releaseHeldRetries();
  }

  /** Rents each provisioned pool's initial units and starts their clocks (run start, in pool order). */
  startPool(p: number): void {
    const pp = this.ctx.plan.pools[p];
    const a = pp.pool.autoscale;
    const initial = this.ctx.trainingOnly[p] ? 0 : a ? a.initial : pp.simUnits;
    for (let k = 0; k < pp.simUnits; k++) {
      const u = this.unitBase[p] + k;
      if (k < initial) {
        this.provisioned[u] = 1;
        this.poolProvisioned[p]++;
        this.updateUnit(u);
        this.startClocks(u);
      }
    }
  }

  /** Schedules each scheduled outage's start and end. */
  startOutages(): void {
    const { scenario, sim, kinds, duration } = this.ctx;
    scenario.outages.forEach((o, i) => {
      if (o.start_s >= duration) return;
      sim.scheduleAt(o.start_s, kinds.outageStart, i);
      if (o.start_s + o.duration_s < duration) sim.scheduleAt(o.start_s + o.duration_s, kinds.outageEnd, i);
    });
  }

  /** At the end of the run: the levels of pool p are closed and the clocks' counts copied. */
  closePool(p: number): void {
    const duration = this.ctx.duration;
    this.billedLevel[p].flush(duration);
    this.poweredLevel[p].flush(duration);
    this.trainingLevel[p].flush(duration);
    this.ctx.poolTallies[p].unitFailures = this.failures.count[p];
    this.ctx.poolTallies[p].preemptions = this.preemptions.count[p];
  }
}
