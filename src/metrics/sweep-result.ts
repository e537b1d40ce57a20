/**
 * The result of a sweep: a grid of scenario variants (points), each run for N replications (seeds), with
 * the mean and 95% confidence interval of every metric per point and policy. Reporters (CSV, JSON, HTML)
 * read only this.
 */

/** One swept parameter: a path in the scenario file and the values it takes. */
export interface SweepAxis {
  /** Dotted path in the scenario file, e.g. "services.chat.arrivals.poisson". */
  path: string;
  values: (string | number)[];
}

/** Mean and 95% confidence half-width (Student t over the replications) of one metric. */
export interface MetricStat {
  mean: number;
  /** Half-width of the 95% confidence interval; 0 with a single replication. */
  ci95: number;
  /** Replications that produced a value (a latency is missing when nothing completed). */
  n: number;
}

export interface SweepMetric {
  /** e.g. "cost_usd", "chat.latency_p99_ms", "seoul-edge/orin.utilisation" — the unit is in the name. */
  name: string;
  description: string;
}

export interface SweepPointResult {
  index: number;
  /** Value of each axis at this point, keyed by path. */
  values: Record<string, string | number>;
  policies: { policy: string; metrics: Record<string, MetricStat | null> }[];
}

export interface SweepResult {
  format_version: number;
  placesim_version: string;
  scenario: { name: string; file: string | null; seed: number };
  axes: SweepAxis[];
  replications: number;
  /** Seeds used: replication r runs with seed + r at every point (common random numbers across points). */
  seeds: number[];
  metrics: SweepMetric[];
  /** In grid order: the last axis varies fastest. */
  points: SweepPointResult[];
}
