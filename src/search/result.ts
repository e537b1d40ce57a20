/**
 * What a search gives back. Reporters (table, CSV, JSON, HTML) read only this.
 */
import type { MetricStat, SweepMetric } from '../metrics/sweep-result.js';
import type { Constraint, DemandSpec, Objective } from './spec.js';

export interface SearchAxis {
  path: string;
  /** In search order: a monotone axis's values sorted ascending. */
  values: (string | number)[];
  /** Assumed monotone (more of it never breaks a constraint that held with less): bisected, not enumerated. */
  monotone: boolean;
}

export interface EvaluatedPoint {
  /** 0-based, in the order the table lists them (policy, then configuration, then demand). */
  index: number;
  policy: string;
  /** Value of each axis (and of the demand field in a max-demand search), keyed by path. */
  values: Record<string, string | number>;
  /** Every constraint held at the pessimistic end of its 95% interval. */
  feasible: boolean;
  /** The objective's mean (cheapest searches only); null where a term had no value. */
  objective: number | null;
  metrics: Record<string, MetricStat | null>;
}

export interface DemandAnswer {
  /** The configuration (axis values) this answer is for. */
  values: Record<string, string | number>;
  /** The highest demand evaluated that met every constraint; null when even the low end failed. */
  max: number | null;
  /** The lowest demand evaluated that failed; null when even the high end met every constraint. */
  failed_at: number | null;
}

export interface PolicySearch {
  policy: string;
  /** Cheapest search: index into `evaluated` of the best feasible configuration, or null when none is. */
  winner: number | null;
  /** Cheapest search: indices into `evaluated` of the Pareto frontier (objective vs the first constraint). */
  frontier: number[];
  /** Max-demand search: one answer per configuration. */
  demand: DemandAnswer[];
}

export interface SearchResult {
  format_version: number;
  placesim_version: string;
  scenario: { name: string; file: string; seed: number };
  mode: 'cheapest' | 'max-demand';
  axes: SearchAxis[];
  constraints: Constraint[];
  objective: Objective | null;
  demand: (DemandSpec & { tolerance: number }) | null;
  replications: number;
  seeds: number[];
  metrics: SweepMetric[];
  policies: PolicySearch[];
  evaluated: EvaluatedPoint[];
}
