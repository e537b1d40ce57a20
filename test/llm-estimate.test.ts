import { describe, expect, it } from 'vitest';
import { runLlmPoint } from '../src/sim/llm-point.js';
import { LLM_SCHEDULER_DEFAULTS, llmStepCoeffs, stepTime } from '../src/hardware/llm-step.js';
import { defaultCatalog } from '../src/hardware/catalog.js';
import { emptyEstimate, estimateLlm, steadyStateLlm } from '../src/sim/llm-estimate.js';
import type { LlmModel } from '../src/model/types.js';

// Llama 3 8B, int8 weights (fp16 compute), fp16 KV cache: the on-prem-vs-cloud scenario's model.
const L8 = {
  name: 'llama-3-8b-int8',
  params: 8.03e9,
  dtype: 'int8' as const,
  weight_bytes: 8.03e9,
  kv_bytes_per_token: 131072,
};
const L8_MODEL: LlmModel = { ...L8, index: 0, kind: 'llm', compute_dtype: 'fp16' };
const cat = defaultCatalog();
const I = 300;
const O = 100;

function simulated(device: string, rate: number) {
  return runLlmPoint({
    model: L8,
    device: cat.devices[device],
    devices: 1,
    max_batch: 8,
    input_tokens: I,
    output_tokens: O,
    mode: 'server',
    rate_per_s: rate,
    duration_s: 600,
    warmup_s: 100,
  });
}

describe('LLM pool estimate against the simulation (one replica, Poisson load)', () => {
  // Loads from light to ~80% of what the replica sustains (L4 saturates near 11/s, A10G near 6.5/s here).
  const cases: [string, number][] = [
    ['l4', 1],
    ['l4', 4],
    ['l4', 8],
    ['a10g', 1],
    ['a10g', 4],
  ];
  for (const [device, rate] of cases) {
    it(`${device} at ${rate}/s: running batch, TTFT and TPOT close to the simulated means`, () => {
      const c = llmStepCoeffs(L8_MODEL, cat.devices[device], 1);
      const e = steadyStateLlm(c, LLM_SCHEDULER_DEFAULTS, I, O, rate)!;
      const r = simulated(device, rate);
      const tpot = (e.total_s - e.first_token_s) / (O - 1);
      expect(tpot * 1000).toBeGreaterThan(r.tpot_ms!.mean * 0.85);
      expect(tpot * 1000).toBeLessThan(r.tpot_ms!.mean * 1.15);
      // TTFT: the mean-value estimate leaves out the contention of prompts arriving together (≤ 30% low).
      const ttft = (e.wait_s + e.first_token_s) * 1000;
      expect(ttft).toBeGreaterThan(r.ttft_ms!.mean * 0.7);
      expect(ttft).toBeLessThan(r.ttft_ms!.mean * 1.15);
      expect(e.running).toBeGreaterThan(r.mean_batch * 0.75);
      expect(e.running).toBeLessThan(r.mean_batch * 1.3);
    });
  }

  it('beyond what a replica sustains at max_num_seqs there is no steady state', () => {
    const c = llmStepCoeffs(L8_MODEL, cat.devices['l4'], 1);
    expect(steadyStateLlm(c, LLM_SCHEDULER_DEFAULTS, I, O, 14)).toBeNull();
  });
});

describe('LLM pool estimate: the terms', () => {
  const c = llmStepCoeffs(L8_MODEL, cat.devices['l4'], 1);
  const sched = LLM_SCHEDULER_DEFAULTS;

  it('an idle replica: the prompt in one step, then O − 1 decode steps of one sequence carrying 1/O of a prompt', () => {
    const e = estimateLlm(c, sched, I, O, { running: 0, prefillAhead: 0, waiting: 0, idle: true }, emptyEstimate());
    expect(e.wait_s).toBe(0);
    expect(e.first_token_s).toBeCloseTo(stepTime(c, I, 0), 12);
    const base = stepTime(c, 1, I + O / 2);
    const tau = base + (1 / O) * (stepTime(c, 1 + I, I + O / 2) - base);
    expect(e.step_s).toBeCloseTo(tau, 12);
    expect(e.total_s).toBeCloseTo(e.first_token_s + (O - 1) * tau, 12);
    expect(e.batch).toBe(1);
  });

  it('grows with the running sequences, the prompt tokens ahead and the requests waiting', () => {
    const at = (running: number, prefillAhead: number, waiting: number) =>
      estimateLlm(c, sched, I, O, { running, prefillAhead, waiting, idle: false }, emptyEstimate());
    const light = at(4, 0, 0);
    const busy = at(100, 0, 0);
    expect(busy.total_s).toBeGreaterThan(light.total_s * 2);
    expect(busy.batch).toBe(101);
    // 5,000 prompt tokens ahead: three more budget-sized steps before its own prompt.
    expect(at(4, 5000, 0).first_token_s).toBeGreaterThan(light.first_token_s + 2 * stepTime(c, 2048, 0));
    // Requests waiting for a sequence slot wait for completions.
    expect(at(255, 0, 10).wait_s).toBeGreaterThan(at(255, 0, 0).wait_s + 0.5);
    // The running count is capped at max_num_seqs.
    expect(at(1000, 0, 0).batch).toBe(sched.max_num_seqs);
  });

  it('without chunked prefill, prompts run in prefill-only steps that pause the decodes', () => {
    const v0 = { ...sched, chunked_prefill: false };
    const e = estimateLlm(c, v0, I, O, { running: 10, prefillAhead: 600, waiting: 0, idle: false }, emptyEstimate());
    expect(e.first_token_s).toBeCloseTo(stepTime(c, 900, 0), 12);
    expect(e.step_s).toBeCloseTo(stepTime(c, 11, 11 * (I + O / 2)) + (11 / O) * stepTime(c, I, 0), 12);
  });
});
