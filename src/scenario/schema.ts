/**
 * The scenario file's shape, as a zod schema: the single source of the validation, the TypeScript type of a
 * parsed file and the JSON Schema (`placesim schema`). Every object is strict, so a typo is an error rather
 * than a silently ignored field.
 *
 * The schema checks shapes, units and ranges and converts unit strings to base units (seconds, bytes,
 * bits/s, bytes/s, watts, events/s). Cross-references (a site's region, a service's model, catalog ids) and
 * rules spanning several fields ("exactly one of model and service_time") are checked in resolve.ts, where
 * the messages can name the catalog or the declared names.
 */
import { z } from 'zod';
import { DEVICE_CLASSES, DTYPES, PRICINGS, SITE_KINDS } from '../model/types.js';
import { InputError } from './errors.js';
import { parseUnit, unitList, unitPattern, UNIT_TABLES, type UnitKind } from './units.js';
import { CATALOG_INTRA_REGION_RTT_MS } from '../hardware/catalog.js';
import { parseTolerance } from './tolerance.js';
import { lengthSchema } from './distributions.js';

interface UnitMeta {
  unit: UnitKind;
  positive: boolean;
  /** Bounds as written (e.g. "1ns", "100y"), shown in the JSON Schema and in messages. */
  min: string | undefined;
  max: string;
}

/**
 * Default bounds of unit fields, per kind: wide enough for any real scenario, narrow enough that no value
 * makes the simulator allocate or loop without end, or overflow to Infinity. A field may narrow them.
 */
export const UNIT_BOUNDS: Readonly<Record<UnitKind, { min?: string; positiveMin?: string; max: string }>> = {
  duration: { positiveMin: '1ns', max: '100y' },
  rate: { min: '1e-6/s', max: '1e6/s' },
  bytes: { max: '1000PB' },
  bandwidth: { min: '1bps', max: '1000Tbps' },
  'byte-rate': { min: '1B/s', max: '1000PB/s' },
  power: { max: '1MW' },
};

/** Upper bound of a plain number field that gives none of its own (every numeric field has one). */
export const MAX_NUMBER = 1e15;
/** Upper bound of a count (devices, replicas, …) that gives none of its own. */
export const MAX_COUNT = 1e9;

/** Marks unit fields so the JSON Schema can describe them as patterned strings (see scenarioJsonSchema). */
const unitRegistry = z.registry<UnitMeta>();

/**
 * One instance per distinct leaf schema (a unit field's kind and bounds, a number's range): zod schemas are
 * immutable (`.optional()`, `.describe()` and the checks return new ones), so fields with the same leaf can
 * share it, and building the schema at start-up constructs a few hundred fewer of them.
 */
function shared<A extends unknown[], T>(make: (...args: A) => T): (...args: A) => T {
  const made = new Map<string, T>();
  return (...args: A) => {
    const key = JSON.stringify(args);
    let s = made.get(key);
    if (s === undefined) made.set(key, (s = make(...args)));
    return s;
  };
}

const unit = shared(unitSchema);

function unitSchema(kind: UnitKind, opts: { positive?: boolean; min?: string; max?: string } = {}) {
  const positive = opts.positive ?? false;
  const t = UNIT_TABLES[kind];
  const b = UNIT_BOUNDS[kind];
  const minText = opts.min ?? (positive ? (b.positiveMin ?? b.min) : b.min);
  const maxText = opts.max ?? b.max;
  const min = minText === undefined ? undefined : parseUnit(kind, minText);
  const max = parseUnit(kind, maxText);
  const schema = z
    .union([z.string(), z.number()], {
      error: (iss) =>
        iss.input === undefined
          ? undefined
          : `expected a ${t.noun} with a unit, e.g. "${t.example}", got ${JSON.stringify(iss.input)}`,
    })
    .transform((v, ctx) => {
      try {
        const n = parseUnit(kind, v);
        if (positive && n <= 0) throw new InputError(`bad ${t.noun} ${JSON.stringify(v)}: must be > 0`);
        // A zero that is allowed stays allowed; otherwise a value must lie within the bounds.
        if (min !== undefined && n < min && !(n === 0 && !positive && !t.positive))
          throw new InputError(`bad ${t.noun} ${JSON.stringify(v)}: must be >= ${minText}`);
        if (n > max) throw new InputError(`bad ${t.noun} ${JSON.stringify(v)}: must be <= ${maxText}`);
        return n;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        ctx.issues.push({ code: 'custom', message: err.detail, input: v });
        return z.NEVER;
      }
    });
  unitRegistry.add(schema, { unit: kind, positive, min: minText, max: maxText });
  return schema;
}

/**
 * A part of the schema built the first time a file uses it (`z.lazy`): a scenario uses few of the optional
 * sections, and constructing zod schemas is most of what `placesim validate` spends on a small file.
 * Before parsing an object, zod asks each field whether it may be absent (`optin`, `optout`); a plain
 * `z.lazy` answers by building its schema, so `later` answers for it: nothing, as the part is an object,
 * union, array or record, never optional itself (`.optional()`, `.prefault()` go outside). Checked when built.
 */
function later<T extends z.ZodType>(make: () => T): z.ZodLazy<T> {
  const schema = z.lazy(() => {
    const made = make();
    if (made._zod.optin !== undefined || made._zod.optout !== undefined)
      throw new Error('later(): the lazily built schema must not be optional or defaulted itself');
    return made;
  });
  // zod's own answer is a getter on the prototype; its setter makes these the instance's own values.
  const internals = schema._zod as { optin?: 'optional'; optout?: 'optional' };
  internals.optin = undefined;
  internals.optout = undefined;
  return schema;
}

const duration = (positive = false, bounds: { min?: string; max?: string } = {}) =>
  unit('duration', { positive, ...bounds });
const rate = () => unit('rate');
const bytes = () => unit('bytes');
const bandwidth = () => unit('bandwidth');
const byteRate = () => unit('byte-rate');
const power = () => unit('power');

const nonNegative = shared((max: number = MAX_NUMBER) => z.number().min(0).max(max));
const positive = shared((max: number = MAX_NUMBER) => z.number().positive().max(max));
const count = shared((min: number, max: number = MAX_COUNT) => z.number().int().min(min).max(max));
/** Most entries a collection of named things may hold (regions, sites, …): keeps validation fast and bounded. */
const named = <T extends z.ZodType>(value: T, max: number) =>
  z
    .record(z.string(), value)
    .refine((r) => Object.keys(r).length <= max, { message: `too many entries: at most ${max}`, abort: true })
    .meta({ maxProperties: max });

/** US dollars, per hour or per unit: far above any real price, below where sums could overflow. */
const USD_MAX = 1e9;
/** Devices or instances in one pool. */
const UNITS_MAX = 100_000;
const name = shared(() => z.string().min(1));
const dtype = () => z.enum(DTYPES);

const peakTflops = z
  .strictObject(
    Object.fromEntries(DTYPES.map((d) => [d, positive(1e6).optional()])) as Record<
      (typeof DTYPES)[number],
      z.ZodOptional<z.ZodNumber>
    >,
  )
  .describe('Dense peak throughput per dtype, TFLOPS (TOPS for integer types).');

const provenance = {
  source: z.string().min(1).optional().describe('Where the figures come from (required for a new entry).'),
  as_of: z
    .string()
    .min(1)
    .optional()
    .describe('ISO date (YYYY-MM or YYYY-MM-DD) of the figures (required for a new entry).'),
  estimated: z
    .array(z.string())
    .optional()
    .describe("Fields (or 'all') that are estimates rather than published figures."),
  notes: z.string().optional(),
};

export const DeviceEntrySchema = later(() =>
  z
    .strictObject({
      name: z.string().min(1).optional().describe('Display name (default: the id).'),
      class: z.enum(DEVICE_CLASSES).optional(),
      peak_tflops: peakTflops.optional(),
      memory: bytes().optional().describe('Device memory, e.g. "80GB".'),
      bandwidth: byteRate().optional().describe('Memory bandwidth, e.g. "3350GB/s".'),
      power_max: power().optional().describe('Power at full load, e.g. "700W".'),
      power_idle: power().optional().describe('Idle power, e.g. "70W".'),
      ...provenance,
    })
    .describe(
      'A device. For an id already in the catalog, the fields given replace the default ones; a new id must give every field but name, estimated and notes.',
    ),
);

export const InstancePriceSchema = z.strictObject({
  'on-demand': nonNegative(USD_MAX).optional().describe('$/hour for one instance.'),
  spot: nonNegative(USD_MAX).optional(),
  reserved: nonNegative(USD_MAX).optional(),
});

export const InstanceEntrySchema = later(() =>
  z
    .strictObject({
      provider: z.string().min(1).optional().describe('Default: the part of the id before "/".'),
      name: z.string().min(1).optional().describe('Default: the part of the id after "/".'),
      device: z.string().min(1).optional().describe('Catalog device id.'),
      devices: count(1, 1024).optional().describe('Devices per instance.'),
      host_power_idle: power().optional(),
      host_power_max: power().optional(),
      prices: named(InstancePriceSchema, 1000)
        .optional()
        .describe('$/hour per catalog region id (or scenario region name). Merged per region into the default prices.'),
      ...provenance,
    })
    .describe('A cloud instance type. Same override rules as devices.'),
);

export const RegionSchema = z.strictObject({
  grid_gco2_per_kwh: later(() =>
    z.union(
      [nonNegative(1e4), z.array(nonNegative(1e4)).min(1).max(20_000), z.strictObject({ csv: z.string().min(1) })],
      {
        error: (iss) =>
          iss.input === undefined
            ? undefined
            : 'expected a number (gCO2e/kWh), a list of hourly values, or { csv: file }',
      },
    ),
  )
    .optional()
    .describe(
      'Grid carbon intensity, gCO2e/kWh: a constant; a list of hourly values (24 = a daily profile, repeated; value i is hour i of the run); or { csv: file } with one hourly value per line. Default: from the catalog region.',
    ),
  pue: z
    .number()
    .min(1)
    .max(10)
    .optional()
    .describe('Power usage effectiveness, >= 1. Default: from the catalog region.'),
  catalog: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Catalog region id whose defaults (grid, PUE, prices, RTTs) this region uses. Default: the region name, when it is a catalog id.',
    ),
});

export const NetworkSchema = z.strictObject({
  rtt: named(duration(false, { max: '1h' }), 500_000)
    .optional()
    .describe(
      'Round-trip times between regions, keyed "a <-> b". Pairs not given come from the catalog when both regions map to catalog ids.',
    ),
  intra_region_rtt: duration()
    .optional()
    .describe(`RTT between two sites in the same region. Default: the catalog's (${CATALOG_INTRA_REGION_RTT_MS} ms).`),
  egress_usd_per_gb: nonNegative(1e4)
    .optional()
    .describe('$ per GB leaving a cloud to the internet. Default: catalog.'),
  inter_region_usd_per_gb: nonNegative(1e4).optional().describe('$ per GB between regions. Default: catalog.'),
  energy_kwh_per_gb: nonNegative(1e4)
    .optional()
    .describe('Network (WAN) energy per GB transferred, kWh. Default: catalog (0.001, Cloud Carbon Footprint).'),
  lan_energy_kwh_per_gb: nonNegative(1e4)
    .optional()
    .describe(
      "Energy per GB carried on a local network: between a user group and the edge site it sits on (users' `lan`), kWh. Default: catalog (4.4e-6, an estimate).",
    ),
});

export const PoolSchema = z
  .strictObject({
    instance: z.string().min(1).optional().describe('Catalog instance id, e.g. "aws/p5.48xlarge". Use with replicas.'),
    replicas: count(1, UNITS_MAX).optional().describe('Number of instances.'),
    pricing: z.enum(PRICINGS).optional().describe('Instance pricing; default on-demand.'),
    device: z.string().min(1).optional().describe('Catalog device id, e.g. "jetson-agx-orin-64gb". Use with count.'),
    count: count(1, UNITS_MAX).optional().describe('Number of devices.'),
    usd_per_hour: nonNegative(USD_MAX)
      .optional()
      .describe('$/hour per unit (instance or device); overrides the catalog price.'),
    capex_usd: nonNegative(USD_MAX).optional().describe('Purchase price per unit, $, amortised over lifetime.'),
    lifetime: duration(true, { min: '1d' })
      .optional()
      .describe('Amortisation period, e.g. "3y". Required with capex_usd.'),
    electricity_usd_per_kwh: nonNegative(1e4)
      .optional()
      .describe('Electricity price paid by the operator. Default 0 (inside the hourly price).'),
    upkeep_usd_per_year: nonNegative(USD_MAX).optional().describe('Upkeep per unit per year, $. Default 0.'),
    max_queue: count(0).optional().describe('Requests waiting beyond this are rejected. Default: unbounded.'),
    autoscale: later(() =>
      z.strictObject({
        min: count(0, UNITS_MAX).describe('Fewest instances (0 = scale to zero).'),
        max: count(1, UNITS_MAX).describe('Most instances.'),
        initial: count(0, UNITS_MAX).optional().describe('Instances at the start. Default: min.'),
        metric: z
          .enum(['utilisation', 'queue'])
          .prefault('utilisation')
          .describe(
            'What drives scaling: utilisation (busy replicas plus queued batches against target_utilisation) or queue (waiting requests per serving replica against target_queue). Default utilisation.',
          ),
        target_utilisation: z
          .number()
          .gt(0)
          .max(1)
          .prefault(0.7)
          .describe('metric utilisation: keep (busy + queued batches) / replicas at this. Default 0.7.'),
        target_queue: z
          .number()
          .gt(0)
          .max(1e6)
          .prefault(4)
          .describe(
            'metric queue: add an instance when more requests than this wait per serving replica; release one when none waits. Default 4.',
          ),
        target_running: count(1)
          .optional()
          .describe(
            'metric utilisation, continuous-batching LLM pools: keep (running + waiting sequences) per replica at this. Default: target_utilisation × the largest running batch whose estimated latency and TTFT meet the SLOs (max_num_seqs without SLOs).',
          ),
        scale_in_after: duration()
          .prefault('10m')
          .describe('Release an instance after demand has stayed below target this long. Default 10m.'),
        boot_time: duration()
          .prefault('2m')
          .describe('Instance boot before the model loads. Default 2m (an estimate: typical GPU VM boot).'),
        model_load: byteRate()
          .prefault('2GB/s')
          .describe(
            'Weight loading rate; cold start = boot_time + weights / model_load. Default 2GB/s (an estimate: local NVMe or a fast object store).',
          ),
        check_every: duration(true, { min: '1ms' }).prefault('30s').describe('Autoscaler period. Default 30s.'),
      }),
    )
      .optional()
      .describe('Autoscaling of an instance pool: give min and max here instead of replicas.'),
    use: z
      .enum(['inference', 'training', 'both'])
      .prefault('inference')
      .describe(
        'What runs here: inference (default), training (billed only while a job holds it), or both (inference first).',
      ),
    failures: later(() =>
      z.strictObject({
        mtbf: duration(true, { min: '1s' }).describe('Mean time between failures of one unit (instance or device).'),
        mttr: duration(true, { min: '1ms' }).describe('Mean time to repair.'),
      }),
    )
      .optional()
      .describe('Random unit failures (exponential, seeded per pool).'),
    preemption: later(() =>
      z.strictObject({
        mean_time: duration(true, { min: '1s' }).describe('Mean time to a spot interruption of one unit.'),
        restart: duration().prefault('5m').describe('Time until a replacement unit serves again. Default 5m.'),
      }),
    )
      .optional()
      .describe('Spot interruptions (pricing: spot only).'),
  })
  .describe('Either instance + replicas (+ pricing) or device + count.');

export const SiteSchema = z.strictObject({
  kind: z.enum(SITE_KINDS),
  region: name().describe('A region declared under regions.'),
  pools: named(PoolSchema, 1000),
  backhaul: later(() =>
    z.strictObject({
      in: bandwidth().optional().describe('Inbound capacity shared by every upload to the site, e.g. "100Mbps".'),
      out: bandwidth().optional().describe('Outbound capacity shared by every response from the site.'),
    }),
  )
    .optional()
    .describe(
      "The site's shared network link: transfers queue for it first come, first served. Default: not a bottleneck.",
    ),
  uplink: later(() =>
    z.strictObject({
      mtbf: duration(true, { min: '1s' })
        .optional()
        .describe('Mean time between uplink outages (random, exponential).'),
      mttr: duration(true, { min: '1ms' }).optional().describe('Mean outage length.'),
      buffer: bytes()
        .prefault('0B')
        .describe('Store-and-forward buffer for responses while the uplink is down. Default 0B.'),
    }),
  )
    .optional()
    .describe("The site's link to the outside: random outages and the buffer that bridges them."),
  serves: z
    .array(name())
    .min(1)
    .optional()
    .describe(
      "Only these user groups may use the site (e.g. a store's own box on the store's LAN). Default: every user group. A fleet's sites serve their own users.",
    ),
});

/** One bandwidth for every path, or one towards edge sites and one towards cloud regions. */
const link = (what: string) =>
  z
    .union([bandwidth(), z.strictObject({ edge: bandwidth(), cloud: bandwidth() })])
    .prefault('1Gbps')
    .describe(
      `${what}: one bandwidth, or { edge, cloud } when the path to the edge differs from the path to the cloud (e.g. a LAN to an on-site box, a weak WAN uplink to the cloud). Default 1Gbps.`,
    );

export const UserSchema = z.strictObject({
  region: name(),
  access_rtt: z
    .strictObject({
      edge: duration(false, { max: '1h' }).describe('RTT from the users to a metro edge site in their region.'),
      cloud: duration(false, { max: '1h' }).describe('RTT from the users to the cloud entry point in their region.'),
    })
    .describe('Last-mile round-trip times.'),
  uplink: link('Upstream bandwidth per user (request uploads)'),
  downlink: link('Downstream bandwidth per user (responses)'),
  shared_uplink: later(() =>
    z.union([bandwidth(), z.strictObject({ edge: bandwidth().optional(), cloud: bandwidth().optional() })]),
  )
    .optional()
    .describe(
      "An upstream link the whole group shares (e.g. one store's WAN for all its cameras): one capacity, or { edge, cloud } for the paths it applies to. Uploads queue for it first come, first served. Default: none.",
    ),
  lan: name()
    .optional()
    .describe(
      "The edge site whose local network these users sit on (a store's cameras and its in-store box). That site is reached over the LAN: `network.lan_energy_kwh_per_gb`, no egress, and its uplink's outages do not cut it off. Every other site and API is reached through that site's uplink (WAN): cut off while it is down. Default: none (every site over the WAN).",
    ),
});

export const ModelSchema = later(() =>
  z
    .strictObject({
      params: positive(1e15).optional().describe('Parameter count; makes this an LLM.'),
      dtype: dtype().default('fp16'),
      kv_bytes_per_token: positive(1e9)
        .optional()
        .describe('LLM KV-cache bytes per token of context. Default: an estimate scaled from Llama-3-8B.'),
      quantisation: z
        .enum(['weight-only', 'full'])
        .optional()
        .describe(
          'LLMs in int4/int8: weight-only (default: weights stored narrow, arithmetic in fp16, as AWQ/GPTQ W4A16/W8A16) or full (arithmetic in the dtype too, e.g. SmoothQuant W8A8).',
        ),
      flops_per_item: positive(1e21)
        .optional()
        .describe('FLOPs per item (image, sequence, …); makes this a non-LLM model.'),
      weights: bytes()
        .optional()
        .describe('Weight size, e.g. "102MB". Required for non-LLM models; for LLMs default params x dtype bytes.'),
      activation_bytes_per_item: bytes()
        .optional()
        .describe('Non-LLM: activation bytes moved per item, e.g. "20MB". Default 0B.'),
    })
    .describe('An LLM ({ params }) or another model ({ flops_per_item, weights }).'),
);

const userShare = z.strictObject({ user: name(), weight: positive(1e9) });

const distribution = () =>
  z
    .strictObject({
      exponential: duration(true).optional(),
      deterministic: duration(true).optional(),
      lognormal: duration(true).optional().describe('Mean of a lognormal; give cv too.'),
      cv: positive(100).optional(),
    })
    .describe('Exactly one of exponential, deterministic, lognormal (with cv): the mean time.');

export const ServiceSchema = z.strictObject({
  model: name().optional().describe('A model declared under models. Exactly one of model and service_time.'),
  users: z
    .union([name(), z.array(userShare).min(1).max(10_000)], {
      error: (iss) =>
        iss.input === undefined ? undefined : 'expected a user group name or a list of { user, weight }',
    })
    .describe('Who sends the requests: one user group, or several with relative weights.'),
  residency: z
    .array(name())
    .min(1)
    .max(1000)
    .optional()
    .describe("Data residency: the only regions allowed to process this service's requests. Default: any region."),
  arrivals: z
    .strictObject({
      poisson: rate().optional().describe('Poisson arrivals at this mean rate.'),
      constant: rate().optional().describe('Evenly spaced arrivals at this rate.'),
      profile: z
        .enum(['daily'])
        .optional()
        .describe('A daily rate profile between trough and peak, highest at peak_hour.'),
      peak: rate().optional(),
      trough: rate().optional(),
      peak_hour: z.number().min(0).lt(24).optional().describe('Hour of the peak, 0-24. Default 14.'),
      trace: later(() =>
        z.union([
          z.string().min(1),
          z.strictObject({
            file: z.string().min(1).describe('CSV with a header line, relative to the scenario file.'),
            time: z.string().min(1).describe('Header of the column of arrival times, seconds from the start.'),
            input_tokens: z
              .string()
              .min(1)
              .optional()
              .describe("Header of the column of each request's prompt tokens."),
            output_tokens: z
              .string()
              .min(1)
              .optional()
              .describe("Header of the column of each request's output tokens."),
            items: z.string().min(1).optional().describe("Header of the column of each request's items."),
          }),
        ]),
      )
        .optional()
        .describe(
          'CSV of arrival times in seconds (first column), relative to the scenario file; or { file, time, input_tokens?, output_tokens?, items? } naming the columns of times and per-request lengths.',
        ),
      closed: later(() =>
        z.strictObject({
          clients: count(1).describe('Concurrent users.'),
          think: z
            .union([duration(), distribution()])
            .prefault('0s')
            .describe(
              'Wait between the end of a request (completed, rejected or lost) and the next: a duration, or { exponential | deterministic | lognormal (with cv) } mean. Default 0s.',
            ),
          backoff: duration(true)
            .prefault('1s')
            .describe(
              'Added to the think time after a rejected or lost request (> 0: no retry in zero time). Default 1s.',
            ),
        }),
      )
        .optional()
        .describe('Closed loop: each client sends its next request a think time after its previous one ended.'),
      offline: count(1).optional().describe('Offline: this many requests, all there at t = 0.'),
      bursts: later(() =>
        z
          .array(
            z.strictObject({
              start: duration().describe('When the burst starts, from the start of the run.'),
              duration: duration(true),
              multiplier: positive(1e6).describe('Factor on the arrival rate during the burst.'),
            }),
          )
          .max(1000),
      )
        .optional()
        .describe('Periods in which the rate is multiplied (not with trace arrivals).'),
    })
    .describe('Exactly one of poisson, constant, profile, trace (open loop), closed, offline.'),
  request: later(() =>
    z.strictObject({
      input_tokens: later(() => lengthSchema(0))
        .optional()
        .describe(
          'LLM prompt tokens (required, >= 1, for LLM services unless the trace gives them): a number or a distribution.',
        ),
      output_tokens: later(() => lengthSchema(0))
        .optional()
        .describe(
          'LLM generated tokens (required, >= 1, for LLM services unless the trace gives them): a number or a distribution.',
        ),
      items: later(() => lengthSchema(1))
        .optional()
        .describe('Items per request for non-LLM models: a number or a distribution. Default 1.'),
      upload: bytes().prefault('0B').describe('Bytes sent by the user with each request.'),
      download: bytes().prefault('0B').describe('Bytes returned to the user.'),
    }),
  ).prefault({}),
  service_time: later(() =>
    z.strictObject({
      exponential: duration(true).optional(),
      deterministic: duration(true).optional(),
      lognormal: duration(true).optional().describe('Mean of a lognormal service time; give cv too.'),
      cv: positive(100).optional().describe('Coefficient of variation of the lognormal.'),
    }),
  )
    .optional()
    .describe(
      'Service time given directly instead of a model: exactly one of exponential, deterministic, lognormal (mean).',
    ),
  slo: later(() =>
    z.strictObject({
      latency: duration(true).optional().describe('End-to-end latency target.'),
      ttft: duration(true).optional().describe('Time-to-first-token target (LLM services only).'),
      tpot: duration(true)
        .optional()
        .describe(
          'Time-per-output-token target: (last token − first token) / (output tokens − 1) (LLM services only).',
        ),
      percentile: z
        .number()
        .gt(0)
        .lt(100)
        .optional()
        .describe(
          'Also judge each target on this percentile of measured requests (e.g. 99: MLPerf server rule). Default: per request only.',
        ),
    }),
  ).optional(),
  deferrable: later(() =>
    z.strictObject({ window: duration(true).describe('Longest a request may be held before it is placed.') }),
  )
    .optional()
    .describe(
      'Batch inference: requests may wait before being placed (the carbon-aware policy holds them for low-carbon hours).',
    ),
  retries: count(0, 100)
    .prefault(1)
    .describe('Placements again for a request whose replica failed under it, before it counts as lost. Default 1.'),
  scheduler: later(() =>
    z.strictObject({
      max_num_seqs: count(1, 65536)
        .optional()
        .describe('Most sequences running at once on a replica. Default 256 (vLLM 0.8).'),
      max_num_batched_tokens: count(1, 16777216)
        .optional()
        .describe('Most tokens (prefill chunks + decode tokens) in one model step. Default 2048 (vLLM 0.8 server).'),
      chunked_prefill: z
        .boolean()
        .optional()
        .describe(
          'Split prompts into chunks mixed with decode tokens in one step. Default true (vLLM 0.8, V1 engine).',
        ),
      block_size: count(1, 65536).optional().describe('Tokens per KV-cache block. Default 16 (vLLM).'),
    }),
  )
    .optional()
    .describe(
      'LLM services: the continuous-batching (iteration-level) scheduler of their replicas. Defaults are vLLM 0.8 (V1) server defaults.',
    ),
  batching: later(() =>
    z.strictObject({
      max_batch: count(1, 4096).default(1),
      max_wait: duration().prefault('0ms').describe('Longest a request waits for a batch to fill.'),
    }),
  ).optional(),
});

/** A tolerance of `placesim check`: "2%" (relative to the baseline) or a number >= 0 (absolute; 0 = exact). */
const checkTolerance = z
  .union([z.string(), z.number()], {
    error: (iss) =>
      iss.input === undefined ? undefined : `expected a tolerance like "2%" or 0.01, got ${JSON.stringify(iss.input)}`,
  })
  .transform((v, ctx) => {
    try {
      return parseTolerance(v);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      ctx.issues.push({ code: 'custom', message: err.detail, input: v });
      return z.NEVER;
    }
  })
  .describe('"<n>%" for a bound relative to the baseline value, or a number >= 0 for an absolute bound (0: exact).');

export const CheckSchema = later(() =>
  z
    .strictObject({
      tolerances: z
        .record(z.string().min(1), checkTolerance)
        .describe(
          'Metric name pattern ("*" matches any characters, e.g. "*/latency_ms/p99") → tolerance. The longest pattern matching a metric wins.',
        ),
    })
    .describe('Settings of the regression check `placesim check` (docs/ci.md).'),
);

export const ApiSchema = later(() =>
  z
    .strictObject({
      region: name().describe("Region of the provider's endpoint."),
      models: z.array(name()).min(1).max(10_000).describe('Models (declared under models) this API can serve.'),
      price: z
        .strictObject({
          usd_per_1m_input_tokens: nonNegative(USD_MAX).optional(),
          usd_per_1m_output_tokens: nonNegative(USD_MAX).optional(),
          usd_per_request: nonNegative(USD_MAX).optional(),
        })
        .describe('Per-token prices (LLMs) and/or a price per request.'),
      latency: distribution().describe('Provider-side time for a whole response, network excluded.'),
      ttft: distribution().optional().describe('Provider-side time to first token (LLMs). Default: the whole latency.'),
      energy_wh_per_request: nonNegative(1e9)
        .optional()
        .describe('Energy per request at the provider, Wh. Default: unknown (0, not counted).'),
      max_concurrency: count(1, 1e9)
        .optional()
        .describe('Requests in progress at once (rate limit). Default: no limit.'),
    })
    .describe('A managed AI API competing with self-hosted pools.'),
);

export const TrainingSchema = later(() =>
  z
    .strictObject({
      model: name().optional().describe('An LLM declared under models (its params); give tokens too. Or give flops.'),
      tokens: positive(1e17).optional().describe('Training tokens (with model): FLOPs = 6 × params × tokens.'),
      flops: positive(1e32).optional().describe('Total model FLOPs, instead of model + tokens.'),
      pool: z.string().min(1).optional().describe('The pool ("site/pool") it runs on.'),
      pools: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe('Pools it may run on (the carbon-aware policy picks among them; others use the first).'),
      devices: count(1, 1e8).optional().describe("Devices it holds. Default: all of the pool's devices."),
      dtype: dtype().default('bf16').describe('Arithmetic format. Default bf16.'),
      mfu: z
        .number()
        .gt(0)
        .max(1)
        .optional()
        .describe(
          'Model FLOPs utilisation. Default: per device generation and model size, fitted on published runs (docs/training.md, docs/calibration.md).',
        ),
      scaling_per_doubling: z
        .number()
        .gt(0)
        .max(1)
        .optional()
        .describe('Efficiency kept per doubling of devices beyond 8. Default 0.97 (an estimate).'),
      dataset: z
        .strictObject({
          region: name().describe('Region where the data lives.'),
          size: bytes().describe('Dataset size, e.g. "2TB".'),
          bandwidth: bandwidth().prefault('10Gbps').describe('Transfer rate between regions. Default 10Gbps.'),
        })
        .optional(),
      checkpoint: z
        .strictObject({
          every: duration(true, { min: '1s' }).describe('Time between checkpoints while running.'),
          size: bytes().describe('Checkpoint size.'),
          write: byteRate()
            .prefault('5GB/s')
            .describe('Write rate; training pauses size/write per checkpoint. Default 5GB/s (an estimate).'),
        })
        .optional()
        .describe('Without checkpoints an interruption loses all progress.'),
      start: duration().prefault('0s').describe('Earliest start.'),
      deadline: duration(true)
        .optional()
        .describe('Finish by then; makes the job deferrable for the carbon-aware policy.'),
      restart: duration()
        .prefault('10m')
        .describe('Wait after an interruption or a yield before resuming. Default 10m.'),
    })
    .describe('A training job.'),
);

// ------------------------------------------------------------------------------------------------ fleets
// A fleet is expanded into ordinary sites, users and outages by fleet.ts before resolve.ts sees the file.

/** A per-instance duration: one for all, a list (cycled over the instances), or drawn uniformly. */
const perInstanceDuration = () =>
  z.union([
    duration(),
    z.array(duration()).min(1),
    z
      .strictObject({ uniform: z.tuple([duration(), duration()]).describe('[low, high], drawn per instance.') })
      .describe("Drawn per instance from the fleet's own seeded stream."),
  ]);

export const FleetSchema = later(() =>
  z
    .strictObject({
      count: count(1).max(1_000_000).describe('Number of instances.'),
      name: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Instance names: a pattern where {n} is the 1-based instance number, zero-padded to at least 4 digits. Default "<fleet>-{n}" (store-0001, …).',
        ),
      regions: z
        .union([
          z
            .array(name())
            .min(1)
            .describe('Regions taken in turn (round-robin); a list of count names gives each its own.'),
          z
            .strictObject({ weights: z.record(z.string(), positive()) })
            .describe('Regions in proportion to the weights, spread evenly (smooth weighted round-robin).'),
        ])
        .describe('Region of each instance.'),
      site: SiteSchema.omit({ region: true, serves: true }).describe('The site every instance gets (its own copy).'),
      users: z
        .record(
          z.string(),
          UserSchema.omit({ region: true }).extend({
            access_rtt: UserSchema.shape.access_rtt.optional(),
            weight: positive()
              .default(1)
              .describe(
                "Relative share of a service's requests per instance (times the instance's demand). Default 1.",
              ),
          }),
        )
        .default({})
        .describe('User groups attached to each instance ("<instance>/<group>"), in the instance\'s region.'),
      demand: z
        .union([
          z.array(positive()).min(1).describe('Multipliers per instance (cycled).'),
          z.strictObject({ lognormal: positive().describe('Mean.'), cv: positive() }),
          z.strictObject({ uniform: z.tuple([positive(), positive()]) }),
        ])
        .optional()
        .describe("Per-instance demand multiplier on its users' share of requests. Default 1 each."),
      access_rtt: z
        .strictObject({ edge: perInstanceDuration().optional(), cloud: perInstanceDuration().optional() })
        .optional()
        .describe("Per-instance last-mile RTTs, replacing the users' access_rtt."),
      shared: z
        .boolean()
        .default(false)
        .describe("true: every user group may use an instance's site; default false: only the instance's own users."),
      outages: z
        .array(
          z.strictObject({
            what: z.enum(['site', 'uplink']).describe('site: every unit is down; uplink: the site is cut off.'),
            instances: z
              .array(z.union([count(1), name()]))
              .min(1)
              .optional()
              .describe('Instance numbers (1-based) or names. Default: every instance.'),
            start: duration(),
            duration: duration(true),
          }),
        )
        .optional()
        .describe('Scheduled outages of instances.'),
      overrides: z
        .record(
          z.string(),
          z.strictObject({
            region: name().optional(),
            demand: positive().optional(),
            site: z
              .strictObject({
                pools: z.record(
                  z.string(),
                  z.strictObject({ count: count(1).optional(), replicas: count(1).optional() }),
                ),
              })
              .optional(),
          }),
        )
        .optional()
        .describe('Per-instance changes, keyed by instance name: region, demand, pool count/replicas.'),
    })
    .describe('A site and its users declared once and instantiated count times.'),
);

export type FleetEntry = z.output<typeof FleetSchema>;

export const ScenarioFileSchema = z
  .strictObject({
    name: name(),
    description: z.string().default(''),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1).describe('Seed of every random stream.'),
    duration: duration(true, { min: '1ms', max: '10y' }).describe('Simulated time, e.g. "2h".'),
    warmup: duration().prefault('0s').describe('Initial period excluded from the statistics; < duration.'),
    regions: named(RegionSchema, 1000),
    network: NetworkSchema.prefault({}),
    catalog: later(() =>
      z.strictObject({
        devices: named(DeviceEntrySchema, 10_000).optional(),
        instances: named(InstanceEntrySchema, 10_000).optional(),
      }),
    )
      .optional()
      .describe('Additions to and replacements of the default hardware catalog.'),
    sites: named(SiteSchema, 10_000),
    users: named(UserSchema, 10_000).default({}).describe('User groups (required when there are services).'),
    models: named(ModelSchema, 10_000).default({}),
    services: named(ServiceSchema, 10_000)
      .default({})
      .describe('Inference services (a scenario needs services, training jobs, or both).'),
    training: named(TrainingSchema, 10_000).optional().describe('Training jobs.'),
    apis: named(ApiSchema, 10_000)
      .optional()
      .describe('Managed AI APIs (AI as a service) that compete with self-hosting.'),
    outages: later(() =>
      z
        .array(
          z.strictObject({
            site: name().optional().describe('A site: every unit there is down.'),
            region: name().optional().describe('A region: every site in it is down.'),
            uplink: name()
              .optional()
              .describe("A site's uplink: the site is cut off (see sites.<name>.uplink.buffer)."),
            link: z
              .string()
              .min(1)
              .optional()
              .describe('The network between two regions, "a <-> b": no new request crosses it.'),
            start: duration(),
            duration: duration(true),
          }),
        )
        .max(10_000),
    )
      .optional()
      .describe('Scheduled outages; give exactly one of site, region, uplink, link in each.'),
    policies: z
      .array(
        z.union([
          z.string().min(1),
          z
            .strictObject({
              name: name().describe('Column name for this variant, e.g. "oregon-only".'),
              policy: z.string().min(1).describe('The policy it runs (a built-in name).'),
              pools: z
                .array(z.string().min(1))
                .min(1)
                .describe('The only pools ("site/pool") it may use and provision.'),
            })
            .describe('A policy restricted to some pools: compares deployments, not just routing.'),
        ]),
      )
      .min(1)
      .max(100)
      .optional()
      .describe(
        'Placement policies to compare: names, or { name, policy, pools } variants. Default: all built-in policies.',
      ),
    check: CheckSchema.optional().describe('Tolerances of the regression check (docs/ci.md).'),
    fleets: z
      .record(z.string(), FleetSchema)
      .optional()
      .describe('Sites declared once and instantiated N times, each with its own users (docs/scenario-format.md).'),
  })
  .describe('A placesim scenario.');

export type ScenarioFile = z.output<typeof ScenarioFileSchema>;
export type PoolEntry = z.output<typeof PoolSchema>;
export type DeviceEntry = z.output<typeof DeviceEntrySchema>;
export type InstanceEntry = z.output<typeof InstanceEntrySchema>;
export type ServiceEntry = z.output<typeof ServiceSchema>;

/** JSON Schema (draft 2020-12) of a scenario file; unit fields appear as strings with a pattern. */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(ScenarioFileSchema, {
    target: 'draft-2020-12',
    io: 'input',
    override: (ctx) => {
      const meta = unitRegistry.get(ctx.zodSchema);
      if (meta === undefined) return;
      const t = UNIT_TABLES[meta.unit];
      const js = ctx.jsonSchema as Record<string, unknown>;
      const described = typeof js.description === 'string' ? `${js.description} ` : '';
      for (const k of Object.keys(js)) delete js[k];
      const zeroAllowed = t.zeroWithoutUnit && !meta.positive;
      const pattern = { type: 'string', pattern: unitPattern(meta.unit, zeroAllowed) };
      const lower = meta.min !== undefined ? `${meta.min}` : meta.positive || t.positive ? '> 0' : '0';
      js.description = `${described}A ${t.noun}${meta.positive || t.positive ? ' > 0' : ''}, e.g. "${t.example}"; from ${lower} to ${meta.max}. Units: ${unitList(meta.unit)}.`;
      js['x-minimum'] = meta.min ?? (meta.positive || t.positive ? '> 0' : '0');
      js['x-maximum'] = meta.max;
      // Where a plain 0 is allowed, the field is "a patterned string, or the number 0".
      if (zeroAllowed) js.anyOf = [pattern, { const: 0 }];
      else Object.assign(js, pattern);
    },
  });
}

/** Field names an object in the schema accepts at a path of the parsed data (for "did you mean"). */
export function fieldsAt(path: readonly (string | number)[]): string[] {
  let s: z.ZodType | undefined = ScenarioFileSchema;
  for (let i = 0; i <= path.length && s !== undefined; i++) {
    s = unwrap(s);
    if (i === path.length) break;
    const seg = path[i];
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodUnion) {
      // users: string | list — follow the option that has structure at this step.
      s = (s.options as z.ZodType[]).map(unwrap).find((o) => o instanceof z.ZodArray || o instanceof z.ZodObject);
      if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    } else s = undefined;
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    if (
      s instanceof z.ZodLazy ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodNullable
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}
