/** Parameter sweeps (`placesim sweep`): a grid of scenario variants × replications, mean and 95% CI per metric. */
export { parseSet, parsePath, round12, MAX_RANGE_VALUES, type SetSpec } from './set-spec.js';
export { runSweep, SWEEP_FORMAT_VERSION, type SweepOptions } from './run-sweep.js';
export { sweepCsv, sweepJson, sweepTable, writeSweepOutputs, sweepJournalPath } from './report.js';
export { createProgress, silentProgress, formatSeconds, type Progress, type ProgressUnit } from './progress.js';
export { summarize, studentTQuantile, studentTCdf } from './stats.js';
export { gridIndices } from './grid.js';
export { metricDefs, metricValues, type PolicyMetrics } from './metrics.js';
export { lockSweepDir, LOCK_FILE, type LockInfo, type SweepLock } from './lock.js';
