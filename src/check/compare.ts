/** Comparing two flattened Results metric by metric under the tolerances. */
import type { Metric, MetricValue } from './metrics.js';
import { withinTolerance, type AppliedTolerance, type MetricKind, type ToleranceResolver } from './tolerance.js';

/**
 * within: moved, but no further than its tolerance · exceeded: moved past it (fails) · removed: in the
 * baseline only (fails) · added: in the current run only (reported, does not fail).
 */
export type Verdict = 'within' | 'exceeded' | 'added' | 'removed';

/** One metric that moved. Metrics equal on both sides are not listed. */
export interface MetricDiff {
  metric: string;
  group: string;
  kind: MetricKind;
  /** Absent when the metric is new. */
  baseline?: MetricValue;
  /** Absent when the metric was removed. */
  current?: MetricValue;
  /** current − baseline; null when a side is absent or null. */
  change: number | null;
  /** change / |baseline|; null when change is null or the baseline is 0. */
  relative: number | null;
  tolerance: AppliedTolerance;
  verdict: Verdict;
}

export function isFailure(d: MetricDiff): boolean {
  return d.verdict === 'exceeded' || d.verdict === 'removed';
}

export interface Comparison {
  diffs: MetricDiff[];
  /** Metric groups on either side, in order of appearance, with how many metrics each holds. */
  groups: { name: string; metrics: number }[];
}

/**
 * Groups of pools the policy does not use: `provisioned` is 0 on every side that has the pool. Such a pool
 * takes no requests and costs nothing; its other fields (replicas, units) follow the scenario, not the
 * policy, so a move there is not the policy's and is not reported.
 */
export function unusedPoolGroups(
  baseline: ReadonlyMap<string, Metric>,
  current: ReadonlyMap<string, Metric>,
): Set<string> {
  const unused = new Set<string>();
  const used = new Set<string>();
  for (const side of [baseline, current]) {
    for (const [metric, m] of side) {
      if (!metric.endsWith('/provisioned') || !m.group.includes('/pools/')) continue;
      (m.value === 0 ? unused : used).add(m.group);
    }
  }
  for (const g of used) unused.delete(g);
  return unused;
}

export function compareMetrics(
  baseline: ReadonlyMap<string, Metric>,
  current: ReadonlyMap<string, Metric>,
  tolerances: ToleranceResolver,
): Comparison {
  const diffs: MetricDiff[] = [];
  const groups = new Map<string, number>();
  const count = (g: string) => groups.set(g, (groups.get(g) ?? 0) + 1);
  const skip = unusedPoolGroups(baseline, current);

  for (const [metric, cur] of current) {
    count(cur.group);
    // Resolved even when skipped, so a pattern is not reported as matching nothing.
    const tolerance = tolerances.resolve(metric, cur.kind);
    if (skip.has(cur.group)) continue;
    const base = baseline.get(metric);
    const common = { metric, group: cur.group, kind: cur.kind, tolerance };
    if (base === undefined) {
      diffs.push({ ...common, current: cur.value, change: null, relative: null, verdict: 'added' });
      continue;
    }
    if (base.value === cur.value) continue;
    if (base.value === null || cur.value === null) {
      diffs.push({
        ...common,
        baseline: base.value,
        current: cur.value,
        change: null,
        relative: null,
        verdict: 'exceeded',
      });
      continue;
    }
    const change = cur.value - base.value;
    diffs.push({
      ...common,
      baseline: base.value,
      current: cur.value,
      change,
      relative: base.value === 0 ? null : change / Math.abs(base.value),
      verdict: withinTolerance(base.value, cur.value, tolerance) ? 'within' : 'exceeded',
    });
  }
  for (const [metric, base] of baseline) {
    if (current.has(metric)) continue;
    count(base.group);
    if (skip.has(base.group)) continue;
    diffs.push({
      metric,
      group: base.group,
      kind: base.kind,
      baseline: base.value,
      change: null,
      relative: null,
      tolerance: tolerances.resolve(metric, base.kind),
      verdict: 'removed',
    });
  }
  return { diffs, groups: [...groups].map(([name, metrics]) => ({ name, metrics })) };
}

/** Display form of a value: as stored (9 significant digits at most), "null", or "—" when absent. */
export function formatValue(v: MetricValue | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  return String(v);
}

/** "+5.89 (+1.42%)", "-3", "null → 4", "new", "removed". */
export function formatChange(d: MetricDiff): string {
  if (d.verdict === 'added') return 'new';
  if (d.verdict === 'removed') return 'removed';
  if (d.change === null) return `${formatValue(d.baseline)} → ${formatValue(d.current)}`;
  const sign = (x: number) => (x > 0 ? '+' : '');
  const abs = `${sign(d.change)}${Number(d.change.toPrecision(4))}`;
  if (d.relative === null) return abs;
  const pct = d.relative * 100;
  return `${abs} (${sign(pct)}${Number(pct.toPrecision(3))}%)`;
}
