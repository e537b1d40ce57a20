/**
 * Builds resolved Scenarios in code, for tests of the simulator that should not depend on the file loader.
 */
import type { Device, Pool, Scenario, Service, ServiceTimeSpec } from '../../src/model/types.js';

export const testCpu: Device = {
  id: 'test-cpu',
  name: 'Test CPU',
  class: 'cpu',
  peak_flops: { fp32: 1e12 },
  memory_bytes: 64e9,
  mem_bw_bytes_per_s: 100e9,
  power_max_w: 200,
  power_idle_w: 50,
  source: 'test fixture',
  as_of: '2026-11',
};

export function queueScenario(opts: {
  servers: number;
  rate: number;
  serviceTime: ServiceTimeSpec;
  duration: number;
  warmup: number;
  seed?: number;
  maxQueue?: number;
}): Scenario {
  const pool: Pool = {
    index: 0,
    name: 'dc/servers',
    site: 0,
    device: testCpu,
    devices_per_unit: 1,
    units: opts.servers,
    unit_power_idle_w: testCpu.power_idle_w,
    unit_power_max_w: testCpu.power_max_w,
    usd_per_unit_hour: 1,
    capex_usd_per_unit: 0,
    lifetime_s: 0,
    electricity_usd_per_kwh: 0,
    upkeep_usd_per_unit_year: 0,
    max_queue: opts.maxQueue ?? Infinity,
    use: 'inference',
    autoscale: null,
    failures: null,
    preemption: null,
  };
  const service: Service = {
    index: 0,
    name: 'jobs',
    model: -1,
    users: [{ user: 0, weight: 1 }],
    arrivals: { kind: 'poisson', rate_per_s: opts.rate },
    bursts: [],
    allowed_regions: null,
    request: {
      input_tokens: 0,
      output_tokens: 0,
      items: 1,
      upload_bytes: 0,
      download_bytes: 0,
      lengths: { input_tokens: null, output_tokens: null, items: null },
    },
    slo: { latency_s: null, ttft_s: null, tpot_s: null, percentile: null },
    batching: { max_batch: 1, max_wait_s: 0 },
    scheduler: null,
    service_time: opts.serviceTime,
    retries: 1,
    deferrable_s: null,
  };
  return {
    name: 'queue',
    description: '',
    seed: opts.seed ?? 1,
    duration_s: opts.duration,
    warmup_s: opts.warmup,
    regions: [{ index: 0, name: 'local', grid_gco2_per_kwh: 100, grid_hourly: null, pue: 1.5 }],
    network: { rtt_s: [[0]], egress_usd_per_gb: 0.09, inter_region_usd_per_gb: 0.02, energy_kwh_per_gb: 0.001 },
    sites: [
      {
        index: 0,
        name: 'dc',
        kind: 'cloud',
        region: 0,
        uplink: { mtbf_s: null, mttr_s: null, buffer_bytes: 0 },
        backhaul_bps: { in: Infinity, out: Infinity },
        serves: null,
      },
    ],
    pools: [pool],
    users: [
      {
        index: 0,
        name: 'local',
        region: 0,
        access_rtt_edge_s: 0,
        access_rtt_cloud_s: 0,
        uplink_bps: { edge: 1e9, cloud: 1e9 },
        downlink_bps: { edge: 1e9, cloud: 1e9 },
        shared_uplink_bps: { edge: Infinity, cloud: Infinity },
      },
    ],
    models: [],
    services: [service],
    apis: [],
    training: [],
    policies: ['least-latency'],
    policy_variants: {},
    outages: [],
    warnings: [],
  };
}
