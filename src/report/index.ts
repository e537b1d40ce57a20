/** The reporters over a Result. Each reads only the Result; none reaches into the simulation. */

export { renderTable, formatCount, formatNumber, formatPercent, formatDuration, NULL_CELL } from './table.js';
export type { TableOptions } from './table.js';
export { renderJson } from './json.js';
export { csvTables, writeCsv, SUMMARY_COLUMNS, SERVICE_COLUMNS, POOL_COLUMNS } from './csv.js';
export { paretoSet, policyP99, paretoPoint, paretoOfPolicies } from '../metrics/pareto.js';
export type { ParetoPoint } from '../metrics/pareto.js';
