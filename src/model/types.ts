/**
 * The domain, resolved: what a scenario means once its file has been parsed, its units converted and its
 * catalog references looked up. Every quantity is in base SI-like units so that the simulator never
 * converts: seconds, bytes, bits per second, FLOP/s, watts, US dollars, grams CO2e per kWh.
 *
 * The scenario loader (src/scenario) produces a `Scenario`; the simulator (src/sim) consumes it.
 */

/** Numeric formats a model's weights and arithmetic can use. */
export type Dtype = 'int4' | 'int8' | 'fp8' | 'fp16' | 'bf16' | 'fp32';
export const DTYPES: readonly Dtype[] = ['int4', 'int8', 'fp8', 'fp16', 'bf16', 'fp32'];

/** Bytes per parameter / value for each dtype. */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = {
  int4: 0.5,
  int8: 1,
  fp8: 1,
  fp16: 2,
  bf16: 2,
  fp32: 4,
};

/** Broad kind of a device; the performance model keeps efficiencies per class. */
export type DeviceClass = 'cpu' | 'gpu' | 'tpu' | 'edge';
export const DEVICE_CLASSES: readonly DeviceClass[] = ['cpu', 'gpu', 'tpu', 'edge'];

/** Where a figure came from. `estimate` marks numbers that are not a vendor or measured figure. */
export interface Provenance {
  source: string;
  /** ISO date (YYYY-MM or YYYY-MM-DD) the figure was taken or published. */
  as_of: string;
  /** Fields (or 'all') whose value is an estimate or derived rather than published. */
  estimated?: string[];
  notes?: string;
  /**
   * Where fields of one entry come from different publications: field name (or a parent, e.g. `prices`)
   * to the publication. `source` then summarises them.
   */
  sources?: Record<string, string>;
  /**
   * Where fields of one entry were published or read in different months: field name (or a parent, e.g.
   * `prices.ca-central`) to its ISO date. `as_of` is then the oldest of them.
   */
  dates?: Record<string, string>;
}

/** One accelerator, CPU socket or edge module. */
export interface Device extends Provenance {
  id: string;
  name: string;
  class: DeviceClass;
  /** Dense peak arithmetic throughput per dtype, FLOP/s (or OP/s for integer types). */
  peak_flops: Partial<Record<Dtype, number>>;
  memory_bytes: number;
  mem_bw_bytes_per_s: number;
  /** Power at full load and idle, watts (per device). */
  power_max_w: number;
  power_idle_w: number;
}

export type Pricing = 'on-demand' | 'spot' | 'reserved';
export const PRICINGS: readonly Pricing[] = ['on-demand', 'spot', 'reserved'];

export interface InstancePrice {
  /** $/hour for one instance. */
  'on-demand': number;
  spot?: number;
  /** $/hour under a 1-year commitment (reservation, savings plan or committed-use discount), no upfront. */
  reserved?: number;
}

/** A cloud instance type: a number of devices sold together at an hourly price. */
export interface InstanceType extends Provenance {
  /** "provider/name", e.g. "aws/p5.48xlarge". */
  id: string;
  provider: string;
  name: string;
  /** Device id in the catalog. */
  device: string;
  devices: number;
  /** Host (CPU, memory, NICs) power on top of the devices, watts. */
  host_power_idle_w: number;
  host_power_max_w: number;
  /** Prices per catalog region id. */
  prices: Record<string, InstancePrice>;
}

/** The part of the world a region is in, for comparing like with like. */
export type GeoArea = 'americas' | 'europe' | 'asia-pacific';
export const GEO_AREAS: readonly GeoArea[] = ['americas', 'europe', 'asia-pacific'];

/** Default grid carbon intensity and PUE for a well-known region id. */
export interface RegionDefaults extends Provenance {
  id: string;
  name: string;
  grid_gco2_per_kwh: number;
  pue: number;
  area?: GeoArea;
}

export interface Catalog {
  devices: Record<string, Device>;
  instances: Record<string, InstanceType>;
  regions: Record<string, RegionDefaults>;
}

// ---------------------------------------------------------------------------------------------------------
// The resolved scenario

export interface Region {
  index: number;
  name: string;
  /** Mean grid carbon intensity, gCO2e/kWh (the constant, or the mean of the hourly profile). */
  grid_gco2_per_kwh: number;
  /**
   * Hourly grid intensity, gCO2e/kWh: value i applies to hour i of the run, cycling (24 values = a daily
   * profile; 8,760 = a year of hours). null = constant grid_gco2_per_kwh.
   */
  grid_hourly: Float64Array | null;
  pue: number;
}

/** Grid intensity of `region` at time `t` (seconds since the start of the run). */
export function gridAt(region: Region, t: number): number {
  const h = region.grid_hourly;
  if (h === null) return region.grid_gco2_per_kwh;
  return h[Math.floor(t / 3600) % h.length];
}

export type SiteKind = 'cloud' | 'edge' | 'device';
export const SITE_KINDS: readonly SiteKind[] = ['cloud', 'edge', 'device'];

export interface Site {
  index: number;
  name: string;
  kind: SiteKind;
  region: number;
  /**
   * The site's link to the outside. While it is down, no request can reach the site and responses finished
   * there wait in a store-and-forward buffer of `buffer_bytes` (overflow is lost). Random outages when
   * mtbf_s is given; scheduled ones come from Scenario.outages.
   */
  uplink: { mtbf_s: number | null; mttr_s: number | null; buffer_bytes: number };
  /**
   * Capacity of the site's shared network link, bits/s, inbound (uploads) and outbound (responses):
   * transfers queue for it first come, first served. Infinity = not a bottleneck.
   */
  backhaul_bps: { in: number; out: number };
  /** The only user groups (indices) that may use the site, or null for every group. */
  serves: number[] | null;
}

/** A pool of identical units at one site. A unit is one cloud instance or one device. */
export interface Pool {
  index: number;
  /** "site/pool" */
  name: string;
  site: number;
  device: Device;
  /** Catalog instance id, when the pool is made of cloud instances. */
  instance?: string;
  /** Devices in one unit (an instance's accelerator count, 1 for a bare device). */
  devices_per_unit: number;
  /** Number of units (instances or devices). */
  units: number;
  /** Power of one whole unit (devices + host), watts. */
  unit_power_idle_w: number;
  unit_power_max_w: number;
  /** Billing. A pool can carry an hourly price, capex, both or neither. */
  pricing?: Pricing;
  usd_per_unit_hour: number;
  capex_usd_per_unit: number;
  lifetime_s: number;
  /** $ per kWh of electricity paid by the operator (edge, device); 0 where it is inside an hourly price. */
  electricity_usd_per_kwh: number;
  upkeep_usd_per_unit_year: number;
  /** Requests waiting beyond this are rejected (Infinity = unbounded queue). */
  max_queue: number;
  /** Autoscaling of an instance pool (units then range over min..max); null = a fixed pool. */
  autoscale: AutoscaleSpec | null;
  /** Random failures of each unit (exponential times between failures and to repair); null = none. */
  failures: { mtbf_s: number; mttr_s: number } | null;
  /** Spot interruptions of each unit (exponential mean time), back after `restart_s`; null = none. */
  preemption: { mean_s: number; restart_s: number } | null;
  /**
   * What runs here: inference requests, training jobs, or both (inference has priority: a job yields
   * its units when requests queue up). A training-only pool is billed and powered only while a job holds it.
   */
  use: 'inference' | 'training' | 'both';
}

export interface AutoscaleSpec {
  min: number;
  max: number;
  /** Units running at the start. */
  initial: number;
  /**
   * utilisation: wanted replicas = (busy + queued / max_batch) / target_utilisation.
   * queue: one more unit while queued / serving replicas > target_queue; fewer when nothing waits and
   * busy / serving < target_utilisation.
   */
  metric: 'utilisation' | 'queue';
  target_utilisation: number;
  target_queue: number;
  /**
   * Continuous-batching LLM pools, metric utilisation: keep (running + waiting sequences) per replica at this.
   * null: derived from the SLOs (autoscaler.ts `defaultTargetRunning`). Unused by other pools.
   */
  target_running: number | null;
  /** A unit idle for this long while demand is below target is released. */
  scale_in_after_s: number;
  /** Instance boot time before the model starts loading. */
  boot_s: number;
  /** Model weights load rate (cold start = boot + weight bytes / this). */
  load_bytes_per_s: number;
  /** How often the autoscaler looks. */
  check_every_s: number;
}

/** A scheduled outage. A site or region outage takes every unit there down; an uplink outage cuts a site off. */
export interface Outage {
  kind: 'site' | 'region' | 'uplink' | 'link';
  /** Site index (site, uplink) or region index (region; for a link, one end). */
  target: number;
  /** The other region of a link (-1 otherwise). */
  other: number;
  start_s: number;
  duration_s: number;
}

export interface UserGroup {
  index: number;
  name: string;
  region: number;
  /** Round-trip time from the user to a metro edge site / to the in-country cloud entry, seconds. */
  access_rtt_edge_s: number;
  access_rtt_cloud_s: number;
  /** Bandwidth of the user's link towards an edge site and towards a cloud region, bits/s. */
  uplink_bps: { edge: number; cloud: number };
  downlink_bps: { edge: number; cloud: number };
  /**
   * An upstream link the whole group shares (one store's WAN for all its cameras), towards edge sites and
   * towards cloud regions, bits/s: uploads queue for it first come, first served. Infinity = none.
   */
  shared_uplink_bps: { edge: number; cloud: number };
  /**
   * The edge site whose local network the group sits on (a store's cameras and its in-store box), or −1 /
   * absent: that site is reached over the LAN (LAN energy, no egress, whatever its uplink does), and every
   * other site and API through that site's uplink (WAN: cut off while it is down).
   */
  lan_site?: number;
}

export interface LlmModel {
  index: number;
  name: string;
  kind: 'llm';
  params: number;
  /** Format the weights are stored in. */
  dtype: Dtype;
  /**
   * Format the arithmetic runs in on a continuous-batching server: fp16 for weight-only int4/int8 (the
   * default), else the dtype (fp8 is its own family; `quantisation: full` keeps int8 arithmetic).
   */
  compute_dtype: Dtype;
  weight_bytes: number;
  /** KV cache bytes per token of context. */
  kv_bytes_per_token: number;
}

export interface ItemModel {
  index: number;
  name: string;
  kind: 'items';
  flops_per_item: number;
  dtype: Dtype;
  weight_bytes: number;
  /** Activation bytes read+written per item (memory traffic beyond the weights). */
  activation_bytes_per_item: number;
}

export type AiModel = LlmModel | ItemModel;

/** The knobs of an LLM server's iteration-level scheduler (src/hardware/llm-step.ts has the defaults). */
export interface LlmSchedulerSpec {
  /** Most sequences running at once on a replica. */
  max_num_seqs: number;
  /** Most tokens (prefill-chunk plus decode) in one step. */
  max_num_batched_tokens: number;
  /** Whether prefill may be split into chunks and mixed with decode tokens in one step (Sarathi-Serve, vLLM V1). */
  chunked_prefill: boolean;
  /** Tokens per KV-cache block (paged attention). */
  block_size: number;
}

export type ArrivalSpec =
  | { kind: 'poisson'; rate_per_s: number }
  | { kind: 'constant'; rate_per_s: number }
  | { kind: 'profile'; shape: 'daily'; peak_per_s: number; trough_per_s: number; peak_hour: number }
  | { kind: 'trace'; file: string; times_s: Float64Array }
  /**
   * Closed loop: `clients` users, each sending its first request at t = 0 and its next one a think time
   * after the previous one ended — plus `backoff_s` when it was rejected or lost (a client never retries
   * in zero time).
   */
  | { kind: 'closed'; clients: number; think: ServiceTimeSpec; backoff_s: number }
  /** Offline: all `requests` are there at t = 0 (a benchmark's offline scenario). */
  | { kind: 'offline'; requests: number };

/**
 * How a per-request length (prompt tokens, output tokens, items) varies from request to request. Draws are
 * rounded to a whole number and clipped to [min, max]. `trace` reads row i of the service's trace for its
 * i-th arrival; `empirical` draws a value of a CSV column uniformly at random.
 */
export type LengthDist =
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; sd: number; min: number; max: number }
  | { kind: 'lognormal'; mean: number; cv: number; min: number; max: number }
  | { kind: 'empirical'; file: string; column: string; values: Int32Array }
  | { kind: 'trace'; file: string; column: string; values: Int32Array };

/** The per-request lengths a service may draw. */
export const LENGTH_FIELDS = ['input_tokens', 'output_tokens', 'items'] as const;
export type LengthField = (typeof LENGTH_FIELDS)[number];

/** A period in which a service's arrival rate is multiplied (a launch, an outage elsewhere, a news spike). */
export interface Burst {
  start_s: number;
  duration_s: number;
  multiplier: number;
}

export type ServiceTimeSpec =
  | { kind: 'exponential'; mean_s: number }
  | { kind: 'deterministic'; mean_s: number }
  | { kind: 'lognormal'; mean_s: number; cv: number };

export interface Service {
  index: number;
  name: string;
  /** Model index, or -1 when the service gives its service time directly. */
  model: number;
  /** User groups and the share of requests each sends (weights sum to 1). */
  users: { user: number; weight: number }[];
  arrivals: ArrivalSpec;
  /** Rate multipliers over time (poisson, constant and profile arrivals). */
  bursts: Burst[];
  /** Region indices allowed to process this service's data (data residency); null = anywhere. */
  allowed_regions: number[] | null;
  /**
   * A request's shape. input_tokens, output_tokens and items are the fixed values, or, when `lengths` gives a
   * distribution for the field, its mean rounded to a whole number (what planning and policy estimates use;
   * each request carries its own draw: RequestTable.inputTokens, outputTokens, items).
   */
  request: {
    input_tokens: number;
    output_tokens: number;
    items: number;
    upload_bytes: number;
    download_bytes: number;
    /** Per field: how it varies per request; null = every request has the fixed value. */
    lengths: Record<LengthField, LengthDist | null>;
  };
  /**
   * Per-request targets: end-to-end latency, time to first token and time per output token (LLM services).
   * `percentile` (e.g. 99) also judges each target on that percentile of the measured requests (MLPerf's
   * server rule: TTFT p99 ≤ 2 s and TPOT p99 ≤ 200 ms for Llama-2-70B); null = per request only.
   */
  slo: { latency_s: number | null; ttft_s: number | null; tpot_s: number | null; percentile: number | null };
  /**
   * For non-LLM models: requests per batch and the longest wait for one to fill. For LLM services on a
   * continuous-batching pool, max_batch is the sequences a replica is sized (memory) and autoscaled for.
   */
  batching: { max_batch: number; max_wait_s: number };
  /** Continuous-batching scheduler of an LLM service's replicas (null for other services). */
  scheduler: LlmSchedulerSpec | null;
  service_time: ServiceTimeSpec | null;
  /** How many times a request whose replica failed under it is placed again before it counts as lost. */
  retries: number;
  /** Batch work: a request may be held up to this long before it is placed (null = interactive). */
  deferrable_s: number | null;
}

/**
 * A managed AI API (AI as a service) that can stand in for some of the scenario's models: priced per token
 * or per request, with a provider-side latency distribution, and no capacity of ours to provision.
 */
export interface ManagedApi {
  index: number;
  name: string;
  /** Region of the provider's endpoint (network path and grid carbon). */
  region: number;
  /** Model indices it can serve. */
  models: number[];
  usd_per_input_token: number;
  usd_per_output_token: number;
  usd_per_request: number;
  /** Provider-side time for a whole response (network excluded). */
  latency: ServiceTimeSpec;
  /** Provider-side time to the first token (LLMs); null = the whole latency. */
  ttft: ServiceTimeSpec | null;
  /** Energy per request at the provider, kWh (0 when unknown: then its carbon is not counted). */
  energy_kwh_per_request: number;
  /** Requests in progress at once (a rate limit); beyond it the API is unavailable. Infinity = no limit. */
  max_concurrency: number;
}

/** A training job: a fixed amount of model FLOPs run on devices of a pool, with checkpoints. */
export interface TrainingJob {
  index: number;
  name: string;
  /** Model FLOPs to train (6 × params × tokens for an LLM). */
  flops: number;
  /** Parameters of the trained model when the job names one (the default MFU depends on it); null with flops. */
  params: number | null;
  /** Pools it may run on; the first is used unless the carbon-aware policy picks another. */
  pools: number[];
  /** Devices it holds while running. */
  devices: number;
  dtype: Dtype;
  /** Model FLOPs utilisation; null = the device class default (src/hardware/training.ts). */
  mfu: number | null;
  scaling_per_doubling: number;
  /** Where its data lives: moved to the pool's region before the first start when they differ. */
  dataset: { region: number; bytes: number; bandwidth_bps: number } | null;
  checkpoint: { every_s: number; bytes: number; write_bytes_per_s: number } | null;
  /** Earliest start, seconds from the start of the run. */
  start_s: number;
  /** Must finish by then; a job with a deadline is deferrable (the carbon-aware policy may delay it). */
  deadline_s: number | null;
  /** Wait after an interruption (spot) or a yield to inference before trying to resume. */
  restart_s: number;
}

export interface NetworkSettings {
  /** Symmetric RTT matrix between regions, seconds; rtt_s[i][i] = intra-region RTT. */
  rtt_s: number[][];
  egress_usd_per_gb: number;
  inter_region_usd_per_gb: number;
  energy_kwh_per_gb: number;
  /** Energy per GB carried on a local network (users on an edge site's LAN). Absent: the catalog's. */
  lan_energy_kwh_per_gb?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Path of the file it was loaded from, if any. */
  file?: string;
  seed: number;
  duration_s: number;
  warmup_s: number;
  regions: Region[];
  network: NetworkSettings;
  sites: Site[];
  pools: Pool[];
  users: UserGroup[];
  models: AiModel[];
  services: Service[];
  /** Managed AI APIs that compete with self-hosting. */
  apis: ManagedApi[];
  /** Training jobs. */
  training: TrainingJob[];
  /** Names of the policies to compare (columns of the comparison), in order. */
  policies: string[];
  /** Scheduled outages of sites, regions and site uplinks. */
  outages: Outage[];
  /**
   * Policies declared as `{ name, policy, pools }`: a built-in policy that may only use (and only
   * provisions) the listed pools ("site/pool" names, or managed API names). Keyed by the variant's name; names not here are plain policies.
   */
  policy_variants: Record<string, { policy: string; pools: string[] }>;
  /** Things the loader noticed that the user should know (e.g. a pool with no price). */
  warnings: string[];
  /** Finds the line:col of a field path in the source file, when the scenario came from a file. */
  locate?: (path: readonly (string | number)[]) => { line: number; col: number } | undefined;
  /**
   * Tolerances of `placesim check` for this scenario (docs/ci.md): metric name pattern (`*` matches any
   * characters) → a relative bound (fraction of |baseline|, "2%" in the file gives 0.02) or an absolute one.
   */
  check?: { tolerances: Record<string, { relative?: number; absolute?: number }> };
  /** Fleets (sites declared once, instantiated N times), for reports that group them; absent without fleets. */
  fleets?: FleetGroup[];
}

/** A fleet's instances: one site each (index), with its own user groups (indices). */
export interface FleetGroup {
  name: string;
  sites: number[];
  users: number[][];
}
