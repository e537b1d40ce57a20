import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadScenarioFile, loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import { renderHtml, renderSweepHtml } from '../src/report/html.js';
import type { Result } from '../src/metrics/result.js';
import type { MetricStat, SweepResult } from '../src/metrics/sweep-result.js';
import { fixture, withExtras } from './fixtures/reports/results.js';

const SCENARIO = 'scenarios/chatbot-seoul.yaml';

// ---------------------------------------------------------------------------------------------------------
// Reading the markup back. Plain regular expressions: the report is generated, so its shape is known.

/** The <svg class="chart" data-chart="kind" …>…</svg> elements of one kind, in document order. */
function charts(html: string, kind: string): string[] {
  const re = new RegExp(`<svg class="chart" data-chart="${kind}"[\\s\\S]*?</svg>`, 'g');
  return html.match(re) ?? [];
}

function attr(el: string, name: string): string | null {
  const m = el.match(new RegExp(`\\s${name}="([^"]*)"`));
  return m === null ? null : m[1];
}

/** Elements `<tag class="cls" …>` (open tag only). */
function tags(svg: string, tag: string, cls: string): string[] {
  return svg.match(new RegExp(`<${tag} class="${cls}"[^>]*>`, 'g')) ?? [];
}

/** Labelled ticks of the x axis: label → x position. */
function xTicks(svg: string): Map<string, number> {
  const axis = svg.match(/<g class="axis x-axis">[\s\S]*?<\/g><line class="domain"/)?.[0] ?? '';
  const out = new Map<string, number>();
  for (const m of axis.matchAll(
    /<g class="tick" transform="translate\(([-\d.]+),0\)">.*?(?:<text[^>]*>([^<]*)<\/text>)?<\/g>/g,
  )) {
    if (m[2] !== undefined) out.set(m[2], Number(m[1]));
  }
  return out;
}

/** Labelled ticks of the y axis: label → y position. */
function yTicks(svg: string): Map<string, number> {
  const axis = svg.match(/<g class="axis y-axis">[\s\S]*?<\/g><line class="domain"/)?.[0] ?? '';
  const out = new Map<string, number>();
  for (const m of axis.matchAll(
    /<g class="tick" transform="translate\(0,([-\d.]+)\)">.*?(?:<text[^>]*>([^<]*)<\/text>)?<\/g>/g,
  )) {
    if (m[2] !== undefined) out.set(m[2], Number(m[1]));
  }
  return out;
}

/** The coordinate pairs of an SVG path's d attribute. */
function pathPoints(d: string): [number, number][] {
  return [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** Is the document free of anything that would reach outside the file? */
function expectSelfContained(html: string): void {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).not.toMatch(/https?:\/\//i);
  expect(html).not.toMatch(/\s(?:src|href)\s*=/i);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/@import|@font-face/i);
  // url(…) only for in-document references (clip paths).
  for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1].startsWith('#')).toBe(true);
}

/** Every chart: intrinsic size, accessible title and description, axes with labelled ticks, a legend. */
function expectWellFormedChart(svg: string): void {
  expect(Number(attr(svg, 'width'))).toBeGreaterThan(100);
  expect(Number(attr(svg, 'height'))).toBeGreaterThan(100);
  expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>/);
  expect(svg).toContain('<g class="legend">');
  expect(svg).toContain('<g class="axis x-axis">');
  expect(svg).toMatch(/class="axis-label"[^>]*>[^<]+</);
  expect(xTicks(svg).size + yTicks(svg).size).toBeGreaterThan(2);
}

// ---------------------------------------------------------------------------------------------------------

describe('renderHtml on the chatbot-seoul run', () => {
  let result: Result;
  let html: string;
  beforeAll(() => {
    result = runScenario(loadScenarioFile(SCENARIO));
    html = renderHtml(result);
  });

  it('is one self-contained document', () => {
    expectSelfContained(html);
    expect(html).toContain('<style>');
  });

  it('has every kind of chart, each well formed', () => {
    // One service (chat) and two pools (aws-us-east-1/a10g, seoul-edge/orin) in the scenario file.
    expect(charts(html, 'latency-cdf')).toHaveLength(1);
    expect(charts(html, 'cost-breakdown')).toHaveLength(1);
    expect(charts(html, 'energy-breakdown')).toHaveLength(1);
    expect(charts(html, 'carbon-breakdown')).toHaveLength(1);
    expect(charts(html, 'pool-utilisation')).toHaveLength(2);
    expect(charts(html, 'pool-queue')).toHaveLength(2);
    expect(charts(html, 'cost-p99')).toHaveLength(1);
    // chat is an LLM service: its TTFT and TPOT distributions too.
    expect(charts(html, 'ttft-cdf')).toHaveLength(1);
    expect(charts(html, 'tpot-cdf')).toHaveLength(1);
    const all = html.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];
    expect(all).toHaveLength(11);
    for (const svg of all) expectWellFormedChart(svg);
    // Ids are unique within the document.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws a CDF line per policy on a log latency axis', () => {
    const cdf = charts(html, 'latency-cdf')[0];
    expect(attr(cdf, 'data-service')).toBe('chat');
    const paths = tags(cdf, 'path', 'series');
    expect(paths.map((p) => attr(p, 'data-policy'))).toEqual([
      'cloud-only',
      'edge-only',
      'edge-first',
      'least-latency',
      'cheapest-within-slo',
    ]);
    // Latencies run from ~1 s (cloud) to ~5 s (edge tail): labels at 1, 2 and 5 × 10^k.
    const x = xTicks(cdf);
    for (const label of ['1,000', '2,000', '5,000']) expect(x.has(label)).toBe(true);
    const decade = (x.get('2,000')! - x.get('1,000')!) / Math.log10(2);
    // A log axis: equal ratios are equal distances.
    expect(x.get('5,000')! - x.get('2,000')!).toBeCloseTo(decade * Math.log10(2.5), 0);
    const xOf = (ms: number) => x.get('1,000')! + decade * (Math.log10(ms) - 3);
    // Each line ends at its policy's slowest request, at 100 % (the top tick).
    const top = yTicks(cdf).get('100')!;
    for (const [i, p] of paths.entries()) {
      const pts = pathPoints(attr(p, 'd')!);
      const cdfPts = result.policies[i].services[0].latency_cdf_ms!;
      const last = pts[pts.length - 1];
      expect(last[0]).toBeCloseTo(xOf(cdfPts[cdfPts.length - 1].ms), 0);
      expect(last[1]).toBeCloseTo(top, 1);
    }
  });

  it('stacks the cost components in proportion to the totals', () => {
    const svg = charts(html, 'cost-breakdown')[0];
    for (const label of ['cloud compute', 'hardware capex', 'electricity', 'upkeep', 'egress']) {
      expect(svg).toContain(`>${label}</text>`);
    }
    const widths = new Map<string, number>();
    for (const m of svg.matchAll(/<g class="bar" data-policy="([^"]+)">([\s\S]*?)<\/g>/g)) {
      const w = [...m[2].matchAll(/<rect class="segment"[^>]*width="([\d.]+)"/g)].reduce((a, r) => a + Number(r[1]), 0);
      widths.set(m[1], w);
    }
    expect([...widths.keys()]).toEqual(result.policies.map((p) => p.policy));
    const total = (name: string) => result.policies.find((p) => p.policy === name)!.totals.cost_usd.total;
    // cloud-only pays for an 8×H100 instance (~$180), edge-only only for amortised boxes (~$3).
    expect(widths.get('cloud-only')! / widths.get('edge-only')!).toBeCloseTo(
      total('cloud-only') / total('edge-only'),
      0,
    );
    // edge-only has no cloud compute, cloud-only no capex.
    const bar = (name: string) => svg.match(new RegExp(`<g class="bar" data-policy="${name}">[\\s\\S]*?</g>`))![0];
    expect(bar('edge-only')).not.toContain('data-part="compute"');
    expect(bar('cloud-only')).not.toContain('data-part="capex"');
  });

  it("draws the network energy of the WAN and of the users' LAN apart, and only splits it when there is LAN traffic", () => {
    // Without LAN traffic: one network part, as before.
    const plain = charts(html, 'energy-breakdown')[0];
    expect(plain).toContain('>network transfer</text>');
    expect(plain).not.toContain('data-part="network_lan"');
    // Edge-only's camera video crosses only the store LAN; cloud-only's crosses the WAN.
    const r = fixture();
    const [co, eo] = r.policies;
    co.totals.energy_kwh = { ...co.totals.energy_kwh, network: 0.19, network_lan: 0 };
    eo.totals.energy_kwh = { ...eo.totals.energy_kwh, network: 0.05, network_lan: 0.05 };
    const svg = charts(renderHtml(r), 'energy-breakdown')[0];
    expect(svg).toContain('>network, WAN</text>');
    expect(svg).toContain('>network, LAN</text>');
    expect(segments(svg, eo.policy).has('network')).toBe(false);
    expect(segments(svg, eo.policy).get('network_lan')).toBeGreaterThan(0);
    expect(segments(svg, co.policy).has('network_lan')).toBe(false);
    expect(segments(svg, co.policy).get('network')).toBeGreaterThan(0);
  });

  it('marks the warm-up and leaves out pools a policy does not provision', () => {
    const [h100, orin] = charts(html, 'pool-utilisation');
    expect(attr(h100, 'data-pool')).toBe('aws-us-east-1/a10g');
    expect(attr(orin, 'data-pool')).toBe('seoul-edge/orin');
    // cloud-only never provisions the edge pool, edge-only never the cloud one.
    expect(tags(h100, 'path', 'series').map((p) => attr(p, 'data-policy'))).not.toContain('edge-only');
    expect(tags(orin, 'path', 'series').map((p) => attr(p, 'data-policy'))).not.toContain('cloud-only');
    expect(h100).toContain('edge-only (not provisioned)');
    for (const svg of [...charts(html, 'pool-utilisation'), ...charts(html, 'pool-queue')]) {
      // 10 min warm-up out of 2 h: the shaded band covers 1/12 of the time axis.
      const rect = svg.match(/<g class="warmup"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/)!;
      const domain = svg.match(/<line class="domain" x1="([\d.]+)" x2="([\d.]+)"/)!;
      expect(Number(rect[1])).toBeCloseTo(Number(domain[1]), 1);
      expect(Number(rect[2]) / (Number(domain[2]) - Number(domain[1]))).toBeCloseTo(1 / 12, 3);
    }
    // Time in minutes, 0 … 120.
    const x = xTicks(h100);
    expect(x.has('0')).toBe(true);
    expect(x.has('120')).toBe(true);
  });

  it('rings and labels the Pareto set in the cost/p99 chart', () => {
    // The console table of this scenario marks cloud-only (fastest), edge-only (cheapest, lowest carbon) and
    // edge-first (its few overflows to the cloud trim the edge's p99).
    expect(result.pareto).toEqual(['cloud-only', 'edge-only', 'edge-first']);
    const svg = charts(html, 'cost-p99')[0];
    const labels = [...svg.matchAll(/<text class="pareto-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).sort();
    expect(labels).toEqual(['cloud-only (Pareto)', 'edge-first (Pareto)', 'edge-only (Pareto)']);
    const others = [...svg.matchAll(/<text class="point-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).sort();
    expect(others).toEqual(['cheapest-within-slo', 'least-latency']);
    expect(
      tags(svg, 'circle', 'point pareto')
        .map((c) => attr(c, 'data-policy'))
        .sort(),
    ).toEqual(['cloud-only', 'edge-first', 'edge-only']);
    // The cheap edge point sits lower (more px) than the expensive cloud point.
    const cy = (name: string) =>
      Number(attr(svg.match(new RegExp(`<circle [^>]*data-policy="${name}"[^>]*>`))![0], 'cy'));
    expect(cy('edge-only')).toBeGreaterThan(cy('cloud-only'));
  });

  it('has the summary table with the console formatting', () => {
    const table = html.match(/<table class="data summary">[\s\S]*?<\/table>/)![0];
    expect(table).toContain('<th scope="col" class="pareto-mark" title="Pareto set">cloud-only*</th>');
    expect(table).toContain('<th scope="col">least-latency</th>');
    // Measured arrivals: 26,470 under every policy (same seed, same arrivals).
    const arrivals = table.match(/<tr><th scope="row">arrivals<\/th>(.*?)<\/tr>/)![1];
    expect(arrivals).toBe('<td>26,470</td>'.repeat(5));
    expect(table).toContain('>SLO attainment %<');
    expect(table).toContain('>not used<');
  });

  it('is deterministic: the same Result gives the same bytes', () => {
    expect(renderHtml(result)).toBe(html);
    expect(renderHtml(JSON.parse(JSON.stringify(result)) as Result)).toBe(html);
    // A second run of the same scenario and seed is the same Result, hence the same report.
    expect(renderHtml(runScenario(loadScenarioFile(SCENARIO)))).toBe(html);
  });
});

describe('renderHtml escapes user strings', () => {
  it('escapes the scenario name, description and pool names', () => {
    const text = readFileSync(SCENARIO, 'utf8')
      .replace(/^name: .*$/m, 'name: "chat <i>seoul</i>"')
      .replace(/^description: >\n(?: {2}.*\n)+/m, 'description: "Edge <b>& cloud, \'quoted\' \\"too\\""\n')
      .replace(/seoul-edge/g, '"seoul<edge>&"')
      .replace(/^duration: .*$/m, 'duration: 15m')
      .replace(/^warmup: .*$/m, 'warmup: 1m');
    const result = runScenario(loadScenarioText(text, 'escape.yaml'));
    expect(result.scenario.description).toBe(`Edge <b>& cloud, 'quoted' "too"`);
    expect(result.policies[0].pools.map((p) => p.name)).toContain('seoul<edge>&/orin');
    const html = renderHtml(result);
    expectSelfContained(html);
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('<edge>');
    expect(html).toContain('Edge &lt;b&gt;&amp; cloud, &#39;quoted&#39; &quot;too&quot;');
    expect(html).toContain('<title>chat &lt;i&gt;seoul&lt;/i&gt; · placesim</title>');
    expect(html).toContain('data-pool="seoul&lt;edge&gt;&amp;/orin"');
    expect(html).toContain('<h3>seoul&lt;edge&gt;&amp;/orin</h3>');
    // No bare ampersand anywhere: each starts an entity.
    expect(html).not.toMatch(/&(?!(?:amp|lt|gt|quot|#39);)/);
  });
});

// ---------------------------------------------------------------------------------------------------------

/** The segment widths of one policy's bar in a breakdown chart, by part. */
function segments(svg: string, policy: string): Map<string, number> {
  const bar = svg.match(new RegExp(`<g class="bar" data-policy="${policy}">[\\s\\S]*?</g>`))?.[0] ?? '';
  const out = new Map<string, number>();
  for (const m of bar.matchAll(/<rect class="segment" data-part="([^"]+)"[^>]*width="([\d.]+)"/g))
    out.set(m[1], Number(m[2]));
  return out;
}

/** The <tr> of a table whose row header is `label`, after the first row containing `after`: its cells. */
function tableCells(table: string, label: string, after: string): string[] {
  const rest = table.slice(table.indexOf(after));
  const row = rest.match(new RegExp(`<tr><th scope="row"[^>]*>${label}</th>(.*?)</tr>`));
  if (row === null) throw new Error(`no row ${label} after ${after}`);
  return [...row[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
}

describe('renderHtml: training jobs, APIs, replicas (hand-made Result)', () => {
  const html = renderHtml(withExtras());
  const plain = renderHtml(fixture());

  it('is self-contained, every chart well formed, ids unique', () => {
    expectSelfContained(html);
    const all = html.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];
    for (const svg of all) expectWellFormedChart(svg);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('charts a training job: a time bar per finished policy, a cost bar per policy', () => {
    const jobs = charts(html, 'jobs');
    expect(jobs).toHaveLength(1);
    const svg = jobs[0];
    expect(attr(svg, 'data-job')).toBe('finetune');
    const time = tags(svg, 'rect', 'segment').filter((r) => attr(r, 'data-part') === 'time');
    const cost = tags(svg, 'rect', 'segment').filter((r) => attr(r, 'data-part') === 'cost');
    // edge-first is still running: no time bar, its progress written in its place.
    expect(time.map((r) => attr(r, 'data-policy'))).toEqual(['cloud-only']);
    expect(svg).toMatch(/<text class="unfinished" data-policy="edge-first"[^>]*>running, 62.5 % done<\/text>/);
    // The time axis is the first: 30 h (108,000 s) ends the bar at the 30 h mark.
    const x = xTicks(svg);
    expect(svg).toContain('>time to train, h</text>');
    const perHour = (x.get('20')! - x.get('10')!) / 10;
    const bar = time[0];
    expect(Number(attr(bar, 'x'))).toBeCloseTo(x.get('0')!, 1);
    expect(Number(attr(bar, 'x')) + Number(attr(bar, 'width'))).toBeCloseTo(x.get('0')! + 30 * perHour, 1);
    // Cost bars in proportion: $2,937.6 against $1,500.
    expect(cost.map((r) => attr(r, 'data-policy'))).toEqual(['cloud-only', 'edge-first']);
    const [wc, we] = cost.map((r) => Number(attr(r, 'width')));
    expect(wc / we).toBeCloseTo(2937.6 / 1500, 2);
    expect(svg).toContain('>$2,938</text>');
    expect(svg).toContain('>30.0 h</text>');
  });

  it('has a training-jobs table with the console rows', () => {
    expect(html).toContain('<section id="training"><h2>Training jobs</h2>');
    const table = html.match(/<table class="data jobs">[\s\S]*?<\/table>/)![0];
    const job = 'training job finetune (16 devices, whole run)';
    expect(table).toContain(`>${job}</th>`);
    expect(tableCells(table, 'time to train h', job)).toEqual(['30.0', '—']);
    expect(tableCells(table, 'status', job)).toEqual(['done', 'running']);
    expect(tableCells(table, 'cost \\$', job)).toEqual(['2,938', '1,500']);
    expect(tableCells(table, 'lost device-hours', job)).toEqual(['3.75', '0']);
    expect(tableCells(table, 'deadline met', job)).toEqual(['yes', 'no']);
  });

  it('stacks the API part on the cost, energy and carbon bars', () => {
    const cost = charts(html, 'cost-breakdown')[0];
    expect(cost).toContain('>managed API</text>');
    const co = segments(cost, 'cloud-only');
    // $4.45 of API next to $178 of cloud compute.
    expect(co.get('api')! / co.get('compute')!).toBeCloseTo(4.45 / 178, 3);
    expect(segments(cost, 'edge-first').has('api')).toBe(false);
    const energy = segments(charts(html, 'energy-breakdown')[0], 'cloud-only');
    expect(energy.get('api')! / energy.get('it')!).toBeCloseTo(2 / 27.9, 3);
    const carbon = segments(charts(html, 'carbon-breakdown')[0], 'cloud-only');
    expect(carbon.get('api')! / carbon.get('compute')!).toBeCloseTo(0.8 / 10.4, 3);
  });

  it('draws replicas over time only for the pool whose replicas change', () => {
    const rep = charts(html, 'pool-replicas');
    expect(rep).toHaveLength(1);
    const svg = rep[0];
    expect(attr(svg, 'data-pool')).toBe('us-east/h100');
    const paths = tags(svg, 'path', 'series');
    expect(paths.map((p) => attr(p, 'data-policy'))).toEqual(['cloud-only', 'edge-first']);
    const y = yTicks(svg);
    const x = xTicks(svg);
    const yOf = (v: number) => y.get('0')! + ((y.get('10')! - y.get('0')!) / 10) * v;
    const xOf = (min: number) => x.get('0')! + ((x.get('120')! - x.get('0')!) / 120) * min;
    // cloud-only: 8 replicas for the first 40 min, 16 for the next 40, then 8 to the end (120 min).
    const co = pathPoints(attr(paths[0], 'd')!);
    expect(co[0][0]).toBeCloseTo(xOf(0), 1);
    expect(co[0][1]).toBeCloseTo(yOf(8), 1);
    const at16 = co.filter(([, py]) => Math.abs(py - yOf(16)) < 0.1).map(([px]) => px);
    expect(Math.min(...at16)).toBeCloseTo(xOf(40), 1);
    expect(Math.max(...at16)).toBeCloseTo(xOf(80), 1);
    expect(co[co.length - 1][0]).toBeCloseTo(xOf(120), 1);
    expect(co[co.length - 1][1]).toBeCloseTo(yOf(8), 1);
    // edge-first: flat at 8.
    for (const [, py] of pathPoints(attr(paths[1], 'd')!)) expect(py).toBeCloseTo(yOf(8), 1);
    expect(svg).toContain('cloud-only 8.00 to 16.0; edge-first 8.00 to 8.00');
  });

  it('adds API, uplink and failure rows to the summary table', () => {
    const table = html.match(/<table class="data summary">[\s\S]*?<\/table>/)![0];
    expect(table).toContain('>API llm-api (us-east)</th>');
    expect(tableCells(table, 'requests', 'API llm-api')).toEqual(['1,000', '0']);
    expect(tableCells(table, 'API \\$', 'totals')).toEqual(['4.45', '0']);
    expect(tableCells(table, 'API kWh', 'totals')).toEqual(['2.00', '0']);
    expect(tableCells(table, 'API kg', 'totals')).toEqual(['0.800', '0']);
    expect(tableCells(table, 'downtime s', 'uplink of edge-seoul')).toEqual(['—', '1,235']);
    expect(tableCells(table, 'lost', 'service chat')).toEqual(['0', '5']);
    expect(tableCells(table, 'cold starts', 'pool us-east/h100')).toEqual(['4', '0']);
    expect(tableCells(table, 'lost', 'whole run')).toEqual(['0', '5']);
  });

  it('shows none of it for a Result without jobs, APIs or changing replicas', () => {
    expect(charts(plain, 'jobs')).toHaveLength(0);
    expect(charts(plain, 'pool-replicas')).toHaveLength(0);
    for (const text of [
      'id="training"',
      'class="data jobs"',
      'managed API',
      'data-part="api"',
      '>API ',
      'uplink of',
      '>retried<',
      '>cold starts<',
    ]) {
      expect(plain).not.toContain(text);
    }
    // The same charts as before otherwise: per service a CDF, three breakdowns, per pool two series, cost/p99.
    expect(plain.match(/<svg class="chart"/g)).toHaveLength(2 + 3 + 2 * 2 + 1);
  });

  it('leaves out latency, the cost/p99 plane and pool series when there are no services (training only)', () => {
    const r = withExtras();
    for (const p of r.policies) p.services = [];
    const only = renderHtml(r);
    expectSelfContained(only);
    for (const kind of ['cost-p99', 'latency-cdf', 'pool-utilisation', 'pool-queue', 'pool-replicas']) {
      expect(charts(only, kind)).toHaveLength(0);
    }
    expect(only).not.toMatch(/<section id="(?:pareto|latency|pools)">/);
    expect(charts(only, 'jobs')).toHaveLength(1);
    expect(charts(only, 'cost-breakdown')).toHaveLength(1);
    expect(only).toContain('<table class="data jobs">');
  });

  it('is deterministic', () => {
    expect(renderHtml(withExtras())).toBe(html);
  });
});

describe('renderHtml on a training + API run', () => {
  let result: Result;
  let html: string;
  beforeAll(() => {
    result = runScenario(loadScenarioFile('test/fixtures/reports/training-api.yaml'));
    html = renderHtml(result);
  });

  it('has every chart, well formed, in one self-contained document', () => {
    expectSelfContained(html);
    // 1 CDF (+ TTFT and TPOT: an LLM service), 3 breakdowns, 2 pools × (utilisation, queue), replicas of the autoscaled pool, the job, cost/p99.
    expect(charts(html, 'jobs')).toHaveLength(1);
    expect(charts(html, 'pool-replicas').map((c) => attr(c, 'data-pool'))).toEqual(['east/h100']);
    const all = html.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];
    expect(all).toHaveLength(1 + 2 + 3 + 4 + 1 + 1 + 1);
    for (const svg of all) expectWellFormedChart(svg);
  });

  it('shows the time to train worked out by hand', () => {
    // 6 × 8e9 params × 5e8 tokens = 2.4e19 FLOPs on 16 H100 (989 TFLOPS bf16) at the Hopper default MFU for an 8B
    // model, 0.1494 (docs/training.md: per generation and model scale), and 0.97 for the one doubling beyond 8
    // devices: 10,467.8 s; plus 5 checkpoints of 100 GB at 5 GB/s (20 s each): 10,567.8 s, 2.94 h, the same
    // under every policy (the job has its own pool).
    const table = html.match(/<table class="data jobs">[\s\S]*?<\/table>/)![0];
    expect(tableCells(table, 'time to train h', 'training job finetune')).toEqual(['2.94', '2.94', '2.94']);
    expect(tableCells(table, 'status', 'training job finetune')).toEqual(['done', 'done', 'done']);
    const widths = tags(charts(html, 'jobs')[0], 'rect', 'segment')
      .filter((r) => attr(r, 'data-part') === 'time')
      .map((r) => Number(attr(r, 'width')));
    expect(widths).toHaveLength(3);
    expect(new Set(widths).size).toBe(1);
  });

  it('stacks the API cost only for the policies that used the API', () => {
    const cost = charts(html, 'cost-breakdown')[0];
    const byPolicy = (name: string) => result.policies.find((p) => p.policy === name)!;
    // cloud-only never places on the API; cheapest-within-slo sends it everything.
    expect(byPolicy('cloud-only').apis[0].requests).toBe(0);
    expect(segments(cost, 'cloud-only').has('api')).toBe(false);
    const cheap = segments(cost, 'cheapest-within-slo');
    const t = byPolicy('cheapest-within-slo').totals.cost_usd;
    expect(t.api).toBeGreaterThan(0);
    expect(cheap.get('api')! / cheap.get('compute')!).toBeCloseTo(t.api / t.compute, 2);
  });
});

// ---------------------------------------------------------------------------------------------------------

const stat = (mean: number, ci95: number): MetricStat => ({ mean, ci95, n: 5 });

/**
 * Two axes: arrival rate (numeric 1, 2, 4) × site ("a" / "b"); two policies. Costs fall with the rate, p99
 * rises; policy "edge" has no p99 at rate 2 on site a (nothing completed).
 */
function sweepFixture(): SweepResult {
  const rate = 'services.chat.arrivals.poisson';
  const site = 'sites.<x>&.kind';
  const points: SweepResult['points'] = [];
  for (const r of [1, 2, 4]) {
    for (const s of ['a', 'b']) {
      points.push({
        index: points.length,
        values: { [rate]: r, [site]: s },
        policies: ['cloud', 'edge'].map((policy, i) => ({
          policy,
          metrics: {
            cost_usd_per_1k: stat(8 / r + i, 0.5),
            carbon_kg_per_1k: stat(0.05 * (1 + i), 0.002),
            'chat.latency_p99_ms': policy === 'edge' && r === 2 && s === 'a' ? null : stat(400 + 300 * i * r, 25),
            'chat.slo_attainment': stat(1 - 0.05 * i * r, 0.01),
            energy_kwh: stat(r, 0),
          },
        })),
      });
    }
  }
  return {
    format_version: 1,
    placesim_version: '0.0.0-test',
    scenario: { name: 'sweep <of> "rates" & sites', file: null, seed: 7 },
    axes: [
      { path: rate, values: [1, 2, 4] },
      { path: site, values: ['a', 'b'] },
    ],
    replications: 5,
    seeds: [7, 8, 9, 10, 11],
    metrics: [
      { name: 'cost_usd_per_1k', description: 'cost per 1,000 completed requests, USD' },
      { name: 'energy_kwh', description: 'energy, kWh' },
      { name: 'carbon_kg_per_1k', description: 'carbon per 1,000 completed requests, kg CO2e' },
      { name: 'chat.latency_p99_ms', description: 'chat: p99 latency, ms' },
      { name: 'chat.slo_attainment', description: 'chat: SLO attainment, 0..1' },
    ],
    points,
  };
}

describe('renderSweepHtml', () => {
  const sweep = sweepFixture();
  const html = renderSweepHtml(sweep);
  const chartsOf = (metric: string) => charts(html, 'sweep-metric').filter((c) => attr(c, 'data-metric') === metric);

  it('is one self-contained document with escaped names', () => {
    expectSelfContained(html);
    expect(html).toContain('<title>sweep &lt;of&gt; &quot;rates&quot; &amp; sites · placesim sweep</title>');
    expect(html).toContain('sites.&lt;x&gt;&amp;.kind = a');
    expect(html).not.toContain('<of>');
    expect(html).not.toContain('<x>');
  });

  it('charts the key metrics, one small multiple per value of the second axis', () => {
    const all = charts(html, 'sweep-metric');
    expect(all).toHaveLength(4 * 2);
    expect([...new Set(all.map((c) => attr(c, 'data-metric')))]).toEqual([
      'cost_usd_per_1k',
      'carbon_kg_per_1k',
      'chat.latency_p99_ms',
      'chat.slo_attainment',
    ]);
    for (const svg of all) {
      expectWellFormedChart(svg);
      expect(tags(svg, 'path', 'series').map((p) => attr(p, 'data-policy'))).toEqual(['cloud', 'edge']);
      expect(tags(svg, 'path', 'band')).toHaveLength(2);
    }
    // energy_kwh is not charted but named, and every point is in the table.
    expect(html).toContain("Also in the sweep's JSON and CSV: energy_kwh.");
    expect(html.match(/<table class="data points">[\s\S]*?<\/table>/)![0].match(/<tr>/g)).toHaveLength(1 + 6 * 2);
  });

  it('puts numeric parameter values on a linear axis', () => {
    const svg = chartsOf('cost_usd_per_1k')[0];
    const cx = tags(svg, 'circle', 'point')
      .filter((c) => attr(c, 'data-policy') === 'cloud')
      .map((c) => [attr(c, 'data-x'), Number(attr(c, 'cx'))] as const);
    expect(cx.map((c) => c[0])).toEqual(['1', '2', '4']);
    // 1 → 2 is half the distance of 2 → 4.
    expect(cx[2][1] - cx[1][1]).toBeCloseTo(2 * (cx[1][1] - cx[0][1]), 1);
  });

  it('spaces categorical parameter values evenly and labels them', () => {
    const flipped: SweepResult = { ...sweep, axes: [sweep.axes[1], sweep.axes[0]] };
    const svg = charts(renderSweepHtml(flipped), 'sweep-metric')[0];
    const x = xTicks(svg);
    expect([...x.keys()]).toEqual(['a', 'b']);
    const cx = tags(svg, 'circle', 'point').map((c) => Number(attr(c, 'cx')));
    expect(new Set(cx)).toEqual(new Set([x.get('a'), x.get('b')]));
  });

  it('reads values written with one unit ("2/s") as numbers, mixed units as categories', () => {
    const withUnits = (values: string[]): SweepResult => {
      const path = sweep.axes[0].path;
      const points = values.map((v, index) => ({
        index,
        values: { [path]: v },
        policies: [{ policy: 'cloud', metrics: { cost_usd_per_1k: stat(1, 0.1) } }],
      }));
      return { ...sweep, axes: [{ path, values }], points };
    };
    const svg = charts(renderSweepHtml(withUnits(['2/s', '4/s', '8/s'])), 'sweep-metric')[0];
    const cx = tags(svg, 'circle', 'point').map((c) => Number(attr(c, 'cx')));
    expect(cx[2] - cx[1]).toBeCloseTo(2 * (cx[1] - cx[0]), 1);
    expect(svg).toContain('services.chat.arrivals.poisson, /s</text>');
    // 250ms and 1s are not on one scale as written: evenly spaced categories, labelled as written.
    const mixed = charts(renderSweepHtml(withUnits(['250ms', '1s', '2s'])), 'sweep-metric')[0];
    expect([...xTicks(mixed).keys()]).toEqual(['250ms', '1s', '2s']);
    const mx = tags(mixed, 'circle', 'point').map((c) => Number(attr(c, 'cx')));
    expect(mx[2] - mx[1]).toBeCloseTo(mx[1] - mx[0], 1);
  });

  it('draws the 95% CI as a band of ± ci95 around the mean', () => {
    const svg = chartsOf('cost_usd_per_1k')[0];
    const y = yTicks(svg);
    const labels = [...y.keys()].map(Number);
    const pxPerUnit = (y.get(String(labels[0]))! - y.get(String(labels[1]))!) / (labels[1] - labels[0]);
    // cloud at rate 1 on site a: mean 8, ci95 0.5.
    const point = tags(svg, 'circle', 'point').find(
      (c) => attr(c, 'data-policy') === 'cloud' && attr(c, 'data-x') === '1',
    )!;
    const cx = Number(attr(point, 'cx'));
    const cy = Number(attr(point, 'cy'));
    expect(cy).toBeCloseTo(y.get('0')! - 8 * pxPerUnit, 0);
    const band = tags(svg, 'path', 'band').find((p) => attr(p, 'data-policy') === 'cloud')!;
    const ys = pathPoints(attr(band, 'd')!)
      .filter(([px]) => Math.abs(px - cx) < 0.01)
      .map(([, py]) => py)
      .sort((a, b) => a - b);
    expect(ys).toHaveLength(2);
    expect(ys[0]).toBeCloseTo(cy - 0.5 * pxPerUnit, 1);
    expect(ys[1]).toBeCloseTo(cy + 0.5 * pxPerUnit, 1);
  });

  it('breaks a line where a value is missing rather than bridging it', () => {
    const [siteA, siteB] = chartsOf('chat.latency_p99_ms');
    const edge = (svg: string) =>
      attr(
        tags(svg, 'path', 'series').find((p) => attr(p, 'data-policy') === 'edge')!,
        'd',
      )!;
    // Site a: rates 1 and 4 only, two separate pieces; site b: one piece through three points.
    expect(edge(siteA).match(/M/g)).toHaveLength(2);
    expect(edge(siteB).match(/M/g)).toHaveLength(1);
    expect(pathPoints(edge(siteB))).toHaveLength(3);
  });

  it('shows fractions as percentages, never above 100', () => {
    const svg = chartsOf('chat.slo_attainment')[0];
    const labels = [...yTicks(svg).keys()].map(Number);
    expect(Math.max(...labels)).toBe(100);
    expect(Math.min(...labels)).toBeLessThanOrEqual(80);
    expect(svg).toContain('chat.slo_attainment, %');
  });

  it('is deterministic', () => {
    expect(renderSweepHtml(sweepFixture())).toBe(html);
  });
});
