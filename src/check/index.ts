/** The regression check of cost models, `placesim check` (docs/ci.md). */
export { runCheck, type CheckOptions, type CheckReport, type ScenarioCheck } from './run-check.js';
export { renderCheckTable, renderCheckDigest, renderCheckMarkdown, renderCheckJunit } from './render.js';
export { writeCheckOutputs, type CheckOutputs } from './outputs.js';
export { compareMetrics, unusedPoolGroups, type MetricDiff, type Verdict } from './compare.js';
export { flattenResult, type Metric, type MetricValue } from './metrics.js';
export {
  DEFAULT_TOLERANCES,
  parseTolerance,
  parseToleranceFlag,
  ToleranceResolver,
  type AppliedTolerance,
  type MetricKind,
  type Tolerance,
} from './tolerance.js';
