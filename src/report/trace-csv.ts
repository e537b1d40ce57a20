/**
 * trace.csv: one row per request, written as the simulation produces them. Rows are gathered in a small
 * fixed-size batch and written synchronously, so a trace of any length never sits in memory.
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
  'network_s',
  'queue_s',
  'execution_s',
  'latency_s',
  'ttft_s',
] as const;

const BATCH = 2048;

// 12 significant digits: microseconds over a run of weeks, without float noise like 0.018032000000000001.
const num = (x: number): string => (Number.isNaN(x) ? '' : String(Number(x.toPrecision(12))));

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
      num(r.network_s),
      num(r.queue_s),
      num(r.execution_s),
      num(r.latency_s),
      num(r.ttft_s),
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
