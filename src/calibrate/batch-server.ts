/**
 * MLPerf Server rows of fixed-batch models (ResNet-50, BERT, GPT-J with beam search) through the simulator's
 * dynamic batching: Poisson arrivals into a pool of `replicas` servers, each running one batch at a time of
 * up to `max_batch` queued requests, started when the batch is full or when its oldest request has waited
 * `max_wait_s` (the simulator's fixed-batch server, src/sim/pools.ts). The batch times come from the
 * calibration's own timing (`time(b)`, with the candidate constants while fitting), written into the plan's
 * timing table, so the queueing, the batch formation and the p99 latency are the simulator's.
 * docs/calibration.md ("How each MLPerf scenario is measured") gives the harness settings used.
 */
import type { Device, ItemModel } from '../model/types.js';
import { buildPlan } from '../sim/plan.js';
import { pointScenario } from '../sim/point-scenario.js';
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
  const scenario = pointScenario({
    name: 'batch-server',
    seed: spec.seed ?? 1,
    duration_s: spec.duration_s,
    warmup_s: spec.warmup_s,
    pool: { name: 'dc/batch', device, units: spec.replicas },
    model,
    service: {
      name: 'server',
      arrivals: { kind: 'poisson', rate_per_s: spec.rate_per_s },
      request: {
        input_tokens: 0,
        output_tokens: 0,
        items: 1,
        lengths: { items: null, input_tokens: null, output_tokens: null },
        upload_bytes: 0,
        download_bytes: 0,
      },
      batching: { max_batch: spec.max_batch, max_wait_s: spec.max_wait_s },
      scheduler: null,
    },
  });
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
