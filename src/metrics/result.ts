/**
 * The Result of a run: everything a reporter may read. Reporters (table, JSON, CSV, …) read only this;
 * they never reach into the simulation. docs/result-format.md documents every field.
 *
 * The types are derived from the one Result schema (result-schema.ts), where each field is declared with its
 * meaning, unit and comparison class; change the Result there, not here.
 *
 * Units are in the field names: *_ms milliseconds, *_s seconds, *_usd US dollars, *_kwh kilowatt-hours,
 * *_kg kilograms CO2e, *_gb gigabytes (1e9 bytes).
 */
import type { z } from 'zod';
import type {
  ApiResultSchema,
  BackhaulResultSchema,
  CarbonBreakdownSchema,
  CdfPointSchema,
  ConservationSchema,
  CostBreakdownSchema,
  EnergyBreakdownSchema,
  JobResultSchema,
  LatencySummarySchema,
  PolicyResultSchema,
  PoolResultSchema,
  FleetResultSchema,
  ResultSchema,
  ServiceResultSchema,
  SharedUplinkResultSchema,
  TimeSeriesSchema,
  TotalsSchema,
  UplinkResultSchema,
} from './result-schema.js';

export const RESULT_FORMAT_VERSION = 1;

export type LatencySummary = z.infer<typeof LatencySummarySchema>;
/** A point of a latency distribution: `fraction` of completed requests took at most `ms`. */
export type CdfPoint = z.infer<typeof CdfPointSchema>;
export type ServiceResult = z.infer<typeof ServiceResultSchema>;
/** Per-interval series over the whole run (warm-up included); each array has one value per interval. */
export type TimeSeries = z.infer<typeof TimeSeriesSchema>;
export type PoolResult = z.infer<typeof PoolResultSchema>;
export type FleetResult = z.infer<typeof FleetResultSchema>;
export type CostBreakdown = z.infer<typeof CostBreakdownSchema>;
export type EnergyBreakdown = z.infer<typeof EnergyBreakdownSchema>;
export type CarbonBreakdown = z.infer<typeof CarbonBreakdownSchema>;
/** A training job over the whole run (warm-up included: training has no warm-up). */
export type JobResult = z.infer<typeof JobResultSchema>;
/** A managed AI API's use in the measured window. */
export type ApiResult = z.infer<typeof ApiResultSchema>;
export type Totals = z.infer<typeof TotalsSchema>;
/** arrivals = completed + rejected + lost + in_flight over the whole run (warm-up included). Checked on every run. */
export type Conservation = z.infer<typeof ConservationSchema>;
export type BackhaulResult = z.infer<typeof BackhaulResultSchema>;
export type SharedUplinkResult = z.infer<typeof SharedUplinkResultSchema>;
export type UplinkResult = z.infer<typeof UplinkResultSchema>;
export type PolicyResult = z.infer<typeof PolicyResultSchema>;
export type Result = z.infer<typeof ResultSchema>;
