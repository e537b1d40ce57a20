/**
 * The built-in policies. Each picks among the available candidates, so each takes the pruned view
 * (`candidates: 'reachable'`, see Policy) and gives the same answer as over every candidate; ties go to the candidate listed first
 * in the scenario, so results never depend on anything but the scenario and the seed.
 */
import {
  meetsSlo,
  type Candidate,
  type Policy,
  type PlacementRequest,
  type PlacementView,
  type TargetKind,
} from './policy.js';
import type { BuiltinPolicyName } from './names.js';

type Score = (c: Candidate) => number;

/** Index of the available candidate (optionally of one kind, optionally meeting the SLO) with the lowest score. */
function best(view: PlacementView, score: Score, kind: TargetKind | null, request: PlacementRequest | null): number {
  const cs = view.candidates;
  let bestIndex = -1;
  let bestScore = Infinity;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (!c.available) continue;
    if (kind !== null && c.kind !== kind) continue;
    if (request !== null && !meetsSlo(request, c)) continue;
    const s = score(c);
    if (s < bestScore || bestIndex === -1) {
      bestScore = s;
      bestIndex = i;
    }
  }
  return bestIndex;
}

const byLatency: Score = (c) => c.latency_s;
const byRtt: Score = (c) => c.rtt_s;
const byCost: Score = (c) => c.cost_usd;
const byCarbon: Score = (c) => c.carbon_g;

/**
 * Carbon-aware: requests go to the lowest-carbon candidate whose estimate meets the SLO (the fastest one
 * when none does); deferrable training jobs are shifted to the pool and start hour with the lowest
 * estimated carbon that still meets their deadline.
 */
const carbonAware: Policy = {
  name: 'carbon-aware',
  candidates: 'reachable',
  place: (r, v) => {
    const green = best(v, byCarbon, null, r);
    return green >= 0 ? green : best(v, byLatency, null, null);
  },
  deferRequest: (r, v, until) => {
    // Hold the request until the hour in which the greenest candidate's grid is cleanest.
    const gridAt = v.gridAt;
    if (!gridAt) return 0;
    let bestDelay = 0;
    let bestCarbon = Infinity;
    for (const c of v.candidates) {
      if (!c.available) continue;
      const now = gridAt(c.region, v.now);
      // Now, or the top of any later hour that still lets the request finish by `until`.
      const starts = [v.now];
      for (let t = (Math.floor(v.now / 3600) + 1) * 3600; t <= until - c.latency_s; t += 3600) starts.push(t);
      for (const t of starts) {
        const g = gridAt(c.region, t);
        const carbon = now > 0 ? (c.carbon_g * g) / now : g;
        if (carbon < bestCarbon - 1e-12) {
          bestCarbon = carbon;
          bestDelay = t - v.now;
        }
      }
    }
    void r;
    return bestDelay;
  },
  scheduleJob: (_job, options) => {
    let pick = -1;
    for (let i = 0; i < options.length; i++) {
      const o = options[i];
      if (!o.meets_deadline) continue;
      if (pick === -1 || o.carbon_g < options[pick].carbon_g) pick = i;
    }
    return pick >= 0 ? pick : 0;
  },
};

export const builtinPolicies: Record<BuiltinPolicyName, Policy> = {
  /** Every request to a cloud pool (the fastest-looking one); rejected if there is none. */
  'cloud-only': {
    name: 'cloud-only',
    candidates: 'reachable',
    siteKinds: ['cloud'],
    place: (_r, v) => best(v, byLatency, 'cloud', null),
  },
  /** Every request to an edge pool (the fastest-looking one); rejected if there is none. */
  'edge-only': {
    name: 'edge-only',
    candidates: 'reachable',
    siteKinds: ['edge'],
    place: (_r, v) => best(v, byLatency, 'edge', null),
  },
  /** The pool with the lowest round trip from the user, whatever its load. */
  nearest: { name: 'nearest', candidates: 'reachable', place: (_r, v) => best(v, byRtt, null, null) },
  /** The smallest estimated network + queue + execution time. */
  'least-latency': { name: 'least-latency', candidates: 'reachable', place: (_r, v) => best(v, byLatency, null, null) },
  /** The cheapest pool whose estimate meets the SLO; rejected when none does (admission control). */
  'cheapest-within-slo': {
    name: 'cheapest-within-slo',
    candidates: 'reachable',
    place: (r, v) => best(v, byCost, null, r),
  },
  /** The lowest estimated carbon per request, regardless of latency. */
  'lowest-carbon': { name: 'lowest-carbon', candidates: 'reachable', place: (_r, v) => best(v, byCarbon, null, null) },
  /**
   * Edge while the edge estimate meets the SLO (the edge queue is short enough), otherwise the fastest
   * cloud pool, then the fastest managed API; if there is neither, the edge anyway; with no SLO, always
   * the edge when available.
   */
  'edge-first': {
    name: 'edge-first',
    candidates: 'reachable',
    place: (r, v) => {
      const edge = best(v, byLatency, 'edge', null);
      if (edge >= 0 && meetsSlo(r, v.candidates[edge])) return edge;
      const cloud = best(v, byLatency, 'cloud', null);
      if (cloud >= 0) return cloud;
      const api = best(v, byLatency, 'api', null);
      if (api >= 0) return api;
      return edge >= 0 ? edge : best(v, byLatency, null, null);
    },
  },
  'carbon-aware': carbonAware,
};

export function builtinPolicy(name: string): Policy | undefined {
  return (builtinPolicies as Record<string, Policy>)[name];
}
