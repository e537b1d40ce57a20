/**
 * Runs a scenario: builds its plan once, runs it under each policy with the same seed (so every policy sees
 * the same arrivals), and assembles the Result.
 */
import type { Scenario } from '../model/types.js';
import { restrictPolicy, type Policy } from '../placement/policy.js';
import { builtinPolicy } from '../placement/builtin.js';
import type { Result } from '../metrics/result.js';
import { buildPlan, PlanError } from './plan.js';
import { runPolicy, type TraceRow, type TraceSink } from './run-policy.js';
import { assembleResult, policyResult, ConservationError } from './result.js';
import { fleetPools, withFleets } from './fleet-result.js';

export { buildPlan, PlanError, runPolicy, ConservationError, type TraceRow, type TraceSink };

export interface RunOptions {
  /** Policies to run instead of scenario.policies (objects, e.g. a user's own). */
  policies?: Policy[];
  /** Receives one row per request (all policies, in run order) — for `--trace`. */
  trace?: TraceSink;
  /** Called after each policy's run (for progress output). */
  onPolicyDone?: (name: string, index: number, total: number) => void;
  /** Keep a fleet's instances in the Result (pools, placements, time series); default: only the fleet rows. */
  instances?: boolean;
}

/**
 * The scenario's policies as objects: built-ins by name, `{ name, policy, pools }` variants, and `extra`
 * policies (a user's own, loaded with --policy-module) by their name — which variants may also build on.
 */
export function resolvePolicies(scenario: Scenario, extra: readonly Policy[] = []): Policy[] {
  const lookup = (name: string): Policy | undefined => extra.find((p) => p.name === name) ?? builtinPolicy(name);
  return scenario.policies.map((name) => {
    const variant = scenario.policy_variants[name];
    const base = lookup(variant ? variant.policy : name);
    if (!base) throw new PlanError(`unknown policy "${name}"`, ['policies']);
    if (!variant) return base;
    return restrictPolicy(base, name, variant.pools);
  });
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): Result {
  const plan = buildPlan(scenario);
  const policies = options.policies ?? resolvePolicies(scenario);
  const keep = options.instances ?? false;
  const leaveOut = keep ? undefined : fleetPools(scenario);
  const results = policies.map((policy, i) => {
    const r = withFleets(
      plan,
      policyResult(plan, runPolicy(plan, policy, options.trace ?? null, leaveOut), leaveOut),
      keep,
    );
    options.onPolicyDone?.(policy.name, i, policies.length);
    return r;
  });
  return assembleResult(plan, results);
}
