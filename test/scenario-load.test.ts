import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { CATALOG_INTRA_REGION_RTT_MS, defaultCatalog } from '../src/hardware/catalog.js';
import type { Catalog, Device } from '../src/model/types.js';
import { BUILTIN_POLICY_NAMES } from '../src/placement/names.js';
import { loadScenarioFile, loadScenarioText, scenarioJsonSchema, type LoadOptions } from '../src/scenario/index.js';

const FIX = 'test/fixtures/scenario';

// A small catalog with round numbers, so the expected values below can be worked out by hand.
function testCatalog(): Catalog {
  const prov = { source: 'test', as_of: '2025-01' };
  const gpu: Device = {
    ...prov,
    id: 'gpu-x',
    name: 'GPU X',
    class: 'gpu',
    peak_flops: { fp16: 100e12, int8: 200e12 },
    memory_bytes: 80e9,
    mem_bw_bytes_per_s: 2e12,
    power_max_w: 400,
    power_idle_w: 50,
  };
  const npu: Device = {
    ...gpu,
    id: 'npu-y',
    name: 'NPU Y',
    class: 'edge',
    peak_flops: { int8: 50e12 },
    memory_bytes: 16e9,
    power_max_w: 30,
    power_idle_w: 5,
  };
  return {
    devices: { 'gpu-x': gpu, 'npu-y': npu },
    instances: {
      'cloudco/x4': {
        ...prov,
        id: 'cloudco/x4',
        provider: 'cloudco',
        name: 'x4',
        device: 'gpu-x',
        devices: 4,
        host_power_idle_w: 100,
        host_power_max_w: 300,
        prices: { east: { 'on-demand': 10, spot: 3 }, west: { 'on-demand': 12 } },
      },
    },
    regions: {
      east: { ...prov, id: 'east', name: 'East', grid_gco2_per_kwh: 400, pue: 1.2 },
      west: { ...prov, id: 'west', name: 'West', grid_gco2_per_kwh: 100, pue: 1.1 },
    },
  };
}

const OPTS: LoadOptions = {
  catalog: testCatalog(),
  rttMs: [{ a: 'west', b: 'east', rtt_ms: 60 }],
  networkDefaults: {
    egress_usd_per_gb: 0.1,
    inter_region_usd_per_gb: 0.03,
    energy_kwh_per_gb: 0.002,
    intra_region_rtt_ms: 2,
  },
};

const FULL = `name: full
description: every feature once
seed: 3
duration: 1h
warmup: 5m
regions:
  east: {}
  home: { catalog: west, pue: 1.3 }
  lab: { grid_gco2_per_kwh: 50, pue: 1.0 }
  unused: { grid_gco2_per_kwh: 1, pue: 1 }
network:
  rtt:
    lab <-> east: 40ms
    home<->lab: 25ms
  egress_usd_per_gb: 0.05
sites:
  dc:
    kind: cloud
    region: east
    pools:
      big: { instance: cloudco/x4, replicas: 3, pricing: spot }
      cheap: { instance: cloudco/x4, replicas: 1, usd_per_hour: 7.5, max_queue: 100 }
  office:
    kind: edge
    region: home
    pools:
      box: { instance: cloudco/x4, replicas: 2 }
      npus: { device: npu-y, count: 10 }
  phone:
    kind: device
    region: lab
    pools:
      soc: { device: npu-y, count: 1, capex_usd: 300, lifetime: 2y, electricity_usd_per_kwh: 0.2, upkeep_usd_per_year: 12 }
users:
  a: { region: lab, access_rtt: { edge: 5ms, cloud: 30ms }, uplink: 20Mbps, downlink: 100Mbps }
  b: { region: home, access_rtt: { edge: 1ms, cloud: 1ms } }
models:
  llm: { params: 7e9, dtype: int8 }
  llm-known-kv: { params: 1e9, kv_bytes_per_token: 1000, weights: 600MB }
  vision: { flops_per_item: 8.2e9, weights: 102MB, activation_bytes_per_item: 5MB }
catalog:
  devices:
    my-npu:
      class: edge
      peak_tflops: { int8: 26 }
      memory: 8GiB
      bandwidth: 68GB/s
      power_max: 15W
      power_idle: 2W
      source: vendor sheet
      as_of: 2025-01
    gpu-x: { power_idle: 60W }
  instances:
    cloudco/x4:
      prices: { east: { spot: 2.5 } }
services:
  chat:
    model: llm
    users: [{ user: a, weight: 3 }, { user: b, weight: 1 }]
    arrivals: { profile: daily, peak: 12/s, trough: 120/min }
    request: { input_tokens: 400, output_tokens: 150, upload: 2KB, download: 1KiB }
    slo: { latency: 4s, ttft: 600ms }
    batching: { max_batch: 16, max_wait: 15ms }
  cams:
    model: vision
    users: a
    arrivals: { trace: traces/good.csv }
    request: { items: 4, upload: 1.5MB }
  jobs:
    users: b
    arrivals: { constant: 2/s }
    service_time: { lognormal: 10ms, cv: 0.5 }
  kv:
    model: llm-known-kv
    users: b
    arrivals: { poisson: 1/s }
    request: { input_tokens: 1, output_tokens: 1 }
`;

describe('loading a full scenario', () => {
  const s = loadScenarioText(FULL, `${FIX}/full.yaml`, OPTS);

  it('top level', () => {
    expect(s.name).toBe('full');
    expect(s.description).toBe('every feature once');
    expect(s.seed).toBe(3);
    expect(s.duration_s).toBe(3600);
    expect(s.warmup_s).toBe(300);
    expect(s.file).toBe(`${FIX}/full.yaml`);
    expect(s.policies).toEqual([...BUILTIN_POLICY_NAMES]);
  });

  it('regions take missing figures from their catalog region', () => {
    expect(s.regions.map((r) => [r.name, r.grid_gco2_per_kwh, r.pue])).toEqual([
      ['east', 400, 1.2],
      ['home', 100, 1.3],
      ['lab', 50, 1.0],
      ['unused', 1, 1],
    ]);
  });

  it('network: a symmetric RTT matrix from the file, the catalog and the intra-region default', () => {
    const I = Infinity;
    // east–home comes from the catalog pair (west, east) = 60 ms, since home maps to catalog "west".
    expect(s.network.rtt_s).toEqual([
      [0.002, 0.06, 0.04, I],
      [0.06, 0.002, 0.025, I],
      [0.04, 0.025, 0.002, I],
      [I, I, I, 0.002],
    ]);
    expect(s.network.egress_usd_per_gb).toBe(0.05);
    expect(s.network.inter_region_usd_per_gb).toBe(0.03);
    expect(s.network.energy_kwh_per_gb).toBe(0.002);
  });

  it('sites and pools', () => {
    expect(s.sites.map((x) => [x.name, x.kind, x.region])).toEqual([
      ['dc', 'cloud', 0],
      ['office', 'edge', 1],
      ['phone', 'device', 2],
    ]);
    const [big, cheap, box, npus, soc] = s.pools;
    expect(s.pools.map((p) => p.name)).toEqual(['dc/big', 'dc/cheap', 'office/box', 'office/npus', 'phone/soc']);
    // 4 GPUs × (60 W idle after the override, 400 W max) + host 100 / 300 W.
    expect([big.unit_power_idle_w, big.unit_power_max_w]).toEqual([4 * 60 + 100, 4 * 400 + 300]);
    expect(big).toMatchObject({
      site: 0,
      instance: 'cloudco/x4',
      devices_per_unit: 4,
      units: 3,
      pricing: 'spot',
      usd_per_unit_hour: 2.5,
    });
    expect(big.device.id).toBe('gpu-x');
    expect(big.max_queue).toBe(Infinity);
    expect(cheap).toMatchObject({ pricing: 'on-demand', usd_per_unit_hour: 7.5, max_queue: 100 });
    // home → catalog "west": on-demand 12 $/h.
    expect(box).toMatchObject({ site: 1, usd_per_unit_hour: 12, units: 2 });
    expect(npus).toMatchObject({
      devices_per_unit: 1,
      units: 10,
      unit_power_idle_w: 5,
      unit_power_max_w: 30,
      usd_per_unit_hour: 0,
    });
    expect(npus.pricing).toBeUndefined();
    expect(npus.instance).toBeUndefined();
    expect(soc).toMatchObject({
      capex_usd_per_unit: 300,
      lifetime_s: 2 * 365 * 86_400,
      electricity_usd_per_kwh: 0.2,
      upkeep_usd_per_unit_year: 12,
    });
  });

  it('warns about an edge pool without capex', () => {
    expect(s.warnings).toEqual([
      `${FIX}/full.yaml:28:13: sites.office.pools.npus: edge pool has no capex_usd (nor usd_per_hour): its hardware cost is 0`,
    ]);
  });

  it('users', () => {
    expect(s.users[0]).toEqual({
      index: 0,
      name: 'a',
      region: 2,
      access_rtt_edge_s: 0.005,
      access_rtt_cloud_s: 0.03,
      uplink_bps: { edge: 20e6, cloud: 20e6 },
      downlink_bps: { edge: 100e6, cloud: 100e6 },
      shared_uplink_bps: { edge: Infinity, cloud: Infinity },
      lan_site: -1,
      lan_site: -1,
    });
    expect([s.users[1].uplink_bps, s.users[1].downlink_bps]).toEqual([
      { edge: 1e9, cloud: 1e9 },
      { edge: 1e9, cloud: 1e9 },
    ]);
  });

  it('models', () => {
    // 7e9 params × 1 byte (int8); KV estimate scaled from Llama-3-8B's 131,072 B/token at 8.03e9 params.
    expect(s.models[0]).toMatchObject({ kind: 'llm', params: 7e9, dtype: 'int8', weight_bytes: 7e9 });
    if (s.models[0].kind !== 'llm') throw new Error('not an llm');
    expect(s.models[0].kv_bytes_per_token).toBeCloseTo((7e9 * 131_072) / 8.03e9, 6);
    expect(s.models[1]).toMatchObject({ kind: 'llm', dtype: 'fp16', weight_bytes: 600e6, kv_bytes_per_token: 1000 });
    expect(s.models[2]).toEqual({
      index: 2,
      name: 'vision',
      kind: 'items',
      flops_per_item: 8.2e9,
      dtype: 'fp16',
      weight_bytes: 102e6,
      activation_bytes_per_item: 5e6,
    });
  });

  it('services', () => {
    const [chat, cams, jobs, kv] = s.services;
    expect(chat.model).toBe(0);
    expect(chat.users).toEqual([
      { user: 0, weight: 0.75 },
      { user: 1, weight: 0.25 },
    ]);
    expect(chat.arrivals).toEqual({ kind: 'profile', shape: 'daily', peak_per_s: 12, trough_per_s: 2, peak_hour: 14 });
    expect(chat.request).toEqual({
      input_tokens: 400,
      output_tokens: 150,
      items: 1,
      upload_bytes: 2000,
      download_bytes: 1024,
      lengths: { input_tokens: null, output_tokens: null, items: null }, // fixed: nothing drawn
    });
    expect(chat.slo).toEqual({ latency_s: 4, ttft_s: 0.6 });
    expect(chat.batching).toEqual({ max_batch: 16, max_wait_s: 0.015 });
    expect(chat.service_time).toBeNull();

    expect(cams.arrivals.kind).toBe('trace');
    if (cams.arrivals.kind !== 'trace') throw new Error('not a trace');
    expect(cams.arrivals.file).toBe(`${FIX}/traces/good.csv`);
    expect([...cams.arrivals.times_s]).toEqual([0.5, 1.0, 1.0, 2.25]);
    expect(cams.request).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      items: 4,
      upload_bytes: 1.5e6,
      download_bytes: 0,
      lengths: { input_tokens: null, output_tokens: null, items: null },
    });
    expect(cams.slo).toEqual({ latency_s: null, ttft_s: null });
    expect(cams.batching).toEqual({ max_batch: 1, max_wait_s: 0 });

    expect(jobs.model).toBe(-1);
    expect(jobs.arrivals).toEqual({ kind: 'constant', rate_per_s: 2 });
    expect(jobs.service_time).toEqual({ kind: 'lognormal', mean_s: 0.01, cv: 0.5 });
    expect(kv.arrivals).toEqual({ kind: 'poisson', rate_per_s: 1 });
  });

  it('locate gives 1-based line:col of a field', () => {
    expect(s.locate?.(['services', 'chat', 'arrivals', 'peak'])).toEqual({ line: 60, col: 39 });
    expect(s.locate?.(['sites', 'dc', 'pools', 'big', 'replicas'])).toEqual({ line: 21, col: 46 });
    expect(s.locate?.(['services', 'chat', 'users', 1, 'weight'])).toEqual({ line: 59, col: 56 });
    // A path that does not exist falls back to the nearest field that does.
    expect(s.locate?.(['services', 'jobs', 'slo', 'latency'])).toEqual({ line: 70, col: 5 });
  });

  it('options override the seed and the policies', () => {
    const o = loadScenarioText(FULL, `${FIX}/full.yaml`, { ...OPTS, seed: 99, policies: ['nearest', 'edge-first'] });
    expect(o.seed).toBe(99);
    expect(o.policies).toEqual(['nearest', 'edge-first']);
  });
});

describe('the shipped sketch scenarios', () => {
  it('chatbot-seoul loads against the default catalog', () => {
    const s = loadScenarioFile(`${FIX}/chatbot-seoul.yaml`);
    const cat = defaultCatalog();
    const p5 = cat.instances['aws/p5.48xlarge'];
    const h100 = cat.devices[p5.device];
    expect(s.seed).toBe(42);
    expect([s.duration_s, s.warmup_s]).toEqual([7200, 600]);
    expect(s.network.rtt_s).toEqual([
      [CATALOG_INTRA_REGION_RTT_MS / 1000, 0.177],
      [0.177, CATALOG_INTRA_REGION_RTT_MS / 1000],
    ]);
    const [cloud, edge] = s.pools;
    expect(cloud.name).toBe('aws-us-east-1/h100');
    expect(cloud.usd_per_unit_hour).toBe(p5.prices['us-east']['on-demand']);
    expect(cloud.unit_power_max_w).toBeCloseTo(8 * h100.power_max_w + p5.host_power_max_w, 9);
    expect(edge).toMatchObject({
      name: 'seoul-edge/orin',
      units: 24,
      capex_usd_per_unit: 1999,
      lifetime_s: 3 * 365 * 86_400,
    });
    expect(s.models[0]).toMatchObject({ weight_bytes: 8.03e9, kv_bytes_per_token: 131_072 });
    expect(s.services[0].arrivals).toEqual({ kind: 'poisson', rate_per_s: 6 });
    expect(s.policies).toEqual(['cloud-only', 'edge-only', 'least-latency', 'edge-first', 'cheapest-within-slo']);
    expect(s.warnings).toEqual([]);
  });

  it('the M/M/c validation form loads', () => {
    const s = loadScenarioFile(`${FIX}/mmc.yaml`);
    expect(s.pools[0]).toMatchObject({ name: 'dc/servers', units: 4, devices_per_unit: 1 });
    expect(s.services[0]).toMatchObject({ model: -1, service_time: { kind: 'exponential', mean_s: 0.01 } });
    expect(s.services[0].arrivals).toEqual({ kind: 'poisson', rate_per_s: 360 });
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/mmc\.yaml:12:16: sites\.dc\.pools\.servers: cloud pool has no price/);
  });

  it('JSON gives the same scenario as YAML', () => {
    const yaml = loadScenarioFile(`${FIX}/mmc.yaml`, OPTS_REAL);
    const json = loadScenarioFile(`${FIX}/mmc.json`, OPTS_REAL);
    const strip = (x: object) => JSON.parse(JSON.stringify({ ...x, file: undefined, warnings: undefined }));
    expect(strip(json)).toEqual(strip(yaml));
    expect(JSON.parse(readFileSync(`${FIX}/mmc.json`, 'utf8')).name).toBe('mmc-validation');
  });
});

const OPTS_REAL: LoadOptions = {};

describe('scenarioJsonSchema', () => {
  const schema = scenarioJsonSchema() as {
    $schema: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { pattern?: string; anyOf?: { pattern?: string }[] }>;
  };

  it('is draft 2020-12, strict, with the required fields', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect([...schema.required].sort()).toEqual(['duration', 'name', 'regions', 'sites']);
  });

  it('describes unit fields as patterned strings', () => {
    const duration = new RegExp(schema.properties.duration.pattern!);
    expect(duration.test('250ms')).toBe(true);
    expect(duration.test('2h')).toBe(true);
    expect(duration.test('5')).toBe(false);
    const warmup = schema.properties.warmup.anyOf!;
    expect(new RegExp(warmup[0].pattern!).test('0s')).toBe(true);
    expect(warmup[1]).toEqual({ const: 0 });
  });
});
