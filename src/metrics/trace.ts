/**
 * The per-request trace a run can stream out (`--trace`): the row a reporter receives for every request.
 */

/** One row of the per-request trace. The object is reused: copy what you keep. NaN = not applicable. */
export interface TraceRow {
  policy: string;
  /** Arrival number in the run, from 0. */
  request: number;
  service: string;
  user: string;
  arrival_s: number;
  /** Arrived after the warm-up (counted in the statistics). */
  measured: boolean;
  /** Pool the policy chose ('' when it rejected the request). */
  pool: string;
  /** lost: accepted, then failed under a failure or an overflowing buffer with no retry left. */
  outcome: 'completed' | 'rejected' | 'lost' | 'in_flight';
  network_s: number;
  queue_s: number;
  execution_s: number;
  latency_s: number;
  ttft_s: number;
}

/** Receives one row per request when a trace is asked for. */
export type TraceSink = (row: TraceRow) => void;
