/**
 * Streaming latency statistics: an HDR histogram for percentiles (3 significant digits, so a percentile is
 * within 0.1% of the exact value) plus an exact count, sum and maximum. Memory is fixed by the value range,
 * not by the number of samples.
 *
 * Recording is on the simulator's hot path (one or two samples per request), so a sample is not handed to
 * the histogram library at once: it is counted in a typed array laid out like the histogram's own buckets
 * (same bucket and sub-bucket for every value), and the histogram is built from those counts when a
 * summary is asked for. Every value counted in one slot falls in one slot of the histogram, whose
 * percentiles depend only on its slot counts, so the figures are exactly those of recording each sample
 * (test/latency.test.ts checks this against direct recording). Percentiles are read off the slot counts
 * as the library reads them off its own (valuesAt); the library (hdr-histogram-js, its pure JavaScript
 * build) is loaded only for samples beyond the slots, so no WebAssembly is started.
 */
import { createRequire } from 'node:module';
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

/**
 * The histogram's layout for 3 significant digits and a lowest discernible value of 1: values below 2048
 * each have their own slot; above, bucket b ≥ 1 holds [1024·2^b, 2048·2^b) in 1024 slots of width 2^b.
 */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_COUNT = 2048;

/**
 * Slot of a whole number of microseconds in [0, 2^32): the value itself below 2048, else b·1024 + (v >>> b).
 * Slots grow with the value. (`v | 0` below 2048: the same number, but a small integer on both branches, so
 * that the compiled caller indexes the counts with it directly rather than through a double.)
 */
export function slotOf(v: number): number {
  const b = 32 - SUB_BUCKET_HALF_MAGNITUDE - 1 - Math.clz32(v);
  return b > 0 ? (b << SUB_BUCKET_HALF_MAGNITUDE) + (v >>> b) : v | 0;
}

/** The largest whole number of microseconds a slot holds (beyond it, samples go to the histogram itself). */
const SLOT_VALUE_MAX = 2 ** 32 - 1;

/** The lowest value of a slot (every value of the slot is equivalent in the histogram). */
export function slotValue(slot: number): number {
  if (slot < SUB_BUCKET_COUNT) return slot;
  const b = (slot >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  return (slot - (b << SUB_BUCKET_HALF_MAGNITUDE)) * 2 ** b;
}

/** The unit in the last place of x, as hdr-histogram-js's ulp module computes it (for the count threshold). */
function ulp(x: number): number {
  return Math.pow(2, Math.floor(Math.log2(x)) - 52);
}

/** The constructor of hdr-histogram-js's Float64Histogram (lowest discernible, highest trackable, digits). */
type Float64Histogram = new (lowest: number, highest: number, digits: number) => Histogram;
let histogramClass: Float64Histogram | null = null;

/**
 * hdr-histogram-js's 64-bit histogram class, loaded on first use (the package is CommonJS: a synchronous
 * require is enough). It is required from its own module, not the package's index: the index also loads the
 * log writer, whose module builds an Intl.NumberFormat (ICU start-up) and the base64/zlib encoding, ~100 ms
 * of a short run's start that no summary uses. It is the class the index's `build({ bitBucketSize: 64 })`
 * returns, so the figures are the same.
 */
function hdrClass(): Float64Histogram {
  if (histogramClass === null) {
    const mod = createRequire(import.meta.url)('hdr-histogram-js/dist/Float64Histogram.js') as {
      default: Float64Histogram;
    };
    histogramClass = mod.default;
  }
  return histogramClass;
}

/**
 * Samples recorded but not yet counted: record() stores the sample here and counts a full buffer in one
 * pass (flush). Counting a sample reads and writes its slot, a slot anywhere among thousands; done at
 * record time, that read waited on the request's own figures and sat on the event path. The samples are
 * counted in the order they came (the sum is added in that order), so every figure is the same.
 */
const PENDING = 512;

export class LatencyStats {
  /** Samples counted so far (pending ones not included: see `count`). */
  private n = 0;
  private sum = 0;
  private max = 0;
  /** Samples per histogram slot (grown as larger values come). */
  private counts = new Float64Array(4096);
  /** Samples outside [0, 2^32) µs (or not finite), handed to the histogram as they are: rare. */
  private others: number[] = [];
  private histogram: Histogram | null = null;
  private disposed = false;
  /** Samples recorded since the last flush, in seconds. */
  private readonly pending = new Float64Array(PENDING);
  private nPending = 0;

  constructor() {
    // These hold fractions: each starts as one (see the Simulator's constructor).
    this.n = 0.5;
    this.n = 0;
    this.sum = 0.5;
    this.sum = 0;
    this.max = 0.5;
    this.max = 0;
  }

  /** Samples recorded. */
  get count(): number {
    this.flush();
    return this.n;
  }

  /** Records one sample, in seconds. */
  record(seconds: number): void {
    const k = this.nPending;
    this.pending[k] = seconds;
    this.nPending = k + 1;
    if (k + 1 === PENDING) this.flush();
  }

  /**
   * Counts the pending samples, in the order they were recorded. The count, sum and maximum are carried in
   * locals through the loop and stored once (a field holding a fraction is a box in V8: updating three of
   * them per sample cost more than the counting itself); the sum adds the samples in the same order, so
   * every figure is the same.
   *
   * The slots are counted in a second loop with no call in it: the counts are grown first, once, for the
   * batch's largest sample (slots grow with the value), and samples beyond the slots are set aside for a
   * third loop that is rarely entered. A call in the loop (the growth, the push) made the compiled loop check
   * the arrays' shapes again and keep its values on the stack on every sample, whether or not the call was
   * taken: ~100 instructions a sample where the counting needs ~30 (docs/performance.md).
   */
  private flush(): void {
    const k = this.nPending;
    if (k === 0) return;
    this.nPending = 0;
    const pending = this.pending;
    let n = this.n;
    let sum = this.sum;
    let max = this.max;
    let top = -Infinity;
    for (let i = 0; i < k; i++) {
      const seconds = pending[i];
      n++;
      sum += seconds;
      if (seconds > max) max = seconds;
      if (seconds > top) top = seconds;
    }
    this.n = n;
    this.sum = sum;
    this.max = max;
    this.histogram = null;
    const v = Math.round(top * UNIT_PER_SECOND);
    const topSlot = slotOf(v >>> 0 === v ? v : v > SLOT_VALUE_MAX ? SLOT_VALUE_MAX : 0);
    if (topSlot >= this.counts.length) this.grow(topSlot);
    const counts = this.counts;
    let beyond = 0;
    for (let i = 0; i < k; i++) {
      const v = Math.round(pending[i] * UNIT_PER_SECOND);
      if (v >>> 0 === v) counts[slotOf(v)]++;
      else beyond++;
    }
    if (beyond > 0) {
      for (let i = 0; i < k; i++) {
        const v = Math.round(pending[i] * UNIT_PER_SECOND);
        if (v >>> 0 !== v) this.others.push(v);
      }
    }
  }

  private grow(slot: number): void {
    let n = this.counts.length * 2;
    while (n <= slot) n *= 2;
    const c = new Float64Array(n);
    c.set(this.counts);
    this.counts = c;
  }

  /** The histogram of the samples so far, built from the slot counts. */
  private built(): Histogram {
    if (this.disposed) throw new Error('LatencyStats used after dispose()');
    this.flush();
    if (this.histogram !== null) return this.histogram;
    // As the index's build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1,
    // numberOfSignificantValueDigits: 3 }): its default highest trackable value (2) grows as values come.
    const Hist = hdrClass();
    const h = new Hist(1, 2, 3);
    h.autoResize = true;
    const counts = this.counts;
    for (let s = 0; s < counts.length; s++) if (counts[s] > 0) h.recordValueWithCount(slotValue(s), counts[s]);
    for (const v of this.others) h.recordValue(v);
    this.histogram = h;
    return h;
  }

  /**
   * The histogram's values (µs) at ascending percentiles, from the slot counts in one pass, without building
   * the histogram. hdr-histogram-js's getValueAtPercentile(p) walks its counts from the first slot until
   * their running sum reaches max(ceil(p/100 · total − ulp), 1) and answers that slot's highest equivalent
   * value (its lowest for p = 0). The slots here are the histogram's own in the same order, so the same
   * walk, done once for all the percentiles, stops at the same slots; a slot's highest value is the next
   * slot's lowest less one. (A CDF asks for 102 percentiles: the library's walk, once per percentile over
   * thousands of slots, cost ~100 ms on a 1M-request run, and loading and filling the histogram ~50 ms more.)
   * test/latency.test.ts checks every figure against the library recording each sample. With samples
   * outside the typed slots (rare), the library's histogram answers.
   */
  private valuesAt(percentiles: readonly number[]): number[] {
    if (this.disposed) throw new Error('LatencyStats used after dispose()');
    this.flush();
    if (this.others.length > 0) {
      const h = this.built();
      return percentiles.map((p) => h.getValueAtPercentile(p));
    }
    const total = this.n;
    const counts = this.counts;
    const out: number[] = [];
    let slot = -1;
    let cumulative = 0;
    let last = -Infinity;
    for (const p of percentiles) {
      if (p < last) throw new Error('LatencyStats.valuesAt: percentiles must ascend');
      last = p;
      const fp = ((p < 100 ? p : 100) / 100) * total;
      const threshold = Math.max(Math.ceil(fp - ulp(fp)), 1);
      while (cumulative < threshold && slot + 1 < counts.length) cumulative += counts[++slot];
      if (cumulative < threshold) out.push(0);
      else out.push(p === 0 ? slotValue(slot) : slotValue(slot + 1) - 1);
    }
    return out;
  }

  /** Records `count` (≥ 1, an integer) samples of the same value, in seconds. */
  recordCount(seconds: number, count: number): void {
    this.flush();
    this.n += count;
    this.sum += seconds * count;
    if (seconds > this.max) this.max = seconds;
    const v = Math.round(seconds * UNIT_PER_SECOND);
    if (v >>> 0 === v) {
      const slot = slotOf(v);
      if (slot >= this.counts.length) this.grow(slot);
      this.counts[slot] += count;
    } else {
      for (let i = 0; i < count; i++) this.others.push(v);
    }
    this.histogram = null;
  }

  /** Exact mean, seconds (NaN when empty). */
  mean(): number {
    this.flush();
    return this.n > 0 ? this.sum / this.n : NaN;
  }

  /**
   * Summary in milliseconds, or null when nothing was recorded. Percentiles are the histogram's (within
   * 0.1%), capped at the exact maximum so that p99 ≤ max always holds.
   */
  summaryMs(): LatencySummary | null {
    if (this.count === 0) return null;
    const maxMs = this.max * 1000;
    const [p50, p90, p95, p99] = this.valuesAt([50, 90, 95, 99]).map((v) =>
      Math.min(v / (UNIT_PER_SECOND / 1000), maxMs),
    );
    return { mean: (this.sum / this.n) * 1000, p50, p90, p95, p99, max: maxMs };
  }

  /** The value at percentile p (0–100), ms, capped at the maximum; null when nothing was recorded. */
  percentileMs(p: number): number | null {
    if (this.count === 0) return null;
    return Math.min(this.valuesAt([p])[0] / (UNIT_PER_SECOND / 1000), this.max * 1000);
  }

  /** The distribution at fixed fractions, ms; null when nothing was recorded. */
  cdfMs(): CdfPoint[] | null {
    if (this.count === 0) return null;
    const maxMs = this.max * 1000;
    const values = this.valuesAt(CDF_FRACTIONS.map((fraction) => fraction * 100));
    return CDF_FRACTIONS.map((fraction, i) => ({
      fraction,
      ms: fraction === 1 ? maxMs : Math.min(values[i] / 1000, maxMs),
    }));
  }

  /** Frees the counts and the histogram; the stats cannot be summarised afterwards. */
  dispose(): void {
    this.nPending = 0;
    this.histogram?.destroy();
    this.histogram = null;
    this.counts = new Float64Array(0);
    this.others = [];
    this.disposed = true;
  }
}
