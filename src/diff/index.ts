/**
 * `placesim diff A B`: two scenario files, two Results, or one of each, side by side.
 *
 * A scenario file is loaded and run (through the one load-and-run path, src/app) into its Result; two
 * scenario files run with the same seed — `--seed`, else A's — so that what differs is the scenarios, not
 * the random streams. A Result JSON file (`placesim run --json`, a baseline in results/) is read as it is.
 * Both sides are then flattened into the metrics `placesim check` compares (src/check/metrics.ts), with the
 * scenario name left out of the metric names so that two scenarios of different names line up, and pools a
 * policy does not use on either side skipped, as the check does.
 *
 * The output is two tables: the key metrics of each policy (total cost, energy and carbon; each service's p99
 * latency, SLO attainment and rejections), every one shown, changed or not; then every metric that differs.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { prepareScenario, runLoaded, type LoadedScenario } from '../app/load-run.js';
import { scenarioSource, STDIN_ARG } from '../app/stdin.js';
import type { UserPolicy } from '../placement/plugin.js';
import { renderJson } from '../report/json.js';
import { BaselineShapeError, flattenResult, type Metric, type MetricValue } from '../check/metrics.js';
import { unusedPoolGroups } from '../check/compare.js';

export interface DiffOptions {
  /** Seed for scenario files, instead of A's. */
  seed?: number;
  /** Policies to run for scenario files, instead of each file's list. */
  policies?: readonly string[];
  /** User policies (already loaded from --policy-module). */
  userPolicies?: readonly UserPolicy[];
  /** Reads standard input for a side given as `-`. */
  readStdin?: () => string;
}

export interface DiffSide {
  /** As given on the command line. */
  path: string;
  kind: 'scenario' | 'result';
  scenario: string;
  seed: number | null;
  /** Metric name without the "<scenario>/" prefix → metric. */
  metrics: Map<string, Metric>;
}

export interface DiffRow {
  metric: string;
  a: MetricValue | undefined;
  b: MetricValue | undefined;
}

export interface DiffReport {
  a: DiffSide;
  b: DiffSide;
  /** The key metrics of every policy, in A's order then B's extra ones, changed or not. */
  key: DiffRow[];
  /** Every metric that differs (absent on one side included), in A's order, then B's extra ones. */
  changed: DiffRow[];
  /** Metrics compared (the union of both sides, unused pools left out). */
  compared: number;
}

/** The key metrics, on names without the scenario prefix: "<policy>/totals/cost_usd/total", … */
const KEY = [
  /^[^/]+\/totals\/(cost_usd|energy_kwh|carbon_kg)\/total$/,
  /^[^/]+\/services\/[^/]+\/(latency_ms\/p99|slo_attainment|rejected)$/,
];
export const isKeyMetric = (name: string): boolean => KEY.some((re) => re.test(name));

/** Whether a JSON value is a placesim Result (rather than a scenario written as JSON). */
function looksLikeResult(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  const r = json as Record<string, unknown>;
  return Array.isArray(r.policies) && typeof r.scenario === 'object' && r.scenario !== null && 'format_version' in r;
}

function stripPrefix(flat: Map<string, Metric>, name: string): Map<string, Metric> {
  const out = new Map<string, Metric>();
  for (const [k, m] of flat) out.set(k.startsWith(`${name}/`) ? k.slice(name.length + 1) : k, m);
  return out;
}

/** A Result file, or undefined when the file is not a Result (then it is read as a scenario). */
function readResult(path: string): DiffSide | undefined {
  if (path === STDIN_ARG || !path.toLowerCase().endsWith('.json')) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // the scenario loader says what is wrong with the file
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!looksLikeResult(json)) return undefined;
  try {
    const flat = flattenResult(json);
    const scenario = json as { scenario: { name: string; seed?: unknown } };
    const seed = typeof scenario.scenario.seed === 'number' ? scenario.scenario.seed : null;
    return {
      path,
      kind: 'result',
      scenario: scenario.scenario.name,
      seed,
      metrics: stripPrefix(flat, scenario.scenario.name),
    };
  } catch (e) {
    if (e instanceof BaselineShapeError) throw new InputError(`not a placesim Result: ${e.message}`, { file: path });
    throw e;
  }
}

function loadScenarioSide(path: string, opts: DiffOptions, seed: number | undefined): LoadedScenario {
  return prepareScenario(scenarioSource(path, opts.readStdin), opts.userPolicies ?? [], {
    ...(seed !== undefined ? { seed } : {}),
    ...(opts.policies !== undefined ? { policies: opts.policies } : {}),
  });
}

function runSide(path: string, loaded: LoadedScenario): DiffSide {
  const json = JSON.parse(renderJson(runLoaded(loaded))) as { scenario: { name: string; seed: number } };
  return {
    path,
    kind: 'scenario',
    scenario: json.scenario.name,
    seed: json.scenario.seed,
    metrics: stripPrefix(flattenResult(json), json.scenario.name),
  };
}

/** Reads (or loads and runs) both sides and compares them. Bad input of either side throws an InputError. */
export function diff(pathA: string, pathB: string, opts: DiffOptions = {}): DiffReport {
  if (pathA === STDIN_ARG && pathB === STDIN_ARG)
    throw new InputError('only one side of diff can be read from standard input (-)');
  const resultA = readResult(pathA);
  const resultB = readResult(pathB);
  // Every input is read and checked before anything runs.
  const loadedA = resultA ? undefined : loadScenarioSide(pathA, opts, opts.seed);
  const seedB = opts.seed ?? loadedA?.scenario.seed;
  const loadedB = resultB ? undefined : loadScenarioSide(pathB, opts, seedB);
  const a = resultA ?? runSide(pathA, loadedA!);
  const b = resultB ?? runSide(pathB, loadedB!);

  const skip = unusedPoolGroups(a.metrics, b.metrics);
  const names: string[] = [...a.metrics.keys()];
  for (const k of b.metrics.keys()) if (!a.metrics.has(k)) names.push(k);
  const rows: DiffRow[] = [];
  for (const metric of names) {
    const group = (a.metrics.get(metric) ?? b.metrics.get(metric))!.group;
    if (skip.has(group)) continue;
    rows.push({ metric, a: a.metrics.get(metric)?.value, b: b.metrics.get(metric)?.value });
  }
  return {
    a,
    b,
    key: rows.filter((r) => isKeyMetric(r.metric)),
    changed: rows.filter((r) => r.a !== r.b),
    compared: rows.length,
  };
}

// ------------------------------------------------------------------------------------------------ table

function value(v: MetricValue | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  return String(Number(v.toPrecision(9)));
}

/** "=", "+5.89 (+1.42%)", "-3", "new", "removed", "null → 4". */
export function changeText(r: DiffRow): string {
  if (r.a === r.b) return '=';
  if (r.a === undefined) return 'only in B';
  if (r.b === undefined) return 'only in A';
  if (r.a === null || r.b === null) return `${value(r.a)} → ${value(r.b)}`;
  const d = r.b - r.a;
  const sign = (x: number) => (x > 0 ? '+' : '');
  const abs = `${sign(d)}${Number(d.toPrecision(4))}`;
  if (r.a === 0) return abs;
  const pct = (d / Math.abs(r.a)) * 100;
  return `${abs} (${sign(pct)}${Number(pct.toPrecision(3))}%)`;
}

function align(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}

function describe(label: string, s: DiffSide): string {
  return `${label}: ${s.path} (${s.kind === 'scenario' ? 'scenario, run' : 'Result'}: ${s.scenario}, seed ${s.seed ?? '?'})`;
}

export function renderDiff(report: DiffReport): string {
  const lines = [describe('A', report.a), describe('B', report.b), ''];
  const header = ['metric', 'A', 'B', 'change'];
  const rows = (list: DiffRow[]) => list.map((r) => [r.metric, value(r.a), value(r.b), changeText(r)]);
  if (report.key.length > 0) lines.push('key metrics per policy:', ...align([header, ...rows(report.key)], '  '), '');
  if (report.changed.length === 0) lines.push(`no metric differs (${report.compared} compared)`);
  else
    lines.push(
      `${report.changed.length} of ${report.compared} metrics differ:`,
      ...align([header, ...rows(report.changed)], '  '),
    );
  return lines.join('\n') + '\n';
}
