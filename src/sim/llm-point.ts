/**
 * One LLM serving point without a scenario file or the CLI: a pool of one device type running one model with
 * continuous batching (llm-server.ts), under an offline load (every request present at t = 0, as MLPerf's
 * Offline scenario) or a Poisson server load (MLPerf's Server scenario). For calibration against published
 * results (docs/calibration.md) and for tests.
 *
 * The replica size is the simulator's own (plan.ts): the smallest power of two of devices that holds the
 * weights plus `max_batch` full sequences' KV cache; the rest of the devices form further replicas.
 */
import type { Device, LlmModel, LlmSchedulerSpec } from '../model/types.js';
import type { LatencySummary } from '../metrics/result.js';
import { LLM_SCHEDULER_DEFAULTS, llmStepCoeffs } from '../hardware/llm-step.js';
import type { EfficiencyTable } from '../hardware/perf.js';
import { buildPlan } from './plan.js';
import { pointScenario } from './point-scenario.js';
import { runPolicy } from './run-policy.js';
import { policyResult } from './result.js';
import { builtinPolicy } from '../placement/builtin.js';

export interface LlmPointSpec {
  /** The model (`compute_dtype` defaults as the scenario loader sets it: fp16 for int4/int8). */
  model: Omit<LlmModel, 'index' | 'kind' | 'compute_dtype'> & { compute_dtype?: LlmModel['compute_dtype'] };
  device: Device;
  /** Devices in the system (e.g. 8 for one 8-GPU server). */
  devices: number;
  /** Sequences one replica is sized for (memory); default 256. */
  max_batch?: number;
  scheduler?: Partial<LlmSchedulerSpec>;
  input_tokens: number;
  output_tokens: number;
  /** offline: `requests` at t = 0, run to the last completion. server: Poisson at `rate_per_s`. */
  mode: 'offline' | 'server';
  requests?: number;
  rate_per_s?: number;
  /** Server mode: simulated time and warm-up, seconds (defaults 600 and 60). */
  duration_s?: number;
  warmup_s?: number;
  seed?: number;
  /** Class constants for the step time (default CLASS_EFFICIENCY): a candidate set while fitting (src/calibrate). */
  efficiency?: EfficiencyTable;
}

export interface LlmPointResult {
  devices_per_replica: number;
  replicas: number;
  completed: number;
  /** Offline: completions ÷ time to the last completion; server: completions per second of the window. */
  requests_per_s: number;
  output_tokens_per_s: number;
  /** Whole-request latency (arrival to last token), TTFT and TPOT of completed requests. */
  latency_ms: LatencySummary | null;
  ttft_ms: LatencySummary | null;
  tpot_ms: LatencySummary | null;
  mean_batch: number;
  p99_batch: number | null;
  kv_utilisation: number | null;
  kv_preemptions: number;
}

/** Runs one LLM point (see the file comment). */
export function runLlmPoint(spec: LlmPointSpec): LlmPointResult {
  const m = spec.model;
  const weightOnly = m.dtype === 'int4' || m.dtype === 'int8';
  const model: LlmModel = {
    ...m,
    index: 0,
    kind: 'llm',
    compute_dtype: m.compute_dtype ?? (weightOnly ? 'fp16' : m.dtype),
  };
  const offline = spec.mode === 'offline';
  const requests = spec.requests ?? 1000;
  const scenario = pointScenario({
    name: 'llm-point',
    seed: spec.seed ?? 1,
    duration_s: offline ? 1e9 : (spec.duration_s ?? 600),
    warmup_s: offline ? 0 : (spec.warmup_s ?? 60),
    pool: { name: 'dc/llm', device: spec.device, units: spec.devices },
    model,
    service: {
      name: 'llm',
      arrivals: offline
        ? { kind: 'trace', file: '(offline)', times_s: new Float64Array(requests) }
        : { kind: 'poisson', rate_per_s: spec.rate_per_s ?? 1 },
      request: {
        input_tokens: spec.input_tokens,
        output_tokens: spec.output_tokens,
        items: 1,
        lengths: { items: null, input_tokens: null, output_tokens: null },
        upload_bytes: 0,
        download_bytes: 0,
      },
      batching: { max_batch: spec.max_batch ?? LLM_SCHEDULER_DEFAULTS.max_num_seqs, max_wait_s: 0 },
      scheduler: { ...LLM_SCHEDULER_DEFAULTS, ...spec.scheduler },
    },
  });
  const plan = buildPlan(scenario);
  const llm = plan.pools[0].llm;
  if (spec.efficiency && llm)
    llm.coeffs = llmStepCoeffs(model, spec.device, plan.pools[0].replicaDevices, spec.efficiency);
  let lastEnd = 0;
  const tallies = runPolicy(plan, builtinPolicy('least-latency')!, (row) => {
    if (row.outcome === 'completed' && row.arrival_s + row.latency_s > lastEnd) lastEnd = row.arrival_s + row.latency_s;
  });
  const r = policyResult(plan, tallies);
  const s = r.services[0];
  const p = r.pools[0];
  const window = offline ? lastEnd : scenario.duration_s - scenario.warmup_s;
  const rate = window > 0 ? s.completed / window : 0;
  return {
    devices_per_replica: plan.pools[0].replicaDevices,
    replicas: plan.pools[0].servers,
    completed: s.completed,
    requests_per_s: rate,
    output_tokens_per_s: rate * spec.output_tokens,
    latency_ms: s.latency_ms,
    ttft_ms: s.ttft_ms,
    tpot_ms: s.tpot_ms,
    mean_batch: p.mean_batch_size,
    p99_batch: p.p99_batch_size,
    kv_utilisation: p.kv_utilisation,
    kv_preemptions: p.kv_preemptions ?? 0,
  };
}
