import { describe, expect, it } from 'vitest';
import { runLlmPoint, type LlmPointSpec } from '../src/sim/llm-point.js';
import { decodeSpan, llmStepCoeffs, stepTime } from '../src/hardware/llm-step.js';
import { defaultCatalog } from '../src/hardware/catalog.js';
import { InputError, loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import type { Device, LlmModel } from '../src/model/types.js';

const h100 = defaultCatalog().devices['h100-sxm'];
const L8 = {
  name: 'llama-3-8b',
  params: 8.03e9,
  dtype: 'fp16' as const,
  weight_bytes: 16.06e9,
  kv_bytes_per_token: 131072,
};
const L8_MODEL: LlmModel = { ...L8, index: 0, kind: 'llm', compute_dtype: 'fp16' };

function point(over: Partial<LlmPointSpec>): ReturnType<typeof runLlmPoint> {
  return runLlmPoint({
    model: L8,
    device: h100,
    devices: 1,
    max_batch: 8,
    input_tokens: 500,
    output_tokens: 100,
    mode: 'offline',
    requests: 1,
    ...over,
  });
}

describe('continuous batching: one request', () => {
  it('first token at the end of the last prefill chunk, then one token per decode step', () => {
    const c = llmStepCoeffs(L8_MODEL, h100, 1);
    const r = point({ input_tokens: 5000, output_tokens: 100 });
    // 5,000 prompt tokens in chunks of the 2,048-token budget, each chunk reading the cache written before it.
    const ttft = stepTime(c, 2048, 0) + stepTime(c, 2048, 2048) + stepTime(c, 904, 4096);
    expect(r.ttft_ms!.mean).toBeCloseTo(ttft * 1000, 3);
    // 99 decode steps, the context growing from 5,000 tokens by one per step.
    expect(r.tpot_ms!.mean).toBeCloseTo((decodeSpan(c, 1, 5000, 99) / 99) * 1000, 3);
  });

  it('without chunked prefill the prompt runs in one step', () => {
    const c = llmStepCoeffs(L8_MODEL, h100, 1);
    const r = point({ input_tokens: 5000, scheduler: { chunked_prefill: false } });
    expect(r.ttft_ms!.mean).toBeCloseTo(stepTime(c, 5000, 0) * 1000, 3);
  });
});

describe('continuous batching: many requests', () => {
  it('runs at most max_num_seqs sequences, and keeps the batch full while requests wait', () => {
    const r = point({ requests: 200, scheduler: { max_num_seqs: 8 } });
    expect(r.completed).toBe(200);
    expect(r.p99_batch).toBe(8);
    expect(r.mean_batch).toBeGreaterThan(7);
    expect(r.kv_preemptions).toBe(0);
  });

  it('a larger running batch raises throughput (decode is memory-bound: the weights are read once per step)', () => {
    const small = point({ requests: 200, scheduler: { max_num_seqs: 2 } });
    const large = point({ requests: 200, scheduler: { max_num_seqs: 64 } });
    expect(large.requests_per_s).toBeGreaterThan(5 * small.requests_per_s);
  });

  it('a new request does not wait for the running batch: its first token comes within a few steps', () => {
    // Poisson arrivals: answers take ~100 steps, first tokens one prefill step plus at most one step in flight.
    const r = point({ mode: 'server', rate_per_s: 5, duration_s: 300, warmup_s: 30 });
    expect(r.ttft_ms!.p99).toBeLessThan(r.tpot_ms!.p50 * 10);
    expect(r.mean_batch).toBeGreaterThan(1);
  });

  it('out of KV blocks mid-decode, sequences are preempted, counted and still complete', () => {
    // A device whose memory holds the weights and room for only ~20 sequences of 600 tokens.
    const tight: Device = { ...h100, id: 'tight', memory_bytes: (16.06e9 + 20 * 600 * 131072) / 0.9 };
    const r = runLlmPoint({
      model: L8,
      device: tight,
      devices: 1,
      max_batch: 1,
      input_tokens: 100,
      output_tokens: 500,
      mode: 'offline',
      requests: 100,
    });
    expect(r.completed).toBe(100);
    expect(r.kv_preemptions).toBeGreaterThan(0);
    expect(r.kv_utilisation!).toBeGreaterThan(0.8);
  });

  it('is deterministic', () => {
    const a = point({ mode: 'server', rate_per_s: 20, duration_s: 120, warmup_s: 10, seed: 3 });
    const b = point({ mode: 'server', rate_per_s: 20, duration_s: 120, warmup_s: 10, seed: 3 });
    expect(b).toEqual(a);
  });
});

const BASE = `name: t
duration: 10m
warmup: 1m
regions:
  us-east: {}
sites:
  cloud:
    kind: cloud
    region: us-east
    pools:
      gpu: { instance: aws/p5.48xlarge, replicas: 1 }
users:
  u:
    region: us-east
    access_rtt: { edge: 8ms, cloud: 25ms }
models:
  llama: { params: 8.03e9, kv_bytes_per_token: 131072 }
  resnet: { flops_per_item: 8.2e9, weights: 102MB }
services:
  chat:
    model: llama
    users: u
    arrivals: { poisson: 20/s }
    request: { input_tokens: 400, output_tokens: 150 }
    slo: { ttft: 2s, tpot: 200ms, percentile: 99 }
  vision:
    model: resnet
    users: u
    arrivals: { poisson: 5/s }
policies: [cloud-only]
`;

function errorOf(text: string): string {
  try {
    loadScenarioText(text, 'scenarios/t.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('LLM scheduler and SLO fields', () => {
  it('reports TTFT, TPOT, ITL, goodput and the percentile rule for an LLM service, none for the others', () => {
    // Alone on its pool (a pool that also hosts another model runs fixed batches).
    const s = loadScenarioText(BASE.split('  vision:\n')[0] + 'policies: [cloud-only]\n', 'scenarios/t.yaml');
    expect(s.services[0].scheduler).toEqual({
      max_num_seqs: 256,
      max_num_batched_tokens: 2048,
      chunked_prefill: true,
      block_size: 16,
    });
    expect(s.services[0].slo).toEqual({ latency_s: null, ttft_s: 2, tpot_s: 0.2, percentile: 99 });
    const r = runScenario(s).policies[0];
    const chat = r.services[0];
    expect(chat.tpot_ms!.p99).toBeLessThan(200);
    expect(chat.itl_ms!.p50).toBeGreaterThan(0);
    expect(chat.slo_percentile_met).toBe(true);
    expect(chat.goodput_per_s!).toBeCloseTo(chat.throughput_per_s, 1);
    expect(chat.ttft_cdf_ms!.length).toBe(102);
    expect(r.pools[0].p99_batch_size).toBeGreaterThan(1);
    expect(r.pools[0].kv_preemptions).toBe(0);
    const mixed = runScenario(loadScenarioText(BASE, 'scenarios/t.yaml')).policies[0];
    const vision = mixed.services[1];
    expect(vision.tpot_ms).toBeNull();
    expect(vision.goodput_per_s).toBeNull();
    expect(vision.slo_percentile_met).toBeNull();
    expect(mixed.pools[0].kv_utilisation).toBeNull();
  });

  it('exit-2 errors name the field', () => {
    expect(
      errorOf(
        BASE.replace('    arrivals: { poisson: 5/s }', '    arrivals: { poisson: 5/s }\n    slo: { tpot: 10ms }'),
      ),
    ).toMatch(
      /^scenarios\/t\.yaml:\d+:\d+: services\.vision\.slo\.tpot: a time-per-output-token SLO applies to LLM services only$/,
    );
    expect(
      errorOf(
        BASE.replace(
          '    arrivals: { poisson: 5/s }',
          '    arrivals: { poisson: 5/s }\n    scheduler: { max_num_seqs: 8 }',
        ),
      ),
    ).toMatch(/services\.vision\.scheduler: scheduler applies to LLM services/);
    expect(errorOf(BASE.replace('slo: { ttft: 2s, tpot: 200ms, percentile: 99 }', 'slo: { percentile: 99 }'))).toMatch(
      /services\.chat\.slo\.percentile: percentile needs a target/,
    );
    expect(errorOf(BASE.replace('percentile: 99', 'percentile: 100'))).toMatch(/services\.chat\.slo\.percentile/);
    expect(errorOf(BASE.replace('tpot: 200ms', 'tpot: -1ms'))).toMatch(/services\.chat\.slo\.tpot/);
    expect(
      errorOf(
        BASE.replace(
          '    request: { input_tokens: 400',
          '    scheduler: { max_num_seqs: 0 }\n    request: { input_tokens: 400',
        ),
      ),
    ).toMatch(/services\.chat\.scheduler\.max_num_seqs/);
    expect(
      errorOf(BASE.replace('kv_bytes_per_token: 131072 }', 'kv_bytes_per_token: 131072, quantisation: full }')),
    ).toMatch(/models\.llama\.quantisation: quantisation applies to LLMs in int4 or int8/);
  });
});
