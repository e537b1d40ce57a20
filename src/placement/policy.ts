/**
 * The placement policy interface. A policy is a small object with a name and one hook:
 *
 *   place(request, view) → index into view.candidates, or -1 to reject the request.
 *
 * It is called once per arriving request. The view lists every pool that can serve the request's service,
 * with static facts (kind, region, round trip) and estimates computed for this request at this instant
 * (network time for this user, queueing delay, execution time, cost, carbon). A policy must not keep
 * references to the request or view between calls: the simulator reuses those objects (it allocates nothing
 * per request), and it must return an index of an `available` candidate or -1. A rejected request is counted
 * as rejected, never dropped silently.
 */
import type { SiteKind } from '../model/types.js';

/** Where a candidate runs: a kind of site, or a managed AI API. */
export type TargetKind = SiteKind | 'api';

export interface PlacementRequest {
  /** Service name and index in the scenario. */
  service: string;
  serviceIndex: number;
  /** User group the request comes from. */
  user: string;
  userIndex: number;
  /** Arrival time, seconds since the start of the run. */
  arrival_s: number;
  /** The service's SLOs (null where none is set). */
  slo_latency_s: number | null;
  slo_ttft_s: number | null;
  input_tokens: number;
  output_tokens: number;
  upload_bytes: number;
  download_bytes: number;
}

export interface Candidate {
  /** "site/pool" */
  readonly pool: string;
  readonly poolIndex: number;
  /** Site name (for a managed API: the API's name). */
  readonly site: string;
  readonly kind: TargetKind;
  readonly region: string;
  /** False when the pool cannot take the request now (queue full, or — later — down or not allowed). */
  available: boolean;
  /** Round trip between the request's user and the site, seconds. */
  rtt_s: number;
  /** Estimated network time for this request: RTT plus upload and download, seconds. */
  network_s: number;
  /** Estimated wait before execution starts (queue and batching), seconds. */
  queue_s: number;
  /** Estimated execution time on one replica, seconds. */
  exec_s: number;
  /** network_s + queue_s + exec_s. */
  latency_s: number;
  /** Estimated time to first token (LLMs; equals latency_s otherwise), seconds. */
  ttft_s: number;
  /** Requests waiting at this pool for this service, and the pool's replicas (busy / total). */
  queue_length: number;
  busy_servers: number;
  servers: number;
  /** Estimated cost of serving this request here, US dollars (capacity share + egress). */
  cost_usd: number;
  /** Estimated emissions of serving this request here, grams CO2e. */
  carbon_g: number;
}

export interface PlacementView {
  /** Simulated time now, seconds. */
  readonly now: number;
  /** The pools that can serve this request's service, in scenario order. */
  readonly candidates: readonly Candidate[];
  /** Grid intensity of a region at a time (a perfect forecast from the scenario's hourly profile), gCO2e/kWh. */
  gridAt?: (region: string, t_s: number) => number;
}

export interface Policy {
  readonly name: string;
  /**
   * Kinds of site this policy may place work on (default: all). Pools at other kinds of site are not
   * provisioned while it runs: they cost nothing and draw no power, so "cloud-only" against "edge-only"
   * compares two deployments rather than one deployment with a stranded fleet.
   */
  readonly siteKinds?: readonly TargetKind[];
  /**
   * The only pools ("site/pool") this policy may use (default: all). Like siteKinds, pools outside it are
   * not provisioned while it runs. Scenario files set it with `{ name, policy, pools }` variants.
   */
  readonly pools?: readonly string[];
  /**
   * Which candidates `place` and `deferRequest` see (default 'all'). 'all': every pool and API that can
   * serve the service, unreachable ones marked unavailable — simple, but the view grows with the sites, so a
   * request costs time in proportion to them (about 0.2 µs per candidate). 'reachable': only the candidates
   * the request's user group can reach (a device site in its region, a site that `serves` it, every other
   * site and API), in the same order; with a fleet whose stores serve their own users that is a handful
   * whatever the fleet's size. Every built-in policy takes 'reachable'. Indices refer to the list given.
   */
  readonly candidates?: 'all' | 'reachable';
  place(request: PlacementRequest, view: PlacementView): number;
  /**
   * Optional: where and when a deferrable training job (one with a deadline) runs. Called once, when the
   * job becomes ready; returns an index into `options`. Without this hook a job starts as soon as it can
   * on its first pool.
   */
  scheduleJob?(job: JobRequest, options: readonly JobOption[]): number;
  /**
   * Optional: for a deferrable request (batch work), how long to hold it before placing it, seconds
   * (0 = place now). `until_s` is the latest time it may be placed. Without this hook requests are placed
   * on arrival.
   */
  deferRequest?(request: PlacementRequest, view: PlacementView, until_s: number): number;
}

/**
 * Every hook of the Policy interface: the functions placesim calls on a policy. This list is the one place
 * that names them; the guard around a user's policy (plugin.ts), restrictPolicy and the conformance suite all
 * follow it, and the type checks below fail to compile when a hook is added to Policy but not here.
 */
export const POLICY_HOOKS = ['place', 'scheduleJob', 'deferRequest'] as const;
export type PolicyHook = (typeof POLICY_HOOKS)[number];
/** The optional hooks: a policy without one gets placesim's default behaviour (see each hook above). */
export const OPTIONAL_POLICY_HOOKS = ['scheduleJob', 'deferRequest'] as const satisfies readonly PolicyHook[];

/** The keys of Policy whose values are functions. */
type HookKeys = {
  [K in keyof Policy]-?: NonNullable<Policy[K]> extends (...args: never[]) => unknown ? K : never;
}[keyof Policy];
// Compile-time proof that POLICY_HOOKS lists every hook of Policy and nothing else.
const everyHookListed: [Exclude<HookKeys, PolicyHook>] extends [never] ? true : never = true;
const onlyHooksListed: [Exclude<PolicyHook, HookKeys>] extends [never] ? true : never = true;
void everyHookListed;
void onlyHooksListed;

/** A training job asking where and when to run. */
export interface JobRequest {
  job: string;
  /** Earliest start given in the scenario (each option's start_s allows for moving the dataset first), seconds. */
  earliest_s: number;
  deadline_s: number | null;
}

/** One way to run a job: a pool and a start time (hourly steps), with estimates under a perfect forecast. */
export interface JobOption {
  pool: string;
  region: string;
  start_s: number;
  /** Estimated run time without interruptions, checkpoints included. */
  duration_s: number;
  /** True when it ends by the deadline (always true without one). */
  meets_deadline: boolean;
  /** Estimated emissions over the run, using the region's hourly grid intensity, grams CO2e. */
  carbon_g: number;
  /** Estimated cost of the capacity held, US dollars. */
  cost_usd: number;
}

/** True when `policy` may use (and so provisions) the pool `pool` at a site of `kind`. */
export function policyUsesPool(policy: Policy, pool: string, kind: TargetKind): boolean {
  if (policy.siteKinds !== undefined && !policy.siteKinds.includes(kind)) return false;
  return policy.pools === undefined || policy.pools.includes(pool);
}

/** How a restricted policy calls each hook of its base (as a method, so a class instance keeps its `this`). */
const FORWARD: { [K in PolicyHook]: (base: Policy) => NonNullable<Policy[K]> } = {
  place: (base) => (request, view) => base.place(request, view),
  scheduleJob: (base) => (job, options) => base.scheduleJob!(job, options),
  deferRequest: (base) => (request, view, until) => base.deferRequest!(request, view, until),
};

/** `base` under another name, limited to `pools`; every hook `base` has is kept. */
export function restrictPolicy(base: Policy, name: string, pools: readonly string[]): Policy {
  const hooks: Partial<Record<PolicyHook, unknown>> = {};
  for (const hook of POLICY_HOOKS) if (base[hook] !== undefined) hooks[hook] = FORWARD[hook](base);
  return {
    name,
    ...(base.siteKinds ? { siteKinds: base.siteKinds } : {}),
    ...(base.candidates ? { candidates: base.candidates } : {}),
    pools: [...pools],
    ...(hooks as Pick<Policy, PolicyHook>),
  };
}

/** True when the candidate's estimates meet every SLO the request carries. */
export function meetsSlo(request: PlacementRequest, c: Candidate): boolean {
  if (request.slo_latency_s !== null && c.latency_s > request.slo_latency_s) return false;
  if (request.slo_ttft_s !== null && c.ttft_s > request.slo_ttft_s) return false;
  return true;
}
