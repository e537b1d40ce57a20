/**
 * One unit of sweep work: a scenario variant run with one seed. Pure — scenario text, assignments and seed in,
 * metrics out — so it gives the same answer in any worker, in any order, which is what makes a sweep's result
 * independent of how many workers ran it.
 */
import { errorToData, type ErrorData } from '../errors.js';
import { loadUserPolicies, prepareScenario, runLoaded, type InputLimits } from '../app/load-run.js';
import type { UserPolicy } from '../placement/plugin.js';
import type { Document } from 'yaml';
import { parseScenarioDocument, variantText, type Assignment } from './grid.js';
import { metricValues, type PolicyMetrics } from './metrics.js';

export interface SweepTask {
  /** The scenario file's text, as read; without `assignments`, the variant's own text (variantText), run as it is. */
  text: string;
  /** Its path (for messages and to tell JSON from YAML). */
  file: string;
  /** The variant's values, applied to `text` (a search's tasks); absent when `text` is the variant's already (a sweep's). */
  assignments?: Assignment[];
  seed: number;
  policies?: string[];
  /** Absolute paths of users' policy modules (--policy-module), loaded once per thread. */
  policyModules?: string[];
  /** --allow-read, --max-events: the same limits as the loading in the main thread. */
  limits?: InputLimits;
}

const loaded = new Map<string, Promise<UserPolicy[]>>();

/** The users' policies of a task, loaded once per thread and reused by its later tasks. */
function userPolicies(files: readonly string[]): Promise<UserPolicy[]> {
  const key = files.join('\n');
  let p = loaded.get(key);
  if (!p) {
    p = loadUserPolicies(files);
    loaded.set(key, p);
  }
  return p;
}

/**
 * The last scenario text this thread parsed, and its document, for tasks that carry assignments (a search's):
 * they all carry the same text, and parsing it again for each was ~4% of a warm task's CPU (a 300 s M/M/8
 * run); variantText clones the document before it assigns, so one parse serves every task. A sweep's tasks
 * carry their variant's text instead (run-sweep.ts), parsed once by prepareScenario.
 */
let lastDoc: { text: string; doc: Document } | undefined;

function scenarioDocument(text: string): Document {
  if (lastDoc?.text !== text) lastDoc = { text, doc: parseScenarioDocument(text) };
  return lastDoc.doc;
}

export async function runTask(task: SweepTask): Promise<PolicyMetrics[]> {
  const user = task.policyModules && task.policyModules.length > 0 ? await userPolicies(task.policyModules) : [];
  const text = task.assignments ? variantText(scenarioDocument(task.text), task.assignments) : task.text;
  const loaded = prepareScenario({ file: task.file, text }, user, {
    seed: task.seed,
    ...(task.policies ? { policies: task.policies } : {}),
    ...task.limits,
  });
  // (Instances listed: metricValues reads whether a fleet's pool is provisioned from its instances' rows.)
  return metricValues(loaded.scenario, runLoaded(loaded, { instances: true }));
}

/** What a worker thread sends back: the metrics, or a typed error as data (its class would not survive the trip). */
export type TaskReply = { metrics: PolicyMetrics[] } | { error: ErrorData };

/** runTask for a worker thread: a typed error becomes data; any other error (a bug) is thrown as it is. */
export async function runTaskReply(task: SweepTask): Promise<TaskReply> {
  try {
    return { metrics: await runTask(task) };
  } catch (e) {
    const error = errorToData(e);
    if (error === undefined) throw e;
    return { error };
  }
}
