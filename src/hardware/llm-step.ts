/**
 * The LLM model step: how long one iteration of a continuous-batching server takes for the mix of work it
 * runs (prefill chunks and decode tokens), and how much KV-cache memory a replica has. docs/model.md
 * ("LLM serving") gives the equations and where each constant comes from.
 *
 * One step processes `tokens` new tokens (prefill-chunk tokens plus one per decoding sequence) and reads the
 * KV cache of `kvRead` tokens of context (every running sequence's context before the step). It is a
 * roofline over the step's mix plus a fixed per-step overhead:
 *
 *   compute = 2 × params × tokens / (peak × e(tokens) × tp)      e(n) = e_class × n / (n + N_HALF)
 *           = 2 × params × (tokens + N_HALF) / (peak × e_class × tp)
 *   memory  = (weight_bytes + kv_bytes_per_token × (kvRead + tokens)) / (bandwidth × e_mem × tp)
 *   step    = max(compute, memory) + overhead
 *
 * Precision: int4/int8 LLMs are weight-only quantised (AWQ/GPTQ-style W4A16, W8A16): weights are read at
 * their own width but the arithmetic runs at the device's fp16 peak. fp8 is its own family (W8A8 at the fp8
 * peak, where the device has one). fp16/bf16/fp32 compute as stored.
 *
 * Units: seconds, bytes, tokens.
 */
import type { Device, Dtype, LlmModel, LlmSchedulerSpec } from '../model/types.js';
import { efficiencyFor, resolvePeak, tensorParallelSpeedup, usableMemory, type EfficiencyTable } from './perf.js';

/**
 * Tokens in a step at which the achieved arithmetic rate is half the class efficiency (e(n) = e_class ×
 * n / (n + N_HALF)). A GEMM with few rows (tokens) fills few of the tiles a tensor-core kernel is built from
 * (64–128 rows per tile in CUTLASS/cuBLAS kernels), so small steps run below the class rate and a step of
 * 1–2k tokens runs within a few percent of it. An estimate (docs/model.md), not a fitted number.
 */
export const TOKENS_HALF_EFFICIENCY = 32;

/**
 * Scheduler defaults: vLLM 0.8 (V1 engine), OpenAI-compatible server, from its engine-arguments documentation
 * (docs.vllm.ai/en/v0.8.5/serving/engine_args.html, read 2026-12): max_num_seqs 256, max_num_batched_tokens
 * 2048 (the server's default with chunked prefill, which V1 always runs), block_size 16 tokens, preemption by
 * recompute; gpu_memory_utilization 0.9 is perf.ts's USABLE_MEMORY_FRACTION. The watermark (free blocks kept
 * back when admitting) is vLLM's block-manager default of 1%.
 */
export const LLM_SCHEDULER_DEFAULTS: LlmSchedulerSpec & { watermark: number } = {
  max_num_seqs: 256,
  max_num_batched_tokens: 2048,
  chunked_prefill: true,
  block_size: 16,
  watermark: 0.01,
};

/** The dtype the arithmetic of an LLM stored as `dtype` runs in: fp16 for weight-only int4/int8. */
export function llmComputeDtype(dtype: Dtype): Dtype {
  return dtype === 'int4' || dtype === 'int8' ? 'fp16' : dtype;
}

/** The coefficients of one replica's step time (see the file comment); computed once per pool. */
export interface StepCoeffs {
  /** Seconds per token of compute, and the fixed compute term (N_HALF tokens' worth). */
  computePerToken: number;
  computeFixed: number;
  /** Seconds to read the weights once, and per token of KV cache read or written. */
  memFixed: number;
  memPerToken: number;
  /** Fixed time per step (scheduling, sampling, kernel launches), seconds. */
  overhead: number;
}

/**
 * Step-time coefficients of `model` on a replica of `devices` × `device`, with the class constants of `table`
 * (the code's CLASS_EFFICIENCY unless a calibration fit passes a candidate set).
 */
export function llmStepCoeffs(model: LlmModel, device: Device, devices: number, table?: EfficiencyTable): StepCoeffs {
  const compute = model.compute_dtype;
  const eff = efficiencyFor(device, compute, table);
  const speedup = tensorParallelSpeedup(devices);
  const flopRate = resolvePeak(device, compute).flops * eff.compute * speedup;
  const byteRate = device.mem_bw_bytes_per_s * eff.memory * speedup;
  const params2 = 2 * model.params;
  return {
    computePerToken: params2 / flopRate,
    computeFixed: (params2 * TOKENS_HALF_EFFICIENCY) / flopRate,
    memFixed: model.weight_bytes / byteRate,
    memPerToken: model.kv_bytes_per_token / byteRate,
    overhead: eff.overhead_s,
  };
}

/** Time of one step that computes `tokens` (> 0) new tokens and reads `kvRead` tokens of KV cache. */
export function stepTime(c: StepCoeffs, tokens: number, kvRead: number): number {
  const compute = c.computeFixed + c.computePerToken * tokens;
  const memory = c.memFixed + c.memPerToken * (kvRead + tokens);
  return (compute > memory ? compute : memory) + c.overhead;
}

/**
 * Σ_{j=0..k−1} stepTime(c, n, kv0 + n × j): k decode steps of n sequences whose contexts start at kv0 tokens
 * in all and grow by n per step. Exact, in O(1): memory time is linear in j, compute constant, and the
 * regimes switch at most once.
 */
export function decodeSpan(c: StepCoeffs, n: number, kv0: number, k: number): number {
  if (k <= 0) return 0;
  const compute = c.computeFixed + c.computePerToken * n;
  const mem0 = c.memFixed + c.memPerToken * (kv0 + n);
  const slope = c.memPerToken * n;
  // Steps 0..m−1 are compute-bound (mem0 + j × slope < compute), the rest memory-bound.
  let m: number;
  if (mem0 >= compute) m = 0;
  else if (slope <= 0) m = k;
  else m = Math.min(k, Math.ceil((compute - mem0) / slope));
  const memSteps = k - m;
  // Σ_{j=m..k−1} (mem0 + j × slope)
  const memSum = memSteps * mem0 + slope * ((k * (k - 1)) / 2 - (m * (m - 1)) / 2);
  return m * compute + memSum + k * c.overhead;
}

/** The largest j ≤ k with decodeSpan(c, n, kv0, j) ≤ elapsed (steps of a decode span finished by then). */
export function decodeStepsWithin(c: StepCoeffs, n: number, kv0: number, k: number, elapsed: number): number {
  let lo = 0;
  let hi = k;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (decodeSpan(c, n, kv0, mid) <= elapsed) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * KV-cache blocks of `blockSize` tokens a replica of `devices` × `device` holds: usable memory (all devices,
 * USABLE_MEMORY_FRACTION of each) minus the weights (split across the devices), over the bytes of one block.
 * 0 when the weights alone do not fit.
 */
export function kvCacheBlocks(model: LlmModel, device: Device, devices: number, blockSize: number): number {
  const free = devices * usableMemory(device) - model.weight_bytes;
  if (!(free > 0) || model.kv_bytes_per_token <= 0) return free > 0 ? Number.MAX_SAFE_INTEGER : 0;
  return Math.floor(free / (blockSize * model.kv_bytes_per_token));
}

/**
 * Estimated times of one request of `input` / `output` tokens on a replica running `concurrent` sequences
 * of the same shape in steady state (for placement estimates, not the simulation): its prefill in chunks of
 * the token budget, each sharing the step with concurrent − 1 decodes; then output − 1 decode steps of
 * `concurrent` sequences at the mean context.
 */
export function llmRequestEstimate(
  c: StepCoeffs,
  sched: LlmSchedulerSpec,
  input: number,
  output: number,
  concurrent: number,
): { first_token_s: number; total_s: number } {
  const others = concurrent - 1;
  const budget = Math.max(1, sched.max_num_batched_tokens - others);
  const ctx = input + output / 2;
  let ttft = 0;
  for (let done = 0; done < input;) {
    const chunk = sched.chunked_prefill ? Math.min(budget, input - done) : input - done;
    ttft += stepTime(c, chunk + others, others * ctx + done);
    done += chunk;
  }
  if (input === 0) ttft = stepTime(c, 1 + others, others * ctx);
  const decode = output > 1 ? (output - 1) * stepTime(c, concurrent, concurrent * ctx) : 0;
  return { first_token_s: ttft, total_s: ttft + decode };
}
