/**
 * Sweep reporters: sweep.csv (a row per point and policy) and sweep.json (the SweepResult). Both read only
 * the SweepResult.
 */
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import {
  csvNameWithUnit,
  FleetResultSchema,
  PoolResultSchema,
  ServiceResultSchema,
  TotalsSchema,
} from '../metrics/result-schema.js';
import { fieldsOf, nodeKind } from '../metrics/result-shape.js';
import type { MetricStat, SweepResult } from '../metrics/sweep-result.js';
import { makeDir, writeFileAtomically } from '../output/write.js';
import { csvText } from '../output/safe-text.js';

function num(v: number, where: string): number {
  // NaN or Infinity is a bug upstream; an empty cell or a JSON null would pass it off as "missing".
  if (!Number.isFinite(v)) throw new Error(`sweep result ${where} is ${v}, which cannot be written`);
  return v;
}

/** Significant digits of the statistics in sweep.csv (as in trace.csv). */
const DIGITS = 12;

/**
 * A computed statistic at DIGITS significant digits, without trailing zeros: a mean of 3623.69215 summed in
 * floating point prints as 3623.69215, not 3623.6921500000003 (shortest round-trip keeps that noise).
 */
function sig(v: number): string {
  return String(Number(v.toPrecision(DIGITS)));
}

/**
 * A 95% half-width written to the last digit its mean is written to: the ci95 of identical replications
 * is float noise (4.5e-13 next to a mean of 3623.69215) and reads 0.
 */
function ci95Cell(ci95: number, mean: number): string {
  if (mean === 0 || ci95 === 0) return sig(ci95);
  const decimals = DIGITS - 1 - Math.floor(Math.log10(Math.abs(mean)));
  const step = 10 ** -decimals;
  const rounded = decimals >= 0 && decimals <= 100 ? Number(ci95.toFixed(decimals)) : Math.round(ci95 / step) * step;
  return sig(rounded);
}

/**
 * The unit of each Result CSV column a sweep metric can be named after (`slo_attainment` → fraction,
 * `latency_p99_ms` → ms), from the Result schema; sweep metrics carry the column name as their last part.
 */
const COLUMN_UNITS: ReadonlyMap<string, string | undefined> = (() => {
  const out = new Map<string, string | undefined>();
  for (const root of [TotalsSchema, ServiceResultSchema, PoolResultSchema, FleetResultSchema]) {
    for (const x of fieldsOf(root)!) {
      if (nodeKind(x.schema) === 'object') {
        for (const sub of fieldsOf(x.schema)!)
          out.set(x.meta.csv?.column?.(sub.key) ?? `${x.key}_${sub.key}`, sub.meta.unit ?? x.meta.unit);
      } else if (!out.has(x.key)) out.set(x.key, x.meta.unit);
    }
  }
  return out;
})();

/** The sweep.csv column of a metric: its name with the unit suffix of the CSV files (`chat.slo_attainment_frac`). */
export function sweepColumn(metric: string): string {
  const leaf = metric.slice(metric.lastIndexOf('.') + 1);
  return csvNameWithUnit(metric, COLUMN_UNITS.get(leaf));
}

/**
 * Columns: `point` (the 0-based index), one per swept path (its value), `policy`, then for each metric its
 * mean (the metric name, with the unit suffix of the other CSV files where the name lacks it:
 * `chat.slo_attainment_frac`) and `<column>_ci95` (the 95% half-width, in the same unit). Statistics have 12
 * significant digits; a ci95 stops at the mean's last digit. Empty cells: the metric had no value in any
 * replication.
 */
export function sweepCsv(result: SweepResult): string {
  const header = ['point', ...result.axes.map((a) => a.path), 'policy'];
  for (const m of result.metrics) {
    const col = sweepColumn(m.name);
    header.push(col, `${col}_ci95`);
  }
  const rows: string[][] = [];
  for (const p of result.points) {
    for (const pol of p.policies) {
      // Text cells (a swept name, the policy) must not run as spreadsheet formulas; numbers stay numbers.
      const value = (v: string | number) => (typeof v === 'number' ? String(v) : csvText(v));
      const row = [String(p.index), ...result.axes.map((a) => value(p.values[a.path])), csvText(pol.policy)];
      for (const m of result.metrics) {
        const s = pol.metrics[m.name];
        const where = `point ${p.index} ${pol.policy} ${m.name}`;
        row.push(s ? sig(num(s.mean, where)) : '', s ? ci95Cell(num(s.ci95, where), s.mean) : '');
      }
      rows.push(row);
    }
  }
  return stringify([header.map(csvText), ...rows]);
}

/** The SweepResult as JSON, 2-space indented, keys in the order sweep-result.ts declares them. */
export function sweepJson(result: SweepResult): string {
  const stat = (s: MetricStat | null | undefined, where: string) =>
    s ? { mean: num(s.mean, where), ci95: num(s.ci95, where), n: s.n } : null;
  const ordered = {
    format_version: result.format_version,
    placesim_version: result.placesim_version,
    scenario: { name: result.scenario.name, file: result.scenario.file, seed: result.scenario.seed },
    axes: result.axes.map((a) => ({ path: a.path, values: a.values })),
    replications: result.replications,
    seeds: result.seeds,
    metrics: result.metrics.map((m) => ({ name: m.name, description: m.description })),
    points: result.points.map((p) => ({
      index: p.index,
      values: Object.fromEntries(result.axes.map((a) => [a.path, p.values[a.path]])),
      policies: p.policies.map((pol) => ({
        policy: pol.policy,
        metrics: Object.fromEntries(
          result.metrics.map((m) => [m.name, stat(pol.metrics[m.name], `point ${p.index} ${pol.policy} ${m.name}`)]),
        ),
      })),
    })),
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}

/**
 * Writes sweep.csv and sweep.json into outDir (created if missing); returns their paths. Each file is
 * written whole under a temporary name and renamed, so a reader never sees half a file.
 */
export function writeSweepOutputs(result: SweepResult, outDir: string): string[] {
  return writeFilesAtomically(outDir, [
    ['sweep.csv', sweepCsv(result)],
    ['sweep.json', sweepJson(result)],
  ]);
}

/**
 * Writes each (name, text) into outDir (created if missing), whole under a temporary name and then renamed,
 * so a reader never sees half a file; returns the paths. Sweep and search outputs both go through here.
 */
export function writeFilesAtomically(outDir: string, files: [string, string][]): string[] {
  makeDir(outDir);
  return files.map(([name, text]) => {
    const path = join(outDir, name);
    writeFileAtomically(path, text, 'the sweep output');
    return path;
  });
}

/** Where the CLI keeps the journal of a sweep writing to outDir. */
export function sweepJournalPath(outDir: string): string {
  return join(outDir, 'sweep.journal.jsonl');
}

/**
 * The main metrics of the stdout table, by name: the totals a planner compares first, then each service's
 * p99 latency and SLO attainment. The CSV and JSON keep every metric.
 */
function isMainMetric(name: string): boolean {
  if (name === 'cost_usd' || name === 'carbon_kg' || name === 'energy_kwh') return true;
  return /\.(latency_p99_ms|slo_attainment)$/.test(name);
}

/** "12.3 ± 0.41": the mean at 4 significant digits, the half-width to the mean's last digit shown. */
export function meanPlusMinus(s: MetricStat | null | undefined): string {
  if (!s) return '—';
  const mean = Number(s.mean.toPrecision(4));
  if (s.ci95 === 0 || s.mean === 0) return s.ci95 === 0 ? `${mean} ± 0` : `${mean} ± ${Number(s.ci95.toPrecision(2))}`;
  const decimals = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(s.mean))));
  const ci = Number(s.ci95.toFixed(Math.min(decimals, 20)));
  return `${mean} ± ${ci === 0 ? 0 : Number(ci.toPrecision(2))}`;
}

/**
 * The table `placesim sweep` prints on stdout at the end: a row per point and policy, the swept values,
 * then mean ± 95% half-width of the main metrics (totals, each service's p99 and SLO attainment). The unit
 * is in each column name, as in sweep.csv.
 */
export function sweepTable(result: SweepResult, opts: { quiet?: boolean } = {}): string {
  const metrics = result.metrics.filter((m) => isMainMetric(m.name));
  const header = ['point', ...result.axes.map((a) => a.path), 'policy', ...metrics.map((m) => sweepColumn(m.name))];
  const rows: string[][] = [header];
  for (const p of result.points) {
    for (const pol of p.policies) {
      rows.push([
        String(p.index),
        ...result.axes.map((a) => String(p.values[a.path])),
        pol.policy,
        ...metrics.map((m) => meanPlusMinus(pol.metrics[m.name])),
      ]);
    }
  }
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
  const reps = result.replications;
  const note =
    reps > 1
      ? `mean ± 95% half-width over ${reps} replications`
      : '1 replication per point: no confidence interval (± 0)';
  return `${lines.join('\n')}\n${opts.quiet ? '' : `(${note}; every metric is in sweep.csv)\n`}`;
}
