/**
 * The console reporter: one column per policy, rows grouped by service, pool, managed API, uplink, training
 * job and totals. Groups that a scenario does not have (no APIs, no outages, no training) are left out.
 * Reads only the Result.
 */

import { terminalSafe } from './safe-text.js';
import type {
  ApiResult,
  JobResult,
  PolicyResult,
  PoolResult,
  Result,
  ServiceResult,
  UplinkResult,
  BackhaulResult,
  SharedUplinkResult,
} from '../metrics/result.js';

export interface TableOptions {
  /** ANSI colours (bold headers, Pareto columns in green, warnings in yellow). Off by default. */
  color?: boolean;
  /**
   * Maximum line width in characters. When the policy columns do not fit, they are split into several
   * blocks, each repeating the row labels. Unlimited when omitted.
   */
  width?: number;
}

export const NULL_CELL = '—';

// ---------------------------------------------------------------------------------------------------------
// Number formatting. Exported so other human-facing reporters format the same way.

/** An integer count with thousands separators: 1234567 → "1,234,567". */
export function formatCount(n: number | null): string {
  if (n === null) return NULL_CELL;
  if (!Number.isFinite(n)) return String(n);
  return groupThousands(Math.round(n).toString());
}

/**
 * Three significant digits; values of 1000 and above are shown as whole numbers with separators (12,346)
 * because extra zeros there would pretend to less precision than we have.
 */
export function formatNumber(x: number | null): string {
  if (x === null) return NULL_CELL;
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  if (Math.abs(x) >= 999.5) return formatCount(x);
  return x.toPrecision(3);
}

/**
 * A fraction 0..1 as a percentage. Two decimals from 99 % up so that 99.9 and 99.99 stay apart, one below;
 * never rounds a value that is not exactly 1 up to 100, nor one that is not exactly 0 down to 0.
 */
export function formatPercent(fraction: number | null): string {
  if (fraction === null) return NULL_CELL;
  if (!Number.isFinite(fraction)) return String(fraction);
  const p = fraction * 100;
  if (p === 100) return '100';
  if (p === 0) return '0';
  const decimals = p >= 99 && p < 100 ? 2 : 1;
  const s = p.toFixed(decimals);
  if (p < 100 && Number(s) >= 100) return '99.' + '9'.repeat(decimals);
  if (p > 0 && Number(s) === 0) return '<0.1';
  return s;
}

function groupThousands(digits: string): string {
  const neg = digits.startsWith('-');
  const body = neg ? digits.slice(1) : digits;
  const grouped = body.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return neg ? '-' + grouped : grouped;
}

/** "3,600 s (1 h)", "90 s (1 min 30 s)", "45 s". */
export function formatDuration(seconds: number): string {
  const plain = `${Number.isInteger(seconds) ? formatCount(seconds) : formatNumber(seconds)} s`;
  if (!Number.isFinite(seconds) || seconds < 60) return plain;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}`);
  }
  return `${plain} (${parts.join(' ')})`;
}

// ---------------------------------------------------------------------------------------------------------
// Layout.

type Row = { kind: 'section'; label: string } | { kind: 'row'; label: string; cells: string[] } | { kind: 'blank' };

const INDENT = '  ';
const GAP = '  ';

/** The names of the things of one kind across policies, in order of first appearance. */
function unionNames<T extends { name: string }>(policies: PolicyResult[], pick: (p: PolicyResult) => T[]): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const p of policies) {
    for (const item of pick(p)) {
      if (!seen.has(item.name)) {
        seen.add(item.name);
        names.push(item.name);
      }
    }
  }
  return names;
}

/**
 * The rows of one service, shared by the console table and the HTML summary. `breakdown` adds the mean
 * network / queue / execution rows (the HTML summary has the room for them).
 */
export function serviceGroup(name: string, policies: PolicyResult[], opts: { breakdown?: boolean } = {}): RowGroup {
  const svc = policies.map((p) => p.services.find((s) => s.name === name) ?? null);
  const row = (label: string, f: (s: ServiceResult) => string): GroupRow => ({ label, cells: cellsFor(svc, f) });
  const rows: GroupRow[] = [
    row('arrivals', (s) => formatCount(s.arrivals)),
    row('completed', (s) => formatCount(s.completed)),
    row('rejected', (s) => formatCount(s.rejected)),
  ];
  // Failures only matter in scenarios that have them; leave the rows out where no policy lost or retried.
  if (svc.some((s) => s !== null && s.lost > 0)) rows.push(row('lost', (s) => formatCount(s.lost)));
  if (svc.some((s) => s !== null && s.retried > 0)) rows.push(row('retried', (s) => formatCount(s.retried)));
  rows.push(
    row('throughput /s', (s) => formatNumber(s.throughput_per_s)),
    row('latency mean ms', (s) => formatNumber(s.latency_ms?.mean ?? null)),
    row('latency p50 ms', (s) => formatNumber(s.latency_ms?.p50 ?? null)),
    row('latency p90 ms', (s) => formatNumber(s.latency_ms?.p90 ?? null)),
    row('latency p95 ms', (s) => formatNumber(s.latency_ms?.p95 ?? null)),
    row('latency p99 ms', (s) => formatNumber(s.latency_ms?.p99 ?? null)),
    row('latency max ms', (s) => formatNumber(s.latency_ms?.max ?? null)),
  );
  if (opts.breakdown) {
    rows.push(
      row('network mean ms', (s) => formatNumber(s.breakdown_ms?.network ?? null)),
      row('queue mean ms', (s) => formatNumber(s.breakdown_ms?.queue ?? null)),
      row('execution mean ms', (s) => formatNumber(s.breakdown_ms?.execution ?? null)),
    );
  }
  // TTFT only means something for LLM services; leave the rows out where no policy has it.
  if (svc.some((s) => s?.ttft_ms)) {
    rows.push(row('TTFT p50 ms', (s) => formatNumber(s.ttft_ms?.p50 ?? null)));
    rows.push(row('TTFT p99 ms', (s) => formatNumber(s.ttft_ms?.p99 ?? null)));
  }
  if (svc.some((s) => s?.tpot_ms)) {
    rows.push(row('TPOT p50 ms', (s) => formatNumber(s.tpot_ms?.p50 ?? null)));
    rows.push(row('TPOT p99 ms', (s) => formatNumber(s.tpot_ms?.p99 ?? null)));
  }
  if (svc.some((s) => s?.itl_ms)) rows.push(row('ITL p99 ms', (s) => formatNumber(s.itl_ms?.p99 ?? null)));
  if (svc.some((s) => s !== null && s.slo_attainment !== null)) {
    rows.push(row('SLO attainment %', (s) => formatPercent(s.slo_attainment)));
  }
  if (svc.some((s) => s !== null && s.goodput_per_s !== null))
    rows.push(row('goodput /s', (s) => formatNumber(s.goodput_per_s)));
  if (svc.some((s) => s !== null && s.slo_percentile_met !== null))
    rows.push(
      row('SLO at percentile', (s) =>
        s.slo_percentile_met === null ? NULL_CELL : s.slo_percentile_met ? 'met' : 'missed',
      ),
    );
  // Where the work went: one row per pool that received any of this service's requests under some policy.
  const pools: string[] = [];
  for (const s of svc) {
    for (const [pool, n] of Object.entries(s?.placements ?? {})) {
      if (n > 0 && !pools.includes(pool)) pools.push(pool);
    }
  }
  for (const pool of pools) rows.push(row(`placed at ${pool}`, (s) => formatCount(s.placements[pool] ?? 0)));
  return { title: `service ${name}`, rows };
}

function serviceRows(name: string, policies: PolicyResult[]): Row[] {
  const g = serviceGroup(name, policies);
  return [
    { kind: 'section', label: g.title },
    ...g.rows.map((r): Row => ({ kind: 'row', label: INDENT + r.label, cells: r.cells })),
  ];
}

/** Flags a provisioned pool that is paid for but mostly idle: under this share of its serving time busy. */
export const LOW_USE_THRESHOLD = 0.25;
export const LOW_USE_MARK = '⚠';
export const LOW_USE_NOTE = `${LOW_USE_MARK} a provisioned pool under ${LOW_USE_THRESHOLD * 100}% utilised: it is paid for, used or not, in every column that provisions it — size it down or let it autoscale`;

function lowUse(x: PoolResult): boolean {
  return x.provisioned && x.cost_usd > 0 && x.utilisation < LOW_USE_THRESHOLD;
}

/** Whether the table of this Result flags some pool as mostly idle. */
export function hasLowUse(result: Result): boolean {
  return result.policies.some((p) =>
    p.pools.some((x) => lowUse(x) && !result.policies.some((q) => q.jobs.some((j) => j.pool === x.name))),
  );
}

/**
 * The rows of one pool, shared by the console table and the HTML summary. `energy` adds energy and carbon
 * (the HTML summary has the room for them).
 */
export function poolGroup(name: string, policies: PolicyResult[], opts: { energy?: boolean } = {}): RowGroup {
  const pools = policies.map((p) => p.pools.find((x) => x.name === name) ?? null);
  const first = pools.find((x): x is PoolResult => x !== null);
  const row = (label: string, f: (x: PoolResult) => string): GroupRow => ({ label, cells: cellsFor(pools, f) });
  const what = first ? ` (${first.kind}, ${formatCount(first.units)} × ${first.instance ?? first.device})` : '';
  const any = (f: (x: PoolResult) => number) => pools.some((x) => x !== null && x.provisioned && f(x) > 0);
  // A training job's units are not in `utilisation` (it counts inference replicas), so no flag there.
  const training = policies.some((p) => p.jobs.some((j) => j.pool === name));
  const rows: GroupRow[] = [];
  // Mean units only says something when capacity changed (autoscaling, failures, training-only pools).
  if (pools.some((x) => x !== null && x.provisioned && x.mean_units !== x.units)) {
    rows.push(row('mean units', (x) => (x.provisioned ? formatNumber(x.mean_units) : NULL_CELL)));
  }
  if (any((x) => x.unit_failures)) rows.push(row('unit failures', (x) => formatCount(x.unit_failures)));
  if (any((x) => x.preemptions)) rows.push(row('preemptions', (x) => formatCount(x.preemptions)));
  if (any((x) => x.cold_starts)) rows.push(row('cold starts', (x) => formatCount(x.cold_starts)));
  const ifUsed = (f: (x: PoolResult) => number) => (x: PoolResult) => (x.provisioned ? formatNumber(f(x)) : NULL_CELL);
  rows.push(
    row('utilisation %', (x) =>
      !x.provisioned ? 'not used' : (lowUse(x) && !training ? LOW_USE_MARK + ' ' : '') + formatPercent(x.utilisation),
    ),
    row('mean batch', (x) => (x.batches === 0 ? NULL_CELL : formatNumber(x.mean_batch_size))),
    ...(pools.some((x) => x?.p99_batch_size != null)
      ? [
          row('p99 running batch', (x) => (x.p99_batch_size === null ? NULL_CELL : formatNumber(x.p99_batch_size))),
          row('KV utilisation %', (x) => (x.kv_utilisation === null ? NULL_CELL : formatPercent(x.kv_utilisation))),
          row('KV preemptions', (x) => (x.kv_preemptions === null ? NULL_CELL : formatCount(x.kv_preemptions))),
        ]
      : []),
    // `utilisation` counts inference replicas only: the hours a training job held the pool, next to it.
    ...(training
      ? [
          {
            label: 'held by training h',
            cells: policies.map((p, i) => {
              if (pools[i] === null || !pools[i].provisioned) return NULL_CELL;
              const held = p.jobs
                .filter((j) => j.pool === name && j.start_s !== null)
                .reduce((sum, j) => sum + ((j.end_s ?? NaN) - j.start_s!), 0);
              return formatNumber(Number.isNaN(held) ? null : held / 3600);
            }),
          },
        ]
      : []),
    row(
      'cost $',
      ifUsed((x) => x.cost_usd),
    ),
  );
  if (opts.energy)
    rows.push(
      row(
        'energy kWh',
        ifUsed((x) => x.energy_kwh),
      ),
      row(
        'carbon kg',
        ifUsed((x) => x.carbon_kg),
      ),
    );
  return { title: `pool ${name}${what}`, rows };
}

function poolRows(name: string, policies: PolicyResult[]): Row[] {
  const g = poolGroup(name, policies);
  return [
    { kind: 'section', label: g.title },
    ...g.rows.map((r): Row => ({ kind: 'row', label: INDENT + r.label, cells: r.cells })),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Row groups shared with the HTML report: a title and rows with a cell per policy.

/** A titled block of rows, a cell per policy (in the Result's policy order). */
export interface RowGroup {
  title: string;
  rows: { label: string; cells: string[] }[];
}

type GroupRow = RowGroup['rows'][number];

function cellsFor<T>(items: (T | null)[], f: (x: T) => string): string[] {
  return items.map((x) => (x === null ? NULL_CELL : f(x)));
}

/**
 * Hours, or days when the longest time to train over policies is 48 h or more: one unit per job, so that
 * its row compares at a glance.
 */
export function trainingTimeUnit(jobs: (JobResult | null)[]): { label: 'h' | 'd'; div: number } {
  const longest = Math.max(0, ...jobs.map((j) => j?.time_to_train_s ?? 0));
  return longest >= 48 * 3600 ? { label: 'd', div: 86_400 } : { label: 'h', div: 3_600 };
}

/** One group per training job (whole run: training has no warm-up). */
export function jobGroups(policies: PolicyResult[]): RowGroup[] {
  return unionNames(policies, (p) => p.jobs).map((name) => {
    const jobs = policies.map((p) => p.jobs.find((j) => j.name === name) ?? null);
    const first = jobs.find((j): j is JobResult => j !== null);
    const row = (label: string, f: (j: JobResult) => string): GroupRow => ({ label, cells: cellsFor(jobs, f) });
    const some = (f: (j: JobResult) => boolean) => jobs.some((j) => j !== null && f(j));
    const unit = trainingTimeUnit(jobs);
    const inUnit = (s: number | null) => formatNumber(s === null ? null : s / unit.div);
    const rows: GroupRow[] = [row('status', (j) => j.status), row('pool', (j) => j.pool)];
    // A job starts after its dataset has moved, and the carbon-aware policy may hold a deferrable one back
    // longer: the wait covers both, the transfer row tells them apart.
    if (some((j) => j.dataset_transfer_s > 0)) {
      rows.push(row(`dataset transfer ${unit.label}`, (j) => inUnit(j.dataset_transfer_s)));
    }
    if (some((j) => j.planned_start_s > j.ready_s)) {
      rows.push(row(`wait to start ${unit.label}`, (j) => inUnit(j.planned_start_s - j.ready_s)));
    }
    rows.push(row(`time to train ${unit.label}`, (j) => inUnit(j.time_to_train_s)));
    // Time to train counts from ready to done, so a deliberate wait is in it: the run itself, apart.
    if (some((j) => j.planned_start_s > j.ready_s)) {
      rows.push(
        row(`run time ${unit.label}`, (j) =>
          inUnit(j.start_s === null || j.end_s === null ? null : j.end_s - j.start_s),
        ),
      );
    }
    if (some((j) => j.status !== 'done')) rows.push(row('progress %', (j) => formatPercent(j.progress)));
    rows.push(
      row('cost $', (j) => formatNumber(j.cost_usd)),
      row('energy kWh', (j) => formatNumber(j.energy_kwh)),
      row('carbon kg', (j) => formatNumber(j.carbon_kg)),
      row('interruptions', (j) => formatCount(j.interruptions)),
    );
    if (some((j) => j.yields > 0)) rows.push(row('yields to inference', (j) => formatCount(j.yields)));
    rows.push(row('lost device-hours', (j) => formatNumber(j.lost_device_hours)));
    if (some((j) => j.deadline_s !== null)) {
      rows.push(row('deadline met', (j) => (j.deadline_met === null ? NULL_CELL : j.deadline_met ? 'yes' : 'no')));
    }
    const devices = first ? `${formatCount(first.devices)} devices, ` : '';
    return { title: `training job ${name} (${devices}whole run)`, rows };
  });
}

/** One group per managed AI API (measured window). */
export function apiGroups(policies: PolicyResult[]): RowGroup[] {
  return unionNames(policies, (p) => p.apis).map((name) => {
    const apis = policies.map((p) => p.apis.find((a) => a.name === name) ?? null);
    const first = apis.find((a): a is ApiResult => a !== null);
    const row = (label: string, f: (a: ApiResult) => string): GroupRow => ({ label, cells: cellsFor(apis, f) });
    return {
      title: `API ${name}${first ? ` (${first.region})` : ''}`,
      rows: [
        row('requests', (a) => formatCount(a.requests)),
        row('cost $', (a) => formatNumber(a.cost_usd)),
        row('energy kWh', (a) => formatNumber(a.energy_kwh)),
        row('carbon kg', (a) => formatNumber(a.carbon_kg)),
      ],
    };
  });
}

/** One group per site whose uplink went down under some policy (measured window). */
export function uplinkGroups(policies: PolicyResult[]): RowGroup[] {
  const sites: string[] = [];
  for (const p of policies) for (const u of p.uplinks) if (!sites.includes(u.site)) sites.push(u.site);
  return sites.map((site) => {
    const ups = policies.map((p) => p.uplinks.find((u) => u.site === site) ?? null);
    const row = (label: string, f: (u: UplinkResult) => string): GroupRow => ({ label, cells: cellsFor(ups, f) });
    return {
      title: `uplink of ${site}`,
      rows: [
        row('downtime s', (u) => formatNumber(u.downtime_s)),
        row('outages', (u) => formatCount(u.outages)),
        row('responses buffered', (u) => formatCount(u.buffered)),
        row('buffer overflow', (u) => formatCount(u.overflow)),
      ],
    };
  });
}

/** One group per shared site link (backhaul) and direction. */
export function backhaulGroups(policies: PolicyResult[]): RowGroup[] {
  const keys: { site: string; direction: 'in' | 'out'; mbps: number }[] = [];
  for (const p of policies) {
    for (const b of p.backhaul ?? []) {
      if (!keys.some((k) => k.site === b.site && k.direction === b.direction))
        keys.push({ site: b.site, direction: b.direction, mbps: b.capacity_mbps });
    }
  }
  return keys.map(({ site, direction, mbps }) => {
    const links = policies.map(
      (p) => (p.backhaul ?? []).find((b) => b.site === site && b.direction === direction) ?? null,
    );
    const row = (label: string, f: (b: BackhaulResult) => string): GroupRow => ({ label, cells: cellsFor(links, f) });
    return {
      title: `link of ${site}, ${direction === 'in' ? 'inbound' : 'outbound'} (${formatNumber(mbps)} Mbit/s shared)`,
      rows: [
        row('utilisation %', (b) => formatPercent(b.utilisation)),
        row('mean wait ms', (b) => formatNumber(b.mean_wait_ms)),
        row('transfers', (b) => formatCount(b.transfers)),
      ],
    };
  });
}

/** One group per user group's shared uplink and path. */
export function sharedUplinkGroups(policies: PolicyResult[]): RowGroup[] {
  const keys: { users: string; path: 'edge' | 'cloud'; mbps: number }[] = [];
  for (const p of policies) {
    for (const l of p.shared_uplinks ?? []) {
      if (!keys.some((k) => k.users === l.users && k.path === l.path))
        keys.push({ users: l.users, path: l.path, mbps: l.capacity_mbps });
    }
  }
  return keys.map(({ users, path, mbps }) => {
    const links = policies.map(
      (p) => (p.shared_uplinks ?? []).find((l) => l.users === users && l.path === path) ?? null,
    );
    const row = (label: string, f: (l: SharedUplinkResult) => string): GroupRow => ({
      label,
      cells: cellsFor(links, f),
    });
    return {
      title: `shared uplink of ${users}, towards ${path === 'edge' ? 'edge sites' : 'the cloud'} (${formatNumber(mbps)} Mbit/s)`,
      rows: [
        row('utilisation %', (l) => formatPercent(l.utilisation)),
        row('mean wait ms', (l) => formatNumber(l.mean_wait_ms)),
        row('transfers', (l) => formatCount(l.transfers)),
      ],
    };
  });
}

function groupRows(groups: RowGroup[]): Row[] {
  return groups.flatMap((g): Row[] => [
    { kind: 'section', label: g.title },
    ...g.rows.map((r): Row => ({ kind: 'row', label: INDENT + r.label, cells: r.cells })),
    { kind: 'blank' },
  ]);
}

/** A unit a per-request figure can be shown in: its row label and the factor from the Result's per-1k value. */
export interface PerRequestUnit {
  label: string;
  factor: number;
}

// From the largest unit to the smallest. The Result (JSON, CSV) keeps $, kWh and kg per 1,000 requests.
const COST_PER_REQUEST: PerRequestUnit[] = [
  { label: '$ / 1k req', factor: 1 },
  { label: '$ / 1M req', factor: 1e3 },
];
const ENERGY_PER_REQUEST: PerRequestUnit[] = [
  { label: 'kWh / 1k req', factor: 1 },
  { label: 'Wh / 1k req', factor: 1e3 },
  { label: 'Wh / 1M req', factor: 1e6 },
];
const CARBON_PER_REQUEST: PerRequestUnit[] = [
  { label: 'kgCO2 / 1k req', factor: 1 },
  { label: 'gCO2 / 1k req', factor: 1e3 },
  { label: 'gCO2 / 1M req', factor: 1e6 },
];

/**
 * The unit for one row of per-request figures: the largest in which the row's largest value is at least 1,
 * else the smallest. One unit for the whole row, so the columns compare at a glance; a row of 0.00000619 reads
 * as 6.19 gCO2 per million requests instead.
 */
export function perRequestUnit(values: (number | null)[], units: PerRequestUnit[]): PerRequestUnit {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v)).map(Math.abs);
  const largest = finite.length > 0 ? Math.max(...finite) : 0;
  if (largest === 0) return units[0];
  return units.find((u) => largest * u.factor >= 1) ?? units[units.length - 1];
}

/** The per-request figures of the totals: cost, energy, carbon. */
export type PerRequestKind = 'cost' | 'energy' | 'carbon';

const PER_REQUEST: Record<PerRequestKind, { units: PerRequestUnit[]; get: (p: PolicyResult) => number | null }> = {
  cost: { units: COST_PER_REQUEST, get: (p) => p.totals.per_1k_requests.cost_usd },
  energy: { units: ENERGY_PER_REQUEST, get: (p) => p.totals.per_1k_requests.energy_kwh },
  carbon: { units: CARBON_PER_REQUEST, get: (p) => p.totals.per_1k_requests.carbon_kg },
};

/** One row of per-request figures in its readable unit, shared by the console table and the HTML summary. */
export function perRequestGroupRow(policies: PolicyResult[], kind: PerRequestKind): { label: string; cells: string[] } {
  const values = policies.map(PER_REQUEST[kind].get);
  const unit = perRequestUnit(values, PER_REQUEST[kind].units);
  return { label: unit.label, cells: values.map((v) => formatNumber(v === null ? null : v * unit.factor)) };
}

function perRequestRow(policies: PolicyResult[], kind: PerRequestKind): Row {
  const r = perRequestGroupRow(policies, kind);
  return { kind: 'row', label: INDENT + r.label, cells: r.cells };
}

function totalsRows(policies: PolicyResult[]): Row[] {
  const row = (label: string, f: (p: PolicyResult) => string): Row => ({
    kind: 'row',
    label: INDENT + label,
    cells: policies.map(f),
  });
  // Managed-API parts appear only when some policy used an API: the rows would be zeros everywhere else.
  const api = (label: string, f: (p: PolicyResult) => number): Row[] =>
    policies.some((p) => f(p) !== 0) ? [row(label, (p) => formatNumber(f(p)))] : [];
  return [
    { kind: 'section', label: 'totals (measured window)' },
    row('cost $', (p) => formatNumber(p.totals.cost_usd.total)),
    row('  compute $', (p) => formatNumber(p.totals.cost_usd.compute)),
    row('  capex $', (p) => formatNumber(p.totals.cost_usd.capex)),
    row('  electricity $', (p) => formatNumber(p.totals.cost_usd.electricity)),
    row('  upkeep $', (p) => formatNumber(p.totals.cost_usd.upkeep)),
    row('  egress $', (p) => formatNumber(p.totals.cost_usd.egress)),
    ...api('  api $', (p) => p.totals.cost_usd.api),
    perRequestRow(policies, 'cost'),
    row('energy kWh', (p) => formatNumber(p.totals.energy_kwh.total)),
    ...api('  api kWh', (p) => p.totals.energy_kwh.api),
    // The two network segments, when some policy carried traffic on a user group's own LAN.
    ...(policies.some((p) => p.totals.energy_kwh.network_lan !== 0)
      ? [
          row('  network WAN kWh', (p) => formatNumber(p.totals.energy_kwh.network - p.totals.energy_kwh.network_lan)),
          row('  network LAN kWh', (p) => formatNumber(p.totals.energy_kwh.network_lan)),
        ]
      : []),
    perRequestRow(policies, 'energy'),
    row('carbon kg', (p) => formatNumber(p.totals.carbon_kg.total)),
    ...api('  api kg', (p) => p.totals.carbon_kg.api),
    perRequestRow(policies, 'carbon'),
    row('egress GB', (p) => formatNumber(p.totals.egress_gb)),
    { kind: 'section', label: '30-day projection' },
    row('cost $', (p) => formatNumber(p.totals.projection_30d.cost_usd)),
    row('carbon t CO2', (p) => formatNumber(p.totals.projection_30d.carbon_kg / 1000)),
  ];
}

function conservationRows(policies: PolicyResult[]): Row[] {
  const row = (label: string, f: (p: PolicyResult) => string): Row => ({
    kind: 'row',
    label: INDENT + label,
    cells: policies.map(f),
  });
  return [
    { kind: 'section', label: 'whole run (incl. warm-up): arrivals = completed + rejected + lost + in flight' },
    row('arrivals', (p) => formatCount(p.conservation.arrivals)),
    row('completed', (p) => formatCount(p.conservation.completed)),
    row('rejected', (p) => formatCount(p.conservation.rejected)),
    row('lost', (p) => formatCount(p.conservation.lost)),
    row('in flight at end', (p) => formatCount(p.conservation.in_flight)),
    row('conservation', (p) => {
      const c = p.conservation;
      const diff = c.arrivals - (c.completed + c.rejected + c.lost + c.in_flight);
      return diff === 0 ? 'ok' : `off by ${formatCount(diff)}`;
    }),
    row('events', (p) => formatCount(p.events)),
  ];
}

const ansi = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const bold = ansi('1');
const green = ansi('32;1');
const yellow = ansi('33');
const dim = ansi('2');
const red = ansi('31;1');

/** Unicode-aware width: "—" and "×" count as one column like any other character. */
const width = (s: string) => [...s].length;
const padLeft = (s: string, w: number) => ' '.repeat(Math.max(0, w - width(s))) + s;
const padRight = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));

/**
 * Render the comparison. Plain text, every line ending in "\n"; colours only with opts.color. Numbers are
 * right-aligned under their policy; "—" marks a value that does not exist (nothing completed, no SLO, …).
 */
export function renderTable(input: Result, opts: TableOptions = {}): string {
  // Names from the scenario reach a terminal: their control characters are shown, not obeyed.
  const result = terminalSafe(input);
  const color = opts.color === true;
  const paint = (f: (s: string) => string, s: string) => (color ? f(s) : s);
  const policies = result.policies;
  const sc = result.scenario;
  const out: string[] = [];

  out.push(paint(bold, `placesim ${result.placesim_version} · scenario ${sc.name} · seed ${sc.seed}`));
  if (sc.file !== null) out.push(`file: ${sc.file}`);
  if (sc.description.trim() !== '') out.push(sc.description.trim().replace(/\s+/g, ' '));
  out.push(
    `duration ${formatDuration(sc.duration_s)}, warm-up ${formatDuration(sc.warmup_s)}, ` +
      `measured ${formatDuration(sc.measured_s)}`,
  );
  out.push('');

  if (policies.length === 0) {
    out.push('No policies were run.');
  } else {
    const rows: Row[] = [];
    for (const name of unionNames(policies, (p) => p.services)) {
      rows.push(...serviceRows(name, policies), { kind: 'blank' });
    }
    for (const name of unionNames(policies, (p) => p.pools)) {
      rows.push(...poolRows(name, policies), { kind: 'blank' });
    }
    rows.push(
      ...groupRows(apiGroups(policies)),
      ...groupRows(uplinkGroups(policies)),
      ...groupRows(backhaulGroups(policies)),
      ...groupRows(sharedUplinkGroups(policies)),
      ...groupRows(jobGroups(policies)),
    );
    rows.push(...totalsRows(policies), { kind: 'blank' }, ...conservationRows(policies));

    const pareto = new Set(result.pareto);
    const headers = policies.map((p) => (pareto.has(p.policy) ? `${p.policy}*` : p.policy));
    // Section titles sit on their own lines, so only row labels set the label column's width.
    const labelWidth = Math.max(...rows.map((r) => (r.kind === 'row' ? width(r.label) : 0)));
    const colWidths = policies.map((_, i) =>
      Math.max(width(headers[i]), ...rows.map((r) => (r.kind === 'row' ? width(r.cells[i]) : 0))),
    );

    // Split the policy columns into blocks that fit the width; always at least one column per block.
    const blocks: number[][] = [];
    let current: number[] = [];
    let used = labelWidth;
    colWidths.forEach((w, i) => {
      const extra = GAP.length + w;
      if (current.length > 0 && opts.width !== undefined && used + extra > opts.width) {
        blocks.push(current);
        current = [];
        used = labelWidth;
      }
      current.push(i);
      used += extra;
    });
    blocks.push(current);

    blocks.forEach((cols, b) => {
      if (b > 0) out.push('');
      const head =
        padRight('', labelWidth) +
        cols
          .map((i) => GAP + paint(pareto.has(policies[i].policy) ? green : bold, padLeft(headers[i], colWidths[i])))
          .join('');
      out.push(head.trimEnd());
      for (const r of rows) {
        if (r.kind === 'blank') out.push('');
        else if (r.kind === 'section') out.push(paint(bold, r.label));
        else {
          const cells = cols.map((i) => {
            const cell = padLeft(r.cells[i], colWidths[i]);
            if (!color) return GAP + cell;
            if (r.cells[i] === NULL_CELL) return GAP + dim(cell);
            if (r.cells[i].startsWith('off by')) return GAP + red(cell);
            return GAP + cell;
          });
          out.push(padRight(r.label, labelWidth) + cells.join(''));
        }
      }
    });

    if (result.pareto.length > 0) {
      out.push('');
      out.push('* Pareto set: no other policy is better on p99 latency, cost and carbon at once');
    }
    if (hasLowUse(result)) out.push(LOW_USE_NOTE);
  }

  if (result.warnings.length > 0) {
    out.push('');
    out.push(paint(yellow, `Warnings (${result.warnings.length}):`));
    for (const w of result.warnings) out.push(`  - ${w}`);
  }

  return out.join('\n') + '\n';
}
