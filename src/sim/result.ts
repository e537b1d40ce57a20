/**
 * Turns the raw tallies of each run into the Result reporters read: cost, energy and carbon from the
 * integrated busy time and the provisioned capacity, per-1k-request figures and a 30-day projection.
 */
import { CATALOG_NETWORK_DEFAULTS } from '../hardware/catalog.js';
import { decisionLabel, LOSS_CAUSES, N_DECISIONS, REJECT_CAUSES } from './decisions.js';
import type {
  PolicyResult,
  PoolResult,
  Result,
  ServiceResult,
  TimeSeries,
  UplinkResult,
  ApiResult,
  JobResult,
  BackhaulResult,
  SharedUplinkResult,
} from '../metrics/result.js';
import { gridAt, type Service } from '../model/types.js';
import type { LatencyStats } from '../metrics/latency.js';
import { RESULT_FORMAT_VERSION } from '../metrics/result.js';
import { paretoOfPolicies } from '../metrics/pareto.js';
import type { Plan } from './plan.js';
import type { PoolTallies, RunTallies, ServiceTallies } from './tallies.js';
import { PLACESIM_VERSION } from '../version.js';
import { InputError, formatPath } from '../errors.js';
import { poolBill, simUnitUsdPerSecond, trainingEnergy, transferUsd } from './pricing.js';

const SECONDS_30_DAYS = 30 * 86400;

/**
 * Rounds to 9 significant digits: far below any modelling error, and it keeps the JSON free of float noise
 * (e.g. 0.30000000000000004) that would make baselines differ in their last digit across platforms.
 */
function r(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(9));
}

export class ConservationError extends Error {}

export function policyResult(plan: Plan, tallies: RunTallies): PolicyResult {
  const scenario = plan.scenario;
  const window = scenario.duration_s - scenario.warmup_s;

  const services = serviceResults(plan, tallies, window);
  const { pools, compute, capex, electricity, upkeep, itKwh, facilityKwh, computeCarbonKg } = poolResults(
    plan,
    tallies,
    window,
  );

  const jobs = jobResults(plan, tallies);
  // Moving datasets between regions is billed at the inter-region rate and draws network energy.
  let datasetsUsd = 0;
  let transferKwh = 0;
  let transferKg = 0;
  tallies.jobs.forEach((t, i) => {
    const job = plan.jobs[i].job;
    if (t.transferBytes === 0 || t.phase === 'pending' || t.ready_s < scenario.warmup_s) return;
    const gb = t.transferBytes / 1e9;
    datasetsUsd += transferUsd(t.transferBytes, scenario.network.inter_region_usd_per_gb);
    const kwh = gb * scenario.network.energy_kwh_per_gb;
    transferKwh += kwh;
    transferKg += (kwh * gridAt(scenario.regions[job.dataset!.region], t.ready_s)) / 1000;
  });
  const egressGb = tallies.egressBytes / 1e9;
  const egress = transferUsd(tallies.egressBytes, scenario.network.egress_usd_per_gb) + datasetsUsd;
  // Two segments, each at its own energy per GB: the WAN, and user groups' own LANs.
  const lanKwh =
    (tallies.lanBytes / 1e9) *
    (scenario.network.lan_energy_kwh_per_gb ?? CATALOG_NETWORK_DEFAULTS.lan_energy_kwh_per_gb);
  const networkKwh = (tallies.networkBytes / 1e9) * scenario.network.energy_kwh_per_gb + lanKwh + transferKwh;
  const networkCarbonKg = tallies.networkGco2 / 1000 + transferKg;
  const apis: ApiResult[] = scenario.apis.map((a, i) => {
    const t = tallies.apis[i];
    return {
      name: a.name,
      region: scenario.regions[a.region].name,
      requests: t.requests,
      cost_usd: r(t.usd),
      energy_kwh: r(t.kwh),
      carbon_kg: r(t.gco2 / 1000),
    };
  });
  const apiUsd = tallies.apis.reduce((s, a) => s + a.usd, 0);
  const apiKwh = tallies.apis.reduce((s, a) => s + a.kwh, 0);
  const apiKg = tallies.apis.reduce((s, a) => s + a.gco2, 0) / 1000;
  const costTotal = compute + capex + electricity + upkeep + egress + apiUsd;
  const energyTotal = itKwh + facilityKwh + networkKwh + apiKwh;
  const carbonTotal = computeCarbonKg + networkCarbonKg + apiKg;
  const completed = services.reduce((a, s) => a + s.completed, 0);
  const per1k = (x: number) => (completed > 0 ? r((x / completed) * 1000) : null);
  const scale = SECONDS_30_DAYS / window;

  const conservation = {
    arrivals: tallies.arrivalsTotal,
    completed: tallies.completedTotal,
    rejected: tallies.rejectedTotal,
    lost: tallies.lostTotal,
    in_flight: tallies.inFlight,
  };
  const c = conservation;
  if (c.arrivals !== c.completed + c.rejected + c.lost + c.in_flight) {
    throw new ConservationError(
      `conservation violated under policy "${tallies.policy}": arrivals ${c.arrivals} ≠ completed ${c.completed} ` +
        `+ rejected ${c.rejected} + lost ${c.lost} + in flight ${c.in_flight}`,
    );
  }
  const { backhaul, shared_uplinks, uplinks } = linkResults(plan, tallies, window);

  return {
    policy: tallies.policy,
    services,
    pools,
    totals: {
      cost_usd: {
        total: r(costTotal),
        compute: r(compute),
        capex: r(capex),
        electricity: r(electricity),
        upkeep: r(upkeep),
        egress: r(egress),
        api: r(apiUsd),
      },
      energy_kwh: {
        total: r(energyTotal),
        it: r(itKwh),
        facility: r(facilityKwh),
        network: r(networkKwh),
        api: r(apiKwh),
        network_lan: r(lanKwh),
      },
      carbon_kg: { total: r(carbonTotal), compute: r(computeCarbonKg), network: r(networkCarbonKg), api: r(apiKg) },
      egress_gb: r(egressGb),
      per_1k_requests: { cost_usd: per1k(costTotal), energy_kwh: per1k(energyTotal), carbon_kg: per1k(carbonTotal) },
      projection_30d: {
        cost_usd: r(costTotal * scale),
        energy_kwh: r(energyTotal * scale),
        carbon_kg: r(carbonTotal * scale),
        requests: Math.round(completed * scale),
      },
      throughput_per_s: r(completed / window),
    },
    conservation,
    uplinks,
    backhaul,
    shared_uplinks,
    apis,
    jobs,
    timeseries: timeSeries(plan, tallies),
    events: tallies.events,
  };
}

/**
 * With slo.percentile: whether that percentile of each declared target's distribution is within it
 * (null without one, or when a declared target's distribution is empty).
 */
function sloPercentileMet(slo: Service['slo'], t: ServiceTallies): boolean | null {
  if (slo.percentile === null) return null;
  const checks: [number | null, LatencyStats | null][] = [
    [slo.latency_s, t.latency],
    [slo.ttft_s, t.ttft],
    [slo.tpot_s, t.tpot],
  ];
  let met = true;
  for (const [limit, stats] of checks) {
    if (limit === null) continue;
    const ms = stats?.percentileMs(slo.percentile) ?? null;
    if (ms === null) return null;
    if (ms > limit * 1000) met = false;
  }
  return met;
}

/** Batches and batch size; for continuous-batching LLM pools, model steps and running batch, KV figures. */
function batchFigures(t: PoolTallies) {
  if (t.llmBatchHist === null) {
    return {
      batches: t.batches,
      mean_batch_size: t.batches > 0 ? r(t.batchedRequests / t.batches) : 0,
      p99_batch_size: null,
      kv_utilisation: null,
      kv_preemptions: null,
    };
  }
  const hist = t.llmBatchHist;
  let p99: number | null = null;
  if (t.llmSteps > 0) {
    const want = 0.99 * t.llmSteps;
    let seen = 0;
    for (let n = 0; n < hist.length; n++) {
      seen += hist[n];
      if (seen >= want) {
        p99 = n;
        break;
      }
    }
  }
  return {
    batches: t.llmSteps,
    mean_batch_size: t.llmSteps > 0 ? r(t.llmSeqSteps / t.llmSteps) : 0,
    p99_batch_size: p99,
    kv_utilisation: t.kvCapacitySeconds > 0 ? r(t.kvBlockSeconds / t.kvCapacitySeconds) : null,
    kv_preemptions: t.kvPreemptions,
  };
}

function serviceResults(plan: Plan, tallies: RunTallies, window: number): ServiceResult[] {
  const scenario = plan.scenario;
  return scenario.services.map((s, i) => {
    const t = tallies.services[i];
    const placements: Record<string, number> = {};
    scenario.pools.forEach((p) => {
      if (t.placements[p.index] > 0) placements[p.name] = t.placements[p.index];
    });
    scenario.apis.forEach((a) => {
      if (t.apiPlacements[a.index] > 0) placements[a.name] = t.apiPlacements[a.index];
    });
    // Every measured request that ended counts: a rejected or lost one missed its SLO.
    const judged = t.completed + t.rejected + t.lost;
    const hasSlo = s.slo.latency_s !== null || s.slo.ttft_s !== null || s.slo.tpot_s !== null;
    const lat = t.latency.summaryMs();
    const ttft = t.ttft ? t.ttft.summaryMs() : null;
    const tpot = t.tpot ? t.tpot.summaryMs() : null;
    const itl = t.itl ? t.itl.summaryMs() : null;
    const cdf = t.latency.cdfMs();
    const ttftCdf = t.ttft ? t.ttft.cdfMs() : null;
    const tpotCdf = t.tpot ? t.tpot.cdfMs() : null;
    const percentileMet = sloPercentileMet(s.slo, t);
    t.latency.dispose();
    t.ttft?.dispose();
    t.tpot?.dispose();
    t.itl?.dispose();
    const round = (x: typeof lat) =>
      x && { mean: r(x.mean), p50: r(x.p50), p90: r(x.p90), p95: r(x.p95), p99: r(x.p99), max: r(x.max) };
    const roundCdf = (c: typeof cdf) => c?.map((x) => ({ fraction: x.fraction, ms: r(x.ms) })) ?? null;
    // Offline load: once every request has ended, throughput is over the time the batch took (MLPerf Offline).
    const a = s.arrivals;
    const makespan = a.kind === 'offline' && judged === a.requests && t.completed > 0 ? t.lastCompletion : null;
    return {
      name: s.name,
      arrivals: t.arrivals,
      completed: t.completed,
      rejected: t.rejected,
      lost: t.lost,
      retried: t.retried,
      throughput_per_s: r(t.completed / (makespan ?? window)),
      makespan_s: makespan === null ? null : r(makespan),
      latency_ms: round(lat),
      breakdown_ms:
        lat === null
          ? null
          : {
              network: r((t.networkSum / t.completed) * 1000),
              queue: r((t.queueSum / t.completed) * 1000),
              execution: r((t.execSum / t.completed) * 1000),
            },
      ttft_ms: round(ttft),
      tpot_ms: round(tpot),
      itl_ms: round(itl),
      goodput_per_s: hasSlo ? r(t.sloMet / window) : null,
      slo_percentile_met: percentileMet,
      latency_cdf_ms: roundCdf(cdf),
      ttft_cdf_ms: roundCdf(ttftCdf),
      tpot_cdf_ms: roundCdf(tpotCdf),
      slo_attainment: hasSlo && judged > 0 ? r(t.sloMet / judged) : null,
      placements,
      placement_reasons: decisionCounts(scenario, t),
      rejected_by: causeCounts(REJECT_CAUSES, t.rejectedBy),
      lost_by: causeCounts(LOSS_CAUSES, t.lostBy),
    };
  });
}

/** Target → decision label → count, targets in placement order, labels in code order; zeros left out. */
function decisionCounts(
  scenario: Plan['scenario'],
  t: RunTallies['services'][number],
): Record<string, Record<string, number>> {
  const names = [...scenario.pools.map((p) => p.name), ...scenario.apis.map((a) => a.name)];
  const out: Record<string, Record<string, number>> = {};
  names.forEach((name, k) => {
    const row: Record<string, number> = {};
    for (let code = 0; code < N_DECISIONS; code++) {
      const n = t.decisions[k * N_DECISIONS + code];
      if (n > 0) row[decisionLabel(code)] = n;
    }
    if (Object.keys(row).length > 0) out[name] = row;
  });
  return out;
}

function causeCounts(labels: readonly string[], counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  labels.forEach((label, i) => {
    if (counts[i] > 0) out[label] = counts[i];
  });
  return out;
}

/** Each pool's figures, and the sums over pools of cost by part, energy and carbon (in pool order). */
function poolResults(plan: Plan, tallies: RunTallies, window: number) {
  const scenario = plan.scenario;
  let compute = 0;
  let capex = 0;
  let electricity = 0;
  let upkeep = 0;
  let itKwh = 0;
  let facilityKwh = 0;
  let computeCarbonKg = 0;
  const pools: PoolResult[] = plan.pools.map((pp, i) => {
    const pool = pp.pool;
    const site = scenario.sites[pool.site];
    const region = scenario.regions[site.region];
    const t = tallies.pools[i];
    const provisioned = tallies.provisioned[i];
    const on = provisioned ? 1 : 0;
    const bill = poolBill(scenario, pp, t, on, window);
    compute += bill.compute;
    capex += bill.capex;
    electricity += bill.electricity;
    upkeep += bill.upkeep;
    itKwh += bill.itKwh;
    facilityKwh += bill.facilityKwh;
    computeCarbonKg += bill.carbonKg;
    return {
      name: pool.name,
      site: site.name,
      kind: site.kind,
      region: region.name,
      device: pool.device.id,
      instance: pool.instance ?? null,
      units: pool.units,
      provisioned,
      servers: pp.servers,
      utilisation: t.servingServerSeconds > 0 ? r(t.busyServerSeconds / t.servingServerSeconds) : 0,
      mean_units: r(bill.billedUnits / window),
      unit_failures: t.unitFailures,
      preemptions: t.preemptions,
      cold_starts: t.coldStarts,
      ...batchFigures(t),
      cost_usd: r(bill.compute + bill.capex + bill.electricity + bill.upkeep),
      energy_kwh: r(bill.itKwh + bill.facilityKwh),
      carbon_kg: r(bill.carbonKg),
    };
  });

  return { pools, compute, capex, electricity, upkeep, itKwh, facilityKwh, computeCarbonKg };
}

/** Shared links (site backhaul, user groups' uplinks) and site uplink outages. */
function linkResults(plan: Plan, tallies: RunTallies, window: number) {
  const scenario = plan.scenario;
  const backhaul: BackhaulResult[] = [];
  scenario.sites.forEach((site, i) => {
    const lt = tallies.links[i];
    for (const direction of ['in', 'out'] as const) {
      const bps = site.backhaul_bps[direction];
      if (!Number.isFinite(bps)) continue;
      const busy = direction === 'in' ? lt.inBusy : lt.outBusy;
      const wait = direction === 'in' ? lt.inWait : lt.outWait;
      const n = direction === 'in' ? lt.inCount : lt.outCount;
      backhaul.push({
        site: site.name,
        direction,
        capacity_mbps: r(bps / 1e6),
        utilisation: r(busy / window),
        mean_wait_ms: n > 0 ? r((wait / n) * 1000) : 0,
        transfers: n,
      });
    }
  });
  const shared_uplinks: SharedUplinkResult[] = [];
  scenario.users.forEach((u, i) => {
    (['edge', 'cloud'] as const).forEach((path, k) => {
      const bps = u.shared_uplink_bps[path];
      if (!Number.isFinite(bps)) return;
      const t = tallies.groupLinks[i * 2 + k];
      shared_uplinks.push({
        users: u.name,
        path,
        capacity_mbps: r(bps / 1e6),
        utilisation: r(t.busy / window),
        mean_wait_ms: t.count > 0 ? r((t.wait / t.count) * 1000) : 0,
        transfers: t.count,
      });
    });
  });
  const uplinks: UplinkResult[] = [];
  scenario.sites.forEach((site, i) => {
    const t = tallies.sites[i];
    if (t.uplinkOutages === 0 && t.uplinkDownSeconds === 0) return;
    // Only sites the policy uses: an outage elsewhere is not its concern.
    if (!plan.pools.some((pp, k) => pp.pool.site === i && tallies.provisioned[k])) return;
    uplinks.push({
      site: site.name,
      downtime_s: r(t.uplinkDownSeconds),
      outages: t.uplinkOutages,
      buffered: t.buffered,
      overflow: t.overflow,
    });
  });

  return { backhaul, shared_uplinks, uplinks };
}

function jobResults(plan: Plan, tallies: RunTallies): JobResult[] {
  const scenario = plan.scenario;
  return plan.jobs.map((jp, i) => {
    const t = tallies.jobs[i];
    const job = jp.job;
    const opt = jp.options.find((o) => o.pool === t.pool)!;
    const pp = plan.pools[t.pool];
    const pool = pp.pool;
    const region = scenario.regions[scenario.sites[pool.site].region];
    const usdPerUnitSecond = simUnitUsdPerSecond(pp);
    const { kwh, gco2 } = trainingEnergy(pp, region, t.heldHourly.values);
    const started = t.phase !== 'pending';
    const gb = started ? t.transferBytes / 1e9 : 0;
    const datasetUsd = gb * scenario.network.inter_region_usd_per_gb;
    const datasetKwh = gb * scenario.network.energy_kwh_per_gb;
    const status: JobResult['status'] =
      t.phase === 'done'
        ? 'done'
        : t.phase === 'running' || t.phase === 'checkpointing'
          ? 'running'
          : t.start_s === null
            ? 'not started'
            : 'waiting';
    const rate = opt.rate;
    return {
      name: job.name,
      pool: pool.name,
      region: region.name,
      devices: job.devices,
      status,
      ready_s: t.ready_s,
      planned_start_s: r(t.planned_start_s),
      start_s: t.start_s === null ? null : r(t.start_s),
      end_s: t.end_s === null ? null : r(t.end_s),
      time_to_train_s: t.end_s === null ? null : r(t.end_s - t.ready_s),
      deadline_s: job.deadline_s,
      deadline_met: job.deadline_s === null ? null : t.end_s !== null && t.end_s <= job.deadline_s + 1e-9,
      progress: r(1 - t.remaining / job.flops),
      cost_usd: r(t.heldUnitSeconds * usdPerUnitSecond + datasetUsd),
      energy_kwh: r(kwh + datasetKwh),
      carbon_kg: r(
        gco2 / 1000 + (datasetKwh * (job.dataset ? gridAt(scenario.regions[job.dataset.region], t.ready_s) : 0)) / 1000,
      ),
      dataset_transfer_s: r(t.transfer_s),
      dataset_cost_usd: r(datasetUsd),
      interruptions: t.interruptions,
      yields: t.yields,
      checkpoints: t.checkpoints,
      lost_device_hours: r(((t.lostFlops / rate) * job.devices) / 3600),
    };
  });
}

function timeSeries(plan: Plan, tallies: RunTallies): TimeSeries {
  const { interval, count } = tallies.series;
  const duration = plan.scenario.duration_s;
  // The last interval may be cut short by the end of the run.
  const width = (i: number) => Math.min(interval, duration - i * interval);
  const list = (a: Float64Array, f: (v: number, i: number) => number) => Array.from(a, (v, i) => r(f(v, i)));
  return {
    interval_s: interval,
    t_s: Array.from({ length: count }, (_, i) => i * interval),
    services: plan.scenario.services.map((s, i) => {
      const x = tallies.series.services[i];
      return {
        name: s.name,
        arrivals: Array.from(x.arrivals.values),
        completions: Array.from(x.completions.values),
        rejected: Array.from(x.rejected.values),
      };
    }),
    pools: plan.pools.map((pp, i) => {
      const x = tallies.series.pools[i];
      const leftover = tallies.provisioned[i] ? pp.leftoverIdleW : 0;
      return {
        name: pp.pool.name,
        utilisation: list(x.busy.values, (v, k) => (x.serving.values[k] > 0 ? v / x.serving.values[k] : 0)),
        queue_length: list(x.queue.values, (v, k) => v / width(k)),
        replicas: list(x.serving.values, (v, k) => v / width(k)),
        power_w: list(
          x.busy.values,
          (v, k) =>
            (x.powered.values[k] * pp.unitIdleW +
              v * pp.dynamicWattsPerServer +
              x.training.values[k] * (pp.unitMaxW - pp.unitIdleW)) /
              width(k) +
            leftover,
        ),
      };
    }),
  };
}

export function assembleResult(plan: Plan, policies: PolicyResult[]): Result {
  const s = plan.scenario;
  return assertFinite(s, {
    format_version: RESULT_FORMAT_VERSION,
    placesim_version: PLACESIM_VERSION,
    scenario: {
      name: s.name,
      description: s.description,
      file: s.file ?? null,
      seed: s.seed,
      duration_s: s.duration_s,
      warmup_s: s.warmup_s,
      measured_s: s.duration_s - s.warmup_s,
    },
    policies,
    pareto: paretoOfPolicies(policies),
    warnings: [...s.warnings, ...plan.warnings],
  });
}

/**
 * The last guard before a Result leaves the simulator: no number in it may be NaN or ±Infinity. Field bounds
 * (scenario/schema.ts) keep every input finite, but products of extreme inputs could still overflow; such a
 * run is refused as bad input naming the result field, rather than printing "cost $ NaN".
 */
export function assertFinite(scenario: Plan['scenario'], result: Result): Result {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: result, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        throw new InputError(
          `the result has ${String(v)} at ${formatPath(path)}: a number in the scenario is too large or too small ` +
            'for the model to compute with (look at prices, capex, lifetimes, power and rates)',
          scenario.file !== undefined ? { file: scenario.file } : {},
        );
      }
    } else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ v: entries[i][1], path: [...path, entries[i][0]] });
    }
  }
  return result;
}
