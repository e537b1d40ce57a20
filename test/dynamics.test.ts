/**
 * Capacity and demand that change over time: unit failures and retries, scheduled site and uplink outages
 * with store-and-forward buffers, autoscaling with cold starts, spot interruptions, bursts, hourly grid
 * carbon, data residency, managed AI APIs and policy variants.
 *
 * Every expected value comes from the scenario's inputs by a closed form written next to the assertion
 * (renewal-process means and variances, Erlang B, rate × time, watts × seconds); stochastic ones are checked
 * within 3σ of that closed form, never against a number copied from an earlier run.
 */
import { describe, it, expect } from 'vitest';
import { loadScenarioText } from '../src/scenario/index.js';
import { runScenario, PlanError, type TraceRow } from '../src/sim/index.js';
import type { PolicyResult, PoolResult, Result } from '../src/metrics/result.js';
import type { Scenario } from '../src/model/types.js';

const FILE = 'test/fixtures/dynamics/x.yaml';
const load = (yaml: string): Scenario => loadScenarioText(yaml, FILE);

/** Runs a scenario and keeps a copy of every trace row. */
function runTraced(s: Scenario): { result: Result; rows: TraceRow[] } {
  const rows: TraceRow[] = [];
  const result = runScenario(s, { trace: (row) => rows.push({ ...row }) });
  return { result, rows };
}

function only(r: Result): PolicyResult {
  expect(r.policies).toHaveLength(1);
  return r.policies[0];
}

function pool(p: PolicyResult, name: string): PoolResult {
  const x = p.pools.find((q) => q.name === name);
  if (x === undefined) throw new Error(`no pool ${name}`);
  return x;
}

/** arrivals = completed + rejected + lost + in_flight, for every policy of the run. */
function expectConserved(r: Result): void {
  for (const p of r.policies) {
    const c = p.conservation;
    expect(c.arrivals, p.policy).toBe(c.completed + c.rejected + c.lost + c.in_flight);
    expect(c.arrivals).toBeGreaterThan(0);
  }
}

/** Exact time-average over [from, to) of a series whose value i is the mean over [i·Δ, (i+1)·Δ) ∩ [0, end). */
function timeMean(values: readonly number[], interval: number, end: number, from = 0, to = end): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.max(i * interval, from);
    const b = Math.min((i + 1) * interval, end, to);
    if (b > a) sum += values[i] * (b - a);
  }
  return sum / (to - from);
}

/** Sum of a per-interval count over the intervals that lie inside [from, to) (both multiples of the interval). */
function countIn(values: readonly number[], interval: number, from: number, to: number): number {
  expect(from % interval).toBe(0);
  expect(to % interval).toBe(0);
  let n = 0;
  for (let i = from / interval; i < to / interval; i++) n += values[i];
  return n;
}

/**
 * An alternating renewal process, up for Exp(meanUp) then down for a time of mean meanDown and variance
 * varDown, cycle after cycle. Long-run up fraction p = meanUp / (meanUp + meanDown); the number of cycles
 * started in time T has mean T/μ and variance T·σ²/μ³ (μ, σ² of one cycle); the time-average of the up
 * indicator over T has variance (meanDown²·varUp + meanUp²·varDown) / (μ³·T) (renewal-reward CLT).
 */
function onOff(meanUp: number, meanDown: number, varDown: number) {
  const varUp = meanUp * meanUp;
  const mu = meanUp + meanDown;
  const sigma2 = varUp + varDown;
  return {
    upFraction: meanUp / mu,
    cycles: (T: number) => ({ mean: T / mu, sd: Math.sqrt((T * sigma2) / mu ** 3) }),
    fractionSd: (T: number) => Math.sqrt((meanDown ** 2 * varUp + meanUp ** 2 * varDown) / (mu ** 3 * T)),
  };
}

// ------------------------------------------------------------------------------------------------ failures

describe('unit failures and repairs', () => {
  const N = 4;
  const T = 20_000;
  const MTBF = 50;
  const MTTR = 10;
  const RATE = 1; // /s
  const MEAN_S = 1; // s

  const scenario = (pools: string, retries: number) =>
    load(`name: failures
seed: 7
duration: ${T}s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
${pools}
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { poisson: ${RATE}/s }
    service_time: { exponential: ${MEAN_S}s }
    retries: ${retries}
policies: [least-latency]
`);
  const failing = (name: string) =>
    `      ${name}: { device: generic-cpu, count: ${N}, usd_per_hour: 1, failures: { mtbf: ${MTBF}s, mttr: ${MTTR}s } }`;

  it('one pool, no retries: serving fraction, failure count and lost requests follow the renewal process', () => {
    const r = runScenario(scenario(failing('cpu'), 0));
    expectConserved(r);
    const p = only(r);
    const pr = pool(p, 'dc/cpu');
    const ts = p.timeseries;
    const process = onOff(MTBF, MTTR, MTTR * MTTR); // exponential repair: variance mttr²

    // Serving replicas over time / replicas = fraction of time a unit is up = mtbf / (mtbf + mttr) = 0.8333.
    // (mean_units counts billed units, and a failed instance is still billed: it stays N.)
    const serving = timeMean(ts.pools[0].replicas, ts.interval_s, T) / pr.servers;
    expect(pr.servers).toBe(N);
    expect(process.upFraction).toBeCloseTo(0.8333, 4);
    expect(Math.abs(serving - process.upFraction)).toBeLessThan(3 * process.fractionSd(N * T));
    expect(pr.mean_units).toBe(N);

    // Failures: N independent renewal processes with cycle mtbf + mttr: N·T/60 = 1,333.
    const cycles = process.cycles(T);
    expect(N * cycles.mean).toBeCloseTo(1333.3, 1);
    expect(Math.abs(pr.unit_failures - N * cycles.mean)).toBeLessThan(0.1 * N * cycles.mean);
    expect(Math.abs(pr.unit_failures - N * cycles.mean)).toBeLessThan(3 * Math.sqrt(N) * cycles.sd);

    // A busy replica-second is cut short with probability 1/mtbf, and with no retry its request is lost:
    // busy time ≈ λ·E[S]·T, so lost ≈ λ·E[S]·T / mtbf = 400 (plus the few queued when all four were down).
    const s = p.services[0];
    const expectedLost = (RATE * MEAN_S * T) / MTBF;
    expect(s.lost).toBeGreaterThan(0);
    expect(s.retried).toBe(0);
    expect(Math.abs(s.lost - expectedLost)).toBeLessThan(0.15 * expectedLost);
  });

  it('two pools and two retries: failed requests are placed again and almost none are lost', () => {
    const r = runScenario(scenario(`${failing('a')}\n${failing('b')}`, 2));
    expectConserved(r);
    const s = only(r).services[0];
    // Every interrupted request is retried once: ≈ λ·E[S]·T / mtbf = 400 retries.
    const interrupted = (RATE * MEAN_S * T) / MTBF;
    expect(s.retried).toBeGreaterThan(0);
    expect(Math.abs(s.retried - interrupted)).toBeLessThan(0.15 * interrupted);
    // Lost needs three interruptions of one request (≈ (1/50)² per retried one) or all 8 units down at
    // once ((1/6)^8 of the time): well under one request in a thousand.
    expect(s.lost).toBeLessThanOrEqual(Math.ceil(0.001 * s.arrivals));
    for (const q of only(r).pools) expect(q.unit_failures).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------------------------------ site outage

describe('scheduled site and region outages', () => {
  // The edge site is the only site of region "metro"; the cloud is in "eu", where the users are.
  it.each([
    ['site', '{ site: edge, start: 100s, duration: 100s }'],
    ['region', '{ region: metro, start: 100s, duration: 100s }'],
  ])('%s outage: nothing is placed at the edge while it is down, and its replicas are 0 there', (_kind, outage) => {
    const s = load(`name: site-outage
seed: 3
duration: 400s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
  metro: { grid_gco2_per_kwh: 100, pue: 1.0 }
network:
  rtt: { "eu <-> metro": 2ms }
sites:
  edge:
    kind: edge
    region: metro
    pools:
      box: { device: generic-cpu, count: 4, capex_usd: 1000, lifetime: 3y }
  dc:
    kind: cloud
    region: eu
    pools:
      cpu: { device: generic-cpu, count: 4, usd_per_hour: 1 }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 40ms } }
services:
  s:
    users: u
    arrivals: { poisson: 5/s }
    service_time: { deterministic: 100ms }
outages:
  - ${outage}
policies: [least-latency]
`);
    const { result, rows } = runTraced(s);
    expectConserved(result);
    const p = only(result);
    const inside = (t: number) => t >= 100 && t < 200;

    const edgeRows = rows.filter((r) => r.pool === 'edge/box');
    expect(edgeRows.filter((r) => inside(r.arrival_s))).toEqual([]);
    // Not vacuous: the edge is preferred outside the outage and the cloud takes over inside it.
    expect(edgeRows.filter((r) => r.arrival_s < 100).length).toBeGreaterThan(300);
    expect(edgeRows.filter((r) => r.arrival_s >= 200).length).toBeGreaterThan(600);
    expect(rows.filter((r) => r.pool === 'dc/cpu' && inside(r.arrival_s)).length).toBeGreaterThan(300);
    expect(p.services[0].rejected).toBe(0);
    expect(p.services[0].lost).toBe(0);

    const ts = p.timeseries;
    const edge = ts.pools.find((x) => x.name === 'edge/box')!;
    const cloud = ts.pools.find((x) => x.name === 'dc/cpu')!;
    ts.t_s.forEach((t, i) => {
      const end = t + ts.interval_s;
      if (t >= 100 && end <= 200) expect(edge.replicas[i], `t=${t}`).toBe(0);
      if (end <= 100 || t >= 200) expect(edge.replicas[i], `t=${t}`).toBe(4);
      expect(cloud.replicas[i], `t=${t}`).toBe(4);
    });
  });
});

// ------------------------------------------------------------------------------------------ uplink outage

describe('uplink outage and store-and-forward buffer', () => {
  // Constant arrivals every 5 s (at 0, 5, 10, …), each runs 20 s on one of 10 devices (≤ 4 ever busy), the
  // request travels 5 ms (half the 10 ms RTT, no upload). The uplink is down over [100, 150):
  //  - arrivals at 80, 85, 90, 95 finish at a + 20.005 ∈ [100, 150): their responses wait in the buffer;
  //  - arrivals at 100, 105, …, 145 (10) find the only site unreachable: rejected.
  const scenario = (buffer: string) =>
    load(`name: uplink
duration: 300s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  edge:
    kind: edge
    region: eu
    uplink: { buffer: ${buffer} }
    pools:
      box: { device: generic-cpu, count: 10, capex_usd: 1000, lifetime: 3y }
users:
  u: { region: eu, access_rtt: { edge: 10ms, cloud: 30ms } }
services:
  s:
    users: u
    arrivals: { constant: 0.2/s }
    service_time: { deterministic: 20s }
    request: { download: 1KB }
outages:
  - { uplink: edge, start: 100s, duration: 50s }
policies: [least-latency]
`);
  const OUTAGE_END = 150;
  const BUFFERED_ARRIVALS = [80, 85, 90, 95];

  it('responses finished during the outage are delivered after it ends', () => {
    const { result, rows } = runTraced(scenario('1MB'));
    expectConserved(result);
    const p = only(result);
    expect(p.uplinks).toHaveLength(1);
    expect(p.uplinks[0]).toMatchObject({ site: 'edge', outages: 1, buffered: 4, overflow: 0 });
    expect(p.uplinks[0].downtime_s).toBeCloseTo(50, 9);
    const s = p.services[0];
    expect(s.rejected).toBe(10);
    expect(s.lost).toBe(0);

    const byArrival = new Map(rows.filter((r) => r.outcome === 'completed').map((r) => [Math.round(r.arrival_s), r]));
    for (const a of BUFFERED_ARRIVALS) {
      const row = byArrival.get(a)!;
      expect(row, `arrival ${a}`).toBeDefined();
      // Delivered at the end of the outage plus the trip back (5 ms + 1 KB at 1 Gbps).
      expect(row.latency_s).toBeGreaterThanOrEqual(OUTAGE_END - a);
      expect(row.latency_s).toBeCloseTo(OUTAGE_END - a + 0.005 + 8e-6, 6);
    }
    // Those that finished before the outage were not held: 20 s + the 10 ms round trip + 8 µs.
    for (const a of [0, 40, 75]) expect(byArrival.get(a)!.latency_s).toBeCloseTo(20.010008, 6);
  });

  it('with no buffer the responses overflow and are lost; a 2.5 KB buffer holds two 1 KB responses', () => {
    const none = only(runScenario(scenario('0B')));
    expect(none.uplinks[0]).toMatchObject({ buffered: 0, overflow: 4 });
    expect(none.services[0].lost).toBe(4);
    expect(none.conservation.lost).toBe(4);

    const small = runScenario(scenario('2.5KB'));
    expectConserved(small);
    expect(only(small).uplinks[0]).toMatchObject({ buffered: 2, overflow: 2 });
    expect(only(small).services[0].lost).toBe(2);
  });
});

describe('random uplink outages', () => {
  it('downtime and outage count follow mtbf / mttr', () => {
    const T = 72_000;
    const s = load(`name: uplink-random
seed: 23
duration: ${T}s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  edge:
    kind: edge
    region: eu
    uplink: { mtbf: 10m, mttr: 1m, buffer: 1MB }
    pools:
      box: { device: generic-cpu, count: 2, capex_usd: 1000, lifetime: 3y }
users:
  u: { region: eu, access_rtt: { edge: 10ms, cloud: 30ms } }
services:
  s:
    users: u
    arrivals: { poisson: 0.1/s }
    service_time: { exponential: 1s }
policies: [least-latency]
`);
    const r = runScenario(s);
    expectConserved(r);
    const u = only(r).uplinks;
    expect(u).toHaveLength(1);
    // Up Exp(600 s), down Exp(60 s): down 60/660 of the time; T/660 ≈ 109 outages.
    const process = onOff(600, 60, 60 * 60);
    const c = process.cycles(T);
    expect(Math.abs(u[0].outages - c.mean)).toBeLessThan(3 * c.sd);
    const down = u[0].downtime_s / T;
    expect(Math.abs(down - (1 - process.upFraction))).toBeLessThan(3 * process.fractionSd(T));
    // Arrivals while it is down are turned away (the edge is the only site): ≈ λ × downtime.
    const rejected = only(r).services[0].rejected;
    expect(Math.abs(rejected - 0.1 * u[0].downtime_s)).toBeLessThan(3 * Math.sqrt(0.1 * u[0].downtime_s) + 1);
  });
});

describe('time to first token across an uplink outage', () => {
  it('a first token produced while the uplink is down reaches the user only after it is back', () => {
    // One Orin, one request every 4 s (each takes longer than that): a queue builds, so batches start during the outage [100, 150).
    // Their first token is produced then, and nothing crosses a down uplink: TTFT ≥ 150 − arrival.
    const s = load(`name: ttft-uplink
duration: 200s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  edge:
    kind: edge
    region: eu
    uplink: { buffer: 1MB }
    pools:
      orin: { device: jetson-agx-orin-64gb, count: 1, capex_usd: 1000, lifetime: 3y }
users:
  u: { region: eu, access_rtt: { edge: 10ms, cloud: 30ms } }
models:
  llama: { params: 8.03e9, dtype: int8 }
services:
  chat:
    model: llama
    users: u
    arrivals: { constant: 0.25/s }
    request: { input_tokens: 200, output_tokens: 100, download: 1KB }
    scheduler: { max_num_seqs: 1 }   # one sequence at a time, so that a queue builds
outages:
  - { uplink: edge, start: 100s, duration: 50s }
policies: [least-latency]
`);
    const { result, rows } = runTraced(s);
    expectConserved(result);
    const UP = 0.005; // half the 10 ms RTT, no upload
    const startedInOutage = rows.filter((r) => {
      if (r.outcome !== 'completed') return false;
      const start = r.arrival_s + UP + r.queue_s;
      return start >= 100 && start < 150;
    });
    expect(startedInOutage.length).toBeGreaterThan(0);
    for (const r of startedInOutage) {
      expect(r.latency_s, `arrival ${r.arrival_s}`).toBeGreaterThanOrEqual(150 - r.arrival_s);
      expect(r.ttft_s, `arrival ${r.arrival_s}: TTFT`).toBeGreaterThanOrEqual(150 - r.arrival_s);
    }
  });
});

// ------------------------------------------------------------------------------------------ autoscaling

describe('autoscaling', () => {
  const PRICE = 2; // $/h
  const BOOT = 60;

  it('follows a burst between min and max, with cold starts billed', () => {
    const D = 3600;
    const s = load(`name: autoscale
seed: 5
duration: ${D}s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      gpu:
        instance: aws/g5.xlarge
        usd_per_hour: ${PRICE}
        autoscale: { min: 1, max: 6, boot_time: ${BOOT}s, check_every: 10s, scale_in_after: 60s, target_utilisation: 0.7 }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { poisson: 0.5/s, bursts: [{ start: 1200s, duration: 900s, multiplier: 8 }] }
    service_time: { exponential: 1s }
policies: [least-latency]
`);
    const r = runScenario(s);
    expectConserved(r);
    const p = only(r);
    const pr = pool(p, 'dc/gpu');
    const reps = p.timeseries.pools[0].replicas;
    const iv = p.timeseries.interval_s;

    for (const v of reps) {
      expect(v).toBeGreaterThanOrEqual(1 - 1e-9);
      expect(v).toBeLessThanOrEqual(6 + 1e-9);
    }
    // Only the initial (= min) unit serves until the first check (10 s) plus a boot (60 s).
    expect(iv).toBeLessThanOrEqual(BOOT);
    expect(reps[0]).toBe(1);
    // Inside the burst the offered load is 4 busy replicas → ceil(4 / 0.7) = 6 wanted: the max, held.
    expect(Math.max(...reps)).toBe(6);
    expect(pr.cold_starts).toBeGreaterThan(0);

    // Billing counts every provisioned instance-second, booting included: $/h × mean units × hours.
    expect(pr.cost_usd).toBeCloseTo((pr.mean_units * r.scenario.measured_s * PRICE) / 3600, 6);
    expect(p.totals.cost_usd.compute).toBeCloseTo(pr.cost_usd, 6);
    // Billed but not serving: each cold start's boot (the model weights are 0 for a service_time service).
    const serving = timeMean(reps, iv, D);
    const bootFraction = (pr.cold_starts * BOOT) / D;
    expect(pr.mean_units - serving).toBeLessThanOrEqual(bootFraction + 1e-6);
    expect(pr.mean_units - serving).toBeGreaterThanOrEqual(bootFraction - BOOT / D - 1e-6);
  });

  it('a cold start is boot time + weights / model_load before the first request runs', () => {
    // Llama-3-8B int8: 8.03e9 B of weights at 2 GB/s = 4.015 s, after a 30 s boot.
    const s = load(`name: cold
duration: 120s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      gpu:
        instance: aws/g5.xlarge
        usd_per_hour: ${PRICE}
        autoscale: { min: 0, max: 2, boot_time: 30s, model_load: 2GB/s }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
models:
  llama: { params: 8.03e9, dtype: int8 }
services:
  chat:
    model: llama
    users: u
    arrivals: { constant: 1/min }
    request: { input_tokens: 100, output_tokens: 20 }
policies: [least-latency]
`);
    const { result, rows } = runTraced(s);
    const coldStart = 30 + 8.03e9 / 2e9;
    const first = rows.find((r) => r.request === 0)!;
    expect(first.outcome).toBe('completed');
    expect(first.arrival_s).toBe(0);
    expect(first.latency_s).toBeGreaterThan(coldStart + 0.02);
    expect(first.latency_s).toBeLessThan(coldStart + 0.02 + 5);
    expect(pool(only(result), 'dc/gpu').cold_starts).toBeGreaterThanOrEqual(1);
  });

  it('scales to zero: min 0 and no demand cost nothing; min 1 costs one instance all along', () => {
    // The trace's only arrival is after the end of the run.
    const scenario = (min: number) =>
      load(`name: idle
duration: 2h
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      gpu: { instance: aws/g5.xlarge, usd_per_hour: ${PRICE}, autoscale: { min: ${min}, max: 3 } }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { trace: after-end.csv }
    service_time: { exponential: 1s }
policies: [least-latency]
`);
    const zero = only(runScenario(scenario(0)));
    expect(zero.services[0].arrivals).toBe(0);
    const z = pool(zero, 'dc/gpu');
    expect(z).toMatchObject({ provisioned: true, mean_units: 0, cold_starts: 0, cost_usd: 0, energy_kwh: 0 });
    expect(zero.totals.cost_usd.total).toBe(0);

    const one = pool(only(runScenario(scenario(1))), 'dc/gpu');
    expect(one.mean_units).toBe(1);
    expect(one.cost_usd).toBeCloseTo(2 * PRICE, 9); // 1 instance × 2 h × $2/h
  });

  it.each([
    ['spot interruptions', 'pricing: spot, preemption: { mean_time: 1h, restart: 2h }'],
    ['unit failures', 'failures: { mtbf: 1h, mttr: 2h }'],
  ])(
    '%s: an instance that is not provisioned cannot be down, so scaling out from zero always launches one',
    (_what, spec) => {
      // One request every 2 h; the pool scales back to zero a minute after each. Each request launches a fresh
      // instance that must survive its 30 s cold start + 1 s of work: P = exp(−31/3600) > 0.99 per request,
      // so at least 10 of the 12 complete (P(≤ 9) < 1e-3). A unit that does not exist has no failure or
      // interruption clock: requests must not be turned away because an instance that was never launched is
      // "down" — and the result would show no failure or interruption to explain it.
      const s = load(`name: phantom
duration: 24h
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      gpu: { instance: aws/g5.xlarge, usd_per_hour: 1, ${spec}, autoscale: { min: 0, max: 1, boot_time: 30s, check_every: 10s, scale_in_after: 1m } }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { constant: 0.5/h }
    service_time: { deterministic: 1s }
policies: [least-latency]
`);
      const p = only(runScenario(s));
      const svc = p.services[0];
      const gpu = pool(p, 'dc/gpu');
      expect(svc.arrivals).toBe(12);
      expect(
        svc.rejected,
        `rejected with ${gpu.unit_failures} failures, ${gpu.preemptions} interruptions`,
      ).toBeLessThanOrEqual(gpu.unit_failures + gpu.preemptions);
      expect(svc.completed).toBeGreaterThanOrEqual(10);
    },
  );
});

// ------------------------------------------------------------------------------------------------ spot

describe('spot interruptions', () => {
  const N = 4;
  const T = 36_000;
  const MEAN = 600;
  const RESTART = 60;
  const PRICE = 0.4;
  const scenario = (spot: boolean) =>
    load(`name: spot
seed: 11
duration: ${T}s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      gpu:
        instance: aws/g5.xlarge
        replicas: ${N}
        usd_per_hour: ${PRICE}
${spot ? `        pricing: spot\n        preemption: { mean_time: ${MEAN}s, restart: ${RESTART}s }` : '        pricing: on-demand'}
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { poisson: 0.2/s }
    service_time: { exponential: 1s }
policies: [least-latency]
`);

  it('interruptions follow a renewal process and are not billed', () => {
    const onDemand = pool(only(runScenario(scenario(false))), 'dc/gpu');
    const r = runScenario(scenario(true));
    expectConserved(r);
    const spot = pool(only(r), 'dc/gpu');

    // Each unit: up Exp(600 s), then down a fixed 60 s restart. Interruptions in T: N·T/(600 + 60) = 218
    // (≈ N·T/mean_time = 240 only if the restart were instantaneous).
    const process = onOff(MEAN, RESTART, 0);
    const c = process.cycles(T);
    expect(N * c.mean).toBeCloseTo(218.18, 2);
    expect(Math.abs(spot.preemptions - N * c.mean)).toBeLessThan(3 * Math.sqrt(N) * c.sd);
    expect(spot.unit_failures).toBe(0);

    // On demand: 4 instances × 10 h × $0.40 = $16. Spot at the same $/h is billed only while up: × 600/660.
    expect(onDemand.cost_usd).toBeCloseTo((N * T * PRICE) / 3600, 9);
    expect(onDemand.cost_usd).toBeCloseTo(16, 9);
    const ratio = spot.cost_usd / onDemand.cost_usd;
    expect(Math.abs(ratio - process.upFraction)).toBeLessThan(3 * process.fractionSd(N * T));
    expect(spot.mean_units / N).toBeCloseTo(ratio, 6);
  });
});

// ------------------------------------------------------------------------------------------------ bursts

describe('bursts', () => {
  it('a ×3 burst triples Poisson arrivals inside its window', () => {
    const s = load(`name: bursts
seed: 13
duration: 3000s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      cpu: { device: generic-cpu, count: 4, usd_per_hour: 1 }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { poisson: 2/s, bursts: [{ start: 900s, duration: 450s, multiplier: 3 }] }
    service_time: { exponential: 10ms }
policies: [least-latency]
`);
    const p = only(runScenario(s));
    const ts = p.timeseries;
    const a = ts.services[0].arrivals;
    const within3Sigma = (n: number, mean: number) =>
      expect(Math.abs(n - mean), `${n} vs ${mean}`).toBeLessThan(3 * Math.sqrt(mean));
    within3Sigma(countIn(a, ts.interval_s, 900, 1350), 3 * 2 * 450);
    within3Sigma(countIn(a, ts.interval_s, 0, 900), 2 * 900);
    within3Sigma(countIn(a, ts.interval_s, 1350, 3000), 2 * 1650);
  });

  it('constant arrivals are spaced 1/(rate × multiplier) inside a burst', () => {
    const s = load(`name: bursts
duration: 900s
regions:
  eu: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      cpu: { device: generic-cpu, count: 4, usd_per_hour: 1 }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { constant: 1/s, bursts: [{ start: 300s, duration: 300s, multiplier: 3 }] }
    service_time: { deterministic: 10ms }
policies: [least-latency]
`);
    const ts = only(runScenario(s)).timeseries;
    const a = ts.services[0].arrivals;
    expect(Math.abs(countIn(a, ts.interval_s, 300, 600) - 900)).toBeLessThanOrEqual(2);
    expect(Math.abs(countIn(a, ts.interval_s, 0, 300) - 300)).toBeLessThanOrEqual(1);
    expect(Math.abs(countIn(a, ts.interval_s, 600, 900) - 300)).toBeLessThanOrEqual(2);
  });
});

// ------------------------------------------------------------------------------------------ hourly carbon

describe('hourly grid carbon', () => {
  // One test device (100 W idle, 300 W busy) for 24 h, PUE 1.2. Constant arrivals every 10 s, each busy
  // for exactly 1 s (10 ms after arrival, so no request straddles an hour):
  //   energy = (100 W × 86,400 s + 200 W × 8,640 s) × 1.2 / 3.6e6 = 3.456 kWh, the same in every hour.
  const HALF = [...Array<number>(12).fill(0), ...Array<number>(12).fill(1000)];
  const scenario = (grid: string, arrivals = '{ constant: 6/min }') =>
    load(`name: carbon
duration: 24h
regions:
  eu: { grid_gco2_per_kwh: ${grid}, pue: 1.2 }
catalog:
  devices:
    test-box:
      class: cpu
      peak_tflops: { fp32: 1 }
      memory: 64GB
      bandwidth: 100GB/s
      power_max: 300W
      power_idle: 100W
      source: test fixture
      as_of: 2026-01
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      box: { device: test-box, count: 1, usd_per_hour: 1 }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: ${arrivals}
    service_time: { deterministic: 1s }
policies: [least-latency]
`);

  it('flat energy under 12 h of 0 and 12 h of 1000 g/kWh emits energy × the mean (500 g/kWh)', () => {
    const p = only(runScenario(scenario(`[${HALF.join(', ')}]`)));
    expect(p.pools[0].energy_kwh).toBeCloseTo(3.456, 6);
    expect(p.totals.carbon_kg.compute).toBeCloseTo((3.456 * 500) / 1000, 6);

    const flat = only(runScenario(scenario('500')));
    expect(flat.totals.carbon_kg.compute).toBeCloseTo(p.totals.carbon_kg.compute, 9);

    // The same 24 values from a CSV file (with a header line).
    const csv = only(runScenario(scenario('{ csv: grid-24h.csv }')));
    expect(csv.totals.carbon_kg.compute).toBeCloseTo(p.totals.carbon_kg.compute, 9);
  });

  it('load in the clean hours emits less than the same load in the dirty hours', () => {
    // Base 1 every 10 min, ×60 (1 every 10 s) for 12 h. Busy seconds: 4,320 in the burst half, 72 in the other.
    //   burst in hours 0–11:  grid 1000 sees 100 W × 43,200 s + 200 W × 72 s    → 1.2 × 4.3344e6 J = 1.4448 kg
    //   burst in hours 12–23: grid 1000 sees 100 W × 43,200 s + 200 W × 4,320 s → 1.2 × 5.184e6 J  = 1.728 kg
    const grid = `[${HALF.join(', ')}]`;
    const early = only(
      runScenario(scenario(grid, '{ constant: 6/h, bursts: [{ start: 0s, duration: 12h, multiplier: 60 }] }')),
    );
    const late = only(
      runScenario(scenario(grid, '{ constant: 6/h, bursts: [{ start: 12h, duration: 12h, multiplier: 60 }] }')),
    );
    expect(early.services[0].arrivals).toBe(4320 + 72);
    expect(late.services[0].arrivals).toBe(4320 + 72);
    expect(early.pools[0].energy_kwh).toBeCloseTo(late.pools[0].energy_kwh, 9);
    expect(early.totals.carbon_kg.compute).toBeLessThan(late.totals.carbon_kg.compute);
    expect(early.totals.carbon_kg.compute).toBeCloseTo((1.2 * 4.3344e6) / 3.6e6, 6);
    expect(late.totals.carbon_kg.compute).toBeCloseTo((1.2 * 5.184e6) / 3.6e6, 6);
  });
});

// ------------------------------------------------------------------------------------------------ residency

describe('data residency', () => {
  // Users in the US; the US pools are nearer, cheaper and cleaner, so every policy would pick them.
  const scenario = (residency: string, extraRegion = '') =>
    load(`name: residency
seed: 17
duration: 600s
regions:
  eu: { grid_gco2_per_kwh: 400, pue: 1.3 }
  us: { grid_gco2_per_kwh: 50, pue: 1.1 }
${extraRegion}network:
  rtt: { "eu <-> us": 80ms }
sites:
  us-dc:
    kind: cloud
    region: us
    pools:
      cpu: { device: generic-cpu, count: 4, usd_per_hour: 0.5 }
  us-edge:
    kind: edge
    region: us
    pools:
      box: { device: generic-cpu, count: 4, usd_per_hour: 0.5 }
  eu-dc:
    kind: cloud
    region: eu
    pools:
      cpu: { device: generic-cpu, count: 4, usd_per_hour: 2 }
  eu-edge:
    kind: edge
    region: eu
    pools:
      box: { device: generic-cpu, count: 4, usd_per_hour: 2 }
users:
  u: { region: us, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
${residency}    arrivals: { poisson: 2/s }
    service_time: { exponential: 100ms }
    slo: { latency: 2s }
`);

  it('every policy places only in the allowed region', () => {
    const r = runScenario(scenario('    residency: [eu]\n'));
    expectConserved(r);
    expect(r.policies.length).toBeGreaterThanOrEqual(7);
    for (const p of r.policies) {
      const places = Object.keys(p.services[0].placements);
      for (const name of places) expect(name, p.policy).toMatch(/^eu-/);
    }
    const byName = (n: string) => r.policies.find((p) => p.policy === n)!;
    expect(Object.keys(byName('least-latency').services[0].placements).length).toBeGreaterThan(0);

    // Without residency the same policies do use the US (so the check above can fail).
    const free = runScenario(scenario(''));
    for (const name of [
      'cloud-only',
      'edge-only',
      'nearest',
      'least-latency',
      'cheapest-within-slo',
      'lowest-carbon',
    ]) {
      const p = free.policies.find((x) => x.policy === name)!;
      expect(
        Object.keys(p.services[0].placements).some((k) => k.startsWith('us-')),
        name,
      ).toBe(true);
    }
  });

  it('no pool in an allowed region: PlanError naming the service and its regions', () => {
    const s = scenario('    residency: [asia]\n', '  asia: { grid_gco2_per_kwh: 500, pue: 1.2 }\n');
    let err: unknown;
    try {
      runScenario(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    const e = err as PlanError;
    expect(e.message).toContain('service "s"');
    expect(e.message).toMatch(/\basia\b/);
    expect(e.path).toEqual(['services', 's', 'residency']);
  });
});

// ------------------------------------------------------------------------------------------------ APIs

describe('managed AI APIs', () => {
  // The 400e9-parameter model fits no pool (one 8 GB Raspberry Pi), so every request goes to the API.
  const scenarioText = (api: string, arrivals = '{ poisson: 1/s }', duration = '1000s') =>
    `name: api
seed: 19
duration: ${duration}
regions:
  eu: { grid_gco2_per_kwh: 300, pue: 1.2 }
  us: { grid_gco2_per_kwh: 400, pue: 1.1 }
network:
  rtt: { "eu <-> us": 80ms }
sites:
  home:
    kind: edge
    region: eu
    pools:
      pi: { device: raspberry-pi-5, count: 1, capex_usd: 80, lifetime: 3y }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
models:
  big: { params: 400e9 }
services:
  chat:
    model: big
    users: u
    arrivals: ${arrivals}
    request: { input_tokens: 400, output_tokens: 150 }
apis:
  llm-api:
    region: us
    models: [big]
${api}
policies: [least-latency]
`;
  const scenario = (api: string, arrivals?: string, duration?: string) => load(scenarioText(api, arrivals, duration));

  it('costs input × in-price + output × out-price + per-request price per completed request; energy as declared', () => {
    const p = only(
      runScenario(
        scenario(`    price: { usd_per_1m_input_tokens: 3, usd_per_1m_output_tokens: 15, usd_per_request: 0.001 }
    latency: { lognormal: 1.5s, cv: 0.3 }
    energy_wh_per_request: 2`),
      ),
    );
    const s = p.services[0];
    const a = p.apis[0];
    expect(s.completed).toBeGreaterThan(800);
    expect(s.rejected).toBe(0);
    expect(s.placements).toEqual({ 'llm-api': s.arrivals });
    expect(a.requests).toBe(s.completed);
    const perRequest = 400 * (3 / 1e6) + 150 * (15 / 1e6) + 0.001; // = 0.00445
    expect(a.cost_usd / a.requests).toBeCloseTo(perRequest, 12);
    expect(p.totals.cost_usd.api).toBeCloseTo(a.requests * perRequest, 9);
    expect(a.energy_kwh).toBeCloseTo((a.requests * 2) / 1000, 12);
    expect(p.totals.energy_kwh.api).toBeCloseTo(a.energy_kwh, 12);
    // The API's energy is emitted at its endpoint's grid (us, 400 g/kWh), no PUE on top of the declared figure.
    expect(a.carbon_kg).toBeCloseTo((a.energy_kwh * 400) / 1000, 9);
    expect(a.region).toBe('us');
  });

  it('max_concurrency 1 with a 2 s latency turns most requests away (Erlang B: λL / (1 + λL) = 2/3)', () => {
    const p = only(
      runScenario(
        scenario(
          `    price: { usd_per_1m_input_tokens: 3, usd_per_1m_output_tokens: 15 }
    latency: { deterministic: 2s }
    max_concurrency: 1`,
          '{ poisson: 1/s }',
          '2000s',
        ),
      ),
    );
    const s = p.services[0];
    expect(s.rejected).toBeGreaterThan(0);
    // One at a time, 2 s each: at most window / 2 + 1 completions.
    expect(s.completed).toBeLessThanOrEqual(2000 / 2 + 1);
    const judged = s.completed + s.rejected;
    const blocked = s.rejected / judged;
    const sd = Math.sqrt(((2 / 3) * (1 / 3)) / judged);
    expect(Math.abs(blocked - 2 / 3)).toBeLessThan(Math.max(4 * sd, 0.03));
  });

  it('a region outage drops the requests its API was serving: lost (or retried), never answered', () => {
    const api = `    price: { usd_per_request: 0.01 }
    latency: { deterministic: 10s }`;
    const text = (retries: number) =>
      scenarioText(api, '{ constant: 1/s }', '300s').replace(
        '    users: u\n',
        `    users: u\n    retries: ${retries}\n`,
      ) + 'outages:\n  - { region: us, start: 100.5s, duration: 50s }\n';
    const { result, rows } = runTraced(load(text(0)));
    expectConserved(result);
    const s = only(result).services[0];
    // Requests sent at 91..100 s (arriving at 91.01..100.01) were being served when the region went down at
    // 100.5 s: none of them is answered; the ten are lost. Those sent in the outage find no target: rejected.
    const spanning = rows.filter((r) => r.arrival_s < 100.5 && r.arrival_s + 10 > 100.5);
    expect(spanning.length).toBe(10);
    for (const r of spanning) expect(r.outcome, `request at ${r.arrival_s}`).toBe('lost');
    expect(s.lost).toBe(10);
    expect(rows.filter((r) => r.outcome === 'completed' && r.arrival_s < 100.5).length).toBe(91);
    expect(s.rejected).toBe(50);
    // With a retry each, the dropped requests look for another target: there is none during the outage.
    const retried = only(runScenario(load(text(1)))).services[0];
    expect(retried.lost).toBe(10);
    expect(retried.retried).toBe(0);
  });

  it('residency applies to APIs: an API outside the allowed regions never serves', () => {
    const api = `    price: { usd_per_request: 0.01 }
    latency: { deterministic: 1s }`;
    const text = (residency: string) =>
      scenarioText(api).replace('    users: u\n', `    users: u\n    residency: [${residency}]\n`);
    const us = only(runScenario(load(text('us'))));
    expect(us.services[0].completed).toBeGreaterThan(800);
    expect(us.apis[0].requests).toBe(us.services[0].completed);

    let err: unknown;
    try {
      runScenario(load(text('eu')));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).message).toContain('service "chat"');
    expect((err as PlanError).path).toEqual(['services', 'chat', 'residency']);
  });
});

// ------------------------------------------------------------------------------------------------ variants

describe('policy variants', () => {
  it('a variant provisions only its pools', () => {
    const s = load(`name: variants
duration: 600s
regions:
  eu: { grid_gco2_per_kwh: 300, pue: 1.2 }
  us: { grid_gco2_per_kwh: 400, pue: 1.1 }
network:
  rtt: { "eu <-> us": 80ms }
sites:
  eu-dc:
    kind: cloud
    region: eu
    pools:
      cpu: { device: generic-cpu, count: 2, usd_per_hour: 1.5 }
  us-dc:
    kind: cloud
    region: us
    pools:
      cpu: { device: generic-cpu, count: 2, usd_per_hour: 1 }
  eu-edge:
    kind: edge
    region: eu
    pools:
      box: { device: generic-cpu, count: 2, capex_usd: 1000, lifetime: 3y }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: u
    arrivals: { poisson: 2/s }
    service_time: { exponential: 100ms }
policies:
  - { name: us-only, policy: least-latency, pools: [us-dc/cpu] }
  - least-latency
`);
    const r = runScenario(s);
    expectConserved(r);
    const variant = r.policies.find((p) => p.policy === 'us-only')!;
    for (const q of variant.pools) {
      if (q.name === 'us-dc/cpu') {
        expect(q.provisioned).toBe(true);
        expect(q.cost_usd).toBeCloseTo((2 * 600 * 1) / 3600, 9); // 2 units × 600 s × $1/h
      } else {
        expect(q, q.name).toMatchObject({
          provisioned: false,
          cost_usd: 0,
          energy_kwh: 0,
          carbon_kg: 0,
          mean_units: 0,
        });
      }
    }
    expect(Object.keys(variant.services[0].placements)).toEqual(['us-dc/cpu']);

    const plain = r.policies.find((p) => p.policy === 'least-latency')!;
    for (const q of plain.pools) {
      expect(q.provisioned, q.name).toBe(true);
      expect(q.cost_usd, q.name).toBeGreaterThan(0);
    }
  });
});
