/**
 * Streaming latency statistics: an HDR histogram for percentiles (3 significant digits, so a percentile is
 * within 0.1% of the exact value) plus an exact count, sum and maximum. Memory is fixed by the value range,
 * not by the number of samples.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { CdfPoint, LatencySummary } from './result.js';

/** Fractions at which a CDF is reported: every percent, then the tail. */
export const CDF_FRACTIONS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, i) => (i + 1) / 100),
  0.995,
  0.999,
  1,
];

/** Samples are recorded in microseconds: sub-microsecond detail is below anything the model resolves. */
const UNIT_PER_SECOND = 1e6;

// The WebAssembly build records a value in ~20 ns against ~135 ns for the pure-JS one, and recording is on
// the simulator's hot path (one or two samples per request). The module ships inside the package; should
// it fail to start, the JS build gives the same numbers, only slower.
let useWebAssembly = false;
try {
  await hdr.initWebAssembly();
  useWebAssembly = true;
} catch {
  useWebAssembly = false;
}

export class LatencyStats {
  count = 0;
  private sum = 0;
  private max = 0;
  private histogram: Histogram | null = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    useWebAssembly,
  });

  /** Records one sample, in seconds. */
  record(seconds: number): void {
    this.count++;
    this.sum += seconds;
    if (seconds > this.max) this.max = seconds;
    this.histogram!.recordValue(Math.round(seconds * UNIT_PER_SECOND));
  }

  /** Records `count` (≥ 1, an integer) samples of the same value, in seconds. */
  recordCount(seconds: number, count: number): void {
    this.count += count;
    this.sum += seconds * count;
    if (seconds > this.max) this.max = seconds;
    this.histogram!.recordValueWithCount(Math.round(seconds * UNIT_PER_SECOND), count);
  }

  /** Exact mean, seconds (NaN when empty). */
  mean(): number {
    return this.count > 0 ? this.sum / this.count : NaN;
  }

  /**
   * Summary in milliseconds, or null when nothing was recorded. Percentiles are the histogram's (within
   * 0.1%), capped at the exact maximum so that p99 ≤ max always holds.
   */
  summaryMs(): LatencySummary | null {
    if (this.count === 0) return null;
    const h = this.histogram;
    if (!h) throw new Error('LatencyStats used after dispose()');
    const maxMs = this.max * 1000;
    const pct = (p: number) => Math.min(h.getValueAtPercentile(p) / (UNIT_PER_SECOND / 1000), maxMs);
    return { mean: (this.sum / this.count) * 1000, p50: pct(50), p90: pct(90), p95: pct(95), p99: pct(99), max: maxMs };
  }

  /** The value at percentile p (0–100), ms, capped at the maximum; null when nothing was recorded. */
  percentileMs(p: number): number | null {
    if (this.count === 0) return null;
    const h = this.histogram;
    if (!h) throw new Error('LatencyStats used after dispose()');
    return Math.min(h.getValueAtPercentile(p) / (UNIT_PER_SECOND / 1000), this.max * 1000);
  }

  /** The distribution at fixed fractions, ms; null when nothing was recorded. */
  cdfMs(): CdfPoint[] | null {
    if (this.count === 0) return null;
    const h = this.histogram;
    if (!h) throw new Error('LatencyStats used after dispose()');
    const maxMs = this.max * 1000;
    const points: CdfPoint[] = [];
    for (const fraction of CDF_FRACTIONS) {
      const ms = fraction === 1 ? maxMs : Math.min(h.getValueAtPercentile(fraction * 100) / 1000, maxMs);
      points.push({ fraction, ms });
    }
    return points;
  }

  /** Frees the histogram (WebAssembly memory is not garbage-collected). */
  dispose(): void {
    this.histogram?.destroy();
    this.histogram = null;
  }
}
