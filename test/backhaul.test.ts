/**
 * A site's shared link: transfers queue for it first come, first served. With Poisson arrivals and equal
 * uploads it is an M/D/1 queue, so the mean wait has a closed form (Pollaczek–Khinchine).
 */
import { describe, it, expect } from 'vitest';
import { loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import { renderTable } from '../src/report/table.js';

const scenario = (backhaul: string, rate: string, duration = '20000s') => `
name: backhaul
duration: ${duration}
warmup: 200s
seed: 17
regions: { r: { grid_gco2_per_kwh: 100, pue: 1.1 } }
sites:
  store:
    kind: edge
    region: r
    ${backhaul}
    pools:
      cpus: { device: generic-cpu, count: 64, capex_usd: 1000, lifetime: 3y }
users:
  cams: { region: r, access_rtt: { edge: 0ms, cloud: 0ms }, uplink: 10Gbps, downlink: 10Gbps }
services:
  clips:
    users: cams
    arrivals: { poisson: ${rate} }
    request: { upload: 1MB, download: 1KB }
    service_time: { deterministic: 1ms }
policies: [least-latency]
`;

describe('shared site link (backhaul)', () => {
  it('queues uploads as M/D/1: mean wait = ρ / (2μ(1 − ρ)) within 2%', () => {
    // 1 MB at 100 Mbit/s takes 80 ms: μ = 12.5/s; λ = 10/s, ρ = 0.8, Wq = 0.8 / (2 × 12.5 × 0.2) = 160 ms.
    const r = runScenario(
      loadScenarioText(scenario('backhaul: { in: 100Mbps }', '10/s'), 'test/fixtures/backhaul.yaml'),
    );
    const p = r.policies[0];
    const link = p.backhaul.find((b) => b.direction === 'in')!;
    expect(link.capacity_mbps).toBe(100);
    expect(Math.abs(link.mean_wait_ms / 160 - 1)).toBeLessThan(0.02);
    expect(Math.abs(link.utilisation / 0.8 - 1)).toBeLessThan(0.01);
    // The wait shows in the requests' network time: 0.8 ms at the user's 10 Gbit/s + 80 ms + the wait.
    const net = p.services[0].breakdown_ms!.network;
    expect(Math.abs(net - (0.8 + 0.0008 + 80 + link.mean_wait_ms))).toBeLessThan(0.5);
    expect(p.backhaul.some((b) => b.direction === 'out')).toBe(false);
    const table = renderTable(r);
    expect(table).toContain('link of store, inbound (100 Mbit/s shared)');
    expect(table).toMatch(/mean wait ms +1[56]\d\.?\d*/);
  });

  it('without a capacity the link is not a bottleneck, and nothing is reported', () => {
    const r = runScenario(loadScenarioText(scenario('', '10/s', '2000s'), 'test/fixtures/backhaul.yaml'));
    const p = r.policies[0];
    expect(p.backhaul).toEqual([]);
    expect(p.services[0].breakdown_ms!.network).toBeCloseTo(0.8 + 0.0008, 6);
  });

  it('a zero capacity is bad input naming the field', () => {
    expect(() => loadScenarioText(scenario('backhaul: { out: 0Mbps }', '10/s'), 'test/fixtures/backhaul.yaml')).toThrow(
      /backhaul\.yaml:\d+:\d+: sites\.store\.backhaul\.out: bad bandwidth "0Mbps": must be > 0/,
    );
  });
});

describe("a user group's shared uplink", () => {
  const text = (shared: string) => `
name: group-link
duration: 20000s
warmup: 200s
seed: 19
regions: { r: { grid_gco2_per_kwh: 100, pue: 1.1 } }
sites:
  dc:
    kind: cloud
    region: r
    pools:
      cpus: { device: generic-cpu, count: 64, usd_per_hour: 1 }
users:
  store: { region: r, access_rtt: { edge: 0ms, cloud: 0ms }, uplink: 10Gbps, downlink: 10Gbps, shared_uplink: ${shared} }
services:
  clips:
    users: store
    arrivals: { poisson: 10/s }
    request: { upload: 1MB, download: 1KB }
    service_time: { deterministic: 1ms }
policies: [least-latency]
`;
  it("queues the group's uploads as M/D/1 on the path it applies to", () => {
    // 1 MB at 100 Mbit/s: 80 ms, ρ = 0.8, Wq = 160 ms (as for a site link).
    const p = runScenario(loadScenarioText(text('{ cloud: 100Mbps }'), 'test/fixtures/group.yaml')).policies[0];
    const link = p.shared_uplinks.find((l) => l.path === 'cloud')!;
    expect(link.users).toBe('store');
    expect(Math.abs(link.mean_wait_ms / 160 - 1)).toBeLessThan(0.02);
    expect(Math.abs(link.utilisation / 0.8 - 1)).toBeLessThan(0.01);
    expect(p.shared_uplinks.some((l) => l.path === 'edge')).toBe(false);
    expect(
      renderTable(runScenario(loadScenarioText(text('{ cloud: 100Mbps }'), 'test/fixtures/group.yaml'))),
    ).toContain('shared uplink of store, towards the cloud (100 Mbit/s)');
  });

  it('a link towards edge sites only leaves cloud paths alone', () => {
    const p = runScenario(loadScenarioText(text('{ edge: 100Mbps }'), 'test/fixtures/group.yaml')).policies[0];
    expect(p.shared_uplinks).toEqual([
      { users: 'store', path: 'edge', capacity_mbps: 100, utilisation: 0, mean_wait_ms: 0, transfers: 0 },
    ]);
    expect(p.services[0].breakdown_ms!.network).toBeCloseTo(0.8 + 0.0008, 6);
  });
});
