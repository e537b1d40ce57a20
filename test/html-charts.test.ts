/**
 * The HTML charts a planner can read (issue 12): axis labels over the whole domain, padded domains, coinciding
 * points drawn apart, labels that stay with their own point, a log axis for sweeps that span decades,
 * half-widths at the value's precision, and the console table's per-request units in the summary.
 */
import { describe, it, expect } from 'vitest';
import { renderHtml, renderSweepHtml } from '../src/report/html.js';
import { renderTable } from '../src/report/table.js';
import { labelLogTicks, numericAxis } from '../src/report/html/scales.js';
import { spreadCoinciding } from '../src/report/html/run-charts.js';
import { formatHalfWidth, formatStat, metricUnit, useLogY } from '../src/report/html/sweep-charts.js';
import { IdSource, textWidth } from '../src/report/html/svg.js';
import { costP99Chart } from '../src/report/html/run-charts.js';
import type { PolicyResult, Result } from '../src/metrics/result.js';
import type { MetricStat, SweepResult } from '../src/metrics/sweep-result.js';
import { fixture } from './fixtures/reports/results.js';

// ---------------------------------------------------------------------------------------------------------
// Reading the markup back.

const attr = (el: string, name: string): string | null => el.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1] ?? null;
const num = (el: string, name: string) => Number(attr(el, name));

/** Open tags `<tag class="cls…" …>` whose class starts with `cls`. */
const tags = (svg: string, tag: string, cls: string) =>
  svg.match(new RegExp(`<${tag} class="${cls}[^"]*"[^>]*>`, 'g')) ?? [];

/** Labelled ticks of one axis: label → position. */
function ticks(svg: string, axis: 'x' | 'y'): Map<string, number> {
  const g = svg.match(new RegExp(`<g class="axis ${axis}-axis">[\\s\\S]*?</g><line class="domain"`))?.[0] ?? '';
  const re =
    axis === 'x'
      ? /translate\(([-\d.]+),0\)">.*?(?:<text[^>]*>([^<]*)<\/text>)?<\/g>/g
      : /translate\(0,([-\d.]+)\)">.*?(?:<text[^>]*>([^<]*)<\/text>)?<\/g>/g;
  const out = new Map<string, number>();
  for (const m of g.matchAll(re)) if (m[2] !== undefined) out.set(m[2], Number(m[1]));
  return out;
}

/** The plot's frame, from the two axis lines. */
function frame(svg: string): { x0: number; x1: number; top: number; bottom: number } {
  const x = svg.match(/<g class="axis x-axis">[\s\S]*?(<line class="domain"[^>]*>)/)![1];
  const y = svg.match(/<g class="axis y-axis">[\s\S]*?(<line class="domain"[^>]*>)/)![1];
  return { x0: num(x, 'x1'), x1: num(x, 'x2'), bottom: num(y, 'y1'), top: num(y, 'y2') };
}

interface Marker {
  policy: string;
  cx: number;
  cy: number;
  r: number;
  title: string;
}

function markers(svg: string): Marker[] {
  return [...svg.matchAll(/(<circle class="point[^"]*"[^>]*>)<title>([^<]*)<\/title>/g)].map((m) => ({
    policy: attr(m[1], 'data-policy')!,
    cx: num(m[1], 'cx'),
    cy: num(m[1], 'cy'),
    r: num(m[1], 'r'),
    title: m[2],
  }));
}

interface Label {
  policy: string;
  box: { x0: number; x1: number; y0: number; y1: number };
}

function labels(svg: string): Label[] {
  return [...svg.matchAll(/(<text class="(?:pareto|point)-label"[^>]*>)([^<]*)<\/text>/g)].map((m) => {
    const w = textWidth(m[2]);
    const x = num(m[1], 'x');
    const y = num(m[1], 'y');
    const x0 = attr(m[1], 'text-anchor') === 'end' ? x - w : x;
    return { policy: attr(m[1], 'data-policy')!, box: { x0, x1: x0 + w, y0: y - 8, y1: y + 8 } };
  });
}

const distToBox = (x: number, y: number, b: Label['box']) =>
  Math.hypot(Math.max(b.x0 - x, 0, x - b.x1), Math.max(b.y0 - y, 0, y - b.y1));

function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

// ---------------------------------------------------------------------------------------------------------
// Hand-made Results: the fixture's first policy, copied, with a chosen worst p99 and total cost.

function plane(points: { name: string; p99: number; cost: number }[], pareto: string[]): Result {
  const r = fixture();
  const base = r.policies[0];
  r.policies = points.map(({ name, p99, cost }): PolicyResult => {
    const p = structuredClone(base);
    p.policy = name;
    for (const s of p.services)
      if (s.latency_ms !== null) s.latency_ms = { ...s.latency_ms, p99: s.name === 'chat' ? p99 : Math.min(p99, 50) };
    p.totals.cost_usd.total = cost;
    return p;
  });
  r.pareto = pareto;
  return r;
}

// chatbot-seoul's five points (p99 ms, cost $) as the issue saw them: two pairs close together at the top.
const CHATBOT = plane(
  [
    { name: 'cloud-only', p99: 414, cost: 180 },
    { name: 'edge-only', p99: 4268, cost: 2.93 },
    { name: 'edge-first', p99: 3607, cost: 183 },
    { name: 'least-latency', p99: 414, cost: 183 },
    { name: 'cheapest-within-slo', p99: 3023, cost: 184 },
  ],
  ['cloud-only', 'edge-only'],
);

const costChart = (r: Result) => costP99Chart(new IdSource(), r);

// ---------------------------------------------------------------------------------------------------------

describe('axes', () => {
  it('label a log axis over its whole domain, not only its lower part', () => {
    // 414 … 4,268 ms: before, only 500, 1,000 and 2,000 were labelled.
    const ax = numericAxis({ lo: 414, hi: 4268, range: [60, 620], log: true, count: 6 });
    const labelled = ax.ticks.filter((t) => t.label !== '');
    const last = labelled[labelled.length - 1];
    const first = labelled[0];
    expect(Number(last.label.replace(/,/g, ''))).toBeGreaterThanOrEqual(4000);
    expect(Number(first.label)).toBeLessThanOrEqual(500);
    // The labels span at least 80 % of the axis and never overlap.
    expect(last.pos - first.pos).toBeGreaterThan(0.8 * (620 - 60));
    for (let i = 1; i < labelled.length; i++) {
      expect(labelled[i].pos - labelled[i - 1].pos).toBeGreaterThan(
        (textWidth(labelled[i].label) + textWidth(labelled[i - 1].label)) / 2,
      );
    }
  });

  it('keep log labels apart and give decades the first claim', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const pos = values.map((v) => 50 + 100 * Math.log10(v));
    const t = labelLogTicks(values, pos, 5, 'x');
    const shown = t.filter((x) => x.label !== '').map((x) => x.label);
    expect(shown).toEqual(expect.arrayContaining(['1', '10', '100']));
    expect(shown.length).toBeLessThanOrEqual(6);
    expect(t).toHaveLength(values.length);
  });

  it('pad the domain so that the extreme values sit inside the frame', () => {
    for (const log of [false, true] as const) {
      const ax = numericAxis({ lo: 3, hi: 184, range: [0, 500], log, pad: 0.06, count: 5 });
      expect(ax.scale(3)).toBeGreaterThan(10);
      expect(ax.scale(184)).toBeLessThan(490);
      // No tick below 0 for data that are not negative.
      expect(ax.ticks.every((t) => !t.label.startsWith('-') && !t.label.startsWith('−'))).toBe(true);
    }
    // A percentage axis capped at 100 has its top tick at 100, and 100 % is off the frame.
    const pct = numericAxis({ lo: 50, hi: 100, range: [200, 0], log: false, pad: 0.05, max: 100, count: 5 });
    expect(pct.ticks[pct.ticks.length - 1].label).toBe('100');
    expect(pct.scale(100)).toBeGreaterThan(5);
  });
});

describe('the cost/p99 chart', () => {
  const svg = costChart(CHATBOT);

  it('labels the x axis past 2,000 ms when the data go to 4,268 ms', () => {
    const x = [...ticks(svg, 'x').keys()].map((l) => Number(l.replace(/,/g, '')));
    expect(Math.max(...x)).toBeGreaterThanOrEqual(4000);
  });

  it('keeps every marker off the frame (padded domains)', () => {
    const f = frame(svg);
    for (const m of markers(svg)) {
      expect(m.cx - m.r).toBeGreaterThan(f.x0 + 4);
      expect(m.cx + m.r).toBeLessThan(f.x1 - 4);
      expect(m.cy - m.r).toBeGreaterThan(f.top + 4);
      expect(m.cy + m.r).toBeLessThan(f.bottom - 4);
    }
  });

  it('puts each label nearest its own marker, or links it with a leader that passes no other marker', () => {
    const ms = markers(svg);
    const ls = labels(svg);
    expect(ls.map((l) => l.policy).sort()).toEqual(ms.map((m) => m.policy).sort());
    for (const l of ls) {
      const own = ms.find((m) => m.policy === l.policy)!;
      const leader = svg.match(new RegExp(`<line class="leader" data-policy="${l.policy}"[^>]*>`))?.[0];
      const others = ms.filter((m) => m !== own);
      if (leader === undefined) {
        const d = distToBox(own.cx, own.cy, l.box);
        for (const o of others) expect(distToBox(o.cx, o.cy, l.box)).toBeGreaterThan(d);
      } else {
        expect([num(leader, 'x1'), num(leader, 'y1')]).toEqual([own.cx, own.cy]);
        // Clear of every other marker by more than a few pixels, and so is its leader: before, "edge-first"
        // sat just under cheapest-within-slo's dot with a short leader to its own.
        for (const o of others) {
          expect(distToBox(o.cx, o.cy, l.box)).toBeGreaterThanOrEqual(o.r + 5);
          expect(
            distToSegment(o.cx, o.cy, own.cx, own.cy, num(leader, 'x2'), num(leader, 'y2')),
          ).toBeGreaterThanOrEqual(o.r + 2);
        }
      }
      // No label covers any marker.
      for (const m of ms) expect(distToBox(m.cx, m.cy, l.box)).toBeGreaterThan(m.r - 1);
    }
    // No two labels overlap.
    for (const a of ls) {
      for (const b of ls) {
        if (a === b) continue;
        const apart = a.box.x1 <= b.box.x0 || b.box.x1 <= a.box.x0 || a.box.y1 <= b.box.y0 || b.box.y1 <= a.box.y0;
        expect(apart).toBe(true);
      }
    }
  });

  it('draws identical points apart, labels both, and says that they coincide', () => {
    const twin = plane(
      [
        { name: 'a', p99: 400, cost: 100 },
        { name: 'b', p99: 400, cost: 100 },
        { name: 'c', p99: 900, cost: 20 },
      ],
      ['a', 'b', 'c'],
    );
    const chart = costChart(twin);
    const ms = markers(chart);
    const [a, b] = [ms.find((m) => m.policy === 'a')!, ms.find((m) => m.policy === 'b')!];
    // Side by side, first on the left, not overlapping; the same height.
    expect(b.cx - a.cx).toBeGreaterThanOrEqual(a.r + b.r);
    expect(a.cy).toBe(b.cy);
    expect(a.title).toContain('Same p99 and cost as b');
    expect(b.title).toContain('Same p99 and cost as a');
    // Both labelled, in different places.
    const ls = labels(chart);
    const la = ls.find((l) => l.policy === 'a')!;
    const lb = ls.find((l) => l.policy === 'b')!;
    expect([la.box.x0, la.box.y0]).not.toEqual([lb.box.x0, lb.box.y0]);
    // Legend and description say so; each displaced marker has a spoke to the value.
    expect(chart).toContain('coinciding points, drawn apart');
    expect(chart).toContain('Points that coincide at this scale, drawn apart with a spoke to their value: a and b.');
    expect(tags(chart, 'line', 'spoke')).toHaveLength(2);
    // Deterministic.
    expect(costChart(twin)).toBe(chart);
  });

  it('leaves lone points where their values are, with no note', () => {
    const chart = costChart(
      plane(
        [
          { name: 'a', p99: 400, cost: 100 },
          { name: 'c', p99: 900, cost: 20 },
        ],
        ['a', 'c'],
      ),
    );
    expect(tags(chart, 'line', 'spoke')).toHaveLength(0);
    expect(chart).not.toContain('coinciding points');
  });

  it('spreads three or more coinciding markers around their centre, none overlapping', () => {
    const out = spreadCoinciding([0, 1, 2, 3].map(() => ({ x: 100, y: 100, r: 5 })));
    for (let i = 0; i < out.length; i++) {
      expect(out[i].with).toHaveLength(3);
      for (let j = i + 1; j < out.length; j++)
        expect(Math.hypot(out[i].mx - out[j].mx, out[i].my - out[j].my)).toBeGreaterThanOrEqual(10);
    }
    const cx = out.reduce((s, p) => s + p.mx, 0) / out.length;
    expect(cx).toBeCloseTo(100, 6);
  });
});

// ---------------------------------------------------------------------------------------------------------

const stat = (mean: number, ci95: number): MetricStat => ({ mean, ci95, n: 5 });

function sweep(cost: (policy: number, rate: number) => number): SweepResult {
  const path = 'services.chat.arrivals.poisson';
  const rates = [1, 2, 4];
  return {
    format_version: 1,
    placesim_version: '0.0.0-test',
    scenario: { name: 'span', file: null, seed: 1 },
    axes: [{ path, values: rates }],
    replications: 5,
    seeds: [1, 2, 3, 4, 5],
    metrics: [{ name: 'cost_usd_per_1k', description: 'cost per 1,000 completed requests, USD' }],
    points: rates.map((r, index) => ({
      index,
      values: { [path]: r },
      policies: ['cloud', 'edge'].map((policy, i) => ({
        policy,
        metrics: { cost_usd_per_1k: stat(cost(i, r), cost(i, r) * 0.8) },
      })),
    })),
  };
}

describe('sweep charts', () => {
  it('use a log y axis when the means span more than 100×, all positive', () => {
    expect(useLogY([0.04, 27])).toBe(true);
    expect(useLogY([1, 100])).toBe(false);
    expect(useLogY([0, 27])).toBe(false);
    expect(useLogY([-1, 270])).toBe(false);
    expect(useLogY([])).toBe(false);

    const html = renderSweepHtml(sweep((i, r) => (i === 0 ? 27 / r : 0.04 / r)));
    const svg = html.match(/<svg class="chart" data-chart="sweep-metric"[\s\S]*?<\/svg>/)![0];
    expect(svg).toContain('cost, $ / 1k req (log scale)');
    // Decades are labelled, and the small edge figures are not squashed onto the axis: a decade apart is
    // the same height wherever it is.
    const y = ticks(svg, 'y');
    expect(y.has('0.1') && y.has('1') && y.has('10')).toBe(true);
    expect(y.get('0.1')! - y.get('1')!).toBeCloseTo(y.get('1')! - y.get('10')!, 1);
    // A band whose lower edge (mean − ci) would reach 0 or below stops at the axis' bottom.
    const f = frame(svg);
    for (const d of tags(svg, 'path', 'band').map((b) => attr(b, 'd')!)) {
      for (const m of d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) expect(Number(m[2])).toBeLessThanOrEqual(f.bottom + 0.01);
    }
  });

  it('stop a band at 0 on a linear axis: a metric that cannot be negative gets no negative tick', () => {
    // Means of 46–367 ms with half-widths up to 1,200 ms (two replications of a saturated point).
    const s = sweep((i, r) => (r === 4 ? 330 : 46 + i));
    for (const p of s.points[2].policies) p.metrics.cost_usd_per_1k = stat(330, 1200);
    const svg = renderSweepHtml(s).match(/<svg class="chart" data-chart="sweep-metric"[\s\S]*?<\/svg>/)![0];
    expect(svg).not.toContain('(log scale)');
    for (const label of ticks(svg, 'y').keys()) expect(label.startsWith('-') || label.startsWith('−')).toBe(false);
    const f = frame(svg);
    for (const d of tags(svg, 'path', 'band').map((b) => attr(b, 'd')!)) {
      for (const m of d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) expect(Number(m[2])).toBeLessThanOrEqual(f.bottom + 0.01);
    }
  });

  it('keep the first and last points clear of the frame', () => {
    const svg = renderSweepHtml(sweep((i, r) => 8 / r + i)).match(
      /<svg class="chart" data-chart="sweep-metric"[\s\S]*?<\/svg>/,
    )![0];
    const f = frame(svg);
    const xs = tags(svg, 'circle', 'point').map((c) => num(c, 'cx'));
    expect(xs.length).toBeGreaterThan(0);
    for (const x of xs) {
      expect(x - f.x0).toBeGreaterThanOrEqual(12);
      expect(f.x1 - x).toBeGreaterThanOrEqual(12);
    }
  });

  it('show per-1k metrics in the console table units: gCO2 and $ per 1M requests when the figures are small', () => {
    const s = sweep((i, r) => (i === 0 ? 0.00121 / r : 0.0004 / r));
    s.metrics.push({ name: 'carbon_kg_per_1k', description: 'carbon per 1,000 completed requests, kg CO2e' });
    for (const pt of s.points) for (const p of pt.policies) p.metrics.carbon_kg_per_1k = stat(0.0000121, 0.0000004);
    const html = renderSweepHtml(s);
    const svgs = html.match(/<svg class="chart" data-chart="sweep-metric"[\s\S]*?<\/svg>/g)!;
    expect(svgs[0]).toContain('cost, $ / 1M req');
    expect(svgs[1]).toContain('carbon, gCO2 / 1M req');
    // The y ticks read as whole figures, not 0.00001.
    for (const label of ticks(svgs[1], 'y').keys()) expect(label).not.toMatch(/^0\.0000/);
    // The table: the same units, the CSV column named in the tooltip, the figures scaled.
    expect(html).toContain('<th scope="col" title="carbon_kg_per_1k in sweep.csv">carbon, gCO2 / 1M req</th>');
    expect(html).toContain('<td>12.1 ± 0.4</td>');
    expect(html).toContain('<td>1.21 ± 0.97</td>');
    expect(html).not.toMatch(/0\.0000/);
  });

  it('keep a linear y axis when the values do not span decades', () => {
    const html = renderSweepHtml(sweep((i, r) => 8 / r + i));
    const svg = html.match(/<svg class="chart" data-chart="sweep-metric"[\s\S]*?<\/svg>/)![0];
    expect(svg).not.toContain('(log scale)');
  });
});

describe('± half-widths', () => {
  it('round at the last digit the value shows; below it, print 0', () => {
    expect(formatHalfWidth(6.31e-13, '3,624')).toBe('0');
    expect(formatHalfWidth(0.4, '3,624')).toBe('0');
    expect(formatHalfWidth(0.6, '3,624')).toBe('1');
    expect(formatHalfWidth(0.0234, '6.81')).toBe('0.02');
    expect(formatHalfWidth(0.004, '6.81')).toBe('0');
    expect(formatHalfWidth(546.2, '3,624')).toBe('546');
    expect(formatHalfWidth(1234.5, '3,624')).toBe('1,235');
    // Never more than three significant digits of its own.
    expect(formatHalfWidth(12.345, '0.500')).toBe('12.3');
    expect(formatHalfWidth(4.6e-9, '1.23e-7')).toBe('5e-9');
    expect(formatHalfWidth(0, '6.81')).toBe('0');
  });

  it('format a statistic the same way, percentages included', () => {
    expect(formatStat(stat(3623.69215, 6.31e-13), metricUnit('cost_usd'))).toBe('3,624 ± 0');
    expect(formatStat(stat(6.81, 0.0234), metricUnit('cost_usd_per_1k'))).toBe('6.81 ± 0.02');
    expect(formatStat(stat(0.9941, 0.000123), metricUnit('chat.slo_attainment'))).toBe('99.41 ± 0.01 %');
    expect(formatStat(stat(0.9941, 1e-15), metricUnit('chat.slo_attainment'))).toBe('99.41 ± 0 %');
    expect(formatStat(stat(1, 0), metricUnit('chat.slo_attainment'))).toBe('100 ± 0 %');
    expect(formatStat(stat(0.5, 0.0834), metricUnit('chat.slo_attainment'))).toBe('50.0 ± 8.3 %');
    expect(formatStat(null, metricUnit('cost_usd'))).toBe('—');
  });

  it('never print float noise in a sweep report', () => {
    const html = renderSweepHtml(sweep((i, r) => 3623.6921500000003 + i + r));
    const noisy = sweep(() => 3623.69215);
    for (const pt of noisy.points) for (const p of pt.policies) p.metrics.cost_usd_per_1k = stat(3623.69215, 6.31e-13);
    const out = renderSweepHtml(noisy);
    expect(out).toContain('3,624 ± 0');
    expect(out).not.toMatch(/e-13/);
    expect(html).not.toMatch(/± [\d,]*\.\d{4,}/);
  });
});

describe('the HTML summary per-request rows', () => {
  /** Label and cells of the HTML summary rows with "/ 1k req" or "/ 1M req". */
  const htmlRows = (html: string) =>
    [...html.matchAll(/<tr><th scope="row"[^>]*>([^<]*\/ 1[kM] req)<\/th>(.*?)<\/tr>/g)].map((m) => [
      m[1],
      ...[...m[2].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1]),
    ]);
  const consoleRows = (table: string) =>
    table
      .split('\n')
      .filter((l) => / \/ 1[kM] req/.test(l))
      .map((l) => {
        const [, label, rest] = /^\s*(\S+ \/ 1[kM] req)\s+(.*)$/.exec(l)!;
        return [label, ...rest.trim().split(/\s+/)];
      });

  it('use the console table units (Wh, g, per 1M requests) and figures', () => {
    const r = fixture();
    const values = [
      { cost_usd: 0.0016873033, energy_kwh: 7.2794522e-5, carbon_kg: 2.35126306e-5 },
      { cost_usd: 0.00184716116, energy_kwh: 7.83732342e-5, carbon_kg: 6.1914855e-6 },
    ];
    r.policies.forEach((p, i) => (p.totals.per_1k_requests = values[i]));
    const rows = htmlRows(renderHtml(r));
    expect(rows).toEqual([
      ['$ / 1M req', '1.69', '1.85'],
      ['Wh / 1M req', '72.8', '78.4'],
      ['gCO2 / 1M req', '23.5', '6.19'],
    ]);
    expect(rows).toEqual(consoleRows(renderTable(r)));
  });

  it('keep $, kWh and kg per 1k requests when the figures are 1 or more', () => {
    const r = fixture();
    r.policies.forEach((p) => (p.totals.per_1k_requests = { cost_usd: 6.81, energy_kwh: 5.01, carbon_kg: 1.59 }));
    expect(htmlRows(renderHtml(r)).map((row) => row[0])).toEqual(['$ / 1k req', 'kWh / 1k req', 'kgCO2 / 1k req']);
  });
});
