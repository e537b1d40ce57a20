/**
 * Why a request went where it did, and why one was turned away or lost: the causes `placesim explain`
 * reports (src/explain). A policy is a black box that returns an index, so the reason is read off the
 * candidates it chose among, at the moment it chose: the only one available; the best on the policy's own
 * criterion (lowest latency estimate, nearest by RTT, cheapest estimate meeting the SLO, cheapest, lowest
 * carbon); or, for a policy without one such criterion (edge-first, a plugin), the first of those criteria
 * the choice is best on. A
 * choice is a *fallback* when a candidate better on that criterion was there but unavailable for a
 * passing reason — its queue full, its pool or uplink down, its API at its concurrency limit.
 *
 * Owns: the code tables (reasons, fallback causes, rejection and loss causes) and the classification.
 * Handles no events; the view calls `classify` and `rejectCause` right after asking the policy.
 */
import type { Candidate, PlacementRequest, Policy, TargetKind } from '../placement/policy.js';
import { builtinPolicy } from '../placement/builtin.js';

export const PLACEMENT_REASONS = [
  'only available candidate',
  'lowest estimated latency',
  'nearest by RTT',
  'cheapest estimate meeting the SLO',
  'cheapest estimate',
  'lowest estimated carbon',
  'other (none of the above)',
] as const;
const ONLY = 0;
const LATENCY = 1;
const RTT = 2;
const COST_IN_SLO = 3;
const COST = 4;
const CARBON = 5;
const OTHER = 6;

/** Why a better candidate was unavailable, making the choice a fallback (0: not a fallback). */
export const FALLBACK_CAUSES = [
  '',
  "fallback: a better one's queue was full",
  'fallback: a better one was down or cut off',
  'fallback: a better API was at its limit',
] as const;
const NOT_FALLBACK = 0;
const FULL = 1;
const DOWN = 2;
const API_LIMIT = 3;
export const N_DECISIONS = PLACEMENT_REASONS.length * FALLBACK_CAUSES.length;

/** A decision code → its label: "lowest estimated latency", or "… (fallback: a better one's queue was full)". */
export function decisionLabel(code: number): string {
  const reason = PLACEMENT_REASONS[Math.floor(code / FALLBACK_CAUSES.length)];
  const fb = code % FALLBACK_CAUSES.length;
  return fb === NOT_FALLBACK ? reason : `${reason} (${FALLBACK_CAUSES[fb]})`;
}

export const REJECT_CAUSES = [
  'no candidate available (queues full)',
  'no candidate available (down or cut off)',
  'no candidate reachable or allowed',
  'no estimate meets the SLO',
  'refused by the policy',
  'queue full when it arrived',
  'API at its concurrency limit',
] as const;
export const REJECT_ALL_FULL = 0;
export const REJECT_ALL_DOWN = 1;
export const REJECT_NONE_ALLOWED = 2;
export const REJECT_SLO = 3;
export const REJECT_REFUSED = 4;
export const REJECT_QUEUE_FULL = 5;
export const REJECT_API_LIMIT = 6;

export const LOSS_CAUSES = [
  'its pool went away (failure, interruption, outage) and no retry placed it',
  "the response did not fit the cut-off site's buffer",
  'the response found the users cut off (the uplink of the site whose LAN they are on was down)',
] as const;
export const LOSS_CAPACITY = 0;
export const LOSS_BUFFER = 1;
export const LOSS_USERS_CUT_OFF = 2;

/** The criterion each built-in policy chooses by; a policy not listed is classified by the first that fits. */
const CRITERION: Record<string, number> = {
  'cloud-only': LATENCY,
  'edge-only': LATENCY,
  'least-latency': LATENCY,
  nearest: RTT,
  'cheapest-within-slo': COST_IN_SLO,
  'lowest-carbon': CARBON,
  'carbon-aware': CARBON,
};
const GENERIC_ORDER = [LATENCY, RTT, COST_IN_SLO, COST, CARBON];

function meetsSlo(c: Candidate, r: PlacementRequest): boolean {
  return (
    (r.slo_latency_s === null || c.latency_s <= r.slo_latency_s) && (r.slo_ttft_s === null || c.ttft_s <= r.slo_ttft_s)
  );
}

/**
 * The built-in policies that, offered one candidate, choose it exactly when it is available, whatever its
 * estimates (test/decisions.test.ts checks each against random candidates). cloud-only and edge-only also
 * look at its kind; cheapest-within-slo at its estimates against the SLO.
 */
const TAKES_LONE_AVAILABLE = new Set(['least-latency', 'nearest', 'lowest-carbon', 'edge-first', 'carbon-aware']);

/**
 * Whether `policy` (the built-in object itself, not a variant or a user's policy of its own) places a request
 * whose view has one candidate on it when it is available and refuses it otherwise. The view then needs only
 * that candidate's availability, not its estimates, and need not ask the policy: a one-pool service's
 * placement costs a few array reads.
 */
export function takesLoneAvailable(policy: Policy): boolean {
  return TAKES_LONE_AVAILABLE.has(policy.name) && builtinPolicy(policy.name) === policy;
}

/**
 * The built-ins that, offered one candidate, choose it exactly when it is available and of one kind (and
 * refuse it otherwise, whatever its estimates): cloud-only and edge-only, with their kind.
 */
const TAKES_LONE_OF_KIND: Record<string, TargetKind> = { 'cloud-only': 'cloud', 'edge-only': 'edge' };

/**
 * Which candidates `policy` takes alone whenever they are available: every kind (null) for the policies of
 * takesLoneAvailable, one kind for cloud-only and edge-only, none ('none') for the others.
 */
export function loneKinds(policy: Policy): TargetKind | null | 'none' {
  if (takesLoneAvailable(policy)) return null;
  const kind = TAKES_LONE_OF_KIND[policy.name];
  return kind !== undefined && builtinPolicy(policy.name) === policy ? kind : 'none';
}

/** Why candidate i is unavailable right now, as a fallback cause; NOT_FALLBACK for a lasting reason. */
export type UnavailableCause = (i: number) => number;
export const CAUSE_NONE = NOT_FALLBACK;
export const CAUSE_FULL = FULL;
export const CAUSE_DOWN = DOWN;
export const CAUSE_API_LIMIT = API_LIMIT;

/**
 * A candidate's values on the criteria, one row of NV numbers per candidate (at LATENCY … CARBON; NaN: it does
 * not compete on that criterion), read once per classification: the criteria are then indices, not code.
 */
const NV = CARBON + 1;

export class Decisions {
  /**
   * The criteria to try, in order, for a placement with more than one available candidate: the policy's own
   * first (when it has one), then GENERIC_ORDER. One loop for every policy, whatever its criterion: a
   * criterion's own branch (a `switch` on it, a test of whether the policy has one) would be compiled for the
   * first policy of a run and thrown away when the next one takes another branch (docs/performance.md,
   * "Placement: the same compiled code for every built-in").
   */
  declare private readonly order: Int32Array;
  /** The criterion a fallback is judged on: the policy's own, or −1 (then the reason's, LATENCY for ONLY/OTHER). */
  declare private readonly criterion: number;
  /** The candidates' values (NV a candidate) and availability of the classification in progress (grown as needed). */
  private vals = new Float64Array(4 * NV);
  private avail = new Uint8Array(4);

  constructor(policyName: string) {
    this.criterion = CRITERION[policyName] ?? -1;
    this.order = Int32Array.from(this.criterion >= 0 ? [this.criterion, ...GENERIC_ORDER] : GENERIC_ORDER);
  }

  /**
   * Reads the candidates' availability and values into avail and vals; returns how many are available. A
   * value is the candidate's figure on the criterion (lower is better): its latency, RTT, cost, carbon, and for
   * COST_IN_SLO its cost when its estimates meet the request's SLO, NaN otherwise.
   */
  private gather(cands: Candidate[], r: PlacementRequest): number {
    const n = cands.length;
    if (this.avail.length < n) {
      this.avail = new Uint8Array(n);
      this.vals = new Float64Array(n * NV);
    }
    const vals = this.vals;
    const avail = this.avail;
    let available = 0;
    for (let i = 0; i < n; i++) {
      const c = cands[i];
      const o = i * NV;
      const a = c.available ? 1 : 0;
      avail[i] = a;
      available += a;
      const cost = c.cost_usd;
      vals[o + LATENCY] = c.latency_s;
      vals[o + RTT] = c.rtt_s;
      vals[o + COST_IN_SLO] = meetsSlo(c, r) ? cost : NaN;
      vals[o + COST] = cost;
      vals[o + CARBON] = c.carbon_g;
    }
    return available;
  }

  /** Whether `chosen` is (one of) the best available of the n gathered candidates on criterion k. */
  private bestOn(n: number, chosen: number, k: number): boolean {
    const vals = this.vals;
    const avail = this.avail;
    const v = vals[chosen * NV + k];
    if (v !== v) return false; // NaN: the choice does not compete on k
    for (let i = 0; i < n; i++) if (avail[i] === 1 && vals[i * NV + k] < v) return false;
    return true;
  }

  /** The decision code of a placement on candidate `chosen`. */
  classify(cands: Candidate[], chosen: number, r: PlacementRequest, cause: UnavailableCause): number {
    // The chosen candidate is available (the view checks it): alone, it is the only one and nothing better
    // was unavailable. The common case of a one-pool service, answered without the loops below.
    const n = cands.length;
    if (n === 1) return ONLY * FALLBACK_CAUSES.length + NOT_FALLBACK;
    const available = this.gather(cands, r);
    let reason = ONLY;
    if (available > 1) {
      // The first criterion (the policy's own, then GENERIC_ORDER) the choice is best on; else OTHER.
      const order = this.order;
      reason = OTHER;
      for (let j = 0; j < order.length; j++)
        if (this.bestOn(n, chosen, order[j])) {
          reason = order[j];
          break;
        }
    }
    // Every candidate available: none was better but unavailable, so not a fallback.
    if (available === n) return reason * FALLBACK_CAUSES.length + NOT_FALLBACK;
    return reason * FALLBACK_CAUSES.length + this.fallback(n, chosen, reason, cause);
  }

  /**
   * Whether the placement on `chosen` (for `reason`) was a fallback, and why: a candidate was unavailable for
   * the moment and, unless the choice was the only one left, it was better on the deciding criterion (the
   * policy's own, else the reason's). A down pool's estimates (cold start, no replica) say nothing of how it
   * compares when up, so being the only one left is enough. Reads the values gather read.
   */
  private fallback(n: number, chosen: number, reason: number, cause: UnavailableCause): number {
    const vals = this.vals;
    const avail = this.avail;
    const k = this.criterion >= 0 ? this.criterion : reason === ONLY || reason === OTHER ? LATENCY : reason;
    const v = vals[chosen * NV + k];
    for (let i = 0; i < n; i++) {
      if (avail[i] === 1) continue;
      if (reason === ONLY) {
        const c = cause(i);
        if (c !== NOT_FALLBACK) return c;
        continue;
      }
      const w = vals[i * NV + k];
      // Better: lower, or competing at all when the choice does not (no SLO-meeting estimate).
      if (!(Number.isNaN(v) ? !Number.isNaN(w) : w < v)) continue;
      const c = cause(i);
      if (c !== NOT_FALLBACK) return c;
    }
    return NOT_FALLBACK;
  }

  /** Why the policy turned a request away (it returned −1) with these candidates before it. */
  rejectCause(cands: Candidate[], r: PlacementRequest, cause: UnavailableCause): number {
    let available = 0;
    let meeting = 0;
    let full = 0;
    let down = 0;
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      if (c.available) {
        available++;
        if (meetsSlo(c, r)) meeting++;
        continue;
      }
      const u = cause(i);
      if (u === FULL || u === API_LIMIT) full++;
      else if (u === DOWN) down++;
    }
    if (available > 0)
      return meeting === 0 && (r.slo_latency_s !== null || r.slo_ttft_s !== null) ? REJECT_SLO : REJECT_REFUSED;
    if (full > 0) return REJECT_ALL_FULL;
    if (down > 0) return REJECT_ALL_DOWN;
    return REJECT_NONE_ALLOWED;
  }
}
