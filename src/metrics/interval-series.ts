/**
 * Per-interval accumulators for time series. Quantities that last (a busy replica, a waiting request) are
 * integrated exactly: a span [start, end) is split across the intervals it covers, so an interval's value is
 * the exact time-average, not a sample. Memory is fixed by the number of intervals, not by events.
 */
export class IntervalSeries {
  readonly values: Float64Array;

  constructor(
    readonly interval: number,
    readonly count: number,
  ) {
    this.values = new Float64Array(count);
  }

  /** Adds `weight` × the part of [start, end) inside each interval. */
  addSpan(start: number, end: number, weight: number): void {
    if (!(end > start) || weight === 0) return;
    const iv = this.interval;
    let i = Math.floor(start / iv);
    if (i >= this.count) return;
    let t = start;
    while (t < end && i < this.count) {
      const edge = (i + 1) * iv;
      const stop = end < edge ? end : edge;
      this.values[i] += (stop - t) * weight;
      t = stop;
      i++;
    }
  }

  /** Adds `amount` to the interval holding time `t`. */
  addAt(t: number, amount: number): void {
    const i = Math.floor(t / this.interval);
    if (i >= 0 && i < this.count) this.values[i] += amount;
  }
}

/** A readable interval giving at most `maxPoints` points over `duration` seconds. */
export function chooseInterval(duration: number, maxPoints = 240): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  for (const s of steps) if (duration / s <= maxPoints) return s;
  return Math.ceil(duration / maxPoints / 86400) * 86400;
}
