/**
 * The one load-and-run path. Every entry point — the CLI's `run` and `validate`, `check`, `sweep` and the
 * sweep worker, and the public API — goes through these steps, in this order:
 *
 *   1. load the users' policy modules (loadUserPolicies), so the scenario may name their policies;
 *   2. load the scenario (a file, or text already read) with those names known, apply --seed / --policy;
 *   3. add the user policies the scenario does not list (unless --policy chose the list);
 *   4. resolve every policy name to an object (built-ins, variants, user policies);
 *   5. plan (checkPlan) — optional here, as the run plans again — and run (runLoaded).
 *
 * Step 2 also checks the run's budget (scenario/budget.ts): a run estimated past --max-events is refused
 * before anything runs, and the files the scenario may read are limited (scenario/files.ts, --allow-read).
 *
 * A PlanError becomes an InputError located in the scenario file (file:line:col and field path); every other
 * failure keeps its type, and src/app/exit.ts maps it to an exit code.
 */
import { InputError, PlanError } from '../errors.js';
import type { Result } from '../metrics/result.js';
import type { Catalog, Scenario } from '../model/types.js';
import { BUILTIN_POLICY_NAMES } from '../placement/names.js';
import { loadPolicyModules, withUserPolicies, type UserPolicy } from '../placement/plugin.js';
import type { Policy } from '../placement/policy.js';
import { checkBudget } from '../scenario/budget.js';
import { loadScenarioFile, loadScenarioText } from '../scenario/load.js';
import { buildPlan, resolvePolicies, runScenario, type TraceSink } from '../sim/index.js';
import { withDefaultSignals } from './signals.js';

/** Where the scenario comes from: a file, or (for sweep variants) text already read, with the file it came from. */
export interface ScenarioSource {
  file: string;
  /** The scenario's text; when absent, `file` is read. */
  text?: string;
}

export interface PrepareOptions {
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Policy names to run instead of the scenario's list (--policy). */
  policies?: readonly string[];
  /** Hardware catalog; default: the embedded one. */
  catalog?: Catalog;
  /** Folders besides the scenario's own from which it may read files (--allow-read). */
  allowRead?: readonly string[];
  /** Largest file a scenario may read, bytes (default 64 MiB). */
  maxFileBytes?: number;
  /** Most events a run may be estimated to take (--max-events); default scenario/budget.ts DEFAULT_MAX_EVENTS. */
  maxEvents?: number;
}

/** The limits on what a scenario may read and run (--allow-read, --max-events): scenario/files.ts, budget.ts. */
export type InputLimits = Pick<PrepareOptions, 'allowRead' | 'maxFileBytes' | 'maxEvents'>;

/** A scenario ready to run: the scenario with the user policies taken into account, and its policies resolved. */
export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The policies to run, in order, as objects. */
  readonly policies: readonly Policy[];
  /** The users' policies that were available to it (already checked and guarded). */
  readonly userPolicies: readonly UserPolicy[];
}

export interface RunLoadedOptions {
  /** Receives one row per request (every policy, in run order); the row object is reused. */
  trace?: TraceSink;
  /** Called after each policy's run. */
  onPolicyDone?: (name: string, index: number, total: number) => void;
}

/** Step 1: the users' policy modules, in order, each policy checked and guarded (placement/plugin.ts). */
export function loadUserPolicies(files: readonly string[] = []): Promise<UserPolicy[]> {
  return loadPolicyModules(files);
}

/** Steps 2–4. Throws InputError for anything wrong with the scenario, the policy names or the user policies. */
export function prepareScenario(
  source: ScenarioSource,
  userPolicies: readonly UserPolicy[] = [],
  opts: PrepareOptions = {},
): LoadedScenario {
  const loadOptions = {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.policies !== undefined ? { policies: [...opts.policies] } : {}),
    ...(opts.catalog !== undefined ? { catalog: opts.catalog } : {}),
    knownPolicies: [...BUILTIN_POLICY_NAMES, ...userPolicies.map((p) => p.name)],
    files: {
      ...(opts.allowRead !== undefined ? { allowRead: opts.allowRead } : {}),
      ...(opts.maxFileBytes !== undefined ? { maxBytes: opts.maxFileBytes } : {}),
    },
  };
  const loaded =
    source.text === undefined
      ? loadScenarioFile(source.file, loadOptions)
      : loadScenarioText(source.text, source.file, loadOptions);
  const scenario = withUserPolicies(loaded, userPolicies, opts.policies !== undefined);
  // Before anything is planned or run: a run past the budget is refused with its estimate.
  checkBudget(scenario, opts.maxEvents !== undefined ? { maxEvents: opts.maxEvents } : {});
  const policies = located(scenario, () => resolvePolicies(scenario, userPolicies));
  return { scenario, policies, userPolicies };
}

/** Step 5a: builds the plan once, so that a scenario that cannot be planned fails before anything runs. */
export function checkPlan(loaded: LoadedScenario): void {
  located(loaded.scenario, () => buildPlan(loaded.scenario));
}

/**
 * Step 5b: runs every policy of the scenario (same seed, common random numbers) and returns the Result. The
 * run is synchronous: a SIGINT/SIGTERM during it ends the process at once (app/signals.ts).
 */
export function runLoaded(loaded: LoadedScenario, opts: RunLoadedOptions = {}): Result {
  return located(loaded.scenario, () =>
    withDefaultSignals(() =>
      runScenario(loaded.scenario, {
        policies: [...loaded.policies],
        ...(opts.trace !== undefined ? { trace: opts.trace } : {}),
        ...(opts.onPolicyDone !== undefined ? { onPolicyDone: opts.onPolicyDone } : {}),
      }),
    ),
  );
}

/** Runs `fn`, turning a PlanError into an InputError at the blamed field's place in the scenario file. */
export function located<T>(scenario: Scenario, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PlanError) throw locatePlanError(e, scenario);
    throw e;
  }
}

export function locatePlanError(e: PlanError, scenario: Scenario): InputError {
  return new InputError(e.message, { file: scenario.file, path: e.path, ...scenario.locate?.(e.path) });
}
