/**
 * The HTML reporter: one self-contained file (inline CSS and SVG, no script, no font, nothing fetched) for
 * people who would rather look than read. Charts are built as strings with d3-scale and d3-shape on the
 * server side; the same Result always gives the same bytes (no dates, fixed-precision numbers).
 *
 * renderHtml reads only a Result, renderSweepHtml only a SweepResult, renderSearchHtml only a SearchResult. docs/reports.md describes every chart.
 */

import type { PolicyResult, Result } from '../metrics/result.js';
import type { SweepResult } from '../metrics/sweep-result.js';
import type { SearchResult } from '../search/result.js';
import { searchFrontierChart } from './html/search-charts.js';
import {
  apiGroups,
  formatCount,
  formatDuration,
  formatNumber,
  jobGroups,
  NULL_CELL,
  perRequestGroupRow,
  type PerRequestKind,
  uplinkGroups,
  backhaulGroups,
  serviceGroup,
  poolGroup,
  sharedUplinkGroups,
  type RowGroup,
} from './table.js';
import {
  breakdownChart,
  costP99Chart,
  jobsChart,
  latencyCdfChart,
  poolSeriesChart,
  replicasVary,
} from './html/run-charts.js';
import {
  combinations,
  describeCombo,
  formatStat,
  keyMetrics,
  metricTitle,
  sweepMetricUnit,
  sweepMetricChart,
  sweepPolicies,
} from './html/sweep-charts.js';
import { esc, IdSource } from './html/svg.js';

const CSS = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1b1b1b; background: #fff; margin: 0 auto; max-width: 1400px; padding: 20px 28px 40px; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 20px 0 6px; }
p.lead { margin: 4px 0 12px; max-width: 75em; }
p.note { color: #555; font-size: 0.9rem; max-width: 75em; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; font-size: 0.95rem; }
dl.meta dt { color: #555; }
dl.meta dd { margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 24px 36px; align-items: flex-start; }
figure { margin: 0; max-width: 100%; }
.charts > figure { flex: 1 1 540px; max-width: 660px; min-width: 0; }
.charts > figure.small { flex: 1 1 400px; max-width: 480px; }
.charts > figure > svg.chart { width: 100%; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart .legend-item.muted text { fill: #8a8a8a; }
svg.chart .no-data { fill: #666; font-style: italic; }
svg.chart .axis-label { fill: #333; }
.warnings { border-left: 4px solid #E69F00; background: #fff8e6; padding: 8px 16px; margin: 16px 0; }
.warnings ul { margin: 4px 0; padding-left: 20px; }
table.data { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.9rem; margin: 8px 0; }
table.data th, table.data td { padding: 2px 12px; white-space: nowrap; }
table.data thead th { text-align: right; border-bottom: 2px solid #444; vertical-align: bottom; }
table.data thead th.label { text-align: left; }
table.data tbody th { text-align: left; font-weight: normal; }
table.data tbody th.section { font-weight: 600; padding-top: 12px; border-bottom: 1px solid #ccc; }
table.data tbody th.sub { padding-left: 28px; }
table.data td { text-align: right; }
table.data td.null { color: #999; }
table.data tr:hover td, table.data tr:hover th { background: #f4f7fb; }
.pareto-mark { color: #006d4f; }
.table-wrap { overflow-x: auto; max-width: 100%; }
footer { margin-top: 40px; color: #777; font-size: 0.85rem; }
`;

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

const figure = (caption: string, svg: string, small = false) =>
  `<figure${small ? ' class="small"' : ''}><figcaption>${esc(caption)}</figcaption>${svg}</figure>`;

/** Names of the things of one kind across policies, in order of first appearance. */
function unionNames<T extends { name: string }>(policies: PolicyResult[], pick: (p: PolicyResult) => T[]): string[] {
  const names: string[] = [];
  for (const p of policies) for (const x of pick(p)) if (!names.includes(x.name)) names.push(x.name);
  return names;
}

// ---------------------------------------------------------------------------------------------------------
// The summary table: the console table's rows, as HTML.

type Row = { kind: 'section'; label: string } | { kind: 'row'; label: string; sub?: boolean; cells: string[] };

function serviceRows(name: string, policies: PolicyResult[]): Row[] {
  return groupRows([serviceGroup(name, policies, { breakdown: true })]);
}

function poolRows(name: string, policies: PolicyResult[]): Row[] {
  return groupRows([poolGroup(name, policies, { energy: true })]);
}

function totalsRows(policies: PolicyResult[]): Row[] {
  const row = (label: string, f: (p: PolicyResult) => number | null, sub = false): Row => ({
    kind: 'row',
    label,
    sub,
    cells: policies.map((p) => formatNumber(f(p))),
  });
  // Per-request figures in the console table's unit: the largest in which the row's largest value reaches 1.
  const perRequest = (kind: PerRequestKind): Row => ({ kind: 'row', ...perRequestGroupRow(policies, kind) });
  // Managed-API parts only where some policy used an API.
  const api = (label: string, f: (p: PolicyResult) => number): Row[] =>
    policies.some((p) => f(p) !== 0) ? [row(label, f, true)] : [];
  return [
    { kind: 'section', label: 'totals (measured window)' },
    row('cost $', (p) => p.totals.cost_usd.total),
    row('compute $', (p) => p.totals.cost_usd.compute, true),
    row('capex $', (p) => p.totals.cost_usd.capex, true),
    row('electricity $', (p) => p.totals.cost_usd.electricity, true),
    row('upkeep $', (p) => p.totals.cost_usd.upkeep, true),
    row('egress $', (p) => p.totals.cost_usd.egress, true),
    ...api('API $', (p) => p.totals.cost_usd.api),
    perRequest('cost'),
    row('energy kWh', (p) => p.totals.energy_kwh.total),
    row('IT kWh', (p) => p.totals.energy_kwh.it, true),
    row('facility kWh', (p) => p.totals.energy_kwh.facility, true),
    row('network kWh', (p) => p.totals.energy_kwh.network, true),
    ...api('API kWh', (p) => p.totals.energy_kwh.api),
    perRequest('energy'),
    row('carbon kg', (p) => p.totals.carbon_kg.total),
    row('compute kg', (p) => p.totals.carbon_kg.compute, true),
    row('network kg', (p) => p.totals.carbon_kg.network, true),
    ...api('API kg', (p) => p.totals.carbon_kg.api),
    perRequest('carbon'),
    row('egress GB', (p) => p.totals.egress_gb),
    { kind: 'section', label: '30-day projection' },
    row('cost $', (p) => p.totals.projection_30d.cost_usd),
    row('carbon t CO2', (p) => p.totals.projection_30d.carbon_kg / 1000),
  ];
}

function groupRows(groups: RowGroup[]): Row[] {
  return groups.flatMap((g): Row[] => [
    { kind: 'section', label: g.title },
    ...g.rows.map((r): Row => ({ kind: 'row', label: r.label, cells: r.cells })),
  ]);
}

function conservationRows(policies: PolicyResult[]): Row[] {
  const row = (label: string, f: (p: PolicyResult) => string): Row => ({ kind: 'row', label, cells: policies.map(f) });
  return [
    { kind: 'section', label: 'whole run (incl. warm-up): arrivals = completed + rejected + lost + in flight' },
    row('arrivals', (p) => formatCount(p.conservation.arrivals)),
    row('completed', (p) => formatCount(p.conservation.completed)),
    row('rejected', (p) => formatCount(p.conservation.rejected)),
    row('lost', (p) => formatCount(p.conservation.lost)),
    row('in flight at end', (p) => formatCount(p.conservation.in_flight)),
    row('events', (p) => formatCount(p.events)),
  ];
}

/** A table with a column per policy (Pareto members starred) and the given rows. */
function policyTable(result: Result, cls: string, rows: Row[]): string {
  const policies = result.policies;
  const pareto = new Set(result.pareto);
  const head = policies
    .map((p) =>
      pareto.has(p.policy)
        ? `<th scope="col" class="pareto-mark" title="Pareto set">${esc(p.policy)}*</th>`
        : `<th scope="col">${esc(p.policy)}</th>`,
    )
    .join('');
  const body = rows
    .map((r) =>
      r.kind === 'section'
        ? `<tr><th class="section" colspan="${policies.length + 1}">${esc(r.label)}</th></tr>`
        : `<tr><th scope="row"${r.sub ? ' class="sub"' : ''}>${esc(r.label)}</th>` +
          r.cells.map((c) => (c === NULL_CELL ? `<td class="null">${c}</td>` : `<td>${esc(c)}</td>`)).join('') +
          `</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table class="data ${cls}"><thead><tr><th class="label" scope="col"></th>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

function summaryTable(result: Result): string {
  const policies = result.policies;
  const rows: Row[] = [];
  for (const s of unionNames(policies, (p) => p.services)) rows.push(...serviceRows(s, policies));
  for (const x of unionNames(policies, (p) => p.pools)) rows.push(...poolRows(x, policies));
  rows.push(
    ...groupRows(apiGroups(policies)),
    ...groupRows(uplinkGroups(policies)),
    ...groupRows(backhaulGroups(policies)),
    ...groupRows(sharedUplinkGroups(policies)),
    ...totalsRows(policies),
    ...conservationRows(policies),
  );
  return (
    policyTable(result, 'summary', rows) +
    (result.pareto.length > 0
      ? `<p class="note">* Pareto set: no other policy is better on p99 latency, cost and carbon at once.</p>`
      : '')
  );
}

// ---------------------------------------------------------------------------------------------------------

function warningsBox(warnings: string[]): string {
  if (warnings.length === 0) return '';
  return `<div class="warnings"><strong>Warnings (${warnings.length})</strong><ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`;
}

/** The run report of one Result. */
export function renderHtml(result: Result): string {
  const ids = new IdSource();
  const sc = result.scenario;
  const policies = result.policies;
  const out: string[] = [];

  out.push(`<header><h1>${esc(sc.name)} <small>· placesim run report</small></h1>`);
  if (sc.description.trim() !== '') out.push(`<p class="lead">${esc(sc.description.trim())}</p>`);
  const meta: [string, string][] = [];
  if (sc.file !== null) meta.push(['scenario file', sc.file]);
  meta.push(
    ['seed', String(sc.seed)],
    ['duration', formatDuration(sc.duration_s)],
    ['warm-up', `${formatDuration(sc.warmup_s)} (not measured)`],
    ['measured window', formatDuration(sc.measured_s)],
    ['policies', policies.map((p) => p.policy).join(', ') || 'none'],
    ['Pareto set', result.pareto.join(', ') || 'none'],
    ['placesim', result.placesim_version],
  );
  out.push(`<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></header>`);
  out.push(warningsBox(result.warnings));

  if (policies.length === 0) {
    out.push(`<p>No policies were run.</p>`);
  } else {
    // A training-only scenario has no requests: no latency, no queues, nothing to plot against p99.
    const services = unionNames(policies, (p) => p.services);
    if (services.length > 0) {
      out.push(`<section id="pareto"><h2>Cost against p99 latency</h2>`);
      out.push(
        `<p class="note">A policy is in the Pareto set when no other policy is at least as good on p99 latency, cost ` +
          `and carbon and better on one of them. Carbon is the third axis: a point can be in the set while ` +
          `another looks better here.</p>`,
      );
      out.push(
        `<div class="charts">${figure('Cost against worst p99 latency', costP99Chart(ids, result))}</div></section>`,
      );

      out.push(`<section id="latency"><h2>Latency</h2><div class="charts">`);
      for (const s of services) {
        out.push(figure(`Latency CDF · service ${s}`, latencyCdfChart(ids, result, s)));
        // LLM services: the two halves of the user's experience, first token and the pace after it.
        const llm = policies.some((p) => p.services.some((x) => x.name === s && x.ttft_cdf_ms !== null));
        if (llm) {
          out.push(figure(`TTFT CDF · service ${s}`, latencyCdfChart(ids, result, s, 'ttft')));
          out.push(figure(`TPOT CDF · service ${s}`, latencyCdfChart(ids, result, s, 'tpot')));
        }
      }
      out.push(`</div></section>`);
    }

    out.push(`<section id="breakdown"><h2>Cost, energy and carbon</h2><div class="charts">`);
    out.push(figure('Cost', breakdownChart(ids, result, 'cost')));
    out.push(figure('Energy', breakdownChart(ids, result, 'energy')));
    out.push(figure('Carbon', breakdownChart(ids, result, 'carbon')));
    out.push(`</div></section>`);

    const jobs = unionNames(policies, (p) => p.jobs);
    if (jobs.length > 0) {
      out.push(`<section id="training"><h2>Training jobs</h2>`);
      out.push(
        `<p class="note">Over the whole run: training has no warm-up. Time to train runs from the job's earliest ` +
          `start to its end (dataset transfer, waiting, interruptions and checkpoints included); cost, energy and ` +
          `carbon are those of the devices it held. The totals above cover the measured window only.</p>`,
      );
      out.push(`<div class="charts">`);
      for (const job of jobs) out.push(figure(`Training job ${job}`, jobsChart(ids, result, job)));
      out.push(`</div>`);
      out.push(policyTable(result, 'jobs', groupRows(jobGroups(policies))));
      out.push(`</section>`);
    }

    if (services.length > 0) {
      out.push(`<section id="pools"><h2>Pools over time</h2>`);
      out.push(
        `<p class="note">Averages per interval over the whole run; the shaded band is the warm-up, which no figure in the tables counts.</p>`,
      );
      for (const pool of unionNames(policies, (p) => p.pools)) {
        out.push(`<h3>${esc(pool)}</h3><div class="charts">`);
        out.push(figure(`Utilisation · ${pool}`, poolSeriesChart(ids, result, pool, 'utilisation')));
        out.push(figure(`Queue length · ${pool}`, poolSeriesChart(ids, result, pool, 'queue_length')));
        // Capacity over time only where it changed (autoscaling, failures, preemptions).
        if (replicasVary(result, pool))
          out.push(figure(`Replicas · ${pool}`, poolSeriesChart(ids, result, pool, 'replicas')));
        out.push(`</div>`);
      }
      out.push(`</section>`);
    }

    out.push(`<section id="summary"><h2>Summary</h2>${summaryTable(result)}</section>`);
  }
  out.push(
    `<footer>placesim ${esc(result.placesim_version)} · result format ${result.format_version} · seed ${sc.seed}</footer>`,
  );
  return page(`${sc.name} · placesim`, out.join('\n'));
}

// ---------------------------------------------------------------------------------------------------------

/** The sweep report of one SweepResult. */
export function renderSweepHtml(result: SweepResult): string {
  const ids = new IdSource();
  const sc = result.scenario;
  const out: string[] = [];
  const policies = sweepPolicies(result);
  const charted = keyMetrics(result.metrics);

  out.push(`<header><h1>${esc(sc.name)} <small>· placesim sweep report</small></h1>`);
  const seeds =
    result.seeds.length <= 6
      ? result.seeds.join(', ')
      : `${result.seeds.slice(0, 3).join(', ')}, …, ${result.seeds[result.seeds.length - 1]}`;
  const meta: [string, string][] = [];
  if (sc.file !== null) meta.push(['scenario file', sc.file]);
  meta.push(['seed', String(sc.seed)], ['replications', `${result.replications} per point (seeds ${seeds})`]);
  for (const a of result.axes) meta.push([`swept: ${a.path}`, a.values.map(String).join(', ')]);
  meta.push(
    ['points', formatCount(result.points.length)],
    ['policies', policies.join(', ') || 'none'],
    ['placesim', result.placesim_version],
  );
  out.push(`<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></header>`);
  out.push(
    `<p class="note">Each point is the mean over the replications; the shaded band is its 95% confidence interval ` +
      `(Student t). Every point runs the same seeds, so differences between points come from the parameter, not the noise.</p>`,
  );

  if (result.axes.length === 0 || result.points.length === 0) {
    out.push(`<p>The sweep has no points.</p>`);
  } else {
    const rest = result.axes.slice(1);
    const combos = combinations(rest);
    const width = combos.length > 1 ? 460 : 640;
    for (const m of charted) {
      out.push(
        `<section class="metric"><h2>${esc(m.name)}</h2><p class="note">${esc(m.description)}</p><div class="charts">`,
      );
      for (const c of combos) {
        const where = describeCombo(c);
        out.push(
          figure(
            where === '' ? `${m.name} against ${result.axes[0].path}` : where,
            sweepMetricChart(ids, result, m, c, width),
            combos.length > 1,
          ),
        );
      }
      out.push(`</div></section>`);
    }

    // Every point in numbers, for the charted metrics, in the units of their charts.
    const units = new Map(charted.map((m) => [m.name, sweepMetricUnit(result, m.name)]));
    out.push(`<section id="points"><h2>All points</h2>`);
    const head =
      result.axes.map((a) => `<th scope="col" class="label">${esc(a.path)}</th>`).join('') +
      `<th scope="col" class="label">policy</th>` +
      charted
        .map((m) => {
          // A per-1k metric shown in another unit says so, with the CSV column's name as its tooltip.
          const u = units.get(m.name)!;
          return u.what !== undefined
            ? `<th scope="col" title="${esc(m.name)} in sweep.csv">${esc(metricTitle(m.name, u))}</th>`
            : `<th scope="col">${esc(m.name)}${u.percent ? ' %' : ''}</th>`;
        })
        .join('');
    const rows: string[] = [];
    for (const pt of result.points) {
      for (const p of pt.policies) {
        rows.push(
          `<tr>${result.axes.map((a) => `<th scope="row">${esc(String(pt.values[a.path] ?? NULL_CELL))}</th>`).join('')}` +
            `<th>${esc(p.policy)}</th>` +
            charted
              .map((m) => {
                const st = p.metrics[m.name] ?? null;
                return st === null
                  ? `<td class="null">${NULL_CELL}</td>`
                  : `<td>${esc(formatStat(st, units.get(m.name)!).replace(/ %$/, ''))}</td>`;
              })
              .join('') +
            `</tr>`,
        );
      }
    }
    out.push(
      `<div class="table-wrap"><table class="data points"><thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table></div>`,
    );
    const others = result.metrics.filter((m) => !charted.includes(m));
    if (others.length > 0) {
      out.push(`<p class="note">Also in the sweep's JSON and CSV: ${others.map((m) => esc(m.name)).join(', ')}.</p>`);
    }
    out.push(`</section>`);
  }
  out.push(`<footer>placesim ${esc(result.placesim_version)} · sweep format ${result.format_version}</footer>`);
  return page(`${sc.name} · placesim sweep`, out.join('\n'));
}

/** The search report: the question, the answer per policy, and each policy's frontier chart. */
export function renderSearchHtml(result: SearchResult): string {
  const ids = new IdSource();
  const sc = result.scenario;
  const out: string[] = [];
  out.push(`<header><h1>${esc(sc.name)} <small>· placesim search report</small></h1>`);
  const meta: [string, string][] = [
    ['scenario file', sc.file],
    ['seed', String(sc.seed)],
    ['replications', `${result.replications} per evaluation`],
  ];
  for (const a of result.axes)
    meta.push([`varied${a.monotone ? ' (monotone, bisected)' : ''}: ${a.path}`, a.values.map(String).join(', ')]);
  if (result.demand)
    meta.push(['demand', `${result.demand.path}: ${result.demand.low}..${result.demand.high}${result.demand.unit}`]);
  meta.push(['constraints', result.constraints.map((c) => `${c.metric} ${c.op} ${c.bound}`).join(', ')]);
  if (result.objective) meta.push(['objective (minimised)', result.objective.text]);
  meta.push(['evaluations', formatCount(result.evaluated.length)], ['placesim', result.placesim_version]);
  out.push(`<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></header>`);
  out.push(
    `<p class="note">A constraint holds when it holds at the pessimistic end of its 95% confidence interval over the ` +
      `replications. Every evaluation is in search.csv.</p>`,
  );
  const describe = (v: Record<string, string | number>) =>
    Object.entries(v)
      .map(([k, x]) => `${k}=${x}`)
      .join(' ') || '(the file as it is)';
  out.push(`<section id="answers"><h2>Answers</h2>`);
  const rows: string[] = [];
  if (result.mode === 'cheapest') {
    for (const p of result.policies) {
      const w = p.winner === null ? undefined : result.evaluated[p.winner];
      rows.push(
        `<tr><th scope="row">${esc(p.policy)}</th><td class="label">${esc(w ? describe(w.values) : 'none meets every constraint')}</td>` +
          `<td>${w ? esc(formatNumber(w.objective)) : NULL_CELL}</td></tr>`,
      );
    }
    out.push(
      `<div class="table-wrap"><table class="data"><thead><tr><th scope="col" class="label">policy</th><th scope="col" class="label">best configuration</th>` +
        `<th scope="col">${esc(result.objective!.text)}</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table></div></section>`,
    );
    out.push(`<section id="frontiers"><h2>Frontiers</h2><div class="charts">`);
    result.policies.forEach((p, i) => out.push(figure(p.policy, searchFrontierChart(ids, result, i, 560))));
    out.push(`</div></section>`);
  } else {
    for (const p of result.policies) {
      for (const a of p.demand) {
        const answer =
          a.max === null
            ? `below ${result.demand!.low}`
            : a.failed_at === null
              ? `at least ${result.demand!.high}`
              : String(a.max);
        rows.push(
          `<tr><th scope="row">${esc(p.policy)}</th><td class="label">${esc(describe(a.values))}</td><td>${esc(answer)}</td></tr>`,
        );
      }
    }
    out.push(
      `<div class="table-wrap"><table class="data"><thead><tr><th scope="col" class="label">policy</th><th scope="col" class="label">configuration</th>` +
        `<th scope="col">highest ${esc(result.demand!.path)}${esc(result.demand!.unit ? ` (${result.demand!.unit})` : '')}</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table></div></section>`,
    );
  }
  out.push(`<footer>placesim ${esc(result.placesim_version)} · search format ${result.format_version}</footer>`);
  return page(`${sc.name} · placesim search`, out.join('\n'));
}
