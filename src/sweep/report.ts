/**
 * Sweep reporters: sweep.csv (a row per point and policy) and sweep.json (the SweepResult). Both read only
 * the SweepResult.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { MetricStat, SweepResult } from '../metrics/sweep-result.js';

function num(v: number, where: string): number {
  // NaN or Infinity is a bug upstream; an empty cell or a JSON null would pass it off as "missing".
  if (!Number.isFinite(v)) throw new Error(`sweep result ${where} is ${v}, which cannot be written`);
  return v;
}

/**
 * Columns: `point` (the 0-based index), one per swept path (its value), `policy`, then for each metric its
 * mean and `<metric>_ci95` (the 95% half-width). Empty cells: the metric had no value in any replication.
 */
export function sweepCsv(result: SweepResult): string {
  const header = ['point', ...result.axes.map((a) => a.path), 'policy'];
  for (const m of result.metrics) header.push(m.name, `${m.name}_ci95`);
  const rows: string[][] = [];
  for (const p of result.points) {
    for (const pol of p.policies) {
      const row = [String(p.index), ...result.axes.map((a) => String(p.values[a.path])), pol.policy];
      for (const m of result.metrics) {
        const s = pol.metrics[m.name];
        const where = `point ${p.index} ${pol.policy} ${m.name}`;
        row.push(s ? String(num(s.mean, where)) : '', s ? String(num(s.ci95, where)) : '');
      }
      rows.push(row);
    }
  }
  return stringify([header, ...rows]);
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
        metrics: Object.fromEntries(result.metrics.map((m) => [m.name, stat(pol.metrics[m.name], `point ${p.index} ${pol.policy} ${m.name}`)])),
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
  mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    ['sweep.csv', sweepCsv(result)],
    ['sweep.json', sweepJson(result)],
  ];
  return files.map(([name, text]) => {
    const path = join(outDir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    return path;
  });
}

/** Where the CLI keeps the journal of a sweep writing to outDir. */
export function sweepJournalPath(outDir: string): string {
  return join(outDir, 'sweep.journal.jsonl');
}
