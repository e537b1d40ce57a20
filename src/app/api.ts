/**
 * The programmatic form of `placesim run`: load a scenario (with any user policies), then run it. The public
 * barrel (src/index.ts) exports these next to `sweep` and `check`; docs/api.md shows them in use.
 */
import { InputError } from '../errors.js';
import type { Result } from '../metrics/result.js';
import { checkPolicyShape, guardPolicy, type UserPolicy } from '../placement/plugin.js';
import type { Policy } from '../placement/policy.js';
import {
  checkPlan,
  loadUserPolicies,
  prepareScenario,
  runLoaded,
  type LoadedScenario,
  type PrepareOptions,
  type RunLoadedOptions,
} from './load-run.js';

export interface LoadScenarioOptions extends PrepareOptions {
  /** The scenario's text, when it is not to be read from `file` (`file` still names it in messages). */
  text?: string;
  /** JavaScript policy modules to load, as `--policy-module` does. */
  policyModules?: readonly string[];
  /**
   * Policy objects of your own. Each is checked and guarded exactly like a module's policy: a hook that
   * throws or returns a value it may not return becomes a PolicyError. Without `policies`, they are added to
   * the scenario's list; a scenario may also name them, or build variants on them.
   */
  userPolicies?: readonly Policy[];
}

/** How policies passed as objects are named in messages (a module's policies name their file). */
export const USER_POLICIES_LABEL = 'loadScenario({ userPolicies })';

/**
 * Loads a scenario ready to run: policy modules and policy objects first, then the scenario, its policies
 * resolved and its plan checked. Bad input of any kind throws an InputError.
 */
export async function loadScenario(file: string, opts: LoadScenarioOptions = {}): Promise<LoadedScenario> {
  const user: UserPolicy[] = await loadUserPolicies(opts.policyModules ?? []);
  for (const [i, p] of (opts.userPolicies ?? []).entries()) {
    const policy = guardPolicy(checkPolicyShape(p, `userPolicies[${i}]`, USER_POLICIES_LABEL), USER_POLICIES_LABEL);
    const earlier = user.find((u) => u.name === policy.name);
    if (earlier) {
      throw new InputError(
        `userPolicies[${i}]: policy name "${policy.name}" is already used by a policy from ${earlier.file}`,
        { file: USER_POLICIES_LABEL },
      );
    }
    user.push(policy);
  }
  const loaded = prepareScenario({ file, ...(opts.text !== undefined ? { text: opts.text } : {}) }, user, opts);
  checkPlan(loaded);
  return loaded;
}

/** Runs every policy of a loaded scenario with the same seed and returns the Result (what `placesim run --json` prints). */
export function run(loaded: LoadedScenario, opts: RunLoadedOptions = {}): Result {
  return runLoaded(loaded, opts);
}
