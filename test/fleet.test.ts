import { describe, it, expect } from 'vitest';
import { InputError } from '../src/errors.js';
import { loadScenarioText } from '../src/scenario/index.js';
import { instanceName } from '../src/scenario/fleet.js';
import { runScenario } from '../src/sim/index.js';
import { buildPlan, runPolicy } from '../src/sim/index.js';
import { builtinPolicy } from '../src/placement/builtin.js';
import { BUILTIN_POLICY_NAMES } from '../src/placement/names.js';
import { loadScenarioFile } from '../src/scenario/index.js';
import { pickCumulative } from '../src/sim/arrivals.js';
import { SharePicker } from '../src/sim/share-pick.js';
import { renderHtml, renderTable, writeCsv } from '../src/report/index.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_TIMEOUT_MS } from './helpers/timeouts.js';

const COMMON = `
seed: 4
duration: 2m
warmup: 10s
regions: { us-east: {}, us-west: {} }
models:
  det: { flops_per_item: 8.7e9, weights: 3.2MB, dtype: int8 }
`;

const CLOUD = `
  cloud-east:
    kind: cloud
    region: us-east
    pools: { t4: { instance: aws/g4dn.xlarge, replicas: 1 } }
`;

const FLEET_FILE = `name: fleet-test
${COMMON}
sites:
${CLOUD}
fleets:
  store:
    count: 5
    regions: [us-east, us-west]
    demand: [1, 2, 1, 1, 1]
    access_rtt: { cloud: [20ms, 30ms] }
    site:
      kind: edge
      pools:
        box: { device: jetson-orin-nx-16gb, count: 1, capex_usd: 699, lifetime: 3y }
    users:
      cams: { access_rtt: { edge: 1ms, cloud: 99ms } }
    outages:
      - { what: uplink, instances: [2], start: 30s, duration: 30s }
services:
  detect:
    model: det
    users: store
    arrivals: { poisson: 20/s }
    request: { items: 1, upload: 100KB, download: 1KB }
    slo: { latency: 300ms }
policies: [edge-first, least-latency]
`;

/** The same scenario as FLEET_FILE, written out by hand. */
const HAND_FILE = `name: fleet-test
${COMMON}
sites:
${CLOUD}
${[1, 2, 3, 4, 5]
  .map(
    (n) => `  store-000${n}:
    kind: edge
    region: ${n % 2 === 1 ? 'us-east' : 'us-west'}
    serves: [store-000${n}/cams]
    pools:
      box: { device: jetson-orin-nx-16gb, count: 1, capex_usd: 699, lifetime: 3y }
`,
  )
  .join('')}
users:
${[1, 2, 3, 4, 5]
  .map(
    (n) => `  store-000${n}/cams:
    region: ${n % 2 === 1 ? 'us-east' : 'us-west'}
    access_rtt: { edge: 1ms, cloud: ${n % 2 === 1 ? 20 : 30}ms }
`,
  )
  .join('')}
outages:
  - { uplink: store-0002, start: 30s, duration: 30s }
services:
  detect:
    model: det
    users:
      - { user: store-0001/cams, weight: 1 }
      - { user: store-0002/cams, weight: 2 }
      - { user: store-0003/cams, weight: 1 }
      - { user: store-0004/cams, weight: 1 }
      - { user: store-0005/cams, weight: 1 }
    arrivals: { poisson: 20/s }
    request: { items: 1, upload: 100KB, download: 1KB }
    slo: { latency: 300ms }
policies: [edge-first, least-latency]
`;

function loadError(text: string): InputError {
  try {
    loadScenarioText(text, 'f.yaml');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('fleets', () => {
  it('names instances predictably', () => {
    expect(instanceName('store-{n}', 1, 50)).toBe('store-0001');
    expect(instanceName('farm-{n}', 12, 20000)).toBe('farm-00012');
  });

  it('expands into the same sites, users, outages and shares as the file written by hand', () => {
    const a = loadScenarioText(FLEET_FILE, 'a.yaml');
    const b = loadScenarioText(HAND_FILE, 'b.yaml');
    const strip = (s: typeof a) => ({
      sites: s.sites,
      users: s.users,
      pools: s.pools.map((p) => ({ ...p })),
      outages: s.outages,
      services: s.services,
    });
    expect(strip(a)).toEqual(strip(b));
    expect(a.fleets).toEqual([
      {
        name: 'store',
        sites: [1, 2, 3, 4, 5],
        users: [[0], [1], [2], [3], [4]],
      },
    ]);
  });

  it(
    'runs like the hand-written file, and aggregates the instances by default',
    () => {
      const a = runScenario(loadScenarioText(FLEET_FILE, 'a.yaml'), { instances: true });
      const b = runScenario(loadScenarioText(HAND_FILE, 'a.yaml'));
      expect(a.policies.map((p) => p.fleets)).toBeDefined();
      // With --instances the pools are the same as the hand-written file's.
      expect(a.policies.map((p) => p.pools)).toEqual(b.policies.map((p) => p.pools));
      expect(a.policies.map((p) => p.totals)).toEqual(b.policies.map((p) => p.totals));
      const agg = runScenario(loadScenarioText(FLEET_FILE, 'a.yaml'));
      const p = agg.policies[0];
      expect(p.pools.map((x) => x.name)).toEqual(['cloud-east/t4']);
      expect(p.fleets).toHaveLength(1);
      const f = p.fleets![0];
      expect(f.name).toBe('store/box');
      expect(f.instances).toBe(5);
      expect(f.placements).toBe(p.services[0].placements['store/box']);
      expect(f.utilisation_p50).toBeLessThanOrEqual(f.utilisation_p95);
      expect(f.utilisation_p95).toBeLessThanOrEqual(f.utilisation_max);
      expect(p.timeseries.pools.map((x) => x.name)).toEqual(['cloud-east/t4']);
      const table = renderTable(agg);
      expect(table).toContain('fleet store/box (5 instances)');
      expect(table).not.toContain('store-0003/box');
      // CSV gets a fleets.csv; HTML and JSON render.
      const dir = mkdtempSync(join(tmpdir(), 'fleet-csv-'));
      const files = writeCsv(agg, dir);
      expect(files.some((f) => f.endsWith('fleets.csv'))).toBe(true);
      expect(readFileSync(join(dir, 'fleets.csv'), 'utf8')).toContain('store/box');
      expect(renderHtml(agg)).toContain('<html');
      // Without fleets there is no fleets field at all (old Results are unchanged).
      const plain = runScenario(loadScenarioText(HAND_FILE, 'b.yaml'));
      expect('fleets' in plain.policies[0]).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it('spreads regions by weight and draws demand from its own stream', () => {
    const text = FLEET_FILE.replace('regions: [us-east, us-west]', 'regions: { weights: { us-east: 3, us-west: 1 } }')
      .replace('demand: [1, 2, 1, 1, 1]', 'demand: { lognormal: 1, cv: 0.5 }')
      .replace('count: 5', 'count: 8');
    const s = loadScenarioText(text, 'w.yaml');
    const regions = s.sites.slice(1).map((x) => s.regions[x.region].name);
    expect(regions.filter((r) => r === 'us-east')).toHaveLength(6);
    const shares = s.services[0].users.map((u) => u.weight);
    expect(new Set(shares).size).toBe(8);
    // Same seed, same draws; another seed, other draws.
    expect(loadScenarioText(text, 'w.yaml').services[0].users).toEqual(s.services[0].users);
    expect(loadScenarioText(text, 'w.yaml', { seed: 9 }).services[0].users).not.toEqual(s.services[0].users);
  });

  it('reports errors at the fleet field with line:col', () => {
    const bad = FLEET_FILE.replace('device: jetson-orin-nx-16gb', 'device: jetson-orin-nx-16');
    const e = loadError(bad);
    expect(e.message).toMatch(/^f\.yaml:\d+:\d+: fleets\.store\.site\.pools\.box\.device: unknown catalog device/);
    const region = loadError(FLEET_FILE.replace('regions: [us-east, us-west]', 'regions: [us-east, us-wst]'));
    expect(region.message).toMatch(/fleets\.store\.regions\[1\]: unknown region "us-wst" \(did you mean "us-west"\?\)/);
    expect(region.line).toBeGreaterThan(0);
    const users = loadError(FLEET_FILE.replace('users: store\n', 'users: store/camz\n'));
    expect(users.message).toMatch(/services\.detect\.users: fleet "store" has no user group "camz"/);
    const inst = loadError(FLEET_FILE.replace('instances: [2]', 'instances: [9]'));
    expect(inst.message).toMatch(/fleets\.store\.outages\[0\]\.instances\[0\]: instance 9 is beyond/);
  });

  it('the pruned view gives the built-ins the same answers as the full view', () => {
    const s = loadScenarioText(FLEET_FILE, 'a.yaml');
    const plan = buildPlan(s);
    for (const name of ['edge-first', 'least-latency', 'nearest', 'cheapest-within-slo', 'carbon-aware']) {
      const pruned = builtinPolicy(name)!;
      const full = { ...pruned, candidates: 'all' as const };
      const a = runPolicy(plan, pruned);
      const b = runPolicy(plan, full);
      expect(a.services[0].placements).toEqual(b.services[0].placements);
      expect(a.events).toBe(b.events);
    }
  });

  it(
    'the pruned view and the full view give every built-in the same Result on shipped scenarios (LAN, outages, hourly grid)',
    () => {
      // Lighter copies of the files (the same events, at a rate that keeps ~20,000 requests per run).
      for (const file of ['retail-chain', 'smart-camera', 'edge-outage', 'carbon-regions', 'eu-residency']) {
        const s = loadScenarioFile(`scenarios/${file}.yaml`);
        const total = s.services.reduce(
          (a, svc) => a + (svc.arrivals.kind === 'poisson' ? svc.arrivals.rate_per_s * s.duration_s : 0),
          0,
        );
        const scale = Math.min(1, 20_000 / total);
        for (const svc of s.services) if (svc.arrivals.kind === 'poisson') svc.arrivals.rate_per_s *= scale;
        for (const name of BUILTIN_POLICY_NAMES) {
          const pruned = builtinPolicy(name)!;
          expect(pruned.candidates).toBe('reachable');
          const full = { ...pruned, candidates: 'all' as const };
          const a = runScenario(s, { policies: [pruned] }).policies[0];
          const b = runScenario(s, { policies: [full] }).policies[0];
          expect(JSON.stringify(a), `${file}, ${name}`).toBe(JSON.stringify(b));
        }
      }
    },
    TEST_TIMEOUT_MS,
  );

  it('picks from a cumulative table by binary search', () => {
    const cum = Float64Array.from([0.25, 0.5, 0.75, 1]);
    expect(pickCumulative(cum, 0)).toBe(0);
    expect(pickCumulative(cum, 0.25)).toBe(1);
    expect(pickCumulative(cum, 0.74)).toBe(2);
    expect(pickCumulative(cum, 0.9999)).toBe(3);
    expect(pickCumulative(cum, 1)).toBe(3);
  });

  it('picks the group a binary search picks, through the guide table (zero shares and exact sums included)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const n of [33, 100, 1000, 10_000]) {
      const weights = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : rand()));
      const total = weights.reduce((a, b) => a + b, 0);
      const shares = weights.map((w) => w / total);
      const groups = shares.map((_, i) => 5 * i + 1);
      let sum = 0;
      const cum = Float64Array.from(shares, (w) => (sum += w));
      const picker = new SharePicker(shares, groups);
      const draws = [0, 1 - 2 ** -53, ...Array.from(cum.slice(0, 50)), ...Array.from({ length: 20_000 }, rand)];
      for (const u of draws) expect(picker.pick(u)).toBe(groups[pickCumulative(cum, u)]);
    }
  });
});

describe('loading a large file', () => {
  it('still reports a duplicate key with line:col (checked without the quadratic yaml option)', () => {
    const e = loadError(FLEET_FILE.replace('    count: 5\n', '    count: 5\n    count: 6\n'));
    expect(e.message).toMatch(/^f\.yaml:(\d+):5: duplicate key "count"$/);
    const line = Number(/^f\.yaml:(\d+)/.exec(e.message)![1]);
    expect(FLEET_FILE.replace('    count: 5\n', '    count: 5\n    count: 6\n').split('\n')[line - 1]).toBe(
      '    count: 6',
    );
  });
});
