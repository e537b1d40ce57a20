import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  renderTable,
  renderJson,
  csvTables,
  writeCsv,
  formatNumber,
  formatCount,
  formatPercent,
  formatDuration,
} from '../src/report/index.js';
import type { Result } from '../src/metrics/result.js';
import { fixture, withExtras, PROJ } from './fixtures/reports/results.js';

/** Minimal RFC 4180 parser, so the test does not trust the writer to read its own output. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** The cells of the first table line whose label is `label`, below the first line starting with `after`. */
function cellsOf(table: string, label: string, after = ''): string[] {
  const lines = table.split('\n');
  const start = lines.findIndex((l) => l.startsWith(after));
  const line = lines.slice(start).find((l) => l.trimStart().startsWith(label + '  '));
  if (line === undefined) throw new Error(`no row ${label} after ${after}`);
  return line
    .slice(line.indexOf(label) + label.length)
    .trim()
    .split(/\s{2,}/);
}

describe('number formatting', () => {
  it('uses three significant digits and separators from 1000 up', () => {
    expect(formatNumber(1234.5)).toBe('1,235');
    expect(formatNumber(812.37)).toBe('812');
    expect(formatNumber(45.678)).toBe('45.7');
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-2500)).toBe('-2,500');
    expect(formatNumber(null)).toBe('—');
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('keeps percentages honest near 0 and 100', () => {
    expect(formatPercent(1)).toBe('100');
    expect(formatPercent(0.99999)).toBe('99.99');
    expect(formatPercent(0.9876)).toBe('98.8');
    expect(formatPercent(0.9912)).toBe('99.12');
    expect(formatPercent(0.0000001)).toBe('<0.1');
    expect(formatPercent(0)).toBe('0');
  });

  it('spells durations out', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(2.5)).toBe('2.50 s');
    expect(formatDuration(7200)).toBe('7,200 s (2 h)');
    expect(formatDuration(6600)).toBe('6,600 s (1 h 50 min)');
  });
});

describe('renderTable', () => {
  const table = renderTable(fixture());

  it('has the scenario header', () => {
    expect(table).toContain('scenario chat-seoul');
    expect(table).toContain('seed 42');
    expect(table).toContain('duration 7,200 s (2 h), warm-up 600 s (10 min), measured 6,600 s (1 h 50 min)');
  });

  it('heads a column per policy and stars only the Pareto member', () => {
    const header = table.split('\n').find((l) => l.includes('cloud-only'))!;
    expect(header.trim().split(/\s+/)).toEqual(['cloud-only', 'edge-first*']);
    expect(table).not.toContain('cloud-only*');
    expect(table).toContain('* Pareto set: no other policy is better on p99 latency, cost and carbon at once');
  });

  it('formats latencies per service', () => {
    expect(cellsOf(table, 'latency p99 ms', 'service chat')).toEqual(['1,235', '702']);
    expect(cellsOf(table, 'latency p99 ms', 'service vision')).toEqual(['152', '45.7']);
    expect(cellsOf(table, 'arrivals', 'service chat')).toEqual(['39,600', '39,600']);
    expect(cellsOf(table, 'throughput /s', 'service chat')).toEqual(['5.98', '6.00']);
    expect(cellsOf(table, 'TTFT p99 ms', 'service chat')).toEqual(['613', '160']);
    expect(cellsOf(table, 'SLO attainment %', 'service chat')).toEqual(['98.8', '99.99']);
  });

  it('leaves out TTFT and SLO rows for a service that has neither', () => {
    const vision = table.slice(table.indexOf('service vision'), table.indexOf('pool '));
    expect(vision).not.toContain('TTFT');
    expect(vision).not.toContain('SLO');
  });

  it('shows where the work went', () => {
    expect(cellsOf(table, 'placed at edge-seoul/l4', 'service chat')).toEqual(['0', '36,000']);
    expect(cellsOf(table, 'placed at us-east/h100', 'service chat')).toEqual(['39,560', '3,598']);
  });

  it('uses — where a value does not exist', () => {
    expect(cellsOf(table, 'mean batch', 'pool edge-seoul/l4')).toEqual(['—', '2.46']);
    // Provisioned and billed under the first policy but idle: flagged, with a note under the table.
    expect(cellsOf(table, 'utilisation %', 'pool edge-seoul/l4')).toEqual(['⚠ 0', '87.7']);
  });

  it('flags a provisioned pool under 25% utilised and says why once, under the table', () => {
    expect(table).toContain(
      '⚠ a provisioned pool under 25% utilised: it is paid for, used or not, in every column that provisions it',
    );
    expect(table.match(/^⚠ /gm)).toHaveLength(1);
  });

  it('shows totals, per-1k figures and the 30-day projection', () => {
    expect(cellsOf(table, 'cost $', 'totals')).toEqual(['183', '95.0']);
    expect(cellsOf(table, 'egress $', 'totals')).toEqual(['2.20', '2.00']);
    // 183.3 $ / 52,700 completed × 1000 = 3.478; 95 / 52,798 × 1000 = 1.799
    expect(cellsOf(table, '$ / 1k req', 'totals')).toEqual(['3.48', '1.80']);
    expect(cellsOf(table, 'carbon kg', 'totals')).toEqual(['10.4', '4.20']);
    // 10.43 kg × 2,592,000 s / 6,600 s = 4,096 kg = 4.10 t; 4.2 × 392.7 = 1,649 kg
    expect(cellsOf(table, 'carbon t CO2', '30-day')).toEqual(['4.10', '1.65']);
    expect(cellsOf(table, 'cost $', '30-day')).toEqual(['71,987', '37,309']);
  });

  it('checks conservation', () => {
    expect(cellsOf(table, 'conservation', 'whole run')).toEqual(['ok', 'ok']);
    expect(cellsOf(table, 'arrivals', 'whole run')).toEqual(['57,700', '57,700']);
    expect(cellsOf(table, 'in flight at end', 'whole run')).toEqual(['60', '2']);
    const broken = fixture();
    broken.policies[1].conservation.completed -= 3;
    expect(cellsOf(renderTable(broken), 'conservation', 'whole run')).toEqual(['ok', 'off by 3']);
  });

  it('right-aligns: every data line has the same width', () => {
    const lines = table.split('\n');
    const start = lines.findIndex((l) => l.includes('edge-first*'));
    const end = lines.findIndex((l) => l.startsWith('* Pareto'));
    const dataLines = lines.slice(start, end).filter((l) => l.startsWith('  '));
    expect(dataLines.length).toBeGreaterThan(20);
    const widths = new Set(dataLines.map((l) => [...l].length));
    expect(widths.size).toBe(1);
    expect(widths.has([...lines[start]].length)).toBe(true);
  });

  it('lists warnings at the end and uses no colour by default', () => {
    expect(table.trimEnd().endsWith('  - pool edge-seoul/l4 has no electricity price')).toBe(true);
    expect(table).not.toContain('\u001b[');
    expect(renderTable(fixture(), { color: true })).toContain('\u001b[');
  });

  it('splits columns into blocks when a width is given', () => {
    const narrow = renderTable(fixture(), { width: 40 });
    const lines = narrow.split('\n');
    const header1 = lines.findIndex((l) => l.trim() === 'cloud-only');
    const header2 = lines.findIndex((l) => l.trim() === 'edge-first*');
    expect(header1).toBeGreaterThan(0);
    expect(header2).toBeGreaterThan(header1);
  });
});

describe('renderTable: training jobs, APIs, uplinks and failures', () => {
  const table = renderTable(withExtras());
  const plain = renderTable(fixture());
  /** The lines of one section: from its title to the next blank line. */
  const section = (text: string, title: string) => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith(title));
    if (start < 0) throw new Error(`no section ${title}`);
    const end = lines.findIndex((l, i) => i > start && l === '');
    return lines.slice(start, end).join('\n');
  };

  it('shows a training job per section, times in hours below 48 h', () => {
    const job = 'training job finetune (16 devices, whole run)';
    expect(table).toContain(job);
    expect(cellsOf(table, 'status', job)).toEqual(['done', 'running']);
    expect(cellsOf(table, 'pool', job)).toEqual(['us-east/h100', 'us-west/h100']);
    // 108,000 s = 30 h; edge-first has not finished, so it has no time to train.
    expect(cellsOf(table, 'time to train h', job)).toEqual(['30.0', '—']);
    // edge-first planned its start 7,200 s = 2 h after the job was ready.
    expect(cellsOf(table, 'wait to start h', job)).toEqual(['0', '2.00']);
    // The run apart from the wait: start to end, — while still running.
    const run = table.split('\n').find((l) => l.trimStart().startsWith('run time h'));
    expect(run).toBeDefined();
    expect(
      run!
        .trim()
        .split(/\s{2,}/)
        .at(-1),
    ).toBe('—');
    expect(cellsOf(table, 'progress %', job)).toEqual(['100', '62.5']);
    expect(cellsOf(table, 'cost $', job)).toEqual(['2,938', '1,500']);
    expect(cellsOf(table, 'energy kWh', job)).toEqual(['413', '200']);
    expect(cellsOf(table, 'carbon kg', job)).toEqual(['133', '15.8']);
    expect(cellsOf(table, 'interruptions', job)).toEqual(['2', '0']);
    expect(cellsOf(table, 'lost device-hours', job)).toEqual(['3.75', '0']);
    expect(cellsOf(table, 'deadline met', job)).toEqual(['yes', 'no']);
    // No policy yielded to inference: no row.
    expect(section(table, 'training job')).not.toContain('yields');
  });

  it('switches the job times to days from 48 h', () => {
    const r = withExtras();
    r.policies[0].jobs[0].time_to_train_s = 200_000; // 2.3148 d
    r.policies[1].jobs[0].planned_start_s = 43_200; // 0.5 d
    r.policies[1].jobs[0].dataset_transfer_s = 3600; // 1/24 d
    const t = renderTable(r);
    expect(cellsOf(t, 'time to train d', 'training job')).toEqual(['2.31', '—']);
    expect(cellsOf(t, 'wait to start d', 'training job')).toEqual(['0', '0.500']);
    expect(cellsOf(t, 'dataset transfer d', 'training job')).toEqual(['0', '0.0417']);
    expect(t).not.toContain('time to train h');
  });

  it('leaves out the progress and deadline rows when every job is done without a deadline', () => {
    const r = withExtras();
    r.policies[1].jobs = [{ ...r.policies[0].jobs[0] }];
    for (const p of r.policies) p.jobs[0].deadline_s = p.jobs[0].deadline_met = null;
    const job = section(renderTable(r), 'training job');
    expect(job).toContain('time to train h');
    expect(job).not.toContain('progress');
    expect(job).not.toContain('deadline');
    expect(job).not.toContain('wait to start');
    expect(job).not.toContain('dataset transfer');
  });

  it('shows each managed API and the API parts of the totals', () => {
    expect(table).toContain('API llm-api (us-east)');
    expect(cellsOf(table, 'requests', 'API llm-api')).toEqual(['1,000', '0']);
    expect(cellsOf(table, 'cost $', 'API llm-api')).toEqual(['4.45', '0']);
    expect(cellsOf(table, 'energy kWh', 'API llm-api')).toEqual(['2.00', '0']);
    expect(cellsOf(table, 'carbon kg', 'API llm-api')).toEqual(['0.800', '0']);
    expect(cellsOf(table, 'placed at llm-api', 'service chat')).toEqual(['1,000', '0']);
    // 183.3 + 4.45 = 187.75 $; 32.1 + 2 = 34.1 kWh; 10.43 + 0.8 = 11.23 kg
    expect(cellsOf(table, 'cost $', 'totals')).toEqual(['188', '95.0']);
    expect(cellsOf(table, 'api $', 'totals')).toEqual(['4.45', '0']);
    expect(cellsOf(table, 'api kWh', 'totals')).toEqual(['2.00', '0']);
    expect(cellsOf(table, 'api kg', 'totals')).toEqual(['0.800', '0']);
  });

  it('shows lost and retried requests, unit events and mean units only where some policy has them', () => {
    expect(cellsOf(table, 'lost', 'service chat')).toEqual(['0', '5']);
    expect(cellsOf(table, 'retried', 'service chat')).toEqual(['0', '12']);
    expect(section(table, 'service vision')).not.toMatch(/lost|retried/);
    const h100 = 'pool us-east/h100';
    expect(cellsOf(table, 'mean units', h100)).toEqual(['1.50', '2.00']);
    expect(cellsOf(table, 'cold starts', h100)).toEqual(['4', '0']);
    expect(cellsOf(table, 'preemptions', h100)).toEqual(['1', '0']);
    expect(section(table, h100)).not.toContain('unit failures');
    const l4 = section(table, 'pool edge-seoul/l4');
    expect(cellsOf(l4, 'unit failures')).toEqual(['0', '2']);
    expect(l4).not.toMatch(/mean units|cold starts|preemptions/);
  });

  it('shows uplink outages, — where a policy had none', () => {
    const up = 'uplink of edge-seoul';
    expect(cellsOf(table, 'downtime s', up)).toEqual(['—', '1,235']);
    expect(cellsOf(table, 'outages', up)).toEqual(['—', '3']);
    expect(cellsOf(table, 'responses buffered', up)).toEqual(['—', '420']);
    expect(cellsOf(table, 'buffer overflow', up)).toEqual(['—', '7']);
  });

  it('counts lost requests in the conservation check', () => {
    expect(table).toContain('whole run (incl. warm-up): arrivals = completed + rejected + lost + in flight');
    expect(cellsOf(table, 'lost', 'whole run')).toEqual(['0', '5']);
    // 57,700 = 57,693 + 0 + 5 + 2
    expect(cellsOf(table, 'completed', 'whole run')).toEqual(['57,580', '57,693']);
    expect(cellsOf(table, 'conservation', 'whole run')).toEqual(['ok', 'ok']);
    const broken = withExtras();
    broken.policies[1].conservation.lost = 9;
    expect(cellsOf(renderTable(broken), 'conservation', 'whole run')).toEqual(['ok', 'off by -4']);
  });

  it('keeps every data line the same width', () => {
    const lines = table.split('\n');
    const start = lines.findIndex((l) => l.includes('edge-first*'));
    const end = lines.findIndex((l) => l.startsWith('* Pareto'));
    const widths = new Set(
      lines
        .slice(start, end)
        .filter((l) => l.startsWith('  '))
        .map((l) => [...l].length),
    );
    expect(widths.size).toBe(1);
  });

  it('shows none of it for a Result without jobs, APIs, outages or failures', () => {
    for (const text of [
      'training job',
      'API ',
      'uplink of',
      'api $',
      'api kWh',
      'api kg',
      'retried',
      'mean units',
      'cold starts',
      'preemptions',
      'unit failures',
    ]) {
      expect(plain).not.toContain(text);
    }
    expect(section(plain, 'service chat')).not.toContain('lost');
    // The whole-run lost row is always there: it is part of the conservation identity.
    expect(cellsOf(plain, 'lost', 'whole run')).toEqual(['0', '0']);
  });
});

describe('renderJson', () => {
  it('round-trips and ends with one newline', () => {
    const text = renderJson(fixture());
    expect(JSON.parse(text)).toEqual(fixture());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text.split('\n')[1]).toBe('  "format_version": 1,');
  });

  it('writes keys in the declared order whatever order the objects were built in', () => {
    const scrambled = fixture();
    const s = scrambled.policies[0].services[0];
    scrambled.policies[0].services[0] = Object.fromEntries(Object.entries(s).reverse()) as typeof s;
    scrambled.scenario = Object.fromEntries(Object.entries(scrambled.scenario).reverse()) as Result['scenario'];
    expect(renderJson(scrambled)).toBe(renderJson(fixture()));
    const text = renderJson(fixture());
    expect(text.indexOf('"name": "chat"')).toBeLessThan(text.indexOf('"arrivals": 39600'));
    expect(text.indexOf('"arrivals": 39600')).toBeLessThan(text.indexOf('"placements"'));
  });

  it('writes training jobs, APIs and uplinks in the declared key order', () => {
    const scrambled = withExtras();
    for (const p of scrambled.policies) {
      p.jobs = p.jobs.map((j) => Object.fromEntries(Object.entries(j).reverse()) as typeof j);
      p.apis = p.apis.map((a) => Object.fromEntries(Object.entries(a).reverse()) as typeof a);
      p.uplinks = p.uplinks.map((u) => Object.fromEntries(Object.entries(u).reverse()) as typeof u);
      p.timeseries = Object.fromEntries(Object.entries(p.timeseries).reverse()) as typeof p.timeseries;
    }
    const text = renderJson(scrambled);
    expect(text).toBe(renderJson(withExtras()));
    expect(JSON.parse(text)).toEqual(withExtras());
    // JobResult's declared order, as written out in src/metrics/result.ts.
    const job = JSON.parse(text).policies[0].jobs[0] as Record<string, unknown>;
    expect(Object.keys(job)).toEqual([
      'name',
      'pool',
      'region',
      'devices',
      'status',
      'ready_s',
      'planned_start_s',
      'start_s',
      'end_s',
      'time_to_train_s',
      'deadline_s',
      'deadline_met',
      'progress',
      'cost_usd',
      'energy_kwh',
      'carbon_kg',
      'dataset_transfer_s',
      'dataset_cost_usd',
      'interruptions',
      'yields',
      'checkpoints',
      'lost_device_hours',
    ]);
    const policy = JSON.parse(text).policies[0];
    expect(Object.keys(policy.apis[0])).toEqual(['name', 'region', 'requests', 'cost_usd', 'energy_kwh', 'carbon_kg']);
    expect(Object.keys(policy.timeseries)).toEqual(['interval_s', 't_s', 'services', 'pools']);
    expect(Object.keys(policy.timeseries.pools[0])).toEqual([
      'name',
      'utilisation',
      'queue_length',
      'replicas',
      'power_w',
    ]);
    expect(Object.keys(JSON.parse(text).policies[1].uplinks[0])).toEqual([
      'site',
      'downtime_s',
      'outages',
      'buffered',
      'overflow',
    ]);
  });

  it('refuses a non-finite number instead of writing null', () => {
    const bad = fixture();
    bad.policies[1].totals.cost_usd.total = Number.NaN;
    expect(() => renderJson(bad)).toThrow('policies[1].totals.cost_usd.total');
  });
});

describe('CSV', () => {
  const SUMMARY = [
    'policy',
    'pareto',
    'arrivals',
    'completed',
    'rejected',
    'in_flight',
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
    'egress_gb',
    'cost_usd_per_1k',
    'energy_kwh_per_1k',
    'carbon_kg_per_1k',
    'cost_usd_30d',
    'energy_kwh_30d',
    'carbon_kg_30d',
  ];
  const SERVICES = [
    'policy',
    'service',
    'latency_mean_ms',
    'latency_p50_ms',
    'latency_p90_ms',
    'latency_p95_ms',
    'latency_p99_ms',
    'latency_max_ms',
    'ttft_mean_ms',
    'ttft_p50_ms',
    'ttft_p90_ms',
    'ttft_p95_ms',
    'ttft_p99_ms',
    'ttft_max_ms',
    'slo_attainment_frac',
    'throughput_per_s',
    'placements',
  ];
  const POOLS = ['policy', 'pool', 'utilisation_frac', 'mean_batch_size', 'cost_usd', 'energy_kwh', 'carbon_kg'];
  const t = csvTables(fixture());

  it('has the documented columns', () => {
    expect(parseCsv(t.summary)[0]).toEqual(expect.arrayContaining(SUMMARY));
    expect(parseCsv(t.services)[0]).toEqual(expect.arrayContaining(SERVICES));
    expect(parseCsv(t.pools)[0]).toEqual(expect.arrayContaining(POOLS));
    expect(parseCsv(t.summary)[0].slice(0, 2)).toEqual(['policy', 'pareto']);
  });

  it('has a row per policy, per (policy, service) and per (policy, pool)', () => {
    expect(records(t.summary)).toHaveLength(2);
    expect(records(t.services)).toHaveLength(4);
    expect(records(t.pools)).toHaveLength(4);
    expect(t.summary.endsWith('\n')).toBe(true);
  });

  it('writes values that parse back to the Result numbers', () => {
    const [co, ef] = records(t.summary);
    expect(co.policy).toBe('cloud-only');
    expect(co.pareto).toBe('false');
    expect(ef.pareto).toBe('true');
    // conservation counts, whole run
    expect(Number(co.arrivals)).toBe(57700);
    expect(Number(co.in_flight)).toBe(60);
    // measured-window counts, summed over services
    expect(Number(co.completed_measured)).toBe(39500 + 13200);
    expect(Number(co.cost_usd)).toBe(183.3);
    expect(Number(co.cost_egress_usd)).toBe(2.2);
    expect(Number(co.energy_facility_kwh)).toBe(4.1);
    expect(Number(ef.carbon_kg)).toBe(4.2);
    expect(Number(co.cost_usd_per_1k)).toBe((183.3 / 52700) * 1000);
    expect(Number(ef.carbon_kg_30d)).toBe(4.2 * PROJ);

    const svc = records(t.services);
    const chat = svc.find((r) => r.policy === 'edge-first' && r.service === 'chat')!;
    expect(Number(chat.latency_p99_ms)).toBe(702.3);
    expect(Number(chat.ttft_p50_ms)).toBe(88.4);
    expect(Number(chat.slo_attainment_frac)).toBe(0.99995);
    expect(Number(chat.throughput_per_s)).toBe(39598 / 6600);
    expect(chat.placements).toBe('edge-seoul/l4=36000;us-east/h100=3598');
    const vision = svc.find((r) => r.policy === 'cloud-only' && r.service === 'vision')!;
    expect(vision.ttft_p99_ms).toBe('');
    expect(vision.slo_attainment_frac).toBe('');
    expect(Number(vision.latency_max_ms)).toBe(240.5);

    const pools = records(t.pools);
    const l4 = pools.find((r) => r.policy === 'cloud-only' && r.pool === 'edge-seoul/l4')!;
    expect(l4.instance).toBe('');
    expect(Number(l4.utilisation_frac)).toBe(0);
    expect(l4.kind).toBe('edge');
    const h100 = pools.find((r) => r.policy === 'edge-first' && r.pool === 'us-east/h100')!;
    expect(Number(h100.utilisation_frac)).toBe(0.031);
    expect(h100.instance).toBe('p5.48xlarge');
  });

  it('quotes names holding commas and quotes', () => {
    const odd = fixture();
    odd.policies[0].policy = 'cheap, "fast"';
    odd.pareto = ['cheap, "fast"'];
    const text = csvTables(odd).summary;
    expect(text.split('\n')[1].startsWith('"cheap, ""fast""",true,')).toBe(true);
    expect(records(text)[0].policy).toBe('cheap, "fast"');
  });

  it('writes the five files into a new directory', () => {
    const base = mkdtempSync(join(tmpdir(), 'placesim-csv-'));
    try {
      const dir = join(base, 'nested', 'out');
      const paths = writeCsv(fixture(), dir);
      expect(paths).toEqual(
        ['summary.csv', 'services.csv', 'placements.csv', 'pools.csv', 'timeseries.csv'].map((f) => join(dir, f)),
      );
      expect(readFileSync(paths[0], 'utf8')).toBe(t.summary);
      expect(readFileSync(paths[2], 'utf8')).toBe(t.placements);
      expect(readFileSync(paths[3], 'utf8')).toBe(t.pools);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('CSV: training jobs, APIs and failures', () => {
  const t = csvTables(withExtras());
  const JOBS = [
    'policy',
    'job',
    'pool',
    'region',
    'devices',
    'status',
    'ready_s',
    'planned_start_s',
    'start_s',
    'end_s',
    'time_to_train_s',
    'deadline_s',
    'deadline_met',
    'progress_frac',
    'cost_usd',
    'energy_kwh',
    'carbon_kg',
    'dataset_transfer_s',
    'dataset_cost_usd',
    'interruptions',
    'yields',
    'checkpoints',
    'lost_device_hours',
  ];

  it('adds lost, retried, unit events and the API parts to the existing files', () => {
    expect(parseCsv(t.summary)[0]).toEqual(
      expect.arrayContaining(['lost', 'lost_measured', 'cost_api_usd', 'energy_api_kwh', 'carbon_api_kg']),
    );
    const [co, ef] = records(t.summary);
    expect(Number(ef.lost)).toBe(5);
    expect(Number(ef.lost_measured)).toBe(5);
    expect(Number(ef.completed)).toBe(57693);
    expect(Number(co.cost_api_usd)).toBe(4.45);
    expect(Number(co.energy_api_kwh)).toBe(2);
    expect(Number(co.carbon_api_kg)).toBe(0.8);
    expect(Number(co.cost_usd)).toBe(183.3 + 4.45);
    expect(Number(ef.cost_api_usd)).toBe(0);

    const chat = records(t.services).find((r) => r.policy === 'edge-first' && r.service === 'chat')!;
    expect([chat.lost, chat.retried, chat.completed]).toEqual(['5', '12', '39593']);
    const coChat = records(t.services).find((r) => r.policy === 'cloud-only' && r.service === 'chat')!;
    expect(coChat.placements).toBe('us-east/h100=39560;llm-api=1000');

    const pools = records(t.pools);
    const h100 = pools.find((r) => r.policy === 'cloud-only' && r.pool === 'us-east/h100')!;
    expect([h100.mean_units, h100.cold_starts, h100.preemptions, h100.unit_failures]).toEqual(['1.5', '4', '1', '0']);
    const l4 = pools.find((r) => r.policy === 'edge-first' && r.pool === 'edge-seoul/l4')!;
    expect([l4.mean_units, l4.unit_failures]).toEqual(['4', '2']);
  });

  it('has a jobs.csv row per (policy, job), units in the column names, empty cells for null', () => {
    expect(parseCsv(t.jobs)[0]).toEqual(JOBS);
    const [co, ef] = records(t.jobs);
    expect(co).toMatchObject({ policy: 'cloud-only', job: 'finetune', pool: 'us-east/h100', status: 'done' });
    expect(Number(co.time_to_train_s)).toBe(108000);
    expect(co.deadline_met).toBe('true');
    expect(Number(co.lost_device_hours)).toBe(3.75);
    expect(Number(co.cost_usd)).toBe(2937.6);
    expect(ef).toMatchObject({
      policy: 'edge-first',
      status: 'running',
      end_s: '',
      time_to_train_s: '',
      deadline_met: 'false',
    });
    expect(Number(ef.progress_frac)).toBe(0.625);
    expect(Number(ef.planned_start_s)).toBe(7200);
  });

  it('has an apis.csv row per (policy, API)', () => {
    expect(parseCsv(t.apis)[0]).toEqual(['policy', 'api', 'region', 'requests', 'cost_usd', 'energy_kwh', 'carbon_kg']);
    expect(records(t.apis)).toEqual([
      {
        policy: 'cloud-only',
        api: 'llm-api',
        region: 'us-east',
        requests: '1000',
        cost_usd: '4.45',
        energy_kwh: '2',
        carbon_kg: '0.8',
      },
      {
        policy: 'edge-first',
        api: 'llm-api',
        region: 'us-east',
        requests: '0',
        cost_usd: '0',
        energy_kwh: '0',
        carbon_kg: '0',
      },
    ]);
  });

  it('writes jobs.csv and apis.csv only when the scenario has jobs or APIs', () => {
    const base = mkdtempSync(join(tmpdir(), 'placesim-csv-'));
    try {
      const names = (r: Result, dir: string) =>
        writeCsv(r, join(base, dir)).map((p) => p.slice(join(base, dir).length + 1));
      expect(names(withExtras(), 'all')).toEqual([
        'summary.csv',
        'services.csv',
        'placements.csv',
        'pools.csv',
        'uplinks.csv',
        'apis.csv',
        'jobs.csv',
        'timeseries.csv',
      ]);
      expect(readFileSync(join(base, 'all', 'jobs.csv'), 'utf8')).toBe(t.jobs);
      expect(readFileSync(join(base, 'all', 'apis.csv'), 'utf8')).toBe(t.apis);
      const onlyApis = withExtras();
      for (const p of onlyApis.policies) p.jobs = [];
      expect(names(onlyApis, 'apis')).toEqual([
        'summary.csv',
        'services.csv',
        'placements.csv',
        'pools.csv',
        'uplinks.csv',
        'apis.csv',
        'timeseries.csv',
      ]);
      const onlyJobs = withExtras();
      for (const p of onlyJobs.policies) p.apis = [];
      expect(names(onlyJobs, 'jobs')).toEqual([
        'summary.csv',
        'services.csv',
        'placements.csv',
        'pools.csv',
        'uplinks.csv',
        'jobs.csv',
        'timeseries.csv',
      ]);
      expect(names(fixture(), 'none')).toEqual([
        'summary.csv',
        'services.csv',
        'placements.csv',
        'pools.csv',
        'timeseries.csv',
      ]);
      expect(existsSync(join(base, 'none', 'jobs.csv'))).toBe(false);
      expect(existsSync(join(base, 'none', 'apis.csv'))).toBe(false);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('leaves the new columns at zero for a Result without failures or APIs', () => {
    const plain = csvTables(fixture());
    for (const r of records(plain.summary)) {
      expect([r.lost, r.lost_measured, r.cost_api_usd, r.energy_api_kwh, r.carbon_api_kg]).toEqual([
        '0',
        '0',
        '0',
        '0',
        '0',
      ]);
    }
    // Header only: nothing to write.
    expect(parseCsv(plain.jobs)).toEqual([JOBS]);
    expect(records(plain.apis)).toEqual([]);
  });
});
