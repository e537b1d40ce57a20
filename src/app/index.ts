/**
 * The application layer: the one path from files to a Result (load policy modules → load the scenario →
 * add user policies → resolve policies → plan → run), and the mapping of errors to exit codes. It sits
 * above sim/, scenario/ and placement/, and below check/, sweep/, cli/ and the public barrel (src/index.ts).
 */
export {
  checkPlan,
  loadUserPolicies,
  located,
  locatePlanError,
  prepareScenario,
  runLoaded,
  type InputLimits,
  type LoadedScenario,
  type PrepareOptions,
  type RunLoadedOptions,
  type ScenarioSource,
} from './load-run.js';
export { loadScenario, run, USER_POLICIES_LABEL, type LoadScenarioOptions } from './api.js';
export {
  describeFailure,
  isUserError,
  EXIT_OK,
  EXIT_CHECK_FAILED,
  EXIT_BAD_INPUT,
  EXIT_BUG,
  type ExitCode,
  type Failure,
} from './exit.js';
export { readStdinText, scenarioSource, STDIN_ARG, STDIN_LABEL } from './stdin.js';
