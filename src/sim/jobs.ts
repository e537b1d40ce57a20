/**
 * Training jobs (docs/training.md): each job picks a pool and a start (the policy's `scheduleJob` for a job
 * with a deadline), takes its units when they are free, runs, writes checkpoints, and loses the work since
 * the last checkpoint when it is interrupted (a unit goes down) or yields (requests wait on a shared pool).
 *
 * Owns: per job its chosen option, the units it holds, when its segment started, its pending done and
 * checkpoint events; the jobs' tallies. Handles: *job ready*, *job start* (take units or try again later),
 * *checkpoint* / *checkpoint done*, *job done*.
 */
import type { JobOption } from '../placement/policy.js';
import { HOUR, type JobTallies } from './tallies.js';
import { gramsOver, simUnitUsdPerSecond } from './pricing.js';
import type { RunContext, Parts } from './context.js';
import type { Pools } from './pools.js';
import type { Capacity } from './capacity.js';

export class TrainingJobs {
  declare private readonly ctx: RunContext;
  declare private readonly jobs: JobTallies[];
  declare private readonly option: Int32Array;
  /** Per job: the units it holds, units[j][0 .. held[j] − 1] (sized for its largest option). */
  declare private readonly units: Int32Array[];
  declare private readonly held: Int32Array;
  declare private readonly runStart: Float64Array;
  declare private readonly heldSince: Float64Array;
  declare private readonly doneEvent: Float64Array;
  declare private readonly ckptEvent: Float64Array;
  declare private pools: Pools;
  declare private capacity: Capacity;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    const n = ctx.plan.jobs.length;
    this.jobs = ctx.tallies.jobs;
    this.option = new Int32Array(n);
    this.units = ctx.plan.jobs.map((jp) => new Int32Array(Math.max(...jp.options.map((o) => o.units))));
    this.held = new Int32Array(n);
    this.runStart = new Float64Array(n);
    this.heldSince = new Float64Array(n);
    this.doneEvent = new Float64Array(n).fill(-1);
    this.ckptEvent = new Float64Array(n).fill(-1);
  }

  link(parts: Parts): void {
    this.pools = parts.pools;
    this.capacity = parts.capacity;
  }

  /** The job's options: each pool it may use × each start hour that can still meet its deadline. */
  private options(j: number): { option: number; start_s: number; o: JobOption }[] {
    const { plan, scenario } = this.ctx;
    const jp = plan.jobs[j];
    const job = jp.job;
    const out: { option: number; start_s: number; o: JobOption }[] = [];
    jp.options.forEach((opt, k) => {
      const pp = plan.pools[opt.pool];
      const region = scenario.regions[scenario.sites[pp.pool.site].region];
      const earliest = job.start_s + opt.transfer_s;
      const last = job.deadline_s === null ? earliest : Math.max(earliest, job.deadline_s - opt.estimate_s);
      const watts = opt.units * pp.unitMaxW * region.pue;
      const usdPerSecond = opt.units * simUnitUsdPerSecond(pp);
      // Start now, or at the top of any later hour that leaves time to finish (a year of hours at most).
      const starts = [earliest];
      if (job.deadline_s !== null) {
        for (let s = Math.floor(earliest / HOUR) * HOUR + HOUR; s <= last + 1e-9 && starts.length < 8784; s += HOUR)
          starts.push(s);
      }
      for (const s of starts) {
        out.push({
          option: k,
          start_s: s,
          o: {
            pool: pp.pool.name,
            region: region.name,
            start_s: s,
            duration_s: opt.estimate_s,
            meets_deadline: job.deadline_s === null || s + opt.estimate_s <= job.deadline_s + 1e-9,
            carbon_g: gramsOver(region, s, s + opt.estimate_s, watts),
            cost_usd: usdPerSecond * opt.estimate_s,
          },
        });
      }
    });
    return out;
  }

  /** Event *job ready*: an option is chosen and *job start* scheduled at its start. */
  onReady(j: number): void {
    const { plan, policy, sim, kinds } = this.ctx;
    const jp = plan.jobs[j];
    const t = this.jobs[j];
    const options = this.options(j);
    let pick = 0;
    if (jp.job.deadline_s !== null && policy.scheduleJob) {
      pick = policy.scheduleJob(
        { job: jp.job.name, earliest_s: jp.job.start_s, deadline_s: jp.job.deadline_s },
        options.map((x) => x.o),
      );
      if (!(Number.isInteger(pick) && pick >= 0 && pick < options.length)) {
        throw new Error(
          `policy "${policy.name}" returned ${String(pick)} from scheduleJob for job "${jp.job.name}": expected 0..${options.length - 1}`,
        );
      }
    }
    const chosen = options[pick];
    const opt = jp.options[chosen.option];
    this.option[j] = chosen.option;
    t.pool = opt.pool;
    t.planned_start_s = chosen.start_s;
    t.transfer_s = opt.transfer_s;
    t.transferBytes = opt.transfer_bytes;
    t.phase = opt.transfer_s > 0 ? 'transferring' : 'waiting';
    sim.scheduleAt(Math.max(chosen.start_s, sim.now), kinds.jobStart, j);
  }

  /** Event *job start*: takes the units the job needs if they are free, and runs it; otherwise tries again later. */
  onStart(j: number): void {
    const ctx = this.ctx;
    const { plan, sim } = ctx;
    const t = this.jobs[j];
    if (t.phase === 'done' || t.phase === 'running' || t.phase === 'checkpointing') return;
    t.phase = 'waiting';
    const jp = plan.jobs[j];
    const opt = jp.options[this.option[j]];
    const p = opt.pool;
    const pp = plan.pools[p];
    const cap = this.capacity;
    const trainingOnly = ctx.trainingOnly[p];
    // On a shared pool the job starts only while no request waits.
    if (!trainingOnly && this.pools.queuedOf(p) > 0) {
      sim.schedule(jp.job.restart_s > 0 ? jp.job.restart_s : 60, ctx.kinds.jobStart, j);
      return;
    }
    const take = this.units[j];
    let n = 0;
    for (let k = 0; k < pp.simUnits && n < opt.units; k++) {
      const u = cap.unitBase[p] + k;
      if (!cap.isUp(u) || cap.training[u]) continue;
      if (!trainingOnly) {
        if (cap.serving[u] === 0) continue;
        if (!this.pools.unitIdle(p, k)) continue;
      }
      take[n++] = u;
    }
    if (n < opt.units) {
      sim.schedule(jp.job.restart_s > 0 ? jp.job.restart_s : 60, ctx.kinds.jobStart, j);
      return;
    }
    const now = sim.now;
    for (let i = 0; i < n; i++) {
      const u = take[i];
      cap.job[u] = j;
      cap.training[u] = 1;
      if (trainingOnly) {
        cap.provisioned[u] = 1;
        cap.startClocks(u);
      }
      cap.updateUnit(u);
    }
    this.held[j] = n;
    cap.trainingLevel[p].set(now, cap.trainingLevel[p].value + n);
    this.heldSince[j] = now;
    if (t.start_s === null) t.start_s = now;
    this.run(j);
  }

  private run(j: number): void {
    const { plan, sim, kinds } = this.ctx;
    const t = this.jobs[j];
    const jp = plan.jobs[j];
    const rate = jp.options[this.option[j]].rate;
    t.phase = 'running';
    this.runStart[j] = sim.now;
    this.doneEvent[j] = sim.schedule(t.remaining / rate, kinds.jobDone, j);
    const ck = jp.job.checkpoint;
    this.ckptEvent[j] = ck && ck.every_s < t.remaining / rate ? sim.schedule(ck.every_s, kinds.jobCheckpoint, j) : -1;
  }

  /** Progress of the running segment, in FLOPs, folded into the job's counters. */
  private foldProgress(j: number): void {
    const t = this.jobs[j];
    if (t.phase !== 'running') return;
    const now = this.ctx.sim.now;
    const rate = this.ctx.plan.jobs[j].options[this.option[j]].rate;
    const done = Math.min(t.remaining, rate * (now - this.runStart[j]));
    t.remaining -= done;
    t.sinceCheckpoint += done;
    this.runStart[j] = now;
  }

  private cancelEvents(j: number): void {
    const sim = this.ctx.sim;
    if (this.doneEvent[j] >= 0) sim.cancel(this.doneEvent[j]);
    if (this.ckptEvent[j] >= 0) sim.cancel(this.ckptEvent[j]);
    this.doneEvent[j] = -1;
    this.ckptEvent[j] = -1;
  }

  private release(j: number): void {
    const ctx = this.ctx;
    const t = this.jobs[j];
    const now = ctx.sim.now;
    const units = this.units[j];
    const n = this.held[j];
    if (n === 0) return;
    const cap = this.capacity;
    const p = cap.unitPool[units[0]];
    t.heldUnitSeconds += n * (now - this.heldSince[j]);
    t.heldHourly.addSpan(this.heldSince[j], now, n);
    cap.trainingLevel[p].set(now, cap.trainingLevel[p].value - n);
    this.held[j] = 0;
    for (let i = 0; i < n; i++) {
      const u = units[i];
      cap.job[u] = -1;
      cap.training[u] = 0;
      if (ctx.trainingOnly[p]) {
        cap.provisioned[u] = 0;
        cap.stopClocks(u);
      }
      cap.updateUnit(u);
    }
  }

  /** Event *job done*. */
  onDone(j: number): void {
    const t = this.jobs[j];
    this.doneEvent[j] = -1;
    if (this.ckptEvent[j] >= 0) this.ctx.sim.cancel(this.ckptEvent[j]);
    this.ckptEvent[j] = -1;
    t.remaining = 0;
    t.sinceCheckpoint = 0;
    t.phase = 'done';
    t.end_s = this.ctx.sim.now;
    this.release(j);
  }

  /** Event *checkpoint*: the job pauses to write a checkpoint. */
  onCheckpoint(j: number): void {
    const { plan, sim, kinds } = this.ctx;
    const t = this.jobs[j];
    const ck = plan.jobs[j].job.checkpoint!;
    this.ckptEvent[j] = -1;
    this.foldProgress(j);
    if (this.doneEvent[j] >= 0) sim.cancel(this.doneEvent[j]);
    this.doneEvent[j] = -1;
    t.phase = 'checkpointing';
    this.ckptEvent[j] = sim.schedule(ck.bytes / ck.write_bytes_per_s, kinds.jobCheckpointDone, j);
  }

  /** Event *checkpoint done*: the work so far is safe; the job runs on. */
  onCheckpointDone(j: number): void {
    const t = this.jobs[j];
    this.ckptEvent[j] = -1;
    t.sinceCheckpoint = 0;
    t.checkpoints++;
    this.run(j);
  }

  /** The job loses its units: work since the last saved checkpoint is redone after a restart delay. */
  interrupt(j: number, isYield: boolean): void {
    const t = this.jobs[j];
    if (t.phase !== 'running' && t.phase !== 'checkpointing') return;
    this.foldProgress(j);
    this.cancelEvents(j);
    t.lostFlops += t.sinceCheckpoint;
    t.remaining += t.sinceCheckpoint;
    t.sinceCheckpoint = 0;
    if (isYield) t.yields++;
    else t.interruptions++;
    t.phase = 'waiting';
    this.release(j);
    this.ctx.sim.schedule(this.ctx.plan.jobs[j].job.restart_s, this.ctx.kinds.jobStart, j);
  }

  /** Requests wait at shared pool p: the first job holding units there yields them. */
  yieldPool(p: number): void {
    for (let j = 0; j < this.units.length; j++) {
      if (this.held[j] > 0 && this.capacity.unitPool[this.units[j][0]] === p) {
        this.interrupt(j, true);
        return;
      }
    }
  }

  /** Schedules each job's *job ready* (run start). */
  start(): void {
    const { plan, sim, kinds, duration } = this.ctx;
    plan.jobs.forEach((jp, j) => {
      if (jp.job.start_s < duration) sim.scheduleAt(jp.job.start_s, kinds.jobReady, j);
    });
  }

  /** At the end of the run: running segments are folded in and held units counted up to the end. */
  close(): void {
    const duration = this.ctx.duration;
    for (let j = 0; j < this.jobs.length; j++) {
      this.foldProgress(j);
      const n = this.held[j];
      if (n > 0) {
        this.jobs[j].heldUnitSeconds += n * (duration - this.heldSince[j]);
        this.jobs[j].heldHourly.addSpan(this.heldSince[j], duration, n);
        this.capacity.trainingLevel[this.capacity.unitPool[this.units[j][0]]].flush(duration);
      }
    }
  }
}
