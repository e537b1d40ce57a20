import { describe, it, expect } from 'vitest';
import {
  CATALOG_AS_OF,
  CATALOG_NETWORK_DEFAULTS,
  CATALOG_PROVIDERS,
  CATALOG_RTT_MS,
  defaultCatalog,
} from '../src/hardware/catalog.js';
import {
  catalogAsJson,
  catalogSources,
  fieldDate,
  fieldSource,
  formatCatalog,
  formatSources,
  isEstimated,
  splitSources,
} from '../src/hardware/catalog-list.js';
import { DEVICE_CLASSES, DTYPES, GEO_AREAS, PRICINGS } from '../src/model/types.js';
import type { Provenance } from '../src/model/types.js';
import { cli } from './helpers/cli.js';
import { loadScenarioText } from '../src/scenario/index.js';

const DATE = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;
/** No catalog price may be older than this (the GCP per-region A3 snapshot of 2025-03-06 is the oldest). */
const PRICE_FLOOR = '2025-03';
/** Azure prices were all read in 2026-08 or later. */
const AZURE_FLOOR = '2026-08';
const AZURE_MIN_REGIONS = 3;

function expectProvenance(id: string, p: Provenance) {
  expect(p.source.trim(), `${id} source`).not.toBe('');
  expect(p.as_of, `${id} as_of`).toMatch(DATE);
}

function expectPositive(id: string, field: string, x: unknown) {
  expect(typeof x, `${id}.${field} type`).toBe('number');
  expect(Number.isFinite(x as number) && (x as number) > 0, `${id}.${field} = ${String(x)}`).toBe(true);
}

describe('default catalog: shape and provenance', () => {
  const cat = defaultCatalog();
  const devices = Object.values(cat.devices);

  it('has at least 14 devices spanning every device class', () => {
    expect(devices.length).toBeGreaterThanOrEqual(14);
    for (const cls of DEVICE_CLASSES) {
      expect(
        devices.some((d) => d.class === cls),
        `class ${cls}`,
      ).toBe(true);
    }
  });

  it('contains the devices, instances and regions the scenarios and docs rely on', () => {
    for (const id of [
      'h100-sxm',
      'h100-pcie',
      'h200-sxm',
      'a100-80gb-sxm',
      'a100-40gb-sxm',
      'l4',
      't4',
      'a10g',
      'mi300x',
      'tpu-v4',
      'tpu-v5e',
      'tpu-v5p',
      'tpu-v6e',
      'epyc-9654',
      'xeon-8480',
      'graviton3',
      'generic-cpu',
      'jetson-agx-orin-64gb',
      'jetson-orin-nx-16gb',
      'jetson-orin-nano-8gb',
      'jetson-orin-nano-super',
      'coral-edge-tpu',
      'apple-m4',
      'snapdragon-8-gen3',
      'raspberry-pi-5',
    ]) {
      expect(cat.devices[id], id).toBeDefined();
    }
    // Every id a shipped scenario or a doc names keeps working.
    for (const id of [
      'aws/p5.48xlarge',
      'aws/p5en.48xlarge',
      'aws/p4d.24xlarge',
      'aws/p4de.24xlarge',
      'aws/g5.xlarge',
      'aws/g6.12xlarge',
      'aws/g4dn.xlarge',
      'gcp/tpu-v5e',
      'gcp/tpu-v5p',
      'gcp/tpu-v6e',
      'azure/nd96isr-h100-v5',
      'gcp/a3-highgpu-8g',
      'lambda/gpu_8x_h100_sxm5',
      'lambda/gpu_1x_h100_sxm5',
      'lambda/gpu_8x_a100_80gb_sxm4',
      'coreweave/hgx-h100',
      'runpod/h100-sxm',
      'runpod/h100-sxm-community',
    ]) {
      expect(cat.instances[id], id).toBeDefined();
    }
    for (const id of [
      'us-east',
      'us-west',
      'eu-west',
      'eu-north',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-southeast-1',
      'us-central',
      'ca-central',
      'sa-east',
      'eu-west-2',
      'eu-central',
      'ap-southeast-2',
      'ap-south-1',
    ]) {
      expect(cat.regions[id], id).toBeDefined();
    }
    // The prices the shipped scenarios take from the catalog.
    expect(cat.instances['aws/p5.48xlarge'].prices['us-east'].spot).toBeDefined();
    expect(cat.instances['gcp/tpu-v5p'].prices['us-east'].spot).toBeDefined();
    expect(cat.instances['aws/g5.xlarge'].prices['ap-northeast-2']).toBeDefined();
  });

  it('keys every entry by its own id', () => {
    for (const section of [cat.devices, cat.instances, cat.regions]) {
      for (const [key, entry] of Object.entries(section)) expect(entry.id).toBe(key);
    }
  });

  it('gives every entry a source and an ISO as_of', () => {
    for (const d of devices) expectProvenance(d.id, d);
    for (const i of Object.values(cat.instances)) expectProvenance(i.id, i);
    for (const r of Object.values(cat.regions)) expectProvenance(r.id, r);
    expect(CATALOG_AS_OF).toMatch(DATE);
  });

  it('uses kebab-case device ids and provider/name instance ids', () => {
    for (const d of devices) expect(d.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const i of Object.values(cat.instances)) expect(i.id).toBe(`${i.provider}/${i.id.split('/')[1]}`);
  });

  it('has positive finite numbers everywhere and idle below max power', () => {
    for (const d of devices) {
      expect(DEVICE_CLASSES).toContain(d.class);
      const dtypes = Object.keys(d.peak_flops);
      expect(dtypes.length, `${d.id} peak_flops`).toBeGreaterThan(0);
      for (const t of dtypes) {
        expect(DTYPES).toContain(t);
        expectPositive(d.id, `peak_flops.${t}`, d.peak_flops[t as keyof typeof d.peak_flops]);
      }
      for (const f of ['memory_bytes', 'mem_bw_bytes_per_s', 'power_max_w', 'power_idle_w'] as const) {
        expectPositive(d.id, f, d[f]);
      }
      expect(d.power_idle_w, d.id).toBeLessThan(d.power_max_w);
    }
    for (const i of Object.values(cat.instances)) {
      expect(Number.isInteger(i.devices) && i.devices > 0, i.id).toBe(true);
      expectPositive(i.id, 'host_power_idle_w', i.host_power_idle_w);
      expectPositive(i.id, 'host_power_max_w', i.host_power_max_w);
      expect(i.host_power_idle_w, i.id).toBeLessThan(i.host_power_max_w);
      expect(Object.keys(i.prices).length, `${i.id} prices`).toBeGreaterThan(0);
      for (const [region, price] of Object.entries(i.prices)) {
        expect(cat.regions[region], `${i.id} price region ${region}`).toBeDefined();
        expectPositive(i.id, `prices.${region}.on-demand`, price['on-demand']);
        for (const p of ['spot', 'reserved'] as const) {
          if (price[p] !== undefined) {
            expectPositive(i.id, `prices.${region}.${p}`, price[p]);
            expect(price[p], `${i.id} ${p} below on-demand`).toBeLessThan(price['on-demand']);
          }
        }
      }
    }
    for (const r of Object.values(cat.regions)) {
      expectPositive(r.id, 'grid_gco2_per_kwh', r.grid_gco2_per_kwh);
      expect(r.pue, r.id).toBeGreaterThanOrEqual(1);
      expect(r.pue, r.id).toBeLessThan(2);
    }
  });

  it('refers only to devices that exist', () => {
    for (const i of Object.values(cat.instances)) expect(cat.devices[i.device], `${i.id} -> ${i.device}`).toBeDefined();
  });

  it('lists only real field names in `estimated`, and explains every estimate in notes', () => {
    const deviceFields = [
      'memory_bytes',
      'mem_bw_bytes_per_s',
      'power_max_w',
      'power_idle_w',
      'peak_flops',
      ...DTYPES.map((t) => `peak_flops.${t}`),
    ];
    for (const d of devices) {
      for (const f of d.estimated ?? []) expect(['all', ...deviceFields], `${d.id}: ${f}`).toContain(f);
      if (d.estimated?.length) expect(d.notes ?? '', d.id).not.toBe('');
    }
    for (const i of Object.values(cat.instances)) {
      for (const f of i.estimated ?? []) {
        expect(
          f === 'host_power_idle_w' ||
            f === 'host_power_max_w' ||
            /^prices\.[a-z0-9-]+\.(on-demand|spot|reserved)$/.test(f),
          `${i.id}: ${f}`,
        ).toBe(true);
      }
      if (i.estimated?.length) expect(i.notes ?? '', i.id).not.toBe('');
    }
  });

  it('marks the figures the reference marks as estimated or derived', () => {
    expect(isEstimated(cat.devices['h100-sxm'], 'power_idle_w')).toBe(true);
    expect(isEstimated(cat.devices['h100-sxm'], 'peak_flops.bf16')).toBe(false);
    expect(isEstimated(cat.devices['l4'], 'peak_flops.int8')).toBe(true); // sparse ÷ 2
    expect(isEstimated(cat.devices['tpu-v5e'], 'power_max_w')).toBe(true);
    expect(isEstimated(cat.devices['tpu-v4'], 'power_max_w')).toBe(false);
    expect(isEstimated(cat.devices['generic-cpu'], 'mem_bw_bytes_per_s')).toBe(true);
    expect(isEstimated(cat.instances['aws/p5.48xlarge'], 'prices.us-east.spot')).toBe(true); // midpoint of 23–31
    expect(isEstimated(cat.instances['aws/p5.48xlarge'], 'prices.us-east.on-demand')).toBe(false);
    expect(isEstimated(cat.regions['eu-west'], 'grid_gco2_per_kwh')).toBe(true);
    expect(isEstimated(cat.regions['us-east'], 'grid_gco2_per_kwh')).toBe(false);
  });
});

describe('default catalog: spot checks against the published figures', () => {
  const cat = defaultCatalog();

  it('H100 SXM: 989 TFLOPS bf16, 1979 TOPS int8, 80 GB, 3.35 TB/s, 700 W', () => {
    const d = cat.devices['h100-sxm'];
    expect(d.class).toBe('gpu');
    expect(d.peak_flops.bf16).toBe(989e12);
    expect(d.peak_flops.int8).toBe(1979e12);
    expect(d.peak_flops.fp8).toBe(1979e12);
    expect(d.memory_bytes).toBe(80e9);
    expect(d.mem_bw_bytes_per_s).toBeCloseTo(3.35e12, -3);
    expect(d.power_max_w).toBe(700);
    expect(d.power_idle_w).toBeGreaterThanOrEqual(60);
    expect(d.power_idle_w).toBeLessThanOrEqual(75);
  });

  it('A100 40GB, T4, MI300X, TPU v5e, Orin AGX, Raspberry Pi 5', () => {
    const a100 = cat.devices['a100-40gb-sxm'];
    expect([a100.peak_flops.bf16, a100.peak_flops.int8, a100.memory_bytes, a100.power_max_w]).toEqual([
      312e12, 624e12, 40e9, 400,
    ]);
    expect(a100.mem_bw_bytes_per_s).toBeCloseTo(1.555e12, -3);
    const t4 = cat.devices['t4'];
    expect(t4.peak_flops.bf16).toBeUndefined(); // Turing has no bf16
    expect([t4.peak_flops.fp16, t4.power_max_w, t4.power_idle_w]).toEqual([65e12, 70, 8]);
    expect(cat.devices['mi300x'].memory_bytes).toBe(192e9);
    expect(cat.devices['tpu-v5e'].peak_flops.int8).toBe(393e12);
    expect(cat.devices['tpu-v5e'].mem_bw_bytes_per_s).toBeCloseTo(819e9, -3);
    expect(cat.devices['tpu-v5e'].power_max_w).toBe(175); // midpoint of the estimate 150–200 W
    const orin = cat.devices['jetson-agx-orin-64gb'];
    expect(orin.class).toBe('edge');
    expect(orin.peak_flops.int8).toBe(170e12 / 2); // the GPU's sparse figure halved (the DLAs are not counted)
    expect(orin.mem_bw_bytes_per_s).toBeCloseTo(204.8e9, -3);
    const pi = cat.devices['raspberry-pi-5'];
    expect(pi.power_idle_w).toBeCloseTo((2.4 + 3.3) / 2, 9);
    expect(pi.power_max_w).toBe(9.5);
  });

  it('idle power of GPUs without a published idle figure is 10% of TDP', () => {
    expect(cat.devices['h100-pcie'].power_idle_w).toBeCloseTo(35, 9);
    expect(cat.devices['mi300x'].power_idle_w).toBeCloseTo(75, 9);
  });

  it('prices: p5.48xlarge after the June 2025 cut, g5.xlarge per region, GCP committed use, GPU clouds', () => {
    const p5 = cat.instances['aws/p5.48xlarge'];
    expect(p5.device).toBe('h100-sxm');
    expect(p5.devices).toBe(8);
    expect(p5.prices['us-east']['on-demand']).toBe(55.04); // was 98.32 before June 2025
    expect(p5.prices['us-east'].spot).toBe(20.2037); // median of four us-east-1 zones
    expect(p5.prices['us-east'].reserved).toBeUndefined(); // no public Savings Plans snapshot
    expect(p5.prices['ap-northeast-2']['on-demand']).toBe(75.9552);
    expect(cat.instances['aws/g5.xlarge'].prices['ap-northeast-2']['on-demand']).toBe(1.237);
    expect(cat.instances['aws/g5.xlarge'].prices['us-east']['on-demand']).toBe(1.006);
    expect(cat.instances['aws/g5.xlarge'].prices['eu-west']['on-demand']).toBe(1.123);
    expect(cat.instances['gcp/tpu-v6e'].prices['ap-northeast-1']['on-demand']).toBe(3.24);
    expect(cat.instances['aws/p4d.24xlarge'].device).toBe('a100-40gb-sxm');
    const nd = cat.instances['azure/nd96isr-h100-v5'];
    expect(nd.prices['us-east']).toEqual({ 'on-demand': 98.32 }); // eastus, 2026-11-09
    expect(nd.prices['ca-central']).toEqual({ 'on-demand': 122.4, spot: 21.8 }); // canadacentral, 2026-08-26
    expect(nd.prices['eu-west-2']).toEqual({ 'on-demand': 122.9, spot: 23.53 }); // uksouth, 2026-08-26
    expect(fieldDate(nd, 'prices.us-east.on-demand')).toBe('2026-11');
    expect(fieldSource(nd, 'prices.ca-central.spot')).toMatch(/^Azure Retail Prices API readings/);
    const a3 = cat.instances['gcp/a3-highgpu-8g'].prices['us-central'];
    expect(a3['on-demand']).toBeCloseTo(8 * 10.9791, 9); // a3-highgpu-1g × 8, Cloud Billing 2026-09-26
    expect(a3.spot).toBeCloseTo(8 * 6.571, 9);
    expect(isEstimated(cat.instances['gcp/a3-highgpu-8g'], 'prices.us-central.on-demand')).toBe(true);
    expect(fieldDate(cat.instances['gcp/a3-highgpu-8g'], 'prices.us-central.on-demand')).toBe('2026-09');
    expect(fieldDate(cat.instances['gcp/a3-highgpu-8g'], 'prices.us-central.reserved')).toBe('2025-03');
    expect(a3.reserved).toBeCloseTo(44810.08066464 / 730, 3); // 1-year committed use, per 730-hour month
    expect(cat.instances['lambda/gpu_8x_h100_sxm5'].prices['us-east']['on-demand']).toBeCloseTo(8 * 3.99, 9);
    expect(cat.instances['coreweave/hgx-h100'].prices['us-east']).toEqual({ 'on-demand': 49.24, spot: 19.71 });
    expect(cat.instances['runpod/h100-sxm-community'].prices['us-east']['on-demand']).toBe(2.69);
  });

  it('host power follows the CCF coefficients (g4dn.xlarge: 4 vCPUs, 16 GB)', () => {
    const g4 = cat.instances['aws/g4dn.xlarge'];
    // 4 × 0.74 W + 16 GB × 0.392 W/GB = 9.232 W idle; 4 × 3.5 + 6.272 = 20.272 W at full load.
    expect(g4.host_power_idle_w).toBeCloseTo(9.232, 6);
    expect(g4.host_power_max_w).toBeCloseTo(20.272, 6);
  });

  it('regions: grid intensity (Google 2025 data) and PUE (AWS 2025 per region)', () => {
    expect(cat.regions['us-east'].grid_gco2_per_kwh).toBe(343.48);
    expect(cat.regions['us-west'].grid_gco2_per_kwh).toBe(97.85);
    expect(cat.regions['ap-northeast-2'].grid_gco2_per_kwh).toBe(359.05);
    expect(cat.regions['eu-central'].grid_gco2_per_kwh).toBe(275.81);
    expect(cat.regions['eu-west'].grid_gco2_per_kwh).toBe(305); // reference midpoint [EST]
    expect(cat.regions['us-east'].pue).toBe(1.15);
    expect(cat.regions['ap-south-1'].pue).toBe(1.4);
    expect(cat.regions['us-central'].pue).toBe(1.11); // Google Council Bluffs
    expect(isEstimated(cat.regions['ap-northeast-2'], 'pue')).toBe(true); // AWS Asia Pacific average
  });

  it('network defaults and RTTs', () => {
    expect(CATALOG_NETWORK_DEFAULTS.egress_usd_per_gb).toBe(0.09);
    expect(CATALOG_NETWORK_DEFAULTS.inter_region_usd_per_gb).toBe(0.02);
    expect(CATALOG_NETWORK_DEFAULTS.energy_kwh_per_gb).toBe(0.001);
    const rtt = (a: string, b: string) =>
      CATALOG_RTT_MS.find((r) => (r.a === a && r.b === b) || (r.a === b && r.b === a))?.rtt_ms;
    expect(rtt('ap-northeast-2', 'us-east')).toBe(177);
    expect(rtt('us-east', 'ap-northeast-1')).toBe(154.5); // midpoint of 145–164
    expect(rtt('ap-northeast-1', 'ap-northeast-2')).toBe(31);
    const known = new Set([...Object.keys(defaultCatalog().regions), 'eu-central']);
    const pairs = new Set<string>();
    for (const r of CATALOG_RTT_MS) {
      expect(known.has(r.a) && known.has(r.b), `${r.a} <-> ${r.b}`).toBe(true);
      expect(r.a).not.toBe(r.b);
      expectPositive(`${r.a}<->${r.b}`, 'rtt_ms', r.rtt_ms);
      expect(r.source).not.toBe('');
      const key = [r.a, r.b].sort().join('|');
      expect(pairs.has(key), `duplicate pair ${key}`).toBe(false);
      pairs.add(key);
    }
  });

  it('has RTTs for the regions added in 2026 where a public table covers both ends, dated and marked', () => {
    const row = (a: string, b: string) =>
      CATALOG_RTT_MS.find((r) => (r.a === a && r.b === b) || (r.a === b && r.b === a));
    // IBM Cloud's table, 15 Sep 2024: Washington DC ↔ São Paulo 119 / 118 ms, mean of the two directions.
    expect(row('us-east', 'sa-east')?.rtt_ms).toBe(118.5);
    expect(row('eu-west-2', 'eu-central')?.rtt_ms).toBe(13);
    expect(row('ap-southeast-2', 'ap-northeast-1')?.rtt_ms).toBe(115);
    for (const r of CATALOG_RTT_MS.filter((x) => x.source.startsWith('IBM Cloud'))) {
      expect(r.as_of).toBe('2024-09');
      expect(r.notes).toMatch(/\[EST\]/);
    }
    // The pairs no earlier table covered (all of us-central's and ap-south-1's among them) come from Azure's
    // table of July 2026, each saying which Azure regions were measured.
    expect(row('us-central', 'us-east')?.rtt_ms).toBe(28.5); // Central US 29 / East US 28
    expect(row('ap-south-1', 'ap-southeast-1')?.rtt_ms).toBe(53);
    expect(row('eu-north', 'ap-south-1')?.rtt_ms).toBe(160.5); // 157 one way, 164 the other
    for (const r of CATALOG_RTT_MS.filter((x) => x.source.startsWith('Microsoft Azure'))) {
      expect(r.as_of).toBe('2026-07');
      expect(r.notes).toMatch(/^Measured between Azure .* and .*\[EST\]/);
    }
    // Plausible: no pair of regions is further apart than the antipodes (~400 ms round trip in fibre).
    for (const r of CATALOG_RTT_MS) expect(r.rtt_ms).toBeLessThan(400);
  });

  it('has an RTT, with a source and date, for every pair of catalog regions, so users and sites anywhere need none', () => {
    const ids = Object.keys(defaultCatalog().regions).sort();
    const byPair = new Map(CATALOG_RTT_MS.map((r) => [[r.a, r.b].sort().join('|'), r]));
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const r = byPair.get(`${ids[i]}|${ids[j]}`);
        expect(r, `${ids[i]} <-> ${ids[j]}`).toBeDefined();
        expect(r!.source, `${ids[i]} <-> ${ids[j]}`).toMatch(/\S/);
        expect(r!.as_of ?? CATALOG_AS_OF).toMatch(DATE);
      }
    }
    expect(CATALOG_RTT_MS.length).toBe((ids.length * (ids.length - 1)) / 2);
  });

  it('lets a scenario use a new region without typing its RTTs', () => {
    const text = [
      'name: rtt-new-region',
      'duration: 60s',
      'regions: { us-east: {}, sa-east: {} }',
      'sites:',
      '  dc: { kind: cloud, region: us-east, pools: { a: { instance: aws/g5.xlarge, replicas: 1 } } }',
      'users:',
      '  sp: { region: sa-east, access_rtt: { edge: 8ms, cloud: 25ms } }',
      'models:',
      '  llama-3.2-3b: { params: 3.21e9, dtype: int8 }',
      'services:',
      '  chat:',
      '    model: llama-3.2-3b',
      '    users: sp',
      '    arrivals: { poisson: 1/s }',
      '    request: { input_tokens: 100, output_tokens: 10 }',
      'policies: [cloud-only]',
    ].join('\n');
    const sc = loadScenarioText(text, 'rtt.yaml');
    expect(sc.network.rtt_s[0][1]).toBeCloseTo(0.1185, 9);
  });
});

describe('defaultCatalog() copies', () => {
  it('returns independent deep copies', () => {
    const a = defaultCatalog();
    const b = defaultCatalog();
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    a.devices['h100-sxm'].peak_flops.bf16 = 1;
    a.devices['h100-sxm'].estimated!.push('memory_bytes');
    a.instances['aws/p5.48xlarge'].prices['us-east']['on-demand'] = 1;
    a.regions['us-east'].sources!.pue = 'changed';
    a.regions['us-east'].pue = 2;
    delete a.devices['t4'];
    const c = defaultCatalog();
    expect(c.devices['h100-sxm'].peak_flops.bf16).toBe(989e12);
    expect(c.devices['h100-sxm'].estimated).toEqual(['power_idle_w']);
    expect(c.instances['aws/p5.48xlarge'].prices['us-east']['on-demand']).toBe(55.04);
    expect(c.regions['us-east'].sources!.pue).not.toBe('changed');
    expect(c.regions['us-east'].pue).toBe(1.15);
    expect(c.devices['t4']).toBeDefined();
    expect(b.devices['h100-sxm'].peak_flops.bf16).toBe(989e12);
  });
});

describe('formatCatalog / catalogAsJson', () => {
  const cat = defaultCatalog();

  it('lists every device id with human units and estimate marks', () => {
    const text = formatCatalog(cat, 'devices');
    for (const id of Object.keys(cat.devices)) expect(text).toMatch(new RegExp(`^${id}\\s`, 'm'));
    const h100 = text.split('\n').find((l) => l.startsWith('h100-sxm '))!;
    // bf16 TFLOPS, 80 GB, 3350 GB/s, 700 W, idle estimate 67.5 W marked.
    expect(h100).toMatch(/\b989\b/);
    expect(h100).toMatch(/\s80\s/);
    expect(h100).toMatch(/\s3350\s/);
    expect(h100).toMatch(/\s~67\.5\s/);
    expect(h100).toContain('NVIDIA H100');
    expect(text).not.toContain('\u001b['); // no colours
    expect(text).not.toMatch(/\de[+-]\d/); // no exponent notation
  });

  it('aligns columns: every data row of the device table starts its columns at the same offsets', () => {
    const lines = formatCatalog(cat, 'devices').split('\n');
    const rule = lines[1];
    const starts = [...rule.matchAll(/-+/g)].map((m) => m.index);
    for (const line of lines.slice(2, 2 + Object.keys(cat.devices).length)) {
      for (const s of starts.slice(1)) expect(line[s - 1], line).toBe(' ');
    }
  });

  it('lists instance prices per region and region defaults', () => {
    const inst = formatCatalog(cat, 'instances');
    for (const id of Object.keys(cat.instances)) expect(inst).toContain(id);
    const g5rows = inst.split('\n').filter((l) => l.startsWith('aws/g5.xlarge '));
    expect(g5rows).toHaveLength(Object.keys(cat.instances['aws/g5.xlarge'].prices).length);
    expect(g5rows.some((l) => l.includes('ap-northeast-2') && l.includes('1.237'))).toBe(true);
    const p5east = inst.split('\n').find((l) => l.startsWith('aws/p5.48xlarge ') && l.includes(' us-east '));
    expect(p5east).toMatch(/55\.04\s+~20\.2037\s+-\s+6\.88\s/); // on-demand, spot [EST], reserved, $/GPU-h
    const ndEast = inst.split('\n').find((l) => l.startsWith('azure/nd96isr-h100-v5 ') && l.includes(' us-east '));
    expect(ndEast).toMatch(/98\.32\s+-\s+-\s+12\.29\s+2026-11\s+data-receipts/); // the row's own date and source
    const ndUk = inst.split('\n').find((l) => l.startsWith('azure/nd96isr-h100-v5 ') && l.includes(' eu-west-2 '));
    expect(ndUk).toMatch(/122\.9\s+23\.53\s+-\s+15\.36\s+2026-08\s+Azure Retail Prices API/);
    const regions = formatCatalog(cat, 'regions');
    expect(regions.split('\n').find((l) => l.startsWith('eu-west '))).toMatch(/europe\s+~305\s+1\.1\s/);
  });

  it('returns plain JSON data in base units, sorted by id, detached from the catalog', () => {
    const json = catalogAsJson(cat, 'devices');
    const roundTrip = JSON.parse(JSON.stringify(json));
    expect(roundTrip).toEqual(json);
    const ids = (json.entries as { id: string }[]).map((e) => e.id);
    expect(ids).toEqual(Object.keys(cat.devices).sort());
    const h100 = (json.entries as { id: string; mem_bw_bytes_per_s: number }[]).find((e) => e.id === 'h100-sxm')!;
    expect(h100.mem_bw_bytes_per_s).toBeCloseTo(3.35e12, -3);
    h100.mem_bw_bytes_per_s = 0;
    expect(cat.devices['h100-sxm'].mem_bw_bytes_per_s).toBeCloseTo(3.35e12, -3);
    expect(catalogAsJson(cat, 'instances').entries).toHaveLength(Object.keys(cat.instances).length);
    expect(catalogAsJson(cat, 'regions').units.grid_gco2_per_kwh).toBe('gCO2e/kWh');
  });
});

describe('default catalog: what a planner compares (issue 12)', () => {
  const cat = defaultCatalog();
  const instances = Object.values(cat.instances);
  const regions = Object.values(cat.regions);
  // A web address inside a citation, e.g. "github.com/..." or "coreweave.com/pricing".
  const ADDRESS = /\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|ai|io|net)\b/;

  it('prices at least three hyperscalers and two GPU clouds, each provider classified', () => {
    const providers = new Set(instances.map((i) => i.provider));
    for (const p of providers) expect(CATALOG_PROVIDERS[p], `provider ${p}`).toBeDefined();
    const kind = (k: string) => [...providers].filter((p) => CATALOG_PROVIDERS[p].kind === k);
    expect(kind('hyperscaler').sort()).toEqual(['aws', 'azure', 'gcp']);
    expect(kind('gpu-cloud').length).toBeGreaterThanOrEqual(2);
  });

  it('has at least 12 regions in the Americas, Europe and Asia-Pacific', () => {
    expect(regions.length).toBeGreaterThanOrEqual(12);
    for (const area of GEO_AREAS) {
      expect(regions.filter((r) => r.area === area).length, area).toBeGreaterThanOrEqual(3);
    }
    for (const r of regions) expect(GEO_AREAS, r.id).toContain(r.area);
  });

  it('cites, for every region, where its grid intensity and its PUE come from', () => {
    for (const r of regions) {
      for (const field of ['grid_gco2_per_kwh', 'pue']) {
        const src = r.sources?.[field] ?? '';
        expect(src.trim(), `${r.id} ${field} source`).not.toBe('');
        expect(splitSources(r.source), `${r.id} source names the ${field} source`).toEqual(
          expect.arrayContaining(splitSources(src)),
        );
      }
      expect(r.notes ?? '', r.id).toMatch(/Grid: .*PUE: /);
    }
  });

  it('gives every instance and region a source with a web address and an as_of', () => {
    for (const e of [...instances, ...regions]) {
      expect(e.source, e.id).toMatch(ADDRESS);
      expect(e.as_of, e.id).toMatch(DATE);
    }
  });

  it('has sane prices: H100 on-demand 1–20 $/GPU-h, spot and committed below on-demand', () => {
    let h100 = 0;
    for (const i of instances) {
      for (const [region, p] of Object.entries(i.prices)) {
        const perDevice = p['on-demand'] / i.devices;
        const at = `${i.id} ${region}`;
        if (i.device === 'h100-sxm') {
          h100++;
          expect(perDevice, at).toBeGreaterThan(1);
          expect(perDevice, at).toBeLessThan(20); // GCP São Paulo is the dearest, 17.6
        }
        if (i.device.startsWith('a100')) expect(perDevice, at).toBeLessThan(6);
        if (p.spot !== undefined) expect(p.spot / p['on-demand'], `${at} spot`).toBeLessThan(1);
        if (p.reserved !== undefined) {
          expect(p.reserved / p['on-demand'], `${at} reserved`).toBeLessThan(1);
          expect(p.reserved / p['on-demand'], `${at} reserved`).toBeGreaterThan(0.3);
        }
      }
    }
    expect(h100).toBeGreaterThanOrEqual(10);
    // GPU clouds rent an H100 for a fraction of the hyperscalers' list price.
    const perGpu = (id: string) => cat.instances[id].prices['us-east']['on-demand'] / cat.instances[id].devices;
    expect(perGpu('runpod/h100-sxm-community')).toBeLessThan(perGpu('aws/p5.48xlarge') / 2);
    expect(perGpu('lambda/gpu_8x_h100_sxm5')).toBeLessThan(perGpu('aws/p5.48xlarge'));
  });

  it('prices the main H100 instances in several regions, with spot and committed prices where published', () => {
    expect(Object.keys(cat.instances['aws/p5.48xlarge'].prices).length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(cat.instances['gcp/a3-highgpu-8g'].prices).length).toBeGreaterThanOrEqual(12);
    const priced = new Set(instances.flatMap((i) => Object.keys(i.prices)));
    expect(priced.size).toBeGreaterThanOrEqual(12);
    expect(instances.some((i) => Object.values(i.prices).some((p) => p.reserved !== undefined))).toBe(true);
    expect(
      instances.filter((i) => Object.values(i.prices).some((p) => p.spot !== undefined)).length,
    ).toBeGreaterThanOrEqual(5);
  });

  it(`dates every price, none before ${PRICE_FLOOR} (Azure none before ${AZURE_FLOOR})`, () => {
    for (const i of instances) {
      for (const [region, p] of Object.entries(i.prices)) {
        for (const kind of PRICINGS.filter((k) => p[k] !== undefined)) {
          const field = `prices.${region}.${kind}`;
          const date = fieldDate(i, field);
          expect(date, `${i.id} ${field}`).toMatch(DATE);
          expect(date >= PRICE_FLOOR, `${i.id} ${field} dated ${date}`).toBe(true);
          // as_of is the oldest of an entry's dates.
          expect(date >= i.as_of, `${i.id} ${field} dated ${date}, before as_of ${i.as_of}`).toBe(true);
          if (i.provider === 'azure') expect(date >= AZURE_FLOOR, `${i.id} ${field} dated ${date}`).toBe(true);
        }
      }
    }
  });

  it(`prices every Azure instance in at least ${AZURE_MIN_REGIONS} regions, each region's price cited`, () => {
    const azure = instances.filter((i) => i.provider === 'azure');
    expect(azure.length).toBeGreaterThan(0);
    for (const i of azure) {
      const regions = Object.keys(i.prices);
      expect(regions.length, i.id).toBeGreaterThanOrEqual(AZURE_MIN_REGIONS);
      for (const region of regions) {
        const src = fieldSource(i, `prices.${region}`);
        expect(src, `${i.id} ${region}`).toMatch(ADDRESS);
        expect(src, `${i.id} ${region}: one publication, not the entry's whole list`).not.toContain('; ');
      }
      // Which Azure region each catalog region means, and where Azure has none, is written down.
      expect(i.notes ?? '', i.id).toMatch(/Azure regions: us-east = eastus/);
      expect(i.notes ?? '', i.id).toMatch(/Azure has no .* in those catalog regions/);
    }
  });
});

describe('catalogSources / formatSources / placesim catalog --sources', () => {
  const cat = defaultCatalog();

  it('lists every publication that any entry, network default or RTT cites, once', () => {
    const sources = catalogSources(cat);
    const names = sources.map((s) => s.source);
    expect(new Set(names).size).toBe(names.length);
    for (const section of [cat.devices, cat.instances, cat.regions]) {
      for (const e of Object.values(section) as Provenance[]) {
        for (const s of splitSources(e.source)) expect(names, s).toContain(s);
        for (const s of Object.values(e.sources ?? {})) expect(names, s).toContain(s);
      }
    }
    for (const s of Object.values(CATALOG_NETWORK_DEFAULTS.sources)) expect(names).toContain(s);
    for (const r of CATALOG_RTT_MS) expect(names).toContain(r.source);
    const ccf = sources.find((s) => s.source.startsWith('Cloud Carbon Footprint (CCF) methodology'))!;
    expect(ccf.cited_by).toContain('instance aws/p5.48xlarge');
    expect(ccf.cited_by).toContain('device t4');
    const pue = sources.find((s) => s.source.startsWith('AWS per-region PUE'))!;
    expect(pue.cited_by).toContain('region us-east (pue)');
    expect(pue.cited_by).not.toContain('region us-east');
  });

  it('prints a numbered list with as_of and what cites each source', () => {
    const text = formatSources(cat);
    const n = catalogSources(cat).length;
    expect(text).toMatch(new RegExp(`^${n} publications cited`));
    expect(text).toMatch(/^1\. {2}\S/m);
    expect(text).toMatch(new RegExp(`^${n}\\. `, 'm'));
    expect(text).toContain('as_of 2026-11');
    expect(text).toContain('instance coreweave/hgx-h100');
    // The per-region Azure prices and the Azure RTT table, each with the month it was read.
    expect(text).toMatch(
      /Azure Retail Prices API readings[^]*?as_of 2026-08\. Cited by: instance azure\/nd96isr-h100-v5 \(prices\.ca-central\)/,
    );
    expect(text).toMatch(/Microsoft Azure network round-trip latency[^]*?as_of 2026-07\. Cited by: rtt /);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(110);
  });

  it('placesim catalog --sources prints the list; with --json, the same data as JSON', async () => {
    const r = await cli('catalog', '--sources');
    expect(r.code).toBe(0);
    expect(r.out).toBe(formatSources(cat));
    const j = await cli('catalog', '--sources', '--json');
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toEqual({ sources: catalogSources(cat) });
  });
});
