/**
 * One unit of sweep work: a scenario variant run with one seed. Pure — scenario text, assignments and seed in,
 * metrics out — so it gives the same answer in any worker, in any order, which is what makes a sweep's result
 * independent of how many workers ran it.
 */
import { loadScenarioText } from '../scenario/load.js';
import { runScenario } from '../sim/index.js';
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
}

export function runTask(task: SweepTask): PolicyMetrics[] {
  const text = variantText(parseScenarioDocument(task.text), task.assignments);
  const scenario = loadScenarioText(text, task.file, {
    seed: task.seed,
    ...(task.policies ? { policies: task.policies } : {}),
  });
  return metricValues(scenario, runScenario(scenario));
}
