/** sweep.csv as a spreadsheet reads it: statistics without float noise, and units in the headers. */
import { describe, it, expect } from 'vitest';
import { sweepCsv, sweepColumn } from '../src/sweep/report.js';
import type { SweepResult } from '../src/metrics/sweep-result.js';

function result(metrics: Record<string, { mean: number; ci95: number; n: number } | null>): SweepResult {
  return {
    format_version: 1,
    placesim_version: '0.0.0-test',
    scenario: { name: 't', file: null, seed: 1 },
    axes: [{ path: 'sites.x.pools.p.count', values: [3] }],
    replications: 3,
    seeds: [1, 2, 3],
    metrics: Object.keys(metrics).map((name) => ({ name, description: name })),
    points: [{ index: 0, values: { 'sites.x.pools.p.count': 3 }, policies: [{ policy: 'edge-first', metrics }] }],
  };
}

/** Significant digits of a decimal number as written ("3623.69215" → 9, "0.000123" → 3, "4.5e-13" → 2). */
function significantDigits(cell: string): number {
  const mantissa = cell.replace(/^-/, '').split('e')[0].replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length;
}

describe('sweep.csv', () => {
  // Means summed in floating point, the kind that printed 3623.6921500000003 before.
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const text = sweepCsv(
    result({
      cost_usd: { mean: 3623.6921500000003, ci95: 4.547473508864641e-13, n: 3 },
      cost_usd_per_1k: { mean: mean([0.1, 0.2, 0.3]), ci95: 0.1 + 0.2, n: 3 },
      'chat.latency_p99_ms': { mean: mean([412.1, 412.2, 412.3]), ci95: 0.1234567890123457, n: 3 },
      'chat.slo_attainment': { mean: 0.9999, ci95: 0.00010000000000000009, n: 3 },
      'orin/l4.utilisation': { mean: 1 / 3, ci95: 2 / 3, n: 3 },
      'chat.rejected': null,
    }),
  );
  const [header, row] = text
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
  const cell = (col: string) => row[header.indexOf(col)];

  it('writes no statistic with 13 or more significant digits', () => {
    for (const c of row.slice(3)) {
      if (c === '') continue;
      expect(significantDigits(c), c).toBeLessThanOrEqual(12);
    }
    expect(cell('cost_usd')).toBe('3623.69215');
    expect(cell('cost_usd_per_1k')).toBe('0.2');
    expect(cell('cost_usd_per_1k_ci95')).toBe('0.3');
    expect(cell('orin/l4.utilisation_frac')).toBe('0.333333333333');
  });

  it('writes a half-width to the last digit of its mean, so identical replications read 0', () => {
    expect(cell('cost_usd_ci95')).toBe('0');
    expect(cell('chat.latency_p99_ms_ci95')).toBe('0.123456789');
    expect(cell('chat.slo_attainment_frac_ci95')).toBe('0.0001');
  });

  it('names the unit of every metric column, fractions as _frac', () => {
    expect(header).toEqual([
      'point',
      'sites.x.pools.p.count',
      'policy',
      'cost_usd',
      'cost_usd_ci95',
      'cost_usd_per_1k',
      'cost_usd_per_1k_ci95',
      'chat.latency_p99_ms',
      'chat.latency_p99_ms_ci95',
      'chat.slo_attainment_frac',
      'chat.slo_attainment_frac_ci95',
      'orin/l4.utilisation_frac',
      'orin/l4.utilisation_frac_ci95',
      'chat.rejected',
      'chat.rejected_ci95',
    ]);
    expect(sweepColumn('a.b.c.latency_mean_ms')).toBe('a.b.c.latency_mean_ms');
    expect(cell('chat.rejected')).toBe('');
  });
});
