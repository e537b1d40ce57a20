/**
 * The scenario of one measurement point without a file: one cloud site in one region with no network in the
 * way, one pool of `units` devices, one model, one service whose users sit next to the pool, least-latency.
 * Nothing is priced and no grid is charged. Shared by runLlmPoint (llm-point.ts) and the calibration's
 * fixed-batch server (src/calibrate/batch-server.ts).
 */
import type { AiModel, Device, Scenario, Service } from '../model/types.js';

export interface PointScenarioSpec {
  name: string;
  seed: number;
  duration_s: number;
  warmup_s: number;
  /** The pool's name, device and number of devices. */
  pool: { name: string; device: Device; units: number };
  /** The model, at index 0. */
  model: AiModel;
  /** The service's own fields; index, model, users, residency, SLOs and retries are the point's. */
  service: Pick<Service, 'name' | 'arrivals' | 'request' | 'batching' | 'scheduler'>;
}

export function pointScenario(spec: PointScenarioSpec): Scenario {
  const { device } = spec.pool;
  return {
    name: spec.name,
    description: '',
    seed: spec.seed,
    duration_s: spec.duration_s,
    warmup_s: spec.warmup_s,
    regions: [{ index: 0, name: 'local', grid_gco2_per_kwh: 0, grid_hourly: null, pue: 1 }],
    network: { rtt_s: [[0]], egress_usd_per_gb: 0, inter_region_usd_per_gb: 0, energy_kwh_per_gb: 0 },
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
    pools: [
      {
        index: 0,
        name: spec.pool.name,
        site: 0,
        device,
        devices_per_unit: 1,
        units: spec.pool.units,
        unit_power_idle_w: device.power_idle_w,
        unit_power_max_w: device.power_max_w,
        usd_per_unit_hour: 0,
        capex_usd_per_unit: 0,
        lifetime_s: 0,
        electricity_usd_per_kwh: 0,
        upkeep_usd_per_unit_year: 0,
        max_queue: Infinity,
        use: 'inference',
        autoscale: null,
        failures: null,
        preemption: null,
      },
    ],
    users: [
      {
        index: 0,
        name: 'local',
        region: 0,
        access_rtt_edge_s: 0,
        access_rtt_cloud_s: 0,
        uplink_bps: { edge: Infinity, cloud: Infinity },
        downlink_bps: { edge: Infinity, cloud: Infinity },
        shared_uplink_bps: { edge: Infinity, cloud: Infinity },
      },
    ],
    models: [spec.model],
    services: [
      {
        ...spec.service,
        index: 0,
        model: 0,
        users: [{ user: 0, weight: 1 }],
        bursts: [],
        allowed_regions: null,
        slo: { latency_s: null, ttft_s: null, tpot_s: null, percentile: null },
        service_time: null,
        retries: 0,
        deferrable_s: null,
      },
    ],
    apis: [],
    training: [],
    policies: ['least-latency'],
    policy_variants: {},
    outages: [],
    warnings: [],
  };
}
