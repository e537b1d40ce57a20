/**
 * The Result's shape, declared once, as a zod schema with metadata on each field. Everything else that knows
 * the shape is derived from it:
 *
 * - the TypeScript types (src/metrics/result.ts, by z.infer);
 * - the JSON key order (src/report/json.ts: keys in the order declared here);
 * - the CSV columns (src/report/csv.ts: the `csv` metadata says how a field becomes columns);
 * - the metric kinds `check` compares (src/check/metrics.ts: the `tolerance` class of a field) and the
 *   figures a sweep tracks (src/sweep/metrics.ts: names, descriptions and units of the fields it picks);
 * - the field tables of docs/result-format.md (`npm run docs:result`, checked by test/result-schema.test.ts).
 *
 * Adding a field to the Result is one edit here (its type, `doc` and, for a number, its `tolerance`), plus
 * any prose docs/result-format.md needs. The order of keys in each object is the JSON order: committed
 * baselines are compared byte for byte, so do not reorder.
 *
 * The simulation does not parse its Result with this schema (it builds the typed object directly); the tests
 * parse real Results with it so the two cannot drift. `check` uses it to validate baselines it reads.
 */
import { z } from 'zod';

/**
 * Tolerance classes: how far `check` lets a number move by default (src/check/tolerance.ts gives the
 * bounds). cost: money, energy, carbon · latency: times from samples · count: counts and what moves with them ·
 * fraction: 0..1 shares (absolute bound) · exact: inputs echoed and fingerprints.
 */
export const TOLERANCE_CLASSES = ['cost', 'latency', 'count', 'fraction', 'exact'] as const;
export type ToleranceClass = (typeof TOLERANCE_CLASSES)[number];

/** How an object field becomes CSV columns; a scalar field is one column named as the field. */
export interface CsvMeta {
  /** Not in any CSV file (read it from the JSON). */
  omit?: true;
  /** Column name of each sub-field of an object field (nested objects are flattened into the row). */
  column?: (sub: string) => string;
  /** A record written in one cell as `key=value` pairs joined by ";". */
  pairs?: true;
  /**
   * A record of a list element also written long, to its own file: a row per (policy, element, key) with
   * `policy`, the element's name (under the list's `nameColumn`), `keyColumn` (the record key) and
   * `valueColumn` (its value). Keys in the record's order.
   */
  long?: { name: string; keyColumn: string; valueColumn: string };
  /**
   * A list of objects written to its own file, a row per (policy, element): `policy`, then `nameColumn`
   * (the element's `name`) when given, else the element's fields from the first, then its other fields.
   * `whenAny`: the file is written only when some policy has an element.
   */
  file?: { name: string; nameColumn?: string; whenAny?: true };
  /** Expanded into summary.csv (a row per policy); summary sections are written in this order. */
  summary?: number;
  /** Summed over a policy's services into summary.csv as `<field>_measured`. */
  measuredSum?: true;
}

export interface FieldMeta {
  /** What the field means, for the docs table (Markdown, one line). */
  doc: string;
  /** Unit for the docs table: ms, s, $, kWh, kg CO2e, fraction, requests, … */
  unit?: string;
  /** Tolerance class of the numbers in the field; sub-fields without their own inherit it. */
  tolerance?: ToleranceClass;
  /** `check` leaves the field out: series and distributions that the compared summaries already cover. */
  compare?: false;
  /** A list's elements are told apart (in `check` metric names) by these string fields, joined by "/". */
  key?: readonly string[];
  /** Which way is better when figures are compared (sweeps, charts). */
  better?: 'lower' | 'higher';
  /** A short phrase for sweep metric descriptions ("end-to-end latency of completed requests"). */
  brief?: string;
  /** The docs table gives each sub-field a row of its own (`cost_usd.total`, …) instead of one row. */
  docExpand?: true;
  csv?: CsvMeta;
}

/**
 * How each `unit` is named in CSV headers: a column whose field (or parent object) has the unit carries the
 * suffix as a `_`-separated part of its name (`latency_p99_ms`, `cost_usd_30d`), added when the name lacks it
 * (`utilisation` → `utilisation_frac`). Fractions stay 0..1 in CSV, as in the JSON, so they are `_frac`
 * (never `_pct`). null: counts and booleans, whose column name already says what is counted.
 * A unit missing here is a bug the CSV reporter throws on, so a new unit needs a decision.
 */
export const CSV_UNIT_SUFFIX: Readonly<Record<string, string | null>> = {
  ms: 'ms',
  s: 's',
  $: 'usd',
  kWh: 'kwh',
  'kg CO2e': 'kg',
  GB: 'gb',
  fraction: 'frac',
  'requests/s': 'per_s',
  'Mbit/s': 'mbps',
  W: 'w',
  'device-h': 'device_hours',
  requests: null,
  placements: null,
  responses: null,
  units: null,
  replicas: null,
  boolean: null,
};

/** `name` with the CSV suffix of `unit` appended unless the name already holds it as a `_`-separated part. */
export function csvNameWithUnit(name: string, unit: string | undefined): string {
  if (unit === undefined) return name;
  const suffix = CSV_UNIT_SUFFIX[unit];
  if (suffix === undefined) throw new Error(`result schema: unit "${unit}" has no CSV suffix in CSV_UNIT_SUFFIX`);
  if (suffix === null) return name;
  return `_${name.replace(/\./g, '_')}_`.includes(`_${suffix}_`) ? name : `${name}_${suffix}`;
}

/** Field metadata, keyed by the schema of the field as it sits in its object (nullable wrapper included). */
export const resultFields = z.registry<FieldMeta>();

/** The schema, registered with its metadata. Each call site passes a fresh schema, so metadata is per field. */
function f<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  resultFields.add(schema, meta);
  return schema;
}

const num = () => z.number();
const int = () => z.number().int();
const str = () => z.string();

// ------------------------------------------------------------------------------------------------ services

const STAT_BRIEF = {
  mean: 'mean',
  p50: 'median',
  p90: '90th percentile',
  p95: '95th percentile',
  p99: '99th percentile',
  max: 'maximum',
} as const;

function latencySummary() {
  return z.strictObject({
    mean: f(num(), { doc: 'Mean.', brief: STAT_BRIEF.mean }),
    p50: f(num(), { doc: 'Median.', brief: STAT_BRIEF.p50 }),
    p90: f(num(), { doc: '90th percentile.', brief: STAT_BRIEF.p90 }),
    p95: f(num(), { doc: '95th percentile.', brief: STAT_BRIEF.p95 }),
    p99: f(num(), { doc: '99th percentile.', brief: STAT_BRIEF.p99 }),
    max: f(num(), { doc: 'Maximum.', brief: STAT_BRIEF.max }),
  });
}

export const LatencySummarySchema = latencySummary();

export const CdfPointSchema = z.strictObject({
  fraction: f(num(), { doc: 'Fraction of completed requests, 0..1.' }),
  ms: f(num(), { doc: 'Latency that fraction took at most, ms.' }),
});

export const ServiceResultSchema = z.strictObject({
  name: f(str(), { doc: 'Service name.' }),
  arrivals: f(int(), {
    doc: 'Requests that arrived inside the measured window.',
    unit: 'requests',
    tolerance: 'count',
    csv: { measuredSum: true },
  }),
  completed: f(int(), {
    doc: "Of those, the ones completed by the end of the run: their batch (or API call) finished and the response could leave the site. A response held in a site's buffer while its uplink is down completes when the uplink returns.",
    unit: 'requests',
    tolerance: 'count',
    better: 'higher',
    brief: 'requests completed in the measured window',
    csv: { measuredSum: true },
  }),
  rejected: f(int(), {
    doc: "Of those, the ones turned away: the policy refused them (`place` returned −1), or when they reached the pool its queue was full (`max_queue`), or a managed API was at its `max_concurrency`. The built-in policies refuse when no candidate is available (unreachable, queue full, down, uplink cut, outside the service's `residency`, not provisioned under the policy, API at its limit). `cheapest-within-slo` also refuses when no estimate meets the SLO. Rejection is always counted, never silent.",
    unit: 'requests',
    tolerance: 'count',
    better: 'lower',
    brief: 'requests rejected in the measured window',
    csv: { measuredSum: true },
  }),
  lost: f(int(), {
    doc: 'Of those, the ones accepted and then lost: their pool went away under them (failure, spot interruption, outage, uplink cut) with no retry left or with the policy refusing the retry, or their response did not fit a full uplink buffer ([dynamics](dynamics.md#retries-and-lost-requests)).',
    unit: 'requests',
    tolerance: 'count',
    better: 'lower',
    csv: { measuredSum: true },
  }),
  retried: f(int(), {
    doc: "Placements made again for measured requests whose pool went away under them. A request can be retried up to the service's `retries` times.",
    unit: 'placements',
    tolerance: 'count',
  }),
  throughput_per_s: f(num(), {
    doc: "`completed / measured_s`: completions per second over the measured window, whether or not they met an SLO. For an `offline` service whose requests have all ended, `completed / makespan_s` (MLPerf Offline's samples per second).",
    unit: 'requests/s',
    tolerance: 'count',
    better: 'higher',
  }),
  makespan_s: f(num().nullable(), {
    doc: 'For an `offline` service (every request there at t = 0): when its last request completed, seconds from the start. `null` for other load modes, when no request completed, or while some are still open at the end of the run.',
    unit: 's',
    tolerance: 'latency',
  }),
  latency_ms: f(latencySummary().nullable(), {
    doc: 'End-to-end latency of completed requests: from the moment the user issues the request until the whole response has arrived back — network both ways, queueing, batching wait and execution. `{ mean, p50, p90, p95, p99, max }`. `null` when nothing completed. Percentiles come from a streaming histogram, so memory does not grow with the number of requests.',
    unit: 'ms',
    tolerance: 'latency',
    better: 'lower',
    brief: 'end-to-end latency of completed requests',
    csv: { column: (k) => `latency_${k}_ms` },
  }),
  breakdown_ms: f(
    z
      .strictObject({
        network: f(num(), { doc: 'RTT plus upload and download transfer.' }),
        queue: f(num(), {
          doc: "From reaching the pool to the start of the request's batch, batch formation included.",
        }),
        execution: f(num(), { doc: 'Run time of its batch.' }),
      })
      .nullable(),
    {
      doc: "`{ network, queue, execution }`: means over completed requests. `network` is the RTT plus upload and download transfer. `queue` is the time from reaching the pool to the start of the request's batch, including batch formation. `execution` is the run time of its batch. The three sum to `latency_ms.mean`, up to rounding. `null` when nothing completed.",
      unit: 'ms',
      tolerance: 'latency',
      csv: { column: (k) => `${k}_mean_ms` },
    },
  ),
  ttft_ms: f(latencySummary().nullable(), {
    doc: "Time to first token, same summary, for LLM services: from issue until the first output token reaches the user (the batch's first-token time plus half the RTT). `null` for other services and when nothing completed.",
    unit: 'ms',
    tolerance: 'latency',
    better: 'lower',
    brief: 'time to first token',
    csv: { column: (k) => `ttft_${k}_ms` },
  }),
  tpot_ms: f(latencySummary().nullable(), {
    doc: 'Time per output token, same summary, for LLM services: per completed request, (time its last token was out − time its first token was out) ÷ (output tokens − 1), at the server (network excluded). Requests of one output token have none. `null` for other services and when no request had one.',
    unit: 'ms',
    tolerance: 'latency',
    better: 'lower',
    brief: 'time per output token',
    csv: { column: (k) => `tpot_${k}_ms` },
  }),
  itl_ms: f(latencySummary().nullable(), {
    doc: "Inter-token latency, same summary, for LLM services: the gaps between consecutive output tokens of measured requests, one sample per gap (a continuous-batching replica's step times, weighted by the sequences that got a token in each step; a preempted sequence's gap spans its recompute). Fixed batches and managed APIs give tokens at an even pace, their TPOT. `null` for other services.",
    unit: 'ms',
    tolerance: 'latency',
    better: 'lower',
    brief: 'inter-token latency',
    csv: { column: (k) => `itl_${k}_ms` },
  }),
  goodput_per_s: f(num().nullable(), {
    doc: 'Completed measured requests that met every SLO the service declares, per second of the measured window (throughput counts every completion). `null` when the service declares no SLO.',
    unit: 'requests/s',
    tolerance: 'count',
    better: 'higher',
    brief: 'completions that met every SLO per second',
  }),
  slo_percentile_met: f(z.boolean().nullable(), {
    doc: "With `slo.percentile` (e.g. 99, MLPerf's server rule): whether that percentile of each declared target's distribution (latency, TTFT, TPOT) is within the target. `null` without `slo.percentile` or when nothing completed.",
    unit: 'boolean',
    tolerance: 'exact',
  }),
  slo_attainment: f(num().nullable(), {
    doc: 'Share of measured requests that met every SLO the service declares (`latency`, `ttft`, `tpot`), see below. `null` when the service declares no SLO, or when none of its measured requests completed or was rejected.',
    unit: 'fraction',
    tolerance: 'fraction',
    better: 'higher',
    brief: 'fraction of measured requests that met every SLO, 0..1',
  }),
  placements: f(z.record(z.string(), int()), {
    doc: 'Pool name (`site/pool`) or managed API name → number of measured requests the policy first sent there, counted when placed (retries are not counted). Targets that received none are left out. Keys are in pool order, then API order.',
    unit: 'requests',
    tolerance: 'count',
    csv: { pairs: true, long: { name: 'placements.csv', keyColumn: 'target', valueColumn: 'count' } },
  }),
  latency_cdf_ms: f(z.array(CdfPointSchema).nullable(), {
    doc: 'The latency distribution of completed requests: a list of `{ fraction, ms }` at fractions 0.01, 0.02, …, 0.99, 0.995, 0.999 and 1 (101 points): `fraction` of completed requests took at most `ms`. Fraction 1 is the maximum; no point exceeds it. `null` when nothing completed.',
    unit: 'ms',
    compare: false,
    csv: { omit: true },
  }),
  placement_reasons: f(z.record(z.string(), z.record(z.string(), int())), {
    doc: "Why the policy chose each target: target → deciding reason → measured first placements (they sum to `placements`). The reason is read off the candidates at the moment of choice: `only available candidate`; the best on the policy's criterion — `lowest estimated latency`, `nearest by RTT`, `cheapest estimate meeting the SLO`, `cheapest estimate`, `lowest estimated carbon` (a policy placesim does not know: the first of these the choice is best on); else `other (none of the above)`. ` (fallback: …)` appended when a candidate better on that criterion was unavailable for the moment: `a better one's queue was full`, `a better one was down or cut off`, `a better API was at its limit`. What `placesim explain` prints ([commands.md](commands.md#placesim-explain)).",
    unit: 'placements',
    tolerance: 'count',
    csv: { omit: true },
  }),
  rejected_by: f(z.record(z.string(), int()), {
    doc: 'Measured rejections by cause (they sum to `rejected`; causes with none are left out): `no candidate available (queues full)`, `no candidate available (down or cut off)`, `no candidate reachable or allowed`, `no estimate meets the SLO` (the policy refused while every available estimate missed the SLO), `refused by the policy` (it refused with an SLO-meeting candidate available), `queue full when it arrived` (the queue filled while it travelled), `API at its concurrency limit`.',
    unit: 'requests',
    tolerance: 'count',
    csv: { pairs: true, long: { name: 'rejections.csv', keyColumn: 'cause', valueColumn: 'count' } },
  }),
  lost_by: f(z.record(z.string(), int()), {
    doc: "Measured losses by cause (they sum to `lost`): `its pool went away (failure, interruption, outage) and no retry placed it`, `the response did not fit the cut-off site's buffer`, `the response found the users cut off (the uplink of the site whose LAN they are on was down)`.",
    unit: 'requests',
    tolerance: 'count',
    csv: { pairs: true, long: { name: 'losses.csv', keyColumn: 'cause', valueColumn: 'count' } },
  }),
  ttft_cdf_ms: f(z.array(CdfPointSchema).nullable(), {
    doc: 'The TTFT distribution, as `latency_cdf_ms`. `null` for non-LLM services and when nothing completed.',
    unit: 'ms',
    compare: false,
    csv: { omit: true },
  }),
  tpot_cdf_ms: f(z.array(CdfPointSchema).nullable(), {
    doc: 'The TPOT distribution, as `latency_cdf_ms`. `null` for non-LLM services and when no request had a TPOT.',
    unit: 'ms',
    compare: false,
    csv: { omit: true },
  }),
});

// ------------------------------------------------------------------------------------------------ pools

export const SITE_KIND_VALUES = ['cloud', 'edge', 'device'] as const;

export const PoolResultSchema = z.strictObject({
  name: f(str(), { doc: '`site/pool`.' }),
  site: f(str(), { doc: 'Site name.' }),
  kind: f(z.enum(SITE_KIND_VALUES), { doc: 'Kind of the site: `cloud`, `edge` or `device`.' }),
  region: f(str(), { doc: 'Region of the site.' }),
  device: f(str(), { doc: 'Catalog device id (the accelerator or device the pool is made of).' }),
  instance: f(str().nullable(), { doc: 'Catalog cloud instance id, or `null` for edge and device hardware.' }),
  units: f(int(), { doc: 'Instances or devices in the pool.', tolerance: 'count' }),
  provisioned: f(z.boolean(), {
    doc: "Whether the pool exists under this policy. `false` when the policy may not use it: a site kind outside the policy's `siteKinds` (e.g. an edge pool under `cloud-only`), or a pool outside a variant's `pools`. An unprovisioned pool takes no requests, and its cost, energy and carbon are 0. See [policies.md](policies.md#provisioning).",
    unit: 'boolean',
    tolerance: 'exact',
  }),
  servers: f(int(), {
    doc: 'Model replicas of the pool, shared by every service it hosts ([how they are derived](architecture.md#replicas-per-pool)). The same under every policy.',
    tolerance: 'count',
  }),
  utilisation: f(num(), {
    doc: 'Busy replica-time ÷ serving replica-time, both in the measured window. A replica is busy while it executes a batch (an aborted batch counts until it was aborted) and serving while its unit is provisioned, up, not booting and not held by a training job ([dynamics](dynamics.md#units-replicas-and-their-states)). For a fixed pool with no failures this is busy ÷ (`servers` × `measured_s`). 0 when nothing served.',
    unit: 'fraction',
    tolerance: 'fraction',
    brief: 'busy over available server-time in the measured window, 0..1',
  }),
  mean_units: f(num(), {
    doc: 'Mean instances (instance pools) or devices (device pools) billed over the measured window: `units` for a fixed provisioned pool, less for an autoscaled pool, a spot pool while interrupted, or a `use: training` pool between jobs. 0 when not provisioned.',
    unit: 'units',
    tolerance: 'count',
  }),
  unit_failures: f(int(), { doc: 'Failures of provisioned units in the measured window.', tolerance: 'count' }),
  preemptions: f(int(), { doc: 'Spot interruptions of provisioned units in the measured window.', tolerance: 'count' }),
  cold_starts: f(int(), {
    doc: 'Units the autoscaler started in the measured window (each paid a cold start).',
    tolerance: 'count',
  }),
  batches: f(int(), {
    doc: 'Batches that started in the measured window and finished by the end of the run (aborted batches are not counted).',
    tolerance: 'count',
  }),
  mean_batch_size: f(num(), {
    doc: 'Mean requests per batch; the table shows "—" when `batches` is 0. For a continuous-batching LLM pool: `batches` are model steps and this is the mean running batch (sequences per step).',
    unit: 'requests',
    tolerance: 'count',
  }),
  p99_batch_size: f(num().nullable(), {
    doc: 'Continuous-batching LLM pools: the 99th percentile of running sequences per model step (measured window). `null` for other pools and when no step ran.',
    unit: 'requests',
    tolerance: 'count',
  }),
  kv_utilisation: f(num().nullable(), {
    doc: "Continuous-batching LLM pools: KV-cache blocks in use ÷ blocks a replica holds, averaged over busy replicas' time in the measured window ([model](model.md#llm-serving)). `null` for other pools and when no step ran.",
    unit: 'fraction',
    tolerance: 'fraction',
  }),
  kv_preemptions: f(int().nullable(), {
    doc: 'Continuous-batching LLM pools: sequences preempted in the measured window because a replica ran out of KV-cache blocks mid-decode (recomputed later). A planner reads many as "this replica thrashes at this load". `null` for other pools.',
    tolerance: 'count',
    better: 'lower',
  }),
  cost_usd: f(num(), {
    doc: "The pool's cost: compute, capex, electricity and upkeep. Egress is not attributed to pools. Capacity is paid for while it is billed, busy or idle; capex and upkeep for the whole window while the pool is provisioned.",
    unit: '$',
    tolerance: 'cost',
    better: 'lower',
  }),
  energy_kwh: f(num(), {
    doc: "The pool's IT energy (inference and training) plus its facility overhead.",
    unit: 'kWh',
    tolerance: 'cost',
    better: 'lower',
  }),
  carbon_kg: f(num(), {
    doc: "The pool's energy of each hour × the grid intensity of its region in that hour.",
    unit: 'kg CO2e',
    tolerance: 'cost',
    better: 'lower',
  }),
});

// ------------------------------------------------------------------------------------------------ totals

export const CostBreakdownSchema = z.strictObject({
  total: f(num(), { doc: 'Sum of the parts below.', brief: 'total cost over the measured window, USD' }),
  compute: f(num(), {
    doc: "Billed unit-seconds in the window × the hourly price (a catalog instance price, on-demand, spot or reserved, or any pool's `usd_per_hour`), busy or idle. A unit is billed while provisioned and not spot-interrupted ([dynamics](dynamics.md#units-replicas-and-their-states)).",
  }),
  capex: f(num(), {
    doc: 'Hardware purchase price (`capex_usd`, usually edge and device pools) amortised linearly over its lifetime, for the measured window.',
  }),
  electricity: f(num(), {
    doc: "(IT + facility energy) × each pool's `electricity_usd_per_kwh`: electricity paid by the operator. The default is 0, since for cloud pools power is inside the hourly price.",
  }),
  upkeep: f(num(), { doc: 'Yearly upkeep per unit, pro rata for the measured window (a year is 365 days).' }),
  egress: f(num(), {
    doc: 'Response bytes of completed measured requests served by cloud pools × `network.egress_usd_per_gb`, plus training datasets moved between regions × `network.inter_region_usd_per_gb`.',
  }),
  api: f(num(), {
    doc: 'Managed APIs: the per-token and per-request prices of their completed measured requests (= the sum of `apis[].cost_usd`).',
  }),
});

export const EnergyBreakdownSchema = z.strictObject({
  total: f(num(), {
    doc: '`it + facility + network + api`.',
    brief: 'energy (IT, facility overhead, network) over the measured window, kWh',
  }),
  it: f(num(), {
    doc: 'Energy drawn by devices and hosts: powered units at idle power, plus the dynamic power of busy replicas (P(u) = P_idle + (P_max − P_idle) × u, integrated exactly over every change of state, not sampled), plus units held by training jobs at full power.',
  }),
  facility: f(num(), { doc: 'Facility overhead: IT energy × (PUE − 1) of each site.' }),
  network: f(num(), {
    doc: 'Bytes moved (upload + download) by completed measured requests at cloud and edge pools and managed APIs, plus training datasets moved between regions, × the energy per GB of the segment they cross: `network.energy_kwh_per_gb` over the WAN, `network.lan_energy_kwh_per_gb` between a user group and the edge site whose LAN it is on (`users.<g>.lan`). No PUE.',
  }),
  api: f(num(), { doc: 'Energy at managed APIs (`energy_wh_per_request` × their completed measured requests).' }),
  network_lan: f(num(), {
    doc: "Of `network`, the part carried on user groups' own LANs (`network.lan_energy_kwh_per_gb`); the rest crossed the WAN. Not added to `total` again.",
  }),
});

export const CarbonBreakdownSchema = z.strictObject({
  total: f(num(), { doc: '`compute + network + api`.', brief: 'carbon over the measured window, kg CO2e' }),
  compute: f(num(), {
    doc: "Per pool and per hour of the run: (IT + facility energy of that hour) × the grid intensity of the pool's region in that hour.",
  }),
  network: f(num(), {
    doc: "Each request's network energy × the grid intensity, at the time its execution ended, of the region it was served in; a dataset transfer's energy × the dataset region's grid at the job's earliest start.",
  }),
  api: f(num(), { doc: "Each API request's energy × the grid intensity of the API's region when it completed." }),
});

export const TotalsSchema = z.strictObject({
  cost_usd: f(CostBreakdownSchema, {
    doc: 'Cost over the measured window, $.',
    unit: '$',
    tolerance: 'cost',
    better: 'lower',
    docExpand: true,
    csv: { column: (k) => (k === 'total' ? 'cost_usd' : `cost_${k}_usd`) },
  }),
  energy_kwh: f(EnergyBreakdownSchema, {
    doc: 'Energy over the measured window, kWh.',
    unit: 'kWh',
    tolerance: 'cost',
    better: 'lower',
    docExpand: true,
    csv: { column: (k) => (k === 'total' ? 'energy_kwh' : `energy_${k}_kwh`) },
  }),
  carbon_kg: f(CarbonBreakdownSchema, {
    doc: 'Carbon over the measured window, kg CO2e.',
    unit: 'kg CO2e',
    tolerance: 'cost',
    better: 'lower',
    docExpand: true,
    csv: { column: (k) => (k === 'total' ? 'carbon_kg' : `carbon_${k}_kg`) },
  }),
  egress_gb: f(num(), {
    doc: 'Response bytes that left cloud regions to users, GB (dataset transfers are not included).',
    unit: 'GB',
    tolerance: 'cost',
  }),
  per_1k_requests: f(
    z.strictObject({
      cost_usd: f(num().nullable(), {
        doc: 'Cost per 1,000 completed requests.',
        brief: 'cost per 1,000 completed requests, USD',
      }),
      energy_kwh: f(num().nullable(), { doc: 'Energy per 1,000 completed requests.' }),
      carbon_kg: f(num().nullable(), {
        doc: 'Carbon per 1,000 completed requests.',
        brief: 'carbon per 1,000 completed requests, kg CO2e',
      }),
    }),
    {
      doc: '`{ cost_usd, energy_kwh, carbon_kg }` per 1,000 completed requests. Each is `null` when nothing completed.',
      tolerance: 'cost',
      better: 'lower',
      csv: { column: (k) => `${k}_per_1k` },
    },
  ),
  projection_30d: f(
    z.strictObject({
      cost_usd: f(num(), { doc: 'Cost over 30 days, $.' }),
      energy_kwh: f(num(), { doc: 'Energy over 30 days, kWh.' }),
      carbon_kg: f(num(), { doc: 'Carbon over 30 days, kg CO2e.' }),
      requests: f(num(), { doc: 'Completed requests over 30 days.', tolerance: 'count' }),
    }),
    {
      doc: '`{ cost_usd, energy_kwh, carbon_kg, requests }` scaled to 30 days (`requests` is checked as a count).',
      tolerance: 'cost',
      csv: { column: (k) => `${k}_30d` },
    },
  ),
  throughput_per_s: f(num(), {
    doc: 'Completions per second over the measured window, all services together (`Σ services[].completed / measured_s`), whether or not they met an SLO.',
    unit: 'requests/s',
    tolerance: 'count',
    better: 'higher',
    brief: 'completed requests per second over the measured window',
  }),
});

export const ConservationSchema = z.strictObject({
  arrivals: f(int(), { doc: 'Requests that arrived, warm-up included.', tolerance: 'count' }),
  completed: f(int(), { doc: 'Of those, completed.', tolerance: 'count' }),
  rejected: f(int(), { doc: 'Of those, rejected.', tolerance: 'count' }),
  lost: f(int(), { doc: 'Of those, lost.', tolerance: 'count' }),
  in_flight: f(int(), { doc: 'Of those, still in flight when the run ended.', tolerance: 'count' }),
});

// ------------------------------------------------------------------------------------------------ links, APIs

export const UplinkResultSchema = z.strictObject({
  site: f(str(), { doc: 'Site name.' }),
  downtime_s: f(num(), { doc: 'Time the uplink was down inside the measured window.', unit: 's', tolerance: 'count' }),
  outages: f(int(), {
    doc: 'Outages (random or scheduled; overlapping ones count once) that started in the measured window.',
    tolerance: 'count',
  }),
  buffered: f(int(), {
    doc: "Responses held in the site's store-and-forward buffer and delivered when the uplink returned (whole run).",
    unit: 'responses',
    tolerance: 'count',
  }),
  overflow: f(int(), {
    doc: 'Responses that did not fit the buffer and were lost (whole run).',
    unit: 'responses',
    tolerance: 'count',
  }),
});

function linkFields() {
  return {
    capacity_mbps: f(num(), { doc: 'The declared capacity.', unit: 'Mbit/s', tolerance: 'exact' }),
    utilisation: f(num(), {
      doc: 'Time spent transferring over the measured window (transfers that entered the link in it).',
      unit: 'fraction',
      tolerance: 'fraction',
    }),
    mean_wait_ms: f(num(), {
      doc: "Mean wait for the link before a transfer starts. It is also part of the requests' `breakdown_ms.network`.",
      unit: 'ms',
      tolerance: 'latency',
    }),
    transfers: f(int(), { doc: 'Transfers that entered the link in the measured window.', tolerance: 'count' }),
  };
}

export const BackhaulResultSchema = z.strictObject({
  site: f(str(), { doc: 'Site name.' }),
  direction: f(z.enum(['in', 'out']), { doc: '`in` (uploads to the site) or `out` (responses from it).' }),
  ...linkFields(),
});

export const SharedUplinkResultSchema = z.strictObject({
  users: f(str(), { doc: 'The user group.' }),
  path: f(z.enum(['edge', 'cloud']), {
    doc: '`edge` (towards edge sites) or `cloud` (towards cloud regions and managed APIs).',
  }),
  ...linkFields(),
});

export const ApiResultSchema = z.strictObject({
  name: f(str(), { doc: 'The API.' }),
  region: f(str(), { doc: 'The region of its endpoint.' }),
  requests: f(int(), { doc: 'Measured requests it completed.', tolerance: 'count' }),
  cost_usd: f(num(), {
    doc: '`requests ×` the per-request price (tokens × per-token prices + `usd_per_request`).',
    unit: '$',
    tolerance: 'cost',
  }),
  energy_kwh: f(num(), {
    doc: '`requests × energy_wh_per_request / 1000` (0 when not declared).',
    unit: 'kWh',
    tolerance: 'cost',
  }),
  carbon_kg: f(num(), {
    doc: "Each request's energy × the API region's grid intensity when it completed.",
    unit: 'kg CO2e',
    tolerance: 'cost',
  }),
});

// ------------------------------------------------------------------------------------------------ jobs

export const JOB_STATUSES = ['done', 'running', 'waiting', 'not started'] as const;

export const JobResultSchema = z.strictObject({
  name: f(str(), { doc: 'Job name.' }),
  pool: f(str(), { doc: "The pool it ran on (chosen among `pools` by the policy's `scheduleJob`, else the first)." }),
  region: f(str(), { doc: "The pool's region." }),
  devices: f(int(), { doc: 'Devices it holds while running.', tolerance: 'count' }),
  status: f(z.enum(JOB_STATUSES), {
    doc: '`done`; `running` (running or writing a checkpoint at the end); `waiting` (started once, then interrupted or yielded and not running at the end); `not started`.',
  }),
  ready_s: f(num(), { doc: 'Earliest start (`start`).', unit: 's', tolerance: 'exact' }),
  planned_start_s: f(num(), {
    doc: 'The start chosen: `ready_s` plus the dataset transfer, or later when `carbon-aware` defers it.',
    unit: 's',
    tolerance: 'latency',
  }),
  start_s: f(num().nullable(), { doc: 'When it first ran; `null` if never.', unit: 's', tolerance: 'latency' }),
  end_s: f(num().nullable(), { doc: 'When it finished; `null` if not done.', unit: 's', tolerance: 'latency' }),
  time_to_train_s: f(num().nullable(), {
    doc: '`end_s − ready_s`: dataset transfer, deferral, waiting for units, interruptions, redone work and checkpoint writes included. `null` if not done.',
    unit: 's',
    tolerance: 'latency',
    better: 'lower',
  }),
  deadline_s: f(num().nullable(), { doc: 'Its deadline, or `null`.', unit: 's', tolerance: 'exact' }),
  deadline_met: f(z.boolean().nullable(), {
    doc: '`end_s ≤ deadline_s` (`false` when not done); `null` without a deadline.',
    unit: 'boolean',
    tolerance: 'exact',
  }),
  progress: f(num(), {
    doc: 'Share of its FLOPs done at the end, checkpointed or not.',
    unit: 'fraction',
    tolerance: 'fraction',
  }),
  cost_usd: f(num(), {
    doc: "Unit-seconds held × the pool's unit price per second (hourly price, capex over lifetime, upkeep), plus the dataset transfer. An attribution: already in `totals`.",
    unit: '$',
    tolerance: 'cost',
  }),
  energy_kwh: f(num(), {
    doc: "Unit-seconds held × the unit's full-load power × PUE, plus the dataset transfer's network energy.",
    unit: 'kWh',
    tolerance: 'cost',
  }),
  carbon_kg: f(num(), {
    doc: "The held energy of each hour × the pool region's grid in that hour, plus the transfer's energy × the dataset region's grid at `ready_s`.",
    unit: 'kg CO2e',
    tolerance: 'cost',
  }),
  dataset_transfer_s: f(num(), {
    doc: "Time to move the dataset to the pool's region (0 when it is already there).",
    unit: 's',
    tolerance: 'latency',
  }),
  dataset_cost_usd: f(num(), {
    doc: '`dataset GB × network.inter_region_usd_per_gb` (0 when not moved).',
    unit: '$',
    tolerance: 'cost',
  }),
  interruptions: f(int(), {
    doc: 'Times it lost its units to a failure, a spot interruption or an outage.',
    tolerance: 'count',
  }),
  yields: f(int(), { doc: 'Times it gave its units back to inference on a `use: both` pool.', tolerance: 'count' }),
  checkpoints: f(int(), { doc: 'Checkpoints completed.', tolerance: 'count' }),
  lost_device_hours: f(num(), {
    doc: 'Work lost since the last checkpoint at each interruption or yield, and redone: `lost FLOPs / rate × devices / 3600`.',
    unit: 'device-h',
    tolerance: 'cost',
  }),
});

// ------------------------------------------------------------------------------------------------ fleets

export const FleetResultSchema = z.strictObject({
  name: f(str(), { doc: 'Fleet name, then `/` and the pool of its site template (`store/box`).' }),
  fleet: f(str(), { doc: 'Fleet name.' }),
  pool: f(str(), { doc: "The pool's name in the fleet's site template." }),
  instances: f(int(), { doc: 'Instances in the fleet.', tolerance: 'count' }),
  units: f(int(), { doc: 'Instances or devices of this pool over every instance.', tolerance: 'count' }),
  placements: f(int(), {
    doc: "Measured requests first placed on this pool of any instance (every service's).",
    unit: 'placements',
    tolerance: 'count',
  }),
  utilisation_mean: f(num(), {
    doc: "Mean over instances of the pool's `utilisation`.",
    unit: 'fraction',
    tolerance: 'fraction',
    brief: "mean over the fleet's instances of the pool's utilisation, 0..1",
  }),
  utilisation_p50: f(num(), {
    doc: "Median over instances of the pool's `utilisation` (nearest rank).",
    unit: 'fraction',
    tolerance: 'fraction',
  }),
  utilisation_p95: f(num(), {
    doc: "95th percentile over instances of the pool's `utilisation` (nearest rank).",
    unit: 'fraction',
    tolerance: 'fraction',
  }),
  utilisation_max: f(num(), {
    doc: 'Highest `utilisation` of the pool at any instance.',
    unit: 'fraction',
    tolerance: 'fraction',
    brief: "highest utilisation of the pool at any of the fleet's instances, 0..1",
  }),
  busiest: f(str(), { doc: 'The instance with the highest utilisation (the first one on a tie).' }),
  cost_usd: f(num(), { doc: "Sum of the instances' pool `cost_usd`.", unit: '$', tolerance: 'cost', better: 'lower' }),
  energy_kwh: f(num(), { doc: "Sum of the instances' pool `energy_kwh`.", unit: 'kWh', tolerance: 'cost' }),
  carbon_kg: f(num(), { doc: "Sum of the instances' pool `carbon_kg`.", unit: 'kg CO2e', tolerance: 'cost' }),
});

// ------------------------------------------------------------------------------------------------ time series

const series = () => z.array(z.number());

export const TimeSeriesSchema = z.strictObject({
  interval_s: f(num(), {
    doc: 'Interval length: the first of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12, 24 h that gives at most 240 intervals (whole days beyond).',
    unit: 's',
  }),
  t_s: f(series(), {
    doc: 'Start of each interval. The last interval may be cut short by the end of the run.',
    unit: 's',
  }),
  services: f(
    z.array(
      z.strictObject({
        name: f(str(), { doc: 'Service name.' }),
        arrivals: f(series(), { doc: 'Requests arriving in the interval.', unit: 'requests' }),
        completions: f(series(), {
          doc: 'Requests completing in the interval (counted when their batch or API call ends).',
          unit: 'requests',
        }),
        rejected: f(series(), {
          doc: 'Requests rejected in the interval. Lost requests have no series.',
          unit: 'requests',
        }),
      }),
    ),
    { doc: 'A series per service.', docExpand: true },
  ),
  pools: f(
    z.array(
      z.strictObject({
        name: f(str(), { doc: '`site/pool`.' }),
        utilisation: f(series(), {
          doc: 'Busy replica-time ÷ serving replica-time in the interval (0 when nothing served).',
          unit: 'fraction',
        }),
        queue_length: f(series(), { doc: 'Mean requests waiting at the pool (exact time-average).', unit: 'requests' }),
        replicas: f(series(), {
          doc: 'Mean replicas **serving** in the interval (booting, failed, interrupted, outaged and training units excluded).',
          unit: 'replicas',
        }),
        power_w: f(series(), {
          doc: "Mean IT power (no PUE): powered units at idle power plus busy replicas' dynamic power, plus leftover devices' idle power when provisioned. The extra power of units held by training jobs is not included.",
          unit: 'W',
        }),
      }),
    ),
    { doc: 'A series per pool.', docExpand: true },
  ),
});

// ------------------------------------------------------------------------------------------------ policy, Result

export const PolicyResultSchema = z.strictObject({
  policy: f(str(), { doc: 'Policy name.' }),
  services: f(z.array(ServiceResultSchema), {
    doc: 'One entry per service ([below](#services)).',
    key: ['name'],
    csv: { file: { name: 'services.csv', nameColumn: 'service' }, summary: 2 },
  }),
  pools: f(z.array(PoolResultSchema), {
    doc: 'One entry per pool ([below](#pools)).',
    key: ['name'],
    csv: { file: { name: 'pools.csv', nameColumn: 'pool' } },
  }),
  fleets: f(z.array(FleetResultSchema).optional(), {
    doc: "Present only when the scenario declares fleets: one entry per fleet and pool of its site template ([below](#fleets)). The instances' own pools are then left out of `pools`, `placements` (which gets one `<fleet>/<pool>` key instead) and the time series, unless the run asks for them (`placesim run --instances`).",
    key: ['name'],
    csv: { file: { name: 'fleets.csv', nameColumn: 'fleet_pool', whenAny: true } },
  }),
  totals: f(TotalsSchema, {
    doc: 'Cost, energy and carbon for the measured window ([below](#totals)).',
    csv: { summary: 3 },
  }),
  conservation: f(ConservationSchema, {
    doc: 'Request accounting for the whole run ([below](#conservation)).',
    csv: { summary: 1 },
  }),
  uplinks: f(z.array(UplinkResultSchema), {
    doc: 'Sites whose uplink went down in the measured window ([below](#uplinks)); empty otherwise.',
    key: ['site'],
    csv: { file: { name: 'uplinks.csv', whenAny: true } },
  }),
  backhaul: f(z.array(BackhaulResultSchema), {
    doc: 'Shared site links with a capacity, per direction ([below](#backhaul)); empty when no site declares `backhaul`.',
    key: ['site', 'direction'],
    csv: { file: { name: 'backhaul.csv', whenAny: true } },
  }),
  shared_uplinks: f(z.array(SharedUplinkResultSchema), {
    doc: "User groups' shared uplinks, per path ([below](#shared_uplinks)); empty when no group declares `shared_uplink`.",
    key: ['users', 'path'],
    csv: { file: { name: 'shared_uplinks.csv', whenAny: true } },
  }),
  apis: f(z.array(ApiResultSchema), {
    doc: 'One entry per managed API of the scenario ([below](#apis)); empty when it has none.',
    key: ['name'],
    csv: { file: { name: 'apis.csv', nameColumn: 'api', whenAny: true } },
  }),
  jobs: f(z.array(JobResultSchema), {
    doc: 'One entry per training job ([below](#jobs)); empty when it has none.',
    key: ['name'],
    csv: { file: { name: 'jobs.csv', nameColumn: 'job', whenAny: true } },
  }),
  events: f(int(), {
    doc: 'Number of events the engine processed. A determinism fingerprint: the same scenario and seed always give the same count, so a change flags a change in behaviour.',
    tolerance: 'exact',
  }),
  timeseries: f(TimeSeriesSchema, {
    doc: 'Per-interval series over the whole run ([below](#timeseries)).',
    compare: false,
    csv: { omit: true },
  }),
});

export const ScenarioInfoSchema = z.strictObject({
  name: f(str(), { doc: 'Scenario name from the file.' }),
  description: f(str(), { doc: 'Scenario description (may be empty).' }),
  file: f(str().nullable(), {
    doc: 'Path of the scenario file as given, or `null` when the scenario was built in code.',
  }),
  seed: f(int(), {
    doc: 'Seed of every random stream. Same scenario + same seed ⇒ byte-identical JSON.',
    tolerance: 'exact',
  }),
  duration_s: f(num(), { doc: 'Simulated time of the run.', unit: 's', tolerance: 'exact' }),
  warmup_s: f(num(), { doc: 'Warm-up at the start, excluded from metrics.', unit: 's', tolerance: 'exact' }),
  measured_s: f(num(), {
    doc: '`duration_s − warmup_s`, the window every metric covers.',
    unit: 's',
    tolerance: 'exact',
  }),
});

export const ResultSchema = z.strictObject({
  format_version: f(int(), {
    doc: 'Version of this format (1). Changes when a field is renamed, removed or changes meaning.',
  }),
  placesim_version: f(str(), { doc: 'Version of placesim that produced the Result.' }),
  scenario: f(ScenarioInfoSchema, { doc: 'The scenario run.', docExpand: true }),
  policies: f(z.array(PolicyResultSchema), {
    doc: 'One entry per placement policy, in the order the scenario lists them. All policies see the same demand (common random numbers), so differences between them come from the policy, not the noise.',
  }),
  pareto: f(z.array(z.string()), {
    doc: 'Names of the policies in the Pareto set (see [Pareto set](#pareto-set)), in policy order.',
  }),
  warnings: f(z.array(z.string()), {
    doc: 'Things the user should know about the scenario or the run (e.g. a pool with no price).',
  }),
});

// ------------------------------------------------------------------------------------------------ sweeps

/**
 * One finished point of a sweep (src/metrics/sweep-result.ts), as the sweep journal stores it: validated
 * line by line on resume, so a line that is valid JSON but wrong (no policies, a string where a number
 * belongs, NaN smuggled in as null) is refused rather than trusted.
 */
export const MetricStatSchema = z.strictObject({
  mean: z.number().finite(),
  ci95: z.number().finite().nonnegative(),
  n: z.number().int().positive(),
});

export const SweepPointResultSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  values: z.record(z.string(), z.union([z.string(), z.number().finite()])),
  policies: z
    .array(
      z.strictObject({
        policy: z.string().min(1),
        metrics: z.record(z.string(), MetricStatSchema.nullable()),
      }),
    )
    .min(1),
});
