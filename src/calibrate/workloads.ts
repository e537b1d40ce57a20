/**
 * The models and request shapes behind the calibration rows, built from data/calibration/workloads.csv
 * (every figure there carries its source; `[EST]` below marks the few that are estimates, and
 * docs/calibration.md says why each was needed and how much it moves the result).
 */
import type { Dtype, ItemModel, LlmModel } from '../model/types.js';
import { DTYPE_BYTES } from '../model/types.js';

export interface LlmWorkload {
  kind: 'llm';
  params: number;
  /** Layers × KV width: KV cache bytes per token = 2 (K and V) × kvValuesPerLayer × layers × bytes per value. */
  kvValuesPerToken: number;
  /** Dtype the KV cache is stored in when the row does not say (`weights` = same as the weights). */
  kvDtype: Dtype | 'weights';
  /** Default dtype of the weights when the row gives no precision. */
  dtype: Dtype;
  input_tokens: number;
  output_tokens: number;
  /** Sequences decoded per sample (beam search width). */
  beams: number;
  /** SLO of a Server row: TTFT/TPOT p99 (LLM MLPerf rule) or the whole-query latency. */
  server: { ttft_s: number; tpot_s: number } | { latency_s: number } | null;
  /** Server rows run as fixed batches: the harness's largest batch and batching timeout (see ServerHarness). */
  server_harness?: ServerHarness;
  /** SingleStream: the benchmark's p90 / mean per-sample latency (see SAMPLE_DISPERSION). */
  latency_p90_over_mean: number;
}

/**
 * SingleStream rows report the 90th percentile of per-sample latency, while a workload here describes the mean
 * sample. For a dataset whose samples differ in length the p90 sample takes longer than the mean one, by a
 * property of the dataset rather than of the device: the ratio of the 90th-percentile to the mean latency in a
 * SingleStream log of the same benchmark on a system that is not in the table (NVIDIA L4, MLPerf Inference
 * v3.1, `closed/NVIDIA/results/L4x1_TRT/<benchmark>/SingleStream/performance/run_1/mlperf_log_summary.txt` at
 * commit eaf622a25c00f2b4b1d2c4f5b4f430570429d24a; docs/calibration.md). A SingleStream prediction is the mean
 * sample's latency × this ratio. Fixed-size inputs (ResNet-50: every image 224×224) have a ratio of 1.
 */
export const SAMPLE_DISPERSION = {
  // 90.00 percentile latency 348,735 ns / mean 346,007 ns = 1.008: every image is the same work; taken as 1.
  resnet50: 1,
  // bert-99: 2,575,712 ns / 2,434,920 ns (SQuAD v1.1 samples of 384 tokens at most, unpadded).
  bert: 2575712 / 2434920,
  // gptj-99.9 (the same model, data set and harness as gptj-99): 4,055,838,281 ns / 2,730,181,065 ns
  // (CNN/DailyMail articles of up to 1,919 tokens, 30–128 new tokens).
  gptj: 4055838281 / 2730181065,
} as const;

/**
 * How the submitter's harness forms batches on a Server run: the largest batch and how long the oldest
 * request may wait for a batch to fill (docs/calibration.md gives each figure's source).
 */
export interface ServerHarness {
  max_batch: number;
  max_wait_s: number;
}

export interface ItemWorkload {
  kind: 'items';
  flops_per_item: number;
  params: number;
  dtype: Dtype;
  activation_bytes_per_item: number;
  server: { latency_s: number } | null;
  server_harness?: ServerHarness;
  /** SingleStream: the benchmark's p90 / mean per-sample latency (see SAMPLE_DISPERSION). */
  latency_p90_over_mean: number;
}

export interface TrainingWorkload {
  kind: 'training';
  params: number;
  tokens: number;
  dtype: Dtype;
}

/** A benchmark the model cannot predict yet, and why (shown in the report; excluded from the statistics). */
export interface Unmodelled {
  kind: 'unmodelled';
  reason: string;
}

export type Workload = LlmWorkload | ItemWorkload | TrainingWorkload | Unmodelled;

const LLAMA2_70B: LlmWorkload = {
  kind: 'llm',
  // 80 layers × (attention 2·8192² + 2·8192·1024, MLP 3·8192·28672, norms) + embeddings/head: 68.98e9.
  params: 68.98e9,
  // 80 layers × 8 KV heads × 128 dims (grouped-query attention).
  kvValuesPerToken: 80 * 8 * 128,
  kvDtype: 'fp8',
  dtype: 'fp8',
  // [EST] The dataset's mean input length was not found at a primary source (docs/calibration.md): half the
  // 1,024-token cap. Mean output 294.45 tokens per sample is the MLCommons reference figure.
  input_tokens: 512,
  output_tokens: 294.45,
  beams: 1,
  server: { ttft_s: 2, tpot_s: 0.2 },
  // No Llama-2-70B SingleStream row (a data-centre benchmark); the ratio is not used.
  latency_p90_over_mean: 1,
};

const GPTJ: LlmWorkload = {
  kind: 'llm',
  params: 6e9,
  // GPT-J 6B: 28 layers × 4096 (multi-head attention, 16 heads × 256).
  kvValuesPerToken: 28 * 4096,
  kvDtype: 'fp16',
  dtype: 'fp16',
  // [EST] CNN/DailyMail articles average 781 words and summaries 56 (See et al. 2017, "Get To The Point",
  // table 1), × 1.33 BPE tokens per word [EST]: ≈1,040 input tokens, ≈75 output tokens (min 30, max 128).
  input_tokens: 1040,
  output_tokens: 75,
  beams: 4,
  server: { latency_s: 20 },
  // Google's SAX server class for the v3.1 Server run, GPTJ4BS32Int8Opt10Wait40MB6: batches of up to 32 samples,
  // a 40 ms batching wait (read from the class name; capped by the model's memory plan).
  server_harness: { max_batch: 32, max_wait_s: 0.04 },
  latency_p90_over_mean: SAMPLE_DISPERSION.gptj,
};

export const WORKLOADS: Readonly<Record<string, Workload>> = {
  'llama2-70b-99': LLAMA2_70B,
  'llama2-70b-99.9': LLAMA2_70B,
  'gptj-99': GPTJ,
  resnet50: {
    kind: 'items',
    flops_per_item: 8.18e9, // 2 × 4.09 GMAC (torchvision)
    params: 25_557_032,
    dtype: 'int8',
    // [EST] ≈10 M activations per 224×224 image, each written and read once (docs/model.md).
    activation_bytes_per_item: 20e6,
    server: { latency_s: 0.015 },
    // NVIDIA's ResNet-50 Server config for H100 (LWIS harness): gpu_batch_size 256, deque_timeout_usec 3000,
    // server_target_qps 73,000 per GPU (= the published 584k on 8 GPUs) [secondary: the config file as found
    // in a public MLPerf results repository, not pinned to the v4.0 commit].
    server_harness: { max_batch: 256, max_wait_s: 0.003 },
    latency_p90_over_mean: SAMPLE_DISPERSION.resnet50,
  },
  'bert-99': {
    kind: 'items',
    // 6.42e8 FLOP per token (workloads.csv) × 192 tokens [EST]: harnesses do not pad to the 384-token maximum
    // and the mean SQuAD v1.1 sample length was not found at a primary source, so half the maximum is used.
    flops_per_item: 6.42e8 * 192,
    params: 340e6,
    // [EST] precision not read from the submissions: int8, the integer family NVIDIA's encoder engines use.
    dtype: 'int8',
    // [EST] ≈12 hidden-width tensors per token per layer written once: 12 × 1024 × 192 × 24 bytes.
    activation_bytes_per_item: 12 * 1024 * 192 * 24,
    server: { latency_s: 0.13 },
    latency_p90_over_mean: SAMPLE_DISPERSION.bert,
  },
  'stable-diffusion-xl': {
    kind: 'unmodelled',
    reason: 'no sourced FLOPs per image for SDXL (docs/calibration.md, "Not confirmed")',
  },
  'llama2-7b-pretrain': { kind: 'training', params: 7e9, tokens: 2.0e12, dtype: 'bf16' },
  'llama2-70b-pretrain': { kind: 'training', params: 70e9, tokens: 2.0e12, dtype: 'bf16' },
  'llama3-8b-pretrain': { kind: 'training', params: 8e9, tokens: 15e12, dtype: 'bf16' },
  'llama3-70b-pretrain': { kind: 'training', params: 70e9, tokens: 15e12, dtype: 'bf16' },
  // LLaMA (Touvron et al. 2023, table 2): 6.7B / 13.0B on 1.0T tokens, 32.5B / 65.2B on 1.4T tokens.
  'llama1-7b-pretrain': { kind: 'training', params: 6.7e9, tokens: 1.0e12, dtype: 'bf16' },
  'llama1-13b-pretrain': { kind: 'training', params: 13.0e9, tokens: 1.0e12, dtype: 'bf16' },
  'llama1-33b-pretrain': { kind: 'training', params: 32.5e9, tokens: 1.4e12, dtype: 'bf16' },
  'llama1-65b-pretrain': { kind: 'training', params: 65.2e9, tokens: 1.4e12, dtype: 'bf16' },
  // Llama 3.1 model card: 8B, 70B, 405B, "~15 trillion tokens" of pre-training data.
  'llama31-8b-pretrain': { kind: 'training', params: 8e9, tokens: 15e12, dtype: 'bf16' },
  'llama31-70b-pretrain': { kind: 'training', params: 70e9, tokens: 15e12, dtype: 'bf16' },
  'llama31-405b-pretrain': { kind: 'training', params: 405e9, tokens: 15e12, dtype: 'bf16' },
};

const DTYPES_BY_NAME: Readonly<Record<string, Dtype>> = {
  int4: 'int4',
  int8: 'int8',
  fp8: 'fp8',
  fp16: 'fp16',
  bf16: 'bf16',
  fp32: 'fp32',
};

/** The row's precision when it states one the model knows, else the workload's default. */
export function rowDtype(precision: string, fallback: Dtype): Dtype {
  return DTYPES_BY_NAME[precision] ?? fallback;
}

export function llmModel(w: LlmWorkload, dtype: Dtype, name: string): LlmModel {
  const kvDtype = w.kvDtype === 'weights' ? dtype : w.kvDtype;
  const base: Omit<LlmModel, 'compute_dtype'> = {
    index: 0,
    name,
    kind: 'llm',
    params: w.params,
    dtype,
    weight_bytes: w.params * DTYPE_BYTES[dtype],
    kv_bytes_per_token: 2 * w.kvValuesPerToken * DTYPE_BYTES[kvDtype],
  };
  // Every LLM row of the suite computes in its weights' format (fp8, int8 on the TPU, fp16): no weight-only
  // quantisation. `compute_dtype` is the field the continuous-batching model (helper "llm") adds to LlmModel.
  return { ...base, compute_dtype: dtype };
}

export function itemModel(w: ItemWorkload, dtype: Dtype, name: string): ItemModel {
  return {
    index: 0,
    name,
    kind: 'items',
    flops_per_item: w.flops_per_item,
    dtype,
    weight_bytes: w.params * DTYPE_BYTES[dtype],
    activation_bytes_per_item: w.activation_bytes_per_item,
  };
}
