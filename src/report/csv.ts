/**
 * The CSV reporter, for spreadsheets and pandas. writeCsv always writes summary.csv (a row per policy),
 * services.csv (a row per policy and service), pools.csv (a row per policy and pool) and timeseries.csv
 * (a row per policy and interval); jobs.csv (a row per policy and training job) only when the scenario has
 * training jobs, and apis.csv (a row per policy and managed AI API) only when it has APIs.
 *
 * Numbers are written at full precision (JavaScript's shortest round-trip form, so a value parses back to
 * exactly the number in the Result); an empty cell means null. Units are in the column names.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { JOB_RESULT_FIELDS, POOL_RESULT_FIELDS, type PolicyResult, type Result } from '../metrics/result.js';

type Cell = string | number | boolean | null;

export const SUMMARY_COLUMNS = [
  'policy',
  'pareto',
  'arrivals',
  'completed',
  'rejected',
  'lost',
  'in_flight',
  'arrivals_measured',
  'completed_measured',
  'rejected_measured',
  'lost_measured',
  'cost_usd',
  'cost_compute_usd',
  'cost_capex_usd',
  'cost_electricity_usd',
  'cost_upkeep_usd',
  'cost_egress_usd',
  'cost_api_usd',
  'energy_kwh',
  'energy_it_kwh',
  'energy_facility_kwh',
  'energy_network_kwh',
  'energy_api_kwh',
  'carbon_kg',
  'carbon_compute_kg',
  'carbon_network_kg',
  'carbon_api_kg',
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
  'lost',
  'retried',
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

export const POOL_COLUMNS = ['policy', 'pool', ...POOL_RESULT_FIELDS] as const;

/** jobs.csv: the JobResult fields, whole run (training has no warm-up). */
export const JOB_COLUMNS = ['policy', 'job', ...JOB_RESULT_FIELDS] as const;

/** apis.csv: the ApiResult fields, measured window. */
export const API_COLUMNS = ['policy', 'api', 'region', 'requests', 'cost_usd', 'energy_kwh', 'carbon_kg'] as const;

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
    lost: p.conservation.lost,
    in_flight: p.conservation.in_flight,
    arrivals_measured: sum((s) => s.arrivals),
    completed_measured: sum((s) => s.completed),
    rejected_measured: sum((s) => s.rejected),
    lost_measured: sum((s) => s.lost),
    cost_usd: t.cost_usd.total,
    cost_compute_usd: t.cost_usd.compute,
    cost_capex_usd: t.cost_usd.capex,
    cost_electricity_usd: t.cost_usd.electricity,
    cost_upkeep_usd: t.cost_usd.upkeep,
    cost_egress_usd: t.cost_usd.egress,
    cost_api_usd: t.cost_usd.api,
    energy_kwh: t.energy_kwh.total,
    energy_it_kwh: t.energy_kwh.it,
    energy_facility_kwh: t.energy_kwh.facility,
    energy_network_kwh: t.energy_kwh.network,
    energy_api_kwh: t.energy_kwh.api,
    carbon_kg: t.carbon_kg.total,
    carbon_compute_kg: t.carbon_kg.compute,
    carbon_network_kg: t.carbon_kg.network,
    carbon_api_kg: t.carbon_kg.api,
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

export interface CsvTables {
  summary: string;
  services: string;
  pools: string;
  /** Header only when the scenario has no training jobs (writeCsv then leaves jobs.csv out). */
  jobs: string;
  /** Header only when the scenario has no managed APIs (writeCsv then leaves apis.csv out). */
  apis: string;
}

/** The per-policy CSV files' contents, each with a header row and "\n" line endings. */
export function csvTables(result: Result): CsvTables {
  const pareto = new Set(result.pareto);
  const services: RowOf<typeof SERVICE_COLUMNS>[] = [];
  const pools: RowOf<typeof POOL_COLUMNS>[] = [];
  const jobs: RowOf<typeof JOB_COLUMNS>[] = [];
  const apis: RowOf<typeof API_COLUMNS>[] = [];
  for (const p of result.policies) {
    for (const s of p.services) {
      services.push({
        policy: p.policy,
        service: s.name,
        arrivals: s.arrivals,
        completed: s.completed,
        rejected: s.rejected,
        lost: s.lost,
        retried: s.retried,
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
        mean_units: x.mean_units,
        unit_failures: x.unit_failures,
        preemptions: x.preemptions,
        cold_starts: x.cold_starts,
        batches: x.batches,
        mean_batch_size: x.mean_batch_size,
        cost_usd: x.cost_usd,
        energy_kwh: x.energy_kwh,
        carbon_kg: x.carbon_kg,
      });
    }
    for (const j of p.jobs) {
      const { name, ...fields } = j;
      jobs.push({ policy: p.policy, job: name, ...fields });
    }
    for (const a of p.apis) {
      apis.push({
        policy: p.policy,
        api: a.name,
        region: a.region,
        requests: a.requests,
        cost_usd: a.cost_usd,
        energy_kwh: a.energy_kwh,
        carbon_kg: a.carbon_kg,
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
    jobs: render(JOB_COLUMNS, jobs),
    apis: render(API_COLUMNS, apis),
  };
}

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

/**
 * Write summary.csv, services.csv, pools.csv, then jobs.csv when some policy has training jobs and apis.csv
 * when some policy has managed APIs, then timeseries.csv, into dir (created if missing); returns their
 * paths in that order. A file that would hold only its header is not written, so a directory from an
 * inference-only scenario looks as it always did.
 */
export function writeCsv(result: Result, dir: string): string[] {
  const tables = csvTables(result);
  const has = (f: (p: PolicyResult) => unknown[]) => result.policies.some((p) => f(p).length > 0);
  const files: [string, string][] = [
    ['summary.csv', tables.summary],
    ['services.csv', tables.services],
    ['pools.csv', tables.pools],
  ];
  if (has((p) => p.jobs)) files.push(['jobs.csv', tables.jobs]);
  if (has((p) => p.apis)) files.push(['apis.csv', tables.apis]);
  files.push(['timeseries.csv', timeseriesCsv(result)]);
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    writeFileSync(path, text);
    paths.push(path);
  }
  return paths;
}
