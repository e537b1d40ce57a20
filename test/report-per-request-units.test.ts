/** The console table's per-request rows: a unit per row that reads, the Result's per-1k values untouched. */
import { describe, it, expect } from 'vitest';
import { renderTable, perRequestUnit } from '../src/report/table.js';
import { renderJson } from '../src/report/json.js';
import { fixture } from './fixtures/reports/results.js';
import type { Result } from '../src/metrics/result.js';

/** The label and cells of the table rows whose label mentions "/ 1k req" or "/ 1M req". */
function perRequestRows(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => / \/ 1[kM] req/.test(l))
    .map((l) => {
      const [, label, rest] = /^\s*(\S+ \/ 1[kM] req)\s+(.*)$/.exec(l)!;
      return [label, ...rest.trim().split(/\s+/)];
    });
}

/** The fixture with every policy's per-1k figures replaced. */
function withPer1k(values: { cost_usd: number | null; energy_kwh: number | null; carbon_kg: number | null }[]): Result {
  const r = fixture();
  r.policies.forEach((p, i) => (p.totals.per_1k_requests = values[i]));
  return r;
}

describe('per-request figures in the console table', () => {
  it('keep $, kWh and kg per 1k requests when the figures are 1 or more', () => {
    const r = withPer1k([
      { cost_usd: 6.81, energy_kwh: 5.01, carbon_kg: 1.59 },
      { cost_usd: 0.111, energy_kwh: 0.06, carbon_kg: 0.02 },
    ]);
    expect(perRequestRows(renderTable(r))).toEqual([
      ['$ / 1k req', '6.81', '0.111'],
      ['kWh / 1k req', '5.01', '0.0600'],
      ['kgCO2 / 1k req', '1.59', '0.0200'],
    ]);
  });

  it('switch to Wh and g, then per million requests, when the largest figure of a row is below 1', () => {
    // carbon-regions' figures, which printed as 0.00000619 kg / 1k req.
    const r = withPer1k([
      { cost_usd: 0.0016873033, energy_kwh: 7.2794522e-5, carbon_kg: 2.35126306e-5 },
      { cost_usd: 0.00184716116, energy_kwh: 7.83732342e-5, carbon_kg: 6.1914855e-6 },
    ]);
    expect(perRequestRows(renderTable(r))).toEqual([
      ['$ / 1M req', '1.69', '1.85'],
      ['Wh / 1M req', '72.8', '78.4'],
      ['gCO2 / 1M req', '23.5', '6.19'],
    ]);
    const g = withPer1k([
      { cost_usd: 6.9, energy_kwh: 0.157, carbon_kg: 0.0506 },
      { cost_usd: 0.11, energy_kwh: 0.0604, carbon_kg: 0.0216 },
    ]);
    expect(perRequestRows(renderTable(g)).slice(1)).toEqual([
      ['Wh / 1k req', '157', '60.4'],
      ['gCO2 / 1k req', '50.6', '21.6'],
    ]);
  });

  it('leave rows of zeros and missing values in the largest unit', () => {
    const r = withPer1k([
      { cost_usd: 0, energy_kwh: null, carbon_kg: 0 },
      { cost_usd: null, energy_kwh: null, carbon_kg: 0 },
    ]);
    expect(perRequestRows(renderTable(r))).toEqual([
      ['$ / 1k req', '0', '—'],
      ['kWh / 1k req', '—', '—'],
      ['kgCO2 / 1k req', '0', '0'],
    ]);
  });

  it('chooses the largest unit in which the largest value reaches 1, else the smallest', () => {
    const units = [
      { label: 'a', factor: 1 },
      { label: 'b', factor: 1e3 },
    ];
    expect(perRequestUnit([1, 0.001], units).label).toBe('a');
    expect(perRequestUnit([0.999, null], units).label).toBe('b');
    expect(perRequestUnit([1e-9], units).label).toBe('b');
    expect(perRequestUnit([-2], units).label).toBe('a');
  });

  it('do not change the JSON: the Result keeps $, kWh and kg per 1k requests', () => {
    const r = withPer1k([
      { cost_usd: 0.0016873033, energy_kwh: 7.2794522e-5, carbon_kg: 2.35126306e-5 },
      { cost_usd: 6.81, energy_kwh: 0.157, carbon_kg: 0.0506 },
    ]);
    const before = renderJson(r);
    renderTable(r);
    expect(renderJson(r)).toBe(before);
    expect(JSON.parse(before).policies[0].totals.per_1k_requests.carbon_kg).toBe(2.35126306e-5);
  });
});
