/**
 * trace.csv: one row per request, written as the simulation produces them. Rows are gathered in a small
 * fixed-size batch and written synchronously, so a trace of any length never sits in memory.
 *
 * Units follow the other CSV files: the arrival is a time in the run, in seconds (`arrival_s`, like `t_s`
 * in timeseries.csv); the durations are in milliseconds (`latency_ms`, …, like `latency_p99_ms` in
 * services.csv), so a request's latency compares with the percentiles without converting.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { TraceRow } from '../metrics/trace.js';

export const TRACE_COLUMNS = [
  'policy',
  'request',
  'service',
  'user',
  'arrival_s',
  'measured',
  'pool',
  'outcome',
  'network_ms',
  'queue_ms',
  'execution_ms',
  'latency_ms',
  'ttft_ms',
] as const;

const BATCH = 2048;

// 12 significant digits: microseconds over a run of weeks, without float noise like 0.018032000000000001.
const num = (x: number): string => (Number.isNaN(x) ? '' : String(Number(x.toPrecision(12))));
/** A duration the row holds in seconds, written in ms (the 12 digits also drop the noise of × 1000). */
const ms = (x: number): string => num(x * 1000);

export class TraceCsvWriter {
  private readonly fd: number;
  private batch: string[][] = [];
  rows = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    writeSync(this.fd, stringify([[...TRACE_COLUMNS]]));
  }

  /** A TraceSink: copies the (reused) row into the batch. */
  readonly write = (r: TraceRow): void => {
    this.batch.push([
      r.policy,
      String(r.request),
      r.service,
      r.user,
      num(r.arrival_s),
      r.measured ? 'true' : 'false',
      r.pool,
      r.outcome,
      ms(r.network_s),
      ms(r.queue_s),
      ms(r.execution_s),
      ms(r.latency_s),
      ms(r.ttft_s),
    ]);
    this.rows++;
    if (this.batch.length >= BATCH) this.flush();
  };

  flush(): void {
    if (this.batch.length === 0) return;
    writeSync(this.fd, stringify(this.batch));
    this.batch = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
