/** Constrained search (`placesim search`): the cheapest configuration per policy, or the highest demand served. */
export { runSearch, frontier, MONOTONE_FIELDS, SEARCH_FORMAT_VERSION, type SearchOptions } from './run-search.js';
export { parseConstraint, parseObjective, parseDemand, OBJECTIVE_ALIASES } from './spec.js';
export type { Constraint, Objective, DemandSpec } from './spec.js';
export type { SearchResult, EvaluatedPoint, PolicySearch, DemandAnswer, SearchAxis } from './result.js';
export { searchTable, searchCsv, searchJson, writeSearchOutputs, searchJournalPath } from './report.js';
