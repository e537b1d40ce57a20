/**
 * One unit of sweep work: a scenario variant run with one seed. Pure — scenario text, assignments and seed in,
 * metrics out — so it gives the same answer in any worker, in any order, which is what makes a sweep's result
 * independent of how many workers ran it.
 */
import { loadScenarioText } from '../scenario/load.js';
import { runScenario, resolvePolicies } from '../sim/index.js';
import { loadPolicyModules, withUserPolicies, type UserPolicy } from '../placement/plugin.js';
import { BUILTIN_POLICY_NAMES } from '../placement/names.js';
import { parseScenarioDocument, variantText, type Assignment } from './grid.js';
import { metricValues, type PolicyMetrics } from './metrics.js';

export interface SweepTask {
  /** The scenario file's text, as read. */
  text: string;
  /** Its path (for messages and to tell JSON from YAML). */
  file: string;
  assignments: Assignment[];
  seed: number;
  policies?: string[];
  /** Absolute paths of users' policy modules (--policy-module), loaded once per thread. */
  policyModules?: string[];
}

const loaded = new Map<string, Promise<UserPolicy[]>>();

/** The users' policies of a task, loaded once per thread and reused by its later tasks. */
function userPolicies(files: readonly string[]): Promise<UserPolicy[]> {
  const key = files.join('\n');
  let p = loaded.get(key);
  if (!p) {
    p = loadPolicyModules(files);
    loaded.set(key, p);
  }
  return p;
}

export async function runTask(task: SweepTask): Promise<PolicyMetrics[]> {
  const user = task.policyModules && task.policyModules.length > 0 ? await userPolicies(task.policyModules) : [];
  const text = variantText(parseScenarioDocument(task.text), task.assignments);
  const scenario = withUserPolicies(
    loadScenarioText(text, task.file, {
      seed: task.seed,
      ...(task.policies ? { policies: task.policies } : {}),
      knownPolicies: [...BUILTIN_POLICY_NAMES, ...user.map((p) => p.name)],
    }),
    user,
    task.policies !== undefined,
  );
  return metricValues(scenario, runScenario(scenario, { policies: resolvePolicies(scenario, user) }));
}
