import { describe, it, expect } from 'vitest';
import { defaultTargetRunning, wantedLlmUnits, wantedUnits } from '../src/sim/autoscaler.js';
import { emptyEstimate, estimateLlm } from '../src/sim/llm-estimate.js';
import { LLM_SCHEDULER_DEFAULTS, llmStepCoeffs } from '../src/hardware/llm-step.js';
import { defaultCatalog } from '../src/hardware/catalog.js';
import type { AutoscaleSpec, LlmModel, Service } from '../src/model/types.js';

const spec = (over: Partial<AutoscaleSpec>): AutoscaleSpec =>
  ({
    min: 1,
    max: 10,
    initial: 1,
    metric: 'utilisation',
    target_utilisation: 0.5,
    target_queue: 4,
    scale_in_after_s: 60,
    check_every_s: 10,
    ...over,
  }) as AutoscaleSpec;

describe('wantedUnits (the autoscaler decision)', () => {
  it('utilisation: sizes the pool so that demand runs at the target utilisation', () => {
    const a = spec({ metric: 'utilisation', target_utilisation: 0.5 });
    // 3 busy replicas + 8 queued in batches of 4 = 5 replicas of demand; at 50 % that is 10 replicas = 5 units of 2.
    expect(wantedUnits(a, 2, 4, 3, 8, 4, 2, 0)).toBe(5);
    // Exactly on a boundary does not round up (the 1e-9 guard).
    expect(wantedUnits(a, 1, 1, 2, 0, 4, 4, 0)).toBe(4);
  });

  it('utilisation: stays within min and max', () => {
    expect(wantedUnits(spec({ min: 2 }), 1, 1, 0, 0, 2, 2, 0)).toBe(2);
    expect(wantedUnits(spec({ max: 3 }), 1, 1, 100, 0, 3, 3, 0)).toBe(3);
  });

  it('queue: adds one unit when the queue per serving replica passes the target', () => {
    const a = spec({ metric: 'queue', target_queue: 4 });
    expect(wantedUnits(a, 1, 1, 2, 9, 2, 2, 0)).toBe(3);
    expect(wantedUnits(a, 1, 1, 2, 8, 2, 2, 0)).toBe(2);
    // Nothing serving and requests waiting: one more.
    expect(wantedUnits(a, 1, 1, 0, 1, 0, 0, 0)).toBe(1);
  });

  it('queue: waits for a booting unit before adding another', () => {
    const a = spec({ metric: 'queue', target_queue: 4 });
    expect(wantedUnits(a, 1, 1, 2, 20, 2, 3, 1)).toBe(3);
  });

  it('queue: asks for one fewer when idle below the target utilisation, never below min', () => {
    const a = spec({ metric: 'queue', target_utilisation: 0.5, min: 1 });
    expect(wantedUnits(a, 1, 1, 1, 0, 4, 4, 0)).toBe(3);
    expect(wantedUnits(a, 1, 1, 3, 0, 4, 4, 0)).toBe(4);
    expect(wantedUnits(a, 1, 1, 0, 0, 1, 1, 0)).toBe(1);
  });
});

describe('wantedLlmUnits and defaultTargetRunning (continuous-batching LLM pools)', () => {
  it('sizes the pool to its in-flight sequences at target_running per replica, within min and max', () => {
    const a = spec({ min: 1, max: 10 });
    // 130 running + 10 waiting at 40 per replica, 1 replica per unit: 3.5 -> 4 units.
    expect(wantedLlmUnits(a, 1, 40, 130, 10)).toBe(4);
    // Exactly on a boundary does not round up; 2 replicas per unit halve it.
    expect(wantedLlmUnits(a, 1, 40, 120, 0)).toBe(3);
    expect(wantedLlmUnits(a, 2, 40, 120, 0)).toBe(2);
    expect(wantedLlmUnits(a, 1, 40, 0, 0)).toBe(1);
    expect(wantedLlmUnits(a, 1, 1, 1000, 0)).toBe(10);
  });

  it('the default target: target_utilisation × the largest batch whose estimate meets the SLOs', () => {
    const model: LlmModel = {
      name: 'l8',
      index: 0,
      kind: 'llm',
      params: 8.03e9,
      dtype: 'int8',
      compute_dtype: 'fp16',
      weight_bytes: 8.03e9,
      kv_bytes_per_token: 131072,
    };
    const device = defaultCatalog().devices['a10g'];
    const llm = {
      model,
      scheduler: LLM_SCHEDULER_DEFAULTS,
      coeffs: llmStepCoeffs(model, device, 1),
      blocks: 1e6,
      watermarkBlocks: 0,
    };
    const svc = (latency_s: number | null, ttft_s: number | null, tpot_s: number | null = null) =>
      ({
        slo: { latency_s, ttft_s, tpot_s },
        request: { input_tokens: 300, output_tokens: 100 },
      }) as unknown as Service;
    const est = (b: number) =>
      estimateLlm(
        llm.coeffs,
        LLM_SCHEDULER_DEFAULTS,
        300,
        100,
        { running: b - 1, prefillAhead: 0, waiting: 0, idle: false },
        emptyEstimate(),
      );
    const target = defaultTargetRunning(llm, [svc(15, 2)], 0.7);
    // 70% of the largest running batch whose estimated latency is within 15 s.
    let max = 0;
    for (let n = 1; n <= 256; n++) if (est(n).wait_s + est(n).total_s <= 15) max = n;
    expect(target).toBe(Math.floor(max * 0.7));
    expect(target).toBeGreaterThan(10);
    // A tighter SLO lowers it; several services take the tightest; no SLO: max_num_seqs × 0.7.
    expect(defaultTargetRunning(llm, [svc(8, null)], 0.7)).toBeLessThan(target);
    expect(defaultTargetRunning(llm, [svc(15, 2), svc(8, null)], 0.7)).toBe(
      defaultTargetRunning(llm, [svc(8, null)], 0.7),
    );
    expect(defaultTargetRunning(llm, [svc(null, null)], 0.7)).toBe(Math.floor(256 * 0.7));
    // A TPOT SLO counts too: 40 ms a token allows fewer sequences than 15 s for the whole answer.
    const tpot = defaultTargetRunning(llm, [svc(null, null, 0.04)], 0.7);
    expect(tpot).toBeLessThan(target);
    let maxT = 0;
    for (let n = 1; n <= 256; n++) if ((est(n).total_s - est(n).first_token_s) / 99 <= 0.04) maxT = n;
    expect(tpot).toBe(Math.floor(maxT * 0.7));
    // An SLO no batch meets still gives 1.
    expect(defaultTargetRunning(llm, [svc(0.01, null)], 0.7)).toBe(1);
  });
});
