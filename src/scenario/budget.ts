/**
 * What a run will cost before it starts: an estimate of the events the engine will process and of the memory
 * the run's tables take, from the resolved scenario alone. A scenario that asks for 10^12 requests or 10^9
 * failures per hour is refused up front (exit 2, with the estimate), rather than running for days or growing
 * until the machine swaps. The estimate is on the safe side (a daily profile counts at its peak rate); the
 * budget is generous, and `--max-events N` raises it.
 */
import { InputError } from '../errors.js';
import type { Scenario } from '../model/types.js';

/** Default budget: about ten minutes of simulation on one core of a laptop. */
export const DEFAULT_MAX_EVENTS = 1e9;
/** Memory the run's tables may take (the estimate, not a hard limit of the process). */
export const MAX_MEMORY_BYTES = 4 * 2 ** 30;

/** Engine events per request: arrival, transfers, start and end of service (2–5 in the shipped scenarios). */
const EVENTS_PER_REQUEST = 5;
const HOUR = 3600;

export interface RunEstimate {
  /** Events over every policy of the run. */
  events: number;
  /** Requests over every policy (arrivals, before retries). */
  requests: number;
  /** Bytes of the run's tables: per-pool hourly series, target tables, traces (not the in-flight requests). */
  memoryBytes: number;
  /** The field responsible for most of the events (for the message). */
  biggest: { path: (string | number)[]; events: number } | null;
}

/** Expected arrivals of a rate over the run, with bursts multiplying it where they overlap. */
function burstArrivals(rate: number, duration: number, bursts: Scenario['services'][number]['bursts']): number {
  if (bursts.length === 0) return rate * duration;
  const cuts = new Set<number>([0, duration]);
  for (const b of bursts) {
    cuts.add(Math.min(Math.max(b.start_s, 0), duration));
    cuts.add(Math.min(Math.max(b.start_s + b.duration_s, 0), duration));
  }
  const points = [...cuts].sort((a, b) => a - b);
  let total = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const mid = (points[i] + points[i + 1]) / 2;
    let factor = 1;
    for (const b of bursts) if (mid >= b.start_s && mid < b.start_s + b.duration_s) factor *= b.multiplier;
    total += rate * factor * (points[i + 1] - points[i]);
  }
  return total;
}

export function estimateRun(s: Scenario): RunEstimate {
  const T = s.duration_s;
  const nPolicies = Math.max(1, s.policies.length);
  let perPolicy = 0;
  let requests = 0;
  let biggest: RunEstimate['biggest'] = null;
  const add = (events: number, path: (string | number)[]): void => {
    perPolicy += events;
    if (biggest === null || events > biggest.events) biggest = { path, events: events * nPolicies };
  };

  for (const svc of s.services) {
    const a = svc.arrivals;
    let n: number;
    if (a.kind === 'trace') n = a.times_s.length;
    else if (a.kind === 'offline') n = a.requests;
    // Closed loop: each client sends at most one request per think time (service time makes it fewer).
    else if (a.kind === 'closed') n = (a.clients * T) / Math.max(a.think.mean_s, 1e-3);
    else {
      const rate = a.kind === 'profile' ? Math.max(a.peak_per_s, a.trough_per_s) : a.rate_per_s;
      n = burstArrivals(rate, T, svc.bursts);
    }
    requests += n;
    add(n * EVENTS_PER_REQUEST * (1 + Math.min(svc.retries, 3) * 0.1), ['services', svc.name, 'arrivals']);
  }
  for (const p of s.pools) {
    const [site, pool] = splitPoolName(p.name);
    const at = ['sites', site, 'pools', pool];
    if (p.failures) add((2 * p.units * T) / p.failures.mtbf_s, [...at, 'failures', 'mtbf']);
    if (p.preemption) add((2 * p.units * T) / p.preemption.mean_s, [...at, 'preemption', 'mean_time']);
    if (p.autoscale) add(T / p.autoscale.check_every_s + 4 * p.autoscale.max, [...at, 'autoscale', 'check_every']);
  }
  for (const site of s.sites) {
    if (site.uplink.mtbf_s !== null) add((2 * T) / site.uplink.mtbf_s, ['sites', site.name, 'uplink', 'mtbf']);
  }
  for (const j of s.training) {
    if (j.checkpoint) add(T / j.checkpoint.every_s, ['training', j.name, 'checkpoint', 'every']);
    add(10 + (2 * T) / Math.max(j.restart_s, 60), ['training', j.name]);
  }
  add(2 * s.outages.length + T / HOUR, ['duration']);

  // Memory: the tables a run allocates, kept for every policy until the Result is built.
  const hours = Math.ceil(T / HOUR);
  const targets = s.services.length * (s.pools.length + s.apis.length);
  const maxBatch = s.services.reduce((m, x) => Math.max(m, x.batching.max_batch), 1);
  const traceTimes = s.services.reduce((m, x) => m + (x.arrivals.kind === 'trace' ? x.arrivals.times_s.length : 0), 0);
  const units = s.pools.reduce((m, p) => m + p.units, 0);
  const perRun =
    (s.pools.length * 4 + s.training.length) * hours * 8 +
    (s.services.length * 3 + s.pools.length * 5) * 240 * 8 * 3 +
    s.services.length * (s.pools.length + s.apis.length) * 16;
  const memoryBytes =
    64 * 2 ** 20 +
    nPolicies * perRun +
    targets * (300 + s.users.length * 33 + maxBatch * 16) +
    units * 200 +
    s.regions.length ** 2 * 16 +
    traceTimes * 16 +
    s.regions.reduce((m, r) => m + (r.grid_hourly?.length ?? 0) * 8, 0);

  return { events: perPolicy * nPolicies, requests: requests * nPolicies, memoryBytes, biggest };
}

function splitPoolName(name: string): [string, string] {
  const i = name.indexOf('/');
  return i < 0 ? [name, ''] : [name.slice(0, i), name.slice(i + 1)];
}

/** Options of the budget check. */
export interface Budget {
  /** Most events a run may be estimated to take; default DEFAULT_MAX_EVENTS. */
  maxEvents?: number;
}

/**
 * Refuses a run whose estimate is past the budget (or not finite), with the estimate, the field that
 * contributes most, and how to raise the budget. Returns the estimate otherwise.
 */
export function checkBudget(s: Scenario, budget: Budget = {}): RunEstimate {
  const est = estimateRun(s);
  const maxEvents = budget.maxEvents ?? DEFAULT_MAX_EVENTS;
  const where = (path: (string | number)[] | undefined) => ({
    ...(s.file !== undefined ? { file: s.file } : {}),
    ...(path !== undefined ? { path, ...s.locate?.(path) } : {}),
  });
  const b = est.biggest;
  if (!(est.events <= maxEvents)) {
    throw new InputError(
      `the run is estimated at ${fmt(est.events)} events (${fmt(est.requests)} requests over ${s.policies.length} ` +
        `polic${s.policies.length === 1 ? 'y' : 'ies'}), past the budget of ${fmt(maxEvents)}` +
        `${b !== null ? ` (most from this field: ${fmt(b.events)})` : ''}; shorten the run or lower the rate, ` +
        'or raise the budget with --max-events N',
      where(b?.path),
    );
  }
  if (!(est.memoryBytes <= MAX_MEMORY_BYTES)) {
    throw new InputError(
      `the run's tables are estimated at ${fmtBytes(est.memoryBytes)}, past the ${fmtBytes(MAX_MEMORY_BYTES)} limit ` +
        `(${s.pools.length} pools × ${s.services.length} services × ${s.users.length} user groups, ` +
        `${Math.ceil(s.duration_s / HOUR)} hours); make the scenario smaller`,
      where(undefined),
    );
  }
  return est;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'more than 10^308';
  if (n < 1e6) return String(Math.round(n));
  return n.toExponential(1).replace('e+', 'e');
}

function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return 'more than 10^308 bytes';
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(0)} MiB`;
}
