// The continuous-batching scheduler (src/sim/llm-server.ts counts its decoders per step) against the
// straightforward one it replaced (test/helpers/llm-server-reference.ts walks every sequence every step): on
// random small configurations — block size, token budget, sequence limit, chunked prefill or not, KV blocks
// few enough to preempt, prompt and output lengths, offline or Poisson load, one to three replicas, unit
// failures — every request's outcome and times and the whole policy result (preemptions, KV utilisation,
// batch sizes, TTFT/TPOT/ITL percentiles) must be the same to the bit.
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { Device, LlmModel, Scenario } from '../src/model/types.js';
import type { TraceRow } from '../src/metrics/trace.js';

type Sim = {
  buildPlan: typeof import('../src/sim/plan.js').buildPlan;
  runPolicy: typeof import('../src/sim/run-policy.js').runPolicy;
  policyResult: typeof import('../src/sim/result.js').policyResult;
  pointScenario: typeof import('../src/sim/point-scenario.js').pointScenario;
  builtinPolicy: typeof import('../src/placement/builtin.js').builtinPolicy;
};

async function load(): Promise<Sim> {
  return {
    buildPlan: (await import('../src/sim/plan.js')).buildPlan,
    runPolicy: (await import('../src/sim/run-policy.js')).runPolicy,
    policyResult: (await import('../src/sim/result.js')).policyResult,
    pointScenario: (await import('../src/sim/point-scenario.js')).pointScenario,
    builtinPolicy: (await import('../src/placement/builtin.js')).builtinPolicy,
  };
}

interface Config {
  blockSize: number;
  budget: number;
  maxSeqs: number;
  chunked: boolean;
  /** KV blocks per device (before rounding). */
  blocks: number;
  units: number;
  input: [number, number];
  output: [number, number];
  offline: boolean;
  requests: number;
  rate: number;
  failures: boolean;
  seed: number;
}

const KV_BYTES = 1024;
const WEIGHTS = 1e9;

function scenarioOf(sim: Sim, c: Config): Scenario {
  const device: Device = {
    id: 'tiny',
    name: 'tiny',
    class: 'gpu',
    peak_flops: { fp16: 50e12 },
    // Weights plus `blocks` blocks, over the usable fraction (0.9) of the device's memory.
    memory_bytes: Math.ceil((WEIGHTS + c.blocks * c.blockSize * KV_BYTES + 0.5 * KV_BYTES) / 0.9),
    mem_bw_bytes_per_s: 400e9,
    power_max_w: 300,
    power_idle_w: 50,
  } as Device;
  const model: LlmModel = {
    index: 0,
    kind: 'llm',
    name: 'm',
    params: 1e9,
    dtype: 'fp16',
    compute_dtype: 'fp16',
    weight_bytes: WEIGHTS,
    kv_bytes_per_token: KV_BYTES,
  };
  const uniform = (r: [number, number]) => ({ kind: 'uniform' as const, min: Math.min(...r), max: Math.max(...r) });
  const s = sim.pointScenario({
    name: 'prop',
    seed: c.seed,
    duration_s: c.offline ? 1e6 : 30,
    warmup_s: c.offline ? 0 : 3,
    pool: { name: 'dc/llm', device, units: c.units },
    model: model,
    service: {
      name: 'llm',
      arrivals: c.offline
        ? { kind: 'trace', file: '(offline)', times_s: new Float64Array(c.requests) }
        : { kind: 'poisson', rate_per_s: c.rate },
      request: {
        // The fixed values size the replica (weights + one sequence of these): kept small so that the KV
        // cache can be a few blocks; the drawn lengths are what the requests carry.
        input_tokens: 0,
        output_tokens: 1,
        items: 1,
        lengths: { items: null, input_tokens: uniform(c.input), output_tokens: uniform(c.output) },
        upload_bytes: 0,
        download_bytes: 0,
      },
      batching: { max_batch: 1, max_wait_s: 0 },
      scheduler: {
        max_num_seqs: c.maxSeqs,
        max_num_batched_tokens: c.budget,
        chunked_prefill: c.chunked,
        block_size: c.blockSize,
      },
    },
  });
  if (c.failures) s.pools[0].failures = { mtbf_s: 4, mttr_s: 1 };
  return s;
}

function runWith(sim: Sim, c: Config): string {
  const plan = sim.buildPlan(scenarioOf(sim, c));
  const rows: TraceRow[] = [];
  const tallies = sim.runPolicy(plan, sim.builtinPolicy('least-latency')!, (row) => rows.push({ ...row }));
  return JSON.stringify({ rows, result: sim.policyResult(plan, tallies) });
}

const config: fc.Arbitrary<Config> = fc.record({
  blockSize: fc.constantFrom(1, 2, 3, 4, 16),
  budget: fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 25, max: 600 })),
  maxSeqs: fc.integer({ min: 1, max: 24 }),
  chunked: fc.boolean(),
  blocks: fc.integer({ min: 2, max: 300 }),
  units: fc.integer({ min: 1, max: 3 }),
  input: fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 })),
  output: fc.tuple(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 80 })),
  offline: fc.boolean(),
  requests: fc.integer({ min: 1, max: 60 }),
  rate: fc.double({ min: 0.5, max: 40, noNaN: true }),
  failures: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

describe('LLM scheduler: counted per step = walked per sequence', () => {
  it('gives the same requests, times, preemptions and result on random small configurations', async () => {
    const fast = await load();
    vi.resetModules();
    vi.doMock('../src/sim/llm-server.js', () => import('./helpers/llm-server-reference.js'));
    const reference = await load();
    vi.doUnmock('../src/sim/llm-server.js');
    // Both module graphs are live: the reference one builds its pools with the walking LlmServers.
    expect(reference.buildPlan).not.toBe(fast.buildPlan);
    let preempting = 0;
    fc.assert(
      fc.property(config, (c) => {
        const a = runWith(fast, c);
        const b = runWith(reference, c);
        if (a !== b) expect(JSON.parse(a)).toEqual(JSON.parse(b));
        expect(a).toBe(b);
        if (JSON.parse(a).result.pools[0].kv_preemptions > 0) preempting++;
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100), seed: 8 },
    );
    // The configurations reach the preemption (walked) path, not only the counted one.
    expect(preempting).toBeGreaterThan(5);
  });
});
