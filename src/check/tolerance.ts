/**
 * Tolerances of the regression check: how far a metric may move from its baseline before the check fails.
 *
 * A tolerance is relative ("2%": |change| ≤ 2% of |baseline|) or absolute (0.01: |change| ≤ 0.01); 0 means
 * exact. Each metric gets one from, in order of precedence: a `--tolerance pattern=value` flag, the
 * scenario's `check.tolerances`, the default of the metric's kind. Within the flags (or within the
 * scenario's list) the most specific matching pattern wins: the one with the most characters other than `*`;
 * on a tie, the one given last.
 */
import { InputError } from '../scenario/errors.js';
import { parseTolerance, type Tolerance } from '../scenario/tolerance.js';

export { parseTolerance, type Tolerance };

/** What kind of quantity a metric is; each kind has its default tolerance. */
export type MetricKind = 'cost' | 'latency' | 'count' | 'fraction' | 'exact' | 'other';

/**
 * Defaults per kind. Runs are deterministic, so an unchanged tree moves nothing; these leave room for small
 * intended model changes while catching ones that would change a conclusion. Money, energy and carbon are the
 * outputs users compare most closely, hence the tightest relative bound; latencies are percentiles of
 * samples, which a small change of arrivals shifts by more; utilisation and SLO attainment are fractions
 * near 0 or 1, where a relative bound is meaningless, so theirs is absolute (half a percentage point).
 */
export const DEFAULT_TOLERANCES: Readonly<Record<MetricKind, Tolerance>> = {
  cost: { relative: 0.001 },
  latency: { relative: 0.01 },
  count: { relative: 0.005 },
  fraction: { absolute: 0.005 },
  exact: { absolute: 0 },
  // A metric this version does not classify (a field added to the Result later): as strict as costs.
  other: { relative: 0.001 },
};

export type ToleranceSource = 'flag' | 'scenario' | 'default';

/** The tolerance applied to one metric and where it came from (the pattern, or the kind for a default). */
export interface AppliedTolerance extends Tolerance {
  source: ToleranceSource;
  pattern: string;
}

export interface TolerancePattern {
  pattern: string;
  tolerance: Tolerance;
}

/** One `--tolerance` value: `pattern=2%` or `pattern=0.01`. */
export function parseToleranceFlag(raw: string): TolerancePattern {
  // The value never holds "=", so the last one splits (a pattern may contain one).
  const eq = raw.lastIndexOf('=');
  if (eq < 0)
    throw new InputError(
      `bad --tolerance ${JSON.stringify(raw)}: expected pattern=value, e.g. "*/latency_ms/*=2%" or "*/utilisation=0.01"`,
    );
  const pattern = raw.slice(0, eq).trim();
  if (pattern === '')
    throw new InputError(
      `bad --tolerance ${JSON.stringify(raw)}: the pattern before "=" is empty (use "*" for every metric)`,
    );
  try {
    return { pattern, tolerance: parseTolerance(raw.slice(eq + 1)) };
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`bad --tolerance ${JSON.stringify(raw)}: ${err.detail}`);
    throw err;
  }
}

/** `*` matches any run of characters, "/" included; everything else matches itself. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

interface CompiledPattern extends TolerancePattern {
  re: RegExp;
  specificity: number;
  order: number;
}

function compile(list: readonly TolerancePattern[]): CompiledPattern[] {
  return list.map((p, order) => ({
    ...p,
    re: globToRegExp(p.pattern),
    specificity: p.pattern.replace(/\*/g, '').length,
    order,
  }));
}

function mostSpecific(list: readonly CompiledPattern[], metric: string): CompiledPattern | undefined {
  let best: CompiledPattern | undefined;
  for (const p of list) {
    if (!p.re.test(metric)) continue;
    if (
      best === undefined ||
      p.specificity > best.specificity ||
      (p.specificity === best.specificity && p.order > best.order)
    )
      best = p;
  }
  return best;
}

/** Picks each metric's tolerance from flag patterns, then scenario patterns, then the kind's default. */
export class ToleranceResolver {
  private readonly flags: CompiledPattern[];
  private readonly scenario: CompiledPattern[];
  /** Patterns that matched at least one metric, for "matches nothing" notes. */
  readonly used = new Set<string>();

  constructor(flags: readonly TolerancePattern[], scenario: readonly TolerancePattern[]) {
    this.flags = compile(flags);
    this.scenario = compile(scenario);
  }

  /** Records every pattern the metric matches (not only the winner), so a shadowed pattern is not reported unused. */
  resolve(metric: string, kind: MetricKind): AppliedTolerance {
    for (const [source, list] of [
      ['flag', this.flags],
      ['scenario', this.scenario],
    ] as const) {
      for (const p of list) if (p.re.test(metric)) this.used.add(`${source}\u0000${p.pattern}`);
    }
    const flag = mostSpecific(this.flags, metric);
    if (flag) return { ...flag.tolerance, source: 'flag', pattern: flag.pattern };
    const sc = mostSpecific(this.scenario, metric);
    if (sc) return { ...sc.tolerance, source: 'scenario', pattern: sc.pattern };
    return { ...DEFAULT_TOLERANCES[kind], source: 'default', pattern: kind };
  }

  unused(source: 'flag' | 'scenario'): string[] {
    const list = source === 'flag' ? this.flags : this.scenario;
    return [...new Set(list.map((p) => p.pattern))].filter((p) => !this.used.has(`${source}\u0000${p}`));
  }
}

/**
 * Whether a move from baseline to current is allowed. Both bounds, when both are set, are alternatives
 * (either suffices). A relative bound on a zero baseline allows no move at all.
 */
export function withinTolerance(baseline: number, current: number, t: Tolerance): boolean {
  const d = Math.abs(current - baseline);
  if (d === 0) return true;
  // The slack absorbs the rounding of rel × |baseline| itself, so "exactly 1%" passes a 1% bound.
  if (t.absolute !== undefined && d <= t.absolute * (1 + 1e-12)) return true;
  if (t.relative !== undefined && d <= t.relative * Math.abs(baseline) * (1 + 1e-12)) return true;
  return false;
}

/** "±1%", "±0.005", "exact". */
export function formatTolerance(t: Tolerance): string {
  const parts: string[] = [];
  if (t.relative !== undefined && t.relative > 0) parts.push(`±${trim(t.relative * 100)}%`);
  if (t.absolute !== undefined && t.absolute > 0) parts.push(`±${trim(t.absolute)}`);
  return parts.length === 0 ? 'exact' : parts.join(' or ');
}

function trim(x: number): string {
  return String(Number(x.toPrecision(6)));
}
