/**
 * One predictor per kind of calibration row. Each turns a published row into the figure placesim's own
 * model code predicts for it — src/hardware/perf.ts (batchTiming, planReplica, usableMemory) for inference
 * and src/hardware/training.ts (trainingFlops, trainingRate, defaultMfu) for training — measured the way
 * MLPerf measures it:
 *
 * - Offline: throughput at the largest batch that fits (memory permitting, at most MAX_BATCH), every replica
 *   busy: replicas × batch / batch time.
 * - SingleStream: the time of one query alone (batch 1; an LLM query decodes its beams together).
 * - MultiStream: the time of one query of 8 samples, run as one batch.
 * - Server: the highest throughput whose latency stays within the row's limit. A request can arrive just
 *   after a batch has started, wait for it, then run in the next batch, so the worst latency is
 *   2 × batch time; the server runs the largest batch whose 2 × batch time meets the limit.
 * - training: GPU-hours = trainingFlops / per-device trainingRate at the default MFU of the device's generation
 *   at the model's size, scaling 1 (the MFU is a whole-run figure, docs/training.md).
 *
 * Llama-2-70B Offline and Server rows (one sequence per sample) run the simulator's continuous-batching server
 * instead (runLlmPoint, src/sim/llm-point.ts; predictLlmServer below). GPT-J rows decode four beams per sample
 * sharing the prompt's KV cache, which that server does not model: they keep the fixed-batch timing above.
 */
import type { Device, Dtype, LlmModel } from '../model/types.js';
import { runBatchServer } from './batch-server.js';
import { runLlmPoint, type LlmPointResult, type LlmPointSpec } from '../sim/llm-point.js';
import { batchTiming, planReplica, usableMemory, type EfficiencyTable } from '../hardware/perf.js';
import {
  defaultMfu,
  trainingFlops,
  trainingRate,
  type ScaledMfu,
  type TrainingGeneration,
} from '../hardware/training.js';
import type { PublishedRow } from './table.js';
import {
  itemModel,
  llmModel,
  rowDtype,
  WORKLOADS,
  type ItemWorkload,
  type LlmWorkload,
  type TrainingWorkload,
} from './workloads.js';

/** Samples per MultiStream query (MLPerf Inference: 8 for the vision benchmarks, `samples_per_query` in the log). */
export const MULTISTREAM_SAMPLES = 8;

/** Largest batch an Offline or Server run is given (requests for items models, samples for LLMs). */
export const MAX_BATCH = 1024;

/** The constants a prediction depends on: the code's defaults, or a candidate set while fitting. */
export interface Constants {
  efficiency: EfficiencyTable;
  mfu: Readonly<Record<TrainingGeneration, ScaledMfu>>;
}

export interface Prediction {
  /** Predicted value in the row's metric, or null when the row cannot be predicted (see `note`). */
  value: number | null;
  /** Predicted with a model that is about to be replaced (LLM Server under fixed batches): not in the statistics. */
  interim: boolean;
  /** How the value was obtained (replicas, batch, the bound that limited it). */
  note: string;
}

export function predict(row: PublishedRow, device: Device | undefined, c: Constants): Prediction {
  const w = WORKLOADS[row.benchmark];
  if (w === undefined) return { value: null, interim: false, note: `no workload for "${row.benchmark}"` };
  if (w.kind === 'unmodelled') return { value: null, interim: false, note: w.reason };
  if (device === undefined)
    return { value: null, interim: false, note: `device "${row.catalog_device}" is not in the catalog` };
  if (w.kind === 'training') return predictTraining(row, w, device, c);
  if (w.kind === 'items') return predictItems(row, w, device, c);
  return predictLlm(row, w, device, c);
}

function predictTraining(_row: PublishedRow, w: TrainingWorkload, device: Device, c: Constants): Prediction {
  const mfu = defaultMfu(device, w.params, c.mfu).mfu;
  const perDevice = trainingRate(device, w.dtype, 1, mfu, 1);
  const hours = trainingFlops(w.params, w.tokens) / perDevice / 3600;
  return { value: hours, interim: false, note: `6·N·D at MFU ${+mfu.toPrecision(3)}` };
}

/**
 * Dense int8 OP/s of the two deep-learning accelerators (DLAs) of a Jetson module, which the catalog's int8 peak
 * (the GPU alone) leaves out. Rows whose submitter ran the DLAs beside the GPU (`parallelism` "GPU + 2 DLA",
 * from the system description's hw_notes) are predicted on GPU + DLAs, both at the class int efficiency.
 * AGX Orin 64GB: 105 sparse INT8 TOPS for both DLAs ÷ 2 (NVIDIA Jetson AGX Orin Series Technical Brief).
 * Orin NX 16GB [DER]: the module's 100 sparse TOPS less its GPU's 60 (src/hardware/catalog.ts), ÷ 2.
 */
export const DLA_INT8_DENSE: Readonly<Record<string, number>> = {
  'jetson-agx-orin-64gb': 52.5e12,
  'jetson-orin-nx-16gb': 20e12,
};

/** The device a row ran on: with its DLAs' int8 throughput added when the submitter used them. */
function withDlas(row: PublishedRow, device: Device): Device {
  const dla = DLA_INT8_DENSE[device.id];
  if (!/\bDLA\b/.test(row.parallelism) || dla === undefined || device.peak_flops.int8 === undefined) return device;
  return { ...device, peak_flops: { ...device.peak_flops, int8: device.peak_flops.int8 + dla } };
}

function predictItems(row: PublishedRow, w: ItemWorkload, gpu: Device, c: Constants): Prediction {
  const device = withDlas(row, gpu);
  const model = itemModel(w, rowDtype(row.precision, w.dtype), row.benchmark);
  const shape = { input_tokens: 0, output_tokens: 0, items: 1 };
  const count = row.accelerator_count ?? 1;
  const time = (b: number): number => batchTiming(model, device, 1, b, shape, c.efficiency).total_s;
  const fits = largestBatch((b) => typeof planReplica(model, device, { ...shape, max_batch: b }, 1) !== 'string');
  if (fits === 0) return { value: null, interim: false, note: 'the model does not fit one device' };
  if (row.scenario === 'SingleStream') {
    const q = w.latency_p90_over_mean;
    return {
      value: time(1) * 1000 * q,
      interim: false,
      note: q === 1 ? 'batch 1' : `batch 1, × ${q.toFixed(3)} (p90 sample)`,
    };
  }
  if (row.scenario === 'MultiStream') {
    const b = Math.min(MULTISTREAM_SAMPLES, fits);
    return { value: time(b) * 1000, interim: false, note: `batch ${b} (one query)` };
  }
  if (row.scenario === 'Offline') {
    const dla = device === gpu ? '' : ' (GPU + DLAs)';
    return { value: (count * fits) / time(fits), interim: false, note: `${count} × batch ${fits}${dla}` };
  }
  if (row.scenario === 'Server' && w.server) {
    const h = w.server_harness;
    const maxBatch = Math.min(fits, h?.max_batch ?? fits);
    return predictBatchServer(device, count, maxBatch, h?.max_wait_s ?? 0, time, w.server.latency_s, 1);
  }
  return { value: null, interim: false, note: `no predictor for ${row.scenario}` };
}

function predictLlm(row: PublishedRow, w: LlmWorkload, device: Device, c: Constants): Prediction {
  const dtype: Dtype = rowDtype(row.precision, w.dtype);
  const model = llmModel(w, dtype, row.benchmark);
  const count = row.accelerator_count ?? 1;
  const perSampleOut = row.metric === 'tokens/s' ? w.output_tokens : 1;
  // One sequence per sample (Llama-2-70B): the simulator's continuous-batching server.
  if (w.beams === 1 && (row.scenario === 'Offline' || row.scenario === 'Server'))
    return predictLlmServer(row, w, model, device, count, perSampleOut, c);
  return predictLlmFixed(row, w, model, device, count, perSampleOut, c);
}

/** Requests an Offline run is given per device: every replica refills its max_num_seqs sequences several times. */
export const OFFLINE_REQUESTS_PER_DEVICE = 512;
/** Server runs: simulated window after the warm-up, the warm-up, and the bisection steps on the rate. */
export const SERVER_WINDOW_S = 60;
export const SERVER_WARMUP_S = 15;
export const SERVER_BISECTION_STEPS = 5;
/** The bisection's bracket, as fractions of the offline rate (widened to 0.25 when the low end misses). */
const SERVER_BRACKET: readonly [number, number] = [0.75, 1];

/**
 * Offline and Server rows of single-sequence LLMs through runLlmPoint (src/sim/llm-point.ts): the simulator's
 * continuous-batching server with vLLM's default scheduler, on the simulator's own replica layout.
 * Offline: throughput with every request present at t = 0. Server: the highest Poisson rate whose TTFT and
 * TPOT p99 (or whole-request p99) meet the row's limits, bisected between 0.75× and 1× the offline rate.
 */
function predictLlmServer(
  row: PublishedRow,
  w: LlmWorkload,
  model: LlmModel,
  device: Device,
  count: number,
  perSampleOut: number,
  c: Constants,
): Prediction {
  const base = {
    model,
    device,
    devices: count,
    input_tokens: w.input_tokens,
    output_tokens: w.output_tokens,
    efficiency: c.efficiency,
  };
  const offline = offlinePoint({ ...base, mode: 'offline', requests: OFFLINE_REQUESTS_PER_DEVICE * count });
  if (offline.completed === 0) return { value: null, interim: false, note: 'the model does not fit' };
  const layout = `${offline.replicas} × TP${offline.devices_per_replica}`;
  if (row.scenario === 'Offline') {
    return {
      value: offline.requests_per_s * perSampleOut,
      interim: false,
      note: `simulated offline, ${layout}, mean batch ${offline.mean_batch.toFixed(0)}`,
    };
  }
  const server = w.server;
  if (server === null) return { value: null, interim: false, note: 'no server latency rule' };
  const meets = (rate: number): boolean => {
    const r = runLlmPoint({
      ...base,
      mode: 'server',
      rate_per_s: rate,
      duration_s: SERVER_WARMUP_S + SERVER_WINDOW_S,
      warmup_s: SERVER_WARMUP_S,
    });
    if ('latency_s' in server) return r.latency_ms !== null && r.latency_ms.p99 <= server.latency_s * 1000;
    return (
      r.ttft_ms !== null &&
      r.tpot_ms !== null &&
      r.ttft_ms.p99 <= server.ttft_s * 1000 &&
      r.tpot_ms.p99 <= server.tpot_s * 1000
    );
  };
  let lo = SERVER_BRACKET[0] * offline.requests_per_s;
  let hi = SERVER_BRACKET[1] * offline.requests_per_s;
  if (!meets(lo)) {
    hi = lo;
    lo = 0.25 * offline.requests_per_s;
    if (!meets(lo)) return { value: null, interim: false, note: `${layout}: a quarter of the offline rate misses` };
  }
  for (let i = 0; i < SERVER_BISECTION_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (meets(mid)) lo = mid;
    else hi = mid;
  }
  return {
    value: lo * perSampleOut,
    interim: false,
    note: `simulated Poisson server, ${layout}, ${lo.toFixed(1)} req/s within the limits`,
  };
}

/**
 * Offline runs, remembered in memory for the life of the process: an Offline row and the Server row of the same
 * system share one, and a fit re-predicts rows with unchanged constants. Nothing is written to disk.
 */
const offlineMemo = new Map<string, LlmPointResult>();
function offlinePoint(spec: LlmPointSpec): LlmPointResult {
  const key = JSON.stringify({ ...spec, device: spec.device.id });
  let r = offlineMemo.get(key);
  if (r === undefined) {
    if (offlineMemo.size > 256) offlineMemo.clear();
    r = runLlmPoint(spec);
    offlineMemo.set(key, r);
  }
  return r;
}

/**
 * Beam-search rows (GPT-J: every sample decodes `beams` sequences that share the prompt) and SingleStream:
 * fixed batches through batchTiming, the timing the simulator uses for fixed batches.
 */
function predictLlmFixed(
  row: PublishedRow,
  w: LlmWorkload,
  model: LlmModel,
  device: Device,
  count: number,
  perSampleOut: number,
  c: Constants,
): Prediction {
  const shape = { input_tokens: w.input_tokens, output_tokens: w.output_tokens, items: 0 };
  // Devices per replica: the submitter's tensor-parallel layout when stated, else the fewest that hold the weights.
  const tp = /TP(\d+)/.exec(row.parallelism);
  let devices: number;
  if (tp) devices = Number(tp[1]);
  else {
    const plan = planReplica(model, device, { ...shape, max_batch: w.beams }, count);
    if (typeof plan === 'string') return { value: null, interim: false, note: plan };
    devices = plan.devices;
  }
  const replicas = Math.floor(count / devices);
  // Beams share their prompt's KV cache; each keeps its own generated tokens.
  const perSample = (w.input_tokens + w.beams * w.output_tokens) * model.kv_bytes_per_token;
  const room = devices * usableMemory(device) - model.weight_bytes;
  const fits = Math.min(MAX_BATCH, Math.floor(room / perSample));
  if (fits < 1) return { value: null, interim: false, note: `one sample does not fit ${devices} device(s)` };
  // A batch of b samples: one prefill per sample (batchTiming of b samples to their first token), then the
  // decode of b × beams sequences (batchTiming of b × beams sequences less its own prefill).
  const timing = (b: number): { total_s: number; first_token_s: number } => {
    const all = batchTiming(model, device, devices, b, shape, c.efficiency);
    if (w.beams === 1) return all;
    const beams = batchTiming(model, device, devices, b * w.beams, shape, c.efficiency);
    return { first_token_s: all.first_token_s, total_s: all.first_token_s + beams.total_s - beams.first_token_s };
  };
  const layout = `${replicas} × TP${devices}`;
  if (row.scenario === 'SingleStream') {
    const q = w.latency_p90_over_mean;
    return {
      value: timing(1).total_s * 1000 * q,
      interim: false,
      note: `batch 1 × ${w.beams} beam(s), TP${devices}, × ${q.toFixed(3)} (p90 sample)`,
    };
  }
  if (row.scenario === 'Offline') {
    const t = timing(fits).total_s;
    return { value: (replicas * fits * perSampleOut) / t, interim: false, note: `${layout}, batch ${fits}` };
  }
  const server = w.server;
  if (row.scenario === 'Server' && server !== null && 'latency_s' in server) {
    const h = w.server_harness;
    const maxBatch = Math.min(fits, h?.max_batch ?? fits);
    const time = (b: number): number => timing(b).total_s;
    return predictBatchServer(device, replicas, maxBatch, h?.max_wait_s ?? 0, time, server.latency_s, perSampleOut);
  }
  return { value: null, interim: false, note: `no predictor for ${row.scenario}` };
}

/** Server rows of fixed-batch models: the bisection's steps and the requests a simulated point should see. */
export const BATCH_SERVER_BISECTION_STEPS = 6;
export const BATCH_SERVER_REQUESTS = 200_000;
/** A simulated Server point lasts at most this long (slow benchmarks: GPT-J at a few samples per second). */
export const BATCH_SERVER_MAX_WINDOW_S = 3600;

/**
 * Server rows of fixed-batch models (items models and beam-search LLMs): Poisson arrivals into the
 * simulator's dynamic batching (runBatchServer: `replicas` servers, batches of up to `maxBatch` started when
 * full or when the oldest request has waited `maxWait`), and the highest rate whose p99 latency meets the
 * row's limit, bisected between 0.3× and 1× the throughput of full batches. Each point simulates about
 * BATCH_SERVER_REQUESTS requests (at most BATCH_SERVER_MAX_WINDOW_S) after a warm-up of a quarter of that, seed 1.
 */
function predictBatchServer(
  device: Device,
  replicas: number,
  maxBatch: number,
  maxWait: number,
  time: (b: number) => number,
  limit_s: number,
  perSample: number,
): Prediction {
  if (maxBatch < 1 || replicas < 1) return { value: null, interim: false, note: 'no batch fits' };
  if (time(1) + maxWait > limit_s)
    return { value: null, interim: false, note: `one request alone misses ${limit_s} s` };
  const full = (replicas * maxBatch) / time(maxBatch);
  const meets = (rate: number): boolean => {
    const window = Math.min(BATCH_SERVER_MAX_WINDOW_S, BATCH_SERVER_REQUESTS / rate);
    const r = runBatchServer({
      device,
      replicas,
      max_batch: maxBatch,
      max_wait_s: maxWait,
      time,
      rate_per_s: rate,
      duration_s: 1.25 * window,
      warmup_s: 0.25 * window,
    });
    return r.p99_s !== null && r.p99_s <= limit_s;
  };
  let lo = 0.3 * full;
  let hi = full;
  if (!meets(lo)) return { value: null, interim: false, note: `0.3 × the full-batch rate misses ${limit_s} s` };
  for (let i = 0; i < BATCH_SERVER_BISECTION_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (meets(mid)) lo = mid;
    else hi = mid;
  }
  const wait = maxWait > 0 ? `, wait ≤ ${+(maxWait * 1000).toPrecision(3)} ms` : '';
  return {
    value: lo * perSample,
    interim: false,
    note: `simulated Poisson server, ${replicas} × batch ≤ ${maxBatch}${wait}: ${(lo / full).toFixed(2)} × full batches within ${limit_s * 1000} ms p99`,
  };
}

/** Largest b in 1..MAX_BATCH with ok(b), for an ok that holds up to some b and fails beyond; 0 if none. */
function largestBatch(ok: (b: number) => boolean): number {
  if (!ok(1)) return 0;
  let lo = 1;
  let hi = MAX_BATCH + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
