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

/**
 * A cursor answers its first this many seeks without remembering the interval, so that its caller's rare
 * branch (the seek) runs while the caller is still interpreted and gathering type feedback: V8 gives a
 * function its feedback only after a few calls, and optimised code reaching a branch that never ran with
 * feedback is thrown away (a deoptimisation, then a second compilation) — here ten simulated seconds in.
 */
export const SEEK_COLD = 64;

/** 1 − 2⁻⁵⁰: an edge times this is a few ulps below it (see BucketCursor). */
export const BELOW_EDGE = 1 - 2 ** -50;

/**
 * The interval that times near "now" fall in, remembered: `index` is Math.floor(t / interval) for every t in
 * [lo, cut) (−1 when that interval is past `count`: nothing is added there), so that a run adding to the
 * series at its current time finds the interval with two comparisons instead of a division, and stays in
 * the caller's compiled code. `cut` is a few ulps below the interval's end: there t / interval may round up
 * to the next integer, and such a t is left to seek (the same Math.floor as addAt, so the same interval).
 */
export class BucketCursor {
  index = -1;
  lo = 0.5;
  cut = 0.5;
  /** Seeks left before the cursor remembers anything (see seek). */
  private cold = SEEK_COLD;
  declare readonly interval: number;
  declare readonly count: number;

  constructor(interval: number, count: number) {
    this.interval = interval;
    this.count = count;
    // (Fractions from the start: see the Simulator's constructor.) Empty until the first seek.
    this.lo = Infinity;
    this.cut = -Infinity;
  }

  /** The index addAt would use for time t, or −1: the remembered one when t is in [lo, cut), else seek(t). */
  at(t: number): number {
    return t >= this.lo && t < this.cut ? this.index : this.seek(t);
  }

  /** Moves to the interval of time t (t outside [lo, cut)); returns its index as addAt would use it, or −1. */
  seek(t: number): number {
    const i = Math.floor(t / this.interval);
    const lo = i * this.interval;
    // (t below lo: the division rounded up; this t alone is answered, the cursor stays empty. So do the first
    // SEEK_COLD seeks.)
    if (t >= lo && this.cold === 0) {
      this.lo = lo;
      this.cut = (lo + this.interval) * BELOW_EDGE;
    } else {
      if (this.cold > 0) this.cold--;
      this.lo = Infinity;
      this.cut = -Infinity;
    }
    this.index = i >= 0 && i < this.count ? i : -1;
    return this.index;
  }
}
