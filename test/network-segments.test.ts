/**
 * LAN and WAN as separate network segments: users on an edge site's LAN (`users.<g>.lan`) reach that site
 * at the LAN's energy per GB and whatever its uplink does; everything else they reach over the WAN, through
 * that site's uplink, at the WAN's energy per GB and not at all while it is down.
 */
import { describe, it, expect } from 'vitest';
import { loadScenarioText } from '../src/scenario/load.js';
import { runScenario } from '../src/sim/index.js';
import { CATALOG_NETWORK_DEFAULTS } from '../src/hardware/catalog.js';
import type { PolicyResult } from '../src/metrics/result.js';

/** A store: 20 cameras on its LAN, an in-store box, a cloud pool; the store's uplink down 10 min at 20 min. */
function store(lan: boolean, extra = ''): string {
  return `
name: store
seed: 1
duration: 1h
warmup: 5m
regions: { us-east: {} }
sites:
  cloud:
    kind: cloud
    region: us-east
    pools: { t4: { instance: aws/g4dn.xlarge, replicas: 2 } }
  shop:
    kind: edge
    region: us-east
    uplink: { buffer: 1MB }
    pools: { box: { device: jetson-orin-nx-16gb, count: 2, capex_usd: 699, lifetime: 3y } }
outages:
  - { uplink: shop, start: 20m, duration: 10m }
users:
  cameras:
    region: us-east
    access_rtt: { edge: 1ms, cloud: 30ms }
    uplink: { edge: 1Gbps, cloud: 50Mbps }
    downlink: { edge: 1Gbps, cloud: 100Mbps }
${lan ? '    lan: shop\n' : ''}models:
  yolo: { flops_per_item: 8.7e9, weights: 3.2MB, dtype: int8 }
services:
  detect:
    model: yolo
    users: cameras
    arrivals: { poisson: 20/s }
    request: { items: 5, upload: 250KB, download: 2KB }
    slo: { latency: 500ms }
    batching: { max_batch: 8, max_wait: 10ms }
policies: [edge-only, cloud-only]
${extra}`;
}

function run(lan: boolean, extra = ''): Record<string, PolicyResult> {
  const result = runScenario(loadScenarioText(store(lan, extra), 'store.yaml'));
  return Object.fromEntries(result.policies.map((p) => [p.policy, p]));
}

describe('network segments: LAN and WAN', () => {
  const withLan = run(true);
  const without = run(false);

  it('energy: LAN traffic at the LAN figure, WAN traffic at the WAN figure, each accounted apart', () => {
    const bytesPerRequest = 250e3 + 2e3;
    const edge = withLan['edge-only'];
    const served = edge.services[0].completed;
    const lanKwh = ((served * bytesPerRequest) / 1e9) * CATALOG_NETWORK_DEFAULTS.lan_energy_kwh_per_gb;
    expect(edge.totals.energy_kwh.network_lan).toBeCloseTo(lanKwh, 9);
    expect(edge.totals.energy_kwh.network).toBeCloseTo(lanKwh, 9);
    const cloud = withLan['cloud-only'];
    expect(cloud.totals.energy_kwh.network_lan).toBe(0);
    const wanKwh = ((cloud.services[0].completed * bytesPerRequest) / 1e9) * CATALOG_NETWORK_DEFAULTS.energy_kwh_per_gb;
    expect(cloud.totals.energy_kwh.network).toBeCloseTo(wanKwh, 9);
    // Without `lan`, the same box is reached over the WAN and its traffic costs the WAN's energy.
    const wanEdge = without['edge-only'];
    expect(wanEdge.totals.energy_kwh.network_lan).toBe(0);
    expect(wanEdge.totals.energy_kwh.network).toBeGreaterThan(100 * edge.totals.energy_kwh.network);
  });

  it('the LAN energy per GB can be set per scenario', () => {
    const edge = run(true, 'network: { lan_energy_kwh_per_gb: 0 }\n')['edge-only'];
    expect(edge.totals.energy_kwh.network_lan).toBe(0);
  });

  it('a store uplink outage does not stop the cameras reaching the in-store box over the LAN', () => {
    const edge = withLan['edge-only'];
    expect(edge.services[0].rejected).toBe(0);
    expect(edge.services[0].lost).toBe(0);
    expect(edge.uplinks[0].downtime_s).toBe(600);
    // Over the WAN (no `lan`), the same outage cuts the box off: requests are turned away.
    expect(without['edge-only'].services[0].rejected_by['no candidate available (down or cut off)']).toBeGreaterThan(0);
  });

  it('the outage hits cloud-only traffic that crosses the store uplink', () => {
    const cloud = withLan['cloud-only'].services[0];
    const rejected = cloud.rejected_by['no candidate available (down or cut off)'];
    // 10 minutes at 20/s: about 12,000 requests find the cameras cut off from the cloud.
    expect(rejected).toBeGreaterThan(11_000);
    expect(rejected).toBeLessThan(13_000);
    expect(cloud.lost).toBe(
      cloud.lost_by['the response found the users cut off (the uplink of the site whose LAN they are on was down)'] ??
        0,
    );
    // Users not behind the store's uplink reach the cloud through it all.
    expect(without['cloud-only'].services[0].rejected).toBe(0);
    // The outage that caused it is listed for cloud-only too (its users' LAN gateway), not only for policies
    // that provision a pool on the store.
    expect(withLan['cloud-only'].uplinks.map((u) => u.downtime_s)).toEqual([600]);
  });

  it('lan must name an edge site', () => {
    const bad = store(true).replace('lan: shop', 'lan: cloud');
    expect(() => loadScenarioText(bad, 'store.yaml')).toThrow(/store\.yaml:\d+:\d+: .*users\.cameras\.lan.*edge site/);
    const unknown = store(true).replace('lan: shop', 'lan: shops');
    expect(() => loadScenarioText(unknown, 'store.yaml')).toThrow(/unknown site "shops"/);
  });
});
