/**
 * The Pareto set of policies over three axes to minimise: p99 latency, cost and carbon.
 *
 * A policy is in the set when no other policy is at least as good on all three axes and strictly better on
 * one. Equal points do not dominate each other, so ties are all kept.
 */

import type { PolicyResult } from './result.js';

export interface ParetoPoint {
  name: string;
  /** The policy's worst p99 over its services (see policyP99); null when it has no latency to show. */
  p99_ms: number | null;
  cost_usd: number;
  carbon_kg: number;
}

/** Does a dominate b? A null p99 never dominates and loses to any point that has a p99. */
function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  if (a.p99_ms === null) return false;
  // A policy that served nothing (or left a whole service unserved) is worse than any that served,
  // whatever it saved on cost and carbon by not doing the work.
  if (b.p99_ms === null) return true;
  if (a.p99_ms > b.p99_ms || a.cost_usd > b.cost_usd || a.carbon_kg > b.carbon_kg) return false;
  return a.p99_ms < b.p99_ms || a.cost_usd < b.cost_usd || a.carbon_kg < b.carbon_kg;
}

/**
 * Names of the points no other point dominates, in input order. Quadratic, which is fine for the handful of
 * policies a scenario compares.
 */
export function paretoSet(points: ParetoPoint[]): string[] {
  // With no latency anywhere (a training-only scenario), cost and carbon alone decide.
  const noLatency = points.length > 0 && points.every((p) => p.p99_ms === null);
  const beats = noLatency ? dominatesOnCostAndCarbon : dominates;
  return points.filter((p) => !points.some((q) => q !== p && beats(q, p))).map((p) => p.name);
}

function dominatesOnCostAndCarbon(a: ParetoPoint, b: ParetoPoint): boolean {
  if (a.cost_usd > b.cost_usd || a.carbon_kg > b.carbon_kg) return false;
  return a.cost_usd < b.cost_usd || a.carbon_kg < b.carbon_kg;
}

/**
 * A policy's p99 for the Pareto comparison: the worst (max) p99 over its services, because a placement is
 * only as good as the service it serves worst.
 *
 * Services with no measured arrivals are skipped (no evidence either way). If a service had arrivals but
 * completed none, the policy's p99 is null: it failed that service entirely, and null ranks below every
 * measured p99. Null too when no service has a latency at all.
 */
export function policyP99(policy: PolicyResult): number | null {
  let worst: number | null = null;
  for (const s of policy.services) {
    if (s.latency_ms === null) {
      if (s.arrivals > 0) return null;
      continue;
    }
    worst = worst === null ? s.latency_ms.p99 : Math.max(worst, s.latency_ms.p99);
  }
  return worst;
}

/** The Pareto point of one policy: worst p99, total cost, total carbon. */
export function paretoPoint(policy: PolicyResult): ParetoPoint {
  return {
    name: policy.policy,
    p99_ms: policyP99(policy),
    cost_usd: policy.totals.cost_usd.total,
    carbon_kg: policy.totals.carbon_kg.total,
  };
}

/** The Pareto set of a run's policies, ready for Result.pareto. */
export function paretoOfPolicies(policies: PolicyResult[]): string[] {
  return paretoSet(policies.map(paretoPoint));
}
