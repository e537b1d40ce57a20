/**
 * Picking one of many user groups by their shares (a fleet's instances) in a few memory reads.
 *
 * The answer is the one a binary search over the running sum of the shares gives (arrivals.ts
 * pickCumulative): the first group whose running sum exceeds the uniform draw u, or the last one when
 * rounding leaves u at or above the total. A binary search over 10,000 sums reads ~14 of them, the last
 * few on lines not in the processor's cache; here a guide table (one entry per bucket of u) gives a start
 * no later than the answer, and a short forward scan of the (sum, group) pairs finds it: about two memory
 * reads whatever the number of groups.
 */
export class SharePicker {
  /** (running sum, group index) per group, interleaved: the sum and its group on one line. */
  declare private readonly pairs: Float64Array;
  /** Per bucket b of u (u × buckets, floored): the first group whose sum exceeds (b − 1) / buckets. */
  declare private readonly guide: Int32Array;
  declare private readonly buckets: number;
  declare private readonly last: number;

  /** weights: the groups' shares, in order (≥ 0); groups: the index each stands for. */
  constructor(weights: readonly number[], groups: readonly number[]) {
    const n = weights.length;
    this.last = n - 1;
    this.pairs = new Float64Array(2 * n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += weights[i];
      this.pairs[2 * i] = sum;
      this.pairs[2 * i + 1] = groups[i];
    }
    const m = Math.max(1, 2 * n);
    this.buckets = m;
    this.guide = new Int32Array(m);
    // One bucket lower than u's own: (b − 1) / m is below any u whose floor(u × m) is b, rounding included.
    let i = 0;
    for (let b = 0; b < m; b++) {
      const low = (b - 1) / m;
      while (i < n - 1 && this.pairs[2 * i] <= low) i++;
      this.guide[b] = i;
    }
  }

  /** The group for uniform draw u (in [0, 1)). */
  pick(u: number): number {
    const m = this.buckets;
    let b = Math.floor(u * m);
    if (b >= m) b = m - 1;
    else if (b < 0) b = 0;
    const pairs = this.pairs;
    const last = this.last;
    let i = this.guide[b];
    while (i < last && pairs[2 * i] <= u) i++;
    return pairs[2 * i + 1];
  }
}
