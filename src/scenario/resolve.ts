/**
 * From a schema-checked scenario file to a resolved `Scenario`: names become indices, catalog ids become
 * devices and prices, defaults are filled in, and every rule that spans fields is checked. Each failure is
 * an InputError at the field responsible, with "did you mean" over the names that exist.
 */
import {
  DTYPE_BYTES,
  LENGTH_FIELDS,
  type AiModel,
  type LengthDist,
  type LengthField,
  type ArrivalSpec,
  type Catalog,
  type Device,
  type InstancePrice,
  type InstanceType,
  type LlmSchedulerSpec,
  type ManagedApi,
  type TrainingJob,
  type Outage,
  type Pool,
  type Region,
  type Scenario,
  type Service,
  type ServiceTimeSpec,
  type Site,
  type UserGroup,
} from '../model/types.js';
import { InputError, formatMessage, hint, type PathSegment } from './errors.js';
import { excerpt, readReferencedFile, type FileAccess } from './files.js';
import { RESERVED_KEYS } from './guard.js';
import { DEFAULT_SCALING_PER_DOUBLING } from '../hardware/training.js';
import {
  cellColumn,
  headerIndex,
  lengthCell,
  meanOf,
  readCsvText,
  relativeTo,
  resolveLength,
  type ColumnRequest,
} from './distributions.js';
import { LLM_SCHEDULER_DEFAULTS, llmComputeDtype } from '../hardware/llm-step.js';
import type { DeviceEntry, InstanceEntry, PoolEntry, ScenarioFile, ServiceEntry } from './schema.js';

type Path = readonly PathSegment[];

export interface NetworkDefaultsInput {
  egress_usd_per_gb: number;
  inter_region_usd_per_gb: number;
  energy_kwh_per_gb: number;
  lan_energy_kwh_per_gb: number;
  intra_region_rtt_ms: number;
}

export interface ResolveContext {
  file?: string;
  /** Line:col of a path in the source, or of its nearest ancestor that exists. */
  locate: (path: Path) => { line: number; col: number } | undefined;
  catalog: Catalog;
  network: NetworkDefaultsInput;
  rttMs: readonly { a: string; b: string; rtt_ms: number }[];
  knownPolicies: readonly string[];
  defaultPolicies: readonly string[];
  seed?: number;
  policies?: readonly string[];
  /** Which referenced files (traces, grid CSVs) may be read, and how big (scenario/files.ts). */
  files?: FileAccess;
  /** Maps a path of the file resolved to the field the user wrote (fleets: see fleet.ts). Default: itself. */
  alias?: (path: Path) => PathSegment[];
}

/**
 * KV-cache bytes per token per parameter, from Llama-3-8B: 32 layers × 8 KV heads × 128 dims × 2 (K, V)
 * × 2 bytes (fp16) = 131,072 B/token for 8.03e9 parameters. Models with other attention layouts (no GQA,
 * MLA, sliding windows) differ by several times; give kv_bytes_per_token when it is known.
 */
export const KV_BYTES_PER_TOKEN_PER_PARAM = 131_072 / 8.03e9;

export const DEFAULT_PEAK_HOUR = 14;

class Resolver {
  readonly warnings: string[] = [];
  constructor(private readonly ctx: ResolveContext) {}

  where(path: Path) {
    const written = this.ctx.alias ? this.ctx.alias(path) : path;
    return { file: this.ctx.file, path: written, ...this.ctx.locate(written) };
  }

  fail(path: Path, message: string): never {
    throw new InputError(message, this.where(path));
  }

  warn(path: Path, message: string): void {
    this.warnings.push(formatMessage(message, this.where(path)));
  }

  /** Index of a declared name, or an error naming what exists. */
  ref(kind: string, name: string, table: ReadonlyMap<string, number> | readonly string[], path: Path): number {
    const map = !Array.isArray(table);
    const i = map
      ? ((table as ReadonlyMap<string, number>).get(name) ?? -1)
      : (table as readonly string[]).indexOf(name);
    if (i >= 0) return i;
    // The list of names only for the message: building it on every lookup made 10,000 names quadratic.
    const names = map ? [...(table as ReadonlyMap<string, number>).keys()] : (table as readonly string[]);
    this.fail(path, unknownMessage(kind, name, names));
  }
}

/** The edge site a user group's LAN belongs to. */
function lanSite(r: Resolver, sites: readonly Site[], name: string, path: Path): number {
  const i = r.ref(
    'site',
    name,
    sites.map((s) => s.name),
    path,
  );
  if (sites[i].kind !== 'edge')
    r.fail(
      path,
      `"${name}" is a ${sites[i].kind} site: a user group can sit on the local network of an edge site only`,
    );
  return i;
}

function unknownMessage(kind: string, name: string, names: readonly string[]): string {
  const h = hint(name, names);
  if (h !== '') return `unknown ${kind} "${name}"${h}`;
  return names.length === 0
    ? `unknown ${kind} "${name}": none is declared`
    : `unknown ${kind} "${name}"; known: ${names.join(', ')}`;
}

function indexOf(names: readonly string[]): Map<string, number> {
  return new Map(names.map((n, i) => [n, i]));
}

function fmtSeconds(s: number): string {
  return `${Number(s.toPrecision(6))} s`;
}

export function resolveScenario(f: ScenarioFile, ctx: ResolveContext): Scenario {
  const r: Resolver = new Resolver(ctx);

  if (f.warmup >= f.duration) {
    r.fail(['warmup'], `${fmtSeconds(f.warmup)} must be shorter than duration (${fmtSeconds(f.duration)})`);
  }

  const catalog = mergeCatalog(r, ctx.catalog, f.catalog);

  // Regions
  const regionNames = Object.keys(f.regions);
  if (regionNames.length === 0) r.fail(['regions'], 'declare at least one region');
  const regionIndex = indexOf(regionNames);
  const catalogRegionIds = Object.keys(catalog.regions);
  const regionCatalogId: (string | undefined)[] = [];
  const regions: Region[] = regionNames.map((name, index) => {
    const spec = f.regions[name];
    let catId: string | undefined;
    if (spec.catalog !== undefined) {
      catId = spec.catalog;
      if (!(catId in catalog.regions))
        r.fail(['regions', name, 'catalog'], unknownMessage('catalog region', catId, catalogRegionIds));
    } else if (name in catalog.regions) catId = name;
    regionCatalogId.push(catId);
    const defaults = catId === undefined ? undefined : catalog.regions[catId];
    const need = (field: 'grid_gco2_per_kwh' | 'pue'): number => {
      const given = spec[field];
      const v = typeof given === 'number' ? given : given !== undefined ? 0 : defaults?.[field];
      if (v === undefined) {
        r.fail(
          ['regions', name],
          `missing required field "${field}": "${name}" is not a catalog region (give catalog: <id> to use one of ${catalogRegionIds.join(', ')})`,
        );
      }
      return v;
    };
    const grid = spec.grid_gco2_per_kwh;
    let hourly: Float64Array | null = null;
    if (Array.isArray(grid)) hourly = Float64Array.from(grid);
    else if (grid !== undefined && typeof grid === 'object') {
      hourly = readHourly(r, grid.csv, ['regions', name, 'grid_gco2_per_kwh', 'csv'], ctx);
    }
    const mean = hourly ? hourly.reduce((a, b) => a + b, 0) / hourly.length : need('grid_gco2_per_kwh');
    return { index, name, grid_gco2_per_kwh: mean, grid_hourly: hourly, pue: need('pue') };
  });

  // Sites and pools
  const siteNames = Object.keys(f.sites);
  if (siteNames.length === 0) r.fail(['sites'], 'declare at least one site');
  const sites: Site[] = [];
  const pools: Pool[] = [];
  for (const [index, name] of siteNames.entries()) {
    const spec = f.sites[name];
    const region = r.ref('region', spec.region, regionIndex, ['sites', name, 'region']);
    const up = spec.uplink;
    if (up !== undefined && (up.mtbf === undefined) !== (up.mttr === undefined)) {
      r.fail(['sites', name, 'uplink'], 'give both mtbf and mttr for random uplink outages (or neither)');
    }
    sites.push({
      index,
      name,
      kind: spec.kind,
      region,
      uplink: { mtbf_s: up?.mtbf ?? null, mttr_s: up?.mttr ?? null, buffer_bytes: up?.buffer ?? 0 },
      backhaul_bps: { in: spec.backhaul?.in ?? Infinity, out: spec.backhaul?.out ?? Infinity },
      serves: null,
    });
    const poolNames = Object.keys(spec.pools);
    if (poolNames.length === 0) r.fail(['sites', name, 'pools'], 'a site needs at least one pool');
    for (const poolName of poolNames) {
      pools.push(
        resolvePool(r, catalog, spec.pools[poolName], ['sites', name, 'pools', poolName], {
          index: pools.length,
          name: `${name}/${poolName}`,
          site: index,
          kind: spec.kind,
          region: regions[region],
          regionCatalogId: regionCatalogId[region],
        }),
      );
    }
  }

  // Users
  const userNames = Object.keys(f.users);
  if (userNames.length === 0 && Object.keys(f.services).length > 0)
    r.fail(['users'], 'declare at least one user group (services need users)');
  const users: UserGroup[] = userNames.map((name, index) => {
    const u = f.users[name];
    return {
      index,
      name,
      region: r.ref('region', u.region, regionIndex, ['users', name, 'region']),
      access_rtt_edge_s: u.access_rtt.edge,
      access_rtt_cloud_s: u.access_rtt.cloud,
      uplink_bps: typeof u.uplink === 'number' ? { edge: u.uplink, cloud: u.uplink } : u.uplink,
      downlink_bps: typeof u.downlink === 'number' ? { edge: u.downlink, cloud: u.downlink } : u.downlink,
      shared_uplink_bps:
        u.shared_uplink === undefined
          ? { edge: Infinity, cloud: Infinity }
          : typeof u.shared_uplink === 'number'
            ? { edge: u.shared_uplink, cloud: u.shared_uplink }
            : { edge: u.shared_uplink.edge ?? Infinity, cloud: u.shared_uplink.cloud ?? Infinity },
      lan_site: u.lan === undefined ? -1 : lanSite(r, sites, u.lan, ['users', name, 'lan']),
    };
  });

  resolveServes(r, f, sites, indexOf(userNames));

  // Models
  const modelNames = Object.keys(f.models);
  const models: AiModel[] = modelNames.map((name, index): AiModel => {
    const m = f.models[name];
    const path = ['models', name];
    if (m.params !== undefined && m.flops_per_item !== undefined) {
      r.fail(path, 'give either params (an LLM) or flops_per_item (another model), not both');
    }
    if (m.quantisation !== undefined && (m.params === undefined || (m.dtype !== 'int4' && m.dtype !== 'int8')))
      r.fail(
        [...path, 'quantisation'],
        `quantisation applies to LLMs in int4 or int8 (this one is ${m.params === undefined ? 'not an LLM' : m.dtype})`,
      );
    if (m.params !== undefined) {
      if (m.activation_bytes_per_item !== undefined)
        r.fail([...path, 'activation_bytes_per_item'], 'applies to non-LLM models (flops_per_item) only');
      return {
        index,
        name,
        kind: 'llm',
        params: m.params,
        dtype: m.dtype,
        compute_dtype: m.quantisation === 'full' ? m.dtype : llmComputeDtype(m.dtype),
        weight_bytes: m.weights ?? m.params * DTYPE_BYTES[m.dtype],
        kv_bytes_per_token: m.kv_bytes_per_token ?? m.params * KV_BYTES_PER_TOKEN_PER_PARAM,
      };
    }
    if (m.flops_per_item !== undefined) {
      if (m.kv_bytes_per_token !== undefined) r.fail([...path, 'kv_bytes_per_token'], 'applies to LLMs (params) only');
      if (m.weights === undefined) r.fail(path, 'missing required field "weights" (the weight size, e.g. "102MB")');
      return {
        index,
        name,
        kind: 'items',
        flops_per_item: m.flops_per_item,
        dtype: m.dtype,
        weight_bytes: m.weights,
        activation_bytes_per_item: m.activation_bytes_per_item ?? 0,
      };
    }
    return r.fail(path, 'give params (an LLM) or flops_per_item and weights (another model)');
  });

  // Services
  const serviceNames = Object.keys(f.services);
  if (serviceNames.length === 0 && Object.keys(f.training ?? {}).length === 0)
    r.fail(['services'], 'declare at least one service or training job');
  // Built once: one per service made 10,000 services × 10,000 users quadratic.
  const modelIndex = indexOf(modelNames);
  const userIndex = indexOf(userNames);
  const services: Service[] = serviceNames.map((name, index) =>
    resolveService(r, f.services[name], ['services', name], {
      index,
      name,
      models,
      modelIndex,
      userIndex,
      regionIndex,
      file: ctx.file,
      files: ctx.files,
      duration_s: f.duration,
      warmup_s: f.warmup,
    }),
  );

  // Network: regions that hold a site or a user must all be reachable from one another.
  const used = new Set<number>([...sites.map((s) => s.region), ...users.map((u) => u.region)]);
  // A managed API's endpoint is reached from the users' regions too.
  for (const a of Object.values(f.apis ?? {})) {
    const i = regionIndex.get(a.region);
    if (i !== undefined) used.add(i);
  }
  const network = resolveNetwork(r, f, ctx, regionNames, regionCatalogId, used);

  // Policies: from the options (command-line flags, so no file position) or the file.
  // A --policy flag may name the file's variants as well as known policies.
  const fromOptions = ctx.policies !== undefined;
  const policy_variants: Record<string, { policy: string; pools: string[] }> = Object.create(null) as Record<
    string,
    { policy: string; pools: string[] }
  >;
  const poolNames = pools.map((p) => p.name);
  (f.policies ?? []).forEach((entry, i) => {
    if (typeof entry === 'string') return;
    if (!ctx.knownPolicies.includes(entry.policy)) {
      r.fail(['policies', i, 'policy'], unknownMessage('policy', entry.policy, ctx.knownPolicies));
    }
    if (RESERVED_KEYS.has(entry.name))
      r.fail(['policies', i, 'name'], `"${entry.name}" cannot be used as a name (it is reserved in JavaScript)`);
    if (ctx.knownPolicies.includes(entry.name)) {
      r.fail(['policies', i, 'name'], `"${entry.name}" is a built-in policy's name; give the variant its own name`);
    }
    // A variant may name pools ("site/pool") and managed APIs.
    const usable = [...poolNames, ...Object.keys(f.apis ?? {})];
    entry.pools.forEach((p, j) => {
      if (!usable.includes(p)) r.fail(['policies', i, 'pools', j], unknownMessage('pool or API', p, usable));
    });
    policy_variants[entry.name] = { policy: entry.policy, pools: [...entry.pools] };
  });
  const fileNames = f.policies?.map((e) => (typeof e === 'string' ? e : e.name));
  const policies = [...(ctx.policies ?? fileNames ?? ctx.defaultPolicies)];
  const policyError = (i: number, message: string): never => {
    if (fromOptions) throw new InputError(message);
    return r.fail(['policies', i], message);
  };
  if (policies.length === 0) throw new InputError('no policies to run');
  const accepted = [...ctx.knownPolicies, ...Object.keys(policy_variants)];
  for (const [i, p] of policies.entries()) {
    if (!accepted.includes(p)) policyError(i, unknownMessage('policy', p, accepted));
    if (policies.indexOf(p) !== i) policyError(i, `policy "${p}" is listed twice`);
  }

  const poolNameSet = new Set(pools.map((p) => p.name));
  const apis: ManagedApi[] = Object.entries(f.apis ?? {}).map(([name, a], index) => {
    const ap = ['apis', name];
    if (poolNameSet.has(name)) r.fail(ap, `API name "${name}" is also a pool name`);
    const distributionOf = (d: NonNullable<typeof a.ttft>, dp: Path): ServiceTimeSpec => {
      const given = (['exponential', 'deterministic', 'lognormal'] as const).filter((k) => d[k] !== undefined);
      if (given.length !== 1) r.fail(dp, 'give exactly one of exponential, deterministic, lognormal');
      const kind = given[0];
      if (kind === 'lognormal') {
        if (d.cv === undefined) r.fail(dp, 'missing required field "cv" (coefficient of variation of the lognormal)');
        return { kind, mean_s: d.lognormal!, cv: d.cv };
      }
      if (d.cv !== undefined) r.fail([...dp, 'cv'], 'cv applies to lognormal only');
      return { kind, mean_s: d[kind]! };
    };
    const modelIdx = a.models.map((m, i) => r.ref('model', m, indexOf(modelNames), [...ap, 'models', i]));
    const price = a.price;
    if (
      price.usd_per_1m_input_tokens === undefined &&
      price.usd_per_1m_output_tokens === undefined &&
      price.usd_per_request === undefined
    ) {
      r.fail([...ap, 'price'], 'give usd_per_1m_input_tokens / usd_per_1m_output_tokens, or usd_per_request');
    }
    const tokenPriced = price.usd_per_1m_input_tokens !== undefined || price.usd_per_1m_output_tokens !== undefined;
    for (const [i, m] of modelIdx.entries()) {
      if (tokenPriced && models[m].kind !== 'llm')
        r.fail(
          [...ap, 'models', i],
          `per-token prices apply to LLMs; "${models[m].name}" is not one (use usd_per_request)`,
        );
    }
    if (a.ttft !== undefined && !modelIdx.every((m) => models[m].kind === 'llm'))
      r.fail([...ap, 'ttft'], 'ttft applies to LLM APIs only');
    if (a.energy_wh_per_request === undefined)
      r.warn(ap, 'no energy_wh_per_request: the energy and carbon of its requests are not counted');
    return {
      index,
      name,
      region: r.ref('region', a.region, regionIndex, [...ap, 'region']),
      models: modelIdx,
      usd_per_input_token: (price.usd_per_1m_input_tokens ?? 0) / 1e6,
      usd_per_output_token: (price.usd_per_1m_output_tokens ?? 0) / 1e6,
      usd_per_request: price.usd_per_request ?? 0,
      latency: distributionOf(a.latency, [...ap, 'latency']),
      ttft: a.ttft === undefined ? null : distributionOf(a.ttft, [...ap, 'ttft']),
      energy_kwh_per_request: (a.energy_wh_per_request ?? 0) / 1000,
      max_concurrency: a.max_concurrency ?? Infinity,
    };
  });

  const training: TrainingJob[] = Object.entries(f.training ?? {}).map(([name, j], index) => {
    const jp = ['training', name];
    let flops: number;
    let params: number | null = null;
    if (j.flops !== undefined) {
      if (j.model !== undefined || j.tokens !== undefined)
        r.fail(jp, 'give either flops, or model and tokens — not both');
      flops = j.flops;
    } else {
      if (j.model === undefined || j.tokens === undefined)
        r.fail(jp, 'missing required field: give model and tokens (FLOPs = 6 × params × tokens), or flops');
      const m = models[r.ref('model', j.model, indexOf(modelNames), [...jp, 'model'])];
      if (m.kind !== 'llm')
        r.fail([...jp, 'model'], `model "${m.name}" has no params (not an LLM): give flops instead`);
      flops = 6 * m.params * j.tokens;
      params = m.params;
    }
    if ((j.pool === undefined) === (j.pools === undefined))
      r.fail(jp, 'give pool (one) or pools (candidates), not both or neither');
    const poolList = j.pools ?? [j.pool!];
    const idx = poolList.map((pn, i) => r.ref('pool', pn, poolNames, j.pools ? [...jp, 'pools', i] : [...jp, 'pool']));
    let devices = j.devices;
    for (const [i, k] of idx.entries()) {
      const pool = pools[k];
      const total = pool.units * pool.devices_per_unit;
      const where = j.pools ? [...jp, 'pools', i] : [...jp, 'pool'];
      if (pool.autoscale) r.fail(where, `pool "${pool.name}" is autoscaled; a training job needs a fixed pool`);
      if (pool.use === 'inference')
        r.fail(where, `pool "${pool.name}" is for inference: set use: training (or both) on it`);
      if (devices !== undefined && devices > total)
        r.fail([...jp, 'devices'], `pool "${pool.name}" has only ${total} devices`);
      if (devices !== undefined && devices % pool.devices_per_unit !== 0) {
        r.fail(
          [...jp, 'devices'],
          `must be a multiple of ${pool.devices_per_unit} (devices per ${pool.instance} instance in "${pool.name}")`,
        );
      }
    }
    if (devices === undefined) devices = pools[idx[0]].units * pools[idx[0]].devices_per_unit;
    if (j.deadline !== undefined && j.deadline <= j.start)
      r.fail([...jp, 'deadline'], `must be after start (${fmtSeconds(j.start)})`);
    return {
      index,
      name,
      flops,
      params,
      pools: idx,
      devices,
      dtype: j.dtype,
      mfu: j.mfu ?? null,
      scaling_per_doubling: j.scaling_per_doubling ?? DEFAULT_SCALING_PER_DOUBLING,
      dataset: j.dataset
        ? {
            region: r.ref('region', j.dataset.region, regionIndex, [...jp, 'dataset', 'region']),
            bytes: j.dataset.size,
            bandwidth_bps: j.dataset.bandwidth,
          }
        : null,
      checkpoint: j.checkpoint
        ? { every_s: j.checkpoint.every, bytes: j.checkpoint.size, write_bytes_per_s: j.checkpoint.write }
        : null,
      start_s: j.start,
      deadline_s: j.deadline ?? null,
      restart_s: j.restart,
    };
  });

  const outages: Outage[] = (f.outages ?? []).map((o, i) => {
    const op = ['outages', i];
    const given = (['site', 'region', 'uplink', 'link'] as const).filter((k) => o[k] !== undefined);
    if (given.length !== 1)
      r.fail(
        op,
        `give exactly one of site, region, uplink, link${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
      );
    const kind = given[0];
    if (o.start >= f.duration)
      r.warn([...op, 'start'], `outage starts after the end of the run (${fmtSeconds(f.duration)})`);
    if (kind === 'link') {
      const ends = o.link!.split('<->').map((x) => x.trim());
      if (ends.length !== 2 || ends.some((x) => x === ''))
        r.fail([...op, 'link'], `expected "region <-> region", got ${JSON.stringify(o.link)}`);
      const a = r.ref('region', ends[0], regionIndex, [...op, 'link']);
      const b = r.ref('region', ends[1], regionIndex, [...op, 'link']);
      if (a === b) r.fail([...op, 'link'], 'a link joins two different regions');
      return { kind, target: a, other: b, start_s: o.start, duration_s: o.duration };
    }
    const target =
      kind === 'region'
        ? r.ref('region', o.region!, regionIndex, [...op, 'region'])
        : r.ref('site', o[kind]!, indexOf(siteNames), [...op, kind]);
    return { kind, target, other: -1, start_s: o.start, duration_s: o.duration };
  });

  const seed = ctx.seed ?? f.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError(`bad seed ${seed}: must be an integer >= 0`);

  return {
    name: f.name,
    description: f.description.trim(),
    ...(ctx.file !== undefined ? { file: ctx.file } : {}),
    seed,
    duration_s: f.duration,
    warmup_s: f.warmup,
    regions,
    network,
    sites,
    pools,
    users,
    models,
    services,
    apis,
    training,
    policies,
    policy_variants,
    outages,
    warnings: r.warnings,
    locate: (path) => ctx.locate(path),
    ...(f.check !== undefined ? { check: { tolerances: f.check.tolerances } } : {}),
  };
}

// ------------------------------------------------------------------------------------------------ catalog

const DEVICE_REQUIRED = [
  'class',
  'peak_tflops',
  'memory',
  'bandwidth',
  'power_max',
  'power_idle',
  'source',
  'as_of',
] as const;
const INSTANCE_REQUIRED = [
  'device',
  'devices',
  'prices',
  'host_power_idle',
  'host_power_max',
  'source',
  'as_of',
] as const;

/** A copy of a table keyed by user-given names without a prototype: `constructor`, `toString` are just names. */
function table<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, o);
}

function mergeCatalog(r: Resolver, base: Catalog, over: ScenarioFile['catalog']): Catalog {
  const clone = structuredClone(base);
  // Ids in a scenario are looked up in these tables (`device: constructor` must be an unknown device).
  const catalog: Catalog = {
    ...clone,
    devices: table(clone.devices),
    instances: table(
      Object.fromEntries(Object.entries(clone.instances).map(([k, v]) => [k, { ...v, prices: table(v.prices) }])),
    ),
    regions: table(clone.regions),
  };
  for (const [id, e] of Object.entries(over?.devices ?? {})) {
    catalog.devices[id] = mergeDevice(r, id, catalog.devices[id], e, ['catalog', 'devices', id]);
  }
  for (const [id, e] of Object.entries(over?.instances ?? {})) {
    catalog.instances[id] = mergeInstance(r, catalog, id, catalog.instances[id], e, ['catalog', 'instances', id]);
  }
  return catalog;
}

function requireFields(r: Resolver, kind: string, e: object, fields: readonly string[], path: Path): void {
  for (const f of fields) {
    if ((e as Record<string, unknown>)[f] === undefined) {
      r.fail(path, `missing required field "${f}" (a new catalog ${kind} must give ${fields.join(', ')})`);
    }
  }
}

function mergeDevice(r: Resolver, id: string, old: Device | undefined, e: DeviceEntry, path: Path): Device {
  if (old === undefined) requireFields(r, 'device', e, DEVICE_REQUIRED, path);
  const peak = { ...(old?.peak_flops ?? {}) };
  for (const [dt, tflops] of Object.entries(e.peak_tflops ?? {})) {
    if (tflops !== undefined) peak[dt as keyof typeof peak] = tflops * 1e12;
  }
  if (Object.keys(peak).length === 0)
    r.fail([...path, 'peak_tflops'], 'give the peak throughput for at least one dtype');
  const d: Device = {
    ...(old ?? ({} as Device)),
    id,
    name: e.name ?? old?.name ?? id,
    class: e.class ?? old!.class,
    peak_flops: peak,
    memory_bytes: e.memory ?? old!.memory_bytes,
    mem_bw_bytes_per_s: e.bandwidth ?? old!.mem_bw_bytes_per_s,
    power_max_w: e.power_max ?? old!.power_max_w,
    power_idle_w: e.power_idle ?? old!.power_idle_w,
    source: e.source ?? old!.source,
    as_of: e.as_of ?? old!.as_of,
  };
  if (e.estimated !== undefined) d.estimated = e.estimated;
  if (e.notes !== undefined) d.notes = e.notes;
  if (d.memory_bytes <= 0) r.fail([...path, 'memory'], 'must be > 0');
  if (d.power_idle_w > d.power_max_w)
    r.fail([...path, 'power_idle'], `idle power (${d.power_idle_w} W) exceeds power_max (${d.power_max_w} W)`);
  return d;
}

function mergeInstance(
  r: Resolver,
  catalog: Catalog,
  id: string,
  old: InstanceType | undefined,
  e: InstanceEntry,
  path: Path,
): InstanceType {
  if (old === undefined) requireFields(r, 'instance', e, INSTANCE_REQUIRED, path);
  const slash = id.indexOf('/');
  const prices: Record<string, InstancePrice> = table(structuredClone(old?.prices ?? {}));
  for (const [region, p] of Object.entries(e.prices ?? {})) {
    const merged = { ...(prices[region] ?? {}), ...stripUndefined(p) } as Partial<InstancePrice>;
    if (merged['on-demand'] === undefined) {
      r.fail([...path, 'prices', region], 'missing required field "on-demand" ($/hour)');
    }
    prices[region] = merged as InstancePrice;
  }
  const inst: InstanceType = {
    ...(old ?? ({} as InstanceType)),
    id,
    provider: e.provider ?? old?.provider ?? (slash > 0 ? id.slice(0, slash) : ''),
    name: e.name ?? old?.name ?? (slash > 0 ? id.slice(slash + 1) : id),
    device: e.device ?? old!.device,
    devices: e.devices ?? old!.devices,
    host_power_idle_w: e.host_power_idle ?? old!.host_power_idle_w,
    host_power_max_w: e.host_power_max ?? old!.host_power_max_w,
    prices,
    source: e.source ?? old!.source,
    as_of: e.as_of ?? old!.as_of,
  };
  if (e.estimated !== undefined) inst.estimated = e.estimated;
  if (e.notes !== undefined) inst.notes = e.notes;
  if (!(inst.device in catalog.devices)) {
    r.fail([...path, 'device'], unknownMessage('catalog device', inst.device, Object.keys(catalog.devices)));
  }
  if (inst.host_power_idle_w > inst.host_power_max_w) {
    r.fail(
      [...path, 'host_power_idle'],
      `idle power (${inst.host_power_idle_w} W) exceeds host_power_max (${inst.host_power_max_w} W)`,
    );
  }
  return inst;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ------------------------------------------------------------------------------------------------ pools

interface PoolPlace {
  index: number;
  name: string;
  site: number;
  kind: Site['kind'];
  region: Region;
  regionCatalogId: string | undefined;
}

function resolvePool(r: Resolver, catalog: Catalog, p: PoolEntry, path: Path, at: PoolPlace): Pool {
  if (p.instance !== undefined && p.device !== undefined)
    r.fail(path, 'give either instance (with replicas) or device (with count), not both');
  if (p.instance === undefined && p.device === undefined) {
    r.fail(
      path,
      'missing required field: give instance (a catalog instance id, with replicas) or device (a catalog device id, with count)',
    );
  }
  if (p.capex_usd !== undefined && p.capex_usd > 0 && p.lifetime === undefined) {
    r.fail(path, 'missing required field "lifetime" (the period capex_usd is amortised over, e.g. "3y")');
  }
  if (p.lifetime !== undefined && p.capex_usd === undefined)
    r.fail([...path, 'lifetime'], 'lifetime is only used with capex_usd');

  let device: Device;
  let devicesPerUnit: number;
  let units: number;
  let powerIdle: number;
  let powerMax: number;
  let usdPerHour = p.usd_per_hour;
  let pricing: Pool['pricing'];
  let instance: string | undefined;

  if (p.instance !== undefined) {
    if (p.count !== undefined) r.fail([...path, 'count'], 'count is for device pools; an instance pool gives replicas');
    if (p.replicas === undefined && p.autoscale === undefined) {
      r.fail(path, 'missing required field "replicas" (the number of instances; or autoscale: { min, max })');
    }
    const inst = catalog.instances[p.instance];
    if (inst === undefined) {
      r.fail([...path, 'instance'], unknownMessage('catalog instance', p.instance, Object.keys(catalog.instances)));
    }
    const dev = catalog.devices[inst.device];
    if (dev === undefined)
      r.fail([...path, 'instance'], `catalog instance "${inst.id}" names unknown device "${inst.device}"`);
    device = dev;
    instance = inst.id;
    devicesPerUnit = inst.devices;
    units = p.replicas ?? p.autoscale!.max;
    powerIdle = inst.devices * dev.power_idle_w + inst.host_power_idle_w;
    powerMax = inst.devices * dev.power_max_w + inst.host_power_max_w;
    pricing = p.pricing ?? 'on-demand';
    if (usdPerHour === undefined) {
      // Prices are keyed by catalog region id; a scenario region without one may key them by its own name.
      const key = [at.regionCatalogId, at.region.name].find((k) => k !== undefined && k in inst.prices);
      const prices = key === undefined ? undefined : inst.prices[key];
      const price = prices?.[pricing];
      if (price === undefined) {
        const regionDesc =
          at.regionCatalogId !== undefined && at.regionCatalogId !== at.region.name
            ? `region "${at.region.name}" (catalog "${at.regionCatalogId}")`
            : `region "${at.region.name}"`;
        const has = Object.entries(inst.prices)
          .map(([k, v]) => `${k}: ${Object.keys(v).join('/')}`)
          .join('; ');
        r.fail(
          [...path, p.pricing !== undefined ? 'pricing' : 'instance'],
          `no ${pricing} price for "${inst.id}" in ${regionDesc}${has === '' ? '' : ` (the catalog has ${has})`}; give usd_per_hour`,
        );
      }
      usdPerHour = price;
    }
  } else {
    if (p.replicas !== undefined)
      r.fail([...path, 'replicas'], 'replicas is for instance pools; a device pool gives count');
    if (p.pricing !== undefined)
      r.fail([...path, 'pricing'], 'pricing applies to instance pools; give a device pool usd_per_hour');
    if (p.count === undefined) r.fail(path, 'missing required field "count" (the number of devices)');
    const id = p.device!;
    const dev = catalog.devices[id];
    if (dev === undefined)
      r.fail([...path, 'device'], unknownMessage('catalog device', id, Object.keys(catalog.devices)));
    device = dev;
    devicesPerUnit = 1;
    units = p.count;
    powerIdle = dev.power_idle_w;
    powerMax = dev.power_max_w;
  }

  const capex = p.capex_usd ?? 0;
  if (at.kind === 'cloud' && usdPerHour === undefined && capex === 0) {
    r.warn(path, 'cloud pool has no price (no catalog price, usd_per_hour or capex_usd): its compute cost is 0');
  }
  if (at.kind === 'edge' && p.capex_usd === undefined && usdPerHour === undefined) {
    r.warn(path, 'edge pool has no capex_usd (nor usd_per_hour): its hardware cost is 0');
  }

  const pool: Pool = {
    index: at.index,
    name: at.name,
    site: at.site,
    device,
    devices_per_unit: devicesPerUnit,
    units,
    unit_power_idle_w: powerIdle,
    unit_power_max_w: powerMax,
    usd_per_unit_hour: usdPerHour ?? 0,
    capex_usd_per_unit: capex,
    lifetime_s: p.lifetime ?? 0,
    electricity_usd_per_kwh: p.electricity_usd_per_kwh ?? 0,
    upkeep_usd_per_unit_year: p.upkeep_usd_per_year ?? 0,
    max_queue: p.max_queue ?? Infinity,
    use: p.use,
    autoscale: null,
    failures: p.failures ? { mtbf_s: p.failures.mtbf, mttr_s: p.failures.mttr } : null,
    preemption: null,
  };
  if (p.autoscale !== undefined) {
    const a = p.autoscale;
    const ap = [...path, 'autoscale'];
    if (instance === undefined) r.fail(ap, 'autoscaling applies to instance pools (cloud instances), not device pools');
    if (at.kind !== 'cloud')
      r.fail(
        ap,
        `autoscaling applies to cloud sites; this pool is at a${at.kind === 'edge' ? 'n' : ''} ${at.kind} site`,
      );
    if (p.replicas !== undefined)
      r.fail([...path, 'replicas'], 'an autoscaled pool gives autoscale.min and autoscale.max instead of replicas');
    if (a.max < a.min) r.fail([...ap, 'max'], `must be >= min (${a.min})`);
    const initial = a.initial ?? a.min;
    if (initial < a.min || initial > a.max)
      r.fail([...ap, 'initial'], `must be between min (${a.min}) and max (${a.max})`);
    pool.autoscale = {
      min: a.min,
      max: a.max,
      initial,
      metric: a.metric,
      target_utilisation: a.target_utilisation,
      target_queue: a.target_queue,
      target_running: a.target_running ?? null,
      scale_in_after_s: a.scale_in_after,
      boot_s: a.boot_time,
      load_bytes_per_s: a.model_load,
      check_every_s: a.check_every,
    };
    pool.units = a.max;
  }
  if (p.preemption !== undefined) {
    if (pricing !== 'spot') r.fail([...path, 'preemption'], 'preemption applies to spot capacity: set pricing: spot');
    pool.preemption = { mean_s: p.preemption.mean_time, restart_s: p.preemption.restart };
  }
  if (instance !== undefined) pool.instance = instance;
  if (pricing !== undefined) pool.pricing = pricing;
  return pool;
}

// ------------------------------------------------------------------------------------------------ services

interface ServicePlace {
  index: number;
  name: string;
  models: AiModel[];
  modelIndex: ReadonlyMap<string, number>;
  userIndex: ReadonlyMap<string, number>;
  regionIndex: ReadonlyMap<string, number>;
  file: string | undefined;
  files: FileAccess | undefined;
  duration_s: number;
  warmup_s: number;
}

function resolveService(r: Resolver, s: ServiceEntry, path: Path, at: ServicePlace): Service {
  if (s.model !== undefined && s.service_time !== undefined)
    r.fail(path, 'give either model or service_time, not both');
  if (s.model === undefined && s.service_time === undefined) {
    r.fail(path, 'missing required field: give model (a declared model) or service_time (e.g. { exponential: 10ms })');
  }
  const model = s.model === undefined ? -1 : r.ref('model', s.model, at.modelIndex, [...path, 'model']);
  const isLlm = model >= 0 && at.models[model].kind === 'llm';

  // Users, with weights normalised to shares.
  let shares: { user: number; weight: number }[];
  if (typeof s.users === 'string')
    shares = [{ user: r.ref('user group', s.users, at.userIndex, [...path, 'users']), weight: 1 }];
  else {
    const seen = new Set<number>();
    shares = s.users.map((u, i) => {
      const user = r.ref('user group', u.user, at.userIndex, [...path, 'users', i, 'user']);
      if (seen.has(user)) r.fail([...path, 'users', i, 'user'], `user group "${u.user}" is listed twice`);
      seen.add(user);
      return { user, weight: u.weight };
    });
    const total = shares.reduce((a, u) => a + u.weight, 0);
    for (const u of shares) u.weight /= total;
  }

  const traceLengths: Partial<Record<LengthField, TraceLength>> = {};
  const arrivals = resolveArrivals(r, s.arrivals, [...path, 'arrivals'], at, traceLengths);
  const bursts = (s.arrivals.bursts ?? []).map((b, i) => {
    const bp = [...path, 'arrivals', 'bursts', i];
    if (arrivals.kind === 'trace')
      r.fail(bp, 'bursts do not apply to trace arrivals (the trace already has its times)');
    if (arrivals.kind === 'closed' || arrivals.kind === 'offline')
      r.fail(bp, `bursts do not apply to ${arrivals.kind} load (they multiply an open-loop arrival rate)`);
    if (b.start >= at.duration_s) r.warn(bp, `burst starts after the end of the run (${fmtSeconds(at.duration_s)})`);
    return { start_s: b.start, duration_s: b.duration, multiplier: b.multiplier };
  });
  let allowed: number[] | null = null;
  if (s.residency !== undefined) {
    allowed = s.residency.map((reg, i) => r.ref('region', reg, at.regionIndex, [...path, 'residency', i]));
  }

  // Request: fixed lengths, distributions, or columns of the trace.
  const req = s.request;
  const rp = [...path, 'request'];
  const lengthPlace = {
    scenarioFile: at.file,
    files: at.files,
    fail: (p: Path, m: string): never => r.fail(p, m),
  };
  const lengths: Record<LengthField, LengthDist | null> = { input_tokens: null, output_tokens: null, items: null };
  const values: Record<LengthField, number | undefined> = {
    input_tokens: undefined,
    output_tokens: undefined,
    items: undefined,
  };
  for (const f of LENGTH_FIELDS) {
    const applies = f === 'items' ? !isLlm : isLlm;
    const fromTrace = traceLengths[f];
    if (fromTrace !== undefined) {
      if (!applies) r.fail([...path, 'arrivals', 'trace', f], lengthMisplaced(f, model, at));
      if (req[f] !== undefined)
        r.fail([...rp, f], `the trace gives ${f} (column "${fromTrace.column}"): give it in one place only`);
      lengths[f] = fromTrace;
      values[f] = Math.max(1, Math.round(meanOf(fromTrace.values)));
      continue;
    }
    const e = req[f];
    if (e === undefined) continue;
    if (!applies) r.fail([...rp, f], lengthMisplaced(f, model, at));
    const least = f === 'items' ? 1 : isLlm ? 1 : 0;
    if (typeof e === 'number' && e < least) r.fail([...rp, f], `must be >= ${least} for an LLM service`);
    const got = resolveLength(e, f, least, [...rp, f], lengthPlace);
    lengths[f] = got.dist;
    values[f] = got.value;
  }
  if (isLlm) {
    for (const f of ['input_tokens', 'output_tokens'] as const)
      if (values[f] === undefined) r.fail(rp, `missing required field "${f}" (service "${at.name}" runs an LLM)`);
  }
  if (model < 0 && lengths.items !== null)
    r.fail(
      lengths.items.kind === 'trace' ? [...path, 'arrivals', 'trace', 'items'] : [...rp, 'items'],
      'items that vary need a model to run them on (this service gives its service time directly)',
    );

  let serviceTime: ServiceTimeSpec | null = null;
  if (s.service_time !== undefined) {
    const st = s.service_time;
    const sp = [...path, 'service_time'];
    const given = (['exponential', 'deterministic', 'lognormal'] as const).filter((k) => st[k] !== undefined);
    if (given.length !== 1)
      r.fail(
        sp,
        `give exactly one of exponential, deterministic, lognormal${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
      );
    const kind = given[0];
    if (kind === 'lognormal') {
      if (st.cv === undefined) r.fail(sp, 'missing required field "cv" (coefficient of variation of the lognormal)');
      serviceTime = { kind, mean_s: st.lognormal!, cv: st.cv };
    } else {
      if (st.cv !== undefined) r.fail([...sp, 'cv'], 'cv applies to lognormal only');
      serviceTime = { kind, mean_s: st[kind]! };
    }
  }

  if (s.slo?.ttft !== undefined && !isLlm)
    r.fail([...path, 'slo', 'ttft'], 'a time-to-first-token SLO applies to LLM services only');
  if (s.slo?.tpot !== undefined && !isLlm)
    r.fail([...path, 'slo', 'tpot'], 'a time-per-output-token SLO applies to LLM services only');
  if (
    s.slo?.percentile !== undefined &&
    s.slo.latency === undefined &&
    s.slo.ttft === undefined &&
    s.slo.tpot === undefined
  )
    r.fail([...path, 'slo', 'percentile'], 'percentile needs a target to judge (latency, ttft or tpot)');
  let scheduler: LlmSchedulerSpec | null = null;
  if (s.scheduler !== undefined && (!isLlm || serviceTime !== null))
    r.fail(
      [...path, 'scheduler'],
      'scheduler applies to LLM services (a model of kind llm, without service_time); use batching for others',
    );
  if (isLlm && serviceTime === null) {
    const d = LLM_SCHEDULER_DEFAULTS;
    scheduler = {
      max_num_seqs: s.scheduler?.max_num_seqs ?? d.max_num_seqs,
      max_num_batched_tokens: s.scheduler?.max_num_batched_tokens ?? d.max_num_batched_tokens,
      chunked_prefill: s.scheduler?.chunked_prefill ?? d.chunked_prefill,
      block_size: s.scheduler?.block_size ?? d.block_size,
    };
  }

  return {
    index: at.index,
    name: at.name,
    model,
    users: shares,
    arrivals,
    bursts,
    allowed_regions: allowed,
    request: {
      input_tokens: values.input_tokens ?? 0,
      output_tokens: values.output_tokens ?? 0,
      items: values.items ?? 1,
      upload_bytes: req.upload,
      download_bytes: req.download,
      lengths,
    },
    slo: {
      latency_s: s.slo?.latency ?? null,
      ttft_s: s.slo?.ttft ?? null,
      tpot_s: s.slo?.tpot ?? null,
      percentile: s.slo?.percentile ?? null,
    },
    batching: { max_batch: s.batching?.max_batch ?? 1, max_wait_s: s.batching?.max_wait ?? 0 },
    scheduler,
    service_time: serviceTime,
    retries: s.retries,
    deferrable_s: s.deferrable?.window ?? null,
  };
}

type TraceLength = Extract<LengthDist, { kind: 'trace' }>;

/** Why a length field does not apply to this service. */
function lengthMisplaced(f: LengthField, model: number, at: ServicePlace): string {
  if (f === 'items') return 'items applies to non-LLM models; an LLM request gives input_tokens and output_tokens';
  return `applies to LLM services only (${model >= 0 ? `model "${at.models[model].name}" is not an LLM` : 'this service has no model'})`;
}

function resolveArrivals(
  r: Resolver,
  a: ServiceEntry['arrivals'],
  path: Path,
  at: ServicePlace,
  traceLengths: Partial<Record<LengthField, TraceLength>>,
): ArrivalSpec {
  const kinds = (['poisson', 'constant', 'profile', 'trace', 'closed', 'offline'] as const).filter(
    (k) => a[k] !== undefined,
  );
  if (kinds.length !== 1) {
    r.fail(
      path,
      `give exactly one of poisson, constant, profile, trace, closed, offline${kinds.length > 1 ? ` (got ${kinds.join(', ')})` : ''}`,
    );
  }
  const kind = kinds[0];
  if (kind !== 'profile') {
    for (const f of ['peak', 'trough', 'peak_hour'] as const) {
      if (a[f] !== undefined) r.fail([...path, f], `${f} applies to profile arrivals only`);
    }
  }
  switch (kind) {
    case 'poisson':
    case 'constant':
      return { kind, rate_per_s: a[kind]! };
    case 'profile': {
      if (a.peak === undefined) r.fail(path, 'missing required field "peak" (the highest rate, e.g. "12/s")');
      if (a.trough === undefined) r.fail(path, 'missing required field "trough" (the lowest rate, e.g. "2/s")');
      if (a.trough > a.peak) r.fail([...path, 'trough'], 'trough must not exceed peak');
      return {
        kind,
        shape: 'daily',
        peak_per_s: a.peak,
        trough_per_s: a.trough,
        peak_hour: a.peak_hour ?? DEFAULT_PEAK_HOUR,
      };
    }
    case 'trace': {
      const t = a.trace!;
      if (typeof t === 'string') {
        const tp = [...path, 'trace'];
        const { path: file, text } = readOrFail(r, t, tp, at.file, 'trace', at.files);
        return { kind, file, times_s: readTrace(r, file, text, tp, at.duration_s) };
      }
      const tp = [...path, 'trace'];
      const file = relativeTo(at.file, t.file);
      const wanted = LENGTH_FIELDS.filter((f) => t[f] !== undefined);
      const columns = readTraceColumns(
        r,
        file,
        t.time,
        wanted.map((f) => ({ column: t[f]!, field: f, min: 1, path: [...tp, f] })),
        tp,
        at.duration_s,
        { scenarioFile: at.file, files: at.files },
      );
      wanted.forEach((f, k) => (traceLengths[f] = { kind: 'trace', file, column: t[f]!, values: columns.lengths[k] }));
      return { kind, file, times_s: columns.times };
    }
    case 'closed': {
      const c = a.closed!;
      return {
        kind,
        clients: c.clients,
        think: thinkTime(r, c.think, [...path, 'closed', 'think']),
        backoff_s: c.backoff,
      };
    }
    case 'offline':
      if (at.warmup_s > 0)
        r.fail(
          [...path, 'offline'],
          `offline requests all arrive at t = 0, inside the warm-up (${fmtSeconds(at.warmup_s)}): set warmup to 0s`,
        );
      return { kind, requests: a.offline! };
  }
}

/** A closed-loop think time: a duration (fixed), or { exponential | deterministic | lognormal (with cv) }. */
function thinkTime(r: Resolver, t: number | Record<string, number | undefined>, path: Path): ServiceTimeSpec {
  if (typeof t === 'number') return { kind: 'deterministic', mean_s: t };
  const given = (['exponential', 'deterministic', 'lognormal'] as const).filter((k) => t[k] !== undefined);
  if (given.length !== 1)
    r.fail(
      path,
      `give a duration, or exactly one of exponential, deterministic, lognormal${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
    );
  const kind = given[0];
  if (kind === 'lognormal') {
    if (t.cv === undefined) r.fail(path, 'missing required field "cv" (coefficient of variation of the lognormal)');
    return { kind, mean_s: t.lognormal!, cv: t.cv };
  }
  if (t.cv !== undefined) r.fail([...path, 'cv'], 'cv applies to lognormal only');
  return { kind, mean_s: t[kind]! };
}

/**
 * A trace with a header naming its columns: arrival times (seconds, not decreasing) and per-request lengths.
 * A bad cell is an error at the trace's file:row:col, naming the scenario field of its column.
 */
function readTraceColumns(
  r: Resolver,
  file: string,
  timeColumn: string,
  requests: ColumnRequest[],
  path: Path,
  duration_s: number,
  from: { scenarioFile: string | undefined; files: FileAccess | undefined },
): { times: Float64Array; lengths: Int32Array[] } {
  const place = { ...from, fail: (p: Path, m: string): never => r.fail(p, m) };
  const lines = readCsvText(file, 'trace', [...path, 'file'], place);
  const [timeIdx, ...idx] = headerIndex(
    lines,
    file,
    [{ column: timeColumn, path: [...path, 'time'] }, ...requests],
    place,
  );
  const times: number[] = [];
  const lengths: number[][] = requests.map(() => []);
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const cell = (cells[timeIdx] ?? '').trim();
    const bad = (why: string): never => {
      throw new InputError(`bad arrival time ${JSON.stringify(cell)} in column "${timeColumn}": ${why}`, {
        file,
        line: n + 1,
        col: cellColumn(line, timeIdx),
        path: [...path, 'time'],
      });
    };
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell)) bad('expected a number of seconds');
    const t = Number(cell);
    if (!Number.isFinite(t) || t < 0) bad('must be a finite number >= 0');
    if (times.length > 0 && t < times[times.length - 1])
      bad(`times must not decrease (previous ${times[times.length - 1]})`);
    times.push(t);
    requests.forEach((q, k) => lengths[k].push(lengthCell(cells, idx[k], line, n + 1, file, q)));
  }
  if (times.length === 0) r.fail([...path, 'file'], `trace "${file}" has no arrival times`);
  if (times[0] >= duration_s)
    r.warn(path, `trace "${file}": every arrival is after the end of the run (${fmtSeconds(duration_s)})`);
  return { times: Float64Array.from(times), lengths: lengths.map((v) => Int32Array.from(v)) };
}

/** A referenced file's text (scenario/files.ts: folder tree, regular files, size cap), or an error at the field. */
function readOrFail(
  r: Resolver,
  ref: string,
  path: Path,
  scenarioFile: string | undefined,
  what: string,
  access: FileAccess | undefined,
): { path: string; text: string } {
  try {
    return readReferencedFile(ref, scenarioFile, what, access);
  } catch (e) {
    if (e instanceof InputError) r.fail(path, e.detail);
    throw e;
  }
}

/** One hourly grid intensity (gCO2e/kWh, ≥ 0) per line, last column; a header line and blank lines are allowed. */
function readHourly(r: Resolver, rel: string, path: Path, ctx: ResolveContext): Float64Array {
  const { path: file, text } = readOrFail(r, rel, path, ctx.file, 'grid intensity CSV', ctx.files);
  const values: number[] = [];
  let first = true;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const cells = raw.split(',');
    const cell = cells[cells.length - 1].trim();
    if (cell === '') continue;
    const isHeader = first;
    first = false;
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell)) {
      if (isHeader) continue;
      throw new InputError(`bad grid intensity ${excerpt(cell)}: expected gCO2e/kWh`, {
        file,
        line: i + 1,
        path,
      });
    }
    const v = Number(cell);
    if (v < 0) throw new InputError(`bad grid intensity ${excerpt(cell)}: must be >= 0`, { file, line: i + 1, path });
    values.push(v);
  }
  if (values.length === 0) r.fail(path, `grid intensity CSV "${file}" has no values`);
  return Float64Array.from(values);
}

/** One arrival time (seconds from the start) per line; a header line and blank lines are allowed. */
function readTrace(r: Resolver, file: string, text: string, path: Path, duration_s: number): Float64Array {
  const times: number[] = [];
  let first = true;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const cell = raw.split(',')[0].trim();
    if (cell === '') continue;
    const isHeader = first;
    first = false;
    // The error names the CSV row; the path says which service's trace it is.
    const bad = (why: string): never => {
      throw new InputError(`bad arrival time ${excerpt(cell)}: ${why}`, { file, line: i + 1, path });
    };
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell)) {
      if (isHeader) continue;
      bad('expected a number of seconds');
    }
    const t = Number(cell);
    if (!Number.isFinite(t) || t < 0) bad('must be a finite number >= 0');
    if (times.length > 0 && t < times[times.length - 1])
      bad(`times must not decrease (previous ${times[times.length - 1]})`);
    times.push(t);
  }
  if (times.length === 0) r.fail(path, `trace "${file}" has no arrival times`);
  if (times[0] >= duration_s)
    r.warn(path, `trace "${file}": every arrival is after the end of the run (${fmtSeconds(duration_s)})`);
  return Float64Array.from(times);
}

// ------------------------------------------------------------------------------------------------ network

function resolveNetwork(
  r: Resolver,
  f: ScenarioFile,
  ctx: ResolveContext,
  regionNames: readonly string[],
  regionCatalogId: readonly (string | undefined)[],
  used: ReadonlySet<number>,
): Scenario['network'] {
  const n = regionNames.length;
  const intra = f.network.intra_region_rtt ?? ctx.network.intra_region_rtt_ms / 1000;
  const rtt: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? intra : NaN)),
  );
  const given = new Map<string, string>();
  for (const [key, seconds] of Object.entries(f.network.rtt ?? {})) {
    const kp = ['network', 'rtt', key];
    const parts = key.split('<->').map((s) => s.trim());
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
      r.fail(kp, `bad region pair "${key}": write "a <-> b"`);
    const [i, j] = parts.map((p) => r.ref('region', p, regionNames, kp));
    if (i === j) r.fail(kp, `"${key}" pairs a region with itself; set network.intra_region_rtt instead`);
    const pairId = i < j ? `${i},${j}` : `${j},${i}`;
    if (given.has(pairId))
      r.fail(kp, `the RTT between ${parts[0]} and ${parts[1]} is already given as "${given.get(pairId)}"`);
    given.set(pairId, key);
    rtt[i][j] = rtt[j][i] = seconds;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (!Number.isNaN(rtt[i][j])) continue;
      const a = regionCatalogId[i];
      const b = regionCatalogId[j];
      let seconds: number | undefined;
      if (a !== undefined && b !== undefined) {
        if (a === b) seconds = intra;
        else {
          const row = ctx.rttMs.find((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
          if (row !== undefined) seconds = row.rtt_ms / 1000;
        }
      }
      if (seconds === undefined && used.has(i) && used.has(j)) {
        const pair = `${regionNames[i]} <-> ${regionNames[j]}`;
        r.fail(
          f.network.rtt !== undefined ? ['network', 'rtt'] : ['network'],
          `no RTT for "${pair}" (not in the catalog); give it, e.g. rtt: { "${pair}": 50ms }`,
        );
      }
      // Regions with neither sites nor users are never on a path; Infinity marks "no route".
      rtt[i][j] = rtt[j][i] = seconds ?? Infinity;
    }
  }
  return {
    rtt_s: rtt,
    egress_usd_per_gb: f.network.egress_usd_per_gb ?? ctx.network.egress_usd_per_gb,
    inter_region_usd_per_gb: f.network.inter_region_usd_per_gb ?? ctx.network.inter_region_usd_per_gb,
    energy_kwh_per_gb: f.network.energy_kwh_per_gb ?? ctx.network.energy_kwh_per_gb,
    lan_energy_kwh_per_gb: f.network.lan_energy_kwh_per_gb ?? ctx.network.lan_energy_kwh_per_gb,
  };
}

// ------------------------------------------------------------------------------------------------ serves

/** sites.<name>.serves: the only user groups that may use a site (a fleet instance's own users). */
function resolveServes(r: Resolver, f: ScenarioFile, sites: Site[], userIndex: ReadonlyMap<string, number>): void {
  for (const site of sites) {
    const serves = f.sites[site.name].serves;
    if (serves === undefined) continue;
    if (site.kind === 'device')
      r.fail(['sites', site.name, 'serves'], 'a device site already serves only the users of its region');
    const seen = new Set<number>();
    site.serves = serves.map((u, i) => {
      const p = ['sites', site.name, 'serves', i];
      const k = r.ref('user group', u, userIndex, p);
      if (seen.has(k)) r.fail(p, `user group "${u}" is listed twice`);
      seen.add(k);
      return k;
    });
  }
}
