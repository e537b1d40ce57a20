/**
 * The charts of a sweep report: a metric against the first swept parameter, a line per policy through the
 * means with the 95% confidence interval as a band. Further axes become small multiples, one chart per
 * combination of their values.
 */

import { area, line } from 'd3-shape';
import { scalePoint } from 'd3-scale';
import type { MetricStat, SweepAxis, SweepMetric, SweepResult } from '../../metrics/sweep-result.js';
import {
  formatCount,
  formatNumber,
  formatPercent,
  perRequestUnit,
  PER_REQUEST_UNITS,
  type PerRequestKind,
} from '../table.js';
import { numericAxis, tickLabel } from './scales.js';
import {
  dashAttr,
  esc,
  IdSource,
  legend,
  n,
  seriesStyle,
  svgChart,
  textWidth,
  widestLabel,
  xAxis,
  yAxis,
  type LegendItem,
  type Tick,
} from './svg.js';

/**
 * The metrics worth a chart, in this order: cost per 1k requests, carbon (per 1k when there is such a
 * metric, else the total), then each service's p99 latency and SLO attainment. Sweeps whose metrics are
 * named otherwise get their first six charted; the table lists them all either way.
 */
export function keyMetrics(metrics: SweepMetric[]): SweepMetric[] {
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const picked: SweepMetric[] = [];
  const take = (name: string) => {
    const m = byName.get(name);
    if (m !== undefined && !picked.includes(m)) picked.push(m);
    return m !== undefined;
  };
  take('cost_usd_per_1k');
  if (!take('carbon_kg_per_1k')) take('carbon_kg');
  for (const m of metrics) {
    const dot = m.name.lastIndexOf('.');
    if (dot > 0 && m.name.slice(dot + 1) === 'latency_p99_ms') {
      const service = m.name.slice(0, dot);
      take(`${service}.latency_p99_ms`);
      take(`${service}.slo_attainment`);
    }
  }
  for (const m of metrics) if (m.name.endsWith('.slo_attainment')) take(m.name);
  return picked.length > 0 ? picked : metrics.slice(0, 6);
}

export interface MetricUnit {
  /** Axis label suffix, e.g. "$ per 1k requests". */
  label: string;
  /** Fractions are shown as percentages. */
  percent: boolean;
  /**
   * Shown values are the metric's times this (default 1): a per-1k figure in a readable unit, e.g. 1e6 for
   * carbon_kg_per_1k shown in gCO2 per 1M requests. Not used with `percent`.
   */
  factor?: number;
  /** What the value is, when the metric's name does not say it in the unit shown ("carbon"). */
  what?: string;
}

/** The unit a metric's name carries (see docs/result-format.md: units are in the names). */
export function metricUnit(name: string): MetricUnit {
  const base = name.slice(name.lastIndexOf('.') + 1);
  if (base === 'slo_attainment' || base.endsWith('utilisation')) return { label: '%', percent: true };
  const units: [string, string][] = [
    ['_usd_per_1k', '$ per 1k requests'],
    ['_kwh_per_1k', 'kWh per 1k requests'],
    ['_kg_per_1k', 'kg CO2e per 1k requests'],
    ['_usd_30d', '$ per 30 days'],
    ['_ms', 'ms'],
    ['_usd', '$'],
    ['_kwh', 'kWh'],
    ['_kg', 'kg CO2e'],
    ['_gb', 'GB'],
    ['_per_s', 'per s'],
  ];
  for (const [suffix, label] of units) if (base.endsWith(suffix)) return { label, percent: false };
  return { label: '', percent: false };
}

/** Per-1k metrics of a sweep, and the kind of per-request figure each is (units as in the console table). */
const PER_1K: Record<string, { kind: PerRequestKind; what: string }> = {
  cost_usd_per_1k: { kind: 'cost', what: 'cost' },
  energy_kwh_per_1k: { kind: 'energy', what: 'energy' },
  carbon_kg_per_1k: { kind: 'carbon', what: 'carbon' },
};

/**
 * The unit a sweep report shows a metric in. Per-1k figures get the console table's readable unit for the
 * largest mean of the metric over the whole sweep ("gCO2 / 1M req" rather than 0.0000121 kg per 1k), one
 * unit for all its charts and table cells; other metrics keep the unit of their name.
 */
export function sweepMetricUnit(sweep: SweepResult, name: string): MetricUnit {
  const per1k = PER_1K[name];
  if (per1k === undefined) return metricUnit(name);
  const means = sweep.points.flatMap((pt) => pt.policies.map((p) => p.metrics[name]?.mean ?? null));
  const u = perRequestUnit(means, PER_REQUEST_UNITS[per1k.kind]);
  return { label: u.label, percent: false, factor: u.factor, what: per1k.what };
}

/** The axis or column title of a metric in its shown unit: "carbon, gCO2 / 1M req", "chat.latency_p99_ms, ms". */
export function metricTitle(name: string, unit: MetricUnit): string {
  if (unit.what !== undefined) return `${unit.what}, ${unit.label}`;
  return unit.label === '' ? name : `${name}, ${unit.label}`;
}

/**
 * The place value of the last digit a formatted number shows: 0.01 for "6.81", 1 for "3,623", 1e-9 for
 * "1.23e-7". As a power of ten (the exponent).
 */
function lastDigitExponent(shown: string): number {
  const m = shown.replace(/,/g, '').match(/^-?\d+(?:\.(\d+))?(?:e([+-]?\d+))?$/);
  if (m === null) return 0;
  return Number(m[2] ?? 0) - (m[1]?.length ?? 0);
}

/**
 * A confidence half-width to the precision the value is shown with: rounded at the value's last shown
 * digit (and to three significant digits of its own), so "3,624 ± 0" rather than "3,624 ± 6.31e-13", and
 * "6.81 ± 0.02" rather than "6.81 ± 0.0234". `valueShown` is the value as printed.
 */
export function formatHalfWidth(ci: number, valueShown: string): string {
  if (!Number.isFinite(ci)) return String(ci);
  const half = Math.abs(ci);
  const own = half === 0 ? 0 : lastDigitExponent(formatNumber(half));
  const e = Math.max(/^[-\d.,e+]+$/.test(valueShown) ? lastDigitExponent(valueShown) : own, own);
  const digits = Math.round(half / 10 ** e);
  if (digits === 0) return '0';
  const rounded = e >= 0 ? digits * 10 ** e : digits / 10 ** -e;
  if (rounded >= 999.5) return formatCount(rounded);
  // toPrecision with the digits down to the place 10^e: "0.02", "12.3", "5e-9".
  return rounded.toPrecision(Math.max(1, Math.floor(Math.log10(rounded) + 1e-9) - e + 1)).replace(/e\+?/, 'e');
}

/** "mean ± ci" in the metric's unit, for tooltips and the table. */
export function formatStat(stat: MetricStat | null, unit: MetricUnit): string {
  if (stat === null) return '—';
  if (unit.percent) {
    const shown = formatPercent(stat.mean);
    // "100" and "<0.1" carry no decimals of their own: they stand for the two and one of their neighbours.
    const asShown = shown === '100' ? '100.00' : shown === '0' || shown.startsWith('<') ? '0.0' : shown;
    return `${shown} ± ${formatHalfWidth(stat.ci95 * 100, asShown)} %`;
  }
  const f = unit.factor ?? 1;
  const shown = formatNumber(stat.mean * f);
  return `${shown} ± ${formatHalfWidth(stat.ci95 * f, shown === '0' ? formatNumber(stat.ci95 * f) : shown)}`;
}

/** Policy names across the points, in order of first appearance. */
export function sweepPolicies(sweep: SweepResult): string[] {
  const names: string[] = [];
  for (const pt of sweep.points) for (const p of pt.policies) if (!names.includes(p.policy)) names.push(p.policy);
  return names;
}

/** Every combination of the values of `axes`, the last varying fastest (the sweep's grid order). */
export function combinations(axes: SweepAxis[]): Record<string, string | number>[] {
  let out: Record<string, string | number>[] = [{}];
  for (const a of axes) out = out.flatMap((c) => a.values.map((v) => ({ ...c, [a.path]: v })));
  return out;
}

export const describeCombo = (combo: Record<string, string | number>) =>
  Object.entries(combo)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');

/**
 * The values of an axis as numbers, when they are: numbers, or strings of a number and one shared unit as
 * the scenario file writes them ("2/s", "4/s"; "250ms", "500ms"). Null for categories ("on-demand", "spot").
 */
export function numericValues(axis: SweepAxis): { values: number[]; unit: string } | null {
  if (axis.values.length === 0) return null;
  if (axis.values.every((v) => typeof v === 'number')) return { values: axis.values, unit: '' };
  const parsed = axis.values.map((v) =>
    String(v)
      .trim()
      .match(/^(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([^\d\s].*)?$/i),
  );
  if (parsed.some((m) => m === null)) return null;
  const units = new Set(parsed.map((m) => m![2] ?? ''));
  if (units.size !== 1) return null;
  return { values: parsed.map((m) => Number(m![1])), unit: [...units][0] };
}

/** A log y axis when every value is positive and the largest is more than 100 times the smallest. */
export function useLogY(values: number[]): boolean {
  if (values.length === 0 || values.some((v) => !(v > 0))) return false;
  return Math.max(...values) / Math.min(...values) > 100;
}

interface Datum {
  x: number;
  stat: MetricStat;
}

export function sweepMetricChart(
  ids: IdSource,
  sweep: SweepResult,
  metric: SweepMetric,
  combo: Record<string, string | number>,
  width: number,
): string {
  const axis = sweep.axes[0];
  const policies = sweepPolicies(sweep);
  const unit = sweepMetricUnit(sweep, metric.name);
  const k = unit.percent ? 100 : (unit.factor ?? 1);
  const inCombo = sweep.points.filter((pt) => Object.entries(combo).every(([path, v]) => pt.values[path] === v));
  const stat = (valueIndex: number, policy: string): MetricStat | null => {
    const v = axis.values[valueIndex];
    const pt = inCombo.find((p) => p.values[axis.path] === v);
    return pt?.policies.find((p) => p.policy === policy)?.metrics[metric.name] ?? null;
  };

  // One y range for the metric over all points, so that small multiples compare at a glance. A metric
  // whose means span more than two decades (cost per 1k of a cloud and of an edge) gets a log axis, where
  // a band's lower edge stops at the bottom of the axis when it would reach 0 or below.
  const every = sweep.points
    .flatMap((pt) => pt.policies.map((p) => p.metrics[metric.name] ?? null))
    .filter((s): s is MetricStat => s !== null);
  const yLog = !unit.percent && useLogY(every.map((s) => s.mean));
  const means = every.map((s) => s.mean * k);
  // Every metric of a sweep is a count, a time, a fraction or a total that cannot be negative: when all its
  // means are 0 or more, a band stops at 0 instead of reaching below it (a p99 latency of −900 ms).
  const nonNegative = every.every((s) => s.mean >= 0);
  const low = (s: MetricStat) => (nonNegative ? Math.max(0, s.mean - s.ci95) : s.mean - s.ci95);
  const lowEdge = (s: MetricStat) => low(s) * k;
  const lo =
    every.length === 0
      ? 0
      : yLog
        ? Math.min(...means, ...every.map(lowEdge).filter((v) => v > 0))
        : Math.min(...every.map(lowEdge));
  const hi = every.length ? Math.max(...every.map((s) => (s.mean + s.ci95) * k)) : 1;
  const plotH = width >= 600 ? 240 : 180;
  const yAx = numericAxis({
    lo,
    hi,
    range: [plotH, 0],
    log: yLog,
    zeroWhenNear: true,
    pad: 0.05,
    count: 5,
    max: unit.percent ? 100 : undefined,
  });
  const left = Math.ceil(widestLabel(yAx.ticks)) + 36;
  const right = 20;
  const items: LegendItem[] = policies.map((p, i) => ({
    label: p,
    color: seriesStyle(i).color,
    dash: seriesStyle(i).dash,
    swatch: 'line',
  }));
  items.push({ label: '95% CI', color: '#bbbbbb', swatch: 'rect' });
  const leg = legend(items, left, 6, width - left - right);
  const top = 6 + leg.height + 14;
  const height = top + plotH + 46;
  const x0 = left;
  const x1 = width - right;

  const numeric = numericValues(axis);
  let xOf: (i: number) => number;
  let xTicks: Tick[];
  let xLog = false;
  if (numeric !== null) {
    const vs = numeric.values;
    const ax = numericAxis({
      lo: Math.min(...vs),
      hi: Math.max(...vs),
      // Inset from the frame, so that the first and last points (always at the ends) sit clear of the axes.
      range: [x0 + 18, x1 - 18],
      log: 'auto',
      autoRatio: 20,
      count: Math.max(3, Math.floor((x1 - x0) / 70)),
    });
    xOf = (i) => ax.scale(vs[i]);
    xLog = ax.log;
    // Ticks at the swept values themselves when their labels fit side by side; a sweep has few values and
    // those are the ones a reader looks up.
    const own = vs.map((v, i) => ({ pos: xOf(i), label: tickLabel(v) }));
    const sorted = [...own].sort((a, b) => a.pos - b.pos);
    const fits = sorted.every(
      (t, i) => i === 0 || t.pos - sorted[i - 1].pos >= (textWidth(t.label) + textWidth(sorted[i - 1].label)) / 2 + 8,
    );
    xTicks = fits ? own : ax.ticks;
  } else {
    const s = scalePoint<string>()
      .domain(axis.values.map((_, i) => String(i)))
      .range([x0, x1])
      .padding(0.5);
    xOf = (i) => s(String(i)) ?? x0;
    xTicks = axis.values.map((v, i) => ({ pos: xOf(i), label: String(v) }));
  }
  const floor = yAx.domain[0];
  const y = (v: number) => top + yAx.scale(yLog ? Math.max(v * k, floor) : v * k);

  const body: string[] = [
    leg.svg,
    xAxis(
      xTicks,
      top + plotH,
      x0,
      x1,
      `${axis.path}${numeric?.unit ? `, ${numeric.unit}` : ''}${xLog ? ' (log scale)' : ''}`,
      top,
    ),
    yAxis(
      yAx.ticks.map((t) => ({ pos: top + t.pos, label: t.label })),
      x0,
      top + plotH,
      top,
      `${metricTitle(metric.name, unit)}${yLog ? ' (log scale)' : ''}`,
      x1,
      14,
    ),
  ];
  const band = area<Datum>()
    .x((d) => xOf(d.x))
    .y0((d) => y(low(d.stat)))
    .y1((d) => y(d.stat.mean + d.stat.ci95))
    .digits(2);
  const through = line<Datum>()
    .x((d) => xOf(d.x))
    .y((d) => y(d.stat.mean))
    .digits(2);
  const bands: string[] = [];
  const lines: string[] = [];
  const points: string[] = [];
  policies.forEach((policy, pi) => {
    const s = seriesStyle(pi);
    // A missing value breaks the line and the band rather than bridging the gap.
    const runs: Datum[][] = [[]];
    axis.values.forEach((v, i) => {
      const st = stat(i, policy);
      if (st === null) {
        if (runs[runs.length - 1].length > 0) runs.push([]);
        return;
      }
      runs[runs.length - 1].push({ x: i, stat: st });
      points.push(
        `<circle class="point" data-policy="${esc(policy)}" data-x="${esc(String(v))}" cx="${n(xOf(i))}" cy="${n(y(st.mean))}" r="3" fill="${s.color}">` +
          `<title>${esc(`${policy}, ${axis.path} = ${v}: ${formatStat(st, unit)} (n = ${st.n})`)}</title></circle>`,
      );
    });
    const kept = runs.filter((r) => r.length > 0);
    if (kept.length === 0) return;
    bands.push(
      `<path class="band" data-policy="${esc(policy)}" d="${kept.map((r) => band(r)).join('')}" fill="${s.color}" fill-opacity="0.16" stroke="none"/>`,
    );
    lines.push(
      `<path class="series" data-policy="${esc(policy)}" d="${kept.map((r) => through(r)).join('')}" fill="none" stroke="${s.color}" stroke-width="2"${dashAttr(s.dash)}/>`,
    );
  });
  // A band may reach past the axis (a CI above 100 %): clip it to the plot.
  const clip = ids.next('clip');
  body.push(
    `<defs><clipPath id="${clip}"><rect x="${n(x0)}" y="${n(top)}" width="${n(x1 - x0)}" height="${n(plotH)}"/></clipPath></defs>`,
  );
  body.push(
    `<g class="bands" clip-path="url(#${clip})">${bands.join('')}</g><g class="series-group">${lines.join('')}</g><g class="points">${points.join('')}</g>`,
  );

  const where = describeCombo(combo);
  return svgChart({
    ids,
    kind: 'sweep-metric',
    width,
    height,
    title: `${metric.name} against ${axis.path}${where === '' ? '' : ` (${where})`}`,
    desc:
      `${metric.name}: ${metric.description.replace(/\.$/, '')}. Mean over ${sweep.replications} replication(s) per point, a line per policy; the band is the ` +
      `95% confidence interval.${where === '' ? '' : ` Other swept parameters fixed at ${where}.`}`,
    attrs: { 'data-metric': metric.name },
    body: body.join(''),
  });
}
