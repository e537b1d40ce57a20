/**
 * placesim as a library: `import { loadScenario, run, sweep, check } from 'placesim'`.
 *
 * The same paths the command line takes (src/app), without the command line: nothing here imports src/cli
 * or writes to the console. docs/api.md describes each function with a runnable example.
 */

// Load and run a scenario.
export {
  loadScenario,
  run,
  type LoadScenarioOptions,
  type LoadedScenario,
  type RunLoadedOptions as RunOptions,
} from './app/index.js';
// A grid of variants × seeds (`placesim sweep`), and the regression check against baselines (`placesim check`).
export { runSweep as sweep, SWEEP_FORMAT_VERSION, type SweepOptions } from './sweep/run-sweep.js';
export { parseSet, type SetSpec } from './sweep/set-spec.js';
// The cheapest configuration under constraints, or the highest demand served (`placesim search`).
export {
  runSearch as search,
  parseConstraint,
  parseObjective,
  parseDemand,
  SEARCH_FORMAT_VERSION,
  type SearchOptions,
  type SearchResult,
  type Constraint,
  type Objective,
  type DemandSpec,
} from './search/index.js';
export { runCheck as check, type CheckOptions, type CheckReport, type ScenarioCheck } from './check/run-check.js';

// Errors: which are the user's to fix, and the exit code the CLI would give each.
export { InputError, PlanError, PolicyError, formatPath, type PathSegment, type Where } from './errors.js';
export {
  describeFailure,
  isUserError,
  EXIT_OK,
  EXIT_CHECK_FAILED,
  EXIT_BAD_INPUT,
  EXIT_BUG,
  type ExitCode,
  type Failure,
} from './app/exit.js';

// Writing a Result out.
export { renderJson, renderTable, writeCsv, renderHtml, renderSweepHtml, type TableOptions } from './report/index.js';

// Policies: the interface your own policy implements, and the built-in ones.
export {
  builtinPolicies,
  builtinPolicy,
  BUILTIN_POLICY_NAMES,
  POLICY_HOOKS,
  type BuiltinPolicyName,
  type Candidate,
  type JobOption,
  type JobRequest,
  type PlacementRequest,
  type PlacementView,
  type Policy,
  type PolicyHook,
  type TargetKind,
} from './placement/index.js';

// The shapes of what comes back.
export type {
  Result,
  PolicyResult,
  ServiceResult,
  PoolResult,
  JobResult,
  ApiResult,
  Totals,
  LatencySummary,
} from './metrics/result.js';
export { RESULT_FORMAT_VERSION } from './metrics/result.js';
export type { SweepResult, SweepPointResult, SweepMetric, MetricStat, SweepAxis } from './metrics/sweep-result.js';
export type { Catalog, Scenario } from './model/types.js';
export { PLACESIM_VERSION } from './version.js';
