import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../src/sim/index.js';
import type { TraceRow } from '../src/metrics/trace.js';
import { TraceCsvWriter, TRACE_COLUMNS } from '../src/report/trace-csv.js';
import { timeseriesCsv } from '../src/report/csv.js';
import { queueScenario } from './helpers/build-scenario.js';

describe('per-request trace', () => {
  // A loss system (max_queue 0) so that the trace has completions, rejections and requests in flight.
  const scenario = queueScenario({
    servers: 2,
    rate: 300,
    serviceTime: { kind: 'exponential', mean_s: 0.01 },
    duration: 60,
    warmup: 5,
    seed: 4,
    maxQueue: 0,
  });
  const rows: TraceRow[] = [];
  const result = runScenario(scenario, { trace: (r) => rows.push({ ...r }) });
  const c = result.policies[0].conservation;

  it('has one row per arrival, with ids 0..n-1, and outcomes matching the tallies', () => {
    expect(rows.length).toBe(c.arrivals);
    // Ids are the arrival order: unique, from 0 to n - 1 (rows come in completion order).
    expect(new Set(rows.map((r) => r.request)).size).toBe(c.arrivals);
    expect(Math.max(...rows.map((r) => r.request))).toBe(c.arrivals - 1);
    expect(rows.filter((r) => r.outcome === 'completed').length).toBe(c.completed);
    expect(rows.filter((r) => r.outcome === 'rejected').length).toBe(c.rejected);
    expect(rows.filter((r) => r.outcome === 'in_flight').length).toBe(c.in_flight);
    expect(c.rejected).toBeGreaterThan(0);
  });

  it('agrees with the statistics on the measured requests', () => {
    const measured = rows.filter((r) => r.measured && r.outcome === 'completed');
    const s = result.policies[0].services[0];
    expect(measured.length).toBe(s.completed);
    const mean = measured.reduce((a, r) => a + r.latency_s, 0) / measured.length;
    expect(mean * 1000).toBeCloseTo(s.latency_ms!.mean, 6);
    for (const r of measured.slice(0, 100)) {
      expect(r.latency_s).toBeCloseTo(r.network_s + r.queue_s + r.execution_s, 12);
      expect(r.queue_s).toBe(0); // a loss system: nobody waits
    }
  });

  it('streams to CSV with a header and one line per row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-trace-'));
    const w = new TraceCsvWriter(join(dir, 'trace.csv'));
    runScenario(scenario, { trace: w.write });
    w.finish();
    const lines = readFileSync(join(dir, 'trace.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(TRACE_COLUMNS.join(','));
    expect(lines.length - 1).toBe(c.arrivals);
    expect(lines.some((l) => l.includes(',rejected,'))).toBe(true);
    // Durations in ms, like services.csv: the measured mean is the Result's latency_ms.mean.
    const col = (name: string) => TRACE_COLUMNS.indexOf(name as (typeof TRACE_COLUMNS)[number]);
    const done = lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((f) => f[col('measured')] === 'true' && f[col('outcome')] === 'completed');
    const mean = done.reduce((a, f) => a + Number(f[col('latency_ms')]), 0) / done.length;
    expect(mean).toBeCloseTo(result.policies[0].services[0].latency_ms!.mean, 6);
    for (const f of done.slice(0, 50))
      expect(f[col('latency_ms')].replace(/^0\.0*|\./, '').length).toBeLessThanOrEqual(12);
  });

  it('timeseries.csv has a row per (policy, interval) and a column group per service and pool', () => {
    const text = timeseriesCsv(result);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'policy,t_s,jobs.arrivals,jobs.completions,jobs.rejected,dc/servers.utilisation_frac,dc/servers.queue_length,dc/servers.replicas,dc/servers.power_w',
    );
    expect(lines.length - 1).toBe(result.policies[0].timeseries.t_s.length);
    const arrivals = lines.slice(1).reduce((a, l) => a + Number(l.split(',')[2]), 0);
    expect(arrivals).toBe(c.arrivals);
  });
});
