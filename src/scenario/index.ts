/** Scenario files: units, schema, loading and resolution into a `Scenario` (src/model/types.ts). */
export { InputError, didYouMean, formatPath, type PathSegment, type Where } from './errors.js';
export {
  parseBandwidth,
  parseBytes,
  parseByteRate,
  parseDuration,
  parsePower,
  parseRate,
  type UnitKind,
} from './units.js';
export { scenarioJsonSchema, ScenarioFileSchema, type ScenarioFile } from './schema.js';
export { loadScenarioFile, loadScenarioText, readScenarioFile, type LoadOptions } from './load.js';
export { KV_BYTES_PER_TOKEN_PER_PARAM, DEFAULT_PEAK_HOUR } from './resolve.js';
