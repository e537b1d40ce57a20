/**
 * `placesim init`: a commented starter scenario from a few choices — the workload, where the users are and
 * which kinds of site to compare. The text is written line by line (not through a YAML serialiser) so that
 * every figure carries its comment: where it comes from in the catalog, or that it is an assumption to
 * replace. The result always loads and runs (test/init.test.ts runs each combination).
 */
import { InputError } from '../errors.js';
import { CATALOG_RTT_MS, defaultCatalog } from '../hardware/catalog.js';
import { PLACESIM_VERSION } from '../version.js';

export const WORKLOADS = ['chatbot', 'vision', 'training'] as const;
export type Workload = (typeof WORKLOADS)[number];
export const SITE_KINDS = ['cloud', 'edge', 'device'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export interface InitOptions {
  workload: Workload;
  /** Catalog region ids where the users are; the first also hosts the cloud site when it can. */
  users: string[];
  /** The kinds of site to compare (training uses the cloud only). */
  sites: SiteKind[];
  /** The scenario's name; default: "<workload>-starter". */
  name?: string;
  /** The file it is written to, for the run/validate lines of its header; default: "<name>.yaml". */
  file?: string;
}

export const INIT_DEFAULTS: InitOptions = { workload: 'chatbot', users: ['us-east'], sites: ['cloud', 'edge'] };

interface WorkloadSpec {
  title: string;
  cloudInstance: string;
  cloudNote: string;
  edgeDevice: string;
  edgeNote: string;
  edgeCapex: number;
  deviceDevice: string;
  deviceNote: string;
  deviceCapex: number;
}

const SPECS: Record<Exclude<Workload, 'training'>, WorkloadSpec> = {
  chatbot: {
    title: 'an LLM chat assistant (Llama 3.2 3B, int8)',
    cloudInstance: 'aws/g5.xlarge',
    cloudNote: '1 x A10G 24 GB: room for a 3B model',
    edgeDevice: 'jetson-agx-orin-64gb',
    edgeNote: 'Jetson AGX Orin 64GB boxes at a metro edge site',
    edgeCapex: 1999,
    deviceDevice: 'snapdragon-8-gen3',
    deviceNote: "the users' own phones (Snapdragon 8 Gen 3)",
    deviceCapex: 0,
  },
  vision: {
    title: 'object detection on camera clips (YOLOv8n)',
    cloudInstance: 'aws/g4dn.xlarge',
    cloudNote: '1 x T4',
    edgeDevice: 'jetson-orin-nx-16gb',
    edgeNote: 'Jetson Orin NX 16GB boxes on site',
    edgeCapex: 699,
    deviceDevice: 'jetson-orin-nano-8gb',
    deviceNote: 'a Jetson Orin Nano 8GB in each camera',
    deviceCapex: 499,
  },
};

function parseChoice<T extends string>(value: string, choices: readonly T[], flag: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(`init: ${flag} "${value}" is not one of ${choices.join(', ')}`);
}

/** Checks and completes the options given as flags (lists already split); bad input is an InputError. */
export function initOptions(flags: {
  workload?: string;
  users?: string[];
  sites?: string[];
  name?: string;
}): InitOptions {
  const workload = parseChoice(flags.workload ?? INIT_DEFAULTS.workload, WORKLOADS, '--workload');
  const regions = defaultCatalog().regions;
  const users = flags.users ?? INIT_DEFAULTS.users;
  for (const r of users)
    if (!(r in regions))
      throw new InputError(
        `init: --users "${r}" is not a catalog region (one of ${Object.keys(regions).sort().join(', ')})`,
      );
  if (new Set(users).size !== users.length) throw new InputError('init: --users names a region twice');
  const sites = (flags.sites ?? (workload === 'training' ? ['cloud'] : INIT_DEFAULTS.sites)).map((s) =>
    parseChoice(s, SITE_KINDS, '--sites'),
  );
  if (workload === 'training' && sites.some((s) => s !== 'cloud'))
    throw new InputError('init: --workload training runs on cloud sites only: give --sites cloud');
  if (flags.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(flags.name))
    throw new InputError(`init: --name "${flags.name}" may hold letters, digits, "-", "_" and "." only`);
  return { workload, users, sites: [...new Set(sites)], ...(flags.name !== undefined ? { name: flags.name } : {}) };
}

function rttKnown(a: string, b: string): boolean {
  return CATALOG_RTT_MS.some((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
}

/** The first of `preferred` where the instance has an on-demand price, else us-east. */
function cloudRegion(instance: string, preferred: string[]): string {
  const prices = defaultCatalog().instances[instance].prices;
  return preferred.find((r) => prices[r]?.['on-demand'] !== undefined) ?? 'us-east';
}

const usd = (n: number): string => `$${n.toFixed(n < 10 ? 3 : 2).replace(/\.?0+$/, '')}`;

/** The scenario's YAML text. */
export function starterScenario(o: InitOptions): string {
  const catalog = defaultCatalog();
  const name = o.name ?? `${o.workload}-starter`;
  const training = o.workload === 'training';
  const spec = training ? undefined : SPECS[o.workload as Exclude<Workload, 'training'>];
  const instance = training ? 'aws/p5.48xlarge' : spec!.cloudInstance;
  const cloud = o.sites.includes('cloud') ? cloudRegion(instance, o.users) : undefined;
  const regionIds = [...o.users, ...(cloud !== undefined && !o.users.includes(cloud) ? [cloud] : [])];
  const L: string[] = [];
  const push = (...lines: string[]): void => void L.push(...lines);

  const what = training ? 'a fine-tuning job (Llama 3 8B, 1e9 tokens) with a deadline' : spec!.title;
  push(
    `# ${name} — a starter scenario written by \`placesim init\` (placesim ${PLACESIM_VERSION}).`,
    `#`,
    `# Workload: ${what}.`,
    `# Users in: ${o.users.join(', ')}. Sites compared: ${o.sites.join(', ')}.`,
    `# Figures marked "assumption" are placeholders: replace them with your own. Catalog figures (prices, power,`,
    `# grid carbon, PUE) carry their sources: npx placesim catalog instances|devices|regions --sources.`,
    `# The fields are described in docs/scenario-format.md.`,
    `#`,
    `# Check it:  npx placesim validate ${o.file ?? `${name}.yaml`}`,
    `# Run it:    npx placesim run ${o.file ?? `${name}.yaml`}`,
    `name: ${name}`,
    `description: >`,
    `  Starter: ${what}, for users in ${o.users.join(', ')}, on ${o.sites.join(' / ')} sites.`,
    `seed: 1`,
    training ? `duration: 24h          # the window the job must finish in` : `duration: 1h`,
    training ? `warmup: 0s             # jobs have no warm-up` : `warmup: 5m             # left out of the statistics`,
    ``,
    `regions:`,
  );
  for (const r of regionIds) {
    const reg = catalog.regions[r];
    push(`  ${r}: {}`.padEnd(26) + `# ${reg.name}: ${reg.grid_gco2_per_kwh} gCO2/kWh, PUE ${reg.pue} (catalog)`);
  }
  const missing: string[] = [];
  for (let i = 0; i < regionIds.length; i++)
    for (let j = i + 1; j < regionIds.length; j++)
      if (!rttKnown(regionIds[i], regionIds[j])) missing.push(`${regionIds[i]} <-> ${regionIds[j]}`);
  if (missing.length > 0) {
    push(
      ``,
      `network:`,
      `  rtt:                    # not in the catalog: assumption, put your measured round trips here`,
    );
    for (const pair of missing) push(`    ${pair}: 150ms`);
  }

  push(``, `sites:`);
  if (cloud !== undefined) {
    const price = catalog.instances[instance].prices[cloud]['on-demand'];
    const note = training ? '8 x H100 SXM' : spec!.cloudNote;
    push(
      `  cloud:`,
      `    kind: cloud`,
      `    region: ${cloud}${cloud === o.users[0] ? '' : `   # no catalog price in the users' region: a region with one for ${instance}`}`,
      `    pools:`,
      `      gpu:`,
      `        instance: ${instance}`.padEnd(40) + `# ${note}, ${usd(price)}/h on-demand in ${cloud} (catalog)`,
      `        replicas: ${training ? 1 : o.workload === 'chatbot' ? 2 * o.users.length : 2}`.padEnd(40) +
        '# assumption: size it to your demand',
    );
    if (training) push(`        use: training                   # billed only while the job holds it`);
  }
  if (spec !== undefined && o.sites.includes('edge'))
    for (const r of o.users)
      push(
        `  edge-${r}:`,
        `    kind: edge`,
        `    region: ${r}`,
        `    pools:`,
        `      boxes:`,
        `        device: ${spec.edgeDevice}`.padEnd(40) + `# ${spec.edgeNote}`,
        `        count: ${o.workload === 'chatbot' ? 8 : 4}`.padEnd(40) + '# assumption',
        `        capex_usd: ${spec.edgeCapex}`.padEnd(40) + '# assumption: list price per box',
        `        lifetime: 3y`.padEnd(40) + '# assumption: amortisation period',
        `        electricity_usd_per_kwh: 0.15`.padEnd(40) + '# assumption: commercial tariff',
      );
  if (spec !== undefined && o.sites.includes('device'))
    for (const r of o.users)
      push(
        `  device-${r}:`,
        `    kind: device`.padEnd(40) + "# the users' own hardware: no network, no queue shared across users",
        `    region: ${r}`,
        `    pools:`,
        `      own:`,
        `        device: ${spec.deviceDevice}`.padEnd(40) + `# ${spec.deviceNote}`,
        `        count: 50`.padEnd(40) + '# assumption: devices in use at once',
        ...(spec.deviceCapex > 0
          ? [
              `        capex_usd: ${spec.deviceCapex}`.padEnd(40) + '# assumption: module price',
              `        lifetime: 3y`.padEnd(40) + '# assumption',
            ]
          : []),
        `        electricity_usd_per_kwh: 0.20`.padEnd(40) + "# assumption: the users' tariff",
      );

  if (!training) {
    push(``, `users:`);
    for (const r of o.users)
      push(
        `  users-${r}:`,
        `    region: ${r}`,
        `    access_rtt: { edge: 10ms, cloud: 40ms }   # metro edge vs in-country cloud entry (typical: 10–20 / 30–60 ms)`,
        `    uplink: 21Mbps                            # assumption: 5G median uplink`,
        `    downlink: 94Mbps                          # assumption: fixed broadband median downlink`,
      );
  }

  push(``, `models:`);
  if (o.workload === 'chatbot')
    push(
      `  llama-3.2-3b:`,
      `    params: 3.21e9`,
      `    dtype: int8`,
      `    kv_bytes_per_token: 114688   # 28 layers x 8 KV heads x 128 dims x 2 (K,V) x 2 bytes (fp16 cache)`,
    );
  else if (o.workload === 'vision')
    push(
      `  yolov8n:`,
      `    flops_per_item: 8.7e9     # YOLOv8n at 640 px (Ultralytics)`,
      `    weights: 3.2MB            # 3.2M parameters at int8`,
      `    dtype: int8`,
    );
  else push(`  llama-3-8b:`, `    params: 8.03e9`);

  const users =
    o.users.length === 1
      ? `users-${o.users[0]}`
      : `[${o.users.map((r) => `{ user: users-${r}, weight: 1 }`).join(', ')}]`;
  if (o.workload === 'chatbot')
    push(
      ``,
      `services:`,
      `  chat:`,
      `    model: llama-3.2-3b`,
      `    users: ${users}`,
      `    arrivals: { poisson: 4/s }                  # assumption: your peak-hour request rate`,
      `    request: { input_tokens: 400, output_tokens: 150, upload: 2KB, download: 1KB }   # assumption`,
      `    slo: { latency: 5s, ttft: 800ms }           # assumption: what your users accept`,
      `    batching: { max_batch: 8, max_wait: 20ms }`,
    );
  else if (o.workload === 'vision')
    push(
      ``,
      `services:`,
      `  detect:`,
      `    model: yolov8n`,
      `    users: ${users}`,
      `    arrivals: { poisson: 20/s }                 # assumption: 20 cameras, one clip a second each`,
      `    request: { items: 5, upload: 250KB, download: 2KB }   # assumption: 5 frames of a 1-second clip`,
      `    slo: { latency: 500ms }                     # assumption`,
      `    batching: { max_batch: 8, max_wait: 10ms }`,
    );
  else
    push(
      ``,
      `training:`,
      `  finetune:`,
      `    model: llama-3-8b`,
      `    tokens: 1e9                 # assumption: the size of your fine-tuning set`,
      `    pools: [cloud/gpu]`,
      `    start: 0s`,
      `    deadline: 24h               # assumption: when it must be done`,
    );

  const policies = training
    ? ['least-latency', 'carbon-aware']
    : [
        ...(o.sites.includes('cloud') ? ['cloud-only'] : []),
        ...(o.sites.includes('edge') ? ['edge-only'] : []),
        'least-latency',
        'cheapest-within-slo',
        'lowest-carbon',
      ];
  push(``, `# The placement policies to compare side by side (npx placesim run --help; docs/policies.md).`);
  push(`policies: [${policies.join(', ')}]`, ``);
  return L.join('\n');
}

/** The questions `placesim init` asks at a terminal when no flag chose anything; `ask` returns the answer. */
export async function askInitOptions(ask: (question: string) => Promise<string>): Promise<InitOptions> {
  const answer = async (q: string, def: string): Promise<string> => (await ask(`${q} [${def}]: `)).trim() || def;
  const workload = await answer(`Workload (${WORKLOADS.join(', ')})`, INIT_DEFAULTS.workload);
  const users = await answer("Users' regions, comma-separated (npx placesim catalog regions)", INIT_DEFAULTS.users[0]);
  const sites =
    workload === 'training'
      ? 'cloud'
      : await answer(`Sites to compare (${SITE_KINDS.join(', ')})`, INIT_DEFAULTS.sites.join(','));
  const split = (s: string): string[] =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
  return initOptions({ workload, users: split(users), sites: split(sites) });
}
