/**
 * The charts of a run report, each an inline <svg class="chart" data-chart="…">: latency CDFs, cost /
 * energy / carbon breakdowns, pool utilisation, queue length and replicas over time, training jobs' time
 * to train and cost, and cost against p99 with the Pareto set. Each reads only the Result.
 */

import { curveStepAfter, line } from 'd3-shape';
import { scaleBand } from 'd3-scale';
import type { CdfPoint, JobResult, PolicyResult, Result, ServiceResult } from '../../metrics/result.js';
import { paretoPoint } from '../../metrics/pareto.js';
import { formatNumber, formatPercent, trainingTimeUnit } from '../table.js';
import { numericAxis, type Axis } from './scales.js';
import {
  dashAttr,
  esc,
  IdSource,
  INK,
  legend,
  n,
  seriesStyle,
  svgChart,
  textWidth,
  widestLabel,
  xAxis,
  yAxis,
  type LegendItem,
} from './svg.js';

const WIDTH = 640;
const MARGIN_RIGHT = 20;
const AXIS_BOTTOM = 46; // tick labels and the axis label under the plot
const LEGEND_TOP = 6;

/** Left margin for a y axis whose widest tick label is `labelWidth`: ticks, gap, rotated axis label. */
const leftMargin = (labelWidth: number) => Math.ceil(labelWidth) + 36;

/**
 * An x axis whose last labelled tick fits in the chart: when its label would stick out past the right
 * edge ("10,000" centred on the plot's end), the plot ends that much further left.
 */
function fitX(make: (x1: number) => Axis, x1: number): { axis: Axis; x1: number } {
  const axis = make(x1);
  const last = [...axis.ticks].reverse().find((t) => t.label !== '');
  const over = last === undefined ? 0 : last.pos + textWidth(last.label) / 2 - (WIDTH - 2);
  if (over <= 0) return { axis, x1 };
  const moved = Math.floor(x1 - over);
  return { axis: make(moved), x1: moved };
}

/** Legend over the plot; returns it and where the plot may start. */
function topLegend(items: LegendItem[], left: number): { svg: string; top: number } {
  const l = legend(items, left, LEGEND_TOP, WIDTH - left - MARGIN_RIGHT);
  return { svg: l.svg, top: LEGEND_TOP + l.height + 14 };
}

function noData(x: number, y: number, text: string): string {
  return `<text class="no-data" x="${n(x)}" y="${n(y)}" text-anchor="middle">${esc(text)}</text>`;
}

const policyItems = (policies: PolicyResult[], note: (p: PolicyResult) => string | null): LegendItem[] =>
  policies.map((p, i) => {
    const why = note(p);
    const s = seriesStyle(i);
    return {
      label: why === null ? p.policy : `${p.policy} (${why})`,
      color: s.color,
      dash: s.dash,
      swatch: 'line',
      muted: why !== null,
    };
  });

// ---------------------------------------------------------------------------------------------------------
// (1) Latency CDF: one chart per service, a line per policy, log-x.

/** Which distribution a CDF chart draws: end-to-end latency, or (LLM services) TTFT or TPOT. */
export type CdfMetric = 'latency' | 'ttft' | 'tpot';

const CDF_WHAT: Record<CdfMetric, { title: string; axis: string; desc: string }> = {
  latency: { title: 'Latency', axis: 'latency', desc: 'end-to-end latency' },
  ttft: { title: 'TTFT', axis: 'time to first token', desc: 'time to first token' },
  tpot: { title: 'TPOT', axis: 'time per output token', desc: 'time per output token' },
};

export function latencyCdfChart(ids: IdSource, result: Result, service: string, metric: CdfMetric = 'latency'): string {
  const policies = result.policies;
  const what = CDF_WHAT[metric];
  const summaryOf = (x: ServiceResult | undefined) =>
    metric === 'latency' ? x?.latency_ms : metric === 'ttft' ? x?.ttft_ms : x?.tpot_ms;
  const cdfs = policies.map((p) => {
    const sv = p.services.find((s) => s.name === service);
    const cdf =
      (metric === 'latency' ? sv?.latency_cdf_ms : metric === 'ttft' ? sv?.ttft_cdf_ms : sv?.tpot_cdf_ms) ?? null;
    return cdf !== null && cdf.length > 0 ? cdf : null;
  });
  const plotH = 250;
  const yAx = numericAxis({ lo: 0, hi: 100, range: [plotH, 0], log: false, count: 5 });
  const left = leftMargin(widestLabel(yAx.ticks));
  const leg = topLegend(
    policyItems(policies, (p) => (cdfs[policies.indexOf(p)] === null ? 'nothing completed' : null)),
    left,
  );
  const top = leg.top;
  const height = top + plotH + AXIS_BOTTOM;
  const x0 = left;
  let x1 = WIDTH - MARGIN_RIGHT;
  const y = (pct: number) => top + yAx.scale(pct);

  const all = cdfs.flatMap((c) => (c === null ? [] : c.map((pt) => pt.ms))).filter((ms) => ms > 0);
  const body: string[] = [leg.svg];
  const summary: string[] = [];
  // The y axis is the same with or without data; its right end follows the x axis (x1 may shrink to fit).
  const yAxisAt = (right: number): string =>
    yAxis(
      yAx.ticks.map((t) => ({ pos: top + t.pos, label: t.label })),
      x0,
      top + plotH,
      top,
      'completed requests at or below, %',
      right,
      14,
    );
  if (all.length === 0) {
    body.push(
      xAxis([], top + plotH, x0, x1, `${what.axis}, ms (log scale)`, top),
      yAxisAt(x1),
      noData((x0 + x1) / 2, top + plotH / 2, 'no completed requests under any policy'),
    );
  } else {
    const lo = Math.min(...all);
    const fit = fitX((end) => numericAxis({ lo, hi: Math.max(...all), range: [x0, end], log: true, count: 6 }), x1);
    const xAx = fit.axis;
    x1 = fit.x1;
    body.push(xAxis(xAx.ticks, top + plotH, x0, x1, `${what.axis}, ms (log scale)`, top), yAxisAt(x1));
    // Latency 0 cannot sit on a log axis; it is drawn at the smallest positive latency. Between two known
    // quantiles the curve holds the lower fraction (a step, like an empirical CDF): a straight line would
    // invent requests in a gap, e.g. between a fast cloud mode and a slow edge mode.
    const path = line<CdfPoint>()
      .x((d) => xAx.scale(Math.max(d.ms, lo)))
      .y((d) => y(d.fraction * 100))
      .curve(curveStepAfter)
      .digits(2);
    body.push(`<g class="series-group">`);
    cdfs.forEach((cdf, i) => {
      if (cdf === null) return;
      const p = policies[i];
      const s = seriesStyle(i);
      const lat = summaryOf(p.services.find((x) => x.name === service));
      const tip = lat ? `${p.policy}: p50 ${formatNumber(lat.p50)} ms, p99 ${formatNumber(lat.p99)} ms` : p.policy;
      summary.push(tip);
      body.push(
        `<path class="series" data-policy="${esc(p.policy)}" d="${path(cdf)}" fill="none" stroke="${s.color}" ` +
          `stroke-width="2"${dashAttr(s.dash)}><title>${esc(tip)}</title></path>`,
      );
    });
    body.push(`</g>`);
  }
  return svgChart({
    ids,
    kind: `${metric}-cdf`,
    width: WIDTH,
    height,
    title: `${what.title} CDF of service ${service}`,
    desc:
      `Cumulative distribution of the ${what.desc} of completed ${service} requests in the measured ` +
      `window, a line per policy. x: ${what.axis} in ms, log scale; y: share of completed requests at or below ` +
      `it, %.` +
      (summary.length > 0 ? ' ' + summary.join('; ') + '.' : ''),
    attrs: { 'data-service': service },
    body: body.join(''),
  });
}

// ---------------------------------------------------------------------------------------------------------
// (2) Cost, energy and carbon breakdowns: a horizontal stacked bar per policy.

export type BreakdownKind = 'cost' | 'energy' | 'carbon';

interface BreakdownSpec {
  title: string;
  axis: string;
  /** Number with its unit, for bar-end labels and tooltips. */
  value: (v: number) => string;
  /**
   * `api` parts are drawn (and in the legend) only when the scenario has managed APIs; `lan` parts only when
   * some policy moved bytes over a users' LAN, and then `lanLabel` replaces the label of the part it splits.
   */
  parts: { key: string; label: string; color: string; api?: true; lan?: true; lanLabel?: string }[];
  get: (p: PolicyResult) => Record<string, number> & { total: number };
}

// Components keep one colour across the three charts (compute is blue in cost and in carbon). Managed APIs
// take Okabe and Ito's yellow, the one colour no other component uses: fine as a filled segment.
const API_COLOUR = '#F0E442';

const BREAKDOWNS: Record<BreakdownKind, BreakdownSpec> = {
  cost: {
    title: 'Cost by component',
    axis: 'cost in the measured window, $',
    value: (v) => `$${formatNumber(v)}`,
    parts: [
      { key: 'compute', label: 'cloud compute', color: '#0072B2' },
      { key: 'capex', label: 'hardware capex', color: '#E69F00' },
      { key: 'electricity', label: 'electricity', color: '#009E73' },
      { key: 'upkeep', label: 'upkeep', color: '#CC79A7' },
      { key: 'egress', label: 'egress', color: '#D55E00' },
      { key: 'api', label: 'managed API', color: API_COLOUR, api: true },
    ],
    get: (p) => ({ ...p.totals.cost_usd }),
  },
  energy: {
    title: 'Energy by component',
    axis: 'energy in the measured window, kWh',
    value: (v) => `${formatNumber(v)} kWh`,
    parts: [
      { key: 'it', label: 'IT (devices, hosts)', color: '#0072B2' },
      { key: 'facility', label: 'facility overhead (PUE)', color: '#56B4E9' },
      // The WAN and the users' own LANs apart (issue 12: video that only crossed a store LAN was drawn as
      // if it had crossed the internet). `network` here is the WAN part.
      { key: 'network', label: 'network transfer', lanLabel: 'network, WAN', color: '#D55E00' },
      { key: 'network_lan', label: 'network, LAN', color: '#F4A582', lan: true },
      { key: 'api', label: 'managed API (as declared)', color: API_COLOUR, api: true },
    ],
    get: (p) => {
      const e = p.totals.energy_kwh;
      return { ...e, network: e.network - e.network_lan, network_lan: e.network_lan };
    },
  },
  carbon: {
    title: 'Carbon by component',
    axis: 'carbon in the measured window, kg CO2e',
    value: (v) => `${formatNumber(v)} kg`,
    parts: [
      { key: 'compute', label: 'compute (IT + facility)', color: '#0072B2' },
      { key: 'network', label: 'network transfer', color: '#D55E00' },
      { key: 'api', label: 'managed API', color: API_COLOUR, api: true },
    ],
    get: (p) => ({ ...p.totals.carbon_kg }),
  },
};

export function breakdownChart(ids: IdSource, result: Result, kind: BreakdownKind): string {
  const policies = result.policies;
  const values = policies.map(BREAKDOWNS[kind].get);
  const withApis = policies.some((p) => p.apis.length > 0) || values.some((v) => (v.api ?? 0) > 0);
  const withLan = values.some((v) => (v.network_lan ?? 0) > 0);
  const spec = {
    ...BREAKDOWNS[kind],
    parts: BREAKDOWNS[kind].parts
      .filter((c) => (withApis || !c.api) && (withLan || !c.lan))
      .map((c) => (withLan && c.lanLabel !== undefined ? { ...c, label: c.lanLabel } : c)),
  };
  const band = 30;
  const plotH = Math.max(1, policies.length) * band;
  const left = Math.ceil(Math.max(60, ...policies.map((p) => textWidth(p.policy)))) + 16;
  const totalLabels = values.map((v) => spec.value(v.total));
  const right = Math.ceil(Math.max(40, ...totalLabels.map((t) => textWidth(t)))) + 14;
  const leg = legend(
    spec.parts.map((c) => ({ label: c.label, color: c.color, swatch: 'rect' as const })),
    left,
    LEGEND_TOP,
    WIDTH - left - MARGIN_RIGHT,
  );
  const top = LEGEND_TOP + leg.height + 14;
  const height = top + plotH + AXIS_BOTTOM;
  const x0 = left;
  const x1 = WIDTH - right;
  const hi = Math.max(0, ...values.map((v) => v.total));
  const xAx = numericAxis({ lo: 0, hi: hi > 0 ? hi : 1, range: [x0, x1], log: false, count: 6 });
  const yb = scaleBand<string>()
    .domain(policies.map((_, i) => String(i)))
    .range([top, top + plotH])
    .paddingInner(0.3)
    .paddingOuter(0.15);

  const body: string[] = [leg.svg, xAxis(xAx.ticks, top + plotH, x0, x1, spec.axis, top)];
  body.push(`<line class="domain" x1="${n(x0)}" x2="${n(x0)}" y1="${n(top)}" y2="${n(top + plotH)}" stroke="${INK}"/>`);
  const summary: string[] = [];
  policies.forEach((p, i) => {
    const v = values[i];
    const by = yb(String(i)) ?? top;
    const bh = yb.bandwidth();
    body.push(
      `<g class="bar" data-policy="${esc(p.policy)}">` +
        `<text class="bar-label" x="${n(x0 - 8)}" y="${n(by + bh / 2)}" dy="0.32em" text-anchor="end">${esc(p.policy)}</text>`,
    );
    let acc = 0;
    for (const c of spec.parts) {
      const part = v[c.key] ?? 0;
      if (part > 0) {
        const xa = xAx.scale(acc);
        const xb = xAx.scale(acc + part);
        const share = v.total > 0 ? ` (${((part / v.total) * 100).toFixed(1)} %)` : '';
        body.push(
          `<rect class="segment" data-part="${c.key}" x="${n(xa)}" y="${n(by)}" width="${n(Math.max(0, xb - xa))}" ` +
            `height="${n(bh)}" fill="${c.color}"><title>${esc(`${p.policy}, ${c.label}: ${spec.value(part)}${share}`)}</title></rect>`,
        );
      }
      acc += part;
    }
    body.push(
      `<text class="total" x="${n(xAx.scale(v.total) + 6)}" y="${n(by + bh / 2)}" dy="0.32em">${esc(totalLabels[i])}</text></g>`,
    );
    summary.push(`${p.policy} ${totalLabels[i]}`);
  });
  return svgChart({
    ids,
    kind: `${kind}-breakdown`,
    width: WIDTH,
    height,
    title: spec.title,
    desc:
      `${spec.title} per policy over the measured window, as stacked bars (${spec.parts.map((c) => c.label).join(', ')}). ` +
      `Totals: ${summary.join('; ')}.`,
    body: body.join(''),
  });
}

// ---------------------------------------------------------------------------------------------------------
// (3) Pool utilisation and queue length over time, a line per policy, warm-up shaded.

export type PoolSeriesKind = 'utilisation' | 'queue_length' | 'replicas';

const POOL_SERIES: Record<PoolSeriesKind, { chart: string; what: string; axis: string; y: string }> = {
  utilisation: {
    chart: 'pool-utilisation',
    what: 'Utilisation',
    axis: 'utilisation, %',
    y: 'busy replica-time over available replica-time, %.',
  },
  queue_length: {
    chart: 'pool-queue',
    what: 'Queue length',
    axis: 'mean queue length, requests',
    y: 'mean number of requests waiting.',
  },
  replicas: {
    chart: 'pool-replicas',
    what: 'Replicas',
    axis: 'replicas provisioned (mean)',
    y: 'model replicas provisioned and serving, mean over the interval.',
  },
};

/** The series of one pool under each policy (null where the policy does not provision it). */
function poolSeries(p: PolicyResult, pool: string): PolicyResult['timeseries']['pools'][number] | null {
  const provisioned = p.pools.find((x) => x.name === pool)?.provisioned ?? false;
  const ts = p.timeseries.pools.find((x) => x.name === pool);
  return provisioned && ts !== undefined && p.timeseries.t_s.length > 0 ? ts : null;
}

/** Does the number of replicas of the pool change over the run under some policy that provisions it? */
export function replicasVary(result: Result, pool: string): boolean {
  return result.policies.some((p) => {
    const r = poolSeries(p, pool)?.replicas ?? [];
    return r.length > 0 && Math.max(...r) - Math.min(...r) > 1e-9;
  });
}

/** Seconds, minutes or hours, whichever gives readable tick values for the run's length. */
function timeUnit(duration_s: number): { label: string; div: number } {
  if (duration_s <= 900) return { label: 's', div: 1 };
  if (duration_s <= 36_000) return { label: 'min', div: 60 };
  return { label: 'h', div: 3600 };
}

export function poolSeriesChart(ids: IdSource, result: Result, pool: string, kind: PoolSeriesKind): string {
  const policies = result.policies;
  const spec = POOL_SERIES[kind];
  const series = policies.map((p) => {
    const ts = poolSeries(p, pool);
    if (ts === null) return null;
    const values = kind === 'utilisation' ? ts.utilisation.map((u) => u * 100) : ts[kind];
    const t = p.timeseries.t_s;
    // Each value is an average over [t_i, t_i + interval): a step that holds to the interval's end.
    const pts = t.map((ti, i) => [ti, values[i]] as [number, number]);
    pts.push([t[t.length - 1] + p.timeseries.interval_s, values[values.length - 1]]);
    return pts;
  });
  const unit = timeUnit(result.scenario.duration_s);
  const end = Math.max(result.scenario.duration_s, ...series.flatMap((s) => (s === null ? [] : [s[s.length - 1][0]])));
  const plotH = 200;
  const yMax =
    kind === 'utilisation' ? 100 : Math.max(0, ...series.flatMap((s) => (s === null ? [] : s.map((d) => d[1]))));
  const yAx = numericAxis({
    lo: 0,
    hi: yMax > 0 ? yMax : 1,
    range: [plotH, 0],
    log: false,
    count: 5,
    max: kind === 'utilisation' ? 100 : undefined,
  });
  const left = leftMargin(widestLabel(yAx.ticks));
  const leg = topLegend(
    policyItems(policies, (p) => (series[policies.indexOf(p)] === null ? 'not provisioned' : null)),
    left,
  );
  const top = leg.top;
  const height = top + plotH + AXIS_BOTTOM;
  const x0 = left;
  const x1 = WIDTH - MARGIN_RIGHT;
  const xAx = numericAxis({ lo: 0, hi: end / unit.div, range: [x0, x1], log: false, count: 8, max: end / unit.div });
  const label = spec.axis;
  const body: string[] = [leg.svg];

  const warm = result.scenario.warmup_s / unit.div;
  if (warm > 0) {
    const wx = xAx.scale(warm);
    body.push(
      `<g class="warmup"><rect x="${n(x0)}" y="${n(top)}" width="${n(wx - x0)}" height="${n(plotH)}" fill="#000" fill-opacity="0.07"/>` +
        `<line x1="${n(wx)}" x2="${n(wx)}" y1="${n(top)}" y2="${n(top + plotH)}" stroke="#555" stroke-dasharray="3 3"/>` +
        `<text x="${n(x0 + 4)}" y="${n(top + 12)}" fill="#444">warm-up</text></g>`,
    );
  }
  body.push(
    xAxis(xAx.ticks, top + plotH, x0, x1, `time since start, ${unit.label}`, top),
    yAxis(
      yAx.ticks.map((t) => ({ pos: top + t.pos, label: t.label })),
      x0,
      top + plotH,
      top,
      label,
      x1,
      14,
    ),
  );
  const path = line<[number, number]>()
    .x((d) => xAx.scale(d[0] / unit.div))
    .y((d) => top + yAx.scale(d[1]))
    .curve(curveStepAfter)
    .digits(2);
  body.push(`<g class="series-group">`);
  series.forEach((pts, i) => {
    if (pts === null) return;
    const s = seriesStyle(i);
    body.push(
      `<path class="series" data-policy="${esc(policies[i].policy)}" d="${path(pts)}" fill="none" stroke="${s.color}" ` +
        `stroke-width="1.5"${dashAttr(s.dash)}><title>${esc(policies[i].policy)}</title></path>`,
    );
  });
  body.push(`</g>`);
  if (series.every((s) => s === null))
    body.push(noData((x0 + x1) / 2, top + plotH / 2, 'pool not provisioned under any policy'));

  const what = spec.what;
  // For replicas, the range each policy went through, in words (the chart's point).
  const ranges =
    kind === 'replicas'
      ? series
          .map((pts, i) => {
            if (pts === null) return null;
            const v = pts.map((d) => d[1]);
            return `${policies[i].policy} ${formatNumber(Math.min(...v))} to ${formatNumber(Math.max(...v))}`;
          })
          .filter((x): x is string => x !== null)
      : [];
  return svgChart({
    ids,
    kind: spec.chart,
    width: WIDTH,
    height,
    title: `${what} of pool ${pool} over time`,
    desc:
      `${what} of pool ${pool} per interval of ${formatNumber(policies[0]?.timeseries.interval_s ?? 0)} s over the whole run, ` +
      `a line per policy that provisions the pool; the shaded band is the warm-up (not measured). y: ${spec.y}` +
      (ranges.length > 0 ? ` Range: ${ranges.join('; ')}.` : ''),
    attrs: { 'data-pool': pool },
    body: body.join(''),
  });
}

// ---------------------------------------------------------------------------------------------------------
// (5) A training job: time to train and cost per policy, two bar panels side by side.

/** The label at the end of a job's time bar, or in its place when the job did not finish. */
function jobTimeLabel(j: JobResult, unit: { label: string; div: number }): string {
  if (j.time_to_train_s !== null) return `${formatNumber(j.time_to_train_s / unit.div)} ${unit.label}`;
  return j.status === 'not started' ? 'not started' : `${j.status}, ${formatPercent(j.progress)} % done`;
}

export function jobsChart(ids: IdSource, result: Result, job: string): string {
  const policies = result.policies;
  const jobs = policies.map((p) => p.jobs.find((j) => j.name === job) ?? null);
  const unit = trainingTimeUnit(jobs);
  const band = 30;
  const plotH = Math.max(1, policies.length) * band;
  const left = Math.ceil(Math.max(60, ...policies.map((p) => textWidth(p.policy)))) + 16;
  const leg = legend(
    policyItems(policies, (p) => (jobs[policies.indexOf(p)] === null ? 'no such job' : null)).map((it) => ({
      ...it,
      swatch: 'rect' as const,
    })),
    left,
    LEGEND_TOP,
    WIDTH - left - MARGIN_RIGHT,
  );
  const top = LEGEND_TOP + leg.height + 14;
  const height = top + plotH + AXIS_BOTTOM;
  const yb = scaleBand<string>()
    .domain(policies.map((_, i) => String(i)))
    .range([top, top + plotH])
    .paddingInner(0.3)
    .paddingOuter(0.15);
  const bh = yb.bandwidth();

  const timeLabels = jobs.map((j) => (j === null ? null : jobTimeLabel(j, unit)));
  const costLabels = jobs.map((j) => (j === null ? null : `$${formatNumber(j.cost_usd)}`));
  const panels = [
    {
      part: 'time',
      axis: `time to train, ${unit.label}`,
      values: jobs.map((j) => (j === null || j.time_to_train_s === null ? null : j.time_to_train_s / unit.div)),
      labels: timeLabels,
    },
    {
      part: 'cost',
      axis: 'cost over the whole run, $',
      values: jobs.map((j) => j?.cost_usd ?? null),
      labels: costLabels,
    },
  ];
  const gap = 28;
  const panelW = (WIDTH - MARGIN_RIGHT - left - gap) / 2;
  const body: string[] = [leg.svg];
  panels.forEach((panel, k) => {
    const x0 = left + k * (panelW + gap);
    // Room at the right for the label at the end of the longest bar.
    const room =
      Math.ceil(Math.max(30, ...panel.values.map((v, i) => (v === null ? 0 : textWidth(panel.labels[i] ?? ''))))) + 8;
    const x1 = x0 + panelW - room;
    const hi = Math.max(0, ...panel.values.map((v) => v ?? 0));
    const xAx = numericAxis({ lo: 0, hi: hi > 0 ? hi : 1, range: [x0, x1], log: false, count: 4 });
    body.push(
      `<g class="panel" data-part="${panel.part}">`,
      xAxis(xAx.ticks, top + plotH, x0, x1, panel.axis, top),
      `<line class="domain" x1="${n(x0)}" x2="${n(x0)}" y1="${n(top)}" y2="${n(top + plotH)}" stroke="${INK}"/>`,
    );
    policies.forEach((p, i) => {
      const by = yb(String(i)) ?? top;
      const v = panel.values[i];
      const text = panel.labels[i];
      if (k === 0) {
        body.push(
          `<text class="bar-label" x="${n(x0 - 8)}" y="${n(by + bh / 2)}" dy="0.32em" text-anchor="end">${esc(p.policy)}</text>`,
        );
      }
      if (text === null) return;
      const s = seriesStyle(i);
      if (v === null) {
        // No bar: the job did not finish, so it has no time to train; say how far it got instead.
        body.push(
          `<text class="unfinished" data-policy="${esc(p.policy)}" x="${n(x0 + 6)}" y="${n(by + bh / 2)}" dy="0.32em" fill="#555">${esc(text)}</text>`,
        );
        return;
      }
      const w = Math.max(0, xAx.scale(v) - x0);
      body.push(
        `<rect class="segment" data-part="${panel.part}" data-policy="${esc(p.policy)}" x="${n(x0)}" y="${n(by)}" width="${n(w)}" ` +
          `height="${n(bh)}" fill="${s.color}"><title>${esc(`${p.policy}, ${job}: ${text}`)}</title></rect>` +
          `<text class="total" x="${n(x0 + w + 6)}" y="${n(by + bh / 2)}" dy="0.32em">${esc(text)}</text>`,
      );
    });
    body.push(`</g>`);
  });
  const summary = policies
    .map((p, i) => (jobs[i] === null ? null : `${p.policy} ${timeLabels[i]}, ${costLabels[i]}`))
    .filter((x): x is string => x !== null);
  return svgChart({
    ids,
    kind: 'jobs',
    width: WIDTH,
    height,
    title: `Training job ${job}: time to train and cost`,
    desc:
      `Training job ${job} under each policy, over the whole run: the time from its earliest start to its end ` +
      `(${unit.label}; none when it did not finish) and the cost of the devices it held ($), a bar per policy. ` +
      (summary.length > 0 ? `${summary.join('; ')}.` : 'No policy runs it.'),
    attrs: { 'data-job': job },
    body: body.join(''),
  });
}

// ---------------------------------------------------------------------------------------------------------
// (4) Cost against p99 latency, the Pareto set ringed and labelled.

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** Distance from (x, y) to the nearest point of a box (0 inside it). */
const distToBox = (x: number, y: number, b: Box) =>
  Math.hypot(Math.max(b.x0 - x, 0, x - b.x1), Math.max(b.y0 - y, 0, y - b.y1));

/** A point of the cost/p99 plane: where its value is, and where its marker is drawn (apart, when it coincides). */
export interface PlacedPoint {
  /** Position of the value. */
  x: number;
  y: number;
  /** Position of the marker: the value's, or moved out of a cluster of coinciding markers. */
  mx: number;
  my: number;
  r: number;
  /** Indices of the other points whose markers would overlap this one's (same cluster); empty when alone. */
  with: number[];
}

/**
 * Markers that would overlap (closer than their radii and a pixel) form a cluster. The markers of a cluster
 * are drawn apart around the cluster's centre, in input order: side by side (first on the left) for two,
 * clockwise from the top for more. Deterministic; every marker keeps a spoke to the spot of its own value.
 */
export function spreadCoinciding(pts: { x: number; y: number; r: number }[]): PlacedPoint[] {
  const parent = pts.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      if (Math.hypot(pts[i].x - pts[j].x, pts[i].y - pts[j].y) < pts[i].r + pts[j].r + 1) parent[root(j)] = root(i);
    }
  }
  const out: PlacedPoint[] = pts.map((p) => ({ x: p.x, y: p.y, mx: p.x, my: p.y, r: p.r, with: [] }));
  const clusters = new Map<number, number[]>();
  pts.forEach((_, i) => clusters.set(root(i), [...(clusters.get(root(i)) ?? []), i]));
  for (const members of clusters.values()) {
    if (members.length < 2) continue;
    const m = members.length;
    const cx = members.reduce((a, i) => a + pts[i].x, 0) / m;
    const cy = members.reduce((a, i) => a + pts[i].y, 0) / m;
    const rMax = Math.max(...members.map((i) => pts[i].r));
    // Neighbours on the circle are a chord 2R·sin(π/m) apart: at least two radii and 3 px.
    const radius = (rMax + 1.5) / Math.sin(Math.PI / m);
    members.forEach((i, k) => {
      const angle = m === 2 ? Math.PI * (1 - k) : -Math.PI / 2 + (2 * Math.PI * k) / m;
      out[i].mx = cx + radius * Math.cos(angle);
      out[i].my = cy + radius * Math.sin(angle);
      out[i].with = members.filter((j) => j !== i);
    });
  }
  return out;
}

/** Distance from (px, py) to the segment from (ax, ay) to (bx, by). */
function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

export interface PlacedLabel {
  box: Box;
  anchor: 'start' | 'end';
  /** The label is away from its marker and has a line back to it. */
  leader: boolean;
}

/** Where a label's leader line ends: at the side of the text that faces the marker. */
export const leaderEnd = (l: PlacedLabel): [number, number] => [
  l.anchor === 'start' ? l.box.x0 - 2 : l.box.x1 + 2,
  (l.box.y0 + l.box.y1) / 2,
];

/**
 * Place a label for each point, in `order`, so that it overlaps no marker, no label placed before and
 * nothing in `blocked`, and stays inside `bounds`. A label right or left of its marker must lie nearer that
 * marker than any other; one that does not fit there moves up or down (then further out) and gets a leader
 * line, and must then keep clear of every other marker, leader included. (Before, a label that found no
 * such place fell back to the spot right of its point even when a neighbour's dot sat there, which read
 * as the neighbour's label.) Returns a label per point index.
 */
export function placeLabels(
  points: PlacedPoint[],
  widths: number[],
  order: number[],
  bounds: Box,
  blocked: Box[],
): PlacedLabel[] {
  const H = 16;
  const markers: Box[] = points.map((p) => ({
    x0: p.mx - p.r - 1,
    x1: p.mx + p.r + 1,
    y0: p.my - p.r - 1,
    y1: p.my + p.r + 1,
  }));
  const placed: Box[] = [...blocked, ...markers];
  const out = new Array<PlacedLabel>(points.length);
  for (const i of order) {
    const p = points[i];
    const w = widths[i];
    const gap = p.r + 5;
    const sides = p.mx + gap + w <= bounds.x1 ? (['start', 'end'] as const) : (['end', 'start'] as const);
    const at = (anchor: 'start' | 'end', dx: number, dy: number, leader: boolean): PlacedLabel => {
      const bx0 = anchor === 'start' ? p.mx + gap + dx : p.mx - gap - dx - w;
      return { box: { x0: bx0, x1: bx0 + w, y0: p.my + dy - H / 2, y1: p.my + dy + H / 2 }, anchor, leader };
    };
    const candidates: PlacedLabel[] = sides.map((side) => at(side, 0, 0, false));
    for (const dy of [16, 24, 32, 48, 64, 80, 96, 112]) {
      for (const dx of [0, 24, 48])
        for (const sign of [-1, 1]) for (const side of sides) candidates.push(at(side, dx, sign * dy, true));
    }
    const others = points.filter((_, j) => j !== i);
    const inside = (c: PlacedLabel) =>
      c.box.x0 >= bounds.x0 && c.box.x1 <= bounds.x1 && c.box.y0 >= bounds.y0 && c.box.y1 <= bounds.y1;
    const free = (c: PlacedLabel) => !placed.some((o) => overlaps(o, c.box));
    const readable = (c: PlacedLabel) => {
      if (!c.leader) {
        const own = distToBox(p.mx, p.my, c.box);
        return others.every((q) => distToBox(q.mx, q.my, c.box) > own + 2);
      }
      const [lx, ly] = leaderEnd(c);
      return others.every(
        (q) => distToBox(q.mx, q.my, c.box) >= q.r + 6 && distToSegment(q.mx, q.my, p.mx, p.my, lx, ly) >= q.r + 3,
      );
    };
    const pick =
      candidates.find((c) => inside(c) && free(c) && readable(c)) ??
      candidates.find((c) => inside(c) && free(c)) ??
      candidates.find((c) => inside(c)) ??
      candidates[0];
    placed.push(pick.box);
    out[i] = pick;
  }
  return out;
}

const PAIR_NOTE = 'coinciding points, drawn apart (spoke to the value)';

export function costP99Chart(ids: IdSource, result: Result): string {
  const policies = result.policies;
  const pareto = new Set(result.pareto);
  const pts = policies.map(paretoPoint);
  const plotted = pts.map((p, i) => ({ ...p, i })).filter((p) => p.p99_ms !== null) as (ReturnType<
    typeof paretoPoint
  > & {
    i: number;
    p99_ms: number;
  })[];
  const plotH = 280;
  const costs = plotted.map((p) => p.cost_usd);
  const lats = plotted.map((p) => p.p99_ms);
  // Both domains are padded, so that no marker sits on the frame.
  const yAx = numericAxis({
    lo: costs.length ? Math.min(...costs) : 0,
    hi: costs.length ? Math.max(...costs) : 1,
    range: [plotH, 0],
    log: 'auto',
    autoRatio: 10,
    zeroWhenNear: true,
    pad: 0.08,
    count: 5,
  });
  const left = leftMargin(widestLabel(yAx.ticks));
  const x0 = left;
  const { axis: xAx, x1 } = fitX(
    (end) =>
      numericAxis({
        lo: lats.length ? Math.min(...lats) : 0,
        hi: lats.length ? Math.max(...lats) : 1,
        range: [x0, end],
        log: 'auto',
        autoRatio: 10,
        zeroWhenNear: true,
        pad: 0.06,
        count: 6,
      }),
    WIDTH - MARGIN_RIGHT,
  );
  // Marker positions relative to the plot's top (the legend's height is not known yet).
  const spread = spreadCoinciding(
    plotted.map((p) => ({ x: xAx.scale(p.p99_ms), y: yAx.scale(p.cost_usd), r: pareto.has(p.name) ? 7 : 5 })),
  );
  const clustered = spread.some((s) => s.with.length > 0);

  const items: LegendItem[] = policyItems(policies, (p) =>
    pts[policies.indexOf(p)].p99_ms === null ? 'no p99: a service completed nothing' : null,
  ).map((it) => ({ ...it, swatch: 'rect' as const }));
  items.push({ label: 'Pareto set (p99, cost, carbon)', color: '#ffffff', swatch: 'ring' });
  if (clustered) items.push({ label: PAIR_NOTE, color: '#555555', swatch: 'pair' });
  const leg = topLegend(items, left);
  const top = leg.top;
  const height = top + plotH + AXIS_BOTTOM;
  const body: string[] = [leg.svg];
  const yLabel = `cost in the measured window, $${yAx.log ? ' (log scale)' : ''}`;
  const coincide: string[] = [];
  if (plotted.length === 0) {
    body.push(
      xAxis([], top + plotH, x0, x1, 'worst p99 latency over services, ms', top),
      yAxis([], x0, top + plotH, top, yLabel, x1, 14),
      noData((x0 + x1) / 2, top + plotH / 2, 'no policy has a p99 latency'),
    );
  } else {
    body.push(
      xAxis(xAx.ticks, top + plotH, x0, x1, `worst p99 latency over services, ms${xAx.log ? ' (log scale)' : ''}`, top),
      yAxis(
        yAx.ticks.map((t) => ({ pos: top + t.pos, label: t.label })),
        x0,
        top + plotH,
        top,
        yLabel,
        x1,
        14,
      ),
    );
    const at = spread.map((s) => ({ ...s, y: s.y + top, my: s.my + top }));
    const texts = plotted.map((p) => (pareto.has(p.name) ? `${p.name} (Pareto)` : p.name));
    // Pareto points first, so that their labels get the best places.
    const order = plotted
      .map((_, k) => k)
      .sort((a, b) => Number(pareto.has(plotted[b].name)) - Number(pareto.has(plotted[a].name)) || a - b);
    const placedLabels = placeLabels(
      at,
      texts.map((t) => textWidth(t)),
      order,
      { x0: x0 + 2, x1, y0: top, y1: top + plotH },
      // The legend is off limits for labels.
      [{ x0: 0, x1: WIDTH, y0: 0, y1: top }],
    );
    const marks: string[] = [];
    const labels: string[] = [];
    const leaders: string[] = [];
    const spokes: string[] = [];
    for (const k of order) {
      const p = plotted[k];
      const m = at[k];
      const inSet = pareto.has(p.name);
      const s = seriesStyle(p.i);
      const others = m.with.map((j) => plotted[j]);
      const same = others.filter((o) => o.p99_ms === p.p99_ms && o.cost_usd === p.cost_usd).map((o) => o.name);
      const near = others.filter((o) => !same.includes(o.name)).map((o) => o.name);
      const note =
        (same.length > 0 ? ` Same p99 and cost as ${same.join(', ')}.` : '') +
        (near.length > 0 ? ` Coincides at this scale with ${near.join(', ')}.` : '') +
        (others.length > 0 ? ' Drawn apart; the spoke leads to the value.' : '');
      const tip =
        `${p.name}: p99 ${formatNumber(p.p99_ms)} ms, cost $${formatNumber(p.cost_usd)}, carbon ${formatNumber(p.carbon_kg)} kg` +
        (inSet ? ' (Pareto set)' : '') +
        note;
      if (others.length > 0) {
        spokes.push(
          `<line class="spoke" data-policy="${esc(p.name)}" x1="${n(m.x)}" y1="${n(m.y)}" x2="${n(m.mx)}" y2="${n(m.my)}" stroke="#555" stroke-width="1"/>` +
            `<circle class="value-spot" data-policy="${esc(p.name)}" cx="${n(m.x)}" cy="${n(m.y)}" r="1.5" fill="#555"/>`,
        );
        if (m.with.every((j) => j > k)) coincide.push([p.name, ...others.map((o) => o.name)].join(' and '));
      }
      marks.push(
        `<circle class="point${inSet ? ' pareto' : ''}" data-policy="${esc(p.name)}" cx="${n(m.mx)}" cy="${n(m.my)}" r="${m.r}" ` +
          `fill="${s.color}"${inSet ? ' stroke="#000" stroke-width="2"' : ' stroke="#fff" stroke-width="1"'}><title>${esc(tip)}</title></circle>`,
      );
      const { box, anchor, leader } = placedLabels[k];
      const ly = (box.y0 + box.y1) / 2;
      if (leader) {
        // A label moved off its point gets a leader line, so it cannot be read as a neighbour's.
        const [lx] = leaderEnd(placedLabels[k]);
        leaders.push(
          `<line class="leader" data-policy="${esc(p.name)}" x1="${n(m.mx)}" y1="${n(m.my)}" x2="${n(lx)}" y2="${n(ly)}" stroke="#999" stroke-width="1"/>`,
        );
      }
      labels.push(
        `<text class="${inSet ? 'pareto-label' : 'point-label'}" data-policy="${esc(p.name)}" x="${n(anchor === 'start' ? box.x0 : box.x1)}" y="${n(ly)}" ` +
          `dy="0.32em" text-anchor="${anchor}"${inSet ? ' font-weight="bold"' : ''}>${esc(texts[k])}</text>`,
      );
    }
    body.push(
      `<g class="spokes">${spokes.join('')}</g><g class="leaders">${leaders.join('')}</g><g class="points">${marks.join('')}</g><g class="labels">${labels.join('')}</g>`,
    );
  }
  const inSet = policies.filter((p) => pareto.has(p.policy)).map((p) => p.policy);
  return svgChart({
    ids,
    kind: 'cost-p99',
    width: WIDTH,
    height,
    title: 'Cost against p99 latency',
    desc:
      `Each policy's total cost in the measured window against its worst p99 latency over services. ` +
      `Ringed and labelled "(Pareto)": the policies no other policy beats on p99, cost and carbon at once` +
      (inSet.length > 0 ? `: ${inSet.join(', ')}.` : ' (none).') +
      (coincide.length > 0
        ? ` Points that coincide at this scale, drawn apart with a spoke to their value: ${coincide.join('; ')}.`
        : ''),
    body: body.join(''),
  });
}
