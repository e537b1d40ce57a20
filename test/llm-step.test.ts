import { describe, expect, it } from 'vitest';
import {
  TOKENS_HALF_EFFICIENCY,
  decodeSpan,
  decodeStepsWithin,
  kvCacheBlocks,
  llmComputeDtype,
  llmStepCoeffs,
  stepTime,
} from '../src/hardware/llm-step.js';
import { CLASS_EFFICIENCY, USABLE_MEMORY_FRACTION, tensorParallelSpeedup } from '../src/hardware/perf.js';
import { defaultCatalog } from '../src/hardware/catalog.js';
import type { LlmModel } from '../src/model/types.js';

const h100 = defaultCatalog().devices['h100-sxm'];
const L70: LlmModel = {
  index: 0,
  name: 'llama-2-70b',
  kind: 'llm',
  params: 69e9,
  dtype: 'fp16',
  compute_dtype: 'fp16',
  weight_bytes: 138e9,
  kv_bytes_per_token: 327680,
};

describe('LLM step time', () => {
  it('is a roofline over the step: weights once, KV reads, compute with the small-step efficiency curve', () => {
    const c = llmStepCoeffs(L70, h100, 2);
    const tp = tensorParallelSpeedup(2);
    const flopRate = 989e12 * CLASS_EFFICIENCY.gpu.float * tp;
    const byteRate = 3350e9 * CLASS_EFFICIENCY.gpu.memory * tp;
    // One decode token with 1,000 tokens of context: memory-bound.
    const mem = (138e9 + 327680 * 1001) / byteRate;
    expect(stepTime(c, 1, 1000)).toBeCloseTo(mem + CLASS_EFFICIENCY.gpu.overhead_s, 12);
    // A 2,048-token prefill chunk: compute-bound at e(n) = e_class × n / (n + N_HALF).
    const compute = (2 * 69e9 * (2048 + TOKENS_HALF_EFFICIENCY)) / flopRate;
    expect(stepTime(c, 2048, 0)).toBeCloseTo(compute + CLASS_EFFICIENCY.gpu.overhead_s, 12);
    expect(compute).toBeGreaterThan((138e9 + 327680 * 2048) / byteRate);
  });

  it('runs weight-only int4/int8 at the fp16 peak but reads narrow weights; fp8 is its own family', () => {
    expect(llmComputeDtype('int4')).toBe('fp16');
    expect(llmComputeDtype('int8')).toBe('fp16');
    expect(llmComputeDtype('fp8')).toBe('fp8');
    const int4: LlmModel = { ...L70, dtype: 'int4', compute_dtype: 'fp16', weight_bytes: 34.5e9 };
    const fp8: LlmModel = { ...L70, dtype: 'fp8', compute_dtype: 'fp8', weight_bytes: 69e9 };
    const c16 = llmStepCoeffs(L70, h100, 2);
    const c4 = llmStepCoeffs(int4, h100, 2);
    const c8 = llmStepCoeffs(fp8, h100, 2);
    // Decode reads a quarter of the weight bytes; prefill computes at the same fp16 rate.
    expect(c4.memFixed).toBeCloseTo(c16.memFixed / 4, 12);
    expect(c4.computePerToken).toBeCloseTo(c16.computePerToken, 15);
    // fp8 computes at H100's fp8 peak (twice fp16).
    expect(c8.computePerToken).toBeCloseTo((c16.computePerToken * 989) / 1979, 15);
  });

  it('sums a decode span exactly in closed form, and inverts it', () => {
    const c = llmStepCoeffs(L70, h100, 4);
    for (const n of [1, 16, 200]) {
      for (const kv0 of [0, 5000, 300000]) {
        let sum = 0;
        const cum: number[] = [0];
        for (let j = 0; j < 300; j++) {
          sum += stepTime(c, n, kv0 + n * j);
          cum.push(sum);
        }
        expect(decodeSpan(c, n, kv0, 300)).toBeCloseTo(sum, 9);
        for (const j of [0, 1, 17, 299]) {
          expect(decodeStepsWithin(c, n, kv0, 300, cum[j] + 1e-9)).toBe(j);
          expect(decodeStepsWithin(c, n, kv0, 300, (cum[j] + cum[j + 1]) / 2)).toBe(j);
        }
      }
    }
  });

  it('gives a replica usable memory − weights of KV blocks, across its tensor-parallel devices', () => {
    const blocks = kvCacheBlocks(L70, h100, 2, 16);
    expect(blocks).toBe(Math.floor((2 * USABLE_MEMORY_FRACTION * 80e9 - 138e9) / (16 * 327680)));
    expect(kvCacheBlocks(L70, h100, 1, 16)).toBe(0);
  });
});
