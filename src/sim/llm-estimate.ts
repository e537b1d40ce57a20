/**
 * The policy's estimate for one request at a continuous-batching LLM pool (docs/policies.md, docs/model.md
 * "Placement estimates"), from the pool's state now and the simulator's own step model (llm-step.ts):
 *
 *   n   = sequences running per replica (before this one); n1 = min(n + 1, max_num_seqs)
 *   P   = prompt tokens ahead of it per replica (running sequences' unprefilled tokens, waiting prompts)
 *   ctx = I + O / 2, the mean context of a running sequence (KV read per sequence per step)
 *
 *   prefill: P + I tokens go through the step's prefill slot (budget − n tokens beside n decodes), in full
 *            steps of stepTime(n + slot, n · ctx) and a last one of the remainder: ttft_exec
 *   decode:  O − 1 steps of n1 decodes, each carrying its share of the others' prompts: every sequence
 *            brings one prompt of I tokens per O output tokens, so n1 / O prompts a step, each adding what
 *            its chunks cost beside n1 decodes (a prompt lands whole in a step, not spread thinly: the step
 *            time is a max of compute and memory, so spreading it would hide its cost):
 *            τ = stepTime(n1, n1 · ctx) + (n1 / O) · Σ_chunks [stepTime(n1 + chunk, n1 · ctx) − stepTime(n1, n1 · ctx)]
 *   wait:    half the step in progress unless a replica is idle (a request is admitted at the next step);
 *            while requests wait to be admitted (max_num_seqs or KV blocks), (q + 0.5) completions, one
 *            every O · τ / n1 seconds per replica; cold start when nothing serves.
 *
 * Without chunked prefill (vLLM V0) prompts run in prefill-only steps that pause the decodes: the prefill
 * steps' time adds to TTFT whole, and each decode step carries n1 / O of a prompt's step.
 *
 * Pure functions on numbers: view.ts calls `estimateLlmPool` with the pool's counters.
 */
import type { LlmSchedulerSpec } from '../model/types.js';
import { stepTime, type StepCoeffs } from '../hardware/llm-step.js';

/** The state of one pool as the estimate reads it, per replica. */
export interface LlmLoad {
  /** Sequences running per replica (mean over serving replicas). */
  running: number;
  /** Prompt tokens not yet prefilled per replica: running sequences' remaining prompts and waiting prompts. */
  prefillAhead: number;
  /** Requests waiting to be admitted per replica. */
  waiting: number;
  /** Some replica is idle: a request starts a step at once. */
  idle: boolean;
}

/** The estimate (seconds): wait before admission, admission to first token, admission to last token. */
export interface LlmEstimate {
  wait_s: number;
  first_token_s: number;
  total_s: number;
  /** Sequences sharing a step with it (for its share of the replica's cost and energy). */
  batch: number;
  /** The decode step time at that mix. */
  step_s: number;
}

/**
 * An estimate of zeros. Its fields hold fractions and start as one (see the Simulator's constructor): the
 * LLM servers keep one estimate per run, and one hidden class for it keeps their compiled code across runs.
 */
export function emptyEstimate(): LlmEstimate {
  const e = { wait_s: 0.5, first_token_s: 0.5, total_s: 0.5, batch: 1.5, step_s: 0.5 };
  e.wait_s = e.first_token_s = e.total_s = e.step_s = 0;
  e.batch = 1;
  return e;
}

/** An empty load (its fields start as fractions, as emptyEstimate's). */
export function emptyLoad(): LlmLoad {
  const l = { running: 0.5, prefillAhead: 0.5, waiting: 0.5, idle: false };
  l.running = l.prefillAhead = l.waiting = 0;
  return l;
}

/** Fills `out` with the estimate for a request of `input` / `output` tokens under `load` (file comment). */
export function estimateLlm(
  c: StepCoeffs,
  sched: LlmSchedulerSpec,
  input: number,
  output: number,
  load: LlmLoad,
  out: LlmEstimate,
): LlmEstimate {
  const I = input > 0 ? input : 1;
  const O = output > 0 ? output : 1;
  const maxSeqs = sched.max_num_seqs;
  const budget = sched.max_num_batched_tokens;
  const n = load.running < maxSeqs - 1 ? load.running : maxSeqs - 1;
  const n1 = n + 1;
  const ctx = I + O / 2;
  const total = load.prefillAhead + I;
  let ttft: number;
  let tau: number;
  if (sched.chunked_prefill) {
    const slot = budget - n > 1 ? budget - n : 1;
    const full = Math.floor(total / slot);
    const rem = total - full * slot;
    const kv = n * ctx;
    ttft = full * stepTime(c, n + slot, kv) + (rem > 0 ? stepTime(c, n + rem, kv) : 0);
    // Each sequence brings one prompt of I tokens per O output tokens: n1 / O prompts a step, each costing
    // what its chunks add to a step of n1 decodes (prompts come whole, not spread over the steps).
    const base = stepTime(c, n1, n1 * ctx);
    const room = budget - n1 > 1 ? budget - n1 : 1;
    let extra = 0;
    for (let done = 0; done < I; done += room) {
      const chunk = I - done < room ? I - done : room;
      extra += stepTime(c, n1 + chunk, n1 * ctx + done) - base;
    }
    tau = base + (n1 / O) * extra;
  } else {
    // Prefill-only steps of whole prompts, as many prompts as the budget takes (at least one).
    const perStep = budget > I ? budget : I;
    const steps = Math.ceil(total / perStep);
    ttft = (steps - 1) * stepTime(c, perStep, 0) + stepTime(c, total - (steps - 1) * perStep, 0);
    tau = stepTime(c, n1, n1 * ctx) + (n1 / O) * stepTime(c, I, 0);
  }
  let wait = load.idle ? 0 : 0.5 * tau;
  if (load.waiting > 0) wait += ((load.waiting + 0.5) * O * tau) / n1;
  out.wait_s = wait;
  out.first_token_s = ttft;
  out.total_s = ttft + (O - 1) * tau;
  out.batch = n1;
  out.step_s = tau;
  return out;
}

/**
 * The steady state of one replica under `ratePerS` requests a second (Little's law: running = rate ×
 * time in the server, prompt tokens ahead = rate × I × half the prefill time), by fixed-point iteration;
 * null when the rate is beyond what the replica can serve at max_num_seqs. For tests and the autoscaler's
 * default target.
 */
export function steadyStateLlm(
  c: StepCoeffs,
  sched: LlmSchedulerSpec,
  input: number,
  output: number,
  ratePerS: number,
): (LlmEstimate & { running: number }) | null {
  const out = emptyEstimate();
  const load: LlmLoad = { running: 0, prefillAhead: 0, waiting: 0, idle: false };
  let running = 0;
  for (let it = 0; it < 200; it++) {
    load.running = running;
    estimateLlm(c, sched, input, output, load, out);
    const next = ratePerS * out.total_s;
    load.prefillAhead = ratePerS * input * 0.5 * out.first_token_s;
    if (next > sched.max_num_seqs) return null;
    if (Math.abs(next - running) < 1e-6) break;
    running = 0.5 * (running + next);
  }
  return { ...out, running };
}
