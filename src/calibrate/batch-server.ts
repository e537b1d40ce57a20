/**
 * MLPerf Server rows of fixed-batch models (ResNet-50, BERT, GPT-J with beam search) through the simulator's
 * dynamic batching: Poisson arrivals into a pool of `replicas` servers, each running one batch at a time of
 * up to `max_batch` queued requests, started when the batch is full or when its oldest request has waited
 * `max_wait_s` (the simulator's fixed-batch server, src/sim/pools.ts). The batch times come from the
 * calibration's own timing (`time(b)`, with the candidate constants while fitting), written into the plan's
 * timing table, so the queueing, the batch formation and the p99 latency are the simulator's.
 * docs/calibration.md ("How each MLPerf scenario is measured") gives the harness settings used.
 */
import type { Device, ItemModel, Pool, Scenario, Service } from '../model/types.js';
import { buildPlan } from '../sim/plan.js';
import { runPolicy } from '../sim/run-policy.js';
import { policyResult } from '../sim/result.js';
import { builtinPolicy } from '../placement/builtin.js';

export interface BatchServerSpec {
  device: Device;
  /** Model replicas in the system (each runs one batch at a time). */
  replicas: number;
  max_batch: number;
  max_wait_s: number;
  /** Time of a batch of b requests, seconds (b = 1..max_batch). */
  time: (b: number) => number;
  rate_per_s: number;
  duration_s: number;
  warmup_s: number;
  seed?: number;
}

export interface BatchServerResult {
  completed: number;
  /** Completions per second of the window. */
  requests_per_s: number;
  /** p99 of arrival-to-completion latency, seconds (null when nothing completed). */
  p99_s: number | null;
  mean_batch: number;
}

/** One Poisson point of the fixed-batch server (see the file comment). */
export function runBatchServer(spec: BatchServerSpec): BatchServerResult {
  // A stand-in items model: the batch times are written into the plan below, so only its shape matters. No
  // weights: one device per replica, and every replica is one simulated server.
  const model: ItemModel = {
    index: 0,
    name: 'calibration',
    kind: 'items',
    flops_per_item: 1,
    dtype: 'fp16',
    weight_bytes: 0,
    activation_bytes_per_item: 0,
  };
  const device: Device = { ...spec.device, peak_flops: { ...spec.device.peak_flops, fp16: 1e15 } };
  const pool: Pool = {
    index: 0,
    name: 'dc/batch',
    site: 0,
    device,
    devices_per_unit: 1,
    units: spec.replicas,
    unit_power_idle_w: device.power_idle_w,
    unit_power_max_w: device.power_max_w,
    usd_per_unit_hour: 0,
    capex_usd_per_unit: 0,
    lifetime_s: 0,
    electricity_usd_per_kwh: 0,
    upkeep_usd_per_unit_year: 0,
    max_queue: Infinity,
    use: 'inference',
    autoscale: null,
    failures: null,
    preemption: null,
  };
  const service: Service = {
    index: 0,
    name: 'server',
    model: 0,
    users: [{ user: 0, weight: 1 }],
    arrivals: { kind: 'poisson', rate_per_s: spec.rate_per_s },
    bursts: [],
    allowed_regions: null,
    request: {
      input_tokens: 0,
      output_tokens: 0,
      items: 1,
      lengths: { items: null, input_tokens: null, output_tokens: null },
      upload_bytes: 0,
      download_bytes: 0,
    },
    slo: { latency_s: null, ttft_s: null, tpot_s: null, percentile: null },
    batching: { max_batch: spec.max_batch, max_wait_s: spec.max_wait_s },
    scheduler: null,
    service_time: null,
    retries: 0,
    deferrable_s: null,
  };
  const scenario: Scenario = {
    name: 'batch-server',
    description: '',
    seed: spec.seed ?? 1,
    duration_s: spec.duration_s,
    warmup_s: spec.warmup_s,
    regions: [{ index: 0, name: 'local', grid_gco2_per_kwh: 0, grid_hourly: null, pue: 1 }],
    network: { rtt_s: [[0]], egress_usd_per_gb: 0, inter_region_usd_per_gb: 0, energy_kwh_per_gb: 0 },
    sites: [
      {
        index: 0,
        name: 'dc',
        kind: 'cloud',
        region: 0,
        uplink: { mtbf_s: null, mttr_s: null, buffer_bytes: 0 },
        backhaul_bps: { in: Infinity, out: Infinity },
        serves: null,
      },
    ],
    pools: [pool],
    users: [
      {
        index: 0,
        name: 'local',
        region: 0,
        access_rtt_edge_s: 0,
        access_rtt_cloud_s: 0,
        uplink_bps: { edge: Infinity, cloud: Infinity },
        downlink_bps: { edge: Infinity, cloud: Infinity },
        shared_uplink_bps: { edge: Infinity, cloud: Infinity },
      },
    ],
    models: [model],
    services: [service],
    apis: [],
    training: [],
    policies: ['least-latency'],
    policy_variants: {},
    outages: [],
    warnings: [],
  };
  const plan = buildPlan(scenario);
  for (const t of plan.targets) {
    for (let b = 1; b <= spec.max_batch; b++) {
      const s = spec.time(b);
      t.batchTime[b] = s;
      t.firstToken[b] = s;
    }
  }
  const r = policyResult(plan, runPolicy(plan, builtinPolicy('least-latency')!));
  const s = r.services[0];
  const window = spec.duration_s - spec.warmup_s;
  return {
    completed: s.completed,
    requests_per_s: window > 0 ? s.completed / window : 0,
    p99_s: s.latency_ms === null ? null : s.latency_ms.p99 / 1000,
    mean_batch: r.pools[0].mean_batch_size,
  };
}
