import { describe, it, expect } from 'vitest';
import {
  CATALOG_AS_OF,
  CATALOG_NETWORK_DEFAULTS,
  CATALOG_RTT_MS,
  defaultCatalog,
} from '../src/hardware/catalog.js';
import { catalogAsJson, formatCatalog, isEstimated } from '../src/hardware/catalog-list.js';
import { DEVICE_CLASSES, DTYPES } from '../src/model/types.js';
import type { Provenance } from '../src/model/types.js';

const DATE = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;

function expectProvenance(id: string, p: Provenance) {
  expect(p.source.trim(), `${id} source`).not.toBe('');
  expect(p.as_of, `${id} as_of`).toMatch(DATE);
}

function expectPositive(id: string, field: string, x: unknown) {
  expect(typeof x, `${id}.${field} type`).toBe('number');
  expect(Number.isFinite(x as number) && (x as number) > 0, `${id}.${field} = ${x}`).toBe(true);
}

describe('default catalog: shape and provenance', () => {
  const cat = defaultCatalog();
  const devices = Object.values(cat.devices);

  it('has at least 14 devices spanning every device class', () => {
    expect(devices.length).toBeGreaterThanOrEqual(14);
    for (const cls of DEVICE_CLASSES) {
      expect(devices.some((d) => d.class === cls), `class ${cls}`).toBe(true);
    }
  });

  it('contains the devices, instances and regions the scenarios and docs rely on', () => {
    for (const id of [
      'h100-sxm', 'h100-pcie', 'h200-sxm', 'a100-80gb-sxm', 'a100-40gb-sxm', 'l4', 't4', 'a10g', 'mi300x',
      'tpu-v4', 'tpu-v5e', 'tpu-v5p', 'tpu-v6e', 'epyc-9654', 'xeon-8480', 'graviton3', 'generic-cpu',
      'jetson-agx-orin-64gb', 'jetson-orin-nx-16gb', 'jetson-orin-nano-8gb', 'jetson-orin-nano-super',
      'coral-edge-tpu', 'apple-m4', 'snapdragon-8-gen3', 'raspberry-pi-5',
    ]) {
      expect(cat.devices[id], id).toBeDefined();
    }
    for (const id of [
      'aws/p5.48xlarge', 'aws/p5en.48xlarge', 'aws/p4d.24xlarge', 'aws/p4de.24xlarge', 'aws/g5.xlarge',
      'aws/g6.12xlarge', 'aws/g4dn.xlarge', 'gcp/tpu-v5e', 'gcp/tpu-v5p', 'gcp/tpu-v6e', 'azure/nd96isr-h100-v5',
    ]) {
      expect(cat.instances[id], id).toBeDefined();
    }
    for (const id of ['us-east', 'us-west', 'eu-west', 'eu-north', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1']) {
      expect(cat.regions[id], id).toBeDefined();
    }
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
            expect(price[p]!, `${i.id} ${p} below on-demand`).toBeLessThan(price['on-demand']);
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
    const deviceFields = ['memory_bytes', 'mem_bw_bytes_per_s', 'power_max_w', 'power_idle_w', 'peak_flops',
      ...DTYPES.map((t) => `peak_flops.${t}`)];
    for (const d of devices) {
      for (const f of d.estimated ?? []) expect(['all', ...deviceFields], `${d.id}: ${f}`).toContain(f);
      if (d.estimated?.length) expect(d.notes ?? '', d.id).not.toBe('');
    }
    for (const i of Object.values(cat.instances)) {
      for (const f of i.estimated ?? []) {
        expect(f === 'host_power_idle_w' || f === 'host_power_max_w' || /^prices\.[a-z0-9-]+\.(on-demand|spot|reserved)$/.test(f),
          `${i.id}: ${f}`).toBe(true);
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
    expect([a100.peak_flops.bf16, a100.peak_flops.int8, a100.memory_bytes, a100.power_max_w]).toEqual([312e12, 624e12, 40e9, 400]);
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
    expect(orin.peak_flops.int8).toBe(275e12 / 2); // datasheet sparse figure halved
    expect(orin.mem_bw_bytes_per_s).toBeCloseTo(204.8e9, -3);
    const pi = cat.devices['raspberry-pi-5'];
    expect(pi.power_idle_w).toBeCloseTo((2.4 + 3.3) / 2, 9);
    expect(pi.power_max_w).toBe(9.5);
  });

  it('idle power of GPUs without a published idle figure is 10% of TDP', () => {
    expect(cat.devices['h100-pcie'].power_idle_w).toBeCloseTo(35, 9);
    expect(cat.devices['mi300x'].power_idle_w).toBeCloseTo(75, 9);
  });

  it('prices: p5.48xlarge, g5.xlarge in two regions, TPU v6e in Tokyo', () => {
    const p5 = cat.instances['aws/p5.48xlarge'];
    expect(p5.device).toBe('h100-sxm');
    expect(p5.devices).toBe(8);
    expect(p5.prices['us-east']['on-demand']).toBe(98.32);
    expect(p5.prices['us-east'].spot).toBe(27); // midpoint of 23–31
    expect(p5.prices['us-east'].reserved).toBeUndefined();
    expect(cat.instances['aws/g5.xlarge'].prices['ap-northeast-2']['on-demand']).toBe(1.237);
    expect(cat.instances['aws/g5.xlarge'].prices['us-east']['on-demand']).toBe(1.006);
    expect(cat.instances['gcp/tpu-v6e'].prices['ap-northeast-1']['on-demand']).toBe(3.24);
    expect(cat.instances['aws/p4d.24xlarge'].device).toBe('a100-40gb-sxm');
    expect(cat.instances['azure/nd96isr-h100-v5'].prices['us-east']['on-demand']).toBe(117.98);
  });

  it('host power follows the CCF coefficients (g4dn.xlarge: 4 vCPUs, 16 GB)', () => {
    const g4 = cat.instances['aws/g4dn.xlarge'];
    // 4 × 0.74 W + 16 GB × 0.392 W/GB = 9.232 W idle; 4 × 3.5 + 6.272 = 20.272 W at full load.
    expect(g4.host_power_idle_w).toBeCloseTo(9.232, 6);
    expect(g4.host_power_max_w).toBeCloseTo(20.272, 6);
  });

  it('regions: grid intensity and PUE', () => {
    expect(cat.regions['us-east'].grid_gco2_per_kwh).toBe(323);
    expect(cat.regions['us-west'].grid_gco2_per_kwh).toBe(79);
    expect(cat.regions['ap-northeast-2'].grid_gco2_per_kwh).toBe(357);
    expect(cat.regions['eu-west'].grid_gco2_per_kwh).toBe(305);
    expect(cat.regions['us-east'].pue).toBe(1.15);
    expect(cat.regions['eu-central']).toBeUndefined(); // no sourced grid figure
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
    a.regions['us-east'].pue = 2;
    delete a.devices['t4'];
    const c = defaultCatalog();
    expect(c.devices['h100-sxm'].peak_flops.bf16).toBe(989e12);
    expect(c.devices['h100-sxm'].estimated).toEqual(['power_idle_w']);
    expect(c.instances['aws/p5.48xlarge'].prices['us-east']['on-demand']).toBe(98.32);
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
    expect(text).not.toMatch(/\u001b\[/); // no colours
    expect(text).not.toMatch(/\de[+-]\d/); // no exponent notation
  });

  it('aligns columns: every data row of the device table starts its columns at the same offsets', () => {
    const lines = formatCatalog(cat, 'devices').split('\n');
    const rule = lines[1];
    const starts = [...rule.matchAll(/-+/g)].map((m) => m.index!);
    for (const line of lines.slice(2, 2 + Object.keys(cat.devices).length)) {
      for (const s of starts.slice(1)) expect(line[s - 1], line).toBe(' ');
    }
  });

  it('lists instance prices per region and region defaults', () => {
    const inst = formatCatalog(cat, 'instances');
    for (const id of Object.keys(cat.instances)) expect(inst).toContain(id);
    const g5rows = inst.split('\n').filter((l) => l.startsWith('aws/g5.xlarge '));
    expect(g5rows).toHaveLength(2);
    expect(g5rows.some((l) => l.includes('ap-northeast-2') && l.includes('1.237'))).toBe(true);
    expect(inst.split('\n').find((l) => l.startsWith('aws/p5.48xlarge '))).toMatch(/98\.32\s+~27\s/);
    expect(inst.split('\n').find((l) => l.startsWith('azure/nd96isr-h100-v5 '))).toContain('117.98');
    const regions = formatCatalog(cat, 'regions');
    expect(regions.split('\n').find((l) => l.startsWith('eu-west '))).toMatch(/~305\s+1\.15/);
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
