/**
 * Search reporters: the stdout table of answers per policy, search.csv (every evaluation), search.json
 * (the SearchResult). They read only the SearchResult.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { MetricStat } from '../metrics/sweep-result.js';
import { meanPlusMinus, sweepColumn } from '../sweep/report.js';
import type { SearchResult } from './result.js';

const DIGITS = 12;
const sig = (v: number): string => String(Number(v.toPrecision(DIGITS)));

function finite(v: number, where: string): number {
  if (!Number.isFinite(v)) throw new Error(`search result ${where} is ${v}, which cannot be written`);
  return v;
}

/** A configuration by the axes that vary (an axis with one value is the same everywhere and only adds noise). */
function describer(result: SearchResult): (values: Record<string, string | number>) => string {
  const varying = new Set(result.axes.filter((a) => a.values.length > 1).map((a) => a.path));
  return (values) =>
    Object.entries(values)
      .filter(([k]) => varying.has(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || '(the file as it is)';
}

/** The answers: per policy the winning configuration (or the highest demand per configuration). */
export function searchTable(result: SearchResult, opts: { quiet?: boolean } = {}): string {
  const describe = describer(result);
  const rows: string[][] = [];
  if (result.mode === 'cheapest') {
    const cs = result.constraints.map((c) => c.metric);
    rows.push(['policy', 'best configuration', result.objective!.text, ...cs.map((m) => sweepColumn(m))]);
    for (const p of result.policies) {
      const w = p.winner === null ? undefined : result.evaluated[p.winner];
      rows.push(
        w
          ? [p.policy, describe(w.values), sig(w.objective!), ...cs.map((m) => meanPlusMinus(w.metrics[m]))]
          : [p.policy, 'none meets every constraint', '—', ...cs.map(() => '—')],
      );
    }
  } else {
    const d = result.demand!;
    const unit = d.unit === '' ? '' : ` (${d.unit})`;
    rows.push(['policy', 'configuration', `max ${d.path}${unit}`]);
    for (const p of result.policies) {
      for (const a of p.demand) {
        const answer =
          a.max === null
            ? `< ${d.low} (fails at the low end)`
            : a.failed_at === null
              ? `≥ ${d.high} (holds at the high end)`
              : `${a.max} (fails at ${a.failed_at})`;
        rows.push([p.policy, describe(a.values), answer]);
      }
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
  const constraints = result.constraints.map((c) => `${c.metric} ${c.op} ${c.bound}`).join(', ');
  const note =
    `constraints: ${constraints}, each at the pessimistic end of its 95% interval over ` +
    `${result.replications} replication(s); ${result.evaluated.length} evaluation(s), every one in search.csv`;
  return `${lines.join('\n')}\n${opts.quiet ? '' : `(${note})\n`}`;
}

/**
 * Columns: `evaluation`, `policy`, one per axis (and the demand field), `feasible` (true/false), `objective`
 * (cheapest searches), then each metric's mean and `_ci95` as in sweep.csv.
 */
export function searchCsv(result: SearchResult): string {
  const paths = [...result.axes.map((a) => a.path), ...(result.demand ? [result.demand.path] : [])];
  const header = ['evaluation', 'policy', ...paths, 'feasible'];
  if (result.objective) header.push(`objective:${result.objective.text}`);
  for (const m of result.metrics) {
    const col = sweepColumn(m.name);
    header.push(col, `${col}_ci95`);
  }
  const rows = result.evaluated.map((e) => {
    const row = [String(e.index), e.policy, ...paths.map((p) => String(e.values[p] ?? '')), String(e.feasible)];
    if (result.objective) row.push(e.objective === null ? '' : sig(finite(e.objective, `evaluation ${e.index}`)));
    for (const m of result.metrics) {
      const s = e.metrics[m.name];
      const where = `evaluation ${e.index} ${m.name}`;
      row.push(s ? sig(finite(s.mean, where)) : '', s ? sig(finite(s.ci95, where)) : '');
    }
    return row;
  });
  return stringify([header, ...rows]);
}

/** The SearchResult as JSON, keys in the order result.ts declares them. */
export function searchJson(result: SearchResult): string {
  const stat = (s: MetricStat | null | undefined, where: string) =>
    s ? { mean: finite(s.mean, where), ci95: finite(s.ci95, where), n: s.n } : null;
  const ordered = {
    format_version: result.format_version,
    placesim_version: result.placesim_version,
    scenario: { name: result.scenario.name, file: result.scenario.file, seed: result.scenario.seed },
    mode: result.mode,
    axes: result.axes.map((a) => ({ path: a.path, values: a.values, monotone: a.monotone })),
    constraints: result.constraints.map((c) => ({ metric: c.metric, op: c.op, bound: c.bound })),
    objective: result.objective
      ? {
          text: result.objective.text,
          terms: result.objective.terms.map((t) => ({ metric: t.metric, weight: t.weight })),
        }
      : null,
    demand: result.demand
      ? {
          path: result.demand.path,
          low: result.demand.low,
          high: result.demand.high,
          unit: result.demand.unit,
          tolerance: result.demand.tolerance,
        }
      : null,
    replications: result.replications,
    seeds: result.seeds,
    metrics: result.metrics.map((m) => ({ name: m.name, description: m.description })),
    policies: result.policies.map((p) => ({
      policy: p.policy,
      winner: p.winner,
      frontier: p.frontier,
      demand: p.demand.map((d) => ({ values: d.values, max: d.max, failed_at: d.failed_at })),
    })),
    evaluated: result.evaluated.map((e) => ({
      index: e.index,
      policy: e.policy,
      values: e.values,
      feasible: e.feasible,
      objective: e.objective,
      metrics: Object.fromEntries(
        result.metrics.map((m) => [m.name, stat(e.metrics[m.name], `evaluation ${e.index} ${m.name}`)]),
      ),
    })),
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}

/** Writes search.csv and search.json into outDir (each whole, under a temporary name, then renamed). */
export function writeSearchOutputs(result: SearchResult, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    ['search.csv', searchCsv(result)],
    ['search.json', searchJson(result)],
  ];
  return files.map(([name, text]) => {
    const path = join(outDir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    return path;
  });
}

export function searchJournalPath(outDir: string): string {
  return join(outDir, 'search.journal.jsonl');
}
