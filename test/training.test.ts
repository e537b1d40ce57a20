/**
 * Training jobs, carbon-aware shifting of deferrable work, link outages and queue-driven autoscaling.
 * Expected figures come from the scenario inputs and the catalog's datasheet numbers, worked by hand.
 */
import { describe, it, expect } from 'vitest';
import { loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import type { PolicyResult, Result } from '../src/metrics/result.js';
import type { TraceRow } from '../src/metrics/trace.js';
import { defaultCatalog } from '../src/hardware/catalog.js';
import { GENERATION_MFU } from '../src/hardware/training.js';

const FILE = 'test/fixtures/training/t.yaml';
const run = (text: string, trace?: (r: TraceRow) => void): Result =>
  runScenario(loadScenarioText(text, FILE), trace ? { trace } : {});
const pol = (r: Result, name: string): PolicyResult => r.policies.find((p) => p.policy === name)!;

const H100_BF16 = 989e12; // NVIDIA H100 SXM datasheet, dense
const catalog = defaultCatalog();
const P5_PRICE = catalog.instances['aws/p5.48xlarge'].prices['us-east']['on-demand']; // $/h, catalog (us-east)
const P5_MAX_W = 8 * catalog.devices['h100-sxm'].power_max_w + catalog.instances['aws/p5.48xlarge'].host_power_max_w;

describe('a training job on a dedicated on-demand pool', () => {
  const text = `
name: train
duration: 10d
regions: { us-east: {} }
sites:
  aws:
    kind: cloud
    region: us-east
    pools:
      gpus: { instance: aws/p5.48xlarge, replicas: 2, use: training }
training:
  job:
    flops: 1e21
    pool: aws/gpus
    checkpoint: { every: 1h, size: 100GB, write: 5GB/s }
policies: [least-latency]
`;
  const r = run(text);
  const job = pol(r, 'least-latency').jobs[0];
  // 16 devices: scaling 0.97 per doubling beyond 8 → 0.97. MFU: a job given as FLOPs (no model) gets the Hopper
  // default at its 70B anchor, 0.242 (fitted on published pre-training runs, docs/training.md "Model scale"; the
  // Llama 3 70B card implies 0.2765 and the Llama 3.1 70B card 0.253).
  const mfu = GENERATION_MFU.hopper.large;
  const rate = 16 * H100_BF16 * mfu * 0.97;
  const compute = 1e21 / rate;
  const writes = Math.floor(compute / 3600) * (100e9 / 5e9);

  it('takes 6·N·D / (devices × peak × MFU × scaling) plus its checkpoint writes', () => {
    expect(job.status).toBe('done');
    expect(Math.abs(job.time_to_train_s! - (compute + writes)) / (compute + writes)).toBeLessThan(0.005);
    expect(job.checkpoints).toBe(Math.floor(compute / 3600));
    expect(job.progress).toBe(1);
  });

  it('costs the capacity held and draws full power for it', () => {
    const seconds = job.time_to_train_s!; // checked against the default MFU above
    expect(job.cost_usd).toBeCloseTo((2 * P5_PRICE * seconds) / 3600, 4);
    expect(job.energy_kwh).toBeCloseTo((2 * P5_MAX_W * seconds * 1.15) / 3.6e6, 3);
    // The pool is billed only while the job holds it.
    const pool = pol(r, 'least-latency').pools[0];
    expect(pool.cost_usd).toBeCloseTo(job.cost_usd, 4);
  });
});

describe('spot interruptions and checkpoints', () => {
  const text = (pricing: string) => `
name: spot
duration: 20d
seed: 3
regions: { us-east: {} }
sites:
  aws:
    kind: cloud
    region: us-east
    pools:
      gpus: { instance: aws/p5.48xlarge, replicas: 2, use: training, ${pricing} }
training:
  job:
    flops: 1e21
    pool: aws/gpus
    checkpoint: { every: 1h, size: 100GB }
    restart: 15m
policies: [least-latency]
`;
  const od = pol(run(text('pricing: on-demand')), 'least-latency').jobs[0];
  const spot = pol(run(text('pricing: spot, preemption: { mean_time: 8h, restart: 10m }')), 'least-latency').jobs[0];

  it('interrupts, loses the work since the last checkpoint, takes longer, costs less', () => {
    expect(spot.status).toBe('done');
    expect(spot.interruptions).toBeGreaterThan(0);
    expect(spot.lost_device_hours).toBeGreaterThan(0);
    // At most one checkpoint interval (plus its write) is lost per interruption, on 16 devices.
    expect(spot.lost_device_hours).toBeLessThanOrEqual(spot.interruptions * 16 * (1 + 20 / 3600) + 1e-9);
    expect(spot.time_to_train_s!).toBeGreaterThan(od.time_to_train_s!);
    expect(spot.cost_usd).toBeLessThan(od.cost_usd);
    expect(od.interruptions).toBe(0);
  });
});

describe('a pool shared by training and inference', () => {
  const text = `
name: shared
duration: 2d
seed: 5
regions: { us-east: {} }
sites:
  dc:
    kind: cloud
    region: us-east
    pools:
      gpus: { instance: aws/p5.48xlarge, replicas: 2, use: both }
users:
  u: { region: us-east, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  bursty:
    users: u
    arrivals: { poisson: 0.01/s, bursts: [{ start: 6h, duration: 1h, multiplier: 2000 }] }
    service_time: { exponential: 2s }
training:
  job:
    flops: 2e20
    pool: dc/gpus
    devices: 8
    checkpoint: { every: 30m, size: 50GB }
    restart: 20m
policies: [least-latency]
`;
  const p = pol(run(text), 'least-latency');

  it('inference has priority: the job yields when requests queue, then finishes', () => {
    const job = p.jobs[0];
    expect(job.yields).toBeGreaterThan(0);
    expect(job.status).toBe('done');
    expect(p.conservation.arrivals).toBe(
      p.conservation.completed + p.conservation.rejected + p.conservation.lost + p.conservation.in_flight,
    );
  });
});

// A grid dirty for the first 12 hours of each day and clean for the last 12.
const DIRTY_THEN_CLEAN = `[${[...Array(12).fill(800), ...Array(12).fill(50)].join(', ')}]`;

describe('carbon-aware shifting', () => {
  it('defers a training job with a deadline into the clean hours', () => {
    const text = `
name: shift
duration: 3d
regions: { r: { grid_gco2_per_kwh: ${DIRTY_THEN_CLEAN}, pue: 1.1 } }
sites:
  dc:
    kind: cloud
    region: r
    pools:
      gpus: { instance: aws/p5.48xlarge, replicas: 1, use: training, usd_per_hour: 98.32 }
training:
  job:
    flops: 5e19
    pool: dc/gpus
    deadline: 24h
policies: [least-latency, carbon-aware]
`;
    const r = run(text);
    const asap = pol(r, 'least-latency').jobs[0];
    const green = pol(r, 'carbon-aware').jobs[0];
    const hours = 5e19 / (8 * H100_BF16 * 0.4) / 3600; // ≈ 4.4 h on 8 devices
    expect(asap.planned_start_s).toBe(0);
    expect(green.planned_start_s).toBeGreaterThanOrEqual(12 * 3600);
    expect(green.planned_start_s + hours * 3600).toBeLessThanOrEqual(24 * 3600);
    expect(green.deadline_met).toBe(true);
    // All of its energy at 50 g/kWh instead of 800: the ratio is 16.
    expect(asap.carbon_kg / green.carbon_kg).toBeCloseTo(16, 6);
    expect(green.energy_kwh).toBeCloseTo(asap.energy_kwh, 9);
  });

  it('holds deferrable requests for clean hours; interactive ones are placed at once', () => {
    const text = `
name: batch
duration: 2d
warmup: 0s
seed: 2
regions: { r: { grid_gco2_per_kwh: ${DIRTY_THEN_CLEAN}, pue: 1.0 } }
sites:
  dc:
    kind: cloud
    region: r
    pools:
      cpus: { device: generic-cpu, count: 8, usd_per_hour: 1 }
users:
  u: { region: r, access_rtt: { edge: 5ms, cloud: 10ms } }
services:
  batch:
    users: u
    arrivals: { poisson: 0.05/s }
    service_time: { deterministic: 10s }
    deferrable: { window: 13h }
policies: [least-latency, carbon-aware]
`;
    const rows: TraceRow[] = [];
    const r = run(text, (row) => rows.push({ ...row }));
    const now = pol(r, 'least-latency').services[0];
    const held = pol(r, 'carbon-aware').services[0];
    expect(now.latency_ms!.max).toBeLessThan(11_000);
    expect(held.latency_ms!.mean).toBeGreaterThan(3600_000);
    // Every completed request under carbon-aware ran in a clean hour (12..24 h of the day).
    const green = rows.filter((x) => x.policy === 'carbon-aware' && x.outcome === 'completed');
    expect(green.length).toBeGreaterThan(0);
    for (const x of green) {
      const ranAt = x.arrival_s + x.latency_s - x.execution_s;
      expect((ranAt / 3600) % 24).toBeGreaterThanOrEqual(12 - 1e-6);
    }
    expect(pol(r, 'carbon-aware').totals.carbon_kg.compute).toBeLessThan(
      pol(r, 'least-latency').totals.carbon_kg.compute,
    );
  });
});

describe('link outages', () => {
  it('no request crosses a region link while it is down', () => {
    const text = `
name: link
duration: 1h
regions:
  a: { grid_gco2_per_kwh: 100, pue: 1.1 }
  b: { grid_gco2_per_kwh: 100, pue: 1.1 }
network: { rtt: { a <-> b: 40ms } }
sites:
  far:
    kind: cloud
    region: b
    pools:
      cpus: { device: generic-cpu, count: 4, usd_per_hour: 1 }
  near:
    kind: edge
    region: a
    pools:
      cpus: { device: generic-cpu, count: 4, capex_usd: 1000, lifetime: 3y }
users:
  u: { region: a, access_rtt: { edge: 5ms, cloud: 10ms } }
services:
  s:
    users: u
    arrivals: { poisson: 20/s }
    service_time: { exponential: 50ms }
outages:
  - { link: a <-> b, start: 20m, duration: 10m }
policies: [cloud-only]
`;
    const rows: TraceRow[] = [];
    const r = run(text, (row) => rows.push({ ...row }));
    const inside = rows.filter((x) => x.arrival_s >= 1200 && x.arrival_s < 1800);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.every((x) => x.outcome === 'rejected' && x.pool === '')).toBe(true);
    const outside = rows.filter((x) => x.arrival_s < 1190 && x.outcome === 'completed');
    expect(outside.length).toBeGreaterThan(0);
    expect(pol(r, 'cloud-only').services[0].rejected).toBe(inside.length);
  });
});

describe('autoscaling on queue length', () => {
  it('adds instances while requests wait and releases them when none do', () => {
    const text = `
name: q
duration: 6h
regions: { us-east: {} }
sites:
  aws:
    kind: cloud
    region: us-east
    pools:
      gpus:
        instance: aws/g5.xlarge
        autoscale: { min: 1, max: 6, metric: queue, target_queue: 2, scale_in_after: 5m, boot_time: 1m, check_every: 20s }
users:
  u: { region: us-east, access_rtt: { edge: 5ms, cloud: 10ms } }
services:
  s:
    users: u
    arrivals: { poisson: 2/s, bursts: [{ start: 2h, duration: 1h, multiplier: 4 }] }
    service_time: { exponential: 1s }
policies: [least-latency]
`;
    const p = pol(run(text), 'least-latency');
    const replicas = p.timeseries.pools[0].replicas;
    expect(Math.max(...replicas)).toBeGreaterThan(Math.min(...replicas));
    expect(p.pools[0].cold_starts).toBeGreaterThan(0);
    // The burst needs ≥ 8 replicas' worth (8/s × 1 s) but the pool stops at 6 instances.
    expect(Math.max(...replicas)).toBeLessThanOrEqual(6);
    expect(p.pools[0].mean_units).toBeLessThan(6);
  });
});

describe('dtype fallbacks are reported', () => {
  it('warns when a device has no figure for the dtype asked for', () => {
    const text = `
name: fp32
duration: 10m
regions: { us-east: {} }
sites:
  aws:
    kind: cloud
    region: us-east
    pools:
      gpus: { instance: aws/p5.48xlarge, replicas: 1 }
users:
  u: { region: us-east, access_rtt: { edge: 5ms, cloud: 20ms } }
models:
  net: { flops_per_item: 1e9, weights: 10MB, dtype: fp32 }
services:
  s: { model: net, users: u, arrivals: { poisson: 1/s } }
policies: [least-latency]
`;
    const r = run(text);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('device "h100-sxm" has no fp32 figure');
    expect(r.warnings[0]).toContain('optimistic');
  });
});

describe('managed API latency draws', () => {
  const text = (policies: string) => `
name: api-draws
duration: 4000s
warmup: 0s
seed: 21
regions: { r: { grid_gco2_per_kwh: 100, pue: 1.1 } }
sites:
  dc:
    kind: cloud
    region: r
    pools:
      cpus: { device: generic-cpu, count: 1, usd_per_hour: 1 }
users:
  u: { region: r, access_rtt: { edge: 0ms, cloud: 0ms } }
models:
  m: { flops_per_item: 1e14, weights: 1GB, dtype: fp32 }
services:
  s: { model: m, users: u, arrivals: { poisson: 20/s } }
apis:
  api:
    region: r
    models: [m]
    price: { usd_per_request: 0.001 }
    latency: { lognormal: 500ms, cv: 0.5 }
policies: [${policies}]
`;
  it('follow the declared lognormal (mean and median), drawn per request whatever else is compared', () => {
    const a = run(text('cheapest-within-slo'));
    const b = run(text('least-latency, cheapest-within-slo'));
    const s = a.policies[0].services[0];
    expect(s.placements['api']).toBe(s.arrivals);
    // Mean 500 ms; median exp(μ) = 500 / sqrt(1 + cv²) = 447.2 ms. 80,000 draws: well within 2%.
    expect(Math.abs(s.latency_ms!.mean / 500 - 1)).toBeLessThan(0.02);
    expect(Math.abs(s.latency_ms!.p50 / (500 / Math.sqrt(1.25)) - 1)).toBeLessThan(0.02);
    // The same requests get the same API latencies whatever else the run compares.
    expect(b.policies[1].services[0].latency_ms).toEqual(s.latency_ms);
  });
});

describe('batch work after interactive requests', () => {
  it('a freed replica takes a waiting interactive request before queued batch work', () => {
    // One replica; five batch jobs of 10 s each at t = 0..4 s, then interactive pings every 3 s from 1 s.
    const text = `
name: priority
duration: 40s
warmup: 0s
regions: { r: { grid_gco2_per_kwh: 100, pue: 1.1 } }
sites:
  dc:
    kind: cloud
    region: r
    pools:
      cpu: { device: generic-cpu, count: 1, usd_per_hour: 1 }
users:
  u: { region: r, access_rtt: { edge: 0ms, cloud: 0ms } }
services:
  batch:
    users: u
    arrivals: { trace: five-jobs.csv }
    service_time: { deterministic: 10s }
    deferrable: { window: 1h }
  ping:
    users: u
    arrivals: { constant: 0.3333333333/s }
    service_time: { deterministic: 1ms }
policies: [least-latency]
`;
    const rows: TraceRow[] = [];
    run(text, (r) => rows.push({ ...r }));
    const pings = rows.filter((r) => r.service === 'ping' && r.outcome === 'completed');
    // The first ping (t = 0) runs at once; every later one waits at most for the batch job then running.
    expect(pings.length).toBeGreaterThan(3);
    for (const p of pings) expect(p.queue_s).toBeLessThanOrEqual(10 + 1e-9);
  });
});
