/**
 * Streaming latency statistics: an HDR histogram for percentiles (3 significant digits, so a percentile is
 * within 0.1% of the exact value) plus an exact count, sum and maximum. Memory is fixed by the value range,
 * not by the number of samples.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './result.js';

/** Samples are recorded in microseconds: sub-microsecond detail is below anything the model resolves. */
const UNIT_PER_SECOND = 1e6;

export class LatencyStats {
  count = 0;
  private sum = 0;
  private max = 0;
  private readonly histogram = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one sample, in seconds. */
  record(seconds: number): void {
    this.count++;
    this.sum += seconds;
    if (seconds > this.max) this.max = seconds;
    this.histogram.recordValue(Math.round(seconds * UNIT_PER_SECOND));
  }

  /** Exact mean, seconds (NaN when empty). */
  mean(): number {
    return this.count > 0 ? this.sum / this.count : NaN;
  }

  /** Summary in milliseconds, or null when nothing was recorded. */
  summaryMs(): LatencySummary | null {
    if (this.count === 0) return null;
    const ms = (us: number) => us / (UNIT_PER_SECOND / 1000);
    return {
      mean: (this.sum / this.count) * 1000,
      p50: ms(this.histogram.getValueAtPercentile(50)),
      p95: ms(this.histogram.getValueAtPercentile(95)),
      p99: ms(this.histogram.getValueAtPercentile(99)),
      max: this.max * 1000,
    };
  }
}
