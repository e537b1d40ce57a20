/**
 * trace.csv: one row per request, written as the simulation produces them. Rows are gathered in a small
 * fixed-size batch and written synchronously, so a trace of any length never sits in memory.
 *
 * Nothing half-written looks complete: the rows go to `<path>.partial`, renamed to `<path>` by finish() once
 * the run is over. A run that fails or is interrupted leaves `<path>.partial` (abandon() closes it), whose
 * name says it is incomplete; a write error (a full disk, a read-only folder) is bad input naming the file.
 *
 * Units follow the other CSV files: the arrival is a time in the run, in seconds (`arrival_s`, like `t_s`
 * in timeseries.csv); the durations are in milliseconds (`latency_ms`, …, like `latency_p99_ms` in
 * services.csv), so a request's latency compares with the percentiles without converting.
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { TraceRow } from '../metrics/trace.js';
import { mkdirs, writeFailure } from './write.js';
import { csvText } from './safe-text.js';

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
  private fd: number | undefined;
  private batch: string[][] = [];
  rows = 0;
  /** Where the rows go until finish() renames the file to `path`. */
  readonly partialPath: string;

  constructor(readonly path: string) {
    this.partialPath = `${path}.partial`;
    try {
      mkdirs(dirname(path));
      this.fd = openSync(this.partialPath, 'w');
      writeSync(this.fd, stringify([[...TRACE_COLUMNS]]));
    } catch (e) {
      this.abandon();
      throw writeFailure(e, 'the trace', this.partialPath);
    }
  }

  /** A TraceSink: copies the (reused) row into the batch. */
  readonly write = (r: TraceRow): void => {
    // Names are text a spreadsheet must not run as a formula (report/safe-text.ts); numbers stay numbers.
    this.batch.push([
      csvText(r.policy),
      String(r.request),
      csvText(r.service),
      csvText(r.user),
      num(r.arrival_s),
      r.measured ? 'true' : 'false',
      csvText(r.pool),
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
    if (this.batch.length === 0 || this.fd === undefined) return;
    try {
      writeSync(this.fd, stringify(this.batch));
    } catch (e) {
      throw writeFailure(e, 'the trace', this.partialPath);
    }
    this.batch = [];
  }

  /** The run is over: writes what is left and renames `<path>.partial` to `<path>`. */
  finish(): void {
    this.flush();
    try {
      closeSync(this.fd!);
      this.fd = undefined;
      renameSync(this.partialPath, this.path);
    } catch (e) {
      throw writeFailure(e, 'the trace', this.path);
    }
  }

  /** The run failed or was interrupted: closes the file and leaves it as `<path>.partial`. Never throws. */
  abandon(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already reported by the failure that brought us here
    }
    this.fd = undefined;
  }
}
