/** The reporters over a Result. Each reads only the Result; none reaches into the simulation. */

export { renderTable, formatCount, formatNumber, formatPercent, formatDuration, NULL_CELL } from './table.js';
export type { TableOptions } from './table.js';
export { renderJson } from './json.js';
export {
  csvTables,
  writeCsv,
  timeseriesCsv,
  SUMMARY_COLUMNS,
  SERVICE_COLUMNS,
  POOL_COLUMNS,
  JOB_COLUMNS,
  API_COLUMNS,
} from './csv.js';
export type { CsvTables } from './csv.js';
export { renderHtml, renderSweepHtml } from './html.js';
export { TraceCsvWriter, TRACE_COLUMNS } from './trace-csv.js';
export { paretoSet, policyP99, paretoPoint, paretoOfPolicies } from '../metrics/pareto.js';
export type { ParetoPoint } from '../metrics/pareto.js';
