/**
 * The CSV reporter: summary.csv (a row per policy), services.csv (a row per policy and service) and
 * pools.csv (a row per policy and pool), for spreadsheets and pandas.
 *
 * Numbers are written at full precision (JavaScript's shortest round-trip form, so a value parses back to
 * exactly the number in the Result); an empty cell means null. Units are in the column names.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { PolicyResult, Result } from '../metrics/result.js';

type Cell = string | number | boolean | null;

export const SUMMARY_COLUMNS = [
  'policy',
  'pareto',
  'arrivals',
  'completed',
  'rejected',
  'in_flight',
  'arrivals_measured',
  'completed_measured',
  'rejected_measured',
  'cost_usd',
  'cost_compute_usd',
  'cost_capex_usd',
  'cost_electricity_usd',
  'cost_upkeep_usd',
  'cost_egress_usd',
  'energy_kwh',
  'energy_it_kwh',
  'energy_facility_kwh',
  'energy_network_kwh',
  'carbon_kg',
  'carbon_compute_kg',
  'carbon_network_kg',
  'egress_gb',
  'cost_usd_per_1k',
  'energy_kwh_per_1k',
  'carbon_kg_per_1k',
  'cost_usd_30d',
  'energy_kwh_30d',
  'carbon_kg_30d',
  'requests_30d',
  'events',
] as const;

export const SERVICE_COLUMNS = [
  'policy',
  'service',
  'arrivals',
  'completed',
  'rejected',
  'throughput_per_s',
  'latency_mean_ms',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'latency_max_ms',
  'network_mean_ms',
  'queue_mean_ms',
  'execution_mean_ms',
  'ttft_mean_ms',
  'ttft_p50_ms',
  'ttft_p95_ms',
  'ttft_p99_ms',
  'ttft_max_ms',
  'slo_attainment',
  'placements',
] as const;

export const POOL_COLUMNS = [
  'policy',
  'pool',
  'site',
  'kind',
  'region',
  'device',
  'instance',
  'units',
  'provisioned',
  'servers',
  'utilisation',
  'batches',
  'mean_batch_size',
  'cost_usd',
  'energy_kwh',
  'carbon_kg',
] as const;

type RowOf<C extends readonly string[]> = Record<C[number], Cell>;

function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    // NaN or Infinity in a Result is a bug upstream; an empty cell would pass it off as null.
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} to CSV`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v;
}

function render<C extends readonly string[]>(columns: C, rows: RowOf<C>[]): string {
  const records = rows.map((r) => columns.map((c) => cell(r[c as C[number]])));
  return stringify(records, { header: true, columns: [...columns] });
}

function summaryRow(p: PolicyResult, pareto: Set<string>): RowOf<typeof SUMMARY_COLUMNS> {
  const t = p.totals;
  const sum = (f: (s: PolicyResult['services'][number]) => number) => p.services.reduce((a, s) => a + f(s), 0);
  return {
    policy: p.policy,
    pareto: pareto.has(p.policy),
    arrivals: p.conservation.arrivals,
    completed: p.conservation.completed,
    rejected: p.conservation.rejected,
    in_flight: p.conservation.in_flight,
    arrivals_measured: sum((s) => s.arrivals),
    completed_measured: sum((s) => s.completed),
    rejected_measured: sum((s) => s.rejected),
    cost_usd: t.cost_usd.total,
    cost_compute_usd: t.cost_usd.compute,
    cost_capex_usd: t.cost_usd.capex,
    cost_electricity_usd: t.cost_usd.electricity,
    cost_upkeep_usd: t.cost_usd.upkeep,
    cost_egress_usd: t.cost_usd.egress,
    energy_kwh: t.energy_kwh.total,
    energy_it_kwh: t.energy_kwh.it,
    energy_facility_kwh: t.energy_kwh.facility,
    energy_network_kwh: t.energy_kwh.network,
    carbon_kg: t.carbon_kg.total,
    carbon_compute_kg: t.carbon_kg.compute,
    carbon_network_kg: t.carbon_kg.network,
    egress_gb: t.egress_gb,
    cost_usd_per_1k: t.per_1k_requests.cost_usd,
    energy_kwh_per_1k: t.per_1k_requests.energy_kwh,
    carbon_kg_per_1k: t.per_1k_requests.carbon_kg,
    cost_usd_30d: t.projection_30d.cost_usd,
    energy_kwh_30d: t.projection_30d.energy_kwh,
    carbon_kg_30d: t.projection_30d.carbon_kg,
    requests_30d: t.projection_30d.requests,
    events: p.events,
  };
}

/** The three CSV files' contents, each with a header row and "\n" line endings. */
export function csvTables(result: Result): { summary: string; services: string; pools: string } {
  const pareto = new Set(result.pareto);
  const services: RowOf<typeof SERVICE_COLUMNS>[] = [];
  const pools: RowOf<typeof POOL_COLUMNS>[] = [];
  for (const p of result.policies) {
    for (const s of p.services) {
      services.push({
        policy: p.policy,
        service: s.name,
        arrivals: s.arrivals,
        completed: s.completed,
        rejected: s.rejected,
        throughput_per_s: s.throughput_per_s,
        latency_mean_ms: s.latency_ms?.mean ?? null,
        latency_p50_ms: s.latency_ms?.p50 ?? null,
        latency_p95_ms: s.latency_ms?.p95 ?? null,
        latency_p99_ms: s.latency_ms?.p99 ?? null,
        latency_max_ms: s.latency_ms?.max ?? null,
        network_mean_ms: s.breakdown_ms?.network ?? null,
        queue_mean_ms: s.breakdown_ms?.queue ?? null,
        execution_mean_ms: s.breakdown_ms?.execution ?? null,
        ttft_mean_ms: s.ttft_ms?.mean ?? null,
        ttft_p50_ms: s.ttft_ms?.p50 ?? null,
        ttft_p95_ms: s.ttft_ms?.p95 ?? null,
        ttft_p99_ms: s.ttft_ms?.p99 ?? null,
        ttft_max_ms: s.ttft_ms?.max ?? null,
        slo_attainment: s.slo_attainment,
        // Pool names are identifiers ("site/pool"), so ";" and "=" cannot occur inside them.
        placements: Object.entries(s.placements)
          .map(([pool, n]) => `${pool}=${cell(n)}`)
          .join(';'),
      });
    }
    for (const x of p.pools) {
      pools.push({
        policy: p.policy,
        pool: x.name,
        site: x.site,
        kind: x.kind,
        region: x.region,
        device: x.device,
        instance: x.instance,
        units: x.units,
        provisioned: x.provisioned,
        servers: x.servers,
        utilisation: x.utilisation,
        batches: x.batches,
        mean_batch_size: x.mean_batch_size,
        cost_usd: x.cost_usd,
        energy_kwh: x.energy_kwh,
        carbon_kg: x.carbon_kg,
      });
    }
  }
  return {
    summary: render(
      SUMMARY_COLUMNS,
      result.policies.map((p) => summaryRow(p, pareto)),
    ),
    services: render(SERVICE_COLUMNS, services),
    pools: render(POOL_COLUMNS, pools),
  };
}

/** Write summary.csv, services.csv and pools.csv into dir (created if missing); returns their paths. */
/**
 * timeseries.csv: one row per (policy, interval), wide — for each service its arrivals, completions and
 * rejections in the interval, for each pool its utilisation, mean queue length, replicas and mean power.
 */
export function timeseriesCsv(result: Result): string {
  const first = result.policies[0]?.timeseries;
  const columns = ['policy', 't_s'];
  for (const s of first?.services ?? []) columns.push(`${s.name}.arrivals`, `${s.name}.completions`, `${s.name}.rejected`);
  for (const p of first?.pools ?? []) {
    columns.push(`${p.name}.utilisation`, `${p.name}.queue_length`, `${p.name}.replicas`, `${p.name}.power_w`);
  }
  const records: string[][] = [];
  for (const policy of result.policies) {
    const ts = policy.timeseries;
    ts.t_s.forEach((t, i) => {
      const rec: Cell[] = [policy.policy, t];
      for (const s of ts.services) rec.push(s.arrivals[i], s.completions[i], s.rejected[i]);
      for (const p of ts.pools) rec.push(p.utilisation[i], p.queue_length[i], p.replicas[i], p.power_w[i]);
      records.push(rec.map(cell));
    });
  }
  return stringify(records, { header: true, columns });
}

export function writeCsv(result: Result, dir: string): string[] {
  const tables = csvTables(result);
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, text] of [
    ['summary.csv', tables.summary],
    ['services.csv', tables.services],
    ['pools.csv', tables.pools],
    ['timeseries.csv', timeseriesCsv(result)],
  ] as const) {
    const path = join(dir, name);
    writeFileSync(path, text);
    paths.push(path);
  }
  return paths;
}
