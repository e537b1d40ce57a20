/**
 * The Result of a run: everything a reporter may read. Reporters (table, JSON, CSV, …) read only this;
 * they never reach into the simulation. docs/result-format.md documents every field.
 *
 * Units are in the field names: *_ms milliseconds, *_s seconds, *_usd US dollars, *_kwh kilowatt-hours,
 * *_kg kilograms CO2e, *_gb gigabytes (1e9 bytes).
 */

export const RESULT_FORMAT_VERSION = 1;

export interface LatencySummary {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ServiceResult {
  name: string;
  /** Requests that arrived inside the measured window (after warm-up). */
  arrivals: number;
  completed: number;
  rejected: number;
  /** Accepted, then lost: their replica failed with no retry left, or a full buffer dropped the response. */
  lost: number;
  /** Placements made again after a replica failed under a request. */
  retried: number;
  /** Completed requests per second of measured time. */
  throughput_per_s: number;
  /** End-to-end latency of completed requests, ms. null when nothing completed. */
  latency_ms: LatencySummary | null;
  /**
   * Mean of each part of the latency of completed requests, ms: network (RTT, upload, download), queue
   * (waiting at the pool, batch formation included) and execution (the batch's run time). Sums to latency mean.
   */
  breakdown_ms: { network: number; queue: number; execution: number } | null;
  /** Time to first token, ms (LLM services only; null otherwise). */
  ttft_ms: LatencySummary | null;
  /** The latency distribution at fixed fractions (0.01 … 0.99, 0.995, 0.999, 1); null when nothing completed. */
  latency_cdf_ms: CdfPoint[] | null;
  /** Fraction of measured requests (completed + rejected) that completed within every SLO given; null without an SLO. */
  slo_attainment: number | null;
  /** How many measured requests went to each pool (pool name → count). */
  placements: Record<string, number>;
}

/** A point of a latency distribution: `fraction` of completed requests took at most `ms`. */
export interface CdfPoint {
  fraction: number;
  ms: number;
}

/**
 * Per-interval series over the whole run (warm-up included, so it can be seen). Each array has one value per
 * interval starting at t_s[i]. Lasting quantities are exact time-averages over the interval.
 */
export interface TimeSeries {
  interval_s: number;
  t_s: number[];
  services: {
    name: string;
    /** Requests arriving, completing and rejected in the interval. */
    arrivals: number[];
    completions: number[];
    rejected: number[];
  }[];
  pools: {
    name: string;
    /** Busy replica-time over available replica-time, 0..1. */
    utilisation: number[];
    /** Mean number of requests waiting. */
    queue_length: number[];
    /** Replicas serving (mean over the interval): booting, failed, interrupted or training units excluded. */
    replicas: number[];
    /** Mean IT power drawn by the pool, watts. */
    power_w: number[];
  }[];
}

export interface PoolResult {
  name: string;
  site: string;
  kind: 'cloud' | 'edge' | 'device';
  region: string;
  device: string;
  instance: string | null;
  units: number;
  /**
   * False when the policy cannot use this pool's kind of site (e.g. an edge pool under cloud-only): the pool
   * is then not provisioned and its cost, energy and carbon are zero.
   */
  provisioned: boolean;
  /** Model replicas (servers) the pool runs; the services it hosts share them. */
  servers: number;
  /** Busy replica-time over serving replica-time in the measured window, 0..1. */
  utilisation: number;
  /** Mean units (instances or devices) provisioned and billed over the measured window. */
  mean_units: number;
  /** In the measured window: unit failures, spot interruptions, cold starts (autoscaling). */
  unit_failures: number;
  preemptions: number;
  cold_starts: number;
  batches: number;
  mean_batch_size: number;
  cost_usd: number;
  energy_kwh: number;
  carbon_kg: number;
}

export interface CostBreakdown {
  total: number;
  /** Provisioned cloud capacity (every second, busy or idle) at its hourly price. */
  compute: number;
  /** Edge / device hardware capex amortised over its lifetime for the measured window. */
  capex: number;
  /** Electricity paid by the operator (edge and device pools). */
  electricity: number;
  upkeep: number;
  /** Bytes leaving a cloud region to users. */
  egress: number;
  /** Managed AI APIs, per token or per request. */
  api: number;
}

export interface EnergyBreakdown {
  total: number;
  /** Energy drawn by devices and hosts, P(u) integrated exactly. */
  it: number;
  /** Facility overhead: IT energy × (PUE − 1). */
  facility: number;
  /** Network transfer energy (bytes × kWh/GB). */
  network: number;
  /** Energy at managed AI APIs, as declared per request (0 when not given). */
  api: number;
}

export interface CarbonBreakdown {
  total: number;
  compute: number;
  network: number;
  api: number;
}

/** PoolResult's fields after `name`, in order (the JSON key order and the pools.csv columns). */
export const POOL_RESULT_FIELDS = [
  'site',
  'kind',
  'region',
  'device',
  'instance',
  'units',
  'provisioned',
  'servers',
  'utilisation',
  'mean_units',
  'unit_failures',
  'preemptions',
  'cold_starts',
  'batches',
  'mean_batch_size',
  'cost_usd',
  'energy_kwh',
  'carbon_kg',
] as const;

/** JobResult's fields after `name`, in order (the JSON key order and the jobs.csv columns). */
export const JOB_RESULT_FIELDS = [
  'pool',
  'region',
  'devices',
  'status',
  'ready_s',
  'planned_start_s',
  'start_s',
  'end_s',
  'time_to_train_s',
  'deadline_s',
  'deadline_met',
  'progress',
  'cost_usd',
  'energy_kwh',
  'carbon_kg',
  'dataset_transfer_s',
  'dataset_cost_usd',
  'interruptions',
  'yields',
  'checkpoints',
  'lost_device_hours',
] as const;

/** A training job over the whole run (warm-up included: training has no warm-up). */
export interface JobResult {
  name: string;
  pool: string;
  region: string;
  devices: number;
  status: 'done' | 'running' | 'waiting' | 'not started';
  /** Earliest start, the start chosen (the carbon-aware policy may defer it), first run, end. */
  ready_s: number;
  planned_start_s: number;
  start_s: number | null;
  end_s: number | null;
  /** end − ready: dataset transfer, waiting, interruptions and checkpoints included. */
  time_to_train_s: number | null;
  deadline_s: number | null;
  deadline_met: boolean | null;
  /** Fraction of the FLOPs done, 0..1. */
  progress: number;
  /** Capacity held × its price, plus moving the dataset. */
  cost_usd: number;
  /** Energy of the devices held at full load, × PUE, plus moving the dataset. */
  energy_kwh: number;
  carbon_kg: number;
  dataset_transfer_s: number;
  dataset_cost_usd: number;
  interruptions: number;
  /** Times it gave its units back to inference on a shared pool. */
  yields: number;
  checkpoints: number;
  /** Work done twice because it was lost since the last checkpoint, device-hours. */
  lost_device_hours: number;
}

/** A managed AI API's use in the measured window. */
export interface ApiResult {
  name: string;
  region: string;
  requests: number;
  cost_usd: number;
  energy_kwh: number;
  carbon_kg: number;
}

export interface Totals {
  cost_usd: CostBreakdown;
  energy_kwh: EnergyBreakdown;
  carbon_kg: CarbonBreakdown;
  egress_gb: number;
  /** Per 1,000 completed requests; null when nothing completed. */
  per_1k_requests: { cost_usd: number | null; energy_kwh: number | null; carbon_kg: number | null };
  projection_30d: { cost_usd: number; energy_kwh: number; carbon_kg: number; requests: number };
}

/** arrivals = completed + rejected + lost + in_flight over the whole run (warm-up included). Checked on every run. */
export interface Conservation {
  arrivals: number;
  completed: number;
  rejected: number;
  lost: number;
  in_flight: number;
}

/** A site's shared network link in one direction (sites with a `backhaul` capacity), measured window. */
export interface BackhaulResult {
  site: string;
  direction: 'in' | 'out';
  capacity_mbps: number;
  /** Time transferring over the measured window, 0..1. */
  utilisation: number;
  /** Mean wait for the link before a transfer starts, ms. */
  mean_wait_ms: number;
  transfers: number;
}

/** A user group's shared uplink (users with `shared_uplink`), per path it applies to, measured window. */
export interface SharedUplinkResult {
  users: string;
  /** Towards edge sites, or towards cloud regions and managed APIs. */
  path: 'edge' | 'cloud';
  capacity_mbps: number;
  utilisation: number;
  mean_wait_ms: number;
  transfers: number;
}

/** A site whose uplink went down during the measured window. */
export interface UplinkResult {
  site: string;
  downtime_s: number;
  outages: number;
  /** Responses held in the store-and-forward buffer and delivered later, and those it had no room for. */
  buffered: number;
  overflow: number;
}

export interface PolicyResult {
  policy: string;
  services: ServiceResult[];
  pools: PoolResult[];
  totals: Totals;
  conservation: Conservation;
  /** Sites whose uplink was down at some point (empty otherwise). */
  uplinks: UplinkResult[];
  /** Shared site links with a capacity (empty when no site declares `backhaul`). */
  backhaul: BackhaulResult[];
  /** User groups' shared uplinks (empty when no group declares `shared_uplink`). */
  shared_uplinks: SharedUplinkResult[];
  /** Managed AI APIs of the scenario (empty when it has none). */
  apis: ApiResult[];
  /** Training jobs of the scenario (empty when it has none). */
  jobs: JobResult[];
  timeseries: TimeSeries;
  /** Events the engine processed (a determinism fingerprint). */
  events: number;
}

export interface Result {
  format_version: number;
  placesim_version: string;
  scenario: {
    name: string;
    description: string;
    file: string | null;
    seed: number;
    duration_s: number;
    warmup_s: number;
    /** duration − warm-up: the window every metric covers. */
    measured_s: number;
  };
  policies: PolicyResult[];
  /** Policies no other policy beats on p99 latency, cost and carbon at once (all three ≤, one <). */
  pareto: string[];
  warnings: string[];
}
